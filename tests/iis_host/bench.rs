//! The Rust-against-C++ benchmark of the IIS host (for `tests/tests/iis_host.rs`'s ignored
//! test, which `cargo xtask bench --only iis-host` runs): the same request through the same
//! host with the Rust DLLs and with their C++ twins. Two pairs: `minimal_module` with
//! `hello_module` serving `GET /hello?name=bench` (all three measures below), and
//! `echo_module` alone serving `GET /hello` (its asynchronous write, flush and finish: the
//! `async fn` of the Rust example against the C++ twin's hand-written state machine; pipeline
//! and instructions only, its keys prefixed `echo_` in the JSON).
//!
//! - **pipeline**: `iis_host.exe --bench N` drives N synthetic GET requests through the whole
//!   pipeline in process (no HTTP; after a warm-up of N/10), timed with the performance
//!   counter; rounds alternate the languages;
//! - **instructions**: the same loop under `valgrind --tool=callgrind --instr-atstart=no`,
//!   the host switching counting on and off around the loop with client requests, so the
//!   count is the loop's alone (host, modules, and the wine code they call); also the part
//!   executed inside the module DLLs' own code (by address, from where the host loaded them);
//! - **HTTP**: requests per second over one keep-alive connection, `curl` fetching N URLs
//!   (`?name=[1-N]`) from the host serving through wine's HTTP Server API.
//!
//! Results go to a JSON file, written by hand (this package has no JSON dependency).

use super::harness::{module_args, only, wine_command, Build, HostProcess, Tools};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub const URL: &str = "/hello?name=bench";
/// The hello pair's modules, and the echo pair's module and URL.
pub const HELLO_MODULES: &[&str] = &["minimal_module", "hello_module"];
pub const ECHO_MODULES: &[&str] = &["echo_module"];
pub const ECHO_URL: &str = "/hello";

/// Nanoseconds per request of one `--bench` run.
fn pipeline_run(
    tools: &Tools,
    build: &Build,
    out: &Path,
    modules: &[(String, std::path::PathBuf)],
    url: &str,
    n: u64,
) -> f64 {
    let output = wine_command(tools, build, out)
        .args(module_args(modules))
        .args(["--bench", &n.to_string(), "--url", url, "--seconds", "300"])
        .output()
        .expect("wine runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("bench:"))
        .unwrap_or_else(|| panic!("no bench line:\n{text}"));
    let field = |name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in `{line}`"))
    };
    assert_eq!(field("status"), 200.0, "{line}");
    field("ticks") / field("frequency") * 1e9 / n as f64
}

/// Instructions per request under callgrind: (whole loop, inside the module DLLs' own code),
/// or why they could not be counted.
fn instructions(
    tools: &Tools,
    build: &Build,
    out: &Path,
    label: &str,
    modules: &[(String, std::path::PathBuf)],
    url: &str,
    n: u64,
) -> Result<(f64, f64), String> {
    let dir = build.dir.join(format!("callgrind-{label}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let wine = wine_command(tools, build, out);
    let mut command = Command::new("valgrind");
    command
        .args([
            "--tool=callgrind",
            // Costs per instruction address: code reached by a jump counts where it runs,
            // not in the function that jumped (PE code has no symbols for callgrind).
            "--dump-instr=yes",
            "--instr-atstart=no",
            "--trace-children=yes",
        ])
        .arg(format!(
            "--callgrind-out-file={}/callgrind.%p",
            dir.display()
        ))
        .arg(wine.get_program())
        .args(wine.get_args())
        .args(module_args(modules))
        .args(["--bench", &n.to_string(), "--url", url, "--seconds", "600"])
        .current_dir(build.host.parent().unwrap());
    for (key, value) in wine.get_envs() {
        match value {
            Some(v) => command.env(key, v),
            None => command.env_remove(key),
        };
    }
    let output = command.output().map_err(|e| format!("valgrind: {e}"))?;
    if !output.status.success() {
        return Err(format!("valgrind exited with {}", output.status));
    }
    // Where the host loaded each module: `host: loaded NAME at 0xBASE: …`.
    let stdout = String::from_utf8_lossy(&output.stdout);
    let mut ranges = Vec::new();
    for (name, dll) in modules {
        let base = stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("host: loaded {name} at 0x")))
            .and_then(|rest| u64::from_str_radix(rest.split(':').next()?, 16).ok())
            .ok_or_else(|| format!("no load address of {name} in the host's output"))?;
        ranges.push((base, base + size_of_image(build, dll)?));
    }
    // Only the host's process switches counting on; the other processes count nothing.
    let (mut total, mut in_modules) = (0u64, 0u64);
    for file in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(file.path()).unwrap_or_default();
        let counted = text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        if counted == 0 {
            continue;
        }
        total += counted;
        in_modules += cost_at(&text, |address| {
            ranges
                .iter()
                .any(|&(start, end)| (start..end).contains(&address))
        });
    }
    if total == 0 {
        return Err("callgrind counted nothing".into());
    }
    Ok((total as f64 / n as f64, in_modules as f64 / n as f64))
}

