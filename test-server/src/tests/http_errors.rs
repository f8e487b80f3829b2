//! `<httpErrors>`: an error response reaches the client as the module built it or as IIS's
//! error page, by `existingResponse` (Auto, Replace, PassThrough), the module's
//! `fTrySkipCustomErrors`, and `errorMode` (which page, the client local or not).

use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;
use std::net::{Ipv4Addr, SocketAddr};

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::{HttpDataChunkFromMemory, HTTP_DATA_CHUNK};

use super::{module, ok, request_of, response_of, text};
use crate::runtime::{E_ACCESSDENIED, S_OK};
use crate::*;
use crate::{Request, Response, TestServer};

const BODY: &str = "denied: ask the admin\n";

/// A server whose module answers 403 in RQ_EXECUTE_REQUEST_HANDLER: with
/// `fTrySkipCustomErrors` if the request has `X-Skip`, with [`BODY`] unless it has
/// `X-No-Body`, with an error description if it has `X-Describe`.
fn server(errors: Option<HttpErrors>) -> TestServer {
    let server = TestServer::new();
    let server = match errors {
        Some(errors) => server.http_errors(errors),
        None => server,
    };
    module("denier", RQ_EXECUTE_REQUEST_HANDLER, 0, |event| {
        // SAFETY: the server's live context, for this notification.
        let (request, response) =
            unsafe { (request_of(event.context), response_of(event.context)) };
        let has = |name: &core::ffi::CStr| {
            let mut len = 0u16;
            // SAFETY: a NUL-terminated name and a writable length.
            !unsafe { request.GetHeader(name.as_ptr().cast(), &mut len) }.is_null()
        };
        let skip = if has(c"X-Skip") { TRUE } else { FALSE };
        let reason = c"Forbidden".as_ptr().cast();
        // SAFETY: a NUL-terminated reason; no exception.
        ok(unsafe {
            response.SetStatus(403, reason, 0, E_ACCESSDENIED, core::ptr::null_mut(), skip)
        });
        if has(c"X-Describe") {
            let description: Vec<u16> = "a <b>bad</b> key".encode_utf16().collect();
            // SAFETY: `description` is readable for its length.
            ok(unsafe {
                response.SetErrorDescription(description.as_ptr(), description.len() as u32, TRUE)
            });
        }
        if !has(c"X-No-Body") {
            let mut chunk = HTTP_DATA_CHUNK {
                DataChunkType: HttpDataChunkFromMemory,
                ..Default::default()
            };
            chunk.Anonymous.FromMemory.pBuffer = BODY.as_ptr() as *mut c_void;
            chunk.Anonymous.FromMemory.BufferLength = BODY.len() as u32;
            let (mut sent, mut expected) = (0u32, FALSE);
            // SAFETY: one chunk of readable memory (IIS copies it); writable out pointers.
            ok(unsafe {
                response.WriteEntityChunks(&mut chunk, 1, FALSE, FALSE, &mut sent, &mut expected)
            });
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    })
    .load(server)
}

fn get(server: &TestServer, headers: &[&str]) -> Response {
    let request = headers
        .iter()
        .fold(Request::get("/"), |r, name| r.header(name, "1"));
    server.request(request)
}

fn detailed() -> String {
    detailed_page(403, 0, "Forbidden", E_ACCESSDENIED.0 as u32, None)
}

fn errors(error_mode: ErrorMode, existing_response: ExistingResponse) -> Option<HttpErrors> {
    Some(HttpErrors {
        error_mode,
        existing_response,
    })
}

#[test]
fn by_default_a_body_with_try_skip_is_kept_and_one_without_is_replaced() {
    let server = server(None);
    let kept = get(&server, &["X-Skip"]);
    assert_eq!((kept.status, kept.text().as_str()), (403, BODY));
    assert_eq!(kept.header("content-type"), None, "the module set none");

    let replaced = get(&server, &[]);
    assert_eq!((replaced.status, replaced.text()), (403, detailed()));
    assert_eq!(replaced.header("content-type"), Some("text/html"));

    // IIS's page even with the flag when there is no body to keep.
    let empty = get(&server, &["X-Skip", "X-No-Body"]);
    assert_eq!(empty.text(), detailed());
}

#[test]
fn get_status_hands_back_the_flag_set() {
    let server = TestServer::new();
    let seen = super::Log::default();
    let log = seen.clone();
    let server = module("reader", RQ_BEGIN_REQUEST, 0, move |event| {
        // SAFETY: the server's live context, for this notification.
        let response = unsafe { response_of(event.context) };
        for skip in [TRUE, FALSE] {
            let reason = c"Gone".as_ptr().cast();
            // SAFETY: a NUL-terminated reason; no exception.
            ok(unsafe { response.SetStatus(410, reason, 0, S_OK, core::ptr::null_mut(), skip) });
            let (mut code, mut reason, mut len, mut flag) = (0u16, core::ptr::null(), 0u16, 7);
            let null = core::ptr::null_mut::<u16>();
            // SAFETY: writable out pointers or null, as IIS allows.
            unsafe {
                response.GetStatus(
                    &mut code,
                    null,
                    &mut reason,
                    &mut len,
                    null.cast(),
                    null.cast(),
                    null.cast(),
                    null.cast(),
                    &mut flag,
                )
            };
            // SAFETY: the reason GetStatus handed out, with its length.
            log.push(alloc::format!("{code} {} {flag}", unsafe {
                text(reason, len.into())
            }));
        }
        RQ_NOTIFICATION_FINISH_REQUEST
    })
    .load(server);
    server.request(Request::get("/"));
    assert_eq!(seen.take(), ["410 Gone 1", "410 Gone 0"]);
}

#[test]
fn replace_replaces_even_with_try_skip() {
    let server = server(errors(
        ErrorMode::DetailedLocalOnly,
        ExistingResponse::Replace,
    ));
    assert_eq!(get(&server, &["X-Skip"]).text(), detailed());
}

#[test]
fn pass_through_keeps_any_body_and_replaces_none() {
    let server = server(errors(
        ErrorMode::DetailedLocalOnly,
        ExistingResponse::PassThrough,
    ));
    assert_eq!(get(&server, &[]).text(), BODY);
    assert_eq!(get(&server, &["X-No-Body"]).text(), detailed());
}

#[test]
fn error_mode_picks_the_page_by_where_the_client_is() {
    let remote = SocketAddr::from((Ipv4Addr::new(203, 0, 113, 9), 50_000));
    let custom = custom_page(403, "Forbidden");
    assert!(custom.contains("<h2>403 - Forbidden</h2>") && !custom.contains(BODY));

    let default = server(None);
    let from_afar = default.request(Request::get("/").remote(remote));
    assert_eq!(
        from_afar.text(),
        custom,
        "DetailedLocalOnly: custom page for a remote client"
    );

    let custom_mode = server(errors(ErrorMode::Custom, ExistingResponse::Auto));
    assert_eq!(
        get(&custom_mode, &[]).text(),
        custom,
        "Custom: even locally"
    );

    let detailed_mode = server(errors(ErrorMode::Detailed, ExistingResponse::Auto));
    let response = detailed_mode.request(Request::get("/").remote(remote));
    assert_eq!(response.text(), detailed(), "Detailed: even remotely");
}

#[test]
fn the_detailed_page_shows_the_error_description_html_encoded() {
    let response = get(&server(None), &["X-Describe"]);
    let expected = detailed_page(
        403,
        0,
        "Forbidden",
        E_ACCESSDENIED.0 as u32,
        Some("a <b>bad</b> key"),
    );
    assert_eq!(response.text(), expected);
    assert!(expected.contains("<h4>a &lt;b&gt;bad&lt;/b&gt; key</h4>"));
    assert!(expected.contains("<h3>HTTP Error 403.0 - Forbidden</h3>"));
    assert!(expected.contains("<td>0x80070005</td>"));
}
