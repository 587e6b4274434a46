//! Character classes for Russian business text. `char::is_alphabetic` takes a slow table
//! lookup for every non-ASCII letter; purposes and names are mostly Cyrillic, so the
//! Cyrillic block is answered first and the table only for the rare other scripts.

/// A letter of any script, fast for Latin and Cyrillic.
#[inline]
pub fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, 'А'..='я' | 'Ё' | 'ё')
        || (!c.is_ascii() && c.is_alphabetic())
}

/// A letter or a digit, fast for Latin and Cyrillic.
#[inline]
pub fn is_letter_or_digit(c: char) -> bool {
    c.is_ascii_digit() || is_letter(c) || (!c.is_ascii() && c.is_numeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_standard_library() {
        for c in [
            'a', 'Z', 'ж', 'Ё', 'ё', 'Ω', 'é', '5', '٣', ' ', '№', '-', '«', '\u{a0}',
        ] {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
        }
    }
}
