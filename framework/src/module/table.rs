//! The one table of IIS's notifications. Everything else that lists notifications is
//! generated from it, so a notification added, renamed or reordered here changes all of
//! them at once: the [`HttpModule`](super::HttpModule) and
//! [`GlobalModule`](super::GlobalModule) methods and the `CHttpModule`/`CGlobalModule`
//! implementations that call them, the mask constants of
//! [`Notifications`](super::Notifications) and [`GlobalNotifications`](super::GlobalNotifications)
//! with the lookup that turns a module's `on_*` methods into its masks (what
//! `#[httpserv::module]` relies on), and the pipeline stages and global notifications of the
//! test server (`httpserv-testing`).
//!
//! The tables are `macro_rules!` macros that call back the macro they are given with every
//! entry, because a list of method signatures and vtable slots cannot be a `const` array.
//! The callback is an identifier in scope where the table is invoked; the names in the
//! entries (`RQ_*`, `GL_*`, provider classes, vtable slots) resolve there too, so its module
//! imports them from the bindings.

/// Calls `$callback! { stages { … } events { … } }` with IIS's request notifications.
///
/// `stages` are the twelve stages of the integrated pipeline in the order IIS runs them, each
/// followed by its post-notification (which always gets the plain `IHttpEventProvider`).
/// `events` are the request notifications that are not stages (IIS raises them when
/// something happens, and they have no post-notification). An entry is
///
/// `NAME = RQ_FLAG, "what it is": VtableSlot(ProviderClass) => rust_method(ctx[, provider])`
///
/// where `(ctx)` is a method that gets the request's context alone and `(ctx, provider)` one
/// that also gets the notification's provider; a stage adds
/// `post POST_NAME: PostSlot => rust_post_method`.
#[doc(hidden)]
#[macro_export]
macro_rules! __request_notifications {
    ($callback:ident) => {
        $callback! {
            stages {
                BEGIN_REQUEST = RQ_BEGIN_REQUEST, "the request arrived: the first stage":
                    OnBeginRequest(IHttpEventProvider) => on_begin_request(ctx),
                    post POST_BEGIN_REQUEST: OnPostBeginRequest => on_post_begin_request;
                AUTHENTICATE_REQUEST = RQ_AUTHENTICATE_REQUEST, "establishing the user":
                    OnAuthenticateRequest(IAuthenticationProvider)
                        => on_authenticate_request(ctx, provider),
                    post POST_AUTHENTICATE_REQUEST: OnPostAuthenticateRequest
                        => on_post_authenticate_request;
                AUTHORIZE_REQUEST = RQ_AUTHORIZE_REQUEST,
                    "checking that the user may have the resource":
                    OnAuthorizeRequest(IHttpEventProvider) => on_authorize_request(ctx),
                    post POST_AUTHORIZE_REQUEST: OnPostAuthorizeRequest
                        => on_post_authorize_request;
                RESOLVE_REQUEST_CACHE = RQ_RESOLVE_REQUEST_CACHE, "answering from a cache":
                    OnResolveRequestCache(IHttpEventProvider) => on_resolve_request_cache(ctx),
                    post POST_RESOLVE_REQUEST_CACHE: OnPostResolveRequestCache
                        => on_post_resolve_request_cache;
                MAP_REQUEST_HANDLER = RQ_MAP_REQUEST_HANDLER, "choosing the handler":
                    OnMapRequestHandler(IMapHandlerProvider)
                        => on_map_request_handler(ctx, provider),
                    post POST_MAP_REQUEST_HANDLER: OnPostMapRequestHandler
                        => on_post_map_request_handler;
                ACQUIRE_REQUEST_STATE = RQ_ACQUIRE_REQUEST_STATE,
                    "loading state (such as the session) for the handler":
                    OnAcquireRequestState(IHttpEventProvider) => on_acquire_request_state(ctx),
                    post POST_ACQUIRE_REQUEST_STATE: OnPostAcquireRequestState
                        => on_post_acquire_request_state;
                PRE_EXECUTE_REQUEST_HANDLER = RQ_PRE_EXECUTE_REQUEST_HANDLER,
                    "just before the handler":
                    OnPreExecuteRequestHandler(IHttpEventProvider)
                        => on_pre_execute_request_handler(ctx),
                    post POST_PRE_EXECUTE_REQUEST_HANDLER: OnPostPreExecuteRequestHandler
                        => on_post_pre_execute_request_handler;
                EXECUTE_REQUEST_HANDLER = RQ_EXECUTE_REQUEST_HANDLER, "producing the response":
                    OnExecuteRequestHandler(IHttpEventProvider)
                        => on_execute_request_handler(ctx),
                    post POST_EXECUTE_REQUEST_HANDLER: OnPostExecuteRequestHandler
                        => on_post_execute_request_handler;
                RELEASE_REQUEST_STATE = RQ_RELEASE_REQUEST_STATE, "saving state":
                    OnReleaseRequestState(IHttpEventProvider) => on_release_request_state(ctx),
                    post POST_RELEASE_REQUEST_STATE: OnPostReleaseRequestState
                        => on_post_release_request_state;
                UPDATE_REQUEST_CACHE = RQ_UPDATE_REQUEST_CACHE,
                    "storing the response in a cache":
                    OnUpdateRequestCache(IHttpEventProvider) => on_update_request_cache(ctx),
                    post POST_UPDATE_REQUEST_CACHE: OnPostUpdateRequestCache
                        => on_post_update_request_cache;
                LOG_REQUEST = RQ_LOG_REQUEST, "logging, after the response is sent":
                    OnLogRequest(IHttpEventProvider) => on_log_request(ctx),
                    post POST_LOG_REQUEST: OnPostLogRequest => on_post_log_request;
                END_REQUEST = RQ_END_REQUEST,
                    "the last stage, delivered even after a request is finished early":
                    OnEndRequest(IHttpEventProvider) => on_end_request(ctx),
                    post POST_END_REQUEST: OnPostEndRequest => on_post_end_request;
            }
            events {
                SEND_RESPONSE = RQ_SEND_RESPONSE,
                    "the response is about to be sent (headers can still change)":
                    OnSendResponse(ISendResponseProvider) => on_send_response(ctx, provider);
                READ_ENTITY = RQ_READ_ENTITY, "the request body is being read":
                    OnReadEntity(IReadEntityProvider) => on_read_entity(ctx, provider);
                MAP_PATH = RQ_MAP_PATH, "a URL is being mapped to a physical path":
                    OnMapPath(IMapPathProvider) => on_map_path(ctx, provider);
                CUSTOM_NOTIFICATION = RQ_CUSTOM_NOTIFICATION,
                    "a module raised a custom notification":
                    OnCustomRequestNotification(ICustomNotificationProvider)
                        => on_custom_request_notification(ctx, provider);
            }
        }
    };
}

