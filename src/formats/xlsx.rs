//! Lists of invoices, returns and payments saved as XLSX workbooks.
//!
//! 1C users save journals to Excel as often as to CSV ("Сохранить как… → Лист Excel"),
//! so a workbook is read by the same header rules as a delimited list ([`super::table`]):
//! for each worksheet in workbook order, a header row among its first rows; every sheet
//! that has one is read, its rows are documents. What differs is the cells: Excel keeps
//! numbers as floats, dates as serial days, INNs and document numbers as numbers, and
//! those are converted here to typed [`TableCell`]s ([`super::table`] then turns float
//! amounts into kopecks and serials into dates).
//!
//! Workbooks that hold no list (1C's "Обороты счета" or "Анализ счета" reports) are read
//! as no documents with a warning rather than refused: they are workbooks, just not
//! lists. A file that is no workbook at all (a broken zip, a binary XLS) is an error.
//!
//! The workbook comes from outside, so the XLSX parser is kept from taking the process
//! down: its shared-string table may not claim more strings than any list has (the
//! parser reserves memory for the claim up front), and a panic inside it becomes an
//! error for this file.

use super::table::{self, DateSystem, Header, MAX_PREAMBLE, TableCell};
use super::{FileError, FileRead, Format};
use crate::dates::parse_date;
use crate::model::{FileId, Warning};
use calamine::{DataRef, Reader, SheetType, Xlsx};
use std::io::{Cursor, Read};

/// The part every XLSX workbook has (SpreadsheetML's main part).
const WORKBOOK_PART: &[u8] = b"xl/workbook.xml";

/// Columns beyond this are ignored: no list is that wide, and a cell far to the right
/// must not make every row that wide in memory.
const MAX_COLUMNS: u32 = 1024;

/// The most shared strings a workbook may declare (Excel's own limit is 1,048,576 rows:
/// a list with more distinct texts than this is no list sverka reads).
const MAX_SHARED_STRINGS: u64 = 16_000_000;

type Workbook<'a> = Xlsx<Cursor<&'a [u8]>>;

/// True when the bytes are a zip archive holding `xl/workbook.xml`. Reads the zip's
/// central directory only, so it stays cheap for big workbooks.
pub fn sniff(bytes: &[u8]) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes))
        .is_ok_and(|zip| zip.file_names_raw().any(is_workbook_part))
}

fn is_workbook_part(name: &[u8]) -> bool {
    name.len() == WORKBOOK_PART.len()
        && name
            .iter()
            .map(|&b| if b == b'\\' { b'/' } else { b })
            .zip(WORKBOOK_PART)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

fn error(line: Option<u32>, message: impl Into<String>) -> FileError {
    FileError {
        line,
        message: message.into(),
    }
}

/// Runs the XLSX parser, turning a panic inside it into an error for this file.
fn guarded<T>(f: impl FnOnce() -> Result<T, FileError>) -> Result<T, FileError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(error(None, "the XLSX parser failed on this workbook")))
}

