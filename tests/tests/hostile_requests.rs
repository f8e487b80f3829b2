//! One hostile request must not stop the IIS host (issue 32). Over raw TCP on loopback, one
//! connection at a time, the host of `tests/iis_host` (under wine, with `hello_module` and
//! `minimal_module`, Rust DLLs then their C++ twins) gets very long URLs and query strings
//! (60 KB, 200 KB, 2 MB), oversized and numerous headers, invalid UTF-8 and NULs in path,
//! query and header values, unknown and malformed methods, HTTP/1.0, pipelined requests, a
//! client sending its request a byte at a time, and a Host no URL is registered for; after
//! each, an ordinary request must be answered.
//!
//! Each answer is told by who gave it: the pipeline (a module's `X-Powered-By` is on it), the
//! host answering as http.sys would (`Server: Microsoft-HTTPAPI/2.0`, its error page), wine's
//! http.sys itself (its bare 400), or nobody (wine closed the connection or never delivered
//! the request). Every case lists what it may get here, the host's answer where wine delivers
//! the request and wine's where it does not (tests/iis_host/README.md sets both beside what
//! IIS gives). The host's log must agree: as many requests served and refused as answered
//! so. Bounded: 27 cases, seconds each at most.

#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../iis_host/raw_http.rs"]
#[allow(dead_code)] // vanishing clients: request_bodies.rs; exchange_raw: response_splitting.rs
mod raw_http;

use harness::{Arch, Build, HostProcess, Tools};
use httpserv_tests::support::workspace_root;
use raw_http::{exchange, exchange_past_wine, Outcome, Pace, Response};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (tests/iis_host.rs takes offsets below 100).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (100 + offset) * 7
}

/// Who answered a request.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Answer {
    /// The pipeline, with this status.
    Pipeline(u16),
    /// The host on http.sys's behalf: status and the heading of http.sys's error page.
    HttpSys(u16, &'static str),
    /// wine's http.sys itself: its 400, then it closes the connection.
    Wine400,
    /// The connection closed with no answer: wine's http.sys dropped the request.
    Closed,
    /// No answer and no close: wine's http.sys never delivered the request (it delivers none
    /// for a Host it has no URL for, and can stop reading a request larger than its buffer).
    Silent,
}

const URL_TOO_LONG: Answer = Answer::HttpSys(414, "Request URL Too Long");
const FIELD_TOO_LONG: Answer = Answer::HttpSys(400, "Bad Request - Header Field Too Long");
const REQUEST_TOO_LONG: Answer = Answer::HttpSys(400, "Bad Request - Request Too Long");
const INVALID_URL: Answer = Answer::HttpSys(400, "Bad Request - Invalid URL");
const HTTP_SYS_HEADINGS: &[&str] = &[
    "Request URL Too Long",
    "Bad Request - Header Field Too Long",
    "Bad Request - Request Too Long",
    "Bad Request - Invalid URL",
];

struct Case {
    name: &'static str,
    request: Vec<u8>,
    pace: Pace,
    /// Responses to read (pipelined requests have several).
    responses: usize,
    /// What may answer, per response.
    allowed: Vec<Answer>,
    /// Text the first pipeline answer's body must hold.
    body: Option<&'static str>,
}

fn case(name: &'static str, request: Vec<u8>, allowed: &[Answer]) -> Case {
    Case {
        name,
        request,
        pace: Pace::Whole,
        responses: 1,
        allowed: allowed.to_vec(),
        body: None,
    }
}

fn get(port: u16, target: &[u8], headers: &[u8]) -> Vec<u8> {
    let mut request = b"GET ".to_vec();
    request.extend_from_slice(target);
    request.extend_from_slice(format!(" HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n").as_bytes());
    request.extend_from_slice(headers);
    request.extend_from_slice(b"\r\n");
    request
}

fn query_of(bytes: usize) -> Vec<u8> {
    [b"/hello?q=".to_vec(), vec![b'a'; bytes]].concat()
}

fn headers(count: usize, line: impl Fn(usize) -> String) -> Vec<u8> {
    (0..count).flat_map(|i| line(i).into_bytes()).collect()
}

