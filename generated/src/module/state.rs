//! Typed values stored on a request: a module's own slot of the module context container
//! and the named contexts other modules can find by name. IIS keeps them as
//! `IHttpStoredContext` objects and calls `CleanupStoredContext` when the request ends; here
//! each holds one `Box<dyn Any + Send + Sync>` behind one vtable, a `static` with one address.
//! A stored context is ours exactly when its vtable pointer is that address, so reading a
//! context another module (in C++, or in another Rust DLL) stored is never mistaken for ours,
//! and a value of the wrong type is `None`, never a cast.

use crate::runtime::{self, Object, Owned};
use crate::{IHttpStoredContext, IHttpStoredContext_Impl, IHttpStoredContext_Vtbl};
use alloc::boxed::Box;
use core::any::Any;
use core::ffi::c_void;

/// The Rust value behind every stored context the framework makes.
struct Stored {
    value: Box<dyn Any + Send + Sync>,
}

impl IHttpStoredContext_Impl for Stored {
    // CleanupStoredContext: the release rule drops the value and frees the object.
}

/// The vtable of every [`Stored`] object: a `static`, so its address identifies them.
static STORED_VTABLE: IHttpStoredContext_Vtbl = IHttpStoredContext_Vtbl::new::<Stored>();

/// `value` as a stored context for IIS, owned by Rust until a call takes it.
pub(crate) fn store<T: Send + Sync + 'static>(value: T) -> Owned<IHttpStoredContext> {
    let stored = Stored {
        value: Box::new(value),
    };
    // SAFETY: STORED_VTABLE was built for `Stored` (IHttpStoredContext_Vtbl::new::<Stored>),
    // and the pointer is used as an IHttpStoredContext; release_boxed::<Stored> releases
    // exactly this boxed object.
    unsafe {
        let object = Object::boxed(&STORED_VTABLE, stored).cast::<IHttpStoredContext>();
        Owned::from_parts(object, runtime::release_boxed::<Stored, IHttpStoredContext>)
    }
}

/// The value in `context` if the framework stored it and it is a `T`.
pub(crate) fn stored<T: 'static>(context: &IHttpStoredContext) -> Option<&T> {
    let ours = core::ptr::eq(
        context.vtable.cast::<c_void>(),
        core::ptr::from_ref(&STORED_VTABLE).cast::<c_void>(),
    );
    if !ours {
        return None;
    }
    // SAFETY: only `store` makes objects with STORED_VTABLE, and they are Object<Stored>;
    // the container keeps them alive while `context` is borrowed.
    let stored = unsafe { Object::<Stored>::value_of(context) };
    stored.value.downcast_ref::<T>()
}