/// Reads every worksheet that holds a list.
pub fn read(bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    check_shared_strings(bytes)?;
    let mut wb: Workbook = guarded(|| {
        Xlsx::new(Cursor::new(bytes))
            .map_err(|e| error(None, format!("not a readable XLSX workbook: {e}")))
    })?;
    let dates = if wb.has_1904_epoch() {
        DateSystem::Excel1904
    } else {
        DateSystem::Excel1900
    };
    let mut parties = crate::model::PartyPool::default();
    let mut out = FileRead::new(Format::Xlsx, None);
    out.exported = guarded(|| Ok(wb.workbook_properties().ok()))?
        .and_then(|p| p.modified.or(p.created))
        .and_then(|s| w3c_datetime(&s));
    let worksheets: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|s| s.typ == SheetType::WorkSheet)
        .map(|s| s.name.clone())
        .collect();
    let (mut read, mut without, mut own) = (Vec::new(), Vec::new(), Vec::new());
    for name in &worksheets {
        match guarded(|| read_sheet(&mut wb, name, dates))? {
            Sheet::NoList => without.push(format!("{name:?}")),
            Sheet::Own(what) => own.push(format!("{name:?} ({what})")),
            Sheet::List {
                header_row,
                header,
                rows,
            } => {
                let before = out.documents.len();
                let skipped = out.skipped;
                for (i, c) in header.repeated() {
                    out.warnings.push(Warning::at(
                        file,
                        header_row,
                        format!(
                            "sheet {name:?}, column {}: repeats the meaning of an earlier column ({c:?}); the first one is used",
                            column_letters(i)
                        ),
                    ));
                }
                for (line, cells) in rows {
                    match table::row(&header, &cells, file, line, dates, &mut parties) {
                        Ok(Some(doc)) => out.documents.push(doc),
                        Ok(None) => {}
                        Err(message) => {
                            out.skipped += 1;
                            out.warnings.push(Warning::at(
                                file,
                                line,
                                format!("sheet {name:?}, row {line} skipped: {message}"),
                            ));
                        }
                    }
                }
                read.push(format!(
                    "{name:?} (header in row {header_row}; {}, {} skipped)",
                    counted(out.documents.len() - before, "document"),
                    counted(out.skipped - skipped, "row"),
                ));
            }
        }
    }
    if !own.is_empty() {
        // A workbook sverka wrote (a register saved into the exports folder): no input,
        // not even its sheets that look like lists (the unidentified receipts).
        out.documents.clear();
        out.warnings.clear();
        out.skipped = 0;
        out.notes.clear();
        out.notes.push(Warning::file(
            file,
            format!("{}: not an input, left out", own.join(", ")),
        ));
    } else if read.is_empty() {
        out.warnings.push(Warning::file(
            file,
            "no sheet has a list header (number, date, amount and counterparty or INN): nothing read",
        ));
        if !without.is_empty() {
            out.notes.push(Warning::file(
                file,
                format!("sheets looked at: {}", without.join(", ")),
            ));
        }
    } else {
        let plural = if read.len() == 1 { "" } else { "s" };
        let mut note = format!("list read from sheet{plural} {}", read.join(", "));
        if !without.is_empty() {
            note.push_str(&format!("; sheets without a list: {}", without.join(", ")));
        }
        out.notes.push(Warning::file(file, note));
    }
    Ok(out)
}

