//! The Rust signature of an idiomatic form as text, the way its docs and the ABI manifest
//! show it (`fn header(&self, name: &CStr) -> Option<&[u8]>`): paths shortened to their
//! last segment.

use super::{Idiomatic, In, Out, Receiver, Ret, Role};
use crate::ir::{Api, Type};
use crate::rust_types::TypeMapper;

/// The signature of the short form, or of the full form when `full`.
pub fn signature(api: &Api, form: &Idiomatic, full: bool) -> String {
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
                params.push(format!("{}: {}", arg.name, input(api, ty, *optional)));
            }
        }
    }
    let result = result(api, form, full);
    let arrow = if result.is_empty() {
        String::new()
    } else {
        format!(" -> {result}")
    };
    format!("fn {name}({}){arrow}", params.join(", "))
}

/// The Rust result type of a form (empty for `()`).
pub fn result(api: &Api, form: &Idiomatic, full: bool) -> String {
    let outputs: Vec<String> = form
        .args
        .iter()
        .filter(|a| full || a.default.is_none())
        .filter_map(|a| match &a.role {
            Role::Out(out) => Some(output(api, out)),
            Role::InOutLength { .. } => Some("u32".into()),
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
            let mut items = vec![returned(api, ret)];
            items.extend(outputs);
            tuple(&items)
        }
    }
}

fn input(api: &Api, ty: &In, optional: bool) -> String {
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
        In::Value(t) => short(api, t),
        In::Ref(t) => format!("&{}", short(api, t)),
        In::RefMut(t) => format!("&mut {}", short(api, t)),
        In::Interface(class) => format!("&{class}"),
        In::Owned(class) => format!("Owned<{class}>"),
    };
    if optional {
        format!("Option<{text}>")
    } else {
        text
    }
}

fn output(api: &Api, out: &Out) -> String {
    match out {
        Out::Value(t) => short(api, t),
        Out::Bool => "bool".into(),
        Out::Interface {
            class,
            mutable,
            optional,
        } => optional_ref(
            &format!("&{}{class}", if *mutable { "mut " } else { "" }),
            *optional,
        ),
        Out::Buffer { wide, .. } => if *wide { "&[u16]" } else { "&[u8]" }.into(),
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
            &format!("&{}{}", if *mutable { "mut " } else { "" }, short(api, ty)),
            *optional,
        ),
    }
}

fn returned(api: &Api, ret: &Ret) -> String {
    match ret {
        Ret::Unit | Ret::Result => "()".into(),
        Ret::Bool => "bool".into(),
        Ret::Value(t) | Ret::Pointer(t) => short(api, t),
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
            format!("Option<&{}{class}>", if *mutable { "mut " } else { "" })
        }
        Ret::Ref { ty, mutable } => format!(
            "Option<&{}{}>",
            if *mutable { "mut " } else { "" },
            short(api, ty)
        ),
    }
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
fn short(api: &Api, ty: &Type) -> String {
    let tokens = TypeMapper { api }
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
