//! SAL annotations: what a parameter or return value is for. The macros expand to nothing
//! (mingw-w64's `sal.h`, our compat shim), so they are read from the method's tokens, by
//! name, whatever they are defined to: before the method name for the return value (after
//! `virtual`, or before it, where MSVC applies it too), and in each parameter's stretch of
//! the parameter list, through the header's own macros (`sal_macros.rs`). SAL 2 (`_In_reads_bytes_`) and SAL 1 (`__in_bcount`) spellings, and
//! `IN`/`OUT`/`OPTIONAL`, mean the same roles (the `WORDS` table in `sal_words.rs`). A
//! SAL-shaped name we do not know is kept as unknown, never dropped.

use super::sal_words::Shape::{Capacity, Filled, Full};
use super::sal_words::{meaning, sal2_shaped, Meaning, Shape};
use crate::ir::{Buffer, Direction, Sal, SizeExpr};

/// One annotation as written: its macro name and its arguments (each argument's tokens,
/// joined).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub name: String,
    pub args: Vec<String>,
}

impl Annotation {
    fn written(&self) -> String {
        if self.args.is_empty() {
            self.name.clone()
        } else {
            format!("{}({})", self.name, self.args.join(", "))
        }
    }
}

/// Whether `token` starts an annotation (a known word, or SAL 2-shaped).
pub fn is_annotation(token: &str) -> bool {
    meaning(token).is_some() || sal2_shaped(token)
}

/// The annotations in a stretch of tokens (a parameter's, or the return type's), with their
/// parenthesized arguments; everything else is left out.
pub fn annotations(tokens: &[&str]) -> Vec<Annotation> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if !is_annotation(tokens[i]) {
            i += 1;
            continue;
        }
        let name = tokens[i].to_string();
        i += 1;
        let mut args = Vec::new();
        if tokens.get(i) == Some(&"(") {
            let (parsed, next) = arguments(tokens, i);
            args = parsed;
            i = next;
        }
        found.push(Annotation { name, args });
    }
    found
}

