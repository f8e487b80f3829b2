//! [`HttpContext`]: one request as a notification sees it, in Rust terms — the request's
//! method, URL, headers, server variables and body; the response's status, headers and body;
//! typed state stored on the request; and [`HttpContext::complete_later`] for work that
//! finishes after the notification returns. Everything else IIS offers is one call away on
//! the generated [`IHttpContext`] ([`HttpContext::iis`]).

use super::completion::{Completion, Shared};
use super::state_map::{already_assigned, StateMap};
use super::{state, wire, Host};
use crate::runtime::{Error, Result, E_INVALIDARG};
use crate::ExtendedInterface;
use crate::{IHttpContext, IHttpContext3, IHttpRequest, IHttpResponse, IHttpServer};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::CStr;
use core::ptr::NonNull;
use widestring::{U16CStr, U16CString};

/// The request a notification is about, borrowed for the notification.
pub struct HttpContext<'a> {
    /// IIS's pointer to the context, which every call goes through by a reference made for
    /// that call alone (no exclusive reference lives across calls, so IIS may hand the same
    /// context to a global module meanwhile, as `GL_TRACE_EVENT` does), and which a
    /// completion keeps to reach the context once this borrow has ended.
    raw: NonNull<IHttpContext>,
    /// The context is borrowed exclusively for the notification.
    borrow: core::marker::PhantomData<&'a mut IHttpContext>,
    pub(super) host: Host,
    /// Whether the notification can be pending (request notifications can, global ones
    /// cannot).
    can_pend: bool,
    /// The completion taken during this notification, if any.
    completion: Option<Arc<Shared>>,
    /// The task spawned during this notification, if any (dropped by hand, see `Drop`).
    #[cfg(feature = "std")]
    spawned: core::mem::ManuallyDrop<Option<super::task::Task>>,
}

