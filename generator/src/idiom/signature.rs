//! The Rust signatures of an idiomatic form, made once from its roles ([`signatures`]): each
//! Rust parameter's type, and the result (the returned value and the outputs, in a `Result`
//! where the method returns an `HRESULT`). The emitter prints them as tokens; the manifest
//! and the coverage list as text (`rust_form.rs`).

use super::rust_form::{GenericArg, RustSignature, RustType};
use super::{Idiomatic, In, Out, Receiver, Ret, Role, Variant};
use crate::ir::Type;
use crate::rust_types::{TypeMapper, UnboundType};

/// The signature of `form`'s `variant`; a type the mapper cannot name is the caller's reason
/// to keep the method raw.
pub fn signature(
    types: &TypeMapper<'_>,
    form: &Idiomatic,
    variant: Variant,
) -> Result<RustSignature, UnboundType> {
    let full = variant == Variant::Full;
    let name = match variant {
        Variant::Short => form.name.clone(),
        Variant::Full => form.full_name.clone().unwrap_or_default(),
        Variant::Exclusive => form.mut_name.clone().unwrap_or_default(),
    };
    let receiver = match variant {
        Variant::Exclusive => Receiver::Exclusive,
        _ => form.receiver,
    };
    let mut params = Vec::new();
    for arg in &form.args {
        if let Role::In { ty, optional } = &arg.role {
            if full || arg.default.is_none() {
                params.push((arg.name.clone(), input(types, ty, *optional)?));
            }
        }
    }
    Ok(RustSignature {
        unsafety: form.safety.is_some(),
        name,
        receiver,
        params,
        output: result(types, form, variant)?,
    })
}

/// The result type of a form's variant; `None` for `()`.
fn result(
    types: &TypeMapper<'_>,
    form: &Idiomatic,
    variant: Variant,
) -> Result<Option<RustType>, UnboundType> {
    let full = variant == Variant::Full;
    let mut outputs = Vec::new();
    for arg in form.args.iter().filter(|a| full || a.default.is_none()) {
        match &arg.role {
            Role::Out(out) => outputs.push(output(types, out)?),
            Role::InOutLength { count, .. } => outputs.push(mapped(types, count)?),
            _ => {}
        }
    }
    Ok(match &form.ret {
        Ret::Result => Some(RustType::path(
            "::httpserv_runtime::Result",
            vec![GenericArg::Type(RustType::tuple(outputs))],
        )),
        Ret::Unit if outputs.is_empty() => None,
        Ret::Unit => Some(RustType::tuple(outputs)),
        ret => {
            let mut items = vec![returned(types, ret, variant == Variant::Exclusive)?];
            items.extend(outputs);
            Some(RustType::tuple(items))
        }
    })
}

fn input(types: &TypeMapper<'_>, ty: &In, optional: bool) -> Result<RustType, UnboundType> {
    let path = |text| RustType::path(text, Vec::new());
    let chunk = || RustType::path("::httpserv_runtime::DataChunk", vec![anonymous_lifetime()]);
    let slice = |elem| RustType::Slice(Box::new(path(elem)));
    let inner = match ty {
        In::CStr => RustType::reference(false, path("::core::ffi::CStr")),
        In::WideCStr => RustType::reference(false, path("::httpserv_runtime::U16CStr")),
        In::Bytes => RustType::reference(false, slice("u8")),
        In::Wide => RustType::reference(false, slice("u16")),
        In::BytesMut => RustType::reference(true, slice("u8")),
        In::WideMut => RustType::reference(true, slice("u16")),
        In::Chunks => RustType::reference(false, RustType::Slice(Box::new(chunk()))),
        In::Chunk => RustType::reference(false, chunk()),
        In::Bool => path("bool"),
        In::Value(t) => mapped(types, t)?,
        In::Ref(t) => RustType::reference(false, mapped(types, t)?),
        In::RefMut(t) => RustType::reference(true, mapped(types, t)?),
        In::Interface(class) => RustType::reference(false, object(types, class)),
        In::InterfaceMut(class) => RustType::reference(true, object(types, class)),
        In::Owned(class) => RustType::path(
            "::httpserv_runtime::Owned",
            vec![GenericArg::Type(object(types, class))],
        ),
    };
    Ok(if optional {
        RustType::option(inner)
    } else {
        inner
    })
}

