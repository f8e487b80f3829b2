//! `RegisterModule`, the one function IIS calls by name in a module DLL: [`register_module!`](crate::register_module!)
//! writes the export with the exact `PFN_REGISTERMODULE` type, and [`register`] runs the
//! module's registration code inside the panic guard (a panic there returns `E_FAIL`
//! instead of taking down the worker process).

use super::{guard, Result, E_FAIL, HRESULT, S_OK};
use crate::{IHttpModuleRegistrationInfo, IHttpServer};

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
        return super::E_POINTER;
    };
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
/// impl HttpModule for Hello {
///     const NOTIFICATIONS: Notifications = Notifications::BEGIN_REQUEST;
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
