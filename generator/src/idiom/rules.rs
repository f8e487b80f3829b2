//! The rules of `mod.rs`, applied to one method: each parameter's role from its type, SAL
//! and name; the return value; the receiver; defaults; names. A parameter no rule covers
//! makes the whole method raw, with the reason.

use super::names::{method_name, overload_suffix, param_name};
use super::{defaults, render, Arg, Form, Idiomatic, In, Out, Receiver, Ret, Role, Value};
use crate::ir::{Class, Direction, Method, Param, SizeExpr, Type, TypeKind, Unit};
use crate::layout::names::{method_base_name, rust_name};
use crate::layout::{ClassLayout, LaidOutApi};
use crate::policy::{self, Lifetime, ASYNC_FLAGS};
use std::collections::BTreeMap;

/// Typedefs of `void *` that are handles or ids, passed by value and never dereferenced by
/// the callee on the caller's behalf.
const HANDLES: &[&str] = &["HANDLE", "HMODULE", "HTTP_MODULE_ID"];

/// Typedefs of unions or structs that are plain integers in Rust (windows-sys maps them so).
const INTEGERS: &[&str] = &["LARGE_INTEGER", "ULARGE_INTEGER"];

/// Plain structs (no pointers inside) that may be written by C++ into a Rust local.
const PLAIN_STRUCTS: &[&str] = &["FILETIME", "GUID"];

/// The base idiomatic name of each own slot of `class` (by slot index): rules 1–3 of
/// `names.rs`, decided in declaration order against the names the base classes hold.
pub(super) fn name_slots(model: &LaidOutApi, layout: &ClassLayout) -> BTreeMap<usize, String> {
    // The first-declared method of each C++ name, from the bases.
    let mut first: BTreeMap<String, &Method> = BTreeMap::new();
    for slot in &layout.slots[..layout.inherited] {
        let method = model.method(slot);
        first.entry(method.name.clone()).or_insert(method);
    }
    let mut own: Vec<(usize, &Method)> = layout
        .own_slots()
        .iter()
        .map(|s| (s.index, model.method(s)))
        .collect();
    own.sort_by_key(|(index, _)| layout.slots[*index].method);
    let mut names = BTreeMap::new();
    for (index, method) in &own {
        let plain = method_name(&method_base_name(method));
        let name = match first.get(&method.name) {
            None => {
                first.insert(method.name.clone(), method);
                // A const twin declared later takes the plain name (rule 2).
                let twin_is_const = own.iter().any(|(_, other)| {
                    other.name == method.name
                        && !std::ptr::eq(*other, *method)
                        && overload_suffix(method, other) == "const"
                });
                if twin_is_const {
                    format!("{plain}_mut")
                } else {
                    plain
                }
            }
            Some(first) => match overload_suffix(first, method).as_str() {
                "const" => plain,
                "mut" => format!("{plain}_mut"),
                suffix => format!("{plain}_{suffix}"),
            },
        };
        // A suffix from a type's spelling (`unsigned long long`) made a valid identifier
        // by the naming pass's rule.
        names.insert(*index, rust_name(&name));
    }
    names
}

/// The idiomatic form of `method` of `class`, named `name` unless `taken`.
pub(super) fn form(
    model: &LaidOutApi,
    class: &Class,
    method: &Method,
    name: &str,
    taken: &mut Vec<String>,
) -> Form {
    match idiomatic(model, class, method, name, taken) {
        Ok(form) => {
            taken.extend(form.names().map(str::to_string));
            Form::Idiomatic(Box::new(form))
        }
        Err(reason) => Form::Raw(reason),
    }
}

