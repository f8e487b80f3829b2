//! The probe's C++ source, generated from the IR. For every virtual method a member function
//! pointer to that exact overload (its full type, `const` included) is stored in `extern "C"`
//! data named `httpserv_probe_<Class>_<method index>`; the compiler resolves it to a vcall
//! thunk whose name carries the slot offset. Destructors cannot be named by member pointers,
//! so each virtual destructor gets a `delete` through a derived witness class, compiled to
//! LLVM IR, where the vtable load shows the slot. On x86, where a free function's calling
//! convention is part of its type, each function pointer typedef is classified by template
//! specialization into an `extern "C"` integer named `httpserv_callconv_<Typedef>`.

use crate::ir::{Access, Api, CallingConvention, Class, FunctionType, Method, Typedef};
use std::fmt::Write;

pub const DATUM_PREFIX: &str = "httpserv_probe_";
pub const DELETE_PREFIX: &str = "httpserv_probe_delete_";
/// Not under DATUM_PREFIX: these data hold integers, not member pointers.
pub const CONVENTION_PREFIX: &str = "httpserv_callconv_";

/// A calling convention as the x86 probe reports it (the values the probe source stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompiledConvention {
    Cdecl = 1,
    Stdcall = 2,
    Fastcall = 3,
    /// Anything the probe's specializations do not name (vectorcall, regcall…).
    Other = 0,
}

impl CompiledConvention {
    pub fn from_probe(value: i32) -> CompiledConvention {
        match value {
            1 => CompiledConvention::Cdecl,
            2 => CompiledConvention::Stdcall,
            3 => CompiledConvention::Fastcall,
            _ => CompiledConvention::Other,
        }
    }

    /// What the generated Rust's `extern` ABI means on x86.
    pub fn predicted(convention: CallingConvention) -> CompiledConvention {
        match convention {
            CallingConvention::System => CompiledConvention::Stdcall,
            CallingConvention::C => CompiledConvention::Cdecl,
        }
    }

    pub fn keyword(self) -> &'static str {
        match self {
            CompiledConvention::Cdecl => "__cdecl",
            CompiledConvention::Stdcall => "__stdcall",
            CompiledConvention::Fastcall => "__fastcall",
            CompiledConvention::Other => "another convention",
        }
    }
}

/// Typedefs naming a function type or a pointer to one: the typedef, its function type, and
/// the pointer type the probe classifies.
pub fn function_typedefs(api: &Api) -> Vec<(&Typedef, &FunctionType, String)> {
    api.typedefs
        .iter()
        .filter_map(|t| {
            let function = t.function()?;
            let pointer = if t.target.function().is_some() {
                format!("{} *", t.name)
            } else {
                t.name.clone()
            };
            Some((t, function, pointer))
        })
        .collect()
}

/// The x86-only classification of every function pointer typedef.
fn conventions_source(api: &Api) -> String {
    let typedefs = function_typedefs(api);
    if typedefs.is_empty() {
        return String::new();
    }
    let mut out = String::from(
        "#if defined(_M_IX86)
         template <typename T> struct httpserv_probe_cc { enum { value = 0 }; };
",
    );
    for (value, keyword) in [(1, "__cdecl"), (2, "__stdcall"), (3, "__fastcall")] {
        let _ = writeln!(
            out,
            "template <typename R, typename... A> struct httpserv_probe_cc<R ({keyword} *)(A...)> \
             {{ enum {{ value = {value} }}; }};"
        );
    }
    for (typedef, _, pointer) in typedefs {
        let _ = writeln!(
            out,
            "extern \"C\" extern const int {CONVENTION_PREFIX}{} = httpserv_probe_cc<{pointer}>::value;",
            typedef.name
        );
    }
    out.push_str("#endif\n");
    out
}

pub fn datum_name(class: &str, method: usize) -> String {
    format!("{DATUM_PREFIX}{class}_{method}")
}

/// `auto (C::*)(params) const -> ret`: the member pointer type naming one overload.
fn member_pointer_type(class: &Class, method: &Method) -> String {
    let params: Vec<String> = method.params.iter().map(|p| p.ty.x86_text(false)).collect();
    format!(
        "auto ({}::*)({}){} -> {}",
        class.name,
        params.join(", "),
        if method.is_const { " const" } else { "" },
        method.return_type.spelling
    )
}

/// The member pointer source for the methods; the header is included by absolute path.
pub fn methods_source(api: &Api, header_include: &str) -> String {
    let mut out = prelude(header_include);
    for class in &api.classes {
        let hidden: Vec<(usize, &Method)> = class
            .methods
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.is_destructor && m.access != Access::Public)
            .collect();
        // Non-public methods are named through a derived class, where they are accessible.
        if !hidden.is_empty() {
            let _ = writeln!(out, "struct httpserv_probe_access_{0} : {0} {{", class.name);
            for (index, method) in &hidden {
                let _ = writeln!(
                    out,
                    "  static constexpr {ty} m{index} = static_cast<{ty}>(&httpserv_probe_access_{class}::{name});",
                    ty = member_pointer_type(class, method),
                    class = class.name,
                    name = method.name
                );
            }
            let _ = writeln!(out, "}};");
        }
        for (index, method) in class.methods.iter().enumerate() {
            if method.is_destructor {
                continue;
            }
            let value = if method.access == Access::Public {
                format!(
                    "static_cast<{}>(&{}::{})",
                    member_pointer_type(class, method),
                    class.name,
                    method.name
                )
            } else {
                format!("httpserv_probe_access_{}::m{index}", class.name)
            };
            let _ = writeln!(
                out,
                "extern \"C\" extern const {} = {value};",
                declarator(class, method, &datum_name(&class.name, index))
            );
        }
    }
    out.push_str(&conventions_source(api));
    out
}

/// `auto (C::* const name)(params) -> ret` is not valid C++; spell the object declaration
/// through a type alias instead.
fn declarator(class: &Class, method: &Method, name: &str) -> String {
    format!(
        "httpserv_probe_type<{}>::type {name}",
        member_pointer_type(class, method)
    )
}

/// Classes declaring a virtual destructor that a derived witness can destroy.
pub fn destructor_classes(api: &Api) -> Vec<&Class> {
    api.classes
        .iter()
        .filter(|c| {
            c.methods
                .iter()
                .any(|m| m.is_destructor && m.access != Access::Private)
        })
        .collect()
}

/// The destructor witnesses: `delete` through a class derived from each such class.
pub fn destructors_source(api: &Api, header_include: &str) -> String {
    let mut out = prelude(header_include);
    for class in destructor_classes(api) {
        let _ = writeln!(
            out,
            "struct httpserv_probe_witness_{0} : {0} {{}};\n\
             extern \"C\" void {DELETE_PREFIX}{0}(httpserv_probe_witness_{0} *p) {{ delete p; }}",
            class.name
        );
    }
    out
}

/// The toolchain's prelude (what the parser read), under a banner, plus the alias the
/// member pointer declarations spell their types through.
fn prelude(header_include: &str) -> String {
    format!(
        "// Generated by httpserv-rs check-abi: compiled, never edited.\n{}\
         template <typename T> struct httpserv_probe_type {{ typedef T type; }};\n",
        crate::toolchain::prelude(header_include)
    )
}
