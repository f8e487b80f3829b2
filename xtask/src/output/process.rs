//! Which process owns a journal or a staging file, and whether it still runs: the pid, and
//! on Linux the process's start time too, so that a pid reused by an unrelated process is
//! not mistaken for the writer. Also the test hooks that stop or kill this process at a
//! chosen step, as `kill -9` would.

/// A process as a journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub pid: u32,
    /// Clock ticks after boot at which the process started (Linux's `/proc/PID/stat`
    /// field 22); `None` where unknown.
    pub started: Option<u64>,
}

impl Owner {
    /// This process.
    pub fn current() -> Owner {
        let pid = std::process::id();
        Owner {
            pid,
            started: start_time(pid).map(|(_, started)| started),
        }
    }

    /// Whether the process still runs, as another process than this one: this process is
    /// never the owner of what it finds on disk before writing, so its own pid there is a
    /// dead process's that was reused.
    pub fn is_running(&self) -> bool {
        self.pid != std::process::id() && pid_runs(self.pid, self.started)
    }
}

/// Whether `pid` runs (and, when `started` is known, is the process that started then).
#[cfg(target_os = "linux")]
fn pid_runs(pid: u32, started: Option<u64>) -> bool {
    match start_time(pid) {
        // A zombie has finished; it only waits for its parent to read its status.
        Some((state, now)) => state != 'Z' && state != 'X' && started.is_none_or(|s| s == now),
        None => false,
    }
}

#[cfg(all(unix, not(target_os = "linux")))]
fn pid_runs(pid: u32, _started: Option<u64>) -> bool {
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
/// first runs, so an owner found on disk is a dead one.
#[cfg(windows)]
fn pid_runs(_pid: u32, _started: Option<u64>) -> bool {
    false
}

/// The state letter and start time of `pid`, from `/proc/PID/stat`.
#[cfg(target_os = "linux")]
fn start_time(pid: u32) -> Option<(char, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so the fields are
    // counted from the last `)`. State is field 3, start time field 22.
    let (_, fields) = stat.rsplit_once(')')?;
    let mut fields = fields.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let started = fields.nth(18)?.parse().ok()?;
    Some((state, started))
}

#[cfg(not(target_os = "linux"))]
fn start_time(_pid: u32) -> Option<(char, u64)> {
    None
}

/// Test hook: `HTTPSERV_RS_FAILPOINT=<point>` makes the step named `point` fail with an
/// I/O error; `kill-<point>` kills this process there with SIGKILL (as `kill -9` would:
/// no cleanup runs), and `stop-<point>` stops it there with SIGSTOP (it keeps its lock
/// and journal until continued or killed). Unset, it costs one environment lookup.
pub fn failpoint(point: &str) -> std::io::Result<()> {
    let Ok(chosen) = std::env::var("HTTPSERV_RS_FAILPOINT") else {
        return Ok(());
    };
    if chosen == point {
        return Err(std::io::Error::other(format!(
            "failpoint `{point}` triggered"
        )));
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_not_a_running_owner_but_its_parent_is() {
        let me = Owner::current();
        assert_eq!(me.pid, std::process::id());
        assert!(!me.is_running(), "our own pid on disk is a reused one");
        #[cfg(target_os = "linux")]
        {
            assert!(me.started.is_some());
            let parent = std::os::unix::process::parent_id();
            let parent_owner = Owner {
                pid: parent,
                started: start_time(parent).map(|(_, s)| s),
            };
            assert!(parent_owner.is_running());
            // Same pid, another start time: a reused pid, not the owner.
            let reused = Owner {
                started: parent_owner.started.map(|s| s + 1),
                ..parent_owner
            };
            assert!(!reused.is_running());
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_finished_process_is_not_running() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let gone = Owner { pid, started: None };
        assert!(!gone.is_running());
    }
}
