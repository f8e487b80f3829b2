//! What each parameter of one method becomes: counts and lengths claimed by the buffers
//! they size (SAL first, then the Windows naming convention), the return value, then every
//! remaining parameter by its type and direction — inputs as references, strings and
//! slices, outputs as results. A parameter no rule covers is an error naming it, which
//! keeps the method raw.

use super::refusal::Refusal;
use super::sizes;
use super::types::{
    byte_sized, has_name, interface, is_plain_struct, is_scalar, is_void, string_width, Width,
};
use super::{In, Out, Ret, Role};
use crate::ir::{Direction, Method, Param, SizeExpr, Type, TypeKind, Unit};

pub(super) fn mark(
    args: &mut [Option<Role>],
    index: Option<usize>,
    role: Role,
) -> Result<(), Refusal> {
    let index = index.ok_or(Refusal::SizeOfNothing)?;
    match &args[index] {
        Some(existing) if *existing != role => Err(Refusal::CountWithTwoRoles),
        _ => {
            args[index] = Some(role);
            Ok(())
        }
    }
}

/// The Windows naming convention where SAL is silent: `pszValue` (or `pwszValue`, `pvValue`,
/// `pbValue`), then `cchValue` (or `cbValue`) right after it, is an input buffer and its
/// length. The names are only a tie-breaker: the pair is taken when the types agree (a
/// read-only string or byte pointer the callee does not write, an integer count passed
/// by value, bytes counted with `cb` unless the characters are bytes), else left to the
/// rules by type.
pub(super) fn hungarian_lengths(method: &Method, args: &mut [Option<Role>]) {
    for (i, pair) in method.params.windows(2).enumerate() {
        let (buffer, count) = (&pair[0], &pair[1]);
        if args[i].is_some() || args[i + 1].is_some() || buffer.sal.buffer.is_some() {
            continue;
        }
        let Some(unit) = hungarian_unit(buffer, count) else {
            continue;
        };
        if sizes::input_count(method, &count.name, i).is_ok() {
            args[i + 1] = Some(Role::Length { of: i, unit });
        }
    }
}

/// The unit of a `psz…`/`cch…` pair whose types agree with the names.
fn hungarian_unit(buffer: &Param, count: &Param) -> Option<Unit> {
    let read_only = matches!(
        buffer.ty.resolved(),
        TypeKind::Pointer {
            pointee_is_const: true,
            ..
        }
    );
    if !read_only || buffer.sal.direction.is_some_and(|d| d != Direction::In) {
        return None;
    }
    let (prefix, stem) = ["pwsz", "psz", "pv", "pb"]
        .iter()
        .find_map(|p| buffer.name.strip_prefix(p).map(|s| (*p, s)))?;
    let (counted, unit) = [("cch", Unit::Elements), ("cb", Unit::Bytes)]
        .iter()
        .find_map(|(p, u)| count.name.strip_prefix(p).map(|s| (s, *u)))?;
    let TypeKind::Pointer { pointee, .. } = buffer.ty.resolved() else {
        return None;
    };
    let agrees = match prefix {
        "psz" => string_width(&buffer.ty) == Some(Width::Narrow),
        "pwsz" => string_width(&buffer.ty) == Some(Width::Wide) && unit == Unit::Elements,
        _ => (byte_sized(pointee) || is_void(pointee)) && unit == Unit::Bytes,
    };
    (stem == counted && agrees).then_some(unit)
}

/// What the return value becomes; marks the parameter that receives a returned buffer's
/// length.
pub(super) fn return_value(
    api: &crate::ir::Api,
    method: &Method,
    args: &mut [Option<Role>],
) -> Result<Ret, Refusal> {
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
        let Some(buffer) = &method.return_sal.buffer else {
            return Ok(Ret::Str { wide });
        };
        sizes::check_units(wide, buffer.unit)?;
        // The filled count when SAL states one: the rest of the capacity is uninitialised.
        let (len, capacity) = sizes::written_counts(method, buffer, None)?;
        mark(args, Some(len), Role::CountOut)?;
        if let Some(capacity) = capacity {
            mark(args, Some(capacity), Role::CountOut)?;
        }
        return Ok(Ret::Buffer { len, wide });
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
                return Err(Refusal::ReturnsMemoryThatOutlivesTheCall);
            }
            match pointee.resolved() {
                TypeKind::Void | TypeKind::Opaque { .. } => Ok(Ret::Pointer(ty.clone())),
                TypeKind::Record { name } => Ok(Ret::Ref {
                    ty: (**pointee).clone(),
                    mutable: !pointee_is_const && !crate::knowledge::followed_by_iis(name),
                }),
                _ => Err(Refusal::ReturnsUnsizedBuffer),
            }
        }
        _ => Err(Refusal::Returns(ty.spelling.clone())),
    }
}

