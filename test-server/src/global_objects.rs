//! The objects global notifications hand out: the server's one application
//! (`IHttpApplication`, with its own module context container, whose stored contexts are
//! cleaned up when the application stops) and the providers of the global notifications, one
//! Rust type ([`GlobalProvider`]) behind every provider class of the notification table, all
//! reading one notification's [`EventData`].

use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::Mutex;

use windows_sys::core::{BOOL, PCWSTR};
use windows_sys::Win32::Foundation::{ERROR_ALREADY_ASSIGNED, FALSE, TRUE};
use windows_sys::Win32::System::Iis::HTTP_TRACE_EVENT;

use super::exchange::{lock, Ptr};
use super::memory::put;
use crate::runtime::{Object, E_INVALIDARG, E_NOTIMPL, E_POINTER, HRESULT, S_OK};
use crate::*;

/// NUL-terminated UTF-16 of `text`.
pub(crate) fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain([0]).collect()
}

/// What the application says about itself.
pub(crate) const APPLICATION_ID: &str = "/LM/W3SVC/1/ROOT";
pub(crate) const APPLICATION_PATH: &str = "C:\\inetpub\\wwwroot";
pub(crate) const APPLICATION_CONFIG: &str = "MACHINE/WEBROOT/APPHOST/Default Web Site";

/// The application's (and the site's) `IHttpModuleContextContainer`: one stored context per
/// module id, for the application's (the site's) life.
pub(crate) struct ApplicationContainer {
    stored: Mutex<Vec<(usize, Ptr<IHttpStoredContext>)>>,
}

// SAFETY: the stored contexts handed out are the modules' own, live until `cleanup` releases
// them when the application stops.
unsafe impl IHttpModuleContextContainer_Impl for ApplicationContainer {
    unsafe fn GetModuleContext(&self, id: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        let id = id as usize;
        lock(&self.stored)
            .iter()
            .find(|(key, _)| *key == id)
            .map_or(core::ptr::null_mut(), |(_, context)| context.get())
    }
    /// Once per module id, as on a request: a second one is
    /// `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)`; a null context is stored as none.
    unsafe fn SetModuleContext(
        &self,
        context: *mut IHttpStoredContext,
        id: HTTP_MODULE_ID,
    ) -> HRESULT {
        if id.is_null() {
            return E_INVALIDARG;
        }
        let id = id as usize;
        let mut stored = lock(&self.stored);
        if stored.iter().any(|(key, _)| *key == id) {
            return HRESULT::from_win32(ERROR_ALREADY_ASSIGNED);
        }
        if let Some(context) = Ptr::new(context) {
            stored.push((id, context));
        }
        S_OK
    }
}

/// `IHttpApplication`: fixed names, and its container.
pub(crate) struct ApplicationValue {
    id: Vec<u16>,
    path: Vec<u16>,
    config: Vec<u16>,
    container: Ptr<IHttpModuleContextContainer>,
}

// SAFETY: the strings and the container live as long as the application object.
unsafe impl IHttpApplication_Impl for ApplicationValue {
    fn GetApplicationPhysicalPath(&self) -> PCWSTR {
        self.path.as_ptr()
    }
    fn GetApplicationId(&self) -> PCWSTR {
        self.id.as_ptr()
    }
    fn GetAppConfigPath(&self) -> PCWSTR {
        self.config.as_ptr()
    }
    fn GetModuleContextContainer(&self) -> *mut IHttpModuleContextContainer {
        self.container.get()
    }
}

/// The server's application and its container, released when the server goes.
pub(crate) struct ApplicationObjects {
    pub application: Ptr<IHttpApplication>,
    container: Ptr<IHttpModuleContextContainer>,
}

impl ApplicationObjects {
    pub fn new() -> ApplicationObjects {
        let container = IHttpModuleContextContainer::new_boxed(ApplicationContainer::new());
        let container = Ptr::new(container).expect("new_boxed returned null");
        let application = IHttpApplication::new_boxed(ApplicationValue {
            id: wide(APPLICATION_ID),
            path: wide(APPLICATION_PATH),
            config: wide(APPLICATION_CONFIG),
            container,
        });
        ApplicationObjects {
            application: Ptr::new(application).expect("new_boxed returned null"),
            container,
        }
    }

    /// The end of the application: `CleanupStoredContext` for every stored context.
    pub fn cleanup(&self) {
        // SAFETY: made in `new` as an ApplicationContainer, live until `drop`.
        unsafe { Object::<ApplicationContainer>::value_of(self.container.get()) }.cleanup();
    }
}

impl ApplicationContainer {
    /// A container with nothing stored.
    pub fn new() -> ApplicationContainer {
        ApplicationContainer {
            stored: Mutex::new(Vec::new()),
        }
    }