/// The URLs and headers within what wine delivers, beyond http.sys's limits or not.
fn limit_cases(port: u16) -> Vec<Case> {
    use Answer::*;
    vec![
        case(
            "query of 60 KB",
            get(port, &query_of(60_000), b""),
            &[URL_TOO_LONG],
        ),
        case(
            "query of 16,000 bytes",
            get(port, &query_of(16_000), b""),
            &[Pipeline(200)],
        ),
        case(
            "path segment of 300 characters",
            get(port, &[b"/".to_vec(), vec![b's'; 300]].concat(), b""),
            &[INVALID_URL],
        ),
        case(
            "header of 20 KB",
            get(port, b"/hello", big_header(20_000).as_bytes()),
            &[FIELD_TOO_LONG],
        ),
        case(
            "2,000 headers",
            get(
                port,
                b"/hello",
                &headers(2000, |i| format!("X-H{i}: v\r\n")),
            ),
            &[REQUEST_TOO_LONG],
        ),
        case(
            "500 headers",
            get(port, b"/hello", &headers(500, |i| format!("X-H{i}: v\r\n"))),
            &[Pipeline(200)],
        ),
    ]
}

fn big_header(bytes: usize) -> String {
    format!("X-Big: {}\r\n", "b".repeat(bytes))
}

/// Requests near or past what wine's http.sys reads of a connection (about 128 KiB here):
/// refused by the host when wine delivers them, else dropped (closed, or left unread). Last:
/// wine's http.sys may stop serving after dropping one.
fn oversized_cases(port: u16) -> Vec<Case> {
    use Answer::*;
    vec![
        case(
            "header of 100 KB",
            get(port, b"/hello", big_header(100_000).as_bytes()),
            &[FIELD_TOO_LONG, Closed, Silent],
        ),
        // The most HTTP_REQUEST per byte of request: the receive buffer's worst case.
        case(
            "30,000 empty headers",
            get(port, b"/hello", &b"a:\r\n".repeat(30_000)),
            &[REQUEST_TOO_LONG, Closed, Silent],
        ),
        case(
            "query of 200 KB",
            get(port, &query_of(200_000), b""),
            &[URL_TOO_LONG, Closed, Silent],
        ),
        case(
            "URL of 2 MB",
            get(port, &query_of(2 << 20), b""),
            &[URL_TOO_LONG, Closed, Silent],
        ),
    ]
}

fn encoding_cases(port: u16) -> Vec<Case> {
    use Answer::*;
    let mut nul_query = case(
        "%00 in the query",
        get(port, b"/hello?name=a%00b", b""),
        &[Pipeline(200)],
    );
    nul_query.body = Some("Hello, a%00b!\n");
    vec![
        case(
            "%00 in the path",
            get(port, b"/hel%00lo", b""),
            &[INVALID_URL],
        ),
        nul_query,
        case(
            "%00 in a header value",
            get(port, b"/hello", b"X-Echo: a%00b\r\n"),
            &[Pipeline(200)],
        ),
        case(
            "NUL byte in a header value",
            get(port, b"/hello", b"X-Echo: a\0b\r\n"),
            &[Pipeline(200), Wine400],
        ),
        case(
            "invalid UTF-8 escapes in the path",
            get(port, b"/h%FF%FEllo", b""),
            &[Pipeline(404)],
        ),
        case(
            "invalid UTF-8 escapes in the query",
            get(port, b"/hello?name=%FF%FE", b""),
            &[Pipeline(200)],
        ),
        case(
            "invalid UTF-8 bytes in the path",
            get(port, b"/h\xFF\xFEllo", b""),
            &[Pipeline(404), Wine400],
        ),
        case(
            "invalid UTF-8 bytes in a header value",
            get(port, b"/hello", b"X-Echo: a\xFF\xFEb\r\n"),
            &[Pipeline(200), Wine400],
        ),
    ]
}

