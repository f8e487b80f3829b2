//! A response sent in parts, as a report that takes a while would send it: `GET /count?to=N`
//! writes the lines `1` to `N` through `std::io::Write`, flushing after each so the client
//! sees every line as soon as it is written, then a last line that goes when the request ends.
//! IIS sends the status and headers with the first flush and, with no `Content-Length`, the
//! body chunked. `GET /sized` states its length first, so the parts go as a plain body of that
//! length. A status set after the first flush reaches no client: `headers_sent` says so.

use std::io::Write;

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};

struct Stream;

/// The most lines `/count` writes.
const MAX_LINES: u32 = 100;

#[httpserv::module]
impl HttpModule for Stream {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        match ctx.path() {
            "/count" => {
                let lines = match ctx.query_value("to") {
                    Some(to) => to.parse().map_err(|_| HttpError::status(400))?,
                    None => 3,
                };
                ctx.set_status(200, "OK")?;
                ctx.set_response_header("Content-Type", "text/plain")?;
                let mut body = ctx.body_writer();
                for line in 1..=lines.min(MAX_LINES) {
                    writeln!(body, "{line}")?;
                    body.flush()?;
                }
                writeln!(body, "done")?;
                // Too late: the head went with the first flush.
                let late = ctx.headers_sent();
                ctx.set_status(500, "Too Late")?;
                ctx.write(if late {
                    b"headers sent\n"
                } else {
                    b"headers kept\n"
                })?;
            }
            "/sized" => {
                let parts: [&[u8]; 2] = [b"first half, ", b"second half\n"];
                let length = parts.iter().map(|part| part.len()).sum::<usize>();
                ctx.set_status(200, "OK")?;
                ctx.set_response_header("Content-Type", "text/plain")?;
                ctx.set_response_header("Content-Length", length.to_string())?;
                for part in parts {
                    ctx.write(part)?;
                    ctx.flush()?;
                }
            }
            _ => return Ok(Notification::Continue),
        }
        Ok(Notification::FinishRequest)
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Stream));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("stream_module", super::RegisterModule)
    }

    #[test]
    fn each_flush_sends_a_part_chunked_and_the_head_goes_with_the_first() {
        let response = server().request(Request::get("/count?to=3"));
        assert_eq!((response.status, response.reason.as_str()), (200, "OK"));
        assert_eq!(response.header("Transfer-Encoding"), Some("chunked"));
        assert_eq!(response.header("Content-Length"), None);
        assert_eq!(response.text(), "1\n2\n3\ndone\nheaders sent\n");
        let parts: Vec<&[u8]> = response.parts.iter().map(Vec::as_slice).collect();
        assert_eq!(
            parts,
            [&b"1\n"[..], b"2\n", b"3\n", b"done\nheaders sent\n"]
        );
        let flushes = response
            .trace
            .iter()
            .filter(|line| line.starts_with("flush"));
        assert_eq!(flushes.count(), 3);
    }

    #[test]
    fn an_http_1_0_client_gets_the_parts_and_the_connection_closed() {
        let response = server().request(Request::get("/count?to=2").version(1, 0));
        assert_eq!(response.header("Transfer-Encoding"), None);
        assert_eq!(response.header("Connection"), Some("close"));
        assert_eq!(response.text(), "1\n2\ndone\nheaders sent\n");
    }

    #[test]
    fn a_stated_length_sends_the_parts_unchunked() {
        let response = server().request(Request::get("/sized"));
        assert_eq!(response.status, 200);
        assert_eq!(response.header("Transfer-Encoding"), None);
        assert_eq!(response.header("Content-Length"), Some("24"));
        assert_eq!(response.text(), "first half, second half\n");
        assert_eq!(response.parts.len(), 2);
    }

    #[test]
    fn a_head_request_gets_the_head_alone() {
        let response = server().request(Request::new("HEAD", "/count"));
        assert_eq!(response.status, 200);
        assert!(response.body.is_empty() && response.parts.is_empty());
    }

    #[test]
    fn a_count_that_is_no_number_is_the_clients_error() {
        assert_eq!(server().request(Request::get("/count?to=x")).status, 400);
    }
}
