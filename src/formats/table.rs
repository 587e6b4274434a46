//! Lists as tables: the header rules and the row → document mapping shared by every
//! reader of tabular lists (CSV/TXT in [`super::delimited`], workbooks in [`super::xlsx`]).
//!
//! A list is the same thing whatever carries it: a header row whose names say which
//! column is which (Russian or English, any order, any case), then one document per row.
//! Only the cells differ: a CSV cell is always text, while a workbook stores numbers as
//! floats (`642998789.6900001`), dates as serial days and an INN as `7707083893.0`. The
//! readers turn their cells into [`TableCell`]s and this module decides, once, what a row
//! means, so a list read from XLSX gives exactly the documents the same list gives as CSV.

use crate::dates::{parse_date, ru};
use crate::inn::{clean_inn, clean_kpp, is_valid_inn};
use crate::model::{
    Credit, Direction, DocLink, Document, FileId, Invoice, Party, PartyPool, Payment, Provenance,
    Text, normalize_currency,
};
use crate::money::{AmountError, parse_amount, round2};
use crate::text::quoted;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;

/// One cell of a list, typed as far as its carrier knows.
#[derive(Debug, Clone, PartialEq)]
pub enum TableCell {
    Empty,
    /// Text as written (CSV cells, workbook strings).
    Text(String),
    /// A number as a workbook stores it: a float, with its noise.
    Number(f64),
    /// A date a workbook stores as a date.
    Date(NaiveDate),
}

impl TableCell {
    /// The cell as a person sees it: text trimmed, a whole number without `.0`, a date as
    /// `dd.mm.yyyy`. Used for names, numbers and the values quoted in warnings.
    pub fn display(&self) -> Cow<'_, str> {
        match self {
            TableCell::Empty => Cow::Borrowed(""),
            TableCell::Text(s) => Cow::Borrowed(s.trim()),
            TableCell::Number(f) => Cow::Owned(general_number(*f)),
            TableCell::Date(d) => Cow::Owned(ru(*d)),
        }
    }

    pub fn is_blank(&self) -> bool {
        match self {
            TableCell::Empty => true,
            TableCell::Text(s) => s.trim().is_empty(),
            TableCell::Number(_) | TableCell::Date(_) => false,
        }
    }
}

/// A float the way a spreadsheet's General format shows it: `45` for `45.0`, otherwise
/// the shortest text that reads back as the same float.
fn general_number(f: f64) -> String {
    match whole(f) {
        Some(n) => n.to_string(),
        None => f.to_string(),
    }
}

/// The integer a float holds exactly, when it is whole and within 15 digits.
fn whole(f: f64) -> Option<i64> {
    (f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15).then_some(f as i64)
}

/// What numbers in a date column mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSystem {
    /// Numbers are not dates (text lists: a CSV cell is never a number).
    Text,
    /// Excel serial days since 1899-12-30 (with Excel's phantom 29 February 1900).
    Excel1900,
    /// Excel serial days since 1904-01-01 (old Mac workbooks).
    Excel1904,
}

/// The date an Excel serial day number stands for (its time of day dropped), in the
/// years [`parse_date`] accepts; `None` otherwise and for Excel's 29 February 1900.
pub fn excel_serial_date(serial: f64, system: DateSystem) -> Option<NaiveDate> {
    if !(0.0..1e7).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let date = match system {
        DateSystem::Text => return None,
        DateSystem::Excel1904 => {
            NaiveDate::from_ymd_opt(1904, 1, 1)?.checked_add_signed(chrono::Duration::days(days))?
        }
        // Excel counts a 29 February 1900 that never was: serials from 61 on are one
        // day ahead of a plain count from 1899-12-31.
        DateSystem::Excel1900 => match days {
            0 | 60 => return None,
            1..=59 => NaiveDate::from_ymd_opt(1899, 12, 31)?
                .checked_add_signed(chrono::Duration::days(days))?,
            _ => NaiveDate::from_ymd_opt(1899, 12, 30)?
                .checked_add_signed(chrono::Duration::days(days))?,
        },
    };
    use chrono::Datelike;
    (1900..=2199).contains(&date.year()).then_some(date)
}

