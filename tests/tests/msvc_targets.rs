//! The generated crate compiles for both MSVC targets, documents without warnings and
//! packages for crates.io: on i686 its vtable fields are
//! `extern "thiscall"` and its const assertions check 4-byte slots; on x86_64, 8-byte slots.
//! Needs the Rust std for the targets (`rustup target add …`, done by .ci/prerequisites);
//! without it the check prints SKIPPED with the reason. A copy of the crate with two vtable
//! fields swapped by hand must fail to compile for i686.

use httpserv_tests::support::{swap_vtable_fields, workspace_root};

/// The crates a module author's `httpserv` dependency brings, all published.
const PUBLISHED: [&str; 6] = [
    "httpserv-runtime",
    "httpserv-macros",
    "httpserv-sys",
    "httpserv-framework",
    "httpserv-testing",
    "httpserv",
];
use std::path::Path;
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
            httpserv_tests::support::skipped(&format!(
                "the Rust standard library for {target} is not installed \
                 (rustup target add {target})"
            ));
            continue;
        }
        // Without features (no_std), and with everything a module's tests turn on.
        for features in ["", "testing"] {
            let output = Command::new(&cargo)
                .current_dir(&root)
                .args(["check", "--quiet", "-p", "httpserv", "--target", target])
                .args(["--features", features])
                .env("CARGO_TARGET_DIR", root.join("target/msvc-check"))
                .output()
                .expect("cargo runs");
            assert!(
                output.status.success(),
                "{target} (features: {features:?}): {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

/// The docs as docs.rs builds them (`[package.metadata.docs.rs]`: the MSVC targets, features
/// `std` and `testing`) and as a user without features reads them: no warning, no broken
/// intra-doc link.
#[test]
fn the_crate_docs_build_for_windows_without_warnings() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = workspace_root();
    let target = "x86_64-pc-windows-msvc";
    if !target_installed(target) {
        httpserv_tests::support::skipped(&format!(
            "the Rust standard library for {target} is not installed"
        ));
        return;
    }
    for features in ["", "std,testing"] {
        let output = Command::new(&cargo)
            .current_dir(&root)
            .args([
                "doc",
                "--quiet",
                "--no-deps",
                "-p",
                "httpserv",
                "--target",
                target,
            ])
            .args(["--features", features])
            .env("RUSTDOCFLAGS", "-D warnings")
            .env("CARGO_TARGET_DIR", root.join("target/msvc-check"))
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "cargo doc (features: {features:?}): {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// Verifying a package builds its dependencies from a local registry of the crates just
/// packaged, unpacked under `$CARGO_HOME/registry/src/<that registry>/` and built in the
/// package target directory; cargo takes a registry crate of a name and version it has
/// unpacked or built as unchanged, so without this a crate changed since the last run would
/// be verified against its old sources. Our crates' unpacked copies go (crates.io has none of
/// these names), and the target directory with them (a rebuild of it takes seconds).
fn forget_earlier_packages() {
    let _ = std::fs::remove_dir_all(workspace_root().join("target/package-check"));
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("a cargo home");
    for kind in ["src", "cache"] {
        let Ok(registries) = std::fs::read_dir(home.join("registry").join(kind)) else {
            continue;
        };
        for registry in registries.flatten() {
            if registry
                .file_name()
                .to_string_lossy()
                .starts_with("index.crates.io")
            {
                continue;
            }
            for name in PUBLISHED {
                let unpacked = registry.path().join(format!("{name}-0.1.0"));
                let _ = std::fs::remove_dir_all(&unpacked);
                let _ = std::fs::remove_file(unpacked.with_extension("1.0.crate"));
            }
        }
    }
}

/// `httpserv` is the crate people depend on, with the four it re-exports: `cargo package`
/// builds each from what it publishes (sources, the ABI manifest of the generated crate,
/// READMEs), nothing of the workspace's tests.
#[test]
fn the_crates_package_for_crates_io() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let root = workspace_root();
    let package = |extra: &[&str]| {
        Command::new(&cargo)
            .current_dir(&root)
            .args(["package", "--quiet", "--allow-dirty"])
            .args(PUBLISHED.iter().flat_map(|crate_name| ["-p", crate_name]))
            .args(extra)
            .env("CARGO_TARGET_DIR", root.join("target/package-check"))
            .output()
            .expect("cargo runs")
    };
    forget_earlier_packages();
    let listed = package(&["--list"]);
    assert!(
        listed.status.success(),
        "{}",
        String::from_utf8_lossy(&listed.stderr)
    );
    let files = String::from_utf8_lossy(&listed.stdout);
    for needed in [
        "README.md",
        "abi.json",
        "src/lib.rs",
        "src/module/mod.rs",
        "src/bindings/i_http_context.rs",
    ] {
        assert!(
            files.lines().any(|f| f == needed),
            "{needed} is not packaged:\n{files}"
        );
    }
    assert!(
        !files.lines().any(|f| f.starts_with("tests/")),
        "the crate's integration tests are packaged:\n{files}"
    );
    let built = package(&[]);
    assert!(
        built.status.success(),
        "{}",
        String::from_utf8_lossy(&built.stderr)
    );
}

/// A standalone copy of the generated crate (its own workspace, the workspace's versions and
/// lock file) under `dir`, with `edit` applied to each source file.
fn copy_generated_crate(dir: &Path, edit: impl Fn(&str, String) -> String) {
    let root = workspace_root();
    let generated = root.join("generated");
    let runtime = root.join("runtime").display().to_string();
    let workspace = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    // `name = { workspace = true, … }` becomes the workspace's spec for `name`, inline.
    let inherited = |name: &str| {
        let spec = workspace
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} = ")))
            .unwrap_or_else(|| panic!("the workspace pins {name}"));
        match spec.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(table) => table.trim().to_string(),
            None => format!("version = {spec}"),
        }
    };
    let manifest: Vec<String> = std::fs::read_to_string(generated.join("Cargo.toml"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("license.workspace") && !l.starts_with("rust-version.workspace"))
        .map(|line| match line.split_once(" = { workspace = true") {
            Some((name, _)) => line.replacen("workspace = true", &inherited(name), 1),
            None => line
                .replace("edition.workspace = true", "edition = \"2021\"")
                .replace("publish.workspace = true", "publish = false")
                // The runtime, from the workspace, wherever the copy is.
                .replace("path = \"../runtime\"", &format!("path = {runtime:?}")),
        })
        .collect();
    let manifest = manifest.join("\n");
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("Cargo.toml"), format!("{manifest}\n[workspace]\n")).unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let mut stack = vec![generated.join("src")];
    while let Some(from) = stack.pop() {
        for entry in std::fs::read_dir(&from).unwrap().flatten() {
            let path = entry.path();
            let relative = path.strip_prefix(&generated).unwrap();
            if path.is_dir() {
                std::fs::create_dir_all(dir.join(relative)).unwrap();
                stack.push(path);
            } else {
                let text = std::fs::read_to_string(&path).unwrap();
                let name = relative.to_str().unwrap().replace('\\', "/");
                std::fs::write(dir.join(relative), edit(&name, text)).unwrap();
            }
        }
    }
}

