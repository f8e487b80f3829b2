//! One hostile request must not stop the IIS host (issue 32). Over raw TCP on loopback, one
//! connection at a time, the host of `tests/iis_host` (under wine, with `hello_module` and
//! `minimal_module`, Rust DLLs then their C++ twins) gets very long URLs and query strings
//! (60 KB, 200 KB, 2 MB), oversized and numerous headers, invalid UTF-8 and NULs in path,
//! query and header values, unknown and malformed methods, HTTP/1.0, pipelined requests, a
//! client sending its request a byte at a time, and a Host no URL is registered for; after
//! each, an ordinary request must be answered.
//!
//! Each answer is told by who gave it: the pipeline (a module's `X-Powered-By` is on it), the
//! host answering as http.sys would (`Server: Microsoft-HTTPAPI/2.0`, its error page), wine's
//! http.sys itself (its bare 400), or nobody (wine closed the connection or never delivered
//! the request). Every case lists what it may get here, the host's answer where wine delivers
//! the request and wine's where it does not (tests/iis_host/README.md sets both beside what
//! IIS gives). The host's log must agree: as many requests served and refused as answered
//! so. Bounded: 31 cases, seconds each at most. The test server, with the same modules, must
//! give what IIS gives to each case it can express (`hostile_cases.rs`).

extern crate httpserv as real_httpserv;
extern crate self as httpserv;
pub use httpserv_tests::register_module_in_process as register_module;
pub use real_httpserv::*;

#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../examples/hello_module.rs"]
#[allow(dead_code)]
mod hello_module;
#[path = "../iis_host/hostile_cases.rs"]
mod hostile_cases;
#[path = "../examples/minimal_module.rs"]
mod minimal_module;
#[path = "../iis_host/raw_http.rs"]
#[allow(dead_code)] // vanishing clients: request_bodies.rs; exchange_raw: response_splitting.rs
mod raw_http;

use harness::{Arch, Build, HostProcess, Tools};
use hostile_cases::{all_cases, answer_of, as_test_requests, get, iis_answers, Answer, Case};
use httpserv_tests::support::workspace_root;
use raw_http::{exchange, exchange_past_wine, Outcome, Pace};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (tests/iis_host.rs takes offsets below 100).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (100 + offset) * 7
}

/// What `case` got, one answer per response expected.
fn answers(case: &Case, outcome: &Outcome) -> Vec<Answer> {
    let (answered, end) = match outcome {
        Outcome::Answered(answered) => (answered, None),
        Outcome::Closed { answered, .. } => (answered, Some(Answer::Closed)),
        Outcome::Silent { answered } => (answered, Some(Answer::Silent)),
    };
    let mut got: Vec<Answer> = answered.iter().map(answer_of).collect();
    got.extend(end);
    if let (Some(text), Some(first)) = (case.body, answered.first()) {
        assert_eq!(first.text(), text, "{}: {first:?}", case.name);
    }
    got
}

/// The ordinary request every case is followed by (sent again if wine lost it).
fn still_serving(port: u16, host: &HostProcess, retries: &mut usize) -> Result<(), String> {
    let request = get(port, b"/hello?name=after", b"");
    let taken = || host.requests_seen();
    let timeout = Duration::from_secs(5);
    match exchange_past_wine(port, &request, Pace::Whole, 1, timeout, &taken, retries) {
        Outcome::Answered(r) if r[0].status == 200 && r[0].text() == "Hello, after!\n" => Ok(()),
        other => Err(format!("an ordinary request got {other:?}")),
    }
}

/// Requests served by the pipeline (request filtering's answers too) and refused on http.sys's
/// behalf, as counted from answers.
#[derive(Default, Debug)]
struct Tally {
    served: usize,
    refused: usize,
}

impl Tally {
    fn add(&mut self, got: &[Answer]) {
        self.served += got
            .iter()
            .filter(|a| matches!(a, Answer::Pipeline(_) | Answer::Filtered(_)))
            .count();
        self.refused += got
            .iter()
            .filter(|a| matches!(a, Answer::HttpSys(..)))
            .count();
    }
}

/// The requests among `got` the host took.
fn count(got: &[Answer]) -> usize {
    got.iter()
        .filter(|a| {
            matches!(
                a,
                Answer::Pipeline(_) | Answer::Filtered(_) | Answer::HttpSys(..)
            )
        })
        .count()
}

