//! Converts libclang types into IR types, keeping typedef names (PCSTR, DWORD, …) as
//! written while recording the canonical type underneath.
//!
//! Conversion recurses once per level of the type (pointer, array, function, typedef,
//! sugar). Before converting, [`measure`] walks the type without printing it and refuses
//! one deeper than [`MAX_TYPE_NESTING`] levels or larger than [`MAX_TYPE_PARTS`] parts,
//! with an error the caller locates at the declaration: a hostile `typedef int ****…` ten
//! thousand levels deep must be one located message, not a stack overflow (libclang's own
//! type printer recurses per level) or an IR too deep for the parse worker's JSON answer.

use super::clang::ClangType;
use super::conventions;
use super::declarations::{in_place_function_levels, mark_convention};
use crate::ir::{Builtin, CallingConvention, FunctionType, Type, TypeKind};
use clang_sys::*;

/// How many levels a type may nest, sugar included. SDK declarations use fewer than ten
/// (`const char * const *`, a callback typedef's parameters); the bound keeps every later
/// stage shallow too: the parse worker's answer must stay within serde_json's 128 levels,
/// and each level here is at most four of those.
pub const MAX_TYPE_NESTING: usize = 24;

/// How many parts (levels, parameters, typedef expansions) one declaration's type may
/// have. Typedefs are expanded where they are used, so function pointer typedefs taking
/// each other twice would otherwise double the IR at every level.
pub const MAX_TYPE_PARTS: usize = 4096;

/// Converts `ty`; `Err` carries a description of what we cannot represent.
pub fn convert(ty: ClangType<'_>) -> Result<Type, String> {
    measure(ty)?;
    convert_nested(ty, 0)
}

/// Refuses a type deeper than [`MAX_TYPE_NESTING`] or larger than [`MAX_TYPE_PARTS`],
/// walking the levels [`convert_nested`] follows with a work list (no recursion) and
/// without asking libclang for any spelling.
fn measure(ty: ClangType<'_>) -> Result<(), String> {
    let mut pending = vec![(ty, 0)];
    let mut parts = 0;
    while let Some((ty, depth)) = pending.pop() {
        if depth > MAX_TYPE_NESTING {
            return Err(format!(
                "a type nested more than {MAX_TYPE_NESTING} levels deep (pointers, arrays, \
                 references, function types and typedefs, counted from the outside); spell \
                 it through fewer levels"
            ));
        }
        parts += 1;
        if parts > MAX_TYPE_PARTS {
            return Err(format!(
                "a type of more than {MAX_TYPE_PARTS} parts once its typedefs are expanded \
                 (function pointer typedefs taking each other?); spell it through fewer levels"
            ));
        }
        pending.extend(inner_types(ty).into_iter().map(|inner| (inner, depth + 1)));
    }
    Ok(())
}