/// The instructions callgrind counted at addresses `inside` accepts, from a profile written
/// with `--dump-instr=yes` (`positions: instr line`): each cost line is an address
/// (absolute `0x…`, relative `+n`/`-n`, or `*` for the same), a line number and the count;
/// the line after `calls=` is the call's inclusive cost, counted where the callee runs.
fn cost_at(profile: &str, inside: impl Fn(u64) -> bool) -> u64 {
    let (mut address, mut after_call, mut counted) = (0u64, false, 0u64);
    for line in profile.lines() {
        if line.starts_with("calls=") {
            after_call = true;
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(position) = words.next() else {
            continue;
        };
        let next = if let Some(hex) = position.strip_prefix("0x") {
            u64::from_str_radix(hex, 16).ok()
        } else if let Some(delta) = position.strip_prefix('+') {
            delta.parse::<u64>().ok().map(|d| address.wrapping_add(d))
        } else if let Some(delta) = position.strip_prefix('-') {
            delta.parse::<u64>().ok().map(|d| address.wrapping_sub(d))
        } else if position == "*" {
            Some(address)
        } else {
            None
        };
        let Some(next) = next else {
            continue;
        };
        address = next;
        if std::mem::take(&mut after_call) {
            continue;
        }
        let cost = words
            .nth(1)
            .and_then(|c| c.parse::<u64>().ok())
            .unwrap_or(0);
        if inside(address) {
            counted += cost;
        }
    }
    counted
}

/// A DLL's SizeOfImage, from `objdump -p`.
fn size_of_image(build: &Build, dll: &Path) -> Result<u64, String> {
    let objdump = match build.arch {
        super::harness::Arch::X86_64 => "x86_64-w64-mingw32-objdump",
        super::harness::Arch::I686 => "i686-w64-mingw32-objdump",
    };
    let output = Command::new(objdump)
        .arg("-p")
        .arg(dll)
        .output()
        .map_err(|e| e.to_string())?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("SizeOfImage"))
        .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        .ok_or_else(|| format!("no SizeOfImage for {}", dll.display()))
}

/// Requests per second over HTTP: curl fetching `n` URLs on one connection.
fn http_run(
    tools: &Tools,
    build: &Build,
    out: &Path,
    label: &str,
    modules: &[(String, std::path::PathBuf)],
    port: u16,
    n: u64,
) -> f64 {
    let host = HostProcess::start(
        tools,
        build,
        out,
        &format!("bench-{label}"),
        modules,
        port,
        &[],
    );
    let url = format!("http://127.0.0.1:{port}/hello?name=[1-{n}]");
    let started = Instant::now();
    let output = Command::new(&tools.curl)
        .args([
            "-s",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}\\n",
            "--max-time",
            "120",
        ])
        .arg(&url)
        .output()
        .expect("curl runs");
    let seconds = started.elapsed().as_secs_f64();
    let codes = String::from_utf8_lossy(&output.stdout);
    let ok = codes.lines().filter(|c| *c == "200").count() as u64;
    super::harness::curl(tools, port, "/__shutdown", &[]);
    let (code, stdout, _) = host.wait();
    assert!(
        ok == n && code == Some(0),
        "{label}: {ok} of {n} answered 200, host exit {code:?}\n{stdout}"
    );
    n as f64 / seconds
}

fn list(values: &[f64]) -> String {
    let items: Vec<String> = values.iter().map(|v| format!("{v:.1}")).collect();
    format!("[{}]", items.join(", "))
}

/// One pair's pipeline times (ns per request, per run) and instruction counts (whole loop,
/// module code; per callgrind run), with why a count is missing.
struct Pair {
    rust_ns: Vec<f64>,
    cpp_ns: Vec<f64>,
    rust_count: Vec<(f64, f64)>,
    cpp_count: Vec<(f64, f64)>,
    notes: Vec<String>,
}

type Modules = [(String, std::path::PathBuf)];

/// Times `url` through the pipeline with `rust` and with `cpp` (`rounds` rounds of
/// `requests`, the languages alternating), then counts its instructions (three runs each of
/// `callgrind_requests`; `label` names their profile directories).
fn measure_pair(
    (tools, build, out): (&Tools, &Build, &Path),
    label: &str,
    (rust, cpp): (&Modules, &Modules),
    url: &str,
    (requests, rounds, callgrind_requests): (u64, usize, u64),
) -> Pair {
    let (mut rust_ns, mut cpp_ns) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        rust_ns.push(pipeline_run(tools, build, out, rust, url, requests));
        cpp_ns.push(pipeline_run(tools, build, out, cpp, url, requests));
    }
    // Counts vary a little from process to process (wine's heap): three runs each.
    let (mut rust_count, mut cpp_count, mut notes) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        for (language, modules, into) in [
            ("rust", rust, &mut rust_count),
            ("cpp", cpp, &mut cpp_count),
        ] {
            let dir = format!("{label}{language}");
            match instructions(tools, build, out, &dir, modules, url, callgrind_requests) {
                Ok(count) => into.push(count),
                Err(why) => notes.push(format!("{label}{language}: {why}")),
            }
        }
    }
    Pair {
        rust_ns,
        cpp_ns,
        rust_count,
        cpp_count,
        notes,
    }
}

