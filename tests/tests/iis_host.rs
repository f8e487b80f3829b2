//! The end-to-end proof: the example modules as real DLLs, loaded by the IIS host of
//! `tests/iis_host` (`LoadLibraryW`, `RegisterModule`, IIS's pipeline) under wine, serving
//! real HTTP through the HTTP Server API to `curl`. The same requests go to the Rust DLLs
//! (`tests/examples`, built for the gnu target) and to their C++ twins
//! (`tests/iis_host/modules`, clang for the MSVC target): the answers must be what is
//! expected here and the same in both languages (but for the `X-Powered-By` value, which
//! names the language). A panic in the Rust module must become a 500 while the host keeps
//! serving. `hello_module` and `minimal_module` are served with the script; other twins
//! (`echo_module`) and the examples without a twin are each served on a host of their own,
//! with the expectations kept here, a twin pair's two DLLs answering alike; `route_module`
//! again under IIS's other `<httpErrors>` settings (`tests/iis_host/http_errors.rs`).
//!
//! x86_64 always runs; i686 builds everything, checks the DLLs' exports and runs only where
//! 32-bit wine is installed, printing `SKIPPED: <why>` otherwise. Missing tools print
//! `SKIPPED: <why>` (`.ci/prerequisites` installs them all). The ignored test
//! `bench_pipeline_rust_against_cpp` is what `cargo xtask bench --only iis-host` runs.

#[path = "../iis_host/bench.rs"]
mod bench;
#[path = "../iis_host/expectations.rs"]
mod expectations;
#[path = "../iis_host/harness.rs"]
#[allow(dead_code)] // shared with hostile_requests.rs and request_bodies.rs, which use the rest
mod harness;
#[path = "../iis_host/http_errors.rs"]
mod http_errors;

use expectations::expectations;
use harness::{curl, Arch, Build, Exchange, HostProcess, Tools};
use httpserv_tests::pages;
use httpserv_tests::support::workspace_root;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("iis-host")
}

/// A port of our own: another test run on the machine may hold the usual ones.
fn port(offset: u16) -> u16 {
    20_000 + (std::process::id() % 20_000) as u16 + offset * 7
}

/// The modules the script is served with (the other twins are served on their own by
/// `serve_twins`, or have tests of their own: `TWINS_TESTED_ELSEWHERE`).
const SCRIPT_MODULES: &[&str] = &["minimal_module", "hello_module"];

/// One request of the script: path, extra curl arguments.
const SCRIPT: &[(&str, &[&str])] = &[
    ("/hello?name=wine", &[]),
    ("/echo?a=1", &["-H", "X-Echo: from-curl"]),
    ("/echo", &["-d", "posted body"]),
    ("/deny", &[]),
    ("/async?ms=50", &[]),
    ("/async?ms=10&via=indicate", &[]),
    ("/panic", &[]),
    ("/hello", &[]),
    ("/missing", &[]),
    ("/stats", &[]),
];

/// What each request of SCRIPT must get: status, body, `X-Hello-Status`.
fn expected(index: usize) -> (u16, &'static str) {
    let echo_get = "method: GET\nurl: /echo\nquery: a=1\nremote: 127.0.0.1\nx-echo: from-curl\n\
                    x-hello-global: pre-begin\nx-powered-by at begin: not set\nentity: \n";
    let echo_post = "method: POST\nurl: /echo\nquery: \nremote: 127.0.0.1\nx-echo: (none)\n\
                     x-hello-global: pre-begin\nx-powered-by at begin: not set\nentity: posted body\n";
    // Ten requests so far; the handler skipped for /deny; its post-notification for /deny
    // and /panic (finished) and for this one (not yet); send, end, dispose and cleanup for
    // the nine before this one.
    let stats = "global=10 begin=10 authenticate=10 handler=9 post_handler=7 send_response=9 \
                 end=9 disposed=9 cleaned=9 async_completions=1\n";
    [
        (200, "Hello, wine!\n"),
        (200, echo_get),
        (200, echo_post),
        (403, "denied by hello_module\n"),
        (200, "async: completed after 50 ms\n"),
        (200, "async: indicated after 10 ms\n"),
        (500, pages::PANIC),
        (200, "Hello, world!\n"),
        (404, pages::NOT_FOUND),
        (200, stats),
    ][index]
}

