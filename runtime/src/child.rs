//! [`Child`]: an object a C++ parent hands out for the caller to release (a cloned
//! `IHttpContext`, released by its `ReleaseClonedContext`). The guard derefs to the object,
//! calls its release exactly once (when dropped, or through [`Child::release`] to see the
//! result), and holds the exclusive borrow of the parent until then: the object cannot be
//! used after its release, cannot outlive its parent, and children of one parent are released
//! before it, in the reverse order of their making, as borrows end.

use core::marker::PhantomData;
use core::ptr::NonNull;

use crate::{Result, HRESULT};

/// An object `P` handed out for the caller to release: derefs to `I`; dropping it releases
/// the object (a failed release is ignored; [`Child::release`] reports it). The generated
/// idiomatic methods return one where the knowledge table says the caller releases what it
/// was given (`clone_context`).
///
/// The parent stays reachable through the guard ([`Child::parent`], [`Child::parts`]), so
/// a call on the parent that takes the child (`parent.execute_request(child, …)`) is
/// possible while the child lives.
pub struct Child<'a, P, I> {
    parent: &'a mut P,
    object: NonNull<I>,
    release: unsafe fn(*mut I) -> HRESULT,
    /// The guard owns the object as `&mut I` would borrow it (invariant, not `Send`/`Sync`).
    _object: PhantomData<&'a mut I>,
}

impl<'a, P, I> Child<'a, P, I> {
    /// Takes charge of `object`, handed out by `parent`, to be released by `release`.
    ///
    /// # Safety
    /// `object` is a live object, distinct from `parent`, that nothing else uses until
    /// `release` is called on it, valid for as long as `parent` is (`'a`); `release` ends its
    /// life and may be called on it once.
    pub unsafe fn new(
        parent: &'a mut P,
        object: NonNull<I>,
        release: unsafe fn(*mut I) -> HRESULT,
    ) -> Child<'a, P, I> {
        Child {
            parent,
            object,
            release,
            _object: PhantomData,
        }
    }

    /// The parent, while the child lives.
    pub fn parent(&mut self) -> &mut P {
        self.parent
    }

    /// The parent and the child at once (distinct objects), for a call on one that takes the
    /// other.
    pub fn parts(&mut self) -> (&mut P, &mut I) {
        // SAFETY: the object is live until released, which only consuming or dropping the
        // guard does, and distinct from the parent (the contract of `new`).
        (self.parent, unsafe { self.object.as_mut() })
    }

    /// Releases the object now and reports how that went; the parent's borrow ends.
    pub fn release(self) -> Result<()> {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: the object is live and released once: `this` is never dropped.
        unsafe { (this.release)(this.object.as_ptr()) }.ok()
    }
}

impl<P, I> core::ops::Deref for Child<'_, P, I> {
    type Target = I;
    fn deref(&self) -> &I {
        // SAFETY: live until released, which only consuming or dropping the guard does.
        unsafe { self.object.as_ref() }
    }
}

impl<P, I> core::ops::DerefMut for Child<'_, P, I> {
    fn deref_mut(&mut self) -> &mut I {
        // SAFETY: as for `deref`; the guard is the object's only user (the contract of `new`).
        unsafe { self.object.as_mut() }
    }
}

impl<P, I> Drop for Child<'_, P, I> {
    fn drop(&mut self) {
        // SAFETY: the object is live and this is its one release. A failure (the parent
        // already gone) is nothing a drop could act on.
        let _ = unsafe { (self.release)(self.object.as_ptr()) };
    }
}

#[cfg(test)]
mod tests {
    use super::Child;
    use crate::{E_FAIL, HRESULT, S_OK};
    use alloc::boxed::Box;
    use core::ptr::NonNull;
    use core::sync::atomic::{AtomicUsize, Ordering};

    /// A child that counts its releases in `RELEASES` and fails when it holds 0.
    struct Leaf(u32);
    static RELEASES: AtomicUsize = AtomicUsize::new(0);

    /// # Safety
    /// `leaf` came from `Box::into_raw` and is released once.
    unsafe fn release(leaf: *mut Leaf) -> HRESULT {
        RELEASES.fetch_add(1, Ordering::SeqCst);
        // SAFETY: the caller's guarantee.
        let leaf = unsafe { Box::from_raw(leaf) };
        if leaf.0 == 0 {
            E_FAIL
        } else {
            S_OK
        }
    }

    fn leaf(value: u32) -> NonNull<Leaf> {
        NonNull::from(Box::leak(Box::new(Leaf(value))))
    }

    #[test]
    fn a_child_is_released_once_by_drop_or_by_release_and_reaches_its_parent() {
        let mut parent = 7u32;
        // SAFETY: a fresh boxed leaf, released once by `release`.
        let mut child = unsafe { Child::new(&mut parent, leaf(1), release) };
        let (parent_ref, leaf_ref) = child.parts();
        *parent_ref += 1;
        leaf_ref.0 += 1;
        assert_eq!((*child.parent(), child.0), (8, 2));
        drop(child);
        assert_eq!(RELEASES.load(Ordering::SeqCst), 1);
        // SAFETY: as above.
        let failing = unsafe { Child::new(&mut parent, leaf(0), release) };
        assert_eq!(failing.release().unwrap_err().code(), E_FAIL);
        assert_eq!(RELEASES.load(Ordering::SeqCst), 2);
        assert_eq!(parent, 8);
    }
}
