//! Implementing IIS classes in Rust with the generated `_Impl` traits and the typed
//! constructors, then calling them through the generated wrappers exactly as C++ would call
//! through the vtable: every slot reaches the intended method, defaults continue, every slot
//! that ends an object's life drops it exactly once, downcasts are checked, and panics return
//! the documented failure value (a request notification answers 500 and traces the panic).

use httpserv::runtime::{self, E_FAIL, E_INVALIDARG, E_POINTER, HRESULT, S_OK};
use httpserv::*;
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// What the Rust objects under test saw happen to them.
#[derive(Default)]
struct Log {
    calls: AtomicUsize,
    drops: AtomicUsize,
    released_by_call: AtomicUsize,
}

impl Log {
    fn count(counter: &AtomicUsize) -> usize {
        counter.load(Ordering::SeqCst)
    }
}

/// Counts its own drop.
struct Tracked(Arc<Log>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.drops.fetch_add(1, Ordering::SeqCst);
    }
}

struct Module(Tracked);

impl CHttpModule_Impl for Module {
    unsafe fn OnBeginRequest(
        &self,
        _: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.0 .0.calls.fetch_add(1, Ordering::SeqCst);
        RQ_NOTIFICATION_FINISH_REQUEST
    }
    fn Dispose(&self) {
        self.0 .0.released_by_call.fetch_add(1, Ordering::SeqCst);
    }
}

fn module(log: &Arc<Log>) -> *mut CHttpModule {
    CHttpModule::new_boxed(Module(Tracked(log.clone())))
}

#[test]
fn module_slots_reach_the_rust_methods() {
    let log = Arc::new(Log::default());
    let raw = module(&log);
    // SAFETY: `raw` is a live object built above; the context pointers are not used.
    let module = unsafe { CHttpModule::from_raw(raw) }.unwrap();
    let null_ctx = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            module.OnBeginRequest(null_ctx, std::ptr::null_mut()),
            RQ_NOTIFICATION_FINISH_REQUEST
        );
        // Not implemented: the default continues, like the C++ base class.
        assert_eq!(
            module.OnEndRequest(null_ctx, std::ptr::null_mut()),
            RQ_NOTIFICATION_CONTINUE
        );
        assert_eq!(
            module.OnPostMapRequestHandler(null_ctx, std::ptr::null_mut()),
            RQ_NOTIFICATION_CONTINUE
        );
    }
    assert_eq!(Log::count(&log.calls), 1);
    // Dispose: the trait hook runs, then the object is dropped and freed.
    unsafe { CHttpModule::Dispose(raw) };
    assert_eq!(Log::count(&log.released_by_call), 1);
    assert_eq!(Log::count(&log.drops), 1);
}

#[test]
fn the_destructor_slot_honours_the_delete_flag() {
    let log = Arc::new(Log::default());
    // `delete p` in C++: scalar deleting destructor with flag 1 drops and frees.
    let raw = module(&log);
    let returned = unsafe { CHttpModule::ScalarDeletingDestructor(raw, 1) };
    assert_eq!(returned, raw as *mut std::ffi::c_void);
    assert_eq!(Log::count(&log.drops), 1);
    assert_eq!(Log::count(&log.released_by_call), 0);

    // In memory Rust does not own (IModuleAllocator::AllocateMemory): drop, never free.
    let mut memory = std::mem::MaybeUninit::<runtime::Object<Module>>::uninit();
    // SAFETY: the memory is sized and aligned for the object and outlives it.
    let raw = unsafe {
        CHttpModule::new_in_place(memory.as_mut_ptr().cast(), Module(Tracked(log.clone())))
    };
    unsafe { CHttpModule::Dispose(raw) };
    assert_eq!(Log::count(&log.drops), 2);
    assert_eq!(Log::count(&log.released_by_call), 1);
}

struct Factory(Tracked);

// SAFETY: what it hands out is null or one of the test's own live objects.
unsafe impl IHttpModuleFactory_Impl for Factory {
    unsafe fn GetHttpModule(
        &self,
        pp_module: *mut *mut CHttpModule,
        _: *mut IModuleAllocator,
    ) -> HRESULT {
        if pp_module.is_null() {
            return E_INVALIDARG;
        }
        // SAFETY: checked non-null; IIS passes a valid out pointer.
        unsafe { *pp_module = module(&self.0 .0) };
        S_OK
    }
}

