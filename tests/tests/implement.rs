//! Implementing IIS classes in Rust with the generated `_Impl` traits and `Vtbl::new`, then
//! calling them through the generated wrappers exactly as C++ would call through the vtable:
//! every slot reaches the intended method, defaults continue, Dispose/Terminate and the
//! destructor release what Rust owns, and panics return the documented failure value.

use httpserv::runtime::Object;
use httpserv::*;
use std::cell::Cell;
use std::rc::Rc;

#[derive(Default)]
struct Log {
    calls: Cell<u32>,
    drops: Cell<u32>,
    disposed: Cell<u32>,
}

struct Module {
    log: Rc<Log>,
}

impl Drop for Module {
    fn drop(&mut self) {
        self.log.drops.set(self.log.drops.get() + 1);
    }
}

impl CHttpModule_Impl for Module {
    fn OnBeginRequest(
        &self,
        _: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        self.log.calls.set(self.log.calls.get() + 1);
        RQ_NOTIFICATION_FINISH_REQUEST
    }
    fn OnSendResponse(
        &self,
        _: *mut IHttpContext,
        _: *mut ISendResponseProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        panic!("a bug in the module");
    }
    fn Dispose(&self) {
        self.log.disposed.set(self.log.disposed.get() + 1);
    }
}

static MODULE_VTBL: CHttpModule_Vtbl = CHttpModule_Vtbl::new::<Module>();

fn boxed_module(log: &Rc<Log>) -> *mut CHttpModule {
    // SAFETY: MODULE_VTBL was built for Module.
    unsafe { Object::new_boxed(&MODULE_VTBL, Module { log: log.clone() }) as *mut CHttpModule }
}

#[test]
fn module_slots_reach_the_rust_methods() {
    let log = Rc::new(Log::default());
    let raw = boxed_module(&log);
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
        // A panic does not unwind into the caller: the request is finished instead.
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        assert_eq!(
            module.OnSendResponse(null_ctx, std::ptr::null_mut()),
            RQ_NOTIFICATION_FINISH_REQUEST
        );
        std::panic::set_hook(previous);
    }
    assert_eq!(log.calls.get(), 1);
    // Dispose: the trait hook runs, then the object is dropped and freed.
    unsafe { module.Dispose() };
    assert_eq!((log.disposed.get(), log.drops.get()), (1, 1));
}

#[test]
fn the_destructor_slot_honours_the_delete_flag() {
    let log = Rc::new(Log::default());
    // `delete p` in C++: scalar deleting destructor with flag 1 drops and frees.
    let raw = boxed_module(&log);
    let returned = unsafe { (*raw).ScalarDeletingDestructor(1) };
    assert_eq!(returned, raw as *mut std::ffi::c_void);
    assert_eq!((log.drops.get(), log.disposed.get()), (1, 0));

    // In memory Rust does not own (IModuleAllocator::AllocateMemory): drop, never free.
    let mut memory = std::mem::MaybeUninit::<Object<Module>>::uninit();
    let raw = unsafe {
        Object::new_in_place(
            memory.as_mut_ptr().cast(),
            &MODULE_VTBL,
            Module { log: log.clone() },
        )
    } as *mut CHttpModule;
    unsafe { (*raw).Dispose() };
    assert_eq!((log.drops.get(), log.disposed.get()), (2, 1));
}

struct Factory {
    log: Rc<Log>,
}

impl Drop for Factory {
    fn drop(&mut self) {
        self.log.drops.set(self.log.drops.get() + 100);
    }
}

impl IHttpModuleFactory_Impl for Factory {
    fn GetHttpModule(
        &self,
        pp_module: *mut *mut CHttpModule,
        _: *mut IModuleAllocator,
    ) -> windows_sys::core::HRESULT {
        if pp_module.is_null() {
            return -2147024809; // E_INVALIDARG
        }
        // SAFETY: checked non-null; IIS passes a valid out pointer.
        unsafe { *pp_module = boxed_module(&self.log) };
        0
    }
}

