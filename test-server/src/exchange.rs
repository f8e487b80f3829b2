//! One request in the test server, from arrival to the last `Dispose`: its state (the
//! request as received, the response being built, server variables, stored contexts, the
//! providers' data), its request memory, the completions modules signal from any thread
//! (`completion.rs`), the trace, and the C++ objects a module reaches it through (`IHttpContext`, `IHttpRequest`,
//! `IHttpResponse`, the providers, …), each a Rust value made with the generated typed
//! constructors, so a module calls them through the vtables IIS gives it.

use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ptr::NonNull;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, PoisonError};
use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderContentLength, HttpHeaderTransferEncoding,
};

use super::async_io::AsyncIo;
use super::completion::Completions;
use super::context::HttpContext;
use super::entity::Entity;
use super::handed::Handed;
use super::headers::{Direction, Headers};
use super::memory::{CText, RequestMemory, WideText};
use super::message::{HttpRequest, HttpResponse};
use super::providers::{Allocator, ContextContainer, Provider, TraceContext};
use super::request::{QuickTrace, Request};
use crate::runtime::{Object, HRESULT, S_OK};
use crate::*;

/// A C++ object pointer the server owns or was given, shared between threads: the objects
/// behind these pointers are called only through their vtables, and the server's own are
/// thread-safe (their state is behind mutexes), as IIS's are.
pub(crate) struct Ptr<I>(NonNull<I>);

impl<I> Ptr<I> {
    pub fn new(pointer: *mut I) -> Option<Ptr<I>> {
        NonNull::new(pointer).map(Ptr)
    }

    pub fn get(self) -> *mut I {
        self.0.as_ptr()
    }
}

impl<I> Clone for Ptr<I> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I> Copy for Ptr<I> {}

// SAFETY: see the type's docs: the pointee is used only through its vtable, whose
// implementations (the server's, or a module's for IIS's threading rules) are thread-safe.
unsafe impl<I> Send for Ptr<I> {}
// SAFETY: as above.
unsafe impl<I> Sync for Ptr<I> {}

/// The request as received.
pub(crate) struct Received {
    pub method: CText,
    /// The raw URL: path and query.
    pub url: Vec<u8>,
    pub version: (u16, u16),
    pub headers: Headers,
    pub entity: Entity,
    pub remote: SocketAddr,
    pub local: SocketAddr,
}

/// The response being built.
pub(crate) struct Building {
    pub status: u16,
    pub reason: CText,
    pub sub_status: u16,
    pub error_to_report: HRESULT,
    /// `SetStatus` was called (an untouched response becomes a 404).
    pub status_set: bool,
    /// The last `SetStatus`'s `fTrySkipCustomErrors` (`http_errors.rs` reads it).
    pub skip_custom_errors: bool,
    pub headers: Headers,
    /// The entity, chunk by chunk (copies).
    pub chunks: Vec<Vec<u8>>,
    pub headers_suppressed: bool,
    pub kernel_cache: bool,
    pub need_disconnect: bool,
    /// `SetErrorDescription`'s copy.
    pub error_description: Option<WideText>,
    /// What flushes sent (`streaming.rs`); `None` until the first.
    pub streamed: Option<super::streaming::Streamed>,
}

/// A server variable a module set, in both spellings.
pub(crate) struct Variable {
    pub name: Vec<u8>,
    pub narrow: CText,
    pub wide: WideText,
}

/// Everything about a request that modules read and change.
pub(crate) struct State {
    pub received: Received,
    pub response: Building,
    pub variables: Vec<Variable>,
    /// `IHttpModuleContextContainer`: module id (its address) and stored context.
    pub stored: Vec<(usize, Ptr<IHttpStoredContext>)>,
    /// `IHttpEventProvider::SetErrorStatus` since the last notification returned.
    pub error: HRESULT,
    /// `ISendResponseProvider::SetFlags`.
    pub send_flags: u32,
    /// What the pending operation completed with (`IHttpCompletionInfo`).
    pub completion_bytes: u32,
    pub completion_status: HRESULT,
    /// The notification being delivered (`GetCurrentExecutionStats`).
    pub notification: u32,
    pub headers_sent: bool,
    /// IIS has mapped the request's handler (`RQ_MAP_REQUEST_HANDLER` went to every module):
    /// `GetScriptMap` answers from then on.
    pub handler_mapped: bool,
    /// The module (load index) whose notification runs, for `DisableNotifications`.
    pub current_module: Option<usize>,
    /// What modules disabled with `DisableNotifications`.
    pub disabled: Disabled,
    /// `GetRawHttpRequest`'s structure, once a module asked for it (`raw_request.rs`).
    pub raw_request: Option<super::raw_request::RawRequest>,
    /// The request's modules registered for the events (`events.rs`), while they live.
    pub listeners: Vec<super::events::Listener>,
    /// The request's physical path, once mapped (`map_path.rs`).
    pub physical: Option<WideText>,
    /// `GetFileInfo`'s object, once a module asked (`file_info.rs`); released at the end.
    pub file_info: Option<Ptr<IHttpFileInfo>>,
    /// A module answered an event `RQ_NOTIFICATION_FINISH_REQUEST`: the request finishes when
    /// the notification that raised the event returns.
    pub finish_after_event: bool,
}

