//! The journal of one update of the output directory: which staged file replaces which
//! target (and under which name the old file is kept meanwhile), which files go, who is
//! writing, and in which direction the update is going.
//!
//! It is written, complete and synced, before the first rename and removed after the last
//! backup is gone, so whenever it exists the directory can be brought to all-new
//! ([`Entry::forward`] on every entry) or all-old ([`Entry::rollback`]) from it. Both steps
//! are idempotent: they look at which of the staged, target and backup files exist, so a
//! run killed halfway through either can be continued by the next one. The direction is
//! a fixed-width word rewritten in place (`finish` → `undo  `), so turning an update back
//! needs no new disk space.
//!
//! Paths are absolute (a journal written with a relative `--out` reads the same from any
//! working directory), with `\`, tab and newline escaped; one entry per line.

use super::process::Owner;
use std::io::{self, Seek, Write};
use std::path::{Component, Path, PathBuf};

/// The journal file, in the output directory.
pub const JOURNAL: &str = ".regen-journal";

const MAGIC: &str = "httpserv-rs regen journal 2";

/// Where an interrupted update is headed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Every file staged: the update goes on to all-new.
    Finish,
    /// A step failed: the update goes back to all-old.
    Undo,
}

impl Direction {
    /// Both words have the same width, so the journal can be rewritten in place.
    fn word(self) -> &'static str {
        match self {
            Direction::Finish => "finish",
            Direction::Undo => "undo  ",
        }
    }
}

/// One file of the update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// `staged` replaces `target`; a previous `target` (`had_old`) is kept as `backup`
    /// until the update is complete.
    Replace {
        staged: PathBuf,
        target: PathBuf,
        backup: PathBuf,
        had_old: bool,
    },
    /// `path`, no longer generated, goes; it is moved to `backup` until the end.
    Remove { path: PathBuf, backup: PathBuf },
}

/// A whole journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Journal {
    pub owner: Owner,
    pub direction: Direction,
    /// The output directory, absolute and canonical.
    pub root: PathBuf,
    pub entries: Vec<Entry>,
}

/// The staging (`kind` "regen") or backup ("regen-backup") name of `target` for `pid`:
/// `.abi.json.regen-1234` beside `abi.json`. Hidden, so never taken for a generated file.
pub fn sibling(target: &Path, kind: &str, pid: u32) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.{kind}-{pid}"))
}

/// The pid in a staging, backup or journal-temporary file name ([`sibling`]), if the name
/// is one.
pub fn sibling_pid(name: &str) -> Option<u32> {
    let (base, tail) = name.rsplit_once(".regen-")?;
    let digits = tail.strip_prefix("backup-").unwrap_or(tail);
    let all_digits = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    (name.starts_with('.') && !base.is_empty() && all_digits)
        .then(|| digits.parse().ok())
        .flatten()
}

fn exists(path: &Path) -> bool {
    path.symlink_metadata().is_ok()
}

fn remove_if_present(path: &Path) -> io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

impl Entry {
    /// The generated file this entry is about.
    pub fn target(&self) -> &Path {
        match self {
            Entry::Replace { target, .. } => target,
            Entry::Remove { path, .. } => path,
        }
    }

    /// Carries the entry out, from whatever point an earlier attempt reached.
    pub fn forward(&self) -> io::Result<()> {
        match self {
            Entry::Replace {
                staged,
                target,
                backup,
                had_old,
            } => {
                if !exists(staged) {
                    return Ok(()); // already in place
                }
                if *had_old && !exists(backup) {
                    // A second name for the old file keeps `target` in place until the
                    // rename below replaces it; moving it is the fallback where links
                    // are not supported.
                    if std::fs::hard_link(target, backup).is_err() {
                        std::fs::rename(target, backup)?;
                    }
                }
                std::fs::rename(staged, target)
            }
            Entry::Remove { path, backup } => {
                if exists(path) {
                    std::fs::rename(path, backup)?;
                }
                Ok(())
            }
        }
    }

    /// Undoes the entry, from whatever point the update (or an earlier undo) reached.
    pub fn rollback(&self) -> io::Result<()> {
        match self {
            Entry::Replace {
                staged,
                target,
                backup,
                had_old,
            } => {
                let replaced = !exists(staged);
                if *had_old && exists(backup) {
                    if !replaced && exists(target) {
                        // Only the second name was made: the old file never moved.
                        std::fs::remove_file(backup)?;
                    } else {
                        std::fs::rename(backup, target)?;
                    }
                } else if !*had_old && replaced {
                    // Nothing was there before: the file is this update's.
                    remove_if_present(target)?;
                }
                if !replaced {
                    remove_if_present(staged)?;
                }
                Ok(())
            }
            Entry::Remove { path, backup } => {
                if exists(backup) {
                    std::fs::rename(backup, path)?;
                }
                Ok(())
            }
        }
    }

    /// After a complete update: the old file's backup goes. A failure leaves a hidden
    /// file that the next run removes as an orphan.
    pub fn commit(&self) {
        let (Entry::Replace { backup, .. } | Entry::Remove { backup, .. }) = self;
        let _ = remove_if_present(backup);
    }

