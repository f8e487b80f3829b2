//! The Rust form of an idiomatic method as typed data, worked out once in the idiom stage:
//! [`RustSignature`] and the [`RustType`]s in it. Two printers read the same value: tokens
//! with full paths for the emitter (`ToTokens`), and the text the manifest, the coverage list
//! and the tests show (`Display`: every path cut to its last segment, spaced as rustfmt
//! would, `fn header(&self, name: &CStr) -> Option<&[u8]>`).
//!
//! Why not `syn::Type` itself: syn's values hold `proc_macro2` identifiers, which are neither
//! `Send` nor `Sync`, and the emitter builds files on several threads that share the forms.
//! A `RustType` is made from the `syn::Type` of the type mapper's tokens ([`RustType::from_syn`])
//! and prints back to the same tokens.

use super::Receiver;
use proc_macro2::{Literal, Span, TokenStream};
use quote::{quote, ToTokens, TokenStreamExt};
use std::fmt;

/// A Rust type in an idiomatic signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RustType {
    /// `u32`, `::core::ffi::CStr`, `Option<T>`: segments, generic arguments on the last.
    Path {
        /// Written with a leading `::`.
        global: bool,
        segments: Vec<String>,
        args: Vec<GenericArg>,
    },
    /// `&T` / `&mut T`.
    Ref { mutable: bool, elem: Box<RustType> },
    /// `*const T` / `*mut T`.
    Ptr { mutable: bool, elem: Box<RustType> },
    /// `[T]`.
    Slice(Box<RustType>),
    /// `[T; len]`.
    Array { elem: Box<RustType>, len: usize },
    /// `()` or `(A, B)`.
    Tuple(Vec<RustType>),
    /// `unsafe extern "abi" fn(A, B) -> R`, the only function type the type mapper writes.
    Fn {
        abi: String,
        params: Vec<RustType>,
        output: Option<Box<RustType>>,
    },
}

/// A generic argument: a type or a lifetime (`'_`, written without its quote).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenericArg {
    Type(RustType),
    Lifetime(String),
}

/// The signature of one idiomatic method (its short, full or exclusive form).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RustSignature {
    /// An `unsafe fn`: the caller keeps a contract of IIS (`Idiomatic::safety`).
    pub unsafety: bool,
    pub name: String,
    pub receiver: Receiver,
    /// The Rust parameters after the receiver: name and type.
    pub params: Vec<(String, RustType)>,
    /// The result type; `None` for `()`.
    pub output: Option<RustType>,
}

impl RustType {
    /// The path `text` (`::core::ffi::CStr`, `Option`) with generic arguments `args`.
    pub fn path(text: &str, args: Vec<GenericArg>) -> RustType {
        let global = text.starts_with("::");
        let segments = text.trim_start_matches("::").split("::");
        RustType::Path {
            global,
            segments: segments.map(str::to_string).collect(),
            args,
        }
    }

    /// `Option<inner>`.
    pub fn option(inner: RustType) -> RustType {
        RustType::path("Option", vec![GenericArg::Type(inner)])
    }

    /// `&inner` or `&mut inner`.
    pub fn reference(mutable: bool, inner: RustType) -> RustType {
        RustType::Ref {
            mutable,
            elem: Box::new(inner),
        }
    }

    /// `()`, the one item, or a tuple of them: how results and outputs are grouped.
    pub fn tuple(mut items: Vec<RustType>) -> RustType {
        if items.len() == 1 {
            items.remove(0)
        } else {
            RustType::Tuple(items)
        }
    }

