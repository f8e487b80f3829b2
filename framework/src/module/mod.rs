//! Writing an IIS module in safe Rust: implement [`HttpModule`] (one value per request,
//! `&mut self`) and/or [`GlobalModule`] (one value per process, `&self`) with
//! `#[httpserv::module]`, which asks IIS for the notifications of the methods the impl
//! defines, and register them in `RegisterModule`:
//!
//! ```
//! use httpserv::module::{HttpContext, HttpModule, Notification};
//!
//! struct Hello;
//!
//! #[httpserv::module]
//! impl HttpModule for Hello {
//!     fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
//!         match ctx.path() {
//!             "/hello" => ctx.respond(200, "text/plain", "Hello from Rust\n"),
//!             _ => Notification::Continue,
//!         }
//!     }
//! }
//!
//! httpserv::register_module!(|registration| registration.request_module(|| Hello));
//! ```
//!
//! What the framework does for the module: the `RegisterModule` export with IIS's exact
//! type; the factory and the `CHttpModule` objects IIS asks for, released through the slots
//! IIS calls (`Dispose`, `Terminate`); the module id and server kept for the module; panics
//! caught at every entry (the request answers 500, the panic goes to the debugger output and
//! the request's trace); `&mut self` for request modules, whose notifications IIS calls one
//! at a time; typed per-request state ([`HttpContext::set_state`], named with
//! [`HttpContext::set_named_state`]) found again without casts; asynchronous completion
//! without raw pointers ([`HttpContext::complete_later`]); request and response bodies as
//! byte slices, a response sent in parts ([`HttpContext::flush`]); the request events in Rust
//! terms (a path mapped, [`MapPathExt`]; the body read, [`HttpContext::replace_entity`];
//! custom notifications, [`HttpContext::notify_custom`] and [`CustomNotificationExt`]); every
//! global notification with a [`GlobalContext`] of its provider, and typed state on the
//! application ([`Application::set_state`]) and the connection; the event log (`EventLog`) and
//! the `log` crate's records (`Logger`, feature `log`) where IIS keeps diagnostics. The
//! generated classes stay one call away ([`HttpContext::iis`]) for the rest.

mod body;
mod completion;
mod context;
#[cfg(feature = "std")]
mod event_log;
mod events;
mod global;
mod global_module;
pub mod header_ids;
mod http_module;
#[cfg(feature = "log")]
mod logging;
mod notification;
mod outcome;
mod place;
mod request_headers;
mod response;
mod state;
mod state_map;
mod stream;
mod table;
#[cfg(feature = "std")]
mod task;
mod url;
mod user;
pub mod wire;

pub use body::{BodyError, BODY_LIMIT};
pub use completion::Completion;
pub use context::HttpContext;
#[cfg(feature = "std")]
#[doc(hidden)]
pub use event_log::{capture_reported_events, reported_events};
#[cfg(feature = "std")]
pub use event_log::{EventKind, EventLog, ReportedEvent};
pub use events::{CustomNotificationExt, MapPathExt};
pub use global::{Application, EventProvider, GlobalContext, TraceEvent, TraceEventItem};
pub use global_module::GlobalModule;
pub use http_module::{AsyncCompletion, HttpModule};
#[cfg(feature = "log")]
pub use logging::Logger;
pub use notification::{
    GlobalNotification, GlobalNotifications, Notification, Notifications, Priority,
};
pub use outcome::{HttpError, IntoGlobalNotification, IntoNotification};
pub use request_headers::RequestHeaders;
pub use response::{reason_phrase, CustomErrors};
#[cfg(feature = "std")]
pub use stream::BodyWriter;
#[cfg(feature = "std")]
pub use task::{AsyncContext, IoFuture};
#[cfg(feature = "serde")]
pub use url::QueryError;
pub use user::User;

use crate::runtime::{Error, Registration, Result, E_NOINTERFACE};
use crate::ExtendedInterface;
use crate::{IHttpModuleRegistrationInfo2, IHttpServer, HTTP_MODULE_ID};
use core::ptr::NonNull;

/// What every object of a module keeps from its registration: its module id (the key of its
/// stored contexts) and the server.
#[derive(Clone, Copy)]
pub(crate) struct Host {
    module_id: HTTP_MODULE_ID,
    server: NonNull<IHttpServer>,
}

// SAFETY: the module id is an opaque key, and IIS's server object is called from every worker
// thread and lives as long as the module is loaded.
unsafe impl Send for Host {}
// SAFETY: as above.
unsafe impl Sync for Host {}

impl Host {
    fn of(registration: &Registration<'_>) -> Host {
        Host {
            module_id: registration.info.id(),
            server: NonNull::from(registration.server),
        }
    }

