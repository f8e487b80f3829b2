//! What text may go onto the wire, per RFC 9110: the checks every method of
//! [`HttpContext`](super::HttpContext) runs on a header name, a header value, a reason phrase,
//! a status code, a redirect target or a server variable before handing it to IIS, so that a
//! module copying request data into its response cannot be made to split it (CWE-113). IIS
//! and http.sys pass the bytes of the raw calls through; whether they would refuse a CR or LF
//! must not decide a module's safety, so the framework refuses first and returns
//! `E_INVALIDARG`, which the module can handle.

use crate::runtime::{Error, Result, E_INVALIDARG};

/// Whether `name` is an RFC 9110 `token` (`1*tchar`): what a header name (and, as IIS names
/// them, a server variable) must be. Empty is not a token.
pub fn is_token(name: &[u8]) -> bool {
    !name.is_empty() && all_in(name, TCHAR)
}

/// Whether every octet of `value` may stand in an RFC 9110 `field-value`: HTAB, SP, `VCHAR`
/// (0x21–0x7E) and `obs-text` (0x80–0xFF); never CR, LF, NUL, another control or DEL. Empty
/// is allowed. (The same octets as `http::HeaderValue` accepts.)
pub fn is_field_value(value: &[u8]) -> bool {
    all_in(value, FIELD)
}

/// Whether `reason` may be a status line's `reason-phrase` (RFC 9112: HTAB, SP, `VCHAR`,
/// `obs-text`, the octets of a field value).
pub fn is_reason_phrase(reason: &[u8]) -> bool {
    is_field_value(reason)
}

/// Whether `code` is a status code a status line can carry (three digits, 100–999).
pub fn is_status_code(code: u16) -> bool {
    (100..=999).contains(&code)
}

/// Whether `url` can be a `Location` value: field-value octets without whitespace (a
/// URI reference has none; a space or tab would let a client read a different target).
pub fn is_redirect_target(url: &[u8]) -> bool {
    !url.is_empty() && all_in(url, VISIBLE)
}

/// `tchar`: `!#$%&'*+-.^_`|~`, digits and letters.
const TCHAR: u8 = 1;
/// An octet of a field value: HTAB, SP, `VCHAR`, `obs-text`.
const FIELD: u8 = 2;
/// A field value's octet but HTAB and SP.
const VISIBLE: u8 = 4;

/// Each octet's classes, looked up once per octet: these checks run on every header a module
/// sets, on the request path.
static CLASSES: [u8; 256] = classes();

const fn classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let octet = b as u8;
        let visible = (octet >= 0x21 && octet <= 0x7e) || octet >= 0x80;
        if visible {
            table[b] |= FIELD | VISIBLE;
        }
        if octet == b'\t' || octet == b' ' {
            table[b] |= FIELD;
        }
        let delimiter = matches!(
            octet,
            b'"' | b'('
                | b')'
                | b','
                | b'/'
                | b':'
                | b';'
                | b'<'
                | b'='
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
        );
        if octet.is_ascii() && visible && !delimiter {
            table[b] |= TCHAR;
        }
        b += 1;
    }
    table
}

/// Whether `b` is a `tchar`, an octet of a token.
#[inline]
pub fn is_tchar(b: u8) -> bool {
    CLASSES[usize::from(b)] & TCHAR != 0
}

/// Whether every octet of `bytes` is of `class`.
fn all_in(bytes: &[u8], class: u8) -> bool {
    bytes.iter().all(|&b| CLASSES[usize::from(b)] & class != 0)
}

pub(super) fn check(ok: bool) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::from(E_INVALIDARG))
    }
}

/// A header name and value as [`HttpContext`](super::HttpContext) sends them: checked here.
pub(super) fn check_header(name: &str, value: &[u8]) -> Result<()> {
    check(is_token(name.as_bytes()) && is_field_value(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_octet_is_classified_as_rfc_9110_says() {
        for b in 0..=255u8 {
            let control = b < 0x20 || b == 0x7f;
            assert_eq!(is_field_value(&[b]), !control || b == b'\t', "{b:#x}");
            let delimiter = b"\"(),/:;<=>?@[\\]{} \t".contains(&b);
            assert_eq!(
                is_token(&[b]),
                b.is_ascii() && !control && !delimiter,
                "{b:#x}"
            );
        }
        assert!(!is_token(b""));
        assert!(is_field_value(b""));
        assert!(!is_field_value(b"a\r\nX-Injected: 1"));
        assert!(!is_reason_phrase(b"OK\r\nX: 1"));
        assert!(is_reason_phrase(b"Not Found"));
        assert!(is_redirect_target(b"/elsewhere?a=%20"));
        assert!(!is_redirect_target(b"/a b") && !is_redirect_target(b""));
        assert!(!is_status_code(99) && is_status_code(100) && is_status_code(999));
        assert!(!is_status_code(1000));
    }
}
