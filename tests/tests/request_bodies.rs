//! No request body is lost (issue 30). `body_module` (tests/examples/body_module.rs: `POST
//! /upper` answers the body upper-cased, and refuses one over 64 KiB with 413) and its C++
//! twin (tests/iis_host/modules/body_module.cpp) run in the IIS host of `tests/iis_host`
//! under wine, over raw TCP, one connection at a time. Bodies of 0 B, 1 B, 15 KiB,
//! 16 KiB + 1, 64 KiB and 64 KiB + 1 with a Content-Length must arrive whole: the echo is the
//! body upper-cased, byte for byte, or the 413 the module chose past 64 KiB, and both
//! languages answer the same bytes. Three hosts per language: the default receive buffer (a
//! body comes whole with the request), a 16 KiB one (the rest comes through
//! HttpReceiveRequestEntityBody when the module reads it: the old host lost it), and IIS's
//! maxAllowedContentLength lowered to 64 KiB (413.1 from request filtering, the module not
//! run). The test server, given the same module (its source built in here) and the same
//! requests, must answer each as the host did.
//!
//! Then, on a host of their own per language, what is hard on wine's http.sys: the same
//! bodies and 1 MiB and 5 MiB chunked (wine does not deliver chunked bodies: the host answers
//! 501 rather than hand modules an empty body), clients that vanish mid-upload and
//! mid-answer, and 1 MiB and 5 MiB with a Content-Length (wine drops uploads past its
//! socket's receive buffer, 128 KiB here, unread). After each, an ordinary request must be
//! answered. wine loses some requests, and after some of these clients stops serving at
//! all; the host's log tells that from a failure of the host (it never received them), so a
//! lost request is sent again, and a wine that has stopped is reported (`WINE:` lines) and
//! ends that host's run.

extern crate httpserv as real_httpserv;
extern crate self as httpserv;
pub use httpserv_tests::register_module_in_process as register_module;
pub use real_httpserv::*;

#[path = "../examples/body_module.rs"]
mod body_module;
#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with tests/iis_host.rs, which uses the rest
mod harness;
#[path = "../iis_host/raw_http.rs"]
#[allow(dead_code)] // byte at a time: hostile_requests.rs; exchange_raw: response_splitting.rs
mod raw_http;

use harness::{Arch, Build, HostProcess, Tools};
use httpserv::testing::detailed_page;
use httpserv_tests::support::workspace_root;
use raw_http::{exchange, exchange_past_wine, Outcome, Pace, Response, WINE_FIRST_READ};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own (tests/iis_host.rs takes offsets below 100, hostile_requests.rs 100s).
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + (200 + offset) * 7
}

const KIB: usize = 1024;
/// Bodies wine delivers whole.
const SIZES: &[usize] = &[0, 1, 15 * KIB, 16 * KIB + 1, 64 * KIB, 64 * KIB + 1];
/// Bodies it drops unread (past WINE_DROPS_PAST).
const OVERSIZED: &[usize] = &[KIB * KIB, 5 * KIB * KIB];
/// The largest body body_module echoes.
const MODULE_LIMIT: usize = 64 * KIB;
/// wine's http.sys drops requests past its socket's receive buffer (128 KiB here).
const WINE_DROPS_PAST: usize = 128 * KIB;

/// What a request got.
#[derive(Debug, Clone, PartialEq)]
enum Got {
    /// The body back upper-cased, every byte, with its length in X-Body-Length.
    Echo(usize),
    /// body_module's 413.
    ModuleRefused,
    /// Request filtering's 413.1 (maxAllowedContentLength).
    Filtered,
    /// The host's 501 for a chunked body wine does not deliver.
    ChunkedRefused,
    /// The connection closed with no answer.
    Closed,
    /// No answer and no close: wine stopped reading the upload.
    Silent,
}

/// The body of `n` bytes sent: every byte value, lower-case letters among them.
fn body(n: usize) -> Vec<u8> {
    (0..n).map(|i| ((i * 131 + 7) % 256) as u8).collect()
}

