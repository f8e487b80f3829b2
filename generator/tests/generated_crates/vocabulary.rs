//! The vocabulary of the property test: hazardous names and constructs, and a strategy that
//! writes small headers from them. The names are those issue 13 found breaking the output —
//! what the generated code and the crate root use (`Option`, `T`, `core`, `runtime`,
//! `windows_sys`, `None`, `value`), what the generator makes up (`IFoo_Vtbl`, `IID_IFoo`,
//! `GetHeader_PCSTR`, `param1`, `from_raw`, `base__`), Rust keywords, `$` and letters beyond
//! ASCII — and a few plain ones, so that most headers are valid C++. Names C++ reserves
//! (`this`, `new`) and that windows.h defines as macros are left out: they make only
//! compiler errors.

use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// Class, struct and enum names.
const TYPES: &[&str] = &[
    "IFoo",
    "IFoo_Vtbl",
    "IBar",
    "IBar2",
    "Option",
    "Object",
    "core",
    "runtime",
    "windows_sys",
    "T",
    "Send",
    "types",
    "Release",
    "Grüße",
    "a$b",
    "Self",
    "i_foo",
];

/// Method names (operators are a construct of their own).
const METHODS: &[&str] = &[
    "GetHeader",
    "GetHeader_PCSTR",
    "from_raw",
    "as_raw",
    "downcast",
    "new_boxed",
    "new_in_place",
    "base__",
    "type",
    "fn",
    "Grüße",
    "a$b",
    "GetUserName",
    "None",
    "value",
    "ScalarDeletingDestructor",
    "Read",
    "Read_BOOL",
    "move",
];

/// Parameter and field names; empty is an unnamed parameter.
const LOCALS: &[&str] = &[
    "", "param0", "param1", "self", "None", "Some", "value", "report", "returned", "s", "type",
    "a$b", "Größe", "flags", "raw", "memory", "KIND_A", "count", "_",
];

/// Enumerator names.
const VALUES: &[&str] = &[
    "KIND_A",
    "KIND_B",
    "None",
    "Some",
    "value",
    "raw",
    "report",
    "s",
    "types",
    "GetHeader_PCSTR",
    "a$b",
    "Größe",
];

/// `#define` names: a macro renames every later use of its name, so these appear nowhere
/// else (`IID_IFoo` beside a uuid'd `IFoo` is the hazard).
const CONSTANT_NAMES: &[&str] = &[
    "IID_IFoo",
    "IID_IBar",
    "Ok",
    "Err",
    "FLAG",
    "LIMIT",
    "ALL_BITS",
    "Größe_MAX",
];

/// `#define` bodies: wide and unsigned values, expressions, strings.
const CONSTANTS: &[&str] = &[
    "0xFFFFFFFFFFFFFFFF",
    "1",
    "-1",
    "(~0u)",
    "(1ULL << 40)",
    "0x80000000",
    "(-1LL)",
    "\"narrow\"",
    "L\"wide\"",
    "(1ULL << 63)",
    "(FLAG + 1)",
];

/// Enum underlying types (empty: none written) with values each can hold.
const UNDERLYING: &[(&str, &[&str])] = &[
    ("", &["0", "1", "-1", "200"]),
    (" : unsigned char", &["0", "1", "200"]),
    (" : unsigned long long", &["0", "1", "0xFFFFFFFFFFFFFFFF"]),
    (" : short", &["0", "-1", "32767"]),
];

/// Scalar parameter and field types.
const SCALARS: &[&str] = &[
    "DWORD",
    "PCSTR",
    "int",
    "BOOL",
    "unsigned long long",
    "PVOID",
];

/// Callbacks written in place (`{}` is the parameter's name), of each convention: the
/// supported ones (more often), and one refused.
const CALLBACKS: &[&str] = &[
    "VOID (WINAPI * {})(DWORD code)",
    "VOID (* {})(PVOID context)",
    "VOID (__cdecl * {})(DWORD code)",
    "HRESULT (CALLBACK * {})(PCSTR name, DWORD length)",
    "VOID (WINAPI * {})(DWORD code)",
    "VOID (__fastcall * {})(DWORD code)",
];

/// Struct attributes: how it is packed or aligned, or a bit-field among its fields.
const LAYOUTS: &[(&str, &str, &str)] = &[
    ("", "", ""),
    ("", "", ""),
    ("#pragma pack(push, 1)\n", "", "#pragma pack(pop)\n"),
    ("#pragma pack(push, 2)\n", "", "#pragma pack(pop)\n"),
    ("", "__declspec(align(16)) ", ""),
    ("", "", ""),
    ("", "", "bitfield"),
];

