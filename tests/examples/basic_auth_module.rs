//! Basic authentication in safe Rust: at `RQ_AUTHENTICATE_REQUEST` the module reads
//! `Authorization: Basic …` for URLs under `/private`, checks the name and password against
//! its own table and gives IIS the user (`User`, with its roles), or answers `401` with a
//! challenge. At the handler, `GET /private/whoami` answers who the user is, how it was
//! authenticated and whether it may write — read back from IIS (`IHttpUser`), as any later
//! module would. The table is written into the example; a real module looks users up and
//! compares password hashes in constant time.

use base64::Engine;
use httpserv::module::{HttpContext, HttpError, HttpModule, Notification, User};
use httpserv::IAuthenticationProvider;

struct BasicAuth;

/// Name, password, roles.
const USERS: &[(&str, &str, &[&str])] = &[
    ("alice", "wonderland", &["readers", "writers"]),
    ("bob", "builder", &["readers"]),
];

/// The name and password of an `Authorization: Basic` header, if it has one.
fn credentials(ctx: &HttpContext<'_>) -> Option<(String, String)> {
    let header = ctx.request_header_str("Authorization")?;
    let encoded = header.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (name, password) = decoded.split_once(':')?;
    Some((name.to_string(), password.to_string()))
}

#[httpserv::module]
impl HttpModule for BasicAuth {
    fn on_authenticate_request(
        &mut self,
        ctx: &mut HttpContext<'_>,
        provider: &mut IAuthenticationProvider,
    ) -> Result<Notification, HttpError> {
        if !ctx.path().starts_with("/private") {
            return Ok(Notification::Continue);
        }
        let known = credentials(ctx).and_then(|(name, password)| {
            USERS
                .iter()
                .find(|(known, secret, _)| *known == name && *secret == password)
        });
        match known {
            Some((name, _, roles)) => {
                let user = User::new(name, "Basic")?.with_roles(*roles)?;
                provider.set_user(user.into());
                Ok(Notification::Continue)
            }
            None => {
                ctx.set_response_header("WWW-Authenticate", r#"Basic realm="private""#)?;
                Ok(ctx.respond(401, "text/plain", "who are you?\n"))
            }
        }
    }

    fn on_execute_request_handler(
        &mut self,
        ctx: &mut HttpContext<'_>,
    ) -> Result<Notification, HttpError> {
        if ctx.path() != "/private/whoami" {
            return Ok(Notification::Continue);
        }
        let text = format!(
            "{} ({}) writer {}\n",
            ctx.user_name().unwrap_or_default(),
            ctx.authentication_type().unwrap_or_default(),
            ctx.user_is_in_role("Writers") == Some(true),
        );
        Ok(ctx.respond(200, "text/plain", text))
    }
}

httpserv::register_module!(|registration| registration.request_module(|| BasicAuth));

#[cfg(test)]
mod tests {
    use httpserv::testing::{Request, TestServer};

    fn whoami(authorization: Option<&str>) -> httpserv::testing::Response {
        let server = TestServer::new().load("basic_auth_module", super::RegisterModule);
        let mut request = Request::get("/private/whoami");
        if let Some(authorization) = authorization {
            request = request.header("Authorization", authorization);
        }
        server.request(request)
    }

    #[test]
    fn a_known_user_is_given_to_iis_with_its_roles() {
        // alice:wonderland
        let response = whoami(Some("Basic YWxpY2U6d29uZGVybGFuZA=="));
        assert_eq!(response.status, 200);
        assert_eq!(response.text(), "alice (Basic) writer true\n");
        // bob:builder
        let response = whoami(Some("Basic Ym9iOmJ1aWxkZXI="));
        assert_eq!(response.text(), "bob (Basic) writer false\n");
    }

    #[test]
    fn anyone_else_is_challenged() {
        for authorization in [None, Some("Basic Ym9iOndyb25n"), Some("Bearer x")] {
            let response = whoami(authorization);
            assert_eq!(response.status, 401, "{authorization:?}");
            assert_eq!(
                response.header("WWW-Authenticate"),
                Some(r#"Basic realm="private""#)
            );
            assert_eq!(response.text(), "who are you?\n");
        }
    }
}
