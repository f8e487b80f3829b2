//! The server's objects as a module sees them: headers, status and body, server variables,
//! the entity body, request memory and stored contexts, the trace, registration, and what is
//! not modelled. Each test runs a module that calls the objects in RQ_EXECUTE_REQUEST_HANDLER
//! and logs what it got.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

use windows_sys::core::{PCSTR, PCWSTR};
use windows_sys::Win32::Foundation::{ERROR_ALREADY_ASSIGNED, ERROR_INVALID_INDEX, FALSE, TRUE};
use windows_sys::Win32::Networking::HttpServer::{
    HttpDataChunkFromFileHandle, HttpDataChunkFromMemory, HttpHeaderAccept, HttpHeaderServer,
    HttpHeaderUserAgent, HTTP_DATA_CHUNK,
};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6, SOCKADDR_IN, SOCKADDR_IN6};
use windows_sys::Win32::System::Iis::{HTTP_TRACE_CONFIGURATION, HTTP_TRACE_EVENT};

use super::super::memory::wide_string;
use super::super::registration;
use super::{module, ok, wide, Log};
use crate::runtime::{E_FAIL, E_HANDLE_EOF, E_INVALIDARG, E_NOTIMPL, HRESULT, S_OK};
use crate::testing::{Request, Response, TestServer};
use crate::*;