/// Runs every case against a host of `modules`; what each got, and the tally.
fn run_cases(
    tools: &Tools,
    build: &Build,
    language: &str,
    modules: &[(String, PathBuf)],
    port: u16,
) -> Vec<(&'static str, Vec<Answer>)> {
    let mut host = HostProcess::start(
        tools,
        build,
        &out_dir(),
        &format!("hostile-{language}"),
        modules,
        port,
        &["--trace"],
    );
    // Requests wine drops unread can leave its http.sys in a bad state for whoever is next.
    host.fresh_wine_after();
    let mut tally = Tally::default();
    let mut results = Vec::new();
    let mut dropped = None;
    let mut retries = 0;
    for case in &all_cases(port) {
        let started = Instant::now();
        let seen = host.requests_seen();
        // Where wine may leave a request unanswered, the wait is short.
        let quiet = case.allowed.contains(&Answer::Silent);
        let timeout = Duration::from_secs(if quiet { 3 } else { 5 });
        // wine loses some requests it should deliver: sent again when the host never had
        // them. Where it may rightly leave one unanswered, once.
        let outcome = if quiet {
            exchange(port, &case.request, case.pace, case.responses, timeout)
        } else {
            let taken = || host.requests_seen();
            let (request, pace, responses) = (&case.request, case.pace, case.responses);
            exchange_past_wine(
                port,
                request,
                pace,
                responses,
                timeout,
                &taken,
                &mut retries,
            )
        };
        let got = answers(case, &outcome);
        let expected = got.len() == case.responses && got.iter().all(|a| case.allowed.contains(a));
        let problem = match expected {
            true => still_serving(port, &host, &mut retries).err(),
            false => Some(format!(
                "{} got {got:?} ({outcome:?}); allowed: {:?}",
                case.name, case.allowed
            )),
        };
        if let Some(problem) = problem {
            // A request the host never received, sent five times, is wine's to have lost:
            // its http.sys has stopped serving. Anything else is the host's failure.
            let wine = host.running() && host.requests_seen() == seen + count(&got);
            assert!(wine, "{language}: {problem}\n{}", host.output());
            let before = dropped.map_or(String::new(), |d| format!(", having dropped {d}"));
            eprintln!(
                "WINE: {language}: at {}, wine's http.sys stopped serving{before}: sent five \
                 times, a request never reached the host ({problem}); the remaining cases are \
                 not sent",
                case.name
            );
            break;
        }
        tally.add(&got);
        tally.served += 1;
        if got
            .iter()
            .any(|a| matches!(a, Answer::Closed | Answer::Silent))
        {
            dropped = Some(case.name);
        }
        eprintln!(
            "{language}: {} -> {got:?} in {:.1?}",
            case.name,
            started.elapsed()
        );
        results.push((case.name, got));
    }
    if retries > 0 {
        eprintln!("WINE: {language}: {retries} requests lost by wine's http.sys were sent again");
    }
    check_log(host, language, &tally);
    results
}

/// The host's own count must be the answers': what was not answered never reached it. When
/// wine's http.sys stopped serving before `/__shutdown` (see `HostProcess::stop`), that is
/// reported and the count is still checked, allowing the one request in flight.
fn check_log(host: HostProcess, language: &str, tally: &Tally) {
    let stopped = host.stop();
    let (stdout, stderr) = (&stopped.stdout, &stopped.stderr);
    let context = format!("{language} host output:\n{stdout}\nstderr:\n{stderr}");
    stopped.assert_clean_exit(language);
    assert_eq!(harness::failed_response(stdout), None, "{context}");
    let answered = tally.served + tally.refused;
    let took = harness::requests_in(stdout);
    // Requests go one at a time, so when wine's http.sys stops serving, the one request in
    // flight may have reached the host with its answer lost on the way back: one more.
    let lost_in_flight = usize::from(stopped.wine_stopped_serving);
    assert!(
        (answered..=answered + lost_in_flight).contains(&took),
        "the host took {took} requests, against {tally:?}\n{context}"
    );
    let refusals = stdout
        .lines()
        .filter(|l| l.starts_with("host: refused a request"))
        .count();
    assert_eq!(refusals, tally.refused, "{context}");
}

#[test]
fn hostile_requests_leave_the_host_serving() {
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!(
                "hostile requests to the IIS host: {reason}"
            ));
            return;
        }
    };
    let started = Instant::now();
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let built = started.elapsed();
    let names = ["minimal_module", "hello_module"];
    let rust = run_cases(
        &tools,
        &build,
        "Rust",
        &harness::only(&build.rust, &names),
        port(0),
    );
    let cpp = run_cases(
        &tools,
        &build,
        "C++",
        &harness::only(&build.cpp, &names),
        port(1),
    );
    // The same answers from both languages, where wine leaves only one possible.
    let cases = all_cases(0);
    for ((name, r), (_, c)) in rust.iter().zip(&cpp) {
        let case = cases.iter().find(|c| c.name == *name).unwrap();
        if case.allowed.len() == 1 {
            assert_eq!(r, c, "{name}: Rust and C++ differ");
        }
    }
    eprintln!(
        "hostile requests: built in {built:.1?}, both languages served in {:.1?}",
        started.elapsed() - built
    );
}

/// The test server, with the same modules, answers each case it can express as IIS does
/// (the host's answer where wine leaves one possible): modules see hostile bytes as sent,
/// http.sys's limits and request filtering refuse what IIS refuses, with the same answers.
#[test]
fn the_test_server_answers_hostile_requests_as_iis() {
    use httpserv::testing::TestServer;
    let server = TestServer::new()
        .load("minimal_module", minimal_module::RegisterModule)
        .load("hello_module", hello_module::RegisterModule);
    let mut compared = 0;
    for case in all_cases(8123) {
        let (Some(requests), iis) = (as_test_requests(&case), iis_answers(&case)) else {
            continue;
        };
        assert_eq!(iis.len(), 1, "{}: IIS gives one answer", case.name);
        for request in requests {
            let sent = server.request(request);
            let response = raw_http::Response {
                status: sent.status,
                reason: sent.reason.clone(),
                headers: sent.headers.clone(),
                body: sent.body.clone(),
            };
            assert_eq!(answer_of(&response), iis[0], "{}: {sent:?}", case.name);
            if let (Some(body), Answer::Pipeline(_)) = (case.body, iis[0]) {
                assert_eq!(sent.text(), body, "{}", case.name);
            }
        }
        compared += 1;
    }
    assert!(compared >= 25, "only {compared} cases compared");
}
