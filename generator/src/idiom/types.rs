//! Questions the rules ask of a C++ type, through its typedefs: is it an integer, a handle,
//! a plain struct, a string of 8- or 16-bit characters, an interface pointer; and a class's
//! chain of bases. Names of Windows typedefs that are handles, integers or plain structs are
//! listed here, once.

use crate::ir::{Type, TypeKind};

/// Typedefs of `void *` that are handles or ids, passed by value and never dereferenced by
/// the callee on the caller's behalf.
pub(super) const HANDLES: &[&str] = &["HANDLE", "HMODULE", "HTTP_MODULE_ID"];

/// Typedefs of unions or structs that are plain integers in Rust (windows-sys maps them so).
pub(super) const INTEGERS: &[&str] = &["LARGE_INTEGER", "ULARGE_INTEGER"];

/// Plain structs (no pointers inside) that may be written by C++ into a Rust local.
pub(super) const PLAIN_STRUCTS: &[&str] = &["FILETIME", "GUID"];

/// The typedef and enum names a type goes through.
pub(super) fn has_name(ty: &Type, name: &str) -> bool {
    match &ty.kind {
        TypeKind::Typedef { name: n, target } => n == name || has_name(target, name),
        TypeKind::Enum { name: n } | TypeKind::Record { name: n } => n == name,
        _ => false,
    }
}

pub(super) fn is_integer(ty: &Type) -> bool {
    matches!(ty.resolved(), TypeKind::Builtin(_) | TypeKind::Enum { .. })
}

/// Passed and returned by value: integers, enums, handles.
pub(super) fn is_scalar(ty: &Type) -> bool {
    is_integer(ty)
        || HANDLES.iter().any(|h| has_name(ty, h))
        || INTEGERS.iter().any(|h| has_name(ty, h))
}

pub(super) fn is_plain_struct(ty: &Type) -> bool {
    PLAIN_STRUCTS.iter().any(|s| has_name(ty, s))
}

pub(super) fn is_void(ty: &Type) -> bool {
    matches!(ty.resolved(), TypeKind::Void)
}

pub(super) fn byte_sized(ty: &Type) -> bool {
    use crate::ir::Builtin::*;
    matches!(ty.resolved(), TypeKind::Builtin(Char | SChar | UChar))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Width {
    Narrow,
    Wide,
}

/// A pointer to 8-bit or 16-bit characters (`PCSTR`, `PCWSTR`, `char *`…).
pub(super) fn string_width(ty: &Type) -> Option<Width> {
    use crate::ir::Builtin::*;
    let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
        return None;
    };
    match pointee.resolved() {
        TypeKind::Builtin(Char | SChar) => Some(Width::Narrow),
        TypeKind::Builtin(WChar) => Some(Width::Wide),
        _ => None,
    }
}

/// An interface pointer (through typedefs), or a pointer to a forward-declared class: its
/// name and whether it points at non-const.
pub(super) fn interface(api: &crate::ir::Api, ty: &Type) -> Option<(String, bool)> {
    let TypeKind::Pointer {
        pointee,
        pointee_is_const,
    } = ty.resolved()
    else {
        return None;
    };
    match pointee.resolved() {
        TypeKind::Record { name } if api.class(name).is_some() => {
            Some((name.clone(), !pointee_is_const))
        }
        // A forward-declared class that is not a Windows struct (a COM interface of IIS's
        // configuration system): only ever behind pointers, so a reference to it is as good
        // as to one of ours.
        TypeKind::Opaque { name } if crate::knowledge::known_path(name).is_none() => {
            Some((name.clone(), !pointee_is_const))
        }
        _ => None,
    }
}
