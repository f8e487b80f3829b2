//! Every global notification a server raises, recorded with what its provider says: the
//! global module writes a line per notification (the application's names at its start, the
//! changed path or file, the custom notification's type, the trace event with the raising
//! request's state…) and the request module answers the lines at `/notifications`. It
//! refuses its application's first start (`set_error_status`), so the retry on the next
//! request shows; it answers `Handled` to custom notifications of type `mine` and fails
//! configuration changes of paths ending in `/fail`. At `/trace` a request raises a trace
//! event, at `/notify` it tells the server of a configuration and a file change. What it gets
//! when the server stops listening and the application stops also goes to stderr, since no
//! request can ask for it then. It answers an RSCA query with the function's name and
//! parameters. The log is shared by the two modules, not a static: each
//! server has its own.

use httpserv::module::{
    GlobalContext, GlobalModule, GlobalNotification, HttpContext, HttpModule, Notification,
    TraceEvent, TraceEventItem,
};
use httpserv::runtime::{U16CStr, E_ACCESSDENIED, E_FAIL, S_OK};
use httpserv::{
    ICacheProvider, ICustomNotificationProvider, IGlobalApplicationPreloadProvider,
    IGlobalConfigurationChangeProvider, IGlobalFileChangeProvider, IGlobalRSCAQueryProvider,
    IGlobalStopListeningProvider, IGlobalThreadCleanupProvider, IGlobalTraceEventProvider,
    IHttpApplicationResolveModulesProvider, IHttpApplicationStartProvider,
    IHttpApplicationStopProvider,
};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// The lines recorded and not yet answered.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    fn push(&self, line: String) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(line);
    }

    /// Recorded, and written to stderr (for what comes when no request can ask).
    fn push_and_print(&self, line: String) {
        eprintln!("notifications_module: {line}");
        self.push(line);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// The application's requests so far (its state, set at start).
struct Requests(AtomicU64);

/// The request's path, stored on it before it raises a trace event.
struct Tag(String);

/// Records every global notification.
struct Recorder {
    log: Log,
    /// The next application start is refused.
    refuse_start: AtomicBool,
}

/// The count an application's state holds, if it has the state.
fn count(state: Option<&Requests>) -> Option<u64> {
    state.map(|requests| requests.0.load(Ordering::Relaxed))
}

#[httpserv::module]
impl GlobalModule for Recorder {
    fn on_application_start(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStartProvider>,
    ) -> GlobalNotification {
        if self.refuse_start.swap(false, Ordering::Relaxed) {
            self.log.push("start refused".into());
            ctx.set_error_status(E_ACCESSDENIED);
            return GlobalNotification::Continue;
        }
        let Some(application) = ctx.application() else {
            self.log.push("start without an application".into());
            return GlobalNotification::Continue;
        };
        let stored = application.set_state(Requests(AtomicU64::new(0))).is_ok();
        self.log.push(format!(
            "start {} {} {} stored {stored}",
            application.id().unwrap_or_default(),
            application.physical_path().unwrap_or_default(),
            application.config_path().unwrap_or_default(),
        ));
        GlobalNotification::Continue
    }

    fn on_application_resolve_modules(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationResolveModulesProvider>,
    ) -> GlobalNotification {
        let requests = count(ctx.application().and_then(|a| a.state::<Requests>()));
        self.log.push(format!("resolve modules {requests:?}"));
        GlobalNotification::Continue
    }

    fn on_application_stop(
        &self,
        ctx: &mut GlobalContext<'_, IHttpApplicationStopProvider>,
    ) -> GlobalNotification {
        let requests = count(ctx.application().and_then(|a| a.state::<Requests>()));
        self.log.push_and_print(format!("stop {requests:?}"));
        GlobalNotification::Continue
    }

    fn on_stop_listening(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalStopListeningProvider>,
    ) -> GlobalNotification {
        let drain = ctx.drain_requests_gracefully();
        self.log
            .push_and_print(format!("stop listening, drain {drain}"));
        GlobalNotification::Continue
    }

    fn on_configuration_change(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalConfigurationChangeProvider>,
    ) -> GlobalNotification {
        let path = ctx.change_path().unwrap_or_default();
        self.log.push(format!("configuration {path}"));
        if path.ends_with("/fail") {
            ctx.set_error_status(E_FAIL);
        }
        GlobalNotification::Continue
    }

    fn on_file_change(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalFileChangeProvider>,
    ) -> GlobalNotification {
        let monitor = ctx.file_monitor().is_some();
        let file = ctx.file_name().unwrap_or_default();
        self.log.push(format!("file {file} monitor {monitor}"));
        GlobalNotification::Continue
    }

    fn on_custom_notification(
        &self,
        ctx: &mut GlobalContext<'_, ICustomNotificationProvider>,
    ) -> GlobalNotification {
        let kind = ctx.notification_type().unwrap_or_default();
        self.log.push(format!("custom {kind}"));
        if kind == "mine" {
            return GlobalNotification::Handled;
        }
        GlobalNotification::Continue
    }

    fn on_health_check(&self, ctx: &mut GlobalContext<'_, ()>) -> GlobalNotification {
        let id = !ctx.module_id().is_null();
        self.log.push(format!("health check, module id {id}"));
        GlobalNotification::Continue
    }

    fn on_cache_cleanup(&self, _: &mut GlobalContext<'_, ()>) -> GlobalNotification {
        self.log.push("cache cleanup".into());
        GlobalNotification::Continue
    }

    fn on_thread_cleanup(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalThreadCleanupProvider>,
    ) -> GlobalNotification {
        let requests = count(ctx.application().and_then(|a| a.state::<Requests>()));
        self.log.push(format!("thread cleanup {requests:?}"));
        GlobalNotification::Continue
    }

    fn on_application_preload(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalApplicationPreloadProvider>,
    ) -> GlobalNotification {
        let created = match ctx.create_context() {
            Ok(_) => "a context".to_string(),
            Err(error) => format!("{:#010x}", error.code().0),
        };
        self.log.push(format!("preload, create context {created}"));
        GlobalNotification::Continue
    }

    fn on_cache_operation(
        &self,
        ctx: &mut GlobalContext<'_, ICacheProvider>,
    ) -> GlobalNotification {
        self.log.push(format!(
            "cache operation {} key {} record {}",
            ctx.cache_operation(),
            ctx.cache_key().is_some(),
            ctx.cache_record().is_some()
        ));
        GlobalNotification::Continue
    }

    /// Answers the query with its function's name and parameters in the output buffer.
    fn on_rsca_query(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalRSCAQueryProvider>,
    ) -> GlobalNotification {
        let text = |name: Option<&U16CStr>| name.map(U16CStr::to_string_lossy);
        let function = text(ctx.function_name()).unwrap_or_default();
        let parameters = text(ctx.function_parameters()).unwrap_or_default();
        self.log.push(format!("rsca {function}({parameters})"));
        let answer = format!("{function}: {parameters}");
        let written = ctx.output_buffer(64).map(|buffer| {
            let n = answer.len().min(buffer.len());
            buffer[..n].copy_from_slice(&answer.as_bytes()[..n]);
            n
        });
        if let Ok(n) = written {
            ctx.set_result(u32::try_from(n).unwrap_or(0), S_OK);
        }
        GlobalNotification::Handled
    }

    fn on_trace_event(
        &self,
        ctx: &mut GlobalContext<'_, IGlobalTraceEventProvider>,
    ) -> GlobalNotification {
        let tag = ctx.request_state::<Tag>().map(|tag| tag.0.clone());
        let subscribed = ctx.is_subscribed();
        let line = match ctx.event() {
            Some(event) => format!(
                "trace event {} {}/{}/{}/{} items {} tag {tag:?} subscribed {subscribed}",
                event.name.as_deref().unwrap_or(""),
                event.area,
                event.event,
                event.version,
                event.verbosity,
                event.items.len(),
            ),
            None => "trace event without its event".into(),
        };
        self.log.push(line);
        GlobalNotification::Continue
    }
}

/// Counts the application's requests and answers the three paths.
struct Answer {
    log: Log,
}

impl Answer {
    fn trace(ctx: &mut HttpContext<'_>) -> Notification {
        let tagged = ctx.set_state(Tag(ctx.path().to_string())).is_ok();
        let event = TraceEvent {
            name: Some("NOTIFIED".into()),
            provider: Some(0x3a2a4e84_4c21_4981_ae10_3fda0d9b0f83),
            area: 2,
            event: 7,
            version: 1,
            verbosity: 4,
            items: vec![TraceEventItem {
                name: Some("Path".into()),
                data_type: 13,
                data: b"/trace".to_vec(),
                description: None,
            }],
        };
        let raised = ctx.raise_trace_event(&event).is_ok();
        let body = format!("tagged {tagged}, raised {raised}\n");
        ctx.respond(200, "text/plain", body)
    }

    fn notify(ctx: &mut HttpContext<'_>) -> Notification {
        let wide = |text: &str| text.encode_utf16().chain([0]).collect::<Vec<u16>>();
        let path = wide("MACHINE/WEBROOT/APPHOST/from-a-module");
        let file = wide("C:\\inetpub\\wwwroot\\from-a-module.config");
        if let (Ok(path), Ok(file)) = (
            U16CStr::from_slice_truncate(&path),
            U16CStr::from_slice_truncate(&file),
        ) {
            ctx.server().notify_configuration_change(path);
            ctx.server().notify_file_change(file);
        }
        ctx.respond(200, "text/plain", "notified\n")
    }
}

#[httpserv::module]
impl HttpModule for Answer {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if let Some(requests) = ctx.application().and_then(|a| a.state::<Requests>()) {
            requests.0.fetch_add(1, Ordering::Relaxed);
        }
        match ctx.path() {
            "/notifications" => {
                let mut body = String::new();
                for line in self.log.take() {
                    body.push_str(&line);
                    body.push('\n');
                }
                ctx.respond(200, "text/plain", body)
            }
            "/trace" => Self::trace(ctx),
            "/notify" => Self::notify(ctx),
            _ => Notification::Continue,
        }
    }
}

