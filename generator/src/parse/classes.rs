//! Polymorphic classes: bases, uuid, member order and virtual functions with their names
//! (from the AST), calling conventions, parameters, defaults and array bounds. Constructs
//! outside our single-inheritance layout rules are rejected here, naming the class and the
//! construct: data members of a polymorphic class among them (the binding is the vtable
//! pointer alone).

use super::clang::{Cursor, Token};
use super::conventions;
use super::declarations::{in_place_function_levels, mark_convention};
use super::sal;
use super::sal_macros;
use super::tokens;
use super::types::convert;
use super::Walker;
use crate::error::Result;
use crate::ir::{Access, CallingConvention, Class, Method, Param, Sal, Type, TypeKind};
use clang_sys::*;

/// A class as parsed, with what its `Class` has no field for.
pub(super) struct ParsedClass {
    pub class: Class,
    /// Methods declaring their own calling convention, by index.
    pub conventions: Vec<(usize, CallingConvention)>,
}

/// What a class declares, gathered in one pass over its members.
struct Members<'t> {
    /// Every member's name, once, in declaration order.
    names: Vec<String>,
    methods: Vec<Method>,
    /// Methods declaring their own calling convention, by index.
    conventions: Vec<(usize, CallingConvention)>,
    data_member: Option<Cursor<'t>>,
    uuid: Option<String>,
}

impl Walker {
    /// Reads one class definition from the input header; `None` for non-polymorphic records.
    pub(super) fn class(&self, cursor: &Cursor<'_>) -> Result<Option<ParsedClass>> {
        let name = cursor.spelling();
        let location = self.location(cursor);
        let children = cursor.children();
        let base = self.single_base(cursor, &children)?;
        let members = self.members(cursor, &name, &children)?;
        let polymorphic = !members.methods.is_empty() || base.is_some();
        if !polymorphic {
            return Ok(None);
        }
        // After the methods: a nested type a method uses is refused where it is used.
        self.reject_nested_types(cursor)?;
        if let Some(field) = members.data_member {
            return Err(self.unsupported(
                &field,
                format!(
                    "class `{name}` has the data member `{}`; data members in a polymorphic \
                     class are not supported (its binding is the vtable pointer alone)",
                    field.spelling()
                ),
            ));
        }
        Ok(Some(ParsedClass {
            class: Class {
                name,
                uuid: members.uuid,
                base,
                member_names: members.names,
                methods: members.methods,
                location,
            },
            conventions: members.conventions,
        }))
    }