/// Calls `$callback! { … }` with IIS's global notifications, one entry each:
///
/// `NAME = GL_FLAG, "what it is": VtableSlot([ProviderClass]) => rust_method(ctx | global)`
///
/// where `(ctx)` is a method that gets the request's context (the provider's
/// `HttpContext`) and `(global)` one that gets a `GlobalContext` of the provider, or of `()` when the slot has no
/// provider (`VtableSlot()`). The test server raises each of them through the same entries.
#[doc(hidden)]
#[macro_export]
macro_rules! __global_notifications {
    ($callback:ident) => {
        $callback! {
            PRE_BEGIN_REQUEST = GL_PRE_BEGIN_REQUEST,
                "a request arrived, before its pipeline starts":
                OnGlobalPreBeginRequest(IPreBeginRequestProvider) => on_pre_begin_request(ctx);
            APPLICATION_START = GL_APPLICATION_START, "an application starts":
                OnGlobalApplicationStart(IHttpApplicationStartProvider)
                    => on_application_start(global);
            APPLICATION_STOP = GL_APPLICATION_STOP, "an application stops":
                OnGlobalApplicationStop(IHttpApplicationStopProvider)
                    => on_application_stop(global);
            APPLICATION_RESOLVE_MODULES = GL_APPLICATION_RESOLVE_MODULES,
                "an application's modules are being resolved":
                OnGlobalApplicationResolveModules(IHttpApplicationResolveModulesProvider)
                    => on_application_resolve_modules(global);
            APPLICATION_PRELOAD = GL_APPLICATION_PRELOAD, "an application is being preloaded":
                OnGlobalApplicationPreload(IGlobalApplicationPreloadProvider)
                    => on_application_preload(global);
            CONFIGURATION_CHANGE = GL_CONFIGURATION_CHANGE, "configuration changed":
                OnGlobalConfigurationChange(IGlobalConfigurationChangeProvider)
                    => on_configuration_change(global);
            FILE_CHANGE = GL_FILE_CHANGE, "a monitored file changed":
                OnGlobalFileChange(IGlobalFileChangeProvider) => on_file_change(global);
            STOP_LISTENING = GL_STOP_LISTENING, "the worker process stops taking requests":
                OnGlobalStopListening(IGlobalStopListeningProvider) => on_stop_listening(global);
            CACHE_CLEANUP = GL_CACHE_CLEANUP, "caches are being trimmed":
                OnGlobalCacheCleanup() => on_cache_cleanup(global);
            CACHE_OPERATION = GL_CACHE_OPERATION, "a cache operation":
                OnGlobalCacheOperation(ICacheProvider) => on_cache_operation(global);
            HEALTH_CHECK = GL_HEALTH_CHECK, "the worker process's health is checked":
                OnGlobalHealthCheck() => on_health_check(global);
            TRACE_EVENT = GL_TRACE_EVENT, "a trace event was raised":
                OnGlobalTraceEvent(IGlobalTraceEventProvider) => on_trace_event(global);
            CUSTOM_NOTIFICATION = GL_CUSTOM_NOTIFICATION,
                "a module raised a custom global notification":
                OnGlobalCustomNotification(ICustomNotificationProvider)
                    => on_custom_notification(global);
            THREAD_CLEANUP = GL_THREAD_CLEANUP,
                "a thread-pool thread is about to return to the pool":
                OnGlobalThreadCleanup(IGlobalThreadCleanupProvider) => on_thread_cleanup(global);
            RSCA_QUERY = GL_RSCA_QUERY, "a run-time status and control query":
                OnGlobalRSCAQuery(IGlobalRSCAQueryProvider) => on_rsca_query(global);
        }
    };
}
