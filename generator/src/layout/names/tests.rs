//! The naming pass on hand-built APIs: every hazard of the catalogue that is about
//! names, with the name each item gets.

use super::*;
use crate::ir::{Api, Constant, ConstantValue, Enum, EnumVariant, Field, Struct, Typedef};
use crate::layout::tests::{class, int, method};
use crate::layout::LaidOutApi;

fn enumeration(name: &str, variants: &[&str]) -> Enum {
    Enum {
        name: name.into(),
        variants: variants
            .iter()
            .enumerate()
            .map(|(i, v)| EnumVariant {
                name: v.to_string(),
                value: i as i64,
            })
            .collect(),
    }
}

fn constant(name: &str) -> Constant {
    Constant {
        name: name.into(),
        value: ConstantValue::Integer(1),
    }
}

#[test]
fn header_names_are_kept() {
    let api = Api {
        classes: vec![class("IFoo", None, vec![method("F", &[int()], false)])],
        enums: vec![enumeration("KIND", &["KIND_A"])],
        constants: vec![constant("FLAG")],
        ..Api::default()
    };
    let names = Names::new(&api);
    let foo = names.class("IFoo");
    assert_eq!(
        (
            foo.object.as_str(),
            foo.vtable.as_str(),
            foo.implement.as_str()
        ),
        ("IFoo", "IFoo_Vtbl", "IFoo_Impl")
    );
    assert_eq!(foo.module, "i_foo");
    assert_eq!(names.types_module(), "types");
    assert_eq!(names.type_name("KIND"), Some("KIND"));
    assert_eq!(names.value("KIND_A"), Some("KIND_A"));
    assert_eq!(names.value("FLAG"), Some("FLAG"));
    assert_eq!(names.params(first_method()), ["p0"]);
}

#[test]
fn names_the_generated_code_uses_are_reserved() {
    let api = Api {
        classes: vec![
            class("Option", None, vec![]),
            class("T", None, vec![]),
            class("core", None, vec![]),
            class("Object", None, vec![]),
        ],
        enums: vec![enumeration("Release", &["None", "value", "Some"])],
        ..Api::default()
    };
    let names = Names::new(&api);
    assert_eq!(names.class("Option").object, "Option_");
    assert_eq!(names.class("Option").vtable, "Option__Vtbl");
    assert_eq!(names.class("T").object, "T_");
    assert_eq!(names.class("core").object, "core_");
    // `Object` is only ever named by its full path (`::httpserv_runtime::Object`).
    assert_eq!(names.class("Object").object, "Object");
    assert_eq!(names.type_name("Release"), Some("Release"));
    assert_eq!(names.value("None"), Some("None_"));
    assert_eq!(names.value("value"), Some("value_"));
    assert_eq!(names.value("Some"), Some("Some_"));
    // Modules never take a type's name: `core_`'s family module is not `core_`.
    assert_eq!(names.class("core").module, "core__2");
    assert_eq!(names.class("Object").module, "object");
}

#[test]
fn generated_names_yield_to_header_names() {
    let mut baz = class("IBaz", None, vec![]);
    baz.uuid = Some("3F2A8C1E-5B7D-4E90-A1C2-D3E4F5A6B7C8".into());
    let api = Api {
        classes: vec![
            class("IFoo", None, vec![]),
            class("IFoo_Vtbl", None, vec![]),
            baz,
            class("types", None, vec![]),
        ],
        constants: vec![constant("IID_IBaz")],
        ..Api::default()
    };
    let names = Names::new(&api);
    assert_eq!(names.class("IFoo_Vtbl").object, "IFoo_Vtbl");
    assert_eq!(names.class("IFoo").vtable, "IFoo_Vtbl_2");
    assert_eq!(names.class("IFoo_Vtbl").vtable, "IFoo_Vtbl_Vtbl");
    assert_eq!(names.value("IID_IBaz"), Some("IID_IBaz"));
    assert_eq!(names.class("IBaz").iid.as_deref(), Some("IID_IBaz_2"));
    assert_eq!(names.class("types").object, "types");
    assert_eq!(names.types_module(), "types_2");
}

