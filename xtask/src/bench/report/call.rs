//! Section 4: the cost of a wrapper call against a raw vtable call (instructions, asm).

use super::*;
use crate::bench::call_overhead::CallOverhead;
use std::fmt::Write;

pub(super) fn section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 4. Call overhead of the generated wrappers\n");
    let Some(c) = &v.r.call else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    method(md);
    instructions(md, c);
    assembly(md, c);
    idiomatic_assembly(md, c);
    result(md, c);
}

/// The throwaway crate, its three call spellings, and the two measures.
fn method(md: &mut String) {
    let _ = writeln!(
        md,
        "A throwaway crate (in a temp dir, depending on `generated/`) calls \
         `IHttpRequest::GetHeader` through a fake C++ object whose vtable slots all point at one \
         `#[inline(never)] extern \"system\"` function, built in release mode three times: once with the \
         generated wrapper `(*request).GetHeader(name, &mut len)`, once with the hand-written \
         vtable call `((*(*request).vtable).GetHeader)(request, name, &mut len)`, and once \
         with the idiomatic method `(*request).header(c\"Host\")` (`&CStr` in, `Option<&[u8]>` \
         out, the length parameter hidden). The object pointer goes through `black_box`, so no \
         call can be devirtualized.\n\n\
         - **instructions**: `valgrind --tool=callgrind --toggle-collect=run_calls`, a loop of \
         {} calls (the callee's instructions included, the same in both);\n\
         - **assembly**: `one_call` (a single call, `#[inline(never)]`) from \
         `cargo rustc --release --lib -- --emit asm`, on x86_64 Linux and on \
         `i686-pc-windows-msvc`, where the slot is `extern \"thiscall\"`.\n",
        thousands(crate::bench::call_overhead::CALLS)
    );
}

/// callgrind's instruction counts, per spelling.
fn instructions(md: &mut String, c: &CallOverhead) {
    let per_call = |n: Option<u64>| {
        n.map(|n| {
            format!(
                "{:.2}",
                n as f64 / crate::bench::call_overhead::CALLS as f64
            )
        })
        .unwrap_or_else(|| "–".into())
    };
    let _ = writeln!(
        md,
        "| call | instructions in `run_calls` | per call |\n| --- | --- | --- |"
    );
    for (name, variant) in [
        ("generated wrapper", &c.wrapper),
        ("raw vtable call", &c.direct),
        ("idiomatic `header`", &c.idiomatic),
    ] {
        let _ = writeln!(
            md,
            "| {name} | {} | {} |",
            variant
                .instructions
                .map(thousands)
                .unwrap_or_else(|| "–".into()),
            per_call(variant.instructions)
        );
    }
    md.push('\n');
}

/// `one_call`'s assembly on each target, the wrapper against the raw call.
fn assembly(md: &mut String, c: &CallOverhead) {
    for (target, wrapper, direct) in [
        (
            "x86_64-unknown-linux-gnu",
            &c.wrapper.asm_x86_64,
            &c.direct.asm_x86_64,
        ),
        (
            "i686-pc-windows-msvc",
            &c.wrapper.asm_i686,
            &c.direct.asm_i686,
        ),
    ] {
        if wrapper.is_empty() && direct.is_empty() {
            continue;
        }
        let same = wrapper == direct;
        let _ = writeln!(
            md,
            "`one_call` on {target}: {}\n\n```asm\n{}\n```\n",
            if same {
                "identical instructions for both spellings:".to_string()
            } else {
                format!(
                    "**differs** — wrapper:\n\n```asm\n{}\n```\n\nraw:",
                    wrapper.join("\n")
                )
            },
            direct.join("\n")
        );
    }
}

/// `one_call`'s assembly with the idiomatic method, where it differs from the raw call.
fn idiomatic_assembly(md: &mut String, c: &CallOverhead) {
    for (target, idiomatic, direct) in [
        (
            "x86_64-unknown-linux-gnu",
            &c.idiomatic.asm_x86_64,
            &c.direct.asm_x86_64,
        ),
        (
            "i686-pc-windows-msvc",
            &c.idiomatic.asm_i686,
            &c.direct.asm_i686,
        ),
    ] {
        if idiomatic.is_empty() || idiomatic == direct {
            continue;
        }
        let _ = writeln!(
            md,
            "`one_call` with the idiomatic `header` on {target} (the slice construction: a \
             null check and the length widened):\n\n```asm\n{}\n```\n",
            idiomatic.join("\n")
        );
    }
}

/// The notes of the run, and whether the wrapper and the raw call are the same code.
fn result(md: &mut String, c: &CallOverhead) {
    for note in &c.notes {
        let _ = writeln!(md, "Note: {note}\n");
    }
    let met = c.wrapper.instructions == c.direct.instructions
        && c.wrapper.asm_x86_64 == c.direct.asm_x86_64
        && c.wrapper.asm_i686 == c.direct.asm_i686;
    let _ = writeln!(
        md,
        "Result: {} — the wrappers are `#[inline(always)]` and compile to the vtable load and \
         the indirect call, nothing else.\n",
        if met {
            "**identical**"
        } else {
            "**not identical**"
        }
    );
}
