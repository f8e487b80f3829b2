// A header value is IIS's memory, valid until the request changes: changing the request
// while holding one must not compile.
use httpserv::module::{HttpContext, HttpModule, Notification};

struct Copier;

#[httpserv::module]
impl HttpModule for Copier {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        let host = ctx.request_header("Host");
        let _ = ctx.set_request_header("Host", "elsewhere");
        println!("{host:?}");
        Notification::Continue
    }
}

fn main() {}
