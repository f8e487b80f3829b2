//! The pipeline: stage order with post-notifications, priorities, finishing early (and what a
//! request finished before the handler sends), HEAD, pending
//! requests completed from other threads, errors, panics, and the modules' lifetimes.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use std::time::Duration;

use super::{
    continues, indicate_completion, load_global, module, ok, post_completion, Event, Global,
    Lifetimes, Log,
};
use crate::runtime::{E_ACCESSDENIED, E_FAIL, S_OK};
use crate::*;
use crate::{Request, TestServer};

/// Every request stage, with its post-notification.
const ALL_STAGES: u32 = 0xfff;

fn request() -> Request {
    Request::get("/")
}

#[test]
fn every_stage_in_order_each_followed_by_its_post_notification() {
    let server =
        module("all", ALL_STAGES | RQ_SEND_RESPONSE, ALL_STAGES, continues).load(TestServer::new());
    let trace = server.request(request()).trace;
    let mut expected = Vec::new();
    for stage in [
        "BEGIN_REQUEST",
        "AUTHENTICATE_REQUEST",
        "AUTHORIZE_REQUEST",
        "RESOLVE_REQUEST_CACHE",
        "MAP_REQUEST_HANDLER",
        "ACQUIRE_REQUEST_STATE",
        "PRE_EXECUTE_REQUEST_HANDLER",
        "EXECUTE_REQUEST_HANDLER",
        "RELEASE_REQUEST_STATE",
        "UPDATE_REQUEST_CACHE",
        "SEND_RESPONSE",
        "LOG_REQUEST",
        "END_REQUEST",
    ] {
        expected.push(alloc::format!("notify {stage} all"));
        if stage == "SEND_RESPONSE" {
            // No post-notification; the response goes out after it.
            expected.push(String::from("send"));
        } else {
            expected.push(alloc::format!("notify POST_{stage} all"));
        }
    }
    expected.push(String::from("done"));
    assert_eq!(trace, expected);
}

#[test]
fn priorities_order_modules_and_send_response_runs_lowest_first() {
    let stages = RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE;
    let mut server = TestServer::new();
    // Loaded in this order; priorities decide, equal priorities keep load order.
    for (name, priority) in [
        ("low", Some(PRIORITY_ALIAS_LOW)),
        ("medium_1", None),
        ("first", Some(PRIORITY_ALIAS_FIRST)),
        ("medium_2", Some(PRIORITY_ALIAS_MEDIUM)),
        ("last", Some(PRIORITY_ALIAS_LAST)),
        ("high", Some(PRIORITY_ALIAS_HIGH)),
    ] {
        let mut m = module(name, stages, RQ_BEGIN_REQUEST, continues);
        if let Some(priority) = priority {
            m = m.priority(stages, priority);
        }
        server = m.load(server);
    }
    // Post-notifications have priorities of their own: only "last" sets one.
    let server = module("post_first", 0, RQ_BEGIN_REQUEST, continues)
        .post_priority(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_FIRST)
        .load(server);
    let trace = server.request(request()).trace;
    let order = |prefix: &str| -> Vec<&str> {
        trace
            .iter()
            .filter_map(|l| l.strip_prefix(prefix))
            .collect()
    };
    assert_eq!(
        order("notify BEGIN_REQUEST "),
        ["first", "high", "medium_1", "medium_2", "low", "last"]
    );
    assert_eq!(
        order("notify POST_BEGIN_REQUEST "),
        [
            "post_first",
            "low",
            "medium_1",
            "first",
            "medium_2",
            "last",
            "high"
        ]
    );
    assert_eq!(
        order("notify SEND_RESPONSE "),
        ["last", "low", "medium_2", "medium_1", "high", "first"]
    );
}

/// A module that returns `status` at notification `at`.
fn returns_at(
    at: &'static str,
    status: REQUEST_NOTIFICATION_STATUS,
) -> impl Fn(&Event<'_>) -> REQUEST_NOTIFICATION_STATUS {
    move |event| {
        if event.name == at {
            status
        } else {
            RQ_NOTIFICATION_CONTINUE
        }
    }
}

