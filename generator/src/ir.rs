//! The intermediate representation: plain, serializable data describing the API of one
//! header — classes with their virtual functions, enums, constants, typedefs and structs.
//! Nothing here refers to libclang; the parse room fills it and every later room reads it.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the generator learned from one input header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Api {
    /// File name of the input (no directories, so output does not depend on the checkout).
    pub source: String,
    pub classes: Vec<Class>,
    pub enums: Vec<Enum>,
    pub constants: Vec<Constant>,
    pub typedefs: Vec<Typedef>,
    pub structs: Vec<Struct>,
    /// Types that are only forward-declared (e.g. the IAppHost* COM interfaces).
    pub opaque_types: Vec<String>,
    /// What the declarations above say beyond their own fields.
    #[serde(default)]
    pub details: Details,
}

/// Facts about the declarations of an [`Api`] that their types have no field for, by name.
/// (The manifest's tests build `Enum`, `Constant`, `Class` and `Method` field by field, so
/// these facts live beside them; a missing entry is the common case: `int`, unscoped, the
/// member default.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Details {
    /// Enums declared with an underlying type other than `int` (`enum E : unsigned char`).
    pub enum_underlying: BTreeMap<String, Builtin>,
    /// Scoped enums (`enum class`): C++ names their enumerators through the enum.
    pub scoped_enums: BTreeSet<String>,
    /// Integer constants whose C++ type is not `int`: `0xFFFFFFFF` is `unsigned int`,
    /// `1ULL << 40` `unsigned long long` (whose values above `i64::MAX` the constant's
    /// `i64` holds as their bit pattern).
    pub constant_types: BTreeMap<String, IntegerType>,
    /// Methods declared with a calling convention of their own (`STDMETHOD`'s `__stdcall`,
    /// `__cdecl`) instead of the member default (`thiscall` on x86): (class, method index).
    pub method_conventions: Vec<(String, usize, CallingConvention)>,
}

impl Details {
    /// The calling convention method `index` of `class` declares, if any.
    pub fn method_convention(&self, class: &str, index: usize) -> Option<CallingConvention> {
        self.method_conventions
            .iter()
            .find(|(c, i, _)| c == class && *i == index)
            .map(|(_, _, convention)| *convention)
    }
}

/// The C++ type of an integer constant expression on Windows, where `long` is 32 bits wide:
/// the four types the usual arithmetic conversions lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IntegerType {
    Int,
    UInt,
    LongLong,
    ULongLong,
}

impl IntegerType {
    /// As C++ spells it.
    pub fn cpp_spelling(self) -> &'static str {
        match self {
            IntegerType::Int => "int",
            IntegerType::UInt => "unsigned int",
            IntegerType::LongLong => "long long",
            IntegerType::ULongLong => "unsigned long long",
        }
    }

    pub fn is_unsigned(self) -> bool {
        matches!(self, IntegerType::UInt | IntegerType::ULongLong)
    }

    pub fn bits(self) -> u32 {
        match self {
            IntegerType::Int | IntegerType::UInt => 32,
            IntegerType::LongLong | IntegerType::ULongLong => 64,
        }
    }

    /// `value` brought into this type's range the way two's complement hardware does.
    pub fn wrap(self, value: i128) -> i128 {
        match self {
            IntegerType::Int => value as i32 as i128,
            IntegerType::UInt => value as u32 as i128,
            IntegerType::LongLong => value as i64 as i128,
            IntegerType::ULongLong => value as u64 as i128,
        }
    }
}

/// Where a declaration was written, relative to the input's directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Location {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Class {
    pub name: String,
    /// `__declspec(uuid("..."))`, upper-case, without braces.
    pub uuid: Option<String>,
    pub base: Option<String>,
    /// Names of all named members in declaration order, each once, at its first
    /// appearance. MSVC orders overload groups by this, not only by virtual functions.
    pub member_names: Vec<String>,
    /// Virtual functions declared in this class, in declaration order.
    pub methods: Vec<Method>,
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Access {
    Public,
    Protected,
    Private,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Method {
    /// The name as written in the header, before any macro renamed it.
    pub name: String,
    /// The name the compiler sees (differs when windows.h maps `GetUserName` to `GetUserNameA`).
    pub compiled_name: String,
    pub return_type: Type,
    pub params: Vec<Param>,
    pub is_const: bool,
    pub is_pure: bool,
    pub is_destructor: bool,
    pub access: Access,
    pub location: Location,
    /// SAL on the return value (`_Ret_writes_bytes_(*pcch)`, `_Ret_opt_`).
    #[serde(default)]
    pub return_sal: Sal,
}

/// What SAL annotations say about one parameter or return value (read by `parse/sal.rs`,
/// from SAL 2 or SAL 1 spellings alike).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Sal {
    /// Each annotation as written, e.g. `_In_reads_bytes_(cbBuffer)`.
    pub written: Vec<String>,
    pub direction: Option<Direction>,
    /// `_opt_`, `OPTIONAL`, or a pointer parameter whose C++ default is `NULL`.
    pub optional: bool,
    /// The `_Outptr_` family: the callee stores a pointer through this pointer to a pointer.
    pub pointer_out: bool,
    /// The buffer the pointer addresses (for `_Outptr_`, the one it stores; for a return
    /// value, the one it returns).
    pub buffer: Option<Buffer>,
    /// The value is returned in writable memory the caller fills (`_Post_writable_size_`).
    pub writable: bool,
    /// `_At_(…)`: an annotation on another expression; understood, not expressible.
    pub conditional: bool,
    /// Annotation-shaped names we do not know, as written; kept, reported, never dropped.
    pub unknown: Vec<String>,
}

