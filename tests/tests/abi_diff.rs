//! `cargo xtask abi-diff` end to end, in process, on the fixture pairs in
//! `tests/fixtures/abi_diff/`: an IIS 7-era subset against a compatible successor (exit 0)
//! and against one breaking change each (exit 1, the report names what moved or changed),
//! headers against manifests, bad input (exit 2), and the manifest's determinism: same
//! API, same JSON and api_hash whatever the line endings or checkout path.

use generator::manifest::{self, Manifest};
use httpserv_tests::support::{options, workspace_root};
use std::path::{Path, PathBuf};

fn xtask(args: &[&str]) -> (i32, String, String) {
    let run = httpserv_tests::support::xtask(args);
    (run.code, run.stdout, run.stderr)
}

fn fixture(name: &str) -> String {
    workspace_root()
        .join("tests/fixtures/abi_diff")
        .join(name)
        .display()
        .to_string()
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "httpserv-rs-abi-diff-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn manifest_of(header: &Path) -> Manifest {
    let api = generator::parse::parse(&options(header.to_path_buf()))
        .unwrap_or_else(|e| panic!("{}: {e}", header.display()));
    let model = generator::layout::LaidOutApi::new(api).unwrap();
    manifest::build(&model, &generator::idiom::Idioms::new(&model))
}

/// Runs `abi-diff OLD NEW`, checks the exit code and the first line, and returns the
/// report's lines after it.
fn diff(old: &str, new: &str, expected_code: i32) -> Vec<String> {
    let (code, stdout, stderr) = xtask(&["abi-diff", old, new]);
    assert_eq!(code, expected_code, "{stdout}{stderr}");
    assert_eq!(stderr, "");
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some(format!("abi-diff: {old} -> {new}").as_str())
    );
    lines.map(str::to_string).collect()
}

const IIS7_TO_CURRENT: &[&str] = &[
    "compatible: 11 changes, none breaking",
    "compatible changes:",
    "  IHttpServer2::GetMetadata appended at slot 4: virtual HRESULT GetMetadata(PCWSTR siteName, PCWSTR url) = 0",
    "  IHttpServer2::GetWorkerProcessFramework appended at slot 5: virtual HRESULT GetWorkerProcessFramework(PVOID * framework) = 0",
    "  CGlobalModule::OnGlobalApplicationPreload appended at slot 3: virtual GLOBAL_NOTIFICATION_STATUS OnGlobalApplicationPreload(IGlobalApplicationPreloadProvider * provider)",
    "  class IHttpResponse3 added, derived from IHttpResponse2",
    "  class IHttpResponse4 added, derived from IHttpResponse3",
    "  class IHttpServer3 added, derived from IHttpServer2",
    "  enum HTTP_SERVER_INTERFACE_VERSION: HTTP_SERVER_INTERFACE_V3 = 1 added",
    "  enum CACHE_OPERATION added",
    "  constant PRIORITY_ALIAS_LAST = L\"LAST\" added",
    "  constant GL_APPLICATION_PRELOAD = 0x10000 added",
    "  typedef HTTP_CACHE_FLAGS = ULONG added",
];

#[test]
fn iis_growth_is_compatible() {
    let lines = diff(&fixture("iis7.h"), &fixture("current.h"), 0);
    assert_eq!(lines, IIS7_TO_CURRENT);
}

#[test]
fn same_api_has_no_changes() {
    let lines = diff(&fixture("iis7.h"), &fixture("iis7.h"), 0);
    assert_eq!(lines, ["no ABI changes"]);
}

#[test]
fn overload_inserted_mid_interface_shifts_slots() {
    let lines = diff(&fixture("iis7.h"), &fixture("overload_inserted.h"), 1);
    assert_eq!(
        lines,
        [
            "BREAKING: 5 breaking changes, 0 compatible changes",
            "breaking changes:",
            "  IHttpResponse::SetHeader inserted at slot 3: virtual HRESULT SetHeader(PCWSTR name, PCWSTR value, USHORT length, BOOL replace) = 0",
            "  IHttpResponse::SetHeader moved: slot 3 -> 4: virtual HRESULT SetHeader(HTTP_HEADER_ID id, PCSTR value, USHORT length, BOOL replace) = 0",
            "  IHttpResponse::SetHeader moved: slot 4 -> 5: virtual HRESULT SetHeader(PCSTR name, PCSTR value, USHORT length, BOOL replace) = 0",
            "  IHttpResponse::Clear moved: slot 5 -> 6: virtual void Clear() = 0",
            "  IHttpResponse2::GetStatus moved: slot 6 -> 7: virtual HRESULT GetStatus(USHORT * statusCode) const = 0",
        ]
    );
}

