//! Running Debian's `clang-19` on probe sources, with the same flags as the front end.

use crate::layout::Target;
use crate::parse::flags::{compiler_args, IncludeSetup};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The clang-19 driver: `$HTTPSERV_RS_CLANG`, else `clang-19` on PATH, else Debian's path.
pub fn find_clang() -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os("HTTPSERV_RS_CLANG") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!(
                "HTTPSERV_RS_CLANG={} is not a file; install clang 19 with `apt-get install clang-19`",
                path.display()
            ))
        };
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| {
            std::env::split_paths(&p)
                .map(|d| d.join("clang-19"))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/lib/llvm-19/bin/clang")])
        .find(|p| p.is_file())
        .ok_or_else(|| {
            "clang-19 was not found (PATH, /usr/lib/llvm-19/bin): install it with \
             `apt-get install clang-19`"
                .to_string()
        })
}

/// What to produce from a probe source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// A COFF object (`-c`).
    Object,
    /// Textual LLVM IR (`-S -emit-llvm`).
    LlvmIr,
}

/// Compiles `source` (a file) for `target` into `output_path`.
pub fn compile(
    clang: &Path,
    setup: &IncludeSetup,
    target: Target,
    source: &Path,
    output: Output,
    output_path: &Path,
) -> Result<(), String> {
    let mut command = Command::new(clang);
    command.args(compiler_args(setup, target));
    command.args(["-Wno-everything", "-O0"]);
    match output {
        Output::Object => command.arg("-c"),
        Output::LlvmIr => command.args(["-S", "-emit-llvm"]),
    };
    command.arg("-o").arg(output_path).arg(source);
    let result = command
        .output()
        .map_err(|e| format!("running {}: {e}", clang.display()))?;
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
        let first_error = stderr
            .lines()
            .find(|l| l.contains("error"))
            .unwrap_or("no message");
        return Err(format!(
            "{} failed to compile the {} probe: {first_error}",
            clang.display(),
            target.triple()
        ));
    }
    Ok(())
}
