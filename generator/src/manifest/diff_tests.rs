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
