//! Runtime proof on x64 under wine: the C++ host of `tests/wine/host/` (clang-19 for
//! `x86_64-pc-windows-msvc`, no CRT) and the Rust module of `tests/wine/module/` (a no_std
//! staticlib on the generated bindings) are linked into one .exe with lld-link-19 and run
//! under wine64. C++ calls the Rust `CHttpModule` / `IHttpModuleFactory` / `RegisterModule`,
//! Rust calls the C++ `IHttpContext` / `IHttpRequest` / `IHttpResponse`, and every call
//! must land on the intended method (the exe prints one `ok` line per check).
//!
//! Missing tools (the Rust target, clang-19, lld-link-19, mingw's libkernel32.a, wine64)
//! make the test print `SKIPPED: ...` and return.

use generator::toolchain::{compiler_args, find_clang, IncludeSetup, Target};
use httpserv_tests::support::workspace_root;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUST_TARGET: &str = "x86_64-pc-windows-msvc";
const KERNEL32: &str = "/usr/x86_64-w64-mingw32/lib/libkernel32.a";
/// What the module's prebuilt `core` and `alloc` import from a C runtime (memcpy, memset, the
/// unwind tables' __CxxFrameHandler3), from ucrtbase.dll: the host links no C runtime of its own.
const UCRTBASE: &str = "/usr/x86_64-w64-mingw32/lib/libucrtbase.a";
/// The whole wine run, prefix creation included, must finish within this.
const WINE_TIMEOUT: Duration = Duration::from_secs(240);

/// Every line the exe must print, in order.
const EXPECTED: &[&str] = &[
    "ok rust->cpp IHttpModuleRegistrationInfo::SetRequestNotifications",
    "ok cpp->rust RegisterModule",
    "ok rust->cpp IModuleAllocator::AllocateMemory",
    "ok cpp->rust IHttpModuleFactory::GetHttpModule",
    "ok rust->cpp IHttpContext::GetRequest",
    "ok rust->cpp IHttpRequest::GetRawHttpRequest()",
    "ok rust->cpp IHttpRequest::GetRawHttpRequest() const",
    "ok rust->cpp IHttpRequest::GetHeader(HTTP_HEADER_ID)",
    "ok rust->cpp IHttpRequest::GetHeader(PCSTR)",
    "ok rust->cpp IHttpRequest::SetHeader(HTTP_HEADER_ID)",
    "ok rust->cpp IHttpRequest::SetHeader(PCSTR)",
    "ok rust->cpp IHttpContext::GetResponse",
    "ok rust->cpp IHttpResponse::GetRawHttpResponse()",
    "ok rust->cpp IHttpResponse::GetRawHttpResponse() const",
    "ok rust->cpp IHttpResponse::GetHeader(HTTP_HEADER_ID)",
    "ok rust->cpp IHttpResponse::GetHeader(PCSTR)",
    "ok rust->cpp IHttpResponse::SetHeader(HTTP_HEADER_ID)",
    "ok rust->cpp IHttpResponse::SetHeader(PCSTR)",
    "ok rust->cpp IHttpEventProvider::SetErrorStatus",
    "ok cpp->rust CHttpModule::OnBeginRequest",
    "ok cpp->rust CHttpModule::OnPostBeginRequest",
    "ok cpp->rust CHttpModule::OnAuthenticateRequest",
    "ok cpp->rust CHttpModule::OnPostAuthenticateRequest",
    "ok cpp->rust CHttpModule::OnAuthorizeRequest",
    "ok cpp->rust CHttpModule::OnPostAuthorizeRequest",
    "ok cpp->rust CHttpModule::OnResolveRequestCache",
    "ok cpp->rust CHttpModule::OnPostResolveRequestCache",
    "ok cpp->rust CHttpModule::OnMapRequestHandler",
    "ok cpp->rust CHttpModule::OnPostMapRequestHandler",
    "ok cpp->rust CHttpModule::OnAcquireRequestState",
    "ok cpp->rust CHttpModule::OnPostAcquireRequestState",
    "ok cpp->rust CHttpModule::OnPreExecuteRequestHandler",
    "ok cpp->rust CHttpModule::OnPostPreExecuteRequestHandler",
    "ok cpp->rust CHttpModule::OnExecuteRequestHandler",
    "ok cpp->rust CHttpModule::OnPostExecuteRequestHandler",
    "ok cpp->rust CHttpModule::OnReleaseRequestState",
    "ok cpp->rust CHttpModule::OnPostReleaseRequestState",
    "ok cpp->rust CHttpModule::OnUpdateRequestCache",
    "ok cpp->rust CHttpModule::OnPostUpdateRequestCache",
    "ok cpp->rust CHttpModule::OnLogRequest",
    "ok cpp->rust CHttpModule::OnPostLogRequest",
    "ok cpp->rust CHttpModule::OnEndRequest",
    "ok cpp->rust CHttpModule::OnPostEndRequest",
    "ok cpp->rust CHttpModule::OnSendResponse",
    "ok cpp->rust CHttpModule::OnMapPath",
    "ok cpp->rust CHttpModule::OnReadEntity",
    "ok cpp->rust CHttpModule::OnCustomRequestNotification",
    "ok cpp->rust CHttpModule::OnAsyncCompletion",
    "ok cpp->rust CHttpModule::Dispose",
    "ok cpp->rust CHttpModule::~CHttpModule",
    "ok cpp->rust IHttpModuleFactory::Terminate",
    "ok cpp->rust CHttpModule::Dispose releases",
    "ok cpp->rust delete this (the destructor slot) releases",
    "ok cpp->rust IHttpModuleFactory::Terminate releases",
    "ok cpp->rust CGlobalModule::Terminate releases",
    "ok cpp->rust IHttpStoredContext::CleanupStoredContext releases",
    "ok cpp->rust IHttpConnectionStoredContext::CleanupStoredContext releases",
    "ok cpp->rust IHttpCacheSpecificData::DereferenceCacheData releases at the last reference",
    "PASS: 58 of 58 checks ok",
];

