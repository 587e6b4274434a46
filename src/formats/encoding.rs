//! Text encoding, decided from the bytes.
//!
//! 1C and banks write Windows-1251, sometimes CP866 (`Кодировка=DOS`), and more and more
//! UTF-8 while still declaring `Кодировка=Windows` (11 of 35 real statements do). The
//! declaration is only a hint: a BOM means UTF-8; text that is valid UTF-8 is UTF-8;
//! otherwise Windows-1251 and CP866 are both tried and the one that reads as Russian
//! (or, for statements, reads the known keys) wins.

use encoding_rs::{Encoding, IBM866, UTF_8, WINDOWS_1251};
use std::borrow::Cow;

/// The encodings sverka reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    Windows1251,
    Cp866,
}

impl TextEncoding {
    /// The name used in `inspect` output.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Windows1251 => "windows-1251",
            TextEncoding::Cp866 => "cp866",
        }
    }

    fn encoding(self) -> &'static Encoding {
        match self {
            TextEncoding::Utf8 => UTF_8,
            TextEncoding::Windows1251 => WINDOWS_1251,
            TextEncoding::Cp866 => IBM866,
        }
    }

    /// Text as this encoding writes it (characters it lacks become `?`-like references).
    pub fn encode(self, text: &str) -> Vec<u8> {
        self.encoding().encode(text).0.into_owned()
    }

    /// Decodes bytes known to be in this encoding (invalid UTF-8 becomes U+FFFD).
    pub fn decode(self, bytes: &[u8]) -> Cow<'_, str> {
        match self {
            TextEncoding::Utf8 => String::from_utf8_lossy(bytes),
            other => other.encoding().decode_without_bom_handling(bytes).0,
        }
    }

    /// Decodes into `out` (cleared first), reusing its buffer: the statement reader
    /// decodes millions of values and keeps few of them.
    pub fn decode_into(self, bytes: &[u8], out: &mut String) {
        out.clear();
        match self {
            // Valid UTF-8 is borrowed, not copied, before it is pushed.
            TextEncoding::Utf8 => out.push_str(&String::from_utf8_lossy(bytes)),
            // ASCII reads the same in every encoding sverka knows.
            _ if bytes.is_ascii() => out.push_str(std::str::from_utf8(bytes).unwrap_or_default()),
            other => {
                let mut decoder = other.encoding().new_decoder_without_bom_handling();
                out.reserve(
                    decoder
                        .max_utf8_buffer_length(bytes.len())
                        .unwrap_or(bytes.len() * 3),
                );
                let _ = decoder.decode_to_string(bytes, out, true);
            }
        }
    }

    /// Reads a declared encoding such as `Windows`, `windows-1251`, `DOS`, `utf-8`.
    /// Typos like `Wirdows` still count as Windows.
    pub fn from_label(label: &str) -> Option<TextEncoding> {
        let l = label.trim().to_lowercase();
        if l.is_empty() {
            None
        } else if l.contains("utf") {
            Some(TextEncoding::Utf8)
        } else if l.contains("dos") || l.contains("866") {
            Some(TextEncoding::Cp866)
        } else if l.starts_with('w') || l.contains("1251") || l.contains("ansi") {
            Some(TextEncoding::Windows1251)
        } else {
            None
        }
    }
}

/// The UTF-8 byte order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How many bytes of a big file are enough to tell Windows-1251 from CP866.
const SAMPLE: usize = 256 * 1024;

