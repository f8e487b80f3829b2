//! Everything in the header besides polymorphic classes: plain structs (with the layout the
//! compiler gives them, checked against a Rust `repr`), enums (with their underlying type),
//! typedefs (function pointers with their calling convention, interface aliases) and
//! `#define` constants (typed as C++ types them).

use super::clang::{ClangType, Cursor};
use super::conventions;
use super::macros::{self, Evaluated, Integer};
use super::types::convert;
use super::Walker;
use crate::error::Result;
use crate::ir::{
    Api, Builtin, CallingConvention, Constant, Enum, EnumVariant, Field, IntegerType, Struct, Type,
    TypeKind, Typedef,
};
use crate::repr_c::{place, Placed};
use clang_sys::*;
use std::collections::BTreeMap;

/// One enum as parsed, with what its `Enum` has no field for.
pub(super) struct ParsedEnum {
    pub enumeration: Enum,
    pub underlying: Builtin,
    pub scoped: bool,
}

impl ParsedEnum {
    /// Records the enum in `api` and its enumerators (unscoped ones: C++ names scoped ones
    /// through the enum) in `known`, typed as C++ promotes them.
    pub fn add_to(self, api: &mut Api, known: &mut BTreeMap<String, Integer>) {
        let ParsedEnum {
            enumeration,
            underlying,
            scoped,
        } = self;
        if !scoped {
            let ty = promoted(underlying);
            for v in &enumeration.variants {
                known.insert(v.name.clone(), Integer::new(v.value.into(), ty));
            }
        } else {
            api.details.scoped_enums.insert(enumeration.name.clone());
        }
        if underlying != Builtin::Int {
            api.details
                .enum_underlying
                .insert(enumeration.name.clone(), underlying);
        }
        api.enums.push(enumeration);
    }
}

/// The type an enumerator of underlying type `builtin` takes in arithmetic.
fn promoted(builtin: Builtin) -> IntegerType {
    match builtin {
        Builtin::UInt | Builtin::ULong => IntegerType::UInt,
        Builtin::LongLong => IntegerType::LongLong,
        Builtin::ULongLong => IntegerType::ULongLong,
        _ => IntegerType::Int,
    }
}

fn is_unsigned(builtin: Builtin) -> bool {
    matches!(
        builtin,
        Builtin::Bool
            | Builtin::UChar
            | Builtin::UShort
            | Builtin::UInt
            | Builtin::ULong
            | Builtin::ULongLong
            | Builtin::WChar
    )
}

impl Walker {
    pub(super) fn plain_struct(&self, cursor: &Cursor<'_>) -> Result<Option<Struct>> {
        let name = cursor.spelling();
        if name.is_empty() || cursor.is_anonymous() {
            return Ok(None);
        }
        self.struct_named(cursor, name).map(Some)
    }

