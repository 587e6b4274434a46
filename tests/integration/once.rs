//! Once and only once: the same document in several exports counts once, genuine twins
//! both count, and a changed re-export replaces the older copy (issue 3, S42-S45, S49).

use crate::support::*;
use std::time::{Duration, SystemTime};

fn set_mtime(path: &std::path::Path, seconds_ago: u64) {
    let f = std::fs::File::options()
        .write(true)
        .open(path)
        .expect("open");
    f.set_modified(SystemTime::now() - Duration::from_secs(seconds_ago))
        .expect("set mtime");
}

/// A receipt in a 1C list and the same money in the bank statement count once.
#[test]
fn a_receipt_in_a_list_and_in_the_statement_counts_once() {
    let f = world(
        &[("45", "01.03.2024", "10.03.2024", VEKTOR, "10 000,00")],
        &[Pay::from(
            VEKTOR,
            "17",
            "05.03.2024",
            "10000.00",
            "Оплата по счету 45",
        )],
    );
    f.utf8(
        "receipts.csv",
        &format!(
            "Вид документа;Номер;Дата;Контрагент;ИНН;Сумма;Назначение платежа\n\
             Поступление на расчетный счет;0000-000123;05.03.2024;Вектор;{VEKTOR};10 000,00;Оплата по счету 45\n"
        ),
    );
    let r = f.report_json("2024-03-31", &[]);
    assert!(
        find_row(&r, VEKTOR).is_none(),
        "paid once, no advance: {r:#}"
    );
    let m = f.match_json("2024-03-31", &[]);
    assert_eq!(
        m["payments"].as_array().expect("payments").len(),
        1,
        "{m:#}"
    );
    assert_eq!(
        m["payments"][0]["number"], "17",
        "the statement's document is kept"
    );
}

/// Twins: two payments of the same amount on the same day, in the statement and in the
/// list, pair one to one: two receipts, not one and not four.
#[test]
fn twins_in_a_list_and_in_the_statement_pair_one_to_one() {
    let f = world(
        &[("45", "01.03.2024", "10.03.2024", VEKTOR, "20 000,00")],
        &[
            Pay::from(VEKTOR, "17", "12.03.2024", "5000.00", "Оплата по счету 45"),
            Pay::from(VEKTOR, "18", "12.03.2024", "5000.00", "Оплата по счету 45"),
        ],
    );
    f.utf8(
        "receipts.csv",
        &format!(
            "Вид документа;Номер;Дата;Контрагент;ИНН;Сумма\n\
             Поступление;1;12.03.2024;Вектор;{VEKTOR};5 000,00\n\
             Поступление;2;12.03.2024;Вектор;{VEKTOR};5 000,00\n"
        ),
    );
    let r = f.report_json("2024-03-31", &[]);
    assert_eq!(row(&r, VEKTOR)["paid"], "10000.00");
    assert_eq!(row(&r, VEKTOR)["outstanding"], "10000.00");
}

/// S49: an invoice corrected in a newer export (30 000 → 28 000) after it was paid:
/// the newer export wins whatever the file names, a warning says so, and 2 000 becomes
/// an advance.
#[test]
fn s49_the_newer_export_wins() {
    let f = Fixture::new();
    let list = |amount: &str| {
        format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\n70;01.03.2024;10.03.2024;Вектор;{VEKTOR};{amount}\n"
        )
    };
    // The newer export sorts first by name: the path must not decide.
    let newer = f.utf8("a_corrected.csv", &list("28 000,00"));
    let older = f.utf8("b_first.csv", &list("30 000,00"));
    set_mtime(&older, 3600);
    set_mtime(&newer, 60);
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            VEKTOR,
            "5",
            "05.03.2024",
            "30000.00",
            "Оплата по счету 70",
        )]),
    );
    let out = sverka()
        .args(["report", "--as-of", "2024-03-31", "--format", "json"])
        .arg(f.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a_corrected.csv:2:") && err.contains("later copy") && err.contains("28000"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let row = row(&r, VEKTOR);
    assert_eq!(row["invoiced"], "28000.00");
    assert_eq!(row["outstanding"], "0.00");
    assert_eq!(row["advance"], "2000.00");
}
