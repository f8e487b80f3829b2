//! libclang missing: exit 2 with how to install it, output untouched (own test binary:
//! clang-sys loads libclang per thread from LIBCLANG_PATH). A libclang of the wrong version
//! or one that crashes is covered by xtask/tests/parse_isolation.rs.

use httpserv_tests::support::{workspace_root, xtask};

#[test]
fn missing_libclang_is_exit_2_with_install_hint() {
    let dir = std::env::temp_dir().join(format!("httpserv-rs-no-libclang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::env::set_var("LIBCLANG_PATH", &dir);
    let out = dir.join("generated");
    let run = xtask(&[
        "regen",
        "--header",
        &workspace_root()
            .join("tests/fixtures/uuid.h")
            .display()
            .to_string(),
        "--out",
        &out.display().to_string(),
    ]);
    let stderr = run.stderr;
    assert_eq!(run.code, 2, "{stderr}");
    assert!(
        stderr.contains("apt-get install libclang-19-dev"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing may be written");
    let _ = std::fs::remove_dir_all(dir);
}
