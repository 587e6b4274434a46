//! Format detection and reading through the program's own entries: `formats::detect` +
//! `formats::read` in memory, and `input::load` on the bytes saved as a file (the
//! statement streaming path, the empty-file and unknown-format outcomes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sverka::formats::{self, Detected};
use sverka::input::{self, Outcome};
use sverka_fuzz::{FILE, check_read, inflate, let_guarded_panics_unwind};

fuzz_target!(|data: &[u8]| {
    let_guarded_panics_unwind();
    let inflated = inflate(data);
    let data = inflated.as_deref().unwrap_or(data);
    if let Detected::Known(format) = formats::detect(data) {
        check_read(format.name(), &formats::read(format, data, FILE));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("input");
    std::fs::write(&path, data).expect("write");
    // Named on the command line, and found in a folder.
    for arg in [path.clone(), dir.path().to_path_buf()] {
        let inputs = input::load(std::slice::from_ref(&arg)).expect("the file is there");
        assert_eq!(inputs.files.len(), 1);
        match &inputs.files[0].outcome {
            Outcome::Read(r) => {
                for w in r.warnings.iter().chain(&r.notes) {
                    assert!(!w.message.trim().is_empty(), "{w:?}");
                }
            }
            Outcome::Skipped(m) | Outcome::Ignored(m) => assert!(!m.trim().is_empty()),
            Outcome::Failed { message, line } => {
                assert!(!message.trim().is_empty());
                assert_ne!(*line, Some(0));
                let e = inputs.first_failure().expect("a failure");
                assert!(e.to_string().contains("input"), "{e}");
            }
        }
        for w in inputs.warnings() {
            assert!(w.render(&inputs.sources).contains("input"), "{w:?}");
        }
    }
});
