//! The catalogue of what each example served on its own must answer under the IIS host of
//! `tests/iis_host` (`tests/tests/iis_host.rs` serves them): for each, requests (path, curl
//! arguments) with their status, body and one header, as its own tests expect of the test
//! server. An example without an entry fails the suite, so a new one is never served unchecked.

use httpserv_tests::pages::{BAD_REQUEST, HTML, NOT_FOUND, PANIC, REFUSED_START};

/// What an example served on its own must answer under the host (one without a C++ twin,
/// or a twin pair `iis_host.rs` does not serve with its script): requests (path, curl
/// arguments) with their status, body and a header (`{port}` in its value: the host's port),
/// as its own tests expect of the test server.
pub type Expectation = (
    &'static str,
    &'static [&'static str],
    u16,
    &'static str,
    (&'static str, &'static str),
);

const TEXT: (&str, &str) = ("Content-Type", "text/plain");

pub fn expectations(example: &str) -> &'static [Expectation] {
    match example {
        // A twin: its Rust and C++ DLLs each, which must also answer alike (`serve_twins`).
        "echo_module" => &[
            ("/echo", &["-d", "ping pong"], 200, "ping pong", TEXT),
            ("/echo", &["-d", ""], 200, "", TEXT),
            ("/hello", &[], 200, "Hello World!\n", TEXT),
            ("/hello", &["-d", "x"], 200, "Hello World!\n", TEXT),
            ("/echo", &[], 404, NOT_FOUND, HTML),
        ],
        "route_module" => &[
            (
                "/hello?name=wine",
                &[],
                200,
                "Hello, wine!\n",
                ("Content-Type", "text/plain; charset=utf-8"),
            ),
            (
                "/hello",
                &["-d", "x"],
                405,
                "only GET here\n",
                ("Allow", "GET"),
            ),
            ("/elsewhere", &[], 404, NOT_FOUND, HTML),
        ],
        "request_id_module" => &[
            ("/", &[], 404, NOT_FOUND, ("X-Request-Id", "1")),
            (
                "/",
                &["-H", "X-Request-Id: abc-7"],
                404,
                NOT_FOUND,
                ("X-Request-Id", "abc-7"),
            ),
            ("/", &[], 404, NOT_FOUND, ("X-Request-Id", "2")),
        ],
        // ReportEventW under wine: its eventlog debug channel; the request goes on.
        "log_module" => &[
            ("/first", &[], 404, NOT_FOUND, HTML),
            ("/background", &[], 200, "logged in the background\n", TEXT),
        ],
        // Flushed in parts: the host sends them at the end (wine cannot send parts), with
        // the head the first flush fixed: the status set after it is not the one sent.
        "stream_module" => &[
            (
                "/count?to=3",
                &[],
                200,
                "1\n2\n3\ndone\nheaders sent\n",
                TEXT,
            ),
            (
                "/count?to=1",
                &["--http1.0"],
                200,
                "1\ndone\nheaders sent\n",
                ("Connection", "close"),
            ),
            (
                "/sized",
                &[],
                200,
                "first half, second half\n",
                ("Content-Length", "24"),
            ),
        ],
        "state_module" => &[(
            "/private/data",
            &["-d", "x"],
            403,
            "private\n",
            ("Content-Type", "text/plain"),
        )],
        "async_module" => &[(
            "/slow?ms=20",
            &[],
            200,
            "waited 20 ms\n",
            ("Content-Type", "text/plain"),
        )],
        // The user given to IIS is read back through IHttpContext::GetUser.
        "basic_auth_module" => &[
            (
                "/private/whoami",
                &["-u", "alice:wonderland"],
                200,
                "alice (Basic) writer true\n",
                TEXT,
            ),
            (
                "/private/whoami",
                &["-u", "bob:builder"],
                200,
                "bob (Basic) writer false\n",
                TEXT,
            ),
            (
                "/private/whoami",
                &["-u", "bob:wrong"],
                401,
                "who are you?\n",
                ("WWW-Authenticate", r#"Basic realm="private""#),
            ),
        ],
        // curl sends the path as given (`--path-as-is`); the host cooks it as http.sys does.
        "inspect_module" => &[
            (
                "/files/a%20b/../c%2Etxt?name=J%C3%B6rg+M&tag=x&tag=y%26z",
                &["--path-as-is"],
                200,
                "path /files/c.txt\n\
                 raw /files/a%20b/../c%2Etxt?name=J%C3%B6rg+M&tag=x&tag=y%26z\n\
                 name J\u{f6}rg M\n\
                 tags x,y&z\n",
                ("Content-Type", "text/plain; charset=utf-8"),
            ),
            (
                "/files/./%E9t%E9\\x",
                &["--path-as-is"],
                200,
                "path /files/\u{e9}t\u{e9}/x\nraw /files/./%E9t%E9\\x\nname \ntags \n",
                ("Content-Type", "text/plain; charset=utf-8"),
            ),
            (
                "/search?q=iis+modules&page=2",
                &[],
                200,
                "iis modules page 2\n",
                ("Content-Type", "text/plain; charset=utf-8"),
            ),
            (
                "/moved?from=old",
                &[],
                302,
                "",
                ("Location", "http://127.0.0.1:{port}/files/here?from=old"),
            ),
            (
                "/signed",
                &["-d", "payload"],
                200,
                "signed: inspect_module\npayload",
                ("Content-Type", "text/plain; charset=utf-8"),
            ),
            (
                "/headers",
                &[
                    "-H",
                    "X-Trace: t1",
                    "-H",
                    "Accept: */*",
                    "-H",
                    "User-Agent:",
                ],
                200,
                "Accept: */*\nX-Trace: t1\n",
                ("Content-Type", "text/plain; charset=utf-8"),
            ),
            ("/search?q=rust&page=two", &[], 400, BAD_REQUEST, HTML),
        ],
        // A twin: RQ_MAP_PATH maps /docs/ elsewhere, before the handler is chosen. Nothing
        // reads a body or raises a custom notification here (the example's tests do, with
        // other modules, in the test server).
        "events_module" => &[
            (
                "/docs/guide/intro.html",
                &[],
                200,
                "D:\\manuals\\guide\\intro.html\n",
                TEXT,
            ),
            ("/where/a.txt", &[], 404, NOT_FOUND, HTML),
        ],
        "where_module" => &[(
            "/where/a.txt",
            &[],
            200,
            "site 1 Default Web Site\n\
             config MACHINE/WEBROOT/APPHOST/Default Web Site\n\
             file C:\\inetpub\\wwwroot\\where\\a.txt\n\
             connected true after 1 requests\n\
             user none\n\
             handler StaticFile\n",
            ("Content-Type", "text/plain"),
        )],
        // Its header's value is a measured time; the module loading and the pipeline running
        // through it is what counts here.
        // A health check turns the module's later notifications off; a HEAD request gets
        // the headers of the 404 and no body.
        "timing_module" => &[
            ("/", &[], 404, NOT_FOUND, HTML),
            ("/health", &[], 404, NOT_FOUND, HTML),
            ("/", &["-I"], 404, "", HTML),
        ],
        "worker_module" => &[
            (
                "/report",
                &[],
                200,
                "line 1\nline 2\nline 3\n",
                ("Content-Type", "text/plain"),
            ),
            ("/report?skip", &[], 404, NOT_FOUND, HTML),
        ],
        "divide_module" => &[
            (
                "/divide?a=7&b=2",
                &[],
                200,
                "3\n",
                ("Content-Type", "text/plain"),
            ),
            ("/divide?a=1&b=0", &[], 500, PANIC, HTML),
        ],
        // The application starts on the first request and counts from there; the second
        // host's application counts from zero again (`serve_rust_only`).
        "hits_module" => &[
            ("/a", &[], 404, NOT_FOUND, HTML),
            (
                "/hits",
                &[],
                200,
                "requests: 2\n",
                ("Content-Type", "text/plain"),
            ),
        ],
        // It refuses the first start: that request is answered 500 without its pipeline, the
        // next one starts the application (tests/global_notifications.rs has the rest).
        "notifications_module" => &[
            ("/notifications", &[], 500, REFUSED_START, HTML),
            (
                "/notifications",
                &[],
                200,
                "start refused\nstart /LM/W3SVC/1/ROOT C:\\inetpub\\wwwroot \
                 MACHINE/WEBROOT/APPHOST/Default Web Site stored true\nresolve modules Some(0)\n",
                ("Content-Type", "text/plain"),
            ),
        ],
        other => panic!("{other}: an example served on its own needs its expectations here"),
    }
}
