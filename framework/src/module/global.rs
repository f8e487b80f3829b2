//! What a global notification other than `GL_PRE_BEGIN_REQUEST` sees, in Rust terms:
//! [`GlobalContext`], one type over every provider class of the notification table (the
//! provider's own methods through `Deref`, the module id, the server,
//! [`set_error_status`](GlobalContext::set_error_status), and per provider what the
//! notification is about), [`Application`] (an IIS application with this module's typed state
//! in its module context container) and [`TraceEvent`] (a copy of a `GL_TRACE_EVENT`'s
//! event). Nothing here needs `unsafe` from a module.

use super::state_map::{already_assigned, StateMap};
use super::{state, Host};
use crate::runtime::{Error, Result, E_UNEXPECTED, HRESULT};
use crate::*;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::{Deref, DerefMut};
use windows_sys::core::GUID;
use windows_sys::Win32::System::Iis::{HTTP_TRACE_EVENT, HTTP_TRACE_EVENT_ITEM};

/// One global notification as its method sees it: the notification's provider `P` (`()` for
/// `on_cache_cleanup` and `on_health_check`, whose slots have none), borrowed for the call,
/// and the module's registration.
///
/// It dereferences to the provider, so every generated method of the provider class is one
/// call away (`ctx.drain_requests_gracefully()` on `GL_STOP_LISTENING`); the methods below
/// give the rest in Rust terms.
pub struct GlobalContext<'a, P> {
    provider: &'a mut P,
    host: Host,
}

/// The provider classes of the global notifications: each is an `IHttpEventProvider`
/// (`SetErrorStatus`). Sealed: implemented for exactly those classes.
pub trait EventProvider: sealed::Sealed {
    /// The provider as its base class.
    fn event_provider(&self) -> &IHttpEventProvider;
}

mod sealed {
    pub trait Sealed {}
}

/// [`EventProvider`] for the provider classes of the table (the application start and stop
/// providers are both `IHttpApplicationProvider`).
macro_rules! event_providers {
    ($($class:ty),* $(,)?) => {$(
        impl sealed::Sealed for $class {}
        impl EventProvider for $class {
            fn event_provider(&self) -> &IHttpEventProvider {
                self
            }
        }
    )*};
}

event_providers!(
    IPreBeginRequestProvider,
    IHttpApplicationProvider,
    IHttpApplicationResolveModulesProvider,
    IGlobalApplicationPreloadProvider,
    IGlobalConfigurationChangeProvider,
    IGlobalFileChangeProvider,
    IGlobalStopListeningProvider,
    ICacheProvider,
    IGlobalTraceEventProvider,
    ICustomNotificationProvider,
    IGlobalThreadCleanupProvider,
    IGlobalRSCAQueryProvider,
);

impl<'a, P: EventProvider> GlobalContext<'a, P> {
    /// The context of a notification whose slot has provider `provider`.
    pub(crate) fn new(provider: &'a mut P, host: Host) -> GlobalContext<'a, P> {
        GlobalContext { provider, host }
    }

    /// Tells IIS the notification failed with `error` (`IHttpEventProvider::SetErrorStatus`).
    /// What follows depends on the notification and the server: the test server stops
    /// delivering the notification, and an application that fails to start does not start
    /// (its request answers 500); its docs list each case.
    pub fn set_error_status(&mut self, error: HRESULT) {
        // SAFETY: the provider IIS passed for this notification, live for the call.
        unsafe { self.provider.event_provider().SetErrorStatus(error) }
    }
}

impl<'a> GlobalContext<'a, ()> {
    /// The context of a notification whose slot has no provider.
    pub(crate) fn without_provider(none: &'a mut (), host: Host) -> GlobalContext<'a, ()> {
        GlobalContext {
            provider: none,
            host,
        }
    }
}

impl<P> GlobalContext<'_, P> {
    /// The module's id (`IHttpModuleRegistrationInfo::GetId`), the key of its stored
    /// contexts.
    pub fn module_id(&self) -> HTTP_MODULE_ID {
        self.host.module_id()
    }

    /// The server the module was loaded by.
    pub fn server(&self) -> &IHttpServer {
        self.host.server()
    }

    /// The provider IIS passed.
    pub fn provider(&self) -> &P {
        self.provider
    }

    /// The provider IIS passed, exclusively.
    pub fn provider_mut(&mut self) -> &mut P {
        self.provider
    }

    /// The application `application` points at, for this module.
    fn application_of<'b>(
        &self,
        application: Option<&'b IHttpApplication>,
    ) -> Option<Application<'b>> {
        application.map(|application| Application {
            application,
            host: self.host,
        })
    }
}

