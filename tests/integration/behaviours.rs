//! Behaviours from `behaviours.md` that statements and invoice lists can show.

use crate::support::*;

/// S01: a partial payment, then an overpayment that leaves an advance.
#[test]
fn s01_partial_then_overpayment() {
    let f = world(
        &[("10", "01.01.2024", "10.01.2024", ROMASHKA, "100 000,00")],
        &[
            Pay::from(
                ROMASHKA,
                "1",
                "05.01.2024",
                "40000.00",
                "Оплата по счету №10 от 01.01.2024",
            ),
            Pay::from(ROMASHKA, "2", "20.02.2024", "70000.00", "Оплата по сч. 10"),
        ],
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
    assert!(
        row["buckets"]
            .as_object()
            .unwrap()
            .values()
            .all(|v| v == "0.00")
    );
}

// ---------------------------------------------------------------------------
// Helpers for reading the `match` log and running the binary for raw output.
// ---------------------------------------------------------------------------

/// A supplier of ours (checksum-valid INN): we pay them, they never owe us.
const SUPPLIER: &str = "7734561203";

/// The payments of a `match` log.
fn payments(m: &serde_json::Value) -> &Vec<serde_json::Value> {
    m["payments"].as_array().expect("payments")
}

/// The payment with this number in a `match` log (the only one with it).
fn payment<'a>(m: &'a serde_json::Value, number: &str) -> &'a serde_json::Value {
    let found: Vec<&serde_json::Value> = payments(m)
        .iter()
        .filter(|p| p["number"] == number)
        .collect();
    assert_eq!(found.len(), 1, "payment {number} once in {m:#}");
    found[0]
}

