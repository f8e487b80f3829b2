//! Unit tests of the manifest on hand-built IR: content, JSON layout and round trip, hash
//! stability; the IR helpers here are shared with `diff_tests.rs`. Fixture headers test
//! the same end to end through libclang (`tests/tests/abi_diff.rs`).

use super::*;
use crate::ir::Api;
use crate::ir::{
    Access, Class, Constant, Enum, EnumVariant, Location, Method, Param, Type, TypeKind, Typedef,
};
use crate::layout::LaidOutApi;

pub(super) fn ty(spelling: &str) -> Type {
    Type {
        spelling: spelling.into(),
        canonical: spelling.into(),
        kind: TypeKind::Void,
    }
}

/// `ret name(params) [const]`, each parameter `type` named p0, p1, …
pub(super) fn method(ret: &str, name: &str, params: &[&str], is_const: bool) -> Method {
    Method {
        name: name.into(),
        compiled_name: name.into(),
        return_type: ty(ret),
        params: params
            .iter()
            .enumerate()
            .map(|(i, t)| Param {
                name: format!("p{i}"),
                ty: ty(t),
                default: None,
                array_bound: None,
                sal: Default::default(),
            })
            .collect(),
        is_const,
        is_pure: true,
        is_destructor: false,
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
        uuid: Some(format!("UUID-{name}")),
        base: base.map(Into::into),
        member_names,
        methods,
        location: Location::default(),
    }
}

/// A small API: a base with an overload pair, a derived class, an enum, constants and a
/// typedef.
pub(super) fn api() -> Api {
    Api {
        source: "dir/sub/server.h".into(),
        classes: vec![
            class(
                "IBase",
                None,
                vec![
                    method("int", "Get", &["const char *"], false),
                    method("void", "Middle", &[], true),
                    method("int", "Get", &["int"], false),
                    method("void", "Last", &[], false),
                ],
            ),
            class(
                "IDerived",
                Some("IBase"),
                vec![method("long", "More", &["int"], false)],
            ),
        ],
        enums: vec![Enum {
            name: "STATUS".into(),
            variants: vec![
                EnumVariant {
                    name: "CONTINUE".into(),
                    value: 0,
                },
                EnumVariant {
                    name: "FINISH".into(),
                    value: 2,
                },
            ],
        }],
        constants: vec![
            Constant {
                name: "FLAG".into(),
                value: ConstantValue::Integer(0x20),
            },
            Constant {
                name: "ALIAS".into(),
                value: ConstantValue::WideString("FIRST".into()),
            },
        ],
        typedefs: vec![Typedef {
            name: "MODULE_ID".into(),
            target: ty("void *"),
        }],
        ..Api::default()
    }
}

pub(super) fn manifest_of(api: &Api) -> Manifest {
    let model = LaidOutApi::new(api.clone()).unwrap();
    let idioms = crate::idiom::Idioms::new(&model);
    build(&model, &idioms)
}

/// IBase's methods, to edit.
pub(super) fn base_methods(api: &mut Api) -> &mut Vec<Method> {
    &mut api.classes[0].methods
}

#[test]
fn manifest_content() {
    let m = manifest_of(&api());
    assert_eq!(m.format, FORMAT_VERSION);
    assert_eq!(m.source, "server.h");
    let derived = m.class("IDerived").unwrap();
    assert_eq!(derived.base.as_deref(), Some("IBase"));
    let slot = &derived.slots[1];
    assert_eq!(
        (slot.index, slot.method.as_str(), slot.field.as_str()),
        (1, "Get", "Get")
    );
    assert_eq!(slot.cpp, "virtual int Get(const char * p0) = 0");
    assert_eq!(derived.slots[0].field, "Get_int");
    assert_eq!(
        (slot.introduced_by.as_str(), slot.x64, slot.x86),
        ("IBase", 8, 4)
    );
    assert_eq!(derived.slots[4].introduced_by, "IDerived");
    assert_eq!(m.slot_count(), 4 + 5);
}