impl<P> Deref for GlobalContext<'_, P> {
    type Target = P;
    fn deref(&self) -> &P {
        self.provider
    }
}

impl<P> DerefMut for GlobalContext<'_, P> {
    fn deref_mut(&mut self) -> &mut P {
        self.provider
    }
}

impl GlobalContext<'_, IHttpApplicationProvider> {
    /// The application starting or stopping (`GL_APPLICATION_START`, `GL_APPLICATION_STOP`).
    pub fn application(&self) -> Option<Application<'_>> {
        self.application_of(self.provider.application())
    }
}

impl GlobalContext<'_, IHttpApplicationResolveModulesProvider> {
    /// The application whose modules are being resolved.
    pub fn application(&self) -> Option<Application<'_>> {
        self.application_of(self.provider.application())
    }
}

impl GlobalContext<'_, IGlobalThreadCleanupProvider> {
    /// The application the thread worked for.
    pub fn application(&self) -> Option<Application<'_>> {
        self.application_of(self.provider.application())
    }
}

impl GlobalContext<'_, IGlobalConfigurationChangeProvider> {
    /// The configuration path that changed (`MACHINE/WEBROOT/APPHOST/…`), as text.
    pub fn change_path(&self) -> Option<String> {
        self.provider
            .change_path()
            .map(|path| path.to_string_lossy())
    }
}

impl GlobalContext<'_, IGlobalFileChangeProvider> {
    /// The file that changed, as text.
    pub fn file_name(&self) -> Option<String> {
        self.provider.file_name().map(|name| name.to_string_lossy())
    }
}

impl GlobalContext<'_, ICustomNotificationProvider> {
    /// The type of the custom notification, as the module that raised it named it.
    pub fn notification_type(&mut self) -> Option<String> {
        self.provider
            .query_notification_type()
            .map(|name| name.to_string_lossy())
    }
}

impl GlobalContext<'_, IGlobalTraceEventProvider> {
    /// A copy of the event being raised; `None` if IIS has none.
    pub fn event(&self) -> Option<TraceEvent> {
        let mut event: *mut HTTP_TRACE_EVENT = core::ptr::null_mut();
        // SAFETY: a live out pointer, the provider IIS passed for this call.
        let hr = unsafe { self.provider.GetTraceEvent(&mut event) };
        hr.ok().ok()?;
        // SAFETY: IIS's contract: on success, null or the event being raised, valid (with
        // what it points at) for this notification.
        let event = unsafe { event.as_ref() }?;
        // SAFETY: as above.
        Some(unsafe { TraceEvent::copy(event) })
    }

    /// Whether this module subscribed to the event's provider (`CheckSubscription` with its
    /// module id).
    pub fn is_subscribed(&mut self) -> bool {
        let id = self.host.module_id();
        self.provider.check_subscription(id)
    }

    /// This module's value of type `T` stored on the request that raised the event
    /// (`HttpContext::set_state`); `None` if the event has no request, the request has no
    /// such value, or it is another type.
    pub fn request_state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let mut context: *mut IHttpContext = core::ptr::null_mut();
        // SAFETY: a live out pointer, the provider IIS passed for this call.
        let hr = unsafe { self.provider.GetCurrentHttpRequestContext(&mut context) };
        hr.ok().ok()?;
        // SAFETY: IIS's contract: on success, null or the live context of the request that
        // raised the event, which outlives this notification. Only shared: the module that
        // raised the event may hold the request's context while this runs.
        let context = unsafe { context.as_ref() }?;
        let container = context.module_context_container()?;
        let map = state::stored::<StateMap>(container.module_context(self.host.module_id())?)?;
        map.get::<T>()
    }
}

/// An IIS application (`IHttpApplication`), as a global notification or a request sees it,
/// with this module's typed state stored in the application's module context container.
#[derive(Clone, Copy)]
pub struct Application<'a> {
    application: &'a IHttpApplication,
    host: Host,
}

