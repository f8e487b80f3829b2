//! [`Object`]: a Rust value behind a C++ vtable pointer, the heap layout every Rust
//! implementation of an IIS class has, and how C++ ends its life. The typed constructors
//! the generator writes for each class (`CHttpModule::new_boxed(value)`) pick the vtable from
//! the value's type, so a value, its vtable and the interface pointer always agree; the
//! functions here are what those constructors and the vtable thunks call.
//!
//! The pointer a thunk receives is the one the object was made with, passed through C++ or
//! through a `&IFoo`. Every class struct holds an `UnsafeCell` beside its vtable pointer (an
//! object's own code changes what follows it), so a `&IFoo` makes no promise that the memory
//! behind it stays unchanged, and the pointer a thunk gets from one keeps the object's
//! provenance: the functions here reach the `Object<T>` from it with a plain cast, no
//! integer round trip (Miri checks this with strict provenance and Tree Borrows).

use core::any::TypeId;
use core::ffi::c_void;
use core::sync::atomic::{fence, AtomicU32, Ordering};

/// Where an [`Object`] lives, which decides what releasing it does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Allocation {
    /// On the heap (`new_boxed`): released by dropping and freeing.
    Boxed,
    /// In memory the Rust side does not own (e.g. from `IModuleAllocator::AllocateMemory`,
    /// freed by IIS with the request): released by dropping only.
    InPlace,
}

/// A Rust value behind a C++ vtable: the vtable pointer first, as C++ expects, then what
/// the Rust side needs to release and identify the object, then the value. The thunks built
/// by `Foo_Vtbl::new::<T>()` find `T` here.
#[repr(C)]
pub struct Object<T> {
    vtable: *const c_void,
    allocation: Allocation,
    /// For classes IIS reference-counts (`IHttpCacheSpecificData`); 1 at creation.
    references: AtomicU32,
    /// `T`'s type, for checked downcasts.
    type_id: TypeId,
    value: T,
}

impl<T: 'static> Object<T> {
    fn with(vtable: *const c_void, allocation: Allocation, value: T) -> Object<T> {
        Object {
            vtable,
            allocation,
            references: AtomicU32::new(1),
            type_id: TypeId::of::<T>(),
            value,
        }
    }

    /// Moves `value` to the heap behind `vtable`; returns the C++ object pointer.
    ///
    /// # Safety
    /// `vtable` must have been built for `T` (`Foo_Vtbl::new::<T>()`), and the pointer used
    /// as the class of that vtable. The typed constructors (`Foo::new_boxed`) guarantee both.
    pub unsafe fn boxed<V>(vtable: &'static V, value: T) -> *mut c_void {
        let object = Object::with(
            vtable as *const V as *const c_void,
            Allocation::Boxed,
            value,
        );
        alloc::boxed::Box::into_raw(alloc::boxed::Box::new(object)).cast()
    }

    /// Writes the object into `memory` (for example from `IModuleAllocator::AllocateMemory`)
    /// and returns the C++ object pointer; releasing it drops `value` but never frees
    /// `memory`.
    ///
    /// # Safety
    /// `memory` must be valid for writes of `size_of::<Object<T>>()` bytes, aligned for
    /// `Object<T>`, and outlive the object; `vtable` as for [`Object::boxed`].
    pub unsafe fn in_place<V>(memory: *mut c_void, vtable: &'static V, value: T) -> *mut c_void {
        let object = Object::with(
            vtable as *const V as *const c_void,
            Allocation::InPlace,
            value,
        );
        // SAFETY: the caller guarantees `memory` is valid and aligned for an Object<T>.
        unsafe { memory.cast::<Object<T>>().write(object) };
        memory
    }
}

/// The `Object<T>` a C++ `this` pointer starts: the vtable pointer is its first field.
fn object_at<T, I>(this: *const I) -> *mut Object<T> {
    this.cast_mut().cast()
}

impl<T> Object<T> {
    /// The value behind a C++ `this` pointer (what the thunks call the trait method on).
    ///
    /// # Safety
    /// `this` must point at a live `Object<T>` for `'a`.
    pub unsafe fn value_of<'a, I>(this: *const I) -> &'a T {
        // SAFETY: the caller guarantees `this` is a live Object<T>.
        unsafe { &(*object_at::<T, I>(this)).value }
    }

    /// Drops the value and, when `free` is set and the object was boxed, frees it.
    ///
    /// # Safety
    /// `this` must point at a live `Object<T>`, never used again afterwards.
    pub unsafe fn release<I>(this: *mut I, free: bool) {
        let object = object_at::<T, I>(this);
        // SAFETY: the caller guarantees `this` is a live Object<T> that nobody uses again; a
        // boxed one came from Box::into_raw in `boxed`.
        unsafe {
            match (*object).allocation {
                Allocation::Boxed if free => drop(alloc::boxed::Box::from_raw(object)),
                _ => ::core::ptr::drop_in_place(object),
            }
        }
    }

    /// One more reference (`ReferenceCacheData`).
    ///
    /// # Safety
    /// `this` must point at a live `Object<T>`.
    pub unsafe fn add_reference<I>(this: *const I) {
        // SAFETY: the caller guarantees `this` is a live Object<T>.
        let references = unsafe { &(*object_at::<T, I>(this)).references };
        references.fetch_add(1, Ordering::Relaxed);
    }

