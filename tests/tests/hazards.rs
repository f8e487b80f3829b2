//! Issue 13's hazards that used to give wrong or uncompilable output with exit 0, each a
//! fixture of the catalogue (`tests/fixtures/<name>.h`, its output compiled as
//! `httpserv_tests::<name>`): what the model says and what the compiled Rust is — enum
//! values and sizes, struct offsets, constant types, every name. `fixtures.rs` compares the
//! text; `check_abi.rs` proves each against the compiler on both targets.

use httpserv_tests::support::{all_bindings, generate_fixture, slots};
use std::mem::{align_of, offset_of, size_of};

fn names(generated: &generator::Generated, class: &str) -> Vec<String> {
    slots(generated, class)
        .into_iter()
        .map(|(_, name, _)| name)
        .collect()
}

#[test]
fn enums_have_their_underlying_type() {
    use httpserv_tests::enum_underlying as e;
    let _ = generate_fixture("enum_underlying").unwrap();
    let small: e::SMALL_KIND = e::SMALL_HIGH;
    assert_eq!(small, 200u8);
    assert_eq!(e::WIDE_ALL, u64::MAX);
    assert_eq!(e::WIDE_TOP, 1u64 << 63);
    assert_eq!(
        e::WIDE_TOP_COPY,
        1u64 << 63,
        "a #define of an enumerator keeps its type"
    );
    assert_eq!(e::DELTA_DOWN, -1i8);
    assert_eq!(e::CODE_MAX, u16::MAX);
    assert_eq!(e::FLAG_HIGH, 0x8000_0000u32);
    assert_eq!(e::PLAIN_A, -5i32);
    let opaque: e::OPAQUE_KIND = u16::MAX;
    let later: e::LATER_KIND = e::LATER_A;
    assert_eq!((opaque, later), (u16::MAX, 3u8));
    // The struct holding them has the C++ layout (checked against clang by check_abi.rs).
    assert_eq!(size_of::<e::KIND_HOLDER>(), 16);
    assert_eq!(offset_of!(e::KIND_HOLDER, tag), 1);
    assert_eq!(offset_of!(e::KIND_HOLDER, mask), 8);
}

#[test]
fn packed_and_aligned_structs_keep_the_compilers_layout() {
    use httpserv_tests::struct_layout as s;
    let g = generate_fixture("struct_layout").unwrap();
    let packing: Vec<(&str, Option<u64>, Option<u64>)> = g
        .model
        .api
        .structs
        .iter()
        .map(|s| (s.name.as_str(), s.packing, s.alignment))
        .collect();
    assert_eq!(
        packing,
        [
            ("PACKED_HEADER", Some(1), None),
            ("PACKED_PAIR", Some(2), None),
            ("PACK_NO_EFFECT", None, None),
            ("ALIGNED_BLOCK", None, Some(16)),
            ("HOLDS_ALIGNED", None, None),
            ("PACKED_AROUND_ALIGNED", None, None),
            ("WITH_CALLBACK", None, None),
        ]
    );
    assert_eq!(size_of::<s::PACKED_HEADER>(), 7);
    assert_eq!(offset_of!(s::PACKED_HEADER, length), 1);
    assert_eq!(offset_of!(s::PACKED_HEADER, flags), 5);
    assert_eq!(offset_of!(s::PACKED_PAIR, value), 2);
    assert_eq!(align_of::<s::PACKED_PAIR>(), 2);
    assert_eq!(size_of::<s::PACK_NO_EFFECT>(), 8);
    assert_eq!(
        (
            size_of::<s::ALIGNED_BLOCK>(),
            align_of::<s::ALIGNED_BLOCK>()
        ),
        (16, 16)
    );
    assert_eq!(offset_of!(s::HOLDS_ALIGNED, block), 16);
    assert_eq!(offset_of!(s::PACKED_AROUND_ALIGNED, block), 16);
    assert!(all_bindings(&g).contains(
        "pub done: Option<unsafe extern \"system\" fn(u32)>,\n    pub plain: Option<unsafe extern \"C\" fn(*mut ::core::ffi::c_void)>,"
    ));
}

