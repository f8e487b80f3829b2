//! `async` request notifications: [`HttpContext::spawn`] hands the rest of a notification to
//! a future, and the framework runs it on IIS's own calls into the module — no executor
//! thread, no thread per request. The future is polled inside the notification first; when
//! it waits for IIS's asynchronous I/O ([`AsyncContext::read_body`], [`AsyncContext::write`],
//! [`AsyncContext::flush`]) the notification answers `RQ_NOTIFICATION_PENDING` and the
//! future is polled again from `OnAsyncCompletion`, on the thread IIS completes the I/O on;
//! when it waits for anything else (a timer, a database client), its waker posts a
//! completion (`IHttpContext::PostCompletion`), which IIS delivers on its own pool — so a
//! foreign thread never runs the request's pipeline. I/O IIS completes at once
//! (`pfCompletionPending = FALSE`) is answered in the same poll, with no round trip.
//!
//! The buffers of an operation in flight belong to the task, not to the future that started
//! it: a future dropped mid-operation (a `select!`, a timeout) leaves them to the task until
//! IIS completes the operation, and a task that finishes meanwhile answers IIS only then.
//!
//! An [`AsyncContext`] reaches the request only while its own task is being polled by the
//! framework (a thread-local names that task); moved to another thread or used after the
//! task ended, its calls panic instead of touching a request IIS may be running elsewhere.

use super::completion::{Completion, Shared};
use super::{Host, HttpContext, IntoNotification, Notification};
use crate::runtime::{Error, E_HANDLE_EOF, HRESULT};
use crate::IHttpContext;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll, Waker};
use std::sync::{Mutex, PoisonError};
use windows_sys::Win32::Networking::HttpServer::{HttpDataChunkFromMemory, HTTP_DATA_CHUNK};

/// What a read asks for when its buffer has no room: IIS's own default read size.
const READ_SIZE: usize = 16 * 1024;

/// `HRESULT_FROM_WIN32(ERROR_BUSY)`: an operation started while another is in flight (IIS
/// runs one asynchronous operation per request at a time).
const E_BUSY: HRESULT = HRESULT(0x8007_00AA_u32 as i32);

/// A spawned notification's future and what the framework keeps beside it.
pub(crate) struct Task {
    /// Pinned where it was made: in the request's memory (which IIS frees after the request,
    /// so the task only drops it) or, when IIS gives none, on the heap (`boxed`). Dropped
    /// inside the panic guard (see the `Drop` impl).
    future: NonNull<dyn Future<Output = Notification> + Send>,
    boxed: bool,
    shared: Arc<TaskShared>,
    waker: Waker,
    /// The asynchronous operation the task started, if any: its buffer lives here.
    io: RefCell<Io>,
    /// The chunk a write hands IIS, which reads it until the write completes: here, where it
    /// stays put (the task does not move while it runs), not in the operation, which moves.
    chunk: Chunk,
    /// The task's answer, kept while an operation it started is still in flight.
    finished: Option<Notification>,
    /// Set while the future is polled, and left set when a poll unwinds: a future that
    /// panicked is not polled again (the request already answered 500).
    panicked: bool,
}

impl Drop for Task {
    fn drop(&mut self) {
        let (future, boxed) = (self.future.as_ptr(), self.boxed);
        crate::runtime::guard(
            // SAFETY: the future was written where `task` put it and is dropped once, here,
            // and not used afterwards; a boxed one came from Box::into_raw.
            || unsafe {
                if boxed {
                    drop(Box::from_raw(future));
                } else {
                    core::ptr::drop_in_place(future);
                }
            },
            |_| (),
        );
        // A parked completion is the request's, which is ending: it must not resume it.
        if let Some(parked) = lock(&self.shared.parked).take() {
            parked.forget();
        }
    }
}