/// The comma-separated arguments of the parenthesized group opening at `open`, and the
/// index after its closing parenthesis.
fn arguments(tokens: &[&str], open: usize) -> (Vec<String>, usize) {
    let mut args = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    let mut depth = 0;
    let mut i = open;
    while i < tokens.len() {
        let token = tokens[i];
        i += 1;
        match token {
            "(" => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            ")" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => {
                args.push(join(&current));
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(token);
    }
    if !current.is_empty() {
        args.push(join(&current));
    }
    (args, i)
}

/// Tokens as one expression: a space only between two words (`*pcch`, `a+b`, `const BYTE`).
fn join(tokens: &[&str]) -> String {
    let word = |t: &str| t.starts_with(|c: char| c.is_alphanumeric() || c == '_');
    let mut out = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if i > 0 && word(tokens[i - 1]) && word(token) {
            out.push(' ');
        }
        out.push_str(token);
    }
    out
}

/// The tokens of a method declaration (`virtual … name ( params ) const = 0`) split into the
/// return value's stretch and each parameter's; `None` when the shape is not recognized
/// (then nothing is annotated, and the method keeps only its raw form).
pub fn method_stretches<'t>(
    tokens: &[&'t str],
    name: &str,
) -> Option<(Vec<&'t str>, Vec<Vec<&'t str>>)> {
    let start = tokens.iter().position(|t| *t == "virtual")? + 1;
    let name_at = (start..tokens.len().saturating_sub(1))
        .find(|&i| tokens[i] == name && tokens[i + 1] == "(")?;
    let ret = tokens[start..name_at].to_vec();
    let mut params = Vec::new();
    let mut current = Vec::new();
    let mut depth = 0;
    for &token in &tokens[name_at + 1..] {
        match token {
            "(" => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
            }
            ")" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," if depth == 1 => {
                params.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(token);
    }
    if !current.is_empty() || !params.is_empty() {
        params.push(current);
    }
    Some((ret, params))
}

/// A size argument, linked to the parameters where it names one.
fn size(arg: &str, params: &[&str]) -> SizeExpr {
    if let Some(name) = arg.strip_prefix('*') {
        if params.contains(&name) {
            return SizeExpr::Deref(name.to_string());
        }
    }
    if params.contains(&arg) {
        return SizeExpr::Param(arg.to_string());
    }
    match arg.parse() {
        Ok(n) => SizeExpr::Literal(n),
        Err(_) => SizeExpr::Other(arg.to_string()),
    }
}

fn buffer(shape: Shape, args: &[String], params: &[&str]) -> Option<Buffer> {
    let capacity = || args.first().map(|a| size(a, params));
    match shape {
        Shape::None => None,
        Capacity(unit) => Some(Buffer {
            unit,
            capacity: capacity()?,
            filled: None,
        }),
        Full(unit) => {
            let capacity = capacity()?;
            Some(Buffer {
                unit,
                filled: Some(capacity.clone()),
                capacity,
            })
        }
        Filled(unit) => Some(Buffer {
            unit,
            capacity: capacity()?,
            filled: args.get(1).map(|a| size(a, params)),
        }),
    }
}

/// What `annotations` say, with size arguments linked to `params` (the method's parameter
/// names). Two annotations that disagree (`_Out_writes_bytes_(cb) _In_`: written and
/// read-only; two sizes for one buffer) are a contradiction, kept in `unknown` as
/// `A contradicts B` with the first meaning: the idiomatic layer refuses the safe form,
/// never picks one. The old `IN OUT` pair is the one legitimate combination (in-out).
pub fn interpret(annotations: &[Annotation], params: &[&str]) -> Sal {
    let mut sal = Sal::default();
    // The annotations that set the direction and the buffer, for contradictions.
    let (mut directed, mut sized): (Option<&Annotation>, Option<&Annotation>) = (None, None);
    for annotation in annotations {
        sal.written.push(annotation.written());
        let Some(meaning) = meaning(&annotation.name) else {
            sal.unknown.push(annotation.written());
            continue;
        };
        let (direction, shape) = match meaning {
            Meaning::Param {
                direction,
                optional,
                pointer_out,
                buffer,
            } => {
                sal.optional |= optional;
                sal.pointer_out |= pointer_out;
                (Some(direction), buffer)
            }
            Meaning::Return { optional, buffer } => {
                sal.optional |= optional;
                (None, buffer)
            }
            Meaning::Writable(unit) => {
                sal.writable = true;
                (None, Capacity(unit))
            }
            Meaning::Optional => {
                sal.optional = true;
                (None, Shape::None)
            }
            Meaning::Conditional => {
                sal.conditional = true;
                (None, Shape::None)
            }
            Meaning::Neutral => (None, Shape::None),
        };
        if let Some(direction) = direction {
            set_direction(&mut sal, &mut directed, annotation, direction);
        }
        if let Some(found) = buffer(shape, &annotation.args, params) {
            match sized {
                Some(first) if sal.buffer.as_ref() != Some(&found) => {
                    sal.unknown.push(contradiction(annotation, first));
                }
                _ => {
                    sal.buffer = Some(found);
                    sized = Some(annotation);
                }
            }
        }
    }
    sal
}

/// Records `direction` from `annotation`, or the contradiction with the one that set it.
fn set_direction<'a>(
    sal: &mut Sal,
    directed: &mut Option<&'a Annotation>,
    annotation: &'a Annotation,
    direction: Direction,
) {
    let Some((first, previous)) = directed.zip(sal.direction) else {
        sal.direction = Some(direction);
        *directed = Some(annotation);
        return;
    };
    let old_words = matches!(first.name.as_str(), "IN" | "OUT")
        && matches!(annotation.name.as_str(), "IN" | "OUT");
    if previous == direction {
        return;
    }
    if old_words {
        sal.direction = Some(Direction::InOut);
        return;
    }
    sal.unknown.push(contradiction(annotation, first));
}