    fn struct_named(&self, cursor: &Cursor<'_>, name: String) -> Result<Struct> {
        let mut fields = Vec::new();
        // (size, alignment) of each field's type and its offset, as the compiler lays the
        // struct out for x86_64.
        let mut compiled: Vec<((u64, u64), u64)> = Vec::new();
        for child in cursor.children() {
            if child.kind() != CXCursor_FieldDecl {
                continue;
            }
            let field_name = child.spelling();
            let unsupported = |what: String| {
                self.unsupported(&child, format!("field `{name}::{field_name}` {what}"))
            };
            if child.is_bitfield() {
                return Err(unsupported(
                    "is a bit-field; bit-fields are not supported (Rust has none, and the \
                     probe cannot take a bit-field's offset to prove one)"
                        .into(),
                ));
            }
            let mut ty = convert(child.ty()).map_err(|what| unsupported(format!("has {what}")))?;
            let levels = in_place_function_levels(&ty);
            if levels > 0 {
                let spelled = conventions::free_function(&child.expanded_tokens(), levels)
                    .map_err(|why| unsupported(format!("has {why}")))?;
                mark_convention(&mut ty, spelled);
            }
            let (size, align) = (child.ty().size_of(), child.ty().align_of());
            let offset = child.field_offset_bits();
            if size < 0 || align <= 0 || offset < 0 {
                return Err(unsupported(
                    "has no fixed size or offset (a flexible array member?)".into(),
                ));
            }
            compiled.push(((size as u64, align as u64), offset as u64 / 8));
            fields.push(Field {
                name: field_name,
                ty,
            });
        }
        // After the fields: a nested type a field uses is refused where it is used.
        self.reject_nested_types(cursor)?;
        let record = cursor.ty();
        let (size, align) = (record.size_of(), record.align_of());
        if size < 0 || align <= 0 {
            return Err(self.unsupported(
                cursor,
                format!("struct `{name}` has no size the compiler can give"),
            ));
        }
        // A packed Rust struct cannot hold an aligned one; MSVC never packs a member below
        // its `__declspec(align)` either, so a struct is less aligned than its fields (and
        // `repr` picks `packed`) only when no aligned struct is among them.
        let (packing, alignment) =
            self.repr(cursor, &name, &compiled, size as u64, align as u64)?;
        Ok(Struct {
            name,
            fields,
            packing,
            alignment,
        })
    }

    /// The Rust `repr` that reproduces the compiler's layout of a struct: `packed(n)` when
    /// the struct is less aligned than its fields (`#pragma pack(n)`), `align(n)` when more
    /// (`__declspec(align(n))`), plain `C` otherwise; an error when none gives the
    /// compiler's offsets and size (a field with its own alignment, `pack` and `align`
    /// together, an empty struct).
    fn repr(
        &self,
        cursor: &Cursor<'_>,
        name: &str,
        compiled: &[((u64, u64), u64)],
        size: u64,
        align: u64,
    ) -> Result<(Option<u64>, Option<u64>)> {
        let fields: Vec<(u64, u64)> = compiled.iter().map(|(layout, _)| *layout).collect();
        let natural = fields.iter().map(|(_, a)| *a).max().unwrap_or(1);
        let (packing, alignment) = match align.cmp(&natural) {
            std::cmp::Ordering::Less => (Some(align), None),
            std::cmp::Ordering::Greater => (None, Some(align)),
            std::cmp::Ordering::Equal => (None, None),
        };
        let predicted = place(&fields, packing, alignment);
        let expected = Placed {
            offsets: compiled.iter().map(|(_, offset)| *offset).collect(),
            size,
            align,
        };
        if predicted != expected {
            return Err(self.unsupported(
                cursor,
                format!(
                    "struct `{name}` has a layout no Rust `repr` reproduces (size {size}, \
                     alignment {align}, field offsets {:?}; `repr(C{})` gives size {}, \
                     offsets {:?}): a field with its own alignment, `#pragma pack` with \
                     `__declspec(align)`, or an empty struct",
                    expected.offsets,
                    match (packing, alignment) {
                        (Some(n), _) => format!(", packed({n})"),
                        (_, Some(n)) => format!(", align({n})"),
                        _ => String::new(),
                    },
                    predicted.size,
                    predicted.offsets
                ),
            ));
        }
        Ok((packing, alignment))
    }

    pub(super) fn reject_virtual_template(&self, cursor: &Cursor<'_>) -> Result<()> {
        let has_virtual = cursor.children().iter().any(|c| {
            matches!(c.kind(), CXCursor_CXXMethod | CXCursor_Destructor) && c.is_virtual()
        });
        if has_virtual {
            return Err(self.unsupported(
                cursor,
                format!(
                    "class template `{}` has virtual functions; templates have no single vtable layout to bind",
                    cursor.spelling()
                ),
            ));
        }
        Ok(())
    }

