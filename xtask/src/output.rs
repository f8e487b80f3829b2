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
                std::fs::write(&temp, contents)?;
                staged.push((temp, target));
                failpoint("after-first-staged-file")?;
            }
            Ok(())
        })();
        if let Err(e) = result {
            for (temp, _) in &staged {
                let _ = std::fs::remove_file(temp);
            }
            return Err(e);
        }
        for (temp, target) in &staged {
            std::fs::rename(temp, target)?;
        }
        Ok(())
    }
}

/// Test hook: `HTTPSERV_RS_FAILPOINT=<name>` makes the named step fail.
fn failpoint(name: &str) -> io::Result<()> {
    if std::env::var("HTTPSERV_RS_FAILPOINT").as_deref() == Ok(name) {
        return Err(io::Error::other(format!("failpoint `{name}` triggered")));
    }
    Ok(())
}