/// A parameter that no size or name rule claimed.
pub(super) fn param_role(
    api: &crate::ir::Api,
    method: &Method,
    param: &Param,
    sized: bool,
) -> Result<Role, Refusal> {
    let ty = &param.ty;
    let sal = &param.sal;
    let optional = sal.optional;
    if matches!(ty.kind, TypeKind::Array { .. }) {
        return Err(Refusal::Array);
    }
    if ty.callable().is_some() {
        return Err(Refusal::Callback);
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
        None => return Err(Refusal::NoDirection),
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
            _ => Err(Refusal::InOutBuffer),
        },
    }
}

pub(super) fn input(
    api: &crate::ir::Api,
    param: &Param,
    optional: bool,
    sized: bool,
) -> Result<Role, Refusal> {
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
    Err(Refusal::Input(ty.spelling.clone()))
}

/// An input claimed as a buffer by SAL or by its count's name (`Length` on the count).
pub(super) fn slice_input(param: &Param, optional: bool) -> Result<Role, Refusal> {
    let ty = &param.ty;
    let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
        return Err(Refusal::BufferNotAPointer);
    };
    let written = matches!(param.sal.direction, Some(Direction::Out | Direction::InOut));
    let element = pointee.resolved();
    let slice = if has_name(pointee, "HTTP_DATA_CHUNK") && !written {
        In::Chunks
    } else if written {
        match element {
            _ if byte_sized(pointee) || is_void(pointee) => In::BytesMut,
            TypeKind::Builtin(crate::ir::Builtin::WChar) => In::WideMut,
            _ => return Err(Refusal::OutputBufferOfNonBytes),
        }
    } else if matches!(string_width(ty), Some(Width::Wide)) {
        In::Wide
    } else if is_void(pointee) || byte_sized(pointee) {
        In::Bytes
    } else {
        return Err(Refusal::BufferOf(pointee.spelling.clone()));
    };
    Ok(Role::In {
        ty: slice,
        optional,
    })
}

pub(super) fn output(
    api: &crate::ir::Api,
    method: &Method,
    param: &Param,
    optional: bool,
) -> Result<Role, Refusal> {
    let ty = &param.ty;
    if param.sal.buffer.is_some() && !param.sal.pointer_out {
        // `_Out_writes_…(n)`: a caller-provided buffer C++ fills.
        return slice_input(param, optional);
    }
    let TypeKind::Pointer { pointee, .. } = ty.resolved() else {
        return Err(Refusal::OutputNotAPointer);
    };
    if param.sal.pointer_out || matches!(pointee.resolved(), TypeKind::Pointer { .. }) {
        return pointer_output(api, method, param, pointee);
    }
    if has_name(pointee, "BOOL") {
        return Ok(Role::Out(Out::Bool));
    }
    // A pointer to characters is a string buffer, whatever `_Out_` says of one element:
    // without a stated size C++ may write past a single character.
    if string_width(ty).is_some() {
        return Err(Refusal::UnsizedOutputString);
    }
    if is_scalar(pointee) || is_plain_struct(pointee) {
        return Ok(Role::Out(Out::Value((**pointee).clone())));
    }
    Err(Refusal::Output(pointee.spelling.clone()))
}

/// `_Outptr_`: the callee stores a pointer (an object, a buffer, a string).
pub(super) fn pointer_output(
    api: &crate::ir::Api,
    method: &Method,
    param: &Param,
    pointee: &Type,
) -> Result<Role, Refusal> {
    let optional = param.sal.optional || !has_name(&method.return_type, "HRESULT");
    let at = method
        .params
        .iter()
        .position(|p| std::ptr::eq(p, param))
        .expect("a parameter of its method");
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
                    len: sizes::handed_out_count(method, n, at)?,
                })),
                _ => Err(Refusal::HandedOutBuffer),
            }
        }
        Some(buffer) if bytes => {
            sizes::check_units(width == Some(Width::Wide), buffer.unit)?;
            match sizes::returned_length(buffer) {
                SizeExpr::Deref(n) => Ok(Role::Out(Out::Buffer {
                    len: sizes::written_count(method, n, Some(at))?,
                    wide: width == Some(Width::Wide),
                })),
                _ => Err(Refusal::HandedOutBuffer),
            }
        }
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
                mutable: !pointee_is_const && !followed_record(target),
                optional,
            })),
            _ => Err(Refusal::OutputPointerTo(pointee.spelling.clone())),
        },
        _ => Err(Refusal::OutputPointerTo(pointee.spelling.clone())),
    }
}

/// Whether `ty` is a record IIS follows the fields of (handed out shared only).
fn followed_record(ty: &crate::ir::Type) -> bool {
    matches!(ty.resolved(), TypeKind::Record { name } if crate::knowledge::followed_by_iis(name))
}
