//! [`Interface`]: what C++'s `__uuidof` gives for a class with a `__declspec(uuid)`. The
//! generated bindings implement it for every such class, and `httpserv`'s typed
//! `HttpGetExtendedInterface` asks IIS for an interface by it.

use windows_sys::core::GUID;

/// A C++ class with a `__declspec(uuid)`: what `__uuidof` gives in C++.
///
/// # Safety
/// `IID` must be the class's uuid: IIS hands out an object of the class it names.
pub unsafe trait Interface {
    const IID: GUID;
}
