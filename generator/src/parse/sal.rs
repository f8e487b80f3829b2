//! SAL annotations: what a parameter or return value is for. The macros expand to nothing
//! (mingw-w64's `sal.h`, our compat shim), so they are read from the method's tokens, by
//! name, whatever they are defined to: between `virtual` and the method name for the return
//! value, and in each parameter's stretch of the parameter list. SAL 2 (`_In_reads_bytes_`)
//! and SAL 1 (`__in_bcount`) spellings, and `IN`/`OUT`/`OPTIONAL`, mean the same roles
//! (the `WORDS` table). A SAL-shaped name we do not know is kept as unknown, never dropped.

use crate::ir::{Buffer, Direction, Sal, SizeExpr, Unit};

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

/// What a known annotation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    /// A parameter's direction, optionality, `_Outptr_`-ness and buffer.
    Param {
        direction: Direction,
        optional: bool,
        pointer_out: bool,
        buffer: Shape,
    },
    /// A return value: optional (`_Ret_opt_`) and the buffer it points at.
    Return { optional: bool, buffer: Shape },
    /// Writable memory of a stated size (`_Post_writable_byte_size_`).
    Writable(Unit),
    /// Only optionality (`OPTIONAL`, `_Ret_maybenull_`).
    Optional,
    /// An annotation on another expression (`_At_`).
    Conditional,
    /// Known, and of no consequence for the Rust signature (`_In_range_`, `_Success_`,
    /// `_Check_return_`, NUL-termination, reservations).
    Neutral,
}

/// The buffer part of an annotation: how its arguments size it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    None,
    /// `(capacity)`.
    Capacity(Unit),
    /// `(capacity)`, all of it written (`_all_`, `_full`).
    Full(Unit),
    /// `(capacity, filled)` (`_to_`, `_part`).
    Filled(Unit),
}

use Direction::{In, InOut, Out};
use Shape::{Capacity, Filled, Full};
use Unit::{Bytes, Elements};

const fn param(direction: Direction, optional: bool, pointer_out: bool, buffer: Shape) -> Meaning {
    Meaning::Param {
        direction,
        optional,
        pointer_out,
        buffer,
    }
}