    pub(super) fn enumeration(&self, cursor: &Cursor<'_>, name: String) -> Result<ParsedEnum> {
        let integer = cursor.enum_integer_type();
        let underlying = convert(integer)
            .ok()
            .and_then(|ty| match ty.resolved() {
                TypeKind::Builtin(builtin) => Some(*builtin),
                _ => None,
            })
            .ok_or_else(|| {
                self.unsupported(
                    cursor,
                    format!(
                        "enum `{name}` has the underlying type `{}`, which is not an integer",
                        integer.spelling()
                    ),
                )
            })?;
        // `enum E : ULONG_PTR` is 8 bytes on x86_64 and 4 on i686: no one Rust integer is
        // both, and the enums are type aliases of one.
        // clang gives the canonical integer (`unsigned long long`): the typedef is in the
        // tokens between `:` and `{`.
        let tokens = cursor.tokens();
        let base: Vec<String> = tokens
            .iter()
            .map(|t| t.text.clone())
            .skip_while(|t| t != ":")
            .take_while(|t| t != "{" && t != ";")
            .collect();
        let pointer_sized = base
            .iter()
            .find(|t| {
                matches!(
                    crate::knowledge::known_path(t).as_deref(),
                    Some("usize" | "isize")
                )
            })
            .cloned()
            .or_else(|| pointer_sized_typedef(integer));
        if let Some(pointer_sized) = pointer_sized {
            return Err(self.unsupported(
                cursor,
                format!(
                    "enum `{name}` has the pointer-sized underlying type `{pointer_sized}` (8 bytes on x86_64, 4 on i686), which no one Rust integer type matches on both targets; give it a fixed-size type (`DWORD`, `ULONGLONG`)"
                ),
            ));
        }
        let unsigned = is_unsigned(underlying);
        let variants = cursor
            .children()
            .into_iter()
            .filter(|c| c.kind() == CXCursor_EnumConstantDecl)
            .map(|c| EnumVariant {
                name: c.spelling(),
                // An unsigned value above i64::MAX is kept as its bit pattern.
                value: if unsigned {
                    c.enum_unsigned_value() as i64
                } else {
                    c.enum_value()
                },
            })
            .collect();
        Ok(ParsedEnum {
            enumeration: Enum { name, variants },
            underlying,
            scoped: cursor.is_scoped_enum(),
        })
    }

    /// An enum declared and never defined (`enum KIND : ULONG;`): with its underlying type
    /// fixed it is a complete type whose values are that type's, so it is an enum with no
    /// enumerators; without (MSVC's forward `enum KIND;`) its size is unknown, and it is
    /// refused here rather than where it is used. `None` for a repeated declaration.
    pub(super) fn opaque_enumeration(
        &self,
        cursor: &Cursor<'_>,
        api: &Api,
    ) -> Result<Option<ParsedEnum>> {
        let name = cursor.spelling();
        if api.enums.iter().any(|e| e.name == name) {
            return Ok(None);
        }
        let fixed = cursor.is_scoped_enum() || cursor.tokens().iter().any(|t| t.text == ":");
        if !fixed {
            return Err(self.unsupported(
                cursor,
                format!(
                    "enum `{name}` is declared without its enumerators or an underlying type, so \
                     its size is unknown; define it, or fix its type (`enum {name} : DWORD;`)"
                ),
            ));
        }
        self.enumeration(cursor, name).map(Some)
    }