impl<'a> HttpContext<'a> {
    /// The context behind IIS's pointer `raw`, which a completion taken here keeps (not a
    /// pointer derived from this borrow, which ends first).
    ///
    /// # Safety
    /// `raw` must be IIS's live `IHttpContext` of the request, used by nothing else in Rust
    /// for `'a` but through shared references made from IIS's pointer (a global module
    /// reading the request's state during a trace event this notification raises).
    pub(crate) unsafe fn from_raw(
        raw: NonNull<IHttpContext>,
        host: Host,
        can_pend: bool,
    ) -> HttpContext<'a> {
        HttpContext {
            raw,
            borrow: core::marker::PhantomData,
            host,
            can_pend,
            completion: None,
            #[cfg(feature = "std")]
            spawned: core::mem::ManuallyDrop::new(None),
        }
    }

    /// The context, for one shared use.
    fn context(&self) -> &IHttpContext {
        // SAFETY: `from_raw`'s guarantee: live for 'a, and only shared references are made
        // elsewhere meanwhile; a shared borrow of `self` excludes this type's exclusive ones.
        unsafe { self.raw.as_ref() }
    }

    /// The context, for one exclusive use.
    fn context_mut(&mut self) -> &mut IHttpContext {
        // SAFETY: as above; an exclusive borrow of `self` is the only one this type makes.
        unsafe { &mut *self.raw.as_ptr() }
    }

    /// The completion taken during the notification, for the framework to settle.
    pub(crate) fn take_completion(&mut self) -> Option<Arc<Shared>> {
        self.completion.take()
    }

    /// The task spawned during the notification, for the framework to run.
    #[cfg(feature = "std")]
    pub(crate) fn take_spawned(&mut self) -> Option<super::task::Task> {
        self.spawned.take()
    }

    /// The IIS object, for what this type does not cover.
    pub fn iis(&self) -> &IHttpContext {
        self.context()
    }

    /// The IIS object, exclusively.
    pub fn iis_mut(&mut self) -> &mut IHttpContext {
        self.context_mut()
    }

    /// The module's id (`IHttpModuleRegistrationInfo::GetId`): its key for the raw module
    /// context container.
    pub fn module_id(&self) -> crate::HTTP_MODULE_ID {
        self.host.module_id()
    }

    /// The server the module was loaded by.
    pub fn server(&self) -> &IHttpServer {
        self.host.server()
    }

    /// The request.
    ///
    /// # Panics
    /// If IIS has no request for the context (it always has one during a notification).
    pub fn request(&self) -> &IHttpRequest {
        self.context()
            .request()
            .expect("IIS gives every context a request")
    }

    /// The request, exclusively (to change headers, the URL, or read the body).
    ///
    /// # Panics
    /// As [`Self::request`].
    pub fn request_mut(&mut self) -> &mut IHttpRequest {
        self.context_mut()
            .request_mut()
            .expect("IIS gives every context a request")
    }

    /// The response.
    ///
    /// # Panics
    /// If IIS has no response for the context (it always has one during a notification).
    pub fn response(&self) -> &IHttpResponse {
        self.context()
            .response()
            .expect("IIS gives every context a response")
    }

    /// The response, exclusively.
    ///
    /// # Panics
    /// As [`Self::response`].
    pub fn response_mut(&mut self) -> &mut IHttpResponse {
        self.context_mut()
            .response_mut()
            .expect("IIS gives every context a response")
    }

    /// The HTTP method (`GET`), or `""` if IIS has none or it is not UTF-8.
    pub fn method(&self) -> &str {
        self.request()
            .http_method()
            .and_then(|method| method.to_str().ok())
            .unwrap_or("")
    }

    /// A request header by name, as IIS has it (bytes, usually ASCII).
    #[inline]
    pub fn request_header(&self, name: &str) -> Option<&[u8]> {
        let request = self.request();
        with_c_str(name, |name| Ok(request.header(name)))
            .ok()
            .flatten()
    }

    /// A request header as text, if it is present and UTF-8.
    #[inline]
    pub fn request_header_str(&self, name: &str) -> Option<&str> {
        self.request_header(name).and_then(text)
    }

    /// Sets (replacing) a request header, for the modules and handler that come later (and
    /// whatever IIS forwards it to). Checked as
    /// [`set_response_header`](Self::set_response_header): `E_INVALIDARG`, and nothing set,
    /// for a name that is not a token or a value with a control character.
    #[inline]
    pub fn set_request_header(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<()> {
        let value = value.as_ref();
        wire::check(wire::is_field_value(value))?;
        let request = self.request_mut();
        with_token(name, |name| request.set_header(name, value, true))
    }

    /// Removes a request header, for the modules and handler that come later; removing one
    /// that is not there succeeds. `E_INVALIDARG` for a name that is not a token.
    #[inline]
    pub fn remove_request_header(&mut self, name: &str) -> Result<()> {
        let request = self.request_mut();
        with_token(name, |name| request.delete_header(name))
    }

    /// A server variable as text (`REMOTE_ADDR`, `HTTP_HOST`…); `None` if it is not set or
    /// not UTF-8.
    #[inline]
    pub fn server_variable(&self, name: &str) -> Option<&str> {
        self.server_variable_bytes(name).and_then(text)
    }

    /// A server variable as IIS has it (bytes); `None` if it is not set.
    ///
    /// A shared borrow suffices: IIS's `GetServerVariable` only reads the request (it is not
    /// `const` in C++ because it may fill its cache), and the value it returns is a copy in
    /// the request's memory that lives until the request ends — not invalidated by a later
    /// read, and changes to the request need `&mut self`, which the returned borrow excludes.
    pub fn server_variable_bytes(&self, name: &str) -> Option<&[u8]> {
        let context: &IHttpContext = self.context();
        with_c_str(name, |name| {
            let mut value: windows_sys::core::PCSTR = core::ptr::null();
            let mut len = 0u32;
            // SAFETY: `name` is NUL-terminated and the out-pointers are live locals, IIS's
            // contract for the call; the context is live for 'a. IIS changes no Rust-visible
            // state of the object (the call goes through a pointer, as every call does).
            unsafe {
                context.GetServerVariable_PCSTR_ptr(name.as_ptr().cast(), &mut value, &mut len)
            }
            .ok()?;
            if value.is_null() {
                return Ok(&[][..]);
            }
            // SAFETY: IIS returns `len` bytes at `value` in the request's memory, valid until
            // the request ends, longer than this borrow of the context (see above).
            Ok(unsafe { core::slice::from_raw_parts(value.cast::<u8>(), len as usize) })
        })
        .ok()
    }

    /// Sets a server variable for the rest of the request (IIS keeps them as UTF-16: `value`
    /// is converted here). Some variables become headers (`HTTP_*` the request's, and
    /// URL Rewrite sends `RESPONSE_*` as response headers), so every one is checked as a
    /// header is: `E_INVALIDARG`, and nothing set, for a name that is not a token or a value
    /// with a control character.
    pub fn set_server_variable(&mut self, name: &str, value: &str) -> Result<()> {
        wire::check(wire::is_field_value(value.as_bytes()))?;
        let context = self.context_mut();
        with_wide(value, |value| {
            with_token(name, |name| context.set_server_variable(name, value))
        })
    }

    /// Writes `message` to the request's trace (`IHttpTraceContext::QuickTrace`, which
    /// Failed Request Tracing shows); `E_INVALIDARG` if it holds a NUL.
    pub fn trace(&mut self, message: &str) -> Result<()> {
        let Some(trace) = self.context_mut().trace_context_mut() else {
            return Ok(());
        };
        trace.quick_trace(&wide(message)?)
    }

    /// This module's value of type `T` stored on the request (see [`Self::set_state`]);
    /// `None` if there is none or it is another type.
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<&T> {
        let container = self.context().module_context_container()?;
        state::stored::<StateMap>(container.module_context(self.host.module_id())?)?.get::<T>()
    }

    /// Stores `value` on the request for this module, for later notifications and for the
    /// global module of the same DLL; IIS drops it when the request ends. A request holds one
    /// value of each type per module (like `http::Extensions`): several types can be stored,
    /// and a second `set_state` of the same type fails with
    /// `HRESULT_FROM_WIN32(ERROR_ALREADY_ASSIGNED)`, as IIS's `SetModuleContext` refuses a
    /// second stored context. (The values share the module's one slot of the request's module
    /// context container, `state_map.rs`.)
    ///
    /// The reference returned is for the whole notification (`'a`), not for this borrow of
    /// the context: the module can go on using the context while it holds it.
    pub fn set_state<T: Send + Sync + 'static>(&mut self, value: T) -> Result<&'a T> {
        let container = self
            .context()
            .module_context_container()
            .ok_or_else(|| Error::from(crate::runtime::E_UNEXPECTED))?;
        let id = self.host.module_id();
        let map = match container.module_context(id) {
            Some(stored) => state::stored::<StateMap>(stored).ok_or_else(already_assigned)?,
            None => {
                let (stored, map) = state::store(self.context(), StateMap::new())?;
                container.set_module_context(stored, id)?;
                // SAFETY: the container holds the stored context, and with it the map,
                // until the request ends.
                unsafe { map.as_ref() }
            }
        };
        let value = map.insert(value).map_err(|_| already_assigned())?;
        // SAFETY: the map, and every value in it, lives until IIS cleans the stored context
        // up when the request ends, after 'a (the notification's borrow of the request);
        // values are only added, and nothing hands out `&mut T`.
        Ok(unsafe { &*core::ptr::from_ref(value) })
    }

    /// The value of type `T` stored on the request under `name` by any module of this DLL
    /// (`IHttpContext3`'s named contexts); `None` if there is none, if it is another type or
    /// was stored by another module, or if the server has no named contexts.
    pub fn named_state<T: Send + Sync + 'static>(&self, name: &str) -> Option<&T> {
        let name = wide(name).ok()?;
        let context3 = self.server().extended::<IHttpContext3>(self.context())?;
        let stored = context3.named_context_container()?.named_context(&name)?;
        state::stored(stored)
    }

    /// Stores `value` on the request under `name`, where other modules can find it.
    pub fn set_named_state<T: Send + Sync + 'static>(
        &mut self,
        name: &str,
        value: T,
    ) -> Result<()> {
        let name = wide(name)?;
        let context3 = self
            .server()
            .extended::<IHttpContext3>(self.context())
            .ok_or_else(|| Error::from(crate::runtime::E_NOINTERFACE))?;
        let container = context3
            .named_context_container()
            .ok_or_else(|| Error::from(crate::runtime::E_UNEXPECTED))?;
        let (stored, _) = state::store(self.context(), value)?;
        container.set_named_context(stored, &name)
    }

    /// Stops IIS calling this module's `notifications` for the rest of the request
    /// (`IHttpContext::DisableNotifications`; the current one goes on): a module that has
    /// done its work early, say a handler that answered at `BEGIN_REQUEST`, spares IIS the
    /// later calls. `Notifications::END_REQUEST | Notifications::POST_BEGIN_REQUEST` names
    /// both kinds.
    pub fn disable_notifications(&mut self, notifications: super::Notifications) {
        self.context_mut()
            .disable_notifications(notifications.request, notifications.post);
    }

    /// Finishes this notification later: the framework answers IIS "pending" when the
    /// notification returns (whatever it returns), and the request waits until the
    /// [`Completion`] is signalled — from any thread, or dropped, which resumes it.
    ///
    /// # Panics
    /// In a global notification (IIS has no pending answer for those), or if the
    /// notification already took a completion.
    pub fn complete_later(&mut self) -> Completion {
        assert!(self.can_pend, "a global notification cannot complete later");
        assert!(
            self.completion.is_none() && !self.has_spawned(),
            "a notification takes one completion"
        );
        let shared = Shared::new(self.raw, self.host);
        self.completion = Some(shared.clone());
        Completion::new(shared)
    }
}

