//! Builds and runs the IIS host of `tests/iis_host` for `tests/tests/iis_host.rs`,
//! `hostile_requests.rs` and `request_bodies.rs` (included there by `#[path]`): the Rust
//! example modules as DLLs (`x86_64-pc-windows-gnu` or
//! `i686-pc-windows-gnu`, mingw-w64 gcc as the linker, a cargo target dir of their own under
//! `target/`), the host, the C++ twin modules and the `bcryptprimitives.dll` stand-in with
//! clang-19 for the MSVC target and lld-link-19 against mingw-w64's import libraries; then
//! (`running.rs`) the host under wine in a private prefix, and `curl` against it.
//!
//! Module DLLs are found, not listed: every `[[example]]` of `tests/examples/Cargo.toml` and
//! every `tests/iis_host/modules/*.cpp`, loaded in that order.

use generator::toolchain::{compiler_args, find_clang, IncludeSetup, Target};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// One of the two Windows architectures the host is built for.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arch {
    X86_64,
    I686,
}

impl Arch {
    pub fn rust_target(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-pc-windows-gnu",
            Arch::I686 => "i686-pc-windows-gnu",
        }
    }
    fn mingw(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-w64-mingw32",
            Arch::I686 => "i686-w64-mingw32",
        }
    }
    fn target(self) -> Target {
        match self {
            Arch::X86_64 => Target::X86_64,
            Arch::I686 => Target::I686,
        }
    }
    fn machine(self) -> &'static str {
        match self {
            Arch::X86_64 => "/machine:x64",
            Arch::I686 => "/machine:x86",
        }
    }
    fn name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::I686 => "i686",
        }
    }
    fn linker_env(self) -> String {
        format!(
            "CARGO_TARGET_{}_LINKER",
            self.rust_target().to_uppercase().replace('-', "_")
        )
    }
    fn mingw_lib(self, name: &str) -> PathBuf {
        Path::new("/usr")
            .join(self.mingw())
            .join("lib")
            .join(format!("lib{name}.a"))
    }
}

pub struct Tools {
    pub clang: PathBuf,
    pub lld_link: PathBuf,
    pub wine64: PathBuf,
    pub curl: PathBuf,
    pub gcc: PathBuf,
}

fn find_tool(name: &str, fallbacks: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .chain(fallbacks.iter().map(PathBuf::from))
        .find(|p| p.is_file())
}

/// What building and running for `arch` needs, or why it cannot run here.
pub fn tools(arch: Arch) -> Result<Tools, String> {
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("running rustc: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&sysroot.stdout).trim());
    let target = arch.rust_target();
    if !sysroot
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
    {
        return Err(format!(
            "the Rust target {target} is not installed (`rustup target add {target}`)"
        ));
    }
    let gcc_name = format!("{}-gcc", arch.mingw());
    let package = match arch {
        Arch::X86_64 => "gcc-mingw-w64-x86-64",
        Arch::I686 => "gcc-mingw-w64-i686",
    };
    let gcc = find_tool(&gcc_name, &[]).ok_or(format!(
        "{gcc_name} was not found (`apt-get install {package}`)"
    ))?;
    let clang = find_clang().map_err(|e| e.to_string())?;
    let lld_link = find_tool("lld-link-19", &["/usr/lib/llvm-19/bin/lld-link"])
        .ok_or("lld-link-19 was not found (`apt-get install lld-19`)")?;
    for lib in ["kernel32", "httpapi", "advapi32"] {
        let path = arch.mingw_lib(lib);
        if !path.is_file() {
            return Err(format!(
                "{} is missing (`apt-get install mingw-w64-{}-dev`)",
                path.display(),
                arch.name().replace('_', "-")
            ));
        }
    }
    let wine64 = find_tool("wine64", &["/usr/lib/wine/wine64"])
        .ok_or("wine64 was not found (`apt-get install wine64`)")?;
    let curl = find_tool("curl", &[]).ok_or("curl was not found (`apt-get install curl`)")?;
    Ok(Tools {
        clang,
        lld_link,
        wine64,
        curl,
        gcc,
    })
}

/// 32-bit wine (Debian's `wine32:i386`), or why it is missing, with the apt error that
/// `.ci/prerequisites` kept when it tried to install it.
pub fn wine32(root: &Path) -> Result<(), String> {
    if Path::new("/usr/lib/wine/wine").is_file() {
        return Ok(());
    }
    let log = root.join("target/prerequisites/wine32.txt");
    let apt = std::fs::read_to_string(&log)
        .map(|text| format!(": {}", text.trim().replace('\n', " | ")))
        .unwrap_or_else(|_| " (.ci/prerequisites has not tried to install it here)".into());
    Err(format!("32-bit wine (wine32:i386) is not installed{apt}"))
}

/// Runs `command`; on failure panics with what it printed.
pub fn run(what: &str, command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The `[[example]]` names of `tests/examples/Cargo.toml`, in order.
pub fn rust_examples(root: &Path) -> Vec<String> {
    let manifest = std::fs::read_to_string(root.join("tests/examples/Cargo.toml")).unwrap();
    let mut names = Vec::new();
    let mut in_example = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_example = line == "[[example]]";
        } else if let (true, Some(value)) = (in_example, line.strip_prefix("name")) {
            names.push(
                value
                    .trim_start_matches([' ', '='])
                    .trim_matches('"')
                    .to_string(),
            );
        }
    }
    names
}

