//! The Rust-against-C++ benchmark of the IIS host (for `tests/tests/iis_host.rs`'s ignored
//! test, which `cargo xtask bench --only iis-host` runs): the same request through the same
//! host with the Rust DLLs and with their C++ twins.
//!
//! - **pipeline**: `iis_host.exe --bench N` drives N synthetic GET requests through the whole
//!   pipeline in process (no HTTP; after a warm-up of N/10), timed with the performance
//!   counter; rounds alternate the languages;
//! - **instructions**: the same loop under `valgrind --tool=callgrind --instr-atstart=no`,
//!   the host switching counting on and off around the loop with client requests, so the
//!   count is the loop's alone (host, modules, and the wine code they call);
//! - **HTTP**: requests per second over one keep-alive connection, `curl` fetching N URLs
//!   (`?name=[1-N]`) from the host serving through wine's HTTP Server API.
//!
//! Results go to a JSON file, written by hand (this package has no JSON dependency).

use super::harness::{module_args, wine_command, Build, HostProcess, Tools};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

pub const URL: &str = "/hello?name=bench";

/// Nanoseconds per request of one `--bench` run.
fn pipeline_run(
    tools: &Tools,
    build: &Build,
    out: &Path,
    modules: &[(String, std::path::PathBuf)],
    n: u64,
) -> f64 {
    let output = wine_command(tools, build, out)
        .args(module_args(modules))
        .args(["--bench", &n.to_string(), "--url", URL, "--seconds", "300"])
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

/// Instructions per request under callgrind, or why they could not be counted.
fn instructions(
    tools: &Tools,
    build: &Build,
    out: &Path,
    label: &str,
    modules: &[(String, std::path::PathBuf)],
    n: u64,
) -> Result<f64, String> {
    let dir = build.dir.join(format!("callgrind-{label}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let wine = wine_command(tools, build, out);
    let mut command = Command::new("valgrind");
    command
        .args([
            "--tool=callgrind",
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
        .args(["--bench", &n.to_string(), "--url", URL, "--seconds", "600"])
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
    // Only the host's process switches counting on; the other processes count nothing.
    let mut total = 0u64;
    for file in std::fs::read_dir(&dir).unwrap().flatten() {
        let text = std::fs::read_to_string(file.path()).unwrap_or_default();
        total += text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("summary:")
                    .or_else(|| l.strip_prefix("totals:"))
            })
            .filter_map(|v| v.split_whitespace().next()?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
    }
    if total == 0 {
        return Err("callgrind counted nothing".into());
    }
    Ok(total as f64 / n as f64)
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

/// Runs everything and writes the JSON report to `json`.
pub fn measure(tools: &Tools, build: &Build, out: &Path, json: &Path, port: u16) {
    let (requests, rounds, callgrind_requests, http_requests) = (20_000u64, 7, 2_000u64, 1_000u64);
    let (mut rust_ns, mut cpp_ns) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        rust_ns.push(pipeline_run(tools, build, out, &build.rust, requests));
        cpp_ns.push(pipeline_run(tools, build, out, &build.cpp, requests));
    }
    let count = |label, modules| match instructions(
        tools,
        build,
        out,
        label,
        modules,
        callgrind_requests,
    ) {
        Ok(per_request) => (format!("{per_request:.1}"), String::new()),
        Err(why) => ("null".to_string(), why),
    };
    let (rust_instructions, rust_why) = count("rust", &build.rust);
    let (cpp_instructions, cpp_why) = count("cpp", &build.cpp);
    let (mut rust_rps, mut cpp_rps) = (Vec::new(), Vec::new());
    for round in 0..3u16 {
        rust_rps.push(http_run(
            tools,
            build,
            out,
            "rust",
            &build.rust,
            port + 2 * round,
            http_requests,
        ));
        cpp_rps.push(http_run(
            tools,
            build,
            out,
            "cpp",
            &build.cpp,
            port + 2 * round + 1,
            http_requests,
        ));
    }
    let size = |modules: &[(String, std::path::PathBuf)]| -> u64 {
        modules
            .iter()
            .map(|(_, dll)| dll.metadata().map(|m| m.len()).unwrap_or(0))
            .sum()
    };
    let text = format!(
        "{{\n  \"url\": \"{URL}\",\n  \"requests_per_run\": {requests},\n  \
         \"rust_ns_per_request\": {},\n  \"cpp_ns_per_request\": {},\n  \
         \"callgrind_requests\": {callgrind_requests},\n  \
         \"rust_instructions_per_request\": {rust_instructions},\n  \
         \"cpp_instructions_per_request\": {cpp_instructions},\n  \
         \"instructions_note\": \"{}\",\n  \"http_requests\": {http_requests},\n  \
         \"rust_http_rps\": {},\n  \"cpp_http_rps\": {},\n  \
         \"rust_dll_bytes\": {},\n  \"cpp_dll_bytes\": {}\n}}\n",
        list(&rust_ns),
        list(&cpp_ns),
        format!("{rust_why}{cpp_why}").replace('"', "'"),
        list(&rust_rps),
        list(&cpp_rps),
        size(&build.rust),
        size(&build.cpp),
    );
    std::fs::write(json, &text).unwrap();
    eprint!("{text}");
}
