//! Fuzzes `#define` body evaluation: integer expressions over earlier constants and string
//! literals, on whitespace-split tokens.
#![no_main]

use generator::parse::macros;
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let mut known = BTreeMap::new();
        known.insert("KNOWN".to_string(), 7);
        let words: Vec<&str> = text.split_whitespace().collect();
        let _ = macros::evaluate(&words, &known);
        for word in &words {
            let _ = macros::integer_literal(word);
        }
    }
});
