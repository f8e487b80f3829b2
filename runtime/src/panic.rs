//! No unwinding into C++, and no panic lost. Every generated thunk runs the Rust
//! implementation inside [`guard`]: with the `std` feature a panic is caught, reported where
//! an IIS operator looks ([`report_panic`]: the debugger output on Windows, which DebugView
//! and WinDbg show; IIS's worker process has no stderr), and the method returns its failure
//! value (the generator's policy table says which, per return type). A request notification
//! also answers 500 and writes the panic to the request's trace ([`fail_request`]), which
//! Failed Request Tracing shows. Without `std`, Rust aborts when a panic reaches the `extern`
//! boundary.

/// What is known of a caught panic.
#[derive(Clone, Copy, Debug)]
pub struct PanicReport<'a> {
    /// `panicked at src/lib.rs:10:5: the message`, or the bare message when the location is
    /// unknown.
    pub message: &'a str,
}

#[cfg(feature = "std")]
mod hook {
    use std::cell::RefCell;
    use std::string::{String, ToString};

    std::thread_local! {
        /// The location and message of the last panic on this thread, kept by the hook for
        /// the guard that catches it.
        static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Installs, once per module, a panic hook that keeps each panic's location and message
    /// for [`super::guard`], then runs the hook that was there before.
    pub fn install() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(std::boxed::Box::new(move |info| {
                let message = match info.location() {
                    Some(at) => std::format!("panicked at {at}: {}", payload_text(info.payload())),
                    None => payload_text(info.payload()),
                };
                LAST_PANIC.with(|last| *last.borrow_mut() = Some(message));
                previous(info);
            }));
        });
    }

    /// The message the hook kept, else the payload's text.
    pub fn take_message(payload: &(dyn std::any::Any + Send)) -> String {
        LAST_PANIC
            .with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| payload_text(payload))
    }

    fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
        if let Some(text) = payload.downcast_ref::<&str>() {
            text.to_string()
        } else if let Some(text) = payload.downcast_ref::<String>() {
            text.clone()
        } else {
            "a panic with a non-text payload".to_string()
        }
    }
}

