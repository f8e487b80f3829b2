//! The hand-written module framework of `httpserv`, and the IIS-aware pieces of the runtime:
//! request and global modules as Rust traits ([`module`](mod@module), written with the
//! [`#[module]`](macro@module) attribute), the `RegisterModule` export
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

/// Put on `impl HttpModule for T` or `impl GlobalModule for T`: IIS is asked for the
/// notifications of the `on_*` methods the impl defines (see [`module::HttpModule`]), so a
/// method written is a method IIS calls. The impl does not compile without it.
///
/// It reads the impl's own `fn` items: a macro invocation inside the impl is refused, since
/// the methods it writes cannot be seen (have the macro write the whole impl, attribute
/// included).
pub use httpserv_macros::module;

/// The `windows-sys` the bindings are written against, with the features they need (HTTP
/// Server API, IIS, Winsock, security and I/O types): a module uses `httpserv::windows_sys`
/// instead of depending on a matching `windows-sys` itself.
pub use windows_sys;
