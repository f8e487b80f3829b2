//! Response splitting through the raw calls (issue 31): a module that, on every request,
//! hands IIS the text the framework's checks would stop — a CR LF in a header value (by name
//! and by `HTTP_HEADER_ID`, in the response and in the request), in a header name, in a
//! reason phrase, in a redirect target and in a server variable, a NUL in a value — through
//! the generated classes, which check nothing, and answers with each call's `HRESULT`; then
//! which of the 256 octets each kind of text may hold (a header value and name, a reason
//! phrase, a redirect target, a server variable's value). What the server refuses is what
//! stays off the wire: `tests/tests/response_splitting.rs` reads the raw bytes of the answer
//! from the IIS host under wine (this module and its C++ twin,
//! `tests/iis_host/modules/splitting_module.cpp`) and from the test server. A real module
//! would use the framework's checked calls (`ctx.set_response_header`, …) instead.

use httpserv::module::{HttpContext, HttpModule, Notification};
use httpserv::runtime::{u16cstr, Result, U16CStr};
use httpserv::windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderContentLanguage, HttpHeaderContentType, HttpHeaderLocation, HttpHeaderReferer,
};
use std::ffi::CString;

/// The value every header call tries: a CR LF and a header of the client's choosing.
const INJECTED: &[u8] = b"a\r\nX-Injected: 1";

struct Splitter;

/// A call's `HRESULT` as eight hex digits.
fn hresult(result: Result<()>) -> String {
    let code = result.err().map_or(0, |error| error.code().0 as u32);
    format!("{code:#010x}")
}

/// One line: `what`, then a character per octet 0–255: `1` if the call took the text made
/// with it, `0` if it refused it, `-` for NUL where a C string cannot carry it (`None`).
fn sweep(what: &str, mut call: impl FnMut(u8) -> Option<bool>) -> String {
    let marks: String = (0..=255u8)
        .map(|octet| match call(octet) {
            Some(true) => '1',
            Some(false) => '0',
            None => '-',
        })
        .collect();
    format!("octets in {what}: {marks}\n")
}

/// Each octet in each kind of text, through the raw calls; what was taken is undone (the
/// header deleted, the status put back), so the answer stays as before.
fn sweep_octets(ctx: &mut HttpContext<'_>) -> Result<String> {
    let response = ctx.response_mut();
    let mut lines = sweep("a header value", |octet| {
        let taken = response.set_header(c"X-Octet", &[b'a', octet, b'z'], true);
        Some(taken.is_ok() && response.delete_header(c"X-Octet").is_ok())
    });
    lines += &sweep("a header name", |octet| {
        let name = CString::new([b'X', b'-', octet]).ok()?;
        let taken = response.set_header(&name, b"1", true);
        Some(taken.is_ok() && response.delete_header(&name).is_ok())
    });
    lines += &sweep("a reason phrase", |octet| {
        let reason = CString::new([b'a', octet, b'z']).ok()?;
        Some(response.set_status(299, &reason).is_ok())
    });
    lines += &sweep("a redirect target", |octet| {
        let url = CString::new([b'/', b'a', octet, b'z']).ok()?;
        let taken = response.redirect_with(&url, false, false);
        Some(taken.is_ok() && response.delete_header_by_id(HttpHeaderLocation).is_ok())
    });
    response.set_status(200, c"OK")?;
    let context = ctx.iis_mut();
    lines += &sweep("a server variable", |octet| {
        let units = [u16::from(b'a'), u16::from(octet), u16::from(b'z'), 0];
        let value = U16CStr::from_slice(&units).ok()?;
        Some(context.set_server_variable(c"X_OCTET", value).is_ok())
    });
    Ok(lines)
}