    /// The type the type mapper's tokens parse to. It writes paths, pointers, arrays, `()`
    /// and `Option<unsafe extern fn>`; anything else is a generator bug.
    pub fn from_syn(ty: &syn::Type) -> RustType {
        let boxed = |ty: &syn::Type| Box::new(RustType::from_syn(ty));
        match ty {
            syn::Type::Path(path) if path.qself.is_none() => from_path(&path.path),
            syn::Type::Reference(r) if r.lifetime.is_none() => RustType::Ref {
                mutable: r.mutability.is_some(),
                elem: boxed(&r.elem),
            },
            syn::Type::Ptr(p) => RustType::Ptr {
                mutable: matches!(p.mutability, syn::PointerMutability::Mut(_)),
                elem: boxed(&p.elem),
            },
            syn::Type::Slice(s) => RustType::Slice(boxed(&s.elem)),
            syn::Type::Array(a) => RustType::Array {
                elem: boxed(&a.elem),
                len: match &a.len {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Int(n),
                        ..
                    }) => n.base10_parse().expect("array lengths are usize literals"),
                    _ => unreachable!("the type mapper writes array lengths as literals"),
                },
            },
            syn::Type::Tuple(t) => {
                RustType::Tuple(t.elems.iter().map(RustType::from_syn).collect())
            }
            syn::Type::FnPtr(f) => RustType::Fn {
                abi: (f.abi.as_ref().and_then(|abi| abi.name.as_ref()))
                    .map_or_else(|| "C".into(), |name| name.value()),
                params: f
                    .inputs
                    .iter()
                    .map(|arg| RustType::from_syn(&arg.ty))
                    .collect(),
                output: match &f.output {
                    syn::ReturnType::Default => None,
                    syn::ReturnType::Type(_, ty) => Some(boxed(ty)),
                },
            },
            syn::Type::Paren(p) => RustType::from_syn(&p.elem),
            syn::Type::Group(g) => RustType::from_syn(&g.elem),
            other => unreachable!("the type mapper writes no `{}`", other.to_token_stream()),
        }
    }
}

fn from_path(path: &syn::Path) -> RustType {
    let mut args = Vec::new();
    if let Some(last) = path.segments.last() {
        if let syn::PathArguments::AngleBracketed(generic) = &last.arguments {
            args = (generic.args.iter())
                .map(|arg| match arg {
                    syn::GenericArgument::Type(ty) => GenericArg::Type(RustType::from_syn(ty)),
                    syn::GenericArgument::Lifetime(l) => GenericArg::Lifetime(l.ident.to_string()),
                    other => {
                        unreachable!("the type mapper writes no `{}`", other.to_token_stream())
                    }
                })
                .collect();
        }
    }
    RustType::Path {
        global: path.leading_colon.is_some(),
        segments: path.segments.iter().map(|s| s.ident.to_string()).collect(),
        args,
    }
}

