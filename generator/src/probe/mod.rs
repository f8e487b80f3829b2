//! The probe: lets the C++ compiler judge the layout prediction. C++ source goes out
//! (`source`, `records`), clang-19 compiles it for both MSVC targets (`compile`), and slot
//! numbers come back from the objects' vcall thunks and the destructor witnesses' IR
//! (`coff`, `mangling`), struct and enum layouts from integers the probe stores
//! (`records`); `compare` lists every disagreement with the prediction.

pub mod coff;
pub mod compile;
pub mod mangling;
mod recorded;
pub mod records;
pub mod source;

pub use recorded::{compare_recorded, compare_rust_fields, rust_vtable_fields, StaleSlot};

use crate::ir::Api;
use crate::layout::{class_ids, ClassId, LaidOutApi, MethodId};
use crate::toolchain::{find_clang, IncludeSetup, Target, ToolchainError};
pub use source::CompiledConvention;
use std::collections::BTreeMap;
use std::path::Path;

/// Why the compiler's answer could not be had.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{clang} failed to compile the {triple} probe: {first_error}")]
    Compile {
        clang: String,
        triple: String,
        first_error: String,
    },
    /// The compiled object does not hold what the probe source put there.
    #[error("reading the probe object: {0}")]
    Object(String),
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ProbeError + '_ {
    move |source| ProbeError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// What the compiler says for one target: each declared method's slot index, and on x86
/// the calling convention of each function pointer typedef.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompiledLayout {
    pub target: Target,
    pub slots: BTreeMap<MethodId, usize>,
    /// Empty on x86_64, where there is one convention.
    pub conventions: BTreeMap<String, CompiledConvention>,
    /// The struct and enum layout facts `records::records_source` asks for, by key.
    pub layouts: BTreeMap<String, i32>,
}

/// Compiles the probes for `target` and reads back every virtual function's slot.
pub fn compile_layout(
    api: &Api,
    header: &Path,
    setup: &IncludeSetup,
    target: Target,
) -> Result<CompiledLayout, ProbeError> {
    let clang = find_clang()?;
    setup.check(target)?;
    let header = std::path::absolute(header).map_err(io_error(header))?;
    let include = header.display().to_string();
    let dir = ScratchDir::new(target)?;

    let mut slots = BTreeMap::new();
    let methods_cpp = dir.path.join("methods.cpp");
    let methods_obj = dir.path.join("methods.obj");
    std::fs::write(&methods_cpp, source::methods_source(api, &include))
        .map_err(io_error(&methods_cpp))?;
    compile::compile(
        &clang,
        setup,
        target,
        &methods_cpp,
        compile::Output::Object,
        &methods_obj,
    )?;
    let data = std::fs::read(&methods_obj).map_err(io_error(&methods_obj))?;
    let thunks = coff::thunk_offsets(&data)?;
    let conventions = coff::integer_data(&data, source::CONVENTION_PREFIX)?
        .into_iter()
        .map(|(name, value)| (name, CompiledConvention::from_probe(value)))
        .collect();
    let layouts = coff::integer_data(&data, records::LAYOUT_PREFIX)?;
    let pointer = target.pointer_size() as u64;
    for (class_id, class) in class_ids(api) {
        for (index, method) in class.methods.iter().enumerate() {
            if method.is_destructor {
                continue;
            }
            let datum = source::datum_name(&class.name, index);
            if let Some((thunk_class, offset)) = thunks.get(&datum) {
                if *thunk_class == class.name && offset % pointer == 0 {
                    let id = MethodId::new(class_id, index);
                    slots.insert(id, (offset / pointer) as usize);
                }
            }
        }
    }

    if !source::destructor_classes(api).is_empty() {
        let dtor_cpp = dir.path.join("destructors.cpp");
        let dtor_ll = dir.path.join("destructors.ll");
        std::fs::write(&dtor_cpp, source::destructors_source(api, &include))
            .map_err(io_error(&dtor_cpp))?;
        compile::compile(
            &clang,
            setup,
            target,
            &dtor_cpp,
            compile::Output::LlvmIr,
            &dtor_ll,
        )?;
        let ir = std::fs::read_to_string(&dtor_ll).map_err(io_error(&dtor_ll))?;
        let deletes = coff::delete_slots(&ir);
        let ids: BTreeMap<&str, ClassId> = class_ids(api)
            .map(|(id, class)| (class.name.as_str(), id))
            .collect();
        for (witness, class) in source::destructor_classes(api).into_iter().enumerate() {
            let index = class.methods.iter().position(|m| m.is_destructor);
            if let (Some(index), Some(slot)) = (index, deletes.get(&witness.to_string())) {
                slots.insert(MethodId::new(ids[class.name.as_str()], index), *slot);
            }
        }
    }
    Ok(CompiledLayout {
        target,
        slots,
        conventions,
        layouts,
    })
}

