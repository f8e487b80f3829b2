//! The README's "Testing your module": the README's minimal module (`minimal_module.rs`)
//! tested with `httpserv::testing`, the in-process IIS. Compiled and run by
//! `tests/tests/test_server.rs`; in a module's own crate the test sits next to the module.

use httpserv::testing::{Request, TestServer};

#[path = "minimal_module.rs"]
mod minimal_module;

#[test]
fn every_response_is_powered_by_rust() {
    let server = TestServer::new().load("minimal_module", minimal_module::RegisterModule);

    let response = server.request(Request::get("/hello?name=you").header("Accept", "*/*"));

    assert_eq!(response.header("X-Powered-By"), Some("Rust"));
    // No module answered the request: IIS's static file handler finds no file.
    assert_eq!(
        (response.status, response.text()),
        (404, "404 Not Found\n".into())
    );
    assert_eq!(
        response.trace,
        ["notify BEGIN_REQUEST minimal_module", "send", "done"]
    );
}
