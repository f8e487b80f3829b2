//! BENCHMARKS.md from one run's results: the machine, a summary against the targets, then one
//! section per benchmark with its numbers and, where a target is missed, where the time goes.

mod bindgen;
mod call;
mod check_abi;
mod compile;
mod iis_host;
mod regen;
mod scaling;

use super::stats::{duration, ratio, Series};
use super::Results;
use serde_json::Value;
use std::fmt::Write;

/// Targets of the issue.
const REGEN_VS_PARSE: f64 = 1.25;
const REGEN_VS_BINDGEN: f64 = 0.5;
const CHECK_ABI_VS_COMPILES: f64 = 1.3;
/// Scaling counts as linear when the cost of one more copy of the API, measured between 4×
/// and 16×, is at most this much above the cost measured between 1× and 4×.
const LINEAR_SLACK: f64 = 1.25;

struct View<'a> {
    r: &'a Results,
}

impl View<'_> {
    fn s(&self, name: &str) -> Series {
        Series(
            self.r
                .pipeline
                .as_ref()
                .and_then(|p| p["samples"][name].as_array())
                .map(|a| a.iter().filter_map(Value::as_f64).collect())
                .unwrap_or_default(),
        )
    }

    fn m(&self, name: &str) -> f64 {
        self.s(name).median()
    }

    /// The fastest run: interference only adds time, so on a noisy machine this is the
    /// steadiest estimate of a cost.
    fn f(&self, name: &str) -> f64 {
        let series = self.s(name);
        if series.is_empty() {
            f64::NAN
        } else {
            series.min()
        }
    }

    /// `a[i] ÷ b[i]` over the rounds that measured both back to back.
    fn paired_ratio(&self, a: &str, b: &str) -> Series {
        self.s(a).paired(&self.s(b), |x, y| x / y)
    }

    fn p(&self) -> &Value {
        self.r.pipeline.as_ref().unwrap_or(&Value::Null)
    }

    /// A series of the scaling section; 1× falls back to the main series.
    fn scale(&self, factor: u64, name: &str) -> Series {
        let series = self.s(&format!("scale.{factor}.{name}"));
        if series.is_empty() && factor == 1 {
            self.s(name)
        } else {
            series
        }
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "**met**",
        Some(false) => "**missed**",
        None => "not measured",
    }
}

/// A change: `+318 ms`, `−51 ms`.
fn delta(seconds: f64) -> String {
    if seconds < 0.0 {
        format!("−{}", duration(-seconds))
    } else {
        format!("+{}", duration(seconds))
    }
}

fn percent(part: f64, whole: f64) -> String {
    if part.is_nan() || whole.is_nan() || whole == 0.0 {
        "–".into()
    } else {
        format!("{:.0} %", 100.0 * part / whole)
    }
}

