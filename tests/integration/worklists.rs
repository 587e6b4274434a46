//! What a head of sales acts on (issue 5): `sverka tasks`, per-manager files and sheets,
//! and spreadsheets whose numbers sum.

use crate::support::*;
use calamine::{Data, Reader, Xlsx};
use serde_json::Value;
use std::path::Path;

fn run(args: &[&str]) -> std::process::Output {
    sverka().args(args).output().expect("run sverka")
}

fn samples() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .display()
        .to_string()
}

fn tasks_json(args: &[&str]) -> Value {
    let out = run(&[&["tasks"], args, &["--format", "json"]].concat());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// One customer per escalation level, and one with an invoice falling due soon.
fn levels_world() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер\r\n\
             1;01.03.2024;29.03.2024;Ромашка;{ROMASHKA};1 000,00;Иванов\r\n\
             2;01.02.2024;15.03.2024;Вектор;{VEKTOR};2 000,00;Иванов\r\n\
             3;01.01.2024;15.02.2024;Гранит;{GRANIT};3 000,00;Петрова\r\n\
             4;01.11.2023;01.01.2024;Полюс;{POLUS};4 000,00;\r\n\
             5;25.03.2024;03.04.2024;Полюс;{POLUS};500,00;\r\n\
             6;25.03.2024;04.04.2024;Альфа;7708123450;700,00;Петрова\r\n"
        ),
    );
    f
}

