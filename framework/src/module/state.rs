//! Typed values stored on a request: a module's own slot of the module context container
//! and the named contexts other modules can find by name. IIS keeps them as
//! `IHttpStoredContext` objects and calls `CleanupStoredContext` when the request ends.
//!
//! Here every one is an `Object<Stored>` behind one vtable, a `static` with one address, so a
//! stored context is ours exactly when its vtable pointer is that address: a context another
//! module (in C++, or in another Rust DLL) stored is never mistaken for ours, and a value of
//! the wrong type is `None`, never a cast. Like the stored contexts of C++ modules, the object
//! and its value live in one block of the request's memory (`AllocateRequestMemory`, which
//! IIS frees after the cleanup): no heap allocation; the cleanup drops the value. A container
//! with no request behind it (the application's) gets a stored context on the heap instead
//! ([`store_boxed`]), which the cleanup drops and frees; so does a connection's, which outlives
//! the request (an `IHttpConnectionStoredContext` behind a vtable of its own,
//! [`store_on_connection`]).

use crate::runtime::{self, Error, Object, Owned, Result, E_OUTOFMEMORY};
use crate::{
    IHttpConnectionStoredContext, IHttpConnectionStoredContext_Impl,
    IHttpConnectionStoredContext_Vtbl, IHttpContext, IHttpStoredContext, IHttpStoredContext_Impl,
    IHttpStoredContext_Vtbl,
};
use core::alloc::Layout;
use core::any::Any;
use core::ffi::c_void;
use core::ptr::NonNull;

/// The Rust value behind every stored context the framework makes: where its value is.
struct Stored {
    value: NonNull<dyn Any + Send + Sync>,
    /// The value is a `Box` of its own ([`store_boxed`]), freed with it; otherwise it lives
    /// in the request's memory.
    boxed: bool,
}

// SAFETY: the value is `Send + Sync`, and `Stored` owns it (it drops it, once).
unsafe impl Send for Stored {}
// SAFETY: as above.
unsafe impl Sync for Stored {}

impl Drop for Stored {
    /// Run by `CleanupStoredContext`'s release, outside the slot's guard: a panic in the
    /// value's `Drop` is caught and reported here instead of unwinding into IIS (an abort).
    fn drop(&mut self) {
        let (value, boxed) = (self.value.as_ptr(), self.boxed);
        runtime::guard(
            // SAFETY: `store` wrote the value (or `store_boxed` leaked its Box), and only this
            // drop (in CleanupStoredContext, or of an Owned never handed over) ends it; request
            // memory outlives the object. A `Drop` that panics part way still ends it: the
            // rest is dropped while unwinding (and a Box is freed).
            || unsafe {
                if boxed {
                    drop(alloc::boxed::Box::from_raw(value));
                } else {
                    core::ptr::drop_in_place(value);
                }
            },
            |_| (),
        );
    }
}

impl IHttpStoredContext_Impl for Stored {
    // CleanupStoredContext: the release rule drops the value (the memory is the request's).
}

impl IHttpConnectionStoredContext_Impl for Stored {
    /// The client went away: the value stays until IIS cleans the context up, which drops it.
    fn NotifyDisconnect(&self) {}
}

/// The vtable of every [`Stored`] object: a `static`, so its address identifies them.
static STORED_VTABLE: IHttpStoredContext_Vtbl = IHttpStoredContext_Vtbl::new::<Stored>();

/// The vtable of every [`Stored`] object on a connection, as [`STORED_VTABLE`].
static CONNECTION_VTABLE: IHttpConnectionStoredContext_Vtbl =
    IHttpConnectionStoredContext_Vtbl::new::<Stored>();

/// `layout` in the request's memory, aligned (IIS promises no alignment, so this asks for
/// enough to align by hand).
pub(super) fn request_memory(context: &IHttpContext, layout: Layout) -> Result<*mut u8> {
    let size = layout.size().max(1) + layout.align() - 1;
    let size = u32::try_from(size).map_err(|_| Error::from(E_OUTOFMEMORY))?;
    // SAFETY: `context` is the request's live context; the memory lives as long as the
    // request.
    let memory = unsafe { context.AllocateRequestMemory(size) }.cast::<u8>();
    if memory.is_null() {
        return Err(Error::from(E_OUTOFMEMORY));
    }
    Ok(memory.wrapping_add(memory.align_offset(layout.align())))
}