impl HttpContext<'_> {
    /// Hands the rest of the notification to a future: `make` gets the request as an
    /// [`AsyncContext`](super::AsyncContext) and returns the future, whose output answers the
    /// notification (a [`Notification`](super::Notification), or a `Result` whose error answers as `?` does). The
    /// framework polls it at once; while it waits, the notification answers IIS
    /// `RQ_NOTIFICATION_PENDING`, and it is polled again when IIS completes its I/O (on IIS's
    /// thread, from `OnAsyncCompletion`) or its waker is woken (through IIS's pool). What the
    /// notification itself returns is not used.
    ///
    /// ```
    /// use httpserv::module::{AsyncContext, HttpContext, HttpError, HttpModule, Notification};
    ///
    /// struct Echo;
    ///
    /// #[httpserv::module]
    /// impl HttpModule for Echo {
    ///     fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
    ///         ctx.spawn(echo)
    ///     }
    /// }
    ///
    /// async fn echo(mut request: AsyncContext) -> Result<Notification, HttpError> {
    ///     request.with(|ctx| {
    ///         ctx.set_status(200, "OK")?;
    ///         ctx.set_response_header("Content-Type", "text/plain")
    ///     })?;
    ///     let mut buffer = Vec::with_capacity(8192);
    ///     loop {
    ///         buffer = request.read_body(buffer).await?;
    ///         if buffer.is_empty() {
    ///             break;
    ///         }
    ///         buffer = request.write(buffer).await?;
    ///     }
    ///     request.flush().await?;
    ///     Ok(Notification::FinishRequest)
    /// }
    /// ```
    ///
    /// # Panics
    /// In a global notification (which cannot pend), or when the notification already took a
    /// completion or spawned.
    #[cfg(feature = "std")]
    pub fn spawn<F, Fut>(&mut self, make: F) -> super::Notification
    where
        F: FnOnce(super::AsyncContext) -> Fut,
        Fut: core::future::Future + Send + 'static,
        Fut::Output: super::IntoNotification,
    {
        assert!(self.can_pend, "a global notification cannot spawn");
        assert!(
            self.completion.is_none() && self.spawned.is_none(),
            "a notification takes one completion"
        );
        *self.spawned = Some(super::task::task(self.context(), make));
        super::Notification::Continue
    }

    pub(crate) fn has_spawned(&self) -> bool {
        #[cfg(feature = "std")]
        return self.spawned.is_some();
        #[cfg(not(feature = "std"))]
        return false;
    }
}

