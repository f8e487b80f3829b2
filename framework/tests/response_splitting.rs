//! No response splitting (CWE-113): text a module puts on the wire — header names and values,
//! reason phrases, redirect targets, server variables, request headers — is refused with
//! `E_INVALIDARG` when it could split the message, through the framework and through the raw
//! calls the test server answers, and valid text reaches the response byte for byte. The
//! cases of issue 31 first, then a property test over names, values and reasons drawn from all
//! 256 byte values, judged by an oracle written here from RFC 9110.

use httpserv::module::*;
use httpserv::runtime::{Result, E_INVALIDARG};
use httpserv::testing::{Request, Response, TestServer};
use std::ffi::CString;
use std::sync::{Arc, Mutex};

/// A module answering from `on_begin_request` by a closure.
struct Answer<F>(F);

#[httpserv::module]
impl<F> HttpModule for Answer<F>
where
    F: FnMut(&mut HttpContext<'_>) -> Notification + Send + 'static,
{
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        (self.0)(ctx)
    }
}

fn server<F>(make: impl Fn() -> F + Send + Sync + 'static) -> TestServer
where
    F: FnMut(&mut HttpContext<'_>) -> Notification + Send + 'static,
{
    TestServer::new().load_with("answer", move |registration| {
        registration.request_module(move || Answer(make()))
    })
}

fn refused(result: Result<()>) -> bool {
    matches!(result, Err(error) if error.code() == E_INVALIDARG)
}

/// RFC 9110's `token`, written here independently of the framework's and the server's.
fn oracle_token(name: &[u8]) -> bool {
    let tchar = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    !name.is_empty() && name.iter().all(tchar)
}

/// The octets of a field value and of a reason phrase: HTAB, SP, VCHAR, obs-text.
fn oracle_field(value: &[u8]) -> bool {
    value
        .iter()
        .all(|&b| b == 9 || b == b' ' || (0x21..0x7f).contains(&b) || b >= 0x80)
}

/// Nothing on the wire could split the message: every header and the reason are valid.
fn assert_unsplit(response: &Response) {
    for (name, value) in &response.raw_headers {
        assert!(oracle_token(name), "header name {name:?} was sent");
        assert!(oracle_field(value), "header value {value:?} was sent");
    }
    assert!(
        oracle_field(&response.raw_reason),
        "{:?}",
        response.raw_reason
    );
}

#[test]
fn the_three_cases_of_issue_31_are_refused_and_inject_nothing() {
    let results = Arc::new(Mutex::new(Vec::new()));
    let seen = results.clone();
    let server = server(move || {
        let seen = seen.clone();
        move |ctx: &mut HttpContext<'_>| {
            let mut seen = seen.lock().unwrap();
            seen.push(refused(
                ctx.set_response_header("X-Echo", "a\r\nX-Injected: 1"),
            ));
            seen.push(refused(ctx.set_status(200, "OK\r\nX-Status-Injected: 1")));
            seen.push(refused(ctx.set_response_header("X-Bad\r\nName", "v")));
            seen.push(refused(ctx.append_response_header("X-Echo", "a\nb")));
            seen.push(refused(
                ctx.set_request_header("X-Fwd", "a\r\nX-Injected: 1"),
            ));
            seen.push(refused(
                ctx.set_server_variable("RESPONSE_X", "a\r\nX-Injected: 1"),
            ));
            seen.push(refused(ctx.redirect("/next\r\nX-Injected: 1")));
            seen.push(refused(ctx.set_response(
                200,
                "text/plain\r\nX-Injected: 1",
                "",
            )));
            seen.push(refused(ctx.set_status(1000, "Big")));
            seen.push(ctx.request_header("X-Fwd").is_none());
            seen.push(ctx.server_variable("RESPONSE_X").is_none());
            // A body, so the server's 200 stays unless a call changed it (an untouched
            // response is a 404).
            ctx.write(b"x").unwrap();
            Notification::FinishRequest
        }
    });
    let response = server.request(Request::get("/"));
    assert_eq!(*results.lock().unwrap(), [true; 11]);
    assert_eq!((response.status, response.reason.as_str()), (200, "OK"));
    for name in [
        "X-Injected",
        "X-Status-Injected",
        "X-Echo",
        "Location",
        "Content-Type",
    ] {
        assert_eq!(response.header(name), None, "{name}");
    }
    assert_unsplit(&response);
}

#[test]
fn valid_text_is_sent_as_given() {
    let server = server(|| {
        |ctx: &mut HttpContext<'_>| {
            ctx.set_response_header("X-Tab", "a\tb \u{e9}").unwrap();
            ctx.append_response_header("X-Tab", "c").unwrap();
            ctx.set_response_header("X-Gone", "1").unwrap();
            ctx.remove_response_header("X-Gone").unwrap();
            ctx.set_status(299, "Fine \u{e9}t\u{e9}").unwrap();
            Notification::Continue
        }
    });
    let response = server.request(Request::get("/"));
    assert_eq!(response.header("X-Tab"), Some("a\tb \u{e9}, c"));
    assert_eq!(response.header("X-Gone"), None);
    assert_eq!(
        (response.status, response.reason.as_str()),
        (299, "Fine \u{e9}t\u{e9}")
    );
}

