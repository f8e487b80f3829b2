// A module does not state its notifications by hand: there is no mask to keep beside the
// methods (it could forget one), only the methods.
use httpserv::module::{HttpContext, HttpModule, Notification, Notifications};

struct Hello;

#[httpserv::module]
impl HttpModule for Hello {
    const NOTIFICATIONS: Notifications = Notifications::BEGIN_REQUEST;

    fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
        Notification::Continue
    }
}

fn main() {}
