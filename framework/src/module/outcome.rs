//! What a notification method may return. A request notification: a [`Notification`], or a
//! `Result<Notification, E>` with `E: Into<`[`HttpError`]`>`, so that a method can use `?`.
//! An error becomes the response IIS's `SetStatus` with an error would make — the body
//! cleared, the error's status and usual reason phrase, the `HRESULT` (if any) reported to
//! the request's trace — and the request finishes. A global notification: a
//! [`GlobalNotification`], or a `Result<GlobalNotification, E>` with `E: Into<Error>`, whose
//! error is the notification's error status (`IHttpEventProvider::SetErrorStatus`, as
//! [`GlobalContext::set_error_status`](super::GlobalContext::set_error_status) sets it): what
//! IIS makes of it depends on the notification (Microsoft: it "does not directly affect
//! request processing"; a failed application start leaves the application stopped).

use super::{GlobalNotification, HttpContext, Notification};
use crate::runtime::Error;

/// What the framework makes of a notification method's return value
/// ([`Notification`] as it is; `Result<Notification, E>` answers an error response for `Err`).
pub trait IntoNotification {
    /// The notification IIS is answered, after any error response was made on `ctx`.
    fn into_notification(self, ctx: &mut HttpContext<'_>) -> Notification;
}

impl IntoNotification for Notification {
    fn into_notification(self, _: &mut HttpContext<'_>) -> Notification {
        self
    }
}

impl<E: Into<HttpError>> IntoNotification for Result<Notification, E> {
    fn into_notification(self, ctx: &mut HttpContext<'_>) -> Notification {
        match self {
            Ok(notification) => notification,
            Err(error) => ctx.fail_with(&error.into()),
        }
    }
}

/// An error a notification answers with a status: `?` on a framework call's
/// [`Error`](crate::runtime::Error) gives a 500 that reports its `HRESULT`;
/// [`HttpError::status`] any other (a 400 for a request the module refuses, a 413 for a body
/// too large…).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpError {
    status: u16,
    error: Option<Error>,
}

impl HttpError {
    /// An error answered with `status` (a code outside 400–599 is answered 500: this is for
    /// errors).
    pub fn status(status: u16) -> HttpError {
        let status = if (400..=599).contains(&status) {
            status
        } else {
            500
        };
        HttpError {
            status,
            error: None,
        }
    }

    /// The status code the response gets.
    pub fn code(&self) -> u16 {
        self.status
    }

    /// The IIS error behind it, if any (reported to the request's trace).
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }
}

impl From<Error> for HttpError {
    /// A 500 reporting the error.
    fn from(error: Error) -> HttpError {
        HttpError {
            status: 500,
            error: Some(error),
        }
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for HttpError {
    /// A 500 reporting the error: what a [`BodyWriter`](super::BodyWriter) gives back from
    /// IIS (its `HRESULT`), or any other I/O error of the module's.
    fn from(error: std::io::Error) -> HttpError {
        HttpError::from(Error::from(error))
    }
}

#[cfg(feature = "http")]
impl From<http::StatusCode> for HttpError {
    fn from(status: http::StatusCode) -> HttpError {
        HttpError::status(status.as_u16())
    }
}

/// What the framework makes of a global notification method's return value
/// ([`GlobalNotification`] as it is; for `Result<GlobalNotification, E>`, an `Err` sets the
/// notification's error status and the other global modules still see it).
pub trait IntoGlobalNotification {
    /// The notification IIS is answered, or the error to set as its status.
    fn into_global_notification(self) -> Result<GlobalNotification, Error>;
}

impl IntoGlobalNotification for GlobalNotification {
    fn into_global_notification(self) -> Result<GlobalNotification, Error> {
        Ok(self)
    }
}

impl<E: Into<Error>> IntoGlobalNotification for Result<GlobalNotification, E> {
    fn into_global_notification(self) -> Result<GlobalNotification, Error> {
        self.map_err(Into::into)
    }
}