impl Drop for HttpContext<'_> {
    /// A completion still here was not taken by the framework: the notification unwound
    /// instead of returning, and will not answer pending for it. A task nobody took is
    /// dropped: the check is here, inline, because a context ends with every notification and
    /// nearly never holds one (an `Option<Task>` left to the compiler's drop glue is a call
    /// into the task's drop code each time).
    #[inline]
    fn drop(&mut self) {
        if let Some(completion) = self.completion.take() {
            completion.abandon();
        }
        #[cfg(feature = "std")]
        if self.spawned.is_some() {
            // SAFETY: dropped once, here; nothing uses the field after.
            unsafe { core::mem::ManuallyDrop::drop(&mut self.spawned) }
        }
    }
}

/// Runs `f` with `text` as a NUL-terminated C string: copied to the stack for the usual
/// short names (no allocation), else to the heap; `E_INVALIDARG` if `text` holds a NUL.
#[inline(always)]
pub(super) fn with_c_str<R>(text: &str, f: impl FnOnce(&CStr) -> Result<R>) -> Result<R> {
    with_c_str_of(text, |byte| byte != 0, f)
}

/// [`with_c_str`] for a header or variable name: `E_INVALIDARG` unless `name` is an RFC 9110
/// token, checked in the same pass as the copy.
#[inline(always)]
pub(super) fn with_token<R>(name: &str, f: impl FnOnce(&CStr) -> Result<R>) -> Result<R> {
    wire::check(!name.is_empty())?;
    with_c_str_of(name, wire::is_tchar, f)
}

