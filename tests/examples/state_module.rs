//! Per-request state from `RQ_BEGIN_REQUEST` to `RQ_END_REQUEST`: IIS makes one module value
//! per request, so its fields are the request's state — here what the request asked for and
//! which notifications it went through, written to an access log when the request ends
//! (after the response was sent, so the log has the final status).

use httpserv::module::{HttpContext, HttpModule, Notification};
use std::sync::Mutex;

/// The access log: one line per request.
pub static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// One request's state.
#[derive(Default)]
struct AccessLog {
    request: String,
    stages: Vec<&'static str>,
}

#[httpserv::module]
impl HttpModule for AccessLog {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let method = ctx.method().to_owned();
        self.request = format!("{method} {}", ctx.path());
        self.stages.push("begin");
        Notification::Continue
    }

    fn on_authorize_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        self.stages.push("authorize");
        if ctx.path().starts_with("/private") {
            return ctx.respond(403, "text/plain", "private\n");
        }
        Notification::Continue
    }

    fn on_execute_request_handler(&mut self, _: &mut HttpContext<'_>) -> Notification {
        self.stages.push("handler");
        Notification::Continue
    }

    fn on_end_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        self.stages.push("end");
        let line = format!(
            "{} {} {}",
            self.request,
            ctx.status(),
            self.stages.join(",")
        );
        LOG.lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push(line);
        Notification::Continue
    }
}

httpserv::register_module!(|registration| registration.request_module(AccessLog::default));

#[cfg(test)]
mod tests {
    use super::LOG;
    use httpserv::testing::{Request, TestServer};

    #[test]
    fn each_request_keeps_its_own_state_until_it_ends() {
        let server = TestServer::new().load("state_module", super::RegisterModule);
        server.request(Request::get("/index.html"));
        server.request(Request::post("/private/data"));
        let log = LOG.lock().unwrap().clone();
        assert_eq!(
            log,
            [
                "GET /index.html 404 begin,authorize,handler,end",
                // Finished at authorize: the handler never ran, the end did.
                "POST /private/data 403 begin,authorize,end",
            ]
        );
    }
}
