//! `async` notifications in the test server: [`HttpContext::spawn`] with IIS's asynchronous
//! I/O (`read_body`, `write`, `flush` on an `AsyncContext`), a future woken from another
//! thread (the framework posts a completion; IIS calls `OnAsyncCompletion`, which polls) or
//! woken while it is being polled (polled again at once), `?` in the future, a panicking
//! future, and an `AsyncContext` smuggled out of its task. Under Miri with the rest of the
//! framework's tests.

use httpserv::module::*;
use httpserv::testing::{AsyncIo, Request, TestServer};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

/// Pending until a thread it starts on its first poll has woken it: a stand-in for any future
/// from another library (a timer, a database client).
struct WokenByAnotherThread {
    woken: Arc<AtomicBool>,
}

impl Future for WokenByAnotherThread {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.woken.load(Ordering::Acquire) {
            return Poll::Ready(());
        }
        let (woken, waker) = (self.woken.clone(), cx.waker().clone());
        std::thread::spawn(move || {
            woken.store(true, Ordering::Release);
            waker.wake();
        });
        Poll::Pending
    }
}

/// Wakes itself during its first poll, then is ready.
struct WokenWhilePolled(bool);

impl Future for WokenWhilePolled {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            return Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

async fn echo(mut request: AsyncContext) -> Result<Notification, HttpError> {
    request.with(|ctx| {
        ctx.set_status(200, "OK")?;
        ctx.set_response_header("Content-Type", "application/octet-stream")
    })?;
    // A small buffer, so a body takes several reads and writes.
    let mut buffer = Vec::with_capacity(1000);
    loop {
        buffer = request.read_body(buffer).await?;
        if buffer.is_empty() {
            break;
        }
        buffer = request.write(buffer).await?;
    }
    request.flush().await?;
    Ok(Notification::FinishRequest)
}

async fn later(mut request: AsyncContext) -> Notification {
    WokenByAnotherThread {
        woken: Arc::new(AtomicBool::new(false)),
    }
    .await;
    request.with(|ctx| ctx.respond(200, "text/plain", "woken by another thread\n"))
}

async fn at_once(mut request: AsyncContext) -> Notification {
    WokenWhilePolled(false).await;
    request.with(|ctx| ctx.respond(200, "text/plain", "woken while polled\n"))
}

async fn refused(_: AsyncContext) -> Result<Notification, HttpError> {
    Err(HttpError::status(403))
}

async fn panics(_: AsyncContext) -> Notification {
    panic!("a panic inside the future")
}

/// Moves its `AsyncContext` to another thread, where using it panics (the task is not being
/// polled there); answers 409 when it did.
async fn smuggled(request: AsyncContext) -> Result<Notification, HttpError> {
    let outside = std::thread::spawn(move || {
        let mut request = request;
        request.with(|ctx| ctx.path().len())
    });
    match outside.join() {
        Err(_) => Err(HttpError::status(409)),
        Ok(_) => Ok(Notification::Continue),
    }
}

/// Starts a read and drops it before it completes (as a `select!` or a timeout may), starts
/// another, which fails (IIS's first is still in flight), and answers: the answer waits for
/// the first read's completion.
async fn dropped(mut request: AsyncContext) -> Notification {
    let mut read = Box::pin(request.read_body(Vec::with_capacity(10)));
    let first = std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "the test server completes it later");
    drop(read);
    let busy = request.read_body(Vec::new()).await.is_err();
    request.with(|ctx| {
        let text = match busy {
            true => "busy, then answered after the read\n",
            false => "not busy\n",
        };
        ctx.respond(200, "text/plain", text)
    })
}

/// Panics while a read it started is in flight.
async fn panics_in_flight(mut request: AsyncContext) -> Notification {
    let mut read = Box::pin(request.read_body(Vec::with_capacity(10)));
    let first = std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await;
    assert!(first.is_pending(), "the test server completes it later");
    panic!("a panic while IIS holds the buffer")
}

struct Tasks;

