// An object of a class IIS does not call from several threads (no threading rule: here
// IModuleAllocator) may be implemented by a value holding an `Rc`, so its `Owned` handle
// must not move to another thread.
use httpserv::{IModuleAllocator, IModuleAllocator_Impl};
use std::rc::Rc;

struct Local(Rc<u32>);

impl IModuleAllocator_Impl for Local {
    fn AllocateMemory(&self, _: u32) -> *mut core::ffi::c_void {
        core::ptr::null_mut()
    }
}

fn main() {
    let owned = IModuleAllocator::new(Local(Rc::new(1)));
    std::thread::spawn(move || drop(owned));
}