    /// The class's base, if any: one, not virtual (the layout is single inheritance).
    fn single_base(&self, cursor: &Cursor<'_>, children: &[Cursor<'_>]) -> Result<Option<String>> {
        let name = cursor.spelling();
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
        Ok(bases.first().map(|b| b.ty().declaration().spelling()))
    }

    /// The class's members in declaration order: their names, the virtual methods, the
    /// uuid attribute, and the first data member (which a polymorphic class may not have).
    fn members<'t>(
        &self,
        cursor: &Cursor<'t>,
        class: &str,
        children: &[Cursor<'t>],
    ) -> Result<Members<'t>> {
        let mut members = Members {
            names: Vec::new(),
            methods: Vec::new(),
            conventions: Vec::new(),
            data_member: None,
            uuid: None,
        };
        // What ends before each member: the class head for the first, the previous member
        // (or attribute, or access specifier) after that.
        let mut previous: Option<&Cursor<'t>> = None;
        for child in children {
            let kind = child.kind();
            if is_attribute(kind) && members.uuid.is_none() {
                let toks = child.tokens();
                members.uuid = tokens::uuid_from_tokens(toks.iter().map(|t| t.text.as_str()));
            }
            let spelled = child.spelling();
            if !spelled.is_empty()
                && kind != CXCursor_CXXBaseSpecifier
                && !is_attribute(kind)
                && !members.names.contains(&spelled)
            {
                members.names.push(spelled);
            }
            let is_method = matches!(kind, CXCursor_CXXMethod | CXCursor_Destructor);
            if is_method && child.is_virtual() {
                let leading = match previous {
                    Some(before) => child.tokens_after(before, false),
                    None => child.tokens_after(cursor, true),
                };
                let (method, convention) = self.method(class, child, &member_leading(&leading))?;
                if let Some(convention) = convention {
                    members
                        .conventions
                        .push((members.methods.len(), convention));
                }
                members.methods.push(method);
            }
            if kind == CXCursor_FieldDecl && members.data_member.is_none() {
                members.data_member = Some(*child);
            }
            if kind == CXCursor_FunctionTemplate && child.is_virtual() {
                return Err(self.unsupported(
                    child,
                    format!("class `{class}` has a virtual member template"),
                ));
            }
            previous = Some(child);
        }
        Ok(members)
    }

    /// Refuses types declared inside a class or struct: the bindings have no place for them,
    /// and dropping them would drop API silently. (One a member uses is refused there first,
    /// with the member's location.)
    pub(super) fn reject_nested_types(&self, cursor: &Cursor<'_>) -> Result<()> {
        let nested = cursor.children().into_iter().find(|c| {
            matches!(
                c.kind(),
                CXCursor_ClassDecl
                    | CXCursor_StructDecl
                    | CXCursor_UnionDecl
                    | CXCursor_EnumDecl
                    | CXCursor_ClassTemplate
            )
        });
        match nested {
            Some(nested) => {
                let what = if nested.is_anonymous() || nested.spelling().is_empty() {
                    "an anonymous struct, union or enum".to_string()
                } else {
                    format!("the type `{}`", nested.spelling())
                };
                Err(self.unsupported(
                    &nested,
                    format!(
                        "`{}` declares {what} inside itself; types nested in a class or \
                         struct are not bound: declare it at namespace scope",
                        cursor.spelling()
                    ),
                ))
            }
            None => Ok(()),
        }
    }

    /// The method's name: clang's (the AST's), except where windows.h renamed it for the
    /// compiler by an A/W macro (`#define GetUserName GetUserNameA`, or mingw's
    /// `__MINGW_NAME_AW(GetUserName)`): then the name as the header writes it, which is what
    /// C++ callers write too. Only an object-like macro named as written, whose expansion is
    /// that name plus `A` or `W`, counts; a function-like macro that builds the declaration
    /// (`STDMETHOD(GetA)`) does not, nor any other spelling at the location.
    fn written_name(&self, cursor: &Cursor<'_>, compiled: &str) -> String {
        let position = cursor.position();
        if !self.is_in_input(&position) {
            return compiled.to_string();
        }
        let Some(written) = tokens::identifier_at(&self.source, position.offset as usize) else {
            return compiled.to_string();
        };
        let a_or_w = [format!("{written}A"), format!("{written}W")];
        let renamed = a_or_w.iter().any(|name| name == compiled)
            && cursor
                .translation_unit()
                .macro_definition(&written)
                .is_some_and(|definition| !definition.is_macro_function_like());
        if renamed {
            written
        } else {
            compiled.to_string()
        }
    }

    /// One virtual method; `leading` are the tokens written in front of its extent (SAL
    /// before `virtual`).
    fn method(
        &self,
        class: &str,
        cursor: &Cursor<'_>,
        leading: &[&str],
    ) -> Result<(Method, Option<CallingConvention>)> {
        let compiled_name = cursor.spelling();
        let is_destructor = cursor.kind() == CXCursor_Destructor;
        let name = self.written_name(cursor, &compiled_name);
        let expanded = cursor.expanded_tokens();
        let prefix = declaration_prefix(&expanded, &name, &compiled_name, is_destructor);
        let convention = conventions::method(prefix)
            .map_err(|why| self.unsupported(cursor, format!("`{class}::{name}` has {why}")))?;
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
            self.return_type(cursor, &format!("{class}::{name}"), prefix)?
        };
        let mut params = Vec::new();
        for (index, param) in cursor.arguments().into_iter().enumerate() {
            params.push(self.param(
                &param,
                &format!("parameter {} of `{class}::{name}`", index + 1),
            )?);
        }
        if let Some(qualifier) = unmodelled_qualifier(&cursor.tokens(), &name) {
            return Err(self.unsupported(
                cursor,
                format!(
                    "`{class}::{name}` is `{qualifier}`-qualified; the IR records only `const`, so its member function type (and the probe's proof of its slot) cannot be spelled"
                ),
            ));
        }
        let return_sal = if is_destructor {
            Sal::default()
        } else {
            annotate(cursor, leading, &name, &mut params)
        };
        let method = Method {
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
        };
        Ok((method, convention))
    }

    /// The return type of the method `qualified` (`Class::Method`): converted, the
    /// convention of a function pointer it returns read from the declaration's `prefix`, and
    /// not a class by value (MSVC returns that through a hidden pointer).
    fn return_type(
        &self,
        cursor: &Cursor<'_>,
        qualified: &str,
        prefix: &[(Token, Option<Cursor<'_>>)],
    ) -> Result<Type> {
        let mut converted = convert(cursor.result_type())
            .map_err(|what| self.unsupported(cursor, format!("`{qualified}` returns {what}")))?;
        let levels = in_place_function_levels(&converted);
        if levels > 0 {
            let returned = conventions::returned_function_tokens(prefix);
            let spelled = conventions::free_function(&returned, levels)
                .map_err(|why| self.unsupported(cursor, format!("`{qualified}` returns {why}")))?;
            mark_convention(&mut converted, spelled);
        }
        if returns_class_by_value(&converted) {
            return Err(self.unsupported(
                cursor,
                format!(
                    "`{qualified}` returns the class `{}` by value; MSVC passes it through a hidden pointer, which we do not model",
                    converted.spelling
                ),
            ));
        }
        Ok(converted)
    }

    /// One parameter, `described` in errors (`parameter 2 of `Class::Method``): its type
    /// (with the convention of a callback spelled in place), default and array bound. The
    /// SAL annotations come later, from the whole declaration.
    fn param(&self, param: &Cursor<'_>, described: &str) -> Result<Param> {
        let mut ty = convert(param.ty())
            .map_err(|what| self.unsupported(param, format!("{described} has {what}")))?;
        // A callback spelled in place (not through a typedef, which carries its own
        // convention): its convention is only in the tokens, as for typedefs.
        let levels = in_place_function_levels(&ty);
        let expanded = param.expanded_tokens();
        if levels > 0 {
            let spelled = conventions::free_function(&expanded, levels)
                .map_err(|why| self.unsupported(param, format!("{described} has {why}")))?;
            mark_convention(&mut ty, spelled);
        }
        let texts: Vec<&str> = expanded.iter().map(|(t, _)| t.text.as_str()).collect();
        let array_bound = match ty.kind {
            TypeKind::Array { .. } => tokens::array_bound(texts.iter().copied()),
            _ => None,
        };
        Ok(Param {
            // Empty for an unnamed parameter: the naming pass gives it a stand-in.
            name: param.spelling(),
            ty,
            default: tokens::default_argument(texts.iter().copied()),
            array_bound,
            sal: Sal::default(),
        })
    }
}

/// The tokens of a method declaration before its name (the destructor's `~`): where its
/// own calling convention and that of a function pointer it returns are written. The name
/// may be the header's (a windows.h rename) or clang's (inside `STDMETHOD(…)`); without
/// either, nothing is taken as the prefix.
fn declaration_prefix<'a, 't>(
    tokens: &'a [(Token, Option<Cursor<'t>>)],
    name: &str,
    compiled: &str,
    is_destructor: bool,
) -> &'a [(Token, Option<Cursor<'t>>)] {
    let at = tokens.iter().position(|(token, _)| {
        if is_destructor {
            token.text == "~"
        } else {
            token.text == name || token.text == compiled
        }
    });
    &tokens[..at.unwrap_or(0)]
}

