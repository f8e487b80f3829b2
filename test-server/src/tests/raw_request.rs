//! `GetRawHttpRequest`: the `HTTP_REQUEST_V2` a module reads for every request header, the
//! verb, the raw and cooked URL and the addresses — one structure for the request, whose
//! headers follow the changes modules make.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderHost, HttpHeaderUserAgent, HttpVerbGET, HttpVerbUnknown, HTTP_REQUEST_V2,
};

use super::{observe, ok, request_of, text};
use crate::Request;

/// The structure's headers, known (by id) then unknown, as `name: value` lines.
///
/// # Safety
/// `raw` must be a live `HTTP_REQUEST_V2` as IIS hands out.
unsafe fn header_lines(raw: &HTTP_REQUEST_V2) -> Vec<String> {
    let headers = &raw.Base.Headers;
    let mut lines = Vec::new();
    for (id, known) in headers.KnownHeaders.iter().enumerate() {
        if !known.pRawValue.is_null() {
            // SAFETY: the caller's contract: the value is readable for its length.
            let value = unsafe { text(known.pRawValue, known.RawValueLength.into()) };
            lines.push(format!("#{id}: {value}"));
        }
    }
    for index in 0..usize::from(headers.UnknownHeaderCount) {
        // SAFETY: the caller's contract: the array holds `UnknownHeaderCount` headers.
        let unknown = unsafe { &*headers.pUnknownHeaders.add(index) };
        // SAFETY: as above, each name and value readable for its length.
        let (name, value) = unsafe {
            (
                text(unknown.pName, unknown.NameLength.into()),
                text(unknown.pRawValue, unknown.RawValueLength.into()),
            )
        };
        lines.push(format!("{name}: {value}"));
    }
    lines
}

#[test]
fn the_raw_request_holds_the_request_and_follows_header_changes() {
    let request = Request::get("/a%20b/../c?q=1")
        .header("User-Agent", "probe/1")
        .header("X-One", "1");
    // SAFETY: the server passes a live context.
    let (_, log) = observe(request, |context, log| unsafe {
        let request = request_of(context);
        let raw = request.GetRawHttpRequest();
        let base = &(*raw).Base;
        log.push(format!("{}", base.Verb == HttpVerbGET));
        log.push(text(base.pRawUrl, base.RawUrlLength.into()));
        let cooked = &base.CookedUrl;
        let wide = |at: *const u16, bytes: u16| {
            String::from_utf16_lossy(core::slice::from_raw_parts(at, usize::from(bytes) / 2))
        };
        log.push(wide(cooked.pFullUrl, cooked.FullUrlLength));
        log.push(wide(cooked.pAbsPath, cooked.AbsPathLength));
        log.push(wide(cooked.pQueryString, cooked.QueryStringLength));
        log.push(format!("{}", !base.Address.pRemoteAddress.is_null()));
        header_lines(&*raw)
            .into_iter()
            .for_each(|line| log.push(line));
        ok(request.SetHeader(c"X-Two".as_ptr().cast(), c"2".as_ptr().cast(), 1, 1));
        ok(request.DeleteHeader(c"X-One".as_ptr().cast()));
        ok(request.DeleteHeader_HTTP_HEADER_ID(HttpHeaderUserAgent));
        log.push(format!(
            "same {}",
            core::ptr::eq(raw, request.GetRawHttpRequest())
        ));
        header_lines(&*raw)
            .into_iter()
            .for_each(|line| log.push(line));
    });
    let host = format!("#{HttpHeaderHost}: localhost");
    let agent = format!("#{HttpHeaderUserAgent}: probe/1");
    assert_eq!(
        log,
        [
            "true",
            "/a%20b/../c?q=1",
            "http://localhost/c?q=1",
            "/c",
            "?q=1",
            "true",
            &host,
            &agent,
            "X-One: 1",
            "same true",
            &host,
            "X-Two: 2",
        ]
    );
}

#[test]
fn an_unknown_verb_is_named_by_the_raw_request() {
    let request = Request::new("PURGE", "/x");
    // SAFETY: the server passes a live context.
    let (_, log) = observe(request, |context, log| unsafe {
        let base = &(*request_of(context).GetRawHttpRequest_const()).Base;
        log.push(format!("{}", base.Verb == HttpVerbUnknown));
        log.push(text(base.pUnknownVerb, base.UnknownVerbLength.into()));
    });
    assert_eq!(log, ["true", "PURGE"]);
}