#[test]
fn constants_are_typed_by_their_value_and_undef_is_honoured() {
    use httpserv_tests::constant_types as c;
    let g = generate_fixture("constant_types").unwrap();
    let all_bits: u64 = c::ALL_BITS_64;
    assert_eq!(all_bits, u64::MAX);
    assert_eq!(c::TOP_BIT_64, 1u64 << 63);
    assert_eq!(c::ALL_BITS_32, u32::MAX);
    assert_eq!(c::WRAPPED, 0u32);
    assert_eq!(c::MINUS_ONE_LL, -1i32);
    assert_eq!(c::MINUS_ONE_U64, u64::MAX);
    assert_eq!(c::LARGE_SIGNED, -(1i64 << 40));
    assert_eq!(c::USES_TEMPORARY, 6);
    assert_eq!(c::REDEFINED, 2);
    let defined: Vec<&str> = g
        .model
        .api
        .constants
        .iter()
        .map(|c| c.name.as_str())
        .collect();
    assert!(!defined.contains(&"TEMPORARY"), "#undef'ed: {defined:?}");
    assert!(!defined.contains(&"AFTER_UNDEF"), "uses an #undef'ed name");
    assert!(defined.contains(&"ALL_BITS_32"), "its #undef is in #if 0");
}

#[test]
fn scoped_enumerators_are_qualified() {
    use httpserv_tests::scoped_enums as s;
    let _ = generate_fixture("scoped_enums").unwrap();
    assert_eq!((s::Access_None, s::Access_All), (0, 2));
    let share: s::Share = s::Share_All;
    assert_eq!(share, 255u8);
    assert_eq!(s::UNSCOPED_ONE, 1, "unscoped enumerators keep their names");
}

#[test]
fn names_of_the_runtime_and_the_crate_root_are_not_taken() {
    use httpserv_tests::runtime_names as r;
    let g = generate_fixture("runtime_names").unwrap();
    let names = g.model.names();
    let objects: Vec<&str> = ["Object", "Option", "core", "runtime", "T", "types"]
        .iter()
        .map(|c| names.class(c).object.as_str())
        .collect();
    assert_eq!(
        objects,
        ["Object", "Option_", "core_", "runtime_", "T_", "types"]
    );
    assert_eq!((r::value_, r::None_, r::Some_, r::Done), (0, 1, 2, 3));
    assert_eq!(names.types_module(), "types_2");
    // `Option` still means the prelude's in the bindings.
    let _: Option<&r::Option_> = None;
    let _ = r::Option_::from_raw;
}

#[test]
fn generated_names_yield_to_the_headers() {
    use httpserv_tests::generated_names as n;
    let g = generate_fixture("generated_names").unwrap();
    assert_eq!(
        names(&g, "IFoo"),
        ["GetHeader_PCSTR", "GetHeader", "GetHeader_PCSTR_2"]
    );
    assert_eq!(g.model.names().class("IFoo").vtable, "IFoo_Vtbl_2");
    assert_eq!(g.model.names().class("IFoo_Vtbl").vtable, "IFoo_Vtbl_Vtbl");
    assert_eq!(n::IID_IBaz, 5, "the header's #define keeps its name");
    assert_eq!(n::IID_IBaz_2.data1, 0x9d3e1c5a);
    assert_eq!(
        names(&g, "IBaz"),
        [
            "from_raw_",
            "from_raw_mut_",
            "as_raw_",
            "downcast_",
            "new_boxed_",
            "new_in_place_",
            "base___"
        ]
    );
    // The helpers every class has are still the helpers.
    let _: unsafe fn(*mut n::IBaz) -> Option<&'static n::IBaz> = n::IBaz::from_raw;
}

