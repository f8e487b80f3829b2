//! `IHttpRequest::GetRawHttpRequest`: the HTTP Server API's `HTTP_REQUEST_V2` IIS received
//! from http.sys, which modules read for what the other methods do not give (every request
//! header, the cooked URL, the addresses). Made in request memory on the first call and kept
//! there, at the same address, for the rest of the request; its headers are rewritten after
//! each change a module makes through `SetHeader`/`DeleteHeader`, as IIS keeps the structure
//! it hands out current (the C++ host changes the structure itself). The verb, the raw and
//! cooked URL, the version and the addresses are as received; no entity chunks (the body is
//! read with `ReadEntityBody`), no SSL information, no request info entries.

use super::exchange::{Exchange, Received, State};
use super::memory::{place, socket_address, RequestMemory};
use crate::runtime::HRESULT;
use alloc::vec::Vec;
use core::ptr::NonNull;
use windows_sys::Win32::Networking::HttpServer::{
    HttpVerbUnknown, HTTP_COOKED_URL, HTTP_KNOWN_HEADER, HTTP_REQUEST_V2, HTTP_UNKNOWN_HEADER,
    HTTP_VERB,
};

/// The HTTP Server API's verbs from `HttpVerbOPTIONS` (3) on, in `HTTP_VERB` order.
const VERBS: [&str; 17] = [
    "OPTIONS",
    "GET",
    "HEAD",
    "POST",
    "PUT",
    "DELETE",
    "TRACE",
    "CONNECT",
    "TRACK",
    "MOVE",
    "COPY",
    "PROPFIND",
    "PROPPATCH",
    "MKCOL",
    "LOCK",
    "UNLOCK",
    "SEARCH",
];

/// The `HTTP_REQUEST_V2` a request made for its modules, in its memory.
pub(crate) struct RawRequest(NonNull<HTTP_REQUEST_V2>);

// SAFETY: the structure is plain data in request memory, changed only under the request's
// state lock (`refresh_headers`); what modules do with it is IIS's contract.
unsafe impl Send for RawRequest {}

/// The request's `HTTP_REQUEST_V2`, made on the first call; null if request memory ran out.
pub(crate) fn raw_request(state: &mut State, memory: &RequestMemory) -> *mut HTTP_REQUEST_V2 {
    if state.raw_request.is_none() {
        state.raw_request = NonNull::new(made(&state.received, memory)).map(RawRequest);
        refresh_headers(state, memory);
    }
    state
        .raw_request
        .as_ref()
        .map_or(core::ptr::null_mut(), |raw| raw.0.as_ptr())
}

/// After a change to the request's headers (whose result `hr` is passed on): the raw request
/// a module may hold follows it, as IIS's does.
pub(crate) fn headers_changed(exchange: &Exchange, hr: HRESULT) -> HRESULT {
    exchange.with(|s| refresh_headers(s, &exchange.memory));
    hr
}

/// Rewrites the structure's headers from the request's, if a module has it.
pub(crate) fn refresh_headers(state: &mut State, memory: &RequestMemory) {
    let Some(raw) = state.raw_request.as_ref().map(|raw| raw.0.as_ptr()) else {
        return;
    };
    let headers = &state.received.headers;
    let mut known = [HTTP_KNOWN_HEADER {
        RawValueLength: 0,
        pRawValue: core::ptr::null(),
    }; 41];
    for (id, slot) in known.iter_mut().enumerate() {
        if let Some(value) = headers.get_id(id as i32) {
            *slot = HTTP_KNOWN_HEADER {
                RawValueLength: value.text.len() as u16,
                pRawValue: value.text.as_ptr(),
            };
        }
    }
    let unknown: Vec<HTTP_UNKNOWN_HEADER> = headers
        .unknown()
        .map(|(name, value)| {
            let name = memory.c_text(name);
            HTTP_UNKNOWN_HEADER {
                NameLength: name.len() as u16,
                RawValueLength: value.text.len() as u16,
                pName: name.as_ptr(),
                pRawValue: value.text.as_ptr(),
            }
        })
        .collect();
    let array = memory
        .allocate(core::mem::size_of_val(unknown.as_slice()))
        .cast::<HTTP_UNKNOWN_HEADER>();
    if array.is_null() {
        return;
    }
    // SAFETY: `array` is a fresh 16-aligned block for `unknown.len()` headers; `raw` is the
    // structure this request made in its memory, which lives until the request ends, and no
    // module is inside a call on this request while the server holds its state.
    unsafe {
        core::ptr::copy_nonoverlapping(unknown.as_ptr(), array, unknown.len());
        let headers = &mut (*raw).Base.Headers;
        headers.KnownHeaders = known;
        headers.UnknownHeaderCount = unknown.len() as u16;
        headers.pUnknownHeaders = array;
    }
}