/// Deterministic xorshift: the same cases on every run, so a failure is reproducible.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Up to 12 bytes: valid text, valid text with one byte of any value put in, or bytes of
    /// any value — so both sides of every rule come up often.
    fn text(&mut self, valid: &[u8]) -> Vec<u8> {
        let len = (self.next() % 13) as usize;
        let mode = self.next() % 3;
        let mut text: Vec<u8> = (0..len)
            .map(|_| match mode {
                2 => self.next() as u8,
                _ => valid[(self.next() % valid.len() as u64) as usize],
            })
            .collect();
        if mode == 1 {
            let at = (self.next() % (text.len() as u64 + 1)) as usize;
            text.insert(at, self.next() as u8);
        }
        text
    }
}

/// One case: a header and a reason, and how each call answered.
#[derive(Clone, Default)]
struct Case {
    name: Vec<u8>,
    value: Vec<u8>,
    reason: Vec<u8>,
    /// Through the framework (`None`: the text was not UTF-8, which `&str` cannot hold).
    framework: Option<bool>,
    /// Through the raw calls (`None`: a NUL in a C string, which C cannot pass).
    raw: Option<bool>,
    status: Option<bool>,
}

/// Runs one case through the framework (`raw == false`) or the raw calls, recording whether
/// the header and the status were accepted.
fn run_case(ctx: &mut HttpContext<'_>, case: &mut Case, raw: bool) {
    let name = std::str::from_utf8(&case.name).ok();
    let reason = std::str::from_utf8(&case.reason).ok();
    if !raw {
        case.framework = name.map(|name| ctx.set_response_header(name, &case.value).is_ok());
        case.status = reason.map(|reason| ctx.set_status(203, reason).is_ok());
        return;
    }
    let name = CString::new(case.name.clone()).ok();
    let response = ctx.response_mut();
    case.raw = name.map(|name| response.set_header(&name, &case.value, true).is_ok());
    let reason = CString::new(case.reason.clone()).ok();
    case.status = reason.map(|reason| response.set_status(203, &reason).is_ok());
}

fn judge(case: &Case, accepted: Option<bool>, response: &Response) {
    assert_unsplit(response);
    let valid = oracle_token(&case.name) && oracle_field(&case.value);
    if let Some(accepted) = accepted {
        assert_eq!(accepted, valid, "{:?}: {:?}", case.name, case.value);
        let sent = response
            .raw_headers
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(&case.name));
        if accepted {
            assert_eq!(sent.map(|(_, value)| value), Some(&case.value));
        }
    }
    if let Some(accepted) = case.status {
        assert_eq!(accepted, oracle_field(&case.reason), "{:?}", case.reason);
        let (status, reason) = match accepted {
            true => (203, &case.reason[..]),
            false => (200, &b"OK"[..]),
        };
        assert_eq!(
            (response.status, &response.raw_reason[..]),
            (status, reason)
        );
    }
}

#[test]
fn no_name_value_or_reason_of_any_bytes_splits_the_response() {
    let cases = if cfg!(miri) { 16 } else { 1500 };
    let current = Arc::new(Mutex::new((Case::default(), false)));
    let shared = current.clone();
    let server = server(move || {
        let shared = shared.clone();
        move |ctx: &mut HttpContext<'_>| {
            let (case, raw) = &mut *shared.lock().unwrap();
            run_case(ctx, case, *raw);
            ctx.write(b"x").unwrap();
            Notification::FinishRequest
        }
    });
    let mut bytes = Bytes(0x9e37_79b9_7f4a_7c15);
    let tchars = b"abcXYZ019!#$%&'*+-.^_`|~";
    let field = b"ab Z9\t:;,\"()/\x80\xe9\xff";
    let (mut accepted, mut refused) = (0, 0);
    for _ in 0..cases {
        let case = Case {
            name: bytes.text(tchars),
            value: bytes.text(field),
            reason: bytes.text(field),
            ..Case::default()
        };
        for raw in [false, true] {
            *current.lock().unwrap() = (case.clone(), raw);
            let response = server.request(Request::get("/"));
            let ran = current.lock().unwrap().0.clone();
            let result = if raw { ran.raw } else { ran.framework };
            judge(&ran, result, &response);
            match result {
                Some(true) => accepted += 1,
                Some(false) => refused += 1,
                None => {}
            }
        }
    }
    // Both sides of the rule came up, often.
    assert!(
        accepted > cases / 4 && refused > cases / 4,
        "{accepted} {refused}"
    );
}

/// `set_error_description` refuses a NUL (IIS hands the description back NUL-terminated, so
/// the rest would be lost) and keeps anything else, markup included (IIS is asked to
/// HTML-encode it), for `error_description` and the server.
#[test]
fn an_error_description_with_a_nul_is_refused_and_any_other_is_kept() {
    let results = Arc::new(Mutex::new(Vec::new()));
    let seen = results.clone();
    let server = server(move || {
        let seen = seen.clone();
        move |ctx: &mut HttpContext<'_>| {
            let mut seen = seen.lock().unwrap();
            seen.push(format!("{:?}", ctx.error_description()));
            seen.push(format!("{}", refused(ctx.set_error_description("a\0b"))));
            seen.push(format!("{:?}", ctx.error_description()));
            let kept = ctx.set_error_description("<b>no</b> \u{e9}\r\n & more");
            seen.push(format!("{}", kept.is_ok()));
            seen.push(format!("{}", refused(ctx.set_error_description("\0"))));
            seen.push(format!("{:?}", ctx.error_description()));
            Notification::Continue
        }
    });
    let response = server.request(Request::get("/"));
    assert_eq!(
        *results.lock().unwrap(),
        [
            "None",
            "true",
            "None",
            "true",
            "true",
            "Some(\"<b>no</b> \u{e9}\\r\\n & more\")"
        ]
    );
    assert_eq!(
        response.error_description.as_deref(),
        Some("<b>no</b> \u{e9}\r\n & more")
    );
}
