// Safe code cannot make an IIS object around a vtable of its choosing: the vtable pointer is
// private, so the only objects are IIS's (borrowed through `unsafe fn from_raw`) and those the
// typed constructors make from a Rust value.
use httpserv::{IHttpRequest, IHttpRequest_Vtbl};

fn main() {
    let vtable: *const IHttpRequest_Vtbl = core::ptr::null();
    let forged = IHttpRequest { vtable };
    let _ = forged.header(c"Host");
}
