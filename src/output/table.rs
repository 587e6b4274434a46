//! The terminal table: what the accountant reads. Money is grouped (`1 234,56`) and
//! right-aligned, the totals row closes each sheet, and columns meant for spreadsheets
//! only are left out.

use super::{Lang, RenderOptions};

use super::sheet::{Cell, Sheet};
use crate::money::{Money, MoneyStyle};
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, Table, Width, presets};

/// The widest a column of free text (names, purposes) grows before it wraps.
const TEXT_WIDTH: u16 = 48;

fn text(cell: &Cell, lang: Lang) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        // Zeros left blank: the eye finds the amounts that matter.
        Cell::Money(m) if m.is_zero() => String::new(),
        Cell::Money(m) => match lang {
            Lang::Ru => Money(*m, MoneyStyle::Grouped).to_string(),
            Lang::En => Money(*m, MoneyStyle::GroupedEn).to_string(),
        },

        Cell::Int(i) => i.to_string(),
        Cell::Ratio(r) => match lang {
            Lang::Ru => super::sheet::ratio_text(*r).replace('.', ","),
            Lang::En => super::sheet::ratio_text(*r),
        },
        Cell::Date(d) => match lang {
            Lang::Ru => crate::dates::ru(*d),
            Lang::En => crate::dates::iso(*d),
        },
        Cell::Empty => String::new(),
    }
}

/// Renders the sheets one after another, each with its title.
pub fn render(sheets: &[Sheet], opts: &RenderOptions) -> String {
    let mut out = String::new();
    for (n, sheet) in sheets.iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&sheet.title);
        out.push('\n');
        let shown: Vec<usize> = (0..sheet.columns.len())
            .filter(|&i| sheet.columns[i].in_table)
            .collect();
        let mut table = Table::new();
        table.load_style(presets::UTF8_FULL_CONDENSED);
        // The natural width on every terminal: squeezing a register into a narrow window
        // breaks names into syllables. Long free text wraps at a fixed width instead, and a
        // pager (`less -S`) shows the rest.
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(shown.iter().map(|&i| sheet.columns[i].header.clone()));
        let numeric: Vec<bool> = shown
            .iter()
            .map(|&i| {
                sheet
                    .rows
                    .iter()
                    .chain(sheet.totals.iter())
                    .any(|r| r.get(i).is_some_and(Cell::is_numeric))
            })
            .collect();
        let mut add = |row: &[Cell]| {
            let cells: Vec<comfy_table::Cell> = shown
                .iter()
                .map(|&i| {
                    comfy_table::Cell::new(text(row.get(i).unwrap_or(&Cell::Empty), opts.lang))
                })
                .collect();
            table.add_row(cells);
        };
        for row in &sheet.rows {
            add(row);
        }
        if let Some(t) = &sheet.totals {
            add(t);
        }
        // Only text with spaces (names, purposes) wraps, at a fixed width: an amount, an INN,
        // a date or a number broken over two lines is misread.
        let unbreakable: Vec<bool> = shown
            .iter()
            .map(|&i| {
                sheet
                    .rows
                    .iter()
                    .chain(sheet.totals.iter())
                    .all(|r| match r.get(i) {
                        Some(Cell::Text(s)) => !s.contains(char::is_whitespace),
                        _ => true,
                    })
            })
            .collect();
        for (k, (is_num, fixed)) in numeric.iter().zip(&unbreakable).enumerate() {
            if let Some(col) = table.column_mut(k) {
                if *is_num {
                    col.set_cell_alignment(CellAlignment::Right);
                }
                if !*fixed {
                    col.set_constraint(ColumnConstraint::UpperBoundary(Width::Fixed(TEXT_WIDTH)));
                }
            }
        }
        if sheet.rows.is_empty() {
            out.push_str(opts.lang.t("(нет строк)", "(no rows)"));
            out.push('\n');
            continue;
        }
        out.push_str(&table.to_string());
        out.push('\n');
    }
    out
}
