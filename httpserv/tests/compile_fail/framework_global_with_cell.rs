// IIS calls a global module from many worker threads at once: a GlobalModule holding a Cell
// (not Sync) must not compile.
use httpserv::module::{GlobalModule, GlobalNotifications};
use std::cell::Cell;

struct Counter {
    seen: Cell<u64>,
}

impl GlobalModule for Counter {
    const NOTIFICATIONS: GlobalNotifications = GlobalNotifications::PRE_BEGIN_REQUEST;
}

fn main() {}
