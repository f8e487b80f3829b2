//! How the bindings are cut into files, so a reader and a code review can follow them: one
//! file per class family (a class and its numbered successors, `IHttpRequest` …
//! `IHttpRequest4`, in `i_http_request.rs`), one (`types.rs`) for the constants, enums,
//! typedefs, structs and opaque types, and `mod.rs` tying them together.

use crate::ir::{Class, Constant, Enum, Struct, Typedef};
use crate::layout::LaidOutApi;

/// One top-level piece of the bindings, emitted independently of the others.
pub enum Piece<'a> {
    Constant(&'a Constant),
    Enum(&'a Enum),
    Opaque(&'a str),
    Struct(&'a Struct),
    Typedef(&'a Typedef),
    /// The interface type, vtable, wrappers and `_Impl` trait of one class.
    Class(&'a Class),
}

impl Piece<'_> {
    /// About how much work emitting the piece is: a class costs one unit per virtual
    /// function it declares (inherited slots are one `base__` field), anything else one.
    pub fn weight(&self) -> usize {
        match self {
            Piece::Class(class) => 1 + class.methods.len(),
            _ => 1,
        }
    }
}

/// One generated file: its module name (the file is `<module>.rs`) and its pieces in order.
pub struct FilePlan<'a> {
    pub module: String,
    pub pieces: Vec<Piece<'a>>,
}

impl FilePlan<'_> {
    pub fn weight(&self) -> usize {
        self.pieces.iter().map(Piece::weight).sum()
    }
}

/// The files of the bindings module (without `mod.rs`), in output order: the types file
/// (when there is anything for it), then one file per class family in header order of the
/// family's first class. Module names are the naming pass's (`ClassNames::module`).
pub fn plan(model: &LaidOutApi) -> Vec<FilePlan<'_>> {
    let api = &model.api;
    let names = model.names();
    let mut files = Vec::new();
    let mut types = Vec::new();
    types.extend(api.constants.iter().map(Piece::Constant));
    types.extend(api.enums.iter().map(Piece::Enum));
    types.extend(api.opaque_types.iter().map(|o| Piece::Opaque(o)));
    types.extend(api.structs.iter().map(Piece::Struct));
    types.extend(api.typedefs.iter().map(Piece::Typedef));
    if !types.is_empty() {
        files.push(FilePlan {
            module: names.types_module().to_string(),
            pieces: types,
        });
    }
    let mut families: Vec<FilePlan<'_>> = Vec::new();
    for class in &api.classes {
        let module = &names.class(&class.name).module;
        match families.iter_mut().find(|f| f.module == *module) {
            Some(family) => family.pieces.push(Piece::Class(class)),
            None => families.push(FilePlan {
                module: module.clone(),
                pieces: vec![Piece::Class(class)],
            }),
        }
    }
    files.extend(families);
    files
}
