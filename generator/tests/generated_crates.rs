//! The generator on headers nobody wrote: a property test that builds small headers from a
//! vocabulary of hazardous names and constructs (issue 13's catalogue: names of the runtime,
//! the crate root, the helpers and the generated items; keywords, `$` and letters beyond
//! ASCII; unnamed parameters; scoped enums and fixed underlying types; wide and unsigned
//! constants, `#undef`; packed, aligned and bit-field structs; callbacks of every
//! convention; `STDMETHOD`, operators, overloads, bases, uuids, typedef cycles) and runs the
//! whole pipeline on each. Every case must either fail like bad input — one message
//! starting `file:line:col:` — or give bindings that compile: all of one run's are compiled
//! together in one throwaway crate (`target/generated-crates/`, beside a 65-class chain, the
//! deepest accepted), and the first few are proved by the probe against clang-19 on both
//! targets.
//!
//! `HTTPSERV_RS_PROPERTY_SEED=<n>` replays a run; `HTTPSERV_RS_PROPERTY_CASES` sets how
//! many headers (default 16: about a minute on two cores once the crate's dependencies are
//! built).

#[path = "generated_crates/vocabulary.rs"]
mod vocabulary;

use generator::emit::Provenance;
use generator::layout::LaidOutApi;
use generator::parse::ParseOptions;
use generator::toolchain::{workspace_root, IncludeSetup, Target};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::path::{Path, PathBuf};
use std::process::Command;

/// How many generated crates the probe proves per run (each is two clang runs).
const PROVED_PER_RUN: usize = 3;

/// Where the throwaway crate and its build live (kept between runs: its dependencies are
/// compiled once).
fn scratch() -> PathBuf {
    workspace_root().join("target/generated-crates")
}

/// Whether `message` is one located error: `file:line:col: …` on one line.
fn is_located(message: &str) -> bool {
    let mut parts = message.splitn(4, ':');
    let (Some(file), Some(line), Some(col), Some(rest)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !file.is_empty()
        && line.parse::<u32>().is_ok_and(|l| l > 0)
        && col.parse::<u32>().is_ok()
        && rest.starts_with(' ')
        && !message.contains('\n')
}

/// One generated case that produced bindings.
struct Generated {
    header: String,
    path: PathBuf,
    module: String,
    model: LaidOutApi,
}

/// Runs the pipeline on `text` written to `dir/<name>.h`; `Ok(None)` for a located error.
fn run_pipeline(dir: &Path, name: &str, text: &str) -> Result<Option<Generated>, String> {
    let path = dir.join(format!("{name}.h"));
    std::fs::write(&path, text).map_err(|e| e.to_string())?;
    let provenance = Provenance {
        input: format!("{name}.h"),
    };
    let outcome =
        std::panic::catch_unwind(|| generator::generate(&ParseOptions::debian(&path), &provenance))
            .map_err(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                format!("the generator panicked: {message}\n--- {name}.h ---\n{text}")
            })?;
    match outcome {
        Ok(generated) => {
            let module_dir = dir.join(name);
            let _ = std::fs::remove_dir_all(&module_dir);
            std::fs::create_dir_all(&module_dir).map_err(|e| e.to_string())?;
            for (file, contents) in &generated.bindings.files {
                std::fs::write(module_dir.join(file), contents).map_err(|e| e.to_string())?;
            }
            Ok(Some(Generated {
                header: text.to_string(),
                path,
                module: name.to_string(),
                model: generated.model,
            }))
        }
        Err(generator::Error::Toolchain(e)) => Err(format!("SKIPPED: {e}")),
        Err(error) => {
            let message = error.to_string();
            if is_located(&message) {
                eprintln!("{name}: refused: {message}");
                Ok(None)
            } else {
                Err(format!(
                    "not a located error: {message}\n--- {name}.h ---\n{text}"
                ))
            }
        }
    }
}

/// `cargo check` of one crate holding every module, as the fixture catalogue compiles
/// expectations (`::httpserv_runtime` is the real runtime).
fn cargo_check(dir: &Path, modules: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let mut lib = String::from("#![allow(warnings)]\n");
    for module in modules {
        lib.push_str(&format!(
            "#[path = {:?}]\npub mod {module};\n",
            dir.join(module).join("mod.rs").display().to_string()
        ));
    }
    let krate = dir.join("crate");
    std::fs::create_dir_all(krate.join("src")).map_err(|e| e.to_string())?;
    std::fs::write(krate.join("src/lib.rs"), lib).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"generated-crates-check\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
         publish = false\n\n[dependencies]\nhttpserv-runtime = {{ path = {:?} }}\n\
         windows-sys = {{ version = \"0.61\", features = [\"Win32_Foundation\", \
         \"Win32_Networking_HttpServer\", \"Win32_Networking_WinSock\", \"Win32_System_Iis\", \
         \"Win32_System_IO\", \"Win32_Security\"] }}\n\n[workspace]\n",
        root.join("runtime").display().to_string()
    );
    std::fs::write(krate.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    // The workspace's lock: the same dependency versions, no registry access.
    std::fs::copy(root.join("Cargo.lock"), krate.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["check", "--offline", "--quiet", "--message-format", "short"])
        .current_dir(&krate)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&output.stderr).into_owned())
    }
}

