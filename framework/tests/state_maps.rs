//! Several typed values for one module on the application and on the connection, as on the
//! request: one value of each type, a second of a type refused with `ERROR_ALREADY_ASSIGNED`,
//! each found again by its type in later requests.

use std::sync::atomic::{AtomicU32, Ordering};

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};

struct Hits(AtomicU32);
struct Name(&'static str);
struct Seen(AtomicU32);
struct Client(&'static str);

struct Keeper;

fn already_assigned(error: &httpserv::runtime::Error) -> bool {
    error.code()
        == httpserv::runtime::HRESULT::from_win32(
            windows_sys::Win32::Foundation::ERROR_ALREADY_ASSIGNED,
        )
}

#[httpserv::module]
impl HttpModule for Keeper {
    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        let application = ctx.application().expect("the test server has one");
        if application.state::<Hits>().is_none() {
            application.set_state(Hits(AtomicU32::new(0)))?;
            application.set_state(Name("site"))?;
        }
        let refused = application
            .set_state(Name("again"))
            .is_err_and(|error| already_assigned(&error));
        let hits = application.state::<Hits>().expect("stored");
        let hits = hits.0.fetch_add(1, Ordering::Relaxed) + 1;
        let name = application.state::<Name>().expect("stored").0;
        if ctx.connection_state::<Seen>().is_none() {
            ctx.set_connection_state(Seen(AtomicU32::new(0)))?;
            ctx.set_connection_state(Client("curl"))?;
        }
        let refused_too = ctx
            .set_connection_state(Client("again"))
            .is_err_and(|error| already_assigned(&error));
        let seen = ctx.connection_state::<Seen>().expect("stored");
        let seen = seen.0.fetch_add(1, Ordering::Relaxed) + 1;
        let client = ctx.connection_state::<Client>().expect("stored").0;
        let text = format!("{name} {hits} {refused} / {client} {seen} {refused_too}\n");
        Ok(ctx.respond(200, "text/plain", text))
    }
}

#[test]
fn application_and_connection_hold_a_value_of_each_type() {
    let server = TestServer::new().load_with("keeper", |registration| {
        registration.request_module(|| Keeper)
    });
    // The application lasts across requests; the test server's connection is one per request.
    assert_eq!(
        server.request(Request::get("/")).text(),
        "site 1 true / curl 1 true\n"
    );
    assert_eq!(
        server.request(Request::get("/")).text(),
        "site 2 true / curl 1 true\n"
    );
}
