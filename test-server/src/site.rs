//! Where a request runs, as IIS tells a module: the server's one site (`IHttpSite`: id 1,
//! `Default Web Site`, with its own module context container), the configuration of the URL
//! (`IMetadataInfo`: the site's configuration path and the physical root of its virtual
//! directory), each request's connection (`IHttpConnection`) and the physical path a URL
//! maps to under that root — the names a default IIS installation gives them.

use alloc::vec::Vec;

use windows_sys::core::{BOOL, PCWSTR};
use windows_sys::Win32::Foundation::{FALSE, TRUE};

use super::exchange::{Exchange, Ptr};
use super::global_objects::{wide, ApplicationContainer, APPLICATION_CONFIG, APPLICATION_PATH};
use crate::runtime::{Object, HRESULT};
use crate::*;

/// The site's id and name in a default IIS installation.
pub(crate) const SITE_ID: u32 = 1;
pub(crate) const SITE_NAME: &str = "Default Web Site";

/// `IHttpSite`: the fixed id and name, and the site's container.
struct SiteValue {
    name: Vec<u16>,
    container: Ptr<IHttpModuleContextContainer>,
}

// SAFETY: the name and the container live as long as the site object.
unsafe impl IHttpSite_Impl for SiteValue {
    fn GetSiteId(&self) -> u32 {
        SITE_ID
    }
    fn GetSiteName(&self) -> PCWSTR {
        self.name.as_ptr()
    }
    fn GetModuleContextContainer(&self) -> *mut IHttpModuleContextContainer {
        self.container.get()
    }
    /// Not modelled (no performance counters).
    fn GetPerfCounterInfo(&self) -> *mut IHttpPerfCounterInfo {
        core::ptr::null_mut()
    }
}

/// `IMetadataInfo` of every URL: the site's configuration path and the physical root of its
/// one virtual directory (the application's).
struct MetadataValue {
    path: Vec<u16>,
    root: Vec<u16>,
}

// SAFETY: the strings live as long as the object.
unsafe impl IMetadataInfo_Impl for MetadataValue {
    fn GetMetaPath(&self) -> PCWSTR {
        self.path.as_ptr()
    }
    fn GetVrPath(&self) -> PCWSTR {
        self.root.as_ptr()
    }
    /// Not modelled: the virtual directory has no credentials of its own (as by default).
    fn GetVrToken(&self) -> *mut IHttpTokenEntry {
        core::ptr::null_mut()
    }
    /// Not modelled.
    fn GetModuleContextContainer(&self) -> *mut IHttpModuleContextContainer {
        core::ptr::null_mut()
    }
}

/// The server's site and configuration objects, released with the server.
pub(crate) struct SiteObjects {
    pub site: Ptr<IHttpSite>,
    pub metadata: Ptr<IMetadataInfo>,
    /// The one handler mapping (`script_map.rs`).
    pub script_map: Ptr<IScriptMapInfo>,
    container: Ptr<IHttpModuleContextContainer>,
}

impl SiteObjects {
    pub fn new() -> SiteObjects {
        let container = IHttpModuleContextContainer::new_boxed(ApplicationContainer::new());
        let container = Ptr::new(container).expect("new_boxed returned null");
        let site = IHttpSite::new_boxed(SiteValue {
            name: wide(SITE_NAME),
            container,
        });
        let metadata = IMetadataInfo::new_boxed(MetadataValue {
            path: wide(APPLICATION_CONFIG),
            root: wide(APPLICATION_PATH),
        });
        let script_map = IScriptMapInfo::new_boxed(super::script_map::StaticFile::new());
        SiteObjects {
            site: Ptr::new(site).expect("new_boxed returned null"),
            metadata: Ptr::new(metadata).expect("new_boxed returned null"),
            script_map: Ptr::new(script_map).expect("new_boxed returned null"),
            container,
        }
    }
}