#[httpserv::module]
impl HttpModule for Tasks {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        match ctx.path() {
            "/echo" => ctx.spawn(echo),
            "/later" => ctx.spawn(later),
            "/at-once" => ctx.spawn(at_once),
            "/refused" => ctx.spawn(refused),
            "/panics" => ctx.spawn(panics),
            "/smuggled" => ctx.spawn(smuggled),
            "/dropped" => ctx.spawn(dropped),
            "/panics-in-flight" => ctx.spawn(panics_in_flight),
            _ => Notification::Continue,
        }
    }
}

fn server() -> TestServer {
    server_with(AsyncIo::Inline)
}

fn server_with(io: AsyncIo) -> TestServer {
    TestServer::new()
        .async_io(io)
        .load_with("tasks", |registration| {
            registration.request_module(|| Tasks)
        })
}

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_body_is_echoed_through_asynchronous_reads_and_writes_completed_at_once_or_later() {
    let body = bytes(if cfg!(miri) { 2500 } else { 70_000 });
    let pieces: Vec<Vec<u8>> = body.chunks(700).map(<[u8]>::to_vec).collect();
    for io in [AsyncIo::Inline, AsyncIo::Later] {
        let server = server_with(io);
        for request in [
            Request::post("/echo").body(body.clone()),
            Request::post("/echo").body_in_pieces(pieces.clone()),
            Request::post("/echo").chunked(pieces.clone()),
        ] {
            let response = server.request(request);
            assert_eq!((response.status, response.body.len()), (200, body.len()));
            assert!(
                response.body == body,
                "{io:?}: the echo differs from the body"
            );
            let completions = response
                .trace
                .iter()
                .filter(|line| *line == "async-completion")
                .count();
            // Later: one completion per read, write and the flush (a read at the end of the
            // body answers at once); at once: none.
            let reads = body.len().div_ceil(1000).max(pieces.len());
            match io {
                AsyncIo::Inline => assert_eq!(completions, 0),
                _ => assert!(completions > reads, "{io:?}: {completions} completions"),
            }
        }
        let response = server.request(Request::post("/echo"));
        assert_eq!((response.status, response.body.len()), (200, 0));
    }
}

#[test]
fn a_read_dropped_in_flight_keeps_its_buffer_until_iis_completes_it() {
    let server = server_with(AsyncIo::Later);
    let response = server.request(Request::post("/dropped").body(bytes(100)));
    assert_eq!(
        (response.status, response.text().as_str()),
        (200, "busy, then answered after the read\n")
    );
    let trace = response.trace.join(" | ");
    assert!(trace.contains("pending | async-completion"), "{trace}");
}

#[test]
fn a_future_woken_by_another_thread_resumes_through_a_posted_completion() {
    // Delivered on the request's thread once the notification returned, or (re-entrant, as
    // IIS may) from inside `PostCompletion` on the waking thread, perhaps before it returned.
    for server in [server(), server().reentrant_completions()] {
        for _ in 0..if cfg!(miri) { 2 } else { 20 } {
            let response = server.request(Request::get("/later"));
            assert_eq!(
                (response.status, response.text().as_str()),
                (200, "woken by another thread\n")
            );
        }
    }
}

#[test]
fn a_future_woken_while_it_is_polled_is_polled_again_at_once() {
    let response = server().request(Request::get("/at-once"));
    assert_eq!(
        (response.status, response.text().as_str()),
        (200, "woken while polled\n")
    );
}

#[test]
fn an_error_of_the_future_answers_as_question_mark_does() {
    let response = server().request(Request::get("/refused"));
    assert_eq!(response.status, 403);
}

#[test]
fn a_panicking_future_answers_500_and_the_server_goes_on() {
    let server = server();
    assert_eq!(server.request(Request::get("/panics")).status, 500);
    assert_eq!(server.request(Request::get("/at-once")).status, 200);
}

#[test]
fn a_future_that_panics_with_a_read_in_flight_answers_500_and_keeps_the_buffer() {
    let server = server_with(AsyncIo::Later);
    let response = server.request(Request::post("/panics-in-flight").body(bytes(100)));
    assert_eq!(response.status, 500);
    assert_eq!(
        server.request(Request::post("/echo").body(bytes(10))).body,
        bytes(10)
    );
}

#[test]
fn an_async_context_moved_out_of_its_task_refuses_to_reach_the_request() {
    let response = server().request(Request::get("/smuggled"));
    assert_eq!(response.status, 409);
}
