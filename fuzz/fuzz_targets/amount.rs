//! The one amount parser every reader uses (`money::parse_amount`).
//!
//! Its contract (see money.rs): a value has exactly two decimals, at most 15 integer
//! digits, no negative zero, and what the formatter writes reads back as the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use sverka::money::{Money, MoneyStyle, parse_amount, plain};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_amount(&text) {
        Ok(v) => {
            assert_eq!(v.scale(), 2, "{text:?} gave {v}");
            assert!(
                v.abs() < Decimal::from(1_000_000_000_000_000_i64),
                "{text:?} gave {v}"
            );
            assert!(!(v.is_zero() && v.is_sign_negative()), "{text:?} gave -0");
            for shown in [
                plain(v),
                Money(v, MoneyStyle::Grouped).to_string(),
                Money(v, MoneyStyle::GroupedEn).to_string(),
                Money(v, MoneyStyle::Comma).to_string(),
            ] {
                assert_eq!(parse_amount(&shown), Ok(v), "{text:?} → {v} → {shown:?}");
            }
            // Surrounding whitespace never matters.
            assert_eq!(parse_amount(&format!(" \t{text}\u{a0}\n")), Ok(v));
        }
        Err(e) => assert!(!e.to_string().trim().is_empty()),
    }
});