#[test]
fn changed_constness_is_breaking() {
    let lines = diff(&fixture("iis7.h"), &fixture("const_changed.h"), 1);
    assert_eq!(
        lines,
        [
            "BREAKING: 2 breaking changes, 0 compatible changes",
            "breaking changes:",
            "  IHttpServer::GetAppPoolName constness changed at slot 1: virtual PCWSTR GetAppPoolName() const = 0 -> virtual PCWSTR GetAppPoolName() = 0",
            // A shared object's non-const method cannot hand out borrowed data soundly.
            "Rust API changes (the vtables did not move; Rust callers must adapt):",
            "  Rust API changed: IHttpServer::GetAppPoolName at slot 1: `fn app_pool_name(&self) -> Option<&U16CStr>` now `raw method only`",
        ]
    );
}

#[test]
fn changed_uuid_is_breaking() {
    let lines = diff(&fixture("iis7.h"), &fixture("uuid_changed.h"), 1);
    assert_eq!(
        lines,
        [
            "BREAKING: 1 breaking change, 0 compatible changes",
            "breaking changes:",
            "  IHttpServer2: uuid changed: A0000000-0000-4000-8000-000000000004 -> A0000000-0000-4000-8000-0000000000F4",
        ]
    );
}

#[test]
fn changed_constant_is_breaking() {
    let lines = diff(&fixture("iis7.h"), &fixture("constant_changed.h"), 1);
    assert_eq!(
        lines,
        [
            "BREAKING: 1 breaking change, 0 compatible changes",
            "breaking changes:",
            "  constant RQ_SEND_RESPONSE changed: 0x20000000 -> 0x10000000",
        ]
    );
}

#[test]
fn going_back_is_breaking() {
    let lines = diff(&fixture("current.h"), &fixture("iis7.h"), 1);
    assert_eq!(
        lines[0],
        "BREAKING: 11 breaking changes, 0 compatible changes"
    );
    assert!(lines.contains(&"  class IHttpResponse4 removed".to_string()));
    assert!(lines.contains(&"  IHttpServer2::GetMetadata removed from slot 4: virtual HRESULT GetMetadata(PCWSTR siteName, PCWSTR url) = 0".to_string()));
}

