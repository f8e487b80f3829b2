//! A request-handling IIS module in Rust, written against the generated `httpserv` crate and
//! built as a DLL: it shows what a module meets beyond the README's minimal one. Its twin in
//! C++ (`tests/iis_host/modules/hello_module.cpp`) answers every request byte for byte the same.
//!
//! - a global module (`GL_PRE_BEGIN_REQUEST`) that marks each request with a request header;
//! - `RQ_BEGIN_REQUEST` at priority HIGH, so it runs before MEDIUM modules such as the
//!   README's; it keeps per-request state in the module context container (in request
//!   memory) and sets a server variable;
//! - `RQ_AUTHENTICATE_REQUEST`: `/deny` is refused with 403 and `RQ_NOTIFICATION_FINISH_REQUEST`;
//! - `RQ_EXECUTE_REQUEST_HANDLER` (and its post-notification) routes `/hello`, `/echo`,
//!   `/async`, `/panic` and `/stats`; anything else is left to the server;
//! - `RQ_SEND_RESPONSE` adds the final status as a header; `RQ_END_REQUEST` is counted;
//! - `/async` returns `RQ_NOTIFICATION_PENDING` and completes from a thread of its own, with
//!   `PostCompletion` (then `OnAsyncCompletion` writes the body) or, with `?via=indicate`,
//!   by writing the body and calling `IndicateCompletion`;
//! - `/panic` panics inside a notification: the bindings catch it and answer 500.

use httpserv::runtime::{Result, E_INVALIDARG, HRESULT, S_OK};
use httpserv::windows_sys::core::{BOOL, PCSTR};
use httpserv::windows_sys::Win32::Foundation::{FALSE, TRUE};
use httpserv::windows_sys::Win32::Networking::HttpServer::{
    HttpDataChunkFromMemory, HTTP_DATA_CHUNK,
};
use httpserv::*;
use std::ffi::CStr;
use std::sync::atomic::{AtomicPtr, AtomicU64, Ordering::Relaxed};

/// evntrace.h's `TRACE_LEVEL_INFORMATION`: the verbosity of the echo trace event.
const TRACE_LEVEL_INFORMATION: u8 = 4;

/// Notifications seen by all instances, reported by `/stats`.
struct Counters {
    global: AtomicU64,
    begin: AtomicU64,
    authenticate: AtomicU64,
    handler: AtomicU64,
    post_handler: AtomicU64,
    send_response: AtomicU64,
    end: AtomicU64,
    disposed: AtomicU64,
    cleaned: AtomicU64,
    async_completions: AtomicU64,
}

static COUNTERS: Counters = Counters {
    global: AtomicU64::new(0),
    begin: AtomicU64::new(0),
    authenticate: AtomicU64::new(0),
    handler: AtomicU64::new(0),
    post_handler: AtomicU64::new(0),
    send_response: AtomicU64::new(0),
    end: AtomicU64::new(0),
    disposed: AtomicU64::new(0),
    cleaned: AtomicU64::new(0),
    async_completions: AtomicU64::new(0),
};

/// What `IHttpModuleRegistrationInfo::GetId` gave us: the key of our stored contexts.
static MODULE_ID: AtomicPtr<core::ffi::c_void> = AtomicPtr::new(core::ptr::null_mut());

/// A request's server variable as bytes (empty when it is not set).
///
/// # Safety
/// `context` must be live; the value lives in request memory, as long as the request.
unsafe fn server_variable<'a>(context: &'a IHttpContext, name: &[u8]) -> &'a [u8] {
    let mut value: PCSTR = core::ptr::null();
    let mut len = 0u32;
    if context
        .GetServerVariable_PCSTR_ptr(name.as_ptr(), &mut value, &mut len)
        .is_err()
        || value.is_null()
    {
        return &[];
    }
    core::slice::from_raw_parts(value, len as usize)
}

/// A request header by name (NUL-terminated), if present.
///
/// # Safety
/// As `server_variable`.
unsafe fn request_header<'a>(context: &'a IHttpContext, name: &[u8]) -> Option<&'a [u8]> {
    let request = IHttpRequest::from_raw(context.GetRequest())?;
    let mut len = 0u16;
    let value = request.GetHeader(name.as_ptr(), &mut len);
    (!value.is_null()).then(|| core::slice::from_raw_parts(value, len as usize))
}

/// Sets the status and a text/plain body (copied by the server, buffered until sent).
///
/// # Safety
/// `context` must be live; `reason` must be NUL-terminated.
unsafe fn respond(context: &IHttpContext, status: u16, reason: &[u8], body: &[u8]) {
    let Some(response) = IHttpResponse::from_raw(context.GetResponse()) else {
        return;
    };
    let _ = response.SetStatus(
        status,
        reason.as_ptr(),
        0,
        S_OK,
        core::ptr::null_mut(),
        FALSE,
    );
    const TEXT: &CStr = c"text/plain";
    let _ = response.SetHeader(
        c"Content-Type".as_ptr().cast(),
        TEXT.as_ptr().cast(),
        TEXT.count_bytes() as u16,
        TRUE,
    );
    write_body(response, body);
}

