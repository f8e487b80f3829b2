//! Synthetic headers N times the size of the API: `headers/httpserv.h` itself plus N − 1
//! copies of each of its class definitions, every class name renamed with a suffix
//! (`IHttpRequest` → `IHttpRequest_S2`, bases and parameter types included) and every uuid
//! replaced by a fresh, deterministic one. Enums, typedefs and constants are not copied
//! (they would be redefinitions), so the copies grow exactly what scales with the API:
//! classes, virtual functions and slots.

/// One class definition of the header: its name and its text, `class … { … };`.
struct ClassBlock {
    name: String,
    text: String,
}

/// `class __declspec(uuid("…")) __declspec(novtable) Name : public Base` → `Name`.
fn class_name(head: &str) -> Option<String> {
    let mut rest = head.trim_start();
    rest = rest
        .strip_prefix("class ")
        .or_else(|| rest.strip_prefix("struct "))?;
    // Drop every `__declspec(...)`, nested parentheses included.
    let mut plain = String::new();
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if rest[i..].starts_with("__declspec(") {
            let mut depth = 0;
            for (_, c) in chars.by_ref() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
        } else {
            plain.push(c);
        }
    }
    let before_base = plain.split(':').next()?.trim();
    let name = before_base.split_whitespace().last()?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_')
        .then(|| name.to_string())
}

/// Every top-level class definition: a line starting with `class ` or `struct ` that is not a
/// forward declaration, up to the next line starting with `};`.
fn class_blocks(header: &str) -> Vec<ClassBlock> {
    let mut blocks = Vec::new();
    let mut current: Option<ClassBlock> = None;
    for line in header.lines() {
        if let Some(block) = current.as_mut() {
            block.text.push_str(line);
            block.text.push('\n');
            if line.starts_with("};") {
                blocks.push(current.take().unwrap());
            }
            continue;
        }
        let is_head = (line.starts_with("class ") || line.starts_with("struct "))
            && !line.trim_end().ends_with(';');
        if is_head {
            if let Some(name) = class_name(line) {
                current = Some(ClassBlock {
                    name,
                    text: format!("{line}\n"),
                });
            }
        }
    }
    blocks
}

/// Replaces whole identifiers found in `names` with `name + suffix`.
fn rename_identifiers(
    text: &str,
    names: &std::collections::BTreeSet<&str>,
    suffix: &str,
) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &text[start..i];
            out.push_str(word);
            if names.contains(word) {
                out.push_str(suffix);
            }
        } else {
            let start = i;
            i += 1;
            while i < bytes.len() && !(bytes[i].is_ascii_alphabetic() || bytes[i] == b'_') {
                i += 1;
            }
            out.push_str(&text[start..i]);
        }
    }
    out
}

/// A fresh uuid for copy `copy` of `original`: FNV-1a of both, as 8-4-4-4-12 hex.
fn fresh_uuid(original: &str, copy: usize) -> String {
    let hash = |seed: u64| {
        let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
        for b in original.bytes().chain(copy.to_le_bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    let hex = format!("{:016x}{:016x}", hash(1), hash(2));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn replace_uuids(text: &str, copy: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("uuid(\"") {
        let start = at + "uuid(\"".len();
        let Some(len) = rest[start..].find('"') else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push_str(&fresh_uuid(&rest[start..start + len], copy));
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

/// The header `factor` times the API: the original plus `factor - 1` renamed copies of its
/// classes, inserted before the include guard's closing `#endif`. Returns the text and the
/// number of classes copied per copy.
pub fn scaled_header(header: &str, factor: usize) -> Result<(String, usize), String> {
    let blocks = class_blocks(header);
    if blocks.is_empty() {
        return Err("no class definitions found in the header".into());
    }
    if factor <= 1 {
        return Ok((header.to_string(), blocks.len()));
    }
    let names: std::collections::BTreeSet<&str> = blocks.iter().map(|b| b.name.as_str()).collect();
    let mut copies = String::new();
    for copy in 2..=factor {
        let suffix = format!("_S{copy}");
        copies.push_str(&format!(
            "\n/* ---- synthetic copy {copy} of every class ---- */\n\n"
        ));
        for name in &names {
            copies.push_str(&format!("class {name}{suffix};\n"));
        }
        copies.push('\n');
        for block in &blocks {
            copies.push_str(&replace_uuids(
                &rename_identifiers(&block.text, &names, &suffix),
                copy,
            ));
            copies.push('\n');
        }
    }
    let end = header
        .rfind("\n#endif")
        .ok_or("the header has no closing #endif (include guard)")?;
    let mut text = String::with_capacity(header.len() + copies.len());
    text.push_str(&header[..end + 1]);
    text.push_str(&copies);
    text.push_str(&header[end + 1..]);
    Ok((text, blocks.len()))
}
