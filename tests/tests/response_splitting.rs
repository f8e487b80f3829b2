//! No response splitting on the wire (issue 31). `splitting_module` (tests/examples, raw
//! calls through the generated classes, which check nothing) and its C++ twin
//! (tests/iis_host/modules/splitting_module.cpp) run in the IIS host of `tests/iis_host`
//! under wine and try what would split the answer if the host passed it to http.sys: a CR LF
//! in header values (by name and by id, of the response and of the request), in a header
//! name, a redirect target, a reason phrase and a server variable, a NUL in a value. Each
//! reports the `HRESULT` of every call in its body.
//!
//! The bytes received over TCP must hold no injected header line, no `Location`, the status
//! line `HTTP/1.1 200 OK` and only well-formed header lines; every call that could split got
//! `E_INVALIDARG`; each of the 256 octets in a header value and name, a reason phrase, a
//! redirect target and a server variable was taken or refused as RFC 9110 says; the valid
//! header a module set is there byte for byte; and the body is the
//! one the same Rust module gives in the in-process test server, byte for byte, from both
//! languages.

#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../iis_host/raw_http.rs"]
#[allow(dead_code)] // the other clients are hostile_requests.rs's and request_bodies.rs's
mod raw_http;
#[path = "../examples/splitting_module.rs"]
mod splitting_module;

use harness::{Arch, HostProcess};
use httpserv::testing::{Request, TestServer};
use httpserv_tests::support::workspace_root;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (iis_host.rs takes offsets below 100, hostile_requests.rs the 100s,
/// request_bodies.rs the 200s).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (300 + offset) * 7
}

/// The calls that could split the answer: each must be refused.
const REFUSED: &[&str] = &[
    "response.SetHeader(X-Echo, CRLF in the value)",
    "response.SetHeader(HttpHeaderContentLanguage, CRLF in the value)",
    "response.SetHeader(CRLF in the name)",
    "response.SetHeader(X-Nul, NUL in the value)",
    "response.Redirect(CRLF in the URL)",
    "response.SetStatus(200, CRLF in the reason)",
    "request.SetHeader(X-Fwd, CRLF in the value)",
    "request.SetHeader(HttpHeaderReferer, CRLF in the value)",
    "context.SetServerVariable(RESPONSE_X, CRLF in the value)",
];

/// RFC 9110's `token`, written here independently of the host's and the servers'.
fn token(name: &[u8]) -> bool {
    let tchar = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    !name.is_empty() && name.iter().all(tchar)
}

/// The octets of a field value: HTAB, SP, VCHAR, obs-text.
fn field(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == b'\t' || b == b' ' || (0x21..0x7f).contains(&b) || b >= 0x80)
}

/// The bytes of the answer, checked: the status line, then only `token: field-value` lines
/// (no bare CR, no injected line, no `Location`), `X-Valid` as the module set it. Returns
/// the body.
fn check_wire(label: &str, raw: &[u8]) -> Vec<u8> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("{label}: no end of head in {shown:?}"));
    // Each line of the head with its CR LF: the last piece after the final LF is empty.
    let mut lines = raw[..end + 2].split(|&b| b == b'\n');
    assert_eq!(lines.next_back(), Some(&b""[..]));
    let status = lines.next().unwrap_or_default();
    assert_eq!(status, b"HTTP/1.1 200 OK\r", "{label}: {shown:?}");
    let mut valid = None;
    for line in lines {
        let line = line
            .strip_suffix(b"\r")
            .unwrap_or_else(|| panic!("{label}: a line ends in a bare LF: {shown:?}"));
        let colon = line.iter().position(|&b| b == b':');
        let (name, value) = line.split_at(colon.unwrap_or_else(|| panic!("{label}: {shown:?}")));
        assert!(token(name), "{label}: header name {name:?} in {shown:?}");
        assert!(field(&value[1..]), "{label}: value {value:?} in {shown:?}");
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        assert!(!name.contains("injected"), "{label}: {shown:?}");
        assert!(!matches!(
            name.as_str(),
            "location" | "x-echo" | "x-nul" | "content-language"
        ));
        if name == "x-valid" {
            valid = Some(value[1..].trim_ascii_start().to_vec());
        }
    }
    assert!(!shown.contains("Injected"), "{label}: {shown:?}");
    assert_eq!(
        valid.as_deref(),
        Some(&b"a\tb \xe9"[..]),
        "{label}: {shown:?}"
    );
    raw[end + 4..].to_vec()
}

