// #[httpserv::module] sees the methods written in the impl; those a macro inside the impl
// would write it cannot see, so it refuses the macro instead of missing a notification.
use httpserv::module::{HttpContext, HttpModule, Notification};

macro_rules! end_request {
    () => {
        fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
            Notification::Continue
        }
    };
}

struct Hello;

#[httpserv::module]
impl HttpModule for Hello {
    end_request!();
}

fn main() {}