/// # Safety
/// `response` must be live.
unsafe fn write_body(response: &IHttpResponse, body: &[u8]) {
    let mut chunk = HTTP_DATA_CHUNK {
        DataChunkType: HttpDataChunkFromMemory,
        ..Default::default()
    };
    chunk.Anonymous.FromMemory.pBuffer = body.as_ptr() as *mut _;
    chunk.Anonymous.FromMemory.BufferLength = body.len() as u32;
    let mut sent = 0u32;
    let mut completion_expected: BOOL = FALSE;
    let _ = response.WriteEntityChunks(
        &mut chunk,
        1,
        FALSE,
        FALSE,
        &mut sent,
        &mut completion_expected,
    );
}

/// `n` in decimal at the start of `buffer`, NUL-terminated; the number of digits.
fn decimal(mut n: u16, buffer: &mut [u8; 6]) -> usize {
    let mut reversed = [0u8; 5];
    let mut len = 0;
    loop {
        reversed[len] = b'0' + (n % 10) as u8;
        len += 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for i in 0..len {
        buffer[i] = reversed[len - 1 - i];
    }
    buffer[len] = 0;
    len
}

/// The value of `key` in a query string `a=1&key=value`.
fn query_value<'a>(query: &'a [u8], key: &[u8]) -> Option<&'a [u8]> {
    query.split(|&b| b == b'&').find_map(|pair| {
        let (k, v) = pair.split_at(pair.iter().position(|&b| b == b'=')?);
        (k == key).then_some(&v[1..])
    })
}

/// Per-request state kept in the module context container, in request memory.
struct RequestState {
    powered_by_at_begin: bool,
}

impl IHttpStoredContext_Impl for RequestState {
    fn CleanupStoredContext(&self) {
        // The memory belongs to the request; there is nothing to free.
        COUNTERS.cleaned.fetch_add(1, Relaxed);
    }
}

/// One per request, made by the factory; dropped by Dispose.
struct HelloModule;

impl Drop for HelloModule {
    fn drop(&mut self) {
        COUNTERS.disposed.fetch_add(1, Relaxed);
    }
}

impl HelloModule {
    unsafe fn begin(&self, context: &IHttpContext) {
        COUNTERS.begin.fetch_add(1, Relaxed);
        let response = IHttpResponse::from_raw(context.GetResponse());
        let powered_by = response.is_some_and(|r| {
            let mut len = 0u16;
            !r.GetHeader(c"X-Powered-By".as_ptr().cast(), &mut len)
                .is_null()
        });
        let memory = context
            .AllocateRequestMemory(core::mem::size_of::<runtime::Object<RequestState>>() as u32);
        if let Some(container) =
            IHttpModuleContextContainer::from_raw(context.GetModuleContextContainer())
        {
            if !memory.is_null() {
                let state = RequestState {
                    powered_by_at_begin: powered_by,
                };
                // SAFETY: request memory of the object's size, freed with the request; IIS's
                // allocator aligns it for any type.
                let stored = IHttpStoredContext::new_in_place(memory, state);
                let _ = container.SetModuleContext(stored, MODULE_ID.load(Relaxed));
            }
        }
        let _ = context.SetServerVariable(
            c"HELLO_GREETING".as_ptr().cast(),
            httpserv::windows_sys::w!("Hello"),
        );
    }

