//! [`TestServer`]: modules loaded as IIS loads them (`RegisterModule` with a registration
//! info and the server, in load order), requests run through the pipeline on the calling
//! thread (several threads may run requests at once; a pending request waits for its
//! completion, which may come from any thread, and in the re-entrant mode calls the module
//! from the posting thread), and on drop the shutdown's global notifications (`global.rs`),
//! then `Terminate` for each module's global module and factory, in reverse load order.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Reverse;
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::async_io::AsyncIo;
use super::exchange::{lock, release_all, Exchange, FinishedList, Objects, Ptr};
use super::global::{self, Globals};
use super::http_errors::HttpErrors;
use super::limits::{self, HttpSysLimits, RequestLimits};
use super::pipeline::{Outcome, Pipeline};
use super::registration::{Registered, RegistrationInfo, Server, MAX_MODULES};
use super::request::{Request, Response};
use crate::runtime::{Error, Object, Result, E_OUTOFMEMORY, HRESULT};
use crate::*;

/// A module DLL's `RegisterModule` export: the function [`register_module!`] writes
/// (`PFN_REGISTERMODULE` without the `Option`).
///
/// [`register_module!`]: https://docs.rs/httpserv/latest/httpserv/macro.register_module.html
pub type RegisterModuleFn =
    unsafe extern "system" fn(u32, *mut IHttpModuleRegistrationInfo, *mut IHttpServer) -> HRESULT;

/// The server version modules are registered with: 7, the IIS 7 integrated pipeline this
/// API describes (as the C++ host passes it).
const SERVER_VERSION: u32 = 7;

/// The server object (`IHttpServer2`), released when the last owner lets go: the
/// [`TestServer`], and each request it gave up on while that request's completion is live
/// (the module's context reaches the server).
pub(crate) struct ServerObject(Ptr<IHttpServer>);

impl ServerObject {
    fn new(messages: Arc<Mutex<Vec<String>>>, globals: &Arc<Globals>) -> ServerObject {
        let server = IHttpServer2::new_boxed(Server::new(messages, globals));
        // SAFETY: just made from a Server, live until released in `drop`.
        let value = unsafe { (*server).downcast::<Server>() }.expect("a Server");
        value
            .object
            .store(server.cast(), core::sync::atomic::Ordering::Release);
        ServerObject(Ptr::new(server.cast()).expect("new_boxed returned null"))
    }

    fn get(&self) -> *mut IHttpServer {
        self.0.get()
    }
}

impl Drop for ServerObject {
    fn drop(&mut self) {
        // SAFETY: made in `new` as a Server, released once, when nothing can reach it: every
        // module is unloaded and no abandoned request is left with a live completion.
        unsafe { Object::<Server>::release(self.0.get(), true) };
    }
}

/// A module as loaded.
struct Loaded {
    name: String,
    registered: Registered,
}

/// An in-process IIS for tests: see the [module docs](super).
pub struct TestServer {
    modules: Vec<Loaded>,
    server: Arc<ServerObject>,
    messages: Arc<Mutex<Vec<String>>>,
    requests: AtomicU64,
    /// The contexts of finished requests.
    finished: FinishedList,
    pending_timeout: Duration,
    /// `PostCompletion` calls the module itself (see [`TestServer::reentrant_completions`]).
    reentrant: bool,
    /// When asynchronous I/O completes (see [`TestServer::async_io`]).
    async_io: AsyncIo,
    /// The global modules, the application and tracing (`global.rs`).
    global: Arc<Globals>,
    /// What http.sys refuses, and request filtering's limits (the server's, and by URL).
    http_sys: HttpSysLimits,
    request_limits: RequestLimits,
    locations: Vec<(String, RequestLimits)>,
    /// The site's `<httpErrors>` (`http_errors.rs`).
    http_errors: HttpErrors,
    /// What the site's physical root stands for (`static_files.rs`); none: no files.
    site_root: Option<std::path::PathBuf>,
}

impl Default for TestServer {
    fn default() -> Self {
        TestServer::new()
    }
}