/// `value` as a stored context for IIS, owned by Rust until a call takes it, and where the
/// value is (valid while the stored context is).
pub(crate) fn store<T: Send + Sync + 'static>(
    context: &IHttpContext,
    value: T,
) -> Result<(Owned<IHttpStoredContext>, NonNull<T>)> {
    // One allocation: the object, then the value.
    let (layout, value_offset) = Layout::new::<Object<Stored>>()
        .extend(Layout::new::<T>())
        .map_err(|_| Error::from(E_OUTOFMEMORY))?;
    let object = request_memory(context, layout)?;
    // SAFETY: `object` is aligned for `layout`, in which the value's place is aligned for a
    // T; the memory is the request's, so it outlives the object.
    let value = unsafe {
        let place = object.add(value_offset).cast::<T>();
        place.write(value);
        NonNull::new_unchecked(place)
    };
    let stored = Stored {
        value,
        boxed: false,
    };
    // SAFETY: `object` is aligned memory for an Object<Stored> that outlives it (the
    // request's); STORED_VTABLE was built for `Stored`, and the pointer is used as an
    // IHttpStoredContext; release_in_place::<Stored> drops exactly this object.
    let owned = unsafe {
        let object = Object::in_place(object.cast::<c_void>(), &STORED_VTABLE, stored);
        Owned::from_parts(
            object.cast::<IHttpStoredContext>(),
            runtime::release_in_place::<Stored, IHttpStoredContext>,
        )
    };
    Ok((owned, value))
}

/// `value` as a stored context on the heap, for a container with no request memory behind it
/// (the application's): owned by Rust until a call takes it, and where the value is (valid
/// while the stored context is).
pub(crate) fn store_boxed<T: Send + Sync + 'static>(
    value: T,
) -> (Owned<IHttpStoredContext>, NonNull<T>) {
    // SAFETY: STORED_VTABLE was built for `Stored`, for an IHttpStoredContext.
    unsafe { boxed(&STORED_VTABLE, value) }
}

/// `value` as a connection's stored context, on the heap (the connection outlives the
/// request's memory): as [`store_boxed`].
pub(crate) fn store_on_connection<T: Send + Sync + 'static>(
    value: T,
) -> (Owned<IHttpConnectionStoredContext>, NonNull<T>) {
    // SAFETY: CONNECTION_VTABLE was built for `Stored`, for an IHttpConnectionStoredContext.
    unsafe { boxed(&CONNECTION_VTABLE, value) }
}

/// `value` in a boxed [`Stored`] object behind `vtable`.
///
/// # Safety
/// `vtable` is built for `Stored` and for the class `I`.
unsafe fn boxed<T: Send + Sync + 'static, V, I>(
    vtable: &'static V,
    value: T,
) -> (Owned<I>, NonNull<T>) {
    let typed = NonNull::from(alloc::boxed::Box::leak(alloc::boxed::Box::new(value)));
    let stored = Stored {
        value: typed,
        boxed: true,
    };
    // SAFETY: the caller's guarantee for the vtable; release_boxed::<Stored> drops and frees
    // exactly this object (its CleanupStoredContext releases it the same way: dropped, and
    // freed as it is boxed).
    let owned = unsafe {
        let object = Object::boxed(vtable, stored);
        Owned::from_parts(object.cast::<I>(), runtime::release_boxed::<Stored, I>)
    };
    (owned, typed)
}

/// The value in `context` if the framework stored it and it is a `T`.
pub(crate) fn stored<T: 'static>(context: &IHttpStoredContext) -> Option<&T> {
    // SAFETY: STORED_VTABLE's objects are Object<Stored>.
    unsafe { ours(context, &STORED_VTABLE) }
}

/// The value in a connection's `context` if the framework stored it and it is a `T`.
pub(crate) fn stored_on_connection<T: 'static>(
    context: &IHttpConnectionStoredContext,
) -> Option<&T> {
    // SAFETY: CONNECTION_VTABLE's objects are Object<Stored>.
    unsafe { ours(context, &CONNECTION_VTABLE) }
}

/// The value of `context` if its vtable is `vtable` and the value a `T`.
///
/// # Safety
/// Every object whose vtable pointer is `vtable` is an `Object<Stored>` (only this module
/// makes objects with these statics).
unsafe fn ours<'a, T: 'static, I, V>(context: &'a I, vtable: &'static V) -> Option<&'a T> {
    // SAFETY: `context` is a live object (a reference), so its first word, the vtable
    // pointer, reads.
    let found = unsafe { core::ptr::from_ref(context).cast::<*const c_void>().read() };
    if !core::ptr::eq(found, core::ptr::from_ref(vtable).cast::<c_void>()) {
        return None;
    }
    // SAFETY: the caller's guarantee: an Object<Stored>, whose value lives as long as it
    // does; the container keeps it alive while `context` is borrowed.
    let stored = unsafe { Object::<Stored>::value_of(context) };
    // SAFETY: the value lives as long as its object (see `Stored`'s drop).
    unsafe { stored.value.as_ref() }.downcast_ref::<T>()
}