    unsafe fn stored_state<'a>(&self, context: &'a IHttpContext) -> Option<&'a RequestState> {
        let container = IHttpModuleContextContainer::from_raw(context.GetModuleContextContainer())?;
        // Under our module id there is only what `begin` stored: one of our objects.
        IHttpStoredContext::from_raw(container.GetModuleContext(MODULE_ID.load(Relaxed)))?
            .downcast::<RequestState>()
    }

    unsafe fn handle(&self, context: &IHttpContext) -> REQUEST_NOTIFICATION_STATUS {
        COUNTERS.handler.fetch_add(1, Relaxed);
        let url = server_variable(context, b"URL\0");
        let query = server_variable(context, b"QUERY_STRING\0");
        match url {
            b"/hello" => {
                let greeting = server_variable(context, b"HELLO_GREETING\0");
                let name = query_value(query, b"name").unwrap_or(b"world");
                let body = [greeting, b", ", name, b"!\n"].concat();
                respond(context, 200, b"OK\0", &body);
            }
            b"/echo" => self.echo(context),
            b"/async" => return start_async(context, query),
            b"/panic" => panic!("hello_module: /panic asked for a panic"),
            b"/stats" => {
                let c = &COUNTERS;
                let body = format!(
                    "global={} begin={} authenticate={} handler={} post_handler={} send_response={} \
                     end={} disposed={} cleaned={} async_completions={}\n",
                    c.global.load(Relaxed),
                    c.begin.load(Relaxed),
                    c.authenticate.load(Relaxed),
                    c.handler.load(Relaxed),
                    c.post_handler.load(Relaxed),
                    c.send_response.load(Relaxed),
                    c.end.load(Relaxed),
                    c.disposed.load(Relaxed),
                    c.cleaned.load(Relaxed),
                    c.async_completions.load(Relaxed),
                );
                respond(context, 200, b"OK\0", body.as_bytes());
            }
            _ => {}
        }
        RQ_NOTIFICATION_CONTINUE
    }

    unsafe fn echo(&self, context: &IHttpContext) {
        let mut body = Vec::new();
        let mut line = |name: &str, value: &[u8]| {
            body.extend_from_slice(name.as_bytes());
            body.extend_from_slice(b": ");
            body.extend_from_slice(value);
            body.push(b'\n');
        };
        line("method", server_variable(context, b"REQUEST_METHOD\0"));
        line("url", server_variable(context, b"URL\0"));
        line("query", server_variable(context, b"QUERY_STRING\0"));
        line("remote", server_variable(context, b"REMOTE_ADDR\0"));
        line(
            "x-echo",
            request_header(context, b"X-Echo\0").unwrap_or(b"(none)"),
        );
        line(
            "x-hello-global",
            request_header(context, b"X-Hello-Global\0").unwrap_or(b"(none)"),
        );
        let at_begin = self.stored_state(context).map(|s| s.powered_by_at_begin);
        line(
            "x-powered-by at begin",
            match at_begin {
                Some(true) => b"set",
                Some(false) => b"not set",
                None => b"(no stored context)",
            },
        );
        let mut entity = Vec::new();
        if let Some(request) = IHttpRequest::from_raw(context.GetRequest()) {
            let mut buffer = [0u8; 256];
            loop {
                let mut received = 0u32;
                let hr = request.ReadEntityBody(
                    buffer.as_mut_ptr().cast(),
                    buffer.len() as u32,
                    0,
                    &mut received,
                    core::ptr::null_mut(),
                );
                if hr.is_err() || received == 0 {
                    break;
                }
                entity.extend_from_slice(&buffer[..received as usize]);
            }
        }
        line("entity", &entity);
        if let Some(trace) = IHttpTraceContext::from_raw(context.GetTraceContext()) {
            let _ = trace.QuickTrace(
                httpserv::windows_sys::w!("hello_module"),
                httpserv::windows_sys::w!("echo"),
                S_OK,
                TRACE_LEVEL_INFORMATION,
            );
        }
        respond(context, 200, b"OK\0", &body);
    }
}

/// `/async?ms=N[&via=indicate]`: completes on another thread after N milliseconds.
unsafe fn start_async(context: &IHttpContext, query: &[u8]) -> REQUEST_NOTIFICATION_STATUS {
    let ms: u32 = query_value(query, b"ms")
        .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
        .unwrap_or(20);
    let indicate = query_value(query, b"via") == Some(b"indicate");
    // The server keeps the context alive while the request is pending.
    let context = context.as_raw() as usize;
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(ms.into()));
        // SAFETY: the request is pending until this completion, so the context is live.
        unsafe {
            let context = IHttpContext::from_raw(context as *mut IHttpContext).expect("context");
            if indicate {
                let body = format!("async: indicated after {ms} ms\n");
                respond(context, 200, b"OK\0", body.as_bytes());
                context.IndicateCompletion(RQ_NOTIFICATION_CONTINUE);
            } else {
                let _ = context.PostCompletion(ms);
            }
        }
    });
    RQ_NOTIFICATION_PENDING
}

impl CHttpModule_Impl for HelloModule {
    fn OnBeginRequest(
        &self,
        context: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: the server passes a live context for the length of the notification.
        if let Some(context) = unsafe { IHttpContext::from_raw(context) } {
            unsafe { self.begin(context) };
        }
        RQ_NOTIFICATION_CONTINUE
    }

    fn OnAuthenticateRequest(
        &self,
        context: *mut IHttpContext,
        _: *mut IAuthenticationProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        COUNTERS.authenticate.fetch_add(1, Relaxed);
        // SAFETY: as above.
        unsafe {
            let Some(context) = IHttpContext::from_raw(context) else {
                return RQ_NOTIFICATION_CONTINUE;
            };
            if server_variable(context, b"URL\0") == b"/deny" {
                respond(context, 403, b"Forbidden\0", b"denied by hello_module\n");
                return RQ_NOTIFICATION_FINISH_REQUEST;
            }
        }
        RQ_NOTIFICATION_CONTINUE
    }

