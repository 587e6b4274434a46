//! A statement read in parts (`clientbank::read_file_in`: cut at `СекцияДокумент` lines,
//! each part on a thread of its own, joined with its lines renumbered, or read again in
//! one pass when the parts do not join) must give exactly what one pass gives, whatever
//! the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sverka::formats::clientbank;
use sverka_fuzz::{FILE, check_read};

fuzz_target!(|data: &[u8]| {
    let whole = clientbank::read(data, FILE);
    check_read("clientbank::read", &whole);
    let Ok(dir) = tempfile::tempdir() else { return };
    let path = dir.path().join("kl_to_1c.txt");
    if std::fs::write(&path, data).is_err() {
        return;
    }
    for parts in 2..=4 {
        let cut = clientbank::read_file_in(&path, FILE, parts);
        check_read("clientbank::read_file_in", &cut);
        match (&whole, &cut) {
            (Ok(a), Ok(b)) => assert!(a == b, "{parts} parts: one pass and parts differ"),
            (Err(a), Err(b)) => assert_eq!(a, b, "{parts} parts"),
            (a, b) => panic!("{parts} parts: one pass and parts disagree: {a:?} vs {b:?}"),
        }
    }
});
