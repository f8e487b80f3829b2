//! Rust names for vtable slots. Rust has no overloading, so each overload gets its own
//! name by one stable rule:
//!
//! 1. The first-declared method of a name keeps the C++ name (`GetHeader`) as an identifier
//!    ([`method_base_name`]: an operator is `operator_` and its meaning from [`OPERATORS`],
//!    `operator==` → `operator_eq`).
//! 2. A later overload with the same parameter types that differs only in constness takes
//!    `_const` (or `_mut` when the first one is the const one): `GetRawHttpRequest_const`.
//! 3. Any other later overload takes the C++ name plus the type of the first parameter that
//!    differs from the first-declared overload, written as an identifier (`*` becomes
//!    `ptr`): `GetHeader_HTTP_HEADER_ID`, `GetServerVariable_PCSTR_ptr`.
//! 4. A name that is a Rust keyword, one of the helper functions every class has
//!    (`from_raw`, `new`, … [`HELPER_METHODS`]) or `base__` takes a trailing underscore.
//! 5. If the name is taken — by an inherited slot, or an earlier one of this class, whatever
//!    rule gave it (an explicit `GetHeader_PCSTR` declared after the overload
//!    `GetHeader(PCSTR)`) — `_2`, `_3`, … in declaration order.
//!
//! Inherited slots keep the names their base gave them; the destructor slot is
//! `ScalarDeletingDestructor`. Names depend only on declaration order and signatures, so
//! appending methods to a class never renames existing ones.

use super::ident::{rust_name, HELPER_METHODS, RESERVED_FIELDS};
use crate::ir::{Api, Method, Param};
use crate::layout::Slot;
use std::collections::BTreeMap;

/// The name of the destructor slot in every vtable.
pub const DESTRUCTOR: &str = "ScalarDeletingDestructor";

/// C++ operators (after `operator`) and the word their slot is named with.
pub const OPERATORS: &[(&str, &str)] = &[
    ("==", "eq"),
    ("!=", "ne"),
    ("<=>", "cmp"),
    ("<=", "le"),
    (">=", "ge"),
    ("<", "lt"),
    (">", "gt"),
    ("+=", "add_assign"),
    ("-=", "sub_assign"),
    ("*=", "mul_assign"),
    ("/=", "div_assign"),
    ("%=", "rem_assign"),
    ("^=", "xor_assign"),
    ("&=", "and_assign"),
    ("|=", "or_assign"),
    ("<<=", "shl_assign"),
    (">>=", "shr_assign"),
    ("<<", "shl"),
    (">>", "shr"),
    ("&&", "logical_and"),
    ("||", "logical_or"),
    ("++", "increment"),
    ("--", "decrement"),
    ("->*", "arrow_star"),
    ("->", "arrow"),
    ("()", "call"),
    ("[]", "index"),
    ("+", "add"),
    ("-", "sub"),
    ("*", "mul"),
    ("/", "div"),
    ("%", "rem"),
    ("^", "xor"),
    ("&", "and"),
    ("|", "or"),
    ("~", "not"),
    ("!", "logical_not"),
    ("=", "assign"),
    (",", "comma"),
];

/// A method's C++ name as a Rust identifier (rule 1): `operator==` → `operator_eq`, a
/// conversion `operator const char *` → `operator_char_ptr`, anything else through
/// [`rust_name`].
pub fn method_base_name(method: &Method) -> String {
    if method.is_destructor {
        return DESTRUCTOR.to_string();
    }
    let Some(operator) = method.name.strip_prefix("operator") else {
        return rust_name(&method.name);
    };
    let operator = operator.trim();
    match OPERATORS.iter().find(|(symbol, _)| *symbol == operator) {
        Some((_, word)) => format!("operator_{word}"),
        // `operatorX` that is just a name starting with "operator" keeps it.
        None if operator.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            && !method.name.contains(' ') =>
        {
            rust_name(&method.name)
        }
        None => rust_name(&format!("operator_{}", type_identifier(operator))),
    }
}

/// Whether a slot may not take `name` whatever else is declared (rule 4).
fn reserved(name: &str) -> bool {
    HELPER_METHODS.contains(&name) || RESERVED_FIELDS.contains(&name)
}

/// The Rust names of the slots `own` adds after `inherited` (whose names are already set),
/// in slot order. `own` is in slot order; names are given in declaration order.
pub(in crate::layout) fn own_slot_names(
    api: &Api,
    inherited: &[Slot],
    own: &[Slot],
) -> Vec<String> {
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
        let candidate = if m.is_destructor {
            DESTRUCTOR.to_string()
        } else if let Some(first) = holders.get(&m.name) {
            format!("{}_{}", method_base_name(m), overload_suffix(first, m))
        } else {
            holders.insert(m.name.clone(), m);
            method_base_name(m)
        };
        let candidate = if reserved(&candidate) {
            format!("{candidate}_")
        } else {
            candidate
        };
        let taken = |name: &str, names: &[Option<String>]| {
            inherited.iter().any(|s| s.rust_name == name)
                || names.iter().flatten().any(|n| n == name)
        };
        let mut name = candidate.clone();
        let mut n = 2;
        while taken(&name, &names) {
            name = format!("{candidate}_{n}");
            n += 1;
        }
        names[i] = Some(name);
    }
    names
        .into_iter()
        .map(|n| n.expect("every slot named"))
        .collect()
}

/// How an overload `later` differs from the group's `first`, which both naming rules (the
/// raw methods' here, the idiomatic forms' in `idiom::names`) turn into a suffix.
pub enum OverloadDifference<'m> {
    /// The same parameter types: a `const`/non-`const` pair.
    Constness { is_const: bool },
    /// The first parameter whose type differs (or that `first` lacks).
    Parameter { index: usize, param: &'m Param },
    /// `first`'s parameters and more after them.
    MoreParameters(usize),
}

pub fn overload_difference<'m>(first: &Method, later: &'m Method) -> OverloadDifference<'m> {
    let same_params = first.params.len() == later.params.len()
        && first
            .params
            .iter()
            .zip(&later.params)
            .all(|(a, b)| a.ty.canonical == b.ty.canonical);
    if same_params {
        return OverloadDifference::Constness {
            is_const: later.is_const,
        };
    }
    let differing = later
        .params
        .iter()
        .enumerate()
        .find(|(i, p)| first.params.get(*i).map(|f| &f.ty.canonical) != Some(&p.ty.canonical));
    match differing {
        Some((index, param)) => OverloadDifference::Parameter { index, param },
        None => OverloadDifference::MoreParameters(later.params.len()),
    }
}

/// Rule 2 and 3: what tells `later` apart from `first`.
pub fn overload_suffix(first: &Method, later: &Method) -> String {
    match overload_difference(first, later) {
        OverloadDifference::Constness { is_const } => {
            if is_const { "const" } else { "mut" }.to_string()
        }
        OverloadDifference::Parameter { param, .. } => type_identifier(&param.ty.spelling),
        OverloadDifference::MoreParameters(count) => format!("{count}_params"),
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
