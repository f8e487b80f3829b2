//! `cargo xtask regen`: parse the header, lay out the vtables, emit the bindings crate's
//! sources, and write them (or, with `--check`, report whether they are stale).

use crate::output::FileSet;
use generator::emit::Provenance;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct RegenArgs {
    /// The header to read [default: headers/httpserv.h; on Windows, the installed SDK's].
    #[arg(long, value_name = "PATH", conflicts_with = "sdk")]
    pub header: Option<PathBuf>,
    /// Read the newest installed Windows SDK's um/httpserv.h (under %WindowsSdkDir% or
    /// C:\Program Files (x86)\Windows Kits\10).
    #[arg(long)]
    pub sdk: bool,
    /// Regenerate in memory and exit 1 if generated/ differs.
    #[arg(long)]
    pub check: bool,
    /// Write even when the API change breaks the ABI recorded in abi.json.
    #[arg(long)]
    pub allow_breaking: bool,
    /// Where the bindings crate lives [default: generated/ in the workspace].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// The files regen owns, relative to the bindings crate directory.
pub const LIB_RS: &str = "src/lib.rs";
pub const BINDINGS_RS: &str = "src/bindings.rs";
pub const LAYOUT_TEST_RS: &str = "src/vtable_layout.rs";
/// The ABI manifest: what `abi-diff` and the next regen compare against.
pub const MANIFEST_JSON: &str = "abi.json";

pub fn regen(args: &RegenArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let started = Instant::now();
    let root = crate::workspace_root();
    let header = match input_header(args, &root) {
        Ok(header) => header,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let out_dir = args.out.clone().unwrap_or_else(|| root.join("generated"));
    let options = crate::parse_options(&header);
    let provenance = Provenance {
        input: display_input(&root, &header),
    };
    let generated = match generator::generate(&options, &provenance) {
        Ok(g) => g,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    match FileSet::recover(&out_dir) {
        Ok(true) => {
            let _ = writeln!(
                out,
                "regen: finished the interrupted update of {} first",
                shown(&root, &out_dir)
            );
        }
        Ok(false) => {}
        Err(e) => {
            let _ = writeln!(
                err,
                "error: cannot finish the interrupted update of {}: {e}",
                shown(&root, &out_dir)
            );
            return 2;
        }
    }
    let manifest = generator::manifest::build(&generated.api, &generated.layouts);
    let files = file_set(&provenance.input, &generated, &manifest);
    if args.check {
        let stale = files.stale(&out_dir);
        if stale.is_empty() {
            let _ = writeln!(
                out,
                "regen --check: {} is up to date",
                shown(&root, &out_dir)
            );
            return 0;
        }
        let _ = writeln!(
            err,
            "regen --check: {} file(s) in {} are stale; run `cargo xtask regen`:",
            stale.len(),
            shown(&root, &out_dir)
        );
        for path in stale {
            let _ = writeln!(err, "  {path}");
        }
        return 1;
    }
    match compare_with_recorded(&out_dir.join(MANIFEST_JSON), &manifest) {
        Ok(Some(report)) => {
            let _ = write!(out, "{report}");
            if report.is_breaking() && !args.allow_breaking {
                let _ = writeln!(
                    err,
                    "regen: refusing to overwrite {}: the new API breaks the recorded ABI \
                     (see above); if that is intended, rerun with --allow-breaking",
                    shown(&root, &out_dir)
                );
                return 1;
            }
        }
        Ok(None) => {}
        Err(e) if args.allow_breaking => {
            let _ = writeln!(out, "regen: replacing an unreadable manifest: {e}");
        }
        Err(e) => {
            let _ = writeln!(
                err,
                "error: {e}; restore it (git checkout -- {MANIFEST_JSON}) or rerun with --allow-breaking"
            );
            return 2;
        }
    }
    if let Err(e) = files.write_atomically(&out_dir) {
        let _ = writeln!(
            err,
            "error: writing {} failed, previous files left in place: {e}",
            shown(&root, &out_dir)
        );
        return 2;
    }
    let _ = writeln!(
        out,
        "regen: {} classes, {} virtual functions, {} slots, {} constants, {} enums from {} in {:.2}s -> {}",
        generated.api.classes.len(),
        generated.virtual_function_count(),
        generated.slot_count(),
        generated.api.constants.len(),
        generated.api.enums.len(),
        provenance.input,
        started.elapsed().as_secs_f64(),
        shown(&root, &out_dir),
    );
    0
}

/// `--header`, else `--sdk` (the default on Windows), else our `headers/httpserv.h`.
fn input_header(args: &RegenArgs, root: &Path) -> Result<PathBuf, String> {
    if let Some(header) = &args.header {
        return Ok(header.clone());
    }
    if args.sdk || cfg!(windows) {
        return crate::sdk::newest_httpserv_h(&crate::sdk::kits_root());
    }
    Ok(root.join("headers/httpserv.h"))
}

/// The generated crate's files for one run.
/// The report against the manifest already in the output directory: `None` when there is
/// none yet or the API is unchanged.
fn compare_with_recorded(
    path: &Path,
    manifest: &generator::manifest::Manifest,
) -> Result<Option<generator::manifest::Report>, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let recorded = generator::manifest::from_json(&text)
        .map_err(|e| format!("{} is not a valid ABI manifest: {e}", path.display()))?;
    let report = generator::manifest::diff(&recorded, manifest);
    Ok((!report.is_empty()).then_some(report))
}

pub fn file_set(
    input: &str,
    generated: &generator::Generated,
    manifest: &generator::manifest::Manifest,
) -> FileSet {
    let mut files = FileSet::default();
    files
        .files
        .insert(MANIFEST_JSON.into(), generator::manifest::to_json(manifest));
    files.files.insert(LIB_RS.into(), crate_root(input));
    files
        .files
        .insert(BINDINGS_RS.into(), generated.bindings.module.clone());
    files.files.insert(
        LAYOUT_TEST_RS.into(),
        generated.bindings.layout_test.clone(),
    );
    files
}

fn crate_root(input: &str) -> String {
    format!(
        "{}//! Rust bindings for the IIS native-module API (`httpserv.h`).\n\
         //!\n\
         //! Every C++ class is a `#[repr(C)]` struct holding its vtable pointer, with a\n\
         //! `*_Vtbl` struct laid out as MSVC lays it out (overloads grouped in reverse\n\
         //! declaration order, `thiscall` on x86). Windows and HTTP Server API types come\n\
         //! from `windows-sys`.\n\
         #![no_std]\n\
         \n\
         #[rustfmt::skip]\n\
         mod bindings;\n\
         pub use bindings::*;\n\
         \n\
         #[cfg(test)]\n\
         #[rustfmt::skip]\n\
         mod vtable_layout;\n",
        generator::emit::generated_banner(input)
    )
}

/// The input as generated files mention it: relative to the workspace when inside it, else
/// the bare file name — never an absolute path, so output does not depend on the checkout.
pub fn display_input(root: &Path, header: &Path) -> String {
    let absolute = std::path::absolute(header).unwrap_or_else(|_| header.to_path_buf());
    let root = std::path::absolute(root).unwrap_or_else(|_| root.to_path_buf());
    match absolute.strip_prefix(&root) {
        Ok(relative) => relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => header
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

fn shown(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| path.display().to_string())
}