#[test]
fn scoped_enumerators_are_qualified_by_their_enum() {
    let mut api = Api {
        enums: vec![
            enumeration("A", &["None", "All"]),
            enumeration("B", &["None", "All"]),
        ],
        ..Api::default()
    };
    api.details.scoped_enums.extend(["A".into(), "B".into()]);
    let names = Names::new(&api);
    assert_eq!(names.enumerator("A", "None"), "A_None");
    assert_eq!(names.enumerator("B", "All"), "B_All");
    assert_eq!(
        names.value("None"),
        None,
        "C++ does not name them unqualified"
    );
}

#[test]
fn parameters_are_distinct_patterns() {
    let mut m = method("F", &[int(), int(), int(), int(), int()], false);
    let written = ["param1", "", "this", "FLAG", "a$b"];
    for (param, name) in m.params.iter_mut().zip(written) {
        param.name = name.into();
    }
    let api = Api {
        classes: vec![class("IFoo", None, vec![m])],
        constants: vec![constant("FLAG")],
        ..Api::default()
    };
    let names = Names::new(&api);
    assert_eq!(
        names.params(first_method()),
        ["param1", "param1_2", "this_", "FLAG_2", "a_b"]
    );
}

#[test]
fn names_become_identifiers_everywhere() {
    let api = Api {
        classes: vec![class("Grüße", None, vec![]), class("a$b", None, vec![])],
        structs: vec![Struct {
            name: "S".into(),
            fields: vec![
                Field {
                    name: "a$b".into(),
                    ty: int(),
                },
                Field {
                    name: "a_b".into(),
                    ty: int(),
                },
            ],
            packing: None,
            alignment: None,
        }],
        typedefs: vec![Typedef {
            name: "type".into(),
            target: int(),
        }],
        ..Api::default()
    };
    let names = Names::new(&api);
    assert_eq!(names.class("Grüße").object, "Grüße");
    assert_eq!(names.class("Grüße").module, "gr_e");
    assert_eq!(names.class("a$b").object, "a_b");
    // The field written `a_b` keeps its name; `a$b` made valid yields.
    assert_eq!(names.field("S", 0), "a_b_2");
    assert_eq!(names.field("S", 1), "a_b");
    assert_eq!(names.type_name("type"), Some("type_"));
}

fn slot_names(api: Api, class: &str) -> Vec<String> {
    let model = LaidOutApi::new(api).unwrap();
    model
        .layout(class)
        .slot_names()
        .map(str::to_string)
        .collect()
}

#[test]
fn slots_avoid_helpers_and_explicit_names() {
    let pcstr = crate::ir::Type {
        spelling: "PCSTR".into(),
        canonical: "const char *".into(),
        kind: crate::ir::TypeKind::Void,
    };
    let api = Api {
        classes: vec![class(
            "IFoo",
            None,
            vec![
                method("GetHeader", &[int()], false),
                method("GetHeader", &[pcstr], false),
                method("GetHeader_PCSTR", &[int()], false),
                method("from_raw", &[], false),
                method("base__", &[], false),
                method("operator==", &[int()], true),
                method("operator!=", &[int()], true),
            ],
        )],
        ..Api::default()
    };
    let mut names = slot_names(api, "IFoo");
    names.sort();
    assert_eq!(
        names,
        [
            "GetHeader",
            "GetHeader_PCSTR",
            "GetHeader_PCSTR_2",
            "base___",
            "from_raw_",
            "operator_eq",
            "operator_ne",
        ]
    );
}

/// The first method of the first class (the tests' `IFoo::F`).
fn first_method() -> crate::layout::MethodId {
    crate::layout::MethodId::new(crate::layout::ClassId::new(0), 0)
}
