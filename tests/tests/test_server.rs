//! The example modules (`tests/examples/minimal_module.rs`, `hello_module.rs`) driven in
//! process by `httpserv::testing`, with the expectations `tests/tests/iis_host.rs` holds the
//! C++ host under wine to: status, headers, bodies, the notifications each request got (the
//! host's `--trace` lines), finishing early, pending with a completion from another thread,
//! priority order, post-notifications, a panic answered with 500 while the server keeps
//! serving, and the modules' own counters (`/stats`). So the Rust test server and the C++
//! host are held to one behaviour.
//!
//! The examples are DLLs, each with its own `RegisterModule` export; linked into one test
//! binary, two exports of one name would clash. So in this crate `httpserv` is the real
//! crate with one change: `register_module!` is `httpserv_tests::register_module_in_process`,
//! which writes the same `RegisterModule`
//! function without `#[no_mangle]` (the real macro is what the DLL builds of
//! `tests/tests/iis_host.rs` uses).
//!
//! `hello_module` counts notifications in statics, so only one test here drives it.

extern crate httpserv as real_httpserv;
extern crate self as httpserv;
pub use httpserv_tests::register_module_in_process as register_module;
pub use real_httpserv::*;

#[path = "../examples/hello_module.rs"]
mod hello_module;
#[path = "../examples/minimal_module.rs"]
mod minimal_module;

use httpserv::testing::{Request, Response, TestServer};
use httpserv_tests::pages;
use std::time::{Duration, Instant};

/// The script of `tests/tests/iis_host.rs`, as requests (curl's `-d` is a POST with a form
/// body).
fn script() -> Vec<(&'static str, Request)> {
    vec![
        ("/hello?name=wine", Request::get("/hello?name=wine")),
        (
            "/echo?a=1",
            Request::get("/echo?a=1").header("X-Echo", "from-curl"),
        ),
        (
            "/echo",
            Request::post("/echo")
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body("posted body"),
        ),
        ("/deny", Request::get("/deny")),
        ("/async?ms=50", Request::get("/async?ms=50")),
        (
            "/async?ms=10&via=indicate",
            Request::get("/async?ms=10&via=indicate"),
        ),
        ("/panic", Request::get("/panic")),
        ("/hello", Request::get("/hello")),
        ("/missing", Request::get("/missing")),
        ("/stats", Request::get("/stats")),
    ]
}

/// What each request of the script must get: status and body (`iis_host.rs`'s table).
fn expected(index: usize) -> (u16, &'static str) {
    let echo_get = "method: GET\nurl: /echo\nquery: a=1\nremote: 127.0.0.1\nx-echo: from-curl\n\
                    x-hello-global: pre-begin\nx-powered-by at begin: not set\nentity: \n";
    let echo_post = "method: POST\nurl: /echo\nquery: \nremote: 127.0.0.1\nx-echo: (none)\n\
                     x-hello-global: pre-begin\nx-powered-by at begin: not set\nentity: posted body\n";
    // Ten requests so far; the handler skipped for /deny; its post-notification for /deny
    // and /panic (finished) and for this one (not yet); send, end, dispose and cleanup for
    // the nine before this one.
    let stats = "global=10 begin=10 authenticate=10 handler=9 post_handler=7 send_response=9 \
                 end=9 disposed=9 cleaned=9 async_completions=1\n";
    [
        (200, "Hello, wine!\n"),
        (200, echo_get),
        (200, echo_post),
        (403, "denied by hello_module\n"),
        (200, "async: completed after 50 ms\n"),
        (200, "async: indicated after 10 ms\n"),
        (500, pages::PANIC),
        (200, "Hello, world!\n"),
        (404, pages::NOT_FOUND),
        (200, stats),
    ][index]
}

