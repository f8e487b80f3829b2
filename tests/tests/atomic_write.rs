//! A failure while writing leaves every previous file intact, and an update interrupted
//! between its renames is finished by the next run (its own test binary: the failpoint is a
//! process-wide environment variable).

use std::path::PathBuf;
use std::sync::Mutex;

/// The failpoint is process-wide: these tests take turns.
static FAILPOINT: Mutex<()> = Mutex::new(());

#[test]
fn failure_midway_leaves_old_files_untouched() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let dir: PathBuf =
        std::env::temp_dir().join(format!("httpserv-rs-atomic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("generated");
    std::fs::create_dir_all(out.join("src/bindings")).unwrap();
    for file in [
        "src/bindings/mod.rs",
        "src/bindings/types.rs",
        "src/bindings/i_http_request.rs",
    ] {
        std::fs::write(out.join(file), format!("// old {file}\n")).unwrap();
    }
    std::env::set_var("HTTPSERV_RS_FAILPOINT", "after-first-staged-file");
    let run = httpserv_tests::support::xtask(&["regen", "--out", &out.display().to_string()]);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    let (code, stderr) = (run.code, run.stderr);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("previous files left in place"), "{stderr}");
    for file in [
        "src/bindings/mod.rs",
        "src/bindings/types.rs",
        "src/bindings/i_http_request.rs",
    ] {
        assert_eq!(
            std::fs::read_to_string(out.join(file)).unwrap(),
            format!("// old {file}\n")
        );
    }
    // No staging files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.join("src/bindings"))
        .unwrap()
        .chain(std::fs::read_dir(&out).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".regen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_update_interrupted_between_renames_is_finished_by_the_next_run() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let dir: PathBuf =
        std::env::temp_dir().join(format!("httpserv-rs-journal-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("generated");
    let out_arg = out.display().to_string();
    let header = httpserv_tests::support::fixture_path("overload_group")
        .display()
        .to_string();
    let run = |args: &[&str]| {
        let run = httpserv_tests::support::xtask(args);
        (run.code, run.stdout, run.stderr)
    };
    // The process "dies" after the first of its renames: the tree is mixed, with a journal.
    std::env::set_var("HTTPSERV_RS_FAILPOINT", "after-first-rename");
    let (code, _, stderr) = run(&["regen", "--header", &header, "--out", &out_arg]);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    assert_eq!(code, 2, "{stderr}");
    assert!(out.join(".regen-journal").exists());
    // The next run (even a --check) completes the update before anything else.
    let (code, stdout, stderr) = run(&["regen", "--check", "--header", &header, "--out", &out_arg]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("finished the interrupted update"),
        "{stdout}"
    );
    assert!(!out.join(".regen-journal").exists());
    let leftovers: Vec<_> = std::fs::read_dir(out.join("src/bindings"))
        .unwrap()
        .chain(std::fs::read_dir(&out).unwrap())
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".regen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(dir);
}
