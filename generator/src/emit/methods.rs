//! Calling what C++ implements: on each interface type, one `unsafe fn` per own slot, named
//! like its vtable field, that loads the vtable and makes one indirect call; `Deref` to the
//! base class (a zero-cost upcast, since the base vtable is the prefix); raw pointer in/out.
//! The wrapper carries the slot's full documentation; the vtable field and the `_Impl`
//! method link here.

use super::class::{ClassItems, OwnSlot};
use super::docs::{doc_lines, slot_doc};
use super::ident;
use crate::policy::Implementations;
use proc_macro2::TokenStream;
use quote::quote;

pub fn methods(implementations: &Implementations, items: &ClassItems<'_>) -> TokenStream {
    let name = ident(&items.names.object);
    let vtbl = ident(&items.names.vtable);
    let wrappers = items.own.iter().map(|own| {
        // A call that may end the object's life (the destructor, `Dispose`, `Terminate`,
        // `CleanupStoredContext`, the last `DereferenceCacheData`, the release of an object
        // handed out to be released such as `ReleaseClonedContext`) takes the object
        // pointer: a reference argument must stay valid for the whole call.
        let ends_life = implementations.method(own.method_id).ends_life.is_some();
        wrapper(items, own, ends_life)
    });
    let upcast = upcast(items);
    quote! {
        impl #name {
            /// Borrows the C++ object behind `raw`; `None` for null.
            ///
            /// # Safety
            /// A non-null `raw` must point at a live C++ object of this class (or a derived
            /// one) for the chosen lifetime.
            #[inline(always)]
            pub unsafe fn from_raw<'a>(raw: *mut Self) -> Option<&'a Self> {
                raw.as_ref()
            }

            /// Borrows the C++ object behind `raw` exclusively; `None` for null. The idiomatic
            /// methods that may invalidate data they handed out borrow `self` exclusively.
            ///
            /// # Safety
            /// As for [`Self::from_raw`], and no other reference to the object may be used
            /// for the chosen lifetime.
            #[inline(always)]
            pub unsafe fn from_raw_mut<'a>(raw: *mut Self) -> Option<&'a mut Self> {
                raw.as_mut()
            }

            /// The C++ object pointer, for passing back to C++.
            #[inline(always)]
            pub fn as_raw(&self) -> *mut Self {
                self as *const Self as *mut Self
            }

            /// An object around a vtable written by hand (a Rust object laid out as C++ would
            /// lay it out, without the `Foo_Impl` trait), to place first in a `#[repr(C)]`
            /// struct or a `static`.
            ///
            /// # Safety
            /// Every slot of `vtable` must implement its C++ method for a `this` pointing at
            /// the object this value is the start of, for as long as that object is used.
            #[inline(always)]
            pub const unsafe fn with_vtable(vtable: *const #vtbl) -> Self {
                Self { vtable, rest: ::core::cell::UnsafeCell::new(()) }
            }

            /// The vtable of the C++ object behind `this`, read without making a reference to
            /// the object (for code that calls a slot while IIS may be using the object).
            ///
            /// # Safety
            /// `this` must point at a live C++ object of this class (or a derived one).
            #[inline(always)]
            pub unsafe fn vtable_of(this: *const Self) -> *const #vtbl {
                (*this).vtable
            }

            #(#wrappers)*
        }
        #upcast
    }
}

/// The `unsafe fn` calling one own slot: on the object pointer when the call may end the
/// object's life, on `&self` otherwise.
fn wrapper(items: &ClassItems<'_>, own: &OwnSlot<'_>, ends_life: bool) -> TokenStream {
    let class = items.class;
    let field = &own.name;
    let params = own.signature.param_list();
    let args = own.signature.arg_names();
    let ret = own.signature.ret_clause();
    let mut lines = slot_doc(&class.name, own.method, own.slot);
    if let Some(convention) = own.signature.convention {
        lines.push(String::new());
        lines.push(format!(
            "Declared `{}`: `extern \"{}\"` on every target, not the member default.",
            convention.x86_keyword(),
            super::signature::abi(convention)
        ));
    }
    if ends_life {
        lines.extend([
            String::new(),
            "This call may end the object's life, so it takes the object pointer rather \
             than a reference (a reference argument would have to outlive the call)."
                .into(),
            String::new(),
            "# Safety".into(),
            String::new(),
            format!(
                "`this` must be a live C++ `{}` (or derived) object, not used again if the \
                 call released it.",
                class.name
            ),
        ]);
        let docs = doc_lines(&lines);
        return quote! {
            #docs
            #[inline(always)]
            pub unsafe fn #field(this: *mut Self, #params) #ret {
                ((*(*this).vtable).#field)(this, #args)
            }
        };
    }
    let this = if own.method.is_const {
        quote!(self as *const Self)
    } else {
        quote!(self.as_raw())
    };
    lines.extend([
        String::new(),
        "# Safety".into(),
        String::new(),
        format!(
            "`self` must be a live C++ `{}` (or derived) object, and every pointer argument \
             must satisfy the C++ method's contract.",
            class.name
        ),
    ]);
    let docs = doc_lines(&lines);
    quote! {
        #docs
        #[inline(always)]
        pub unsafe fn #field(&self, #params) #ret {
            ((*self.vtable).#field)(#this, #args)
        }
    }
}

/// `Deref` to the base class, for a class that has one.
fn upcast(items: &ClassItems<'_>) -> Option<TokenStream> {
    let name = ident(&items.names.object);
    items.base().map(|base| {
        let doc = doc_lines(&[format!(
            "Upcast: a `{}` is a `{}` (single inheritance, the base vtable is the prefix).",
            items.names.object, base.object
        )]);
        let base = ident(&base.object);
        quote! {
            #doc
            impl ::core::ops::Deref for #name {
                type Target = #base;
                #[inline(always)]
                fn deref(&self) -> &#base {
                    unsafe { &*(self as *const Self as *const #base) }
                }
            }
        }
    })
}
