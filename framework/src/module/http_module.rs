//! [`HttpModule`]: a request module in Rust terms — one value per request, its notifications
//! called with `&mut self` and the request's [`HttpContext`], every default continuing — and
//! what turns it into IIS's classes: the `CHttpModule` each request gets and the factory IIS
//! asks for it. The methods and the `CHttpModule` slots that call them are both generated
//! from the notification table (`table.rs`).

use super::completion::{Outcome, Shared};
use super::{
    drop_in_guard, Host, HttpContext, IntoNotification, Notification, Notifications, Priority,
};
use crate::runtime::{Result, E_POINTER, HRESULT, S_OK};
// The classes, flags and providers the notification table names, with the rest of the
// bindings.
use crate::*;
use alloc::sync::Arc;
use core::cell::UnsafeCell;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, Ordering};

/// How an asynchronous operation of a notification ended, for
/// [`HttpModule::on_async_completion`].
#[derive(Debug)]
pub struct AsyncCompletion {
    /// The notification that was pending ([`Notifications::EXECUTE_REQUEST_HANDLER`], or
    /// [`Notifications::POST_EXECUTE_REQUEST_HANDLER`] for its post-notification).
    pub notification: Notifications,
    /// The byte count of the completion ([`Completion::post`](super::Completion::post)'s
    /// argument, or what an asynchronous read or write transferred).
    pub bytes: u32,
    /// Whether the operation succeeded.
    pub status: Result<()>,
}

/// The default method of every request notification of the table: it continues.
macro_rules! trait_methods {
    (
        stages { $(
            $name:ident = $bit:ident, $doc:literal: $raw:ident($provider:ty)
                => $method:ident($($arg:ident),*),
            post $post:ident: $post_raw:ident => $post_method:ident;
        )* }
        events { $(
            $event:ident = $event_bit:ident, $event_doc:literal:
                $event_raw:ident($event_provider:ty) => $event_method:ident($($event_arg:ident),*);
        )* }
    ) => {
        $(
            trait_method! {
                #[doc = concat!("`", stringify!($bit), "`: ", $doc, ".")]
                $method($($arg),*) $provider
            }
            trait_method! {
                #[doc = concat!(
                    "The post-notification of `", stringify!($bit), "`: after every module's `",
                    stringify!($method), "`."
                )]
                $post_method(ctx) IHttpEventProvider
            }
        )*
        $(
            trait_method! {
                #[doc = concat!("`", stringify!($event_bit), "`: ", $event_doc, ".")]
                $event_method($($event_arg),*) $event_provider
            }
        )*
    };
}

/// One default method, with the provider argument if the table gives the method one.
macro_rules! trait_method {
    (#[$doc:meta] $method:ident(ctx) $provider:ty) => {
        #[$doc]
        #[allow(unused_variables)]
        fn $method(&mut self, ctx: &mut HttpContext<'_>) -> impl IntoNotification + 'static {
            Notification::Continue
        }
    };
    (#[$doc:meta] $method:ident(ctx, provider) $provider:ty) => {
        #[$doc]
        #[allow(unused_variables)]
        fn $method(
            &mut self,
            ctx: &mut HttpContext<'_>,
            provider: &mut $provider,
        ) -> impl IntoNotification + 'static {
            Notification::Continue
        }
    };
}

