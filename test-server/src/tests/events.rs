//! The request events (`events.rs`, `map_path.rs`, `read_entity.rs`) driven by framework
//! modules: `IHttpContext::MapPath`'s byte-sized buffer and its `RQ_MAP_PATH`,
//! `PATH_TRANSLATED` after a module's change, an entity inserted where there is none, a custom
//! notification's sender not called with its own notification, and an event finishing the
//! request.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;

use httpserv_framework::module::{
    CustomNotificationExt, HttpContext, HttpModule, MapPathExt, Notification,
};
use windows_sys::Win32::Foundation::ERROR_INSUFFICIENT_BUFFER;

use crate::runtime::HRESULT;
use crate::*;
use crate::{Request, TestServer};

/// Maps every URL to `D:\x` + the URL; finishes the request for `/stop`; inserts `hello`
/// the first time a reader finds no entity; notes custom notifications in `X-Heard`.
#[derive(Default)]
struct Events {
    heard: String,
    inserted: bool,
}

#[httpserv_framework::module]
impl HttpModule for Events {
    fn on_map_path(&mut self, _: &mut HttpContext<'_>, p: &mut IMapPathProvider) -> Notification {
        let url = p.url_string().unwrap_or_default();
        if p.set_physical_path_str(&format!(r"D:\x{url}")).is_err() {
            return Notification::FinishRequest;
        }
        match url.as_str() {
            "/stop" => Notification::FinishRequest,
            _ => Notification::Continue,
        }
    }

    fn on_read_entity(
        &mut self,
        ctx: &mut HttpContext<'_>,
        p: &mut IReadEntityProvider,
    ) -> Notification {
        if p.entity().is_empty() && !self.inserted {
            self.inserted = true;
            if ctx.replace_entity(p, b"hello").is_err() {
                return Notification::FinishRequest;
            }
        }
        Notification::Continue
    }

    fn on_custom_request_notification(
        &mut self,
        ctx: &mut HttpContext<'_>,
        p: &mut ICustomNotificationProvider,
    ) -> Notification {
        self.heard = p.notification_type_string().unwrap_or_default();
        match ctx.set_response_header("X-Heard", &self.heard) {
            Ok(()) => Notification::Continue,
            Err(_) => Notification::FinishRequest,
        }
    }
}

/// The handler: `/map` calls `MapPath` raw, `/map-safe` through the framework,
/// `/map-generated` through the generated safe form, `/translated` reads `PATH_TRANSLATED`, `/read`
/// reads the body, `/notify` sends a custom notification it also handles itself.
struct Handler;

#[httpserv_framework::module]
impl HttpModule for Handler {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let text = match ctx.path() {
            "/map" => {
                let url = super::wide("/a/b");
                let mut size = 0u32;
                // SAFETY: a NUL-terminated URL; a size query (null buffer) with a live size.
                let query = unsafe {
                    ctx.iis()
                        .MapPath(url.as_ptr(), core::ptr::null_mut(), &mut size)
                };
                let mut buffer = vec![0u16; size as usize / 2];
                // SAFETY: `buffer` is writable for `size` bytes.
                let hr = unsafe {
                    ctx.iis()
                        .MapPath(url.as_ptr(), buffer.as_mut_ptr(), &mut size)
                };
                let path = String::from_utf16_lossy(&buffer[..buffer.len().saturating_sub(1)]);
                format!(
                    "{} {size} {:?} {path}",
                    query == HRESULT::from_win32(ERROR_INSUFFICIENT_BUFFER),
                    hr.is_ok()
                )
            }
            "/map-safe" => ctx.map_path("/a/b").unwrap_or_else(|e| e.to_string()),
            "/map-generated" => {
                // The generated safe form offers IIS the slice's size in bytes (a knowledge
                // row: SAL says elements): 9 units hold `D:\x/a/b` and its NUL, 5 do not.
                let url = super::wide("/a/b");
                let Ok(url) = crate::runtime::U16CStr::from_slice(&url) else {
                    return Notification::FinishRequest;
                };
                let (mut fits, mut short) = ([0u16; 9], [0u16; 5]);
                let written = ctx.iis_mut().map_path(url, &mut fits);
                let refused = ctx.iis_mut().map_path(url, &mut short);
                format!(
                    "{written:?} {} {:?}",
                    String::from_utf16_lossy(&fits[..8]),
                    refused.map_err(|e| e.code() == HRESULT::from_win32(ERROR_INSUFFICIENT_BUFFER))
                )
            }
            "/translated" => ctx
                .server_variable("PATH_TRANSLATED")
                .unwrap_or_default()
                .to_string(),
            "/read" => {
                String::from_utf8_lossy(&ctx.read_body_to_end().unwrap_or_default()).into_owned()
            }
            "/notify" => ctx
                .notify_custom("kind/one")
                .map_or_else(|e| e.to_string(), |x| x.to_string()),
            _ => return Notification::Continue,
        };
        ctx.respond(200, "text/plain", text)
    }

    fn on_custom_request_notification(
        &mut self,
        ctx: &mut HttpContext<'_>,
        _: &mut ICustomNotificationProvider,
    ) -> Notification {
        // Never called: the handler sent the notification during its own call.
        ctx.respond(500, "text/plain", "called with its own notification")
    }
}

fn server() -> TestServer {
    TestServer::new()
        .load_with("events", |r| r.request_module(Events::default))
        .load_with("handler", |r| r.request_module(|| Handler))
}

#[test]
fn map_path_sizes_in_bytes_and_raises_rq_map_path_each_call() {
    let response = server().request(Request::get("/map"));
    // `D:\x/a/b`: 8 units and a NUL, 18 bytes.
    assert_eq!(response.text(), r"true 18 true D:\x/a/b");
    let mapped = response
        .trace
        .iter()
        .filter(|l| *l == "notify MAP_PATH events");
    // The request's URL before the handler, then the size query and the call.
    assert_eq!(mapped.count(), 3);
}

#[test]
fn the_framework_maps_a_url_with_its_byte_sized_buffer() {
    let response = server().request(Request::get("/map-safe"));
    assert_eq!(response.text(), r"D:\x/a/b");
}

#[test]
fn the_generated_map_path_offers_its_slice_in_bytes() {
    let response = server().request(Request::get("/map-generated"));
    assert_eq!(response.text(), r"Ok(18) D:\x/a/b Err(true)");
}

#[test]
fn path_translated_is_the_mapped_path() {
    let response = server().request(Request::get("/translated"));
    assert_eq!(response.text(), r"D:\x/translated");
}

#[test]
fn an_entity_is_inserted_where_there_is_none() {
    let response = server().request(Request::post("/read"));
    assert_eq!(response.text(), "hello");
    let reads = response
        .trace
        .iter()
        .filter(|l| *l == "notify READ_ENTITY events");
    // The end of the body, answered `hello`; then the end again.
    assert_eq!(reads.count(), 2);
}

#[test]
fn a_sender_is_not_called_with_its_own_notification() {
    let response = server().request(Request::get("/notify"));
    assert_eq!(response.status, 200);
    assert_eq!(response.text(), "false");
    assert_eq!(response.header("X-Heard"), Some("kind/one"));
    // The server delivers it to the sender too, as IIS does; the framework does not call the
    // method (its 500 would show).
    assert!(response
        .trace
        .contains(&"notify CUSTOM_NOTIFICATION handler".to_string()));
}

#[test]
fn an_event_that_finishes_the_request_finishes_it() {
    let response = server().request(Request::get("/stop"));
    assert!(!response
        .trace
        .iter()
        .any(|l| l.contains("EXECUTE_REQUEST_HANDLER")));
}
