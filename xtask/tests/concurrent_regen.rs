//! Stress: 50 rounds of two `regen` processes writing two different headers into the same
//! directory at once, with random SIGKILLs — at a random time, as soon as the victim's
//! staging tree appears beside the directory, or as soon as it holds its last file (just
//! before the swap). A victim is killed with its process group (its parse worker too), as
//! a shell kills a job. One round in four takes the two-rename fallback instead of the
//! exchange. After every round the directory must be exactly one header's output (or,
//! from the fallback, missing with one header's output moved aside, which the next run
//! moves back); after a final run it must be exactly that run's, with nothing left beside
//! it or hidden in it.
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

/// A regen of `header` into `out`; `fallback` makes it swap with two renames (the
/// failpoint makes the exchange look unsupported).
fn regen(header: &str, out: &Path, fallback: bool) -> Command {
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
    if fallback {
        command.env("HTTPSERV_RS_FAILPOINT", "exchange");
    }
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

/// Which header the directory's files all come from: `Some(index)`, `None` for a missing
/// or empty directory; panics on a mix.
fn one_run(out: &Path, references: &[BTreeMap<String, Vec<u8>>], context: &str) -> Option<usize> {
    let files = snapshot(out);
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
    /// As soon as its staging tree exists.
    Staging,
    /// As soon as its staging tree holds src/lib.rs, the last file written: it is syncing,
    /// then swapping.
    Staged,
}

fn condition_met(moment: Moment, out: &Path, pid: u32, started: Instant) -> bool {
    let staging = out.with_file_name(format!(".generated.regen-{pid}"));
    match moment {
        Moment::After(ms) => started.elapsed() >= Duration::from_millis(ms),
        Moment::Staging => staging.exists(),
        Moment::Staged => staging.join("src/lib.rs").exists(),
    }
}

/// The names beside the output directory `generated` in its parent.
fn beside(out: &Path) -> Vec<String> {
    let parent = out.parent().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name != "generated")
        .collect();
    names.sort();
    names
}

/// After a round: the directory is one header's output, or (fallback) missing with one
/// header's output moved aside beside it.
fn check_round(out: &Path, references: &[BTreeMap<String, Vec<u8>>], context: &str) {
    if out.exists() {
        assert!(
            one_run(out, references, context).is_some(),
            "{context}: empty"
        );
        return;
    }
    let asides: Vec<String> = beside(out)
        .into_iter()
        .filter(|name| name.starts_with(".generated.regen-old-"))
        .collect();
    assert_eq!(asides.len(), 1, "{context}: missing, beside it: {asides:?}");
    let aside = out.with_file_name(&asides[0]);
    assert!(
        one_run(&aside, references, context).is_some(),
        "{context}: empty"
    );
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

/// The stress seed: `HTTPSERV_RS_STRESS_SEED`, else the clock (odd, as the generator needs).
fn stress_seed() -> u64 {
    std::env::var("HTTPSERV_RS_STRESS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        })
}

/// Each header's output, made alone: what a round may leave.
fn reference_outputs() -> Vec<BTreeMap<String, Vec<u8>>> {
    HEADERS
        .iter()
        .map(|header| {
            let out = scratch(&format!("reference-{header}")).join("generated");
            let made = regen(header, &out, false).output().unwrap();
            assert!(
                made.status.success(),
                "{}",
                String::from_utf8_lossy(&made.stderr)
            );
            snapshot(&out)
        })
        .collect()
}

/// How one round went: whether it took the fallback, and how many runs were killed.
struct Round {
    fallback: bool,
    kills: usize,
}

/// One round: both headers' runs into `out` at once, in a random order, one of them (or
/// neither) killed at a random moment; every run not killed must succeed.
fn play_round(rng: &mut Rng, out: &Path, context: &str) -> Round {
    let order = rng.below(2) as usize;
    let fallback = rng.below(4) == 0;
    let mut children: Vec<Child> = [order, 1 - order]
        .iter()
        .map(|&h| regen(HEADERS[h], out, fallback).spawn().unwrap())
        .collect();
    let victim = rng.below(3) as usize; // 2: nobody
    let moment = match rng.below(3) {
        0 => Moment::After(rng.below(1500)),
        1 => Moment::Staging,
        _ => Moment::Staged,
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
        killed[i] = run_with_kill(&mut children[i], moment, out);
    }
    let mut kills = 0;
    for (i, child) in children.into_iter().enumerate() {
        let output = child.wait_with_output().unwrap();
        let context = format!("{context}, run {i}, {moment:?}, fallback {fallback}");
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
    Round { fallback, kills }
}

#[test]
fn concurrent_runs_and_kills_never_leave_a_mix() {
    let started = Instant::now();
    let seed = stress_seed();
    println!("HTTPSERV_RS_STRESS_SEED={seed}");
    let mut rng = Rng(seed);
    let references = reference_outputs();
    assert_ne!(references[0], references[1]);

    let out = scratch("shared").join("generated");
    let (mut kills, mut fallbacks) = (0, 0);
    for round in 0..ROUNDS {
        let played = play_round(&mut rng, &out, &format!("round {round} (seed {seed})"));
        kills += played.kills;
        fallbacks += usize::from(played.fallback);
        check_round(
            &out,
            &references,
            &format!(
                "after round {round} (seed {seed}, fallback {})",
                played.fallback
            ),
        );
    }

    // A last run brings the directory to its own files, and nothing else.
    let last = regen(HEADERS[0], &out, false).output().unwrap();
    assert!(
        last.status.success(),
        "{}",
        String::from_utf8_lossy(&last.stderr)
    );
    assert_eq!(one_run(&out, &references, "after the final run"), Some(0));
    let hidden: Vec<String> = snapshot(&out)
        .into_keys()
        .filter(|p| p.split('/').any(|part| part.starts_with('.')))
        .collect();
    assert!(hidden.is_empty(), "hidden in it: {hidden:?}");
    assert_eq!(beside(&out), Vec::<String>::new(), "left beside it");
    println!(
        "{ROUNDS} rounds ({fallbacks} with the fallback), {kills} kills, every state one \
         run's, {:.1} s",
        started.elapsed().as_secs_f64()
    );
}
