//! C++ enums as windows-sys does them: a type alias of the underlying integer (`i32` for a
//! plain enum, `u8` for `enum E : unsigned char`, …) and one constant per enumerator typed
//! by it, so any value IIS sends is representable and a struct holding the enum has the
//! C++ size. A scoped enum's enumerators are qualified by it (`Color_Red`; see the naming
//! pass).

use super::docs::doc_lines;
use super::ident;
use crate::ir::{Builtin, Enum};
use crate::layout::LaidOutApi;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn enumeration(model: &LaidOutApi, e: &Enum) -> TokenStream {
    let names = model.names();
    let name = ident(names.type_name(&e.name).expect("every enum is named"));
    let underlying = model
        .api
        .details
        .enum_underlying
        .get(&e.name)
        .copied()
        .unwrap_or(Builtin::Int);
    let (integer, unsigned) = integer(underlying);
    let scoped = model.api.details.scoped_enums.contains(&e.name);
    let doc = doc_lines(&[format!(
        "C++ `enum {}{}`{}.",
        if scoped { "class " } else { "" },
        e.name,
        match underlying {
            Builtin::Int => String::new(),
            other => format!(" (underlying type `{}`)", other.cpp_spelling()),
        }
    )]);
    let variants = e.variants.iter().map(|v| {
        let variant = ident(names.enumerator(&e.name, &v.name));
        let value = if underlying == Builtin::Int {
            Literal::i32_unsuffixed(v.value as i32)
        } else if unsigned {
            // An unsigned value is held as its bit pattern.
            Literal::u64_unsuffixed(v.value as u64)
        } else {
            Literal::i64_unsuffixed(v.value)
        };
        quote!(pub const #variant: #name = #value;)
    });
    quote! {
        #doc
        pub type #name = #integer;
        #(#variants)*
    }
}

/// The Rust integer of an enum's underlying type, and whether it is unsigned.
fn integer(underlying: Builtin) -> (TokenStream, bool) {
    match underlying {
        Builtin::Bool | Builtin::UChar => (quote!(u8), true),
        Builtin::Char | Builtin::SChar => (quote!(i8), false),
        Builtin::WChar | Builtin::UShort => (quote!(u16), true),
        Builtin::Short => (quote!(i16), false),
        Builtin::Int | Builtin::Long => (quote!(i32), false),
        Builtin::UInt | Builtin::ULong => (quote!(u32), true),
        Builtin::LongLong => (quote!(i64), false),
        Builtin::ULongLong => (quote!(u64), true),
        // Not integers; clang refuses them as underlying types.
        Builtin::Float | Builtin::Double => (quote!(i32), false),
    }
}
