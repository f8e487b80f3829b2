//! `cargo xtask regen`: parse the header, lay out the vtables, emit the generated crate
//! (the generator's file tree: manifest, root, bindings module, ABI manifest, coverage
//! list) and write it as the whole of the output directory — or, with `--check`, report
//! whether the directory differs. The directory work runs under the output lock, after
//! cleaning up what dead runs left (see `output`), and only once the manifest already
//! there has been read and compared (an unreadable one stops the run).

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
    /// The directory the generated crate is written as, all of it regen's [default:
    /// generated/ in the workspace].
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
    let tree = generated.file_tree();
    let located = |e: std::io::Error| Failure::error(format!("regen: {shown_dir}: {e}"));
    // `--check` must not create anything: with no parent directory there is nothing to
    // lock or clean up.
    let location = output::Location::resolve(&out_dir, !args.check).map_err(located)?;
    // One run at a time from here to the end (the parse above needs no lock).
    let _lock = match &location {
        Some(location) => Some(lock(location, &shown_dir, out)?),
        None => None,
    };
    if let Some(location) = &location {
        let recovery = output::recover(location).map_err(|e| {
            Failure::error(format!(
                "regen: {shown_dir}: cannot bring it back to one run's files: {e}"
            ))
        })?;
        if let Some(note) = recovery.describe(&shown_dir) {
            let _ = writeln!(out, "regen: {note}");
        }
    }
    if args.check {
        return check(&tree, &out_dir, &shown_dir, out);
    }
    refuse_foreign(&out_dir, &shown_dir)?;
    let manifest_path = out_dir.join(generator::MANIFEST_JSON);
    let shown_manifest = shown(&root, &manifest_path);
    let recorded = compare_with_recorded(&manifest_path, &shown_manifest, &generated.manifest);
    allowed_by_recorded(
        recorded,
        args.allow_breaking,
        &shown_dir,
        &shown_manifest,
        out,
    )?;
    let location = location.expect("resolved with `create`, so the parent exists");
    let note = output::write_atomically(&tree, &location)
        .map_err(|e| Failure::error(format!("regen: {shown_dir}: {e}")))?;
    if let Some(note) = note {
        let _ = writeln!(out, "regen: {shown_dir}: {note}");
    }
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

/// `--check`: success when the directory holds exactly `tree`, else the stale files.
fn check(
    tree: &generator::FileTree,
    out_dir: &Path,
    shown_dir: &str,
    out: &mut dyn Write,
) -> Outcome {
    let stale = output::stale(tree, out_dir);
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
    Err(Failure::found(report))
}

/// Whether the comparison with the ABI recorded in the directory lets the write go on: a
/// breaking change or an unreadable manifest stops it unless `--allow-breaking`.
fn allowed_by_recorded(
    recorded: Result<Option<generator::manifest::Report>, String>,
    allow_breaking: bool,
    shown_dir: &str,
    shown_manifest: &str,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    match recorded {
        Ok(Some(report)) => {
            let _ = write!(out, "{report}");
            if report.is_breaking() && !allow_breaking {
                return Err(Failure::found(format!(
                    "regen: refusing to overwrite {shown_dir}: the new API breaks the recorded \
                     ABI (see above); if that is intended, rerun with --allow-breaking"
                )));
            }
            Ok(())
        }
        Ok(None) => Ok(()),
        Err(e) if allow_breaking => {
            let _ = writeln!(out, "regen: replacing an unreadable manifest: {e}");
            Ok(())
        }
        Err(e) => Err(Failure::error(format!(
            "{e}; regen compares the new API with the ABI recorded there before writing, \
             so a file that is not a valid ABI manifest stops it: restore it (git checkout \
             -- {shown_manifest}) or rerun with --allow-breaking to replace it"
        ))),
    }
}