/// Runs `request` through a module that calls `observe` in RQ_EXECUTE_REQUEST_HANDLER;
/// returns the response and what `observe` logged.
fn observe(
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
unsafe fn text(value: PCSTR, len: usize) -> String {
    if value.is_null() {
        return String::from("(null)");
    }
    // SAFETY: the caller's contract.
    String::from_utf8_lossy(unsafe { core::slice::from_raw_parts(value, len) }).into_owned()
}

/// # Safety
/// `context` must be live.
unsafe fn request_of(context: &IHttpContext) -> &IHttpRequest {
    unsafe { IHttpRequest::from_raw(context.GetRequest()) }.unwrap()
}

/// # Safety
/// `context` must be live.
unsafe fn response_of(context: &IHttpContext) -> &IHttpResponse {
    unsafe { IHttpResponse::from_raw(context.GetResponse()) }.unwrap()
}

#[test]
fn request_headers_by_name_and_id() {
    let request = Request::get("/")
        .header("X-One", "1")
        .header("Accept", "text/html")
        .header("accept", "*/*")
        .header("User-Agent", "tests");
    let (_, log) = observe(request, |context, log| unsafe {
        let request = request_of(context);
        let mut len = 0u16;
        let get = |name: &core::ffi::CStr, len: &mut u16| {
            let value = request.GetHeader(name.as_ptr().cast(), len);
            text(value, usize::from(*len))
        };
        log.push(get(c"x-one", &mut len));
        let accept = request.GetHeader_HTTP_HEADER_ID(HttpHeaderAccept, &mut len);
        log.push(text(accept, len.into()));
        log.push(get(c"host", &mut len));
        let one = request.GetHeader(c"X-One".as_ptr().cast(), &mut len);
        let set = |value: &core::ffi::CStr, replace| {
            request.SetHeader(
                c"X-ONE".as_ptr().cast(),
                value.as_ptr().cast(),
                value.count_bytes() as u16,
                replace,
            )
        };
        log.push(format!(
            "{:?} {}",
            set(c"2", FALSE),
            get(c"X-One", &mut len)
        ));
        log.push(format!("{:?} {}", set(c"3", TRUE), get(c"X-One", &mut len)));
        // An old value stays readable until the request ends.
        log.push(text(one, 1));
        log.push(format!(
            "{:?} {}",
            request.DeleteHeader(c"x-one".as_ptr().cast()),
            get(c"X-One", &mut len)
        ));
        log.push(format!(
            "{:?} {}",
            request.DeleteHeader_HTTP_HEADER_ID(HttpHeaderUserAgent),
            get(c"User-Agent", &mut len)
        ));
        log.push(format!(
            "{:?}",
            request.SetHeader_HTTP_HEADER_ID(99, c"x".as_ptr().cast(), 1, TRUE)
        ));
        log.push(format!(
            "{:?}",
            request.SetHeader(c"X".as_ptr().cast(), core::ptr::null(), 0, TRUE)
        ));
    });
    let expected = [
        "1".into(),
        "text/html, */*".into(),
        "localhost".into(),
        format!("{S_OK:?} 1, 2"),
        format!("{S_OK:?} 3"),
        "1".into(),
        format!("{S_OK:?} (null)"),
        format!("{S_OK:?} (null)"),
        format!("{E_INVALIDARG:?}"),
        format!("{E_INVALIDARG:?}"),
    ];
    assert_eq!(log, expected);
}

#[test]
fn response_headers_status_and_body() {
    let (response, log) = observe(Request::get("/"), |context, log| unsafe {
        let response = response_of(context);
        let set = |name: &core::ffi::CStr, value: &core::ffi::CStr, replace| {
            response.SetHeader(
                name.as_ptr().cast(),
                value.as_ptr().cast(),
                value.count_bytes() as u16,
                replace,
            )
        };
        ok(set(c"x-custom", c"a", TRUE));
        ok(set(c"Server", c"one", TRUE));
        ok(response.SetHeader_HTTP_HEADER_ID(HttpHeaderServer, c"two".as_ptr().cast(), 3, FALSE));
        ok(set(c"X-Gone", c"soon", TRUE));
        ok(response.DeleteHeader(c"x-gone".as_ptr().cast()));
        let mut len = 0u16;
        let server = response.GetHeader_HTTP_HEADER_ID(HttpHeaderServer, &mut len);
        log.push(text(server, len.into()));
        log.push(format!(
            "{:?}",
            response.SetStatus(
                42,
                c"No".as_ptr().cast(),
                0,
                S_OK,
                core::ptr::null_mut(),
                FALSE
            )
        ));
        ok(response.SetStatus(
            418,
            c"I'm a teapot".as_ptr().cast(),
            7,
            E_FAIL,
            core::ptr::null_mut(),
            FALSE,
        ));
        let (mut code, mut sub, mut reason, mut reason_len, mut hr) =
            (0u16, 0u16, core::ptr::null(), 0u16, S_OK);
        let null = core::ptr::null_mut();
        response.GetStatus(
            &mut code,
            &mut sub,
            &mut reason,
            &mut reason_len,
            &mut hr,
            null,
            null.cast(),
            null.cast(),
            null.cast(),
        );
        log.push(format!(
            "{code} {sub} {} {hr:?}",
            text(reason, reason_len.into())
        ));

        let chunk = |bytes: &'static [u8]| {
            let mut chunk = HTTP_DATA_CHUNK {
                DataChunkType: HttpDataChunkFromMemory,
                ..Default::default()
            };
            chunk.Anonymous.FromMemory.pBuffer = bytes.as_ptr() as *mut c_void;
            chunk.Anonymous.FromMemory.BufferLength = bytes.len() as u32;
            chunk
        };
        let mut chunks = [chunk(b"b"), chunk(b"c")];
        let (mut sent, mut expected) = (0u32, TRUE);
        let hr = response.WriteEntityChunks(
            chunks.as_mut_ptr(),
            2,
            FALSE,
            FALSE,
            &mut sent,
            &mut expected,
        );
        log.push(format!("{hr:?} {sent} {expected}"));
        ok(response.WriteEntityChunkByReference(&mut chunk(b"a"), 0));
        ok(response.WriteEntityChunkByReference(&mut chunk(b"d"), -1));
        let mut file = HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromFileHandle,
            ..Default::default()
        };
        log.push(format!(
            "{:?}",
            response.WriteEntityChunks(&mut file, 1, FALSE, FALSE, &mut sent, null.cast())
        ));
    });
    assert_eq!(
        log,
        [
            "one, two".into(),
            format!("{E_INVALIDARG:?}"),
            format!("418 7 I'm a teapot {E_FAIL:?}"),
            format!("{S_OK:?} 2 0"),
            format!("{E_NOTIMPL:?}"),
        ]
    );
    assert_eq!(
        (response.status, response.reason.as_str()),
        (418, "I'm a teapot")
    );
    assert_eq!(response.text(), "abcd");
    // Known headers by HTTP_HEADER_ID (Content-Length 11, Server 26), then the others.
    let names: Vec<&str> = response.headers.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["Content-Length", "Server", "x-custom"]);
    assert_eq!(response.header("content-length"), Some("4"));
}

