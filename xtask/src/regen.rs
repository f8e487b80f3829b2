//! `cargo xtask regen`: parse the header, lay out the vtables, emit the bindings module and
//! the ABI manifest (the generator's file tree), and write them into the generated crate —
//! or, with `--check`, report whether they are stale.

use crate::{output, Failure, Outcome};
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

pub fn regen(args: &RegenArgs, out: &mut dyn Write) -> Outcome {
    let started = Instant::now();
    let root = crate::workspace_root();
    let header = input_header(args, &root).map_err(Failure::error)?;
    let out_dir = args.out.clone().unwrap_or_else(|| root.join("generated"));
    let provenance = Provenance {
        input: display_input(&root, &header),
    };
    let generated =
        generator::generate(&crate::parse_options(&header), &provenance).map_err(Failure::error)?;
    let shown_dir = shown(&root, &out_dir);
    let recovered = output::recover(&out_dir).map_err(|e| {
        Failure::error(format!(
            "cannot finish the interrupted update of {shown_dir}: {e}"
        ))
    })?;
    if recovered {
        let _ = writeln!(
            out,
            "regen: finished the interrupted update of {shown_dir} first"
        );
    }
    let tree = generated.file_tree();
    if args.check {
        let stale = output::stale(&tree, &out_dir);
        if stale.is_empty() {
            let _ = writeln!(out, "regen --check: {shown_dir} is up to date");
            return Ok(());
        }
        let mut report = format!(
            "regen --check: {} file(s) in {shown_dir} are stale; run `cargo xtask regen`:",
            stale.len()
        );
        for path in stale {
            report.push_str(&format!("\n  {path}"));
        }
        return Err(Failure::found(report));
    }
    match compare_with_recorded(&out_dir.join(generator::MANIFEST_JSON), &generated.manifest) {
        Ok(Some(report)) => {
            let _ = write!(out, "{report}");
            if report.is_breaking() && !args.allow_breaking {
                return Err(Failure::found(format!(
                    "regen: refusing to overwrite {shown_dir}: the new API breaks the recorded \
                     ABI (see above); if that is intended, rerun with --allow-breaking"
                )));
            }
        }
        Ok(None) => {}
        Err(e) if args.allow_breaking => {
            let _ = writeln!(out, "regen: replacing an unreadable manifest: {e}");
        }
        Err(e) => {
            return Err(Failure::error(format!(
                "{e}; restore it (git checkout -- {}) or rerun with --allow-breaking",
                generator::MANIFEST_JSON
            )))
        }
    }
    output::write_atomically(&tree, &out_dir).map_err(|e| {
        Failure::error(format!(
            "writing {shown_dir} failed, previous files left in place: {e}"
        ))
    })?;
    let model = &generated.model;
    let _ = writeln!(
        out,
        "regen: {} classes, {} virtual functions, {} slots, {} constants, {} enums from {} in {:.2}s -> {}",
        model.api.classes.len(),
        model.virtual_function_count(),
        model.slot_count(),
        model.api.constants.len(),
        model.api.enums.len(),
        provenance.input,
        started.elapsed().as_secs_f64(),
        shown_dir,
    );
    Ok(())
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
