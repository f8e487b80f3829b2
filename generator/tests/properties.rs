//! Property tests of the readers we wrote by hand (the fuzz targets in generator/fuzz run the
//! same code on unstructured bytes): uuid, default-argument and array-bound token parsing,
//! spelling recovery, `#define` evaluation (typed as C++ types it) and MSVC thunk-name
//! decoding; and the naming pass's rule that any name becomes a Rust identifier. None may panic on
//! any input, and each round-trips what it is meant to read.

use generator::parse::{macros, tokens};
use generator::probe::mangling::{decode_number, decode_vcall_thunk};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// MSVC's number encoding, written independently of the decoder under test.
fn encode_number(value: i64) -> String {
    let (sign, magnitude) = if value < 0 {
        ("?", value.unsigned_abs())
    } else {
        ("", value as u64)
    };
    if (1..=10).contains(&magnitude) {
        return format!("{sign}{}", magnitude - 1);
    }
    let hex = format!("{magnitude:X}");
    let letters: String = hex
        .chars()
        .map(|c| (b'A' + c.to_digit(16).unwrap() as u8) as char)
        .collect();
    format!("{sign}{letters}@")
}

proptest! {
    #[test]
    fn uuid_round_trips(value in any::<u128>(), braces in any::<bool>(), lower in any::<bool>()) {
        let hex = format!("{value:032X}");
        let text = format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
        let written = if lower { text.to_ascii_lowercase() } else { text.clone() };
        let written = if braces { format!("{{{written}}}") } else { written };
        prop_assert_eq!(tokens::normalize_uuid(&written), Some(text.clone()));
        let quoted = format!("\"{written}\"");
        prop_assert_eq!(tokens::uuid_from_tokens(["__declspec", "(", "uuid", "(", quoted.as_str(), ")", ")"]), Some(text));
    }

    #[test]
    fn token_readers_never_panic(words in proptest::collection::vec("[A-Za-z0-9_()\\[\\]=+<>{}\"-]{0,6}", 0..12)) {
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let _ = tokens::default_argument(words.iter().copied());
        let _ = tokens::array_bound(words.iter().copied());
        let _ = tokens::uuid_from_tokens(words.iter().copied());
        let _ = macros::evaluate(&words, &BTreeMap::new());
    }

    #[test]
    fn default_argument_is_what_follows_the_equals(name in "[a-z]{1,8}", value in "[A-Z0-9_]{1,8}") {
        let tokens = ["USHORT", "*", name.as_str(), "=", value.as_str()];
        prop_assert_eq!(tokens::default_argument(tokens), Some(value));
    }

    #[test]
    fn identifier_at_never_panics(source in proptest::collection::vec(any::<u8>(), 0..64), offset in 0usize..80) {
        let _ = tokens::identifier_at(&source, offset);
    }

    #[test]
    fn identifier_at_reads_the_name(prefix in "[ (*]{0,4}", name in "~?[A-Za-z_][A-Za-z0-9_]{0,10}", suffix in "[ (;]{0,3}") {
        let source = format!("{prefix}{name}{suffix}");
        prop_assert_eq!(tokens::identifier_at(source.as_bytes(), prefix.len()), Some(name));
    }

    #[test]
    fn integer_constants_evaluate(a in 0u32..=u32::MAX, b in 0u32..64) {
        let a_hex = format!("0x{a:08X}");
        let b_dec = b.to_string();
        let expr = ["(", a_hex.as_str(), "|", b_dec.as_str(), ")"];
        prop_assert_eq!(macros::evaluate(&expr, &BTreeMap::new()), Some(generator::ir::ConstantValue::Integer(i64::from(a | b))));
    }

    #[test]
    fn unsigned_64_bit_constants_keep_their_value(value in any::<u64>(), hex in any::<bool>()) {
        let literal = if hex { format!("0x{value:X}ULL") } else { format!("{value}ull") };
        let tokens = ["(", literal.as_str(), ")"];
        let evaluated = macros::evaluate_typed(&tokens, &BTreeMap::new());
        prop_assert_eq!(
            evaluated,
            Ok(Some(macros::Evaluated::Integer(macros::Integer::new(value.into(), generator::ir::IntegerType::ULongLong))))
        );
    }

    #[test]
    fn every_name_becomes_a_rust_identifier(name in "\\PC{0,12}") {
        use generator::layout::names::{module_name, rust_name};
        let rust = rust_name(&name);
        prop_assert!(syn::parse_str::<syn::Ident>(&rust).is_ok(), "{name:?} -> {rust:?}");
        let module = module_name(&name);
        prop_assert!(module.is_ascii() && syn::parse_str::<syn::Ident>(&module).is_ok(), "{name:?} -> {module:?}");
        // All of the name (syn skips whitespace and comments around a token).
        let valid = syn::parse_str::<syn::Ident>(&name).is_ok_and(|i| i == name.as_str());
        if valid {
            prop_assert_eq!(rust, name, "a valid name is kept");
        }
    }

    #[test]
    fn mangled_numbers_round_trip(value in -(1i64 << 40)..(1i64 << 40), rest in "[A-Z]{0,3}") {
        let encoded = format!("{}{rest}", encode_number(value));
        prop_assert_eq!(decode_number(&encoded), Some((value, rest.as_str())));
    }

    #[test]
    fn thunk_names_round_trip(class in "[A-Za-z_][A-Za-z0-9_]{0,20}", slot in 0u64..4096, x86 in any::<bool>()) {
        let size = if x86 { 4 } else { 8 };
        let name = format!("??_9{class}@@$B{}{}", encode_number((slot * size) as i64), if x86 { "AE" } else { "AA" });
        let thunk = decode_vcall_thunk(&name).expect("a well-formed thunk name decodes");
        prop_assert_eq!(thunk.class, class);
        prop_assert_eq!(thunk.offset, slot * size);
    }

    #[test]
    fn thunk_decoding_never_panics(name in "\\PC{0,40}") {
        let _ = decode_vcall_thunk(&name);
        let _ = decode_number(&name);
    }
}
