//! A libclang parse that runs past its time limit is reported as an error instead of hanging
//! regen (own test binary: the limit is a process-wide environment variable).

#[test]
fn a_parse_over_the_time_limit_is_an_error() {
    // A header that makes the preprocessor loop long enough to hit a 1 s limit.
    let dir = std::env::temp_dir().join(format!("httpserv-rs-slow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let header = dir.join("slow.h");
    std::fs::write(&header, SLOW_HEADER).unwrap();
    std::env::set_var("HTTPSERV_RS_PARSE_TIMEOUT", "1");
    let result = generator::parse::parse(&httpserv_tests::support::options(header));
    std::env::remove_var("HTTPSERV_RS_PARSE_TIMEOUT");
    let message = result.expect_err("the parse must time out").to_string();
    assert!(
        message.contains("did not finish parsing within 1 s"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Exponential macro expansion: 2^26 tokens.
const SLOW_HEADER: &str = "#define A0 x\n#define A1 A0 A0\n#define A2 A1 A1\n#define A3 A2 A2\n\
#define A4 A3 A3\n#define A5 A4 A4\n#define A6 A5 A5\n#define A7 A6 A6\n#define A8 A7 A7\n\
#define A9 A8 A8\n#define A10 A9 A9\n#define A11 A10 A10\n#define A12 A11 A11\n#define A13 A12 A12\n\
#define A14 A13 A13\n#define A15 A14 A14\n#define A16 A15 A15\n#define A17 A16 A16\n\
#define A18 A17 A17\n#define A19 A18 A18\n#define A20 A19 A19\n#define A21 A20 A20\n\
#define A22 A21 A21\n#define A23 A22 A22\n#define A24 A23 A23\n#define A25 A24 A24\n\
#define A26 A25 A25\nint v[] = { A26 };\n";