    /// One reference fewer (`DereferenceCacheData`); the last one releases the object.
    ///
    /// # Safety
    /// `this` must point at a live `Object<T>`; after the last reference is dropped nobody
    /// uses it again.
    pub unsafe fn drop_reference<I>(this: *mut I) {
        // SAFETY: the caller guarantees `this` is a live Object<T>.
        let references = unsafe { &(*object_at::<T, I>(this)).references };
        if references.fetch_sub(1, Ordering::Release) == 1 {
            // Every earlier use happens before the drop (as in `Arc`).
            fence(Ordering::Acquire);
            // SAFETY: that was the last reference.
            unsafe { Self::release(this, true) };
        }
    }
}

/// The value behind a C++ object made by Rust, if it is a `T`.
///
/// # Safety
/// `this` must point at a live [`Object`] of any value type, made by this module (a typed
/// constructor such as `IHttpStoredContext::new_boxed`), for `'a`.
pub unsafe fn downcast<'a, T: 'static, I>(this: *const I) -> Option<&'a T> {
    // Every Object<_> has the same layout up to `value`, so the type is read through any.
    let header = object_at::<(), I>(this);
    // SAFETY: the caller guarantees `this` is a live Object of some value type.
    let type_id = unsafe { (*header).type_id };
    if type_id == TypeId::of::<T>() {
        // SAFETY: the type matches, so this is an Object<T>.
        Some(unsafe { Object::<T>::value_of(this) })
    } else {
        None
    }
}

/// A C++ object made from a Rust value (`Foo::new(value)`) that IIS does not have yet. It
/// goes to IIS by value, through the idiomatic methods that take ownership
/// (`set_request_notifications`, `set_module_context`…); a call that fails leaves it with
/// Rust, which releases it. Dropped without being handed over, it is released too.
pub struct Owned<I> {
    object: core::ptr::NonNull<I>,
    /// Drops and frees the value behind the object (`Object::<T>::release` for its `T`).
    release: unsafe fn(*mut I),
}

/// A class every implementation of which is `Send`: its `Foo_Impl` trait (or a base's)
/// requires it, so an [`Owned`] object of it may move to another thread. The generated
/// bindings implement it exactly for the classes IIS calls from more than one thread.
///
/// # Safety
/// Every value type an object of the class can be made from (`Foo::new::<T>`) is `Send`.
pub unsafe trait ImplementationsAreSend {}

/// A class every implementation of which is `Sync` (its `Foo_Impl` trait requires it), so a
/// shared [`Owned`] object of it may be used from several threads at once.
///
/// # Safety
/// Every value type an object of the class can be made from is `Sync`.
pub unsafe trait ImplementationsAreSync {}

// SAFETY: the handle is a unique pointer to an object whose value is `Send` (the marker's
// contract); moving the handle moves the value's ownership, as moving a `Box<T>` does.
unsafe impl<I: ImplementationsAreSend> Send for Owned<I> {}
// SAFETY: `&Owned<I>` gives only `&I`, whose methods run the value's `&self` methods; the
// value is `Sync` (the marker's contract).
unsafe impl<I: ImplementationsAreSync> Sync for Owned<I> {}

impl<I> Owned<I> {
    /// # Safety
    /// `object` must be an [`Object`] of a value type `T` (`Send` where `I` is
    /// [`ImplementationsAreSend`], `Sync` where it is [`ImplementationsAreSync`]), and
    /// `release` must release it as it was made ([`release_boxed`] for a boxed one, [`release_in_place`] for one in
    /// memory Rust does not own) for that `T`.
    #[doc(hidden)]
    pub unsafe fn from_parts(object: *mut I, release: unsafe fn(*mut I)) -> Owned<I> {
        Owned {
            object: core::ptr::NonNull::new(object).expect("a boxed object is never null"),
            release,
        }
    }

    /// The C++ object pointer, now IIS's to release (a raw hand-over).
    pub fn into_raw(self) -> *mut I {
        let object = self.object.as_ptr();
        core::mem::forget(self);
        object
    }

    /// The pointer and how to release it, for a call that may fail to take it.
    #[doc(hidden)]
    pub fn into_parts(self) -> (*mut I, unsafe fn(*mut I)) {
        let release = self.release;
        (self.into_raw(), release)
    }
}

impl<I> core::ops::Deref for Owned<I> {
    type Target = I;
    fn deref(&self) -> &I {
        // SAFETY: the object is live until released, which only dropping `self` or handing
        // it over does.
        unsafe { self.object.as_ref() }
    }
}

impl<I> Drop for Owned<I> {
    fn drop(&mut self) {
        // SAFETY: never handed over, so Rust still owns the object.
        unsafe { (self.release)(self.object.as_ptr()) }
    }
}

/// `Object::<T>::release(this, false)` as a plain function pointer for [`Owned`]: drops an
/// object made in memory Rust does not own ([`Object::in_place`]).
///
/// # Safety
/// `this` must be a live `Object<T>`, never used again.
#[doc(hidden)]
pub unsafe fn release_in_place<T, I>(this: *mut I) {
    // SAFETY: the caller's guarantee.
    unsafe { Object::<T>::release(this, false) }
}

/// `Object::<T>::release(this, true)` as a plain function pointer for [`Owned`].
///
/// # Safety
/// `this` must be a live boxed `Object<T>`, never used again.
#[doc(hidden)]
pub unsafe fn release_boxed<T, I>(this: *mut I) {
    // SAFETY: the caller's guarantee.
    unsafe { Object::<T>::release(this, true) }
}
