//! Writing the generator's [`FileTree`] into the generated crate: compared with what is on
//! disk (`--check`), or written so that a failure before the final renames leaves the old
//! files untouched, with files the tree no longer has removed from the directories regen
//! owns.

use generator::FileTree;
use std::io;
use std::path::{Path, PathBuf};

/// The pending-renames journal of an update in progress.
pub const JOURNAL: &str = ".regen-journal";

/// One step of an update, once everything is staged.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// Move a staged file over its target.
    Rename { staged: PathBuf, target: PathBuf },
    /// Remove a file the tree no longer generates.
    Remove { path: PathBuf },
}

impl Step {
    fn journal_line(&self) -> String {
        match self {
            Step::Rename { staged, target } => {
                format!("rename\t{}\t{}\n", staged.display(), target.display())
            }
            Step::Remove { path } => format!("remove\t{}\n", path.display()),
        }
    }

    fn from_journal_line(line: &str) -> Option<Step> {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields.as_slice() {
            ["remove", path] => Some(Step::Remove { path: path.into() }),
            // Two fields: a journal written before removals existed.
            ["rename", staged, target] | [staged, target] => Some(Step::Rename {
                staged: staged.into(),
                target: target.into(),
            }),
            _ => None,
        }
    }

    /// Carries the step out; a step already done (the staged file gone, the removed file
    /// gone) is not an error, so recovery can replay a journal.
    fn run(&self) -> io::Result<()> {
        match self {
            Step::Rename { staged, target } => {
                if staged.exists() {
                    std::fs::rename(staged, target)?;
                }
                Ok(())
            }
            Step::Remove { path } => match std::fs::remove_file(path) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            },
        }
    }
}

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

/// Writes every file to a temporary sibling first; only when all are written are they
/// renamed into place (and files the tree no longer has removed). An error before the
/// renames leaves every old file untouched.
///
/// Between "all staged" and "all renamed" a journal (`.regen-journal` in `root`) lists the
/// pending steps; if the process dies there, the next run finishes them ([`recover`])
/// before anything else, so the old and new files never stay mixed.
pub fn write_atomically(tree: &FileTree, root: &Path) -> io::Result<()> {
    let mut steps: Vec<Step> = Vec::new();
    let result = (|| {
        for (path, contents) in &tree.files {
            let target = root.join(path);
            let dir = target
                .parent()
                .expect("generated files live in a directory");
            std::fs::create_dir_all(dir)?;
            let staged = dir.join(format!(
                ".{}.regen-{}",
                target.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            ));
            write_synced(&staged, contents.as_bytes())?;
            steps.push(Step::Rename { staged, target });
            failpoint("after-first-staged-file")?;
        }
        for path in leftovers(tree, root) {
            steps.push(Step::Remove {
                path: root.join(path),
            });
        }
        let journal: String = steps.iter().map(Step::journal_line).collect();
        write_synced(&root.join(JOURNAL), journal.as_bytes())
    })();
    if let Err(e) = result {
        for step in &steps {
            if let Step::Rename { staged, .. } = step {
                let _ = std::fs::remove_file(staged);
            }
        }
        return Err(e);
    }
    for (i, step) in steps.iter().enumerate() {
        step.run()?;
        if i == 0 {
            failpoint("after-first-rename")?;
        }
    }
    std::fs::remove_file(root.join(JOURNAL))
}

/// Finishes the steps of an interrupted [`write_atomically`]; returns whether there was one.
pub fn recover(root: &Path) -> io::Result<bool> {
    let journal = root.join(JOURNAL);
    let Ok(text) = std::fs::read_to_string(&journal) else {
        return Ok(false);
    };
    for step in text.lines().filter_map(Step::from_journal_line) {
        step.run()?;
    }
    std::fs::remove_file(journal)?;
    Ok(true)
}

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
