// A request's notifications may run on different threads (one at a time): a module holding
// an Rc (not Send) must not compile.
use httpserv::*;
use std::rc::Rc;

struct Module {
    shared: Rc<u32>,
}

impl CHttpModule_Impl for Module {}

fn main() {}
