//! IIS's `<httpErrors>` as the test server applies it to an error response (status 400 or
//! more) before RQ_SEND_RESPONSE: whether IIS replaces what the modules built
//! (`existingResponse` and the module's `fTrySkipCustomErrors`), and with which page
//! (`errorMode`, the client local or not). The C++ host of `tests/iis_host` writes the same
//! pages byte for byte (`tests/iis_host/host/errors.cpp`). Facts from Microsoft's reference:
//! <https://learn.microsoft.com/en-us/iis/configuration/system.webserver/httperrors/>.

use alloc::format;
use alloc::string::String;

/// `errorMode`: which page IIS sends when it replaces an error response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ErrorMode {
    /// IIS's default: the detailed page for a request from the server itself (a loopback
    /// remote address: every [`Request`](crate::Request) unless
    /// [`Request::remote`](crate::Request::remote) says otherwise), the custom page for
    /// anyone else.
    #[default]
    DetailedLocalOnly,
    /// The custom page for every client.
    Custom,
    /// The detailed page for every client.
    Detailed,
}

/// `existingResponse`: what happens to the response a module built with an error status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ExistingResponse {
    /// IIS's default: the response stays if the module set `fTrySkipCustomErrors` (and wrote
    /// a body); otherwise IIS's page replaces it.
    #[default]
    Auto,
    /// IIS's page replaces every error response, whatever the flag.
    Replace,
    /// A response with a body stays, whatever the flag; one without gets IIS's page.
    PassThrough,
}

/// A site's `<httpErrors errorMode existingResponse>`, set with
/// [`TestServer::http_errors`](crate::TestServer::http_errors).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct HttpErrors {
    pub error_mode: ErrorMode,
    pub existing_response: ExistingResponse,
}

/// What [`HttpErrors::page`] shows of an error response.
pub(crate) struct ErrorStatus<'a> {
    pub status: u16,
    pub sub_status: u16,
    pub reason: &'a [u8],
    /// `SetStatus`'s `hrErrorToReport`, as an unsigned 32-bit value.
    pub error_code: u32,
    pub description: Option<String>,
}

impl HttpErrors {
    /// IIS's defaults: `errorMode="DetailedLocalOnly" existingResponse="Auto"`.
    pub const IIS_DEFAULT: HttpErrors = HttpErrors {
        error_mode: ErrorMode::DetailedLocalOnly,
        existing_response: ExistingResponse::Auto,
    };

    /// Whether IIS replaces a response of `status` with its error page. Below 400, never.
    /// `Auto` keeps a response only if the module asked (`try_skip`) and wrote a body: an
    /// empty error response gets IIS's page even with the flag, as users of
    /// `TrySkipIisCustomErrors` report (Microsoft's reference says only "leaves the response
    /// untouched only if the SetStatus flag is set").
    pub fn replaces(self, status: u16, try_skip: bool, has_body: bool) -> bool {
        if status < 400 {
            return false;
        }
        match self.existing_response {
            ExistingResponse::Auto => !(try_skip && has_body),
            ExistingResponse::Replace => true,
            ExistingResponse::PassThrough => !has_body,
        }
    }

    /// The page IIS sends instead, for a client that is `local` or not.
    pub(crate) fn page(self, error: &ErrorStatus<'_>, local: bool) -> String {
        let detailed = match self.error_mode {
            ErrorMode::DetailedLocalOnly => local,
            ErrorMode::Custom => false,
            ErrorMode::Detailed => true,
        };
        let reason = String::from_utf8_lossy(error.reason);
        if detailed {
            detailed_page(
                error.status,
                error.sub_status,
                &reason,
                error.error_code,
                error.description.as_deref(),
            )
        } else {
            custom_page(error.status, &reason)
        }
    }
}

/// IIS's detailed error page, shortened: the title, heading and "Detailed Error
/// Information" of IIS's own (`HTTP Error 404.0 - Not Found`), the error description a module
/// set (`SetErrorDescription`), the error code (`SetStatus`'s `hrErrorToReport`, `0x%08x`).
/// IIS's page adds the module, notification, handler, URL, physical path, logon user and
/// "most likely causes". Text is HTML-encoded.
pub fn detailed_page(
    status: u16,
    sub_status: u16,
    reason: &str,
    error_code: u32,
    description: Option<&str>,
) -> String {
    let reason = html(reason);
    let description = description.map_or(String::new(), |d| format!("<h4>{}</h4>\n", html(d)));
    format!(
        "<!DOCTYPE html>\n<html>\n<head><title>IIS Detailed Error - {status}.{sub_status} - \
         {reason}</title></head>\n<body>\n<div id=\"header\"><h1>Server Error</h1></div>\n\
         <div id=\"content\">\n<h3>HTTP Error {status}.{sub_status} - {reason}</h3>\n\
         {description}<fieldset><h4>Detailed Error Information:</h4>\n<table>\n\
         <tr><th>Error Code</th><td>0x{error_code:08x}</td></tr>\n</table></fieldset>\n\
         </div>\n</body>\n</html>\n"
    )
}

/// IIS's custom error page, shortened: IIS sends the file its `<error>` entry names
/// (`%SystemDrive%\inetpub\custerr\<language>\404.htm`, "404 - File or directory not
/// found."); this page has the same frame with the status line's reason instead.
pub fn custom_page(status: u16, reason: &str) -> String {
    let reason = html(reason);
    format!(
        "<!DOCTYPE html>\n<html>\n<head><title>{status} - {reason}</title></head>\n<body>\n\
         <div id=\"header\"><h1>Server Error</h1></div>\n<div id=\"content\">\n\
         <fieldset><h2>{status} - {reason}</h2></fieldset>\n</div>\n</body>\n</html>\n"
    )
}

/// `text` HTML-encoded: `&`, `<`, `>`, `"` and `'` as entities.
fn html(text: &str) -> String {
    let mut encoded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => encoded.push_str("&amp;"),
            '<' => encoded.push_str("&lt;"),
            '>' => encoded.push_str("&gt;"),
            '"' => encoded.push_str("&quot;"),
            '\'' => encoded.push_str("&#39;"),
            c => encoded.push(c),
        }
    }
    encoded
}
