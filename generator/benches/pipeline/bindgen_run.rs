//! What users would otherwise pick: bindgen on the same translation unit — the same libclang
//! (run-time loaded, the library this process already holds), the same prelude under the
//! same name, the same compiler arguments — with C++ vtable generation on.
//!
//! Two scopes: `allowlisted` (`allowlist_file` of the header: its classes, enums, typedefs
//! and constants, plus the http.h / windows.h types they reach — the scope our bindings
//! cover, where windows-sys supplies the rest) and `everything` (bindgen's default: the whole
//! translation unit, windows.h included).

use generator::toolchain::{self, IncludeSetup, Target};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Allowlisted,
    Everything,
}

/// Builder for one run. `detect_include_paths(false)`: bindgen would otherwise ask the host
/// clang for Linux's system include directories and add them to our `-nostdinc` MSVC command
/// line. The formatter is prettyplease, as ours (bindgen's default runs `rustfmt`).
fn builder(
    header: &Path,
    includes: &IncludeSetup,
    scope: Scope,
) -> Result<bindgen::Builder, String> {
    let absolute = std::path::absolute(header).map_err(|e| e.to_string())?;
    let mut builder = bindgen::Builder::default()
        .header_contents(
            "httpserv-rs-prelude.cpp",
            &toolchain::prelude(&absolute.display().to_string()),
        )
        .clang_args(toolchain::compiler_args(includes, Target::X86_64))
        .vtable_generation(true)
        .detect_include_paths(false)
        .formatter(bindgen::Formatter::Prettyplease);
    if scope == Scope::Allowlisted {
        let file_name = absolute
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        builder = builder.allowlist_file(format!(".*/{}", regex_escape(&file_name)));
    }
    Ok(builder)
}

fn regex_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escape = !c.is_ascii_alphanumeric() && c != '_';
            escape.then_some('\\').into_iter().chain([c])
        })
        .collect()
}

/// Generates and writes the bindings to `out`; returns the bytes written.
pub fn run(
    header: &Path,
    includes: &IncludeSetup,
    scope: Scope,
    out: &Path,
) -> Result<usize, String> {
    let bindings = builder(header, includes, scope)?
        .generate()
        .map_err(|e| format!("bindgen: {e}"))?;
    bindings
        .write_to_file(out)
        .map_err(|e| format!("bindgen: writing {}: {e}", out.display()))?;
    Ok(std::fs::metadata(out)
        .map(|m| m.len() as usize)
        .unwrap_or(0))
}

/// The libclang bindgen reports using (must be ours).
pub fn clang_version() -> String {
    bindgen::clang_version().full
}

/// The `struct <Class>__bindgen_vtable` item of `class` in bindgen's output, with the class
/// struct that holds it, for the report.
pub fn vtable_excerpt(output: &str, class: &str) -> String {
    let mut text = String::new();
    for name in [format!("{class}__bindgen_vtable"), class.to_string()] {
        let head = format!("\npub struct {name} ");
        let Some(start) = output.find(&head).map(|i| i + 1) else {
            continue;
        };
        // Back up over the attributes right above the item.
        let mut item_start = start;
        while let Some(line_start) = output[..item_start - 1].rfind('\n').map(|i| i + 1) {
            if !output[line_start..item_start].starts_with("#[") {
                break;
            }
            item_start = line_start;
        }
        let rest = &output[start..];
        let first_line = &rest[..rest.find('\n').unwrap_or(rest.len())];
        let end = if first_line.ends_with("{}") || first_line.ends_with(';') {
            first_line.len() + 1
        } else {
            rest.find("\n}\n").map(|i| i + 3).unwrap_or(rest.len())
        };
        text.push_str(&output[item_start..start + end]);
    }
    text
}

/// How bindgen's output covers the API's vtables, from the output and our (check-abi
/// verified) layout.
pub struct Coverage {
    /// `__bindgen_vtable` structs listing function pointers.
    pub vtables_with_fields: usize,
    /// `__bindgen_vtable {}`: classes with a virtual destructor.
    pub vtables_empty: usize,
    /// Classes with a base: bindgen gives them `_base` and no vtable of their own.
    pub derived_without_vtable: usize,
    /// Virtual functions present as a vtable field.
    pub functions_present: usize,
    /// Of those, the ones whose field index (bindgen keeps declaration order) differs from
    /// the MSVC slot.
    pub functions_misplaced: usize,
    pub functions_total: usize,
    pub thiscall: usize,
}

pub fn coverage(output: &str, model: &generator::layout::LaidOutApi) -> Coverage {
    let api = &model.api;
    let mut coverage = Coverage {
        vtables_with_fields: 0,
        vtables_empty: output.matches("__bindgen_vtable {}").count(),
        derived_without_vtable: 0,
        functions_present: 0,
        functions_misplaced: 0,
        functions_total: api.classes.iter().map(|c| c.methods.len()).sum(),
        thiscall: output.matches("\"thiscall\"").count(),
    };
    for class in &api.classes {
        let head = format!("pub struct {}__bindgen_vtable {{\n", class.name);
        let Some(start) = output.find(&head) else {
            if class.base.is_some() {
                coverage.derived_without_vtable += 1;
            }
            continue;
        };
        coverage.vtables_with_fields += 1;
        let body = &output[start + head.len()..];
        let body = &body[..body.find("\n}").unwrap_or(body.len())];
        let fields = body
            .lines()
            .filter(|l| l.starts_with("    pub ") && l.contains(": unsafe extern"))
            .count();
        coverage.functions_present += fields;
        if fields == class.methods.len() {
            coverage.functions_misplaced += (0..class.methods.len())
                .filter(|&i| model.layout(&class.name).method_slots[i] != Some(i))
                .count();
        }
    }
    coverage
}
