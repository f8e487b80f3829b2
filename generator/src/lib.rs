//! httpserv-rs generator: reads an IIS `httpserv.h` with libclang (parse), describes its API as
//! plain data (ir), predicts MSVC vtable layouts (layout), writes Rust bindings (emit) and
//! C++ probes that let the compiler check the prediction (probe).

pub mod emit;
pub mod error;
pub mod ir;
pub mod layout;
pub mod manifest;
pub mod parse;
pub mod probe;

pub use error::{Error, Result};

use std::collections::BTreeMap;

/// One header, parsed, laid out and emitted.
#[derive(Debug, Clone)]
pub struct Generated {
    pub api: ir::Api,
    pub layouts: BTreeMap<String, layout::ClassLayout>,
    pub bindings: emit::Bindings,
}

impl Generated {
    pub fn slot_count(&self) -> usize {
        self.layouts.values().map(|l| l.slots.len()).sum()
    }

    pub fn virtual_function_count(&self) -> usize {
        self.api.classes.iter().map(|c| c.methods.len()).sum()
    }
}

/// The whole pipeline: parse → IR → layout → emit.
pub fn generate(options: &parse::ParseOptions, provenance: &emit::Provenance) -> Result<Generated> {
    let api = parse::parse(options)?;
    let layouts = layout::layout(&api)?;
    let bindings = emit::emit(&api, &layouts, provenance)?;
    Ok(Generated {
        api,
        layouts,
        bindings,
    })
}
