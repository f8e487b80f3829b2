//! C++ enums as windows-sys does them: a type alias of the underlying integer and one
//! constant per enumerator, so any value IIS sends is representable.

use super::docs::doc_lines;
use super::rust_ident;
use crate::ir::Enum;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn enumeration(e: &Enum) -> TokenStream {
    let name = rust_ident(&e.name);
    let doc = doc_lines(&[format!("C++ `enum {}`.", e.name)]);
    let variants = e.variants.iter().map(|v| {
        let variant = rust_ident(&v.name);
        let value = Literal::i32_unsuffixed(v.value as i32);
        quote!(pub const #variant: #name = #value;)
    });
    quote! {
        #doc
        pub type #name = i32;
        #(#variants)*
    }
}
