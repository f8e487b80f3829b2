//! `cargo xtask abi-diff OLD NEW`: compares two versions of the IIS API — each a header
//! (parsed and laid out as `regen` does) or a manifest written by
//! `generator::manifest::to_json` — and prints which changes are compatible (IIS only
//! appends) and which break modules built against OLD.
//!
//! Exit codes: 0 compatible or no change, 1 breaking changes, 2 bad input or tools.

use crate::{Failure, Outcome};
use generator::manifest::{self, Manifest};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct AbiDiffArgs {
    /// The old API: a header, or an ABI manifest (`.json`).
    #[arg(value_name = "OLD")]
    pub old: PathBuf,
    /// The new API: a header, or an ABI manifest (`.json`).
    #[arg(value_name = "NEW")]
    pub new: PathBuf,
    /// Print the report as JSON for tools.
    #[arg(long)]
    pub json: bool,
}

pub fn abi_diff(args: &AbiDiffArgs, out: &mut dyn Write) -> Outcome {
    let old = load(&args.old).map_err(Failure::error)?;
    let new = load(&args.new).map_err(Failure::error)?;
    let report = manifest::diff(&old, &new);
    let written = if args.json {
        write!(out, "{}", report.to_json())
    } else {
        writeln!(
            out,
            "abi-diff: {} -> {}",
            args.old.display(),
            args.new.display()
        )
        .and_then(|()| write!(out, "{report}"))
    };
    written.map_err(|e| Failure::error(format!("writing the report failed: {e}")))?;
    if report.is_breaking() {
        // The report above says what broke.
        return Err(Failure::found(""));
    }
    Ok(())
}

/// The manifest of one side: read from a `.json` file, or built from a header.
pub fn load(path: &Path) -> Result<Manifest, String> {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        return manifest::from_json(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let api = generator::parse::parse(&crate::parse_options(path)).map_err(|e| e.to_string())?;
    let model = generator::layout::LaidOutApi::new(api).map_err(|e| e.to_string())?;
    let idioms = generator::idiom::Idioms::new(&model);
    Ok(manifest::build(&model, &idioms))
}
