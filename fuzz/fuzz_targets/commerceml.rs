//! CommerceML XML (and, below it, the XML decoder and tree parser).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sverka::formats::commerceml;
use sverka_fuzz::{FILE, check_read};

fuzz_target!(|data: &[u8]| {
    check_read("commerceml::read", &commerceml::read(data, FILE));
});