/// A payment's allocations as (invoice, amount, rule).
fn allocations(p: &serde_json::Value) -> Vec<(String, String, String)> {
    p["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| {
            (
                a["invoice"].as_str().unwrap().to_string(),
                a["amount"].as_str().unwrap().to_string(),
                a["rule"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn alloc(invoice: &str, amount: &str, rule: &str) -> (String, String, String) {
    (invoice.to_string(), amount.to_string(), rule.to_string())
}

/// The note codes of a payment.
fn note_codes(p: &serde_json::Value) -> Vec<String> {
    p["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_string())
        .collect()
}

/// The reference numbers a payment's purpose gave.
fn reference_numbers(p: &serde_json::Value) -> Vec<String> {
    p["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| r["number"].as_str().unwrap().to_string())
        .collect()
}

/// The raw JSON register of a folder (for byte-for-byte comparisons).
fn report_bytes(f: &Fixture, as_of: &str) -> Vec<u8> {
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args(["--as-of", as_of, "--format", "json"])
        .output()
        .expect("run sverka");
    assert!(
        out.status.success(),
        "sverka failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

// ---------------------------------------------------------------------------
// A. Allocation and aging
// ---------------------------------------------------------------------------

/// S02: "Invoice 50 000.00 due 15.03.2024; payment 30 000.00 on 20.04.2024. As of
/// 30.04.2024: outstanding 20 000.00, age 46 → 31–60 = 20 000.00. Not 50 000, and not two rows."
#[test]
fn s02_partial_payment_ages_the_remainder_only() {
    let f = world(
        &[("1", "01.03.2024", "15.03.2024", VEKTOR, "50 000,00")],
        &[Pay::from(
            VEKTOR,
            "11",
            "20.04.2024",
            "30000.00",
            "Оплата по счету № 1",
        )],
    );
    let r = f.report_json("2024-04-30", &[]);
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    let row = row(&r, VEKTOR);
    assert_eq!(row["outstanding"], "20000.00");
    assert_eq!(row["paid"], "30000.00");
    assert_only_bucket(row, "31-60", "20000.00");
    assert_eq!(row["invoices"].as_array().unwrap().len(), 1);
    let inv = invoice(row, "1");
    assert_eq!(inv["outstanding"], "20000.00");
    assert_eq!(inv["days_overdue"], 46);
    assert_eq!(inv["bucket"], "31-60");
}

/// S03: "Invoice 80 000.00 due 31.05.2024, paid in full 15.07.2024. Run on 01.08.2024 with
/// as-of 30.06.2024. Expected: 1–30 (age 30) = 80 000.00." (`--show-future-payments` does
/// not exist yet.)
#[test]
fn s03_historical_as_of_ignores_later_payments() {
    let f = world(
        &[("3", "01.05.2024", "31.05.2024", ROMASHKA, "80 000,00")],
        &[Pay::from(
            ROMASHKA,
            "31",
            "15.07.2024",
            "80000.00",
            "Оплата по счету № 3",
        )],
    );
    let r = f.report_json("2024-06-30", &[]);
    let row = row(&r, ROMASHKA);
    assert_eq!(row["outstanding"], "80000.00");
    assert_eq!(row["paid"], "0.00");
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["last_payment_date"], serde_json::Value::Null);
    assert_only_bucket(row, "1-30", "80000.00");
    assert_eq!(invoice(row, "3")["days_overdue"], 30);
    // The later payment is not in the match log of that date either.
    assert!(payments(&f.match_json("2024-06-30", &[])).is_empty());
    // Run "today" (01.08.2024): paid, nothing left.
    let r = f.report_json("2024-08-01", &[]);
    assert!(find_row(&r, ROMASHKA).is_none(), "{r:#}");
}

/// S05: "Open invoices A №101 30 000.00 due 10.03.2024; B №102 20 000.00 due 20.03.2024;
/// C №103 25 000.00 due 05.03.2024. Payment 40 000.00 on 25.03.2024 'оплата за товар'.
/// Expected: C closed; A paid 15 000.00; B untouched. As of 31.03.2024: A 15 000.00 (age 21)
/// and B 20 000.00 (age 11), both in 1–30."
#[test]
fn s05_unreferenced_payment_pays_the_earliest_due_date_first() {
    let f = world(
        &[
            ("101", "01.02.2024", "10.03.2024", GRANIT, "30 000,00"),
            ("102", "15.02.2024", "20.03.2024", GRANIT, "20 000,00"),
            ("103", "20.02.2024", "05.03.2024", GRANIT, "25 000,00"),
        ],
        &[Pay::from(
            GRANIT,
            "5",
            "25.03.2024",
            "40000.00",
            "оплата за товар",
        )],
    );
    let m = f.match_json("2024-03-31", &[]);
    assert_eq!(
        allocations(payment(&m, "5")),
        vec![
            alloc("103", "25000.00", "due-date"),
            alloc("101", "15000.00", "due-date")
        ]
    );
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, GRANIT);
    assert!(!is_open(row, "103"));
    let a = invoice(row, "101");
    assert_eq!(
        (a["outstanding"].as_str(), a["paid"].as_str()),
        (Some("15000.00"), Some("15000.00"))
    );
    assert_eq!(a["days_overdue"], 21);
    assert_eq!(a["bucket"], "1-30");
    let b = invoice(row, "102");
    assert_eq!(
        (b["outstanding"].as_str(), b["paid"].as_str()),
        (Some("20000.00"), Some("0.00"))
    );
    assert_eq!(b["days_overdue"], 11);
    assert_eq!(b["bucket"], "1-30");
    assert_only_bucket(row, "1-30", "35000.00");
}

fn s06_fixture() -> Fixture {
    world(
        &[
            ("201", "01.05.2024", "31.05.2024", POLUS, "60 000,00"),
            ("202", "02.05.2024", "31.05.2024", POLUS, "40 000,00"),
        ],
        &[Pay::from(
            POLUS,
            "6",
            "03.06.2024",
            "50000.00",
            "Оплата за поставку",
        )],
    )
}

/// S06: "D №201 60 000.00 and E №202 40 000.00, both due 31.05.2024. Unreferenced payment
/// 50 000.00 on 03.06.2024. `--tie=prorata`: D pays 30 000.00 and E pays 20 000.00 …
/// The default must be documented and the output must state the rule used."
#[test]
fn s06_equal_due_dates_pro_rata_by_default() {
    let f = s06_fixture();
    for extra in [&[][..], &["--tie", "prorata"][..]] {
        let m = f.match_json("2024-06-10", extra);
        assert_eq!(
            allocations(payment(&m, "6")),
            vec![
                alloc("201", "30000.00", "pro-rata"),
                alloc("202", "20000.00", "pro-rata")
            ],
            "{extra:?}"
        );
        let r = f.report_json("2024-06-10", extra);
        let row = row(&r, POLUS);
        assert_eq!(invoice(row, "201")["outstanding"], "30000.00");
        assert_eq!(invoice(row, "202")["outstanding"], "20000.00");
        assert_eq!(row["outstanding"], "50000.00");
    }
}

/// S06: "`--tie=fifo`: D pays 50 000.00; remaining D 10 000.00, E 40 000.00."
#[test]
fn s06_equal_due_dates_fifo_on_request() {
    let f = s06_fixture();
    let m = f.match_json("2024-06-10", &["--tie", "fifo"]);
    assert_eq!(
        allocations(payment(&m, "6")),
        vec![alloc("201", "50000.00", "due-date")]
    );
    let r = f.report_json("2024-06-10", &["--tie", "fifo"]);
    let row = row(&r, POLUS);
    assert_eq!(invoice(row, "201")["outstanding"], "10000.00");
    assert_eq!(invoice(row, "202")["outstanding"], "40000.00");
    assert_eq!(invoice(row, "202")["paid"], "0.00");
}

/// S07: "№45 10 000.00 due 01.03.2024 and №46 10 000.00 due 15.03.2024, both open. Payment
/// 10 000.00 on 20.03.2024, 'Оплата по сч. № 46 от 01.03.24'. Expected: №46 closed, №45
/// stays overdue (age 19 on 20.03)."
#[test]
fn s07_explicit_reference_beats_due_date_order() {
    let f = world(
        &[
            ("45", "20.02.2024", "01.03.2024", ROMASHKA, "10 000,00"),
            ("46", "01.03.2024", "15.03.2024", ROMASHKA, "10 000,00"),
        ],
        &[Pay::from(
            ROMASHKA,
            "7",
            "20.03.2024",
            "10000.00",
            "Оплата по сч. № 46 от 01.03.24",
        )],
    );
    let m = f.match_json("2024-03-20", &[]);
    assert_eq!(
        allocations(payment(&m, "7")),
        vec![alloc("46", "10000.00", "reference")]
    );
    let r = f.report_json("2024-03-20", &[]);
    let row = row(&r, ROMASHKA);
    assert!(!is_open(row, "46"));
    let inv45 = invoice(row, "45");
    assert_eq!(inv45["outstanding"], "10000.00");
    assert_eq!(inv45["days_overdue"], 19);
    assert_eq!(inv45["bucket"], "1-30");
}

fn combined_fixture(amount: &str) -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[
            // An unreferenced invoice due first: paying by due date would take it.
            ("40", "01.02.2024", "10.02.2024", VEKTOR, "8 000,00"),
            ("45", "05.02.2024", "05.03.2024", VEKTOR, "10 000,00"),
            ("46", "05.02.2024", "05.03.2024", VEKTOR, "15 500,50"),
            ("47", "05.02.2024", "05.03.2024", VEKTOR, "4 499,50"),
        ]),
    );
    let purpose = if amount == "30000.00" {
        "Оплата по сч.45,46,47"
    } else {
        "сч.45,46,47"
    };
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(VEKTOR, "8", "04.03.2024", amount, purpose)]),
    );
    f
}

/// S08: "№45 10 000.00, №46 15 500.50, №47 4 499.50 (sum 30 000.00). Payment 30 000.00,
/// 'Оплата по сч.45,46,47'. Expected: all three closed, no advance."
#[test]
fn s08_combined_payment_exact_sum_closes_the_list() {
    let f = combined_fixture("30000.00");
    let m = f.match_json("2024-03-10", &[]);
    let p = payment(&m, "8");
    assert_eq!(
        allocations(p),
        vec![
            alloc("45", "10000.00", "reference"),
            alloc("46", "15500.50", "reference"),
            alloc("47", "4499.50", "reference"),
        ]
    );
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2024-03-10", &[]);
    let row = row(&r, VEKTOR);
    for n in ["45", "46", "47"] {
        assert!(!is_open(row, n), "{n} still open");
    }
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["outstanding"], "8000.00");
}

/// S09: "Payment 29 000.00, 'сч.45,46,47'. Result: №45 closed, №46 closed, №47 paid 3 499.50
/// with 1 000.00 remaining. Unreferenced open invoices of this customer must not be touched."
#[test]
fn s09_combined_payment_short_pays_only_the_named_invoices() {
    let f = combined_fixture("29000.00");
    let m = f.match_json("2024-03-10", &[]);
    assert_eq!(
        allocations(payment(&m, "8")),
        vec![
            alloc("45", "10000.00", "reference"),
            alloc("46", "15500.50", "reference"),
            alloc("47", "3499.50", "reference"),
        ]
    );
    let r = f.report_json("2024-03-10", &[]);
    let row = row(&r, VEKTOR);
    assert!(!is_open(row, "45"));
    assert!(!is_open(row, "46"));
    let inv47 = invoice(row, "47");
    assert_eq!(inv47["paid"], "3499.50");
    assert_eq!(inv47["outstanding"], "1000.00");
    let inv40 = invoice(row, "40");
    assert_eq!(inv40["paid"], "0.00");
    assert_eq!(inv40["outstanding"], "8000.00");
    assert_eq!(row["outstanding"], "9000.00");
    assert_eq!(row["advance"], "0.00");
}

