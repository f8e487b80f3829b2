//! Error responses and IIS's custom errors, in the test server: `respond` and `set_response`
//! keep the module's body (`fTrySkipCustomErrors`), `fail_with`, `set_status` and the
//! `CustomErrors::Apply` forms let IIS's error page replace it, by `<httpErrors
//! existingResponse>` (Auto, the default; Replace; PassThrough).

use httpserv::module::*;
use httpserv::testing::{detailed_page, ExistingResponse, HttpErrors, Request, TestServer};

const BODY: &str = "denied: your key has expired\n";

/// Answers 403 by the path: `/respond`, `/apply` (`set_response_with` and
/// `CustomErrors::Apply`), `/status` (`set_status` then `write`), `/status-skip`
/// (`set_status_with` and `CustomErrors::TrySkip`, then `write`), `/fail` (`Err`).
struct Denier;

#[httpserv::module]
impl HttpModule for Denier {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        match ctx.path() {
            "/respond" => {
                let answer = ctx.respond(403, "text/plain", BODY);
                // GetStatus hands back what SetStatus was given; seen in the header.
                let flag = format!("{:?}", ctx.custom_errors());
                ctx.set_response_header("X-Custom-Errors", flag)?;
                Ok(answer)
            }
            "/apply" => {
                ctx.set_response_with(403, "text/plain", BODY, CustomErrors::Apply)?;
                let flag = format!("{:?}", ctx.custom_errors());
                ctx.set_response_header("X-Custom-Errors", flag)?;
                Ok(Notification::FinishRequest)
            }
            "/status" => {
                ctx.set_status(403, "Forbidden")?;
                ctx.write(BODY.as_bytes())?;
                Ok(Notification::FinishRequest)
            }
            "/status-skip" => {
                ctx.set_status_with(403, "Forbidden", CustomErrors::TrySkip)?;
                ctx.write(BODY.as_bytes())?;
                Ok(Notification::FinishRequest)
            }
            _ => Err(HttpError::status(403)),
        }
    }
}

fn server(existing_response: Option<ExistingResponse>) -> TestServer {
    let server = TestServer::new();
    let server = match existing_response {
        Some(existing_response) => server.http_errors(HttpErrors {
            existing_response,
            ..HttpErrors::IIS_DEFAULT
        }),
        None => server,
    };
    server.load_with("denier", |registration| {
        registration.request_module(|| Denier)
    })
}

/// The status and body a client gets for `path`.
fn answer(server: &TestServer, path: &str) -> (u16, String) {
    let response = server.request(Request::get(path));
    (response.status, response.text())
}

fn iis_page() -> String {
    detailed_page(403, 0, "Forbidden", 0, None)
}

#[test]
fn under_iis_defaults_respond_keeps_its_body_and_status_only_answers_get_iis_page() {
    let server = server(None);
    let kept = (403, BODY.to_string());
    let replaced = (403, iis_page());
    assert_eq!(answer(&server, "/respond"), kept);
    assert_eq!(answer(&server, "/status-skip"), kept);
    assert_eq!(answer(&server, "/apply"), replaced);
    assert_eq!(answer(&server, "/status"), replaced);
    assert_eq!(answer(&server, "/fail"), replaced);
    let response = server.request(Request::get("/respond"));
    assert_eq!(response.header("Content-Type"), Some("text/plain"));
    assert_eq!(response.header("X-Custom-Errors"), Some("TrySkip"));
    let response = server.request(Request::get("/apply"));
    assert_eq!(response.header("Content-Type"), Some("text/html"));
    assert_eq!(response.header("X-Custom-Errors"), Some("Apply"));
}

#[test]
fn replace_replaces_even_what_respond_asked_to_keep() {
    let server = server(Some(ExistingResponse::Replace));
    for path in ["/respond", "/status-skip", "/apply", "/fail"] {
        assert_eq!(answer(&server, path), (403, iis_page()), "{path}");
    }
}

#[test]
fn pass_through_keeps_every_body_and_fills_only_an_empty_one() {
    let server = server(Some(ExistingResponse::PassThrough));
    for path in ["/respond", "/status-skip", "/apply", "/status"] {
        assert_eq!(answer(&server, path), (403, BODY.to_string()), "{path}");
    }
    assert_eq!(answer(&server, "/fail"), (403, iis_page()));
}
