//! The framework run by the test server (`httpserv::testing`): the methods each mask
//! delivers and in which order, finishing, the completion protocol (signalled after the
//! notification returned, before it returned, dropped, and reaching the request from another
//! thread), typed state (found again, refused for another type or a stored context the
//! framework did not make, dropped with the request), priorities, panics, and the helpers'
//! edge cases. Under Miri in CI, with the rest of the crate's unit tests.

use httpserv::module::*;
use httpserv::testing::{Request, Response, TestServer};
use httpserv::{IHttpStoredContext, IHttpStoredContext_Impl};
use std::string::{String, ToString};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::sync::Mutex;
use std::vec::Vec;

type Log = Arc<Mutex<Vec<String>>>;

fn log_of(log: &Log) -> Vec<String> {
    core::mem::take(&mut *log.lock().unwrap())
}

fn push(log: &Log, line: &str) {
    log.lock().unwrap().push(line.to_string());
}

/// A module whose every method records its name.
struct Recorder {
    log: Log,
}

/// `impl HttpModule for Recorder` with the methods named, each recording its name. The macro
/// writes the whole impl, attribute included, so that `#[httpserv::module]` sees the methods.
macro_rules! recorder {
    ($($method:ident)* ; $($provided:ident($provider:ty))*) => {
        #[httpserv::module]
        impl HttpModule for Recorder {
            $(
                fn $method(&mut self, _: &mut HttpContext<'_>) -> Notification {
                    push(&self.log, stringify!($method));
                    Notification::Continue
                }
            )*
            $(
                fn $provided(
                    &mut self,
                    _: &mut HttpContext<'_>,
                    _: &mut $provider,
                ) -> Notification {
                    push(&self.log, stringify!($provided));
                    Notification::Continue
                }
            )*
        }
    };
}

recorder! {
    on_begin_request on_post_begin_request on_post_authenticate_request
    on_authorize_request on_post_authorize_request on_resolve_request_cache
    on_post_resolve_request_cache on_post_map_request_handler on_acquire_request_state
    on_post_acquire_request_state on_pre_execute_request_handler
    on_post_pre_execute_request_handler on_execute_request_handler
    on_post_execute_request_handler on_release_request_state on_post_release_request_state
    on_update_request_cache on_post_update_request_cache on_log_request on_post_log_request
    on_end_request on_post_end_request;
    on_authenticate_request(httpserv::IAuthenticationProvider)
    on_map_request_handler(httpserv::IMapHandlerProvider)
    on_send_response(httpserv::ISendResponseProvider)
}

#[test]
fn every_notification_reaches_its_method_in_pipeline_order() {
    let log = Log::default();
    let shared = log.clone();
    let server = TestServer::new().load_with("recorder", move |registration| {
        registration.request_module(move || Recorder {
            log: shared.clone(),
        })
    });
    let response = server.request(Request::get("/"));
    let stages = [
        "begin_request",
        "authenticate_request",
        "authorize_request",
        "resolve_request_cache",
        "map_request_handler",
        "acquire_request_state",
        "pre_execute_request_handler",
        "execute_request_handler",
        "release_request_state",
        "update_request_cache",
    ];
    let mut expected = Vec::new();
    for stage in stages {
        expected.push(format!("on_{stage}"));
        expected.push(format!("on_post_{stage}"));
    }
    expected.push("on_send_response".into());
    for stage in ["log_request", "end_request"] {
        expected.push(format!("on_{stage}"));
        expected.push(format!("on_post_{stage}"));
    }
    assert_eq!(log_of(&log), expected);
    // The server's trace shows the same deliveries, one per method.
    let delivered = response
        .trace
        .iter()
        .filter(|line| line.starts_with("notify"));
    assert_eq!(delivered.count(), expected.len());
}

/// A module answering from one method, by a closure.
struct Answer<F>(F);

#[httpserv::module]
impl<F> HttpModule for Answer<F>
where
    F: FnMut(&mut HttpContext<'_>) -> Notification + Send + 'static,
{
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        (self.0)(ctx)
    }

    /// Written so that the post-notification is delivered (it continues, as the default).
    fn on_post_begin_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
        Notification::Continue
    }
}

