//! Behaviours from `behaviours.md` that statements and invoice lists can show.

use crate::support::*;

/// S01: a partial payment, then an overpayment that leaves an advance.
#[test]
fn s01_partial_then_overpayment() {
    let f = Fixture::new();
    f.cp1251("list.csv", &invoices(&[("10", "01.01.2024", "10.01.2024", ROMASHKA, "100 000,00")]));
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(ROMASHKA, "1", "05.01.2024", "40000.00", "Оплата по счету №10 от 01.01.2024"),
            Pay::from(ROMASHKA, "2", "20.02.2024", "70000.00", "Оплата по сч. 10"),
        ]),
    );
    let r = f.report_json("2024-02-01", &[]);
    let row = row(&r, ROMASHKA);
    assert_eq!(row["outstanding"], "60000.00");
    assert_eq!(row["buckets"]["1-30"], "60000.00");
    assert_eq!(invoice(row, "10")["days_overdue"], 22);
    let r = f.report_json("2024-02-21", &[]);
    let row = crate::support::row(&r, ROMASHKA);
    assert_eq!(row["outstanding"], "0.00");
    assert_eq!(row["advance"], "10000.00");
    assert_eq!(row["net"], "-10000.00");
    assert!(row["buckets"].as_object().unwrap().values().all(|v| v == "0.00"));
}