fn post(port: u16, n: usize, chunked: bool) -> Vec<u8> {
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {n}")
    };
    let mut request =
        format!("POST /upper HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{framing}\r\n\r\n").into_bytes();
    let sent = body(n);
    if !chunked {
        request.extend_from_slice(&sent);
        return request;
    }
    for chunk in sent.chunks(8 * KIB) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
}

/// What `response` to a body of `n` bytes is; panics on anything unexpected.
fn got(response: &Response, n: usize, what: &str) -> Got {
    let text = response.text();
    match (response.status, response.reason.as_str()) {
        (200, "OK") => {
            let mut expected = body(n);
            expected.make_ascii_uppercase();
            assert!(
                response.body == expected,
                "{what}: the echo is not the body upper-cased ({} bytes back)",
                response.body.len()
            );
            assert_eq!(
                response.header("X-Body-Length"),
                Some(n.to_string().as_str()),
                "{what}"
            );
            assert_eq!(
                response.header("Content-Type"),
                Some("application/octet-stream"),
                "{what}"
            );
            Got::Echo(n)
        }
        (413, "Content Too Large") if text == "the body is over 64 KiB\n" => Got::ModuleRefused,
        // Request filtering's 413.1, with IIS's detailed error page.
        (413, "Request Entity Too Large")
            if text == detailed_page(413, 1, "Request Entity Too Large", 0, None) =>
        {
            Got::Filtered
        }
        (501, "Not Implemented") if text.contains("wine's http.sys does not deliver chunked") => {
            Got::ChunkedRefused
        }
        _ => panic!("{what}: unexpected {response:?}"),
    }
}

/// What a body of `n` bytes may get: what IIS would answer, or what wine makes of it.
fn allowed(n: usize, chunked: bool, limit: Option<usize>) -> Vec<Got> {
    let iis = match limit {
        Some(limit) if !chunked && n > limit => Got::Filtered,
        _ if n > MODULE_LIMIT => Got::ModuleRefused,
        _ => Got::Echo(n),
    };
    let mut may = vec![];
    match (chunked, n > WINE_DROPS_PAST) {
        (false, false) => may.push(iis),
        // Past its receive buffer wine closes the connection unread, or stops reading it.
        (false, true) => may.extend([iis, Got::Closed, Got::Silent]),
        // The head is delivered, the body never: the host answers at once. wine then takes the
        // rest for a next request, answers 400 and shuts the connection both ways; chunk
        // bytes still arriving make the kernel reset it, which can discard the host's answer
        // before the client reads it. Bodies within wine's first read (8 KiB) all arrive
        // before that.
        // Or wine stops reading the connection, the host's answer unsent or unread.
        (true, _) if n >= WINE_FIRST_READ => {
            may.extend([Got::ChunkedRefused, Got::Closed, Got::Silent])
        }
        (true, _) => may.push(Got::ChunkedRefused),
    }
    may
}

/// The requests the pipeline answered, as counted from the answers.
#[derive(Debug, Default)]
struct Tally {
    served: usize,
}

/// A host and its port, with the requests wine lost and were sent again (see
/// `raw_http::exchange_past_wine`).
struct Wine<'a> {
    host: &'a HostProcess,
    port: u16,
    retries: std::cell::Cell<usize>,
}

/// wine's http.sys stopped serving: none of the sendings of this request reached the host.
struct WineStopped(String);

impl Wine<'_> {
    fn exchange(&self, request: &[u8], timeout: Duration) -> Result<Outcome, WineStopped> {
        let before = self.host.requests_seen();
        let mut retries = 0;
        let taken = || self.host.requests_seen();
        let pace = Pace::Whole;
        let outcome =
            exchange_past_wine(self.port, request, pace, 1, timeout, &taken, &mut retries);
        let head = String::from_utf8_lossy(&request[..request.len().min(60)]).into_owned();
        let what = format!("{} bytes, {head:?}", request.len());
        if retries > 0 {
            eprintln!("WINE: lost and sent again {retries} times: {what}");
            self.retries.set(self.retries.get() + retries);
        }
        let lost = match &outcome {
            Outcome::Closed { answered, .. } | Outcome::Silent { answered } => answered.is_empty(),
            Outcome::Answered(_) => false,
        };
        if lost && self.host.requests_seen() == before {
            return Err(WineStopped(what));
        }
        Ok(outcome)
    }
}

