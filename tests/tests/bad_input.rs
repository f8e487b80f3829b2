//! Bad input: each case gives one clear message (located where there is a location), exit
//! code 2, no panic, and leaves the output directory byte-identical.

use httpserv_tests::support::{workspace_root, xtask, Run};
use std::path::{Path, PathBuf};

fn regen(header: &Path, out: &Path) -> Run {
    xtask(&[
        "regen".to_string(),
        "--header".into(),
        header.display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ])
}

/// A scratch directory unique to this test, with a sentinel "previous output".
fn scratch(test: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "httpserv-rs-bad-input-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("generated");
    std::fs::create_dir_all(out.join("src/bindings")).unwrap();
    std::fs::write(out.join("src/bindings/mod.rs"), "// previous output\n").unwrap();
    (dir, out)
}

/// Asserts exit code 2, a single-line error matching `expected`, and untouched output.
fn assert_rejected(test: &str, header: &Path, expected: &[&str]) {
    let (dir, out) = scratch(test);
    let run = regen(header, &out);
    assert_eq!(
        run.code, 2,
        "{test}: stdout={} stderr={}",
        run.stdout, run.stderr
    );
    assert!(run.stdout.is_empty(), "{test}: {}", run.stdout);
    assert!(run.stderr.starts_with("error: "), "{test}: {}", run.stderr);
    for needle in expected {
        assert!(
            run.stderr.contains(needle),
            "{test}: expected `{needle}` in: {}",
            run.stderr
        );
    }
    assert!(!run.stderr.contains("panicked") && !run.stderr.contains("backtrace"));
    assert_eq!(
        std::fs::read_to_string(out.join("src/bindings/mod.rs")).unwrap(),
        "// previous output\n",
        "{test}: output was modified"
    );
    assert!(!out.join("abi.json").exists(), "{test}: output was written");
    let _ = std::fs::remove_dir_all(dir);
}

fn error_fixture(name: &str) -> PathBuf {
    workspace_root().join(format!("tests/fixtures/errors/{name}.h"))
}

#[test]
fn missing_header() {
    assert_rejected(
        "missing",
        Path::new("/nonexistent/httpserv.h"),
        &["/nonexistent/httpserv.h: no such file"],
    );
}

#[test]
fn directory_instead_of_file() {
    let dir = workspace_root().join("headers");
    assert_rejected("directory", &dir, &["is a directory"]);
}

#[test]
fn empty_file() {
    let (dir, _) = scratch("empty-input");
    let header = dir.join("empty.h");
    std::fs::write(&header, "\n  \n").unwrap();
    assert_rejected("empty", &header, &["empty.h: is empty"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn binary_garbage() {
    let (dir, _) = scratch("binary-input");
    let header = dir.join("garbage.h");
    std::fs::write(&header, [0x7f, b'E', b'L', b'F', 0, 1, 2, 0xff, 0xfe]).unwrap();
    assert_rejected("binary", &header, &["garbage.h: is not a text file"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn syntax_error_is_located() {
    assert_rejected(
        "syntax",
        &error_fixture("syntax_error"),
        &[
            "tests/fixtures/errors/syntax_error.h:5:19: ",
            "pure-specifier",
        ],
    );
}

#[test]
fn unknown_type_is_located() {
    assert_rejected(
        "unknown-type",
        &error_fixture("unknown_type"),
        &["unknown_type.h:5:26: unknown type name 'NOT_A_REAL_TYPE'"],
    );
}

#[test]
fn multiple_inheritance_names_the_class() {
    assert_rejected(
        "multiple",
        &error_fixture("multiple_inheritance"),
        &[
            "multiple_inheritance.h:5:7: ",
            "`IBoth`",
            "multiple inheritance",
        ],
    );
}

#[test]
fn virtual_base_names_the_class() {
    assert_rejected(
        "virtual-base",
        &error_fixture("virtual_base"),
        &["virtual_base.h:4:", "`IDiamond`", "virtual base"],
    );
}

#[test]
fn template_with_virtuals_names_the_class() {
    assert_rejected(
        "template",
        &error_fixture("template_virtual"),
        &["template_virtual.h:3:", "`IBox`", "class template"],
    );
}

#[test]
fn returning_a_class_by_value_names_the_method() {
    assert_rejected(
        "by-value",
        &error_fixture("returns_class"),
        &["returns_class.h:4:", "`IShape::Origin`", "by value"],
    );
}

#[test]
fn variadic_virtual_names_the_method() {
    assert_rejected(
        "variadic",
        &error_fixture("variadic"),
        &["variadic.h:3:", "`ILogger::Log`", "variadic"],
    );
}

#[test]
fn missing_include_is_located() {
    assert_rejected(
        "missing-include",
        &error_fixture("missing_include"),
        &["missing_include.h:3:10: 'not_a_real_header.h' file not found"],
    );
}

#[test]
fn two_uuids_for_one_class_are_located() {
    assert_rejected(
        "conflicting-uuid",
        &error_fixture("conflicting_uuid"),
        &["conflicting_uuid.h:4:18: uuid does not match previous declaration"],
    );
}

#[test]
fn utf8_bom_and_crlf_are_accepted() {
    let (dir, out) = scratch("bom");
    let text =
        std::fs::read_to_string(workspace_root().join("tests/fixtures/overload_group.h")).unwrap();
    let header = dir.join("bom.h");
    std::fs::write(&header, format!("\u{feff}{}", text.replace('\n', "\r\n"))).unwrap();
    let run = regen(&header, &out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let module = std::fs::read_to_string(out.join("src/bindings/i_overloads.rs")).unwrap();
    assert!(module.contains("pub Get_HTTP_HEADER_ID: ::httpserv::runtime::member_fn!("));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unreadable_file() {
    // Permissions can't make a file unreadable for root (which CI runs as); reading
    // /proc/self/mem from offset 0 fails with an I/O error for any user.
    assert_rejected(
        "unreadable",
        Path::new("/proc/self/mem"),
        &["/proc/self/mem: cannot read: "],
    );
}
