//! The URL path as http.sys hands it to IIS: "cooked" (`HTTP_COOKED_URL::pAbsPath`), which
//! is what IIS's `URL`, `PATH_INFO` and `SCRIPT_NAME` server variables hold and what IIS
//! matches `<location>` paths against; `UNENCODED_URL` keeps the URL as the client sent it.
//! Cooking, in http.sys's order: `%XX` escapes decoded (a `%` without two hex digits stays
//! as it is), `\` read as `/`, the bytes read as UTF-8, then `.` and `..` segments removed
//! (RFC 3986 §5.2.4; `..` never climbs above the root). The C++ host of `tests/iis_host`
//! cooks the same way (`host/url.cpp`, `cooked_path`).
//!
//! [`redirect_target`] is what IIS makes of a `Redirect` URL: absolute, within the request's
//! host, with the request's query appended when the module asks for it.
//!
//! Where this differs from Windows (docs/testing.md says so too): decoded bytes that are not
//! UTF-8 are read as Latin-1 here, where http.sys (`EnableNonUTF8`) reads them in the system
//! code page, and http.sys's `%uNNNN` form (`PercentUAllowed`) is left undecoded.

use alloc::string::String;
use alloc::vec::Vec;

/// The cooked form of a raw URL path (`/a%20b/../c` → `/c`), as UTF-8.
pub(crate) fn cooked_path(raw: &[u8]) -> String {
    let mut decoded = Vec::with_capacity(raw.len());
    let mut at = 0;
    while at < raw.len() {
        match escaped(&raw[at..]) {
            Some(byte) => {
                decoded.push(byte);
                at += 3;
            }
            None => {
                decoded.push(raw[at]);
                at += 1;
            }
        }
    }
    for byte in &mut decoded {
        if *byte == b'\\' {
            *byte = b'/';
        }
    }
    let text = match String::from_utf8(decoded) {
        Ok(text) => text,
        Err(not_utf8) => not_utf8.into_bytes().iter().map(|&b| b as char).collect(),
    };
    without_dot_segments(&text)
}

/// The `Location` IIS sends for `IHttpResponse::Redirect(url, …, include_parameters)`: a URL
/// with a scheme as it is; one starting with `/` under `http://` and the request's `Host`
/// (`host`); any other relative to the directory of the request's raw `path`; then, when
/// `include_parameters` and the request has a `query`, that query after `?` (or `&` if the
/// URL has one). Without a `Host` (HTTP/1.0) there is nothing to make it absolute with: the
/// URL goes as given (what IIS does then is not documented).
pub(crate) fn redirect_target(
    url: &[u8],
    host: Option<&[u8]>,
    path: &[u8],
    query: Option<&[u8]>,
    include_parameters: bool,
) -> Vec<u8> {
    let has_scheme = url.iter().position(|&b| b == b':').is_some_and(|colon| {
        colon > 0
            && url[..colon]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
    });
    let mut target = Vec::with_capacity(url.len() + 64);
    if let Some(host) = host.filter(|_| !has_scheme) {
        target.extend_from_slice(b"http://");
        target.extend_from_slice(host);
        if url.first() != Some(&b'/') {
            let directory = path.iter().rposition(|&b| b == b'/').map_or(0, |at| at + 1);
            target.extend_from_slice(&path[..directory]);
            if directory == 0 {
                target.push(b'/');
            }
        }
    }
    target.extend_from_slice(url);
    if let Some(query) = query.filter(|query| include_parameters && !query.is_empty()) {
        target.push(if url.contains(&b'?') { b'&' } else { b'?' });
        target.extend_from_slice(query);
    }
    target
}

/// The byte a `%XX` at the start of `p` stands for.
pub(crate) fn escaped(p: &[u8]) -> Option<u8> {
    match p {
        [b'%', high, low, ..] => {
            let digit = |c: u8| (c as char).to_digit(16);
            Some((digit(*high)? * 16 + digit(*low)?) as u8)
        }
        _ => None,
    }
}

/// `path` with its `.` and `..` segments resolved: a `.` segment goes, a `..` segment takes
/// the one before it (none above the root); a path ending in either ends with `/`.
fn without_dot_segments(path: &str) -> String {
    let absolute = path.starts_with('/');
    let mut kept: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(usize::from(absolute)).collect();
    let mut ends_with_slash = false;
    for (index, segment) in segments.iter().enumerate() {
        let last = index + 1 == segments.len();
        match *segment {
            "." => ends_with_slash = last,
            ".." => {
                kept.pop();
                ends_with_slash = last;
            }
            other => {
                kept.push(other);
                ends_with_slash = false;
            }
        }
    }
    let mut cooked = String::with_capacity(path.len());
    for segment in &kept {
        if absolute || !cooked.is_empty() {
            cooked.push('/');
        }
        cooked.push_str(segment);
    }
    if ends_with_slash || (absolute && kept.is_empty()) {
        cooked.push('/');
    }
    cooked
}

#[cfg(test)]
mod tests {
    use super::{cooked_path, redirect_target};
    use alloc::string::String;

    #[test]
    fn redirects_are_made_absolute_within_the_host() {
        let target = |url: &str, include: bool| {
            let query = Some(&b"a=1"[..]);
            let made = redirect_target(
                url.as_bytes(),
                Some(b"example.com:8080"),
                b"/dir/page",
                query,
                include,
            );
            String::from_utf8(made).unwrap()
        };
        assert_eq!(
            target("/example/", false),
            "http://example.com:8080/example/"
        );
        assert_eq!(
            target("/example/", true),
            "http://example.com:8080/example/?a=1"
        );
        assert_eq!(target("/x?b=2", true), "http://example.com:8080/x?b=2&a=1");
        assert_eq!(target("next", false), "http://example.com:8080/dir/next");
        assert_eq!(target("https://elsewhere/", true), "https://elsewhere/?a=1");
        assert_eq!(
            String::from_utf8(redirect_target(b"/y", Some(b"h"), b"/", None, true)).unwrap(),
            "http://h/y"
        );
        assert_eq!(
            String::from_utf8(redirect_target(b"/y", None, b"/", Some(b"a"), true)).unwrap(),
            "/y?a"
        );
    }

    #[test]
    fn escapes_are_decoded_and_dot_segments_resolved() {
        let cases: &[(&str, &str)] = &[
            ("/", "/"),
            ("/plain/path", "/plain/path"),
            ("/a%20b", "/a b"),
            ("/caf%C3%A9", "/café"),
            ("/%E9t%E9", "/été"),
            ("/a%2Fb", "/a/b"),
            ("/a\\b", "/a/b"),
            ("/a%5Cb", "/a/b"),
            ("/100%", "/100%"),
            ("/50%zz", "/50%zz"),
            ("/a/./b", "/a/b"),
            ("/a/../b", "/b"),
            ("/a/b/..", "/a/"),
            ("/a/b/.", "/a/b/"),
            ("/../../etc", "/etc"),
            ("/a/%2e%2e/b", "/b"),
            ("/a//b", "/a//b"),
            ("/a/..b/c", "/a/..b/c"),
        ];
        for (raw, cooked) in cases {
            assert_eq!(cooked_path(raw.as_bytes()), *cooked, "{raw}");
        }
    }
}
