//! Section 7: the same IIS module as a Rust DLL and as a C++ DLL, through the IIS host; and
//! (row 7b) an `async fn` module against the same state machine written by hand in C++.

use super::*;
use crate::bench::iis_host::{EchoPair, IisHost};
use std::fmt::Write;

/// C++ time ÷ Rust time per request (≥ 1: Rust at least as fast), per round.
pub(super) fn speed_ratio(h: &IisHost) -> Series {
    h.cpp_pipeline
        .paired(&h.rust_pipeline, |cpp, rust| cpp / rust)
}

/// The summary row's measured text and whether the target (ratio ≥ 1.0) is met.
pub(super) fn summary(v: &View) -> (String, Option<bool>) {
    let Some(h) = &v.r.iis_host else {
        return ("–".into(), None);
    };
    let ratio = speed_ratio(h);
    let (r, c) = (h.rust_instructions.median(), h.cpp_instructions.median());
    let instructions = if r.is_nan() || c.is_nan() {
        String::new()
    } else {
        format!(
            "; instructions C++ ÷ Rust {:.3} (medians {c:.0} ÷ {r:.0})",
            c / r
        )
    };
    (
        format!(
            "time C++ ÷ Rust per round {}; medians {} ÷ {} per request{instructions}",
            ratio.ratio_cell(),
            nanos(h.cpp_pipeline.median()),
            nanos(h.rust_pipeline.median()),
        ),
        // Met only when both say so: the wall clock on 2 shared cores is noisy, instruction
        // counts are not.
        (!ratio.is_empty()).then(|| ratio.median() >= 1.0 && (c.is_nan() || r.is_nan() || c >= r)),
    )
}

/// Row 7b's measured text and whether C++ ÷ Rust ≥ 1.0 in instructions per request.
pub(super) fn echo_summary(v: &View) -> (String, Option<bool>) {
    let Some(e) = v.r.iis_host.as_ref().and_then(|h| h.echo.as_ref()) else {
        return ("–".into(), None);
    };
    let (r, c) = (e.rust_instructions.median(), e.cpp_instructions.median());
    let time = e
        .cpp_pipeline
        .paired(&e.rust_pipeline, |cpp, rust| cpp / rust);
    if r.is_nan() || c.is_nan() {
        return (
            format!(
                "instructions not counted; time C++ ÷ Rust per round {}",
                time.ratio_cell()
            ),
            None,
        );
    }
    (
        format!(
            "instructions C++ ÷ Rust {:.3} (medians {c:.0} ÷ {r:.0}, n={}); time C++ ÷ Rust per \
             round {}",
            c / r,
            e.rust_instructions.0.len().min(e.cpp_instructions.0.len()),
            time.ratio_cell()
        ),
        Some(c >= r),
    )
}

fn nanos(seconds: f64) -> String {
    if seconds.is_nan() {
        "–".into()
    } else {
        format!("{:.2} µs", seconds * 1e6)
    }
}

/// `9.19 µs (7.78–9.64, n=7)`.
fn micros(series: &Series) -> String {
    if series.is_empty() {
        return "–".into();
    }
    format!(
        "{:.2} µs ({:.2}–{:.2}, n={})",
        series.median() * 1e6,
        series.min() * 1e6,
        series.max() * 1e6,
        series.0.len()
    )
}

fn rate(series: &Series) -> String {
    if series.is_empty() {
        return "–".into();
    }
    format!(
        "{:.0} ({:.0}–{:.0}, n={})",
        series.median(),
        series.min(),
        series.max(),
        series.0.len()
    )
}

pub(super) fn section(md: &mut String, v: &View) {
    let _ = writeln!(
        md,
        "## 7. A module DLL in Rust against the same module in C++\n"
    );
    let Some(h) = &v.r.iis_host else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    method(md, v, h);
    per_request(md, h);
    if !h.instructions_note.is_empty() {
        let _ = writeln!(md, "Instructions not counted: {}\n", h.instructions_note);
    }
    let (_, met) = summary(v);
    let _ = writeln!(
        md,
        "Result (target: C++ ÷ Rust ≥ 1.0 for the time and, when counted, the whole-loop instructions): {}. The times are the pipeline's (each \
         pipeline run is one process, so the spread is the machine's and the 2 shared cores'). The \
         whole-loop instruction counts are nearly all the host's and wine's (the same code for \
         both languages) and move by several hundred per request from one process to the next \
         (wine's heap). The HTTP row's ratio is Rust ÷ C++ requests per second: there wine's \
         HTTP Server API and curl dominate.\n",
        verdict(met)
    );
    if let Some(e) = &h.echo {
        echo(md, v, h, e);
    }
}

