//! The checked-in bindings against the compiler: every virtual function's compiled slot is
//! looked up in the recorded manifest (`generated/abi.json`, written by the same `regen` as
//! the Rust), and every class's vtable struct of the generated Rust (named by the manifest)
//! is read back with `syn` and compared with the manifest's fields. A header changed without
//! `regen`, or a hand-edited `generated/`, shows up here as rows naming each slot that
//! differs.

use super::CompiledLayout;
use crate::layout::{abi_signature_of, LaidOutApi, MethodId};
use crate::manifest::Manifest;
use std::collections::BTreeMap;

/// One slot where the compiler, the recorded manifest and the generated Rust disagree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleSlot {
    pub class: String,
    /// What the slot holds for the compiler (a C++ declaration), or `-`.
    pub compiled: String,
    /// What `abi.json` or the Rust records there, or `-`.
    pub recorded: String,
    pub slot: Option<usize>,
}

/// Every virtual function whose compiled slot holds something else in `recorded`, every
/// class one side lacks, and every class whose recorded vtable has another length than the
/// header's.
pub fn compare_recorded(
    model: &LaidOutApi,
    compiled: &CompiledLayout,
    recorded: &Manifest,
) -> Vec<StaleSlot> {
    let mut out = Vec::new();
    for (id, class, layout) in model.identified_classes() {
        let Some(entry) = recorded.class(&class.name) else {
            out.push(StaleSlot {
                class: class.name.clone(),
                compiled: format!("class with {} slot(s)", layout.slots.len()),
                recorded: "-".into(),
                slot: None,
            });
            continue;
        };
        let mut rows = Vec::new();
        for (index, method) in class.methods.iter().enumerate() {
            let Some(&slot) = compiled.slots.get(&MethodId::new(id, index)) else {
                continue; // the compiler comparison reports a method it did not place
            };
            let at_slot = entry.slots.iter().find(|s| s.index == slot);
            let same = at_slot.is_some_and(|s| {
                if method.is_destructor {
                    s.method.starts_with('~')
                } else {
                    s.method == method.name
                        && s.abi == abi_signature_of(&model.api, &class.name, index)
                }
            });
            if !same {
                rows.push(StaleSlot {
                    class: class.name.clone(),
                    compiled: method.cpp_declaration(),
                    recorded: at_slot.map_or("-".into(), |s| s.cpp.clone()),
                    slot: Some(slot),
                });
            }
        }
        rows.sort_by_key(|row| row.slot);
        out.extend(rows);
        if entry.slots.len() != layout.slots.len() {
            out.push(StaleSlot {
                class: class.name.clone(),
                compiled: format!("{} slot(s)", layout.slots.len()),
                recorded: format!("{} slot(s)", entry.slots.len()),
                slot: None,
            });
        }
    }
    for entry in &recorded.classes {
        if model.api.class(&entry.name).is_none() {
            out.push(StaleSlot {
                class: entry.name.clone(),
                compiled: "-".into(),
                recorded: format!("class with {} slot(s)", entry.slots.len()),
                slot: None,
            });
        }
    }
    out
}

/// The fields of every recorded class's vtable struct in the generated Rust `sources`, by
/// C++ class: its own field names in order (`base__` left out). Each class's struct is the one
/// the manifest names (`ClassEntry::vtable`, written by the same regen as the Rust), so
/// vtables the naming pass renamed (`IFoo_Vtbl_2` beside a class `IFoo_Vtbl`) are found by
/// name; a class whose struct is missing has no entry.
pub fn rust_vtable_fields(
    sources: &[String],
    recorded: &Manifest,
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let class_of_vtable: BTreeMap<String, &str> = (recorded.classes.iter())
        .map(|entry| (entry.vtable_struct(), entry.name.as_str()))
        .collect();
    let mut out = BTreeMap::new();
    for source in sources {
        let file = syn::parse_file(source).map_err(|e| e.to_string())?;
        for item in file.items {
            let syn::Item::Struct(item) = item else {
                continue;
            };
            let Some(class) = class_of_vtable.get(&item.ident.to_string()) else {
                continue;
            };
            let fields = (item.fields.iter())
                .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
                .filter(|f| f != "base__")
                .collect();
            out.insert(class.to_string(), fields);
        }
    }
    Ok(out)
}

/// Every slot whose Rust vtable field (through the base chain) is not the field the
/// manifest records for it.
pub fn compare_rust_fields(
    recorded: &Manifest,
    rust: &BTreeMap<String, Vec<String>>,
) -> Vec<StaleSlot> {
    let mut out = Vec::new();
    for entry in &recorded.classes {
        let mut fields: Vec<&str> = Vec::new();
        let mut chain = vec![entry.name.as_str()];
        let mut base = entry.base.as_deref();
        while let Some(name) = base.filter(|b| !chain.contains(b)) {
            chain.push(name);
            base = recorded.class(name).and_then(|c| c.base.as_deref());
        }
        for class in chain.iter().rev() {
            fields.extend(rust.get(*class).into_iter().flatten().map(String::as_str));
        }
        let longest = fields.len().max(entry.slots.len());
        for index in 0..longest {
            let in_rust = fields.get(index).copied();
            let in_manifest = entry.slots.get(index).map(|s| s.field.as_str());
            if in_rust != in_manifest {
                out.push(StaleSlot {
                    class: entry.name.clone(),
                    compiled: format!("abi.json field `{}`", in_manifest.unwrap_or("-")),
                    recorded: format!("Rust field `{}`", in_rust.unwrap_or("-")),
                    slot: Some(index),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::ClassEntry;

    fn class(name: &str, vtable: Option<&str>) -> ClassEntry {
        ClassEntry {
            name: name.into(),
            uuid: None,
            base: None,
            vtable: vtable.map(str::to_string),
            slots: Vec::new(),
        }
    }

    /// A class named like another's vtable: each vtable is found by the name the manifest
    /// records, and a manifest without names falls back to `{class}_Vtbl`.
    #[test]
    fn vtables_are_found_by_the_recorded_name() {
        let source = "pub struct IFoo_Vtbl_2 { pub base__: u8, pub Get: u8 }\n\
                      pub struct IFoo_Vtbl_Vtbl { pub Other: u8 }\n\
                      pub struct IFoo_Vtbl { vtable: *const IFoo_Vtbl_Vtbl }\n\
                      pub struct IBar_Vtbl { pub Old: u8 }\n";
        let recorded = Manifest {
            format: crate::manifest::FORMAT_VERSION,
            source: "t.h".into(),
            api_hash: String::new(),
            records_types: true,
            classes: vec![
                class("IFoo", Some("IFoo_Vtbl_2")),
                class("IFoo_Vtbl", Some("IFoo_Vtbl_Vtbl")),
                class("IBar", None),
            ],
            enums: Vec::new(),
            constants: Vec::new(),
            typedefs: Vec::new(),
        };
        let fields = rust_vtable_fields(&[source.to_string()], &recorded).unwrap();
        assert_eq!(fields["IFoo"], ["Get"]);
        assert_eq!(fields["IFoo_Vtbl"], ["Other"]);
        assert_eq!(fields["IBar"], ["Old"]);
    }
}
