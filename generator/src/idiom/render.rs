//! The Rust signature of an idiomatic form as text, the way its docs and the ABI manifest
//! show it (`fn header(&self, name: &CStr) -> Option<&[u8]>`): paths shortened to their
//! last segment.

use super::{Idiomatic, In, Out, Receiver, Ret, Role};
use crate::ir::Type;
use crate::rust_types::TypeMapper;

/// The signature of the short form, or of the full form when `full`.
pub fn signature(types: &TypeMapper<'_>, form: &Idiomatic, full: bool) -> String {
    let name = match (&form.full_name, full) {
        (Some(full_name), true) => full_name,
        _ => &form.name,
    };
    let receiver = match form.receiver {
        Receiver::Shared => "&self",
        Receiver::Exclusive => "&mut self",
    };
    let mut params = vec![receiver.to_string()];
    for arg in &form.args {
        if let Role::In { ty, optional } = &arg.role {
            if full || arg.default.is_none() {
                params.push(format!("{}: {}", arg.name, input(types, ty, *optional)));
            }
        }
    }
    let result = result(types, form, full);
    let arrow = if result.is_empty() {
        String::new()
    } else {
        format!(" -> {result}")
    };
    let qualifier = if form.safety.is_some() { "unsafe " } else { "" };
    format!("{qualifier}fn {name}({}){arrow}", params.join(", "))
}

/// The Rust result type of a form (empty for `()`).
pub fn result(types: &TypeMapper<'_>, form: &Idiomatic, full: bool) -> String {
    let outputs: Vec<String> = form
        .args
        .iter()
        .filter(|a| full || a.default.is_none())
        .filter_map(|a| match &a.role {
            Role::Out(out) => Some(output(types, out)),
            Role::InOutLength { count, .. } => Some(short(types, count)),
            _ => None,
        })
        .collect();
    let tuple = |items: &[String]| match items {
        [] => "()".to_string(),
        [one] => one.clone(),
        many => format!("({})", many.join(", ")),
    };
    match &form.ret {
        Ret::Result => format!("Result<{}>", tuple(&outputs)),
        Ret::Unit if outputs.is_empty() => String::new(),
        Ret::Unit => tuple(&outputs),
        ret => {
            let mut items = vec![returned(types, ret)];
            items.extend(outputs);
            tuple(&items)
        }
    }
}

fn input(types: &TypeMapper<'_>, ty: &In, optional: bool) -> String {
    let text = match ty {
        In::CStr => "&CStr".to_string(),
        In::WideCStr => "&U16CStr".to_string(),
        In::Bytes => "&[u8]".to_string(),
        In::Wide => "&[u16]".to_string(),
        In::BytesMut => "&mut [u8]".to_string(),
        In::WideMut => "&mut [u16]".to_string(),
        In::Chunk => "&DataChunk<'_>".to_string(),
        In::Chunks => "&[DataChunk<'_>]".to_string(),
        In::Bool => "bool".to_string(),
        In::Value(t) => short(types, t),
        In::Ref(t) => format!("&{}", short(types, t)),
        In::RefMut(t) => format!("&mut {}", short(types, t)),
        In::Interface(class) => format!("&{}", object(types, class)),
        In::InterfaceMut(class) => format!("&mut {}", object(types, class)),
        In::Owned(class) => format!("Owned<{}>", object(types, class)),
    };
    if optional {
        format!("Option<{text}>")
    } else {
        text
    }
}

fn output(types: &TypeMapper<'_>, out: &Out) -> String {
    match out {
        Out::Value(t) => short(types, t),
        Out::Bool => "bool".into(),
        Out::Interface {
            class,
            mutable,
            optional,
        } => optional_ref(
            &format!(
                "&{}{}",
                if *mutable { "mut " } else { "" },
                object(types, class)
            ),
            *optional,
        ),
        Out::Buffer { wide, .. } => if *wide { "&[u16]" } else { "&[u8]" }.into(),
        Out::Child { class, parent, .. } => format!(
            "Child<'_, {}, {}>",
            object(types, parent),
            object(types, class)
        ),
        Out::BufferMut { .. } => "&mut [u8]".into(),
        Out::Str { wide } => if *wide {
            "Option<&U16CStr>"
        } else {
            "Option<&CStr>"
        }
        .into(),
        Out::Ref {
            ty,
            mutable,
            optional,
        } => optional_ref(
            &format!(
                "&{}{}",
                if *mutable { "mut " } else { "" },
                short(types, ty)
            ),
            *optional,
        ),
    }
}

fn returned(types: &TypeMapper<'_>, ret: &Ret) -> String {
    match ret {
        Ret::Unit | Ret::Result => "()".into(),
        Ret::Bool => "bool".into(),
        Ret::Value(t) | Ret::Pointer(t) => short(types, t),
        Ret::Str { wide } => if *wide {
            "Option<&U16CStr>"
        } else {
            "Option<&CStr>"
        }
        .into(),
        Ret::Buffer { wide, .. } => if *wide {
            "Option<&[u16]>"
        } else {
            "Option<&[u8]>"
        }
        .into(),
        Ret::Interface { class, mutable } => {
            format!(
                "Option<&{}{}>",
                if *mutable { "mut " } else { "" },
                object(types, class)
            )
        }
        Ret::Ref { ty, mutable } => format!(
            "Option<&{}{}>",
            if *mutable { "mut " } else { "" },
            short(types, ty)
        ),
    }
}

/// An interface's Rust name (the naming pass's): a class or an opaque type of the API.
fn object<'a>(types: &'a TypeMapper<'_>, class: &'a str) -> &'a str {
    types.names.type_name(class).unwrap_or(class)
}

fn optional_ref(text: &str, optional: bool) -> String {
    if optional {
        format!("Option<{text}>")
    } else {
        text.to_string()
    }
}

/// A type's Rust spelling with every path cut to its last segment (`u32`, `HTTP_HEADER_ID`,
/// `*mut c_void`).
fn short(types: &TypeMapper<'_>, ty: &Type) -> String {
    let tokens = types
        .rust(ty)
        .map(|t| t.to_string())
        .unwrap_or_else(|_| ty.spelling.clone());
    let compact = tokens
        .replace("* const ", "*const ")
        .replace("* mut ", "*mut ")
        .replace(":: ", "::")
        .replace(" ::", "::")
        .replace(" < ", "<")
        .replace(" >", ">");
    let separators = [' ', '<', '>', '(', ')', ','];
    let mut out = String::new();
    for word in compact.split_inclusive(separators) {
        let (path, tail) = word.split_at(word.trim_end_matches(separators).len());
        out.push_str(path.rsplit("::").next().unwrap_or(path));
        out.push_str(tail);
    }
    out
}