/// An amount a workbook stores as a float, in kopecks: rounded half away from zero after
/// cutting the float to the 15 significant digits Excel shows, so `642998789.6900001` is
/// `642998789.69` and no float noise survives. NaN, infinities and amounts of more than
/// 15 integer digits are refused.
pub fn amount_from_f64(value: f64) -> Result<Decimal, String> {
    if !value.is_finite() {
        return Err("not a number".into());
    }
    if value.abs() >= 1e15 {
        return Err(AmountError::TooLarge.to_string());
    }
    let text = format!("{value:.14e}");
    let exact = Decimal::from_scientific(&text).map_err(|e| format!("not an amount: {e}"))?;
    let mut rounded = round2(exact);
    if rounded.is_zero() {
        rounded.set_sign_negative(false);
    }
    Ok(rounded)
}

/// What a column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Number,
    Date,
    Due,
    Counterparty,
    Inn,
    Kpp,
    InnKpp,
    Contract,
    Amount,
    Currency,
    Manager,
    Kind,
    Purpose,
    Link,
}

/// Accepted header names, normalised (lower case, `ё` as `е`, single spaces, no final dot).
const HEADERS: &[(&str, Column)] = &[
    ("номер", Column::Number),
    ("номер документа", Column::Number),
    ("номер счета", Column::Number),
    ("№", Column::Number),
    ("n", Column::Number),
    ("number", Column::Number),
    ("document number", Column::Number),
    ("invoice number", Column::Number),
    ("дата", Column::Date),
    ("дата документа", Column::Date),
    ("дата счета", Column::Date),
    ("date", Column::Date),
    ("document date", Column::Date),
    ("invoice date", Column::Date),
    ("срок оплаты", Column::Due),
    ("дата оплаты", Column::Due),
    ("оплатить до", Column::Due),
    ("плановая дата оплаты", Column::Due),
    ("срок платежа", Column::Due),
    ("due date", Column::Due),
    ("due", Column::Due),
    ("контрагент", Column::Counterparty),
    ("покупатель", Column::Counterparty),
    ("плательщик", Column::Counterparty),
    ("клиент", Column::Counterparty),
    ("customer", Column::Counterparty),
    ("counterparty", Column::Counterparty),
    ("payer", Column::Counterparty),
    ("инн", Column::Inn),
    ("инн контрагента", Column::Inn),
    ("инн покупателя", Column::Inn),
    ("инн плательщика", Column::Inn),
    ("inn", Column::Inn),
    ("tax id", Column::Inn),
    ("кпп", Column::Kpp),
    ("кпп контрагента", Column::Kpp),
    ("kpp", Column::Kpp),
    ("инн/кпп", Column::InnKpp),
    ("инн / кпп", Column::InnKpp),
    ("inn/kpp", Column::InnKpp),
    ("договор", Column::Contract),
    ("договор контрагента", Column::Contract),
    ("contract", Column::Contract),
    ("сумма", Column::Amount),
    ("сумма документа", Column::Amount),
    ("сумма счета", Column::Amount),
    ("amount", Column::Amount),
    ("валюта", Column::Currency),
    ("валюта документа", Column::Currency),
    ("currency", Column::Currency),
    ("ответственный", Column::Manager),
    ("менеджер", Column::Manager),
    ("manager", Column::Manager),
    ("responsible", Column::Manager),
    ("вид документа", Column::Kind),
    ("вид операции", Column::Kind),
    ("тип операции", Column::Kind),
    ("операция", Column::Kind),
    ("хозяйственная операция", Column::Kind),
    ("тип", Column::Kind),
    ("тип документа", Column::Kind),
    ("kind", Column::Kind),
    ("type", Column::Kind),
    ("назначение платежа", Column::Purpose),
    ("назначение", Column::Purpose),
    ("purpose", Column::Purpose),
    ("основание", Column::Link),
    ("документ основание", Column::Link),
    ("счет на оплату", Column::Link),
    ("invoice", Column::Link),
];

/// How many rows at the top of a list may precede the header (report titles, periods).
pub const MAX_PREAMBLE: usize = 30;

