//! The idiomatic methods (`crate::idiom`'s forms) as Rust: one safe method per variant of a
//! form (short, full, `_mut`) beside the raw `unsafe fn`, calling it once. The signature is
//! the model's (`Idiomatic::signatures`), printed as tokens; the body is what the form's roles
//! say happens around the call: slices in, lengths filled from them, outputs in locals,
//! borrowed results made from C++'s pointers (with the lengths C++ wrote), an `HRESULT`
//! turned into `Result`.

use super::class::ClassItems;
use super::docs::doc_lines;
use super::ident;
use super::idiomatic_results::{output_value, result};
use crate::idiom::rust_form::RustSignature;
use crate::idiom::{Form, Idiomatic, Idioms, In, Ret, Role, Value, Variant};
use crate::ir::{Method, Type, TypeKind, Unit};
use crate::rust_types::TypeMapper;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// `impl Foo { … }` with the idiomatic methods of the class's own slots.
pub fn idiomatic(types: &TypeMapper<'_>, idioms: &Idioms, items: &ClassItems<'_>) -> TokenStream {
    let class = ident(&items.names.object);
    let mut methods = Vec::new();
    for own in &items.own {
        let Some(Form::Idiomatic(form)) = idioms.form(own.id) else {
            continue;
        };
        for (variant, signature) in form.signatures() {
            methods.push(method(
                types, own.method, form, &own.name, variant, signature,
            ));
        }
    }
    if methods.is_empty() {
        return quote!();
    }
    quote! {
        impl #class {
            #(#methods)*
        }
    }
}

/// One variant of a form as a method: its signature (the model's, `unsafe` where a contract
/// of IIS no borrow can express stays the caller's) and the body around the raw call.
fn method(
    types: &TypeMapper<'_>,
    cpp: &Method,
    form: &Idiomatic,
    raw: &proc_macro2::Ident,
    variant: Variant,
    signature: &RustSignature,
) -> TokenStream {
    let Call {
        before,
        args: call_args,
        outputs,
        after,
    } = Call::of(types, cpp, form, variant == Variant::Full);
    let body_tail = result(form, &outputs, variant == Variant::Exclusive);
    let docs = doc_lines(&docs(cpp, form, variant, raw));
    quote! {
        #docs
        #[inline]
        pub #signature {
            #(#before)*
            // SAFETY: `self` is a live object (the contract of `from_raw`, where the C++
            // pointer became a reference); every argument is what the C++ method's SAL asks
            // for, made from Rust references and slices that outlive the call.
            let returned = unsafe { self.#raw(#(#call_args),*) };
            #(#after)*
            #body_tail
        }
    }
}

/// What a method's body does around the raw call, gathered argument by argument.
#[derive(Default)]
struct Call {
    /// Statements before the raw call: lengths converted, locals for outputs declared.
    before: Vec<TokenStream>,
    /// The raw call's arguments.
    args: Vec<TokenStream>,
    /// The outputs' Rust values after the call.
    outputs: Vec<TokenStream>,
    /// Statements after the raw call.
    after: Vec<TokenStream>,
}

