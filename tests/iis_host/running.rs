//! The running side of the IIS host's test harness (`harness.rs` re-exports it): the host
//! under wine in the private prefix (warmed once, since the first program in a fresh prefix
//! may fail to listen), one host at a time per prefix, its output in files, and `curl`
//! against it.

use super::{Build, Tools};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The host running under wine, its output going to files. Dropping it stops it if it still
/// runs, waits until wine has closed its request queue, and lets the next host start.
pub struct HostProcess {
    child: Child,
    port: u16,
    /// `wineserver -w` in the host's prefix, run on drop when `fresh_wine_after` was asked.
    session_end: Command,
    end_session: bool,
    pub stdout: PathBuf,
    pub stderr: PathBuf,
    _lock: PrefixLock,
}

/// One host at a time in a prefix, across test processes too: when any request queue closes,
/// wine's http.sys stops listening on every port (dlls/http.sys/http.c, close_queue), so a
/// host that exits deafens any other in the same prefix. The lock is a directory (creating
/// one is atomic) holding its owner's pid; a lock whose owner is gone is taken over.
struct PrefixLock {
    dir: PathBuf,
}

impl PrefixLock {
    fn acquire(prefix: &Path) -> PrefixLock {
        let dir = prefix.with_extension("lock");
        let started = Instant::now();
        loop {
            match std::fs::create_dir(&dir) {
                Ok(()) => {
                    let _ = std::fs::write(dir.join("pid"), std::process::id().to_string());
                    return PrefixLock { dir };
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                Err(e) => panic!("{}: {e}", dir.display()),
            }
            if Self::abandoned(&dir) {
                let _ = std::fs::remove_dir_all(&dir);
                continue;
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "{} has been held for 10 minutes",
                dir.display()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Its owner is no longer running, or never wrote its pid (10 s after taking it).
    fn abandoned(dir: &Path) -> bool {
        match std::fs::read_to_string(dir.join("pid")) {
            Ok(pid) => !Path::new("/proc").join(pid.trim()).exists(),
            Err(_) => std::fs::metadata(dir)
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > Duration::from_secs(10))),
        }
    }
}

impl Drop for PrefixLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Waits (up to 5 s) until nothing listens on `port`: wine closes a queue after its process
/// has gone, and the next host must not start listening before that.
fn wait_until_deaf(port: u16) {
    let address = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline
        && TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
    {
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The whole run of the host, prefix creation included, must end within this.
pub const HOST_SECONDS: u64 = 90;

pub fn wine_command(tools: &Tools, build: &Build, out: &Path) -> Command {
    let mut command = Command::new(&tools.wine64);
    command
        .arg(&build.host)
        .current_dir(build.host.parent().unwrap())
        .env(
            "WINEPREFIX",
            out.join(format!("prefix-{}", build.arch.name())),
        )
        // wine's own messages only when asked for (`IIS_HOST_WINEDEBUG=err+all,warn+http`).
        .env(
            "WINEDEBUG",
            std::env::var("IIS_HOST_WINEDEBUG").unwrap_or_else(|_| "-all".into()),
        )
        // No Mono/Gecko installer prompts while the prefix is created.
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY")
        .stdin(Stdio::null());
    command
}

/// `--module name=path` for each of `modules`, as Windows paths (wine maps `Z:` to `/`).
pub fn module_args(modules: &[(String, PathBuf)]) -> Vec<String> {
    modules
        .iter()
        .flat_map(|(name, dll)| {
            [
                "--module".to_string(),
                format!("{name}=Z:{}", dll.display()).replace('/', "\\"),
            ]
        })
        .collect()
}

/// Starts the host once in a new prefix and lets it stop: the first program in a fresh prefix
/// may fail to listen or stall while wine sets the prefix up (FACTS.md), so no test should be
/// that first program. A marker file in the prefix records that it is warm.
pub fn warm_prefix(tools: &Tools, build: &Build, out: &Path, module: &(String, PathBuf)) {
    let prefix = out.join(format!("prefix-{}", build.arch.name()));
    let marker = prefix.join(".httpserv-warm");
    if marker.is_file() {
        return;
    }
    let port = 20_000 + (std::process::id() % 20_000) as u16 + 997;
    // `--requests 0`: listen, then stop at once; whatever it says, the prefix is set up.
    let _ = wine_command(tools, build, out)
        .args(module_args(std::slice::from_ref(module)))
        .args(["--port", &port.to_string(), "--requests", "0"])
        .args(["--seconds", &HOST_SECONDS.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    wait_until_deaf(port);
    if prefix.is_dir() {
        let _ = std::fs::write(&marker, "started once\n");
    }
}

impl HostProcess {
    /// Starts the host serving on `port` and waits until it listens (warming a new prefix
    /// first).
    pub fn start(
        tools: &Tools,
        build: &Build,
        out: &Path,
        label: &str,
        modules: &[(String, PathBuf)],
        port: u16,
        extra: &[&str],
    ) -> HostProcess {
        let lock = PrefixLock::acquire(&out.join(format!("prefix-{}", build.arch.name())));
        if let Some(first) = modules.first() {
            warm_prefix(tools, build, out, first);
        }
        let stdout = build.dir.join(format!("{label}.stdout.txt"));
        let stderr = build.dir.join(format!("{label}.stderr.txt"));
        let child = wine_command(tools, build, out)
            .args(module_args(modules))
            .args(["--port", &port.to_string(), "--requests", "100000"])
            .args(extra)
            .args(["--seconds", &HOST_SECONDS.to_string()])
            .stdout(std::fs::File::create(&stdout).unwrap())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.wine64.display()));
        let mut session_end = Command::new(tools.wine64.with_file_name("wineserver"));
        session_end
            .arg("-w")
            .env(
                "WINEPREFIX",
                out.join(format!("prefix-{}", build.arch.name())),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let mut host = HostProcess {
            child,
            port,
            session_end,
            end_session: false,
            stdout,
            stderr,
            _lock: lock,
        };
        let started = Instant::now();
        while !host.output().contains("host: listening on") {
            if let Ok(Some(status)) = host.child.try_wait() {
                panic!(
                    "the host exited ({status}) before listening:\n{}\n{}",
                    host.output(),
                    host.errors()
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(HOST_SECONDS),
                "the host did not listen within {HOST_SECONDS} s:\n{}",
                host.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        host
    }

    /// After this host, wine's session ends before the next host starts (about 2 s): its
    /// http.sys keeps its state from one host to the next, and requests it drops unread (an
    /// upload past its receive buffer, a chunked one) can leave it serving nobody (README).
    pub fn fresh_wine_after(&mut self) {
        self.end_session = true;
    }

    /// Whether the host process still runs.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The requests the host has taken from wine so far (see [`requests_in`]).
    pub fn requests_seen(&self) -> usize {
        requests_in(&self.output())
    }

    pub fn output(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.stdout).unwrap_or_default()).into_owned()
    }

    pub fn errors(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.stderr).unwrap_or_default()).into_owned()
    }

    /// Waits for the host to exit by itself (after /__shutdown); its exit code.
    pub fn wait(mut self) -> (Option<i32>, String, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(HOST_SECONDS) {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("the host did not exit:\n{}", self.output());
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status.code(), self.output(), self.errors())
    }

    /// Asks the host to stop (`/__shutdown`) and waits for it. If nothing answers and the
    /// host never took the request, wine's http.sys has stopped serving (see
    /// `fresh_wine_after`): the host is killed and [`Stopped::wine_stopped_serving`] says so.
    /// If the host took it and did not answer, that is the host's failure: a panic.
    pub fn stop(mut self) -> Stopped {
        let seen = self.requests_seen();
        let request = format!(
            "GET /__shutdown HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n",
            self.port
        );
        if shutdown_answered(self.port, request.as_bytes()) {
            let (code, stdout, stderr) = self.wait();
            return Stopped {
                code,
                stdout,
                stderr,
                wine_stopped_serving: false,
            };
        }
        assert!(
            self.running() && self.requests_seen() == seen,
            "the host took /__shutdown and did not answer:\n{}",
            self.output()
        );
        let _ = self.child.kill();
        let _ = self.child.wait();
        Stopped {
            code: None,
            stdout: self.output(),
            stderr: self.errors(),
            wine_stopped_serving: true,
        }
    }
}

/// The requests a host's output shows it took from wine: those it received for the pipeline
/// (numbered in `--trace` lines, the first logged on receipt) and those it refused before
/// the pipeline.
pub fn requests_in(output: &str) -> usize {
    let traced = output
        .lines()
        .filter_map(|l| {
            l.strip_prefix("trace: request ")?
                .split(' ')
                .next()?
                .parse()
                .ok()
        })
        .max()
        .unwrap_or(0);
    traced
        + output
            .lines()
            .filter(|l| l.starts_with("host: refused a request"))
            .count()
}

/// A line of a host's output saying a response failed for a reason other than its client
/// having gone.
pub fn failed_response(output: &str) -> Option<&str> {
    output
        .lines()
        .find(|l| l.contains("HttpSendHttpResponse failed") && !l.contains("the client is gone"))
}

/// How a host stopped.
pub struct Stopped {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// wine's http.sys never handed the host `/__shutdown`; the host was killed.
    pub wine_stopped_serving: bool,
}

impl Stopped {
    /// Asserts the host exited with 0 — unless wine's http.sys stopped serving before
    /// `/__shutdown` (tests/iis_host/README.md: what came before was all answered, the host
    /// was killed), which is reported as a `WINE:` line for `what` instead.
    pub fn assert_clean_exit(&self, what: &str) {
        if self.wine_stopped_serving {
            eprintln!("WINE: {what}: wine's http.sys stopped serving before /__shutdown");
        } else {
            assert_eq!(
                self.code,
                Some(0),
                "{what}: the host failed:\n{}\nstderr:\n{}",
                self.stdout,
                self.stderr
            );
        }
    }
}

/// Whether an answer to `request` comes within 10 s.
fn shutdown_answered(port: u16, request: &[u8]) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut answer = [0u8; 64];
    stream.write_all(request).is_ok() && stream.read(&mut answer).is_ok_and(|n| n > 0)
}

/// A host still running when its test panics is stopped, not left to its watchdog; the
/// prefix is free once wine has closed the host's queue (and, if asked, ended its session).
impl Drop for HostProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        wait_until_deaf(self.port);
        if self.end_session {
            end_session(&mut self.session_end);
        }
    }
}

/// Runs `wineserver -w`, for at most 30 s.
fn end_session(command: &mut Command) {
    let Ok(mut waiting) = command.spawn() else {
        return;
    };
    let started = Instant::now();
    while let Ok(None) = waiting.try_wait() {
        if started.elapsed() > Duration::from_secs(30) {
            let _ = waiting.kill();
            let _ = waiting.wait();
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// One HTTP exchange as curl saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub status: u16,
    /// Header lines in order, `Date` left out (it changes).
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Exchange {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// `curl -i` for `path` on 127.0.0.1:`port`, with extra curl arguments.
pub fn curl(tools: &Tools, port: u16, path: &str, extra: &[&str]) -> Exchange {
    let url = format!("http://127.0.0.1:{port}{path}");
    let output = Command::new(&tools.curl)
        .args(["-s", "-i", "--max-time", "20"])
        .args(extra)
        .arg(&url)
        .output()
        .expect("curl runs");
    assert!(
        output.status.success(),
        "curl {url} failed: {:?}",
        output.status
    );
    let text = String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n");
    let (head, body) = text.split_once("\n\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line from {url}: {text}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, _)| !n.eq_ignore_ascii_case("date"))
        .collect();
    Exchange {
        status,
        headers,
        body: body.to_string(),
    }
}