fn idiomatic(
    model: &LaidOutApi,
    class: &Class,
    method: &Method,
    name: &str,
    taken: &[String],
) -> Result<Idiomatic, String> {
    let api = &model.api;
    if method.is_destructor
        || matches!(
            policy::lifetime(&class.name, method),
            Some(Lifetime::Release | Lifetime::DropReference)
        )
    {
        return Err("ends the object's life: the raw method takes the object pointer".into());
    }
    if policy::RESUMES_THE_PIPELINE.contains(&(class.name.as_str(), method.name.as_str())) {
        return Err(
            "resumes a pending request, sound only after the notification answered pending: \
             `module::Completion` keeps that contract"
                .into(),
        );
    }
    let sals = method
        .params
        .iter()
        .map(|p| &p.sal)
        .chain([&method.return_sal]);
    for sal in sals {
        if sal.conditional {
            return Err(format!("SAL `_At_` annotation ({})", sal.written.join(" ")));
        }
        if !sal.unknown.is_empty() {
            return Err(format!("unknown SAL annotation {}", sal.unknown.join(", ")));
        }
    }
    let mut args: Vec<Option<Role>> = vec![None; method.params.len()];
    let index_of = |name: &str| method.params.iter().position(|p| p.name == name);

    // Lengths and counts first: they are named by the parameters they size.
    let ret = return_value(api, method, &mut args, &index_of)?;
    for (i, param) in method.params.iter().enumerate() {
        if let Some(buffer) = &param.sal.buffer {
            let count = buffer.filled.as_ref().unwrap_or(&buffer.capacity);
            if param.sal.pointer_out {
                match count {
                    SizeExpr::Deref(n) => mark(&mut args, index_of(n), Role::CountOut)?,
                    SizeExpr::Param(_) | SizeExpr::Literal(_) => {}
                    SizeExpr::Other(text) => return Err(format!("buffer size `{text}`")),
                }
                if let (SizeExpr::Deref(n), Some(_)) = (&buffer.capacity, &buffer.filled) {
                    mark(&mut args, index_of(n), Role::CountOut)?;
                }
            } else {
                match &buffer.capacity {
                    SizeExpr::Param(n) => {
                        let role = Role::Length {
                            of: i,
                            unit: buffer.unit,
                        };
                        mark(&mut args, index_of(n), role)?;
                    }
                    // `_Inout_updates_(*n)`: the capacity goes in through `n`, and what C++
                    // puts there comes back.
                    SizeExpr::Deref(n) if param.sal.direction == Some(Direction::InOut) => {
                        let role = Role::InOutLength {
                            of: i,
                            unit: buffer.unit,
                        };
                        mark(&mut args, index_of(n), role)?;
                    }
                    other => return Err(format!("a buffer sized by {other:?}")),
                }
            }
        }
    }
    hungarian_lengths(method, &mut args);

    let request_owned = policy::request_owned(class_chain(api, &class.name));
    let sized: Vec<bool> = (0..method.params.len())
        .map(|i| {
            args.iter().any(|r| {
                matches!(r, Some(Role::Length { of, .. } | Role::InOutLength { of, .. }) if *of == i)
            })
        })
        .collect();
    let retained = policy::RETAINED_ARGUMENTS
        .iter()
        .any(|(c, m)| *c == class.name && *m == method.name);
    for (i, param) in method.params.iter().enumerate() {
        if args[i].is_some() {
            continue;
        }
        if ASYNC_FLAGS.contains(&param.name.as_str()) {
            args[i] = Some(Role::Fixed(Value::Bool(false)));
            continue;
        }
        let mut role = param_role(api, method, param, sized[i])
            .map_err(|why| format!("parameter `{}`: {why}", param.name))?;
        let takes_ownership = policy::TAKES_OWNERSHIP
            .iter()
            .any(|(c, m, p)| *c == class.name && *m == method.name && *p == param.name);
        if let (
            true,
            Role::In {
                ty: In::Interface(object),
                optional: false,
            },
        ) = (takes_ownership, &role)
        {
            role = Role::In {
                ty: In::Owned(object.clone()),
                optional: false,
            };
        }
        if retained && matches!(role, Role::In { ty: In::Chunk, .. }) {
            return Err(format!(
                "parameter `{}`: IIS keeps it after the call returns",
                param.name
            ));
        }
        args[i] = Some(role);
    }
    let roles: Vec<Role> = args
        .into_iter()
        .map(|r| r.expect("every role set"))
        .collect();

    // Data handed out by a method that could also invalidate it must be protected by an
    // exclusive borrow, which only request-owned classes can give.
    let hands_out_data = matches!(ret, Ret::Str { .. } | Ret::Buffer { .. } | Ret::Ref { .. })
        || roles.iter().any(|r| {
            matches!(
                r,
                Role::Out(Out::Buffer { .. } | Out::BufferMut { .. } | Out::Str { .. })
            )
        });
    let mutable_result = matches!(
        ret,
        Ret::Interface { mutable: true, .. } | Ret::Ref { mutable: true, .. }
    ) || roles
        .iter()
        .any(|r| matches!(r, Role::Out(Out::BufferMut { .. })))
        || roles.iter().any(|r| {
            matches!(
                r,
                Role::Out(Out::Interface { mutable: true, .. } | Out::Ref { mutable: true, .. })
            )
        });
    let receiver = if request_owned && (!method.is_const || mutable_result) {
        Receiver::Exclusive
    } else if hands_out_data && !method.is_const {
        return Err(
            "returns data from a non-const method of an object several requests share".into(),
        );
    } else {
        Receiver::Shared
    };
    let interface_getter = method.params.is_empty()
        && matches!(&ret, Ret::Interface { mutable: true, .. })
        && request_owned;
    // A getter of an object hands it out shared from `&self`, and exclusive from the `_mut`
    // form.
    let (receiver, ret) = match (interface_getter, ret) {
        (true, Ret::Interface { class, .. }) => (
            Receiver::Shared,
            Ret::Interface {
                class,
                mutable: false,
            },
        ),
        (_, ret) => (receiver, ret),
    };
    let mut_form = interface_getter.then(|| format!("{name}_mut"));
    // Only an exclusive borrow of `self` can hand out exclusive references.
    let (ret, roles) = if receiver == Receiver::Shared {
        (
            shared_ret(ret),
            roles.into_iter().map(shared_role).collect(),
        )
    } else {
        (ret, roles)
    };

    let args = with_defaults(model, class, method, roles)?;
    let has_short_form = args.iter().any(|a| a.default.is_some());
    let name = free_name(name, taken);
    let full_name = has_short_form.then(|| format!("{name}_with"));
    let mut form = Idiomatic {
        name,
        receiver,
        args,
        ret,
        full_name,
        mut_name: mut_form,
        signature: String::new(),
        full_signature: None,
    };
    let types = crate::rust_types::TypeMapper::new(model);
    form.signature = render::signature(&types, &form, false);
    form.full_signature = form
        .full_name
        .as_ref()
        .map(|_| render::signature(&types, &form, true));
    Ok(form)
}

