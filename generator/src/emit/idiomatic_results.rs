//! The result side of an idiomatic method: the value the method returns after the raw call
//! (its type is the model's signature, `idiom::signature`) — outputs read from their locals,
//! borrowed slices and strings made from the pointers and lengths C++ wrote, interfaces made
//! references, and an `HRESULT` turned into `Result`.

use super::idiomatic::class_ident;
use crate::idiom::{Idiomatic, Out, Ret};
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

/// The tail of the body: the value the method returns (its type is the signature's).
/// `exclusive_object` for the `_mut` form, whose object comes back exclusive.
pub(super) fn result(
    form: &Idiomatic,
    outputs: &[TokenStream],
    exclusive_object: bool,
) -> TokenStream {
    match &form.ret {
        Ret::Result => {
            let value = tuple(outputs);
            quote! {
                returned.ok()?;
                Ok(#value)
            }
        }
        Ret::Unit if outputs.is_empty() => quote!(let () = returned;),
        ret => {
            let discard = (*ret == Ret::Unit).then(|| quote!(let () = returned;));
            let mut values: Vec<TokenStream> = returned_value(form, ret, exclusive_object)
                .into_iter()
                .collect();
            values.extend(outputs.iter().cloned());
            let value = tuple(&values);
            quote!(#discard #value)
        }
    }
}

/// `()`, the one item, or a tuple of them.
fn tuple(items: &[TokenStream]) -> TokenStream {
    match items {
        [] => quote!(()),
        [one] => one.clone(),
        many => quote!((#(#many),*)),
    }
}

/// The Rust value of what the raw call returned (`returned`), when it is neither an
/// `HRESULT` nor nothing: `None` for a `void` method whose outputs are the result.
fn returned_value(form: &Idiomatic, ret: &Ret, exclusive_object: bool) -> Option<TokenStream> {
    match ret {
        Ret::Unit => None,
        Ret::Bool => Some(quote!(returned != 0)),
        Ret::Value(_) | Ret::Pointer(_) => Some(quote!(returned)),
        Ret::Str { wide } => Some(string(&format_ident!("returned"), *wide)),
        Ret::Buffer { len, wide } => {
            let count = format_ident!("{}", form.args[*len].name);
            let element = if *wide { quote!(u16) } else { quote!(u8) };
            Some(quote! {
                // SAFETY: C++ returned `count` elements at the pointer (SAL),
                // which live as long as the borrow of `self`.
                (!returned.is_null()).then(|| unsafe { ::core::slice::from_raw_parts(returned.cast::<#element>(), #count as usize) })
            })
        }
        Ret::Interface { mutable, .. } => Some(returned_reference(*mutable || exclusive_object)),
        Ret::Ref { mutable, .. } => Some(returned_reference(*mutable)),
        Ret::Result => unreachable!("an HRESULT becomes the Result, not a value"),
    }
}

/// `Option<&T>` or `Option<&mut T>` from the returned pointer to an object or struct C++
/// hands out.
fn returned_reference(mutable: bool) -> TokenStream {
    if mutable {
        // SAFETY: what C++ hands out lives as long as the object it came from; the
        // exclusive borrow of `self` keeps it unique.
        quote!(unsafe { returned.as_mut() })
    } else {
        // SAFETY: what C++ hands out lives as long as the object it came from, which
        // the borrow of `self` keeps alive.
        quote!(unsafe { returned.as_ref() })
    }
}
