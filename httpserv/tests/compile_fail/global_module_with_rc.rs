// Global notifications come from many worker threads at once: a global module holding an Rc
// (neither Send nor Sync) must not compile.
use httpserv::*;
use std::rc::Rc;

struct Counter {
    shared: Rc<u32>,
}

// SAFETY: it hands out nothing.
unsafe impl CGlobalModule_Impl for Counter {}

fn main() {}
