//! `cargo xtask check-abi`: compiles the probe for both MSVC targets with clang-19 and
//! compares every virtual function's compiled slot with the layout prediction and, on x86,
//! every function pointer typedef's calling convention with the `extern` ABI the generated
//! Rust gives it. For the default header it also proves the checked-in bindings: the
//! compiled slots against `generated/abi.json`, and that manifest against the vtable
//! structs (each class's named by the manifest) of `generated/src/bindings`, so a header
//! changed without `regen` (or a hand-edited `generated/`) fails here.
//!
//! Exit codes: 0 all agree, 1 mismatches (a table is printed), 2 bad input or tools.

use crate::{Failure, Outcome};
use generator::layout::LaidOutApi;
use generator::parse::ParseOptions;
use generator::probe::{self, ConventionMismatch, Mismatch, StaleSlot};
use generator::toolchain::Target;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(clap::Args, Debug)]
pub struct CheckAbiArgs {
    /// The header to check [default: headers/httpserv.h].
    #[arg(long, value_name = "PATH")]
    pub header: Option<PathBuf>,
    /// The generated crate to prove against the compiled header [default: generated/ when
    /// no --header is given; none otherwise].
    #[arg(long, value_name = "DIR")]
    pub generated: Option<PathBuf>,
}

pub fn check_abi(args: &CheckAbiArgs, out: &mut dyn Write) -> Outcome {
    let root = crate::workspace_root();
    let header = args
        .header
        .clone()
        .unwrap_or_else(|| root.join("headers/httpserv.h"));
    let options = crate::parse_options(&header);
    let api = generator::parse::parse(&options).map_err(Failure::error)?;
    let model = LaidOutApi::new(api).map_err(Failure::error)?;
    let generated = match (&args.generated, &args.header) {
        (Some(dir), _) => Some(dir.clone()),
        (None, None) => Some(root.join("generated")),
        (None, Some(_)) => None,
    };
    let found = Disagreements::find(&model, &header, &options, generated.as_deref())?;
    let functions = model.virtual_function_count();
    let pointers = probe::source::function_typedefs(&model.api).len();
    if found.is_empty() {
        let slots = model.slot_count();
        let conventions = match pointers {
            0 => String::new(),
            1 => " and 1 function pointer type's calling convention".to_string(),
            n => format!(" and {n} function pointer types' calling conventions"),
        };
        let bindings = bindings_checked(generated.as_deref(), &root);
        let _ = writeln!(
            out,
            "check-abi: {functions}/{functions} virtual functions ({slots} slots){conventions} \
             verified on {} and {}{bindings}",
            Target::X86_64.triple(),
            Target::I686.triple()
        );
        return Ok(());
    }
    Err(Failure::found(found.report(&model, functions, pointers)))
}

/// Where the success line says which checked-in bindings were proved, if any.
fn bindings_checked(generated: Option<&Path>, root: &Path) -> String {
    match generated {
        Some(dir) if dir == root.join("generated") => {
            "; generated/ (abi.json and the Rust vtables) matches".to_string()
        }
        Some(dir) => format!(
            "; {} (abi.json and the Rust vtables) matches",
            dir.display()
        ),
        None => "; generated/ was not checked (another header was given; add --generated \
                 DIR to check a crate against it)"
            .to_string(),
    }
}

/// Everything the compiler, on both targets, and the checked-in bindings disagree with
/// the layout prediction on.
struct Disagreements {
    slots: Vec<Mismatch>,
    conventions: Vec<ConventionMismatch>,
    /// Where `generated/` (or `--generated`) differs from the compiled header.
    stale: Vec<StaleSlot>,
}

impl Disagreements {
    /// Compiles the probe for each target and compares it with `model`, then `generated`
    /// (when given) with the compiled layouts.
    fn find(
        model: &LaidOutApi,
        header: &Path,
        options: &ParseOptions,
        generated: Option<&Path>,
    ) -> Result<Disagreements, Failure> {
        let mut slots = Vec::new();
        let mut conventions = Vec::new();
        let mut compiled_layouts = Vec::new();
        for target in Target::ALL {
            let compiled = probe::compile_layout(&model.api, header, &options.includes, target)
                .map_err(Failure::error)?;
            slots.extend(probe::compare(model, &compiled));
            conventions.extend(probe::compare_conventions(&model.api, &compiled));
            compiled_layouts.push(compiled);
        }
        let stale = match generated {
            Some(dir) => checked_in(dir, model, &compiled_layouts)?,
            None => Vec::new(),
        };
        Ok(Disagreements {
            slots,
            conventions,
            stale,
        })
    }

    fn is_empty(&self) -> bool {
        self.slots.is_empty() && self.conventions.is_empty() && self.stale.is_empty()
    }

    /// A table and a summary line for each kind of disagreement found, out of `functions`
    /// virtual functions and `pointers` function pointer types.
    fn report(&self, model: &LaidOutApi, functions: usize, pointers: usize) -> String {
        let mut report = String::new();
        if !self.slots.is_empty() {
            report.push_str(&mismatch_table(&self.slots));
            // Rows of a class are virtual functions (counted once, whichever targets
            // disagree); the rest are struct and enum layout facts.
            let (methods, records): (Vec<&Mismatch>, Vec<&Mismatch>) = self
                .slots
                .iter()
                .partition(|row| model.api.class(&row.class).is_some());
            let distinct: std::collections::BTreeSet<(&str, &str)> = methods
                .iter()
                .map(|row| (row.class.as_str(), row.method.as_str()))
                .collect();
            if !distinct.is_empty() {
                report.push_str(&format!(
                    "check-abi: {} of {functions} virtual functions disagree with the compiler\n",
                    distinct.len()
                ));
            }
            if !records.is_empty() {
                report.push_str(&format!(
                    "check-abi: {} struct or enum layout facts (offsets, sizes, alignments) \
                     disagree with the compiler\n",
                    records.len()
                ));
            }
        }
        if !self.conventions.is_empty() {
            report.push_str(&convention_table(&self.conventions));
            report.push_str(&format!(
                "check-abi: {} of {pointers} function pointer types have another calling \
                 convention on {} than the generated Rust\n",
                self.conventions.len(),
                Target::I686.triple()
            ));
        }
        if !self.stale.is_empty() {
            report.push_str(&stale_table(&self.stale));
            report.push_str(&format!(
                "check-abi: generated/ does not match the compiled header in {} place(s); run \
                 `cargo xtask regen`\n",
                self.stale.len()
            ));
        }
        report
    }
}

