//! Project tasks behind `cargo xtask`: `regen` (and `regen --check`), `check-abi`, `abi-diff`,
//! `bench`, `serve`. Callable in-process so
//! integration tests can assert exit codes, messages and files without spawning cargo.
//!
//! Exit codes: 0 success, 1 stale files (`regen --check`) or ABI mismatches (`check-abi`),
//! 2 bad input or a missing tool.

pub mod abi_diff;
pub mod bench;
pub mod check_abi;
pub mod output;
pub mod regen;
pub mod sdk;
pub mod serve;

use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(name = "cargo xtask", about = "httpserv-rs project tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Regenerate the `generated/` bindings crate from an httpserv.h.
    Regen(regen::RegenArgs),
    /// Prove every vtable slot against clang-19's MSVC ABI for x86_64 and i686.
    CheckAbi(check_abi::CheckAbiArgs),
    /// Compare two API versions (headers or ABI manifests); exit 1 if the ABI broke.
    AbiDiff(abi_diff::AbiDiffArgs),
    /// Measure regen, check-abi, call overhead and compile cost; write BENCHMARKS.md.
    Bench(bench::BenchArgs),
    /// Serve module DLLs in the IIS host under wine on 127.0.0.1 (built alone, cached).
    Serve(serve::ServeArgs),
}

/// The repository root (the workspace this xtask was built in, beside the generator).
pub use generator::toolchain::workspace_root;

static PARSE_WORKER: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// From now on, tasks run libclang in child processes of `program` (which must answer
/// `program __parse-worker` with `generator::parse::worker::serve`), so that libclang
/// crashing on a header is reported instead of taking the task down. `cargo xtask` does
/// this at start; in-process callers (tests) parse on a thread unless they call it.
pub fn isolate_parses_in(program: PathBuf) {
    let _ = PARSE_WORKER.set(program);
}

/// How every task parses a header: [`ParseOptions::debian`], in a child process once
/// [`isolate_parses_in`] was called.
///
/// [`ParseOptions::debian`]: generator::parse::ParseOptions::debian
pub fn parse_options(header: &std::path::Path) -> generator::parse::ParseOptions {
    let options = generator::parse::ParseOptions::debian(header);
    match PARSE_WORKER.get() {
        Some(program) => options.isolated(generator::parse::Isolation::ChildProcess {
            program: program.clone(),
        }),
        None => options,
    }
}

/// How a task ends when it does not succeed: the exit code and what it prints on stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// 1: a check found differences (stale files, ABI mismatches, a breaking change);
    /// 2: bad input or a missing tool.
    pub code: i32,
    /// Printed as is, one or more lines.
    pub message: String,
}

impl Failure {
    /// Bad input or a missing tool (exit 2): `error: <what>`.
    pub fn error(what: impl std::fmt::Display) -> Failure {
        Failure {
            code: 2,
            message: format!("error: {what}"),
        }
    }

    /// A check that found differences (exit 1); `report` is printed as is.
    pub fn found(report: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: report.into(),
        }
    }
}

/// What a task returns: `Ok` is exit 0 (its output already written).
pub type Outcome = Result<(), Failure>;

/// Runs a task; returns the process exit code.
pub fn run<'a>(args: &[String], out: &'a mut dyn Write, err: &'a mut dyn Write) -> i32 {
    let argv = std::iter::once("xtask".to_string()).chain(args.iter().cloned());
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let stream = if code == 0 { out } else { err };
            let _ = write!(stream, "{e}");
            return code;
        }
    };
    let outcome = match cli.command {
        Command::Regen(args) => regen::regen(&args, out),
        Command::CheckAbi(args) => check_abi::check_abi(&args, out),
        Command::AbiDiff(args) => abi_diff::abi_diff(&args, out),
        Command::Bench(args) => bench::bench(&args, out, err),
        Command::Serve(args) => serve::serve(&args, out),
    };
    match outcome {
        Ok(()) => 0,
        Err(failure) => {
            let message = failure.message.trim_end_matches('\n');
            if !message.is_empty() {
                let _ = writeln!(err, "{message}");
            }
            failure.code
        }
    }
}
