//! IIS's detailed error pages the example modules' error answers get in both hosts (the test
//! server's `httpserv::testing::detailed_page`, the C++ host's `errors.cpp`), as constants for
//! the tables of expected answers (`tests/iis_host/expectations.rs`, `tests/tests/iis_host.rs`,
//! `tests/tests/test_server.rs`); a test holds each to `detailed_page`.

/// IIS's detailed error page for `status`.0 with `reason` and the error code `code` (the
/// test server's `detailed_page` without a description), spelled out so that a test can hold
/// the two against each other.
macro_rules! detailed_page {
    ($status:literal, $reason:literal, $code:literal) => {
        concat!(
            "<!DOCTYPE html>\n",
            "<html>\n",
            "<head><title>IIS Detailed Error - ",
            $status,
            ".0 - ",
            $reason,
            "</title></head>\n",
            "<body>\n",
            "<div id=\"header\"><h1>Server Error</h1></div>\n",
            "<div id=\"content\">\n",
            "<h3>HTTP Error ",
            $status,
            ".0 - ",
            $reason,
            "</h3>\n",
            "<fieldset><h4>Detailed Error Information:</h4>\n",
            "<table>\n",
            "<tr><th>Error Code</th><td>",
            $code,
            "</td></tr>\n",
            "</table></fieldset>\n",
            "</div>\n",
            "</body>\n",
            "</html>\n",
        )
    };
}

/// The `Content-Type` of IIS's error pages.
pub const HTML: (&str, &str) = ("Content-Type", "text/html");

/// IIS's 404 (no module answered: its static file handler's).
pub const NOT_FOUND: &str = detailed_page!("404", "Not Found", "0x00000000");

/// A 400 a module answered with an error (`?` on a query that does not fit).
pub const BAD_REQUEST: &str = detailed_page!("400", "Bad Request", "0x00000000");

/// A 500 a module set with no error code (`fail`, `fail_with`).
pub const INTERNAL_ERROR: &str = detailed_page!("500", "Internal Server Error", "0x00000000");

/// A panic's 500 (`E_FAIL`, as the framework's guard sets it).
pub const PANIC: &str = detailed_page!("500", "Internal Server Error", "0x80004005");

/// The 500 of a request whose application start a global module refused with `E_ACCESSDENIED`.
pub const REFUSED_START: &str = detailed_page!("500", "Internal Server Error", "0x80070005");

#[cfg(test)]
mod tests {
    use super::*;
    use httpserv::testing::detailed_page;

    #[test]
    fn each_page_is_the_test_servers() {
        for (page, expected) in [
            (NOT_FOUND, detailed_page(404, 0, "Not Found", 0, None)),
            (BAD_REQUEST, detailed_page(400, 0, "Bad Request", 0, None)),
            (
                INTERNAL_ERROR,
                detailed_page(500, 0, "Internal Server Error", 0, None),
            ),
            (
                PANIC,
                detailed_page(500, 0, "Internal Server Error", 0x8000_4005, None),
            ),
            (
                REFUSED_START,
                detailed_page(500, 0, "Internal Server Error", 0x8007_0005, None),
            ),
        ] {
            assert_eq!(page, expected);
        }
    }
}