impl Call {
    /// The call of the form's short (or, when `full`, full) variant.
    fn of(types: &TypeMapper<'_>, cpp: &Method, form: &Idiomatic, full: bool) -> Call {
        let returns_result = form.ret == Ret::Result;
        let mut call = Call::default();
        for (arg, param) in form.args.iter().zip(&cpp.params) {
            let local = format_ident!("{}", arg.name);
            let left_out = !full && arg.default.is_some();
            match &arg.role {
                Role::In { .. } if left_out => {
                    let default = arg.default.as_ref().expect("left out");
                    call.args.push(value(types, &param.ty, default));
                }
                Role::In { ty, optional } => call.input(ty, *optional, &local, returns_result),
                Role::Length { of, unit } => {
                    let slice = format_ident!("{}", form.args[*of].name);
                    let optional = matches!(form.args[*of].role, Role::In { optional: true, .. });
                    let len = length(&slice, *unit, optional);
                    let count = pointee_or_self(types, &param.ty);
                    call.before
                        .push(convert_length(&local, &count, len, returns_result));
                    call.args.push(quote!(#local));
                }
                Role::InOutLength { of, unit, .. } => {
                    let slice = format_ident!("{}", form.args[*of].name);
                    let len = length(&slice, *unit, false);
                    let count = pointee(types, &param.ty);
                    call.before
                        .push(convert_length(&local, &count, len, returns_result));
                    call.before.push(quote!(let mut #local = #local;));
                    call.args.push(quote!(&mut #local));
                    call.outputs.push(quote!(#local));
                }
                Role::CountOut => {
                    let count = pointee(types, &param.ty);
                    call.before.push(quote!(let mut #local: #count = 0;));
                    call.args.push(quote!(&mut #local));
                }
                Role::Fixed(fixed) => call.args.push(value(types, &param.ty, fixed)),
                // A defaulted output left out: C++ takes null for "not wanted".
                Role::Out(_) if left_out => call.args.push(quote!(::core::ptr::null_mut())),
                Role::Out(out) => {
                    let slot = pointee(types, &param.ty);
                    call.before.push(quote! {
                        // SAFETY: a plain value or pointer, all zeroes until C++ writes it.
                        let mut #local: #slot = unsafe { ::core::mem::zeroed() };
                    });
                    call.args.push(quote!(&mut #local));
                    call.outputs
                        .push(output_value(types, form, out, &local, returns_result));
                }
            }
        }
        call
    }

    /// A Rust parameter (the signature declares it) passed in; an owned object is split into its pointer (for C++) and
    /// its release (for Rust, should a call that reports failure fail; a call that cannot
    /// fail always takes it).
    fn input(&mut self, ty: &In, optional: bool, local: &proc_macro2::Ident, returns_result: bool) {
        match ty {
            In::Owned(_) if returns_result => {
                // IIS takes the object if the call succeeds; otherwise Rust releases it.
                let release = format_ident!("{local}_release");
                self.before
                    .push(quote!(let (#local, #release) = #local.into_parts();));
                self.after.push(quote! {
                    if returned.is_err() {
                        // SAFETY: the failed call did not take the object.
                        unsafe { #release(#local) };
                    }
                });
            }
            // A call that cannot fail always takes it.
            In::Owned(_) => self.before.push(quote!(let #local = #local.into_raw();)),
            _ => {}
        }
        self.args.push(input_value(ty, optional, local));
    }
}

/// The method's docs: the C++ method it wraps, the rules that shaped it.
fn docs(cpp: &Method, form: &Idiomatic, variant: Variant, raw: &proc_macro2::Ident) -> Vec<String> {
    let mut lines = vec![format!(
        "`{}` in Rust terms; the raw method, with the full docs, is [`Self::{raw}`].",
        cpp.cpp_declaration(),
    )];
    match variant {
        Variant::Short if form.full_name.is_some() => lines.push(format!(
            "The C++ default arguments are used; [`Self::{}`] takes them all.",
            form.full_name.as_deref().unwrap_or_default()
        )),
        Variant::Exclusive => lines.push(
            "The object comes back exclusive, for its mutating methods (it borrows `self` \
             exclusively meanwhile)."
                .into(),
        ),
        _ => {}
    }
    if form
        .args
        .iter()
        .any(|a| matches!(a.role, Role::Fixed(Value::Bool(false))))
    {
        lines.push(
            "Synchronous: the asynchronous flag is `FALSE`, since the buffers are borrowed \
             for the call only."
                .into(),
        );
    }
    for arg in &form.args {
        match &arg.role {
            Role::In {
                ty: In::Owned(_), ..
            } => lines.push(format!(
                "IIS takes `{}` over and releases it: it is moved in{}.",
                arg.name,
                if form.ret == Ret::Result {
                    ", and released by Rust if the call fails"
                } else {
                    ""
                }
            )),
            Role::In {
                ty: In::InterfaceMut(_),
                ..
            } => lines.push(format!(
                "`{}` is lent exclusively: IIS may change it during the call.",
                arg.name
            )),
            Role::Out(crate::idiom::Out::Child { release, .. }) => lines.push(format!(
                "The object is the caller's to release: it comes back in a guard that calls \
                 `{release}` when dropped (or `Child::release`), borrowing `self` exclusively \
                 until then."
            )),
            _ => {}
        }
    }
    if let Some(contract) = &form.safety {
        let heading = ["", "# Safety", ""].map(String::from);
        lines.extend(heading.into_iter().chain([contract.clone()]));
    }
    lines
}

/// The argument passed to the raw method for a Rust parameter.
fn input_value(ty: &In, optional: bool, local: &proc_macro2::Ident) -> TokenStream {
    let pointer_mut = |value: TokenStream| -> TokenStream {
        if optional {
            quote!(#local.map_or(::core::ptr::null_mut(), |#local| #value))
        } else {
            value
        }
    };
    match ty {
        // Inputs C++ only reads; a parameter not declared const gets a mutable pointer.
        In::CStr | In::WideCStr | In::Bytes | In::Wide => {
            pointer_mut(quote!(#local.as_ptr().cast_mut().cast()))
        }
        In::BytesMut | In::WideMut => pointer_mut(quote!(#local.as_mut_ptr().cast())),
        In::Chunks => pointer_mut(
            quote!(#local.as_ptr().cast::<::httpserv_runtime::DataChunk<'_>>().cast_mut().cast()),
        ),
        In::Chunk => pointer_mut(quote!(::core::ptr::from_ref(#local).cast_mut().cast())),
        In::Bool => quote!(::windows_sys::core::BOOL::from(#local)),
        In::Value(_) => quote!(#local),
        In::Ref(_) => quote!(#local),
        In::RefMut(_) => quote!(#local),
        In::Interface(_) => pointer_mut(quote!(::core::ptr::from_ref(#local).cast_mut())),
        In::InterfaceMut(_) => pointer_mut(quote!(::core::ptr::from_mut(#local))),
        // Split before the call (see `Call::input`): the pointer goes to C++.
        In::Owned(_) => quote!(#local),
    }
}

/// `slice.len()` (elements) or its size in bytes, 0 for a `None`.
fn length(slice: &proc_macro2::Ident, unit: Unit, optional: bool) -> TokenStream {
    let of = |s: TokenStream| match unit {
        Unit::Elements => quote!(#s.len()),
        Unit::Bytes => quote!(::core::mem::size_of_val(#s)),
    };
    if optional {
        // `as_deref`, so that `s` is the slice itself (`&[T]`): through `as_ref` it would be
        // a `&&[T]`, and `size_of_val` would measure the reference, not the slice.
        let inner = of(quote!(s));
        quote!(#slice.as_deref().map_or(0, |s| #inner))
    } else {
        of(quote!(#slice))
    }
}

/// `let local: T = len` converted to the C++ count type: too long is `E_INVALIDARG` where
/// the method reports errors, else the largest count the type can say (C++ then uses a
/// prefix of the slice, which is still memory-safe).
fn convert_length(
    local: &proc_macro2::Ident,
    count: &TokenStream,
    len: TokenStream,
    returns_result: bool,
) -> TokenStream {
    if returns_result {
        quote! {
            let #local: #count = ::core::convert::TryFrom::try_from(#len)
                .map_err(|_| ::httpserv_runtime::Error::from(::httpserv_runtime::E_INVALIDARG))?;
        }
    } else {
        quote! {
            let #local: #count = ::core::convert::TryFrom::try_from(#len).unwrap_or(#count::MAX);
        }
    }
}

/// A fixed or default value for a parameter of type `ty`.
fn value(types: &TypeMapper<'_>, ty: &Type, value: &Value) -> TokenStream {
    match value {
        Value::Null => match ty.resolved() {
            TypeKind::Pointer {
                pointee_is_const: true,
                ..
            } => quote!(::core::ptr::null()),
            _ => quote!(::core::ptr::null_mut()),
        },
        Value::Bool(b) => {
            let b = i32::from(*b);
            quote!(#b)
        }
        Value::Int(n) => {
            let literal = proc_macro2::Literal::i64_unsuffixed(*n);
            let t = rust(types, ty);
            if *n < 0 {
                quote!((#literal) as #t)
            } else {
                quote!(#literal as #t)
            }
        }
        Value::Hresult(name) => {
            let name = format_ident!("{name}");
            quote!(::httpserv_runtime::#name)
        }
        Value::Constant(name) => {
            let name = ident(types.names.value(name).unwrap_or(name));
            let t = rust(types, ty);
            quote!(#name as #t)
        }
    }
}

/// An interface (a class or an opaque type of the API), by the name the naming pass gave
/// it.
pub(super) fn class_ident(types: &TypeMapper<'_>, class: &str) -> proc_macro2::Ident {
    ident(types.names.type_name(class).unwrap_or(class))
}

pub(super) fn rust(types: &TypeMapper<'_>, ty: &Type) -> TokenStream {
    types
        .rust(ty)
        .expect("the raw signature of the same slot mapped this type")
}

/// The Rust type a pointer parameter points at.
pub(super) fn pointee(types: &TypeMapper<'_>, ty: &Type) -> TokenStream {
    match ty.resolved() {
        TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => {
            match pointee.resolved() {
                TypeKind::Void => quote!(*mut ::core::ffi::c_void),
                _ => rust(types, pointee),
            }
        }
        _ => rust(types, ty),
    }
}

/// A count parameter's type: the pointee for `*n`, else the type itself.
pub(super) fn pointee_or_self(types: &TypeMapper<'_>, ty: &Type) -> TokenStream {
    match ty.resolved() {
        TypeKind::Pointer { .. } => pointee(types, ty),
        _ => rust(types, ty),
    }
}
