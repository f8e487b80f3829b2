//! The request events between modules, alike in the IIS host and the test server (issues 25
//! and 28): `events_module` (tests/examples/events_module.rs: `/docs/` mapped to
//! `D:\manuals\` at `RQ_MAP_PATH`, a body's readers given 16 bytes of it at most at
//! `RQ_READ_ENTITY`) loaded with `body_module` (tests/examples/body_module.rs, which reads the
//! body of `POST /upper` and answers it upper-cased), in the host under wine — the Rust DLLs,
//! then the C++ twins — and in the test server, given the same two modules (their sources
//! built in here) and the same requests. Each host must answer as the test server does.

extern crate httpserv as real_httpserv;
extern crate self as httpserv;
pub use httpserv_tests::register_module_in_process as register_module;
pub use real_httpserv::*;

#[path = "../examples/body_module.rs"]
mod body_module;
#[path = "../examples/events_module.rs"]
mod events_module;
#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../iis_host/raw_http.rs"]
#[allow(dead_code)] // the rest: hostile_requests.rs, request_bodies.rs
mod raw_http;

use harness::{Arch, HostProcess};
use httpserv::testing::{Request, TestServer};
use httpserv_tests::support::workspace_root;
use raw_http::{exchange, Outcome, Pace};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (request_bodies.rs takes offsets from 200).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (300 + offset) * 7
}

/// The requests: method, path, body.
const REQUESTS: &[(&str, &str, &str)] = &[
    ("POST", "/upper", "abcdefghijklmnopqrstuvwxyz"),
    ("POST", "/upper", "short"),
    ("GET", "/docs/a/b.txt", ""),
];

/// What is compared: status, body, and the headers the modules set.
type Answer = (u16, Vec<u8>, Option<String>, Option<String>);

fn test_server_answers() -> Vec<Answer> {
    // In the host's load order (its DLLs sorted by name).
    let server = TestServer::new()
        .load("body_module", body_module::RegisterModule)
        .load("events_module", events_module::RegisterModule);
    REQUESTS
        .iter()
        .map(|(method, path, body)| {
            let request = match *method {
                "POST" => Request::post(path).body(*body),
                _ => Request::get(path),
            };
            let response = server.request(request);
            let header = |name| response.header(name).map(str::to_owned);
            (
                response.status,
                response.body.clone(),
                header("X-Entity-Read"),
                header("X-Body-Length"),
            )
        })
        .collect()
}

fn host_answers(port: u16) -> Vec<Answer> {
    REQUESTS
        .iter()
        .map(|(method, path, body)| {
            let request = format!(
                "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            let outcome = exchange(
                port,
                request.as_bytes(),
                Pace::Whole,
                1,
                Duration::from_secs(10),
            );
            let Outcome::Answered(mut responses) = outcome else {
                panic!("{method} {path}: no answer: {outcome:?}");
            };
            let response = responses.remove(0);
            let header = |name| response.header(name).map(str::to_owned);
            (
                response.status,
                response.body.clone(),
                header("X-Entity-Read"),
                header("X-Body-Length"),
            )
        })
        .collect()
}

#[test]
fn readers_and_paths_see_the_events_in_both_servers() {
    let expected = test_server_answers();
    assert_eq!(
        expected[0],
        (
            200,
            b"ABCDEFGHIJKLMNOP".to_vec(),
            Some("16".into()),
            Some("16".into())
        )
    );
    assert_eq!(
        expected[1],
        (200, b"SHORT".to_vec(), Some("5".into()), Some("5".into()))
    );
    assert_eq!(
        expected[2],
        (200, b"D:\\manuals\\a\\b.txt\n".to_vec(), None, None)
    );
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!("request events in the IIS host: {reason}"));
            return;
        }
    };
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let names = ["body_module", "events_module"];
    for (offset, (language, modules)) in [
        ("Rust", harness::only(&build.rust, &names)),
        ("C++", harness::only(&build.cpp, &names)),
    ]
    .into_iter()
    .enumerate()
    {
        let port = port(offset as u16);
        let label = format!("events-{language}");
        let mut host = HostProcess::start(
            &tools,
            &build,
            &out_dir(),
            &label,
            &modules,
            port,
            &["--trace"],
        );
        // The next host finds wine's http.sys fresh (it can be left serving nobody).
        host.fresh_wine_after();
        let answers = host_answers(port);
        let stopped = host.stop();
        stopped.assert_clean_exit(language);
        assert_eq!(answers, expected, "{language}: the host answers otherwise");
    }
}
