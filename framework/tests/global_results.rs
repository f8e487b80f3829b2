//! `?` in global modules: a method returning `Result<GlobalNotification, E>` whose `Err` is the
//! notification's error status (`SetErrorStatus`) — a custom notification reports it; at
//! `GL_PRE_BEGIN_REQUEST` the request goes on (Microsoft: the error status "does not directly
//! affect request processing"); a notification without a provider (`GL_HEALTH_CHECK`)
//! reports it to the debugger output and continues.

use httpserv::module::*;
use httpserv::runtime::{Error, E_ACCESSDENIED, E_FAIL};
use httpserv::testing::{Request, TestServer};
use httpserv::ICustomNotificationProvider;

struct Failing;

#[httpserv::module]
impl GlobalModule for Failing {
    fn on_custom_notification(
        &self,
        _: &mut GlobalContext<'_, ICustomNotificationProvider>,
    ) -> Result<GlobalNotification, Error> {
        Err(Error::from(E_ACCESSDENIED))
    }

    fn on_pre_begin_request(&self, ctx: &mut HttpContext<'_>) -> Result<GlobalNotification, Error> {
        if ctx.path() == "/fails" {
            return Err(Error::from(E_FAIL));
        }
        Ok(GlobalNotification::Continue)
    }

    fn on_health_check(&self, _: &mut GlobalContext<'_, ()>) -> Result<GlobalNotification, Error> {
        Err(Error::from(E_FAIL))
    }
}

fn server() -> TestServer {
    TestServer::new().load_with("failing", |registration| {
        registration.global_module(Failing)
    })
}

#[test]
fn an_error_is_the_notifications_error_status() {
    let server = server();
    let raised = server.custom_notification("mine");
    assert_eq!(raised.error, Some(E_ACCESSDENIED));
    assert!(!raised.handled);
}

#[test]
fn a_failed_pre_begin_request_goes_on() {
    let server = server();
    assert_eq!(server.request(Request::get("/fails")).status, 404);
}

#[test]
fn an_error_without_a_provider_is_reported_and_the_notification_continues() {
    let raised = server().health_check();
    assert_eq!((raised.error, raised.handled), (None, false));
    assert_eq!(raised.trace, ["notify GL_HEALTH_CHECK failing"]);
}
