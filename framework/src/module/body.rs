//! The request body for a module: [`HttpContext::read_body`] a piece at a time, and
//! [`HttpContext::read_body_to_end`] whole but bounded — by [`BODY_LIMIT`] (2 MiB) unless the
//! module names another limit ([`HttpContext::read_body_to_end_limited`]) — with a
//! [`BodyError`] that `?` answers `413` when the body is over it; and
//! [`HttpContext::insert_body`], bytes put back in front of what is left to read.

use super::{HttpContext, HttpError};
use crate::runtime::{Error, E_HANDLE_EOF, E_INVALIDARG, E_OUTOFMEMORY};
use alloc::vec::Vec;
use core::fmt;

/// The most [`HttpContext::read_body_to_end`] reads: 2 MiB, as axum bounds its body
/// extractors (2 MB). IIS's own bound (`maxAllowedContentLength`, 30,000,000 bytes by
/// default) is for the whole server; a worker process holds a body per request it serves at
/// once, so a module holding bodies whole should hold small ones (forms, JSON) and read
/// anything larger a piece at a time ([`HttpContext::read_body`]), or name its own limit.
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Why a body could not be read whole.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BodyError {
    /// The body is longer than `limit` bytes: what was read is dropped, the rest left
    /// unread. `?` answers it `413 Content Too Large`.
    TooLarge {
        /// The limit it passed.
        limit: usize,
    },
    /// IIS failed to read it (the client went away, …). `?` answers it 500 and reports the
    /// `HRESULT` to the request's trace.
    Read(Error),
}

impl fmt::Display for BodyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BodyError::TooLarge { limit } => write!(f, "the request body is over {limit} bytes"),
            BodyError::Read(error) => write!(f, "reading the request body failed: {error:?}"),
        }
    }
}

impl core::error::Error for BodyError {}

impl From<Error> for BodyError {
    fn from(error: Error) -> BodyError {
        BodyError::Read(error)
    }
}

impl From<BodyError> for HttpError {
    /// `413` for a body over the limit, `500` (reporting the error) for a failed read.
    fn from(error: BodyError) -> HttpError {
        match error {
            BodyError::TooLarge { .. } => HttpError::status(413),
            BodyError::Read(error) => HttpError::from(error),
        }
    }
}

impl HttpContext<'_> {
    /// Reads the next part of the request body into `buffer`; `Ok(0)` at its end. A read
    /// returns what has arrived, which may be less than `buffer` holds before the end: read
    /// until `Ok(0)`.
    pub fn read_body(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        if buffer.is_empty() {
            return Ok(0);
        }
        match self.request_mut().read_entity_body(buffer) {
            Ok(read) => Ok(read as usize),
            Err(error) if error.code() == E_HANDLE_EOF => Ok(0),
            Err(error) => Err(error),
        }
    }

    /// Reads the rest of the request body, up to [`BODY_LIMIT`] (2 MiB):
    /// [`BodyError::TooLarge`] past it, which `?` in a notification answers with `413`.
    pub fn read_body_to_end(&mut self) -> Result<Vec<u8>, BodyError> {
        self.read_body_to_end_limited(BODY_LIMIT)
    }

    /// Reads the rest of the request body, up to `limit` bytes: [`BodyError::TooLarge`] past
    /// it, at once when the declared `Content-Length` is over it (nothing is read), else as
    /// soon as a read passes it (the rest is left unread).
    pub fn read_body_to_end_limited(&mut self, limit: usize) -> Result<Vec<u8>, BodyError> {
        let declared = self
            .request_header_str("Content-Length")
            .and_then(|length| length.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(BodyError::TooLarge { limit });
        }
        let mut body = Vec::new();
        let mut buffer = [0u8; 4096];
        loop {
            match self.read_body(&mut buffer)? {
                0 => return Ok(body),
                read if body.len() + read > limit => return Err(BodyError::TooLarge { limit }),
                read => body.extend_from_slice(&buffer[..read]),
            }
        }
    }

    /// Puts `bytes` in front of what is left of the request body: the next reads (this
    /// module's or another's, in this notification or a later one) return them first
    /// (`IHttpRequest::InsertEntityBody`). IIS keeps no copy and reads them after the call,
    /// so they are copied into the request's memory, which lives as long as the request. The
    /// `Content-Length` header is left as it was, as IIS leaves it.
    pub fn insert_body(&mut self, bytes: &[u8]) -> Result<(), Error> {
        if bytes.is_empty() {
            return Ok(());
        }
        let size = u32::try_from(bytes.len()).map_err(|_| Error::from(E_INVALIDARG))?;
        // SAFETY: the request's live context; the memory lives until the request ends.
        let memory = unsafe { self.iis().AllocateRequestMemory(size) }.cast::<u8>();
        if memory.is_null() {
            return Err(Error::from(E_OUTOFMEMORY));
        }
        // SAFETY: `memory` is fresh request memory, writable for `size` bytes.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), memory, bytes.len()) };
        // SAFETY: the buffer is the request's memory, live until the request ends, as IIS
        // requires of an inserted body, and nothing else writes it.
        unsafe { self.request_mut().InsertEntityBody(memory.cast(), size) }.ok()
    }
}
