//! Writing the generator's [`FileTree`] into the generated crate: compared with what is on
//! disk (`--check`), or written all-or-nothing — after the update every file is the new
//! one, or every file is the old one, whatever fails and whenever the process dies.
//!
//! - [`lock`] keeps one regen at a time in a directory (`lock.rs`).
//! - [`write_atomically`] stages every file beside its target, writes a journal
//!   (`journal.rs`), replaces the targets keeping the old files as backups, and removes
//!   the backups only once every file is in place. A failed step puts every replaced file
//!   back, and the error says which state the directory is in.
//! - [`recover`] (`recover.rs`; under the lock, before anything else) carries out or undoes
//!   the journal of a run that died, and removes the staging files dead runs left behind.

mod journal;
mod lock;
mod process;
mod recover;

pub use journal::JOURNAL;
pub use lock::{describe_holder, lock, lock_wait, LockError, OutputLock, LOCK};
pub use process::Owner;
pub use recover::{recover, RecoverError, Recovered, Recovery};

use generator::FileTree;
use journal::{sibling, Direction, Entry, Journal};
use process::failpoint;
use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

/// Paths (relative, with `/`) under `root` whose contents differ from the tree's or that
/// the tree no longer generates.
pub fn stale(tree: &FileTree, root: &Path) -> Vec<String> {
    let mut stale: Vec<String> = tree
        .files
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(contents.as_str())
        })
        .map(|(path, _)| path.clone())
        .collect();
    stale.extend(leftovers(tree, root));
    stale.sort();
    stale
}

/// Files in the tree's owned directories that the tree does not have (relative, with `/`).
fn leftovers(tree: &FileTree, root: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for dir in &tree.owned_dirs {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let relative = format!("{dir}/{name}");
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file && !name.starts_with('.') && !tree.files.contains_key(&relative) {
                found.push(relative);
            }
        }
    }
    found
}

/// Why [`write_atomically`] failed, and so what state the directory is in.
#[derive(Debug)]
pub enum WriteError {
    /// Before the first replacement (creating a directory, writing or syncing a staged
    /// file, the journal): nothing was replaced, the staged files are gone.
    Staging { error: io::Error },
    /// Replacing `failed` failed; the `replaced` files already replaced were put back.
    RolledBack {
        failed: String,
        error: io::Error,
        replaced: usize,
    },
    /// Replacing `failed` failed, and the journal could not be turned to "undo", so nothing
    /// was put back (undoing unrecorded, a kill midway would leave a mix the journal no
    /// longer describes); the next run finishes the update from the journal.
    Unrecorded {
        failed: String,
        error: io::Error,
        journal_error: io::Error,
    },
    /// Replacing `failed` failed, and some files could not be put back either.
    Mixed {
        failed: String,
        error: io::Error,
        /// The files left new (or missing), with why each could not be put back.
        stuck: Vec<(String, io::Error)>,
    },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Staging { error } => write!(
                f,
                "writing the new files failed before any was replaced ({error}); every \
                 file is as before this run"
            ),
            WriteError::RolledBack {
                failed,
                error,
                replaced,
            } => {
                write!(f, "replacing {failed} failed ({error}); ")?;
                match replaced {
                    0 => write!(f, "nothing had been replaced yet")?,
                    n => write!(f, "the {n} file(s) already replaced were put back")?,
                }
                write!(f, ": every file is as before this run")
            }
            WriteError::Unrecorded {
                failed,
                error,
                journal_error,
            } => write!(
                f,
                "replacing {failed} failed ({error}), and {JOURNAL} could not be switched to \
                 undo ({journal_error}), so nothing was put back: the directory is a mix of old \
                 and new files until the next regen, which finishes this update from {JOURNAL}"
            ),
            WriteError::Mixed {
                failed,
                error,
                stuck,
            } => {
                write!(
                    f,
                    "replacing {failed} failed ({error}), and putting the old files back failed \
                     too; the directory is a mix: "
                )?;
                for (i, (path, error)) in stuck.iter().enumerate() {
                    let separator = if i == 0 { "" } else { ", " };
                    write!(f, "{separator}{path} is not the old file ({error})")?;
                }
                write!(
                    f,
                    "; every other file is as before. {JOURNAL} records the update: fix the \
                     cause and rerun regen, which first finishes putting the old files back"
                )
            }
        }
    }
}

