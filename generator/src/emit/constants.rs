//! `#define` constants, typed by their value: `u32` for the DWORD flag sets (0 to
//! `u32::MAX`, in hex), `i32` when negative and an `int`, `i64` when wider, `u64` for an
//! `unsigned long long` above `i64::MAX` (`0xFFFFFFFFFFFFFFFF`); narrow strings as `PCSTR`,
//! wide strings as `PCWSTR`.

use super::ident;
use crate::ir::{Constant, ConstantValue, IntegerType};
use crate::layout::LaidOutApi;
use proc_macro2::{Literal, TokenStream};
use quote::quote;

pub fn constant(model: &LaidOutApi, c: &Constant) -> TokenStream {
    let name = ident(
        model
            .names()
            .value(&c.name)
            .expect("every constant is named"),
    );
    match &c.value {
        ConstantValue::Integer(bits) => {
            let ty = model.api.details.constant_types.get(&c.name).copied();
            // An unsigned long long above i64::MAX is held as its bit pattern.
            let value: i128 = match ty {
                Some(IntegerType::ULongLong) => *bits as u64 as i128,
                _ => *bits as i128,
            };
            if (0..=u32::MAX as i128).contains(&value) {
                let lit: Literal = format!("0x{value:x}").parse().expect("hex literal");
                quote!(pub const #name: u32 = #lit;)
            } else if (i32::MIN as i128..0).contains(&value) {
                let lit = Literal::i32_unsuffixed(value as i32);
                quote!(pub const #name: i32 = #lit;)
            } else if let Ok(value) = i64::try_from(value) {
                let lit = Literal::i64_unsuffixed(value);
                quote!(pub const #name: i64 = #lit;)
            } else {
                let lit: Literal = format!("0x{value:x}").parse().expect("hex literal");
                quote!(pub const #name: u64 = #lit;)
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
