//! What a test gives the test server and gets back: a [`Request`] (method, URL, headers,
//! body, addresses) and the [`Response`] the modules made of it (status, reason, headers,
//! body), with the notifications delivered on the way ([`Response::trace`]) and what the
//! modules wrote to the request's trace ([`QuickTrace`]).

use alloc::borrow::ToOwned;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use std::net::{Ipv4Addr, SocketAddr};

use crate::runtime::HRESULT;

/// A request to run through the pipeline: `Request::get("/hello?name=you").header("X-Echo",
/// "1")`. Without a `Host` header the server adds `Host: localhost`, and a body sets
/// `Content-Length` (or, [`Request::chunked`], `Transfer-Encoding: chunked`), as an HTTP
/// client would.
///
/// The URL and header values are bytes, so a test can send what a hostile client sends:
/// invalid UTF-8, NUL, very long values (`Request::get(b"/a\xFF?q=\0")`). What http.sys
/// refuses before IIS sees a request is refused here too, as it answers it (see
/// [`HttpSysLimits`](crate::HttpSysLimits)); the rest reaches the modules as sent.
#[derive(Clone, Debug)]
pub struct Request {
    pub(crate) method: String,
    pub(crate) url: Vec<u8>,
    pub(crate) version: (u16, u16),
    pub(crate) headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The entity body, in the pieces the client sends it in.
    pub(crate) body: Vec<Vec<u8>>,
    /// Sent with `Transfer-Encoding: chunked` (no `Content-Length`).
    pub(crate) chunked: bool,
    pub(crate) remote: SocketAddr,
    pub(crate) local: SocketAddr,
}

impl Request {
    /// A request with any method; `url` is the raw path and query (`/a/b?x=1`), as IIS's
    /// `URL` and `QUERY_STRING` server variables split it, any bytes.
    pub fn new(method: &str, url: impl AsRef<[u8]>) -> Request {
        Request {
            method: method.to_owned(),
            url: url.as_ref().to_vec(),
            version: (1, 1),
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
            remote: SocketAddr::from((Ipv4Addr::LOCALHOST, 50_000)),
            local: SocketAddr::from((Ipv4Addr::LOCALHOST, 80)),
        }
    }

    /// A `GET` request.
    pub fn get(url: impl AsRef<[u8]>) -> Request {
        Request::new("GET", url)
    }

    /// A `POST` request (give it a [`Request::body`]).
    pub fn post(url: impl AsRef<[u8]>) -> Request {
        Request::new("POST", url)
    }

    /// Adds a request header, any bytes in its value (a second one of the same name is
    /// joined to the first with `", "`, as IIS joins repeated headers).
    pub fn header(mut self, name: impl AsRef<[u8]>, value: impl AsRef<[u8]>) -> Request {
        self.headers
            .push((name.as_ref().to_vec(), value.as_ref().to_vec()));
        self
    }

    /// The entity body, read by `IHttpRequest::ReadEntityBody`; sets `Content-Length`.
    pub fn body(self, body: impl Into<Vec<u8>>) -> Request {
        self.body_in_pieces([body.into()])
    }

    /// The entity body as the client sends it, in pieces, with a `Content-Length` of their
    /// total: a `ReadEntityBody` returns at most the rest of one piece, as a read from the
    /// network returns what has arrived.
    pub fn body_in_pieces<P: Into<Vec<u8>>>(
        mut self,
        pieces: impl IntoIterator<Item = P>,
    ) -> Request {
        self.body = pieces.into_iter().map(Into::into).collect();
        self.body.retain(|piece| !piece.is_empty());
        self.chunked = false;
        self
    }

    /// The entity body in pieces with `Transfer-Encoding: chunked` and no `Content-Length`,
    /// as http.sys hands it to IIS: decoded, its length unknown until the last piece is read
    /// (`GetRemainingEntityBytes` is `u32::MAX` until then, and 0 after). Each piece is a
    /// chunk (empty pieces are left out: an empty chunk ends the body).
    pub fn chunked<P: Into<Vec<u8>>>(self, pieces: impl IntoIterator<Item = P>) -> Request {
        let mut request = self.body_in_pieces(pieces);
        request.chunked = true;
        request
    }

    /// The HTTP version (1.1 by default).
    pub fn version(mut self, major: u16, minor: u16) -> Request {
        self.version = (major, minor);
        self
    }

