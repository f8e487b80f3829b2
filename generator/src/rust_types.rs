//! Maps IR types to Rust types: the emitters' tokens, from which the idiom stage also makes
//! the typed Rust forms of its signatures (`idiom::rust_form`).
//! Windows and http.h types come from `windows-sys` by name; what the header itself declares
//! is referred to by the name the naming pass gave it; anything else bottoms out in a
//! primitive through its typedef chain, or is an error naming the type.

use crate::ir::{Api, Builtin, CallingConvention, FunctionType, Type, TypeKind};
use crate::knowledge::known_path;
use crate::layout::names::Names;
use crate::layout::LaidOutApi;
use proc_macro2::Ident;
use proc_macro2::TokenStream;
use quote::format_ident;
use quote::quote;

/// A type with no Rust binding: neither declared by the header, nor in the windows-sys map,
/// nor reducible to a primitive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the type `{spelling}` has no Rust binding: the header does not declare it, and it is \
     neither a windows-sys type (the map in generator/src/knowledge/windows_types.rs) nor an \
     alias of a primitive"
)]
pub struct UnboundType {
    pub spelling: String,
}

/// A name the naming pass gave (already a Rust identifier) as an identifier token.
pub fn ident(name: &str) -> Ident {
    format_ident!("{}", name)
}

/// Converts types in the context of one API and its names.
pub struct TypeMapper<'a> {
    pub api: &'a Api,
    pub names: &'a Names,
}

impl<'a> TypeMapper<'a> {
    pub fn new(model: &'a LaidOutApi) -> TypeMapper<'a> {
        TypeMapper {
            api: &model.api,
            names: model.names(),
        }
    }

    /// The Rust name of a type the header declares (and the bindings define).
    fn declared_here(&self, name: &str) -> Option<TokenStream> {
        self.names.type_name(name).map(|rust| {
            let ident = ident(rust);
            quote!(#ident)
        })
    }

    /// The Rust type for `ty` in a parameter, field or return position.
    pub fn rust(&self, ty: &Type) -> Result<TokenStream, UnboundType> {
        Ok(match &ty.kind {
            TypeKind::Void => quote!(()),
            TypeKind::Builtin(b) => builtin(*b),
            TypeKind::Typedef { name, target } => {
                if let Some(declared) = self.declared_here(name) {
                    declared
                } else if let Some(path) = known_path(name) {
                    path_tokens(&path)
                } else {
                    self.rust(target)?
                }
            }
            TypeKind::Opaque { name } if known_path(name).is_some() => {
                path_tokens(&known_path(name).unwrap_or_default())
            }
            TypeKind::Record { name } | TypeKind::Enum { name } | TypeKind::Opaque { name } => {
                if let Some(declared) = self.declared_here(name) {
                    declared
                } else if let Some(path) = known_path(name) {
                    path_tokens(&path)
                } else {
                    return Err(UnboundType {
                        spelling: ty.spelling.clone(),
                    });
                }
            }
            TypeKind::Pointer {
                pointee,
                pointee_is_const,
            }
            | TypeKind::Reference {
                pointee,
                pointee_is_const,
            } => {
                if let Some(function) = pointee.function() {
                    let f = self.function_pointer(function)?;
                    return Ok(quote!(Option<#f>));
                }
                let inner = match pointee.kind {
                    TypeKind::Void => quote!(::core::ffi::c_void),
                    _ => self.rust(pointee)?,
                };
                if *pointee_is_const {
                    quote!(*const #inner)
                } else {
                    quote!(*mut #inner)
                }
            }
            TypeKind::Array { element, len } => {
                let element = self.rust(element)?;
                let len = *len as usize;
                quote!([#element; #len])
            }
            TypeKind::Function(function) => self.function_pointer(function)?,
        })
    }

    /// An array parameter decays to a pointer to its first element.
    pub fn rust_param(&self, ty: &Type) -> Result<TokenStream, UnboundType> {
        match &ty.kind {
            TypeKind::Array { element, .. } => {
                let inner = self.rust(element)?;
                if element.spelling.starts_with("const ") {
                    Ok(quote!(*const #inner))
                } else {
                    Ok(quote!(*mut #inner))
                }
            }
            _ => self.rust(ty),
        }
    }

    fn function_pointer(&self, function: &FunctionType) -> Result<TokenStream, UnboundType> {
        let params = function
            .params
            .iter()
            .map(|p| self.rust_param(p))
            .collect::<Result<Vec<_>, _>>()?;
        let ret = match function.return_type.kind {
            TypeKind::Void => quote!(),
            _ => {
                let ret = self.rust(&function.return_type)?;
                quote!(-> #ret)
            }
        };
        let abi = match function.convention {
            CallingConvention::System => "system",
            CallingConvention::C => "C",
        };
        Ok(quote!(unsafe extern #abi fn(#(#params),*) #ret))
    }
}

fn builtin(b: Builtin) -> TokenStream {
    match b {
        Builtin::Bool => quote!(bool),
        Builtin::Char | Builtin::SChar => quote!(i8),
        Builtin::UChar => quote!(u8),
        Builtin::WChar => quote!(u16),
        Builtin::Short => quote!(i16),
        Builtin::UShort => quote!(u16),
        Builtin::Int | Builtin::Long => quote!(i32),
        Builtin::UInt | Builtin::ULong => quote!(u32),
        Builtin::LongLong => quote!(i64),
        Builtin::ULongLong => quote!(u64),
        Builtin::Float => quote!(f32),
        Builtin::Double => quote!(f64),
    }
}

fn path_tokens(path: &str) -> TokenStream {
    path.parse().expect("known paths are valid Rust paths")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_names_come_from_windows_sys() {
        assert_eq!(
            known_path("HTTP_REQUEST_V2").as_deref(),
            Some("windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V2")
        );
        assert_eq!(
            known_path("_HTTP_TRACE_EVENT").as_deref(),
            Some("windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT")
        );
        assert_eq!(known_path("HTTP_MODULE_ID"), None);
        assert_eq!(known_path("DWORD").as_deref(), Some("u32"));
        assert_eq!(known_path("IHttpContext"), None);
    }
}
