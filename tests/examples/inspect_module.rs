//! What a request brings, as IIS hands it to a module: `GET /files/…` answers the path decoded
//! and resolved
//! as http.sys cooks it (`/files/a%20b/../c.txt` is `/files/c.txt`), the URL as the client
//! sent it, the decoded query values (`name=J%C3%B6rg+M`, a repeated `tag`), and a typed
//! query read with serde: `GET /search?q=…&page=2` fills a struct, and a `page` that is no
//! number is the client's error, answered `400 Bad Request` by `?`; `GET /headers` lists the
//! request headers as IIS holds them (known ones first, by id), but `Host`, which names the
//! server rather than describing the request; `GET /moved` redirects to `/files/here`, which
//! IIS makes absolute, keeping the query; `POST /signed` puts a line in front of the body
//! (`insert_body`, for the modules and handler after it) and answers the body then read.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};
use serde::Deserialize;

struct Inspector;

/// What `GET /search` accepts in its query string.
#[derive(Deserialize)]
struct Search {
    q: String,
    page: Option<u32>,
}

#[httpserv::module]
impl HttpModule for Inspector {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        let text = if ctx.path().starts_with("/files/") {
            let tags: Vec<_> = ctx
                .query_pairs()
                .filter(|(name, _)| name == "tag")
                .map(|(_, tag)| tag)
                .collect();
            format!(
                "path {}\nraw {}\nname {}\ntags {}\n",
                ctx.path(),
                ctx.raw_url(),
                ctx.query_value("name").unwrap_or_default(),
                tags.join(","),
            )
        } else if ctx.path() == "/search" {
            let search: Search = ctx.query_as()?;
            format!("{} page {}\n", search.q, search.page.unwrap_or(1))
        } else if ctx.path() == "/moved" {
            ctx.redirect_keeping_query("/files/here")?;
            return Ok(Notification::FinishRequest);
        } else if ctx.path() == "/signed" {
            ctx.insert_body(b"signed: inspect_module\n")?;
            let body = ctx.read_body_to_end_limited(64 * 1024)?;
            String::from_utf8_lossy(&body).into_owned()
        } else if ctx.path() == "/headers" {
            let mut text = String::new();
            for (name, value) in ctx.request_headers().filter(|(name, _)| *name != "Host") {
                text += &format!("{name}: {}\n", String::from_utf8_lossy(value));
            }
            text
        } else {
            return Ok(Notification::Continue);
        };
        Ok(ctx.respond(200, "text/plain; charset=utf-8", text))
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Inspector));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    #[test]
    fn paths_arrive_cooked_and_queries_decoded() {
        let server = TestServer::new().load("inspect_module", super::RegisterModule);
        let response = server.request(Request::get(
            "/files/a%20b/../c%2Etxt?name=J%C3%B6rg+M&tag=x&tag=y%26z",
        ));
        assert_eq!(response.status, 200);
        assert_eq!(
            response.text(),
            "path /files/c.txt\n\
             raw /files/a%20b/../c%2Etxt?name=J%C3%B6rg+M&tag=x&tag=y%26z\n\
             name Jörg M\n\
             tags x,y&z\n"
        );
        // Escapes that are not UTF-8 and a backslash, as http.sys cooks them.
        let response = server.request(Request::get("/files/./%E9t%E9\\x"));
        assert_eq!(
            response.text(),
            "path /files/\u{e9}t\u{e9}/x\nraw /files/./%E9t%E9\\x\nname \ntags \n"
        );
    }

    #[test]
    fn headers_are_listed_known_ones_first() {
        let server = TestServer::new().load("inspect_module", super::RegisterModule);
        let request = Request::get("/headers")
            .header("X-Trace", "t1")
            .header("Accept", "*/*");
        assert_eq!(server.request(request).text(), "Accept: */*\nX-Trace: t1\n");
    }

    #[test]
    fn a_redirect_is_made_absolute_with_the_query() {
        let server = TestServer::new().load("inspect_module", super::RegisterModule);
        let response = server.request(Request::get("/moved?from=old"));
        assert_eq!(response.status, 302);
        assert_eq!(
            response.header("Location"),
            Some("http://localhost/files/here?from=old")
        );
    }

    #[test]
    fn an_inserted_body_is_read_first() {
        let server = TestServer::new().load("inspect_module", super::RegisterModule);
        let response = server.request(Request::post("/signed").body("payload"));
        assert_eq!(response.text(), "signed: inspect_module\npayload");
    }

    #[test]
    fn a_typed_query_fills_the_struct_or_answers_400() {
        let server = TestServer::new().load("inspect_module", super::RegisterModule);
        let response = server.request(Request::get("/search?q=iis+modules&page=2"));
        assert_eq!(
            (response.status, response.text()),
            (200, "iis modules page 2\n".into())
        );
        let response = server.request(Request::get("/search?q=rust"));
        assert_eq!(response.text(), "rust page 1\n");
        let response = server.request(Request::get("/search?q=rust&page=two"));
        assert_eq!(response.status, 400);
        let response = server.request(Request::get("/search?page=2"));
        assert_eq!(response.status, 400);
    }
}
