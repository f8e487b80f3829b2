//! Where the request runs, read through the framework in the test server: the site's id and
//! name, the URL's configuration path and physical path, the connection, no user before an
//! authentication module sets one, and the handler mapping once IIS has mapped it — the names
//! of a default IIS installation. Under Miri
//! with the rest of the framework's tests.

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};

struct Place;

/// What the module keeps on the connection.
struct Visits(u32);

#[httpserv::module]
impl HttpModule for Place {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        // IIS maps the handler at MAP_REQUEST_HANDLER: there is none yet.
        assert_eq!(ctx.handler_name(), None);
        if ctx.connection_state::<Visits>().is_none() {
            ctx.set_connection_state(Visits(1)).expect("stored once");
            assert!(
                ctx.set_connection_state(Visits(2)).is_err(),
                "one value per module"
            );
        }
        Notification::Continue
    }

    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let text = format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{}\n{:?} {:?}\nvisits {:?}\nhandler {:?}\n",
            ctx.site_id(),
            ctx.site_name(),
            ctx.config_path(),
            ctx.physical_path(),
            ctx.is_client_connected(),
            ctx.user_name(),
            ctx.authentication_type(),
            ctx.connection_state::<Visits>().map(|visits| visits.0),
            ctx.handler_name(),
        );
        ctx.respond(200, "text/plain", text)
    }
}

#[test]
fn a_request_says_where_it_runs() {
    let server = TestServer::new().load_with("place", |registration| {
        registration.request_module(|| Place)
    });
    let response = server.request(Request::get("/docs/index.html?x=1"));
    assert_eq!(response.status, 200);
    assert_eq!(
        response.text(),
        "Some(1)\n\
         Some(\"Default Web Site\")\n\
         Some(\"MACHINE/WEBROOT/APPHOST/Default Web Site\")\n\
         Some(\"C:\\\\inetpub\\\\wwwroot\\\\docs\\\\index.html\")\n\
         true\n\
         None None\n\
         visits Some(1)\n\
         handler Some(\"StaticFile\")\n"
    );
}
