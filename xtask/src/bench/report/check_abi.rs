//! Section 3: check-abi against the four clang-19 compiles it drives.

use super::*;
use std::fmt::Write;

pub(super) fn section(md: &mut String, v: &View) {
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
    steps(md, v);
    overhead(md, v);
}

/// The times of check-abi, of the compiles alone, and of check-abi's own steps.
fn steps(md: &mut String, v: &View) {
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
}

/// check-abi ÷ its compiles against the target, and where check-abi's time above the
/// compiles goes.
fn overhead(md: &mut String, v: &View) {
    let check = v.m("check_abi.full");
    let compiles = v.m("check_abi.compiles");
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
