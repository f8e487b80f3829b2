//! The hand-written support every generated binding stands on: the calling convention of
//! C++ virtual member functions ([`member_fn!`], [`member_thunk!`]), the heap layout of a
//! Rust value behind a C++ vtable and how C++ ends its life ([`Object`]), the panic guard
//! that keeps unwinding out of C++ and tells an operator what happened ([`guard`]),
//! `HRESULT`s ([`HRESULT`], [`Result`]) and the `RegisterModule` entry point
//! ([`register_module!`]).
//!
//! `cargo xtask regen` never writes here; the generated code refers to these items by their
//! full path (`::httpserv::runtime::…`).

mod abi;
mod chunk;
mod extended;
mod hresult;
mod object;
mod panic;
mod register;

pub use crate::{member_fn, member_thunk, register_module};
pub use chunk::DataChunk;
pub use extended::Interface;
pub use hresult::*;
pub use object::{downcast, release_boxed, release_in_place, Allocation, Object, Owned};
pub use panic::{abort, fail_request, guard, report_panic, PanicReport};
pub use register::{register, registration_fn, Registration};
/// NUL-terminated UTF-16 strings, as the idiomatic methods take and return `PCWSTR`s; make
/// one with [`u16cstr!`].
pub use widestring::{u16cstr, U16CStr};
