//! `IHttpRequest` and `IHttpResponse` as a module sees them: headers by name and id, status,
//! body chunks, redirects, and the entity body. Each test runs a module that calls the
//! objects in RQ_EXECUTE_REQUEST_HANDLER and logs what it got.

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;
use core::ffi::c_void;

use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::{
    HttpDataChunkFromFileHandle, HttpDataChunkFromMemory, HttpHeaderAccept, HttpHeaderServer,
    HttpHeaderUserAgent, HTTP_DATA_CHUNK,
};

use super::{observe, ok, request_of, response_of, text, wide};
use crate::runtime::{E_FAIL, E_HANDLE_EOF, E_INVALIDARG, E_NOTIMPL, S_OK};
use crate::Request;
use crate::*;

#[test]
fn request_headers_by_name_and_id() {
    let request = Request::get("/")
        .header("X-One", "1")
        .header("Accept", "text/html")
        .header("accept", "*/*")
        .header("User-Agent", "tests");
    // SAFETY: what the server passes is live during the call.
    let (_, log) = observe(request, |context, log| unsafe {
        let request = request_of(context);
        let mut len = 0u16;
        let get = |name: &core::ffi::CStr, len: &mut u16| {
            let value = request.GetHeader(name.as_ptr().cast(), len);
            text(value, usize::from(*len))
        };
        log.push(get(c"x-one", &mut len));
        let accept = request.GetHeader_HTTP_HEADER_ID(HttpHeaderAccept, &mut len);
        log.push(text(accept, len.into()));
        log.push(get(c"host", &mut len));
        let one = request.GetHeader(c"X-One".as_ptr().cast(), &mut len);
        let set = |value: &core::ffi::CStr, replace| {
            request.SetHeader(
                c"X-ONE".as_ptr().cast(),
                value.as_ptr().cast(),
                value.count_bytes() as u16,
                replace,
            )
        };
        log.push(format!(
            "{:?} {}",
            set(c"2", FALSE),
            get(c"X-One", &mut len)
        ));
        log.push(format!("{:?} {}", set(c"3", TRUE), get(c"X-One", &mut len)));
        // An old value stays readable until the request ends.
        log.push(text(one, 1));
        log.push(format!(
            "{:?} {}",
            request.DeleteHeader(c"x-one".as_ptr().cast()),
            get(c"X-One", &mut len)
        ));
        log.push(format!(
            "{:?} {}",
            request.DeleteHeader_HTTP_HEADER_ID(HttpHeaderUserAgent),
            get(c"User-Agent", &mut len)
        ));
        log.push(format!(
            "{:?}",
            request.SetHeader_HTTP_HEADER_ID(99, c"x".as_ptr().cast(), 1, TRUE)
        ));
        log.push(format!(
            "{:?}",
            request.SetHeader(c"X".as_ptr().cast(), core::ptr::null(), 0, TRUE)
        ));
    });
    let expected = [
        "1".into(),
        "text/html, */*".into(),
        "localhost".into(),
        format!("{S_OK:?} 1, 2"),
        format!("{S_OK:?} 3"),
        "1".into(),
        format!("{S_OK:?} (null)"),
        format!("{S_OK:?} (null)"),
        format!("{E_INVALIDARG:?}"),
        format!("{E_INVALIDARG:?}"),
    ];
    assert_eq!(log, expected);
}

