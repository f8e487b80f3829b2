//! The header slots `IHttpRequest` and `IHttpResponse` share — get (`hand_out`), set and
//! delete, by name and by `HTTP_HEADER_ID` — written once over a choice of the request's or the response's
//! headers, so the two classes cannot drift apart.

use super::exchange::{Exchange, State};
use super::headers::{HeaderValue, Headers};
use super::memory::{c_str, put, RequestMemory};
use crate::runtime::{E_INVALIDARG, E_UNEXPECTED, HRESULT, S_OK};
use windows_sys::core::{BOOL, PCSTR};
use windows_sys::Win32::Foundation::FALSE;
use windows_sys::Win32::Networking::HttpServer::HTTP_HEADER_ID;

/// Hands a header out: its pointer, and its length through `len`; null and 0 when absent.
///
/// # Safety
/// `len` must be null or writable.
pub(crate) unsafe fn hand_out(value: Option<HeaderValue>, len: *mut u16) -> PCSTR {
    // Header values are at most u16::MAX long: SetHeader takes a u16 length.
    let (pointer, length) = value.map_or((core::ptr::null(), 0), |v| {
        (v.text.as_ptr(), v.text.len() as u16)
    });
    // SAFETY: the caller's contract.
    unsafe { put(len, length) };
    pointer
}

/// The value a module passes to `SetHeader`.
///
/// # Safety
/// `value` must be null or readable for `len` bytes.
pub(crate) unsafe fn header_value<'a>(value: PCSTR, len: u16) -> Option<&'a [u8]> {
    // SAFETY: the caller's contract.
    (!value.is_null()).then(|| unsafe { core::slice::from_raw_parts(value, len.into()) })
}

/// Runs a header edit on the request's or the response's headers.
pub(crate) fn edit(
    exchange: &Exchange,
    which: fn(&mut State) -> &mut Headers,
    change: impl FnOnce(&mut Headers, &RequestMemory) -> HRESULT,
) -> HRESULT {
    exchange
        .with(|state| change(which(state), &exchange.memory))
        .unwrap_or(E_UNEXPECTED)
}

pub(crate) fn request_headers(state: &mut State) -> &mut Headers {
    &mut state.received.headers
}

pub(crate) fn response_headers(state: &mut State) -> &mut Headers {
    &mut state.response.headers
}

/// `SetHeader(HTTP_HEADER_ID)` of the request or the response (`which`).
///
/// # Safety
/// IIS's contract: `value` is readable for `len` bytes.
pub(crate) unsafe fn set_header_by_id(
    exchange: &Exchange,
    which: fn(&mut State) -> &mut Headers,
    id: HTTP_HEADER_ID,
    value: PCSTR,
    len: u16,
    replace: BOOL,
) -> HRESULT {
    // SAFETY: the caller's contract.
    let Some(value) = (unsafe { header_value(value, len) }) else {
        return E_INVALIDARG;
    };
    edit(exchange, which, |headers, memory| {
        match headers.set_id(memory, id, value, replace != FALSE) {
            Ok(()) => S_OK,
            Err(_) => E_INVALIDARG,
        }
    })
}

/// `SetHeader(name)` of the request or the response (`which`).
///
/// # Safety
/// IIS's contract: `name` is NUL-terminated, `value` readable for `len` bytes.
pub(crate) unsafe fn set_header(
    exchange: &Exchange,
    which: fn(&mut State) -> &mut Headers,
    name: PCSTR,
    value: PCSTR,
    len: u16,
    replace: BOOL,
) -> HRESULT {
    // SAFETY: the caller's contract.
    let (Some(name), Some(value)) = (unsafe { (c_str(name), header_value(value, len)) }) else {
        return E_INVALIDARG;
    };
    edit(exchange, which, |headers, memory| {
        match headers.put(memory, name, value, replace != FALSE) {
            Ok(()) => S_OK,
            Err(_) => E_INVALIDARG,
        }
    })
}

/// `DeleteHeader(HTTP_HEADER_ID)` of the request or the response (`which`).
pub(crate) fn delete_header_by_id(
    exchange: &Exchange,
    which: fn(&mut State) -> &mut Headers,
    id: HTTP_HEADER_ID,
) -> HRESULT {
    edit(exchange, which, |headers, _| match headers.delete_id(id) {
        Ok(()) => S_OK,
        Err(_) => E_INVALIDARG,
    })
}

/// `DeleteHeader(name)` of the request or the response (`which`).
///
/// # Safety
/// IIS's contract: `name` is NUL-terminated.
pub(crate) unsafe fn delete_header(
    exchange: &Exchange,
    which: fn(&mut State) -> &mut Headers,
    name: PCSTR,
) -> HRESULT {
    // SAFETY: the caller's contract.
    let Some(name) = (unsafe { c_str(name) }) else {
        return E_INVALIDARG;
    };
    edit(exchange, which, |headers, _| {
        headers.delete(name);
        S_OK
    })
}