#[test]
fn factory_creates_modules_and_terminate_releases_it() {
    let log = Arc::new(Log::default());
    let factory = IHttpModuleFactory::new_boxed(Factory(Tracked(log.clone())));
    let factory = unsafe { IHttpModuleFactory::from_raw(factory) }.unwrap();
    let mut module: *mut CHttpModule = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            factory.GetHttpModule(&mut module, std::ptr::null_mut()),
            S_OK
        );
        assert_eq!(
            factory.GetHttpModule(std::ptr::null_mut(), std::ptr::null_mut()),
            E_INVALIDARG
        );
        assert_eq!(
            (*module).OnBeginRequest(std::ptr::null_mut(), std::ptr::null_mut()),
            RQ_NOTIFICATION_FINISH_REQUEST
        );
        CHttpModule::Dispose(module);
        assert_eq!(Log::count(&log.drops), 1, "the module, once");
        IHttpModuleFactory::Terminate(factory.as_raw());
    }
    assert_eq!(Log::count(&log.drops), 2, "then the factory, once");
}

struct Global(#[allow(dead_code)] Tracked);

// SAFETY: what it hands out is null or one of the test's own live objects.
unsafe impl CGlobalModule_Impl for Global {}

struct StoredContext(Tracked);

impl IHttpStoredContext_Impl for StoredContext {}

impl IHttpConnectionStoredContext_Impl for StoredContext {
    fn NotifyDisconnect(&self) {}
}

struct CacheData(#[allow(dead_code)] Tracked);

// SAFETY: what it hands out is null or one of the test's own live objects.
unsafe impl IHttpCacheSpecificData_Impl for CacheData {
    fn GetCacheKey(&self) -> *mut IHttpCacheKey {
        std::ptr::null_mut()
    }
    fn ResetTTL(&self) {}
    unsafe fn DecrementTTL(&self, _: *mut windows_sys::core::BOOL) {}
    fn SetFlushed(&self) {}
    fn GetFlushed(&self) -> windows_sys::core::BOOL {
        0
    }
}

/// Every slot the policy table says ends an object's life drops it exactly once, and the
/// reference-counted one only at its last reference.
#[test]
fn every_release_slot_drops_exactly_once() {
    let log = Arc::new(Log::default());
    let tracked = || Tracked(log.clone());
    let drops = || Log::count(&log.drops);
    unsafe {
        CGlobalModule::Terminate(CGlobalModule::new_boxed(Global(tracked())));
        assert_eq!(drops(), 1, "CGlobalModule::Terminate");
        IHttpStoredContext::CleanupStoredContext(IHttpStoredContext::new_boxed(StoredContext(
            tracked(),
        )));
        assert_eq!(drops(), 2, "IHttpStoredContext::CleanupStoredContext");
        // A derived class releases through the slot its base introduced.
        let connection = IHttpConnectionStoredContext::new_boxed(StoredContext(tracked()));
        IHttpStoredContext::CleanupStoredContext(connection.cast());
        assert_eq!(
            drops(),
            3,
            "IHttpConnectionStoredContext::CleanupStoredContext"
        );

        let data = IHttpCacheSpecificData::new_boxed(CacheData(tracked()));
        (*data).ReferenceCacheData();
        (*data).ReferenceCacheData();
        IHttpCacheSpecificData::DereferenceCacheData(data);
        IHttpCacheSpecificData::DereferenceCacheData(data);
        assert_eq!(drops(), 3, "one of three references is left");
        IHttpCacheSpecificData::DereferenceCacheData(data);
        assert_eq!(drops(), 4, "IHttpCacheSpecificData: the last reference");
    }
}

struct Other;

impl IHttpStoredContext_Impl for Other {}

#[test]
fn a_stored_context_is_downcast_with_a_check() {
    let log = Arc::new(Log::default());
    let context = IHttpStoredContext::new_boxed(StoredContext(Tracked(log.clone())));
    // SAFETY: made by this module's typed constructor above.
    unsafe {
        let found = (*context)
            .downcast::<StoredContext>()
            .expect("the stored type");
        assert!(Arc::ptr_eq(&found.0 .0, &log));
        assert!((*context).downcast::<Other>().is_none(), "another type");
        IHttpStoredContext::CleanupStoredContext(context);
    }
    assert_eq!(Log::count(&log.drops), 1);
}

/// A derived interface implemented in Rust: base slots come from the base trait, and the
/// Deref upcast reaches them.
struct Info;

// SAFETY: what it hands out is null or one of the test's own live objects.
unsafe impl IHttpModuleRegistrationInfo_Impl for Info {
    fn GetName(&self) -> windows_sys::core::PCWSTR {
        windows_sys::w!("rust-module")
    }
    fn GetId(&self) -> HTTP_MODULE_ID {
        std::ptr::null_mut()
    }
    unsafe fn SetRequestNotifications(
        &self,
        _: *mut IHttpModuleFactory,
        request: u32,
        post: u32,
    ) -> HRESULT {
        HRESULT((request + post) as i32)
    }
    unsafe fn SetGlobalNotifications(&self, _: *mut CGlobalModule, global: u32) -> HRESULT {
        HRESULT(global as i32)
    }
    unsafe fn SetPriorityForRequestNotification(
        &self,
        request: u32,
        _: windows_sys::core::PCWSTR,
    ) -> HRESULT {
        HRESULT(request as i32 + 1)
    }
    unsafe fn SetPriorityForGlobalNotification(
        &self,
        global: u32,
        _: windows_sys::core::PCWSTR,
    ) -> HRESULT {
        HRESULT(global as i32 + 2)
    }
}

impl IHttpModuleRegistrationInfo2_Impl for Info {
    unsafe fn SetPriorityForPostRequestNotification(
        &self,
        request: u32,
        _: windows_sys::core::PCWSTR,
    ) -> HRESULT {
        HRESULT(request as i32 + 3)
    }
}

#[test]
fn derived_interfaces_use_base_slots_and_upcast() {
    let raw = IHttpModuleRegistrationInfo2::new_boxed(Info);
    let info2 = unsafe { IHttpModuleRegistrationInfo2::from_raw(raw) }.unwrap();
    let info: &IHttpModuleRegistrationInfo = info2; // zero-cost upcast
    assert_eq!(info.as_raw() as usize, raw as usize);
    unsafe {
        assert!(info.GetId().is_null());
        assert_eq!(
            info.SetRequestNotifications(std::ptr::null_mut(), RQ_BEGIN_REQUEST, RQ_END_REQUEST),
            HRESULT((RQ_BEGIN_REQUEST + RQ_END_REQUEST) as i32)
        );
        assert_eq!(
            info2.SetPriorityForGlobalNotification(GL_APPLICATION_START, PRIORITY_ALIAS_HIGH),
            HRESULT(GL_APPLICATION_START as i32 + 2)
        );
        assert_eq!(
            info2.SetPriorityForPostRequestNotification(7, PRIORITY_ALIAS_LOW),
            HRESULT(10)
        );
        assert_eq!(*info2.GetName(), u16::from(b'r'));
        // No slot of this class ends its life; release it as its owner.
        runtime::Object::<Info>::release(raw, true);
    }
}

/// A C++-side object for the panic test: a vtable with only the slots the failure path calls
/// filled in (the others are never read).
#[repr(C)]
struct FakeObject {
    vtable: *const *const (),
}

thread_local! {
    static STATUS: Cell<(u16, u16)> = const { Cell::new((0, 0)) };
    static TRACED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    static RESPONSE: Cell<*mut IHttpResponse> = const { Cell::new(std::ptr::null_mut()) };
    static TRACE: Cell<*mut IHttpTraceContext> = const { Cell::new(std::ptr::null_mut()) };
}

/// A vtable where only the given (byte offset, function) slots are callable. Entries are
/// pointers (not integers), so the functions keep their provenance (Miri checks that).
fn fake_vtable(slots: &[(usize, *const ())]) -> Vec<*const ()> {
    let mut vtable = vec![std::ptr::null::<()>(); 64];
    for &(offset, function) in slots {
        vtable[offset / std::mem::size_of::<usize>()] = function;
    }
    vtable
}

unsafe extern "system" fn fake_get_response(_: *mut IHttpContext) -> *mut IHttpResponse {
    RESPONSE.with(Cell::get)
}

unsafe extern "system" fn fake_headers_not_sent(_: *const IHttpContext) -> windows_sys::core::BOOL {
    0
}

unsafe extern "system" fn fake_clear(_: *mut IHttpResponse) {}

unsafe extern "system" fn fake_get_trace_context(_: *const IHttpContext) -> *mut IHttpTraceContext {
    TRACE.with(Cell::get)
}

unsafe extern "system" fn fake_set_status(
    _: *mut IHttpResponse,
    status: u16,
    reason: windows_sys::core::PCSTR,
    sub: u16,
    error: HRESULT,
    _: *mut IAppHostConfigException,
    _: windows_sys::core::BOOL,
) -> HRESULT {
    // SAFETY: the failure path passes a NUL-terminated static string.
    let reason = unsafe { std::ffi::CStr::from_ptr(reason.cast()) };
    assert_eq!(reason.to_str().unwrap(), "Internal Server Error");
    assert_eq!(error, E_FAIL);
    STATUS.with(|s| s.set((status, sub)));
    S_OK
}

unsafe extern "system" fn fake_quick_trace(
    _: *mut IHttpTraceContext,
    data: windows_sys::core::PCWSTR,
    _: windows_sys::core::PCWSTR,
    error: HRESULT,
    _: u8,
) -> HRESULT {
    assert_eq!(error, E_FAIL);
    // SAFETY: the failure path passes a NUL-terminated UTF-16 string.
    let text = unsafe { utf16_text(data) };
    TRACED.with(|t| *t.borrow_mut() = text);
    S_OK
}

/// The UTF-16 text at a NUL-terminated pointer.
unsafe fn utf16_text(text: *const u16) -> String {
    let mut len = 0;
    // SAFETY: the caller passes a NUL-terminated string.
    while unsafe { *text.add(len) } != 0 {
        len += 1;
    }
    String::from_utf16(unsafe { std::slice::from_raw_parts(text, len) }).unwrap()
}

struct Panicking;

impl CHttpModule_Impl for Panicking {
    unsafe fn OnAuthorizeRequest(
        &self,
        _: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        panic!("a bug while authorizing");
    }
}

#[test]
fn a_panicking_notification_sets_500_traces_and_finishes_the_request() {
    // What `register_module!`'s RegisterModule installs; no registration runs here.
    runtime::install_request_failure();
    let response_vtbl = fake_vtable(&[
        (
            std::mem::offset_of!(IHttpResponse_Vtbl, SetStatus),
            fake_set_status as *const (),
        ),
        (
            std::mem::offset_of!(IHttpResponse_Vtbl, Clear),
            fake_clear as *const (),
        ),
        (
            std::mem::offset_of!(IHttpResponse_Vtbl, ClearHeaders),
            fake_clear as *const (),
        ),
    ]);
    let response = FakeObject {
        vtable: response_vtbl.as_ptr(),
    };
    RESPONSE.with(|r| r.set(&response as *const FakeObject as *mut IHttpResponse));
    let trace_vtbl = fake_vtable(&[(
        std::mem::offset_of!(IHttpTraceContext_Vtbl, QuickTrace),
        fake_quick_trace as *const (),
    )]);
    let trace = FakeObject {
        vtable: trace_vtbl.as_ptr(),
    };
    TRACE.with(|t| t.set(&trace as *const FakeObject as *mut IHttpTraceContext));
    let context_vtbl = fake_vtable(&[
        (
            std::mem::offset_of!(IHttpContext_Vtbl, GetResponse),
            fake_get_response as *const (),
        ),
        (
            std::mem::offset_of!(IHttpContext_Vtbl, GetTraceContext),
            fake_get_trace_context as *const (),
        ),
        (
            std::mem::offset_of!(IHttpContext_Vtbl, GetResponseHeadersSent),
            fake_headers_not_sent as *const (),
        ),
    ]);
    let context = FakeObject {
        vtable: context_vtbl.as_ptr(),
    };
    let module = CHttpModule::new_boxed(Panicking);
    let status = unsafe {
        (*module).OnAuthorizeRequest(
            &context as *const FakeObject as *mut IHttpContext,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
    assert_eq!(STATUS.with(Cell::get), (500, 0));
    let traced = TRACED.with(|t| t.borrow().clone());
    assert!(
        traced.starts_with("httpserv: panicked at tests/tests/implement.rs:")
            && traced.ends_with(": a bug while authorizing"),
        "{traced}"
    );
    // Without a context there is nothing to set; the request still finishes.
    let status =
        unsafe { (*module).OnAuthorizeRequest(std::ptr::null_mut(), std::ptr::null_mut()) };
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
    unsafe { CHttpModule::Dispose(module) };
}

#[test]
fn registration_is_guarded() {
    let info = IHttpModuleRegistrationInfo::new_boxed(Info);
    // IIS's server is only passed through; any live object stands in for it here.
    let server = info.cast::<IHttpServer>();
    unsafe {
        assert_eq!(
            runtime::register(7, info, server, |registration| {
                assert_eq!(registration.server_version, 7);
                registration
                    .info
                    .SetRequestNotifications(std::ptr::null_mut(), 0, 0)
                    .ok()
            }),
            S_OK
        );
        assert_eq!(
            runtime::register(7, info, server, |_| Err(E_INVALIDARG.into())),
            E_INVALIDARG
        );
        assert_eq!(
            runtime::register(7, info, server, |_| panic!("a bug while registering")),
            E_FAIL
        );
        assert_eq!(
            runtime::register(7, std::ptr::null_mut(), server, |_| Ok(())),
            E_POINTER
        );
        runtime::Object::<Info>::release(info, true);
    }
}

thread_local! {
    static SERVER2: Cell<*mut IHttpServer2> = const { Cell::new(std::ptr::null_mut()) };
    static EXTENDED: Cell<*mut std::ffi::c_void> = const { Cell::new(std::ptr::null_mut()) };
}

unsafe extern "system" fn fake_server_extended(
    _: *mut IHttpServer,
    version: HTTP_SERVER_INTERFACE_VERSION,
    out: *mut *mut std::ffi::c_void,
) -> HRESULT {
    assert_eq!(version, HTTP_SERVER_INTERFACE_V2);
    unsafe { *out = SERVER2.with(Cell::get).cast() };
    S_OK
}

unsafe extern "system" fn fake_server2_extended(
    _: *mut IHttpServer2,
    from: *const windows_sys::core::GUID,
    object: *mut std::ffi::c_void,
    to: *const windows_sys::core::GUID,
    out: *mut *mut std::ffi::c_void,
) -> HRESULT {
    let (from, to) = unsafe { (&*from, &*to) };
    // This fake server knows one extension: IHttpResponse → IHttpResponse4.
    if guid(from) == guid(&IID_IHttpResponse) && guid(to) == guid(&IID_IHttpResponse4) {
        EXTENDED.with(|e| e.set(object));
        unsafe { *out = object };
        S_OK
    } else {
        httpserv::runtime::E_NOINTERFACE
    }
}

fn guid(g: &windows_sys::core::GUID) -> (u32, u16, u16, [u8; 8]) {
    (g.data1, g.data2, g.data3, g.data4)
}

/// `server.extended::<I>(object)` is C++'s `HttpGetExtendedInterface`: IHttpServer2 is asked
/// for `I` by the classes' uuids.
#[test]
fn extended_interfaces_are_asked_for_by_uuid() {
    let server2_vtbl = fake_vtable(&[(
        std::mem::offset_of!(IHttpServer2_Vtbl, GetExtendedInterface_GUID_ref),
        fake_server2_extended as *const (),
    )]);
    let server2 = FakeObject {
        vtable: server2_vtbl.as_ptr(),
    };
    SERVER2.with(|s| s.set(&server2 as *const FakeObject as *mut IHttpServer2));
    let server_vtbl = fake_vtable(&[(
        std::mem::offset_of!(IHttpServer_Vtbl, GetExtendedInterface),
        fake_server_extended as *const (),
    )]);
    let server = FakeObject {
        vtable: server_vtbl.as_ptr(),
    };
    let server = unsafe { IHttpServer::from_raw(&server as *const FakeObject as *mut _) }.unwrap();
    let response_object = FakeObject {
        vtable: std::ptr::null(),
    };
    let response =
        unsafe { IHttpResponse::from_raw(&response_object as *const FakeObject as *mut _) }
            .unwrap();
    let response4 = server.extended::<IHttpResponse4>(response).unwrap();
    assert!(std::ptr::eq(
        response4.as_raw().cast::<FakeObject>(),
        &response_object
    ));
    assert!(server.extended::<IHttpResponse3>(response).is_none());
}

/// An `Owned` object moves to (and is shared with) other threads exactly when IIS's
/// threading rule makes every implementation of its class `Send` (and `Sync`); the
/// compile-fail case `owned_without_a_thread_rule_stays_on_its_thread` shows the other side.
#[test]
fn owned_objects_cross_threads_as_their_class_allows() {
    fn send<T: Send>() {}
    fn sync<T: Sync>() {}
    send::<runtime::Owned<CHttpModule>>();
    send::<runtime::Owned<IHttpModuleFactory>>();
    sync::<runtime::Owned<IHttpModuleFactory>>();
    send::<runtime::Owned<CGlobalModule>>();
    sync::<runtime::Owned<IHttpStoredContext>>();
    // Derived classes follow their base's rule.
    sync::<runtime::Owned<IHttpConnectionStoredContext>>();
}
