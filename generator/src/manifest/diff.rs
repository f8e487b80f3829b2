//! Classifying the difference between two manifests. IIS only ever appends: new classes,
//! slots after all existing ones, new enums, variants, constants and typedefs are
//! compatible. Anything that moves or changes an existing slot, uuid, base or value, or
//! removes something, breaks modules (or Rust code) built against the old API.
//!
//! Slots are matched by their exact C++ declaration, then by name and ABI signature
//! (canonical types); an unmatched slot with the same method name at the same index changed
//! its signature. A declaration whose text changed but whose ABI signature did not
//! (a renamed parameter, a new default argument) is a compatible, source-level change. A change to a slot a class inherits
//! is reported once, under the class that introduced the slot. The human report is
//! `Report`'s `Display`, in `report.rs` with the JSON form.
//!
//! Every lookup goes through a hash index built once per list, so a diff takes time linear
//! in the size of the two manifests (SDK-sized manifests, or generated ones with tens of
//! thousands of constants, diff in milliseconds). Where a name occurs twice, the first
//! occurrence is the one compared, as a scan from the start would find it.

use super::{ClassEntry, EnumEntry, Manifest, SlotEntry, TypedefEntry};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;

/// What changed. [`ChangeKind::is_breaking`] splits them into the two groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    ClassAdded,
    /// A new slot after all of the class's old slots.
    SlotAppended,
    /// Same slot and ABI signature, different declaration text (a parameter renamed, a
    /// default argument changed): source-level only.
    DeclarationChanged,
    EnumAdded,
    VariantAdded,
    ConstantAdded,
    TypedefAdded,
    ClassRemoved,
    BaseChanged,
    UuidChanged,
    /// A new slot among the old ones: every slot after it moves.
    SlotInserted,
    /// An unchanged method now at a different slot.
    SlotMoved,
    MethodRemoved,
    ConstnessChanged,
    ReturnTypeChanged,
    /// Parameters (or anything else in the declaration) changed.
    SignatureChanged,
    /// Same slot and declaration, different Rust field name: breaks Rust callers.
    FieldRenamed,
    /// The idiomatic Rust signature changed (or went away) while the slot did not move:
    /// SAL or defaults changed, which breaks Rust callers though not the C++ ABI.
    RustApiChanged,
    EnumRemoved,
    /// The underlying type (and so the size) of an enum changed.
    EnumTypeChanged,
    VariantRemoved,
    VariantValueChanged,
    ConstantRemoved,
    ConstantValueChanged,
    TypedefRemoved,
    TypedefChanged,
}

impl ChangeKind {
    /// Whether the change breaks Rust code only, not modules already built (the C++ ABI).
    pub fn is_rust_only(self) -> bool {
        matches!(self, ChangeKind::FieldRenamed | ChangeKind::RustApiChanged)
    }

    pub fn is_breaking(self) -> bool {
        !matches!(
            self,
            ChangeKind::ClassAdded
                | ChangeKind::SlotAppended
                | ChangeKind::DeclarationChanged
                | ChangeKind::EnumAdded
                | ChangeKind::VariantAdded
                | ChangeKind::ConstantAdded
                | ChangeKind::TypedefAdded
        )
    }
}

/// One change. `old`/`new` hold the C++ declaration (slots), uuid, base, value or typedef
/// target, whichever the kind is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub kind: ChangeKind,
    /// The class, enum, constant or typedef.
    pub item: String,
    /// The method (as written) or enum variant, when the change is about one.
    pub member: Option<String>,
    pub old_slot: Option<usize>,
    pub new_slot: Option<usize>,
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Change {
    fn new(kind: ChangeKind, item: &str) -> Change {
        Change {
            kind,
            item: item.to_string(),
            member: None,
            old_slot: None,
            new_slot: None,
            old: None,
            new: None,
        }
    }

    fn member(mut self, member: &str) -> Change {
        self.member = Some(member.to_string());
        self
    }

    fn values(mut self, old: Option<String>, new: Option<String>) -> Change {
        self.old = old;
        self.new = new;
        self
    }

    fn slots(mut self, old: Option<&SlotEntry>, new: Option<&SlotEntry>) -> Change {
        self.old_slot = old.map(|s| s.index);
        self.new_slot = new.map(|s| s.index);
        self.values(old.map(|s| s.cpp.clone()), new.map(|s| s.cpp.clone()))
    }

    pub fn is_breaking(&self) -> bool {
        self.kind.is_breaking()
    }
}

/// Everything that changed from `old` to `new`, in header order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub old_source: String,
    pub new_source: String,
    pub old_api_hash: String,
    pub new_api_hash: String,
    pub changes: Vec<Change>,
}

