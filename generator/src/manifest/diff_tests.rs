//! Unit tests of `diff` on hand-built IR (helpers from `tests.rs`): which changes are
//! compatible, which break, how the report names them, and the JSON report.

use super::tests::{api, base_methods, class, manifest_of, method, ty};
use super::*;
use crate::ir::{Api, Constant, ConstantValue, EnumVariant, Method, Type, Typedef};

fn report(old: &Api, new: &Api) -> Report {
    diff(&manifest_of(old), &manifest_of(new))
}

/// The report's lines after the summary.
fn lines(report: &Report) -> Vec<String> {
    report
        .to_string()
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// Adds a method to a class the way the parser would (keeping member_names in step).
fn push(api: &mut Api, class: usize, at: usize, m: Method) {
    let c = &mut api.classes[class];
    if !c.member_names.contains(&m.name) {
        c.member_names.push(m.name.clone());
    }
    c.methods.insert(at, m);
}

#[test]
fn no_change_is_empty() {
    let r = report(&api(), &api());
    assert!(r.is_empty() && !r.is_breaking());
    assert_eq!(r.summary(), "no ABI changes");
}

#[test]
fn appended_methods_classes_and_items_are_compatible() {
    let mut new = api();
    push(&mut new, 1, 1, method("void", "Appended", &[], false));
    new.classes.push(class(
        "IDerived2",
        Some("IDerived"),
        vec![method("int", "Get", &["long"], true)],
    ));
    new.enums[0].variants.push(EnumVariant {
        name: "PENDING".into(),
        value: 1,
    });
    new.constants.push(Constant {
        name: "NEW".into(),
        value: ConstantValue::Integer(1),
    });
    new.typedefs.push(Typedef {
        name: "FLAGS".into(),
        target: ty("unsigned long"),
    });
    let r = report(&api(), &new);
    assert!(!r.is_breaking(), "{r}");
    assert_eq!(r.summary(), "compatible: 5 changes, none breaking");
    assert_eq!(
        lines(&r),
        [
            "compatible changes:",
            "  IDerived::Appended appended at slot 5: virtual void Appended() = 0",
            "  class IDerived2 added, derived from IDerived",
            "  enum STATUS: PENDING = 1 added",
            "  constant NEW = 1 added",
            "  typedef FLAGS = unsigned long added",
        ]
    );
}

#[test]
fn overload_inserted_mid_interface_names_every_shifted_slot() {
    let mut new = api();
    push(&mut new, 0, 3, method("int", "Get", &["long"], false));
    let r = report(&api(), &new);
    assert!(r.is_breaking());
    assert_eq!(
        r.summary(),
        "BREAKING: 6 breaking changes, 0 compatible changes"
    );
    assert_eq!(
        lines(&r),
        [
            "breaking changes:",
            "  IBase::Get inserted at slot 0: virtual int Get(long p0) = 0",
            "  IBase::Get moved: slot 0 -> 1: virtual int Get(int p0) = 0",
            "  IBase::Get moved: slot 1 -> 2: virtual int Get(const char * p0) = 0",
            "  IBase::Middle moved: slot 2 -> 3: virtual void Middle() const = 0",
            "  IBase::Last moved: slot 3 -> 4: virtual void Last() = 0",
            "  IDerived::More moved: slot 4 -> 5: virtual long More(int p0) = 0",
        ]
    );
}

#[test]
fn appending_to_a_base_with_derived_classes_moves_their_slots() {
    let mut new = api();
    push(&mut new, 0, 4, method("void", "Late", &[], false));
    let r = report(&api(), &new);
    assert_eq!(
        lines(&r),
        [
            "breaking changes:",
            "  IDerived::More moved: slot 4 -> 5: virtual long More(int p0) = 0",
            "compatible changes:",
            "  IBase::Late appended at slot 4: virtual void Late() = 0",
        ]
    );
}

#[test]
fn signature_changes_are_breaking_and_reported_once() {
    let mut new = api();
    base_methods(&mut new)[1].is_const = false;
    base_methods(&mut new)[3].return_type = ty("int");
    new.classes[1].methods[0].params[0].ty = ty("long");
    let r = report(&api(), &new);
    assert_eq!(
        lines(&r),
        [
            "breaking changes:",
            "  IBase::Middle constness changed at slot 2: virtual void Middle() const = 0 -> virtual void Middle() = 0",
            "  IBase::Last return type changed at slot 3: virtual void Last() = 0 -> virtual int Last() = 0",
            "  IDerived::More signature changed at slot 4: virtual long More(int p0) = 0 -> virtual long More(long p0) = 0",
        ]
    );
    assert_eq!(r.changes[0].kind, ChangeKind::ConstnessChanged);
}

#[test]
fn removals_and_identity_changes_are_breaking() {
    // Slots IDerived inherited from IBase are reported under IBase only.
    let mut new = api();
    base_methods(&mut new).remove(3);
    new.classes[1].uuid = Some("OTHER".into());
    new.classes[1].base = None;
    new.enums[0].variants[1].value = 3;
    new.constants.remove(1);
    new.constants[0].value = ConstantValue::Integer(0x40);
    new.typedefs[0].target = ty("unsigned long");
    let r = report(&api(), &new);
    assert_eq!(
        lines(&r),
        [
            "breaking changes:",
            "  IBase::Last removed from slot 3: virtual void Last() = 0",
            "  IDerived: uuid changed: UUID-IDerived -> OTHER",
            "  IDerived: base changed: IBase -> (none)",
            "  IDerived::More moved: slot 4 -> 0: virtual long More(int p0) = 0",
            "  enum STATUS: FINISH changed: 2 -> 3",
            "  constant FLAG changed: 0x20 -> 0x40",
            "  constant ALIAS = L\"FIRST\" removed",
            "  typedef MODULE_ID changed: void * -> unsigned long",
        ]
    );
    let mut gone = api();
    gone.classes.pop();
    gone.enums.clear();
    assert_eq!(
        lines(&report(&api(), &gone)),
        [
            "breaking changes:",
            "  class IDerived removed",
            "  enum STATUS removed"
        ]
    );
}

#[test]
fn renamed_rust_fields_are_breaking() {
    // Declaring the int overload first gives it the plain name; the slots stay put.
    let mut new = api();
    base_methods(&mut new).swap(0, 2);
    let r = report(&api(), &new);
    assert!(r.is_breaking());
    assert!(
        r.changes
            .iter()
            .all(|c| c.kind == ChangeKind::SlotMoved || c.kind == ChangeKind::FieldRenamed),
        "{r}"
    );
}

#[test]
fn idiomatic_signature_changes_are_rust_api_breaks_in_their_own_section() {
    let old = manifest_of(&api());
    let mut new = old.clone();
    let slot = &mut new.classes[0].slots[2];
    assert_eq!(slot.rust.as_deref(), Some("fn middle(&self)"));
    slot.rust = Some("fn middle(&mut self)".into());
    let r = diff(&old, &new);
    assert_eq!(r.changes.len(), 1, "{r}");
    assert_eq!(r.changes[0].kind, ChangeKind::RustApiChanged);
    assert!(r.is_breaking());
    let text = r.to_string();
    assert!(
        text.contains("Rust API changes (the vtables did not move; Rust callers must adapt):\n  Rust API changed: IBase::Middle at slot 2: `fn middle(&self)` now `fn middle(&mut self)`"),
        "{text}"
    );
    // A manifest from before the signatures were recorded has nothing to compare.
    let mut older = old.clone();
    older.classes[0].slots[2].rust = None;
    assert!(diff(&older, &old).is_empty());
}

#[test]
fn json_report_for_tools() {
    let mut new = api();
    push(&mut new, 0, 3, method("int", "Get", &["long"], false));
    let value: serde_json::Value = serde_json::from_str(&report(&api(), &new).to_json()).unwrap();
    assert_eq!(value["breaking"], true);
    assert_eq!(value["old_source"], "server.h");
    let first = &value["changes"][0];
    assert_eq!(first["kind"], "slot_inserted");
    assert_eq!(first["item"], "IBase");
    assert_eq!(first["member"], "Get");
    assert_eq!(first["new_slot"], 0);
    assert_eq!(first["breaking"], true);
    assert_eq!(value["changes"][1]["old_slot"], 0);
    assert_eq!(value["changes"][1]["new_slot"], 1);
}

#[test]
fn renamed_parameters_and_new_defaults_are_compatible() {
    let mut new = api();
    let method = new.classes[0]
        .methods
        .iter_mut()
        .find(|m| !m.params.is_empty())
        .expect("the base class has a method with parameters");
    method.params[0].name = "renamed".into();
    method.params[0].default = Some("NULL".into());
    let r = report(&api(), &new);
    assert!(!r.is_breaking(), "{r}");
    assert_eq!(r.changes.len(), 1, "{r}");
    assert_eq!(r.changes[0].kind, ChangeKind::DeclarationChanged);
    assert!(
        lines(&r)[1].contains("declaration text changed at slot"),
        "{r}"
    );
}

fn callback(convention: crate::ir::CallingConvention) -> Typedef {
    use crate::ir::{FunctionType, TypeKind};
    let function = Type {
        spelling: "long (unsigned long)".into(),
        canonical: "long (unsigned long)".into(),
        kind: TypeKind::Function(Box::new(FunctionType {
            return_type: ty("long"),
            params: vec![ty("unsigned long")],
            convention,
        })),
    };
    Typedef {
        name: "PFN_DONE".into(),
        target: Type {
            spelling: "long (*)(unsigned long)".into(),
            canonical: "long (*)(unsigned long)".into(),
            kind: TypeKind::Pointer {
                pointee: Box::new(function),
                pointee_is_const: false,
            },
        },
    }
}

#[test]
fn a_function_pointer_losing_stdcall_is_breaking() {
    use crate::ir::CallingConvention::{System, C};
    let (mut old, mut new) = (api(), api());
    old.typedefs.push(callback(System));
    new.typedefs.push(callback(C));
    let r = report(&old, &new);
    assert_eq!(
        lines(&r),
        [
            "breaking changes:",
            "  typedef PFN_DONE changed: long (*)(unsigned long) (__stdcall on x86) -> long (*)(unsigned long) (__cdecl on x86)",
        ]
    );
    // x86_64 spells both the same: without the convention there would be nothing to see.
    assert_eq!(
        old.typedefs[1].target.spelling,
        new.typedefs[1].target.spelling
    );
}

#[test]
fn a_manifest_without_conventions_is_not_a_change() {
    use crate::ir::CallingConvention::System;
    let mut api = api();
    api.typedefs.push(callback(System));
    let current = manifest_of(&api);
    assert_eq!(current.typedefs[1].convention.as_deref(), Some("__stdcall"));
    // What a manifest written before conventions were recorded reads back as.
    let mut older = current.clone();
    for t in &mut older.typedefs {
        t.convention = None;
    }
    older.api_hash = older.compute_hash();
    let json = to_json(&older);
    assert!(!json.contains("convention"), "{json}");
    let older = from_json(&json).unwrap();
    assert!(diff(&older, &current).is_empty());
    assert!(diff(&current, &older).is_empty());
}

#[test]
fn a_callback_parameter_losing_stdcall_is_breaking() {
    use crate::ir::CallingConvention::{System, C};
    let with = |convention| {
        let mut api = api();
        let callback = callback(convention).target;
        api.classes[0].methods[0].params.push(crate::ir::Param {
            name: "done".into(),
            ty: callback,
            default: None,
            array_bound: None,
            sal: Default::default(),
        });
        api
    };
    let r = report(&with(System), &with(C));
    assert!(r.is_breaking(), "{r}");
    let text = r.to_string();
    assert!(
        text.contains("long (__stdcall *)(unsigned long)"),
        "the old signature names the convention: {text}"
    );
}

/// Two manifests of `n` constants, enum variants and typedefs each, and a class of `n`
/// slots: every hundredth item removed, changed or added, and one slot inserted at the
/// front of the class (which moves every other slot).
fn large_pair(n: usize) -> (Manifest, Manifest) {
    use super::{ConstValue, ConstantEntry, EnumEntry, SlotEntry, TypedefEntry, VariantEntry};
    // Item i exists with `value(i)` unless that is None.
    fn items<T>(
        n: usize,
        value: impl Fn(usize) -> Option<i64>,
        make: impl Fn(usize, i64) -> T,
    ) -> Vec<T> {
        (0..n)
            .filter_map(|i| value(i).map(|v| make(i, v)))
            .collect()
    }
    let old_value = |i: usize| (i % 100 != 1).then_some(i as i64);
    let new_value = |i: usize| match i % 100 {
        0 => None,
        2 => Some(-(i as i64)),
        _ => Some(i as i64),
    };
    let slot = |index: usize, method: &str| SlotEntry {
        index,
        method: method.into(),
        field: method.into(),
        is_const: false,
        introduced_by: "IHuge".into(),
        x64: 8 * index,
        x86: 4 * index,
        cpp: format!("virtual void {method}() = 0"),
        abi: "void ()".into(),
        rust: None,
    };
    let side = |value: &dyn Fn(usize) -> Option<i64>, inserted: bool| {
        let mut m = manifest_of(&api());
        m.constants = items(n, value, |i, v| ConstantEntry {
            name: format!("C{i}"),
            value: ConstValue::Integer(v),
            ctype: None,
        });
        m.enums.push(EnumEntry {
            name: "HUGE".into(),
            underlying: None,
            variants: items(n, value, |i, v| VariantEntry {
                name: format!("V{i}"),
                value: v,
            }),
        });
        m.typedefs = items(n, value, |i, v| TypedefEntry {
            name: format!("T{i}"),
            target: format!("int [{v}]"),
            convention: None,
        });
        let methods = inserted
            .then(|| "Inserted".to_string())
            .into_iter()
            .chain((0..n).map(|i| format!("M{i}")));
        m.classes.push(ClassEntry {
            name: "IHuge".into(),
            uuid: None,
            base: None,
            vtable: None,
            slots: methods
                .enumerate()
                .map(|(i, name)| slot(i, &name))
                .collect(),
        });
        m.api_hash = m.compute_hash();
        m
    };
    (side(&old_value, false), side(&new_value, true))
}

/// Linear, not quadratic: 20k entries of each kind diff at once (the time is measured by
/// `cargo xtask bench`, not here); this checks the result at that size.
#[test]
fn twenty_thousand_entries_of_each_kind() {
    let n = 20_000;
    let (old, new) = large_pair(n);
    let r = diff(&old, &new);
    // Changes of `kind`, to `item` when one is named.
    let count = |kind: ChangeKind, item: &str| {
        r.changes
            .iter()
            .filter(|c| c.kind == kind && (item.is_empty() || c.item == item))
            .count()
    };
    let hundredth = n / 100;
    assert_eq!(count(ChangeKind::ConstantRemoved, ""), hundredth);
    assert_eq!(count(ChangeKind::ConstantValueChanged, ""), hundredth);
    assert_eq!(count(ChangeKind::ConstantAdded, ""), hundredth);
    assert_eq!(count(ChangeKind::VariantRemoved, "HUGE"), hundredth);
    assert_eq!(count(ChangeKind::VariantValueChanged, "HUGE"), hundredth);
    assert_eq!(count(ChangeKind::VariantAdded, "HUGE"), hundredth);
    assert_eq!(count(ChangeKind::TypedefRemoved, ""), hundredth);
    assert_eq!(count(ChangeKind::TypedefChanged, ""), hundredth);
    assert_eq!(count(ChangeKind::TypedefAdded, ""), hundredth);
    assert_eq!(count(ChangeKind::SlotInserted, "IHuge"), 1);
    assert_eq!(count(ChangeKind::SlotMoved, "IHuge"), n);
    assert_eq!(r.changes.len(), 9 * hundredth + 1 + n);
    // Spot checks: which item, which values, which slots.
    let find = |kind: ChangeKind, item: &str| {
        r.changes
            .iter()
            .find(|c| c.kind == kind && c.item == item)
            .unwrap_or_else(|| panic!("no {kind:?} of {item}"))
    };
    assert_eq!(
        find(ChangeKind::ConstantRemoved, "C19900").old.as_deref(),
        Some("0x4dbc")
    );
    let changed = find(ChangeKind::ConstantValueChanged, "C19902");
    assert_eq!(changed.old.as_deref(), Some("0x4dbe"));
    assert_eq!(changed.new.as_deref(), Some("-19902"));
    assert_eq!(
        find(ChangeKind::TypedefAdded, "T19901").new.as_deref(),
        Some("int [19901]")
    );
    let moved = r
        .changes
        .iter()
        .find(|c| c.kind == ChangeKind::SlotMoved && c.member.as_deref() == Some("M19999"))
        .unwrap();
    assert_eq!(
        (moved.old_slot, moved.new_slot),
        (Some(19_999), Some(20_000))
    );
    assert!(r.is_breaking());
    // The same manifest against itself: nothing, at the same size.
    assert!(diff(&new, &new).is_empty());
}

/// The indexed pairing gives exactly the pairs of the scan it replaced, on random classes
/// built from few names and declarations (so every rule and every repeat is exercised).
#[test]
fn slot_pairing_matches_the_quadratic_scan() {
    /// The pairing as first written: each rule scans all new slots for each old one.
    fn scan(old: &[SlotEntry], new: &[SlotEntry]) -> Vec<(Option<usize>, Option<usize>)> {
        let mut old_to_new: Vec<Option<usize>> = vec![None; old.len()];
        let mut taken = vec![false; new.len()];
        let rules: [&dyn Fn(usize, usize) -> bool; 4] = [
            &|i, j| old[i].cpp == new[j].cpp,
            &|i, j| old[i].method == new[j].method && old[i].abi == new[j].abi,
            &|i, j| i == j && old[i].method == new[j].method,
            &|i, j| old[i].method == new[j].method && old[i].field == new[j].field,
        ];
        for rule in rules {
            for (i, paired) in old_to_new.iter_mut().enumerate() {
                if paired.is_some() {
                    continue;
                }
                let candidates = std::iter::once(i).chain(0..new.len());
                if let Some(j) = candidates
                    .filter(|&j| j < new.len() && !taken[j])
                    .find(|&j| rule(i, j))
                {
                    *paired = Some(j);
                    taken[j] = true;
                }
            }
        }
        let mut pairs: Vec<_> = old_to_new
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
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |below: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % below) as usize
    };
    let slots = |len: usize, next: &mut dyn FnMut(u64) -> usize| -> Vec<SlotEntry> {
        (0..len)
            .map(|index| {
                let method = ["A", "B", "C"][next(3)];
                SlotEntry {
                    index,
                    method: method.into(),
                    field: format!("{method}{}", next(2)),
                    is_const: false,
                    introduced_by: "I".into(),
                    x64: 8 * index,
                    x86: 4 * index,
                    cpp: format!("virtual void {method}(int p{}) = 0", next(2)),
                    abi: format!("void ({})", ["int", "long"][next(2)]),
                    rust: None,
                }
            })
            .collect()
    };
    for _ in 0..3000 {
        let (old_len, new_len) = (next(9), next(9));
        let (old, new) = (slots(old_len, &mut next), slots(new_len, &mut next));
        assert_eq!(
            super::diff::match_slots(&old, &new),
            scan(&old, &new),
            "old: {old:#?}\nnew: {new:#?}"
        );
    }
}