    /// The client's address (127.0.0.1:50000 by default): `REMOTE_ADDR`, `REMOTE_PORT`,
    /// `IHttpRequest::GetRemoteAddress`.
    pub fn remote(mut self, address: SocketAddr) -> Request {
        self.remote = address;
        self
    }

    /// The server's address (127.0.0.1:80 by default): `LOCAL_ADDR`, `SERVER_PORT`,
    /// `IHttpRequest::GetLocalAddress`.
    pub fn local(mut self, address: SocketAddr) -> Request {
        self.local = address;
        self
    }

    /// The method and URL, for messages (invalid UTF-8 replaced, long URLs cut).
    pub(crate) fn describe(&self) -> String {
        let url = String::from_utf8_lossy(&self.url[..self.url.len().min(200)]).into_owned();
        alloc::format!("{} {url}", self.method)
    }

    /// The headers as the server receives them: the test's, then `Host` and the body's
    /// framing (`Content-Length`, or `Transfer-Encoding: chunked`) where the test did not
    /// give them.
    pub(crate) fn received_headers(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut headers = self.headers.clone();
        let has = |name: &str| {
            self.headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        };
        let mut add = |name: &str, value: &[u8]| headers.push((name.into(), value.to_vec()));
        if !has("Host") {
            add("Host", b"localhost");
        }
        if self.chunked {
            if !has("Transfer-Encoding") {
                add("Transfer-Encoding", b"chunked");
            }
        } else if !self.body.is_empty() && !has("Content-Length") {
            add("Content-Length", self.body_length().to_string().as_bytes());
        }
        headers
    }

    /// The body's length in bytes.
    pub(crate) fn body_length(&self) -> usize {
        self.body.iter().map(Vec::len).sum()
    }
}

/// What the modules answered, as it was sent (after `RQ_SEND_RESPONSE`, with the
/// `Content-Length` the server sets on a buffered response), and how the request went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The request's number on this server, from 1.
    pub number: u64,
    /// The status code.
    pub status: u16,
    /// The reason phrase (invalid UTF-8 replaced).
    pub reason: String,
    /// The reason phrase's bytes, as they were sent.
    pub raw_reason: Vec<u8>,
    /// Every header: the known ones in `HTTP_HEADER_ID` order, then the others in the order
    /// they were first set (invalid UTF-8 replaced).
    pub headers: Vec<(String, String)>,
    /// Every header's name and value as bytes, in the order of `headers`.
    pub raw_headers: Vec<(Vec<u8>, Vec<u8>)>,
    /// The entity body (decoded, when it was sent chunked).
    pub body: Vec<u8>,
    /// The body as it was sent: one part for a buffered response (none when empty), one per
    /// flush that sent bytes and the rest at the end for a flushed one (`IHttpResponse::Flush`;
    /// each a chunk when `Transfer-Encoding: chunked`).
    pub parts: Vec<Vec<u8>>,
    /// The pipeline, one line per event, as the C++ host of `tests/iis_host` prints them
    /// with `--trace` (without its `trace: request N ` prefix): `notify BEGIN_REQUEST name`,
    /// `notify POST_EXECUTE_REQUEST_HANDLER name`, `notify GL_PRE_BEGIN_REQUEST name`,
    /// `pending`, `resume`, `async-completion`, `send`, `done`, and `trace-event …` for
    /// `RaiseTraceEvent`.
    pub trace: Vec<String>,
    /// What the modules wrote with `IHttpTraceContext::QuickTrace`, in order.
    pub quick_traces: Vec<QuickTrace>,
    /// What the modules last set with `IHttpResponse::SetErrorDescription` (invalid UTF-16
    /// replaced), if anything: IIS shows it in its detailed error pages.
    pub error_description: Option<String>,
}

impl Response {
    /// The value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One `IHttpTraceContext::QuickTrace` call. Its `Display` is the C++ host's line without
/// `quick-trace: request N `: `hello_module echo hr=0x0 level=4`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuickTrace {
    /// `pszData1`.
    pub data1: String,
    /// `pszData2`, when not null.
    pub data2: Option<String>,
    /// `hrLastError`.
    pub hr: HRESULT,
    /// `Level` (evntrace.h's `TRACE_LEVEL_*`).
    pub level: u8,
}

impl fmt::Display for QuickTrace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.data1)?;
        if let Some(data2) = &self.data2 {
            write!(f, " {data2}")?;
        }
        write!(f, " hr={:#x} level={}", self.hr.0 as u32, self.level)
    }
}
