//! `HRESULT`s as windows-rs spells them: [`HRESULT`] (an `i32` newtype, ABI-identical, so the
//! generated vtables use it directly), [`Error`] and [`Result`] from the `windows-result`
//! crate, and the codes IIS modules meet, taken from `windows-sys` by name.

pub use windows_result::{Error, Result, HRESULT};
use windows_sys::Win32::Foundation as win32;

/// Success.
pub const S_OK: HRESULT = HRESULT(win32::S_OK);
/// Success, with a "no" or "nothing done" meaning.
pub const S_FALSE: HRESULT = HRESULT(win32::S_FALSE);
/// Unspecified failure: what a panicking implementation returns.
pub const E_FAIL: HRESULT = HRESULT(win32::E_FAIL);
/// An argument is not valid.
pub const E_INVALIDARG: HRESULT = HRESULT(win32::E_INVALIDARG);
/// The method is not implemented (the test server's answer for what it does not model).
pub const E_NOTIMPL: HRESULT = HRESULT(win32::E_NOTIMPL);
/// Memory ran out.
pub const E_OUTOFMEMORY: HRESULT = HRESULT(win32::E_OUTOFMEMORY);
/// A pointer argument is null where it may not be.
pub const E_POINTER: HRESULT = HRESULT(win32::E_POINTER);
/// A failure that should not happen.
pub const E_UNEXPECTED: HRESULT = HRESULT(win32::E_UNEXPECTED);
/// The object has no such interface.
pub const E_NOINTERFACE: HRESULT = HRESULT(win32::E_NOINTERFACE);
/// Access denied.
pub const E_ACCESSDENIED: HRESULT = HRESULT(win32::E_ACCESSDENIED);
/// A buffer is too small: IIS's answer to a get-into-buffer call, with the size needed.
pub const E_INSUFFICIENT_BUFFER: HRESULT = HRESULT::from_win32(win32::ERROR_INSUFFICIENT_BUFFER);
/// The item (a server variable, a header) does not exist.
pub const E_NOT_FOUND: HRESULT = HRESULT::from_win32(win32::ERROR_NOT_FOUND);
/// The end of the request entity body.
pub const E_HANDLE_EOF: HRESULT = HRESULT::from_win32(win32::ERROR_HANDLE_EOF);
/// An operation continues asynchronously.
pub const E_IO_PENDING: HRESULT = HRESULT::from_win32(win32::ERROR_IO_PENDING);
