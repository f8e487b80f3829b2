//! Every header of the request, read from the structure IIS keeps it in: the HTTP Server
//! API's `HTTP_REQUEST` (`IHttpRequest::GetRawHttpRequest`), its known headers by
//! `HTTP_HEADER_ID` under their usual names, then the others in the order received (or set).
//! IIS changes that structure when a module sets or deletes a request header, which takes
//! `&mut` [`HttpContext`]; the iterator borrows the context shared, so what it yields stays
//! as it was read. With feature `http`, the same headers as an `http::HeaderMap`.

use super::header_ids::REQUEST_HEADERS;
use super::HttpContext;
use windows_sys::Win32::Networking::HttpServer::{HTTP_KNOWN_HEADER, HTTP_REQUEST_HEADERS};

impl<'a> HttpContext<'a> {
    /// Every request header as (name, value): the headers http.sys knows by id first (`Host`,
    /// `User-Agent`…, named as usual), then the others in the order IIS holds them (the test
    /// server and the C++ host join a header sent twice into one value with `", "`).
    /// Names are tokens (ASCII); one that is not UTF-8 is skipped. Empty if IIS has no raw
    /// request.
    pub fn request_headers(&self) -> RequestHeaders<'_> {
        RequestHeaders {
            headers: self
                .request()
                .raw_http_request()
                .map(|raw| &raw.Base.Headers),
            next: 0,
        }
    }

    /// The request headers as an `http::HeaderMap` (a copy); a name or value the `http`
    /// crate refuses (a control character in a value) is left out.
    #[cfg(feature = "http")]
    pub fn request_header_map(&self) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in self.request_headers() {
            if let (Ok(name), Ok(value)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_bytes(value),
            ) {
                map.append(name, value);
            }
        }
        map
    }
}

/// The iterator of [`HttpContext::request_headers`].
pub struct RequestHeaders<'r> {
    headers: Option<&'r HTTP_REQUEST_HEADERS>,
    /// Known headers by id, then unknown ones from `REQUEST_HEADERS.len()` on.
    next: usize,
}

impl<'r> Iterator for RequestHeaders<'r> {
    type Item = (&'r str, &'r [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let headers = self.headers?;
        let known = REQUEST_HEADERS.len();
        while self.next < known {
            let id = self.next;
            self.next += 1;
            if let Some(value) = known_value(&headers.KnownHeaders[id]) {
                return Some((REQUEST_HEADERS[id], value));
            }
        }
        while self.next - known < usize::from(headers.UnknownHeaderCount) {
            let index = self.next - known;
            self.next += 1;
            if headers.pUnknownHeaders.is_null() {
                return None;
            }
            // SAFETY: IIS's contract for the raw request it hands out: `pUnknownHeaders` holds
            // `UnknownHeaderCount` headers, each name and value readable for its length, all
            // live until the request ends and unchanged while the context is borrowed shared.
            let (name, value) = unsafe {
                let header = &*headers.pUnknownHeaders.add(index);
                (
                    bytes(header.pName, header.NameLength),
                    bytes(header.pRawValue, header.RawValueLength),
                )
            };
            if let Ok(name) = core::str::from_utf8(name) {
                return Some((name, value));
            }
        }
        None
    }
}

/// A known header's value, if it is present.
fn known_value(header: &HTTP_KNOWN_HEADER) -> Option<&[u8]> {
    // SAFETY: as in `next`: a present value is readable for its length while the raw request
    // is borrowed.
    (!header.pRawValue.is_null()).then(|| unsafe { bytes(header.pRawValue, header.RawValueLength) })
}

/// `len` bytes at `at`; empty for null.
///
/// # Safety
/// `at` must be null or readable for `len` bytes for `'r`.
unsafe fn bytes<'r>(at: *const u8, len: u16) -> &'r [u8] {
    if at.is_null() {
        return &[];
    }
    // SAFETY: the caller's contract.
    unsafe { core::slice::from_raw_parts(at, usize::from(len)) }
}