fn output(types: &TypeMapper<'_>, out: &Out) -> Result<RustType, UnboundType> {
    let optional_ref = |inner, mutable, optional| {
        let reference = RustType::reference(mutable, inner);
        if optional {
            RustType::option(reference)
        } else {
            reference
        }
    };
    Ok(match out {
        Out::Value(t) => mapped(types, t)?,
        Out::Bool => RustType::path("bool", Vec::new()),
        Out::Interface {
            class,
            mutable,
            optional,
        } => optional_ref(object(types, class), *mutable, *optional),
        Out::Ref {
            ty,
            mutable,
            optional,
        } => optional_ref(mapped(types, ty)?, *mutable, *optional),
        Out::Buffer { wide, .. } => RustType::reference(false, element_slice(*wide)),
        Out::BufferMut { .. } => RustType::reference(true, element_slice(false)),
        Out::Child { class, parent, .. } => RustType::path(
            "::httpserv_runtime::Child",
            vec![
                anonymous_lifetime(),
                GenericArg::Type(object(types, parent)),
                GenericArg::Type(object(types, class)),
            ],
        ),
        Out::Str { wide } => string(*wide),
    })
}

/// The type of what the raw call returned, when it is neither an `HRESULT` nor nothing;
/// `exclusive` for the `_mut` form, whose object comes back exclusive.
fn returned(types: &TypeMapper<'_>, ret: &Ret, exclusive: bool) -> Result<RustType, UnboundType> {
    Ok(match ret {
        Ret::Unit | Ret::Result => RustType::Tuple(Vec::new()),
        Ret::Bool => RustType::path("bool", Vec::new()),
        Ret::Value(t) | Ret::Pointer(t) => mapped(types, t)?,
        Ret::Str { wide } => string(*wide),
        Ret::Buffer { wide, .. } => {
            RustType::option(RustType::reference(false, element_slice(*wide)))
        }
        Ret::Interface { class, mutable } => RustType::option(RustType::reference(
            *mutable || exclusive,
            object(types, class),
        )),
        Ret::Ref { ty, mutable } => {
            RustType::option(RustType::reference(*mutable, mapped(types, ty)?))
        }
    })
}

/// `Option<&CStr>` / `Option<&U16CStr>`.
fn string(wide: bool) -> RustType {
    let path = if wide {
        "::httpserv_runtime::U16CStr"
    } else {
        "::core::ffi::CStr"
    };
    RustType::option(RustType::reference(false, RustType::path(path, Vec::new())))
}

/// `[u8]` / `[u16]`.
fn element_slice(wide: bool) -> RustType {
    let element = if wide { "u16" } else { "u8" };
    RustType::Slice(Box::new(RustType::path(element, Vec::new())))
}

fn anonymous_lifetime() -> GenericArg {
    GenericArg::Lifetime("_".into())
}

/// An interface (a class or an opaque type of the API), by the name the naming pass gave it.
fn object(types: &TypeMapper<'_>, class: &str) -> RustType {
    RustType::path(types.names.type_name(class).unwrap_or(class), Vec::new())
}

/// The type mapper's Rust type for `ty`.
fn mapped(types: &TypeMapper<'_>, ty: &Type) -> Result<RustType, UnboundType> {
    let tokens = types.rust(ty)?;
    let parsed: syn::Type = syn::parse2(tokens).expect("the type mapper writes Rust types");
    Ok(RustType::from_syn(&parsed))
}
