//! IIS's ownership rules kept by the idiomatic methods, run in the test server (and under
//! Miri in CI, with the framework's other tests): a user given to `set_user` is moved in
//! and released once, by the server (when the request ends, or when another user replaces
//! it), never by the module; a cloned context comes back in a guard that releases it once,
//! children before their parent, and nothing of it is reachable afterwards. The misuses these
//! signatures refuse are compile-fail cases (`httpserv/tests/compile_fail/`).

use httpserv::module::*;
use httpserv::runtime::{u16cstr, U16CStr, E_NOTIMPL, HRESULT};
use httpserv::testing::{Request, TestServer};
use httpserv::windows_sys::core::{BOOL, PCSTR, PCWSTR};
use httpserv::windows_sys::Win32::Foundation::HANDLE;
use httpserv::{IAuthenticationProvider, IHttpUser, IHttpUser_Impl};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// A user named by a static string, counting its drops.
struct User {
    name: &'static U16CStr,
    drops: Arc<AtomicUsize>,
}

impl Drop for User {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::SeqCst);
    }
}

// SAFETY: every string is a static NUL-terminated one or null, the tokens are null, and
// `IsInRole` writes nothing.
unsafe impl IHttpUser_Impl for User {
    fn GetRemoteUserName(&self) -> PCWSTR {
        self.name.as_ptr()
    }
    fn GetUserName(&self) -> PCWSTR {
        self.name.as_ptr()
    }
    fn GetAuthenticationType(&self) -> PCWSTR {
        u16cstr!("Test").as_ptr()
    }
    fn GetPassword(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetImpersonationToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn GetPrimaryToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn SupportsIsInRole(&self) -> BOOL {
        0
    }
    unsafe fn IsInRole(&self, _: PCWSTR, _: *mut BOOL) -> HRESULT {
        E_NOTIMPL
    }
    unsafe fn GetUserVariable(&self, _: PCSTR) -> *mut core::ffi::c_void {
        core::ptr::null_mut()
    }
}

/// Authenticates every request as `users` (the last one wins), and answers with the name
/// the request's user has at the handler.
struct Authenticates {
    users: &'static [&'static U16CStr],
    drops: Arc<AtomicUsize>,
}

#[httpserv::module]
impl HttpModule for Authenticates {
    fn on_authenticate_request(
        &mut self,
        _: &mut HttpContext<'_>,
        provider: &mut IAuthenticationProvider,
    ) -> Notification {
        for name in self.users {
            provider.set_user(IHttpUser::new(User {
                name,
                drops: self.drops.clone(),
            }));
        }
        Notification::Continue
    }

    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let name = ctx
            .iis_mut()
            .user_mut()
            .and_then(|user| user.user_name())
            .map_or("nobody".to_string(), |name| name.to_string_lossy());
        ctx.respond(200, "text/plain", name)
    }
}

fn authenticating(users: &'static [&'static U16CStr]) -> (TestServer, Arc<AtomicUsize>) {
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let server = TestServer::new().load_with("authenticates", move |registration| {
        let drops = counted.clone();
        registration.request_module(move || Authenticates {
            users,
            drops: drops.clone(),
        })
    });
    (server, drops)
}

#[test]
fn a_user_set_is_the_servers_and_released_once_when_the_request_ends() {
    const ALICE: &[&U16CStr] = &[u16cstr!("alice")];
    let (server, drops) = authenticating(ALICE);
    for round in 1..=2 {
        let response = server.request(Request::get("/"));
        assert_eq!((response.status, response.text()), (200, "alice".into()));
        assert_eq!(
            drops.load(Ordering::SeqCst),
            round,
            "one release per request"
        );
    }
}

#[test]
fn a_user_replaced_is_released_by_the_server() {
    const ALICE_THEN_BOB: &[&U16CStr] = &[u16cstr!("alice"), u16cstr!("bob")];
    let (server, drops) = authenticating(ALICE_THEN_BOB);
    let response = server.request(Request::get("/"));
    assert_eq!(response.text(), "bob");
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

/// Clones the context (and the clone), reads the request through the clone, releases both
/// (the inner one by dropping its guard, the outer one explicitly, to see the result).
struct Clones;

#[httpserv::module]
impl HttpModule for Clones {
    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let answer = clone_twice(ctx.iis_mut());
        ctx.respond(200, "text/plain", answer)
    }
}

fn clone_twice(context: &mut httpserv::IHttpContext) -> String {
    let mut clone = match context.clone_context(0) {
        Ok(clone) => clone,
        Err(e) => return format!("clone failed: {e}"),
    };
    let method = clone
        .request()
        .and_then(|r| r.http_method())
        .map_or(String::new(), |m| m.to_string_lossy().into_owned());
    let inner = clone.clone_context(0).map(|inner| inner.release());
    // The parent stays reachable through the guard while the clone lives.
    let (parent, child) = clone.parts();
    let distinct = !core::ptr::eq(parent.as_raw(), child.as_raw());
    let released = clone.release();
    format!("{method} inner {inner:?} outer {released:?} distinct {distinct}")
}

#[test]
fn a_cloned_context_is_released_once_by_its_guard_children_first() {
    let server = TestServer::new().load_with("clones", |registration| {
        registration.request_module(|| Clones)
    });
    for _ in 0..2 {
        let response = server.request(Request::post("/").body("x"));
        assert_eq!(
            (response.status, response.text()),
            (
                200,
                "POST inner Ok(Ok(())) outer Ok(()) distinct true".into()
            )
        );
    }
}
