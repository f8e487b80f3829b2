//! What a module meets when the test server loads it: the `IHttpModuleRegistrationInfo2` its
//! `RegisterModule` registers with (one factory with request and post-request masks, one
//! global module, priorities by alias per notification; `GetId`, the key of its stored
//! contexts) and the `IHttpServer`, as inert as the C++ host's.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::c_void;
use std::sync::Mutex;

use windows_sys::core::{BOOL, PCWSTR};
use windows_sys::Win32::Foundation::{ERROR_ALREADY_ASSIGNED, HANDLE, TRUE};
use windows_sys::Win32::Networking::HttpServer::HTTP_DATA_CHUNK;
use windows_sys::Win32::Security::PSID;
use windows_sys::Win32::System::IO::LPOVERLAPPED_COMPLETION_ROUTINE;

use super::context::APP_POOL;
use super::exchange::{lock, Ptr};
use super::global::Globals;
use super::memory::{put, wide_str, wide_string};
use crate::runtime::{E_INVALIDARG, E_NOTIMPL, HRESULT, S_OK};
use crate::*;

/// How many modules one server loads at most (IIS's default configuration has about 45).
pub(crate) const MAX_MODULES: usize = 64;

/// The module ids: the n-th module a server loads gets `&IDS[n]`. A pointer, as IIS's ids
/// are, and the same for the same load position in every server, so a module that keeps its
/// id in a static (as modules written for one worker process do) still finds its stored
/// contexts when tests run several servers at once.
static IDS: [u8; MAX_MODULES] = [0; MAX_MODULES];

/// The id of the module loaded at `index`.
pub(crate) fn module_id(index: usize) -> HTTP_MODULE_ID {
    // Never written through: an id is only compared.
    IDS[index..].as_ptr() as *mut c_void
}

/// A priority alias; a module that sets none is MEDIUM.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Priority {
    Last = 1,
    Low,
    Medium,
    High,
    First,
}

impl Priority {
    /// IIS accepts exactly these five aliases.
    fn from_alias(alias: &[u16]) -> Option<Priority> {
        let alias = String::from_utf16(alias).ok()?;
        Some(match alias.as_str() {
            "FIRST" => Priority::First,
            "HIGH" => Priority::High,
            "MEDIUM" => Priority::Medium,
            "LOW" => Priority::Low,
            "LAST" => Priority::Last,
            _ => return None,
        })
    }
}

/// A priority per notification bit.
pub(crate) type Priorities = [Priority; 32];

/// What a module's `RegisterModule` registered.
#[derive(Clone, Copy)]
pub(crate) struct Registered {
    pub factory: Option<Ptr<IHttpModuleFactory>>,
    pub request_mask: u32,
    pub post_mask: u32,
    pub global: Option<Ptr<CGlobalModule>>,
    pub global_mask: u32,
    pub request_priority: Priorities,
    pub post_priority: Priorities,
    pub global_priority: Priorities,
}

impl Default for Registered {
    fn default() -> Registered {
        Registered {
            factory: None,
            request_mask: 0,
            post_mask: 0,
            global: None,
            global_mask: 0,
            request_priority: [Priority::Medium; 32],
            post_priority: [Priority::Medium; 32],
            global_priority: [Priority::Medium; 32],
        }
    }
}

impl Registered {
    /// The priority of notification `flag` (its lowest bit).
    pub fn priority(table: &Priorities, flag: u32) -> Priority {
        table[flag.trailing_zeros().min(31) as usize]
    }
}

/// `IHttpModuleRegistrationInfo2`, valid while the module's `RegisterModule` runs.
pub(crate) struct RegistrationInfo {
    /// The module's name, NUL-terminated.
    pub name: Vec<u16>,
    pub index: usize,
    pub registered: Arc<Mutex<Registered>>,
}

