//! Asynchronous I/O: how `ReadEntityBody`, `WriteEntityChunks` and `Flush` answer a module that
//! asks for `fAsync`. IIS may complete such a call at once (the pending flag FALSE, the bytes
//! written back) or later: it answers `S_OK` with the pending flag TRUE, the notification
//! returns `RQ_NOTIFICATION_PENDING`, and IIS calls the module's `OnAsyncCompletion` with the
//! bytes and the status in its `IHttpCompletionInfo`. [`AsyncIo`] picks one for a server, so a
//! module is tested both ways.
//!
//! Either way the server does the work at the call (the bytes are in the module's buffer, or
//! in the response, when the call returns). In the `Later` mode the completion waits for the
//! call into the module that started the I/O (a notification, or `OnAsyncCompletion`) to
//! return: answered `RQ_NOTIFICATION_PENDING`, it is delivered as a `PostCompletion` queued for
//! the request's thread (`completion.rs`), in either completion mode; answered anything else,
//! which is the module's bug (IIS would call `OnAsyncCompletion` all the same), it is dropped
//! with a trace line. An I/O a module starts from its own thread while its request is pending
//! is queued at once; for a request the server gave up on, it is dropped (the request then
//! ends with the completion its module signals).

use alloc::format;
use alloc::sync::Arc;

use windows_sys::core::BOOL;
use windows_sys::Win32::Foundation::{FALSE, TRUE};

use super::completion::Completion;
use super::exchange::Exchange;
use super::memory::put;
use crate::runtime::{HRESULT, S_OK};
use crate::*;

/// When an I/O a module asks for asynchronously (`fAsync` TRUE) completes: chosen with
/// [`TestServer::async_io`](crate::TestServer::async_io).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AsyncIo {
    /// At once, as a synchronous call does: the pending flag FALSE and the bytes written back
    /// (what the C++ host of `tests/iis_host` does, and IIS may). The default.
    #[default]
    Inline,
    /// Later, as IIS may: the pending flag TRUE and 0 bytes; once the module's notification
    /// has returned `RQ_NOTIFICATION_PENDING`, its `OnAsyncCompletion` is called with the
    /// bytes and `S_OK`. The end of the body (`HRESULT_FROM_WIN32(ERROR_HANDLE_EOF)`) is
    /// still answered at once, as IIS answers it.
    Later,
}

/// Answers an I/O call that has done its work, moving `bytes`: at once (`*done = bytes`,
/// `*pending = FALSE`), or, asked for `fAsync` by a server in the [`AsyncIo::Later`] mode,
/// later (`*done = 0`, `*pending = TRUE`, a completion of `bytes` and `S_OK` started). A null
/// `pending` completes at once: the module could not learn that its call pends.
///
/// # Safety
/// `done` and `pending` must each be null or writable (IIS's contract).
pub(crate) unsafe fn answer(
    exchange: &Exchange,
    asynchronous: BOOL,
    bytes: u32,
    done: *mut u32,
    pending: *mut BOOL,
) -> HRESULT {
    let later =
        asynchronous != FALSE && !pending.is_null() && exchange.async_io() == AsyncIo::Later;
    // SAFETY: the caller's contract.
    unsafe {
        put(done, if later { 0 } else { bytes });
        put(pending, if later { TRUE } else { FALSE });
    }
    if later {
        exchange.start_io(bytes, S_OK);
    }
    S_OK
}

impl Exchange {
    /// The request's asynchronous I/O mode.
    pub fn async_io(&self) -> AsyncIo {
        self.completions.async_io
    }

    /// An asynchronous I/O started that completes with `bytes` and `status`: held until the
    /// call into the module that started it returns, or queued at once when no call is under
    /// way (see the module docs).
    fn start_io(&self, bytes: u32, status: HRESULT) {
        if !self
            .completions
            .io_started(Completion::Async { bytes, status })
        {
            self.log(format!(
                "async I/O completion dropped: request {} was abandoned",
                self.number
            ));
        }
    }

    /// A call into a module (a notification, or `OnAsyncCompletion`) is about to be made on
    /// the request's thread: I/O it starts waits for [`Exchange::returned`].
    pub fn calling(&self) {
        self.completions.calling();
    }

    /// The call [`Exchange::calling`] announced returned `status`: the I/O it started is
    /// queued when it is `RQ_NOTIFICATION_PENDING`, dropped with a trace line otherwise.
    pub fn returned(self: &Arc<Exchange>, status: REQUEST_NOTIFICATION_STATUS) {
        let (ending, dropped) = self.completions.returned(status, None);
        self.log_dropped(status, dropped);
        if let Some(ending) = ending {
            self.end_abandoned(ending);
        }
    }

    /// The trace line for `dropped` I/O completions of a call that returned `status`.
    pub(crate) fn log_dropped(&self, status: REQUEST_NOTIFICATION_STATUS, dropped: usize) {
        if dropped > 0 {
            self.log(format!(
                "async I/O completion dropped ({dropped}): the call that started it returned \
                 {status}, not RQ_NOTIFICATION_PENDING"
            ));
        }
    }
}
