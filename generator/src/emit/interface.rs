//! The interface type of a class: a `#[repr(C)]` struct whose only field is the vtable
//! pointer, so `*mut IHttpRequest` is exactly C++'s `IHttpRequest*`; plus its IID constant.

use super::class::ClassItems;
use super::docs::{class_link, doc_lines};
use super::ident;
use proc_macro2::TokenStream;
use quote::quote;

pub fn interface(items: &ClassItems<'_>) -> TokenStream {
    let class = items.class;
    let name = ident(&items.names.object);
    let vtbl = ident(&items.names.vtable);
    let mut lines = vec![format!("C++ class `{}`", class.name)];
    if let Some(base) = items.base() {
        lines[0].push_str(&format!(" (derives from [`{}`])", base.object));
    }
    lines.push(String::new());
    lines.push(format!(
        "An object pointer: its first word points at a [`{}`] of {} slot(s).",
        items.names.vtable,
        items.layout.slots.len()
    ));
    lines.push(String::new());
    lines.push(
        "Only C++ (or a typed constructor, `new_boxed`) makes one: the vtable pointer is \
         private, so safe code cannot forge an object around a made-up vtable; \
         `vtable_of` reads it."
            .into(),
    );
    lines.push(String::new());
    lines.push(format!(
        "[Microsoft documentation]({})",
        class_link(&class.name)
    ));
    let doc = doc_lines(&lines);
    let iid = class.uuid.as_ref().map(|uuid| {
        let iid = ident(
            items
                .names
                .iid
                .as_deref()
                .expect("a class with a uuid has an IID"),
        );
        let literal: proc_macro2::Literal =
            format!("0x{}", uuid.replace('-', "_").to_ascii_lowercase())
                .parse()
                .expect("uuids are normalized to hex groups when parsed");
        let doc = doc_lines(&[format!("`__uuidof({})`: {{{uuid}}}", class.name)]);
        quote! {
            #doc
            pub const #iid: windows_sys::core::GUID = windows_sys::core::GUID::from_u128(#literal);
            // SAFETY: the uuid is the class's `__declspec(uuid)`.
            unsafe impl ::httpserv_runtime::Interface for #name {
                const IID: windows_sys::core::GUID = #iid;
            }
        }
    });
    quote! {
        #doc
        #[repr(C)]
        pub struct #name {
            vtable: *const #vtbl,
            /// The rest of the object, which its own code changes behind `this`: a shared
            /// reference to the class promises no frozen memory, so the object's code may
            /// reach and write past the vtable pointer through one.
            rest: ::core::cell::UnsafeCell<()>,
        }
        #iid
    }
}
