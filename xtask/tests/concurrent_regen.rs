//! Stress: 50 rounds of two `regen` processes writing two different headers into the same
//! directory at once, with random SIGKILLs — at a random time, as soon as the victim's
//! staging files appear, or as soon as a journal appears (mid-rename). A victim is killed
//! with its process group (its parse worker too), as a shell kills a job. After every round
//! without a journal the directory must be exactly one header's output; after a final run
//! it must be exactly that run's, with no journal, lock, staging or backup file left.
//!
//! The seed is printed; `HTTPSERV_RS_STRESS_SEED=<n>` replays a failing sequence.
#![cfg(target_os = "linux")]

use std::collections::BTreeMap;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ROUNDS: usize = 50;
const HEADERS: [&str; 2] = ["overload_group", "const_pair"];

fn root() -> PathBuf {
    xtask::workspace_root()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("concurrent-regen-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn regen(header: &str, out: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command
        .args(["regen", "--allow-breaking", "--header"])
        .arg(root().join(format!("tests/fixtures/{header}.h")))
        .arg("--out")
        .arg(out)
        .env_remove("HTTPSERV_RS_FAILPOINT")
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

/// Every file under `dir`: relative path → contents.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(bytes) = std::fs::read(&path) {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, bytes);
            }
        }
    }
    files
}

fn is_hidden(path: &str) -> bool {
    path.split('/').any(|part| part.starts_with('.'))
}

fn visible(snapshot: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    snapshot
        .iter()
        .filter(|(path, _)| !is_hidden(path))
        .map(|(path, bytes)| (path.clone(), bytes.clone()))
        .collect()
}

/// Which header the directory's visible files all come from: `Some(index)`, `None` for an
/// empty directory; panics on a mix.
fn one_run(out: &Path, references: &[BTreeMap<String, Vec<u8>>], context: &str) -> Option<usize> {
    let files = visible(&snapshot(out));
    if files.is_empty() {
        return None;
    }
    let matching = references.iter().position(|r| *r == files);
    assert!(
        matching.is_some(),
        "{context}: the directory is a mix of runs: {:?}\n{}",
        files.keys().collect::<Vec<_>>(),
        files
            .iter()
            .map(|(path, bytes)| {
                let text = String::from_utf8_lossy(bytes);
                format!("{path}: {}", text.lines().next().unwrap_or_default())
            })
            .collect::<Vec<_>>()
            .join("\n")
    );
    matching
}

/// xorshift64*: reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// When to kill the victim of a round.
#[derive(Debug, Clone, Copy)]
enum Moment {
    /// After this many milliseconds from the start.
    After(u64),
    /// As soon as one of its staging files exists.
    Staging,
    /// As soon as a journal exists (it is between its first and last rename).
    Journal,
}

fn condition_met(moment: Moment, out: &Path, pid: u32, started: Instant) -> bool {
    match moment {
        Moment::After(ms) => started.elapsed() >= Duration::from_millis(ms),
        Moment::Staging => {
            let mine = format!(".regen-{pid}");
            snapshot_names(out).iter().any(|n| n.ends_with(&mine))
        }
        Moment::Journal => out.join(".regen-journal").exists(),
    }
}

/// Names in `out` and `out/src/bindings` (cheap enough to poll every millisecond).
fn snapshot_names(out: &Path) -> Vec<String> {
    [out.to_path_buf(), out.join("src/bindings")]
        .iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flat_map(|entries| entries.flatten())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Waits for a child; kills it when `moment` comes first. Returns whether it was killed.
fn run_with_kill(child: &mut Child, moment: Option<Moment>, out: &Path) -> bool {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if let Some(moment) = moment {
            if condition_met(moment, out, child.id(), started) {
                let group = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
                let _ = rustix::process::kill_process_group(group, rustix::process::Signal::KILL);
                return true;
            }
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "a regen did not finish in two minutes"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn concurrent_runs_and_kills_never_leave_a_mix() {
    let started = Instant::now();
    let seed = std::env::var("HTTPSERV_RS_STRESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("HTTPSERV_RS_STRESS_SEED={seed}");
    let mut rng = Rng(seed);

    let references: Vec<BTreeMap<String, Vec<u8>>> = HEADERS
        .iter()
        .map(|header| {
            let out = scratch(&format!("reference-{header}")).join("generated");
            let made = regen(header, &out).output().unwrap();
            assert!(
                made.status.success(),
                "{}",
                String::from_utf8_lossy(&made.stderr)
            );
            snapshot(&out)
        })
        .collect();
    assert_ne!(references[0], references[1]);

    let out = scratch("shared").join("generated");
    let (mut kills, mut checked) = (0, 0);
    for round in 0..ROUNDS {
        let order = rng.below(2) as usize;
        let mut children: Vec<Child> = [order, 1 - order]
            .iter()
            .map(|&h| regen(HEADERS[h], &out).spawn().unwrap())
            .collect();
        let victim = rng.below(3) as usize; // 2: nobody
        let moment = match rng.below(3) {
            0 => Moment::After(rng.below(1500)),
            1 => Moment::Staging,
            _ => Moment::Journal,
        };
        let mut killed = [false, false];
        // The victim is watched first; the other one just runs meanwhile.
        let watch: Vec<usize> = if victim < 2 {
            vec![victim, 1 - victim]
        } else {
            vec![0, 1]
        };
        for i in watch {
            let moment = (i == victim).then_some(moment);
            killed[i] = run_with_kill(&mut children[i], moment, &out);
        }
        for (i, child) in children.into_iter().enumerate() {
            let output = child.wait_with_output().unwrap();
            let context = format!("round {round} (seed {seed}), run {i}, {moment:?}");
            if output.status.signal() == Some(9) {
                assert!(killed[i], "{context}: killed by someone else");
                kills += 1;
                continue;
            }
            assert_eq!(
                output.status.code(),
                Some(0),
                "{context}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        if !out.join(".regen-journal").exists() {
            one_run(
                &out,
                &references,
                &format!("after round {round} (seed {seed})"),
            );
            checked += 1;
        }
    }

    // A last run brings the directory to its own files, and nothing else.
    let last = regen(HEADERS[0], &out).output().unwrap();
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    assert_eq!(one_run(&out, &references, "after the final run"), Some(0));
    let leftovers: Vec<String> = snapshot(&out)
        .into_keys()
        .filter(|p| is_hidden(p))
        .collect();
    assert!(leftovers.is_empty(), "left behind: {leftovers:?}");
    println!(
        "{ROUNDS} rounds, {kills} kills, {checked} consistent states checked, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
