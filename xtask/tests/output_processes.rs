//! The output directory when regen processes die or overlap (the xtask binary, as users run
//! it). A run killed at any step leaves the directory as exactly one run's output (the
//! previous one before its swap, its own after) and the next run, from any working
//! directory and with a relative `--out`, removes what it left beside the directory; with
//! the two-rename fallback, a run killed between its renames leaves the directory moved
//! aside, and the next run moves it back. A stopped run keeps its lock (a second run waits,
//! then names its pid) and its staging tree (a run that got past the lock leaves it
//! alone); a run whose disk fills up leaves nothing behind. The failpoints
//! (`HTTPSERV_RS_FAILPOINT=kill-…`/`stop-…`, `exchange` for the fallback) make the process
//! SIGKILL or SIGSTOP itself at the named step.
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

/// The names in `dir` other than the output directory `generated`: the lock, staging and
/// aside trees regen keeps beside it.
fn beside(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "generated")
        .collect();
    names.sort();
    names
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

/// What a killed run leaves as the directory.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Left {
    /// The previous run's output.
    Old,
    /// The killed run's own output.
    New,
    /// No directory: the fallback moved it aside (which the next run moves back).
    Aside,
}

#[test]
fn a_run_killed_at_any_step_leaves_one_runs_output_and_the_next_cleans_up() {
    let old = reference("killed-old", "const_pair");
    let new = reference("killed-new", "overload_group");
    let cases = [
        ("kill-after-first-staged-file", Left::Old),
        ("kill-swap", Left::Old),
        ("kill-after-swap", Left::New),
        // The two-rename fallback (`exchange` makes the exchange look unsupported).
        ("exchange,kill-swap", Left::Old),
        ("exchange,kill-between-renames", Left::Aside),
        ("exchange,kill-after-swap", Left::New),
    ];
    for (i, (failpoint, left)) in cases.into_iter().enumerate() {
        let name = format!("killed-{i}");
        let dir = scratch(&name);
        let out = dir.join("generated");
        // A relative --out: what it leaves must be found from elsewhere too.
        assert_ok(&run(regen_command(&dir, "const_pair", "generated", &[])));
        let killed = run(regen_command(
            &dir,
            "overload_group",
            "generated",
            &[("HTTPSERV_RS_FAILPOINT", failpoint)],
        ));
        assert_eq!(killed.status.code(), None, "{failpoint}: killed by SIGKILL");
        let (expected, header) = match left {
            Left::Old => (&old, "const_pair"),
            Left::New => (&new, "overload_group"),
            Left::Aside => {
                assert!(!out.exists(), "{failpoint}");
                let aside = format!(".generated.regen-old-{}", killed_pid(&dir));
                assert_eq!(&snapshot(&dir.join(aside)), &old, "{failpoint}");
                (&old, "const_pair")
            }
        };
        if left != Left::Aside {
            assert_eq!(&snapshot(&out), expected, "{failpoint}: one run's output");
        }
        assert!(
            !beside(&dir).is_empty(),
            "{failpoint}: nothing left beside?"
        );
        // A --check from another working directory, with another spelling of the directory.
        let elsewhere = scratch(&format!("{name}-elsewhere"));
        let mut check = Command::new(env!("CARGO_BIN_EXE_xtask"));
        check
            .args(["regen", "--check", "--header"])
            .arg(fixture(header))
            .args(["--out", &format!("../output-processes-{name}/generated")])
            .current_dir(&elsewhere)
            .env_remove("HTTPSERV_RS_FAILPOINT");
        let checked = run(check);
        assert_ok(&checked);
        let stdout = text(&checked.stdout);
        let cleaned = match left {
            Left::Aside => {
                format!("put back the files of ../output-processes-{name}/generated that pid ")
            }
            _ => "removed what runs that died left beside ".to_string(),
        };
        assert!(
            stdout.contains(&cleaned) && stdout.contains("is up to date"),
            "{failpoint}: {stdout}"
        );
        assert_eq!(&snapshot(&out), expected, "{failpoint}");
        assert_eq!(beside(&dir), Vec::<String>::new(), "{failpoint}");
    }
}

/// The pid in the name of the one staging or aside tree in `dir`.
fn killed_pid(dir: &Path) -> u32 {
    let names = beside(dir);
    let pids: std::collections::BTreeSet<u32> = names
        .iter()
        .filter_map(|name| name.rsplit('-').next()?.parse().ok())
        .collect();
    assert_eq!(pids.len(), 1, "{names:?}");
    pids.into_iter().next().unwrap()
}

#[test]
fn a_stopped_run_keeps_its_lock_and_its_staging_directory() {
    let dir = scratch("stopped");
    let out = dir.join("generated");
    let out_arg = out.to_str().unwrap();
    assert_ok(&run(regen_command(&dir, "const_pair", out_arg, &[])));
    let mut stopped = regen_command(
        &dir,
        "overload_group",
        out_arg,
        &[("HTTPSERV_RS_FAILPOINT", "stop-swap")],
    )
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    wait_until_stopped(&mut stopped);
    let pid = stopped.id();
    // The lock is beside the directory (from inside, the swap would take it away).
    let lock = dir.join(".generated.regen-lock");
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), format!("{pid}\n"));

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

    // Past the lock (as a writer that ignores it would be), its staging tree is still its
    // own: the run writes its files and leaves that tree alone.
    std::fs::remove_file(&lock).unwrap();
    let staging = format!(".generated.regen-{pid}");
    let past = run(regen_command(&dir, "const_pair", out_arg, &[]));
    assert_ok(&past);
    let stdout = text(&past.stdout);
    assert!(
        stdout.contains(&format!("left {staging} alone: pid {pid} still runs")),
        "{stdout}"
    );
    assert_eq!(beside(&dir), std::slice::from_ref(&staging));

    // Once it is dead, the next run removes it.
    stopped.kill().unwrap();
    stopped.wait().unwrap();
    let next = run(regen_command(&dir, "const_pair", out_arg, &[]));
    assert_ok(&next);
    let stdout = text(&next.stdout);
    assert!(
        stdout.contains("removed what runs that died left beside ")
            && stdout.contains(&format!("generated ({staging})")),
        "{stdout}"
    );
    assert_eq!(snapshot(&out), reference("stopped", "const_pair"));
    assert_eq!(beside(&dir), Vec::<String>::new());
}

#[test]
fn a_full_disk_leaves_nothing_behind() {
    let dir = scratch("full-disk");
    let out = dir.join("generated");
    let out_arg = out.to_str().unwrap().to_string();
    assert_ok(&run(regen_command(&dir, "const_pair", &out_arg, &[])));
    let before = snapshot(&out);
    // The file size limit stands in for a full disk: writing past 50 KiB fails (EFBIG, the
    // signal ignored), and the whole IIS API's abi.json is about 300 KB.
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
        stderr.contains("writing the new abi.json failed (File too large")
            && stderr.contains("before anything was swapped in; every file is as before this run"),
        "{stderr}"
    );
    assert_eq!(snapshot(&out), before);
    assert_eq!(
        beside(&dir),
        Vec::<String>::new(),
        "the staging tree is gone"
    );
}
