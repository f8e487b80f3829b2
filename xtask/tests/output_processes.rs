//! The output directory when regen processes die or overlap (the xtask binary, as users run
//! it): a run killed between its renames is finished by the next one, from any working
//! directory even with a relative `--out`; a run killed while putting files back is undone
//! by the next; a stopped run keeps its lock (a second run waits, then names its pid) and
//! its journal (a run that got past the lock will not touch it); a run whose disk fills up
//! leaves no partial file. The failpoints (`HTTPSERV_RS_FAILPOINT=kill-…`/`stop-…`) make
//! the process SIGKILL or SIGSTOP itself at the named step.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("output-processes-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn fixture(name: &str) -> String {
    root()
        .join(format!("tests/fixtures/{name}.h"))
        .display()
        .to_string()
}

/// `xtask regen --header <fixture> --out <out> --allow-breaking <extra>` in `cwd`.
fn regen_command(cwd: &Path, fixture_name: &str, out: &str, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(["regen", "--allow-breaking", "--header"])
        .arg(fixture(fixture_name))
        .args(["--out", out])
        .current_dir(cwd)
        .env_remove("HTTPSERV_RS_FAILPOINT");
    for (key, value) in env {
        command.env(key, value);
    }
    command
}

fn run(mut command: Command) -> Output {
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn assert_ok(output: &Output) {
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        text(&output.stdout),
        text(&output.stderr)
    );
}

/// Every file under `dir`: relative path → size and hash of the contents (short enough
/// to read in a failed assertion).
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                let bytes = std::fs::read(&path).unwrap();
                let hash = generator::manifest::fnv1a64(&bytes);
                files.insert(name, format!("{} bytes, {hash:016x}", bytes.len()));
            }
        }
    }
    files
}

fn hidden(dir: &Path) -> Vec<String> {
    snapshot(dir)
        .into_keys()
        .filter(|p| p.split('/').any(|part| part.starts_with('.')))
        .collect()
}

/// The directory `fixture_name` alone produces.
fn reference(name: &str, fixture_name: &str) -> BTreeMap<String, String> {
    let dir = scratch(&format!("{name}-reference"));
    let out = dir.join("generated");
    assert_ok(&run(regen_command(
        &dir,
        fixture_name,
        out.to_str().unwrap(),
        &[],
    )));
    snapshot(&out)
}

