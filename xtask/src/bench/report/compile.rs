//! Section 5: what the generated crate costs to compile, next to windows-sys.

use super::*;
use crate::bench::compile_cost::CompileCost;
use std::fmt::Write;

pub(super) fn section(md: &mut String, v: &View) {
    let _ = writeln!(md, "## 5. Compile cost\n");
    let Some(c) = &v.r.compile else {
        let _ = writeln!(md, "Not measured in this run.\n");
        return;
    };
    let _ = writeln!(
        md,
        "Each build runs `cargo build` in a fresh `CARGO_TARGET_DIR` under a temp dir. *Fresh* \
         is the whole build from an empty target dir (dependencies included: for `httpserv`, \
         windows-link and windows-sys with the seven features it uses); *alone* is the crate \
         rebuilt after `cargo clean -p <crate>`, its dependencies already built. `httpserv` is \
         built from the workspace (`cargo build --locked -p httpserv`, default features), \
         windows-sys {} with `Win32_Networking_HttpServer` alone from a throwaway crate.\n",
        c.windows_sys_version
    );
    builds(md, c);
    sources(md, c);
    let _ = writeln!(
        md,
        "Building `httpserv` alone takes {} the time of windows-sys with the one feature in \
         debug and {} in release; a fresh build of `httpserv` with its dependencies, {} and {}.\n",
        ratio(
            c.httpserv_debug.alone.median(),
            c.windows_sys_debug.alone.median()
        ),
        ratio(
            c.httpserv_release.alone.median(),
            c.windows_sys_release.alone.median()
        ),
        duration(c.httpserv_debug.fresh.median()),
        duration(c.httpserv_release.fresh.median()),
    );
}

/// The four build times of each crate, and their ratios.
fn builds(md: &mut String, c: &CompileCost) {
    let _ = writeln!(
        md,
        "| crate | debug, fresh | debug, alone | release, fresh | release, alone |\n| --- | --- | --- | --- | --- |"
    );
    let _ = writeln!(
        md,
        "| `httpserv` (`generated/`) | {} | {} | {} | {} |",
        c.httpserv_debug.fresh.cell(),
        c.httpserv_debug.alone.cell(),
        c.httpserv_release.fresh.cell(),
        c.httpserv_release.alone.cell()
    );
    let _ = writeln!(
        md,
        "| windows-sys {} (`Win32_Networking_HttpServer`) | {} | {} | {} | {} |",
        c.windows_sys_version,
        c.windows_sys_debug.fresh.cell(),
        c.windows_sys_debug.alone.cell(),
        c.windows_sys_release.fresh.cell(),
        c.windows_sys_release.alone.cell()
    );
    let _ = writeln!(
        md,
        "| ratio httpserv ÷ windows-sys | {} | {} | {} | {} |\n",
        ratio(
            c.httpserv_debug.fresh.median(),
            c.windows_sys_debug.fresh.median()
        ),
        ratio(
            c.httpserv_debug.alone.median(),
            c.windows_sys_debug.alone.median()
        ),
        ratio(
            c.httpserv_release.fresh.median(),
            c.windows_sys_release.fresh.median()
        ),
        ratio(
            c.httpserv_release.alone.median(),
            c.windows_sys_release.alone.median()
        ),
    );
}

/// The generated source's size, per directory.
fn sources(md: &mut String, c: &CompileCost) {
    let _ = writeln!(
        md,
        "Generated source:\n\n| file | lines | bytes |\n| --- | --- | --- |"
    );
    let (mut lines, mut size) = (0, 0);
    for (file, l, b) in &c.sources {
        let _ = writeln!(
            md,
            "| `{file}` | {} | {} |",
            thousands(*l as u64),
            thousands(*b as u64)
        );
        lines += l;
        size += b;
    }
    let _ = writeln!(
        md,
        "| total | {} | {} ({}) |\n",
        thousands(lines as u64),
        thousands(size as u64),
        bytes(size as u64)
    );
}
