//! Call overhead of the generated wrappers: `IHttpRequest::GetHeader` (the generated
//! `unsafe fn`) and `IHttpRequest::header` (the idiomatic form: `&CStr` in, `Option<&[u8]>`
//! out) against the hand-written vtable call `((*(*p).vtable).GetHeader)(p, …)`.
//!
//! A throwaway crate in a temp dir depends on `httpserv/` and is built three times in
//! release mode, once per call style (its `direct` and `idiomatic` features). Two measures, neither a timing:
//! - callgrind's instruction count for `run_calls` (N calls through a fake vtable whose
//!   slots point at one `#[inline(never)]` function), on x86_64 Linux;
//! - the assembly of `one_call` (one call, nothing else), on x86_64 Linux and, when its
//!   Rust standard library is installed, `i686-pc-windows-msvc` (where the slot is
//!   `thiscall`).

use std::path::{Path, PathBuf};
use std::process::Command;

pub const CALLS: u64 = 1_000_000;

const LIB_RS: &str = r#"//! One call site, three spellings: the generated wrapper (default), the raw vtable call
//! (feature `direct`) or the idiomatic method (feature `idiomatic`). Each returns the header
//! value's pointer and length.
#![no_std]
use httpserv::IHttpRequest;

#[inline(always)]
unsafe fn get(request: *mut IHttpRequest) -> (*const u8, usize) {
    #[cfg(feature = "idiomatic")]
    {
        match (*request).header(c"Host") {
            Some(value) => (value.as_ptr(), value.len()),
            None => (core::ptr::null(), 0),
        }
    }
    #[cfg(not(feature = "idiomatic"))]
    {
        let mut len = 0u16;
        #[cfg(not(feature = "direct"))]
        let header = (*request).GetHeader(c"Host".as_ptr().cast(), &mut len);
        #[cfg(feature = "direct")]
        let header = ((*(*request).vtable).GetHeader)(
            request as *const IHttpRequest,
            c"Host".as_ptr().cast(),
            &mut len,
        );
        (header, len as usize)
    }
}

/// One `GetHeader` call and nothing else: compare the assembly.
///
/// # Safety
/// `request` must point at an object whose vtable has a `GetHeader` slot.
#[inline(never)]
#[no_mangle]
pub unsafe fn one_call(request: *mut IHttpRequest) -> (*const u8, usize) {
    get(request)
}

/// `n` calls: compare the instruction counts.
///
/// # Safety
/// As `one_call`.
#[inline(never)]
#[no_mangle]
pub unsafe fn run_calls(request: *mut IHttpRequest, n: u64) -> usize {
    let mut sum = 0usize;
    for _ in 0..n {
        let (header, len) = get(request);
        sum = sum.wrapping_add(header as usize).wrapping_add(len);
    }
    sum
}
"#;

const MAIN_RS: &str = r#"//! Calls `run_calls` on a fake C++ object whose every slot is `get_header`.
use httpserv::IHttpRequest;

type Slot = unsafe extern "system" fn(*const IHttpRequest, *const u8, *mut u16) -> *const u8;

#[inline(never)]
unsafe extern "system" fn get_header(_: *const IHttpRequest, name: *const u8, len: *mut u16) -> *const u8 {
    *len = 4;
    name
}

static VTABLE: [Slot; 64] = [get_header; 64];

#[repr(C)]
struct Fake {
    vtable: *const Slot,
}

fn main() {
    const _: () = assert!(core::mem::size_of::<httpserv::IHttpRequest_Vtbl>() <= 64 * core::mem::size_of::<usize>());
    let n: u64 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1_000_000);
    let fake = Fake { vtable: VTABLE.as_ptr() };
    let request = std::hint::black_box(&fake as *const Fake as *mut IHttpRequest);
    let sum = unsafe { callbench::run_calls(request, std::hint::black_box(n)) };
    println!("{sum}");
}
"#;

#[derive(Debug, Clone, Default)]
pub struct Variant {
    /// Instructions callgrind counted inside `run_calls` (the callee included).
    pub instructions: Option<u64>,
    /// `one_call`'s instructions on x86_64 Linux, directives dropped.
    pub asm_x86_64: Vec<String>,
    /// The same on i686-pc-windows-msvc, if that target is installed.
    pub asm_i686: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CallOverhead {
    pub wrapper: Variant,
    pub direct: Variant,
    /// `request.header(c"Host")`.
    pub idiomatic: Variant,
    pub notes: Vec<String>,
}

fn write_crate(dir: &Path, root: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"callbench\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nhttpserv = {{ path = \"{}\" }}\n\n[features]\ndirect = []\nidiomatic = []\n\n[workspace]\n",
        root.join("httpserv").display()
    );
    for (path, text) in [
        ("Cargo.toml", manifest.as_str()),
        ("src/lib.rs", LIB_RS),
        ("src/main.rs", MAIN_RS),
    ] {
        std::fs::write(dir.join(path), text).map_err(|e| format!("{path}: {e}"))?;
    }
    // Same versions as the workspace.
    let _ = std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"));
    Ok(())
}

