//! `async` notifications in the test server: [`HttpContext::spawn`] with IIS's asynchronous
//! I/O (`read_body`, `write`, `flush` on an `AsyncContext`), a future woken from another
//! thread (the framework posts a completion; IIS calls `OnAsyncCompletion`, which polls) or
//! woken while it is being polled (polled again at once), `?` in the future, a panicking
//! future, and an `AsyncContext` smuggled out of its task. Under Miri with the rest of the
//! framework's tests.

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};
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
    request.with(|ctx| ctx.set_response_header("Content-Type", "application/octet-stream"))?;
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
            _ => Notification::Continue,
        }
    }
}

fn server() -> TestServer {
    TestServer::new().load_with("tasks", |registration| {
        registration.request_module(|| Tasks)
    })
}

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_body_is_echoed_through_asynchronous_reads_and_writes() {
    let server = server();
    let body = bytes(if cfg!(miri) { 2500 } else { 70_000 });
    let pieces: Vec<Vec<u8>> = body.chunks(700).map(<[u8]>::to_vec).collect();
    for request in [
        Request::post("/echo").body(body.clone()),
        Request::post("/echo").body_in_pieces(pieces.clone()),
        Request::post("/echo").chunked(pieces),
    ] {
        let response = server.request(request);
        assert_eq!((response.status, response.body.len()), (200, body.len()));
        assert!(response.body == body, "the echo differs from the body");
    }
    let response = server.request(Request::post("/echo"));
    assert_eq!((response.status, response.body.len()), (200, 0));
}

#[test]
fn a_future_woken_by_another_thread_resumes_through_a_posted_completion() {
    let response = server().request(Request::get("/later"));
    assert_eq!(
        (response.status, response.text().as_str()),
        (200, "woken by another thread\n")
    );
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
fn an_async_context_moved_out_of_its_task_refuses_to_reach_the_request() {
    let response = server().request(Request::get("/smuggled"));
    assert_eq!(response.status, 409);
}
