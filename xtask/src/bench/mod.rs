//! `cargo xtask bench`: measures the generator and the generated crate on this machine and
//! writes `BENCHMARKS.md`.
//!
//! - `pipeline`: the generator's bench target (`generator/benches/pipeline`, built in the
//!   bench profile): regen against a bare libclang parse and against bindgen, check-abi
//!   against its clang compiles, and both on synthetic headers of 1×, 4× and 16× the API;
//! - `walk-profile`: callgrind's instruction profile of the generator's own parse thread
//!   (the cursor walk; libclang parses on a thread of its own, not counted);
//! - `emit-instructions`: callgrind's instruction count of `emit::emit` at 1× and 4× the
//!   API, a noise-free check that emitting grows linearly;
//! - `process`: `xtask regen` and `xtask check-abi` as processes, in this binary's profile
//!   (what `cargo xtask …` runs);
//! - `call-overhead`: a generated wrapper call against a raw vtable call (callgrind's
//!   instruction counts and the assembly);
//! - `compile-cost`: building `generated/` against building windows-sys;
//! - `iis-host`: a module DLL in Rust against the same module in C++, through the IIS host
//!   of `tests/iis_host` under wine (time, instructions and HTTP requests per second).
//!
//! Wall-clock numbers are medians with their range; nothing here asserts a time.

mod call_overhead;
mod compile_cost;
pub mod iis_host;
mod machine;
mod report;
mod stats;

use stats::Series;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

pub const SECTIONS: [&str; 7] = [
    "pipeline",
    "walk-profile",
    "emit-instructions",
    "process",
    "call-overhead",
    "compile-cost",
    "iis-host",
];

/// Header sizes whose `emit::emit` callgrind counts (`emit-instructions`).
const EMIT_FACTORS: [usize; 2] = [1, 4];

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// A smoke run: one or two repetitions, no 16× header. Its report says so.
    #[arg(long)]
    pub quick: bool,
    /// Where to write the report [default: BENCHMARKS.md in the workspace].
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Run only these sections (comma-separated): pipeline, walk-profile,
    /// emit-instructions, process, call-overhead, compile-cost, iis-host.
    #[arg(long, value_delimiter = ',', value_name = "SECTIONS")]
    pub only: Vec<String>,
}

/// Everything one run measured; `None` for a section not run (or failed: see `notes`).
#[derive(Debug, Default)]
pub struct Results {
    pub machine: Option<machine::Machine>,
    pub command: String,
    pub quick: bool,
    pub pipeline: Option<serde_json::Value>,
    pub bindgen_output: Option<String>,
    pub walk_profile: Option<WalkProfile>,
    /// (factor, instructions of one `emit::emit`).
    pub emit_instructions: Vec<(usize, u64)>,
    pub process: Option<Process>,
    pub call: Option<call_overhead::CallOverhead>,
    pub compile: Option<compile_cost::CompileCost>,
    pub iis_host: Option<iis_host::IisHost>,
    pub notes: Vec<String>,
    pub total_seconds: f64,
}

#[derive(Debug, Clone, Default)]
pub struct WalkProfile {
    /// Instructions on the generator's parse thread, per `parse::parse`.
    pub total: u64,
    /// (inclusive instructions, function) below the thread's entry, largest first.
    pub top: Vec<(u64, String)>,
}

#[derive(Debug, Clone, Default)]
pub struct Process {
    pub profile: &'static str,
    pub regen: Series,
    pub check_abi: Series,
}

/// clang-19 as check-abi finds it.
pub fn clang_path() -> Result<PathBuf, String> {
    generator::toolchain::find_clang().map_err(|e| e.to_string())
}

fn cargo_command() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl BenchArgs {
    /// Whether the run includes `section` (every section when `--only` is not given).
    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|x| x == section)
    }

    /// The command line the report quotes.
    fn command_line(&self) -> String {
        let mut command = "cargo xtask bench".to_string();
        if self.quick {
            command.push_str(" --quick");
        }
        if !self.only.is_empty() {
            command.push_str(&format!(" --only {}", self.only.join(",")));
        }
        command
    }
}

