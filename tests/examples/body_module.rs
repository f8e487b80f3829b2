//! A module that reads the request body: `POST /upper` answers the body in upper case, with
//! its length in a header; a body over 64 KiB is refused with 413 before it is all read.

use httpserv::module::{HttpContext, HttpModule, Notification};

/// The largest body the module reads.
const LIMIT: usize = 64 * 1024;

struct Upper;

#[httpserv::module]
impl HttpModule for Upper {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if ctx.path() != "/upper" || ctx.method() != "POST" {
            return Notification::Continue;
        }
        let mut body = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match ctx.read_body(&mut buffer) {
                Ok(0) => break,
                Ok(read) if body.len() + read <= LIMIT => body.extend_from_slice(&buffer[..read]),
                Ok(_) => return ctx.respond(413, "text/plain", "the body is over 64 KiB\n"),
                Err(error) => return ctx.fail(&error),
            }
        }
        body.make_ascii_uppercase();
        let _ = ctx.set_response_header("X-Body-Length", body.len().to_string());
        ctx.respond(200, "application/octet-stream", body)
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Upper));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("body_module", super::RegisterModule)
    }

    #[test]
    fn the_body_comes_back_in_upper_case() {
        let response = server().request(Request::post("/upper").body("make me loud"));
        assert_eq!(response.status, 200);
        assert_eq!(response.header("X-Body-Length"), Some("12"));
        assert_eq!(response.body, b"MAKE ME LOUD");
    }

    #[test]
    fn a_body_larger_than_the_read_buffer_is_read_whole() {
        let sent = "abc".repeat(5000);
        let response = server().request(Request::post("/upper").body(sent.clone()));
        assert_eq!(response.text(), sent.to_uppercase());
    }

    #[test]
    fn an_empty_body_is_an_empty_answer() {
        let response = server().request(Request::post("/upper"));
        assert_eq!((response.status, response.body.len()), (200, 0));
        assert_eq!(response.header("X-Body-Length"), Some("0"));
    }

    #[test]
    fn a_body_over_the_limit_is_refused() {
        let response = server().request(Request::post("/upper").body(vec![b'a'; 70_000]));
        assert_eq!(response.status, 413);
    }

    #[test]
    fn get_is_not_for_this_module() {
        assert_eq!(server().request(Request::get("/upper")).status, 404);
    }
}