/// The C++ modules, `tests/iis_host/modules/*.cpp`, by file stem (sorted).
pub fn cpp_modules(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("tests/iis_host/modules"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "cpp"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Everything built for one architecture.
pub struct Build {
    pub arch: Arch,
    pub dir: PathBuf,
    pub host: PathBuf,
    /// (name, DLL) in load order: the Rust examples with a C++ twin, and the twins.
    pub rust: Vec<(String, PathBuf)>,
    pub cpp: Vec<(String, PathBuf)>,
    /// The Rust examples without a twin (each served on its own).
    pub rust_only: Vec<(String, PathBuf)>,
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// True when `output` is older than any of `inputs` (or missing).
fn stale(output: &Path, inputs: &[PathBuf]) -> bool {
    let Some(built) = modified(output) else {
        return true;
    };
    inputs.iter().any(|i| modified(i).is_none_or(|m| m > built))
}

pub struct Cxx<'a> {
    tools: &'a Tools,
    arch: Arch,
    root: &'a Path,
    /// Headers every source includes: a change rebuilds everything.
    common: Vec<PathBuf>,
}

impl Cxx<'_> {
    fn compile(&self, source: &Path, object: &Path) {
        let mut inputs = self.common.clone();
        inputs.push(source.to_path_buf());
        if !stale(object, &inputs) {
            return;
        }
        let setup = IncludeSetup::debian();
        run(
            &format!("clang-19 on {}", source.display()),
            Command::new(&self.tools.clang)
                .args(compiler_args(&setup, self.arch.target()))
                .arg(format!("-I{}", self.root.join("headers").display()))
                // No MSVC CRT: no RTTI, no exceptions, no stack probes (__chkstk).
                .args([
                    "-O2",
                    "-fno-rtti",
                    "-fno-exceptions",
                    "-mno-stack-arg-probe",
                ])
                .args(["-Wall", "-Werror", "-Wno-overloaded-virtual"])
                .arg("-c")
                .arg(source)
                .arg("-o")
                .arg(object),
        );
    }

    fn link(
        &self,
        objects: &[PathBuf],
        libs: &[&str],
        out: &Path,
        dll_exports: Option<&[(&str, usize)]>,
    ) {
        if !stale(out, objects) {
            return;
        }
        let mut command = Command::new(&self.tools.lld_link);
        command.args(["/nologo", self.arch.machine(), "/nodefaultlib"]);
        if self.arch == Arch::I686 {
            // mingw-w64's import libraries carry no SEH tables.
            command.arg("/safeseh:no");
        }
        match dll_exports {
            Some(exports) => {
                command.args(["/dll", "/noentry"]);
                // x86 decorates __stdcall names (_RegisterModule@12); IIS and Rust's std look
                // for the plain ones, as a .def file would export them.
                if self.arch == Arch::I686 {
                    for (name, bytes) in exports {
                        command.arg(format!("/export:{name}=_{name}@{bytes}"));
                    }
                }
            }
            None => {
                command.args(["/subsystem:console", "/entry:host_main"]);
            }
        }
        command.arg(format!("/out:{}", out.display())).args(objects);
        for lib in libs {
            command.arg(self.arch.mingw_lib(lib));
        }
        run(&format!("lld-link-19 {}", out.display()), &mut command);
    }
}

/// Builds the host alone, with the `bcryptprimitives.dll` stand-in beside it, under
/// `out/<arch>/` (only what changed); returns the compiler setup for more C++ and the host's
/// path. What `cargo xtask serve` runs a module author's DLL in.
pub fn build_host<'a>(
    tools: &'a Tools,
    arch: Arch,
    root: &'a Path,
    out: &Path,
) -> (Cxx<'a>, PathBuf) {
    let dir = out.join(arch.name());
    let objects = dir.join("obj");
    let bin = dir.join("bin");
    for d in [&objects, &bin] {
        std::fs::create_dir_all(d).unwrap();
    }
    let host_dir = root.join("tests/iis_host");
    let cxx = Cxx {
        tools,
        arch,
        root,
        common: vec![
            host_dir.join("host/rt.h"),
            host_dir.join("host/host.h"),
            host_dir.join("host/global.h"),
            host_dir.join("host/site.h"),
            host_dir.join("host/application.h"),
            root.join("headers/httpserv.h"),
        ],
    };
    let object = |name: &str| objects.join(format!("{name}.obj"));
    cxx.compile(&host_dir.join("host/rt.cpp"), &object("rt"));

    let mut host_objects = Vec::new();
    for name in [
        "registry",
        "message",
        "context",
        "pipeline",
        "pool",
        "limits",
        "http",
        "main",
        "application",
        "global",
        "site",
        "errors",
        "url",
        "stream",
        "events",
        "files",
        "file_info",
    ] {
        cxx.compile(&host_dir.join(format!("host/{name}.cpp")), &object(name));
        host_objects.push(object(name));
    }
    host_objects.push(object("rt"));
    let host = bin.join("iis_host.exe");
    cxx.link(&host_objects, &["kernel32", "httpapi"], &host, None);

    cxx.compile(
        &host_dir.join("bcryptprimitives.cpp"),
        &object("bcryptprimitives"),
    );
    cxx.link(
        &[object("bcryptprimitives")],
        &["advapi32"],
        &bin.join("bcryptprimitives.dll"),
        Some(&[("ProcessPrng", 8)]),
    );

    (cxx, host)
}

