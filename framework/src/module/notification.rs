//! What a notification answers ([`Notification`], [`GlobalNotification`]) and which
//! notifications a module asks for ([`Notifications`], [`GlobalNotifications`], with a
//! [`Priority`] each): the `RQ_*`, `GL_*` and `PRIORITY_ALIAS_*` values of the C++ API as Rust
//! types, so a module states its mask once, next to the methods that handle it.

use crate::runtime::U16CStr;
use crate::{
    GLOBAL_NOTIFICATION_STATUS, GL_APPLICATION_PRELOAD, GL_APPLICATION_RESOLVE_MODULES,
    GL_APPLICATION_START, GL_APPLICATION_STOP, GL_CACHE_CLEANUP, GL_CACHE_OPERATION,
    GL_CONFIGURATION_CHANGE, GL_CUSTOM_NOTIFICATION, GL_FILE_CHANGE, GL_HEALTH_CHECK,
    GL_NOTIFICATION_CONTINUE, GL_NOTIFICATION_HANDLED, GL_PRE_BEGIN_REQUEST, GL_RSCA_QUERY,
    GL_STOP_LISTENING, GL_THREAD_CLEANUP, GL_TRACE_EVENT, PRIORITY_ALIAS_FIRST,
    PRIORITY_ALIAS_HIGH, PRIORITY_ALIAS_LAST, PRIORITY_ALIAS_LOW, PRIORITY_ALIAS_MEDIUM,
    REQUEST_NOTIFICATION_STATUS, RQ_ACQUIRE_REQUEST_STATE, RQ_AUTHENTICATE_REQUEST,
    RQ_AUTHORIZE_REQUEST, RQ_BEGIN_REQUEST, RQ_CUSTOM_NOTIFICATION, RQ_END_REQUEST,
    RQ_EXECUTE_REQUEST_HANDLER, RQ_LOG_REQUEST, RQ_MAP_PATH, RQ_MAP_REQUEST_HANDLER,
    RQ_NOTIFICATION_CONTINUE, RQ_NOTIFICATION_FINISH_REQUEST, RQ_PRE_EXECUTE_REQUEST_HANDLER,
    RQ_READ_ENTITY, RQ_RELEASE_REQUEST_STATE, RQ_RESOLVE_REQUEST_CACHE, RQ_SEND_RESPONSE,
    RQ_UPDATE_REQUEST_CACHE,
};
use core::ops::BitOr;

/// What a request notification tells IIS to do next.
///
/// There is no "pending" answer to return: a notification that completes later takes a
/// [`Completion`](super::Completion) from its context, and the framework answers
/// `RQ_NOTIFICATION_PENDING` for it (so a request is never left pending with nobody to
/// complete it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Notification {
    /// Go on with the next module and stage (`RQ_NOTIFICATION_CONTINUE`).
    #[default]
    Continue,
    /// Skip to the end of the request: the response is sent, then `RQ_LOG_REQUEST` and
    /// `RQ_END_REQUEST` run (`RQ_NOTIFICATION_FINISH_REQUEST`).
    FinishRequest,
}

impl Notification {
    /// The C++ value.
    pub const fn to_raw(self) -> REQUEST_NOTIFICATION_STATUS {
        match self {
            Notification::Continue => RQ_NOTIFICATION_CONTINUE,
            Notification::FinishRequest => RQ_NOTIFICATION_FINISH_REQUEST,
        }
    }
}

/// What a global notification tells IIS to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GlobalNotification {
    /// Let the other global modules see the notification (`GL_NOTIFICATION_CONTINUE`).
    #[default]
    Continue,
    /// This module handled it; no other global module sees it (`GL_NOTIFICATION_HANDLED`).
    Handled,
}

impl GlobalNotification {
    /// The C++ value.
    pub const fn to_raw(self) -> GLOBAL_NOTIFICATION_STATUS {
        match self {
            GlobalNotification::Continue => GL_NOTIFICATION_CONTINUE,
            GlobalNotification::Handled => GL_NOTIFICATION_HANDLED,
        }
    }
}

/// The request notifications a module handles: the two masks of
/// `IHttpModuleRegistrationInfo::SetRequestNotifications`, combined with `|`.
///
/// ```
/// use httpserv::module::Notifications;
/// const MINE: Notifications =
///     Notifications::BEGIN_REQUEST.or(Notifications::POST_EXECUTE_REQUEST_HANDLER);
/// assert_eq!(MINE, Notifications::BEGIN_REQUEST | Notifications::POST_EXECUTE_REQUEST_HANDLER);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Notifications {
    /// The `RQ_*` bits of the notifications.
    pub request: u32,
    /// The `RQ_*` bits of the post-notifications.
    pub post: u32,
}