fn shared_ret(ret: Ret) -> Ret {
    match ret {
        Ret::Interface { class, .. } => Ret::Interface {
            class,
            mutable: false,
        },
        Ret::Ref { ty, .. } => Ret::Ref { ty, mutable: false },
        other => other,
    }
}

fn shared_role(role: Role) -> Role {
    match role {
        Role::Out(Out::Interface {
            class, optional, ..
        }) => Role::Out(Out::Interface {
            class,
            mutable: false,
            optional,
        }),
        Role::Out(Out::Ref { ty, optional, .. }) => Role::Out(Out::Ref {
            ty,
            mutable: false,
            optional,
        }),
        other => other,
    }
}

/// `name`, or, when a raw method or another idiomatic one has it, `name_safe` (the safe
/// form of a C++ method already named in snake_case), then `_2`, `_3`…
fn free_name(name: &str, taken: &[String]) -> String {
    let name = if taken.iter().any(|t| t == name) {
        format!("{name}_safe")
    } else {
        name.to_string()
    };
    let mut candidate = name.clone();
    let mut n = 2;
    while taken.contains(&candidate) {
        candidate = format!("{name}_{n}");
        n += 1;
    }
    candidate
}

fn mark(args: &mut [Option<Role>], index: Option<usize>, role: Role) -> Result<(), String> {
    let index = index.ok_or("a size names no parameter")?;
    match &args[index] {
        Some(existing) if *existing != role => Err("a count parameter with two roles".into()),
        _ => {
            args[index] = Some(role);
            Ok(())
        }
    }
}

