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
//!
//! The result is the one laid-out model of the API ([`LaidOutApi`]): per class its complete
//! vtable, per slot the method, its index, the class that introduced it, its Rust name
//! (`names/slots.rs`) and its ABI signature, and every other Rust name the bindings define
//! (`names/`, the naming pass). Emitters, the manifest, the probe comparison and the tests
//! read these facts here; nothing recomputes them. `records.rs` places struct fields as
//! the emitted `repr` does.

mod ids;
pub mod names;
pub mod records;

pub use ids::{ClassId, MethodId, MethodIndex, SlotId, SlotIndex};

use crate::ir::{Api, Class, Method};
use crate::toolchain::Target;
use names::Names;
use serde::Serialize;
use std::collections::BTreeMap;

/// One vftable entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slot {
    pub index: usize,
    /// The class whose declaration introduced this slot.
    pub introduced_by: String,
    /// Index into `introduced_by`'s `methods`.
    pub method: usize,
    /// The Rust name of the slot: its vtable field, wrapper and `_Impl` method (`names.rs`).
    pub rust_name: String,
    /// What the ABI sees ([`abi_signature`]).
    pub abi_signature: String,
}

impl Slot {
    /// The slot's place in the vtable, typed.
    pub fn slot_index(&self) -> SlotIndex {
        SlotIndex(self.index)
    }

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
    /// For each of the class's declared methods (by index), the slot it occupies: the one
    /// it introduced, or the base slot it overrides. Always `Some` in a layout made by the
    /// MSVC rules; a prediction built by hand (a test's deliberately wrong one) may leave a
    /// method without a slot.
    pub method_slots: Vec<Option<usize>>,
}

impl ClassLayout {
    /// The slots this class adds, in slot order.
    pub fn own_slots(&self) -> &[Slot] {
        &self.slots[self.inherited..]
    }

    /// The slot at `index`.
    pub fn slot(&self, index: SlotIndex) -> &Slot {
        &self.slots[index.0]
    }

    /// The Rust names of every slot, in slot order.
    pub fn slot_names(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().map(|s| s.rust_name.as_str())
    }
}

/// The API with every class laid out: what every stage after layout reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaidOutApi {
    pub api: Api,
    /// Keyed by class name; [`LaidOutApi::classes`] gives header order.
    layouts: BTreeMap<String, ClassLayout>,
    /// Each class's id (its index in `api.classes`), by name.
    ids: BTreeMap<String, ClassId>,
    names: Names,
}

impl LaidOutApi {
    /// Lays out every class of `api` and names every item.
    pub fn new(api: Api) -> Result<LaidOutApi, LayoutError> {
        check_inheritance_depth(&api)?;
        let layouts = layout(&api)?;
        Ok(LaidOutApi::with_layouts(api, layouts))
    }

    /// A model whose layouts come from elsewhere than the MSVC rules: tests feed the probe
    /// comparison a deliberately wrong prediction this way. `layouts` needs one entry per
    /// class of `api`.
    pub fn with_layouts(api: Api, layouts: BTreeMap<String, ClassLayout>) -> LaidOutApi {
        let names = Names::new(&api);
        let ids = class_ids(&api)
            .map(|(id, class)| (class.name.clone(), id))
            .collect();
        LaidOutApi {
            api,
            layouts,
            ids,
            names,
        }
    }

    /// The Rust name of every item (the naming pass).
    pub fn names(&self) -> &Names {
        &self.names
    }

    /// The API and the layouts by class name, to take apart (and rebuild with
    /// [`LaidOutApi::with_layouts`]).
    pub fn into_parts(self) -> (Api, BTreeMap<String, ClassLayout>) {
        (self.api, self.layouts)
    }

    /// Every class with its layout, in header order.
    pub fn classes(&self) -> impl Iterator<Item = (&Class, &ClassLayout)> {
        self.api
            .classes
            .iter()
            .map(|class| (class, &self.layouts[&class.name]))
    }

    /// Every class with its id and layout, in header order.
    pub fn identified_classes(&self) -> impl Iterator<Item = (ClassId, &Class, &ClassLayout)> {
        (self.classes().enumerate())
            .map(|(index, (class, layout))| (ClassId::new(index), class, layout))
    }

    /// The id of the class `name`; panics for a class the API does not declare.
    pub fn class_id(&self, name: &str) -> ClassId {
        self.ids[name]
    }

    /// The slot `slot` as its id: named by the class that introduced it.
    pub fn slot_id(&self, slot: &Slot) -> SlotId {
        SlotId {
            class: self.class_id(&slot.introduced_by),
            slot: slot.slot_index(),
        }
    }

    /// The id of the `index`th method declared by the class `class`.
    pub fn declared_method_id(&self, class: &str, index: usize) -> MethodId {
        MethodId::new(self.class_id(class), index)
    }

    /// The method in slot `slot`, as its id (in the class that introduced the slot).
    pub fn method_id(&self, slot: &Slot) -> MethodId {
        MethodId::new(self.class_id(&slot.introduced_by), slot.method)
    }

