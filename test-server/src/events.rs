//! The request notifications that are no pipeline stage and that IIS raises while something
//! else runs: `RQ_MAP_PATH` when a path is mapped (`map_path.rs`), `RQ_READ_ENTITY` when the
//! request body is read (`read_entity.rs`) and `RQ_CUSTOM_NOTIFICATION` when a module raises
//! one (`IHttpContext::NotifyCustomNotification`, here). Each goes to the request's modules
//! registered for it, by priority, inside the call that raised it, as IIS raises them; the
//! trace says `notify MAP_PATH module` as it says `notify BEGIN_REQUEST module`.
//!
//! What an event's module answers: `RQ_NOTIFICATION_FINISH_REQUEST` stops the event (later
//! modules do not see it) and finishes the request once the notification that raised it
//! returns; a failed `SetErrorStatus` is a 500 then, as in a stage. `RQ_NOTIFICATION_PENDING`
//! is not modelled for events (Microsoft's reference says only that `pfCompletionExpected`
//! tells the raiser an asynchronous completion is expected): it stops the event, is logged,
//! and a custom notification answers `*pfCompletionExpected = TRUE`.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use windows_sys::core::BOOL;
use windows_sys::Win32::Foundation::{FALSE, TRUE};

use super::exchange::{Exchange, Ptr};
use super::memory::put;
use crate::runtime::{E_INVALIDARG, E_UNEXPECTED, HRESULT, S_OK};
use crate::*;

/// Calls one event slot of `module` with the request's context and the event's provider (an
/// `IHttpEventProvider` of the class the slot takes). Unsafe: `module` must be the request's
/// live module, the context the request's, the provider live for the call.
type Deliver = unsafe fn(
    *mut CHttpModule,
    *mut IHttpContext,
    *mut IHttpEventProvider,
) -> REQUEST_NOTIFICATION_STATUS;

/// A request notification that is not a stage: its flag, its name in the trace, its slot.
pub(crate) struct Event {
    pub flag: u32,
    pub name: &'static str,
    deliver: Deliver,
}

/// `EVENTS`, from the framework's notification table: its `events`.
macro_rules! events {
    (
        stages { $($stages:tt)* }
        events { $(
            $event:ident = $event_bit:ident, $event_doc:literal:
                $event_raw:ident($event_provider:ty) => $event_method:ident($($event_arg:ident),*);
        )* }
    ) => {
        /// The request notifications that are not stages, with their names in the trace.
        pub(crate) const EVENTS: &[Event] = &[$(
            Event {
                flag: $event_bit,
                name: stringify!($event),
                deliver: |module, context, provider| {
                    // SAFETY: as `Deliver` requires; every provider class derives from
                    // `IHttpEventProvider` alone, so the object's address is the same.
                    unsafe {
                        ((*CHttpModule::vtable_of(module)).$event_raw)(
                            module,
                            context,
                            provider.cast::<$event_provider>(),
                        )
                    }
                },
            },
        )*];
    };
}

httpserv_framework::__request_notifications!(events);

/// A module of the request registered for an event (`flag`), in the event's order.
#[derive(Clone)]
pub(crate) struct Listener {
    pub flag: u32,
    /// The module's load index (for `DisableNotifications`).
    pub index: usize,
    pub module: Ptr<CHttpModule>,
    pub name: String,
}

/// How an event's delivery ended.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivered {
    /// Every module registered for it saw it.
    All,
    /// A module answered `RQ_NOTIFICATION_PENDING` (not modelled: the event stopped there).
    Pending,
}

/// Whether any module of the request is registered for the event `flag`.
pub(crate) fn listened(exchange: &Exchange, flag: u32) -> bool {
    exchange
        .with(|s| s.listeners.iter().any(|l| l.flag == flag))
        .unwrap_or(false)
}

/// Delivers the event `flag` with `provider` to the request's modules registered for it, by
/// priority, skipping those that disabled it; the call's own notification (what
/// `GetCurrentExecutionStats` and `DisableNotifications` see) is restored after each.
pub(crate) fn raise(
    exchange: &Exchange,
    flag: u32,
    provider: *mut IHttpEventProvider,
) -> Delivered {
    let Some(event) = EVENTS.iter().find(|event| event.flag == flag) else {
        return Delivered::All;
    };
    let Some(objects) = exchange.objects() else {
        return Delivered::All;
    };
    let listeners: Vec<Listener> = exchange
        .with(|s| {
            s.listeners
                .iter()
                .filter(|l| l.flag == flag)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    for listener in listeners {
        let outer = exchange.with(|s| {
            if s.disabled.is_disabled(listener.index, flag, false) {
                return None;
            }
            let outer = (s.notification, s.current_module);
            s.notification = flag;
            s.current_module = Some(listener.index);
            Some(outer)
        });
        let Some((notification, module)) = outer.flatten() else {
            continue;
        };
        exchange.log(format!("notify {} {}", event.name, listener.name));
        // SAFETY: the request's module, live until Dispose (the listeners are cleared before
        // the modules are disposed), the request's context, and the caller's live provider of
        // the class the slot takes.
        let status =
            unsafe { (event.deliver)(listener.module.get(), objects.context.get(), provider) };
        exchange.with(|s| {
            s.notification = notification;
            s.current_module = module;
        });
        if status == RQ_NOTIFICATION_PENDING {
            exchange.log(format!("{} pending: not modelled", event.name));
            return Delivered::Pending;
        }
        if status == RQ_NOTIFICATION_FINISH_REQUEST {
            exchange.with(|s| s.finish_after_event = true);
            break;
        }
    }
    Delivered::All
}

/// `IHttpContext::NotifyCustomNotification`: `RQ_CUSTOM_NOTIFICATION` with the module's own
/// provider, to the request's modules registered for it (each tells kinds apart with the
/// provider's `QueryNotificationType`). `*completion_expected` is `TRUE` only if one of them
/// answered pending.
///
/// # Safety
/// `provider` is null or the caller's live `ICustomNotificationProvider`; `completion_expected`
/// null or writable.
pub(crate) unsafe fn notify_custom(
    exchange: &Exchange,
    provider: *mut ICustomNotificationProvider,
    completion_expected: *mut BOOL,
) -> HRESULT {
    // SAFETY: the caller's guarantee.
    unsafe { put(completion_expected, FALSE) };
    if provider.is_null() {
        return E_INVALIDARG;
    }
    if exchange.with(|_| ()).is_none() {
        return E_UNEXPECTED;
    }
    if raise(exchange, RQ_CUSTOM_NOTIFICATION, provider.cast()) == Delivered::Pending {
        // SAFETY: the caller's guarantee.
        unsafe { put(completion_expected, TRUE) };
    }
    S_OK
}

/// The request's listeners of every event but `RQ_SEND_RESPONSE` (which the pipeline
/// delivers itself, around the send): `order(flag)` gives a flag's modules by priority,
/// `module(index)` the request's module of a load index and its name.
pub(crate) fn listeners(
    order: impl Fn(u32) -> Vec<usize>,
    module: impl Fn(usize) -> Option<(Ptr<CHttpModule>, String)>,
) -> Vec<Listener> {
    let mut listeners = Vec::new();
    for event in EVENTS.iter().filter(|e| e.flag != RQ_SEND_RESPONSE) {
        for index in order(event.flag) {
            if let Some((ptr, name)) = module(index) {
                listeners.push(Listener {
                    flag: event.flag,
                    index,
                    module: ptr,
                    name,
                });
            }
        }
    }
    listeners
}
