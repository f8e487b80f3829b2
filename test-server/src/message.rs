//! `IHttpRequest` and `IHttpResponse` of the test server, as the C++ host of `tests/iis_host`
//! models them: headers by name and by `HTTP_HEADER_ID` (get, set, append, delete), the
//! method, version and addresses, the entity body the test gave (`entity.rs`); the status,
//! `WriteEntityChunks` of memory chunks (copied: IIS buffers the response), `Clear`,
//! `Redirect`, the error description. Strings handed out live in request memory until the request ends. A call after
//! the request ended fails with `E_UNEXPECTED` (or returns null).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::c_void;

use windows_sys::core::{BOOL, PCSTR, PCWSTR};
use windows_sys::Win32::Foundation::{FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderHost, HttpHeaderLocation, HTTP_DATA_CHUNK, HTTP_HEADER_ID, HTTP_REQUEST_V2,
    HTTP_RESPONSE_V2, HTTP_SSL_CLIENT_CERT_INFO,
};
use windows_sys::Win32::Networking::WinSock::SOCKADDR;

use super::async_io::answer;
use super::exchange::Exchange;
use super::header_slots::{
    delete_header, delete_header_by_id, edit, hand_out, request_headers, response_headers,
    set_header, set_header_by_id,
};
use super::headers::field_text;
use super::memory::{c_str, chunk_bytes, put, socket_address};
use super::raw_request;
use crate::runtime::{E_INVALIDARG, E_NOTIMPL, E_UNEXPECTED, HRESULT, S_OK};
use crate::*;

/// `IHttpRequest`.
pub(crate) struct HttpRequest {
    pub exchange: Arc<Exchange>,
}

