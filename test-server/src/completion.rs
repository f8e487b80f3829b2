//! How a pending request completes. A module signals its completion from any thread
//! (`IHttpContext::IndicateCompletion`, `PostCompletion`); it is queued for the thread running
//! the request, which goes on with the pipeline. In the re-entrant mode
//! ([`TestServer::reentrant_completions`](crate::TestServer::reentrant_completions)),
//! `PostCompletion` calls the module's `OnAsyncCompletion` itself, on the posting thread,
//! before it returns — possibly before the notification that answered pending has returned —
//! as IIS may; the answer is queued instead.
//!
//! A request the server gave up on (its pending timeout passed) is *abandoned*: the test fails,
//! but the request's objects, memory and modules stay until its completion arrives, since
//! the module's thread may still reach them through the completion. That completion ends the
//! request, on the thread that signals it; one that never comes leaves the request where it is
//! (reachable from the server's context registry), never freed under a live completion.
//!
//! An asynchronous I/O completing later (`async_io.rs`) is a `PostCompletion` with its status,
//! held until the call into the module that started it has returned pending.

use alloc::collections::VecDeque;
use alloc::string::ToString;
use alloc::sync::Arc;
use alloc::vec::Vec;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use windows_sys::Win32::Foundation::{FALSE, TRUE};

use super::async_io::AsyncIo;
use super::exchange::{lock, release_all, Exchange, FinishedList, Objects, Ptr};
use super::server::ServerObject;
use crate::runtime::HRESULT;
use crate::*;

/// A completion a module signalled.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Completion {
    /// `IHttpContext::IndicateCompletion(status)`.
    Indicate(REQUEST_NOTIFICATION_STATUS),
    /// `IHttpContext::PostCompletion(bytes)` (`status` `S_OK`), or an asynchronous I/O's
    /// completion (`async_io.rs`), for the request's thread to deliver: what
    /// `IHttpCompletionInfo` reports to `OnAsyncCompletion`.
    Async { bytes: u32, status: HRESULT },
    /// `PostCompletion` in the re-entrant mode: the posting thread called `OnAsyncCompletion`,
    /// which answered this.
    Reentered(REQUEST_NOTIFICATION_STATUS),
}

impl Completion {
    /// Whether the module is done with the request until it is called again (all but an
    /// `OnAsyncCompletion` that answered pending once more, whose module holds a completion
    /// again).
    fn releases(self) -> bool {
        !matches!(self, Completion::Reentered(RQ_NOTIFICATION_PENDING))
    }
}

/// The notification being delivered (or pending), which `OnAsyncCompletion` completes.
#[derive(Clone, Copy)]
pub(crate) struct Target {
    pub module: Ptr<CHttpModule>,
    pub notification: u32,
    pub post: bool,
    /// The notification's provider, as `OnAsyncCompletion` takes it.
    pub provider: Ptr<IHttpEventProvider>,
}

impl Target {
    /// Calls the module's `OnAsyncCompletion` for this notification.
    ///
    /// # Safety
    /// `self.module` must be live (not disposed) and `objects` the request's.
    pub unsafe fn on_async_completion(self, objects: &Objects) -> REQUEST_NOTIFICATION_STATUS {
        let module = self.module.get();
        // SAFETY: the caller's guarantee; an IHttpCompletionInfo2 begins with its base class,
        // as in C++.
        unsafe {
            ((*CHttpModule::vtable_of(module)).OnAsyncCompletion)(
                module,
                objects.context.get(),
                self.notification,
                if self.post { TRUE } else { FALSE },
                self.provider.get(),
                objects.completion.get().cast(),
            )
        }
    }
}

/// What ending an abandoned request takes: its modules, the server object, which the
/// module's completion may still reach (its context's `server()`), and the server's list of
/// finished requests, where its context goes.
pub(crate) struct Ending {
    pub modules: Vec<Ptr<CHttpModule>>,
    pub server: Arc<ServerObject>,
    pub finished: FinishedList,
}

struct Queue {
    arrived: VecDeque<Completion>,
    /// Set when the server gave up on the request: its completion ends it.
    abandoned: Option<Ending>,
    /// Calls into the module under way ([`Completions::calling`]), during which an
    /// asynchronous I/O's completion waits in `started`.
    calls: usize,
    /// The completions of the I/O started during those calls, queued when one returns
    /// pending ([`Completions::returned`]).
    started: Vec<Completion>,
}

/// One request's completions.
pub(crate) struct Completions {
    queue: Mutex<Queue>,
    arrived: Condvar,
    /// The notification being delivered or pending, for a re-entrant `PostCompletion`.
    target: Mutex<Option<Target>>,
    reentrant: bool,
    /// When asynchronous I/O completes (`async_io.rs`).
    pub async_io: AsyncIo,
}

impl Completions {
    pub fn new(reentrant: bool, async_io: AsyncIo) -> Completions {
        Completions {
            queue: Mutex::new(Queue {
                arrived: VecDeque::new(),
                abandoned: None,
                calls: 0,
                started: Vec::new(),
            }),
            arrived: Condvar::new(),
            target: Mutex::new(None),
            reentrant,
            async_io,
        }
    }

    /// The notification being delivered from now on (`None`: none is).
    pub fn deliver(&self, target: Option<Target>) {
        *lock(&self.target) = target;
    }