/// S09: "Flag 'недоплата по перечисленным счетам'": a combined payment that does not cover
/// the invoices it names is flagged.
#[test]
fn s09_combined_payment_short_is_flagged() {
    let f = combined_fixture("29000.00");
    let m = f.match_json("2024-03-10", &[]);
    let p = payment(&m, "8");
    let messages: Vec<&str> = p["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["message"].as_str().unwrap())
        .collect();
    assert!(
        messages
            .iter()
            .any(|t| t.to_lowercase().contains("недоплата")),
        "no underpayment flag in {p:#}"
    );
}

/// S10: "Payment 31 000.00 'сч.45,46,47' → all closed, advance 1 000.00. The surplus must
/// not be applied silently to an unreferenced invoice №40."
#[test]
fn s10_combined_payment_long_leaves_an_advance() {
    let f = combined_fixture("31000.00");
    let m = f.match_json("2024-03-10", &[]);
    let p = payment(&m, "8");
    assert_eq!(
        allocations(p),
        vec![
            alloc("45", "10000.00", "reference"),
            alloc("46", "15500.50", "reference"),
            alloc("47", "4499.50", "reference"),
        ]
    );
    assert_eq!(p["advance"], "1000.00");
    let r = f.report_json("2024-03-10", &[]);
    let row = row(&r, VEKTOR);
    for n in ["45", "46", "47"] {
        assert!(!is_open(row, n), "{n} still open");
    }
    let inv40 = invoice(row, "40");
    assert_eq!(inv40["paid"], "0.00");
    assert_eq!(inv40["outstanding"], "8000.00");
    assert_eq!(row["advance"], "1000.00");
    assert_eq!(row["net"], "7000.00");
}

/// S11: "Invoice 100 000.00 is paid by 110 000.00 on 15.02.2024, leaving an advance of
/// 10 000.00. New invoice 30 000.00 dated 01.03.2024 due 11.03.2024. Expected: the advance
/// is applied when the invoice appears. The invoice's outstanding is 20 000.00, and only
/// 20 000.00 is aged."
#[test]
fn s11_advance_is_applied_to_a_later_invoice() {
    let f = world(
        &[
            ("10", "01.02.2024", "10.02.2024", ROMASHKA, "100 000,00"),
            ("11", "01.03.2024", "11.03.2024", ROMASHKA, "30 000,00"),
        ],
        &[Pay::from(
            ROMASHKA,
            "9",
            "15.02.2024",
            "110000.00",
            "Оплата по счету № 10",
        )],
    );
    let r = f.report_json("2024-02-29", &[]);
    let row1 = row(&r, ROMASHKA);
    assert_eq!(row1["advance"], "10000.00");
    assert_eq!(row1["outstanding"], "0.00");
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, ROMASHKA);
    let inv = invoice(row, "11");
    assert_eq!(inv["paid"], "10000.00");
    assert_eq!(inv["outstanding"], "20000.00");
    assert_eq!(inv["days_overdue"], 20);
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["outstanding"], "20000.00");
    assert_only_bucket(row, "1-30", "20000.00");
    let m = f.match_json("2024-03-31", &[]);
    assert_eq!(
        allocations(payment(&m, "9")),
        vec![
            alloc("10", "100000.00", "reference"),
            alloc("11", "10000.00", "advance")
        ]
    );
}

/// S12: "Payment 50 000.00 on 01.02.2024, 'предоплата по счету № 52'. Invoice №52 (50 000.00,
/// dated 05.02.2024) only appears in the next 1C export. Run 1: advance 50 000.00 plus a
/// warning 'ссылка на неизвестный счёт №52'. Run 2: №52 closed, advance 0. Re-running run 2
/// gives identical output."
#[test]
fn s12_payment_before_its_invoice_is_exported() {
    let f = world(
        &[("9", "01.01.2024", "10.01.2024", VEKTOR, "1 000,00")],
        &[Pay::from(
            GRANIT,
            "12",
            "01.02.2024",
            "50000.00",
            "предоплата по счету № 52",
        )],
    );
    let r = f.report_json("2024-02-10", &[]);
    let row1 = row(&r, GRANIT);
    assert_eq!(row1["advance"], "50000.00");
    assert_eq!(row1["outstanding"], "0.00");
    let m = f.match_json("2024-02-10", &[]);
    let p = payment(&m, "12");
    assert!(
        note_codes(p).contains(&"unknown_invoice".to_string()),
        "{p:#}"
    );
    assert!(p["notes"].to_string().contains("52"), "{p:#}");
    assert_eq!(p["advance"], "50000.00");

    // The next export has the invoice.
    f.cp1251(
        "list.csv",
        &invoices(&[
            ("9", "01.01.2024", "10.01.2024", VEKTOR, "1 000,00"),
            ("52", "05.02.2024", "15.02.2024", GRANIT, "50 000,00"),
        ]),
    );
    let r = f.report_json("2024-02-10", &[]);
    assert!(
        find_row(&r, GRANIT).is_none(),
        "closed and no advance: {r:#}"
    );
    let m = f.match_json("2024-02-10", &[]);
    let p = payment(&m, "12");
    assert_eq!(allocations(p), vec![alloc("52", "50000.00", "reference")]);
    assert_eq!(p["advance"], "0.00");
    assert!(
        !note_codes(p).contains(&"unknown_invoice".to_string()),
        "{p:#}"
    );
    assert_eq!(
        report_bytes(&f, "2024-02-10"),
        report_bytes(&f, "2024-02-10")
    );
}

// ---------------------------------------------------------------------------
// B. Invoice references in purposes
// ---------------------------------------------------------------------------