static FACTORY_VTBL: IHttpModuleFactory_Vtbl = IHttpModuleFactory_Vtbl::new::<Factory>();

#[test]
fn factory_creates_modules_and_terminate_releases_it() {
    let log = Rc::new(Log::default());
    let factory = unsafe { Object::new_boxed(&FACTORY_VTBL, Factory { log: log.clone() }) }
        as *mut IHttpModuleFactory;
    let factory = unsafe { IHttpModuleFactory::from_raw(factory) }.unwrap();
    let mut module: *mut CHttpModule = std::ptr::null_mut();
    unsafe {
        assert_eq!(factory.GetHttpModule(&mut module, std::ptr::null_mut()), 0);
        assert_eq!(
            factory.GetHttpModule(std::ptr::null_mut(), std::ptr::null_mut()),
            -2147024809
        );
        assert_eq!(
            (*module).OnBeginRequest(std::ptr::null_mut(), std::ptr::null_mut()),
            RQ_NOTIFICATION_FINISH_REQUEST
        );
        (*module).Dispose();
        factory.Terminate();
    }
    assert_eq!(log.calls.get(), 1);
    assert_eq!(
        log.drops.get(),
        101,
        "module dropped once, factory dropped once"
    );
}

/// A derived interface implemented in Rust: base slots come from the base trait, and the
/// Deref upcast reaches them.
struct Info;

impl IHttpModuleRegistrationInfo_Impl for Info {
    fn GetName(&self) -> windows_sys::core::PCWSTR {
        windows_sys::w!("rust-module")
    }
    fn GetId(&self) -> HTTP_MODULE_ID {
        0x1234 as HTTP_MODULE_ID
    }
    fn SetRequestNotifications(
        &self,
        _: *mut IHttpModuleFactory,
        request: u32,
        post: u32,
    ) -> windows_sys::core::HRESULT {
        (request + post) as i32
    }
    fn SetGlobalNotifications(
        &self,
        _: *mut CGlobalModule,
        global: u32,
    ) -> windows_sys::core::HRESULT {
        global as i32
    }
    fn SetPriorityForRequestNotification(
        &self,
        request: u32,
        _: windows_sys::core::PCWSTR,
    ) -> windows_sys::core::HRESULT {
        request as i32 + 1
    }
    fn SetPriorityForGlobalNotification(
        &self,
        global: u32,
        _: windows_sys::core::PCWSTR,
    ) -> windows_sys::core::HRESULT {
        global as i32 + 2
    }
}

impl IHttpModuleRegistrationInfo2_Impl for Info {
    fn SetPriorityForPostRequestNotification(
        &self,
        request: u32,
        _: windows_sys::core::PCWSTR,
    ) -> windows_sys::core::HRESULT {
        request as i32 + 3
    }
}

static INFO2_VTBL: IHttpModuleRegistrationInfo2_Vtbl =
    IHttpModuleRegistrationInfo2_Vtbl::new::<Info>();

#[test]
fn derived_interfaces_use_base_slots_and_upcast() {
    let mut memory = std::mem::MaybeUninit::<Object<Info>>::uninit();
    let raw = unsafe { Object::new_in_place(memory.as_mut_ptr().cast(), &INFO2_VTBL, Info) }
        as *mut IHttpModuleRegistrationInfo2;
    let info2 = unsafe { IHttpModuleRegistrationInfo2::from_raw(raw) }.unwrap();
    let info: &IHttpModuleRegistrationInfo = info2; // zero-cost upcast
    assert_eq!(info.as_raw() as usize, raw as usize);
    unsafe {
        assert_eq!(info.GetId() as usize, 0x1234);
        assert_eq!(
            info.SetRequestNotifications(std::ptr::null_mut(), RQ_BEGIN_REQUEST, RQ_END_REQUEST),
            (RQ_BEGIN_REQUEST + RQ_END_REQUEST) as i32
        );
        assert_eq!(
            info2.SetPriorityForGlobalNotification(GL_APPLICATION_START, PRIORITY_ALIAS_HIGH),
            GL_APPLICATION_START as i32 + 2
        );
        assert_eq!(
            info2.SetPriorityForPostRequestNotification(7, PRIORITY_ALIAS_LOW),
            10
        );
        let name = info2.GetName();
        assert_eq!(*name, 'r' as u16);
    }
}