pub fn bench(args: &BenchArgs, out: &mut dyn Write, err: &mut dyn Write) -> crate::Outcome {
    if let Some(bad) = args.only.iter().find(|s| !SECTIONS.contains(&s.as_str())) {
        return Err(crate::Failure::error(format!(
            "unknown section `{bad}`; sections: {}",
            SECTIONS.join(", ")
        )));
    }
    let started = Instant::now();
    let root = crate::workspace_root();
    let report_path = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("BENCHMARKS.md"));
    let scratch = Scratch(
        std::env::temp_dir().join(format!("httpserv-rs-xtask-bench-{}", std::process::id())),
    );
    std::fs::create_dir_all(&scratch.0)
        .map_err(|e| crate::Failure::error(format!("{}: {e}", scratch.0.display())))?;
    let mut results = Results {
        machine: Some(machine::describe()),
        command: args.command_line(),
        quick: args.quick,
        ..Results::default()
    };
    measure_with_pipeline_binary(args, &root, &scratch.0, &mut results, err);
    measure_standalone(args, &root, &scratch.0, &mut results, err);
    results.total_seconds = started.elapsed().as_secs_f64();

    let text = report::render(&results);
    std::fs::write(&report_path, &text)
        .map_err(|e| crate::Failure::error(format!("writing {}: {e}", report_path.display())))?;
    let _ = write!(out, "{}", report::summary_text(&results));
    let _ = writeln!(
        out,
        "bench: wrote {} in {:.0} s",
        report_path
            .strip_prefix(&root)
            .unwrap_or(&report_path)
            .display(),
        results.total_seconds
    );
    if results.notes.is_empty() {
        Ok(())
    } else {
        let notes: Vec<String> = results
            .notes
            .iter()
            .map(|n| format!("bench: {n}"))
            .collect();
        Err(crate::Failure::found(notes.join("\n")))
    }
}

/// The sections that run the generator's pipeline bench binary (built once for them):
/// `pipeline`, `walk-profile` and `emit-instructions`. A failure is a note in `results`.
fn measure_with_pipeline_binary(
    args: &BenchArgs,
    root: &Path,
    scratch: &Path,
    results: &mut Results,
    err: &mut dyn Write,
) {
    let wants = |s: &str| args.wants(s);
    if !(wants("pipeline") || wants("walk-profile") || wants("emit-instructions")) {
        return;
    }
    let _ = writeln!(err, "bench: building the pipeline bench (bench profile)…");
    let binary = match build_pipeline(root) {
        Ok(path) => path,
        Err(e) => {
            results.notes.push(format!("pipeline bench not built: {e}"));
            return;
        }
    };
    if wants("pipeline") {
        let _ = writeln!(err, "bench: pipeline (regen, bindgen, check-abi, scaling)…");
        match run_pipeline(&binary, scratch, args.quick) {
            Ok((json, bindgen)) => {
                // The raw samples, for a closer look (target/ is not checked in).
                let keep = root.join("target/xtask-bench");
                if std::fs::create_dir_all(&keep).is_ok() {
                    let _ = std::fs::write(
                        keep.join("pipeline.json"),
                        serde_json::to_string_pretty(&json).unwrap_or_default(),
                    );
                }
                results.pipeline = Some(json);
                results.bindgen_output = bindgen;
            }
            Err(e) => results.notes.push(format!("pipeline failed: {e}")),
        }
    }
    if wants("walk-profile") {
        let _ = writeln!(err, "bench: walk profile (callgrind, about a minute)…");
        match walk_profile(&binary, scratch) {
            Ok(profile) => results.walk_profile = Some(profile),
            Err(e) => results.notes.push(format!("walk profile failed: {e}")),
        }
    }
    if wants("emit-instructions") {
        let factors: &[usize] = if args.quick { &[1] } else { &EMIT_FACTORS };
        for &factor in factors {
            let _ = writeln!(err, "bench: emit instructions at {factor}× (callgrind)…");
            match emit_instructions(&binary, scratch, factor) {
                Ok(count) => results.emit_instructions.push((factor, count)),
                Err(e) => {
                    results.notes.push(format!("emit instructions failed: {e}"));
                    break;
                }
            }
        }
    }
}

