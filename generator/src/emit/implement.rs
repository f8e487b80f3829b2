//! Implementing a class in Rust: a `Foo_Impl` trait with one method per own slot (base slots
//! come from the base's trait, a supertrait) and `Foo_Vtbl::new::<T>()`, a `const fn` that
//! builds a `'static` vtable of thunks which find `T` in its `runtime::Object` and call it.
//!
//! What each thunk does beyond the call is IIS policy, read from `crate::policy`: the value
//! returned when the implementation panics, the default of a non-pure virtual, and the slots
//! that release the object. The scalar deleting destructor has no trait method: it drops the
//! value and frees a boxed object when the flags ask.

use super::class::{ClassItems, OwnSlot};
use super::docs::doc_lines;
use super::rust_ident;
use crate::ir::{Api, TypeKind};
use crate::policy::{self, MethodPolicy, OnPanic, Value};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn implement(api: &Api, items: &ClassItems<'_>) -> TokenStream {
    let class = items.class;
    let trait_name = format_ident!("{}_Impl", class.name);
    let vtbl = format_ident!("{}_Vtbl", class.name);
    let supertrait = class.base.as_ref().map(|b| {
        let b = format_ident!("{}_Impl", b);
        quote!(: #b)
    });
    let mut trait_methods = Vec::new();
    let mut thunks = Vec::new();
    let mut fields = Vec::new();
    if let Some(base) = &class.base {
        let base_vtbl = format_ident!("{}_Vtbl", base);
        fields.push(quote!(base__: #base_vtbl::new::<T>(),));
    }
    for own in &items.own {
        let name = &own.name;
        fields.push(quote!(#name: #name::<T>,));
        let this_ty = &own.signature.this;
        let params = own.signature.param_list();
        let args = own.signature.arg_names();
        let ret = &own.signature.ret;
        let thunk_body = if own.method.is_destructor {
            quote! {
                ::httpserv::runtime::guard(
                    || unsafe { ::httpserv::runtime::Object::<T>::release(this, flags & 1 != 0) },
                    ::httpserv::runtime::abort,
                );
                this as *mut ::core::ffi::c_void
            }
        } else {
            let policy = policy::method_policy(api, own.method);
            let release = policy::release(&class.name, own.method);
            trait_methods.push(trait_method(&class.name, own, &policy, release));
            let call = quote!(T::#name(unsafe { ::httpserv::runtime::Object::<T>::value_of(this) }, #args));
            match release {
                Some(policy::Release::AfterCall) => quote! {
                    ::httpserv::runtime::guard(|| #call, || ());
                    unsafe { ::httpserv::runtime::Object::<T>::release(this, true) }
                },
                None => {
                    let failure = on_panic_tokens(own, &policy);
                    quote!(::httpserv::runtime::guard(|| #call, || #failure))
                }
            }
        };
        thunks.push(quote! {
            ::httpserv::runtime::member_thunk! {
                fn #name<T: #trait_name>(this: #this_ty, #params) -> #ret { #thunk_body }
            }
        });
    }
    let trait_doc = doc_lines(&[
        format!(
            "Implement C++ `{}` in Rust: one method per slot it adds.",
            class.name
        ),
        String::new(),
        format!(
            "Build its vtable with [`{}_Vtbl::new`] and put values behind it with \
             [`Object`](::httpserv::runtime::Object).",
            class.name
        ),
    ]);
    let new_doc = doc_lines(&[format!(
        "A vtable whose slots call `T`'s [`{}_Impl`] methods (base slots through the base's \
         trait); `const`, so it can live in a `static`.",
        class.name
    )]);
    quote! {
        #trait_doc
        pub trait #trait_name #supertrait {
            #(#trait_methods)*
        }
        impl #vtbl {
            #new_doc
            pub const fn new<T: #trait_name>() -> Self {
                #(#thunks)*
                Self { #(#fields)* }
            }
        }
    }
}

fn trait_method(
    class: &str,
    own: &OwnSlot<'_>,
    policy: &MethodPolicy,
    release: Option<policy::Release>,
) -> TokenStream {
    let name = &own.name;
    let params = own.signature.param_list();
    let ret = own.signature.ret_clause();
    let mut lines = vec![format!(
        "Implements [`{class}::{}`] (slot {}).",
        own.slot.rust_name, own.slot.index
    )];
    let default = match release {
        Some(release) => {
            lines.push(String::new());
            lines.push(policy::release_doc(release).into());
            Some(quote!())
        }
        None => policy.default.map(|value| value_tokens(own, value)),
    };
    lines.push(String::new());
    lines.push(format!("On panic: {}.", policy.on_panic_doc));
    let docs = doc_lines(&lines);
    match default {
        Some(value) => quote! {
            #docs
            #[allow(unused_variables)]
            fn #name(&self, #params) #ret { #value }
        },
        None => quote! {
            #docs
            fn #name(&self, #params) #ret;
        },
    }
}

/// The thunk's value when the implementation panicked.
fn on_panic_tokens(own: &OwnSlot<'_>, policy: &MethodPolicy) -> TokenStream {
    match policy.on_panic {
        OnPanic::Return(value) => value_tokens(own, value),
        OnPanic::FailRequestThen(value) => {
            let context = rust_ident(
                policy
                    .context_parameter
                    .as_deref()
                    .expect("FailRequestThen names its context parameter"),
            );
            let value = value_tokens(own, value);
            quote!({ unsafe { ::httpserv::runtime::fail_request(#context) }; #value })
        }
    }
}

fn value_tokens(own: &OwnSlot<'_>, value: Value) -> TokenStream {
    match value {
        Value::Unit => quote!(()),
        Value::Enumerator(name) => {
            let name = rust_ident(name);
            quote!(#name)
        }
        Value::Hresult(name) => {
            let name = format_ident!("{name}");
            quote!(::httpserv::runtime::#name)
        }
        Value::False => quote!(0),
        Value::Null => match own.method.return_type.resolved() {
            TypeKind::Pointer {
                pointee_is_const: true,
                ..
            } => quote!(::core::ptr::null()),
            _ => quote!(::core::ptr::null_mut()),
        },
        Value::Abort => quote!(::httpserv::runtime::abort()),
    }
}
