//! Which `_Impl` trait methods are `unsafe fn`, and what their `# Safety` sections say.
//!
//! IIS calls a slot with raw pointers it vouches for; an implementation reads and writes
//! through them. Were the trait method safe, any safe code could call it with made-up
//! pointers (`<T as IFoo_Impl>::Method(&x, 1 as _)`) and reach undefined behaviour, so a
//! method with a pointer parameter — anything Rust types as `*const`/`*mut` (`PCWSTR`,
//! `HANDLE` and `HTTP_MODULE_ID` among them), a reference passed as a pointer, an array
//! or a function pointer — is `unsafe fn`, and its caller keeps IIS's contract for the
//! slot. The vtable thunk is that caller: IIS's call is what justifies it.

use super::class::OwnSlot;
use crate::ir::{Api, Builtin, Direction, Param, SizeExpr, Type, TypeKind, Unit};
use crate::layout::names::Names;

/// Whether the C++ type reaches Rust as a raw pointer (through typedefs: `PCWSTR`,
/// `HANDLE`), or as a function pointer (which only `unsafe` code can call).
fn is_pointer(ty: &Type) -> bool {
    matches!(
        ty.resolved(),
        TypeKind::Pointer { .. } | TypeKind::Reference { .. } | TypeKind::Array { .. }
    ) || ty.function().is_some()
}

/// Whether the slot's trait method must be `unsafe fn`: one of its parameters is a pointer.
pub fn is_unsafe(own: &OwnSlot<'_>) -> bool {
    !own.method.is_destructor && own.method.params.iter().any(|p| is_pointer(&p.ty))
}

/// The `# Safety` section of an `unsafe` trait method: the contract IIS keeps when it calls
/// the slot, one line per pointer parameter, as the header's SAL annotations state it.
/// `units` is each parameter's buffer unit as the model worked it out (SAL's, or IIS's where
/// a knowledge row corrects it).
pub fn safety_lines(
    api: &Api,
    names: &Names,
    own: &OwnSlot<'_>,
    units: &[Option<Unit>],
) -> Vec<String> {
    let rust_names = names.params(own.method_id);
    let rust_name = |cpp: &str| -> String {
        own.method
            .params
            .iter()
            .position(|p| p.name == cpp)
            .and_then(|i| rust_names.get(i))
            .cloned()
            .unwrap_or_else(|| cpp.to_string())
    };
    let mut lines = vec![
        "# Safety".into(),
        String::new(),
        "IIS calls this through the vtable; any other caller must keep IIS's contract for \
         the slot, as the header's SAL annotations state it, for the whole call:"
            .into(),
        String::new(),
    ];
    for (i, (param, name)) in own.method.params.iter().zip(rust_names).enumerate() {
        if !is_pointer(&param.ty) {
            continue;
        }
        let sal = if param.sal.written.is_empty() {
            String::new()
        } else {
            format!(", `{}`", param.sal.written.join(" "))
        };
        lines.push(format!(
            "- `{name}` (`{}`{sal}): {}.",
            param.ty.spelling,
            expectation(api, param, units.get(i).copied().flatten(), &rust_name)
        ));
    }
    lines
}

/// What the pointer parameter must be, from its SAL and its type.
fn expectation(
    api: &Api,
    param: &Param,
    unit: Option<Unit>,
    rust_name: &dyn Fn(&str) -> String,
) -> String {
    let sal = &param.sal;
    let what = if param.ty.function().is_some() || points_at_function(&param.ty) {
        "a function of the stated type".to_string()
    } else if sal.pointer_out {
        "valid for writes of one pointer, which the callee stores".to_string()
    } else if let Some(buffer) = &sal.buffer {
        let unit = match unit.unwrap_or(buffer.unit) {
            Unit::Bytes => "bytes",
            Unit::Elements => "elements",
        };
        let size = size_text(&buffer.capacity, rust_name);
        match sal.direction {
            Some(Direction::Out) => format!("valid for writes of {size} {unit}"),
            Some(Direction::InOut) => format!("valid for reads and writes of {size} {unit}"),
            _ => format!("valid for reads of {size} {unit}"),
        }
    } else if pointee(&param.ty).is_some_and(|p| matches!(p.resolved(), TypeKind::Void)) {
        // `HANDLE`, `PSID`, `HTTP_MODULE_ID`, a completion context: SAL sizes nothing.
        "what IIS passes for it (an opaque pointer or handle, valid as the C++ method \
         defines it)"
            .to_string()
    } else if let Some(class) = class_pointee(api, &param.ty) {
        format!("a live C++ `{class}` object")
    } else if is_string(&param.ty) && sal.direction != Some(Direction::Out) {
        "a valid NUL-terminated string".to_string()
    } else {
        match sal.direction {
            Some(Direction::Out) => "valid for writes".to_string(),
            Some(Direction::InOut) => "valid for reads and writes".to_string(),
            Some(Direction::In) => "valid for reads".to_string(),
            None => {
                "valid for what the C++ method does with it (the header gives no SAL)".to_string()
            }
        }
    };
    if sal.optional {
        format!("null or {what}")
    } else {
        what
    }
}

fn size_text(expr: &SizeExpr, rust_name: &dyn Fn(&str) -> String) -> String {
    match expr {
        SizeExpr::Param(n) => format!("`{}`", rust_name(n)),
        SizeExpr::Deref(n) => format!("`*{}`", rust_name(n)),
        SizeExpr::Literal(n) => n.to_string(),
        SizeExpr::Other(text) => format!("`{text}`"),
    }
}

/// The pointee of a pointer type, through typedefs on both sides.
fn pointee(ty: &Type) -> Option<&Type> {
    match ty.resolved() {
        TypeKind::Pointer { pointee, .. } | TypeKind::Reference { pointee, .. } => Some(pointee),
        TypeKind::Array { element, .. } => Some(element),
        _ => None,
    }
}

fn points_at_function(ty: &Type) -> bool {
    pointee(ty).is_some_and(|p| p.function().is_some())
}

/// `IFoo` for an `IFoo *` parameter whose class the header declares.
fn class_pointee<'a>(api: &'a Api, ty: &Type) -> Option<&'a str> {
    match pointee(ty)?.resolved() {
        TypeKind::Record { name } | TypeKind::Opaque { name } => {
            api.class(name).map(|class| class.name.as_str())
        }
        _ => None,
    }
}

/// `char *` / `wchar_t *` (`PCSTR`, `PCWSTR`, `PWSTR`): a string unless SAL sizes it.
fn is_string(ty: &Type) -> bool {
    pointee(ty).is_some_and(|p| {
        matches!(
            p.resolved(),
            TypeKind::Builtin(Builtin::Char | Builtin::SChar | Builtin::WChar)
        )
    })
}
