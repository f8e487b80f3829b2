//! The hazard catalogue: one small header per ABI hazard (`tests/fixtures/*.h`), with the
//! exact slots it must produce and its expected Rust output (`tests/expected/*.rs`, compiled
//! by this crate's lib). `HTTPSERV_RS_BLESS=1 cargo test -p httpserv-tests` rewrites the
//! expectations after an intended change; review the diff.

use httpserv_tests::support::{
    all_bindings, fixture_names, generate_fixture, slots, workspace_root,
};
use std::collections::BTreeMap;
use std::path::Path;

/// The expected files of a fixture: `tests/expected/<name>/*.rs`, by file name.
fn expected_files(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeMap::new();
    };
    entries
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// Generates `name` and compares its bindings with `tests/expected/<name>/`, file by file.
fn generate_and_compare(name: &str) -> generator::Generated {
    let generated = generate_fixture(name).unwrap_or_else(|e| panic!("{name}: {e}"));
    let dir = workspace_root().join("tests/expected").join(name);
    if std::env::var_os("HTTPSERV_RS_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in &generated.bindings.files {
            std::fs::write(dir.join(file), text).unwrap();
        }
    }
    let expected = expected_files(&dir);
    assert!(
        expected == generated.bindings.files,
        "{name}: output differs from {}; rerun with HTTPSERV_RS_BLESS=1 to update after review",
        dir.display()
    );
    generated
}

/// Every fixture header under tests/fixtures (discovered, not listed) has its compiled
/// expected output.
#[test]
fn every_fixture_matches_its_expected_output() {
    let names = fixture_names();
    assert!(names.len() >= 15, "{names:?}");
    for name in names {
        generate_and_compare(&name);
    }
}

/// No expected output is left without its fixture.
#[test]
fn every_expected_output_has_a_fixture() {
    let names = fixture_names();
    let base = workspace_root().join("tests/expected");
    let mut stack = vec![base.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.join("mod.rs").is_file() {
                let name = path
                    .strip_prefix(&base)
                    .unwrap()
                    .to_str()
                    .unwrap()
                    .to_string();
                assert!(
                    names.contains(&name),
                    "{name} has no tests/fixtures/{name}.h"
                );
            } else if path.is_dir() {
                stack.push(path);
            }
        }
    }
}

fn names(slots: &[(usize, String, String)]) -> Vec<&str> {
    slots.iter().map(|(_, name, _)| name.as_str()).collect()
}

#[test]
fn overload_group() {
    let g = generate_and_compare("overload_group");
    let s = slots(&g, "IOverloads");
    assert_eq!(
        names(&s),
        ["Before", "Get_HTTP_HEADER_ID", "Get", "Middle", "After"]
    );
    assert!(s[1].2.contains("Get(HTTP_HEADER_ID id)"), "{:?}", s[1]);
    assert!(s[2].2.contains("Get(PCSTR name)"), "{:?}", s[2]);
}

#[test]
fn const_pair() {
    let g = generate_and_compare("const_pair");
    let s = slots(&g, "IConstPair");
    assert_eq!(names(&s), ["GetRaw_const", "GetRaw", "Other"]);
    assert!(s[0].2.ends_with("GetRaw() const = 0"), "{:?}", s[0]);
    assert!(all_bindings(&g).contains(
        "pub GetRaw_const: ::httpserv_runtime::member_fn!(\n        (*const IConstPair)"
    ));
}

#[test]
fn derived_overload() {
    let g = generate_and_compare("derived_overload");
    assert_eq!(names(&slots(&g, "IReader")), ["Read", "Remaining"]);
    let s = slots(&g, "IReader2");
    assert_eq!(names(&s), ["Read", "Remaining", "Read_BOOL"]);
    assert_eq!(g.model.layout("IReader2").inherited, 2);
    assert!(s[2].2.contains("BOOL async"), "{:?}", s[2]);
}

#[test]
fn derived_override() {
    let g = generate_and_compare("derived_override");
    let s = slots(&g, "CMyEvents");
    assert_eq!(names(&s), ["OnStart", "OnStop", "OnPause"]);
    // The override does not add a slot; the slot still names the base declaration.
    assert_eq!(
        g.model.layout("CMyEvents").slots[1].introduced_by,
        "IEvents"
    );
    assert_eq!(g.model.layout("CMyEvents").inherited, 2);
}

