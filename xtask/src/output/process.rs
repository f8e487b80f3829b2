//! Whether the process whose pid names a leftover beside the output directory still runs,
//! and the test hooks that fail, stop or kill this process at a chosen step of a write, as
//! a failing disk or `kill -9` would.

use std::io;

/// Whether `pid` is a running process other than this one. This process never owns a
/// leftover it finds: it makes its own staging directory only after the lock and the
/// clean-up, so its own pid there is a dead run's, reused (or a thread of an in-process
/// caller that panicked).
pub fn runs(pid: u32) -> bool {
    pid != std::process::id() && pid_runs(pid)
}

/// Linux: a `/proc` entry that is not a zombie (a zombie has finished; it only waits for
/// its parent to read its status).
#[cfg(target_os = "linux")]
fn pid_runs(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) state …`: comm may hold spaces and parentheses, so the state is read
    // after the last `)`.
    let state = stat
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next());
    !matches!(state, None | Some("Z" | "X"))
}

#[cfg(all(unix, not(target_os = "linux")))]
fn pid_runs(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    match rustix::process::test_kill_process(pid) {
        Ok(()) => true,
        // It exists, and belongs to someone else.
        Err(e) => e == rustix::io::Errno::PERM,
    }
}

/// Windows: not checked. The output lock already keeps a second writer out while the
/// first runs, so a leftover found under it is a dead run's.
#[cfg(windows)]
fn pid_runs(_pid: u32) -> bool {
    false
}

/// Test hook: `HTTPSERV_RS_FAILPOINT` holds comma-separated points. A bare `<point>`
/// makes the step named `point` fail with an I/O error; `kill-<point>` kills this process
/// there with SIGKILL (no clean-up runs, as with `kill -9`), and `stop-<point>` stops it
/// there with SIGSTOP (it keeps its lock until continued or killed). Unset, it costs one
/// environment lookup.
pub fn failpoint(point: &str) -> io::Result<()> {
    let Ok(chosen) = std::env::var("HTTPSERV_RS_FAILPOINT") else {
        return Ok(());
    };
    for chosen in chosen.split(',') {
        if chosen == point {
            return Err(io::Error::other(format!("failpoint `{point}` triggered")));
        }
        #[cfg(unix)]
        {
            use rustix::process::{getpid, kill_process, Signal};
            let signal = match chosen.split_once('-') {
                Some(("kill", rest)) if rest == point => Some(Signal::KILL),
                Some(("stop", rest)) if rest == point => Some(Signal::STOP),
                _ => None,
            };
            if let Some(signal) = signal {
                kill_process(getpid(), signal)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_does_not_run_for_itself_but_its_parent_runs() {
        assert!(
            !runs(std::process::id()),
            "our own pid on disk is a reused one"
        );
        #[cfg(unix)]
        assert!(runs(std::os::unix::process::parent_id()));
    }

    #[cfg(unix)]
    #[test]
    fn a_finished_process_does_not_run() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        assert!(!runs(pid));
    }
}
