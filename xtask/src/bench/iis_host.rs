//! `iis-host`: the README's module and the hello module as Rust DLLs against the same modules
//! in C++, loaded by the IIS host of `tests/iis_host` under wine. The measuring is done by the
//! ignored test `bench_pipeline_rust_against_cpp` of `tests/tests/iis_host.rs` (it shares the
//! build of DLLs and host with the tests); this runs it and reads the JSON it writes. A
//! second pair, `echo_module`'s asynchronous `GET /hello` in Rust and in C++, comes in the
//! same JSON under keys prefixed `echo_`.

use super::stats::Series;
use std::path::Path;
use std::process::Stdio;

#[derive(Debug, Clone, Default)]
pub struct IisHost {
    pub url: String,
    pub requests_per_run: u64,
    /// Seconds per request through the pipeline, one sample per run.
    pub rust_pipeline: Series,
    pub cpp_pipeline: Series,
    pub callgrind_requests: u64,
    /// Instructions per request, whole loop and inside the module DLLs' own code; one
    /// sample per callgrind run.
    pub rust_instructions: Series,
    pub cpp_instructions: Series,
    pub rust_module_instructions: Series,
    pub cpp_module_instructions: Series,
    pub instructions_note: String,
    pub http_requests: u64,
    /// Requests per second over HTTP, one sample per run.
    pub rust_http: Series,
    pub cpp_http: Series,
    pub rust_dll_bytes: u64,
    pub cpp_dll_bytes: u64,
    /// The echo pair, when the JSON has it.
    pub echo: Option<EchoPair>,
}

/// `echo_module`'s `GET /hello` (write, flush, finish, all asynchronous): the Rust `async fn`
/// against the C++ twin's state machine; pipeline and instructions as for the hello pair.
#[derive(Debug, Clone, Default)]
pub struct EchoPair {
    pub url: String,
    pub rust_pipeline: Series,
    pub cpp_pipeline: Series,
    pub rust_instructions: Series,
    pub cpp_instructions: Series,
    pub rust_module_instructions: Series,
    pub cpp_module_instructions: Series,
    pub rust_dll_bytes: u64,
    pub cpp_dll_bytes: u64,
}

fn series(json: &serde_json::Value, key: &str, scale: f64) -> Series {
    Series(
        json[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_f64())
                    .map(|v| v * scale)
                    .collect()
            })
            .unwrap_or_default(),
    )
}

pub fn parse(text: &str) -> Result<IisHost, String> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let number = |key: &str| json[key].as_u64().unwrap_or(0);
    Ok(IisHost {
        url: json["url"].as_str().unwrap_or("").to_string(),
        requests_per_run: number("requests_per_run"),
        rust_pipeline: series(&json, "rust_ns_per_request", 1e-9),
        cpp_pipeline: series(&json, "cpp_ns_per_request", 1e-9),
        callgrind_requests: number("callgrind_requests"),
        rust_instructions: series(&json, "rust_instructions_per_request", 1.0),
        cpp_instructions: series(&json, "cpp_instructions_per_request", 1.0),
        rust_module_instructions: series(&json, "rust_module_instructions_per_request", 1.0),
        cpp_module_instructions: series(&json, "cpp_module_instructions_per_request", 1.0),
        instructions_note: json["instructions_note"].as_str().unwrap_or("").to_string(),
        http_requests: number("http_requests"),
        rust_http: series(&json, "rust_http_rps", 1.0),
        cpp_http: series(&json, "cpp_http_rps", 1.0),
        rust_dll_bytes: number("rust_dll_bytes"),
        cpp_dll_bytes: number("cpp_dll_bytes"),
        echo: json["echo_url"].as_str().map(|url| EchoPair {
            url: url.to_string(),
            rust_pipeline: series(&json, "echo_rust_ns_per_request", 1e-9),
            cpp_pipeline: series(&json, "echo_cpp_ns_per_request", 1e-9),
            rust_instructions: series(&json, "echo_rust_instructions_per_request", 1.0),
            cpp_instructions: series(&json, "echo_cpp_instructions_per_request", 1.0),
            rust_module_instructions: series(
                &json,
                "echo_rust_module_instructions_per_request",
                1.0,
            ),
            cpp_module_instructions: series(&json, "echo_cpp_module_instructions_per_request", 1.0),
            rust_dll_bytes: number("echo_rust_dll_bytes"),
            cpp_dll_bytes: number("echo_cpp_dll_bytes"),
        }),
    })
}

pub fn measure(root: &Path, scratch: &Path) -> Result<IisHost, String> {
    let json = scratch.join("iis-host.json");
    let status = super::cargo_command()
        .args([
            "test",
            "--quiet",
            "-p",
            "httpserv-tests",
            "--test",
            "iis_host",
            "--",
        ])
        .args(["--ignored", "--exact", "bench_pipeline_rust_against_cpp"])
        .current_dir(root)
        .env("IIS_HOST_BENCH_OUT", &json)
        // The test's output (a failure's message among it) to our stderr, not our stdout.
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!("the iis_host benchmark test failed ({status})"));
    }
    let text = std::fs::read_to_string(&json).map_err(|e| format!("{}: {e}", json.display()))?;
    let keep = root.join("target/xtask-bench");
    if std::fs::create_dir_all(&keep).is_ok() {
        let _ = std::fs::write(keep.join("iis-host.json"), &text);
    }
    parse(&text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_benchmark_json() {
        let text = r#"{"url": "/hello", "requests_per_run": 10, "rust_ns_per_request": [2000.0, 4000.0],
            "cpp_ns_per_request": [3000.0], "callgrind_requests": 5, "rust_instructions_per_request": [100.5],
            "cpp_instructions_per_request": [], "rust_module_instructions_per_request": [7.0, 9.0], "instructions_note": "no valgrind", "http_requests": 7,
            "rust_http_rps": [900.0], "cpp_http_rps": [], "rust_dll_bytes": 12, "cpp_dll_bytes": 3,
            "echo_url": "/hello", "echo_rust_instructions_per_request": [20.0, 30.0, 10.0],
            "echo_cpp_ns_per_request": [1000.0], "echo_cpp_dll_bytes": 4}"#;
        let r = super::parse(text).unwrap();
        assert!((r.rust_pipeline.median() - 3e-6).abs() < 1e-15);
        assert_eq!(r.rust_instructions.median(), 100.5);
        assert!(r.cpp_instructions.is_empty() && r.cpp_module_instructions.is_empty());
        assert_eq!(r.rust_module_instructions.median(), 8.0);
        assert_eq!(
            (r.requests_per_run, r.http_requests, r.cpp_http.is_empty()),
            (10, 7, true)
        );
        let echo = r.echo.unwrap();
        assert_eq!(echo.url, "/hello");
        assert_eq!(echo.rust_instructions.median(), 20.0);
        assert!((echo.cpp_pipeline.median() - 1e-6).abs() < 1e-15);
        assert!(echo.rust_pipeline.is_empty() && echo.cpp_module_instructions.is_empty());
        assert_eq!((echo.rust_dll_bytes, echo.cpp_dll_bytes), (0, 4));
        let without = r#"{"url": "/hello", "rust_ns_per_request": [1.0]}"#;
        assert!(super::parse(without).unwrap().echo.is_none());
    }
}
