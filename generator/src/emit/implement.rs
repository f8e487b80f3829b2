//! Implementing a class in Rust: a `Foo_Impl` trait with one method per own slot (base slots
//! come from the base's trait, a supertrait) and `Foo_Vtbl::new::<T>()`, a `const fn` that
//! builds a `'static` vtable of thunks which find `T` in its [`Object`] and call it.
//!
//! Three kinds of slot are special. The scalar deleting destructor has no trait method: it
//! drops the value and frees a boxed object when the flags ask. `Dispose` and `Terminate`
//! (void, no parameters: IIS's "you may release yourself") call the trait method, default
//! empty, then release the object the same way. Non-pure virtuals returning a notification
//! status default to continuing, as the C++ base classes do.
//!
//! Panics never unwind into C++ (see `guard`): the failure value is E_FAIL for HRESULT,
//! RQ_NOTIFICATION_FINISH_REQUEST (after setting a 500 status through the request's
//! IHttpContext when the notification has one), GL_NOTIFICATION_CONTINUE, FALSE, a null
//! pointer, nothing for void, and an abort where no value is safe.

use super::docs::{doc_lines, slot_doc};
use super::names::rust_ident;
use super::signature::{slot_signature, SlotSignature};
use super::types::TypeMapper;
use crate::ir::{Api, Class, Method, Type, TypeKind};
use crate::layout::{slot_method, ClassLayout};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub fn implement(
    types: &TypeMapper<'_>,
    class: &Class,
    layout: &ClassLayout,
    names: &[String],
) -> Result<TokenStream, String> {
    let api = types.api;
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
    for slot in layout.own_slots() {
        let method = slot_method(api, slot);
        let signature = slot_signature(types, &class.name, method)?;
        let name = rust_ident(&names[slot.index]);
        fields.push(quote!(#name: #name::<T>,));
        let this_ty = &signature.this;
        let params = signature.param_list();
        let args = signature.arg_names();
        let ret = &signature.ret;
        let thunk_body = if method.is_destructor {
            quote! {
                guard(|| unsafe { Object::<T>::release(this, flags & 1 != 0) }, abort);
                this as *mut ::core::ffi::c_void
            }
        } else {
            trait_methods.push(trait_method(api, class, method, slot, &signature, &name));
            let call = quote!(T::#name(unsafe { Object::<T>::value_of(this) }, #args));
            let failure = failure_value(api, method);
            if is_release(method) {
                quote! {
                    guard(|| #call, || ());
                    unsafe { Object::<T>::release(this as *mut #this_ty, true) }
                }
            } else {
                quote!(guard(|| #call, || #failure))
            }
        };
        thunks.push(quote! {
            member_thunk! {
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
            "Build its vtable with [`{}_Vtbl::new`] and put values behind it with [`Object`].",
            class.name
        ),
    ]);
    let new_doc = doc_lines(&[format!(
        "A vtable whose slots call `T`'s [`{}_Impl`] methods (base slots through the base's \
         trait); `const`, so it can live in a `static`.",
        class.name
    )]);
    Ok(quote! {
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
    })
}

fn trait_method(
    api: &Api,
    class: &Class,
    method: &Method,
    slot: &crate::layout::Slot,
    signature: &SlotSignature,
    name: &proc_macro2::Ident,
) -> TokenStream {
    let params = signature.param_list();
    let ret = signature.ret_clause();
    let mut lines = slot_doc(&class.name, method, slot);
    let default = if is_release(method) {
        lines.push(String::new());
        lines.push(
            "After this returns the object is released: dropped, and freed if boxed. \
             The default does nothing else."
                .into(),
        );
        Some(quote!())
    } else if method.is_pure {
        None
    } else {
        default_value(api, &method.return_type)
    };
    lines.push(String::new());
    lines.push(format!("On panic: {}.", failure_description(api, method)));
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

/// `Dispose()` and `Terminate()`: IIS is done with the object.
fn is_release(method: &Method) -> bool {
    matches!(method.name.as_str(), "Dispose" | "Terminate")
        && method.params.is_empty()
        && matches!(method.return_type.kind, TypeKind::Void)
}

/// The typedef and enum names a type goes through, outermost first.
fn type_names(ty: &Type) -> Vec<&str> {
    match &ty.kind {
        TypeKind::Typedef { name, target } => {
            let mut names = vec![name.as_str()];
            names.extend(type_names(target));
            names
        }
        TypeKind::Enum { name } => vec![name.as_str()],
        _ => Vec::new(),
    }
}

fn has_enumerator(api: &Api, name: &str) -> bool {
    api.enums
        .iter()
        .any(|e| e.variants.iter().any(|v| v.name == name))
}

/// What a non-pure virtual returns by default: continue processing.
fn default_value(api: &Api, ty: &Type) -> Option<TokenStream> {
    if matches!(ty.kind, TypeKind::Void) {
        return Some(quote!());
    }
    let names = type_names(ty);
    for (status, value) in [
        ("REQUEST_NOTIFICATION_STATUS", "RQ_NOTIFICATION_CONTINUE"),
        ("GLOBAL_NOTIFICATION_STATUS", "GL_NOTIFICATION_CONTINUE"),
    ] {
        if names.contains(&status) && has_enumerator(api, value) {
            let value = rust_ident(value);
            return Some(quote!(#value));
        }
    }
    None
}

/// True when the bindings carry `fail_request` (see `runtime::fail_request`): the API has
/// `IHttpContext::GetResponse` and `IHttpResponse::SetStatus` as IIS declares them.
pub fn can_fail_requests(api: &Api) -> bool {
    let has = |class: &str, method: &str, params: usize| {
        api.class(class).is_some_and(|c| {
            c.methods
                .iter()
                .any(|m| m.name == method && m.params.len() == params)
        })
    };
    has("IHttpContext", "GetResponse", 0) && has("IHttpResponse", "SetStatus", 6)
}

/// The `IHttpContext*` parameter a request notification receives first, if any.
fn context_parameter(method: &Method) -> Option<proc_macro2::Ident> {
    let first = method.params.first()?;
    match &first.ty.kind {
        TypeKind::Pointer { pointee, .. } if matches!(&pointee.kind, TypeKind::Record { name } if name == "IHttpContext") => {
            Some(rust_ident(&first.name))
        }
        _ => None,
    }
}

/// The value a thunk returns when the implementation panics.
fn failure_value(api: &Api, method: &Method) -> TokenStream {
    let ty = &method.return_type;
    let names = type_names(ty);
    if matches!(ty.kind, TypeKind::Void) {
        return quote!(());
    }
    if names.contains(&"HRESULT") {
        return quote!(-2147467259i32);
    }
    for (status, value) in [
        (
            "REQUEST_NOTIFICATION_STATUS",
            "RQ_NOTIFICATION_FINISH_REQUEST",
        ),
        ("GLOBAL_NOTIFICATION_STATUS", "GL_NOTIFICATION_CONTINUE"),
    ] {
        if names.contains(&status) && has_enumerator(api, value) {
            let value = rust_ident(value);
            if status == "REQUEST_NOTIFICATION_STATUS" && can_fail_requests(api) {
                if let Some(context) = context_parameter(method) {
                    return quote!({ unsafe { fail_request(#context) }; #value });
                }
            }
            return quote!(#value);
        }
    }
    if names.contains(&"BOOL") {
        return quote!(0);
    }
    match resolved(ty) {
        TypeKind::Pointer {
            pointee_is_const, ..
        } if !is_function_pointer(ty) => {
            if *pointee_is_const {
                quote!(::core::ptr::null())
            } else {
                quote!(::core::ptr::null_mut())
            }
        }
        _ => quote!(abort()),
    }
}

fn failure_description(api: &Api, method: &Method) -> String {
    let value = failure_value(api, method).to_string();
    if value.contains("fail_request") {
        return "sets a 500 response status, then returns RQ_NOTIFICATION_FINISH_REQUEST".into();
    }
    match value.as_str() {
        "()" => "the panic is swallowed (void)".into(),
        "- 2147467259i32" | "-2147467259i32" => "returns E_FAIL".into(),
        "abort ()" | "abort()" => "aborts the process (no safe failure value)".into(),
        v if v.contains("null") => "returns a null pointer".into(),
        "0" => "returns FALSE".into(),
        other => format!("returns {other}"),
    }
}

fn resolved(ty: &Type) -> &TypeKind {
    match &ty.kind {
        TypeKind::Typedef { target, .. } => resolved(target),
        other => other,
    }
}

fn is_function_pointer(ty: &Type) -> bool {
    match resolved(ty) {
        TypeKind::Pointer { pointee, .. } => matches!(resolved(pointee), TypeKind::Function(_)),
        _ => false,
    }
}
