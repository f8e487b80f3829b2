//! The bench's sections, one method each on [`Bench`], the inputs they share: each runs its
//! measurements into the shared samples and returns what it adds to the JSON report.

use crate::timing::{timed, Samples};
use crate::{bare, bindgen_run, check_abi, check_abi_sample, regen, regen_round};
use crate::{synthetic, valgrind, Config};
use generator::emit::Provenance;
use generator::parse::ParseOptions;
use generator::toolchain::IncludeSetup;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// What every section works from: the configuration, a scratch directory and the 1× input.
pub struct Bench<'a> {
    pub config: &'a Config,
    pub scratch: &'a Path,
    pub header: PathBuf,
    pub options: ParseOptions,
    pub includes: IncludeSetup,
    pub provenance: Provenance,
}

/// The classes whose bindgen vtables the report quotes.
const EXCERPTED: [&str; 4] = [
    "IHttpRequest",
    "IHttpRequest2",
    "IHttpStoredContext",
    "CHttpModule",
];

impl Bench<'_> {
    pub fn wants(&self, section: &str) -> bool {
        self.config.sections.iter().any(|x| x == section)
    }

    /// `emit::emit` of each `--factors` header, alone between callgrind's start and stop
    /// requests.
    pub fn emit_instructions(&self) -> Result<(), String> {
        let text = std::fs::read_to_string(&self.header).map_err(|e| e.to_string())?;
        for &factor in &self.config.factors {
            let (scaled, _) = synthetic::scaled_header(&text, factor)?;
            let path = self.scratch.join(format!("httpserv_x{factor}.h"));
            std::fs::write(&path, &scaled).map_err(|e| e.to_string())?;
            let options = ParseOptions {
                header: path,
                ..self.options.clone()
            };
            let api = generator::parse::parse(&options).map_err(|e| e.to_string())?;
            let model = generator::layout::LaidOutApi::new(api).map_err(|e| e.to_string())?;
            valgrind::start_instrumentation();
            let idioms = generator::idiom::Idioms::new(&model);
            let bindings = generator::emit::emit(&model, &idioms, &self.provenance);
            valgrind::stop_instrumentation();
            bindings.map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    /// Regen against the bare parse, and where the walk's time goes; the report's `regen`.
    pub fn regen(&self, samples: &mut Samples) -> Result<Value, String> {
        let config = self.config;
        eprintln!("regen vs the bare parse: {} runs (+1 warm-up)", config.runs);
        let out_dir = self.scratch.join("regen");
        let first = bare::bare_parse(&self.header, &self.includes)?;
        if first.errors != 0 {
            return Err(format!("the bare parse reports {} errors", first.errors));
        }
        let counts = regen::full_regen(&self.options, &self.provenance, &out_dir)?;
        regen::phases(&self.options, &self.provenance, &out_dir)?;
        for run in 0..config.runs {
            regen_round(&self.options, &self.provenance, &out_dir, "", run, samples)?;
        }
        // Where the walk's time goes: the top-level cursors it filters by file.
        let mut filter = None;
        for _ in 0..config.runs.div_ceil(3) {
            let f = bare::walk_filter(&self.header, &self.includes)?;
            samples.push("walk.visit", f.visit);
            samples.push("walk.filter.by_name", f.by_name);
            samples.push("walk.filter.by_handle", f.by_handle);
            filter = Some(f);
        }
        let (cursors, in_header) = filter.map_or((0, 0), |f| (f.cursors, f.in_header));
        Ok(json!({
            "top_level_cursors": cursors,
            "top_level_cursors_in_header": in_header,
            "classes": counts.classes,
            "functions": counts.functions,
            "slots": counts.slots,
            "bytes_written": counts.bytes,
        }))
    }

    /// bindgen's times, allowlisted and on everything, and what its output covers of the
    /// API; the report's `bindgen`.
    pub fn bindgen(&self, samples: &mut Samples) -> Result<Value, String> {
        let version = bindgen_run::clang_version();
        eprintln!(
            "bindgen 0.73.2 ({version}): {} runs allowlisted, {} runs everything",
            self.config.bindgen_runs, self.config.bindgen_everything_runs
        );
        let (allowlisted, bytes) = self.bindgen_timings(samples)?;
        let output = std::fs::read_to_string(&allowlisted).map_err(|e| e.to_string())?;
        if let Some(keep) = &self.config.keep_bindgen {
            std::fs::write(keep, &output).map_err(|e| format!("{}: {e}", keep.display()))?;
        }
        let api = generator::parse::parse(&self.options).map_err(|e| e.to_string())?;
        let model = generator::layout::LaidOutApi::new(api).map_err(|e| e.to_string())?;
        let coverage = bindgen_run::coverage(&output, &model);
        let excerpts: serde_json::Map<String, Value> = EXCERPTED
            .iter()
            .map(|c| {
                (
                    c.to_string(),
                    json!(bindgen_run::vtable_excerpt(&output, c)),
                )
            })
            .collect();
        Ok(json!({
            "version": "0.73.2",
            "libclang": version,
            "allowlisted_bytes": bytes.0,
            "everything_bytes": bytes.1,
            "classes": model.api.classes.len(),
            "vtables_with_fields": coverage.vtables_with_fields,
            "vtables_empty": coverage.vtables_empty,
            "derived_without_vtable": coverage.derived_without_vtable,
            "functions_present": coverage.functions_present,
            "functions_misplaced": coverage.functions_misplaced,
            "functions_total": coverage.functions_total,
            "thiscall": coverage.thiscall,
            "excerpts": excerpts,
        }))
    }

    /// Times bindgen, a warm-up then the allowlisted runs, then the runs on everything; the
    /// allowlisted output's path and both outputs' sizes.
    fn bindgen_timings(&self, samples: &mut Samples) -> Result<(PathBuf, (usize, usize)), String> {
        let allowlisted = self.scratch.join("bindgen-allowlisted.rs");
        let everything = self.scratch.join("bindgen-everything.rs");
        let run = |scope, out: &Path| bindgen_run::run(&self.header, &self.includes, scope, out);
        let mut bytes = (0, 0);
        run(bindgen_run::Scope::Allowlisted, &allowlisted)?;
        for _ in 0..self.config.bindgen_runs {
            let (result, seconds) = timed(|| run(bindgen_run::Scope::Allowlisted, &allowlisted));
            bytes.0 = result?;
            samples.push("bindgen.allowlisted", seconds);
        }
        for _ in 0..self.config.bindgen_everything_runs {
            let (result, seconds) = timed(|| run(bindgen_run::Scope::Everything, &everything));
            bytes.1 = result?;
            samples.push("bindgen.everything", seconds);
        }
        Ok((allowlisted, bytes))
    }

    /// check-abi against its compiles alone.
    pub fn check_abi(&self, samples: &mut Samples) -> Result<(), String> {
        let runs = self.config.check_abi_runs;
        eprintln!("check-abi vs its compiles: {runs} runs (+1 warm-up)");
        let dir = self.scratch.join("probe");
        let sources = check_abi::write_probe_sources(&self.options, &dir)?;
        let sample = |run, samples: &mut Samples| {
            check_abi_sample(
                &self.options,
                &sources,
                &self.includes,
                &dir,
                "",
                run,
                samples,
            )
        };
        // Warm-up (page cache, clang's binary), not recorded.
        sample(0, &mut Samples::default())?;
        for run in 0..runs {
            sample(run, samples)?;
        }
        Ok(())
    }

    /// Regen and check-abi on each scaled header; the report's `scaling`, one row a factor.
    pub fn scaling(&self, samples: &mut Samples) -> Result<Value, String> {
        let text = std::fs::read_to_string(&self.header).map_err(|e| e.to_string())?;
        let mut rows = Vec::new();
        for &factor in &self.config.factors {
            rows.push(self.scaled(&text, factor, samples)?);
        }
        Ok(json!(rows))
    }

    /// One scaling factor: the header `factor` times over, regen and check-abi on it (at 1×
    /// only when the main series did not run), and its row of the report.
    fn scaled(&self, text: &str, factor: usize, samples: &mut Samples) -> Result<Value, String> {
        let (scaled, _) = synthetic::scaled_header(text, factor)?;
        let dir = self.scratch.join(format!("scale-{factor}"));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("httpserv_x{factor}.h"));
        std::fs::write(&path, &scaled).map_err(|e| e.to_string())?;
        let options = ParseOptions::debian(&path);
        let provenance = Provenance {
            input: format!("httpserv_x{factor}.h"),
        };
        let out_dir = dir.join("out");
        // Warm-up, and the counts.
        let counts = regen::full_regen(&options, &provenance, &out_dir)?;
        let runs = self.config.scaling_runs;
        eprintln!(
            "scaling {factor}×: {} classes, {} slots, {} runs",
            counts.classes, counts.slots, runs
        );
        let prefix = format!("scale.{factor}.");
        // 1× is the main series when it was measured in this run.
        if factor != 1 || !self.wants("regen") {
            for run in 0..runs {
                regen_round(&options, &provenance, &out_dir, &prefix, run, samples)?;
            }
        }
        if factor != 1 || !self.wants("check-abi") {
            let sources = check_abi::write_probe_sources(&options, &dir.join("probe"))?;
            for run in 0..runs {
                let includes = &self.includes;
                check_abi_sample(&options, &sources, includes, &dir, &prefix, run, samples)?;
            }
        }
        Ok(json!({
            "factor": factor,
            "header_bytes": scaled.len(),
            "classes": counts.classes,
            "functions": counts.functions,
            "slots": counts.slots,
            "bytes_written": counts.bytes,
        }))
    }
}