/// Runs a Rust implementation of a virtual function. With the `std` feature a panic is
/// caught, reported ([`report_panic`]) and `on_panic` supplies the method's failure value;
/// without it, Rust aborts the process when a panic reaches the `extern` boundary. Either way
/// no unwinding enters C++.
///
/// The panic's payload is dropped inside a guard of its own: a payload whose `Drop` panics
/// again (a panic while handling a panic) is contained as well, and reported.
#[inline(always)]
pub fn guard<R>(body: impl FnOnce() -> R, on_panic: impl FnOnce(&PanicReport<'_>) -> R) -> R {
    #[cfg(feature = "std")]
    {
        hook::install();
        match std::panic::catch_unwind(::core::panic::AssertUnwindSafe(body)) {
            Ok(value) => value,
            Err(payload) => {
                let message = hook::take_message(&*payload);
                report_panic(&message);
                let value = on_panic(&PanicReport { message: &message });
                drop_payload(payload);
                value
            }
        }
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = on_panic;
        body()
    }
}

/// How many payloads in a row [`drop_payload`] drops, each the panic of the one before's
/// `Drop`, before it forgets the next (leaks it) rather than run that `Drop`.
#[cfg(feature = "std")]
const PAYLOAD_DROPS: usize = 8;

/// Drops a caught panic's payload, catching a panic of its `Drop` (whose own payload is
/// dropped the same way, up to [`PAYLOAD_DROPS`] deep, then forgotten): no panic leaves this.
#[cfg(feature = "std")]
fn drop_payload(payload: std::boxed::Box<dyn core::any::Any + Send>) {
    let mut payload = payload;
    for _ in 0..PAYLOAD_DROPS {
        match std::panic::catch_unwind(::core::panic::AssertUnwindSafe(move || drop(payload))) {
            Ok(()) => return,
            Err(again) => {
                let message = hook::take_message(&*again);
                report_panic(&std::format!("dropping a panic's payload: {message}"));
                payload = again;
            }
        }
    }
    core::mem::forget(payload);
}

/// Writes a caught panic where an operator of the IIS worker process can see it: the
/// debugger output (`OutputDebugStringA`) on Windows, stderr elsewhere (tests). Never panics
/// (a failed write is dropped).
pub fn report_panic(message: &str) {
    report_debug(message);
}

/// Writes `message` (as `httpserv: message`) to the debugger output on Windows, stderr
/// elsewhere (tests): where a worker process's diagnostics go when nothing else takes them.
/// Never panics (a failed write is dropped).
pub fn report_debug(message: &str) {
    #[cfg(all(feature = "std", windows))]
    {
        let line = std::format!("httpserv: {message}\n\0");
        // SAFETY: `line` is NUL-terminated and lives across the call.
        unsafe {
            windows_sys::Win32::System::Diagnostics::Debug::OutputDebugStringA(line.as_ptr())
        };
    }
    // `eprintln!` (which a test harness captures) panics when stderr fails: caught here.
    #[cfg(all(feature = "std", not(windows)))]
    let _ = std::panic::catch_unwind(|| std::eprintln!("httpserv: {message}"));
    #[cfg(not(feature = "std"))]
    let _ = message;
}

/// The failure value of a method with no safe one: ends the process (after the panic was
/// reported).
#[inline(always)]
pub fn abort<R>(_: &PanicReport<'_>) -> R {
    #[cfg(feature = "std")]
    {
        std::process::abort()
    }
    #[cfg(not(feature = "std"))]
    {
        panic!("no failure value")
    }
}

/// What a request notification does when its Rust implementation panicked, before it
/// returns `RQ_NOTIFICATION_FINISH_REQUEST`: given IIS's `IHttpContext` of the notification
/// (never null) and the panic. This crate knows no IIS types, so the crate that does
/// (`httpserv`, whose `register_module!` installs it before the module registers) supplies it
/// through [`set_request_failure`]: it answers 500 and writes the panic to the request's trace.
pub type RequestFailure = unsafe fn(context: *mut core::ffi::c_void, report: &PanicReport<'_>);

/// The installed [`RequestFailure`], as a pointer (null: none installed). Module DLLs each
/// have their own copy of this crate, so each module installs its own.
static REQUEST_FAILURE: core::sync::atomic::AtomicPtr<()> =
    core::sync::atomic::AtomicPtr::new(core::ptr::null_mut());

/// Installs what [`fail_request`] does for a panicking request notification; the last
/// installed wins (every installer of a process installs the same function).
pub fn set_request_failure(failure: RequestFailure) {
    REQUEST_FAILURE.store(failure as *mut (), core::sync::atomic::Ordering::Release);
}

/// The failure path of a request notification whose Rust implementation panicked: runs the
/// installed [`RequestFailure`] on IIS's context (the panic was already reported by
/// [`guard`]). With none installed (a module that wrote its own `RegisterModule`), the
/// notification still finishes the request, with whatever status it had.
///
/// # Safety
/// `context` must be null or the live `IHttpContext` IIS passed to the notification.
pub unsafe fn fail_request(context: *mut core::ffi::c_void, report: &PanicReport<'_>) {
    let failure = REQUEST_FAILURE.load(core::sync::atomic::Ordering::Acquire);
    if context.is_null() || failure.is_null() {
        return;
    }
    // SAFETY: the only non-null value ever stored is a `RequestFailure` turned into a
    // pointer by `set_request_failure`; function and data pointers have one size here.
    let failure = unsafe { core::mem::transmute::<*mut (), RequestFailure>(failure) };
    // SAFETY: the caller passes IIS's live context of the notification, as `failure` needs.
    unsafe { failure(context, report) }
}