/// What the task's wakers share with the framework. A task that only awaits IIS's I/O never
/// takes the lock: only parking and the wakes of other futures do.
pub(crate) struct TaskShared {
    /// Woken while being polled or while IIS had an operation in flight: poll again. Set by a
    /// wake under the lock of `parked`, which the framework checks it under before parking.
    woken: AtomicBool,
    /// The completion of a pending notification waiting only for a wake.
    parked: Mutex<Option<Completion>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl std::task::Wake for TaskShared {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    /// Posts the parked completion (IIS then calls `OnAsyncCompletion`, which polls), or, with
    /// none parked, has the framework poll again when the current poll or operation ends.
    fn wake_by_ref(self: &Arc<Self>) {
        let parked = {
            let mut parked = lock(&self.parked);
            let taken = parked.take();
            if taken.is_none() {
                self.woken.store(true, Ordering::Release);
            }
            taken
        };
        if let Some(completion) = parked {
            completion.post(0);
        }
    }
}

/// An asynchronous operation of IIS and the memory IIS uses until it completes.
enum Io {
    Idle,
    InFlight(Operation),
    Done(Operation, u32, HRESULT),
}

/// One operation: what it is, and its buffer, whose bytes stay put when it moves (or, for a
/// write of bytes that live for the whole program, those).
struct Operation {
    kind: Kind,
    buffer: Vec<u8>,
    fixed: Option<&'static [u8]>,
}

/// The task's [`HTTP_DATA_CHUNK`].
struct Chunk(core::cell::UnsafeCell<HTTP_DATA_CHUNK>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Read,
    Write,
    Flush,
}

// SAFETY: the chunk points only into the buffer of the task's operation in flight, owned by
// the same task, and is used only by the call of the module that polls the task.
unsafe impl Send for Chunk {}

/// What the framework knows of the task being polled on this thread.
struct Frame<'a> {
    task: *const TaskShared,
    context: NonNull<IHttpContext>,
    host: Host,
    io: &'a RefCell<Io>,
    chunk: &'a Chunk,
}

std::thread_local! {
    /// The frame of the task this thread is polling (null when none).
    static POLLING: Cell<*const Frame<'static>> = const { Cell::new(core::ptr::null()) };
}

/// Restores the thread's previous frame when a poll returns or unwinds.
struct Polling(*const Frame<'static>);

impl Drop for Polling {
    fn drop(&mut self) {
        POLLING.with(|polling| polling.set(self.0));
    }
}

/// Runs `f` with the frame of `task`, which this thread must be polling.
fn with_frame<R>(task: &Arc<TaskShared>, f: impl FnOnce(&Frame<'_>) -> R) -> R {
    let frame = POLLING.with(Cell::get);
    // SAFETY: a non-null frame is the one `Task::poll` set on this thread for the poll it is
    // in; it lives on that poll's stack, which outlives this call, made from inside the poll.
    let frame = unsafe { frame.as_ref() };
    match frame {
        Some(frame) if core::ptr::eq(frame.task, Arc::as_ptr(task)) => f(frame),
        _ => panic!("an AsyncContext is used by its own task only, while the framework polls it"),
    }
}

impl Frame<'_> {
    /// The request's context for one use inside the poll.
    fn context(&self) -> HttpContext<'_> {
        // SAFETY: the task is polled by a call of the module that holds its `busy` flag, on
        // the request's live context, and makes no other context while it polls; this one is
        // borrowed from the frame, so it ends inside the poll. It cannot pend.
        unsafe { HttpContext::from_raw(self.context, self.host, false) }
    }
}

/// How a poll of the task ended, for the framework to answer IIS.
pub(crate) enum Step {
    /// The task answered: the request goes on with it.
    Answer(Notification),
    /// IIS has an operation of the task in flight and will call `OnAsyncCompletion`.
    Pending,
    /// The task waits for a wake, which posts this completion.
    Parked(Arc<Shared>),
}

