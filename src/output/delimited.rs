//! CSV and TSV. The default CSV is what Russian Excel opens with a double click: UTF-8
//! with a BOM, `;` between cells, decimal comma, `dd.mm.yyyy`, CRLF. The plain dialect is
//! for programs. A text cell that a spreadsheet would run as a formula is escaped.

use super::CsvDialect;
use super::sheet::{Cell, Sheet};
use crate::money::{Money, MoneyStyle};

/// CSV or TSV in a dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Csv(CsvDialect),
    Tsv(CsvDialect),
}

/// Makes a text cell safe for spreadsheets: a leading `=`, `+`, `-`, `@`, tab or CR
/// would start a formula, so such a cell gets a leading apostrophe, unless the whole
/// cell is a plain number (`-500,00`).
pub fn defuse(text: &str) -> std::borrow::Cow<'_, str> {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && crate::money::parse_amount(text).is_err() {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

fn cell_text(cell: &Cell, dialect: CsvDialect) -> String {
    match cell {
        Cell::Text(s) => defuse(s).into_owned(),
        Cell::Money(m) => match dialect {
            CsvDialect::Excel => Money(*m, MoneyStyle::Comma).to_string(),
            CsvDialect::Plain => Money(*m, MoneyStyle::Point).to_string(),
        },
        Cell::Int(i) => i.to_string(),
        Cell::Ratio(r) => {
            let text = super::sheet::ratio_text(*r);
            match dialect {
                CsvDialect::Excel => text.replace('.', ","),
                CsvDialect::Plain => text,
            }
        }
        Cell::Date(d) => match dialect {
            CsvDialect::Excel => crate::dates::ru(*d),
            CsvDialect::Plain => crate::dates::iso(*d),
        },
        Cell::Empty => String::new(),
    }
}

/// Re-encodes rendered UTF-8 text as Windows-1251 when asked; a character that code
/// page lacks becomes `?` (never an HTML entity in a spreadsheet cell).
pub fn encode(utf8: Vec<u8>, cp1251: bool) -> Vec<u8> {
    if !cp1251 {
        return utf8;
    }
    let text = String::from_utf8_lossy(&utf8);
    let mut out = Vec::with_capacity(text.len());
    let mut buf = [0u8; 4];
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c as u8);
            continue;
        }
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1251.encode(c.encode_utf8(&mut buf));
        if unmappable {
            out.push(b'?');
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

/// Renders one sheet (header and rows; the totals row is for people, not for CSV). The
/// Russian Excel dialect starts with a BOM when `bom` (UTF-8 output) is set.
pub fn render(sheet: &Sheet, flavor: Flavor, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    // (Writing to memory fails only where allocating does.)
    let _ = write_sheet(&mut out, sheet, flavor, bom, false);
    out
}

/// Writes `sheet` (the BOM when `bom` in the Russian Excel CSV dialect, its header and
/// its rows) and returns the writer, for rows that follow as they are made.
pub fn write_sheet<'a>(
    out: &'a mut dyn std::io::Write,
    sheet: &Sheet,
    flavor: Flavor,
    bom: bool,
    cp1251: bool,
) -> std::io::Result<Rows<'a>> {
    let (delimiter, dialect, bom) = match flavor {
        Flavor::Csv(d @ CsvDialect::Excel) => (b';', d, bom),
        Flavor::Csv(d @ CsvDialect::Plain) => (b',', d, false),
        Flavor::Tsv(d) => (b'\t', d, false),
    };
    let terminator = match (flavor, dialect) {
        (Flavor::Csv(_), CsvDialect::Excel) => csv::Terminator::CRLF,
        _ => csv::Terminator::Any(b'\n'),
    };
    if bom {
        out.write_all(b"\xEF\xBB\xBF")?;
    }
    let w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .terminator(terminator)
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Encoder {
            out,
            record: Vec::new(),
            cp1251,
        });
    let mut rows = Rows { w, flavor, dialect };
    let header: Vec<String> = sheet
        .columns
        .iter()
        .map(|c| defuse(&c.header).into_owned())
        .collect();
    rows.record(header)?;
    for row in &sheet.rows {
        rows.write(row)?;
    }
    Ok(rows)
}

/// A sheet's rows written as they come, after its header: for an output too big to be
/// made whole first (a year's match log is 72 000 rows of cells at 100 MiB).
pub struct Rows<'a> {
    w: csv::Writer<Encoder<'a>>,
    flavor: Flavor,
    dialect: CsvDialect,
}