/// The sections that each build and run what they measure: `process`, `call-overhead`,
/// `compile-cost` and `iis-host`. A failure is a note in `results`.
fn measure_standalone(
    args: &BenchArgs,
    root: &Path,
    scratch: &Path,
    results: &mut Results,
    err: &mut dyn Write,
) {
    if args.wants("process") {
        let _ = writeln!(err, "bench: regen and check-abi as processes…");
        match process(scratch, if args.quick { 1 } else { 3 }) {
            Ok(p) => results.process = Some(p),
            Err(e) => results.notes.push(format!("process timings failed: {e}")),
        }
    }
    if args.wants("call-overhead") {
        let _ = writeln!(err, "bench: call overhead (release builds, callgrind)…");
        match call_overhead::measure(root, scratch) {
            Ok(c) => results.call = Some(c),
            Err(e) => results.notes.push(format!("call overhead failed: {e}")),
        }
    }
    if args.wants("compile-cost") {
        let _ = writeln!(err, "bench: compile cost (fresh target dirs)…");
        let (fresh, alone) = if args.quick { (1, 1) } else { (3, 5) };
        match compile_cost::measure(root, scratch, fresh, alone) {
            Ok(c) => results.compile = Some(c),
            Err(e) => results.notes.push(format!("compile cost failed: {e}")),
        }
    }
    if args.wants("iis-host") {
        let _ = writeln!(
            err,
            "bench: Rust module DLLs against C++ ones in the IIS host (wine)…"
        );
        match iis_host::measure(root, scratch) {
            Ok(h) => results.iis_host = Some(h),
            Err(e) => results.notes.push(format!("iis-host failed: {e}")),
        }
    }
}

/// Builds the generator's pipeline bench and returns its executable.
fn build_pipeline(root: &Path) -> Result<PathBuf, String> {
    let output = cargo_command()
        .args([
            "bench",
            "--no-run",
            "--quiet",
            "-p",
            "httpserv-generator",
            "--bench",
            "pipeline",
            "--message-format=json",
        ])
        .current_dir(root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !output.status.success() {
        return Err("cargo bench --no-run failed".into());
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "pipeline")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| "cargo did not report the pipeline executable".into())
}

fn run_pipeline(
    binary: &Path,
    scratch: &Path,
    quick: bool,
) -> Result<(serde_json::Value, Option<String>), String> {
    let json = scratch.join("pipeline.json");
    let bindgen = scratch.join("bindgen-allowlisted.rs");
    let mut command = Command::new(binary);
    command
        .arg("--json")
        .arg(&json)
        .arg("--keep-bindgen")
        .arg(&bindgen);
    if quick {
        command.arg("--quick");
    }
    let status = command
        .status()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    if !status.success() {
        return Err(format!("{} exited with {status}", binary.display()));
    }
    let text = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    let value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
    Ok((value, std::fs::read_to_string(&bindgen).ok()))
}

