//! Dates as 1C, banks and spreadsheets write them.
//!
//! Statements use `dd.mm.yyyy`; lists re-saved from 1C add a time (`15.03.2024 0:00:00`);
//! XML and machines write `yyyy-mm-dd` (optionally `THH:MM:SS`); purposes abbreviate the
//! year (`12.03.24`). One parser serves all readers so they agree on what a date is.

use chrono::NaiveDate;

/// Parses `dd.mm.yyyy`, `dd.mm.yy`, `yyyy-mm-dd` or `dd/mm/yyyy`, each optionally followed
/// by a time (after a space or `T`), which is ignored. A two-digit year is 20yy for
/// 00-69 and 19yy for 70-99. The separators of one date must agree.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let s = text.trim();
    let date_part = s.split([' ', 'T', '\u{00A0}']).next().unwrap_or("");
    if date_part.is_empty() {
        return None;
    }
    if let Some(rest) = date_part
        .strip_suffix("г.")
        .or_else(|| date_part.strip_suffix('г'))
    {
        return parse_date(rest);
    }
    let mut separators = date_part.chars().filter(|c| matches!(c, '.' | '-' | '/'));
    let first = separators.next();
    if separators.any(|c| Some(c) != first) {
        return None;
    }
    // Three parts, taken without an allocation (a statement has millions of dates).
    let mut parts = [""; 3];
    let mut count = 0;
    for part in date_part.split(['.', '-', '/']) {
        *parts.get_mut(count)? = part;
        count += 1;
    }
    if count != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let num = |p: &str| p.parse::<u32>().ok();
    let (y, m, d) = if parts[0].len() == 4 && date_part.contains('-') {
        (num(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else if parts[0].len() <= 2 && parts[1].len() <= 2 && !date_part.contains('-') {
        let y = match parts[2].len() {
            4 => num(parts[2])?,
            // Two-digit years: 00-69 are 20xx, 70-99 are 19xx.
            2 => match num(parts[2])? {
                y @ 0..=69 => 2000 + y,
                y => 1900 + y,
            },
            _ => return None,
        };
        (y, num(parts[1])?, num(parts[0])?)
    } else {
        return None;
    };
    if !(1900..=2199).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, m, d)
}

/// `dd.mm.yyyy`: how Russian people and spreadsheets read dates.
pub fn ru(date: NaiveDate) -> String {
    date.format("%d.%m.%Y").to_string()
}

/// `yyyy-mm-dd`: how JSON and machines read dates.
pub fn iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn accepts_the_forms_in_the_contract() {
        assert_eq!(parse_date("12.03.2024"), d(2024, 3, 12));
        assert_eq!(parse_date("12.03.24"), d(2024, 3, 12));
        assert_eq!(parse_date("12.03.99"), d(1999, 3, 12));

        assert_eq!(parse_date("2024-03-12"), d(2024, 3, 12));
        assert_eq!(parse_date("15.03.2024 0:00:00"), d(2024, 3, 15));
        assert_eq!(parse_date("2024-03-15T12:00:00"), d(2024, 3, 15));
        assert_eq!(parse_date("2024-03-15 12:00"), d(2024, 3, 15));
        assert_eq!(parse_date("1.3.2024"), d(2024, 3, 1));
        assert_eq!(parse_date("29.02.2024"), d(2024, 2, 29));
        assert_eq!(parse_date("11.12.2023г."), d(2023, 12, 11));
        assert_eq!(parse_date(" 01/04/2024 "), d(2024, 4, 1));
    }

    #[test]
    fn rejects_impossible_or_corrupted_dates() {
        assert_eq!(parse_date(""), None);
        assert_eq!(parse_date("29.02.2023"), None);
        assert_eq!(parse_date("32.01.2024"), None);
        assert_eq!(parse_date("23.08.201819202122"), None);
        assert_eq!(parse_date("0001-01-01T00:00:00"), None);
        assert_eq!(parse_date("T"), None);
        assert_eq!(parse_date("12.03"), None);
        assert_eq!(parse_date("2024.03.12"), None);
        assert_eq!(parse_date("31.03/2024"), None);

        assert_eq!(parse_date("abc"), None);
    }

    #[test]
    fn writes_russian_and_iso_forms() {
        let date = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
        assert_eq!(ru(date), "05.01.2024");
        assert_eq!(iso(date), "2024-01-05");
    }
}
