//! Writing the generator's [`FileTree`] as the whole of the output directory: compared with
//! what is on disk (`--check`), or written all-or-nothing. Regen owns the directory
//! entirely, so a write builds the complete new tree beside it and swaps the two
//! directories in one step: whatever fails and whenever the process dies, the directory
//! is one run's output, old or new.
//!
//! - [`Location`] (here) is the directory by its parent and name, and the names regen
//!   uses beside it, all `.NAME.regen-…`: the lock, staging trees, trees moved aside.
//! - [`lock`] keeps one regen at a time on a directory (`lock.rs`).
//! - [`recover`] (`recover.rs`; under the lock, before anything else) puts back a
//!   directory a dead run had moved aside and removes what dead runs left beside it.
//! - [`write_atomically`] (`write.rs`) stages, syncs and swaps; its error says which
//!   state the directory is in.
//! - `process.rs`: whether a leftover's pid still runs, and the tests' failpoints.

mod lock;
mod process;
mod recover;
mod write;

pub use lock::{describe_holder, lock, lock_wait, LockError, OutputLock};
pub use recover::{recover, RecoverError, Recovery};
pub use write::{write_atomically, WriteError};

use generator::FileTree;
use std::io;
use std::path::{Path, PathBuf};

/// The output directory as regen writes it: its parent (canonical) and its name. Every
/// name regen uses beside it starts with `.NAME.regen-`, so one ignore pattern covers
/// them and nothing of anyone else's is taken for a leftover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub parent: PathBuf,
    pub name: String,
}

/// What a name beside the directory is, for a leftover of run `pid`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leftover {
    /// `.NAME.regen-PID`: a staging tree (before the swap: new, perhaps partial; after the
    /// exchange: the previous tree, still to be removed).
    Staging,
    /// `.NAME.regen-old-PID`: the previous tree, moved aside by the two-rename fallback.
    Aside,
}

