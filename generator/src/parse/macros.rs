//! `#define` constants: evaluates the body of an object-like macro to an integer or a
//! (wide) string. Integer bodies may use literals with C suffixes, earlier constants,
//! parentheses and the usual unary and binary operators; anything else is not a constant
//! and is skipped (headers also define guards, SAL shims and function-like macros).
//!
//! Integers are typed as C++ types them on Windows (`long` is 32 bits): a literal takes the
//! first of `int`, `unsigned int`, `long long`, `unsigned long long` its value and suffix
//! allow, operands meet by the usual arithmetic conversions, and unsigned arithmetic wraps
//! at its width. So `0xFFFFFFFFFFFFFFFF` is the `unsigned long long` 18446744073709551615
//! (not -1), and `~0u` the `unsigned int` 4294967295.
//!
//! The evaluator recurses once per parenthesis and unary operator, so it stops at
//! [`MAX_NESTING`] levels: a body nested deeper (a hostile `((((…1…))))` or `-(-(-…))`) is
//! [`TooDeep`], which the parser refuses with the define's location, instead of overflowing
//! its stack or leaving out what may be a constant.

use crate::ir::{ConstantValue, IntegerType};
use std::collections::BTreeMap;

/// How deeply parentheses and unary operators may nest in a `#define` body: clang's own
/// default bracket depth (`-fbracket-depth=256`), far beyond what any SDK header writes.
pub const MAX_NESTING: usize = 256;

/// An integer with its C++ type; `value` is always within the type's range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Integer {
    pub value: i128,
    pub ty: IntegerType,
}

impl Integer {
    pub fn new(value: i128, ty: IntegerType) -> Integer {
        Integer {
            value: ty.wrap(value),
            ty,
        }
    }

    /// An `i64` of unknown type: `int` when it fits, else `long long`.
    pub fn from_i64(value: i64) -> Integer {
        let ty = if i32::try_from(value).is_ok() {
            IntegerType::Int
        } else {
            IntegerType::LongLong
        };
        Integer::new(value.into(), ty)
    }

    /// The value as the IR stores it: an `i64`, holding an `unsigned long long` above
    /// `i64::MAX` as its bit pattern.
    pub fn as_i64(self) -> i64 {
        self.value as i64
    }
}

/// What a macro body evaluates to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Evaluated {
    Integer(Integer),
    String(String),
    WideString(String),
}

impl Evaluated {
    pub fn into_constant(self) -> ConstantValue {
        match self {
            Evaluated::Integer(i) => ConstantValue::Integer(i.as_i64()),
            Evaluated::String(s) => ConstantValue::String(s),
            Evaluated::WideString(s) => ConstantValue::WideString(s),
        }
    }
}

/// Evaluates a macro body. `known` holds integer constants defined earlier (macros and
/// enumerators), by name, typed `int` when they fit and `long long` otherwise; see
/// [`evaluate_typed`] for typed ones.
pub fn evaluate(body: &[&str], known: &BTreeMap<String, i64>) -> Option<ConstantValue> {
    let typed: BTreeMap<String, Integer> = known
        .iter()
        .map(|(name, value)| (name.clone(), Integer::from_i64(*value)))
        .collect();
    evaluate_typed(body, &typed)
        .ok()
        .flatten()
        .map(Evaluated::into_constant)
}

/// A `#define` body nested deeper than [`MAX_NESTING`]: it may be a constant, but one this
/// evaluator does not read, so the parser refuses it rather than leave it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep;

/// Evaluates a macro body against typed earlier constants: `Ok(None)` when it is no
/// constant (a string of mixed widths, a call, an unknown name…).
pub fn evaluate_typed(
    body: &[&str],
    known: &BTreeMap<String, Integer>,
) -> Result<Option<Evaluated>, TooDeep> {
    if body.is_empty() {
        return Ok(None);
    }
    if let Some(value) = string_literal(body) {
        return Ok(Some(value));
    }
    let mut parser = Expr {
        tokens: body,
        pos: 0,
        depth: 0,
        too_deep: false,
        known,
    };
    let value = parser.binary(0);
    if parser.too_deep {
        return Err(TooDeep);
    }
    Ok(value
        .filter(|_| parser.pos == body.len())
        .map(Evaluated::Integer))
}

