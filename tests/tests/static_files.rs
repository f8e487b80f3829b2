//! IIS's static file handler, alike in the IIS host and the test server (issue 28): a site
//! directory (a page, text files, a file of no known MIME type, a directory with no default
//! document) asked for whole, in byte ranges and under preconditions (`If-None-Match`,
//! `If-Modified-Since`, `If-Match`, `If-Unmodified-Since`, `If-Range`), served with
//! `minimal_module` loaded (it marks every response, static ones too) by the host under wine
//! (`--site-root`, the Rust DLL and then its C++ twin) and by the test server
//! (`TestServer::site_root`). Each host must answer every request as the test server does:
//! status, body, and the headers the handler and the module set, `ETag`, `Last-Modified`,
//! `Content-Range` and `Content-Length` included (the same file, so the same times). Then
//! `file_info_module` and its C++ twin read `IHttpContext::GetFileInfo` of the same site in
//! both hosts: every field alike, the `ETag` and `Last-Modified` the handler's.

extern crate httpserv as real_httpserv;
extern crate self as httpserv;
pub use httpserv_tests::register_module_in_process as register_module;
pub use real_httpserv::*;

#[path = "../examples/file_info_module.rs"]
mod file_info_module;
#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../examples/minimal_module.rs"]
mod minimal_module;
#[path = "../iis_host/raw_http.rs"]
#[allow(dead_code)] // the rest: hostile_requests.rs, request_bodies.rs
mod raw_http;

use harness::{Arch, HostProcess};
use httpserv::testing::{Request, TestServer};
use httpserv_tests::support::workspace_root;
use raw_http::{exchange_past_wine, Outcome, Pace};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (request_events.rs takes offsets from 300).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (400 + offset) * 7
}

/// One test at a time: each builds the DLLs and runs hosts in the same directory.
static SERIAL: Mutex<()> = Mutex::new(());

/// The site (`name` a directory of its own): a page, text files (one empty), a file IIS has
/// no MIME type for, an empty directory.
fn site(name: &str) -> PathBuf {
    let root = out_dir().join(name);
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("docs")).unwrap();
    std::fs::create_dir_all(root.join("empty")).unwrap();
    std::fs::write(root.join("index.html"), "<h1>home</h1>\n").unwrap();
    std::fs::write(root.join("docs/notes.txt"), "notes\n").unwrap();
    std::fs::write(root.join("data.bin"), [0u8, 1, 2]).unwrap();
    std::fs::write(root.join("digits.txt"), "0123456789").unwrap();
    std::fs::write(root.join("empty.txt"), "").unwrap();
    root
}

/// The requests: path (after `HEAD ` for a HEAD, else a GET), and header lines to send,
/// where `{etag}` and `{date}` stand for the `ETag` and `Last-Modified` the first answer for
/// that path gave.
const REQUESTS: &[(&str, &str)] = &[
    ("/", ""),
    ("/docs", ""),
    ("/docs/notes.txt", ""),
    ("/docs/notes.txt", "If-None-Match: {etag}"),
    ("/data.bin", ""),
    ("/empty/", ""),
    ("/missing.txt", ""),
    ("/digits.txt", ""),
    ("/digits.txt", "Range: bytes=7-"),
    ("/digits.txt", "Range: bytes=-40"),
    ("/digits.txt", "Range: bytes=0-1, 8-"),
    ("/digits.txt", "Range: bytes=10-"),
    ("/digits.txt", "Range: bytes=3-1"),
    ("/empty.txt", ""),
    ("/empty.txt", "Range: bytes=0-"),
    ("/empty.txt", "Range: bytes=-1"),
    ("/digits.txt", "If-Modified-Since: {date}"),
    (
        "/digits.txt",
        "If-Modified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
    ),
    (
        "/digits.txt",
        "If-None-Match: \"other:0\"\r\nIf-Modified-Since: {date}",
    ),
    (
        "/digits.txt",
        "If-Unmodified-Since: Thu, 01 Jan 1970 00:00:00 GMT",
    ),
    ("/digits.txt", "If-Match: \"other:0\""),
    ("/digits.txt", "If-Match: {etag}"),
    ("/digits.txt", "Range: bytes=0-0\r\nIf-Range: {etag}"),
    ("/digits.txt", "Range: bytes=0-0\r\nIf-Range: {date}"),
    ("/digits.txt", "Range: bytes=0-0\r\nIf-Range: \"other:0\""),
    ("HEAD /digits.txt", ""),
    ("HEAD /digits.txt", "Range: bytes=7-"),
    ("HEAD /digits.txt", "If-None-Match: {etag}"),
];

