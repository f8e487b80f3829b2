//! regen writes the output directory all-or-nothing, as a whole. A failure while staging,
//! a swap that fails (by failpoint, or an immutable directory) and a fallback whose second
//! rename fails leave every file as it was and say so, with nothing left beside the
//! directory; a fallback that cannot even move the directory back says where it is, a
//! next run that cannot either stops and says so, and one that can moves it back; a failed
//! sync after the swap says the new files are in place. Whatever else was in the directory
//! (a hand-written file, a hidden one, a directory where a file goes) is reported and
//! replaced, but a directory regen did not write (not empty, no abi.json) and a file are
//! refused; the fallback writes what the exchange writes; leftovers of dead runs beside
//! the directory are removed, a live run's kept. (Its own test binary: the failpoint is a
//! process-wide environment variable. Process deaths, the lock and the stress test run the
//! xtask binary, in `xtask/tests/`.)

use httpserv_tests::support::{fixture_path, xtask, Run};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The failpoint is process-wide: these tests take turns.
static FAILPOINT: Mutex<()> = Mutex::new(());

/// A fresh directory for `test`, and `generated` in it (not created).
fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("httpserv-rs-atomic-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("generated")
}

fn regen(fixture: &str, out: &Path, extra: &[&str]) -> Run {
    let header = fixture_path(fixture).display().to_string();
    let out = out.display().to_string();
    let mut args = vec!["regen", "--header", &header, "--out", &out];
    args.extend_from_slice(extra);
    xtask(&args)
}

/// `regen` with `HTTPSERV_RS_FAILPOINT=failpoint` (hold [`FAILPOINT`]).
fn regen_failing(failpoint: &str, fixture: &str, out: &Path, extra: &[&str]) -> Run {
    std::env::set_var("HTTPSERV_RS_FAILPOINT", failpoint);
    let run = regen(fixture, out, extra);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    run
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

/// The names beside the output directory `out` (lock, staging and aside trees).
fn beside(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "generated")
        .collect();
    names.sort();
    names
}