/// `sverka tasks`: a task per customer with something overdue, its level by the oldest
/// overdue age (remind 1-14, call 15-44, escalate 45-89, legal 90+), the action, and a
/// contact-by date in working days; by manager, the most urgent first.
#[test]
fn tasks_by_level_and_manager() {
    let f = levels_world();
    let dir = f.path().display().to_string();
    let v = tasks_json(&[&dir, "--as-of", "2024-03-31"]);
    assert_eq!(v["as_of"], "2024-03-31");
    let tasks = v["tasks"].as_array().expect("tasks");
    let brief: Vec<(&str, &str, &str, i64, &str)> = tasks
        .iter()
        .map(|t| {
            (
                t["manager"].as_str().unwrap_or("-"),
                t["inn"].as_str().unwrap_or_default(),
                t["level"].as_str().unwrap_or_default(),
                t["max_days_overdue"].as_i64().unwrap_or_default(),
                t["contact_by"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        brief,
        vec![
            ("Иванов", VEKTOR, "call", 16, "2024-04-02"),
            ("Иванов", ROMASHKA, "remind", 2, "2024-04-05"),
            ("Петрова", GRANIT, "escalate", 45, "2024-04-01"),
            ("-", POLUS, "legal", 90, "2024-04-01"),
        ]
    );
    let polus = &tasks[3];
    assert_eq!(polus["manager"], Value::Null);
    assert_eq!(polus["overdue"], "4000.00");
    assert_eq!(polus["invoices"], serde_json::json!(["4"]));
    assert_eq!(
        polus["action"],
        "Направить претензию, передать юристам или рассмотреть реструктуризацию долга"
    );
    for key in [
        "manager",
        "counterparty",
        "inn",
        "overdue",
        "max_days_overdue",
        "level",
        "action",
        "contact_by",
    ] {
        assert!(polus.get(key).is_some(), "{key} in {polus:#}");
    }

    // Other thresholds, a heads-up window, one manager, English.
    let v = tasks_json(&[
        &dir,
        "--as-of",
        "2024-03-31",
        "--levels",
        "3,20,60,120",
        "--heads-up",
        "7",
        "--lang",
        "en",
    ]);
    let tasks = v["tasks"].as_array().expect("tasks");
    let find = |inn: &str| tasks.iter().find(|t| t["inn"] == inn).cloned();
    assert!(find(ROMASHKA).is_none(), "2 days is below remind=3");
    assert_eq!(find(VEKTOR).expect("vektor")["level"], "remind");
    assert_eq!(find(GRANIT).expect("granit")["level"], "call");
    assert_eq!(find(POLUS).expect("polus")["level"], "escalate");
    assert_eq!(find(POLUS).expect("polus")["due_soon"], "500.00");
    let alfa = find("7708123450").expect("heads-up for Альфа");
    assert_eq!(alfa["level"], "heads_up");
    assert_eq!(alfa["overdue"], "0.00");
    assert_eq!(alfa["due_soon"], "700.00");
    assert_eq!(alfa["contact_by"], "2024-04-03");
    assert_eq!(
        alfa["action"],
        "Remind that payment falls due soon; resend the invoices"
    );

    let v = tasks_json(&[&dir, "--as-of", "2024-03-31", "--manager", "петрова"]);
    let tasks = v["tasks"].as_array().expect("tasks");
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0]["inn"], GRANIT);
    let v = tasks_json(&[&dir, "--as-of", "2024-03-31", "--manager", "-"]);
    assert_eq!(v["tasks"].as_array().map(Vec::len), Some(1));

    let out = run(&["tasks", &dir, "--levels", "15,1,45,90"]);
    assert_eq!(out.status.code(), Some(2));
}

/// The tasks as CSV for a CRM import: Russian headers, dates as dd.mm.yyyy.
#[test]
fn tasks_csv_for_a_crm() {
    let f = levels_world();
    let dir = f.path().display().to_string();
    let out = run(&["tasks", &dir, "--as-of", "2024-03-31", "--format", "csv"]);
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    let mut lines = csv.lines();
    let header = lines.next().expect("header").trim_start_matches('\u{feff}');
    assert!(
        header.starts_with(
            "Менеджер;Контрагент;ИНН;Валюта;Просрочено;Дней просрочки;Уровень;Действие;Связаться до"
        ),
        "{header}"
    );
    let first = lines.next().expect("a task");
    assert!(
        first.starts_with("Иванов;Вектор;7725418937;RUB;2000,00;16;позвонить;"),
        "{first}"
    );
    assert!(first.contains(";02.04.2024;"), "{first}");
}

/// `--split-by manager -o DIR`: one file per manager (and one for customers nobody looks
/// after), each holding only their customers, with their own totals.
#[test]
fn split_by_manager_writes_a_file_each() {
    let f = levels_world();
    let dir = f.path().display().to_string();
    let out_dir = tempfile::tempdir().expect("dir");
    let target = out_dir.path().join("по менеджерам");
    let t = target.display().to_string();
    let out = run(&[
        "report",
        &dir,
        "--as-of",
        "2024-03-31",
        "--split-by",
        "manager",
        "-o",
        &t,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&target)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec!["Иванов.csv", "Петрова.csv", "без менеджера.csv"]
    );
    let ivanov = std::fs::read_to_string(target.join("Иванов.csv")).expect("file");
    assert!(ivanov.contains("7707083893") && ivanov.contains("7725418937"));
    assert!(!ivanov.contains(GRANIT));
    assert_eq!(
        ivanov.lines().count(),
        3,
        "a header and two customers: {ivanov}"
    );
    let out = run(&[
        "report",
        &dir,
        "--as-of",
        "2024-03-31",
        "--split-by",
        "manager",
        "--format",
        "json",
        "-o",
        &t,
    ]);
    assert!(out.status.success());
    let v: Value =
        serde_json::from_slice(&std::fs::read(target.join("Иванов.json")).expect("file"))
            .expect("json");
    assert_eq!(v["totals"]["outstanding"], "3000.00", "its own totals");
    assert_eq!(v["rows"].as_array().map(Vec::len), Some(2));

    let out = run(&[
        "tasks",
        &dir,
        "--as-of",
        "2024-03-31",
        "--split-by",
        "manager",
        "--format",
        "json",
        "-o",
        &t,
    ]);
    assert!(out.status.success());
    let v: Value =
        serde_json::from_slice(&std::fs::read(target.join("Петрова.json")).expect("file"))
            .expect("json");
    assert_eq!(v["tasks"].as_array().map(Vec::len), Some(1));

    let out = run(&["report", &dir, "--split-by", "manager"]);
    assert_eq!(out.status.code(), Some(2), "needs -o DIR");
    let out = run(&["report", &dir, "--sheet-per-manager", "--format", "csv"]);
    assert_eq!(out.status.code(), Some(2), "sheets are for XLSX");
}

/// Reads a sheet's cells (row-major, from the header row down).
fn sheet_rows(path: &Path, name: &str) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook(path).expect("xlsx");
    let range = wb.worksheet_range(name).expect("sheet");
    range.rows().skip(1).map(|r| r.to_vec()).collect()
}

fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        Data::Empty => 0.0,
        other => panic!("not a number: {other:?}"),
    }
}

/// The XLSX register opens with numbers that sum: each row's buckets add up to its
/// outstanding, the column sums equal the totals row, dates are dates; with
/// `--sheet-per-manager` each manager gets a sheet of their own.
#[test]
fn xlsx_numbers_sum_when_read_back() {
    let out_dir = tempfile::tempdir().expect("dir");
    let path = out_dir.path().join("debtors.xlsx");
    let p = path.display().to_string();
    let s = samples();
    let out = run(&[
        "report",
        &s,
        "--as-of",
        "2024-03-31",
        "-o",
        &p,
        "--sheet-per-manager",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = sheet_rows(&path, "Реестр");
    let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"))
    };
    let (debt, not_due, over, last) = (
        col("Долг"),
        col("Не наступил"),
        col("121+"),
        col("Последняя оплата"),
    );
    let data = &rows[1..rows.len() - 1];
    let totals = &rows[rows.len() - 1];
    assert_eq!(totals[0].to_string(), "ИТОГО");
    let mut sum = 0.0;
    for r in data {
        let buckets: f64 = (not_due..=over).map(|c| number(&r[c])).sum();
        assert!((buckets - number(&r[debt])).abs() < 0.005, "{r:?}");
        sum += number(&r[debt]);
        assert!(
            matches!(r[last], Data::DateTime(_) | Data::Empty),
            "{:?}",
            r[last]
        );
    }
    assert!((sum - number(&totals[debt])).abs() < 0.005);
    assert!((number(&totals[debt]) - 282000.0).abs() < 0.005);
    let wb: Xlsx<_> = calamine::open_workbook(&path).expect("xlsx");
    let names = wb.sheet_names();
    for m in ["Иванов И.И.", "Петрова А.С.", "Сидоров К.П."] {
        assert!(names.iter().any(|n| n == m), "{names:?}");
    }
    let ivanov = sheet_rows(&path, "Иванов И.И.");
    let t = &ivanov[ivanov.len() - 1];
    assert!((number(&t[debt]) - 55000.0).abs() < 0.005, "{t:?}");
}

/// No text cell of a CSV can run as a formula: a counterparty named `=HYPERLINK(…)` or
/// `@SUM(…)`, a purpose starting with `+` or `-` come out with a leading apostrophe.
#[test]
fn csv_cells_never_run_as_formulas() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер\r\n\
             1;01.03.2024;10.03.2024;\"=HYPERLINK(\"\"http://x\"\";\"\"y\"\")\";{ROMASHKA};1 000,00;@SUM(A1)\r\n\
             2;01.03.2024;10.03.2024;+cmd|' /C calc'!A0;{VEKTOR};1 000,00;-Петров\r\n"
        ),
    );
    let dir = f.path().display().to_string();
    for (cmd, extra) in [
        ("report", &[][..]),
        ("report", &["--by", "invoice"][..]),
        ("tasks", &[][..]),
    ] {
        for fmt in ["csv", "tsv"] {
            let out = run(&[
                &[cmd, &dir, "--as-of", "2024-03-31", "--format", fmt],
                extra,
            ]
            .concat());
            assert!(out.status.success());
            let text = String::from_utf8(out.stdout).expect("utf-8");
            let sep = if fmt == "csv" { ';' } else { '\t' };
            for line in text.lines().skip(1) {
                for cell in line.split(sep) {
                    let cell = cell.trim_start_matches('"');
                    assert!(
                        !cell.starts_with(['=', '+', '@']) && !cell.starts_with("-П"),
                        "{cmd} {fmt}: {cell:?} in {line:?}"
                    );
                }
            }
            assert!(
                text.contains("'=HYPERLINK") && text.contains("'@SUM"),
                "{text}"
            );
        }
    }
}

