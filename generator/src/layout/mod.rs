//! MSVC vftable layout for single inheritance, predicted from the IR alone.
//!
//! The rules, as MSVC (and clang's `MicrosoftVTableContext`) apply them:
//! - a class's vftable starts with its base's slots, unchanged;
//! - an override of a base method (same name, parameter types and constness) reuses the
//!   base slot, and a destructor overrides a virtual base destructor;
//! - the remaining ("new") virtual functions are grouped by name; groups are ordered by
//!   the first declaration of that name in the class (any member counts, not only
//!   virtual ones), and within a group the overloads appear in *reverse* declaration order;
//! - a virtual destructor is one slot (the scalar deleting destructor).
//!
//! This is a prediction; `check-abi` proves it against the compiler.

use crate::ir::{Api, Class, Method};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The two MSVC targets whose vtables we describe. Slot indices are the same on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    X86_64,
    I686,
}

impl Target {
    pub const ALL: [Target; 2] = [Target::X86_64, Target::I686];

    pub fn triple(self) -> &'static str {
        match self {
            Target::X86_64 => "x86_64-pc-windows-msvc",
            Target::I686 => "i686-pc-windows-msvc",
        }
    }

    pub fn pointer_size(self) -> usize {
        match self {
            Target::X86_64 => 8,
            Target::I686 => 4,
        }
    }
}

/// One vftable entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub index: usize,
    /// The class whose declaration introduced this slot.
    pub introduced_by: String,
    /// Index into `introduced_by`'s `methods`.
    pub method: usize,
}

impl Slot {
    pub fn byte_offset(&self, target: Target) -> usize {
        self.index * target.pointer_size()
    }
}

/// The complete vftable of one class, inherited slots first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClassLayout {
    pub class: String,
    pub slots: Vec<Slot>,
    /// How many of `slots` come from the base class.
    pub inherited: usize,
}

impl ClassLayout {
    /// The slots this class adds, in slot order.
    pub fn own_slots(&self) -> &[Slot] {
        &self.slots[self.inherited..]
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum LayoutError {
    #[error(
        "{location}: class `{class}` derives from `{base}`, which is not defined in the header"
    )]
    UnknownBase {
        class: String,
        base: String,
        location: String,
    },
    #[error("{location}: class `{class}` is its own base (inheritance cycle)")]
    Cycle { class: String, location: String },
}

/// Lays out every class of the API. The result is keyed by class name.
pub fn layout(api: &Api) -> Result<BTreeMap<String, ClassLayout>, LayoutError> {
    let mut done = BTreeMap::new();
    for class in &api.classes {
        layout_class(api, class, &mut done, &mut Vec::new())?;
    }
    Ok(done)
}

fn layout_class(
    api: &Api,
    class: &Class,
    done: &mut BTreeMap<String, ClassLayout>,
    visiting: &mut Vec<String>,
) -> Result<ClassLayout, LayoutError> {
    if let Some(existing) = done.get(&class.name) {
        return Ok(existing.clone());
    }
    if visiting.contains(&class.name) {
        return Err(LayoutError::Cycle {
            class: class.name.clone(),
            location: class.location.to_string(),
        });
    }
    visiting.push(class.name.clone());
    let mut slots = match &class.base {
        None => Vec::new(),
        Some(base_name) => {
            let base = api
                .class(base_name)
                .ok_or_else(|| LayoutError::UnknownBase {
                    class: class.name.clone(),
                    base: base_name.clone(),
                    location: class.location.to_string(),
                })?;
            layout_class(api, base, done, visiting)?.slots
        }
    };
    visiting.pop();
    let inherited = slots.len();

    let new_methods: Vec<usize> = class
        .methods
        .iter()
        .enumerate()
        .filter(|(_, m)| !overrides_any(api, &slots, m))
        .map(|(i, _)| i)
        .collect();
    for method in order_new_methods(class, &new_methods) {
        slots.push(Slot {
            index: slots.len(),
            introduced_by: class.name.clone(),
            method,
        });
    }
    let layout = ClassLayout {
        class: class.name.clone(),
        slots,
        inherited,
    };
    done.insert(class.name.clone(), layout.clone());
    Ok(layout)
}

/// MSVC's grouping: overload groups in order of the name's first member declaration,
/// each group's methods in reverse declaration order.
pub fn order_new_methods(class: &Class, new_methods: &[usize]) -> Vec<usize> {
    let group_rank = |name: &str| {
        class
            .member_names
            .iter()
            .position(|n| n == name)
            .unwrap_or(usize::MAX)
    };
    let mut groups: Vec<(usize, String, Vec<usize>)> = Vec::new();
    for &index in new_methods {
        let key = slot_group_name(&class.methods[index]);
        match groups.iter_mut().find(|(_, name, _)| *name == key) {
            Some((_, _, members)) => members.push(index),
            None => groups.push((group_rank(&key), key, vec![index])),
        }
    }
    // Stable: names missing from member_names keep their first-declaration order.
    groups.sort_by_key(|(rank, _, _)| *rank);
    groups
        .into_iter()
        .flat_map(|(_, _, members)| members.into_iter().rev())
        .collect()
}

/// The name MSVC groups by: the compiled name, since overload resolution sees macros expanded.
fn slot_group_name(method: &Method) -> String {
    method.compiled_name.clone()
}

fn overrides_any(api: &Api, base_slots: &[Slot], method: &Method) -> bool {
    base_slots
        .iter()
        .any(|slot| same_signature(slot_method(api, slot), method))
}

/// True when `derived` overrides `base`: both destructors, or same compiled name, constness
/// and canonical parameter types.
pub fn same_signature(base: &Method, derived: &Method) -> bool {
    if base.is_destructor || derived.is_destructor {
        return base.is_destructor && derived.is_destructor;
    }
    base.compiled_name == derived.compiled_name
        && base.is_const == derived.is_const
        && base.params.len() == derived.params.len()
        && base
            .params
            .iter()
            .zip(&derived.params)
            .all(|(a, b)| a.ty.canonical == b.ty.canonical)
}

/// The method a slot refers to.
pub fn slot_method<'a>(api: &'a Api, slot: &Slot) -> &'a Method {
    let class = api
        .class(&slot.introduced_by)
        .expect("slots only refer to classes of the same API");
    &class.methods[slot.method]
}

/// The slot that `class.methods[method]` occupies in `class`'s vftable: the slot it
/// introduced, or the base slot it overrides.
pub fn method_slot(
    api: &Api,
    layouts: &BTreeMap<String, ClassLayout>,
    class: &Class,
    method: usize,
) -> Option<usize> {
    let layout = layouts.get(&class.name)?;
    let declared = &class.methods[method];
    layout
        .slots
        .iter()
        .find(|slot| slot.introduced_by == class.name && slot.method == method)
        .or_else(|| {
            layout.slots[..layout.inherited]
                .iter()
                .find(|slot| same_signature(slot_method(api, slot), declared))
        })
        .map(|slot| slot.index)
}

#[cfg(test)]
mod tests;
