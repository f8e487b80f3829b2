//! BENCHMARKS.md from one run's results: the machine, a summary against the targets, then one
//! section per benchmark with its numbers and, where a target is missed, where the time goes.

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
    let mut rows = Vec::new();
    // 1
    let (regen, bare) = (v.m("regen.full"), v.m("parse.bare"));
    let r1 = v.f("regen.full") / v.f("parse.bare");
    rows.push([
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
    ]);
    // 2
    let bindgen = v.m("bindgen.allowlisted");
    let r2 = regen / bindgen;
    rows.push([
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
    ]);
    // 3
    let (check, compiles) = (v.m("check_abi.full"), v.m("check_abi.compiles"));
    let r3 = v.f("check_abi.full") / v.f("check_abi.compiles");
    rows.push([
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
    ]);
    // 4
    let (measured4, met4) = match &v.r.call {
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
            (
                format!(
                    "{} vs {} instructions for {} calls; x86_64 assembly {}{i686}",
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
    rows.push([
        "4".into(),
        "call overhead: generated `GetHeader` wrapper vs raw vtable call".into(),
        measured4,
        "identical".into(),
        verdict(met4).into(),
    ]);
    // 5
    let measured5 = match &v.r.compile {
        Some(c) => format!(
            "httpserv alone: {} debug, {} release; windows-sys (HttpServer) alone: {} debug, {} release",
            duration(c.httpserv_debug.alone.median()),
            duration(c.httpserv_release.alone.median()),
            duration(c.windows_sys_debug.alone.median()),
            duration(c.windows_sys_release.alone.median()),
        ),
        None => "–".into(),
    };
    rows.push([
        "5".into(),
        "compile cost of `generated/` (package `httpserv`)".into(),
        measured5,
        "(report only)".into(),
        if v.r.compile.is_some() {
            "measured"
        } else {
            "not measured"
        }
        .into(),
    ]);
    // 6
    let (measured6, met6) = match scaling_slopes(v, "regen.full", true) {
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
    rows.push([
        "6".into(),
        "scaling on synthetic 1×, 4×, 16× headers".into(),
        measured6,
        format!("linear (later per-copy cost ≤ {LINEAR_SLACK}× earlier)"),
        verdict(met6).into(),
    ]);
    Summary { rows }
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
         cargo xtask bench --only pipeline # or walk-profile, process, call-overhead, compile-cost\n\
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
    regen_section(&mut md, &v);
    bindgen_section(&mut md, &v);
    check_abi_section(&mut md, &v);
    call_section(&mut md, &v);
    compile_section(&mut md, &v);
    scaling_section(&mut md, &v);
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

fn regen_section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 1. regen against the bare libclang parse\n");
    if v.s("regen.full").is_empty() {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    }
    let r = &v.p()["regen"];
    let _ = writeln!(
        md,
        "Input: `headers/httpserv.h` ({} classes, {} virtual functions, {} slots), parsed for \
         `x86_64-pc-windows-msvc` with `parse::flags::compiler_args` and the prelude \
         `parse::flags::prelude` (winsock2.h, windows.h, the compat shim, the header).\n\n\
         - **bare parse**: `clang_parseTranslationUnit2` through clang-sys with exactly regen's \
         arguments, in-memory prelude and options (detailed preprocessing record, skipped \
         function bodies, keep going), then `clang_disposeTranslationUnit` (regen disposes its \
         TU too). Nothing else.\n\
         - **regen**: in process, what `cargo xtask regen --out DIR` does: `generator::generate` \
         (parse → layout → emit with formatting), the ABI manifest, the comparison with the \
         abi.json already in DIR, and the four files written (staged, then renamed) to a temp \
         dir ({} in all).\n\
         - **phases**: each step alone, on the previous step's output. `format` is \
         `emit::format_file` on token streams re-read from the two emitted files (the same \
         syn + prettyplease work `emit` does inside), so `emit − format` is building the tokens.\n",
        r["classes"],
        r["functions"],
        r["slots"],
        bytes(r["bytes_written"].as_u64().unwrap_or(0))
    );
    let regen = v.m("regen.full");
    let bare = v.m("parse.bare");
    let phase_names = ["parse", "layout", "emit", "manifest", "compare", "write"];
    let phase_sum: f64 = phase_names.iter().map(|p| v.m(&format!("phase.{p}"))).sum();
    let _ = writeln!(md, "| step | time | share of regen |\n| --- | --- | --- |");
    let row = |md: &mut String, name: &str, series: Series, share: bool| {
        let _ = writeln!(
            md,
            "| {name} | {} | {} |",
            series.cell(),
            if share {
                percent(series.median(), regen)
            } else {
                String::new()
            }
        );
    };
    row(
        md,
        "**bare libclang parse** (parse + dispose)",
        v.s("parse.bare"),
        true,
    );
    row(
        md,
        "  `clang_parseTranslationUnit2`",
        v.s("parse.bare.libclang"),
        true,
    );
    row(
        md,
        "  `clang_disposeTranslationUnit`",
        v.s("parse.bare.dispose"),
        true,
    );
    row(md, "**regen, whole**", v.s("regen.full"), true);
    row(
        md,
        "phase `parse::parse` (libclang parse + walk to IR + dispose)",
        v.s("phase.parse"),
        true,
    );
    let walk = v.f("phase.parse") - v.f("parse.bare");
    let _ = writeln!(
        md,
        "|   walk to IR: fastest `parse::parse` − fastest bare parse | {} | {} |",
        duration(walk),
        percent(walk, v.f("regen.full"))
    );
    row(md, "phase `layout::layout`", v.s("phase.layout"), true);
    row(
        md,
        "phase `emit::emit` (tokens + formatting)",
        v.s("phase.emit"),
        true,
    );
    let tokens = v.f("phase.emit") - v.f("phase.format");
    let _ = writeln!(
        md,
        "|   building tokens: fastest `emit` − fastest `format` | {} | {} |",
        duration(tokens),
        percent(tokens, v.f("regen.full"))
    );
    row(
        md,
        "  formatting: syn parse + prettyplease (`emit::format_file` ×2)",
        v.s("phase.format"),
        true,
    );
    row(
        md,
        "phase manifest (`manifest::build` + `to_json`)",
        v.s("phase.manifest"),
        true,
    );
    row(
        md,
        "phase compare with the recorded abi.json",
        v.s("phase.compare"),
        true,
    );
    row(md, "phase write (4 files)", v.s("phase.write"), true);
    let _ = writeln!(
        md,
        "| sum of the phase medians | {} | {} |",
        duration(phase_sum),
        percent(phase_sum, regen)
    );
    if let Some(p) = &v.r.process {
        let _ = writeln!(
            md,
            "| `xtask regen --out DIR` as a process ({} profile, as `cargo xtask regen` runs it) | {} | {} |",
            p.profile,
            p.regen.cell(),
            percent(p.regen.median(), regen)
        );
    }
    let _ = writeln!(md);
    let load = v.p()["libclang_first_load_seconds"]
        .as_f64()
        .unwrap_or(f64::NAN);
    let _ = writeln!(
        md,
        "Loading libclang (once per process, in neither column): {}.\n",
        duration(load)
    );
    let ratio_value = v.f("regen.full") / v.f("parse.bare");
    let _ = writeln!(
        md,
        "**regen ÷ bare parse = {ratio_value:.2}×**, from the fastest runs ({} ÷ {}) — target \
         ≤ {REGEN_VS_PARSE}×: {}. On this machine identical work varies a lot from run to run \
         (the bare parse, the same work every time, took {}), and interference only adds time, \
         so the fastest run is the steadiest estimate of a cost; the verdicts here use it. The \
         ratio of the medians is {}, and the median of the per-round ratios (regen and the bare \
         parse back to back in each round, alternating which goes first) {}.",
        duration(v.f("regen.full")),
        duration(v.f("parse.bare")),
        if ratio_value <= REGEN_VS_PARSE {
            "met"
        } else {
            "missed"
        },
        v.s("parse.bare").cell(),
        ratio(regen, bare),
        v.paired_ratio("regen.full", "parse.bare").ratio_cell(),
    );
    if let Some(p) = &v.r.process {
        let _ = writeln!(
            md,
            " As a `{}`-profile process — what `cargo xtask regen` actually runs, including process \
             start and loading libclang — regen takes {}, {} the bare parse.",
            p.profile,
            duration(p.regen.median()),
            ratio(p.regen.median(), bare)
        );
    }
    let _ = writeln!(md);
    let fast_bare = v.f("parse.bare");
    let overhead = v.f("regen.full") - fast_bare;
    let format = v.f("phase.format");
    let _ = writeln!(
        md,
        "### Where the time above the bare parse goes\n\n\
         Fastest regen − fastest bare parse = {} ({} of the bare parse; the target allows {}). \
         By phase (fastest runs): the walk from cursors to IR {}, building tokens {}, \
         formatting {}, manifest + compare + write + layout {}.\n",
        duration(overhead),
        percent(overhead, fast_bare),
        duration(fast_bare * (REGEN_VS_PARSE - 1.0)),
        duration(walk),
        duration(tokens),
        duration(format),
        duration(
            v.f("phase.manifest") + v.f("phase.compare") + v.f("phase.write") + v.f("phase.layout")
        ),
    );
    if let Some(profile) = &v.r.walk_profile {
        let _ = writeln!(
            md,
            "**The walk, profiled** (callgrind, instructions of one `parse::parse` counted on the \
             generator's parse thread only — `--toggle-collect=*parse_on_this_thread*`; \
             libclang's parse runs on a thread libclang starts itself, so it is not in these \
             counts): {} instructions. Inclusive counts, largest first (clang-sys's forwarding \
             shims and anonymous libclang internals left out):\n",
            thousands(profile.total)
        );
        let _ = writeln!(
            md,
            "| instructions | share | function |\n| --- | --- | --- |"
        );
        for (count, function) in &profile.top {
            let _ = writeln!(
                md,
                "| {} | {} | `{}` |",
                thousands(*count),
                percent(*count as f64, profile.total as f64),
                function
            );
        }
        md.push('\n');
    }
    let cursors = r["top_level_cursors"].as_u64().unwrap_or(0);
    if cursors > 0 {
        let _ = writeln!(
            md,
            "**Filtering the translation unit by file.** The TU's root has {} top-level cursors \
             (windows.h's declarations and, with the detailed preprocessing record, every macro \
             definition); {} are in the header. The walker asks each for its expansion location \
             and converts the file's name to a Rust `String` to compare it with the header's \
             path: measured alone, that is {} for the root level (visiting: {}). Comparing \
             `CXFile` handles instead (`clang_getFile` once, `clang_File_isEqual`) takes {}.\n",
            thousands(cursors),
            thousands(r["top_level_cursors_in_header"].as_u64().unwrap_or(0)),
            v.s("walk.filter.by_name").cell(),
            v.s("walk.visit").cell(),
            v.s("walk.filter.by_handle").cell(),
        );
    }
    if ratio_value > REGEN_VS_PARSE {
        let _ = writeln!(
            md,
            "**Why the target is missed.** The bare parse is the floor, and regen must also \
             produce and format {} of Rust. The target allows {} above the parse; formatting \
             alone (`syn::parse_file` + `prettyplease::unparse` of both files) is {} ({} of \
             the bare parse), the walk {}, building the token streams {}. What would close the \
             gap, in the generator (`generator/src`, not touched by this benchmark):\n\n\
             1. format the items independently and in parallel (prettyplease on each item's \
             `syn::Item`; regen leaves the second core idle while it formats), or write the \
             output text directly for the repetitive items (vtable fields, wrappers, thunks) \
             instead of through syn;\n\
             2. filter cursors by `CXFile` handle rather than by file-name `String` (above), and \
             convert CXStrings only where a name is kept (`parse::clang::take` and \
             `clang_getExpansionLocation` lead the walk's profile);\n\
             3. for `cargo xtask regen` itself, which runs the dev profile with the generator \
             unoptimized ({} median as a process against {} at best optimized, in process): an `opt-level` for the \
             generator and its dependencies under `[profile.dev.package]`, or the alias \
             `run --release`.\n",
            bytes(r["bytes_written"].as_u64().unwrap_or(0)),
            duration(fast_bare * (REGEN_VS_PARSE - 1.0)),
            duration(format),
            percent(format, fast_bare),
            duration(walk),
            duration(tokens),
            v.r.process
                .as_ref()
                .map_or("–".to_string(), |p| duration(p.regen.median())),
            duration(v.f("regen.full")),
        );
    }
}

/// The IHttpRequest vtable fields of generated/src/bindings.rs: (slot, field, C++ declaration).
fn our_vtable(class: &str) -> Vec<(usize, String, String)> {
    let text = std::fs::read_to_string(crate::workspace_root().join("generated/src/bindings.rs"))
        .unwrap_or_default();
    let head = format!("pub struct {class}_Vtbl {{");
    let Some(start) = text.find(&head) else {
        return Vec::new();
    };
    let body = &text[start + head.len()..];
    let body = &body[..body.find("\n}").unwrap_or(body.len())];
    let mut out = Vec::new();
    let (mut decl, mut slot) = (String::new(), None);
    for line in body.lines().map(str::trim) {
        if let Some(d) = line.strip_prefix("/// `virtual ") {
            decl = format!("virtual {}", d.trim_end_matches('`'));
        } else if let Some(rest) = line.strip_prefix("/// Slot ") {
            slot = rest.split_whitespace().next().and_then(|n| n.parse().ok());
        } else if let Some(rest) = line.strip_prefix("pub ") {
            if let (Some(name), Some(s)) = (rest.split(':').next(), slot.take()) {
                out.push((s, name.to_string(), std::mem::take(&mut decl)));
            }
        }
    }
    out
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

fn bindgen_section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 2. regen against bindgen\n");
    let Some(b) = v.p()["bindgen"].as_object() else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
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

fn check_abi_section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 3. check-abi against its compiles\n");
    if v.s("check_abi.full").is_empty() {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    }
    let _ = writeln!(
        md,
        "- **check-abi**: in process, what `xtask::check_abi::check_abi` runs: `parse::parse`, \
         `layout::layout`, then for both targets `probe::compile_layout` (write the probe \
         sources, run clang-19, read the COFF object's vcall thunks and the destructor \
         witnesses' IR) and `probe::compare`.\n\
         - **its compiles**: the same four `clang-19` command lines alone (`compiler_args` + \
         `-Wno-everything -O0`; `-c` for the method probe, `-S -emit-llvm` for the destructor \
         witnesses), on the same probe sources generated once with \
         `probe::source::methods_source` / `destructors_source`.\n"
    );
    let check = v.m("check_abi.full");
    let compiles = v.m("check_abi.compiles");
    let _ = writeln!(md, "| step | time |\n| --- | --- |");
    let _ = writeln!(
        md,
        "| **check-abi, whole** | {} |",
        v.s("check_abi.full").cell()
    );
    let _ = writeln!(
        md,
        "| **the compiles, sum** | {} |",
        v.s("check_abi.compiles").cell()
    );
    for name in [
        "methods-x86_64",
        "destructors-x86_64",
        "methods-i686",
        "destructors-i686",
    ] {
        let _ = writeln!(
            md,
            "|   `clang-19` {name} | {} |",
            v.s(&format!("check_abi.compile.{name}")).cell()
        );
    }
    let _ = writeln!(md, "| check-abi's own steps (same runs as the whole): | |");
    for (step, what) in [
        ("parse", "`parse::parse`"),
        ("layout", "`layout::layout`"),
        (
            "probe-x86_64",
            "`probe::compile_layout` x86_64 (write, 2 compiles, read back)",
        ),
        ("probe-i686", "`probe::compile_layout` i686"),
        ("compare", "`probe::compare` ×2"),
    ] {
        let _ = writeln!(
            md,
            "|   {what} | {} |",
            v.s(&format!("check_abi.step.{step}")).cell()
        );
    }
    if let Some(p) = &v.r.process {
        let _ = writeln!(
            md,
            "| `xtask check-abi` as a process ({} profile, as `cargo xtask check-abi` runs it) | {} |",
            p.profile,
            p.check_abi.cell()
        );
    }
    let paired = v.paired_ratio("check_abi.full", "check_abi.compiles");
    let r3 = v.f("check_abi.full") / v.f("check_abi.compiles");
    let own_parse = v.m("check_abi.step.parse");
    let probes = v
        .s("check_abi.step.probe-x86_64")
        .paired(&v.s("check_abi.step.probe-i686"), |a, b| a + b)
        .median();
    let _ = writeln!(
        md,
        "\n**check-abi ÷ compiles = {r3:.2}×** from the fastest runs, as in section 1 (the \
         median of the per-round ratios is {}, the ratio of the medians {}) — target \
         ≤ {CHECK_ABI_VS_COMPILES}×: {}. Within check-abi's \
         own runs (medians): its parse of the header {}, the two `compile_layout` calls (the \
         same four compiles, plus writing the sources and reading the object and IR back) {}, \
         layout and compare {}; the four compiles alone, in the same rounds, {}.",
        paired.ratio_cell(),
        ratio(check, compiles),
        if r3 <= CHECK_ABI_VS_COMPILES {
            "met"
        } else {
            "missed"
        },
        duration(own_parse),
        duration(probes),
        duration(v.m("check_abi.step.layout") + v.m("check_abi.step.compare")),
        duration(compiles),
    );
    if let Some(p) = &v.r.process {
        let _ = writeln!(
            md,
            " As a {}-profile process: {} ({} the compiles).",
            p.profile,
            duration(p.check_abi.median()),
            ratio(p.check_abi.median(), compiles)
        );
    }
    let allowance = compiles * (CHECK_ABI_VS_COMPILES - 1.0);
    let _ = writeln!(
        md,
        " The target allows {} above the compiles; the parse alone is {} of that. The four \
         compiles run one after another: on this {}-core machine, compiling the two targets \
         concurrently (or parsing while the first compile runs) would hide the parse.\n",
        duration(allowance),
        percent(own_parse, allowance),
        v.r.machine.as_ref().map_or(0, |m| m.nproc)
    );
}

fn call_section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 4. Call overhead of the generated wrappers\n");
    let Some(c) = &v.r.call else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    let _ = writeln!(
        md,
        "A throwaway crate (in a temp dir, depending on `generated/`) calls \
         `IHttpRequest::GetHeader` through a fake C++ object whose vtable slots all point at one \
         `#[inline(never)] extern \"system\"` function, built in release mode twice: once with the \
         generated wrapper `(*request).GetHeader(name, &mut len)`, once with the hand-written \
         vtable call `((*(*request).vtable).GetHeader)(request, name, &mut len)`. The object \
         pointer goes through `black_box`, so neither call can be devirtualized.\n\n\
         - **instructions**: `valgrind --tool=callgrind --toggle-collect=run_calls`, a loop of \
         {} calls (the callee's instructions included, the same in both);\n\
         - **assembly**: `one_call` (a single call, `#[inline(never)]`) from \
         `cargo rustc --release --lib -- --emit asm`, on x86_64 Linux and on \
         `i686-pc-windows-msvc`, where the slot is `extern \"thiscall\"`.\n",
        thousands(super::call_overhead::CALLS)
    );
    let per_call = |n: Option<u64>| {
        n.map(|n| format!("{:.2}", n as f64 / super::call_overhead::CALLS as f64))
            .unwrap_or_else(|| "–".into())
    };
    let _ = writeln!(
        md,
        "| call | instructions in `run_calls` | per call |\n| --- | --- | --- |"
    );
    for (name, variant) in [
        ("generated wrapper", &c.wrapper),
        ("raw vtable call", &c.direct),
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

fn compile_section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 5. Compile cost\n");
    let Some(c) = &v.r.compile else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    let _ = writeln!(
        md,
        "Each build runs `cargo build` in a fresh `CARGO_TARGET_DIR` under a temp dir. *Fresh* \
         is the whole build from an empty target dir (dependencies included: for `httpserv`, \
         windows-link and windows-sys with the seven features it uses); *alone* is the crate \
         rebuilt after `cargo clean -p <crate>`, its dependencies already built. `httpserv` is \
         built from the workspace (`cargo build --locked -p httpserv`, default features), \
         windows-sys {} with `Win32_Networking_HttpServer` alone from a throwaway crate.\n",
        c.windows_sys_version
    );
    let _ = writeln!(
        md,
        "| crate | debug, fresh | debug, alone | release, fresh | release, alone |\n| --- | --- | --- | --- | --- |"
    );
    let _ = writeln!(
        md,
        "| `httpserv` (`generated/`) | {} | {} | {} | {} |",
        c.httpserv_debug.fresh.cell(),
        c.httpserv_debug.alone.cell(),
        c.httpserv_release.fresh.cell(),
        c.httpserv_release.alone.cell()
    );
    let _ = writeln!(
        md,
        "| windows-sys {} (`Win32_Networking_HttpServer`) | {} | {} | {} | {} |",
        c.windows_sys_version,
        c.windows_sys_debug.fresh.cell(),
        c.windows_sys_debug.alone.cell(),
        c.windows_sys_release.fresh.cell(),
        c.windows_sys_release.alone.cell()
    );
    let _ = writeln!(
        md,
        "| ratio httpserv ÷ windows-sys | {} | {} | {} | {} |\n",
        ratio(
            c.httpserv_debug.fresh.median(),
            c.windows_sys_debug.fresh.median()
        ),
        ratio(
            c.httpserv_debug.alone.median(),
            c.windows_sys_debug.alone.median()
        ),
        ratio(
            c.httpserv_release.fresh.median(),
            c.windows_sys_release.fresh.median()
        ),
        ratio(
            c.httpserv_release.alone.median(),
            c.windows_sys_release.alone.median()
        ),
    );
    let _ = writeln!(
        md,
        "Generated source:\n\n| file | lines | bytes |\n| --- | --- | --- |"
    );
    let (mut lines, mut size) = (0, 0);
    for (file, l, b) in &c.sources {
        let _ = writeln!(
            md,
            "| `{file}` | {} | {} |",
            thousands(*l as u64),
            thousands(*b as u64)
        );
        lines += l;
        size += b;
    }
    let _ = writeln!(
        md,
        "| total | {} | {} ({}) |\n",
        thousands(lines as u64),
        thousands(size as u64),
        bytes(size as u64)
    );
    let _ = writeln!(
        md,
        "Building `httpserv` alone takes {} the time of windows-sys with the one feature in \
         debug and {} in release; a fresh build of `httpserv` with its dependencies, {} and {}.\n",
        ratio(
            c.httpserv_debug.alone.median(),
            c.windows_sys_debug.alone.median()
        ),
        ratio(
            c.httpserv_release.alone.median(),
            c.windows_sys_release.alone.median()
        ),
        duration(c.httpserv_debug.fresh.median()),
        duration(c.httpserv_release.fresh.median()),
    );
}

fn scaling_section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 6. Scaling\n");
    let Some(rows) = v.p()["scaling"].as_array() else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    let _ = writeln!(
        md,
        "Synthetic headers generated by the bench: `headers/httpserv.h` plus N − 1 copies of \
         each of its class definitions, every class name suffixed (`IHttpRequest_S2`, bases \
         and parameter types included) and every uuid replaced by a fresh one; enums, \
         typedefs and constants are not copied. The 1× row is the main series of sections 1 \
         and 3. Each regen and check-abi run is timed as in those sections.\n"
    );
    let _ = writeln!(
        md,
        "| size | classes | virtual functions | slots | header | regen output | bare parse | regen | regen − bare | check-abi | its compiles |\n\
         | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for row in rows {
        let f = row["factor"].as_u64().unwrap_or(0);
        let bare = v.scale(f, "parse.bare");
        let regen = v.scale(f, "regen.full");
        let _ = writeln!(
            md,
            "| {f}× | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            row["classes"],
            row["functions"],
            row["slots"],
            bytes(row["header_bytes"].as_u64().unwrap_or(0)),
            bytes(row["bytes_written"].as_u64().unwrap_or(0)),
            bare.cell(),
            regen.cell(),
            duration(regen.median() - bare.median()),
            v.scale(f, "check_abi.full").cell(),
            v.scale(f, "check_abi.compiles").cell(),
        );
    }
    md.push('\n');
    let factors: Vec<u64> = rows.iter().filter_map(|r| r["factor"].as_u64()).collect();
    let _ = writeln!(
        md,
        "Regen's phases (medians) at each size, and the cost of one more copy of the API between \
         4× and 16× ÷ between 1× and 4× from the fastest runs (1.00 is linear):\n"
    );
    let _ = writeln!(
        md,
        "| phase | {} | per-copy cost, later ÷ earlier |\n| --- |{} --- |",
        factors
            .iter()
            .map(|f| format!("{f}×"))
            .collect::<Vec<_>>()
            .join(" | "),
        " --- |".repeat(factors.len())
    );
    for phase in [
        "parse", "layout", "emit", "format", "manifest", "compare", "write",
    ] {
        let name = format!("phase.{phase}");
        let cells: Vec<String> = factors
            .iter()
            .map(|f| duration(v.scale(*f, &name).median()))
            .collect();
        let growth = scaling_slopes(v, &name, true)
            .map(|(a, b)| format!("{:.2}", b / a))
            .unwrap_or_else(|| "–".into());
        let _ = writeln!(md, "| {phase} | {} | {growth} |", cells.join(" | "));
    }
    md.push('\n');
    if !v.r.emit_instructions.is_empty() {
        let counts: Vec<String> =
            v.r.emit_instructions
                .iter()
                .map(|(f, n)| format!("{f}×: {}", thousands(*n)))
                .collect();
        let _ = writeln!(
            md,
            "**Instructions, not time**: callgrind's count of one `emit::emit` (the bench runs \
             under `valgrind --tool=callgrind --instr-atstart=no` and turns instrumentation on \
             only around `emit`, with callgrind's client requests) — {}.{}\n",
            counts.join(", "),
            emit_instruction_growth(v.r)
                .map(|(from, to, growth)| {
                    let per_unit = growth / (to / from) as f64;
                    format!(
                        " For {}× the API, {growth:.2}× the instructions ({per_unit:.3} per unit \
                         of API): {}",
                        to / from,
                        if (0.95..=1.05).contains(&per_unit) {
                            "emitting does linearly more work; a per-copy wall-clock cost that \
                             grows faster is the same instructions running slower (a larger \
                             working set, or the machine's run-to-run variation)."
                        } else {
                            "emitting does **more than linearly** more work."
                        }
                    )
                })
                .unwrap_or_default()
        );
    }
    let mut lines = Vec::new();
    for (what, name) in [
        ("regen", "regen.full"),
        ("the bare parse", "parse.bare"),
        ("check-abi", "check_abi.full"),
        ("its compiles", "check_abi.compiles"),
    ] {
        if let (Some((a, b)), Some((c, d))) = (
            scaling_slopes(v, name, true),
            scaling_slopes(v, name, false),
        ) {
            lines.push(format!(
                "- {what}: fastest runs {} per added 1× of API between 1× and 4×, {} between \
                 4× and 16× (ratio {:.2}); medians {} then {} ({:.2})",
                delta(a),
                delta(b),
                b / a,
                delta(c),
                delta(d),
                d / c
            ));
        }
    }
    let phase_floor = |factor: u64| -> f64 {
        ["parse", "layout", "emit", "manifest", "compare", "write"]
            .iter()
            .map(|p| v.scale(factor, &format!("phase.{p}")).min())
            .sum()
    };
    let (p1, p4, p16) = (phase_floor(1), phase_floor(4), phase_floor(16));
    if !lines.is_empty() && p1.is_finite() && p4.is_finite() && p16.is_finite() {
        let (a, b) = ((p4 - p1) / 3.0, (p16 - p4) / 12.0);
        lines.insert(
            1,
            format!(
                "- regen as the sum of its phases' fastest runs: {} per added 1× of API \
                 between 1× and 4×, {} between 4× and 16× (ratio {:.2})",
                delta(a),
                delta(b),
                b / a
            ),
        );
    }
    if lines.is_empty() {
        let _ = writeln!(
            md,
            "Not enough sizes measured for the slopes (1×, 4× and 16× are needed).\n"
        );
        return;
    }
    let _ = writeln!(
        md,
        "Cost of one more copy of the API (linear growth keeps it constant; ≤ {LINEAR_SLACK}× \
         counts as linear here). The verdict uses whole regen's and whole check-abi's fastest \
         run at each size: on this machine identical work varies a lot from run to run (the 1× \
         bare parse, the same work every time, took {} in this run), and interference only \
         adds time, so the fastest run is the steadiest estimate of the cost; the medians are \
         shown beside it.\n\n{}\n",
        v.s("parse.bare").cell(),
        lines.join("\n")
    );
    let _ = writeln!(
        md,
        "The fixed part — parsing windows.h, which every size includes — dominates at 1×; \
         what grows with the API is the header's own parse, the walk, emitting and formatting \
         (regen's output grows with the slots), and the probes' member pointers and thunks \
         (check-abi).\n"
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

    #[test]
    fn reads_bindgen_vtable_fields() {
        let output = "pub struct IHttpRequest__bindgen_vtable {\n    pub IHttpRequest_A: unsafe extern \"C\" fn(\n        this: *mut IHttpRequest,\n    ),\n    pub IHttpRequest_B: unsafe extern \"C\" fn(this: *const IHttpRequest),\n}\n";
        assert_eq!(
            super::bindgen_vtable(output, "IHttpRequest"),
            ["IHttpRequest_A", "IHttpRequest_B"]
        );
    }
}
