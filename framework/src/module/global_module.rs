//! [`GlobalModule`]: a module's one process-wide object, called for the global notifications
//! of the methods it implements from many worker threads at once (so `&self` and `Sync`);
//! every default continues. `on_pre_begin_request` sees the new request through the same
//! [`HttpContext`] request modules get; every other method gets a [`GlobalContext`] of its
//! notification's provider (the module id, `SetErrorStatus`, the provider's methods, and the
//! application's typed state where the notification has an application). The methods and the
//! `CGlobalModule` slots that call them are both generated from the notification table
//! (`table.rs`).

use super::{
    drop_in_guard, GlobalContext, GlobalNotification, GlobalNotifications, Host, HttpContext,
    IntoGlobalNotification, Priority,
};
use core::mem::ManuallyDrop;
// The classes, flags and providers the notification table names, with the rest of the
// bindings.
use crate::*;

/// The default method of every global notification of the table: it continues.
macro_rules! trait_methods {
    ($(
        $name:ident = $bit:ident, $doc:literal: $raw:ident($($provider:ty)?)
            => $method:ident($($arg:ident)?);
    )*) => {
        $(
            trait_method! {
                #[doc = concat!("`", stringify!($bit), "`: ", $doc, ".")]
                $method($($arg)?) [$($provider)?]
            }
        )*
    };
}

/// One default method: given the request's context, or a [`GlobalContext`] of the provider
/// (of `()` when the slot has none).
macro_rules! trait_method {
    (#[$doc:meta] $method:ident(ctx) [$provider:ty]) => {
        #[$doc]
        #[allow(unused_variables)]
        fn $method(&self, ctx: &mut HttpContext<'_>) -> impl IntoGlobalNotification + 'static {
            GlobalNotification::Continue
        }
    };
    (#[$doc:meta] $method:ident(global) [$provider:ty]) => {
        #[$doc]
        #[allow(unused_variables)]
        fn $method(
            &self,
            ctx: &mut GlobalContext<'_, $provider>,
        ) -> impl IntoGlobalNotification + 'static {
            GlobalNotification::Continue
        }
    };
    (#[$doc:meta] $method:ident(global) []) => {
        #[$doc]
        #[allow(unused_variables)]
        fn $method(
            &self,
            ctx: &mut GlobalContext<'_, ()>,
        ) -> impl IntoGlobalNotification + 'static {
            GlobalNotification::Continue
        }
    };
}

/// A global module: one value for the life of the worker process, registered with
/// [`Registration::global_module`](crate::runtime::Registration::global_module) and dropped
/// when IIS terminates it.
///
/// Write the impl with [`#[httpserv::module]`](macro@crate::module), as for [`HttpModule`](super::HttpModule): IIS
/// is asked for the notifications of the `on_*` methods the impl defines
/// ([`GlobalNotifications::of`]). Every method not written continues; a method that returns
/// [`GlobalNotification::Handled`] keeps the notification from the other global modules.
///
/// `on_pre_begin_request` gets the new request's [`HttpContext`]. Every other method gets a
/// [`GlobalContext`] of the notification's provider: the module id, the server,
/// [`set_error_status`](GlobalContext::set_error_status), the provider's own methods (it
/// dereferences to the provider), and what the notification is about in Rust terms — the
/// [`Application`](super::Application) with its typed state (application start, stop,
/// resolve modules, thread cleanup), the changed path or file, the custom notification's type,
/// the trace event and the typed state of the request that raised it. `on_cache_cleanup` and
/// `on_health_check` have no provider (`GlobalContext<'_, ()>`).
///
/// ```
/// use httpserv::module::{GlobalContext, GlobalModule, GlobalNotification};
/// use httpserv::IHttpApplicationStartProvider;
/// use std::sync::atomic::AtomicU64;
///
/// /// What the module keeps per application.
/// struct Hits(AtomicU64);
///
/// struct Counter;
///
/// #[httpserv::module]
/// impl GlobalModule for Counter {
///     // An `Err` (here through `?`) becomes the notification's error status.
///     fn on_application_start(
///         &self,
///         ctx: &mut GlobalContext<'_, IHttpApplicationStartProvider>,
///     ) -> httpserv::runtime::Result<GlobalNotification> {
///         if let Some(application) = ctx.application() {
///             application.set_state(Hits(AtomicU64::new(0)))?;
///         }
///         Ok(GlobalNotification::Continue)
///     }
/// }
/// # httpserv::register_module!(|registration| registration.global_module(Counter));
/// ```
pub trait GlobalModule: Send + Sync + 'static {
    /// The `on_*` methods the impl defines, written by `#[httpserv::module]` (never by hand:
    /// it is what the notifications are made of).
    #[doc(hidden)]
    const HTTPSERV_MODULE_ATTRIBUTE: &'static [&'static str];
    /// Priorities other than [`Priority::Medium`], per notification; each must be one the
    /// module has a method for (checked, at compile time, where the module is registered).
    const PRIORITIES: &'static [(GlobalNotifications, Priority)] = &[];

    crate::__global_notifications!(trait_methods);
}

