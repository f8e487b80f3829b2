//! Calling conventions as declarations write them. clang parses for x86_64, where
//! `__stdcall`, `__fastcall` and `__thiscall` are ignored and leave no trace in the AST, so a
//! declaration's tokens — and the bodies of the macros expanded there, followed through the
//! macros those name (`#define MY_API OUR_CALL`, `#define OUR_CALL __stdcall`) — are where
//! the x86 convention is read. check-abi's i686 probe is the judge of every prediction made
//! here (member pointer types spell them, function pointer typedefs are classified).
//!
//! What the generated Rust can say is `extern "system"` (`__stdcall` on x86, the platform
//! convention on x64), `extern "C"` (`__cdecl`) and, for methods, the member default
//! (`thiscall` on x86). The others are refused, naming the keyword and why: Rust's
//! `fastcall` and `thiscall` free functions exist only on x86, so one binding cannot name
//! them for both targets, and Rust has no stable `vectorcall` (IIS's API uses none of them).

use super::clang::{Cursor, Token, TokenKind};
use crate::ir::CallingConvention;
use std::collections::BTreeSet;

/// What a spelling of a calling convention means for the generated Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Supported(CallingConvention),
    /// The member default: accepted on methods, refused on free function types.
    ThisCall,
    /// Refused everywhere, with why.
    Unsupported(&'static str),
}

const ONLY_ON_X86: &str = "Rust has this convention only on x86, so one binding cannot name it \
                           for both targets";

/// Keywords and Windows macros that spell a calling convention, with their meaning.
const SPELLINGS: &[(&str, Meaning)] = &[
    ("__stdcall", Meaning::Supported(CallingConvention::System)),
    ("_stdcall", Meaning::Supported(CallingConvention::System)),
    ("WINAPI", Meaning::Supported(CallingConvention::System)),
    ("CALLBACK", Meaning::Supported(CallingConvention::System)),
    ("APIENTRY", Meaning::Supported(CallingConvention::System)),
    ("NTAPI", Meaning::Supported(CallingConvention::System)),
    (
        "STDMETHODCALLTYPE",
        Meaning::Supported(CallingConvention::System),
    ),
    ("PASCAL", Meaning::Supported(CallingConvention::System)),
    ("__cdecl", Meaning::Supported(CallingConvention::C)),
    ("_cdecl", Meaning::Supported(CallingConvention::C)),
    ("__thiscall", Meaning::ThisCall),
    ("_thiscall", Meaning::ThisCall),
    ("__fastcall", Meaning::Unsupported(ONLY_ON_X86)),
    ("_fastcall", Meaning::Unsupported(ONLY_ON_X86)),
    (
        "__vectorcall",
        Meaning::Unsupported("Rust has no stable vectorcall ABI"),
    ),
    ("__regcall", Meaning::Unsupported("Rust has no regcall ABI")),
    (
        "__clrcall",
        Meaning::Unsupported("it is for managed code, which native modules cannot call"),
    ),
];

fn meaning(token: &str) -> Option<(&'static str, Meaning)> {
    SPELLINGS
        .iter()
        .find(|(spelling, _)| *spelling == token)
        .map(|(spelling, meaning)| (*spelling, *meaning))
}

