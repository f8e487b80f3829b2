//! A missing clang-19 is a tool error: exit 2 with the install command (own test binary:
//! the override is a process-wide environment variable).

#[test]
fn missing_clang_is_exit_2_with_install_hint() {
    std::env::set_var("HTTPSERV_RS_CLANG", "/nonexistent/clang-19");
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = xtask::run(&["check-abi".to_string()], &mut stdout, &mut stderr);
    std::env::remove_var("HTTPSERV_RS_CLANG");
    let stderr = String::from_utf8(stderr).unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("apt-get install clang-19"), "{stderr}");
    assert!(stdout.is_empty());
}
