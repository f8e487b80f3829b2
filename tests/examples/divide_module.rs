//! What a failing module looks like from outside. `/divide?a=7&b=2` answers `3` and writes a
//! line to the request's trace, which Failed Request Tracing shows; `b=0` divides by zero, a
//! panic: the framework catches it, answers 500, writes the panic's location and message to
//! the debugger output and to the request's trace, and the worker process serves the next
//! request.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};

struct Divide;

#[httpserv::module]
impl HttpModule for Divide {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        if ctx.path() != "/divide" {
            return Ok(Notification::Continue);
        }
        ctx.trace("divide_module: dividing")?;
        let a: i64 = ctx
            .query_value("a")
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        let b: i64 = ctx
            .query_value("b")
            .and_then(|b| b.parse().ok())
            .unwrap_or(1);
        // The bug on purpose: b = 0 panics with "attempt to divide by zero".
        Ok(ctx.respond(200, "text/plain", format!("{}\n", a / b)))
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Divide));

#[cfg(test)]
mod tests {
    use httpserv::runtime::E_FAIL;
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("divide_module", super::RegisterModule)
    }

    #[test]
    fn a_division_is_answered_and_traced() {
        let response = server().request(Request::get("/divide?a=7&b=2"));
        assert_eq!((response.status, response.text()), (200, "3\n".into()));
        let traced: Vec<String> = response
            .quick_traces
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_eq!(traced, ["divide_module: dividing hr=0x0 level=4"]);
    }

    #[test]
    fn a_panic_is_a_500_with_the_message_in_the_trace() {
        let server = server();
        let response = server.request(Request::get("/divide?a=1&b=0"));
        assert_eq!(response.status, 500);
        let panic = &response.quick_traces[1];
        assert!(
            panic.data1.starts_with("httpserv: panicked at ")
                && panic.data1.ends_with(": attempt to divide by zero"),
            "{panic}"
        );
        assert_eq!((panic.hr, panic.level), (E_FAIL, 2));
        // The server lives on.
        let response = server.request(Request::get("/divide?a=9&b=3"));
        assert_eq!(response.text(), "3\n");
    }
}
