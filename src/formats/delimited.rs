//! Delimited lists of invoices, returns and payments, as 1C users save them (CSV/TXT).
//!
//! 1C has no native CSV: these lists are journals re-saved from Excel or typed by hand,
//! so nothing about them is fixed. The header row is found among the first lines and
//! recognised by its names (Russian or English, any order, any case); the delimiter
//! (`;`, tab or `,`) is the one that makes the header recognisable; the encoding is
//! sniffed from the bytes. A list without a kind column is a list of invoices.

use super::encoding::{self, TextEncoding};
use super::{FileError, FileRead, Format};
use crate::dates::parse_date;
use crate::inn::{clean_inn, clean_kpp};
use crate::model::{
    Credit, Direction, DocLink, Document, FileId, Invoice, Party, Payment, Provenance, Warning,
    normalize_currency,
};
use crate::money::parse_amount;

/// What a column means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
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
}

fn kind(value: &str) -> Option<Kind> {
    let v = value.trim().to_lowercase().replace('ё', "е");
    if v.is_empty() {
        return Some(Kind::Invoice);
    }
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| v.starts_with(p));
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

/// The header: which column is which, found on line `line` with `delimiter`.
#[derive(Debug, Clone)]
struct Header {
    delimiter: u8,
    /// 0-based index of the header record among the file's records.
    record: usize,
    columns: Vec<Option<Column>>,
}

impl Header {
    fn index(&self, c: Column) -> Option<usize> {
        self.columns.iter().position(|x| *x == Some(c))
    }
    fn is_usable(&self) -> bool {
        let has = |c| self.index(c).is_some();
        has(Column::Number)
            && has(Column::Date)
            && has(Column::Amount)
            && (has(Column::Counterparty) || has(Column::Inn) || has(Column::InnKpp))
    }
}

/// How many records at the top of a file may precede the header (report titles, periods).
const MAX_PREAMBLE: usize = 30;

fn find_header(text: &str) -> Option<Header> {
    let mut best: Option<(usize, Header)> = None;
    for delimiter in [b';', b'\t', b','] {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for (i, rec) in rdr.records().take(MAX_PREAMBLE).enumerate() {
            let Ok(rec) = rec else { break };
            let columns: Vec<Option<Column>> = rec.iter().map(column).collect();
            let h = Header {
                delimiter,
                record: i,
                columns,
            };
            if h.is_usable() {
                let known = h.columns.iter().flatten().count();
                if best.as_ref().is_none_or(|(k, _)| known > *k) {
                    best = Some((known, h));
                }
                break;
            }
        }
    }
    best.map(|(_, h)| h)
}

fn decode(bytes: &[u8]) -> (TextEncoding, String) {
    let (enc, bom) = encoding::sniff(
        bytes,
        &["Номер", "Дата", "Сумма", "Контрагент", "ИНН"],
        None,
    );
    (enc, enc.decode(&bytes[bom..]).into_owned())
}

/// True when the bytes are a list with a recognisable header.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    // Cut at a line end so a multi-byte character is not split.
    let cut = head
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(head.len(), |i| i + 1);
    let (_, text) = decode(&head[..cut]);
    find_header(&text).is_some()
}

/// Reads a list.
pub fn read(bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    let (enc, text) = decode(bytes);
    let header = find_header(&text).ok_or_else(|| FileError {
        line: None,
        message: "no header row with the number, date, amount and counterparty (or INN) columns"
            .into(),
    })?;
    let mut out = FileRead::new(Format::Delimited, Some(enc));
    let mut seen = std::collections::HashSet::new();
    for (i, c) in header.columns.iter().enumerate() {
        if let Some(c) = c {
            if !seen.insert(*c) {
                out.warnings.push(Warning::file(
                    file,
                    format!("column {} repeats the meaning of an earlier column ({c:?}); the first one is used", i + 1),
                ));
            }
        }
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(header.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let lines = LineIndex::new(&text);
    let mut record = csv::StringRecord::new();
    let mut index = 0usize;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(FileError {
                    line: e.position().map(|p| lines.line_at(p.byte() as usize)),
                    message: format!("broken CSV: {e}"),
                });
            }
        }
        let line = record
            .position()
            .map_or(0, |p| lines.line_at(p.byte() as usize));
        index += 1;
        if index <= header.record + 1 {
            continue;
        }
        match row(&header, &record, file, line) {
            Ok(Some(doc)) => out.documents.push(doc),
            Ok(None) => {}
            Err(message) => {
                out.skipped += 1;
                out.warnings
                    .push(Warning::at(file, line, format!("row skipped: {message}")));
            }
        }
    }
    Ok(out)
}

/// Line numbers from byte offsets: the CSV reader's own line count lags behind on CRLF.
struct LineIndex<'a> {
    text: &'a [u8],
    /// Offsets where lines start (after `\n`, or after a lone `\r`).
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let b = text.as_bytes();
        let mut starts = vec![0];
        for (i, &c) in b.iter().enumerate() {
            if c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        LineIndex { text: b, starts }
    }

    /// The 1-based line of the record starting at `byte` (line ends before it are skipped).
    fn line_at(&self, byte: usize) -> u32 {
        let mut at = byte.min(self.text.len());
        while at < self.text.len() && matches!(self.text[at], b'\r' | b'\n') {
            at += 1;
        }
        self.starts.partition_point(|&s| s <= at) as u32
    }
}