/// Row 7b: `echo_module`'s asynchronous `GET /hello`, Rust against C++.
fn echo(md: &mut String, v: &View, h: &IisHost, e: &EchoPair) {
    let _ = writeln!(
        md,
        "### 7b. An `async fn` module against the same state machine by hand in C++\n\n\
         The same host and measures (pipeline: {} requests a run, {} runs of each; instructions: \
         {} requests under callgrind, three runs of each) with `echo_module` alone, serving `GET \
         {}`: at `RQ_EXECUTE_REQUEST_HANDLER` status 200 and `Content-Type`, then \
         `WriteEntityChunks` of 13 bytes with `fAsync`, `Flush` with `fAsync`, and \
         `RQ_NOTIFICATION_FINISH_REQUEST`. The Rust module is `tests/examples/echo_module.rs`, an \
         `async fn` the framework runs as a task (`HttpContext::spawn`); the C++ twin \
         (`tests/iis_host/modules/echo_module.cpp`) keeps a state enum and the chunk in its \
         per-request `CHttpModule` and steps it in a loop, going on in `OnAsyncCompletion` when \
         an operation is left pending. The host completes each operation at once \
         (`*pfCompletionPending` FALSE), so both go on in the same call: what is measured is \
         the machinery of the inline path, not a pending one. No HTTP row for this pair.\n",
        h.requests_per_run,
        e.rust_pipeline.0.len(),
        h.callgrind_requests,
        e.url
    );
    let _ = writeln!(
        md,
        "| per request | Rust DLL | C++ DLL | C++ ÷ Rust |\n| --- | --- | --- | --- |"
    );
    let time = e
        .cpp_pipeline
        .paired(&e.rust_pipeline, |cpp, rust| cpp / rust);
    let _ = writeln!(
        md,
        "| pipeline time, median (fastest–slowest, n) | {} | {} | {} per round |",
        micros(&e.rust_pipeline),
        micros(&e.cpp_pipeline),
        time.ratio_cell()
    );
    let _ = writeln!(
        md,
        "| instructions, whole loop (callgrind; median, range, n) | {} | {} | {} |",
        counts(&e.rust_instructions),
        counts(&e.cpp_instructions),
        ratio(e.cpp_instructions.median(), e.rust_instructions.median())
    );
    let _ = writeln!(
        md,
        "| instructions inside the module DLL's own code | {} | {} | {} |",
        counts(&e.rust_module_instructions),
        counts(&e.cpp_module_instructions),
        ratio(
            e.cpp_module_instructions.median(),
            e.rust_module_instructions.median()
        )
    );
    let _ = writeln!(
        md,
        "| DLL size | {} | {} | |\n",
        bytes(e.rust_dll_bytes),
        bytes(e.cpp_dll_bytes)
    );
    let (_, met) = echo_summary(v);
    let _ = writeln!(
        md,
        "Result (target, issue 26: C++ ÷ Rust ≥ 1.0 in whole-loop instructions per request): {}.\n",
        verdict(met)
    );
}

/// `30,341 (30,341–30,341, n=3)`.
fn counts(series: &Series) -> String {
    if series.is_empty() {
        return "–".to_string();
    }
    format!(
        "{} ({}–{}, n={})",
        thousands(series.median().round() as u64),
        thousands(series.min().round() as u64),
        thousands(series.max().round() as u64),
        series.0.len()
    )
}

