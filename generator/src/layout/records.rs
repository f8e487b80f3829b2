//! The layouts of the API's structs and builtins on each target, placed by the `#[repr(C)]`
//! rule (`repr_c`, which MSVC's `#pragma pack(n)` and `__declspec(align(n))` follow too).
//! The parser picks the `repr` whose placement matches the compiler's; the probe checks the
//! same placement against the compiler on both targets.

use crate::ir::{Api, Builtin, Struct, Type, TypeKind};
pub use crate::repr_c::{place, Placed};
use crate::toolchain::Target;

/// The (size, alignment) the generated Rust gives `ty` on `target`, where it follows from
/// the API alone: builtins, pointers, enums (their underlying type), arrays and the
/// header's own structs and classes. `None` for types from windows-sys, whose layout is
/// windows-sys's to get right.
pub fn rust_layout(api: &Api, ty: &Type, target: Target) -> Option<(u64, u64)> {
    let pointer = target.pointer_size() as u64;
    match &ty.kind {
        TypeKind::Builtin(builtin) => Some(builtin_layout(*builtin)),
        TypeKind::Pointer { .. } | TypeKind::Reference { .. } => Some((pointer, pointer)),
        TypeKind::Enum { name } => {
            let underlying = api
                .details
                .enum_underlying
                .get(name)
                .copied()
                .unwrap_or(Builtin::Int);
            api.enums
                .iter()
                .any(|e| e.name == *name)
                .then(|| builtin_layout(underlying))
        }
        TypeKind::Array { element, len } => {
            rust_layout(api, element, target).map(|(size, align)| (size * len, align))
        }
        TypeKind::Typedef {
            name,
            target: aliased,
        } => {
            // A Windows typedef bound to a windows-sys type is windows-sys's layout; one
            // bound to `usize`/`isize` (`ULONG_PTR`, `SIZE_T`) is pointer-sized on every
            // target, whatever the x86_64 parse resolved it to.
            if api.typedefs.iter().all(|t| t.name != *name) {
                match crate::knowledge::known_path(name).as_deref() {
                    Some(path) if path.contains("::") => return None,
                    Some("usize" | "isize") => return Some((pointer, pointer)),
                    _ => {}
                }
            }
            rust_layout(api, aliased, target)
        }
        TypeKind::Record { name } => {
            if api.class(name).is_some() {
                return Some((pointer, pointer));
            }
            let record = api.structs.iter().find(|s| s.name == *name)?;
            struct_layout(api, record, target, &|_| None).map(|placed| (placed.size, placed.align))
        }
        TypeKind::Void | TypeKind::Opaque { .. } | TypeKind::Function(_) => None,
    }
}

/// The placement of `record`'s fields on `target` under its `repr`, each field's layout
/// from [`rust_layout`] or, for the fields it cannot tell, from `otherwise` (the compiler's
/// answer, in the probe); `None` if neither knows a field.
pub fn struct_layout(
    api: &Api,
    record: &Struct,
    target: Target,
    otherwise: &dyn Fn(usize) -> Option<(u64, u64)>,
) -> Option<Placed> {
    let fields = record
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| rust_layout(api, &f.ty, target).or_else(|| otherwise(i)))
        .collect::<Option<Vec<_>>>()?;
    Some(place(&fields, record.packing, record.alignment))
}

/// Size and alignment of a builtin as MSVC and Rust agree on them on both targets
/// (`long` is 32 bits, `long long` and `double` are 8-aligned on x86 too).
pub fn builtin_layout(builtin: Builtin) -> (u64, u64) {
    match builtin {
        Builtin::Bool | Builtin::Char | Builtin::SChar | Builtin::UChar => (1, 1),
        Builtin::WChar | Builtin::Short | Builtin::UShort => (2, 2),
        Builtin::Int | Builtin::UInt | Builtin::Long | Builtin::ULong | Builtin::Float => (4, 4),
        Builtin::LongLong | Builtin::ULongLong | Builtin::Double => (8, 8),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_c_packed_and_aligned() {
        let char_int = [(1, 1), (4, 4)];
        assert_eq!(
            place(&char_int, None, None),
            Placed {
                offsets: vec![0, 4],
                size: 8,
                align: 4
            }
        );
        assert_eq!(
            place(&char_int, Some(1), None),
            Placed {
                offsets: vec![0, 1],
                size: 5,
                align: 1
            }
        );
        assert_eq!(
            place(&char_int, Some(2), None),
            Placed {
                offsets: vec![0, 2],
                size: 6,
                align: 2
            }
        );
        assert_eq!(
            place(&[(4, 4)], None, Some(16)),
            Placed {
                offsets: vec![0],
                size: 16,
                align: 16
            }
        );
        assert_eq!(
            place(&[], None, None),
            Placed {
                offsets: vec![],
                size: 0,
                align: 1
            }
        );
    }
}
