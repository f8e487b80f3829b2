//! The generator's error type. Every variant is a user-facing message: where there is a
//! source location it comes first as `file:line:col`, and where a tool is missing the
//! message says how to install it.

use crate::layout::LayoutError;
use crate::toolchain::ToolchainError;

/// Serializable so that a parse worker process can hand it to its parent unchanged.
#[derive(Debug, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum Error {
    /// The input could not be read (missing, a directory, unreadable, not text).
    #[error("{path}: {reason}")]
    Input { path: String, reason: String },
    /// libclang or the headers it needs are not installed.
    #[error(transparent)]
    Toolchain(#[from] ToolchainError),
    /// The compiler rejected the input.
    #[error("{first}{more}")]
    Compile { first: String, more: String },
    /// A construct our layout rules do not cover, or a type we cannot bind.
    #[error("{location}: {message}")]
    Unsupported { location: String, message: String },
    /// The parse worker process could not be driven (not the header's fault).
    #[error("{0}")]
    Worker(String),
    #[error(transparent)]
    Layout(#[from] LayoutError),
    /// The emitted Rust did not parse: a generator bug, reported with the offending text.
    #[error("internal error: generated Rust does not parse: {0}")]
    Emit(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An emission failure, located at the input.
    pub fn from_emit(error: crate::emit::EmitError, provenance: &crate::emit::Provenance) -> Error {
        match error {
            crate::emit::EmitError::Unparsable(text) => Error::Emit(text),
            unbound => Error::Unsupported {
                location: provenance.input.clone(),
                message: unbound.to_string(),
            },
        }
    }
}
