//! Implementing a class in Rust: a `Foo_Impl` trait with one method per own slot (base slots
//! come from the base's trait, a supertrait; threading bounds from the policy table),
//! `Foo_Vtbl::new::<T>()`, a `const fn` that builds a `'static` vtable of thunks which find
//! `T` in its `runtime::Object` and call it, and typed constructors (`Foo::new_boxed(value)`)
//! that pick that vtable from the value's type. A method with a pointer parameter is an
//! `unsafe fn` (the rule and its `# Safety` text are `impl_safety.rs`), which only its thunk
//! calls on IIS's behalf.
//!
//! What each thunk does beyond the call is IIS policy, worked out once after layout
//! (`policy::Implementations`, kept in the model beside the idiomatic forms) and printed here:
//! the value returned when the implementation panics, the default of a non-pure virtual, and
//! the slots that release or count the object. The scalar deleting destructor has no trait
//! method: it drops the value and frees a boxed object when the flags ask.
//!
//! The trait is `unsafe` when an idiomatic form of the class trusts what the implementation
//! returns (`Idiomatic::trusts_the_implementation`, listed per class by `Idioms`).

use super::class::{ClassItems, OwnSlot};
use super::docs::doc_lines;
use super::ident;
use super::impl_safety;
use super::signature::abi;
use crate::idiom::Idioms;
use crate::ir::{Api, TypeKind};
use crate::layout::names::Names;
use crate::policy::{
    DefaultBody, ImplementedClass, ImplementedMethod, Lifetime, OnPanic, Threading, Value,
};
use proc_macro2::TokenStream;
use quote::quote;

pub fn implement(api: &Api, idioms: &Idioms, items: &ClassItems<'_>) -> TokenStream {
    let names = items.model.names();
    let implementations = idioms.implementations();
    let class = implementations.class(items.id);
    let trusted = idioms.trusted_methods(items.id);
    let unsafety = (!trusted.is_empty()).then(|| quote!(unsafe));
    let trait_name = ident(&items.names.implement);
    let vtbl = ident(&items.names.vtable);
    let supertraits = supertraits(items, class);
    // The scalar deleting destructor has no trait method: its thunk releases the object.
    let trait_methods: Vec<TokenStream> = items
        .own
        .iter()
        .filter(|own| !own.method.is_destructor)
        .map(|own| {
            let method = implementations.method(own.method_id);
            trait_method(api, names, &items.names.object, own, method)
        })
        .collect();
    let thunks: Vec<TokenStream> = items
        .own
        .iter()
        .map(|own| {
            let method = implementations.method(own.method_id);
            thunk(&trait_name, own, thunk_body(items, own, method))
        })
        .collect();
    let fields = vtable_fields(items);
    let trait_doc = doc_lines(&trait_doc_lines(items, class, trusted));
    let new_doc = doc_lines(&[format!(
        "A vtable whose slots call `T`'s [`{}`] methods (base slots through the base's \
         trait); `const`, so it can live in a `static`.",
        items.names.implement
    )]);
    let constructors = constructors(items);
    let thread_markers = thread_markers(items, class);
    quote! {
        #trait_doc
        pub #unsafety trait #trait_name #supertraits {
            #(#trait_methods)*
        }
        impl #vtbl {
            #new_doc
            pub const fn new<T: #trait_name>() -> Self {
                #(#thunks)*
                Self { #(#fields)* }
            }
        }
        #constructors
        #thread_markers
    }
}

/// What the class's threading rule (its own or a base's) makes of an [`Owned`] object of
/// it: every implementation of its `_Impl` trait is `Send` (and `Sync`) because the trait
/// requires it, so the runtime lets an `Owned` of it move to (and be shared with) another
/// thread. A class without a rule gets neither: its implementation may hold an `Rc`.
///
/// [`Owned`]: https://docs.rs/httpserv-runtime/latest/httpserv_runtime/struct.Owned.html
fn thread_markers(items: &ClassItems<'_>, class: &ImplementedClass) -> TokenStream {
    let name = ident(&items.names.object);
    let send = quote! {
        // SAFETY: the class's `_Impl` trait (or a base's) requires `Send`.
        unsafe impl ::httpserv_runtime::ImplementationsAreSend for #name {}
    };
    match class.threading {
        Some((Threading::OneAtATime, _)) => send,
        Some((Threading::Concurrent, _)) => quote! {
            #send
            // SAFETY: the class's `_Impl` trait (or a base's) requires `Sync`.
            unsafe impl ::httpserv_runtime::ImplementationsAreSync for #name {}
        },
        None => TokenStream::new(),
    }
}

