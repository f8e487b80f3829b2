//! The request notifications IIS raises while something else runs, in Rust terms: a path
//! being mapped (`on_map_path`, with [`MapPathExt`] on its `IMapPathProvider`), the body being
//! read (`on_read_entity`, [`HttpContext::replace_entity`]) and custom notifications
//! ([`HttpContext::notify_custom`] raises one; `on_custom_request_notification` and
//! [`CustomNotificationExt`] receive it). The handlers get the provider IIS passed, as
//! `on_send_response` does; nothing here needs `unsafe` from a module.
//!
//! A module is not called with an event it raises itself during one of its own notifications
//! (its `&mut self` is in use): the event goes to the other modules, and the module carries on
//! with what it would have done in its handler.

use super::context::wide;
use super::HttpContext;
use crate::runtime::{Error, Result, E_INVALIDARG, E_OUTOFMEMORY, HRESULT};
use crate::{
    ICustomNotificationProvider, ICustomNotificationProvider_Impl, IHttpEventProvider_Impl,
    IMapPathProvider, IReadEntityProvider,
};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicI32, Ordering};
use widestring::U16CString;
use windows_sys::core::{BOOL, PCWSTR};

/// `RQ_MAP_PATH`'s provider in Rust terms (`use httpserv::module::MapPathExt`).
pub trait MapPathExt {
    /// The URL being mapped (`GetUrl`), e.g. `/docs/guide.html`.
    fn url_string(&self) -> Option<String>;
    /// The physical path it maps to so far (`GetPhysicalPath`): the site's, or what a module
    /// before this one set.
    fn physical_path_string(&self) -> Option<String>;
    /// Maps the URL to `path` instead (`SetPhysicalPath`, which copies it): every later
    /// reader of the path (`HttpContext::physical_path`, `PATH_TRANSLATED`, the handler)
    /// sees it.
    fn set_physical_path_str(&mut self, path: &str) -> Result<()>;
}

impl MapPathExt for IMapPathProvider {
    fn url_string(&self) -> Option<String> {
        self.url().map(|url| url.to_string_lossy())
    }

    fn physical_path_string(&self) -> Option<String> {
        self.physical_path().map(|path| path.to_string_lossy())
    }

    fn set_physical_path_str(&mut self, path: &str) -> Result<()> {
        let units: Vec<u16> = path.encode_utf16().collect();
        self.set_physical_path(&units)
    }
}

/// `RQ_CUSTOM_NOTIFICATION`'s provider in Rust terms (`use httpserv::module::CustomNotificationExt`).
pub trait CustomNotificationExt {
    /// The kind of the notification, as the module that raised it named it
    /// (`QueryNotificationType`): how a handler tells its own kind from others'.
    fn notification_type_string(&mut self) -> Option<String>;
}

impl CustomNotificationExt for ICustomNotificationProvider {
    fn notification_type_string(&mut self) -> Option<String> {
        self.query_notification_type()
            .map(|kind| kind.to_string_lossy())
    }
}

/// The provider [`HttpContext::notify_custom`] raises: its kind, and the error a handler set.
struct Custom {
    kind: U16CString,
    error: Arc<AtomicI32>,
}

impl IHttpEventProvider_Impl for Custom {
    fn SetErrorStatus(&self, error: HRESULT) {
        self.error.store(error.0, Ordering::Relaxed);
    }
}

// SAFETY: `QueryNotificationType` returns the NUL-terminated kind, which lives as long as the
// object.
unsafe impl ICustomNotificationProvider_Impl for Custom {
    fn QueryNotificationType(&self) -> PCWSTR {
        self.kind.as_ptr()
    }
}

impl HttpContext<'_> {
    /// Raises a custom notification of kind `kind` (`IHttpContext::NotifyCustomNotification`):
    /// the request's modules that handle `on_custom_request_notification` are called with it,
    /// before this returns. `Ok(true)` if one of them answered that it completes later
    /// (`pfCompletionExpected`); an error a handler set with `SetErrorStatus` comes back as
    /// `Err`. A `kind` with a NUL is `E_INVALIDARG`.
    pub fn notify_custom(&mut self, kind: &str) -> Result<bool> {
        let error = Arc::new(AtomicI32::new(0));
        let provider = ICustomNotificationProvider::new(Custom {
            kind: wide(kind)?,
            error: error.clone(),
        });
        let mut expected: BOOL = 0;
        // SAFETY: the request's live context; the provider is owned here and outlives the
        // call, which is the only time IIS uses it; `expected` is a live out value.
        let hr = unsafe {
            self.iis()
                .NotifyCustomNotification(provider.as_raw(), &mut expected)
        };
        hr.ok()?;
        HRESULT(error.load(Ordering::Relaxed)).ok()?;
        Ok(expected != 0)
    }

    /// Replaces the entity an `on_read_entity` is about with a copy of `bytes`
    /// (`IReadEntityProvider::SetEntity`): the reader gets them instead of what was read. IIS
    /// reads the buffer after the handler returns, so the copy is made in the request's
    /// memory, which lives as long as the request. An empty `bytes` leaves the reader
    /// nothing.
    pub fn replace_entity(
        &mut self,
        provider: &mut IReadEntityProvider,
        bytes: &[u8],
    ) -> Result<()> {
        let size = u32::try_from(bytes.len()).map_err(|_| Error::from(E_INVALIDARG))?;
        // SAFETY: the request's live context; the memory lives until the request ends.
        let memory = unsafe { self.iis().AllocateRequestMemory(size.max(1)) }.cast::<u8>();
        if memory.is_null() {
            return Err(Error::from(E_OUTOFMEMORY));
        }
        // SAFETY: `memory` is fresh request memory, writable for `size` bytes.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), memory, bytes.len()) };
        // SAFETY: the buffer is the request's memory, holding `size` bytes, live until the
        // request ends (longer than IIS reads it), and nothing else writes it.
        unsafe { provider.SetEntity(memory.cast(), size, size) };
        Ok(())
    }
}
