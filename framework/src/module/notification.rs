//! What a notification answers ([`Notification`], [`GlobalNotification`]) and which
//! notifications a module asks for ([`Notifications`], [`GlobalNotifications`], with a
//! [`Priority`] each): the `RQ_*`, `GL_*` and `PRIORITY_ALIAS_*` values of the C++ API as Rust
//! types. The masks are generated from the notification table (`table.rs`), and so is the
//! lookup that makes a module's masks of the `on_*` methods it implements
//! ([`Notifications::of`], [`GlobalNotifications::of`]): a module never states them by hand.

use super::{GlobalModule, HttpModule};
use crate::runtime::U16CStr;
// The `RQ_*` and `GL_*` flags the table's entries name, and the C++ values below.
use crate::*;
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

macro_rules! request_masks {
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
        impl Notifications {
            $(
                #[doc = concat!("`", stringify!($bit), "`: ", $doc, ".")]
                pub const $name: Notifications = Notifications { request: $bit, post: 0 };
                #[doc = concat!(
                    "The post-notification of `", stringify!($bit), "`: after every module's `",
                    stringify!($method), "`."
                )]
                pub const $post: Notifications = Notifications { request: 0, post: $bit };
            )*
            $(
                #[doc = concat!(
                    "`", stringify!($event_bit), "`: ", $event_doc,
                    ". Not a stage: it has no post-notification."
                )]
                pub const $event: Notifications = Notifications { request: $event_bit, post: 0 };
            )*
        }

        /// Each notification method of [`HttpModule`] with the notification it handles.
        const REQUEST_METHODS: &[(&str, Notifications)] = &[
            $(
                (stringify!($method), Notifications::$name),
                (stringify!($post_method), Notifications::$post),
            )*
            $((stringify!($event_method), Notifications::$event),)*
        ];
    };
}

crate::__request_notifications!(request_masks);

impl Notifications {
    /// No notification.
    pub const NONE: Notifications = Notifications {
        request: 0,
        post: 0,
    };

    /// The notifications IIS delivers to the request module `M`: those of the `on_*` methods
    /// its `impl HttpModule` defines (`#[httpserv::module]` lists them), the masks
    /// [`Registration::request_module`](crate::runtime::Registration::request_module) passes
    /// to `SetRequestNotifications`.
    ///
    /// A name that is no notification method of [`HttpModule`] fails the evaluation (the
    /// attribute never writes one).
    pub const fn of<M: HttpModule>() -> Notifications {
        let methods = <M as HttpModule>::HTTPSERV_MODULE_ATTRIBUTE;
        let mut set = Notifications::NONE;
        let mut i = 0;
        while i < methods.len() {
            // The trait's one `on_*` method that is no notification: it answers a completion
            // of whichever notification was pending.
            if !same(methods[i], "on_async_completion") {
                match lookup(REQUEST_METHODS, methods[i]) {
                    Some(notification) => set = set.or(notification),
                    None => panic!(
                        "a name in HTTPSERV_MODULE_ATTRIBUTE is not a notification method of \
                         HttpModule: leave the list to #[httpserv::module]"
                    ),
                }
            }
            i += 1;
        }
        set
    }

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

macro_rules! global_masks {
    ($(
        $name:ident = $bit:ident, $doc:literal: $raw:ident($($provider:ty)?)
            => $method:ident($($arg:ident)?);
    )*) => {
        impl GlobalNotifications {
            $(
                #[doc = concat!("`", stringify!($bit), "`: ", $doc, ".")]
                pub const $name: GlobalNotifications = GlobalNotifications($bit);
            )*
        }

        /// Each notification method of [`GlobalModule`] with the notification it handles.
        const GLOBAL_METHODS: &[(&str, GlobalNotifications)] =
            &[$((stringify!($method), GlobalNotifications::$name)),*];
    };
}

crate::__global_notifications!(global_masks);

impl GlobalNotifications {
    /// No notification.
    pub const NONE: GlobalNotifications = GlobalNotifications(0);

    /// The global notifications IIS delivers to the global module `G`: those of the `on_*`
    /// methods its `impl GlobalModule` defines (`#[httpserv::module]` lists them), the mask
    /// [`Registration::global_module`](crate::runtime::Registration::global_module) passes to
    /// `SetGlobalNotifications`.
    ///
    /// A name that is no notification method of [`GlobalModule`] fails the evaluation (the
    /// attribute never writes one).
    pub const fn of<G: GlobalModule>() -> GlobalNotifications {
        let methods = <G as GlobalModule>::HTTPSERV_MODULE_ATTRIBUTE;
        let mut set = GlobalNotifications::NONE;
        let mut i = 0;
        while i < methods.len() {
            match lookup(GLOBAL_METHODS, methods[i]) {
                Some(notification) => set = set.or(notification),
                None => panic!(
                    "a name in HTTPSERV_MODULE_ATTRIBUTE is not a notification method of \
                     GlobalModule: leave the list to #[httpserv::module]"
                ),
            }
            i += 1;
        }
        set
    }

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

/// The notification of the method `name` in `methods` (a table above).
const fn lookup<T: Copy>(methods: &[(&str, T)], name: &str) -> Option<T> {
    let mut i = 0;
    while i < methods.len() {
        if same(methods[i].0, name) {
            return Some(methods[i].1);
        }
        i += 1;
    }
    None
}

/// `a == b`, which is not `const` for `str`.
const fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
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