#[test]
fn parameters_get_distinct_valid_names() {
    let g = generate_fixture("parameter_names").unwrap();
    let names = g.model.names();
    assert_eq!(
        names.params(g.model.declared_method_id("IParams", 0)),
        ["param1", "param1_2"]
    );
    assert_eq!(
        names.params(g.model.declared_method_id("IParams", 1)),
        ["report_", "value", "MODE_FAST_2"]
    );
    assert_eq!(
        names.params(g.model.declared_method_id("IParams", 2)),
        ["None_", "Some_", "self_"]
    );
    assert_eq!(
        names.params(g.model.declared_method_id("IParams", 3)),
        ["param0", "param1", "param2"]
    );
    // The C++ declaration shows unnamed parameters as C++ does.
    assert_eq!(
        slots(&g, "IParams")[0].2,
        "virtual void Both(DWORD param1, DWORD) = 0"
    );
}

#[test]
fn a_typedef_naming_itself_through_a_struct_tag_is_left_out() {
    let g = generate_fixture("cyclic_typedef").unwrap();
    let typedefs: Vec<&str> = g
        .model
        .api
        .typedefs
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(typedefs, ["NODE_ALIAS", "LINKED_ALIAS"]);
    use httpserv_tests::cyclic_typedef as c;
    assert_eq!(size_of::<c::NODE_ALIAS>(), 0, "NODE is opaque");
    assert_eq!(size_of::<c::LINKED_ALIAS>(), size_of::<c::LINKED>());
}

#[test]
fn names_come_from_the_ast() {
    let g = generate_fixture("names_from_ast").unwrap();
    assert_eq!(names(&g, "IComStyle"), ["GetA", "GetB", "Count"]);
    assert_eq!(
        names(&g, "IOperators"),
        ["operator_eq", "operator_ne", "operator_call"]
    );
    assert_eq!(names(&g, "Grüße"), ["Grüßen", "a_b"]);
    assert_eq!(
        g.model
            .names()
            .params(g.model.declared_method_id("Grüße", 1)),
        ["c_d"]
    );
    let methods = &g.model.api.class("IOperators").unwrap().methods;
    assert_eq!(methods[0].name, "operator==");
    // STDMETHOD's methods are __stdcall: `extern "system"`, not the member default.
    assert!(all_bindings(&g).contains(
        "pub GetA: unsafe extern \"system\" fn(\n        *mut IComStyle,\n        u32,\n    ) -> ::httpserv_runtime::HRESULT,"
    ));
    assert_eq!(g.model.names().class("Grüße").module, "gr_e");
}

#[test]
fn calling_conventions_are_read_from_the_tokens() {
    use generator::ir::CallingConvention::{System, C};
    let g = generate_fixture("calling_conventions").unwrap();
    let details = &g.model.api.details;
    let conventions: Vec<_> = (0..5)
        .map(|i| details.method_convention("ICallbacks", i))
        .collect();
    assert_eq!(conventions, [Some(System), Some(C), None, None, None]);
    let text = all_bindings(&g);
    assert!(text
        .contains("pub Log: unsafe extern \"C\" fn(*mut ICallbacks, windows_sys::core::PCSTR),"));
    assert!(text.contains("(*mut ICallbacks) -> Option < unsafe extern \"system\" fn (u32) >"));
    // windows.h's PTIMERAPCROUTINE is NTAPI (__stdcall).
    assert!(text.contains(
        "(*mut ICallbacks, Option < unsafe extern \"system\" fn (*mut ::core::ffi::c_void,"
    ));
    assert!(text.contains("unsafe extern \"system\" fn Start<T: ICallbacks_Impl>("));
}

/// The form `method` of `class` gets in `fixture`: its signature, or `raw: <why>`.
fn form_of(generated: &generator::Generated, class: &str, method: &str) -> String {
    use generator::idiom::Form;
    let layout = generated.model.layout(class);
    let slot = layout
        .own_slots()
        .iter()
        .find(|s| generated.model.method(s).name == method)
        .unwrap_or_else(|| panic!("{class}::{method}"));
    match generated
        .idioms
        .form(generated.model.slot_id(slot))
        .unwrap()
    {
        Form::Raw(why) => format!("raw: {why}"),
        Form::Idiomatic(form) => form.signature.to_string(),
    }
}

