//! Finding the newest installed Windows SDK's `httpserv.h`:
//! `<Windows Kits root>\Include\<version>\um\httpserv.h`, highest version first. The root is
//! `%WindowsSdkDir%` when set, else `C:\Program Files (x86)\Windows Kits\10`, else — on
//! Linux under WSL — the same folder as `/mnt/c/Program Files (x86)/Windows Kits/10`.

use std::path::{Path, PathBuf};

/// The Windows Kits root to search: the first of the candidates that exists, else the
/// first candidate (for the error message).
pub fn kits_root() -> PathBuf {
    let candidates = kits_root_candidates(std::env::var_os("WindowsSdkDir").map(PathBuf::from));
    candidates
        .iter()
        .find(|root| root.is_dir())
        .unwrap_or(&candidates[0])
        .clone()
}

fn kits_root_candidates(windows_sdk_dir: Option<PathBuf>) -> Vec<PathBuf> {
    let mut candidates: Vec<PathBuf> = windows_sdk_dir.into_iter().collect();
    if cfg!(windows) {
        candidates.push(PathBuf::from(r"C:\Program Files (x86)\Windows Kits\10"));
    } else {
        candidates.push(PathBuf::from("/mnt/c/Program Files (x86)/Windows Kits/10"));
    }
    candidates
}

/// `10.0.26100.0` → `[10, 0, 26100, 0]`; `None` for directories that are not versions.
fn version_key(name: &str) -> Option<Vec<u64>> {
    name.split('.').map(|part| part.parse().ok()).collect()
}

/// The `um/httpserv.h` of the highest SDK version under `root/Include`.
pub fn newest_httpserv_h(root: &Path) -> Result<PathBuf, String> {
    let include = root.join("Include");
    let entries = std::fs::read_dir(&include).map_err(|e| {
        format!(
            "no Windows SDK found at {} ({e}); install the Windows SDK or pass --header PATH",
            include.display()
        )
    })?;
    let mut best: Option<(Vec<u64>, PathBuf)> = None;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(key) = version_key(&name) else {
            continue;
        };
        let header = entry.path().join("um").join("httpserv.h");
        if header.is_file() && best.as_ref().is_none_or(|(k, _)| key > *k) {
            best = Some((key, header));
        }
    }
    best.map(|(_, header)| header).ok_or_else(|| {
        format!(
            "no um/httpserv.h in any SDK version under {}; install the Windows SDK or pass --header PATH",
            include.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kits_root_prefers_windows_sdk_dir() {
        let given = PathBuf::from("/opt/kits");
        let candidates = kits_root_candidates(Some(given.clone()));
        assert_eq!(candidates[0], given);
        assert_eq!(candidates.len(), 2);
        assert!(kits_root_candidates(None)[0].ends_with("Windows Kits/10"));
    }

    #[test]
    fn picks_the_highest_version_with_the_header() {
        let root = std::env::temp_dir().join(format!("httpserv-rs-kits-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (version, has_header) in [
            ("10.0.19041.0", true),
            ("10.0.26100.0", true),
            ("10.0.9999.0", true),
            ("10.0.28000.0", false),
            ("wdf", true),
        ] {
            let um = root.join("Include").join(version).join("um");
            std::fs::create_dir_all(&um).unwrap();
            if has_header {
                std::fs::write(um.join("httpserv.h"), "// test\n").unwrap();
            }
        }
        let found = newest_httpserv_h(&root).unwrap();
        assert!(
            found.ends_with("10.0.26100.0/um/httpserv.h"),
            "{}",
            found.display()
        );
        let missing = newest_httpserv_h(&root.join("nowhere")).unwrap_err();
        assert!(missing.contains("pass --header PATH"), "{missing}");
        let _ = std::fs::remove_dir_all(root);
    }
}
