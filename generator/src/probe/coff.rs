//! Reading the answer out of a compiled probe: in the COFF object, each probe datum's
//! relocation names a vcall thunk; in the LLVM IR, each `delete` witness indexes the vtable.

use super::mangling::decode_vcall_thunk;
use super::source::{DATUM_PREFIX, DELETE_PREFIX};
use super::ProbeError;
use object::{Object, ObjectSection, ObjectSymbol, RelocationTarget};
use std::collections::BTreeMap;

/// The defined symbols named `<prefix>…` (x86 adds a leading underscore to C names) with
/// their name minus the prefix and their section.
fn data_symbols<'d, 'f>(
    file: &'f object::File<'d>,
    prefix: &'f str,
) -> impl Iterator<
    Item = Result<(String, object::Symbol<'d, 'f>, object::Section<'d, 'f>), ProbeError>,
> + 'f {
    file.symbols().filter_map(move |symbol| {
        let name = symbol.name().ok()?;
        let key = name
            .strip_prefix(prefix)
            .or_else(|| name.strip_prefix('_')?.strip_prefix(prefix))?;
        let section = file
            .section_by_index(symbol.section_index()?)
            .map_err(|e| ProbeError::Object(format!("probe datum {name}: {e}")));
        Some(section.map(|section| (key.to_string(), symbol, section)))
    })
}

/// `httpserv_probe_<Class>_<method>` → (thunk class, byte offset), from a COFF object.
pub fn thunk_offsets(data: &[u8]) -> Result<BTreeMap<String, (String, u64)>, ProbeError> {
    let file = object::File::parse(data).map_err(|e| ProbeError::Object(e.to_string()))?;
    let mut out = BTreeMap::new();
    for found in data_symbols(&file, DATUM_PREFIX) {
        let (key, symbol, section) = found?;
        let name = format!("{DATUM_PREFIX}{key}");
        if name.starts_with(DELETE_PREFIX) {
            continue;
        }
        let relocation = section
            .relocations()
            .find(|(offset, _)| *offset == symbol.address())
            .map(|(_, r)| r)
            .ok_or_else(|| ProbeError::Object(format!("probe datum {name} has no relocation")))?;
        let RelocationTarget::Symbol(target) = relocation.target() else {
            return Err(ProbeError::Object(format!(
                "probe datum {name} does not point at a symbol"
            )));
        };
        let thunk = file
            .symbol_by_index(target)
            .and_then(|s| s.name())
            .map_err(|e| ProbeError::Object(format!("probe datum {name}: {e}")))?;
        let decoded = decode_vcall_thunk(thunk).ok_or_else(|| {
            ProbeError::Object(format!(
                "probe datum {name} points at `{thunk}`, not a vcall thunk"
            ))
        })?;
        out.insert(name, (decoded.class, decoded.offset));
    }
    Ok(out)
}

/// `<prefix><name>` → the 32-bit integer stored in that datum, from a COFF object.
pub fn integer_data(data: &[u8], prefix: &str) -> Result<BTreeMap<String, i32>, ProbeError> {
    let file = object::File::parse(data).map_err(|e| ProbeError::Object(e.to_string()))?;
    let mut out = BTreeMap::new();
    for found in data_symbols(&file, prefix) {
        let (key, symbol, section) = found?;
        let outside = || {
            ProbeError::Object(format!(
                "probe datum {prefix}{key} lies outside its section"
            ))
        };
        let bytes = section
            .data()
            .map_err(|e| ProbeError::Object(format!("{prefix}{key}: {e}")))?;
        let start = usize::try_from(symbol.address() - section.address()).map_err(|_| outside())?;
        let value = bytes.get(start..start + 4).ok_or_else(outside)?;
        out.insert(
            key,
            i32::from_le_bytes(value.try_into().expect("four bytes")),
        );
    }
    Ok(out)
}

/// `<witness>` → vtable slot index called by `httpserv_probe_delete_<witness>`, from LLVM
/// IR (the witness is the class's index in `source::destructor_classes`).
/// The function loads the vtable pointer, indexes it (`getelementptr inbounds ptr, ptr %v,
/// i64 N`; no index means slot 0) and calls the slot with the deleting flag.
pub fn delete_slots(ir: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, usize)> = None;
    for line in ir.lines() {
        if line.starts_with("define ") {
            current = line
                .split_once(&format!("@{DELETE_PREFIX}"))
                .and_then(|(_, rest)| rest.split_once('('))
                .map(|(class, _)| (class.to_string(), 0));
            continue;
        }
        let Some((class, slot)) = current.as_mut() else {
            continue;
        };
        if let Some(rest) = line
            .split_once("getelementptr inbounds ptr, ptr ")
            .map(|(_, r)| r)
        {
            if let Some(index) = rest.rsplit(' ').next().and_then(|n| n.trim().parse().ok()) {
                *slot = index;
            }
        }
        if line.contains(" call ") && line.contains("i32 noundef 1)") {
            out.insert(class.clone(), *slot);
            current = None;
        }
        if line == "}" {
            current = None;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delete_witness_ir() {
        let ir = "define dso_local void @httpserv_probe_delete_0(ptr noundef %0) #0 {\n\
                  %6 = load ptr, ptr %5, align 8\n\
                  %7 = getelementptr inbounds ptr, ptr %6, i64 30\n\
                  %8 = load ptr, ptr %7, align 8\n\
                  %9 = call noundef ptr %8(ptr noundef nonnull align 8 dereferenceable(8) %3, i32 noundef 1) #2\n\
                  }\n\
                  define dso_local void @httpserv_probe_delete_1(ptr noundef %0) #0 {\n\
                  %8 = load ptr, ptr %6, align 8\n\
                  %9 = call x86_thiscallcc noundef ptr %8(ptr noundef %3, i32 noundef 1) #2\n\
                  }\n";
        let slots = delete_slots(ir);
        assert_eq!(slots.get("0"), Some(&30));
        assert_eq!(slots.get("1"), Some(&0));
    }
}
