//! Every request header, as IIS holds them: a module lists them (known ones by id first,
//! then the others) after an earlier notification set one and removed another, and reads
//! them as an `http::HeaderMap`; the method and URL as the `http` crate's types.

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};

struct Lister;

#[httpserv::module]
impl HttpModule for Lister {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Result<Notification, HttpError> {
        ctx.set_request_header("X-Added", "yes")?;
        ctx.remove_request_header("X-Gone")?;
        ctx.remove_request_header("Accept")?;
        Ok(Notification::Continue)
    }

    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        let mut lines = String::new();
        for (name, value) in ctx.request_headers() {
            lines += &format!("{name}: {}\n", String::from_utf8_lossy(value));
        }
        let map = ctx.request_header_map();
        lines += &format!(
            "map: {} headers, user-agent {:?}, x-two {:?}\n",
            map.len(),
            map.get(http::header::USER_AGENT),
            map.get("x-two"),
        );
        lines += &format!("{:?} {:?}\n", ctx.http_method(), ctx.uri());
        lines += &format!(
            "q {:?} raw {:?}\n",
            ctx.query_value("q"),
            ctx.raw_query_value("q")
        );
        Ok(ctx.respond(200, "text/plain", lines))
    }
}

#[test]
fn request_headers_list_what_iis_holds_after_changes() {
    let server = TestServer::new().load_with("lister", |registration| {
        registration.request_module(|| Lister)
    });
    let response = server.request(
        Request::new("PURGE", "/a%20b?q=x%20y")
            .header("X-Two", "a")
            .header("User-Agent", "probe/1")
            .header("X-Gone", "1")
            .header("Accept", "*/*")
            .header("x-two", "b"),
    );
    assert_eq!(
        response.text(),
        "Host: localhost\n\
         User-Agent: probe/1\n\
         X-Two: a, b\n\
         X-Added: yes\n\
         map: 4 headers, user-agent Some(\"probe/1\"), x-two Some(\"a, b\")\n\
         Some(PURGE) Some(/a%20b?q=x%20y)\n\
         q Some(\"x y\") raw Some(\"x%20y\")\n"
    );
}

#[test]
fn removing_a_header_checks_its_name() {
    struct Remover;
    #[httpserv::module]
    impl HttpModule for Remover {
        fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            let refused = ctx.remove_request_header("X\r\nY").is_err();
            ctx.respond(200, "text/plain", format!("{refused}"))
        }
    }
    let server = TestServer::new().load_with("remover", |registration| {
        registration.request_module(|| Remover)
    });
    assert_eq!(server.request(Request::get("/")).text(), "true");
}
