//! The hand-written substrate every generated binding stands on, and nothing IIS-specific:
//! the calling convention of C++ virtual member functions ([`member_fn!`], [`member_thunk!`]),
//! the heap layout of a Rust value behind a C++ vtable and how C++ ends its life
//! ([`Object`], [`Owned`]), objects a C++ parent hands out for the caller to release
//! ([`Child`]), the panic guard that keeps unwinding out of C++ and tells an
//! operator what happened ([`guard`]), `HRESULT`s ([`HRESULT`], [`Result`]), uuids
//! ([`Interface`]) and borrowed data chunks ([`DataChunk`]).
//!
//! The generated `httpserv-sys` crate depends on this one (never the reverse) and names its
//! items by their full path (`::httpserv_runtime::…`); module authors reach them as
//! `httpserv::runtime`.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod abi;
mod child;
mod chunk;
mod hresult;
mod interface;
mod object;
mod panic;

pub use child::Child;
pub use chunk::DataChunk;
pub use hresult::*;
pub use interface::Interface;
pub use object::{
    downcast, release_boxed, release_in_place, Allocation, ImplementationsAreSend,
    ImplementationsAreSync, Object, Owned,
};
pub use panic::{
    abort, fail_request, guard, report_debug, report_panic, set_request_failure, PanicReport,
    RequestFailure,
};
/// NUL-terminated UTF-16 strings, as the idiomatic methods take and return `PCWSTR`s; make
/// one with [`u16cstr!`].
pub use widestring::{u16cstr, U16CStr};
