//! The URL path as http.sys hands it to IIS: "cooked" (`HTTP_COOKED_URL::pAbsPath`), which
//! is what IIS's `URL`, `PATH_INFO` and `SCRIPT_NAME` server variables hold and what IIS
//! matches `<location>` paths against; `UNENCODED_URL` keeps the URL as the client sent it.
//! Cooking, in http.sys's order: `%XX` escapes decoded (a `%` without two hex digits stays
//! as it is), `\` read as `/`, the bytes read as UTF-8, then `.` and `..` segments removed
//! (RFC 3986 §5.2.4; `..` never climbs above the root). The C++ host of `tests/iis_host`
//! cooks the same way (`host/context.cpp`, `cooked_path`).
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
    use super::cooked_path;

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
