//! XLSX: money as numbers with a money format (so the sheet sums them), dates as dates,
//! a caption, a frozen bold header with an autofilter, a bold totals row, and column
//! widths that fit. One worksheet per sheet.

use super::RenderOptions;
use super::sheet::{Cell, Sheet};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

/// Renders the sheets into an XLSX workbook.
pub fn render(sheets: &[Sheet], _opts: &RenderOptions) -> Result<Vec<u8>, String> {
    build(sheets).map_err(|e| format!("cannot build the XLSX file: {e}"))
}

fn build(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    // A fixed creation time (the zip epoch, as reproducible builds use): the same inputs
    // give a byte-identical workbook.
    let epoch = ExcelDateTime::from_ymd(1980, 1, 1)?;
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_creation_datetime(&epoch));
    let mut used: Vec<String> = Vec::new();
    for sheet in sheets {
        let ws = wb.add_worksheet();
        // Names are unique regardless of case in a workbook: number repeats apart.
        let base = safe_name(&sheet.name);
        let mut name = base.clone();
        let mut k = 2;
        while used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
            let suffix = format!(" ({k})");
            let room = 31 - suffix.chars().count();
            name = format!("{}{suffix}", base.chars().take(room).collect::<String>());
            k += 1;
        }
        used.push(name.clone());
        ws.set_name(&name)?;
        write_sheet(ws, sheet)?;
    }
    wb.save_to_buffer()
}

/// Sheet names: at most 31 characters, none of `[]:*?/\`.
fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let short: String = cleaned.chars().take(31).collect();
    if short.is_empty() {
        "Sheet".into()
    } else {
        short
    }
}

fn write_sheet(ws: &mut Worksheet, sheet: &Sheet) -> Result<(), XlsxError> {
    let caption = Format::new().set_bold().set_font_size(12);
    let header = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin);
    let money = Format::new().set_num_format("#,##0.00");
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let bold_money = Format::new().set_bold().set_num_format("#,##0.00");
    let bold = Format::new().set_bold();
    ws.write_string_with_format(0, 0, &sheet.title, &caption)?;
    let head_row = 1u32;
    let mut widths: Vec<usize> = sheet
        .columns
        .iter()
        .map(|c| c.header.chars().count().min(30))
        .collect();
    for (c, col) in sheet.columns.iter().enumerate() {
        ws.write_string_with_format(head_row, c as u16, &col.header, &header)?;
    }
    let mut row = head_row + 1;
    let mut put = |ws: &mut Worksheet,
                   row: u32,
                   cells: &[Cell],
                   is_total: bool|
     -> Result<(), XlsxError> {
        for (c, cell) in cells.iter().enumerate() {
            let col = c as u16;
            let width = match cell {
                Cell::Text(s) => {
                    // A string cell is never a formula in XLSX: no escaping needed.
                    if is_total {
                        ws.write_string_with_format(row, col, s, &bold)?;
                    } else {
                        ws.write_string(row, col, s)?;
                    }
                    s.chars().count()
                }
                Cell::Money(m) => {
                    let f = if is_total { &bold_money } else { &money };
                    ws.write_number_with_format(row, col, m.to_f64().unwrap_or(0.0), f)?;
                    crate::money::Money(*m, crate::money::MoneyStyle::Grouped)
                        .to_string()
                        .chars()
                        .count()
                }
                Cell::Ratio(r) => {
                    let f = Format::new().set_num_format("0.0");
                    ws.write_number_with_format(row, col, r.to_f64().unwrap_or(0.0), &f)?;
                    super::sheet::ratio_text(*r).len()
                }
                Cell::Int(i) => {
                    ws.write_number(row, col, *i as f64)?;
                    i.to_string().len()
                }
                Cell::Date(d) => {
                    use chrono::Datelike;
                    let dt =
                        ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                    ws.write_datetime_with_format(row, col, &dt, &date)?;
                    10
                }
                Cell::Empty => 0,
            };
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(width.min(60));
            }
        }
        Ok(())
    };
    for cells in &sheet.rows {
        put(ws, row, cells, false)?;
        row += 1;
    }
    let last_data_row = row.saturating_sub(1).max(head_row);
    if let Some(t) = &sheet.totals {
        put(ws, row, t, true)?;
    }
    let last_col = sheet.columns.len().saturating_sub(1) as u16;
    ws.autofilter(head_row, 0, last_data_row, last_col)?;
    ws.set_freeze_panes(head_row + 1, 0)?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).max(6.0))?;
    }
    Ok(())
}