/// The Windows naming convention where SAL is silent: `pszValue` (or `pvValue`, `pbValue`,
/// `pwszValue`), then `cchValue` (or `cbValue`) right after it, is a buffer and its length.
fn hungarian_lengths(method: &Method, args: &mut [Option<Role>]) {
    for (i, pair) in method.params.windows(2).enumerate() {
        let (buffer, count) = (&pair[0], &pair[1]);
        if args[i].is_some() || args[i + 1].is_some() || buffer.sal.buffer.is_some() {
            continue;
        }
        let stem = ["psz", "pwsz", "pv", "pb"]
            .iter()
            .find_map(|p| buffer.name.strip_prefix(p));
        let counted = ["cch", "cb"]
            .iter()
            .find_map(|p| count.name.strip_prefix(p));
        if let (Some(stem), Some(counted)) = (stem, counted) {
            if stem == counted && is_integer(&count.ty) {
                let unit = if count.name.starts_with("cb") {
                    Unit::Bytes
                } else {
                    Unit::Elements
                };
                args[i + 1] = Some(Role::Length { of: i, unit });
            }
        }
    }
}

/// What the return value becomes; marks the parameter that receives a returned buffer's
/// length.
fn return_value(
    api: &crate::ir::Api,
    method: &Method,
    args: &mut [Option<Role>],
    index_of: &dyn Fn(&str) -> Option<usize>,
) -> Result<Ret, String> {
    let ty = &method.return_type;
    if matches!(ty.kind, TypeKind::Void) {
        return Ok(Ret::Unit);
    }
    if has_name(ty, "HRESULT") {
        return Ok(Ret::Result);
    }
    if has_name(ty, "BOOL") {
        return Ok(Ret::Bool);
    }
    if is_scalar(ty) {
        return Ok(Ret::Value(ty.clone()));
    }
    if let Some(width) = string_width(ty) {
        let wide = width == Width::Wide;
        return match &method.return_sal.buffer {
            Some(buffer) => match &buffer.capacity {
                SizeExpr::Deref(n) => {
                    let len = index_of(n).ok_or("a size names no parameter")?;
                    mark(args, Some(len), Role::CountOut)?;
                    Ok(Ret::Buffer { len, wide })
                }
                other => Err(format!("returns a buffer sized by {other:?}")),
            },
            None => Ok(Ret::Str { wide }),
        };
    }
    if let Some((class, mutable)) = interface(api, ty) {
        return Ok(Ret::Interface { class, mutable });
    }
    match ty.resolved() {
        TypeKind::Pointer {
            pointee,
            pointee_is_const,
        } => {
            if method.return_sal.writable {
                return Err("returns memory that outlives the call".into());
            }
            match pointee.resolved() {
                TypeKind::Void | TypeKind::Opaque { .. } => Ok(Ret::Pointer(ty.clone())),
                TypeKind::Record { .. } => Ok(Ret::Ref {
                    ty: (**pointee).clone(),
                    mutable: !pointee_is_const,
                }),
                _ => Err("returns a buffer of unstated size".into()),
            }
        }
        _ => Err(format!("returns `{}`", ty.spelling)),
    }
}

