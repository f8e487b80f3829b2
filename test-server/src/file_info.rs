//! `IHttpContext::GetFileInfo`: the `IHttpFileInfo` of the file a request's physical path
//! names, for a server given a site root (`static_files.rs` finds the file the same way).
//! IIS sets it while it maps the request's handler (`IMapHandlerProvider::SetFileInfo` is
//! that notification's), so a module gets it from `POST_MAP_REQUEST_HANDLER` on, as the
//! handler mapping (`GetScriptMap`), and null before. Null too without a site root, for a
//! directory and where nothing is (IIS would have failed such a request, or served a
//! default document in its place). Made the first time a module asks, it is the request's
//! (IIS's): the same object for every call, released when the request ends, never earlier;
//! `ReferenceCacheData` and `DereferenceCacheData` change nothing.
//!
//! What it answers, from Microsoft's `IHttpFileInfo` reference where it says:
//! `GetFilePath` the physical path (`C:\inetpub\wwwroot\…`), `GetSize` the size,
//! `GetLastModifiedTime` the last write time as a FILETIME, `GetLastModifiedString` that
//! time as an HTTP-date, `GetETag` the static file handler's `ETag` (its quotes included),
//! `GetAttributes` `FILE_ATTRIBUTE_ARCHIVE` (what wine and NTFS give a file written,
//! `FILE_ATTRIBUTE_READONLY` added for one that is not writable). The contents are not
//! held: `GetFileBuffer` is null and `GetFileHandle` `INVALID_HANDLE_VALUE`, which the
//! reference allows ("some implementations return NULL"); `GetHttpCacheAllowed` is FALSE
//! (the server caches no file); `AccessCheck` is `S_OK` (no ACLs); `CheckIfFileHasChanged`
//! compares the file's size and time with those read; `GetVrPath`, `GetVrToken`,
//! `GetCacheKey` and `GetModuleContextContainer` are null (no change notifications, no
//! cache).

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use windows_sys::core::{BOOL, PCSTR, PCWSTR};
use windows_sys::Win32::Foundation::{FALSE, FILETIME, HANDLE, INVALID_HANDLE_VALUE, TRUE};
use windows_sys::Win32::Security::PSID;

use super::exchange::{Exchange, Ptr};
use super::memory::put;
use crate::runtime::{Object, HRESULT, S_OK};
use crate::*;

/// winnt.h's `FILE_ATTRIBUTE_READONLY` and `FILE_ATTRIBUTE_ARCHIVE` (windows-sys has them
/// behind a feature the server has no other use for).
const FILE_ATTRIBUTE_READONLY: u32 = 0x1;
const FILE_ATTRIBUTE_ARCHIVE: u32 = 0x20;

/// One file's facts, read once; strings NUL-terminated.
pub(crate) struct FileInfo {
    /// Where the file is on this machine (`CheckIfFileHasChanged` reads it again).
    local: PathBuf,
    physical: Vec<u16>,
    size: u64,
    modified: SystemTime,
    attributes: u32,
    etag: Vec<u8>,
    last_modified: Vec<u8>,
    flushed: AtomicBool,
}

impl FileInfo {
    /// The facts of the file at `local`, named `physical` (without a NUL) for modules; `None`
    /// when it is not a file.
    pub fn read(local: &Path, physical: &[u16]) -> Option<FileInfo> {
        let metadata = std::fs::metadata(local).ok().filter(|m| m.is_file())?;
        let modified = metadata.modified().unwrap_or(UNIX_EPOCH);
        let mut attributes = FILE_ATTRIBUTE_ARCHIVE;
        if metadata.permissions().readonly() {
            attributes |= FILE_ATTRIBUTE_READONLY;
        }
        let with_nul = |text: String| text.into_bytes().into_iter().chain([0]).collect();
        Some(FileInfo {
            local: local.to_path_buf(),
            physical: physical.iter().copied().chain([0]).collect(),
            size: metadata.len(),
            modified,
            attributes,
            etag: with_nul(super::static_files::etag(modified)),
            last_modified: with_nul(super::static_files::last_modified(modified)),
            flushed: AtomicBool::new(false),
        })
    }
}

