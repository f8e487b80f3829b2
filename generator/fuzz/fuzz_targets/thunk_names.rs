//! Fuzzes MSVC number and vcall-thunk name decoding (what check-abi reads out of objects).
#![no_main]

use generator::probe::mangling::{decode_number, decode_vcall_thunk};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = decode_number(text);
        let _ = decode_vcall_thunk(text);
    }
});
