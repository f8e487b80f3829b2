//! A module that reads the request body: `POST /upper` answers the body in upper case, with
//! its length in a header; a body over 64 KiB is refused with 413 before it is all read.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};

/// The largest body the module reads.
const LIMIT: usize = 64 * 1024;

struct Upper;

#[httpserv::module]
impl HttpModule for Upper {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        if ctx.path() != "/upper" || ctx.method() != "POST" {
            return Ok(Notification::Continue);
        }
        let mut body = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match ctx.read_body(&mut buffer) {
                Ok(0) => break,
                Ok(read) if body.len() + read <= LIMIT => body.extend_from_slice(&buffer[..read]),
                Ok(_) => return Ok(ctx.respond(413, "text/plain", "the body is over 64 KiB\n")),
                Err(error) => return Ok(ctx.fail(&error)),
            }
        }
        body.make_ascii_uppercase();
        ctx.set_response_header("X-Body-Length", body.len().to_string())?;
        Ok(ctx.respond(200, "application/octet-stream", body))
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

    const KIB: usize = 1024;

    /// The sizes of issue 30, every byte value among them; fewer under Miri, which interprets
    /// every byte.
    fn sizes() -> Vec<usize> {
        if cfg!(miri) {
            return vec![0, 1, 5 * KIB];
        }
        vec![
            0,
            1,
            15 * KIB,
            16 * KIB + 1,
            64 * KIB,
            64 * KIB + 1,
            KIB * KIB,
            5 * KIB * KIB,
        ]
    }

    fn body(n: usize) -> Vec<u8> {
        (0..n).map(|i| ((i * 131 + 7) % 256) as u8).collect()
    }

    /// With a Content-Length and chunked (8 KiB chunks), every byte comes back upper-cased,
    /// or the module's 413 past 64 KiB.
    #[test]
    fn every_byte_arrives_or_the_module_refuses_the_body() {
        let server = server();
        for n in sizes() {
            let sent = body(n);
            let chunks: Vec<Vec<u8>> = sent.chunks(8 * KIB).map(<[u8]>::to_vec).collect();
            for (framing, request) in [
                ("Content-Length", Request::post("/upper").body(sent.clone())),
                ("chunked", Request::post("/upper").chunked(chunks)),
            ] {
                let response = server.request(request);
                if n > super::LIMIT {
                    assert_eq!(response.status, 413, "{n} bytes, {framing}");
                    assert_eq!(response.text(), "the body is over 64 KiB\n");
                    continue;
                }
                let mut expected = sent.clone();
                expected.make_ascii_uppercase();
                assert_eq!(response.status, 200, "{n} bytes, {framing}");
                assert!(
                    response.body == expected,
                    "{n} bytes, {framing}: the echo differs"
                );
                assert_eq!(
                    response.header("X-Body-Length"),
                    Some(n.to_string().as_str())
                );
            }
        }
    }

    /// IIS's request filtering refuses a declared length over `maxAllowedContentLength`
    /// before the module runs (413.1, IIS's reason and body), not a chunked body.
    #[test]
    fn request_filtering_refuses_a_declared_length_over_its_limit() {
        use httpserv::testing::RequestLimits;
        let limits = RequestLimits {
            max_allowed_content_length: 1000,
            ..RequestLimits::IIS_DEFAULT
        };
        let server = server().request_limits(limits);
        let response = server.request(Request::post("/upper").body(body(1001)));
        assert_eq!(
            (response.status, response.reason.as_str()),
            (413, "Request Entity Too Large")
        );
        let response = server.request(Request::post("/upper").chunked([body(1001)]));
        assert_eq!(response.status, 200);
    }

    #[test]
    fn get_is_not_for_this_module() {
        assert_eq!(server().request(Request::get("/upper")).status, 404);
    }
}
