//! `check-abi` against the compiler: the real header passes on both targets, and a
//! deliberately wrong prediction (slots, or a function pointer's calling convention) fails
//! with the rows that name what moved.

use generator::ir::Api;
use generator::ir::{CallingConvention, TypeKind};
use generator::layout::{abi_signature, ClassLayout, LaidOutApi, Slot};
use generator::probe::{
    compare, compare_conventions, compile_layout, CompiledConvention, ConventionMismatch, Mismatch,
};
use generator::toolchain::{IncludeSetup, Target};
use httpserv_tests::support::{fixture_path, options, swap_vtable_fields, workspace_root, xtask};
use std::collections::BTreeMap;

fn compiled_mismatches(name: &str, predict: impl Fn(Api) -> LaidOutApi) -> Vec<Mismatch> {
    let header = fixture_path(name);
    let api = generator::parse::parse(&options(header.clone())).unwrap();
    let predicted = predict(api);
    let setup = IncludeSetup::debian();
    Target::ALL
        .iter()
        .flat_map(|&target| {
            let compiled = compile_layout(&predicted.api, &header, &setup, target).unwrap();
            compare(&predicted, &compiled)
        })
        .collect()
}

fn msvc_rules(api: Api) -> LaidOutApi {
    LaidOutApi::new(api).unwrap()
}

/// The naive prediction bindgen makes: slots in declaration order.
fn declaration_order(api: Api) -> LaidOutApi {
    let layouts = api
        .classes
        .iter()
        .map(|class| {
            let slots = class
                .methods
                .iter()
                .enumerate()
                .map(|(index, method)| Slot {
                    index,
                    introduced_by: class.name.clone(),
                    method: index,
                    rust_name: method.name.clone(),
                    abi_signature: abi_signature(method),
                })
                .collect();
            let layout = ClassLayout {
                class: class.name.clone(),
                slots,
                inherited: 0,
                method_slots: (0..class.methods.len()).map(Some).collect(),
            };
            (class.name.clone(), layout)
        })
        .collect();
    LaidOutApi::with_layouts(api, layouts)
}

fn rows(mismatches: &[Mismatch]) -> Vec<(Target, String, Option<usize>, Option<usize>)> {
    mismatches
        .iter()
        .map(|m| (m.target, m.method.clone(), m.predicted, m.compiled))
        .collect()
}

#[test]
fn the_prediction_matches_the_compiler_on_every_fixture() {
    for name in [
        "overload_group",
        "const_pair",
        "derived_overload",
        "derived_override",
        "virtual_destructor",
        "macro_renamed",
        "keyword_names",
    ] {
        let mismatches = compiled_mismatches(name, msvc_rules);
        assert!(mismatches.is_empty(), "{name}: {mismatches:?}");
    }
}

#[test]
fn declaration_order_on_overloads_is_caught() {
    let mismatches = compiled_mismatches("overload_group", declaration_order);
    let get_name = "virtual PCSTR Get(PCSTR name) = 0";
    let get_id = "virtual PCSTR Get(HTTP_HEADER_ID id) = 0";
    let middle = "virtual void Middle() = 0";
    for target in Target::ALL {
        let found: Vec<_> = rows(&mismatches)
            .into_iter()
            .filter(|r| r.0 == target)
            .collect();
        assert_eq!(
            found,
            [
                (target, get_name.to_string(), Some(1), Some(2)),
                (target, middle.to_string(), Some(2), Some(3)),
                (target, get_id.to_string(), Some(3), Some(1)),
            ],
            "{target:?}"
        );
    }
}

#[test]
fn a_dropped_destructor_is_caught() {
    let mismatches = compiled_mismatches("virtual_destructor", |api| {
        let (api, mut layouts) = msvc_rules(api).into_parts();
        let layout = layouts.get_mut("CModule").unwrap();
        layout.slots.retain(|s| s.method != 2);
        for (i, slot) in layout.slots.iter_mut().enumerate() {
            slot.index = i;
        }
        layout.method_slots = vec![Some(0), Some(1), None, Some(2)];
        LaidOutApi::with_layouts(api, layouts)
    });
    let found = rows(&mismatches);
    assert_eq!(found.len(), 4, "{found:?}");
    for target in Target::ALL {
        assert!(
            found.contains(&(target, "virtual ~CModule()".to_string(), None, Some(2))),
            "{found:?}"
        );
        assert!(
            found.contains(&(
                target,
                "virtual DWORD OnEnd()".to_string(),
                Some(2),
                Some(3)
            )),
            "{found:?}"
        );
    }
}

