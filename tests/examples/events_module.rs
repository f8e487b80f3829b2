//! The request events of IIS in safe Rust: where a URL maps (`RQ_MAP_PATH`), what a reader gets
//! of the request body (`RQ_READ_ENTITY`) and custom notifications between modules
//! (`RQ_CUSTOM_NOTIFICATION`). The module maps URLs under `/docs/` to `D:\manuals\` instead of
//! the site's folder, and `GET /docs/…` answers the path a handler would open; it lets the
//! readers of a request's body (other modules, IIS's handlers) have 16 bytes of it at most,
//! and says in `X-Entity-Read` how many it passed on; and it answers a custom notification
//! of kind `events/ping` in `X-Pinged`. A module is not called with an event it raises itself,
//! so the body reader and the notification's sender are other modules.

use httpserv::module::{
    CustomNotificationExt, HttpContext, HttpError, HttpModule, MapPathExt, Notification,
};
use httpserv::ISendResponseProvider;
use httpserv::{ICustomNotificationProvider, IMapPathProvider, IReadEntityProvider};

/// The most a request's readers get of its body.
const LIMIT: usize = 16;

/// Where `/docs/` is on disk.
const MANUALS: &str = r"D:\manuals\";

/// One request's events.
#[derive(Default)]
struct Events {
    /// Body bytes passed on to readers.
    passed: Option<usize>,
    /// The custom notification's kind, if one of ours came.
    pinged: Option<String>,
}

#[httpserv::module]
impl HttpModule for Events {
    fn on_map_path(
        &mut self,
        _: &mut HttpContext<'_>,
        provider: &mut IMapPathProvider,
    ) -> Result<Notification, HttpError> {
        let url = provider.url_string().unwrap_or_default();
        if let Some(rest) = url.strip_prefix("/docs/") {
            provider.set_physical_path_str(&format!("{MANUALS}{}", rest.replace('/', "\\")))?;
        }
        Ok(Notification::Continue)
    }

    fn on_read_entity(
        &mut self,
        ctx: &mut HttpContext<'_>,
        provider: &mut IReadEntityProvider,
    ) -> Result<Notification, HttpError> {
        let passed = self.passed.unwrap_or(0);
        let entity = provider.entity();
        let room = LIMIT - passed;
        if entity.len() > room {
            let kept = entity[..room].to_vec();
            ctx.replace_entity(provider, &kept)?;
            self.passed = Some(LIMIT);
        } else {
            self.passed = Some(passed + entity.len());
        }
        Ok(Notification::Continue)
    }

    fn on_custom_request_notification(
        &mut self,
        _: &mut HttpContext<'_>,
        provider: &mut ICustomNotificationProvider,
    ) -> Notification {
        let kind = provider.notification_type_string();
        if kind.as_deref() == Some("events/ping") {
            self.pinged = kind;
        }
        Notification::Continue
    }

    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if !ctx.path().starts_with("/docs/") {
            return Notification::Continue;
        }
        let file = ctx.physical_path().unwrap_or_default();
        ctx.respond(200, "text/plain", format!("{file}\n"))
    }

    fn on_send_response(
        &mut self,
        ctx: &mut HttpContext<'_>,
        _: &mut ISendResponseProvider,
    ) -> Result<Notification, HttpError> {
        if let Some(passed) = self.passed {
            ctx.set_response_header("X-Entity-Read", passed.to_string())?;
        }
        if let Some(kind) = &self.pinged {
            ctx.set_response_header("X-Pinged", kind)?;
        }
        Ok(Notification::Continue)
    }
}

httpserv::register_module!(|registration| registration.request_module(Events::default));

#[cfg(test)]
mod tests {
    use super::*;
    use httpserv::testing::{Request, TestServer};

    /// Another module: answers `POST /read` with the body it read.
    struct Reader;

    #[httpserv::module]
    impl HttpModule for Reader {
        fn on_execute_request_handler(
            &mut self,
            ctx: &mut HttpContext<'_>,
        ) -> Result<Notification, HttpError> {
            if ctx.path() != "/read" {
                return Ok(Notification::Continue);
            }
            let body = ctx.read_body_to_end()?;
            Ok(ctx.respond(200, "application/octet-stream", body))
        }
    }

    /// Another module: sends the custom notification named by `X-Send` at the request's
    /// beginning.
    struct Sender;

    #[httpserv::module]
    impl HttpModule for Sender {
        fn on_begin_request(
            &mut self,
            ctx: &mut HttpContext<'_>,
        ) -> Result<Notification, HttpError> {
            if let Some(kind) = ctx.request_header_str("X-Send").map(str::to_owned) {
                let expected = ctx.notify_custom(&kind)?;
                ctx.set_response_header("X-Completion-Expected", expected.to_string())?;
            }
            Ok(Notification::Continue)
        }
    }

    fn server() -> TestServer {
        TestServer::new()
            .load("events_module", super::RegisterModule)
            .load_with("reader", |registration| {
                registration.request_module(|| Reader)
            })
            .load_with("sender", |registration| {
                registration.request_module(|| Sender)
            })
    }

    #[test]
    fn docs_map_to_the_manuals() {
        let response = server().request(Request::get("/docs/guide/intro.html"));
        assert_eq!(response.status, 200);
        assert_eq!(response.text(), "D:\\manuals\\guide\\intro.html\n");
        // Mapped once, before the handler is chosen.
        let mapped = response
            .trace
            .iter()
            .filter(|line| line.contains("MAP_PATH"));
        assert_eq!(mapped.count(), 1);
    }

    #[test]
    fn other_urls_keep_the_site_folder() {
        let response = server().request(Request::get("/where/a.txt"));
        assert_eq!(response.status, 404);
        assert!(response
            .trace
            .contains(&"notify MAP_PATH events_module".to_string()));
    }

    #[test]
    fn a_short_body_is_read_whole() {
        let response = server().request(Request::post("/read").body("twelve bytes"));
        assert_eq!(response.text(), "twelve bytes");
        assert_eq!(response.header("X-Entity-Read"), Some("12"));
    }

    #[test]
    fn readers_get_sixteen_bytes_at_most() {
        let response = server().request(Request::post("/read").body_in_pieces([
            "0123456789",
            "abcdefghij",
            "klmnop",
        ]));
        assert_eq!(response.text(), "0123456789abcdef");
        assert_eq!(response.header("X-Entity-Read"), Some("16"));
        let reads = response
            .trace
            .iter()
            .filter(|line| *line == "notify READ_ENTITY events_module");
        // A read per piece: the second cut to the limit, the third left nothing, which ends
        // the body for the reader.
        assert_eq!(reads.count(), 3);
    }

    #[test]
    fn our_custom_notification_is_answered() {
        let response = server().request(Request::get("/").header("X-Send", "events/ping"));
        assert_eq!(response.header("X-Pinged"), Some("events/ping"));
        assert_eq!(response.header("X-Completion-Expected"), Some("false"));
        assert!(response
            .trace
            .contains(&"notify CUSTOM_NOTIFICATION events_module".to_string()));
    }

    #[test]
    fn other_kinds_are_let_by() {
        let response = server().request(Request::get("/").header("X-Send", "other/kind"));
        assert_eq!(response.header("X-Pinged"), None);
    }
}
