//! A minimal IIS module in Rust, written against the generated `httpserv` crate: a factory
//! registers for RQ_BEGIN_REQUEST, and each request's module sets an `X-Powered-By` response
//! header. Built as a cdylib; on Windows the DLL is what IIS loads (`RegisterModule` export).

use httpserv::runtime::{E_POINTER, HRESULT, S_OK};
use httpserv::windows_sys::Win32::Foundation::TRUE;
use httpserv::*;

struct HeaderModule;

impl CHttpModule_Impl for HeaderModule {
    fn OnBeginRequest(
        &self,
        context: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        const VALUE: &std::ffi::CStr = c"Rust";
        // SAFETY: IIS passes the request's live context; its response lives as long.
        unsafe {
            if let Some(context) = IHttpContext::from_raw(context) {
                if let Some(response) = IHttpResponse::from_raw(context.GetResponse()) {
                    let _ = response.SetHeader(
                        c"X-Powered-By".as_ptr().cast(),
                        VALUE.as_ptr().cast(),
                        VALUE.count_bytes() as u16,
                        TRUE,
                    );
                }
            }
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

struct Factory;

impl IHttpModuleFactory_Impl for Factory {
    fn GetHttpModule(&self, module: *mut *mut CHttpModule, _: *mut IModuleAllocator) -> HRESULT {
        if module.is_null() {
            return E_POINTER;
        }
        // SAFETY: checked non-null; IIS passes a valid out pointer.
        unsafe { *module = CHttpModule::new_boxed(HeaderModule) };
        S_OK
    }
}

httpserv::register_module!(|registration| {
    let factory = IHttpModuleFactory::new_boxed(Factory);
    // SAFETY: IIS's registration info is live during RegisterModule.
    unsafe {
        registration
            .info
            .SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0)
    }
    .ok()
});