    /// The layout of the class `name`; panics for a class the API does not declare.
    pub fn layout(&self, name: &str) -> &ClassLayout {
        &self.layouts[name]
    }

    /// The method a slot refers to.
    pub fn method(&self, slot: &Slot) -> &Method {
        slot_method(&self.api, slot)
    }

    /// Total vtable slots over all classes (inherited ones counted in each class).
    pub fn slot_count(&self) -> usize {
        self.layouts.values().map(|l| l.slots.len()).sum()
    }

    /// Virtual functions declared in the header (each once, where declared).
    pub fn virtual_function_count(&self) -> usize {
        self.api.classes.iter().map(|c| c.methods.len()).sum()
    }
}

pub use crate::error::LayoutError;

/// Every class of `api` with its id, in header order: the ids [`LaidOutApi`] gives, for a
/// stage that reads an `Api` without its layout (the probe's compiled slots).
pub fn class_ids(api: &Api) -> impl Iterator<Item = (ClassId, &Class)> {
    (api.classes.iter().enumerate()).map(|(index, class)| (ClassId::new(index), class))
}

/// How many bases a class may have above it in its chain. IIS's deepest chain has four
/// (`IHttpRequest4` … `IHttpRequest`); the Rust compiler's recursion limit (128 levels,
/// spent on nested `base__` vtables when checking auto traits, and on `Deref` steps) is the
/// real bound, with room to spare.
pub const MAX_INHERITANCE_DEPTH: usize = 64;

/// Refuses a class whose base chain is longer than [`MAX_INHERITANCE_DEPTH`].
fn check_inheritance_depth(api: &Api) -> Result<(), LayoutError> {
    let classes: BTreeMap<&str, &Class> =
        api.classes.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut depths: BTreeMap<&str, usize> = BTreeMap::new();
    for class in &api.classes {
        // Walk up to a class of known depth (or the root), then fill in the chain.
        let mut chain = vec![class.name.as_str()];
        let mut known = 0;
        while let Some(base) = classes[chain[chain.len() - 1]].base.as_deref() {
            if let Some(depth) = depths.get(base) {
                known = depth + 1;
                break;
            }
            if chain.contains(&base) || !classes.contains_key(base) {
                // A cycle or an unknown base: the layout reports those.
                return Ok(());
            }
            chain.push(base);
        }
        for (i, name) in chain.iter().enumerate().rev() {
            let depth = known + (chain.len() - 1 - i);
            depths.insert(name, depth);
            if depth > MAX_INHERITANCE_DEPTH {
                let class = classes[name];
                return Err(LayoutError::TooDeep {
                    class: class.name.clone(),
                    depth,
                    max: MAX_INHERITANCE_DEPTH,
                    location: class.location.to_string(),
                });
            }
        }
    }
    Ok(())
}

/// Lays out every class of the API. The result is keyed by class name.
fn layout(api: &Api) -> Result<BTreeMap<String, ClassLayout>, LayoutError> {
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
            rust_name: String::new(),
            abi_signature: abi_signature_of(api, &class.name, method),
        });
    }
    let own_names = names::own_slot_names(api, &slots[..inherited], &slots[inherited..]);
    for (slot, name) in slots[inherited..].iter_mut().zip(own_names) {
        slot.rust_name = name;
    }
    let method_slots = (0..class.methods.len())
        .map(|method| {
            let declared = &class.methods[method];
            slots
                .iter()
                .find(|slot| slot.introduced_by == class.name && slot.method == method)
                .or_else(|| {
                    slots[..inherited]
                        .iter()
                        .find(|slot| same_signature(slot_method(api, slot), declared))
                })
                .map(|slot| slot.index)
        })
        .collect();
    let layout = ClassLayout {
        class: class.name.clone(),
        slots,
        inherited,
        method_slots,
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
fn slot_method<'a>(api: &'a Api, slot: &Slot) -> &'a Method {
    let class = api
        .class(&slot.introduced_by)
        .expect("slots only refer to classes of the same API");
    &class.methods[slot.method]
}

/// [`abi_signature`] of method `index` of `class`, with the calling convention the method
/// declares for itself (`STDMETHOD`'s `__stdcall`) after it, where it has one.
pub fn abi_signature_of(api: &Api, class: &str, index: usize) -> String {
    let method = &api.class(class).expect("a class of the API").methods[index];
    let signature = abi_signature(method);
    match api.details.method_convention(class, index) {
        Some(convention) => format!("{signature} {}", convention.x86_keyword()),
        None => signature,
    }
}

/// The ABI-relevant signature of a method: canonical types only (with the x86 convention of
/// callbacks written in place), so renaming a parameter or changing a default argument is
/// not a change here. The destructor's hidden flags argument is written out.
pub fn abi_signature(method: &Method) -> String {
    let mut params: Vec<String> = method.params.iter().map(|p| p.ty.x86_text(true)).collect();
    if method.is_destructor {
        params.insert(0, "unsigned int".into());
    }
    format!(
        "{}({}){}",
        method.return_type.x86_text(true),
        params.join(", "),
        if method.is_const { " const" } else { "" }
    )
}

#[cfg(test)]
mod tests;
