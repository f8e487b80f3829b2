//! Hand-written readers over source text and token spellings: uuids, default arguments,
//! array bounds, and the name of a declaration as written before macro expansion.
//! They are pure functions over strings so they can be property-tested and fuzzed.

/// Normalizes a GUID string (`{...}` optional, any case) to upper case `8-4-4-4-12`,
/// or `None` when it is not a GUID.
pub fn normalize_uuid(text: &str) -> Option<String> {
    let inner = text.trim().trim_start_matches('{').trim_end_matches('}');
    let groups: Vec<&str> = inner.split('-').collect();
    let lengths = [8, 4, 4, 4, 12];
    if groups.len() != 5 {
        return None;
    }
    for (group, len) in groups.iter().zip(lengths) {
        if group.len() != len || !group.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
    }
    Some(inner.to_ascii_uppercase())
}

/// The uuid in the tokens of a `__declspec(uuid("..."))` (or a macro wrapping it): the first
/// string literal that is a GUID.
pub fn uuid_from_tokens<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Option<String> {
    tokens.into_iter().find_map(|token| {
        let literal = token.strip_prefix('"')?.strip_suffix('"')?;
        normalize_uuid(literal)
    })
}

/// The default argument of a parameter declaration from its tokens: everything after the
/// first `=` outside brackets, joined by single spaces (`NULL`, `FALSE`, `0`, `- 1`).
pub fn default_argument<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut depth = 0i32;
    let mut after_equals: Option<Vec<&str>> = None;
    for token in tokens {
        if let Some(value) = after_equals.as_mut() {
            value.push(token);
            continue;
        }
        match token {
            "(" | "[" | "{" | "<" => depth += 1,
            ")" | "]" | "}" | ">" => depth -= 1,
            "=" if depth == 0 => after_equals = Some(Vec::new()),
            _ => {}
        }
    }
    let value = after_equals?;
    if value.is_empty() {
        return None;
    }
    Some(join_tokens(&value))
}

/// The bound of an array parameter as written: the tokens between the last top-level
/// `[` and its `]` (`HttpHeaderRequestMaximum`, `HttpHeaderRequestMaximum + 1`), stopping
/// at a default argument.
pub fn array_bound<'a>(tokens: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut bound: Option<Vec<&str>> = None;
    let mut collecting = false;
    let mut depth = 0i32;
    for token in tokens {
        if collecting {
            match token {
                "[" => {
                    depth += 1;
                    bound.as_mut()?.push(token);
                }
                "]" if depth == 0 => collecting = false,
                "]" => {
                    depth -= 1;
                    bound.as_mut()?.push(token);
                }
                _ => bound.as_mut()?.push(token),
            }
            continue;
        }
        match token {
            "[" => {
                collecting = true;
                bound = Some(Vec::new());
            }
            "=" => break,
            _ => {}
        }
    }
    let bound = bound?;
    if bound.is_empty() {
        return None;
    }
    Some(join_tokens(&bound))
}

fn join_tokens(tokens: &[&str]) -> String {
    tokens.join(" ")
}

/// The identifier (or `~identifier` for a destructor) that starts at `offset` in `source`:
/// how we recover a method's name as written when a macro (windows.h's `GetUserName`)
/// renamed it for the compiler.
pub fn identifier_at(source: &[u8], offset: usize) -> Option<String> {
    let rest = source.get(offset..)?;
    let (tilde, rest) = match rest.first() {
        Some(b'~') => (true, &rest[1..]),
        _ => (false, rest),
    };
    let is_start = |b: u8| b.is_ascii_alphabetic() || b == b'_';
    let is_continue = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if !rest.first().copied().is_some_and(is_start) {
        return None;
    }
    let len = rest.iter().take_while(|&&b| is_continue(b)).count();
    let name = std::str::from_utf8(&rest[..len]).ok()?;
    Some(if tilde {
        format!("~{name}")
    } else {
        name.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids() {
        assert_eq!(
            normalize_uuid("e8698f7e-576e-4cac-a309-67435355faef").as_deref(),
            Some("E8698F7E-576E-4CAC-A309-67435355FAEF")
        );
        assert_eq!(
            normalize_uuid("{E8698F7E-576E-4CAC-A309-67435355FAEF}").as_deref(),
            Some("E8698F7E-576E-4CAC-A309-67435355FAEF")
        );
        assert_eq!(normalize_uuid("E8698F7E-576E-4CAC-A309-67435355FAE"), None);
        assert_eq!(normalize_uuid("G8698F7E-576E-4CAC-A309-67435355FAEF"), None);
        assert_eq!(normalize_uuid(""), None);
        let tokens = [
            "__declspec",
            "(",
            "uuid",
            "(",
            "\"0b6f2a1c-2b11-4f3c-8d0e-7a6c5b4d3e2f\"",
            ")",
            ")",
        ];
        assert_eq!(
            uuid_from_tokens(tokens).as_deref(),
            Some("0B6F2A1C-2B11-4F3C-8D0E-7A6C5B4D3E2F")
        );
        assert_eq!(uuid_from_tokens(["novtable", "\"x\""]), None);
    }

    #[test]
    fn defaults() {
        let t = ["USHORT", "*", "pcch", "=", "NULL"];
        assert_eq!(default_argument(t).as_deref(), Some("NULL"));
        let t = ["int", "x", "=", "-", "1"];
        assert_eq!(default_argument(t).as_deref(), Some("- 1"));
        let t = ["T", "<", "a", "=", "b", ">", "x"];
        assert_eq!(default_argument(t), None);
        assert_eq!(default_argument(["int", "x", "="]), None);
        assert_eq!(default_argument(Vec::<&str>::new()), None);
    }

    #[test]
    fn bounds() {
        let t = ["PCSTR", "snap", "[", "HttpHeaderRequestMaximum", "]"];
        assert_eq!(array_bound(t).as_deref(), Some("HttpHeaderRequestMaximum"));
        let t = ["DWORD", "d", "[", "HttpHeaderRequestMaximum", "+", "1", "]"];
        assert_eq!(
            array_bound(t).as_deref(),
            Some("HttpHeaderRequestMaximum + 1")
        );
        assert_eq!(array_bound(["int", "x"]), None);
        assert_eq!(array_bound(["int", "x", "=", "a", "[", "1", "]"]), None);
        assert_eq!(array_bound(["int", "x", "[", "]"]), None);
    }

    #[test]
    fn identifiers() {
        let src = b"virtual PCWSTR GetUserName(VOID) = 0; ~CHttpModule()";
        assert_eq!(identifier_at(src, 15).as_deref(), Some("GetUserName"));
        let tilde = src.iter().position(|&b| b == b'~').unwrap();
        assert_eq!(identifier_at(src, tilde).as_deref(), Some("~CHttpModule"));
        assert_eq!(identifier_at(src, 26), None);
        assert_eq!(identifier_at(src, 1000), None);
    }
}
