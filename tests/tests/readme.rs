//! The READMEs cannot drift from the code: every ```rust block of the workspace's README and
//! of the crate's (`generated/README.md`, also the crate's top-level docs) is the body of a
//! file the test suite compiles and runs (an example under `tests/examples/`, after its `//!`
//! paragraph), character for character.

use httpserv_tests::support::workspace_root;

/// The ```rust blocks of a Markdown text.
fn rust_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```rust") => current = Some(String::new()),
            (Some(block), "```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// A Rust file without its leading `//!` paragraph.
fn body(source: &str) -> String {
    source
        .lines()
        .skip_while(|l| l.starts_with("//!"))
        .skip_while(|l| l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn every_rust_block_of_the_readme_is_a_compiled_example() {
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
    for readme in ["README.md", "generated/README.md"] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        let blocks = rust_blocks(&text);
        assert!(!blocks.is_empty(), "{readme} shows no Rust");
        for block in blocks {
            assert!(
                examples.iter().any(|(_, example)| *example == block),
                "this block of {readme} is not the body of any tests/examples/*.rs file; copy \
                 the example's text into it (or make the block an example):\n{block}"
            );
        }
    }
}
