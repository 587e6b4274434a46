//! INN (ИНН, taxpayer number) and KPP: normalisation and the checksum.
//!
//! A party is identified by its INN, so an INN is trusted only when its control digits
//! are right: a mistyped INN (`7707083894` instead of `7707083893`) must not create a
//! phantom customer. Banks also write `0` or nothing for people paying from a card.

/// Weights of the control digits (ФНС order of 2002).
const W10: [u32; 9] = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12_1: [u32; 10] = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const W12_2: [u32; 11] = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

fn control(digits: &[u32], weights: &[u32]) -> u32 {
    digits.iter().zip(weights).map(|(d, w)| d * w).sum::<u32>() % 11 % 10
}

/// True when `inn` is a 10-digit (company) or 12-digit (person) INN with valid control digits.
pub fn is_valid_inn(inn: &str) -> bool {
    if !inn.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let d: Vec<u32> = inn.bytes().map(|b| u32::from(b - b'0')).collect();
    match d.len() {
        10 => d.iter().any(|&x| x != 0) && control(&d[..9], &W10) == d[9],
        12 => {
            d.iter().any(|&x| x != 0)
                && control(&d[..10], &W12_1) == d[10]
                && control(&d[..11], &W12_2) == d[11]
        }
        _ => false,
    }
}

/// The INN as written with whitespace removed; `None` for empty and all-zero values,
/// which banks use for "no INN".
pub fn clean_inn(raw: &str) -> Option<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() || s.bytes().all(|b| b == b'0') {
        None
    } else {
        Some(s)
    }
}

/// The KPP as written with whitespace removed; `None` for empty and `0`.
pub fn clean_kpp(raw: &str) -> Option<String> {
    clean_inn(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_company_and_person_inns() {
        assert!(is_valid_inn("7707083893")); // Сбербанк
        assert!(is_valid_inn("7736207543"));
        assert!(is_valid_inn("500100732259"));
    }

    #[test]
    fn invalid_control_digits_and_shapes() {
        assert!(!is_valid_inn("7707083894"));
        assert!(!is_valid_inn("500100732250"));
        assert!(!is_valid_inn("0000000000"));
        assert!(!is_valid_inn("770708389"));
        assert!(!is_valid_inn("77070838931"));
        assert!(!is_valid_inn("77070838a3"));
        assert!(!is_valid_inn(""));
    }

    #[test]
    fn zero_and_blank_mean_no_inn() {
        assert_eq!(clean_inn("0"), None);
        assert_eq!(clean_inn("  "), None);
        assert_eq!(clean_inn("000000000000"), None);
        assert_eq!(clean_inn("7736654321\t").as_deref(), Some("7736654321"));
        assert_eq!(clean_kpp("0"), None);
    }
}
