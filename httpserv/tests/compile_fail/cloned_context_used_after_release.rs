// A cloned context is the module's until released, and gone after: `clone_context` hands it
// out in a guard that releases it when dropped, so nothing borrowed from the clone outlives
// the guard, and there is no separate safe release to call while the clone is still in use.
use httpserv::IHttpContext;

fn request_outliving_its_clone(ctx: &mut IHttpContext) -> httpserv::runtime::Result<bool> {
    let request = {
        let clone = ctx.clone_context(0)?;
        clone.request()
    };
    Ok(request.is_some())
}

fn read_after_release(ctx: &mut IHttpContext) -> httpserv::runtime::Result<bool> {
    let clone = ctx.clone_context(0)?;
    clone.release_cloned_context()?;
    Ok(clone.request().is_some())
}

fn main() {
    let _ = (request_outliving_its_clone, read_after_release);
}
