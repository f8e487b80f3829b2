//! A missing clang-19 is a tool error: exit 2 with the install command (own test binary:
//! the override is a process-wide environment variable).

#[test]
fn missing_clang_is_exit_2_with_install_hint() {
    std::env::set_var("HTTPSERV_RS_CLANG", "/nonexistent/clang-19");
    let run = httpserv_tests::support::xtask(&["check-abi"]);
    std::env::remove_var("HTTPSERV_RS_CLANG");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("apt-get install clang-19"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}
