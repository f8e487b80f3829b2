//! The completion protocol against the hosts IIS may be: one that calls the module again from
//! inside `PostCompletion`, on the posting thread, before the pending notification has
//! returned (the test server's re-entrant mode), with the completion racing the notification's
//! return; and one that gives up on a pending request while a worker still holds its
//! `Completion` (the test server's pending timeout). Under Miri in CI: before the protocol
//! waited for the notification's last touch of the module and the context, Miri reported a
//! protected `&IHttpContext` invalidated by the re-entered notification's `&mut`, and a data
//! race on the module's busy flag; before the test server kept an abandoned request's memory
//! until its completion, the worker's header read was a use after free.

use httpserv::module::*;
use httpserv::testing::{Request, Response, TestServer};
use std::string::String;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How many requests each racing test runs: enough for Miri's scheduler to interleave the
/// worker's signal with every step of the notification's return, few enough to stay quick.
const ROUNDS: usize = if cfg!(miri) { 4 } else { 200 };

/// What the worker does with the completion, on its own thread.
type Work = fn(Completion);

/// Takes a completion at BEGIN_REQUEST and hands it to a worker thread running `work`;
/// `on_async_completion` answers with the bytes posted and may pend once more (`again`).
struct Racer {
    work: Work,
    again: bool,
}

#[httpserv::module]
impl HttpModule for Racer {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let completion = ctx.complete_later();
        let work = self.work;
        std::thread::spawn(move || work(completion));
        Notification::Continue
    }

    fn on_async_completion(
        &mut self,
        ctx: &mut HttpContext<'_>,
        completion: &AsyncCompletion,
    ) -> Notification {
        if std::mem::take(&mut self.again) {
            // Pending again, from inside the re-entered call: its own completion races too.
            let (next, bytes) = (ctx.complete_later(), completion.bytes);
            std::thread::spawn(move || next.post(bytes + 1));
            return Notification::Continue;
        }
        ctx.respond(200, "text/plain", format!("{} bytes\n", completion.bytes))
    }
}

fn reentrant(work: Work, again: bool) -> TestServer {
    TestServer::new()
        .reentrant_completions()
        .load_with("racer", move |registration| {
            registration.request_module(move || Racer { work, again })
        })
}

/// The trace without the lines whose order the race decides (`pending`, which the request's
/// thread writes when the notification has returned, and `async-completion`, which the
/// posting thread writes when it calls the module), and how many of those there were.
fn settled(response: &Response) -> (Vec<&str>, usize) {
    let racing = |line: &str| line == "pending" || line == "async-completion";
    let lines: Vec<&str> = response.trace.iter().map(String::as_str).collect();
    let raced = lines.iter().filter(|l| racing(l)).count();
    (lines.into_iter().filter(|l| !racing(l)).collect(), raced)
}

#[test]
fn a_post_that_re_enters_the_module_while_the_notification_returns_is_sound() {
    // The worker waits in `context()` for the notification to answer pending, then posts at
    // once: the test server calls `on_async_completion` on the worker while the notification's
    // thread is still returning.
    let server = reentrant(
        |mut completion| {
            let host = completion
                .context()
                .request_header_str("Host")
                .map(String::from);
            completion.post(host.map_or(0, |h| h.len() as u32));
        },
        false,
    );
    for _ in 0..ROUNDS {
        let response = server.request(Request::get("/"));
        assert_eq!(response.text(), "9 bytes\n");
        let (trace, raced) = settled(&response);
        assert_eq!(trace, ["notify BEGIN_REQUEST racer", "send", "done"]);
        assert_eq!(raced, 2, "{:?}", response.trace);
    }
}

#[test]
fn a_post_racing_the_notification_is_answered_early_or_re_enters_and_may_pend_again() {
    // No waiting: the worker posts whenever it runs, before or after the notification returned.
    let server = reentrant(|completion| completion.post(1), true);
    for _ in 0..ROUNDS {
        let response = server.request(Request::get("/"));
        assert_eq!(response.text(), "2 bytes\n");
        let (trace, _) = settled(&response);
        assert_eq!(trace, ["notify BEGIN_REQUEST racer", "send", "done"]);
    }
}

#[test]
fn a_resume_from_the_worker_after_writing_the_response_is_sound() {
    let server = reentrant(
        |mut completion| {
            let _ = completion
                .context()
                .set_response(200, "text/plain", "from the worker\n");
            completion.resume(Notification::FinishRequest);
        },
        false,
    );
    for _ in 0..ROUNDS {
        let response = server.request(Request::get("/"));
        assert_eq!(response.text(), "from the worker\n");
    }
}

/// Hands the completion of BEGIN_REQUEST to the test; counts the module's drops.
struct Handover {
    completions: Sender<Completion>,
    drops: Arc<AtomicUsize>,
}

impl Drop for Handover {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

#[httpserv::module]
impl HttpModule for Handover {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let _ = self.completions.send(ctx.complete_later());
        Notification::Continue
    }
}

#[test]
fn an_abandoned_request_keeps_its_memory_until_its_completion_is_signalled() {
    let (completions, handed) = channel::<Completion>();
    let completions = Mutex::new(completions);
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let server = TestServer::new()
        .pending_timeout(Duration::from_millis(500))
        .load_with("handover", move |registration| {
            let (completions, drops) = (completions.lock().unwrap().clone(), counted.clone());
            registration.request_module(move || Handover {
                completions: completions.clone(),
                drops: drops.clone(),
            })
        });
    let (gave_up, give_up) = channel::<()>();
    let worker = std::thread::spawn(move || {
        let mut completion = handed.recv().unwrap();
        let ctx = completion.context();
        // A slice of the request's memory, held across the server giving up on the request.
        let header = ctx.request_header("X-Late").unwrap_or_default();
        give_up.recv().unwrap();
        let copied = header.to_vec();
        drop(ctx);
        // Signalled (dropped) at last: the server ends the request now.
        drop(completion);
        copied
    });
    let request = Request::get("/").header("X-Late", "still here");
    let timed_out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        server.request(request);
    }));
    assert!(timed_out.is_err(), "the request must time out");
    // The server gave up on the request, but its completion is live: the module is not
    // disposed, and the request's memory stays where the worker's slice points.
    assert_eq!(drops.load(Ordering::SeqCst), 0);
    gave_up.send(()).unwrap();
    assert_eq!(worker.join().unwrap(), b"still here");
    assert_eq!(drops.load(Ordering::SeqCst), 1);
    // The server still serves, and goes without waiting for anything.
    drop(server);
}
