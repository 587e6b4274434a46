//! XLSX lists: the same list saved as a workbook (typed cells, as Excel stores them) and as
//! CSV gives the same register; 1C report workbooks in the corpus are read as no list.

use crate::support::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Invoices: number, date, due date, INN, amount (as `support::invoices` takes them).
const ROWS: &[(&str, &str, &str, &str, &str)] = &[
    ("10", "09.01.2024", "19.01.2024", ROMASHKA, "100000.00"),
    ("11", "15.01.2024", "", ROMASHKA, "2500.50"),
    ("12", "20.01.2024", "30.01.2024", VEKTOR, "642998789.69"),
    ("13", "01.02.2024", "11.02.2024", GRANIT, "1234.56"),
    ("14", "05.02.2024", "", POLUS, "999.99"),
];

fn excel_date(ddmmyyyy: &str) -> ExcelDateTime {
    let p: Vec<u16> = ddmmyyyy.split('.').map(|x| x.parse().unwrap()).collect();
    ExcelDateTime::from_ymd(p[2], p[1] as u8, p[0] as u8).unwrap()
}

/// The rows as Excel keeps them after someone re-saved the list: a title above the
/// header, numbers and INNs as numbers, real dates, amounts with float noise, a totals
/// row and a second sheet with no list.
fn workbook(rows: &[(&str, &str, &str, &str, &str)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("dd.mm.yyyy");
    let ws = wb.add_worksheet();
    ws.set_name("Счета").unwrap();
    ws.write_string(0, 0, "Счета на оплату покупателям")
        .unwrap();
    let header = ["Номер", "Дата", "Срок оплаты", "Контрагент", "ИНН", "Сумма"];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    let mut total = 0.0;
    for (i, (number, d, due, inn, amount)) in rows.iter().enumerate() {
        let r = 3 + i as u32;
        ws.write_number(r, 0, number.parse::<f64>().unwrap())
            .unwrap();
        ws.write_datetime_with_format(r, 1, excel_date(d), &date)
            .unwrap();
        if !due.is_empty() {
            ws.write_datetime_with_format(r, 2, excel_date(due), &date)
                .unwrap();
        }
        ws.write_string(r, 3, format!("ООО \"Клиент {inn}\""))
            .unwrap();
        ws.write_number(r, 4, inn.parse::<f64>().unwrap()).unwrap();
        let a: f64 = amount.parse().unwrap();
        // What a sum computed in Excel looks like: 1234.56 as 1234.5600000000002.
        let noisy = a * 3.0 / 3.0 + a * 1e-15;
        ws.write_number(r, 5, noisy).unwrap();
        total += noisy;
    }
    let r = 3 + rows.len() as u32;
    ws.write_string(r, 0, "Итого").unwrap();
    ws.write_number(r, 5, total).unwrap();
    let other = wb.add_worksheet();
    other.set_name("Свод").unwrap();
    other.write_string(0, 0, "Свод по контрагентам").unwrap();
    wb.save_to_buffer().unwrap()
}

fn pays() -> Vec<Pay> {
    vec![
        Pay::from(
            ROMASHKA,
            "1",
            "20.01.2024",
            "40000.00",
            "Оплата по счету №10 от 09.01.2024",
        ),
        Pay::from(
            VEKTOR,
            "2",
            "25.01.2024",
            "642998789.69",
            "Оплата по сч. 12",
        ),
        Pay::from(GRANIT, "3", "03.02.2024", "1000.00", "Оплата по счету 13"),
    ]
}

/// The report as text with the fixture's folder and the list's name taken out.
fn normalized(report: &Value, dir: &Path, list: &str) -> String {
    let text = serde_json::to_string_pretty(report).unwrap();
    let dir = dir.display().to_string();
    text.replace(&dir, "<dir>").replace(list, "<list>")
}

#[test]
fn an_xlsx_list_gives_the_register_its_csv_gives() {
    let csv = world(ROWS, &pays());
    let xlsx = Fixture::new();
    xlsx.bytes("list.xlsx", &workbook(ROWS));
    xlsx.cp1251("kl_to_1c.txt", &statement(&pays()));

    // The workbook's rows start lower (a title and a blank row above the header):
    // the documents are the same, their lines are not, so compare the registers.
    for as_of in ["2024-01-31", "2024-03-31"] {
        let from_csv = csv.report_json(as_of, &[]);
        let from_xlsx = xlsx.report_json(as_of, &[]);
        if as_of == "2024-03-31" {
            assert_eq!(from_xlsx["rows"].as_array().map(Vec::len), Some(3));
            // 642998789.69 stored with float noise is paid exactly by 642998789.69.
            assert!(find_row(&from_xlsx, VEKTOR).is_none(), "{from_xlsx:#}");
            assert_eq!(row(&from_xlsx, GRANIT)["outstanding"], "234.56");
            assert_eq!(row(&from_xlsx, POLUS)["outstanding"], "999.99");
            let romashka = row(&from_xlsx, ROMASHKA);
            assert_eq!(romashka["outstanding"], "62500.50");
            assert_eq!(invoice(romashka, "10")["due_date"], "2024-01-19");
        }
        let (a, b) = (
            normalized(&from_csv, csv.path(), "list.csv"),
            normalized(&from_xlsx, xlsx.path(), "list.xlsx"),
        );
        let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
        let diff: Vec<(String, String)> = lines(&a)
            .into_iter()
            .zip(lines(&b))
            .filter(|(x, y)| x != y)
            .collect();
        assert!(
            diff.is_empty() && a.lines().count() == b.lines().count(),
            "CSV and XLSX registers differ as of {as_of}: {diff:#?}"
        );
    }
}

#[test]
fn inspect_names_the_sheet_and_row_of_a_bad_cell() {
    let f = Fixture::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Лист1").unwrap();
    for (c, h) in ["Номер", "Дата", "ИНН", "Сумма"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_number(1, 0, 1.0).unwrap();
    ws.write_string(1, 1, "01.03.2024").unwrap();
    ws.write_number(1, 2, 7707083893.0).unwrap();
    ws.write_number(1, 3, 10.0).unwrap();
    ws.write_number(2, 0, 2.0).unwrap();
    ws.write_string(2, 1, "01.03.2024").unwrap();
    ws.write_number(2, 2, 7707083893.0).unwrap();
    ws.write_string(2, 3, "десять").unwrap();
    let path = f.bytes("list.xlsx", &wb.save_to_buffer().unwrap());
    let out = sverka()
        .arg("inspect")
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let file = &v["files"][0];
    assert_eq!(file["format"], "xlsx");
    assert_eq!(file["documents"], 1);
    assert_eq!(file["skipped"], 1);
    assert_eq!(file["warnings"][0]["line"], 3);
    let message = file["warnings"][0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("sheet \"Лист1\", row 3 skipped: amount \"десять\""),
        "{message}"
    );
}

/// The corpus folder, or `None` (with a note) when `SVERKA_CORPUS` is not set: the same
/// rule as `corpus.rs` (a relative path is taken from the repository root).
fn corpus() -> Option<PathBuf> {
    match std::env::var_os("SVERKA_CORPUS") {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            let p = if p.is_relative() {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
            } else {
                p
            };
            assert!(p.is_dir(), "SVERKA_CORPUS is not a folder: {}", p.display());
            Some(p)
        }
        _ => {
            eprintln!("SVERKA_CORPUS is not set: corpus test skipped");
            None
        }
    }
}

/// 1C's "Обороты счета" and "Анализ счета" reports saved as XLSX: workbooks, not lists.
/// `inspect` reads them as no documents, says why, and exits 0.
#[test]
fn corpus_xlsx_reports_are_workbooks_without_a_list() {
    let Some(corpus) = corpus() else { return };
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus.join("xlsx"))
        .expect("corpus xlsx folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "xlsx"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no XLSX files in the corpus");
    for path in files {
        let out = sverka()
            .arg("inspect")
            .arg(&path)
            .args(["--format", "json"])
            .output()
            .expect("run sverka");
        assert!(
            out.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let file = &v["files"][0];
        assert_eq!(file["format"], "xlsx", "{}", path.display());
        assert_eq!(file["documents"], 0, "{}", path.display());
        assert_eq!(file["skipped"], 0, "{}", path.display());
        assert_eq!(
            file["warnings"],
            serde_json::json!([{
                "line": null,
                "message": "no sheet has a list header (number, date, amount and counterparty or INN): nothing read"
            }]),
            "{}",
            path.display()
        );
    }
}