/// Makes the raw calls, one line of the report each: what was called, and its `HRESULT`.
fn try_to_split(ctx: &mut HttpContext<'_>) -> String {
    let mut report = String::new();
    let mut line = |what: &str, result: Result<()>| {
        report.push_str(&format!("{what} {}\n", hresult(result)));
    };
    let response = ctx.response_mut();
    line(
        "response.SetStatus(200, OK)",
        response.set_status(200, c"OK"),
    );
    line(
        "response.SetHeader(X-Echo, CRLF in the value)",
        response.set_header(c"X-Echo", INJECTED, true),
    );
    line(
        "response.SetHeader(HttpHeaderContentLanguage, CRLF in the value)",
        response.set_header_by_id(HttpHeaderContentLanguage, INJECTED, true),
    );
    line(
        "response.SetHeader(CRLF in the name)",
        response.set_header(c"X-Bad\r\nX-Name-Injected", b"1", true),
    );
    line(
        "response.SetHeader(X-Nul, NUL in the value)",
        response.set_header(c"X-Nul", b"a\0b", true),
    );
    line(
        "response.Redirect(CRLF in the URL)",
        response.redirect(c"/next\r\nX-Redirect-Injected: 1"),
    );
    line(
        "response.SetStatus(200, CRLF in the reason)",
        response.set_status(200, c"OK\r\nX-Status-Injected: 1"),
    );
    line(
        "response.SetHeader(X-Valid, HTAB and obs-text)",
        response.set_header(c"X-Valid", b"a\tb \xe9", true),
    );
    let request = ctx.request_mut();
    line(
        "request.SetHeader(X-Fwd, CRLF in the value)",
        request.set_header(c"X-Fwd", INJECTED, true),
    );
    line(
        "request.SetHeader(HttpHeaderReferer, CRLF in the value)",
        request.set_header_by_id(HttpHeaderReferer, INJECTED, true),
    );
    let value = u16cstr!("a\r\nX-Injected: 1");
    line(
        "context.SetServerVariable(RESPONSE_X, CRLF in the value)",
        ctx.iis_mut().set_server_variable(c"RESPONSE_X", value),
    );
    let description = u16cstr!("no <such> page");
    let response = ctx.response_mut();
    line(
        "response.SetErrorDescription(no <such> page)",
        response.set_error_description(description.as_slice()),
    );
    let kept = response.error_description().map(String::from_utf16_lossy);
    report.push_str(&format!("response.GetErrorDescription {kept:?}\n"));
    report
}

#[httpserv::module]
impl HttpModule for Splitter {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let octets = match sweep_octets(ctx) {
            Ok(octets) => octets,
            Err(error) => return ctx.fail(&error),
        };
        let report = try_to_split(ctx) + &octets;
        let response = ctx.response_mut();
        let typed = response.set_header_by_id(HttpHeaderContentType, b"text/plain", true);
        match typed.and_then(|()| ctx.write(report.as_bytes())) {
            Ok(()) => Notification::FinishRequest,
            Err(error) => ctx.fail(&error),
        }
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Splitter));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    /// The report the test server gives: every call that could split the answer refused
    /// with E_INVALIDARG, the valid ones done (the IIS host's answer is held to the same
    /// bytes by tests/tests/response_splitting.rs).
    #[test]
    fn every_call_that_could_split_the_answer_is_refused() {
        let server = TestServer::new().load("splitting_module", super::RegisterModule);
        let response = server.request(Request::get("/split"));
        assert_eq!((response.status, response.reason.as_str()), (200, "OK"));
        let report = response.text();
        let refused = report.lines().filter(|l| l.ends_with(" 0x80070057"));
        assert_eq!(refused.count(), 9, "{report}");
        assert!(report.contains("response.SetHeader(X-Valid, HTAB and obs-text) 0x00000000"));
        assert!(report.contains("GetErrorDescription Some(\"no <such> page\")\n"));
        let value = report
            .lines()
            .find(|l| l.starts_with("octets in a header value: "));
        let control = |octet: usize| octet < 0x20 && octet != 9 || octet == 0x7f;
        let expected: String = (0..256)
            .map(|o| if control(o) { '0' } else { '1' })
            .collect();
        assert_eq!(
            value,
            Some(&*format!("octets in a header value: {expected}"))
        );
        for (name, _) in &response.headers {
            assert!(!name.contains("Injected"), "{name}");
        }
        assert_eq!(response.header("Location"), None);
        assert_eq!(
            response.error_description.as_deref(),
            Some("no <such> page")
        );
    }
}
