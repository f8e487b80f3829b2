//! A response sent in parts, as IIS sends one a module flushes (`IHttpResponse::Flush`): the
//! first flush sends the status line and headers and fixes them (`GetResponseHeadersSent` is
//! TRUE from then on; later changes reach no client), each flush sends the body written since
//! the last one, and the rest goes when the request ends. A flushed response without a
//! `Content-Length` gets `Transfer-Encoding: chunked` for an HTTP/1.1 client (each part a
//! chunk; observed of IIS, Microsoft's reference does not say) and `Connection: close` for an
//! HTTP/1.0 one, whose body ends with the connection. The test gets the head as the first
//! flush sent it and the body decoded, with its parts in [`Response::parts`](crate::Response).
//!
//! Not modelled: IIS raises `RQ_SEND_RESPONSE` for each send (`GetHeadersBeingSent` says
//! whether the headers go with it); here it runs once, when the request ends.

use alloc::string::String;
use alloc::vec::Vec;

use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderConnection, HttpHeaderContentLength, HttpHeaderTransferEncoding,
};

use super::exchange::State;
use super::memory::RequestMemory;

/// The head a response's first flush sent, and the body's parts sent since.
pub(crate) struct Streamed {
    pub status: u16,
    pub reason: Vec<u8>,
    pub headers: Vec<(String, String)>,
    pub raw_headers: Vec<(Vec<u8>, Vec<u8>)>,
    pub parts: Vec<Vec<u8>>,
}

/// Sends what the response holds: the head the first time, then the body written since the
/// last flush. Returns the body's bytes sent (a `HEAD` response sends none).
pub(crate) fn flush(state: &mut State, memory: &RequestMemory) -> usize {
    let head_only = state.received.method.bytes() == b"HEAD";
    let http_1_1 = state.received.version >= (1, 1);
    let response = &mut state.response;
    if response.streamed.is_none() {
        if response.headers.get_id(HttpHeaderContentLength).is_none() {
            // Setting a known header in the server's own table cannot be refused.
            let _ = if http_1_1 {
                response
                    .headers
                    .set_id(memory, HttpHeaderTransferEncoding, b"chunked", true)
            } else {
                response.need_disconnect = true;
                response
                    .headers
                    .set_id(memory, HttpHeaderConnection, b"close", true)
            };
        }
        response.streamed = Some(Streamed {
            status: response.status,
            reason: response.reason.bytes().to_vec(),
            headers: response.headers.list(),
            raw_headers: response.headers.list_bytes(),
            parts: Vec::new(),
        });
    }
    state.headers_sent = true;
    let part = core::mem::take(&mut response.chunks).concat();
    let sent = if head_only { 0 } else { part.len() };
    if let (Some(streamed), true) = (&mut response.streamed, sent > 0) {
        streamed.parts.push(part);
    }
    sent
}