/// Runs one `parse::parse` under callgrind, counting only the generator's parse thread
/// (`parse_on_this_thread`): libclang's own parse runs on a thread libclang starts, so what
/// is counted is the walk from cursors to IR (and the thread's setup and the TU's disposal).
fn walk_profile(binary: &Path, scratch: &Path) -> Result<WalkProfile, String> {
    let out_file = scratch.join("callgrind.walk");
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg("--toggle-collect=*parse_on_this_thread*")
        .arg(binary)
        .args(["--only", "walk-profile"])
        .output()
        .map_err(|e| format!("valgrind: {e} (install it with `apt-get install valgrind`)"))?;
    if !output.status.success() {
        return Err(format!(
            "valgrind failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let annotated = Command::new("callgrind_annotate")
        .arg("--inclusive=yes")
        .arg(&out_file)
        .output()
        .map_err(|e| format!("callgrind_annotate: {e}"))?;
    let profile = parse_annotate(&String::from_utf8_lossy(&annotated.stdout));
    if profile.total == 0 {
        return Err(
            "callgrind counted nothing in `parse_on_this_thread` (renamed or inlined?)".into(),
        );
    }
    Ok(profile)
}

/// Reads `callgrind_annotate --inclusive=yes` output: the program total, and the functions
/// inside the parse thread, without thread plumbing or clang-sys's forwarding shims.
pub fn parse_annotate(text: &str) -> WalkProfile {
    let mut profile = WalkProfile::default();
    for line in text.lines() {
        let line = line.trim();
        let Some((count, rest)) = line.split_once(' ') else {
            continue;
        };
        let Ok(count) = count.replace(',', "").parse::<u64>() else {
            continue;
        };
        if rest.contains("PROGRAM TOTALS") {
            profile.total = count;
            continue;
        }
        // `(93.23%)  ???:generator::parse::Walker::walk [/path/to/binary]`
        let function = rest
            .split_once(')')
            .map(|(_, f)| f.trim())
            .unwrap_or(rest)
            .split(" [")
            .next()
            .unwrap_or("")
            .trim_start_matches("???:")
            .to_string();
        let plumbing = [
            "clone",
            "start_thread",
            "thread_start",
            "call_once",
            "__rust_begin_short_backtrace",
            "parse_on_this_thread",
            "clang_sys::",
        ];
        if function.is_empty()
            || function.starts_with("0x")
            || plumbing.iter().any(|p| function.contains(p))
        {
            continue;
        }
        profile.top.push((count, function));
    }
    profile
        .top
        .sort_by_key(|(count, _)| std::cmp::Reverse(*count));
    profile.top.truncate(14);
    profile
}

/// Instructions of one `emit::emit` of the `factor`× header: the bench runs under callgrind
/// with instrumentation off, and turns it on around `emit` with client requests.
fn emit_instructions(binary: &Path, scratch: &Path, factor: usize) -> Result<u64, String> {
    let out_file = scratch.join(format!("callgrind.emit-{factor}"));
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--instr-atstart=no")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg(binary)
        .args([
            "--only",
            "emit-instructions",
            "--factors",
            &factor.to_string(),
        ])
        .output()
        .map_err(|e| format!("valgrind: {e} (install it with `apt-get install valgrind`)"))?;
    if !output.status.success() {
        return Err(format!(
            "valgrind failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = std::fs::read_to_string(&out_file).map_err(|e| e.to_string())?;
    callgrind_total(&text).ok_or_else(|| "no instruction total in callgrind's output".into())
}

/// The instruction total of a callgrind output file: the larger of its `summary:` and
/// `totals:` lines (with `--instr-atstart=no`, `summary:` stays 0).
pub fn callgrind_total(text: &str) -> Option<u64> {
    text.lines()
        .filter_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .filter_map(|v| v.split_whitespace().next()?.parse().ok())
        .max()
}

/// `xtask regen --out DIR` and `xtask check-abi` as processes of this very binary.
fn process(scratch: &Path, runs: usize) -> Result<Process, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut result = Process {
        profile: if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        },
        ..Process::default()
    };
    let out_dir = scratch.join("process-regen");
    let time = |args: &[&std::ffi::OsStr]| -> Result<f64, String> {
        let started = Instant::now();
        let output = Command::new(&exe)
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        let seconds = started.elapsed().as_secs_f64();
        if !output.status.success() {
            return Err(format!(
                "xtask {:?} failed: {}",
                args,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(seconds)
    };
    let regen = [
        std::ffi::OsStr::new("regen"),
        std::ffi::OsStr::new("--out"),
        out_dir.as_os_str(),
    ];
    let check = [std::ffi::OsStr::new("check-abi")];
    time(&regen)?; // warm-up, and the abi.json the next runs compare with
    for _ in 0..runs {
        result.regen.0.push(time(&regen)?);
        result.check_abi.0.push(time(&check)?);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_callgrind_totals() {
        let text = "events: Ir\nsummary: 0\ntotals: 822116075\n";
        assert_eq!(super::callgrind_total(text), Some(822_116_075));
        assert_eq!(
            super::callgrind_total("summary: 15000023\n"),
            Some(15_000_023)
        );
        assert_eq!(super::callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn reads_callgrind_annotate() {
        let text = "\
308,799,002 (100.0%)  PROGRAM TOTALS
463,212,052 (150.0%)  ./misc/clone.S:start_thread'2
308,799,002 (100.0%)  ???:generator::parse::parse_on_this_thread [/x/pipeline]
287,887,497 (93.23%)  ???:generator::parse::Walker::walk [/x/pipeline]
112,351,428 (36.38%)  ???:clang_sys::clang_getExpansionLocation [/x/pipeline]
104,550,360 (33.86%)  ???:clang_getExpansionLocation [/usr/lib/libclang-19.so.19]
 43,285,450 (14.02%)  ???:0x00000000009c5a40 [/usr/lib/libclang-19.so.19]
";
        let profile = super::parse_annotate(text);
        assert_eq!(profile.total, 308_799_002);
        let names: Vec<&str> = profile.top.iter().map(|(_, f)| f.as_str()).collect();
        assert_eq!(
            names,
            [
                "generator::parse::Walker::walk",
                "clang_getExpansionLocation"
            ]
        );
    }
}
