//! The ABI manifest: a checked-in, diff-friendly record of everything a compiled IIS module
//! depends on — every class's uuid, base and complete vtable (slot, Rust field, C++
//! declaration, byte offsets on x64 and x86), enum values, constants and typedefs — plus a
//! content hash of that normalized API. [`build`] makes one from the IR and layouts,
//! [`to_json`]/[`from_json`] store it (one slot per line, see `json.rs`) and [`diff`]
//! classifies what changed between two of them (see `diff.rs` and `report.rs`).

mod diff;
#[cfg(test)]
mod diff_tests;
mod json;
mod report;
#[cfg(test)]
mod tests;

pub use diff::{diff, Change, ChangeKind, Report};
pub use json::{from_json, to_json};

use crate::idiom::{Form, Idioms};
use crate::ir::{Api, Constant, ConstantValue, Enum, IntegerType};
use crate::layout::{LaidOutApi, Slot, SlotId};
use crate::toolchain::Target;
use serde::{Deserialize, Serialize};

/// The manifest format this generator writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// The prefix of [`Manifest::api_hash`]: the hash function used.
pub const HASH_PREFIX: &str = "fnv1a64:";

/// The ABI of one header. Field order is the JSON key order; lists are in header order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT_VERSION`] of the writer.
    pub format: u32,
    /// The header's file name, without directories.
    pub source: String,
    /// [`HASH_PREFIX`] and 16 hex digits: FNV-1a over the canonical form of everything
    /// below, so comments, whitespace and line endings do not change it.
    pub api_hash: String,
    /// Whether enum underlying types and constant types are recorded (absent, so false, in
    /// manifests written before they were): `diff` compares them only when both sides
    /// record them, so the first regen after the upgrade is not a false break.
    #[serde(default)]
    pub records_types: bool,
    pub classes: Vec<ClassEntry>,
    pub enums: Vec<EnumEntry>,
    pub constants: Vec<ConstantEntry>,
    pub typedefs: Vec<TypedefEntry>,
}

/// One class and its complete vtable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassEntry {
    pub name: String,
    /// `__declspec(uuid(...))`, upper-case, without braces.
    pub uuid: Option<String>,
    pub base: Option<String>,
    /// The Rust vtable struct (`layout::names`, usually `IFoo_Vtbl`): where `check-abi`
    /// finds the class's fields in the generated Rust. Absent in manifests written before
    /// it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vtable: Option<String>,
    /// Every slot, inherited ones first, in slot order.
    pub slots: Vec<SlotEntry>,
}

impl ClassEntry {
    /// The Rust vtable struct's name: the recorded one, or for a manifest written before it
    /// was recorded the naming pass's usual `{class}_Vtbl`.
    pub fn vtable_struct(&self) -> String {
        self.vtable
            .clone()
            .unwrap_or_else(|| format!("{}_Vtbl", self.name))
    }
}

/// One vtable slot (one line in the JSON file).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotEntry {
    pub index: usize,
    /// The method name as written in the header (`~IFoo` for the destructor).
    pub method: String,
    /// The Rust vtable field name (`layout::names`).
    pub field: String,
    #[serde(rename = "const")]
    pub is_const: bool,
    /// The class whose declaration introduced the slot.
    pub introduced_by: String,
    /// Byte offset in the vtable on x86_64.
    pub x64: usize,
    /// Byte offset in the vtable on x86.
    pub x86: usize,
    /// `Method::cpp_declaration()`: the exact C++ declaration.
    pub cpp: String,
    /// What the ABI sees: canonical return and parameter types and constness, without
    /// names or default arguments (`const char *(unsigned long, unsigned short *) const`).
    pub abi: String,
    /// The idiomatic Rust signature(s) of the slot's method (`crate::idiom`), where it has
    /// one and this class introduced the slot; absent in manifests written before they were
    /// recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumEntry {
    pub name: String,
    /// The underlying type when it is not `int` (`enum E : unsigned char`), as C++ spells
    /// it: it decides the enum's size. Absent for `int` and in manifests written before it
    /// was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub underlying: Option<String>,
    pub variants: Vec<VariantEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantEntry {
    pub name: String,
    pub value: i64,
}

/// A `#define` constant: `{"name": "RQ_BEGIN_REQUEST", "integer": 1}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstantEntry {
    pub name: String,
    #[serde(flatten)]
    pub value: ConstValue,
    /// An integer constant's C++ type when it is not `int` (`0xFFFFFFFF` is
    /// `unsigned int`): it decides the Rust constant's type. Absent for `int` and in
    /// manifests written before it was recorded.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub ctype: Option<String>,
}

impl ConstantEntry {
    /// The value as C writes it, with its type when that is not `int`: `0xffffffff
    /// (unsigned int)`; an `unsigned long long` above `i64::MAX` (kept as its bit pattern)
    /// shown unsigned.
    pub fn shown(&self) -> String {
        match (&self.value, self.ctype.as_deref()) {
            (ConstValue::Integer(v), Some(ctype @ "unsigned long long")) => {
                format!("{:#x} ({ctype})", *v as u64)
            }
            (value, Some(ctype)) => format!("{value} ({ctype})"),
            (value, None) => value.to_string(),
        }
    }
}

/// A constant's value, keyed by its kind in the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConstValue {
    Integer(i64),
    /// `"..."`.
    String(String),
    /// `L"..."`.
    WideString(String),
}

