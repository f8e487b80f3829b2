//! Doc comments for emitted items: the C++ declaration, slot and byte offsets per target,
//! default arguments, and a link to Microsoft's IIS native-code API reference (a link
//! only; no text is copied from it).

use crate::ir::Method;
use crate::layout::Slot;
use crate::toolchain::Target;
use proc_macro2::TokenStream;
use quote::quote;

const REFERENCE: &str =
    "https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference";

/// Turns lines into `#[doc = "..."]` attributes.
pub fn doc_lines(lines: &[String]) -> TokenStream {
    let docs = lines.iter().map(|line| {
        let line = format!(" {line}");
        quote!(#[doc = #line])
    });
    quote!(#(#docs)*)
}

pub fn class_link(class: &str) -> String {
    let page = if class.starts_with('C') {
        format!("{}-class", class.to_ascii_lowercase())
    } else {
        format!("{}-interface", class.to_ascii_lowercase())
    };
    format!("{REFERENCE}/{page}")
}

pub fn method_link(class: &str, method: &Method) -> String {
    let name = method.name.trim_start_matches('~');
    format!(
        "{REFERENCE}/{}-{}-method",
        class.to_ascii_lowercase(),
        name.to_ascii_lowercase()
    )
}

/// The doc lines of one vtable slot.
pub fn slot_doc(declared_in: &str, method: &Method, slot: &Slot) -> Vec<String> {
    let mut lines = vec![
        format!("`{}`", method.cpp_declaration()),
        String::new(),
        format!(
            "Slot {} of `{declared_in}`'s vtable: byte offset {} on x86_64, {} on x86.",
            slot.index,
            slot.byte_offset(Target::X86_64),
            slot.byte_offset(Target::I686),
        ),
    ];
    if method.is_destructor {
        lines.push(String::new());
        lines.push(
            "MSVC's scalar deleting destructor: `this` and a hidden `unsigned int` flags \
             argument (bit 0: free the memory), returning `this`."
                .into(),
        );
    }
    let defaults: Vec<String> = method
        .params
        .iter()
        .filter_map(|p| p.default.as_ref().map(|d| format!("`{} = {d}`", p.name)))
        .collect();
    if !defaults.is_empty() {
        lines.push(String::new());
        lines.push(format!(
            "Default arguments in C++: {}.",
            defaults.join(", ")
        ));
    }
    if method.is_const {
        lines.push(String::new());
        lines.push("A `const` method: `this` is `*const`.".into());
    }
    if method.name != method.compiled_name {
        lines.push(String::new());
        lines.push(format!(
            "windows.h renames this method to `{}` when compiling C++.",
            method.compiled_name
        ));
    }
    if !method.is_destructor {
        lines.push(String::new());
        lines.push(format!(
            "[Microsoft documentation]({})",
            method_link(declared_in, method)
        ));
    }
    lines
}
