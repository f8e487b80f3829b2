//! The READMEs and the guide cannot drift from the code: every ```rust block of the
//! workspace's README, of the crate's (`httpserv/README.md`, also the crate's top-level docs)
//! and of every chapter of the guide (`docs/*.md`, found by listing the directory) is the
//! body of a file the test suite compiles and runs (an example under `tests/examples/`, after
//! its `//!` paragraph), character for character. The guide's chapters each start with a
//! title and a summary, are all listed in its index and in the README, and link only to files
//! and headings that exist.

mod markdown;

use httpserv_tests::support::workspace_root;
use markdown::{code_blocks, heading_anchors, link_targets};
use std::path::{Path, PathBuf};

/// A Rust file without its leading `//!` paragraph.
fn body(source: &str) -> String {
    source
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .skip_while(|l| l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The chapters of the guide, `docs/*.md`, by path relative to the workspace root (sorted).
fn guide_chapters(root: &Path) -> Vec<String> {
    let mut chapters: Vec<String> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ holds the guide")
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "md"))
        .map(|e| format!("docs/{}", e.file_name().to_string_lossy()))
        .collect();
    chapters.sort();
    chapters
}

#[test]
fn every_rust_block_of_the_readmes_and_the_guide_is_a_compiled_example() {
    let root = workspace_root();
    let examples: Vec<(String, String)> = std::fs::read_dir(root.join("tests/examples"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap();
            (e.file_name().to_string_lossy().into_owned(), body(&text))
        })
        .collect();
    let readmes = ["README.md", "httpserv/README.md"].map(String::from);
    let chapters = guide_chapters(&root);
    let mut checked = 0;
    for file in readmes.iter().chain(&chapters) {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let blocks = code_blocks(&text, "rust");
        if readmes.contains(file) {
            assert!(!blocks.is_empty(), "{file} shows no Rust");
        }
        for block in blocks {
            assert!(
                examples.iter().any(|(_, example)| *example == block),
                "this block of {file} is not the body of any tests/examples/*.rs file; copy \
                 the example's text into it (or make the block an example):\n{block}"
            );
            checked += 1;
        }
    }
    assert!(checked > readmes.len(), "the guide shows no Rust");
}

#[test]
fn the_guide_is_indexed_and_its_links_resolve() {
    let root = workspace_root();
    let index = std::fs::read_to_string(root.join("docs/README.md")).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    assert!(
        link_targets(&readme).contains(&"docs/README.md"),
        "README.md does not link the guide's index"
    );
    let chapters = guide_chapters(&root);
    assert!(
        chapters.len() > 1,
        "the guide has no chapters: {chapters:?}"
    );
    for chapter in &chapters {
        let text = std::fs::read_to_string(root.join(chapter)).unwrap();
        let mut lines = text.lines();
        let title = lines.next().unwrap_or_default();
        assert!(
            title.starts_with("# ") && lines.next() == Some("") && lines.next().is_some(),
            "{chapter} does not start with a `# Title` line, a blank line and its summary"
        );
        let name = chapter.strip_prefix("docs/").unwrap();
        if name != "README.md" {
            assert!(
                link_targets(&index).contains(&name),
                "docs/README.md does not list {name}"
            );
            assert!(
                link_targets(&readme).contains(&chapter.as_str()),
                "README.md's Guide section does not list {chapter}"
            );
        }
        for target in link_targets(&text) {
            if target.contains("://") {
                continue;
            }
            let (path, anchor) = target.split_once('#').unwrap_or((target, ""));
            let resolved: PathBuf = match path {
                "" => root.join(chapter),
                _ => root.join("docs").join(path),
            };
            assert!(
                resolved.exists(),
                "{chapter} links to {target}, which does not exist ({})",
                resolved.display()
            );
            if !anchor.is_empty() && (path.is_empty() || path.ends_with(".md")) {
                let linked = std::fs::read_to_string(&resolved).unwrap();
                assert!(
                    heading_anchors(&linked).iter().any(|a| a == anchor),
                    "{chapter} links to {target}, but {} has no such heading",
                    resolved.display()
                );
            }
        }
    }
}