/// The JSON lines of a pair's numbers, each key prefixed with `prefix`.
fn pair_json(prefix: &str, pair: &Pair) -> String {
    let totals = |c: &[(f64, f64)]| c.iter().map(|x| x.0).collect::<Vec<_>>();
    let own = |c: &[(f64, f64)]| c.iter().map(|x| x.1).collect::<Vec<_>>();
    format!(
        "  \"{prefix}rust_ns_per_request\": {},\n  \"{prefix}cpp_ns_per_request\": {},\n  \
         \"{prefix}rust_instructions_per_request\": {},\n  \
         \"{prefix}cpp_instructions_per_request\": {},\n  \
         \"{prefix}rust_module_instructions_per_request\": {},\n  \
         \"{prefix}cpp_module_instructions_per_request\": {},\n",
        list(&pair.rust_ns),
        list(&pair.cpp_ns),
        list(&totals(&pair.rust_count)),
        list(&totals(&pair.cpp_count)),
        list(&own(&pair.rust_count)),
        list(&own(&pair.cpp_count)),
    )
}

fn size(modules: &Modules) -> u64 {
    modules
        .iter()
        .map(|(_, dll)| dll.metadata().map(|m| m.len()).unwrap_or(0))
        .sum()
}

/// Runs everything and writes the JSON report to `json`. `IIS_HOST_BENCH_REQUESTS` sets the
/// requests per pipeline run (20,000 unless told; the callgrind runs take a tenth of it).
pub fn measure(tools: &Tools, build: &Build, out: &Path, json: &Path, port: u16) {
    let requests = std::env::var("IIS_HOST_BENCH_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000u64);
    let (rounds, callgrind_requests, http_requests) = (7, requests / 10, 1_000u64);
    let sizes = (requests, rounds, callgrind_requests);
    let (rust, cpp) = (
        only(&build.rust, HELLO_MODULES),
        only(&build.cpp, HELLO_MODULES),
    );
    let hello = measure_pair((tools, build, out), "", (&rust, &cpp), URL, sizes);
    let (echo_rust, echo_cpp) = (
        only(&build.rust, ECHO_MODULES),
        only(&build.cpp, ECHO_MODULES),
    );
    let echo = measure_pair(
        (tools, build, out),
        "echo-",
        (&echo_rust, &echo_cpp),
        ECHO_URL,
        sizes,
    );
    let (mut rust_rps, mut cpp_rps) = (Vec::new(), Vec::new());
    for round in 0..3u16 {
        rust_rps.push(http_run(
            tools,
            build,
            out,
            "rust",
            &rust,
            port + 2 * round,
            http_requests,
        ));
        cpp_rps.push(http_run(
            tools,
            build,
            out,
            "cpp",
            &cpp,
            port + 2 * round + 1,
            http_requests,
        ));
    }
    let notes: Vec<String> = hello.notes.iter().chain(&echo.notes).cloned().collect();
    let text = format!(
        "{{\n  \"url\": \"{URL}\",\n  \"requests_per_run\": {requests},\n  \
         \"callgrind_requests\": {callgrind_requests},\n{}  \
         \"instructions_note\": \"{}\",\n  \"http_requests\": {http_requests},\n  \
         \"rust_http_rps\": {},\n  \"cpp_http_rps\": {},\n  \
         \"rust_dll_bytes\": {},\n  \"cpp_dll_bytes\": {},\n  \
         \"echo_url\": \"{ECHO_URL}\",\n{}  \
         \"echo_rust_dll_bytes\": {},\n  \"echo_cpp_dll_bytes\": {}\n}}\n",
        pair_json("", &hello),
        notes.join("; ").replace('"', "'"),
        list(&rust_rps),
        list(&cpp_rps),
        size(&rust),
        size(&cpp),
        pair_json("echo_", &echo),
        size(&echo_rust),
        size(&echo_cpp),
    );
    std::fs::write(json, &text).unwrap();
    eprint!("{text}");
}

#[cfg(test)]
mod tests {
    use super::cost_at;

    /// Absolute, relative and repeated positions; a call's inclusive cost is not the
    /// caller's own.
    #[test]
    fn callgrind_costs_are_read_by_instruction_address() {
        let profile = "positions: instr line\nevents: Ir\nsummary: 60\n\nob=(1) ???\n\
                       fn=(1) 0x1000\n0x1000 0 5\n+4 0 7\n* 0 1\ncalls=1 0x2000 0\n+2 0 40\n\
                       -10 0 3\nfn=(2) 0x2000\n0x2000 0 40\n";
        let inside = |lo: u64, hi: u64| cost_at(profile, move |a| (lo..hi).contains(&a));
        // 0x1000: 5, 0x1004: 7 + 1, 0x0ffc: 3 (the 40 after calls= at 0x1006 is skipped).
        assert_eq!(inside(0x1000, 0x1008), 13);
        assert_eq!(inside(0x0ff0, 0x1000), 3);
        assert_eq!(inside(0x2000, 0x2001), 40);
        assert_eq!(inside(0, u64::MAX), 56);
    }
}