impl Location {
    /// Where `out` is written. Spellings of one directory (relative, through `..` or a
    /// symbolic link) give one location, so they share one lock. `None` when the parent
    /// does not exist and `create` is false: there is nothing to lock or clean up there
    /// (`--check` must not create it). An `out` that exists and is not a directory is an
    /// error: swapping it would replace someone's file.
    pub fn resolve(out: &Path, create: bool) -> io::Result<Option<Location>> {
        let (parent, name) = match std::fs::canonicalize(out) {
            Ok(path) => {
                if !path.is_dir() {
                    return Err(invalid(format!("{} is not a directory", out.display())));
                }
                let name = path.file_name().map(|n| n.to_os_string());
                let parent = path.parent().map(Path::to_path_buf);
                match (parent, name) {
                    (Some(parent), Some(name)) => (parent, name),
                    _ => return Err(invalid(format!("{} has no parent", out.display()))),
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let name = out.file_name().ok_or_else(|| {
                    invalid(format!("{} does not name a directory", out.display()))
                })?;
                let parent = match out.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                if create {
                    std::fs::create_dir_all(parent)?;
                }
                match std::fs::canonicalize(parent) {
                    Ok(parent) => (parent, name.to_os_string()),
                    Err(e) if e.kind() == io::ErrorKind::NotFound && !create => return Ok(None),
                    Err(e) => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        // The names beside it are built from this one, and found again by it.
        let name = name.into_string().map_err(|name| {
            invalid(format!(
                "{}: regen names its lock and staging directory after the output directory, \
                 so that name must be UTF-8",
                name.to_string_lossy()
            ))
        })?;
        Ok(Some(Location { parent, name }))
    }

    /// The output directory itself.
    pub fn root(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    /// The lock file: beside the directory, since the directory itself is swapped away.
    pub fn lock_path(&self) -> PathBuf {
        self.beside("lock")
    }

    /// Where run `pid` builds its new tree.
    pub fn staging(&self, pid: u32) -> PathBuf {
        self.beside(&pid.to_string())
    }

    /// Where the two-rename fallback of run `pid` moves the previous tree.
    pub fn aside(&self, pid: u32) -> PathBuf {
        self.beside(&format!("old-{pid}"))
    }

    /// `.NAME.regen-TAIL` in the parent.
    fn beside(&self, tail: &str) -> PathBuf {
        self.parent.join(format!(".{}.regen-{tail}", self.name))
    }

    /// Which leftover `file_name` (an entry of the parent) is, and whose; `None` for any
    /// name regen does not make, the lock included.
    pub fn leftover(&self, file_name: &str) -> Option<(Leftover, u32)> {
        let tail = file_name
            .strip_prefix('.')?
            .strip_prefix(self.name.as_str())?
            .strip_prefix(".regen-")?;
        let (kind, digits) = match tail.strip_prefix("old-") {
            Some(digits) => (Leftover::Aside, digits),
            None => (Leftover::Staging, tail),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        Some((kind, digits.parse().ok()?))
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

/// Paths (relative, with `/`) under `root` that differ from the tree: its files whose
/// contents differ or that are missing (or are something else than a file), and anything
/// there that the tree does not have — a hand-written file, a hidden one, a directory
/// (shown as `dir/`) — since the next write replaces the whole directory.
pub fn stale(tree: &FileTree, root: &Path) -> Vec<String> {
    let mut stale: Vec<String> = tree
        .files
        .iter()
        .filter(|(path, contents)| {
            std::fs::read_to_string(root.join(path)).ok().as_deref() != Some(contents.as_str())
        })
        .map(|(path, _)| path.clone())
        .collect();
    extra(tree, root, "", &mut stale);
    stale.sort();
    stale.dedup();
    stale
}

/// Adds the entries of `dir` (`prefix` relative to the root) that the tree does not have,
/// going down only into directories that hold some of the tree's files.
fn extra(tree: &FileTree, dir: &Path, prefix: &str, found: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let relative = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if tree.files.contains_key(&relative) {
            continue; // compared by contents above
        }
        let subdirectory = format!("{relative}/");
        // Not following a symbolic link: a link to a directory is not the tree's.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let holds_tree_files = tree
            .files
            .range(subdirectory.clone()..)
            .next()
            .is_some_and(|(path, _)| path.starts_with(&subdirectory));
        if is_dir && holds_tree_files {
            extra(tree, &entry.path(), &subdirectory, found);
        } else if is_dir {
            found.push(subdirectory);
        } else {
            found.push(relative);
        }
    }
}

/// Makes new names in `dir` (and renames there) durable (Unix; a no-op elsewhere).
fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_beside_the_directory_carry_the_pid() {
        let location = Location {
            parent: PathBuf::from("/w"),
            name: "generated".into(),
        };
        assert_eq!(location.root(), Path::new("/w/generated"));
        assert_eq!(location.lock_path(), Path::new("/w/.generated.regen-lock"));
        assert_eq!(location.staging(12), Path::new("/w/.generated.regen-12"));
        assert_eq!(location.aside(12), Path::new("/w/.generated.regen-old-12"));
        assert_eq!(
            location.leftover(".generated.regen-12"),
            Some((Leftover::Staging, 12))
        );
        assert_eq!(
            location.leftover(".generated.regen-old-7"),
            Some((Leftover::Aside, 7))
        );
        for not_ours in [
            ".generated.regen-lock",
            ".generated.regen-",
            ".generated.regen-old-",
            ".generated.regen-1a",
            "generated.regen-1",
            ".other.regen-1",
            ".generated2.regen-1",
            ".abi.json.regen-1",
        ] {
            assert_eq!(location.leftover(not_ours), None, "{not_ours}");
        }
    }

    #[test]
    fn stale_reports_anything_the_tree_does_not_have() {
        let root = std::env::temp_dir().join(format!("httpserv-rs-stale-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("src/notes")).unwrap();
        std::fs::create_dir_all(root.join("extra/deep")).unwrap();
        std::fs::write(root.join("src/lib.rs"), "same").unwrap();
        std::fs::write(root.join("src/hand.rs"), "mine").unwrap();
        std::fs::write(root.join(".hidden"), "").unwrap();
        std::fs::write(root.join("extra/deep/x"), "").unwrap();
        let tree = FileTree {
            files: [("src/lib.rs", "same"), ("Cargo.toml", "[package]")]
                .into_iter()
                .map(|(p, c)| (p.to_string(), c.to_string()))
                .collect(),
        };
        assert_eq!(
            stale(&tree, &root),
            [
                ".hidden",
                "Cargo.toml",
                "extra/",
                "src/hand.rs",
                "src/notes/"
            ]
        );
        let _ = std::fs::remove_dir_all(root);
    }
}