    fn paths(&self) -> Vec<&Path> {
        match self {
            Entry::Replace {
                staged,
                target,
                backup,
                ..
            } => vec![staged, target, backup],
            Entry::Remove { path, backup } => vec![path, backup],
        }
    }
}

impl Journal {
    pub fn path(root: &Path) -> PathBuf {
        root.join(JOURNAL)
    }

    /// The text: a header line with the direction, the owner, the root, one line per entry.
    fn to_text(&self) -> io::Result<String> {
        let mut text = format!("{MAGIC}\t{}\n", self.direction.word());
        let started = self
            .owner
            .started
            .map_or_else(|| "-".to_string(), |s| s.to_string());
        text.push_str(&format!("owner\t{}\t{started}\n", self.owner.pid));
        text.push_str(&format!("root\t{}\n", escape(&self.root)?));
        for entry in &self.entries {
            let line = match entry {
                Entry::Replace {
                    staged,
                    target,
                    backup,
                    had_old,
                } => format!(
                    "replace\t{}\t{}\t{}\t{}",
                    u8::from(*had_old),
                    escape(staged)?,
                    escape(target)?,
                    escape(backup)?
                ),
                Entry::Remove { path, backup } => {
                    format!("remove\t{}\t{}", escape(path)?, escape(backup)?)
                }
            };
            text.push_str(&line);
            text.push('\n');
        }
        Ok(text)
    }

    fn parse(text: &str) -> Result<Journal, String> {
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        let bad = |number: usize, line: &str| format!("line {number}: unexpected `{line}`");
        let (_, header) = lines.next().ok_or("empty")?;
        let direction = match header.split_once('\t') {
            Some((MAGIC, word)) if word.trim_end() == "finish" => Direction::Finish,
            Some((MAGIC, word)) if word.trim_end() == "undo" => Direction::Undo,
            _ => {
                return Err(format!(
                    "not a journal this regen writes (line 1: `{header}`)"
                ))
            }
        };
        let (number, line) = lines.next().ok_or("no owner line")?;
        let owner = match line.split('\t').collect::<Vec<_>>().as_slice() {
            ["owner", pid, started] => Owner {
                pid: pid.parse().map_err(|_| bad(number, line))?,
                started: match *started {
                    "-" => None,
                    s => Some(s.parse().map_err(|_| bad(number, line))?),
                },
            },
            _ => return Err(bad(number, line)),
        };
        let (number, line) = lines.next().ok_or("no root line")?;
        let root = match line.split_once('\t') {
            Some(("root", path)) => unescape(path).ok_or_else(|| bad(number, line))?,
            _ => return Err(bad(number, line)),
        };
        let mut entries = Vec::new();
        for (number, line) in lines {
            let fields: Vec<&str> = line.split('\t').collect();
            let path = |i: usize| unescape(fields[i]).ok_or_else(|| bad(number, line));
            entries.push(match fields.as_slice() {
                ["replace", old @ ("0" | "1"), _, _, _] => Entry::Replace {
                    staged: path(2)?,
                    target: path(3)?,
                    backup: path(4)?,
                    had_old: *old == "1",
                },
                ["remove", _, _] => Entry::Remove {
                    path: path(1)?,
                    backup: path(2)?,
                },
                _ => return Err(bad(number, line)),
            });
        }
        Ok(Journal {
            owner,
            direction,
            root,
            entries,
        })
    }

    /// Writes the journal into `root` atomically (a synced temporary renamed into place,
    /// and the directory synced), so it exists whole or not at all.
    pub fn create(&self, root: &Path) -> io::Result<()> {
        let text = self.to_text()?;
        let journal = Journal::path(root);
        let temporary = sibling(&journal, "regen", self.owner.pid);
        let written = super::write_synced(&temporary, text.as_bytes())
            .and_then(|()| std::fs::rename(&temporary, &journal))
            .and_then(|()| super::sync_dir(root));
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        written
    }

