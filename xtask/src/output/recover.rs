//! Recovery, under the output lock and before anything else: the journal of a run that died
//! mid-update is followed to all-new (if it was finishing and still can) or all-old, a
//! journal whose writer still runs is left alone, and staging and backup files of dead
//! runs are removed.

use super::journal::{sibling_pid, Direction, Entry, Journal, JOURNAL};
use super::process::Owner;
use super::{complete, directories, undo};
use generator::FileTree;
use std::io;
use std::path::Path;

/// What [`recover`] found and did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Recovery {
    /// The journal of a dead run, and what became of it.
    pub journal: Option<(Owner, Recovered)>,
    /// Staging and backup files of dead runs removed.
    pub orphans_removed: usize,
}

#[derive(Debug, PartialEq, Eq)]
pub enum Recovered {
    /// Carried out: every file is the dead run's new one.
    Finished,
    /// Undone (it had started undoing, or finishing it failed with this error): every
    /// file is as before that run.
    Undone { finishing_failed: Option<String> },
}

impl Recovery {
    /// One line for the user, if anything happened.
    pub fn describe(&self, dir: &str) -> Option<String> {
        let mut parts = Vec::new();
        match &self.journal {
            Some((owner, Recovered::Finished)) => parts.push(format!(
                "finished the interrupted update of {dir} (by pid {}) first",
                owner.pid
            )),
            Some((owner, Recovered::Undone { finishing_failed })) => parts.push(format!(
                "undid the interrupted update of {dir} (by pid {}){}: every file is as \
                 before it",
                owner.pid,
                finishing_failed
                    .as_ref()
                    .map(|e| format!(" because finishing it failed ({e})"))
                    .unwrap_or_default()
            )),
            None => {}
        }
        if self.orphans_removed > 0 {
            parts.push(format!(
                "removed {} staging file(s) left in {dir} by runs that died",
                self.orphans_removed
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Why [`recover`] could not bring the directory to one run's files.
#[derive(Debug)]
pub enum RecoverError {
    /// The journal's owner still runs (it is writing, without the lock).
    OwnerRunning {
        pid: u32,
    },
    /// The journal cannot be read or trusted.
    Unreadable {
        reason: String,
    },
    /// Neither finishing nor undoing the update worked for these files.
    Stuck {
        owner: u32,
        stuck: Vec<(String, io::Error)>,
    },
    Io(io::Error),
}

impl std::fmt::Display for RecoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecoverError::OwnerRunning { pid } => write!(
                f,
                "{JOURNAL} belongs to pid {pid}, which is still running and may be in the \
                 middle of replacing these files; nothing was changed. Let it finish (or stop \
                 it) and rerun"
            ),
            RecoverError::Unreadable { reason } => write!(
                f,
                "{JOURNAL} is not a journal regen can follow ({reason}); nothing was changed, \
                 and the files may be a mix of two runs: compare them with version control, \
                 then delete {JOURNAL} and rerun"
            ),
            RecoverError::Stuck { owner, stuck } => {
                write!(
                    f,
                    "the interrupted update by pid {owner} can be neither finished nor undone; \
                     the directory is a mix: "
                )?;
                for (i, (path, error)) in stuck.iter().enumerate() {
                    let separator = if i == 0 { "" } else { ", " };
                    write!(f, "{separator}{path} is not the old file ({error})")?;
                }
                write!(
                    f,
                    "; every other file is as before that update. Fix the cause and rerun"
                )
            }
            RecoverError::Io(error) => write!(f, "{error}"),
        }
    }
}

/// Brings `root` back to one run's files before this run touches it (hold [`super::lock`]):
/// follows the journal of a run that died mid-update (to all-new if it was finishing and
/// can be, else to all-old), then removes staging and backup files of dead runs from the
/// directories `tree` writes.
pub fn recover(tree: &FileTree, root: &Path) -> Result<Recovery, RecoverError> {
    let mut recovery = Recovery::default();
    if !root.exists() {
        return Ok(recovery);
    }
    let root = std::fs::canonicalize(root).map_err(RecoverError::Io)?;
    let journal = Journal::read(&root).map_err(|reason| RecoverError::Unreadable { reason })?;
    if let Some(journal) = journal {
        if journal.owner.is_running() {
            return Err(RecoverError::OwnerRunning {
                pid: journal.owner.pid,
            });
        }
        // Finish what was finishing, if every step still works; otherwise (or if it was
        // already undoing) undo, recording the direction first so a kill mid-undo is
        // continued as an undo.
        let finishing_failed = match journal.direction {
            Direction::Finish => match journal.entries.iter().try_for_each(Entry::forward) {
                Ok(()) => None,
                Err(error) => {
                    Journal::mark_undo(&root).map_err(RecoverError::Io)?;
                    Some(error.to_string())
                }
            },
            Direction::Undo => None,
        };
        let outcome = if journal.direction == Direction::Finish && finishing_failed.is_none() {
            complete(&journal);
            Recovered::Finished
        } else {
            let stuck = undo(&journal);
            if !stuck.is_empty() {
                return Err(RecoverError::Stuck {
                    owner: journal.owner.pid,
                    stuck,
                });
            }
            std::fs::remove_file(Journal::path(&root)).map_err(RecoverError::Io)?;
            Recovered::Undone { finishing_failed }
        };
        recovery.journal = Some((journal.owner, outcome));
    }
    recovery.orphans_removed = remove_orphans(tree, &root);
    Ok(recovery)
}

/// Removes `.NAME.regen-PID` and `.NAME.regen-backup-PID` files whose process is gone
/// from the directories the tree writes; returns how many.
fn remove_orphans(tree: &FileTree, root: &Path) -> usize {
    let mut removed = 0;
    for dir in directories(tree, root) {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Some(pid) = sibling_pid(&name) else {
                continue;
            };
            let owner = Owner { pid, started: None };
            let is_file = entry.file_type().is_ok_and(|t| !t.is_dir());
            if is_file && !owner.is_running() && std::fs::remove_file(entry.path()).is_ok() {
                removed += 1;
            }
        }
    }
    removed
}
