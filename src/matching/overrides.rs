//! Manual overrides: the file an accountant edits when automatic matching gets a payment
//! wrong (a purpose naming the wrong invoice, a payment made by a third party, money
//! that is an advance although an invoice is open).
//!
//! Automatic rules cannot know what the accountant learned by phone, so this file has
//! the last word. It is written by hand, in Russian or English, and every line must be
//! unambiguous: a line that cannot be read exactly is an error naming its line and the
//! offending text, never a guess. All errors of the file are reported at once.
//!
//! One override per line; `#` starts a comment; blank lines are ignored:
//!
//! ```text
//! # payment (number, date, optional payer INN)  ->  target                         : amount
//! 17 12.03.2024                                  -> 45                             : 10 000,00
//! 17 12.03.2024 ИНН 7707083893                   -> 00БП-000045 от 01.03.2024
//! п/п 938271 от 14.03.2024                       -> ИНН 7725418937
//! 1045 04.03.2024                                -> аванс
//! payment 18 2024-03-12 INN 7707083893           -> invoice 46 from 2024-03-01 INN 7725418937 : 500.00
//! ```
//!
//! - The payment: optional `п/п`/`пп`/`payment`; its number (letters, digits, `-`, `/`,
//!   `_`; a leading `№` is dropped); optional `от`/`from`; its date (any form
//!   [`parse_date`] accepts, a time after it is ignored); then, in any order, optional
//!   `ИНН`/`INN` + the payer's INN and `сумма`/`amount` + the payment's amount (to tell
//!   twins of the same number and date apart).
//! - `->` or `→`, exactly once.
//! - The target: an invoice (optional `сч`/`сч.`/`счет`/`счёт`/`invoice`, its number,
//!   optional `от`/`from` + date, optional `ИНН`/`INN` + the customer's INN for a
//!   payment made by a third party); or `ИНН X`/`INN X` alone (the payment is that
//!   customer's: normal matching runs within that customer); or `аванс`/`advance` (hold
//!   the payment as an advance, match nothing automatically).
//! - Optional `: amount` after an invoice target: how much of the payment goes to that
//!   invoice (without it, as much as the payment and the invoice allow).
//!
//! This module only reads the file; what an override does is the matcher's business.

use crate::dates::parse_date;
use crate::formats::{encoding, lines};
use crate::inn::is_valid_inn;
use crate::money::parse_amount;
use crate::text::is_letter_or_digit;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Which payment an override is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentSel {
    /// The payment's number as written (without a leading `№`).
    pub number: String,
    pub date: NaiveDate,
    /// The payer's INN (checksum-valid), when the line names it.
    pub inn: Option<String>,
    /// The payment's amount, when the line names it (to tell twins apart).
    pub amount: Option<Decimal>,
}

/// Where the payment goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// An invoice, by number, optionally by date and by customer INN (a payment made by
    /// a third party for that customer).
    Invoice {
        number: String,
        date: Option<NaiveDate>,
        inn: Option<String>,
    },
    /// The payment belongs to this customer; normal matching runs within the customer.
    Customer { inn: String },
    /// Hold the payment as an advance: no automatic matching.
    Advance,
}

/// One line of the overrides file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// 1-based line number in the file.
    pub line: u32,
    pub payment: PaymentSel,
    pub target: Target,
    /// How much goes to the invoice (invoice targets only); `None`: as much as the
    /// payment and the invoice allow.
    pub amount: Option<Decimal>,
    /// The line as written, trimmed (comment included).
    pub text: String,
}

/// A line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct OverrideError {
    /// 1-based line number in the file.
    pub line: u32,
    pub message: String,
}

const PAYMENT_WORDS: &[&str] = &["п/п", "пп", "payment"];
const FROM_WORDS: &[&str] = &["от", "from"];
const INN_WORDS: &[&str] = &["инн", "inn"];
const AMOUNT_WORDS: &[&str] = &["сумма", "amount"];
const INVOICE_WORDS: &[&str] = &["сч", "сч.", "счет", "счёт", "invoice"];
const ADVANCE_WORDS: &[&str] = &["аванс", "advance"];

