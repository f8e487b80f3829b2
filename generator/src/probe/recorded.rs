//! The checked-in bindings against the compiler: every virtual function's compiled slot is
//! looked up in the recorded manifest (`generated/abi.json`, written by the same `regen` as
//! the Rust), and every `_Vtbl` struct of the generated Rust is read back with `syn` and
//! compared with the manifest's fields. A header changed without `regen`, or a hand-edited
//! `generated/`, shows up here as rows naming each slot that differs.

use super::CompiledLayout;
use crate::layout::{abi_signature_of, LaidOutApi};
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
    for (class, layout) in model.classes() {
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
            let Some(&slot) = compiled.slots.get(&(class.name.clone(), index)) else {
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

/// Every vtable struct in the generated Rust `sources`: the C++ class it belongs to and its
/// own field names in order (`base__` left out). The class is read from the interface
/// struct that points at the vtable (`pub vtable: *const IFoo_Vtbl`, documented "C++ class
/// `IFoo`"), so vtables the naming pass renamed (`IFoo_Vtbl_2` beside a class `IFoo_Vtbl`)
/// are found too; a `Foo_Vtbl` no interface claims is taken as `Foo`'s.
pub fn rust_vtable_fields(sources: &[String]) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut structs: Vec<syn::ItemStruct> = Vec::new();
    for source in sources {
        let file = syn::parse_file(source).map_err(|e| e.to_string())?;
        structs.extend(file.items.into_iter().filter_map(|item| match item {
            syn::Item::Struct(item) => Some(item),
            _ => None,
        }));
    }
    let mut class_of_vtable: BTreeMap<String, String> = BTreeMap::new();
    let mut interfaces = std::collections::BTreeSet::new();
    for item in &structs {
        let Some(class) = documented_class(item) else {
            continue;
        };
        interfaces.insert(item.ident.to_string());
        for field in &item.fields {
            if field.ident.as_ref().is_some_and(|i| i == "vtable") {
                if let syn::Type::Ptr(pointer) = &field.ty {
                    if let syn::Type::Path(path) = &*pointer.elem {
                        if let Some(last) = path.path.segments.last() {
                            class_of_vtable.insert(last.ident.to_string(), class.clone());
                        }
                    }
                }
            }
        }
    }
    let mut out = BTreeMap::new();
    for item in structs {
        let name = item.ident.to_string();
        if interfaces.contains(&name) {
            continue;
        }
        let class = match class_of_vtable.get(&name) {
            Some(class) => class.clone(),
            None => match name.strip_suffix("_Vtbl") {
                Some(class) => class.to_string(),
                None => continue,
            },
        };
        let fields = item
            .fields
            .iter()
            .filter_map(|f| f.ident.as_ref().map(|i| i.to_string()))
            .filter(|f| f != "base__")
            .collect();
        out.insert(class, fields);
    }
    Ok(out)
}

/// The C++ class an interface struct's docs name on their first line ("C++ class `IFoo`").
fn documented_class(item: &syn::ItemStruct) -> Option<String> {
    let first = item.attrs.iter().find_map(|attr| match &attr.meta {
        syn::Meta::NameValue(doc) if doc.path.is_ident("doc") => match &doc.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(text),
                ..
            }) => Some(text.value()),
            _ => None,
        },
        _ => None,
    })?;
    let rest = first.trim().strip_prefix("C++ class `")?;
    Some(rest[..rest.find('`')?].to_string())
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
