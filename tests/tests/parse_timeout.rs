//! A libclang parse that runs past its time limit is reported as an error instead of hanging
//! the caller (own test binary: the limit is a process-wide environment variable). This is
//! the in-process (thread) isolation; xtask/tests/parse_isolation.rs covers the child process.

#[test]
fn a_parse_over_the_time_limit_is_an_error() {
    let header =
        httpserv_tests::support::workspace_root().join("tests/fixtures/errors/slow_expansion.h");
    std::env::set_var("HTTPSERV_RS_PARSE_TIMEOUT", "1");
    let result = generator::parse::parse(&httpserv_tests::support::options(header));
    std::env::remove_var("HTTPSERV_RS_PARSE_TIMEOUT");
    let message = result.expect_err("the parse must time out").to_string();
    assert!(
        message.contains("did not finish parsing within 1 s"),
        "{message}"
    );
}
