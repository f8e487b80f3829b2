//! Reading the request body through the framework, in the test server: `read_body_to_end`
//! bounded by `BODY_LIMIT` (2 MiB) and `read_body_to_end_limited` by the module's limit, an
//! over-limit body answered 413 by `?` (at once when its `Content-Length` says so, else as
//! soon as a read passes the limit), bodies in pieces and chunked read whole, and
//! `read_body` returning what a piece holds; `insert_body` putting bytes back. Under Miri with the rest of the framework's
//! tests (the 2 MiB cases run natively only: Miri interprets every byte).

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};

/// `POST /limited/N` reads the body with a limit of N bytes, `POST /default` with the
/// default; `POST /pieces` answers the size of each `read_body`. Each answers the body's
/// length and a checksum.
struct Reader;

fn digest(body: &[u8]) -> String {
    let sum = body
        .iter()
        .fold(0u32, |h, &b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("{} {sum:x}", body.len())
}

#[httpserv::module]
impl HttpModule for Reader {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        let path = ctx.path().to_string();
        if path == "/peek" {
            // Reads the first bytes, puts them back, then reads the whole body.
            let mut first = [0u8; 4];
            let read = ctx.read_body(&mut first)?;
            ctx.insert_body(&first[..read])?;
            ctx.insert_body(b"")?;
            let body = ctx.read_body_to_end()?;
            return Ok(ctx.respond(200, "text/plain", digest(&body)));
        }
        if path == "/pieces" {
            let mut sizes = Vec::new();
            let mut buffer = [0u8; 8];
            loop {
                match ctx.read_body(&mut buffer)? {
                    0 => break,
                    read => sizes.push(read.to_string()),
                }
            }
            return Ok(ctx.respond(200, "text/plain", sizes.join(" ")));
        }
        let body = match path.strip_prefix("/limited/") {
            Some(limit) => ctx.read_body_to_end_limited(limit.parse().unwrap())?,
            None => ctx.read_body_to_end()?,
        };
        Ok(ctx.respond(200, "text/plain", digest(&body)))
    }
}

fn server() -> TestServer {
    TestServer::new().load_with("reader", |registration| {
        registration.request_module(|| Reader)
    })
}

fn bytes(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 % 251) as u8).collect()
}

#[test]
fn a_body_within_the_limit_is_read_whole_however_it_comes() {
    let server = server();
    let body = bytes(10_000);
    let expected = digest(&body);
    let pieces: Vec<Vec<u8>> = body.chunks(3000).map(<[u8]>::to_vec).collect();
    for request in [
        Request::post("/limited/10000").body(body.clone()),
        Request::post("/limited/10000").body_in_pieces(pieces.clone()),
        Request::post("/limited/10000").chunked(pieces),
        Request::post("/default").body(body.clone()),
    ] {
        let response = server.request(request);
        assert_eq!((response.status, response.text()), (200, expected.clone()));
    }
    let response = server.request(Request::post("/limited/0"));
    assert_eq!((response.status, response.text()), (200, "0 0".into()));
}

#[test]
fn a_body_over_the_limit_answers_413() {
    let server = server();
    let body = bytes(10_001);
    let pieces: Vec<Vec<u8>> = body.chunks(3000).map(<[u8]>::to_vec).collect();
    for request in [
        // Refused from its Content-Length, nothing read.
        Request::post("/limited/10000").body(body.clone()),
        // Refused as the reads pass the limit.
        Request::post("/limited/10000").chunked(pieces),
    ] {
        let response = server.request(request);
        assert_eq!(
            (response.status, response.reason.as_str()),
            (413, "Content Too Large")
        );
        // Status only (`fail_with`): IIS's detailed error page (a local client).
        let page = httpserv::testing::detailed_page(413, 0, "Content Too Large", 0, None);
        assert_eq!(response.text(), page);
    }
}

#[test]
fn the_error_says_what_went_wrong_and_becomes_a_status() {
    let too_large = BodyError::TooLarge { limit: 5 };
    assert_eq!(too_large.to_string(), "the request body is over 5 bytes");
    assert_eq!(HttpError::from(too_large).code(), 413);
    let failed = BodyError::from(httpserv::runtime::Error::from(httpserv::runtime::E_FAIL));
    assert_eq!(HttpError::from(failed).code(), 500);
}

#[test]
fn an_inserted_body_is_read_before_the_rest() {
    let body = bytes(5000);
    let response =
        server().request(Request::post("/peek").body_in_pieces([&body[..10], &body[10..]]));
    assert_eq!(response.text(), digest(&body));
}

#[test]
fn read_body_returns_what_a_piece_holds() {
    let response =
        server().request(Request::post("/pieces").body_in_pieces([bytes(3), bytes(20), bytes(1)]));
    assert_eq!(response.text(), "3 8 8 4 1");
}

#[test]
#[cfg_attr(miri, ignore = "2 MiB, byte by byte, is minutes under Miri")]
fn the_default_limit_is_two_mebibytes() {
    assert_eq!(BODY_LIMIT, 2 * 1024 * 1024);
    let server = server();
    let pieces =
        |n: usize| -> Vec<Vec<u8>> { bytes(n).chunks(64 * 1024).map(<[u8]>::to_vec).collect() };
    let at_limit = server.request(Request::post("/default").chunked(pieces(BODY_LIMIT)));
    assert_eq!(at_limit.text(), digest(&bytes(BODY_LIMIT)));
    let over = server.request(Request::post("/default").chunked(pieces(BODY_LIMIT + 1)));
    assert_eq!(over.status, 413);
    let declared = server.request(Request::post("/default").body(bytes(BODY_LIMIT + 1)));
    assert_eq!(declared.status, 413);
}
