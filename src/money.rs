//! Money: the one strict amount parser every reader uses, and the formatting every
//! renderer uses.
//!
//! Amounts arrive as text written by banks, 1C and people re-saving lists in Excel:
//! `1000`, `22.9`, `1 234,56` (with a space, NBSP or narrow NBSP between groups),
//! `1.234.567,89`, `-500,00`. They are parsed into `rust_decimal::Decimal` by hand so
//! that nothing ambiguous slips through: group separators must separate groups of three
//! digits, there is at most one decimal separator, and fractions longer than two digits
//! are accepted only when the extra digits are zeros (`231.7400`). `Decimal::from_str`
//! alone would accept `1e5` and reject `1 234,56`; a float would lose kopecks.

use rust_decimal::Decimal;
use std::fmt;

/// The largest number of integer digits accepted: a quadrillion roubles is beyond any
/// real invoice and keeps every sum far from `Decimal`'s limits.
const MAX_INT_DIGITS: usize = 15;

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("empty amount")]
    Empty,
    #[error("not an amount: unexpected character {0:?}")]
    BadChar(char),
    #[error("not an amount: misplaced digit group separator")]
    BadGrouping,
    #[error("not an amount: more than one decimal separator")]
    TwoDecimalSeparators,
    #[error("not an amount: more than two decimal places")]
    TooManyDecimals,
    #[error("not an amount: no digits")]
    NoDigits,
    #[error(
        "amount too large (more than {MAX_INT_DIGITS} digits before the decimal point): check the amount as exported"
    )]
    TooLarge,
    #[error("ambiguous amount: the separator may group thousands or mark decimals")]
    Ambiguous,
}

fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\'')
}

/// Parses an amount written the way Russian accounting software and people write it.
///
/// Accepted: an optional leading `-` (or `+`), digits optionally grouped by threes with a
/// space, NBSP, narrow NBSP, thin space or apostrophe, or with `.`/`,` when the other one
/// is the decimal separator; one decimal separator `,` or `.` followed by at most two
/// digits (more only if they are trailing zeros). Surrounding whitespace is ignored.
pub fn parse_amount(text: &str) -> Result<Decimal, AmountError> {
    let s = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if s.is_empty() {
        return Err(AmountError::Empty);
    }
    let (negative, body) = match s.as_bytes()[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let body = body.trim_start_matches(is_group_space);
    if body.is_empty() {
        return Err(AmountError::NoDigits);
    }
    for c in body.chars() {
        if !(c.is_ascii_digit() || c == '.' || c == ',' || is_group_space(c)) {
            return Err(AmountError::BadChar(c));
        }
    }
    let dots = body.matches('.').count();
    let commas = body.matches(',').count();
    // Decide which character, if any, is the decimal separator.
    let decimal_sep = match (dots, commas) {
        (0, 0) => None,
        (_, 0) if dots > 1 => None, // 1.234.567: dots group thousands
        (0, _) if commas > 1 => None,
        (_, 0) => Some('.'),
        (0, _) => Some(','),
        _ => {
            // Both present: the last one is the decimal separator, and it must be unique.
            let last = body.rfind(['.', ',']).map(|i| body.as_bytes()[i] as char);
            let sep = last.unwrap_or('.');
            let count = if sep == '.' { dots } else { commas };
            if count > 1 {
                return Err(AmountError::TwoDecimalSeparators);
            }
            Some(sep)
        }
    };
    let (int_part, frac_part) = match decimal_sep {
        Some(sep) => {
            let i = body.rfind(sep).unwrap_or(body.len());
            (&body[..i], &body[i + sep.len_utf8()..])
        }
        None => (body, ""),
    };
    // `1,000` or `1.000` alone: a thousand in one convention, one in the other.
    let lone_separator = dots + commas == 1;
    let int_digits = int_part.trim_start_matches('0');
    if lone_separator && frac_part.len() == 3 && !int_digits.is_empty() && int_part.len() <= 3 {
        return Err(AmountError::Ambiguous);
    }

    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return Err(AmountError::BadGrouping);
    }
    let (any_digit, integer) = integer_digits(int_part, decimal_sep)?;
    if !any_digit && frac_part.is_empty() {
        return Err(AmountError::NoDigits);
    }
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > 2 {
        return Err(AmountError::TooManyDecimals);
    }
    let mut mantissa = integer;
    for b in frac.bytes() {
        mantissa = mantissa * 10 + i128::from(b - b'0');
    }
    let mut value = Decimal::from_i128_with_scale(mantissa, frac.len() as u32);
    value.rescale(2);
    if negative {
        value.set_sign_negative(true);
    }
    if value.is_zero() {
        value.set_sign_negative(false);
    }
    Ok(value)
}

