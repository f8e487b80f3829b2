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
    !name.is_empty() && name.iter().all(|&b| is_tchar(b))
}

/// `tchar`: `!#$%&'*+-.^_`|~`, digits and letters.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether every octet of `value` may stand in an RFC 9110 `field-value`: HTAB, SP, `VCHAR`
/// (0x21–0x7E) and `obs-text` (0x80–0xFF); never CR, LF, NUL, another control or DEL. Empty
/// is allowed. (The same octets as `http::HeaderValue` accepts.)
pub fn is_field_value(value: &[u8]) -> bool {
    value.iter().all(|&b| is_field_octet(b))
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
    !url.is_empty()
        && url
            .iter()
            .all(|&b| is_field_octet(b) && b != b' ' && b != b'\t')
}

fn is_field_octet(b: u8) -> bool {
    b == b'\t' || b == b' ' || (0x21..=0x7e).contains(&b) || b >= 0x80
}

/// `Ok` if `ok`, else `E_INVALIDARG`: what each check becomes at the API.
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