/// A parameter that no size or name rule claimed.
fn param_role(
    api: &crate::ir::Api,
    method: &Method,
    param: &Param,
    sized: bool,
) -> Result<Role, String> {
    let ty = &param.ty;
    let sal = &param.sal;
    let optional = sal.optional;
    if matches!(ty.kind, TypeKind::Array { .. }) {
        return Err("an array parameter".into());
    }
    if ty.callable().is_some() {
        return Err("a callback".into());
    }
    let pointee_const = matches!(
        ty.resolved(),
        TypeKind::Pointer {
            pointee_is_const: true,
            ..
        }
    );
    let direction = match sal.direction {
        Some(direction) => direction,
        None if pointee_const || is_scalar(ty) => Direction::In,
        None => return Err("a pointer without a direction (no SAL)".into()),
    };
    match direction {
        Direction::In => input(api, param, optional, sized),
        Direction::Out => output(api, method, param, optional),
        Direction::InOut if sized => slice_input(param, optional),
        Direction::InOut => match ty.resolved() {
            TypeKind::Pointer { pointee, .. } if is_scalar(pointee) && !sal.pointer_out => {
                Ok(Role::In {
                    ty: In::RefMut((**pointee).clone()),
                    optional: false,
                })
            }
            _ => Err("an in-out buffer or pointer".into()),
        },
    }
}

fn input(api: &crate::ir::Api, param: &Param, optional: bool, sized: bool) -> Result<Role, String> {
    let ty = &param.ty;
    let role = |ty: In| Role::In { ty, optional };
    if has_name(ty, "BOOL") {
        return Ok(role(In::Bool));
    }
    if is_scalar(ty) {
        return Ok(role(In::Value(ty.clone())));
    }
    if param.sal.buffer.is_some() || sized {
        return slice_input(param, optional);
    }
    if let Some(width) = string_width(ty) {
        return Ok(role(match width {
            Width::Narrow => In::CStr,
            Width::Wide => In::WideCStr,
        }));
    }
    if let Some((class, _)) = interface(api, ty) {
        return Ok(role(In::Interface(class)));
    }
    if let TypeKind::Reference {
        pointee,
        pointee_is_const: true,
    } = &ty.kind
    {
        if is_plain_struct(pointee) {
            return Ok(role(In::Ref((**pointee).clone())));
        }
    }
    if let TypeKind::Pointer { pointee, .. } = ty.resolved() {
        if has_name(pointee, "HTTP_DATA_CHUNK") {
            return Ok(role(In::Chunk));
        }
    }
    Err(format!("`{}` read by the callee", ty.spelling))
}

/// An input claimed as a buffer by SAL or by its count's name (`Length` on the count).
fn slice_input(param: &Param, optional: bool) -> Result<Role, String> {
    let ty = &param.ty;
    let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
        return Err("a buffer that is not a pointer".into());
    };
    let written = matches!(param.sal.direction, Some(Direction::Out | Direction::InOut));
    let element = pointee.resolved();
    let slice = if has_name(pointee, "HTTP_DATA_CHUNK") && !written {
        In::Chunks
    } else if written {
        match element {
            _ if byte_sized(pointee) || is_void(pointee) => In::BytesMut,
            TypeKind::Builtin(crate::ir::Builtin::WChar) => In::WideMut,
            _ => return Err("an output buffer of non-bytes".into()),
        }
    } else if matches!(string_width(ty), Some(Width::Wide)) {
        In::Wide
    } else if is_void(pointee) || byte_sized(pointee) {
        In::Bytes
    } else {
        return Err(format!("a buffer of `{}`", pointee.spelling));
    };
    Ok(Role::In {
        ty: slice,
        optional,
    })
}