/// One upload of `n` bytes: what it is called, what it got, and the answer if one came.
fn upload(
    host: &Wine<'_>,
    label: &str,
    n: usize,
    chunked: bool,
    limit: Option<usize>,
) -> Result<(String, Got, Option<Response>), WineStopped> {
    let port = host.port;
    let framing = if chunked {
        "chunked"
    } else {
        "with a Content-Length"
    };
    let what = format!("{label}: {n} bytes {framing}");
    let started = Instant::now();
    let request = post(port, n, chunked);
    // What wine drops is not sent again.
    let outcome = if n > WINE_DROPS_PAST {
        exchange(port, &request, Pace::Whole, 1, Duration::from_secs(5))
    } else {
        host.exchange(&request, Duration::from_secs(5))?
    };
    let (result, response) = match outcome {
        // The answer may come while the client is still writing, then the close.
        Outcome::Answered(mut answered) | Outcome::Closed { mut answered, .. }
            if !answered.is_empty() =>
        {
            let response = answered.remove(0);
            (got(&response, n, &what), Some(response))
        }
        Outcome::Closed { .. } => (Got::Closed, None),
        Outcome::Silent { .. } => (Got::Silent, None),
        other => panic!("{what}: {other:?}"),
    };
    let may = allowed(n, chunked, limit);
    assert!(
        may.contains(&result),
        "{what}: got {result:?}; allowed {may:?}"
    );
    eprintln!("{what} -> {result:?} in {:.1?}", started.elapsed());
    Ok((what, result, response))
}

/// The deliverable bodies with a Content-Length, each followed by an ordinary request; what
/// each got and its answer go to `answers`.
fn send_bodies(
    host: &Wine<'_>,
    label: &str,
    limit: Option<usize>,
    tally: &mut Tally,
    answers: &mut Vec<(String, Option<Response>)>,
) -> Result<(), WineStopped> {
    for &n in SIZES {
        let (what, result, response) = upload(host, label, n, false, limit)?;
        tally.served += usize::from(!matches!(result, Got::Closed | Got::Silent));
        answers.push((what.clone(), response));
        still_serving(host, &what)?;
        tally.served += 1;
    }
    Ok(())
}

/// An ordinary POST must be answered: sent again while wine loses it, a failure when the
/// host took it and gave no right answer.
fn still_serving(host: &Wine<'_>, after: &str) -> Result<(), WineStopped> {
    let port = host.port;
    let request = format!(
        "POST /upper HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 10\r\n\r\nstill here"
    );
    match host.exchange(request.as_bytes(), Duration::from_secs(5))? {
        Outcome::Answered(r) if r[0].status == 200 && r[0].body == b"STILL HERE" => Ok(()),
        other => panic!("after {after}, an ordinary request got {other:?}"),
    }
}

/// What a client hard on wine does, by name: chunked uploads (the host refuses them; wine
/// then reads the chunks as a next request and resets the connection), clients that vanish
/// halfway through an upload (wine never delivers it), right after a whole one (wine may
/// deliver it; the answer finds the client gone) and after 100 bytes of a 64 KiB answer;
/// then the uploads wine drops.
fn hard_clients(port: u16) -> Vec<(String, Client)> {
    let head = move |n: usize| {
        format!("POST /upper HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: {n}\r\n\r\n")
            .into_bytes()
    };
    let mut clients: Vec<(String, Client)> = Vec::new();
    for &n in SIZES.iter().chain(OVERSIZED) {
        let client: Client = Box::new(move |wine| upload(wine, "", n, true, None).map(drop));
        clients.push((format!("an upload of {n} bytes chunked"), client));
    }
    let abandoned: Client = Box::new(move |_| {
        raw_http::send_and_vanish(port, &[head(50_000), body(20_000)].concat());
        Ok(())
    });
    let gone: Client = Box::new(move |_| {
        raw_http::send_and_vanish(port, &[head(40_000), body(40_000)].concat());
        Ok(())
    });
    let half_read: Client = Box::new(move |_| {
        let read = raw_http::read_part_and_vanish(port, &post(port, MODULE_LIMIT, false), 100);
        assert!(read >= 100, "only {read} bytes of the answer came");
        Ok(())
    });
    clients.push(("an upload abandoned halfway".into(), abandoned));
    clients.push(("a client gone before its answer".into(), gone));
    clients.push(("an answer abandoned after 100 bytes".into(), half_read));
    for &n in OVERSIZED {
        let client: Client = Box::new(move |wine| upload(wine, "", n, false, None).map(drop));
        clients.push((
            format!("an upload of {n} bytes with a Content-Length"),
            client,
        ));
    }
    clients
}