/// One data row to a document; `Ok(None)` for blank and total rows.
fn row(
    h: &Header,
    rec: &csv::StringRecord,
    file: FileId,
    line: u32,
) -> Result<Option<Document>, String> {
    let get = |c: Column| -> &str {
        h.index(c)
            .and_then(|i| rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    };
    if rec.iter().all(|f| f.trim().is_empty()) {
        return Ok(None);
    }
    let number = get(Column::Number);
    let first_text = rec
        .iter()
        .map(str::trim)
        .find(|f| !f.is_empty())
        .unwrap_or("")
        .to_lowercase();
    let is_total = ["итог", "всего", "total"]
        .iter()
        .any(|w| first_text.starts_with(w));
    if is_total && get(Column::Date).is_empty() {
        return Ok(None);
    }

    let kind_text = get(Column::Kind);
    let kind = kind(kind_text).ok_or_else(|| format!("unknown document kind {kind_text:?}"))?;
    if number.is_empty() {
        return Err("no document number".into());
    }
    let date_text = get(Column::Date);
    let date = parse_date(date_text).ok_or_else(|| {
        if date_text.is_empty() {
            "no date".to_string()
        } else {
            format!("date {date_text:?} is not a date")
        }
    })?;
    let amount_text = get(Column::Amount);
    let mut amount =
        parse_amount(amount_text).map_err(|e| format!("amount {amount_text:?}: {e}"))?;
    if amount.is_zero() {
        return Err(format!("amount {amount_text:?} is zero"));
    }
    let (mut inn_text, mut kpp_text) = (get(Column::Inn).to_string(), get(Column::Kpp).to_string());
    if inn_text.is_empty() {
        let combined = get(Column::InnKpp);
        let mut parts = combined.split(['/', '\\', ' ']).filter(|s| !s.is_empty());
        inn_text = parts.next().unwrap_or("").to_string();
        if kpp_text.is_empty() {
            kpp_text = parts.next().unwrap_or("").to_string();
        }
    }
    let party = Party {
        name: get(Column::Counterparty).to_string(),
        inn: clean_inn(&inn_text),
        kpp: clean_kpp(&kpp_text),
        ..Party::default()
    };
    if party.name.is_empty() && party.inn.is_none() {
        return Err("no counterparty and no INN".into());
    }
    let opt = |c: Column| Some(get(c).to_string()).filter(|s| !s.is_empty());
    let currency = normalize_currency(get(Column::Currency));
    let prov = Provenance { file, line };
    let mut kind = kind;
    if amount.is_sign_negative() {
        kind = match kind {
            // A negative invoice is a correction downwards: a credit.
            Kind::Invoice => Kind::Credit,
            Kind::Credit => Kind::Credit,
            Kind::Payment => {
                return Err(format!(
                    "a negative payment {amount_text:?} (money paid back?): refunds are read from bank statements"
                ));
            }
        };
        amount = -amount;
    }

    let doc = match kind {
        Kind::Invoice => {
            let due_text = get(Column::Due);
            let due = if due_text.is_empty() {
                None
            } else {
                Some(
                    parse_date(due_text)
                        .ok_or_else(|| format!("due date {due_text:?} is not a date"))?,
                )
            };
            Document::Invoice(Invoice {
                number: number.to_string(),
                date,
                due,
                customer: party,
                contract: opt(Column::Contract),
                amount,
                currency,
                manager: opt(Column::Manager),
                prov,
                ..Invoice::default()
            })
        }
        Kind::Credit => Document::Credit(Credit {
            number: number.to_string(),
            date,
            customer: party,
            links: opt(Column::Link)
                .map(|n| vec![DocLink::number(&n)])
                .unwrap_or_default(),
            contract: opt(Column::Contract),
            amount,
            currency,
            prov,
            ..Credit::default()
        }),
        Kind::Payment => Document::Payment(Payment {
            number: number.to_string(),
            date,
            credited: Some(date),
            debited: None,
            amount,
            currency,
            payer: party,
            payee: Party::default(),
            purpose: get(Column::Purpose).to_string(),
            kind: if kind_text.is_empty() {
                "Поступление".into()
            } else {
                kind_text.to_string()
            },
            direction: Some(Direction::Incoming),
            links: opt(Column::Link)
                .map(|n| vec![DocLink::number(&n)])
                .unwrap_or_default(),
            prov,
            ..Payment::default()
        }),
    };
    Ok(Some(doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn docs(text: &str) -> FileRead {
        read(text.as_bytes(), 0).expect("readable")
    }

    fn invoice(d: &Document) -> &Invoice {
        match d {
            Document::Invoice(i) => i,
            other => panic!("not an invoice: {other:?}"),
        }
    }

    #[test]
    fn russian_headers_semicolons_and_grouped_amounts() {
        let r = docs(
            "Номер;Дата;Контрагент;ИНН;Сумма;Срок оплаты\r\n45;12.03.2024;\"ООО \"\"Ромашка\"\"\";7707083893;1\u{a0}234,56;22.03.2024\r\n",
        );
        assert_eq!(r.documents.len(), 1);
        let i = invoice(&r.documents[0]);
        assert_eq!(i.number, "45");
        assert_eq!(i.amount, dec!(1234.56));
        assert_eq!(i.customer.name, "ООО \"Ромашка\"");
        assert_eq!(i.due, NaiveDate::from_ymd_opt(2024, 3, 22));
        assert_eq!(i.prov.line, 2);
    }

    #[test]
    fn english_headers_in_any_order_with_tabs_and_times() {
        let r = docs(
            "Amount\tCustomer\tDate\tNumber\tINN\tDue date\n1234.50\tRomashka\t2024-03-12 10:00:00\tA-7\t7707083893\t\n",
        );
        let i = invoice(&r.documents[0]);
        assert_eq!(i.number, "A-7");
        assert_eq!(i.date, NaiveDate::from_ymd_opt(2024, 3, 12).unwrap());
        assert_eq!(i.due, None);
    }

    #[test]
    fn comma_delimited_with_a_preamble_and_a_totals_row() {
        let r = docs(
            "Счета на оплату покупателям\nПериод: март 2024\n\nNumber,Date,Customer,Amount\n1,01.03.2024,A,100\n2,02.03.2024,B,200.5\nИтого,,,300.5\n",
        );
        assert_eq!(r.documents.len(), 2);
        assert_eq!(r.skipped, 0);
    }

    #[test]
    fn a_kind_column_gives_returns_and_payments() {
        let r = docs(
            "Вид документа;Номер;Дата;Покупатель;ИНН;Сумма;Основание\n\
Счет на оплату;10;01.01.2024;Ромашка;7707083893;100 000,00;\n\
Возврат товаров;3;10.01.2024;Ромашка;7707083893;5 000,00;10\n\
Поступление;77;11.01.2024;Ромашка;7707083893;95 000,00;10\n",
        );
        assert!(matches!(r.documents[0], Document::Invoice(_)));
        match &r.documents[1] {
            Document::Credit(c) => {
                assert_eq!(c.links, vec![DocLink::number("10")]);
                assert_eq!(c.amount, dec!(5000));
            }
            other => panic!("{other:?}"),
        }
        match &r.documents[2] {
            Document::Payment(p) => {
                assert_eq!(p.direction, Some(Direction::Incoming));
                assert_eq!(p.credited, NaiveDate::from_ymd_opt(2024, 1, 11));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn windows_1251_bytes_and_a_utf8_bom() {
        let text = "Номер;Дата;Контрагент;Сумма\r\n1;01.03.2024;Ромашка;10\r\n";
        let win = encoding_rs::WINDOWS_1251.encode(text).0;
        let r = read(&win, 0).unwrap();
        assert_eq!(r.encoding, Some(TextEncoding::Windows1251));
        assert_eq!(invoice(&r.documents[0]).customer.name, "Ромашка");
        let mut bom = encoding::BOM.to_vec();
        bom.extend_from_slice(text.as_bytes());
        let r = read(&bom, 0).unwrap();
        assert_eq!(r.encoding, Some(TextEncoding::Utf8));
        assert_eq!(r.documents.len(), 1);
    }

    #[test]
    fn bad_rows_are_skipped_with_the_line_and_value() {
        let r = docs(
            "Номер;Дата;Контрагент;Сумма\n1;01.03.2024;A;10\n2;31.02.2024;B;10\n3;01.03.2024;C;ten\n",
        );
        assert_eq!(r.documents.len(), 1);
        assert_eq!(r.skipped, 2);
        assert_eq!(r.warnings[0].line, Some(3));
        assert!(r.warnings[0].message.contains("\"31.02.2024\""));
        assert_eq!(r.warnings[1].line, Some(4));
        assert!(r.warnings[1].message.contains("\"ten\""));
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
    }

    #[test]
    fn a_negative_invoice_is_a_credit() {
        let r = docs("Номер;Дата;Контрагент;Сумма\n1;01.03.2024;A;-500,00\n");
        assert!(matches!(&r.documents[0], Document::Credit(c) if c.amount == dec!(500)));
    }

    #[test]
    fn combined_inn_kpp_column() {
        let r =
            docs("Номер;Дата;Контрагент;ИНН/КПП;Сумма\n1;01.03.2024;A;7707083893/770701001;10\n");
        let i = invoice(&r.documents[0]);
        assert_eq!(i.customer.inn.as_deref(), Some("7707083893"));
        assert_eq!(i.customer.kpp.as_deref(), Some("770701001"));
    }

    #[test]
    fn text_without_a_recognisable_header_is_not_a_list() {
        assert!(!sniff(b"hello;world\n1;2\n"));
        assert!(sniff("Номер;Дата;Контрагент;Сумма\n".as_bytes()));
    }
}