/// The annotations we know, SAL 2 then SAL 1 and the old `IN`/`OUT` macros.
const WORDS: &[(&str, Meaning)] = &[
    ("_In_", param(In, false, false, Shape::None)),
    ("_In_opt_", param(In, true, false, Shape::None)),
    ("_In_z_", param(In, false, false, Shape::None)),
    ("_In_opt_z_", param(In, true, false, Shape::None)),
    ("_Out_", param(Out, false, false, Shape::None)),
    ("_Out_opt_", param(Out, true, false, Shape::None)),
    ("_Inout_", param(InOut, false, false, Shape::None)),
    ("_Inout_opt_", param(InOut, true, false, Shape::None)),
    ("_Outptr_", param(Out, false, true, Shape::None)),
    ("_Outptr_opt_", param(Out, true, true, Shape::None)),
    (
        "_Outptr_result_maybenull_",
        param(Out, false, true, Shape::None),
    ),
    ("_In_reads_", param(In, false, false, Capacity(Elements))),
    ("_In_reads_opt_", param(In, true, false, Capacity(Elements))),
    ("_In_opt_count_", param(In, true, false, Capacity(Elements))),
    ("_In_reads_bytes_", param(In, false, false, Capacity(Bytes))),
    (
        "_In_reads_bytes_opt_",
        param(In, true, false, Capacity(Bytes)),
    ),
    ("_Out_writes_", param(Out, false, false, Capacity(Elements))),
    (
        "_Out_writes_opt_",
        param(Out, true, false, Capacity(Elements)),
    ),
    (
        "_Out_writes_bytes_",
        param(Out, false, false, Capacity(Bytes)),
    ),
    (
        "_Out_writes_bytes_opt_",
        param(Out, true, false, Capacity(Bytes)),
    ),
    ("_Out_writes_all_", param(Out, false, false, Full(Elements))),
    (
        "_Out_writes_bytes_all_",
        param(Out, false, false, Full(Bytes)),
    ),
    (
        "_Out_writes_to_",
        param(Out, false, false, Filled(Elements)),
    ),
    (
        "_Out_writes_to_opt_",
        param(Out, true, false, Filled(Elements)),
    ),
    (
        "_Out_writes_bytes_to_",
        param(Out, false, false, Filled(Bytes)),
    ),
    (
        "_Out_writes_bytes_to_opt_",
        param(Out, true, false, Filled(Bytes)),
    ),
    (
        "_Inout_updates_",
        param(InOut, false, false, Capacity(Elements)),
    ),
    (
        "_Inout_updates_bytes_",
        param(InOut, false, false, Capacity(Bytes)),
    ),
    (
        "_Outptr_result_buffer_",
        param(Out, false, true, Capacity(Elements)),
    ),
    (
        "_Outptr_result_bytebuffer_",
        param(Out, false, true, Capacity(Bytes)),
    ),
    (
        "_Outptr_opt_result_buffer_",
        param(Out, true, true, Capacity(Elements)),
    ),
    (
        "_Outptr_opt_result_bytebuffer_",
        param(Out, true, true, Capacity(Bytes)),
    ),
    (
        "_Outptr_result_buffer_to_",
        param(Out, false, true, Filled(Elements)),
    ),
    (
        "_Outptr_result_bytebuffer_to_",
        param(Out, false, true, Filled(Bytes)),
    ),
    (
        "_Ret_writes_",
        Meaning::Return {
            optional: false,
            buffer: Capacity(Elements),
        },
    ),
    (
        "_Ret_writes_bytes_",
        Meaning::Return {
            optional: false,
            buffer: Capacity(Bytes),
        },
    ),
    (
        "_Ret_writes_to_",
        Meaning::Return {
            optional: false,
            buffer: Filled(Elements),
        },
    ),
    (
        "_Ret_writes_bytes_to_",
        Meaning::Return {
            optional: false,
            buffer: Filled(Bytes),
        },
    ),
    (
        "_Ret_opt_",
        Meaning::Return {
            optional: true,
            buffer: Shape::None,
        },
    ),
    ("_Ret_maybenull_", Meaning::Optional),
    ("_Ret_notnull_", Meaning::Neutral),
    ("_Ret_z_", Meaning::Neutral),
    ("_Post_writable_size_", Meaning::Writable(Elements)),
    ("_Post_writable_byte_size_", Meaning::Writable(Bytes)),
    ("_Pre_readable_size_", Meaning::Neutral),
    ("_Post_readable_size_", Meaning::Neutral),
    ("_In_range_", Meaning::Neutral),
    ("_At_", Meaning::Conditional),
    ("_Success_", Meaning::Neutral),
    ("_Check_return_", Meaning::Neutral),
    ("_Must_inspect_result_", Meaning::Neutral),
    ("_Null_terminated_", Meaning::Neutral),
    ("_NullNull_terminated_", Meaning::Neutral),
    ("_Reserved_", Meaning::Neutral),
    // SAL 1.
    ("__in", param(In, false, false, Shape::None)),
    ("__in_opt", param(In, true, false, Shape::None)),
    ("__in_z", param(In, false, false, Shape::None)),
    ("__in_ecount", param(In, false, false, Capacity(Elements))),
    ("__in_bcount", param(In, false, false, Capacity(Bytes))),
    (
        "__in_ecount_opt",
        param(In, true, false, Capacity(Elements)),
    ),
    ("__in_bcount_opt", param(In, true, false, Capacity(Bytes))),
    ("__out", param(Out, false, false, Shape::None)),
    ("__out_opt", param(Out, true, false, Shape::None)),
    ("__out_ecount", param(Out, false, false, Capacity(Elements))),
    ("__out_bcount", param(Out, false, false, Capacity(Bytes))),
    (
        "__out_ecount_opt",
        param(Out, true, false, Capacity(Elements)),
    ),
    ("__out_bcount_opt", param(Out, true, false, Capacity(Bytes))),
    (
        "__out_ecount_part",
        param(Out, false, false, Filled(Elements)),
    ),
    ("__out_bcount_part", param(Out, false, false, Filled(Bytes))),
    (
        "__out_ecount_part_opt",
        param(Out, true, false, Filled(Elements)),
    ),
    (
        "__out_bcount_part_opt",
        param(Out, true, false, Filled(Bytes)),
    ),
    (
        "__out_ecount_full",
        param(Out, false, false, Full(Elements)),
    ),
    ("__out_bcount_full", param(Out, false, false, Full(Bytes))),
    ("__inout", param(InOut, false, false, Shape::None)),
    ("__inout_opt", param(InOut, true, false, Shape::None)),
    (
        "__inout_ecount",
        param(InOut, false, false, Capacity(Elements)),
    ),
    (
        "__inout_bcount",
        param(InOut, false, false, Capacity(Bytes)),
    ),
    ("__deref_out", param(Out, false, true, Shape::None)),
    ("__deref_out_opt", param(Out, true, true, Shape::None)),
    ("__deref_opt_out", param(Out, true, true, Shape::None)),
    (
        "__deref_out_ecount",
        param(Out, false, true, Capacity(Elements)),
    ),
    (
        "__deref_out_bcount",
        param(Out, false, true, Capacity(Bytes)),
    ),
    (
        "__deref_out_ecount_part",
        param(Out, false, true, Filled(Elements)),
    ),
    (
        "__deref_out_bcount_part",
        param(Out, false, true, Filled(Bytes)),
    ),
    ("__checkReturn", Meaning::Neutral),
    ("__success", Meaning::Neutral),
    ("__nullterminated", Meaning::Neutral),
    ("__reserved", Meaning::Neutral),
    ("__range", Meaning::Neutral),
    ("IN", param(In, false, false, Shape::None)),
    ("OUT", param(Out, false, false, Shape::None)),
    ("OPTIONAL", Meaning::Optional),
];

