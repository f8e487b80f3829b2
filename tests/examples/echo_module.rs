//! `async fn` notifications on IIS's own asynchronous I/O, without `unsafe` and without a
//! thread: `POST /echo` reads the request body a piece at a time and writes each piece back
//! (`ReadEntityBody` and `WriteEntityChunks` with `fAsync`), then flushes; `/hello` is
//! Microsoft's `IHttpContext::IndicateCompletion` sample — write a line, flush, finish —
//! with the pending answer and the resumption IIS needs written by the framework, not by
//! hand. Each await that IIS completes later answers `RQ_NOTIFICATION_PENDING`, and the
//! future goes on in `OnAsyncCompletion`, on IIS's thread.

use httpserv::module::{AsyncContext, HttpContext, HttpError, HttpModule, Notification};

struct Echo;

#[httpserv::module]
impl HttpModule for Echo {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        match (ctx.method(), ctx.path()) {
            ("POST", "/echo") => ctx.spawn(echo),
            (_, "/hello") => ctx.spawn(hello),
            _ => Notification::Continue,
        }
    }
}

/// The body back, as it arrives, in one reused buffer.
async fn echo(mut request: AsyncContext) -> Result<Notification, HttpError> {
    request.with(|ctx| {
        ctx.set_status(200, "OK")?;
        ctx.set_response_header("Content-Type", "text/plain")
    })?;
    let mut buffer = Vec::with_capacity(16 * 1024);
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

/// Microsoft's `IndicateCompletion` sample: an asynchronous write and flush, then finish.
async fn hello(mut request: AsyncContext) -> Result<Notification, HttpError> {
    request.with(|ctx| {
        ctx.set_status(200, "OK")?;
        ctx.set_response_header("Content-Type", "text/plain")
    })?;
    request.write_static(b"Hello World!\n").await?;
    request.flush().await?;
    Ok(Notification::FinishRequest)
}

httpserv::register_module!(|registration| registration.request_module(|| Echo));

#[cfg(test)]
mod tests {
    use httpserv::testing::{AsyncIo, Request, TestServer};

    /// IIS may complete each operation at once or later: both ways.
    fn servers() -> [TestServer; 2] {
        [AsyncIo::Inline, AsyncIo::Later].map(|io| {
            TestServer::new()
                .async_io(io)
                .load("echo_module", super::RegisterModule)
        })
    }

    #[test]
    fn a_body_comes_back_as_it_was_sent() {
        let body: Vec<u8> = (0..40_000u32).map(|i| (i % 251) as u8).collect();
        for server in servers() {
            let response = server.request(Request::post("/echo").body(body.clone()));
            assert_eq!(response.status, 200);
            assert_eq!(response.header("Content-Type"), Some("text/plain"));
            assert!(response.body == body, "the echo differs from the body");
        }
    }

    #[test]
    fn hello_writes_flushes_and_finishes() {
        for server in servers() {
            let response = server.request(Request::get("/hello"));
            assert_eq!(
                (response.status, response.text()),
                (200, "Hello World!\n".into())
            );
        }
    }
}
