//! Priorities and post-notifications: a `Server-Timing` header with the time from the start
//! of the request to the end of its handler stage. The clock starts at `RQ_BEGIN_REQUEST` with
//! priority FIRST, before any other module's begin request; it stops in the post-notification
//! of `RQ_EXECUTE_REQUEST_HANDLER`, after every module's handler ran; the header is written at
//! `RQ_SEND_RESPONSE`, where IIS runs priorities in reverse, so FIRST there means after every
//! other module. Health checks (`/health`) are not timed: the module turns its later
//! notifications off for them (`disable_notifications`), and IIS does not call it again.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification, Notifications, Priority};
use httpserv::ISendResponseProvider;
use std::time::{Duration, Instant};

/// One request's clock.
#[derive(Default)]
struct Timing {
    started: Option<Instant>,
    until_handled: Option<Duration>,
}

#[httpserv::module]
impl HttpModule for Timing {
    const PRIORITIES: &'static [(Notifications, Priority)] = &[
        (Notifications::BEGIN_REQUEST, Priority::First),
        (Notifications::SEND_RESPONSE, Priority::First),
    ];

    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if ctx.path() == "/health" {
            ctx.disable_notifications(
                Notifications::POST_EXECUTE_REQUEST_HANDLER | Notifications::SEND_RESPONSE,
            );
            return Notification::Continue;
        }
        self.started = Some(Instant::now());
        Notification::Continue
    }

    fn on_post_execute_request_handler(&mut self, _: &mut HttpContext<'_>) -> Notification {
        self.until_handled = self.started.map(|started| started.elapsed());
        Notification::Continue
    }

    fn on_send_response(
        &mut self,
        ctx: &mut HttpContext<'_>,
        _: &mut ISendResponseProvider,
    ) -> Result<Notification, HttpError> {
        // A request finished before its handler stage never reached the post-notification.
        if let Some(elapsed) = self.until_handled {
            let ms = elapsed.as_secs_f64() * 1000.0;
            ctx.set_response_header("Server-Timing", format!("app;dur={ms:.3}"))?;
        }
        Ok(Notification::Continue)
    }
}

httpserv::register_module!(|registration| registration.request_module(Timing::default));

#[cfg(test)]
mod tests {
    use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};
    use httpserv::testing::{Request, TestServer};
    use httpserv::ISendResponseProvider;

    /// Another module, at the default priority: answers every request in its handler, but
    /// finishes `/early` at begin request.
    struct Site;

    #[httpserv::module]
    impl HttpModule for Site {
        fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            match ctx.path() {
                "/early" => ctx.respond(403, "text/plain", "no\n"),
                _ => Notification::Continue,
            }
        }

        fn on_execute_request_handler(
            &mut self,
            ctx: &mut HttpContext<'_>,
        ) -> Result<Notification, HttpError> {
            // Continue, not respond: the post-notification runs only for requests that go on.
            ctx.set_response(200, "text/plain", "hello\n")?;
            Ok(Notification::Continue)
        }

        fn on_send_response(
            &mut self,
            ctx: &mut HttpContext<'_>,
            _: &mut ISendResponseProvider,
        ) -> Result<Notification, HttpError> {
            ctx.set_response_header("Server-Timing", "site;desc=\"ran first\"")?;
            Ok(Notification::Continue)
        }
    }

    /// The site loaded first; priorities, not load order, put the timing module around it.
    fn server() -> TestServer {
        TestServer::new()
            .load_with("site", |registration| registration.request_module(|| Site))
            .load("timing_module", super::RegisterModule)
    }

    #[test]
    fn the_clock_runs_around_every_other_module() {
        let response = server().request(Request::get("/hello"));
        assert_eq!(response.text(), "hello\n");
        assert_eq!(
            response.trace,
            [
                "notify BEGIN_REQUEST timing_module",
                "notify BEGIN_REQUEST site",
                "notify EXECUTE_REQUEST_HANDLER site",
                "notify POST_EXECUTE_REQUEST_HANDLER timing_module",
                "notify SEND_RESPONSE site",
                "notify SEND_RESPONSE timing_module",
                "send",
                "done"
            ]
        );
        // The timing module wrote last, so its header replaced the site's.
        let timing = response.header("Server-Timing").unwrap();
        let ms: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
        assert!(ms >= 0.0, "{timing}");
    }

    #[test]
    fn a_request_finished_early_has_no_handler_time() {
        let response = server().request(Request::get("/early"));
        assert_eq!(response.status, 403);
        assert_eq!(
            response.trace,
            [
                "notify BEGIN_REQUEST timing_module",
                "notify BEGIN_REQUEST site",
                "notify SEND_RESPONSE site",
                "notify SEND_RESPONSE timing_module",
                "send",
                "done"
            ]
        );
        assert_eq!(
            response.header("Server-Timing"),
            Some("site;desc=\"ran first\"")
        );
    }

    #[test]
    fn a_health_check_turns_the_later_notifications_off() {
        let response = server().request(Request::get("/health"));
        assert_eq!(
            response.trace,
            [
                "notify BEGIN_REQUEST timing_module",
                "notify BEGIN_REQUEST site",
                "notify EXECUTE_REQUEST_HANDLER site",
                "notify SEND_RESPONSE site",
                "send",
                "done"
            ]
        );
        assert_eq!(
            response.header("Server-Timing"),
            Some("site;desc=\"ran first\"")
        );
    }
}
