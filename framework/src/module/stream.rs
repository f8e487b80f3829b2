//! Sending a response in parts: [`HttpContext::flush`] sends what the response holds before the
//! request ends, and [`BodyWriter`] is the response body as a [`std::io::Write`].
//!
//! IIS buffers a response until the request ends and then sends it whole, with a
//! `Content-Length`. A module that wants the client to see something earlier (a long report,
//! progress lines, a page's head before its slow part) flushes:
//! [`IHttpResponse::Flush`](https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/ihttpresponse-flush-method)
//! sends the status line and headers with the first flush, and the body written so far with
//! every flush. From then on [`HttpContext::headers_sent`] is true and the status and headers
//! are on the wire: changing them is no longer seen by the client, and clearing the response
//! only clears what was written since the last flush (Microsoft's sample says so of `Clear`).
//! A response flushed without a `Content-Length` goes to an HTTP/1.1 client with
//! `Transfer-Encoding: chunked`, each flush a chunk (observed of IIS, e.g. in ASP.NET Core's
//! IIS issues; Microsoft's reference does not say), and to an HTTP/1.0 client with
//! `Connection: close`.
//!
//! The flush here is synchronous: it returns once IIS has sent the bytes. In an `async fn`
//! notification, [`AsyncContext::flush`](super::AsyncContext::flush) sends without blocking a
//! thread. The test server records a response's parts as it would send them
//! (`Response::parts`); the IIS host under wine sends a flushed response whole at the end,
//! because wine's HTTP Server API cannot send a response in parts (tests/iis_host/README.md).

use super::context::HttpContext;
use crate::runtime::Result;

impl<'a> HttpContext<'a> {
    /// Sends the response so far: the status and headers (the first time) and the body written
    /// since the last flush; more may be written and flushed after it. Blocks until IIS has
    /// sent it (`IHttpResponse::Flush`). After the first flush the status and headers are on
    /// the wire ([`Self::headers_sent`]): changing them changes nothing the client gets, IIS's
    /// error pages no longer replace the response, and clearing it clears only what was
    /// written since the last flush. Without a `Content-Length`, an HTTP/1.1 client gets the
    /// body chunked (each flush a chunk; observed of IIS, Microsoft's reference does not say)
    /// and an HTTP/1.0 client `Connection: close`.
    pub fn flush(&mut self) -> Result<()> {
        self.response_mut().flush(true).map(drop)
    }

    /// Whether the status and headers have gone to the client (after a flush): changing them
    /// no longer changes what the client gets
    /// ([`IHttpContext::GetResponseHeadersSent`](crate::IHttpContext::GetResponseHeadersSent)).
    pub fn headers_sent(&self) -> bool {
        self.iis().response_headers_sent()
    }

    /// The response body as a [`std::io::Write`]: `write` appends (IIS copies the bytes, one
    /// entity chunk per call) and `flush` sends ([`Self::flush`]). Wrap it in a
    /// [`std::io::BufWriter`] when writing many small pieces (`write!` writes each formatted
    /// part separately).
    #[cfg(feature = "std")]
    pub fn body_writer(&mut self) -> BodyWriter<'_, 'a> {
        BodyWriter { ctx: self }
    }
}

/// The response body as a [`std::io::Write`], from [`HttpContext::body_writer`]. IIS's
/// refusals come back as [`std::io::Error`]s whose raw OS error is the `HRESULT`.
#[cfg(feature = "std")]
pub struct BodyWriter<'c, 'a> {
    ctx: &'c mut HttpContext<'a>,
}

#[cfg(feature = "std")]
impl std::io::Write for BodyWriter<'_, '_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.ctx.write(bytes).map_err(std::io::Error::from)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.ctx.flush().map_err(std::io::Error::from)
    }
}