impl TestServer {
    /// A server with no modules. From now on, what modules report to the event log
    /// ([`EventLog`](httpserv_framework::module::EventLog)) is kept for
    /// [`TestServer::reported_events`] instead of written to the system's log.
    pub fn new() -> TestServer {
        httpserv_framework::module::capture_reported_events();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let global = Arc::new(Globals::new());
        TestServer {
            modules: Vec::new(),
            server: Arc::new(ServerObject::new(messages.clone(), &global)),
            messages,
            requests: AtomicU64::new(0),
            finished: Arc::new(Mutex::new(Vec::new())),
            pending_timeout: Duration::from_secs(60),
            reentrant: false,
            async_io: AsyncIo::Inline,
            global,
            http_sys: HttpSysLimits::WINDOWS_DEFAULT,
            request_limits: RequestLimits::IIS_DEFAULT,
            locations: Vec::new(),
            http_errors: HttpErrors::IIS_DEFAULT,
            site_root: None,
        }
    }

    /// The directory the site's physical root (`C:\inetpub\wwwroot`) stands for: a request
    /// no module answered is served from it as IIS's static file handler serves it (files by
    /// the MIME map, default documents, `304` for a matching `If-None-Match`:
    /// `static_files.rs`). Without one, such a request is `404`, as for a missing file.
    pub fn site_root(mut self, directory: impl Into<std::path::PathBuf>) -> TestServer {
        self.site_root = Some(directory.into());
        self
    }

    pub(crate) fn site_root_dir(&self) -> Option<&std::path::Path> {
        self.site_root.as_deref()
    }

    /// Loads a module by its `RegisterModule` export, under `name` (its `<globalModules>`
    /// name: the trace and `IHttpModuleRegistrationInfo::GetName` show it). Modules load in
    /// call order, which orders modules of equal priority.
    ///
    /// `register_module` is called as IIS calls it: with a registration info valid for the
    /// call and a server valid until this `TestServer` is dropped.
    ///
    /// # Panics
    /// If `RegisterModule` fails ([`TestServer::try_load`] returns the error instead).
    pub fn load(mut self, name: &str, register_module: RegisterModuleFn) -> TestServer {
        if let Err(error) = self.try_load(name, register_module) {
            panic!("RegisterModule of {name} failed: {error}");
        }
        self
    }

