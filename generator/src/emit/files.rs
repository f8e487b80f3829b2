//! How the bindings are cut into files, so a reader and a code review can follow them: one
//! file per class family (a class and its numbered successors, `IHttpRequest` …
//! `IHttpRequest4`, in `i_http_request.rs`), one (`types.rs`) for the constants, enums,
//! typedefs, structs and opaque types, and `mod.rs` tying them together.

use crate::ir::{Api, Class, Constant, Enum, Struct, Typedef};
use crate::layout::names::rust_name;

/// The module of the non-class items.
pub const TYPES_MODULE: &str = "types";

/// One top-level piece of the bindings, emitted independently of the others.
pub enum Piece<'a> {
    Constant(&'a Constant),
    Enum(&'a Enum),
    Opaque(&'a str),
    Struct(&'a Struct),
    Typedef(&'a Typedef),
    /// The interface type, vtable, wrappers and `_Impl` trait of one class.
    Class(&'a Class),
}

impl Piece<'_> {
    /// About how much work emitting the piece is: a class costs one unit per virtual
    /// function it declares (inherited slots are one `base__` field), anything else one.
    pub fn weight(&self) -> usize {
        match self {
            Piece::Class(class) => 1 + class.methods.len(),
            _ => 1,
        }
    }
}

/// One generated file: its module name (the file is `<module>.rs`) and its pieces in order.
pub struct FilePlan<'a> {
    pub module: String,
    pub pieces: Vec<Piece<'a>>,
}

impl FilePlan<'_> {
    pub fn weight(&self) -> usize {
        self.pieces.iter().map(Piece::weight).sum()
    }
}

/// The files of the bindings module (without `mod.rs`), in output order: the types file
/// (when there is anything for it), then one file per class family in header order of the
/// family's first class.
pub fn plan(api: &Api) -> Vec<FilePlan<'_>> {
    let mut files = Vec::new();
    let mut types = Vec::new();
    types.extend(api.constants.iter().map(Piece::Constant));
    types.extend(api.enums.iter().map(Piece::Enum));
    types.extend(api.opaque_types.iter().map(|o| Piece::Opaque(o)));
    types.extend(api.structs.iter().map(Piece::Struct));
    types.extend(api.typedefs.iter().map(Piece::Typedef));
    if !types.is_empty() {
        files.push(FilePlan {
            module: TYPES_MODULE.into(),
            pieces: types,
        });
    }
    let mut families: Vec<(&str, Vec<Piece<'_>>)> = Vec::new();
    for class in &api.classes {
        let stem = family_stem(&class.name);
        match families.iter_mut().find(|(s, _)| *s == stem) {
            Some((_, pieces)) => pieces.push(Piece::Class(class)),
            None => families.push((stem, vec![Piece::Class(class)])),
        }
    }
    let mut taken: Vec<String> = vec![TYPES_MODULE.into()];
    for (stem, pieces) in families {
        let base = rust_name(&snake_case(stem));
        let mut module = base.clone();
        let mut n = 2;
        while taken.contains(&module) {
            module = format!("{base}_{n}");
            n += 1;
        }
        taken.push(module.clone());
        files.push(FilePlan { module, pieces });
    }
    files
}

/// A class's family: its name without a trailing version number (`IHttpRequest4` →
/// `IHttpRequest`).
pub fn family_stem(class: &str) -> &str {
    let stem = class.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.is_empty() {
        class
    } else {
        stem
    }
}

/// `IHttpRequest` → `i_http_request`, `CHttpModule` → `c_http_module`, `HTTP_TRACE` →
/// `http_trace`.
pub fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            let previous = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
            if previous.is_ascii_lowercase()
                || previous.is_ascii_digit()
                || (previous.is_ascii_uppercase() && next_is_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_families_share_a_file() {
        assert_eq!(family_stem("IHttpRequest4"), "IHttpRequest");
        assert_eq!(family_stem("IHttpRequest"), "IHttpRequest");
        assert_eq!(family_stem("123"), "123");
        assert_eq!(snake_case("IHttpRequest"), "i_http_request");
        assert_eq!(snake_case("CHttpModule"), "c_http_module");
        assert_eq!(snake_case("IHttpCacheKey"), "i_http_cache_key");
        assert_eq!(snake_case("HTTP_TRACE"), "http_trace");
        assert_eq!(snake_case("IReader2x"), "i_reader2x");
    }
}
