// An implementation whose answers a safe method turns into references must be `unsafe impl`:
// here a module context container that hands out a made-up stored context, which the safe
// `module_context` would give out as a reference.
use httpserv::{HTTP_MODULE_ID, IHttpModuleContextContainer_Impl, IHttpStoredContext};

struct Liar;

impl IHttpModuleContextContainer_Impl for Liar {
    unsafe fn GetModuleContext(&self, _: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        core::ptr::dangling_mut()
    }
    unsafe fn SetModuleContext(
        &self,
        _: *mut IHttpStoredContext,
        _: HTTP_MODULE_ID,
    ) -> httpserv::runtime::HRESULT {
        httpserv::runtime::S_OK
    }
}

fn main() {}
