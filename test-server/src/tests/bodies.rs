//! The entity body as a module reads it: given in pieces, with a `Content-Length` or chunked,
//! read synchronously and asynchronously a piece at a time, `GetRemainingEntityBytes` true to
//! what is left, `InsertEntityBody` read before the rest; and the request bytes a hostile
//! client sends (invalid UTF-8, NUL) reaching the module as sent.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ffi::c_void;

use windows_sys::Win32::Foundation::{FALSE, TRUE};

use super::{observe, ok, request_of, text, Log};
use crate::runtime::{E_HANDLE_EOF, E_INVALIDARG, S_OK};
use crate::Request;
use crate::*;

/// Reads the body `size` bytes at a time (asynchronously when `fasync`), logging each read
/// as `hr received pending remaining`, then the whole body as text.
///
/// # Safety
/// `context` must be live.
unsafe fn read_all(context: &IHttpContext, log: &Log, size: usize, fasync: bool) {
    // SAFETY: the caller's guarantee.
    let request = unsafe { request_of(context) };
    let mut buffer = alloc::vec![0u8; size];
    let mut all = Vec::new();
    loop {
        let (mut received, mut pending) = (0u32, TRUE);
        let flag = if fasync { TRUE } else { FALSE };
        // SAFETY: `buffer` is writable for its length; the out pointers are live.
        let hr = unsafe {
            request.ReadEntityBody(
                buffer.as_mut_ptr().cast(),
                size as u32,
                flag,
                &mut received,
                &mut pending,
            )
        };
        all.extend_from_slice(&buffer[..received as usize]);
        // SAFETY: a call on the live request.
        let left = unsafe { request.GetRemainingEntityBytes() };
        log.push(format!("{hr:?} {received} {pending} {left}"));
        if hr.is_err() {
            break;
        }
    }
    log.push(String::from_utf8_lossy(&all));
}

fn read(hr: crate::runtime::HRESULT, received: u32, left: u32) -> String {
    format!("{hr:?} {received} 0 {left}")
}

#[test]
fn a_body_in_pieces_is_read_a_piece_at_a_time_within_its_content_length() {
    let request = Request::post("/").body_in_pieces(["hello ", "", "pieces"]);
    // SAFETY: the server passes a live context.
    let (_, log) = observe(request, |context, log| unsafe {
        let header = request_of(context).header(c"Content-Length");
        log.push(format!("{header:?}"));
        read_all(context, log, 4, false);
    });
    let eof = read(E_HANDLE_EOF, 0, 0);
    let expected = [
        format!("{:?}", Some(b"12")),
        read(S_OK, 4, 8),
        read(S_OK, 2, 6),
        read(S_OK, 4, 2),
        read(S_OK, 2, 0),
        eof,
        "hello pieces".into(),
    ];
    assert_eq!(log, expected);
}

#[test]
fn a_chunked_body_has_no_length_until_its_last_piece_is_read() {
    let request = Request::post("/").chunked(["abc", "defg"]);
    // SAFETY: the server passes a live context.
    let (_, log) = observe(request, |context, log| unsafe {
        let request = request_of(context);
        let framing = (
            request.header(c"Transfer-Encoding"),
            request.header(c"Content-Length"),
        );
        log.push(format!("{framing:?}"));
        read_all(context, log, 16, true);
    });
    let expected = [
        format!("{:?}", (Some(&b"chunked"[..]), None::<&[u8]>)),
        read(S_OK, 3, u32::MAX),
        read(S_OK, 4, 0),
        read(E_HANDLE_EOF, 0, 0),
        "abcdefg".into(),
    ];
    assert_eq!(log, expected, "asynchronous reads complete at once");
}

#[test]
fn reads_stop_at_the_declared_length() {
    let request = Request::post("/")
        .header("Content-Length", "5")
        .body("12345 and the next request");
    // SAFETY: the server passes a live context.
    let (_, log) = observe(request, |context, log| unsafe {
        read_all(context, log, 64, false)
    });
    assert_eq!(
        log,
        [read(S_OK, 5, 0), read(E_HANDLE_EOF, 0, 0), "12345".into()]
    );
}

