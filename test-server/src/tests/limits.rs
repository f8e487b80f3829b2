//! What refuses a request before the modules: http.sys past its limits (its own error page,
//! no module notified) and IIS's request filtering (`413.1`, `404.14`, `404.15` from the
//! site's limits or a URL's, ahead of every module's `RQ_BEGIN_REQUEST`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::{continues, module, Log};
use crate::*;
use crate::{HttpSysLimits, Request, RequestLimits, Response, TestServer};

/// A server with a module registered for BEGIN_REQUEST and SEND_RESPONSE that logs each.
fn server(configure: impl FnOnce(TestServer) -> TestServer) -> (TestServer, Log) {
    let log = Log::default();
    let seen = log.clone();
    let server = module("m", RQ_BEGIN_REQUEST | RQ_SEND_RESPONSE, 0, move |event| {
        seen.push(event.name);
        continues(event)
    })
    .load(configure(TestServer::new()));
    (server, log)
}

/// A URL path of `len` bytes in segments of 199 characters (within http.sys's 260).
fn path_of(len: usize) -> String {
    (0..len)
        .map(|i| if i % 200 == 0 { '/' } else { 'u' })
        .collect()
}

fn http_sys_heading(response: &Response) -> String {
    let text = response.text();
    let start = text.find("<h2>").map_or(0, |at| at + 4);
    let end = text.find("</h2>").unwrap_or(start);
    format!("{} {}", response.status, &text[start..end])
}

#[test]
#[cfg_attr(
    miri,
    ignore = "requests of 2-16 kB walked byte by byte take minutes under Miri; the same paths at small sizes run there"
)]
fn http_sys_refuses_what_is_past_its_limits_and_no_module_sees_it() {
    let (server, log) = server(|server| server);
    let long = |n: usize| "a".repeat(n);
    let cases: Vec<(Request, &str)> = alloc::vec![
        (
            Request::get(format!("/?{}", long(16_400))),
            "414 Request URL Too Long"
        ),
        (
            Request::get("/").header("X-Big", long(16_380)),
            "400 Bad Request - Header Field Too Long",
        ),
        (
            (0..2000).fold(Request::get("/"), |r, i| r.header(format!("X-H{i}"), "v")),
            "400 Bad Request - Request Too Long",
        ),
        (
            Request::get(format!("/{}", long(261))),
            "400 Bad Request - Invalid URL"
        ),
        (Request::get("/a%00b"), "400 Bad Request - Invalid URL"),
        (Request::get("/a%C2%85b"), "400 Bad Request - Invalid URL"),
        (
            Request::get("/s".repeat(256)),
            "400 Bad Request - Invalid URL"
        ),
    ];
    for (request, expected) in cases {
        let response = server.request(request);
        assert_eq!(http_sys_heading(&response), expected);
        assert_eq!(response.header("Server"), Some("Microsoft-HTTPAPI/2.0"));
        assert_eq!(response.header("Connection"), Some("close"));
        assert_eq!(
            response.header("Content-Type"),
            Some("text/html; charset=us-ascii")
        );
        assert!(response.trace[0].starts_with("refused by http.sys"));
        assert_eq!(log.take(), Vec::<String>::new(), "{expected}");
    }
    // Within the limits, the modules see them.
    for request in [
        Request::get(format!("/{}", long(260))),
        Request::get("/s".repeat(255)),
        Request::get("/").header("X-Big", long(16_300)),
        Request::get("/a%C2%A0b"),
    ] {
        assert_eq!(server.request(request).status, 404);
        assert_eq!(log.take(), ["BEGIN_REQUEST", "SEND_RESPONSE"]);
    }
}

#[test]
fn raised_http_sys_limits_let_a_long_header_through() {
    let limits = HttpSysLimits {
        max_field_length: 40_000,
        max_request_bytes: 50_000,
        ..HttpSysLimits::WINDOWS_DEFAULT
    };
    let (server, log) = server(|server| server.http_sys_limits(limits));
    let response = server.request(Request::get("/").header("X-Big", "b".repeat(30_000)));
    assert_eq!(response.status, 404);
    assert_eq!(log.take(), ["BEGIN_REQUEST", "SEND_RESPONSE"]);
}

#[test]
#[cfg_attr(
    miri,
    ignore = "requests of 2-16 kB walked byte by byte take minutes under Miri; the same paths at small sizes run there"
)]
fn request_filtering_answers_before_the_modules_begin() {
    let (server, log) = server(|server| server);
    let filtered = |request: Request| {
        let response = server.request(request);
        let lines: Vec<String> = log.take();
        (
            response.status,
            response.reason.clone(),
            response.text(),
            lines,
            response.trace,
        )
    };
    let (status, reason, body, lines, trace) =
        filtered(Request::post("/").header("Content-Length", "30000001"));
    assert_eq!((status, reason.as_str()), (413, "Request Entity Too Large"));
    assert_eq!(
        body,
        detailed_page(413, 1, "Request Entity Too Large", 0, None),
        "IIS's detailed error page (a local client)"
    );
    assert_eq!(lines, ["SEND_RESPONSE"], "no BEGIN_REQUEST");
    assert_eq!(
        trace[0],
        "request filtering 413.1 Content-Length over maxAllowedContentLength"
    );
    let (status, _, _, lines, trace) = filtered(Request::get(path_of(4097)));
    assert_eq!((status, lines.len()), (404, 1));
    assert_eq!(trace[0], "request filtering 404.14 URL over maxUrl");
    let (status, _, _, _, trace) = filtered(Request::get(format!("/?{}", "q".repeat(2049))));
    assert_eq!(status, 404);
    assert_eq!(
        trace[0],
        "request filtering 404.15 query string over maxQueryString"
    );
    // At the limits, and a body of unknown length, the modules run.
    for request in [
        Request::post("/").header("Content-Length", "30000000"),
        Request::get(path_of(4096)),
        Request::get(format!("/?{}", "q".repeat(2048))),
        Request::post("/").chunked([alloc::vec![b'c'; 64]]),
    ] {
        assert_eq!(filtered(request).3, ["BEGIN_REQUEST", "SEND_RESPONSE"]);
    }
}

#[test]
fn request_limits_are_set_for_the_site_and_by_url() {
    let small = RequestLimits {
        max_allowed_content_length: 10,
        max_url: 20,
        max_query_string: 5,
    };
    let large = RequestLimits {
        max_allowed_content_length: 100,
        ..small
    };
    let (server, _) = server(|server| {
        server
            .request_limits(small)
            .request_limits_for("/upload/", large)
            .request_limits_for("/upload/big", RequestLimits::IIS_DEFAULT)
    });
    let status = |url: &str, body: usize| {
        server
            .request(Request::post(url).body(alloc::vec![b'b'; body]))
            .status
    };
    assert_eq!(status("/x", 11), 413);
    assert_eq!(status("/x", 10), 404);
    assert_eq!(
        status("/UPLOAD/a", 100),
        404,
        "locations match without regard to case"
    );
    assert_eq!(status("/upload/a", 101), 413);
    assert_eq!(
        status("/uploads", 11),
        413,
        "a location is matched whole segment by segment"
    );
    assert_eq!(
        status("/upload/big/a", 1000),
        404,
        "the longest location wins"
    );
    let long_url = server.request(Request::get("/123456789012345678901"));
    assert_eq!(
        long_url.trace[0],
        "request filtering 404.14 URL over maxUrl"
    );
    let long_query = server.request(Request::get("/x?123456"));
    assert_eq!(
        long_query.trace[0],
        "request filtering 404.15 query string over maxQueryString"
    );
}