/// Reads an overrides file from bytes: UTF-8 (with or without a BOM) or Windows-1251.
pub fn parse_bytes(bytes: &[u8]) -> Result<Vec<Override>, Vec<OverrideError>> {
    let (enc, bom) = encoding::sniff(bytes, &["ИНН", "аванс", "от", "п/п", "сч"], None);
    let text = enc.decode(bytes.get(bom..).unwrap_or_default());
    parse(&text)
}

/// Reads an overrides file. Returns every override, or every error (not just the first).
pub fn parse(text: &str) -> Result<Vec<Override>, Vec<OverrideError>> {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut overrides = Vec::new();
    let mut errors = Vec::new();
    for (line, raw) in lines::numbered(text.as_bytes()) {
        let raw = String::from_utf8_lossy(raw);
        match parse_line(line, &raw) {
            Ok(Some(o)) => overrides.push(o),
            Ok(None) => {}
            Err(messages) => errors.extend(
                messages
                    .into_iter()
                    .map(|message| OverrideError { line, message }),
            ),
        }
    }
    if errors.is_empty() {
        Ok(overrides)
    } else {
        Err(errors)
    }
}

/// One line: `None` for a blank or comment line, else the override or its errors.
fn parse_line(line: u32, raw: &str) -> Result<Option<Override>, Vec<String>> {
    let text = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
    let body = text.split('#').next().unwrap_or_default().trim();
    if body.is_empty() {
        return Ok(None);
    }
    let arrows = arrows(body);
    let (at, len) = match arrows.as_slice() {
        [] => {
            return Err(vec![format!(
                "no `->` between the payment and the target: {body:?}"
            )]);
        }
        [one] => *one,
        _ => return Err(vec![format!("more than one `->`: {body:?}")]),
    };
    let left = body[..at].trim();
    let right = body[at + len..].trim();
    let mut errors = Vec::new();

    let payment = if left.is_empty() {
        errors.push(format!("no payment before `->`: {body:?}"));
        None
    } else {
        payment_sel(left).map_err(|e| errors.push(e)).ok()
    };

    let (target_text, amount_text) = split_amount(right);
    let target = if target_text.is_empty() {
        errors.push(format!("no target after `->`: {body:?}"));
        None
    } else {
        target(target_text).map_err(|e| errors.push(e)).ok()
    };

    let amount = match amount_text {
        None => None,
        Some(a) if matches!(target, Some(Target::Customer { .. } | Target::Advance)) => {
            errors.push(format!(
                "an amount after `:` is allowed only for an invoice target, not for {:?}: {a:?}",
                target_text
            ));
            None
        }
        Some("") => {
            errors.push(format!("no amount after `:`: {right:?}"));
            None
        }
        Some(a) => positive_amount(a).map_err(|e| errors.push(e)).ok(),
    };

    match (payment, target) {
        (Some(payment), Some(target)) if errors.is_empty() => Ok(Some(Override {
            line,
            payment,
            target,
            amount,
            text: text.to_string(),
        })),
        _ => Err(errors),
    }
}

/// Byte offsets and lengths of every `->` and `→`, in order.
fn arrows(body: &str) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = body
        .match_indices("->")
        .chain(body.match_indices('→'))
        .map(|(i, s)| (i, s.len()))
        .collect();
    found.sort_unstable();
    found
}

/// Splits the target side at the amount's `:`: the first colon that is not inside a
/// date with a time (`2024-03-01T12:00:00`) or a time right after a date
/// (`01.03.2024 0:00:00`).
fn split_amount(right: &str) -> (&str, Option<&str>) {
    let mut after_date = false;
    for word in right.split_whitespace() {
        let is_date = parse_date(word).is_some();
        let is_time_of_date = after_date && is_time(word);
        if !is_date
            && !is_time_of_date
            && let Some(colon) = word.find(':')
        {
            // `word` is a slice of `right`: its offset is the distance between them.
            let i = word.as_ptr() as usize - right.as_ptr() as usize + colon;
            return (right[..i].trim(), Some(right[i + 1..].trim()));
        }
        after_date = is_date || is_time_of_date;
    }
    (right, None)
}