fn protocol_cases(port: u16) -> Vec<Case> {
    use Answer::*;
    let host = format!("Host: 127.0.0.1:{port}\r\n");
    let line = |text: &str| [text.as_bytes(), host.as_bytes(), b"\r\n"].concat();
    let mut pipelined = case(
        "three pipelined requests",
        [
            line("GET /hello?name=1 HTTP/1.1\r\n"),
            line("GET /hello?name=2 HTTP/1.1\r\n"),
            line("GET /hello?name=3 HTTP/1.1\r\n"),
        ]
        .concat(),
        &[Pipeline(200)],
    );
    pipelined.responses = 3;
    let mut slow = case(
        "a request a byte at a time",
        get(port, b"/hello?name=slow", b""),
        &[Pipeline(200)],
    );
    slow.pace = Pace::ByteByByte(Duration::from_millis(5));
    slow.body = Some("Hello, slow!\n");
    let mut old = case(
        "HTTP/1.0",
        line("GET /hello?name=old HTTP/1.0\r\n"),
        &[Pipeline(200)],
    );
    old.body = Some("Hello, old!\n");
    vec![
        case(
            "unknown method FOO",
            line("FOO /hello HTTP/1.1\r\n"),
            &[Pipeline(200)],
        ),
        // wine's http.sys matches methods by prefix: G is GET there.
        case(
            "unknown method G",
            line("G /hello HTTP/1.1\r\n"),
            &[Pipeline(200)],
        ),
        case(
            "malformed method G(T",
            line("G(T /hello HTTP/1.1\r\n"),
            &[Wine400],
        ),
        old,
        case(
            "HTTP/1.0 without Host",
            b"GET /hello HTTP/1.0\r\n\r\n".to_vec(),
            &[Pipeline(200), Wine400],
        ),
        case(
            "not HTTP: a TLS hello",
            [&[0x16u8, 3, 1, 2, 0, 1, 0, 1, 0xfc, 3, 3][..], &[b'x'; 100]].concat(),
            &[Wine400],
        ),
        pipelined,
        slow,
        case(
            "a Host no URL is registered for",
            b"GET /hello HTTP/1.1\r\nHost: example.com\r\n\r\n".to_vec(),
            &[Silent],
        ),
    ]
}

