//! The generated crate compiles for both MSVC targets: on i686 its vtable fields are
//! `extern "thiscall"` and its const assertions check 4-byte slots; on x86_64, 8-byte slots.
//! Needs the Rust std for the targets (`rustup target add …`, done by .ci/prerequisites);
//! without it the check prints SKIPPED with the reason.

use httpserv_tests::support::workspace_root;
use std::process::Command;

fn target_installed(target: &str) -> bool {
    let output = Command::new("rustc")
        .args(["--print", "target-libdir", "--target", target])
        .output();
    match output {
        Ok(o) if o.status.success() => {
            let dir = String::from_utf8_lossy(&o.stdout).trim().to_string();
            std::fs::read_dir(dir)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .any(|e| e.file_name().to_string_lossy().starts_with("libcore-"))
                })
                .unwrap_or(false)
        }
        _ => false,
    }
}

#[test]
fn generated_crate_checks_for_both_msvc_targets() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = workspace_root();
    for target in ["x86_64-pc-windows-msvc", "i686-pc-windows-msvc"] {
        if !target_installed(target) {
            eprintln!(
                "SKIPPED: the Rust standard library for {target} is not installed \
                 (rustup target add {target})"
            );
            continue;
        }
        let output = Command::new(&cargo)
            .current_dir(&root)
            .args(["check", "--quiet", "-p", "httpserv", "--target", target])
            .env("CARGO_TARGET_DIR", root.join("target/msvc-check"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "{target}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