/// A new `HTTP_REQUEST_V2` for `received` in request memory, its headers empty.
fn made(received: &Received, memory: &RequestMemory) -> *mut HTTP_REQUEST_V2 {
    let method = received.method.bytes();
    let verb = VERBS
        .iter()
        .position(|verb| verb.as_bytes() == method)
        .map_or(HttpVerbUnknown, |index| index as HTTP_VERB + 3);
    let unknown_verb = (verb == HttpVerbUnknown).then_some(received.method);
    let raw_url = memory.c_text(&received.url);
    // SAFETY: all-zero is a valid HTTP_REQUEST_V2 (integers and null pointers).
    let mut request: HTTP_REQUEST_V2 = unsafe { core::mem::zeroed() };
    let base = &mut request.Base;
    base.Version.MajorVersion = received.version.0;
    base.Version.MinorVersion = received.version.1;
    base.Verb = verb;
    if let Some(unknown_verb) = unknown_verb {
        base.UnknownVerbLength = unknown_verb.len() as u16;
        base.pUnknownVerb = unknown_verb.as_ptr();
    }
    base.RawUrlLength = raw_url.len() as u16;
    base.pRawUrl = raw_url.as_ptr();
    base.CookedUrl = cooked_url(received, memory);
    base.Address.pRemoteAddress = socket_address(memory, received.remote);
    base.Address.pLocalAddress = socket_address(memory, received.local);
    place(memory, request)
}

/// http.sys's cooked URL: `http://` + host + cooked path + `?query`, one wide string the
/// other three point into, each length in bytes without the NUL.
fn cooked_url(received: &Received, memory: &RequestMemory) -> HTTP_COOKED_URL {
    use alloc::string::ToString;
    let (path, query) = super::limits::split_url(&received.url);
    let host = match received.headers.get(b"Host") {
        Some(host) if !host.bytes().is_empty() => {
            alloc::string::String::from_utf8_lossy(host.bytes()).into_owned()
        }
        _ => received.local.to_string(),
    };
    let path = super::url::cooked_path(path);
    let query =
        query.map(|query| alloc::format!("?{}", alloc::string::String::from_utf8_lossy(query)));
    let full: Vec<u16> = ["http://", &host, &path, query.as_deref().unwrap_or("")]
        .concat()
        .encode_utf16()
        .collect();
    let units = |text: &str| text.encode_utf16().count();
    let (host_at, path_at) = (7, 7 + units(&host));
    let query_at = path_at + units(&path);
    let text = memory.wide_text(&full);
    let at = |index: usize| text.as_ptr().wrapping_add(index);
    HTTP_COOKED_URL {
        FullUrlLength: (full.len() * 2) as u16,
        HostLength: (units(&host) * 2) as u16,
        AbsPathLength: (units(&path) * 2) as u16,
        QueryStringLength: query.as_deref().map_or(0, |q| units(q) * 2) as u16,
        pFullUrl: text.as_ptr(),
        pHost: at(host_at),
        pAbsPath: at(path_at),
        pQueryString: if query.is_some() {
            at(query_at)
        } else {
            core::ptr::null()
        },
    }
}
