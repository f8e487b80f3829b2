//! Section 2: regen against bindgen on the same header, with what each output holds (our
//! MSVC vtables next to bindgen's declaration-order ones).

use super::*;
use serde_json::Map;
use std::fmt::Write;

/// A class's vtable as the checked-in bindings lay it out, from `generated/abi.json`: (slot,
/// Rust field, C++ declaration).
fn our_vtable(class: &str) -> Vec<(usize, String, String)> {
    let text = std::fs::read_to_string(crate::workspace_root().join("generated/abi.json"))
        .unwrap_or_default();
    let Ok(manifest) = generator::manifest::from_json(&text) else {
        return Vec::new();
    };
    manifest
        .class(class)
        .map(|c| {
            c.slots
                .iter()
                .map(|s| (s.index, s.field.clone(), s.cpp.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// Field names of bindgen's `<class>__bindgen_vtable`, in order.
fn bindgen_vtable(output: &str, class: &str) -> Vec<String> {
    let head = format!("pub struct {class}__bindgen_vtable {{\n");
    let Some(start) = output.find(&head) else {
        return Vec::new();
    };
    let body = &output[start + head.len()..];
    let body = &body[..body.find("\n}").unwrap_or(body.len())];
    body.lines()
        .filter_map(|l| l.strip_prefix("    pub "))
        .filter_map(|l| l.split(':').next())
        .map(str::to_string)
        .collect()
}

pub(super) fn section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 2. regen against bindgen\n");
    let Some(b) = v.p()["bindgen"].as_object() else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    scopes(md, b);
    times(md, v);
    what_bindgen_lacks(md, b);
    first_slots(md, v);
    excerpts(md, b);
}

/// How bindgen was run, and the two scopes timed.
fn scopes(md: &mut String, b: &Map<String, Value>) {
    let _ = writeln!(
        md,
        "bindgen {} (pinned `=0.73.2`, a dev-dependency of the generator used only by its \
         `pipeline` bench; feature `runtime`, so it drives the same run-time-loaded libclang — \
         its `clang_version()` above), on the same in-memory prelude and compiler arguments, \
         with `.vtable_generation(true)`, `.detect_include_paths(false)` (otherwise bindgen adds \
         the host's Linux include directories to our `-nostdinc` MSVC command line) and the \
         prettyplease formatter (ours; bindgen's default runs `rustfmt`). Timed: \
         `Builder::generate()` plus `Bindings::write_to_file` to a temp dir. Two scopes:\n\n\
         - **allowlisted**: `.allowlist_file(\".*/httpserv\\.h\")` — the header's classes, enums, \
         typedefs and constants plus the http.h/windows.h types they reach ({} of output). \
         This is the comparable scope (our bindings take the Windows types from windows-sys) \
         and the one the target is checked against.\n\
         - **everything**: bindgen's default, the whole translation unit with windows.h ({} of \
         output).\n",
        b["version"].as_str().unwrap_or("?"),
        bytes(b["allowlisted_bytes"].as_u64().unwrap_or(0)),
        bytes(b["everything_bytes"].as_u64().unwrap_or(0)),
    );
}

/// The times of regen and of bindgen's two scopes, and the verdict against the target.
fn times(md: &mut String, v: &View) {
    let regen = v.m("regen.full");
    let _ = writeln!(md, "| generator | time | regen ÷ it |\n| --- | --- | --- |");
    let _ = writeln!(
        md,
        "| regen (whole, section 1) | {} | |",
        v.s("regen.full").cell()
    );
    let _ = writeln!(
        md,
        "| bindgen, allowlisted | {} | **{}** |",
        v.s("bindgen.allowlisted").cell(),
        ratio(regen, v.m("bindgen.allowlisted"))
    );
    let _ = writeln!(
        md,
        "| bindgen, everything | {} | {} |\n",
        v.s("bindgen.everything").cell(),
        ratio(regen, v.m("bindgen.everything"))
    );
    let r2 = regen / v.m("bindgen.allowlisted");
    let _ = writeln!(
        md,
        "**regen ÷ bindgen = {r2:.2}×** (target ≤ {REGEN_VS_BINDGEN}×: {}). Both pay the same \
         libclang parse; bindgen then resolves every reachable type of windows.h/http.h into its \
         own IR and generates layout tests for each, which regen leaves to windows-sys.\n",
        if r2 <= REGEN_VS_BINDGEN {
            "met"
        } else {
            "missed"
        }
    );
}

/// What bindgen's allowlisted output gets wrong or leaves out, counted against our layout.
fn what_bindgen_lacks(md: &mut String, b: &Map<String, Value>) {
    let n = |k: &str| b[k].as_u64().unwrap_or(0);
    let _ = writeln!(
        md,
        "### What bindgen's output lacks\n\n\
         Counted in its allowlisted output against our layout, which check-abi verifies against \
         clang's MSVC ABI:\n\n\
         - **classes with a base get no vtable of their own**: {} of the {} classes derive from \
         another and come out as `struct X {{ pub _base: Base }}` — their {} new virtual \
         functions are simply absent (bindgen: \"only for classes that do not inherit\");\n\
         - **classes with a virtual destructor get an empty vtable**: {} (`X__bindgen_vtable {{}}`, \
         e.g. `CHttpModule`, whose notifications are what a module implements);\n\
         - **slot order**: bindgen lists methods in declaration order; MSVC groups overloads at \
         the first declaration in *reverse* order. Of the {} virtual functions bindgen does list \
         ({} vtables), {} sit at the wrong index — every call through one of them calls a \
         different method;\n\
         - **calling convention**: every slot is `unsafe extern \"C\" fn` ({} `thiscall`), which \
         is wrong for x86 IIS (MSVC member functions are `thiscall` on i686);\n\
         - no `IID`s (`__declspec(uuid)` is dropped), no callable wrappers, no way to implement \
         a class from Rust (no `_Impl` traits or vtable constructors), overloads named by \
         counter (`GetHeader1`) rather than by type.\n\n\
         In all, bindgen describes {} of the {} virtual functions, {} of them at the right slot.\n",
        n("derived_without_vtable"),
        n("classes"),
        n("functions_total").saturating_sub(n("functions_present")),
        n("vtables_empty"),
        n("functions_present"),
        n("vtables_with_fields"),
        n("functions_misplaced"),
        n("thiscall"),
        n("functions_present"),
        n("functions_total"),
        n("functions_present").saturating_sub(n("functions_misplaced")),
    );
}

/// `IHttpRequest`'s first slots side by side: ours and bindgen's field at the same index.
fn first_slots(md: &mut String, v: &View) {
    let ours = our_vtable("IHttpRequest");
    let theirs =
        v.r.bindgen_output
            .as_deref()
            .map(|o| bindgen_vtable(o, "IHttpRequest"))
            .unwrap_or_default();
    if !ours.is_empty() && !theirs.is_empty() {
        let _ = writeln!(
            md,
            "`IHttpRequest`'s first slots — ours (`generated/`, verified by check-abi) against \
             bindgen's `IHttpRequest__bindgen_vtable`:\n"
        );
        let _ = writeln!(
            md,
            "| slot | C++ method at this slot (MSVC) | ours | bindgen's field at this index |"
        );
        let _ = writeln!(md, "| --- | --- | --- | --- |");
        for (slot, field, decl) in ours.iter().take(8) {
            let theirs = theirs.get(*slot).map(String::as_str).unwrap_or("–");
            let _ = writeln!(md, "| {slot} | `{decl}` | `{field}` | `{theirs}` |");
        }
        md.push('\n');
    }
}

/// bindgen's own output for two classes.
fn excerpts(md: &mut String, b: &Map<String, Value>) {
    if let Some(excerpt) = b["excerpts"]["IHttpRequest2"].as_str() {
        let _ = writeln!(
            md,
            "bindgen's `IHttpRequest2` (its four new methods are nowhere in the output):\n\n```rust\n{}```\n",
            excerpt
        );
    }
    if let Some(excerpt) = b["excerpts"]["IHttpRequest"].as_str() {
        let lines: Vec<&str> = excerpt.lines().collect();
        let shown = lines
            .iter()
            .take(20)
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        let _ = writeln!(
            md,
            "<details><summary>bindgen's <code>IHttpRequest__bindgen_vtable</code> (first 20 of {} lines)</summary>\n\n```rust\n{shown}\n    // …\n```\n</details>\n",
            lines.len()
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_bindgen_vtable_fields() {
        let output = "pub struct IHttpRequest__bindgen_vtable {\n    pub IHttpRequest_A: unsafe extern \"C\" fn(\n        this: *mut IHttpRequest,\n    ),\n    pub IHttpRequest_B: unsafe extern \"C\" fn(this: *const IHttpRequest),\n}\n";
        assert_eq!(
            super::bindgen_vtable(output, "IHttpRequest"),
            ["IHttpRequest_A", "IHttpRequest_B"]
        );
    }
}
