//! Running Debian's `clang-19` on probe sources, with the same flags as the front end
//! (`toolchain::compiler_args`).

use super::ProbeError;
use crate::toolchain::{compiler_args, IncludeSetup, Target};
use std::path::Path;
use std::process::Command;

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
) -> Result<(), ProbeError> {
    let mut command = Command::new(clang);
    command.args(compiler_args(setup, target));
    command.args(["-Wno-everything", "-O0"]);
    match output {
        Output::Object => command.arg("-c"),
        Output::LlvmIr => command.args(["-S", "-emit-llvm"]),
    };
    command.arg("-o").arg(output_path).arg(source);
    let result = command.output().map_err(|source| ProbeError::Io {
        path: clang.display().to_string(),
        source,
    })?;
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
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