impl<'a> Application<'a> {
    /// The IIS object, for what this type does not cover.
    pub fn iis(&self) -> &'a IHttpApplication {
        self.application
    }

    /// The application's id (`/LM/W3SVC/1/ROOT`), as text.
    pub fn id(&self) -> Option<String> {
        self.application
            .application_id()
            .map(|id| id.to_string_lossy())
    }

    /// The application's directory, as text.
    pub fn physical_path(&self) -> Option<String> {
        self.application
            .application_physical_path()
            .map(|path| path.to_string_lossy())
    }

    /// The application's configuration path (`MACHINE/WEBROOT/APPHOST/…`), as text.
    pub fn config_path(&self) -> Option<String> {
        self.application
            .app_config_path()
            .map(|path| path.to_string_lossy())
    }

    /// This module's value of type `T` stored on the application ([`Self::set_state`]); `None`
    /// if there is none of that type, never a misread of another module's context.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&'a T> {
        let container = self.application.module_context_container()?;
        state::stored::<StateMap>(container.module_context(self.host.module_id())?)?.get::<T>()
    }

    /// Stores `value` on the application for this module (in its slot of the application's
    /// module context container), for every later notification and request of the
    /// application; IIS drops it when the application ends, after `GL_APPLICATION_STOP`. An
    /// application holds one value of each type per module: a second `set_state` of a type
    /// fails with `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)` (also when two requests store
    /// one at once: one of them wins). Requests of the application run on many threads at
    /// once, so what changes in the value is atomic or behind a lock.
    pub fn set_state<T: Send + Sync + 'static>(&self, value: T) -> Result<&'a T> {
        let container = self
            .application
            .module_context_container()
            .ok_or_else(|| Error::from(E_UNEXPECTED))?;
        let id = self.host.module_id();
        let map = match container.module_context(id) {
            Some(stored) => state::stored::<StateMap>(stored).ok_or_else(already_assigned)?,
            None => {
                let (stored, map) = state::store_boxed(StateMap::new());
                match container.set_module_context(stored, id) {
                    // SAFETY: the container holds the stored context, and with it the map,
                    // until the application ends, after 'a.
                    Ok(()) => unsafe { map.as_ref() },
                    // Another request stored the module's map first: add to that one.
                    Err(error) => container
                        .module_context(id)
                        .and_then(state::stored::<StateMap>)
                        .ok_or(error)?,
                }
            }
        };
        let value = map.insert(value).map_err(|_| already_assigned())?;
        // SAFETY: the map, and every value in it, lives until the application ends, after 'a
        // (a notification's or request's borrow of the application); values are only added,
        // and nothing hands out `&mut T`.
        Ok(unsafe { &*core::ptr::from_ref(value) })
    }
}

impl<'a> super::HttpContext<'a> {
    /// The application the request belongs to, with this module's typed state on it.
    pub fn application(&self) -> Option<Application<'_>> {
        self.iis().application().map(|application| Application {
            application,
            host: self.host,
        })
    }

    /// Raises `event` on the request's trace (`IHttpTraceContext::RaiseTraceEvent`): IIS
    /// writes it to the enabled trace providers and, while tracing is on, delivers it to the
    /// global modules as `GL_TRACE_EVENT`, during this call. `E_INVALIDARG` for a name or
    /// description with a NUL; `Ok` and nothing raised if the request has no trace context.
    pub fn raise_trace_event(&mut self, event: &TraceEvent) -> Result<()> {
        let wide = |text: &Option<String>| -> Result<Option<Vec<u16>>> {
            text.as_deref()
                .map(|text| {
                    if text.contains('\0') {
                        return Err(Error::from(crate::runtime::E_INVALIDARG));
                    }
                    Ok(text.encode_utf16().chain([0]).collect())
                })
                .transpose()
        };
        let pointer =
            |text: &Option<Vec<u16>>| text.as_ref().map_or(core::ptr::null(), |t| t.as_ptr());
        let name = wide(&event.name)?;
        let mut texts = Vec::with_capacity(event.items.len());
        for item in &event.items {
            texts.push((wide(&item.name)?, wide(&item.description)?));
        }
        let mut items: Vec<HTTP_TRACE_EVENT_ITEM> = event
            .items
            .iter()
            .zip(&texts)
            .map(|(item, (name, description))| HTTP_TRACE_EVENT_ITEM {
                pszName: pointer(name),
                dwDataType: item.data_type,
                pbData: item.data.as_ptr().cast_mut(),
                cbData: u32::try_from(item.data.len()).unwrap_or(u32::MAX),
                pszDataDescription: pointer(description),
            })
            .collect();
        let provider = event.provider.map(guid_of);
        let mut raw = HTTP_TRACE_EVENT {
            pProviderGuid: provider
                .as_ref()
                .map_or(core::ptr::null(), core::ptr::from_ref),
            dwArea: event.area,
            pAreaGuid: core::ptr::null(),
            dwEvent: event.event,
            pszEventName: pointer(&name),
            dwEventVersion: event.version,
            dwVerbosity: event.verbosity,
            pActivityGuid: core::ptr::null(),
            pRelatedActivityGuid: core::ptr::null(),
            dwTimeStamp: 0,
            dwFlags: 0,
            cEventItems: u32::try_from(items.len()).unwrap_or(u32::MAX),
            pEventItems: items.as_mut_ptr(),
        };
        let Some(trace) = self.iis().trace_context() else {
            return Ok(());
        };
        // SAFETY: the request's live trace context; the event and everything it points at
        // (names, items, data, the provider's GUID) are locals that outlive the call, which
        // only reads them (IIS copies what it keeps).
        unsafe { trace.RaiseTraceEvent(&mut raw) }.ok()
    }
}

