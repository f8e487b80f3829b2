//! What refuses a request before a module's `RQ_BEGIN_REQUEST`, as on Windows: http.sys's
//! limits ([`HttpSysLimits`]: a request beyond them is answered by http.sys itself and never
//! reaches IIS), then IIS's request filtering ([`RequestLimits`], `<requestLimits>`: `404.14`,
//! `404.15`, `413.1`). The C++ host of `tests/iis_host` refuses the same requests with the
//! same answers (`host/limits.cpp`, `host/pipeline.cpp`).
//!
//! The numbers are the defaults Microsoft documents: http.sys's registry settings
//! (`MaxFieldLength` 16384, at most 65534; `MaxRequestBytes` 16384; `UrlSegmentMaxLength` 260;
//! `UrlSegmentMaxCount` 255; `AllowRestrictedChars` 0) and request filtering's
//! `<requestLimits>` (`maxAllowedContentLength` 30000000, `maxUrl` 4096, `maxQueryString`
//! 2048, answered 413.1, 404.14 and 404.15).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::request::{Request, Response};
use super::url::{cooked_path, escaped};

/// IIS's request filtering `<requestLimits>`: what a request may be before any module sees it.
/// A request over a limit is answered by the request filtering module, ahead of the modules
/// loaded (`GL_PRE_BEGIN_REQUEST` runs, then the answer goes out through `RQ_SEND_RESPONSE`,
/// `RQ_LOG_REQUEST` and `RQ_END_REQUEST`). Set for the server with
/// [`TestServer::request_limits`](crate::TestServer::request_limits), for a URL with
/// [`TestServer::request_limits_for`](crate::TestServer::request_limits_for).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLimits {
    /// `maxAllowedContentLength`: a declared `Content-Length` over it is answered `413.1`.
    /// A body of unknown length (chunked) is not counted as it is read.
    pub max_allowed_content_length: u64,
    /// `maxUrl`: a URL path (the raw path, without the query) longer is answered `404.14`.
    pub max_url: usize,
    /// `maxQueryString`: a query (after `?`) longer is answered `404.15`.
    pub max_query_string: usize,
}

impl RequestLimits {
    /// IIS's defaults: 30,000,000 bytes of body, a URL of 4096 bytes, a query of 2048.
    pub const IIS_DEFAULT: RequestLimits = RequestLimits {
        max_allowed_content_length: 30_000_000,
        max_url: 4096,
        max_query_string: 2048,
    };
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits::IIS_DEFAULT
    }
}

/// http.sys's limits (its registry settings), beyond which it answers a request itself, with
/// its own error page, and closes the connection: IIS never sees the request. Set with
/// [`TestServer::http_sys_limits`](crate::TestServer::http_sys_limits), e.g. to let a module
/// see a header longer than the default allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpSysLimits {
    /// `MaxFieldLength`: the longest URL (`414`) and header line (`400`); at most 65534.
    pub max_field_length: usize,
    /// `MaxRequestBytes`: the request line and headers together (`400`).
    pub max_request_bytes: usize,
    /// `UrlSegmentMaxLength`: characters in a path segment, an escape counting one (`400`).
    pub url_segment_max_length: usize,
    /// `UrlSegmentMaxCount`: segments in a path (`400`).
    pub url_segment_max_count: usize,
}

impl HttpSysLimits {
    /// http.sys's defaults.
    pub const WINDOWS_DEFAULT: HttpSysLimits = HttpSysLimits {
        max_field_length: 16384,
        max_request_bytes: 16384,
        url_segment_max_length: 260,
        url_segment_max_count: 255,
    };
    /// The largest `MaxFieldLength` http.sys accepts (a header value's length is a `USHORT`).
    pub const MAX_FIELD_LENGTH: usize = 65534;
}

impl Default for HttpSysLimits {
    fn default() -> Self {
        HttpSysLimits::WINDOWS_DEFAULT
    }
}

/// One of http.sys's error pages: status, reason, the page's title and heading, its text.
struct Refusal {
    status: u16,
    reason: &'static str,
    title: &'static str,
    heading: &'static str,
    text: &'static str,
}

