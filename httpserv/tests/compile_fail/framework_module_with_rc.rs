// A request module may continue on another thread (after an asynchronous completion), so an
// HttpModule holding an Rc (not Send) must not compile.
use httpserv::module::HttpModule;
use std::rc::Rc;

struct Shared {
    count: Rc<u32>,
}

#[httpserv::module]
impl HttpModule for Shared {
}

fn main() {}
