//! Completions: the re-entrant mode, in which `PostCompletion` calls the module's
//! `OnAsyncCompletion` on the posting thread before it returns (here before the pending
//! notification has even returned, as IIS may), against the default mode, which queues it
//! for the request's thread; and a request the server gave up on, which ends when its late
//! completion arrives and not before.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::time::Duration;

use super::{module, Lifetimes, Log};
use crate::runtime::S_OK;
use crate::*;
use crate::{Request, Response, TestServer};

/// A module pending at EXECUTE_REQUEST_HANDLER whose completion is posted by another thread
/// that the notification waits for before it returns `PENDING`; `OnAsyncCompletion` logs
/// whether that thread's `PostCompletion` had returned yet, and whether it runs on the
/// request's thread.
fn posts_before_returning(server: TestServer) -> (Response, Vec<String>) {
    let log = Log::default();
    let seen = log.clone();
    let posting = Arc::new(AtomicBool::new(false));
    let request_thread = std::thread::current().id();
    let server = module(
        "poster",
        RQ_EXECUTE_REQUEST_HANDLER,
        0,
        move |event| match event.name {
            "EXECUTE_REQUEST_HANDLER" => {
                let context = crate::exchange::Ptr::new(event.context.as_raw()).expect("a context");
                let posting = posting.clone();
                let poster = std::thread::spawn(move || {
                    posting.store(true, Ordering::SeqCst);
                    // SAFETY: the request is pending (this notification answers so) until
                    // this completion; the server keeps its context alive meanwhile.
                    let hr = unsafe {
                        let context = IHttpContext::from_raw(context.get());
                        context.unwrap().PostCompletion(5)
                    };
                    posting.store(false, Ordering::SeqCst);
                    hr
                });
                assert_eq!(poster.join().unwrap(), S_OK);
                seen.push("returning");
                RQ_NOTIFICATION_PENDING
            }
            "ASYNC_COMPLETION" => {
                let (_, _, bytes) = event.completion.unwrap();
                let within = posting.load(Ordering::SeqCst);
                let here = std::thread::current().id() == request_thread;
                seen.push(alloc::format!(
                    "completion {bytes}, within PostCompletion {within}, on the request's thread {here}"
                ));
                RQ_NOTIFICATION_CONTINUE
            }
            _ => RQ_NOTIFICATION_CONTINUE,
        },
    )
    .load(server);
    let response = server.request(Request::get("/"));
    (response, log.take())
}

#[test]
fn re_entrant_post_completion_calls_the_module_on_the_posting_thread_before_returning() {
    let (response, log) = posts_before_returning(TestServer::new().reentrant_completions());
    // OnAsyncCompletion ran inside PostCompletion, on the posting thread, while the
    // notification that pended was still waiting for that thread (so before it returned).
    assert_eq!(
        log,
        [
            "completion 5, within PostCompletion true, on the request's thread false",
            "returning"
        ]
    );
    assert_eq!(
        response.trace,
        [
            "notify EXECUTE_REQUEST_HANDLER poster",
            "async-completion",
            "pending",
            "send",
            "done"
        ]
    );
}

#[test]
fn by_default_post_completion_is_queued_for_the_request_thread() {
    let (response, log) = posts_before_returning(TestServer::new());
    // The request's thread calls OnAsyncCompletion once the notification has returned.
    assert_eq!(
        log,
        [
            "returning",
            "completion 5, within PostCompletion false, on the request's thread true"
        ]
    );
    assert_eq!(
        response.trace,
        [
            "notify EXECUTE_REQUEST_HANDLER poster",
            "pending",
            "async-completion",
            "send",
            "done"
        ]
    );
}

#[test]
fn an_abandoned_request_ends_when_its_late_completion_arrives() {
    let lifetimes = Lifetimes::default();
    let kept = Arc::new(AtomicPtr::new(core::ptr::null_mut()));
    let keep = kept.clone();
    let server = module("late", RQ_BEGIN_REQUEST, 0, move |event| {
        keep.store(event.context.as_raw(), Ordering::SeqCst);
        RQ_NOTIFICATION_PENDING
    })
    .lifetimes(&lifetimes)
    .load(TestServer::new())
    .pending_timeout(Duration::from_millis(20));
    let gave_up = std::panic::catch_unwind(core::panic::AssertUnwindSafe(|| {
        server.request(Request::get("/?late").header("X-Late", "yes"));
    }));
    let message = gave_up.unwrap_err();
    let message = message.downcast_ref::<String>().map(String::as_str);
    assert!(message.unwrap().contains("stayed pending"), "{message:?}");
    // Given up on, but the module may still use the request: nothing is released.
    assert_eq!((lifetimes.made(), lifetimes.disposed()), (1, 0));
    let late = std::thread::spawn(move || {
        // SAFETY: the request is pending until this completion, so its objects are live.
        unsafe {
            let context = IHttpContext::from_raw(kept.load(Ordering::SeqCst)).unwrap();
            let mut len = 0;
            let header = super::request_of(context).GetHeader(c"X-Late".as_ptr().cast(), &mut len);
            let seen = super::text(header, len.into());
            context.IndicateCompletion(RQ_NOTIFICATION_CONTINUE);
            seen
        }
    });
    assert_eq!(late.join().unwrap(), "yes");
    // The completion ended the request, on the completing thread.
    assert_eq!(lifetimes.disposed(), 1);
}
