//! The size expressions of SAL, checked against the parameters they name before any role
//! is given: a count is an integer of the right kind and direction, by type, never by
//! name. A size the safe form would read wrongly (a float, a pointer passed as a count, a
//! struct behind `*p`, the buffer itself, a signed count C++ writes, bytes counted on a
//! buffer of UTF-16 units) is a reason to keep the method raw — never a guess.

use super::refusal::Refusal;
use super::types::has_name;
use crate::ir::{Builtin, Method, SizeExpr, Type, TypeKind, Unit};

/// An integer a length can be converted to and from: a builtin integer (not `bool`, not a
/// character, not a float), through typedefs, and not a Windows `BOOL` (a truth value
/// that happens to be an `int`). Enums are refused: a length is not one of their values.
fn count_integer(ty: &Type) -> Option<Builtin> {
    use Builtin::*;
    if has_name(ty, "BOOL") || has_name(ty, "BOOLEAN") {
        return None;
    }
    match ty.resolved() {
        TypeKind::Builtin(
            b @ (Short | UShort | Int | UInt | Long | ULong | LongLong | ULongLong | UChar),
        ) => Some(*b),
        _ => None,
    }
}

fn is_signed(builtin: Builtin) -> bool {
    use Builtin::*;
    matches!(builtin, Short | Int | Long | LongLong)
}

/// The parameter `name` of `method`, unless it is the buffer (`buffer`) itself.
fn named(method: &Method, name: &str, buffer: Option<usize>) -> Result<usize, Refusal> {
    let index = method
        .params
        .iter()
        .position(|p| p.name == name)
        .ok_or_else(|| Refusal::SizeNamesNoParameter(name.to_string()))?;
    if Some(index) == buffer {
        return Err(Refusal::OwnSize(name.to_string()));
    }
    Ok(index)
}

/// `n` in `_In_reads_(n)`, `_Out_writes_(n)`: an integer the caller passes by value.
pub(super) fn input_count(method: &Method, name: &str, buffer: usize) -> Result<usize, Refusal> {
    let index = named(method, name, Some(buffer))?;
    let param = &method.params[index];
    if count_integer(&param.ty).is_none() {
        return Err(Refusal::SizeNotAnInteger {
            size: SizeExpr::Param(name.to_string()),
            spelling: param.ty.spelling.clone(),
        });
    }
    if param
        .sal
        .direction
        .is_some_and(|d| d != crate::ir::Direction::In)
    {
        return Err(Refusal::SizeNotAnInput(name.to_string()));
    }
    Ok(index)
}

/// `n` in `_Outptr_result_bytebuffer_to_(n, 0)`: the caller's count of a buffer C++ hands
/// out, read back as the slice's length, so unsigned.
pub(super) fn handed_out_count(
    method: &Method,
    name: &str,
    buffer: usize,
) -> Result<usize, Refusal> {
    let index = input_count(method, name, buffer)?;
    let ty = &method.params[index].ty;
    match count_integer(ty) {
        Some(b) if is_signed(b) => Err(Refusal::SignedSize {
            size: SizeExpr::Param(name.to_string()),
            spelling: ty.spelling.clone(),
        }),
        _ => Ok(index),
    }
}

/// `*p` in `_Ret_writes_(*p)`, `_Outptr_result_buffer_(*p)`: a pointer to an integer C++
/// writes the length into. The emitted form converts it to `usize`, so it must be
/// unsigned (a negative count would become a huge slice).
pub(super) fn written_count(
    method: &Method,
    name: &str,
    buffer: Option<usize>,
) -> Result<usize, Refusal> {
    let index = named(method, name, buffer)?;
    let param = &method.params[index];
    let TypeKind::Pointer {
        pointee,
        pointee_is_const: false,
    } = param.ty.resolved()
    else {
        return Err(Refusal::SizeNotWritten {
            name: name.to_string(),
            spelling: param.ty.spelling.clone(),
        });
    };
    match count_integer(pointee) {
        None => Err(Refusal::SizeNotAnInteger {
            size: SizeExpr::Deref(name.to_string()),
            spelling: pointee.spelling.clone(),
        }),
        Some(b) if is_signed(b) => Err(Refusal::SignedSize {
            size: SizeExpr::Deref(name.to_string()),
            spelling: pointee.spelling.clone(),
        }),
        Some(_) => Ok(index),
    }
}

/// `*p` in `_Inout_updates_(*p)`: a pointer to the capacity, in and out.
pub(super) fn updated_count(method: &Method, name: &str, buffer: usize) -> Result<usize, Refusal> {
    written_count(method, name, Some(buffer))
}

/// The integer behind the written count `index` (a pointer, checked by [`written_count`]).
pub(super) fn written_integer(method: &Method, index: usize) -> Type {
    let ty = &method.params[index].ty;
    match ty.resolved() {
        TypeKind::Pointer { pointee, .. } => (**pointee).clone(),
        _ => ty.clone(),
    }
}

/// The count of a buffer C++ returns or hands out: the filled part where SAL states one
/// (`_to_(capacity, filled)`: only that much is initialised), else the whole capacity.
pub(super) fn returned_length(expr: &crate::ir::Buffer) -> &SizeExpr {
    expr.filled.as_ref().unwrap_or(&expr.capacity)
}

/// A returned or handed-out buffer of UTF-16 units counted in bytes would be read as
/// twice its memory: only an element count is exact for a `&[u16]`.
pub(super) fn check_units(wide: bool, unit: Unit) -> Result<(), Refusal> {
    if wide && unit == Unit::Bytes {
        return Err(Refusal::WideCountedInBytes);
    }
    Ok(())
}

/// The parameters a returned buffer's size marks as written counts: the length (filled,
/// else capacity) and, when both are stated, the capacity (a `*p` C++ writes too).
pub(super) fn written_counts(
    method: &Method,
    buffer: &crate::ir::Buffer,
    at: Option<usize>,
) -> Result<(usize, Option<usize>), Refusal> {
    let len = match returned_length(buffer) {
        SizeExpr::Deref(n) => written_count(method, n, at)?,
        other => return Err(Refusal::SizedBy(other.clone())),
    };
    let capacity = match (&buffer.filled, &buffer.capacity) {
        (Some(_), SizeExpr::Deref(n)) => Some(written_count(method, n, at)?),
        (Some(_), SizeExpr::Literal(_)) | (None, _) => None,
        (Some(_), other) => return Err(Refusal::CapacityOf(other.clone())),
    };
    Ok((len, capacity.filter(|&c| c != len)))
}
