//! Unit tests of the test server: small modules whose every notification runs a closure
//! (`Scripted`), loaded with registration functions, drive the pipeline (`pipeline.rs`), the
//! request and response (`messages.rs`), the rest of the server's objects (`context.rs`) and
//! completions, re-entrant or queued, and abandoned requests (`completion.rs`), asynchronous
//! I/O completing at once or later (`async_io.rs`) through the same vtables a module DLL
//! uses.
//!
//! A notification that panics is caught by the bindings and answers 500, so closures record
//! what they see (`Log`) and the tests assert afterwards.

mod async_io;
mod bodies;
mod completion;
mod context;
mod events;
mod file_info;
mod global;
mod global_providers;
mod http_errors;
mod limits;
mod messages;
mod pipeline;
mod raw_request;
mod static_files;

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use windows_sys::core::{BOOL, PCSTR, PCWSTR};

use super::{Request, Response, TestServer};
use crate::runtime::{Result, E_FAIL, HRESULT, S_OK};
use crate::*;

/// What a scripted module's notification sees.
pub(super) struct Event<'a> {
    /// The notification, named as in the trace (`POST_BEGIN_REQUEST`, `SEND_RESPONSE`,
    /// `ASYNC_COMPLETION`).
    pub name: &'static str,
    pub context: &'a IHttpContext,
    pub provider: *mut IHttpEventProvider,
    /// For `OnAsyncCompletion`: the notification, whether a post-notification, and the
    /// completion's bytes.
    pub completion: Option<(u32, bool, u32)>,
    /// For `OnAsyncCompletion`: the completion's status (`GetCompletionStatus`).
    pub completion_status: Option<HRESULT>,
}

