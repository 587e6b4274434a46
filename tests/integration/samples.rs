//! The bundled `samples/` folder (see `docs/samples.md`): every output format as a
//! snapshot, the documented expectations as direct assertions, and the same output
//! whatever order the inputs are named in.

use crate::support::*;
use std::path::PathBuf;

const MANIFEST: &str = env!("CARGO_MANIFEST_DIR");

fn samples() -> PathBuf {
    PathBuf::from(MANIFEST).join("samples")
}

/// `sverka <command> <inputs> --as-of 2024-03-31 <extra>`: stdout, which must be a success
/// with no warning on stderr (notes, such as the unidentified receipt, are fine).
fn run_on(command: &str, inputs: &[PathBuf], extra: &[&str]) -> Vec<u8> {
    let out = sverka()
        .arg(command)
        .args(inputs)
        .args(["--as-of", "2024-03-31"])
        .args(extra)
        .output()
        .expect("run sverka");
    assert!(
        out.status.success(),
        "sverka {command} {extra:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("warning") && !stderr.contains("error"),
        "sverka {command} {extra:?} printed warnings on the clean samples: {stderr}"
    );

    out.stdout
}

fn run(command: &str, extra: &[&str]) -> Vec<u8> {
    run_on(command, &[samples()], extra)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("UTF-8 output")
}

/// Delimited output with its invisible bytes shown: the BOM as `<BOM>`, CR LF as `⏎`.
fn visible(bytes: &[u8]) -> String {
    text(bytes)
        .replace('\u{FEFF}', "<BOM>")
        .replace("\r\n", "⏎\n")
}

/// The absolute path of this checkout replaced, so the snapshot holds on any machine.
fn portable(s: &str) -> String {
    s.replace(MANIFEST, "[CARGO_MANIFEST_DIR]")
}

fn report_json() -> serde_json::Value {
    serde_json::from_slice(&run("report", &["--format", "json"])).expect("JSON")
}

#[test]
fn samples_table() {
    insta::assert_snapshot!("report_table", text(&run("report", &["--format", "table"])));
}

#[test]
fn samples_table_in_english() {
    insta::assert_snapshot!(
        "report_table_en",
        text(&run("report", &["--format", "table", "--lang", "en"]))
    );
}

#[test]
fn samples_table_by_invoice() {
    insta::assert_snapshot!(
        "report_table_by_invoice",
        text(&run("report", &["--format", "table", "--by", "invoice"]))
    );
}

#[test]
fn samples_table_by_manager() {
    insta::assert_snapshot!(
        "report_table_by_manager",
        text(&run("report", &["--format", "table", "--by", "manager"]))
    );
}