/// A request module: IIS makes one value per request (through the function given to
/// [`Registration::request_module`](crate::runtime::Registration::request_module)) and calls
/// its notifications on it one at a time, in pipeline order; the value is dropped when the
/// request ends. Fields of the value are the request's state.
///
/// Write the impl with [`#[httpserv::module]`](macro@crate::module): the attribute finds the `on_*` methods the impl
/// defines, and IIS is asked for exactly their notifications ([`Notifications::of`]), so a
/// method written is a method called. Without the attribute the impl does not compile (it
/// lacks the hidden item the attribute writes). Every method not written continues.
///
/// ```
/// use httpserv::module::{HttpContext, HttpModule, Notification, Notifications};
///
/// struct Logged;
///
/// #[httpserv::module]
/// impl HttpModule for Logged {
///     fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
///         Notification::Continue
///     }
/// }
///
/// assert_eq!(Notifications::of::<Logged>(), Notifications::END_REQUEST);
/// ```
pub trait HttpModule: Send + 'static {
    /// The `on_*` methods the impl defines, written by `#[httpserv::module]` (never by hand:
    /// it is what the notifications are made of).
    #[doc(hidden)]
    const HTTPSERV_MODULE_ATTRIBUTE: &'static [&'static str];
    /// Priorities other than [`Priority::Medium`], per notification; each must be one the
    /// module has a method for (checked, at compile time, where the module is registered).
    const PRIORITIES: &'static [(Notifications, Priority)] = &[];

    crate::__request_notifications!(trait_methods);

    /// A pending notification's completion arrived ([`Completion::post`](super::Completion::post),
    /// or an asynchronous operation IIS ran); the answer goes on with the pipeline.
    #[allow(unused_variables)]
    fn on_async_completion(
        &mut self,
        ctx: &mut HttpContext<'_>,
        completion: &AsyncCompletion,
    ) -> impl IntoNotification + 'static {
        Notification::Continue
    }
}

/// The `CHttpModule` of one request: the module's value and what the framework needs.
///
/// IIS calls a request's notifications one at a time, but not always from one thread, and
/// not always after the previous call has returned: once a notification answered pending, a
/// completion may have IIS call the module again from another thread while the notification's
/// thread is still returning. Every call therefore makes its `&mut M` (and its context) only
/// while it holds `busy`, and releases both before the completion is marked pending
/// (`dispatch`); `busy` is atomic, so its release orders the module's last use before the next
/// call's.
pub(crate) struct RequestModule<M> {
    /// Dropped inside the panic guard (see the `Drop` impl).
    module: ManuallyDrop<UnsafeCell<M>>,
    /// Set while a call uses `module` (or `task`): a call that finds it set would alias it.
    busy: AtomicBool,
    host: Host,
    /// The future of a spawned notification, until it answers.
    #[cfg(feature = "std")]
    task: UnsafeCell<Option<super::task::Task>>,
}

impl<M> Drop for RequestModule<M> {
    /// Run by `Dispose`'s release, outside the slot's guard: a panic in the module's `Drop` is
    /// caught and reported here instead of unwinding into IIS (an abort).
    fn drop(&mut self) {
        // SAFETY: dropped once, here; the module is not used afterwards.
        unsafe { drop_in_guard(&mut self.module) }
    }
}

/// Clears `busy` when a call is done with the module, returning or unwinding.
struct Busy<'a>(&'a AtomicBool);

