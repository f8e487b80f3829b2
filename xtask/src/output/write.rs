//! The all-or-nothing write. The whole new tree is written and synced in a staging
//! directory beside the output directory (`.NAME.regen-PID`); then the two directories
//! trade places in one step (Linux `renameat2(RENAME_EXCHANGE)`), the parent is synced,
//! and the previous tree, now under the staging name, is removed. A directory that does
//! not exist yet is one plain rename.
//!
//! Where the exchange is not supported (another OS, a filesystem without it), two renames:
//! the directory aside to `.NAME.regen-old-PID`, then the new tree into its place. Between
//! them the directory is missing; a run that dies there leaves the aside tree, which the
//! next run's `recover` moves back (the old output), and a run whose second rename fails
//! moves it back itself.
//!
//! Failpoints (`process::failpoint`), in order: `after-first-staged-file`, `swap` (the
//! step that puts the tree in place), `exchange` (as if unsupported: the fallback is
//! taken), `between-renames` and `restore` (fallback only), `after-swap` (the parent's
//! sync).

use super::process::failpoint;
use super::{sync_dir, Location};
use generator::FileTree;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// Why [`write_atomically`] failed, and so what state the directory is in.
#[derive(Debug)]
pub enum WriteError {
    /// Building the new tree failed at `step` (which names the file): nothing was swapped
    /// in, and the staging directory is gone.
    Staging { step: String, error: io::Error },
    /// Putting the new tree in place failed; the directory is as it was.
    Swap { error: io::Error },
    /// Fallback only: the directory was moved aside to `aside`, the new tree could not
    /// take its place, and moving it back failed too. The next run moves it back.
    Aside {
        aside: PathBuf,
        error: io::Error,
        restore: io::Error,
    },
    /// The new tree is in place, but syncing `parent` (which makes the swap durable)
    /// failed.
    NotDurable { parent: PathBuf, error: io::Error },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Staging { step, error } => write!(
                f,
                "{step} failed ({error}) before anything was swapped in; every file is as \
                 before this run"
            ),
            WriteError::Swap { error } => write!(
                f,
                "swapping the new files into place failed ({error}); every file is as before \
                 this run"
            ),
            WriteError::Aside {
                aside,
                error,
                restore,
            } => write!(
                f,
                "moving the new files into place failed ({error}), and moving the previous \
                 ones back failed too ({restore}): the directory is missing and its previous \
                 files are in {}, which the next regen moves back",
                aside.display()
            ),
            WriteError::NotDurable { parent, error } => write!(
                f,
                "every file is the new one, but syncing {} failed ({error}), so after a crash \
                 the directory may hold the previous files again",
                parent.display()
            ),
        }
    }
}

/// Writes the tree as the whole of the directory at `location`, all-or-nothing (hold
/// [`super::lock`] and run [`super::recover`] first). `Ok` carries a note for the user
/// when the previous tree could not be removed (it is beside the directory, not in it,
/// and the next run removes it).
pub fn write_atomically(
    tree: &FileTree,
    location: &Location,
) -> Result<Option<String>, WriteError> {
    let pid = std::process::id();
    let staging = location.staging(pid);
    if let Err((step, error)) = stage(tree, &staging) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(WriteError::Staging { step, error });
    }
    let previous = match swap(&staging, &location.root(), &location.aside(pid)) {
        Ok(previous) => previous,
        Err(error) => {
            // Still the new tree, which will not be used.
            let _ = std::fs::remove_dir_all(&staging);
            return Err(error);
        }
    };
    // The swap is durable once the parent, which holds both names, is synced.
    let synced = failpoint("after-swap").and_then(|()| sync_dir(&location.parent));
    let note = previous.and_then(|previous| match std::fs::remove_dir_all(&previous) {
        Ok(()) => None,
        Err(e) => Some(format!(
            "could not remove the previous files, now in {} ({e}); the next regen removes them",
            previous.display()
        )),
    });
    synced.map_err(|error| WriteError::NotDurable {
        parent: location.parent.clone(),
        error,
    })?;
    Ok(note)
}

/// Writes every file of the tree under `staging` (a new directory) and syncs the files and
/// every directory, so that the tree is whole on disk before it becomes the output. The
/// error names the step.
fn stage(tree: &FileTree, staging: &Path) -> Result<(), (String, io::Error)> {
    let shown = staging.file_name().unwrap_or_default().to_string_lossy();
    std::fs::create_dir(staging).map_err(|e| (format!("creating {shown}"), e))?;
    let mut dirs = BTreeSet::from([staging.to_path_buf()]);
    for (i, (path, contents)) in tree.files.iter().enumerate() {
        let file = staging.join(path);
        let dir = file
            .parent()
            .expect("a file of the tree lives in a directory");
        let written = std::fs::create_dir_all(dir)
            .and_then(|()| write_synced(&file, contents.as_bytes()))
            .and_then(|()| match i {
                0 => failpoint("after-first-staged-file"),
                _ => Ok(()),
            });
        written.map_err(|e| (format!("writing the new {path}"), e))?;
        let new_dirs = dir.ancestors().take_while(|d| d.starts_with(staging));
        dirs.extend(new_dirs.map(Path::to_path_buf));
    }
    for dir in dirs.iter().rev() {
        sync_dir(dir).map_err(|e| (format!("syncing {}", dir.display()), e))?;
    }
    Ok(())
}

/// Puts the staged tree at `root`; returns where the previous tree is now (`None`: there
/// was none). An error leaves `root` as it was, except [`WriteError::Aside`].
fn swap(staging: &Path, root: &Path, aside: &Path) -> Result<Option<PathBuf>, WriteError> {
    let unchanged = |error| WriteError::Swap { error };
    failpoint("swap").map_err(unchanged)?;
    match root.symlink_metadata() {
        // Nothing to keep: one rename.
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return std::fs::rename(staging, root)
                .map(|()| None)
                .map_err(unchanged);
        }
        Err(e) => return Err(unchanged(e)),
        Ok(_) => {}
    }
    if exchange(staging, root).map_err(unchanged)? {
        return Ok(Some(staging.to_path_buf()));
    }
    std::fs::rename(root, aside).map_err(unchanged)?;
    // `root` is missing until the next rename (see the module docs).
    let moved = failpoint("between-renames").and_then(|()| std::fs::rename(staging, root));
    match moved {
        Ok(()) => Ok(Some(aside.to_path_buf())),
        Err(error) => match failpoint("restore").and_then(|()| std::fs::rename(aside, root)) {
            Ok(()) => Err(WriteError::Swap { error }),
            Err(restore) => Err(WriteError::Aside {
                aside: aside.to_path_buf(),
                error,
                restore,
            }),
        },
    }
}

/// Exchanges the two directories atomically; `Ok(false)` where the system or the
/// filesystem cannot (then the caller falls back to two renames).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    if failpoint("exchange").is_err() {
        return Ok(false);
    }
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        // EINVAL: the filesystem lacks the flag; ENOSYS: the kernel (or a sandbox) lacks
        // renameat2.
        Err(e) if e == Errno::INVAL || e == Errno::NOSYS || e == Errno::OPNOTSUPP => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<bool> {
    Ok(false)
}

/// Creates `path` and writes `bytes` to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
