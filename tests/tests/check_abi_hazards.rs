//! check-abi on issue 13's hazard fixtures: each is proved against clang-19 on both MSVC
//! targets — slots, the conventions of methods and callbacks, struct offsets, sizes and
//! alignments, enum sizes — and a deliberately wrong prediction of each new kind of fact
//! fails with the rows that name it (or, for a member pointer type, the x86 compile).

use generator::ir::{Api, CallingConvention, TypeKind};
use generator::layout::LaidOutApi;
use generator::probe::{
    compare, compare_conventions, compile_layout, CompiledConvention, ConventionMismatch, Mismatch,
};
use generator::toolchain::{IncludeSetup, Target};
use httpserv_tests::support::{fixture_path, options, xtask};

const FIXTURES: &[&str] = &[
    "enum_underlying",
    "struct_layout",
    "constant_types",
    "scoped_enums",
    "runtime_names",
    "generated_names",
    "parameter_names",
    "cyclic_typedef",
    "names_from_ast",
    "calling_conventions",
    // Issue 24's hostile headers: pointer-sized fields, non-public virtuals, function
    // pointers returned, and the SAL shapes whose safe forms are refused or corrected.
    "hostile_sal/pointer_sized_types",
    "hostile_sal/hidden_virtuals",
    "hostile_sal/function_pointer_returns",
    "hostile_sal/byte_units",
    "hostile_sal/capacity_for_filled",
    "hostile_sal/contradictions",
    "hostile_sal/count_types",
    "hostile_sal/hidden_annotations",
    "hostile_sal/hungarian_guesses",
    "hostile_sal/not_a_bool_flag",
    "hostile_sal/optional_sized_defaults",
    "hostile_sal/return_count_types",
    "hostile_sal/two_out_buffers",
];

fn parse(name: &str) -> Api {
    generator::parse::parse(&options(fixture_path(name))).unwrap()
}

/// Slot, struct and enum rows, and calling convention rows, of `api` against the compiler.
fn mismatches(name: &str, api: Api) -> (Vec<Mismatch>, Vec<ConventionMismatch>) {
    let header = fixture_path(name);
    let model = LaidOutApi::new(api).unwrap();
    let setup = IncludeSetup::debian();
    let (mut rows, mut conventions) = (Vec::new(), Vec::new());
    for target in Target::ALL {
        let compiled = compile_layout(&model.api, &header, &setup, target).unwrap();
        if name == "struct_layout" || name == "enum_underlying" {
            assert!(!compiled.layouts.is_empty(), "{name}: no layout facts");
        }
        rows.extend(compare(&model, &compiled));
        conventions.extend(compare_conventions(&model.api, &compiled));
    }
    (rows, conventions)
}

#[test]
fn every_hazard_fixture_is_proved_on_both_targets() {
    for name in FIXTURES {
        let (rows, conventions) = mismatches(name, parse(name));
        assert!(rows.is_empty(), "{name}: {rows:?}");
        assert!(conventions.is_empty(), "{name}: {conventions:?}");
    }
}

