//! How a diff [`Report`] reads: a one-line [`Report::summary`], the human report
//! (`Display`: the summary, then breaking changes, then compatible ones, one line each)
//! and the JSON form for tools ([`Report::to_json`]).

use super::diff::{Change, ChangeKind, Report};
use serde::Serialize;
use std::fmt;

impl Report {
    /// True when any change breaks modules or Rust code built against the old API.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(Change::is_breaking)
    }

    /// True when nothing changed (the sources' names may still differ).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Breaking changes, C++ ABI first, then the ones that break Rust code only.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        let abi = self
            .changes
            .iter()
            .filter(|c| c.is_breaking() && !c.kind.is_rust_only());
        let rust = self
            .changes
            .iter()
            .filter(|c| c.is_breaking() && c.kind.is_rust_only());
        abi.chain(rust)
    }

    pub fn compatible(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| !c.is_breaking())
    }

    /// One line: `no ABI changes`, `compatible: 3 changes, none breaking` or
    /// `BREAKING: 2 breaking changes, 1 compatible change`.
    pub fn summary(&self) -> String {
        let breaking = self.breaking().count();
        let compatible = self.compatible().count();
        if breaking > 0 {
            format!(
                "BREAKING: {}, {}",
                count(breaking, "breaking change"),
                count(compatible, "compatible change")
            )
        } else if compatible > 0 {
            format!("compatible: {}, none breaking", count(compatible, "change"))
        } else {
            "no ABI changes".to_string()
        }
    }

    /// The report for tools: sources, hashes, `breaking`, `summary`, and each change with
    /// its kind, `breaking`, fields and the human `message`. Pretty-printed, newline-ended.
    pub fn to_json(&self) -> String {
        #[derive(Serialize)]
        struct JsonChange<'a> {
            #[serde(flatten)]
            change: &'a Change,
            breaking: bool,
            message: String,
        }
        #[derive(Serialize)]
        struct JsonReport<'a> {
            old_source: &'a str,
            new_source: &'a str,
            old_api_hash: &'a str,
            new_api_hash: &'a str,
            breaking: bool,
            summary: String,
            changes: Vec<JsonChange<'a>>,
        }
        let report = JsonReport {
            old_source: &self.old_source,
            new_source: &self.new_source,
            old_api_hash: &self.old_api_hash,
            new_api_hash: &self.new_api_hash,
            breaking: self.is_breaking(),
            summary: self.summary(),
            changes: self
                .breaking()
                .chain(self.compatible())
                .map(|change| JsonChange {
                    change,
                    breaking: change.is_breaking(),
                    message: change.to_string(),
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&report).expect("reports always serialize");
        text.push('\n');
        text
    }
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.summary())?;
        let (rust, abi): (Vec<&Change>, Vec<&Change>) =
            self.breaking().partition(|c| c.kind.is_rust_only());
        for (title, changes) in [
            ("breaking changes:", abi),
            (
                "Rust API changes (the vtables did not move; Rust callers must adapt):",
                rust,
            ),
            ("compatible changes:", self.compatible().collect()),
        ] {
            if !changes.is_empty() {
                writeln!(f, "{title}")?;
                for change in changes {
                    writeln!(f, "  {change}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Change {
    /// One line, e.g. `IHttpResponse::SetHeader moved: slot 3 -> 4: virtual HRESULT …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ChangeKind::*;
        let item = &self.item;
        let member = self.member.as_deref().unwrap_or("");
        let old = self.old.as_deref().unwrap_or("(none)");
        let new = self.new.as_deref().unwrap_or("(none)");
        let slot = |s: Option<usize>| s.map_or("?".to_string(), |s| s.to_string());
        let (o, n) = (slot(self.old_slot), slot(self.new_slot));
        let at = if o == n {
            o.clone()
        } else {
            format!("{o} -> {n}")
        };
        match self.kind {
            ClassAdded => match &self.new {
                Some(base) => write!(f, "class {item} added, derived from {base}"),
                None => write!(f, "class {item} added"),
            },
            ClassRemoved => write!(f, "class {item} removed"),
            UuidChanged => write!(f, "{item}: uuid changed: {old} -> {new}"),
            BaseChanged => write!(f, "{item}: base changed: {old} -> {new}"),
            SlotAppended => write!(f, "{item}::{member} appended at slot {n}: {new}"),
            DeclarationChanged => write!(
                f,
                "{item}::{member} declaration text changed at slot {at} (same ABI): {old} -> {new}"
            ),
            SlotInserted => write!(f, "{item}::{member} inserted at slot {n}: {new}"),
            SlotMoved => write!(f, "{item}::{member} moved: slot {o} -> {n}: {new}"),
            MethodRemoved => write!(f, "{item}::{member} removed from slot {o}: {old}"),
            ConstnessChanged => write!(
                f,
                "{item}::{member} constness changed at slot {at}: {old} -> {new}"
            ),
            ReturnTypeChanged => write!(
                f,
                "{item}::{member} return type changed at slot {at}: {old} -> {new}"
            ),
            SignatureChanged => write!(
                f,
                "{item}::{member} signature changed at slot {at}: {old} -> {new}"
            ),
            FieldRenamed => write!(
                f,
                "{item}::{member} Rust field renamed at slot {n}: {old} -> {new}"
            ),
            RustApiChanged => write!(
                f,
                "Rust API changed: {item}::{member} at slot {n}: `{old}` now `{new}`"
            ),
            EnumAdded => write!(f, "enum {item} added"),
            EnumRemoved => write!(f, "enum {item} removed"),
            EnumTypeChanged => write!(f, "enum {item}: underlying type changed: {old} -> {new}"),
            VariantAdded => write!(f, "enum {item}: {member} = {new} added"),
            VariantRemoved => write!(f, "enum {item}: {member} = {old} removed"),
            VariantValueChanged => write!(f, "enum {item}: {member} changed: {old} -> {new}"),
            ConstantAdded => write!(f, "constant {item} = {new} added"),
            ConstantRemoved => write!(f, "constant {item} = {old} removed"),
            ConstantValueChanged => write!(f, "constant {item} changed: {old} -> {new}"),
            TypedefAdded => write!(f, "typedef {item} = {new} added"),
            TypedefRemoved => write!(f, "typedef {item} = {old} removed"),
            TypedefChanged => write!(f, "typedef {item} changed: {old} -> {new}"),
        }
    }
}
