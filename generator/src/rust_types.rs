//! Maps IR types to Rust types (the emitters' tokens, the idiomatic signatures' text).
//! Windows and http.h types come from `windows-sys` by name; what the header itself declares
//! is referred to by the name the naming pass gave it; anything else bottoms out in a
//! primitive through its typedef chain, or is an error naming the type.

use crate::ir::{Api, Builtin, CallingConvention, FunctionType, Type, TypeKind};
use crate::layout::names::Names;
use crate::layout::LaidOutApi;
use proc_macro2::Ident;
use proc_macro2::TokenStream;
use quote::format_ident;
use quote::quote;

/// Rust paths for the Windows typedef and record names the IIS API uses: what windows-sys
/// provides, or a plain integer. Sorted (byte order); looked up by binary search. A name
/// missing here is followed through its typedef chain, and a record missing here is an error.
const KNOWN: &[(&str, &str)] = &[
    ("BOOL", "windows_sys::core::BOOL"),
    ("BOOLEAN", "u8"),
    ("BYTE", "u8"),
    ("CHAR", "i8"),
    ("DWORD", "u32"),
    ("DWORD64", "u64"),
    ("DWORD_PTR", "usize"),
    ("FILETIME", "windows_sys::Win32::Foundation::FILETIME"),
    ("GUID", "windows_sys::core::GUID"),
    ("HANDLE", "windows_sys::Win32::Foundation::HANDLE"),
    ("HMODULE", "windows_sys::Win32::Foundation::HMODULE"),
    // windows-result's newtype (re-exported by the runtime): ABI-identical to the i32, with
    // `ok()`, `is_ok()` and the error conversions.
    ("HRESULT", "::httpserv_runtime::HRESULT"),
    (
        "HTTP_CACHE_POLICY",
        "windows_sys::Win32::Networking::HttpServer::HTTP_CACHE_POLICY",
    ),
    (
        "HTTP_COOKED_URL",
        "windows_sys::Win32::Networking::HttpServer::HTTP_COOKED_URL",
    ),
    (
        "HTTP_DATA_CHUNK",
        "windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK",
    ),
    (
        "HTTP_HEADER_ID",
        "windows_sys::Win32::Networking::HttpServer::HTTP_HEADER_ID",
    ),
    (
        "HTTP_KNOWN_HEADER",
        "windows_sys::Win32::Networking::HttpServer::HTTP_KNOWN_HEADER",
    ),
    (
        "HTTP_LOG_DATA",
        "windows_sys::Win32::Networking::HttpServer::HTTP_LOG_DATA",
    ),
    ("HTTP_OPAQUE_ID", "u64"),
    (
        "HTTP_REQUEST_HEADERS",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_HEADERS",
    ),
    (
        "HTTP_REQUEST_PROPERTY",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_PROPERTY",
    ),
    (
        "HTTP_REQUEST_V1",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V1",
    ),
    (
        "HTTP_REQUEST_V2",
        "windows_sys::Win32::Networking::HttpServer::HTTP_REQUEST_V2",
    ),
    (
        "HTTP_RESPONSE_HEADERS",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_HEADERS",
    ),
    (
        "HTTP_RESPONSE_V1",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_V1",
    ),
    (
        "HTTP_RESPONSE_V2",
        "windows_sys::Win32::Networking::HttpServer::HTTP_RESPONSE_V2",
    ),
    (
        "HTTP_SSL_CLIENT_CERT_INFO",
        "windows_sys::Win32::Networking::HttpServer::HTTP_SSL_CLIENT_CERT_INFO",
    ),
    (
        "HTTP_SSL_INFO",
        "windows_sys::Win32::Networking::HttpServer::HTTP_SSL_INFO",
    ),
    (
        "HTTP_TRACE_CONFIGURATION",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_CONFIGURATION",
    ),
    (
        "HTTP_TRACE_EVENT",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT",
    ),
    (
        "HTTP_TRACE_EVENT_ITEM",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT_ITEM",
    ),
    (
        "HTTP_TRACE_TYPE",
        "windows_sys::Win32::System::Iis::HTTP_TRACE_TYPE",
    ),
    (
        "HTTP_UNKNOWN_HEADER",
        "windows_sys::Win32::Networking::HttpServer::HTTP_UNKNOWN_HEADER",
    ),
    (
        "HTTP_VERB",
        "windows_sys::Win32::Networking::HttpServer::HTTP_VERB",
    ),
    (
        "HTTP_VERSION",
        "windows_sys::Win32::Networking::HttpServer::HTTP_VERSION",
    ),
    ("INT", "i32"),
    ("INT_PTR", "isize"),
    ("LARGE_INTEGER", "i64"),
    ("LONG", "i32"),
    ("LONGLONG", "i64"),
    ("LONG_PTR", "isize"),
    ("LPCSTR", "windows_sys::core::PCSTR"),
    ("LPCWSTR", "windows_sys::core::PCWSTR"),
    (
        "LPOVERLAPPED_COMPLETION_ROUTINE",
        "windows_sys::Win32::System::IO::LPOVERLAPPED_COMPLETION_ROUTINE",
    ),
    ("LPSTR", "windows_sys::core::PSTR"),
    ("LPWSTR", "windows_sys::core::PWSTR"),
    ("OVERLAPPED", "windows_sys::Win32::System::IO::OVERLAPPED"),
    ("PCSTR", "windows_sys::core::PCSTR"),
    ("PCWSTR", "windows_sys::core::PCWSTR"),
    ("PSID", "windows_sys::Win32::Security::PSID"),
    ("PSTR", "windows_sys::core::PSTR"),
    ("PWSTR", "windows_sys::core::PWSTR"),
    ("SHORT", "i16"),
    ("SIZE_T", "usize"),
    (
        "SOCKADDR",
        "windows_sys::Win32::Networking::WinSock::SOCKADDR",
    ),
    (
        "SOCKADDR_STORAGE",
        "windows_sys::Win32::Networking::WinSock::SOCKADDR_STORAGE",
    ),
    ("SSIZE_T", "isize"),
    ("UCHAR", "u8"),
    ("UINT", "u32"),
    ("UINT_PTR", "usize"),
    ("ULARGE_INTEGER", "u64"),
    ("ULONG", "u32"),
    ("ULONG64", "u64"),
    ("ULONGLONG", "u64"),
    ("ULONG_PTR", "usize"),
    ("USHORT", "u16"),
    ("WCHAR", "u16"),
    ("WORD", "u16"),
    (
        "sockaddr",
        "windows_sys::Win32::Networking::WinSock::SOCKADDR",
    ),
];

/// A windows-sys path for a Windows name, if we bind it to one.
pub fn known_path(name: &str) -> Option<String> {
    let lookup = |n: &str| {
        KNOWN
            .binary_search_by(|(k, _)| k.cmp(&n))
            .ok()
            .map(|i| KNOWN[i].1.to_string())
    };
    // Record tags are the typedef names with a leading underscore (`_HTTP_REQUEST_V2`).
    lookup(name).or_else(|| lookup(name.strip_prefix('_')?))
}

/// A type with no Rust binding: neither declared by the header, nor in the windows-sys map,
/// nor reducible to a primitive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the type `{spelling}` has no Rust binding (add it to the windows-sys map in \
     generator/src/rust_types.rs)"
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
    fn known_table_is_sorted_for_binary_search() {
        assert!(KNOWN.windows(2).all(|w| w[0].0 < w[1].0));
    }

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
