//! The headers the HTTP Server API knows by number (`HTTP_HEADER_ID`), under their usual
//! names: ids 0–19 are the same headers in requests and responses, ids 20 on differ
//! (`HttpHeaderAccept` 20 … `HttpHeaderUserAgent` 40 in a request, `HttpHeaderAcceptRanges`
//! 20 … `HttpHeaderWwwAuthenticate` 29 in a response). IIS keeps a known header in its slot
//! of the raw request or response and every other one by name; `GetHeader` and `SetHeader`
//! take either.

/// Ids 0–19: the same headers in requests and responses.
const COMMON: [&str; 20] = [
    "Cache-Control",
    "Connection",
    "Date",
    "Keep-Alive",
    "Pragma",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
    "Via",
    "Warning",
    "Allow",
    "Content-Length",
    "Content-Type",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Content-MD5",
    "Content-Range",
    "Expires",
    "Last-Modified",
];

/// The request headers by `HTTP_HEADER_ID` (`HttpHeaderRequestMaximum` of them).
pub const REQUEST_HEADERS: [&str; 41] = joined(&[
    "Accept",
    "Accept-Charset",
    "Accept-Encoding",
    "Accept-Language",
    "Authorization",
    "Cookie",
    "Expect",
    "From",
    "Host",
    "If-Match",
    "If-Modified-Since",
    "If-None-Match",
    "If-Range",
    "If-Unmodified-Since",
    "Max-Forwards",
    "Proxy-Authorization",
    "Referer",
    "Range",
    "TE",
    "Translate",
    "User-Agent",
]);

/// The response headers by `HTTP_HEADER_ID` (`HttpHeaderResponseMaximum` of them).
pub const RESPONSE_HEADERS: [&str; 30] = joined(&[
    "Accept-Ranges",
    "Age",
    "ETag",
    "Location",
    "Proxy-Authenticate",
    "Retry-After",
    "Server",
    "Set-Cookie",
    "Vary",
    "WWW-Authenticate",
]);

/// [`COMMON`], then `own` (ids 20 on); `N` must be their total length.
const fn joined<const N: usize>(own: &[&'static str]) -> [&'static str; N] {
    let mut names = [""; N];
    let mut id = 0;
    while id < N {
        names[id] = if id < COMMON.len() {
            COMMON[id]
        } else {
            own[id - COMMON.len()]
        };
        id += 1;
    }
    names
}

/// The `HTTP_HEADER_ID` of request header `name` (any case), if the HTTP Server API knows it.
pub fn request_header_id(name: &[u8]) -> Option<usize> {
    REQUEST_HEADERS
        .iter()
        .position(|known| known.as_bytes().eq_ignore_ascii_case(name))
}

/// The `HTTP_HEADER_ID` of response header `name` (any case), if the HTTP Server API knows
/// it.
pub fn response_header_id(name: &[u8]) -> Option<usize> {
    RESPONSE_HEADERS
        .iter()
        .position(|known| known.as_bytes().eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_match_the_http_server_api() {
        use windows_sys::Win32::Networking::HttpServer::*;
        assert_eq!(REQUEST_HEADERS.len(), HttpHeaderRequestMaximum as usize);
        assert_eq!(RESPONSE_HEADERS.len(), HttpHeaderResponseMaximum as usize);
        let request = [
            (HttpHeaderCacheControl, "Cache-Control"),
            (HttpHeaderLastModified, "Last-Modified"),
            (HttpHeaderAccept, "Accept"),
            (HttpHeaderHost, "Host"),
            (HttpHeaderUserAgent, "User-Agent"),
        ];
        for (id, name) in request {
            assert_eq!(request_header_id(name.as_bytes()), Some(id as usize));
        }
        let response = [
            (HttpHeaderContentType, "Content-Type"),
            (HttpHeaderAcceptRanges, "Accept-Ranges"),
            (HttpHeaderLocation, "Location"),
            (HttpHeaderWwwAuthenticate, "WWW-Authenticate"),
        ];
        for (id, name) in response {
            assert_eq!(response_header_id(name.as_bytes()), Some(id as usize));
        }
        assert_eq!(request_header_id(b"x-custom"), None);
    }
}