/// What the test server answers them with, as IIS's handler would: the statuses.
const STATUSES: [u16; 28] = [
    200, 301, 200, 304, 404, 403, 404, 200, 206, 206, 206, 416, 200, 200, 416, 200, 304, 200, 200,
    412, 412, 200, 206, 206, 200, 200, 206, 304,
];

/// What is compared: status, body and the headers below.
type Answer = (u16, Vec<u8>, Vec<Option<String>>);

const HEADERS: [&str; 8] = [
    "Content-Type",
    "ETag",
    "Last-Modified",
    "Location",
    "Accept-Ranges",
    "X-Powered-By",
    "Content-Range",
    "Content-Length",
];

/// Each request's path and header lines, `{etag}` and `{date}` filled in, through `send`.
fn answers(mut send: impl FnMut(&str, &[(&str, String)]) -> Answer) -> Vec<Answer> {
    let mut validators: Vec<(&str, String, String)> = Vec::new();
    let mut out = Vec::new();
    for &(path, lines) in REQUESTS {
        let (etag, date) = validators
            .iter()
            .find(|(p, ..)| *p == path)
            .map(|(_, etag, date)| (etag.as_str(), date.as_str()))
            .unwrap_or_default();
        let headers: Vec<(&str, String)> = lines
            .split("\r\n")
            .filter(|line| !line.is_empty())
            .map(|line| {
                let (name, value) = line.split_once(": ").unwrap();
                (name, value.replace("{etag}", etag).replace("{date}", date))
            })
            .collect();
        let answer = send(path, &headers);
        if let (None, Some(etag), Some(date)) = (
            validators.iter().find(|(p, ..)| *p == path),
            &answer.2[1],
            &answer.2[2],
        ) {
            validators.push((path, etag.clone(), date.clone()));
        }
        out.push(answer);
    }
    out
}

fn test_server_answers(root: &Path, port: u16) -> Vec<Answer> {
    let server = TestServer::new()
        .site_root(root)
        .load("minimal_module", minimal_module::RegisterModule);
    answers(|path, headers| {
        let (method, path) = path.split_once(' ').unwrap_or(("GET", path));
        let mut request = Request::new(method, path).header("Host", format!("127.0.0.1:{port}"));
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = server.request(request);
        let headers = HEADERS
            .iter()
            .map(|name| response.header(name).map(str::to_owned));
        (response.status, response.body.clone(), headers.collect())
    })
}

/// The host's answer to `request`, sent again if wine's http.sys lost it before the host had
/// it (`raw_http::exchange_past_wine`: it can miss a new connection's data). `None` when the
/// host took it, finished it (its trace says `done`) and no answer came: wine's http.sys
/// sometimes stops delivering a host's responses partway through a run
/// (tests/iis_host/README.md), reported as a `WINE:` line by the caller. A request the host
/// took and did not finish is the host's failure: a panic.
fn ask(host: &HostProcess, port: u16, request: &str) -> Option<raw_http::Response> {
    let taken = || host.requests_seen();
    let mut retries = 0;
    let timeout = Duration::from_secs(5);
    let outcome = exchange_past_wine(
        port,
        request.as_bytes(),
        Pace::Whole,
        1,
        timeout,
        &taken,
        &mut retries,
    );
    if retries > 0 {
        eprintln!("WINE: {request:?} sent {retries} more time(s): wine's http.sys lost it");
    }
    if let Outcome::Answered(mut responses) = outcome {
        return Some(responses.remove(0));
    }
    let output = host.output();
    let finished = format!("trace: request {} done", host.requests_seen());
    if output.lines().any(|line| line == finished) {
        eprintln!("WINE: {request:?}: the host sent its answer, none came ({outcome:?})");
        return None;
    }
    let tail = &output[output.len().saturating_sub(3000)..];
    panic!("{request:?}: no answer: {outcome:?}; the host's output ends:\n{tail}");
}

