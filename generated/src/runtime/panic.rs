//! No unwinding into C++. Every generated thunk runs the Rust implementation inside
//! [`guard`]: with the `std` feature a panic is caught and the method returns its failure
//! value (the generator's policy table says which, per return type); without `std`, Rust
//! aborts when a panic reaches the `extern` boundary.

#[cfg(feature = "std")]
extern crate std;

/// Runs a Rust implementation of a virtual function. With the `std` feature a panic is
/// caught and `on_panic` supplies the method's failure value; without it, Rust aborts the
/// process when a panic reaches the `extern` boundary. Either way no unwinding enters C++.
#[inline(always)]
pub fn guard<R>(body: impl FnOnce() -> R, on_panic: impl FnOnce() -> R) -> R {
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

/// The failure value of a method with no safe one: ends the process.
#[inline(always)]
pub fn abort<R>() -> R {
    #[cfg(feature = "std")]
    {
        std::process::abort()
    }
    #[cfg(not(feature = "std"))]
    {
        panic!("no failure value")
    }
}

/// What a request notification does when its Rust implementation panicked: a 500 response
/// status (reported as E_FAIL), before the notification returns
/// `RQ_NOTIFICATION_FINISH_REQUEST`.
///
/// # Safety
/// `context` must be null or the live context IIS passed to the notification.
pub unsafe fn fail_request(context: *mut crate::IHttpContext) {
    // SAFETY: the caller passes null or IIS's live context; the response it returns is
    // live for the duration of the notification.
    unsafe {
        if let Some(context) = crate::IHttpContext::from_raw(context) {
            if let Some(response) = crate::IHttpResponse::from_raw(context.GetResponse()) {
                let _ = response.SetStatus(
                    500,
                    c"Internal Server Error".as_ptr().cast(),
                    0,
                    windows_sys::Win32::Foundation::E_FAIL,
                    ::core::ptr::null_mut(),
                    0,
                );
            }
        }
    }
}