fn bytes(n: u64) -> String {
    if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64)
    } else if n >= 1 << 10 {
        format!("{:.0} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} B")
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Results of the summary rows, also printed on the console.
struct Summary {
    rows: Vec<[String; 5]>,
}

fn summary(v: &View) -> Summary {
    Summary {
        rows: vec![
            regen_vs_parse_row(v),
            regen_vs_bindgen_row(v),
            check_abi_vs_compiles_row(v),
            call_overhead_row(v),
            compile_cost_row(v),
            scaling_row(v),
            iis_host_row(v),
            iis_host_echo_row(v),
        ],
    }
}

/// Row 1: regen against the bare libclang parse.
fn regen_vs_parse_row(v: &View) -> [String; 5] {
    let (regen, bare) = (v.m("regen.full"), v.m("parse.bare"));
    let r1 = v.f("regen.full") / v.f("parse.bare");
    [
        "1".into(),
        "regen ÷ bare libclang parse (same TU, same flags)".into(),
        if r1.is_nan() {
            "–".into()
        } else {
            format!(
                "{r1:.2}× fastest runs ({} ÷ {}); medians {}; per round {}",
                duration(v.f("regen.full")),
                duration(v.f("parse.bare")),
                ratio(regen, bare),
                v.paired_ratio("regen.full", "parse.bare").ratio_cell(),
            )
        },
        format!("≤ {REGEN_VS_PARSE}×"),
        verdict((!r1.is_nan()).then_some(r1 <= REGEN_VS_PARSE)).into(),
    ]
}

/// Row 2: regen against bindgen.
fn regen_vs_bindgen_row(v: &View) -> [String; 5] {
    let regen = v.m("regen.full");
    let bindgen = v.m("bindgen.allowlisted");
    let r2 = regen / bindgen;
    [
        "2".into(),
        "regen ÷ bindgen 0.73.2 (vtables on, header allowlisted)".into(),
        if r2.is_nan() {
            "–".into()
        } else {
            format!(
                "{r2:.2}× medians ({} ÷ {}), {} fastest runs; {} against bindgen on everything",
                duration(regen),
                duration(bindgen),
                ratio(v.f("regen.full"), v.f("bindgen.allowlisted")),
                ratio(regen, v.m("bindgen.everything"))
            )
        },
        format!("≤ {REGEN_VS_BINDGEN}×"),
        verdict((!r2.is_nan()).then_some(r2 <= REGEN_VS_BINDGEN)).into(),
    ]
}

/// Row 3: check-abi against its clang compiles.
fn check_abi_vs_compiles_row(v: &View) -> [String; 5] {
    let (check, compiles) = (v.m("check_abi.full"), v.m("check_abi.compiles"));
    let r3 = v.f("check_abi.full") / v.f("check_abi.compiles");
    [
        "3".into(),
        "check-abi ÷ its clang-19 compiles (4 probes: methods + destructors × 2 targets)".into(),
        if r3.is_nan() {
            "–".into()
        } else {
            format!(
                "{r3:.2}× fastest runs ({} ÷ {}); medians {}; per round {}",
                duration(v.f("check_abi.full")),
                duration(v.f("check_abi.compiles")),
                ratio(check, compiles),
                v.paired_ratio("check_abi.full", "check_abi.compiles")
                    .ratio_cell(),
            )
        },
        format!("≤ {CHECK_ABI_VS_COMPILES}×"),
        verdict((!r3.is_nan()).then_some(r3 <= CHECK_ABI_VS_COMPILES)).into(),
    ]
}

/// Row 4: the generated wrapper call against the raw vtable call.
fn call_overhead_row(v: &View) -> [String; 5] {
    let (measured, met) = match &v.r.call {
        Some(c) => {
            let w = c.wrapper.instructions.unwrap_or(0);
            let d = c.direct.instructions.unwrap_or(0);
            let same_64 = c.wrapper.asm_x86_64 == c.direct.asm_x86_64;
            let same_32 = c.wrapper.asm_i686 == c.direct.asm_i686;
            let i686 = if c.wrapper.asm_i686.is_empty() {
                String::new()
            } else if same_32 {
                ", same on i686-pc-windows-msvc".into()
            } else {
                ", **differs** on i686-pc-windows-msvc".into()
            };
            let idiomatic = c.idiomatic.instructions.map_or(String::new(), |i| {
                format!(
                    "; idiomatic `header`: {} (+{:.2} per call: the slice construction)",
                    thousands(i),
                    (i as f64 - d as f64) / super::call_overhead::CALLS as f64
                )
            });
            (
                format!(
                    "{} vs {} instructions for {} calls; x86_64 assembly {}{i686}{idiomatic}",
                    thousands(w),
                    thousands(d),
                    thousands(super::call_overhead::CALLS),
                    if same_64 { "identical" } else { "**differs**" }
                ),
                Some(w == d && w > 0 && same_64 && same_32),
            )
        }
        None => ("–".into(), None),
    };
    [
        "4".into(),
        "call overhead: generated `GetHeader` wrapper vs raw vtable call".into(),
        measured,
        "identical".into(),
        verdict(met).into(),
    ]
}

/// Row 5: what building the bindings crate costs (no target).
fn compile_cost_row(v: &View) -> [String; 5] {
    let measured = match &v.r.compile {
        Some(c) => format!(
            "httpserv alone: {} debug, {} release; windows-sys (HttpServer) alone: {} debug, {} release",
            duration(c.httpserv_debug.alone.median()),
            duration(c.httpserv_release.alone.median()),
            duration(c.windows_sys_debug.alone.median()),
            duration(c.windows_sys_release.alone.median()),
        ),
        None => "–".into(),
    };
    [
        "5".into(),
        "compile cost of `generated/` (package `httpserv`)".into(),
        measured,
        "(report only)".into(),
        if v.r.compile.is_some() {
            "measured"
        } else {
            "not measured"
        }
        .into(),
    ]
}

/// Row 6: how regen and check-abi grow with the size of the API.
fn scaling_row(v: &View) -> [String; 5] {
    let (measured, met) = match scaling_slopes(v, "regen.full", true) {
        Some((a, b)) => {
            let check = scaling_slopes(v, "check_abi.full", true);
            let check_text = check
                .map(|(c, d)| {
                    format!(
                        "; check-abi {} then {} per copy ({:.2})",
                        delta(c),
                        delta(d),
                        d / c
                    )
                })
                .unwrap_or_default();
            let instructions = emit_instruction_growth(v.r)
                .map(|(from, to, growth)| {
                    format!("; `emit` instructions {to}× ÷ {from}× = {growth:.2}")
                })
                .unwrap_or_default();
            (
                format!(
                    "fastest runs: regen {} per added 1× of API from 1× to 4×, {} from 4× to 16× ({:.2}){check_text}{instructions}",
                    delta(a),
                    delta(b),
                    b / a
                ),
                Some(b / a <= LINEAR_SLACK && check.is_none_or(|(c, d)| d / c <= LINEAR_SLACK)),
            )
        }
        None => ("–".into(), None),
    };
    [
        "6".into(),
        "scaling on synthetic 1×, 4×, 16× headers".into(),
        measured,
        format!("linear (later per-copy cost ≤ {LINEAR_SLACK}× earlier)"),
        verdict(met).into(),
    ]
}

/// Row 7: module DLLs in Rust against the same in C++, in the IIS host.
fn iis_host_row(v: &View) -> [String; 5] {
    let (measured, met) = iis_host::summary(v);
    [
        "7".into(),
        "Rust module DLLs ÷ the same modules in C++ through the IIS host (time per request)".into(),
        measured,
        "C++ ÷ Rust ≥ 1.0 (time and instructions)".into(),
        verdict(met).into(),
    ]
}

/// Row 7b: an `async fn` module in Rust against the same state machine by hand in C++.
fn iis_host_echo_row(v: &View) -> [String; 5] {
    let (measured, met) = iis_host::echo_summary(v);
    [
        "7b".into(),
        "Rust `async fn` module (echo_module, `GET /hello`: async write, flush, finish) ÷ the \
         same state machine by hand in C++, through the IIS host"
            .into(),
        measured,
        "C++ ÷ Rust ≥ 1.0 (instructions per request)".into(),
        verdict(met).into(),
    ]
}

/// Cost of one more copy of the API between 1× and 4×, and between 4× and 16×, from the
/// medians or (`fastest`) the fastest runs.
fn scaling_slopes(v: &View, name: &str, fastest: bool) -> Option<(f64, f64)> {
    let at = |factor| {
        let series = v.scale(factor, name);
        if fastest {
            series.min()
        } else {
            series.median()
        }
    };
    let (t1, t4, t16) = (at(1), at(4), at(16));
    if !(t1.is_finite() && t4.is_finite() && t16.is_finite()) {
        return None;
    }
    if t1.is_nan() || t4.is_nan() || t16.is_nan() {
        return None;
    }
    Some(((t4 - t1) / 3.0, (t16 - t4) / 12.0))
}

/// (smallest factor, largest factor, instruction ratio) of the emit instruction counts.
fn emit_instruction_growth(r: &Results) -> Option<(usize, usize, f64)> {
    let first = r.emit_instructions.first()?;
    let last = r.emit_instructions.last()?;
    (last.0 > first.0).then(|| (first.0, last.0, last.1 as f64 / first.1 as f64))
}

/// The console version of the summary.
pub fn summary_text(results: &Results) -> String {
    let v = View { r: results };
    let mut text = String::new();
    for row in summary(&v).rows {
        let _ = writeln!(
            text,
            "{}. {}: {} (target {}) {}",
            row[0],
            row[1],
            row[2],
            row[3],
            row[4].replace("**", "")
        );
    }
    text
}

pub fn render(results: &Results) -> String {
    let v = View { r: results };
    let mut md = String::new();
    let date = results
        .machine
        .as_ref()
        .map(|m| m.date.clone())
        .unwrap_or_default();
    let _ = writeln!(md, "# Benchmarks\n");
    let _ = writeln!(
        md,
        "Measured on {date} by `{}` in {:.0} s, and written by it: do not edit by hand. Reproduce:\n",
        results.command, results.total_seconds
    );
    let _ = writeln!(
        md,
        "```sh\ncargo xtask bench                 # everything; rewrites BENCHMARKS.md (about 9 minutes)\n\
         cargo xtask bench --quick         # a smoke run (1–2 repetitions, no 16× header)\n\
         cargo xtask bench --only pipeline # or walk-profile, process, call-overhead, compile-cost, iis-host\n\
         cargo bench -p httpserv-generator --bench pipeline   # the pipeline part alone, on the console\n```\n"
    );
    if results.quick {
        let _ = writeln!(
            md,
            "> **Smoke run (`--quick`)**: one or two repetitions each; the numbers are indicative only.\n"
        );
    }
    if !results.notes.is_empty() {
        let _ = writeln!(md, "> **Sections that did not run:**");
        for note in &results.notes {
            let _ = writeln!(md, "> - {}", note.lines().next().unwrap_or(""));
        }
        md.push('\n');
    }
    machine(&mut md, &v);
    let _ = writeln!(md, "## Summary\n");
    let _ = writeln!(md, "| # | benchmark | measured | target | result |");
    let _ = writeln!(md, "| --- | --- | --- | --- | --- |");
    for row in summary(&v).rows {
        let _ = writeln!(md, "| {} |", row.join(" | "));
    }
    md.push('\n');
    regen::section(&mut md, &v);
    bindgen::section(&mut md, &v);
    check_abi::section(&mut md, &v);
    call::section(&mut md, &v);
    compile::section(&mut md, &v);
    scaling::section(&mut md, &v);
    iis_host::section(&mut md, &v);
    md
}

fn machine(md: &mut String, v: &View) {
    let _ = writeln!(md, "## Machine\n");
    let _ = writeln!(md, "| | |\n| --- | --- |");
    if let Some(m) = &v.r.machine {
        let _ = writeln!(md, "| CPU (`/proc/cpuinfo` model name) | {} |", m.cpu);
        let _ = writeln!(md, "| cores (`nproc`) | {} |", m.nproc);
        let _ = writeln!(md, "| memory | {:.1} GiB |", m.memory_gib);
        let _ = writeln!(md, "| kernel | {} |", m.kernel);
        let _ = writeln!(md, "| rustc | {} |", m.rustc);
        let _ = writeln!(md, "| clang (check-abi) | {} |", m.clang);
        let _ = writeln!(md, "| valgrind | {} |", m.valgrind);
    }
    if let Some(libclang) = v.p()["libclang"].as_str() {
        let _ = writeln!(md, "| libclang (regen, bare parse, bindgen) | {libclang} |");
    }
    if let Some(b) = v.p()["bindgen"].as_object() {
        let _ = writeln!(
            md,
            "| bindgen | {} (its `clang_version()`: {}) |",
            b["version"].as_str().unwrap_or("?"),
            b["libclang"].as_str().unwrap_or("?")
        );
    }
    let _ = writeln!(
        md,
        "\nTimes are wall-clock: the median of n runs, with the fastest and slowest run in \
         brackets (`812 ms (795–831, n=9)`); the first run of each kind is a warm-up and not \
         counted. The in-process numbers (sections 1–3, 6) come from the generator's bench \
         target, built in the bench (optimized) profile; the *process* rows run the `xtask` \
         binary as `cargo xtask` does, in its {} profile. No test asserts a time.\n",
        v.r.process.as_ref().map_or("dev", |p| p.profile)
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn deltas_carry_their_sign() {
        assert_eq!(super::delta(0.317), "+317 ms");
        assert_eq!(super::delta(-0.0507), "−51 ms");
    }

    #[test]
    fn numbers_are_grouped() {
        assert_eq!(super::thousands(1_234_567), "1,234,567");
        assert_eq!(super::thousands(12), "12");
        assert_eq!(super::bytes(1_292_509), "1.2 MiB");
    }
}
