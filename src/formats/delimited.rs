//! Delimited lists of invoices, returns and payments, as 1C users save them (CSV/TXT).
//!
//! 1C has no native CSV: these lists are journals re-saved from Excel or typed by hand,
//! so nothing about them is fixed. The header row is found among the first lines and
//! recognised by its names (Russian or English, any order, any case); the delimiter
//! (`;`, tab or `,`) is the one that makes the header recognisable; the encoding is
//! sniffed from the bytes. A list without a kind column is a list of invoices.
//!
//! This module owns only what is CSV about such a list (encoding, delimiter, records and
//! their line numbers); what the header and each row mean is [`super::table`]'s, shared
//! with workbook lists.

use super::encoding::{self, TextEncoding};
use super::table::{self, DateSystem, Header, MAX_PREAMBLE, TableCell};
use super::{FileError, FileRead, Format};
use crate::model::{FileId, Warning};
use crate::text::quoted;

/// The longest record (a line, or the lines a quoted cell spans) a list may have. No
/// real row comes near it; a longer one is almost always an unclosed quote that swallowed
/// the rows after it, so the file is refused rather than losing them.
pub const MAX_RECORD: usize = 1 << 20;

/// The header: which column is which, found in record `record` with `delimiter`.
#[derive(Debug, Clone)]
struct Found {
    delimiter: u8,
    /// 0-based index of the header record among the file's records.
    record: usize,
    header: Header,
}

fn find_header(text: &str) -> Option<Found> {
    let mut best: Option<(usize, Found)> = None;
    for delimiter in [b';', b'\t', b','] {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        for (i, rec) in rdr.records().take(MAX_PREAMBLE).enumerate() {
            let Ok(rec) = rec else { break };
            let header = Header::new(rec.iter());
            if header.is_usable() {
                let known = header.known();
                if best.as_ref().is_none_or(|(k, _)| known > *k) {
                    let found = Found {
                        delimiter,
                        record: i,
                        header,
                    };
                    best = Some((known, found));
                }
                break;
            }
        }
    }
    best.map(|(_, h)| h)
}

fn sniff_encoding(bytes: &[u8]) -> (TextEncoding, usize) {
    encoding::sniff(
        bytes,
        &["Номер", "Дата", "Сумма", "Контрагент", "ИНН"],
        None,
    )
}

/// The first `limit` bytes (or fewer) cut after a line end, so that no character and no
/// line is cut.
fn head_lines(bytes: &[u8], limit: usize) -> &[u8] {
    if bytes.len() <= limit {
        return bytes;
    }
    let head = &bytes[..limit];
    head.iter()
        .rposition(|&b| b == b'\n')
        .map_or(head, |i| &head[..=i])
}

/// True when the bytes are a list with a recognisable header.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = head_lines(bytes, 16 * 1024);
    let (enc, bom) = sniff_encoding(head);
    find_header(&enc.decode(&head[bom..])).is_some()
}

/// How much of a list is decoded to look for its header: [`MAX_PREAMBLE`] records of
/// any real list fit many times over.
const HEADER_SEARCH: usize = 256 * 1024;

