//! Files stay small enough to read in one sitting: no Rust source of the generator or of
//! xtask over 600 lines, and no generated binding file over 5,000 lines. A file that grows
//! past its bound is split by what it owns, not trimmed to pass. Functions too: none of the
//! hand-written crates' non-test functions over 100 lines, counted from the `fn` line to the
//! closing brace by a scan that ignores comments and literals, and none of the generator's
//! or xtask's functions (tests and benches included) over 80; a long one is split into its
//! steps.

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

/// The longest a non-test function of the crates below may be, from its `fn` line to its
/// closing brace.
const FUNCTION_LINES: usize = 100;

/// The crates whose functions are held to [`FUNCTION_LINES`].
const FUNCTION_DIRS: [&str; 6] = [
    "generator/src",
    "xtask/src",
    "runtime/src",
    "framework/src",
    "test-server/src",
    "httpserv/src",
];

/// `text` with comments and string, byte-string and char literals blanked to spaces (line
/// breaks kept), so that neither their braces nor a `fn` inside them counts.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut code = String::with_capacity(text.len());
    let blank = |code: &mut String, skipped: &[char]| {
        code.extend(skipped.iter().map(|&c| if c == '\n' { '\n' } else { ' ' }));
    };
    let mut i = 0;
    while i < chars.len() {
        let end = literal_or_comment_end(&chars, i);
        if end > i {
            blank(&mut code, &chars[i..end]);
            i = end;
        } else {
            code.push(chars[i]);
            i += 1;
        }
    }
    code
}

/// Where the comment or literal starting at `i` ends (one past it), or `i` when none starts
/// there. A `'` that opens no char literal is a lifetime or a label.
fn literal_or_comment_end(chars: &[char], i: usize) -> usize {
    let at = |k: usize| chars.get(k).copied().unwrap_or('\0');
    let find = |from: usize, pattern: &[char]| {
        (from..chars.len())
            .find(|&k| chars[k..].starts_with(pattern))
            .map_or(chars.len(), |k| k + pattern.len())
    };
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    match at(i) {
        // Up to the line break, which stays.
        '/' if at(i + 1) == '/' => (i..chars.len())
            .find(|&k| chars[k] == '\n')
            .unwrap_or(chars.len()),
        '/' if at(i + 1) == '*' => {
            let mut depth = 0;
            let mut k = i;
            while k < chars.len() {
                if chars[k..].starts_with(&['/', '*']) {
                    depth += 1;
                    k += 2;
                } else if chars[k..].starts_with(&['*', '/']) {
                    depth -= 1;
                    k += 2;
                    if depth == 0 {
                        return k;
                    }
                } else {
                    k += 1;
                }
            }
            chars.len()
        }
        '"' => {
            let mut k = i + 1;
            while k < chars.len() && chars[k] != '"' {
                k += if chars[k] == '\\' { 2 } else { 1 };
            }
            k + 1
        }
        // r"…", r#"…"#, br"…", cr"…": closed by the quote and as many `#`.
        'r' | 'b' | 'c' if i == 0 || !ident(at(i - 1)) => {
            let r = if at(i) == 'r' { i } else { i + 1 };
            if at(r) != 'r' {
                return i;
            }
            let hashes = (r + 1..chars.len())
                .take_while(|&k| chars[k] == '#')
                .count();
            if at(r + 1 + hashes) != '"' {
                return i;
            }
            let close: Vec<char> = format!("\"{}", "#".repeat(hashes)).chars().collect();
            find(r + 2 + hashes, &close)
        }
        '\'' if at(i + 1) == '\\' => find(i + 3, &['\'']),
        '\'' if at(i + 2) == '\'' => i + 3,
        _ => i,
    }
}

/// The position of the brace that closes the one at `open`, in blanked code.
fn closing_brace(code: &[char], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &c) in code.iter().enumerate().skip(open) {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// Where the item starting at `from` opens its body (`Some`, a `{`) or ends without one
/// (`None`, a `;`), skipping what parentheses and brackets enclose (`[u8; 4]`).
fn item_body(code: &[char], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (k, &c) in code.iter().enumerate().skip(from) {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            '{' if depth == 0 => return Some(k),
            ';' if depth == 0 => return None,
            _ => {}
        }
    }
    None
}

/// The positions in blanked code where the word `word` starts.
fn words<'a>(code: &'a [char], word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let word: Vec<char> = word.chars().collect();
    let ident = |c: &char| c.is_alphanumeric() || *c == '_';
    (0..code.len()).filter(move |&k| {
        code[k..].starts_with(&word)
            && (k == 0 || !ident(&code[k - 1]))
            && !code.get(k + word.len()).is_some_and(ident)
    })
}

/// One file's test code: the character ranges of its `#[cfg(test)]` items, and the modules
/// it declares `#[cfg(test)] mod name;` (their code is in other files).
fn test_code(code: &[char]) -> (Vec<(usize, usize)>, Vec<String>) {
    let attribute: Vec<char> = "#[cfg(test)]".chars().collect();
    let (mut ranges, mut modules) = (Vec::new(), Vec::new());
    for start in (0..code.len()).filter(|&k| code[k..].starts_with(&attribute)) {
        let after = start + attribute.len();
        match item_body(code, after) {
            Some(open) => ranges.push((start, closing_brace(code, open))),
            None => {
                let declaration: String = code[after..].iter().take_while(|&&c| c != ';').collect();
                let mut tokens = declaration.split_whitespace().skip_while(|t| *t != "mod");
                if let (Some(_), Some(name)) = (tokens.next(), tokens.next()) {
                    modules.push(name.to_string());
                }
            }
        }
    }
    (ranges, modules)
}

