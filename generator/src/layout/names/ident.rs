//! What makes a string a Rust identifier, and which identifiers the generated code and the
//! generated crate already use (the reserved names, as tables). The naming pass
//! (`names/mod.rs`) and the slot rules (`slots.rs`) build on these.

/// Rust's keywords (strict and reserved, 2015–2024): a C++ name equal to one takes a
/// trailing underscore.
const KEYWORDS: &[&str] = &[
    "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if",
    "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Type-namespace names the generated code writes unqualified (`Option<…>`, `Send + Sync`
/// bounds, the generic `T` of the constructors and thunks) or that the generated crate's
/// root declares beside the re-exported bindings (`runtime`, `windows_sys`, the crates it
/// links): an item of the header with one of these names would shadow it or be shadowed.
pub const RESERVED_TYPES: &[&str] = &[
    "Option",
    "Send",
    "Sync",
    "T",
    "alloc",
    "bindings",
    "core",
    "httpserv",
    "module",
    "runtime",
    "std",
    "windows_sys",
];

/// Value-namespace names a constant or enumerator must not take: the prelude's variants the
/// generated code matches and builds (`None`, `Some`, `Ok`, `Err`), and the locals it binds
/// (`this`, `flags`, the constructors' `value`, `memory` and `raw`, the panic guard's
/// `report`, the idiomatic forms' `returned` and `s`) — a constant of that name in scope
/// would turn the binding into a pattern.
pub const RESERVED_VALUES: &[&str] = &[
    "Err", "None", "Ok", "Some", "flags", "memory", "raw", "report", "returned", "s", "this",
    "value",
];

/// Names a raw method's parameter must not take (beside every value name: a parameter is a
/// pattern): the prelude's variants, the thunks' `this` and the panic guard's `report`,
/// which a request notification's thunk binds beside the context parameter.
pub const RESERVED_PARAMS: &[&str] = &["Err", "None", "Ok", "Some", "report", "this"];

/// Names an idiomatic method's argument must not take (beside every value name): the
/// prelude's variants and the locals the idiomatic bodies bind.
pub const RESERVED_LOCALS: &[&str] = &["Err", "None", "Ok", "Some", "returned", "s"];

/// The inherent functions every class gets besides its slots (`emit/methods.rs`,
/// `emit/implement.rs`): a slot of one of these names takes a trailing underscore.
pub const HELPER_METHODS: &[&str] = &[
    "new",
    "from_raw",
    "from_raw_mut",
    "as_raw",
    "new_boxed",
    "new_in_place",
    "downcast",
    "vtable_of",
    "with_vtable",
];

/// Vtable field names that are not slots: the base class's vtable.
pub const RESERVED_FIELDS: &[&str] = &["base__"];

/// A C++ name as a Rust identifier: characters a Rust identifier cannot hold (`$`, `@`)
/// become `_`, a name that would start with a digit (or is empty) starts with `_`, a lone
/// `_` becomes `__`, and a keyword takes a trailing `_` (`type_`). Letters beyond ASCII
/// stay: Rust identifiers may be Unicode (`Grüße`). A name already valid is unchanged.
pub fn rust_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if is_continue(c) { c } else { '_' })
        .collect();
    if !out.chars().next().is_some_and(|c| c == '_' || is_start(c)) {
        out.insert(0, '_');
    }
    if out == "_" || KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A name as a module (file) name: [`rust_name`], in ASCII (a `mod` loaded from a file must
/// have an ASCII name), each run of other characters one `_`.
pub fn module_name(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    rust_name(&out)
}

fn is_start(c: char) -> bool {
    c.is_ascii_alphabetic() || (!c.is_ascii() && unicode_ident(&c.to_string()))
}

fn is_continue(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && unicode_ident(&format!("a{c}")))
}

/// Whether `text` is one identifier by Rust's Unicode rules (UAX #31), as `syn` reads it
/// (all of it: `syn` skips whitespace around a token, and `U+00A0` is whitespace to it).
fn unicode_ident(text: &str) -> bool {
    syn::parse_str::<syn::Ident>(text).is_ok_and(|ident| ident == text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_identifiers() {
        assert_eq!(rust_name("GetHeader"), "GetHeader");
        assert_eq!(rust_name("type"), "type_");
        assert_eq!(rust_name("Self"), "Self_");
        assert_eq!(rust_name("a$b"), "a_b");
        assert_eq!(rust_name("Grüße"), "Grüße");
        assert_eq!(rust_name("日本"), "日本");
        assert_eq!(rust_name("_"), "__");
        assert_eq!(rust_name(""), "__");
        assert_eq!(rust_name("1st"), "_1st");
        assert_eq!(rust_name("a-b"), "a_b");
        assert_eq!(module_name("grüße"), "gr_e");
        assert_eq!(module_name("type"), "type_");
        assert_eq!(rust_name("\u{a0}"), "__");
        for name in ["a$b", "Grüße", "_", "", "1st", "fn", "x y", "\u{a0}"] {
            let ident = rust_name(name);
            assert!(
                syn::parse_str::<syn::Ident>(&ident).is_ok(),
                "{name} → {ident}"
            );
        }
    }
}
