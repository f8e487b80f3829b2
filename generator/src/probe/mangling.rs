//! Reading MSVC-mangled vcall thunk names: `??_9IHttpRequest@@$BBI@AA` is the thunk a
//! member function pointer to a virtual function points at, and its `$B` number is the
//! byte offset of the vftable slot it calls through.

/// Decodes an MSVC mangled number at the start of `text`, returning it and the rest.
///
/// `0`–`9` stand for 1–10; otherwise hex digits written `A`–`P` end with `@` (`A@` is 0,
/// `BI@` is 0x18); a leading `?` negates.
pub fn decode_number(text: &str) -> Option<(i64, &str)> {
    let (negative, text) = match text.strip_prefix('?') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let first = *text.as_bytes().first()?;
    let (value, rest) = if first.is_ascii_digit() {
        (i64::from(first - b'0') + 1, &text[1..])
    } else {
        let end = text.find('@')?;
        let digits = &text[..end];
        if digits.is_empty() || digits.len() > 16 {
            return None;
        }
        let mut value: u64 = 0;
        for byte in digits.bytes() {
            if !(b'A'..=b'P').contains(&byte) {
                return None;
            }
            value = (value << 4) | u64::from(byte - b'A');
        }
        (i64::try_from(value).ok()?, &text[end + 1..])
    };
    Some((if negative { -value } else { value }, rest))
}

/// A decoded vcall thunk: the class it belongs to and the slot's byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VcallThunk {
    pub class: String,
    pub offset: u64,
}

/// Decodes `??_9Class@@$B<number><calling convention>`; `None` for any other symbol.
pub fn decode_vcall_thunk(symbol: &str) -> Option<VcallThunk> {
    let rest = symbol.strip_prefix("??_9")?;
    let (class, rest) = rest.split_once("@@")?;
    // A C++ identifier as the object spells it: ASCII, `$`, or UTF-8 beyond ASCII (clang
    // mangles `Grüße` as its bytes); never the mangling's own `?` or `@`.
    if class.is_empty()
        || !class
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        return None;
    }
    let rest = rest.strip_prefix("$B")?;
    let (offset, rest) = decode_number(rest)?;
    // What follows is the thunk's calling convention: `AA` (x64), `AE` (x86 thiscall).
    if rest.len() != 2 || !rest.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some(VcallThunk {
        class: class.to_string(),
        offset: u64::try_from(offset).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(decode_number("A@"), Some((0, "")));
        assert_eq!(decode_number("0x"), Some((1, "x")));
        assert_eq!(decode_number("7AA"), Some((8, "AA")));
        assert_eq!(decode_number("BI@AA"), Some((0x18, "AA")));
        assert_eq!(decode_number("?M@"), Some((-12, "")));
        assert_eq!(decode_number("Q@"), None);
        assert_eq!(decode_number("@"), None);
        assert_eq!(decode_number(""), None);
        assert_eq!(decode_number("BBB"), None);
    }

    #[test]
    fn thunks_from_clang_objects() {
        // Names read off clang-19 objects for x86_64 and i686.
        let t = decode_vcall_thunk("??_9IFoo@@$BCI@AA").unwrap();
        assert_eq!((t.class.as_str(), t.offset), ("IFoo", 40));
        let t = decode_vcall_thunk("??_9IFoo@@$B3AE").unwrap();
        assert_eq!((t.class.as_str(), t.offset), ("IFoo", 4));
        assert_eq!(decode_vcall_thunk("??_9IFoo@@$BA@AA").unwrap().offset, 0);
        assert_eq!(
            decode_vcall_thunk("?GetHeader@IFoo@@UEBAPEBDPEBDPEAG@Z"),
            None
        );
        assert_eq!(decode_vcall_thunk("??_9@@$BA@AA"), None);
        let t = decode_vcall_thunk("??_9Grüße@@$BA@AA").unwrap();
        assert_eq!((t.class.as_str(), t.offset), ("Grüße", 0));
        assert_eq!(decode_vcall_thunk("??_9a$b@@$B7AE").unwrap().class, "a$b");
        assert_eq!(decode_vcall_thunk("??_9a?b@@$B7AE"), None);
        assert_eq!(decode_vcall_thunk("??_9IFoo@@$BA@"), None);
    }
}
