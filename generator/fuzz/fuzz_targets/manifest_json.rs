//! Fuzzes ABI manifest reading (`abi-diff` and `regen` read checked-in manifests).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(manifest) = generator::manifest::from_json(text) {
            // Whatever reads back must write back to something that reads the same.
            let again = generator::manifest::to_json(&manifest);
            assert_eq!(generator::manifest::from_json(&again).as_ref(), Ok(&manifest));
        }
    }
});
