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
//!
//! `notifications_module.rs`, which records every global notification with what its provider
//! says, is the recorder of the test server's on-demand global notifications here: their
//! arguments, priorities, `Handled`, a failed status, a panicking module, and a module raising
//! them through the server. (The test server's own tests, `test-server/src/tests/global.rs`,
//! keep the application's lifecycle and state.)

extern crate httpserv as real_httpserv;
extern crate self as httpserv;
pub use httpserv_tests::register_module_in_process as register_module;
pub use real_httpserv::*;

#[path = "../examples/hello_module.rs"]
mod hello_module;
#[path = "../examples/minimal_module.rs"]
mod minimal_module;
#[path = "../examples/notifications_module.rs"]
mod notifications_module;

use httpserv::module::{
    GlobalContext, GlobalModule, GlobalNotification, GlobalNotifications, HttpContext, HttpModule,
    Notification, Priority,
};
use httpserv::testing::{Raised, Request, Response, TestServer};
use httpserv_tests::pages;
use std::sync::{Arc, Mutex};
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

/// `notifications_module` alone, its application not started yet.
fn recording() -> TestServer {
    TestServer::new().load("notifications_module", notifications_module::RegisterModule)
}

/// The lines `notifications_module` recorded since it was last asked. Its first application
/// start is refused, so the first request asking is answered 500 and the next one answers
/// (after the lines of its application's start).
fn recorded(server: &TestServer) -> Vec<String> {
    let mut answer = server.request(Request::get("/notifications"));
    if answer.status == 500 {
        answer = server.request(Request::get("/notifications"));
    }
    assert_eq!(answer.status, 200, "{}", answer.text());
    answer.text().lines().map(String::from).collect()
}

/// The lines a test's own modules write.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: String) {
        self.0.lock().unwrap().push(line);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

#[test]
fn the_on_demand_notifications_carry_their_arguments() {
    let server = recording();
    let raised = server.configuration_change("MACHINE/WEBROOT/APPHOST/site");
    assert_eq!(
        raised,
        Raised {
            trace: vec!["notify GL_CONFIGURATION_CHANGE notifications_module".to_string()],
            handled: false,
            error: None,
            result: None,
        }
    );
    server.file_change("C:\\inetpub\\wwwroot\\web.config");
    server.custom_notification("theirs");
    server.health_check();
    server.cache_cleanup();
    // Before the application runs, the thread worked for none.
    server.thread_cleanup();
    let raised = server.cache_operation(CACHE_OPERATION_DELETE);
    assert_eq!(
        raised.trace,
        ["notify GL_CACHE_OPERATION notifications_module"]
    );
    assert_eq!(raised.result, None);
    assert_eq!(
        recorded(&server)[..7],
        [
            "configuration MACHINE/WEBROOT/APPHOST/site",
            "file C:\\inetpub\\wwwroot\\web.config monitor false",
            "custom theirs",
            "health check, module id true",
            "cache cleanup",
            "thread cleanup None",
            &*format!("cache operation {CACHE_OPERATION_DELETE} key false record false"),
        ]
    );
    server.thread_cleanup();
    assert_eq!(recorded(&server), ["thread cleanup Some(1)"]);
}

/// A second global module, at a higher priority for custom notifications; panics on
/// `/panic` configuration changes. Where it ran shows in the notifications' traces.
struct Second;

#[httpserv::module]
impl GlobalModule for Second {
    const PRIORITIES: &'static [(GlobalNotifications, Priority)] =
        &[(GlobalNotifications::CUSTOM_NOTIFICATION, Priority::High)];

    fn on_configuration_change(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalConfigurationChangeProvider>,
    ) -> GlobalNotification {
        if ctx.change_path().unwrap_or_default().ends_with("/panic") {
            panic!("a global module panicked");
        }
        GlobalNotification::Continue
    }

    fn on_custom_notification(
        &self,
        _: &mut GlobalContext<'_, ICustomNotificationProvider>,
    ) -> GlobalNotification {
        GlobalNotification::Continue
    }
}

/// `notifications_module`, then `Second`.
fn two() -> TestServer {
    recording().load_with("second", |r| r.global_module(Second))
}

