//! What a request's module and the server hand each other to release, kept as IIS's rules
//! have it: the user a module gives `IAuthenticationProvider::SetUser` (the server owns it
//! from then on and calls its `DereferenceUser` once, when another user replaces it or the
//! request ends), and the contexts `IHttpContext::CloneContext` hands out (the module's until
//! it calls `ReleaseClonedContext` on them, children before their parent; any left are
//! released with the request).
//!
//! A clone is a context over the same request and response as its parent, not a copy of
//! them: enough to hold modules to the ownership protocol, not to run child requests.

use alloc::vec::Vec;
use std::sync::Mutex;

use windows_sys::Win32::Foundation::ERROR_INVALID_PARAMETER;

use super::exchange::{lock, Ptr};
use crate::runtime::HRESULT;
use crate::*;

/// A live clone: its object, and the keys (see `context.rs`) of it and of its parent.
struct Clone {
    context: Ptr<IHttpContext>,
    key: usize,
    parent: usize,
}

/// What one request holds of the objects handed over.
#[derive(Default)]
pub(crate) struct Handed {
    user: Mutex<Option<Ptr<IHttpUser>>>,
    clones: Mutex<Vec<Clone>>,
}

/// IIS's answer to the release of a clone that is not one (or not yet releasable).
pub(crate) fn invalid_parameter() -> HRESULT {
    HRESULT::from_win32(ERROR_INVALID_PARAMETER)
}

impl Handed {
    /// The user a module set, if any.
    pub fn user(&self) -> Option<Ptr<IHttpUser>> {
        *lock(&self.user)
    }

    /// Takes `user` over; a user set before is released (the server is done with it).
    pub fn set_user(&self, user: Ptr<IHttpUser>) {
        let replaced = lock(&self.user).replace(user);
        if let Some(old) = replaced {
            // SAFETY: the module handed the server this user with its one reference, which
            // the server now drops (as IIS does with `DereferenceUser`).
            unsafe { IHttpUser::DereferenceUser(old.get()) };
        }
    }

    /// Records `context`, cloned from the context with key `parent`.
    pub fn add_clone(&self, context: Ptr<IHttpContext>, key: usize, parent: usize) {
        lock(&self.clones).push(Clone {
            context,
            key,
            parent,
        });
    }

    /// Takes the clone with key `key` out, to be released: `ERROR_INVALID_PARAMETER` for a
    /// context that is not a live clone, or one whose own clones are still live.
    pub fn take_clone(&self, key: usize) -> Result<Ptr<IHttpContext>, HRESULT> {
        let mut clones = lock(&self.clones);
        let at = clones
            .iter()
            .position(|c| c.key == key)
            .ok_or_else(invalid_parameter)?;
        if clones.iter().any(|c| c.parent == key) {
            return Err(invalid_parameter());
        }
        Ok(clones.remove(at).context)
    }

    /// What the request still holds, for release as it ends: the user, and the clones a
    /// module did not release (the last made first).
    pub fn take_all(&self) -> (Option<Ptr<IHttpUser>>, Vec<Ptr<IHttpContext>>) {
        let user = lock(&self.user).take();
        let clones = core::mem::take(&mut *lock(&self.clones));
        (user, clones.into_iter().rev().map(|c| c.context).collect())
    }
}
