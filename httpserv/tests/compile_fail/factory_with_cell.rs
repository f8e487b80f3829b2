// IIS calls a factory's GetHttpModule from many worker threads at once: a factory holding a
// Cell (not Sync) must not compile.
use httpserv::runtime::{HRESULT, S_OK};
use httpserv::*;
use std::cell::Cell;

struct CountingFactory {
    made: Cell<u32>,
}

// SAFETY: it hands out only modules it has just made.
unsafe impl IHttpModuleFactory_Impl for CountingFactory {
    unsafe fn GetHttpModule(&self, _: *mut *mut CHttpModule, _: *mut IModuleAllocator) -> HRESULT {
        self.made.set(self.made.get() + 1);
        S_OK
    }
}

fn main() {}