/// One or more adjacent string literals of the same width.
fn string_literal(body: &[&str]) -> Option<Evaluated> {
    let mut wide = None;
    let mut text = String::new();
    for token in body {
        let (is_wide, quoted) = match token.strip_prefix('L') {
            Some(rest) => (true, rest),
            None => (false, *token),
        };
        let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
        if *wide.get_or_insert(is_wide) != is_wide {
            return None;
        }
        text.push_str(&unescape(inner)?);
    }
    Some(if wide? {
        Evaluated::WideString(text)
    } else {
        Evaluated::String(text)
    })
}

/// Simple C escapes; anything fancier is not a constant we emit.
fn unescape(inner: &str) -> Option<String> {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            '0' => '\0',
            '\\' => '\\',
            '"' => '"',
            '\'' => '\'',
            _ => return None,
        });
    }
    Some(out)
}

/// Parses an integer literal: decimal, hex, octal, with u/l/ll/i64 suffixes; its value as
/// an `i64` (see [`Integer::as_i64`]).
pub fn integer_literal(token: &str) -> Option<i64> {
    typed_literal(token).map(Integer::as_i64)
}

/// The literal's suffix: which types it allows.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Suffix {
    unsigned: bool,
    long_long: bool,
}

/// Parses an integer literal with its C++ type: the first of `int`, `unsigned int` (not
/// for unsuffixed decimals), `long long`, `unsigned long long` that holds it and that its
/// suffix allows (`u`: unsigned only; `ll`, `i64`: 64-bit only). A decimal too large for
/// `long long` is `unsigned long long`, as MSVC makes it.
pub fn typed_literal(token: &str) -> Option<Integer> {
    let lower = token.to_ascii_lowercase();
    let mut digits = lower.as_str();
    let mut suffix = Suffix {
        unsigned: false,
        long_long: false,
    };
    loop {
        if let Some(rest) = digits.strip_suffix("i64") {
            suffix.long_long = true;
            digits = rest;
        } else if let Some(rest) = digits.strip_suffix("i32") {
            digits = rest;
        } else if let Some(rest) = digits.strip_suffix("ll") {
            suffix.long_long = true;
            digits = rest;
        } else if let Some(rest) = digits.strip_suffix('l') {
            digits = rest;
        } else if let Some(rest) = digits.strip_suffix('u') {
            suffix.unsigned = true;
            digits = rest;
        } else {
            break;
        }
    }
    let (radix, digits) = if let Some(hex) = digits.strip_prefix("0x") {
        (16, hex)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() {
        return None;
    }
    let value = u64::from_str_radix(digits, radix).ok()? as i128;
    let candidates: &[IntegerType] = match (suffix.unsigned, suffix.long_long, radix == 10) {
        (false, false, true) => &[IntegerType::Int, IntegerType::LongLong],
        (false, false, false) => &[
            IntegerType::Int,
            IntegerType::UInt,
            IntegerType::LongLong,
            IntegerType::ULongLong,
        ],
        (true, false, _) => &[IntegerType::UInt, IntegerType::ULongLong],
        (false, true, true) => &[IntegerType::LongLong],
        (false, true, false) => &[IntegerType::LongLong, IntegerType::ULongLong],
        (true, true, _) => &[IntegerType::ULongLong],
    };
    let ty = candidates
        .iter()
        .copied()
        .find(|ty| ty.wrap(value) == value)
        .unwrap_or(IntegerType::ULongLong);
    Some(Integer::new(value, ty))
}

/// The type two operands meet in (the usual arithmetic conversions, with `long` as wide as
/// `int`).
fn common_type(a: IntegerType, b: IntegerType) -> IntegerType {
    use IntegerType::*;
    match (a.min(b), a.max(b)) {
        (x, y) if x == y => x,
        // A wider signed type holds every value of a narrower unsigned one.
        (UInt, LongLong) => LongLong,
        (_, wider) if wider.bits() > a.min(b).bits() => wider,
        // Same width, one unsigned: the unsigned one.
        (Int, UInt) => UInt,
        _ => ULongLong,
    }
}

struct Expr<'a> {
    tokens: &'a [&'a str],
    pos: usize,
    /// Parentheses and unary operators open around the current token.
    depth: usize,
    /// Set when the depth reached [`MAX_NESTING`].
    too_deep: bool,
    known: &'a BTreeMap<String, Integer>,
}

