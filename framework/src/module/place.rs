//! Where the request runs and who sent it, as [`HttpContext`] methods that answer in Rust
//! types: the site (`IHttpSite`), the configuration path of the URL (`IMetadataInfo`), the
//! physical path it (or another URL) maps to, whether the client is still connected (`IHttpConnection`), and
//! the user an authentication module set (`IHttpUser`). Each is `None` (or `false`) when IIS
//! has no such object for the request; the objects themselves stay one call away
//! ([`HttpContext::iis`]).

use super::state_map::{already_assigned, StateMap};
use super::{state, HttpContext};
use crate::runtime::{Error, Result, E_INSUFFICIENT_BUFFER, E_UNEXPECTED};
use alloc::string::String;

impl<'a> HttpContext<'a> {
    /// The id of the request's site (`IHttpSite::GetSiteId`): 1 for IIS's
    /// `Default Web Site`.
    pub fn site_id(&self) -> Option<u32> {
        self.iis().site().map(|site| site.site_id())
    }

    /// The name of the request's site (`IHttpSite::GetSiteName`), e.g. `Default Web Site`.
    pub fn site_name(&self) -> Option<String> {
        let site = self.iis().site()?;
        Some(site.site_name()?.to_string_lossy())
    }

    /// The configuration path of the request's URL (`IMetadataInfo::GetMetaPath`), e.g.
    /// `MACHINE/WEBROOT/APPHOST/Default Web Site`: where its `web.config` settings are read.
    pub fn config_path(&self) -> Option<String> {
        let metadata = self.iis().metadata()?;
        Some(metadata.meta_path()?.to_string_lossy())
    }

    /// The physical path the URL maps to (`IHttpContext::GetPhysicalPath`), e.g.
    /// `C:\inetpub\wwwroot\index.html`; no file need be there.
    pub fn physical_path(&mut self) -> Option<String> {
        let path = self.iis_mut().physical_path()?;
        Some(String::from_utf16_lossy(path))
    }

    /// The physical path `url` (a path on this site, e.g. `/docs/a.html`) maps to
    /// (`IHttpContext::MapPath`, which raises `RQ_MAP_PATH` for it, so a module that maps
    /// paths elsewhere is heard). IIS sizes its buffer in bytes (`__out_bcount`): the first
    /// call asks for the size.
    pub fn map_path(&mut self, url: &str) -> Result<String> {
        let url = super::context::wide(url)?;
        let mut size = 0u32;
        // SAFETY: the request's live context; a NUL-terminated URL, no buffer (a size query)
        // and a live size.
        let hr = unsafe {
            self.iis()
                .MapPath(url.as_ptr(), core::ptr::null_mut(), &mut size)
        };
        if hr != E_INSUFFICIENT_BUFFER {
            hr.ok()?;
        }
        let mut buffer = alloc::vec![0u16; (size as usize).div_ceil(2)];
        let mut size = u32::try_from(buffer.len() * 2).map_err(|_| Error::from(E_UNEXPECTED))?;
        // SAFETY: as above, with `buffer` writable for `size` bytes.
        unsafe {
            self.iis()
                .MapPath(url.as_ptr(), buffer.as_mut_ptr(), &mut size)
        }
        .ok()?;
        let end = buffer
            .iter()
            .position(|&unit| unit == 0)
            .unwrap_or(buffer.len());
        Ok(String::from_utf16_lossy(&buffer[..end]))
    }

    /// Whether the client is still connected (`IHttpConnection::IsConnected`): work for a
    /// client that went away can stop. `false` when IIS gives the request no connection.
    pub fn is_client_connected(&self) -> bool {
        self.iis()
            .connection()
            .is_some_and(|connection| connection.is_connected())
    }

    /// This module's value of type `T` stored on the request's connection (see
    /// [`Self::set_connection_state`]); `None` if there is none of that type.
    pub fn connection_state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let container = self.iis().connection()?.module_context_container()?;
        let stored = container.connection_module_context(self.host.module_id())?;
        state::stored_on_connection::<StateMap>(stored)?.get::<T>()
    }

    /// Stores `value` on the request's connection for this module (in its slot of the
    /// connection's module context container): the requests a client sends over one
    /// keep-alive connection see it, and IIS drops it when the connection closes. A
    /// connection holds one value of each type per module: a second `set_connection_state` of
    /// a type fails with `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)`.
    pub fn set_connection_state<T: Send + Sync + 'static>(&mut self, value: T) -> Result<&'a T> {
        let container = self
            .iis()
            .connection()
            .and_then(|connection| connection.module_context_container())
            .ok_or_else(|| Error::from(E_UNEXPECTED))?;
        let id = self.host.module_id();
        let map = match container.connection_module_context(id) {
            Some(stored) => {
                state::stored_on_connection::<StateMap>(stored).ok_or_else(already_assigned)?
            }
            None => {
                let (stored, map) = state::store_on_connection(StateMap::new());
                container.set_connection_module_context(stored, id)?;
                // SAFETY: the container holds the stored context, and with it the map, until
                // the connection closes, after the request and so after 'a.
                unsafe { map.as_ref() }
            }
        };
        let value = map.insert(value).map_err(|_| already_assigned())?;
        // SAFETY: the map, and every value in it, lives until the connection closes, after
        // 'a; values are only added, and nothing hands out `&mut T`.
        Ok(unsafe { &*core::ptr::from_ref(value) })
    }

    /// The name of the handler mapping IIS chose for the request (`IScriptMapInfo::GetName`,
    /// e.g. `StaticFile`); `None` before IIS has mapped the handler, which it does at
    /// `MAP_REQUEST_HANDLER`. `ctx.iis().script_map()` has the rest of the mapping.
    pub fn handler_name(&self) -> Option<String> {
        let name = self.iis().script_map()?.name()?;
        Some(name.to_string_lossy())
    }

    /// The name of the request's user (`IHttpUser::GetUserName`), once an authentication
    /// module has set one; an empty name is the anonymous user.
    pub fn user_name(&mut self) -> Option<String> {
        let user = self.iis_mut().user_mut()?;
        Some(user.user_name()?.to_string_lossy())
    }

    /// Whether the request's user is in `role` (`IHttpUser::IsInRole`); `None` when there is
    /// no user, the user answers no role questions, or `role` holds a NUL.
    pub fn user_is_in_role(&mut self, role: &str) -> Option<bool> {
        let role = super::context::wide(role).ok()?;
        let user = self.iis_mut().user_mut()?;
        if !user.supports_is_in_role() {
            return None;
        }
        user.is_in_role(&role).ok()
    }

    /// How the request's user was authenticated (`IHttpUser::GetAuthenticationType`), e.g.
    /// `Basic`, `Negotiate`, or empty for the anonymous user.
    pub fn authentication_type(&mut self) -> Option<String> {
        let user = self.iis_mut().user_mut()?;
        Some(user.authentication_type()?.to_string_lossy())
    }
}
