//! Doc comments for emitted items: the C++ declaration, slot and byte offsets per target,
//! default arguments, and a link to Microsoft's IIS native-code API reference (a link
//! only; no text is copied from it). A link goes only to a page the reference has
//! (`generator/data/iis-reference-pages.txt`): a method's own page, else its class's, else
//! the Web Server Core API reference.

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

/// The reference's page names, one per line after the `#` header.
const PAGES: &str = include_str!("../../data/iis-reference-pages.txt");

/// The page every class and method falls back to: the index of the server API.
const FALLBACK_PAGE: &str = "web-server-core-api-reference";

/// Whether the reference has a page of this name.
fn page_exists(page: &str) -> bool {
    PAGES
        .lines()
        .filter(|line| !line.starts_with('#'))
        .any(|line| line == page)
}

fn link(page: &str) -> String {
    format!("{REFERENCE}/{page}")
}

/// The page Microsoft would name for a class, if it has one.
fn class_page(class: &str) -> Option<String> {
    let kind = if class.starts_with('C') {
        "class"
    } else {
        "interface"
    };
    let page = format!("{}-{kind}", class.to_ascii_lowercase());
    page_exists(&page).then_some(page)
}

pub fn class_link(class: &str) -> String {
    link(&class_page(class).unwrap_or_else(|| FALLBACK_PAGE.into()))
}

pub fn method_link(class: &str, method: &Method) -> String {
    let name = method.name.trim_start_matches('~');
    let page = format!(
        "{}-{}-method",
        class.to_ascii_lowercase(),
        name.to_ascii_lowercase()
    );
    if page_exists(&page) {
        link(&page)
    } else {
        class_link(class)
    }
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