/// The conventions spelled by `tokens` (each with the definition of the macro it expands,
/// if any), through the macros they expand, as (spelling, meaning), in order, each once.
fn spelled(tokens: &[(Token, Option<Cursor<'_>>)]) -> Vec<(&'static str, Meaning)> {
    let mut out: Vec<(&'static str, Meaning)> = Vec::new();
    let mut pending: Vec<Cursor<'_>> = Vec::new();
    for (token, definition) in tokens {
        out.extend(meaning(&token.text));
        pending.extend(*definition);
    }
    let mut seen = BTreeSet::new();
    while let Some(definition) = pending.pop() {
        // A definition's tokens: its name, then its body.
        let tokens = definition.tokens();
        let Some((name, body)) = tokens.split_first() else {
            continue;
        };
        if !seen.insert(name.text.clone()) {
            continue;
        }
        for token in body {
            out.extend(meaning(&token.text));
            if token.kind == TokenKind::Identifier && meaning(&token.text).is_none() {
                pending.extend(definition.translation_unit().macro_definition(&token.text));
            }
        }
    }
    let mut unique = Vec::new();
    for found in out {
        if !unique.contains(&found) {
            unique.push(found);
        }
    }
    unique
}

/// The convention a free function type written in `tokens` has on x86: `None` when none is
/// spelled (`__cdecl`, the default, or a type named by a typedef, which carries its own).
/// `Err` says why the spelling cannot be bound. `function_levels` is how many function types
/// the declaration writes in place: a convention spelled where there are several could
/// belong to any of them, so that is refused too.
pub fn free_function(
    tokens: &[(Token, Option<Cursor<'_>>)],
    function_levels: usize,
) -> Result<Option<CallingConvention>, String> {
    let found = spelled(tokens);
    let mut conventions = Vec::new();
    for (spelling, meaning) in &found {
        match meaning {
            Meaning::Supported(convention) => conventions.push(*convention),
            Meaning::ThisCall => {
                return Err(format!(
                    "the calling convention `{spelling}` on a function pointer: {ONLY_ON_X86}"
                ))
            }
            Meaning::Unsupported(why) => {
                return Err(format!("the calling convention `{spelling}`: {why}"))
            }
        }
    }
    conventions.dedup();
    match conventions.as_slice() {
        [] => Ok(None),
        [one] if function_levels <= 1 => Ok(Some(*one)),
        [_] => Err(format!(
            "a calling convention (`{}`) spelled where {function_levels} function types are \
             written in place, so which one it belongs to is not clear; name each function \
             type with a typedef",
            found[0].0
        )),
        _ => Err(format!(
            "several calling conventions ({}) in one declaration; name each function type \
             with a typedef",
            found
                .iter()
                .map(|(s, _)| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The convention a virtual method declares for itself (`None`: the member default), read
/// from the tokens before its name outside parentheses (`STDMETHOD(GetA)` spells it in the
/// macro `STDMETHOD`; `void (WINAPI *GetCallback())(int)` spells it for the returned
/// function type, inside the parentheses).
pub fn method(prefix: &[(Token, Option<Cursor<'_>>)]) -> Result<Option<CallingConvention>, String> {
    let mut depth = 0usize;
    let mut outside = Vec::new();
    for (token, definition) in prefix {
        match token.text.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            _ if depth == 0 => outside.push((token.clone(), *definition)),
            _ => {}
        }
    }
    let mut conventions = Vec::new();
    for (spelling, meaning) in spelled(&outside) {
        match meaning {
            Meaning::Supported(convention) => conventions.push(convention),
            Meaning::ThisCall => {}
            Meaning::Unsupported(why) => {
                return Err(format!("the calling convention `{spelling}`: {why}"))
            }
        }
    }
    conventions.dedup();
    match conventions.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err("several calling conventions for one method".into()),
    }
}

/// The tokens of a method's declaration inside parentheses before its name: where the
/// convention of a function pointer it returns is written.
pub fn returned_function_tokens<'t>(
    prefix: &[(Token, Option<Cursor<'t>>)],
) -> Vec<(Token, Option<Cursor<'t>>)> {
    let mut depth = 0usize;
    let mut inside = Vec::new();
    for (token, definition) in prefix {
        match token.text.as_str() {
            "(" => depth += 1,
            ")" => depth = depth.saturating_sub(1),
            _ if depth > 0 => inside.push((token.clone(), *definition)),
            _ => {}
        }
    }
    inside
}

/// Why a function type whose calling convention clang kept on x86_64 (`__vectorcall` is
/// real there) cannot be bound: `a `__vectorcall` function type (`…`): Rust has no …`.
pub fn refuse_clang_convention(convention: clang_sys::CXCallingConv, spelling: &str) -> String {
    use clang_sys::*;
    let keyword = match convention {
        CXCallingConv_X86VectorCall => "__vectorcall",
        CXCallingConv_X86RegCall => "__regcall",
        _ => {
            return format!(
                "the function type `{spelling}` of calling convention {convention}, which \
                 Rust cannot name"
            )
        }
    };
    let why = SPELLINGS
        .iter()
        .find_map(|(spelling, meaning)| match meaning {
            Meaning::Unsupported(why) if *spelling == keyword => Some(*why),
            _ => None,
        })
        .unwrap_or("Rust cannot name it");
    format!("a `{keyword}` function type (`{spelling}`): {why}")
}