/// A chain of `classes` classes, each deriving from the one before.
fn inheritance_chain(classes: usize) -> String {
    let mut text = "class C0 { public: virtual void F0() = 0; };\n".to_string();
    for i in 1..classes {
        text.push_str(&format!(
            "class C{i} : public C{} {{ public: virtual void F{i}() = 0; }};\n",
            i - 1
        ));
    }
    text
}

/// The property run's seed (`HTTPSERV_RS_PROPERTY_SEED`, else the clock, printed so a
/// failure can be replayed) and a runner drawing from it.
fn seeded_runner() -> (u64, TestRunner) {
    let seed: u64 = std::env::var("HTTPSERV_RS_PROPERTY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64)
        });
    eprintln!("generated_crates: seed {seed} (HTTPSERV_RS_PROPERTY_SEED={seed} replays it)");
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    (seed, runner)
}

/// `cargo check` of every generated crate at once; a failure names the headers of the
/// crates the errors point into.
fn check_all_compile(dir: &Path, seed: u64, compiled: &[Generated], chain: &Generated) {
    let mut modules: Vec<String> = compiled.iter().map(|g| g.module.clone()).collect();
    modules.push(chain.module.clone());
    if let Err(errors) = cargo_check(dir, &modules) {
        let culprits: Vec<&Generated> = compiled
            .iter()
            .filter(|g| errors.contains(&format!("{}/", g.module)))
            .collect();
        let headers: String = culprits
            .iter()
            .map(|g| format!("--- {}.h ---\n{}\n", g.module, g.header))
            .collect();
        panic!("seed {seed}: the generated Rust does not compile:\n{errors}\n{headers}");
    }
}

/// check-abi of the first [`PROVED_PER_RUN`] compiled cases on both targets: the compiler's
/// layout and conventions must be the predicted ones.
fn prove_abi(seed: u64, compiled: &[Generated]) {
    let setup = IncludeSetup::debian();
    let clang = generator::toolchain::find_clang();
    for generated in compiled.iter().take(PROVED_PER_RUN) {
        if let Err(e) = &clang {
            eprintln!("SKIPPED: check-abi of the generated cases: {e}");
            break;
        }
        for target in Target::ALL {
            let layout = generator::probe::compile_layout(
                &generated.model.api,
                &generated.path,
                &setup,
                target,
            )
            .unwrap_or_else(|e| {
                panic!(
                    "seed {seed}: {e}\n--- {}.h ---\n{}",
                    generated.module, generated.header
                )
            });
            let rows = generator::probe::compare(&generated.model, &layout);
            let conventions = generator::probe::compare_conventions(&generated.model.api, &layout);
            assert!(
                rows.is_empty() && conventions.is_empty(),
                "seed {seed}: check-abi of {}: {rows:?} {conventions:?}\n{}",
                generated.module,
                generated.header
            );
        }
    }
}

#[test]
fn generated_headers_fail_located_or_compile_and_pass_check_abi() {
    let started = std::time::Instant::now();
    let dir = scratch();
    if let Err(e) = std::fs::create_dir_all(&dir) {
        panic!("{}: {e}", dir.display());
    }
    let (seed, mut runner) = seeded_runner();
    let cases: usize = std::env::var("HTTPSERV_RS_PROPERTY_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let strategy = vocabulary::header();

    let mut compiled: Vec<Generated> = Vec::new();
    let mut refused = 0;
    for case in 0..cases {
        let text = strategy
            .new_tree(&mut runner)
            .expect("the strategy always generates")
            .current();
        match run_pipeline(&dir, &format!("case_{case}"), &text) {
            Ok(Some(generated)) => compiled.push(generated),
            Ok(None) => refused += 1,
            Err(skipped) if skipped.starts_with("SKIPPED") => {
                eprintln!("{skipped}");
                return;
            }
            Err(failure) => panic!("seed {seed}: {failure}"),
        }
    }
    // The deepest chain the layout accepts compiles too (one more is refused, located).
    let deepest = generator::layout::MAX_INHERITANCE_DEPTH + 1;
    let chain = run_pipeline(&dir, "deepest_chain", &inheritance_chain(deepest))
        .unwrap()
        .expect("64 bases are accepted");
    assert!(
        run_pipeline(&dir, "too_deep", &inheritance_chain(deepest + 1))
            .unwrap()
            .is_none()
    );

    check_all_compile(&dir, seed, &compiled, &chain);
    prove_abi(seed, &compiled);
    eprintln!(
        "generated_crates: {cases} headers: {} compiled ({} proved by check-abi), {refused} \
         refused with a located error, in {:.1?}",
        compiled.len(),
        compiled.len().min(PROVED_PER_RUN),
        started.elapsed()
    );
    assert!(
        !compiled.is_empty() || cases < 4,
        "seed {seed}: no case compiled; the vocabulary makes only bad headers"
    );
}
