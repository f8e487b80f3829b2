//! Work that finishes after the notification returns: `/slow?ms=N` takes a `Completion`, so
//! IIS holds the request, and a thread of its own posts the completion N milliseconds later;
//! IIS then calls `on_async_completion`, which answers. No raw pointer: the completion is the
//! only way back to the request, and it can be used once.

use httpserv::module::{AsyncCompletion, HttpContext, HttpModule, Notification};
use std::time::Duration;

struct Slow;

#[httpserv::module]
impl HttpModule for Slow {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if ctx.path() != "/slow" {
            return Notification::Continue;
        }
        let ms: u32 = ctx
            .query_value("ms")
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(10);
        let completion = ctx.complete_later();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(ms.into()));
            completion.post(ms);
        });
        // What a pending notification returns is not used.
        Notification::Continue
    }

    fn on_async_completion(
        &mut self,
        ctx: &mut HttpContext<'_>,
        completion: &AsyncCompletion,
    ) -> Notification {
        let waited = completion.bytes;
        ctx.respond(200, "text/plain", format!("waited {waited} ms\n"))
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Slow));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    #[test]
    fn the_request_waits_for_its_completion() {
        let server = TestServer::new().load("async_module", super::RegisterModule);
        let response = server.request(Request::get("/slow?ms=20"));
        assert_eq!(
            (response.status, response.text()),
            (200, "waited 20 ms\n".into())
        );
        assert_eq!(
            response.trace,
            [
                "notify EXECUTE_REQUEST_HANDLER async_module",
                "pending",
                "async-completion",
                "send",
                "done"
            ]
        );
    }

    #[test]
    fn other_urls_do_not_wait() {
        let server = TestServer::new().load("async_module", super::RegisterModule);
        assert_eq!(server.request(Request::get("/fast")).status, 404);
    }
}
