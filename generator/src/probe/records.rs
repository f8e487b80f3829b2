//! Struct and enum layouts in the probe: for every struct of the header, its size and
//! alignment, and each field's offset, size and alignment, as the compiler gives them; for
//! every enum, its size. The comparison places the fields as the emitted `repr` does
//! (`layout::records`) — from the sizes the generated Rust gives each field's type where
//! they follow from the API (builtins, pointers, enums, the header's own structs), from
//! the compiler's otherwise (windows-sys types) — and reports every offset, size and
//! alignment that differs, per target.

use super::{CompiledLayout, Mismatch};
use crate::ir::{Api, Builtin};
use crate::layout::records::{builtin_layout, struct_layout};
use crate::layout::LaidOutApi;
use std::fmt::Write;

/// The prefix of the integers this part of the probe stores.
pub const LAYOUT_PREFIX: &str = "httpserv_layout_";

/// The probe source: one `extern "C"` integer per fact, named by the struct's (or enum's)
/// index in the API so that no C++ name has to be parsed back.
pub fn records_source(api: &Api) -> String {
    let mut out = String::new();
    for (s, record) in api.structs.iter().enumerate() {
        let name = &record.name;
        let mut datum = |key: String, value: String| {
            let _ = writeln!(
                out,
                "extern \"C\" extern const int {LAYOUT_PREFIX}{key} = (int)({value});"
            );
        };
        datum(format!("s{s}_size"), format!("sizeof({name})"));
        datum(format!("s{s}_align"), format!("alignof({name})"));
        for (f, field) in record.fields.iter().enumerate() {
            let member = format!("decltype({name}::{})", field.name);
            // The builtin: windows.h does not bring `offsetof` in.
            datum(
                format!("s{s}_f{f}_offset"),
                format!("__builtin_offsetof({name}, {})", field.name),
            );
            datum(format!("s{s}_f{f}_size"), format!("sizeof({member})"));
            datum(format!("s{s}_f{f}_align"), format!("alignof({member})"));
        }
    }
    for (e, enumeration) in api.enums.iter().enumerate() {
        let _ = writeln!(
            out,
            "extern \"C\" extern const int {LAYOUT_PREFIX}e{e}_size = (int)sizeof({});",
            enumeration.name
        );
    }
    out
}

/// Every struct offset, size or alignment and every enum size where the emitted Rust and
/// the compiler disagree on `compiled.target` (or the probe has no answer).
pub fn compare_records(model: &LaidOutApi, compiled: &CompiledLayout) -> Vec<Mismatch> {
    let api = &model.api;
    let data = &compiled.layouts;
    let get = |key: String| data.get(&key).and_then(|&v| u64::try_from(v).ok());
    let mut out = Vec::new();
    let mut row = |class: &str, what: String, predicted: Option<u64>, found: Option<u64>| {
        if predicted != found || found.is_none() {
            out.push(Mismatch {
                target: compiled.target,
                class: class.to_string(),
                method: what,
                predicted: predicted.map(|v| v as usize),
                compiled: found.map(|v| v as usize),
            });
        }
    };
    for (s, record) in api.structs.iter().enumerate() {
        let name = &record.name;
        let field_layout = |f: usize| {
            Some((
                get(format!("s{s}_f{f}_size"))?,
                get(format!("s{s}_f{f}_align"))?,
            ))
        };
        let placed = struct_layout(api, record, compiled.target, &field_layout);
        for (f, field) in record.fields.iter().enumerate() {
            row(
                name,
                format!("offsetof({name}, {})", field.name),
                placed.as_ref().map(|p| p.offsets[f]),
                get(format!("s{s}_f{f}_offset")),
            );
        }
        row(
            name,
            format!("sizeof({name})"),
            placed.as_ref().map(|p| p.size),
            get(format!("s{s}_size")),
        );
        row(
            name,
            format!("alignof({name})"),
            placed.as_ref().map(|p| p.align),
            get(format!("s{s}_align")),
        );
    }
    for (e, enumeration) in api.enums.iter().enumerate() {
        let underlying = api
            .details
            .enum_underlying
            .get(&enumeration.name)
            .copied()
            .unwrap_or(Builtin::Int);
        row(
            &enumeration.name,
            format!("sizeof({})", enumeration.name),
            Some(builtin_layout(underlying).0),
            get(format!("e{e}_size")),
        );
    }
    out
}
