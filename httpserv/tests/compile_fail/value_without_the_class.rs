// The vtable comes from the value's type: a factory value cannot be made into a module.
use httpserv::runtime::{HRESULT, S_OK};
use httpserv::*;

struct Factory;

// SAFETY: it hands out only modules it has just made.
unsafe impl IHttpModuleFactory_Impl for Factory {
    unsafe fn GetHttpModule(&self, _: *mut *mut CHttpModule, _: *mut IModuleAllocator) -> HRESULT {
        S_OK
    }
}

fn main() {
    let _module = CHttpModule::new_boxed(Factory);
}