/// S13: "'Оплата по сч. № 45 от 12.03.24, в т.ч. НДС 20% - 1 666,67 руб.' → invoice 45 with
/// date 12.03.2024. Must NOT yield 20, 1666, 67, 12, 03 or 24."
#[test]
fn s13_canonical_reference_with_vat_noise() {
    let f = Fixture::new();
    let mut rows: Vec<(&str, &str, &str, &str, &str)> = ["20", "1666", "67", "12", "03", "24"]
        .iter()
        .map(|n| (*n, "01.02.2024", "01.03.2024", ROMASHKA, "1 000,00"))
        .collect();
    rows.push(("45", "12.03.2024", "22.03.2024", ROMASHKA, "10 000,00"));
    f.cp1251("list.csv", &invoices(&rows));
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            ROMASHKA,
            "13",
            "15.03.2024",
            "10000.00",
            "Оплата по сч. № 45 от 12.03.24, в т.ч. НДС 20% - 1 666,67 руб.",
        )]),
    );
    let m = f.match_json("2024-03-15", &[]);
    let p = payment(&m, "13");
    assert_eq!(
        p["references"],
        serde_json::json!([{"kind": "invoice", "number": "45", "date": "2024-03-12"}])
    );
    assert_eq!(allocations(p), vec![alloc("45", "10000.00", "reference")]);
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, ROMASHKA);
    assert!(!is_open(row, "45"));
    for n in ["20", "1666", "67", "12", "03", "24"] {
        assert_eq!(invoice(row, n)["paid"], "0.00", "invoice {n}");
    }
    assert_eq!(row["outstanding"], "6000.00");
}

/// S14: "'Оплата по счету 0045' → 45. It must not match invoices 450, 1045 or 4500."
#[test]
fn s14_zero_padded_reference_matches_only_its_number() {
    let f = world(
        &[
            ("450", "01.02.2024", "01.03.2024", POLUS, "5 000,00"),
            ("1045", "01.02.2024", "01.03.2024", POLUS, "5 000,00"),
            ("4500", "01.02.2024", "01.03.2024", POLUS, "5 000,00"),
            ("45", "05.03.2024", "20.03.2024", POLUS, "5 000,00"),
        ],
        &[Pay::from(
            POLUS,
            "14",
            "10.03.2024",
            "5000.00",
            "Оплата по счету 0045",
        )],
    );
    let m = f.match_json("2024-03-10", &[]);
    let p = payment(&m, "14");
    assert_eq!(reference_numbers(p), vec!["0045"]);
    assert_eq!(allocations(p), vec![alloc("45", "5000.00", "reference")]);
    let r = f.report_json("2024-03-10", &[]);
    let row = row(&r, POLUS);
    assert!(!is_open(row, "45"));
    for n in ["450", "1045", "4500"] {
        assert_eq!(invoice(row, n)["paid"], "0.00", "invoice {n}");
        assert_eq!(invoice(row, n)["outstanding"], "5000.00", "invoice {n}");
    }
}

/// True when a reference number is a long digit run (an account, INN, KPP or BIC), not
/// something that could be an invoice number of these fixtures.
fn is_long_number(n: &str) -> bool {
    n.chars().filter(char::is_ascii_digit).count() >= 9
}

/// S18: "'р/с 40702810…' (20 digits), 'Сч. № 30101810145250000974' (a correspondent account
/// written as 'Сч. №'), БИК, ИНН/КПП inside the purpose → never invoice numbers." With no
/// invoice reference the payment pays by due date.
#[test]
fn s18_bank_accounts_and_codes_are_not_invoice_numbers() {
    let cases = [
        (
            ROMASHKA,
            "Оплата за товар. Плательщик р/с 40702810900000001974 в ПАО Сбербанк",
        ),
        (
            VEKTOR,
            "Оплата за товар. Банк получателя ПАО СБЕРБАНК Сч. № 30101810145250000974",
        ),
        (GRANIT, "Оплата за товар, БИК 044525974, без НДС"),
        (POLUS, "Оплата за товар ИНН 7703642519 КПП 770301974"),
    ];
    let f = Fixture::new();
    let mut rows = Vec::new();
    for (inn, _) in &cases {
        rows.push(("1", "01.02.2024", "01.03.2024", *inn, "10 000,00"));
        rows.push(("974", "10.02.2024", "20.03.2024", *inn, "10 000,00"));
    }
    f.cp1251("list.csv", &invoices(&rows));
    let pays: Vec<Pay> = cases
        .iter()
        .enumerate()
        .map(|(k, (inn, purpose))| {
            Pay::from(inn, &format!("18{k}"), "25.03.2024", "10000.00", purpose)
        })
        .collect();
    f.cp1251("kl_to_1c.txt", &statement(&pays));
    let m = f.match_json("2024-03-31", &[]);
    let r = f.report_json("2024-03-31", &[]);
    for (k, (inn, purpose)) in cases.iter().enumerate() {
        let p = payment(&m, &format!("18{k}"));
        for reference in p["references"].as_array().unwrap() {
            let n = reference["number"].as_str().unwrap();
            assert!(
                reference["kind"] != "invoice" || is_long_number(n),
                "{purpose:?} gave invoice reference {n}"
            );
        }
        assert_eq!(
            allocations(p),
            vec![alloc("1", "10000.00", "due-date")],
            "{purpose:?}"
        );
        assert_eq!(p["advance"], "0.00", "{purpose:?}");
        let row = row(&r, inn);
        assert!(!is_open(row, "1"), "{purpose:?}");
        assert_eq!(invoice(row, "974")["paid"], "0.00", "{purpose:?}");
    }
}

/// S23: "№45 was paid 10 000.00 on 05.03. A second 10 000.00 arrives on 12.03 'по сч 45'.
/// → advance 10 000.00, flag 'повторная оплата счёта 45'. It must not be applied silently
/// to other invoices."
#[test]
fn s23_second_payment_of_a_paid_invoice_is_an_advance() {
    let f = world(
        &[
            ("45", "01.03.2024", "10.03.2024", GRANIT, "10 000,00"),
            ("46", "01.03.2024", "05.03.2024", GRANIT, "10 000,00"),
        ],
        &[
            Pay::from(GRANIT, "21", "05.03.2024", "10000.00", "Оплата по сч 45"),
            Pay::from(GRANIT, "22", "12.03.2024", "10000.00", "по сч 45"),
        ],
    );
    let m = f.match_json("2024-03-15", &[]);
    let second = payment(&m, "22");
    assert!(allocations(second).is_empty(), "{second:#}");
    assert_eq!(second["advance"], "10000.00");
    assert!(
        note_codes(second).contains(&"already_paid".to_string()),
        "{second:#}"
    );
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, GRANIT);
    assert_eq!(row["advance"], "10000.00");
    assert!(!is_open(row, "45"));
    assert_eq!(invoice(row, "46")["paid"], "0.00");
    assert_eq!(invoice(row, "46")["outstanding"], "10000.00");
    assert_eq!(row["net"], "0.00");
}