    /// The journal in `root`, `None` if there is none, with its paths moved to `root` if
    /// the directory was moved since. A journal that cannot be read or trusted is an
    /// error: nobody can tell which files it was replacing.
    pub fn read(root: &Path) -> Result<Option<Journal>, String> {
        let text = match std::fs::read(Journal::path(root)) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read it: {e}")),
        };
        let journal = Journal::parse(&text)?;
        journal.rebased(root).map(Some)
    }

    /// The same journal for the directory now at `root`; every path must lie inside the
    /// recorded root (a journal naming files elsewhere is not ours to carry out).
    fn rebased(mut self, root: &Path) -> Result<Journal, String> {
        let recorded = self.root.clone();
        let rebase = |path: &Path| -> Result<PathBuf, String> {
            let inside = path
                .strip_prefix(&recorded)
                .ok()
                .filter(|rel| rel.components().all(|c| matches!(c, Component::Normal(_))))
                .filter(|rel| rel.components().next().is_some());
            match inside {
                Some(relative) => Ok(root.join(relative)),
                None => Err(format!(
                    "it names {}, which is not inside the directory it records ({})",
                    path.display(),
                    recorded.display()
                )),
            }
        };
        for entry in &self.entries {
            for path in entry.paths() {
                rebase(path)?;
            }
        }
        if recorded != root {
            for entry in &mut self.entries {
                *entry = match entry {
                    Entry::Replace {
                        staged,
                        target,
                        backup,
                        had_old,
                    } => Entry::Replace {
                        staged: rebase(staged)?,
                        target: rebase(target)?,
                        backup: rebase(backup)?,
                        had_old: *had_old,
                    },
                    Entry::Remove { path, backup } => Entry::Remove {
                        path: rebase(path)?,
                        backup: rebase(backup)?,
                    },
                };
            }
            self.root = root.to_path_buf();
        }
        Ok(self)
    }

    /// Turns the journal in `root` to [`Direction::Undo`] in place (same bytes, no new
    /// space needed), synced, before anything is undone.
    pub fn mark_undo(root: &Path) -> io::Result<()> {
        super::process::failpoint("mark-undo")?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .open(Journal::path(root))?;
        file.seek(io::SeekFrom::Start(MAGIC.len() as u64 + 1))?;
        file.write_all(Direction::Undo.word().as_bytes())?;
        file.sync_all()
    }
}

fn escape(path: &Path) -> io::Result<String> {
    let text = path.to_str().ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!(
                "{} is not valid UTF-8, which the journal cannot record",
                path.display()
            ),
        )
    })?;
    Ok(text
        .replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r"))
}

fn unescape(text: &str) -> Option<PathBuf> {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '\\' => match chars.next()? {
                '\\' => '\\',
                't' => '\t',
                'n' => '\n',
                'r' => '\r',
                _ => return None,
            },
            c => c,
        });
    }
    let path = PathBuf::from(out);
    path.is_absolute().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn journal(root: &str) -> Journal {
        let root = PathBuf::from(root);
        let target = root.join("src/bindings/a\tb.rs");
        Journal {
            owner: Owner {
                pid: 42,
                started: Some(7),
            },
            direction: Direction::Finish,
            entries: vec![
                Entry::Replace {
                    staged: sibling(&target, "regen", 42),
                    backup: sibling(&target, "regen-backup", 42),
                    target,
                    had_old: true,
                },
                Entry::Remove {
                    path: root.join("src/bindings/old.rs"),
                    backup: root.join("src/bindings/.old.rs.regen-backup-42"),
                },
            ],
            root,
        }
    }

    #[test]
    fn text_round_trips_with_escapes() {
        let original = journal("/tmp/out\\dir");
        let text = original.to_text().unwrap();
        assert!(text.starts_with("httpserv-rs regen journal 2\tfinish\nowner\t42\t7\n"));
        assert!(text.contains("a\\tb.rs"), "{text}");
        assert_eq!(Journal::parse(&text).unwrap(), original);
        let undone = text.replacen("finish", "undo  ", 1);
        assert_eq!(Journal::parse(&undone).unwrap().direction, Direction::Undo);
    }

    #[test]
    fn foreign_or_broken_journals_are_refused() {
        let text = journal("/tmp/out").to_text().unwrap();
        assert!(Journal::parse("rename\ta\tb\n").is_err());
        let relative = text.replace("root\t/tmp/out", "root\tout");
        assert!(Journal::parse(&relative)
            .unwrap_err()
            .starts_with("line 3:"));
        let outside =
            Journal::parse(&text.replace("\t/tmp/out/src/bindings/old.rs", "\t/etc/passwd"))
                .unwrap()
                .rebased(Path::new("/tmp/out"));
        assert!(outside.unwrap_err().contains("/etc/passwd"));
        let climbing = text.replace("/tmp/out/src/bindings/old.rs", "/tmp/out/../x");
        assert!(Journal::parse(&climbing)
            .unwrap()
            .rebased(Path::new("/tmp/out"))
            .is_err());
    }

    #[test]
    fn a_moved_directory_is_followed() {
        let moved = journal("/tmp/old").rebased(Path::new("/srv/new")).unwrap();
        assert_eq!(moved.root, Path::new("/srv/new"));
        assert_eq!(
            moved.entries[1].target(),
            Path::new("/srv/new/src/bindings/old.rs")
        );
    }

    #[test]
    fn sibling_names_carry_the_pid() {
        let staged = sibling(Path::new("/o/abi.json"), "regen", 12);
        assert_eq!(staged, Path::new("/o/.abi.json.regen-12"));
        assert_eq!(sibling_pid(".abi.json.regen-12"), Some(12));
        assert_eq!(sibling_pid(".abi.json.regen-backup-12"), Some(12));
        assert_eq!(sibling_pid(".regen-journal.regen-99"), Some(99));
        for not_ours in [
            ".regen-journal",
            ".regen-lock",
            "abi.json.regen-1",
            ".x.regen-",
            ".x.regen-1a",
        ] {
            assert_eq!(sibling_pid(not_ours), None, "{not_ours}");
        }
    }
}
