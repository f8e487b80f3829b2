//! A minimal IIS module in Rust, written against the generated `httpserv` crate: a factory
//! registers for RQ_BEGIN_REQUEST, and each request's module sets an `X-Powered-By` response
//! header. Built as a cdylib; on Windows the DLL is what IIS loads (`RegisterModule` export).

use httpserv::runtime::{E_POINTER, HRESULT, S_OK};
use httpserv::*;

struct HeaderModule;

impl CHttpModule_Impl for HeaderModule {
    fn OnBeginRequest(
        &self,
        context: *mut IHttpContext,
        _: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: IIS passes the request's live context, ours alone during the notification.
        if let Some(context) = unsafe { IHttpContext::from_raw_mut(context) } {
            if let Some(response) = context.response_mut() {
                let _ = response.set_header(c"X-Powered-By", b"Rust", true);
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
        // SAFETY: checked non-null; IIS's out pointer receives the new module.
        unsafe { *module = CHttpModule::new(HeaderModule).into_raw() };
        S_OK
    }
}

httpserv::register_module!(|registration| {
    let factory = IHttpModuleFactory::new(Factory);
    registration
        .info
        .set_request_notifications(factory, RQ_BEGIN_REQUEST, 0)
});
