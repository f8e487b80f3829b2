//! `#define` constants: integers typed by range (u32 for the DWORD flag sets, i32 when
//! negative, 64-bit when larger), narrow strings as `PCSTR`, wide strings as `PCWSTR`.

use super::rust_ident;
use crate::ir::{Constant, ConstantValue};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn constant(c: &Constant) -> TokenStream {
    let name = rust_ident(&c.name);
    match &c.value {
        ConstantValue::Integer(v) => {
            let v = *v;
            if (0..=u32::MAX as i64).contains(&v) {
                let lit: Literal = format!("0x{:x}", v).parse().expect("hex literal");
                quote!(pub const #name: u32 = #lit;)
            } else if (i32::MIN as i64..0).contains(&v) {
                let lit = Literal::i32_unsuffixed(v as i32);
                quote!(pub const #name: i32 = #lit;)
            } else {
                let lit = Literal::i64_unsuffixed(v);
                quote!(pub const #name: i64 = #lit;)
            }
        }
        ConstantValue::String(s) => {
            let lit = Literal::string(s);
            quote!(pub const #name: windows_sys::core::PCSTR = windows_sys::s!(#lit);)
        }
        ConstantValue::WideString(s) => {
            let lit = Literal::string(s);
            quote!(pub const #name: windows_sys::core::PCWSTR = windows_sys::w!(#lit);)
        }
    }
}
