//! The `cargo xtask` binary runs libclang in a child process: a libclang that crashes, hangs
//! or has the wrong version is one clear error with exit code 2, and the output is untouched.
//! So is a header path that is not UTF-8 (the binary reads its arguments as OS strings).
//! (Here rather than in tests/ because only this package's tests can run the xtask binary.)
//!
//! The broken libclangs are built from tests/fixtures/fake_libclang.c with clang-19 and
//! loaded through LIBCLANG_PATH (linked by lld-19, so nothing beyond .ci/prerequisites).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("parse-isolation-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Builds a fake `libclang.so` into `dir`, or None (with a loud SKIPPED) without clang-19.
fn fake_libclang(dir: &Path, defines: &[&str]) -> Option<PathBuf> {
    let clang = std::env::var("HTTPSERV_RS_CLANG").unwrap_or_else(|_| "clang-19".into());
    let lib_dir = dir.join("lib");
    std::fs::create_dir_all(&lib_dir).unwrap();
    let built = Command::new(&clang)
        .args(["-shared", "-fPIC", "-O0", "-fuse-ld=lld", "-o"])
        .arg(lib_dir.join("libclang.so"))
        .arg(root().join("tests/fixtures/fake_libclang.c"))
        .args(defines)
        .output();
    match built {
        Ok(out) if out.status.success() => Some(lib_dir),
        Ok(out) => panic!(
            "{clang} could not build the fake libclang:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => {
            {
                use std::io::Write;
                // Past libtest's capture, so the skip shows even when the test passes.
                let _ = writeln!(
                    std::io::stderr(),
                    "SKIPPED: cannot run {clang} ({e}); install it with `apt-get install clang-19`"
                );
            };
            None
        }
    }
}

fn xtask(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args).current_dir(root());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn regen(header: &str, out: &Path, env: &[(&str, &Path)]) -> Output {
    xtask(
        &["regen", "--header", header, "--out", out.to_str().unwrap()],
        env,
    )
}

/// Regenerates uuid.h into `dir/generated` with the real libclang; returns its files.
fn generated_files(dir: &Path) -> (PathBuf, Vec<(PathBuf, Vec<u8>)>) {
    let out = dir.join("generated");
    let made = regen("tests/fixtures/uuid.h", &out, &[]);
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    (out.clone(), snapshot(&out))
}

fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    files
}

fn assert_one_clear_error(output: &Output, expected: &[&str]) -> String {
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for part in expected {
        assert!(stderr.contains(part), "expected {part:?} in:\n{stderr}");
    }
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("RUST_BACKTRACE"), "{stderr}");
    stderr
}

#[test]
fn a_libclang_crash_is_reported_and_nothing_is_written() {
    let dir = scratch("crash");
    let Some(lib) = fake_libclang(&dir, &["-DCRASH_IN_PARSE"]) else {
        return;
    };
    let (out, before) = generated_files(&dir);
    let crashed = regen("tests/fixtures/uuid.h", &out, &[("LIBCLANG_PATH", &lib)]);
    assert_one_clear_error(
        &crashed,
        &[
            "tests/fixtures/uuid.h: the parser crashed while libclang was reading this header \
             (signal 11, SIGSEGV); nothing was written",
        ],
    );
    assert_eq!(snapshot(&out), before, "generated files must be untouched");

    // check-abi and abi-diff parse the same way.
    let check = xtask(
        &["check-abi", "--header", "tests/fixtures/uuid.h"],
        &[("LIBCLANG_PATH", &lib)],
    );
    assert_one_clear_error(&check, &["SIGSEGV"]);
    let diff = xtask(
        &["abi-diff", "tests/fixtures/uuid.h", "tests/fixtures/uuid.h"],
        &[("LIBCLANG_PATH", &lib)],
    );
    assert_one_clear_error(&diff, &["SIGSEGV"]);
}

#[test]
fn a_crash_libclang_recovered_from_is_named() {
    let dir = scratch("recovered");
    let Some(lib) = fake_libclang(&dir, &["-DPARSE_RESULT=2"]) else {
        return;
    };
    let out = dir.join("generated");
    let recovered = regen("tests/fixtures/uuid.h", &out, &[("LIBCLANG_PATH", &lib)]);
    assert_one_clear_error(
        &recovered,
        &["libclang crashed while parsing (it recovered and reported CXError_Crashed)"],
    );
    assert!(!out.exists(), "nothing may be written");
}

#[test]
fn an_older_libclang_is_refused_with_how_to_install_19() {
    let dir = scratch("old-version");
    let Some(lib) = fake_libclang(&dir, &["-DFAKE_VERSION=\"clang version 14.0.6\""]) else {
        return;
    };
    let (out, before) = generated_files(&dir);
    let refused = regen("tests/fixtures/uuid.h", &out, &[("LIBCLANG_PATH", &lib)]);
    assert_one_clear_error(
        &refused,
        &[
            "found `clang version 14.0.6`, but libclang 19 is required",
            "apt-get install libclang-19-dev",
        ],
    );
    assert_eq!(snapshot(&out), before, "generated files must be untouched");
}

#[test]
fn a_hanging_parse_is_stopped_at_the_time_limit() {
    let dir = scratch("hang");
    let out = dir.join("generated");
    let slow = regen(
        "tests/fixtures/errors/slow_expansion.h",
        &out,
        &[("HTTPSERV_RS_PARSE_TIMEOUT", Path::new("1"))],
    );
    assert_one_clear_error(
        &slow,
        &["tests/fixtures/errors/slow_expansion.h: libclang did not finish parsing within 1 s"],
    );
    assert!(!out.exists(), "nothing may be written");
}

#[cfg(unix)]
#[test]
fn a_header_path_that_is_not_utf8_is_a_clear_error() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = scratch("not-utf8");
    let header = dir.join(OsStr::from_bytes(b"server-\xff.h"));
    std::fs::copy(root().join("tests/fixtures/uuid.h"), &header).unwrap();
    let out = dir.join("generated");
    let refused = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("regen")
        .arg("--header")
        .arg(&header)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_one_clear_error(&refused, &["server-\u{FFFD}.h is not valid UTF-8"]);
    assert!(!out.exists(), "nothing may be written");

    // A library caller gets the same advice from the parser.
    let message = generator::parse::parse(&xtask::parse_options(&header))
        .unwrap_err()
        .to_string();
    assert!(message.contains("is not valid UTF-8"), "{message}");
}