/// Whitespace-separated words with a cursor.
struct Words<'a> {
    words: Vec<&'a str>,
    at: usize,
}

impl<'a> Words<'a> {
    fn new(text: &'a str) -> Self {
        Words {
            words: text.split_whitespace().collect(),
            at: 0,
        }
    }
    fn peek(&self) -> Option<&'a str> {
        self.words.get(self.at).copied()
    }
    fn peek_is(&self, set: &[&str]) -> bool {
        self.peek().is_some_and(|w| is(w, set))
    }
    fn next(&mut self) -> Option<&'a str> {
        let w = self.peek();
        if w.is_some() {
            self.at += 1;
        }
        w
    }
    /// The words not read yet, as one text.
    fn rest(&self) -> String {
        self.words.get(self.at..).unwrap_or_default().join(" ")
    }
}

fn is(word: &str, set: &[&str]) -> bool {
    let w = word.to_lowercase();
    set.contains(&w.as_str())
}

fn is_keyword(word: &str) -> bool {
    [
        PAYMENT_WORDS,
        FROM_WORDS,
        INN_WORDS,
        AMOUNT_WORDS,
        INVOICE_WORDS,
        ADVANCE_WORDS,
    ]
    .iter()
    .any(|set| is(word, set))
}

/// `17 12.03.2024 ИНН 7707083893 сумма 10 000,00` with its optional words.
fn payment_sel(text: &str) -> Result<PaymentSel, String> {
    let mut w = Words::new(text);
    if w.peek_is(PAYMENT_WORDS) {
        w.next();
    }
    skip_number_sign(&mut w);
    let number = number(&mut w, "payment", text)?;
    let date = match date(&mut w)? {
        Some(d) => d,
        None => return Err(format!("the payment has no date: {text:?}")),
    };
    let mut inn = None;
    let mut amount = None;
    while let Some(word) = w.peek() {
        if is(word, INN_WORDS) {
            if inn.is_some() {
                return Err(format!("the payment names two INNs: {text:?}"));
            }
            w.next();
            inn = Some(inn_value(&mut w, word)?);
        } else if is(word, AMOUNT_WORDS) {
            if amount.is_some() {
                return Err(format!("the payment names two amounts: {text:?}"));
            }
            w.next();
            let mut parts = Vec::new();
            while let Some(p) = w.peek().filter(|p| !is_keyword(p)) {
                parts.push(p);
                w.next();
            }
            if parts.is_empty() {
                return Err(format!("no amount after `{word}`: {text:?}"));
            }
            amount = Some(positive_amount(&parts.join(" "))?);
        } else {
            return Err(format!(
                "unexpected {:?} after the payment's date: {text:?}",
                w.rest()
            ));
        }
    }
    Ok(PaymentSel {
        number,
        date,
        inn,
        amount,
    })
}

/// `45`, `сч 00БП-000045 от 01.03.2024 ИНН 7725418937`, `ИНН 7725418937`, `аванс`.
fn target(text: &str) -> Result<Target, String> {
    let mut w = Words::new(text);
    let target = if w.peek_is(ADVANCE_WORDS) {
        w.next();
        Target::Advance
    } else if let Some(word) = w.peek().filter(|p| is(p, INN_WORDS)) {
        w.next();
        Target::Customer {
            inn: inn_value(&mut w, word)?,
        }
    } else {
        if w.peek_is(INVOICE_WORDS) {
            w.next();
        }
        skip_number_sign(&mut w);
        let number = number(&mut w, "invoice", text)?;
        let date = date(&mut w)?;
        let inn = match w.peek().filter(|p| is(p, INN_WORDS)) {
            Some(word) => {
                w.next();
                Some(inn_value(&mut w, word)?)
            }
            None => None,
        };
        Target::Invoice { number, date, inn }
    };
    if w.peek().is_some() {
        return Err(format!(
            "unexpected {:?} after the target: {text:?}",
            w.rest()
        ));
    }
    Ok(target)
}

/// Drops a standalone `№` (`№ 17`); `№17` is handled by [`number`].
fn skip_number_sign(w: &mut Words<'_>) {
    if w.peek() == Some("№") {
        w.next();
    }
}