fn all_cases(port: u16) -> Vec<Case> {
    [
        limit_cases(port),
        encoding_cases(port),
        protocol_cases(port),
        oversized_cases(port),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Who answered `response`.
fn answer_of(response: &Response) -> Answer {
    if response.header("Server") == Some("Microsoft-HTTPAPI/2.0") {
        let text = response.text();
        let heading = HTTP_SYS_HEADINGS
            .iter()
            .find(|h| text.contains(&format!("<h2>{h}</h2>")))
            .unwrap_or_else(|| panic!("not one of http.sys's pages: {response:?}"));
        return Answer::HttpSys(response.status, heading);
    }
    if response.header("X-Powered-By").is_some() {
        return Answer::Pipeline(response.status);
    }
    let wine = response.status == 400 && response.header("Content-Language") == Some("en");
    assert!(wine, "an answer from nobody known: {response:?}");
    Answer::Wine400
}

/// What `case` got, one answer per response expected.
fn answers(case: &Case, outcome: &Outcome) -> Vec<Answer> {
    let (answered, end) = match outcome {
        Outcome::Answered(answered) => (answered, None),
        Outcome::Closed { answered, .. } => (answered, Some(Answer::Closed)),
        Outcome::Silent { answered } => (answered, Some(Answer::Silent)),
    };
    let mut got: Vec<Answer> = answered.iter().map(answer_of).collect();
    got.extend(end);
    if let (Some(text), Some(first)) = (case.body, answered.first()) {
        assert_eq!(first.text(), text, "{}: {first:?}", case.name);
    }
    got
}

/// The ordinary request every case is followed by (sent again if wine lost it).
fn still_serving(port: u16, host: &HostProcess, retries: &mut usize) -> Result<(), String> {
    let request = get(port, b"/hello?name=after", b"");
    let taken = || host.requests_seen();
    let timeout = Duration::from_secs(5);
    match exchange_past_wine(port, &request, Pace::Whole, 1, timeout, &taken, retries) {
        Outcome::Answered(r) if r[0].status == 200 && r[0].text() == "Hello, after!\n" => Ok(()),
        other => Err(format!("an ordinary request got {other:?}")),
    }
}

/// Requests served by the pipeline and refused on http.sys's behalf, as counted from answers.
#[derive(Default, Debug)]
struct Tally {
    served: usize,
    refused: usize,
}

impl Tally {
    fn add(&mut self, got: &[Answer]) {
        self.served += got
            .iter()
            .filter(|a| matches!(a, Answer::Pipeline(_)))
            .count();
        self.refused += got
            .iter()
            .filter(|a| matches!(a, Answer::HttpSys(..)))
            .count();
    }
}

/// The requests among `got` the host took.
fn count(got: &[Answer]) -> usize {
    got.iter()
        .filter(|a| matches!(a, Answer::Pipeline(_) | Answer::HttpSys(..)))
        .count()
}

/// Runs every case against a host of `modules`; what each got, and the tally.
fn run_cases(
    tools: &Tools,
    build: &Build,
    language: &str,
    modules: &[(String, PathBuf)],
    port: u16,
) -> Vec<(&'static str, Vec<Answer>)> {
    let mut host = HostProcess::start(
        tools,
        build,
        &out_dir(),
        &format!("hostile-{language}"),
        modules,
        port,
        &["--trace"],
    );
    // Requests wine drops unread can leave its http.sys in a bad state for whoever is next.
    host.fresh_wine_after();
    let mut tally = Tally::default();
    let mut results = Vec::new();
    let mut dropped = None;
    let mut retries = 0;
    for case in &all_cases(port) {
        let started = Instant::now();
        let seen = host.requests_seen();
        // Where wine may leave a request unanswered, the wait is short.
        let quiet = case.allowed.contains(&Answer::Silent);
        let timeout = Duration::from_secs(if quiet { 3 } else { 5 });
        // wine loses some requests it should deliver: sent again when the host never had
        // them. Where it may rightly leave one unanswered, once.
        let outcome = if quiet {
            exchange(port, &case.request, case.pace, case.responses, timeout)
        } else {
            let taken = || host.requests_seen();
            let (request, pace, responses) = (&case.request, case.pace, case.responses);
            exchange_past_wine(
                port,
                request,
                pace,
                responses,
                timeout,
                &taken,
                &mut retries,
            )
        };
        let got = answers(case, &outcome);
        let expected = got.len() == case.responses && got.iter().all(|a| case.allowed.contains(a));
        let problem = match expected {
            true => still_serving(port, &host, &mut retries).err(),
            false => Some(format!(
                "{} got {got:?} ({outcome:?}); allowed: {:?}",
                case.name, case.allowed
            )),
        };
        if let Some(problem) = problem {
            // A request the host never received, sent five times, is wine's to have lost:
            // its http.sys has stopped serving. Anything else is the host's failure.
            let wine = host.running() && host.requests_seen() == seen + count(&got);
            assert!(wine, "{language}: {problem}\n{}", host.output());
            let before = dropped.map_or(String::new(), |d| format!(", having dropped {d}"));
            eprintln!(
                "WINE: {language}: at {}, wine's http.sys stopped serving{before}: sent five \
                 times, a request never reached the host ({problem}); the remaining cases are \
                 not sent",
                case.name
            );
            break;
        }
        tally.add(&got);
        tally.served += 1;
        if got
            .iter()
            .any(|a| matches!(a, Answer::Closed | Answer::Silent))
        {
            dropped = Some(case.name);
        }
        eprintln!(
            "{language}: {} -> {got:?} in {:.1?}",
            case.name,
            started.elapsed()
        );
        results.push((case.name, got));
    }
    if retries > 0 {
        eprintln!("WINE: {language}: {retries} requests lost by wine's http.sys were sent again");
    }
    check_log(host, language, &tally);
    results
}

/// The host's own count must be the answers': what was not answered never reached it. When
/// wine's http.sys stopped serving before `/__shutdown` (see `HostProcess::stop`), that is
/// reported and the count is still checked.
fn check_log(host: HostProcess, language: &str, tally: &Tally) {
    let stopped = host.stop();
    let (stdout, stderr) = (&stopped.stdout, &stopped.stderr);
    let context = format!("{language} host output:\n{stdout}\nstderr:\n{stderr}");
    if stopped.wine_stopped_serving {
        eprintln!("WINE: {language}: wine's http.sys stopped serving before /__shutdown");
    } else {
        assert_eq!(stopped.code, Some(0), "{context}");
    }
    assert_eq!(harness::failed_response(stdout), None, "{context}");
    assert_eq!(
        harness::requests_in(stdout),
        tally.served + tally.refused,
        "requests the host took, against {tally:?}\n{context}"
    );
    let refusals = stdout
        .lines()
        .filter(|l| l.starts_with("host: refused a request"))
        .count();
    assert_eq!(refusals, tally.refused, "{context}");
}

#[test]
fn hostile_requests_leave_the_host_serving() {
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!(
                "hostile requests to the IIS host: {reason}"
            ));
            return;
        }
    };
    let started = Instant::now();
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let built = started.elapsed();
    let names = ["minimal_module", "hello_module"];
    let rust = run_cases(
        &tools,
        &build,
        "Rust",
        &harness::only(&build.rust, &names),
        port(0),
    );
    let cpp = run_cases(
        &tools,
        &build,
        "C++",
        &harness::only(&build.cpp, &names),
        port(1),
    );
    // The same answers from both languages, where wine leaves only one possible.
    let cases = all_cases(0);
    for ((name, r), (_, c)) in rust.iter().zip(&cpp) {
        let case = cases.iter().find(|c| c.name == *name).unwrap();
        if case.allowed.len() == 1 {
            assert_eq!(r, c, "{name}: Rust and C++ differ");
        }
    }
    eprintln!(
        "hostile requests: built in {built:.1?}, both languages served in {:.1?}",
        started.elapsed() - built
    );
}
