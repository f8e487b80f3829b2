//! The request's URL as IIS gives it to a module: the path decoded and resolved ("cooked"
//! by http.sys: `/a%20b/../c` is `/c`, the `URL` server variable), the URL as the client sent
//! it (`UNENCODED_URL`), and the query string — raw, by decoded name and value
//! (`application/x-www-form-urlencoded` rules, read with the `form_urlencoded` crate), or
//! deserialized into the module's own type (feature `serde`); with feature `http`, the URL
//! and method as the `http` crate's `Uri` and `Method`.

use super::HttpContext;
use alloc::borrow::Cow;

impl<'a> HttpContext<'a> {
    /// The URL's path, decoded and resolved as IIS has it (the `URL` server variable, which
    /// holds http.sys's cooked path): `%XX` escapes decoded (`%2F` too), `\` read as `/`,
    /// `.` and `..` segments removed. `GET /a%20b/./c` gives `/a b/c`. Route on this, as
    /// IIS's own handlers and `<location>` paths do; the URL as sent is
    /// [`raw_url`](Self::raw_url).
    #[inline]
    pub fn path(&self) -> &str {
        self.server_variable("URL").unwrap_or("")
    }

    /// The URL as the client sent it, path and query, nothing decoded (the `UNENCODED_URL`
    /// server variable): `/a%20b/./c?x=1`; `""` if it is not UTF-8.
    #[inline]
    pub fn raw_url(&self) -> &str {
        self.server_variable("UNENCODED_URL").unwrap_or("")
    }

    /// The query string without its `?`, as sent (the `QUERY_STRING` server variable).
    #[inline]
    pub fn query(&self) -> &str {
        self.server_variable("QUERY_STRING").unwrap_or("")
    }

    /// The first value of `key` in the query string, decoded (`q=a%20b+c` gives `a b c` for
    /// `q`); `Some("")` for a key without `=`; `None` if the key is absent.
    pub fn query_value(&self, key: &str) -> Option<Cow<'_, str>> {
        self.query_pairs()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value)
    }

    /// The first value of `key` in the query string as the client sent it, not decoded
    /// (`q=a%20b` gives `a%20b`); names are compared as sent too.
    pub fn raw_query_value(&self, key: &str) -> Option<&str> {
        // Split by byte, not by `char` pattern: queries are short, and this runs per request.
        let mut rest = self.query();
        loop {
            let (pair, next) = match rest.bytes().position(|b| b == b'&') {
                Some(at) => (&rest[..at], Some(&rest[at + 1..])),
                None => (rest, None),
            };
            let (name, value) = match pair.bytes().position(|b| b == b'=') {
                Some(at) => (&pair[..at], &pair[at + 1..]),
                None => (pair, ""),
            };
            if name == key {
                return Some(value);
            }
            rest = next?;
        }
    }

    /// Every name and value of the query string, in order, decoded (a name may repeat).
    pub fn query_pairs(&self) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> + '_ {
        form_urlencoded::parse(self.query().as_bytes())
    }

    /// The URL as the client sent it, as an `http::Uri` (path and query); `None` if the
    /// `http` crate refuses it (it takes fewer bytes than IIS lets through).
    #[cfg(feature = "http")]
    pub fn uri(&self) -> Option<http::Uri> {
        http::Uri::try_from(self.raw_url()).ok()
    }

    /// The HTTP method as an `http::Method` (`Method::GET`; an extension method such as
    /// `PURGE` as it is); `None` if IIS has none.
    #[cfg(feature = "http")]
    pub fn http_method(&self) -> Option<http::Method> {
        http::Method::from_bytes(self.method().as_bytes()).ok()
    }

    /// The query string deserialized into `T` (a `#[derive(Deserialize)]` struct whose
    /// fields are the query's names), with the `serde_urlencoded` crate. A query that does
    /// not fit is a [`QueryError`], which `?` in a notification answers `400 Bad Request`.
    #[cfg(feature = "serde")]
    pub fn query_as<T: serde::de::DeserializeOwned>(&self) -> Result<T, QueryError> {
        serde_urlencoded::from_str(self.query()).map_err(|error| QueryError {
            message: alloc::string::ToString::to_string(&error),
        })
    }
}

/// Why a query string did not deserialize into the module's type
/// ([`HttpContext::query_as`]); in a notification, `?` answers it `400 Bad Request`.
#[cfg(feature = "serde")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    message: alloc::string::String,
}

#[cfg(feature = "serde")]
impl core::fmt::Display for QueryError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "the query string does not fit: {}", self.message)
    }
}

#[cfg(feature = "serde")]
impl std::error::Error for QueryError {}

#[cfg(feature = "serde")]
impl From<QueryError> for super::HttpError {
    /// A query the module cannot read is the client's error: `400 Bad Request`.
    fn from(_: QueryError) -> super::HttpError {
        super::HttpError::status(400)
    }
}
