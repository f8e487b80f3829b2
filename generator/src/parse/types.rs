//! Converts libclang types into IR types, keeping typedef names (PCSTR, DWORD, …) as
//! written while recording the canonical type underneath.

use super::clang::ClangType;
use crate::ir::{Builtin, CallingConvention, FunctionType, Type, TypeKind};
use clang_sys::*;

/// Converts `ty`; `Err` carries a description of what we cannot represent.
pub fn convert(ty: ClangType<'_>) -> Result<Type, String> {
    let spelling = ty.spelling();
    let canonical = ty.canonical().spelling();
    let kind = match ty.kind() {
        CXType_Elaborated => return convert(ty.named()).map(|t| respell(t, spelling)),
        CXType_Attributed => return convert(ty.modified()).map(|t| respell(t, spelling)),
        CXType_Unexposed if ty.canonical().kind() != CXType_Unexposed => {
            return convert(ty.canonical()).map(|t| respell(t, spelling))
        }
        CXType_Void => TypeKind::Void,
        CXType_Typedef => {
            let name = ty.typedef_name();
            let target = convert(ty.declaration().typedef_underlying())?;
            TypeKind::Typedef {
                name,
                target: Box::new(target),
            }
        }
        CXType_Pointer => {
            let pointee = ty.pointee();
            TypeKind::Pointer {
                pointee_is_const: pointee.is_const(),
                pointee: Box::new(convert(pointee)?),
            }
        }
        // An incomplete record (only forward-declared, like the IAppHost* interfaces) can
        // only be used behind a pointer: it becomes an opaque type.
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
        CXType_FunctionProto => {
            if ty.is_variadic() {
                return Err("a variadic function type".into());
            }
            let convention = match ty.calling_convention() {
                CXCallingConv_X86StdCall | CXCallingConv_Win64 => CallingConvention::System,
                CXCallingConv_C => CallingConvention::C,
                other => return Err(format!("calling convention {other} of `{spelling}`")),
            };
            TypeKind::Function(Box::new(FunctionType {
                return_type: convert(ty.result())?,
                params: ty
                    .args()
                    .into_iter()
                    .map(convert)
                    .collect::<Result<_, _>>()?,
                convention,
            }))
        }
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
