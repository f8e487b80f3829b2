//! The IIS host's global notifications (issue 25) held to the test server's. One script runs
//! `notifications_module` (tests/examples: it records every global notification with what its
//! provider says and answers the lines at `/notifications`) in the host under wine, with
//! `--trace-events`, and in the in-process test server with tracing on: requests (the first
//! start refused with `SetErrorStatus`, so that request is answered 500 without its pipeline
//! and the next one starts the application; a trace event; a module telling the server of a
//! configuration and a file change) and every on-demand notification (the host's
//! `/__global/...` URLs, the test server's methods of the same names, an RSCA query's answer
//! included). Every answer must be the same from
//! both, byte for byte (an on-demand one as the test server's `Raised` reads), and so must
//! every request's trace and the lines of the shutdown: `GL_STOP_LISTENING`, then
//! `GL_APPLICATION_STOP`.

#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../examples/notifications_module.rs"]
mod notifications_module;

use harness::{curl, Arch, HostProcess};
use httpserv::testing::{Raised, Request, TestServer};
use httpserv_tests::support::workspace_root;
use std::path::{Path, PathBuf};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (iis_host.rs takes offsets below 100, hostile_requests.rs the 100s,
/// request_bodies.rs the 200s, response_splitting.rs the 300s).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (400 + offset) * 7
}

