//! CSV/TSV lists of invoices, returns and payments.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sverka::formats::delimited;
use sverka_fuzz::{FILE, check_read, inflate, with_huge_line};

/// A 10 MiB cell, once per fuzzing process: past the row limit, so an error that names
/// the line and quotes the cell cut.
fn huge_cell() {
    let data = with_huge_line(include_bytes!("../corpus/delimited/huge_cell.csv"));
    let read = delimited::read(&data, FILE);
    check_read("delimited::read (10 MiB cell)", &read);
    let e = read.expect_err("a 10 MiB row is refused");
    assert!(e.message.len() < 1000, "{}", e.message);
}

static HUGE_CELL: std::sync::Once = std::sync::Once::new();

fuzz_target!(|data: &[u8]| {
    HUGE_CELL.call_once(huge_cell);
    let inflated = inflate(data);
    let data = inflated.as_deref().unwrap_or(data);
    let _ = delimited::sniff(data);
    check_read("delimited::read", &delimited::read(data, FILE));
});