#[test]
fn response_headers_status_and_body() {
    // SAFETY: what the server passes is live during the call.
    let (response, log) = observe(Request::get("/"), |context, log| unsafe {
        let response = response_of(context);
        let set = |name: &core::ffi::CStr, value: &core::ffi::CStr, replace| {
            response.SetHeader(
                name.as_ptr().cast(),
                value.as_ptr().cast(),
                value.count_bytes() as u16,
                replace,
            )
        };
        ok(set(c"x-custom", c"a", TRUE));
        ok(set(c"Server", c"one", TRUE));
        ok(response.SetHeader_HTTP_HEADER_ID(HttpHeaderServer, c"two".as_ptr().cast(), 3, FALSE));
        ok(set(c"X-Gone", c"soon", TRUE));
        ok(response.DeleteHeader(c"x-gone".as_ptr().cast()));
        let mut len = 0u16;
        let server = response.GetHeader_HTTP_HEADER_ID(HttpHeaderServer, &mut len);
        log.push(text(server, len.into()));
        log.push(format!(
            "{:?}",
            response.SetStatus(
                42,
                c"No".as_ptr().cast(),
                0,
                S_OK,
                core::ptr::null_mut(),
                FALSE
            )
        ));
        ok(response.SetStatus(
            418,
            c"I'm a teapot".as_ptr().cast(),
            7,
            E_FAIL,
            core::ptr::null_mut(),
            // Keeps the body below from IIS's error page (existingResponse="Auto").
            TRUE,
        ));
        let (mut code, mut sub, mut reason, mut reason_len, mut hr, mut skip) =
            (0u16, 0u16, core::ptr::null(), 0u16, S_OK, FALSE);
        let null = core::ptr::null_mut();
        response.GetStatus(
            &mut code,
            &mut sub,
            &mut reason,
            &mut reason_len,
            &mut hr,
            null,
            null.cast(),
            null.cast(),
            &mut skip,
        );
        log.push(format!(
            "{code} {sub} {} {hr:?} skip={skip}",
            text(reason, reason_len.into())
        ));

        let chunk = |bytes: &'static [u8]| {
            let mut chunk = HTTP_DATA_CHUNK {
                DataChunkType: HttpDataChunkFromMemory,
                ..Default::default()
            };
            chunk.Anonymous.FromMemory.pBuffer = bytes.as_ptr() as *mut c_void;
            chunk.Anonymous.FromMemory.BufferLength = bytes.len() as u32;
            chunk
        };
        let mut chunks = [chunk(b"b"), chunk(b"c")];
        let (mut sent, mut expected) = (0u32, TRUE);
        let hr = response.WriteEntityChunks(
            chunks.as_mut_ptr(),
            2,
            FALSE,
            FALSE,
            &mut sent,
            &mut expected,
        );
        log.push(format!("{hr:?} {sent} {expected}"));
        ok(response.WriteEntityChunkByReference(&mut chunk(b"a"), 0));
        ok(response.WriteEntityChunkByReference(&mut chunk(b"d"), -1));
        let mut file = HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromFileHandle,
            ..Default::default()
        };
        log.push(format!(
            "{:?}",
            response.WriteEntityChunks(&mut file, 1, FALSE, FALSE, &mut sent, null.cast())
        ));
    });
    assert_eq!(
        log,
        [
            "one, two".into(),
            format!("{E_INVALIDARG:?}"),
            format!("418 7 I'm a teapot {E_FAIL:?} skip=1"),
            format!("{S_OK:?} 2 0"),
            format!("{E_NOTIMPL:?}"),
        ]
    );
    assert_eq!(
        (response.status, response.reason.as_str()),
        (418, "I'm a teapot")
    );
    assert_eq!(response.text(), "abcd");
    // Known headers by HTTP_HEADER_ID (Content-Length 11, Server 26), then the others.
    let names: Vec<&str> = response.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Content-Length", "Server", "x-custom"]);
    assert_eq!(response.header("content-length"), Some("4"));
}