#[test]
fn fnv1a64_known_vectors() {
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
}

#[test]
fn json_round_trips_and_is_deterministic() {
    let m = manifest_of(&api());
    let text = to_json(&m);
    assert_eq!(from_json(&text).unwrap(), m);
    assert_eq!(to_json(&manifest_of(&api())), text);
    assert!(text.ends_with("}\n") && !text.contains("dir/"), "{text}");
}

/// Outside string literals, the hand layout is serde's compact JSON plus whitespace: same
/// keys, same order, nothing the struct does not have.
#[test]
fn json_layout_is_serde_json_of_the_struct() {
    let m = manifest_of(&api());
    let mut compact = String::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in to_json(&m).chars() {
        if in_string {
            (escaped, in_string) = (!escaped && c == '\\', escaped || c != '"');
        } else if c == '"' {
            in_string = true;
        } else if c.is_whitespace() {
            continue;
        }
        compact.push(c);
    }
    assert_eq!(compact, serde_json::to_string(&m).unwrap());
}

#[test]
fn one_line_per_slot_variant_constant_and_typedef() {
    let text = to_json(&manifest_of(&api()));
    let expected = [
        r#"        {"index": 1, "method": "Get", "field": "Get", "const": false, "introduced_by": "IBase", "x64": 8, "x86": 4, "cpp": "virtual int Get(const char * p0) = 0", "abi": "int(const char *)"},"#,
        r#"        {"index": 2, "method": "Middle", "field": "Middle", "const": true, "introduced_by": "IBase", "x64": 16, "x86": 8, "cpp": "virtual void Middle() const = 0", "abi": "void() const", "rust": "fn middle(&self)"},"#,
        r#"        {"name": "FINISH", "value": 2}"#,
        r#"    {"name": "FLAG", "integer": 32},"#,
        r#"    {"name": "ALIAS", "wide_string": "FIRST"}"#,
        r#"    {"name": "MODULE_ID", "target": "void *"}"#,
        r#"      "base": "IBase","#,
    ];
    for line in expected {
        assert!(
            text.lines().any(|l| l == line),
            "missing {line:?} in\n{text}"
        );
    }
    assert!(text.starts_with(
        "{\n  \"format\": 1,\n  \"source\": \"server.h\",\n  \"api_hash\": \"fnv1a64:"
    ));
}

#[test]
fn api_hash_ignores_locations_and_source_but_not_signatures() {
    let original = manifest_of(&api()).api_hash;
    let mut moved = api();
    moved.source = "elsewhere/other.h".into();
    moved.classes[0].methods[1].location = Location {
        file: "x.h".into(),
        line: 40,
        column: 3,
    };
    assert_eq!(manifest_of(&moved).api_hash, original);
    let mut changed = api();
    base_methods(&mut changed)[3].params.push(Param {
        name: "p".into(),
        ty: ty("int"),
        default: None,
        array_bound: None,
        sal: Default::default(),
    });
    assert_ne!(manifest_of(&changed).api_hash, original);
    assert!(original.starts_with(HASH_PREFIX) && original.len() == HASH_PREFIX.len() + 16);
}

#[test]
fn from_json_rejects_bad_input() {
    let m = manifest_of(&api());
    let text = to_json(&m);
    assert!(from_json("{")
        .unwrap_err()
        .starts_with("not an ABI manifest: "));
    assert!(from_json("[]")
        .unwrap_err()
        .starts_with("not an ABI manifest: "));
    let future = text.replacen("\"format\": 1", "\"format\": 9", 1);
    assert!(from_json(&future)
        .unwrap_err()
        .contains("format 9 is not supported"));
    let edited = text.replacen("\"x64\": 8,", "\"x64\": 16,", 1);
    assert!(from_json(&edited)
        .unwrap_err()
        .contains("does not match its contents"));
}
