//! Newer interfaces of an object IIS gave out (`IHttpResponse` → `IHttpResponse4`): the
//! `HttpGetExtendedInterface` helper of the C++ header as a typed method,
//! [`IHttpServer::extended`], keyed by the classes' uuids ([`Interface`]).

use crate::{IHttpServer, IHttpServer2, HTTP_SERVER_INTERFACE_V2};
use core::ffi::c_void;
use windows_sys::core::GUID;

/// A C++ class with a `__declspec(uuid)`: what `__uuidof` gives in C++.
///
/// # Safety
/// `IID` must be the class's uuid: IIS hands out an object of the class it names.
pub unsafe trait Interface {
    const IID: GUID;
}

impl IHttpServer {
    /// IIS's `IHttpServer2`, on which extended interfaces are asked for; `None` if this
    /// server has none.
    fn server2(&self) -> Option<&IHttpServer2> {
        let mut server2: *mut c_void = core::ptr::null_mut();
        // SAFETY: `self` is IIS's live server; the out pointer is a local.
        let hr = unsafe { self.GetExtendedInterface(HTTP_SERVER_INTERFACE_V2, &mut server2) };
        if hr.is_err() {
            return None;
        }
        // SAFETY: for HTTP_SERVER_INTERFACE_V2 the server hands out its IHttpServer2, which
        // lives as long as the server.
        unsafe { server2.cast::<IHttpServer2>().as_ref() }
    }

    /// The `I` view of `object` (for example `IHttpResponse4` of an `IHttpResponse`), as C++'s
    /// `HttpGetExtendedInterface(server, object, &interface)` gives it; `None` when IIS has
    /// no such interface for the object. It lives as long as the borrow of `object`.
    pub fn extended<'a, I: Interface>(&self, object: &'a impl Interface) -> Option<&'a I> {
        self.extended_pointer::<I, _>(core::ptr::from_ref(object).cast_mut())
            // SAFETY: IIS hands out the same object's `I` interface, alive as long as it.
            .and_then(|found| unsafe { found.as_ref() })
    }

    /// [`IHttpServer::extended`] for an object borrowed exclusively, so the `I` view can call
    /// its mutating methods.
    pub fn extended_mut<'a, I: Interface>(
        &self,
        object: &'a mut impl Interface,
    ) -> Option<&'a mut I> {
        self.extended_pointer::<I, _>(core::ptr::from_mut(object))
            // SAFETY: as above; the exclusive borrow of `object` keeps the view unique.
            .and_then(|found| unsafe { found.as_mut() })
    }

    fn extended_pointer<I: Interface, T: Interface>(&self, object: *mut T) -> Option<*mut I> {
        let server2 = self.server2()?;
        let mut found: *mut c_void = core::ptr::null_mut();
        // SAFETY: `object` is a live object of class T (a reference's), the uuids are the
        // classes' own, and the out pointer is a local.
        let hr = unsafe {
            server2.GetExtendedInterface_GUID_ref(&T::IID, object.cast(), &I::IID, &mut found)
        };
        (hr.is_ok() && !found.is_null()).then_some(found.cast())
    }
}
