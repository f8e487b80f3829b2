//! The result side of an idiomatic method: the Rust type of each output, and the value the
//! method returns after the raw call — outputs read from their locals, borrowed slices and
//! strings made from the pointers and lengths C++ wrote, interfaces made references, and an
//! `HRESULT` turned into `Result`.

use super::idiomatic::{class_ident, pointee, rust};
use crate::idiom::{Idiomatic, Out, Ret, Role};
use crate::ir::Method;
use crate::rust_types::TypeMapper;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The Rust value of an output after the call.
pub(super) fn output_value(
    types: &TypeMapper<'_>,
    form: &Idiomatic,
    out: &Out,
    local: &proc_macro2::Ident,
    returns_result: bool,
) -> TokenStream {
    let required = |option: TokenStream| -> TokenStream {
        quote!(#option.ok_or_else(|| ::httpserv_runtime::Error::from(::httpserv_runtime::E_POINTER))?)
    };
    match out {
        Out::Value(_) => quote!(#local),
        Out::Bool => quote!(#local != 0),
        Out::Interface {
            mutable, optional, ..
        }
        | Out::Ref {
            mutable, optional, ..
        } => {
            // SAFETY: C++ handed out this object (or struct), which lives as long as the
            // object it came from; the borrow of `self` keeps that alive.
            let option = if *mutable {
                quote!(unsafe { #local.as_mut() })
            } else {
                quote!(unsafe { #local.as_ref() })
            };
            if *optional || !returns_result {
                option
            } else {
                required(option)
            }
        }
        Out::Buffer { len, wide } => {
            let count = format_ident!("{}", form.args[*len].name);
            let element = if *wide { quote!(u16) } else { quote!(u8) };
            quote! {
                if #local.is_null() {
                    &[]
                } else {
                    // SAFETY: C++ handed out `count` elements at the pointer (SAL), which
                    // live as long as the borrow of `self`.
                    unsafe { ::core::slice::from_raw_parts(#local.cast::<#element>(), #count as usize) }
                }
            }
        }
        Out::BufferMut { len } => {
            let count = format_ident!("{}", form.args[*len].name);
            quote! {
                if #local.is_null() {
                    &mut []
                } else {
                    // SAFETY: C++ handed out a buffer of `count` writable bytes to fill
                    // (SAL), which lives as long as the exclusive borrow of `self`. It holds
                    // nothing yet (`_to_(count, 0)`), so it is zeroed before safe code can
                    // read it.
                    unsafe {
                        ::core::ptr::write_bytes(#local.cast::<u8>(), 0, #count as usize);
                        ::core::slice::from_raw_parts_mut(#local.cast::<u8>(), #count as usize)
                    }
                }
            }
        }
        Out::Str { wide } => string(local, *wide),
        Out::Child { class, release, .. } => {
            let release = format_ident!("{release}");
            let class = class_ident(types, class);
            let object = required(quote!(::core::ptr::NonNull::new(#local)));
            quote! {
                {
                    let object = #object;
                    // SAFETY: C++ handed out this object for the caller to release with
                    // `release` (which takes the object pointer); it lives as long as `self`,
                    // which the guard borrows exclusively until it releases the object.
                    unsafe { ::httpserv_runtime::Child::new(self, object, #class::#release) }
                }
            }
        }
    }
}

/// `Option<&CStr>` / `Option<&U16CStr>` from a C++ string pointer.
pub(super) fn string(pointer: &proc_macro2::Ident, wide: bool) -> TokenStream {
    if wide {
        quote! {
            // SAFETY: C++ strings (PCWSTR) are NUL-terminated and live as long as the borrow
            // of `self`.
            (!#pointer.is_null()).then(|| unsafe { ::httpserv_runtime::U16CStr::from_ptr_str(#pointer.cast::<u16>()) })
        }
    } else {
        quote! {
            // SAFETY: C++ strings (PCSTR) are NUL-terminated and live as long as the borrow of
            // `self`.
            (!#pointer.is_null()).then(|| unsafe { ::core::ffi::CStr::from_ptr(#pointer.cast()) })
        }
    }
}

/// The Rust result type and the tail of the body.
pub(super) fn result(
    types: &TypeMapper<'_>,
    cpp: &Method,
    form: &Idiomatic,
    outputs: &[TokenStream],
    exclusive_object: bool,
    full: bool,
) -> (TokenStream, TokenStream) {
    let output_types = output_types(types, cpp, form, full);
    match &form.ret {
        Ret::Result => {
            let ty = tuple(&output_types);
            let value = tuple(outputs);
            (
                quote!(-> ::httpserv_runtime::Result<#ty>),
                quote! {
                    returned.ok()?;
                    Ok(#value)
                },
            )
        }
        Ret::Unit if outputs.is_empty() => (quote!(), quote!(let () = returned;)),
        ret => {
            let (ty, value) = returned_value(types, form, ret, exclusive_object);
            let mut types_out: Vec<TokenStream> = ty.into_iter().collect();
            types_out.extend(output_types);
            let discard = (*ret == Ret::Unit).then(|| quote!(let () = returned;));
            let mut values: Vec<TokenStream> = value.into_iter().collect();
            values.extend(outputs.iter().cloned());
            if types_out.is_empty() {
                (quote!(), quote!(let () = returned;))
            } else {
                let ty = tuple(&types_out);
                let value = tuple(&values);
                (quote!(-> #ty), quote!(#discard #value))
            }
        }
    }
}

/// The Rust types of the outputs the form returns (the short form leaves out defaulted ones).
fn output_types(
    types: &TypeMapper<'_>,
    cpp: &Method,
    form: &Idiomatic,
    full: bool,
) -> Vec<TokenStream> {
    form.args
        .iter()
        .zip(&cpp.params)
        .filter(|(a, _)| full || a.default.is_none())
        .filter_map(|(a, p)| match &a.role {
            Role::Out(out) => Some(output_type(types, out, p)),
            Role::InOutLength { .. } => Some(pointee(types, &p.ty)),
            _ => None,
        })
        .collect()
}

/// `()`, the one item, or a tuple of them.
fn tuple(items: &[TokenStream]) -> TokenStream {
    match items {
        [] => quote!(()),
        [one] => one.clone(),
        many => quote!((#(#many),*)),
    }
}

/// The Rust type and value of what the raw call returned (`returned`), when it is neither an
/// `HRESULT` nor nothing: `(None, None)` for a `void` method whose outputs are the result.
fn returned_value(
    types: &TypeMapper<'_>,
    form: &Idiomatic,
    ret: &Ret,
    exclusive_object: bool,
) -> (Option<TokenStream>, Option<TokenStream>) {
    let returned = quote!(returned);
    match ret {
        Ret::Unit => (None, None),
        Ret::Bool => (Some(quote!(bool)), Some(quote!(#returned != 0))),
        Ret::Value(t) | Ret::Pointer(t) => (Some(rust(types, t)), Some(returned)),
        Ret::Str { wide } => {
            let ty = if *wide {
                quote!(Option<&::httpserv_runtime::U16CStr>)
            } else {
                quote!(Option<&::core::ffi::CStr>)
            };
            (Some(ty), Some(string(&format_ident!("returned"), *wide)))
        }
        Ret::Buffer { len, wide } => {
            let count = format_ident!("{}", form.args[*len].name);
            let element = if *wide { quote!(u16) } else { quote!(u8) };
            (
                Some(quote!(Option<&[#element]>)),
                Some(quote! {
                    // SAFETY: C++ returned `count` elements at the pointer (SAL),
                    // which live as long as the borrow of `self`.
                    (!returned.is_null()).then(|| unsafe { ::core::slice::from_raw_parts(returned.cast::<#element>(), #count as usize) })
                }),
            )
        }
        Ret::Interface { class, mutable } => {
            let class = class_ident(types, class);
            returned_reference(quote!(#class), *mutable || exclusive_object)
        }
        Ret::Ref { ty, mutable } => returned_reference(rust(types, ty), *mutable),
        Ret::Result => unreachable!("an HRESULT becomes the Result, not a value"),
    }
}

/// `Option<&T>` or `Option<&mut T>` from the returned pointer to an object or struct C++
/// hands out.
fn returned_reference(
    target: TokenStream,
    mutable: bool,
) -> (Option<TokenStream>, Option<TokenStream>) {
    if mutable {
        (
            Some(quote!(Option<&mut #target>)),
            // SAFETY: what C++ hands out lives as long as the object it came from; the
            // exclusive borrow of `self` keeps it unique.
            Some(quote!(unsafe { returned.as_mut() })),
        )
    } else {
        (
            Some(quote!(Option<&#target>)),
            // SAFETY: what C++ hands out lives as long as the object it came from, which
            // the borrow of `self` keeps alive.
            Some(quote!(unsafe { returned.as_ref() })),
        )
    }
}

pub(super) fn output_type(
    types: &TypeMapper<'_>,
    out: &Out,
    param: &crate::ir::Param,
) -> TokenStream {
    let optional_ref = |inner: TokenStream, optional: bool| {
        if optional {
            quote!(Option<#inner>)
        } else {
            inner
        }
    };
    let _ = param;
    match out {
        Out::Value(t) => rust(types, t),
        Out::Bool => quote!(bool),
        Out::Interface {
            class,
            mutable,
            optional,
        } => {
            let class = class_ident(types, class);
            let inner = if *mutable {
                quote!(&mut #class)
            } else {
                quote!(&#class)
            };
            optional_ref(inner, *optional)
        }
        Out::Ref {
            ty,
            mutable,
            optional,
        } => {
            let t = rust(types, ty);
            let inner = if *mutable {
                quote!(&mut #t)
            } else {
                quote!(&#t)
            };
            optional_ref(inner, *optional)
        }
        Out::Buffer { wide, .. } => {
            if *wide {
                quote!(&[u16])
            } else {
                quote!(&[u8])
            }
        }
        Out::BufferMut { .. } => quote!(&mut [u8]),
        Out::Child { class, parent, .. } => {
            let (class, parent) = (class_ident(types, class), class_ident(types, parent));
            quote!(::httpserv_runtime::Child<'_, #parent, #class>)
        }
        Out::Str { wide } => {
            if *wide {
                quote!(Option<&::httpserv_runtime::U16CStr>)
            } else {
                quote!(Option<&::core::ffi::CStr>)
            }
        }
    }
}
