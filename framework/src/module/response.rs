//! The response side of [`HttpContext`]: status, headers, redirects and body, and the
//! one-call answers (`respond`, `set_response`, `fail`). Every name, value and reason phrase
//! is checked by [`wire`](super::wire) before IIS sees it: IIS sends what it is given, so a
//! CR or LF copied from the request would otherwise split the response.
//!
//! An error status (400 or more) also says whether IIS may replace the response with its own
//! error page ([`CustomErrors`]): what a body-writing answer (`respond`, `set_response`) and a
//! status-only one (`fail`, `fail_with`, `set_status`) choose by default, and why, is on
//! [`CustomErrors`].

use super::context::{wide, with_c_str, with_token, HttpContext};
use super::wire::{self, check, check_header};
use super::{HttpError, Notification};
use crate::runtime::{Error, Result, S_OK};
use alloc::string::String;

/// Whether IIS may replace an error response (status 400 or more) with its own error page:
/// the `fTrySkipCustomErrors` of
/// [`IHttpResponse::SetStatus`](https://learn.microsoft.com/en-us/iis/web-development-reference/native-code-api-reference/ihttpresponse-setstatus-method),
/// read by IIS's
/// [`<httpErrors>`](https://learn.microsoft.com/en-us/iis/configuration/system.webserver/httperrors/)
/// configuration.
///
/// With IIS's default, `existingResponse="Auto"`, IIS leaves an error response untouched only
/// if the module set the flag ([`CustomErrors::TrySkip`]); otherwise the client gets IIS's
/// error page (detailed for a request from the server itself, `errorMode="DetailedLocalOnly"`,
/// a short custom page for anyone else) and the module's body is dropped. `Replace` always
/// replaces and `PassThrough` keeps any response that has a body, whatever the flag: hence
/// "try". An error response with no body gets IIS's page in every mode (with the flag under
/// `Auto`, as users of ASP.NET's `TrySkipIisCustomErrors` report; Microsoft's reference does
/// not say).
///
/// The defaults follow what the call says: [`HttpContext::respond`] and
/// [`HttpContext::set_response`] write a body the module chose, so they ask to keep it
/// (`TrySkip`: a module answering 403 with an explanation means the client to read it);
/// [`HttpContext::fail`], [`HttpContext::fail_with`] and [`HttpContext::set_status`] set a
/// status alone, so IIS's pages apply (`Apply`, IIS's own default: the site's configured
/// pages, and no detail leaked to remote clients). [`HttpContext::set_status_with`] and
/// [`HttpContext::set_response_with`] take the other choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CustomErrors {
    /// IIS's error pages apply (`fTrySkipCustomErrors = FALSE`, IIS's default).
    #[default]
    Apply,
    /// Ask IIS to send the module's response as it is (`fTrySkipCustomErrors = TRUE`); only
    /// `existingResponse="Replace"` overrides it.
    TrySkip,
}

impl CustomErrors {
    fn try_skip(self) -> bool {
        self == CustomErrors::TrySkip
    }
}