fn meaning(name: &str) -> Option<Meaning> {
    WORDS.iter().find(|(w, _)| *w == name).map(|(_, m)| *m)
}

/// A SAL 2 name we may not know: `_Word_` with a capital letter first.
fn sal2_shaped(name: &str) -> bool {
    name.len() > 2
        && name.starts_with('_')
        && name.ends_with('_')
        && name[1..].starts_with(|c: char| c.is_ascii_uppercase())
}

/// Whether `token` starts an annotation (a known word, or SAL 2-shaped).
fn is_annotation(token: &str) -> bool {
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
/// names).
pub fn interpret(annotations: &[Annotation], params: &[&str]) -> Sal {
    let mut sal = Sal::default();
    for annotation in annotations {
        sal.written.push(annotation.written());
        let Some(meaning) = meaning(&annotation.name) else {
            sal.unknown.push(annotation.written());
            continue;
        };
        match meaning {
            Meaning::Param {
                direction,
                optional,
                pointer_out,
                buffer: shape,
            } => {
                sal.direction = Some(direction);
                sal.optional |= optional;
                sal.pointer_out |= pointer_out;
                if let Some(found) = buffer(shape, &annotation.args, params) {
                    sal.buffer = Some(found);
                }
            }
            Meaning::Return {
                optional,
                buffer: shape,
            } => {
                sal.optional |= optional;
                if let Some(found) = buffer(shape, &annotation.args, params) {
                    sal.buffer = Some(found);
                }
            }
            Meaning::Writable(unit) => {
                sal.writable = true;
                if let Some(found) = buffer(Capacity(unit), &annotation.args, params) {
                    sal.buffer = Some(found);
                }
            }
            Meaning::Optional => sal.optional = true,
            Meaning::Conditional => sal.conditional = true,
            Meaning::Neutral => {}
        }
    }
    sal
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