#[test]
fn finish_request_skips_the_other_modules_and_stages_to_the_send() {
    let stages = RQ_AUTHENTICATE_REQUEST | RQ_EXECUTE_REQUEST_HANDLER | RQ_SEND_RESPONSE;
    let stages = stages | RQ_LOG_REQUEST | RQ_END_REQUEST;
    let server = module(
        "finisher",
        stages,
        stages,
        returns_at("AUTHENTICATE_REQUEST", RQ_NOTIFICATION_FINISH_REQUEST),
    )
    .load(TestServer::new());
    let server = module("other", stages, 0, continues).load(server);
    assert_eq!(
        server.request(request()).trace,
        [
            "notify AUTHENTICATE_REQUEST finisher",
            "notify SEND_RESPONSE other",
            "notify SEND_RESPONSE finisher",
            "send",
            "notify LOG_REQUEST finisher",
            "notify LOG_REQUEST other",
            "notify POST_LOG_REQUEST finisher",
            "notify END_REQUEST finisher",
            "notify END_REQUEST other",
            "notify POST_END_REQUEST finisher",
            "done",
        ]
    );
}

#[test]
fn a_request_finished_before_the_handler_is_sent_as_it_is_and_head_has_no_body() {
    // Finished at BEGIN_REQUEST with nothing set: IIS's static file handler never ran, so
    // no 404: a 200 with no body.
    let server = module(
        "finisher",
        RQ_BEGIN_REQUEST,
        0,
        returns_at("BEGIN_REQUEST", RQ_NOTIFICATION_FINISH_REQUEST),
    )
    .load(TestServer::new());
    let response = server.request(request());
    assert_eq!((response.status, response.body.len()), (200, 0));
    // Continued past the handler stage untouched: the static file handler's 404, whose body
    // a HEAD request does not get (its Content-Length still says how long it is).
    let server = module("bystander", RQ_BEGIN_REQUEST, 0, continues).load(TestServer::new());
    let get = server.request(request());
    let head = server.request(Request::new("HEAD", "/"));
    assert_eq!((get.status, head.status), (404, 404));
    assert!(!get.body.is_empty() && head.body.is_empty());
    assert_eq!(head.header("Content-Length"), get.header("Content-Length"));
}

#[test]
fn finish_request_in_the_end_stages_skips_to_the_next_one() {
    let stages = RQ_SEND_RESPONSE | RQ_LOG_REQUEST | RQ_END_REQUEST;
    let server = module("a", stages, stages, move |event| match event.name {
        "SEND_RESPONSE" | "LOG_REQUEST" | "END_REQUEST" => RQ_NOTIFICATION_FINISH_REQUEST,
        _ => RQ_NOTIFICATION_CONTINUE,
    })
    .load(TestServer::new());
    let server = module("b", stages, 0, continues).load(server);
    assert_eq!(
        server.request(request()).trace,
        [
            // RQ_SEND_RESPONSE runs lowest priority first: b, a (a finishes: no one left).
            "notify SEND_RESPONSE b",
            "notify SEND_RESPONSE a",
            "send",
            "notify LOG_REQUEST a",
            "notify END_REQUEST a",
            "done",
        ]
    );
}

#[test]
fn a_failed_set_error_status_answers_500_and_finishes() {
    let stages = RQ_BEGIN_REQUEST | RQ_EXECUTE_REQUEST_HANDLER;
    let server = module("failing", stages, 0, |event| {
        if event.name == "BEGIN_REQUEST" {
            // SAFETY: the provider the server passed with this notification.
            unsafe {
                IHttpEventProvider::from_raw(event.provider)
                    .unwrap()
                    .SetErrorStatus(E_ACCESSDENIED)
            };
        }
        RQ_NOTIFICATION_CONTINUE
    })
    .load(TestServer::new());
    let response = server.request(request());
    // IIS's detailed error page, with the error the module set.
    assert_eq!(
        (response.status, response.text()),
        (
            500,
            detailed_page(
                500,
                0,
                "Internal Server Error",
                E_ACCESSDENIED.0 as u32,
                None
            )
        )
    );
    assert_eq!(
        response.trace,
        ["notify BEGIN_REQUEST failing", "send", "done"]
    );
}

#[test]
fn a_factory_that_fails_answers_500_without_that_module() {
    let mut failing = module("failing", RQ_BEGIN_REQUEST, 0, continues);
    failing.failing_factory = true;
    let server = failing.load(TestServer::new());
    let server = module("fine", RQ_BEGIN_REQUEST | RQ_END_REQUEST, 0, continues).load(server);
    let response = server.request(request());
    assert_eq!(response.status, 500);
    assert_eq!(response.trace, ["send", "notify END_REQUEST fine", "done"]);
}