#[test]
fn redirect_clear_and_clear_headers() {
    // SAFETY: what the server passes is live during the call.
    let (redirected, _) = observe(Request::get("/from?q=1"), |context, _| unsafe {
        let response = response_of(context);
        ok(response.SetHeader(c"X-Kept".as_ptr().cast(), c"1".as_ptr().cast(), 1, TRUE));
        let mut chunk = HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromMemory,
            ..Default::default()
        };
        chunk.Anonymous.FromMemory.pBuffer = b"dropped".as_ptr() as *mut c_void;
        chunk.Anonymous.FromMemory.BufferLength = 7;
        ok(response.WriteEntityChunkByReference(&mut chunk, -1));
        ok(response.Redirect(c"/elsewhere".as_ptr().cast(), TRUE, TRUE));
    });
    assert_eq!(
        (redirected.status, redirected.reason.as_str()),
        (302, "Redirect")
    );
    // Made absolute within the request's host, with its query (fIncludeParameters).
    assert_eq!(
        redirected.header("Location"),
        Some("http://localhost/elsewhere?q=1")
    );
    assert_eq!(redirected.header("X-Kept"), Some("1"));
    assert!(redirected.body.is_empty());

    // SAFETY: what the server passes is live during the call.
    let (cleared, _) = observe(Request::get("/"), |context, _| unsafe {
        let response = response_of(context);
        ok(response.SetStatus(
            200,
            c"OK".as_ptr().cast(),
            0,
            S_OK,
            core::ptr::null_mut(),
            FALSE,
        ));
        ok(response.SetHeader(c"X-Gone".as_ptr().cast(), c"1".as_ptr().cast(), 1, TRUE));
        response.ClearHeaders();
    });
    assert_eq!(cleared.headers, [("Content-Length".into(), "0".into())]);
}

#[test]
fn read_entity_body_in_pieces_then_end_of_file() {
    let body: Vec<u8> = (0..=255u8).chain(0..44).collect();
    let (_, log) = observe(
        Request::post("/").body(body.clone()),
        // SAFETY: what the server passes is live during the call.
        |context, log| unsafe {
            let request = request_of(context);
            let mut buffer = [0u8; 128];
            let mut all = Vec::new();
            loop {
                let (mut received, mut pending) = (0u32, TRUE);
                let hr = request.ReadEntityBody(
                    buffer.as_mut_ptr().cast(),
                    128,
                    FALSE,
                    &mut received,
                    &mut pending,
                );
                all.extend_from_slice(&buffer[..received as usize]);
                log.push(format!(
                    "{hr:?} {received} {pending} {}",
                    request.GetRemainingEntityBytes()
                ));
                if hr.is_err() {
                    break;
                }
            }
            log.push(format!("{:?}", all.len()));
            log.push(format!(
                "{}",
                all.iter().map(|&b| u32::from(b)).sum::<u32>()
            ));
        },
    );
    let sum: u32 = body.iter().map(|&b| u32::from(b)).sum();
    assert_eq!(
        log,
        [
            format!("{S_OK:?} 128 0 172"),
            format!("{S_OK:?} 128 0 44"),
            format!("{S_OK:?} 44 0 0"),
            format!("{E_HANDLE_EOF:?} 0 0 0"),
            "300".into(),
            sum.to_string(),
        ]
    );
}

