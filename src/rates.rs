//! Exchange rates for invoices in a foreign currency or in у.е. (conventional units
//! pegged to a currency), from a file the user gives.
//!
//! Statements are in roubles while some invoices are in USD, EUR, CNY or у.е.; comparing
//! them needs the rate of the day. sverka does not fetch rates: the user exports them
//! (from 1C's currency register, the ЦБ site or a spreadsheet) and names the file, so a
//! run is reproducible and works offline. A rate stays in force until the next one
//! (the ЦБ sets no rate on weekends and holidays).
//!
//! The file is a delimited text (`;`, tab or `,`, whichever makes the header readable;
//! fields may be quoted with `"`), UTF-8 (with or without a BOM) or Windows-1251. The
//! first non-blank line that is not a `#` comment is the header; its names are Russian
//! or English, in any order, any case; other columns are ignored:
//!
//! | column | names | value |
//! |---|---|---|
//! | date | `Дата`, `Date` | any form [`parse_date`] accepts |
//! | currency | `Валюта`, `Currency` | a code as [`normalize_currency`] makes it: `USD`, `840`, `евро`, `у.е.` |
//! | rate | `Курс`, `Rate` | roubles per `units` units: `92,5123`, `1 234,5678`, `92.5` |
//! | units (optional) | `Кратность`, `Units`, `Номинал`, `Nominal` | a whole number, default 1 |
//!
//! ```text
//! Дата;Валюта;Курс;Кратность
//! 01.03.2024;USD;91,6879;1
//! 01.03.2024;KZT;20,5;100
//! ```
//!
//! Rates have four or more decimals, so they are not read with
//! [`crate::money::parse_amount`] (kopecks only) but by an equally strict parser of
//! their own: digits, spaces (or NBSP) between groups of three, one `,` or `.`, at most
//! six significant decimals, more than zero. Every bad row is an error naming its line;
//! two rates of one currency on one date are an error naming both lines.

use crate::dates::{parse_date, ru};
use crate::formats::lines::split_record;
use crate::formats::{encoding, lines};
use crate::model::{RUB, normalize_currency};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

/// Exchange rates: per currency code, the rate per one unit by the date it takes effect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rates {
    by_currency: BTreeMap<String, BTreeMap<NaiveDate, Decimal>>,
}

/// A line of a rates file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct RateError {
    /// 1-based line number in the file.
    pub line: u32,
    pub message: String,
}

/// The largest number of integer digits in a rate or a number of units.
const MAX_INT_DIGITS: usize = 12;
/// The most decimals a rate may have (trailing zeros aside).
const MAX_DECIMALS: usize = 6;