/// The notifications the host traced for request `number`, in order.
fn trace_of(output: &str, number: usize) -> Vec<String> {
    let prefix = format!("trace: request {number} ");
    output
        .lines()
        .filter_map(|l| l.strip_prefix(&prefix))
        .map(str::to_string)
        .collect()
}

const TRACE_HELLO: &[&str] = &[
    "received",
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    // HIGH before MEDIUM, although minimal_module was loaded first.
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    "notify EXECUTE_REQUEST_HANDLER hello_module",
    "notify POST_EXECUTE_REQUEST_HANDLER hello_module",
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

const TRACE_DENY: &[&str] = &[
    "received",
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    // RQ_NOTIFICATION_FINISH_REQUEST: straight to the response and the end stages.
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

const TRACE_ASYNC: &[&str] = &[
    "received",
    "notify GL_PRE_BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST hello_module",
    "notify BEGIN_REQUEST minimal_module",
    "notify AUTHENTICATE_REQUEST hello_module",
    "notify EXECUTE_REQUEST_HANDLER hello_module",
    "pending",
    "async-completion",
    "notify POST_EXECUTE_REQUEST_HANDLER hello_module",
    "notify SEND_RESPONSE hello_module",
    "send",
    "notify END_REQUEST hello_module",
    "done",
];

/// Serves the script with one language's modules; returns the exchanges.
fn serve(
    tools: &Tools,
    build: &Build,
    language: &str,
    modules: &[(String, PathBuf)],
    port: u16,
) -> Vec<Exchange> {
    let out = out_dir();
    let host = HostProcess::start(tools, build, &out, language, modules, port, &["--trace"]);
    let exchanges: Vec<Exchange> = SCRIPT
        .iter()
        .map(|(path, extra)| curl(tools, port, path, extra))
        .collect();

    // A pending request does not hold up the next one.
    let url = format!("http://127.0.0.1:{port}/async?ms=1500");
    let mut slow = Command::new(&tools.curl)
        .args(["-s", "--max-time", "20", &url])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    let quick = curl(tools, port, "/hello?name=meanwhile", &[]);
    let quick_time = started.elapsed();
    let slow_still_pending = slow.try_wait().unwrap().is_none();
    let slow_body = slow.wait_with_output().unwrap().stdout;
    assert_eq!(quick.body, "Hello, meanwhile!\n");
    assert!(
        slow_still_pending && quick_time < Duration::from_millis(1000),
        "{language}: /hello took {quick_time:?} while /async?ms=1500 was pending \
         (still pending then: {slow_still_pending})"
    );
    assert_eq!(
        String::from_utf8_lossy(&slow_body),
        "async: completed after 1500 ms\n"
    );

    let shutdown = curl(tools, port, "/__shutdown", &[]);
    assert_eq!(shutdown.body, "shutting down\n");
    let (code, stdout, stderr) = host.wait();
    let context = format!("{language} host output:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(code, Some(0), "{context}");
    for line in [
        "quick-trace: request 2 hello_module echo hr=0x0 level=4",
        "quick-trace: request 3 hello_module echo hr=0x0 level=4",
        "host: served 12 requests, 12 responses sent, 0 failed",
        "host: unloaded hello_module",
        "host: unloaded minimal_module",
        "host: exit 0",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing `{line}`\n{context}"
        );
    }
    assert_eq!(trace_of(&stdout, 1), TRACE_HELLO, "{context}");
    assert_eq!(trace_of(&stdout, 4), TRACE_DENY, "{context}");
    assert_eq!(trace_of(&stdout, 5), TRACE_ASYNC, "{context}");
    if language == "Rust" {
        assert!(
            stderr.contains("hello_module: /panic asked for a panic"),
            "the 500 of /panic did not come from a Rust panic\n{context}"
        );
    }
    exchanges
}

fn check_answers(language: &str, exchanges: &[Exchange]) {
    for (index, exchange) in exchanges.iter().enumerate() {
        let (status, body) = expected(index);
        let what = format!("{language} {}", SCRIPT[index].0);
        assert_eq!(
            (exchange.status, exchange.body.as_str()),
            (status, body),
            "{what}: {exchange:#?}"
        );
        // A panic's 500 drops what the modules wrote before it (minimal_module's header
        // included); every other answer keeps it.
        let powered_by = (SCRIPT[index].0 != "/panic").then_some(language);
        assert_eq!(
            exchange.header("X-Powered-By"),
            powered_by,
            "{what}: {exchange:#?}"
        );
        assert_eq!(
            exchange.header("X-Hello-Status"),
            Some(status.to_string().as_str()),
            "{what}"
        );
        // IIS's error pages are HTML; the module's answers text, and asked to be kept.
        let iis_page = [pages::PANIC, pages::NOT_FOUND].contains(&body);
        let custom_errors = if iis_page { "Apply" } else { "TrySkip" };
        assert_eq!(
            exchange.header("X-Hello-Custom-Errors"),
            Some(custom_errors),
            "{what}"
        );
        let content_type = if iis_page { "text/html" } else { "text/plain" };
        assert_eq!(
            exchange.header("Content-Type"),
            Some(content_type),
            "{what}"
        );
        assert_eq!(
            exchange.header("Content-Length"),
            Some(body.len().to_string().as_str()),
            "{what}"
        );
    }
}

/// Builds for `arch`, serves the script with the Rust DLLs and then the C++ DLLs.
fn run_suite(arch: Arch, tools: &Tools) {
    let root = workspace_root();
    let out = out_dir();
    let started = Instant::now();
    let build = harness::build(tools, arch, &root, &out);
    let built = started.elapsed();

    // Every C++ twin has its Rust example, and the DLLs export what IIS looks for.
    let names = |m: &[(String, PathBuf)]| {
        let mut n: Vec<String> = m.iter().map(|(n, _)| n.clone()).collect();
        n.sort();
        n
    };
    assert_eq!(
        names(&build.rust),
        names(&build.cpp),
        "a C++ twin has no Rust example"
    );
    for (_, dll) in build.rust.iter().chain(&build.cpp).chain(&build.rust_only) {
        let exports = harness::exports(arch, dll);
        assert!(
            exports.iter().any(|e| e == "RegisterModule"),
            "{}: exports {exports:?}",
            dll.display()
        );
    }
    if arch == Arch::I686 {
        if let Err(reason) = harness::wine32(&root) {
            httpserv_tests::support::skipped(&format!(
                "the i686 run of the IIS host (built in {built:.1?}; not run): {reason}"
            ));
            return;
        }
    }
    let rust = serve(
        tools,
        &build,
        "Rust",
        &harness::only(&build.rust, SCRIPT_MODULES),
        port(if arch == Arch::I686 { 2 } else { 0 }),
    );
    let cpp = serve(
        tools,
        &build,
        "C++",
        &harness::only(&build.cpp, SCRIPT_MODULES),
        port(if arch == Arch::I686 { 3 } else { 1 }),
    );
    check_answers("Rust", &rust);
    check_answers("C++", &cpp);
    let without_language = |e: &Exchange| {
        let mut e = e.clone();
        e.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("X-Powered-By"));
        e
    };
    for (index, (r, c)) in rust.iter().zip(&cpp).enumerate() {
        assert_eq!(
            without_language(r),
            without_language(c),
            "{} differs between Rust and C++",
            SCRIPT[index].0
        );
    }
    serve_twins(tools, &build, arch);
    serve_rust_only(tools, &build, arch);
    if arch == Arch::X86_64 {
        serve_with_xtask(tools, &build);
        serve_async_io_later(tools, &build);
        http_errors::serve_http_errors(tools, &build, &out_dir(), |index| port(150 + index));
    }
    eprintln!(
        "IIS host on {arch:?}: built in {built:.1?}, served both languages and the other \
         examples in {:.1?}",
        started.elapsed() - built
    );
}

/// Serves each example without a C++ twin on its own and checks its answers; `hits_module`
/// twice, each host's application counting its own requests.
fn serve_rust_only(tools: &Tools, build: &Build, arch: Arch) {
    for (index, module) in build.rust_only.iter().enumerate() {
        let rounds = if module.0 == "hits_module" { 2 } else { 1 };
        for round in 0..rounds {
            let base = if arch == Arch::I686 { 40 } else { 20 } + round * 40;
            serve_one(tools, build, module, &module.0, port(base + index as u16));
        }
    }
}

/// Serves each twin pair not served with the script nor tested elsewhere on its own, the
/// Rust DLL then the C++ one: each must answer as `expectations` says, and both alike.
fn serve_twins(tools: &Tools, build: &Build, arch: Arch) {
    let base = if arch == Arch::I686 { 120 } else { 100 };
    let served_here =
        |name: &&str| !SCRIPT_MODULES.contains(name) && !TWINS_TESTED_ELSEWHERE.contains(name);
    let names: Vec<&str> = build
        .rust
        .iter()
        .map(|m| m.0.as_str())
        .filter(served_here)
        .collect();
    for (index, name) in names.into_iter().enumerate() {
        let rust = &harness::only(&build.rust, &[name])[0];
        let cpp = &harness::only(&build.cpp, &[name])[0];
        let port = |language: u16| port(base + 2 * index as u16 + language);
        let from_rust = serve_one(tools, build, rust, &format!("{}-rust", rust.0), port(0));
        let from_cpp = serve_one(tools, build, cpp, &format!("{}-cpp", cpp.0), port(1));
        assert_eq!(
            from_rust, from_cpp,
            "{}: Rust and C++ answer differently",
            rust.0
        );
    }
}

/// Twin pairs with tests of their own: `request_bodies.rs`, `response_splitting.rs`,
/// `static_files.rs` (which gives the host a site).
const TWINS_TESTED_ELSEWHERE: &[&str] = &["body_module", "splitting_module", "file_info_module"];

/// Serves one example's DLL on its own (`label` names the host's output files) and checks
/// its answers, and the application's start and stop in its trace; returns the exchanges.
fn serve_one(
    tools: &Tools,
    build: &Build,
    module: &(String, PathBuf),
    label: &str,
    port: u16,
) -> Vec<Exchange> {
    let name = &module.0;
    let host = HostProcess::start(
        tools,
        build,
        &out_dir(),
        label,
        std::slice::from_ref(module),
        port,
        &["--trace"],
    );
    let mut exchanges = Vec::new();
    for (path, extra, status, body, (header, value)) in expectations(name) {
        let exchange = curl(tools, port, path, extra);
        let what = format!("{name} {path} {extra:?}: {exchange:?}");
        assert_eq!(
            (exchange.status, exchange.body.as_str()),
            (*status, *body),
            "{what}"
        );
        // `{port}` in an expected header stands for the port the host serves on.
        let value = value.replace("{port}", &port.to_string());
        assert_eq!(exchange.header(header), Some(value.as_str()), "{what}");
        exchanges.push(exchange);
    }
    curl(tools, port, "/__shutdown", &[]);
    let (code, stdout, stderr) = host.wait();
    assert_eq!(
        code,
        Some(0),
        "{name}: the host failed:\n{stdout}\n{stderr}"
    );
    let unloaded = format!("host: unloaded {name}");
    assert!(stdout.lines().any(|l| l == unloaded), "{name}:\n{stdout}");
    if name == "hits_module" {
        // As the test server's: the start at the head of the first request, the stop at
        // shutdown (the module's only global notifications).
        for line in [
            "trace: request 1 notify GL_APPLICATION_START hits_module",
            "trace: global notify GL_APPLICATION_STOP hits_module",
        ] {
            assert!(stdout.lines().any(|l| l == line), "{line}\n{stdout}");
        }
    }
    exchanges
}

#[test]
fn modules_serve_http_under_wine_x86_64() {
    match harness::tools(Arch::X86_64) {
        Ok(tools) => run_suite(Arch::X86_64, &tools),
        Err(reason) => {
            httpserv_tests::support::skipped(&format!("the IIS host on x86_64: {reason}"))
        }
    }
}

#[test]
fn modules_serve_http_under_wine_i686() {
    match harness::tools(Arch::I686) {
        Ok(tools) => run_suite(Arch::I686, &tools),
        Err(reason) => httpserv_tests::support::skipped(&format!("the IIS host on i686: {reason}")),
    }
}

/// The benchmark of `cargo xtask bench --only iis-host`, which passes the JSON file to write
/// in `IIS_HOST_BENCH_OUT`.
#[test]
#[ignore = "a benchmark (minutes): run by `cargo xtask bench --only iis-host`"]
fn bench_pipeline_rust_against_cpp() {
    let tools = match harness::tools(Arch::X86_64) {
        Ok(tools) => tools,
        Err(reason) => panic!("the IIS host benchmark cannot run: {reason}"),
    };
    let json = std::env::var_os("IIS_HOST_BENCH_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| out_dir().join("bench.json"));
    let build = harness::build(&tools, Arch::X86_64, &workspace_root(), &out_dir());
    bench::measure(&tools, &build, &out_dir(), &json, port(4));
}

/// `cargo xtask serve DLL` (in process), as a module author runs it: the host (here the
/// suite's, already built), the DLL served until its one request is answered.
fn serve_with_xtask(tools: &Tools, build: &Build) {
    let (_, dll) = harness::only(&build.rust_only, &["where_module"]).remove(0);
    let port = port(90);
    let args: Vec<String> = ["serve", &dll.display().to_string(), "--requests", "1"]
        .iter()
        .map(|a| a.to_string())
        .chain(["--port".to_string(), port.to_string()])
        // The suite's host build and prefix: nothing to rebuild, no second prefix to warm.
        .chain(["--out".to_string(), out_dir().display().to_string()])
        .collect();
    let serving = std::thread::spawn(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = xtask::run(&args, &mut out, &mut err);
        (
            code,
            String::from_utf8_lossy(&out).into_owned(),
            String::from_utf8_lossy(&err).into_owned(),
        )
    });
    // Listening once a connection is taken (the host's build and wine's start come first).
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && !serving.is_finished() {
        assert!(started.elapsed().as_secs() < 180, "serve never listened");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let answer = curl(tools, port, "/where/x", &[]);
    let (code, out, err) = serving.join().unwrap();
    assert_eq!((answer.status, code), (200, 0), "{answer:?}\n{out}\n{err}");
    assert!(
        answer.body.starts_with("site 1 Default Web Site\n"),
        "{answer:?}"
    );
    assert!(
        out.starts_with("serving where_module on http://127.0.0.1:"),
        "{out}"
    );
}

/// `echo_module` (and its C++ twin, where built) with every asynchronous read, write and flush
/// completing later, through the host's pool and `OnAsyncCompletion`, as IIS may: the same
/// answers as when they complete at once.
fn serve_async_io_later(tools: &Tools, build: &Build) {
    let echoes = build
        .rust
        .iter()
        .chain(&build.rust_only)
        .chain(&build.cpp)
        .filter(|(name, _)| name == "echo_module");
    for (index, module) in echoes.enumerate() {
        let host = HostProcess::start(
            tools,
            build,
            &out_dir(),
            &format!("echo_module-later-{index}"),
            std::slice::from_ref(module),
            port(95 + index as u16),
            &["--trace", "--async-io-later"],
        );
        let port = port(95 + index as u16);
        let body = "x".repeat(40_000);
        let echo = curl(tools, port, "/echo", &["--data-binary", &body]);
        let hello = curl(tools, port, "/hello", &[]);
        let stopped = host.stop();
        let what = format!("{}: {}", module.1.display(), stopped.stdout);
        assert_eq!((echo.status, echo.body.len()), (200, body.len()), "{what}");
        assert!(echo.body == body, "{what}");
        assert_eq!(
            (hello.status, hello.body.as_str()),
            (200, "Hello World!\n"),
            "{what}"
        );
        assert!(stopped.stdout.contains("async-completion"), "{what}");
    }
}