fn normalize_header(h: &str) -> String {
    let lower = h
        .trim()
        .trim_matches('\u{FEFF}')
        .to_lowercase()
        .replace('ё', "е");
    let collapsed = lower.split_whitespace().collect::<Vec<_>>().join(" ");
    collapsed
        .trim_end_matches(['.', ':'])
        .replace("-", " ")
        .to_string()
}

fn column(header: &str) -> Option<Column> {
    let n = normalize_header(header);
    HEADERS
        .iter()
        .find(|(name, _)| normalize_header(name) == n)
        .map(|(_, c)| *c)
}

/// The kind of a row, from the kind column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invoice,
    Credit,
    Payment,
    /// A known kind that is no receivable of ours (a tax invoice, a payment to a
    /// supplier, a loan repaid): the row is left out without a warning.
    NotOurs,
}

fn kind(value: &str) -> Option<Kind> {
    let v = crate::text::fold_ru(value.trim());
    if v.is_empty() {
        return Some(Kind::Invoice);
    }
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| v.starts_with(p));
    // A tax invoice (счёт-фактура, also a corrective one) documents a sale for VAT: the
    // sale itself is the receivable; counting both would double it.
    if v.contains("счет-фактур") || v.contains("счет фактур") || starts(&["сф ", "ксф"])
    {
        return Some(Kind::NotOurs);
    }
    // Suppliers' and lenders' money, either way, and money we return to a customer, is
    // no customer's invoice, credit note or payment (the bank statement shows the money).
    if v.contains("поставщик")
        || v.contains("займ")
        || v.contains("кредита")
        || (v.starts_with("возврат")
            && (v.contains("денежных средств") || v.contains("покупателю")))
    {
        return Some(Kind::NotOurs);
    }
    if starts(&["возврат", "корректировк", "кредит", "return", "credit"]) {
        return Some(Kind::Credit);
    }
    if starts(&[
        "счет",
        "сч.",
        "реализаци",
        "упд",
        "акт",
        "накладн",
        "расходная накладная",
        "отгрузк",
        "invoice",
        "sale",
        "bill",
    ]) {
        return Some(Kind::Invoice);
    }
    // Money we pay out (`Платежное поручение исходящее`, `Списание с расчетного счета`,
    // `Расходный кассовый ордер`) is not a customer's payment.
    if v.contains("исходящ") || starts(&["списани", "расходный кассовый", "выдач"])
    {
        return None;
    }
    if starts(&[
        "поступлени",
        "оплат",
        "пко",
        "приходн",
        "платеж",
        "payment",
        "receipt",
    ]) {
        Some(Kind::Payment)
    } else {
        None
    }
}

/// A list's header: which column is which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    columns: Vec<Option<Column>>,
}

impl Header {
    /// The header a row of names makes (it may not be usable: see [`Header::is_usable`]).
    pub fn new<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> Header {
        Header {
            columns: names.into_iter().map(|n| column(n.as_ref())).collect(),
        }
    }

    fn index(&self, c: Column) -> Option<usize> {
        self.columns.iter().position(|x| *x == Some(c))
    }

    /// True when the row names the number, date, amount and counterparty (or INN).
    pub fn is_usable(&self) -> bool {
        let has = |c| self.index(c).is_some();
        has(Column::Number)
            && has(Column::Date)
            && has(Column::Amount)
            && (has(Column::Counterparty) || has(Column::Inn) || has(Column::InnKpp))
    }

    /// How many columns have a known meaning.
    pub fn known(&self) -> usize {
        self.columns.iter().flatten().count()
    }

    /// Columns (0-based) that repeat the meaning of an earlier column: the first one is used.
    pub fn repeated(&self) -> Vec<(usize, Column)> {
        let mut seen = std::collections::HashSet::new();
        self.columns
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.filter(|c| !seen.insert(*c)).map(|c| (i, c)))
            .collect()
    }
}

