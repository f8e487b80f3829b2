//! The generated layout test: for every class, the Rust vtable struct's size and every
//! field's offset (inherited ones through `base__`) must equal slot × pointer size.

use super::names::rust_ident;
use crate::ir::Api;
use crate::layout::ClassLayout;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::BTreeMap;

pub fn layout_tests(
    api: &Api,
    layouts: &BTreeMap<String, ClassLayout>,
    names: &BTreeMap<String, Vec<String>>,
) -> TokenStream {
    let tests = api.classes.iter().map(|class| {
        let layout = &layouts[&class.name];
        let vtbl = format_ident!("{}_Vtbl", class.name);
        let object = rust_ident(&class.name);
        let test = format_ident!("{}_vtable_layout", class.name);
        let total = layout.slots.len();
        let checks = layout.slots.iter().map(|slot| {
            let path = field_path(api, &class.name, slot.index, layouts, names);
            let index = slot.index;
            quote!(assert_eq!(offset_of!(#vtbl, #path), #index * PTR);)
        });
        quote! {
            #[test]
            fn #test() {
                assert_eq!(size_of::<#vtbl>(), #total * PTR);
                assert_eq!(size_of::<#object>(), PTR);
                #(#checks)*
            }
        }
    });
    quote! {
        #![allow(non_snake_case, clippy::erasing_op, clippy::identity_op)]
        use core::mem::{offset_of, size_of};
        use super::*;
        const PTR: usize = size_of::<usize>();
        #(#tests)*
    }
}

/// `base__.base__.GetHeader`: where slot `index` of `class` lives in the Rust struct.
fn field_path(
    api: &Api,
    class: &str,
    index: usize,
    layouts: &BTreeMap<String, ClassLayout>,
    names: &BTreeMap<String, Vec<String>>,
) -> TokenStream {
    let mut prefix = Vec::new();
    let mut current = class.to_string();
    while index < layouts[&current].inherited {
        prefix.push(format_ident!("base__"));
        current = api
            .class(&current)
            .and_then(|c| c.base.clone())
            .expect("inherited slots imply a base");
    }
    let field = rust_ident(&names[class][index]);
    quote!(#(#prefix.)* #field)
}
