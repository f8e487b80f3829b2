//! `#define` constants: evaluates the body of an object-like macro to an integer or a
//! (wide) string. Integer bodies may use literals with C suffixes, earlier constants,
//! parentheses and the usual unary and binary operators; anything else is not a constant
//! and is skipped (headers also define guards, SAL shims and function-like macros).
//!
//! The evaluator recurses once per parenthesis and unary operator, so it stops at
//! [`MAX_NESTING`] levels: a body nested deeper (a hostile `((((…1…))))` or `-(-(-…))`) is
//! not a constant either, instead of overflowing the parser's stack.

use crate::ir::ConstantValue;
use std::collections::BTreeMap;

/// How deeply parentheses and unary operators may nest in a `#define` body: clang's own
/// default bracket depth (`-fbracket-depth=256`), far beyond what any SDK header writes.
pub const MAX_NESTING: usize = 256;

/// Evaluates a macro body. `known` holds integer constants defined earlier (macros and
/// enumerators), by name.
pub fn evaluate(body: &[&str], known: &BTreeMap<String, i64>) -> Option<ConstantValue> {
    if body.is_empty() {
        return None;
    }
    if let Some(value) = string_literal(body) {
        return Some(value);
    }
    let mut parser = Expr {
        tokens: body,
        pos: 0,
        depth: 0,
        known,
    };
    let value = parser.binary(0)?;
    if parser.pos != body.len() {
        return None;
    }
    Some(ConstantValue::Integer(value))
}

/// One or more adjacent string literals of the same width.
fn string_literal(body: &[&str]) -> Option<ConstantValue> {
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
        ConstantValue::WideString(text)
    } else {
        ConstantValue::String(text)
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

/// Parses an integer literal: decimal, hex, octal, with u/l/ll/i64 suffixes.
pub fn integer_literal(token: &str) -> Option<i64> {
    let lower = token.to_ascii_lowercase();
    let digits = lower
        .trim_end_matches("i64")
        .trim_end_matches("i32")
        .trim_end_matches(['u', 'l']);
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
    u64::from_str_radix(digits, radix).ok().map(|v| v as i64)
}

struct Expr<'a> {
    tokens: &'a [&'a str],
    pos: usize,
    /// Parentheses and unary operators open around the current token.
    depth: usize,
    known: &'a BTreeMap<String, i64>,
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

    fn binary(&mut self, min: u8) -> Option<i64> {
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
    fn unary(&mut self) -> Option<i64> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        self.depth += 1;
        let value = self.operand();
        self.depth -= 1;
        value
    }

    fn operand(&mut self) -> Option<i64> {
        match self.next()? {
            "-" => self.unary().map(i64::wrapping_neg),
            "+" => self.unary(),
            "~" => self.unary().map(|v| !v),
            "!" => self.unary().map(|v| (v == 0) as i64),
            "(" => {
                let value = self.binary(0)?;
                (self.next()? == ")").then_some(value)
            }
            token => integer_literal(token).or_else(|| self.known.get(token).copied()),
        }
    }
}

fn apply(op: &str, a: i64, b: i64) -> Option<i64> {
    Some(match op {
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "<<" => a.checked_shl(u32::try_from(b).ok()?)?,
        ">>" => a.checked_shr(u32::try_from(b).ok()?)?,
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" => a.checked_div(b)?,
        "%" => a.checked_rem(b)?,
        _ => return None,
    })
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
        // Deeper, and hostile depths: not a constant, and no stack overflow (this runs on
        // a test thread's 2 MiB stack).
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
