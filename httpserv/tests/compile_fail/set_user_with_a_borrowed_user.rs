// IIS keeps the user `SetUser` is given and releases it itself (`DereferenceUser`): lending
// it one the module still owns (and drops at the end of the scope) must not compile, the
// user is moved in.
use httpserv::{IAuthenticationProvider, IHttpUser, IHttpUser_Impl};
use httpserv::windows_sys::core::{BOOL, PCSTR, PCWSTR};
use httpserv::windows_sys::Win32::Foundation::HANDLE;

struct Anonymous;

// SAFETY: every string is null (no user name), which the contract allows.
unsafe impl IHttpUser_Impl for Anonymous {
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
        0
    }
    unsafe fn IsInRole(&self, _: PCWSTR, _: *mut BOOL) -> httpserv::runtime::HRESULT {
        httpserv::runtime::E_NOTIMPL
    }
    unsafe fn GetUserVariable(&self, _: PCSTR) -> *mut core::ffi::c_void {
        core::ptr::null_mut()
    }
}

fn authenticate(provider: &mut IAuthenticationProvider) {
    let user = IHttpUser::new(Anonymous);
    provider.set_user(&user);
}

fn main() {
    let _ = authenticate;
}