impl Drop for SiteObjects {
    fn drop(&mut self) {
        // SAFETY: made in `new` as an ApplicationContainer, live until released below.
        unsafe { Object::<ApplicationContainer>::value_of(self.container.get()) }.cleanup();
        // SAFETY: made in `new` with these value types, released once, when nothing reaches
        // them (the server and its requests are gone).
        unsafe {
            Object::<SiteValue>::release(self.site.get(), true);
            Object::<MetadataValue>::release(self.metadata.get(), true);
            Object::<super::script_map::StaticFile>::release(self.script_map.get(), true);
            Object::<ApplicationContainer>::release(self.container.get(), true);
        }
    }
}

/// `IHttpConnection` of one request: connected while the request runs (the test server's
/// client never goes away), its memory the request's, its module context container its own.
/// IIS keeps a connection across the keep-alive requests of one client; here every request
/// has its own, which ends (its stored contexts cleaned up) with the request.
pub(crate) struct Connection {
    pub exchange: alloc::sync::Arc<Exchange>,
    pub container: Ptr<IHttpConnectionModuleContextContainer>,
}

/// The connection's `IHttpConnectionModuleContextContainer`: the application's kind of
/// container (one stored context per module, cleaned up at the end), set through either class
/// (a connection's stored context is a stored context, at the same address: single
/// inheritance).
pub(crate) struct ConnectionContainer(pub ApplicationContainer);

// SAFETY: as the application's container: the stored contexts handed out are the modules'
// own, live until `cleanup`.
unsafe impl IHttpModuleContextContainer_Impl for ConnectionContainer {
    unsafe fn GetModuleContext(&self, id: HTTP_MODULE_ID) -> *mut IHttpStoredContext {
        // SAFETY: the caller's contract, which is the application container's.
        unsafe { self.0.GetModuleContext(id) }
    }
    unsafe fn SetModuleContext(
        &self,
        context: *mut IHttpStoredContext,
        id: HTTP_MODULE_ID,
    ) -> HRESULT {
        // SAFETY: the caller's contract, which is the application container's.
        unsafe { self.0.SetModuleContext(context, id) }
    }
}

// SAFETY: as above.
unsafe impl IHttpConnectionModuleContextContainer_Impl for ConnectionContainer {
    unsafe fn GetConnectionModuleContext(
        &self,
        id: HTTP_MODULE_ID,
    ) -> *mut IHttpConnectionStoredContext {
        // SAFETY: the caller's contract, which is the application container's.
        unsafe { self.0.GetModuleContext(id) }.cast()
    }
    unsafe fn SetConnectionModuleContext(
        &self,
        context: *mut IHttpConnectionStoredContext,
        id: HTTP_MODULE_ID,
    ) -> HRESULT {
        // SAFETY: the caller's contract, which is the application container's (a
        // connection's stored context is a stored context, at the same address).
        unsafe { self.0.SetModuleContext(context.cast(), id) }
    }
}

// SAFETY: memory handed out is the request's, live until the request ends.
unsafe impl IHttpConnection_Impl for Connection {
    fn IsConnected(&self) -> BOOL {
        match self.exchange.with(|_| ()) {
            Some(()) => TRUE,
            None => FALSE,
        }
    }
    fn AllocateMemory(&self, size: u32) -> *mut core::ffi::c_void {
        self.exchange.allocate(size as usize).cast()
    }
    fn GetModuleContextContainer(&self) -> *mut IHttpConnectionModuleContextContainer {
        self.container.get()
    }
}

/// The physical path `url_path` maps to: the application's root, then the path with `\`.
pub(crate) fn physical_path(url_path: &[u16]) -> Vec<u16> {
    let mut path: Vec<u16> = APPLICATION_PATH.encode_utf16().collect();
    path.extend(url_path.iter().map(|&unit| match unit {
        0x2f => u16::from(b'\\'),
        other => other,
    }));
    path
}