/// The host's answers, `None` if wine lost one (see [`ask`]).
fn host_answers(host: &HostProcess, port: u16) -> Option<Vec<Answer>> {
    let mut lost = false;
    let answers = answers(|path, headers| {
        let lines: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\r\n"))
            .collect();
        let (method, path) = path.split_once(' ').unwrap_or(("GET", path));
        let request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{lines}\r\n");
        // After a lost answer nothing more is asked (wine has stopped serving this host).
        let response = if lost {
            None
        } else {
            ask(host, port, &request)
        };
        let Some(response) = response else {
            lost = true;
            return (0, Vec::new(), vec![None; HEADERS.len()]);
        };
        let headers = HEADERS
            .iter()
            .map(|name| response.header(name).map(str::to_owned));
        (response.status, response.body.clone(), headers.collect())
    });
    (!lost).then_some(answers)
}

/// What a host test needs: the host's tools and build, the site root as the host names it
/// (a wine path), and the Rust module and its C++ twin by language.
struct Twins {
    tools: harness::Tools,
    build: harness::Build,
    site_root: String,
    modules: [(&'static str, Vec<(String, PathBuf)>); 2],
}

/// [`Twins`] of `module` for the site at `root`; `None` (after printing `SKIPPED`) when the
/// tools are missing.
fn twins(root: &Path, module: &str, what: &str) -> Option<Twins> {
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!("{what} in the IIS host: {reason}"));
            return None;
        }
    };
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let modules = [
        ("Rust", harness::only(&build.rust, &[module])),
        ("C++", harness::only(&build.cpp, &[module])),
    ];
    Some(Twins {
        tools,
        build,
        site_root: format!("Z:{}", root.display()).replace('/', "\\"),
        modules,
    })
}

/// One host serving `modules` on `port` with the site at `site_root`, asked by `ask_all`;
/// its answers, or `None` (a `WINE:` line) when wine lost one. The host must exit cleanly,
/// unless wine stopped serving before `/__shutdown` (another `WINE:` line).
fn host_run(
    (tools, build): (&harness::Tools, &harness::Build),
    (language, modules): (&str, &[(String, PathBuf)]),
    port: u16,
    site_root: &str,
    ask_all: impl FnOnce(&HostProcess) -> Option<Vec<Answer>>,
) -> Option<Vec<Answer>> {
    let label = format!("files-{language}-{port}");
    let extra = ["--site-root", site_root, "--trace"];
    let mut host = HostProcess::start(tools, build, &out_dir(), &label, modules, port, &extra);
    // The next host finds wine's http.sys fresh (it can be left serving nobody).
    host.fresh_wine_after();
    let answers = ask_all(&host);
    let stopped = host.stop();
    let Some(answers) = answers else {
        eprintln!("WINE: {language}: wine's http.sys lost an answer; not compared");
        return None;
    };
    stopped.assert_clean_exit(language);
    Some(answers)
}

#[test]
fn static_files_are_served_alike_by_both_servers() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let root = site("site");
    let Some(Twins {
        tools,
        build,
        site_root,
        modules: twins,
    }) = twins(&root, "minimal_module", "static files")
    else {
        return;
    };
    for (offset, (language, modules)) in twins.into_iter().enumerate() {
        let port = port(offset as u16);
        let mut expected = test_server_answers(&root, port);
        // What the test server answered, as IIS's handler would.
        let statuses: Vec<u16> = expected.iter().map(|answer| answer.0).collect();
        assert_eq!(statuses, STATUSES);
        assert_eq!(expected[0].1, b"<h1>home</h1>\n");
        assert_eq!(expected[8].1, b"789");
        assert_eq!(expected[8].2[6].as_deref(), Some("bytes 7-9/10"));
        assert_eq!(expected[11].2[6].as_deref(), Some("bytes */10"));
        // HEAD: GET's headers (its length included), no body.
        assert_eq!(
            (expected[25].1.len(), expected[25].2[7].as_deref()),
            (0, Some("10"))
        );
        assert_eq!(expected[26].2[6].as_deref(), Some("bytes 7-9/10"));
        assert_eq!(
            expected[1].2[3].as_deref(),
            Some(format!("http://127.0.0.1:{port}/docs/").as_str())
        );
        // Each twin names its language in `X-Powered-By`.
        for answer in &mut expected {
            answer.2[5] = answer.2[5].as_ref().map(|_| language.to_string());
        }
        let host = (language, modules.as_slice());
        let Some(answers) = host_run((&tools, &build), host, port, &site_root, |host| {
            host_answers(host, port)
        }) else {
            continue;
        };
        assert_eq!(answers.len(), expected.len());
        for (request, (host, test_server)) in REQUESTS.iter().zip(answers.iter().zip(&expected)) {
            assert_eq!(
                host, test_server,
                "{language}: {request:?} answered otherwise"
            );
        }
    }
}