/// One disagreement between the prediction and the compiler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    pub target: Target,
    pub class: String,
    /// The C++ declaration of the method.
    pub method: String,
    pub predicted: Option<usize>,
    pub compiled: Option<usize>,
}

/// Every virtual function whose predicted slot differs from (or is missing in) `compiled`,
/// then every struct offset, size or alignment and enum size that does
/// ([`records::compare_records`]; the row's `class` is the struct or enum, its `method`
/// what was measured, `offsetof(S, f)`, and the numbers are bytes).
pub fn compare(predicted: &LaidOutApi, compiled: &CompiledLayout) -> Vec<Mismatch> {
    let mut out = Vec::new();
    for (id, class, layout) in predicted.identified_classes() {
        for (index, method) in class.methods.iter().enumerate() {
            let predicted_slot = layout.method_slots.get(index).copied().flatten();
            let compiled_slot = compiled.slots.get(&MethodId::new(id, index)).copied();
            if predicted_slot != compiled_slot || compiled_slot.is_none() {
                out.push(Mismatch {
                    target: compiled.target,
                    class: class.name.clone(),
                    method: method.cpp_declaration(),
                    predicted: predicted_slot,
                    compiled: compiled_slot,
                });
            }
        }
    }
    out.extend(records::compare_records(predicted, compiled));
    out
}

/// A function pointer typedef whose x86 calling convention differs from the prediction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConventionMismatch {
    pub typedef: String,
    pub predicted: CompiledConvention,
    /// None when the probe has no answer for the typedef.
    pub compiled: Option<CompiledConvention>,
}

/// Every function pointer typedef (the header's, and those of other headers it uses), and
/// struct field of a function pointer type written in place (reported as `S::f`), whose
/// predicted calling convention (the `extern` ABI the
/// generated Rust uses) differs from `compiled`. Only x86 tells conventions apart.
pub fn compare_conventions(api: &Api, compiled: &CompiledLayout) -> Vec<ConventionMismatch> {
    if compiled.target != Target::I686 {
        return Vec::new();
    }
    let typedefs = source::function_typedefs(api)
        .into_iter()
        .map(|(typedef, function, _)| (typedef.name.clone(), typedef.name.clone(), function));
    let foreign = source::foreign_function_typedefs(api)
        .into_iter()
        .map(|(name, function)| (name.clone(), name, function));
    let fields = source::function_fields(api)
        .into_iter()
        .map(|(label, key, function, _)| (label, key, function));
    typedefs
        .chain(foreign)
        .chain(fields)
        .filter_map(|(label, key, function)| {
            let predicted = CompiledConvention::predicted(function.convention);
            let found = compiled.conventions.get(&key).copied();
            (found != Some(predicted)).then_some(ConventionMismatch {
                typedef: label,
                predicted,
                compiled: found,
            })
        })
        .collect()
}

/// A temporary directory removed on drop.
struct ScratchDir {
    path: std::path::PathBuf,
}

impl ScratchDir {
    fn new(target: Target) -> Result<ScratchDir, ProbeError> {
        static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "httpserv-rs-probe-{}-{n}-{}",
            std::process::id(),
            target.triple()
        ));
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
        Ok(ScratchDir { path })
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}
