//! The SAL vocabulary as data: every annotation name we know (SAL 2, SAL 1 and the old
//! `IN`/`OUT`/`OPTIONAL` macros) and what it says about a parameter or return value —
//! direction, optionality, `_Outptr_`-ness and how its arguments size a buffer. `sal.rs`
//! reads annotations from tokens and looks their names up here.

use crate::ir::{Direction, Unit};

/// What a known annotation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Meaning {
    /// A parameter's direction, optionality, `_Outptr_`-ness and buffer.
    Param {
        direction: Direction,
        optional: bool,
        pointer_out: bool,
        buffer: Shape,
    },
    /// A return value: optional (`_Ret_opt_`) and the buffer it points at.
    Return { optional: bool, buffer: Shape },
    /// Writable memory of a stated size (`_Post_writable_byte_size_`).
    Writable(Unit),
    /// Only optionality (`OPTIONAL`, `_Ret_maybenull_`).
    Optional,
    /// An annotation on another expression (`_At_`).
    Conditional,
    /// Known, and of no consequence for the Rust signature (`_In_range_`, `_Success_`,
    /// `_Check_return_`, NUL-termination, reservations).
    Neutral,
}

/// The buffer part of an annotation: how its arguments size it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    None,
    /// `(capacity)`.
    Capacity(Unit),
    /// `(capacity)`, all of it written (`_all_`, `_full`).
    Full(Unit),
    /// `(capacity, filled)` (`_to_`, `_part`).
    Filled(Unit),
}

use Direction::{In, InOut, Out};
use Shape::{Capacity, Filled, Full};
use Unit::{Bytes, Elements};

pub(super) const fn param(
    direction: Direction,
    optional: bool,
    pointer_out: bool,
    buffer: Shape,
) -> Meaning {
    Meaning::Param {
        direction,
        optional,
        pointer_out,
        buffer,
    }
}

