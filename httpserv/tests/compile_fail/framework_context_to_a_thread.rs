// The request's context is borrowed for the notification: it cannot go to another thread
// (a Completion is the way back to the request from there).
use httpserv::module::{HttpContext, HttpModule, Notification};

struct Leaky;

#[httpserv::module]
impl HttpModule for Leaky {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        std::thread::scope(|scope| {
            scope.spawn(|| ctx.set_response_header("X-From", "a thread"));
        });
        Notification::Continue
    }
}

fn main() {}