/// What `file_info_module` is asked: files (described), a directory with a default document,
/// one without, nothing there (no file info: the handler's answer).
const FILE_INFO_REQUESTS: [(&str, u16); 5] = [
    ("/docs/notes.txt", 200),
    ("/digits.txt", 200),
    ("/", 200),
    ("/empty/", 403),
    ("/missing.txt", 404),
];

/// The headers of `file_info_module`'s answers that are compared.
const FILE_INFO_HEADERS: [&str; 11] = [
    "X-File-Path",
    "X-File-Size",
    "X-File-Attributes",
    "X-File-ETag",
    "X-File-Last-Modified",
    "X-File-Time",
    "X-File-Cache",
    "X-File-Buffer",
    "X-File-Handle",
    "X-File-Info",
    "Content-Type",
];

#[test]
fn file_info_is_read_alike_by_both_servers() {
    let _serial = SERIAL.lock().unwrap_or_else(PoisonError::into_inner);
    let root = site("site-file-info");
    // What the test server's module reads, and its handler sends, for the same site.
    let server = TestServer::new()
        .site_root(&root)
        .load("file_info_module", file_info_module::RegisterModule);
    let expected: Vec<Answer> = FILE_INFO_REQUESTS
        .iter()
        .map(|(path, _)| {
            let response = server.request(Request::get(*path));
            let headers = FILE_INFO_HEADERS
                .iter()
                .map(|name| response.header(name).map(str::to_owned));
            (response.status, response.body.clone(), headers.collect())
        })
        .collect();
    let statuses: Vec<u16> = expected.iter().map(|answer| answer.0).collect();
    assert_eq!(statuses, FILE_INFO_REQUESTS.map(|(_, status)| status));
    let handler = TestServer::new().site_root(&root);
    let digits = handler.request(Request::get("/digits.txt"));
    let described = &expected[1].2;
    assert_eq!(
        described[0].as_deref(),
        Some("C:\\inetpub\\wwwroot\\digits.txt")
    );
    assert_eq!(described[1].as_deref(), Some("10"));
    assert_eq!(described[3].as_deref(), digits.header("ETag"));
    assert_eq!(described[4].as_deref(), digits.header("Last-Modified"));
    assert_eq!(described[9], None);
    assert_eq!(expected[2].2[9].as_deref(), Some("none"));
    let Some(Twins {
        tools,
        build,
        site_root,
        modules: twins,
    }) = twins(&root, "file_info_module", "file info")
    else {
        return;
    };
    for (offset, (language, modules)) in twins.into_iter().enumerate() {
        let port = port(2 + offset as u16);
        let ask_all = |host: &HostProcess| -> Option<Vec<Answer>> {
            FILE_INFO_REQUESTS
                .iter()
                .map(|(path, _)| {
                    let request = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n");
                    let response = ask(host, port, &request)?;
                    let headers = FILE_INFO_HEADERS
                        .iter()
                        .map(|name| response.header(name).map(str::to_owned));
                    Some((response.status, response.body.clone(), headers.collect()))
                })
                .collect()
        };
        let host = (language, modules.as_slice());
        let Some(answers) = host_run((&tools, &build), host, port, &site_root, ask_all) else {
            continue;
        };
        for ((path, _), (host, test_server)) in
            FILE_INFO_REQUESTS.iter().zip(answers.iter().zip(&expected))
        {
            assert_eq!(host, test_server, "{language}: {path} answered otherwise");
        }
    }
}