/// The annotations we know, SAL 2 then SAL 1 and the old `IN`/`OUT` macros.
pub(super) const WORDS: &[(&str, Meaning)] = &[
    ("_In_", param(In, false, false, Shape::None)),
    ("_In_opt_", param(In, true, false, Shape::None)),
    ("_In_z_", param(In, false, false, Shape::None)),
    ("_In_opt_z_", param(In, true, false, Shape::None)),
    ("_Out_", param(Out, false, false, Shape::None)),
    ("_Out_opt_", param(Out, true, false, Shape::None)),
    ("_Inout_", param(InOut, false, false, Shape::None)),
    ("_Inout_opt_", param(InOut, true, false, Shape::None)),
    ("_Outptr_", param(Out, false, true, Shape::None)),
    ("_Outptr_opt_", param(Out, true, true, Shape::None)),
    (
        "_Outptr_result_maybenull_",
        param(Out, false, true, Shape::None),
    ),
    ("_In_reads_", param(In, false, false, Capacity(Elements))),
    ("_In_reads_opt_", param(In, true, false, Capacity(Elements))),
    ("_In_opt_count_", param(In, true, false, Capacity(Elements))),
    ("_In_reads_bytes_", param(In, false, false, Capacity(Bytes))),
    (
        "_In_reads_bytes_opt_",
        param(In, true, false, Capacity(Bytes)),
    ),
    ("_Out_writes_", param(Out, false, false, Capacity(Elements))),
    (
        "_Out_writes_opt_",
        param(Out, true, false, Capacity(Elements)),
    ),
    (
        "_Out_writes_bytes_",
        param(Out, false, false, Capacity(Bytes)),
    ),
    (
        "_Out_writes_bytes_opt_",
        param(Out, true, false, Capacity(Bytes)),
    ),
    ("_Out_writes_all_", param(Out, false, false, Full(Elements))),
    (
        "_Out_writes_bytes_all_",
        param(Out, false, false, Full(Bytes)),
    ),
    (
        "_Out_writes_to_",
        param(Out, false, false, Filled(Elements)),
    ),
    (
        "_Out_writes_to_opt_",
        param(Out, true, false, Filled(Elements)),
    ),
    (
        "_Out_writes_bytes_to_",
        param(Out, false, false, Filled(Bytes)),
    ),
    (
        "_Out_writes_bytes_to_opt_",
        param(Out, true, false, Filled(Bytes)),
    ),
    (
        "_Inout_updates_",
        param(InOut, false, false, Capacity(Elements)),
    ),
    (
        "_Inout_updates_bytes_",
        param(InOut, false, false, Capacity(Bytes)),
    ),
    (
        "_Outptr_result_buffer_",
        param(Out, false, true, Capacity(Elements)),
    ),
    (
        "_Outptr_result_bytebuffer_",
        param(Out, false, true, Capacity(Bytes)),
    ),
    (
        "_Outptr_opt_result_buffer_",
        param(Out, true, true, Capacity(Elements)),
    ),
    (
        "_Outptr_opt_result_bytebuffer_",
        param(Out, true, true, Capacity(Bytes)),
    ),
    (
        "_Outptr_result_buffer_to_",
        param(Out, false, true, Filled(Elements)),
    ),
    (
        "_Outptr_result_bytebuffer_to_",
        param(Out, false, true, Filled(Bytes)),
    ),
    (
        "_Ret_writes_",
        Meaning::Return {
            optional: false,
            buffer: Capacity(Elements),
        },
    ),
    (
        "_Ret_writes_bytes_",
        Meaning::Return {
            optional: false,
            buffer: Capacity(Bytes),
        },
    ),
    (
        "_Ret_writes_to_",
        Meaning::Return {
            optional: false,
            buffer: Filled(Elements),
        },
    ),
    (
        "_Ret_writes_bytes_to_",
        Meaning::Return {
            optional: false,
            buffer: Filled(Bytes),
        },
    ),
    (
        "_Ret_opt_",
        Meaning::Return {
            optional: true,
            buffer: Shape::None,
        },
    ),
    ("_Ret_maybenull_", Meaning::Optional),
    ("_Ret_notnull_", Meaning::Neutral),
    ("_Ret_z_", Meaning::Neutral),
    ("_Post_writable_size_", Meaning::Writable(Elements)),
    ("_Post_writable_byte_size_", Meaning::Writable(Bytes)),
    ("_Pre_readable_size_", Meaning::Neutral),
    ("_Post_readable_size_", Meaning::Neutral),
    ("_In_range_", Meaning::Neutral),
    ("_At_", Meaning::Conditional),
    ("_Success_", Meaning::Neutral),
    ("_Check_return_", Meaning::Neutral),
    ("_Must_inspect_result_", Meaning::Neutral),
    ("_Null_terminated_", Meaning::Neutral),
    ("_NullNull_terminated_", Meaning::Neutral),
    ("_Reserved_", Meaning::Neutral),
    // SAL 1.
    ("__in", param(In, false, false, Shape::None)),
    ("__in_opt", param(In, true, false, Shape::None)),
    ("__in_z", param(In, false, false, Shape::None)),
    ("__in_ecount", param(In, false, false, Capacity(Elements))),
    ("__in_bcount", param(In, false, false, Capacity(Bytes))),
    (
        "__in_ecount_opt",
        param(In, true, false, Capacity(Elements)),
    ),
    ("__in_bcount_opt", param(In, true, false, Capacity(Bytes))),
    ("__out", param(Out, false, false, Shape::None)),
    ("__out_opt", param(Out, true, false, Shape::None)),
    ("__out_ecount", param(Out, false, false, Capacity(Elements))),
    ("__out_bcount", param(Out, false, false, Capacity(Bytes))),
    (
        "__out_ecount_opt",
        param(Out, true, false, Capacity(Elements)),
    ),
    ("__out_bcount_opt", param(Out, true, false, Capacity(Bytes))),
    (
        "__out_ecount_part",
        param(Out, false, false, Filled(Elements)),
    ),
    ("__out_bcount_part", param(Out, false, false, Filled(Bytes))),
    (
        "__out_ecount_part_opt",
        param(Out, true, false, Filled(Elements)),
    ),
    (
        "__out_bcount_part_opt",
        param(Out, true, false, Filled(Bytes)),
    ),
    (
        "__out_ecount_full",
        param(Out, false, false, Full(Elements)),
    ),
    ("__out_bcount_full", param(Out, false, false, Full(Bytes))),
    ("__inout", param(InOut, false, false, Shape::None)),
    ("__inout_opt", param(InOut, true, false, Shape::None)),
    (
        "__inout_ecount",
        param(InOut, false, false, Capacity(Elements)),
    ),
    (
        "__inout_bcount",
        param(InOut, false, false, Capacity(Bytes)),
    ),
    ("__deref_out", param(Out, false, true, Shape::None)),
    ("__deref_out_opt", param(Out, true, true, Shape::None)),
    ("__deref_opt_out", param(Out, true, true, Shape::None)),
    (
        "__deref_out_ecount",
        param(Out, false, true, Capacity(Elements)),
    ),
    (
        "__deref_out_bcount",
        param(Out, false, true, Capacity(Bytes)),
    ),
    (
        "__deref_out_ecount_part",
        param(Out, false, true, Filled(Elements)),
    ),
    (
        "__deref_out_bcount_part",
        param(Out, false, true, Filled(Bytes)),
    ),
    ("__checkReturn", Meaning::Neutral),
    ("__success", Meaning::Neutral),
    ("__nullterminated", Meaning::Neutral),
    ("__reserved", Meaning::Neutral),
    ("__range", Meaning::Neutral),
    ("IN", param(In, false, false, Shape::None)),
    ("OUT", param(Out, false, false, Shape::None)),
    ("OPTIONAL", Meaning::Optional),
];

pub(super) fn meaning(name: &str) -> Option<Meaning> {
    WORDS.iter().find(|(w, _)| *w == name).map(|(_, m)| *m)
}

/// A SAL 2 name we may not know: `_Word_` with a capital letter first.
pub(super) fn sal2_shaped(name: &str) -> bool {
    name.len() > 2
        && name.starts_with('_')
        && name.ends_with('_')
        && name[1..].starts_with(|c: char| c.is_ascii_uppercase())
}
