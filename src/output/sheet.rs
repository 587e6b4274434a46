//! A sheet: typed columns and rows, the one shape the table, CSV, TSV and XLSX
//! renderers draw. Commands build sheets; renderers never know what a register is.

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One cell, typed so each renderer can write it its own way (grouped money in a
/// table, decimal comma in Russian CSV, a number with a money format in XLSX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Money(Decimal),
    Int(i64),
    /// A share or a ratio, shown with one decimal (`34,8`).
    Ratio(Decimal),
    Date(NaiveDate),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
    pub fn opt_text(s: Option<&str>) -> Cell {
        s.map_or(Cell::Empty, |s| Cell::Text(s.to_string()))
    }
    pub fn opt_date(d: Option<NaiveDate>) -> Cell {
        d.map_or(Cell::Empty, Cell::Date)
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Money(_) | Cell::Int(_) | Cell::Ratio(_))
    }
}

/// A ratio with exactly one decimal, halves away from zero: `100.0`, `34.8`.
pub fn ratio_text(r: Decimal) -> String {
    let r = r.round_dp_with_strategy(1, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    format!("{r:.1}")
}

/// A column: its header and whether the terminal table shows it (wide sheets keep the
/// table readable by leaving detail columns to CSV and XLSX).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub in_table: bool,
}

/// A titled table of cells, with an optional totals row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sheet {
    /// Short name (the XLSX sheet tab, at most 31 characters).
    pub name: String,
    /// Caption (above the terminal table, first row of the XLSX sheet).
    pub title: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    pub totals: Option<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: impl Into<String>, title: impl Into<String>) -> Self {
        Sheet {
            name: name.into(),
            title: title.into(),
            ..Sheet::default()
        }
    }

    /// Inserts a column at `at`, with one cell per row (the totals row gets an empty one).
    pub fn insert_column(
        &mut self,
        at: usize,
        header: impl Into<String>,
        in_table: bool,
        cells: Vec<Cell>,
    ) {
        self.columns.insert(
            at,
            Column {
                header: header.into(),
                in_table,
            },
        );
        for (row, cell) in self.rows.iter_mut().zip(cells) {
            row.insert(at, cell);
        }
        if let Some(t) = &mut self.totals {
            t.insert(at, Cell::Empty);
        }
    }

    pub fn column(&mut self, header: impl Into<String>, in_table: bool) -> &mut Self {
        self.columns.push(Column {
            header: header.into(),
            in_table,
        });
        self
    }

    /// Hides from the table every column whose cells are all empty.
    pub fn hide_empty_in_table(&mut self) {
        for (i, c) in self.columns.iter_mut().enumerate() {
            if self
                .rows
                .iter()
                .all(|r| matches!(r.get(i), Some(Cell::Empty) | None))
            {
                c.in_table = false;
            }
        }
    }
}
