//! The fixture catalogue's expected outputs, compiled: every directory under
//! `tests/expected/` is a module here (found by `build.rs`), so an expectation that is not
//! valid Rust fails the build (bindgen's expectations style). Also the helpers the
//! integration tests share (`support`).

include!(concat!(env!("OUT_DIR"), "/expected_modules.rs"));

pub mod support;
