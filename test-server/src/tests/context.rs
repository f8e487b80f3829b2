//! What hangs off the context as a module sees it: server variables and addresses, request
//! memory and stored contexts, the trace context, registration and the server object, what
//! is not modelled, and a context used after its request.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::ffi::c_void;
use core::sync::atomic::{AtomicUsize, Ordering};

use windows_sys::core::PCWSTR;
use windows_sys::Win32::Foundation::{ERROR_ALREADY_ASSIGNED, ERROR_INVALID_INDEX, FALSE, TRUE};
use windows_sys::Win32::Networking::WinSock::{AF_INET, AF_INET6, SOCKADDR_IN, SOCKADDR_IN6};
use windows_sys::Win32::System::Iis::{HTTP_TRACE_CONFIGURATION, HTTP_TRACE_EVENT};

use super::super::memory::wide_string;
use super::super::registration;
use super::{module, observe, ok, request_of, response_of, text, wide, Log};
use crate::runtime::{E_FAIL, E_INVALIDARG, E_NOTIMPL, HRESULT, S_OK};
use crate::*;
use crate::{Request, TestServer};
use httpserv_framework::ExtendedInterface;

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
    // SAFETY: what the server passes is live during the call.
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
    // SAFETY: what the server passes is live during the call.
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
    // SAFETY: what the server passes is live during the call.
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
    // SAFETY: what the server passes is live during the call.
    let (_, log) = observe(Request::get("/"), |context, log| unsafe {
        let null = core::ptr::null_mut::<c_void>();
        log.push(format!(
            "{}",
            context.GetUser().is_null() && context.GetUrlInfo().is_null()
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
        log.push(format!("{:?}", request.SetUrl(core::ptr::null(), 0, FALSE)));
        let response = response_of(context);
        log.push(format!("{}", response.GetRawHttpResponse().is_null()));
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
            e_notimpl,
            "true".into(),
            "0".into(),
            format!("{RQ_EXECUTE_REQUEST_HANDLER:#x}"),
        ]
    );
}

#[test]
fn registration_rules_and_the_server_object() {
    let log = Log::default();
    let seen = log.clone();
    // SAFETY: what the server passes is live during the call.
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
        // IHttpServer2 is the server itself; it gives the registration info's
        // IHttpModuleRegistrationInfo2, and nothing for another interface.
        let info2 = registration
            .server
            .extended::<IHttpModuleRegistrationInfo2>(registration.info);
        let unknown_interface = registration
            .server
            .extended::<IHttpContext>(registration.info);
        seen.push(format!(
            "{:?} {} {}",
            server.GetExtendedInterface(1, core::ptr::null_mut()),
            info2.is_some_and(|i| core::ptr::addr_eq(i, registration.info)),
            unknown_interface.is_none(),
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
            format!("{E_NOTIMPL:?} true true"),
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
    let kept = alloc::sync::Arc::new(core::sync::atomic::AtomicPtr::new(core::ptr::null_mut()));
    let keep = kept.clone();
    let server = module("keeper", RQ_BEGIN_REQUEST, 0, move |event| {
        keep.store(event.context.as_raw(), Ordering::SeqCst);
        RQ_NOTIFICATION_CONTINUE
    })
    .load(TestServer::new());
    server.request(Request::get("/"));
    // SAFETY: the server keeps a finished request's context until it is dropped.
    unsafe {
        let context = IHttpContext::from_raw(kept.load(Ordering::SeqCst)).unwrap();
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

#[test]
fn cloned_contexts_are_released_children_first_and_only_clones() {
    // SAFETY: what the server passes is live during the call; each clone is used only before
    // its release.
    let (_, log) = observe(Request::get("/clone"), |context, log| unsafe {
        let root = context.as_raw();
        log.push(format!("{:?}", IHttpContext::ReleaseClonedContext(root)));
        let mut outer = core::ptr::null_mut();
        ok(context.CloneContext(0, &mut outer));
        let mut inner = core::ptr::null_mut();
        ok((*outer).CloneContext(0, &mut inner));
        let url = (*inner).GetScriptName(core::ptr::null_mut());
        log.push(format!("{}", url.is_null()));
        log.push(format!("{:?}", IHttpContext::ReleaseClonedContext(outer)));
        ok(IHttpContext::ReleaseClonedContext(inner));
        ok(IHttpContext::ReleaseClonedContext(outer));
        // One left for the server to release with the request.
        let mut kept = core::ptr::null_mut();
        ok(context.CloneContext(0, &mut kept));
    });
    let invalid = format!(
        "{:?}",
        HRESULT::from_win32(windows_sys::Win32::Foundation::ERROR_INVALID_PARAMETER)
    );
    assert_eq!(log, [invalid.clone(), "false".into(), invalid]);
}