/// Small constructs written as they are.
const EXTRAS: &[&str] = &[
    "typedef struct TAG_CYCLE TAG_ALIAS;\ntypedef TAG_ALIAS TAG_CYCLE;\n",
    "typedef VOID (WINAPI * PFN_CALLBACK)(DWORD code);\n",
    "#define GONE 5\n#undef GONE\n",
    "class IComStyle { public: STDMETHOD(GetA)(DWORD) PURE; STDMETHOD_(ULONG, Count)() PURE; };\n",
    "class IOps { public: virtual bool operator==(const IOps & o) const = 0; \
     virtual bool operator!=(const IOps & o) const = 0; };\n",
    "class IData { public: virtual void F() = 0; DWORD m_count; };\n",
    "class IOuter { public: struct Inner { int x; }; virtual void F() = 0; };\n",
    "typedef PVOID HANDLE_LIKE;\n",
    "class IAlias0 { public: virtual void G() = 0; };\ntypedef IAlias0 IAlias1;\n",
    "class IPlain { public: virtual void GetUserName(DWORD id) = 0; virtual void \
     GetUserName(PCSTR name) = 0; };\n",
    "",
    "",
];

fn local(names: &[String], index: usize) -> String {
    names.get(index).cloned().unwrap_or_default()
}

/// One parameter: a type (a scalar, an enum or struct of the header, a callback) and a name.
fn param(enums: Vec<String>, structs: Vec<String>) -> impl Strategy<Value = String> {
    (0..10usize, select(LOCALS), any::<prop::sample::Index>()).prop_map(move |(kind, name, i)| {
        match kind {
            0..=4 => format!("{} {name}", SCALARS[kind % SCALARS.len()]),
            5 if !enums.is_empty() => format!("{} {name}", i.get(&enums)),
            6 if !structs.is_empty() => format!("{} * {name}", i.get(&structs)),
            7 | 8 => {
                let name = if name.is_empty() { "callback" } else { name };
                i.get(CALLBACKS).replace("{}", name)
            }
            _ => format!("DWORD {name}"),
        }
    })
}

/// One virtual method: a name (reused names make overloads), parameters, constness.
fn method(enums: Vec<String>, structs: Vec<String>) -> impl Strategy<Value = String> {
    (
        select(METHODS),
        prop::collection::vec(param(enums, structs), 0..3),
        any::<bool>(),
        select(&["void", "HRESULT", "DWORD", "PCSTR"][..]),
    )
        .prop_map(|(name, params, is_const, ret)| {
            format!(
                "    virtual {ret} {name}({}){} = 0;\n",
                params.join(", "),
                if is_const { " const" } else { "" }
            )
        })
}

fn enumeration(index: usize, name: String) -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        select(UNDERLYING),
        subsequence(VALUES.to_vec(), 1..4),
        any::<prop::sample::Index>(),
    )
        .prop_map(move |(scoped, (underlying, lasts), enumerators, last)| {
            let last = last.get(lasts);
            let mut values: Vec<String> = enumerators.iter().map(|e| e.to_string()).collect();
            if !scoped {
                // Unscoped enumerators share one scope: keep the enums' apart.
                values = values.iter().map(|v| format!("{v}{index}")).collect();
            }
            let last_value = values.pop().expect("at least one");
            values.push(format!("{last_value} = {last}"));
            format!(
                "enum {}{name}{underlying} {{ {} }};\n",
                if scoped { "class " } else { "" },
                values.join(", ")
            )
        })
}

fn structure(name: String, enums: Vec<String>) -> impl Strategy<Value = String> {
    (
        select(LAYOUTS),
        subsequence(LOCALS[1..].to_vec(), 1..4),
        prop::collection::vec(0..6usize, 3),
    )
        .prop_map(move |((before, attribute, after), names, kinds)| {
            let mut fields = String::new();
            for (i, field) in names.iter().enumerate() {
                let kind = kinds[i % kinds.len()];
                let line = match kind {
                    0 => format!("char {field};"),
                    1 => format!("DWORD {field};"),
                    2 => format!("ULONGLONG {field};"),
                    3 if !enums.is_empty() => format!("{} {field};", enums[0]),
                    4 => format!("{};", CALLBACKS[0].replace("{}", field)),
                    _ => format!("PVOID {field};"),
                };
                fields.push_str(&format!("    {line}\n"));
            }
            let (before, after) = if after == "bitfield" {
                fields.push_str("    unsigned bits : 3;\n");
                ("", "")
            } else {
                (before, after)
            };
            format!("{before}struct {attribute}{name} {{\n{fields}}};\n{after}")
        })
}