const URL_TOO_LONG: Refusal = Refusal {
    status: 414,
    reason: "Request-URI Too Long",
    title: "Request URL Too Long",
    heading: "Request URL Too Long",
    text: "HTTP Error 414. The request URL is too long.",
};
const FIELD_TOO_LONG: Refusal = Refusal {
    status: 400,
    reason: "Bad Request",
    title: "Bad Request",
    heading: "Bad Request - Header Field Too Long",
    text: "HTTP Error 400. A request header field is too long.",
};
const REQUEST_TOO_LONG: Refusal = Refusal {
    status: 400,
    reason: "Bad Request",
    title: "Bad Request",
    heading: "Bad Request - Request Too Long",
    text: "HTTP Error 400. The size of the request headers is too long.",
};
const INVALID_URL: Refusal = Refusal {
    status: 400,
    reason: "Bad Request",
    title: "Bad Request",
    heading: "Bad Request - Invalid URL",
    text: "HTTP Error 400. The request URL is invalid.",
};

/// The path of a raw URL (`/a/b?q` or `http://host/a/b?q`) and its query (after `?`).
pub(crate) fn split_url(url: &[u8]) -> (&[u8], Option<&[u8]>) {
    let mut start = 0;
    if url.len() > 7 && url[..7].eq_ignore_ascii_case(b"http://") {
        start = 7 + url[7..]
            .iter()
            .position(|&b| b == b'/')
            .unwrap_or(url.len() - 7);
    }
    let rest = &url[start..];
    match rest.iter().position(|&b| b == b'?') {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    }
}

/// Why http.sys finds `path` invalid: a segment too long, too many segments, or an escape
/// decoding to a control character (`AllowRestrictedChars` 0: U+0000-U+001F, U+007F,
/// U+0080-U+009F as UTF-8).
fn invalid_path(path: &[u8], limits: &HttpSysLimits) -> Option<String> {
    let (mut segments, mut segment, mut at) = (0usize, 0usize, 0usize);
    while at < path.len() {
        if path[at] == b'/' {
            segment = 0;
            at += 1;
            continue;
        }
        if segment == 0 {
            segments += 1;
        }
        let byte = escaped(&path[at..]);
        let next = if byte == Some(0xC2) {
            escaped(&path[at + 3..])
        } else {
            None
        };
        if byte.is_some_and(|b| b < 0x20 || b == 0x7F)
            || next.is_some_and(|b| (0x80..=0x9F).contains(&b))
        {
            return Some("an escape in the path decodes to a control character".into());
        }
        at += if byte.is_some() { 3 } else { 1 };
        segment += 1;
        if segments > limits.url_segment_max_count {
            return Some(format!(
                "more than {} path segments",
                limits.url_segment_max_count
            ));
        }
        if segment > limits.url_segment_max_length {
            return Some(format!(
                "a path segment over {} characters",
                limits.url_segment_max_length
            ));
        }
    }
    None
}

/// What http.sys answers `request` with when it refuses it, and why; in http.sys's order: the
/// URL, the longest header line, the whole head, the URL's path.
fn http_sys_refusal(
    request: &Request,
    limits: &HttpSysLimits,
) -> Option<(&'static Refusal, String)> {
    let max_field = limits.max_field_length.min(HttpSysLimits::MAX_FIELD_LENGTH);
    if request.url.len() > max_field {
        let why = format!(
            "a URL of {} bytes; MaxFieldLength is {max_field}",
            request.url.len()
        );
        return Some((&URL_TOO_LONG, why));
    }
    let headers = request.received_headers();
    let lines = headers
        .iter()
        .map(|(name, value)| name.len() + 2 + value.len());
    let longest = lines.clone().max().unwrap_or(0);
    if longest > max_field {
        let why = format!("a header line of {longest} bytes; MaxFieldLength is {max_field}");
        return Some((&FIELD_TOO_LONG, why));
    }
    // "METHOD URL HTTP/1.1\r\n", each header line and its CRLF, the empty line.
    let head = request.method.len()
        + 1
        + request.url.len()
        + 1
        + 8
        + 2
        + 2
        + lines.map(|line| line + 2).sum::<usize>();
    if head > limits.max_request_bytes {
        let why = format!(
            "a request line and headers of {head} bytes; MaxRequestBytes is {}",
            limits.max_request_bytes
        );
        return Some((&REQUEST_TOO_LONG, why));
    }
    let (path, _) = split_url(&request.url);
    invalid_path(path, limits).map(|why| (&INVALID_URL, why))
}

