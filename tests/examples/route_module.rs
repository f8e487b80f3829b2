//! A module that answers one route entirely: `GET /hello` gets a `text/plain` greeting from
//! Rust, other methods on `/hello` get 405 with `Allow`, and every other URL goes on to the
//! rest of IIS (here, its static file handler's 404).

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};

struct Routes;

#[httpserv::module]
impl HttpModule for Routes {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        if ctx.path() != "/hello" {
            return Ok(Notification::Continue);
        }
        if ctx.method() != "GET" {
            ctx.set_response_header("Allow", "GET")?;
            return Ok(ctx.respond(405, "text/plain", "only GET here\n"));
        }
        let name = ctx.query_value("name").unwrap_or("world".into());
        Ok(ctx.respond(
            200,
            "text/plain; charset=utf-8",
            format!("Hello, {name}!\n"),
        ))
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Routes));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("route_module", super::RegisterModule)
    }

    #[test]
    fn get_hello_is_answered_by_the_module() {
        let response = server().request(Request::get("/hello?name=Ferris"));
        assert_eq!((response.status, response.reason.as_str()), (200, "OK"));
        assert_eq!(
            response.header("Content-Type"),
            Some("text/plain; charset=utf-8")
        );
        assert_eq!(response.text(), "Hello, Ferris!\n");
        // Finished in the handler: no other stage ran after it but the end of the request.
        assert_eq!(
            response.trace,
            [
                "notify EXECUTE_REQUEST_HANDLER route_module",
                "send",
                "done"
            ]
        );
    }

    #[test]
    fn other_methods_are_refused_with_allow() {
        let response = server().request(Request::post("/hello").body("x"));
        assert_eq!(response.status, 405);
        assert_eq!(response.header("Allow"), Some("GET"));
        assert_eq!(response.text(), "only GET here\n");
    }

    #[test]
    fn other_urls_are_left_to_iis() {
        // IIS's 404, answered with its detailed error page (the test's client is local).
        let response = server().request(Request::get("/elsewhere"));
        let page = httpserv::testing::detailed_page(404, 0, "Not Found", 0, None);
        assert_eq!((response.status, response.text()), (404, page));
    }
}
