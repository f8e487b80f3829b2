//! Everything in the header besides polymorphic classes: plain structs, enums, typedefs
//! (function pointers, interface aliases) and `#define` constants.

use super::clang::Cursor;
use super::types::convert;
use super::{macros, Walker};
use crate::error::Result;
use crate::ir::{
    Api, CallingConvention, Constant, Enum, EnumVariant, Field, Struct, Type, TypeKind, Typedef,
};
use clang_sys::*;
use std::collections::BTreeMap;

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
        let tokens = cursor.tokens();
        if tokens.iter().any(|t| is_stdcall_spelling(&t.text)) {
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

/// Spellings of `__stdcall` in Windows headers. On x86_64 clang drops the attribute from the
/// type, so a function pointer typedef's tokens are where WINAPI is still visible; the probe's
/// i686 compile is the check.
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

fn mark_system_convention(ty: &mut Type) {
    match &mut ty.kind {
        TypeKind::Function(function) => function.convention = CallingConvention::System,
        TypeKind::Pointer { pointee, .. } => mark_system_convention(pointee),
        _ => {}
    }
}
