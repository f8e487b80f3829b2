//! The generator's modules depend only downward: each names (`crate::module`) only modules of
//! lower layers, so there is no cycle and a stage never imports one that runs after it. The
//! layers, lowest first, are the table below; a new module must be placed in it.

use std::collections::BTreeMap;
use std::path::Path;

/// (layer, modules): a module may use modules of lower layers only.
const LAYERS: &[&[&str]] = &[
    &["toolchain", "samples"],
    &["error"],
    &["ir"],
    &["repr_c", "knowledge"],
    &["parse", "layout"],
    &["policy", "rust_types"],
    &["idiom"],
    &["emit", "manifest"],
    &["probe"],
];

fn layer_of(module: &str) -> usize {
    LAYERS
        .iter()
        .position(|layer| layer.contains(&module))
        .unwrap_or_else(|| panic!("module `{module}` is in no layer of LAYERS"))
}

/// `crate::x` names in a module's sources (its file or directory), by module `x`.
fn uses(src: &Path, module: &str) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut files = Vec::new();
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        files.push(file);
    }
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        for (at, _) in text.match_indices("crate::") {
            let name: String = text[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if LAYERS.iter().any(|layer| layer.contains(&name.as_str())) {
                found
                    .entry(name)
                    .or_insert_with(|| path.display().to_string());
            }
        }
    }
    found
}

#[test]
fn generator_modules_depend_only_on_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).unwrap();
    let mut upward = Vec::new();
    for line in lib.lines() {
        let Some(module) = line
            .strip_prefix("pub mod ")
            .and_then(|m| m.strip_suffix(';'))
        else {
            continue;
        };
        let layer = layer_of(module);
        for (used, at) in uses(&src, module) {
            if used != module && layer_of(&used) >= layer {
                upward.push(format!("{module} uses {used} ({at})"));
            }
        }
    }
    assert!(
        upward.is_empty(),
        "modules using a module of their own or a higher layer: {upward:#?}"
    );
}