type Behaviour = dyn Fn(&Event<'_>) -> REQUEST_NOTIFICATION_STATUS + Send + Sync;

/// Lines the modules of a test write, shared with the test.
#[derive(Clone, Default)]
pub(super) struct Log(Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, line: impl ToString) {
        self.0.lock().unwrap().push(line.to_string());
    }

    pub fn take(&self) -> Vec<String> {
        core::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A request module whose notifications all run one closure.
struct Scripted {
    behaviour: Arc<Behaviour>,
    disposed: Arc<AtomicUsize>,
}

impl Drop for Scripted {
    fn drop(&mut self) {
        self.disposed.fetch_add(1, Ordering::SeqCst);
    }
}

impl Scripted {
    fn notify(
        &self,
        name: &'static str,
        context: *mut IHttpContext,
        provider: *mut IHttpEventProvider,
        completion: Option<(u32, bool, u32)>,
        completion_status: Option<HRESULT>,
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the server passes the request's live context.
        let context = unsafe { IHttpContext::from_raw(context) }.expect("a context");
        (self.behaviour)(&Event {
            name,
            context,
            provider,
            completion,
            completion_status,
        })
    }
}

macro_rules! notifications {
    ($($method:ident($provider:ty) => $name:literal;)*) => {
        impl CHttpModule_Impl for Scripted {
            $(
                unsafe fn $method(
                    &self,
                    context: *mut IHttpContext,
                    provider: *mut $provider,
                ) -> REQUEST_NOTIFICATION_STATUS {
                    self.notify($name, context, provider.cast(), None, None)
                }
            )*
            unsafe fn OnAsyncCompletion(
                &self,
                context: *mut IHttpContext,
                notification: u32,
                post: BOOL,
                provider: *mut IHttpEventProvider,
                completion: *mut IHttpCompletionInfo,
            ) -> REQUEST_NOTIFICATION_STATUS {
                // SAFETY: the server passes its live completion info.
                let info = unsafe { IHttpCompletionInfo::from_raw(completion) };
                // SAFETY: as above.
                let bytes = info.map_or(u32::MAX, |c| unsafe { c.GetCompletionBytes() });
                // SAFETY: as above.
                let status = info.map(|c| unsafe { c.GetCompletionStatus() });
                let completion = Some((notification, post != 0, bytes));
                self.notify("ASYNC_COMPLETION", context, provider, completion, status)
            }
        }
    };
}

notifications! {
    OnBeginRequest(IHttpEventProvider) => "BEGIN_REQUEST";
    OnPostBeginRequest(IHttpEventProvider) => "POST_BEGIN_REQUEST";
    OnAuthenticateRequest(IAuthenticationProvider) => "AUTHENTICATE_REQUEST";
    OnPostAuthenticateRequest(IHttpEventProvider) => "POST_AUTHENTICATE_REQUEST";
    OnAuthorizeRequest(IHttpEventProvider) => "AUTHORIZE_REQUEST";
    OnPostAuthorizeRequest(IHttpEventProvider) => "POST_AUTHORIZE_REQUEST";
    OnResolveRequestCache(IHttpEventProvider) => "RESOLVE_REQUEST_CACHE";
    OnPostResolveRequestCache(IHttpEventProvider) => "POST_RESOLVE_REQUEST_CACHE";
    OnMapRequestHandler(IMapHandlerProvider) => "MAP_REQUEST_HANDLER";
    OnPostMapRequestHandler(IHttpEventProvider) => "POST_MAP_REQUEST_HANDLER";
    OnAcquireRequestState(IHttpEventProvider) => "ACQUIRE_REQUEST_STATE";
    OnPostAcquireRequestState(IHttpEventProvider) => "POST_ACQUIRE_REQUEST_STATE";
    OnPreExecuteRequestHandler(IHttpEventProvider) => "PRE_EXECUTE_REQUEST_HANDLER";
    OnPostPreExecuteRequestHandler(IHttpEventProvider) => "POST_PRE_EXECUTE_REQUEST_HANDLER";
    OnExecuteRequestHandler(IHttpEventProvider) => "EXECUTE_REQUEST_HANDLER";
    OnPostExecuteRequestHandler(IHttpEventProvider) => "POST_EXECUTE_REQUEST_HANDLER";
    OnReleaseRequestState(IHttpEventProvider) => "RELEASE_REQUEST_STATE";
    OnPostReleaseRequestState(IHttpEventProvider) => "POST_RELEASE_REQUEST_STATE";
    OnUpdateRequestCache(IHttpEventProvider) => "UPDATE_REQUEST_CACHE";
    OnPostUpdateRequestCache(IHttpEventProvider) => "POST_UPDATE_REQUEST_CACHE";
    OnLogRequest(IHttpEventProvider) => "LOG_REQUEST";
    OnPostLogRequest(IHttpEventProvider) => "POST_LOG_REQUEST";
    OnEndRequest(IHttpEventProvider) => "END_REQUEST";
    OnPostEndRequest(IHttpEventProvider) => "POST_END_REQUEST";
    OnSendResponse(ISendResponseProvider) => "SEND_RESPONSE";
    OnMapPath(IMapPathProvider) => "MAP_PATH";
}

/// How a module's objects ended: modules made, disposed, factory and global terminated.
#[derive(Clone, Default)]
pub(super) struct Lifetimes {
    pub made: Arc<AtomicUsize>,
    pub disposed: Arc<AtomicUsize>,
    pub terminated: Option<Log>,
}

impl Lifetimes {
    pub fn made(&self) -> usize {
        self.made.load(Ordering::SeqCst)
    }

    pub fn disposed(&self) -> usize {
        self.disposed.load(Ordering::SeqCst)
    }
}

struct Factory {
    name: &'static str,
    behaviour: Arc<Behaviour>,
    lifetimes: Lifetimes,
    fail: bool,
}

// SAFETY: what it hands out is null or one of the test's own live objects.
unsafe impl IHttpModuleFactory_Impl for Factory {
    unsafe fn GetHttpModule(
        &self,
        module: *mut *mut CHttpModule,
        _: *mut IModuleAllocator,
    ) -> HRESULT {
        if self.fail {
            return E_FAIL;
        }
        self.lifetimes.made.fetch_add(1, Ordering::SeqCst);
        let scripted = Scripted {
            behaviour: self.behaviour.clone(),
            disposed: self.lifetimes.disposed.clone(),
        };
        // SAFETY: the server passes a valid out pointer.
        unsafe { *module = CHttpModule::new_boxed(scripted) };
        S_OK
    }
    fn Terminate(&self) {
        if let Some(log) = &self.lifetimes.terminated {
            log.push(alloc::format!("factory {}", self.name));
        }
    }
}

/// A scripted module to load: `TestServer::new().load_with("a", module(...).register())`.
pub(super) struct Module {
    pub name: &'static str,
    pub request: u32,
    pub post: u32,
    /// (notifications, alias) for request, post-request notifications.
    pub priorities: Vec<(u32, PCWSTR)>,
    pub post_priorities: Vec<(u32, PCWSTR)>,
    pub behaviour: Arc<Behaviour>,
    pub lifetimes: Lifetimes,
    /// The factory's GetHttpModule fails.
    pub failing_factory: bool,
}

/// A module named `name` registered for `request` and `post` notifications.
pub(super) fn module(
    name: &'static str,
    request: u32,
    post: u32,
    behaviour: impl Fn(&Event<'_>) -> REQUEST_NOTIFICATION_STATUS + Send + Sync + 'static,
) -> Module {
    Module {
        name,
        request,
        post,
        priorities: Vec::new(),
        post_priorities: Vec::new(),
        behaviour: Arc::new(behaviour),
        lifetimes: Lifetimes::default(),
        failing_factory: false,
    }
}

/// Every notification continues.
pub(super) fn continues(_: &Event<'_>) -> REQUEST_NOTIFICATION_STATUS {
    RQ_NOTIFICATION_CONTINUE
}

impl Module {
    pub fn priority(mut self, mask: u32, alias: PCWSTR) -> Module {
        self.priorities.push((mask, alias));
        self
    }

    pub fn post_priority(mut self, mask: u32, alias: PCWSTR) -> Module {
        self.post_priorities.push((mask, alias));
        self
    }

    pub fn lifetimes(mut self, lifetimes: &Lifetimes) -> Module {
        self.lifetimes = lifetimes.clone();
        self
    }

    /// Loads it into `server`.
    pub fn load(self, server: TestServer) -> TestServer {
        let name = self.name;
        server.load_with(name, move |registration| self.register(registration))
    }

    fn register(self, registration: httpserv_framework::runtime::Registration<'_>) -> Result<()> {
        let info = registration.info;
        let factory = IHttpModuleFactory::new_boxed(Factory {
            name: self.name,
            behaviour: self.behaviour,
            lifetimes: self.lifetimes,
            fail: self.failing_factory,
        });
        // SAFETY: the registration info is live during registration; the aliases are the
        // NUL-terminated PRIORITY_ALIAS_* constants.
        unsafe {
            info.SetRequestNotifications(factory, self.request, self.post)
                .ok()?;
            for (mask, alias) in self.priorities {
                info.SetPriorityForRequestNotification(mask, alias).ok()?;
            }
            let info2 = &*(info as *const IHttpModuleRegistrationInfo)
                .cast::<IHttpModuleRegistrationInfo2>();
            for (mask, alias) in self.post_priorities {
                info2
                    .SetPriorityForPostRequestNotification(mask, alias)
                    .ok()?;
            }
        }
        Ok(())
    }
}

/// A global module whose `GL_PRE_BEGIN_REQUEST` runs a closure on the request's context.
pub(super) struct Global<F> {
    pub name: &'static str,
    pub behaviour: F,
    pub terminated: Log,
}

// SAFETY: what it hands out is null or one of the test's own live objects.
unsafe impl<F: Fn(&IHttpContext) -> GLOBAL_NOTIFICATION_STATUS + Send + Sync> CGlobalModule_Impl
    for Global<F>
{
    unsafe fn OnGlobalPreBeginRequest(
        &self,
        provider: *mut IPreBeginRequestProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        // SAFETY: the server passes a live provider whose context is the request's.
        let context = unsafe {
            IPreBeginRequestProvider::from_raw(provider)
                .and_then(|p| IHttpContext::from_raw(p.GetHttpContext()))
        };
        (self.behaviour)(context.expect("a context"))
    }
    fn Terminate(&self) {
        self.terminated.push(alloc::format!("global {}", self.name));
    }
}

/// Loads a module that has only `global`.
pub(super) fn load_global<F>(server: TestServer, global: Global<F>) -> TestServer
where
    F: Fn(&IHttpContext) -> GLOBAL_NOTIFICATION_STATUS + Send + Sync + 'static,
{
    let name = global.name;
    server.load_with(name, move |registration| {
        let global = CGlobalModule::new_boxed(global);
        // SAFETY: the registration info is live during registration.
        unsafe {
            registration
                .info
                .SetGlobalNotifications(global, GL_PRE_BEGIN_REQUEST)
        }
        .ok()
    })
}

/// A UTF-16 NUL-terminated copy of `text`, for wide parameters.
pub(super) fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain([0]).collect()
}

/// Asserts a call succeeded (inside a notification, a failure is a panic: a 500).
pub(super) fn ok(hr: HRESULT) {
    assert_eq!(hr, S_OK);
}

/// Runs `request` through a module that calls `observe` in RQ_EXECUTE_REQUEST_HANDLER;
/// returns the response and what `observe` logged.
pub(super) fn observe(
    request: Request,
    observe: impl Fn(&IHttpContext, &Log) + Send + Sync + 'static,
) -> (Response, Vec<String>) {
    let log = Log::default();
    let seen = log.clone();
    let server = module("observer", RQ_EXECUTE_REQUEST_HANDLER, 0, move |event| {
        observe(event.context, &seen);
        RQ_NOTIFICATION_CONTINUE
    })
    .load(TestServer::new());
    let response = server.request(request);
    assert_ne!(response.status, 500, "the observer panicked: {response:?}");
    (response, log.take())
}

/// A returned string and its length, as text.
///
/// # Safety
/// `value` must be null or readable for `len` bytes.
pub(super) unsafe fn text(value: PCSTR, len: usize) -> String {
    if value.is_null() {
        return String::from("(null)");
    }
    // SAFETY: the caller's contract.
    String::from_utf8_lossy(unsafe { core::slice::from_raw_parts(value, len) }).into_owned()
}

/// # Safety
/// `context` must be live.
pub(super) unsafe fn request_of(context: &IHttpContext) -> &IHttpRequest {
    // SAFETY: the caller's contract; the request lives as long as the context.
    unsafe { IHttpRequest::from_raw(context.GetRequest()) }.unwrap()
}

/// # Safety
/// `context` must be live.
pub(super) unsafe fn response_of(context: &IHttpContext) -> &IHttpResponse {
    // SAFETY: the caller's contract; the response lives as long as the context.
    unsafe { IHttpResponse::from_raw(context.GetResponse()) }.unwrap()
}

/// `IndicateCompletion` through the vtable, holding no reference to the context across the
/// call: once the call has resumed the request, the request may end and its context be
/// released before the call returns (as IIS may), and a `&IHttpContext` held across it (the
/// generated method's `&self`) would outlive it.
///
/// # Safety
/// `context` must be the live context of a pending request.
pub(super) unsafe fn indicate_completion(
    context: *mut IHttpContext,
    status: REQUEST_NOTIFICATION_STATUS,
) {
    // SAFETY: the caller's guarantee.
    unsafe { ((*IHttpContext::vtable_of(context)).IndicateCompletion)(context, status) }
}

/// `PostCompletion` through the vtable, as [`indicate_completion`].
///
/// # Safety
/// As [`indicate_completion`].
pub(super) unsafe fn post_completion(context: *mut IHttpContext, bytes: u32) -> HRESULT {
    // SAFETY: the caller's guarantee.
    unsafe { ((*IHttpContext::vtable_of(context)).PostCompletion)(context, bytes) }
}
