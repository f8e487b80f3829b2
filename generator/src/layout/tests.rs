//! Unit tests of the layout rules on hand-built IR; fixture headers test the same rules
//! end to end through libclang.

use super::*;
use crate::ir::{Access, Builtin, Location, Param, Type, TypeKind};

pub(super) fn int() -> Type {
    Type {
        spelling: "int".into(),
        canonical: "int".into(),
        kind: TypeKind::Builtin(Builtin::Int),
    }
}

fn ptr() -> Type {
    Type {
        spelling: "const char *".into(),
        canonical: "const char *".into(),
        kind: TypeKind::Void,
    }
}

pub(super) fn method(name: &str, params: &[Type], is_const: bool) -> Method {
    Method {
        name: name.into(),
        compiled_name: name.into(),
        return_type: int(),
        params: params
            .iter()
            .enumerate()
            .map(|(i, t)| Param {
                name: format!("p{i}"),
                ty: t.clone(),
                default: None,
                array_bound: None,
                sal: Default::default(),
            })
            .collect(),
        is_const,
        is_pure: true,
        is_destructor: name.starts_with('~'),
        access: Access::Public,
        location: Location::default(),
        return_sal: Default::default(),
    }
}

pub(super) fn class(name: &str, base: Option<&str>, methods: Vec<Method>) -> Class {
    let mut member_names = Vec::new();
    for m in &methods {
        if !member_names.contains(&m.name) {
            member_names.push(m.name.clone());
        }
    }
    Class {
        name: name.into(),
        uuid: None,
        base: base.map(Into::into),
        member_names,
        methods,
        location: Location::default(),
    }
}

fn slot_names(api: &Api, class: &str) -> Vec<String> {
    let layouts = layout(api).unwrap();
    layouts[class]
        .slots
        .iter()
        .map(|s| {
            let m = slot_method(api, s);
            format!("{}{}", m.name, if m.is_const { " const" } else { "" })
        })
        .collect()
}

#[test]
fn overloads_group_at_first_declaration_in_reverse_order() {
    let api = Api {
        classes: vec![class(
            "I",
            None,
            vec![
                method("A", &[], false),
                method("Get", &[ptr()], true),
                method("B", &[], false),
                method("Get", &[int()], true),
            ],
        )],
        ..Api::default()
    };
    assert_eq!(slot_names(&api, "I"), ["A", "Get const", "Get const", "B"]);
    let layouts = layout(&api).unwrap();
    // The int overload (declared second) comes first.
    assert_eq!(layouts["I"].slots[1].method, 3);
    assert_eq!(layouts["I"].slots[2].method, 1);
}

#[test]
fn const_and_non_const_are_one_group() {
    let api = Api {
        classes: vec![class(
            "I",
            None,
            vec![method("Raw", &[], false), method("Raw", &[], true)],
        )],
        ..Api::default()
    };
    assert_eq!(slot_names(&api, "I"), ["Raw const", "Raw"]);
}

#[test]
fn derived_overload_is_appended_and_override_reuses_slot() {
    let api = Api {
        classes: vec![
            class(
                "Base",
                None,
                vec![method("Get", &[int()], false), method("Other", &[], false)],
            ),
            class(
                "Derived",
                Some("Base"),
                vec![
                    method("New", &[], false),
                    method("Get", &[ptr()], false),
                    method("Other", &[], false),
                ],
            ),
        ],
        ..Api::default()
    };
    let layouts = layout(&api).unwrap();
    let derived = &layouts["Derived"];
    assert_eq!(derived.inherited, 2);
    assert_eq!(slot_names(&api, "Derived"), ["Get", "Other", "New", "Get"]);
    assert_eq!(derived.slots[1].introduced_by, "Base");
    assert_eq!(derived.slots[3].byte_offset(Target::X86_64), 24);
    assert_eq!(derived.slots[3].byte_offset(Target::I686), 12);
}

#[test]
fn destructor_takes_one_slot_at_its_position_and_is_overridden() {
    let api = Api {
        classes: vec![
            class(
                "M",
                None,
                vec![method("On", &[], false), method("~M", &[], false)],
            ),
            class("N", Some("M"), vec![method("~N", &[], false)]),
        ],
        ..Api::default()
    };
    assert_eq!(slot_names(&api, "M"), ["On", "~M"]);
    assert_eq!(slot_names(&api, "N"), ["On", "~M"]);
}

#[test]
fn group_order_counts_non_virtual_members() {
    let mut c = class(
        "I",
        None,
        vec![method("B", &[], false), method("A", &[], false)],
    );
    // A non-virtual `A` declared before `B` puts the A group first.
    c.member_names = vec!["A".into(), "B".into()];
    let api = Api {
        classes: vec![c],
        ..Api::default()
    };
    assert_eq!(slot_names(&api, "I"), ["A", "B"]);
}

#[test]
fn unknown_base_and_cycles_are_errors() {
    let api = Api {
        classes: vec![class("D", Some("Missing"), vec![])],
        ..Api::default()
    };
    assert!(matches!(layout(&api), Err(LayoutError::UnknownBase { .. })));
    let api = Api {
        classes: vec![class("A", Some("B"), vec![]), class("B", Some("A"), vec![])],
        ..Api::default()
    };
    assert!(matches!(layout(&api), Err(LayoutError::Cycle { .. })));
}

#[test]
fn inheritance_deeper_than_the_bound_is_located() {
    let mut classes = vec![class("C0", None, vec![method("F", &[], false)])];
    for i in 1..=MAX_INHERITANCE_DEPTH + 1 {
        let mut c = class(&format!("C{i}"), Some(&format!("C{}", i - 1)), vec![]);
        c.location.line = i as u32;
        classes.push(c);
    }
    let api = Api {
        classes,
        ..Api::default()
    };
    let error = LaidOutApi::new(api.clone()).unwrap_err();
    assert_eq!(
        error,
        LayoutError::TooDeep {
            class: format!("C{}", MAX_INHERITANCE_DEPTH + 1),
            depth: MAX_INHERITANCE_DEPTH + 1,
            max: MAX_INHERITANCE_DEPTH,
            location: format!(":{}:0", MAX_INHERITANCE_DEPTH + 1),
        }
    );
    let mut at_the_bound = api;
    at_the_bound.classes.pop();
    assert!(LaidOutApi::new(at_the_bound).is_ok());
}
