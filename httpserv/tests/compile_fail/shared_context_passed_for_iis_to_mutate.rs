// IIS runs a child request on the context `ExecuteRequest` is given, and hands a custom
// notification's provider to modules, which change them (the framework as `&mut`): a shared
// reference the caller keeps using must not be passed there.
use httpserv::{ICustomNotificationProvider, IHttpContext, IHttpUser};

fn run_child(parent: &mut IHttpContext, child: &IHttpContext, user: &mut IHttpUser) {
    let _ = parent.execute_request(child, 0, user);
    let _still_shared = child.request().is_some();
}

fn notify(ctx: &mut IHttpContext, provider: &ICustomNotificationProvider) {
    let _ = ctx.notify_custom_notification(provider);
}

fn main() {
    let _ = (run_child, notify);
}
