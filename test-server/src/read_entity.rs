//! Reading the request body (`IHttpRequest::ReadEntityBody`) and `RQ_READ_ENTITY`: after each
//! read the request's modules registered for it see what was read (`IReadEntityProvider::
//! GetEntity`: the reader's buffer, the bytes read, the buffer's size) and may replace it
//! (`SetEntity`). Microsoft's reference: IIS raises it "for every `ReadEntityBody` even if
//! there is no entity left to read", so that a module can insert an entity where there is
//! none, and a module must expect a length of 0.
//!
//! What a replacement does (the reference is silent; assumed): the reader gets the new bytes,
//! copied into its buffer when the event is over, as many as fit; the rest is read next (as
//! `InsertEntityBody`'s bytes are). At the end of the body, a replacement with bytes answers
//! them instead of `ERROR_HANDLE_EOF`. An asynchronous read raises the event at the call, when
//! the bytes reach the reader's buffer, before its completion.

use alloc::sync::Arc;
use core::ffi::c_void;
use std::sync::Mutex;

use windows_sys::core::BOOL;
use windows_sys::Win32::Foundation::FALSE;

use super::async_io::answer;
use super::events::{listened, raise};
use super::exchange::{lock, Exchange};
use super::memory::put;
use crate::runtime::{Object, E_HANDLE_EOF, E_INVALIDARG, E_UNEXPECTED, HRESULT};
use crate::*;

/// The entity an `RQ_READ_ENTITY` is about: buffer, bytes of data, buffer size.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Entity {
    buffer: *mut c_void,
    data: u32,
    size: u32,
}

// SAFETY: the buffer is only compared and handed back to the module or read by the server's
// own thread after the event; the provider is used during one event.
unsafe impl Send for Entity {}
// SAFETY: as above.
unsafe impl Sync for Entity {}

/// `IReadEntityProvider` of one read.
struct ReadEntityProvider {
    exchange: Arc<Exchange>,
    entity: Mutex<Entity>,
}

impl IHttpEventProvider_Impl for ReadEntityProvider {
    /// As in a stage: a failure is a 500 once the reading notification returns.
    fn SetErrorStatus(&self, error: HRESULT) {
        self.exchange.with(|s| s.error = error);
    }
}

// SAFETY: `GetEntity` hands out the reader's buffer (valid for the read's call, which the
// event is part of) or the module's own (valid as long as the module keeps it), with their
// lengths.
unsafe impl IReadEntityProvider_Impl for ReadEntityProvider {
    unsafe fn GetEntity(&self, buffer: *mut *mut c_void, data: *mut u32, size: *mut u32) {
        let entity = *lock(&self.entity);
        // SAFETY: IIS's contract: each is null or writable.
        unsafe {
            put(buffer, entity.buffer);
            put(data, entity.data);
            put(size, entity.size);
        }
    }
    /// Kept until the event is over, then copied (see the module docs).
    unsafe fn SetEntity(&self, buffer: *mut c_void, data: u32, size: u32) {
        if buffer.is_null() && data != 0 {
            return;
        }
        *lock(&self.entity) = Entity { buffer, data, size };
    }
}

/// `IHttpRequest::ReadEntityBody`, `RQ_READ_ENTITY` included.
///
/// # Safety
/// IIS's contract: `buffer` writable for `size` bytes, `received` writable, `pending` null or
/// writable.
pub(crate) unsafe fn read(
    exchange: &Arc<Exchange>,
    buffer: *mut c_void,
    size: u32,
    asynchronous: BOOL,
    received: *mut u32,
    pending: *mut BOOL,
) -> HRESULT {
    // SAFETY: the caller's contract.
    unsafe { put(pending, FALSE) };
    if buffer.is_null() || received.is_null() {
        return E_INVALIDARG;
    }
    let read = exchange.with(|s| {
        s.received.entity.read(size as usize, |bytes| {
            // SAFETY: the caller's contract: `buffer` is writable for `size` bytes, at least
            // `bytes.len()`; the body's bytes are the server's own, no overlap.
            unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), buffer.cast(), bytes.len()) };
        })
    });
    let Some(read) = read else {
        return E_UNEXPECTED;
    };
    let bytes = read.unwrap_or(0) as u32;
    // SAFETY: the caller's contract, passed on.
    let bytes = unsafe { raise_read_entity(exchange, buffer, bytes, size) };
    if read.is_none() && bytes == 0 {
        // SAFETY: checked non-null; the caller's contract makes it writable.
        unsafe { received.write(0) };
        return E_HANDLE_EOF;
    }
    // SAFETY: `received` checked non-null, writable by the caller's contract, `pending` null
    // or writable.
    unsafe { answer(exchange, asynchronous, bytes, received, pending) }
}

/// `RQ_READ_ENTITY` for `bytes` read into `buffer` (of `size` bytes); how many bytes the
/// reader gets, after a replacement.
///
/// # Safety
/// `buffer` writable for `size` bytes.
unsafe fn raise_read_entity(
    exchange: &Arc<Exchange>,
    buffer: *mut c_void,
    bytes: u32,
    size: u32,
) -> u32 {
    if !listened(exchange, RQ_READ_ENTITY) {
        return bytes;
    }
    let read = Entity {
        buffer,
        data: bytes,
        size,
    };
    let provider = IReadEntityProvider::new_boxed(ReadEntityProvider {
        exchange: exchange.clone(),
        entity: Mutex::new(read),
    });
    raise(exchange, RQ_READ_ENTITY, provider.cast());
    // SAFETY: made above with `new_boxed` from a ReadEntityProvider; the event is over.
    let entity = *lock(&unsafe { Object::<ReadEntityProvider>::value_of(provider) }.entity);
    // SAFETY: as above; released once.
    unsafe { Object::<ReadEntityProvider>::release(provider, true) };
    if entity == read || entity.data == 0 {
        return if entity == read { bytes } else { 0 };
    }
    let fits = entity.data.min(size);
    let source = entity.buffer.cast_const().cast::<u8>();
    if entity.data > fits {
        // Taken first: the module's buffer may be the reader's, which the copy overwrites.
        // SAFETY: the module's contract for `SetEntity`: its buffer holds `data` bytes, live
        // until it is read (here, now).
        let rest = unsafe {
            core::slice::from_raw_parts(source.add(fits as usize), (entity.data - fits) as usize)
        };
        let rest = rest.to_vec();
        exchange.with(|s| s.received.entity.insert(rest));
    }
    // SAFETY: as above, and `buffer` is writable for `size` bytes; `copy` allows overlap (a
    // module may point into the reader's buffer).
    unsafe { core::ptr::copy(source, buffer.cast::<u8>(), fits as usize) };
    fits
}
