//! The support code every bindings module carries: the `member_fn!` type macro and
//! `member_thunk!` item macro (`thiscall` on x86, `system` elsewhere), the `Object<T>` heap
//! layout a Rust implementation has behind its vtable pointer, and the panic guard.

use proc_macro2::TokenStream;
use quote::quote;

pub fn runtime(api: &crate::ir::Api) -> TokenStream {
    let fail_request = super::implement::can_fail_requests(api).then(|| {
        quote! {
            /// What a request notification does when its Rust implementation panicked: a 500
            /// response status (reported as E_FAIL), before finishing the request.
            ///
            /// # Safety
            /// `context` must be null or the live context IIS passed to the notification.
            unsafe fn fail_request(context: *mut IHttpContext) {
                if let Some(context) = IHttpContext::from_raw(context) {
                    if let Some(response) = IHttpResponse::from_raw(context.GetResponse()) {
                        let _ = response.SetStatus(
                            500,
                            b"Internal Server Error\0".as_ptr(),
                            0,
                            -2147467259i32,
                            ::core::ptr::null_mut(),
                            0,
                        );
                    }
                }
            }
        }
    });
    quote! {
        #fail_request

        #[cfg(feature = "alloc")]
        extern crate alloc;
        #[cfg(feature = "std")]
        extern crate std;

        /// The function pointer type of a C++ virtual member function: `thiscall` on x86,
        /// the platform convention elsewhere.
        #[cfg(target_arch = "x86")]
        macro_rules! member_fn {
            (($($arg:ty),* $(,)?) -> $ret:ty) => { unsafe extern "thiscall" fn($($arg),*) -> $ret };
        }
        /// The function pointer type of a C++ virtual member function: `thiscall` on x86,
        /// the platform convention elsewhere.
        #[cfg(not(target_arch = "x86"))]
        macro_rules! member_fn {
            (($($arg:ty),* $(,)?) -> $ret:ty) => { unsafe extern "system" fn($($arg),*) -> $ret };
        }
        /// Defines a vtable thunk with the member function convention of the target.
        macro_rules! member_thunk {
            (fn $name:ident<$t:ident: $bound:path>($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {
                #[cfg(target_arch = "x86")]
                unsafe extern "thiscall" fn $name<$t: $bound>($($arg: $ty),*) -> $ret $body
                #[cfg(not(target_arch = "x86"))]
                unsafe extern "system" fn $name<$t: $bound>($($arg: $ty),*) -> $ret $body
            };
        }

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
            pub unsafe fn new_in_place<V>(memory: *mut ::core::ffi::c_void, vtable: &'static V, value: T) -> *mut Object<T> {
                let object = memory as *mut Object<T>;
                object.write(Object {
                    vtable: vtable as *const V as *const ::core::ffi::c_void,
                    release: Release::InPlace,
                    value,
                });
                object
            }

            /// The value behind a C++ `this` pointer.
            ///
            /// # Safety
            /// `this` must point at a live `Object<T>`.
            pub unsafe fn value_of<'a, I>(this: *const I) -> &'a T {
                &(*(this as *const Object<T>)).value
            }

            /// Drops the value and, when `free` is set and the object was boxed, frees it.
            ///
            /// # Safety
            /// `this` must point at a live `Object<T>`, never used again afterwards.
            pub unsafe fn release<I>(this: *mut I, free: bool) {
                let _ = free;
                let object = this as *mut Object<T>;
                match (*object).release {
                    #[cfg(feature = "alloc")]
                    Release::Box if free => drop(alloc::boxed::Box::from_raw(object)),
                    _ => ::core::ptr::drop_in_place(object),
                }
            }
        }

        /// Runs a Rust implementation of a virtual function. With the `std` feature a panic is
        /// caught and `on_panic` supplies the method's failure value; without it, Rust aborts the
        /// process when a panic reaches the `extern` boundary. Either way no unwinding enters C++.
        #[inline(always)]
        fn guard<R>(body: impl FnOnce() -> R, on_panic: impl FnOnce() -> R) -> R {
            #[cfg(feature = "std")]
            {
                match std::panic::catch_unwind(::core::panic::AssertUnwindSafe(body)) {
                    Ok(value) => value,
                    Err(_) => on_panic(),
                }
            }
            #[cfg(not(feature = "std"))]
            {
                let _ = on_panic;
                body()
            }
        }

        /// The failure value of a method with no safe one.
        #[inline(always)]
        fn abort<R>() -> R {
            #[cfg(feature = "std")]
            {
                std::process::abort()
            }
            #[cfg(not(feature = "std"))]
            {
                panic!("no failure value")
            }
        }
    }
}
