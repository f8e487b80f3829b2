// IIS calls a global module from many worker threads at once: a GlobalModule holding a Cell
// (not Sync) must not compile.
use httpserv::module::GlobalModule;
use std::cell::Cell;

struct Counter {
    seen: Cell<u64>,
}

#[httpserv::module]
impl GlobalModule for Counter {
}

fn main() {}
