//! What hangs off a request besides its context, request and response: the module context
//! container (one stored context per module id, cleaned up when the request ends), the trace
//! context (`QuickTrace` and `RaiseTraceEvent` recorded for the test), the request-memory
//! `IModuleAllocator` factories get, and the providers notifications receive
//! (`IHttpEventProvider` and its derived `IAuthenticationProvider`, `IMapHandlerProvider`,
//! `ISendResponseProvider`, `IPreBeginRequestProvider`; `IHttpCompletionInfo2`), one Rust
//! type behind each of those objects, all sharing the request's state.

use alloc::format;
use alloc::sync::Arc;
use core::ffi::c_void;

use windows_sys::core::{BOOL, GUID, PCWSTR};
use windows_sys::Win32::Foundation::{ERROR_ALREADY_ASSIGNED, FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::HTTP_LOG_DATA;
use windows_sys::Win32::System::Iis::{HTTP_TRACE_CONFIGURATION, HTTP_TRACE_EVENT};

use super::exchange::{Exchange, Ptr};
use super::memory::{wide_str, wide_string};
use super::request::QuickTrace;
use crate::runtime::{E_INVALIDARG, E_NOTIMPL, E_UNEXPECTED, HRESULT, S_OK};
use crate::*;

/// `IHttpModuleContextContainer`.
pub(crate) struct ContextContainer {
    pub exchange: Arc<Exchange>,
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpModuleContextContainer_Impl for ContextContainer {
    unsafe fn GetModuleContext(&self, id: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        let id = id as usize;
        self.exchange
            .with(|s| {
                s.stored
                    .iter()
                    .find(|(key, _)| *key == id)
                    .map(|(_, c)| c.get())
            })
            .flatten()
            .unwrap_or(core::ptr::null_mut())
    }
    /// Stores `context` under `id` once: a second one for the same id is
    /// `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)`, as in IIS. A null context is stored as
    /// none.
    unsafe fn SetModuleContext(
        &self,
        context: *mut IHttpStoredContext,
        id: HTTP_MODULE_ID,
    ) -> HRESULT {
        if id.is_null() {
            return E_INVALIDARG;
        }
        let id = id as usize;
        self.exchange
            .with(|s| {
                if s.stored.iter().any(|(key, _)| *key == id) {
                    return HRESULT::from_win32(ERROR_ALREADY_ASSIGNED);
                }
                if let Some(context) = Ptr::new(context) {
                    s.stored.push((id, context));
                }
                S_OK
            })
            .unwrap_or(E_UNEXPECTED)
    }
}

/// `IHttpTraceContext`.
pub(crate) struct TraceContext {
    exchange: Arc<Exchange>,
    /// The request's activity id (`GetTraceActivityId`), distinct per request.
    activity: GUID,
}

impl TraceContext {
    pub fn new(exchange: &Arc<Exchange>) -> TraceContext {
        TraceContext {
            exchange: exchange.clone(),
            activity: GUID {
                data1: exchange.number as u32,
                data2: 0x1157,
                data3: 0x4d5e,
                data4: [0x80, 0, 0, 0, 0, 0, 0, 0x17],
            },
        }
    }
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpTraceContext_Impl for TraceContext {
    /// No trace provider is enabled, unless the server traces (`TestServer::tracing`): then
    /// every one is, with all areas, verbose.
    unsafe fn GetTraceConfiguration(
        &self,
        configuration: *mut HTTP_TRACE_CONFIGURATION,
    ) -> HRESULT {
        let tracing = super::global::tracing(&self.exchange);
        // SAFETY: IIS's contract: null or a writable configuration.
        match unsafe { configuration.as_mut() } {
            Some(configuration) => {
                configuration.fProviderEnabled = if tracing { TRUE } else { FALSE };
                if tracing {
                    configuration.dwAreas = u32::MAX;
                    configuration.dwVerbosity = 5;
                }
                S_OK
            }
            None => E_INVALIDARG,
        }
    }
    /// Not modelled.
    unsafe fn SetTraceConfiguration(
        &self,
        _: HTTP_MODULE_ID,
        _: *mut HTTP_TRACE_CONFIGURATION,
        _: u32,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Adds `trace-event event NAME level N` to the request's trace, then, when the server
    /// traces, raises `GL_TRACE_EVENT` with the event (`global.rs`).
    unsafe fn RaiseTraceEvent(&self, raw: *mut HTTP_TRACE_EVENT) -> HRESULT {
        // SAFETY: IIS's contract: null or a valid event whose name is null or NUL-terminated.
        let Some(event) = (unsafe { raw.as_ref() }) else {
            return E_INVALIDARG;
        };
        // SAFETY: as above.
        let name = unsafe { wide_string(event.pszEventName) };
        self.exchange.log(format!(
            "trace-event event {name} level {}",
            event.dwVerbosity
        ));
        super::global::trace_event(&self.exchange, raw);
        S_OK
    }
    fn GetTraceActivityId(&self) -> *const GUID {
        &self.activity
    }
    /// Recorded in [`Response::quick_traces`](super::Response::quick_traces).
    unsafe fn QuickTrace(&self, data1: PCWSTR, data2: PCWSTR, hr: HRESULT, level: u8) -> HRESULT {
        // SAFETY: IIS's contract: each is null or NUL-terminated.
        let (data1, data2) = unsafe {
            (
                wide_string(data1),
                wide_str(data2).map(alloc::string::String::from_utf16_lossy),
            )
        };
        self.exchange.quick_trace(QuickTrace {
            data1,
            data2,
            hr,
            level,
        });
        S_OK
    }
}

/// `IModuleAllocator`: request memory, for the modules a factory makes.
pub(crate) struct Allocator {
    pub exchange: Arc<Exchange>,
}

impl IModuleAllocator_Impl for Allocator {
    fn AllocateMemory(&self, size: u32) -> *mut c_void {
        self.exchange.allocate(size as usize).cast()
    }
}

/// Every provider object of a request (and its completion info).
pub(crate) struct Provider {
    pub exchange: Arc<Exchange>,
}

impl IHttpEventProvider_Impl for Provider {
    /// A failure makes a 500 (unless the status is already 400 or more) and finishes the
    /// request when the notification returns.
    fn SetErrorStatus(&self, error: HRESULT) {
        self.exchange.with(|s| s.error = error);
    }
}

impl IAuthenticationProvider_Impl for Provider {
    /// Takes the user over (`handed.rs`); null leaves the request as it was.
    unsafe fn SetUser(&self, user: *mut IHttpUser) {
        if let Some(user) = super::exchange::Ptr::new(user) {
            self.exchange.handed.set_user(user);
        }
    }
}

impl IMapHandlerProvider_Impl for Provider {
    /// Not modelled.
    unsafe fn SetScriptName(&self, _: PCWSTR, _: u32) -> HRESULT {
        E_NOTIMPL
    }
    /// Ignored.
    unsafe fn SetScriptMap(&self, _: *mut IScriptMapInfo) {}
    /// Ignored.
    unsafe fn SetFileInfo(&self, _: *mut IHttpFileInfo) {}
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl ISendResponseProvider_Impl for Provider {
    fn GetHeadersBeingSent(&self) -> BOOL {
        TRUE
    }
    fn GetFlags(&self) -> u32 {
        self.exchange.with(|s| s.send_flags).unwrap_or(0)
    }
    fn SetFlags(&self, flags: u32) {
        self.exchange.with(|s| s.send_flags = flags);
    }
    /// Not modelled (no log).
    fn GetLogData(&self) -> *mut HTTP_LOG_DATA {
        core::ptr::null_mut()
    }
    /// Not modelled (no log).
    unsafe fn SetLogData(&self, _: *mut HTTP_LOG_DATA) -> HRESULT {
        E_NOTIMPL
    }
    fn GetReadyToLogData(&self) -> BOOL {
        FALSE
    }
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IPreBeginRequestProvider_Impl for Provider {
    fn GetHttpContext(&self) -> *mut IHttpContext {
        self.exchange
            .objects()
            .map_or(core::ptr::null_mut(), |o| o.context.get())
    }
}

impl IHttpCompletionInfo_Impl for Provider {
    fn GetCompletionBytes(&self) -> u32 {
        self.exchange.with(|s| s.completion_bytes).unwrap_or(0)
    }
    fn GetCompletionStatus(&self) -> HRESULT {
        self.exchange.with(|s| s.completion_status).unwrap_or(S_OK)
    }
}

impl IHttpCompletionInfo2_Impl for Provider {
    fn GetCompletedOperation(&self) -> u32 {
        0
    }
}
