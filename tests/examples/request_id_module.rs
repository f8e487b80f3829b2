//! A global module and a request module in one DLL, sharing typed per-request state: at
//! `GL_PRE_BEGIN_REQUEST`, before any request module runs, the global module numbers the
//! request (`RequestId`, stored on the request) and tells the rest of IIS in an
//! `X-Request-Id` request header; at `RQ_SEND_RESPONSE` the request module finds the same
//! `RequestId` and returns it in the response. A request with `X-Request-Id` already set keeps
//! its number.

use httpserv::module::{
    GlobalModule, GlobalNotification, HttpContext, HttpError, HttpModule, Notification,
};
use httpserv::runtime::Error;
use httpserv::ISendResponseProvider;
use std::sync::atomic::{AtomicU64, Ordering};

/// The request's number, stored on the request by the global module.
struct RequestId(String);

/// Numbers requests; one for the worker process, called from any thread.
struct Numbering {
    next: AtomicU64,
}

#[httpserv::module]
impl GlobalModule for Numbering {
    /// A failure (`?`) becomes the notification's error status, which tells IIS and the other
    /// modules why; as Microsoft documents `SetErrorStatus`, the request goes on.
    fn on_pre_begin_request(&self, ctx: &mut HttpContext<'_>) -> Result<GlobalNotification, Error> {
        let id = match ctx.request_header_str("X-Request-Id") {
            Some(given) => given.to_owned(),
            None => {
                let id = self.next.fetch_add(1, Ordering::Relaxed).to_string();
                ctx.set_request_header("X-Request-Id", &id)?;
                id
            }
        };
        ctx.set_state(RequestId(id))?;
        Ok(GlobalNotification::Continue)
    }
}

/// Returns the number with the response.
struct EchoId;

#[httpserv::module]
impl HttpModule for EchoId {
    fn on_send_response(
        &mut self,
        ctx: &mut HttpContext<'_>,
        _: &mut ISendResponseProvider,
    ) -> Result<Notification, HttpError> {
        if let Some(RequestId(id)) = ctx.state::<RequestId>() {
            let id = id.clone();
            ctx.set_response_header("X-Request-Id", id)?;
        }
        Ok(Notification::Continue)
    }
}

httpserv::register_module!(|registration| {
    registration.global_module(Numbering {
        next: AtomicU64::new(1),
    })?;
    registration.request_module(|| EchoId)
});

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    #[test]
    fn every_request_gets_the_next_number() {
        let server = TestServer::new().load("request_id_module", super::RegisterModule);
        for expected in ["1", "2", "3"] {
            let response = server.request(Request::get("/"));
            assert_eq!(response.header("X-Request-Id"), Some(expected));
        }
    }

    #[test]
    fn a_number_the_client_sent_is_kept() {
        let server = TestServer::new().load("request_id_module", super::RegisterModule);
        let response = server.request(Request::get("/").header("X-Request-Id", "abc-7"));
        assert_eq!(response.header("X-Request-Id"), Some("abc-7"));
        // The client's number did not use one of ours.
        let response = server.request(Request::get("/"));
        assert_eq!(response.header("X-Request-Id"), Some("1"));
    }

    #[test]
    fn the_global_module_runs_before_the_pipeline() {
        let server = TestServer::new().load("request_id_module", super::RegisterModule);
        let response = server.request(Request::get("/"));
        assert_eq!(
            response.trace,
            [
                "notify GL_PRE_BEGIN_REQUEST request_id_module",
                "notify SEND_RESPONSE request_id_module",
                "send",
                "done"
            ]
        );
    }
}
