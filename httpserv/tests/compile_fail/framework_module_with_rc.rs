// A request module may continue on another thread (after an asynchronous completion), so an
// HttpModule holding an Rc (not Send) must not compile.
use httpserv::module::{HttpModule, Notifications};
use std::rc::Rc;

struct Shared {
    count: Rc<u32>,
}

impl HttpModule for Shared {
    const NOTIFICATIONS: Notifications = Notifications::BEGIN_REQUEST;
}

fn main() {}