#[test]
fn keyword_names() {
    let g = generate_and_compare("keyword_names");
    assert_eq!(names(&slots(&g, "IKeywords")), ["type_", "move_", "ref_"]);
    let module = &all_bindings(&g);
    for expected in [
        "pub const self_: LINK_KIND = 0;",
        "pub type_: u32,",
        "pub unsafe fn move_(&self, where_: u32, in_: u32)",
        // No pointer parameter: the `_Impl` method stays safe; a pointer one makes it
        // `unsafe fn`.
        "\n    fn move_(&self, where_: u32, in_: u32) -> ::httpserv_runtime::HRESULT;",
        "unsafe fn ref_(\n        &self,\n        link: *mut LINK,\n        kind: LINK_KIND,\n    )",
    ] {
        assert!(module.contains(expected), "missing `{expected}`");
    }
}

#[test]
fn virtual_destructor() {
    let g = generate_and_compare("virtual_destructor");
    let s = slots(&g, "CModule");
    assert_eq!(
        names(&s),
        ["OnBegin", "Dispose", "ScalarDeletingDestructor", "OnEnd"]
    );
    assert!(all_bindings(&g).contains("pub ScalarDeletingDestructor: ::httpserv_runtime::member_fn!(\n        (*mut CModule, u32) -> *mut ::core::ffi::c_void\n    ),"));
}

#[test]
fn interface_alias() {
    let g = generate_and_compare("interface_alias");
    assert_eq!(names(&slots(&g, "IAppProvider")), ["SetError"]);
    let m = &all_bindings(&g);
    assert!(m.contains("pub type IAppStartProvider = IAppProvider;"));
    assert!(m.contains("pub type IAppStopProvider_Vtbl = IAppProvider_Vtbl;"));
}

#[test]
fn macro_renamed() {
    let g = generate_and_compare("macro_renamed");
    let s = slots(&g, "IUser");
    assert_eq!(
        names(&s),
        ["GetRemoteUserName", "GetUserName", "GetAuthenticationType"]
    );
    let method = &g.model.api.class("IUser").unwrap().methods[1];
    assert_eq!(method.name, "GetUserName");
    assert_eq!(method.compiled_name, "GetUserNameA");
}

#[test]
fn default_arguments() {
    let g = generate_and_compare("default_arguments");
    let class = g.model.api.class("IDefaults").unwrap();
    let defaults: Vec<Option<&str>> = class.methods[1]
        .params
        .iter()
        .map(|p| p.default.as_deref())
        .collect();
    assert_eq!(
        defaults,
        [None, None, Some("0"), Some("S_OK"), Some("FALSE")]
    );
    assert_eq!(class.methods[0].params[4].default.as_deref(), Some("NULL"));
    assert_eq!(class.methods[2].params[1].default.as_deref(), Some("NULL"));
    assert!(all_bindings(&g).contains("Default arguments in C++: `pending = NULL`."));
}

#[test]
fn iis_policy() {
    let g = generate_and_compare("iis_policy");
    let code = all_bindings(&g);
    // The release slot: raw only, taking the object pointer.
    assert!(code.contains("pub unsafe fn CleanupStoredContext(this: *mut Self)"));
    assert!(!code.contains("fn cleanup_stored_context"));
    // The resumes: `unsafe fn` forms on a shared borrow, with IIS's contract.
    assert!(code.contains("pub unsafe fn post_completion(&self, bytes: u32)"));
    assert!(code.contains("pub unsafe fn indicate_completion(\n        &self,"));
    assert!(code.contains("answered `RQ_NOTIFICATION_PENDING` and has returned"));
    // The same class's other methods stay safe, exclusive where IIS gives one request.
    assert!(code.contains("pub fn set_request_handled(&mut self)"));
}

#[test]
fn array_bound() {
    let g = generate_and_compare("array_bound");
    let params = &g.model.api.class("ISnapshot").unwrap().methods[0].params;
    assert_eq!(
        params[0].array_bound.as_deref(),
        Some("HttpHeaderRequestMaximum")
    );
    assert_eq!(
        params[1].array_bound.as_deref(),
        Some("HttpHeaderRequestMaximum + 1")
    );
    assert!(all_bindings(&g).contains("*mut windows_sys::core::PCSTR, *mut u32"));
    assert!(all_bindings(&g).contains("PCSTR knownHeaderSnapshot[HttpHeaderRequestMaximum]"));
}

