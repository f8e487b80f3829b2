//! The hand-written support every generated binding stands on: the calling convention of
//! C++ virtual member functions (`member_fn!`, `member_thunk!`), the heap layout of a Rust
//! value behind a C++ vtable ([`Object`]), and the panic guard that keeps unwinding out of
//! C++ ([`guard`]). `cargo xtask regen` never writes here; the generated code refers to
//! these items by their full path (`::httpserv::runtime::…`).

mod abi;
mod object;
mod panic;

pub use crate::{member_fn, member_thunk};
pub use object::{Object, Release};
pub use panic::{abort, fail_request, guard};
/// The `HRESULT` a Rust implementation returns when it panicked.
pub use windows_sys::Win32::Foundation::E_FAIL;