/// Compares two manifests.
pub fn diff(old: &Manifest, new: &Manifest) -> Report {
    let mut changes = Vec::new();
    diff_classes(&old.classes, &new.classes, &mut changes);
    // Types are compared only when both sides record them (see `Manifest::records_types`).
    let typed = old.records_types && new.records_types;
    diff_enums(&old.enums, &new.enums, typed, &mut changes);
    diff_constants(old, new, typed, &mut changes);
    diff_typedefs(&old.typedefs, &new.typedefs, &mut changes);
    Report {
        old_source: old.source.clone(),
        new_source: new.source.clone(),
        old_api_hash: old.api_hash.clone(),
        new_api_hash: new.api_hash.clone(),
        changes,
    }
}

/// The classes removed or changed (in the old order), then those added (in the new order).
fn diff_classes(old: &[ClassEntry], new: &[ClassEntry], changes: &mut Vec<Change>) {
    let old_classes = first_by_key(old, |c| c.name.as_str());
    let new_classes = first_by_key(new, |c| c.name.as_str());
    for old_class in old {
        match new_classes.get(old_class.name.as_str()) {
            None => changes.push(Change::new(ChangeKind::ClassRemoved, &old_class.name)),
            Some(new_class) => {
                diff_class(&old_classes, &new_classes, old_class, new_class, changes)
            }
        }
    }
    for new_class in new
        .iter()
        .filter(|c| !old_classes.contains_key(c.name.as_str()))
    {
        changes.push(
            Change::new(ChangeKind::ClassAdded, &new_class.name)
                .values(None, new_class.base.clone()),
        );
    }
}

/// The constants, by value, and by type too when both manifests record types (`typed`).
fn diff_constants(old: &Manifest, new: &Manifest, typed: bool, changes: &mut Vec<Change>) {
    diff_named(
        &old.constants,
        &new.constants,
        |c| {
            let shown = if typed {
                c.shown()
            } else {
                c.value.to_string()
            };
            (&c.name, shown)
        },
        [
            ChangeKind::ConstantAdded,
            ChangeKind::ConstantRemoved,
            ChangeKind::ConstantValueChanged,
        ],
        changes,
    );
}

/// The typedefs, by target and, where both manifests record it, x86 calling convention.
fn diff_typedefs(old: &[TypedefEntry], new: &[TypedefEntry], changes: &mut Vec<Change>) {
    diff_named(
        &with_comparable_conventions(old, new),
        &with_comparable_conventions(new, old),
        |t| {
            let described = match &t.convention {
                Some(convention) => format!("{} ({convention} on x86)", t.target),
                None => t.target.clone(),
            };
            (&t.name, described)
        },
        [
            ChangeKind::TypedefAdded,
            ChangeKind::TypedefRemoved,
            ChangeKind::TypedefChanged,
        ],
        changes,
    );
}

/// `typedefs` without the conventions `other` does not record for the same name. A
/// convention is compared only where both manifests record one: older manifests do not,
/// and that is not a change of the API.
fn with_comparable_conventions(
    typedefs: &[TypedefEntry],
    other: &[TypedefEntry],
) -> Vec<TypedefEntry> {
    let unrecorded: HashSet<&str> = other
        .iter()
        .filter(|o| o.convention.is_none())
        .map(|o| o.name.as_str())
        .collect();
    typedefs
        .iter()
        .map(|t| {
            let mut t = t.clone();
            if unrecorded.contains(t.name.as_str()) {
                t.convention = None;
            }
            t
        })
        .collect()
}

/// Each key's first item: what `iter().find(|x| key(x) == k)` would return, in O(1).
fn first_by_key<'a, T, K: Eq + Hash>(
    items: &'a [T],
    key: impl Fn(&'a T) -> K,
) -> HashMap<K, &'a T> {
    let mut index = HashMap::with_capacity(items.len());
    for item in items {
        index.entry(key(item)).or_insert(item);
    }
    index
}