/// Takes what the CSV writer writes and, at each flush (the end of a record), writes it
/// on in the encoding asked: a record is encoded whole, never a character cut in two.
struct Encoder<'a> {
    out: &'a mut dyn std::io::Write,
    record: Vec<u8>,
    cp1251: bool,
}

impl std::io::Write for Encoder<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.record.extend_from_slice(buf);
        Ok(buf.len())
    }

    /// (The output itself is flushed by whoever made it: a flush there would be a
    /// system call a row.)
    fn flush(&mut self) -> std::io::Result<()> {
        if self.cp1251 {
            let record = std::mem::take(&mut self.record);
            self.out.write_all(&encode(record, true))
        } else {
            self.out.write_all(&self.record)?;
            self.record.clear();
            Ok(())
        }
    }
}

impl<'a> Rows<'a> {
    /// Writes one row.
    pub fn write(&mut self, row: &[Cell]) -> std::io::Result<()> {
        let (flavor, dialect) = (self.flavor, self.dialect);
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                let t = cell_text(c, dialect);
                // A tab inside a TSV cell would shift every column after it.
                if matches!(flavor, Flavor::Tsv(_)) {
                    t.replace(['\t', '\n', '\r'], " ")
                } else {
                    t
                }
            })
            .collect();
        self.record(cells)
    }

    fn record(&mut self, cells: Vec<String>) -> std::io::Result<()> {
        self.w.write_record(&cells)?;
        self.w.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn formulas_are_defused_but_negative_numbers_are_not() {
        assert_eq!(defuse("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defuse("+CMD|' /C calc'!A0"), "'+CMD|' /C calc'!A0");
        assert_eq!(defuse("+7 900"), "+7 900"); // a number stays a number
        assert_eq!(defuse("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defuse("-cmd"), "'-cmd");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("-500,00"), "-500,00");
        assert_eq!(defuse("ООО «Ромашка»"), "ООО «Ромашка»");
    }

    #[test]
    fn rows_written_as_they_come_are_the_sheet_rendered_whole() {
        // A cell longer than the CSV writer's buffer: the record reaches the encoder in
        // pieces, cut anywhere, and is encoded whole.
        let mut s = Sheet::new("t", "t");
        s.column("Назначение", true).column("Сумма", true);
        s.rows.push(vec![
            Cell::text("Оплата ".repeat(3000)),
            Cell::Money(dec!(1)),
        ]);
        s.rows
            .push(vec![Cell::text("по сч. 45"), Cell::Money(dec!(2.5))]);
        for cp1251 in [false, true] {
            for flavor in [
                Flavor::Csv(CsvDialect::Excel),
                Flavor::Tsv(CsvDialect::Plain),
            ] {
                let mut out = Vec::new();
                write_sheet(&mut out, &s, flavor, !cp1251, cp1251).unwrap();
                assert_eq!(out, encode(render(&s, flavor, !cp1251), cp1251));
            }
        }
    }

    #[test]
    fn russian_excel_and_plain_dialects() {
        let mut s = Sheet::new("t", "t");
        s.column("Контрагент", true).column("Долг", true);
        s.rows.push(vec![
            Cell::text("ООО \"Ромашка\"; филиал"),
            Cell::Money(dec!(1234.5)),
        ]);
        let excel = render(&s, Flavor::Csv(CsvDialect::Excel), true);
        assert_eq!(
            String::from_utf8(excel).unwrap(),
            "\u{feff}Контрагент;Долг\r\n\"ООО \"\"Ромашка\"\"; филиал\";1234,50\r\n"
        );
        let plain = render(&s, Flavor::Csv(CsvDialect::Plain), true);
        let cp = encode(render(&s, Flavor::Csv(CsvDialect::Excel), false), true);
        assert_eq!(&cp[..10], b"\xCA\xEE\xED\xF2\xF0\xE0\xE3\xE5\xED\xF2"); // Контрагент
        assert_eq!(encode("Ω€".as_bytes().to_vec(), true), b"?\x88");
        assert_eq!(
            String::from_utf8(plain).unwrap(),
            "Контрагент,Долг\n\"ООО \"\"Ромашка\"\"; филиал\",1234.50\n"
        );
    }
}