/// A document number: letters, digits, `-`, `/`, `_`, at least one letter or digit.
fn number(w: &mut Words<'_>, what: &str, text: &str) -> Result<String, String> {
    let Some(word) = w.peek().filter(|p| !is_keyword(p)) else {
        return Err(format!("no {what} number: {text:?}"));
    };
    let n = word.strip_prefix('№').unwrap_or(word);
    let allowed = |c: char| is_letter_or_digit(c) || matches!(c, '-' | '/' | '_');
    if !n.chars().all(allowed) || !n.chars().any(is_letter_or_digit) {
        let article = if what.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        return Err(format!(
            "not {article} {what} number: {word:?} (in {text:?})"
        ));
    }
    w.next();
    // `2024-03-12` where the number should be: the number was forgotten, unless a date
    // follows (then it is a number that merely looks like a date).
    let date_follows = w
        .peek()
        .is_some_and(|p| is(p, FROM_WORDS) || parse_date(p).is_some());
    if parse_date(n).is_some() && !date_follows {
        return Err(format!(
            "{word:?} is a date where the {what} number should be (in {text:?})"
        ));
    }
    Ok(n.to_string())
}

/// An optional `от`/`from` and a date; a time or `г.` after the date is skipped.
/// `None` when no date is there (and no `от` promised one).
fn date(w: &mut Words<'_>) -> Result<Option<NaiveDate>, String> {
    let from = w.peek().filter(|p| is(p, FROM_WORDS));
    if from.is_some() {
        w.next();
    }
    let date = match (w.peek(), from) {
        (Some(p), _) if !is_keyword(p) && parse_date(p).is_some() => parse_date(p),
        (Some(p), _) if !is_keyword(p) && (from.is_some() || looks_like_date(p)) => {
            return Err(format!("not a date: {p:?}"));
        }
        (_, Some(f)) => return Err(format!("no date after `{f}`")),
        _ => return Ok(None),
    };
    w.next();
    while w
        .peek()
        .is_some_and(|p| is_time(p) || matches!(p, "г" | "г." | "года"))
    {
        w.next();
    }
    Ok(date)
}

/// A word shaped like a date that may be mistyped: digits and date separators only,
/// with a separator (`31.02.2024`, `1203.2024`).
fn looks_like_date(word: &str) -> bool {
    word.chars().any(|c| matches!(c, '.' | '/'))
        && word
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/'))
}