pub fn read(bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    let (enc, bom) = sniff_encoding(bytes);
    let bytes = &bytes[bom..];
    // The header is looked for in the decoded start of the file; the rows are read from
    // the bytes themselves and decoded cell by cell (every encoding sverka reads writes
    // delimiters, quotes and line ends as ASCII), so the file is never held twice.
    let head = head_lines(bytes, HEADER_SEARCH);
    let found = find_header(&enc.decode(head))
        .or_else(|| (head.len() < bytes.len()).then(|| find_header(&enc.decode(bytes)))?)
        .ok_or_else(|| FileError {
            line: None,
            message:
                "no header row with the number, date, amount and counterparty (or INN) columns"
                    .into(),
        })?;
    let mut out = FileRead::new(Format::Delimited, Some(enc));
    let lines = LineIndex::new(bytes);
    // A document per line at most: room for all of them at once.
    out.documents.reserve(lines.starts.len());
    let mut parties = crate::model::PartyPool::default();
    for (i, c) in found.header.repeated() {
        out.warnings.push(Warning::file(
            file,
            format!(
                "column {} repeats the meaning of an earlier column ({c:?}); the first one is used",
                i + 1
            ),
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(found.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    // One row's cells, their buffers reused from row to row.
    let mut cells: Vec<TableCell> = Vec::new();
    let mut index = 0usize;
    loop {
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                return Err(FileError {
                    line: e.position().map(|p| lines.line_at(p.byte() as usize)),
                    message: format!("broken CSV: {e}"),
                });
            }
        }
        let start = record.position().map_or(0, |p| p.byte() as usize);
        let line = lines.line_at(start);
        let length = (rdr.position().byte() as usize).saturating_sub(start);
        if length > MAX_RECORD {
            let first = enc.decode(record.get(0).unwrap_or_default());
            return Err(FileError {
                line: Some(line),
                message: format!(
                    "the row at line {line} is {length} bytes long, more than the {} MiB a row \
                     may have (its first cell is {}); an unclosed quote may have joined the \
                     lines after it: fix the file and read it again",
                    MAX_RECORD >> 20,
                    quoted(&first)
                ),
            });
        }
        index += 1;
        if index <= found.record + 1 {
            continue;
        }
        // Every CSV cell is text: what it means is decided as for any other table.
        cells.truncate(record.len());
        cells.resize_with(record.len(), || TableCell::Text(String::new()));
        for (cell, field) in cells.iter_mut().zip(record.iter()) {
            if let TableCell::Text(text) = cell {
                enc.decode_into(field, text);
            }
        }
        match table::row(
            &found.header,
            &cells,
            file,
            line,
            DateSystem::Text,
            &mut parties,
        ) {
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
    fn new(b: &'a [u8]) -> Self {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, DocLink, Document, Invoice};
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
            "Номер;Дата;Контрагент;Сумма\n1;01.03.2024;A;10\n2;31.02.2024;B;10\n3;01.03.2024;C;ten\n4;01.03.2024;D;1234567890123456\n",
        );
        assert_eq!(r.documents.len(), 1);
        assert_eq!(r.skipped, 3);
        assert_eq!(r.warnings[0].line, Some(3));
        assert!(r.warnings[0].message.contains("\"31.02.2024\""));
        assert_eq!(r.warnings[1].line, Some(4));
        assert!(r.warnings[1].message.contains("\"ten\""));
        assert_eq!(r.warnings[2].line, Some(5));
        let m = &r.warnings[2].message;
        assert!(m.contains("\"1234567890123456\": amount too large"), "{m}");
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
    fn a_row_longer_than_the_limit_fails_the_file_naming_its_line() {
        let ok = format!(
            "Номер;Дата;Контрагент;Сумма\n1;01.03.2024;{};10\n",
            "A".repeat(MAX_RECORD - 100)
        );
        assert_eq!(docs(&ok).documents.len(), 1);
        // An unclosed quote on line 3 swallows every line after it.
        let mut text =
            String::from("Номер;Дата;Контрагент;Сумма\n1;01.03.2024;A;10\n2;\"02.03.2024;B;20\n");
        for i in 0..MAX_RECORD / 20 {
            text.push_str(&format!("{i};01.03.2024;C;30\n"));
        }
        let err = read(text.as_bytes(), 0).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("line 3"), "{}", err.message);
        assert!(
            err.message.contains("more than the 1 MiB"),
            "{}",
            err.message
        );
        assert!(
            err.message.contains("its first cell is \"2\""),
            "{}",
            err.message
        );
        assert!(err.message.len() < 400, "{}", err.message);
        // One huge cell: quoted cut.
        let huge = format!(
            "Номер;Дата;Контрагент;Сумма\n{};01.03.2024;A;10\n",
            "9".repeat(2 * MAX_RECORD)
        );
        let err = read(huge.as_bytes(), 0).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("characters in all"), "{}", err.message);
        assert!(err.message.len() < 400, "{}", err.message);
    }

    #[test]
    fn a_header_after_a_long_preamble_is_still_found() {
        // Three preamble lines of 100 KB each put the header past the decoded start.
        let filler = "x".repeat(100 * 1024);
        let text = format!(
            "{filler}\n{filler}\n{filler}\nНомер;Дата;Контрагент;Сумма\n45;12.03.2024;ООО Ромашка;1 234,56\n"
        );
        let r = docs(&text);
        assert_eq!(r.documents.len(), 1);
        assert_eq!(invoice(&r.documents[0]).number, "45");
        assert_eq!(invoice(&r.documents[0]).prov.line, 5);
    }

    #[test]
    fn text_without_a_recognisable_header_is_not_a_list() {
        assert!(!sniff(b"hello;world\n1;2\n"));
        assert!(sniff("Номер;Дата;Контрагент;Сумма\n".as_bytes()));
    }
}