/// `IHttpContext::GetFileInfo` for `exchange` (see the module docs): made the first time,
/// kept in the request's state until [`release`].
pub(crate) fn file_info_of(exchange: &Arc<Exchange>) -> *mut IHttpFileInfo {
    let known = exchange.with(|s| (s.handler_mapped, s.file_info));
    let Some((true, known)) = known else {
        return core::ptr::null_mut();
    };
    if let Some(known) = known {
        return known.get();
    }
    let Some(root) = exchange.site_root.as_deref() else {
        return core::ptr::null_mut();
    };
    // Mapping the path may raise RQ_MAP_PATH: not under the state's lock.
    let Some(physical) = super::context::request_physical_path(exchange) else {
        return core::ptr::null_mut();
    };
    // SAFETY: the mapped path lives in request memory, as long as the request.
    let physical = unsafe { core::slice::from_raw_parts(physical.as_ptr(), physical.len()) };
    let Some(info) = super::static_files::local_path(physical, root)
        .and_then(|local| FileInfo::read(&local, physical))
    else {
        return core::ptr::null_mut();
    };
    let made = Ptr::new(IHttpFileInfo::new_boxed(info)).expect("new_boxed returned null");
    let kept = exchange.with(|s| *s.file_info.get_or_insert(made));
    match kept {
        Some(kept) if kept.get() == made.get() => made.get(),
        // Another thread made one first (or the request ended meanwhile): that one stays.
        other => {
            // SAFETY: made above with `new_boxed` as a FileInfo, handed to nobody.
            unsafe { Object::<FileInfo>::release(made.get(), true) };
            other.map_or(core::ptr::null_mut(), Ptr::get)
        }
    }
}

/// Releases a file info made by [`file_info_of`], at the end of its request.
///
/// # Safety
/// Once, when no module may use it any more (the request is over).
pub(crate) unsafe fn release(info: Ptr<IHttpFileInfo>) {
    // SAFETY: made by `file_info_of` with `new_boxed` as a FileInfo; the caller's guarantee.
    unsafe { Object::<FileInfo>::release(info.get(), true) }
}

/// The FILETIME of `time`: 100-nanosecond intervals since 1601.
pub(crate) fn filetime(time: SystemTime) -> u64 {
    time.duration_since(UNIX_EPOCH)
        .map(|d| (d.as_nanos() / 100) as u64 + 116_444_736_000_000_000)
        .unwrap_or(0)
}

// SAFETY: every string returned is NUL-terminated and lives as long as the object (the
// request's), every length written is that string's, and out pointers are written only when
// the caller gave them (IIS's contract).
unsafe impl IHttpCacheSpecificData_Impl for FileInfo {
    fn GetCacheKey(&self) -> *mut IHttpCacheKey {
        core::ptr::null_mut()
    }
    fn ResetTTL(&self) {}
    unsafe fn DecrementTTL(&self, expired: *mut BOOL) {
        // SAFETY: IIS's contract: `expired` is null or writable.
        unsafe { put(expired, FALSE) };
    }
    fn SetFlushed(&self) {
        self.flushed.store(true, Ordering::Relaxed);
    }
    fn GetFlushed(&self) -> BOOL {
        if self.flushed.load(Ordering::Relaxed) {
            TRUE
        } else {
            FALSE
        }
    }
}

// SAFETY: as above.
unsafe impl IHttpFileInfo_Impl for FileInfo {
    fn GetAttributes(&self) -> u32 {
        self.attributes
    }
    unsafe fn GetSize(&self, size: *mut u64) {
        // SAFETY: IIS's contract: `size` is writable (ULARGE_INTEGER is a u64).
        unsafe { put(size, self.size) };
    }
    fn GetFileBuffer(&self) -> *const u8 {
        core::ptr::null()
    }
    fn GetFileHandle(&self) -> HANDLE {
        INVALID_HANDLE_VALUE
    }
    fn GetFilePath(&self) -> PCWSTR {
        self.physical.as_ptr()
    }
    unsafe fn GetETag(&self, len: *mut u16) -> PCSTR {
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { put(len, (self.etag.len() - 1) as u16) };
        self.etag.as_ptr()
    }
    unsafe fn GetLastModifiedTime(&self, time: *mut FILETIME) {
        let since_1601 = filetime(self.modified);
        let time_value = FILETIME {
            dwLowDateTime: since_1601 as u32,
            dwHighDateTime: (since_1601 >> 32) as u32,
        };
        // SAFETY: IIS's contract: `time` is writable.
        unsafe { put(time, time_value) };
    }
    fn GetLastModifiedString(&self) -> PCSTR {
        self.last_modified.as_ptr()
    }
    unsafe fn GetHttpCacheAllowed(&self, seconds: *mut u32) -> BOOL {
        // SAFETY: IIS's contract: `seconds` is writable.
        unsafe { put(seconds, 0) };
        FALSE
    }
    unsafe fn AccessCheck(&self, _: HANDLE, _: PSID) -> HRESULT {
        S_OK
    }
    fn GetVrToken(&self) -> HANDLE {
        core::ptr::null_mut()
    }
    fn GetVrPath(&self) -> PCWSTR {
        core::ptr::null()
    }
    fn GetModuleContextContainer(&self) -> *mut IHttpModuleContextContainer {
        core::ptr::null_mut()
    }
    unsafe fn CheckIfFileHasChanged(&self, _: HANDLE) -> BOOL {
        let now = std::fs::metadata(&self.local).ok();
        let same = now.is_some_and(|m| {
            m.len() == self.size && m.modified().unwrap_or(UNIX_EPOCH) == self.modified
        });
        if same {
            FALSE
        } else {
            TRUE
        }
    }
}
