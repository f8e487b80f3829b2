//! The baseline for regen: a bare libclang parse of the same translation unit, through
//! clang-sys directly — the same compiler arguments (`toolchain::compiler_args`), the same
//! in-memory prelude (`toolchain::prelude`) under the same file name, the same parse
//! options — and nothing else: no cursor walk, no IR.

use crate::timing::timed;
use clang_sys::*;
use generator::toolchain::{self, IncludeSetup, Target};
use std::ffi::{CStr, CString};
use std::os::raw::c_char;
use std::path::Path;
use std::time::Instant;

/// Loads libclang on this thread as the generator does (`parse/clang.rs`'s `load`): Debian's
/// `/usr/lib/llvm-19/lib` unless `LIBCLANG_PATH` says otherwise. Returns its version.
///
/// The bench keeps this thread's handle for its whole run, so the generator's per-thread
/// load (its parse runs on a thread of its own) and bindgen's find the library mapped.
pub fn load_libclang() -> Result<String, String> {
    if std::env::var_os("LIBCLANG_PATH").is_none() {
        let debian = Path::new("/usr/lib/llvm-19/lib");
        if debian.join("libclang.so.1").exists() || debian.join("libclang-19.so.1").exists() {
            std::env::set_var("LIBCLANG_PATH", debian);
        }
    }
    if !clang_sys::is_loaded() {
        clang_sys::load()?;
    }
    // SAFETY: libclang is loaded; the CXString is disposed right after copying.
    let version = unsafe {
        let s = clang_getClangVersion();
        let text = CStr::from_ptr(clang_getCString(s))
            .to_string_lossy()
            .into_owned();
        clang_disposeString(s);
        text
    };
    let path = clang_sys::get_library()
        .map(|l| l.path().display().to_string())
        .unwrap_or_default();
    Ok(format!("{version} ({path})"))
}

/// Seconds spent in `clang_parseTranslationUnit2` and in `clang_disposeTranslationUnit`, and
/// the number of error diagnostics (must be 0 for a fair comparison).
pub struct BareParse {
    pub parse: f64,
    pub dispose: f64,
    pub errors: usize,
}

pub fn bare_parse(header: &Path, includes: &IncludeSetup) -> Result<BareParse, String> {
    with_parsed(header, includes, |tu, parse| {
        // SAFETY: the TU is alive until the closure returns.
        let errors = unsafe { error_count(tu) };
        let started = Instant::now();
        // SAFETY: disposed once; `with_parsed` does not touch it after this closure.
        unsafe { clang_disposeTranslationUnit(tu) };
        let dispose = started.elapsed().as_secs_f64();
        Ok((
            BareParse {
                parse,
                dispose,
                errors,
            },
            true,
        ))
    })
}

/// # Safety
/// `tu` must be a live translation unit.
unsafe fn error_count(tu: CXTranslationUnit) -> usize {
    let mut errors = 0;
    for i in 0..clang_getNumDiagnostics(tu) {
        let d = clang_getDiagnostic(tu, i);
        if clang_getDiagnosticSeverity(d) >= CXDiagnostic_Error {
            errors += 1;
        }
        clang_disposeDiagnostic(d);
    }
    errors
}

/// Parses the translation unit as `parse::parse` does, hands it to `f` with the seconds
/// `clang_parseTranslationUnit2` took, and disposes it unless `f` says it did (`true`).
fn with_parsed<T>(
    header: &Path,
    includes: &IncludeSetup,
    f: impl FnOnce(CXTranslationUnit, f64) -> Result<(T, bool), String>,
) -> Result<T, String> {
    let absolute = std::path::absolute(header).map_err(|e| e.to_string())?;
    let args = toolchain::compiler_args(includes, Target::X86_64);
    let prelude = toolchain::prelude(&absolute.display().to_string());
    let name = CString::new("httpserv-rs-prelude.cpp").unwrap();
    let text = CString::new(prelude.as_str()).map_err(|e| e.to_string())?;
    let c_args: Vec<CString> = args
        .iter()
        .map(|a| CString::new(a.as_str()).unwrap())
        .collect();
    let arg_ptrs: Vec<*const c_char> = c_args.iter().map(|a| a.as_ptr()).collect();
    let mut unsaved = CXUnsavedFile {
        Filename: name.as_ptr(),
        Contents: text.as_ptr(),
        Length: prelude.len() as _,
    };
    let options = CXTranslationUnit_DetailedPreprocessingRecord
        | CXTranslationUnit_SkipFunctionBodies
        | CXTranslationUnit_KeepGoing;
    // SAFETY: every pointer outlives the calls; the index and the TU are disposed here.
    unsafe {
        let index = clang_createIndex(0, 0);
        let mut tu: CXTranslationUnit = std::ptr::null_mut();
        let started = Instant::now();
        let code = clang_parseTranslationUnit2(
            index,
            name.as_ptr(),
            arg_ptrs.as_ptr(),
            arg_ptrs.len() as _,
            &mut unsaved,
            1,
            options,
            &mut tu,
        );
        let parse = started.elapsed().as_secs_f64();
        if code != CXError_Success || tu.is_null() {
            clang_disposeIndex(index);
            return Err(format!("libclang failed to parse (error code {code})"));
        }
        let result = f(tu, parse);
        if !matches!(result, Ok((_, true))) {
            clang_disposeTranslationUnit(tu);
        }
        clang_disposeIndex(index);
        result.map(|(value, _)| value)
    }
}