// ---------------------------------------------------------------------------
// C. Party identification
// ---------------------------------------------------------------------------

/// S27/S24: a payer with `ПлательщикИНН=0` and no invoice reference is an "неопознанное
/// поступление": listed as unidentified, no party created, nobody's invoice paid.
#[test]
fn unidentified_payer_is_listed_not_credited() {
    let f = world(
        &[("5", "01.03.2024", "05.03.2024", ROMASHKA, "5 000,00")],
        &[Pay::from(
            "0",
            "938271",
            "14.03.2024",
            "5000.00",
            "Перевод средств по договору без НДС",
        )
        .name("ИВАНОВ ИВАН ИВАНОВИЧ")
        .account("30232810700000089412")],
    );
    let r = f.report_json("2024-03-31", &[]);
    assert_eq!(
        r["unidentified_payments"],
        serde_json::json!([{
            "number": "938271", "date": "2024-03-14", "amount": "5000.00", "currency": "RUB",
            "payer": "ИВАНОВ ИВАН ИВАНОВИЧ", "inn": null,
            "purpose": "Перевод средств по договору без НДС"
        }])
    );
    assert_eq!(r["rows"].as_array().unwrap().len(), 1, "{r:#}");
    let row = row(&r, ROMASHKA);
    assert_eq!(invoice(row, "5")["paid"], "0.00");
    assert_eq!(r["totals"]["advance"], "0.00");
    let m = f.match_json("2024-03-31", &[]);
    let p = payment(&m, "938271");
    assert_eq!(p["unidentified"], true);
    assert_eq!(p["counterparty"], serde_json::Value::Null);
    assert!(allocations(p).is_empty());
}

/// S27: "Treat '0' as missing. Match by purpose reference (invoice → customer)."
#[test]
fn payer_without_inn_is_identified_by_the_invoice_it_names() {
    let f = world(
        &[
            ("31", "01.03.2024", "10.03.2024", ROMASHKA, "7 000,00"),
            ("32", "01.03.2024", "10.03.2024", VEKTOR, "7 000,00"),
        ],
        &[Pay::from(
            "0",
            "27",
            "12.03.2024",
            "7000.00",
            "Оплата по счету № 31 от 01.03.2024",
        )
        .name("ИВАНОВ ИВАН ИВАНОВИЧ")
        .account("30232810700000089412")],
    );
    let m = f.match_json("2024-03-31", &[]);
    let p = payment(&m, "27");
    assert_eq!(p["unidentified"], false);
    assert_eq!(p["counterparty_inn"], ROMASHKA);
    assert!(
        note_codes(p).contains(&"identified_by_reference".to_string()),
        "{p:#}"
    );
    assert_eq!(allocations(p), vec![alloc("31", "7000.00", "reference")]);
    let r = f.report_json("2024-03-31", &[]);
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
    assert!(find_row(&r, ROMASHKA).is_none(), "{r:#}");
    assert_eq!(invoice(row(&r, VEKTOR), "32")["paid"], "0.00");
}

/// S29: "Incoming from our own account (payer INN = our INN) → skip."
#[test]
fn own_transfer_is_not_a_receipt() {
    let f = world(
        &[("1", "01.03.2024", "05.03.2024", ROMASHKA, "300 000,00")],
        &[Pay::from(
            OUR_INN,
            "57",
            "15.03.2024",
            "300000.00",
            "Перевод собственных средств",
        )
        .name("ООО \"Северный ветер\"")
        .account("40702810938000067890")],
    );
    let m = f.match_json("2024-03-31", &[]);
    assert!(payments(&m).is_empty(), "{m:#}");
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, OUR_INN).is_none(), "{r:#}");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
    assert_eq!(invoice(row(&r, ROMASHKA), "1")["outstanding"], "300000.00");
    assert_eq!(r["totals"]["paid"], "0.00");
    assert_eq!(r["totals"]["advance"], "0.00");
}

/// An outgoing payment to a supplier ("Оплата по счету № 512") is not a receivable and is
/// not matched to our invoice №512.
#[test]
fn outgoing_payment_to_a_supplier_is_not_a_receivable() {
    let f = world(
        &[("512", "01.03.2024", "05.03.2024", ROMASHKA, "48 000,00")],
        &[Pay::from(
            SUPPLIER,
            "64",
            "12.03.2024",
            "48000.00",
            "Оплата по счету № 512 за услуги",
        )
        .name("ООО \"Поставщик-Сервис\"")
        .outgoing()],
    );
    let m = f.match_json("2024-03-31", &[]);
    assert!(payments(&m).is_empty(), "{m:#}");
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, SUPPLIER).is_none(), "{r:#}");
    assert_eq!(r["rows"].as_array().unwrap().len(), 1);
    let inv = invoice(row(&r, ROMASHKA), "512");
    assert_eq!(inv["paid"], "0.00");
    assert_eq!(inv["outstanding"], "48000.00");
    assert_eq!(r["totals"]["outstanding"], "48000.00");
    assert_eq!(r["totals"]["advance"], "0.00");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
}

// ---------------------------------------------------------------------------
// E. Dates and terms
// ---------------------------------------------------------------------------

/// S34: "Bucket boundaries, leap year. Due 01.01.2024; unpaid 1 000.00." with the table
/// 01.01 → 0 не наступил … 01.03.2024 → 60 31–60 (only 59 in 2023) … 01.05 → 121 >120.
#[test]
fn s34_bucket_boundaries_in_a_leap_year() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[("34", "01.12.2023", "01.01.2024", POLUS, "1 000,00")]),
    );
    let table = [
        ("2024-01-01", 0, "not_due"),
        ("2024-01-31", 30, "1-30"),
        ("2024-02-01", 31, "31-60"),
        ("2024-03-01", 60, "31-60"),
        ("2024-03-31", 90, "61-90"),
        ("2024-04-01", 91, "91-120"),
        ("2024-04-30", 120, "91-120"),
        ("2024-05-01", 121, "121+"),
    ];
    for (as_of, age, bucket) in table {
        let r = f.report_json(as_of, &[]);
        let row = row(&r, POLUS);
        let inv = invoice(row, "34");
        assert_eq!(inv["days_overdue"], age, "as of {as_of}");
        assert_eq!(inv["bucket"], bucket, "as of {as_of}");
        assert_eq!(row["max_days_overdue"], age, "as of {as_of}");
        assert_only_bucket(row, bucket, "1000.00");
        assert_only_bucket(&r["totals"], bucket, "1000.00");
    }
}