/// The layout is checked by the compiler on every target: two fields of a `_Vtbl` swapped
/// by hand (each keeping its type, so everything else still type-checks) stop the i686
/// build at the offset assertion.
#[test]
fn a_swapped_vtable_field_fails_the_i686_build() {
    let target = "i686-pc-windows-msvc";
    if !target_installed(target) {
        httpserv_tests::support::skipped(&format!(
            "the Rust standard library for {target} is not installed (rustup target add {target})"
        ));
        return;
    }
    let root = workspace_root();
    let dir = root.join("target/tmp/swapped-vtable");
    copy_generated_crate(&dir, |name, text| {
        if name == "src/bindings/i_http_request.rs" {
            swap_vtable_fields(
                &text,
                "IHttpRequest_Vtbl",
                "GetHeader",
                "GetHeader_HTTP_HEADER_ID",
            )
        } else {
            text
        }
    });
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(&cargo)
        .current_dir(&dir)
        .args(["check", "--quiet", "--offline", "--target", target])
        .env("CARGO_TARGET_DIR", root.join("target/msvc-check"))
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the swapped fields compiled");
    assert!(
        stderr.contains("offset_of!(IHttpRequest_Vtbl, GetHeader_HTTP_HEADER_ID) == 2 * P"),
        "{stderr}"
    );
    // The unedited copy compiles: the failure is the swap's.
    copy_generated_crate(&dir, |_, text| text);
    let output = Command::new(&cargo)
        .current_dir(&dir)
        .args(["check", "--quiet", "--offline", "--target", target])
        .env("CARGO_TARGET_DIR", root.join("target/msvc-check"))
        .output()
        .expect("cargo runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}
