//! `IHttpContext::GetScriptMap`: the handler mapping IIS chose for the request. The test
//! server has one, a default installation's `StaticFile` handler (`<handlers>` in
//! applicationHost.config: `path="*" verb="*"
//! modules="StaticFileModule,DefaultDocumentModule,DirectoryListingModule"
//! resourceType="Either" requireAccess="Read"`), which serves every URL no other handler
//! claims. IIS picks the handler at `RQ_MAP_REQUEST_HANDLER`, so a module gets it from
//! `POST_MAP_REQUEST_HANDLER` on and null before, as the C++ host does (`host/site.h`).
//! Values from Microsoft's `IScriptMapInfo` reference: `requireAccess` Read is 1,
//! `resourceType` Either is 2; a path of `*` is a wildcard ("star") mapping.

use alloc::vec::Vec;

use windows_sys::core::{BOOL, PCSTR, PCWSTR};
use windows_sys::Win32::Foundation::{FALSE, TRUE};

use super::global_objects::wide;
use super::memory::put;
use crate::*;

/// `requireAccess="Read"`.
const REQUIRE_READ: u32 = 1;
/// `resourceType="Either"`: files and directories.
const RESOURCE_EITHER: u32 = 2;
/// `responseBufferLimit`'s default, 4 MiB.
const RESPONSE_BUFFER_LIMIT: u32 = 4 * 1024 * 1024;

/// The `StaticFile` handler mapping's attributes, as UTF-16 with their NULs.
pub(crate) struct StaticFile {
    name: Vec<u16>,
    path: Vec<u16>,
    modules: Vec<u16>,
    empty: Vec<u16>,
}

impl StaticFile {
    pub fn new() -> StaticFile {
        StaticFile {
            name: wide("StaticFile"),
            path: wide("*"),
            modules: wide("StaticFileModule,DefaultDocumentModule,DirectoryListingModule"),
            empty: wide(""),
        }
    }

    /// The pointer to `text` and its length without the NUL, through `len`.
    ///
    /// # Safety
    /// `len` must be null or writable.
    unsafe fn counted(text: &[u16], len: *mut u32) -> PCWSTR {
        // SAFETY: the caller's contract.
        unsafe { put(len, (text.len() - 1) as u32) };
        text.as_ptr()
    }
}

// SAFETY: every string returned is NUL-terminated and lives as long as the object (the
// server's), and every length written is that string's.
unsafe impl IScriptMapInfo_Impl for StaticFile {
    fn GetPath(&self) -> PCWSTR {
        self.path.as_ptr()
    }
    fn GetAllowedVerbs(&self) -> PCSTR {
        c"*".as_ptr().cast()
    }
    unsafe fn GetModules(&self, len: *mut u32) -> PCWSTR {
        // SAFETY: IIS's contract: `len` is null or writable.
        unsafe { Self::counted(&self.modules, len) }
    }
    unsafe fn GetScriptProcessor(&self, len: *mut u32) -> PCWSTR {
        // SAFETY: as above.
        unsafe { Self::counted(&self.empty, len) }
    }
    unsafe fn GetManagedType(&self, len: *mut u32) -> PCWSTR {
        // SAFETY: as above.
        unsafe { Self::counted(&self.empty, len) }
    }
    fn GetAllowPathInfoForScriptMappings(&self) -> BOOL {
        FALSE
    }
    fn GetRequiredAccess(&self) -> u32 {
        REQUIRE_READ
    }
    fn GetResourceType(&self) -> u32 {
        RESOURCE_EITHER
    }
    fn GetIsStarScriptMap(&self) -> BOOL {
        TRUE
    }
    fn GetResponseBufferLimit(&self) -> u32 {
        RESPONSE_BUFFER_LIMIT
    }
    fn GetName(&self) -> PCWSTR {
        self.name.as_ptr()
    }
}