/// Waits until `child` stops itself (state T in /proc), or panics after a minute.
fn wait_until_stopped(child: &mut Child) {
    let started = Instant::now();
    loop {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", child.id())).unwrap();
        let state = stat
            .rsplit_once(')')
            .unwrap()
            .1
            .split_whitespace()
            .next()
            .unwrap();
        if state == "T" {
            return;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the run ended ({status}) instead of stopping");
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never stopped"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_run_killed_between_renames_is_finished_by_the_next_from_any_directory() {
    let dir = scratch("killed");
    let new = reference("killed", "overload_group");
    // A relative --out: the journal must mean the same from elsewhere.
    let out = dir.join("generated");
    assert_ok(&run(regen_command(&dir, "const_pair", "generated", &[])));
    let killed = run(regen_command(
        &dir,
        "overload_group",
        "generated",
        &[("HTTPSERV_RS_FAILPOINT", "kill-after-first-rename")],
    ));
    assert_eq!(killed.status.code(), None, "killed by SIGKILL");
    assert!(out.join(".regen-journal").exists());
    // A --check from another working directory, with another spelling of the directory.
    let elsewhere = scratch("killed-elsewhere");
    let mut check = Command::new(env!("CARGO_BIN_EXE_xtask"));
    check
        .args(["regen", "--check", "--header"])
        .arg(fixture("overload_group"))
        .args(["--out", "../output-processes-killed/generated"])
        .current_dir(&elsewhere);
    let checked = run(check);
    assert_ok(&checked);
    let stdout = text(&checked.stdout);
    assert!(
        stdout.contains("finished the interrupted update of ") && stdout.contains("is up to date"),
        "{stdout}"
    );
    assert_eq!(snapshot(&out), new, "every file is the killed run's");
}

#[test]
fn a_run_killed_while_putting_files_back_is_undone_by_the_next() {
    let dir = scratch("undo");
    let out = dir.join("generated");
    assert_ok(&run(regen_command(&dir, "const_pair", "generated", &[])));
    // mod.rs, the third replacement, is a directory: the run undoes the first two and is
    // killed after putting the first file back.
    let module = out.join("src/bindings/mod.rs");
    std::fs::remove_file(&module).unwrap();
    std::fs::create_dir(&module).unwrap();
    let before = snapshot(&out);
    let killed = run(regen_command(
        &dir,
        "overload_group",
        "generated",
        &[("HTTPSERV_RS_FAILPOINT", "kill-after-first-restore")],
    ));
    assert_eq!(killed.status.code(), None, "{}", text(&killed.stderr));
    assert!(out.join(".regen-journal").exists());
    assert_ne!(snapshot(&out), before, "the directory was left mixed");
    // The next run (here with a different header) first finishes the undo.
    let next = run(regen_command(&dir, "const_pair", "generated", &[]));
    let stdout = text(&next.stdout);
    assert!(
        stdout.contains("undid the interrupted update of generated (by pid ")
            && stdout.contains("): every file is as before it"),
        "{stdout}{}",
        text(&next.stderr)
    );
    // It then fails on the same obstacle, putting its own files back.
    assert_eq!(next.status.code(), Some(2), "{}", text(&next.stderr));
    assert_eq!(snapshot(&out), before);
}

#[test]
fn a_stopped_run_keeps_its_lock_and_its_journal() {
    let dir = scratch("stopped");
    let out = dir.join("generated");
    let out_arg = out.to_str().unwrap();
    assert_ok(&run(regen_command(&dir, "const_pair", out_arg, &[])));
    let mut stopped = regen_command(
        &dir,
        "overload_group",
        out_arg,
        &[("HTTPSERV_RS_FAILPOINT", "stop-after-first-rename")],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_until_stopped(&mut stopped);
    let pid = stopped.id();

    // A second run waits for the lock, then names the holder.
    let waiting = run(regen_command(
        &dir,
        "const_pair",
        out_arg,
        &[("HTTPSERV_RS_LOCK_TIMEOUT", "1")],
    ));
    assert_eq!(waiting.status.code(), Some(2));
    let (stdout, stderr) = (text(&waiting.stdout), text(&waiting.stderr));
    assert!(
        stdout.contains(&format!(
            "is locked by another regen (pid {pid}); waiting up to 1 s"
        )),
        "{stdout}"
    );
    assert!(
        stderr.contains(&format!(
            "another regen (pid {pid}) is writing this directory and held its lock for all of \
             the 1 s this run waited"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");

    // Past the lock (as a writer that ignores it would be), its journal is still its own.
    std::fs::remove_file(out.join(".regen-lock")).unwrap();
    let mixed = snapshot(&out);
    let refused = run(regen_command(&dir, "const_pair", out_arg, &[]));
    assert_eq!(refused.status.code(), Some(2));
    let stderr = text(&refused.stderr);
    assert!(
        stderr.contains(&format!(
            ".regen-journal belongs to pid {pid}, which is still running"
        )) && stderr.contains("nothing was changed"),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), mixed, "nothing was changed");

    // Once it is dead, the next run finishes its update, then writes its own.
    stopped.kill().unwrap();
    stopped.wait().unwrap();
    let next = run(regen_command(&dir, "const_pair", out_arg, &[]));
    assert_ok(&next);
    let stdout = text(&next.stdout);
    assert!(
        stdout.contains("finished the interrupted update of ")
            && stdout.contains(&format!("(by pid {pid}) first")),
        "{stdout}"
    );
    assert_eq!(snapshot(&out), reference("stopped", "const_pair"));
}

#[test]
fn a_full_disk_leaves_no_partial_file() {
    let dir = scratch("full-disk");
    let out = dir.join("generated");
    let out_arg = out.to_str().unwrap().to_string();
    assert_ok(&run(regen_command(&dir, "const_pair", &out_arg, &[])));
    let before = snapshot(&out);
    // The file size limit stands in for a full disk: writing past 50 KiB fails (EFBIG, the
    // signal ignored), and the whole IIS API's abi.json is about 240 KB.
    let header = root().join("headers/httpserv.h");
    let script = format!(
        "trap '' XFSZ; ulimit -f 100; exec \"$0\" regen --allow-breaking --header '{}' --out '{}'",
        header.display(),
        out_arg
    );
    let limited = Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_xtask")])
        .env_remove("HTTPSERV_RS_FAILPOINT")
        .output()
        .unwrap();
    assert_eq!(limited.status.code(), Some(2), "{}", text(&limited.stderr));
    let stderr = text(&limited.stderr);
    assert!(
        stderr.contains("writing the new files failed before any was replaced (File too large")
            && stderr.contains("every file is as before this run"),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before);
    assert!(hidden(&out).is_empty(), "{:?}", hidden(&out));
}
