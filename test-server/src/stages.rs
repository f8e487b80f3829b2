//! The twelve request stages of IIS's integrated pipeline, as the framework's notification
//! table lists them (`httpserv_framework::__request_notifications!`), each with how its
//! notification and its post-notification reach a module: the `CHttpModule` slot and the
//! provider object the slot takes. The pipeline (`pipeline.rs`) walks them in this order.

use super::exchange::Objects;
use crate::*;

/// A stage of the pipeline: its flag, its name in the trace, and how its notification and
/// its post-notification are delivered to a module.
pub(crate) struct Stage {
    pub flag: u32,
    pub name: &'static str,
    pub notify: Deliver,
    pub post: Deliver,
}

/// Calls one `CHttpModule` slot of `module` with the request's context and the provider the
/// slot takes. Unsafe: `module` must be the request's live module, `objects` the request's.
pub(crate) type Deliver = unsafe fn(*mut CHttpModule, &Objects) -> REQUEST_NOTIFICATION_STATUS;

/// The request's object of each provider class a stage's slot takes.
trait Provider<P> {
    fn provider(&self) -> *mut P;
}

impl Provider<IHttpEventProvider> for Objects {
    fn provider(&self) -> *mut IHttpEventProvider {
        self.event.get()
    }
}

impl Provider<IAuthenticationProvider> for Objects {
    fn provider(&self) -> *mut IAuthenticationProvider {
        self.authentication.get()
    }
}

impl Provider<IMapHandlerProvider> for Objects {
    fn provider(&self) -> *mut IMapHandlerProvider {
        self.map_handler.get()
    }
}

/// `STAGES`, from the framework's notification table: its stages, in its (pipeline) order.
/// The table's other notifications are not stages; of those the server delivers
/// `RQ_SEND_RESPONSE` alone, around the send.
macro_rules! stages {
    (
        stages { $(
            $name:ident = $bit:ident, $doc:literal: $raw:ident($provider:ty)
                => $method:ident($($arg:ident),*),
            post $post:ident: $post_raw:ident => $post_method:ident;
        )* }
        events { $($events:tt)* }
    ) => {
        /// The request stages in pipeline order, with their names in the trace.
        pub(crate) const STAGES: &[Stage] = &[$(
            Stage {
                flag: $bit,
                name: stringify!($name),
                notify: |module, objects| {
                    let provider = Provider::<$provider>::provider(objects);
                    // SAFETY: as `Deliver` requires; the provider is the request's object of
                    // the class the slot takes.
                    unsafe { ((*CHttpModule::vtable_of(module)).$raw)(module, objects.context.get(), provider) }
                },
                post: |module, objects| {
                    let provider = objects.event.get();
                    // SAFETY: as `Deliver` requires; post-notifications take the plain
                    // event provider.
                    unsafe {
                        ((*CHttpModule::vtable_of(module)).$post_raw)(module, objects.context.get(), provider)
                    }
                },
            },
        )*];
    };
}

httpserv_framework::__request_notifications!(stages);

/// The index of the stage of `flag` in STAGES.
pub(crate) const fn stage(flag: u32) -> usize {
    let mut i = 0;
    while STAGES[i].flag != flag {
        i += 1;
    }
    i
}
