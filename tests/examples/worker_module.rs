//! Finishing a request from another thread: `/report` hands its request to a worker thread,
//! which writes the whole response through `Completion::context` and then resumes the request
//! with `FinishRequest` (IIS's `IndicateCompletion`; `on_async_completion` is not called).
//! `/report?skip` shows the safety net: the worker drops its completion without signalling
//! it, which resumes the request with `Continue`, so no request is ever left pending.

use httpserv::module::{Completion, HttpContext, HttpModule, Notification};

struct Reports;

#[httpserv::module]
impl HttpModule for Reports {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if ctx.path() != "/report" {
            return Notification::Continue;
        }
        let skip = ctx.query_value("skip").is_some();
        let completion = ctx.complete_later();
        std::thread::spawn(move || write_report(completion, skip));
        // Not used: the request is pending until the completion is signalled or dropped.
        Notification::Continue
    }
}

/// On the worker thread. `context()` waits until the notification has returned, so the
/// request is never touched from two threads at once.
fn write_report(mut completion: Completion, skip: bool) {
    if skip {
        // Dropped here: the request goes on with `Continue`.
        return;
    }
    let report: String = (1..=3).map(|n| format!("line {n}\n")).collect();
    let mut ctx = completion.context();
    let answer = match ctx.set_response(200, "text/plain", report) {
        Ok(()) => Notification::FinishRequest,
        Err(error) => ctx.fail(&error),
    };
    // The request is IIS's again once resumed: the borrow ends first.
    drop(ctx);
    completion.resume(answer);
}

httpserv::register_module!(|registration| registration.request_module(|| Reports));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("worker_module", super::RegisterModule)
    }

    #[test]
    fn the_worker_writes_the_response_and_finishes_the_request() {
        let response = server().request(Request::get("/report"));
        assert_eq!(
            (response.status, response.text()),
            (200, "line 1\nline 2\nline 3\n".into())
        );
        assert_eq!(
            response.trace,
            [
                "notify EXECUTE_REQUEST_HANDLER worker_module",
                "pending",
                "resume",
                "send",
                "done"
            ]
        );
    }

    #[test]
    fn a_dropped_completion_lets_the_request_go_on() {
        let response = server().request(Request::get("/report?skip"));
        // Nobody answered: IIS's 404, as for any URL the module leaves alone.
        assert_eq!(response.status, 404);
        // The worker may drop the completion before the notification has returned (the
        // framework then continues at once, and IIS never hears of pending) or after it.
        let early = [
            "notify EXECUTE_REQUEST_HANDLER worker_module",
            "send",
            "done",
        ];
        let late = [
            "notify EXECUTE_REQUEST_HANDLER worker_module",
            "pending",
            "resume",
            "send",
            "done",
        ];
        assert!(
            response.trace == early || response.trace == late,
            "{:?}",
            response.trace
        );
    }
}
