//! The generator's pipeline benchmarks, run in the bench (release) profile:
//!
//! - regen of `headers/httpserv.h` in process, whole and per phase, against a bare libclang
//!   parse of the same translation unit (`bare`);
//! - bindgen 0.73 (vtable generation on) on the same input (`bindgen_run`);
//! - check-abi's work against its `clang-19` compiles alone (`check_abi`);
//! - regen and check-abi on synthetic headers of 1×, 4× and 16× the API (`synthetic`).
//!
//! Each section is a method of `sections::Bench`; this file reads the options and runs them.
//!
//! `cargo xtask bench` runs this and writes BENCHMARKS.md from its `--json` output; on its
//! own: `cargo bench -p httpserv-generator --bench pipeline -- [--quick] [--json PATH]`.
//! Wall-clock samples only: no assertion depends on a time.

mod bare;
mod bindgen_run;
mod check_abi;
mod regen;
mod sections;
mod synthetic;
mod timing;
mod valgrind;

use generator::emit::Provenance;
use generator::parse::ParseOptions;
use generator::samples::median;
use generator::toolchain::IncludeSetup;
use sections::Bench;
use serde_json::json;
use std::path::{Path, PathBuf};
use timing::{timed, Samples};

struct Config {
    json: Option<PathBuf>,
    /// Where to copy bindgen's allowlisted output.
    keep_bindgen: Option<PathBuf>,
    /// Runs of the 1× regen, its phases and the bare parse.
    runs: usize,
    bindgen_runs: usize,
    bindgen_everything_runs: usize,
    check_abi_runs: usize,
    /// Scaling factors and runs per factor above 1× (the 1× runs are the main ones).
    factors: Vec<usize>,
    scaling_runs: usize,
    sections: Vec<String>,
}

/// The sections run by default. Only when asked for, for `cargo xtask bench` to run under
/// callgrind: `walk-profile` (one `parse::parse`, nothing else) and `emit-instructions`
/// (`emit::emit` of each `--factors` header between callgrind's start and stop
/// instrumentation requests).
const SECTIONS: [&str; 4] = ["regen", "bindgen", "check-abi", "scaling"];
const ALL_SECTIONS: [&str; 6] = [
    "regen",
    "bindgen",
    "check-abi",
    "scaling",
    "walk-profile",
    "emit-instructions",
];

impl Config {
    /// The run counts and factors, as the report records them.
    fn to_json(&self) -> serde_json::Value {
        json!({
            "runs": self.runs,
            "bindgen_runs": self.bindgen_runs,
            "bindgen_everything_runs": self.bindgen_everything_runs,
            "check_abi_runs": self.check_abi_runs,
            "factors": self.factors,
            "scaling_runs": self.scaling_runs,
        })
    }
}

fn usage() -> ! {
    eprintln!(
        "usage: pipeline [--quick] [--json PATH] [--keep-bindgen PATH] [--runs N] [--bindgen-runs N] \
         [--bindgen-everything-runs N] [--check-abi-runs N] [--factors 1,4,16] \
         [--scaling-runs N] [--only regen,bindgen,check-abi,scaling,walk-profile,emit-instructions]"
    );
    std::process::exit(2)
}

fn config() -> Config {
    let mut config = Config {
        json: None,
        keep_bindgen: None,
        runs: 15,
        bindgen_runs: 5,
        bindgen_everything_runs: 2,
        check_abi_runs: 7,
        factors: vec![1, 4, 16],
        scaling_runs: 5,
        sections: SECTIONS.iter().map(|s| s.to_string()).collect(),
    };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>| v.and_then(|v| v.parse().ok()).unwrap_or_else(|| usage());
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // cargo bench passes --bench to harness = false targets.
            "--bench" => {}
            "--quick" => {
                config.runs = 2;
                config.bindgen_runs = 1;
                config.check_abi_runs = 1;
                config.factors = vec![1, 4];
                config.scaling_runs = 1;
            }
            "--json" => {
                config.json = Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage()))
            }
            "--keep-bindgen" => {
                config.keep_bindgen =
                    Some(args.next().map(PathBuf::from).unwrap_or_else(|| usage()))
            }
            "--runs" => config.runs = number(args.next()),
            "--bindgen-runs" => config.bindgen_runs = number(args.next()),
            "--bindgen-everything-runs" => config.bindgen_everything_runs = number(args.next()),
            "--check-abi-runs" => config.check_abi_runs = number(args.next()),
            "--scaling-runs" => config.scaling_runs = number(args.next()),
            "--factors" => {
                config.factors = args
                    .next()
                    .unwrap_or_else(|| usage())
                    .split(',')
                    .map(|f| f.parse().unwrap_or_else(|_| usage()))
                    .collect()
            }
            "--only" => {
                config.sections = args
                    .next()
                    .unwrap_or_else(|| usage())
                    .split(',')
                    .map(str::to_string)
                    .collect();
                if config
                    .sections
                    .iter()
                    .any(|s| !ALL_SECTIONS.contains(&s.as_str()))
                {
                    usage()
                }
            }
            _ => usage(),
        }
    }
    config
}