/// A copy of a trace event (`HTTP_TRACE_EVENT`) as `GL_TRACE_EVENT` delivers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEvent {
    /// The event's name.
    pub name: Option<String>,
    /// The trace provider's id, as one number (the GUID's text form read as hexadecimal:
    /// `{3a2a4e84-4c21-4981-ae10-3fda0d9b0f83}` is `0x3a2a4e84_4c21_4981_ae10_3fda0d9b0f83`).
    pub provider: Option<u128>,
    /// The area of the provider the event belongs to.
    pub area: u32,
    /// The event's number within its provider.
    pub event: u32,
    /// The event's version.
    pub version: u32,
    /// How verbose the event is (1, critical, to 5, verbose).
    pub verbosity: u32,
    /// The event's items.
    pub items: Vec<TraceEventItem>,
}

/// One item of a [`TraceEvent`] (`HTTP_TRACE_EVENT_ITEM`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceEventItem {
    /// The item's name.
    pub name: Option<String>,
    /// Its type (`HTTP_TRACE_TYPE_*`).
    pub data_type: i32,
    /// Its bytes.
    pub data: Vec<u8>,
    /// Its description.
    pub description: Option<String>,
}

impl TraceEvent {
    /// # Safety
    /// `event` and everything it points at are IIS's valid trace event: strings null or
    /// NUL-terminated, GUID pointers null or readable, `cEventItems` items at `pEventItems`,
    /// each with `cbData` bytes at `pbData`.
    unsafe fn copy(event: &HTTP_TRACE_EVENT) -> TraceEvent {
        let mut items = Vec::new();
        if !event.pEventItems.is_null() {
            // SAFETY: the caller's guarantee.
            let raw = unsafe {
                core::slice::from_raw_parts(event.pEventItems, event.cEventItems as usize)
            };
            for item in raw {
                let data = if item.pbData.is_null() {
                    Vec::new()
                } else {
                    // SAFETY: the caller's guarantee.
                    unsafe { core::slice::from_raw_parts(item.pbData, item.cbData as usize) }
                        .to_vec()
                };
                items.push(TraceEventItem {
                    // SAFETY: the caller's guarantee.
                    name: unsafe { wide_text(item.pszName) },
                    data_type: item.dwDataType,
                    data,
                    // SAFETY: the caller's guarantee.
                    description: unsafe { wide_text(item.pszDataDescription) },
                });
            }
        }
        TraceEvent {
            // SAFETY: the caller's guarantee.
            name: unsafe { wide_text(event.pszEventName) },
            // SAFETY: the caller's guarantee.
            provider: unsafe { event.pProviderGuid.as_ref() }.map(guid_number),
            area: event.dwArea,
            event: event.dwEvent,
            version: event.dwEventVersion,
            verbosity: event.dwVerbosity,
            items,
        }
    }
}

/// A GUID as one number, its text form read as hexadecimal.
fn guid_number(guid: &GUID) -> u128 {
    (u128::from(guid.data1) << 96)
        | (u128::from(guid.data2) << 80)
        | (u128::from(guid.data3) << 64)
        | u128::from(u64::from_be_bytes(guid.data4))
}

/// The GUID whose number ([`guid_number`]) is `number`.
fn guid_of(number: u128) -> GUID {
    GUID {
        data1: (number >> 96) as u32,
        data2: (number >> 80) as u16,
        data3: (number >> 64) as u16,
        data4: (number as u64).to_be_bytes(),
    }
}

/// A wide string as text.
///
/// # Safety
/// `text` is null or NUL-terminated.
unsafe fn wide_text(text: windows_sys::core::PCWSTR) -> Option<String> {
    if text.is_null() {
        return None;
    }
    // SAFETY: the caller's guarantee.
    Some(unsafe { crate::runtime::U16CStr::from_ptr_str(text) }.to_string_lossy())
}