/// Binary operators with their precedence (higher binds tighter).
fn precedence(op: &str) -> Option<u8> {
    Some(match op {
        "|" => 1,
        "^" => 2,
        "&" => 3,
        "<<" | ">>" => 4,
        "+" | "-" => 5,
        "*" | "/" | "%" => 6,
        _ => return None,
    })
}

impl<'a> Expr<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<&'a str> {
        let token = self.peek()?;
        self.pos += 1;
        Some(token)
    }

    fn binary(&mut self, min: u8) -> Option<Integer> {
        let mut left = self.unary()?;
        while let Some(op) = self.peek() {
            let Some(prec) = precedence(op) else { break };
            if prec < min {
                break;
            }
            let op = op.to_string();
            self.pos += 1;
            let right = self.binary(prec + 1)?;
            left = apply(&op, left, right)?;
        }
        Some(left)
    }

    /// One operand; the only place that recurses into a nested expression, so the depth is
    /// counted here.
    fn unary(&mut self) -> Option<Integer> {
        if self.depth >= MAX_NESTING {
            self.too_deep = true;
            return None;
        }
        self.depth += 1;
        let value = self.operand();
        self.depth -= 1;
        value
    }

    fn operand(&mut self) -> Option<Integer> {
        match self.next()? {
            "-" => self.unary().map(|v| Integer::new(-v.value, v.ty)),
            "+" => self.unary(),
            "~" => self.unary().map(|v| Integer::new(!v.value, v.ty)),
            "!" => self
                .unary()
                .map(|v| Integer::new((v.value == 0) as i128, IntegerType::Int)),
            "(" => {
                let value = self.binary(0)?;
                (self.next()? == ")").then_some(value)
            }
            token => typed_literal(token).or_else(|| self.known.get(token).copied()),
        }
    }
}

