//! Finishing a notification later, from anywhere, without a raw pointer: a notification takes
//! a [`Completion`] from its context and the framework answers `RQ_NOTIFICATION_PENDING` for
//! it; the request then waits until the completion is signalled, from any thread, by
//! [`Completion::post`] (IIS calls `on_async_completion` next) or [`Completion::resume`]
//! (the pipeline goes on with the given answer). Dropping a completion resumes with
//! [`Notification::Continue`], so a request can never be left waiting.
//!
//! IIS must not hear of the completion before it has the `PENDING` answer, and once it does it
//! may call the module again at once — from inside `PostCompletion` or `IndicateCompletion`, on
//! the signalling thread, while the notification's own thread is still returning. So a
//! completion starts *armed*, and the framework moves it to *pending* only after its last
//! touch of the module and the context (the module's `&mut`, the context's `&mut` and the
//! module's busy flag all released): from then on the notification's thread only returns
//! `PENDING`, and nothing it holds is what a re-entered call uses. A completion signalled
//! while armed is answered by the framework itself, synchronously, and IIS is never told. One
//! atomic compare-and-swap on each side decides which happened first, and orders the
//! notification's last use of the module before the signal's call into IIS.
//!
//! The signal calls IIS through the vtable with the context's raw pointer, holding no
//! reference to the context across the call: a re-entered notification makes a `&mut` of the
//! same context, which would invalidate any reference held there.

use super::{Host, HttpContext, Notification};
use crate::{IHttpContext, REQUEST_NOTIFICATION_STATUS};
use alloc::sync::Arc;
use core::ptr::NonNull;
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
/// The notification never answered `PENDING` (it panicked): the request went on without the
/// completion, whose signal now goes nowhere.
const ABANDONED: u32 = 6;

/// What one completion's two sides share.
pub(crate) struct Shared {
    state: AtomicU32,
    /// The byte count of an early post.
    bytes: AtomicU32,
    /// The request's context as IIS passed it to the notification: the raw pointer, never a
    /// reference (whose borrow would end with the notification), kept alive by IIS while the
    /// request is pending.
    context: NonNull<IHttpContext>,
    /// The module's registration, for [`Completion::context`].
    host: Host,
    /// The thread of the notification, which must not wait for itself.
    #[cfg(feature = "std")]
    notification_thread: std::thread::ThreadId,
}

// SAFETY: the context pointer is used by one side at a time, handed over by the atomic
// `state` (the notification until it answers pending, then the completion's holder, then
// IIS); IIS takes a request's calls from any thread. The rest is atomics and plain data.
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

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
    /// A completion for the current notification of `context`, IIS's pointer.
    pub(crate) fn new(context: NonNull<IHttpContext>, host: Host) -> Arc<Shared> {
        Arc::new(Shared {
            state: AtomicU32::new(ARMED),
            bytes: AtomicU32::new(0),
            context,
            host,
            #[cfg(feature = "std")]
            notification_thread: std::thread::current().id(),
        })
    }

    /// Called by the framework when the notification is done with the module and the
    /// context; after `Pending`, the caller touches neither again (IIS may be calling the
    /// module already).
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

    /// Called when the notification that armed the completion ends without answering for it
    /// (it unwound): the completion's signal will go nowhere, and its `context()` panics
    /// instead of waiting for a `PENDING` that never comes.
    pub(crate) fn abandon(&self) {
        let _ = self
            .state
            .compare_exchange(ARMED, ABANDONED, Ordering::AcqRel, Ordering::Acquire);
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
    /// the `std` feature, which can tell threads apart — without it, this never returns), and
    /// when the notification panicked instead of returning (the request went on without it).
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
                ABANDONED => panic!("the notification that took this completion panicked"),
                state => unreachable!("a live completion in state {state}"),
            }
        }
        // SAFETY: the notification answered `PENDING` after its last use of the context (the
        // acquire load above sees that release), so IIS keeps the context alive and nobody
        // else uses it in Rust until this completion is signalled, which needs `self`,
        // borrowed here.
        unsafe { HttpContext::from_raw(self.shared.context, self.shared.host, false) }
    }

    /// Finishes the notification with `bytes` as its result: IIS calls the module's
    /// `on_async_completion` (`IHttpContext::PostCompletion`), whose answer goes on with
    /// the pipeline.
    pub fn post(self, bytes: u32) {
        self.shared.bytes.store(bytes, Ordering::Release);
        self.signal(EARLY_POST, |context| {
            // SAFETY: the request is pending until this call, so IIS keeps the context alive
            // and takes completions from any thread; `signal` makes this call once, after the
            // notification's last touch of the module and the context, and this thread holds
            // no reference to the context (the completion, consumed, held the only access). A
            // failure leaves nothing to undo, and nobody to tell: IIS ends the request.
            let _ = unsafe { ((*IHttpContext::vtable_of(context)).PostCompletion)(context, bytes) };
        });
    }

    /// Finishes the notification as if it had answered `notification`
    /// (`IHttpContext::IndicateCompletion`); `on_async_completion` is not called. IIS goes on
    /// with the request **on this thread**, inside this call: the rest of the pipeline, other
    /// modules' notifications included, runs here before it returns (unlike [`Self::post`],
    /// which IIS queues to its thread pool).
    pub fn resume(self, notification: Notification) {
        let early = match notification {
            Notification::Continue => EARLY_CONTINUE,
            Notification::FinishRequest => EARLY_FINISH,
        };
        let status: REQUEST_NOTIFICATION_STATUS = notification.to_raw();
        self.signal(early, |context| {
            // SAFETY: as in `post`.
            unsafe { ((*IHttpContext::vtable_of(context)).IndicateCompletion)(context, status) };
        });
    }

    /// Records an early signal, or gives the signal to IIS when the notification has returned.
    fn signal(self, early: u32, to_iis: impl FnOnce(*mut IHttpContext)) {
        // Signalled now: no resume from Drop.
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so its handle moves out once.
        let shared = unsafe { core::ptr::read(&this.shared) };
        match shared
            .state
            .compare_exchange(ARMED, early, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) | Err(ABANDONED) => {}
            Err(PENDING) => {
                shared.state.store(DONE, Ordering::Relaxed);
                to_iis(shared.context.as_ptr());
            }
            Err(state) => unreachable!("a completion signalled twice (state {state})"),
        }
    }
}

impl Completion {
    /// Lets go without signalling: for a completion whose request is ending without it (a
    /// task dropped while it waited for a wake).
    #[cfg(feature = "std")]
    pub(crate) fn forget(self) {
        let this = core::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so its handle moves out once.
        drop(unsafe { core::ptr::read(&this.shared) });
    }
}

impl Drop for Completion {
    fn drop(&mut self) {
        let shared = self.shared.clone();
        Completion { shared }.resume(Notification::Continue);
    }
}
