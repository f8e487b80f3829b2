//! What a module reads borrows the context shared: the path, query, server variables, request
//! headers and status go into one `format!`, and the reference `set_state` returns is held
//! while the context is used again. Before the getters took `&self`, this did not compile.

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};

struct Visits(u32);

struct Reader;

#[httpserv::module]
impl HttpModule for Reader {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let line = format!(
            "{} {} {:?} {:?} {} {:?}",
            ctx.path(),
            ctx.query(),
            ctx.query_value("a"),
            ctx.server_variable("REQUEST_METHOD"),
            ctx.status(),
            ctx.request_header_str("X-One"),
        );
        let visits = ctx.set_state(Visits(1)).unwrap();
        ctx.set_response_header("X-Line", &line).unwrap();
        ctx.set_named_state("visits", 2u32).ok();
        let named = ctx.named_state::<u32>("visits").copied();
        ctx.set_response_header("X-Visits", format!("{} {named:?}", visits.0))
            .unwrap();
        Notification::Continue
    }
}

#[test]
fn getters_share_the_context_and_state_outlives_its_borrow() {
    let server = TestServer::new().load_with("reader", |registration| {
        registration.request_module(|| Reader)
    });
    let response = server.request(Request::get("/p?a=1").header("X-One", "one"));
    assert_eq!(
        response.header("X-Line"),
        Some(r#"/p a=1 Some("1") Some("GET") 200 Some("one")"#)
    );
    // The test server has no named contexts (IHttpContext3), so named state is `None`.
    assert_eq!(response.header("X-Visits"), Some("1 None"));
}

/// A notification method returning `Result` uses `?`: an `HttpError` answers its status, an
/// IIS error a 500.
struct Strict;

#[httpserv::module]
impl HttpModule for Strict {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Result<Notification, HttpError> {
        if ctx.query_value("bad").is_some() {
            return Err(HttpError::status(400));
        }
        if ctx.query_value("crlf").is_some() {
            // Refused (E_INVALIDARG): `?` answers 500.
            ctx.set_response_header("X-Echo", "a\r\nX-Injected: 1")?;
        }
        let echo = format!("q={}", ctx.query());
        ctx.set_response_header("X-Echo", echo)?;
        ctx.write(b"ok")?;
        Ok(Notification::FinishRequest)
    }
}

#[test]
fn a_notification_returning_result_answers_its_error() {
    let server = TestServer::new().load_with("strict", |registration| {
        registration.request_module(|| Strict)
    });
    let fine = server.request(Request::get("/?a"));
    assert_eq!((fine.status, fine.text().as_str()), (200, "ok"));
    let refused = server.request(Request::get("/?bad"));
    assert_eq!(
        (refused.status, refused.reason.as_str()),
        (400, "Bad Request")
    );
    let failed = server.request(Request::get("/?crlf"));
    assert_eq!((failed.status, failed.header("X-Injected")), (500, None));
}
