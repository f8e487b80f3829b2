//! `RegisterModule`, the one function IIS calls by name in a module DLL: [`register_module!`](crate::register_module!)
//! writes the export with the exact `PFN_REGISTERMODULE` type, and [`register`] runs the
//! module's registration code inside the panic guard (a panic there returns `E_FAIL`
//! instead of taking down the worker process). Registering also installs what a panicking
//! request notification does ([`fail_request`]): the runtime's guard knows no IIS types.

use crate::runtime::{guard, PanicReport, Result, E_FAIL, E_POINTER, HRESULT, S_OK};
use crate::{IHttpContext, IHttpModuleRegistrationInfo, IHttpResponse, IHttpServer};

/// What IIS hands a module when it loads it.
#[derive(Clone, Copy)]
pub struct Registration<'a> {
    /// The server version (`dwServerVersion`).
    pub server_version: u32,
    /// Where the module registers its factory and global module; valid during the call.
    pub info: &'a IHttpModuleRegistrationInfo,
    /// The server. It lives as long as the module is loaded, but is borrowed here for the
    /// registration only: a module that keeps it (as the framework does) keeps a pointer
    /// (`as_raw`) and answers for its use.
    pub server: &'a IHttpServer,
}

/// Runs `register` inside the panic guard and turns its result into an `HRESULT`: the body
/// of the `RegisterModule` export that [`register_module!`](crate::register_module!) writes.
///
/// # Safety
/// `info` must be null or live for the call, and `server` null or live while the module is
/// loaded — as IIS passes them.
pub unsafe fn register(
    server_version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    server: *mut IHttpServer,
    register: impl FnOnce(Registration<'_>) -> Result<()>,
) -> HRESULT {
    // SAFETY: the caller passes IIS's pointers, live as documented above.
    let (info, server) = unsafe { (info.as_ref(), server.as_ref()) };
    let (Some(info), Some(server)) = (info, server) else {
        return E_POINTER;
    };
    install_request_failure();
    guard(
        || match register(Registration {
            server_version,
            info,
            server,
        }) {
            Ok(()) => S_OK,
            Err(error) => error.code(),
        },
        |_| E_FAIL,
    )
}

/// Installs what a panicking request notification of this module's Rust objects does (a
/// 500 with the partial response dropped, the panic in the request's trace) into the
/// runtime, which knows no IIS types. [`register`] (so every `RegisterModule` that
/// [`register_module!`](crate::register_module!) writes) does it before the module
/// registers; call it yourself only to drive Rust-implemented modules without registering
/// them, as a unit test of raw `CHttpModule_Impl` code may. Without it such a panic still
/// finishes the request, with whatever status it had.
pub fn install_request_failure() {
    httpserv_runtime::set_request_failure(fail_request);
}

/// `register`, typed as a registration function (so a closure's parameter type is inferred).
pub fn registration_fn<F: FnOnce(Registration<'_>) -> Result<()>>(register: F) -> F {
    register
}

/// Writes the module DLL's `RegisterModule` export around a registration function
/// `fn(Registration<'_>) -> Result<()>` (a closure or a path):
///
/// ```
/// use httpserv::module::{HttpContext, HttpModule, Notification, Notifications};
///
/// struct Hello;
///
/// #[httpserv::module]
/// impl HttpModule for Hello {
///     fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
///         ctx.respond(200, "text/plain", "hello\n")
///     }
/// }
///
/// httpserv::register_module!(|registration| registration.request_module(|| Hello));
/// ```
///
/// The export has the exact type of `PFN_REGISTERMODULE` (checked at compile time), and a
/// panic in the registration function returns `E_FAIL` to IIS.
#[macro_export]
macro_rules! register_module {
    ($register:expr) => {
        /// The entry point IIS resolves by name when it loads this module DLL.
        ///
        /// # Safety
        /// Called by IIS with its registration info and server.
        #[unsafe(no_mangle)]
        pub unsafe extern "system" fn RegisterModule(
            server_version: u32,
            info: *mut $crate::IHttpModuleRegistrationInfo,
            server: *mut $crate::IHttpServer,
        ) -> $crate::runtime::HRESULT {
            // Made outside the unsafe block, so the module's code is not unsafe by accident.
            let register = $crate::runtime::registration_fn($register);
            // SAFETY: IIS passes its live registration info and server.
            unsafe { $crate::runtime::register(server_version, info, server, register) }
        }
        const _: $crate::PFN_REGISTERMODULE = Some(RegisterModule);
    };
}

/// evntrace.h's `TRACE_LEVEL_ERROR`: the verbosity of a panic in a request's trace.
#[cfg(feature = "std")]
const TRACE_LEVEL_ERROR: u8 = 2;

/// What a request notification does when its Rust implementation panicked, before it
/// returns `RQ_NOTIFICATION_FINISH_REQUEST`: the response becomes a plain 500 (status `500
/// Internal Server Error`, `E_FAIL` as its error code), and the panic message goes to the
/// request's trace (`IHttpTraceContext::QuickTrace`, shown by Failed Request Tracing). The
/// runtime's `fail_request` calls it.
///
/// Whatever the module (or any module before it) wrote is dropped first: when the response
/// headers have not been sent, `Clear` and `ClearHeaders` empty the body and the headers, so
/// the client never gets half an answer under a 500 (IIS adds its error page). Once they have
/// been sent (the module flushed), IIS cannot take back what went out: the unsent rest is
/// cleared, the status is still set (for IIS's log and Failed Request Tracing), and the
/// connection is reset (`ResetConnection`), so the client sees the response fail rather than
/// end as if it were whole.
///
/// # Safety
/// `context` must be the live `IHttpContext` IIS passed to the notification.
unsafe fn fail_request(context: *mut core::ffi::c_void, report: &PanicReport<'_>) {
    // SAFETY: the caller passes IIS's live context; what it returns is live for the
    // duration of the notification.
    unsafe {
        let Some(context) = IHttpContext::from_raw(context.cast()) else {
            return;
        };
        if let Some(response) = IHttpResponse::from_raw(context.GetResponse()) {
            let sent = context.GetResponseHeadersSent() != 0;
            response.Clear();
            if !sent {
                response.ClearHeaders();
            }
            let _ = response.SetStatus(
                500,
                c"Internal Server Error".as_ptr().cast(),
                0,
                E_FAIL,
                core::ptr::null_mut(),
                0,
            );
            if sent {
                response.ResetConnection();
            }
        }
        #[cfg(feature = "std")]
        if let Some(trace) = crate::IHttpTraceContext::from_raw(context.GetTraceContext()) {
            let text: std::vec::Vec<u16> = std::format!("httpserv: {}", report.message)
                .encode_utf16()
                .chain([0])
                .collect();
            let _ = trace.QuickTrace(text.as_ptr(), core::ptr::null(), E_FAIL, TRACE_LEVEL_ERROR);
        }
        #[cfg(not(feature = "std"))]
        let _ = report;
    }
}