/// Regen replaces the whole directory it writes, so it writes only one that is new, empty,
/// or regen's output (an `abi.json`, or a `Cargo.toml` or `src/lib.rs` under regen's
/// banner — so a directory that lost its manifest is still regen's): an `--out` naming some
/// other directory (the workspace, `src/`) must not delete everything in it.
/// How every file regen writes begins, after its comment marker (`emit::generated_banner`).
const REGEN_BANNER: &str = "Generated by `cargo xtask regen`";

fn refuse_foreign(out_dir: &Path, shown_dir: &str) -> Result<(), Failure> {
    let empty = match std::fs::read_dir(out_dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(Failure::error(format!("regen: {shown_dir}: {e}"))),
    };
    let manifest = out_dir.join(generator::MANIFEST_JSON);
    let under_banner = |file: &str| {
        std::fs::read_to_string(out_dir.join(file)).is_ok_and(|text| {
            let first = text.lines().next().unwrap_or("");
            let comment = first
                .strip_prefix("// ")
                .or_else(|| first.strip_prefix("# "));
            comment.is_some_and(|c| c.starts_with(REGEN_BANNER))
        })
    };
    if empty
        || manifest.symlink_metadata().is_ok()
        || under_banner(generator::CARGO_TOML)
        || under_banner(generator::LIB_RS)
    {
        return Ok(());
    }
    Err(Failure::error(format!(
        "regen: {shown_dir}: not written: it is not empty and holds no {}, so regen did not \
         write it, and regen replaces the whole directory it writes (everything in it would be \
         deleted); name a new or empty directory",
        generator::MANIFEST_JSON
    )))
}

/// Takes the output lock of `location`, telling `out` once if another run holds it.
fn lock(
    location: &output::Location,
    shown_dir: &str,
    out: &mut dyn Write,
) -> Result<output::OutputLock, Failure> {
    let wait = output::lock_wait();
    let mut waiting = |holder: Option<u32>| {
        let _ = writeln!(
            out,
            "regen: {shown_dir} is locked by another regen ({}); waiting up to {} s",
            output::describe_holder(holder),
            wait.as_secs()
        );
    };
    output::lock(&location.lock_path(), wait, &mut waiting)
        .map_err(|e| Failure::error(format!("regen: {shown_dir}: {e}")))
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
    shown_path: &str,
    manifest: &generator::manifest::Manifest,
) -> Result<Option<generator::manifest::Report>, String> {
    let Some(recorded) = read_manifest(path, shown_path)? else {
        return Ok(None);
    };
    let report = generator::manifest::diff(&recorded, manifest);
    Ok((!report.is_empty()).then_some(report))
}

/// The manifest at `path`: `None` only when there is no file there. Anything else that is
/// not a valid manifest — unreadable, a directory, not UTF-8, not JSON, another format, a
/// hash that does not match — is an error located as `shown_path:line:col` where there is
/// a place to point at, because regen's breaking-change guard must not be skipped by a
/// manifest it cannot read.
pub fn read_manifest(
    path: &Path,
    shown_path: &str,
) -> Result<Option<generator::manifest::Manifest>, String> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{shown_path}: cannot read: {e}")),
    };
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let column = valid
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        format!(
            "{shown_path}:{line}:{column}: not an ABI manifest: invalid UTF-8 (byte {:#04x})",
            bytes[e.valid_up_to()]
        )
    })?;
    generator::manifest::from_json(text)
        .map(Some)
        .map_err(|e| located(shown_path, &e))
}

/// `path:L:C: message` for a message ending with serde_json's ` at line L column C`
/// (see `generator::manifest::from_json`), else `path: message`.
fn located(path: &str, message: &str) -> String {
    let place = message.rsplit_once(" at line ").and_then(|(rest, place)| {
        let (line, column) = place.split_once(" column ")?;
        let line: usize = line.parse().ok()?;
        let column: usize = column.parse().ok()?;
        Some((rest, line, column))
    });
    match place {
        Some((rest, line, column)) => format!("{path}:{line}:{column}: {rest}"),
        None => format!("{path}: {message}"),
    }
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