/// What the strategy drew for one class: its methods, and whether it derives from the class
/// before it, has a uuid and a destructor.
struct ClassShape {
    methods: Vec<String>,
    derives: bool,
    uuid: bool,
    destructor: bool,
}

impl ClassShape {
    /// The declaration of the `index`th class of `names`; `salt` varies the uuids.
    fn declaration(&self, names: &[String], index: usize, salt: u64) -> String {
        let name = &names[index];
        let uuid = if self.uuid {
            format!(
                "__declspec(uuid(\"{:08x}-0000-4000-8000-{:012x}\")) ",
                index,
                salt % (1 << 48)
            )
        } else {
            String::new()
        };
        let base = match (self.derives, index) {
            (true, 1..) => format!(" : public {}", local(names, index - 1)),
            _ => String::new(),
        };
        let destructor = if self.destructor {
            format!("    virtual ~{name}() {{}}\n")
        } else {
            String::new()
        };
        format!(
            "class {uuid}{name}{base} {{\npublic:\n{destructor}{}}};\n",
            self.methods.concat()
        )
    }
}

/// A header as drawn, before it is written: constants (name, body), enums, structs, the
/// class names, each class's methods and whether it derives, has a uuid and a destructor,
/// one construct as it is, and a salt for the uuids.
type Parts = (
    Vec<(&'static str, &'static str)>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<(Vec<String>, bool, bool, bool)>,
    &'static str,
    u64,
);

/// The types split into `enum_count` enums, `struct_count` structs and classes, each drawn
/// with what may refer to the enums and structs.
fn parts(
    types: Vec<&'static str>,
    constants: Vec<(&'static str, &'static str)>,
    enum_count: usize,
    struct_count: usize,
    extra: &'static str,
    salt: u64,
) -> impl Strategy<Value = Parts> {
    let types: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    let enum_names: Vec<String> = types.iter().take(enum_count).cloned().collect();
    let struct_names: Vec<String> = types
        .iter()
        .skip(enum_count)
        .take(struct_count)
        .cloned()
        .collect();
    let class_names: Vec<String> = types
        .iter()
        .skip(enum_count + struct_count)
        .cloned()
        .collect();
    let enums: Vec<_> = enum_names
        .iter()
        .enumerate()
        .map(|(i, n)| enumeration(i, n.clone()))
        .collect();
    let structs: Vec<_> = struct_names
        .iter()
        .map(|n| structure(n.clone(), enum_names.clone()))
        .collect();
    let classes: Vec<_> = class_names
        .iter()
        .map(|_| {
            (
                prop::collection::vec(method(enum_names.clone(), struct_names.clone()), 1..4),
                any::<bool>(),
                any::<bool>(),
                any::<bool>(),
            )
        })
        .collect();
    (
        Just(constants),
        enums,
        structs,
        Just(class_names),
        classes,
        Just(extra),
        Just(salt),
    )
}

/// The header's text: `#include <windows.h>`, the constants, enums, structs, the extra
/// construct, then the classes.
fn write(parts: Parts) -> String {
    let (constants, enums, structs, class_names, classes, extra, salt) = parts;
    let mut text = String::from("#include <windows.h>\n");
    for (name, body) in &constants {
        text.push_str(&format!("#define {name} {body}\n"));
    }
    text.extend(enums);
    text.extend(structs);
    text.push_str(extra);
    for (i, (methods, derives, uuid, destructor)) in classes.into_iter().enumerate() {
        let class = ClassShape {
            methods,
            derives,
            uuid,
            destructor,
        };
        text.push_str(&class.declaration(&class_names, i, salt));
    }
    text
}

/// A header: constants, enums, structs, then classes (a base chain among them, some with
/// uuids and destructors), and a few constructs as they are.
pub fn header() -> impl Strategy<Value = String> {
    (
        subsequence(TYPES.to_vec(), 3..7),
        subsequence(CONSTANT_NAMES.to_vec(), 0..4),
        prop::collection::vec(select(CONSTANTS), 4),
        0..3usize,
        0..3usize,
        select(EXTRAS),
        any::<u64>(),
    )
        .prop_flat_map(
            |(types, names, bodies, enum_count, struct_count, extra, salt)| {
                let constants = names.into_iter().zip(bodies).collect();
                parts(types, constants, enum_count, struct_count, extra, salt)
            },
        )
        .prop_map(write)
}