    /// Loads a module by a registration function, as [`register_module!`] runs it (inside
    /// the panic guard): `|registration| { … }` or a `fn(Registration<'_>) -> Result<()>`.
    ///
    /// # Panics
    /// If registration fails ([`TestServer::try_load_with`] returns the error instead).
    ///
    /// [`register_module!`]: https://docs.rs/httpserv/latest/httpserv/macro.register_module.html
    pub fn load_with(
        mut self,
        name: &str,
        register: impl FnOnce(httpserv_framework::runtime::Registration<'_>) -> Result<()>,
    ) -> TestServer {
        if let Err(error) = self.try_load_with(name, register) {
            panic!("registering {name} failed: {error}");
        }
        self
    }

    /// [`TestServer::load`], returning `RegisterModule`'s failure. A module that fails to
    /// register is not loaded: what it registered is terminated at once.
    pub fn try_load(&mut self, name: &str, register_module: RegisterModuleFn) -> Result<()> {
        // SAFETY: `register_module` is a RegisterModule export, called as IIS calls it (see
        // `load`): `register` passes a live registration info and the server.
        self.register(name, |info, server| unsafe {
            register_module(SERVER_VERSION, info, server)
        })
    }

    /// [`TestServer::load_with`], returning the registration's failure.
    pub fn try_load_with(
        &mut self,
        name: &str,
        register: impl FnOnce(httpserv_framework::runtime::Registration<'_>) -> Result<()>,
    ) -> Result<()> {
        // SAFETY: `register` below passes a live registration info and the server.
        self.register(name, |info, server| unsafe {
            httpserv_framework::runtime::register(SERVER_VERSION, info, server, register)
        })
    }

    fn register(
        &mut self,
        name: &str,
        call: impl FnOnce(*mut IHttpModuleRegistrationInfo, *mut IHttpServer) -> HRESULT,
    ) -> Result<()> {
        let index = self.modules.len();
        if index == MAX_MODULES {
            return Err(Error::from_hresult(E_OUTOFMEMORY));
        }
        let registered = Arc::new(Mutex::new(Registered::default()));
        let info = IHttpModuleRegistrationInfo2::new_boxed(RegistrationInfo {
            name: name.encode_utf16().chain([0]).collect(),
            index,
            registered: registered.clone(),
        });
        let hr = call(info.cast(), self.server.get());
        // The registration info is valid during RegisterModule only.
        // SAFETY: made above as a RegistrationInfo, released once.
        unsafe { Object::<RegistrationInfo>::release(info, true) };
        let registered = *lock(&registered);
        if let Err(error) = hr.ok() {
            terminate(&registered);
            return Err(error);
        }
        self.global.add(name, index, &registered);
        self.modules.push(Loaded {
            name: name.into(),
            registered,
        });
        Ok(())
    }

    /// How long a pending request waits for its completion before the test fails (60 s by
    /// default). The request is then abandoned, but not freed: it ends (its stored contexts
    /// cleaned up, its modules disposed, its memory freed) when its completion is signalled,
    /// since the module's thread may reach it until then — never, if it never is.
    pub fn pending_timeout(mut self, timeout: Duration) -> TestServer {
        self.pending_timeout = timeout;
        self
    }

    /// Makes `IHttpContext::PostCompletion` call the pending module's `OnAsyncCompletion`
    /// itself, on the posting thread, before `PostCompletion` returns — and, when the module
    /// posts while its notification is still returning, before that notification has
    /// returned — as IIS may. By default the completion is queued, and the thread running the
    /// request calls `OnAsyncCompletion` once the notification has returned. Either way the
    /// rest of the pipeline runs on the request's thread.
    pub fn reentrant_completions(mut self) -> TestServer {
        self.reentrant = true;
        self
    }

    /// When `ReadEntityBody`, `WriteEntityChunks` and `Flush` asked for `fAsync` complete:
    /// at once ([`AsyncIo::Inline`], the default, as the C++ host does), or later
    /// ([`AsyncIo::Later`]: the call answers pending, and the module's `OnAsyncCompletion`
    /// gets the bytes and status once its notification has returned pending), as IIS may do
    /// either. A module that copes with IIS is tested both ways.
    pub fn async_io(mut self, mode: AsyncIo) -> TestServer {
        self.async_io = mode;
        self
    }

    /// IIS's request filtering limits for the site ([`RequestLimits::IIS_DEFAULT`] unless
    /// set): `maxAllowedContentLength`, `maxUrl`, `maxQueryString`.
    pub fn request_limits(mut self, limits: RequestLimits) -> TestServer {
        self.request_limits = limits;
        self
    }

    /// Request filtering limits for the URLs under `path` (`/upload` holds `/upload` and
    /// `/upload/a`, not `/uploads`), as `<location path>` sets them in IIS's configuration;
    /// the longest path holding a URL wins, and a URL under none has the site's.
    pub fn request_limits_for(mut self, path: &str, limits: RequestLimits) -> TestServer {
        self.locations.push((path.into(), limits));
        self
    }

    /// The site's `<httpErrors errorMode existingResponse>` ([`HttpErrors::IIS_DEFAULT`],
    /// `DetailedLocalOnly` and `Auto`, unless set): whether a response with a status of 400 or
    /// more reaches the client as the modules built it or as IIS's error page, and which page.
    /// See [`HttpErrors`] and `docs/testing.md`.
    pub fn http_errors(mut self, errors: HttpErrors) -> TestServer {
        self.http_errors = errors;
        self
    }

    /// The `<httpErrors>` the pipeline applies.
    pub(crate) fn http_errors_config(&self) -> HttpErrors {
        self.http_errors
    }

    /// http.sys's limits ([`HttpSysLimits::WINDOWS_DEFAULT`] unless set): a request beyond
    /// them is answered by http.sys and never reaches the modules.
    pub fn http_sys_limits(mut self, limits: HttpSysLimits) -> TestServer {
        self.http_sys = limits;
        self
    }

    /// The request filtering limits for `url`.
    pub(crate) fn limits_for(&self, url: &[u8]) -> &RequestLimits {
        limits::limits_for(url, &self.request_limits, &self.locations)
    }

    /// Runs `request` through the pipeline and returns the response as it was sent. A
    /// pending request waits here for its completion. A request http.sys refuses
    /// ([`HttpSysLimits`]) gets http.sys's answer, and no module sees it.
    ///
    /// # Panics
    /// If the request stays pending longer than [`TestServer::pending_timeout`].
    pub fn request(&self, request: Request) -> Response {
        let number = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        if let Some(refused) = limits::refused_by_http_sys(&request, &self.http_sys, number) {
            return refused;
        }
        let exchange = Exchange::new(
            number,
            &request,
            self.reentrant,
            self.async_io,
            self.site_root.clone(),
        );
        let objects = Objects::create(&exchange);
        let mut pipeline = Pipeline::new(self, &exchange, objects);
        let _running = global::hook(&self.global, &exchange);
        let mut outcome = match self.global.start_application(&exchange) {
            Ok(()) => pipeline.start(),
            Err(error) => pipeline.refuse(error),
        };
        while outcome == Outcome::Pending {
            let Some(completion) = exchange.completions.next(self.pending_timeout) else {
                // The test fails, but the server stays sound: the request is abandoned, and
                // ends when its completion comes.
                pipeline.abandon();
                panic!(
                    "request {number} ({}) stayed pending for {:?} without a completion",
                    request.describe(),
                    self.pending_timeout
                );
            };
            outcome = pipeline.resume(completion);
        }
        let response = pipeline.into_response();
        lock(&self.finished).extend(exchange.retire());
        response
    }

    /// What modules reported to the event log under `source`, oldest first
    /// ([`EventLog::report`](httpserv_framework::module::EventLog::report)). The capture is
    /// the process's, shared by every server (the event log is the machine's): tests running
    /// at once see each other's reports of a source, so look for the ones a test expects.
    pub fn reported_events(&self, source: &str) -> Vec<httpserv_framework::module::ReportedEvent> {
        httpserv_framework::module::reported_events(source)
    }

    /// What modules told the server (`IHttpServer::ReportUnhealthy`, `RecycleProcess`).
    pub fn messages(&self) -> Vec<String> {
        lock(&self.messages).clone()
    }

    /// What a request this server gives up on keeps: the server object and the list its
    /// context joins when it ends.
    pub(crate) fn keep_alive(&self) -> (Arc<ServerObject>, FinishedList) {
        (self.server.clone(), self.finished.clone())
    }

    pub(crate) fn global(&self) -> &Arc<Globals> {
        &self.global
    }

    pub(crate) fn module_count(&self) -> usize {
        self.modules.len()
    }

    pub(crate) fn name(&self, index: usize) -> &str {
        &self.modules[index].name
    }

    pub(crate) fn registered(&self, index: usize) -> &Registered {
        &self.modules[index].registered
    }

    /// The modules with a factory registered for `flag` (as a post-notification when
    /// `post`), highest priority first, equal priorities in load order; RQ_SEND_RESPONSE
    /// the other way round, as IIS runs it.
    pub(crate) fn order(&self, flag: u32, post: bool) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.modules.len())
            .filter(|&i| {
                let r = &self.modules[i].registered;
                r.factory.is_some() && (if post { r.post_mask } else { r.request_mask }) & flag != 0
            })
            .collect();
        order.sort_by_key(|&i| {
            let r = &self.modules[i].registered;
            let table = if post {
                &r.post_priority
            } else {
                &r.request_priority
            };
            Reverse(Registered::priority(table, flag))
        });
        if flag == RQ_SEND_RESPONSE {
            order.reverse();
        }
        order
    }

