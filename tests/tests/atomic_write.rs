//! regen replaces the files of the output directory all-or-nothing: a failure while
//! staging, a replacement that fails midway (a target that is a directory, or immutable
//! with `chattr +i`), or a failure right after the first replacement leaves every file as
//! it was, says so, and leaves no journal or staging file behind; a journal that cannot be
//! followed stops the run; staging files of dead runs are removed. (Its own test binary: the
//! failpoint is a process-wide environment variable. Process deaths, the lock and the stress
//! test run the xtask binary, in `xtask/tests/`.)

use httpserv_tests::support::{fixture_path, xtask, Run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The failpoint is process-wide: these tests take turns.
static FAILPOINT: Mutex<()> = Mutex::new(());

fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("httpserv-rs-atomic-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir.join("generated")
}

fn regen(fixture: &str, out: &Path, extra: &[&str]) -> Run {
    let header = fixture_path(fixture).display().to_string();
    let out = out.display().to_string();
    let mut args = vec!["regen", "--header", &header, "--out", &out];
    args.extend_from_slice(extra);
    xtask(&args)
}

/// Every file and directory under `dir` (relative path → contents; directories end in `/`).
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.strip_prefix(base).unwrap().display().to_string();
            if path.is_dir() {
                out.insert(format!("{name}/"), Vec::new());
                walk(base, &path, out);
            } else {
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Hidden files (journal, lock, staging, backups) anywhere under `dir`.
fn hidden(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.split('/').any(|part| part.starts_with('.')))
        .collect()
}

/// `out` holding const_pair.h's output (abi.json, i_const_pair.rs, mod.rs).
fn previous_output(test: &str) -> PathBuf {
    let out = scratch(test);
    let run = regen("const_pair", &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

/// Runs overload_group.h over const_pair.h's output, which replaces abi.json, writes
/// i_overloads.rs, replaces mod.rs and removes i_const_pair.rs: in that order.
fn switch_header(out: &Path) -> Run {
    regen("overload_group", out, &["--allow-breaking"])
}

#[test]
fn failure_while_staging_leaves_old_files_untouched() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("staging");
    let before = snapshot(&out);
    std::env::set_var("HTTPSERV_RS_FAILPOINT", "after-first-staged-file");
    let run = switch_header(&out);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "writing the new files failed before any was replaced (failpoint \
             `after-first-staged-file` triggered); every file is as before this run"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before);
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

/// A replacement that fails after others succeeded: every replaced file is put back.
fn assert_rolled_back(out: &Path, before: &BTreeMap<String, Vec<u8>>, run: &Run, cause: &str) {
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "replacing src/bindings/mod.rs failed ({cause}); the 3 file(s) already replaced \
             were put back: every file is as before this run"
        )),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert_eq!(&snapshot(out), before);
    assert!(hidden(out).is_empty(), "{:?}", hidden(out));
}

