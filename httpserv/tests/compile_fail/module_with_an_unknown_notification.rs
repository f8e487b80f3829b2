// An `on_*` method that is no notification (a misspelling) is an error, not a method that is
// never called.
use httpserv::module::{HttpContext, HttpModule, Notification};

struct Hello;

#[httpserv::module]
impl HttpModule for Hello {
    fn on_begin_requests(&mut self, _: &mut HttpContext<'_>) -> Notification {
        Notification::Continue
    }
}

fn main() {}