impl HttpContext<'_> {
    /// Sets the response status; `reason` is the text after the code (`"Not Found"`).
    /// `E_INVALIDARG`, and nothing set, for a code outside 100–999 or a reason holding
    /// anything but HTAB, SP, visible ASCII and octets from 0x80 (a CR or LF would split the
    /// response). An error status lets IIS's error pages replace the response
    /// ([`CustomErrors::Apply`], as IIS's `SetStatus` defaults); [`Self::set_status_with`]
    /// chooses.
    #[inline]
    pub fn set_status(&mut self, code: u16, reason: &str) -> Result<()> {
        self.set_status_with(code, reason, CustomErrors::Apply)
    }

    /// [`Self::set_status`], saying whether IIS may replace an error response with its own
    /// error page (see [`CustomErrors`]).
    pub fn set_status_with(
        &mut self,
        code: u16,
        reason: &str,
        custom_errors: CustomErrors,
    ) -> Result<()> {
        check(wire::is_status_code(code) && wire::is_reason_phrase(reason.as_bytes()))?;
        let response = self.response_mut();
        with_c_str(reason, |reason| {
            response.set_status_with(code, reason, 0, S_OK, None, custom_errors.try_skip())
        })
    }

    /// The response status code so far. (IIS's `GetStatus` only reads; it is not `const` in
    /// C++, but a shared borrow of the response suffices to call it.)
    pub fn status(&self) -> u16 {
        self.status_and_flag().0
    }

    /// What the last status set asked of IIS's error pages (`GetStatus`'s
    /// `fTrySkipCustomErrors`): see [`CustomErrors`]. [`CustomErrors::Apply`] before any.
    pub fn custom_errors(&self) -> CustomErrors {
        match self.status_and_flag().1 {
            0 => CustomErrors::Apply,
            _ => CustomErrors::TrySkip,
        }
    }

    /// `GetStatus`'s code and `fTrySkipCustomErrors`.
    fn status_and_flag(&self) -> (u16, i32) {
        use core::ptr::null_mut as null;
        let (mut code, mut skip) = (0u16, 0);
        // SAFETY: the out-pointers are live locals and the others are null, which IIS allows
        // (they default to NULL in the header); the response is live for this borrow.
        unsafe {
            self.response().GetStatus(
                &mut code,
                null(),
                null(),
                null(),
                null(),
                null(),
                null(),
                null(),
                &mut skip,
            )
        };
        (code, skip)
    }

    /// A response header by name.
    #[inline]
    pub fn response_header(&self, name: &str) -> Option<&[u8]> {
        let response = self.response();
        with_c_str(name, |name| Ok(response.header(name)))
            .ok()
            .flatten()
    }

    /// Sets (replacing) a response header. `E_INVALIDARG`, and nothing set, if `name` is not
    /// an RFC 9110 token or `value` holds a control character (CR, LF, NUL…; HTAB is
    /// allowed): see [`wire`](super::wire).
    #[inline]
    pub fn set_response_header(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<()> {
        self.put_response_header(name, value.as_ref(), true)
    }

    /// Adds `value` to a response header: IIS appends `", value"` to the header if it is
    /// already set (`SetHeader` with `fReplace = FALSE`), else sets it. Checked as
    /// [`Self::set_response_header`].
    #[inline]
    pub fn append_response_header(&mut self, name: &str, value: impl AsRef<[u8]>) -> Result<()> {
        self.put_response_header(name, value.as_ref(), false)
    }

    fn put_response_header(&mut self, name: &str, value: &[u8], replace: bool) -> Result<()> {
        check(wire::is_field_value(value))?;
        let response = self.response_mut();
        with_token(name, |name| response.set_header(name, value, replace))
    }

    /// Removes a response header (removing one that is not set succeeds).
    #[inline]
    pub fn remove_response_header(&mut self, name: &str) -> Result<()> {
        let response = self.response_mut();
        with_token(name, |name| response.delete_header(name))
    }

    /// Redirects the client to `url` (IIS's `Redirect`: a 302, `Location: url`, the body
    /// cleared; IIS makes a relative `url` absolute within the request's host, so `/next`
    /// goes out as `http://host/next`). `E_INVALIDARG`, and nothing changed, if `url` is
    /// empty or holds whitespace or a control character: encode it (`%20`) first.
    pub fn redirect(&mut self, url: &str) -> Result<()> {
        check(wire::is_redirect_target(url.as_bytes()))?;
        let response = self.response_mut();
        with_c_str(url, |url| response.redirect(url))
    }

    /// [`redirect`](Self::redirect), with the request's query string appended to `url`
    /// (IIS's `fIncludeParameters`): `/old?id=7` redirected to `/new` goes to `/new?id=7`.
    pub fn redirect_keeping_query(&mut self, url: &str) -> Result<()> {
        check(wire::is_redirect_target(url.as_bytes()))?;
        let response = self.response_mut();
        with_c_str(url, |url| response.redirect_with(url, true, true))
    }

    /// Sets the description IIS shows with its detailed error page for this response
    /// (`SetErrorDescription`, with `fHtmlEncode` TRUE: IIS is asked to HTML-encode it).
    /// `E_INVALIDARG`, and nothing set, if `description` holds a NUL: IIS hands the
    /// description back as a NUL-terminated string, which would end there.
    pub fn set_error_description(&mut self, description: &str) -> Result<()> {
        let description = wide(description)?;
        self.response_mut()
            .set_error_description_with(description.as_slice(), true)
    }

    /// The error description set so far (by any module), if any; invalid UTF-16 replaced.
    pub fn error_description(&mut self) -> Option<String> {
        self.response_mut()
            .error_description()
            .map(String::from_utf16_lossy)
    }

    /// Appends `bytes` to the response body (IIS copies them; the response is sent when the
    /// request finishes, or when the module flushes it: [`Self::flush`]).
    pub fn write(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let chunk = crate::runtime::DataChunk::from_memory(bytes);
        self.response_mut()
            .write_entity_chunks(core::slice::from_ref(&chunk), true)
            .map(drop)
    }

    /// Answers the request: [`Self::set_response`], then [`Notification::FinishRequest`]. If
    /// IIS refuses any of it (or `content_type` is not a valid header value), the answer is a
    /// 500 and the failure goes to the request's trace. An error status keeps `body`
    /// ([`CustomErrors::TrySkip`]) where IIS's configuration allows: see [`CustomErrors`].
    pub fn respond(
        &mut self,
        status: u16,
        content_type: &str,
        body: impl AsRef<[u8]>,
    ) -> Notification {
        if let Err(error) = self.set_response(status, content_type, body) {
            return self.fail(&error);
        }
        Notification::FinishRequest
    }

    /// Makes the response `status` (with its usual reason phrase), `Content-Type` and
    /// `body`, replacing the body so far (headers other modules set stay). Checked as
    /// [`Self::set_status`] and [`Self::set_response_header`] before anything changes. An
    /// error status asks IIS to keep `body` ([`CustomErrors::TrySkip`]): the module wrote it
    /// for the client; [`Self::set_response_with`] lets IIS's error pages apply instead.
    pub fn set_response(
        &mut self,
        status: u16,
        content_type: &str,
        body: impl AsRef<[u8]>,
    ) -> Result<()> {
        self.set_response_with(status, content_type, body, CustomErrors::TrySkip)
    }

    /// [`Self::set_response`], saying whether IIS may replace an error response with its own
    /// error page (see [`CustomErrors`]).
    pub fn set_response_with(
        &mut self,
        status: u16,
        content_type: &str,
        body: impl AsRef<[u8]>,
        custom_errors: CustomErrors,
    ) -> Result<()> {
        check(wire::is_status_code(status))?;
        check_header("Content-Type", content_type.as_bytes())?;
        self.response_mut().clear();
        self.set_status_with(status, reason_phrase(status), custom_errors)?;
        self.set_response_header("Content-Type", content_type)?;
        self.write(body.as_ref())
    }

    /// Answers 500 and writes `error` to the request's trace (Failed Request Tracing shows
    /// it); returns [`Notification::FinishRequest`]. The body is empty: IIS's error page
    /// answers (see [`CustomErrors`]).
    pub fn fail(&mut self, error: &Error) -> Notification {
        self.fail_with(&HttpError::from(error.clone()))
    }

    /// Answers `error`'s status (the body cleared, the usual reason phrase) and writes its
    /// `HRESULT`, if any, to the request's trace; returns [`Notification::FinishRequest`].
    /// What a notification returning `Err` gets. The status is set with
    /// [`CustomErrors::Apply`] and no body, so the client gets IIS's error page for it
    /// (detailed for a local client by default), as for any error IIS itself raises.
    pub fn fail_with(&mut self, error: &HttpError) -> Notification {
        let status = error.code();
        let response = self.response_mut();
        response.clear();
        let reason = reason_phrase(status);
        if with_c_str(reason, |reason| response.set_status(status, reason)).is_err() {
            let _ = response.set_status(500, c"Internal Server Error");
        }
        let code = error.error().map(Error::code);
        if let (Some(code), Some(trace)) = (code, self.iis_mut().trace_context_mut()) {
            // Best effort: the error response stands whether or not the trace takes it.
            let _ = trace.quick_trace_with(
                crate::runtime::u16cstr!("httpserv: a request failed"),
                None,
                code,
                2, // TRACE_LEVEL_ERROR
            );
        }
        Notification::FinishRequest
    }
}

/// The reason phrase of a status code (RFC 9110's), `""` for codes it does not name.
pub fn reason_phrase(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        206 => "Partial Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
