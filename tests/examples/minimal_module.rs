//! A minimal IIS module in Rust: every response says it was powered by Rust. One value of
//! `PoweredBy` per request, called at `RQ_BEGIN_REQUEST`; built as a cdylib, the DLL is what
//! IIS loads (its `RegisterModule` export). Its twin in C++ is
//! `tests/iis_host/modules/minimal_module.cpp`.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};

struct PoweredBy;

#[httpserv::module]
impl HttpModule for PoweredBy {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Result<Notification, HttpError> {
        // `?`: a header IIS refuses fails the request with 500 and the error in its trace.
        ctx.set_response_header("X-Powered-By", "Rust")?;
        Ok(Notification::Continue)
    }
}

httpserv::register_module!(|registration| registration.request_module(|| PoweredBy));