#[test]
fn redirect_clear_and_clear_headers() {
    let (redirected, _) = observe(Request::get("/"), |context, _| unsafe {
        let response = response_of(context);
        ok(response.SetHeader(c"X-Kept".as_ptr().cast(), c"1".as_ptr().cast(), 1, TRUE));
        let mut chunk = HTTP_DATA_CHUNK {
            DataChunkType: HttpDataChunkFromMemory,
            ..Default::default()
        };
        chunk.Anonymous.FromMemory.pBuffer = b"dropped".as_ptr() as *mut c_void;
        chunk.Anonymous.FromMemory.BufferLength = 7;
        ok(response.WriteEntityChunkByReference(&mut chunk, -1));
        ok(response.Redirect(c"/elsewhere".as_ptr().cast(), TRUE, FALSE));
    });
    assert_eq!(
        (redirected.status, redirected.reason.as_str()),
        (302, "Redirect")
    );
    assert_eq!(redirected.header("Location"), Some("/elsewhere"));
    assert_eq!(redirected.header("X-Kept"), Some("1"));
    assert!(redirected.body.is_empty());

    let (cleared, _) = observe(Request::get("/"), |context, _| unsafe {
        let response = response_of(context);
        ok(response.SetStatus(
            200,
            c"OK".as_ptr().cast(),
            0,
            S_OK,
            core::ptr::null_mut(),
            FALSE,
        ));
        ok(response.SetHeader(c"X-Gone".as_ptr().cast(), c"1".as_ptr().cast(), 1, TRUE));
        response.ClearHeaders();
    });
    assert_eq!(cleared.headers, [("Content-Length".into(), "0".into())]);
}

#[test]
fn server_variables_computed_set_and_unknown() {
    let request = Request::post("/path/x?y=1&z")
        .header("Content-Type", "text/plain")
        .header("X-Dashed-Name", "d")
        .header("Host", "example.com:8080")
        .body("12345")
        .remote("10.1.2.3:4567".parse().unwrap())
        .local("[::1]:8080".parse().unwrap());
    let names = [
        "REQUEST_METHOD",
        "URL",
        "PATH_INFO",
        "SCRIPT_NAME",
        "QUERY_STRING",
        "UNENCODED_URL",
        "CACHE_URL",
        "SERVER_PROTOCOL",
        "REMOTE_ADDR",
        "REMOTE_HOST",
        "REMOTE_PORT",
        "LOCAL_ADDR",
        "SERVER_PORT",
        "SERVER_NAME",
        "CONTENT_LENGTH",
        "CONTENT_TYPE",
        "HTTPS",
        "INSTANCE_ID",
        "APP_POOL_ID",
        "SERVER_SOFTWARE",
        "HTTP_X_DASHED_NAME",
        "HTTP_HOST",
    ];
    let (_, log) = observe(request, move |context, log| unsafe {
        let narrow = |name: &str| {
            let name: Vec<u8> = name.bytes().chain([0]).collect();
            let (mut value, mut len) = (core::ptr::null(), 0u32);
            let hr = context.GetServerVariable_PCSTR_ptr(name.as_ptr(), &mut value, &mut len);
            (hr, text(value, len as usize))
        };
        let wide_value = |name: &str| {
            let name: Vec<u8> = name.bytes().chain([0]).collect();
            let (mut value, mut len): (PCWSTR, u32) = (core::ptr::null(), 0);
            let hr = context.GetServerVariable(name.as_ptr(), &mut value, &mut len);
            (hr, wide_string(value), len)
        };
        for name in names {
            log.push(format!("{name}={}", narrow(name).1));
        }
        log.push(format!("{:?}", wide_value("URL")));
        let url = wide("über");
        ok(context.SetServerVariable(c"URL".as_ptr().cast(), url.as_ptr()));
        log.push(format!("{:?} {:?}", narrow("URL"), wide_value("URL")));
        log.push(format!("{:?}", narrow("NOPE")));
        log.push(format!(
            "{:?}",
            context.GetServerVariable_PCSTR_ptr(
                c"URL".as_ptr().cast(),
                core::ptr::null_mut(),
                core::ptr::null_mut()
            )
        ));

        let request = request_of(context);
        let remote = &*request.GetRemoteAddress().cast::<SOCKADDR_IN>();
        log.push(format!(
            "{} {} {:?}",
            remote.sin_family == AF_INET,
            u16::from_be(remote.sin_port),
            remote.sin_addr.S_un.S_addr.to_ne_bytes()
        ));
        let local = &*request.GetLocalAddress().cast::<SOCKADDR_IN6>();
        log.push(format!(
            "{} {} {}",
            local.sin6_family == AF_INET6,
            u16::from_be(local.sin6_port),
            local.sin6_addr.u.Byte[15]
        ));
        let (mut major, mut minor) = (0, 0);
        request.GetHttpVersion(&mut major, &mut minor);
        log.push(format!(
            "{} {major}.{minor}",
            text(request.GetHttpMethod(), 4)
        ));
    });
    let computed = [
        "REQUEST_METHOD=POST",
        "URL=/path/x",
        "PATH_INFO=/path/x",
        "SCRIPT_NAME=/path/x",
        "QUERY_STRING=y=1&z",
        "UNENCODED_URL=/path/x?y=1&z",
        "CACHE_URL=/path/x?y=1&z",
        "SERVER_PROTOCOL=HTTP/1.1",
        "REMOTE_ADDR=10.1.2.3",
        "REMOTE_HOST=10.1.2.3",
        "REMOTE_PORT=4567",
        "LOCAL_ADDR=::1",
        "SERVER_PORT=8080",
        "SERVER_NAME=example.com",
        "CONTENT_LENGTH=5",
        "CONTENT_TYPE=text/plain",
        "HTTPS=off",
        "INSTANCE_ID=1",
        "APP_POOL_ID=httpserv-rs",
        "SERVER_SOFTWARE=httpserv-testing",
        "HTTP_X_DASHED_NAME=d",
        "HTTP_HOST=example.com:8080",
    ];
    assert_eq!(log[..computed.len()], computed);
    let not_found = HRESULT::from_win32(ERROR_INVALID_INDEX);
    assert_eq!(
        log[computed.len()..],
        [
            format!("{:?}", (S_OK, "/path/x", 7)),
            format!("{:?} {:?}", (S_OK, "über"), (S_OK, "über", 4)),
            format!("{:?}", (not_found, "(null)")),
            format!("{E_INVALIDARG:?}"),
            "true 4567 [10, 1, 2, 3]".into(),
            "true 8080 1".into(),
            "POST 1.1".into(),
        ]
    );
}