/// [`with_c_str`], accepting only octets `accept` takes; `accept` must refuse NUL.
#[inline(always)]
fn with_c_str_of<R>(
    text: &str,
    accept: impl Fn(u8) -> bool,
    f: impl FnOnce(&CStr) -> Result<R>,
) -> Result<R> {
    const STACK: usize = 128;
    let bytes = text.as_bytes();
    if bytes.len() < STACK {
        // Not zeroed first: that is a call to `memset` on some targets.
        let mut buffer = core::mem::MaybeUninit::<[u8; STACK]>::uninit();
        let start = buffer.as_mut_ptr().cast::<u8>();
        // One pass checks and copies: names are short, and a call to `memchr` and one to
        // `memcpy` cost more than the loop (this runs for every header and variable).
        for (at, &byte) in bytes.iter().enumerate() {
            if !accept(byte) {
                return Err(Error::from(E_INVALIDARG));
            }
            // SAFETY: `at < bytes.len() < STACK`: inside the buffer.
            unsafe { start.add(at).write(byte) };
        }
        // SAFETY: `bytes.len() < STACK`, so the NUL stays in the buffer; the first
        // `bytes.len() + 1` bytes are then initialised, hold no NUL but the last (`accept`,
        // which refuses NUL, took every other), and live as long as `buffer`.
        let c_str = unsafe {
            start.add(bytes.len()).write(0);
            CStr::from_bytes_with_nul_unchecked(core::slice::from_raw_parts(start, bytes.len() + 1))
        };
        f(c_str)
    } else if bytes.iter().all(|&byte| byte != 0 && accept(byte)) {
        let c_string = alloc::ffi::CString::new(text).map_err(|_| Error::from(E_INVALIDARG))?;
        f(&c_string)
    } else {
        Err(Error::from(E_INVALIDARG))
    }
}

/// Calls `f` with `text` as NUL-terminated UTF-16, on the stack when short (as
/// [`with_c_str`]); `E_INVALIDARG` if it holds a NUL.
pub(super) fn with_wide<R>(text: &str, f: impl FnOnce(&U16CStr) -> Result<R>) -> Result<R> {
    const STACK: usize = 128;
    wire::check(!text.contains('\0'))?;
    if text.len() < STACK {
        // UTF-16 never takes more units than UTF-8 takes bytes. Not zeroed first: that is a
        // call to `memset` on some targets.
        let mut buffer = core::mem::MaybeUninit::<[u16; STACK]>::uninit();
        let start = buffer.as_mut_ptr().cast::<u16>();
        let mut used = 0;
        for unit in text.encode_utf16() {
            // SAFETY: `used < text.len() < STACK`: inside the buffer.
            unsafe { start.add(used).write(unit) };
            used += 1;
        }
        // SAFETY: `used < STACK`: the NUL stays in the buffer; the first `used + 1` units are
        // then initialised, and live as long as `buffer`.
        let units = unsafe {
            start.add(used).write(0);
            core::slice::from_raw_parts(start, used + 1)
        };
        let text = U16CStr::from_slice(units).map_err(|_| Error::from(E_INVALIDARG))?;
        f(text)
    } else {
        f(&wide(text)?)
    }
}

pub(super) fn wide(text: &str) -> Result<U16CString> {
    wire::check(!text.contains('\0'))?;
    U16CString::from_vec(text.encode_utf16().collect::<Vec<u16>>())
        .map_err(|_| Error::from(E_INVALIDARG))
}

/// `bytes` as text if they are UTF-8. The values IIS hands out are nearly always ASCII, which
/// a short loop confirms faster than the general check does for such short strings.
pub(super) fn text(bytes: &[u8]) -> Option<&str> {
    if bytes.is_ascii() {
        // SAFETY: ASCII is UTF-8.
        Some(unsafe { core::str::from_utf8_unchecked(bytes) })
    } else {
        core::str::from_utf8(bytes).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::text;

    #[test]
    fn text_is_utf8_only() {
        assert_eq!(text(b"/hello"), Some("/hello"));
        assert_eq!(text("/grüße".as_bytes()), Some("/grüße"));
        assert_eq!(text(b"\xff"), None);
    }
}
