//! The compiler command line shared by the front end and the probe: MS extensions for an
//! MSVC target, Debian's mingw-w64 headers for the Windows API, our shims for what they
//! lack, and the prelude every IIS module writes before `#include <httpserv.h>`.

use crate::layout::Target;
use std::path::{Path, PathBuf};

/// Where to find the headers the input includes.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IncludeSetup {
    /// clang's own headers (stddef.h, intrinsics): `/usr/lib/llvm-19/lib/clang/19/include`.
    pub resource_dir: PathBuf,
    /// Debian's mingw-w64 headers root, holding `x86_64-w64-mingw32/include` etc.
    pub mingw_root: PathBuf,
    /// Our shims (ahadmin.h, SAL 1 annotations…).
    pub shim_dir: PathBuf,
}

impl IncludeSetup {
    /// The Debian layout, with the shims of this repository (`headers/shim`).
    pub fn debian(shim_dir: PathBuf) -> IncludeSetup {
        IncludeSetup {
            resource_dir: PathBuf::from("/usr/lib/llvm-19/lib/clang/19/include"),
            mingw_root: PathBuf::from("/usr"),
            shim_dir,
        }
    }

    pub fn mingw_include(&self, target: Target) -> PathBuf {
        let triple = match target {
            Target::X86_64 => "x86_64-w64-mingw32",
            Target::I686 => "i686-w64-mingw32",
        };
        self.mingw_root.join(triple).join("include")
    }

    /// What is missing, with the command that installs it.
    pub fn check(&self, target: Target) -> Result<(), String> {
        if !self.resource_dir.join("stddef.h").exists() {
            if cfg!(windows) {
                return Err(
                    "httpserv-rs reads headers with Debian's clang 19 and mingw-w64 headers, \
                     which a Windows host does not have: run `cargo xtask` in WSL with Debian 12 \
                     (`regen --sdk` there finds the Windows SDK under /mnt/c) or on a Debian 12 \
                     machine"
                        .into(),
                );
            }
            return Err(format!(
                "clang's resource headers are missing ({}): install them with \
                 `apt-get install libclang-19-dev`",
                self.resource_dir.display()
            ));
        }
        let mingw = self.mingw_include(target);
        if !mingw.join("windows.h").exists() {
            let package = match target {
                Target::X86_64 => "mingw-w64-x86-64-dev",
                Target::I686 => "mingw-w64-i686-dev",
            };
            return Err(format!(
                "the Windows headers for {} are missing ({}): install them with \
                 `apt-get install {package}`",
                target.triple(),
                mingw.display()
            ));
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

/// The translation unit we parse: what a module's .cpp writes before the IIS header, plus
/// our compat shim (SAL annotations mingw-w64 lacks, for unmodified SDK headers).
pub fn prelude(header: &Path) -> String {
    format!(
        "#include <winsock2.h>\n#include <windows.h>\n#include <httpserv_rs_compat.h>\n#include \"{}\"\n",
        header.display()
    )
}
