//! `cargo xtask check-abi`: compiles the probe for both MSVC targets with clang-19 and
//! compares every virtual function's compiled slot with the layout prediction — the same
//! prediction the generated Rust is built from (its layout test ties each vtable field to it),
//! and, on x86, every function pointer typedef's calling convention with the `extern` ABI the
//! generated Rust gives it.
//!
//! Exit codes: 0 all agree, 1 mismatches (a table is printed), 2 bad input or tools.

use generator::layout::Target;
use generator::probe::{self, ConventionMismatch, Mismatch};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CheckAbiArgs {
    /// The header to check [default: headers/httpserv.h].
    #[arg(long, value_name = "PATH")]
    pub header: Option<PathBuf>,
}

pub fn check_abi(args: &CheckAbiArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let root = crate::workspace_root();
    let header = args
        .header
        .clone()
        .unwrap_or_else(|| root.join("headers/httpserv.h"));
    let options = crate::parse_options(&header);
    let includes = options.includes.clone();
    let api = match generator::parse::parse(&options) {
        Ok(api) => api,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let layouts = match generator::layout::layout(&api) {
        Ok(l) => l,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return 2;
        }
    };
    let mut mismatches = Vec::new();
    let mut convention_mismatches = Vec::new();
    for target in Target::ALL {
        match probe::compile_layout(&api, &header, &includes, target) {
            Ok(compiled) => {
                mismatches.extend(probe::compare(&api, &layouts, &compiled));
                convention_mismatches.extend(probe::compare_conventions(&api, &compiled));
            }
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return 2;
            }
        }
    }
    let functions: usize = api.classes.iter().map(|c| c.methods.len()).sum();
    let slots: usize = layouts.values().map(|l| l.slots.len()).sum();
    let pointers = probe::source::function_typedefs(&api).len();
    if mismatches.is_empty() && convention_mismatches.is_empty() {
        let conventions = match pointers {
            0 => String::new(),
            1 => " and 1 function pointer type's calling convention".to_string(),
            n => format!(" and {n} function pointer types' calling conventions"),
        };
        let _ = writeln!(
            out,
            "check-abi: {functions}/{functions} virtual functions ({slots} slots){conventions} \
             verified on {} and {}",
            Target::X86_64.triple(),
            Target::I686.triple()
        );
        return 0;
    }
    if !mismatches.is_empty() {
        let _ = write!(err, "{}", mismatch_table(&mismatches));
        let _ = writeln!(
            err,
            "check-abi: {} of {functions} virtual functions disagree with the compiler",
            mismatches.len()
        );
    }
    if !convention_mismatches.is_empty() {
        let _ = write!(err, "{}", convention_table(&convention_mismatches));
        let _ = writeln!(
            err,
            "check-abi: {} of {pointers} function pointer types have another calling convention \
             on {} than the generated Rust",
            convention_mismatches.len(),
            Target::I686.triple()
        );
    }
    1
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
