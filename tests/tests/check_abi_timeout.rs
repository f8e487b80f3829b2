//! Every clang-19 run of check-abi is bounded in time: a compiler that hangs is stopped
//! after `HTTPSERV_RS_CLANG_TIMEOUT` seconds and reported, exit 2 (own test binary: the
//! overrides are process-wide environment variables).

#[cfg(unix)]
#[test]
fn a_hanging_clang_is_stopped_and_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("httpserv-rs-clang-hang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // `exec`, so that killing the script kills the sleep too.
    let clang = dir.join("clang-19");
    std::fs::write(&clang, "#!/bin/sh\nexec sleep 120\n").unwrap();
    std::fs::set_permissions(&clang, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::env::set_var("HTTPSERV_RS_CLANG", &clang);
    std::env::set_var("HTTPSERV_RS_CLANG_TIMEOUT", "1");
    let header = httpserv_tests::support::fixture_path("overload_group");
    let run = httpserv_tests::support::xtask(&[
        "check-abi".to_string(),
        "--header".into(),
        header.display().to_string(),
    ]);
    std::env::remove_var("HTTPSERV_RS_CLANG");
    std::env::remove_var("HTTPSERV_RS_CLANG_TIMEOUT");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.starts_with("error: ") && run.stderr.trim_end().lines().count() == 1,
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "clang did not finish within 1 s and was stopped (set \
                             HTTPSERV_RS_CLANG_TIMEOUT to allow longer)"
        ),
        "{}",
        run.stderr
    );
}