/// http.sys's answer to `request` if it refuses it (the pipeline never runs): its error page
/// in `text/html; charset=us-ascii`, `Server: Microsoft-HTTPAPI/2.0`, `Connection: close`.
pub(crate) fn refused_by_http_sys(
    request: &Request,
    limits: &HttpSysLimits,
    number: u64,
) -> Option<Response> {
    let (refusal, why) = http_sys_refusal(request, limits)?;
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"\"http://www.w3.org/TR/html4/strict.dtd\">\r\n\
         <HTML><HEAD><TITLE>{}</TITLE>\r\n<META HTTP-EQUIV=\"Content-Type\" \
         Content=\"text/html; charset=us-ascii\"></HEAD>\r\n<BODY><h2>{}</h2>\r\n<hr><p>{}</p>\r\n\
         </BODY></HTML>\r\n",
        refusal.title, refusal.heading, refusal.text
    );
    let headers: Vec<(String, String)> = [
        ("Connection", "close".to_string()),
        ("Content-Length", body.len().to_string()),
        ("Content-Type", "text/html; charset=us-ascii".to_string()),
        ("Server", "Microsoft-HTTPAPI/2.0".to_string()),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_string(), value))
    .collect();
    Some(Response {
        number,
        status: refusal.status,
        reason: refusal.reason.into(),
        raw_reason: refusal.reason.as_bytes().to_vec(),
        raw_headers: headers
            .iter()
            .map(|(n, v)| (n.as_bytes().to_vec(), v.as_bytes().to_vec()))
            .collect(),
        headers,
        parts: alloc::vec![body.clone().into_bytes()],
        body: body.into_bytes(),
        trace: alloc::vec![format!(
            "refused by http.sys: {} {} ({why})",
            refusal.status, refusal.reason
        )],
        quick_traces: Vec::new(),
        error_description: None,
    })
}

/// What request filtering answers a request with: status, substatus, reason and the trace
/// line (the C++ host's), in the order checked: the URL, the query, the declared length.
pub(crate) fn filtered(
    url: &[u8],
    declared_length: Option<u64>,
    limits: &RequestLimits,
) -> Option<(u16, u16, &'static str, &'static str)> {
    let (path, query) = split_url(url);
    if path.len() > limits.max_url {
        return Some((404, 14, "Not Found", "404.14 URL over maxUrl"));
    }
    if query.is_some_and(|q| q.len() > limits.max_query_string) {
        return Some((
            404,
            15,
            "Not Found",
            "404.15 query string over maxQueryString",
        ));
    }
    if declared_length.is_some_and(|n| n > limits.max_allowed_content_length) {
        return Some((
            413,
            1,
            "Request Entity Too Large",
            "413.1 Content-Length over maxAllowedContentLength",
        ));
    }
    None
}

/// The limits for `url`'s path: those of the longest `location` (a path, matched whole
/// segment by segment, without regard to case, as IIS matches `<location path>`) that holds
/// it, else the server's.
pub(crate) fn limits_for<'a>(
    url: &[u8],
    server: &'a RequestLimits,
    locations: &'a [(String, RequestLimits)],
) -> &'a RequestLimits {
    let path = cooked_path(split_url(url).0);
    let path = path.as_bytes();
    let holds = |location: &str| {
        let location = location.trim_end_matches('/').as_bytes();
        path.len() >= location.len()
            && path[..location.len()].eq_ignore_ascii_case(location)
            && (path.len() == location.len() || path[location.len()] == b'/')
    };
    locations
        .iter()
        .filter(|(location, _)| holds(location))
        .max_by_key(|(location, _)| location.trim_end_matches('/').len())
        .map_or(server, |(_, limits)| limits)
}