/// What could split the response is refused by the raw calls too (an error HRESULT, nothing
/// stored): a CR, LF or NUL in a header name or value, set by name or by id, in a request
/// header, a reason phrase, a redirect target or a server variable.
#[test]
fn raw_calls_refuse_what_would_split_the_response() {
    // SAFETY: what the server passes is live during the call.
    let (response, _) = observe(Request::get("/"), |context, _| unsafe {
        let response = response_of(context);
        let injected = b"a\r\nX-Injected: 1";
        let len = injected.len() as u16;
        let set = |name: &core::ffi::CStr| {
            response.SetHeader(name.as_ptr().cast(), injected.as_ptr().cast(), len, TRUE)
        };
        assert_eq!(set(c"X-Echo"), E_INVALIDARG);
        assert_eq!(
            response.SetHeader(
                c"X-Bad\r\nName".as_ptr().cast(),
                c"v".as_ptr().cast(),
                1,
                TRUE
            ),
            E_INVALIDARG
        );
        assert_eq!(
            response.SetHeader(c"X-Nul".as_ptr().cast(), b"a\0b".as_ptr().cast(), 3, TRUE),
            E_INVALIDARG
        );
        let by_id = response.SetHeader_HTTP_HEADER_ID(
            HttpHeaderServer,
            injected.as_ptr().cast(),
            len,
            TRUE,
        );
        assert_eq!(by_id, E_INVALIDARG);
        let request = request_of(context);
        let forwarded = request.SetHeader(
            c"X-Fwd".as_ptr().cast(),
            injected.as_ptr().cast(),
            len,
            TRUE,
        );
        assert_eq!(forwarded, E_INVALIDARG);
        let reason = c"OK\r\nX-Status-Injected: 1".as_ptr().cast();
        let status = response.SetStatus(201, reason, 0, S_OK, core::ptr::null_mut(), FALSE);
        assert_eq!(status, E_INVALIDARG);
        let url = c"/next\r\nX-Injected: 1".as_ptr().cast();
        assert_eq!(response.Redirect(url, TRUE, FALSE), E_INVALIDARG);
        let value = crate::runtime::u16cstr!("a\r\nX-Injected: 1");
        let variable = context.SetServerVariable(c"RESPONSE_X".as_ptr().cast(), value.as_ptr());
        assert_eq!(variable, E_INVALIDARG);
        assert!(request
            .GetHeader(c"X-Fwd".as_ptr().cast(), core::ptr::null_mut())
            .is_null());
    });
    assert_eq!(
        (response.status, response.reason.as_str()),
        (404, "Not Found")
    );
    for name in [
        "X-Injected",
        "X-Status-Injected",
        "X-Echo",
        "X-Nul",
        "Location",
    ] {
        assert_eq!(response.header(name), None, "{name}");
    }
    assert_eq!(response.header("Server"), None);
}

/// `SetErrorDescription` keeps the description as given (the length the module passes, in
/// UTF-16 units), `GetErrorDescription` hands it back NUL-terminated with that length, a
/// later one replaces it, a null one clears it, and a null one with a length is refused; the
/// test gets the last one in `Response::error_description`.
#[test]
fn the_error_description_is_kept_and_handed_back() {
    // SAFETY: what the server passes is live during the call.
    let (response, log) = observe(Request::get("/"), |context, log| unsafe {
        let response = response_of(context);
        let get = || {
            let mut len = 7u32;
            let got = response.GetErrorDescription(&mut len);
            if got.is_null() {
                return format!("(null) {len}");
            }
            let units = core::slice::from_raw_parts(got, len as usize + 1);
            format!("{} {len}", alloc::string::String::from_utf16_lossy(units))
        };
        log.push(get());
        let first = wide("no <such> page");
        // Only the first 9 units: the length decides, not the NUL.
        log.push(format!(
            "{:?}",
            response.SetErrorDescription(first.as_ptr(), 9, TRUE)
        ));
        log.push(get());
        log.push(format!(
            "{:?}",
            response.SetErrorDescription(core::ptr::null(), 3, TRUE)
        ));
        log.push(get());
        log.push(format!(
            "{:?}",
            response.SetErrorDescription(core::ptr::null(), 0, TRUE)
        ));
        log.push(get());
        let last = wide("gone \u{e9}");
        let hr = response.SetErrorDescription(last.as_ptr(), 6, FALSE);
        log.push(format!("{hr:?}"));
        log.push(get());
    });
    assert_eq!(
        log,
        [
            "(null) 0".to_string(),
            format!("{S_OK:?}"),
            "no <such>\0 9".into(),
            format!("{E_INVALIDARG:?}"),
            "no <such>\0 9".into(),
            format!("{S_OK:?}"),
            "(null) 0".into(),
            format!("{S_OK:?}"),
            "gone \u{e9}\0 6".into(),
        ]
    );
    assert_eq!(response.error_description.as_deref(), Some("gone \u{e9}"));
}