fn output(
    api: &crate::ir::Api,
    method: &Method,
    param: &Param,
    optional: bool,
) -> Result<Role, String> {
    let ty = &param.ty;
    if param.sal.buffer.is_some() && !param.sal.pointer_out {
        // `_Out_writes_…(n)`: a caller-provided buffer C++ fills.
        return slice_input(param, optional);
    }
    let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
        return Err("an output that is not a pointer".into());
    };
    if param.sal.pointer_out || matches!(pointee.resolved(), TypeKind::Pointer { .. }) {
        return pointer_output(api, method, param, pointee);
    }
    if has_name(pointee, "BOOL") {
        return Ok(Role::Out(Out::Bool));
    }
    if is_scalar(pointee) || is_plain_struct(pointee) {
        return Ok(Role::Out(Out::Value((**pointee).clone())));
    }
    Err(format!("an output of `{}`", pointee.spelling))
}

/// `_Outptr_`: the callee stores a pointer (an object, a buffer, a string).
fn pointer_output(
    api: &crate::ir::Api,
    method: &Method,
    param: &Param,
    pointee: &Type,
) -> Result<Role, String> {
    let optional = param.sal.optional || !has_name(&method.return_type, "HRESULT");
    if let Some((class, mutable)) = interface(api, pointee) {
        return Ok(Role::Out(Out::Interface {
            class,
            mutable,
            optional,
        }));
    }
    let width = string_width(pointee);
    let bytes = width.is_some()
        || matches!(pointee.resolved(), TypeKind::Pointer { pointee: p, .. } if byte_sized(p) || is_void(p));
    match &param.sal.buffer {
        // `_Outptr_result_bytebuffer_to_(cb, 0)`: a buffer of `cb` bytes C++ hands out to be
        // filled.
        Some(buffer) if bytes && matches!(buffer.filled, Some(SizeExpr::Literal(0))) => {
            match &buffer.capacity {
                SizeExpr::Param(n) => Ok(Role::Out(Out::BufferMut {
                    len: method
                        .params
                        .iter()
                        .position(|p| p.name == *n)
                        .ok_or("a size names no parameter")?,
                })),
                _ => Err("a buffer the callee hands out to be written".into()),
            }
        }
        Some(buffer) if bytes => match buffer.filled.as_ref().unwrap_or(&buffer.capacity) {
            SizeExpr::Deref(n) => {
                let len = method
                    .params
                    .iter()
                    .position(|p| p.name == *n)
                    .ok_or("a size names no parameter")?;
                Ok(Role::Out(Out::Buffer {
                    len,
                    wide: width == Some(Width::Wide),
                }))
            }
            _ => Err("a buffer the callee hands out to be written".into()),
        },
        None if width.is_some() => Ok(Role::Out(Out::Str {
            wide: width == Some(Width::Wide),
        })),
        // An untyped pointer (`PVOID *`): handed back as is, which is safe; using it is not.
        None if matches!(pointee.resolved(), TypeKind::Pointer { pointee: p, .. } if is_void(p)) => {
            Ok(Role::Out(Out::Value(pointee.clone())))
        }
        None => match pointee.resolved() {
            TypeKind::Pointer {
                pointee: target,
                pointee_is_const,
            } if matches!(target.resolved(), TypeKind::Record { .. }) => Ok(Role::Out(Out::Ref {
                ty: (**target).clone(),
                mutable: !pointee_is_const,
                optional,
            })),
            _ => Err(format!("an output pointer to `{}`", pointee.spelling)),
        },
        _ => Err(format!("an output pointer to `{}`", pointee.spelling)),
    }
}

