//! The global notifications of an application's life the test server raises (`global.rs`),
//! received by a framework global module (`GlobalContext`, typed application state) that
//! records what it got: application start on the first request, before
//! `GL_PRE_BEGIN_REQUEST`, a refused start (`SetErrorStatus`), stop listening and application
//! stop at shutdown with the state dropped after; and trace events while tracing, with the
//! raising request's state. The on-demand notifications' arguments, priorities, `Handled`, a
//! failed status and panics are held in `tests/tests/test_server.rs`, recorded by the example
//! `notifications_module` (one recorder of what each provider says, not a copy here).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use httpserv_framework::module::{
    GlobalContext, GlobalModule, GlobalNotification, HttpContext, HttpModule, Notification,
    TraceEvent, TraceEventItem,
};

use super::Log;
use crate::runtime::E_ACCESSDENIED;
use crate::*;
use crate::{Request, TestServer};

/// Per-application state: requests counted.
struct Hits {
    count: AtomicU32,
    log: Log,
}

impl Drop for Hits {
    fn drop(&mut self) {
        let count = self.count.load(Ordering::Relaxed);
        self.log.push(format!("hits dropped at {count}"));
    }
}

/// Records the notifications of its application's life, with their arguments and the
/// application's state.
struct Recorder {
    log: Log,
    /// Fail application start this many times (`SetErrorStatus`).
    fail_starts: AtomicU32,
}

impl Recorder {
    fn new(log: &Log) -> Recorder {
        Recorder {
            log: log.clone(),
            fail_starts: AtomicU32::new(0),
        }
    }
}

#[httpserv_framework::module]
impl GlobalModule for Recorder {
    fn on_application_start(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStartProvider>,
    ) -> GlobalNotification {
        if self.fail_starts.load(Ordering::Relaxed) > 0 {
            self.fail_starts.fetch_sub(1, Ordering::Relaxed);
            self.log.push("start failed");
            ctx.set_error_status(E_ACCESSDENIED);
            return GlobalNotification::Continue;
        }
        let application = ctx.application().expect("an application");
        self.log.push(format!(
            "start {} {} {}",
            application.id().unwrap(),
            application.physical_path().unwrap(),
            application.config_path().unwrap()
        ));
        let hits = Hits {
            count: AtomicU32::new(0),
            log: self.log.clone(),
        };
        application.set_state(hits).expect("the first value");
        let again = Hits {
            count: AtomicU32::new(99),
            log: Log::default(),
        };
        // One value per module: a second one is refused (and dropped).
        assert!(application.set_state(again).is_err());
        // Another type is not a misread.
        assert!(application.state::<String>().is_none());
        GlobalNotification::Continue
    }

    fn on_application_resolve_modules(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationResolveModulesProvider>,
    ) -> GlobalNotification {
        let application = ctx.application().expect("an application");
        let hits = application.state::<Hits>().expect("set at start");
        self.log.push(format!(
            "resolve modules {}",
            hits.count.load(Ordering::Relaxed)
        ));
        GlobalNotification::Continue
    }

    fn on_pre_begin_request(&self, ctx: &mut HttpContext<'_>) -> GlobalNotification {
        let application = ctx.application().expect("the request's application");
        let hits = application.state::<Hits>().expect("set at start");
        let count = hits.count.fetch_add(1, Ordering::Relaxed) + 1;
        self.log.push(format!("pre-begin {} {count}", ctx.path()));
        GlobalNotification::Continue
    }

    fn on_application_stop(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStopProvider>,
    ) -> GlobalNotification {
        let application = ctx.application().expect("an application");
        let hits = application.state::<Hits>().expect("still there at stop");
        let count = hits.count.load(Ordering::Relaxed);
        self.log.push(format!("stop {count}"));
        GlobalNotification::Continue
    }

    fn on_stop_listening(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalStopListeningProvider>,
    ) -> GlobalNotification {
        let drain = ctx.drain_requests_gracefully();
        self.log.push(format!("stop listening, drain {drain}"));
        GlobalNotification::Continue
    }
}

fn server(log: &Log) -> TestServer {
    TestServer::new().load_with("recorder", |r| r.global_module(Recorder::new(log)))
}

#[test]
fn the_application_starts_on_its_first_request_before_pre_begin_request() {
    let log = Log::default();
    let server = server(&log);
    let first = server.request(Request::get("/one"));
    assert_eq!(
        first.trace,
        [
            "notify GL_APPLICATION_START recorder",
            "notify GL_APPLICATION_RESOLVE_MODULES recorder",
            "notify GL_PRE_BEGIN_REQUEST recorder",
            "send",
            "done"
        ]
    );
    let second = server.request(Request::get("/two"));
    assert_eq!(
        second.trace,
        ["notify GL_PRE_BEGIN_REQUEST recorder", "send", "done"]
    );
    assert_eq!(
        log.take(),
        [
            "start /LM/W3SVC/1/ROOT C:\\inetpub\\wwwroot MACHINE/WEBROOT/APPHOST/Default Web Site",
            "resolve modules 0",
            "pre-begin /one 1",
            "pre-begin /two 2",
        ]
    );
}

