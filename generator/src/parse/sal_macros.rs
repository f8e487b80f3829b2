//! SAL written through the header's own macros (`#define RET_SIZED(n) _Ret_writes_bytes_(n)`).
//! MSVC expands them and applies the annotation; the SAL macros themselves expand to nothing
//! here, so a method's tokens still name the header's macro. This expands such a macro in a
//! method's token stretch the way the preprocessor would for the simple forms headers use
//! (object-like, or function-like with its parameters substituted, nested up to a depth),
//! so that the annotation is read as written. A macro in a form this does not expand (`#`,
//! `##`, `__VA_ARGS__`, too deep, unbalanced arguments) is reported by name, and the stretch
//! keeps only its raw form: never a guess.

use super::clang::TranslationUnit;
use super::sal;

/// How deep macros that write SAL may nest before the stretch is refused.
const MAX_DEPTH: usize = 8;

/// `stretch` with every macro of the header that writes SAL replaced by its expansion;
/// `Err` with the description of a macro that could not be expanded.
pub fn expand(tu: &TranslationUnit<'_>, stretch: &[&str]) -> Result<Vec<String>, String> {
    let owned: Vec<String> = stretch.iter().map(|t| t.to_string()).collect();
    expand_tokens(tu, &owned, 0)
}

/// A macro as written: its parameters (for a function-like one) and its body.
struct Definition {
    params: Option<Vec<String>>,
    body: Vec<String>,
}

fn definition(tu: &TranslationUnit<'_>, name: &str) -> Option<Definition> {
    if !name.starts_with(|c: char| c.is_alphabetic() || c == '_') || sal::is_annotation(name) {
        return None;
    }
    let cursor = tu.macro_definition(name)?;
    let tokens: Vec<String> = cursor.tokens().into_iter().map(|t| t.text).collect();
    // The definition's tokens begin with its name.
    let rest = tokens.get(1..)?;
    if !cursor.is_macro_function_like() {
        return Some(Definition {
            params: None,
            body: rest.to_vec(),
        });
    }
    let close = rest.iter().position(|t| t == ")")?;
    let params = rest[1..close]
        .iter()
        .filter(|t| *t != ",")
        .cloned()
        .collect();
    Some(Definition {
        params: Some(params),
        body: rest[close + 1..].to_vec(),
    })
}

/// Whether the macro `name`'s expansion, at any depth, contains a SAL annotation.
fn writes_sal(tu: &TranslationUnit<'_>, name: &str, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    definition(tu, name).is_some_and(|d| {
        d.body
            .iter()
            .any(|t| sal::is_annotation(t) || (t != name && writes_sal(tu, t, depth + 1)))
    })
}

fn expand_tokens(
    tu: &TranslationUnit<'_>,
    tokens: &[String],
    depth: usize,
) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let token = &tokens[i];
        i += 1;
        if !writes_sal(tu, token, 0) {
            out.push(token.clone());
            continue;
        }
        let refused = |why: &str| format!("{token} (a macro that writes SAL, {why})");
        if depth >= MAX_DEPTH {
            return Err(refused("nested too deep to expand"));
        }
        let Some(macro_) = definition(tu, token) else {
            return Err(refused("without a definition"));
        };
        if macro_
            .body
            .iter()
            .any(|t| t == "#" || t == "##" || t == "__VA_ARGS__")
        {
            return Err(refused("with `#`, `##` or `__VA_ARGS__`"));
        }
        let body = match &macro_.params {
            None => macro_.body.clone(),
            Some(params) => {
                let Some((args, next)) = arguments(tokens, i) else {
                    return Err(refused("its arguments unbalanced"));
                };
                i = next;
                let no_arguments = params.is_empty() && args.len() == 1 && args[0].is_empty();
                if args.len() != params.len() && !no_arguments {
                    return Err(refused("called with the wrong number of arguments"));
                }
                substitute(&macro_.body, params, &args)
            }
        };
        out.extend(expand_tokens(tu, &body, depth + 1)?);
    }
    Ok(out)
}

/// The arguments of a call whose `(` is at `at`, split at top-level commas, and the index
/// after its `)`.
fn arguments(tokens: &[String], at: usize) -> Option<(Vec<Vec<String>>, usize)> {
    if tokens.get(at).map(String::as_str) != Some("(") {
        return None;
    }
    let mut args = vec![Vec::new()];
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(at + 1) {
        match token.as_str() {
            ")" if depth == 0 => return Some((args, i + 1)),
            ")" => depth -= 1,
            "(" => depth += 1,
            "," if depth == 0 => {
                args.push(Vec::new());
                continue;
            }
            _ => {}
        }
        args.last_mut()?.push(token.clone());
    }
    None
}

/// `body` with each parameter replaced by its argument's tokens.
fn substitute(body: &[String], params: &[String], args: &[Vec<String>]) -> Vec<String> {
    body.iter()
        .flat_map(|t| match params.iter().position(|p| p == t) {
            Some(n) => args[n].clone(),
            None => vec![t.clone()],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn arguments_split_at_top_level_commas_only() {
        let tokens = strings("M ( * pcb , f ( a , b ) ) PCSTR");
        let (args, next) = arguments(&tokens, 1).unwrap();
        assert_eq!(args, [strings("* pcb"), strings("f ( a , b )")]);
        assert_eq!(tokens[next], "PCSTR");
        assert!(arguments(&strings("M ( a"), 1).is_none(), "unbalanced");
        assert!(arguments(&strings("M a"), 1).is_none(), "not a call");
    }

    #[test]
    fn parameters_are_replaced_by_their_arguments() {
        let body = strings("_Ret_writes_bytes_to_ ( n , m )");
        let params = strings("n m");
        let args = [strings("* pcbCap"), strings("* pcbFilled")];
        assert_eq!(
            substitute(&body, &params, &args),
            strings("_Ret_writes_bytes_to_ ( * pcbCap , * pcbFilled )")
        );
    }
}
