//! Panics that must neither abort the worker process nor leak the response they interrupted:
//! a `Drop` that panics in each value IIS releases (the request module when IIS disposes of
//! it, a stored state at `CleanupStoredContext`, the global module and the factory at
//! `Terminate`), a panic whose payload panics again when dropped, and a panic after the module
//! wrote part of its response. Before the fix each `Drop` unwound out of an `extern` slot, which
//! aborts ("panic in a function that cannot unwind"): an abort ends this test binary, so every
//! test here fails by not finishing. Under Miri in CI, with the framework's other tests.

use httpserv::module::*;
use httpserv::testing::{Request, TestServer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Panics when dropped, after counting the drop.
struct Bomb(Arc<AtomicUsize>);

impl Drop for Bomb {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
        panic!("a Drop that panics");
    }
}

/// A request module holding a bomb, answering `/` at BEGIN_REQUEST.
struct Armed(#[allow(dead_code)] Bomb);

#[httpserv::module]
impl HttpModule for Armed {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        ctx.respond(200, "text/plain", "fine\n")
    }
}

#[test]
fn a_request_module_whose_drop_panics_is_disposed_and_the_server_keeps_serving() {
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let server = TestServer::new().load_with("armed", move |registration| {
        let counted = counted.clone();
        registration.request_module(move || Armed(Bomb(counted.clone())))
    });
    for round in 1..=2 {
        let response = server.request(Request::get("/"));
        assert_eq!((response.status, response.text()), (200, "fine\n".into()));
        assert_eq!(drops.load(Ordering::SeqCst), round);
    }
}

#[test]
fn a_stored_state_whose_drop_panics_is_cleaned_up_and_the_server_keeps_serving() {
    struct Stores(Arc<AtomicUsize>);
    #[httpserv::module]
    impl HttpModule for Stores {
        fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            let _ = ctx.set_state(Bomb(self.0.clone()));
            ctx.respond(200, "text/plain", "stored\n")
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let server = TestServer::new().load_with("stores", move |registration| {
        let counted = counted.clone();
        registration.request_module(move || Stores(counted.clone()))
    });
    for round in 1..=2 {
        assert_eq!(server.request(Request::get("/")).text(), "stored\n");
        assert_eq!(drops.load(Ordering::SeqCst), round);
    }
}

#[test]
fn a_global_module_and_a_factory_whose_drops_panic_are_terminated() {
    struct Global(#[allow(dead_code)] Bomb);
    #[httpserv::module]
    impl GlobalModule for Global {
        fn on_pre_begin_request(&self, _: &mut HttpContext<'_>) -> GlobalNotification {
            GlobalNotification::Continue
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let (global, factory) = (drops.clone(), drops.clone());
    let server = TestServer::new().load_with("global", move |registration| {
        registration.global_module(Global(Bomb(global)))?;
        // The factory's closure owns a bomb too: dropped with the factory at Terminate.
        let bomb = Bomb(factory);
        registration.request_module(move || {
            let _ = &bomb;
            Armed(Bomb(Arc::new(AtomicUsize::new(0))))
        })
    });
    assert_eq!(server.request(Request::get("/")).status, 200);
    drop(server);
    assert_eq!(drops.load(Ordering::SeqCst), 2);
}

#[test]
fn a_panic_whose_payload_panics_when_dropped_is_contained() {
    struct Throws(Arc<AtomicUsize>);
    #[httpserv::module]
    impl HttpModule for Throws {
        fn on_begin_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            std::panic::panic_any(Bomb(self.0.clone()))
        }
    }
    let drops = Arc::new(AtomicUsize::new(0));
    let counted = drops.clone();
    let server = TestServer::new().load_with("throws", move |registration| {
        let counted = counted.clone();
        registration.request_module(move || Throws(counted.clone()))
    });
    for round in 1..=2 {
        let response = server.request(Request::get("/"));
        assert_eq!(response.status, 500);
        assert_eq!(drops.load(Ordering::SeqCst), round);
    }
}

#[test]
fn a_panic_replaces_what_the_module_wrote_with_a_500() {
    struct Partial;
    #[httpserv::module]
    impl HttpModule for Partial {
        fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            let _ = ctx.set_status(200, "OK");
            let _ = ctx.set_response_header("X-Partial", "yes");
            let _ = ctx.set_response_header("Content-Type", "application/json");
            let _ = ctx.write(b"{\"half\": ");
            panic!("half way through the body");
        }
    }
    let server = TestServer::new().load_with("partial", |r| r.request_module(|| Partial));
    let response = server.request(Request::get("/"));
    assert_eq!(
        (response.status, response.reason.as_str()),
        (500, "Internal Server Error")
    );
    // Nothing the module wrote: IIS's detailed error page (a local client), with E_FAIL.
    assert_eq!(response.header("X-Partial"), None);
    assert_eq!(response.header("Content-Type"), Some("text/html"));
    let page = httpserv::testing::detailed_page(500, 0, "Internal Server Error", 0x8000_4005, None);
    assert_eq!(response.text(), page);
}

#[test]
fn a_panic_after_the_response_was_sent_cannot_take_it_back() {
    struct Late;
    #[httpserv::module]
    impl HttpModule for Late {
        fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
            ctx.respond(200, "text/plain", "sent\n")
        }
        fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            panic!("after the send");
        }
    }
    let server = TestServer::new().load_with("late", |r| r.request_module(|| Late));
    for _ in 0..2 {
        // The client already has the answer; the panic is reported, and the server serves on.
        let response = server.request(Request::get("/"));
        assert_eq!((response.status, response.text()), (200, "sent\n".into()));
        assert_eq!(
            response.quick_traces.len(),
            1,
            "{:?}",
            response.quick_traces
        );
    }
}
