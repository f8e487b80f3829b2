//! The generator's errors, one catalogue for every stage (cxx's `syntax/` style): the
//! pipeline's [`Error`] and the layout stage's [`LayoutError`]. Every variant is a
//! user-facing message: where there is a source location it comes first as
//! `file:line:col`, and where a tool is missing the message says how to install it. This
//! module sits under the stages (only `toolchain` is below it), so each stage returns these
//! types without the catalogue knowing the stages.

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

/// Why the vtables could not be laid out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
pub enum LayoutError {
    #[error(
        "{location}: class `{class}` derives from `{base}`, which is not defined in the header"
    )]
    UnknownBase {
        class: String,
        base: String,
        location: String,
    },
    #[error("{location}: class `{class}` is its own base (inheritance cycle)")]
    Cycle { class: String, location: String },
    #[error(
        "{location}: class `{class}` derives from {depth} classes in a chain; more than \
         {max} is not supported (each base is a nested `base__` vtable and a \
         `Deref` step, and the Rust compiler stops at 128 nested levels)"
    )]
    TooDeep {
        class: String,
        depth: usize,
        /// `layout::MAX_INHERITANCE_DEPTH`.
        max: usize,
        location: String,
    },
}