#[test]
fn read_entity_body_in_pieces_then_end_of_file() {
    let body: Vec<u8> = (0..=255u8).chain(0..44).collect();
    let (_, log) = observe(
        Request::post("/").body(body.clone()),
        |context, log| unsafe {
            let request = request_of(context);
            let mut buffer = [0u8; 128];
            let mut all = Vec::new();
            loop {
                let (mut received, mut pending) = (0u32, TRUE);
                let hr = request.ReadEntityBody(
                    buffer.as_mut_ptr().cast(),
                    128,
                    FALSE,
                    &mut received,
                    &mut pending,
                );
                all.extend_from_slice(&buffer[..received as usize]);
                log.push(format!(
                    "{hr:?} {received} {pending} {}",
                    request.GetRemainingEntityBytes()
                ));
                if hr.is_err() {
                    break;
                }
            }
            log.push(format!("{:?}", all.len()));
            log.push(format!(
                "{}",
                all.iter().map(|&b| u32::from(b)).sum::<u32>()
            ));
        },
    );
    let sum: u32 = body.iter().map(|&b| u32::from(b)).sum();
    assert_eq!(
        log,
        [
            format!("{S_OK:?} 128 0 172"),
            format!("{S_OK:?} 128 0 44"),
            format!("{S_OK:?} 44 0 0"),
            format!("{E_HANDLE_EOF:?} 0 0 0"),
            "300".into(),
            sum.to_string(),
        ]
    );
}

static CLEANED: AtomicUsize = AtomicUsize::new(0);
static DROPPED: AtomicUsize = AtomicUsize::new(0);

struct Stored(u64);

impl Drop for Stored {
    fn drop(&mut self) {
        DROPPED.fetch_add(1, Ordering::SeqCst);
    }
}

impl IHttpStoredContext_Impl for Stored {
    fn CleanupStoredContext(&self) {
        CLEANED.fetch_add(1, Ordering::SeqCst);
    }
}