/// One step of the script.
enum Step {
    /// A GET request for this path.
    Get(&'static str),
    /// An on-demand notification: the name after `/__global/`, and its query's parameters.
    Raise(&'static str, &'static [(&'static str, &'static str)]),
}

const SCRIPT: &[Step] = &[
    // Before the application runs, a thread worked for none.
    Step::Raise("thread-cleanup", &[]),
    Step::Get("/notifications"),
    Step::Get("/notifications"),
    Step::Raise("health-check", &[]),
    Step::Raise("cache-cleanup", &[]),
    Step::Raise("thread-cleanup", &[]),
    Step::Raise(
        "configuration-change",
        &[("path", "MACHINE/WEBROOT/APPHOST/Default Web Site")],
    ),
    Step::Raise("configuration-change", &[("path", "MACHINE/WEBROOT/fail")]),
    Step::Raise(
        "file-change",
        &[("file", "C:\\inetpub\\wwwroot\\web.config")],
    ),
    Step::Raise("custom-notification", &[("type", "mine")]),
    Step::Raise("custom-notification", &[("type", "theirs")]),
    Step::Raise("application-preload", &[]),
    Step::Raise("cache-operation", &[("operation", "1")]),
    Step::Raise(
        "rsca-query",
        &[("function", "Status"), ("parameters", "all & more")],
    ),
    Step::Get("/trace"),
    Step::Get("/notify"),
    Step::Get("/notifications"),
];

/// What an on-demand notification raised, as the host answers it.
fn answer(raised: &Raised) -> String {
    let mut text: String = raised
        .trace
        .iter()
        .map(|line| format!("{line}\n"))
        .collect();
    text.push_str(&format!("handled {}\n", raised.handled));
    match raised.error {
        Some(error) => text.push_str(&format!("error {:#010x}\n", error.0)),
        None => text.push_str("error none\n"),
    }
    if let Some((bytes, result)) = &raised.result {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        text.push_str(&format!("result {hex} {:#010x}\n", result.0));
    }
    text
}

/// What one server did with the script.
struct Run {
    /// Status and body of each step.
    answers: Vec<(u16, String)>,
    /// The trace of each request.
    traces: Vec<Vec<String>>,
    /// The `notify` lines of the shutdown.
    shutdown: Vec<String>,
}

/// The test server's run of the script.
fn in_process() -> Run {
    let server = TestServer::new()
        .load("notifications_module", notifications_module::RegisterModule)
        .tracing();
    let (mut answers, mut traces) = (Vec::new(), Vec::new());
    for step in SCRIPT {
        match step {
            Step::Get(path) => {
                let response = server.request(Request::get(path));
                answers.push((response.status, response.text().to_string()));
                traces.push(response.trace.clone());
            }
            Step::Raise(name, parameters) => {
                let argument = |name: &str| {
                    parameters
                        .iter()
                        .find(|(parameter, _)| *parameter == name)
                        .map_or("", |(_, value)| *value)
                };
                let raised = match *name {
                    "health-check" => server.health_check(),
                    "cache-cleanup" => server.cache_cleanup(),
                    "thread-cleanup" => server.thread_cleanup(),
                    "configuration-change" => server.configuration_change(argument("path")),
                    "file-change" => server.file_change(argument("file")),
                    "custom-notification" => server.custom_notification(argument("type")),
                    "application-preload" => server.application_preload(),
                    "cache-operation" => {
                        server.cache_operation(argument("operation").parse().unwrap())
                    }
                    "rsca-query" => server.rsca_query(argument("function"), argument("parameters")),
                    other => panic!("{other}: not a step of the script"),
                };
                answers.push((200, answer(&raised)));
            }
        }
    }
    Run {
        answers,
        traces,
        shutdown: server.shutdown(),
    }
}

/// `text` for a query value: `%XX` for every byte but letters, digits, `/`, `-`, `.`.
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The host's `--trace` lines of request `number`, without its `received`.
fn trace_of(output: &str, number: usize) -> Vec<String> {
    let prefix = format!("trace: request {number} ");
    output
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .filter(|l| *l != "received")
        .map(str::to_string)
        .collect()
}

#[test]
fn global_notifications_in_the_host_match_the_test_server() {
    let Run {
        answers: expected,
        traces,
        shutdown,
    } = in_process();
    // The test server's own answers, as the example's tests hold them.
    assert_eq!(expected[1].0, 500);
    assert_eq!(expected[7].1.lines().last(), Some("error 0x80004005"));
    // "Status: all & more", in hex, from the module's output buffer.
    let rsca = &expected[13].1;
    assert!(
        rsca.ends_with("result 5374617475733a20616c6c2026206d6f7265 0x00000000\n"),
        "{rsca}"
    );
    assert_eq!(
        shutdown,
        [
            "notify GL_STOP_LISTENING notifications_module",
            "notify GL_APPLICATION_STOP notifications_module"
        ]
    );
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!(
                "global notifications in the IIS host: {reason}"
            ));
            return;
        }
    };
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let module = harness::only(&build.rust_only, &["notifications_module"]);
    let port = port(0);
    let extra = ["--trace", "--trace-events"];
    let host = HostProcess::start(&tools, &build, &out_dir(), "global", &module, port, &extra);
    let mut answers = Vec::new();
    for step in SCRIPT {
        let path = match step {
            Step::Get(path) => path.to_string(),
            Step::Raise(name, parameters) => {
                let query: Vec<String> = parameters
                    .iter()
                    .map(|(name, value)| format!("{name}={}", encoded(value)))
                    .collect();
                format!("/__global/{name}?{}", query.join("&"))
            }
        };
        let exchange = curl(&tools, port, &path, &[]);
        answers.push((exchange.status, exchange.body));
    }
    let stopped = host.stop();
    let context = format!(
        "host output:\n{}\nstderr:\n{}",
        stopped.stdout, stopped.stderr
    );
    assert_eq!(stopped.code, Some(0), "{context}");
    for (index, (host, server)) in answers.iter().zip(&expected).enumerate() {
        assert_eq!(host, server, "step {index} differs\n{context}");
    }
    for (index, trace) in traces.iter().enumerate() {
        assert_eq!(
            &trace_of(&stopped.stdout, index + 1),
            trace,
            "request {} differs\n{context}",
            index + 1
        );
    }
    let global: Vec<&str> = stopped
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("trace: global "))
        .collect();
    let shutdown: Vec<&str> = shutdown.iter().map(String::as_str).collect();
    assert!(global.ends_with(&shutdown), "{global:?}\n{context}");
    for line in ["stop listening, drain true", "stop Some(4)"] {
        let line = format!("notifications_module: {line}");
        assert!(
            stopped.stderr.lines().any(|l| l == line),
            "{line}\n{context}"
        );
    }
}