fn serve<F>(make: impl Fn() -> F + Send + Sync + 'static, request: Request) -> Response
where
    F: FnMut(&mut HttpContext<'_>) -> Notification + Send + 'static,
{
    let server = TestServer::new().load_with("answer", move |registration| {
        registration.request_module(move || Answer(make()))
    });
    server.request(request)
}

/// What `look` pushed while the module ran `BEGIN_REQUEST` for `request` (it continues).
fn seen_at_begin(
    request: Request,
    look: impl Fn(&mut HttpContext<'_>, &Log) + Clone + Send + Sync + 'static,
) -> Vec<String> {
    let seen = Log::default();
    let shared = seen.clone();
    serve(
        move || {
            let (seen, look) = (shared.clone(), look.clone());
            move |ctx: &mut HttpContext<'_>| {
                look(ctx, &seen);
                Notification::Continue
            }
        },
        request,
    );
    log_of(&seen)
}

#[test]
fn only_the_asked_notifications_are_delivered_and_finish_skips_to_the_send() {
    let response = serve(
        || |ctx: &mut HttpContext<'_>| ctx.respond(201, "text/plain", "made\n"),
        Request::get("/"),
    );
    assert_eq!(
        (response.status, response.reason.as_str()),
        (201, "Created")
    );
    assert_eq!(response.text(), "made\n");
    // Finished at BEGIN_REQUEST: no post-notification, straight to the send.
    assert_eq!(
        response.trace,
        ["notify BEGIN_REQUEST answer", "send", "done"]
    );
}

#[test]
fn continue_goes_on_to_the_post_notification() {
    let response = serve(
        || |_: &mut HttpContext<'_>| Notification::Continue,
        Request::get("/"),
    );
    assert_eq!(
        response.trace,
        [
            "notify BEGIN_REQUEST answer",
            "notify POST_BEGIN_REQUEST answer",
            "send",
            "done"
        ]
    );
}

/// A module that completes `BEGIN_REQUEST` later in the way `complete` says, and answers
/// from `on_async_completion`.
struct Later<F> {
    complete: Option<F>,
    log: Log,
}

#[httpserv::module]
impl<F> HttpModule for Later<F>
where
    F: FnOnce(&mut HttpContext<'_>, Completion) + Send + 'static,
{
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let completion = ctx.complete_later();
        (self.complete.take().unwrap())(ctx, completion);
        push(&self.log, "returned");
        // Not what IIS hears: the notification is pending, or answered by its signal.
        Notification::FinishRequest
    }

    fn on_async_completion(
        &mut self,
        ctx: &mut HttpContext<'_>,
        completion: &AsyncCompletion,
    ) -> Notification {
        push(
            &self.log,
            &format!(
                "completion {:?} {} {:?}",
                completion.notification == Notifications::BEGIN_REQUEST,
                completion.bytes,
                completion.status
            ),
        );
        ctx.respond(200, "text/plain", format!("{} bytes\n", completion.bytes))
    }
}

fn later<F>(complete: F) -> (Response, Vec<String>)
where
    F: FnOnce(&mut HttpContext<'_>, Completion) + Clone + Send + Sync + 'static,
{
    let log = Log::default();
    let shared = log.clone();
    let server = TestServer::new().load_with("later", move |registration| {
        registration.request_module(move || Later {
            complete: Some(complete.clone()),
            log: shared.clone(),
        })
    });
    let response = server.request(Request::get("/"));
    (response, log_of(&log))
}

#[test]
fn a_completion_posted_from_another_thread_calls_on_async_completion() {
    let (response, log) = later(|_, mut completion| {
        std::thread::spawn(move || {
            // Once the notification has returned (`context()` waits for that), so the post
            // goes through IIS rather than being answered early.
            drop(completion.context());
            completion.post(7);
        });
    });
    assert_eq!(response.text(), "7 bytes\n");
    assert_eq!(log, ["returned", "completion true 7 Ok(())"]);
    assert_eq!(
        response.trace,
        [
            "notify BEGIN_REQUEST later",
            "pending",
            "async-completion",
            "send",
            "done"
        ]
    );
}

#[test]
fn a_completion_posted_before_the_notification_returned_is_answered_without_pending() {
    let (response, log) = later(|_, completion| completion.post(3));
    assert_eq!(response.text(), "3 bytes\n");
    assert_eq!(log, ["returned", "completion true 3 Ok(())"]);
    assert_eq!(
        response.trace,
        ["notify BEGIN_REQUEST later", "send", "done"]
    );
}

#[test]
fn a_completion_resumed_before_the_notification_returned_answers_with_its_notification() {
    let (response, _) = later(|ctx, completion| {
        let _ = ctx.set_response(202, "text/plain", "accepted\n");
        completion.resume(Notification::Continue);
    });
    assert_eq!(response.status, 202);
    // Continued: the post-notification is not asked for, so the send is next.
    assert_eq!(
        response.trace,
        ["notify BEGIN_REQUEST later", "send", "done"]
    );
}

#[test]
fn a_completion_resumed_from_another_thread_writes_the_response_there() {
    let (response, log) = later(|_, mut completion| {
        std::thread::spawn(move || {
            // Waits for the notification to return before touching the request.
            let _ = completion
                .context()
                .set_response(200, "text/plain", "from a thread\n");
            completion.resume(Notification::FinishRequest);
        });
        // Give the thread time to wait in `context()`.
        std::thread::sleep(std::time::Duration::from_millis(20));
    });
    assert_eq!(response.text(), "from a thread\n");
    assert_eq!(log, ["returned"]);
    assert_eq!(
        response.trace,
        [
            "notify BEGIN_REQUEST later",
            "pending",
            "resume",
            "send",
            "done"
        ]
    );
}

#[test]
fn a_dropped_completion_resumes_the_request() {
    let (response, log) = later(|_, completion| {
        std::thread::spawn(move || drop(completion));
    });
    assert_eq!(log, ["returned"]);
    assert_eq!(response.status, 404);
}

#[test]
fn a_second_completion_in_one_notification_is_a_panic_answered_500() {
    let (response, log) = later(|ctx, completion| {
        let _second = ctx.complete_later();
        drop(completion);
    });
    assert_eq!(response.status, 500);
    assert!(log.is_empty());
}

/// Typed state: what the tests store.
#[derive(Debug, PartialEq)]
struct Visits(u32);

struct Dropped(Arc<AtomicUsize>);

impl Drop for Dropped {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn state_is_found_again_by_type_once_per_request_and_dropped_with_it() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let seen = seen_at_begin(Request::get("/"), move |ctx, seen| {
        push(seen, &format!("before {:?}", ctx.state::<Visits>()));
        let stored = ctx.set_state(Visits(1)).map(|v| v.0);
        push(seen, &format!("stored {stored:?}"));
        push(seen, &format!("found {:?}", ctx.state::<Visits>()));
        let other = ctx.state::<u32>().is_some();
        push(seen, &format!("other type {other:?}"));
        let another_type = ctx.set_state(Dropped(counted.clone()));
        push(seen, &format!("another type {:?}", another_type.is_ok()));
        let again = ctx.set_state(Visits(2)).map(|v| v.0);
        push(seen, &format!("same type again {again:?}"));
        let still = ctx.state::<Visits>().map(|v| v.0);
        push(
            seen,
            &format!("still {still:?} {}", ctx.state::<Dropped>().is_some()),
        );
    });
    // ERROR_ALREADY_ASSIGNED, as IIS answers a second SetModuleContext.
    let already_assigned = httpserv::runtime::HRESULT::from_win32(85);
    assert_eq!(
        seen,
        [
            "before None".to_string(),
            "stored Ok(1)".into(),
            "found Some(Visits(1))".into(),
            "other type false".into(),
            "another type true".into(),
            format!(
                "same type again Err({:?})",
                httpserv::runtime::Error::from(already_assigned)
            ),
            "still Some(1) true".into(),
        ]
    );
    // Both values went with the request (the refused Visits was dropped at once).
    assert_eq!(drops.load(Ordering::SeqCst), 1);
}

#[test]
fn a_stored_context_the_framework_did_not_make_is_never_read_as_state() {
    struct Foreign(#[allow(dead_code)] u64);
    impl IHttpStoredContext_Impl for Foreign {}
    let seen = seen_at_begin(Request::get("/"), |ctx, seen| {
        let id = ctx.module_id();
        let container = ctx.iis().module_context_container().unwrap();
        container
            .set_module_context(IHttpStoredContext::new(Foreign(7)), id)
            .unwrap();
        push(seen, &format!("{:?}", ctx.state::<u64>().is_some()));
    });
    assert_eq!(seen, ["false"]);
}

#[test]
fn named_state_needs_a_server_with_named_contexts() {
    let seen = seen_at_begin(Request::get("/"), |ctx, seen| {
        let name = "visits";
        let set = ctx.set_named_state(name, Visits(1));
        push(seen, &format!("{:?}", set.map_err(|e| e.code())));
        push(seen, &format!("{:?}", ctx.named_state::<Visits>(name)));
    });
    // The test server has no IHttpContext3 (GetExtendedInterface is E_NOTIMPL).
    assert_eq!(
        seen,
        [
            format!("{:?}", Err::<(), _>(httpserv::runtime::E_NOINTERFACE)),
            "None".to_string()
        ]
    );
}

#[test]
fn a_panic_answers_500_and_the_request_still_ends_through_the_module() {
    struct Panics(Log);
    #[httpserv::module]
    impl HttpModule for Panics {
        fn on_begin_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            panic!("on purpose");
        }
        fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            // The module is callable again: the panic did not leave it marked busy.
            push(&self.0, "end");
            Notification::Continue
        }
    }
    let log = Log::default();
    let shared = log.clone();
    let server = TestServer::new().load_with("panics", move |registration| {
        registration.request_module(move || Panics(shared.clone()))
    });
    assert_eq!(server.request(Request::get("/")).status, 500);
    assert_eq!(log_of(&log), ["end"]);
}

#[test]
fn priorities_order_the_modules_of_a_notification_and_of_a_post_notification() {
    struct Ranked(&'static str, Log);
    #[httpserv::module]
    impl HttpModule for Ranked {
        fn on_begin_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            push(&self.1, self.0);
            Notification::Continue
        }
        fn on_post_begin_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            push(&self.1, &format!("post {}", self.0));
            Notification::Continue
        }
    }
    /// First for the notification, last for its post-notification.
    struct Ordered(Ranked);
    #[httpserv::module]
    impl HttpModule for Ordered {
        const PRIORITIES: &'static [(Notifications, Priority)] = &[
            (Notifications::BEGIN_REQUEST, Priority::First),
            (Notifications::POST_BEGIN_REQUEST, Priority::Last),
        ];
        fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            self.0.on_begin_request(ctx)
        }
        fn on_post_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            self.0.on_post_begin_request(ctx)
        }
    }
    let log = Log::default();
    let (a, b) = (log.clone(), log.clone());
    // Loaded second: only its priorities put it first, then last.
    let server = TestServer::new()
        .load_with("medium", move |r| {
            r.request_module(move || Ranked("medium", a.clone()))
        })
        .load_with("ordered", move |r| {
            r.request_module(move || Ordered(Ranked("ordered", b.clone())))
        });
    server.request(Request::get("/"));
    assert_eq!(
        log_of(&log),
        ["ordered", "medium", "post medium", "post ordered"]
    );
}