/// What `fixture` alone writes.
fn reference(test: &str, fixture: &str) -> BTreeMap<String, Vec<u8>> {
    let out = scratch(&format!("{test}-reference"));
    let run = regen(fixture, &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = snapshot(&out);
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
    files
}

/// `out` holding const_pair.h's output.
fn previous_output(test: &str) -> PathBuf {
    let out = scratch(test);
    let run = regen("const_pair", &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    out
}

/// A run that failed with `message`, leaving the directory as `before` and nothing beside.
fn assert_unchanged(out: &Path, before: &BTreeMap<String, Vec<u8>>, run: &Run, message: &str) {
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(message), "{}", run.stderr);
    assert_eq!(run.stderr.trim_end().lines().count(), 1, "{}", run.stderr);
    assert_eq!(&snapshot(out), before);
    assert_eq!(beside(out), Vec::<String>::new());
}

#[test]
fn a_failure_while_staging_leaves_every_file_as_before() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("staging");
    let before = snapshot(&out);
    let run = regen_failing(
        "after-first-staged-file",
        "overload_group",
        &out,
        &["--allow-breaking"],
    );
    assert_unchanged(
        &out,
        &before,
        &run,
        "writing the new Cargo.toml failed (failpoint `after-first-staged-file` triggered) \
         before anything was swapped in; every file is as before this run",
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn a_failing_swap_leaves_every_file_as_before() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    // The exchange failing, and the fallback's second rename failing (the first is undone).
    for (failpoint, cause) in [
        ("swap", "swap"),
        ("exchange,between-renames", "between-renames"),
    ] {
        let out = previous_output("swap");
        let before = snapshot(&out);
        let run = regen_failing(failpoint, "overload_group", &out, &["--allow-breaking"]);
        assert_unchanged(
            &out,
            &before,
            &run,
            &format!(
                "swapping the new files into place failed (failpoint `{cause}` triggered); \
                 every file is as before this run"
            ),
        );
        let _ = std::fs::remove_dir_all(out.parent().unwrap());
    }
}

#[cfg(target_os = "linux")]
#[test]
fn an_immutable_directory_is_not_swapped() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("immutable");
    let chattr = |flag: &str| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(&out)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !chattr("+i") {
        httpserv_tests::support::skipped(
            "chattr +i is not permitted here (needs CAP_LINUX_IMMUTABLE and ext4 or \
             similar); the failpoint variant of this test covers a failing swap",
        );
        let _ = std::fs::remove_dir_all(out.parent().unwrap());
        return;
    }
    let before = snapshot(&out);
    let run = regen("overload_group", &out, &["--allow-breaking"]);
    assert!(chattr("-i"), "cannot undo chattr +i on {}", out.display());
    assert_unchanged(
        &out,
        &before,
        &run,
        "swapping the new files into place failed (Operation not permitted (os error 1)); \
         every file is as before this run",
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn a_fallback_that_cannot_move_the_directory_back_says_where_it_is() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("aside");
    let before = snapshot(&out);
    let run = regen_failing(
        "exchange,between-renames,restore",
        "overload_group",
        &out,
        &["--allow-breaking"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    let parent = std::fs::canonicalize(out.parent().unwrap()).unwrap();
    let aside = parent.join(format!(".generated.regen-old-{}", std::process::id()));
    assert!(
        run.stderr.contains(&format!(
            "moving the new files into place failed (failpoint `between-renames` triggered), \
             and moving the previous ones back failed too (failpoint `restore` triggered): \
             the directory is missing and its previous files are in {}, which the next regen \
             moves back",
            aside.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!out.exists());
    assert_eq!(snapshot(&aside), before);
    #[cfg(target_os = "linux")]
    a_restore_that_fails_stops_the_run(&out, &aside);
    // The next run, even a --check, moves it back (this process's pid on disk counts as
    // a dead run's: a run never finds its own tree there).
    let run = regen("const_pair", &out, &["--check"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "put back the files of {} that pid {} had moved aside when it died",
            out.display(),
            std::process::id()
        )),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&out), before);
    assert_eq!(beside(&out), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

/// With the parent append-only (names can be added, not moved), moving the aside tree back
/// fails: the run stops, saying where the directory is, and changes nothing.
#[cfg(target_os = "linux")]
fn a_restore_that_fails_stops_the_run(out: &Path, aside: &Path) {
    let parent = out.parent().unwrap();
    let chattr = |flag: &str| {
        std::process::Command::new("chattr")
            .arg(flag)
            .arg(parent)
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !chattr("+a") {
        httpserv_tests::support::skipped("chattr +a is not permitted here");
        return;
    }
    let run = regen("const_pair", out, &["--check"]);
    // The lock file could not be removed either.
    let _ = std::fs::remove_file(out.with_file_name(".generated.regen-lock"));
    assert!(
        chattr("-a"),
        "cannot undo chattr +a on {}",
        parent.display()
    );
    let _ = std::fs::remove_file(out.with_file_name(".generated.regen-lock"));
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "cannot bring it back to one run's files: the directory is missing: pid {} moved \
             it aside to {} and died, and moving it back failed (Operation not permitted (os \
             error 1)); nothing was changed: move it back and rerun",
            std::process::id(),
            aside.display()
        )),
        "{}",
        run.stderr
    );
    assert!(!out.exists() && aside.exists());
}

#[test]
fn a_sync_failure_after_the_swap_says_the_new_files_are_in_place() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let new = reference("after-swap", "overload_group");
    let out = previous_output("after-swap");
    let run = regen_failing("after-swap", "overload_group", &out, &["--allow-breaking"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains(&format!(
            "every file is the new one, but syncing {} failed (failpoint `after-swap` \
             triggered), so after a crash the directory may hold the previous files again",
            std::fs::canonicalize(out.parent().unwrap())
                .unwrap()
                .display()
        )),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&out), new);
    assert_eq!(
        beside(&out),
        Vec::<String>::new(),
        "the previous tree is gone"
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn the_fallback_writes_what_the_exchange_writes() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let new = reference("fallback", "overload_group");
    let out = previous_output("fallback");
    let run = regen_failing("exchange", "overload_group", &out, &["--allow-breaking"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot(&out), new);
    assert_eq!(beside(&out), Vec::<String>::new());
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn whatever_else_is_in_the_directory_is_reported_and_replaced() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let expected = reference("replaced", "const_pair");
    let out = previous_output("replaced");
    let module = out.join("src/bindings/mod.rs");
    std::fs::remove_file(&module).unwrap();
    std::fs::create_dir(&module).unwrap();
    std::fs::write(module.join("keep"), "a directory in the way\n").unwrap();
    std::fs::write(out.join("src/hand_written.rs"), "// mine\n").unwrap();
    std::fs::write(out.join(".hidden"), "").unwrap();
    let run = regen("const_pair", &out, &["--check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("3 file(s)")
            && run
                .stderr
                .contains("\n  .hidden\n  src/bindings/mod.rs\n  src/hand_written.rs"),
        "{}",
        run.stderr
    );
    let run = regen("const_pair", &out, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot(&out), expected);
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn abi_json_as_a_directory_stops_the_run_unless_told_to_replace_it() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let new = reference("abi-directory", "overload_group");
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
    // Told to replace it, regen writes the whole directory, a file where it was.
    let run = regen("overload_group", &out, &["--allow-breaking"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(snapshot(&out), new);
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[cfg(unix)]
#[test]
fn leftovers_of_dead_runs_are_removed_and_a_live_runs_are_kept() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = previous_output("leftovers");
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let alive = std::os::unix::process::parent_id();
    let dead_ones = [
        format!(".generated.regen-{dead}"),
        format!(".generated.regen-old-{dead}"),
    ];
    let kept = [
        format!(".generated.regen-{alive}"),
        // Not this directory's.
        format!(".other.regen-{dead}"),
    ];
    for name in dead_ones.iter().chain(&kept) {
        let tree = out.with_file_name(name);
        std::fs::create_dir_all(tree.join("src")).unwrap();
        std::fs::write(tree.join("src/lib.rs"), "partial").unwrap();
    }
    let before = snapshot(&out);
    let run = regen("const_pair", &out, &["--check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains(&format!(
            "removed what runs that died left beside {} (.generated.regen-{dead}, \
             .generated.regen-old-{dead}); left .generated.regen-{alive} alone: pid {alive} \
             still runs",
            out.display()
        )),
        "{}",
        run.stdout
    );
    assert_eq!(snapshot(&out), before, "the directory itself is untouched");
    assert_eq!(beside(&out), kept.to_vec());
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn a_directory_regen_did_not_write_is_refused() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = scratch("foreign");
    std::fs::create_dir_all(out.join("src")).unwrap();
    std::fs::write(out.join("src/main.rs"), "fn main() {}\n").unwrap();
    let before = snapshot(&out);
    let run = regen("const_pair", &out, &["--allow-breaking"]);
    assert_unchanged(
        &out,
        &before,
        &run,
        "not written: it is not empty and holds no abi.json, so regen did not write it, and \
         regen replaces the whole directory it writes (everything in it would be deleted); \
         name a new or empty directory",
    );
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}

#[test]
fn an_output_that_is_a_file_is_refused() {
    let _turn = FAILPOINT.lock().unwrap_or_else(|e| e.into_inner());
    let out = scratch("file");
    std::fs::write(&out, "someone's file\n").unwrap();
    let run = regen("const_pair", &out, &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{} is not a directory", out.display())),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "someone's file\n");
    let _ = std::fs::remove_dir_all(out.parent().unwrap());
}
