// A global module's notifications are the global ones: a request notification's method is
// not one of its methods.
use httpserv::module::{GlobalModule, GlobalNotification, HttpContext};

struct Counter;

#[httpserv::module]
impl GlobalModule for Counter {
    fn on_begin_request(&self, _: &mut HttpContext<'_>) -> GlobalNotification {
        GlobalNotification::Continue
    }
}

fn main() {}