/// `date {text:?} is not a date`, or `no date` for an empty cell.
fn date_of(cell: &TableCell, dates: DateSystem, what: &str) -> Result<NaiveDate, String> {
    let text = cell.display();
    let date = match cell {
        TableCell::Date(d) => Some(*d),
        TableCell::Number(f) => excel_serial_date(*f, dates),
        TableCell::Text(_) | TableCell::Empty => parse_date(&text),
    };
    date.ok_or_else(|| {
        if text.is_empty() {
            format!("no {what}")
        } else {
            format!("{what} {} is not a date", quoted(&text))
        }
    })
}

fn amount_of(cell: &TableCell) -> Result<Decimal, String> {
    let text = cell.display();
    match cell {
        TableCell::Number(f) => {
            amount_from_f64(*f).map_err(|e| format!("amount {}: {e}", quoted(&text)))
        }
        TableCell::Date(_) => Err(format!("amount {} is a date", quoted(&text))),
        TableCell::Text(_) | TableCell::Empty => {
            parse_amount(&text).map_err(|e| format!("amount {}: {e}", quoted(&text)))
        }
    }
}

/// An INN as text. A workbook that stores it as a number drops its leading zero
/// (`0274062111` becomes `274062111`): a 9- or 11-digit number gets it back when the
/// padded INN has valid control digits, the only zero-padded form that can be right.
fn inn_of(cell: &TableCell) -> String {
    if let TableCell::Number(f) = cell
        && let Some(n) = whole(*f).filter(|n| *n >= 0)
    {
        let digits = n.to_string();
        if matches!(digits.len(), 9 | 11) {
            let padded = format!("0{digits}");
            if is_valid_inn(&padded) {
                return padded;
            }
        }
        return digits;
    }
    cell.display().into_owned()
}

/// A KPP as text: a KPP is nine digits, so a number keeps its lost leading zero.
fn kpp_of(cell: &TableCell) -> String {
    if let TableCell::Number(f) = cell
        && let Some(n) = whole(*f).filter(|n| (1..1_000_000_000).contains(n))
    {
        return format!("{n:09}");
    }
    cell.display().into_owned()
}