#[test]
fn request_memory_and_stored_contexts() {
    let (_, log) = observe(Request::get("/"), |context, log| unsafe {
        for size in [1u32, 3, 40] {
            let memory = context.AllocateRequestMemory(size).cast::<u8>();
            memory.write_bytes(0xab, size as usize);
            log.push(format!(
                "{} {}",
                memory as usize % 16,
                *memory.add(size as usize - 1)
            ));
        }
        let container =
            IHttpModuleContextContainer::from_raw(context.GetModuleContextContainer()).unwrap();
        let id = registration::module_id(0);
        let memory =
            context.AllocateRequestMemory(core::mem::size_of::<runtime::Object<Stored>>() as u32);
        let stored = IHttpStoredContext::new_in_place(memory, Stored(7));
        log.push(format!("{:?}", container.SetModuleContext(stored, id)));
        log.push(format!("{:?}", container.SetModuleContext(stored, id)));
        log.push(format!(
            "{:?}",
            container.SetModuleContext(stored, core::ptr::null_mut())
        ));
        let back = IHttpStoredContext::from_raw(container.GetModuleContext(id)).unwrap();
        log.push(format!("{:?}", back.downcast::<Stored>().map(|s| s.0)));
        log.push(format!(
            "{}",
            container
                .GetModuleContext(registration::module_id(1))
                .is_null()
        ));
    });
    assert_eq!(
        log,
        [
            "0 171".into(),
            "0 171".into(),
            "0 171".into(),
            format!("{S_OK:?}"),
            format!("{:?}", HRESULT::from_win32(ERROR_ALREADY_ASSIGNED)),
            format!("{E_INVALIDARG:?}"),
            "Some(7)".into(),
            "true".into(),
        ]
    );
    // The end of the request cleaned the stored context up (and, in place, dropped it).
    assert_eq!(
        (
            CLEANED.load(Ordering::SeqCst),
            DROPPED.load(Ordering::SeqCst)
        ),
        (1, 1)
    );
}

#[test]
fn the_trace_context_records_quick_traces_and_events() {
    let server = module("tracer", RQ_BEGIN_REQUEST, 0, |event| unsafe {
        let trace = IHttpTraceContext::from_raw(event.context.GetTraceContext()).unwrap();
        ok(trace.QuickTrace(wide("one").as_ptr(), core::ptr::null(), S_OK, 4));
        ok(trace.QuickTrace(wide("two").as_ptr(), wide("more").as_ptr(), E_FAIL, 2));
        let name = wide("MyEvent");
        let mut trace_event = HTTP_TRACE_EVENT {
            pszEventName: name.as_ptr(),
            dwVerbosity: 5,
            ..Default::default()
        };
        ok(trace.RaiseTraceEvent(&mut trace_event));
        let mut configuration = HTTP_TRACE_CONFIGURATION {
            fProviderEnabled: TRUE,
            ..Default::default()
        };
        let hr = trace.GetTraceConfiguration(&mut configuration);
        let activity = *trace.GetTraceActivityId();
        // Reported as the response status, to check from outside.
        let status = if hr == S_OK && configuration.fProviderEnabled == FALSE {
            200 + activity.data1 as u16
        } else {
            500
        };
        let response = IHttpResponse::from_raw(event.context.GetResponse()).unwrap();
        ok(response.SetStatus(
            status,
            c"Traced".as_ptr().cast(),
            0,
            S_OK,
            core::ptr::null_mut(),
            FALSE,
        ));
        RQ_NOTIFICATION_CONTINUE
    })
    .load(TestServer::new());
    let first = server.request(Request::get("/"));
    let second = server.request(Request::get("/"));
    let lines: Vec<String> = first.quick_traces.iter().map(|t| t.to_string()).collect();
    assert_eq!(
        lines,
        ["one hr=0x0 level=4", "two more hr=0x80004005 level=2"]
    );
    assert!(first
        .trace
        .contains(&"trace-event event MyEvent level 5".into()));
    // A distinct activity id per request.
    assert_eq!((first.status, second.status), (201, 202));
}

#[test]
fn what_is_not_modelled_says_so() {
    let (_, log) = observe(Request::get("/"), |context, log| unsafe {
        let null = core::ptr::null_mut::<c_void>();
        log.push(format!(
            "{}",
            context.GetSite().is_null()
                && context.GetUser().is_null()
                && context.GetUrlInfo().is_null()
        ));
        log.push(format!(
            "{:?}",
            context.MapPath(core::ptr::null(), null.cast(), null.cast())
        ));
        log.push(format!(
            "{:?}",
            context.ExecuteRequest(FALSE, null.cast(), 0, null.cast(), null.cast())
        ));
        log.push(format!(
            "{:?}",
            context.GetExtendedInterface(0, null.cast())
        ));
        let request = request_of(context);
        log.push(format!("{}", request.GetRawHttpRequest().is_null()));
        log.push(format!("{:?}", request.SetUrl(core::ptr::null(), 0, FALSE)));
        let response = response_of(context);
        log.push(format!("{}", response.GetRawHttpResponse().is_null()));
        log.push(format!(
            "{:?}",
            response.Flush(FALSE, FALSE, null.cast(), null.cast())
        ));
        log.push(format!("{}", context.GetResponseHeadersSent()));
        let mut notification = 0;
        ok(context.GetCurrentExecutionStats(
            &mut notification,
            null.cast(),
            null.cast(),
            null.cast(),
            null.cast(),
            null.cast(),
        ));
        log.push(format!("{notification:#x}"));
    });
    let e_notimpl = format!("{E_NOTIMPL:?}");
    assert_eq!(
        log,
        [
            "true".into(),
            e_notimpl.clone(),
            e_notimpl.clone(),
            e_notimpl.clone(),
            "true".into(),
            e_notimpl.clone(),
            "true".into(),
            e_notimpl,
            "0".into(),
            format!("{RQ_EXECUTE_REQUEST_HANDLER:#x}"),
        ]
    );
}

