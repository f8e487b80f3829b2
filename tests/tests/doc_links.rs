//! The crate docs hold: every link of the generated docs goes to a page Microsoft's IIS
//! native-code reference has — each one emitted into `generated/` is in the checked-in list
//! of the reference's pages (`generator/data/iis-reference-pages.txt`, refreshed from the
//! public docs repository as its header says); a method without a page of its own links to
//! its class's page, a class without one to the Web Server Core API reference — and every
//! doc example is a doctest.

use httpserv_tests::support::workspace_root;
use std::collections::BTreeSet;
use std::path::Path;

const REFERENCE: &str =
    "https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/";

fn documented_pages() -> BTreeSet<String> {
    let list = workspace_root().join("generator/data/iis-reference-pages.txt");
    std::fs::read_to_string(list)
        .unwrap()
        .lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The page of every reference link in the `.rs` files under `dir`, with where it is.
fn linked_pages(dir: &Path, found: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            linked_pages(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (line_number, line) in text.lines().enumerate() {
                for (at, _) in line.match_indices(REFERENCE) {
                    let page: String = line[at + REFERENCE.len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || "-_".contains(*c))
                        .collect();
                    found.push((page, format!("{}:{}", path.display(), line_number + 1)));
                }
            }
        }
    }
}

#[test]
fn every_generated_link_is_a_documented_page() {
    let pages = documented_pages();
    assert!(
        pages.len() > 700 && pages.contains("ihttpcontext-interface"),
        "the page list is not the IIS reference's"
    );
    let mut links = Vec::new();
    for dir in CRATE_SOURCES {
        linked_pages(&workspace_root().join(dir), &mut links);
    }
    assert!(links.len() > 400, "only {} links found", links.len());
    let missing: Vec<_> = links
        .iter()
        .filter(|(page, _)| !pages.contains(page))
        .collect();
    assert!(
        missing.is_empty(),
        "links to pages the reference does not have: {missing:#?}"
    );
    // Most methods have a page of their own; the rest fall back.
    let own = links
        .iter()
        .filter(|(page, _)| page.ends_with("-method"))
        .count();
    assert!(own > 300, "only {own} links to a method's own page");
}

/// The sources of the crates module authors build: the generated bindings and the
/// hand-written crates `httpserv` re-exports.
const CRATE_SOURCES: [&str; 5] = [
    "generated/src",
    "runtime/src",
    "framework/src",
    "test-server/src",
    "httpserv/src",
];

/// The crates' doc examples are doctests (`cargo test --doc`, and Miri's doc run): none is
/// left out with `ignore`.
#[test]
fn no_doc_example_of_the_crate_is_ignored() {
    let mut ignored = Vec::new();
    let mut stack: Vec<_> = CRATE_SOURCES.map(|dir| workspace_root().join(dir)).into();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (number, line) in text.lines().enumerate() {
                    if line.trim_start().starts_with("//") && line.contains("```ignore") {
                        ignored.push(format!("{}:{}", path.display(), number + 1));
                    }
                }
            }
        }
    }
    assert!(
        ignored.is_empty(),
        "doc examples left out of the doctests: {ignored:?}"
    );
}