/// An enum's underlying type and a constant's type are ABI: a change of either is breaking,
/// reported with the types, and an `unsigned long long` shows unsigned.
#[test]
fn enum_and_constant_types_are_compared() {
    let side = |underlying: Option<&str>, ctype: Option<&str>| {
        let mut m = manifest_of(&api());
        m.enums.push(EnumEntry {
            name: "KIND".into(),
            underlying: underlying.map(String::from),
            variants: vec![VariantEntry {
                name: "KIND_A".into(),
                value: 1,
            }],
        });
        m.constants.push(ConstantEntry {
            name: "ALL_BITS".into(),
            value: ConstValue::Integer(-1),
            ctype: ctype.map(String::from),
        });
        m
    };
    let same = diff(
        &side(Some("unsigned char"), Some("unsigned long long")),
        &side(Some("unsigned char"), Some("unsigned long long")),
    );
    assert!(same.changes.is_empty(), "{same}");
    let report = diff(
        &side(None, Some("unsigned long long")),
        &side(Some("unsigned char"), Some("long long")),
    );
    let lines: Vec<String> = report.changes.iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "enum KIND: underlying type changed: int -> unsigned char",
            "constant ALL_BITS changed: 0xffffffffffffffff (unsigned long long) -> -1 (long long)",
        ]
    );
    assert!(report.changes.iter().all(Change::is_breaking));
}