    /// `CleanupStoredContext` for every stored context (the end of what holds the container).
    pub fn cleanup(&self) {
        let stored = core::mem::take(&mut *lock(&self.stored));
        for (_, context) in stored {
            // SAFETY: a stored context a module handed over, live until this call releases it;
            // called once (taken out of the container).
            unsafe {
                let context = context.get();
                ((*IHttpStoredContext::vtable_of(context)).CleanupStoredContext)(context);
            }
        }
    }
}

impl Drop for ApplicationObjects {
    fn drop(&mut self) {
        self.cleanup();
        // SAFETY: made in `new` with these value types, released once, when nothing reaches
        // them (the server and its requests are gone).
        unsafe {
            Object::<ApplicationValue>::release(self.application.get(), true);
            Object::<ApplicationContainer>::release(self.container.get(), true);
        }
    }
}

/// What one raised global notification's providers say, and what modules told them.
#[derive(Default)]
pub(crate) struct EventData {
    /// `GetApplication` (application start, stop, resolve modules, thread cleanup).
    pub application: Option<Ptr<IHttpApplication>>,
    /// The notification's text, NUL-terminated: the changed configuration path, the changed
    /// file, the custom notification's type, the RSCA function's name.
    pub text: Vec<u16>,
    /// `GL_TRACE_EVENT`'s event, valid during the notification.
    pub trace_event: Option<Ptr<HTTP_TRACE_EVENT>>,
    /// The request of the notification (`GL_TRACE_EVENT`, `GL_PRE_BEGIN_REQUEST`).
    pub context: Option<Ptr<IHttpContext>>,
    /// The module ids subscribed to trace events (every loaded module while tracing is on).
    pub subscribed: Vec<usize>,
    /// `SetErrorStatus`, the last one.
    pub error: Mutex<Option<HRESULT>>,
    /// `IGlobalRSCAQueryProvider::GetFunctionParameters`, NUL-terminated (empty: none).
    pub parameters: Vec<u16>,
    /// `IGlobalRSCAQueryProvider::GetOutputBuffer`'s buffers, kept until the notification
    /// ends (a module may write to any it was given until then); the last is the output.
    pub output: Mutex<Vec<Vec<u8>>>,
    /// `IGlobalRSCAQueryProvider::SetResult`: bytes of the output, and the result.
    pub result: Mutex<Option<(u32, HRESULT)>>,
    /// `ICacheProvider::GetCacheOperation`.
    pub cache_operation: CACHE_OPERATION,
}

impl EventData {
    /// The text as given, or null when there is none.
    fn text(&self) -> PCWSTR {
        if self.text.is_empty() {
            core::ptr::null()
        } else {
            self.text.as_ptr()
        }
    }

    /// What a module answered a `GL_RSCA_QUERY` with: the first bytes of the last output
    /// buffer it was given, as many as it said (at most the buffer), and its result.
    pub fn rsca_result(&self) -> Option<(Vec<u8>, HRESULT)> {
        let (bytes, hr) = (*lock(&self.result))?;
        let output = lock(&self.output);
        let buffer = output.last().map_or(&[][..], Vec::as_slice);
        let len = (bytes as usize).min(buffer.len());
        Some((buffer[..len].to_vec(), hr))
    }

    /// `text` as the notification's text.
    pub fn with_text(mut self, text: &str) -> EventData {
        self.text = wide(text);
        self
    }
}

/// The Rust value behind every global provider object.
pub(crate) struct GlobalProvider(pub Arc<EventData>);

impl IHttpEventProvider_Impl for GlobalProvider {
    /// Recorded; a failure stops the notification (see `Globals::raise`).
    fn SetErrorStatus(&self, error: HRESULT) {
        *lock(&self.0.error) = Some(error);
    }
}

// SAFETY: what these return is null or lives as long as the notification (the data outlives
// the provider object; the application, context and event outlive the notification).
unsafe impl IPreBeginRequestProvider_Impl for GlobalProvider {
    fn GetHttpContext(&self) -> *mut IHttpContext {
        self.0.context.map_or(core::ptr::null_mut(), Ptr::get)
    }
}

// SAFETY: as above.
unsafe impl IHttpApplicationProvider_Impl for GlobalProvider {
    fn GetApplication(&self) -> *mut IHttpApplication {
        self.0.application.map_or(core::ptr::null_mut(), Ptr::get)
    }
}

