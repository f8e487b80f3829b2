//! The hand-written module framework of `httpserv`, and the IIS-aware pieces of the runtime:
//! request and global modules as Rust traits ([`module`]), the `RegisterModule` export
//! ([`register_module!`], [`runtime::Registration`]) and typed `HttpGetExtendedInterface`
//! ([`ExtendedInterface`]). It stands on the generated bindings (`httpserv-sys`, re-exported
//! at this crate's root) and the ABI substrate (`httpserv-runtime`, as [`runtime`]).
//!
//! Module authors name the `httpserv` crate, which re-exports all of this and, with its
//! `testing` feature, the test server.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub use httpserv_sys::*;

mod extended;
pub mod module;
mod register;
pub mod runtime;

pub use extended::ExtendedInterface;

/// The `windows-sys` the bindings are written against, with the features they need (HTTP
/// Server API, IIS, Winsock, security and I/O types): a module uses `httpserv::windows_sys`
/// instead of depending on a matching `windows-sys` itself.
pub use windows_sys;