    /// The modules with a global module registered for `flag`, highest priority first.
    pub(crate) fn global_order(&self, flag: u32) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.modules.len())
            .filter(|&i| {
                let r = &self.modules[i].registered;
                r.global.is_some() && r.global_mask & flag != 0
            })
            .collect();
        order.sort_by_key(|&i| {
            Reverse(Registered::priority(
                &self.modules[i].registered.global_priority,
                flag,
            ))
        });
        order
    }
}

/// `Terminate` for a module's global module, then its factory, as IIS unloads a module.
fn terminate(registered: &Registered) {
    // SAFETY: the pointers the module registered, live until these release slots, which
    // are called once (the module is being unloaded).
    unsafe {
        if let Some(global) = registered.global {
            let global = global.get();
            ((*CGlobalModule::vtable_of(global)).Terminate)(global);
        }
        if let Some(factory) = registered.factory {
            let factory = factory.get();
            ((*IHttpModuleFactory::vtable_of(factory)).Terminate)(factory);
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // GL_STOP_LISTENING and GL_APPLICATION_STOP first (once: `shutdown` may have).
        self.global.shutdown();
        // SAFETY: the server is going, so no module starts a call on a finished request's
        // context; a thread still returning from the call that completed one is unaffected
        // (see `Finished::release`). Requests given up on and still pending add theirs when
        // they end, and release them then.
        unsafe { release_all(&self.finished) };
        for module in self.modules.iter().rev() {
            terminate(&module.registered);
        }
        // The server object goes with the last of `self.server` and the abandoned requests.
    }
}
