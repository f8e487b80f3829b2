//! Regen in process: the whole of it (what `cargo xtask regen --out DIR` does once the
//! header path is known) and each phase on its own.

use crate::timing::timed;
use generator::emit::Provenance;
use generator::parse::ParseOptions;
use generator::Generated;
use std::path::Path;

/// What one run produced, for the report's "what was measured".
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub classes: usize,
    pub functions: usize,
    pub slots: usize,
    pub bytes: usize,
}

/// Stages every file next to its target, then renames them into place: the writing cost,
/// without xtask's lock and directory swap (`xtask::output::write_atomically`, which this
/// crate cannot depend on).
fn write_files(out_dir: &Path, files: &generator::FileTree) -> std::io::Result<()> {
    let mut staged = Vec::new();
    for (path, contents) in &files.files {
        let target = out_dir.join(path);
        let dir = target.parent().expect("files live in a directory");
        std::fs::create_dir_all(dir)?;
        let temp = dir.join(format!(
            ".{}.bench-{}",
            target.file_name().unwrap_or_default().to_string_lossy(),
            std::process::id()
        ));
        std::fs::write(&temp, contents)?;
        staged.push((temp, target));
    }
    for (temp, target) in staged {
        std::fs::rename(temp, target)?;
    }
    Ok(())
}

/// The ABI report against the manifest already in `out_dir` (regen prints it, and refuses
/// breaking changes); `None` when there is none yet.
fn compare_with_recorded(out_dir: &Path, manifest: &generator::manifest::Manifest) -> Option<bool> {
    let text = std::fs::read_to_string(out_dir.join("abi.json")).ok()?;
    let recorded = generator::manifest::from_json(&text).ok()?;
    Some(generator::manifest::diff(&recorded, manifest).is_breaking())
}

/// The whole regen: parse → layout → emit (with formatting) → manifest → compare with the
/// recorded manifest → write.
pub fn full_regen(
    options: &ParseOptions,
    provenance: &Provenance,
    out_dir: &Path,
) -> Result<Counts, String> {
    let generated = generator::generate(options, provenance).map_err(|e| e.to_string())?;
    if compare_with_recorded(out_dir, &generated.manifest) == Some(true) {
        return Err("the bench's own output changed ABI between runs".into());
    }
    let files = generated.file_tree();
    write_files(out_dir, &files).map_err(|e| e.to_string())?;
    Ok(Counts {
        classes: generated.model.api.classes.len(),
        functions: generated.model.virtual_function_count(),
        slots: generated.model.slot_count(),
        bytes: files.files.values().map(String::len).sum(),
    })
}

/// Seconds per phase of one regen, each phase run on the previous phase's output.
pub struct Phases {
    /// `parse::parse`: libclang's parse plus the cursor walk into the IR (and the thread
    /// it runs on, and reading the header).
    pub parse: f64,
    pub layout: f64,
    /// `emit::emit`: token building and formatting (syn + prettyplease) of both files, on
    /// all cores as regen runs it.
    pub emit: f64,
    /// The same on one thread (`emit::emit_with_threads(…, 1)`).
    pub emit_serial: f64,
    /// `emit::format_file` alone on token streams of the same two files.
    pub format: f64,
    /// `manifest::build` + `manifest::to_json`.
    pub manifest: f64,
    /// Reading the recorded abi.json and diffing it with the new manifest.
    pub compare: f64,
    pub write: f64,
}

impl Phases {
    pub fn named(&self) -> [(&'static str, f64); 8] {
        [
            ("parse", self.parse),
            ("layout", self.layout),
            ("emit", self.emit),
            ("emit.serial", self.emit_serial),
            ("format", self.format),
            ("manifest", self.manifest),
            ("compare", self.compare),
            ("write", self.write),
        ]
    }
}

pub fn phases(
    options: &ParseOptions,
    provenance: &Provenance,
    out_dir: &Path,
) -> Result<Phases, String> {
    let (api, parse) = timed(|| generator::parse::parse(options));
    let api = api.map_err(|e| e.to_string())?;
    let (model, layout) = timed(|| generator::layout::LaidOutApi::new(api));
    let model = model.map_err(|e| e.to_string())?;
    let idioms = generator::idiom::Idioms::new(&model);
    let (bindings, emit) = timed(|| generator::emit::emit(&model, &idioms, provenance));
    let bindings = bindings.map_err(|e| e.to_string())?;
    let (serial, emit_serial) =
        timed(|| generator::emit::emit_with_threads(&model, &idioms, provenance, 1));
    if serial.map_err(|e| e.to_string())? != bindings {
        return Err("emit on one thread and on all cores disagree".into());
    }

    // Formatting alone: `format_file` (syn → prettyplease → tidy) on one thread, on
    // token streams re-read from the emitted files. Doc comments come back as `#[doc]`
    // attributes, as quote! builds them, so the work is the same.
    let streams = bindings
        .files
        .values()
        .map(|text| text.parse::<proc_macro2::TokenStream>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{e}"))?;
    let (formatted, format) = timed(|| {
        streams.into_iter().try_for_each(|tokens| {
            generator::emit::format_file(&provenance.input, tokens).map(drop)
        })
    });
    formatted.map_err(|e| e.to_string())?;

    let (manifest, manifest_time) = timed(|| {
        let manifest = generator::manifest::build(&model, &idioms);
        let json = generator::manifest::to_json(&manifest);
        (manifest, json)
    });
    let (breaking, compare) = timed(|| compare_with_recorded(out_dir, &manifest.0));
    if breaking == Some(true) {
        return Err("the bench's own output changed ABI between runs".into());
    }
    let generated = Generated {
        input: provenance.input.clone(),
        model,
        idioms,
        manifest: manifest.0,
        bindings,
    };
    let files = generated.file_tree();
    let (written, write) = timed(|| write_files(out_dir, &files));
    written.map_err(|e| e.to_string())?;
    Ok(Phases {
        parse,
        layout,
        emit,
        emit_serial,
        format,
        manifest: manifest_time,
        compare,
        write,
    })
}
