// An `_Impl` method that takes IIS's raw pointers is `unsafe fn`: IIS calls it through the
// vtable with pointers that keep the header's contract, and the implementation reads and
// writes through them. Safe code calling it directly with made-up pointers must not compile.
use httpserv::runtime::{HRESULT, S_OK};
use httpserv::windows_sys::core::{BOOL, PCSTR, PCWSTR};
use httpserv::windows_sys::Win32::Foundation::HANDLE;
use httpserv::IHttpUser_Impl;

struct Admin;

// SAFETY: every string is null (no user name), which the contract allows.
unsafe impl IHttpUser_Impl for Admin {
    fn GetRemoteUserName(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetUserName(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetAuthenticationType(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetPassword(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetImpersonationToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn GetPrimaryToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn SupportsIsInRole(&self) -> BOOL {
        1
    }
    unsafe fn IsInRole(&self, _: PCWSTR, in_role: *mut BOOL) -> HRESULT {
        // SAFETY: the caller's contract: `in_role` is valid for writes.
        unsafe { in_role.write(1) };
        S_OK
    }
    unsafe fn GetUserVariable(&self, _: PCSTR) -> *mut core::ffi::c_void {
        core::ptr::null_mut()
    }
}

fn main() {
    // A made-up `BOOL *`: the write above would be undefined behaviour.
    let _ = Admin.IsInRole(core::ptr::null(), 1 as *mut BOOL);
}