type Client = Box<dyn Fn(&Wine<'_>) -> Result<(), WineStopped>>;

/// Says that wine's http.sys stopped serving, with what was sent last.
fn report_wine_stopped(label: &str, after: &str, stopped: &WineStopped) {
    eprintln!(
        "WINE: {label}: after {after}, wine's http.sys stopped serving: it handed none of five \
         sendings of {} to the host (a wine bug, tests/iis_host/README.md); the rest of this \
         host's requests are not sent",
        stopped.0
    );
}

/// Serves the deliverable bodies with one language's body_module; the answers.
fn run_host(
    tools: &Tools,
    build: &Build,
    language: &str,
    module: &(String, PathBuf),
    config: &Config,
    port: u16,
) -> Vec<(String, Option<Response>)> {
    let label = format!("{language}, {}", config.name);
    let name = format!("bodies-{language}-{}", config.file);
    let modules = std::slice::from_ref(module);
    let mut host = HostProcess::start(tools, build, &out_dir(), &name, modules, port, config.args);
    // wine's http.sys carries state from one host to the next; each host gets a fresh one.
    host.fresh_wine_after();
    let mut tally = Tally::default();
    let mut answers = Vec::new();
    let wine = Wine {
        host: &host,
        port,
        retries: Default::default(),
    };
    let sent = send_bodies(&wine, &label, config.limit, &mut tally, &mut answers);
    if let Err(stopped) = &sent {
        let last = answers
            .last()
            .map_or("the start", |(what, _)| what.as_str());
        report_wine_stopped(&label, last, stopped);
    }
    check_log(host, &label, &tally, sent.is_err());
    answers
}

/// The hard clients, each followed by an ordinary request, on a host of their own with a
/// fresh wine after it. When wine's http.sys stops serving (it can, after a connection closed
/// on a request it had not all read), that is reported and the other clients are not sent.
fn hard_clients_run(
    tools: &Tools,
    build: &Build,
    language: &str,
    module: &(String, PathBuf),
    port: u16,
) {
    let label = format!("{language}, clients hard on wine");
    let name = format!("bodies-{language}-hard");
    let modules = std::slice::from_ref(module);
    let mut host = HostProcess::start(tools, build, &out_dir(), &name, modules, port, &["--trace"]);
    host.fresh_wine_after();
    let wine = Wine {
        host: &host,
        port,
        retries: Default::default(),
    };
    let mut stopped = false;
    for (what, client) in hard_clients(port) {
        if let Err(wine_stopped) = client(&wine).and_then(|()| still_serving(&wine, &what)) {
            report_wine_stopped(&label, &what, &wine_stopped);
            stopped = true;
            break;
        }
        eprintln!("{label}: {what}: still serving");
    }
    let output = host.output();
    assert_eq!(
        harness::failed_response(&output),
        None,
        "{label}:\n{output}"
    );
    if stopped {
        return;
    }
    let stopped = host.stop();
    let output = format!("{label}:\n{}\n{}", stopped.stdout, stopped.stderr);
    assert!(
        stopped.wine_stopped_serving || stopped.code == Some(0),
        "{output}"
    );
    assert_eq!(harness::failed_response(&stopped.stdout), None, "{output}");
}

/// The host took exactly the requests answered, and failed none; asked to stop, it exits 0.
/// When wine had stopped serving (before `/__shutdown` too, see `HostProcess::stop`), the
/// host is killed and its output so far checked.
fn check_log(host: HostProcess, label: &str, tally: &Tally, wine_stopped: bool) {
    let (stdout, stderr) = if wine_stopped {
        (host.output(), host.errors())
    } else {
        let stopped = host.stop();
        stopped.assert_clean_exit(label);
        (stopped.stdout, stopped.stderr)
    };
    let context = format!("{label}: host output:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(harness::failed_response(&stdout), None, "{context}");
    let seen = harness::requests_in(&stdout);
    assert_eq!(seen, tally.served, "the requests the host took\n{context}");
}

/// A response without its body's bytes (up to 64 KiB): status, headers, length, digest.
fn summary(response: &Response) -> String {
    let digest = response
        .body
        .iter()
        .fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(b as u64));
    format!(
        "{} {} {:?} body of {} bytes (digest {digest:x})",
        response.status,
        response.reason,
        response.headers,
        response.body.len()
    )
}

/// The test server's answer to what `config`'s host was sent: the same modules, the same
/// request limit, the same bodies with a Content-Length.
fn test_server_answers(config: &Config) -> Vec<httpserv::testing::Response> {
    use httpserv::testing::{Request, RequestLimits, TestServer};
    let limits = RequestLimits {
        max_allowed_content_length: config.limit.map_or(30_000_000, |n| n as u64),
        ..RequestLimits::IIS_DEFAULT
    };
    let server = TestServer::new()
        .load("body_module", body_module::RegisterModule)
        .request_limits(limits);
    SIZES
        .iter()
        .map(|&n| server.request(Request::post("/upper").body(body(n))))
        .collect()
}

/// The host's answer and the test server's agree: status, reason, body, and the headers the
/// module or IIS set (not the transport's `Date`, `Server`, …).
fn assert_same(what: &str, host: &Response, test: &httpserv::testing::Response) {
    let same = host.status == test.status
        && host.reason == test.reason
        && host.body == test.body
        && ["Content-Type", "Content-Length", "X-Body-Length"]
            .iter()
            .all(|name| host.header(name) == test.header(name));
    assert!(
        same,
        "{what}: the host and the test server answer differently:\n{}\n{} {} {:?} body of {} bytes",
        summary(host),
        test.status,
        test.reason,
        test.headers,
        test.body.len()
    );
}

struct Config {
    name: &'static str,
    file: &'static str,
    args: &'static [&'static str],
    limit: Option<usize>,
}