/// The `CGlobalModule` IIS holds.
pub(crate) struct Global<G> {
    /// Dropped inside the panic guard (see the `Drop` impl).
    module: ManuallyDrop<G>,
    host: Host,
}

impl<G> Drop for Global<G> {
    /// Run by `Terminate`'s release, outside the slot's guard: a panic in the module's `Drop`
    /// is caught and reported here instead of unwinding into IIS (an abort).
    fn drop(&mut self) {
        // SAFETY: dropped once, here; the module is not used afterwards.
        unsafe { drop_in_guard(&mut self.module) }
    }
}

impl<G: GlobalModule> Global<G> {
    pub(crate) fn object(module: G, host: Host) -> crate::runtime::Owned<CGlobalModule> {
        CGlobalModule::new(Global {
            module: ManuallyDrop::new(module),
            host,
        })
    }

    /// `call` with the notification's provider; a null one continues the notification.
    fn with<P>(
        provider: Option<&mut P>,
        call: impl FnOnce(&mut P) -> GlobalNotification,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        match provider {
            Some(provider) => call(provider).to_raw(),
            None => GL_NOTIFICATION_CONTINUE,
        }
    }
}

/// The `CGlobalModule` slot of every global notification of the table, calling the method.
macro_rules! forwarders {
    ($(
        $name:ident = $bit:ident, $doc:literal: $raw:ident($($provider:ty)?)
            => $method:ident($($arg:ident)?);
    )*) => {
        $(forward! { $raw($($provider)?) => $method($($arg)?) })*
    };
}

/// One slot, by what the method gets: the request's context (from the provider), or a
/// [`GlobalContext`] of the provider (of `()` for a slot without one).
macro_rules! forward {
    ($raw:ident($provider:ty) => $method:ident(ctx)) => {
        unsafe fn $raw(&self, provider: *mut $provider) -> GLOBAL_NOTIFICATION_STATUS {
            // SAFETY: the slot's contract: IIS passes a live provider for the notification
            // (or null), used by it alone.
            let provider = unsafe { provider.as_mut() };
            Self::with(provider, |provider| {
                // SAFETY: the provider IIS passed, live for the call.
                let context = unsafe { provider.GetHttpContext() };
                let Some(context) = core::ptr::NonNull::new(context) else {
                    return GlobalNotification::Continue;
                };
                // SAFETY: IIS's live context of the new request, IIS's own pointer (not one
                // derived from a Rust reference), used by nothing else in Rust during the call
                // but through shared references made from IIS's pointer (`from_raw`'s
                // contract); a global notification cannot be pending.
                let mut ctx = unsafe { HttpContext::from_raw(context, self.host, false) };
                let answer = self.module.$method(&mut ctx).into_global_notification();
                drop(ctx);
                answer.unwrap_or_else(|error| {
                    // SAFETY: the provider IIS passed, live for the call; the request's
                    // context made from it is gone.
                    unsafe { provider.SetErrorStatus(error.code()) };
                    GlobalNotification::Continue
                })
            })
        }
    };
    ($raw:ident($provider:ty) => $method:ident(global)) => {
        unsafe fn $raw(&self, provider: *mut $provider) -> GLOBAL_NOTIFICATION_STATUS {
            // SAFETY: the slot's contract: IIS passes a live provider for the notification
            // (or null), used by it alone.
            let provider = unsafe { provider.as_mut() };
            Self::with(provider, |provider| {
                let mut ctx = GlobalContext::new(provider, self.host);
                let answer = self.module.$method(&mut ctx).into_global_notification();
                answer.unwrap_or_else(|error| {
                    ctx.set_error_status(error.code());
                    GlobalNotification::Continue
                })
            })
        }
    };
    ($raw:ident() => $method:ident(global)) => {
        fn $raw(&self) -> GLOBAL_NOTIFICATION_STATUS {
            let mut none = ();
            let mut ctx = GlobalContext::without_provider(&mut none, self.host);
            // Without a provider, IIS has nowhere to take an error: it goes where a caught
            // panic's message goes (the debugger output), and the notification continues.
            match self.module.$method(&mut ctx).into_global_notification() {
                Ok(answer) => answer.to_raw(),
                Err(error) => {
                    crate::runtime::report_panic(&alloc::format!(
                        "{} returned an error: {error}",
                        stringify!($method)
                    ));
                    GL_NOTIFICATION_CONTINUE
                }
            }
        }
    };
}

// SAFETY: the framework's forwarders return only the notification status a module's method
// gave; `OnSuspendProcess`, the one slot whose safe form trusts a returned pointer, keeps
// the trait's default (no callback, a null pointer).
unsafe impl<G: GlobalModule> CGlobalModule_Impl for Global<G> {
    crate::__global_notifications!(forwarders);

    // Terminate: the release rule drops the value (and the module with it) and frees it.
}
