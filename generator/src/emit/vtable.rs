//! `Foo_Vtbl`: one `#[repr(C)]` struct per class, with the base class's vtable as `base__`
//! and one function-pointer field per new slot, in slot order — followed by `const`
//! assertions of its size and of every field's offset (slot × pointer size), so a wrong
//! layout fails `cargo check` on every target, i686 included.

use super::class::ClassItems;
use super::docs::doc_lines;
use super::ident;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn vtable(items: &ClassItems<'_>) -> TokenStream {
    let name = ident(&items.names.vtable);
    let object = &items.names.object;
    let base = items.base().map(|base| {
        let base = ident(&base.vtable);
        quote!(pub base__: #base,)
    });
    let fields = items.own.iter().map(|own| {
        let field = &own.name;
        let docs = doc_lines(&[format!(
            "Slot {}: [`{}::{}`].",
            own.slot.index, object, own.slot.rust_name
        )]);
        let signature = own.signature.field_type();
        quote! {
            #docs
            pub #field: #signature,
        }
    });
    let doc = doc_lines(&[format!(
        "The vtable of [`{}`]: {} slot(s), {} inherited.",
        object,
        items.layout.slots.len(),
        items.layout.inherited
    )]);
    let assertions = assertions(items);
    quote! {
        #doc
        #[repr(C)]
        #[derive(Clone, Copy)]
        pub struct #name {
            #base
            #(#fields)*
        }
        #assertions
    }
}

/// The layout, checked by the compiler: the object is one pointer, the vtable has one
/// pointer per slot, the base's vtable comes first and each own slot sits at its index.
fn assertions(items: &ClassItems<'_>) -> TokenStream {
    let object = ident(&items.names.object);
    let vtbl = ident(&items.names.vtable);
    let total = Literal::usize_unsuffixed(items.layout.slots.len());
    let base = items
        .class
        .base
        .as_ref()
        .map(|_| quote!(assert!(::core::mem::offset_of!(#vtbl, base__) == 0);));
    let fields = items.own.iter().map(|own| {
        let field = &own.name;
        let index = Literal::usize_unsuffixed(own.slot.index);
        quote!(assert!(::core::mem::offset_of!(#vtbl, #field) == #index * P);)
    });
    quote! {
        const _: () = {
            const P: usize = ::core::mem::size_of::<usize>();
            assert!(::core::mem::size_of::<#object>() == P);
            assert!(::core::mem::size_of::<#vtbl>() == #total * P);
            #base
            #(#fields)*
        };
    }
}