#[test]
fn global_modules_get_pre_begin_request_by_priority_until_one_handles_it() {
    let terminated = Log::default();
    let seen = Log::default();
    let global = |name: &'static str, status| {
        let seen = seen.clone();
        Global {
            name,
            behaviour: move |_: &IHttpContext| {
                seen.push(name);
                status
            },
            terminated: terminated.clone(),
        }
    };
    let server = load_global(TestServer::new(), global("a", GL_NOTIFICATION_CONTINUE));
    let server = load_global(server, global("b", GL_NOTIFICATION_HANDLED));
    let server = load_global(server, global("c", GL_NOTIFICATION_CONTINUE));
    let trace = server.request(request()).trace;
    assert_eq!(seen.take(), ["a", "b"]);
    assert_eq!(
        trace,
        [
            "notify GL_PRE_BEGIN_REQUEST a",
            "notify GL_PRE_BEGIN_REQUEST b",
            "send",
            "done"
        ]
    );
    drop(server);
    assert_eq!(terminated.take(), ["global c", "global b", "global a"]);
}

#[test]
fn indicate_completion_from_another_thread_resumes_the_request() {
    let server = module(
        "async",
        RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST,
        RQ_EXECUTE_REQUEST_HANDLER,
        |event| {
            if event.name != "EXECUTE_REQUEST_HANDLER" {
                return RQ_NOTIFICATION_CONTINUE;
            }
            let context = crate::exchange::Ptr::new(event.context.as_raw()).expect("a context");
            std::thread::spawn(move || {
                // SAFETY: the request is pending until this completion, so it is live.
                unsafe {
                    let raw = context.get();
                    let context = IHttpContext::from_raw(raw).unwrap();
                    let response = IHttpResponse::from_raw(context.GetResponse()).unwrap();
                    ok(response.SetStatus(
                        201,
                        c"Created".as_ptr().cast(),
                        0,
                        S_OK,
                        core::ptr::null_mut(),
                        0,
                    ));
                    indicate_completion(raw, RQ_NOTIFICATION_CONTINUE);
                }
            });
            RQ_NOTIFICATION_PENDING
        },
    )
    .load(TestServer::new());
    let response = server.request(request());
    assert_eq!(
        (response.status, response.reason.as_str()),
        (201, "Created")
    );
    assert_eq!(
        response.trace,
        [
            "notify EXECUTE_REQUEST_HANDLER async",
            "pending",
            "resume",
            "notify POST_EXECUTE_REQUEST_HANDLER async",
            "send",
            "notify END_REQUEST async",
            "done",
        ]
    );
}

#[test]
fn post_completion_calls_on_async_completion_which_may_stay_pending() {
    let log = Log::default();
    let seen = log.clone();
    let server = module(
        "async",
        RQ_AUTHORIZE_REQUEST,
        RQ_AUTHORIZE_REQUEST,
        move |event| {
            let context = crate::exchange::Ptr::new(event.context.as_raw()).expect("a context");
            let complete = move |indicate: bool| {
                std::thread::spawn(move || {
                    // SAFETY: the request is pending until this completion, so it is live.
                    unsafe {
                        let context = context.get();
                        if indicate {
                            indicate_completion(context, RQ_NOTIFICATION_FINISH_REQUEST);
                        } else {
                            assert_eq!(post_completion(context, 42), S_OK);
                        }
                    }
                });
            };
            match (event.name, event.completion) {
                ("POST_AUTHORIZE_REQUEST", None) => {
                    complete(false);
                    RQ_NOTIFICATION_PENDING
                }
                ("ASYNC_COMPLETION", Some(completion)) => {
                    seen.push(alloc::format!("{completion:?}"));
                    // Still pending: this time the module finishes with IndicateCompletion.
                    complete(true);
                    RQ_NOTIFICATION_PENDING
                }
                _ => RQ_NOTIFICATION_CONTINUE,
            }
        },
    )
    .load(TestServer::new());
    let trace = server.request(request()).trace;
    // The post-notification of RQ_AUTHORIZE_REQUEST, with the bytes posted.
    assert_eq!(
        log.take(),
        [alloc::format!("{:?}", (RQ_AUTHORIZE_REQUEST, true, 42))]
    );
    assert_eq!(
        trace,
        [
            "notify AUTHORIZE_REQUEST async",
            "notify POST_AUTHORIZE_REQUEST async",
            "pending",
            "async-completion",
            "resume",
            "send",
            "done",
        ]
    );
}

