//! Diagnostics where IIS keeps them, since a worker process has no console: the global module
//! writes to the Windows event log when IIS starts an application (`GL_APPLICATION_START`),
//! the request module logs each request with `log::info!`, which the framework's `Logger`
//! sends to the request's trace (Failed Request Tracing shows it), and counts the requests of
//! each client connection in state kept on the connection. `GET /background` logs from a
//! thread of its own, off any request: that record goes to the event log.

use httpserv::module::{
    EventKind, EventLog, GlobalContext, GlobalModule, GlobalNotification, HttpContext, HttpError,
    HttpModule, Logger, Notification,
};
use httpserv::runtime::Error;
use httpserv::IHttpApplicationStartProvider;
use std::sync::atomic::{AtomicU32, Ordering};

/// The event log source (an installer registers it under
/// `HKLM\SYSTEM\CurrentControlSet\Services\EventLog\Application\log_module`).
const SOURCE: &str = "log_module";

/// The event id of "application started".
const APPLICATION_STARTED: u32 = 1000;

/// Reports each application's start to the event log.
struct Startup {
    events: EventLog,
}

#[httpserv::module]
impl GlobalModule for Startup {
    fn on_application_start(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStartProvider>,
    ) -> Result<GlobalNotification, Error> {
        let path = ctx
            .application()
            .and_then(|application| application.config_path());
        let message = format!("application started: {}", path.unwrap_or_default());
        self.events
            .report(EventKind::Information, APPLICATION_STARTED, &message)?;
        Ok(GlobalNotification::Continue)
    }
}

/// The requests a client has sent on its connection so far.
struct Requests(AtomicU32);

/// Logs every request.
struct Logged;

#[httpserv::module]
impl HttpModule for Logged {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Result<Notification, HttpError> {
        let count = match ctx.connection_state::<Requests>() {
            Some(requests) => requests.0.fetch_add(1, Ordering::Relaxed) + 1,
            None => ctx
                .set_connection_state(Requests(AtomicU32::new(1)))?
                .0
                .load(Ordering::Relaxed),
        };
        log::info!(
            "{} {} (request {count} on its connection)",
            ctx.method(),
            ctx.path()
        );
        if ctx.path() == "/background" {
            let path = ctx.path().to_owned();
            let worker = std::thread::spawn(move || log::warn!("background work for {path}"));
            worker.join().map_err(|_| HttpError::status(500))?;
            return Ok(ctx.respond(200, "text/plain", "logged in the background\n"));
        }
        Ok(Notification::Continue)
    }
}

httpserv::register_module!(|registration| {
    // One logger per DLL: a second RegisterModule in the same process (tests) keeps the first.
    if Logger::new(SOURCE)?.install().is_err() {
        log::debug!("a logger was installed already");
    }
    registration.global_module(Startup {
        events: EventLog::register(SOURCE)?,
    })?;
    registration.request_module(|| Logged)
});

#[cfg(test)]
mod tests {
    use httpserv::module::EventKind;
    use httpserv::testing::{Request, TestServer};

    #[test]
    fn the_event_log_has_the_start_and_the_trace_has_each_request() {
        let server = TestServer::new().load("log_module", super::RegisterModule);
        let response = server.request(Request::get("/first"));
        let traced: Vec<_> = response
            .quick_traces
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            traced,
            ["GET /first (request 1 on its connection) log_module hr=0x0 level=4"]
        );
        // Other tests' servers start applications too: this one's start is among them.
        let events = server.reported_events(super::SOURCE);
        let started = events
            .iter()
            .find(|event| event.event_id == super::APPLICATION_STARTED)
            .expect("the start was reported");
        assert_eq!(started.kind, EventKind::Information);
        assert_eq!(
            started.message,
            "application started: MACHINE/WEBROOT/APPHOST/Default Web Site"
        );
    }

    #[test]
    fn a_record_off_any_request_goes_to_the_event_log() {
        let server = TestServer::new().load("log_module", super::RegisterModule);
        let response = server.request(Request::get("/background"));
        assert_eq!(response.text(), "logged in the background\n");
        let warnings: Vec<_> = server
            .reported_events(super::SOURCE)
            .into_iter()
            .filter(|event| event.kind == EventKind::Warning)
            .map(|event| event.message)
            .collect();
        assert!(
            warnings.contains(&"log_module: background work for /background".to_string()),
            "{warnings:?}"
        );
    }
}
