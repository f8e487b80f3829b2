//! Finds the fixture catalogue's expected outputs (`expected/**/mod.rs`, one directory per
//! fixture header) and declares each as a module of this crate's lib, so every expectation
//! is compiled: adding a fixture is adding a header and blessing its output, nothing else.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let expected = root.join("expected");
    println!("cargo:rerun-if-changed={}", expected.display());
    let mut modules = Vec::new();
    find(&expected, &expected, &mut modules);
    modules.sort();
    let mut out = String::new();
    for (name, path) in modules {
        let _ = writeln!(
            out,
            "#[rustfmt::skip]\n#[path = {:?}]\npub mod {name};",
            path.display().to_string()
        );
    }
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("expected_modules.rs");
    std::fs::write(dest, out).unwrap();
}

/// Directories holding a `mod.rs`, as (module name from the relative path, path of mod.rs).
fn find(base: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let module = path.join("mod.rs");
        if module.is_file() {
            let relative = path.strip_prefix(base).unwrap();
            let name: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push((name.join("_"), module));
        } else {
            find(base, &path, out);
        }
    }
}