    /// A typedef: an alias to emit, or the name of an anonymous enum or struct it defines.
    pub(super) fn typedef(
        &self,
        cursor: &Cursor<'_>,
        api: &mut Api,
        known: &mut BTreeMap<String, Integer>,
    ) -> Result<()> {
        let name = cursor.spelling();
        let underlying = cursor.typedef_underlying();
        let declaration = underlying.canonical().declaration();
        let anonymous_here =
            declaration.is_anonymous() && self.is_in_input(&declaration.position());
        match declaration.kind() {
            CXCursor_EnumDecl if anonymous_here => {
                self.enumeration(&declaration, name)?.add_to(api, known);
                return Ok(());
            }
            CXCursor_StructDecl if anonymous_here => {
                let s = self.struct_named(&declaration, name)?;
                api.structs.push(s);
                return Ok(());
            }
            _ => {}
        }
        let mut target = convert(underlying)
            .map_err(|what| self.unsupported(cursor, format!("typedef `{name}` names {what}")))?;
        let levels = in_place_function_levels(&target);
        if levels > 0 {
            let spelled = conventions::free_function(&cursor.expanded_tokens(), levels)
                .map_err(|why| self.unsupported(cursor, format!("typedef `{name}` has {why}")))?;
            mark_convention(&mut target, spelled);
        }
        // `typedef struct X X;` (or an enum named by its typedef), directly or through other
        // typedefs (`typedef struct X Y; typedef Y X;`), adds nothing to bind: the struct or
        // enum already has the name, and an alias would name itself.
        if let TypeKind::Record { name: tag }
        | TypeKind::Enum { name: tag }
        | TypeKind::Opaque { name: tag } = target.resolved()
        {
            if *tag == name {
                return Ok(());
            }
        }
        api.typedefs.retain(|t| t.name != name);
        api.typedefs.push(Typedef { name, target });
        Ok(())
    }

    /// A `#define` that evaluates to a constant, with its C++ type when an integer; one
    /// nested too deeply to read is refused, located.
    pub(super) fn constant(
        &self,
        cursor: &Cursor<'_>,
        known: &BTreeMap<String, Integer>,
    ) -> Result<Option<(Constant, Option<Integer>)>> {
        let tokens = cursor.tokens();
        let Some((name, body)) = tokens.split_first() else {
            return Ok(None);
        };
        let body: Vec<&str> = body.iter().map(|t| t.text.as_str()).collect();
        let value = match macros::evaluate_typed(&body, known) {
            Ok(Some(value)) => value,
            Ok(None) => return Ok(None),
            Err(macros::TooDeep) => {
                return Err(self.unsupported(
                    cursor,
                    format!(
                        "`#define {}` nests parentheses and unary operators deeper than {} \
                         levels, which this generator does not evaluate; write the constant \
                         more simply",
                        name.text,
                        macros::MAX_NESTING
                    ),
                ))
            }
        };
        let integer = match &value {
            Evaluated::Integer(integer) => Some(*integer),
            _ => None,
        };
        Ok(Some((
            Constant {
                name: name.text.clone(),
                value: value.into_constant(),
            },
            integer,
        )))
    }
}

/// How many function types `ty` writes in place: not through a typedef, which names one
/// with its own convention.
pub(super) fn in_place_function_levels(ty: &Type) -> usize {
    match &ty.kind {
        TypeKind::Function(function) => {
            1 + in_place_function_levels(&function.return_type)
                + function
                    .params
                    .iter()
                    .map(in_place_function_levels)
                    .sum::<usize>()
        }
        TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => {
            in_place_function_levels(pointee)
        }
        TypeKind::Array { element, .. } => in_place_function_levels(element),
        _ => 0,
    }
}

/// Gives the outermost function type written in place in `ty` the convention spelled for it.
pub(super) fn mark_convention(ty: &mut Type, convention: Option<CallingConvention>) {
    let Some(convention) = convention else {
        return;
    };
    match &mut ty.kind {
        TypeKind::Function(function) => function.convention = convention,
        TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => {
            mark_convention(pointee, Some(convention))
        }
        TypeKind::Array { element, .. } => mark_convention(element, Some(convention)),
        _ => {}
    }
}

/// The pointer-sized Windows typedef (`ULONG_PTR`, `SIZE_T`) `ty` is or goes through, if any.
fn pointer_sized_typedef(ty: ClangType<'_>) -> Option<String> {
    let mut ty = ty;
    for _ in 0..64 {
        if ty.kind() != CXType_Typedef {
            return None;
        }
        let name = ty.declaration().spelling();
        if matches!(
            crate::knowledge::known_path(&name).as_deref(),
            Some("usize" | "isize")
        ) {
            return Some(name);
        }
        ty = ty.declaration().typedef_underlying();
    }
    None
}