/// The types one level inside `ty`, as [`convert_nested`] visits them.
fn inner_types(ty: ClangType<'_>) -> Vec<ClangType<'_>> {
    match ty.kind() {
        CXType_Elaborated => vec![ty.named()],
        CXType_Attributed => vec![ty.modified()],
        CXType_Unexposed if ty.canonical().kind() != CXType_Unexposed => vec![ty.canonical()],
        CXType_Typedef => vec![ty.declaration().typedef_underlying()],
        CXType_Pointer | CXType_LValueReference => vec![ty.pointee()],
        CXType_ConstantArray | CXType_IncompleteArray => vec![ty.element()],
        CXType_FunctionProto => std::iter::once(ty.result()).chain(ty.args()).collect(),
        _ => Vec::new(),
    }
}

/// [`convert`] for a type `depth` levels inside the declaration's type (already measured;
/// the depth check here only keeps this recursion bounded on its own).
fn convert_nested(ty: ClangType<'_>, depth: usize) -> Result<Type, String> {
    if depth > MAX_TYPE_NESTING {
        return Err(format!(
            "a type nested more than {MAX_TYPE_NESTING} levels deep"
        ));
    }
    let spelling = ty.spelling();
    let convert = |inner: ClangType<'_>| convert_nested(inner, depth + 1);
    let canonical = ty.canonical().spelling();
    let kind = match ty.kind() {
        CXType_Elaborated => return convert(ty.named()).map(|t| respell(t, spelling)),
        CXType_Attributed => return convert(ty.modified()).map(|t| respell(t, spelling)),
        CXType_Unexposed if ty.canonical().kind() != CXType_Unexposed => {
            return convert(ty.canonical()).map(|t| respell(t, spelling))
        }
        CXType_Void => TypeKind::Void,
        CXType_Typedef => typedef(ty, depth)?,
        CXType_Pointer => {
            let pointee = ty.pointee();
            TypeKind::Pointer {
                pointee_is_const: pointee.is_const(),
                pointee: Box::new(convert(pointee)?),
            }
        }
        // An incomplete record (only forward-declared, like the IAppHost* interfaces) can
        // only be used behind a pointer: it becomes an opaque type.
        CXType_Record | CXType_Enum if nested_in_class(&ty).is_some() => {
            let class = nested_in_class(&ty).unwrap_or_default();
            return Err(format!(
                "the type `{spelling}`, declared inside `{class}`: types nested in a class \
                 are not bound; declare it at namespace scope"
            ));
        }
        CXType_Record if ty.size_of() < 0 => TypeKind::Opaque {
            name: ty.declaration().spelling(),
        },
        CXType_Record => TypeKind::Record {
            name: ty.declaration().spelling(),
        },
        CXType_Enum => TypeKind::Enum {
            name: ty.declaration().spelling(),
        },
        CXType_ConstantArray => TypeKind::Array {
            element: Box::new(convert(ty.element())?),
            len: u64::try_from(ty.array_len()).map_err(|_| "an array of unknown size")?,
        },
        CXType_IncompleteArray => TypeKind::Pointer {
            pointee_is_const: ty.element().is_const(),
            pointee: Box::new(convert(ty.element())?),
        },
        CXType_FunctionProto => function(ty, &spelling, depth)?,
        CXType_LValueReference => {
            let pointee = ty.pointee();
            TypeKind::Reference {
                pointee_is_const: pointee.is_const(),
                pointee: Box::new(convert(pointee)?),
            }
        }
        CXType_RValueReference => return Err(format!("the rvalue reference type `{spelling}`")),
        other => TypeKind::Builtin(builtin(other).ok_or_else(|| format!("the type `{spelling}`"))?),
    };
    Ok(Type {
        spelling,
        canonical,
        kind,
    })
}

/// A typedef, its target converted, and the calling convention its declaration writes on a
/// function type in place marked on that target.
fn typedef(ty: ClangType<'_>, depth: usize) -> Result<TypeKind, String> {
    let name = ty.typedef_name();
    let declaration = ty.declaration();
    let mut target = convert_nested(declaration.typedef_underlying(), depth + 1)?;
    // The typedef's own declaration says the convention of a function type it
    // writes in place (windows.h's `typedef VOID (NTAPI *PTIMERAPCROUTINE)(…)`);
    // the input's own typedefs are read the same way where they are declared.
    let levels = in_place_function_levels(&target);
    if levels > 0 {
        let spelled = conventions::free_function(&declaration.expanded_tokens(), levels)
            .map_err(|why| format!("the function pointer type `{name}`, which has {why}"))?;
        mark_convention(&mut target, spelled);
    }
    Ok(TypeKind::Typedef {
        name,
        target: Box::new(target),
    })
}

/// A function type: its result and parameters converted, a convention the ABI can call
/// (`stdcall`/Win64 or `cdecl`), and no variadic tail.
fn function(ty: ClangType<'_>, spelling: &str, depth: usize) -> Result<TypeKind, String> {
    if ty.is_variadic() {
        return Err("a variadic function type".into());
    }
    let convention = match ty.calling_convention() {
        CXCallingConv_X86StdCall | CXCallingConv_Win64 => CallingConvention::System,
        CXCallingConv_C => CallingConvention::C,
        other => return Err(conventions::refuse_clang_convention(other, spelling)),
    };
    let convert = |inner: ClangType<'_>| convert_nested(inner, depth + 1);
    Ok(TypeKind::Function(Box::new(FunctionType {
        return_type: convert(ty.result())?,
        params: ty
            .args()
            .into_iter()
            .map(convert)
            .collect::<Result<_, _>>()?,
        convention,
    })))
}

/// The class a record or enum type is declared in, if it is nested in one.
fn nested_in_class(ty: &ClangType<'_>) -> Option<String> {
    let parent = ty.declaration().semantic_parent();
    matches!(
        parent.kind(),
        CXCursor_ClassDecl | CXCursor_StructDecl | CXCursor_UnionDecl | CXCursor_ClassTemplate
    )
    .then(|| parent.spelling())
}

fn respell(mut ty: Type, spelling: String) -> Type {
    ty.spelling = spelling;
    ty
}

fn builtin(kind: CXTypeKind) -> Option<Builtin> {
    Some(match kind {
        CXType_Bool => Builtin::Bool,
        CXType_Char_S | CXType_Char_U => Builtin::Char,
        CXType_SChar => Builtin::SChar,
        CXType_UChar => Builtin::UChar,
        CXType_WChar | CXType_Char16 => Builtin::WChar,
        CXType_Short => Builtin::Short,
        CXType_UShort => Builtin::UShort,
        CXType_Int => Builtin::Int,
        CXType_UInt => Builtin::UInt,
        CXType_Long => Builtin::Long,
        CXType_ULong => Builtin::ULong,
        CXType_LongLong => Builtin::LongLong,
        CXType_ULongLong => Builtin::ULongLong,
        CXType_Float => Builtin::Float,
        CXType_Double => Builtin::Double,
        _ => return None,
    })
}