struct Tools {
    clang: PathBuf,
    lld_link: PathBuf,
    wine: PathBuf,
}

/// `name` on PATH, else the first of `fallbacks` that exists.
fn find_tool(name: &str, fallbacks: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .chain(fallbacks.iter().map(PathBuf::from))
        .find(|p| p.is_file())
}

/// The tools, or why the test cannot run here.
fn tools() -> Result<Tools, String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("running rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    if !sysroot
        .join("lib/rustlib")
        .join(RUST_TARGET)
        .join("lib")
        .is_dir()
    {
        return Err(format!(
            "the Rust target {RUST_TARGET} is not installed (`rustup target add {RUST_TARGET}`)"
        ));
    }
    let clang = find_clang().map_err(|e| e.to_string())?;
    let lld_link = find_tool("lld-link-19", &["/usr/lib/llvm-19/bin/lld-link"])
        .ok_or("lld-link-19 was not found (`apt-get install lld-19`)")?;
    if !Path::new(KERNEL32).is_file() {
        return Err(format!(
            "{KERNEL32} is missing (`apt-get install mingw-w64-x86-64-dev`)"
        ));
    }
    let wine = find_tool("wine64", &["/usr/lib/wine/wine64"])
        .ok_or("wine64 was not found (`apt-get install wine64`)")?;
    Ok(Tools {
        clang,
        lld_link,
        wine,
    })
}

/// Runs `command`; on failure panics with what it printed.
fn run(what: &str, command: &mut Command) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The Rust module as a static library.
fn build_module(root: &Path, out: &Path) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target_dir = out.join("cargo");
    run(
        "cargo build of tests/wine/module",
        Command::new(cargo)
            .args([
                "build",
                "--release",
                "--target",
                RUST_TARGET,
                "--manifest-path",
            ])
            .arg(root.join("tests/wine/module/Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target_dir),
    );
    target_dir
        .join(RUST_TARGET)
        .join("release/httpserv_wine_module.lib")
}

/// The C++ host as an object, with the generator's own compiler flags for x86_64.
fn compile_host(root: &Path, clang: &Path, out: &Path) -> PathBuf {
    let setup = IncludeSetup::debian();
    let object = out.join("host.obj");
    run(
        "clang-19 on tests/wine/host/host.cpp",
        Command::new(clang)
            .args(compiler_args(&setup, Target::X86_64))
            .arg(format!("-I{}", root.join("headers").display()))
            // No CRT: no RTTI (type_info), no exceptions.
            .args([
                "-O1",
                "-fno-rtti",
                "-fno-exceptions",
                "-Wall",
                "-Wno-overloaded-virtual",
            ])
            .arg("-c")
            .arg(root.join("tests/wine/host/host.cpp"))
            .arg("-o")
            .arg(&object),
    );
    object
}

fn link(lld_link: &Path, objects: &[PathBuf], exe: &Path) {
    run(
        "lld-link-19",
        Command::new(lld_link)
            .args([
                "/nologo",
                "/machine:x64",
                "/subsystem:console",
                "/entry:host_main",
            ])
            .arg("/nodefaultlib")
            .arg(format!("/out:{}", exe.display()))
            .args(objects)
            .arg(KERNEL32)
            .arg(UCRTBASE),
    );
}

/// Runs `exe` under wine in a private prefix; returns (exit code, stdout, stderr).
/// Output goes to files, so a wineserver that outlives the exe cannot hold a pipe open.
fn run_under_wine(wine: &Path, exe: &Path, out: &Path) -> (Option<i32>, String, String) {
    let (stdout_path, stderr_path) = (out.join("stdout.txt"), out.join("stderr.txt"));
    let mut child = Command::new(wine)
        .arg(exe)
        .env("WINEPREFIX", out.join("prefix"))
        .env("WINEDEBUG", "-all")
        // no Mono/Gecko installer prompts while the prefix is created
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", wine.display()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > WINE_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("wine did not finish within {WINE_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    (status.code(), read(&stdout_path), read(&stderr_path))
}

#[test]
fn cpp_and_rust_call_each_other_under_wine() {
    let tools = match tools() {
        Ok(tools) => tools,
        Err(reason) => {
            httpserv_tests::support::skipped(&format!("wine runtime proof: {reason}"));
            return;
        }
    };
    let root = workspace_root();
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("wine-runtime");
    std::fs::create_dir_all(&out).unwrap();

    let started = Instant::now();
    let module = build_module(&root, &out);
    let host = compile_host(&root, &tools.clang, &out);
    let exe = out.join("wine_runtime.exe");
    link(&tools.lld_link, &[host, module], &exe);
    let built = started.elapsed();

    let (code, stdout, stderr) = run_under_wine(&tools.wine, &exe, &out);
    eprintln!(
        "wine runtime proof: built in {:.1?}, ran under wine in {:.1?}",
        built,
        started.elapsed() - built
    );
    print!("{stdout}");

    let lines: Vec<&str> = stdout.lines().collect();
    let missing: Vec<&str> = EXPECTED
        .iter()
        .copied()
        .filter(|line| !lines.contains(line))
        .collect();
    let failed: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert!(
        code == Some(0) && missing.is_empty() && failed.is_empty(),
        "exit code {code:?}\nfailed: {failed:#?}\nmissing: {missing:#?}\nstderr:\n{stderr}"
    );
    assert_eq!(
        lines, EXPECTED,
        "the checks ran in another order or extra lines appeared"
    );
}
