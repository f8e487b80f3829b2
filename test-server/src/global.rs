//! The global notifications beyond `GL_PRE_BEGIN_REQUEST` (which the pipeline raises), each
//! delivered through the `CGlobalModule` slot the framework's notification table names, to
//! the global modules registered for it, highest priority first (equal ones in load order),
//! until one answers `GL_NOTIFICATION_HANDLED` or sets a failed `SetErrorStatus`:
//!
//! - `GL_APPLICATION_START`, then `GL_APPLICATION_RESOLVE_MODULES`, on the first request of
//!   the server's one application, before that request's `GL_PRE_BEGIN_REQUEST` (IIS starts
//!   an application when a request first needs it; the reference does not order the two, so
//!   this is the test server's choice, as in the C++ host). Requests arriving meanwhile wait.
//!   A failed `SetErrorStatus` leaves the application stopped and answers that request 500
//!   without running its pipeline; the next request starts the application again.
//! - `GL_STOP_LISTENING`, then `GL_APPLICATION_STOP` (if the application started) and the
//!   cleanup of the application's stored contexts, when the server shuts down
//!   ([`TestServer::shutdown`], or its drop), before the modules are terminated.
//! - `GL_TRACE_EVENT` when tracing is on ([`TestServer::tracing`]) and a module raises a trace
//!   event on a request (`IHttpTraceContext::RaiseTraceEvent`), during that call.
//! - On demand from the test: `GL_CONFIGURATION_CHANGE`, `GL_FILE_CHANGE`,
//!   `GL_CUSTOM_NOTIFICATION`, `GL_HEALTH_CHECK`, `GL_CACHE_CLEANUP`, `GL_THREAD_CLEANUP`.
//! - From a module, as IIS does: `IHttpServer::NotifyConfigurationChange`,
//!   `NotifyFileChange` and `NotifyCustomNotification` (with the module's own provider)
//!   raise theirs during the call.
//!
//! - On demand too, with what the test server does not model left out:
//!   `GL_APPLICATION_PRELOAD` (`CreateContext` and `ExecuteRequest` are `E_NOTIMPL`),
//!   `GL_CACHE_OPERATION` (the operation named, no key or record), `GL_RSCA_QUERY` (the
//!   function and parameters named; `GetOutputBuffer` gives zeroed buffers, `SetResult` is
//!   reported; `ResizeOutputBuffer` is `E_NOTIMPL`).
//!
//! Not raised: `GL_SUSPEND_PROCESS` (not in the framework's table: its slot hands back a
//! callback object).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

use windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT;

use super::exchange::{lock, Exchange, Ptr};
use super::global_objects::{ApplicationObjects, EventData, GlobalProvider};
use super::registration::{module_id, Priorities, Registered};
use super::server::TestServer;
use crate::runtime::{Object, HRESULT};
use crate::*;

/// Calls one `CGlobalModule` slot with a provider made from the notification's data.
/// Unsafe: `global` must be a live global module.
type Deliver = unsafe fn(*mut CGlobalModule, &Arc<EventData>) -> GLOBAL_NOTIFICATION_STATUS;

/// A global notification: its flag, its name in the trace, and how it is delivered.
struct Slot {
    flag: u32,
    name: &'static str,
    deliver: Deliver,
}

/// `SLOTS`, from the framework's notification table: every global notification, each
/// delivered through its slot with a provider object of the class the slot takes.
macro_rules! slots {
    ($(
        $name:ident = $bit:ident, $doc:literal: $raw:ident($($provider:ty)?)
            => $method:ident($($arg:ident)?);
    )*) => {
        /// Every global notification of the table.
        const SLOTS: &[Slot] = &[$(
            Slot { flag: $bit, name: stringify!($bit), deliver: slot!($raw($($provider)?)) },
        )*];
    };
}

/// The deliver function of one slot: with a provider of its class, or with nothing.
macro_rules! slot {
    ($raw:ident($provider:ty)) => {
        |global, data| {
            let provider = <$provider>::new_boxed(GlobalProvider(data.clone()));
            // SAFETY: as `Deliver` requires; the provider is of the class the slot takes,
            // live for the call.
            let status = unsafe { ((*CGlobalModule::vtable_of(global)).$raw)(global, provider) };
            // SAFETY: made above as a GlobalProvider, released once, after the call.
            unsafe { Object::<GlobalProvider>::release(provider, true) };
            status
        }
    };
    ($raw:ident()) => {
        // SAFETY: as `Deliver` requires.
        |global, _| unsafe { ((*CGlobalModule::vtable_of(global)).$raw)(global) }
    };
}

httpserv_framework::__global_notifications!(slots);