/// The generated crate of a header whose vtables the naming pass renamed
/// (`IFoo_Vtbl_2`) is matched to its classes through the interface structs.
#[test]
fn a_crate_with_renamed_vtables_is_checked_against_its_header() {
    let dir = std::env::temp_dir().join(format!("httpserv-rs-hazard-crate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let header = fixture_path("generated_names");
    let header = header.to_str().unwrap();
    let out = dir.to_str().unwrap();
    let run = xtask(&["regen", "--header", header, "--out", out]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = xtask(&["check-abi", "--header", header, "--generated", out]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run
        .stdout
        .contains("(abi.json and the Rust vtables) matches"));
    let _ = std::fs::remove_dir_all(dir);
}

fn rows_of(rows: &[Mismatch], class: &str) -> Vec<(Target, String, Option<usize>, Option<usize>)> {
    rows.iter()
        .filter(|m| m.class == class)
        .map(|m| (m.target, m.method.clone(), m.predicted, m.compiled))
        .collect()
}

#[test]
fn a_struct_emitted_without_its_packing_is_caught() {
    let mut api = parse("struct_layout");
    let header = api
        .structs
        .iter_mut()
        .find(|s| s.name == "PACKED_HEADER")
        .unwrap();
    header.packing = None;
    let (rows, _) = mismatches("struct_layout", api);
    for target in Target::ALL {
        let found: Vec<_> = rows_of(&rows, "PACKED_HEADER")
            .into_iter()
            .filter(|r| r.0 == target)
            .collect();
        assert_eq!(
            found,
            [
                (
                    target,
                    "offsetof(PACKED_HEADER, length)".into(),
                    Some(4),
                    Some(1)
                ),
                (
                    target,
                    "offsetof(PACKED_HEADER, flags)".into(),
                    Some(8),
                    Some(5)
                ),
                (target, "sizeof(PACKED_HEADER)".into(), Some(12), Some(7)),
                (target, "alignof(PACKED_HEADER)".into(), Some(4), Some(1)),
            ]
        );
    }
    // WITH_CALLBACK holds a PACKED_HEADER: its size is wrong too.
    assert!(rows_of(&rows, "WITH_CALLBACK")
        .iter()
        .any(|r| r.1 == "sizeof(WITH_CALLBACK)"));
}

#[test]
fn an_enum_emitted_as_i32_is_caught() {
    let mut api = parse("enum_underlying");
    api.details.enum_underlying.remove("SMALL_KIND");
    let (rows, _) = mismatches("enum_underlying", api);
    for target in Target::ALL {
        assert!(
            rows.contains(&Mismatch {
                target,
                class: "SMALL_KIND".into(),
                method: "sizeof(SMALL_KIND)".into(),
                predicted: Some(4),
                compiled: Some(1),
            }),
            "{rows:?}"
        );
        assert!(rows.contains(&Mismatch {
            target,
            class: "KIND_HOLDER".into(),
            method: "offsetof(KIND_HOLDER, tag)".into(),
            predicted: Some(4),
            compiled: Some(1),
        }));
    }
}

#[test]
fn a_stdcall_method_predicted_as_thiscall_fails_the_x86_compile() {
    let mut api = parse("names_from_ast");
    assert!(!api.details.method_conventions.is_empty());
    api.details.method_conventions.clear();
    let header = fixture_path("names_from_ast");
    let setup = IncludeSetup::debian();
    assert!(compile_layout(&api, &header, &setup, Target::X86_64).is_ok());
    let error = compile_layout(&api, &header, &setup, Target::I686)
        .unwrap_err()
        .to_string();
    assert!(error.contains("IComStyle"), "{error}");
}

/// Marks the function type `ty` names (through typedefs and pointers) `__cdecl`.
fn predict_cdecl(ty: &mut generator::ir::Type) {
    match &mut ty.kind {
        TypeKind::Function(function) => function.convention = CallingConvention::C,
        TypeKind::Pointer { pointee, .. } => predict_cdecl(pointee),
        TypeKind::Typedef { target, .. } => predict_cdecl(target),
        _ => {}
    }
}

#[test]
fn wrong_conventions_of_stored_and_foreign_callbacks_are_caught() {
    let mut api = parse("struct_layout");
    let record = api
        .structs
        .iter_mut()
        .find(|s| s.name == "WITH_CALLBACK")
        .unwrap();
    predict_cdecl(&mut record.fields[0].ty);
    let (_, conventions) = mismatches("struct_layout", api);
    assert_eq!(
        conventions,
        [ConventionMismatch {
            typedef: "WITH_CALLBACK::done".into(),
            predicted: CompiledConvention::Cdecl,
            compiled: Some(CompiledConvention::Stdcall),
        }]
    );

    let mut api = parse("calling_conventions");
    let timer = api.classes[0]
        .methods
        .iter_mut()
        .find(|m| m.name == "Timer")
        .unwrap();
    predict_cdecl(&mut timer.params[0].ty);
    let (_, conventions) = mismatches("calling_conventions", api);
    assert_eq!(
        conventions,
        [ConventionMismatch {
            typedef: "PTIMERAPCROUTINE".into(),
            predicted: CompiledConvention::Cdecl,
            compiled: Some(CompiledConvention::Stdcall),
        }]
    );
}
