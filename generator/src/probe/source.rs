//! The probe's C++ source, generated from the IR. For every virtual method a member function
//! pointer to that exact overload (its full type, `const` and the predicted conventions of
//! the method and of callbacks it takes or returns included) is stored in `extern "C"` data
//! named `httpserv_probe_<Class>_<method index>`; the compiler resolves it to a vcall thunk
//! whose name carries the slot offset (and refuses the cast on x86 when a convention is
//! mispredicted). Destructors cannot be named by member pointers, so each virtual
//! destructor gets a `delete` through a derived witness class, compiled to LLVM IR, where
//! the vtable load shows the slot. On x86, where a free function's calling convention is
//! part of its type, each function pointer typedef (the header's, and those of other
//! headers it uses) and each callback stored in a struct is classified by template
//! specialization into an `extern "C"` integer named `httpserv_callconv_<key>`. Struct and
//! enum layouts are `records.rs`'s.

use crate::ir::{Access, Api, CallingConvention, Class, FunctionType, Type, TypeKind, Typedef};
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

/// Struct fields whose type is a function pointer written in place (a typedef'd one is
/// classified as the typedef): the label the comparison reports (`S::f`), the probe datum's
/// key, the function type and the field's C++ type.
pub fn function_fields(api: &Api) -> Vec<(String, String, &FunctionType, String)> {
    let mut out = Vec::new();
    for (s, record) in api.structs.iter().enumerate() {
        for (f, field) in record.fields.iter().enumerate() {
            if let (TypeKind::Pointer { pointee, .. }, Some(function)) =
                (&field.ty.kind, field.ty.callable())
            {
                if matches!(pointee.kind, TypeKind::Function(_)) {
                    out.push((
                        format!("{}::{}", record.name, field.name),
                        format!("field_{s}_{f}"),
                        function,
                        format!("decltype({}::{})", record.name, field.name),
                    ));
                }
            }
        }
    }
    out
}