fn compiled_conventions(
    name: &str,
    predict: impl Fn(&mut Api),
) -> (
    BTreeMap<String, CompiledConvention>,
    Vec<ConventionMismatch>,
) {
    let header = fixture_path(name);
    let mut api = generator::parse::parse(&options(header.clone())).unwrap();
    predict(&mut api);
    let setup = IncludeSetup::debian();
    let x86_64 = compile_layout(&api, &header, &setup, Target::X86_64).unwrap();
    assert!(x86_64.conventions.is_empty(), "x86_64 has one convention");
    assert!(compare_conventions(&api, &x86_64).is_empty());
    let i686 = compile_layout(&api, &header, &setup, Target::I686).unwrap();
    let mismatches = compare_conventions(&api, &i686);
    (i686.conventions, mismatches)
}

#[test]
fn function_pointer_conventions_match_the_x86_compiler() {
    let (compiled, mismatches) = compiled_conventions("function_pointer", |_| {});
    assert_eq!(
        compiled.into_iter().collect::<Vec<_>>(),
        [
            ("PFN_CALLBACK".to_string(), CompiledConvention::Cdecl),
            ("PFN_NOTIFY".to_string(), CompiledConvention::Stdcall),
            ("PFN_REGISTER".to_string(), CompiledConvention::Stdcall),
        ]
    );
    assert!(mismatches.is_empty(), "{mismatches:?}");
}

#[test]
fn a_wrong_calling_convention_is_caught() {
    // What a parser that only knew the WINAPI spellings would predict for PFN_NOTIFY.
    let (_, mismatches) = compiled_conventions("function_pointer", |api| {
        let typedef = api
            .typedefs
            .iter_mut()
            .find(|t| t.name == "PFN_NOTIFY")
            .unwrap();
        let TypeKind::Pointer { pointee, .. } = &mut typedef.target.kind else {
            panic!("PFN_NOTIFY is a pointer typedef");
        };
        let TypeKind::Function(function) = &mut pointee.kind else {
            panic!("PFN_NOTIFY points at a function type");
        };
        function.convention = CallingConvention::C;
    });
    assert_eq!(
        mismatches,
        [ConventionMismatch {
            typedef: "PFN_NOTIFY".into(),
            predicted: CompiledConvention::Cdecl,
            compiled: Some(CompiledConvention::Stdcall),
        }]
    );
    let table = xtask::check_abi::convention_table(&mismatches);
    assert_eq!(
        table.lines().nth(1),
        Some("i686-pc-windows-msvc  PFN_NOTIFY  __cdecl    __stdcall")
    );
}

#[test]
fn a_wrong_convention_of_a_callback_written_in_place_fails_the_x86_compile() {
    // The probe's member pointer spells the parameter with the predicted convention, so on
    // x86 it no longer names the method: clang refuses the cast.
    let header = fixture_path("function_pointer");
    let mut api = generator::parse::parse(&options(header.clone())).unwrap();
    let notify = api.classes[0]
        .methods
        .iter_mut()
        .find(|m| m.name == "Notify")
        .unwrap();
    let TypeKind::Pointer { pointee, .. } = &mut notify.params[0].ty.kind else {
        panic!("`done` is a pointer");
    };
    let TypeKind::Function(function) = &mut pointee.kind else {
        panic!("`done` points at a function type");
    };
    assert_eq!(function.convention, CallingConvention::System);
    function.convention = CallingConvention::C;
    let setup = IncludeSetup::debian();
    assert!(compile_layout(&api, &header, &setup, Target::X86_64).is_ok());
    let error = compile_layout(&api, &header, &setup, Target::I686)
        .unwrap_err()
        .to_string();
    assert!(error.contains("is not allowed"), "{error}");
    assert!(error.contains("__attribute__((stdcall))"), "{error}");
}

