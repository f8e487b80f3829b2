//! The notifications a module gets are those of the methods its impl defines, derived by
//! `#[httpserv::module]` and nothing else: a module that only implements `on_end_request` is
//! called at `RQ_END_REQUEST` (the trap this closes: a hand-kept mask that forgot
//! `END_REQUEST` compiled and the method was never called), the masks are exactly the
//! methods' (`on_async_completion` adds none), and a global module's likewise.

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};
use httpserv::{IHttpApplicationStartProvider, ISendResponseProvider};
use std::sync::{Arc, Mutex};

type Log = Arc<Mutex<Vec<&'static str>>>;

/// Implements `on_end_request` and nothing else; no mask written anywhere.
struct OnlyEnd(Log);

#[httpserv::module]
impl HttpModule for OnlyEnd {
    fn on_end_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        self.0.lock().unwrap().push("on_end_request");
        let _ = ctx.path();
        Notification::Continue
    }
}

#[test]
fn a_module_implementing_only_on_end_request_is_called_at_end_request() {
    assert_eq!(Notifications::of::<OnlyEnd>(), Notifications::END_REQUEST);
    let log = Log::default();
    let shared = log.clone();
    let server = TestServer::new().load_with("only_end", move |registration| {
        registration.request_module(move || OnlyEnd(shared.clone()))
    });
    let response = server.request(Request::get("/"));
    assert_eq!(*log.lock().unwrap(), ["on_end_request"]);
    assert_eq!(
        response.trace,
        ["send", "notify END_REQUEST only_end", "done"]
    );
}

/// A notification, a post-notification, one with a provider, and the completion method,
/// which answers no notification of its own.
struct Several;

#[httpserv::module]
impl HttpModule for Several {
    fn on_authorize_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
        Notification::Continue
    }

    fn on_post_log_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
        Notification::Continue
    }

    fn on_send_response(
        &mut self,
        _: &mut HttpContext<'_>,
        _: &mut ISendResponseProvider,
    ) -> Notification {
        Notification::Continue
    }

    fn on_async_completion(
        &mut self,
        _: &mut HttpContext<'_>,
        _: &AsyncCompletion,
    ) -> Notification {
        Notification::Continue
    }
}

#[test]
fn the_masks_are_exactly_those_of_the_methods_implemented() {
    let expected = Notifications::AUTHORIZE_REQUEST
        | Notifications::POST_LOG_REQUEST
        | Notifications::SEND_RESPONSE;
    assert_eq!(Notifications::of::<Several>(), expected);
    let server = TestServer::new().load_with("several", |r| r.request_module(|| Several));
    let response = server.request(Request::get("/"));
    assert_eq!(
        response.trace,
        [
            "notify AUTHORIZE_REQUEST several",
            "notify SEND_RESPONSE several",
            "send",
            "notify POST_LOG_REQUEST several",
            "done"
        ]
    );
}

/// A global module with a context method, a provider method and one without arguments.
struct Watcher;

#[httpserv::module]
impl GlobalModule for Watcher {
    fn on_pre_begin_request(&self, _: &mut HttpContext<'_>) -> GlobalNotification {
        GlobalNotification::Continue
    }

    fn on_application_start(
        &self,
        _: &mut GlobalContext<'_, IHttpApplicationStartProvider>,
    ) -> GlobalNotification {
        GlobalNotification::Continue
    }

    fn on_health_check(&self, _: &mut GlobalContext<'_, ()>) -> GlobalNotification {
        GlobalNotification::Continue
    }
}

#[test]
fn a_global_module_gets_the_global_notifications_of_its_methods() {
    let expected = GlobalNotifications::PRE_BEGIN_REQUEST
        | GlobalNotifications::APPLICATION_START
        | GlobalNotifications::HEALTH_CHECK;
    assert_eq!(GlobalNotifications::of::<Watcher>(), expected);
    let server = TestServer::new().load_with("watcher", |r| r.global_module(Watcher));
    let response = server.request(Request::get("/"));
    // The application starts on its first request, before the request's own notifications.
    assert_eq!(
        response.trace[..2],
        [
            "notify GL_APPLICATION_START watcher",
            "notify GL_PRE_BEGIN_REQUEST watcher"
        ],
        "{:?}",
        response.trace
    );
    assert_eq!(
        server.health_check().trace,
        ["notify GL_HEALTH_CHECK watcher"]
    );
}