/// `IHttpResponse`.
pub(crate) struct HttpResponse {
    pub exchange: Arc<Exchange>,
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpRequest_Impl for HttpRequest {
    /// The request's `HTTP_REQUEST_V2` (`raw_request.rs`), one structure for the request.
    fn GetRawHttpRequest_const(&self) -> *const HTTP_REQUEST_V2 {
        self.GetRawHttpRequest()
    }
    fn GetRawHttpRequest(&self) -> *mut HTTP_REQUEST_V2 {
        let memory = &self.exchange.memory;
        self.exchange
            .with(|s| raw_request::raw_request(s, memory))
            .unwrap_or(core::ptr::null_mut())
    }
    unsafe fn GetHeader_HTTP_HEADER_ID(&self, id: HTTP_HEADER_ID, len: *mut u16) -> PCSTR {
        let value = self
            .exchange
            .with(|s| s.received.headers.get_id(id))
            .flatten();
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { hand_out(value, len) }
    }
    unsafe fn GetHeader(&self, name: PCSTR, len: *mut u16) -> PCSTR {
        // SAFETY: IIS's contract: `name` is a NUL-terminated string, `len` null or writable.
        unsafe {
            let value = c_str(name)
                .and_then(|name| self.exchange.with(|s| s.received.headers.get(name)))
                .flatten();
            hand_out(value, len)
        }
    }
    unsafe fn SetHeader_HTTP_HEADER_ID(
        &self,
        id: HTTP_HEADER_ID,
        value: PCSTR,
        len: u16,
        replace: BOOL,
    ) -> HRESULT {
        // SAFETY: IIS's contract, which the caller of this slot keeps.
        let hr =
            unsafe { set_header_by_id(&self.exchange, request_headers, id, value, len, replace) };
        raw_request::headers_changed(&self.exchange, hr)
    }
    unsafe fn SetHeader(&self, name: PCSTR, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        // SAFETY: IIS's contract, which the caller of this slot keeps.
        let hr = unsafe { set_header(&self.exchange, request_headers, name, value, len, replace) };
        raw_request::headers_changed(&self.exchange, hr)
    }
    fn DeleteHeader_HTTP_HEADER_ID(&self, id: HTTP_HEADER_ID) -> HRESULT {
        let hr = delete_header_by_id(&self.exchange, request_headers, id);
        raw_request::headers_changed(&self.exchange, hr)
    }
    unsafe fn DeleteHeader(&self, name: PCSTR) -> HRESULT {
        // SAFETY: IIS's contract, which the caller of this slot keeps.
        let hr = unsafe { delete_header(&self.exchange, request_headers, name) };
        raw_request::headers_changed(&self.exchange, hr)
    }
    fn GetHttpMethod(&self) -> PCSTR {
        self.exchange
            .with(|s| s.received.method.as_ptr())
            .unwrap_or(core::ptr::null())
    }
    /// Not modelled.
    unsafe fn SetHttpMethod(&self, _: PCSTR) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn SetUrl_PCSTR(&self, _: PCSTR, _: u32, _: BOOL) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn SetUrl(&self, _: PCWSTR, _: u32, _: BOOL) -> HRESULT {
        E_NOTIMPL
    }
    fn GetUrlChanged(&self) -> BOOL {
        FALSE
    }
    fn GetForwardedUrl(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetLocalAddress(&self) -> *mut SOCKADDR {
        self.exchange
            .with(|s| socket_address(&self.exchange.memory, s.received.local))
            .unwrap_or(core::ptr::null_mut())
    }
    fn GetRemoteAddress(&self) -> *mut SOCKADDR {
        self.exchange
            .with(|s| socket_address(&self.exchange.memory, s.received.remote))
            .unwrap_or(core::ptr::null_mut())
    }
    /// From the body the test gave, a piece at a time (see `entity.rs`):
    /// `HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)` and 0 bytes at its end, at once even for
    /// `fAsync`, as IIS answers it. Asked for `fAsync`, a read completes at once or later, by
    /// the server's [`AsyncIo`](crate::AsyncIo) mode (`async_io.rs`); the bytes are in the
    /// buffer when the call returns either way.
    /// The next bytes of the body, then `RQ_READ_ENTITY` (`read_entity.rs`).
    unsafe fn ReadEntityBody(
        &self,
        buffer: *mut c_void,
        size: u32,
        asynchronous: BOOL,
        received: *mut u32,
        pending: *mut BOOL,
    ) -> HRESULT {
        // SAFETY: IIS's contract, passed on.
        unsafe {
            super::read_entity::read(
                &self.exchange,
                buffer,
                size,
                asynchronous,
                received,
                pending,
            )
        }
    }
    /// Puts `size` bytes at `buffer` before the rest of the body: the next reads return them.
    /// IIS keeps the module's buffer (which must live until the request ends); this copies it
    /// at the call, and does not check that the module keeps it. `Content-Length` is not
    /// changed, as IIS leaves it.
    unsafe fn InsertEntityBody(&self, buffer: *mut c_void, size: u32) -> HRESULT {
        if buffer.is_null() && size != 0 {
            return E_INVALIDARG;
        }
        let bytes = if size == 0 {
            Vec::new()
        } else {
            // SAFETY: IIS's contract: `buffer` is readable for `size` bytes.
            unsafe { core::slice::from_raw_parts(buffer.cast::<u8>(), size as usize) }.to_vec()
        };
        self.exchange
            .with(|s| s.received.entity.insert(bytes))
            .map_or(E_UNEXPECTED, |()| S_OK)
    }
    fn GetRemainingEntityBytes(&self) -> u32 {
        self.exchange
            .with(|s| s.received.entity.remaining())
            .unwrap_or(0)
    }
    unsafe fn GetHttpVersion(&self, major: *mut u16, minor: *mut u16) {
        let (a, b) = self.exchange.with(|s| s.received.version).unwrap_or((1, 1));
        // SAFETY: IIS's contract: each is null or writable.
        unsafe {
            put(major, a);
            put(minor, b);
        }
    }
    /// Not modelled (no TLS).
    unsafe fn GetClientCertificate(
        &self,
        _: *mut *mut HTTP_SSL_CLIENT_CERT_INFO,
        _: *mut BOOL,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled (no TLS).
    unsafe fn NegotiateClientCertificate(&self, _: BOOL, _: *mut BOOL) -> HRESULT {
        E_NOTIMPL
    }
    fn GetSiteId(&self) -> u32 {
        1
    }
    /// Not modelled.
    unsafe fn GetHeaderChanges(
        &self,
        _: u32,
        _: *mut u32,
        _: *mut PCSTR,
        _: *mut u32,
        _: *mut *mut PCSTR,
        _: *mut *mut PCSTR,
        _: *mut u32,
        _: *mut u32,
        _: *mut *mut u32,
    ) -> HRESULT {
        E_NOTIMPL
    }
}

impl HttpResponse {
    /// Adds a copy of a memory chunk at `position` (appended when out of range).
    ///
    /// # Safety
    /// `chunk`'s buffer must be readable for its length (IIS's contract).
    unsafe fn add_chunk(&self, chunk: &HTTP_DATA_CHUNK, position: Option<usize>) -> HRESULT {
        // SAFETY: the caller's contract.
        let bytes = match unsafe { chunk_bytes(chunk) } {
            Ok(bytes) => bytes,
            Err(hr) => return hr,
        };
        self.exchange
            .with(|s| {
                let chunks = &mut s.response.chunks;
                match position {
                    Some(at) if at < chunks.len() => chunks.insert(at, bytes),
                    _ => chunks.push(bytes),
                }
                S_OK
            })
            .unwrap_or(E_UNEXPECTED)
    }

    /// Refuses a code a status line cannot carry, and a reason with a CR, LF or other
    /// control (see `headers::sendable`): nothing is stored. `skip` is
    /// `fTrySkipCustomErrors`, kept for `GetStatus` and `<httpErrors>` (`http_errors.rs`).
    fn set_status(
        &self,
        code: u16,
        reason: &[u8],
        sub: u16,
        error: HRESULT,
        skip: bool,
    ) -> HRESULT {
        if !(100..=999).contains(&code) || !field_text(reason) {
            return E_INVALIDARG;
        }
        self.exchange
            .with(|s| {
                let response = &mut s.response;
                response.status = code;
                response.reason = self.exchange.memory.c_text(reason);
                response.sub_status = sub;
                response.error_to_report = error;
                response.status_set = true;
                response.skip_custom_errors = skip;
                S_OK
            })
            .unwrap_or(E_UNEXPECTED)
    }
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpResponse_Impl for HttpResponse {
    /// Not modelled: the test server keeps no `HTTP_RESPONSE` structure.
    fn GetRawHttpResponse_const(&self) -> *const HTTP_RESPONSE_V2 {
        core::ptr::null()
    }
    /// Not modelled, as above.
    fn GetRawHttpResponse(&self) -> *mut HTTP_RESPONSE_V2 {
        core::ptr::null_mut()
    }
    /// Not modelled (no output cache).
    fn GetCachePolicy(&self) -> *mut IHttpCachePolicy {
        core::ptr::null_mut()
    }
    unsafe fn SetStatus(
        &self,
        code: u16,
        reason: PCSTR,
        sub: u16,
        error: HRESULT,
        _: *mut IAppHostConfigException,
        try_skip_custom_errors: BOOL,
    ) -> HRESULT {
        // SAFETY: IIS's contract: `reason` is null or NUL-terminated.
        let reason = unsafe { c_str(reason) }.unwrap_or_default();
        self.set_status(code, reason, sub, error, try_skip_custom_errors != FALSE)
    }
    unsafe fn SetHeader_HTTP_HEADER_ID(
        &self,
        id: HTTP_HEADER_ID,
        value: PCSTR,
        len: u16,
        replace: BOOL,
    ) -> HRESULT {
        // SAFETY: IIS's contract, which the caller of this slot keeps.
        unsafe { set_header_by_id(&self.exchange, response_headers, id, value, len, replace) }
    }
    unsafe fn SetHeader(&self, name: PCSTR, value: PCSTR, len: u16, replace: BOOL) -> HRESULT {
        // SAFETY: IIS's contract, which the caller of this slot keeps.
        unsafe { set_header(&self.exchange, response_headers, name, value, len, replace) }
    }
    fn DeleteHeader_HTTP_HEADER_ID(&self, id: HTTP_HEADER_ID) -> HRESULT {
        delete_header_by_id(&self.exchange, response_headers, id)
    }
    unsafe fn DeleteHeader(&self, name: PCSTR) -> HRESULT {
        // SAFETY: IIS's contract, which the caller of this slot keeps.
        unsafe { delete_header(&self.exchange, response_headers, name) }
    }
    unsafe fn GetHeader_HTTP_HEADER_ID(&self, id: HTTP_HEADER_ID, len: *mut u16) -> PCSTR {
        let value = self
            .exchange
            .with(|s| s.response.headers.get_id(id))
            .flatten();
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { hand_out(value, len) }
    }
    unsafe fn GetHeader(&self, name: PCSTR, len: *mut u16) -> PCSTR {
        // SAFETY: IIS's contract: `name` is NUL-terminated, `len` null or writable.
        unsafe {
            let value = c_str(name)
                .and_then(|name| self.exchange.with(|s| s.response.headers.get(name)))
                .flatten();
            hand_out(value, len)
        }
    }
    fn Clear(&self) {
        self.exchange.with(|s| s.response.chunks.clear());
    }
    fn ClearHeaders(&self) {
        self.exchange.with(|s| s.response.headers.clear());
    }
    fn SetNeedDisconnect(&self) {
        self.exchange.with(|s| s.response.need_disconnect = true);
    }
    fn ResetConnection(&self) {
        self.exchange.with(|s| s.response.need_disconnect = true);
    }
    fn DisableKernelCache(&self, _: u32) {
        self.exchange.with(|s| s.response.kernel_cache = false);
    }
    fn GetKernelCacheEnabled(&self) -> BOOL {
        let enabled = self.exchange.with(|s| s.response.kernel_cache);
        if enabled == Some(true) {
            TRUE
        } else {
            FALSE
        }
    }
    fn SuppressHeaders(&self) {
        self.exchange.with(|s| s.response.headers_suppressed = true);
    }
    fn GetHeadersSuppressed(&self) -> BOOL {
        let suppressed = self.exchange.with(|s| s.response.headers_suppressed);
        if suppressed == Some(true) {
            TRUE
        } else {
            FALSE
        }
    }
    /// Sends the head (the first time) and the body written since the last flush
    /// (`streaming.rs`); `*pcbSent` is the body's bytes. Asked for `fAsync`, it completes at
    /// once or later, with those bytes, by the server's [`AsyncIo`](crate::AsyncIo) mode
    /// (`async_io.rs`).
    unsafe fn Flush(
        &self,
        asynchronous: BOOL,
        _more_data: BOOL,
        sent: *mut u32,
        completion_expected: *mut BOOL,
    ) -> HRESULT {
        let memory = &self.exchange.memory;
        let Some(bytes) = self.exchange.with(|s| super::streaming::flush(s, memory)) else {
            return E_UNEXPECTED;
        };
        self.exchange.log(alloc::format!("flush {bytes}"));
        let bytes = u32::try_from(bytes).unwrap_or(u32::MAX);
        // SAFETY: IIS's contract: each out pointer is null or writable.
        unsafe {
            answer(
                &self.exchange,
                asynchronous,
                bytes,
                sent,
                completion_expected,
            )
        }
    }
    /// Made absolute within the request's host, with its query when `include_parameters`
    /// (`url.rs`, `redirect_target`), as IIS sends it.
    unsafe fn Redirect(&self, url: PCSTR, reset_status: BOOL, include_parameters: BOOL) -> HRESULT {
        // SAFETY: IIS's contract: `url` is NUL-terminated.
        let Some(url) = (unsafe { c_str(url) }).filter(|url| field_text(url)) else {
            return E_INVALIDARG;
        };
        let target = self.exchange.with(|s| {
            let received = &s.received;
            let (path, query) = super::limits::split_url(&received.url);
            let host = received.headers.get_id(HttpHeaderHost);
            let host = host.as_ref().map(|host| host.bytes());
            super::url::redirect_target(url, host, path, query, include_parameters != FALSE)
        });
        let Some(target) = target.filter(|target| field_text(target)) else {
            return E_INVALIDARG;
        };
        let url = target.as_slice();
        self.Clear();
        if reset_status != FALSE {
            let hr = self.set_status(302, b"Redirect", 0, S_OK, false);
            if hr.is_err() {
                return hr;
            }
        }
        edit(
            &self.exchange,
            response_headers,
            |headers, memory| match headers.set_id(memory, HttpHeaderLocation, url, true) {
                Ok(()) => S_OK,
                Err(_) => E_INVALIDARG,
            },
        )
    }
    /// Copies the chunk at once (a module must keep the buffer until the send; the copy does
    /// not check that it does).
    unsafe fn WriteEntityChunkByReference(
        &self,
        chunk: *mut HTTP_DATA_CHUNK,
        position: i32,
    ) -> HRESULT {
        // SAFETY: IIS's contract: `chunk` is null or a valid chunk whose memory is readable.
        match unsafe { chunk.as_ref() } {
            // SAFETY: as above, the chunk's memory is readable for its length.
            Some(chunk) => unsafe { self.add_chunk(chunk, usize::try_from(position).ok()) },
            None => E_INVALIDARG,
        }
    }
    /// Buffered, as IIS buffers by default: memory chunks are copied and sent with the
    /// response; other chunk types are `E_NOTIMPL`. Asked for `fAsync`, it completes at once
    /// or later, with the bytes of all the chunks, by the server's
    /// [`AsyncIo`](crate::AsyncIo) mode (`async_io.rs`).
    unsafe fn WriteEntityChunks(
        &self,
        chunks: *mut HTTP_DATA_CHUNK,
        count: u32,
        asynchronous: BOOL,
        _more_data: BOOL,
        sent: *mut u32,
        completion_expected: *mut BOOL,
    ) -> HRESULT {
        // SAFETY: IIS's contract: each out pointer is null or writable.
        unsafe { put(completion_expected, FALSE) };
        if chunks.is_null() && count != 0 {
            return E_INVALIDARG;
        }
        let mut total = 0u32;
        for index in 0..count as usize {
            // SAFETY: IIS's contract: `chunks` holds `count` chunks, each memory one readable.
            let hr = unsafe {
                let chunk = &*chunks.add(index);
                total = total.wrapping_add(chunk.Anonymous.FromMemory.BufferLength);
                self.add_chunk(chunk, None)
            };
            if hr.is_err() {
                return hr;
            }
        }
        // SAFETY: IIS's contract: each out pointer is null or writable.
        unsafe {
            answer(
                &self.exchange,
                asynchronous,
                total,
                sent,
                completion_expected,
            )
        }
    }
    fn DisableBuffering(&self) {}
    unsafe fn GetStatus(
        &self,
        code: *mut u16,
        sub: *mut u16,
        reason: *mut PCSTR,
        reason_len: *mut u16,
        error: *mut HRESULT,
        module: *mut PCWSTR,
        notification: *mut u32,
        exception: *mut *mut IAppHostConfigException,
        skip_custom_errors: *mut BOOL,
    ) {
        let status = self.exchange.with(|s| {
            let r = &s.response;
            (
                r.status,
                r.sub_status,
                r.reason,
                r.error_to_report,
                r.skip_custom_errors,
            )
        });
        let (c, sub_status, reason_text, hr, skip) = match status {
            Some((c, sub, text, hr, skip)) => (c, sub, Some(text), hr, skip),
            None => (0, 0, None, S_OK, false),
        };
        // SAFETY: IIS's contract: each out pointer is null or writable.
        unsafe {
            put(code, c);
            put(sub, sub_status);
            put(
                reason,
                reason_text.map_or(core::ptr::null(), |t| t.as_ptr()),
            );
            put(reason_len, reason_text.map_or(0, |t| t.len() as u16));
            put(error, hr);
            put(module, core::ptr::null());
            put(notification, 0);
            put(exception, core::ptr::null_mut());
            put(skip_custom_errors, BOOL::from(skip));
        }
    }
    /// Keeps a copy of the `len` UTF-16 units as given, NUL-terminated in request memory, for
    /// `GetErrorDescription` (and [`Response::error_description`](crate::Response)); a null
    /// description clears it. The detailed error page (`http_errors.rs`) shows it
    /// HTML-encoded whatever `fHtmlEncode` says, as the C++ host.
    unsafe fn SetErrorDescription(
        &self,
        description: PCWSTR,
        len: u32,
        _html_encode: BOOL,
    ) -> HRESULT {
        if description.is_null() {
            return match len {
                0 => self
                    .exchange
                    .with(|s| s.response.error_description = None)
                    .map_or(E_UNEXPECTED, |()| S_OK),
                _ => E_INVALIDARG,
            };
        }
        // SAFETY: IIS's contract: `description` is readable for `len` units.
        let units = unsafe { core::slice::from_raw_parts(description, len as usize) };
        let copy = self.exchange.memory.wide_text(units);
        self.exchange
            .with(|s| s.response.error_description = Some(copy))
            .map_or(E_UNEXPECTED, |()| S_OK)
    }
    /// The last description set, and its length in UTF-16 units; null and 0 when none.
    unsafe fn GetErrorDescription(&self, len: *mut u32) -> PCWSTR {
        let description = self
            .exchange
            .with(|s| s.response.error_description)
            .flatten();
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { put(len, description.map_or(0, |d| d.len() as u32)) };
        description.map_or(core::ptr::null(), |d| d.as_ptr())
    }
    /// Not modelled.
    unsafe fn GetHeaderChanges(
        &self,
        _: u32,
        _: *mut u32,
        _: *mut PCSTR,
        _: *mut u32,
        _: *mut *mut PCSTR,
        _: *mut *mut PCSTR,
        _: *mut u32,
        _: *mut u32,
        _: *mut *mut u32,
    ) -> HRESULT {
        E_NOTIMPL
    }
    fn CloseConnection(&self) {
        self.exchange.with(|s| s.response.need_disconnect = true);
    }
}