fn main() {
    if let Err(e) = run(&config()) {
        eprintln!("bench failed: {e}");
        std::process::exit(1);
    }
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(config: &Config) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the generator lives one level below the workspace root")
        .to_path_buf();
    let scratch =
        Scratch(std::env::temp_dir().join(format!("httpserv-rs-bench-{}", std::process::id())));
    std::fs::create_dir_all(&scratch.0).map_err(|e| e.to_string())?;
    let header = root.join("headers/httpserv.h");
    let options = ParseOptions::debian(&header);
    let bench = Bench {
        config,
        scratch: &scratch.0,
        includes: options.includes.clone(),
        options,
        header,
        provenance: Provenance {
            input: "headers/httpserv.h".into(),
        },
    };
    let (libclang, load_seconds) = timed(bare::load_libclang);
    let libclang = libclang?;
    eprintln!("libclang: {libclang}");

    let mut samples = Samples::default();
    let mut report = serde_json::Map::new();
    report.insert("libclang".into(), json!(libclang));
    report.insert("libclang_first_load_seconds".into(), json!(load_seconds));
    report.insert("config".into(), config.to_json());
    if bench.wants("walk-profile") {
        generator::parse::parse(&bench.options).map_err(|e| e.to_string())?;
    }
    if bench.wants("emit-instructions") {
        bench.emit_instructions()?;
    }
    if bench.wants("regen") {
        report.insert("regen".into(), bench.regen(&mut samples)?);
    }
    if bench.wants("bindgen") {
        report.insert("bindgen".into(), bench.bindgen(&mut samples)?);
    }
    if bench.wants("check-abi") {
        bench.check_abi(&mut samples)?;
    }
    if bench.wants("scaling") {
        report.insert("scaling".into(), bench.scaling(&mut samples)?);
    }

    eprint!("{}", samples.summary());
    if bench.wants("regen") {
        eprintln!(
            "regen / bare parse = {:.2}",
            median(samples.get("regen.full")) / median(samples.get("parse.bare"))
        );
    }
    report.insert("samples".into(), samples.to_json());
    if let Some(path) = &config.json {
        let text = serde_json::to_string_pretty(&serde_json::Value::Object(report))
            .map_err(|e| e.to_string())?;
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// One measured step of a round.
type Step<'a> = dyn Fn(&mut Samples) -> Result<(), String> + 'a;

/// One round of the regen series: the bare parse (`<prefix>parse.bare`, with its parse and
/// dispose parts), every phase (`<prefix>phase.<name>`) and the whole regen
/// (`<prefix>regen.full`). Odd rounds run them in the reverse order, so that what one leaves
/// behind (page cache, the allocator's free lists) does not always favour the same one.
fn regen_round(
    options: &ParseOptions,
    provenance: &Provenance,
    out_dir: &Path,
    prefix: &str,
    round: usize,
    samples: &mut Samples,
) -> Result<(), String> {
    let mut steps: [&Step; 3] = [
        &|samples| {
            let bare = bare::bare_parse(&options.header, &options.includes)?;
            if bare.errors != 0 {
                return Err(format!(
                    "{}: the bare parse reports {} errors",
                    options.header.display(),
                    bare.errors
                ));
            }
            samples.push(&format!("{prefix}parse.bare"), bare.parse + bare.dispose);
            samples.push(&format!("{prefix}parse.bare.libclang"), bare.parse);
            samples.push(&format!("{prefix}parse.bare.dispose"), bare.dispose);
            Ok(())
        },
        &|samples| {
            let phases = regen::phases(options, provenance, out_dir)?;
            for (name, seconds) in phases.named() {
                samples.push(&format!("{prefix}phase.{name}"), seconds);
            }
            Ok(())
        },
        &|samples| {
            let (result, seconds) = timed(|| regen::full_regen(options, provenance, out_dir));
            result?;
            samples.push(&format!("{prefix}regen.full"), seconds);
            Ok(())
        },
    ];
    if round % 2 == 1 {
        steps.reverse();
    }
    steps.iter().try_for_each(|step| step(samples))
}

/// One run of check-abi and one of its bare compiles, as `<prefix>check_abi.full`,
/// `<prefix>check_abi.compiles` (their sum) and `<prefix>check_abi.compile.<name>`; odd
/// rounds compile first.
fn check_abi_sample(
    options: &ParseOptions,
    sources: &check_abi::ProbeSources,
    includes: &IncludeSetup,
    dir: &Path,
    prefix: &str,
    round: usize,
    samples: &mut Samples,
) -> Result<(), String> {
    let full = |samples: &mut Samples| -> Result<(), String> {
        let (run, seconds) = timed(|| check_abi::check_abi(options));
        let run = run?;
        if run.mismatches != 0 {
            return Err(format!(
                "check-abi found {} mismatches on {}",
                run.mismatches,
                options.header.display()
            ));
        }
        samples.push(&format!("{prefix}check_abi.full"), seconds);
        for (step, seconds) in run.steps {
            samples.push(&format!("{prefix}check_abi.step.{step}"), seconds);
        }
        Ok(())
    };
    let compiles = |samples: &mut Samples| -> Result<(), String> {
        let compiles = check_abi::bare_compiles(sources, includes, dir)?;
        samples.push(
            &format!("{prefix}check_abi.compiles"),
            compiles.iter().map(|(_, s)| s).sum(),
        );
        for (name, s) in compiles {
            samples.push(&format!("{prefix}check_abi.compile.{name}"), s);
        }
        Ok(())
    };
    if round % 2 == 0 {
        full(samples)?;
        compiles(samples)
    } else {
        compiles(samples)?;
        full(samples)
    }
}