fn diff_class(
    old_api: &HashMap<&str, &ClassEntry>,
    new_api: &HashMap<&str, &ClassEntry>,
    old: &ClassEntry,
    new: &ClassEntry,
    changes: &mut Vec<Change>,
) {
    let name = old.name.as_str();
    if old.uuid != new.uuid {
        changes.push(
            Change::new(ChangeKind::UuidChanged, name).values(old.uuid.clone(), new.uuid.clone()),
        );
    }
    if old.base != new.base {
        changes.push(
            Change::new(ChangeKind::BaseChanged, name).values(old.base.clone(), new.base.clone()),
        );
    }
    // Reported under the introducing class when that class is in both manifests.
    let elsewhere = |slot: &SlotEntry| {
        slot.introduced_by != name
            && old_api.contains_key(slot.introduced_by.as_str())
            && new_api.contains_key(slot.introduced_by.as_str())
    };
    let mut slot_changes = Vec::new();
    for (o, n) in match_slots(&old.slots, &new.slots) {
        let (o, n) = (o.map(|i| &old.slots[i]), n.map(|j| &new.slots[j]));
        if o.is_none_or(elsewhere) && n.is_none_or(elsewhere) {
            continue;
        }
        slot_changes.extend(slot_change(name, old.slots.len(), o, n));
    }
    // Header order: by the slot the change concerns now (or concerned, if removed).
    slot_changes.sort_by_key(|c| c.new_slot.or(c.old_slot));
    changes.extend(slot_changes);
}

/// Pairs old and new slots: same declaration anywhere, then same method name and ABI
/// signature anywhere, then same method name at the same index, then same method name and
/// Rust field anywhere; the rest are unpaired. Within a rule, an old slot takes the new slot
/// at its own index if that one qualifies (so repeated declarations pair up in place), else
/// the first free one that does.
pub(super) fn match_slots(
    old: &[SlotEntry],
    new: &[SlotEntry],
) -> Vec<(Option<usize>, Option<usize>)> {
    let mut old_to_new: Vec<Option<usize>> = vec![None; old.len()];
    let mut taken = vec![false; new.len()];
    pair_by_key(old, new, |s| s.cpp.as_str(), &mut old_to_new, &mut taken);
    pair_by_key(
        old,
        new,
        |s| (s.method.as_str(), s.abi.as_str()),
        &mut old_to_new,
        &mut taken,
    );
    for (i, paired) in old_to_new.iter_mut().enumerate() {
        if paired.is_none() && i < new.len() && !taken[i] && old[i].method == new[i].method {
            *paired = Some(i);
            taken[i] = true;
        }
    }
    pair_by_key(
        old,
        new,
        |s| (s.method.as_str(), s.field.as_str()),
        &mut old_to_new,
        &mut taken,
    );
    let mut pairs: Vec<(Option<usize>, Option<usize>)> = old_to_new
        .iter()
        .enumerate()
        .map(|(i, j)| (Some(i), *j))
        .collect();
    pairs.extend(
        (0..new.len())
            .filter(|&j| !taken[j])
            .map(|j| (None, Some(j))),
    );
    pairs
}

/// One pairing rule: old slot `i` (not yet paired) pairs with new slot `i` when that is free
/// and has the same key, else with the first free new slot with the same key.
///
/// Each key's new slots are a queue in index order whose front is advanced past taken
/// slots; slots only ever become taken, so every queue is walked once: linear overall.
fn pair_by_key<'a, K: Eq + Hash>(
    old: &'a [SlotEntry],
    new: &'a [SlotEntry],
    key: impl Fn(&'a SlotEntry) -> K,
    old_to_new: &mut [Option<usize>],
    taken: &mut [bool],
) {
    let mut queues: HashMap<K, (usize, Vec<usize>)> = HashMap::with_capacity(new.len());
    for (j, slot) in new.iter().enumerate() {
        if !taken[j] {
            queues.entry(key(slot)).or_default().1.push(j);
        }
    }
    for (i, paired) in old_to_new.iter_mut().enumerate() {
        if paired.is_some() {
            continue;
        }
        let wanted = key(&old[i]);
        let Some((front, queue)) = queues.get_mut(&wanted) else {
            continue;
        };
        let in_place = i < new.len() && !taken[i] && key(&new[i]) == wanted;
        let j = if in_place {
            i
        } else {
            while *front < queue.len() && taken[queue[*front]] {
                *front += 1;
            }
            match queue.get(*front) {
                Some(&j) => j,
                None => continue,
            }
        };
        *paired = Some(j);
        taken[j] = true;
    }
}