/// `0:00`, `12:30:00`.
fn is_time(word: &str) -> bool {
    let parts: Vec<&str> = word.split(':').collect();
    (2..=3).contains(&parts.len())
        && parts
            .iter()
            .all(|p| (1..=2).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The INN after `ИНН`/`INN`: 10 or 12 digits with valid control digits.
fn inn_value(w: &mut Words<'_>, keyword: &str) -> Result<String, String> {
    let Some(word) = w.peek().filter(|p| !is_keyword(p)) else {
        return Err(format!("no INN after `{keyword}`"));
    };
    w.next();
    if !word.bytes().all(|b| b.is_ascii_digit()) || !matches!(word.len(), 10 | 12) {
        return Err(format!("not an INN (10 or 12 digits): {word:?}"));
    }
    if !is_valid_inn(word) {
        return Err(format!(
            "INN {word} fails the checksum (a digit is mistyped)"
        ));
    }
    Ok(word.to_string())
}

/// An amount [`parse_amount`] accepts, more than zero.
fn positive_amount(text: &str) -> Result<Decimal, String> {
    match parse_amount(text) {
        Ok(a) if a > Decimal::ZERO => Ok(a),
        Ok(_) => Err(format!("the amount must be more than zero: {text:?}")),
        Err(e) => Err(format!("amount {text:?}: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn one(line: &str) -> Override {
        let mut v = parse(line).unwrap_or_else(|e| panic!("{line:?}: {e:?}"));
        assert_eq!(v.len(), 1, "{line:?}");
        v.remove(0)
    }

    fn errors(text: &str) -> Vec<OverrideError> {
        match parse(text) {
            Ok(v) => panic!("{text:?} parsed: {v:?}"),
            Err(e) => e,
        }
    }

    /// The single error of a one-line text, checked to be on `line` and to mention `needle`.
    fn error_on(text: &str, line: u32, needle: &str) -> OverrideError {
        let e = errors(text);
        assert_eq!(e.len(), 1, "{text:?}: {e:?}");
        assert_eq!(e[0].line, line, "{e:?}");
        assert!(
            e[0].message.contains(needle),
            "{:?} does not mention {needle:?}",
            e[0].message
        );
        e[0].clone()
    }

    const SAMPLE: &str = "\
# payment (number, date, optional payer INN)  ->  target                         : amount
17 12.03.2024                                  -> 45                             : 10 000,00
17 12.03.2024 ИНН 7707083893                   -> 00БП-000045 от 01.03.2024

п/п 938271 от 14.03.2024                       -> ИНН 7725418937
1045 04.03.2024                                -> аванс
payment 18 2024-03-12 INN 7707083893           -> invoice 46 from 2024-03-01 INN 7725418937 : 500.00
";

    #[test]
    fn the_documented_sample() {
        let v = parse(SAMPLE).unwrap();
        assert_eq!(v.len(), 5);

        assert_eq!(v[0].line, 2);
        assert_eq!(
            v[0].payment,
            PaymentSel {
                number: "17".into(),
                date: d(2024, 3, 12),
                inn: None,
                amount: None
            }
        );
        assert_eq!(
            v[0].target,
            Target::Invoice {
                number: "45".into(),
                date: None,
                inn: None
            }
        );
        assert_eq!(v[0].amount, Some(dec!(10000.00)));
        assert_eq!(
            v[0].text,
            "17 12.03.2024                                  -> 45                             : 10 000,00"
        );

        assert_eq!(v[1].line, 3);
        assert_eq!(v[1].payment.inn.as_deref(), Some("7707083893"));
        assert_eq!(
            v[1].target,
            Target::Invoice {
                number: "00БП-000045".into(),
                date: Some(d(2024, 3, 1)),
                inn: None
            }
        );
        assert_eq!(v[1].amount, None);

        assert_eq!(v[2].line, 5);
        assert_eq!(v[2].payment.number, "938271");
        assert_eq!(v[2].payment.date, d(2024, 3, 14));
        assert_eq!(
            v[2].target,
            Target::Customer {
                inn: "7725418937".into()
            }
        );

        assert_eq!(v[3].line, 6);
        assert_eq!(v[3].payment.number, "1045");
        assert_eq!(v[3].payment.date, d(2024, 3, 4));
        assert_eq!(v[3].target, Target::Advance);

        assert_eq!(v[4].line, 7);
        assert_eq!(
            v[4].payment,
            PaymentSel {
                number: "18".into(),
                date: d(2024, 3, 12),
                inn: Some("7707083893".into()),
                amount: None
            }
        );
        assert_eq!(
            v[4].target,
            Target::Invoice {
                number: "46".into(),
                date: Some(d(2024, 3, 1)),
                inn: Some("7725418937".into())
            }
        );
        assert_eq!(v[4].amount, Some(dec!(500.00)));
    }

    #[test]
    fn russian_keywords_and_the_unicode_arrow() {
        let o = one(
            "пп 17 от 12.03.24 инн 7707083893 сумма 15 000,50 → счёт № 45 от 1.3.2024 ИНН 500100732259 : 1 234,56",
        );
        assert_eq!(
            o.payment,
            PaymentSel {
                number: "17".into(),
                date: d(2024, 3, 12),
                inn: Some("7707083893".into()),
                amount: Some(dec!(15000.50))
            }
        );
        assert_eq!(
            o.target,
            Target::Invoice {
                number: "45".into(),
                date: Some(d(2024, 3, 1)),
                inn: Some("500100732259".into())
            }
        );
        assert_eq!(o.amount, Some(dec!(1234.56)));

        for word in ["сч", "сч.", "Счет", "счёт", "INVOICE"] {
            let o = one(&format!("17 12.03.2024 -> {word} 45"));
            assert_eq!(
                o.target,
                Target::Invoice {
                    number: "45".into(),
                    date: None,
                    inn: None
                },
                "{word}"
            );
        }
        assert_eq!(one("П/П 17 12.03.2024 -> Аванс").target, Target::Advance);
        assert_eq!(one("17 12.03.2024 → advance").target, Target::Advance);
        assert_eq!(
            one("17 12.03.2024->45:100").amount,
            Some(dec!(100)),
            "no spaces around the arrow and the colon"
        );
        let o = one("17 12.03.2024 -> 45 от 01.03.2024: 500");
        assert!(matches!(o.target, Target::Invoice { date: Some(x), .. } if x == d(2024, 3, 1)));
        assert_eq!(o.amount, Some(dec!(500)));
    }

    #[test]
    fn amount_and_inn_in_any_order_tell_twins_apart() {
        let o = one("payment 17 from 2024-03-12 amount 500.00 INN 7707083893 -> 45");
        assert_eq!(o.payment.amount, Some(dec!(500)));
        assert_eq!(o.payment.inn.as_deref(), Some("7707083893"));
        let o = one("17 12.03.2024 сумма 1\u{a0}500 -> 45");
        assert_eq!(o.payment.amount, Some(dec!(1500)));
    }

    #[test]
    fn numbers_with_letters_slashes_and_the_number_sign() {
        let o = one("№БП-17/2 12.03.2024 -> №00БП-000045 : 10");
        assert_eq!(o.payment.number, "БП-17/2");
        assert!(matches!(o.target, Target::Invoice { ref number, .. } if number == "00БП-000045"));
        let o = one("A-7 12.03.2024 -> 2024-01 ");
        assert_eq!(o.payment.number, "A-7");
        assert!(matches!(o.target, Target::Invoice { ref number, .. } if number == "2024-01"));
        // A number that looks like a date is a number when its date follows.
        let o = one("12/03/24 12.03.2024 -> 45");
        assert_eq!(o.payment.number, "12/03/24");
    }

    #[test]
    fn dates_with_a_time_or_a_year_mark_and_comments() {
        let o = one("17 15.03.2024 0:00:00 -> 45 от 01.03.2024 12:00 : 5  # по письму клиента");
        assert_eq!(o.payment.date, d(2024, 3, 15));
        assert!(matches!(o.target, Target::Invoice { date: Some(x), .. } if x == d(2024, 3, 1)));
        assert_eq!(o.amount, Some(dec!(5)));
        assert_eq!(
            o.text,
            "17 15.03.2024 0:00:00 -> 45 от 01.03.2024 12:00 : 5  # по письму клиента"
        );
        let o = one("17 11.12.2023 г. -> 45 from 2024-03-15T12:00:00");
        assert_eq!(o.payment.date, d(2023, 12, 11));
        assert!(matches!(o.target, Target::Invoice { date: Some(x), .. } if x == d(2024, 3, 15)));
    }

    #[test]
    fn blank_and_comment_lines_and_line_endings() {
        assert_eq!(parse("").unwrap(), vec![]);
        assert_eq!(
            parse("\n  \n# only a comment\r\n\t# another\n").unwrap(),
            vec![]
        );
        let v = parse("# a\r\n\r\n17 12.03.2024 -> 45\r1045 04.03.2024 -> аванс").unwrap();
        assert_eq!(v.iter().map(|o| o.line).collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn utf8_bom_and_windows_1251_bytes() {
        let text = "# ручные привязки\n17 12.03.2024 ИНН 7707083893 -> сч 45 от 01.03.2024 : 10 000,00\n1045 04.03.2024 -> аванс\n";
        let expected = parse(text).unwrap();
        assert_eq!(expected.len(), 2);

        let mut bom = encoding::BOM.to_vec();
        bom.extend_from_slice(text.as_bytes());
        assert_eq!(parse_bytes(&bom).unwrap(), expected);
        assert_eq!(parse_bytes(text.as_bytes()).unwrap(), expected);
        assert_eq!(parse(&format!("\u{feff}{text}")).unwrap(), expected);

        let win = encoding_rs::WINDOWS_1251.encode(text).0;
        assert!(std::str::from_utf8(&win).is_err());
        assert_eq!(parse_bytes(&win).unwrap(), expected);
    }

    #[test]
    fn no_arrow_and_two_arrows() {
        error_on("17 12.03.2024 45", 1, "no `->`");
        error_on("\n17 12.03.2024 45", 2, "\"17 12.03.2024 45\"");
        error_on("17 12.03.2024 -> 45 -> 46", 1, "more than one `->`");
        error_on("17 12.03.2024 → 45 -> 46", 1, "more than one `->`");
        error_on("-> 45", 1, "no payment before `->`");
        error_on("17 12.03.2024 ->", 1, "no target after `->`");
        error_on("17 12.03.2024 -> : 5", 1, "no target after `->`");
    }

    #[test]
    fn no_date_and_bad_dates() {
        error_on("17 -> 45", 1, "the payment has no date: \"17\"");
        error_on("17 ИНН 7707083893 -> 45", 1, "the payment has no date");
        error_on("17 31.02.2024 -> 45", 1, "not a date: \"31.02.2024\"");
        error_on("17 1203.2024 -> 45", 1, "not a date: \"1203.2024\"");
        error_on("17 от вчера -> 45", 1, "not a date: \"вчера\"");
        error_on("17 от -> 45", 1, "no date after `от`");
        error_on(
            "17 12.03.2024 -> 45 от 30.02.2024",
            1,
            "not a date: \"30.02.2024\"",
        );
        error_on("17 12.03.2024 -> 45 from", 1, "no date after `from`");
        error_on(
            "2024-03-12 -> 45",
            1,
            "\"2024-03-12\" is a date where the payment number should be",
        );
        error_on(
            "17 12.03.2024 -> 2024-03-01",
            1,
            "is a date where the invoice number should be",
        );
    }

    #[test]
    fn bad_numbers() {
        error_on("п/п от 12.03.2024 -> 45", 1, "no payment number");
        error_on("17.5 12.03.2024 -> 45", 1, "not a payment number: \"17.5\"");
        error_on("17 12.03.2024 -> сч от 01.03.2024", 1, "no invoice number");
        error_on(
            "17 12.03.2024 -> 45,46",
            1,
            "not an invoice number: \"45,46\"",
        );
        error_on("--- 12.03.2024 -> 45", 1, "not a payment number");
    }

    #[test]
    fn inns_that_fail_the_checksum_or_are_not_inns() {
        error_on(
            "17 12.03.2024 ИНН 7707083894 -> 45",
            1,
            "INN 7707083894 fails the checksum",
        );
        error_on(
            "17 12.03.2024 -> ИНН 7725418938",
            1,
            "INN 7725418938 fails the checksum",
        );
        error_on(
            "17 12.03.2024 -> 45 INN 500100732250",
            1,
            "INN 500100732250 fails the checksum",
        );
        error_on(
            "17 12.03.2024 -> ИНН 77254189",
            1,
            "not an INN (10 or 12 digits): \"77254189\"",
        );
        error_on("17 12.03.2024 -> ИНН", 1, "no INN after `ИНН`");
        error_on("17 12.03.2024 INN -> 45", 1, "no INN after `INN`");
        error_on(
            "17 12.03.2024 ИНН 7707083893 ИНН 7707083893 -> 45",
            1,
            "two INNs",
        );
    }

    #[test]
    fn bad_and_non_positive_amounts() {
        error_on("17 12.03.2024 -> 45 : десять", 1, "\"десять\"");
        error_on(
            "17 12.03.2024 -> 45 : 1,234",
            1,
            "amount \"1,234\": ambiguous amount",
        );
        error_on(
            "17 12.03.2024 -> 45 : 0",
            1,
            "the amount must be more than zero: \"0\"",
        );
        error_on(
            "17 12.03.2024 -> 45 : -500,00",
            1,
            "more than zero: \"-500,00\"",
        );
        error_on("17 12.03.2024 -> 45 :", 1, "no amount after `:`");
        error_on(
            "17 12.03.2024 сумма 0,00 -> 45",
            1,
            "more than zero: \"0,00\"",
        );
        error_on("17 12.03.2024 сумма -> 45", 1, "no amount after `сумма`");
        error_on("17 12.03.2024 amount 12.345 -> 45", 1, "\"12.345\"");
        error_on("17 12.03.2024 -> 45 : 100 : 200", 1, "\"100 : 200\"");
    }

    #[test]
    fn an_amount_on_a_customer_or_advance_target() {
        error_on(
            "17 12.03.2024 -> ИНН 7725418937 : 500",
            1,
            "only for an invoice target",
        );
        error_on(
            "17 12.03.2024 -> аванс : 500",
            1,
            "only for an invoice target",
        );
        error_on(
            "17 12.03.2024 -> advance : oops",
            1,
            "only for an invoice target",
        );
    }

    #[test]
    fn trailing_garbage() {
        error_on(
            "17 12.03.2024 -> аванс полностью",
            1,
            "unexpected \"полностью\" after the target",
        );
        error_on(
            "17 12.03.2024 -> ИНН 7725418937 Ромашка",
            1,
            "unexpected \"Ромашка\"",
        );
        error_on(
            "17 12.03.2024 -> 45 от 01.03.2024 ООО Ромашка",
            1,
            "unexpected \"ООО Ромашка\"",
        );
        error_on(
            "17 12.03.2024 Ромашка -> 45",
            1,
            "unexpected \"Ромашка\" after the payment's date",
        );
        error_on("17 12.03.2024 -> 45 46", 1, "unexpected \"46\"");
    }

    #[test]
    fn every_error_of_the_file_with_its_line() {
        let text = "\
# overrides
17 12.03.2024 -> 45 : 10 000,00
17 12.03.2024 45
18 31.02.2024 -> аванс : 5

1045 04.03.2024 -> аванс
19 12.03.2024 ИНН 7707083894 -> 45 : 0
";
        let e = errors(text);
        let lines: Vec<u32> = e.iter().map(|e| e.line).collect();
        // Both sides of line 7 are reported, and line 4 has a bad date and an amount on
        // an advance.
        assert_eq!(lines, vec![3, 4, 4, 7, 7], "{e:?}");
        assert!(e[0].message.contains("no `->`"));
        assert!(e[1].message.contains("not a date: \"31.02.2024\""));
        assert!(e[2].message.contains("only for an invoice target"));
        assert!(e[3].message.contains("7707083894"));
        assert!(e[4].message.contains("more than zero"));
        assert_eq!(
            e[0].to_string(),
            "line 3: no `->` between the payment and the target: \"17 12.03.2024 45\""
        );
    }

    #[test]
    fn no_panic_on_odd_input() {
        for text in [
            "->",
            "→→",
            ":",
            "#",
            "№",
            "№ -> №",
            "\u{feff}",
            "17 12.03.2024 -> № : ",
            "17 12.03.2024 -> ИНН ИНН",
            "17 12.03.2024 сумма ИНН -> 45",
            "п/п",
            "\u{0}\u{ffff} -> \u{10ffff}:",
            "17 12.03.2024 -> 45 : 99999999999999999999999999",
            "- > 45",
            "17 99.99.9999 -> 45 от 0:0",
        ] {
            let _ = parse(text);
            let _ = parse_bytes(text.as_bytes());
        }
        let _ = parse_bytes(&[0xff, 0xfe, 0x00, 0x2d, 0x3e, 0xc0, 0x80]);
        let _ = parse_bytes(&[0xef, 0xbb]);
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const POOL: &[char] = &[
            '1', '2', '7', '0', '.', ',', ':', '-', '>', '→', '/', '#', '№', ' ', '\u{a0}', '\n',
            '\r', 'T', 'И', 'Н', 'п', 'с', 'ч', 'о', 'т', 'а', 'в', 'н', 'I', 'N', 'г', '😀',
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            #[test]
            fn never_panics_on_pool_text(chars in prop::collection::vec(prop::sample::select(POOL), 0..120)) {
                let text: String = chars.into_iter().collect();
                if let Err(errors) = parse(&text) {
                    prop_assert!(!errors.is_empty());
                    prop_assert!(errors.iter().all(|e| e.line >= 1));
                }
            }

            #[test]
            fn never_panics_on_any_input(text in any::<String>(), bytes in any::<Vec<u8>>()) {
                let _ = parse(&text);
                let _ = parse_bytes(&bytes);
            }
        }
    }
}