/// The checked-in bindings in `generated` against the compiled slots (x86_64 and i686 give
/// the same indices, so differences are reported once).
fn checked_in(
    generated: &Path,
    model: &LaidOutApi,
    compiled: &[probe::CompiledLayout],
) -> Result<Vec<StaleSlot>, Failure> {
    let manifest_path = generated.join(generator::MANIFEST_JSON);
    let text = std::fs::read_to_string(&manifest_path).map_err(|e| {
        Failure::error(format!(
            "{}: {e}; run `cargo xtask regen`",
            manifest_path.display()
        ))
    })?;
    let recorded = generator::manifest::from_json(&text)
        .map_err(|e| Failure::error(format!("{}: {e}", manifest_path.display())))?;
    let mut stale: Vec<StaleSlot> = Vec::new();
    for layout in compiled {
        for row in probe::compare_recorded(model, layout, &recorded) {
            if !stale.contains(&row) {
                stale.push(row);
            }
        }
    }
    let bindings = generated.join(generator::BINDINGS_DIR);
    let mut sources = Vec::new();
    let entries = std::fs::read_dir(&bindings)
        .map_err(|e| Failure::error(format!("{}: {e}", bindings.display())))?;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    paths.sort();
    for path in paths {
        sources.push(
            std::fs::read_to_string(&path)
                .map_err(|e| Failure::error(format!("{}: {e}", path.display())))?,
        );
    }
    let fields = probe::rust_vtable_fields(&sources, &recorded)
        .map_err(|e| Failure::error(format!("{}: not valid Rust: {e}", bindings.display())))?;
    stale.extend(probe::compare_rust_fields(&recorded, &fields));
    Ok(stale)
}

/// The checked-in bindings report: one row per slot the compiler and generated/ disagree on.
pub fn stale_table(rows: &[StaleSlot]) -> String {
    let mut table = vec![[
        "class".to_string(),
        "slot".to_string(),
        "compiled from the header".to_string(),
        "in generated/".to_string(),
    ]];
    for row in rows {
        table.push([
            row.class.clone(),
            row.slot.map_or("-".to_string(), |s| s.to_string()),
            row.compiled.clone(),
            row.recorded.clone(),
        ]);
    }
    aligned(&table)
}

/// The calling convention report: one row per function pointer typedef (x86 only).
pub fn convention_table(mismatches: &[ConventionMismatch]) -> String {
    let mut rows = vec![[
        "target".to_string(),
        "typedef".to_string(),
        "predicted".to_string(),
        "compiled".to_string(),
    ]];
    for m in mismatches {
        rows.push([
            Target::I686.triple().to_string(),
            m.typedef.clone(),
            m.predicted.keyword().to_string(),
            m.compiled.map_or("-", |c| c.keyword()).to_string(),
        ]);
    }
    aligned(&rows)
}

/// The mismatch report: one row per method and target.
pub fn mismatch_table(mismatches: &[Mismatch]) -> String {
    let slot = |s: Option<usize>| s.map_or("-".to_string(), |s| s.to_string());
    let mut rows = vec![[
        "target".to_string(),
        "class".to_string(),
        "method".to_string(),
        "predicted".to_string(),
        "compiled".to_string(),
    ]];
    for m in mismatches {
        rows.push([
            m.target.triple().to_string(),
            m.class.clone(),
            m.method.clone(),
            slot(m.predicted),
            slot(m.compiled),
        ]);
    }
    aligned(&rows)
}

/// Rows as left-aligned columns two spaces apart.
fn aligned<const N: usize>(rows: &[[String; N]]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The summary counts a virtual function once whichever targets disagree on it, and
    /// struct and enum layout facts apart (they are no virtual functions).
    #[test]
    fn the_summary_counts_functions_once_and_layout_facts_apart() {
        let header = crate::workspace_root().join("tests/fixtures/overload_group.h");
        let api = generator::parse::parse(&crate::parse_options(&header)).unwrap();
        let model = LaidOutApi::new(api).unwrap();
        let class = model.api.classes[0].name.clone();
        let row = |target, class: &str, method: &str| Mismatch {
            target,
            class: class.into(),
            method: method.into(),
            predicted: Some(1),
            compiled: Some(2),
        };
        let found = Disagreements {
            slots: vec![
                row(Target::X86_64, &class, "virtual void Get()"),
                row(Target::I686, &class, "virtual void Get()"),
                row(Target::X86_64, "PACKED", "offsetof(PACKED, b)"),
            ],
            conventions: Vec::new(),
            stale: Vec::new(),
        };
        let report = found.report(&model, 3, 0);
        assert!(
            report.contains("check-abi: 1 of 3 virtual functions disagree with the compiler"),
            "{report}"
        );
        assert!(
            report.contains("check-abi: 1 struct or enum layout facts"),
            "{report}"
        );
    }
}