/// The host, the modules, and the three ways requests are measured.
fn method(md: &mut String, v: &View, h: &IisHost) {
    let date = v.r.machine.as_ref().map(|m| m.date.as_str()).unwrap_or("");
    let _ = writeln!(
        md,
        "Measured on {date} by `{}`. The IIS host of `tests/iis_host` (C++, clang-19 for \
         `x86_64-pc-windows-msvc`, run by wine64) loads the example modules of `tests/examples` \
         (`minimal_module` and `hello_module`, Rust DLLs for `x86_64-pc-windows-gnu`, release with `lto = true` and one codegen \
         unit) or \
         their C++ twins of `tests/iis_host/modules` (clang-19, `-O2`, MSVC ABI) and serves `GET \
         {}`: the global module, two factories, both modules' notifications through the twelve \
         stages, stored context, server variables, a 14-byte body, `RQ_SEND_RESPONSE`, `Dispose`. \
         The host is the same for both, so its share of the work (headers, server variables, \
         wine's heap) is in both numbers; the difference is the modules'. Request memory is a \
         pool, as in IIS (4 KiB chunks handed out by bumping, freed with the request). The Rust \
         framework makes each request's module object in that pool (`IModuleAllocator`, the \
         pattern IIS's native-module walkthrough names for advanced modules); the C++ twins \
         `new` theirs on the process heap, as the walkthrough's module does.\n\n\
         - **pipeline**: `iis_host.exe --bench {}` runs that many synthetic requests (no HTTP, \
         after a warm-up of a tenth) and times them with the performance counter; rounds \
         alternate Rust and C++ (the *per round* ratio pairs the runs of one round);\n\
         - **instructions**: {} requests under `valgrind --tool=callgrind --instr-atstart=no`; the \
         host turns counting on and off around the loop with valgrind client requests, so the \
         count is the loop alone (host, modules and the wine code they call), divided by the \
         requests; the second row keeps only the instructions executed inside the module DLLs' \
         own code (by instruction address, `--dump-instr=yes`, within each DLL's image from the \
         address the host loaded it at; the wine code a module calls or jumps to, such as the \
         heap and `memcpy`, counts in the first row only); three runs of each;\n\
         - **HTTP**: `curl` fetching {} URLs (`?name=[1-{}]`) over one keep-alive connection from \
         the host serving through wine's HTTP Server API.\n",
        v.r.command,
        h.url,
        h.requests_per_run,
        h.callgrind_requests,
        h.http_requests,
        h.http_requests
    );
}

/// Time, instructions, HTTP rate and DLL size, Rust beside C++.
fn per_request(md: &mut String, h: &IisHost) {
    let _ = writeln!(
        md,
        "| per request | Rust DLLs | C++ DLLs | C++ ÷ Rust |\n| --- | --- | --- | --- |"
    );
    let _ = writeln!(
        md,
        "| pipeline time, median (fastest–slowest, n) | {} | {} | {} per round |",
        micros(&h.rust_pipeline),
        micros(&h.cpp_pipeline),
        speed_ratio(h).ratio_cell()
    );
    let _ = writeln!(
        md,
        "| pipeline requests per second (median) | {:.0} | {:.0} | {} |",
        1.0 / h.rust_pipeline.median(),
        1.0 / h.cpp_pipeline.median(),
        ratio(h.cpp_pipeline.median(), h.rust_pipeline.median())
    );
    let _ = writeln!(
        md,
        "| instructions, whole loop (callgrind; median, range, n) | {} | {} | {} |",
        counts(&h.rust_instructions),
        counts(&h.cpp_instructions),
        ratio(h.cpp_instructions.median(), h.rust_instructions.median())
    );
    let _ = writeln!(
        md,
        "| instructions inside the module DLLs' own code | {} | {} | {} |",
        counts(&h.rust_module_instructions),
        counts(&h.cpp_module_instructions),
        ratio(
            h.cpp_module_instructions.median(),
            h.rust_module_instructions.median()
        )
    );
    let _ = writeln!(
        md,
        "| HTTP requests per second, median (range, n) | {} | {} | {} |",
        rate(&h.rust_http),
        rate(&h.cpp_http),
        ratio(h.rust_http.median(), h.cpp_http.median())
    );
    let _ = writeln!(
        md,
        "| DLL size, both modules | {} | {} | |\n",
        bytes(h.rust_dll_bytes),
        bytes(h.cpp_dll_bytes)
    );
}
