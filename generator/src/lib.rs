//! httpserv-rs generator: reads an IIS `httpserv.h` with libclang (`parse`), describes its
//! API as plain data (`ir`), lays out every vtable as MSVC does (`layout`, the one model the
//! later stages read), and from that model writes the Rust bindings (`emit`), the ABI record
//! (`manifest`) and the C++ probes that let the compiler judge the prediction (`probe`).
//! `toolchain` (targets, headers, compiler command line) sits under all of them; `knowledge`
//! holds what the header cannot say (Windows types, IIS's rules) as tables keyed by
//! declaration, and `policy` answers questions from them (for the emitters once per class and
//! method, kept in `idiom::Idioms`). Modules depend only on lower layers
//! (`tests/module_layers.rs` holds the order).

pub mod emit;
pub mod error;
pub mod idiom;
pub mod ir;
pub mod knowledge;
pub mod layout;
pub mod manifest;
pub mod parse;
pub mod policy;
pub mod probe;
pub mod repr_c;
pub mod rust_types;
pub mod samples;
pub mod toolchain;

pub use error::{Error, Result};

use std::collections::BTreeMap;

/// One header, parsed, laid out and emitted.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The input as the generated files name it (`Provenance::input`).
    pub input: String,
    pub model: layout::LaidOutApi,
    pub idioms: idiom::Idioms,
    pub manifest: manifest::Manifest,
    pub bindings: emit::Bindings,
}

/// The generated crate: every file of its directory, relative to it. Regen owns the whole
/// directory, so anything else there is stale and goes when it writes the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileTree {
    /// Relative path (with `/`) → contents.
    pub files: BTreeMap<String, String>,
}

/// Where the bindings module lives in the generated crate.
pub const BINDINGS_DIR: &str = "src/bindings";
/// The generated crate's manifest.
pub const CARGO_TOML: &str = "Cargo.toml";
/// The generated crate's root.
pub const LIB_RS: &str = "src/lib.rs";
/// The ABI manifest: what `abi-diff`, `check-abi` and the next regen compare against.
pub const MANIFEST_JSON: &str = "abi.json";
/// Which methods keep only their raw form, and why.
pub const COVERAGE_MD: &str = "idiomatic-coverage.md";

impl Generated {
    /// The generated crate's files: its manifest and root, the bindings module, the ABI
    /// manifest and the coverage list. Nothing in the crate is hand-written.
    pub fn file_tree(&self) -> FileTree {
        let mut files: BTreeMap<String, String> = self
            .bindings
            .files
            .iter()
            .map(|(name, text)| (format!("{BINDINGS_DIR}/{name}"), text.clone()))
            .collect();
        files.insert(
            CARGO_TOML.into(),
            emit::crate_files::cargo_toml(&self.input),
        );
        files.insert(LIB_RS.into(), emit::crate_files::lib_rs(&self.input));
        files.insert(MANIFEST_JSON.into(), manifest::to_json(&self.manifest));
        files.insert(
            COVERAGE_MD.into(),
            idiom::coverage::markdown(&self.model, &self.idioms, &self.input),
        );
        FileTree { files }
    }
}

/// The whole pipeline: parse → IR → layout → emit and manifest.
pub fn generate(options: &parse::ParseOptions, provenance: &emit::Provenance) -> Result<Generated> {
    let api = parse::parse(options)?;
    let model = layout::LaidOutApi::new(api)?;
    let idioms = idiom::Idioms::new(&model);
    let bindings = emit::emit(&model, &idioms, provenance).map_err(|e| e.located(provenance))?;
    let manifest = manifest::build(&model, &idioms);
    Ok(Generated {
        input: provenance.input.clone(),
        model,
        idioms,
        manifest,
        bindings,
    })
}
