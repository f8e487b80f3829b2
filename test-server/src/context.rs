//! `IHttpContext` of the test server, as the C++ host of `tests/iis_host` models it: the
//! request, the response, the module context container and the trace context; request
//! memory; server variables (computed from the request, or set by modules, which win);
//! asynchronous completion (`IndicateCompletion`, `PostCompletion`), queued for the thread
//! running the request whatever thread calls, or in the re-entrant mode `PostCompletion`
//! calling the module's `OnAsyncCompletion` itself, as IIS may; the user a module set and
//! cloned contexts (`handed.rs`). What it does not model returns `E_NOTIMPL` or null (see the
//! module docs).
//!
//! The value behind the context is zero-sized and finds its request by its own address in
//! [`CONTEXTS`]: a thread that completed a request may still be returning from
//! `IndicateCompletion` or `PostCompletion` when the context is released, and a reference to
//! a zero-sized value covers no memory that releasing it could pull away (a value with fields
//! would be a protected reference into freed memory).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::c_void;
use std::sync::Mutex;

use windows_sys::core::{BOOL, PCSTR, PCWSTR, PWSTR};
use windows_sys::Win32::Foundation::{ERROR_INVALID_INDEX, FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::{
    HttpHeaderContentLength, HttpHeaderContentType, HttpHeaderHost,
};

use super::completion::Completion;
use super::exchange::{lock, Exchange, Ptr, State, Variable};
use super::headers::sendable;
use super::memory::{c_str, put, wide_str, WideText};
use crate::runtime::{Object, E_INVALIDARG, E_NOTIMPL, E_UNEXPECTED, HRESULT, S_OK};
use crate::*;

/// What `SERVER_SOFTWARE` says.
const SERVER_SOFTWARE: &str = "httpserv-testing";
/// What `APP_POOL_ID` and `IHttpServer::GetAppPoolName` say.
pub(crate) const APP_POOL: &str = "httpserv-rs";

/// `HRESULT_FROM_WIN32(ERROR_INVALID_INDEX)`: IIS's answer for an unknown server variable.
fn unknown_variable() -> HRESULT {
    HRESULT::from_win32(ERROR_INVALID_INDEX)
}

/// `IHttpContext`: zero-sized, its request found by its address (see the module docs).
pub(crate) struct HttpContext;

/// The request of every live context, by the address of its [`HttpContext`] value. An
/// address is an integer kept here, never turned back into a pointer.
static CONTEXTS: Mutex<BTreeMap<usize, Arc<Exchange>>> = Mutex::new(BTreeMap::new());

impl HttpContext {
    /// Makes the context of `exchange`.
    pub fn create(exchange: &Arc<Exchange>) -> *mut IHttpContext {
        let context = IHttpContext::new_boxed(HttpContext);
        // SAFETY: just made from an HttpContext, live until `release`.
        let value = unsafe { (*context).downcast::<HttpContext>() }.expect("an HttpContext");
        lock(&CONTEXTS).insert(value.key(), exchange.clone());
        context
    }

    /// Releases a context made by [`HttpContext::create`]; a later call on it is a use after
    /// free (as in IIS), which Miri reports.
    ///
    /// # Safety
    /// `context` came from `create` and is released once.
    pub unsafe fn release(context: *mut IHttpContext) {
        // SAFETY: the caller's guarantee: a live context made by `create`.
        let value = unsafe { (*context).downcast::<HttpContext>() }.expect("an HttpContext");
        lock(&CONTEXTS).remove(&value.key());
        // SAFETY: made by `create` with `new_boxed` as an HttpContext, released once.
        unsafe { Object::<HttpContext>::release(context, true) }
    }

    fn key(&self) -> usize {
        core::ptr::from_ref(self) as usize
    }

    /// This context's request (it stays registered until the context is released).
    fn exchange(&self) -> Option<Arc<Exchange>> {
        lock(&CONTEXTS).get(&self.key()).cloned()
    }

    /// `f` on this context's request, or `absent` once the context is gone.
    fn with_exchange<R>(&self, absent: R, f: impl FnOnce(&Arc<Exchange>) -> R) -> R {
        match self.exchange() {
            Some(exchange) => f(&exchange),
            None => absent,
        }
    }
}

/// A server variable's value, either computed or a request header's (which is handed out
/// as it is: it already lives in request memory).
enum Value {
    Computed(Vec<u8>),
    Header(super::headers::HeaderValue),
}

/// The variables IIS computes from the request.
fn builtin(state: &State, name: &[u8]) -> Option<Value> {
    let received = &state.received;
    let url = received.url.as_slice();
    let (path, query) = super::limits::split_url(url);
    let header = |name: &[u8]| received.headers.get(name);
    let text = |s: String| Some(Value::Computed(s.into_bytes()));
    match name {
        b"REQUEST_METHOD" => {
            let method = received.method;
            // SAFETY: the method lives in request memory, as long as the state.
            let bytes = unsafe { core::slice::from_raw_parts(method.as_ptr(), method.len()) };
            Some(Value::Computed(bytes.to_vec()))
        }
        b"URL" | b"PATH_INFO" | b"SCRIPT_NAME" => text(super::url::cooked_path(path)),
        b"QUERY_STRING" => Some(Value::Computed(query.unwrap_or_default().to_vec())),
        b"UNENCODED_URL" | b"CACHE_URL" => Some(Value::Computed(url.to_vec())),
        b"SERVER_PROTOCOL" => {
            let (major, minor) = received.version;
            text(format!("HTTP/{major}.{minor}"))
        }
        b"REMOTE_ADDR" | b"REMOTE_HOST" => text(received.remote.ip().to_string()),
        b"REMOTE_PORT" => text(received.remote.port().to_string()),
        b"LOCAL_ADDR" => text(received.local.ip().to_string()),
        b"SERVER_PORT" => text(received.local.port().to_string()),
        b"SERVER_NAME" => {
            let host = received.headers.get_id(HttpHeaderHost);
            let host = host.as_ref().map_or(&[][..], |h| h.bytes());
            let end = host.iter().position(|&b| b == b':').unwrap_or(host.len());
            Some(Value::Computed(host[..end].to_vec()))
        }
        b"CONTENT_LENGTH" => Some(Value::Computed(
            received
                .headers
                .get_id(HttpHeaderContentLength)
                .map_or(b"0".to_vec(), |h| h.bytes().to_vec()),
        )),
        b"CONTENT_TYPE" => Some(Value::Computed(
            received
                .headers
                .get_id(HttpHeaderContentType)
                .map_or(Vec::new(), |h| h.bytes().to_vec()),
        )),
        b"HTTPS" => text("off".to_string()),
        b"INSTANCE_ID" => text("1".to_string()),
        b"APP_POOL_ID" => text(APP_POOL.to_string()),
        b"SERVER_SOFTWARE" => text(SERVER_SOFTWARE.to_string()),
        _ => {
            // HTTP_<NAME>: request header NAME, `_` read as `-`.
            let header_name: Vec<u8> = name
                .strip_prefix(b"HTTP_")?
                .iter()
                .map(|&b| if b == b'_' { b'-' } else { b })
                .collect();
            header(&header_name).map(Value::Header)
        }
    }
}

/// The request's physical path, mapped (`RQ_MAP_PATH`) the first time it is asked for.
pub(crate) fn request_physical_path(exchange: &Arc<Exchange>) -> Option<WideText> {
    let (path, len) = wide_variable(exchange, b"SCRIPT_NAME").ok()?;
    // SAFETY: `wide_variable` returns `len` units in request memory.
    let path = unsafe { core::slice::from_raw_parts(path, len) };
    super::map_path::request_path(exchange, path)
}

/// The narrow value of server variable `name`: pointer and length, in request memory.
fn narrow_variable(exchange: &Arc<Exchange>, name: &[u8]) -> Result<(*const u8, usize), HRESULT> {
    let set = exchange.with(|s| s.variables.iter().any(|v| v.name == name));
    if name == b"PATH_TRANSLATED" && set == Some(false) {
        // The physical path: mapping it may raise RQ_MAP_PATH, so not under the state's lock.
        let path = request_physical_path(exchange).ok_or(E_UNEXPECTED)?;
        // SAFETY: the path lives in request memory, `len` units.
        let units = unsafe { core::slice::from_raw_parts(path.as_ptr(), path.len()) };
        let text = exchange
            .memory
            .c_text(String::from_utf16_lossy(units).as_bytes());
        return Ok((text.as_ptr(), text.len()));
    }
    exchange
        .with(|state| {
            if let Some(set) = state.variables.iter().find(|v| v.name == name) {
                return Ok((set.narrow.as_ptr(), set.narrow.len()));
            }
            match builtin(state, name) {
                Some(Value::Computed(bytes)) => {
                    let text = exchange.memory.c_text(&bytes);
                    Ok((text.as_ptr(), text.len()))
                }
                Some(Value::Header(value)) => Ok((value.text.as_ptr(), value.text.len())),
                None => Err(unknown_variable()),
            }
        })
        .unwrap_or(Err(E_UNEXPECTED))
}

/// The wide value of server variable `name`.
fn wide_variable(exchange: &Arc<Exchange>, name: &[u8]) -> Result<(*const u16, usize), HRESULT> {
    let set = exchange
        .with(|state| {
            state
                .variables
                .iter()
                .find(|v| v.name == name)
                .map(|v| (v.wide.as_ptr(), v.wide.len()))
        })
        .ok_or(E_UNEXPECTED)?;
    if let Some(set) = set {
        return Ok(set);
    }
    let (narrow, len) = narrow_variable(exchange, name)?;
    // SAFETY: `narrow_variable` returns `len` bytes in request memory.
    let bytes = unsafe { core::slice::from_raw_parts(narrow, len) };
    let units: Vec<u16> = String::from_utf8_lossy(bytes).encode_utf16().collect();
    let wide = exchange.memory.wide_text(&units);
    Ok((wide.as_ptr(), wide.len()))
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpContext_Impl for HttpContext {
    /// The server's one site (`site.rs`), while the request runs.
    fn GetSite(&self) -> *mut IHttpSite {
        self.with_exchange(core::ptr::null_mut(), |e| super::global::site_of(e))
    }
    /// The server's one application (`global.rs`), while the request runs.
    fn GetApplication(&self) -> *mut IHttpApplication {
        self.with_exchange(core::ptr::null_mut(), |e| super::global::application_of(e))
    }
    /// The request's connection (`site.rs`).
    fn GetConnection(&self) -> *mut IHttpConnection {
        self.with_exchange(None, |e| e.objects())
            .map_or(core::ptr::null_mut(), |o| o.connection.get())
    }
    fn GetRequest(&self) -> *mut IHttpRequest {
        self.with_exchange(None, |e| e.objects())
            .map_or(core::ptr::null_mut(), |o| o.request.get())
    }
    fn GetResponse(&self) -> *mut IHttpResponse {
        self.with_exchange(None, |e| e.objects())
            .map_or(core::ptr::null_mut(), |o| o.response.get())
    }
    fn GetResponseHeadersSent(&self) -> BOOL {
        if self.with_exchange(None, |e| e.with(|s| s.headers_sent)) == Some(true) {
            TRUE
        } else {
            FALSE
        }
    }
    /// The user a module set (`SetUser`), or null.
    fn GetUser(&self) -> *mut IHttpUser {
        self.with_exchange(None, |e| e.handed.user())
            .map_or(core::ptr::null_mut(), |u| u.get())
    }
    fn GetModuleContextContainer(&self) -> *mut IHttpModuleContextContainer {
        self.with_exchange(None, |e| e.objects())
            .map_or(core::ptr::null_mut(), |o| o.container.get())
    }
    /// Resumes the pending request as if its notification had returned `status`.
    fn IndicateCompletion(&self, status: REQUEST_NOTIFICATION_STATUS) {
        self.with_exchange((), |e| e.complete(Completion::Indicate(status)));
    }
    /// Has the pending module's `OnAsyncCompletion` called with `bytes` (status `S_OK`): by
    /// the request's thread, or in the re-entrant mode by this call, on this thread.
    fn PostCompletion(&self, bytes: u32) -> HRESULT {
        let completion = Completion::Async {
            bytes,
            status: S_OK,
        };
        self.with_exchange((), |e| e.complete(completion));
        S_OK
    }
    /// For the module being called: the pipeline skips it for those notifications from now
    /// on (`pipeline.rs`).
    fn DisableNotifications(&self, notifications: u32, post_notifications: u32) {
        self.with_exchange((), |e| {
            e.with(|s| {
                if let Some(module) = s.current_module {
                    s.disabled
                        .disable(module, notifications, post_notifications);
                }
            });
        })
    }
    /// Not modelled.
    unsafe fn GetNextNotification(
        &self,
        _: REQUEST_NOTIFICATION_STATUS,
        _: *mut u32,
        _: *mut BOOL,
        _: *mut *mut CHttpModule,
        _: *mut *mut IHttpEventProvider,
    ) -> BOOL {
        FALSE
    }
    /// Not modelled.
    fn GetIsLastNotification(&self, _: REQUEST_NOTIFICATION_STATUS) -> BOOL {
        FALSE
    }
    /// Not modelled (no child requests).
    unsafe fn ExecuteRequest(
        &self,
        _: BOOL,
        _: *mut IHttpContext,
        _: u32,
        _: *mut IHttpUser,
        _: *mut BOOL,
    ) -> HRESULT {
        E_NOTIMPL
    }
    fn GetExecuteFlags(&self) -> u32 {
        0
    }
    unsafe fn GetServerVariable_PCSTR_ptr(
        &self,
        name: PCSTR,
        value: *mut PCSTR,
        len: *mut u32,
    ) -> HRESULT {
        // SAFETY: IIS's contract: `name` is NUL-terminated.
        let Some(name) = (unsafe { c_str(name) }) else {
            return E_INVALIDARG;
        };
        if value.is_null() {
            return E_INVALIDARG;
        }
        let (pointer, length, hr) =
            match self.with_exchange(Err(E_UNEXPECTED), |e| narrow_variable(e, name)) {
                Ok((pointer, length)) => (pointer, length, S_OK),
                Err(hr) => (core::ptr::null(), 0, hr),
            };
        // SAFETY: IIS's contract: `value` (checked non-null) and `len` are writable.
        unsafe {
            value.write(pointer);
            put(len, length as u32);
        }
        hr
    }
    unsafe fn GetServerVariable(&self, name: PCSTR, value: *mut PCWSTR, len: *mut u32) -> HRESULT {
        // SAFETY: IIS's contract: `name` is NUL-terminated.
        let Some(name) = (unsafe { c_str(name) }) else {
            return E_INVALIDARG;
        };
        if value.is_null() {
            return E_INVALIDARG;
        }
        let (pointer, length, hr) =
            match self.with_exchange(Err(E_UNEXPECTED), |e| wide_variable(e, name)) {
                Ok((pointer, length)) => (pointer, length, S_OK),
                Err(hr) => (core::ptr::null(), 0, hr),
            };
        // SAFETY: as above.
        unsafe {
            value.write(pointer);
            put(len, length as u32);
        }
        hr
    }
    /// Sets (or replaces) a variable; it wins over the computed ones. Some variables become
    /// headers (`HTTP_*`, URL Rewrite's `RESPONSE_*`), so, as the framework does, a name that
    /// is not a token or a value with a control character is refused and nothing is set
    /// (Microsoft's reference does not say what IIS does: the test server's choice).
    unsafe fn SetServerVariable(&self, name: PCSTR, value: PCWSTR) -> HRESULT {
        // SAFETY: IIS's contract: both are NUL-terminated.
        let (Some(name), Some(value)) = (unsafe { (c_str(name), wide_str(value)) }) else {
            return E_INVALIDARG;
        };
        let control = |&unit: &u16| unit < 0x20 && unit != 0x09 || unit == 0x7f;
        if !sendable(name, b"") || value.iter().any(control) {
            return E_INVALIDARG;
        }
        self.with_exchange(E_UNEXPECTED, |exchange| {
            let memory = &exchange.memory;
            let variable = Variable {
                name: name.to_vec(),
                narrow: memory.c_text(String::from_utf16_lossy(value).as_bytes()),
                wide: memory.wide_text(value),
            };
            exchange
                .with(|state| {
                    state.variables.retain(|v| v.name != name);
                    state.variables.push(variable);
                    S_OK
                })
                .unwrap_or(E_UNEXPECTED)
        })
    }
    /// Null once the request is over.
    fn AllocateRequestMemory(&self, size: u32) -> *mut c_void {
        self.with_exchange(core::ptr::null_mut(), |e| e.allocate(size as usize))
            .cast()
    }
    /// Not modelled.
    fn GetUrlInfo(&self) -> *mut IHttpUrlInfo {
        core::ptr::null_mut()
    }
    /// The site's configuration (`site.rs`), while the request runs.
    fn GetMetadata(&self) -> *mut IMetadataInfo {
        self.with_exchange(core::ptr::null_mut(), |e| super::global::metadata_of(e))
    }
    /// The URL's path under the application's physical root (`C:\inetpub\wwwroot\…`), or
    /// where `RQ_MAP_PATH`'s modules put it (`map_path.rs`), in request memory; whether a file
    /// is there is not looked at, as IIS does not.
    unsafe fn GetPhysicalPath(&self, len: *mut u32) -> PCWSTR {
        let wide = self
            .with_exchange(None, |e| {
                let physical = request_physical_path(e)?;
                Some((physical.as_ptr(), physical.len()))
            })
            .unwrap_or((core::ptr::null(), 0));
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { put(len, wide.1 as u32) };
        wide.0
    }
    /// The URL's path.
    unsafe fn GetScriptName(&self, len: *mut u32) -> PCWSTR {
        let wide = self
            .with_exchange(Err(E_UNEXPECTED), |e| wide_variable(e, b"SCRIPT_NAME"))
            .unwrap_or((core::ptr::null(), 0));
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { put(len, wide.1 as u32) };
        wide.0
    }
    /// The physical path (`GetPhysicalPath`), as for a script IIS runs.
    unsafe fn GetScriptTranslated(&self, len: *mut u32) -> PCWSTR {
        // SAFETY: this slot's contract is `GetPhysicalPath`'s: `len` is null or writable.
        unsafe { self.GetPhysicalPath(len) }
    }
    /// The `StaticFile` handler mapping (`script_map.rs`), from `POST_MAP_REQUEST_HANDLER`
    /// on; null before IIS has mapped the handler.
    fn GetScriptMap(&self) -> *mut IScriptMapInfo {
        self.with_exchange(core::ptr::null_mut(), |e| super::global::script_map_of(e))
    }
    fn SetRequestHandled(&self) {}
    /// The file the physical path names under the site root (`file_info.rs`), from
    /// `POST_MAP_REQUEST_HANDLER` on; null without one.
    fn GetFileInfo(&self) -> *mut IHttpFileInfo {
        self.with_exchange(core::ptr::null_mut(), super::file_info::file_info_of)
    }
    /// The URL's physical path, `RQ_MAP_PATH` raised (`map_path.rs`).
    unsafe fn MapPath(&self, url: PCWSTR, out: PWSTR, size: *mut u32) -> HRESULT {
        // SAFETY: IIS's contract, passed on.
        self.with_exchange(E_UNEXPECTED, |e| unsafe {
            super::map_path::map_path(e, url, out, size)
        })
    }
    /// `RQ_CUSTOM_NOTIFICATION` to the request's modules (`events.rs`).
    unsafe fn NotifyCustomNotification(
        &self,
        provider: *mut ICustomNotificationProvider,
        completion_expected: *mut BOOL,
    ) -> HRESULT {
        // SAFETY: IIS's contract, passed on.
        self.with_exchange(E_UNEXPECTED, |e| unsafe {
            super::events::notify_custom(e, provider, completion_expected)
        })
    }
    fn GetParentContext(&self) -> *mut IHttpContext {
        core::ptr::null_mut()
    }
    fn GetRootContext(&self) -> *mut IHttpContext {
        self.with_exchange(None, |e| e.objects())
            .map_or(core::ptr::null_mut(), |o| o.context.get())
    }
    /// A context over the same request (`handed.rs`), the caller's until it releases it;
    /// the flags are ignored.
    unsafe fn CloneContext(&self, _: u32, clone: *mut *mut IHttpContext) -> HRESULT {
        let Some(exchange) = self.exchange() else {
            return E_UNEXPECTED;
        };
        if clone.is_null() {
            return E_INVALIDARG;
        }
        let context = HttpContext::create(&exchange);
        // SAFETY: just made from an HttpContext, live until released.
        let value = unsafe { (*context).downcast::<HttpContext>() }.expect("an HttpContext");
        let made = Ptr::new(context).expect("new_boxed returned null");
        exchange.handed.add_clone(made, value.key(), self.key());
        // SAFETY: IIS's contract: `clone` is writable (checked non-null).
        unsafe { clone.write(context) };
        S_OK
    }
    /// Releases this context if it is a clone whose own clones are released, else
    /// `ERROR_INVALID_PARAMETER`. The value is zero-sized, so releasing it during this call
    /// pulls no memory from under `self` (see the module docs).
    fn ReleaseClonedContext(&self) -> HRESULT {
        let Some(exchange) = self.exchange() else {
            return super::handed::invalid_parameter();
        };
        match exchange.handed.take_clone(self.key()) {
            // SAFETY: a clone made by `CloneContext` with `create`, taken out of the list,
            // so released once.
            Ok(clone) => unsafe {
                HttpContext::release(clone.get());
                S_OK
            },
            Err(hr) => hr,
        }
    }
    /// The notification being delivered; the tick counts and module are 0 and null.
    unsafe fn GetCurrentExecutionStats(
        &self,
        notification: *mut u32,
        notification_start: *mut u32,
        module: *mut PCWSTR,
        module_start: *mut u32,
        async_notification: *mut u32,
        async_start: *mut u32,
    ) -> HRESULT {
        let current = self
            .with_exchange(None, |e| e.with(|s| s.notification))
            .unwrap_or(0);
        // SAFETY: IIS's contract: each out pointer is null or writable.
        unsafe {
            put(notification, current);
            put(notification_start, 0);
            put(module, core::ptr::null());
            put(module_start, 0);
            put(async_notification, 0);
            put(async_start, 0);
        }
        S_OK
    }
    fn GetTraceContext(&self) -> *mut IHttpTraceContext {
        self.with_exchange(None, |e| e.objects())
            .map_or(core::ptr::null_mut(), |o| o.trace.get())
    }
    /// Not modelled.
    unsafe fn GetServerVarChanges(
        &self,
        _: u32,
        _: *mut u32,
        _: *mut u32,
        _: *mut *mut PCSTR,
        _: *mut *mut PCWSTR,
        _: *mut u32,
        _: *mut *mut u32,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    fn CancelIo(&self) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn MapHandler(
        &self,
        _: u32,
        _: PCWSTR,
        _: PCWSTR,
        _: PCSTR,
        _: *mut *mut IScriptMapInfo,
        _: BOOL,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled (so no `IHttpContext2`–`4`).
    unsafe fn GetExtendedInterface(
        &self,
        _: HTTP_CONTEXT_INTERFACE_VERSION,
        _: *mut *mut c_void,
    ) -> HRESULT {
        E_NOTIMPL
    }
}