/// S37: "Invoice 12 000.00 dated 01.04.2024 with no due date. `--default-term=10`: due
/// 11.04.2024; as of 30.04.2024 age 19 → 1–30. `--default-term=0`: age 29. The total
/// outstanding must not change with the aging basis."
#[test]
fn s37_invoice_without_a_due_date() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[("37", "01.04.2024", "", ROMASHKA, "12 000,00")]),
    );
    let check = |extra: &[&str], age: i64| {
        let r = f.report_json("2024-04-30", extra);
        let row = row(&r, ROMASHKA);
        let inv = invoice(row, "37");
        assert_eq!(
            inv["due_date"],
            serde_json::Value::Null,
            "no due date in the source"
        );
        assert_eq!(inv["days_overdue"], age, "{extra:?}");
        assert_eq!(inv["bucket"], "1-30", "{extra:?}");
        assert_eq!(inv["outstanding"], "12000.00", "{extra:?}");
        assert_eq!(r["totals"]["outstanding"], "12000.00", "{extra:?}");
        assert_only_bucket(row, "1-30", "12000.00");
    };
    check(&["--default-term", "10"], 19);
    check(&["--default-term", "0"], 29);
    check(&[], 29);
    check(&["--default-term", "10", "--age-by", "date"], 29);
    check(&["--age-by", "date"], 29);
}

/// S40: "Payment order `Дата=29.03.2024`, `ДатаПоступило=01.04.2024`, 20 000.00, for an
/// invoice due 29.03.2024. As of 31.03.2024: open, age 2. As of 01.04.2024: closed."
#[test]
fn s40_credit_date_not_order_date() {
    let f = world(
        &[("88", "19.03.2024", "29.03.2024", GRANIT, "20 000,00")],
        &[Pay::from(
            GRANIT,
            "40",
            "29.03.2024",
            "20000.00",
            "Оплата по счету № 88",
        )
        .credited("01.04.2024")],
    );
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, GRANIT);
    let inv = invoice(row, "88");
    assert_eq!(inv["outstanding"], "20000.00");
    assert_eq!(inv["paid"], "0.00");
    assert_eq!(inv["days_overdue"], 2);
    assert_only_bucket(row, "1-30", "20000.00");
    let r = f.report_json("2024-04-01", &[]);
    assert!(find_row(&r, GRANIT).is_none(), "{r:#}");
    let m = f.match_json("2024-04-01", &[]);
    assert_eq!(payment(&m, "40")["date"], "2024-04-01");
}

// ---------------------------------------------------------------------------
// F. Import, duplicates, encodings, formats
// ---------------------------------------------------------------------------

fn march_invoices() -> String {
    invoices(&[
        ("1", "01.02.2024", "01.03.2024", ROMASHKA, "100 000,00"),
        ("2", "01.02.2024", "01.03.2024", VEKTOR, "50 000,00"),
    ])
}

fn march_payments() -> Vec<Pay> {
    vec![
        Pay::from(ROMASHKA, "101", "01.03.2024", "1000.00", "Оплата за товар"),
        Pay::from(VEKTOR, "201", "05.03.2024", "2000.00", "Оплата за товар"),
        Pay::from(ROMASHKA, "102", "10.03.2024", "4000.00", "Оплата за товар"),
        Pay::from(ROMASHKA, "103", "14.03.2024", "8000.00", "Оплата за товар"),
        Pay::from(VEKTOR, "202", "20.03.2024", "16000.00", "Оплата за товар"),
        Pay::from(ROMASHKA, "104", "28.03.2024", "32000.00", "Оплата за товар"),
    ]
}

/// S42: "`kl_to_1c.txt` for 01–15.03 imported twice → zero new documents and identical output."
#[test]
fn s42_same_statement_twice_counts_once() {
    let once = Fixture::new();
    let text = statement(&march_payments()[..4]);
    once.cp1251("list.csv", &march_invoices());
    once.cp1251("kl_to_1c.txt", &text);
    let twice = Fixture::new();
    twice.cp1251("list.csv", &march_invoices());
    twice.cp1251("kl_to_1c.txt", &text);
    twice.cp1251("again/kl_to_1c (1).txt", &text);
    assert_eq!(
        report_bytes(&twice, "2024-03-31"),
        report_bytes(&once, "2024-03-31")
    );
    assert_eq!(payments(&twice.match_json("2024-03-31", &[])).len(), 4);
    let r = twice.report_json("2024-03-31", &[]);
    assert_eq!(row(&r, ROMASHKA)["paid"], "13000.00");
    assert_eq!(row(&r, VEKTOR)["paid"], "2000.00");
}

/// S43: "Files for 01–15.03 and 10–31.03 → each operation from 10–15.03 appears once."
#[test]
fn s43_overlapping_statements_count_the_overlap_once() {
    let all = march_payments();
    let overlapping = Fixture::new();
    overlapping.cp1251("list.csv", &march_invoices());
    overlapping.cp1251("01-15/kl_to_1c.txt", &statement(&all[..4]));
    overlapping.cp1251("10-31/kl_to_1c.txt", &statement(&all[2..]));
    let merged = Fixture::new();
    merged.cp1251("list.csv", &march_invoices());
    merged.cp1251("kl_to_1c.txt", &statement(&all));
    assert_eq!(
        report_bytes(&overlapping, "2024-03-31"),
        report_bytes(&merged, "2024-03-31")
    );
    assert_eq!(
        payments(&overlapping.match_json("2024-03-31", &[])).len(),
        6
    );
    let r = overlapping.report_json("2024-03-31", &[]);
    assert_eq!(row(&r, ROMASHKA)["paid"], "45000.00");
    assert_eq!(row(&r, ROMASHKA)["outstanding"], "55000.00");
    assert_eq!(row(&r, VEKTOR)["outstanding"], "32000.00");
}

/// S44: "Two different incoming payment orders from the same customer on 12.03.2024, each
/// 5 000.00 with the same purpose, but `Номер` 17 and 18 → both kept."
#[test]
fn s44_genuine_twins_are_both_kept() {
    let f = world(
        &[("5", "01.03.2024", "20.03.2024", ROMASHKA, "20 000,00")],
        &[
            Pay::from(
                ROMASHKA,
                "17",
                "12.03.2024",
                "5000.00",
                "Оплата по счету № 5",
            ),
            Pay::from(
                ROMASHKA,
                "18",
                "12.03.2024",
                "5000.00",
                "Оплата по счету № 5",
            ),
        ],
    );
    let m = f.match_json("2024-03-15", &[]);
    assert_eq!(payments(&m).len(), 2);
    assert_eq!(
        allocations(payment(&m, "17")),
        vec![alloc("5", "5000.00", "reference")]
    );
    assert_eq!(
        allocations(payment(&m, "18")),
        vec![alloc("5", "5000.00", "reference")]
    );
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, ROMASHKA);
    assert_eq!(row["paid"], "10000.00");
    assert_eq!(row["outstanding"], "10000.00");
}

