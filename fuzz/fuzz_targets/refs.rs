//! The reference parser: invoice numbers and dates out of a payment purpose
//! (`matching::refs::extract`) and the numeric core of a number (`number_core`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;
use sverka::matching::refs::{extract, number_core};

fn check_core(number: &str) {
    let Some(core) = number_core(number) else {
        assert!(
            !number.chars().any(|c| c.is_ascii_digit()),
            "{number:?} has digits"
        );
        return;
    };
    assert!(!core.is_empty(), "{number:?}");
    for group in core.split('/') {
        assert!(
            !group.is_empty() && group.bytes().all(|b| b.is_ascii_digit()),
            "{number:?} → {core:?}"
        );
        assert!(
            group == "0" || !group.starts_with('0'),
            "{number:?} → {core:?}"
        );
    }
    assert_eq!(
        number_core(&core).as_deref(),
        Some(core.as_str()),
        "not idempotent"
    );
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    check_core(&text);
    let refs = extract(&text);
    let mut seen = HashSet::new();
    for r in &refs {
        assert!(!r.number.is_empty(), "{text:?} → {r:?}");
        assert_eq!(r.number, r.number.trim(), "{text:?} → {r:?}");
        check_core(&r.number);
        assert!(
            seen.insert((r.kind, r.number.clone(), r.date)),
            "{text:?}: duplicate {r:?}"
        );
    }
});
