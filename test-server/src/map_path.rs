//! Physical paths and `RQ_MAP_PATH`: "an operation requests the physical path to be mapped
//! for the current request" (Microsoft's `CHttpModule::OnMapPath`), and the request's modules
//! registered for `RQ_MAP_PATH` see the URL and the site's mapping (`IMapPathProvider`:
//! `GetUrl`, `GetPhysicalPath`) and may change it (`SetPhysicalPath`, which copies the path:
//! Microsoft's example passes a buffer on its stack).
//!
//! When the test server maps (Microsoft's reference does not say when IIS does; assumed):
//! the request's URL once, the first time anything asks for its physical path
//! (`IHttpContext::GetPhysicalPath`, `GetScriptTranslated`, the `PATH_TRANSLATED` server
//! variable) and at the latest before `RQ_MAP_REQUEST_HANDLER`, as IIS needs the file to choose
//! a handler; every later reader sees that path, a module's change included. Each
//! `IHttpContext::MapPath` maps its URL anew (a call that only asks for the size included).

use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::Mutex;

use windows_sys::core::{PCWSTR, PWSTR};
use windows_sys::Win32::Foundation::{ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER};

use super::events::{listened, raise};
use super::exchange::{lock, Exchange};
use super::memory::{put, wide_str, WideText};
use super::site::physical_path;
use crate::runtime::{Object, E_INVALIDARG, E_UNEXPECTED, HRESULT, S_OK};
use crate::*;

/// `IMapPathProvider` of one mapping: the URL, and the physical path so far (in request
/// memory, so what `GetPhysicalPath` handed out stays valid after a change).
struct MapPathProvider {
    exchange: Arc<Exchange>,
    url: WideText,
    physical: Mutex<WideText>,
}

impl IHttpEventProvider_Impl for MapPathProvider {
    /// As in a stage: a failure is a 500 once the raising notification returns.
    fn SetErrorStatus(&self, error: HRESULT) {
        self.exchange.with(|s| s.error = error);
    }
}

// SAFETY: the strings handed out live in request memory until the request ends.
unsafe impl IMapPathProvider_Impl for MapPathProvider {
    fn GetUrl(&self) -> PCWSTR {
        self.url.as_ptr()
    }
    fn GetPhysicalPath(&self) -> PCWSTR {
        lock(&self.physical).as_ptr()
    }
    /// Copies the path; `ERROR_INVALID_PARAMETER` for none.
    unsafe fn SetPhysicalPath(&self, path: PCWSTR, len: u32) -> HRESULT {
        if path.is_null() || len == 0 {
            return HRESULT::from_win32(ERROR_INVALID_PARAMETER);
        }
        // SAFETY: IIS's contract: `path` is readable for `len` UTF-16 units.
        let units = unsafe { core::slice::from_raw_parts(path, len as usize) };
        *lock(&self.physical) = self.exchange.memory.wide_text(units);
        S_OK
    }
}

/// Maps `url` to a physical path: the site's mapping (`site.rs`), then `RQ_MAP_PATH`'s modules'
/// changes. `None` once the request is over.
fn map(exchange: &Arc<Exchange>, url: &[u16]) -> Option<WideText> {
    exchange.with(|_| ())?;
    let memory = &exchange.memory;
    let mapped = memory.wide_text(&physical_path(url));
    if !listened(exchange, RQ_MAP_PATH) {
        return Some(mapped);
    }
    let provider = IMapPathProvider::new_boxed(MapPathProvider {
        exchange: exchange.clone(),
        url: memory.wide_text(url),
        physical: Mutex::new(mapped),
    });
    raise(exchange, RQ_MAP_PATH, provider.cast());
    // SAFETY: made above with `new_boxed` from a MapPathProvider; the event is over, so no
    // module holds it (IIS's providers live for their notification).
    let physical = *lock(&unsafe { Object::<MapPathProvider>::value_of(provider) }.physical);
    // SAFETY: as above; released once.
    unsafe { Object::<MapPathProvider>::release(provider, true) };
    Some(physical)
}

/// The request's physical path, `url` its URL's path: mapped the first time it is asked for,
/// the same path after.
pub(crate) fn request_path(exchange: &Arc<Exchange>, url: &[u16]) -> Option<WideText> {
    if let Some(mapped) = exchange.with(|s| s.physical)? {
        return Some(mapped);
    }
    let mapped = map(exchange, url)?;
    // A module that read the path during the event mapped it first: its answer stands.
    exchange.with(|s| *s.physical.get_or_insert(mapped))
}

/// `IHttpContext::MapPath`: `url`'s physical path into `out`, whose size `*size` is in bytes
/// (`__out_bcount`); too small (or null) answers `ERROR_INSUFFICIENT_BUFFER` with the size
/// needed, NUL included.
///
/// # Safety
/// IIS's contract: `url` null or NUL-terminated, `out` null or writable for `*size` bytes,
/// `size` null or valid.
pub(crate) unsafe fn map_path(
    exchange: &Arc<Exchange>,
    url: PCWSTR,
    out: PWSTR,
    size: *mut u32,
) -> HRESULT {
    // SAFETY: the caller's guarantee.
    let (Some(url), Some(available)) = (unsafe { wide_str(url) }, unsafe { size.as_ref() }) else {
        return E_INVALIDARG;
    };
    let url: Vec<u16> = url.to_vec();
    let Some(mapped) = map(exchange, &url) else {
        return E_UNEXPECTED;
    };
    let needed = (mapped.len() + 1) * 2;
    let needed = u32::try_from(needed).unwrap_or(u32::MAX);
    if out.is_null() || *available < needed {
        // SAFETY: checked non-null above; the caller's guarantee.
        unsafe { put(size, needed) };
        return HRESULT::from_win32(ERROR_INSUFFICIENT_BUFFER);
    }
    // SAFETY: `out` is writable for `needed` bytes (checked against the caller's size); the
    // path lives in request memory, with its NUL after it.
    unsafe { core::ptr::copy_nonoverlapping(mapped.as_ptr(), out, mapped.len() + 1) };
    // SAFETY: as above.
    unsafe { put(size, needed) };
    S_OK
}
