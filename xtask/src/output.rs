//! The set of files `regen` owns under `generated/`, compared with what is on disk
//! (`--check`) or written so that a failure leaves the old files untouched.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Relative path (with `/`) → contents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileSet {
    pub files: BTreeMap<String, String>,
}

impl FileSet {
    /// Paths whose contents on disk under `root` differ from ours (or are missing).
    pub fn stale(&self, root: &Path) -> Vec<String> {
        self.files
            .iter()
            .filter(|(path, contents)| {
                std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(contents.as_str())
            })
            .map(|(path, _)| path.clone())
            .collect()
    }

    /// Writes every file to a temporary sibling first; only when all are written are they
    /// renamed into place. An error before the renames leaves every old file untouched.
    ///
    /// Between "all staged" and "all renamed" a journal (`.regen-journal` in `root`) lists
    /// the pending renames; if the process dies there, the next run finishes them
    /// ([`FileSet::recover`]) before anything else, so the old and new files never stay mixed.
    pub fn write_atomically(&self, root: &Path) -> io::Result<()> {
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        let result = (|| {
            for (path, contents) in &self.files {
                let target = root.join(path);
                let dir = target
                    .parent()
                    .expect("generated files live in a directory");
                std::fs::create_dir_all(dir)?;
                let temp = dir.join(format!(
                    ".{}.regen-{}",
                    target.file_name().unwrap_or_default().to_string_lossy(),
                    std::process::id()
                ));
                write_synced(&temp, contents.as_bytes())?;
                staged.push((temp, target));
                failpoint("after-first-staged-file")?;
            }
            let journal: String = staged
                .iter()
                .map(|(temp, target)| format!("{}\t{}\n", temp.display(), target.display()))
                .collect();
            write_synced(&root.join(JOURNAL), journal.as_bytes())
        })();
        if let Err(e) = result {
            for (temp, _) in &staged {
                let _ = std::fs::remove_file(temp);
            }
            return Err(e);
        }
        for (i, (temp, target)) in staged.iter().enumerate() {
            std::fs::rename(temp, target)?;
            if i == 0 {
                failpoint("after-first-rename")?;
            }
        }
        std::fs::remove_file(root.join(JOURNAL))
    }

    /// Finishes the renames of an interrupted [`FileSet::write_atomically`]; returns whether
    /// there was one.
    pub fn recover(root: &Path) -> io::Result<bool> {
        let journal = root.join(JOURNAL);
        let Ok(text) = std::fs::read_to_string(&journal) else {
            return Ok(false);
        };
        for line in text.lines() {
            let Some((temp, target)) = line.split_once('\t') else {
                continue;
            };
            if Path::new(temp).exists() {
                std::fs::rename(temp, target)?;
            }
        }
        std::fs::remove_file(journal)?;
        Ok(true)
    }
}

/// The pending-renames journal of an update in progress.
pub const JOURNAL: &str = ".regen-journal";

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Test hook: `HTTPSERV_RS_FAILPOINT=<name>` makes the named step fail.
fn failpoint(name: &str) -> io::Result<()> {
    if std::env::var("HTTPSERV_RS_FAILPOINT").as_deref() == Ok(name) {
        return Err(io::Error::other(format!("failpoint `{name}` triggered")));
    }
    Ok(())
}
