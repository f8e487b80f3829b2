//! Rust names for vtable slots. Rust has no overloading, so each overload gets its own
//! name by one stable rule:
//!
//! 1. The first-declared method of a name keeps the C++ name (`GetHeader`).
//! 2. A later overload with the same parameter types that differs only in constness takes
//!    `_const` (or `_mut` when the first one is the const one): `GetRawHttpRequest_const`.
//! 3. Any other later overload takes the C++ name plus the type of the first parameter that
//!    differs from the first-declared overload, written as an identifier (`*` becomes
//!    `ptr`): `GetHeader_HTTP_HEADER_ID`, `GetServerVariable_PCSTR_ptr`.
//! 4. If that name is taken, `_2`, `_3`, … in declaration order.
//! 5. A name that is a Rust keyword takes a trailing underscore (`type_`), as every C++
//!    name that is one does (parameters, struct fields, enum variants…).
//!
//! Inherited slots keep the names their base gave them; the destructor slot is
//! `ScalarDeletingDestructor`. Names depend only on declaration order and signatures, so
//! appending methods to a class never renames existing ones.

use super::Slot;
use crate::ir::{Api, Method};
use std::collections::BTreeMap;

/// A C++ name as a Rust name. C++ names may be Rust keywords (`type`, `move`, `ref`,
/// `self`); those take a trailing underscore, for every kind of name alike.
pub fn rust_name(name: &str) -> String {
    const KEYWORDS: &[&str] = &[
        "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
        "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
        "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv",
        "pub", "ref", "return", "self", "static", "struct", "super", "trait", "true", "try",
        "type", "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
    ];
    if KEYWORDS.contains(&name) {
        format!("{name}_")
    } else {
        name.to_string()
    }
}

/// The name of the destructor slot in every vtable.
pub const DESTRUCTOR: &str = "ScalarDeletingDestructor";

/// The Rust names of the slots `own` adds after `inherited` (whose names are already set),
/// in slot order. `own` is in slot order; names are given in declaration order.
pub(super) fn own_slot_names(api: &Api, inherited: &[Slot], own: &[Slot]) -> Vec<String> {
    let method =
        |slot: &Slot| &api.class(&slot.introduced_by).expect("laid out").methods[slot.method];
    // Which method holds each plain name so far (for rule 3's comparison).
    let mut holders: BTreeMap<String, &Method> = BTreeMap::new();
    for slot in inherited {
        let m = method(slot);
        holders.entry(m.name.clone()).or_insert(m);
    }
    let mut by_declaration: Vec<usize> = (0..own.len()).collect();
    by_declaration.sort_by_key(|&i| own[i].method);
    let mut names: Vec<Option<String>> = vec![None; own.len()];
    for i in by_declaration {
        let m = method(&own[i]);
        let taken = |name: &str, names: &[Option<String>]| {
            inherited.iter().any(|s| s.rust_name == name)
                || names.iter().flatten().any(|n| n == name)
        };
        let name = if m.is_destructor {
            DESTRUCTOR.to_string()
        } else if let Some(first) = holders.get(&m.name) {
            let candidate = format!("{}_{}", m.name, overload_suffix(first, m));
            let mut name = candidate.clone();
            let mut n = 2;
            while taken(&name, &names) {
                name = format!("{candidate}_{n}");
                n += 1;
            }
            name
        } else {
            holders.insert(m.name.clone(), m);
            rust_name(&m.name)
        };
        names[i] = Some(name);
    }
    names
        .into_iter()
        .map(|n| n.expect("every slot named"))
        .collect()
}

/// Rule 2 and 3: what tells `later` apart from `first`.
pub fn overload_suffix(first: &Method, later: &Method) -> String {
    let same_params = first.params.len() == later.params.len()
        && first
            .params
            .iter()
            .zip(&later.params)
            .all(|(a, b)| a.ty.canonical == b.ty.canonical);
    if same_params {
        return if later.is_const { "const" } else { "mut" }.to_string();
    }
    let differing = later
        .params
        .iter()
        .enumerate()
        .find(|(i, p)| first.params.get(*i).map(|f| &f.ty.canonical) != Some(&p.ty.canonical));
    match differing {
        Some((_, param)) => type_identifier(&param.ty.spelling),
        None => format!("{}_params", later.params.len()),
    }
}

/// `PCWSTR *` → `PCWSTR_ptr`, `const HTTP_REQUEST *` → `HTTP_REQUEST_ptr`.
pub fn type_identifier(spelling: &str) -> String {
    let mut words = Vec::new();
    for word in spelling
        .replace('*', " ptr ")
        .replace('&', " ref ")
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
    {
        if !word.is_empty() && word != "const" && word != "struct" && word != "enum" {
            words.push(word.to_string());
        }
    }
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_identifiers() {
        assert_eq!(type_identifier("PCWSTR *"), "PCWSTR_ptr");
        assert_eq!(type_identifier("const HTTP_REQUEST *"), "HTTP_REQUEST_ptr");
        assert_eq!(type_identifier("HTTP_HEADER_ID"), "HTTP_HEADER_ID");
        assert_eq!(type_identifier("const GUID &"), "GUID_ref");
    }
}
