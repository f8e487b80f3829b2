//! Typed per-application state: the global module stores a request counter on the
//! application when IIS starts it (`GL_APPLICATION_START`), the request module counts every
//! request of the application with it and answers the count at `/hits`, and the global
//! module reads the final count when the application stops (`GL_APPLICATION_STOP`). No
//! `unsafe`, no statics for the state: each application (each test server) has its own.

use httpserv::module::{
    GlobalContext, GlobalModule, GlobalNotification, HttpContext, HttpModule, Notification,
};
use httpserv::runtime::{Error, E_UNEXPECTED};
use httpserv::{IHttpApplicationStartProvider, IHttpApplicationStopProvider};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// The counts applications had when they stopped, with their ids.
pub static STOPPED: Mutex<Vec<(String, u64)>> = Mutex::new(Vec::new());

/// The application's requests so far.
struct Hits(AtomicU64);

/// Gives each application its counter, and reports it when the application stops.
struct Applications;

#[httpserv::module]
impl GlobalModule for Applications {
    /// The application needs its counter: `?` makes a failure the notification's error
    /// status (the test server and the IIS host then leave the application stopped).
    fn on_application_start(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStartProvider>,
    ) -> Result<GlobalNotification, Error> {
        let application = ctx.application().ok_or(Error::from(E_UNEXPECTED))?;
        application.set_state(Hits(AtomicU64::new(0)))?;
        Ok(GlobalNotification::Continue)
    }

    fn on_application_stop(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStopProvider>,
    ) -> GlobalNotification {
        if let Some(application) = ctx.application() {
            let count = application
                .state::<Hits>()
                .map_or(0, |hits| hits.0.load(Ordering::Relaxed));
            let id = application.id().unwrap_or_default();
            STOPPED
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push((id, count));
        }
        GlobalNotification::Continue
    }
}

/// Counts the request, and answers `/hits`.
struct Count;

#[httpserv::module]
impl HttpModule for Count {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let counted = ctx
            .application()
            .and_then(|application| application.state::<Hits>())
            .map(|hits| hits.0.fetch_add(1, Ordering::Relaxed) + 1);
        match (counted, ctx.path()) {
            (None, _) => ctx.respond(503, "text/plain", "the application did not start\n"),
            (Some(count), "/hits") => {
                ctx.respond(200, "text/plain", format!("requests: {count}\n"))
            }
            _ => Notification::Continue,
        }
    }
}

httpserv::register_module!(|registration| {
    registration.global_module(Applications)?;
    registration.request_module(|| Count)
});

#[cfg(test)]
mod tests {
    use super::STOPPED;
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("hits_module", super::RegisterModule)
    }

    #[test]
    fn every_request_of_the_application_is_counted() {
        let server = server();
        assert_eq!(server.request(Request::get("/a")).status, 404);
        assert_eq!(server.request(Request::post("/b")).status, 404);
        let response = server.request(Request::get("/hits"));
        assert_eq!(response.status, 200);
        assert_eq!(response.text(), "requests: 3\n");
    }

    #[test]
    fn each_application_has_its_own_count() {
        let first = server();
        first.request(Request::get("/"));
        let second = server();
        assert_eq!(
            second.request(Request::get("/hits")).text(),
            "requests: 1\n"
        );
        assert_eq!(first.request(Request::get("/hits")).text(), "requests: 2\n");
    }

    #[test]
    fn the_count_is_read_when_the_application_stops() {
        let server = server();
        for _ in 0..6 {
            server.request(Request::get("/"));
        }
        let trace = server.shutdown();
        assert_eq!(trace, ["notify GL_APPLICATION_STOP hits_module"]);
        let stopped = STOPPED.lock().unwrap().clone();
        assert!(
            stopped.contains(&("/LM/W3SVC/1/ROOT".to_string(), 6)),
            "{stopped:?}"
        );
    }

    #[test]
    fn the_application_starts_before_the_first_request() {
        let response = server().request(Request::get("/hits"));
        assert_eq!(
            response.trace,
            [
                "notify GL_APPLICATION_START hits_module",
                "notify BEGIN_REQUEST hits_module",
                "send",
                "done"
            ]
        );
    }
}