impl Task {
    /// Polls the task on `context`: once, or again while woken meanwhile. `completed` is the
    /// completion IIS delivered (`OnAsyncCompletion`'s bytes and status), if any. Called only
    /// by a call of the module holding its `busy` flag; the task is dropped by the caller
    /// after an `Answer`.
    pub(crate) fn poll(
        &mut self,
        context: NonNull<IHttpContext>,
        host: Host,
        completed: Option<(u32, HRESULT)>,
    ) -> Step {
        if let Some((bytes, status)) = completed {
            let mut io = self.io.borrow_mut();
            if let Io::InFlight(_) = &*io {
                let Io::InFlight(operation) = core::mem::replace(&mut *io, Io::Idle) else {
                    unreachable!("matched just above")
                };
                *io = Io::Done(operation, bytes, status);
            }
        }
        if self.panicked {
            // Its operation's completion, after the panic's 500: finish once it is in.
            self.finished.get_or_insert(Notification::FinishRequest);
        }
        if let Some(answer) = self.finished {
            return match &*self.io.borrow() {
                Io::InFlight(_) => Step::Pending,
                _ => Step::Answer(answer),
            };
        }
        loop {
            self.shared.woken.store(false, Ordering::Relaxed);
            let frame = Frame {
                task: Arc::as_ptr(&self.shared),
                context,
                host,
                io: &self.io,
                chunk: &self.chunk,
            };
            let polled = {
                let previous = POLLING.with(|polling| {
                    polling.replace((&frame as *const Frame<'_>).cast::<Frame<'static>>())
                });
                let _restore = Polling(previous);
                self.panicked = true;
                // SAFETY: the future never moves (see the field) and this is the only reference
                // to it (the task is borrowed exclusively).
                let future = unsafe { Pin::new_unchecked(&mut *self.future.as_ptr()) };
                let polled = future.poll(&mut Context::from_waker(&self.waker));
                self.panicked = false;
                polled
            };
            let in_flight = matches!(&*self.io.borrow(), Io::InFlight(_));
            match polled {
                Poll::Ready(answer) if in_flight => {
                    self.finished = Some(answer);
                    return Step::Pending;
                }
                Poll::Ready(answer) => return Step::Answer(answer),
                Poll::Pending if in_flight => return Step::Pending,
                Poll::Pending => {
                    let mut parked = lock(&self.shared.parked);
                    if self.shared.woken.swap(false, Ordering::Acquire) {
                        continue;
                    }
                    let shared = Shared::new(context, host);
                    *parked = Some(Completion::new(shared.clone()));
                    return Step::Parked(shared);
                }
            }
        }
    }
}

/// The request, for the future of a spawned notification ([`HttpContext::spawn`]): IIS's
/// asynchronous I/O, and the request's [`HttpContext`] between awaits ([`AsyncContext::with`]).
/// Its calls work only inside its own task, while the framework polls it.
pub struct AsyncContext {
    task: Arc<TaskShared>,
}

impl AsyncContext {
    /// Runs `f` on the request's context: headers, state, the response, anything but pending
    /// (the context cannot [`complete_later`](HttpContext::complete_later) or spawn).
    ///
    /// # Panics
    /// Outside its own task's poll (moved to another thread, kept after the task ended).
    pub fn with<R>(&mut self, f: impl FnOnce(&mut HttpContext<'_>) -> R) -> R {
        with_frame(&self.task, |frame| f(&mut frame.context()))
    }

    /// Reads the next part of the request body into `buffer` (`IHttpRequest::ReadEntityBody`,
    /// asynchronously): the buffer comes back holding what was read, as much as its capacity
    /// (16 KiB when it has none), and empty at the end of the body. Pass it back in to read
    /// on without allocating.
    pub fn read_body(&mut self, buffer: Vec<u8>) -> IoFuture<'_, Vec<u8>> {
        self.start(Kind::Read, buffer, |operation, _| operation.buffer)
    }

    /// Sends `data` as the next part of the response body (`IHttpResponse::WriteEntityChunks`,
    /// asynchronously); the buffer comes back, emptied, for the next write.
    pub fn write(&mut self, data: Vec<u8>) -> IoFuture<'_, Vec<u8>> {
        self.start(Kind::Write, data, |operation, _| {
            let mut buffer = operation.buffer;
            buffer.clear();
            buffer
        })
    }