/// The encoding of `bytes` and the length of a BOM to skip.
///
/// `markers` are words expected in the text (for statements: its Cyrillic keys); when
/// the two single-byte encodings disagree, the one that decodes more of them wins, then
/// the one whose text looks more like Russian, then the `hint`.
pub fn sniff(bytes: &[u8], markers: &[&str], hint: Option<TextEncoding>) -> (TextEncoding, usize) {
    if bytes.starts_with(BOM) {
        return (TextEncoding::Utf8, BOM.len());
    }
    // Valid UTF-8, also when the sample ends inside a character (the head of a stream).
    match std::str::from_utf8(bytes) {
        Ok(_) => return (TextEncoding::Utf8, 0),
        Err(e) if e.error_len().is_none() && bytes.len() - e.valid_up_to() < 4 => {
            return (TextEncoding::Utf8, 0);
        }
        Err(_) => {}
    }
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    let win = WINDOWS_1251.decode_without_bom_handling(sample).0;
    let dos = IBM866.decode_without_bom_handling(sample).0;
    let count = |text: &str| {
        markers
            .iter()
            .map(|m| text.matches(m).count())
            .sum::<usize>()
    };
    let (win_keys, dos_keys) = (count(&win), count(&dos));
    if win_keys != dos_keys {
        let enc = if win_keys > dos_keys {
            TextEncoding::Windows1251
        } else {
            TextEncoding::Cp866
        };
        return (enc, 0);
    }
    let (win_score, dos_score) = (russian_score(&win), russian_score(&dos));
    if win_score != dos_score {
        let enc = if win_score > dos_score {
            TextEncoding::Windows1251
        } else {
            TextEncoding::Cp866
        };
        return (enc, 0);
    }
    match hint {
        Some(TextEncoding::Cp866) => (TextEncoding::Cp866, 0),
        _ => (TextEncoding::Windows1251, 0),
    }
}

/// How much a decoded text looks like Russian: Cyrillic letters count for, and the
/// box-drawing and other symbols that a wrong single-byte decoding produces count against.
fn russian_score(text: &str) -> i64 {
    let mut score = 0i64;
    let mut prev_cyr = false;
    for c in text.chars() {
        let cyr = matches!(c, 'А'..='я' | 'Ё' | 'ё');
        if cyr {
            // Words are runs of letters: reward letters that follow letters.
            score += if prev_cyr { 2 } else { 1 };
        } else if !c.is_ascii() && !matches!(c, '№' | '«' | '»' | '—' | '–' | '\u{00A0}') {
            score -= 2;
        }
        prev_cyr = cyr;
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(text: &str, e: &'static Encoding) -> Vec<u8> {
        e.encode(text).0.into_owned()
    }

    #[test]
    fn bom_and_valid_utf8_are_utf8() {
        let mut b = BOM.to_vec();
        b.extend_from_slice("Кодировка=DOS".as_bytes());
        assert_eq!(sniff(&b, &[], None), (TextEncoding::Utf8, 3));
        assert_eq!(
            sniff("Ромашка".as_bytes(), &[], Some(TextEncoding::Cp866)).0,
            TextEncoding::Utf8
        );
    }

    #[test]
    fn windows_1251_and_cp866_are_told_apart_by_the_text() {
        let text = "СекцияДокумент=Платежное поручение\nПлательщик1=ООО \"Ромашка\" №5\n";
        let w = enc(text, WINDOWS_1251);
        let d = enc(text, IBM866);
        let keys = ["СекцияДокумент", "Плательщик"];
        // The declared encoding loses to the bytes either way.
        assert_eq!(
            sniff(&w, &keys, Some(TextEncoding::Cp866)).0,
            TextEncoding::Windows1251
        );
        assert_eq!(
            sniff(&d, &keys, Some(TextEncoding::Windows1251)).0,
            TextEncoding::Cp866
        );
        assert_eq!(sniff(&w, &[], None).0, TextEncoding::Windows1251);
        assert_eq!(sniff(&d, &[], None).0, TextEncoding::Cp866);
        assert_eq!(TextEncoding::Cp866.decode(&d), text);
    }

    #[test]
    fn labels_as_banks_write_them() {
        for l in ["Windows", "windows", "windows-1251", "Wirdows", "ANSI"] {
            assert_eq!(
                TextEncoding::from_label(l),
                Some(TextEncoding::Windows1251),
                "{l}"
            );
        }
        assert_eq!(TextEncoding::from_label("DOS"), Some(TextEncoding::Cp866));
        assert_eq!(TextEncoding::from_label("UTF-8"), Some(TextEncoding::Utf8));
        assert_eq!(TextEncoding::from_label("koi8"), None);
    }
}