/// S45: "Payment order №1 dated 12.03.2024 from customer X (5 000.00) and №1 dated 12.03.2024
/// from customer Y (5 000.00) → both kept. Numbering is per payer."
#[test]
fn s45_same_number_from_different_payers_both_kept() {
    let f = world(
        &[
            ("1", "01.03.2024", "20.03.2024", ROMASHKA, "8 000,00"),
            ("2", "01.03.2024", "20.03.2024", VEKTOR, "8 000,00"),
        ],
        &[
            Pay::from(ROMASHKA, "1", "12.03.2024", "5000.00", "Оплата за товар"),
            Pay::from(VEKTOR, "1", "12.03.2024", "5000.00", "Оплата за товар"),
        ],
    );
    let m = f.match_json("2024-03-15", &[]);
    let ps = payments(&m);
    assert_eq!(ps.len(), 2, "{m:#}");
    let mut inns: Vec<&str> = ps
        .iter()
        .map(|p| p["counterparty_inn"].as_str().unwrap())
        .collect();
    inns.sort_unstable();
    assert_eq!(inns, vec![ROMASHKA, VEKTOR]);
    let r = f.report_json("2024-03-15", &[]);
    assert_eq!(row(&r, ROMASHKA)["outstanding"], "3000.00");
    assert_eq!(row(&r, VEKTOR)["outstanding"], "3000.00");
}

fn s46_statement(encoding_word: &str) -> String {
    statement(&[Pay::from(
        ROMASHKA,
        "46",
        "05.03.2024",
        "10000.00",
        "Оплата по счету № 7 от 01.02.2024",
    )
    .name("ООО \"Ромашка\"")])
    .replace("Кодировка=Windows", &format!("Кодировка={encoding_word}"))
}

/// Runs the S46 checks on a folder whose statement was written in some encoding.
fn s46_check(f: &Fixture, encoding: &str) {
    let m = f.match_json("2024-03-10", &[]);
    let p = payment(&m, "46");
    assert_eq!(p["payer"], "ООО \"Ромашка\"", "{encoding}");
    assert_eq!(
        p["purpose"], "Оплата по счету № 7 от 01.02.2024",
        "{encoding}"
    );
    assert_eq!(
        allocations(p),
        vec![alloc("7", "10000.00", "reference")],
        "{encoding}"
    );
    let r = f.report_json("2024-03-10", &[]);
    let row = row(&r, ROMASHKA);
    assert!(!is_open(row, "7"), "{encoding}");
    assert_eq!(row["outstanding"], "5000.00", "{encoding}");
    let out = sverka()
        .args(["inspect", "--format", "json"])
        .arg(f.path().join("kl_to_1c.txt"))
        .output()
        .expect("run sverka");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["encoding"], encoding);
    assert_eq!(v["files"][0]["documents"], 1);
}

fn s46_fixture() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[
            ("7", "01.02.2024", "01.03.2024", ROMASHKA, "10 000,00"),
            ("8", "01.02.2024", "01.03.2024", ROMASHKA, "5 000,00"),
        ]),
    );
    f
}

/// S46: "`Кодировка=Windows` (cp1251) … files with 'Ромашка' and '№' decode correctly."
#[test]
fn s46_windows_1251_statement() {
    let f = s46_fixture();
    f.cp1251("kl_to_1c.txt", &s46_statement("Windows"));
    s46_check(&f, "windows-1251");
}

/// S46: "`Кодировка=DOS` (cp866) files with 'Ромашка' and '№' decode correctly."
#[test]
fn s46_cp866_statement() {
    let f = s46_fixture();
    let bytes = encoding_rs::IBM866
        .encode(&s46_statement("DOS"))
        .0
        .into_owned();
    f.bytes("kl_to_1c.txt", &bytes);
    s46_check(&f, "cp866");
}

/// S46: "A UTF-8 file with a BOM also works." (here it even declares DOS: the bytes win)
#[test]
fn s46_utf8_with_bom_declaring_dos() {
    let f = s46_fixture();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(s46_statement("DOS").as_bytes());
    f.bytes("kl_to_1c.txt", &bytes);
    s46_check(&f, "utf-8");
}

/// S46: "A file whose bytes disagree with its header fails with a clear error, not mojibake."
/// Every Cyrillic letter lost to U+FFFD: the run fails, naming the file.
#[test]
fn s46_lost_cyrillic_fails_with_a_clear_error() {
    let f = s46_fixture();
    let broken: String = s46_statement("Windows")
        .chars()
        .map(|c| if c.is_ascii() { c } else { '\u{FFFD}' })
        .collect();
    f.utf8("kl_to_1c.txt", &broken);
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args(["--as-of", "2024-03-10", "--format", "json"])
        .output()
        .expect("run sverka");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "no register on failure");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("kl_to_1c.txt"), "{err}");
    assert!(err.contains("unreadable"), "{err}");
}

/// S47: "Statement `Сумма=1234567.89`. Purpose amounts in '1 234 567,89', '1.234.567,89' and
/// '1234567-89' must be recognised as amounts, never as invoice numbers."
#[test]
fn s47_amounts_in_purposes_are_not_invoice_numbers() {
    let purposes = [
        "Оплата за товар на сумму 1 234 567,89 руб. без НДС",
        "Оплата за товар на сумму 1.234.567,89 руб. без НДС",
        "Оплата за товар 1234567-89 без НДС",
    ];
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[
            ("89", "01.01.2024", "01.02.2024", GRANIT, "5 000 000,00"),
            ("1", "01.02.2024", "01.03.2024", GRANIT, "1 234 567,89"),
            ("234", "01.02.2024", "01.03.2024", GRANIT, "1 234 567,89"),
            ("567", "01.02.2024", "01.03.2024", GRANIT, "1 234 567,89"),
            (
                "1234567",
                "01.02.2024",
                "01.03.2024",
                GRANIT,
                "1 234 567,89",
            ),
        ]),
    );
    let pays: Vec<Pay> = purposes
        .iter()
        .enumerate()
        .map(|(k, p)| Pay::from(GRANIT, &format!("47{k}"), "15.03.2024", "1234567.89", p))
        .collect();
    f.cp1251("kl_to_1c.txt", &statement(&pays));
    let m = f.match_json("2024-03-31", &[]);
    for (k, purpose) in purposes.iter().enumerate() {
        let p = payment(&m, &format!("47{k}"));
        assert_eq!(p["amount"], "1234567.89", "{purpose}");
        assert_eq!(p["references"], serde_json::json!([]), "{purpose}");
        assert_eq!(
            allocations(p),
            vec![alloc("89", "1234567.89", "due-date")],
            "{purpose}"
        );
    }
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, GRANIT);
    assert_eq!(invoice(row, "89")["paid"], "3703703.67");
    assert_eq!(invoice(row, "89")["outstanding"], "1296296.33");
    for n in ["1", "234", "567", "1234567"] {
        assert_eq!(invoice(row, n)["paid"], "0.00", "invoice {n}");
    }
}