fn contradiction(annotation: &Annotation, first: &Annotation) -> String {
    format!("{} contradicts {}", annotation.written(), first.written())
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{Direction, Unit};

    fn toks(text: &str) -> Vec<&str> {
        text.split_whitespace().collect()
    }

    #[test]
    fn a_method_splits_into_return_and_parameters() {
        let tokens = toks(
            "virtual _Ret_writes_bytes_ ( * pcchHeaderValue ) PCSTR GetHeader ( _In_ PCSTR \
             pszHeaderName , _Out_ USHORT * pcchHeaderValue = NULL ) const = 0",
        );
        let (ret, params) = method_stretches(&tokens, "GetHeader").unwrap();
        let names = ["pszHeaderName", "pcchHeaderValue"];
        let ret = interpret(&annotations(&ret), &names);
        assert_eq!(ret.written, ["_Ret_writes_bytes_(*pcchHeaderValue)"]);
        assert_eq!(
            ret.buffer,
            Some(Buffer {
                unit: Unit::Bytes,
                capacity: SizeExpr::Deref("pcchHeaderValue".into()),
                filled: None
            })
        );
        assert_eq!(params.len(), 2);
        let name = interpret(&annotations(&params[0]), &names);
        assert_eq!(name.direction, Some(Direction::In));
        let count = interpret(&annotations(&params[1]), &names);
        assert_eq!(count.direction, Some(Direction::Out));
        assert!(
            !count.optional,
            "optional through its default, set by the parser"
        );
    }

    #[test]
    fn sal1_and_sal2_mean_the_same() {
        let names = ["cbBuffer", "pBuffer"];
        let two = interpret(
            &annotations(&toks("_Out_writes_bytes_ ( cbBuffer ) PVOID pBuffer")),
            &names,
        );
        let one = interpret(
            &annotations(&toks("__out_bcount ( cbBuffer ) PVOID pBuffer")),
            &names,
        );
        assert_eq!(
            (two.direction, two.buffer.clone()),
            (one.direction, one.buffer.clone())
        );
        assert_eq!(
            two.buffer.unwrap().capacity,
            SizeExpr::Param("cbBuffer".into())
        );
        let part = interpret(
            &annotations(&toks(
                "__deref_out_bcount_part ( * pcb , * pcbData ) PVOID * ppBuffer",
            )),
            &["pcb", "pcbData", "ppBuffer"],
        );
        assert!(part.pointer_out);
        assert_eq!(
            part.buffer.unwrap().filled,
            Some(SizeExpr::Deref("pcbData".into()))
        );
        let old = interpret(&annotations(&toks("IN OPTIONAL PCSTR name")), &[]);
        assert_eq!((old.direction, old.optional), (Some(Direction::In), true));
    }

    #[test]
    fn unknown_and_conditional_annotations_are_kept() {
        let sal = interpret(
            &annotations(&toks(
                "_Inout_ _At_ ( * pp , _Pre_readable_size_ ( * pcb ) ) _Frobnicated_ BYTE * * pp",
            )),
            &["pp", "pcb"],
        );
        assert!(sal.conditional);
        assert_eq!(sal.unknown, ["_Frobnicated_"]);
        assert_eq!(sal.written.len(), 3);
        assert_eq!(sal.written[1], "_At_(*pp, _Pre_readable_size_(*pcb))");
        // Calling conventions and other double-underscore words are not annotations.
        assert!(annotations(&toks("VOID ( __stdcall * done ) ( DWORD )")).is_empty());
    }

    #[test]
    fn function_pointer_parameters_keep_their_commas() {
        let tokens = toks("virtual HRESULT Run ( _In_ VOID ( WINAPI * done ) ( DWORD , PVOID ) , _In_ DWORD n ) = 0");
        let (_, params) = method_stretches(&tokens, "Run").unwrap();
        assert_eq!(params.len(), 2);
    }

    #[test]
    fn contradictions_are_kept_not_resolved() {
        let names = ["pb", "cb", "cb2"];
        let sal = interpret(
            &annotations(&toks("_Out_writes_bytes_ ( cb ) _In_ BYTE * pb")),
            &names,
        );
        assert_eq!(
            sal.direction,
            Some(Direction::Out),
            "the first meaning kept"
        );
        assert_eq!(sal.unknown, ["_In_ contradicts _Out_writes_bytes_(cb)"]);
        let sal = interpret(
            &annotations(&toks("_In_reads_ ( cb ) _In_reads_ ( cb2 ) BYTE * pb")),
            &names,
        );
        assert_eq!(sal.unknown, ["_In_reads_(cb2) contradicts _In_reads_(cb)"]);
        // `IN OUT` is in-out, and a repeated direction agrees with itself.
        let sal = interpret(&annotations(&toks("IN OUT DWORD * pcb")), &names);
        assert_eq!(
            (sal.direction, sal.unknown.len()),
            (Some(Direction::InOut), 0)
        );
        let sal = interpret(
            &annotations(&toks("_In_ _In_reads_ ( cb ) BYTE * pb")),
            &names,
        );
        assert!(sal.unknown.is_empty());
    }
}
