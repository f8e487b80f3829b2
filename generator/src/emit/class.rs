//! Everything generated for one class, from its slots worked out once: the interface type
//! (`interface.rs`), the vtable and its layout assertions (`vtable.rs`), the calling wrappers
//! (`methods.rs`), the idiomatic methods (`idiomatic.rs`) and the `_Impl` trait with its
//! vtable of thunks (`implement.rs`) all read
//! the same [`OwnSlot`]s.

use super::signature::{slot_signature, SlotSignature};
use super::{ident, idiomatic, implement, interface, methods, vtable, EmitError};
use crate::idiom::Idioms;
use crate::ir::{Class, Method};
use crate::layout::names::ClassNames;
use crate::layout::{ClassId, ClassLayout, LaidOutApi, MethodId, Slot, SlotId};
use crate::rust_types::TypeMapper;
use proc_macro2::{Ident, TokenStream};

/// One slot a class adds to its base's vtable, with what every emitter needs of it.
pub struct OwnSlot<'a> {
    pub slot: &'a Slot,
    /// Its id, by which the idiomatic forms are looked up.
    pub id: SlotId,
    /// The method's id, by which its parameters' names are looked up.
    pub method_id: MethodId,
    pub method: &'a Method,
    /// The vtable field, wrapper and trait method name.
    pub name: Ident,
    pub signature: SlotSignature,
}

/// A class with its layout and its own slots prepared.
pub struct ClassItems<'a> {
    pub class: &'a Class,
    /// The class's id, by which its implementation facts are looked up.
    pub id: ClassId,
    pub layout: &'a ClassLayout,
    /// The class's Rust names (the naming pass's).
    pub names: &'a ClassNames,
    pub model: &'a LaidOutApi,
    pub own: Vec<OwnSlot<'a>>,
}

impl ClassItems<'_> {
    /// The Rust names of the class's base, if it has one.
    pub fn base(&self) -> Option<&ClassNames> {
        self.class
            .base
            .as_deref()
            .map(|base| self.model.names().class(base))
    }
}

impl<'a> ClassItems<'a> {
    pub fn new(
        types: &TypeMapper<'a>,
        model: &'a LaidOutApi,
        class: &'a Class,
        layout: &'a ClassLayout,
    ) -> Result<ClassItems<'a>, EmitError> {
        let own = layout
            .own_slots()
            .iter()
            .map(|slot| {
                let method = model.method(slot);
                let method_id = model.method_id(slot);
                Ok(OwnSlot {
                    slot,
                    id: model.slot_id(slot),
                    method_id,
                    method,
                    name: ident(&slot.rust_name),
                    signature: slot_signature(types, slot, method, method_id)?,
                })
            })
            .collect::<Result<Vec<_>, EmitError>>()?;
        Ok(ClassItems {
            class,
            id: model.class_id(&class.name),
            layout,
            names: model.names().class(&class.name),
            model,
            own,
        })
    }
}

/// The interface type, vtable, wrappers and `_Impl` trait of one class.
pub fn class_items(
    types: &TypeMapper<'_>,
    model: &LaidOutApi,
    idioms: &Idioms,
    class: &Class,
) -> Result<TokenStream, EmitError> {
    let items = ClassItems::new(types, model, class, model.layout(&class.name))?;
    let mut tokens = interface::interface(&items);
    tokens.extend(vtable::vtable(&items));
    tokens.extend(methods::methods(idioms.implementations(), &items));
    tokens.extend(idiomatic::idiomatic(types, idioms, &items));
    tokens.extend(implement::implement(types.api, idioms, &items));
    Ok(tokens)
}