#[test]
fn priorities_handled_and_a_failed_error_status_order_and_stop_a_notification() {
    let server = two();
    // Second asked for High at custom notifications, so it runs first there; a handled
    // notification stops after the recorder, with nobody left to skip.
    let raised = server.custom_notification("mine");
    assert_eq!(
        raised.trace,
        [
            "notify GL_CUSTOM_NOTIFICATION second",
            "notify GL_CUSTOM_NOTIFICATION notifications_module"
        ]
    );
    assert!(raised.handled);
    // Equal priorities in load order; the recorder's failure stops the notification there.
    let raised = server.configuration_change("MACHINE/fail");
    assert_eq!(
        raised.trace,
        ["notify GL_CONFIGURATION_CHANGE notifications_module"]
    );
    assert_eq!(raised.error, Some(runtime::E_FAIL));
    let raised = server.configuration_change("MACHINE/ok");
    assert_eq!(
        raised.trace,
        [
            "notify GL_CONFIGURATION_CHANGE notifications_module",
            "notify GL_CONFIGURATION_CHANGE second"
        ]
    );
    assert_eq!(raised.error, None);
    assert_eq!(
        recorded(&server)[..3],
        [
            "custom mine",
            "configuration MACHINE/fail",
            "configuration MACHINE/ok"
        ]
    );
}

#[test]
fn a_panicking_global_module_continues_and_the_server_goes_on() {
    let server = two();
    let raised = server.configuration_change("MACHINE/panic");
    assert_eq!(
        raised.trace,
        [
            "notify GL_CONFIGURATION_CHANGE notifications_module",
            "notify GL_CONFIGURATION_CHANGE second"
        ]
    );
    assert!(!raised.handled);
    assert_eq!(server.health_check().trace.len(), 1);
    assert_eq!(
        recorded(&server)[..2],
        [
            "configuration MACHINE/panic",
            "health check, module id true"
        ]
    );
}

/// A module's own custom notification provider.
struct Custom;

impl IHttpEventProvider_Impl for Custom {
    fn SetErrorStatus(&self, _: runtime::HRESULT) {}
}

// SAFETY: returns a NUL-terminated static string.
unsafe impl ICustomNotificationProvider_Impl for Custom {
    fn QueryNotificationType(&self) -> windows_sys::core::PCWSTR {
        static KIND: [u16; 5] = [b'm' as u16, b'i' as u16, b'n' as u16, b'e' as u16, 0];
        KIND.as_ptr()
    }
}

/// Raises global notifications through the server, as a module does in IIS.
struct Notifier {
    log: Log,
}

#[httpserv::module]
impl HttpModule for Notifier {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let path: Vec<u16> = "MACHINE/WEBROOT/APPHOST/from-a-module"
            .encode_utf16()
            .chain([0])
            .collect();
        let provider = ICustomNotificationProvider::new_boxed(Custom);
        // SAFETY: the server outlives the call; the path is NUL-terminated; the provider is
        // live for the call and released once, after it.
        let status = unsafe {
            ctx.server().NotifyConfigurationChange(path.as_ptr());
            let status = ctx.server().NotifyCustomNotification(provider);
            runtime::Object::<Custom>::release(provider, true);
            status
        };
        self.log.push(format!("custom status {status}"));
        Notification::Continue
    }
}

#[test]
fn a_module_raises_global_notifications_through_the_server() {
    let log = Log::default();
    let notifier = log.clone();
    // After notifications_module, whose `/notifications` answer ends the request before the
    // notifier's turn: only the request to `/` raises.
    let server = recording().load_with("notifier", move |r| {
        r.request_module(move || Notifier {
            log: notifier.clone(),
        })
    });
    // The first request's application start is refused: no request notification runs.
    assert_eq!(server.request(Request::get("/")).status, 500);
    server.request(Request::get("/"));
    let lines = recorded(&server);
    assert_eq!(
        lines[lines.len() - 2..],
        [
            "configuration MACHINE/WEBROOT/APPHOST/from-a-module",
            "custom mine",
        ]
    );
    // notifications_module handles the custom notifications of type "mine".
    assert_eq!(log.take(), ["custom status 1"]);
}