/// What a global notification raised by the test did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Raised {
    /// `notify GL_NAME module` for each module called, in order.
    pub trace: Vec<String>,
    /// A module answered `GL_NOTIFICATION_HANDLED` (the modules after it were not called).
    pub handled: bool,
    /// The last `SetErrorStatus` a module called, if any (a failure stops the notification).
    pub error: Option<HRESULT>,
    /// What a module answered a `GL_RSCA_QUERY` with (`IGlobalRSCAQueryProvider::SetResult`):
    /// the bytes it said it wrote to its output buffer (`GetOutputBuffer`), and its result.
    pub result: Option<(Vec<u8>, HRESULT)>,
}

/// A loaded module's global module.
struct GlobalModule {
    name: String,
    global: Ptr<CGlobalModule>,
    mask: u32,
    priorities: Priorities,
}

/// The modules registered for `flag`, highest priority first, equal ones in load order.
fn by_priority(modules: &[GlobalModule], flag: u32) -> Vec<&GlobalModule> {
    let mut order: Vec<&GlobalModule> = modules.iter().filter(|m| m.mask & flag != 0).collect();
    order.sort_by_key(|m| core::cmp::Reverse(Registered::priority(&m.priorities, flag)));
    order
}

/// The server's global side: its global modules, its application, tracing.
pub(crate) struct Globals {
    /// The global modules in load order; `None` once shut down (nothing is raised then).
    modules: RwLock<Option<Vec<GlobalModule>>>,
    /// The id of every loaded module (each is subscribed to trace events while tracing).
    ids: Mutex<Vec<usize>>,
    application: ApplicationObjects,
    /// The site and the configuration of its URLs.
    site: super::site::SiteObjects,
    /// Whether the application runs; locked while it starts.
    started: Mutex<bool>,
    tracing: AtomicBool,
}

impl Globals {
    pub fn new() -> Globals {
        Globals {
            modules: RwLock::new(Some(Vec::new())),
            ids: Mutex::new(Vec::new()),
            application: ApplicationObjects::new(),
            site: super::site::SiteObjects::new(),
            started: Mutex::new(false),
            tracing: AtomicBool::new(false),
        }
    }

    /// A module was loaded at `index`.
    pub fn add(&self, name: &str, index: usize, registered: &Registered) {
        lock(&self.ids).push(module_id(index) as usize);
        let Some(global) = registered.global else {
            return;
        };
        let mut modules = self.modules.write().unwrap_or_else(|p| p.into_inner());
        if let Some(modules) = modules.as_mut() {
            modules.push(GlobalModule {
                name: name.into(),
                global,
                mask: registered.global_mask,
                priorities: registered.global_priority,
            });
        }
    }

    /// Delivers global notification `flag` with `data` (see the module docs for the order
    /// and what stops it); each `notify` line also goes to `request`'s trace.
    fn raise(&self, flag: u32, data: EventData, request: Option<&Exchange>) -> Raised {
        let slot = SLOTS
            .iter()
            .find(|slot| slot.flag == flag)
            .expect("a notification of the table");
        let data = Arc::new(data);
        let mut raised = self.deliver(slot, &data, request);
        raised.result = data.rsca_result();
        raised
    }

    /// [`Globals::raise`]'s calls.
    fn deliver(&self, slot: &Slot, data: &Arc<EventData>, request: Option<&Exchange>) -> Raised {
        let flag = slot.flag;
        let mut raised = Raised::default();
        // Read-locked during the calls: the modules are not terminated meanwhile.
        let modules = self.modules.read().unwrap_or_else(|p| p.into_inner());
        let Some(modules) = modules.as_ref() else {
            return raised;
        };
        for module in by_priority(modules, flag) {
            let line = format!("notify {} {}", slot.name, module.name);
            if let Some(request) = request {
                request.log(line.clone());
            }
            raised.trace.push(line);
            // SAFETY: the module's global module, live until the server terminates it, which
            // the read lock holds off.
            let status = unsafe { (slot.deliver)(module.global.get(), data) };
            raised.error = *lock(&data.error);
            if status == GL_NOTIFICATION_HANDLED {
                raised.handled = true;
                break;
            }
            if raised.error.is_some_and(HRESULT::is_err) {
                break;
            }
        }
        raised
    }

    /// `flag` with `text` as its provider's text, as `IHttpServer::NotifyConfigurationChange`
    /// and `NotifyFileChange` raise it.
    pub fn notify_text(&self, flag: u32, text: &str) {
        self.raise(flag, EventData::default().with_text(text), None);
    }

