//! `cargo xtask regen` end to end, in process: the checked-in crate is current, regen into
//! an empty or missing directory reproduces it exactly, `--check` notices anything in the
//! directory that differs from the tree (regen owns all of it), the names regen keeps
//! beside `generated/` are ignored by git, and output depends on the header's API only —
//! not on where it is checked out, on its line endings, or on how many cores emit it.

use httpserv_tests::support::workspace_root;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn xtask(args: &[&str]) -> (i32, String, String) {
    let run = httpserv_tests::support::xtask(args);
    (run.code, run.stdout, run.stderr)
}

/// Every file under a crate directory regen wrote (all of them are regen's), by relative
/// path with `/`; none for a missing directory.
fn owned_files(crate_dir: &Path) -> BTreeMap<String, String> {
    tree(crate_dir)
        .into_iter()
        .filter_map(|(path, bytes)| Some((path, String::from_utf8(bytes?).unwrap())))
        .collect()
}

/// Every file (contents) and directory (`None`, path ending in `/`) under `dir`.
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Option<Vec<u8>>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
                out.insert(format!("{name}/"), None);
            } else {
                out.insert(name, Some(std::fs::read(entry.path()).unwrap()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("httpserv-rs-regen-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn checked_in_bindings_are_current() {
    let (code, stdout, stderr) = xtask(&["regen", "--check"]);
    assert_eq!(
        code, 0,
        "generated/ is stale, run `cargo xtask regen`: {stdout}{stderr}"
    );
    assert!(stdout.contains("up to date"), "{stdout}");
}

#[test]
fn check_reports_stale_files_and_regen_fixes_them() {
    let dir = scratch("stale");
    let out = dir.join("generated");
    let out_arg = out.display().to_string();
    let (code, _, stderr) = xtask(&["regen", "--check", "--out", &out_arg]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("src/bindings/mod.rs") && stderr.contains("abi.json"),
        "{stderr}"
    );

    let (code, stdout, stderr) = xtask(&["regen", "--out", &out_arg]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.starts_with("regen: 67 classes, 352 virtual functions, 767 slots, "),
        "{stdout}"
    );
    let (code, _, _) = xtask(&["regen", "--check", "--out", &out_arg]);
    assert_eq!(code, 0);

    std::fs::write(
        out.join("src/bindings/i_http_request.rs"),
        "// edited by hand\n",
    )
    .unwrap();
    std::fs::write(
        out.join("src/bindings/i_gone.rs"),
        "// a class no longer generated\n",
    )
    .unwrap();
    // Hand-written files have no place in the crate either, wherever they are.
    std::fs::write(out.join("src/hand_written.rs"), "// by hand\n").unwrap();
    std::fs::create_dir_all(out.join("notes")).unwrap();
    std::fs::write(out.join("notes/todo.md"), "- later\n").unwrap();
    let (code, _, stderr) = xtask(&["regen", "--check", "--out", &out_arg]);
    assert_eq!(code, 1);
    assert!(
        stderr.starts_with("regen --check: 4 file(s) in ")
            && stderr.ends_with(
                " are stale; run `cargo xtask regen`:\n  notes/\n  src/bindings/i_gone.rs\n  \
                 src/bindings/i_http_request.rs\n  src/hand_written.rs\n"
            ),
        "{stderr}"
    );
    // regen puts the edited file back and removes everything it does not generate.
    let (code, _, stderr) = xtask(&["regen", "--out", &out_arg]);
    assert_eq!(code, 0, "{stderr}");
    // Same bytes as the checked-in crate: nothing depends on the output location.
    let generated = workspace_root().join("generated");
    assert_eq!(tree(&out), tree(&generated));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn regen_into_an_empty_or_missing_directory_reproduces_the_checked_in_crate() {
    let checked_in = tree(&workspace_root().join("generated"));
    assert!(
        checked_in.contains_key("Cargo.toml") && checked_in.contains_key("src/bindings/mod.rs"),
        "{:?}",
        checked_in.keys()
    );
    for (name, make) in [("missing", false), ("empty", true)] {
        let dir = scratch(&format!("reproduce-{name}"));
        let out = dir.join("generated");
        if make {
            std::fs::create_dir(&out).unwrap();
        }
        let (code, _, stderr) = xtask(&["regen", "--out", &out.display().to_string()]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let written = tree(&out);
        // Every file and directory, byte for byte, and no other.
        let differing: Vec<&String> = checked_in
            .keys()
            .chain(written.keys())
            .filter(|path| checked_in.get(*path) != written.get(*path))
            .collect();
        assert!(differing.is_empty(), "{name}: differs in {differing:?}");
        // Nothing left beside it: lock and staging tree are gone.
        let beside: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n != "generated")
            .collect();
        assert!(beside.is_empty(), "{name}: {beside:?}");
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn git_ignores_what_regen_keeps_beside_generated() {
    let names = [
        ".generated.regen-lock",
        ".generated.regen-1234",
        ".generated.regen-old-1234",
    ];
    let checked = std::process::Command::new("git")
        .arg("check-ignore")
        .args(names)
        .current_dir(workspace_root())
        .output();
    let output = match checked {
        // 0: all ignored; 1: some not; 128: not a repository (or no git).
        Ok(output) if output.status.code() != Some(128) => output,
        _ => {
            httpserv_tests::support::skipped("not a git checkout, or no git");
            return;
        }
    };
    let ignored = String::from_utf8_lossy(&output.stdout);
    for name in names {
        assert!(
            ignored.lines().any(|line| line == name),
            "{name} is not ignored: {ignored}"
        );
    }
    // And the crate itself is not.
    let crate_dir = std::process::Command::new("git")
        .args(["check-ignore", "-q", "generated/src/lib.rs"])
        .current_dir(workspace_root())
        .status()
        .unwrap();
    assert_eq!(crate_dir.code(), Some(1), "generated/ is ignored");
}

#[test]
fn output_is_independent_of_checkout_path_and_line_endings() {
    let header = read(&workspace_root().join("headers/httpserv.h"));
    assert!(!header.contains('\r'));
    let crlf = header.replace('\n', "\r\n");
    let mut outputs = Vec::new();
    let mut scratches = Vec::new();
    for (name, text) in [("first/place", &header), ("second/other/place", &crlf)] {
        let scratch_dir = scratch(&name.replace('/', "-"));
        scratches.push(scratch_dir.clone());
        let dir = scratch_dir.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("httpserv.h"), text).unwrap();
        let out = dir.join("out");
        let header_arg = dir.join("httpserv.h").display().to_string();
        let (code, _, stderr) = xtask(&[
            "regen",
            "--header",
            &header_arg,
            "--out",
            &out.display().to_string(),
        ]);
        assert_eq!(code, 0, "{stderr}");
        outputs.push(owned_files(&out));
    }
    assert!(
        outputs[0] == outputs[1],
        "LF and CRLF copies in different places differ"
    );
    assert!(outputs[0].len() > 40, "{:?}", outputs[0].keys());
    for (path, text) in &outputs[0] {
        if path.ends_with(".rs") {
            assert!(
                text.starts_with("// Generated by `cargo xtask regen` from httpserv.h"),
                "{path}"
            );
        }
        assert!(!text.contains(&std::env::temp_dir().display().to_string()));
        assert!(!text.contains(&workspace_root().display().to_string()));
    }
    for dir in scratches {
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn output_is_independent_of_the_number_of_emit_threads() {
    let header = workspace_root().join("headers/httpserv.h");
    let api = generator::parse::parse(&xtask::parse_options(&header)).unwrap();
    let model = generator::layout::LaidOutApi::new(api).unwrap();
    let provenance = generator::emit::Provenance {
        input: "headers/httpserv.h".into(),
    };
    let idioms = generator::idiom::Idioms::new(&model);
    let emit = |threads| {
        generator::emit::emit_with_threads(&model, &idioms, &provenance, threads).unwrap()
    };
    let single = emit(1);
    let checked_in: BTreeMap<String, String> = owned_files(&workspace_root().join("generated"))
        .into_iter()
        .filter_map(|(path, text)| Some((path.strip_prefix("src/bindings/")?.to_string(), text)))
        .collect();
    assert_eq!(single.files, checked_in);
    // More workers than files, too.
    for threads in [2, 3, 67, 500] {
        let parallel = emit(threads);
        assert!(
            parallel == single,
            "{threads} threads give different text than one"
        );
    }
}

fn abi_fixture(name: &str) -> String {
    workspace_root()
        .join(format!("tests/fixtures/abi_diff/{name}.h"))
        .display()
        .to_string()
}

#[test]
fn regen_reports_api_changes_and_refuses_breaking_ones() {
    let dir = scratch("breaking");
    let out = dir.join("generated");
    let out_arg = out.display().to_string();
    let (code, _, stderr) = xtask(&["regen", "--header", &abi_fixture("iis7"), "--out", &out_arg]);
    assert_eq!(code, 0, "{stderr}");
    let manifest = read(&out.join("abi.json"));
    let bindings = owned_files(&out);

    // A compatible update (appended methods, new interfaces) is reported and written.
    let compatible = dir.join("compatible");
    let _ = std::fs::create_dir_all(&compatible);
    let copy_of = |from: &Path, to: &Path| {
        for (file, text) in owned_files(from) {
            std::fs::create_dir_all(to.join(&file).parent().unwrap()).unwrap();
            std::fs::write(to.join(file), text).unwrap();
        }
    };
    copy_of(&out, &compatible);
    let compatible_arg = compatible.display().to_string();
    let (code, stdout, stderr) = xtask(&[
        "regen",
        "--header",
        &abi_fixture("current"),
        "--out",
        &compatible_arg,
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.starts_with("compatible: "), "{stdout}");
    assert!(stdout.contains("regen: "), "{stdout}");

    // A breaking one is reported and refused: nothing changes on disk.
    let (code, stdout, stderr) = xtask(&[
        "regen",
        "--header",
        &abi_fixture("overload_inserted"),
        "--out",
        &out_arg,
    ]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("BREAKING: "), "{stdout}");
    assert!(stdout.contains("inserted at slot"), "{stdout}");
    assert!(stderr.contains("--allow-breaking"), "{stderr}");
    assert_eq!(read(&out.join("abi.json")), manifest);
    assert_eq!(owned_files(&out), bindings);

    // Unless the maintainer says so.
    let (code, stdout, stderr) = xtask(&[
        "regen",
        "--header",
        &abi_fixture("overload_inserted"),
        "--out",
        &out_arg,
        "--allow-breaking",
    ]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_ne!(read(&out.join("abi.json")), manifest);

    // A damaged manifest is an error, not silently replaced.
    std::fs::write(out.join("abi.json"), "{ not json").unwrap();
    let (code, _, stderr) = xtask(&["regen", "--header", &abi_fixture("iis7"), "--out", &out_arg]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not a valid ABI manifest") && stderr.contains("--allow-breaking"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