// ---------------------------------------------------------------------------
// G. Money arithmetic
// ---------------------------------------------------------------------------

fn s53_fixture() -> Fixture {
    world(
        &[
            ("5", "01.03.2024", "10.03.2024", VEKTOR, "12 345,67"),
            // Not due yet: keeps the customer's row in the register.
            ("6", "25.03.2024", "30.04.2024", VEKTOR, "1 000,00"),
        ],
        &[Pay::from(
            VEKTOR,
            "53",
            "15.03.2024",
            "12345.00",
            "Оплата по счету № 5",
        )],
    )
}

/// S53: "Invoice 12 345.67; payment 12 345.00. `--tolerance=1.00`: invoice closed,
/// write-off 0.67, flag 'округление'."
#[test]
fn s53_kopeck_underpayment_written_off_within_tolerance() {
    let f = s53_fixture();
    let m = f.match_json("2024-03-31", &["--tolerance", "1.00"]);
    let p = payment(&m, "53");
    assert!(
        note_codes(p).contains(&"rounding_written_off".to_string()),
        "{p:#}"
    );
    // The write-off is shown with the payment that left it, not as money received.
    assert_eq!(
        allocations(p),
        vec![
            alloc("5", "12345.00", "reference"),
            alloc("5", "0.67", "write-off")
        ]
    );
    assert_eq!(p["applied"], "12345.00");
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2024-03-31", &["--tolerance", "1.00"]);

    let row = row(&r, VEKTOR);
    assert!(!is_open(row, "5"), "{row:#}");
    assert_eq!(row["written_off"], "0.67");
    assert_eq!(row["outstanding"], "1000.00");
    assert_eq!(row["advance"], "0.00");
    assert_only_bucket(row, "not_due", "1000.00");
    assert_eq!(r["totals"]["written_off"], "0.67");
}

/// S53: "`--tolerance=0`: 0.67 remains open and appears in the register."
#[test]
fn s53_kopeck_underpayment_stays_open_without_tolerance() {
    let f = s53_fixture();
    for extra in [&[][..], &["--tolerance", "0"][..]] {
        let m = f.match_json("2024-03-31", extra);
        assert!(!note_codes(payment(&m, "53")).contains(&"rounding_written_off".to_string()));
        let r = f.report_json("2024-03-31", extra);
        let row = row(&r, VEKTOR);
        let inv = invoice(row, "5");
        assert_eq!(inv["outstanding"], "0.67", "{extra:?}");
        assert_eq!(inv["paid"], "12345.00", "{extra:?}");
        assert_eq!(inv["days_overdue"], 21, "{extra:?}");
        assert_eq!(row["written_off"], "0.00", "{extra:?}");
        assert_eq!(row["outstanding"], "1000.67", "{extra:?}");
        assert_eq!(row["buckets"]["1-30"], "0.67", "{extra:?}");
    }
}

/// S56: "Payment 100.00 split pro rata over three invoices of 33 333.33, 33 333.33 and
/// 33 333.34 → allocations 33.33, 33.33 and 33.34 (largest remainder). The sum must equal
/// exactly 100.00."
#[test]
fn s56_pro_rata_rounding_by_largest_remainder() {
    let f = world(
        &[
            ("61", "01.03.2024", "10.03.2024", POLUS, "33 333,33"),
            ("62", "01.03.2024", "10.03.2024", POLUS, "33 333,33"),
            ("63", "01.03.2024", "10.03.2024", POLUS, "33 333,34"),
        ],
        &[Pay::from(
            POLUS,
            "56",
            "15.03.2024",
            "100.00",
            "Оплата за товар",
        )],
    );
    let m = f.match_json("2024-03-31", &[]);
    let p = payment(&m, "56");
    assert_eq!(
        allocations(p),
        vec![
            alloc("61", "33.33", "pro-rata"),
            alloc("62", "33.33", "pro-rata"),
            alloc("63", "33.34", "pro-rata"),
        ]
    );
    assert_eq!(p["applied"], "100.00");
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, POLUS);
    assert_eq!(invoice(row, "61")["outstanding"], "33300.00");
    assert_eq!(invoice(row, "62")["outstanding"], "33300.00");
    assert_eq!(invoice(row, "63")["outstanding"], "33300.00");
    assert_eq!(row["paid"], "100.00");
    assert_eq!(row["outstanding"], "99900.00");
}

// ---------------------------------------------------------------------------
// H. Report integrity
// ---------------------------------------------------------------------------

/// S57: "Customer: invoice 10 000.00 not yet due, invoice 20 000.00 overdue by 40 days,
/// unapplied advance 5 000.00 (from another payment). Row: не наступил 10 000.00; 31–60
/// 20 000.00; аванс −5 000.00; net 25 000.00."
#[test]
fn s57_buckets_add_up_with_an_advance() {
    let f = world(
        &[
            ("1", "01.02.2024", "20.02.2024", ROMASHKA, "20 000,00"),
            ("2", "25.03.2024", "15.04.2024", ROMASHKA, "10 000,00"),
        ],
        &[Pay::from(
            ROMASHKA,
            "57",
            "28.03.2024",
            "5000.00",
            "Предоплата по счету № 3",
        )],
    );
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, ROMASHKA);
    assert_eq!(row["outstanding"], "30000.00");
    assert_eq!(row["advance"], "5000.00");
    assert_eq!(row["net"], "25000.00");
    let b = &row["buckets"];
    assert_eq!(b["not_due"], "10000.00");
    assert_eq!(b["1-30"], "0.00");
    assert_eq!(b["31-60"], "20000.00");
    assert_eq!(b["61-90"], "0.00");
    assert_eq!(b["91-120"], "0.00");
    assert_eq!(b["121+"], "0.00");
    assert_eq!(row["max_days_overdue"], 40);
    assert_eq!(invoice(row, "1")["days_overdue"], 40);
    assert_eq!(r["totals"]["net"], "25000.00");
}