#[test]
fn shutdown_stops_listening_then_stops_the_application_and_drops_its_state() {
    let log = Log::default();
    let server = server(&log);
    server.request(Request::get("/"));
    server.request(Request::get("/"));
    log.take();
    assert_eq!(
        server.shutdown(),
        [
            "notify GL_STOP_LISTENING recorder",
            "notify GL_APPLICATION_STOP recorder"
        ]
    );
    assert_eq!(
        log.take(),
        ["stop listening, drain true", "stop 2", "hits dropped at 2"]
    );
}

#[test]
fn dropping_the_server_shuts_it_down_and_an_application_never_started_does_not_stop() {
    let log = Log::default();
    let started = server(&log);
    started.request(Request::get("/"));
    log.take();
    drop(started);
    assert_eq!(
        log.take(),
        ["stop listening, drain true", "stop 1", "hits dropped at 1"]
    );
    drop(server(&log));
    assert_eq!(log.take(), ["stop listening, drain true"]);
}

#[test]
fn an_application_that_fails_to_start_answers_500_and_starts_on_the_next_request() {
    let log = Log::default();
    let recorder = Recorder::new(&log);
    recorder.fail_starts.store(1, Ordering::Relaxed);
    let server = TestServer::new().load_with("recorder", |r| r.global_module(recorder));
    let refused = server.request(Request::get("/"));
    assert_eq!(refused.status, 500);
    assert_eq!(
        refused.trace,
        [
            "notify GL_APPLICATION_START recorder",
            "application-start-failed 0x80070005",
            "send",
            "done"
        ]
    );
    let served = server.request(Request::get("/"));
    assert_eq!(served.status, 404);
    assert_eq!(served.trace[0], "notify GL_APPLICATION_START recorder");
    let log = log.take();
    assert_eq!(log[0], "start failed");
    assert!(log[1].starts_with("start /LM/W3SVC/1/ROOT"), "{log:?}");
    assert_eq!(log[2..], ["resolve modules 0", "pre-begin / 1"]);
}

/// The request's tag, stored by the request module, read back by the global one.
struct Tag(String);

/// Tags each request and raises a trace event about it.
struct Tracer;

#[httpserv_framework::module]
impl HttpModule for Tracer {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let tag = ctx.path().to_string();
        ctx.set_state(Tag(tag)).expect("stored");
        let event = TraceEvent {
            name: Some("TAGGED".into()),
            provider: Some(0x3a2a4e84_4c21_4981_ae10_3fda0d9b0f83),
            area: 2,
            event: 7,
            version: 1,
            verbosity: 4,
            items: vec![TraceEventItem {
                name: Some("Path".into()),
                data_type: 13,
                data: b"abc".to_vec(),
                description: None,
            }],
        };
        ctx.raise_trace_event(&event).expect("raised");
        // The module goes on using its context after the event.
        let _ = ctx.set_response_header("X-Traced", "1");
        Notification::Continue
    }
}

/// Reads each trace event and the raising request's tag.
struct Listener {
    log: Log,
}

#[httpserv_framework::module]
impl GlobalModule for Listener {
    fn on_trace_event(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalTraceEventProvider>,
    ) -> GlobalNotification {
        let event = ctx.event().expect("the event");
        let tag = ctx.request_state::<Tag>().map(|tag| tag.0.clone());
        let wrong = ctx.request_state::<String>().is_some();
        let subscribed = ctx.is_subscribed();
        let item = &event.items[0];
        self.log.push(format!(
            "{} {:x} {}/{}/{}/{} {} {:?} {tag:?} {wrong} {subscribed}",
            event.name.as_deref().unwrap_or(""),
            event.provider.unwrap_or(0),
            event.area,
            event.event,
            event.version,
            event.verbosity,
            item.name.as_deref().unwrap_or(""),
            item.data,
        ));
        GlobalNotification::Continue
    }
}

fn traced(log: &Log) -> TestServer {
    let listener = Listener { log: log.clone() };
    TestServer::new().load_with("traced", move |r| {
        r.global_module(listener)?;
        r.request_module(|| Tracer)
    })
}

#[test]
fn a_trace_event_reaches_global_modules_with_the_request_state_while_tracing() {
    let log = Log::default();
    let response = traced(&log).tracing().request(Request::get("/tagged"));
    assert_eq!(response.header("X-Traced"), Some("1"));
    assert_eq!(
        response.trace[..3],
        [
            "notify BEGIN_REQUEST traced",
            "trace-event event TAGGED level 4",
            "notify GL_TRACE_EVENT traced"
        ]
    );
    assert_eq!(
        log.take(),
        ["TAGGED 3a2a4e844c214981ae103fda0d9b0f83 2/7/1/4 Path [97, 98, 99] Some(\"/tagged\") false true"]
    );
}

#[test]
fn without_tracing_a_trace_event_is_not_delivered() {
    let log = Log::default();
    let response = traced(&log).request(Request::get("/tagged"));
    assert_eq!(
        response.trace,
        [
            "notify BEGIN_REQUEST traced",
            "trace-event event TAGGED level 4",
            "send",
            "done"
        ]
    );
    assert_eq!(log.take(), Vec::<String>::new());
}
