//! `<httpErrors>` under the IIS host (`--existing-response`, `--error-mode`; the host's
//! `errors.cpp`): `route_module` served with IIS's other settings answers as the test server
//! does under the same settings. Its 405 (`respond`, which sets `fTrySkipCustomErrors`) is
//! replaced by IIS's detailed page under `Replace` and kept under `PassThrough`; the 404 no
//! module answered is IIS's custom page under `errorMode="Custom"`. The defaults (`Auto`,
//! `DetailedLocalOnly`) are `expectations.rs`'s.

use super::harness::{curl, Build, HostProcess, Tools};
use httpserv::testing::{custom_page, detailed_page};
use std::path::Path;

/// Serves `route_module` once per setting on `port`, `port + 1`, and checks each answer.
pub fn serve_http_errors(tools: &Tools, build: &Build, out: &Path, port: impl Fn(u16) -> u16) {
    let module = super::harness::only(&build.rust_only, &["route_module"]).remove(0);
    let replaced = detailed_page(405, 0, "Method Not Allowed", 0, None);
    let cases: [(&[&str], String, String); 2] = [
        (
            &["--existing-response", "Replace"],
            replaced,
            detailed_page(404, 0, "Not Found", 0, None),
        ),
        (
            &[
                "--existing-response",
                "PassThrough",
                "--error-mode",
                "Custom",
            ],
            "only GET here\n".to_string(),
            custom_page(404, "Not Found"),
        ),
    ];
    for (index, (args, refused, missing)) in cases.into_iter().enumerate() {
        let port = port(index as u16);
        let label = format!("route_module-http-errors-{index}");
        let host = HostProcess::start(
            tools,
            build,
            out,
            &label,
            std::slice::from_ref(&module),
            port,
            args,
        );
        let post = curl(tools, port, "/hello", &["-d", "x"]);
        let elsewhere = curl(tools, port, "/elsewhere", &[]);
        let hello = curl(tools, port, "/hello?name=wine", &[]);
        let stopped = host.stop();
        let what = format!("{args:?}: {}", stopped.stdout);
        assert_eq!((post.status, &post.body), (405, &refused), "{what}");
        assert_eq!(post.header("Allow"), Some("GET"), "{what}");
        assert_eq!(
            (elsewhere.status, &elsewhere.body),
            (404, &missing),
            "{what}"
        );
        assert_eq!(
            elsewhere.header("Content-Type"),
            Some("text/html"),
            "{what}"
        );
        assert_eq!(
            (hello.status, hello.body.as_str()),
            (200, "Hello, wine!\n"),
            "{what}"
        );
    }
}
