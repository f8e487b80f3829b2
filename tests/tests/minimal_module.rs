//! The README's minimal module (tests/examples/minimal_module.rs), driven the way IIS drives
//! it: RegisterModule registers a factory for RQ_BEGIN_REQUEST, the factory makes modules,
//! and a module continues the request and releases itself on Dispose.

#[path = "../examples/minimal_module.rs"]
#[allow(dead_code)]
mod minimal_module;

use httpserv::runtime::Object;
use httpserv::*;
use std::cell::Cell;
use windows_sys::core::{HRESULT, PCWSTR};

#[derive(Default)]
struct Registration {
    factory: Cell<usize>,
    request: Cell<u32>,
    post: Cell<u32>,
}

impl IHttpModuleRegistrationInfo_Impl for Registration {
    fn GetName(&self) -> PCWSTR {
        windows_sys::w!("minimal")
    }
    fn GetId(&self) -> HTTP_MODULE_ID {
        std::ptr::null_mut()
    }
    fn SetRequestNotifications(
        &self,
        factory: *mut IHttpModuleFactory,
        request: u32,
        post: u32,
    ) -> HRESULT {
        self.factory.set(factory as usize);
        self.request.set(request);
        self.post.set(post);
        0
    }
    fn SetGlobalNotifications(&self, _: *mut CGlobalModule, _: u32) -> HRESULT {
        -1
    }
    fn SetPriorityForRequestNotification(&self, _: u32, _: PCWSTR) -> HRESULT {
        -1
    }
    fn SetPriorityForGlobalNotification(&self, _: u32, _: PCWSTR) -> HRESULT {
        -1
    }
}

static REGISTRATION_VTBL: IHttpModuleRegistrationInfo_Vtbl =
    IHttpModuleRegistrationInfo_Vtbl::new::<Registration>();

#[test]
fn register_module_wires_a_factory_for_begin_request() {
    let mut memory = std::mem::MaybeUninit::<Object<Registration>>::uninit();
    // SAFETY: the vtable was built for Registration; the memory outlives the calls below.
    let info = unsafe {
        Object::new_in_place(
            memory.as_mut_ptr().cast(),
            &REGISTRATION_VTBL,
            Registration::default(),
        )
    };
    let registration = unsafe { &(*info).value };
    let hr = unsafe {
        minimal_module::RegisterModule(
            7,
            info as *mut IHttpModuleRegistrationInfo,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(hr, 0);
    assert_eq!(
        (registration.request.get(), registration.post.get()),
        (RQ_BEGIN_REQUEST, 0)
    );

    let factory = unsafe {
        IHttpModuleFactory::from_raw(registration.factory.get() as *mut IHttpModuleFactory)
    }
    .expect("a factory was registered");
    let mut module: *mut CHttpModule = std::ptr::null_mut();
    unsafe {
        assert_eq!(factory.GetHttpModule(&mut module, std::ptr::null_mut()), 0);
        let module = CHttpModule::from_raw(module).expect("a module was created");
        // Without a context the module has nothing to set, and continues.
        assert_eq!(
            module.OnBeginRequest(std::ptr::null_mut(), std::ptr::null_mut()),
            RQ_NOTIFICATION_CONTINUE
        );
        module.Dispose();
        factory.Terminate();
        Object::<Registration>::release(info, false);
    }
}