impl IHttpApplicationResolveModulesProvider_Impl for GlobalProvider {
    /// Not modelled (modules are loaded with the server).
    unsafe fn RegisterModule(
        &self,
        _: HTTP_MODULE_ID,
        _: *mut IHttpModuleFactory,
        _: PCWSTR,
        _: PCWSTR,
        _: PCWSTR,
        _: u32,
        _: u32,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn SetPriorityForRequestNotification(&self, _: PCWSTR, _: u32, _: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
}

// SAFETY: writes nothing.
unsafe impl IGlobalApplicationPreloadProvider_Impl for GlobalProvider {
    /// Not modelled (no preload).
    unsafe fn CreateContext(&self, _: *mut *mut IHttpContext) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn ExecuteRequest(&self, _: *mut IHttpContext, _: *mut IHttpUser) -> HRESULT {
        E_NOTIMPL
    }
}

// SAFETY: as for `IPreBeginRequestProvider_Impl`.
unsafe impl IGlobalConfigurationChangeProvider_Impl for GlobalProvider {
    fn GetChangePath(&self) -> PCWSTR {
        self.0.text()
    }
}

// SAFETY: as above.
unsafe impl IGlobalFileChangeProvider_Impl for GlobalProvider {
    fn GetFileName(&self) -> PCWSTR {
        self.0.text()
    }
    /// No file monitors (`RegisterFileChangeMonitor` is not modelled).
    fn GetFileMonitor(&self) -> *mut IHttpFileMonitor {
        core::ptr::null_mut()
    }
}

impl IGlobalStopListeningProvider_Impl for GlobalProvider {
    /// The test server drains: every request it runs has ended before the shutdown.
    fn DrainRequestsGracefully(&self) -> BOOL {
        TRUE
    }
}

// SAFETY: returns only null.
unsafe impl ICacheProvider_Impl for GlobalProvider {
    /// The operation the test named (no cache behind it: no key, no record).
    fn GetCacheOperation(&self) -> CACHE_OPERATION {
        self.0.cache_operation
    }
    fn GetCacheKey(&self) -> *mut IHttpCacheKey {
        core::ptr::null_mut()
    }
    fn GetCacheRecord(&self) -> *mut IHttpCacheSpecificData {
        core::ptr::null_mut()
    }
    /// Ignored.
    unsafe fn SetCacheRecord(&self, _: *mut IHttpCacheSpecificData) {}
    fn GetTraceContext(&self) -> *mut IHttpTraceContext {
        core::ptr::null_mut()
    }
}

// SAFETY: as for `IPreBeginRequestProvider_Impl`; out pointers written only when not null.
unsafe impl IGlobalTraceEventProvider_Impl for GlobalProvider {
    unsafe fn GetTraceEvent(&self, event: *mut *mut HTTP_TRACE_EVENT) -> HRESULT {
        if event.is_null() {
            return E_POINTER;
        }
        let Some(raised) = self.0.trace_event else {
            return E_NOTIMPL;
        };
        // SAFETY: a non-null out pointer is writable (IIS's contract).
        unsafe { put(event, raised.get()) };
        S_OK
    }
    unsafe fn CheckSubscription(&self, id: HTTP_MODULE_ID) -> BOOL {
        if self.0.subscribed.contains(&(id as usize)) {
            TRUE
        } else {
            FALSE
        }
    }
    unsafe fn GetCurrentHttpRequestContext(&self, context: *mut *mut IHttpContext) -> HRESULT {
        if context.is_null() {
            return E_POINTER;
        }
        let Some(raised) = self.0.context else {
            return E_NOTIMPL;
        };
        // SAFETY: a non-null out pointer is writable (IIS's contract).
        unsafe { put(context, raised.get()) };
        S_OK
    }
}

// SAFETY: as for `IPreBeginRequestProvider_Impl`.
unsafe impl ICustomNotificationProvider_Impl for GlobalProvider {
    fn QueryNotificationType(&self) -> PCWSTR {
        self.0.text()
    }
}

// SAFETY: as above.
unsafe impl IGlobalThreadCleanupProvider_Impl for GlobalProvider {
    fn GetApplication(&self) -> *mut IHttpApplication {
        self.0.application.map_or(core::ptr::null_mut(), Ptr::get)
    }
}

// SAFETY: as above; the output buffer is not modelled.
unsafe impl IGlobalRSCAQueryProvider_Impl for GlobalProvider {
    fn GetFunctionName(&self) -> PCWSTR {
        self.0.text()
    }
    /// The parameters the test gave (empty if none).
    fn GetFunctionParameters(&self) -> PCWSTR {
        static EMPTY: [u16; 1] = [0];
        if self.0.parameters.is_empty() {
            EMPTY.as_ptr()
        } else {
            self.0.parameters.as_ptr()
        }
    }
    /// A zeroed buffer of `size` bytes, valid until the notification ends.
    unsafe fn GetOutputBuffer(&self, size: u32, buffer: *mut *mut u8) -> HRESULT {
        if buffer.is_null() {
            return E_POINTER;
        }
        let mut output = lock(&self.0.output);
        output.push(alloc::vec![0; size as usize]);
        let pointer = output
            .last_mut()
            .map_or(core::ptr::null_mut(), Vec::as_mut_ptr);
        // SAFETY: a non-null out pointer is writable (IIS's contract).
        unsafe { put(buffer, pointer) };
        S_OK
    }
    /// Not modelled.
    unsafe fn ResizeOutputBuffer(&self, _: u32, _: u32, _: *mut *mut u8) -> HRESULT {
        E_NOTIMPL
    }
    fn SetResult(&self, data: u32, hr: HRESULT) {
        *lock(&self.0.result) = Some((data, hr));
    }
}