impl Rates {
    /// Reads a rates file: every rate, or every error (not just the first).
    pub fn parse(text: &str) -> Result<Rates, Vec<RateError>> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut rows = lines::numbered(text.as_bytes())
            .map(|(n, l)| (n, String::from_utf8_lossy(l)))
            .filter(|(_, l)| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            });
        let Some((header_line, header)) = rows.next() else {
            return Err(vec![RateError {
                line: 1,
                message: format!("no header row: expected the columns {EXPECTED}"),
            }]);
        };
        let columns = Columns::find(&header).map_err(|message| {
            vec![RateError {
                line: header_line,
                message,
            }]
        })?;

        let mut rates = Rates::default();
        let mut first_line: BTreeMap<(String, NaiveDate), u32> = BTreeMap::new();
        let mut errors = Vec::new();
        for (line, text) in rows {
            let cells = split_record(&text, columns.delimiter);
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            match columns.row(&cells) {
                Ok(None) => {}
                Ok(Some((currency, date, rate))) => {
                    match first_line.entry((currency.clone(), date)) {
                        Entry::Occupied(e) => errors.push(RateError {
                            line,
                            message: format!(
                                "a second {currency} rate on {}: line {} already gives one",
                                ru(date),
                                e.get()
                            ),
                        }),
                        Entry::Vacant(e) => {
                            e.insert(line);
                            rates
                                .by_currency
                                .entry(currency)
                                .or_default()
                                .insert(date, rate);
                        }
                    }
                }
                Err(messages) => {
                    errors.extend(
                        messages
                            .into_iter()
                            .map(|message| RateError { line, message }),
                    );
                }
            }
        }
        if errors.is_empty() {
            Ok(rates)
        } else {
            Err(errors)
        }
    }

    /// Reads a rates file from bytes: UTF-8 (with or without a BOM) or Windows-1251.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Rates, Vec<RateError>> {
        let (enc, bom) = encoding::sniff(bytes, &["Дата", "Валюта", "Курс", "Кратность"], None);
        let text = enc.decode(bytes.get(bom..).unwrap_or_default());
        Rates::parse(&text)
    }

    /// The rate of `currency` on `date`: the latest rate dated on or before it (the ЦБ
    /// rate stays until the next one); `None` when there is none that early or the
    /// currency is unknown. RUB is always 1.
    pub fn on(&self, currency: &str, date: NaiveDate) -> Option<Decimal> {
        self.dated(currency, date).map(|(_, rate)| rate)
    }

    /// Like [`Rates::on`], with the date of the rate used (RUB: `date` itself).
    pub fn dated(&self, currency: &str, date: NaiveDate) -> Option<(NaiveDate, Decimal)> {
        let code = normalize_currency(currency);
        if code == RUB {
            return Some((date, Decimal::ONE));
        }
        self.by_currency
            .get(&*code)?
            .range(..=date)
            .next_back()
            .map(|(day, rate)| (*day, *rate))
    }

    /// True when no currency has a rate.
    pub fn is_empty(&self) -> bool {
        self.by_currency.is_empty()
    }

    /// Adds a rate (for tests and for rates given in the settings file): `rate` roubles
    /// per one unit of `currency` from `date` on. A rate already set for that date is
    /// replaced; RUB is always 1 and is not stored. The caller checks `rate` > 0.
    pub fn insert(&mut self, currency: &str, date: NaiveDate, rate: Decimal) {
        let code = normalize_currency(currency);
        if code == RUB {
            return;
        }
        self.by_currency
            .entry(code.to_string())
            .or_default()
            .insert(date, rate);
    }

    /// The currencies with rates, in code order (for messages such as "no rate for X").
    pub fn currencies(&self) -> impl Iterator<Item = &str> {
        self.by_currency.keys().map(String::as_str)
    }
}

/// What the header must name, for messages.
const EXPECTED: &str = "Дата/Date, Валюта/Currency, Курс/Rate (and optionally Кратность/Units)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Date,
    Currency,
    Rate,
    Units,
}

impl Col {
    fn from_name(name: &str) -> Option<Col> {
        let n = name
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
            .trim_end_matches(['.', ':'])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        match n.as_str() {
            "дата" | "date" | "дата курса" | "rate date" => Some(Col::Date),
            "валюта" | "currency" | "код валюты" | "currency code" => {
                Some(Col::Currency)
            }
            "курс" | "rate" | "курс цб" | "exchange rate" => Some(Col::Rate),
            "кратность" | "units" | "unit" | "номинал" | "nominal" => {
                Some(Col::Units)
            }
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Col::Date => "Дата/Date",
            Col::Currency => "Валюта/Currency",
            Col::Rate => "Курс/Rate",
            Col::Units => "Кратность/Units",
        }
    }
}

/// A rate read from a row: currency code, date, roubles per one unit.
type Row = (String, NaiveDate, Decimal);

/// The header: the delimiter and the index of each column.
#[derive(Debug, Clone, Copy)]
struct Columns {
    delimiter: char,
    date: usize,
    currency: usize,
    rate: usize,
    units: Option<usize>,
}

