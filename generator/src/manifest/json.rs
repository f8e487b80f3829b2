//! The manifest's JSON text, laid out for reviewing diffs: the structure (classes, enums,
//! lists) is indented one key per line, and each leaf entry — a slot, an enum variant, a
//! constant, a typedef — is one line, so a moved slot is one changed line. The text is
//! plain JSON with keys in struct field order; `from_json` reads it back with serde and
//! checks the format version and the hash.

use super::{ClassEntry, EnumEntry, Manifest, FORMAT_VERSION};
use serde::Serialize;
use std::io;

/// The manifest as JSON text, ending with a newline. Same manifest, same bytes.
pub fn to_json(manifest: &Manifest) -> String {
    let top = [
        ("format", one_line(&manifest.format)),
        ("source", one_line(&manifest.source)),
        ("api_hash", one_line(&manifest.api_hash)),
        ("records_types", one_line(&manifest.records_types)),
        (
            "classes",
            array(manifest.classes.iter().map(class).collect(), 1),
        ),
        (
            "enums",
            array(manifest.enums.iter().map(enumeration).collect(), 1),
        ),
        ("constants", array(leaves(&manifest.constants, 2), 1)),
        ("typedefs", array(leaves(&manifest.typedefs, 2), 1)),
    ];
    let mut text = object(&top, 0);
    text.push('\n');
    text
}

/// Reads a manifest written by [`to_json`], rejecting other format versions and
/// contents that do not match their `api_hash` (edited by hand or merged badly).
///
/// An error about one place in the text ends with ` at line L column C` (serde_json's
/// wording, used for our own checks too), so a caller that knows the file's path can turn
/// it into `path:L:C: …`.
pub fn from_json(text: &str) -> Result<Manifest, String> {
    #[derive(serde::Deserialize)]
    struct Version {
        format: Option<u32>,
    }
    let version: Version =
        serde_json::from_str(text).map_err(|e| format!("not an ABI manifest: {e}"))?;
    match version.format {
        Some(FORMAT_VERSION) => {}
        Some(other) => {
            return Err(format!(
                "ABI manifest format {other} is not supported (this generator reads format \
                 {FORMAT_VERSION}){}",
                at_value_of(text, "format")
            ))
        }
        None => return Err("not an ABI manifest: missing field `format`".into()),
    }
    let manifest: Manifest =
        serde_json::from_str(text).map_err(|e| format!("not an ABI manifest: {e}"))?;
    let expected = manifest.compute_hash();
    if manifest.api_hash != expected {
        return Err(format!(
            "ABI manifest api_hash {} does not match its contents ({expected}); \
             was it edited by hand? Regenerate it from the header{}",
            manifest.api_hash,
            at_value_of(text, "api_hash")
        ));
    }
    Ok(manifest)
}

/// ` at line L column C` of the first value of the top-level `key`, as `to_json` lays it
/// out (one key per line, two spaces in); empty if the text is laid out otherwise.
fn at_value_of(text: &str, key: &str) -> String {
    let prefix = format!("  \"{key}\": ");
    text.lines()
        .enumerate()
        .find_map(|(index, line)| {
            line.starts_with(&prefix).then(|| {
                let column = prefix.chars().count() + 1;
                format!(" at line {} column {column}", index + 1)
            })
        })
        .unwrap_or_default()
}

fn class(class: &ClassEntry) -> String {
    let mut fields = vec![
        ("name", one_line(&class.name)),
        ("uuid", one_line(&class.uuid)),
        ("base", one_line(&class.base)),
    ];
    if let Some(vtable) = &class.vtable {
        fields.push(("vtable", one_line(vtable)));
    }
    fields.push(("slots", array(leaves(&class.slots, 4), 3)));
    format!("{}{}", indent(2), object(&fields, 2))
}

fn enumeration(entry: &EnumEntry) -> String {
    let mut fields = vec![("name", one_line(&entry.name))];
    if let Some(underlying) = &entry.underlying {
        fields.push(("underlying", one_line(underlying)));
    }
    fields.push(("variants", array(leaves(&entry.variants, 4), 3)));
    format!("{}{}", indent(2), object(&fields, 2))
}

/// Each item on its own line at `level`.
fn leaves<T: Serialize>(items: &[T], level: usize) -> Vec<String> {
    items
        .iter()
        .map(|item| format!("{}{}", indent(level), one_line(item)))
        .collect()
}

/// `[`, the (already indented) items one per line, `]` at `level`; `[]` when empty.
fn array(items: Vec<String>, level: usize) -> String {
    if items.is_empty() {
        return "[]".into();
    }
    format!("[\n{}\n{}]", items.join(",\n"), indent(level))
}

/// `{`, one `"key": value` per line at `level + 1`, `}` at `level`.
fn object(fields: &[(&str, String)], level: usize) -> String {
    let body: Vec<String> = fields
        .iter()
        .map(|(key, value)| format!("{}{}: {value}", indent(level + 1), one_line(key)))
        .collect();
    format!("{{\n{}\n{}}}", body.join(",\n"), indent(level))
}

fn indent(level: usize) -> String {
    "  ".repeat(level)
}

/// Compact JSON with a space after each `:` and `,`: `{"index": 0, "method": "Get"}`.
fn one_line<T: Serialize + ?Sized>(value: &T) -> String {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut bytes, OneLine);
    value
        .serialize(&mut serializer)
        .expect("manifest entries always serialize");
    String::from_utf8(bytes).expect("serde_json writes UTF-8")
}

struct OneLine;

impl serde_json::ser::Formatter for OneLine {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::tests::{api, manifest_of};

    #[test]
    fn errors_end_with_where_they_are() {
        let text = to_json(&manifest_of(&api()));
        let broken = text.replacen("\"classes\": [", "\"classes\": [,", 1);
        let error = from_json(&broken).unwrap_err();
        assert!(error.starts_with("not an ABI manifest: "), "{error}");
        assert!(error.ends_with(" at line 6 column 15"), "{error}");
        let future = text.replacen("\"format\": 1", "\"format\": 9", 1);
        assert!(
            from_json(&future)
                .unwrap_err()
                .ends_with("(this generator reads format 1) at line 2 column 13"),
            "{future}"
        );
        let edited = text.replacen("\"x64\": 8,", "\"x64\": 16,", 1);
        assert!(from_json(&edited)
            .unwrap_err()
            .ends_with("Regenerate it from the header at line 4 column 15"));
    }
}