httpserv::register_module!(|registration| {
    let log = Log::default();
    registration.global_module(Recorder {
        log: log.clone(),
        refuse_start: AtomicBool::new(true),
    })?;
    registration.request_module(move || Answer { log: log.clone() })
});

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    fn server() -> TestServer {
        TestServer::new().load("notifications_module", super::RegisterModule)
    }

    #[test]
    fn the_first_start_is_refused_and_the_next_request_starts_the_application() {
        let server = server();
        assert_eq!(server.request(Request::get("/notifications")).status, 500);
        let answer = server.request(Request::get("/notifications"));
        assert_eq!(
            answer.text(),
            "start refused\nstart /LM/W3SVC/1/ROOT C:\\inetpub\\wwwroot \
             MACHINE/WEBROOT/APPHOST/Default Web Site stored true\nresolve modules Some(0)\n"
        );
    }

    #[test]
    fn on_demand_notifications_and_a_trace_event_are_recorded() {
        let server = server().tracing();
        server.request(Request::get("/"));
        server.request(Request::get("/"));
        server.request(Request::get("/notifications"));
        assert!(server.custom_notification("mine").handled);
        server.health_check();
        server.thread_cleanup();
        assert_eq!(
            server.request(Request::get("/trace")).text(),
            "tagged true, raised true\n"
        );
        assert_eq!(
            server.request(Request::get("/notifications")).text(),
            "custom mine\nhealth check, module id true\nthread cleanup Some(2)\n\
             trace event NOTIFIED 2/7/1/4 items 1 tag Some(\"/trace\") subscribed true\n"
        );
    }
}
