// The notifications IIS delivers are those of the methods the impl defines, which
// #[httpserv::module] lists: an impl without it would be a module whose methods are never
// called, so it must not compile, and the error names the attribute.
use httpserv::module::{HttpContext, HttpModule, Notification};

struct Hello;

impl HttpModule for Hello {
    fn on_end_request(&mut self, _: &mut HttpContext<'_>) -> Notification {
        Notification::Continue
    }
}

fn main() {}