impl Columns {
    /// Reads the header with the delimiter that recognises the most names (`;` first on
    /// a tie, then tab, then `,`).
    fn find(header: &str) -> Result<Columns, String> {
        let mut best: Option<(usize, char, Vec<Option<Col>>)> = None;
        for delimiter in [';', '\t', ','] {
            let cols: Vec<Option<Col>> = split_record(header, delimiter)
                .iter()
                .map(|c| Col::from_name(c))
                .collect();
            let known = cols.iter().flatten().count();
            if best.as_ref().is_none_or(|(k, _, _)| known > *k) {
                best = Some((known, delimiter, cols));
            }
        }
        let Some((_, delimiter, cols)) = best.filter(|(k, _, _)| *k > 0) else {
            return Err(format!(
                "the first line is not a header: expected the columns {EXPECTED}, found {:?}",
                header.trim()
            ));
        };
        let mut index: [Option<usize>; 4] = [None; 4];
        for (i, col) in cols.iter().enumerate() {
            let Some(col) = *col else { continue };
            let slot = &mut index[col as usize];
            if let Some(first) = *slot {
                return Err(format!(
                    "columns {} and {} are both {}",
                    first + 1,
                    i + 1,
                    col.label()
                ));
            }
            *slot = Some(i);
        }
        let missing: Vec<&str> = [Col::Date, Col::Currency, Col::Rate]
            .into_iter()
            .filter(|c| index[*c as usize].is_none())
            .map(Col::label)
            .collect();
        match (
            index[Col::Date as usize],
            index[Col::Currency as usize],
            index[Col::Rate as usize],
        ) {
            (Some(date), Some(currency), Some(rate)) => Ok(Columns {
                delimiter,
                date,
                currency,
                rate,
                units: index[Col::Units as usize],
            }),
            _ => Err(format!(
                "the header has no {} column: {:?}",
                missing.join(", no "),
                header.trim()
            )),
        }
    }

    /// One row: `(currency, date, rate per one unit)`, `None` for a rouble row of 1, or
    /// every problem of the row.
    fn row(&self, cells: &[String]) -> Result<Option<Row>, Vec<String>> {
        let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
        let mut errors = Vec::new();

        let date_text = cell(self.date);
        let date = if date_text.is_empty() {
            errors.push("no date".to_string());
            None
        } else {
            let d = parse_date(date_text);
            if d.is_none() {
                errors.push(format!("not a date: {date_text:?}"));
            }
            d
        };

        let currency_text = cell(self.currency);
        let currency = currency(currency_text).map_err(|e| errors.push(e)).ok();

        let rate_text = cell(self.rate);
        let rate = match parse_rate(rate_text) {
            Ok(r) if r.is_zero() => {
                errors.push(format!("the rate must be more than zero: {rate_text:?}"));
                None
            }
            Ok(r) => Some(r),
            Err(e) => {
                errors.push(format!("not a rate: {rate_text:?} ({e})"));
                None
            }
        };

        let units_text = self.units.map_or("", cell);
        let units = if units_text.is_empty() {
            Some(Decimal::ONE)
        } else {
            match parse_rate(units_text) {
                Ok(u) if !u.is_zero() && u.fract().is_zero() => Some(u),
                _ => {
                    errors.push(format!(
                        "not a number of units (a whole number more than zero): {units_text:?}"
                    ));
                    None
                }
            }
        };

        let (Some(date), Some(currency), Some(rate), Some(units)) = (date, currency, rate, units)
        else {
            return Err(errors);
        };
        let Some(per_unit) = rate.checked_div(units).map(|r| r.normalize()) else {
            return Err(vec![format!(
                "the rate {rate_text:?} per {units_text:?} units cannot be computed"
            )]);
        };
        if per_unit.is_zero() {
            return Err(vec![format!(
                "the rate {rate_text:?} per {units_text:?} units is too small"
            )]);
        }
        if currency == RUB {
            return if per_unit == Decimal::ONE {
                Ok(None)
            } else {
                Err(vec![format!(
                    "a rouble is always 1 rouble, not {rate_text:?}"
                )])
            };
        }
        Ok(Some((currency, date, per_unit)))
    }
}

