//! `cargo xtask serve MODULE.dll…`: a module author's DLLs in the IIS host of `tests/iis_host`
//! under wine, answering HTTP on `127.0.0.1:PORT` until stopped (Ctrl-C) — the shortest way
//! from `cargo build --target x86_64-pc-windows-gnu` to `curl`. The host alone is built (its
//! C++ with clang-19 and lld-link-19, as the test suite builds it, into
//! `target/iis-host-serve/`, only what changed), not the project's examples or tests.

use crate::{Failure, Outcome};
use std::io::Write;
use std::path::PathBuf;

#[allow(dead_code)] // The tests' harness; serving uses the host build and the wine command.
#[path = "../../tests/iis_host/harness.rs"]
mod harness;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The module DLLs, loaded in this order (as IIS loads `<globalModules>`), each named by
    /// its file stem.
    #[arg(required = true)]
    pub modules: Vec<PathBuf>,
    /// The port on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// The DLLs' architecture: `x86_64` (`x86_64-pc-windows-gnu`) or `i686`.
    #[arg(long, default_value = "x86_64")]
    pub arch: String,
    /// Stop after this many requests (by default, only when stopped).
    #[arg(long)]
    pub requests: Option<u64>,
    /// Stop after this many seconds whatever happens.
    #[arg(long, default_value_t = 24 * 3600)]
    pub seconds: u64,
    /// Print each notification the host delivers, as the test suite's traces show them.
    #[arg(long)]
    pub trace: bool,
    /// A directory to serve as the site's files (IIS's static file handler answers what no
    /// module does: the site's `C:\inetpub\wwwroot` stands for it).
    #[arg(long)]
    pub site_root: Option<PathBuf>,
    /// Where the host is built and its wine prefix lives (the test suite passes its own).
    #[arg(long, hide = true)]
    pub out: Option<PathBuf>,
}

pub fn serve(args: &ServeArgs, out: &mut dyn Write) -> Outcome {
    let arch = match args.arch.as_str() {
        "x86_64" => harness::Arch::X86_64,
        "i686" => harness::Arch::I686,
        other => return Err(Failure::error(format!("--arch {other}: x86_64 or i686"))),
    };
    let mut modules = Vec::new();
    for dll in &args.modules {
        let path = dll
            .canonicalize()
            .map_err(|e| Failure::error(format!("{}: {e}", dll.display())))?;
        let name = path
            .file_stem()
            .map(|stem| stem.to_string_lossy().into_owned())
            .ok_or_else(|| Failure::error(format!("{}: not a DLL's path", dll.display())))?;
        modules.push((name, path));
    }
    let tools = harness::tools(arch).map_err(|missing| {
        Failure::error(format!(
            "{missing} (`.ci/prerequisites` installs what the IIS host needs)"
        ))
    })?;
    let root = crate::workspace_root();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| root.join("target/iis-host-serve"));
    let host = std::panic::catch_unwind(|| harness::build_host(&tools, arch, &root, &dir).1)
        .map_err(|_| Failure::error("building the IIS host failed (above)"))?;
    let build = harness::Build {
        arch,
        dir: host
            .parent()
            .and_then(|bin| bin.parent())
            .expect("the host is built in <dir>/<arch>/bin")
            .to_path_buf(),
        host,
        rust: Vec::new(),
        cpp: Vec::new(),
        rust_only: Vec::new(),
    };
    // The first program in a new wine prefix may fail to listen: the host starts once first.
    harness::warm_prefix(&tools, &build, &dir, &modules[0]);
    let requests = args.requests.unwrap_or(u64::MAX / 2).to_string();
    let mut command = harness::wine_command(&tools, &build, &dir);
    command
        .args(harness::module_args(&modules))
        .args(["--port", &args.port.to_string(), "--requests", &requests])
        .args(["--seconds", &args.seconds.to_string()]);
    command.args(host_options(args)?);
    let _ = writeln!(
        out,
        "serving {} on http://127.0.0.1:{}/ under wine (Ctrl-C stops)",
        modules
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        args.port
    );
    let _ = out.flush();
    let status = command
        .stdout(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .status()
        .map_err(|e| Failure::error(format!("{}: {e}", tools.wine64.display())))?;
    match status.code() {
        Some(0) => Ok(()),
        code => Err(Failure {
            code: 1,
            message: format!("the IIS host ended with {code:?} (its output is above)"),
        }),
    }
}

/// The host's options beyond its modules, port and limits: `--trace`, `--site-root` (a
/// Windows path: wine maps `Z:` to `/`).
fn host_options(args: &ServeArgs) -> Result<Vec<String>, Failure> {
    let mut options = Vec::new();
    if args.trace {
        options.push("--trace".to_string());
    }
    if let Some(site_root) = &args.site_root {
        let path = site_root
            .canonicalize()
            .map_err(|e| Failure::error(format!("{}: {e}", site_root.display())))?;
        options.push("--site-root".to_string());
        options.push(format!("Z:{}", path.display()).replace('/', "\\"));
    }
    Ok(options)
}