/// The functions in `text` longer than `limit` lines outside `#[cfg(test)]` items, as
/// (line, name, lines); and the modules it declares `#[cfg(test)] mod name;`.
fn long_functions(text: &str, limit: usize) -> (Vec<(usize, String, usize)>, Vec<String>) {
    let code: Vec<char> = code_only(text).chars().collect();
    let (tests, test_modules) = test_code(&code);
    (functions_over(&code, limit, &tests), test_modules)
}

/// The functions in blanked `code` longer than `limit` lines outside the `excluded` ranges,
/// as (line, name, lines).
fn functions_over(
    code: &[char],
    limit: usize,
    excluded: &[(usize, usize)],
) -> Vec<(usize, String, usize)> {
    let line_of = |k: usize| code[..k].iter().filter(|&&c| c == '\n').count() + 1;
    let mut long = Vec::new();
    for start in words(code, "fn") {
        if excluded.iter().any(|&(a, b)| (a..=b).contains(&start)) {
            continue;
        }
        // A named function; `fn(…)` is a pointer type.
        let name: String = code[start + 2..]
            .iter()
            .skip_while(|c| c.is_whitespace())
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .collect();
        let Some(open) = item_body(code, start).filter(|_| !name.is_empty()) else {
            continue;
        };
        let lines = line_of(closing_brace(code, open)) - line_of(start) + 1;
        if lines > limit {
            long.push((line_of(start), name, lines));
        }
    }
    long
}

/// The files a `#[cfg(test)] mod name;` in `file` puts in the test build: `name.rs` or
/// `name/mod.rs` beside it (in its own directory for `mod.rs`, `lib.rs` and `main.rs`),
/// and everything under `name/`.
fn is_test_module_file(path: &Path, file: &Path, name: &str) -> bool {
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let dir = file.parent().expect("a file in a directory");
    let dir = if ["mod", "lib", "main"].contains(&stem) {
        dir.to_path_buf()
    } else {
        dir.join(stem)
    };
    path == dir.join(format!("{name}.rs")) || path.starts_with(dir.join(name))
}

#[test]
fn non_test_functions_stay_under_100_lines() {
    let root = workspace_root();
    // Each file, relative to the workspace root, with its long functions and the test
    // modules it declares out of line.
    let mut scanned = Vec::new();
    for dir in FUNCTION_DIRS {
        for path in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let relative = path.strip_prefix(&root).unwrap_or(&path).to_path_buf();
            scanned.push((relative, long_functions(&text, FUNCTION_LINES)));
        }
    }
    let is_test_file = |path: &Path| {
        path.components().any(|c| c.as_os_str() == "tests")
            || scanned.iter().any(|(file, (_, modules))| {
                modules.iter().any(|m| is_test_module_file(path, file, m))
            })
    };
    let mut long = Vec::new();
    for (path, (functions, _)) in scanned.iter().filter(|(path, _)| !is_test_file(path)) {
        for (line, name, lines) in functions {
            long.push(format!(
                "{}:{line}: fn {name}, {lines} lines",
                path.display()
            ));
        }
    }
    assert!(scanned.len() > 50, "only {} files found", scanned.len());
    assert!(
        long.is_empty(),
        "functions over {FUNCTION_LINES} lines; split each by responsibility, one function a \
         step:\n{}",
        long.join("\n")
    );
}

/// The longest any function of the generator and xtask may be, tests and benches included:
/// the pipeline and its tasks read as steps of a screen or so each.
const GENERATOR_FUNCTION_LINES: usize = 80;

#[test]
fn generator_and_xtask_functions_stay_under_80_lines() {
    let root = workspace_root();
    let dirs = [
        "generator/src",
        "generator/tests",
        "generator/benches",
        "xtask/src",
        "xtask/tests",
    ];
    let mut long = Vec::new();
    for dir in dirs {
        for path in rust_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&path).expect("a readable source file");
            let code: Vec<char> = code_only(&text).chars().collect();
            let shown = path.strip_prefix(&root).unwrap_or(&path).display();
            for (line, name, lines) in functions_over(&code, GENERATOR_FUNCTION_LINES, &[]) {
                long.push(format!("{shown}:{line}: fn {name}, {lines} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {GENERATOR_FUNCTION_LINES} lines; split each by what it does:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_scan_skips_literals_comments_and_test_code() {
    let text = r##"
fn short() {
    let s = "}}}";
    let r = r#"{ "# ;
    let c = '{';
    let e = '\'';
    // }
    /* } /* } */ } */
}
fn long<'a>(x: &'a [u8; 4]) -> &'a u8 {
    let f: fn(u8) -> u8 = |x| x;
    {
        &x[0]
    }
}
#[cfg(test)]
mod tests {
    fn long_but_a_test() {


    }
}
#[cfg(test)]
mod more_tests;
"##;
    // Braces in the literals and comments would end `short` early; the test module's
    // function, and `fn(u8)` (a type), are not counted.
    let (all, test_modules) = long_functions(text, 0);
    let expected = [(2, "short".to_string(), 8), (10, "long".to_string(), 6)];
    assert_eq!(all, expected);
    assert_eq!(test_modules, ["more_tests"]);
    assert_eq!(long_functions(text, 6).0, expected[..1]);
    let file = Path::new("src/layout/mod.rs");
    assert!(is_test_module_file(
        Path::new("src/layout/tests.rs"),
        file,
        "tests"
    ));
    assert!(is_test_module_file(
        Path::new("src/layout/tests/a.rs"),
        file,
        "tests"
    ));
    let file = Path::new("src/manifest.rs");
    assert!(is_test_module_file(
        Path::new("src/manifest/tests.rs"),
        file,
        "tests"
    ));
    assert!(!is_test_module_file(
        Path::new("src/tests.rs"),
        file,
        "tests"
    ));
}
