//! The hostile requests of issue 32, as raw HTTP, with what may answer each: the pipeline
//! (a module's `X-Powered-By` is on its answer), IIS's request filtering ahead of the modules
//! (a bare error body, no module header), http.sys's refusal (`Server:
//! Microsoft-HTTPAPI/2.0`, its error page), wine's http.sys itself (its bare 400), or nobody.
//! `tests/tests/hostile_requests.rs` sends them to the IIS host under wine, and gives the
//! test server the ones it can express (`as_test_request`), which must answer what IIS
//! answers.

use crate::raw_http::{Pace, Response};
use std::time::Duration;

/// Who answered a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Answer {
    /// The pipeline, with this status.
    Pipeline(u16),
    /// IIS's request filtering, with this status (404.14, 404.15, 413.1), before any module's
    /// BEGIN_REQUEST.
    Filtered(u16),
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

pub struct Case {
    pub name: &'static str,
    pub request: Vec<u8>,
    pub pace: Pace,
    /// Responses to read (pipelined requests have several).
    pub responses: usize,
    /// What may answer, per response.
    pub allowed: Vec<Answer>,
    /// Text the first pipeline answer's body must hold.
    pub body: Option<&'static str>,
}

pub fn case(name: &'static str, request: Vec<u8>, allowed: &[Answer]) -> Case {
    Case {
        name,
        request,
        pace: Pace::Whole,
        responses: 1,
        allowed: allowed.to_vec(),
        body: None,
    }
}

pub fn get(port: u16, target: &[u8], headers: &[u8]) -> Vec<u8> {
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
            &[Filtered(404)],
        ),
        // /hello?q= and the query: maxQueryString counts what follows `?`.
        case(
            "query of 2,048 bytes",
            get(port, &query_of(2046), b""),
            &[Pipeline(200)],
        ),
        case(
            "query of 2,049 bytes",
            get(port, &query_of(2047), b""),
            &[Filtered(404)],
        ),
        case(
            "path of 4,096 bytes",
            get(port, &path_of(4096), b""),
            &[Pipeline(404)],
        ),
        case(
            "path of 4,097 bytes",
            get(port, &path_of(4097), b""),
            &[Filtered(404)],
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

/// A path of `len` bytes in segments of 199 characters (within http.sys's 260).
fn path_of(len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| if i % 200 == 0 { b'/' } else { b'p' })
        .collect()
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

pub fn all_cases(port: u16) -> Vec<Case> {
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
pub fn answer_of(response: &Response) -> Answer {
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
    // No module began the request: IIS's error page for request filtering's status.
    let filtered = format!("<h3>HTTP Error {}.", response.status);
    if matches!(response.status, 404 | 413) && response.text().contains(&filtered) {
        return Answer::Filtered(response.status);
    }
    let wine = response.status == 400 && response.header("Content-Language") == Some("en");
    assert!(wine, "an answer from nobody known: {response:?}");
    Answer::Wine400
}

/// What IIS answers `case` with: what it may get, but what wine alone does.
pub fn iis_answers(case: &Case) -> Vec<Answer> {
    let wine = [Answer::Wine400, Answer::Closed, Answer::Silent];
    case.allowed
        .iter()
        .copied()
        .filter(|answer| !wine.contains(answer))
        .collect()
}

/// The requests of `case` as the test server takes them (method, target, version, headers;
/// the test server adds `Host: localhost` where there is none), or `None` for what is no
/// HTTP request (a TLS hello, a malformed method) or is a matter of the connection (a Host
/// no URL is registered for).
pub fn as_test_requests(case: &Case) -> Option<Vec<httpserv::testing::Request>> {
    let mut requests = Vec::new();
    let mut rest = &case.request[..];
    while !rest.is_empty() {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = &rest[..end];
        rest = &rest[end + 4..];
        let mut lines = head
            .split(|&b| b == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
        let mut line = lines.next()?.splitn(3, |&b| b == b' ');
        let method = std::str::from_utf8(line.next()?).ok()?;
        let target = line.next()?;
        let version = line.next()?.strip_prefix(b"HTTP/1.")?;
        if !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return None;
        }
        let mut request = httpserv::testing::Request::new(method, target)
            .version(1, u16::from(version.first()? - b'0'));
        for line in lines {
            let colon = line.iter().position(|&b| b == b':')?;
            let value = line[colon + 1..].trim_ascii();
            if line[..colon].eq_ignore_ascii_case(b"Host") && !value.starts_with(b"127.0.0.1") {
                return None;
            }
            request = request.header(&line[..colon], value);
        }
        requests.push(request);
    }
    Some(requests)
}
