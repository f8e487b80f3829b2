//! [`GlobalModule`]: a module's one process-wide object, called for the global notifications
//! of [`GlobalModule::NOTIFICATIONS`] from many worker threads at once (so `&self` and
//! `Sync`); every default continues. `on_pre_begin_request` sees the new request through the
//! same [`HttpContext`] request modules get.

use super::{GlobalNotification, GlobalNotifications, Host, HttpContext, Priority};
use crate::{
    CGlobalModule, CGlobalModule_Impl, ICacheProvider, ICustomNotificationProvider,
    IGlobalApplicationPreloadProvider, IGlobalConfigurationChangeProvider,
    IGlobalFileChangeProvider, IGlobalRSCAQueryProvider, IGlobalStopListeningProvider,
    IGlobalThreadCleanupProvider, IGlobalTraceEventProvider,
    IHttpApplicationResolveModulesProvider, IHttpApplicationStartProvider,
    IHttpApplicationStopProvider, IPreBeginRequestProvider, GLOBAL_NOTIFICATION_STATUS,
    GL_NOTIFICATION_CONTINUE,
};

macro_rules! provider_methods {
    ($($(#[$doc:meta])* $name:ident($provider:ty);)*) => {
        $(
            $(#[$doc])*
            #[allow(unused_variables)]
            fn $name(&self, provider: &mut $provider) -> GlobalNotification {
                GlobalNotification::Continue
            }
        )*
    };
}

/// A global module: one value for the life of the worker process, registered with
/// [`Registration::global_module`](crate::runtime::Registration::global_module) and dropped
/// when IIS terminates it.
pub trait GlobalModule: Send + Sync + 'static {
    /// The global notifications IIS delivers to this module.
    const NOTIFICATIONS: GlobalNotifications;
    /// Priorities other than [`Priority::Medium`], per notification.
    const PRIORITIES: &'static [(GlobalNotifications, Priority)] = &[];

    /// `GL_PRE_BEGIN_REQUEST`: a request arrived, before its pipeline starts.
    /// [`GlobalNotification::Handled`] stops the other global modules from seeing it.
    #[allow(unused_variables)]
    fn on_pre_begin_request(&self, ctx: &mut HttpContext<'_>) -> GlobalNotification {
        GlobalNotification::Continue
    }

    /// `GL_CACHE_CLEANUP`: trim caches.
    fn on_cache_cleanup(&self) -> GlobalNotification {
        GlobalNotification::Continue
    }

    /// `GL_HEALTH_CHECK`: the worker process's health is checked.
    fn on_health_check(&self) -> GlobalNotification {
        GlobalNotification::Continue
    }

    provider_methods! {
        /// `GL_APPLICATION_START`: an application starts.
        on_application_start(IHttpApplicationStartProvider);
        /// `GL_APPLICATION_STOP`: an application stops.
        on_application_stop(IHttpApplicationStopProvider);
        /// `GL_APPLICATION_RESOLVE_MODULES`: an application's modules are being resolved.
        on_application_resolve_modules(IHttpApplicationResolveModulesProvider);
        /// `GL_APPLICATION_PRELOAD`: an application is preloaded.
        on_application_preload(IGlobalApplicationPreloadProvider);
        /// `GL_CONFIGURATION_CHANGE`: configuration changed.
        on_configuration_change(IGlobalConfigurationChangeProvider);
        /// `GL_FILE_CHANGE`: a monitored file changed.
        on_file_change(IGlobalFileChangeProvider);
        /// `GL_STOP_LISTENING`: the worker process stops taking requests.
        on_stop_listening(IGlobalStopListeningProvider);
        /// `GL_CACHE_OPERATION`: a cache operation.
        on_cache_operation(ICacheProvider);
        /// `GL_TRACE_EVENT`: a trace event was raised.
        on_trace_event(IGlobalTraceEventProvider);
        /// `GL_CUSTOM_NOTIFICATION`: a module raised a custom global notification.
        on_custom_notification(ICustomNotificationProvider);
        /// `GL_THREAD_CLEANUP`: a thread goes back to the pool.
        on_thread_cleanup(IGlobalThreadCleanupProvider);
        /// `GL_RSCA_QUERY`: a run-time status and control query.
        on_rsca_query(IGlobalRSCAQueryProvider);
    }
}

/// The `CGlobalModule` IIS holds.
pub(crate) struct Global<G> {
    module: G,
    host: Host,
}

impl<G: GlobalModule> Global<G> {
    pub(crate) fn object(module: G, host: Host) -> crate::runtime::Owned<CGlobalModule> {
        CGlobalModule::new(Global { module, host })
    }

    fn with<P>(
        provider: *mut P,
        call: impl FnOnce(&mut P) -> GlobalNotification,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        // SAFETY: IIS passes a live provider for the notification, used by it alone.
        match unsafe { provider.as_mut() } {
            Some(provider) => call(provider).to_raw(),
            None => GL_NOTIFICATION_CONTINUE,
        }
    }
}

macro_rules! forward {
    ($($raw:ident($provider:ty) => $method:ident;)*) => {
        $(
            fn $raw(&self, provider: *mut $provider) -> GLOBAL_NOTIFICATION_STATUS {
                Self::with(provider, |provider| self.module.$method(provider))
            }
        )*
    };
}

impl<G: GlobalModule> CGlobalModule_Impl for Global<G> {
    fn OnGlobalPreBeginRequest(
        &self,
        provider: *mut IPreBeginRequestProvider,
    ) -> GLOBAL_NOTIFICATION_STATUS {
        Self::with(provider, |provider| {
            let Some(context) = provider.http_context_mut() else {
                return GlobalNotification::Continue;
            };
            let mut ctx = HttpContext::new(context, self.host, false);
            self.module.on_pre_begin_request(&mut ctx)
        })
    }

    fn OnGlobalCacheCleanup(&self) -> GLOBAL_NOTIFICATION_STATUS {
        self.module.on_cache_cleanup().to_raw()
    }

    fn OnGlobalHealthCheck(&self) -> GLOBAL_NOTIFICATION_STATUS {
        self.module.on_health_check().to_raw()
    }

    forward! {
        OnGlobalApplicationStart(IHttpApplicationStartProvider) => on_application_start;
        OnGlobalApplicationStop(IHttpApplicationStopProvider) => on_application_stop;
        OnGlobalApplicationResolveModules(IHttpApplicationResolveModulesProvider) =>
            on_application_resolve_modules;
        OnGlobalApplicationPreload(IGlobalApplicationPreloadProvider) => on_application_preload;
        OnGlobalConfigurationChange(IGlobalConfigurationChangeProvider) => on_configuration_change;
        OnGlobalFileChange(IGlobalFileChangeProvider) => on_file_change;
        OnGlobalStopListening(IGlobalStopListeningProvider) => on_stop_listening;
        OnGlobalCacheOperation(ICacheProvider) => on_cache_operation;
        OnGlobalTraceEvent(IGlobalTraceEventProvider) => on_trace_event;
        OnGlobalCustomNotification(ICustomNotificationProvider) => on_custom_notification;
        OnGlobalThreadCleanup(IGlobalThreadCleanupProvider) => on_thread_cleanup;
        OnGlobalRSCAQuery(IGlobalRSCAQueryProvider) => on_rsca_query;
    }

    // Terminate: the release rule drops the value (and the module with it) and frees it.
}