/// The integer part with its group separators checked: whether it has any digit, and
/// its value (at most [`MAX_INT_DIGITS`] significant digits). Read without an
/// allocation: a statement has an amount in every document.
fn integer_digits(int_part: &str, decimal_sep: Option<char>) -> Result<(bool, i128), AmountError> {
    let group_chars: &[char] = match decimal_sep {
        Some('.') => &[','],
        Some(_) => &['.'],
        None => &['.', ','],
    };
    let groups = || int_part.split(|c: char| is_group_space(c) || group_chars.contains(&c));
    let mut all = groups();
    let first = all.next().unwrap_or("");
    if all.next().is_some()
        && (first.is_empty() || first.len() > 3 || groups().skip(1).any(|g| g.len() != 3))
    {
        return Err(AmountError::BadGrouping);
    }
    let mut any_digit = false;
    let mut significant = 0;
    let mut value: i128 = 0;
    for b in groups().flat_map(str::bytes) {
        any_digit = true;
        if value == 0 && b == b'0' {
            continue;
        }
        significant += 1;
        if significant > MAX_INT_DIGITS {
            return Err(AmountError::TooLarge);
        }
        value = value * 10 + i128::from(b - b'0');
    }
    Ok((any_digit, value))
}

/// Rounds to kopecks (banker's rounding is wrong for money: half away from zero).
pub fn round2(value: Decimal) -> Decimal {
    let mut v =
        value.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    v.rescale(2);
    v
}

/// The amount with exactly two decimals and a point: `60000.00` (JSON, plain CSV).
pub fn plain(value: Decimal) -> String {
    format!("{:.2}", round2(value))
}

/// How a renderer writes money.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyStyle {
    /// `1 234,56` with a space between groups: for people reading a table.
    Grouped,
    /// `1,234.56`: for people reading a table in English.
    GroupedEn,
    /// `1234,56`: for Russian spreadsheets (a grouped number would become text).
    Comma,
    /// `1234.56`: for machines.
    Point,
}

/// Formats money in the given style.
pub struct Money(pub Decimal, pub MoneyStyle);

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = plain(self.0);
        match self.1 {
            MoneyStyle::Point => f.write_str(&text),
            MoneyStyle::Comma => f.write_str(&text.replace('.', ",")),
            MoneyStyle::Grouped | MoneyStyle::GroupedEn => {
                let (group, point) = if self.1 == MoneyStyle::Grouped {
                    (' ', ',')
                } else {
                    (',', '.')
                };
                let (sign, rest) = match text.strip_prefix('-') {
                    Some(r) => ("-", r),
                    None => ("", text.as_str()),
                };
                let (int, frac) = rest.split_once('.').unwrap_or((rest, "00"));
                let mut out = String::with_capacity(text.len() + 6);
                out.push_str(sign);
                for (i, ch) in int.chars().enumerate() {
                    if i > 0 && (int.len() - i) % 3 == 0 {
                        out.push(group);
                    }
                    out.push(ch);
                }
                out.push(point);
                out.push_str(frac);
                f.write_str(&out)
            }
        }
    }
}

