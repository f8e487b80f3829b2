//! Miri, the judge of soundness across the vtable boundary: the unit and doc tests of the
//! runtime, the framework and the test server, the framework's tests run in the test server
//! (`framework/tests/module.rs`; `completion.rs`, the completion protocol against a host that
//! re-enters the module from `PostCompletion` and one that gives up on a pending request;
//! `panics.rs`, panics in every `Drop` IIS runs and in a panic's payload; `ownership.rs`, a
//! user handed to IIS and cloned contexts released through their guards; `bodies.rs`, bodies
//! read whole and bounded; `tasks.rs`, `async` notifications on IIS's asynchronous I/O; `place.rs`, the site, paths,
//! connection and user), the examples held to the C++ host's answers (`test_server.rs`),
//! every accepted SAL form of the fixture catalogue against a C++ side that keeps the
//! annotation to the byte (`sal_forms.rs`), and each example's own tests run under
//! `cargo +nightly miri test`, and Miri must find no undefined behaviour. Not the rest of the
//! suite: it calls libclang, spawns compilers or runs wine, which Miri cannot.
//!
//! Under Tree Borrows with strict provenance: nothing turns an integer into a pointer, and a
//! C++ object is reached through a reference to its vtable pointer (the class structs are
//! `!Freeze` for that), which Stacked Borrows forbids for any C++ object model.
//!
//! Prints `SKIPPED: <why>` when nightly with Miri is not installed (`.ci/prerequisites`
//! installs it, best effort, and keeps the reason when it cannot).

use httpserv_tests::support::workspace_root;
use std::process::Command;

/// Tree Borrows with strict provenance, and the provenance garbage collector run ten times as
/// often as by default: it drops only tags no pointer holds any more, so it finds the same
/// undefined behaviour, but Tree Borrows walks every live tag of an allocation on each access,
/// and a loop that hands out a `&mut u8` per byte (`make_ascii_uppercase` over a 15 kB body)
/// ran 50 times slower with the tags of 10,000 basic blocks alive than with those of 1,000.
const MIRIFLAGS: &str = "-Zmiri-strict-provenance -Zmiri-tree-borrows -Zmiri-provenance-gc=1000";

/// `cargo +nightly miri test <args>` in the workspace, in target directory `target` of its
/// own (the outer `cargo test` may hold the usual one, and each lane needs its own lock).
fn miri_test(target: &str, args: &[&str]) {
    let root = workspace_root();
    let started = std::time::Instant::now();
    let output = Command::new("cargo")
        .current_dir(&root)
        .args(["+nightly", "miri", "test"])
        .args(args)
        .env("MIRIFLAGS", MIRIFLAGS)
        .env("CARGO_TARGET_DIR", root.join(target))
        .output()
        .expect("cargo runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "cargo +nightly miri test {}:\n{stdout}\n{stderr}",
        args.join(" ")
    );
    let passed: usize = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("test result: ok. "))
        .filter_map(|rest| rest.split(' ').next()?.parse::<usize>().ok())
        .sum();
    assert!(passed > 0, "no test ran under Miri for {}", args.join(" "));
    eprintln!(
        "miri: {} ({passed} tests, {:.0?}): no undefined behaviour",
        args.join(" "),
        started.elapsed()
    );
}

/// The example modules (`tests/examples/*.rs`) by name, split between the lanes: every
/// fourth to the test server's, the rest to the framework's, which evens them (each
/// example's tests take a few seconds under Miri after their build).
fn examples() -> (Vec<String>, Vec<String>) {
    let dir = workspace_root().join("tests/examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/examples")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            let name = path.file_stem()?.to_str()?.to_string();
            (path.extension()? == "rs").then_some(name)
        })
        .collect();
    names.sort();
    let (some, most): (Vec<_>, Vec<_>) =
        names.into_iter().enumerate().partition(|(i, _)| i % 4 == 3);
    let strip = |v: Vec<(usize, String)>| v.into_iter().map(|(_, name)| name).collect();
    (strip(most), strip(some))
}

fn miri_available() -> Result<(), String> {
    let probe = Command::new("cargo")
        .args(["+nightly", "miri", "--version"])
        .output();
    match probe {
        Ok(output) if output.status.success() => Ok(()),
        _ => {
            let kept = workspace_root().join("target/prerequisites/miri.txt");
            Err(std::fs::read_to_string(kept)
                .map(|reason| reason.trim().to_string())
                .unwrap_or_else(|_| "cargo +nightly miri is not available".into()))
        }
    }
}

#[test]
fn the_framework_the_test_server_and_the_examples_have_no_undefined_behaviour() {
    if let Err(reason) = miri_available() {
        httpserv_tests::support::skipped(&format!(
            "Miri on the test server and the examples: {reason}"
        ));
        return;
    }
    // Not `httpserv`'s own tests: they are trybuild's compile-fail cases, which run rustc.
    // Two lanes at once, each with its own target directory (Miri runs one test binary on one
    // core), about even (measured on 2 cores: the runtime and the framework 125 s, the test
    // server's own tests 170 s with the rest 50 s, the examples 190 s, split between them).
    let framework: &[&[&str]] = &[
        &["-p", "httpserv-runtime", "--lib"],
        &[
            "-p",
            "httpserv-framework",
            "--lib",
            "--test",
            "module",
            "--test",
            "completion",
            "--test",
            "panics",
            "--test",
            "ownership",
            "--test",
            "bodies",
            "--test",
            "tasks",
            "--test",
            "place",
            "--test",
            "global_results",
            "--test",
            "request_headers",
            "--test",
            "stream",
            "--test",
            "state_maps",
        ],
        &["-p", "httpserv-framework", "--doc"],
    ];
    let test_server: &[&[&str]] = &[
        &["-p", "httpserv-testing", "--lib"],
        &["-p", "httpserv-testing", "--doc"],
        &["-p", "httpserv-tests", "--test", "test_server"],
        &["-p", "httpserv-tests", "--test", "sal_forms"],
    ];
    let (most_examples, some_examples) = examples();
    std::thread::scope(|lanes| {
        let lane = |target: &'static str,
                    runs: &'static [&'static [&'static str]],
                    examples: Vec<String>| {
            lanes.spawn(move || {
                runs.iter().for_each(|args| miri_test(target, args));
                let mut args = vec!["-p", "httpserv-examples"];
                for example in &examples {
                    args.extend(["--example", example.as_str()]);
                }
                miri_test(target, &args);
            })
        };
        let first = lane("target/miri-tests", framework, most_examples);
        let second = lane("target/miri-tests-rest", test_server, some_examples);
        for lane in [first, second] {
            if let Err(panic) = lane.join() {
                std::panic::resume_unwind(panic);
            }
        }
    });
}
