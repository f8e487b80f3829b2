//! Typedefs (HTTP_MODULE_ID, PFN_* function pointers, interface aliases), plain structs the
//! header declares (`#[repr(C)]`, with `packed(n)` or `align(n)` where the compiler's layout
//! says so), and opaque types for what is only forward-declared.

use super::docs::doc_lines;
use super::ident;
use super::EmitError;
use crate::ir::{Struct, TypeKind, Typedef};
use crate::knowledge::known_path;
use crate::layout::LaidOutApi;
use crate::rust_types::TypeMapper;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn typedef(types: &TypeMapper<'_>, t: &Typedef) -> Result<TokenStream, EmitError> {
    let name = ident(
        types
            .names
            .type_name(&t.name)
            .expect("every typedef is named"),
    );
    let target = types
        .rust(&t.target)
        .map_err(|unbound| EmitError::Unbound {
            item: format!("typedef `{}`", t.name),
            location: None,
            unbound,
        })?;
    // The spelling is x86_64's, where __stdcall is dropped; say what x86 calls it.
    let convention = t
        .function()
        .map(|f| format!(" (`{}` on x86)", f.convention.x86_keyword()))
        .unwrap_or_default();
    let doc = doc_lines(&[format!(
        "C++ typedef `{}`: `{}`{convention}.",
        t.name, t.target.spelling
    )]);
    let vtbl_alias = match (&t.target.kind, types.names.alias_vtable(&t.name)) {
        (TypeKind::Record { name: class }, Some(alias)) => {
            let alias = ident(alias);
            let vtbl = ident(&types.names.class(class).vtable);
            Some(quote!(pub type #alias = #vtbl;))
        }
        _ => None,
    };
    Ok(quote! {
        #doc
        pub type #name = #target;
        #vtbl_alias
    })
}

pub fn plain_struct(types: &TypeMapper<'_>, s: &Struct) -> Result<TokenStream, EmitError> {
    let name = ident(
        types
            .names
            .type_name(&s.name)
            .expect("every struct is named"),
    );
    let fields = s
        .fields
        .iter()
        .enumerate()
        .map(|(index, f)| {
            let field = ident(types.names.field(&s.name, index));
            let ty = types.rust(&f.ty).map_err(|unbound| EmitError::Unbound {
                item: format!("field `{}::{}`", s.name, f.name),
                location: None,
                unbound,
            })?;
            Ok(quote!(pub #field: #ty,))
        })
        .collect::<Result<Vec<_>, EmitError>>()?;
    let mut lines = vec![format!("C++ `struct {}`.", s.name)];
    let repr = match (s.packing, s.alignment) {
        (Some(n), _) => {
            lines.push(String::new());
            lines.push(format!("Packed: `#pragma pack({n})`."));
            let n = Literal::u64_unsuffixed(n);
            quote!(#[repr(C, packed(#n))])
        }
        (None, Some(n)) => {
            lines.push(String::new());
            lines.push(format!("Aligned: `__declspec(align({n}))`."));
            let n = Literal::u64_unsuffixed(n);
            quote!(#[repr(C, align(#n))])
        }
        (None, None) => quote!(#[repr(C)]),
    };
    let doc = doc_lines(&lines);
    Ok(quote! {
        #doc
        #repr
        #[derive(Clone, Copy)]
        pub struct #name { #(#fields)* }
    })
}

/// Forward-declared types that windows-sys does not provide: usable only behind pointers.
pub fn opaque(model: &LaidOutApi, name: &str) -> Option<TokenStream> {
    if known_path(name).is_some() {
        return None;
    }
    let ident = ident(model.names().type_name(name)?);
    let doc = doc_lines(&[format!(
        "`{name}`: declared but not defined by the IIS API; only used behind pointers."
    )]);
    Some(quote! {
        #doc
        #[repr(C)]
        pub struct #ident {
            _opaque: [u8; 0],
        }
    })
}
