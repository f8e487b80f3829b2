//! Fuzzes the token readers of the front end: uuid normalization, default arguments, array
//! bounds (over a whitespace split of the input) and spelling recovery (over raw bytes).
#![no_main]

use generator::parse::tokens;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((&offset, source)) = data.split_first() {
        let _ = tokens::identifier_at(source, usize::from(offset));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = tokens::normalize_uuid(text);
        let words: Vec<&str> = text.split_whitespace().collect();
        let _ = tokens::uuid_from_tokens(words.iter().copied());
        let _ = tokens::default_argument(words.iter().copied());
        let _ = tokens::array_bound(words.iter().copied());
    }
});
