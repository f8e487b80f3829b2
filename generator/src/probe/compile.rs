//! Running Debian's `clang-19` on probe sources, with the same flags as the front end
//! (`toolchain::compiler_args`), each run bounded in time: a compiler that hangs (a
//! pathological header, a broken toolchain) is stopped and reported instead of holding
//! `check-abi` forever.

use super::ProbeError;
use crate::toolchain::{compiler_args, IncludeSetup, Target};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long one clang run may take by default (seconds); `HTTPSERV_RS_CLANG_TIMEOUT`
/// overrides it. The whole IIS API compiles in a few seconds per target, so this only
/// stops a compiler that is stuck.
pub const DEFAULT_CLANG_TIMEOUT_SECS: u64 = 300;

/// What to produce from a probe source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A COFF object (`-c`).
    Object,
    /// Textual LLVM IR (`-S -emit-llvm`).
    LlvmIr,
}

/// The limit `HTTPSERV_RS_CLANG_TIMEOUT` asks for, else [`DEFAULT_CLANG_TIMEOUT_SECS`].
pub fn clang_timeout() -> Duration {
    let secs = std::env::var("HTTPSERV_RS_CLANG_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CLANG_TIMEOUT_SECS);
    Duration::from_secs(secs)
}

/// Compiles `source` (a file) for `target` into `output_path`, within [`clang_timeout`].
pub fn compile(
    clang: &Path,
    setup: &IncludeSetup,
    target: Target,
    source: &Path,
    output: Output,
    output_path: &Path,
) -> Result<(), ProbeError> {
    let mut command = Command::new(clang);
    command.args(compiler_args(setup, target));
    command.args(["-Wno-everything", "-O0"]);
    match output {
        Output::Object => command.arg("-c"),
        Output::LlvmIr => command.args(["-S", "-emit-llvm"]),
    };
    command.arg("-o").arg(output_path).arg(source);
    run_within(command, clang, target, output_path, clang_timeout())
}

/// Runs a clang `command` for at most `limit`, killing it past that. Its diagnostics go to
/// a file beside `output_path` rather than a pipe, so nothing waits on a pipe that a
/// killed compiler's children might still hold open.
fn run_within(
    mut command: Command,
    clang: &Path,
    target: Target,
    output_path: &Path,
    limit: Duration,
) -> Result<(), ProbeError> {
    let io_error = |path: &Path| {
        let path = path.display().to_string();
        move |source| ProbeError::Io { path, source }
    };
    let stderr_path = output_path.with_extension("stderr");
    let stderr = std::fs::File::create(&stderr_path).map_err(io_error(&stderr_path))?;
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .map_err(io_error(clang))?;
    let started = Instant::now();
    let status = loop {
        match child.try_wait().map_err(io_error(clang))? {
            Some(status) => break status,
            None if started.elapsed() >= limit => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(ProbeError::Compile {
                    clang: clang.display().to_string(),
                    triple: target.triple().into(),
                    first_error: format!(
                        "clang did not finish within {} s and was stopped (set \
                         HTTPSERV_RS_CLANG_TIMEOUT to allow longer)",
                        limit.as_secs()
                    ),
                });
            }
            None => std::thread::sleep(Duration::from_millis(10)),
        }
    };
    if !status.success() {
        let stderr = std::fs::read(&stderr_path).unwrap_or_default();
        let stderr = String::from_utf8_lossy(&stderr);
        let first_error = stderr
            .lines()
            .find(|l| l.contains("error"))
            .unwrap_or("no message");
        return Err(ProbeError::Compile {
            clang: clang.display().to_string(),
            triple: target.triple().into(),
            first_error: first_error.into(),
        });
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    /// A stand-in for clang: a shell script with `body`.
    fn fake_clang(dir: &Path, body: &str) -> std::path::PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("clang-19");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("httpserv-rs-compile-{}-{name}", std::process::id()))
    }

    #[test]
    fn a_compiler_that_hangs_is_stopped_at_the_limit() {
        let dir = scratch("hang");
        let clang = fake_clang(&dir, "exec sleep 60");
        let error = run_within(
            Command::new(&clang),
            &clang,
            Target::I686,
            &dir.join("methods.obj"),
            Duration::from_secs(1),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.contains(
                "failed to compile the i686-pc-windows-msvc probe: clang did not \
                            finish within 1 s and was stopped"
            ),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_first_error_line_is_reported() {
        let dir = scratch("fails");
        let clang = fake_clang(
            &dir,
            "echo 'probe.cpp:1:1: warning: w' >&2; echo 'probe.cpp:2:3: error: broken' >&2; exit 1",
        );
        let error = run_within(
            Command::new(&clang),
            &clang,
            Target::X86_64,
            &dir.join("methods.obj"),
            Duration::from_secs(60),
        )
        .unwrap_err()
        .to_string();
        assert!(
            error.ends_with("probe: probe.cpp:2:3: error: broken"),
            "{error}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
