//! The guide's first chapter, followed literally: in a fresh directory, `Cargo.toml` made of
//! the ```toml blocks of `docs/getting-started.md` (with the chapter's placeholder for this
//! repository's path replaced by the real one) and `src/lib.rs` made of its ```rust block;
//! then `cargo test` there, which must pass every test of the block. Where the
//! `x86_64-pc-windows-gnu` Rust target and mingw-w64's gcc are installed, the DLL is built
//! for that target with the linker setting the chapter gives, and its export table must hold
//! `RegisterModule` (read with mingw-w64's objdump, as the chapter does); otherwise that part
//! prints `SKIPPED: <why>`.
//!
//! The new crate is a workspace of its own (an empty `[workspace]` table, which a crate
//! outside this repository does not need) with this workspace's `Cargo.lock`, built offline
//! into `target/guide-check` so later runs reuse the build.

mod markdown;

use httpserv_tests::support::workspace_root;
use markdown::code_blocks;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CHAPTER: &str = "docs/getting-started.md";
/// Where the chapter's `Cargo.toml` says this repository is.
const PLACEHOLDER: &str = "/path/to/httpserv-rs";
const GNU_TARGET: &str = "x86_64-pc-windows-gnu";
/// The linker setting of the chapter's Linux build, which the test uses.
const LINKER_SETTING: &str = "CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc";

/// `LINKER_SETTING` as a variable and its value (the linker).
fn linker_setting() -> (&'static str, &'static str) {
    LINKER_SETTING.split_once('=').unwrap()
}

/// The crate the chapter makes: its directory and package name.
struct GuideCrate {
    dir: PathBuf,
    name: String,
    tests: usize,
}

/// Writes the chapter's `Cargo.toml` and `src/lib.rs` into a fresh directory.
fn write_crate(root: &Path, chapter: &str) -> GuideCrate {
    let toml = code_blocks(chapter, "toml").concat();
    assert!(
        toml.contains(PLACEHOLDER),
        "{CHAPTER}: no ```toml block names the repository as {PLACEHOLDER}"
    );
    let repository = root.to_str().unwrap().replace('\\', "/");
    let manifest = format!("{}\n[workspace]\n", toml.replace(PLACEHOLDER, &repository));
    let name = manifest
        .lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{CHAPTER}: the package has no name:\n{manifest}"))
        .to_string();
    let rust = code_blocks(chapter, "rust");
    assert_eq!(rust.len(), 1, "{CHAPTER} should show one src/lib.rs");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("guide")
        .join(&name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::write(dir.join("src/lib.rs"), &rust[0]).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    GuideCrate {
        dir,
        name,
        tests: rust[0].matches("#[test]").count(),
    }
}

/// `cargo <args> --offline` in the guide's crate, with the shared target directory.
fn cargo(root: &Path, guide: &GuideCrate, args: &[&str], env: &[(&str, &str)]) -> Output {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&guide.dir)
        .args(args)
        .arg("--offline")
        .env("CARGO_TARGET_DIR", root.join("target/guide-check"))
        .envs(env.iter().copied())
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "cargo {} in {}:\n{}\n{}",
        args.join(" "),
        guide.dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Why the Windows build cannot run here, if it cannot.
fn gnu_build_missing() -> Option<String> {
    let sysroot = Command::new("rustc").args(["--print", "sysroot"]).output();
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.ok()?.stdout).trim());
    if !sysroot
        .join("lib/rustlib")
        .join(GNU_TARGET)
        .join("lib")
        .is_dir()
    {
        return Some(format!(
            "the Rust target {GNU_TARGET} is not installed (rustup target add {GNU_TARGET})"
        ));
    }
    let (_, linker) = linker_setting();
    let gcc = Command::new(linker).arg("--version").output();
    if !gcc.is_ok_and(|o| o.status.success()) {
        return Some(format!(
            "{linker} is not installed (apt-get install gcc-mingw-w64-x86-64)"
        ));
    }
    None
}

/// The names in a DLL's export table, as `objdump -p` lists them after
/// `[Ordinal/Name Pointer] Table`.
fn exported_names(dll: &Path) -> Vec<String> {
    let output = Command::new("x86_64-w64-mingw32-objdump")
        .arg("-p")
        .arg(dll)
        .output()
        .expect("mingw-w64's objdump runs");
    assert!(output.status.success(), "objdump -p {}", dll.display());
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .skip_while(|l| !l.contains("[Ordinal/Name Pointer] Table"))
        .skip(1)
        .map_while(|l| l.trim().strip_prefix('['))
        .filter_map(|entry| {
            entry
                .split_once(']')
                .map(|(_, name)| name.trim().to_string())
        })
        .collect()
}

#[test]
fn getting_started_builds_a_tested_module_dll_from_an_empty_directory() {
    let root = workspace_root();
    let chapter = std::fs::read_to_string(root.join(CHAPTER)).unwrap();
    let guide = write_crate(&root, &chapter);

    let tested = cargo(&root, &guide, &["test"], &[]);
    let stdout = String::from_utf8_lossy(&tested.stdout);
    let passed = format!("test result: ok. {} passed; 0 failed", guide.tests);
    assert!(
        guide.tests > 0 && stdout.contains(&passed),
        "cargo test did not pass the chapter's {} tests:\n{stdout}",
        guide.tests
    );

    if let Some(reason) = gnu_build_missing() {
        httpserv_tests::support::skipped(&format!("building the guide's module DLL: {reason}"));
        return;
    }
    assert!(
        chapter.contains(LINKER_SETTING),
        "{CHAPTER} no longer sets the linker as this test does ({LINKER_SETTING})"
    );
    let (variable, linker) = linker_setting();
    cargo(
        &root,
        &guide,
        &["build", "--target", GNU_TARGET],
        &[(variable, linker)],
    );
    let dll = root
        .join("target/guide-check")
        .join(GNU_TARGET)
        .join("debug")
        .join(format!("{}.dll", guide.name));
    let exports = exported_names(&dll);
    assert!(
        exports.iter().any(|e| e == "RegisterModule"),
        "{} exports {exports:?}, not RegisterModule",
        dll.display()
    );
    eprintln!(
        "guide: {CHAPTER} followed in {}: {} tests passed, {} exports RegisterModule",
        guide.dir.display(),
        guide.tests,
        dll.display()
    );
}