/// Writes the tree into `root` all-or-nothing. Hold [`lock`] on `root` and run
/// [`recover`] first.
///
/// Every file is staged (written and synced) beside its target as `.NAME.regen-PID`;
/// a failure there removes what was staged, the partly written file included. Then a
/// journal lists every replacement and removal, and they are carried out in order, each
/// old file kept as `.NAME.regen-backup-PID`. If one fails, the journal turns to "undo"
/// and every replaced or removed file is put back. Only when all are done do the backups
/// and the journal go. A process killed anywhere in between leaves the journal, which the
/// next run's [`recover`] follows to all-new or all-old.
pub fn write_atomically(tree: &FileTree, root: &Path) -> Result<(), WriteError> {
    let owner = Owner::current();
    let mut staged: Vec<PathBuf> = Vec::new();
    let prepared = stage(tree, root, owner, &mut staged);
    let journal = match prepared {
        Ok(journal) => journal,
        Err(error) => {
            for path in &staged {
                let _ = std::fs::remove_file(path);
            }
            return Err(WriteError::Staging { error });
        }
    };
    let shown = |entry: &Entry| relative(&journal.root, entry.target());
    for (done, entry) in journal.entries.iter().enumerate() {
        let step = if done == 1 {
            failpoint("after-first-rename")
        } else {
            Ok(())
        };
        let step = step.and_then(|()| entry.forward());
        if let Err(error) = step {
            let failed = shown(entry);
            if let Err(journal_error) = Journal::mark_undo(&journal.root) {
                return Err(WriteError::Unrecorded {
                    failed,
                    error,
                    journal_error,
                });
            }
            let stuck = undo(&journal);
            return Err(if stuck.is_empty() {
                let _ = std::fs::remove_file(Journal::path(&journal.root));
                WriteError::RolledBack {
                    failed,
                    error,
                    replaced: done,
                }
            } else {
                WriteError::Mixed {
                    failed,
                    error,
                    stuck,
                }
            });
        }
    }
    complete(&journal);
    Ok(())
}

/// Stages every file (recording each path in `staged` before writing it) and writes the
/// journal of the update.
fn stage(
    tree: &FileTree,
    root: &Path,
    owner: Owner,
    staged: &mut Vec<PathBuf>,
) -> io::Result<Journal> {
    std::fs::create_dir_all(root)?;
    // Absolute and canonical, so the journal means the same from any working directory.
    let root = std::fs::canonicalize(root)?;
    let mut entries = Vec::new();
    for (path, contents) in &tree.files {
        let target = root.join(path);
        let dir = target
            .parent()
            .expect("generated files live in a directory");
        std::fs::create_dir_all(dir)?;
        let staged_path = sibling(&target, "regen", owner.pid);
        staged.push(staged_path.clone());
        write_synced(&staged_path, contents.as_bytes())?;
        failpoint("after-first-staged-file")?;
        // A directory in the way is not an old file to keep: the rename onto it fails,
        // and the update is undone.
        let had_old = match target.symlink_metadata() {
            Ok(metadata) => !metadata.is_dir(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e),
        };
        entries.push(Entry::Replace {
            staged: staged_path,
            backup: sibling(&target, "regen-backup", owner.pid),
            target,
            had_old,
        });
    }
    for path in leftovers(tree, &root) {
        let path = root.join(path);
        entries.push(Entry::Remove {
            backup: sibling(&path, "regen-backup", owner.pid),
            path,
        });
    }
    for dir in directories(tree, &root) {
        sync_dir(&dir)?;
    }
    let journal = Journal {
        owner,
        direction: Direction::Finish,
        root,
        entries,
    };
    journal.create(&journal.root)?;
    Ok(journal)
}

/// Puts back every entry (last first), going on past failures; returns the files that
/// could not be put back.
fn undo(journal: &Journal) -> Vec<(String, io::Error)> {
    let mut stuck = Vec::new();
    for (undone, entry) in journal.entries.iter().rev().enumerate() {
        if let Err(error) = entry.rollback() {
            stuck.push((relative(&journal.root, entry.target()), error));
        }
        if undone == 0 {
            let _ = failpoint("after-first-restore");
        }
    }
    stuck
}

/// After every entry is in place: sync, then drop the backups and the journal.
fn complete(journal: &Journal) {
    let dirs: BTreeSet<&Path> = journal
        .entries
        .iter()
        .filter_map(|e| e.target().parent())
        .collect();
    for dir in dirs {
        let _ = sync_dir(dir);
    }
    for entry in &journal.entries {
        entry.commit();
    }
    let _ = std::fs::remove_file(Journal::path(&journal.root));
    let _ = sync_dir(&journal.root);
}

/// `root` and every directory the tree writes or owns.
fn directories(tree: &FileTree, root: &Path) -> BTreeSet<PathBuf> {
    let mut dirs: BTreeSet<PathBuf> = tree
        .files
        .keys()
        .filter_map(|path| root.join(path).parent().map(Path::to_path_buf))
        .collect();
    dirs.extend(tree.owned_dirs.iter().map(|dir| root.join(dir)));
    dirs.insert(root.to_path_buf());
    dirs
}

/// `path` relative to `root`, with `/`.
fn relative(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Creates (or truncates) `path` and writes `bytes` to disk.
fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Makes renames and new names in `dir` durable (Unix; a no-op elsewhere).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}