fn cargo(dir: &Path, target_dir: &Path, args: &[&str]) -> Result<(), String> {
    let output = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir)
        .output()
        .map_err(|e| format!("cargo: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// The newest `callbench-*.s` under `deps`.
fn newest_asm(deps: &Path) -> Result<PathBuf, String> {
    std::fs::read_dir(deps)
        .map_err(|e| format!("{}: {e}", deps.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            name.starts_with("callbench-") && name.ends_with(".s")
        })
        .max_by_key(|p| p.metadata().and_then(|m| m.modified()).ok())
        .ok_or_else(|| format!("no assembly in {}", deps.display()))
}

/// The instructions of `symbol` in an assembly listing: from its label to the end of the
/// function, labels, directives and comments dropped, whitespace normalized.
pub fn function_instructions(asm: &str, symbol: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in asm.lines() {
        let trimmed = line.trim();
        if !inside {
            // `one_call:`, or `_one_call:` on x86 Windows.
            let label = trimmed.trim_end_matches(':');
            inside = trimmed.ends_with(':') && label.trim_start_matches('_') == symbol;
            continue;
        }
        // The end of the function: ELF's `.Lfunc_end0:`, COFF's `Lfunc_end0:`, or the next
        // function's label (local labels start with `.L` or, on COFF, `L`).
        let next_function =
            trimmed.ends_with(':') && !trimmed.starts_with('.') && !trimmed.starts_with('L');
        if trimmed.starts_with(".Lfunc_end")
            || trimmed.starts_with("Lfunc_end")
            || trimmed == ".cfi_endproc"
            || next_function
        {
            break;
        }
        let code = trimmed.split('#').next().unwrap_or("").trim();
        if code.is_empty() || code.starts_with('.') || code.ends_with(':') {
            continue;
        }
        out.push(code.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    out
}

fn callgrind(binary: &Path, out_file: &Path) -> Result<u64, String> {
    let output = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out_file.display()))
        .arg("--toggle-collect=run_calls")
        .arg(binary)
        .arg(CALLS.to_string())
        .output()
        .map_err(|e| format!("valgrind: {e} (install it with `apt-get install valgrind`)"))?;
    if !output.status.success() {
        return Err(format!(
            "valgrind failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let text = std::fs::read_to_string(out_file).map_err(|e| e.to_string())?;
    super::callgrind_total(&text).ok_or_else(|| "no instruction total in callgrind's output".into())
}

pub fn measure(root: &Path, scratch: &Path) -> Result<CallOverhead, String> {
    let dir = scratch.join("callbench");
    let target_dir = scratch.join("callbench-target");
    write_crate(&dir, root)?;
    let mut result = CallOverhead::default();
    let i686_installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("i686-pc-windows-msvc"))
        .unwrap_or(false);
    if !i686_installed {
        result.notes.push(
            "i686-pc-windows-msvc is not installed (`rustup target add i686-pc-windows-msvc`): \
             no x86 (thiscall) assembly"
                .into(),
        );
    }
    for name in ["wrapper", "direct", "idiomatic"] {
        let features: &[&str] = match name {
            "wrapper" => &[],
            "direct" => &["--features", "direct"],
            _ => &["--features", "idiomatic"],
        };
        let variant = match name {
            "wrapper" => &mut result.wrapper,
            "direct" => &mut result.direct,
            _ => &mut result.idiomatic,
        };
        let mut args = vec!["build", "--release", "--quiet"];
        args.extend(features);
        cargo(&dir, &target_dir, &args)?;
        let binary = scratch.join(format!("callbench-{name}"));
        std::fs::copy(target_dir.join("release/callbench"), &binary).map_err(|e| e.to_string())?;
        variant.instructions = Some(callgrind(
            &binary,
            &scratch.join(format!("callgrind.{name}")),
        )?);

        let mut args = vec!["rustc", "--release", "--quiet", "--lib"];
        args.extend(features);
        args.extend(["--", "--emit", "asm"]);
        cargo(&dir, &target_dir, &args)?;
        let asm = std::fs::read_to_string(newest_asm(&target_dir.join("release/deps"))?)
            .map_err(|e| e.to_string())?;
        variant.asm_x86_64 = function_instructions(&asm, "one_call");

        if i686_installed {
            let mut args = vec![
                "rustc",
                "--release",
                "--quiet",
                "--lib",
                "--target",
                "i686-pc-windows-msvc",
            ];
            args.extend(features);
            args.extend(["--", "--emit", "asm"]);
            cargo(&dir, &target_dir, &args)?;
            let asm = std::fs::read_to_string(newest_asm(
                &target_dir.join("i686-pc-windows-msvc/release/deps"),
            )?)
            .map_err(|e| e.to_string())?;
            variant.asm_i686 = function_instructions(&asm, "one_call");
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::function_instructions;

    #[test]
    fn extracts_one_function_without_directives() {
        let asm = "\t.globl\tone_call\none_call:\n\t.cfi_startproc\n\tmovq\t(%rdi), %rax\n\tjmpq\t*24(%rax) # TAILCALL\n.Lfunc_end0:\nother:\n\tret\n";
        assert_eq!(
            function_instructions(asm, "one_call"),
            ["movq (%rdi), %rax", "jmpq *24(%rax)"]
        );
        let x86 = "_one_call:\n\tmovl\t4(%esp), %ecx\nLBB0_1:\n\tmovl\t(%ecx), %eax\n\tjmpl\t*12(%eax)\nLfunc_end0:\n_run_calls:\n\tretl\n";
        assert_eq!(function_instructions(x86, "one_call").len(), 3);
        let next = "_one_call:\n\tretl\n_run_calls:\n\tretl\n";
        assert_eq!(function_instructions(next, "one_call"), ["retl"]);
    }
}
