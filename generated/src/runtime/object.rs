//! [`Object`]: a Rust value behind a C++ vtable pointer, the heap layout every Rust
//! implementation of an IIS class has, and how C++ ends its life (drop, and free when the
//! object was boxed).

#[cfg(feature = "alloc")]
extern crate alloc;

/// How an [`Object`]'s memory is released when C++ destroys it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Release {
    /// Allocated by [`Object::new_boxed`]: dropped and freed.
    Box,
    /// Placed in memory the Rust side does not own (e.g. from
    /// `IModuleAllocator::AllocateMemory`, freed with the request): only dropped.
    InPlace,
}

/// A Rust value behind a C++ vtable: the vtable pointer first, as C++ expects, then the
/// value. The thunks built by `Foo_Vtbl::new::<T>()` find `T` here.
#[repr(C)]
pub struct Object<T> {
    vtable: *const ::core::ffi::c_void,
    release: Release,
    pub value: T,
}

impl<T> Object<T> {
    /// Moves `value` to the heap behind `vtable` and returns the C++ object pointer.
    ///
    /// # Safety
    /// `vtable` must have been built for `T` (`Foo_Vtbl::new::<T>()`); the pointer must be
    /// released through its vtable (destructor, `Dispose` or `Terminate`), not freed by hand.
    #[cfg(feature = "alloc")]
    pub unsafe fn new_boxed<V>(vtable: &'static V, value: T) -> *mut Object<T> {
        alloc::boxed::Box::into_raw(alloc::boxed::Box::new(Object {
            vtable: vtable as *const V as *const ::core::ffi::c_void,
            release: Release::Box,
            value,
        }))
    }

    /// Writes the object into `memory` (for example from `IModuleAllocator::AllocateMemory`)
    /// and returns it; releasing it drops `value` but never frees `memory`.
    ///
    /// # Safety
    /// `memory` must be valid for writes of `size_of::<Object<T>>()` bytes, aligned for
    /// `Object<T>`, and outlive the object; `vtable` must have been built for `T`.
    pub unsafe fn new_in_place<V>(
        memory: *mut ::core::ffi::c_void,
        vtable: &'static V,
        value: T,
    ) -> *mut Object<T> {
        let object = memory as *mut Object<T>;
        // SAFETY: the caller guarantees `memory` is valid and aligned for an Object<T>.
        unsafe {
            object.write(Object {
                vtable: vtable as *const V as *const ::core::ffi::c_void,
                release: Release::InPlace,
                value,
            })
        };
        object
    }

    /// The value behind a C++ `this` pointer.
    ///
    /// # Safety
    /// `this` must point at a live `Object<T>`.
    pub unsafe fn value_of<'a, I>(this: *const I) -> &'a T {
        // SAFETY: the caller guarantees `this` is a live Object<T>.
        unsafe { &(*(this as *const Object<T>)).value }
    }

    /// Drops the value and, when `free` is set and the object was boxed, frees it.
    ///
    /// # Safety
    /// `this` must point at a live `Object<T>`, never used again afterwards.
    pub unsafe fn release<I>(this: *mut I, free: bool) {
        let _ = free;
        let object = this as *mut Object<T>;
        // SAFETY: the caller guarantees `this` is a live Object<T> that nobody uses again;
        // a boxed one came from Box::into_raw in new_boxed.
        unsafe {
            match (*object).release {
                #[cfg(feature = "alloc")]
                Release::Box if free => drop(alloc::boxed::Box::from_raw(object)),
                _ => ::core::ptr::drop_in_place(object),
            }
        }
    }
}
