//! A minimal IIS module in Rust, written against the generated `httpserv` crate: a factory
//! registers for RQ_BEGIN_REQUEST, and each request's module sets an `X-Powered-By` response
//! header. Built as a cdylib; on Windows the DLL is what IIS loads (`RegisterModule` export).

use httpserv::runtime::Object;
use httpserv::*;
use windows_sys::core::{BOOL, HRESULT};

/// One per request; IIS calls Dispose when the request is done.
struct HeaderModule;

impl CHttpModule_Impl for HeaderModule {
    fn OnBeginRequest(
        &self,
        context: *mut IHttpContext,
        _provider: *mut IHttpEventProvider,
    ) -> REQUEST_NOTIFICATION_STATUS {
        const NAME: &[u8] = b"X-Powered-By\0";
        const VALUE: &[u8] = b"Rust\0";
        // SAFETY: IIS passes a live context for the duration of the notification; the strings
        // are NUL-terminated statics and the length excludes the terminator.
        unsafe {
            if let Some(context) = IHttpContext::from_raw(context) {
                if let Some(response) = IHttpResponse::from_raw(context.GetResponse()) {
                    let replace: BOOL = 1;
                    let _ = response.SetHeader(
                        NAME.as_ptr(),
                        VALUE.as_ptr(),
                        (VALUE.len() - 1) as u16,
                        replace,
                    );
                }
            }
        }
        RQ_NOTIFICATION_CONTINUE
    }
}

static MODULE_VTBL: CHttpModule_Vtbl = CHttpModule_Vtbl::new::<HeaderModule>();

/// Lives until IIS calls Terminate.
struct Factory;

impl IHttpModuleFactory_Impl for Factory {
    fn GetHttpModule(
        &self,
        module: *mut *mut CHttpModule,
        _allocator: *mut IModuleAllocator,
    ) -> HRESULT {
        if module.is_null() {
            return -2147024809; // E_INVALIDARG
        }
        // SAFETY: MODULE_VTBL is built for HeaderModule; `module` is IIS's out pointer.
        unsafe { *module = Object::new_boxed(&MODULE_VTBL, HeaderModule) as *mut CHttpModule };
        0
    }
}

static FACTORY_VTBL: IHttpModuleFactory_Vtbl = IHttpModuleFactory_Vtbl::new::<Factory>();

/// The DLL entry IIS calls, with the `PFN_REGISTERMODULE` signature.
///
/// # Safety
/// Called by IIS with a live registration info object.
#[no_mangle]
pub unsafe extern "system" fn RegisterModule(
    _server_version: u32,
    info: *mut IHttpModuleRegistrationInfo,
    _server: *mut IHttpServer,
) -> HRESULT {
    let Some(info) = IHttpModuleRegistrationInfo::from_raw(info) else {
        return -2147024809; // E_INVALIDARG
    };
    let factory = Object::new_boxed(&FACTORY_VTBL, Factory) as *mut IHttpModuleFactory;
    info.SetRequestNotifications(factory, RQ_BEGIN_REQUEST, 0)
}

/// The export has exactly the type IIS expects.
const _: PFN_REGISTERMODULE = Some(RegisterModule);
