//! The base every stage stands on: the two MSVC targets, where the headers come from, the
//! compiler command line, the one prelude a module's `.cpp` writes before `httpserv.h`, and
//! finding Debian's `clang-19`. The parser (libclang) and the probe (the clang-19 driver)
//! both read the header through exactly these, so what check-abi compiles is what regen read.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The two MSVC targets whose vtables we describe. Slot indices are the same on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    X86_64,
    I686,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::X86_64, Target::I686];

    pub fn triple(self) -> &'static str {
        match self {
            Target::X86_64 => "x86_64-pc-windows-msvc",
            Target::I686 => "i686-pc-windows-msvc",
        }
    }

    pub fn pointer_size(self) -> usize {
        match self {
            Target::X86_64 => 8,
            Target::I686 => 4,
        }
    }

    /// The mingw-w64 triple whose Windows headers serve this target.
    fn mingw_triple(self) -> &'static str {
        match self {
            Target::X86_64 => "x86_64-w64-mingw32",
            Target::I686 => "i686-w64-mingw32",
        }
    }

    /// The Debian package with those headers.
    fn mingw_package(self) -> &'static str {
        match self {
            Target::X86_64 => "mingw-w64-x86-64-dev",
            Target::I686 => "mingw-w64-i686-dev",
        }
    }
}

/// A missing tool or header set, with what installs it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ToolchainError {
    #[error(
        "httpserv-rs reads headers with Debian's clang 19 and mingw-w64 headers, which a \
         Windows host does not have: run `cargo xtask` in WSL with Debian 12 (`regen --sdk` \
         there finds the Windows SDK under /mnt/c) or on a Debian 12 machine"
    )]
    WindowsHost,
    #[error(
        "clang's resource headers are missing ({path}): install them with \
         `apt-get install libclang-19-dev`"
    )]
    ResourceHeaders { path: String },
    #[error(
        "the Windows headers for {triple} are missing ({path}): install them with \
         `apt-get install {package}`"
    )]
    WindowsHeaders {
        triple: String,
        path: String,
        package: String,
    },
    #[error(
        "HTTPSERV_RS_CLANG={path} is not a file; install clang 19 with `apt-get install clang-19`"
    )]
    ClangOverride { path: String },
    #[error(
        "clang-19 was not found (PATH, /usr/lib/llvm-19/bin): install it with \
         `apt-get install clang-19`"
    )]
    ClangMissing,
    /// libclang itself: missing, the wrong version, or failing to start.
    #[error("{0}")]
    Libclang(String),
}

/// Where to find the headers the input includes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncludeSetup {
    /// clang's own headers (stddef.h, intrinsics): `/usr/lib/llvm-19/lib/clang/19/include`.
    pub resource_dir: PathBuf,
    /// Debian's mingw-w64 headers root, holding `x86_64-w64-mingw32/include` etc.
    pub mingw_root: PathBuf,
    /// Our shims (ahadmin.h, SAL 1 annotations…).
    pub shim_dir: PathBuf,
}

/// The repository root (the workspace this generator was built in): where its headers, and
/// for `xtask` and the tests everything else, are found.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the generator lives one level below the workspace root")
        .to_path_buf()
}

/// This repository's `headers/shim`, which every parse and probe puts on the include path.
pub fn shim_dir() -> PathBuf {
    workspace_root().join("headers/shim")
}

impl IncludeSetup {
    /// The Debian layout, with this repository's shims.
    pub fn debian() -> IncludeSetup {
        IncludeSetup {
            resource_dir: PathBuf::from("/usr/lib/llvm-19/lib/clang/19/include"),
            mingw_root: PathBuf::from("/usr"),
            shim_dir: shim_dir(),
        }
    }

    pub fn mingw_include(&self, target: Target) -> PathBuf {
        self.mingw_root.join(target.mingw_triple()).join("include")
    }

    /// What is missing, with the command that installs it.
    pub fn check(&self, target: Target) -> Result<(), ToolchainError> {
        if !self.resource_dir.join("stddef.h").exists() {
            if cfg!(windows) {
                return Err(ToolchainError::WindowsHost);
            }
            return Err(ToolchainError::ResourceHeaders {
                path: self.resource_dir.display().to_string(),
            });
        }
        let mingw = self.mingw_include(target);
        if !mingw.join("windows.h").exists() {
            return Err(ToolchainError::WindowsHeaders {
                triple: target.triple().into(),
                path: mingw.display().to_string(),
                package: target.mingw_package().into(),
            });
        }
        Ok(())
    }
}

/// Compiler flags (without the input file) for `target`.
pub fn compiler_args(setup: &IncludeSetup, target: Target) -> Vec<String> {
    let mut args: Vec<String> = [
        "-x",
        "c++",
        "-std=c++14",
        "-fms-extensions",
        "-fms-compatibility",
        "-fgnuc-version=4.2.1",
        "-nostdinc",
        "-Wno-pragma-pack",
        "-Wno-unknown-pragmas",
        "-Wno-ignored-attributes",
        // A current Windows 10 API set; keeps old IIS headers away from http_xp.h.
        "-D_WIN32_WINNT=0x0A00",
        "-DWINVER=0x0A00",
        "-DNTDDI_VERSION=0x0A000000",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.push(format!("--target={}", target.triple()));
    if target == Target::I686 {
        args.push("-D_X86_=1".into());
    }
    args.push(format!("-I{}", setup.shim_dir.display()));
    for dir in [setup.resource_dir.clone(), setup.mingw_include(target)] {
        args.push("-isystem".into());
        args.push(dir.display().to_string());
    }
    args
}

/// The translation unit's start: what a module's .cpp writes before the IIS header, plus our
/// compat shim (SAL annotations mingw-w64 lacks, for unmodified SDK headers), then the header
/// itself by the path given.
pub fn prelude(header: &str) -> String {
    format!(
        "#include <winsock2.h>\n#include <windows.h>\n#include <httpserv_rs_compat.h>\n#include \"{header}\"\n"
    )
}

/// The clang-19 driver: `$HTTPSERV_RS_CLANG`, else `clang-19` on PATH, else Debian's path.
pub fn find_clang() -> Result<PathBuf, ToolchainError> {
    if let Some(path) = std::env::var_os("HTTPSERV_RS_CLANG") {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(ToolchainError::ClangOverride {
                path: path.display().to_string(),
            })
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
        .ok_or(ToolchainError::ClangMissing)
}