/// The default CSV is for Russian Excel: UTF-8 with BOM, `;`, decimal comma, CRLF.
#[test]
fn samples_csv_for_russian_excel() {
    let out = run("report", &["--format", "csv"]);
    assert!(out.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let body = &out[3..];
    assert!(!body.is_empty());
    // Every line ends in CRLF: as many CR as LF, each CR before an LF.
    let lf = body.iter().filter(|&&b| b == b'\n').count();
    let crlf = body.windows(2).filter(|w| w == b"\r\n").count();
    assert_eq!(lf, crlf, "every line ends in CRLF");
    assert!(body.ends_with(b"\r\n"));
    let t = text(body);
    assert!(t.lines().next().unwrap().contains(';'));
    assert!(t.contains("80000,00"), "decimal comma: {t}");
    insta::assert_snapshot!("report_csv_excel", visible(&out));
}

/// The plain dialect: `,`, decimal point, no BOM.
#[test]
fn samples_csv_plain() {
    let out = run("report", &["--format", "csv", "--csv-dialect", "plain"]);
    assert!(!out.starts_with(b"\xEF\xBB\xBF"), "no BOM");
    let t = text(&out);
    assert!(t.contains("80000.00"), "decimal point: {t}");
    assert!(!t.contains("80000,00"), "no decimal comma: {t}");
    insta::assert_snapshot!("report_csv_plain", visible(&out));
}

#[test]
fn samples_tsv() {
    let out = run("report", &["--format", "tsv"]);
    let t = text(&out);
    assert!(
        t.trim_start_matches('\u{FEFF}')
            .lines()
            .next()
            .unwrap()
            .contains('\t')
    );
    insta::assert_snapshot!("report_tsv", visible(&out).replace('\t', "→"));
}

#[test]
fn samples_report_json() {
    insta::assert_snapshot!("report_json", text(&run("report", &["--format", "json"])));
}

#[test]
fn samples_match_json() {
    insta::assert_snapshot!(
        "match_json",
        portable(&text(&run("match", &["--format", "json"])))
    );
}

/// The expectations of `docs/samples.md` ("Totals as of 31.03.2024" and the scenarios).
#[test]
fn samples_totals_match_the_documented_expectations() {
    let r = report_json();
    assert_eq!(r["as_of"], "2024-03-31");
    assert_eq!(
        r["buckets"],
        serde_json::json!(["not_due", "1-30", "31-60", "61-90", "91-120", "121+"])
    );
    let t = &r["totals"];
    assert_eq!(t["outstanding"], "282000.00");
    assert_eq!(t["advance"], "35000.00");
    assert_eq!(t["net"], "247000.00");
    let b = &t["buckets"];
    assert_eq!(b["not_due"], "60000.00");
    assert_eq!(b["1-30"], "85000.00");
    assert_eq!(b["31-60"], "12000.00");
    assert_eq!(b["61-90"], "45000.00");
    assert_eq!(b["91-120"], "0.00");
    assert_eq!(b["121+"], "80000.00");
    let unidentified = r["unidentified_payments"].as_array().unwrap();
    assert_eq!(unidentified.len(), 1);
    assert_eq!(unidentified[0]["amount"], "5000.00");
    assert_eq!(unidentified[0]["date"], "2024-03-14");
    assert_eq!(unidentified[0]["inn"], serde_json::Value::Null);
    assert_eq!(unidentified[0]["payer"], "ИВАНОВ ИВАН ИВАНОВИЧ");
    // 10 counterparties: not ТехноПром (all paid), not the supplier, not the bank, not us.
    assert_eq!(r["rows"].as_array().unwrap().len(), 10);
    for inn in ["5032147622", "7734561203", OUR_INN] {
        assert!(find_row(&r, inn).is_none(), "no row for {inn}");
    }
}

/// The scenarios of `docs/samples.md`, one customer at a time.
#[test]
fn samples_scenarios_match_the_documented_expectations() {
    let r = report_json();
    // 1. Ромашка: №10 closed, advance 10 000,00.
    let romashka = row(&r, ROMASHKA);
    assert_eq!(romashka["outstanding"], "0.00");
    assert_eq!(romashka["advance"], "10000.00");
    assert_eq!(romashka["net"], "-10000.00");
    assert!(!is_open(romashka, "10"));
    // 2. Вектор: №21 open 20 000,00, 16 days, 1-30.
    let inv = invoice(row(&r, VEKTOR), "21");
    assert_eq!(
        (inv["outstanding"].as_str(), inv["days_overdue"].as_i64()),
        (Some("20000.00"), Some(16))
    );
    assert_eq!(inv["bucket"], "1-30");
    // 4. Гранит: №103 closed; №101 15 000,00 (21 days); №102 20 000,00 (11 days).
    let granit = row(&r, GRANIT);
    assert_eq!(granit["outstanding"], "35000.00");
    assert!(!is_open(granit, "103"));
    let a = invoice(granit, "101");
    assert_eq!(
        (a["outstanding"].as_str(), a["days_overdue"].as_i64()),
        (Some("15000.00"), Some(21))
    );
    let b = invoice(granit, "102");
    assert_eq!(
        (b["outstanding"].as_str(), b["days_overdue"].as_i64()),
        (Some("20000.00"), Some(11))
    );
    assert_eq!(granit["buckets"]["1-30"], "35000.00");
    // 6. Меридиан: №150 60 000,00 not due.
    let inv = invoice(row(&r, "7814620373"), "150");
    assert_eq!(
        (inv["outstanding"].as_str(), inv["bucket"].as_str()),
        (Some("60000.00"), Some("not_due"))
    );
    // 7. Кедр: №7 80 000,00 after the 7 500,00 return, 168 days, 121+.
    let kedr = row(&r, "4401183729");
    let inv = invoice(kedr, "7");
    assert_eq!(inv["amount"], "87500.00");
    assert_eq!(inv["credited"], "7500.00");
    assert_eq!(inv["outstanding"], "80000.00");
    assert_eq!(inv["days_overdue"], 168);
    assert_eq!(inv["bucket"], "121+");
    // 8. Полюс: 00БП-000146 closed; 00БП-000145 open 10 000,00, 30 days (number as in the source).
    let polus = row(&r, POLUS);
    assert!(!is_open(polus, "00БП-000146"));
    let inv = invoice(polus, "00БП-000145");
    assert_eq!(
        (inv["outstanding"].as_str(), inv["days_overdue"].as_i64()),
        (Some("10000.00"), Some(30))
    );
    assert_eq!(inv["bucket"], "1-30");
    // 9. ИП Соколова: №33 without a due date, 59 days, 31-60, no KPP.
    let sokolova = row(&r, "771605438204");
    assert_eq!(sokolova["kpp"], serde_json::Value::Null);
    let inv = invoice(sokolova, "33");
    assert_eq!(
        (inv["outstanding"].as_str(), inv["days_overdue"].as_i64()),
        (Some("12000.00"), Some(59))
    );
    assert_eq!(inv["bucket"], "31-60");
    // 10. Балтийский берег: №88 open, 2 days (credited only on 01.04).
    let inv = invoice(row(&r, "3906128478"), "88");
    assert_eq!(
        (inv["outstanding"].as_str(), inv["days_overdue"].as_i64()),
        (Some("20000.00"), Some(2))
    );
    // 11. Сибирь-Агро: №5 45 000,00, 76 days, 61-90.
    let inv = invoice(row(&r, "5405213782"), "5");
    assert_eq!(
        (inv["outstanding"].as_str(), inv["days_overdue"].as_i64()),
        (Some("45000.00"), Some(76))
    );
    assert_eq!(inv["bucket"], "61-90");
    // 12. Энергосбыт Плюс: advance 25 000,00 (a contract number is not an invoice number).
    let energo = row(&r, "6612345073");
    assert_eq!(energo["advance"], "25000.00");
    assert_eq!(energo["outstanding"], "0.00");
}

/// Scenario 10 as of 01.04.2024: №88 closed by the payment credited that day.
#[test]
fn samples_payment_credited_on_the_first_of_april() {
    let out = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-04-01", "--format", "json"])
        .output()
        .expect("run sverka");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(find_row(&r, "3906128478").is_none(), "{r:#}");
}

/// "The same inputs give byte-identical output": the files named in either order, or the
/// folder, give the same bytes in every format.
#[test]
fn samples_input_order_does_not_change_the_output() {
    let statement = samples().join("kl_to_1c.txt");
    let list = samples().join("invoices.csv");
    let orders = [
        vec![statement.clone(), list.clone()],
        vec![list, statement],
        vec![samples()],
    ];
    for (command, extra) in [
        ("report", &["--format", "json"][..]),
        ("report", &["--format", "table"][..]),
        ("report", &["--format", "csv"][..]),
        ("match", &["--format", "json"][..]),
    ] {
        let outputs: Vec<Vec<u8>> = orders.iter().map(|o| run_on(command, o, extra)).collect();
        assert!(!outputs[0].is_empty());
        assert_eq!(
            outputs[0], outputs[1],
            "{command} {extra:?}: files in two orders"
        );
        assert_eq!(
            outputs[0], outputs[2],
            "{command} {extra:?}: files vs folder"
        );
    }
}

/// The README shows the table the first of its two commands prints: keep it true.
#[test]
fn readme_shows_the_real_samples_table() {
    let readme =
        std::fs::read_to_string(PathBuf::from(MANIFEST).join("README.md")).expect("README.md");
    let table = text(&run("report", &["--format", "table"]));
    let first_line = table.lines().next().expect("a title line");
    let start = readme
        .find(first_line)
        .expect("the README shows the samples table");
    let shown = &readme[start..];
    let shown = &shown[..shown.find("\n```").expect("the table's code block ends")];
    assert_eq!(shown.trim_end(), table.trim_end());
    assert!(readme.contains("cargo run --release -- report samples/ --as-of 2024-03-31"));
    assert!(readme.contains("\ncargo test "));
}

/// The README's tasks and review tables are what the samples give.
#[test]
fn readme_shows_the_real_tasks_and_review() {
    let readme =
        std::fs::read_to_string(PathBuf::from(MANIFEST).join("README.md")).expect("README.md");
    let tasks = text(&run("tasks", &["--format", "table"]));
    let out = sverka()
        .arg("review")
        .arg(samples())
        .args(["--month", "2024-03", "--format", "table"])
        .output()
        .expect("run sverka");
    let review = text(&out.stdout);
    for table in [tasks, review] {
        for block in table.split("\n\n").filter(|b| !b.trim().is_empty()) {
            assert!(
                readme.contains(block.trim_end()),
                "the README shows this table as it is:\n{block}"
            );
        }
    }
}
