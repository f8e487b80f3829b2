//! Everything in the header besides polymorphic classes: plain structs, enums, typedefs
//! (function pointers, interface aliases) and `#define` constants.

use super::clang::{Cursor, TokenKind};
use super::types::convert;
use super::{macros, Walker};
use crate::error::Result;
use crate::ir::{
    Api, CallingConvention, Constant, Enum, EnumVariant, Field, Struct, Type, TypeKind, Typedef,
};
use clang_sys::*;
use std::collections::{BTreeMap, BTreeSet};

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
        for child in cursor.children() {
            if child.kind() != CXCursor_FieldDecl {
                continue;
            }
            let field_name = child.spelling();
            let ty = convert(child.ty()).map_err(|what| {
                self.unsupported(&child, format!("field `{name}::{field_name}` has {what}"))
            })?;
            fields.push(Field {
                name: field_name,
                ty,
            });
        }
        Ok(Struct { name, fields })
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

    pub(super) fn enumeration(&self, cursor: &Cursor<'_>, name: String) -> Enum {
        let variants = cursor
            .children()
            .into_iter()
            .filter(|c| c.kind() == CXCursor_EnumConstantDecl)
            .map(|c| EnumVariant {
                name: c.spelling(),
                value: c.enum_value(),
            })
            .collect();
        Enum { name, variants }
    }

    /// A typedef: an alias to emit, or the name of an anonymous enum or struct it defines.
    pub(super) fn typedef(
        &self,
        cursor: &Cursor<'_>,
        api: &mut Api,
        known: &mut BTreeMap<String, i64>,
    ) -> Result<()> {
        let name = cursor.spelling();
        let underlying = cursor.typedef_underlying();
        let declaration = underlying.canonical().declaration();
        let anonymous_here =
            declaration.is_anonymous() && self.is_in_input(&declaration.position());
        match declaration.kind() {
            CXCursor_EnumDecl if anonymous_here => {
                let e = self.enumeration(&declaration, name);
                for v in &e.variants {
                    known.insert(v.name.clone(), v.value);
                }
                api.enums.push(e);
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
        if target.callable().is_some() && spells_stdcall(cursor) {
            mark_system_convention(&mut target);
        }
        // `typedef struct X X;` (or an enum named by its typedef) adds nothing to bind.
        if let TypeKind::Record { name: tag }
        | TypeKind::Enum { name: tag }
        | TypeKind::Opaque { name: tag } = &target.kind
        {
            if *tag == name {
                return Ok(());
            }
        }
        api.typedefs.retain(|t| t.name != name);
        api.typedefs.push(Typedef { name, target });
        Ok(())
    }

    pub(super) fn constant(
        &self,
        cursor: &Cursor<'_>,
        known: &BTreeMap<String, i64>,
    ) -> Option<Constant> {
        let tokens = cursor.tokens();
        let (name, body) = tokens.split_first()?;
        let body: Vec<&str> = body.iter().map(|t| t.text.as_str()).collect();
        let value = macros::evaluate(&body, known)?;
        Some(Constant {
            name: name.text.clone(),
            value,
        })
    }
}

/// Whether a declaration says `__stdcall`: in its own tokens, or in the bodies of the macros
/// expanded there, followed through macros they name (`#define MY_API OUR_CALL`,
/// `#define OUR_CALL __stdcall`). On x86_64 clang drops the attribute from the type, so the
/// tokens are where it is still visible; check-abi's i686 probe is the judge.
pub(super) fn spells_stdcall(cursor: &Cursor<'_>) -> bool {
    if cursor.tokens().iter().any(|t| is_stdcall_spelling(&t.text)) {
        return true;
    }
    let mut pending = cursor.macros_expanded();
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
            if is_stdcall_spelling(&token.text) {
                return true;
            }
            if token.kind == TokenKind::Identifier {
                pending.extend(cursor.translation_unit().macro_definition(&token.text));
            }
        }
    }
    false
}

/// Spellings of `__stdcall` in Windows headers.
pub fn is_stdcall_spelling(token: &str) -> bool {
    matches!(
        token,
        "__stdcall"
            | "_stdcall"
            | "WINAPI"
            | "CALLBACK"
            | "APIENTRY"
            | "NTAPI"
            | "STDMETHODCALLTYPE"
            | "PASCAL"
    )
}

pub(super) fn mark_system_convention(ty: &mut Type) {
    match &mut ty.kind {
        TypeKind::Function(function) => function.convention = CallingConvention::System,
        TypeKind::Pointer { pointee, .. } => mark_system_convention(pointee),
        _ => {}
    }
}
