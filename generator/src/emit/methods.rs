//! Calling what C++ implements: on each interface type, one `unsafe fn` per own slot, named
//! like its vtable field, that loads the vtable and makes one indirect call; `Deref` to the
//! base class (a zero-cost upcast, since the base vtable is the prefix); raw pointer in/out.
//! The wrapper carries the slot's full documentation; the vtable field and the `_Impl`
//! method link here.

use super::class::ClassItems;
use super::docs::{doc_lines, slot_doc};
use super::rust_ident;
use proc_macro2::TokenStream;
use quote::quote;

pub fn methods(items: &ClassItems<'_>) -> TokenStream {
    let class = items.class;
    let name = rust_ident(&class.name);
    let wrappers = items.own.iter().map(|own| {
        let field = &own.name;
        let params = own.signature.param_list();
        let args = own.signature.arg_names();
        let ret = own.signature.ret_clause();
        let this = if own.method.is_const {
            quote!(self as *const Self)
        } else {
            quote!(self.as_raw())
        };
        let mut lines = slot_doc(&class.name, own.method, own.slot);
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
    });
    let upcast = class.base.as_ref().map(|base| {
        let base = rust_ident(base);
        let doc = doc_lines(&[format!(
            "Upcast: a `{}` is a `{base}` (single inheritance, the base vtable is the prefix).",
            class.name
        )]);
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
    });
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

            /// The C++ object pointer, for passing back to C++.
            #[inline(always)]
            pub fn as_raw(&self) -> *mut Self {
                self as *const Self as *mut Self
            }

            #(#wrappers)*
        }
        #upcast
    }
}
