// IIS follows the pointers and lengths of the HTTP_REQUEST it hands out (and so does the
// framework's `request_headers`): safe code gets it shared only, so it cannot store a
// pointer or count there that points at nothing.
use httpserv::module::{HttpContext, HttpModule, Notification};

struct Forger;

#[httpserv::module]
impl HttpModule for Forger {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if let Some(raw) = ctx.request_mut().raw_http_request_mut() {
            raw.Base.Headers.UnknownHeaderCount = 1000;
        }
        Notification::Continue
    }
}

fn main() {}
