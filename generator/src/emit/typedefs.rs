//! Typedefs (HTTP_MODULE_ID, PFN_* function pointers, interface aliases), plain structs the
//! header declares, and opaque types for what is only forward-declared.

use super::docs::doc_lines;
use super::rust_ident;
use super::EmitError;
use crate::ir::{Struct, TypeKind, Typedef};
use crate::rust_types::{known_path, TypeMapper};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn typedef(types: &TypeMapper<'_>, t: &Typedef) -> Result<TokenStream, EmitError> {
    let name = rust_ident(&t.name);
    let target = types
        .rust(&t.target)
        .map_err(|unbound| EmitError::Unbound {
            item: format!("typedef `{}`", t.name),
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
    let vtbl_alias = match &t.target.kind {
        TypeKind::Record { name: class } if types.api.class(class).is_some() => {
            let alias = format_ident!("{}_Vtbl", t.name);
            let vtbl = format_ident!("{}_Vtbl", class);
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
    let name = rust_ident(&s.name);
    let fields = s
        .fields
        .iter()
        .map(|f| {
            let field = rust_ident(&f.name);
            let ty = types.rust(&f.ty).map_err(|unbound| EmitError::Unbound {
                item: format!("field `{}::{}`", s.name, f.name),
                unbound,
            })?;
            Ok(quote!(pub #field: #ty,))
        })
        .collect::<Result<Vec<_>, EmitError>>()?;
    let doc = doc_lines(&[format!("C++ `struct {}`.", s.name)]);
    Ok(quote! {
        #doc
        #[repr(C)]
        #[derive(Clone, Copy)]
        pub struct #name { #(#fields)* }
    })
}

/// Forward-declared types that windows-sys does not provide: usable only behind pointers.
pub fn opaque(name: &str) -> Option<TokenStream> {
    if known_path(name).is_some() {
        return None;
    }
    let ident = rust_ident(name);
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