macro_rules! request_notifications {
    ($($(#[$doc:meta])* $name:ident $post:ident = $bit:ident;)*) => {
        impl Notifications {
            $(
                $(#[$doc])*
                pub const $name: Notifications = Notifications { request: $bit, post: 0 };
                #[doc = concat!("The post-notification of [`Self::", stringify!($name), "`].")]
                pub const $post: Notifications = Notifications { request: 0, post: $bit };
            )*
        }
    };
}

request_notifications! {
    /// `RQ_BEGIN_REQUEST`: the first stage.
    BEGIN_REQUEST POST_BEGIN_REQUEST = RQ_BEGIN_REQUEST;
    /// `RQ_AUTHENTICATE_REQUEST`: establishing the user.
    AUTHENTICATE_REQUEST POST_AUTHENTICATE_REQUEST = RQ_AUTHENTICATE_REQUEST;
    /// `RQ_AUTHORIZE_REQUEST`: checking the user may have the resource.
    AUTHORIZE_REQUEST POST_AUTHORIZE_REQUEST = RQ_AUTHORIZE_REQUEST;
    /// `RQ_RESOLVE_REQUEST_CACHE`: answering from a cache.
    RESOLVE_REQUEST_CACHE POST_RESOLVE_REQUEST_CACHE = RQ_RESOLVE_REQUEST_CACHE;
    /// `RQ_MAP_REQUEST_HANDLER`: choosing the handler.
    MAP_REQUEST_HANDLER POST_MAP_REQUEST_HANDLER = RQ_MAP_REQUEST_HANDLER;
    /// `RQ_ACQUIRE_REQUEST_STATE`: loading session state.
    ACQUIRE_REQUEST_STATE POST_ACQUIRE_REQUEST_STATE = RQ_ACQUIRE_REQUEST_STATE;
    /// `RQ_PRE_EXECUTE_REQUEST_HANDLER`: just before the handler.
    PRE_EXECUTE_REQUEST_HANDLER POST_PRE_EXECUTE_REQUEST_HANDLER = RQ_PRE_EXECUTE_REQUEST_HANDLER;
    /// `RQ_EXECUTE_REQUEST_HANDLER`: producing the response.
    EXECUTE_REQUEST_HANDLER POST_EXECUTE_REQUEST_HANDLER = RQ_EXECUTE_REQUEST_HANDLER;
    /// `RQ_RELEASE_REQUEST_STATE`: saving session state.
    RELEASE_REQUEST_STATE POST_RELEASE_REQUEST_STATE = RQ_RELEASE_REQUEST_STATE;
    /// `RQ_UPDATE_REQUEST_CACHE`: storing the response in a cache.
    UPDATE_REQUEST_CACHE POST_UPDATE_REQUEST_CACHE = RQ_UPDATE_REQUEST_CACHE;
    /// `RQ_LOG_REQUEST`: logging, after the response is sent.
    LOG_REQUEST POST_LOG_REQUEST = RQ_LOG_REQUEST;
    /// `RQ_END_REQUEST`: the last stage, always delivered.
    END_REQUEST POST_END_REQUEST = RQ_END_REQUEST;
}

impl Notifications {
    /// No notification.
    pub const NONE: Notifications = Notifications {
        request: 0,
        post: 0,
    };
    /// `RQ_SEND_RESPONSE`: the response is about to be sent (no post-notification).
    pub const SEND_RESPONSE: Notifications = Notifications {
        request: RQ_SEND_RESPONSE,
        post: 0,
    };
    /// `RQ_READ_ENTITY`: the request body is being read (no post-notification).
    pub const READ_ENTITY: Notifications = Notifications {
        request: RQ_READ_ENTITY,
        post: 0,
    };
    /// `RQ_MAP_PATH`: a URL is being mapped to a physical path (no post-notification).
    pub const MAP_PATH: Notifications = Notifications {
        request: RQ_MAP_PATH,
        post: 0,
    };
    /// `RQ_CUSTOM_NOTIFICATION`: a module raised a custom notification.
    pub const CUSTOM_NOTIFICATION: Notifications = Notifications {
        request: RQ_CUSTOM_NOTIFICATION,
        post: 0,
    };

    /// Both sets (`|` in a `const` context).
    pub const fn or(self, other: Notifications) -> Notifications {
        Notifications {
            request: self.request | other.request,
            post: self.post | other.post,
        }
    }

    /// Whether every notification of `other` is in `self`.
    pub const fn contains(self, other: Notifications) -> bool {
        self.request & other.request == other.request && self.post & other.post == other.post
    }
}

impl BitOr for Notifications {
    type Output = Notifications;
    fn bitor(self, other: Notifications) -> Notifications {
        self.or(other)
    }
}

/// The global notifications a module handles: the mask of
/// `IHttpModuleRegistrationInfo::SetGlobalNotifications`, combined with `|`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct GlobalNotifications(pub u32);

impl GlobalNotifications {
    /// No notification.
    pub const NONE: GlobalNotifications = GlobalNotifications(0);
    /// `GL_PRE_BEGIN_REQUEST`: a request arrived, before its pipeline starts.
    pub const PRE_BEGIN_REQUEST: GlobalNotifications = GlobalNotifications(GL_PRE_BEGIN_REQUEST);
    /// `GL_APPLICATION_START`: an application starts.
    pub const APPLICATION_START: GlobalNotifications = GlobalNotifications(GL_APPLICATION_START);
    /// `GL_APPLICATION_STOP`: an application stops.
    pub const APPLICATION_STOP: GlobalNotifications = GlobalNotifications(GL_APPLICATION_STOP);
    /// `GL_APPLICATION_RESOLVE_MODULES`: an application's modules are being resolved.
    pub const APPLICATION_RESOLVE_MODULES: GlobalNotifications =
        GlobalNotifications(GL_APPLICATION_RESOLVE_MODULES);
    /// `GL_APPLICATION_PRELOAD`: an application is being preloaded.
    pub const APPLICATION_PRELOAD: GlobalNotifications =
        GlobalNotifications(GL_APPLICATION_PRELOAD);
    /// `GL_CONFIGURATION_CHANGE`: configuration changed.
    pub const CONFIGURATION_CHANGE: GlobalNotifications =
        GlobalNotifications(GL_CONFIGURATION_CHANGE);
    /// `GL_FILE_CHANGE`: a monitored file changed.
    pub const FILE_CHANGE: GlobalNotifications = GlobalNotifications(GL_FILE_CHANGE);
    /// `GL_STOP_LISTENING`: the worker process stops taking requests.
    pub const STOP_LISTENING: GlobalNotifications = GlobalNotifications(GL_STOP_LISTENING);
    /// `GL_CACHE_CLEANUP`: caches are being trimmed.
    pub const CACHE_CLEANUP: GlobalNotifications = GlobalNotifications(GL_CACHE_CLEANUP);
    /// `GL_CACHE_OPERATION`: a cache operation.
    pub const CACHE_OPERATION: GlobalNotifications = GlobalNotifications(GL_CACHE_OPERATION);
    /// `GL_HEALTH_CHECK`: the worker process's health is checked.
    pub const HEALTH_CHECK: GlobalNotifications = GlobalNotifications(GL_HEALTH_CHECK);
    /// `GL_TRACE_EVENT`: a trace event was raised.
    pub const TRACE_EVENT: GlobalNotifications = GlobalNotifications(GL_TRACE_EVENT);
    /// `GL_CUSTOM_NOTIFICATION`: a module raised a custom global notification.
    pub const CUSTOM_NOTIFICATION: GlobalNotifications =
        GlobalNotifications(GL_CUSTOM_NOTIFICATION);
    /// `GL_THREAD_CLEANUP`: a thread-pool thread is about to return to the pool.
    pub const THREAD_CLEANUP: GlobalNotifications = GlobalNotifications(GL_THREAD_CLEANUP);
    /// `GL_RSCA_QUERY`: a run-time status and control query.
    pub const RSCA_QUERY: GlobalNotifications = GlobalNotifications(GL_RSCA_QUERY);

    /// Both sets (`|` in a `const` context).
    pub const fn or(self, other: GlobalNotifications) -> GlobalNotifications {
        GlobalNotifications(self.0 | other.0)
    }
}

impl BitOr for GlobalNotifications {
    type Output = GlobalNotifications;
    fn bitor(self, other: GlobalNotifications) -> GlobalNotifications {
        self.or(other)
    }
}

/// Where a module runs among the modules registered for a notification. IIS calls higher
/// priorities first, except for `RQ_SEND_RESPONSE`, where it calls lower ones first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Priority {
    /// `PRIORITY_ALIAS_FIRST`.
    First,
    /// `PRIORITY_ALIAS_HIGH`.
    High,
    /// `PRIORITY_ALIAS_MEDIUM`: what IIS assumes when a module sets none.
    #[default]
    Medium,
    /// `PRIORITY_ALIAS_LOW`.
    Low,
    /// `PRIORITY_ALIAS_LAST`.
    Last,
}

impl Priority {
    /// The alias IIS reads (`PRIORITY_ALIAS_HIGH` is `L"HIGH"`).
    pub fn alias(self) -> &'static U16CStr {
        let alias = match self {
            Priority::First => PRIORITY_ALIAS_FIRST,
            Priority::High => PRIORITY_ALIAS_HIGH,
            Priority::Medium => PRIORITY_ALIAS_MEDIUM,
            Priority::Low => PRIORITY_ALIAS_LOW,
            Priority::Last => PRIORITY_ALIAS_LAST,
        };
        // SAFETY: the PRIORITY_ALIAS_* constants are NUL-terminated UTF-16 literals.
        unsafe { U16CStr::from_ptr_str(alias) }
    }
}