    /// Sends `data`, which lives for the whole program, as the next part of the response body
    /// (`IHttpResponse::WriteEntityChunks`, asynchronously): no copy, no allocation.
    pub fn write_static(&mut self, data: &'static [u8]) -> IoFuture<'_, ()> {
        let mut future = self.start(Kind::Write, Vec::new(), |_, _| ());
        if let Some(operation) = future.start.as_mut() {
            operation.fixed = Some(data);
        }
        future
    }

    /// Sends what the response holds so far (`IHttpResponse::Flush`, asynchronously).
    pub fn flush(&mut self) -> IoFuture<'_, ()> {
        self.start(Kind::Flush, Vec::new(), |_, _| ())
    }

    fn start<T>(
        &mut self,
        kind: Kind,
        buffer: Vec<u8>,
        finish: fn(Operation, u32) -> T,
    ) -> IoFuture<'_, T> {
        IoFuture {
            task: &self.task,
            start: Some(Operation {
                kind,
                buffer,
                fixed: None,
            }),
            finish,
        }
    }
}

/// One asynchronous operation of IIS, started when first polled: what
/// [`AsyncContext::read_body`], [`AsyncContext::write`] and [`AsyncContext::flush`] return.
#[must_use = "an operation starts when awaited"]
pub struct IoFuture<'a, T> {
    task: &'a Arc<TaskShared>,
    /// The operation, until it is started.
    start: Option<Operation>,
    finish: fn(Operation, u32) -> T,
}

impl<T> Future for IoFuture<'_, T> {
    type Output = Result<T, Error>;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        // The waker is not kept: the framework polls the task when IIS completes the operation.
        let this = &mut *self;
        with_frame(this.task, |frame| {
            let mut io = frame.io.borrow_mut();
            let Some(mut operation) = this.start.take() else {
                return match core::mem::replace(&mut *io, Io::Idle) {
                    Io::Done(operation, bytes, status) => {
                        Poll::Ready(finished(operation, bytes, status, this.finish))
                    }
                    other => {
                        *io = other;
                        Poll::Pending
                    }
                };
            };
            if !matches!(&*io, Io::Idle) {
                return Poll::Ready(Err(Error::from(E_BUSY)));
            }
            let (status, bytes, pending) = operation.issue(&mut frame.context(), frame.chunk);
            if pending {
                *io = Io::InFlight(operation);
                Poll::Pending
            } else {
                Poll::Ready(finished(operation, bytes, status, this.finish))
            }
        })
    }
}

/// The result of a completed operation: the end of the body is an empty read, not an error.
fn finished<T>(
    mut operation: Operation,
    bytes: u32,
    status: HRESULT,
    finish: fn(Operation, u32) -> T,
) -> Result<T, Error> {
    let end_of_body = operation.kind == Kind::Read && status == E_HANDLE_EOF;
    if status.is_err() && !end_of_body {
        return Err(Error::from(status));
    }
    if operation.kind == Kind::Read {
        let read = if end_of_body { 0 } else { bytes as usize };
        operation.buffer.truncate(read);
    }
    Ok(finish(operation, bytes))
}