/// The body's declared length: its `Content-Length`, unless a `Transfer-Encoding` makes it
/// unknown (RFC 9112, 6.3); leading digits, as the C++ host reads it.
fn declared_length(headers: &Headers) -> Option<u64> {
    if headers.get_id(HttpHeaderTransferEncoding).is_some() {
        return None;
    }
    let length = headers.get_id(HttpHeaderContentLength)?;
    let digits = length.bytes().iter().take_while(|b| b.is_ascii_digit());
    Some(digits.fold(0u64, |n, &d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// The notifications each module of a request turned off (`DisableNotifications`), by load
/// index: `RQ_*` bits of notifications and of post-notifications.
#[derive(Default)]
pub(crate) struct Disabled(Vec<(usize, u32, u32)>);

impl Disabled {
    pub fn disable(&mut self, module: usize, notifications: u32, post: u32) {
        match self.0.iter_mut().find(|(m, _, _)| *m == module) {
            Some((_, n, p)) => {
                *n |= notifications;
                *p |= post;
            }
            None => self.0.push((module, notifications, post)),
        }
    }

    /// Whether `module` turned notification `flag` (a post-notification if `post`) off.
    pub fn is_disabled(&self, module: usize, flag: u32, post: bool) -> bool {
        self.0
            .iter()
            .any(|&(m, n, p)| m == module && (if post { p } else { n }) & flag != 0)
    }
}

/// One request.
pub(crate) struct Exchange {
    pub number: u64,
    pub memory: RequestMemory,
    /// The directory the site's `C:\inetpub\wwwroot` stands for (`TestServer::site_root`).
    pub site_root: Option<PathBuf>,
    /// `None` once the request is over: late calls from a module find nothing.
    state: Mutex<Option<State>>,
    objects: Mutex<Option<Objects>>,
    pub completions: Completions,
    /// The user a module set and the contexts it cloned (`handed.rs`).
    pub handed: Handed,
    trace: Mutex<Vec<String>>,
    quick_traces: Mutex<Vec<QuickTrace>>,
}

/// Locks `mutex`; a module that panicked while the server held a lock cannot leave the data
/// half-changed (the server's own code does not panic mid-update), so poisoning is ignored.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Exchange {
    pub fn new(
        number: u64,
        request: &Request,
        reentrant: bool,
        async_io: AsyncIo,
        site_root: Option<PathBuf>,
    ) -> Arc<Exchange> {
        let memory = RequestMemory::new();
        let mut headers = Headers::new(Direction::Request);
        for (name, value) in request.received_headers() {
            headers.set(&memory, &name, &value, false);
        }
        let entity = Entity::new(request.body.clone(), declared_length(&headers));
        let received = Received {
            method: memory.c_text(request.method.as_bytes()),
            url: request.url.clone(),
            version: request.version,
            headers,
            entity,
            remote: request.remote,
            local: request.local,
        };
        let response = Building {
            status: 200,
            reason: memory.c_text(b"OK"),
            sub_status: 0,
            error_to_report: S_OK,
            status_set: false,
            skip_custom_errors: false,
            headers: Headers::new(Direction::Response),
            chunks: Vec::new(),
            headers_suppressed: false,
            kernel_cache: true,
            need_disconnect: false,
            error_description: None,
            streamed: None,
        };
        let state = State {
            received,
            response,
            variables: Vec::new(),
            stored: Vec::new(),
            error: S_OK,
            send_flags: 0,
            completion_bytes: 0,
            completion_status: S_OK,
            notification: 0,
            headers_sent: false,
            raw_request: None,
            current_module: None,
            handler_mapped: false,
            disabled: Disabled::default(),
            listeners: Vec::new(),
            physical: None,
            file_info: None,
            finish_after_event: false,
        };
        Arc::new(Exchange {
            number,
            memory,
            site_root,
            state: Mutex::new(Some(state)),
            objects: Mutex::new(None),
            completions: Completions::new(reentrant, async_io),
            handed: Handed::default(),
            trace: Mutex::new(Vec::new()),
            quick_traces: Mutex::new(Vec::new()),
        })
    }

    /// Runs `f` on the request's state; `None` once the request is over.
    pub fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> Option<R> {
        lock(&self.state).as_mut().map(f)
    }

    /// Request memory for a module (`AllocateRequestMemory`, `IModuleAllocator`); null
    /// once the request is over.
    pub fn allocate(&self, size: usize) -> *mut u8 {
        // The state lock keeps `finish` from freeing the memory meanwhile.
        self.with(|_| self.memory.allocate(size))
            .unwrap_or(core::ptr::null_mut())
    }

    /// The request's objects; `None` before they exist and once the request is over.
    pub fn objects(&self) -> Option<Objects> {
        *lock(&self.objects)
    }

    /// A line of the request's trace.
    pub fn log(&self, line: String) {
        lock(&self.trace).push(line);
    }

    pub fn quick_trace(&self, trace: QuickTrace) {
        lock(&self.quick_traces).push(trace);
    }

    pub fn take_trace(&self) -> (Vec<String>, Vec<QuickTrace>) {
        (
            core::mem::take(&mut *lock(&self.trace)),
            core::mem::take(&mut *lock(&self.quick_traces)),
        )
    }

    /// The end of the request: stored contexts cleaned up (`CleanupStoredContext`), then each
    /// of `modules` disposed.
    pub fn end_request(&self, modules: impl IntoIterator<Item = Ptr<CHttpModule>>) {
        let stored = self
            .with(|s| core::mem::take(&mut s.stored))
            .unwrap_or_default();
        for (_, context) in stored {
            // SAFETY: a stored context a module handed over, live until this call releases
            // it; called once (taken out of the container).
            unsafe {
                let context = context.get();
                ((*IHttpStoredContext::vtable_of(context)).CleanupStoredContext)(context);
            }
        }
        for module in modules {
            // SAFETY: one of the request's modules, released by this call, never used again.
            unsafe {
                let module = module.get();
                ((*CHttpModule::vtable_of(module)).Dispose)(module);
            }
        }
        self.log("done".to_string());
    }

    /// The request is over: its objects (but the context, which the server keeps until it
    /// is dropped, inert, for a module that calls it late) are released and its memory freed.
    /// Returns the context.
    fn finish(&self) -> Option<Ptr<IHttpContext>> {
        let objects = lock(&self.objects).take()?;
        let (user, clones) = self.handed.take_all();
        // SAFETY: the server's since `SetUser`, with one reference, dropped once here; each
        // clone made by `CloneContext` with `HttpContext::create` and not released by the
        // module (taken out of the list, so released once).
        unsafe {
            if let Some(user) = user {
                IHttpUser::DereferenceUser(user.get());
            }
            for clone in clones {
                HttpContext::release(clone.get());
            }
        }
        // Drop the state first: its headers point into request memory.
        let state = lock(&self.state).take();
        let file_info = state.as_ref().and_then(|s| s.file_info);
        drop(state);
        if let Some(info) = file_info {
            // SAFETY: made by `file_info_of`, taken out with the state, so released once;
            // the request is over.
            unsafe { super::file_info::release(info) };
        }
        // SAFETY: made by `Objects::create` with these value types, released once (taken out
        // of the exchange); no module may use them after the request.
        unsafe { objects.release_all_but_context() };
        self.memory.free_all();
        Some(objects.context)
    }
}

/// The C++ objects of one request.
#[derive(Clone, Copy)]
pub(crate) struct Objects {
    pub context: Ptr<IHttpContext>,
    pub request: Ptr<IHttpRequest>,
    pub response: Ptr<IHttpResponse>,
    pub container: Ptr<IHttpModuleContextContainer>,
    pub trace: Ptr<IHttpTraceContext>,
    pub allocator: Ptr<IModuleAllocator>,
    /// The provider of most notifications.
    pub event: Ptr<IHttpEventProvider>,
    pub authentication: Ptr<IAuthenticationProvider>,
    pub map_handler: Ptr<IMapHandlerProvider>,
    pub send_response: Ptr<ISendResponseProvider>,
    pub pre_begin: Ptr<IPreBeginRequestProvider>,
    pub completion: Ptr<IHttpCompletionInfo2>,
    pub connection: Ptr<IHttpConnection>,
    pub connection_container: Ptr<IHttpConnectionModuleContextContainer>,
}

fn owned<I>(pointer: *mut I) -> Ptr<I> {
    // `new_boxed` returns the pointer of a fresh Box, never null.
    Ptr::new(pointer).expect("new_boxed returned null")
}

impl Objects {
    /// Makes the objects of `exchange` and records them there.
    pub fn create(exchange: &Arc<Exchange>) -> Objects {
        let provider = || Provider {
            exchange: exchange.clone(),
        };
        let connection_container = owned(IHttpConnectionModuleContextContainer::new_boxed(
            super::site::ConnectionContainer(super::global_objects::ApplicationContainer::new()),
        ));
        let objects = Objects {
            context: owned(HttpContext::create(exchange)),
            request: owned(IHttpRequest::new_boxed(HttpRequest {
                exchange: exchange.clone(),
            })),
            response: owned(IHttpResponse::new_boxed(HttpResponse {
                exchange: exchange.clone(),
            })),
            container: owned(IHttpModuleContextContainer::new_boxed(ContextContainer {
                exchange: exchange.clone(),
            })),
            trace: owned(IHttpTraceContext::new_boxed(TraceContext::new(exchange))),
            allocator: owned(IModuleAllocator::new_boxed(Allocator {
                exchange: exchange.clone(),
            })),
            event: owned(IHttpEventProvider::new_boxed(provider())),
            authentication: owned(IAuthenticationProvider::new_boxed(provider())),
            map_handler: owned(IMapHandlerProvider::new_boxed(provider())),
            send_response: owned(ISendResponseProvider::new_boxed(provider())),
            pre_begin: owned(IPreBeginRequestProvider::new_boxed(provider())),
            completion: owned(IHttpCompletionInfo2::new_boxed(provider())),
            connection: owned(IHttpConnection::new_boxed(super::site::Connection {
                exchange: exchange.clone(),
                container: connection_container,
            })),
            connection_container,
        };
        *lock(&exchange.objects) = Some(objects);
        objects
    }

    /// # Safety
    /// Once, for objects made by [`Objects::create`], which nobody uses afterwards.
    unsafe fn release_all_but_context(self) {
        // SAFETY: each pointer is the Box-made object of the value type named (see
        // `create`), released exactly once here.
        unsafe {
            Object::<HttpRequest>::release(self.request.get(), true);
            Object::<HttpResponse>::release(self.response.get(), true);
            Object::<ContextContainer>::release(self.container.get(), true);
            Object::<TraceContext>::release(self.trace.get(), true);
            Object::<Allocator>::release(self.allocator.get(), true);
            Object::<Provider>::release(self.event.get(), true);
            Object::<Provider>::release(self.authentication.get(), true);
            Object::<Provider>::release(self.map_handler.get(), true);
            Object::<Provider>::release(self.send_response.get(), true);
            Object::<Provider>::release(self.pre_begin.get(), true);
            Object::<Provider>::release(self.completion.get(), true);
            Object::<super::site::Connection>::release(self.connection.get(), true);
            // The connection closes with its one request.
            let container = self.connection_container.get();
            Object::<super::site::ConnectionContainer>::value_of(container)
                .0
                .cleanup();
            Object::<super::site::ConnectionContainer>::release(container, true);
        }
    }
}

/// The contexts of a server's finished requests, shared with the requests it gave up on (which
/// finish later): released when the server is dropped, or by the last of those requests to
/// finish after that ([`release_all`]).
pub(crate) type FinishedList = Arc<Mutex<Vec<Finished>>>;

/// Releases every context in `finished`.
///
/// # Safety
/// As [`Finished::release`], for each.
pub(crate) unsafe fn release_all(finished: &Mutex<Vec<Finished>>) {
    // Taken out first: the list is not locked while the contexts are released.
    let contexts = core::mem::take(&mut *lock(finished));
    for context in contexts {
        // SAFETY: the caller's guarantee.
        unsafe { context.release() };
    }
}

/// A finished request's context, kept by the server until it is dropped (inert: a module that
/// calls it late finds no request).
pub(crate) struct Finished {
    context: Ptr<IHttpContext>,
    exchange: Arc<Exchange>,
}

impl Exchange {
    /// Ends the request ([`Exchange::finish`]); what the server keeps of it.
    pub fn retire(self: &Arc<Exchange>) -> Option<Finished> {
        Some(Finished {
            context: self.finish()?,
            exchange: self.clone(),
        })
    }
}

impl Finished {
    /// Releases the context. A thread still returning from the call that completed the
    /// request is unaffected: the context's value is zero-sized (see `context.rs`), and the
    /// queue's lock orders what that thread did before the release.
    ///
    /// # Safety
    /// When no module starts a call on the context any more: the request's completion was
    /// signalled (or it never was pending), and a module calling later breaks IIS's rules.
    pub unsafe fn release(self) {
        self.exchange.completions.quiesce();
        // SAFETY: made by `Objects::create` with `HttpContext::create`, released once (`self`
        // is consumed); the caller guarantees no call starts on it.
        unsafe { HttpContext::release(self.context.get()) }
    }
}