#[test]
fn a_target_that_is_a_directory_midway_puts_back_what_was_replaced() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("directory");
    let module = out.join("src/bindings/mod.rs");
    std::fs::remove_file(&module).unwrap();
    std::fs::create_dir(&module).unwrap();
    std::fs::write(module.join("keep"), "a directory in the way\n").unwrap();
    let before = snapshot(&out);
    let run = switch_header(&out);
    assert_rolled_back(&out, &before, &run, "Is a directory (os error 21)");
    // With the obstacle gone, the next run writes everything.
    std::fs::remove_dir_all(&module).unwrap();
    let run = switch_header(&out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(out.join("src/bindings/i_overloads.rs").exists());
    assert!(!out.join("src/bindings/i_const_pair.rs").exists());
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[cfg(target_os = "linux")]
#[test]
fn an_immutable_target_midway_puts_back_what_was_replaced() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("immutable");
    let module = out.join("src/bindings/mod.rs");
    let chattr = |flag: &str| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(&module)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !chattr("+i") {
        httpserv_tests::support::skipped(
            "chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE and ext4 or \
             similar); the directory variant of this test covers the rollback",
        );
        let _ = std::fs::remove_dir_all(out.parent().unwrap());
        return;
    }
    let before = snapshot(&out);
    let run = switch_header(&out);
    assert!(
        chattr("-i"),
        "cannot undo chattr +i on {}",
        module.display()
    );
    assert_rolled_back(&out, &before, &run, "Operation not permitted (os error 1)");
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn an_undo_that_cannot_be_recorded_is_left_for_the_next_run_to_finish() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("unrecorded");
    let module = out.join("src/bindings/mod.rs");
    std::fs::remove_file(&module).unwrap();
    std::fs::create_dir(&module).unwrap();
    std::env::set_var("HTTPSERV_RS_FAILPOINT", "mark-undo");
    let run = switch_header(&out);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "replacing src/bindings/mod.rs failed (Is a directory (os error 21)), and \
             .regen-journal could not be switched to undo (failpoint `mark-undo` triggered), \
             so nothing was put back: the directory is a mix of old and new files until the \
             next regen, which finishes this update from .regen-journal"
        ),
        "{}",
        run.stderr
    );
    // The next run, once the obstacle is gone, finishes that update first.
    std::fs::remove_dir(&module).unwrap();
    let run = regen("overload_group", &out, &["--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains("finished the interrupted update of "),
        "{}",
        run.stdout
    );
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn a_failure_after_the_first_replacement_puts_it_back() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("first-rename");
    let before = snapshot(&out);
    std::env::set_var("HTTPSERV_RS_FAILPOINT", "after-first-rename");
    let run = switch_header(&out);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "replacing idiomatic-coverage.md failed (failpoint `after-first-rename` \
             triggered); the 1 file(s) already replaced were put back: every file is as \
             before this run"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before);
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn abi_json_as_a_directory_stops_the_run_and_leaves_no_journal() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("abi-directory");
    let manifest = out.join("abi.json");
    std::fs::remove_file(&manifest).unwrap();
    std::fs::create_dir(&manifest).unwrap();
    let before = snapshot(&out);
    // The guard cannot read it: exit 2 before anything is written.
    let run = regen("const_pair", &out, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("abi.json: cannot read: Is a directory"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before);
    // Told to replace it anyway, the first rename fails and nothing changes.
    let run = switch_header(&out);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "replacing abi.json failed (Is a directory (os error 21)); nothing had been \
             replaced yet: every file is as before this run"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before);
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
    // No journal is left to break later runs.
    std::fs::remove_dir(&manifest).unwrap();
    let run = switch_header(&out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.lines().count() == 1, "{}", run.stdout);
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn a_journal_that_cannot_be_followed_stops_the_run() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("bad-journal");
    std::fs::write(out.join(".regen-journal"), "rename\tsrc/a.rs\tsrc/b.rs\n").unwrap();
    let before = snapshot(&out);
    let run = switch_header(&out);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(".regen-journal is not a journal regen can follow")
            && run.stderr.contains("nothing was changed"),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), before);
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[cfg(unix)]
#[test]
fn staging_files_of_dead_runs_are_removed_and_a_live_runs_are_kept() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("orphans");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let alive = std::os::unix::process::parent_id();
    let orphans = [
        format!(".abi.json.regen-{dead}"),
        format!("src/bindings/.mod.rs.regen-backup-{dead}"),
        format!(".regen-journal.regen-{dead}"),
    ];
    let live = format!("src/bindings/.mod.rs.regen-{alive}");
    for name in orphans.iter().chain([&live]) {
        std::fs::write(out.join(name), "partial").unwrap();
    }
    let run = regen("const_pair", &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("removed 3 staging file(s) left in ")
            && run.stdout.contains(" by runs that died"),
        "{}",
        run.stdout
    );
    for name in &orphans {
        assert!(!out.join(name).exists(), "{name} is still there");
    }
    assert!(
        out.join(&live).exists(),
        "a running process's file was removed"
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}
