//! The output directory's lock: one `regen` at a time cleans up, checks and writes a
//! directory. It is an advisory lock (`flock` on Linux, `LockFile` on Windows) on the file
//! `.NAME.regen-lock` beside the directory (not in it: the write swaps the whole directory
//! away), which holds the holder's pid for the message a waiting run prints. The kernel
//! drops the lock when its holder dies, so a killed run never leaves the directory locked.
//!
//! On Unix the holder removes the lock file before unlocking, so no file stays behind; a
//! run that locked the file just as it was removed sees that the path no longer names what
//! it locked, and locks the new file instead.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a run waits for another one to finish by default; `HTTPSERV_RS_LOCK_TIMEOUT`
/// (seconds) overrides it. A regen holds the lock for well under a second.
pub const DEFAULT_LOCK_WAIT_SECS: u64 = 60;

const POLL: Duration = Duration::from_millis(20);

/// The held lock; dropping it releases the directory.
#[derive(Debug)]
pub struct OutputLock {
    /// Holds the lock while open (on Windows closing it is the only release).
    #[cfg_attr(windows, allow(dead_code))]
    file: File,
    /// Removed on release (Unix only; see the module docs).
    #[cfg_attr(windows, allow(dead_code))]
    path: PathBuf,
}

/// Why the lock was not had.
#[derive(Debug)]
pub enum LockError {
    /// Another run held it for the whole wait.
    Busy {
        holder: Option<u32>,
        waited: Duration,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy { holder, waited } => write!(
                f,
                "another regen ({}) is writing this directory and held its lock for all of \
                 the {} s this run waited; let it finish (or stop it) and rerun \
                 (HTTPSERV_RS_LOCK_TIMEOUT sets the wait in seconds)",
                describe_holder(*holder),
                waited.as_secs()
            ),
            LockError::Io { path, error } => {
                write!(f, "cannot lock {}: {error}", path.display())
            }
        }
    }
}

/// `pid 1234`, or `pid unknown` when the lock file did not say.
pub fn describe_holder(holder: Option<u32>) -> String {
    match holder {
        Some(pid) => format!("pid {pid}"),
        None => "pid unknown".into(),
    }
}

/// The wait `HTTPSERV_RS_LOCK_TIMEOUT` asks for, else [`DEFAULT_LOCK_WAIT_SECS`].
pub fn lock_wait() -> Duration {
    let secs = std::env::var("HTTPSERV_RS_LOCK_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_LOCK_WAIT_SECS);
    Duration::from_secs(secs)
}

/// Locks the lock file at `path` (`Location::lock_path`, in a directory that exists),
/// waiting up to `wait` for another holder; `on_wait` is told the holder's pid once, when
/// waiting starts.
pub fn lock(
    path: &Path,
    wait: Duration,
    on_wait: &mut dyn FnMut(Option<u32>),
) -> Result<OutputLock, LockError> {
    let path = path.to_path_buf();
    let io_error = |error| LockError::Io {
        path: path.clone(),
        error,
    };
    let started = Instant::now();
    let mut told = false;
    loop {
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        if try_lock(&file).map_err(io_error)? {
            if !still_named(&file, &path) {
                continue;
            }
            let pid = format!("{}\n", std::process::id());
            file.set_len(0)
                .and_then(|()| file.write_all(pid.as_bytes()))
                .map_err(io_error)?;
            return Ok(OutputLock {
                file,
                path: path.clone(),
            });
        }
        let holder = holder(&path);
        if started.elapsed() >= wait {
            return Err(LockError::Busy {
                holder,
                waited: started.elapsed(),
            });
        }
        if !told {
            on_wait(holder);
            told = true;
        }
        std::thread::sleep(POLL);
    }
}

/// The pid the holder wrote into the lock file, if it did yet.
fn holder(path: &Path) -> Option<u32> {
    let mut text = String::new();
    File::open(path).ok()?.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked, so nobody can lock this file and believe it is the
        // directory's lock (see the module docs); then unlocked (closing would too).
        #[cfg(unix)]
        {
            let _ = std::fs::remove_file(&self.path);
            let _ = rustix::fs::flock(&self.file, rustix::fs::FlockOperation::Unlock);
        }
    }
}

/// Whether `path` still names the file that was opened (not removed and recreated by a
/// holder in between).
#[cfg(unix)]
fn still_named(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(open), Ok(named)) => open.dev() == named.dev() && open.ino() == named.ino(),
        _ => false,
    }
}

/// Windows never removes the lock file, so the path always names it.
#[cfg(windows)]
fn still_named(_file: &File, _path: &Path) -> bool {
    true
}

/// Takes the exclusive lock without blocking; `false` when another process holds it.
#[cfg(unix)]
fn try_lock(file: &File) -> io::Result<bool> {
    use rustix::fs::{flock, FlockOperation};
    match flock(file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Ok(true),
        Err(e) if e == rustix::io::Errno::WOULDBLOCK => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Windows locks are mandatory for the bytes they cover, so the lock covers one byte far
/// past the pid the file holds, which waiting runs read.
#[cfg(windows)]
fn try_lock(file: &File) -> io::Result<bool> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Foundation::{GetLastError, ERROR_LOCK_VIOLATION};
    use windows_sys::Win32::Storage::FileSystem::LockFile;
    // SAFETY: the handle is the open file's, valid for the call; LockFile only reads it.
    let locked = unsafe { LockFile(file.as_raw_handle() as _, 0, u32::MAX, 1, 0) };
    if locked != 0 {
        return Ok(true);
    }
    // SAFETY: reads this thread's last error code, set by the call above.
    match unsafe { GetLastError() } {
        ERROR_LOCK_VIOLATION => Ok(false),
        code => Err(io::Error::from_raw_os_error(code as i32)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory, and the lock path in it.
    fn scratch(name: &str) -> (PathBuf, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("httpserv-rs-lock-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(".generated.regen-lock");
        (dir, path)
    }

    #[test]
    fn a_second_lock_waits_then_names_the_holder() {
        let (dir, path) = scratch("busy");
        let held = lock(&path, Duration::ZERO, &mut |_| {}).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            format!("{}\n", std::process::id())
        );
        // flock locks belong to the open file, so a second open in this process contends.
        let mut told = Vec::new();
        let busy = lock(&path, Duration::from_millis(100), &mut |h| told.push(h)).unwrap_err();
        assert_eq!(told, [Some(std::process::id())]);
        match &busy {
            LockError::Busy { holder, .. } => assert_eq!(*holder, Some(std::process::id())),
            other => panic!("{other}"),
        }
        assert!(busy
            .to_string()
            .contains(&format!("pid {}", std::process::id())));
        drop(held);
        #[cfg(unix)]
        assert!(!path.exists(), "the holder removes the lock file");
        let again = lock(&path, Duration::ZERO, &mut |_| {}).unwrap();
        drop(again);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_waiting_run_gets_the_lock_when_the_holder_lets_go() {
        let (dir, path) = scratch("handover");
        let held = lock(&path, Duration::ZERO, &mut |_| {}).unwrap();
        let releaser = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            drop(held);
        });
        let mut waited = false;
        let second = lock(&path, Duration::from_secs(30), &mut |_| waited = true).unwrap();
        assert!(waited);
        releaser.join().unwrap();
        // The second holder's file is the one at the path.
        #[cfg(unix)]
        assert!(still_named(&second.file, &path));
        drop(second);
        let _ = std::fs::remove_dir_all(dir);
    }
}