/// Sets `table[bit]` for each bit of `mask`.
///
/// # Safety
/// `alias` must be null or NUL-terminated.
unsafe fn set_priority(
    registered: &Mutex<Registered>,
    table: fn(&mut Registered) -> &mut Priorities,
    mask: u32,
    alias: PCWSTR,
) -> HRESULT {
    // SAFETY: the caller's contract.
    let priority = unsafe { wide_str(alias) }.and_then(Priority::from_alias);
    let Some(priority) = priority.filter(|_| mask != 0) else {
        return E_INVALIDARG;
    };
    let mut registered = lock(registered);
    let table = table(&mut registered);
    for (bit, slot) in table.iter_mut().enumerate() {
        if mask & (1 << bit) != 0 {
            *slot = priority;
        }
    }
    S_OK
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpModuleRegistrationInfo_Impl for RegistrationInfo {
    fn GetName(&self) -> PCWSTR {
        self.name.as_ptr()
    }
    fn GetId(&self) -> HTTP_MODULE_ID {
        module_id(self.index)
    }
    /// One factory per module; `E_INVALIDARG` without a factory or a notification.
    unsafe fn SetRequestNotifications(
        &self,
        factory: *mut IHttpModuleFactory,
        request: u32,
        post: u32,
    ) -> HRESULT {
        let Some(factory) = Ptr::new(factory).filter(|_| request != 0 || post != 0) else {
            return E_INVALIDARG;
        };
        let mut registered = lock(&self.registered);
        if registered.factory.is_some() {
            return HRESULT::from_win32(ERROR_ALREADY_ASSIGNED);
        }
        registered.factory = Some(factory);
        registered.request_mask = request;
        registered.post_mask = post;
        S_OK
    }
    /// One global module per module; `E_INVALIDARG` without one or a notification.
    unsafe fn SetGlobalNotifications(&self, global: *mut CGlobalModule, mask: u32) -> HRESULT {
        let Some(global) = Ptr::new(global).filter(|_| mask != 0) else {
            return E_INVALIDARG;
        };
        let mut registered = lock(&self.registered);
        if registered.global.is_some() {
            return HRESULT::from_win32(ERROR_ALREADY_ASSIGNED);
        }
        registered.global = Some(global);
        registered.global_mask = mask;
        S_OK
    }
    unsafe fn SetPriorityForRequestNotification(&self, mask: u32, alias: PCWSTR) -> HRESULT {
        // SAFETY: IIS's contract: `alias` is NUL-terminated.
        unsafe { set_priority(&self.registered, |r| &mut r.request_priority, mask, alias) }
    }
    unsafe fn SetPriorityForGlobalNotification(&self, mask: u32, alias: PCWSTR) -> HRESULT {
        // SAFETY: as above.
        unsafe { set_priority(&self.registered, |r| &mut r.global_priority, mask, alias) }
    }
}

impl IHttpModuleRegistrationInfo2_Impl for RegistrationInfo {
    unsafe fn SetPriorityForPostRequestNotification(&self, mask: u32, alias: PCWSTR) -> HRESULT {
        // SAFETY: as above.
        unsafe { set_priority(&self.registered, |r| &mut r.post_priority, mask, alias) }
    }
}

/// `IHttpServer` and `IHttpServer2`: what modules may ask of the process. Mostly inert, as
/// in the C++ host; `ReportUnhealthy` and `RecycleProcess` are recorded
/// ([`TestServer::messages`]); `IHttpServer2` is there for `HttpGetExtendedInterface`,
/// which gives a registration info's `IHttpModuleRegistrationInfo2` (every registration
/// info of the test server is one).
///
/// [`TestServer::messages`]: super::TestServer::messages
pub(crate) struct Server {
    pub messages: Arc<Mutex<Vec<String>>>,
    /// `APP_POOL`, NUL-terminated UTF-16.
    app_pool: Vec<u16>,
    /// The address of this server's own C++ object, which `GetExtendedInterface` hands out
    /// as the `IHttpServer2` (set by `TestServer::new` once the object exists).
    pub object: core::sync::atomic::AtomicPtr<c_void>,
    /// The test server's global side, for the `Notify*` methods (gone with the test server).
    pub globals: alloc::sync::Weak<Globals>,
}

impl Server {
    pub fn new(messages: Arc<Mutex<Vec<String>>>, globals: &Arc<Globals>) -> Server {
        Server {
            messages,
            app_pool: APP_POOL.encode_utf16().chain([0]).collect(),
            object: core::sync::atomic::AtomicPtr::new(core::ptr::null_mut()),
            globals: Arc::downgrade(globals),
        }
    }

    fn globals(&self) -> Option<Arc<Globals>> {
        self.globals.upgrade()
    }

    fn message(&self, text: String) {
        lock(&self.messages).push(text);
    }
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpServer_Impl for Server {
    fn IsCommandLineLaunch(&self) -> BOOL {
        TRUE
    }
    fn GetAppPoolName(&self) -> PCWSTR {
        self.app_pool.as_ptr()
    }
    /// Not modelled.
    unsafe fn AssociateWithThreadPool(
        &self,
        _: HANDLE,
        _: LPOVERLAPPED_COMPLETION_ROUTINE,
    ) -> HRESULT {
        E_NOTIMPL
    }
    fn IncrementThreadCount(&self) {}
    fn DecrementThreadCount(&self) {}
    unsafe fn ReportUnhealthy(&self, reason: PCWSTR, _: HRESULT) {
        // SAFETY: IIS's contract: `reason` is null or NUL-terminated.
        let reason = unsafe { wide_string(reason) };
        self.message(alloc::format!(
            "a module reported the process unhealthy: {reason}"
        ));
    }
    unsafe fn RecycleProcess(&self, reason: PCWSTR) {
        // SAFETY: as above.
        let reason = unsafe { wide_string(reason) };
        self.message(alloc::format!("a module asked for a recycle: {reason}"));
    }
    /// Not modelled (no configuration).
    fn GetAdminManager(&self) -> *mut IAppHostAdminManager {
        core::ptr::null_mut()
    }
    /// Not modelled (no files).
    unsafe fn GetFileInfo(
        &self,
        _: PCWSTR,
        _: HANDLE,
        _: PSID,
        _: PCWSTR,
        _: HANDLE,
        _: BOOL,
        _: *mut *mut IHttpFileInfo,
        _: *mut IHttpTraceContext,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled (no cache).
    unsafe fn FlushKernelCache(&self, _: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled (no cache).
    unsafe fn DoCacheOperation(
        &self,
        _: CACHE_OPERATION,
        _: *mut IHttpCacheKey,
        _: *mut *mut IHttpCacheSpecificData,
        _: *mut IHttpTraceContext,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// `GL_CUSTOM_NOTIFICATION` with the module's provider, to the global modules
    /// (`global.rs`); handled if one of them handled it.
    unsafe fn NotifyCustomNotification(
        &self,
        provider: *mut ICustomNotificationProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        match self.globals() {
            Some(globals) => globals.custom_from_module(provider),
            None => GL_NOTIFICATION_CONTINUE,
        }
    }
    /// Not modelled.
    fn GetPerfCounterInfo(&self) -> *mut IHttpPerfCounterInfo {
        core::ptr::null_mut()
    }
    unsafe fn RecycleApplication(&self, _: PCWSTR) {}
    /// `GL_CONFIGURATION_CHANGE` for `path`, to the global modules (`global.rs`).
    unsafe fn NotifyConfigurationChange(&self, path: PCWSTR) {
        // SAFETY: IIS's contract: `path` is null or NUL-terminated.
        let path = unsafe { wide_string(path) };
        if let Some(globals) = self.globals() {
            globals.notify_text(GL_CONFIGURATION_CHANGE, &path);
        }
    }
    /// `GL_FILE_CHANGE` for `file`, to the global modules (`global.rs`).
    unsafe fn NotifyFileChange(&self, file: PCWSTR) {
        // SAFETY: as above.
        let file = unsafe { wide_string(file) };
        if let Some(globals) = self.globals() {
            globals.notify_text(GL_FILE_CHANGE, &file);
        }
    }
    /// Not modelled.
    fn DispenseContainer(&self) -> *mut IDispensedHttpModuleContextContainer {
        core::ptr::null_mut()
    }
    /// Not modelled (no cache).
    unsafe fn AddFragmentToCache(&self, _: *mut HTTP_DATA_CHUNK, _: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled (no cache).
    unsafe fn ReadFragmentFromCache(&self, _: PCWSTR, _: *mut u8, _: u32, _: *mut u32) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled (no cache).
    unsafe fn RemoveFragmentFromCache(&self, _: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn GetWorkerProcessSettings(&self, _: *mut *mut IWpfSettings) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn GetProtocolManagerCustomInterface(
        &self,
        _: PCWSTR,
        _: PCWSTR,
        _: u32,
        _: *mut *mut c_void,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Every precondition is satisfied, and reported as unknown.
    unsafe fn SatisfiesPrecondition(&self, _: PCWSTR, unknown: *mut BOOL) -> BOOL {
        // SAFETY: IIS's contract: `unknown` is null or writable.
        unsafe { put(unknown, TRUE) };
        TRUE
    }
    /// No server-wide trace context.
    fn GetTraceContext(&self) -> *mut IHttpTraceContext {
        core::ptr::null_mut()
    }
    /// Not modelled (no files).
    unsafe fn RegisterFileChangeMonitor(
        &self,
        _: PCWSTR,
        _: HANDLE,
        _: *mut *mut IHttpFileMonitor,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// `HTTP_SERVER_INTERFACE_V2`: this server as an `IHttpServer2`; nothing else.
    unsafe fn GetExtendedInterface(
        &self,
        version: HTTP_SERVER_INTERFACE_VERSION,
        output: *mut *mut c_void,
    ) -> HRESULT {
        let object = self.object.load(core::sync::atomic::Ordering::Acquire);
        if version != HTTP_SERVER_INTERFACE_V2 || object.is_null() {
            return E_NOTIMPL;
        }
        if output.is_null() {
            return crate::runtime::E_POINTER;
        }
        // SAFETY: IIS's contract: a non-null `output` is writable.
        unsafe { put(output, object) };
        S_OK
    }
}

// SAFETY: the test server keeps IIS's contract for what it hands out: pointers into the
// request's objects and memory (or the server's), live until the request ends (or the
// server is dropped), with the lengths of that data.
unsafe impl IHttpServer2_Impl for Server {
    /// Not modelled.
    unsafe fn GetToken(
        &self,
        _: PCWSTR,
        _: PCWSTR,
        _: u32,
        _: *mut *mut IHttpTokenEntry,
        _: PCWSTR,
        _: *mut windows_sys::Win32::Networking::WinSock::SOCKADDR,
        _: *mut IHttpTraceContext,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled: null.
    unsafe fn GetAppPoolConfigFile(&self, _: *mut u32) -> PCWSTR {
        core::ptr::null()
    }
    /// `HttpGetExtendedInterface`: a registration info's `IHttpModuleRegistrationInfo2`
    /// (itself); `E_NOINTERFACE` for anything else.
    unsafe fn GetExtendedInterface_GUID_ref(
        &self,
        from: *const windows_sys::core::GUID,
        input: *mut c_void,
        to: *const windows_sys::core::GUID,
        output: *mut *mut c_void,
    ) -> HRESULT {
        let is = |guid: *const windows_sys::core::GUID, iid: windows_sys::core::GUID| {
            // SAFETY: IIS's contract: a GUID argument is null or readable.
            unsafe { guid.as_ref() }.is_some_and(|g| {
                (g.data1, g.data2, g.data3, g.data4) == (iid.data1, iid.data2, iid.data3, iid.data4)
            })
        };
        if !is(from, IID_IHttpModuleRegistrationInfo)
            || !is(to, IID_IHttpModuleRegistrationInfo2)
            || input.is_null()
        {
            return crate::runtime::E_NOINTERFACE;
        }
        if output.is_null() {
            return crate::runtime::E_POINTER;
        }
        // SAFETY: a non-null `output` is writable (IIS's contract); every registration info
        // of the test server is an IHttpModuleRegistrationInfo2.
        unsafe { put(output, input) };
        S_OK
    }
    /// Not modelled.
    unsafe fn GetMetadata(
        &self,
        _: PCWSTR,
        _: PCWSTR,
        _: *mut *mut IReferencedMetadataInfo,
    ) -> HRESULT {
        E_NOTIMPL
    }
    /// Not modelled.
    unsafe fn GetWorkerProcessFramework(&self, _: *mut *mut IWorkerProcessFramework) -> HRESULT {
        E_NOTIMPL
    }
}