const CONFIGS: &[Config] = &[
    Config {
        name: "default receive buffer",
        file: "default",
        args: &["--trace"],
        limit: None,
    },
    Config {
        name: "16 KiB receive buffer",
        file: "16k",
        args: &["--trace", "--receive-buffer", "16384"],
        limit: None,
    },
    Config {
        name: "maxAllowedContentLength 64 KiB",
        file: "limit",
        args: &["--trace", "--max-allowed-content-length", "65536"],
        limit: Some(64 * KIB),
    },
];

#[test]
fn every_byte_of_a_request_body_arrives() {
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!(
                "request bodies through the IIS host: {reason}"
            ));
            return;
        }
    };
    let started = Instant::now();
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    let built = started.elapsed();
    let rust = harness::only(&build.rust, &["body_module"]).remove(0);
    let cpp = harness::only(&build.cpp, &["body_module"]).remove(0);
    for (index, config) in CONFIGS.iter().enumerate() {
        let offset = index as u16 * 2;
        let from_rust = run_host(&tools, &build, "Rust", &rust, config, port(offset));
        let from_cpp = run_host(&tools, &build, "C++", &cpp, config, port(offset + 1));
        let from_test_server = test_server_answers(config);
        for ((what, host), test) in from_rust.iter().zip(&from_test_server) {
            if let Some(host) = host {
                assert_same(what, host, test);
            }
        }
        for ((what, r), (_, c)) in from_rust.iter().zip(&from_cpp) {
            if let (Some(r), Some(c)) = (r, c) {
                assert!(
                    r == c,
                    "{what}: Rust and C++ answer differently:\n{}\n{}",
                    summary(r),
                    summary(c)
                );
            }
        }
    }
    // Last, and each on a fresh wine: they may leave wine's http.sys serving nobody.
    hard_clients_run(&tools, &build, "Rust", &rust, port(6));
    hard_clients_run(&tools, &build, "C++", &cpp, port(7));
    eprintln!(
        "request bodies: built in {built:.1?}, served in {:.1?}",
        started.elapsed() - built
    );
}