#[test]
fn registration_rules_and_the_server_object() {
    let log = Log::default();
    let seen = log.clone();
    let server = TestServer::new().load_with("rules", move |registration| unsafe {
        let info = registration.info;
        seen.push(wide_string(info.GetName()));
        seen.push(info.GetId() == registration::module_id(0));
        let factory = IHttpModuleFactory::new_boxed(super::Factory {
            name: "rules",
            behaviour: alloc::sync::Arc::new(super::continues),
            lifetimes: Default::default(),
            fail: false,
        });
        seen.push(format!("{:?}", info.SetRequestNotifications(factory, 0, 0)));
        seen.push(format!(
            "{:?}",
            info.SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0)
        ));
        seen.push(format!(
            "{:?}",
            info.SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0)
        ));
        let nonsense = wide("SOON");
        seen.push(format!(
            "{:?}",
            info.SetPriorityForRequestNotification(RQ_BEGIN_REQUEST, nonsense.as_ptr())
        ));
        seen.push(format!(
            "{:?}",
            info.SetPriorityForRequestNotification(0, PRIORITY_ALIAS_HIGH)
        ));
        let server = registration.server;
        seen.push(format!(
            "{} {}",
            server.IsCommandLineLaunch(),
            wide_string(server.GetAppPoolName())
        ));
        seen.push(format!(
            "{:?}",
            server.GetExtendedInterface(0, core::ptr::null_mut())
        ));
        let mut unknown = FALSE;
        seen.push(format!(
            "{} {unknown}",
            server.SatisfiesPrecondition(core::ptr::null(), &mut unknown)
        ));
        server.ReportUnhealthy(wide("tired").as_ptr(), E_FAIL);
        Ok(())
    });
    assert_eq!(
        log.take(),
        [
            "rules".into(),
            "true".into(),
            format!("{E_INVALIDARG:?}"),
            format!("{S_OK:?}"),
            format!("{:?}", HRESULT::from_win32(ERROR_ALREADY_ASSIGNED)),
            format!("{E_INVALIDARG:?}"),
            format!("{E_INVALIDARG:?}"),
            "1 httpserv-rs".into(),
            format!("{E_NOTIMPL:?}"),
            "1 1".into(),
        ]
    );
    assert_eq!(
        server.messages(),
        ["a module reported the process unhealthy: tired"]
    );
    assert_eq!(
        server.request(Request::get("/")).trace[0],
        "notify BEGIN_REQUEST rules"
    );
}

#[test]
fn a_context_used_after_its_request_finds_nothing() {
    let kept = alloc::sync::Arc::new(AtomicUsize::new(0));
    let keep = kept.clone();
    let server = module("keeper", RQ_BEGIN_REQUEST, 0, move |event| {
        keep.store(event.context.as_raw() as usize, Ordering::SeqCst);
        RQ_NOTIFICATION_CONTINUE
    })
    .load(TestServer::new());
    server.request(Request::get("/"));
    // SAFETY: the server keeps a finished request's context until it is dropped.
    unsafe {
        let context =
            IHttpContext::from_raw(kept.load(Ordering::SeqCst) as *mut IHttpContext).unwrap();
        assert!(context.GetResponse().is_null() && context.GetRequest().is_null());
        let (mut value, mut len) = (core::ptr::null(), 0);
        assert!(context
            .GetServerVariable_PCSTR_ptr(c"URL".as_ptr().cast(), &mut value, &mut len)
            .is_err());
        assert!(context.AllocateRequestMemory(8).is_null());
        // A late completion is ignored.
        context.IndicateCompletion(RQ_NOTIFICATION_CONTINUE);
    }
    assert_eq!(server.request(Request::get("/")).number, 2);
}
