//! A response sent in parts through the framework: what a flush fixes (the status and
//! headers, what it sent), what `headers_sent` says before and after, `Clear` after a flush,
//! the body as `std::io::Write`, and a flush from an `async fn` notification.

use std::io::Write;

use httpserv::module::*;
use httpserv::testing::{AsyncIo, Request, TestServer};

struct Streamer;

#[httpserv::module]
impl HttpModule for Streamer {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        match ctx.path() {
            "/fixed" => {
                let before = ctx.headers_sent();
                ctx.set_status(201, "Created")?;
                ctx.set_response_header("X-Before", "yes")?;
                ctx.write(b"sent, ")?;
                ctx.flush()?;
                // Written after the flush: cleared, unlike what the flush sent.
                ctx.write(b"cleared")?;
                ctx.response_mut().clear();
                ctx.set_response_header("X-After", "ignored")?;
                let after = ctx.headers_sent();
                ctx.write(format!("{before} {after}\n").as_bytes())?;
            }
            "/writer" => {
                let mut body = std::io::BufWriter::new(ctx.body_writer());
                for word in ["one", "two", "three"] {
                    write!(body, "{word} ")?;
                }
                body.flush()?;
                drop(body);
                ctx.write(b"end\n")?;
            }
            "/async" => {
                return Ok(ctx.spawn(|mut io| async move {
                    io.write_static(b"first ").await?;
                    io.flush().await?;
                    io.write(b"second\n".to_vec()).await?;
                    Ok::<_, HttpError>(Notification::FinishRequest)
                }))
            }
            _ => return Ok(Notification::Continue),
        }
        Ok(Notification::FinishRequest)
    }
}

fn server() -> TestServer {
    TestServer::new().load_with("streamer", |registration| {
        registration.request_module(|| Streamer)
    })
}

#[test]
fn the_first_flush_fixes_the_head_and_what_it_sent() {
    let response = server().request(Request::get("/fixed"));
    assert_eq!(
        (response.status, response.reason.as_str()),
        (201, "Created")
    );
    assert_eq!(response.header("X-Before"), Some("yes"));
    assert_eq!(response.header("X-After"), None);
    assert_eq!(response.header("Transfer-Encoding"), Some("chunked"));
    assert_eq!(response.text(), "sent, false true\n");
    assert_eq!(
        response.parts,
        [b"sent, ".to_vec(), b"false true\n".to_vec()]
    );
}

#[test]
fn the_body_writer_is_io_write_and_its_flush_sends() {
    let response = server().request(Request::get("/writer"));
    assert_eq!(response.text(), "one two three end\n");
    assert_eq!(
        response.parts,
        [b"one two three ".to_vec(), b"end\n".to_vec()]
    );
}

#[test]
fn an_async_flush_sends_a_part_in_either_io_mode() {
    for mode in [AsyncIo::Inline, AsyncIo::Later] {
        let server = TestServer::new()
            .async_io(mode)
            .load_with("streamer", |registration| {
                registration.request_module(|| Streamer)
            });
        let response = server.request(Request::get("/async"));
        assert_eq!(response.text(), "first second\n", "{mode:?}");
        assert_eq!(response.parts.len(), 2, "{mode:?}");
    }
}
