//! A manifest (`abi.json`) already in the output directory that regen cannot use: it must
//! read it before it writes, so a manifest that is not valid UTF-8, not JSON, edited by hand
//! or unreadable is refused with one located line, exit 2 and the output untouched; only a
//! missing one counts as none.

use httpserv_tests::support::{regen, scratch_output, workspace_root};
use std::path::Path;

/// What regen says about the manifest already in the output directory when it cannot use
/// it: exit 2, one line, nothing written.
fn assert_manifest_refused(test: &str, manifest: impl FnOnce(&Path), expected: &[&str]) {
    let (dir, out) = scratch_output(test);
    let header = workspace_root().join("tests/fixtures/overload_group.h");
    let made = regen(&header, &out);
    assert_eq!(made.code, 0, "{}", made.stderr);
    manifest(&out.join("abi.json"));
    let before = std::fs::read_dir(out.join("src/bindings"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    let run = regen(&header, &out);
    assert_eq!(run.code, 2, "{test}: {}{}", run.stdout, run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    for needle in expected {
        assert!(
            run.stderr.contains(needle),
            "{test}: expected `{needle}` in {}",
            run.stderr
        );
    }
    assert!(
        run.stderr
            .contains("or rerun with --allow-breaking to replace it"),
        "{}",
        run.stderr
    );
    let after = std::fs::read_dir(out.join("src/bindings"))
        .unwrap()
        .map(|e| std::fs::read(e.unwrap().path()).unwrap())
        .collect::<Vec<_>>();
    assert_eq!(before, after, "{test}: output was modified");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_manifest_with_invalid_utf8_is_refused_not_ignored() {
    assert_manifest_refused(
        "manifest-utf8",
        |path| {
            // The source name's first letter (line 3, after `  "source": "`) made 0xFF.
            let text = std::fs::read_to_string(path).unwrap();
            let at = text.find("\"overload_group.h\"").unwrap() + 1;
            let mut bytes = text.into_bytes();
            bytes[at] = 0xff;
            std::fs::write(path, bytes).unwrap();
        },
        &["abi.json:3:14: not an ABI manifest: invalid UTF-8 (byte 0xff)"],
    );
}

#[test]
fn a_manifest_that_is_not_json_is_located() {
    assert_manifest_refused(
        "manifest-json",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            std::fs::write(path, text.replacen("\"source\"", "source", 1)).unwrap();
        },
        &["abi.json:3:3: not an ABI manifest: key must be a string"],
    );
}

#[test]
fn a_manifest_edited_by_hand_is_located() {
    assert_manifest_refused(
        "manifest-hash",
        |path| {
            let text = std::fs::read_to_string(path).unwrap();
            std::fs::write(path, text.replacen("\"x64\": 8,", "\"x64\": 16,", 1)).unwrap();
        },
        &[
            "abi.json:4:15: ABI manifest api_hash fnv1a64:",
            "was it edited by hand?",
        ],
    );
}

#[test]
fn a_manifest_that_cannot_be_read_is_refused() {
    assert_manifest_refused(
        "manifest-directory",
        |path| {
            std::fs::remove_file(path).unwrap();
            std::fs::create_dir(path).unwrap();
        },
        &["abi.json: cannot read: Is a directory"],
    );
}

#[test]
fn only_a_missing_manifest_counts_as_none() {
    let (dir, out) = scratch_output("manifest-missing");
    let header = workspace_root().join("tests/fixtures/overload_group.h");
    assert_eq!(regen(&header, &out).code, 0);
    std::fs::remove_file(out.join("abi.json")).unwrap();
    let run = regen(&header, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.join("abi.json").exists());
    let _ = std::fs::remove_dir_all(dir);
}