/// What a worksheet holds.
enum Sheet {
    /// No header among its first rows.
    NoList,
    /// A sheet sverka wrote (its header says what).
    Own(&'static str),
    /// The header (its 1-based row) and the rows after it, each with its 1-based row.
    List {
        header_row: u32,
        header: Header,
        rows: Vec<(u32, Vec<TableCell>)>,
    },
}

/// Reads one worksheet's cells as a stream, row by row. A sheet whose first
/// [`MAX_PREAMBLE`] non-empty rows hold no header is left there: it holds no list.
fn read_sheet(wb: &mut Workbook, name: &str, dates: DateSystem) -> Result<Sheet, FileError> {
    let mut cells = wb
        .worksheet_cells_reader(name)
        .map_err(|e| error(None, format!("sheet {name:?} cannot be read: {e}")))?;
    let mut scan = Scan::default();
    let mut current: Option<(u32, Vec<TableCell>)> = None;
    loop {
        let next = cells.next_cell().map_err(|e| {
            let row = current.as_ref().map(|(r, _)| *r);
            let after = row.map_or(String::new(), |r| format!(" after row {r}"));
            error(row, format!("sheet {name:?} is broken{after}: {e}"))
        })?;
        let Some(cell) = next else { break };
        let (r, c) = cell.get_position();
        let line = r.saturating_add(1);
        if current.as_ref().is_some_and(|(l, _)| *l != line)
            && let Some((l, row)) = current.take()
            && !scan.push(l, row)
        {
            return Ok(scan.own.map_or(Sheet::NoList, Sheet::Own));
        }
        let (_, row) = current.get_or_insert_with(|| (line, Vec::new()));
        let value = table_cell(cell.get_value(), dates);
        if c < MAX_COLUMNS && value != TableCell::Empty {
            let c = c as usize;
            if row.len() <= c {
                row.resize(c + 1, TableCell::Empty);
            }
            row[c] = value;
        }
    }
    if let Some((l, row)) = current.take() {
        scan.push(l, row);
    }
    if let Some(what) = scan.own {
        return Ok(Sheet::Own(what));
    }
    Ok(match scan.header {
        Some((header_row, header)) => Sheet::List {
            header_row,
            header,
            rows: scan.rows,
        },
        None => Sheet::NoList,
    })
}

/// The rows of a sheet as they stream in: before the header, a search for it.
#[derive(Default)]
struct Scan {
    /// Non-empty rows seen before the header.
    preamble: usize,
    header: Option<(u32, Header)>,
    /// The header row is one sverka writes.
    own: Option<&'static str>,
    rows: Vec<(u32, Vec<TableCell>)>,
}

impl Scan {
    /// Takes a finished row; false when the sheet has shown it holds no list.
    fn push(&mut self, line: u32, row: Vec<TableCell>) -> bool {
        if self.header.is_some() {
            self.rows.push((line, row));
            return true;
        }
        if row.iter().all(TableCell::is_blank) {
            return true;
        }
        let names: Vec<String> = row.iter().map(|c| c.display().into_owned()).collect();
        if let Some(what) = super::own::output_kind(&names) {
            self.own = Some(what);
            return false;
        }
        let header = Header::new(row.iter().map(TableCell::display));
        if header.is_usable() {
            self.header = Some((line, header));
            return true;
        }
        self.preamble += 1;
        self.preamble < MAX_PREAMBLE
    }
}

/// A workbook cell as a table cell: numbers stay floats (the table decides what they
/// mean by their column), cells formatted as dates are dates.
fn table_cell(value: &DataRef<'_>, dates: DateSystem) -> TableCell {
    match value {
        DataRef::Empty => TableCell::Empty,
        DataRef::String(s) => TableCell::Text(s.clone()),
        DataRef::SharedString(s) => TableCell::Text((*s).to_string()),
        DataRef::Int(i) => TableCell::Number(*i as f64),
        DataRef::Float(f) => TableCell::Number(*f),
        DataRef::Bool(b) => TableCell::Text(if *b { "TRUE" } else { "FALSE" }.into()),
        DataRef::DateTime(d) if d.is_datetime() => table::excel_serial_date(d.as_f64(), dates)
            .map_or(TableCell::Number(d.as_f64()), TableCell::Date),
        DataRef::DateTime(d) => TableCell::Number(d.as_f64()),
        DataRef::DateTimeIso(s) => {
            parse_date(s).map_or_else(|| TableCell::Text(s.clone()), TableCell::Date)
        }
        DataRef::DurationIso(s) => TableCell::Text(s.clone()),
        DataRef::Error(e) => TableCell::Text(e.to_string()),
    }
}

/// `1 document`, `3 documents`.
fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// `A`, `B`, …, `Z`, `AA`, … for a 0-based column.
fn column_letters(index: usize) -> String {
    let mut n = index + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        letters.push(b'A' + rem as u8);
        n = (n - 1) / 26;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

/// `docProps/core.xml`'s W3CDTF time (`2024-03-15T10:00:00Z`) as local time, the way the
/// other exports and file times are compared; a time without a zone is taken as written.
fn w3c_datetime(text: &str) -> Option<chrono::NaiveDateTime> {
    let text = text.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&chrono::Local).naive_local());
    }
    chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// Refuses a workbook whose shared-string table claims more strings than any list has:
/// the parser would reserve memory for all of them before reading one.
fn check_shared_strings(bytes: &[u8]) -> Result<(), FileError> {
    // A zip that cannot be opened is left to the parser to describe.
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index(i) else { continue };
        let name = entry.name_raw().to_ascii_lowercase();
        if !name.ends_with(b"sharedstrings.xml") {
            continue;
        }
        // An entry that cannot be inflated is the parser's to report.
        if let Some(n) = declared_count(entry).filter(|n| *n > MAX_SHARED_STRINGS) {
            return Err(error(
                None,
                format!(
                    "the workbook's shared-string table claims {n} strings: more than any list holds"
                ),
            ));
        }
    }
    Ok(())
}