#[test]
fn uuid() {
    let g = generate_and_compare("uuid");
    let class = g.model.api.class("IIdentified").unwrap();
    assert_eq!(
        class.uuid.as_deref(),
        Some("A3C5E7F9-0B1D-4F2A-8C6E-13579BDF0246")
    );
    assert_eq!(g.model.api.class("INoId").unwrap().uuid, None);
    assert!(all_bindings(&g).contains(
        "pub const IID_IIdentified: windows_sys::core::GUID = windows_sys::core::GUID::from_u128(\n    0xa3c5e7f9_0b1d_4f2a_8c6e_13579bdf0246,"
    ));
    assert_eq!(
        httpserv_tests::uuid::IID_IIdentified.data1,
        0xa3c5e7f9,
        "the compiled constant carries the uuid"
    );
}

#[test]
fn constants() {
    let g = generate_and_compare("constants");
    use httpserv_tests::constants as c;
    assert_eq!(c::RQ_BOTH, 3);
    assert_eq!(c::RQ_HIGH, 0x8000_0000u32);
    assert_eq!(c::BIG_SHIFTED, 1i64 << 40);
    assert_eq!(c::NEGATIVE, -5);
    assert_eq!(c::STATUS_FINISH, 2);
    // SAFETY: `w!` yields a NUL-terminated UTF-16 string with 'static lifetime.
    let wide = unsafe { std::slice::from_raw_parts(c::ALIAS_FIRST, 6) };
    assert_eq!(String::from_utf16(&wide[..5]).unwrap(), "FIRST");
    assert_eq!(wide[5], 0);
    let names: Vec<&str> = g
        .model
        .api
        .constants
        .iter()
        .map(|k| k.name.as_str())
        .collect();
    assert!(!names.contains(&"FIXTURE_CONSTANTS_H") && !names.contains(&"NOT_A_CONSTANT"));
}

#[test]
fn function_pointer() {
    let g = generate_and_compare("function_pointer");
    let m = &all_bindings(&g);
    assert!(m.contains(
        "pub type PFN_REGISTER = Option<\n    unsafe extern \"system\" fn(u32, *mut IServer) -> ::httpserv_runtime::HRESULT,\n>;"
    ), "{m}");
    assert!(
        m.contains(
            "pub type PFN_CALLBACK = Option<unsafe extern \"C\" fn(*mut ::core::ffi::c_void)>;"
        ),
        "{m}"
    );
    assert!(
        m.contains("pub type PFN_NOTIFY = Option<unsafe extern \"system\" fn(u32)>;"),
        "{m}"
    );
    // Callbacks written in place keep their convention too.
    assert!(
        m.contains(
            "done: Option<unsafe extern \"system\" fn(u32)>,\n        plain: Option<unsafe extern \"C\" fn(u32)>,"
        ),
        "{m}"
    );
    let _: httpserv_tests::function_pointer::PFN_REGISTER = None;
}

/// SDK-style headers: CRLF, winapifamily.h and the desktop partition guard, SAL 2 on
/// parameters and returns; the compat shim makes SAL mingw lacks expand to nothing.
#[test]
fn sdk_style_sal2_crlf() {
    let g = generate_and_compare("sdk_style/sal2_crlf");
    assert_eq!(
        names(&slots(&g, "IParcelDepot")),
        [
            "FindTag_HTTP_HEADER_ID",
            "FindTag",
            "StoreBlob",
            "OpenCursor",
            "SourceRequest",
            "CountParcels"
        ]
    );
    assert_eq!(g.model.layout("IParcelDepot2").inherited, 6);
    assert_eq!(
        names(&slots(&g, "IParcelDepot2"))[6..],
        ["CopyLabel", "DrainInto"]
    );
}

/// An IIS 7-era header: SAL 1 (`__in`, `__out_bcount`, `__deref_out_bcount_part(a,b)`),
/// `IN`/`OUT`, and the `_WIN32_WINNT` choice between http.h and http_xp.h.
#[test]
fn sdk_style_sal1_iis7() {
    let g = generate_and_compare("sdk_style/sal1_iis7");
    assert_eq!(
        names(&slots(&g, "ILedgerPage")),
        ["ReadLine_PCWSTR", "ReadLine", "LineCount"]
    );
    assert_eq!(
        names(&slots(&g, "ILedgerBook")),
        [
            "GetDigest",
            "OpenPage",
            "GetTitle",
            "CopyTitle_PSTR",
            "CopyTitle"
        ]
    );
}