#[test]
fn manifest_against_header() {
    let dir = scratch("manifest");
    let old_json = dir.join("abi.json");
    std::fs::write(
        &old_json,
        manifest::to_json(&manifest_of(Path::new(&fixture("iis7.h")))),
    )
    .unwrap();
    let old = old_json.display().to_string();

    assert_eq!(diff(&old, &fixture("current.h"), 0), IIS7_TO_CURRENT);
    assert_eq!(diff(&old, &fixture("iis7.h"), 0), ["no ABI changes"]);
    let lines = diff(&old, &fixture("overload_inserted.h"), 1);
    assert_eq!(
        lines[0],
        "BREAKING: 5 breaking changes, 0 compatible changes"
    );

    // Manifest against manifest, and the other way round.
    let new_json = dir.join("current.json");
    std::fs::write(
        &new_json,
        manifest::to_json(&manifest_of(Path::new(&fixture("current.h")))),
    )
    .unwrap();
    let new = new_json.display().to_string();
    assert_eq!(diff(&old, &new, 0), IIS7_TO_CURRENT);
    assert_eq!(
        diff(&new, &fixture("iis7.h"), 1)[0],
        "BREAKING: 11 breaking changes, 0 compatible changes"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn json_report() {
    let (code, stdout, stderr) = xtask(&[
        "abi-diff",
        "--json",
        &fixture("iis7.h"),
        &fixture("overload_inserted.h"),
    ]);
    assert_eq!(code, 1, "{stderr}");
    for line in [
        "  \"old_source\": \"iis7.h\",",
        "  \"new_source\": \"overload_inserted.h\",",
        "  \"breaking\": true,",
        "  \"summary\": \"BREAKING: 5 breaking changes, 0 compatible changes\",",
        "      \"kind\": \"slot_inserted\",",
        "      \"kind\": \"slot_moved\",",
        "      \"item\": \"IHttpResponse2\",",
        "      \"old_slot\": 6,",
        "      \"new_slot\": 7,",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing {line:?} in\n{stdout}"
        );
    }
    assert!(stdout.starts_with('{') && stdout.ends_with("}\n"));

    let (code, stdout, _) = xtask(&[
        "abi-diff",
        "--json",
        &fixture("iis7.h"),
        &fixture("current.h"),
    ]);
    assert_eq!(code, 0);
    assert!(stdout.contains("  \"breaking\": false,\n"), "{stdout}");
}

#[test]
fn bad_input_exits_2() {
    let dir = scratch("bad");
    let missing = dir.join("missing.h").display().to_string();
    let (code, stdout, stderr) = xtask(&["abi-diff", &missing, &fixture("iis7.h")]);
    assert_eq!((code, stdout.as_str()), (2, ""));
    assert_eq!(stderr, format!("error: {missing}: no such file\n"));

    let not_manifest = dir.join("other.json");
    std::fs::write(&not_manifest, "{\"name\": 1}").unwrap();
    let not_manifest = not_manifest.display().to_string();
    let (code, _, stderr) = xtask(&["abi-diff", &fixture("iis7.h"), &not_manifest]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(&format!("error: {not_manifest}: not an ABI manifest")),
        "{stderr}"
    );

    let broken = workspace_root().join("tests/fixtures/errors/syntax_error.h");
    let (code, _, stderr) = xtask(&[
        "abi-diff",
        &broken.display().to_string(),
        &fixture("iis7.h"),
    ]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("error: ") && stderr.contains("syntax_error.h:"),
        "{stderr}"
    );

    let (code, _, stderr) = xtask(&["abi-diff", &fixture("iis7.h")]);
    assert_eq!(code, 2, "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn manifest_is_deterministic_across_line_endings_and_paths() {
    let original = Path::new(&fixture("iis7.h")).to_path_buf();
    let text = std::fs::read_to_string(&original).unwrap();
    assert!(!text.contains('\r'));
    let dir = scratch("crlf").join("some/other/place");
    std::fs::create_dir_all(&dir).unwrap();
    let crlf = dir.join("iis7.h");
    std::fs::write(&crlf, text.replace('\n', "\r\n")).unwrap();

    let first = manifest_of(&original);
    let again = manifest_of(&original);
    let from_crlf = manifest_of(&crlf);
    assert_eq!(manifest::to_json(&first), manifest::to_json(&again));
    assert_eq!(first.api_hash, from_crlf.api_hash);
    let json = manifest::to_json(&from_crlf);
    assert_eq!(json, manifest::to_json(&first));
    assert!(json.contains("  \"source\": \"iis7.h\",\n"));
    assert!(!json.contains(&std::env::temp_dir().display().to_string()));
    assert!(!json.contains(&workspace_root().display().to_string()));
    assert_eq!(manifest::from_json(&json).unwrap(), first);
    // A comment is text, not API.
    std::fs::write(&crlf, format!("// a new comment\n{text}")).unwrap();
    assert_eq!(manifest_of(&crlf).api_hash, first.api_hash);
    let _ = std::fs::remove_dir_all(scratch("crlf"));
}

#[test]
fn full_header_manifest_round_trips() {
    let header = workspace_root().join("headers/httpserv.h");
    let manifest = manifest_of(&header);
    assert_eq!((manifest.classes.len(), manifest.slot_count()), (67, 767));
    let json = manifest::to_json(&manifest);
    assert_eq!(manifest::from_json(&json).unwrap(), manifest);
    // One line per slot: every slot line carries its index and both offsets.
    let slot_lines = json
        .lines()
        .filter(|l| l.trim_start().starts_with("{\"index\": "))
        .count();
    assert_eq!(slot_lines, 767);
    let line = json
        .lines()
        .find(|l| {
            l.contains("\"field\": \"GetHeader_HTTP_HEADER_ID\"")
                && l.contains("\"introduced_by\": \"IHttpRequest\"")
        })
        .unwrap();
    assert!(
        line.contains("\"index\": 2,") && line.contains("\"x64\": 16, \"x86\": 8,"),
        "{line}"
    );
}
