//! IIS's detailed error pages the example modules' error answers get in both hosts (the test
//! server's `httpserv::testing::detailed_page`, the C++ host's `errors.cpp`), as constants for
//! the tables of expected answers (`tests/iis_host/expectations.rs`, `tests/tests/iis_host.rs`,
//! `tests/tests/test_server.rs`); a test holds each to `detailed_page`.

/// The `Content-Type` of IIS's error pages.
pub const HTML: (&str, &str) = ("Content-Type", "text/html");

/// IIS's 404 (no module answered: its static file handler's).
pub const NOT_FOUND: &str = "<!DOCTYPE html>\n\
     <html>\n\
     <head><title>IIS Detailed Error - 404.0 - Not Found</title></head>\n\
     <body>\n\
     <div id=\"header\"><h1>Server Error</h1></div>\n\
     <div id=\"content\">\n\
     <h3>HTTP Error 404.0 - Not Found</h3>\n\
     <fieldset><h4>Detailed Error Information:</h4>\n\
     <table>\n\
     <tr><th>Error Code</th><td>0x00000000</td></tr>\n\
     </table></fieldset>\n\
     </div>\n\
     </body>\n\
     </html>\n";

/// A 400 a module answered with an error (`?` on a query that does not fit).
pub const BAD_REQUEST: &str = "<!DOCTYPE html>\n\
     <html>\n\
     <head><title>IIS Detailed Error - 400.0 - Bad Request</title></head>\n\
     <body>\n\
     <div id=\"header\"><h1>Server Error</h1></div>\n\
     <div id=\"content\">\n\
     <h3>HTTP Error 400.0 - Bad Request</h3>\n\
     <fieldset><h4>Detailed Error Information:</h4>\n\
     <table>\n\
     <tr><th>Error Code</th><td>0x00000000</td></tr>\n\
     </table></fieldset>\n\
     </div>\n\
     </body>\n\
     </html>\n";

/// A 500 a module set with no error code (`fail`, `fail_with`).
pub const INTERNAL_ERROR: &str = "<!DOCTYPE html>\n\
     <html>\n\
     <head><title>IIS Detailed Error - 500.0 - Internal Server Error</title></head>\n\
     <body>\n\
     <div id=\"header\"><h1>Server Error</h1></div>\n\
     <div id=\"content\">\n\
     <h3>HTTP Error 500.0 - Internal Server Error</h3>\n\
     <fieldset><h4>Detailed Error Information:</h4>\n\
     <table>\n\
     <tr><th>Error Code</th><td>0x00000000</td></tr>\n\
     </table></fieldset>\n\
     </div>\n\
     </body>\n\
     </html>\n";

/// A panic's 500 (`E_FAIL`, as the framework's guard sets it).
pub const PANIC: &str = "<!DOCTYPE html>\n\
     <html>\n\
     <head><title>IIS Detailed Error - 500.0 - Internal Server Error</title></head>\n\
     <body>\n\
     <div id=\"header\"><h1>Server Error</h1></div>\n\
     <div id=\"content\">\n\
     <h3>HTTP Error 500.0 - Internal Server Error</h3>\n\
     <fieldset><h4>Detailed Error Information:</h4>\n\
     <table>\n\
     <tr><th>Error Code</th><td>0x80004005</td></tr>\n\
     </table></fieldset>\n\
     </div>\n\
     </body>\n\
     </html>\n";

/// The 500 of a request whose application start a global module refused with `E_ACCESSDENIED`.
pub const REFUSED_START: &str = "<!DOCTYPE html>\n\
     <html>\n\
     <head><title>IIS Detailed Error - 500.0 - Internal Server Error</title></head>\n\
     <body>\n\
     <div id=\"header\"><h1>Server Error</h1></div>\n\
     <div id=\"content\">\n\
     <h3>HTTP Error 500.0 - Internal Server Error</h3>\n\
     <fieldset><h4>Detailed Error Information:</h4>\n\
     <table>\n\
     <tr><th>Error Code</th><td>0x80070005</td></tr>\n\
     </table></fieldset>\n\
     </div>\n\
     </body>\n\
     </html>\n";

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