/// A C++-side object for the panic test: a vtable with only the slots the failure path calls
/// filled in (the others are never read).
#[repr(C)]
struct FakeObject {
    vtable: *const usize,
}

thread_local! {
    static STATUS: Cell<(u16, u16)> = const { Cell::new((0, 0)) };
    static RESPONSE: Cell<usize> = const { Cell::new(0) };
}

/// A vtable of `slots` entries where only `slot` is callable.
fn fake_vtable(slot: usize, function: usize) -> Vec<usize> {
    let mut slots = vec![0usize; 64];
    slots[slot / std::mem::size_of::<usize>()] = function;
    slots
}

unsafe extern "system" fn fake_get_response(_: *mut IHttpContext) -> *mut IHttpResponse {
    RESPONSE.with(Cell::get) as *mut IHttpResponse
}

unsafe extern "system" fn fake_set_status(
    _: *mut IHttpResponse,
    status: u16,
    reason: windows_sys::core::PCSTR,
    sub: u16,
    error: windows_sys::core::HRESULT,
    _: *mut IAppHostConfigException,
    _: windows_sys::core::BOOL,
) -> windows_sys::core::HRESULT {
    // SAFETY: the failure path passes a NUL-terminated static string.
    let reason = unsafe { std::ffi::CStr::from_ptr(reason.cast()) };
    assert_eq!(reason.to_str().unwrap(), "Internal Server Error");
    assert_eq!(error, -2147467259, "E_FAIL");
    STATUS.with(|s| s.set((status, sub)));
    0
}

struct Panicking;

impl CHttpModule_Impl for Panicking {
    fn OnAuthorizeRequest(
        &self,
        _: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        panic!("a bug while authorizing");
    }
}

static PANICKING_VTBL: CHttpModule_Vtbl = CHttpModule_Vtbl::new::<Panicking>();

#[test]
fn a_panicking_notification_sets_500_and_finishes_the_request() {
    let response_vtbl = fake_vtable(
        std::mem::offset_of!(IHttpResponse_Vtbl, SetStatus),
        fake_set_status as *const () as usize,
    );
    let response = FakeObject {
        vtable: response_vtbl.as_ptr(),
    };
    RESPONSE.with(|r| r.set(&response as *const FakeObject as usize));
    let context_vtbl = fake_vtable(
        std::mem::offset_of!(IHttpContext_Vtbl, GetResponse),
        fake_get_response as *const () as usize,
    );
    let context = FakeObject {
        vtable: context_vtbl.as_ptr(),
    };
    let mut memory = std::mem::MaybeUninit::<Object<Panicking>>::uninit();
    let module =
        unsafe { Object::new_in_place(memory.as_mut_ptr().cast(), &PANICKING_VTBL, Panicking) }
            as *mut CHttpModule;
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let status = unsafe {
        (*module).OnAuthorizeRequest(
            &context as *const FakeObject as *mut IHttpContext,
            std::ptr::null_mut(),
        )
    };
    std::panic::set_hook(previous);
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
    assert_eq!(STATUS.with(Cell::get), (500, 0));
    // Without a context there is nothing to set; the request still finishes.
    std::panic::set_hook(Box::new(|_| {}));
    let status =
        unsafe { (*module).OnAuthorizeRequest(std::ptr::null_mut(), std::ptr::null_mut()) };
    let _ = std::panic::take_hook();
    assert_eq!(status, RQ_NOTIFICATION_FINISH_REQUEST);
    unsafe { (*module).Dispose() };
}