const TRACE_HELLO: &[&str] = &[
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    // HIGH before MEDIUM, although minimal_module was loaded first.
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    "notify EXECUTE_REQUEST_HANDLER hello_module",
    "notify POST_EXECUTE_REQUEST_HANDLER hello_module",
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

const TRACE_DENY: &[&str] = &[
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    // RQ_NOTIFICATION_FINISH_REQUEST: straight to the response and the end stages.
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

const TRACE_ASYNC: &[&str] = &[
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    "notify EXECUTE_REQUEST_HANDLER hello_module",
    "pending",
    "async-completion",
    "notify POST_EXECUTE_REQUEST_HANDLER hello_module",
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

/// `IndicateCompletion` resumes the request where it was parked: no `OnAsyncCompletion`.
const TRACE_INDICATE: &[&str] = &[
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    "notify EXECUTE_REQUEST_HANDLER hello_module",
    "pending",
    "resume",
    "notify POST_EXECUTE_REQUEST_HANDLER hello_module",
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

/// The headers `iis_host.rs` checks on every answer. A panic's 500 replaces what was written
/// before it, headers included: `minimal_module`'s `X-Powered-By` (set at `BEGIN_REQUEST`) is
/// gone from `/panic`'s answer; `X-Hello-Status` is set later, at `SEND_RESPONSE`.
fn check_answer(what: &str, response: &Response, (status, body): (u16, &str)) {
    assert_eq!(
        (response.status, response.text().as_str()),
        (status, body),
        "{what}: {response:#?}"
    );
    let powered_by = (what != "/panic").then_some("Rust");
    assert_eq!(response.header("X-Powered-By"), powered_by, "{what}");
    let status = status.to_string();
    assert_eq!(
        response.header("X-Hello-Status"),
        Some(status.as_str()),
        "{what}"
    );
    // IIS's error pages are HTML; the module's answers text, and asked to be kept.
    let iis_page = [pages::PANIC, pages::NOT_FOUND].contains(&body);
    let custom_errors = if iis_page { "Apply" } else { "TrySkip" };
    assert_eq!(
        response.header("X-Hello-Custom-Errors"),
        Some(custom_errors),
        "{what}"
    );
    let content_type = if iis_page { "text/html" } else { "text/plain" };
    assert_eq!(
        response.header("Content-Type"),
        Some(content_type),
        "{what}"
    );
    let length = body.len().to_string();
    assert_eq!(
        response.header("Content-Length"),
        Some(length.as_str()),
        "{what}"
    );
}

/// The modules in the order the C++ host loads them (`--module minimal_module=… --module
/// hello_module=…`).
fn server() -> TestServer {
    TestServer::new()
        .load("minimal_module", minimal_module::RegisterModule)
        .load("hello_module", hello_module::RegisterModule)
}

#[test]
fn the_examples_answer_as_under_the_iis_host() {
    let server = server();
    let responses: Vec<Response> = script()
        .into_iter()
        .enumerate()
        .map(|(index, (what, request))| {
            let response = server.request(request);
            check_answer(what, &response, expected(index));
            response
        })
        .collect();
    assert_eq!(responses[0].trace, TRACE_HELLO);
    assert_eq!(responses[3].trace, TRACE_DENY);
    assert_eq!(responses[4].trace, TRACE_ASYNC);
    assert_eq!(responses[5].trace, TRACE_INDICATE);
    // The echo's trace event, exactly as the host prints it.
    for echo in &responses[1..3] {
        let lines: Vec<String> = echo.quick_traces.iter().map(|t| t.to_string()).collect();
        assert_eq!(lines, ["hello_module echo hr=0x0 level=4"]);
    }
    // The panic became the 500, and the bindings' guard wrote it to the request's trace.
    let panic = &responses[6].quick_traces;
    assert_eq!(panic.len(), 1, "{panic:?}");
    assert!(
        panic[0]
            .data1
            .contains("hello_module: /panic asked for a panic"),
        "{panic:?}"
    );
    assert_eq!((panic[0].hr, panic[0].level), (runtime::E_FAIL, 2));

    // A pending request does not hold up the next one: each runs on its caller's thread.
    std::thread::scope(|threads| {
        let slow = threads.spawn(|| server.request(Request::get("/async?ms=1500")));
        std::thread::sleep(Duration::from_millis(300));
        let started = Instant::now();
        let quick = server.request(Request::get("/hello?name=meanwhile"));
        let quick_time = started.elapsed();
        assert_eq!(quick.text(), "Hello, meanwhile!\n");
        // Under Miri time is the interpreter's, and interpreting /hello can take longer than
        // the 1.5 s /async waits: the order proves nothing there, only the answers do.
        if !cfg!(miri) {
            assert!(
                !slow.is_finished() && quick_time < Duration::from_millis(1000),
                "/hello took {quick_time:?} while /async?ms=1500 was pending"
            );
        }
        let slow = slow.join().unwrap();
        assert_eq!(slow.text(), "async: completed after 1500 ms\n");
        assert_eq!(slow.number, 11);
    });
}

#[test]
fn requests_are_numbered_and_traced_per_server() {
    let server = TestServer::new().load("minimal_module", minimal_module::RegisterModule);
    let first = server.request(Request::get("/"));
    let second = server.request(Request::post("/form").body("a=1"));
    assert_eq!((first.number, second.number), (1, 2));
    for response in [&first, &second] {
        assert_eq!(
            response.trace,
            ["notify BEGIN_REQUEST minimal_module", "send", "done"]
        );
        // IIS's 404 page: no module answered.
        let length = pages::NOT_FOUND.len().to_string();
        assert_eq!(response.header("Content-Length"), Some(length.as_str()));
    }
}
