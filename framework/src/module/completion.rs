//! Finishing a notification later, from anywhere, without a raw pointer: a notification takes
//! a [`Completion`] from its context and the framework answers `RQ_NOTIFICATION_PENDING` for
//! it; the request then waits until the completion is signalled, from any thread, by
//! [`Completion::post`] (IIS calls `on_async_completion` next) or [`Completion::resume`]
//! (the pipeline goes on with the given answer). Dropping a completion resumes with
//! [`Notification::Continue`], so a request can never be left waiting.
//!
//! IIS must not hear of the completion before it has the `PENDING` answer (it would call the
//! module again while the notification is still running). So a completion starts *armed*;
//! when the notification returns, the framework moves it to *pending* and answers `PENDING`
//! — unless it was signalled in the meantime, in which case the framework answers the signal
//! itself, synchronously, and IIS is never told. One atomic compare-and-swap on each side
//! decides which happened first.

use super::{Host, HttpContext, Notification};
use crate::IHttpContext;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicU32, Ordering};

/// The notification has not returned and nobody signalled.
const ARMED: u32 = 0;
/// The framework answered `PENDING`: a signal goes to IIS.
const PENDING: u32 = 1;
/// Signalled before the notification returned: resume with `Continue`.
const EARLY_CONTINUE: u32 = 2;
/// Signalled before the notification returned: resume with `FinishRequest`.
const EARLY_FINISH: u32 = 3;
/// Posted before the notification returned, with `bytes`.
const EARLY_POST: u32 = 4;
/// The signal went to IIS.
const DONE: u32 = 5;

/// What one completion's two sides share.
pub(crate) struct Shared {
    state: AtomicU32,
    /// The byte count of an early post.
    bytes: AtomicU32,
    /// The address of the request's context, which IIS keeps alive while the request is
    /// pending. An address, not a pointer: the pointer came from a borrow that ends with the
    /// notification; the address is the one IIS exposed when it passed the context.
    context: usize,
    /// The module's registration, for [`Completion::context`].
    host: Host,
    /// The thread of the notification, which must not wait for itself.
    #[cfg(feature = "std")]
    notification_thread: std::thread::ThreadId,
}

/// How the notification that armed a completion ends, decided when it returns.
pub(crate) enum Outcome {
    /// Answer `PENDING`; the completion will reach IIS.
    Pending,
    /// Signalled already: answer this now.
    Resume(Notification),
    /// Posted already: call `on_async_completion` with these bytes now.
    Posted(u32),
}

impl Shared {
    /// A completion for `context`'s current notification.
    pub(crate) fn new(context: *mut IHttpContext, host: Host) -> Arc<Shared> {
        Arc::new(Shared {
            state: AtomicU32::new(ARMED),
            bytes: AtomicU32::new(0),
            context: context as usize,
            host,
            #[cfg(feature = "std")]
            notification_thread: std::thread::current().id(),
        })
    }

    /// Called by the framework when the notification returns.
    pub(crate) fn returned(&self) -> Outcome {
        match self
            .state
            .compare_exchange(ARMED, PENDING, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Outcome::Pending,
            Err(EARLY_CONTINUE) => Outcome::Resume(Notification::Continue),
            Err(EARLY_FINISH) => Outcome::Resume(Notification::FinishRequest),
            Err(EARLY_POST) => Outcome::Posted(self.bytes.load(Ordering::Acquire)),
            Err(state) => unreachable!("a completion returned twice (state {state})"),
        }
    }
}

/// The right to finish a pending notification: `Send`, so it can move to the thread or the
/// callback that does the work. See [`HttpContext::complete_later`].
///
/// [`HttpContext::complete_later`]: super::HttpContext::complete_later
#[must_use = "dropping a completion resumes the request at once"]
pub struct Completion {
    shared: Arc<Shared>,
}

impl Completion {
    pub(crate) fn new(shared: Arc<Shared>) -> Completion {
        Completion { shared }
    }

    /// The request, once the notification that took this completion has returned (this
    /// waits for that): for work that ends on another thread by writing the response and
    /// [`Completion::resume`]. The borrow ends before the completion is signalled, so the
    /// request is never touched after IIS resumes it.
    ///
    /// # Panics
    /// On the notification's own thread before it returned (it would wait for itself; with
    /// the `std` feature, which can tell threads apart — without it, this never returns).
    pub fn context(&mut self) -> HttpContext<'_> {
        loop {
            match self.shared.state.load(Ordering::Acquire) {
                PENDING => break,
                ARMED => {
                    #[cfg(feature = "std")]
                    {
                        assert!(
                            std::thread::current().id() != self.shared.notification_thread,
                            "Completion::context called by the notification that is pending"
                        );
                        std::thread::yield_now();
                    }
                    #[cfg(not(feature = "std"))]
                    core::hint::spin_loop();
                }
                state => unreachable!("a live completion in state {state}"),
            }
        }
        // SAFETY: the notification returned `PENDING` (the acquire load above sees its
        // release), so IIS keeps the context alive and nobody else uses it in Rust until
        // this completion is signalled, which needs `self`, borrowed here.
        let context = unsafe { &mut *(self.shared.context as *mut IHttpContext) };
        HttpContext::new(context, self.shared.host, false)
    }

    /// Finishes the notification with `bytes` as its result: IIS calls the module's
    /// `on_async_completion` (`IHttpContext::PostCompletion`), whose answer goes on with
    /// the pipeline.
    pub fn post(self, bytes: u32) {
        self.shared.bytes.store(bytes, Ordering::Release);
        self.signal(EARLY_POST, |context| {
            // SAFETY: the request is pending until this call, so IIS keeps the context alive;
            // IIS takes completions from any thread. The resume contract holds: `signal` runs
            // this once, only after the notification answered pending and returned, and the
            // completion (consumed here) held the only Rust access to the request. A failure
            // leaves nothing to undo, and nobody to tell: the request ends when IIS gives up.
            let _ = unsafe { (*context).post_completion(bytes) };
        });
    }

    /// Finishes the notification as if it had answered `notification`
    /// (`IHttpContext::IndicateCompletion`); `on_async_completion` is not called.
    pub fn resume(self, notification: Notification) {
        let early = match notification {
            Notification::Continue => EARLY_CONTINUE,
            Notification::FinishRequest => EARLY_FINISH,
        };
        self.signal(early, |context| {
            // SAFETY: as in `post`.
            unsafe { (*context).indicate_completion(notification.to_raw()) };
        });
    }

    /// Records an early signal, or gives the signal to IIS when the notification has returned.
    fn signal(self, early: u32, to_iis: impl FnOnce(*mut IHttpContext)) {
        let shared = self.shared.clone();
        // Signalled now: no resume from Drop.
        core::mem::forget(self);
        match shared
            .state
            .compare_exchange(ARMED, early, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(PENDING) => {
                shared.state.store(DONE, Ordering::Release);
                to_iis(shared.context as *mut IHttpContext);
            }
            Err(state) => unreachable!("a completion signalled twice (state {state})"),
        }
        // The forgotten handle's reference.
        // SAFETY: `self` held one strong count, which `forget` kept; give it back.
        unsafe { Arc::decrement_strong_count(Arc::as_ptr(&shared)) };
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        Completion { shared }.resume(Notification::Continue);
    }
}
