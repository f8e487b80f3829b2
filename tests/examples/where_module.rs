//! Where a request runs and who sent it, read in safe Rust: `GET /where` answers the site's
//! id and name, the URL's configuration path and the physical path it maps to, whether the
//! client is still connected, how many requests its connection has carried (state kept on
//! the connection), the user (none: no authentication module set one) and the handler IIS
//! mapped — what `IHttpSite`, `IMetadataInfo`, `IHttpContext::GetPhysicalPath`,
//! `IHttpConnection`, `IHttpUser` and `IScriptMapInfo` say, with IIS's own names in a default
//! installation.

use httpserv::module::{HttpContext, HttpError, HttpModule, Notification};
use std::sync::atomic::{AtomicU32, Ordering};

struct Where;

/// The requests of one connection (a client's keep-alive requests share it).
struct Requests(AtomicU32);

#[httpserv::module]
impl HttpModule for Where {
    fn on_begin_request(&mut self, ctx: &mut HttpContext<'_>) -> Result<Notification, HttpError> {
        match ctx.connection_state::<Requests>() {
            Some(requests) => {
                requests.0.fetch_add(1, Ordering::Relaxed);
            }
            None => {
                ctx.set_connection_state(Requests(AtomicU32::new(1)))?;
            }
        }
        Ok(Notification::Continue)
    }

    fn on_execute_request_handler(&mut self, ctx: &mut HttpContext<'_>) -> Notification {
        if !ctx.path().starts_with("/where") {
            return Notification::Continue;
        }
        let unknown = || "?".to_string();
        let text = format!(
            "site {} {}\nconfig {}\nfile {}\nconnected {} after {} requests\nuser {}\nhandler {}\n",
            ctx.site_id().map_or_else(unknown, |id| id.to_string()),
            ctx.site_name().unwrap_or_else(unknown),
            ctx.config_path().unwrap_or_else(unknown),
            ctx.physical_path().unwrap_or_else(unknown),
            ctx.is_client_connected(),
            ctx.connection_state::<Requests>()
                .map_or(0, |requests| requests.0.load(Ordering::Relaxed)),
            ctx.user_name().unwrap_or_else(|| "none".into()),
            ctx.handler_name().unwrap_or_else(unknown),
        );
        ctx.respond(200, "text/plain", text)
    }
}

httpserv::register_module!(|registration| registration.request_module(|| Where));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    #[test]
    fn where_says_site_configuration_file_connection_and_user() {
        let server = TestServer::new().load("where_module", super::RegisterModule);
        let response = server.request(Request::get("/where/a.txt"));
        assert_eq!(response.status, 200);
        // A default IIS installation's names, as the test server and the IIS host answer.
        assert_eq!(
            response.text(),
            "site 1 Default Web Site\n\
             config MACHINE/WEBROOT/APPHOST/Default Web Site\n\
             file C:\\inetpub\\wwwroot\\where\\a.txt\n\
             connected true after 1 requests\n\
             user none\n\
             handler StaticFile\n"
        );
    }
}