#[test]
fn check_abi_passes_on_the_whole_api() {
    let run = xtask(&["check-abi"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stdout,
        "check-abi: 352/352 virtual functions (767 slots) and 2 function pointer types' calling \
         conventions verified on x86_64-pc-windows-msvc and i686-pc-windows-msvc; generated/ \
         (abi.json and the Rust vtables) matches\n"
    );
}

#[test]
fn the_mismatch_table_names_target_class_method_and_slots() {
    let table = xtask::check_abi::mismatch_table(&[Mismatch {
        target: Target::I686,
        class: "IOverloads".into(),
        method: "virtual PCSTR Get(PCSTR name) = 0".into(),
        predicted: Some(1),
        compiled: Some(2),
    }]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["target", "class", "method", "predicted", "compiled"]
    );
    assert!(
        lines[1].starts_with("i686-pc-windows-msvc  IOverloads  virtual PCSTR Get(PCSTR name) = 0")
    );
    assert!(lines[1].ends_with("1          2"), "{table}");
}

fn scratch(test: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "httpserv-rs-check-abi-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// `text` with the first two declarations of `name` (each from `virtual` to `;`), which
/// follow each other, in the other order.
fn swap_first_overloads(text: &str, name: &str) -> String {
    let declaration = |from: usize| {
        let at = from + text[from..].find(&format!(" {name}(")).unwrap();
        let start = text[..at].rfind("virtual").unwrap();
        let end = at + text[at..].find(';').unwrap() + 1;
        (start, end)
    };
    let (a_start, a_end) = declaration(0);
    let (b_start, b_end) = declaration(a_end);
    assert!(text[a_end..b_start].trim().is_empty(), "not adjacent");
    format!(
        "{}{}{}{}{}",
        &text[..a_start],
        &text[b_start..b_end],
        &text[a_end..b_start],
        &text[a_start..a_end],
        &text[b_end..]
    )
}

/// A maintainer edits the header (two overloads swapped, as an SDK update inserting one
/// would move them) and forgets `regen`: the compiler agrees with the new prediction, but
/// not with the checked-in bindings.
#[test]
fn a_header_changed_without_regen_fails_naming_the_swapped_slots() {
    let dir = scratch("stale-header");
    let original = std::fs::read_to_string(workspace_root().join("headers/httpserv.h")).unwrap();
    let header = dir.join("httpserv.h");
    std::fs::write(&header, swap_first_overloads(&original, "GetHeader")).unwrap();
    let generated = workspace_root().join("generated");
    let run = xtask(&[
        "check-abi",
        "--header",
        header.to_str().unwrap(),
        "--generated",
        generated.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let rows: Vec<&str> = run
        .stderr
        .lines()
        .skip(1)
        .filter(|l| l.starts_with("IHttp"))
        .collect();
    assert_eq!(rows.len(), 2, "{}", run.stderr);
    assert!(
        rows[0].starts_with("IHttpRequest  2     virtual PCSTR GetHeader(PCSTR pszHeaderName"),
        "{}",
        run.stderr
    );
    assert!(rows[0].contains("virtual PCSTR GetHeader(HTTP_HEADER_ID ulHeaderIndex"));
    assert!(
        rows[1].starts_with("IHttpRequest  3     virtual PCSTR GetHeader(HTTP_HEADER_ID"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("does not match the compiled header in 2 place(s); run `cargo xtask regen`"),
        "{}",
        run.stderr
    );
    // Without --generated the same header passes: the prediction itself is right.
    let run = xtask(&["check-abi", "--header", header.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("generated/ was not checked"),
        "{}",
        run.stdout
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A hand edit of the generated Rust (two vtable fields swapped) no longer matches abi.json.
#[test]
fn a_hand_edited_vtable_fails_naming_the_fields() {
    let dir = scratch("hand-edited");
    let generated = workspace_root().join("generated");
    let copy = dir.join("generated");
    std::fs::create_dir_all(copy.join("src/bindings")).unwrap();
    std::fs::copy(generated.join("abi.json"), copy.join("abi.json")).unwrap();
    for entry in std::fs::read_dir(generated.join("src/bindings"))
        .unwrap()
        .flatten()
    {
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        if entry.file_name() == "i_http_request.rs" {
            text = swap_vtable_fields(
                &text,
                "IHttpRequest_Vtbl",
                "GetHeader",
                "GetHeader_HTTP_HEADER_ID",
            );
        }
        std::fs::write(copy.join("src/bindings").join(entry.file_name()), text).unwrap();
    }
    let run = xtask(&["check-abi", "--generated", copy.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // The slots of IHttpRequest and of the three classes that inherit them.
    let rows: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("IHttpRequest"))
        .collect();
    assert_eq!(rows.len(), 8, "{}", run.stderr);
    assert_eq!(
        rows[0].split_whitespace().collect::<Vec<_>>(),
        [
            "IHttpRequest",
            "2",
            "abi.json",
            "field",
            "`GetHeader_HTTP_HEADER_ID`",
            "Rust",
            "field",
            "`GetHeader`"
        ]
    );
    let _ = std::fs::remove_dir_all(dir);
}