/// Splits `total` in proportion to `weights`, in kopecks, by the largest remainder: the
/// parts always add up to the total exactly.
pub fn pro_rata(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().sum();
    if sum.is_zero() || weights.is_empty() {
        return vec![Decimal::ZERO; weights.len()];
    }
    let kopeck = Decimal::new(1, 2);
    let exact: Vec<Decimal> = weights.iter().map(|w| total * *w / sum).collect();
    let mut parts: Vec<Decimal> = exact
        .iter()
        .map(|e| e.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::ToZero))
        .collect();
    let mut left = total - parts.iter().sum::<Decimal>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - parts[b])
            .cmp(&(exact[a] - parts[a]))
            .then(a.cmp(&b))
    });
    for i in order {
        if left < kopeck {
            break;
        }
        if exact[i] > parts[i] {
            parts[i] += kopeck;
            left -= kopeck;
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn ok(s: &str) -> Decimal {
        parse_amount(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
    }

    #[test]
    fn statement_amounts_with_zero_one_or_two_decimals() {
        assert_eq!(ok("1000"), dec!(1000.00));
        assert_eq!(ok("22.9"), dec!(22.90));
        assert_eq!(ok("316277.35"), dec!(316277.35));
        assert_eq!(ok("0.01"), dec!(0.01));
        assert_eq!(ok("1234567.89"), dec!(1234567.89));
    }

    #[test]
    fn russian_grouped_amounts() {
        assert_eq!(ok("1 234,56"), dec!(1234.56));
        assert_eq!(ok("1\u{00A0}234,56"), dec!(1234.56));
        assert_eq!(ok("1\u{202F}234\u{202F}567,89"), dec!(1234567.89));
        assert_eq!(ok("1.234.567,89"), dec!(1234567.89));
        assert_eq!(ok("1,234,567.89"), dec!(1234567.89));
        assert_eq!(ok("-500,00"), dec!(-500.00));
        assert_eq!(ok(" 12 345,6 "), dec!(12345.60));
        assert_eq!(ok("231.7400"), dec!(231.74));
        assert_eq!(ok("1.234.567"), dec!(1234567));
    }

    #[test]
    fn rejects_what_is_not_an_amount() {
        assert_eq!(parse_amount(""), Err(AmountError::Empty));
        assert_eq!(parse_amount("-"), Err(AmountError::NoDigits));
        assert_eq!(parse_amount("1e5"), Err(AmountError::BadChar('e')));
        assert_eq!(parse_amount("12 34,00"), Err(AmountError::BadGrouping));
        assert_eq!(parse_amount("1,234"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("1.000"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("100,000"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("1234.567"), Err(AmountError::TooManyDecimals));
        assert_eq!(
            parse_amount("1.2.3,4,5"),
            Err(AmountError::TwoDecimalSeparators)
        );
        assert_eq!(parse_amount("10.005"), Err(AmountError::Ambiguous));
        assert_eq!(parse_amount("0.500"), Ok(dec!(0.50)));

        assert_eq!(parse_amount("руб"), Err(AmountError::BadChar('р')));
        assert_eq!(parse_amount("1234567890123456"), Err(AmountError::TooLarge));
        assert_eq!(
            parse_amount("999999999999999.99"),
            Ok(dec!(999999999999999.99))
        );
        // Huge inputs are refused, never overflow.
        let huge = "9".repeat(1 << 20);
        assert_eq!(parse_amount(&huge), Err(AmountError::TooLarge));
        assert_eq!(
            parse_amount(&format!("-{huge},00")),
            Err(AmountError::TooLarge)
        );
        let zeros = format!("{}1,50", "0".repeat(1 << 20));
        assert_eq!(parse_amount(&zeros), Ok(dec!(1.50)));
        assert!(parse_amount("NaN").is_err());
        assert!(parse_amount("1 234 567-89").is_err());
    }

    #[test]
    fn formats_money_for_people_spreadsheets_and_machines() {
        let v = dec!(1234567.8);
        assert_eq!(Money(v, MoneyStyle::Grouped).to_string(), "1 234 567,80");
        assert_eq!(Money(v, MoneyStyle::GroupedEn).to_string(), "1,234,567.80");
        assert_eq!(Money(v, MoneyStyle::Comma).to_string(), "1234567,80");

        assert_eq!(Money(v, MoneyStyle::Point).to_string(), "1234567.80");
        assert_eq!(
            Money(dec!(-500), MoneyStyle::Grouped).to_string(),
            "-500,00"
        );
        assert_eq!(Money(dec!(999), MoneyStyle::Grouped).to_string(), "999,00");
        assert_eq!(Money(dec!(0), MoneyStyle::Grouped).to_string(), "0,00");
        assert_eq!(plain(dec!(60000)), "60000.00");
        assert_eq!(plain(dec!(0.005)), "0.01");
    }
}
