//! Files stay small enough to read in one sitting: no Rust source of the generator or of
//! xtask over 600 lines, and no generated binding file over 5,000 lines. A file that grows
//! past its bound is split by what it owns, not trimmed to pass.

use httpserv_tests::support::workspace_root;
use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|x| x == "rs") {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The files under `dirs` (relative to the workspace root) longer than `limit` lines.
fn longer_than(dirs: &[&str], limit: usize) -> Vec<String> {
    let root = workspace_root();
    let mut files = 0;
    let mut long = Vec::new();
    for dir in dirs {
        for path in rust_files(&root.join(dir)) {
            files += 1;
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let lines = text.lines().count();
            if lines > limit {
                let shown = path.strip_prefix(&root).unwrap_or(&path).display();
                long.push(format!("{shown}: {lines} lines"));
            }
        }
    }
    assert!(files > 10, "only {files} files found under {dirs:?}");
    long
}

#[test]
fn generator_and_xtask_sources_stay_under_600_lines() {
    let long = longer_than(&["generator/src", "generator/tests", "xtask/src"], 600);
    assert!(
        long.is_empty(),
        "split these by what they own:\n{}",
        long.join("\n")
    );
}

#[test]
fn generated_binding_files_stay_under_5000_lines() {
    let long = longer_than(&["generated/src/bindings"], 5000);
    assert!(long.is_empty(), "{}", long.join("\n"));
}
