//! Compile cost of `httpserv` (the crate module authors build: the generated bindings, the
//! runtime, the framework and the attribute macro) against building
//! windows-sys 0.61 with `Win32_Networking_HttpServer` alone, in debug and release, each in a
//! fresh `CARGO_TARGET_DIR` under a temp dir; and the size of the generated source.
//!
//! "Fresh" is the whole build (dependencies included) from an empty target dir; "alone" is
//! the one crate rebuilt after `cargo clean -p <crate>` in that target dir, dependencies
//! already built.

use super::stats::Series;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct Builds {
    pub fresh: Series,
    pub alone: Series,
}

#[derive(Debug, Clone, Default)]
pub struct CompileCost {
    pub httpserv_debug: Builds,
    pub httpserv_release: Builds,
    pub windows_sys_debug: Builds,
    pub windows_sys_release: Builds,
    /// (directory, lines, bytes) of the Rust sources of the crates `httpserv` builds, per directory.
    pub sources: Vec<(String, usize, usize)>,
    pub windows_sys_version: String,
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<f64, String> {
    let started = Instant::now();
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_RUSTFLAGS")
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed in {}:\n{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(seconds)
}

/// `fresh_runs` builds from an empty target dir, then `alone_runs` rebuilds of `package`
/// alone after `cargo clean -p`.
fn builds(
    dir: &Path,
    scratch: &Path,
    name: &str,
    package: &str,
    build_args: &[&str],
    fresh_runs: usize,
    alone_runs: usize,
) -> Result<Builds, String> {
    let mut result = Builds::default();
    let mut target_dir = PathBuf::new();
    for run in 0..fresh_runs.max(1) {
        target_dir = scratch.join(format!("target-{name}-{run}"));
        let _ = std::fs::remove_dir_all(&target_dir);
        result.fresh.0.push(cargo(dir, &target_dir, build_args)?);
        if run + 1 < fresh_runs.max(1) {
            let _ = std::fs::remove_dir_all(&target_dir);
        }
    }
    let release = build_args.contains(&"--release");
    for _ in 0..alone_runs {
        let mut clean = vec!["clean", "--quiet", "-p", package];
        if release {
            clean.push("--release");
        }
        cargo(dir, &target_dir, &clean)?;
        result.alone.0.push(cargo(dir, &target_dir, build_args)?);
    }
    let _ = std::fs::remove_dir_all(&target_dir);
    Ok(result)
}

pub fn measure(
    root: &Path,
    scratch: &Path,
    fresh_runs: usize,
    alone_runs: usize,
) -> Result<CompileCost, String> {
    let mut cost = CompileCost {
        sources: source_sizes(root)?,
        ..CompileCost::default()
    };

    // The crate module authors build, from the workspace with its locked dependencies.
    let debug = ["build", "--quiet", "--locked", "-p", "httpserv"];
    let release = [
        "build",
        "--quiet",
        "--locked",
        "-p",
        "httpserv",
        "--release",
    ];
    eprintln!("  httpserv debug");
    cost.httpserv_debug = builds(
        root,
        scratch,
        "httpserv-debug",
        "httpserv",
        &debug,
        fresh_runs,
        alone_runs,
    )?;
    eprintln!("  httpserv release");
    cost.httpserv_release = builds(
        root,
        scratch,
        "httpserv-release",
        "httpserv",
        &release,
        fresh_runs,
        alone_runs,
    )?;

    let (dir, version) = windows_sys_crate(root, scratch)?;
    cost.windows_sys_version = version;
    let debug = ["build", "--quiet", "--offline"];
    let release = ["build", "--quiet", "--offline", "--release"];
    eprintln!("  windows-sys debug");
    cost.windows_sys_debug = builds(
        &dir,
        scratch,
        "winsys-debug",
        "windows-sys",
        &debug,
        fresh_runs,
        alone_runs,
    )?;
    eprintln!("  windows-sys release");
    cost.windows_sys_release = builds(
        &dir,
        scratch,
        "winsys-release",
        "windows-sys",
        &release,
        fresh_runs,
        alone_runs,
    )?;
    Ok(cost)
}

/// Per source directory of the crates `httpserv` builds (the generated bindings, the runtime,
/// the framework, the macros, the facade): files, lines and bytes summed, sorted by
/// directory.
fn source_sizes(root: &Path) -> Result<Vec<(String, usize, usize)>, String> {
    let mut sources = Vec::new();
    let mut dirs: Vec<_> = [
        "generated/src",
        "runtime/src",
        "framework/src",
        "macros/src",
        "httpserv/src",
    ]
    .iter()
    .map(|dir| root.join(dir))
    .collect();
    while let Some(dir) = dirs.pop() {
        let (mut lines, mut bytes, mut files) = (0, 0, 0);
        for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
                lines += text.lines().count();
                bytes += text.len();
                files += 1;
            }
        }
        let relative = dir.strip_prefix(root).unwrap_or(&dir).display().to_string();
        sources.push((format!("{relative}/*.rs ({files} files)"), lines, bytes));
    }
    sources.sort();
    Ok(sources)
}

/// A throwaway crate depending on windows-sys with the HTTP Server API feature alone, its
/// dependencies fetched (so no download is timed): its directory and windows-sys's version.
fn windows_sys_crate(root: &Path, scratch: &Path) -> Result<(PathBuf, String), String> {
    let dir = scratch.join("winsys-only");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"winsys-only\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nwindows-sys = { version = \"0.61\", features = [\"Win32_Networking_HttpServer\"] }\n\n\
         [workspace]\n",
    )
    .map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "pub use windows_sys;\n").map_err(|e| e.to_string())?;
    // Same windows-sys as the workspace's lock file (resolved before timing).
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    let fetch = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["fetch", "--quiet"])
        .current_dir(&dir)
        .status()
        .map_err(|e| e.to_string())?;
    if !fetch.success() {
        return Err("cargo fetch failed for the windows-sys crate".into());
    }
    let lock = std::fs::read_to_string(dir.join("Cargo.lock")).unwrap_or_default();
    let version = lock
        .split("[[package]]")
        .find(|p| p.contains("name = \"windows-sys\""))
        .and_then(|p| p.lines().find(|l| l.starts_with("version")))
        .and_then(|l| l.split('"').nth(1))
        .unwrap_or("0.61")
        .to_string();
    Ok((dir, version))
}