    /// `GL_CUSTOM_NOTIFICATION` with a module's own provider, as
    /// `IHttpServer::NotifyCustomNotification` raises it: by priority, until a module
    /// handles it (its `SetErrorStatus` is the provider's business).
    pub fn custom_from_module(
        &self,
        provider: *mut ICustomNotificationProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        let modules = self.modules.read().unwrap_or_else(|p| p.into_inner());
        let Some(modules) = modules.as_ref() else {
            return GL_NOTIFICATION_CONTINUE;
        };
        for module in by_priority(modules, GL_CUSTOM_NOTIFICATION) {
            let global = module.global.get();
            // SAFETY: the module's global module, live until the server terminates it (held
            // off by the read lock); the provider is the calling module's, live for its call.
            let status = unsafe {
                ((*CGlobalModule::vtable_of(global)).OnGlobalCustomNotification)(global, provider)
            };
            if status == GL_NOTIFICATION_HANDLED {
                return status;
            }
        }
        GL_NOTIFICATION_CONTINUE
    }

    /// Starts the application for `request` if it does not run yet: `GL_APPLICATION_START`,
    /// then `GL_APPLICATION_RESOLVE_MODULES`. The error a module set if it failed to start.
    pub fn start_application(&self, request: &Exchange) -> Result<(), HRESULT> {
        let mut started = lock(&self.started);
        if *started {
            return Ok(());
        }
        for flag in [GL_APPLICATION_START, GL_APPLICATION_RESOLVE_MODULES] {
            let data = EventData {
                application: Some(self.application.application),
                ..EventData::default()
            };
            let raised = self.raise(flag, data, Some(request));
            if let Some(error) = raised.error.filter(|e| e.is_err()) {
                request.log(format!("application-start-failed {:#010x}", error.0));
                return Err(error);
            }
        }
        *started = true;
        Ok(())
    }

    /// `GL_STOP_LISTENING`, then `GL_APPLICATION_STOP` and the application's cleanup if it
    /// ran; afterwards nothing is raised. What was delivered, in order.
    pub fn shutdown(&self) -> Vec<String> {
        let mut trace = self
            .raise(GL_STOP_LISTENING, EventData::default(), None)
            .trace;
        let mut started = lock(&self.started);
        if *started {
            let data = EventData {
                application: Some(self.application.application),
                ..EventData::default()
            };
            trace.extend(self.raise(GL_APPLICATION_STOP, data, None).trace);
            self.application.cleanup();
            *started = false;
        }
        drop(started);
        *self.modules.write().unwrap_or_else(|p| p.into_inner()) = None;
        trace
    }

    /// The application, if it runs.
    fn running_application(&self) -> Option<Ptr<IHttpApplication>> {
        lock(&self.started).then_some(self.application.application)
    }
}

/// The server of every request running, by the address of its exchange: what the request's
/// objects (`IHttpContext::GetApplication`, the trace context) reach the server's global side
/// through. An address is an integer kept here, never turned back into a pointer.
static REQUESTS: Mutex<BTreeMap<usize, Arc<Globals>>> = Mutex::new(BTreeMap::new());

/// A request's entry in [`REQUESTS`], removed when the request returns (or its test gives up
/// on it): a request abandoned and still running raises no global notification after that.
pub(crate) struct RequestHook(usize);

impl Drop for RequestHook {
    fn drop(&mut self) {
        lock(&REQUESTS).remove(&self.0);
    }
}

fn key(exchange: &Exchange) -> usize {
    core::ptr::from_ref(exchange) as usize
}

/// Records `request` as running on the server of `globals` until the hook is dropped.
pub(crate) fn hook(globals: &Arc<Globals>, request: &Exchange) -> RequestHook {
    lock(&REQUESTS).insert(key(request), globals.clone());
    RequestHook(key(request))
}

fn globals_of(request: &Exchange) -> Option<Arc<Globals>> {
    lock(&REQUESTS).get(&key(request)).cloned()
}

/// `IHttpContext::GetApplication`: the server's application while the request runs.
pub(crate) fn application_of(request: &Exchange) -> *mut IHttpApplication {
    globals_of(request).map_or(core::ptr::null_mut(), |g| g.application.application.get())
}

/// `IHttpContext::GetSite`: the server's site while the request runs.
pub(crate) fn site_of(request: &Exchange) -> *mut IHttpSite {
    globals_of(request).map_or(core::ptr::null_mut(), |g| g.site.site.get())
}

/// `IHttpContext::GetMetadata`: the configuration of the request's URL while it runs.
pub(crate) fn metadata_of(request: &Exchange) -> *mut IMetadataInfo {
    globals_of(request).map_or(core::ptr::null_mut(), |g| g.site.metadata.get())
}

/// The server's handler mapping (`script_map.rs`), once `request`'s handler is mapped.
pub(crate) fn script_map_of(request: &Exchange) -> *mut IScriptMapInfo {
    let mapped = request.with(|s| s.handler_mapped) == Some(true);
    match globals_of(request) {
        Some(globals) if mapped => globals.site.script_map.get(),
        _ => core::ptr::null_mut(),
    }
}