/// A month with something of everything: a debt carried in and partly paid, an invoice
/// paid in time, one that became overdue, and an old hard case.
fn review_world() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер\r\n\
             1;01.02.2024;20.02.2024;Ромашка;{ROMASHKA};10 000,00;Иванов\r\n\
             2;05.03.2024;15.03.2024;Вектор;{VEKTOR};6 000,00;Петрова\r\n\
             3;10.03.2024;20.03.2024;Вектор;{VEKTOR};3 000,00;Петрова\r\n\
             4;01.10.2023;01.11.2023;Гранит;{GRANIT};5 000,00;Петрова\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(
                ROMASHKA,
                "11",
                "10.03.2024",
                "4000.00",
                "Оплата по счету № 1",
            ),
            Pay::from(VEKTOR, "12", "14.03.2024", "6000.00", "Оплата по счету № 2"),
        ]),
    );
    f
}

/// `sverka review --month`: owed at the start and the end, invoiced, collected, what
/// became overdue, the overdue share and DSO per manager and in total; the hard cases.
#[test]
fn review_of_a_month() {
    let f = review_world();
    let dir = f.path().display().to_string();
    let out = run(&["review", &dir, "--month", "2024-03", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["from"], "2024-03-01");
    assert_eq!(v["to"], "2024-03-31");
    assert_eq!(v["days"], 31);
    let m = v["managers"].as_array().expect("managers");
    assert_eq!(m.len(), 2);
    let ivanov = &m[0];
    assert_eq!(ivanov["manager"], "Иванов");
    assert_eq!(ivanov["outstanding_start"], "10000.00");
    assert_eq!(ivanov["overdue_start"], "10000.00");
    assert_eq!(ivanov["invoiced"], "0.00");
    assert_eq!(ivanov["collected"], "4000.00");
    assert_eq!(ivanov["became_overdue"], "0.00");
    assert_eq!(ivanov["outstanding_end"], "6000.00");
    assert_eq!(ivanov["overdue_share"], "100.0");
    assert_eq!(ivanov["dso"], Value::Null, "no sales in the month");
    let petrova = &m[1];
    assert_eq!(petrova["manager"], "Петрова");
    assert_eq!(petrova["outstanding_start"], "5000.00");
    assert_eq!(petrova["invoiced"], "9000.00");
    assert_eq!(petrova["collected"], "6000.00");
    assert_eq!(petrova["became_overdue"], "3000.00", "№2 was paid in time");
    assert_eq!(petrova["outstanding_end"], "8000.00");
    assert_eq!(petrova["overdue_end"], "8000.00");
    assert_eq!(petrova["dso"], 28);
    assert_eq!(petrova["customers_start"], 1);
    assert_eq!(petrova["customers_end"], 2);
    assert_eq!(petrova["hard_cases"], 1);
    let t = &v["totals"][0];
    assert_eq!(t["currency"], "RUB");
    assert_eq!(t["outstanding_start"], "15000.00");
    assert_eq!(t["outstanding_end"], "14000.00");
    assert_eq!(t["collected"], "10000.00");
    assert_eq!(t["dso"], 48);
    let hard = v["hard_cases"].as_array().expect("hard cases");
    assert_eq!(hard.len(), 1);
    assert_eq!(hard[0]["inn"], GRANIT);
    assert_eq!(hard[0]["max_days_overdue"], 151);
    assert_eq!(hard[0]["carried_over"], true);

    // The same month by dates, and the quarter; a lower threshold finds more hard cases.
    let by_dates = run(&[
        "review",
        &dir,
        "--from",
        "01.03.2024",
        "--to",
        "2024-03-31",
        "--format",
        "json",
    ]);
    assert_eq!(by_dates.stdout, out.stdout);
    let q: Value = serde_json::from_slice(
        &run(&[
            "review",
            &dir,
            "--quarter",
            "2024-Q1",
            "--format",
            "json",
            "--hard-days",
            "10",
        ])
        .stdout,
    )
    .expect("json");
    assert_eq!(q["from"], "2024-01-01");
    assert_eq!(q["hard_cases"].as_array().map(Vec::len), Some(3));

    // A table and an XLSX with both sheets.
    let out = run(&["review", &dir, "--month", "2024-03", "--format", "table"]);
    let table = String::from_utf8(out.stdout).expect("utf-8");
    assert!(table.contains("Дебиторская задолженность за период 01.03.2024 – 31.03.2024"));
    assert!(table.contains("Трудные случаи"));
    let out_dir = tempfile::tempdir().expect("dir");
    let x = out_dir.path().join("review.xlsx");
    let out = run(&[
        "review",
        &dir,
        "--month",
        "2024-03",
        "-o",
        &x.display().to_string(),
    ]);
    assert!(out.status.success());
    let wb: Xlsx<_> = calamine::open_workbook(&x).expect("xlsx");
    assert_eq!(wb.sheet_names(), vec!["Итоги", "Трудные случаи"]);

    for bad in [
        &["--month", "2024-13"][..],
        &["--quarter", "2024-Q5"][..],
        &["--from", "2024-03-31", "--to", "2024-03-01"][..],
        &["--as-of", "2024-03-31"][..],
    ] {
        let out = run(&[&["review", &dir], bad].concat());
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

/// Fixes found reviewing the worklists: review rejects per-manager outputs; shares keep
/// their decimal and round halves up (DSO 170.5 → 171); rows per contract count under
/// each contract's manager; a split register puts unidentified receipts in the
/// unassigned file; a heads-up lists overdue invoices below the first level too.
#[test]
fn worklists_review_fixes() {
    let s = samples();
    let out = run(&[
        "review",
        &s,
        "--month",
        "2024-03",
        "--split-by",
        "manager",
        "-o",
        "/tmp/x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let out = run(&["review", &s, "--month", "2024-03", "--format", "csv"]);
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    let ivanov = csv.lines().find(|l| l.starts_with("Иванов")).expect("row");
    assert!(ivanov.contains(";100,0;171;"), "{ivanov}");

    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма;Менеджер\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100,00;Иванов\r\n\
             2;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;200,00;Петрова\r\n"
        ),
    );
    let dir = f.path().display().to_string();
    let out = run(&[
        "review", &dir, "--month", "2024-03", "--level", "contract", "--format", "json",
    ]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("json");
    let by: Vec<(String, String, i64)> = v["managers"]
        .as_array()
        .expect("managers")
        .iter()
        .map(|m| {
            (
                m["manager"].as_str().unwrap_or("-").to_string(),
                m["outstanding_end"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                m["customers_end"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        by,
        vec![
            ("Иванов".into(), "100.00".into(), 1),
            ("Петрова".into(), "200.00".into(), 1)
        ]
    );
    assert_eq!(
        v["totals"][0]["customers_end"], 1,
        "one customer in the totals"
    );

    let out_dir = tempfile::tempdir().expect("dir");
    let t = out_dir.path().display().to_string();
    let out = run(&[
        "report",
        &s,
        "--as-of",
        "2024-03-31",
        "--split-by",
        "manager",
        "--format",
        "json",
        "-o",
        &t,
    ]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(
        &std::fs::read(out_dir.path().join("без менеджера.json")).expect("unassigned file"),
    )
    .expect("json");
    assert_eq!(v["unidentified_payments"].as_array().map(Vec::len), Some(1));

    // Overdue 2 days (below remind = 3) and another invoice due in 3 days: a heads-up
    // that lists both.
    let g = world(
        &[
            ("7", "01.03.2024", "29.03.2024", ROMASHKA, "1 000,00"),
            ("8", "20.03.2024", "03.04.2024", ROMASHKA, "500,00"),
        ],
        &[],
    );
    let dir = g.path().display().to_string();
    let v = tasks_json(&[
        &dir,
        "--as-of",
        "2024-03-31",
        "--levels",
        "3,20,60,120",
        "--heads-up",
        "7",
    ]);
    let t = &v["tasks"][0];
    assert_eq!(t["level"], "heads_up");
    assert_eq!(t["overdue"], "1000.00");
    assert_eq!(t["due_soon"], "500.00");
    assert_eq!(t["invoices"], serde_json::json!(["7", "8"]));
}