/// A currency cell as a code, as invoices carry it.
fn currency(text: &str) -> Result<String, String> {
    if text.is_empty() {
        return Err("no currency".to_string());
    }
    let code = normalize_currency(text);
    if code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "unknown numeric currency code {text:?}: write the letter code (KZT, BYN, …)"
        ));
    }
    if code.chars().any(char::is_whitespace) || code.chars().count() > 10 {
        return Err(format!("not a currency code: {text:?}"));
    }
    Ok(code.to_string())
}

/// Group separators accepted between groups of three digits.
fn is_group_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}')
}

/// Parses a rate or a number of units: digits (optionally grouped by threes with a
/// space, NBSP, narrow NBSP or thin space), then optionally one `,` or `.` and at most
/// six decimals (more only if they are trailing zeros). No sign, no exponent. Zero is
/// returned as zero: the caller decides whether it is allowed.
fn parse_rate(text: &str) -> Result<Decimal, String> {
    let s = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    if s.is_empty() {
        return Err("empty".to_string());
    }
    if let Some(c) = s
        .chars()
        .find(|&c| !(c.is_ascii_digit() || c == ',' || c == '.' || is_group_space(c)))
    {
        return Err(format!("unexpected character {c:?}"));
    }
    let (int_part, frac_part) = match s.find([',', '.']) {
        // `,` and `.` are one byte each.
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    if frac_part.contains([',', '.']) {
        return Err("more than one decimal separator".to_string());
    }
    if !frac_part.bytes().all(|b| b.is_ascii_digit()) {
        return Err("a space after the decimal separator".to_string());
    }
    let groups: Vec<&str> = int_part.split(is_group_space).collect();
    if groups.len() > 1
        && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3))
    {
        return Err("misplaced digit group separator".to_string());
    }
    let digits = groups.concat();
    if digits.is_empty() {
        return Err("no digits before the decimal separator".to_string());
    }
    let significant = digits.trim_start_matches('0');
    if significant.len() > MAX_INT_DIGITS {
        return Err(format!(
            "too large (more than {MAX_INT_DIGITS} digits before the decimal separator)"
        ));
    }
    let frac = frac_part.trim_end_matches('0');
    if frac.len() > MAX_DECIMALS {
        return Err(format!("more than {MAX_DECIMALS} decimals"));
    }
    let mut mantissa: i128 = 0;
    for b in significant.bytes().chain(frac.bytes()) {
        mantissa = mantissa * 10 + i128::from(b - b'0');
    }
    Decimal::try_from_i128_with_scale(mantissa, frac.len() as u32)
        .map_err(|_| "too large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rates(text: &str) -> Rates {
        Rates::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e:?}"))
    }

    fn errors(text: &str) -> Vec<RateError> {
        match Rates::parse(text) {
            Ok(r) => panic!("{text:?} parsed: {r:?}"),
            Err(e) => e,
        }
    }

    /// The single error of a text, checked to be on `line` and to mention `needle`.
    fn error_on(text: &str, line: u32, needle: &str) {
        let e = errors(text);
        assert_eq!(e.len(), 1, "{text:?}: {e:?}");
        assert_eq!(e[0].line, line, "{e:?}");
        assert!(
            e[0].message.contains(needle),
            "{:?} does not mention {needle:?}",
            e[0].message
        );
    }

    const CBR: &str = "\
Дата;Валюта;Курс;Кратность
01.03.2024;USD;91,6879;1
05.03.2024;USD;91,3242;1
01.03.2024;EUR;99,1919;1
01.03.2024;KZT;20,5;100
";

    #[test]
    fn the_rate_in_force_before_on_and_after_its_date() {
        let r = rates(CBR);
        assert!(!r.is_empty());
        assert_eq!(r.on("USD", d(2024, 2, 29)), None, "before the first rate");
        assert_eq!(r.on("USD", d(2024, 3, 1)), Some(dec!(91.6879)));
        assert_eq!(r.on("USD", d(2024, 3, 4)), Some(dec!(91.6879)), "weekend");
        assert_eq!(r.on("USD", d(2024, 3, 5)), Some(dec!(91.3242)));
        assert_eq!(
            r.on("USD", d(2025, 1, 1)),
            Some(dec!(91.3242)),
            "long after"
        );
        assert_eq!(r.on("EUR", d(2024, 3, 10)), Some(dec!(99.1919)));
        assert_eq!(r.on("CNY", d(2024, 3, 10)), None, "unknown currency");
        assert_eq!(
            r.currencies().collect::<Vec<_>>(),
            vec!["EUR", "KZT", "USD"]
        );
    }

    #[test]
    fn units_divide_the_rate() {
        let r = rates(CBR);
        assert_eq!(r.on("KZT", d(2024, 3, 1)), Some(dec!(0.205)));
        let r = rates("Date,Currency,Rate,Units\n2024-03-01,JPY,\"60,8523\",100\n");
        assert_eq!(r.on("JPY", d(2024, 3, 1)), Some(dec!(0.608523)));
        let r = rates("Курс;Валюта;Дата;Номинал\n\"1 234,5678\";IDR;01.03.2024;10 000\n");
        assert_eq!(r.on("IDR", d(2024, 3, 1)), Some(dec!(0.12345678)));
        // An empty units cell means 1.
        let r = rates("Дата;Валюта;Курс;Кратность\n01.03.2024;USD;91,6879;\n");
        assert_eq!(r.on("USD", d(2024, 3, 1)), Some(dec!(91.6879)));
    }

    #[test]
    fn rouble_is_always_one_and_codes_are_normalised() {
        let r = rates(
            "Дата;Валюта;Курс\n01.03.2024;840;91,6879\n01.03.2024;евро;99,19\n01.03.2024;у.е.;100\n01.03.2024;руб.;1\n",
        );
        assert_eq!(r.on("RUB", d(2000, 1, 1)), Some(Decimal::ONE));
        assert_eq!(r.on("руб.", d(2000, 1, 1)), Some(Decimal::ONE));
        assert_eq!(r.on("USD", d(2024, 3, 1)), Some(dec!(91.6879)));
        assert_eq!(r.on("usd", d(2024, 3, 1)), Some(dec!(91.6879)));
        assert_eq!(r.on("EUR", d(2024, 3, 1)), Some(dec!(99.19)));
        assert_eq!(r.on("у.е.", d(2024, 3, 1)), Some(dec!(100)));
        assert_eq!(r.on("у.е", d(2024, 3, 1)), Some(dec!(100)));
        assert!(!r.currencies().any(|c| c == RUB));
        assert_eq!(
            Rates::default().on("RUB", d(2024, 1, 1)),
            Some(Decimal::ONE)
        );
    }

    #[test]
    fn semicolon_tab_and_comma_files_in_any_column_order() {
        let semi = rates("Дата;Валюта;Курс\n01.03.2024;USD;91,6879\n");
        let tab = rates("Currency\tRate\tDate\nUSD\t91.6879\t2024-03-01\n");
        let comma = rates("Rate,Date,Currency\n\"91,6879\",01.03.2024,USD\n");
        let comma_point = rates("rate,date,currency\n91.6879,01.03.2024,usd\n");
        assert_eq!(semi, tab);
        assert_eq!(semi, comma);
        assert_eq!(semi, comma_point);
        // Extra columns, comments, blank and empty rows are ignored.
        let r = rates(
            "# ЦБ РФ\nДата;Наименование;Валюта;Курс\n\n01.03.2024;Доллар США;USD;91,6879\n;;;\n",
        );
        assert_eq!(r, semi);
    }

    #[test]
    fn utf8_bom_and_windows_1251_bytes() {
        let text = "Дата;Валюта;Курс;Кратность\r\n01.03.2024;евро;99,1919;1\r\n";
        let expected = rates(text);
        assert_eq!(expected.on("EUR", d(2024, 3, 1)), Some(dec!(99.1919)));
        let mut bom = encoding::BOM.to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(Rates::parse_bytes(&bom).unwrap(), expected);
        let win = encoding_rs::WINDOWS_1251.encode(text).0;
        assert_eq!(Rates::parse_bytes(&win).unwrap(), expected);
    }

    #[test]
    fn strict_rate_numbers() {
        assert_eq!(parse_rate("91,6879"), Ok(dec!(91.6879)));
        assert_eq!(parse_rate("1 234,5678"), Ok(dec!(1234.5678)));
        assert_eq!(parse_rate("1\u{a0}234.5"), Ok(dec!(1234.5)));
        assert_eq!(parse_rate("0,000123"), Ok(dec!(0.000123)));
        assert_eq!(parse_rate("91.68790000"), Ok(dec!(91.6879)));
        assert_eq!(parse_rate("100"), Ok(dec!(100)));
        assert!(parse_rate("0,0000001").is_err(), "seven decimals");
        assert!(parse_rate("1.234,56").is_err(), "two separators");
        assert!(parse_rate("12 34,5").is_err(), "bad grouping");
        assert!(parse_rate("-91,5").is_err());
        assert!(parse_rate("9e1").is_err());
        assert!(parse_rate(",5").is_err());
        assert!(parse_rate("91, 5").is_err());
        assert!(parse_rate("1234567890123,5").is_err());
        assert!(parse_rate("").is_err());
    }

    #[test]
    fn bad_dates_rates_and_units_with_their_lines() {
        error_on(
            "Дата;Валюта;Курс\n01.03.2024;USD;91,6879\n31.02.2024;USD;91,5\n",
            3,
            "not a date: \"31.02.2024\"",
        );
        error_on("Дата;Валюта;Курс\n\n;USD;91,5\n", 3, "no date");
        error_on(
            "Дата;Валюта;Курс\n01.03.2024;USD;девяносто\n",
            2,
            "not a rate: \"девяносто\"",
        );
        error_on(
            "Дата;Валюта;Курс\n01.03.2024;USD;91,68791234\n",
            2,
            "more than 6 decimals",
        );
        error_on(
            "Дата;Валюта;Курс\n01.03.2024;USD;0,0000\n",
            2,
            "the rate must be more than zero: \"0,0000\"",
        );
        error_on("Дата;Валюта;Курс\n01.03.2024;USD;\n", 2, "not a rate: \"\"");
        error_on(
            "Дата;Валюта;Курс;Кратность\n01.03.2024;KZT;20,5;0\n",
            2,
            "not a number of units",
        );
        error_on(
            "Дата;Валюта;Курс;Кратность\n01.03.2024;KZT;20,5;1,5\n",
            2,
            "not a number of units",
        );
        error_on("Дата;Валюта;Курс\n01.03.2024;;91,5\n", 2, "no currency");
        error_on(
            "Дата;Валюта;Курс\n01.03.2024;398;20,5\n",
            2,
            "unknown numeric currency code \"398\"",
        );
        error_on(
            "Дата;Валюта;Курс\n01.03.2024;RUB;2\n",
            2,
            "a rouble is always 1",
        );
    }

    #[test]
    fn every_bad_row_is_reported() {
        let e = errors(
            "Дата;Валюта;Курс\n01.03.2024;USD;91,6879\nвчера;USD;0\n02.03.2024;EUR;99\n03.03.2024;EUR;-1\n",
        );
        let lines: Vec<u32> = e.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![3, 3, 5], "{e:?}");
        assert!(e[0].message.contains("not a date: \"вчера\""));
        assert!(e[1].message.contains("more than zero"));
        assert!(e[2].message.contains("not a rate: \"-1\""));
        assert_eq!(e[0].to_string(), "line 3: not a date: \"вчера\"");
    }

    #[test]
    fn missing_or_repeated_columns() {
        error_on(
            "Дата;Курс\n01.03.2024;91,5\n",
            1,
            "the header has no Валюта/Currency column",
        );
        error_on("\n# rates\nDate;Currency\n", 3, "no Курс/Rate column");
        error_on(
            "Дата;Валюта;Курс;Rate\n",
            1,
            "columns 3 and 4 are both Курс/Rate",
        );
        error_on("01.03.2024;USD;91,5\n", 1, "the first line is not a header");
        error_on("", 1, "no header row");
        error_on("\n  \n# only comments\n", 1, "no header row");
        // A header alone is an empty set of rates, not an error.
        assert!(rates("Дата;Валюта;Курс\n").is_empty());
    }

    #[test]
    fn the_same_date_twice_names_both_lines() {
        let e = errors(
            "Дата;Валюта;Курс\n01.03.2024;USD;91,6879\n01.03.2024;EUR;99\n2024-03-01;usd;91,7\n01.03.2024;USD;91,6879\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert_eq!(e[0].line, 4);
        assert_eq!(
            e[0].message,
            "a second USD rate on 01.03.2024: line 2 already gives one"
        );
        assert_eq!(e[1].line, 5);
        assert!(e[1].message.contains("line 2"));
    }

    #[test]
    fn insert_adds_and_replaces() {
        let mut r = Rates::default();
        assert!(r.is_empty());
        r.insert("у.е.", d(2024, 1, 1), dec!(95));
        r.insert("usd", d(2024, 3, 1), dec!(90));
        r.insert("USD", d(2024, 3, 1), dec!(91));
        r.insert("RUB", d(2024, 3, 1), dec!(5));
        assert!(!r.is_empty());
        assert_eq!(r.on("USD", d(2024, 3, 2)), Some(dec!(91)));
        assert_eq!(r.on("у.е.", d(2024, 3, 2)), Some(dec!(95)));
        assert_eq!(r.on("RUB", d(2024, 3, 2)), Some(Decimal::ONE));
        assert_eq!(r.currencies().count(), 2);
    }

    #[test]
    fn no_panic_on_odd_input() {
        for text in [
            "\"",
            "Дата;Валюта;Курс\n\"",
            "Дата;Валюта;Курс\n\"01.03.2024;USD;1",
            "Дата;Валюта;Курс;Кратность\n01.03.2024;USD;999999999999,999999;0,000001",
            "Дата;Валюта;Курс;Кратность\n01.03.2024;USD;0,000001;999 999 999 999",
            "\u{feff}",
            "Дата\u{0};Валюта;Курс\n\u{ffff};\u{10ffff};",
        ] {
            let _ = Rates::parse(text);
            let _ = Rates::parse_bytes(text.as_bytes());
        }
        let _ = Rates::parse_bytes(&[0xff, 0xfe, 0x3b, 0x0a, 0xc0]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const POOL: &[char] = &[
            '1', '2', '0', '9', '.', ',', ';', '\t', '"', '-', ' ', '\u{a0}', '\n', '#', 'U', 'S',
            'D', 'у', 'е', 'Д', 'а', 'т', 'В', 'л', 'ю', 'К', 'у', 'р', 'с', '😀',
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            #[test]
            fn never_panics_on_pool_text(chars in prop::collection::vec(prop::sample::select(POOL), 0..160)) {
                let text: String = chars.into_iter().collect();
                let _ = Rates::parse(&format!("Дата;Валюта;Курс;Кратность\n{text}"));
                let _ = Rates::parse(&text);
            }

            #[test]
            fn never_panics_on_any_input(text in any::<String>(), bytes in any::<Vec<u8>>()) {
                let _ = Rates::parse(&text);
                let _ = Rates::parse_bytes(&bytes);
                let _ = parse_rate(&text);
            }

            #[test]
            fn rates_read_back(units in 0u32..10_000, milli in 1u64..1_000_000_000) {
                let rate = Decimal::new(milli as i64, 4);
                let text = format!("Date;Currency;Rate\n01.03.2024;USD;{}\n", rate.to_string().replace('.', ","));
                let r = Rates::parse(&text).map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert_eq!(r.on("USD", d(2024, 3, 1 + units % 28)), Some(rate));
            }
        }
    }
}
