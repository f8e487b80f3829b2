//! C++ default arguments as Rust values: `NULL`, `TRUE`/`FALSE`, integers (`- 1` too),
//! `S_OK`, and constants or enumerators the API declares. Anything else has no Rust
//! spelling, and then the method has only its full form.

use super::Value;
use crate::ir::{Api, Type, TypeKind};

/// The `HRESULT`s the runtime names (`httpserv_runtime::S_OK`…).
const RUNTIME_HRESULTS: &[&str] = &["S_OK", "S_FALSE", "E_FAIL", "E_INVALIDARG", "E_NOTIMPL"];

/// `text` (the default's tokens joined by spaces) for a parameter of type `ty`.
pub fn value(api: &Api, ty: &Type, text: &str) -> Option<Value> {
    let compact: String = text.split_whitespace().collect();
    let is_pointer = matches!(ty.resolved(), TypeKind::Pointer { .. });
    match compact.as_str() {
        "NULL" | "nullptr" => return Some(Value::Null),
        "0" if is_pointer => return Some(Value::Null),
        "TRUE" | "true" => return Some(Value::Bool(true)),
        "FALSE" | "false" => return Some(Value::Bool(false)),
        _ => {}
    }
    if let Some(n) = integer(&compact) {
        return Some(Value::Int(n));
    }
    if RUNTIME_HRESULTS.contains(&compact.as_str()) {
        return Some(Value::Hresult(compact));
    }
    let declared = api.constants.iter().any(|c| c.name == compact)
        || api
            .enums
            .iter()
            .any(|e| e.variants.iter().any(|v| v.name == compact));
    declared.then_some(Value::Constant(compact))
}

/// A decimal or hexadecimal integer literal, maybe negative, maybe with C suffixes.
fn integer(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = digits.trim_end_matches(['u', 'U', 'l', 'L']);
    let value = match digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        Some(hex) => i64::from_str_radix(hex, 16).ok()?,
        None => digits.parse::<i64>().ok()?,
    };
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int() -> Type {
        Type {
            spelling: "ULONG".into(),
            canonical: "unsigned long".into(),
            kind: TypeKind::Builtin(crate::ir::Builtin::ULong),
        }
    }

    #[test]
    fn defaults_read_as_rust_values() {
        let api = Api::default();
        assert_eq!(value(&api, &int(), "9"), Some(Value::Int(9)));
        assert_eq!(value(&api, &int(), "- 1"), Some(Value::Int(-1)));
        assert_eq!(value(&api, &int(), "0x10UL"), Some(Value::Int(16)));
        assert_eq!(value(&api, &int(), "TRUE"), Some(Value::Bool(true)));
        assert_eq!(
            value(&api, &int(), "S_OK"),
            Some(Value::Hresult("S_OK".into()))
        );
        assert_eq!(value(&api, &int(), "NULL"), Some(Value::Null));
        assert_eq!(value(&api, &int(), "SOME_MACRO ( 3 )"), None);
    }
}