    fn OnExecuteRequestHandler(
        &self,
        context: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: as above.
        match unsafe { IHttpContext::from_raw(context) } {
            Some(context) => unsafe { self.handle(context) },
            None => RQ_NOTIFICATION_CONTINUE,
        }
    }

    fn OnPostExecuteRequestHandler(
        &self,
        _: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        COUNTERS.post_handler.fetch_add(1, Relaxed);
        RQ_NOTIFICATION_CONTINUE
    }

    fn OnSendResponse(
        &self,
        context: *mut IHttpContext,
        _: *mut ISendResponseProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        COUNTERS.send_response.fetch_add(1, Relaxed);
        // SAFETY: as above; the status digits are written into a NUL-terminated buffer.
        unsafe {
            if let Some(response) = IHttpContext::from_raw(context)
                .and_then(|c| IHttpResponse::from_raw(c.GetResponse()))
            {
                let mut status = 0u16;
                let null = core::ptr::null_mut();
                response.GetStatus(
                    &mut status,
                    null,
                    null.cast(),
                    null,
                    null.cast(),
                    null.cast(),
                    null.cast(),
                    null.cast(),
                    null.cast(),
                );
                let mut digits = [0u8; 6];
                let len = decimal(status, &mut digits);
                let _ = response.SetHeader(
                    c"X-Hello-Status".as_ptr().cast(),
                    digits.as_ptr(),
                    len as u16,
                    TRUE,
                );
            }
        }
        RQ_NOTIFICATION_CONTINUE
    }

    fn OnEndRequest(
        &self,
        _: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        COUNTERS.end.fetch_add(1, Relaxed);
        RQ_NOTIFICATION_CONTINUE
    }

    fn OnAsyncCompletion(
        &self,
        context: *mut IHttpContext,
        _notification: u32,
        _post: BOOL,
        _: *mut IHttpEventProvider,
        completion: *mut IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        COUNTERS.async_completions.fetch_add(1, Relaxed);
        // SAFETY: the server passes a live context and completion info.
        unsafe {
            let bytes =
                IHttpCompletionInfo::from_raw(completion).map_or(0, |c| c.GetCompletionBytes());
            if let Some(context) = IHttpContext::from_raw(context) {
                let body = format!("async: completed after {bytes} ms\n");
                respond(context, 200, b"OK\0", body.as_bytes());
            }
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

struct Factory;

impl IHttpModuleFactory_Impl for Factory {
    fn GetHttpModule(&self, module: *mut *mut CHttpModule, _: *mut IModuleAllocator) -> HRESULT {
        if module.is_null() {
            return E_INVALIDARG;
        }
        // SAFETY: checked non-null; `module` is the server's out pointer.
        unsafe { *module = CHttpModule::new_boxed(HelloModule) };
        S_OK
    }
}

/// Marks every request before the pipeline starts.
struct Global;

impl CGlobalModule_Impl for Global {
    fn OnGlobalPreBeginRequest(
        &self,
        provider: *mut IPreBeginRequestProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        COUNTERS.global.fetch_add(1, Relaxed);
        // SAFETY: the server passes a live provider whose context is the new request's.
        unsafe {
            let request = IPreBeginRequestProvider::from_raw(provider)
                .and_then(|p| IHttpContext::from_raw(p.GetHttpContext()))
                .and_then(|c| IHttpRequest::from_raw(c.GetRequest()));
            if let Some(request) = request {
                const VALUE: &CStr = c"pre-begin";
                let _ = request.SetHeader(
                    c"X-Hello-Global".as_ptr().cast(),
                    VALUE.as_ptr().cast(),
                    VALUE.count_bytes() as u16,
                    TRUE,
                );
            }
        }
        GL_NOTIFICATION_CONTINUE
    }
}

/// Registers the request module (its factory, its notifications, BEGIN_REQUEST at HIGH
/// priority) and the global module.
fn register(registration: runtime::Registration<'_>) -> Result<()> {
    let info = registration.info;
    // SAFETY: the registration info is live during RegisterModule.
    unsafe {
        MODULE_ID.store(info.GetId(), Relaxed);
        let request = RQ_BEGIN_REQUEST
            | RQ_AUTHENTICATE_REQUEST
            | RQ_EXECUTE_REQUEST_HANDLER
            | RQ_SEND_RESPONSE
            | RQ_END_REQUEST;
        let factory = IHttpModuleFactory::new_boxed(Factory);
        info.SetRequestNotifications(factory, request, RQ_EXECUTE_REQUEST_HANDLER)
            .ok()?;
        info.SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, PRIORITY_ALIAS_HIGH)
            .ok()?;
        let global = CGlobalModule::new_boxed(Global);
        info.SetGlobalNotifications(global, GL_PRE_BEGIN_REQUEST)
            .ok()
    }
}

httpserv::register_module!(register);