    pub(crate) fn module_id(self) -> HTTP_MODULE_ID {
        self.module_id
    }

    /// The server, for a borrow no longer than one of the module's calls (IIS keeps it alive
    /// while the module is loaded, which is longer).
    pub(crate) fn server<'a>(self) -> &'a IHttpServer {
        // SAFETY: the server registration handed out, live while the module is loaded, so
        // during any call IIS makes into the module; callers bound 'a by such a call.
        unsafe { self.server.as_ref() }
    }
}

/// Drops `value` inside the panic guard: for the values IIS releases through a slot whose
/// release runs outside the slot's guard (`Dispose`, `Terminate`, `CleanupStoredContext`), so a
/// `Drop` that panics is caught and reported instead of unwinding into IIS, which aborts. A
/// second panic while the first unwinds (a field's `Drop` panicking too) still aborts: Rust
/// cannot unwind twice.
///
/// # Safety
/// As [`ManuallyDrop::drop`]: `value` is not used afterwards.
pub(crate) unsafe fn drop_in_guard<T>(value: &mut core::mem::ManuallyDrop<T>) {
    crate::runtime::guard(
        // SAFETY: the caller's guarantee.
        || unsafe { core::mem::ManuallyDrop::drop(value) },
        |_| (),
    );
}

impl Registration<'_> {
    /// Registers a request module: IIS calls `make` for every request and delivers
    /// [`Notifications::of::<M>()`](Notifications::of), the notifications of the methods its
    /// impl defines, to the value, at `M::PRIORITIES` (a post-notification's through
    /// `IHttpModuleRegistrationInfo2`; `E_NOINTERFACE` from a server without it). The value
    /// lives in the request's memory pool (`IModuleAllocator`), not on the process heap, and
    /// is dropped when IIS disposes of it at the end of the request.
    pub fn request_module<M, F>(&self, make: F) -> Result<()>
    where
        M: HttpModule,
        F: Fn() -> M + Send + Sync + 'static,
    {
        let factory = http_module::Factory::object(make, Host::of(self));
        let Notifications { request, post } = const { request_masks::<M>() };
        self.info
            .set_request_notifications(factory, request, post)?;
        for (notifications, priority) in M::PRIORITIES {
            if notifications.request != 0 {
                self.info.set_priority_for_request_notification(
                    notifications.request,
                    priority.alias(),
                )?;
            }
            if notifications.post != 0 {
                // Post-notification priorities are IHttpModuleRegistrationInfo2's.
                let info2 = self
                    .server
                    .extended::<IHttpModuleRegistrationInfo2>(self.info)
                    .ok_or_else(|| Error::from(E_NOINTERFACE))?;
                info2.set_priority_for_post_request_notification(
                    notifications.post,
                    priority.alias(),
                )?;
            }
        }
        Ok(())
    }

    /// Registers the global module: IIS delivers
    /// [`GlobalNotifications::of::<G>()`](GlobalNotifications::of), the notifications of the
    /// methods its impl defines, to `module`, from any worker thread, until it terminates the
    /// module.
    pub fn global_module<G: GlobalModule>(&self, module: G) -> Result<()> {
        let global = global_module::Global::object(module, Host::of(self));
        let GlobalNotifications(mask) = const { global_mask::<G>() };
        self.info.set_global_notifications(global, mask)?;
        for (notifications, priority) in G::PRIORITIES {
            self.info
                .set_priority_for_global_notification(notifications.0, priority.alias())?;
        }
        Ok(())
    }
}

/// [`Notifications::of`], checked when the module is registered (a compile-time error then): a
/// module that handles nothing would never be called, and a priority for a notification the
/// module does not handle would never apply.
const fn request_masks<M: HttpModule>() -> Notifications {
    let masks = Notifications::of::<M>();
    if masks.request == 0 && masks.post == 0 {
        panic!("a request module without an `on_*` method handles no notification");
    }
    let priorities = M::PRIORITIES;
    let mut i = 0;
    while i < priorities.len() {
        if !masks.contains(priorities[i].0) {
            panic!("a priority for a notification the request module has no `on_*` method for");
        }
        i += 1;
    }
    masks
}

/// [`GlobalNotifications::of`], checked as [`request_masks`] checks a request module's.
const fn global_mask<G: GlobalModule>() -> GlobalNotifications {
    let GlobalNotifications(mask) = GlobalNotifications::of::<G>();
    if mask == 0 {
        panic!("a global module without an `on_*` method handles no notification");
    }
    let priorities = G::PRIORITIES;
    let mut i = 0;
    while i < priorities.len() {
        if priorities[i].0 .0 & !mask != 0 {
            panic!("a priority for a notification the global module has no `on_*` method for");
        }
        i += 1;
    }
    GlobalNotifications(mask)
}