/// Issue 24's hostile SAL: each method keeps a form that reads the annotation exactly, or
/// only its raw method with the reason (the crate compiles either way: the fixtures are
/// compiled, and `check_abi_hazards.rs` proves them on both targets).
#[test]
fn hostile_sal_is_read_right_or_refused() {
    let cases: &[(&str, &str, &str, &str)] = &[
        // Units: bytes on UTF-16 are refused; elements are a `&[u16]`.
        (
            "byte_units",
            "IByteUnits",
            "GetName",
            "raw: a UTF-16 buffer counted in bytes",
        ),
        (
            "byte_units",
            "IByteUnits",
            "GetValue",
            "raw: parameter `ppValue`: a UTF-16 buffer counted in bytes",
        ),
        (
            "byte_units",
            "IByteUnits",
            "GetTitle",
            "fn title(&self) -> Option<&[u16]>",
        ),
        // Capacity vs filled: the slice is the filled part (checked in the body below).
        (
            "capacity_for_filled",
            "ICapacity",
            "GetBytes",
            "fn bytes(&self) -> Option<&[u8]>",
        ),
        // Contradictions.
        (
            "contradictions",
            "IContradictions",
            "Fill",
            "raw: contradictory SAL: _In_ contradicts _Out_writes_bytes_(cbBuffer)",
        ),
        (
            "contradictions",
            "IContradictions",
            "Fill2",
            "raw: contradictory SAL: _Out_writes_bytes_(cbBuffer) contradicts _In_",
        ),
        (
            "contradictions",
            "IContradictions",
            "Send",
            "raw: contradictory SAL: _In_reads_bytes_(cbTwo) contradicts _In_reads_bytes_(cbOne)",
        ),
        (
            "contradictions",
            "IContradictions",
            "Name",
            "raw: contradictory SAL",
        ),
        // SAL through the header's macros, and before `virtual`.
        (
            "hidden_annotations",
            "IHidden",
            "GetValue",
            "fn value(&self) -> Option<&[u8]>",
        ),
        (
            "hidden_annotations",
            "IHidden",
            "Put",
            "fn put(&self, data: &[u8]) -> Result<()>",
        ),
        (
            "hidden_annotations",
            "IHidden",
            "GetName",
            "fn name(&self) -> Option<&[u8]>",
        ),
        (
            "hidden_annotations",
            "IHidden",
            "GetLabel",
            "fn label(&self) -> Option<&[u8]>",
        ),
        (
            "hidden_annotations",
            "IHidden",
            "GetDeep",
            "fn deep(&self) -> Option<&[u8]>",
        ),
        (
            "hidden_annotations",
            "IHidden",
            "GetGlued",
            "raw: unknown SAL annotation GLUED_SIZED (a macro that writes SAL, with `#`, `##` or \
             `__VA_ARGS__`)",
        ),
        // Counts by type.
        (
            "count_types",
            "ICounts",
            "ByPointer",
            "raw: the size `pcb` is a `DWORD *`, not an integer count",
        ),
        (
            "count_types",
            "ICounts",
            "ByFloat",
            "raw: the size `cb` is a `float`",
        ),
        (
            "count_types",
            "ICounts",
            "ByReference",
            "raw: the size `cb` is a `const DWORD &`",
        ),
        (
            "count_types",
            "ICounts",
            "ByBool",
            "raw: the size `cb` is a `bool`",
        ),
        (
            "count_types",
            "ICounts",
            "ByWinBool",
            "raw: the size `cb` is a `BOOL`",
        ),
        (
            "count_types",
            "ICounts",
            "ByEnum",
            "raw: the size `cb` is a `SIZE_KIND`",
        ),
        (
            "count_types",
            "ICounts",
            "BySelf",
            "raw: the buffer `pb` is its own size",
        ),
        (
            "count_types",
            "ICounts",
            "ByOutput",
            "raw: the size `cb` is not an input",
        ),
        (
            "count_types",
            "ICounts",
            "Signed",
            "raw: the size `*pcb` is a signed `INT`",
        ),
        (
            "count_types",
            "ICounts",
            "ByFloatOut",
            "raw: the size `*pcb` is a `float`",
        ),
        (
            "count_types",
            "ICounts",
            "OutSigned",
            "raw: the size `*pcb` is a signed `LONG`",
        ),
        (
            "count_types",
            "ICounts",
            "SignedIn",
            "fn signed_in(&self, pb: &[u8]) -> Result<()>",
        ),
        (
            "count_types",
            "ICounts",
            "Fill64",
            "fn fill64(&self, pb: &mut [u8]) -> Result<u64>",
        ),
        (
            "count_types",
            "ICounts",
            "Fill16",
            "fn fill16(&self, pb: &mut [u8]) -> Result<u16>",
        ),
        (
            "return_count_types",
            "IReturnCounts",
            "ByStruct",
            "raw: the size `*pInfo` is a `SIZE_INFO`",
        ),
        (
            "return_count_types",
            "IReturnCounts",
            "ByString",
            "raw: the size `*pszCount` is not written through a pointer to non-const",
        ),
        (
            "return_count_types",
            "IReturnCounts",
            "OutByStruct",
            "raw: the size `*pInfo` is a `SIZE_INFO`",
        ),
        // Names checked against types.
        (
            "hungarian_guesses",
            "IHungarian",
            "GetName",
            "raw: parameter `pszName`: an output string buffer of unstated size",
        ),
        (
            "hungarian_guesses",
            "IHungarian",
            "SetName",
            "raw: parameter `cchName`",
        ),
        (
            "hungarian_guesses",
            "IHungarian",
            "SetTitle",
            "fn set_title(&self, title: &U16CStr, title_2: u32)",
        ),
        (
            "hungarian_guesses",
            "IHungarian",
            "SetValue",
            "fn set_value(&self, value: &[u8])",
        ),
        // `fAsync` only when a BOOL.
        (
            "not_a_bool_flag",
            "IFlags",
            "Read",
            "fn read(&self, buffer: &mut [u8], async_: u32)",
        ),
        (
            "not_a_bool_flag",
            "IFlags",
            "Wait",
            "fn wait(&self, async_: u8)",
        ),
        // A defaulted sized buffer stays a parameter (its length is computed from it).
        (
            "optional_sized_defaults",
            "IOptionalBuffer",
            "Send",
            "fn send(&self, flags: u32, data: Option<&[u8]>)",
        ),
        // Two `&mut [u8]` that may alias.
        (
            "two_out_buffers",
            "IHttpResponse",
            "GetTwo",
            "raw: hands out several buffers to write",
        ),
        (
            "two_out_buffers",
            "IHttpResponse",
            "GetOne",
            "fn one(&mut self, first_2: u32) -> Result<&mut [u8]>",
        ),
    ];
    let mut generated = std::collections::BTreeMap::new();
    let mut failures = Vec::new();
    for (fixture, class, method, expected) in cases {
        let g = generated
            .entry(*fixture)
            .or_insert_with(|| generate_fixture(&format!("hostile_sal/{fixture}")).unwrap());
        let form = form_of(g, class, method);
        if !form.contains(expected) {
            failures.push(format!(
                "{fixture} {class}::{method}: expected `{expected}` in `{form}`"
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let capacity = all_bindings(&generated["capacity_for_filled"]);
    assert!(capacity.contains("from_raw_parts(returned.cast::<u8>(), filled as usize)"));
    assert!(!capacity.contains("capacity as usize"));
}

/// A function pointer returned (through typedefs or in place) is an `Option<fn>` in Rust:
/// on panic the thunk returns `None` (no function), never a data pointer's `null_mut()` of
/// the wrong type, and never aborts.
#[test]
fn function_pointer_returns_compile() {
    let g = generate_fixture("hostile_sal/function_pointer_returns").unwrap();
    let text = all_bindings(&g);
    assert!(!text.contains("::core::ptr::null_mut()) }"), "{text}");
    assert!(text.contains("::core::option::Option::None"), "{text}");
    assert!(
        text.contains("On panic: returns no function (a null function pointer)."),
        "{text}"
    );
}