#[test]
#[should_panic(expected = "stayed pending")]
fn a_request_never_completed_fails_the_test() {
    let server = module("stuck", RQ_BEGIN_REQUEST, 0, |_| RQ_NOTIFICATION_PENDING)
        .load(TestServer::new())
        .pending_timeout(Duration::from_millis(50));
    server.request(request());
}

#[test]
fn a_panic_answers_500_and_the_server_keeps_serving() {
    let server = module(
        "panicky",
        RQ_EXECUTE_REQUEST_HANDLER | RQ_END_REQUEST,
        0,
        |event| {
            if event.name == "EXECUTE_REQUEST_HANDLER" {
                // SAFETY: the server's context.
                let url = unsafe { event.context.GetScriptName(core::ptr::null_mut()) };
                // SAFETY: the server returns a NUL-terminated path.
                if unsafe { super::super::memory::wide_string(url) } == "/panic" {
                    panic!("asked to panic");
                }
            }
            RQ_NOTIFICATION_CONTINUE
        },
    )
    .load(TestServer::new());
    let response = server.request(Request::get("/panic"));
    assert_eq!(response.status, 500);
    assert!(response.quick_traces[0].data1.contains("asked to panic"));
    assert_eq!(
        (response.quick_traces[0].hr, response.quick_traces[0].level),
        (E_FAIL, 2)
    );
    // The guard finished the request: END_REQUEST still runs, and the next request is fine.
    assert!(response
        .trace
        .contains(&"notify END_REQUEST panicky".into()));
    assert_eq!(server.request(Request::get("/fine")).status, 404);
}

#[test]
fn modules_are_disposed_per_request_and_terminated_in_reverse_load_order() {
    let terminated = Log::default();
    let first = Lifetimes {
        terminated: Some(terminated.clone()),
        ..Lifetimes::default()
    };
    let second = Lifetimes {
        terminated: Some(terminated.clone()),
        ..Lifetimes::default()
    };
    let server = module("first", RQ_BEGIN_REQUEST, 0, continues)
        .lifetimes(&first)
        .load(TestServer::new());
    let server = module("second", RQ_END_REQUEST, 0, continues)
        .lifetimes(&second)
        .load(server);
    for _ in 0..3 {
        server.request(request());
    }
    assert_eq!((first.made(), first.disposed()), (3, 3));
    assert_eq!((second.made(), second.disposed()), (3, 3));
    assert!(terminated.take().is_empty());
    drop(server);
    assert_eq!(terminated.take(), ["factory second", "factory first"]);
}

#[test]
fn a_module_whose_registration_fails_is_not_loaded() {
    let terminated = Log::default();
    let lifetimes = Lifetimes {
        terminated: Some(terminated.clone()),
        ..Lifetimes::default()
    };
    let mut server = TestServer::new();
    let m = module("broken", RQ_BEGIN_REQUEST, 0, continues).lifetimes(&lifetimes);
    let result = server.try_load_with("broken", move |registration| {
        m.register(registration)?;
        Err(runtime::Error::from_hresult(E_ACCESSDENIED))
    });
    assert_eq!(result.map_err(|e| e.code()), Err(E_ACCESSDENIED));
    // What it registered was terminated at once, and it gets no notifications.
    assert_eq!(terminated.take(), ["factory broken"]);
    assert_eq!(server.request(request()).trace, ["send", "done"]);
    assert_eq!(lifetimes.made(), 0);
}

#[test]
fn requests_run_at_once_on_several_threads() {
    let server = module("async", RQ_EXECUTE_REQUEST_HANDLER, 0, |event| {
        let context = crate::exchange::Ptr::new(event.context.as_raw()).expect("a context");
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            // SAFETY: the request is pending until this completion, so it is live.
            unsafe { indicate_completion(context.get(), RQ_NOTIFICATION_CONTINUE) };
        });
        RQ_NOTIFICATION_PENDING
    })
    .load(TestServer::new());
    let mut numbers: Vec<u64> = std::thread::scope(|threads| {
        let handles: Vec<_> = (0..3)
            .map(|_| threads.spawn(|| server.request(request())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().number)
            .collect()
    });
    numbers.sort();
    assert_eq!(numbers, vec![1, 2, 3]);
}
