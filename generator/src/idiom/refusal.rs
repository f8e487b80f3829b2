//! Why a method keeps only its raw form, as data: each rule that refuses an idiomatic form
//! returns a [`Refusal`] naming what it found (the parameter, the size expression, the C++
//! spelling), and only the coverage list and the tests print it, as the sentence each
//! variant's `#[error]` gives.

use crate::ir::SizeExpr;
use crate::rust_types::UnboundType;

/// Why no idiomatic form: what a rule of `rules.rs`, `roles.rs` or `sizes.rs` could not
/// express.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    // The method as a whole (`rules.rs`).
    #[error("ends the object's life: the raw method takes the object pointer")]
    EndsOwnLife,
    #[error(
        "ends the life of an object handed out to be released: the guard that hands it out \
         (`Child`) calls it when dropped"
    )]
    EndsHandedOutLife,
    /// A SAL annotation that holds only under a condition (`_At_`), as written.
    #[error("SAL `_At_` annotation ({})", .0.join(" "))]
    ConditionalSal(Vec<String>),
    /// Two SAL annotations that contradict each other, as the parser reported them.
    #[error("contradictory SAL: {0}")]
    ContradictorySal(String),
    /// Annotations the parser could not read.
    #[error("unknown SAL annotation {}", .0.join(", "))]
    UnknownSal(Vec<String>),
    #[error("hands out several buffers to write, which SAL does not say are distinct")]
    SeveralBuffersToWrite,
    #[error(
        "hands out an object to release, which a guard holding the only borrow of `self` \
         cannot express here"
    )]
    UnguardableRelease,
    #[error("returns data from a non-const method of an object several requests share")]
    SharedDataFromNonConst,
    /// The class that should declare the release, and the release's C++ name.
    #[error("`{class}` declares no release `{release}`")]
    NoRelease { class: String, release: String },
    /// A type of the form has no Rust name.
    #[error("{0}")]
    Unbound(UnboundType),
    /// One parameter's reason.
    #[error("parameter `{name}`: {reason}")]
    Parameter { name: String, reason: Box<Refusal> },

    // The return value and each parameter's role (`roles.rs`).
    #[error("a size names no parameter")]
    SizeOfNothing,
    #[error("a count parameter with two roles")]
    CountWithTwoRoles,
    #[error("returns memory that outlives the call")]
    ReturnsMemoryThatOutlivesTheCall,
    #[error("returns a buffer of unstated size")]
    ReturnsUnsizedBuffer,
    /// The return type's C++ spelling.
    #[error("returns `{0}`")]
    Returns(String),
    #[error("an array parameter")]
    Array,
    #[error("a callback")]
    Callback,
    #[error("a pointer without a direction (no SAL)")]
    NoDirection,
    #[error("an in-out buffer or pointer")]
    InOutBuffer,
    /// An input type no rule covers, as C++ spells it.
    #[error("`{0}` read by the callee")]
    Input(String),
    #[error("a buffer that is not a pointer")]
    BufferNotAPointer,
    #[error("an output buffer of non-bytes")]
    OutputBufferOfNonBytes,
    /// The element type of an input buffer, as C++ spells it.
    #[error("a buffer of `{0}`")]
    BufferOf(String),
    #[error("an output that is not a pointer")]
    OutputNotAPointer,
    #[error("an output string buffer of unstated size")]
    UnsizedOutputString,
    /// An output type no rule covers, as C++ spells it.
    #[error("an output of `{0}`")]
    Output(String),
    #[error("a buffer the callee hands out to be written")]
    HandedOutBuffer,
    /// What an `_Outptr_` parameter points to, as C++ spells it.
    #[error("an output pointer to `{0}`")]
    OutputPointerTo(String),
    /// An object IIS takes over (its class) that may be null.
    #[error("an optional `{0}` IIS takes over")]
    OptionalTakenOver(String),
    /// An object (its class) IIS keeps without a documented release.
    #[error(
        "IIS keeps the `{0}` after the call returns, and no rule says who releases it or when"
    )]
    RetainedObject(String),
    /// A borrowed argument IIS keeps after the call.
    #[error("IIS keeps it after the call returns")]
    Retained,

    // Buffer sizes (`sizes.rs`); a size is named as SAL writes it.
    #[error("a buffer sized by {}", describe(.0))]
    SizedBy(SizeExpr),
    #[error("a capacity of {}", describe(.0))]
    CapacityOf(SizeExpr),
    /// The size's name.
    #[error("the size `{0}` names no parameter")]
    SizeNamesNoParameter(String),
    /// The buffer's (and size's) name.
    #[error("the buffer `{0}` is its own size")]
    OwnSize(String),
    /// The size (`n` or `*n`) and the C++ spelling of its integer's type.
    #[error("the size {} is a `{spelling}`, not an integer count", describe(size))]
    SizeNotAnInteger { size: SizeExpr, spelling: String },
    /// The size's name.
    #[error("the size `{0}` is not an input")]
    SizeNotAnInput(String),
    /// The size (`n` or `*n`) and the C++ spelling of its signed integer's type.
    #[error(
        "the size {} is a signed `{spelling}`: a negative count has no slice",
        describe(size)
    )]
    SignedSize { size: SizeExpr, spelling: String },
    /// The size's name and the C++ spelling of its parameter's type.
    #[error("the size `*{name}` is not written through a pointer to non-const (`{spelling}`)")]
    SizeNotWritten { name: String, spelling: String },
    #[error("a UTF-16 buffer counted in bytes (the safe form counts u16s)")]
    WideCountedInBytes,
}

impl Refusal {
    /// This reason, as the reason of the parameter `name`.
    pub fn of_parameter(self, name: &str) -> Refusal {
        Refusal::Parameter {
            name: name.to_string(),
            reason: Box::new(self),
        }
    }
}

/// A size expression as SAL writes it, for reasons.
fn describe(expr: &SizeExpr) -> String {
    match expr {
        SizeExpr::Param(n) => format!("`{n}`"),
        SizeExpr::Deref(n) => format!("`*{n}`"),
        SizeExpr::Literal(n) => format!("`{n}`"),
        SizeExpr::Other(text) => format!("the expression `{text}`"),
    }
}
