//! Shared helpers: the fixture catalogue (discovered, not listed), running the generator on
//! a fixture the way `regen` does, and running an xtask command in process.

use generator::emit::Provenance;
use generator::parse::ParseOptions;
use std::path::{Path, PathBuf};

/// Reports a check that could not run here: `SKIPPED: <reason>` on the test process's
/// stderr, written past libtest's output capture (which takes only `print!`/`eprint!`), so
/// `cargo test` shows it even when the test passes — a skip is never silent.
pub fn skipped(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {reason}");
}

/// The repository root: xtask's, so the fact lives in one place for both.
pub use xtask::workspace_root;

pub fn fixture_path(name: &str) -> PathBuf {
    workspace_root()
        .join("tests/fixtures")
        .join(format!("{name}.h"))
}

/// Fixture directories that hold other catalogues, not generated-output hazards.
const NOT_OUTPUT_FIXTURES: &[&str] = &["errors", "abi_diff"];

/// Every hazard fixture, by name relative to `tests/fixtures` without `.h`
/// (`overload_group`, `sdk_style/sal1_iis7`), sorted.
pub fn fixture_names() -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(base).unwrap();
            if path.is_dir() {
                if !NOT_OUTPUT_FIXTURES.contains(&relative.to_str().unwrap()) {
                    walk(base, &path, out);
                }
            } else if path.extension().is_some_and(|e| e == "h") {
                let name = relative.with_extension("");
                out.push(name.to_str().unwrap().replace('\\', "/"));
            }
        }
    }
    let base = workspace_root().join("tests/fixtures");
    let mut names = Vec::new();
    walk(&base, &base, &mut names);
    names.sort();
    names
}

pub fn options(header: PathBuf) -> ParseOptions {
    xtask::parse_options(&header)
}

/// Runs parse → layout → emit on `tests/fixtures/<name>.h`.
pub fn generate_fixture(name: &str) -> generator::Result<generator::Generated> {
    let provenance = Provenance {
        input: format!("tests/fixtures/{name}.h"),
    };
    generator::generate(&options(fixture_path(name)), &provenance)
}

/// `(slot index, Rust field name, C++ declaration)` for every slot of `class`.
pub fn slots(generated: &generator::Generated, class: &str) -> Vec<(usize, String, String)> {
    let model = &generated.model;
    model
        .layout(class)
        .slots
        .iter()
        .map(|slot| {
            (
                slot.index,
                slot.rust_name.clone(),
                model.method(slot).cpp_declaration(),
            )
        })
        .collect()
}

/// The generated bindings of a fixture as one text (every file, in name order), for tests
/// that look for an item wherever the file cut put it.
pub fn all_bindings(generated: &generator::Generated) -> String {
    generated.bindings.files.values().cloned().collect()
}

/// What an in-process `cargo xtask` run returned.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cargo xtask <args>` in this process.
pub fn xtask<S: AsRef<str>>(args: &[S]) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.as_ref().to_string()).collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = xtask::run(&args, &mut stdout, &mut stderr);
    Run {
        code,
        stdout: String::from_utf8(stdout).unwrap(),
        stderr: String::from_utf8(stderr).unwrap(),
    }
}

/// `text` (generated Rust) with the field blocks (doc line, name, type) of fields `a` and `b`
/// of `struct <vtbl>` swapped: a hand edit that keeps every name with its type, so only the
/// layout is wrong.
pub fn swap_vtable_fields(text: &str, vtbl: &str, a: &str, b: &str) -> String {
    let head = format!("pub struct {vtbl} {{\n");
    let start = text.find(&head).expect("the struct is there") + head.len();
    let end = start + text[start..].find("\n}\n").expect("the struct ends") + 1;
    let mut blocks: Vec<String> = Vec::new();
    for line in text[start..end].split_inclusive('\n') {
        if line.trim_start().starts_with("///") || blocks.is_empty() {
            blocks.push(String::new());
        }
        blocks.last_mut().unwrap().push_str(line);
    }
    let find = |field: &str| {
        blocks
            .iter()
            .position(|b| b.contains(&format!("pub {field}:")))
            .unwrap_or_else(|| panic!("no field {field} in {vtbl}"))
    };
    let (i, j) = (find(a), find(b));
    blocks.swap(i, j);
    format!("{}{}{}", &text[..start], blocks.concat(), &text[end..])
}

/// `cargo xtask regen --header <header> --out <out>`, in process.
pub fn regen(header: &Path, out: &Path) -> Run {
    xtask(&[
        "regen".to_string(),
        "--header".into(),
        header.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ])
}

/// A scratch directory unique to this test, with a sentinel "previous output".
pub fn scratch_output(test: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "httpserv-rs-bad-input-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("generated");
    std::fs::create_dir_all(out.join("src/bindings")).unwrap();
    // An earlier run's output, as regen marks it.
    std::fs::write(
        out.join("src/lib.rs"),
        "// Generated by `cargo xtask regen` from an earlier header — do not edit.\n",
    )
    .unwrap();
    std::fs::write(out.join("src/bindings/mod.rs"), "// previous output\n").unwrap();
    (dir, out)
}
