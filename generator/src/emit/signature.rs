//! The Rust signature of one vtable slot, shared by the vtable field, the calling wrapper,
//! the `_Impl` trait method and its thunk: `this`, named parameters (named by the naming
//! pass), the return type and the calling convention. Worked out once per slot (see
//! `class.rs`).

use super::ident;
use super::EmitError;
use crate::ir::{CallingConvention, Method, TypeKind};
use crate::layout::{MethodId, Slot};
use crate::rust_types::TypeMapper;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

pub struct SlotSignature {
    /// `*const Foo` for const methods, `*mut Foo` otherwise.
    pub this: TokenStream,
    pub params: Vec<(Ident, TokenStream)>,
    /// `()` for void.
    pub ret: TokenStream,
    pub returns_void: bool,
    /// The convention the method declares for itself (`STDMETHOD`'s `__stdcall`); `None`
    /// for the member default (`thiscall` on x86).
    pub convention: Option<CallingConvention>,
}

/// The `extern` ABI of a method declaring its own convention: the same on every target
/// (`__stdcall` is `system`, which is the platform convention on x64, as MSVC has it).
pub fn abi(convention: CallingConvention) -> &'static str {
    match convention {
        CallingConvention::System => "system",
        CallingConvention::C => "C",
    }
}

impl SlotSignature {
    /// `member_fn!((this, params…) -> ret)`, or `unsafe extern "system" fn(…) -> ret` for a
    /// method with its own convention.
    pub fn field_type(&self) -> TokenStream {
        let types = std::iter::once(&self.this).chain(self.params.iter().map(|(_, ty)| ty));
        let ret = &self.ret;
        match self.convention {
            None => quote!(::httpserv_runtime::member_fn!((#(#types),*) -> #ret)),
            Some(convention) => {
                let abi = abi(convention);
                let ret = self.ret_clause();
                quote!(unsafe extern #abi fn(#(#types),*) #ret)
            }
        }
    }

    /// `name: Type, …` for a Rust fn declaration.
    pub fn param_list(&self) -> TokenStream {
        let params = self.params.iter().map(|(name, ty)| quote!(#name: #ty));
        quote!(#(#params),*)
    }

    pub fn arg_names(&self) -> TokenStream {
        let names = self.params.iter().map(|(name, _)| name);
        quote!(#(#names),*)
    }

    /// ` -> R`, or nothing for void.
    pub fn ret_clause(&self) -> TokenStream {
        if self.returns_void {
            quote!()
        } else {
            let ret = &self.ret;
            quote!(-> #ret)
        }
    }
}

pub fn slot_signature(
    types: &TypeMapper<'_>,
    slot: &Slot,
    method: &Method,
    id: MethodId,
) -> Result<SlotSignature, EmitError> {
    let class = &slot.introduced_by;
    let class_ident = ident(&types.names.class(class).object);
    let this = if method.is_const {
        quote!(*const #class_ident)
    } else {
        quote!(*mut #class_ident)
    };
    let mut params = Vec::new();
    if method.is_destructor {
        params.push((format_ident!("flags"), quote!(u32)));
    }
    let names = types.names.params(id);
    for (param, name) in method.params.iter().zip(names) {
        let ty = types
            .rust_param(&param.ty)
            .map_err(|unbound| EmitError::Unbound {
                item: format!("`{class}::{}`, parameter `{}`", method.name, param.name),
                location: Some(method.location.clone()),
                unbound,
            })?;
        params.push((ident(name), ty));
    }
    let returns_void = matches!(method.return_type.kind, TypeKind::Void);
    let ret = types
        .rust(&method.return_type)
        .map_err(|unbound| EmitError::Unbound {
            item: format!("`{class}::{}` return type", method.name),
            location: Some(method.location.clone()),
            unbound,
        })?;
    Ok(SlotSignature {
        this,
        params,
        ret,
        returns_void,
        convention: types.api.details.method_convention(class, slot.method),
    })
}
