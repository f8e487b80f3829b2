//! [`TestServer`]: modules loaded as IIS loads them (`RegisterModule` with a registration
//! info and the server, in load order), requests run through the pipeline on the calling
//! thread (several threads may run requests at once; a pending request waits for its
//! completion, which may come from any thread), and on drop `Terminate` for each module's
//! global module and factory, in reverse load order.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cmp::Reverse;
use core::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::exchange::{lock, Exchange, Finished, Objects, Ptr};
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

/// How often [`TestServer`]'s drop yields to other threads before releasing the requests'
/// contexts: a module's thread that posted a completion may still be returning from the
/// call on the context.
const YIELDS_BEFORE_RELEASE: usize = 64;

/// A module as loaded.
struct Loaded {
    name: String,
    registered: Registered,
}

/// An in-process IIS for tests: see the [module docs](super).
pub struct TestServer {
    modules: Vec<Loaded>,
    server: Ptr<IHttpServer>,
    messages: Arc<Mutex<Vec<String>>>,
    requests: AtomicU64,
    /// The contexts of finished requests.
    finished: Mutex<Vec<Finished>>,
    pending_timeout: Duration,
}

impl Default for TestServer {
    fn default() -> Self {
        TestServer::new()
    }
}

impl TestServer {
    /// A server with no modules.
    pub fn new() -> TestServer {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let server = IHttpServer2::new_boxed(Server::new(messages.clone()));
        // SAFETY: just made from a Server, live until the TestServer is dropped.
        let value = unsafe { (*server).downcast::<Server>() }.expect("a Server");
        value
            .object
            .store(server as usize, core::sync::atomic::Ordering::Release);
        let server = server.cast::<IHttpServer>();
        TestServer {
            modules: Vec::new(),
            server: Ptr::new(server).expect("new_boxed returned null"),
            messages,
            requests: AtomicU64::new(0),
            finished: Mutex::new(Vec::new()),
            pending_timeout: Duration::from_secs(60),
        }
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
        self.modules.push(Loaded {
            name: name.into(),
            registered,
        });
        Ok(())
    }

    /// How long a pending request waits for its completion before the test fails (60 s by
    /// default).
    pub fn pending_timeout(mut self, timeout: Duration) -> TestServer {
        self.pending_timeout = timeout;
        self
    }

    /// Runs `request` through the pipeline and returns the response as it was sent. A
    /// pending request waits here for its completion.
    ///
    /// # Panics
    /// If the request stays pending longer than [`TestServer::pending_timeout`].
    pub fn request(&self, request: Request) -> Response {
        let number = self.requests.fetch_add(1, Ordering::Relaxed) + 1;
        let exchange = Exchange::new(number, &request);
        let objects = Objects::create(&exchange);
        let mut pipeline = Pipeline::new(self, &exchange, objects);
        let mut outcome = pipeline.start();
        while outcome == Outcome::Pending {
            let Some(completion) = exchange.next_completion(self.pending_timeout) else {
                // The test fails, but the server stays sound: the request ends as an
                // abandoned one (a late completion finds an inert context).
                pipeline.abandon();
                lock(&self.finished).extend(exchange.retire());
                panic!(
                    "request {number} ({} {}) stayed pending for {:?} without a completion",
                    request.method, request.url, self.pending_timeout
                );
            };
            outcome = pipeline.resume(completion);
        }
        let response = pipeline.into_response();
        lock(&self.finished).extend(exchange.retire());
        response
    }

    /// What modules told the server (`IHttpServer::ReportUnhealthy`, `RecycleProcess`).
    pub fn messages(&self) -> Vec<String> {
        lock(&self.messages).clone()
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
        for _ in 0..YIELDS_BEFORE_RELEASE {
            std::thread::yield_now();
        }
        for finished in lock(&self.finished).drain(..) {
            // SAFETY: the server is going, so no module starts a call on a context; the
            // threads that completed requests have had time to return (above).
            unsafe { finished.release() };
        }
        for module in self.modules.iter().rev() {
            terminate(&module.registered);
        }
        // SAFETY: made in `new` as a Server, released once, after every module is unloaded.
        unsafe { Object::<Server>::release(self.server.get(), true) };
    }
}