/// `: Base_Impl + Send (+ Sync)`: the base's trait, and the bounds the threading policy sets.
fn supertraits(items: &ClassItems<'_>, class: &ImplementedClass) -> Option<TokenStream> {
    let mut supertraits: Vec<TokenStream> = Vec::new();
    if let Some(base) = items.base() {
        let base = ident(&base.implement);
        supertraits.push(quote!(#base));
    }
    match class.own_threading {
        Some(Threading::OneAtATime) => supertraits.push(quote!(Send)),
        Some(Threading::Concurrent) => supertraits.extend([quote!(Send), quote!(Sync)]),
        None => {}
    }
    (!supertraits.is_empty()).then(|| quote!(: #(#supertraits)+*))
}

/// The vtable's field initialisers: the base's vtable for `T`, then one thunk per own slot.
fn vtable_fields(items: &ClassItems<'_>) -> Vec<TokenStream> {
    let mut fields = Vec::new();
    if let Some(base) = items.base() {
        let base_vtbl = ident(&base.vtable);
        fields.push(quote!(base__: #base_vtbl::new::<T>(),));
    }
    for own in &items.own {
        let name = &own.name;
        fields.push(quote!(#name: #name::<T>,));
    }
    fields
}

/// The thunk of one slot, around `body`: a member-convention thunk, or one with the slot's
/// own convention.
fn thunk(trait_name: &proc_macro2::Ident, own: &OwnSlot<'_>, body: TokenStream) -> TokenStream {
    let name = &own.name;
    let this_ty = &own.signature.this;
    let params = own.signature.param_list();
    let ret = &own.signature.ret;
    match own.signature.convention {
        None => quote! {
            ::httpserv_runtime::member_thunk! {
                fn #name<T: #trait_name>(this: #this_ty, #params) -> #ret { #body }
            }
        },
        // A method with its own convention has it on every target.
        Some(convention) => {
            let abi = abi(convention);
            quote! {
                unsafe extern #abi fn #name<T: #trait_name>(this: #this_ty, #params) -> #ret {
                    #body
                }
            }
        }
    }
}

/// What a thunk does: release the object (the destructor), or call `T`'s method under a
/// panic guard, then apply the slot's lifetime effect or, on panic, the policy's value.
fn thunk_body(
    items: &ClassItems<'_>,
    own: &OwnSlot<'_>,
    method: &ImplementedMethod,
) -> TokenStream {
    if own.method.is_destructor {
        return quote! {
            ::httpserv_runtime::guard(
                || unsafe { ::httpserv_runtime::Object::<T>::release(this, flags & 1 != 0) },
                ::httpserv_runtime::abort,
            );
            this as *mut ::core::ffi::c_void
        };
    }
    let name = &own.name;
    let args = own.signature.arg_names();
    let call = if impl_safety::is_unsafe(own) {
        // SAFETY (in the emitted thunk): IIS calls the slot with pointers that keep the C++
        // contract, which is what the `unsafe fn`'s `# Safety` section asks of its caller;
        // `this` is the object IIS called, made by this vtable's constructors for `T`.
        quote!(unsafe { T::#name(::httpserv_runtime::Object::<T>::value_of(this), #args) })
    } else {
        quote!(T::#name(unsafe { ::httpserv_runtime::Object::<T>::value_of(this) }, #args))
    };
    let after = match method.lifetime.map(|(lifetime, _)| lifetime) {
        Some(Lifetime::Release) => {
            Some(quote!(::httpserv_runtime::Object::<T>::release(this, true)))
        }
        Some(Lifetime::AddReference) => {
            Some(quote!(::httpserv_runtime::Object::<T>::add_reference(this)))
        }
        Some(Lifetime::DropReference) => Some(quote!(
            ::httpserv_runtime::Object::<T>::drop_reference(this)
        )),
        None => None,
    };
    match after {
        Some(after) => quote! {
            ::httpserv_runtime::guard(|| #call, |_| ());
            unsafe { #after }
        },
        None => {
            let failure = on_panic_tokens(items.model.names(), own, method);
            quote!(::httpserv_runtime::guard(|| #call, #failure))
        }
    }
}

/// The trait's docs: what it is for, the threading rule, how IIS ends an object's life, and
/// for an `unsafe` trait what an implementation must keep.
fn trait_doc_lines(
    items: &ClassItems<'_>,
    facts: &ImplementedClass,
    trusted: &[String],
) -> Vec<String> {
    let class = &items.class.name;
    let object = &items.names.object;
    let mut lines = vec![
        format!("Implement C++ `{class}` in Rust: one method per slot it adds."),
        String::new(),
        format!(
            "Make the C++ object with [`{object}::new_boxed`] (or [`{object}::new_in_place`]); \
             its vtable comes from the value's type."
        ),
    ];
    if let Some((threading, why)) = facts.threading {
        let bound = match threading {
            Threading::OneAtATime => "`Send`, not `Sync`",
            Threading::Concurrent => "`Send + Sync`",
        };
        lines.push(String::new());
        lines.push(format!("Threads: {why}, so implementations are {bound}."));
    }
    let mut released_by: Vec<String> = (facts.releasing_methods.iter())
        .map(|m| format!("`{m}`"))
        .collect();
    if facts.has_destructor {
        released_by.push("its destructor".into());
    }
    if !released_by.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Lifetime: IIS ends an object's life through {}; the Rust value is then dropped \
             (and freed when boxed): put cleanup in `Drop`.",
            released_by.join(" or ")
        ));
    }
    let pointer_methods: Vec<String> = items
        .own
        .iter()
        .filter(|own| impl_safety::is_unsafe(own))
        .map(|own| format!("`{}`", own.name))
        .collect();
    if !pointer_methods.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Methods with raw-pointer parameters ({}) are `unsafe fn`: IIS vouches for \
             the pointers, the vtable's thunks call them for IIS, and safe code cannot call \
             them with made-up ones. Implement them as `unsafe fn`; each one's `# Safety` \
             says what its caller keeps.",
            pointer_methods.join(", ")
        ));
    }
    if !trusted.is_empty() {
        let methods: Vec<String> = trusted.iter().map(|m| format!("`{m}`")).collect();
        lines.push(String::new());
        lines.push("# Safety".into());
        lines.push(String::new());
        lines.push(format!(
            "The safe methods of [`{}`] turn what {} return(s) into references, slices or \
             strings: an implementation must keep the C++ contract (the header's SAL \
             annotations) — every pointer it returns or writes is null or valid for as long \
             as the object that handed it out, and every length it reports is the length of \
             that memory.",
            items.names.object,
            methods.join(", ")
        ));
    }
    lines
}

/// `Foo::new_boxed`, `Foo::new_in_place` and `Foo::downcast`: the vtable is chosen by `T`,
/// so a value, its vtable and the interface pointer cannot disagree.
fn constructors(items: &ClassItems<'_>) -> TokenStream {
    let class = &items.class.name;
    let object = &items.names.object;
    let implement = &items.names.implement;
    let name = ident(object);
    let vtbl = ident(&items.names.vtable);
    let trait_name = ident(implement);
    let boxed_doc = doc_lines(&[format!(
        "Moves `value` to the heap behind a vtable of `T`'s [`{implement}`] methods and \
             returns the C++ `{class}*` to hand to IIS, which releases it."
    )]);
    let in_place_doc = doc_lines(&[
        format!(
            "Writes `value` behind a vtable of `T`'s [`{implement}`] methods into `memory` \
             (from `IModuleAllocator::AllocateMemory`, freed by IIS) and returns the C++ \
             `{class}*`; releasing it drops `value` but never frees `memory`."
        ),
        String::new(),
        "# Safety".into(),
        "`memory` must be valid for writes of `size_of::<runtime::Object<T>>()` bytes, \
         aligned for it, and outlive the object."
            .into(),
    ]);
    let downcast_doc = doc_lines(&[
        "The Rust value behind this object, if it is a `T`.".into(),
        String::new(),
        "# Safety".into(),
        format!(
            "`self` must have been made by this module's [`{object}::new_boxed`] or \
             [`{object}::new_in_place`] (with any value type), not by IIS or another module."
        ),
    ]);
    let new_doc = doc_lines(&[format!(
        "Moves `value` to the heap behind a vtable of `T`'s [`{implement}`] methods, owned by \
         Rust until it is handed to IIS (by value, to a method that takes it)."
    )]);
    quote! {
        impl #name {
            #new_doc
            pub fn new<T: #trait_name + 'static>(value: T) -> ::httpserv_runtime::Owned<#name> {
                // SAFETY: a boxed object of T, released as one.
                unsafe {
                    ::httpserv_runtime::Owned::from_parts(
                        Self::new_boxed(value),
                        ::httpserv_runtime::release_boxed::<T, #name>,
                    )
                }
            }
            #boxed_doc
            pub fn new_boxed<T: #trait_name + 'static>(value: T) -> *mut #name {
                // SAFETY: the vtable is built for T, and the object is returned as the class
                // of that vtable.
                unsafe {
                    ::httpserv_runtime::Object::boxed(&const { #vtbl::new::<T>() }, value).cast()
                }
            }
            #in_place_doc
            pub unsafe fn new_in_place<T: #trait_name + 'static>(
                memory: *mut ::core::ffi::c_void,
                value: T,
            ) -> *mut #name {
                // SAFETY: as for new_boxed; the caller vouches for `memory`.
                unsafe {
                    ::httpserv_runtime::Object::in_place(memory, &const { #vtbl::new::<T>() }, value)
                        .cast()
                }
            }
            #downcast_doc
            pub unsafe fn downcast<T: #trait_name + 'static>(&self) -> Option<&T> {
                // SAFETY: the caller guarantees `self` is one of this module's objects.
                unsafe { ::httpserv_runtime::downcast::<T, Self>(self) }
            }
        }
    }
}

fn trait_method(
    api: &Api,
    names: &Names,
    class: &str,
    own: &OwnSlot<'_>,
    method: &ImplementedMethod,
) -> TokenStream {
    let name = &own.name;
    let params = own.signature.param_list();
    let ret = own.signature.ret_clause();
    let mut lines = vec![format!(
        "Implements [`{class}::{}`] (slot {}).",
        own.slot.rust_name, own.slot.index
    )];
    if let Some((_, doc)) = method.lifetime {
        lines.push(String::new());
        lines.push(doc.into());
    }
    let default = match method.default {
        DefaultBody::Required => None,
        DefaultBody::Empty => Some(quote!()),
        DefaultBody::Returns(value) => Some(value_tokens(names, own, value)),
    };
    lines.push(String::new());
    lines.push(format!("On panic: {}.", method.policy.on_panic_doc));
    let unsafety = impl_safety::is_unsafe(own).then(|| {
        lines.push(String::new());
        lines.extend(impl_safety::safety_lines(
            api,
            names,
            own,
            &method.buffer_units,
        ));
        quote!(unsafe)
    });
    let docs = doc_lines(&lines);
    match default {
        Some(value) => quote! {
            #docs
            #[allow(unused_variables)]
            #unsafety fn #name(&self, #params) #ret { #value }
        },
        None => quote! {
            #docs
            #unsafety fn #name(&self, #params) #ret;
        },
    }
}

/// The closure the guard calls when the implementation panicked, given the panic's report.
fn on_panic_tokens(names: &Names, own: &OwnSlot<'_>, method: &ImplementedMethod) -> TokenStream {
    match method.policy.on_panic {
        OnPanic::Return(Value::Abort) => quote!(::httpserv_runtime::abort),
        OnPanic::Return(value) => {
            let value = value_tokens(names, own, value);
            quote!(|_| #value)
        }
        OnPanic::FailRequestThen(value) => {
            let index = (method.policy.context_parameter)
                .expect("FailRequestThen names its context parameter");
            let context = ident(&names.params(own.method_id)[index]);
            let value = value_tokens(names, own, value);
            quote!(|report| { unsafe { ::httpserv_runtime::fail_request(#context.cast(), report) }; #value })
        }
    }
}

fn value_tokens(names: &Names, own: &OwnSlot<'_>, value: Value) -> TokenStream {
    match value {
        Value::Unit => quote!(()),
        Value::Enumerator(name) => {
            let name = ident(names.value(name).unwrap_or(name));
            quote!(#name)
        }
        Value::Hresult(name) => {
            let name = ident(name);
            quote!(::httpserv_runtime::#name)
        }
        Value::False => quote!(0),
        Value::Null => match own.method.return_type.resolved() {
            TypeKind::Pointer {
                pointee_is_const: true,
                ..
            } => quote!(::core::ptr::null()),
            _ => quote!(::core::ptr::null_mut()),
        },
        Value::NoFunction => quote!(::core::option::Option::None),
        Value::Abort => quote!(::httpserv_runtime::abort(
            &::httpserv_runtime::PanicReport { message: "" }
        )),
    }
}
