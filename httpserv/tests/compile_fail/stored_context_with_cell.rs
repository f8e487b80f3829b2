// A stored context can be reached from several requests at once: one holding a Cell must not
// compile.
use httpserv::*;
use std::cell::Cell;

struct Visits {
    count: Cell<u32>,
}

impl IHttpStoredContext_Impl for Visits {}

fn main() {}