/// Function pointer typedefs of other headers (windows.h's `PTIMERAPCROUTINE`) that the API
/// uses and whose Rust type the generator writes itself (not a windows-sys path): the name
/// and the function type as predicted, each once.
pub fn foreign_function_typedefs(api: &Api) -> Vec<(String, &FunctionType)> {
    fn visit<'a>(api: &Api, ty: &'a Type, out: &mut Vec<(String, &'a FunctionType)>) {
        match &ty.kind {
            TypeKind::Typedef { name, target } => {
                let foreign = api.typedefs.iter().all(|t| t.name != *name)
                    && crate::knowledge::known_path(name).is_none();
                match target.callable() {
                    Some(function) if foreign => {
                        if out.iter().all(|(n, _)| n != name) {
                            out.push((name.clone(), function));
                        }
                    }
                    _ => visit(api, target, out),
                }
            }
            TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => {
                visit(api, pointee, out)
            }
            TypeKind::Array { element, .. } => visit(api, element, out),
            TypeKind::Function(function) => {
                visit(api, &function.return_type, out);
                function.params.iter().for_each(|p| visit(api, p, out));
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    for class in &api.classes {
        for method in &class.methods {
            visit(api, &method.return_type, &mut out);
            method
                .params
                .iter()
                .for_each(|p| visit(api, &p.ty, &mut out));
        }
    }
    for record in &api.structs {
        record
            .fields
            .iter()
            .for_each(|f| visit(api, &f.ty, &mut out));
    }
    api.typedefs
        .iter()
        .for_each(|t| visit(api, &t.target, &mut out));
    out
}

/// The x86-only classification of every function pointer typedef (the header's and the
/// foreign ones it uses) and struct field.
fn conventions_source(api: &Api) -> String {
    let typedefs = function_typedefs(api);
    let foreign = foreign_function_typedefs(api);
    let fields = function_fields(api);
    if typedefs.is_empty() && foreign.is_empty() && fields.is_empty() {
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
    for (name, _) in foreign {
        let _ = writeln!(
            out,
            "extern \"C\" extern const int {CONVENTION_PREFIX}{name} = httpserv_probe_cc<{name}>::value;"
        );
    }
    for (_, key, _, pointer) in fields {
        let _ = writeln!(
            out,
            "extern \"C\" extern const int {CONVENTION_PREFIX}{key} = httpserv_probe_cc<{pointer}>::value;"
        );
    }
    out.push_str("#endif\n");
    out
}

pub fn datum_name(class: &str, method: usize) -> String {
    format!("{DATUM_PREFIX}{class}_{method}")
}

/// `auto (__stdcall C::*)(params) const -> ret`: the member pointer type naming one
/// overload, with the convention predicted for the method (none: the member default) and
/// for callbacks it takes or returns, so a wrong prediction fails the x86 compile.
fn member_pointer_type(api: &Api, class: &Class, index: usize) -> String {
    let method = &class.methods[index];
    let params: Vec<String> = method.params.iter().map(|p| p.ty.x86_text(false)).collect();
    let convention = api
        .details
        .method_convention(&class.name, index)
        .map(|c| format!("{} ", c.x86_keyword()))
        .unwrap_or_default();
    format!(
        "auto ({convention}{}::*)({}){} -> {}",
        class.name,
        params.join(", "),
        if method.is_const { " const" } else { "" },
        method.return_type.x86_text(false)
    )
}

/// The member pointer source for the methods; the header is included by absolute path.
pub fn methods_source(api: &Api, header_include: &str) -> String {
    let mut out = prelude(header_include);
    for class in &api.classes {
        // Non-public methods (protected and private alike) are named where access is not
        // checked: in the template arguments of an explicit instantiation, whose friend
        // hands the member pointer out as a constant.
        for (index, method) in class.methods.iter().enumerate() {
            if method.is_destructor || method.access == Access::Public {
                continue;
            }
            let _ = writeln!(
                out,
                "struct httpserv_probe_tag_{class}_{index} {{ typedef httpserv_probe_type<{ty}>::type type; \
                 friend constexpr type httpserv_probe_get(httpserv_probe_tag_{class}_{index}); }};\n\
                 template struct httpserv_probe_steal<httpserv_probe_tag_{class}_{index}, &{class}::{name}>;",
                ty = member_pointer_type(api, class, index),
                class = class.name,
                name = method.name
            );
        }
        for (index, method) in class.methods.iter().enumerate() {
            if method.is_destructor {
                continue;
            }
            let value = if method.access == Access::Public {
                format!(
                    "static_cast<{}>(&{}::{})",
                    member_pointer_type(api, class, index),
                    class.name,
                    method.name
                )
            } else {
                format!(
                    "httpserv_probe_get(httpserv_probe_tag_{}_{index}())",
                    class.name
                )
            };
            let _ = writeln!(
                out,
                "extern \"C\" extern const {} = {value};",
                declarator(api, class, index, &datum_name(&class.name, index))
            );
        }
    }
    out.push_str(&conventions_source(api));
    out.push_str(&super::records::records_source(api));
    out
}

/// `auto (C::* const name)(params) -> ret` is not valid C++; spell the object declaration
/// through a type alias instead.
fn declarator(api: &Api, class: &Class, index: usize, name: &str) -> String {
    format!(
        "httpserv_probe_type<{}>::type {name}",
        member_pointer_type(api, class, index)
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

/// The destructor witnesses: `delete` through a class derived from each such class. The
/// functions are named by the class's position in [`destructor_classes`] (LLVM IR quotes and
/// escapes names beyond ASCII, which the reader would have to undo).
pub fn destructors_source(api: &Api, header_include: &str) -> String {
    let mut out = prelude(header_include);
    for (index, class) in destructor_classes(api).into_iter().enumerate() {
        let _ = writeln!(
            out,
            "struct httpserv_probe_witness_{index} : {0} {{}};\n\
             extern \"C\" void {DELETE_PREFIX}{index}(httpserv_probe_witness_{index} *p) {{ delete p; }}",
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
         template <typename T> struct httpserv_probe_type {{ typedef T type; }};\n\
         template <typename Tag, typename Tag::type V> struct httpserv_probe_steal {{ \
         friend constexpr typename Tag::type httpserv_probe_get(Tag) {{ return V; }} }};\n",
        crate::toolchain::prelude(header_include)
    )
}