fn slot_change(
    class: &str,
    old_len: usize,
    old: Option<&SlotEntry>,
    new: Option<&SlotEntry>,
) -> Vec<Change> {
    let change = |kind, slot: &SlotEntry| {
        Change::new(kind, class)
            .member(&slot.method)
            .slots(old, new)
    };
    match (old, new) {
        (Some(o), None) => vec![change(ChangeKind::MethodRemoved, o)],
        (None, Some(n)) if n.index >= old_len => vec![change(ChangeKind::SlotAppended, n)],
        (None, Some(n)) => vec![change(ChangeKind::SlotInserted, n)],
        (Some(o), Some(n)) => {
            let mut out = Vec::new();
            if o.abi != n.abi {
                out.push(change(signature_kind(o, n), n));
            } else if o.index != n.index {
                out.push(change(ChangeKind::SlotMoved, n));
            } else if o.cpp != n.cpp {
                out.push(change(ChangeKind::DeclarationChanged, n));
            }
            if o.field != n.field {
                out.push(
                    change(ChangeKind::FieldRenamed, n)
                        .values(Some(o.field.clone()), Some(n.field.clone())),
                );
            }
            // A manifest written before idiomatic signatures were recorded has none to
            // compare.
            if o.rust.is_some() && o.rust != n.rust {
                out.push(change(ChangeKind::RustApiChanged, n).values(
                    o.rust.clone(),
                    Some(n.rust.clone().unwrap_or_else(|| "raw method only".into())),
                ));
            }
            out
        }
        (None, None) => Vec::new(),
    }
}

/// Which part of a declaration changed: constness, only the return type, or more.
fn signature_kind(old: &SlotEntry, new: &SlotEntry) -> ChangeKind {
    if old.is_const != new.is_const {
        return ChangeKind::ConstnessChanged;
    }
    fn split(slot: &SlotEntry) -> Option<(&str, &str)> {
        let marker = format!("{}(", slot.method);
        slot.cpp.find(&marker).map(|at| slot.cpp.split_at(at))
    }
    match (split(old), split(new)) {
        (Some((old_ret, old_rest)), Some((new_ret, new_rest)))
            if old_rest == new_rest && old_ret != new_ret =>
        {
            ChangeKind::ReturnTypeChanged
        }
        _ => ChangeKind::SignatureChanged,
    }
}

fn diff_enums(old: &[EnumEntry], new: &[EnumEntry], typed: bool, changes: &mut Vec<Change>) {
    let new_by_name = first_by_key(new, |e| e.name.as_str());
    for old_enum in old {
        let Some(new_enum) = new_by_name.get(old_enum.name.as_str()) else {
            changes.push(Change::new(ChangeKind::EnumRemoved, &old_enum.name));
            continue;
        };
        if typed && old_enum.underlying != new_enum.underlying {
            let spelled = |e: &EnumEntry| e.underlying.clone().unwrap_or_else(|| "int".into());
            changes.push(
                Change::new(ChangeKind::EnumTypeChanged, &old_enum.name)
                    .values(Some(spelled(old_enum)), Some(spelled(new_enum))),
            );
        }
        let mut variants = Vec::new();
        diff_named(
            &old_enum.variants,
            &new_enum.variants,
            |v| (&v.name, v.value.to_string()),
            [
                ChangeKind::VariantAdded,
                ChangeKind::VariantRemoved,
                ChangeKind::VariantValueChanged,
            ],
            &mut variants,
        );
        changes.extend(variants.into_iter().map(|mut c| {
            c.member = Some(std::mem::replace(&mut c.item, old_enum.name.clone()));
            c
        }));
    }
    let old_names: HashSet<&str> = old.iter().map(|e| e.name.as_str()).collect();
    for added in new.iter().filter(|e| !old_names.contains(e.name.as_str())) {
        changes.push(Change::new(ChangeKind::EnumAdded, &added.name));
    }
}

/// Name-keyed entries with one value each: removed or changed in old order, then added in
/// new order. `kinds` is `[added, removed, changed]`.
fn diff_named<T>(
    old: &[T],
    new: &[T],
    key: impl Fn(&T) -> (&String, String),
    [added, removed, changed]: [ChangeKind; 3],
    changes: &mut Vec<Change>,
) {
    let old_entries: Vec<(&String, String)> = old.iter().map(&key).collect();
    let new_entries: Vec<(&String, String)> = new.iter().map(&key).collect();
    let new_values = first_by_key(&new_entries, |(name, _)| name.as_str());
    for (name, old_value) in &old_entries {
        match new_values.get(name.as_str()) {
            None => changes.push(Change::new(removed, name).values(Some(old_value.clone()), None)),
            Some((_, new_value)) if new_value != old_value => changes.push(
                Change::new(changed, name).values(Some(old_value.clone()), Some(new_value.clone())),
            ),
            Some(_) => {}
        }
    }
    let old_names: HashSet<&str> = old_entries.iter().map(|(name, _)| name.as_str()).collect();
    for (name, new_value) in &new_entries {
        if !old_names.contains(name.as_str()) {
            changes.push(Change::new(added, name).values(None, Some(new_value.clone())));
        }
    }
}