/// Whether tracing is on for `request`'s server.
pub(crate) fn tracing(request: &Exchange) -> bool {
    globals_of(request).is_some_and(|g| g.tracing.load(Ordering::Relaxed))
}

/// `GL_TRACE_EVENT` for `event`, raised on `request`, if tracing is on.
pub(crate) fn trace_event(request: &Exchange, event: *mut HTTP_TRACE_EVENT) {
    let Some(globals) = globals_of(request).filter(|g| g.tracing.load(Ordering::Relaxed)) else {
        return;
    };
    let data = EventData {
        trace_event: Ptr::new(event),
        context: request.objects().map(|objects| objects.context),
        subscribed: lock(&globals.ids).clone(),
        ..EventData::default()
    };
    globals.raise(GL_TRACE_EVENT, data, Some(request));
}

/// The global notifications a test raises (the crate docs list when and how each is raised).
impl TestServer {
    /// Turns tracing on: `IHttpTraceContext::GetTraceConfiguration` says every provider is
    /// enabled (all areas, verbose), and a trace event a module raises on a request
    /// (`RaiseTraceEvent`) is delivered as `GL_TRACE_EVENT`, with the event and the request's
    /// context, during that call; the lines go to the request's trace.
    pub fn tracing(self) -> TestServer {
        self.global().tracing.store(true, Ordering::Relaxed);
        self
    }

    /// `GL_CONFIGURATION_CHANGE` for configuration path `path`.
    pub fn configuration_change(&self, path: &str) -> Raised {
        let data = EventData::default().with_text(path);
        self.global().raise(GL_CONFIGURATION_CHANGE, data, None)
    }

    /// `GL_FILE_CHANGE` for file `file` (no file monitor: `GetFileMonitor` is null).
    pub fn file_change(&self, file: &str) -> Raised {
        let data = EventData::default().with_text(file);
        self.global().raise(GL_FILE_CHANGE, data, None)
    }

    /// `GL_CUSTOM_NOTIFICATION` of type `kind` (`QueryNotificationType`).
    pub fn custom_notification(&self, kind: &str) -> Raised {
        let data = EventData::default().with_text(kind);
        self.global().raise(GL_CUSTOM_NOTIFICATION, data, None)
    }

    /// `GL_HEALTH_CHECK` (no provider).
    pub fn health_check(&self) -> Raised {
        self.global()
            .raise(GL_HEALTH_CHECK, EventData::default(), None)
    }

    /// `GL_CACHE_CLEANUP` (no provider).
    pub fn cache_cleanup(&self) -> Raised {
        self.global()
            .raise(GL_CACHE_CLEANUP, EventData::default(), None)
    }

    /// `GL_THREAD_CLEANUP`, for the calling thread; `GetApplication` is the application if it
    /// runs, null otherwise.
    pub fn thread_cleanup(&self) -> Raised {
        let data = EventData {
            application: self.global().running_application(),
            ..EventData::default()
        };
        self.global().raise(GL_THREAD_CLEANUP, data, None)
    }

    /// `GL_APPLICATION_PRELOAD` for the application (the provider's `CreateContext` and
    /// `ExecuteRequest` are not modelled: `E_NOTIMPL`).
    pub fn application_preload(&self) -> Raised {
        self.global()
            .raise(GL_APPLICATION_PRELOAD, EventData::default(), None)
    }

    /// `GL_CACHE_OPERATION` naming `operation` (`CACHE_OPERATION_ADD`…); no cache is behind
    /// it, so no key or record.
    pub fn cache_operation(&self, operation: CACHE_OPERATION) -> Raised {
        let data = EventData {
            cache_operation: operation,
            ..EventData::default()
        };
        self.global().raise(GL_CACHE_OPERATION, data, None)
    }

    /// `GL_RSCA_QUERY` for `function` with `parameters`; what a module answered is in
    /// [`Raised::result`].
    pub fn rsca_query(&self, function: &str, parameters: &str) -> Raised {
        let data = EventData {
            parameters: super::global_objects::wide(parameters),
            ..EventData::default().with_text(function)
        };
        self.global().raise(GL_RSCA_QUERY, data, None)
    }

    /// Shuts the server down as a worker process ends: `GL_STOP_LISTENING`, then
    /// `GL_APPLICATION_STOP` if the application started (then its stored contexts are
    /// cleaned up), then each module's `Terminate`. Returns the `notify` lines of the two
    /// notifications. Dropping the server does the same.
    pub fn shutdown(self) -> Vec<String> {
        self.global().shutdown()
        // Dropped here: the modules are terminated.
    }
}
