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
use super::{drop_in_guard, Host, HttpContext, IntoNotification, Notification};
use crate::runtime::{Error, E_HANDLE_EOF, HRESULT};
use crate::IHttpContext;
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::mem::ManuallyDrop;
use core::pin::Pin;
use core::ptr::NonNull;
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
    /// Dropped inside the panic guard (see the `Drop` impl).
    future: ManuallyDrop<Pin<Box<dyn Future<Output = Notification> + Send>>>,
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
        // SAFETY: dropped once, here; the future is not used afterwards.
        unsafe { drop_in_guard(&mut self.future) };
        // A parked completion is the request's, which is ending: it must not resume it.
        if let Some(parked) = lock(&self.shared.wake).parked.take() {
            parked.forget();
        }
    }
}

/// What the task's wakers share with the framework.
pub(crate) struct TaskShared {
    wake: Mutex<WakeState>,
}

#[derive(Default)]
struct WakeState {
    /// Woken while being polled or while IIS had an operation in flight: poll again.
    woken: bool,
    /// The completion of a pending notification waiting only for a wake.
    parked: Option<Completion>,
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
            let mut state = lock(&self.wake);
            let parked = state.parked.take();
            state.woken |= parked.is_none();
            parked
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

/// One operation: what it is, and its buffer, whose bytes stay put when it moves.
struct Operation {
    kind: Kind,
    buffer: Vec<u8>,
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
            lock(&self.shared.wake).woken = false;
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
                let polled = self
                    .future
                    .as_mut()
                    .poll(&mut Context::from_waker(&self.waker));
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
                    let mut state = lock(&self.shared.wake);
                    if core::mem::take(&mut state.woken) {
                        continue;
                    }
                    let shared = Shared::new(context, host);
                    state.parked = Some(Completion::new(shared.clone()));
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
            start: Some(Operation { kind, buffer }),
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
                let Ok(length) = u32::try_from(self.buffer.len()) else {
                    return (crate::runtime::E_INVALIDARG, 0, false);
                };
                let chunk = chunk.0.get();
                // SAFETY: the task's chunk, used by this call of the module alone (it polls
                // the task), and by IIS only while an operation is in flight, which none is
                // (this one starts only when no other is).
                unsafe {
                    (*chunk).DataChunkType = HttpDataChunkFromMemory;
                    (*chunk).Anonymous.FromMemory.pBuffer = self.buffer.as_mut_ptr().cast();
                    (*chunk).Anonymous.FromMemory.BufferLength = length;
                }
                // SAFETY: the chunk (the task's) and the bytes it points at (the operation's,
                // which the task keeps until IIS completes it) stay where they are; the out
                // pointers are locals.
                unsafe {
                    ctx.response_mut()
                        .WriteEntityChunks(chunk, 1, 1, 1, &mut bytes, &mut pending)
                }
            }
            // SAFETY: the out pointers are locals, written before the call returns.
            Kind::Flush => unsafe { ctx.response_mut().Flush(1, 0, &mut bytes, &mut pending) },
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

/// The task for `spawn`: `make`'s future, whose output answers IIS through the context.
pub(crate) fn task<F, Fut>(make: F) -> Task
where
    F: FnOnce(AsyncContext) -> Fut,
    Fut: Future + Send + 'static,
    Fut::Output: IntoNotification,
{
    let shared = Arc::new(TaskShared {
        wake: Mutex::new(WakeState::default()),
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
    Task {
        future: ManuallyDrop::new(Box::pin(future)),
        waker: Waker::from(shared.clone()),
        shared,
        io: RefCell::new(Io::Idle),
        // SAFETY: all-zero is a valid chunk (a memory chunk of no bytes).
        chunk: Chunk(core::cell::UnsafeCell::new(unsafe { core::mem::zeroed() })),
        finished: None,
        panicked: false,
    }
}
