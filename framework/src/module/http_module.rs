//! [`HttpModule`]: a request module in Rust terms — one value per request, its notifications
//! called with `&mut self` and the request's [`HttpContext`], every default continuing — and
//! what turns it into IIS's classes: the `CHttpModule` each request gets and the factory IIS
//! asks for it.

use super::completion::Outcome;
use super::{Host, HttpContext, Notification, Notifications, Priority};
use crate::runtime::{Result, E_POINTER, HRESULT, S_OK};
use crate::{
    CHttpModule, CHttpModule_Impl, IAuthenticationProvider, ICustomNotificationProvider,
    IHttpCompletionInfo, IHttpContext, IHttpEventProvider, IHttpModuleFactory,
    IHttpModuleFactory_Impl, IMapHandlerProvider, IMapPathProvider, IModuleAllocator,
    IReadEntityProvider, ISendResponseProvider, REQUEST_NOTIFICATION_STATUS,
    RQ_NOTIFICATION_CONTINUE, RQ_NOTIFICATION_PENDING,
};
use core::cell::{Cell, UnsafeCell};

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

macro_rules! notification_methods {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[allow(unused_variables)]
            fn $name(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
                Notification::Continue
            }
        )*
    };
}

macro_rules! provider_methods {
    ($($(#[$doc:meta])* $name:ident($provider:ty);)*) => {
        $(
            $(#[$doc])*
            #[allow(unused_variables)]
            fn $name(&mut self, ctx: &mut HttpContext<'_>, provider: &mut $provider) -> Notification {
                Notification::Continue
            }
        )*
    };
}

/// A request module: IIS makes one value per request (through the function given to
/// [`Registration::request_module`](crate::runtime::Registration::request_module)) and calls
/// the notifications of [`Self::NOTIFICATIONS`] on it one at a time, in pipeline order; the
/// value is dropped when the request ends. Fields of the value are the request's state.
///
/// Every method continues by default; a module implements the ones it asked for.
pub trait HttpModule: Send + 'static {
    /// The notifications IIS delivers to this module.
    const NOTIFICATIONS: Notifications;
    /// Priorities other than [`Priority::Medium`], per notification.
    const PRIORITIES: &'static [(Notifications, Priority)] = &[];

    notification_methods! {
        /// `RQ_BEGIN_REQUEST`: the request arrived.
        on_begin_request;
        /// After every module's `on_begin_request`.
        on_post_begin_request;
        /// After every module's `on_authenticate_request`.
        on_post_authenticate_request;
        /// `RQ_AUTHORIZE_REQUEST`: may the user have the resource?
        on_authorize_request;
        /// After every module's `on_authorize_request`.
        on_post_authorize_request;
        /// `RQ_RESOLVE_REQUEST_CACHE`: can a cache answer?
        on_resolve_request_cache;
        /// After every module's `on_resolve_request_cache`.
        on_post_resolve_request_cache;
        /// After every module's `on_map_request_handler`.
        on_post_map_request_handler;
        /// `RQ_ACQUIRE_REQUEST_STATE`: load state for the handler.
        on_acquire_request_state;
        /// After every module's `on_acquire_request_state`.
        on_post_acquire_request_state;
        /// `RQ_PRE_EXECUTE_REQUEST_HANDLER`: just before the handler.
        on_pre_execute_request_handler;
        /// After every module's `on_pre_execute_request_handler`.
        on_post_pre_execute_request_handler;
        /// `RQ_EXECUTE_REQUEST_HANDLER`: produce the response.
        on_execute_request_handler;
        /// After every module's `on_execute_request_handler`.
        on_post_execute_request_handler;
        /// `RQ_RELEASE_REQUEST_STATE`: save state.
        on_release_request_state;
        /// After every module's `on_release_request_state`.
        on_post_release_request_state;
        /// `RQ_UPDATE_REQUEST_CACHE`: store the response in a cache.
        on_update_request_cache;
        /// After every module's `on_update_request_cache`.
        on_post_update_request_cache;
        /// `RQ_LOG_REQUEST`: the response was sent; log it.
        on_log_request;
        /// After every module's `on_log_request`.
        on_post_log_request;
        /// `RQ_END_REQUEST`: the last stage, delivered even after a finish.
        on_end_request;
        /// After every module's `on_end_request`.
        on_post_end_request;
    }

    provider_methods! {
        /// `RQ_AUTHENTICATE_REQUEST`: establish the user (`provider.set_user`…).
        on_authenticate_request(IAuthenticationProvider);
        /// `RQ_MAP_REQUEST_HANDLER`: choose the handler.
        on_map_request_handler(IMapHandlerProvider);
        /// `RQ_SEND_RESPONSE`: the response is about to be sent.
        on_send_response(ISendResponseProvider);
        /// `RQ_MAP_PATH`: a URL is being mapped to a physical path.
        on_map_path(IMapPathProvider);
        /// `RQ_READ_ENTITY`: the request body is being read.
        on_read_entity(IReadEntityProvider);
        /// `RQ_CUSTOM_NOTIFICATION`: a module raised a custom notification.
        on_custom_request_notification(ICustomNotificationProvider);
    }

    /// A pending notification's completion arrived ([`Completion::post`](super::Completion::post),
    /// or an asynchronous operation IIS ran); the answer goes on with the pipeline.
    #[allow(unused_variables)]
    fn on_async_completion(
        &mut self,
        ctx: &mut HttpContext<'_>,
        completion: &AsyncCompletion,
    ) -> Notification {
        Notification::Continue
    }
}

/// The `CHttpModule` of one request: the module's value and what the framework needs.
pub(crate) struct RequestModule<M> {
    module: UnsafeCell<M>,
    /// Set while a notification runs: a call that finds it set would alias `module`.
    busy: Cell<bool>,
    host: Host,
}

/// Clears `busy` when a notification ends, returning or unwinding.
struct Busy<'a>(&'a Cell<bool>);

impl<'a> Busy<'a> {
    fn enter(busy: &'a Cell<bool>) -> Busy<'a> {
        assert!(
            !busy.replace(true),
            "a request module was called during its own notification"
        );
        Busy(busy)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl<M: HttpModule> RequestModule<M> {
    /// Runs one notification: the module's method, then the completion protocol.
    fn dispatch(
        &self,
        context: *mut IHttpContext,
        notification: Notifications,
        call: impl FnOnce(&mut M, &mut HttpContext<'_>) -> Notification,
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: IIS passes the request's live context, used by this notification alone
        // while it runs.
        let Some(context) = (unsafe { context.as_mut() }) else {
            return RQ_NOTIFICATION_CONTINUE;
        };
        let _busy = Busy::enter(&self.busy);
        // SAFETY: IIS calls a request's notifications one at a time, and `busy` turns away a
        // call made during one, so this is the only reference to the module.
        let module = unsafe { &mut *self.module.get() };
        let mut ctx = HttpContext::new(context, self.host, true);
        let mut answer = call(module, &mut ctx);
        while let Some(completion) = ctx.take_completion() {
            match completion.returned() {
                Outcome::Pending => return RQ_NOTIFICATION_PENDING,
                Outcome::Resume(resumed) => return resumed.to_raw(),
                Outcome::Posted(bytes) => {
                    let completed = AsyncCompletion {
                        notification,
                        bytes,
                        status: Ok(()),
                    };
                    answer = module.on_async_completion(&mut ctx, &completed);
                }
            }
        }
        answer.to_raw()
    }

    /// `dispatch` for a notification with its own provider.
    fn dispatch_with<P>(
        &self,
        context: *mut IHttpContext,
        provider: *mut P,
        notification: Notifications,
        call: impl FnOnce(&mut M, &mut HttpContext<'_>, &mut P) -> Notification,
    ) -> REQUEST_NOTIFICATION_STATUS {
        // SAFETY: IIS passes a live provider for the notification, used by it alone.
        let Some(provider) = (unsafe { provider.as_mut() }) else {
            return RQ_NOTIFICATION_CONTINUE;
        };
        self.dispatch(context, notification, |module, ctx| {
            call(module, ctx, provider)
        })
    }
}

macro_rules! forward {
    ($($raw:ident => $method:ident, $which:ident;)*) => {
        $(
            fn $raw(
                &self,
                context: *mut IHttpContext,
                _: *mut IHttpEventProvider,
            ) -> REQUEST_NOTIFICATION_STATUS {
                self.dispatch(context, Notifications::$which, M::$method)
            }
        )*
    };
}

macro_rules! forward_with {
    ($($raw:ident($provider:ty) => $method:ident, $which:ident;)*) => {
        $(
            fn $raw(
                &self,
                context: *mut IHttpContext,
                provider: *mut $provider,
            ) -> REQUEST_NOTIFICATION_STATUS {
                self.dispatch_with(context, provider, Notifications::$which, M::$method)
            }
        )*
    };
}

impl<M: HttpModule> CHttpModule_Impl for RequestModule<M> {
    forward! {
        OnBeginRequest => on_begin_request, BEGIN_REQUEST;
        OnPostBeginRequest => on_post_begin_request, POST_BEGIN_REQUEST;
        OnPostAuthenticateRequest => on_post_authenticate_request, POST_AUTHENTICATE_REQUEST;
        OnAuthorizeRequest => on_authorize_request, AUTHORIZE_REQUEST;
        OnPostAuthorizeRequest => on_post_authorize_request, POST_AUTHORIZE_REQUEST;
        OnResolveRequestCache => on_resolve_request_cache, RESOLVE_REQUEST_CACHE;
        OnPostResolveRequestCache => on_post_resolve_request_cache, POST_RESOLVE_REQUEST_CACHE;
        OnPostMapRequestHandler => on_post_map_request_handler, POST_MAP_REQUEST_HANDLER;
        OnAcquireRequestState => on_acquire_request_state, ACQUIRE_REQUEST_STATE;
        OnPostAcquireRequestState => on_post_acquire_request_state, POST_ACQUIRE_REQUEST_STATE;
        OnPreExecuteRequestHandler => on_pre_execute_request_handler, PRE_EXECUTE_REQUEST_HANDLER;
        OnPostPreExecuteRequestHandler => on_post_pre_execute_request_handler,
            POST_PRE_EXECUTE_REQUEST_HANDLER;
        OnExecuteRequestHandler => on_execute_request_handler, EXECUTE_REQUEST_HANDLER;
        OnPostExecuteRequestHandler => on_post_execute_request_handler,
            POST_EXECUTE_REQUEST_HANDLER;
        OnReleaseRequestState => on_release_request_state, RELEASE_REQUEST_STATE;
        OnPostReleaseRequestState => on_post_release_request_state, POST_RELEASE_REQUEST_STATE;
        OnUpdateRequestCache => on_update_request_cache, UPDATE_REQUEST_CACHE;
        OnPostUpdateRequestCache => on_post_update_request_cache, POST_UPDATE_REQUEST_CACHE;
        OnLogRequest => on_log_request, LOG_REQUEST;
        OnPostLogRequest => on_post_log_request, POST_LOG_REQUEST;
        OnEndRequest => on_end_request, END_REQUEST;
        OnPostEndRequest => on_post_end_request, POST_END_REQUEST;
    }

    forward_with! {
        OnAuthenticateRequest(IAuthenticationProvider) => on_authenticate_request,
            AUTHENTICATE_REQUEST;
        OnMapRequestHandler(IMapHandlerProvider) => on_map_request_handler, MAP_REQUEST_HANDLER;
        OnSendResponse(ISendResponseProvider) => on_send_response, SEND_RESPONSE;
        OnMapPath(IMapPathProvider) => on_map_path, MAP_PATH;
        OnReadEntity(IReadEntityProvider) => on_read_entity, READ_ENTITY;
        OnCustomRequestNotification(ICustomNotificationProvider) => on_custom_request_notification,
            CUSTOM_NOTIFICATION;
    }

    fn OnAsyncCompletion(
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
        let completed = AsyncCompletion {
            notification,
            bytes: info.map_or(0, |info| info.completion_bytes()),
            status: info.map_or(Ok(()), |info| info.completion_status()),
        };
        self.dispatch(context, notification, |module, ctx| {
            module.on_async_completion(ctx, &completed)
        })
    }

    // Dispose: the release rule drops the value (and the module with it) and frees it.
}

/// The factory IIS asks for each request's module.
pub(crate) struct Factory<F> {
    make: F,
    host: Host,
}

impl<F, M> IHttpModuleFactory_Impl for Factory<F>
where
    F: Fn() -> M + Send + Sync + 'static,
    M: HttpModule,
{
    fn GetHttpModule(
        &self,
        module: *mut *mut CHttpModule,
        allocator: *mut IModuleAllocator,
    ) -> HRESULT {
        if module.is_null() {
            return E_POINTER;
        }
        let request = RequestModule {
            module: UnsafeCell::new((self.make)()),
            busy: Cell::new(false),
            host: self.host,
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
        IHttpModuleFactory::new(Factory { make, host })
    }
}