fn apply(op: &str, a: Integer, b: Integer) -> Option<Integer> {
    if matches!(op, "<<" | ">>") {
        // The result has the left operand's type; shifting by the width or more (or by a
        // negative count) is undefined, so not a constant.
        let count = u32::try_from(b.value).ok().filter(|&c| c < a.ty.bits())?;
        let value = if op == "<<" {
            a.value << count
        } else {
            a.value >> count
        };
        return Some(Integer::new(value, a.ty));
    }
    let ty = common_type(a.ty, b.ty);
    let (a, b) = (ty.wrap(a.value), ty.wrap(b.value));
    let value = match op {
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "+" => a + b,
        "-" => a - b,
        "*" => a.wrapping_mul(b),
        "/" => a.checked_div(b)?,
        "%" => a.checked_rem(b)?,
        _ => return None,
    };
    Some(Integer::new(value, ty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(body: &str) -> Option<ConstantValue> {
        let mut known = BTreeMap::new();
        known.insert("RQ_BEGIN_REQUEST".to_string(), 1);
        let tokens: Vec<&str> = body.split_whitespace().collect();
        evaluate(&tokens, &known)
    }

    #[test]
    fn integers() {
        assert_eq!(eval("0x00000001"), Some(ConstantValue::Integer(1)));
        assert_eq!(
            eval("0x80000000UL"),
            Some(ConstantValue::Integer(0x8000_0000))
        );
        assert_eq!(eval("( 1 << 4 ) | 2"), Some(ConstantValue::Integer(18)));
        assert_eq!(eval("1 + 2 * 3"), Some(ConstantValue::Integer(7)));
        assert_eq!(eval("10 - 2 - 3"), Some(ConstantValue::Integer(5)));
        assert_eq!(
            eval("RQ_BEGIN_REQUEST | 4"),
            Some(ConstantValue::Integer(5))
        );
        assert_eq!(eval("- 1"), Some(ConstantValue::Integer(-1)));
        assert_eq!(eval("010"), Some(ConstantValue::Integer(8)));
        assert_eq!(eval("UNKNOWN"), None);
        assert_eq!(eval("1 / 0"), None);
        assert_eq!(eval("( 1"), None);
        assert_eq!(eval("1 2"), None);
    }

    fn typed(body: &str) -> Option<(i128, IntegerType)> {
        let tokens: Vec<&str> = body.split_whitespace().collect();
        match evaluate_typed(&tokens, &BTreeMap::new()).ok()?? {
            Evaluated::Integer(i) => Some((i.value, i.ty)),
            _ => None,
        }
    }

    #[test]
    fn integers_are_typed_as_cpp_types_them() {
        use IntegerType::*;
        assert_eq!(
            typed("0xFFFFFFFFFFFFFFFF"),
            Some((u64::MAX.into(), ULongLong))
        );
        assert_eq!(typed("0xFFFFFFFF"), Some((u32::MAX.into(), UInt)));
        assert_eq!(typed("4294967295"), Some((u32::MAX.into(), LongLong)));
        assert_eq!(typed("~ 0u"), Some((u32::MAX.into(), UInt)));
        assert_eq!(typed("~ 0"), Some((-1, Int)));
        assert_eq!(typed("0xFFFFFFFFu + 1"), Some((0, UInt)));
        assert_eq!(typed("- 1LL"), Some((-1, LongLong)));
        assert_eq!(typed("- 1 + 0u"), Some((u32::MAX.into(), UInt)));
        assert_eq!(typed("- 1 + 0ull"), Some((u64::MAX.into(), ULongLong)));
        assert_eq!(typed("0u + - 1LL"), Some((-1, LongLong)));
        assert_eq!(typed("1ui64 << 63"), Some((1 << 63, ULongLong)));
        assert_eq!(typed("( 1ULL << 40 )"), Some((1 << 40, ULongLong)));
        assert_eq!(typed("1 << 32"), None, "shifting by the width is undefined");
        assert_eq!(
            typed("18446744073709551615"),
            Some((u64::MAX.into(), ULongLong))
        );
        // The IR's i64 holds the bit pattern.
        assert_eq!(integer_literal("0xFFFFFFFFFFFFFFFF"), Some(-1));
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize, open: &str, close: &str| {
            format!("{} 1 {}", open.repeat(depth), close.repeat(depth))
        };
        // At the bound, still a constant.
        assert_eq!(
            eval(&nested(MAX_NESTING - 1, "( ", ") ")),
            Some(ConstantValue::Integer(1))
        );
        assert_eq!(
            eval(&nested(MAX_NESTING - 1, "~ ", "")),
            Some(ConstantValue::Integer(if MAX_NESTING % 2 == 0 {
                -2
            } else {
                1
            }))
        );
        // Deeper, and hostile depths: refused, and no stack overflow (this runs on a test
        // thread's 2 MiB stack).
        let too_deep = |body: &str| {
            let tokens: Vec<&str> = body.split_whitespace().collect();
            evaluate_typed(&tokens, &BTreeMap::new()) == Err(TooDeep)
        };
        assert!(too_deep(&nested(MAX_NESTING, "( ", ") ")));
        assert!(too_deep(&nested(100_000, "- ( ", ") ")));
        assert!(!too_deep(&nested(MAX_NESTING - 1, "( ", ") ")));
        assert_eq!(eval(&nested(MAX_NESTING, "( ", ") ")), None);
        assert_eq!(eval(&nested(100_000, "( ", ") ")), None);
        assert_eq!(eval(&nested(100_000, "- ( ", ") ")), None);
        assert_eq!(eval(&nested(100_000, "! ", "")), None);
        // Long flat expressions are not nesting.
        let flat = vec!["1"; 50_001].join(" + ");
        assert_eq!(eval(&flat), Some(ConstantValue::Integer(50_001)));
    }

    #[test]
    fn strings() {
        assert_eq!(
            eval("L\"FIRST\""),
            Some(ConstantValue::WideString("FIRST".into()))
        );
        assert_eq!(
            eval("\"a\" \"b\""),
            Some(ConstantValue::String("ab".into()))
        );
        assert_eq!(eval("L\"a\" \"b\""), None);
        assert_eq!(eval(""), None);
    }
}
