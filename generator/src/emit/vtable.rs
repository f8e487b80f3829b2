//! `Foo_Vtbl`: one `#[repr(C)]` struct per class, with the base class's vtable as `base__`
//! and one function-pointer field per new slot, in slot order.

use super::docs::{doc_lines, slot_doc};
use super::names::rust_ident;
use super::signature::slot_signature;
use super::types::TypeMapper;
use crate::ir::Class;
use crate::layout::{slot_method, ClassLayout};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn vtable(
    types: &TypeMapper<'_>,
    class: &Class,
    layout: &ClassLayout,
    names: &[String],
) -> Result<TokenStream, String> {
    let name = format_ident!("{}_Vtbl", class.name);
    let base = class.base.as_ref().map(|base| {
        let base = format_ident!("{}_Vtbl", base);
        quote!(pub base__: #base,)
    });
    let mut fields = Vec::new();
    for slot in layout.own_slots() {
        let method = slot_method(types.api, slot);
        let field = rust_ident(&names[slot.index]);
        let docs = doc_lines(&slot_doc(&class.name, method, slot));
        let signature = slot_signature(types, &class.name, method)?.field_type();
        fields.push(quote! {
            #docs
            pub #field: #signature,
        });
    }
    let doc = doc_lines(&[format!(
        "The vtable of [`{}`]: {} slot(s), {} inherited.",
        class.name,
        layout.slots.len(),
        layout.inherited
    )]);
    Ok(quote! {
        #doc
        #[repr(C)]
        #[derive(Clone, Copy)]
        pub struct #name {
            #base
            #(#fields)*
        }
    })
}