    /// The next completion, waiting up to `timeout` for one.
    pub fn next(&self, timeout: Duration) -> Option<Completion> {
        let deadline = Instant::now() + timeout;
        let mut queue = lock(&self.queue);
        loop {
            if let Some(completion) = queue.arrived.pop_front() {
                return Some(completion);
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            queue = self
                .arrived
                .wait_timeout(queue, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// The server gives up on the request: `ending` is kept for its completion, or handed
    /// back when one that releases the request arrived meanwhile (end it now).
    pub fn abandon(&self, ending: Ending) -> Option<Ending> {
        let mut queue = lock(&self.queue);
        if queue.arrived.iter().any(|c| c.releases()) {
            return Some(ending);
        }
        queue.abandoned = Some(ending);
        None
    }

    /// Queues `completion` for the request's thread, or, for an abandoned request it
    /// releases, hands back what ending the request takes. The queue is unlocked before this
    /// returns, so whoever locks it next ([`Completions::quiesce`]) sees everything the
    /// signalling thread did before.
    fn queue(&self, completion: Completion) -> Option<Ending> {
        self.push(&mut lock(&self.queue), completion)
    }

    /// [`Completions::queue`], on the locked queue.
    fn push(&self, queue: &mut Queue, completion: Completion) -> Option<Ending> {
        if queue.abandoned.is_some() {
            return if completion.releases() {
                queue.abandoned.take()
            } else {
                None
            };
        }
        queue.arrived.push_back(completion);
        self.arrived.notify_all();
        None
    }

    /// A call into the module is about to be made: the completions of the I/O it starts are
    /// held until it returns ([`Completions::returned`]).
    pub fn calling(&self) {
        lock(&self.queue).calls += 1;
    }

    /// An asynchronous I/O started, completing with `completion`: held while a call into the
    /// module is under way, else queued. False (dropped) for an abandoned request outside a
    /// call: ending it here would free the object the module is calling.
    pub fn io_started(&self, completion: Completion) -> bool {
        let mut queue = lock(&self.queue);
        if queue.calls > 0 {
            queue.started.push(completion);
            return true;
        }
        if queue.abandoned.is_some() {
            return false;
        }
        queue.arrived.push_back(completion);
        self.arrived.notify_all();
        true
    }

    /// A call announced by [`Completions::calling`] returned `status`: `answer` (a re-entrant
    /// `OnAsyncCompletion`'s) is queued, then the held I/O completions if `status` is
    /// `RQ_NOTIFICATION_PENDING`, all at once (nothing can come between the answer and
    /// them). Returns what ending an abandoned request takes, if one of them released it,
    /// and how many I/O completions were dropped (the call did not answer pending).
    pub fn returned(
        &self,
        status: REQUEST_NOTIFICATION_STATUS,
        answer: Option<Completion>,
    ) -> (Option<Ending>, usize) {
        let mut queue = lock(&self.queue);
        queue.calls = queue.calls.saturating_sub(1);
        let started = core::mem::take(&mut queue.started);
        let (started, dropped) = if status == RQ_NOTIFICATION_PENDING {
            (started, 0)
        } else {
            (Vec::new(), started.len())
        };
        let mut ending = None;
        for completion in answer.into_iter().chain(started) {
            ending = ending.or(self.push(&mut queue, completion));
        }
        (ending, dropped)
    }

    /// Waits until no thread is queueing a completion, and orders everything such a thread
    /// did before whatever the caller does next.
    pub fn quiesce(&self) {
        drop(lock(&self.queue));
    }
}

impl Exchange {
    /// A completion a module signalled, from any thread: re-entered at once in the
    /// re-entrant mode (`PostCompletion`), then queued; an abandoned request ends here.
    pub fn complete(self: &Arc<Exchange>, completion: Completion) {
        let ending = match completion {
            Completion::Async { bytes, status } => match self.reenter(bytes, status) {
                Some(answer) => {
                    let (ending, dropped) = self
                        .completions
                        .returned(answer, Some(Completion::Reentered(answer)));
                    self.log_dropped(answer, dropped);
                    ending
                }
                None => self.completions.queue(completion),
            },
            other => self.completions.queue(other),
        };
        if let Some(ending) = ending {
            self.end_abandoned(ending);
        }
    }

    /// In the re-entrant mode, `OnAsyncCompletion` of the notification being delivered, called
    /// here and now, its answer returned (`None`: not re-entrant, or no notification to
    /// complete). The call is announced ([`Completions::calling`]); the caller reports its
    /// return ([`Completions::returned`]).
    fn reenter(&self, bytes: u32, status: HRESULT) -> Option<REQUEST_NOTIFICATION_STATUS> {
        if !self.completions.reentrant {
            return None;
        }
        let target = (*lock(&self.completions.target))?;
        let objects = self.objects()?;
        self.with(|s| {
            s.completion_bytes = bytes;
            s.completion_status = status;
        });
        self.log("async-completion".to_string());
        self.completions.calling();
        // SAFETY: the target's module is the request's, disposed only once the request's
        // thread has the answer queued by the caller (or, abandoned, once that answer ends
        // it).
        Some(unsafe { target.on_async_completion(&objects) })
    }

    /// Ends an abandoned request whose completion arrived: as at the end of any request,
    /// stored contexts are cleaned up and modules disposed, objects released and memory
    /// freed; the context joins the server's finished ones. The thread that signalled may
    /// still be in its call on the context, so the context is released here only when the
    /// server is gone already (this is then the last owner of its list).
    pub fn end_abandoned(self: &Arc<Exchange>, ending: Ending) {
        let Ending {
            modules,
            server,
            finished,
        } = ending;
        self.end_request(modules);
        lock(&finished).extend(self.retire());
        if let Some(finished) = Arc::into_inner(finished) {
            // SAFETY: the server is gone and every request it gave up on has ended, so no
            // module starts a call on these contexts; the signalling thread's call returns
            // without touching the context (its value is zero-sized) — unless the module holds
            // a reference to the context across that call, which IIS's rules forbid.
            unsafe { release_all(&finished) };
        }
        drop(server);
    }
}
