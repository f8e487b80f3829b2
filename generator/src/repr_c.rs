//! Where Rust's `#[repr(C)]` (with `packed(n)` or `align(n)`) puts a struct's fields — which
//! is also where MSVC puts them under `#pragma pack(n)` and `__declspec(align(n))`: each field
//! at the next multiple of its alignment (capped at `n` when packed), the struct as aligned
//! as its most aligned field (at least `n` with `align(n)`), its size a multiple of that.
//! The one rule the parser (choosing the `repr` whose placement matches the compiler's) and
//! the layout stage share; it depends on nothing.

/// Where a struct's fields go, and its size and alignment, in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed {
    pub offsets: Vec<u64>,
    pub size: u64,
    pub align: u64,
}

fn round_up(value: u64, align: u64) -> u64 {
    value.div_ceil(align.max(1)) * align.max(1)
}

/// Places fields of the given (size, alignment) as `#[repr(C)]` does, with
/// `packed(packing)` or `align(alignment)`.
pub fn place(fields: &[(u64, u64)], packing: Option<u64>, alignment: Option<u64>) -> Placed {
    let mut offsets = Vec::with_capacity(fields.len());
    let mut end = 0;
    let mut most = 1;
    for &(size, align) in fields {
        let align = packing.map_or(align, |n| align.min(n));
        let offset = round_up(end, align);
        offsets.push(offset);
        end = offset + size;
        most = most.max(align);
    }
    let align = alignment.map_or(most, |n| n.max(most));
    Placed {
        offsets,
        size: round_up(end, align),
        align,
    }
}