#[test]
fn a_global_notification_cannot_complete_later() {
    struct Eager;
    #[httpserv::module]
    impl GlobalModule for Eager {
        fn on_pre_begin_request(&self, ctx: &mut HttpContext<'_>) -> GlobalNotification {
            let _completion = ctx.complete_later();
            GlobalNotification::Continue
        }
    }
    let server = TestServer::new().load_with("eager", |r| r.global_module(Eager));
    // The panic is caught before a completion exists; the request goes on.
    assert_eq!(server.request(Request::get("/")).status, 404);
}

#[test]
fn names_with_a_nul_are_refused_and_long_names_work() {
    let seen = seen_at_begin(Request::get("/"), |ctx, seen| {
        let nul = ctx.set_response_header("X-\0", "v").map_err(|e| e.code());
        let long = "X-".to_string() + &"a".repeat(300);
        let set = ctx.set_response_header(&long, "v");
        let read = ctx.response_header(&long).map(<[u8]>::to_vec);
        push(seen, &format!("{nul:?} {set:?} {read:?}"));
    });
    assert_eq!(
        seen,
        [format!(
            "{:?} Ok(()) Some([118])",
            Err::<(), _>(httpserv::runtime::E_INVALIDARG)
        )]
    );
}

#[test]
fn query_values_and_reason_phrases() {
    let seen = seen_at_begin(Request::get("/x?a=1&flag&b=2"), |ctx, seen| {
        let found = [
            ctx.query_value("a").map(String::from),
            ctx.query_value("flag").map(String::from),
            ctx.query_value("missing").map(String::from),
        ];
        push(seen, &format!("{found:?} {}", ctx.method()));
    });
    assert_eq!(seen, [r#"[Some("1"), Some(""), None] GET"#]);
    assert_eq!(reason_phrase(404), "Not Found");
    assert_eq!(reason_phrase(799), "");
}
