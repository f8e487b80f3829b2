//! [`User`]: the user an authentication module establishes for a request, in safe Rust. IIS
//! asks `IHttpUser` for the user's names, how it was authenticated and its roles; `User`
//! answers from strings it owns, through a C++ object (`Owned<IHttpUser>`, `user.into()`)
//! that IIS takes over with `IAuthenticationProvider::set_user` (and releases, on its own
//! threads, when it is done). The `IHttpUser_Impl` behind it is private: its methods take
//! IIS's raw pointers, so safe code must not be able to call them with others. A `User` carries no Windows token: it names a user the module
//! authenticated itself (a custom scheme, a database), not a Windows account, so IIS features
//! that impersonate (the static file handler reading a file as the user, Windows
//! authorization) need a token this type does not give — they treat the request as the
//! module's account does, or refuse it.

use super::context::wide;
use crate::runtime::Owned;
use crate::runtime::{Result, E_INVALIDARG, HRESULT, S_OK};
use crate::{IHttpUser, IHttpUser_Impl};
use alloc::vec::Vec;
use widestring::{U16CStr, U16CString};
use windows_sys::core::{BOOL, PCSTR, PCWSTR};
use windows_sys::Win32::Foundation::{FALSE, HANDLE, TRUE};

/// A user an authentication module established (see the module docs): its name, how it was
/// authenticated (`Basic`, `Bearer`, your scheme's name), and the roles it is in.
///
/// ```
/// use httpserv::module::User;
/// use httpserv::IHttpUser;
/// let user = User::new("alice", "Basic")?.with_roles(["readers", "writers"])?;
/// let user: httpserv::runtime::Owned<IHttpUser> = user.into(); // what `provider.set_user` takes
/// # Ok::<(), httpserv::runtime::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    name: U16CString,
    authentication_type: U16CString,
    /// Empty: the user answers no role question (`SupportsIsInRole` is false).
    roles: Vec<U16CString>,
}

impl User {
    /// A user named `name`, authenticated by `authentication_type`. `E_INVALIDARG` if either
    /// holds a NUL (IIS reads them as C strings).
    pub fn new(name: &str, authentication_type: &str) -> Result<User> {
        Ok(User {
            name: wide(name)?,
            authentication_type: wide(authentication_type)?,
            roles: Vec::new(),
        })
    }

    /// The user with `roles` (compared without regard to case, as Windows compares group
    /// names); `E_INVALIDARG` if one holds a NUL.
    pub fn with_roles<R: AsRef<str>>(mut self, roles: impl IntoIterator<Item = R>) -> Result<User> {
        for role in roles {
            self.roles.push(wide(role.as_ref())?);
        }
        Ok(self)
    }

    /// Whether the user is in `role` (without regard to case).
    pub fn is_in_role(&self, role: &str) -> bool {
        wide(role).is_ok_and(|role| self.is_in_wide_role(&role))
    }

    /// [`Self::is_in_role`] for the UTF-16 name IIS asks with.
    fn is_in_wide_role(&self, role: &U16CStr) -> bool {
        let lower = |unit: u16| match unit {
            0x41..=0x5A => unit + 0x20,
            other => other,
        };
        self.roles.iter().any(|mine| {
            mine.len() == role.len()
                && mine
                    .as_slice()
                    .iter()
                    .zip(role.as_slice())
                    .all(|(&a, &b)| lower(a) == lower(b))
        })
    }
}

impl From<User> for Owned<IHttpUser> {
    /// The C++ `IHttpUser` IIS takes over with `IAuthenticationProvider::set_user`.
    fn from(user: User) -> Owned<IHttpUser> {
        IHttpUser::new(Iis(user))
    }
}

/// A [`User`] as IIS calls it: private, so that only IIS (through the vtable, with its own
/// pointers) calls the `IHttpUser_Impl` methods.
struct Iis(User);

/// The empty string `GetPassword` answers: the module keeps no password IIS could hand on.
const NO_PASSWORD: &[u16] = &[0];

// SAFETY: every string returned is a NUL-terminated one the `User` owns (and so lives as long
// as the object IIS holds), or the static empty string; the tokens are null; `IsInRole`
// writes its out-pointer only when IIS passed one.
unsafe impl IHttpUser_Impl for Iis {
    fn GetRemoteUserName(&self) -> PCWSTR {
        self.0.name.as_ptr()
    }
    fn GetUserName(&self) -> PCWSTR {
        self.0.name.as_ptr()
    }
    fn GetAuthenticationType(&self) -> PCWSTR {
        self.0.authentication_type.as_ptr()
    }
    fn GetPassword(&self) -> PCWSTR {
        NO_PASSWORD.as_ptr()
    }
    fn GetImpersonationToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn GetPrimaryToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn SupportsIsInRole(&self) -> BOOL {
        if self.0.roles.is_empty() {
            FALSE
        } else {
            TRUE
        }
    }
    unsafe fn IsInRole(&self, role: PCWSTR, is_in_role: *mut BOOL) -> HRESULT {
        if role.is_null() || is_in_role.is_null() {
            return E_INVALIDARG;
        }
        // SAFETY: IIS's contract for `IsInRole`: `role` is a NUL-terminated string and
        // `is_in_role` is writable.
        unsafe { answer_is_in_role(&self.0, role, is_in_role) };
        S_OK
    }
    unsafe fn GetUserVariable(&self, _: PCSTR) -> *mut core::ffi::c_void {
        core::ptr::null_mut()
    }
}

/// Writes whether `user` is in `role` to `is_in_role`.
///
/// # Safety
/// `role` must be a NUL-terminated string and `is_in_role` writable.
unsafe fn answer_is_in_role(user: &User, role: PCWSTR, is_in_role: *mut BOOL) {
    // SAFETY: the caller's contract.
    unsafe {
        let role = U16CStr::from_ptr_str(role);
        *is_in_role = if user.is_in_wide_role(role) {
            TRUE
        } else {
            FALSE
        };
    }
}

#[cfg(test)]
mod tests {
    use super::User;
    use widestring::u16cstr;

    #[test]
    fn roles_compare_without_case_and_nul_is_refused() {
        let user = User::new("alice", "Basic")
            .and_then(|user| user.with_roles(["Readers"]))
            .unwrap();
        assert!(user.is_in_role("readers"));
        assert!(!user.is_in_role("reader"));
        assert!(user.is_in_wide_role(u16cstr!("READERS")));
        assert!(User::new("a\0b", "Basic").is_err());
        assert!(User::new("alice", "Basic")
            .unwrap()
            .with_roles(["x\0"])
            .is_err());
    }
}