/// Builds the Rust examples, the C++ modules, the host and the bcryptprimitives stand-in.
pub fn build(tools: &Tools, arch: Arch, root: &Path, out: &Path) -> Build {
    let dir = out.join(arch.name());
    let objects = dir.join("obj");
    let bin = dir.join("bin");
    for d in [&objects, &bin.join("rust"), &bin.join("cpp")] {
        std::fs::create_dir_all(d).unwrap();
    }

    // The Rust examples, by a cargo of their own (its own target dir: no wait on our lock),
    // with the release settings the README recommends for module DLLs.
    let cargo_dir = out.join("cargo");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    run(
        "cargo build of the example module DLLs",
        Command::new(cargo)
            .args([
                "build",
                "--release",
                "--quiet",
                "-p",
                "httpserv-examples",
                "--examples",
            ])
            .args(["--target", arch.rust_target()])
            .args(["--config", "profile.release.lto=true"])
            .args(["--config", "profile.release.codegen-units=1"])
            .current_dir(root)
            .env("CARGO_TARGET_DIR", &cargo_dir)
            .env(arch.linker_env(), &tools.gcc),
    );
    let twins = cpp_modules(root);
    let (mut rust, mut rust_only) = (Vec::new(), Vec::new());
    for name in rust_examples(root) {
        let built = cargo_dir
            .join(arch.rust_target())
            .join("release/examples")
            .join(format!("{name}.dll"));
        let dll = bin.join("rust").join(format!("{name}.dll"));
        // Only when changed: a host of another test run may have this DLL mapped.
        if stale(&dll, std::slice::from_ref(&built)) {
            std::fs::copy(&built, &dll).unwrap_or_else(|e| panic!("{}: {e}", built.display()));
        }
        if twins.contains(&name) {
            rust.push((name, dll));
        } else {
            rust_only.push((name, dll));
        }
    }

    let (cxx, host) = build_host(tools, arch, root, out);
    let object = |name: &str| objects.join(format!("{name}.obj"));
    let host_dir = root.join("tests/iis_host");
    let mut cpp = Vec::new();
    for name in cpp_modules(root) {
        let obj = object(&format!("cpp_{name}"));
        cxx.compile(&host_dir.join(format!("modules/{name}.cpp")), &obj);
        let dll = bin.join("cpp").join(format!("{name}.dll"));
        cxx.link(
            &[obj, object("rt")],
            &["kernel32"],
            &dll,
            Some(&[("RegisterModule", 12)]),
        );
        cpp.push((name, dll));
    }
    Build {
        arch,
        dir,
        host,
        rust,
        cpp,
        rust_only,
    }
}

/// The modules of `modules` named in `names`, in their order in `modules` (load order).
pub fn only(modules: &[(String, PathBuf)], names: &[&str]) -> Vec<(String, PathBuf)> {
    let picked: Vec<(String, PathBuf)> = modules
        .iter()
        .filter(|(name, _)| names.contains(&name.as_str()))
        .cloned()
        .collect();
    assert_eq!(picked.len(), names.len(), "{names:?} among {modules:?}");
    picked
}

/// The names a DLL exports, from `objdump -p`.
pub fn exports(arch: Arch, dll: &Path) -> Vec<String> {
    let objdump = format!("{}-objdump", arch.mingw());
    let text = run("objdump", Command::new(objdump).arg("-p").arg(dll));
    let mut names = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if line.contains("[Ordinal/Name Pointer] Table") {
            in_table = true;
        } else if in_table {
            match line.trim().rsplit_once(' ') {
                Some((_, name)) if line.trim().starts_with('[') => names.push(name.to_string()),
                _ => in_table = false,
            }
        }
    }
    names
}

#[path = "running.rs"]
mod running;
pub use running::*;
