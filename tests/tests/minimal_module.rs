//! The README's minimal module (tests/examples/minimal_module.rs), driven the way IIS drives
//! it: RegisterModule registers a factory for RQ_BEGIN_REQUEST, the factory makes modules,
//! and a module continues the request and releases itself on Dispose.

#[path = "../examples/minimal_module.rs"]
#[allow(dead_code)]
mod minimal_module;

use httpserv::runtime::{E_NOTIMPL, HRESULT, S_OK};
use httpserv::*;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use windows_sys::core::PCWSTR;

/// What the module registered.
#[derive(Default)]
struct Registration {
    factory: AtomicUsize,
    request: AtomicU32,
    post: AtomicU32,
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
        self.factory.store(factory as usize, Ordering::SeqCst);
        self.request.store(request, Ordering::SeqCst);
        self.post.store(post, Ordering::SeqCst);
        S_OK
    }
    fn SetGlobalNotifications(&self, _: *mut CGlobalModule, _: u32) -> HRESULT {
        E_NOTIMPL
    }
    fn SetPriorityForRequestNotification(&self, _: u32, _: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
    fn SetPriorityForGlobalNotification(&self, _: u32, _: PCWSTR) -> HRESULT {
        E_NOTIMPL
    }
}

#[test]
fn register_module_wires_a_factory_for_begin_request() {
    let info = IHttpModuleRegistrationInfo::new_boxed(Registration::default());
    // SAFETY: made by the typed constructor above, with a Registration.
    let registration = unsafe { (*info).downcast::<Registration>() }.unwrap();
    // The module only passes the server through; any live object stands in for it here.
    let server = info.cast::<IHttpServer>();
    let hr = unsafe { minimal_module::RegisterModule(7, info, server) };
    assert_eq!(hr, S_OK);
    assert_eq!(
        (
            registration.request.load(Ordering::SeqCst),
            registration.post.load(Ordering::SeqCst)
        ),
        (RQ_BEGIN_REQUEST, 0)
    );

    let factory = registration.factory.load(Ordering::SeqCst) as *mut IHttpModuleFactory;
    let factory = unsafe { IHttpModuleFactory::from_raw(factory) }.expect("a factory");
    let mut module: *mut CHttpModule = std::ptr::null_mut();
    unsafe {
        assert_eq!(
            factory.GetHttpModule(&mut module, std::ptr::null_mut()),
            S_OK
        );
        let module = CHttpModule::from_raw(module).expect("a module was created");
        // Without a context the module has nothing to set, and continues.
        assert_eq!(
            module.OnBeginRequest(std::ptr::null_mut(), std::ptr::null_mut()),
            RQ_NOTIFICATION_CONTINUE
        );
        CHttpModule::Dispose(module.as_raw());
        IHttpModuleFactory::Terminate(factory.as_raw());
    }
}
