//! Rust names of the idiomatic methods, by one documented rule (the Rust API guidelines'
//! getter convention):
//!
//! 1. The C++ name in snake_case, without a leading `Get` (`GetHeader` → `header`,
//!    `SetHeader` → `set_header`, `IsConnected` → `is_connected`); a name that is a Rust
//!    keyword takes a trailing underscore.
//! 2. Of a `const` and a non-`const` overload with the same parameters, the `const` one keeps
//!    the name and the other takes `_mut` (`raw_http_request`, `raw_http_request_mut`).
//! 3. Any other later overload adds a suffix for the type of the first parameter that differs
//!    from the first-declared overload's: `by_id` for an `…_ID` enum, `bytes` for narrow
//!    strings and byte buffers where the first takes wide ones (and `wide` the other way),
//!    else the type's name in snake_case (`header_by_id`, `server_variable_bytes`,
//!    `read_entity_body_ulong`); then `_2`, `_3` if still taken.
//! 4. A method whose C++ default arguments give it a short form also has the full form,
//!    named `<name>_with` (`set_status`, `set_status_with`).

use crate::ir::{Method, Type, TypeKind};
use crate::layout::names::{overload_difference, rust_name, snake_case, OverloadDifference};

/// `GetHeader` → `header`, `IsConnected` → `is_connected`, `GetRawHTTPRequest` →
/// `raw_http_request`.
pub fn method_name(cpp: &str) -> String {
    let stripped = match cpp.strip_prefix("Get") {
        Some(rest) if rest.starts_with(|c: char| c.is_ascii_uppercase()) => rest,
        _ => cpp,
    };
    rust_name(&snake_case(stripped))
}

/// The Hungarian prefixes Windows headers put before a parameter's name.
const HUNGARIAN: &[&str] = &[
    "b", "c", "cb", "cch", "dw", "f", "h", "hr", "l", "lp", "lpsz", "n", "p", "pb", "pcb", "pcch",
    "pdw", "pf", "pp", "ppsz", "psz", "pv", "pwsz", "rg", "sz", "u", "ul", "w",
];

/// A parameter's Rust name: its C++ name without a Hungarian prefix (`pszHeaderName` →
/// `header_name`, `fReplace` → `replace`, `cbBuffer` → `buffer`; `statusCode` keeps its
/// words), in snake_case.
pub fn param_name(cpp: &str) -> String {
    let lower = cpp.len()
        - cpp
            .trim_start_matches(|c: char| c.is_ascii_lowercase())
            .len();
    let base = match cpp.get(lower..) {
        Some(rest)
            if HUNGARIAN.contains(&&cpp[..lower])
                && rest.starts_with(|c: char| c.is_ascii_uppercase()) =>
        {
            rest
        }
        _ => cpp,
    };
    rust_name(&snake_case(base))
}

/// Rule 3's suffix: what tells `later` apart from `first`, by the type of the first
/// parameter that differs.
pub fn overload_suffix(first: &Method, later: &Method) -> String {
    let (index, param) = match overload_difference(first, later) {
        OverloadDifference::Constness { is_const } => {
            return if is_const { "const" } else { "mut" }.to_string()
        }
        OverloadDifference::MoreParameters(count) => return format!("{count}_params"),
        OverloadDifference::Parameter { index, param } => (index, param),
    };
    let other = first.params.get(index).map(|p| &p.ty);
    match (character_width(&param.ty), other.and_then(character_width)) {
        (Some(Width::Narrow), Some(Width::Wide)) => return "bytes".into(),
        (Some(Width::Wide), Some(Width::Narrow)) => return "wide".into(),
        _ => {}
    }
    let name = type_name(&param.ty);
    if name.ends_with("_ID") {
        return "by_id".into();
    }
    snake_case(&name.to_ascii_lowercase())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Narrow,
    Wide,
}

/// Whether a type is (or points at) 8-bit or 16-bit characters.
fn character_width(ty: &Type) -> Option<Width> {
    let canonical = ty.canonical.replace("const ", "");
    if canonical.starts_with("char *") || canonical.starts_with("unsigned char *") {
        Some(Width::Narrow)
    } else if canonical.starts_with("wchar_t *") || canonical.starts_with("unsigned short *") {
        Some(Width::Wide)
    } else {
        None
    }
}

/// The name a type is written with, without pointers and qualifiers.
fn type_name(ty: &Type) -> String {
    match &ty.kind {
        TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => {
            type_name(pointee)
        }
        _ => ty
            .spelling
            .replace("const ", "")
            .replace(['*', '&'], "")
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_getter_convention() {
        assert_eq!(method_name("GetHeader"), "header");
        assert_eq!(method_name("SetHeader"), "set_header");
        assert_eq!(method_name("IsConnected"), "is_connected");
        assert_eq!(method_name("GetRawHttpRequest"), "raw_http_request");
        assert_eq!(method_name("Getaway"), "getaway");
        assert_eq!(method_name("GetType"), "type_");
        assert_eq!(
            method_name("QueryRequestProperty"),
            "query_request_property"
        );
        assert_eq!(method_name("GetIsLastNotification"), "is_last_notification");
        assert_eq!(snake_case("HTTPVersion"), "http_version");
        assert_eq!(snake_case("GetRSCAQuery"), "get_rsca_query");
    }

    #[test]
    fn parameters_lose_their_hungarian_prefix() {
        assert_eq!(param_name("pszHeaderName"), "header_name");
        assert_eq!(param_name("fReplace"), "replace");
        assert_eq!(param_name("cbBuffer"), "buffer");
        assert_eq!(param_name("statusCode"), "status_code");
        assert_eq!(param_name("moduleId"), "module_id");
        assert_eq!(param_name("ulHeaderIndex"), "header_index");
        assert_eq!(param_name("version"), "version");
        assert_eq!(param_name("type"), "type_");
        assert_eq!(param_name("Version1"), "version1");
    }
}
