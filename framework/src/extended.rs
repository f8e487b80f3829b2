//! Newer interfaces of an object IIS gave out (`IHttpResponse` → `IHttpResponse4`): the
//! `HttpGetExtendedInterface` helper of the C++ header as typed methods of the server,
//! [`ExtendedInterface::extended`], keyed by the classes' uuids ([`Interface`]).

use crate::runtime::Interface;
use crate::{IHttpServer, IHttpServer2, HTTP_SERVER_INTERFACE_V2};
use core::ffi::c_void;

/// `HttpGetExtendedInterface` on [`IHttpServer`]: `server.extended::<IHttpResponse4>(response)`
/// (in scope with `use httpserv::*` or `use httpserv::ExtendedInterface`).
pub trait ExtendedInterface {
    /// The `I` view of `object` (for example `IHttpResponse4` of an `IHttpResponse`), as C++'s
    /// `HttpGetExtendedInterface(server, object, &interface)` gives it; `None` when IIS has
    /// no such interface for the object. It lives as long as the borrow of `object`.
    fn extended<'a, I: Interface>(&self, object: &'a impl Interface) -> Option<&'a I>;

    /// [`ExtendedInterface::extended`] for an object borrowed exclusively, so the `I` view can
    /// call its mutating methods.
    fn extended_mut<'a, I: Interface>(&self, object: &'a mut impl Interface) -> Option<&'a mut I>;
}

/// IIS's `IHttpServer2` of `server`, on which extended interfaces are asked for; `None` if
/// this server has none.
fn server2(server: &IHttpServer) -> Option<&IHttpServer2> {
    let mut server2: *mut c_void = core::ptr::null_mut();
    // SAFETY: `self` is IIS's live server; the out pointer is a local.
    let hr = unsafe { server.GetExtendedInterface(HTTP_SERVER_INTERFACE_V2, &mut server2) };
    if hr.is_err() {
        return None;
    }
    // SAFETY: for HTTP_SERVER_INTERFACE_V2 the server hands out its IHttpServer2, which
    // lives as long as the server.
    unsafe { server2.cast::<IHttpServer2>().as_ref() }
}

impl ExtendedInterface for IHttpServer {
    fn extended<'a, I: Interface>(&self, object: &'a impl Interface) -> Option<&'a I> {
        extended_pointer::<I, _>(self, core::ptr::from_ref(object).cast_mut())
            // SAFETY: IIS hands out the same object's `I` interface, alive as long as it.
            .and_then(|found| unsafe { found.as_ref() })
    }

    fn extended_mut<'a, I: Interface>(&self, object: &'a mut impl Interface) -> Option<&'a mut I> {
        extended_pointer::<I, _>(self, core::ptr::from_mut(object))
            // SAFETY: as above; the exclusive borrow of `object` keeps the view unique.
            .and_then(|found| unsafe { found.as_mut() })
    }
}

fn extended_pointer<I: Interface, T: Interface>(
    server: &IHttpServer,
    object: *mut T,
) -> Option<*mut I> {
    let server2 = server2(server)?;
    let mut found: *mut c_void = core::ptr::null_mut();
    // SAFETY: `object` is a live object of class T (a reference's), the uuids are the
    // classes' own, and the out pointer is a local.
    let hr = unsafe {
        server2.GetExtendedInterface_GUID_ref(&T::IID, object.cast(), &I::IID, &mut found)
    };
    (hr.is_ok() && !found.is_null()).then_some(found.cast())
}