impl<'a> Busy<'a> {
    fn enter(busy: &'a AtomicBool) -> Busy<'a> {
        assert!(
            !busy.swap(true, Ordering::Acquire),
            "a request module was called during its own notification"
        );
        Busy(busy)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// What one call of the module answered, the completion it took, if any, and whether it
/// spawned a task.
type Answered = (Notification, Option<Arc<Shared>>, bool);

impl<M: HttpModule> RequestModule<M> {
    /// Runs one notification: the module's method, then the completion protocol. Once
    /// `returned` has marked a completion pending, IIS may be calling the module again (from
    /// the signalling thread): by then `run` has released the module, the context and `busy`,
    /// and this only returns.
    fn dispatch(
        &self,
        context: *mut IHttpContext,
        notification: Notifications,
        call: impl FnOnce(&mut M, &mut HttpContext<'_>) -> Notification,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let Some(context) = NonNull::new(context) else {
            return RQ_NOTIFICATION_CONTINUE;
        };
        let (mut answer, mut completion, spawned) = self.run(context, call);
        #[cfg(feature = "std")]
        if spawned {
            return self
                .drive(context, None)
                .unwrap_or(RQ_NOTIFICATION_CONTINUE);
        }
        let _ = spawned;
        while let Some(shared) = completion.take() {
            match shared.returned() {
                Outcome::Pending => return RQ_NOTIFICATION_PENDING,
                Outcome::Resume(resumed) => return resumed.to_raw(),
                Outcome::Posted(bytes) => {
                    let completed = AsyncCompletion {
                        notification,
                        bytes,
                        status: Ok(()),
                    };
                    let spawned;
                    (answer, completion, spawned) = self.run(context, |module, ctx| {
                        let answer = module.on_async_completion(ctx, &completed);
                        answer.into_notification(ctx)
                    });
                    #[cfg(feature = "std")]
                    if spawned {
                        return self
                            .drive(context, None)
                            .unwrap_or(RQ_NOTIFICATION_CONTINUE);
                    }
                    let _ = spawned;
                }
            }
        }
        answer.to_raw()
    }

    /// One call of the module, holding `busy`: the module's `&mut`, then the context's, both
    /// gone (and `busy` released) when this returns or unwinds.
    fn run(
        &self,
        context: NonNull<IHttpContext>,
        call: impl FnOnce(&mut M, &mut HttpContext<'_>) -> Notification,
    ) -> Answered {
        let _busy = Busy::enter(&self.busy);
        // `log` records written meanwhile go to this request's trace.
        #[cfg(feature = "log")]
        let _current = super::logging::Current::enter(context.as_ptr());
        // SAFETY: calls that use the module hold `busy` (taken above, released after the last
        // use below), so this is the only reference to it.
        let module = unsafe { &mut *self.module.get() };
        // SAFETY: IIS passes the request's live context, used in Rust by this call alone while
        // it runs (a completion taken here reaches it only once marked pending, after this).
        let mut ctx = unsafe { HttpContext::from_raw(context, self.host, true) };
        let answer = call(module, &mut ctx);
        // Asked first, so that the usual answer (no task) drops no `Option<Task>`.
        #[cfg(feature = "std")]
        if ctx.has_spawned() {
            let task = ctx.take_spawned();
            // SAFETY: `busy` is held, so nothing else uses the task slot; a notification runs
            // only when no task is (a task keeps its request pending until it answers).
            unsafe { *self.task.get() = task };
            return (answer, None, true);
        }
        (answer, ctx.take_completion(), false)
    }

    /// Polls the request's task, if it has one (`None`: it has none), with the completion IIS
    /// delivered, until it answers, waits for IIS's I/O, or waits for a wake that arrives
    /// after the notification answered pending.
    #[cfg(feature = "std")]
    fn drive(
        &self,
        context: NonNull<IHttpContext>,
        mut completed: Option<(u32, HRESULT)>,
    ) -> Option<REQUEST_NOTIFICATION_STATUS> {
        use super::task::Step;
        loop {
            let step = {
                let _busy = Busy::enter(&self.busy);
                #[cfg(feature = "log")]
                let _current = super::logging::Current::enter(context.as_ptr());
                // SAFETY: `busy` is held (above), so this is the only reference to the slot.
                let slot = unsafe { &mut *self.task.get() };
                let step = slot.as_mut()?.poll(context, self.host, completed.take());
                if let Step::Answer(_) = step {
                    *slot = None;
                }
                step
            };
            match step {
                Step::Answer(answer) => return Some(answer.to_raw()),
                Step::Pending => return Some(RQ_NOTIFICATION_PENDING),
                // Woken before IIS had the pending answer: poll again now.
                Step::Parked(shared) => match shared.returned() {
                    Outcome::Pending => return Some(RQ_NOTIFICATION_PENDING),
                    Outcome::Posted(_) | Outcome::Resume(_) => {}
                },
            }
        }
    }

    /// `dispatch` for a notification with its own provider, made a reference inside the call
    /// only (IIS hands the same provider to the module's later calls).
    ///
    /// An event this module raised during one of its own calls (a path it asked for, a body
    /// it read, a custom notification it sent) reaches it while `busy` is held: it cannot
    /// have `&mut self` again, so it does not see the event and the event goes on.
    fn dispatch_with<P>(
        &self,
        context: *mut IHttpContext,
        provider: *mut P,
        notification: Notifications,
        call: impl FnOnce(&mut M, &mut HttpContext<'_>, &mut P) -> Notification,
    ) -> REQUEST_NOTIFICATION_STATUS {
        if provider.is_null() {
            return RQ_NOTIFICATION_CONTINUE;
        }
        if NESTED_EVENTS.contains(notification) && self.busy.load(Ordering::Acquire) {
            return RQ_NOTIFICATION_CONTINUE;
        }
        self.dispatch(context, notification, |module, ctx| {
            // SAFETY: checked non-null: IIS passes a live provider for the notification, used
            // by it alone while it runs.
            call(module, ctx, unsafe { &mut *provider })
        })
    }
}

/// The events IIS raises inside a module's call, which may be the module's own call.
const NESTED_EVENTS: Notifications = Notifications::MAP_PATH
    .or(Notifications::READ_ENTITY)
    .or(Notifications::CUSTOM_NOTIFICATION);

/// The `CHttpModule` slot of every request notification of the table, calling the method.
macro_rules! forwarders {
    (
        stages { $(
            $name:ident = $bit:ident, $doc:literal: $raw:ident($provider:ty)
                => $method:ident($($arg:ident),*),
            post $post:ident: $post_raw:ident => $post_method:ident;
        )* }
        events { $(
            $event:ident = $event_bit:ident, $event_doc:literal:
                $event_raw:ident($event_provider:ty) => $event_method:ident($($event_arg:ident),*);
        )* }
    ) => {
        $(
            forward! { $raw($provider) => $method($($arg),*), $name }
            forward! { $post_raw(IHttpEventProvider) => $post_method(ctx), $post }
        )*
        $(
            forward! {
                $event_raw($event_provider) => $event_method($($event_arg),*), $event
            }
        )*
    };
}

/// One slot: `dispatch`, or `dispatch_with` for a method that gets the provider.
macro_rules! forward {
    ($raw:ident($provider:ty) => $method:ident(ctx), $which:ident) => {
        unsafe fn $raw(
            &self,
            context: *mut IHttpContext,
            _: *mut $provider,
        ) -> REQUEST_NOTIFICATION_STATUS {
            self.dispatch(context, Notifications::$which, |module, ctx| {
                let answer = M::$method(module, ctx);
                answer.into_notification(ctx)
            })
        }
    };
    ($raw:ident($provider:ty) => $method:ident(ctx, provider), $which:ident) => {
        unsafe fn $raw(
            &self,
            context: *mut IHttpContext,
            provider: *mut $provider,
        ) -> REQUEST_NOTIFICATION_STATUS {
            self.dispatch_with(
                context,
                provider,
                Notifications::$which,
                |module, ctx, provider| {
                    let answer = M::$method(module, ctx, provider);
                    answer.into_notification(ctx)
                },
            )
        }
    };
}

impl<M: HttpModule> CHttpModule_Impl for RequestModule<M> {
    crate::__request_notifications!(forwarders);

    unsafe fn OnAsyncCompletion(
        &self,
        context: *mut IHttpContext,
        notification: u32,
        post: windows_sys::core::BOOL,
        _: *mut IHttpEventProvider,
        completion_info: *mut IHttpCompletionInfo,
    ) -> REQUEST_NOTIFICATION_STATUS {
        let notification = if post != 0 {
            Notifications {
                request: 0,
                post: notification,
            }
        } else {
            Notifications {
                request: notification,
                post: 0,
            }
        };
        // SAFETY: IIS passes a live completion info for the call (or null).
        let info = unsafe { completion_info.as_ref() };
        #[cfg(feature = "std")]
        if let Some(context) = NonNull::new(context) {
            let completed = info.map_or((0, S_OK), |info| {
                // SAFETY: plain calls of the live completion info IIS passed.
                unsafe { (info.GetCompletionBytes(), info.GetCompletionStatus()) }
            });
            if let Some(answer) = self.drive(context, Some(completed)) {
                return answer;
            }
        }
        let completed = AsyncCompletion {
            notification,
            bytes: info.map_or(0, |info| info.completion_bytes()),
            status: info.map_or(Ok(()), |info| info.completion_status()),
        };
        self.dispatch(context, notification, |module, ctx| {
            let answer = module.on_async_completion(ctx, &completed);
            answer.into_notification(ctx)
        })
    }

    // Dispose: the release rule drops the value (and the module with it) and frees it.
}

/// The factory IIS asks for each request's module.
pub(crate) struct Factory<F> {
    /// Dropped inside the panic guard (see the `Drop` impl).
    make: ManuallyDrop<F>,
    host: Host,
}

impl<F> Drop for Factory<F> {
    /// Run by `Terminate`'s release, outside the slot's guard: a panic in the `Drop` of what
    /// `make` captured is caught and reported here instead of unwinding into IIS (an abort).
    fn drop(&mut self) {
        // SAFETY: dropped once, here; `make` is not used afterwards.
        unsafe { drop_in_guard(&mut self.make) }
    }
}

// SAFETY: `GetHttpModule` writes a module object it has just made (live until IIS disposes
// of it) or nothing with a failure, as the C++ contract the safe form relies on says.
unsafe impl<F, M> IHttpModuleFactory_Impl for Factory<F>
where
    F: Fn() -> M + Send + Sync + 'static,
    M: HttpModule,
{
    unsafe fn GetHttpModule(
        &self,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator,
    ) -> HRESULT {
        if module.is_null() {
            return E_POINTER;
        }
        let request = RequestModule {
            module: ManuallyDrop::new(UnsafeCell::new((self.make)())),
            busy: AtomicBool::new(false),
            host: self.host,
            #[cfg(feature = "std")]
            task: UnsafeCell::new(None),
        };
        let object = match request_pool_memory::<RequestModule<M>>(allocator) {
            // SAFETY: memory from the request's pool, sized and aligned for the object, which
            // IIS frees with the request, after Dispose (the release rule drops the value in
            // place and frees nothing).
            Some(memory) => unsafe { CHttpModule::new_in_place(memory, request) },
            None => CHttpModule::new(request).into_raw(),
        };
        // SAFETY: checked non-null: IIS's out pointer for the new module, which IIS releases
        // with Dispose.
        unsafe { *module = object };
        S_OK
    }

    // Terminate: the release rule drops the factory (and `make`) and frees it.
}

/// Memory in the request's pool (`IModuleAllocator`) for the object of a `T`, or `None` when
/// IIS passes no allocator, has none left, or hands out memory not aligned for it. A module
/// there costs no lock on the process heap, and IIS frees it with the request: the
/// "allocate module memory in the request pool" pattern of IIS's native-module walkthrough,
/// which C++ modules write by hand.
fn request_pool_memory<T>(allocator: *mut IModuleAllocator) -> Option<*mut core::ffi::c_void> {
    let layout = core::alloc::Layout::new::<crate::runtime::Object<T>>();
    let size = u32::try_from(layout.size()).ok()?;
    // SAFETY: IIS passes a live allocator for the call, or null.
    let allocator = unsafe { allocator.as_ref() }?;
    // SAFETY: a plain call of the allocator IIS passed.
    let memory = unsafe { allocator.AllocateMemory(size) };
    (!memory.is_null() && (memory as usize) % layout.align() == 0).then_some(memory)
}

impl<F, M> Factory<F>
where
    F: Fn() -> M + Send + Sync + 'static,
    M: HttpModule,
{
    pub(crate) fn object(make: F, host: Host) -> crate::runtime::Owned<IHttpModuleFactory> {
        IHttpModuleFactory::new(Factory {
            make: ManuallyDrop::new(make),
            host,
        })
    }
}