impl ToTokens for RustType {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        tokens.extend(match self {
            RustType::Path {
                global,
                segments,
                args,
            } => {
                let colons = global.then(|| quote!(::));
                let segments = segments.iter().map(|s| crate::rust_types::ident(s));
                let generics = (!args.is_empty()).then(|| quote!(<#(#args),*>));
                quote!(#colons #(#segments)::* #generics)
            }
            RustType::Ref {
                mutable: true,
                elem,
            } => quote!(&mut #elem),
            RustType::Ref {
                mutable: false,
                elem,
            } => quote!(&#elem),
            RustType::Ptr {
                mutable: true,
                elem,
            } => quote!(*mut #elem),
            RustType::Ptr {
                mutable: false,
                elem,
            } => quote!(*const #elem),
            RustType::Slice(elem) => quote!([#elem]),
            RustType::Array { elem, len } => {
                // Suffixed, as `quote!` writes a `usize` (the type mapper's tokens).
                let len = Literal::usize_suffixed(*len);
                quote!([#elem; #len])
            }
            RustType::Tuple(items) => quote!((#(#items),*)),
            RustType::Fn {
                abi,
                params,
                output,
            } => {
                let output = output.as_ref().map(|ty| quote!(-> #ty));
                quote!(unsafe extern #abi fn(#(#params),*) #output)
            }
        });
    }
}

impl ToTokens for GenericArg {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            GenericArg::Type(ty) => ty.to_tokens(tokens),
            GenericArg::Lifetime(name) => {
                tokens.append_all([syn::Lifetime::new(&format!("'{name}"), Span::call_site())])
            }
        }
    }
}

impl ToTokens for RustSignature {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        let unsafety = self.unsafety.then(|| quote!(unsafe));
        let name = crate::rust_types::ident(&self.name);
        let receiver = match self.receiver {
            Receiver::Shared => quote!(&self),
            Receiver::Exclusive => quote!(&mut self),
        };
        let params = (self.params.iter()).map(|(name, ty)| {
            let name = crate::rust_types::ident(name);
            quote!(#name: #ty)
        });
        let output = self.output.as_ref().map(|ty| quote!(-> #ty));
        tokens.extend(quote!(#unsafety fn #name(#receiver, #(#params),*) #output));
    }
}

/// Items separated by `, `.
fn list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for RustType {
    /// Paths cut to their last segment: the docs' and the manifest's spelling.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RustType::Path { segments, args, .. } => {
                f.write_str(segments.last().map_or("", String::as_str))?;
                if !args.is_empty() {
                    f.write_str("<")?;
                    list(f, args)?;
                    f.write_str(">")?;
                }
                Ok(())
            }
            RustType::Ref { mutable, elem } => {
                write!(f, "&{}{elem}", if *mutable { "mut " } else { "" })
            }
            RustType::Ptr { mutable, elem } => {
                write!(f, "*{} {elem}", if *mutable { "mut" } else { "const" })
            }
            RustType::Slice(elem) => write!(f, "[{elem}]"),
            RustType::Array { elem, len } => write!(f, "[{elem}; {len}]"),
            RustType::Tuple(items) => {
                f.write_str("(")?;
                list(f, items)?;
                f.write_str(")")
            }
            RustType::Fn {
                abi,
                params,
                output,
            } => {
                write!(f, "unsafe extern {abi:?} fn(")?;
                list(f, params)?;
                f.write_str(")")?;
                match output {
                    Some(ty) => write!(f, " -> {ty}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl fmt::Display for GenericArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenericArg::Type(ty) => write!(f, "{ty}"),
            GenericArg::Lifetime(name) => write!(f, "'{name}"),
        }
    }
}

impl fmt::Display for RustSignature {
    /// `unsafe fn name(&self, a: A) -> R`, as the manifest and the coverage list show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unsafety = if self.unsafety { "unsafe " } else { "" };
        let receiver = match self.receiver {
            Receiver::Shared => "&self",
            Receiver::Exclusive => "&mut self",
        };
        write!(f, "{unsafety}fn {}({receiver}", self.name)?;
        for (name, ty) in &self.params {
            write!(f, ", {name}: {ty}")?;
        }
        f.write_str(")")?;
        match &self.output {
            Some(ty) => write!(f, " -> {ty}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every form the type mapper writes prints back to its own tokens, and to text with
    /// each path cut to its last segment.
    #[test]
    fn mapped_types_print_back_as_tokens_and_as_short_text() {
        let cases = [
            ("u32", "u32"),
            ("windows_sys::Win32::Foundation::HANDLE", "HANDLE"),
            ("*mut ::core::ffi::c_void", "*mut c_void"),
            ("*const u16", "*const u16"),
            ("[u8; 16usize]", "[u8; 16]"),
            ("()", "()"),
            (
                "Option<unsafe extern \"system\" fn(*mut IFoo, u32) -> i32>",
                "Option<unsafe extern \"system\" fn(*mut IFoo, u32) -> i32>",
            ),
        ];
        for (tokens, text) in cases {
            let parsed: syn::Type = syn::parse_str(tokens).unwrap();
            let rust = RustType::from_syn(&parsed);
            assert_eq!(rust.to_string(), text);
            assert_eq!(
                rust.to_token_stream().to_string(),
                parsed.to_token_stream().to_string()
            );
        }
    }

    #[test]
    fn a_signature_prints_as_the_emitter_writes_it_and_as_the_manifest_shows_it() {
        let cstr = RustType::reference(false, RustType::path("::core::ffi::CStr", Vec::new()));
        let bytes = RustType::Slice(Box::new(RustType::path("u8", Vec::new())));
        let signature = RustSignature {
            unsafety: true,
            name: "header".into(),
            receiver: Receiver::Exclusive,
            params: vec![("name".into(), cstr)],
            output: Some(RustType::option(RustType::reference(false, bytes))),
        };
        assert_eq!(
            signature.to_string(),
            "unsafe fn header(&mut self, name: &CStr) -> Option<&[u8]>"
        );
        let parsed: syn::Signature = syn::parse2(signature.to_token_stream()).unwrap();
        assert_eq!(
            parsed.to_token_stream().to_string(),
            "unsafe fn header (& mut self , name : & :: core :: ffi :: CStr) -> Option < & [u8] >"
        );
    }
}