/// A kind of text the module sweeps: its name, whether an octet may stand in it, and whether
/// a NUL can be passed (a length-counted value; not a C string).
type Kind = (&'static str, fn(u8) -> bool, bool);

/// What the sweep of each kind of text must show, per octet: `1` taken, `0` refused, `-` a
/// NUL a C string cannot carry.
fn sweeps() -> Vec<String> {
    let kinds: [Kind; 5] = [
        ("a header value", |o| field(&[o]), true),
        ("a header name", |o| token(&[b'X', b'-', o]), false),
        ("a reason phrase", |o| field(&[o]), false),
        ("a redirect target", |o| field(&[o]), false),
        (
            "a server variable",
            |o| !(o < 0x20 && o != b'\t' || o == 0x7f),
            false,
        ),
    ];
    kinds
        .iter()
        .map(|(what, taken, counted)| {
            let marks: String = (0..=255u8)
                .map(|o| match (o, counted, taken(o)) {
                    (0, false, _) => '-',
                    (_, _, true) => '1',
                    (_, _, false) => '0',
                })
                .collect();
            format!("octets in {what}: {marks}")
        })
        .collect()
}

/// Every call that could split got E_INVALIDARG, the others S_OK, in the module's order;
/// each octet was taken or refused as RFC 9110 says.
fn check_report(label: &str, body: &[u8]) {
    let report = String::from_utf8_lossy(body);
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 18, "{label}: {report}");
    for line in &lines[..12] {
        let (call, hr) = line.rsplit_once(' ').unwrap();
        let expected = if REFUSED.contains(&call) {
            "0x80070057"
        } else {
            "0x00000000"
        };
        assert_eq!(hr, expected, "{label}: {line}\n{report}");
    }
    assert_eq!(
        lines[12], "response.GetErrorDescription Some(\"no <such> page\")",
        "{label}"
    );
    assert_eq!(lines[13..], sweeps(), "{label}");
}

/// The answer of `module` in the host under wine: the bytes as received. A request wine's
/// http.sys loses (the host never took it) is sent again.
fn served(
    tools: &harness::Tools,
    build: &harness::Build,
    language: &str,
    module: &(String, PathBuf),
    port: u16,
) -> Vec<u8> {
    let name = format!("splitting-{language}");
    let modules = std::slice::from_ref(module);
    let host = HostProcess::start(tools, build, &out_dir(), &name, modules, port, &["--trace"]);
    let request = format!("GET /split HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut raw = None;
    for _ in 0..5 {
        let before = host.requests_seen();
        raw = raw_http::exchange_raw(port, request.as_bytes(), Duration::from_secs(10));
        if raw.is_some() {
            break;
        }
        assert_eq!(
            host.requests_seen(),
            before,
            "{language}: the host took the request and did not answer:\n{}",
            host.output()
        );
        eprintln!("WINE: {language}: the request was lost before the host; sent again");
    }
    let (_, raw) = raw.unwrap_or_else(|| panic!("{language}: no answer:\n{}", host.output()));
    let stopped = host.stop();
    let context = format!("{language}:\n{}\n{}", stopped.stdout, stopped.stderr);
    assert!(!stopped.wine_stopped_serving, "{context}");
    assert_eq!(stopped.code, Some(0), "{context}");
    assert_eq!(harness::failed_response(&stopped.stdout), None, "{context}");
    raw
}

#[test]
fn raw_calls_cannot_split_the_answer_in_the_host_or_the_test_server() {
    let in_process = TestServer::new().load("splitting_module", splitting_module::RegisterModule);
    let expected = in_process.request(Request::get("/split"));
    check_report("test server", &expected.body);
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!(
                "response splitting in the IIS host: {reason}"
            ));
            return;
        }
    };
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let rust = harness::only(&build.rust, &["splitting_module"]).remove(0);
    let cpp = harness::only(&build.cpp, &["splitting_module"]).remove(0);
    for (index, (language, module)) in [("Rust", &rust), ("C++", &cpp)].into_iter().enumerate() {
        let raw = served(&tools, &build, language, module, port(index as u16));
        let body = check_wire(language, &raw);
        check_report(language, &body);
        assert_eq!(
            String::from_utf8_lossy(&body),
            expected.text(),
            "{language}: the host and the test server answer differently"
        );
    }
}
