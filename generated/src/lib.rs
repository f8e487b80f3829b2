#![doc = include_str!("../README.md")]
//!
//! # The bindings
//!
//! Every C++ class is a `#[repr(C)]` struct holding its vtable pointer, with a `*_Vtbl`
//! struct laid out as MSVC lays it out (overloads grouped in reverse declaration order,
//! `thiscall` on x86), checked by `const` assertions on every target. Windows and HTTP
//! Server API types come from `windows-sys`.
//!
//! `bindings/` is written by `cargo xtask regen` from `headers/httpserv.h`; `runtime/` and
//! this file are hand-written.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The generated code names the runtime by its full path, `::httpserv::runtime`, so that the
// same text compiles inside this crate and in any crate depending on it.
extern crate self as httpserv;

#[rustfmt::skip]
mod bindings;
pub use bindings::*;

pub mod module;
pub mod runtime;

/// An in-process IIS that runs modules through the pipeline for unit tests (feature `testing`).
#[cfg(feature = "testing")]
pub mod testing;

/// The `windows-sys` the bindings are written against, with the features they need (HTTP
/// Server API, IIS, Winsock, security and I/O types): a module uses `httpserv::windows_sys`
/// instead of depending on a matching `windows-sys` itself.
pub use windows_sys;