impl Operation {
    /// Starts the operation on the request: its status, the bytes done when it completed at
    /// once, and whether IIS will complete it later (through `OnAsyncCompletion`).
    fn issue(&mut self, ctx: &mut HttpContext<'_>, chunk: &Chunk) -> (HRESULT, u32, bool) {
        let (mut bytes, mut pending) = (0u32, 0);
        let status = match self.kind {
            Kind::Read => {
                let size = match self.buffer.capacity() {
                    0 => READ_SIZE,
                    capacity => capacity,
                };
                // Initialized, so what IIS did not write is never read uninitialized.
                self.buffer.resize(size, 0);
                let size = u32::try_from(size).unwrap_or(u32::MAX);
                // SAFETY: the buffer is writable for `size` bytes and stays where it is (owned
                // by this operation, which the task keeps until IIS completes it); the out
                // pointers are locals, written before the call returns.
                unsafe {
                    ctx.request_mut().ReadEntityBody(
                        self.buffer.as_mut_ptr().cast(),
                        size,
                        1,
                        &mut bytes,
                        &mut pending,
                    )
                }
            }
            Kind::Write => {
                let bytes_to_send = self.fixed.unwrap_or(&self.buffer);
                let Ok(length) = u32::try_from(bytes_to_send.len()) else {
                    return (crate::runtime::E_INVALIDARG, 0, false);
                };
                let chunk = chunk.0.get();
                // SAFETY: the task's chunk, used by this call of the module alone (it polls
                // the task), and by IIS only while an operation is in flight, which none is
                // (this one starts only when no other is).
                unsafe {
                    (*chunk).DataChunkType = HttpDataChunkFromMemory;
                    (*chunk).Anonymous.FromMemory.pBuffer =
                        bytes_to_send.as_ptr().cast_mut().cast();
                    (*chunk).Anonymous.FromMemory.BufferLength = length;
                }
                // SAFETY: the chunk (the task's) and the bytes it points at (the operation's,
                // which the task keeps until IIS completes it, or static ones) stay where they
                // are; the out pointers are locals.
                unsafe {
                    ctx.response_mut()
                        .WriteEntityChunks(chunk, 1, 1, 1, &mut bytes, &mut pending)
                }
            }
            // SAFETY: the out pointers are locals, written before the call returns.
            Kind::Flush => unsafe { ctx.response_mut().Flush(1, 1, &mut bytes, &mut pending) },
        };
        let pending = status.is_ok() && pending != 0;
        if self.kind == Kind::Read && !pending {
            // What a synchronous read wrote; a pending one keeps the whole buffer for IIS to
            // fill, cut to what it reports on completion (`finished`).
            let read = if status.is_ok() { bytes as usize } else { 0 };
            self.buffer.truncate(read);
        }
        (status, bytes, pending)
    }
}

// SAFETY: the future is `Send` and owned by the task alone; the chunk as `Chunk`'s impl says.
unsafe impl Send for Task {}

/// The task for `spawn`: `make`'s future, whose output answers IIS through the context, in
/// the request's memory when `context` gives some (no heap allocation for it).
pub(crate) fn task<F, Fut>(context: &IHttpContext, make: F) -> Task
where
    F: FnOnce(AsyncContext) -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: IntoNotification,
{
    let shared = Arc::new(TaskShared {
        woken: AtomicBool::new(false),
        parked: Mutex::new(None),
    });
    let future = make(AsyncContext {
        task: shared.clone(),
    });
    let answering = AsyncContext {
        task: shared.clone(),
    };
    let future = async move {
        let output = future.await;
        let mut answering = answering;
        answering.with(|ctx| output.into_notification(ctx))
    };
    let (future, boxed) = pinned(context, future);
    Task {
        future,
        boxed,
        waker: Waker::from(shared.clone()),
        shared,
        io: RefCell::new(Io::Idle),
        // SAFETY: all-zero is a valid chunk (a memory chunk of no bytes).
        chunk: Chunk(core::cell::UnsafeCell::new(unsafe { core::mem::zeroed() })),
        finished: None,
        panicked: false,
    }
}

/// `future` moved to where it stays: the request's memory, or the heap when IIS gives none.
fn pinned<F: Future<Output = Notification> + Send + 'static>(
    context: &IHttpContext,
    future: F,
) -> (NonNull<dyn Future<Output = Notification> + Send>, bool) {
    match super::state::request_memory(context, core::alloc::Layout::new::<F>()) {
        Ok(memory) => {
            let place = memory.cast::<F>();
            // SAFETY: `request_memory` returns memory aligned and sized for an F, the
            // request's, which outlives the task (IIS frees it after the request's modules are
            // disposed); nothing else uses it.
            unsafe { place.write(future) };
            // SAFETY: `place` is not null (request memory, just written).
            let typed = unsafe { NonNull::new_unchecked(place) };
            (typed, false)
        }
        Err(_) => (NonNull::from(Box::leak(Box::new(future))), true),
    }
}
