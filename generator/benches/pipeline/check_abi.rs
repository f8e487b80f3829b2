//! check-abi in process (the pieces `xtask::check_abi::check_abi` runs: parse, layout, then
//! `probe::compile_layout` and `probe::compare` for both targets) against its compiles alone:
//! `clang-19` on the same probe sources with the same command line, nothing else.

use crate::timing::timed;
use generator::parse::ParseOptions;
use generator::probe::{self, source};
use generator::toolchain::{compiler_args, find_clang, IncludeSetup, Target};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Seconds per step of one check-abi run.
pub struct CheckAbi {
    pub mismatches: usize,
    /// (step, seconds): `parse`, `layout`, `probe-<arch>` (`probe::compile_layout`: write the
    /// sources, compile both, read them back) per target, `compare`.
    pub steps: Vec<(String, f64)>,
}

/// Runs check-abi's work, timing each step.
pub fn check_abi(options: &ParseOptions) -> Result<CheckAbi, String> {
    let mut steps = Vec::new();
    let (api, seconds) = timed(|| generator::parse::parse(options));
    let api = api.map_err(|e| e.to_string())?;
    steps.push(("parse".to_string(), seconds));
    let (model, seconds) = timed(|| generator::layout::LaidOutApi::new(api));
    let model = model.map_err(|e| e.to_string())?;
    steps.push(("layout".to_string(), seconds));
    let mut mismatches = Vec::new();
    let mut compare = 0.0;
    for target in Target::ALL {
        let (compiled, seconds) =
            timed(|| probe::compile_layout(&model.api, &options.header, &options.includes, target));
        let compiled = compiled.map_err(|e| e.to_string())?;
        steps.push((format!("probe-{}", arch(target)), seconds));
        let (found, seconds) = timed(|| probe::compare(&model, &compiled));
        mismatches.extend(found);
        compare += seconds;
    }
    steps.push(("compare".to_string(), compare));
    Ok(CheckAbi {
        mismatches: mismatches.len(),
        steps,
    })
}

/// `x86_64`, `i686`.
pub fn arch(target: Target) -> &'static str {
    target.triple().split('-').next().unwrap_or("target")
}

/// The probe sources written once, ready for timing clang alone.
pub struct ProbeSources {
    pub methods: PathBuf,
    pub destructors: Option<PathBuf>,
}

pub fn write_probe_sources(options: &ParseOptions, dir: &Path) -> Result<ProbeSources, String> {
    let api = generator::parse::parse(options).map_err(|e| e.to_string())?;
    let header = std::path::absolute(&options.header).map_err(|e| e.to_string())?;
    let include = header.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let methods = dir.join("methods.cpp");
    std::fs::write(&methods, source::methods_source(&api, &include)).map_err(|e| e.to_string())?;
    let destructors = if source::destructor_classes(&api).is_empty() {
        None
    } else {
        let path = dir.join("destructors.cpp");
        std::fs::write(&path, source::destructors_source(&api, &include))
            .map_err(|e| e.to_string())?;
        Some(path)
    };
    Ok(ProbeSources {
        methods,
        destructors,
    })
}

/// One bare compile: `clang-19 <compiler_args> -Wno-everything -O0 -c` (or `-S -emit-llvm`
/// for the destructor witnesses), exactly `probe::compile::compile`'s command line.
fn clang(
    clang: &Path,
    includes: &IncludeSetup,
    target: Target,
    source: &Path,
    llvm_ir: bool,
    out: &Path,
) -> Result<f64, String> {
    let mut command = Command::new(clang);
    command.args(compiler_args(includes, target));
    command.args(["-Wno-everything", "-O0"]);
    if llvm_ir {
        command.args(["-S", "-emit-llvm"]);
    } else {
        command.arg("-c");
    }
    command.arg("-o").arg(out).arg(source);
    let (status, seconds) = timed(|| command.status());
    let status = status.map_err(|e| e.to_string())?;
    if !status.success() {
        return Err(format!("clang failed on {}", source.display()));
    }
    Ok(seconds)
}

/// Seconds per bare compile, named `methods-x86_64` etc., in check-abi's order.
pub fn bare_compiles(
    sources: &ProbeSources,
    includes: &IncludeSetup,
    dir: &Path,
) -> Result<Vec<(String, f64)>, String> {
    let clang_path = find_clang().map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for target in Target::ALL {
        let arch = arch(target);
        let obj = dir.join(format!("methods-{arch}.obj"));
        out.push((
            format!("methods-{arch}"),
            clang(&clang_path, includes, target, &sources.methods, false, &obj)?,
        ));
        if let Some(destructors) = &sources.destructors {
            let ll = dir.join(format!("destructors-{arch}.ll"));
            out.push((
                format!("destructors-{arch}"),
                clang(&clang_path, includes, target, destructors, true, &ll)?,
            ));
        }
    }
    Ok(out)
}
