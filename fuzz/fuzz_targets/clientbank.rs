//! The 1CClientBankExchange reader: the slice entry (`read`) and the streaming one
//! (`read_from`) fed a few bytes at a time must both survive anything and agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sverka::formats::clientbank;
use sverka_fuzz::{FILE, Trickle, check_read, inflate, with_huge_line};

/// A 10 MiB purpose and a 10 MiB line between documents, once per fuzzing process: the
/// reader's own line limit must turn them into a warning or an error with a message.
fn huge_lines() {
    for seed in [
        &include_bytes!("../corpus/clientbank/huge_purpose.txt")[..],
        &include_bytes!("../corpus/clientbank/huge_line.txt")[..],
    ] {
        let data = with_huge_line(seed);
        check_read(
            "clientbank::read (10 MiB line)",
            &clientbank::read(&data, FILE),
        );
        let streamed = clientbank::read_from(Trickle::new(&data, 1), FILE);
        check_read("clientbank::read_from (10 MiB line)", &streamed);
    }
}

static HUGE_LINES: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    HUGE_LINES.call_once(huge_lines);
    let inflated = inflate(data);
    let data = inflated.as_deref().unwrap_or(data);
    let whole = clientbank::read(data, FILE);
    check_read("clientbank::read", &whole);
    // The cut points follow from the first bytes and the length (hashing 10 MiB here
    // would cost more than reading it).
    let seed = data.iter().take(64).fold(data.len() as u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    });
    let streamed = clientbank::read_from(Trickle::new(data, seed), FILE);
    check_read("clientbank::read_from", &streamed);
    // Where the stream is cut must not change what is read.
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => {
            assert!(a.documents == b.documents, "the documents differ");
            assert_eq!(a.warnings, b.warnings);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        (a, b) => panic!("read and read_from disagree: {a:?} vs {b:?}"),
    }
    let _ = clientbank::sniff(data);
});
