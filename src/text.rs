//! Character classes for Russian business text, and the canonical form of document
//! numbers. `char::is_alphabetic` takes a slow table
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

/// Lower-cases text and reads `ё` as `е`, as the word lists compare it. Russian and Latin
/// letters take a fast path (a statement's purposes are lower-cased by the hundred
/// thousand); other letters follow Unicode.
pub fn fold_ru(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'А'..='Я' => out.push(char::from_u32(c as u32 + 32).unwrap_or(c)),
            'Ё' | 'ё' => out.push('е'),
            c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
            'а'..='я' => out.push(c),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Whether `fold_ru(text)` starts with `prefix` (given folded), folding only the start:
/// no character folds to nothing, so the text's first characters, as many as the
/// prefix has, decide.
pub fn folded_starts_with(text: &str, prefix: &str) -> bool {
    let k = prefix.chars().count();
    let head = text.char_indices().nth(k).map_or(text, |(i, _)| &text[..i]);
    fold_ru(head).starts_with(prefix)
}

/// Whether [`fold_ru`] would change the text beyond ASCII letters (an upper-case
/// non-ASCII letter or an `ё`).
pub fn needs_fold_beyond_ascii(text: &str) -> bool {
    text.chars()
        .any(|c| matches!(c, 'А'..='Я' | 'Ё' | 'ё') || !c.is_ascii() && c.is_uppercase())
}

/// The canonical form of a document number for comparison: the runs of letters and digits
/// between other characters, each with leading zeros dropped, Latin lookalikes read as
/// Cyrillic (`00БП-000045` = `БП-45`; `00БП000045` is one run, `БП000045`).
pub fn canonical_number(number: &str) -> crate::model::Text {
    let mut out = crate::model::Text::with_capacity(number.len());
    for group in number
        .split(|c: char| !is_letter_or_digit(c))
        .filter(|g| !g.is_empty())
    {
        let g = group.trim_start_matches('0');
        let g = if g.is_empty() { "0" } else { g };
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(g.chars().flat_map(char::to_uppercase).map(lookalike));
    }
    out
}

/// How many characters of an offending value a message quotes.
pub const SHOWN: usize = 60;

/// The value as a message quotes it: `"…"` with Rust escapes, cut after [`SHOWN`]
/// characters with the full length said (a 10 MiB cell must not become a 10 MiB warning).
pub fn quoted(value: &str) -> String {
    let mut chars = value.char_indices();
    match chars.nth(SHOWN) {
        None => format!("{value:?}"),
        Some((cut, _)) => {
            let head = &value[..cut];
            format!("{head:?}… ({} characters in all)", value.chars().count())
        }
    }
}

fn lookalike(c: char) -> char {
    match c {
        'A' => 'А',
        'B' => 'В',
        'C' => 'С',
        'E' => 'Е',
        'H' => 'Н',
        'K' => 'К',
        'M' => 'М',
        'O' => 'О',
        'P' => 'Р',
        'T' => 'Т',
        'X' => 'Х',
        'Y' => 'У',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folded_start_is_that_of_the_folded_text() {
        for text in [
            "Итого",
            "ИТОГО:",
            "всего",
            "Total",
            "Ёлка",
            "İtogo",
            "",
            "Ит",
            "12",
        ] {
            for prefix in ["итог", "всего", "total", "елк", "", "i"] {
                assert_eq!(
                    folded_starts_with(text, prefix),
                    fold_ru(text).starts_with(prefix),
                    "{text:?} {prefix:?}"
                );
            }
        }
    }

    #[test]
    fn folding_matches_unicode_lower_case_with_yo_as_e() {
        for text in [
            "Оплата ПО СЧЁТУ № 5",
            "ЁЛКА ёлка",
            "Straße ÄÖÜ Ωμέγα",
            "ОЗОН Ozon",
            "",
        ] {
            assert_eq!(
                fold_ru(text),
                text.to_lowercase().replace('ё', "е"),
                "{text}"
            );
        }
        assert!(needs_fold_beyond_ascii("Оплата"));
        assert!(needs_fold_beyond_ascii("ёлка"));
        assert!(needs_fold_beyond_ascii("Ω"));
        assert!(!needs_fold_beyond_ascii("оплата Ozon"));
    }

    #[test]
    fn agrees_with_the_standard_library() {
        for c in [
            'a', 'Z', 'ж', 'Ё', 'ё', 'Ω', 'é', '5', '٣', ' ', '№', '-', '«', '\u{a0}',
        ] {
            assert_eq!(is_letter(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_letter_or_digit(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn long_values_are_quoted_cut() {
        assert_eq!(quoted("ten"), "\"ten\"");
        let exact = "я".repeat(SHOWN);
        assert_eq!(quoted(&exact), format!("{exact:?}"));
        let long = format!("{}{}", "я".repeat(SHOWN), "x".repeat(1 << 20));
        let q = quoted(&long);
        assert!(q.starts_with(&format!("{exact:?}…")), "{q}");
        assert!(
            q.ends_with(&format!("({} characters in all)", SHOWN + (1 << 20))),
            "{q}"
        );
        assert!(q.len() < 200);
    }
}