impl Sal {
    pub fn is_empty(&self) -> bool {
        self.written.is_empty()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Direction {
    In,
    Out,
    InOut,
}

/// A buffer's size as SAL states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buffer {
    pub unit: Unit,
    /// How large it is (`_In_reads_(n)`: n; `_Ret_writes_bytes_(*pcch)`: *pcch).
    pub capacity: SizeExpr,
    /// How much of it the callee fills, when SAL says (`_Out_writes_bytes_to_(cb, *pcb)`:
    /// *pcb; `_all_`: the capacity).
    pub filled: Option<SizeExpr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Elements,
    Bytes,
}

/// A size expression of SAL, linked to the parameters where it names one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SizeExpr {
    /// The value of a parameter (`cbBuffer`).
    Param(String),
    /// What a pointer parameter points at (`*pcchValue`), after the call.
    Deref(String),
    Literal(u64),
    /// Anything else, as written.
    Other(String),
}

impl Method {
    /// The C++ declaration, one line, as a reader would write it.
    pub fn cpp_declaration(&self) -> String {
        let params: Vec<String> = self.params.iter().map(Param::cpp_declaration).collect();
        let ret = if self.is_destructor {
            String::new()
        } else {
            format!("{} ", self.return_type.spelling)
        };
        format!(
            "virtual {ret}{}({}){}{}",
            self.name,
            params.join(", "),
            if self.is_const { " const" } else { "" },
            if self.is_pure { " = 0" } else { "" }
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    /// As written; empty for an unnamed parameter (the naming pass gives it a stand-in).
    pub name: String,
    pub ty: Type,
    /// The default argument's tokens joined by single spaces, e.g. `NULL`.
    pub default: Option<String>,
    /// For array parameters, the bound as written, e.g. `HttpHeaderRequestMaximum`.
    pub array_bound: Option<String>,
    #[serde(default)]
    pub sal: Sal,
}

impl Param {
    pub fn cpp_declaration(&self) -> String {
        let mut text = match &self.ty.kind {
            TypeKind::Array { element, .. } => element.spelling.clone(),
            _ => self.ty.x86_text(false),
        };
        if !self.name.is_empty() {
            text.push(' ');
            text.push_str(&self.name);
        }
        if let TypeKind::Array { len, .. } = &self.ty.kind {
            let bound = self.array_bound.clone().unwrap_or_else(|| len.to_string());
            text.push_str(&format!("[{bound}]"));
        }
        if let Some(default) = &self.default {
            text.push_str(&format!(" = {default}"));
        }
        text
    }
}

/// A C++ type as written (`spelling`) and as the compiler resolves it (`canonical`), with a
/// structure that keeps typedef names so emission can pick the right Rust name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Type {
    pub spelling: String,
    pub canonical: String,
    pub kind: TypeKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TypeKind {
    Void,
    Builtin(Builtin),
    /// A typedef name, with the type it names (one step down).
    Typedef {
        name: String,
        target: Box<Type>,
    },
    /// A struct, class or union by name.
    Record {
        name: String,
    },
    /// A struct or class that is only forward-declared.
    Opaque {
        name: String,
    },
    Enum {
        name: String,
    },
    Pointer {
        pointee: Box<Type>,
        pointee_is_const: bool,
    },
    /// `T&` (REFGUID and friends); passed as a pointer in the ABI.
    Reference {
        pointee: Box<Type>,
        pointee_is_const: bool,
    },
    Array {
        element: Box<Type>,
        len: u64,
    },
    Function(Box<FunctionType>),
}

impl Typedef {
    /// The function type this typedef names, directly or as a pointer to it (the typedefs
    /// whose calling convention matters).
    pub fn function(&self) -> Option<&FunctionType> {
        self.target.callable()
    }
}

impl Type {
    /// This type as C++ text that is right on x86 too (the canonical text or the spelling).
    /// clang writes types for x86_64, where `__stdcall` is dropped, so a pointer to a
    /// `__stdcall` function type written in place gets it back; named types (typedefs)
    /// carry their own convention.
    pub fn x86_text(&self, canonical: bool) -> String {
        if let TypeKind::Pointer { pointee, .. } = &self.kind {
            if let TypeKind::Function(function) = &pointee.kind {
                if function.convention == CallingConvention::System {
                    let params: Vec<String> = function
                        .params
                        .iter()
                        .map(|p| p.x86_text(canonical))
                        .collect();
                    return format!(
                        "{} ({} *)({})",
                        function.return_type.x86_text(canonical),
                        function.convention.x86_keyword(),
                        params.join(", ")
                    );
                }
            }
        }
        if canonical {
            self.canonical.clone()
        } else {
            self.spelling.clone()
        }
    }

    /// The function type this type is or points to (through typedefs): the types that
    /// carry a calling convention.
    pub fn callable(&self) -> Option<&FunctionType> {
        self.function().or(match &self.kind {
            TypeKind::Pointer { pointee, .. } => pointee.function(),
            _ => None,
        })
    }

    /// What this type is once every typedef is followed.
    pub fn resolved(&self) -> &TypeKind {
        match &self.kind {
            TypeKind::Typedef { target, .. } => target.resolved(),
            other => other,
        }
    }

    /// The function type this type is, through typedefs (not through pointers).
    pub fn function(&self) -> Option<&FunctionType> {
        match &self.kind {
            TypeKind::Function(f) => Some(f),
            TypeKind::Typedef { target, .. } => target.function(),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionType {
    pub return_type: Type,
    pub params: Vec<Type>,
    pub convention: CallingConvention,
}

/// Calling convention of a free function pointer type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallingConvention {
    /// `__stdcall` on x86 (WINAPI, CALLBACK); the platform convention on x64.
    System,
    /// `__cdecl`.
    C,
}

impl CallingConvention {
    /// The C++ keyword for this convention on x86.
    pub fn x86_keyword(self) -> &'static str {
        match self {
            CallingConvention::System => "__stdcall",
            CallingConvention::C => "__cdecl",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Builtin {
    Bool,
    Char,
    SChar,
    UChar,
    WChar,
    Short,
    UShort,
    Int,
    UInt,
    /// 32 bits on Windows.
    Long,
    ULong,
    LongLong,
    ULongLong,
    Float,
    Double,
}

impl Builtin {
    /// As C++ spells it (`long` is 32 bits on Windows).
    pub fn cpp_spelling(self) -> &'static str {
        match self {
            Builtin::Bool => "bool",
            Builtin::Char => "char",
            Builtin::SChar => "signed char",
            Builtin::UChar => "unsigned char",
            Builtin::WChar => "wchar_t",
            Builtin::Short => "short",
            Builtin::UShort => "unsigned short",
            Builtin::Int => "int",
            Builtin::UInt => "unsigned int",
            Builtin::Long => "long",
            Builtin::ULong => "unsigned long",
            Builtin::LongLong => "long long",
            Builtin::ULongLong => "unsigned long long",
            Builtin::Float => "float",
            Builtin::Double => "double",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub variants: Vec<EnumVariant>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumVariant {
    pub name: String,
    pub value: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Constant {
    pub name: String,
    pub value: ConstantValue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConstantValue {
    Integer(i64),
    /// `"..."`: a narrow string.
    String(String),
    /// `L"..."`: a UTF-16 string.
    WideString(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Typedef {
    pub name: String,
    pub target: Type,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Struct {
    pub name: String,
    pub fields: Vec<Field>,
    /// `#pragma pack(n)` in effect: every field aligned to at most `n` bytes (Rust's
    /// `#[repr(C, packed(n))]`). Read from the compiler's layout, not the pragma's text.
    #[serde(default)]
    pub packing: Option<u64>,
    /// `__declspec(align(n))` on the struct: aligned to `n` bytes (`#[repr(C, align(n))]`).
    #[serde(default)]
    pub alignment: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: Type,
}

impl Api {
    pub fn class(&self, name: &str) -> Option<&Class> {
        self.classes.iter().find(|c| c.name == name)
    }

    /// `class` and its bases, most derived first: the one walk of the base chain every
    /// stage uses. It stops at a base the API does not declare, and at a class seen before
    /// (a cyclic chain is refused by the parser; this only keeps the walk finite).
    pub fn chain<'a>(&'a self, class: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let mut seen: Vec<&'a str> = Vec::new();
        let mut next = Some(class);
        std::iter::from_fn(move || {
            let current = next.filter(|c| !seen.contains(c))?;
            seen.push(current);
            next = self.class(current).and_then(|c| c.base.as_deref());
            Some(current)
        })
    }
}