/// Which C++ defaults become the short form (trailing defaulted parameters whose default
/// has a Rust spelling); roles unchanged.
fn with_defaults(
    model: &LaidOutApi,
    class: &Class,
    method: &Method,
    roles: Vec<Role>,
) -> Result<Vec<Arg>, String> {
    let api = &model.api;
    // The parameters as the naming pass named them (valid, unnamed ones given stand-ins).
    let index = class
        .methods
        .iter()
        .position(|m| std::ptr::eq(m, method))
        .expect("a method of its class");
    let raw_names = model.names().params(&class.name, index);
    let mut args: Vec<Arg> = raw_names
        .iter()
        .zip(roles)
        .map(|(raw, role)| Arg {
            name: param_name(raw),
            role,
            default: None,
        })
        .collect();
    for (arg, param) in args.iter_mut().zip(&method.params).rev() {
        let Some(text) = &param.default else {
            break;
        };
        let Some(value) = defaults::value(api, &param.ty, text) else {
            break;
        };
        match (&arg.role, &value) {
            (Role::In { .. }, _) | (Role::Out(_), Value::Null) => arg.default = Some(value),
            _ => {}
        }
    }
    // Rust names must be distinct (Hungarian prefixes removed may collide).
    let mut seen: Vec<String> = Vec::new();
    for arg in &mut args {
        let mut name = arg.name.clone();
        let mut n = 2;
        while seen.contains(&name) || name == "self" || model.names().is_taken_local(&name) {
            name = format!("{}_{n}", arg.name);
            n += 1;
        }
        seen.push(name.clone());
        arg.name = name;
    }
    Ok(args)
}

/// A class and its bases, nearest first.
fn class_chain<'a>(api: &'a crate::ir::Api, class: &'a str) -> impl Iterator<Item = &'a str> {
    let mut next = Some(class);
    std::iter::from_fn(move || {
        let current = next?;
        next = api.class(current).and_then(|c| c.base.as_deref());
        Some(current)
    })
}

/// The typedef and enum names a type goes through.
fn has_name(ty: &Type, name: &str) -> bool {
    match &ty.kind {
        TypeKind::Typedef { name: n, target } => n == name || has_name(target, name),
        TypeKind::Enum { name: n } | TypeKind::Record { name: n } => n == name,
        _ => false,
    }
}

fn is_integer(ty: &Type) -> bool {
    matches!(ty.resolved(), TypeKind::Builtin(_) | TypeKind::Enum { .. })
}

/// Passed and returned by value: integers, enums, handles.
fn is_scalar(ty: &Type) -> bool {
    is_integer(ty)
        || HANDLES.iter().any(|h| has_name(ty, h))
        || INTEGERS.iter().any(|h| has_name(ty, h))
}

fn is_plain_struct(ty: &Type) -> bool {
    PLAIN_STRUCTS.iter().any(|s| has_name(ty, s))
}

fn is_void(ty: &Type) -> bool {
    matches!(ty.resolved(), TypeKind::Void)
}

fn byte_sized(ty: &Type) -> bool {
    use crate::ir::Builtin::*;
    matches!(ty.resolved(), TypeKind::Builtin(Char | SChar | UChar))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Width {
    Narrow,
    Wide,
}

/// A pointer to 8-bit or 16-bit characters (`PCSTR`, `PCWSTR`, `char *`…).
fn string_width(ty: &Type) -> Option<Width> {
    use crate::ir::Builtin::*;
    let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
        return None;
    };
    match pointee.resolved() {
        TypeKind::Builtin(Char | SChar) => Some(Width::Narrow),
        TypeKind::Builtin(WChar) => Some(Width::Wide),
        _ => None,
    }
}

/// An interface pointer (through typedefs), or a pointer to a forward-declared class: its
/// name and whether it points at non-const.
fn interface(api: &crate::ir::Api, ty: &Type) -> Option<(String, bool)> {
    let TypeKind::Pointer {
        pointee,
        pointee_is_const,
    } = ty.resolved()
    else {
        return None;
    };
    match pointee.resolved() {
        TypeKind::Record { name } if api.class(name).is_some() => {
            Some((name.clone(), !pointee_is_const))
        }
        // A forward-declared class that is not a Windows struct (a COM interface of IIS's
        // configuration system): only ever behind pointers, so a reference to it is as good
        // as to one of ours.
        TypeKind::Opaque { name } if crate::rust_types::known_path(name).is_none() => {
            Some((name.clone(), !pointee_is_const))
        }
        _ => None,
    }
}
