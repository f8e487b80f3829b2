//! Polymorphic classes: bases, uuid, member order and virtual functions with their
//! parameters, defaults and array bounds. Constructs outside our single-inheritance
//! layout rules are rejected here, naming the class and the construct.

use super::clang::Cursor;
use super::declarations::{mark_system_convention, spells_stdcall};
use super::sal;
use super::tokens;
use super::types::convert;
use super::Walker;
use crate::error::Result;
use crate::ir::{Access, Class, Method, Param, Sal, Type, TypeKind};
use clang_sys::*;

impl Walker {
    /// Reads one class definition from the input header; `None` for non-polymorphic records.
    pub(super) fn class(&self, cursor: &Cursor<'_>) -> Result<Option<Class>> {
        let name = cursor.spelling();
        let location = self.location(cursor);
        let children = cursor.children();
        let bases: Vec<&Cursor<'_>> = children
            .iter()
            .filter(|c| c.kind() == CXCursor_CXXBaseSpecifier)
            .collect();
        if bases.len() > 1 {
            return Err(self.unsupported(
                cursor,
                format!(
                    "class `{name}` has {} base classes; multiple inheritance is not supported \
                     (IIS interfaces use single inheritance)",
                    bases.len()
                ),
            ));
        }
        if let Some(base) = bases.iter().find(|b| b.is_virtual_base()) {
            return Err(self.unsupported(
                base,
                format!(
                    "class `{name}` has a virtual base class; virtual inheritance is not supported"
                ),
            ));
        }
        let base = bases.first().map(|b| b.ty().declaration().spelling());

        let mut member_names: Vec<String> = Vec::new();
        let mut methods = Vec::new();
        let mut uuid = None;
        for child in &children {
            let kind = child.kind();
            if is_attribute(kind) && uuid.is_none() {
                let toks = child.tokens();
                uuid = tokens::uuid_from_tokens(toks.iter().map(|t| t.text.as_str()));
            }
            let spelled = child.spelling();
            if !spelled.is_empty()
                && kind != CXCursor_CXXBaseSpecifier
                && !is_attribute(kind)
                && !member_names.contains(&spelled)
            {
                member_names.push(spelled);
            }
            let is_method = matches!(kind, CXCursor_CXXMethod | CXCursor_Destructor);
            if is_method && child.is_virtual() {
                methods.push(self.method(&name, child)?);
            }
            if kind == CXCursor_FunctionTemplate && child.is_virtual() {
                return Err(self.unsupported(
                    child,
                    format!("class `{name}` has a virtual member template"),
                ));
            }
        }
        let polymorphic = !methods.is_empty() || base.is_some();
        if !polymorphic {
            return Ok(None);
        }
        Ok(Some(Class {
            name,
            uuid,
            base,
            member_names,
            methods,
            location,
        }))
    }

    fn method(&self, class: &str, cursor: &Cursor<'_>) -> Result<Method> {
        let compiled_name = cursor.spelling();
        let position = cursor.position();
        let is_destructor = cursor.kind() == CXCursor_Destructor;
        // The name as written: read at the expansion location in the header's own text.
        let name = if self.is_in_input(&position) {
            tokens::identifier_at(&self.source, position.offset as usize)
                .unwrap_or_else(|| compiled_name.clone())
        } else {
            compiled_name.clone()
        };
        let function_type = cursor.ty();
        if function_type.is_variadic() {
            return Err(self.unsupported(
                cursor,
                format!("`{class}::{name}` is a variadic virtual function, which has no fixed vtable signature"),
            ));
        }
        let return_type = if is_destructor {
            void_pointer()
        } else {
            let ret = cursor.result_type();
            let converted = convert(ret).map_err(|what| {
                self.unsupported(cursor, format!("`{class}::{name}` returns {what}"))
            })?;
            if returns_class_by_value(&converted) {
                return Err(self.unsupported(
                    cursor,
                    format!(
                        "`{class}::{name}` returns the class `{}` by value; MSVC passes it through a hidden pointer, which we do not model",
                        converted.spelling
                    ),
                ));
            }
            converted
        };
        let mut params = Vec::new();
        for (index, param) in cursor
            .children()
            .into_iter()
            .filter(|c| c.kind() == CXCursor_ParmDecl)
            .enumerate()
        {
            let mut ty = convert(param.ty()).map_err(|what| {
                self.unsupported(
                    &param,
                    format!("parameter {} of `{class}::{name}` has {what}", index + 1),
                )
            })?;
            // A callback spelled in place (not through a typedef, which carries its own
            // convention): its __stdcall is only in the tokens, as for typedefs.
            if ty.callable().is_some() && spells_stdcall(&param) {
                mark_system_convention(&mut ty);
            }
            let toks = param.tokens();
            let texts: Vec<&str> = toks.iter().map(|t| t.text.as_str()).collect();
            let array_bound = match ty.kind {
                TypeKind::Array { .. } => tokens::array_bound(texts.iter().copied()),
                _ => None,
            };
            let mut param_name = param.spelling();
            if param_name.is_empty() {
                param_name = format!("param{index}");
            }
            params.push(Param {
                name: param_name,
                ty,
                default: tokens::default_argument(texts.iter().copied()),
                array_bound,
                sal: Sal::default(),
            });
        }
        let return_sal = if is_destructor {
            Sal::default()
        } else {
            annotate(cursor, &name, &mut params)
        };
        Ok(Method {
            name,
            compiled_name,
            return_type,
            params,
            is_const: cursor.is_const_method(),
            is_pure: cursor.is_pure_virtual(),
            is_destructor,
            access: match cursor.access() {
                CX_CXXProtected => Access::Protected,
                CX_CXXPrivate => Access::Private,
                _ => Access::Public,
            },
            location: self.location(cursor),
            return_sal,
        })
    }
}

/// Reads the SAL annotations of a method's return value (returned) and parameters (set on
/// `params`) from its tokens; a pointer parameter whose default is `NULL` is optional too.
fn annotate(cursor: &Cursor<'_>, name: &str, params: &mut [Param]) -> Sal {
    let tokens = cursor.tokens();
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let Some((ret, stretches)) = sal::method_stretches(&texts, name) else {
        return Sal::default();
    };
    if stretches.len() != params.len() {
        // A parameter list we cannot split (a macro writing several parameters): no SAL.
        return Sal::default();
    }
    let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    for (param, stretch) in params.iter_mut().zip(&stretches) {
        param.sal = sal::interpret(&sal::annotations(stretch), &names);
        let null_default = matches!(param.default.as_deref(), Some("NULL" | "nullptr" | "0"));
        if null_default && matches!(param.ty.resolved(), TypeKind::Pointer { .. }) {
            param.sal.optional = true;
        }
    }
    sal::interpret(&sal::annotations(&ret), &names)
}

/// libclang numbers attribute cursors from 400 (CXCursor_UnexposedAttr) upwards.
fn is_attribute(kind: CXCursorKind) -> bool {
    (400..=499).contains(&kind)
}

/// The scalar deleting destructor returns `void*`.
fn void_pointer() -> Type {
    Type {
        spelling: "void *".into(),
        canonical: "void *".into(),
        kind: TypeKind::Pointer {
            pointee: Box::new(Type {
                spelling: "void".into(),
                canonical: "void".into(),
                kind: TypeKind::Void,
            }),
            pointee_is_const: false,
        },
    }
}

fn returns_class_by_value(ty: &Type) -> bool {
    match &ty.kind {
        TypeKind::Record { .. } => true,
        TypeKind::Typedef { target, .. } => returns_class_by_value(target),
        _ => false,
    }
}
