//! Shared helpers: running the generator on a fixture the way `regen` does.

use generator::emit::Provenance;
use generator::parse::ParseOptions;
use std::path::PathBuf;

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is one level below the workspace root")
        .to_path_buf()
}

pub fn fixture_path(name: &str) -> PathBuf {
    workspace_root()
        .join("tests/fixtures")
        .join(format!("{name}.h"))
}

pub fn options(header: PathBuf) -> ParseOptions {
    xtask::parse_options(&header)
}

/// Runs parse → layout → emit on `tests/fixtures/<name>.h`.
pub fn generate_fixture(name: &str) -> generator::Result<generator::Generated> {
    let provenance = Provenance {
        input: format!("tests/fixtures/{name}.h"),
    };
    generator::generate(&options(fixture_path(name)), &provenance)
}

/// `(slot index, Rust field name, C++ declaration)` for every slot of `class`.
pub fn slots(generated: &generator::Generated, class: &str) -> Vec<(usize, String, String)> {
    let names = generator::emit::names::slot_names(&generated.api, &generated.layouts);
    generated.layouts[class]
        .slots
        .iter()
        .map(|slot| {
            let method = generator::layout::slot_method(&generated.api, slot);
            (
                slot.index,
                names[class][slot.index].clone(),
                method.cpp_declaration(),
            )
        })
        .collect()
}