/// The tokens in front of a member's extent that belong to it: those after the last `;`,
/// `{`, `}` or access specifier's `:` before it.
fn member_leading(tokens: &[super::clang::Token]) -> Vec<&str> {
    let own = tokens
        .iter()
        .rposition(|t| matches!(t.text.as_str(), ";" | "{" | "}" | ":"))
        .map_or(0, |end| end + 1);
    tokens[own..].iter().map(|t| t.text.as_str()).collect()
}

/// Reads the SAL annotations of a method's return value (returned) and parameters (set on
/// `params`) from its tokens, and from `leading`, the tokens written before its extent
/// (MSVC applies an annotation written before `virtual` to the return value); a pointer
/// parameter whose default is `NULL` is optional too.
fn annotate(cursor: &Cursor<'_>, leading: &[&str], name: &str, params: &mut [Param]) -> Sal {
    let tokens = cursor.tokens();
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let Some((mut ret, stretches)) = sal::method_stretches(&texts, name) else {
        return Sal::default();
    };
    ret.splice(0..0, leading.iter().copied());
    if stretches.len() != params.len() {
        // A parameter list we cannot split (a macro writing several parameters): no SAL.
        return Sal::default();
    }
    let names: Vec<String> = params.iter().map(|p| p.name.clone()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let tu = cursor.translation_unit();
    // A macro of the header that writes an annotation (`#define RET_SIZED(n)
    // _Ret_writes_bytes_(n)`): MSVC applies it, so it is expanded and read; one in a form
    // not expanded refuses the stretch's safe form (kept as an unknown annotation).
    let read = |stretch: &[&str]| -> Sal {
        match sal_macros::expand(tu, stretch) {
            Ok(expanded) => {
                let expanded: Vec<&str> = expanded.iter().map(String::as_str).collect();
                sal::interpret(&sal::annotations(&expanded), &names)
            }
            Err(macro_) => {
                let mut sal = sal::interpret(&sal::annotations(stretch), &names);
                sal.unknown.push(macro_);
                sal
            }
        }
    };
    for (param, stretch) in params.iter_mut().zip(&stretches) {
        param.sal = read(stretch);
        let null_default = matches!(param.default.as_deref(), Some("NULL" | "nullptr" | "0"));
        if null_default && matches!(param.ty.resolved(), TypeKind::Pointer { .. }) {
            param.sal.optional = true;
        }
    }
    read(&ret)
}

/// A `volatile` or ref-qualifier (`&`, `&&`) after a method's parameter list: part of its
/// type, which the IR (only `const`) cannot spell.
fn unmodelled_qualifier(tokens: &[super::clang::Token], name: &str) -> Option<&'static str> {
    let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    let open =
        (0..texts.len().saturating_sub(1)).find(|&i| texts[i] == name && texts[i + 1] == "(")? + 1;
    let mut depth = 0;
    let mut close = None;
    for (i, text) in texts.iter().enumerate().skip(open) {
        match *text {
            "(" => depth += 1,
            ")" => {
                depth -= 1;
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    texts[close? + 1..]
        .iter()
        .take_while(|t| !matches!(**t, "=" | ";" | "{"))
        .find_map(|t| match *t {
            "volatile" => Some("volatile"),
            "&" => Some("&"),
            "&&" => Some("&&"),
            _ => None,
        })
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