impl std::fmt::Display for ConstValue {
    /// As C would write it: `2`, `0x20000000` (hex from 16 up), `"SID"`, `L"FIRST"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConstValue::Integer(v) if *v >= 16 => write!(f, "{v:#x}"),
            ConstValue::Integer(v) => write!(f, "{v}"),
            ConstValue::String(s) => write!(f, "{s:?}"),
            ConstValue::WideString(s) => write!(f, "L{s:?}"),
        }
    }
}

/// A typedef name and the spelling of the type it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypedefEntry {
    pub name: String,
    pub target: String,
    /// For a function (pointer) type, its x86 calling convention: `__stdcall` or `__cdecl`
    /// (`target` is spelled for x86_64, where there is only one). Absent in manifests
    /// written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub convention: Option<String>,
}

/// The idiomatic signature(s) of one slot as the manifest records them: the short form, then
/// the full one after ` | `.
fn rust_signature(idioms: &Idioms, slot: SlotId) -> Option<String> {
    match idioms.form(slot)? {
        Form::Idiomatic(form) => Some(match &form.full_signature {
            Some(full) => format!("{} | {full}", form.signature),
            None => form.signature.to_string(),
        }),
        Form::Raw(_) => None,
    }
}

/// The manifest of one laid-out API and its idiomatic forms.
pub fn build(model: &LaidOutApi, idioms: &Idioms) -> Manifest {
    let api = &model.api;
    let classes = model
        .classes()
        .map(|(class, layout)| ClassEntry {
            name: class.name.clone(),
            uuid: class.uuid.clone(),
            base: class.base.clone(),
            vtable: Some(model.names().class(&class.name).vtable.clone()),
            slots: layout
                .slots
                .iter()
                .map(|slot| slot_entry(model, idioms, slot))
                .collect(),
        })
        .collect();
    let enums = api.enums.iter().map(|e| enum_entry(api, e)).collect();
    let constants = api
        .constants
        .iter()
        .map(|c| constant_entry(api, c))
        .collect();
    let typedefs = api
        .typedefs
        .iter()
        .map(|t| TypedefEntry {
            name: t.name.clone(),
            target: t.target.spelling.clone(),
            convention: t.function().map(|f| f.convention.x86_keyword().to_string()),
        })
        .collect();
    let mut manifest = Manifest {
        format: FORMAT_VERSION,
        source: file_name(&api.source).to_string(),
        api_hash: String::new(),
        records_types: true,
        classes,
        enums,
        constants,
        typedefs,
    };
    manifest.api_hash = manifest.compute_hash();
    manifest
}

/// One vtable slot: the method in it, its offsets on both targets, its C++ declaration and
/// ABI signature, and its idiomatic signature.
fn slot_entry(model: &LaidOutApi, idioms: &Idioms, slot: &Slot) -> SlotEntry {
    let method = model.method(slot);
    SlotEntry {
        index: slot.index,
        method: method.name.clone(),
        field: slot.rust_name.clone(),
        is_const: method.is_const,
        introduced_by: slot.introduced_by.clone(),
        x64: slot.byte_offset(Target::X86_64),
        x86: slot.byte_offset(Target::I686),
        cpp: method.cpp_declaration(),
        abi: slot.abi_signature.clone(),
        rust: rust_signature(idioms, model.slot_id(slot)),
    }
}

/// One enum: its variants, and its underlying type where the header fixes one.
fn enum_entry(api: &Api, e: &Enum) -> EnumEntry {
    EnumEntry {
        name: e.name.clone(),
        underlying: api
            .details
            .enum_underlying
            .get(&e.name)
            .map(|builtin| builtin.cpp_spelling().to_string()),
        variants: e
            .variants
            .iter()
            .map(|v| VariantEntry {
                name: v.name.clone(),
                value: v.value,
            })
            .collect(),
    }
}

/// One constant: its value, and its C++ type unless that is plain `int`.
fn constant_entry(api: &Api, c: &Constant) -> ConstantEntry {
    ConstantEntry {
        name: c.name.clone(),
        value: match &c.value {
            ConstantValue::Integer(v) => ConstValue::Integer(*v),
            ConstantValue::String(s) => ConstValue::String(s.clone()),
            ConstantValue::WideString(s) => ConstValue::WideString(s.clone()),
        },
        ctype: api
            .details
            .constant_types
            .get(&c.name)
            .filter(|ctype| **ctype != IntegerType::Int)
            .map(|ctype| ctype.cpp_spelling().to_string()),
    }
}

impl Manifest {
    /// The hash [`Manifest::api_hash`] should hold for the current contents.
    pub fn compute_hash(&self) -> String {
        format!("{HASH_PREFIX}{:016x}", fnv1a64(self.canonical().as_bytes()))
    }

    /// The normalized API as one string: compact JSON of everything except the format
    /// version, the source name and the hash itself.
    fn canonical(&self) -> String {
        #[derive(Serialize)]
        struct Canonical<'a> {
            classes: &'a [ClassEntry],
            enums: &'a [EnumEntry],
            constants: &'a [ConstantEntry],
            typedefs: &'a [TypedefEntry],
        }
        serde_json::to_string(&Canonical {
            classes: &self.classes,
            enums: &self.enums,
            constants: &self.constants,
            typedefs: &self.typedefs,
        })
        .expect("manifest entries always serialize")
    }

    pub fn class(&self, name: &str) -> Option<&ClassEntry> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// Total vtable slots over all classes (inherited ones counted in each class).
    pub fn slot_count(&self) -> usize {
        self.classes.iter().map(|c| c.slots.len()).sum()
    }
}

/// 64-bit FNV-1a: small, dependency-free and stable across platforms and releases.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes.iter().fold(OFFSET_BASIS, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(PRIME)
    })
}

/// The last component of a path written with `/` or `\`.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