/// One data row to a document; `Ok(None)` for blank and total rows. `Err` says why the
/// row cannot be read, quoting the value at fault.
pub fn row(
    h: &Header,
    cells: &[TableCell],
    file: FileId,
    line: u32,
    dates: DateSystem,
    parties: &mut PartyPool,
) -> Result<Option<Document>, String> {
    const EMPTY: &TableCell = &TableCell::Empty;
    let cell = |c: Column| -> &TableCell { h.index(c).and_then(|i| cells.get(i)).unwrap_or(EMPTY) };
    let get = |c: Column| -> Cow<'_, str> { cell(c).display() };
    if cells.iter().all(TableCell::is_blank) {
        return Ok(None);
    }
    let number = get(Column::Number);
    let first_text = cells
        .iter()
        .find(|f| !f.is_blank())
        .map(TableCell::display)
        .unwrap_or_default();
    let is_total = ["итог", "всего", "total"]
        .iter()
        .any(|w| crate::text::folded_starts_with(&first_text, w));
    if is_total && cell(Column::Date).is_blank() {
        return Ok(None);
    }

    let kind_text = get(Column::Kind);
    let kind =
        kind(&kind_text).ok_or_else(|| format!("unknown document kind {}", quoted(&kind_text)))?;
    if kind == Kind::NotOurs {
        return Ok(None);
    }
    if number.is_empty() {
        return Err("no document number".into());
    }
    let date = date_of(cell(Column::Date), dates, "date")?;
    let amount_cell = cell(Column::Amount);
    let mut amount = amount_of(amount_cell)?;
    if amount.is_zero() {
        return Err(format!("amount {:?} is zero", amount_cell.display()));
    }
    let (mut inn_text, mut kpp_text) = (inn_of(cell(Column::Inn)), kpp_of(cell(Column::Kpp)));
    if inn_text.is_empty() {
        let combined = cell(Column::InnKpp);
        if let TableCell::Number(_) = combined {
            inn_text = inn_of(combined);
        } else {
            let combined = combined.display();
            let mut parts = combined.split(['/', '\\', ' ']).filter(|s| !s.is_empty());
            inn_text = parts.next().unwrap_or("").to_string();
            if kpp_text.is_empty() {
                kpp_text = parts.next().unwrap_or("").to_string();
            }
        }
    }
    let name = get(Column::Counterparty);
    // (A list names the same customer on many rows: built once, then found by its texts.)
    let party = parties.by_texts([name.as_ref(), &inn_text, &kpp_text], || Party {
        name: name.to_string(),
        inn: clean_inn(&inn_text),
        kpp: clean_kpp(&kpp_text),
        ..Party::default()
    });
    if party.name.is_empty() && party.inn.is_none() {
        return Err("no counterparty and no INN".into());
    }
    // (Short values are kept inline, without a String of their own first.)
    let opt = |c: Column| Some(Text::from(get(c).as_ref())).filter(|s| !s.is_empty());
    // (A list names each contract and manager on many rows: one shared copy each.)
    let mut shared = |c: Column| {
        Some(get(c))
            .filter(|s| !s.is_empty())
            .map(|s| parties.shared(&s))
    };
    let contract = shared(Column::Contract);
    let manager = shared(Column::Manager);
    let currency = normalize_currency(&get(Column::Currency));
    let prov = Provenance { file, line };
    let mut kind = kind;
    if amount.is_sign_negative() {
        kind = match kind {
            // A negative invoice is a correction downwards: a credit.
            Kind::Invoice => Kind::Credit,
            Kind::Credit => Kind::Credit,
            Kind::NotOurs => Kind::NotOurs,
            Kind::Payment => {
                return Err(format!(
                    "a negative payment {:?} (money paid back?): refunds are read from bank statements",
                    amount_cell.display()
                ));
            }
        };
        amount = -amount;
    }

    let doc = match kind {
        Kind::NotOurs => return Ok(None),
        Kind::Invoice => {
            let due_cell = cell(Column::Due);
            let due = if due_cell.is_blank() {
                None
            } else {
                Some(date_of(due_cell, dates, "due date")?)
            };
            Document::Invoice(Invoice {
                number: Text::from(number.as_ref()),
                date,
                due,
                customer: party,
                contract,
                amount,
                currency,
                manager,
                // A sale made from an invoice (`Основание`: the invoice) takes its place,
                // so the debt counts once.
                more: opt(Column::Link).and_then(|n| {
                    crate::model::InvoiceMore {
                        replaces: thin_vec::thin_vec![link_of(&n)],
                        ..Default::default()
                    }
                    .boxed()
                }),
                status: crate::model::Status::Active,
                prov,
            })
        }
        Kind::Credit => Document::Credit(Credit {
            number: number.into_owned().into(),
            date,
            customer: party,
            links: opt(Column::Link)
                .map(|n| thin_vec::thin_vec![link_of(&n)])
                .unwrap_or_default(),
            contract,
            amount,
            currency,
            prov,
            ..Credit::default()
        }),
        Kind::Payment => Document::Payment(Payment {
            number: number.into_owned().into(),
            date,
            credited: Some(date),
            debited: None,
            amount,
            currency,
            payer: party,
            payee: Default::default(),
            purpose: get(Column::Purpose).as_ref().into(),
            direction: Some(Direction::Incoming),
            more: opt(Column::Link).and_then(|n| {
                crate::model::PaymentMore {
                    links: thin_vec::thin_vec![link_of(&n)],
                    id: None,
                }
                .boxed()
            }),
            prov,
            ..Payment::default()
        }),
    };
    Ok(Some(doc))
}

