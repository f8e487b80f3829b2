// A module's C++ object is a CHttpModule*: it cannot be handed on as another class without
// a cast.
use httpserv::*;

struct Module;

impl CHttpModule_Impl for Module {}

fn main() {
    let _factory: *mut IHttpModuleFactory = CHttpModule::new_boxed(Module);
}
