//! Clean-up of dead runs, under the output lock and before anything else (`--check` too).
//! The swap keeps the directory one run's output, so what a killed run leaves is beside
//! it: a staging tree (new, or the previous one after the exchange) or, from the
//! two-rename fallback, the previous tree moved aside. If the directory is missing and a
//! dead run's aside tree is there, that run died between its renames: the tree is moved
//! back (the old output). Then every leftover of a dead run goes. A leftover whose pid
//! still runs is left alone: a writer that got past the lock, or a reused pid.

use super::process::runs;
use super::{sync_dir, Leftover, Location};
use std::io;
use std::path::PathBuf;

/// What [`recover`] found and did.
#[derive(Debug, Default)]
pub struct Recovery {
    /// The pid of a dead run whose aside tree was moved back into the missing directory.
    pub restored: Option<u32>,
    /// Leftovers of dead runs removed (names beside the directory).
    pub removed: Vec<String>,
    /// Leftovers of runs that still run, left alone (name, pid).
    pub kept: Vec<(String, u32)>,
    /// Leftovers that could not be removed, and why.
    pub failed: Vec<(String, io::Error)>,
}

impl Recovery {
    /// One line for the user, if anything happened.
    pub fn describe(&self, dir: &str) -> Option<String> {
        let mut parts = Vec::new();
        if let Some(pid) = self.restored {
            parts.push(format!(
                "put back the files of {dir} that pid {pid} had moved aside when it died"
            ));
        }
        if !self.removed.is_empty() {
            parts.push(format!(
                "removed what runs that died left beside {dir} ({})",
                self.removed.join(", ")
            ));
        }
        for (name, pid) in &self.kept {
            parts.push(format!("left {name} alone: pid {pid} still runs"));
        }
        for (name, error) in &self.failed {
            parts.push(format!(
                "could not remove {name} ({error}); the next regen tries again"
            ));
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }
}

/// Why [`recover`] could not bring the directory back to one run's output.
#[derive(Debug)]
pub enum RecoverError {
    /// The parent directory cannot be listed.
    List { parent: PathBuf, error: io::Error },
    /// The directory is missing and moving a dead run's aside tree back failed.
    Restore {
        pid: u32,
        aside: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for RecoverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RecoverError::List { parent, error } => {
                write!(f, "cannot list {}: {error}", parent.display())
            }
            RecoverError::Restore { pid, aside, error } => write!(
                f,
                "the directory is missing: pid {pid} moved it aside to {} and died, and \
                 moving it back failed ({error}); nothing was changed: move it back and rerun",
                aside.display()
            ),
        }
    }
}

/// Brings the directory at `location` back to one run's output and removes the leftovers
/// of dead runs beside it (hold [`super::lock`]).
pub fn recover(location: &Location) -> Result<Recovery, RecoverError> {
    let mut recovery = Recovery::default();
    let entries = std::fs::read_dir(&location.parent).map_err(|error| RecoverError::List {
        parent: location.parent.clone(),
        error,
    })?;
    let mut leftovers: Vec<(String, Leftover, u32)> = entries
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().into_string().ok()?;
            let (kind, pid) = location.leftover(&name)?;
            Some((name, kind, pid))
        })
        .collect();
    leftovers.sort_by(|a, b| a.0.cmp(&b.0));
    let root = location.root();
    let missing = matches!(root.symlink_metadata(), Err(e) if e.kind() == io::ErrorKind::NotFound);
    let dead_aside = leftovers
        .iter()
        .position(|(_, kind, pid)| *kind == Leftover::Aside && !runs(*pid));
    if let (true, Some(index)) = (missing, dead_aside) {
        let (name, _, pid) = leftovers.remove(index);
        let aside = location.parent.join(&name);
        std::fs::rename(&aside, &root).map_err(|error| RecoverError::Restore {
            pid,
            aside,
            error,
        })?;
        let _ = sync_dir(&location.parent);
        recovery.restored = Some(pid);
    }
    for (name, _, pid) in leftovers {
        if runs(pid) {
            recovery.kept.push((name, pid));
            continue;
        }
        let path = location.parent.join(&name);
        // A staging tree is a directory; anything else under such a name is removed too.
        let removed = match path.symlink_metadata() {
            Ok(metadata) if metadata.is_dir() => std::fs::remove_dir_all(&path),
            _ => std::fs::remove_file(&path),
        };
        match removed {
            Ok(()) => recovery.removed.push(name),
            Err(error) => recovery.failed.push((name, error)),
        }
    }
    Ok(recovery)
}