/// A link as a list's `Основание` column writes it: a number (`00БП-000045`), or 1C's
/// presentation of the document (`Счет на оплату 00БП-000045 от 01.03.2024 12:00:00`):
/// the number is the last word before ` от `, the date the one after it.
fn link_of(text: &str) -> DocLink {
    let t = text.trim();
    let lower = crate::text::fold_ru(t);
    let (head, tail) = match lower.find(" от ") {
        Some(at) => (&t[..at], t.get(at + " от ".len()..).unwrap_or("")),
        None => (t, ""),
    };
    let number = head
        .split_whitespace()
        .last()
        .unwrap_or(head)
        .trim_start_matches('№')
        .trim();
    let date = tail
        .split_whitespace()
        .next()
        .and_then(crate::dates::parse_date);
    DocLink {
        number: Some(number.into()),
        date,
        ..DocLink::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn links_as_1c_presents_them() {
        let l = link_of("Счет на оплату 00БП-000045 от 01.03.2024 12:00:00");
        assert_eq!(l.number.as_deref(), Some("00БП-000045"));
        assert_eq!(l.date, crate::dates::parse_date("01.03.2024"));
        let l = link_of(" 45 ");
        assert_eq!((l.number.as_deref(), l.date), (Some("45"), None));
        let l = link_of("Заказ клиента № 12 от 2024-02-01");
        assert_eq!(l.number.as_deref(), Some("12"));
    }

    fn text(s: &str) -> TableCell {
        TableCell::Text(s.into())
    }

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// The next float above / below: the noise a sum computed in Excel carries.
    fn next_up(f: f64) -> f64 {
        f64::from_bits(f.to_bits() + 1)
    }
    fn next_down(f: f64) -> f64 {
        f64::from_bits(f.to_bits() - 1)
    }

    fn header() -> Header {
        Header::new([
            "Номер",
            "Дата",
            "Срок оплаты",
            "Контрагент",
            "ИНН",
            "КПП",
            "Сумма",
        ])
    }

    fn invoice(d: Option<Document>) -> Invoice {
        match d {
            Some(Document::Invoice(i)) => i,
            other => panic!("not an invoice: {other:?}"),
        }
    }

    #[test]
    fn kinds_as_1c_journals_name_them() {
        assert_eq!(kind("Счет на оплату покупателю"), Some(Kind::Invoice));
        assert_eq!(kind("Расходная накладная"), Some(Kind::Invoice));
        assert_eq!(
            kind("Реализация (акт, накладная, УПД)"),
            Some(Kind::Invoice)
        );
        assert_eq!(kind("Корректировка долга (списание)"), Some(Kind::Credit));
        assert_eq!(kind("Возврат товаров от покупателя"), Some(Kind::Credit));
        assert_eq!(kind("Поступление на расчетный счет"), Some(Kind::Payment));
        assert_eq!(kind("ПКО"), Some(Kind::Payment));
        assert_eq!(kind("Платежное поручение исходящее"), None);
        assert_eq!(kind("Списание с расчетного счета"), None);
        assert_eq!(kind("Расходный кассовый ордер"), None);
        assert_eq!(kind("Прочее"), None);
        assert_eq!(kind("Счет-фактура выданный"), Some(Kind::NotOurs));
        assert_eq!(
            kind("Корректировочный счет-фактура выданный"),
            Some(Kind::NotOurs)
        );
        assert_eq!(kind("Счёт фактура"), Some(Kind::NotOurs));
        assert_eq!(kind("Оплата от покупателя"), Some(Kind::Payment));
        assert_eq!(kind("Возврат от поставщика"), Some(Kind::NotOurs));
        assert_eq!(
            kind("Возврат денежных средств покупателю"),
            Some(Kind::NotOurs)
        );
        assert_eq!(kind("Оплата поставщику"), Some(Kind::NotOurs));
        assert_eq!(kind("Платеж поставщику"), Some(Kind::NotOurs));
        assert_eq!(kind("Возврат кредита (займа) банку"), Some(Kind::NotOurs));
        assert_eq!(kind("Возврат займа контрагентом"), Some(Kind::NotOurs));
        assert_eq!(kind("Кредит-нота"), Some(Kind::Credit));
        assert_eq!(kind("Возврат товаров"), Some(Kind::Credit));
    }

    #[test]
    fn headers_in_any_case_order_and_spelling() {
        let h = Header::new(["Сумма:", "ДАТА СЧЁТА", " Покупатель ", "Номер."]);
        assert!(h.is_usable());
        assert_eq!(h.known(), 4);
        assert!(!Header::new(["Номер", "Дата", "Сумма"]).is_usable());
        let twice = Header::new(["Номер", "Дата", "Сумма", "ИНН", "Сумма документа"]);
        assert_eq!(twice.repeated(), vec![(4, Column::Amount)]);
    }

    #[test]
    fn typed_cells_read_as_their_text_would() {
        let typed = vec![
            TableCell::Number(45.0),
            TableCell::Date(ymd(2024, 3, 12)),
            TableCell::Number(45373.0),
            text("ООО \"Ромашка\""),
            TableCell::Number(7707083893.0),
            TableCell::Number(770_701_001.0),
            TableCell::Number(1234.5600000001),
        ];
        let as_text: Vec<TableCell> = [
            "45",
            "12.03.2024",
            "22.03.2024",
            "ООО \"Ромашка\"",
            "7707083893",
            "770701001",
            "1 234,56",
        ]
        .into_iter()
        .map(text)
        .collect();
        let a = invoice(
            row(
                &header(),
                &typed,
                0,
                7,
                DateSystem::Excel1900,
                &mut PartyPool::default(),
            )
            .unwrap(),
        );
        let b = invoice(
            row(
                &header(),
                &as_text,
                0,
                7,
                DateSystem::Text,
                &mut PartyPool::default(),
            )
            .unwrap(),
        );
        assert_eq!(a, b);
        assert_eq!(a.number, "45");
        assert_eq!(a.date, ymd(2024, 3, 12));
        assert_eq!(a.due, Some(ymd(2024, 3, 22)));
        assert_eq!(a.customer.inn.as_deref(), Some("7707083893"));
        assert_eq!(a.customer.kpp.as_deref(), Some("770701001"));
        assert_eq!(a.amount, dec!(1234.56));
        assert_eq!(a.amount.to_string(), "1234.56");
        assert_eq!(a.prov.line, 7);
    }

    #[test]
    fn float_amounts_lose_their_noise_and_round_half_away_from_zero() {
        let cases = [
            // The floats just above and below 642998789.69 (642998789.6900002, …).
            (next_up(642_998_789.69), dec!(642998789.69)),
            (next_down(642_998_789.69), dec!(642998789.69)),
            (1234.5600000001, dec!(1234.56)),
            (0.1 + 0.2, dec!(0.30)),
            (100.0, dec!(100)),
            (-500.0, dec!(-500)),
            (2.675, dec!(2.68)),
            (-2.675, dec!(-2.68)),
            (0.125, dec!(0.13)),
            (999999999999999.0 / 10.0, dec!(99999999999999.9)),
        ];
        for (f, want) in cases {
            let got = amount_from_f64(f).unwrap();
            assert_eq!(got, want, "{f}");
            assert_eq!(got.scale(), 2, "{f}");
        }
        assert!(amount_from_f64(0.001).unwrap().is_zero());
        assert!(!amount_from_f64(-0.001).unwrap().is_sign_negative());
        for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e15, -3e20] {
            assert!(amount_from_f64(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn excel_serials_in_both_date_systems() {
        let s = |f, sys| excel_serial_date(f, sys);
        assert_eq!(s(45366.0, DateSystem::Excel1900), Some(ymd(2024, 3, 15)));
        assert_eq!(s(45366.75, DateSystem::Excel1900), Some(ymd(2024, 3, 15)));
        assert_eq!(s(1.0, DateSystem::Excel1900), Some(ymd(1900, 1, 1)));
        assert_eq!(s(59.0, DateSystem::Excel1900), Some(ymd(1900, 2, 28)));
        assert_eq!(s(60.0, DateSystem::Excel1900), None);
        assert_eq!(s(61.0, DateSystem::Excel1900), Some(ymd(1900, 3, 1)));
        assert_eq!(s(43904.0, DateSystem::Excel1904), Some(ymd(2024, 3, 15)));
        assert_eq!(s(45366.0, DateSystem::Text), None);
        for bad in [-1.0, f64::NAN, f64::INFINITY, 20240315.0, 1e300] {
            assert_eq!(s(bad, DateSystem::Excel1900), None, "{bad}");
        }
    }

    #[test]
    fn numbers_that_are_no_dates_and_dates_that_are_no_amounts() {
        let h = header();
        let mut cells = vec![
            text("1"),
            TableCell::Number(20240315.0),
            TableCell::Empty,
            text("A"),
            TableCell::Empty,
            TableCell::Empty,
            text("10"),
        ];
        let e = row(
            &h,
            &cells,
            0,
            2,
            DateSystem::Excel1900,
            &mut PartyPool::default(),
        )
        .unwrap_err();
        assert_eq!(e, "date \"20240315\" is not a date");
        cells[1] = text("15.03.2024");
        cells[6] = TableCell::Date(ymd(2024, 3, 15));
        let e = row(
            &h,
            &cells,
            0,
            2,
            DateSystem::Excel1900,
            &mut PartyPool::default(),
        )
        .unwrap_err();
        assert_eq!(e, "amount \"15.03.2024\" is a date");
        cells[6] = TableCell::Number(f64::NAN);
        let e = row(
            &h,
            &cells,
            0,
            2,
            DateSystem::Excel1900,
            &mut PartyPool::default(),
        )
        .unwrap_err();
        assert!(e.starts_with("amount \"NaN\""), "{e}");
        cells[6] = TableCell::Number(0.004);
        let e = row(
            &h,
            &cells,
            0,
            2,
            DateSystem::Excel1900,
            &mut PartyPool::default(),
        )
        .unwrap_err();
        assert_eq!(e, "amount \"0.004\" is zero");
        cells[6] = TableCell::Number(-1500.5);
        assert!(matches!(
            row(&h, &cells, 0, 2, DateSystem::Excel1900, &mut PartyPool::default()),
            Ok(Some(Document::Credit(c))) if c.amount == dec!(1500.50)
        ));
    }

    #[test]
    fn numeric_inns_get_their_leading_zero_back_only_when_it_checks() {
        // 0274062111 (Bashkortostan) stored as a number.
        assert_eq!(inn_of(&TableCell::Number(274062111.0)), "0274062111");
        assert!(is_valid_inn("0274062111"));
        assert_eq!(inn_of(&TableCell::Number(7707083893.0)), "7707083893");
        // Nine digits whose padded form fails the checksum stay as they are.
        assert_eq!(inn_of(&TableCell::Number(123456789.0)), "123456789");
        assert_eq!(inn_of(&TableCell::Number(1.5)), "1.5");
        assert_eq!(inn_of(&text(" 7707083893 ")), "7707083893");
        assert_eq!(kpp_of(&TableCell::Number(27401001.0)), "027401001");
    }

    #[test]
    fn totals_and_blank_rows_are_no_documents() {
        let h = header();
        let total = vec![
            text("Итого"),
            TableCell::Empty,
            TableCell::Empty,
            TableCell::Empty,
            TableCell::Empty,
            TableCell::Empty,
            TableCell::Number(300.5),
        ];
        assert_eq!(
            row(
                &h,
                &total,
                0,
                9,
                DateSystem::Excel1900,
                &mut PartyPool::default()
            ),
            Ok(None)
        );
        let blank = vec![TableCell::Empty, text("  ")];
        assert_eq!(
            row(
                &h,
                &blank,
                0,
                9,
                DateSystem::Excel1900,
                &mut PartyPool::default()
            ),
            Ok(None)
        );
        assert_eq!(
            row(
                &h,
                &[],
                0,
                9,
                DateSystem::Excel1900,
                &mut PartyPool::default()
            ),
            Ok(None)
        );
    }

    #[test]
    fn display_is_what_a_person_sees() {
        assert_eq!(TableCell::Number(45.0).display(), "45");
        assert_eq!(TableCell::Number(-0.0).display(), "0");
        assert_eq!(
            TableCell::Number(1234.5600000001).display(),
            "1234.5600000001"
        );
        assert_eq!(TableCell::Number(1e20).display(), "100000000000000000000");
        assert_eq!(
            TableCell::Number(next_up(642_998_789.69)).display(),
            "642998789.6900002"
        );
        assert_eq!(TableCell::Date(ymd(2024, 3, 5)).display(), "05.03.2024");
        assert_eq!(text("  a b ").display(), "a b");
        assert!(text(" \u{a0}").is_blank());
        assert!(!TableCell::Number(0.0).is_blank());
    }
}