/// Where the walk's time goes before it reaches the header's own declarations: the
/// translation unit's top-level cursors (windows.h's declarations and, with the detailed
/// preprocessing record, every macro definition), each asked for its file.
pub struct WalkFilter {
    /// Top-level cursors of the translation unit.
    pub cursors: usize,
    /// Of those, in the input header.
    pub in_header: usize,
    /// Seconds to visit them (`clang_visitChildren` into a Vec).
    pub visit: f64,
    /// Seconds to filter them as `parse::Walker` does: expansion location, the file's name
    /// as a Rust String, compared with the header's absolute path.
    pub by_name: f64,
    /// Seconds to filter them by file handle instead: `clang_getFile` once, then
    /// `clang_getExpansionLocation`'s CXFile compared with `clang_File_isEqual`.
    pub by_handle: f64,
}

pub fn walk_filter(header: &Path, includes: &IncludeSetup) -> Result<WalkFilter, String> {
    extern "C" fn collect(cursor: CXCursor, _: CXCursor, data: CXClientData) -> CXChildVisitResult {
        // SAFETY: `data` is the Vec below, alive for the whole visit.
        unsafe { (*(data as *mut Vec<CXCursor>)).push(cursor) };
        CXChildVisit_Continue
    }
    let absolute = std::path::absolute(header).map_err(|e| e.to_string())?;
    let absolute_text = absolute.display().to_string();
    with_parsed(header, includes, |tu, _| {
        // SAFETY: the TU is alive for the closure; every CXString is disposed after use.
        unsafe {
            let started = Instant::now();
            let mut cursors: Vec<CXCursor> = Vec::new();
            clang_visitChildren(
                clang_getTranslationUnitCursor(tu),
                collect,
                &mut cursors as *mut _ as *mut std::os::raw::c_void,
            );
            let visit = started.elapsed().as_secs_f64();
            let (in_header, by_name) = timed(|| count_by_name(&cursors, &absolute_text));
            let (by_handle_count, by_handle) =
                timed(|| count_by_handle(tu, &cursors, &absolute_text));
            let by_handle_count = by_handle_count?;
            if by_handle_count != in_header {
                return Err(format!(
                    "the two filters disagree: {in_header} by name, {by_handle_count} by handle"
                ));
            }
            Ok((
                WalkFilter {
                    cursors: cursors.len(),
                    in_header,
                    visit,
                    by_name,
                    by_handle,
                },
                false,
            ))
        }
    })
}

/// How many of `cursors` are in the file named `absolute`, as `parse::Walker` filters:
/// each one's expansion file asked for its name, a Rust String compared with the path.
///
/// # Safety
/// The cursors' translation unit must be alive.
unsafe fn count_by_name(cursors: &[CXCursor], absolute: &str) -> usize {
    let mut in_header = 0;
    for cursor in cursors {
        let mut file: CXFile = std::ptr::null_mut();
        let (mut line, mut column, mut offset) = (0, 0, 0);
        clang_getExpansionLocation(
            clang_getCursorLocation(*cursor),
            &mut file,
            &mut line,
            &mut column,
            &mut offset,
        );
        if file.is_null() {
            continue;
        }
        let s = clang_getFileName(file);
        let name = CStr::from_ptr(clang_getCString(s))
            .to_string_lossy()
            .into_owned();
        clang_disposeString(s);
        if name == absolute {
            in_header += 1;
        }
    }
    in_header
}

/// The same count by file handle: `clang_getFile` once, then each expansion file compared
/// with it by `clang_File_isEqual`.
///
/// # Safety
/// `tu` must be the cursors' translation unit, alive.
unsafe fn count_by_handle(
    tu: CXTranslationUnit,
    cursors: &[CXCursor],
    absolute: &str,
) -> Result<usize, String> {
    let c_path = CString::new(absolute).map_err(|e| e.to_string())?;
    let input = clang_getFile(tu, c_path.as_ptr());
    let mut count = 0;
    for cursor in cursors {
        let mut file: CXFile = std::ptr::null_mut();
        clang_getExpansionLocation(
            clang_getCursorLocation(*cursor),
            &mut file,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        );
        if !file.is_null() && clang_File_isEqual(file, input) != 0 {
            count += 1;
        }
    }
    Ok(count)
}