/// The `uniqueCount` a shared-string table declares on its `<sst>` element, found as
/// leniently as the parser finds it (with its settings, at the first `sst` start tag
/// however far into the part; the largest value if the attribute is repeated),
/// saturating: more digits than fit are a huge number all the same. `None` when the part
/// says nothing.
fn declared_count(part: impl Read) -> Option<u64> {
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(part));
    // calamine's settings: mismatched end tags and odd comments do not stop it.
    let config = xml.config_mut();
    config.check_end_names = false;
    config.check_comments = false;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf) {
            Ok(quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e))
                if e.local_name().as_ref() == "sst" =>
            {
                return claimed(e.attributes_raw());
            }
            // The parser stops at broken XML too (and reserves nothing).
            Ok(quick_xml::events::Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// The largest number written as `uniqueCount = "digits"` in the attributes of a tag.
fn claimed(attributes: &str) -> Option<u64> {
    attributes
        .match_indices("uniqueCount")
        .filter_map(|(at, key)| {
            let rest = attributes[at + key.len()..]
                .trim_start()
                .strip_prefix('=')?;
            let rest = rest
                .trim_start()
                .trim_start_matches(['"', '\''])
                .trim_start();
            let digits = &rest[..rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len())];
            (!digits.is_empty()).then(|| {
                digits.bytes().fold(0u64, |n, d| {
                    n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
                })
            })
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Invoice};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format as CellFormat, Workbook};

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn invoices(r: &FileRead) -> Vec<&Invoice> {
        r.documents
            .iter()
            .map(|d| match d {
                Document::Invoice(i) => i,
                other => panic!("not an invoice: {other:?}"),
            })
            .collect()
    }

    /// A workbook as 1C saves a journal: a title, a period, then the list with typed
    /// cells (numeric amounts with float noise, real dates, INNs and numbers as numbers),
    /// a bad row, a totals row; and a second sheet without a list.
    fn journal() -> Vec<u8> {
        let mut wb = Workbook::new();
        let date = CellFormat::new().set_num_format("dd.mm.yyyy");
        let created = ExcelDateTime::from_ymd(2024, 3, 15)
            .unwrap()
            .and_hms(10, 0, 0)
            .unwrap();
        wb.set_properties(&DocProperties::new().set_creation_datetime(&created));
        let ws = wb.add_worksheet();
        ws.set_name("Лист1").unwrap();
        ws.write_string(0, 0, "Счета на оплату покупателям")
            .unwrap();
        ws.write_string(1, 0, "Период: март 2024").unwrap();
        for (c, h) in ["№", "Дата", "Срок оплаты", "Контрагент", "ИНН", "Сумма"]
            .iter()
            .enumerate()
        {
            ws.write_string(3, c as u16, *h).unwrap();
        }
        // Row 5: typed cells throughout.
        ws.write_number(4, 0, 45.0).unwrap();
        let d = ExcelDateTime::from_ymd(2024, 3, 12).unwrap();
        ws.write_datetime_with_format(4, 1, &d, &date).unwrap();
        // A date written without a date format: Excel keeps the bare serial 45373.
        ws.write_datetime(4, 2, ExcelDateTime::from_ymd(2024, 3, 22).unwrap())
            .unwrap();
        ws.write_string(4, 3, "ООО \"Ромашка\"").unwrap();
        ws.write_number(4, 4, 7707083893.0).unwrap();
        ws.write_number(4, 5, 1234.5600000001).unwrap();
        // Row 6: text cells, as a hand-typed list has them.
        ws.write_string(5, 0, "00БП-000046").unwrap();
        ws.write_string(5, 1, "13.03.2024").unwrap();
        ws.write_string(5, 3, "ООО \"Вектор\"").unwrap();
        ws.write_string(5, 4, "7725418937").unwrap();
        ws.write_string(5, 5, "1 000,50").unwrap();
        // Row 7: an amount that is no amount.
        ws.write_number(6, 0, 47.0).unwrap();
        ws.write_datetime_with_format(6, 1, &d, &date).unwrap();
        ws.write_string(6, 3, "ИП Гранит").unwrap();
        ws.write_string(6, 5, "abc").unwrap();
        // Row 8: the float noise Excel leaves in sums.
        ws.write_number(7, 0, 48.0).unwrap();
        ws.write_datetime_with_format(7, 1, &d, &date).unwrap();
        ws.write_number(7, 4, 274062111.0).unwrap();
        ws.write_number(7, 5, f64::from_bits(642_998_789.69f64.to_bits() + 1))
            .unwrap();
        // Row 10: the totals.
        ws.write_string(9, 0, "Итого").unwrap();
        ws.write_formula(9, 5, "=SUM(F5:F9)").unwrap();
        let other = wb.add_worksheet();
        other.set_name("Свод").unwrap();
        other
            .write_string(0, 0, "Оборотно-сальдовая ведомость")
            .unwrap();
        other.write_number(1, 1, 100.0).unwrap();
        wb.save_to_buffer().unwrap()
    }

    #[test]
    fn a_journal_with_typed_cells_reads_as_its_text_would() {
        let bytes = journal();
        assert!(sniff(&bytes));
        let r = read(&bytes, 3).unwrap();
        assert_eq!(r.format, Format::Xlsx);
        assert_eq!(r.encoding, None);
        let inv = invoices(&r);
        assert_eq!(inv.len(), 3, "{:#?}", r.documents);
        assert_eq!(r.read_count(), 3);

        assert_eq!(inv[0].number, "45");
        assert_eq!(inv[0].date, ymd(2024, 3, 12));
        assert_eq!(inv[0].due, Some(ymd(2024, 3, 22)));
        assert_eq!(inv[0].customer.name, "ООО \"Ромашка\"");
        assert_eq!(inv[0].customer.inn.as_deref(), Some("7707083893"));
        assert_eq!(inv[0].amount, dec!(1234.56));
        assert_eq!(inv[0].amount.to_string(), "1234.56");
        assert_eq!(inv[0].prov.file, 3);
        assert_eq!(inv[0].prov.line, 5);

        assert_eq!(inv[1].number, "00БП-000046");
        assert_eq!(inv[1].date, ymd(2024, 3, 13));
        assert_eq!(inv[1].due, None);
        assert_eq!(inv[1].customer.inn.as_deref(), Some("7725418937"));
        assert_eq!(inv[1].amount, dec!(1000.50));
        assert_eq!(inv[1].prov.line, 6);

        assert_eq!(inv[2].number, "48");
        assert_eq!(inv[2].customer.name, "");
        assert_eq!(inv[2].customer.inn.as_deref(), Some("0274062111"));
        assert_eq!(inv[2].amount.to_string(), "642998789.69");
        assert_eq!(inv[2].prov.line, 8);

        assert_eq!(r.skipped, 1);
        assert_eq!(r.warnings.len(), 1, "{:#?}", r.warnings);
        assert_eq!(r.warnings[0].line, Some(7));
        assert!(
            r.warnings[0]
                .message
                .starts_with("sheet \"Лист1\", row 7 skipped: amount \"abc\": not an amount"),
            "{}",
            r.warnings[0].message
        );
        assert_eq!(r.notes.len(), 1);
        assert_eq!(
            r.notes[0].message,
            "list read from sheet \"Лист1\" (header in row 4; 3 documents, 1 row skipped); sheets without a list: \"Свод\""
        );
        let created = chrono::DateTime::parse_from_rfc3339("2024-03-15T10:00:00Z").unwrap();
        assert_eq!(
            r.exported,
            Some(created.with_timezone(&chrono::Local).naive_local())
        );
    }

    #[test]
    fn every_sheet_with_a_list_is_read() {
        let mut wb = Workbook::new();
        for (sheet, number, amount) in [("Март", "1", 100.0), ("Апрель", "2", 200.25)] {
            let ws = wb.add_worksheet();
            ws.set_name(sheet).unwrap();
            for (c, h) in ["Number", "Date", "Customer", "Amount"].iter().enumerate() {
                ws.write_string(0, c as u16, *h).unwrap();
            }
            ws.write_string(1, 0, number).unwrap();
            ws.write_string(1, 1, "2024-03-01").unwrap();
            ws.write_string(1, 2, "Romashka").unwrap();
            ws.write_number(1, 3, amount).unwrap();
        }
        let r = read(&wb.save_to_buffer().unwrap(), 0).unwrap();
        let inv = invoices(&r);
        assert_eq!(inv.len(), 2);
        assert_eq!((inv[0].number.as_str(), inv[0].amount), ("1", dec!(100)));
        assert_eq!((inv[1].number.as_str(), inv[1].amount), ("2", dec!(200.25)));
        assert!(r.warnings.is_empty());
        assert!(
            r.notes[0].message.starts_with(
                "list read from sheets \"Март\" (header in row 1; 1 document, 0 rows skipped), \"Апрель\""
            ),
            "{}",
            r.notes[0].message
        );
    }

    #[test]
    fn a_report_without_a_list_is_read_as_nothing_with_a_warning() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Обороты счета 62 за 2024 г.")
            .unwrap();
        for r in 1..60 {
            ws.write_string(r, 0, "Покупатель").unwrap();
            ws.write_number(r, 1, f64::from(r) * 10.5).unwrap();
        }
        // A header below the first 30 rows is no header.
        for (c, h) in ["Номер", "Дата", "Контрагент", "Сумма"].iter().enumerate()
        {
            ws.write_string(60, c as u16, *h).unwrap();
        }
        let r = read(&wb.save_to_buffer().unwrap(), 0).unwrap();
        assert_eq!(r.read_count(), 0);
        assert_eq!(r.skipped, 0);
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].line, None);
        assert_eq!(
            r.warnings[0].message,
            "no sheet has a list header (number, date, amount and counterparty or INN): nothing read"
        );
        assert_eq!(r.notes[0].message, "sheets looked at: \"Sheet1\"");
    }

    #[test]
    fn an_empty_workbook_is_no_list() {
        let mut wb = Workbook::new();
        wb.add_worksheet();
        let r = read(&wb.save_to_buffer().unwrap(), 0).unwrap();
        assert_eq!(r.read_count(), 0);
        assert_eq!(r.warnings.len(), 1);
    }

    #[test]
    fn repeated_columns_are_named_by_letter() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, h) in ["Номер", "Дата", "ИНН", "Сумма", "Сумма документа"]
            .iter()
            .enumerate()
        {
            ws.write_string(2, c as u16, *h).unwrap();
        }
        let r = read(&wb.save_to_buffer().unwrap(), 0).unwrap();
        assert_eq!(r.warnings.len(), 1);
        assert_eq!(r.warnings[0].line, Some(3));
        assert!(
            r.warnings[0]
                .message
                .starts_with("sheet \"Sheet1\", column E: repeats"),
            "{}",
            r.warnings[0].message
        );
    }

    #[test]
    fn files_that_are_no_workbooks_are_errors() {
        let e = read(b"PK\x03\x04 not really a zip", 0).unwrap_err();
        assert!(
            e.message.starts_with("not a readable XLSX workbook"),
            "{}",
            e.message
        );
        let xls = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\0\0\0\0\0\0\0\0";
        assert!(read(xls, 0).is_err());
        assert!(!sniff(xls));
        assert!(read(b"", 0).is_err());
        assert!(!sniff("Номер;Дата;Контрагент;Сумма\n".as_bytes()));
        // A zip that is no workbook.
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut zip, b"hello").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(!sniff(&bytes));
        assert!(read(&bytes, 0).is_err());
        // Cut short.
        let bytes = journal();
        assert!(read(&bytes[..bytes.len() / 2], 0).is_err());
    }

    /// Found by the `xlsx` fuzz target: a cell reference with seven column letters
    /// overflows calamine's column arithmetic (a panic in a debug build), which the guard
    /// turns into an error for the file.
    #[test]
    fn a_cell_reference_past_any_column_is_an_error_not_a_panic() {
        let bytes = journal();
        let mut zip = zip::ZipArchive::new(Cursor::new(&bytes[..])).unwrap();
        let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            let mut part = zip.by_index(i).unwrap();
            let name = part.name().unwrap().to_string();
            let mut data = Vec::new();
            part.read_to_end(&mut data).unwrap();
            if name.starts_with("xl/worksheets/") {
                data = String::from_utf8(data)
                    .unwrap()
                    .replace("r=\"A1\"", "r=\"PURPOSEA1\"")
                    .into_bytes();
            }
            out.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            std::io::Write::write_all(&mut out, &data).unwrap();
        }
        let bytes = out.finish().unwrap().into_inner();
        if let Err(e) = read(&bytes, 0) {
            assert!(!e.message.is_empty());
        }
    }

    #[test]
    fn workbook_parts_are_found_in_any_case_and_slash() {
        assert!(is_workbook_part(b"xl/workbook.xml"));
        assert!(is_workbook_part(b"XL\\Workbook.XML"));
        assert!(!is_workbook_part(b"xl/workbook.bin"));
        assert!(!is_workbook_part(b"xl/workbook.xml.rels"));
    }

    #[test]
    fn shared_string_tables_claiming_too_much_are_refused() {
        assert_eq!(
            declared_count(&b"<sst count=\"3\" uniqueCount=\"2\">"[..]),
            Some(2)
        );
        assert_eq!(
            declared_count(&b"<sst uniqueCount='99999999999999999999999999'>"[..]),
            Some(u64::MAX)
        );
        assert_eq!(declared_count(&b"<sst>"[..]), None);
        // Found by the xlsx fuzz target: a stray `uniqueCount=` before the table, and
        // the table's start tag past the first 4 KiB, hid the claim from the old check,
        // and the parser reserved 96 GB and aborted.
        let hidden = format!(
            "<?xml version=\"1.0\"?>\n<!-- uniqueCount=x {} -->\n<sst xmlns=\"x\" count=\"7\" uniqueCount=\"4000000000\">",
            "-".repeat(8192)
        );
        assert_eq!(declared_count(hidden.as_bytes()), Some(4_000_000_000));
        // And after broken XML the parser reads past (a mismatched end tag).
        let broken = "<a><b></c>\n<sst uniqueCount = '4000000000' uniqueCount=\"1\">";
        assert_eq!(declared_count(broken.as_bytes()), Some(4_000_000_000));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        zip.start_file("xl/sharedStrings.xml", options).unwrap();
        std::io::Write::write_all(
            &mut zip,
            b"<?xml version=\"1.0\"?><sst uniqueCount=\"1000000000000\"></sst>",
        )
        .unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        let e = check_shared_strings(&bytes).unwrap_err();
        assert!(e.message.contains("1000000000000"), "{}", e.message);
        assert!(check_shared_strings(&journal()).is_ok());
    }

    #[test]
    fn column_letters_as_excel_names_them() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
    }

    #[test]
    fn core_properties_times() {
        assert_eq!(
            w3c_datetime("2024-03-15T10:00:00"),
            Some(ymd(2024, 3, 15).and_hms_opt(10, 0, 0).unwrap())
        );
        assert!(w3c_datetime("2024-03-15T10:00:00Z").is_some());
        assert!(w3c_datetime("2024-03-15T10:00:00+03:00").is_some());
        assert_eq!(w3c_datetime("вчера"), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2048)) {
            let _ = sniff(&bytes);
            let _ = read(&bytes, 0);
        }

        #[test]
        fn damaged_workbooks_never_panic(at in 0usize..100_000, byte in proptest::prelude::any::<u8>()) {
            let mut bytes = journal();
            let i = at % bytes.len();
            bytes[i] = byte;
            let _ = sniff(&bytes);
            let _ = read(&bytes, 0);
        }
    }
}
