//! A failure while writing leaves every previous file intact (its own test binary: the
//! failpoint is a process-wide environment variable).

use std::path::PathBuf;

#[test]
fn failure_midway_leaves_old_files_untouched() {
    let dir: PathBuf =
        std::env::temp_dir().join(format!("httpserv-rs-atomic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("generated");
    std::fs::create_dir_all(out.join("src")).unwrap();
    for file in ["src/lib.rs", "src/bindings.rs", "src/vtable_layout.rs"] {
        std::fs::write(out.join(file), format!("// old {file}\n")).unwrap();
    }
    std::env::set_var("HTTPSERV_RS_FAILPOINT", "after-first-staged-file");
    let args: Vec<String> = ["regen", "--out", &out.display().to_string()]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = xtask::run(&args, &mut stdout, &mut stderr);
    std::env::remove_var("HTTPSERV_RS_FAILPOINT");
    let stderr = String::from_utf8(stderr).unwrap();
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("previous files left in place"), "{stderr}");
    for file in ["src/lib.rs", "src/bindings.rs", "src/vtable_layout.rs"] {
        assert_eq!(
            std::fs::read_to_string(out.join(file)).unwrap(),
            format!("// old {file}\n")
        );
    }
    // No staging files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.join("src"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".regen-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(dir);
}
