//! What must hold of every reader's result, whatever the bytes: shared by the targets.
//!
//! A reader may refuse a file, but with a message; it may warn, but every warning has a
//! message and names the file it was given (the caller adds the path); every document it
//! keeps comes from that file. Panics, hangs and running out of memory are what libFuzzer
//! itself catches.

use sverka::formats::{FileError, FileRead};
use sverka::model::{Document, FileId};

/// The file id the targets hand to the readers (not 0, so a reader that forgets it shows).
pub const FILE: FileId = 7;

/// Checks one reader's result.
pub fn check_read(what: &str, result: &Result<FileRead, FileError>) {
    match result {
        Ok(read) => {
            for w in read.warnings.iter().chain(&read.notes) {
                assert!(
                    !w.message.trim().is_empty(),
                    "{what}: a warning without a message: {w:?}"
                );
                assert_eq!(w.file, FILE, "{what}: a warning about another file: {w:?}");
                assert_ne!(w.line, Some(0), "{what}: a warning at line 0: {w:?}");
            }
            for d in &read.documents {
                assert_eq!(d.prov().file, FILE, "{what}: a document of another file");
                let amount = match d {
                    Document::Invoice(i) => i.amount,
                    Document::Credit(c) => c.amount,
                    Document::Payment(p) => p.amount,
                };
                // Every amount came through the one amount parser (or a float cell
                // rounded to kopecks): never more than two decimals.
                assert!(
                    amount.scale() <= 2,
                    "{what}: amount {amount} has more than 2 decimals"
                );
            }
        }
        Err(e) => {
            assert!(
                !e.message.trim().is_empty(),
                "{what}: an error without a message: {e:?}"
            );
            assert_ne!(e.line, Some(0), "{what}: an error at line 0: {e:?}");
        }
    }
}

/// A reader that hands out the bytes a few at a time (sizes from a seed), to cut lines,
/// CRLF pairs and multi-byte characters at every place a real stream may.
pub struct Trickle<'a> {
    data: &'a [u8],
    seed: u64,
}

impl<'a> Trickle<'a> {
    pub fn new(data: &'a [u8], seed: u64) -> Trickle<'a> {
        Trickle {
            data,
            seed: seed | 1,
        }
    }
}

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // xorshift: 1 to 64 bytes per call.
        self.seed ^= self.seed << 13;
        self.seed ^= self.seed >> 7;
        self.seed ^= self.seed << 17;
        let n = ((self.seed % 64) as usize + 1)
            .min(buf.len())
            .min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// Where the marker `\xFE\xFD<k>` stands, `k` KiB of `x` instead (the first marker
/// only): seeds stay small and still reach long lines and cells. Ten-megabyte lines are
/// too slow to run at every step; [`HUGE`] is read once per fuzzing process instead.
pub fn inflate(data: &[u8]) -> Option<Vec<u8>> {
    let at = data.windows(3).position(|w| w[0] == 0xFE && w[1] == 0xFD)?;
    let size = usize::from(data[at + 2]) << 10;
    let mut out = Vec::with_capacity(data.len() + size);
    out.extend_from_slice(&data[..at]);
    out.resize(at + size, b'x');
    out.extend_from_slice(&data[at + 3..]);
    Some(out)
}

/// The size of the huge line [`with_huge_line`] puts in: past any line limit.
pub const HUGE: usize = 10 << 20;

/// The seed with a [`HUGE`] line of `x` in place of its inflate marker.
pub fn with_huge_line(seed: &[u8]) -> Vec<u8> {
    let at = seed
        .windows(3)
        .position(|w| w[0] == 0xFE && w[1] == 0xFD)
        .expect("the seed has the marker");
    let mut out = seed[..at].to_vec();
    out.resize(at + HUGE, b'x');
    out.extend_from_slice(&seed[at + 3..]);
    out
}

/// libfuzzer-sys's panic hook aborts at once, even for a panic that the code under test
/// catches on purpose: the XLSX reader turns a panic inside calamine (its parser, not
/// ours) into an error for the file. This hook only prints the panic and lets it unwind:
/// one that nothing catches still ends the run as a crash when it reaches libfuzzer-sys's
/// own catch around the target.
pub fn let_guarded_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| eprintln!("{info}")));
    });
}