#[test]
fn an_empty_buffer_reads_nothing_until_the_end() {
    // SAFETY: the server passes a live context; the buffer pointer is valid for 0 bytes.
    let (_, log) = observe(Request::post("/").body("x"), |context, log| unsafe {
        let request = request_of(context);
        let mut byte = 0u8;
        let mut received = 9u32;
        let buffer: *mut c_void = (&mut byte as *mut u8).cast();
        let hr = request.ReadEntityBody(buffer, 0, FALSE, &mut received, core::ptr::null_mut());
        log.push(format!("{hr:?} {received}"));
        read_all(context, log, 8, false);
        let hr = request.ReadEntityBody(buffer, 0, FALSE, &mut received, core::ptr::null_mut());
        log.push(format!("{hr:?} {received}"));
    });
    let expected = [
        format!("{S_OK:?} 0"),
        read(S_OK, 1, 0),
        read(E_HANDLE_EOF, 0, 0),
        "x".into(),
        format!("{E_HANDLE_EOF:?} 0"),
    ];
    assert_eq!(log, expected);
}

#[test]
fn an_inserted_body_is_read_before_the_rest() {
    let request = Request::post("/").body_in_pieces(["0123", "4567"]);
    // SAFETY: the server passes a live context; the inserted buffers live through the call
    // (the server copies them).
    let (_, log) = observe(request, |context, log| unsafe {
        let request = request_of(context);
        let mut buffer = [0u8; 2];
        let mut received = 0;
        ok(request.ReadEntityBody(
            buffer.as_mut_ptr().cast(),
            2,
            FALSE,
            &mut received,
            core::ptr::null_mut(),
        ));
        log.push(format!(
            "{} {}",
            text(buffer.as_ptr(), 2),
            request.GetRemainingEntityBytes()
        ));
        let mut inserted = *b"INS";
        ok(request.InsertEntityBody(inserted.as_mut_ptr().cast(), 3));
        ok(request.InsertEntityBody(core::ptr::null_mut(), 0));
        let hr = request.InsertEntityBody(core::ptr::null_mut(), 1);
        log.push(format!("{hr:?} {}", request.GetRemainingEntityBytes()));
        log.push(format!("{:?}", request.header(c"Content-Length")));
        read_all(context, log, 8, false);
    });
    let expected = [
        "01 6".into(),
        format!("{E_INVALIDARG:?} 9"),
        format!("{:?}", Some(b"8")),
        read(S_OK, 3, 6),
        read(S_OK, 2, 4),
        read(S_OK, 4, 0),
        read(E_HANDLE_EOF, 0, 0),
        "INS234567".into(),
    ];
    assert_eq!(log, expected);
}

#[test]
fn hostile_bytes_reach_the_module_as_sent() {
    let value = b"a\0b\xFF\xFEc";
    let request = Request::get(b"/p\xFFth?q=%00\0\xFE")
        .header("X-Raw", value)
        .header("X-Long", "v".repeat(8000));
    // SAFETY: the server passes a live context.
    let (response, log) = observe(request, |context, log| unsafe {
        let request = request_of(context);
        log.push(format!(
            "{:?}",
            request.header(c"X-Raw").unwrap_or_default()
        ));
        log.push(format!(
            "{}",
            request.header(c"X-Long").unwrap_or_default().len()
        ));
        for variable in [c"URL", c"UNENCODED_URL", c"QUERY_STRING"] {
            let (mut value, mut len) = (core::ptr::null(), 0u32);
            let name = variable.as_ptr().cast();
            ok(context.GetServerVariable_PCSTR_ptr(name, &mut value, &mut len));
            log.push(format!(
                "{:?}",
                core::slice::from_raw_parts(value, len as usize)
            ));
        }
    });
    assert_eq!(response.status, 404);
    let bytes = |b: &[u8]| format!("{b:?}");
    assert_eq!(
        log,
        [
            bytes(value),
            "8000".into(),
            // Cooked, as http.sys hands the path on: a byte that is not UTF-8 is read as
            // Latin-1 (`url.rs`); the URL as sent stays in UNENCODED_URL.
            bytes("/p\u{FF}th".as_bytes()),
            bytes(b"/p\xFFth?q=%00\0\xFE"),
            bytes(b"q=%00\0\xFE")
        ]
    );
}
