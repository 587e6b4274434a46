//! The reconciliation engine against `behaviours.md` §5 A–D and G: the cases
//! `behaviours.rs` does not cover yet, run through the real binary with the option names
//! the CLI has.

use crate::support::*;
use serde_json::Value;

// ---------------------------------------------------------------------------
// Parties of these fixtures (checksum-valid INNs unless stated).
// ---------------------------------------------------------------------------

/// ООО «Альфа», a customer paying for another one (S26).
const ALFA: &str = "7708123450";
/// A fifth company customer.
const LESNOY: &str = "7709123460";
/// ПАО ГАЗПРОМ НЕФТЬ, the payer of the real-world purpose in S17.
const GPN: &str = "5504036333";
/// ПАО Сбербанк (the same INN as `ROMASHKA`: the fixtures borrowed it).
const SBERBANK: &str = "7707083893";
/// Two individual entrepreneurs of the same name (12-digit INNs).
const IVANOV_A: &str = "771234567859";
const IVANOV_B: &str = "500345678979";
/// `ROMASHKA` with a wrong control digit.
const BAD_INN: &str = "7707083894";

// ---------------------------------------------------------------------------
// Reading the `match` log and the register.
// ---------------------------------------------------------------------------

fn payments(m: &Value) -> &Vec<Value> {
    m["payments"].as_array().expect("payments")
}

/// The payment with this number in a `match` log (the only one with it).
fn payment<'a>(m: &'a Value, number: &str) -> &'a Value {
    let found: Vec<&Value> = payments(m)
        .iter()
        .filter(|p| p["number"] == number)
        .collect();
    assert_eq!(found.len(), 1, "payment {number} once in {m:#}");
    found[0]
}

/// Allocations as (invoice, amount, rule).
fn allocations(p: &Value) -> Vec<(String, String, String)> {
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

fn note_codes(p: &Value) -> Vec<String> {
    p["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_string())
        .collect()
}

fn has_note(p: &Value, code: &str) -> bool {
    note_codes(p).iter().any(|c| c == code)
}

/// The numbers of the references of kind `invoice` a purpose gave.
fn invoice_refs(p: &Value) -> Vec<String> {
    p["references"]
        .as_array()
        .expect("references")
        .iter()
        .filter(|r| r["kind"] == "invoice")
        .map(|r| r["number"].as_str().unwrap().to_string())
        .collect()
}

/// The numbers of the payments a `match` log puts in `review`.
fn review_numbers(m: &Value) -> Vec<String> {
    let mut v: Vec<String> = m["review"]
        .as_array()
        .expect("review")
        .iter()
        .map(|p| p["number"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// Money as kopecks, for sums.
fn kopecks(v: &Value) -> i64 {
    let s = v.as_str().unwrap_or_else(|| panic!("money expected: {v}"));
    let (int, frac) = s.split_once('.').expect("two decimals");
    let sign = if int.starts_with('-') { -1 } else { 1 };
    let int: i64 = int.trim_start_matches('-').parse().expect("integer part");
    let frac: i64 = frac.parse().expect("kopecks");
    sign * (int * 100 + frac)
}

fn assert_no_bucket(row: &Value) {
    for (k, v) in row["buckets"].as_object().expect("buckets") {
        assert_eq!(v, "0.00", "bucket {k} in {row:#}");
    }
}

/// All rows of a counterparty (one per currency, or per contract).
fn rows_of<'a>(r: &'a Value, inn: &str) -> Vec<&'a Value> {
    r["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter(|x| x["inn"] == inn)
        .collect()
}

/// The row of a counterparty in a currency.
fn row_in<'a>(r: &'a Value, inn: &str, currency: &str) -> &'a Value {
    rows_of(r, inn)
        .into_iter()
        .find(|x| x["currency"] == currency)
        .unwrap_or_else(|| panic!("no {currency} row for INN {inn} in {r:#}"))
}

/// The open invoice with this number and date (ISO) in a row.
fn invoice_dated<'a>(row: &'a Value, number: &str, date: &str) -> Option<&'a Value> {
    row["invoices"]
        .as_array()
        .expect("invoices")
        .iter()
        .find(|i| i["number"] == number && i["date"] == date)
}

/// A run of the binary on a folder, whatever its exit code.
fn run(f: &Fixture, command: &str, as_of: &str, args: &[&str]) -> std::process::Output {
    sverka()
        .arg(command)
        .arg(f.path())
        .args(["--as-of", as_of])
        .args(args)
        .output()
        .expect("run sverka")
}

/// The register as text in some format (CSV for a spreadsheet).
fn report_text(f: &Fixture, as_of: &str, args: &[&str]) -> String {
    let out = run(f, "report", as_of, args);
    assert!(
        out.status.success(),
        "sverka failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path_arg(p: &std::path::Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// A statement whose payer (of every incoming document from `inn`) states this KPP.
fn with_payer_kpp(statement: &str, inn: &str, kpp: &str) -> String {
    statement.replace(
        &format!("ПлательщикИНН={inn}\r\n"),
        &format!("ПлательщикИНН={inn}\r\nПлательщикКПП={kpp}\r\n"),
    )
}

/// Exchange rates in a folder of their own (not an input of the run).
fn rates_file(side: &Fixture, rows: &str) -> std::path::PathBuf {
    side.utf8("rates.csv", &format!("Дата;Валюта;Курс\n{rows}"))
}

// ---------------------------------------------------------------------------
// A. Allocation and aging
// ---------------------------------------------------------------------------

/// S04: "Invoice 10 000.00 dated 30.11.2023 due 28.02.2024. Partials: 1 500.00 on
/// 09.11.2023 (an advance, before the invoice), 1 000.00 on 30.11.2023, 2 000.00 on
/// 30.01.2024. As of 04.04.2024: outstanding 5 500.00, age 36 → 31–60 = 5 500.00. …
/// The 09.11 advance must be applied when the invoice appears, not lost."
#[test]
fn s04_several_partials_crossing_buckets() {
    let f = world(
        &[("4", "30.11.2023", "28.02.2024", GRANIT, "10 000,00")],
        &[
            Pay::from(GRANIT, "41", "09.11.2023", "1500.00", "Предоплата за товар"),
            Pay::from(GRANIT, "42", "30.11.2023", "1000.00", "Оплата за товар"),
            Pay::from(GRANIT, "43", "30.01.2024", "2000.00", "Оплата за товар"),
        ],
    );
    // Before the invoice exists the money is an advance.
    let r = f.report_json("2023-11-15", &[]);
    let early = row(&r, GRANIT);
    assert_eq!(early["advance"], "1500.00");
    assert_eq!(early["outstanding"], "0.00");
    assert_eq!(early["net"], "-1500.00");

    // Not due yet at the end of January.
    let r = f.report_json("2024-01-31", &[]);
    let jan = row(&r, GRANIT);
    assert_eq!(jan["outstanding"], "5500.00");
    assert_eq!(jan["advance"], "0.00");
    assert_only_bucket(jan, "not_due", "5500.00");

    let r = f.report_json("2024-04-04", &[]);
    let row = row(&r, GRANIT);
    assert_eq!(row["outstanding"], "5500.00");
    assert_eq!(row["paid"], "4500.00");
    assert_eq!(row["advance"], "0.00");
    assert_only_bucket(row, "31-60", "5500.00");
    let inv = invoice(row, "4");
    assert_eq!(inv["days_overdue"], 36);
    assert_eq!(inv["bucket"], "31-60");
    assert_eq!(inv["paid"], "4500.00");

    let m = f.match_json("2024-04-04", &[]);
    let advance = payment(&m, "41");
    assert_eq!(allocations(advance), vec![alloc("4", "1500.00", "advance")]);
    assert_eq!(advance["allocations"][0]["date"], "2023-11-30");
    assert_eq!(advance["advance"], "0.00");
    assert_eq!(
        allocations(payment(&m, "42")),
        vec![alloc("4", "1000.00", "due-date")]
    );
    assert_eq!(
        allocations(payment(&m, "43")),
        vec![alloc("4", "2000.00", "due-date")]
    );
}

fn s10_fixture() -> Fixture {
    world(
        &[
            // Not named by the payment, due first.
            ("40", "01.02.2024", "10.02.2024", VEKTOR, "8 000,00"),
            ("45", "05.02.2024", "05.03.2024", VEKTOR, "10 000,00"),
            ("46", "05.02.2024", "05.03.2024", VEKTOR, "15 500,50"),
            ("47", "05.02.2024", "05.03.2024", VEKTOR, "4 499,50"),
        ],
        &[Pay::from(
            VEKTOR,
            "8",
            "04.03.2024",
            "31000.00",
            "сч.45,46,47",
        )],
    )
}

/// S10: "Payment 31 000.00 'сч.45,46,47' → all closed, advance 1 000.00. The surplus must
/// not be applied silently to an unreferenced invoice №40 unless `--apply-surplus=fifo`
/// is set." With `--apply-surplus fifo` the surplus pays №40.
#[test]
fn s10_surplus_pays_other_invoices_with_apply_surplus_fifo() {
    let f = s10_fixture();
    let named = vec![
        alloc("45", "10000.00", "reference"),
        alloc("46", "15500.50", "reference"),
        alloc("47", "4499.50", "reference"),
    ];
    // By default the surplus stays an advance and №40 is untouched.
    for extra in [&[][..], &["--apply-surplus", "advance"][..]] {
        let m = f.match_json("2024-03-10", extra);
        let p = payment(&m, "8");
        assert_eq!(allocations(p), named, "{extra:?}");
        assert_eq!(p["advance"], "1000.00", "{extra:?}");
        let r = f.report_json("2024-03-10", extra);
        let row = row(&r, VEKTOR);
        assert_eq!(invoice(row, "40")["outstanding"], "8000.00", "{extra:?}");
        assert_eq!(row["advance"], "1000.00", "{extra:?}");
    }

    let m = f.match_json("2024-03-10", &["--apply-surplus", "fifo"]);
    let p = payment(&m, "8");
    let mut with_40 = named.clone();
    with_40.push(alloc("40", "1000.00", "due-date"));
    assert_eq!(allocations(p), with_40);
    assert_eq!(p["advance"], "0.00");
    assert_eq!(p["applied"], "31000.00");
    let r = f.report_json("2024-03-10", &["--apply-surplus", "fifo"]);
    let row = row(&r, VEKTOR);
    for n in ["45", "46", "47"] {
        assert!(!is_open(row, n), "{n} still open");
    }
    let inv40 = invoice(row, "40");
    assert_eq!(inv40["paid"], "1000.00");
    assert_eq!(inv40["outstanding"], "7000.00");
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["outstanding"], "7000.00");
    assert_eq!(row["net"], "7000.00");
}

// ---------------------------------------------------------------------------
// B. Invoice references in purposes
// ---------------------------------------------------------------------------

/// S15: "'сч.45,46,47' → {45, 46, 47}. 'по счетам №№ 45-47' → {45, 46, 47}. 'сч 45 и 47'
/// → {45, 47}. '45;46' → {45, 46} only if the word 'сч…' precedes them."
#[test]
fn s15_lists_ranges_and_plural_signs() {
    let cases: [(&str, &str, &str, &[&str]); 5] = [
        (
            ROMASHKA,
            "3000.00",
            "Оплата по сч.45,46,47",
            &["45", "46", "47"],
        ),
        (
            VEKTOR,
            "3000.00",
            "Оплата по счетам №№ 45-47",
            &["45", "46", "47"],
        ),
        (GRANIT, "2000.00", "Оплата сч 45 и 47", &["45", "47"]),
        (LESNOY, "2000.00", "Оплата по сч 45;46", &["45", "46"]),
        (POLUS, "2000.00", "Оплата 45;46", &[]),
    ];
    let mut rows = Vec::new();
    for (inn, ..) in &cases {
        // №44 is due first: a payment that names nothing goes there.
        rows.push(("44", "20.02.2024", "01.03.2024", *inn, "5 000,00"));
        for n in ["45", "46", "47"] {
            rows.push((n, "01.03.2024", "10.03.2024", *inn, "1 000,00"));
        }
    }
    let pays: Vec<Pay> = cases
        .iter()
        .enumerate()
        .map(|(k, (inn, amount, purpose, _))| {
            Pay::from(inn, &format!("15{k}"), "12.03.2024", amount, purpose)
        })
        .collect();
    let f = world(&rows, &pays);
    let m = f.match_json("2024-03-15", &[]);
    let r = f.report_json("2024-03-15", &[]);
    for (k, (inn, amount, purpose, named)) in cases.iter().enumerate() {
        let p = payment(&m, &format!("15{k}"));
        let row = row(&r, inn);
        if named.is_empty() {
            assert!(invoice_refs(p).is_empty(), "{purpose:?}: {p:#}");
            assert_eq!(
                allocations(p),
                vec![alloc("44", amount, "due-date")],
                "{purpose:?}"
            );
            for n in ["45", "46", "47"] {
                assert_eq!(invoice(row, n)["paid"], "0.00", "{purpose:?}: {n}");
            }
            continue;
        }
        assert_eq!(invoice_refs(p), *named, "{purpose:?}");
        let want: Vec<_> = named
            .iter()
            .map(|n| alloc(n, "1000.00", "reference"))
            .collect();
        assert_eq!(allocations(p), want, "{purpose:?}");
        assert_eq!(p["advance"], "0.00", "{purpose:?}");
        for n in ["45", "46", "47"] {
            assert_eq!(!is_open(row, n), named.contains(&n), "{purpose:?}: {n}");
        }
        assert_eq!(invoice(row, "44")["paid"], "0.00", "{purpose:?}");
    }
}

/// S16: "The parser must recognise the document type, then map it through the linkage in
/// the 1C export or flag it 'тип документа не счёт': 'счет-фактура № 45 от 12.03.2024',
/// 'с/ф 45', 'сч/ф 45', 'сч.-ф. 45' → sales-invoice (СФ) number 45 …; 'УПД № 45', 'по
/// накладной ТОРГ-12 № 45', 'по акту 45'." With no invoice 45 of the customer: the note
/// `not_an_invoice`, and the payment goes by due date.
#[test]
fn s16_document_types_other_than_invoices_are_flagged() {
    let cases = [
        (
            "счет-фактура № 45 от 12.03.2024",
            "tax_invoice",
            Some("2024-03-12"),
        ),
        ("с/ф 45", "tax_invoice", None),
        ("сч/ф 45", "tax_invoice", None),
        ("сч.-ф. 45", "tax_invoice", None),
        ("УПД № 45", "upd", None),
        ("по накладной ТОРГ-12 № 45", "waybill", None),
        ("по акту 45", "act", None),
    ];
    let pays: Vec<Pay> = cases
        .iter()
        .enumerate()
        .map(|(k, (purpose, ..))| {
            Pay::from(VEKTOR, &format!("16{k}"), "12.03.2024", "1000.00", purpose)
        })
        .collect();
    let f = world(
        &[
            ("101", "01.02.2024", "01.03.2024", VEKTOR, "1 000 000,00"),
            ("102", "01.02.2024", "20.03.2024", VEKTOR, "5 000,00"),
        ],
        &pays,
    );
    let m = f.match_json("2024-03-15", &[]);
    for (k, (purpose, kind, date)) in cases.iter().enumerate() {
        let p = payment(&m, &format!("16{k}"));
        let refs = p["references"].as_array().expect("references");
        assert_eq!(refs.len(), 1, "{purpose:?}: {p:#}");
        assert_eq!(refs[0]["kind"], *kind, "{purpose:?}");
        assert_eq!(refs[0]["number"], "45", "{purpose:?}");
        assert_eq!(
            refs[0]["date"],
            date.map_or(Value::Null, |d| Value::String(d.into())),
            "{purpose:?}"
        );
        assert!(has_note(p, "not_an_invoice"), "{purpose:?}: {p:#}");
        assert_eq!(
            allocations(p),
            vec![alloc("101", "1000.00", "due-date")],
            "{purpose:?}"
        );
        assert_eq!(p["advance"], "0.00", "{purpose:?}");
    }
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, VEKTOR);
    assert_eq!(invoice(row, "101")["paid"], "7000.00");
    assert_eq!(invoice(row, "102")["paid"], "0.00");
    assert_eq!(row["advance"], "0.00");
}

/// S17: "'Оплата по договору № 45/2023 от 01.02.2023 за март' → no invoice reference
/// (contract 45/2023). Fall back to FIFO."
#[test]
fn s17_contract_number_is_not_an_invoice() {
    let f = world(
        &[
            ("30", "01.02.2024", "01.03.2024", POLUS, "7 000,00"),
            ("45", "01.03.2024", "01.04.2024", POLUS, "10 000,00"),
        ],
        &[Pay::from(
            POLUS,
            "17",
            "15.03.2024",
            "12000.00",
            "Оплата по договору № 45/2023 от 01.02.2023 за март",
        )],
    );
    let m = f.match_json("2024-03-15", &[]);
    let p = payment(&m, "17");
    assert!(invoice_refs(p).is_empty(), "{p:#}");
    assert!(!has_note(p, "unknown_invoice"), "{p:#}");
    assert_eq!(
        allocations(p),
        vec![
            alloc("30", "7000.00", "due-date"),
            alloc("45", "5000.00", "due-date")
        ]
    );
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, POLUS);
    assert!(!is_open(row, "30"));
    assert_eq!(invoice(row, "45")["outstanding"], "5000.00");
}

/// S17: "Real-world example (asm1th/H2H): 'Предоплата по дог.
/// ГПН-18/39000/03564/Р/64537-2018-174 от 29.12.2018 по сч 19-685 от 14.10.2019 … В т.ч.НДС(20%)
/// 5.616.666,67=' → invoice '19-685' dated 14.10.2019. The contract digits and the VAT
/// amount '5.616.666,67' must be ignored."
#[test]
fn s17_real_world_purpose_names_invoice_19_685() {
    let purpose = "Предоплата по дог. ГПН-18/39000/03564/Р/64537-2018-174 от 29.12.2018 по сч 19-685 \
                   от 14.10.2019 по отгр. по РФ в 3 декаде октября 2019г. В т.ч.НДС(20%) 5.616.666,67=";
    let f = world(
        &[
            // Decoys: the number's core, contract digits, VAT digits; №685 is due first.
            ("685", "01.10.2019", "10.10.2019", GPN, "33 700 000,00"),
            ("174", "01.10.2019", "10.10.2019", GPN, "1 000,00"),
            ("18", "01.10.2019", "10.10.2019", GPN, "1 000,00"),
            ("2018", "01.10.2019", "10.10.2019", GPN, "1 000,00"),
            ("666", "01.10.2019", "10.10.2019", GPN, "1 000,00"),
            ("19-685", "14.10.2019", "24.10.2019", GPN, "33 700 000,00"),
        ],
        &[Pay::from(GPN, "2946", "18.10.2019", "33700000.00", purpose).name("ПАО ГАЗПРОМ НЕФТЬ")],
    );
    let m = f.match_json("2019-10-31", &[]);
    let p = payment(&m, "2946");
    let refs: Vec<(String, Value)> = p["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "invoice")
        .map(|r| (r["number"].as_str().unwrap().to_string(), r["date"].clone()))
        .collect();
    assert_eq!(
        refs,
        vec![("19-685".to_string(), Value::String("2019-10-14".into()))]
    );
    assert_eq!(
        allocations(p),
        vec![alloc("19-685", "33700000.00", "reference")]
    );
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2019-10-31", &[]);
    let row = row(&r, GPN);
    assert!(!is_open(row, "19-685"));
    for n in ["685", "174", "18", "2018", "666"] {
        assert_eq!(invoice(row, n)["paid"], "0.00", "invoice {n}");
    }
}

/// S19: "Invoices stored as '00БП-000045', 'ТД00-000045' … Purpose 'по сч 45' → matches
/// on numeric core 45 only within the payer's invoices. Two candidates with the same
/// core → pick by amount, else flag ambiguous."
#[test]
fn s19_1c_prefixes_pick_by_amount_else_ambiguous() {
    let f = world(
        &[
            ("44", "20.02.2024", "01.03.2024", ROMASHKA, "3 000,00"),
            (
                "00БП-000045",
                "01.03.2024",
                "10.03.2024",
                ROMASHKA,
                "10 000,00",
            ),
            (
                "ТД00-000045",
                "02.03.2024",
                "12.03.2024",
                ROMASHKA,
                "12 000,00",
            ),
            // Another customer's invoice with the same core and amount.
            ("УТ-45", "01.03.2024", "10.03.2024", VEKTOR, "12 000,00"),
        ],
        &[
            Pay::from(ROMASHKA, "191", "15.03.2024", "12000.00", "Оплата по сч 45"),
            Pay::from(ROMASHKA, "192", "16.03.2024", "5000.00", "по сч 45"),
        ],
    );
    let m = f.match_json("2024-03-20", &[]);
    let by_amount = payment(&m, "191");
    assert_eq!(
        allocations(by_amount),
        vec![alloc("ТД00-000045", "12000.00", "reference")]
    );
    assert!(!has_note(by_amount, "ambiguous_reference"));
    let ambiguous = payment(&m, "192");
    assert!(allocations(ambiguous).is_empty(), "{ambiguous:#}");
    assert_eq!(ambiguous["advance"], "5000.00");
    assert!(has_note(ambiguous, "ambiguous_reference"), "{ambiguous:#}");
    assert_eq!(review_numbers(&m), vec!["192"]);

    let r = f.report_json("2024-03-20", &[]);
    let row = row(&r, ROMASHKA);
    assert!(!is_open(row, "ТД00-000045"));
    assert_eq!(invoice(row, "00БП-000045")["paid"], "0.00");
    assert_eq!(invoice(row, "44")["paid"], "0.00");
    assert_eq!(row["advance"], "5000.00");
    let other = crate::support::row(&r, VEKTOR);
    assert_eq!(invoice(other, "УТ-45")["paid"], "0.00");
    assert_eq!(invoice(other, "УТ-45")["outstanding"], "12000.00");
}

/// The S20 customer: №45 of 15.01.2023 (5 000.00) and №45 of 12.03.2024 (12 000.00), both
/// open, and one payment.
fn s20_fixture(amount: &str, purpose: &str) -> Fixture {
    world(
        &[
            ("45", "15.01.2023", "25.01.2023", LESNOY, "5 000,00"),
            ("45", "12.03.2024", "22.03.2024", LESNOY, "12 000,00"),
        ],
        &[Pay::from(LESNOY, "20", "20.03.2024", amount, purpose)],
    )
}

/// Checks which №45 the S20 payment paid by what each still owes: `left_2023`,
/// `left_2024`, `None` for a closed one (only open invoices are listed).
fn s20_check(f: &Fixture, extra: &[&str], left_2023: Option<&str>, left_2024: Option<&str>) {
    let r = f.report_json("2024-03-20", extra);
    let row = row(&r, LESNOY);
    let old = invoice_dated(row, "45", "2023-01-15");
    let new = invoice_dated(row, "45", "2024-03-12");
    assert_eq!(
        old.map(|i| i["outstanding"].as_str().unwrap()),
        left_2023,
        "2023 invoice in {row:#}"
    );
    assert_eq!(
        new.map(|i| i["outstanding"].as_str().unwrap()),
        left_2024,
        "2024 invoice in {row:#}"
    );
}

/// S20: "12 000.00 'по сч 45 от 12.03.24' → the 2024 invoice."
#[test]
fn s20_number_reuse_dated_reference_takes_that_year() {
    let f = s20_fixture("12000.00", "Оплата по сч 45 от 12.03.24");
    let m = f.match_json("2024-03-20", &[]);
    let p = payment(&m, "20");
    assert_eq!(allocations(p), vec![alloc("45", "12000.00", "reference")]);
    assert_eq!(p["advance"], "0.00");
    s20_check(&f, &[], Some("5000.00"), None);
}

/// S20: "12 000.00 'по сч 45' (no date) → the 2024 invoice (amount tie-break)."
#[test]
fn s20_number_reuse_amount_breaks_the_tie() {
    let f = s20_fixture("12000.00", "Оплата по сч 45");
    let m = f.match_json("2024-03-20", &[]);
    let p = payment(&m, "20");
    assert_eq!(allocations(p), vec![alloc("45", "12000.00", "reference")]);
    assert!(!has_note(p, "ambiguous_reference"), "{p:#}");
    s20_check(&f, &[], Some("5000.00"), None);
}

/// S20: "5 000.00 'по сч 45' → the 2023 invoice."
#[test]
fn s20_number_reuse_amount_of_the_older_invoice() {
    let f = s20_fixture("5000.00", "Оплата по сч 45");
    let m = f.match_json("2024-03-20", &[]);
    let p = payment(&m, "20");
    assert_eq!(allocations(p), vec![alloc("45", "5000.00", "reference")]);
    s20_check(&f, &[], None, Some("12000.00"));
}

/// S20: "3 000.00 'по сч 45' → ambiguous: apply to the older one only if
/// `--ambiguous=oldest`; the default is the review queue."
#[test]
fn s20_number_reuse_ambiguous_goes_to_review_or_oldest() {
    let f = s20_fixture("3000.00", "Оплата по сч 45");
    for extra in [&[][..], &["--ambiguous", "review"][..]] {
        let m = f.match_json("2024-03-20", extra);
        let p = payment(&m, "20");
        assert!(allocations(p).is_empty(), "{extra:?}: {p:#}");
        assert_eq!(p["advance"], "3000.00", "{extra:?}");
        assert!(has_note(p, "ambiguous_reference"), "{extra:?}: {p:#}");
        assert_eq!(review_numbers(&m), vec!["20"], "{extra:?}");
        s20_check(&f, extra, Some("5000.00"), Some("12000.00"));
        let r = f.report_json("2024-03-20", extra);
        assert_eq!(row(&r, LESNOY)["advance"], "3000.00", "{extra:?}");
    }
    let oldest = ["--ambiguous", "oldest"];
    let m = f.match_json("2024-03-20", &oldest);
    let p = payment(&m, "20");
    assert_eq!(allocations(p), vec![alloc("45", "3000.00", "reference")]);
    assert_eq!(p["advance"], "0.00");
    assert!(has_note(p, "ambiguous_took_oldest"), "{p:#}");
    s20_check(&f, &oldest, Some("2000.00"), Some("12000.00"));
    let r = f.report_json("2024-03-20", &oldest);
    assert_eq!(row(&r, LESNOY)["advance"], "0.00");
}

/// S21: "All of these → 45: 'сч.N45', 'сч. No 45', 'счет #45', 'сч.№45', 'СЧ № 45'; with
/// Latin 'C'/'c' mixed into 'cч'; with a non-breaking space."
#[test]
fn s21_lookalike_characters_and_spacing() {
    let purposes = [
        "Оплата по сч.N45",
        "Оплата по сч. No 45",
        "Оплата по счет #45",
        "Оплата по сч.№45",
        "ОПЛАТА ПО СЧ № 45",
        "Оплата по cч 45",                // Latin c
        "Оплата по Cч. 45",               // Latin C
        "Оплата по сч.\u{a0}45",          // NBSP
        "Оплата по счету\u{a0}№\u{a0}45", // NBSP around the sign
    ];
    let pays: Vec<Pay> = purposes
        .iter()
        .enumerate()
        .map(|(k, purpose)| Pay::from(GRANIT, &format!("21{k}"), "15.03.2024", "1000.00", purpose))
        .collect();
    let f = world(
        &[
            ("44", "01.02.2024", "01.03.2024", GRANIT, "1 000 000,00"),
            ("45", "01.03.2024", "20.03.2024", GRANIT, "1 000 000,00"),
        ],
        &pays,
    );
    let m = f.match_json("2024-03-15", &[]);
    for (k, purpose) in purposes.iter().enumerate() {
        let p = payment(&m, &format!("21{k}"));
        assert_eq!(p["purpose"], *purpose, "read as written");
        assert_eq!(invoice_refs(p), vec!["45"], "{purpose:?}: {p:#}");
        assert_eq!(
            allocations(p),
            vec![alloc("45", "1000.00", "reference")],
            "{purpose:?}"
        );
    }
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, GRANIT);
    assert_eq!(invoice(row, "45")["paid"], "9000.00");
    assert_eq!(invoice(row, "44")["paid"], "0.00");
}

/// S22: "'…оплата по сч. 41, 42, 43, 44, 4' (cut off) → {41, 42, 43, 44}. The trailing '4'
/// must be ignored, because it is the last token of a text exactly at the length limit."
#[test]
fn s22_truncated_purpose_drops_the_cut_token() {
    let tail = "оплата по сч. 41, 42, 43, 44, 4";
    let head: String = "Поставка строительных материалов и оборудования, доставка на объект. "
        .repeat(5)
        .chars()
        .take(210 - tail.chars().count() - 1)
        .collect();
    let purpose = format!("{head} {tail}");
    assert_eq!(purpose.chars().count(), 210);
    let mut rows = vec![("4", "01.02.2024", "01.03.2024", VEKTOR, "1 000,00")];
    for n in ["41", "42", "43", "44"] {
        rows.push((n, "01.03.2024", "20.03.2024", VEKTOR, "1 000,00"));
    }
    let f = world(
        &rows,
        &[Pay::from(VEKTOR, "22", "15.03.2024", "4000.00", &purpose)],
    );
    let m = f.match_json("2024-03-15", &[]);
    let p = payment(&m, "22");
    assert_eq!(p["purpose"].as_str().unwrap().chars().count(), 210);
    assert_eq!(invoice_refs(p), vec!["41", "42", "43", "44"]);
    assert_eq!(
        allocations(p),
        ["41", "42", "43", "44"]
            .iter()
            .map(|n| alloc(n, "1000.00", "reference"))
            .collect::<Vec<_>>()
    );
    assert!(!has_note(p, "unknown_invoice"), "{p:#}");
    let r = f.report_json("2024-03-15", &[]);
    let row = row(&r, VEKTOR);
    for n in ["41", "42", "43", "44"] {
        assert!(!is_open(row, n), "{n} still open");
    }
    assert_eq!(invoice(row, "4")["paid"], "0.00");
    assert_eq!(invoice(row, "4")["outstanding"], "1000.00");
}

// ---------------------------------------------------------------------------
// C. Party identification
// ---------------------------------------------------------------------------

/// The account Ромашка pays from in these fixtures.
fn romashka_account() -> String {
    Pay::from(ROMASHKA, "0", "01.01.2024", "1.00", "").account
}

fn s24_fixture(account: &str) -> Fixture {
    world(
        &[
            ("1", "01.02.2024", "01.03.2024", ROMASHKA, "10 000,00"),
            ("2", "01.03.2024", "20.03.2024", ROMASHKA, "8 000,00"),
        ],
        &[
            Pay::from(
                ROMASHKA,
                "241",
                "05.03.2024",
                "10000.00",
                "Оплата по счету № 1",
            ),
            // The customer's own name, but an INN that fails the checksum.
            Pay::from(BAD_INN, "242", "12.03.2024", "8000.00", "Оплата за товар")
                .name("ООО \"Клиент 7707083893\"")
                .account(account),
        ],
    )
}

/// S24: "Payer INN '7707083894' (invalid control digit; 7707083893 is valid) with a known
/// payer account → party matched by account, flag 'ИНН плательщика некорректен'."
#[test]
fn s24_invalid_inn_with_a_known_account() {
    let f = s24_fixture(&romashka_account());
    let m = f.match_json("2024-03-15", &[]);
    let p = payment(&m, "242");
    assert_eq!(p["unidentified"], false);
    assert_eq!(p["counterparty_inn"], ROMASHKA);
    assert!(has_note(p, "invalid_inn"), "{p:#}");
    assert!(has_note(p, "identified_by_account"), "{p:#}");
    let a = allocations(p);
    assert_eq!(a.len(), 1, "{p:#}");
    assert_eq!((a[0].0.as_str(), a[0].1.as_str()), ("2", "8000.00"));
    let r = f.report_json("2024-03-15", &[]);
    assert!(find_row(&r, BAD_INN).is_none(), "{r:#}");
    assert!(find_row(&r, ROMASHKA).is_none(), "all paid: {r:#}");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
}

/// S24: "Without a known account → 'неопознанное поступление'. Do not create a party and
/// do not name-match."
#[test]
fn s24_invalid_inn_without_a_known_account_is_unidentified() {
    let f = s24_fixture("40702810500000077777");
    let m = f.match_json("2024-03-15", &[]);
    let p = payment(&m, "242");
    assert_eq!(p["unidentified"], true);
    assert_eq!(p["counterparty"], Value::Null);
    assert!(has_note(p, "invalid_inn"), "{p:#}");
    assert!(!has_note(p, "identified_by_account"), "{p:#}");
    assert!(allocations(p).is_empty());
    assert!(review_numbers(&m).contains(&"242".to_string()));
    let r = f.report_json("2024-03-15", &[]);
    assert!(find_row(&r, BAD_INN).is_none(), "{r:#}");
    let u = r["unidentified_payments"].as_array().unwrap();
    assert_eq!(u.len(), 1, "{r:#}");
    assert_eq!(u[0]["number"], "242");
    assert_eq!(u[0]["inn"], BAD_INN);
    assert_eq!(u[0]["amount"], "8000.00");
    let row = row(&r, ROMASHKA);
    assert_eq!(invoice(row, "2")["paid"], "0.00");
    assert_eq!(row["advance"], "0.00");
}

fn s25_fixture() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;КПП;Сумма\r\n\
             25;01.03.2024;10.03.2024;ООО \"Ромашка\" (филиал);{ROMASHKA};544543001;50 000,00\r\n"
        ),
    );
    let text = statement(&[Pay::from(
        ROMASHKA,
        "251",
        "12.03.2024",
        "30000.00",
        "Оплата по счету № 25 от 01.03.2024",
    )
    .name("ООО \"Ромашка\"")]);
    f.cp1251(
        "kl_to_1c.txt",
        &with_payer_kpp(&text, ROMASHKA, "773601001"),
    );
    f
}

/// S25: "Invoices issued to 7707083893/544543001; payment from 7707083893/773601001 → same
/// debtor at INN level (default grouping by INN), with a note."
#[test]
fn s25_other_kpp_is_the_same_debtor_by_default() {
    let f = s25_fixture();
    for extra in [&[][..], &["--group", "inn"][..]] {
        let m = f.match_json("2024-03-15", extra);
        let p = payment(&m, "251");
        assert_eq!(p["counterparty_inn"], ROMASHKA, "{extra:?}");
        assert!(has_note(p, "other_kpp"), "{extra:?}: {p:#}");
        assert_eq!(
            allocations(p),
            vec![alloc("25", "30000.00", "reference")],
            "{extra:?}"
        );
        let r = f.report_json("2024-03-15", extra);
        let rows = rows_of(&r, ROMASHKA);
        assert_eq!(rows.len(), 1, "{extra:?}: {r:#}");
        assert_eq!(rows[0]["outstanding"], "20000.00", "{extra:?}");
        assert_eq!(rows[0]["paid"], "30000.00", "{extra:?}");
        assert_eq!(rows[0]["advance"], "0.00", "{extra:?}");
    }
}

/// S25: "With `--group=inn+kpp`: invoices stay open on the branch and the payment becomes
/// an advance on the head office; the debt report shows both."
#[test]
fn s25_group_by_inn_and_kpp_keeps_branch_and_head_office_apart() {
    let f = s25_fixture();
    let r = f.report_json("2024-03-15", &["--group", "inn+kpp"]);
    let rows = rows_of(&r, ROMASHKA);
    assert_eq!(rows.len(), 2, "{r:#}");
    let branch = rows
        .iter()
        .find(|x| x["kpp"] == "544543001")
        .unwrap_or_else(|| panic!("no branch row in {r:#}"));
    let head = rows
        .iter()
        .find(|x| x["kpp"] == "773601001")
        .unwrap_or_else(|| panic!("no head office row in {r:#}"));
    assert_eq!(branch["outstanding"], "50000.00");
    assert_eq!(branch["paid"], "0.00");
    assert_eq!(branch["advance"], "0.00");
    assert_eq!(invoice(branch, "25")["outstanding"], "50000.00");
    assert_eq!(head["outstanding"], "0.00");
    assert_eq!(head["advance"], "30000.00");
    assert_eq!(head["net"], "-30000.00");
}

/// S26: "Payer INN of ООО «Альфа» (a valid INN in our customer list, no open invoices),
/// purpose 'оплата за ООО «Ромашка» по сч. 45' → applied to Ромашка's №45 with flag
/// 'оплата третьим лицом (Альфа)'. Without an explicit invoice reference → Альфа
/// advance, not Ромашка."
#[test]
fn s26_third_party_payer() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\r\n\
             12;01.02.2024;10.02.2024;ООО «Альфа»;{ALFA};5 000,00\r\n\
             44;01.03.2024;05.03.2024;ООО «Ромашка»;{ROMASHKA};3 000,00\r\n\
             45;01.03.2024;20.03.2024;ООО «Ромашка»;{ROMASHKA};10 000,00\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(ALFA, "260", "08.02.2024", "5000.00", "Оплата по счету № 12")
                .name("ООО «Альфа»"),
            Pay::from(
                ALFA,
                "261",
                "15.03.2024",
                "10000.00",
                "оплата за ООО «Ромашка» по сч. 45",
            )
            .name("ООО «Альфа»"),
            Pay::from(
                ALFA,
                "262",
                "16.03.2024",
                "7000.00",
                "оплата за ООО «Ромашка»",
            )
            .name("ООО «Альфа»"),
        ]),
    );
    let m = f.match_json("2024-03-20", &[]);
    let third = payment(&m, "261");
    assert_eq!(third["counterparty_inn"], ROMASHKA);
    assert!(has_note(third, "third_party"), "{third:#}");
    let message = third["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["code"] == "third_party")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("Альфа"), "{message}");
    assert_eq!(
        allocations(third),
        vec![alloc("45", "10000.00", "reference")]
    );
    let plain = payment(&m, "262");
    assert_eq!(plain["counterparty_inn"], ALFA);
    assert!(!has_note(plain, "third_party"), "{plain:#}");
    assert!(allocations(plain).is_empty(), "{plain:#}");
    assert_eq!(plain["advance"], "7000.00");

    let r = f.report_json("2024-03-20", &[]);
    let romashka = row(&r, ROMASHKA);
    assert!(!is_open(romashka, "45"));
    assert_eq!(invoice(romashka, "44")["paid"], "0.00");
    assert_eq!(romashka["advance"], "0.00");
    let alfa = row(&r, ALFA);
    assert_eq!(alfa["advance"], "7000.00");
    assert_eq!(alfa["outstanding"], "0.00");
}

/// S27: "ИП with a 12-digit INN pays from a personal card: `ПлательщикИНН=0` or empty,
/// name 'ИВАНОВ ИВАН ИВАНОВИЧ'. Treat '0' as missing. Match by purpose reference (invoice
/// → customer) or by a known account; never by name alone when two customers share a name."
#[test]
fn s27_individuals_by_reference_never_by_name() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\r\n\
             31;01.03.2024;10.03.2024;ИП Иванов Иван Иванович;{IVANOV_A};7 000,00\r\n\
             32;01.03.2024;10.03.2024;Иванов Иван Иванович;{IVANOV_B};7 000,00\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(
                "0",
                "271",
                "12.03.2024",
                "7000.00",
                "Оплата по счету № 31 от 01.03.2024",
            )
            .name("ИВАНОВ ИВАН ИВАНОВИЧ")
            .account("40817810099910004312"),
            Pay::from("", "272", "13.03.2024", "7000.00", "Оплата за товар")
                .name("ИВАНОВ ИВАН ИВАНОВИЧ")
                .account("40817810099910004313"),
        ]),
    );
    let m = f.match_json("2024-03-15", &[]);
    let named = payment(&m, "271");
    assert_eq!(named["inn"], Value::Null, "INN 0 is no INN");
    assert_eq!(named["counterparty_inn"], IVANOV_A);
    assert!(has_note(named, "identified_by_reference"), "{named:#}");
    assert_eq!(
        allocations(named),
        vec![alloc("31", "7000.00", "reference")]
    );
    let by_name = payment(&m, "272");
    assert_eq!(by_name["unidentified"], true);
    assert_eq!(by_name["counterparty"], Value::Null);
    assert!(allocations(by_name).is_empty());
    assert!(has_note(by_name, "no_party"), "{by_name:#}");

    let r = f.report_json("2024-03-15", &[]);
    assert!(find_row(&r, IVANOV_A).is_none(), "paid: {r:#}");
    let b = row(&r, IVANOV_B);
    assert_eq!(invoice(b, "32")["paid"], "0.00");
    assert_eq!(b["advance"], "0.00");
    let u = r["unidentified_payments"].as_array().unwrap();
    assert_eq!(u.len(), 1, "{r:#}");
    assert_eq!(u[0]["number"], "272");
    assert_eq!(u[0]["inn"], Value::Null);
    assert_eq!(u[0]["payer"], "ИВАНОВ ИВАН ИВАНОВИЧ");
}

/// S27: "Match … by a known account": the card the ИП paid from before with its INN tells
/// who pays from it with `ПлательщикИНН=0`, although a namesake is also a customer.
#[test]
fn s27_individual_without_inn_by_a_known_card_account() {
    let card = "40817810099910004312";
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\r\n\
             31;01.03.2024;10.03.2024;ИП Иванов Иван Иванович;{IVANOV_A};7 000,00\r\n\
             33;01.03.2024;10.03.2024;ИП Иванов Иван Иванович;{IVANOV_A};2 000,00\r\n\
             32;01.03.2024;10.03.2024;Иванов Иван Иванович;{IVANOV_B};7 000,00\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(
                IVANOV_A,
                "270",
                "05.03.2024",
                "2000.00",
                "Оплата по счету № 33",
            )
            .name("ИВАНОВ ИВАН ИВАНОВИЧ")
            .account(card),
            Pay::from("0", "273", "14.03.2024", "7000.00", "Оплата за товар")
                .name("ИВАНОВ ИВАН ИВАНОВИЧ")
                .account(card),
        ]),
    );
    let m = f.match_json("2024-03-15", &[]);
    let p = payment(&m, "273");
    assert_eq!(p["inn"], Value::Null);
    assert_eq!(p["unidentified"], false);
    assert_eq!(p["counterparty_inn"], IVANOV_A);
    assert!(has_note(p, "identified_by_account"), "{p:#}");
    let a = allocations(p);
    assert_eq!(a.len(), 1, "{p:#}");
    assert_eq!((a[0].0.as_str(), a[0].1.as_str()), ("31", "7000.00"));
    let r = f.report_json("2024-03-15", &[]);
    assert!(find_row(&r, IVANOV_A).is_none(), "paid: {r:#}");
    assert_eq!(invoice(row(&r, IVANOV_B), "32")["paid"], "0.00");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
}

/// S28: "Incoming 98 040.00 from ПАО Сбербанк, purpose 'Зачисление средств по операциям
/// эквайринга… комиссия 1 960.00' → not a debt payment by Сбербанк (the bank must never
/// appear in the debtor register with a credit). Route to 'поступления от агентов'."
#[test]
fn s28_acquiring_payout_is_an_agent_receipt() {
    let purpose = "Зачисление средств по операциям эквайринга. Мерчант №781000123. Дата реестра \
                   14.03.2024. Комиссия 1 960.00. Без НДС";
    let f = world(
        &[("1", "01.03.2024", "10.03.2024", VEKTOR, "98 040,00")],
        &[Pay::from(SBERBANK, "28", "15.03.2024", "98040.00", purpose)
            .name("ПАО Сбербанк")
            .account("30233810000000000001")],
    );
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, SBERBANK).is_none(), "{r:#}");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
    let agents = r["agent_receipts"].as_array().expect("agent_receipts");
    assert_eq!(agents.len(), 1, "{r:#}");
    assert_eq!(agents[0]["number"], "28");
    assert_eq!(agents[0]["amount"], "98040.00");
    assert_eq!(agents[0]["inn"], SBERBANK);
    assert_eq!(agents[0]["payer"], "ПАО Сбербанк");
    assert_eq!(invoice(row(&r, VEKTOR), "1")["paid"], "0.00");
    assert_eq!(r["totals"]["advance"], "0.00");
    let m = f.match_json("2024-03-31", &[]);
    assert!(payments(&m).is_empty(), "not a customer's payment: {m:#}");
}

/// S28: "… or a configured agent rule": `--agents INN` makes the payouts of that INN agent
/// receipts whatever their purpose says.
#[test]
fn s28_configured_agent_inn() {
    let f = world(
        &[("1", "01.03.2024", "10.03.2024", VEKTOR, "5 000,00")],
        &[Pay::from(
            SBERBANK,
            "281",
            "15.03.2024",
            "98040.00",
            "Перечисление средств по реестру № 15 от 14.03.2024",
        )
        .name("ПАО Сбербанк")],
    );
    let r = f.report_json("2024-03-31", &["--agents", SBERBANK]);
    assert!(find_row(&r, SBERBANK).is_none(), "{r:#}");
    let agents = r["agent_receipts"].as_array().expect("agent_receipts");
    assert_eq!(agents.len(), 1, "{r:#}");
    assert_eq!(agents[0]["number"], "281");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
    let m = f.match_json("2024-03-31", &["--agents", SBERBANK]);
    assert!(payments(&m).is_empty(), "{m:#}");
}

fn s29_fixture() -> Fixture {
    world(
        &[
            ("1", "01.02.2024", "10.02.2024", ROMASHKA, "10 000,00"),
            ("2", "01.02.2024", "10.02.2024", VEKTOR, "5 000,00"),
        ],
        &[
            Pay::from(
                ROMASHKA,
                "291",
                "05.02.2024",
                "10000.00",
                "Оплата по счету № 1",
            ),
            // Paid twice: an advance of 10 000.00.
            Pay::from(
                ROMASHKA,
                "292",
                "01.03.2024",
                "10000.00",
                "Оплата по счету № 1",
            ),
            Pay::from(
                VEKTOR,
                "293",
                "05.02.2024",
                "5000.00",
                "Оплата по счету № 2",
            ),
            Pay::from(
                ROMASHKA,
                "294",
                "12.03.2024",
                "10000.00",
                "Возврат излишне перечисленных средств по п/п 292",
            )
            .outgoing(),
            // Вектор had no overpayment.
            Pay::from(
                VEKTOR,
                "295",
                "12.03.2024",
                "10000.00",
                "Возврат излишне перечисленных средств по п/п 123",
            )
            .outgoing(),
            // Our own money between our accounts.
            Pay::from(
                OUR_INN,
                "296",
                "14.03.2024",
                "300000.00",
                "Перевод собственных средств",
            )
            .name("ООО \"Северный ветер\"")
            .account("40702810938000067890"),
        ],
    )
}

/// S29: "Outgoing to a customer 'Возврат излишне перечисленных средств по п/п 123',
/// 10 000.00 → clears that customer's 10 000.00 advance; the balance becomes 0."
#[test]
fn s29_refund_clears_the_advance() {
    let f = s29_fixture();
    let r = f.report_json("2024-03-10", &[]);
    let before = row(&r, ROMASHKA);
    assert_eq!(before["advance"], "10000.00");
    assert_eq!(before["net"], "-10000.00");
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, ROMASHKA).is_none(), "balance 0: {r:#}");
    let m = f.match_json("2024-03-31", &[]);
    let p = payment(&m, "292");
    assert_eq!(allocations(p), vec![alloc("294", "10000.00", "advance")]);
    assert_eq!(p["allocations"][0]["kind"], "refund");
    assert_eq!(p["advance"], "0.00");
}

/// S29: "Outgoing to a customer with no advance → the customer's balance becomes a debt of
/// 10 000.00 flagged 'возврат без переплаты'." In `--by invoice` the refund is a line.
#[test]
fn s29_refund_without_an_advance_is_a_debt() {
    let f = s29_fixture();
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, VEKTOR);
    assert_eq!(row["refunded"], "10000.00");
    assert_eq!(row["outstanding"], "10000.00");
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["net"], "10000.00");
    let debts = row["invoices"].as_array().unwrap();
    assert_eq!(debts.len(), 1, "{row:#}");
    assert_eq!(debts[0]["kind"], "refund");
    assert_eq!(debts[0]["number"], "295");
    assert_eq!(debts[0]["outstanding"], "10000.00");
    assert_eq!(debts[0]["date"], "2024-03-12");
    assert_only_bucket(row, "1-30", "10000.00");

    let csv = report_text(&f, "2024-03-31", &["--format", "csv"]);
    let line = csv
        .lines()
        .find(|l| l.contains(VEKTOR))
        .unwrap_or_else(|| panic!("no Вектор line in {csv}"));
    assert!(line.contains("возврат без переплаты"), "{line}");
    let csv = report_text(&f, "2024-03-31", &["--format", "csv", "--by", "invoice"]);
    let line = csv
        .lines()
        .find(|l| l.contains(VEKTOR) && l.contains("295"))
        .unwrap_or_else(|| panic!("no refund line in {csv}"));
    assert!(line.contains("Возврат денег"), "{line}");
    assert!(line.contains("возврат без переплаты"), "{line}");
}

/// S29: "Incoming from our own account (payer INN = our INN) → skip."
#[test]
fn s29_own_inn_as_payer_is_not_a_receipt() {
    let f = s29_fixture();
    let m = f.match_json("2024-03-31", &[]);
    assert!(payments(&m).iter().all(|p| p["number"] != "296"), "{m:#}");
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, OUR_INN).is_none(), "{r:#}");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
    assert_eq!(r["agent_receipts"], serde_json::json!([]));
}

// ---------------------------------------------------------------------------
// D. Credit notes, returns, settlement level
// ---------------------------------------------------------------------------

fn s30_list(extra_invoice: bool) -> String {
    let mut s = format!(
        "Вид документа;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Основание\r\n\
         Счет на оплату;60;01.03.2024;31.03.2024;Гранит;{GRANIT};60 000,00;\r\n\
         Возврат товаров;В-15;10.03.2024;;Гранит;{GRANIT};15 000,00;60\r\n"
    );
    if extra_invoice {
        s.push_str(&format!(
            "Счет на оплату;61;26.03.2024;30.04.2024;Гранит;{GRANIT};10 000,00;\r\n"
        ));
    }
    s
}

fn s30_fixture(extra_invoice: bool) -> Fixture {
    let f = Fixture::new();
    f.cp1251("list.csv", &s30_list(extra_invoice));
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            GRANIT,
            "301",
            "25.03.2024",
            "45000.00",
            "Оплата по счету № 60",
        )]),
    );
    f
}

/// S30: "Invoice 60 000.00 due 31.03.2024; return (возврат товаров) 15 000.00 on 10.03.2024
/// against it; payment 45 000.00 on 25.03.2024. As of 20.03: not due 45 000.00. As of
/// 26.03: closed. The report shows Invoiced 60 000 / Credit 15 000 / Paid 45 000 /
/// Outstanding 0, not Paid 60 000."
#[test]
fn s30_return_linked_to_the_invoice() {
    let f = s30_fixture(false);
    let r = f.report_json("2024-03-20", &[]);
    let row = row(&r, GRANIT);
    assert_eq!(row["invoiced"], "60000.00");
    assert_eq!(row["credited"], "15000.00");
    assert_eq!(row["paid"], "0.00");
    assert_eq!(row["outstanding"], "45000.00");
    assert_eq!(row["advance"], "0.00");
    assert_only_bucket(row, "not_due", "45000.00");
    let inv = invoice(row, "60");
    assert_eq!(inv["credited"], "15000.00");
    assert_eq!(inv["outstanding"], "45000.00");

    let m = f.match_json("2024-03-26", &[]);
    let credit = &m["credits"][0];
    assert_eq!(credit["invoice"], "60");
    assert_eq!(allocations(credit), vec![alloc("60", "15000.00", "link")]);
    assert_eq!(credit["unapplied"], "0.00");
    let p = payment(&m, "301");
    assert_eq!(allocations(p), vec![alloc("60", "45000.00", "reference")]);
    assert_eq!(p["advance"], "0.00");
    // Closed: a customer with nothing outstanding and no advance has no row.
    let r = f.report_json("2024-03-26", &[]);
    assert!(find_row(&r, GRANIT).is_none(), "{r:#}");
}

/// S30, the register's columns once №60 is closed. A settled customer has no row
/// (docs/json.md), so a later invoice №61 (10 000.00, not due) keeps the row in the
/// register: invoiced 60 000 + 10 000, credited 15 000, paid 45 000 (not 60 000), and only
/// №61 outstanding.
#[test]
fn s30_return_shows_as_credited_not_paid() {
    let f = s30_fixture(true);
    let r = f.report_json("2024-03-26", &[]);
    let row = row(&r, GRANIT);
    assert_eq!(row["invoiced"], "70000.00");
    assert_eq!(row["credited"], "15000.00");
    assert_eq!(row["paid"], "45000.00");
    assert_eq!(row["outstanding"], "10000.00");
    assert_eq!(row["advance"], "0.00");
    assert!(!is_open(row, "60"), "{row:#}");
    assert_eq!(invoice(row, "61")["paid"], "0.00");
    assert_only_bucket(row, "not_due", "10000.00");
}

fn s31_fixture(next_invoice: bool, refund: bool) -> Fixture {
    let f = Fixture::new();
    let mut list = format!(
        "Вид документа;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Основание\r\n\
         Счет на оплату;20;01.02.2024;10.02.2024;Полюс;{POLUS};20 000,00;\r\n\
         Возврат товаров;В-31;01.03.2024;;Полюс;{POLUS};5 000,00;20\r\n"
    );
    if next_invoice {
        list.push_str(&format!(
            "Счет на оплату;21;15.03.2024;25.03.2024;Полюс;{POLUS};8 000,00;\r\n"
        ));
    }
    f.cp1251("list.csv", &list);
    let mut pays = vec![Pay::from(
        POLUS,
        "311",
        "05.02.2024",
        "20000.00",
        "Оплата по счету № 20",
    )];
    if refund {
        pays.push(
            Pay::from(
                POLUS,
                "312",
                "15.03.2024",
                "5000.00",
                "Возврат денежных средств за возвращенный товар по накладной В-31",
            )
            .outgoing(),
        );
    }
    f.cp1251("kl_to_1c.txt", &statement(&pays));
    f
}

/// S31: "Invoice 20 000.00 paid 20 000.00; return of 5 000.00 afterwards → customer credit
/// 5 000.00 ('к возврату/зачёту'), auto-applied to the next invoice (as in S11) or
/// cleared by a refund (S29). Never an invoice with outstanding −5 000 sitting in a bucket."
#[test]
fn s31_return_after_full_payment_is_a_customer_credit() {
    let f = s31_fixture(true, false);
    let r = f.report_json("2024-03-10", &[]);
    let row = row(&r, POLUS);
    assert_eq!(row["outstanding"], "0.00");
    assert_eq!(row["advance"], "5000.00");
    assert_eq!(row["net"], "-5000.00");
    assert_eq!(row["invoices"], serde_json::json!([]));
    assert_no_bucket(row);

    // The next invoice takes the credit.
    let r = f.report_json("2024-03-31", &[]);
    let row = crate::support::row(&r, POLUS);
    let inv = invoice(row, "21");
    assert_eq!(inv["outstanding"], "3000.00");
    assert_eq!(kopecks(&inv["paid"]) + kopecks(&inv["credited"]), 500_000);
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["net"], "3000.00");
    assert_only_bucket(row, "1-30", "3000.00");
}

/// S31: "… or cleared by a refund (S29)."
#[test]
fn s31_customer_credit_cleared_by_a_refund() {
    let f = s31_fixture(false, true);
    let r = f.report_json("2024-03-10", &[]);
    assert_eq!(row(&r, POLUS)["advance"], "5000.00");
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, POLUS).is_none(), "{r:#}");
}

fn s32_fixture() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Вид документа;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\r\n\
             Счет на оплату;60;01.03.2024;01.04.2024;Вектор;{VEKTOR};5 000,00\r\n\
             Счет на оплату;61;05.03.2024;15.04.2024;Вектор;{VEKTOR};4 000,00\r\n\
             Корректировка долга;К-7;20.03.2024;;Вектор;{VEKTOR};7 000,00\r\n"
        ),
    );
    f
}

/// S32: "7 000.00 credit; open invoices №60 (5 000.00, due 01.04) and №61 (4 000.00, due
/// 15.04). Without the flag: a separate 'нераспределённый кредит 7 000.00' and unchanged
/// invoices. … the net customer balance is 2 000.00."
#[test]
fn s32_standalone_credit_waits_by_default() {
    let f = s32_fixture();
    for extra in [&[][..], &["--apply-credits", "later"][..]] {
        let r = f.report_json("2024-03-25", extra);
        let row = row(&r, VEKTOR);
        assert_eq!(row["outstanding"], "9000.00", "{extra:?}");
        assert_eq!(row["advance"], "7000.00", "{extra:?}");
        assert_eq!(row["net"], "2000.00", "{extra:?}");
        assert_eq!(row["credited"], "0.00", "{extra:?}");
        assert_eq!(invoice(row, "60")["outstanding"], "5000.00", "{extra:?}");
        assert_eq!(invoice(row, "61")["outstanding"], "4000.00", "{extra:?}");
        let m = f.match_json("2024-03-25", extra);
        let credit = &m["credits"][0];
        assert_eq!(credit["invoice"], Value::Null, "{extra:?}");
        assert!(allocations(credit).is_empty(), "{extra:?}");
        assert_eq!(credit["unapplied"], "7000.00", "{extra:?}");
    }
}

/// S32: "With `--apply-credits=fifo`: №60 closed, №61 has 2 000.00 remaining. … the net
/// customer balance is 2 000.00."
#[test]
fn s32_standalone_credit_by_due_date_on_request() {
    let f = s32_fixture();
    let fifo = ["--apply-credits", "fifo"];
    let r = f.report_json("2024-03-25", &fifo);
    let row = row(&r, VEKTOR);
    assert!(!is_open(row, "60"), "{row:#}");
    let inv61 = invoice(row, "61");
    assert_eq!(inv61["outstanding"], "2000.00");
    assert_eq!(inv61["credited"], "2000.00");
    assert_eq!(row["credited"], "7000.00");
    assert_eq!(row["outstanding"], "2000.00");
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["net"], "2000.00");
    let m = f.match_json("2024-03-25", &fifo);
    let credit = &m["credits"][0];
    assert_eq!(
        allocations(credit),
        vec![
            alloc("60", "5000.00", "credit"),
            alloc("61", "2000.00", "credit")
        ]
    );
    assert_eq!(credit["unapplied"], "0.00");
}

fn s33_fixture() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100 000,00\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            POLUS,
            "33",
            "15.03.2024",
            "100000.00",
            "оплата по договору №2",
        )]),
    );
    f
}

/// S33: "Invoice under договор №1 for 100 000.00; payment 100 000.00 'оплата по договору
/// №2'. `--level=counterparty`: settled, net 0."
#[test]
fn s33_counterparty_level_settles_across_contracts() {
    let f = s33_fixture();
    for extra in [&[][..], &["--level", "counterparty"][..]] {
        let m = f.match_json("2024-03-31", extra);
        let p = payment(&m, "33");
        let a = allocations(p);
        assert_eq!(a.len(), 1, "{extra:?}: {p:#}");
        assert_eq!((a[0].0.as_str(), a[0].1.as_str()), ("1", "100000.00"));
        assert_eq!(p["advance"], "0.00", "{extra:?}");
        let r = f.report_json("2024-03-31", extra);
        assert!(
            rows_of(&r, POLUS).iter().all(|x| x["net"] == "0.00"),
            "{extra:?}: {r:#}"
        );
        assert_eq!(r["totals"]["net"], "0.00", "{extra:?}");
    }
}

/// S33: "`--level=contract`: debt 100 000.00 on №1 and advance 100 000.00 on №2, both
/// listed."
#[test]
fn s33_contract_level_keeps_contracts_apart() {
    let f = s33_fixture();
    let r = f.report_json("2024-03-31", &["--level", "contract"]);
    let rows = rows_of(&r, POLUS);
    assert_eq!(rows.len(), 2, "{r:#}");
    // The contract as the invoice writes it; a payment-only contract by the number the
    // purpose gives.
    let first = rows
        .iter()
        .find(|x| x["contract"] == "Договор №1")
        .unwrap_or_else(|| panic!("no row for contract 1 in {r:#}"));
    let second = rows
        .iter()
        .find(|x| x["contract"] == "2")
        .unwrap_or_else(|| panic!("no row for contract 2 in {r:#}"));
    assert_eq!(first["outstanding"], "100000.00");
    assert_eq!(first["advance"], "0.00");
    assert_eq!(invoice(first, "1")["contract"], "Договор №1");
    assert_only_bucket(first, "1-30", "100000.00");
    assert_eq!(second["outstanding"], "0.00");
    assert_eq!(second["advance"], "100000.00");
    assert_eq!(second["net"], "-100000.00");
    let m = f.match_json("2024-03-31", &["--level", "contract"]);
    let p = payment(&m, "33");
    assert!(allocations(p).is_empty(), "{p:#}");
    assert_eq!(p["advance"], "100000.00");
}

// ---------------------------------------------------------------------------
// G. Currency and money arithmetic
// ---------------------------------------------------------------------------

fn s50_fixture(second_invoice: bool) -> Fixture {
    let f = Fixture::new();
    let mut list = format!(
        "Вид документа;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Валюта;Назначение платежа\r\n\
         Счет на оплату;50;01.03.2024;10.03.2024;Гранит;{GRANIT};1 000,00;USD;\r\n\
         Поступление;В-501;15.03.2024;;Гранит;{GRANIT};1 000,00;USD;Оплата по счету № 50\r\n"
    );
    if second_invoice {
        list.push_str(&format!(
            "Счет на оплату;51;20.03.2024;30.04.2024;Гранит;{GRANIT};500,00;USD;\r\n"
        ));
    }
    f.cp1251("list.csv", &list);
    f
}

const USD_RATES: &str = "01.03.2024;USD;90\n15.03.2024;USD;92\n";

/// S50: "Invoice 1 000.00 USD at 90.00 (= 90 000.00 RUB); payment 1 000.00 USD received
/// when the rate is 92.00 → closed in USD; the 2 000.00 RUB is an FX difference, not debt
/// and not an advance."
#[test]
fn s50_foreign_currency_invoice_paid_in_its_currency() {
    let f = s50_fixture(false);
    let side = Fixture::new();
    let rates = rates_file(&side, USD_RATES);
    for extra in [&[][..], &["--rates", path_arg(&rates)][..]] {
        let m = f.match_json("2024-03-31", extra);
        let p = payment(&m, "В-501");
        assert_eq!(p["currency"], "USD", "{extra:?}");
        assert_eq!(
            allocations(p),
            vec![alloc("50", "1000.00", "reference")],
            "{extra:?}"
        );
        assert_eq!(p["allocations"][0]["settled"], "1000.00", "{extra:?}");
        assert_eq!(p["advance"], "0.00", "{extra:?}");
        let r = f.report_json("2024-03-31", extra);
        assert!(
            rows_of(&r, GRANIT).is_empty(),
            "no USD debt and no RUB advance: {r:#}"
        );
    }
}

/// S50: "The report shows debt in the document currency (0.00 USD) and in RUB." With a
/// second USD invoice open, the USD row is valued in roubles at the report date's rate.
#[test]
fn s50_debt_in_the_document_currency_and_in_roubles() {
    let f = s50_fixture(true);
    let side = Fixture::new();
    let rates = rates_file(&side, USD_RATES);
    let r = f.report_json("2024-03-31", &["--rates", path_arg(&rates)]);
    let rows = rows_of(&r, GRANIT);
    assert_eq!(rows.len(), 1, "no RUB row: {r:#}");
    let usd = row_in(&r, GRANIT, "USD");
    assert!(!is_open(usd, "50"));
    assert_eq!(usd["outstanding"], "500.00");
    assert_eq!(usd["advance"], "0.00");
    assert_eq!(usd["paid"], "1000.00");
    let v = &usd["valuation"];
    assert_eq!(v["currency"], "RUB");
    assert_eq!(v["rate"], "92");
    assert_eq!(v["rate_of"], "USD");
    assert_eq!(v["outstanding"], "46000.00");
}

fn s51_fixture(amount: &str) -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Валюта\r\n\
             51;01.03.2024;10.03.2024;Полюс;{POLUS};1 000,00;у.е.\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            POLUS,
            "511",
            "15.03.2024",
            amount,
            "Оплата по счету № 51",
        )]),
    );
    f
}

/// S51: "Invoice 1 000.00 у.е. (USD-pegged) at 90.00 = 90 000.00 RUB; payment 92 000.00 RUB
/// on a day when the rate is 92.00 → 1 000.00 у.е. settled; no 2 000.00 RUB advance."
#[test]
fn s51_rouble_payment_settles_a_ue_invoice_at_the_days_rate() {
    let f = s51_fixture("92000.00");
    let side = Fixture::new();
    let rates = rates_file(&side, USD_RATES);
    let args = ["--rates", path_arg(&rates), "--ue", "USD"];
    let m = f.match_json("2024-03-31", &args);
    let p = payment(&m, "511");
    assert_eq!(p["currency"], "RUB");
    assert_eq!(allocations(p), vec![alloc("51", "92000.00", "reference")]);
    assert_eq!(p["allocations"][0]["settled"], "1000.00");
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2024-03-31", &args);
    assert!(rows_of(&r, POLUS).is_empty(), "settled, no advance: {r:#}");
}

/// S51: "Partial 46 000.00 RUB at 92.00 → 500.00 у.е. paid, 500.00 у.е. outstanding. The
/// RUB valuation of the remainder must say which rate it uses: invoice-date 45 000.00 or
/// as-of-date 46 000.00."
#[test]
fn s51_partial_rouble_payment_on_a_ue_invoice() {
    let f = s51_fixture("46000.00");
    let side = Fixture::new();
    let rates = rates_file(&side, USD_RATES);
    let args = ["--rates", path_arg(&rates), "--ue", "USD"];
    let m = f.match_json("2024-03-31", &args);
    let p = payment(&m, "511");
    assert_eq!(allocations(p), vec![alloc("51", "46000.00", "reference")]);
    assert_eq!(p["allocations"][0]["settled"], "500.00");
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2024-03-31", &args);
    let rows = rows_of(&r, POLUS);
    assert_eq!(rows.len(), 1, "no RUB row: {r:#}");
    let ue = row_in(&r, POLUS, "у.е.");
    assert_eq!(ue["outstanding"], "500.00");
    assert_eq!(ue["paid"], "500.00");
    assert_eq!(ue["advance"], "0.00");
    assert_eq!(invoice(ue, "51")["outstanding"], "500.00");
    let v = &ue["valuation"];
    assert_eq!(v["rate"], "92");
    assert_eq!(v["rate_of"], "USD");
    assert_eq!(v["rate_date"], "2024-03-15");
    assert_eq!(v["outstanding"], "46000.00");
}

fn s52_fixture() -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Валюта\r\n\
             1;01.03.2024;10.03.2024;Вектор;{VEKTOR};100 000,00;RUB\r\n\
             2;01.03.2024;10.03.2024;Вектор;{VEKTOR};1 000,00;USD\r\n"
        ),
    );
    f
}

/// S52: "Customer with 100 000.00 RUB and 1 000.00 USD open → per-currency subtotals. The
/// grand total is in RUB only with a stated rate; never 101 000."
#[test]
fn s52_mixed_currencies_are_never_added() {
    let f = s52_fixture();
    let r = f.report_json("2024-03-31", &[]);
    assert!(!r.to_string().contains("101000"), "{r:#}");
    assert_eq!(row_in(&r, VEKTOR, "RUB")["outstanding"], "100000.00");
    assert_eq!(row_in(&r, VEKTOR, "USD")["outstanding"], "1000.00");
    let by = r["totals_by_currency"].as_array().unwrap();
    let pairs: Vec<(String, String)> = by
        .iter()
        .map(|t| {
            (
                t["currency"].as_str().unwrap().to_string(),
                t["outstanding"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        pairs,
        vec![
            ("RUB".to_string(), "100000.00".to_string()),
            ("USD".to_string(), "1000.00".to_string())
        ]
    );
    assert_eq!(r["totals"]["currency"], "RUB");
    assert_eq!(r["totals"]["outstanding"], "100000.00");
    assert_eq!(r["total_in_rub"], Value::Null);

    let side = Fixture::new();
    let rates = rates_file(&side, "29.03.2024;USD;92\n");
    let r = f.report_json("2024-03-31", &["--rates", path_arg(&rates)]);
    assert!(!r.to_string().contains("101000"), "{r:#}");
    let total = &r["total_in_rub"];
    assert_eq!(total["outstanding"], "192000.00", "{r:#}");
    assert_eq!(total["net"], "192000.00");
    assert_eq!(total["rates"][0]["currency"], "USD");
    assert_eq!(total["rates"][0]["rate"], "92");
    assert_eq!(
        row_in(&r, VEKTOR, "USD")["valuation"]["outstanding"],
        "92000.00"
    );
    assert_eq!(r["totals"]["outstanding"], "100000.00");
}

fn s54_fixture() -> Fixture {
    world(
        &[
            ("5", "01.03.2024", "10.03.2024", VEKTOR, "12 345,67"),
            // Already open when the payment comes, not named by it: keeps the row.
            ("6", "01.03.2024", "30.04.2024", VEKTOR, "1 000,00"),
        ],
        &[Pay::from(
            VEKTOR,
            "54",
            "15.03.2024",
            "12345.68",
            "Оплата по счету № 5",
        )],
    )
}

/// S54: "Invoice 12 345.67, payment 12 345.68 → advance 0.01 (Odoo never applies tolerance
/// to overpayment)." Not even with an underpayment tolerance.
#[test]
fn s54_kopeck_overpayment_is_an_advance() {
    let f = s54_fixture();
    for extra in [&[][..], &["--tolerance", "1.00"][..]] {
        let m = f.match_json("2024-03-31", extra);
        let p = payment(&m, "54");
        assert_eq!(
            allocations(p),
            vec![alloc("5", "12345.67", "reference")],
            "{extra:?}"
        );
        assert_eq!(p["advance"], "0.01", "{extra:?}");
        assert_eq!(p["written_off"], "0.00", "{extra:?}");
        assert!(!has_note(p, "overpayment_written_off"), "{extra:?}");
        let r = f.report_json("2024-03-31", extra);
        let row = row(&r, VEKTOR);
        assert!(!is_open(row, "5"), "{extra:?}");
        assert_eq!(row["advance"], "0.01", "{extra:?}");
        assert_eq!(row["outstanding"], "1000.00", "{extra:?}");
        assert_eq!(row["net"], "999.99", "{extra:?}");
    }
}

/// S54: "With `--tolerance-overpay` set → write-off 0.01, flagged."
#[test]
fn s54_kopeck_overpayment_written_off_on_request() {
    let f = s54_fixture();
    let args = ["--tolerance-overpay", "1.00"];
    let m = f.match_json("2024-03-31", &args);
    let p = payment(&m, "54");
    assert_eq!(allocations(p), vec![alloc("5", "12345.67", "reference")]);
    assert_eq!(p["written_off"], "0.01");
    assert_eq!(p["advance"], "0.00");
    assert!(has_note(p, "overpayment_written_off"), "{p:#}");
    let r = f.report_json("2024-03-31", &args);
    let row = row(&r, VEKTOR);
    assert_eq!(row["advance"], "0.00");
    assert_eq!(row["outstanding"], "1000.00");
    assert_eq!(row["net"], "1000.00");
}

fn s55_fixture(amount: &str) -> Fixture {
    world(
        &[
            ("55", "01.03.2024", "10.03.2024", GRANIT, "1 210,00"),
            ("56", "01.03.2024", "30.04.2024", GRANIT, "1 000,00"),
        ],
        &[Pay::from(
            GRANIT,
            "55",
            "15.03.2024",
            amount,
            "Оплата по счету № 55",
        )],
    )
}

/// S55: "Invoice 1 210.00, payment 1 185.80: difference 24.20 = exactly 2.00%. With
/// `--tolerance=2%` → accepted."
#[test]
fn s55_percentage_tolerance_at_the_exact_boundary() {
    let f = s55_fixture("1185.80");
    let m = f.match_json("2024-03-31", &["--tolerance", "2%"]);
    let p = payment(&m, "55");
    assert_eq!(
        allocations(p),
        vec![
            alloc("55", "1185.80", "reference"),
            alloc("55", "24.20", "write-off")
        ]
    );
    assert!(has_note(p, "rounding_written_off"), "{p:#}");
    let r = f.report_json("2024-03-31", &["--tolerance", "2%"]);
    let row = row(&r, GRANIT);
    assert!(!is_open(row, "55"), "{row:#}");
    assert_eq!(row["written_off"], "24.20");
    assert_eq!(row["outstanding"], "1000.00");

    // Without a tolerance the 24.20 stays open.
    let r = f.report_json("2024-03-31", &[]);
    assert_eq!(
        invoice(row_in(&r, GRANIT, "RUB"), "55")["outstanding"],
        "24.20"
    );
    // One kopeck beyond 2 %: not written off.
    let f = s55_fixture("1185.79");
    let r = f.report_json("2024-03-31", &["--tolerance", "2%"]);
    let row = crate::support::row(&r, GRANIT);
    assert_eq!(invoice(row, "55")["outstanding"], "24.21");
    assert_eq!(row["written_off"], "0.00");
}

// ---------------------------------------------------------------------------
// The cascade's exact amount, overrides, and `match` explaining itself.
// ---------------------------------------------------------------------------

fn exact_fixture() -> Fixture {
    world(
        &[
            ("1", "01.02.2024", "01.03.2024", VEKTOR, "30 000,00"),
            ("2", "01.03.2024", "15.03.2024", VEKTOR, "12 000,00"),
        ],
        &[Pay::from(
            VEKTOR,
            "61",
            "20.03.2024",
            "12000.00",
            "Оплата за товар",
        )],
    )
}

/// Cascade step 4 (§4): "exact amount on a single open invoice": a payment that names
/// nothing and equals one open invoice's amount pays it, even if another is due earlier.
#[test]
fn exact_amount_pays_the_invoice_of_that_amount() {
    let f = exact_fixture();
    for extra in [&[][..], &["--exact-amount", "on"][..]] {
        let m = f.match_json("2024-03-31", extra);
        assert_eq!(
            allocations(payment(&m, "61")),
            vec![alloc("2", "12000.00", "exact-amount")],
            "{extra:?}"
        );
        let r = f.report_json("2024-03-31", extra);
        let row = row(&r, VEKTOR);
        assert!(!is_open(row, "2"), "{extra:?}");
        assert_eq!(invoice(row, "1")["paid"], "0.00", "{extra:?}");
        assert_eq!(invoice(row, "1")["outstanding"], "30000.00", "{extra:?}");
    }
}

/// `--exact-amount off` restores the due-date order (ст. 319.1).
#[test]
fn exact_amount_off_restores_due_date_order() {
    let f = exact_fixture();
    let off = ["--exact-amount", "off"];
    let m = f.match_json("2024-03-31", &off);
    assert_eq!(
        allocations(payment(&m, "61")),
        vec![alloc("1", "12000.00", "due-date")]
    );
    let r = f.report_json("2024-03-31", &off);
    let row = row(&r, VEKTOR);
    assert_eq!(invoice(row, "1")["outstanding"], "18000.00");
    assert_eq!(invoice(row, "2")["paid"], "0.00");
    assert_eq!(invoice(row, "2")["outstanding"], "12000.00");
}

fn overrides_fixture() -> Fixture {
    world(
        &[
            ("45", "01.03.2024", "05.03.2024", ROMASHKA, "10 000,00"),
            ("46", "01.03.2024", "10.03.2024", ROMASHKA, "5 000,00"),
            ("7", "01.03.2024", "10.03.2024", VEKTOR, "4 000,00"),
        ],
        &[
            Pay::from(ROMASHKA, "17", "12.03.2024", "10000.00", "Оплата за товар"),
            Pay::from(
                "0",
                "938271",
                "14.03.2024",
                "4000.00",
                "Перевод по договору",
            )
            .name("ИВАНОВ ИВАН ИВАНОВИЧ")
            .account("40817810099910004312"),
            Pay::from(
                ROMASHKA,
                "18",
                "15.03.2024",
                "5000.00",
                "Оплата по счету № 46",
            ),
        ],
    )
}

/// §4: "Persist the manual override file (`payment_id → invoice_id: amount`) so humans can
/// fix matches." An invoice with an amount, a customer for an unidentified payment, and
/// "hold as an advance" change the register as asked.
#[test]
fn overrides_change_the_register() {
    let f = overrides_fixture();
    // Without overrides: №45 by exact amount, №46 by reference, the card payment unidentified.
    let r = f.report_json("2024-03-31", &[]);
    assert!(find_row(&r, ROMASHKA).is_none(), "{r:#}");
    assert_eq!(invoice(row(&r, VEKTOR), "7")["outstanding"], "4000.00");
    assert_eq!(r["unidentified_payments"].as_array().unwrap().len(), 1);

    let side = Fixture::new();
    let file = side.utf8(
        "overrides.txt",
        &format!(
            "# исправления бухгалтера\n\
             п/п 17 от 12.03.2024 -> 46 : 3 000,00\n\
             п/п 938271 от 14.03.2024 -> ИНН {VEKTOR}\n\
             18 15.03.2024 -> аванс\n"
        ),
    );
    let args = ["--overrides", path_arg(&file)];
    let m = f.match_json("2024-03-31", &args);
    let p17 = payment(&m, "17");
    assert_eq!(allocations(p17), vec![alloc("46", "3000.00", "manual")]);
    assert_eq!(p17["advance"], "7000.00");
    assert!(has_note(p17, "manual"), "{p17:#}");
    let card = payment(&m, "938271");
    assert_eq!(card["unidentified"], false);
    assert_eq!(card["counterparty_inn"], VEKTOR);
    assert!(has_note(card, "manual"), "{card:#}");
    let a = allocations(card);
    assert_eq!(a.len(), 1, "{card:#}");
    assert_eq!((a[0].0.as_str(), a[0].1.as_str()), ("7", "4000.00"));
    let p18 = payment(&m, "18");
    assert!(allocations(p18).is_empty(), "{p18:#}");
    assert_eq!(p18["advance"], "5000.00");

    let r = f.report_json("2024-03-31", &args);
    let romashka = row(&r, ROMASHKA);
    assert_eq!(invoice(romashka, "45")["paid"], "0.00");
    assert_eq!(invoice(romashka, "45")["outstanding"], "10000.00");
    assert_eq!(invoice(romashka, "46")["paid"], "3000.00");
    assert_eq!(invoice(romashka, "46")["outstanding"], "2000.00");
    assert_eq!(romashka["advance"], "12000.00");
    assert_eq!(romashka["net"], "0.00");
    assert!(find_row(&r, VEKTOR).is_none(), "{r:#}");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));
}

/// An override that does not fit the data is an error naming the file and the line: a
/// payment the inputs do not have, or more money than the payment has left.
#[test]
fn overrides_that_do_not_fit_exit_1_with_file_and_line() {
    let f = overrides_fixture();
    let side = Fixture::new();
    for (name, text, line) in [
        (
            "unknown.txt",
            "# п/п 99 не существует\n\n\
             п/п 99 от 12.03.2024 -> 46\n",
            3,
        ),
        (
            "too_much.txt",
            "п/п 18 от 15.03.2024 -> 46 : 1 000,00\n\
             п/п 17 от 12.03.2024 -> 45 : 12 000,00\n",
            2,
        ),
    ] {
        let file = side.utf8(name, text);
        for command in ["report", "match"] {
            let out = run(
                &f,
                command,
                "2024-03-31",
                &["--format", "json", "--overrides", path_arg(&file)],
            );
            assert_eq!(out.status.code(), Some(1), "{name} {command}");
            assert!(
                out.stdout.is_empty(),
                "{name} {command}: no output on failure"
            );
            let err = String::from_utf8_lossy(&out.stderr);
            let at = format!("{}:{line}:", file.display());
            assert!(err.contains(&at), "{name} {command}: {err}");
        }
    }
}

/// §4: "allocations, each with a `reason` (explicit-ref / exact-amount / fifo / prorata /
/// manual)": `match` explains every allocation of a small world by its rule, and its
/// review list holds the unidentified and ambiguous payments (and only those).
#[test]
fn match_explains_every_allocation() {
    let f = world(
        &[
            ("1", "01.02.2024", "01.03.2024", ROMASHKA, "10 000,00"),
            ("2", "01.03.2024", "20.03.2024", ROMASHKA, "6 000,00"),
            (
                "00БП-000045",
                "01.03.2024",
                "10.03.2024",
                VEKTOR,
                "5 000,00",
            ),
            (
                "ТД00-000045",
                "01.03.2024",
                "10.03.2024",
                VEKTOR,
                "5 000,00",
            ),
            ("3", "01.03.2024", "10.03.2024", GRANIT, "1 000,00"),
            ("4", "01.03.2024", "10.03.2024", GRANIT, "1 000,00"),
            ("8", "01.02.2024", "01.03.2024", POLUS, "3 000,00"),
            ("9", "01.03.2024", "10.03.2024", POLUS, "2 000,00"),
        ],
        &[
            // Pays №1 by reference; the rest waits for №2.
            Pay::from(
                ROMASHKA,
                "501",
                "15.02.2024",
                "12000.00",
                "Оплата по счету № 1",
            ),
            // Two invoices due the same day share it.
            Pay::from(GRANIT, "502", "15.03.2024", "1000.00", "Оплата за товар"),
            // Two invoices with core 45 and the same amount: ambiguous.
            Pay::from(VEKTOR, "503", "15.03.2024", "5000.00", "Оплата по сч 45"),
            // Nobody.
            Pay::from("0", "504", "15.03.2024", "777.00", "Перевод")
                .name("ПЕТРОВ ПЕТР ПЕТРОВИЧ")
                .account("40817810099910009999"),
            // Exactly №9's amount.
            Pay::from(POLUS, "505", "15.03.2024", "2000.00", "Оплата за товар"),
        ],
    );
    let m = f.match_json("2024-03-31", &[]);
    let known = [
        "link",
        "reference",
        "due-date",
        "pro-rata",
        "advance",
        "credit",
        "exact-amount",
        "manual",
        "write-off",
    ];
    let mut seen = Vec::new();
    for p in payments(&m) {
        let mut applied = 0;
        for a in p["allocations"].as_array().unwrap() {
            let rule = a["rule"]
                .as_str()
                .unwrap_or_else(|| panic!("no rule: {p:#}"));
            assert!(known.contains(&rule), "unknown rule {rule} in {p:#}");
            seen.push(rule.to_string());
            applied += kopecks(&a["amount"]);
        }
        assert_eq!(applied, kopecks(&p["applied"]), "{p:#}");
        if p["unidentified"] == false {
            assert_eq!(
                kopecks(&p["applied"]) + kopecks(&p["advance"]),
                kopecks(&p["amount"]),
                "{p:#}"
            );
        }
    }
    for rule in ["reference", "advance", "pro-rata", "exact-amount"] {
        assert!(seen.iter().any(|s| s == rule), "no {rule} in {m:#}");
    }
    assert_eq!(
        allocations(payment(&m, "501")),
        vec![
            alloc("1", "10000.00", "reference"),
            alloc("2", "2000.00", "advance")
        ]
    );
    assert_eq!(
        allocations(payment(&m, "502")),
        vec![
            alloc("3", "500.00", "pro-rata"),
            alloc("4", "500.00", "pro-rata")
        ]
    );
    assert_eq!(
        allocations(payment(&m, "505")),
        vec![alloc("9", "2000.00", "exact-amount")]
    );
    assert_eq!(review_numbers(&m), vec!["503", "504"]);
    assert!(has_note(payment(&m, "503"), "ambiguous_reference"));
    assert_eq!(payment(&m, "504")["unidentified"], true);
}

// ---------------------------------------------------------------------------
// Edge cases found reviewing the engine
// ---------------------------------------------------------------------------

/// A payment held by `-> аванс` stays an advance for open debts, also with
/// `--apply-surplus fifo` (which spreads only what a payment had left after naming
/// invoices).
#[test]
fn held_payment_is_not_spread_by_apply_surplus_fifo() {
    let f = overrides_fixture();
    let side = Fixture::new();
    let file = side.utf8("overrides.txt", "18 15.03.2024 -> аванс\n");
    let args = ["--overrides", path_arg(&file), "--apply-surplus", "fifo"];
    let m = f.match_json("2024-03-31", &args);
    let p18 = payment(&m, "18");
    assert!(allocations(p18).is_empty(), "{p18:#}");
    assert_eq!(p18["advance"], "5000.00");
    let r = f.report_json("2024-03-31", &args);
    assert_eq!(invoice(row(&r, ROMASHKA), "46")["outstanding"], "5000.00");
    assert_eq!(row(&r, ROMASHKA)["advance"], "5000.00");
}

/// An override sending a payment to an invoice issued after the report date: reports as
/// of earlier dates keep the money waiting for it instead of spending it elsewhere, so
/// reports for two dates never disagree about another invoice.
#[test]
fn override_to_a_later_invoice_keeps_the_money_waiting() {
    let f = world(
        &[
            ("45", "01.03.2024", "05.03.2024", ROMASHKA, "10 000,00"),
            ("48", "20.03.2024", "25.03.2024", ROMASHKA, "10 000,00"),
        ],
        &[Pay::from(
            ROMASHKA,
            "17",
            "12.03.2024",
            "10000.00",
            "Оплата за товар",
        )],
    );
    // Without the override the payment closes №45 by its exact amount.
    let m = f.match_json("2024-03-15", &[]);
    assert_eq!(
        allocations(payment(&m, "17")),
        vec![alloc("45", "10000.00", "exact-amount")]
    );
    let side = Fixture::new();
    let file = side.utf8("overrides.txt", "17 12.03.2024 -> 48\n");
    let args = ["--overrides", path_arg(&file)];
    for (as_of, paid_48) in [("2024-03-15", None), ("2024-03-31", Some("10000.00"))] {
        let m = f.match_json(as_of, &args);
        let p = payment(&m, "17");
        assert!(has_note(p, "manual"), "{as_of}: {p:#}");
        match paid_48 {
            None => {
                assert!(allocations(p).is_empty(), "{as_of}: {p:#}");
                assert_eq!(p["advance"], "10000.00");
            }
            Some(a) => assert_eq!(allocations(p), vec![alloc("48", a, "manual")]),
        }
        let r = f.report_json(as_of, &args);
        let row = row(&r, ROMASHKA);
        assert_eq!(invoice(row, "45")["outstanding"], "10000.00", "{as_of}");
    }
}

/// Settling per contract, an override may send a payment to an invoice of another
/// contract than its purpose names: the payment follows the invoice's contract.
#[test]
fn override_moves_a_payment_to_the_invoices_contract() {
    let f = s33_fixture();
    let side = Fixture::new();
    let file = side.utf8("overrides.txt", "33 15.03.2024 -> 1\n");
    let args = ["--level", "contract", "--overrides", path_arg(&file)];
    let m = f.match_json("2024-03-31", &args);
    let p = payment(&m, "33");
    assert_eq!(allocations(p), vec![alloc("1", "100000.00", "manual")]);
    assert_eq!(p["advance"], "0.00");
    let r = f.report_json("2024-03-31", &args);
    assert!(rows_of(&r, POLUS).is_empty(), "settled: {r:#}");
}

/// A payment naming an invoice of another contract (settling per contract) or in another
/// currency is told so, not "unknown invoice".
#[test]
fn invoice_of_another_contract_or_currency_is_named_as_such() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма;Валюта\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100 000,00;RUB\r\n\
             2;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;50 000,00;RUB\r\n\
             51;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;1 000,00;у.е.\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(
                POLUS,
                "34",
                "15.03.2024",
                "100000.00",
                "Оплата по счету № 1 по договору №2",
            ),
            Pay::from(
                POLUS,
                "35",
                "15.03.2024",
                "92000.00",
                "Оплата по счету № 51",
            ),
        ]),
    );
    let m = f.match_json("2024-03-31", &["--level", "contract"]);
    let p = payment(&m, "34");
    assert!(has_note(p, "other_contract"), "{p:#}");
    assert!(!has_note(p, "unknown_invoice"), "{p:#}");
    let m = f.match_json("2024-03-31", &[]);
    let p = payment(&m, "35");
    assert!(has_note(p, "other_currency"), "{p:#}");
    assert!(!has_note(p, "unknown_invoice"), "{p:#}");
    assert!(review_numbers(&m).contains(&"35".to_string()));
}

/// S28's words are whole words: "озонатор" is not Ozon, and a payer we invoice is a
/// customer whatever its purpose says about marketplaces.
#[test]
fn agent_words_are_whole_words_and_never_for_our_customers() {
    let f = world(
        &[
            ("12", "01.03.2024", "10.03.2024", VEKTOR, "30 000,00"),
            ("13", "01.03.2024", "10.03.2024", GRANIT, "20 000,00"),
        ],
        &[
            Pay::from(
                VEKTOR,
                "51",
                "15.03.2024",
                "30000.00",
                "Оплата по сч. 12 за озонатор",
            ),
            Pay::from(
                GRANIT,
                "52",
                "15.03.2024",
                "20000.00",
                "Оплата по сч. 13 за услуги маркетплейса",
            ),
        ],
    );
    let r = f.report_json("2024-03-31", &[]);
    assert_eq!(r["agent_receipts"], serde_json::json!([]), "{r:#}");
    assert!(find_row(&r, VEKTOR).is_none(), "№12 paid: {r:#}");
    assert!(find_row(&r, GRANIT).is_none(), "№13 paid: {r:#}");
}

/// Agents' payouts are listed by `match` too, and a CSV register says on stderr that it
/// leaves them out.
#[test]
fn agent_payouts_are_listed_by_match_and_noted_beside_csv() {
    let purpose = "Зачисление средств по операциям эквайринга. Мерчант №781000123.";
    let f = world(
        &[("1", "01.03.2024", "10.03.2024", VEKTOR, "5 000,00")],
        &[Pay::from(SBERBANK, "28", "15.03.2024", "98040.00", purpose).name("ПАО Сбербанк")],
    );
    let m = f.match_json("2024-03-31", &[]);
    let agents = m["agent_receipts"].as_array().expect("agent_receipts");
    assert_eq!(agents.len(), 1, "{m:#}");
    assert_eq!(agents[0]["number"], "28");
    assert_eq!(agents[0]["amount"], "98040.00");
    let out = run(&f, "report", "2024-03-31", &["--format", "csv"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("1 payout(s) for 98040.00"), "{err}");
    let log = report_text(&f, "2024-03-31", &["--format", "csv"]);
    assert!(
        !log.contains("98040"),
        "the register holds no payout: {log}"
    );
    let out = run(&f, "match", "2024-03-31", &["--format", "csv"]);
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(
        log.contains("98040,00") && log.contains("не оплата долга"),
        "{log}"
    );
}

/// With `--ue`, a credit note in у.е. linked to its у.е. invoice still reduces it (one to
/// one), and roubles pay the rest at the day's rate.
#[test]
fn ue_credit_note_reduces_its_ue_invoice_with_ue() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Вид документа;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Валюта;Основание\r\n\
             Счет на оплату;51;01.03.2024;10.03.2024;Полюс;{POLUS};1 000,00;у.е.;\r\n\
             Возврат товаров;В-51;05.03.2024;;Полюс;{POLUS};200,00;у.е.;51\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            POLUS,
            "511",
            "15.03.2024",
            "73600.00",
            "Оплата по счету № 51",
        )]),
    );
    let side = Fixture::new();
    let rates = rates_file(&side, USD_RATES);
    let args = ["--rates", path_arg(&rates), "--ue", "USD"];
    let m = f.match_json("2024-03-31", &args);
    let credit = &m["credits"][0];
    assert_eq!(credit["unapplied"], "0.00", "{m:#}");
    assert_eq!(credit["notes"], serde_json::json!([]));
    let p = payment(&m, "511");
    assert_eq!(allocations(p), vec![alloc("51", "73600.00", "reference")]);
    assert_eq!(p["allocations"][0]["settled"], "800.00");
    let r = f.report_json("2024-03-31", &args);
    assert!(rows_of(&r, POLUS).is_empty(), "closed: {r:#}");
}

/// Roubles naming a у.е. invoice on a day before the first rate: a review note says the
/// rate is missing, and the money waits as an advance.
#[test]
fn ue_invoice_without_a_rate_that_day_is_noted() {
    let f = s51_fixture("92000.00");
    let side = Fixture::new();
    let rates = rates_file(&side, "20.03.2024;USD;92\n");
    let args = ["--rates", path_arg(&rates), "--ue", "USD"];
    let m = f.match_json("2024-03-31", &args);
    let p = payment(&m, "511");
    assert!(allocations(p).is_empty(), "{p:#}");
    assert_eq!(p["advance"], "92000.00");
    assert!(has_note(p, "no_rate"), "{p:#}");
    assert!(review_numbers(&m).contains(&"511".to_string()));
}

/// `--ue` without rates of that currency would do nothing: it is wrong usage.
#[test]
fn ue_without_its_rates_is_wrong_usage() {
    let f = s51_fixture("92000.00");
    let out = run(&f, "report", "2024-03-31", &["--ue", "USD"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--ue") && err.contains("no rates file"),
        "{err}"
    );
    let side = Fixture::new();
    let rates = rates_file(&side, "01.03.2024;EUR;100\n");
    let out = run(
        &f,
        "report",
        "2024-03-31",
        &["--ue", "USD", "--rates", path_arg(&rates)],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("rates of EUR only"), "{err}");
}

/// `--ambiguous oldest` takes the oldest invoice that still owes something.
#[test]
fn ambiguous_oldest_skips_paid_invoices() {
    let f = world(
        &[
            ("45", "15.01.2023", "25.01.2023", LESNOY, "5 000,00"),
            ("45", "12.03.2024", "22.03.2024", LESNOY, "12 000,00"),
        ],
        &[
            Pay::from(
                LESNOY,
                "19",
                "20.01.2023",
                "5000.00",
                "по сч 45 от 15.01.2023",
            ),
            Pay::from(LESNOY, "20", "20.03.2024", "7000.00", "по сч 45"),
        ],
    );
    let m = f.match_json("2024-03-31", &["--ambiguous", "oldest"]);
    let p = payment(&m, "20");
    let a = allocations(p);
    assert_eq!(a.len(), 1, "{p:#}");
    assert_eq!(a[0].1, "7000.00");
    assert!(!has_note(p, "already_paid"), "{p:#}");
    let r = f.report_json("2024-03-31", &["--ambiguous", "oldest"]);
    let row = row(&r, LESNOY);
    assert_eq!(
        invoice_dated(row, "45", "2024-03-12").map(|i| i["outstanding"].clone()),
        Some(serde_json::json!("5000.00"))
    );
    assert!(invoice_dated(row, "45", "2023-01-15").is_none());
}

/// Two у.е. invoices share a number: the roubles' amount at the day's rate tells which.
#[test]
fn ue_invoices_sharing_a_number_are_told_apart_at_the_days_rate() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Валюта\r\n\
             7;01.03.2023;10.03.2023;Полюс;{POLUS};1 000,00;у.е.\r\n\
             7;01.03.2024;10.03.2024;Полюс;{POLUS};500,00;у.е.\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            POLUS,
            "71",
            "15.03.2024",
            "46000.00",
            "Оплата по счету № 7",
        )]),
    );
    let side = Fixture::new();
    let rates = rates_file(&side, &format!("01.01.2023;USD;70\n{USD_RATES}"));
    let args = ["--rates", path_arg(&rates), "--ue", "USD"];
    let m = f.match_json("2024-03-31", &args);
    let p = payment(&m, "71");
    assert_eq!(p["allocations"][0]["settled"], "500.00", "{p:#}");
    assert!(!has_note(p, "ambiguous_reference"), "{p:#}");
}

/// Grouping by INN and KPP, an invoice list without KPPs and a payer stating the INN's
/// only KPP are one debtor.
#[test]
fn group_by_kpp_joins_documents_without_a_kpp_to_the_only_one() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[("45", "01.03.2024", "10.03.2024", ROMASHKA, "10 000,00")]),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &with_payer_kpp(
            &statement(&[Pay::from(
                ROMASHKA,
                "17",
                "15.03.2024",
                "4000.00",
                "Оплата по счету № 45",
            )]),
            ROMASHKA,
            "770701001",
        ),
    );
    let m = f.match_json("2024-03-31", &["--group", "inn+kpp"]);
    let p = payment(&m, "17");
    assert_eq!(allocations(p), vec![alloc("45", "4000.00", "reference")]);
    let r = f.report_json("2024-03-31", &["--group", "inn+kpp"]);
    assert_eq!(rows_of(&r, ROMASHKA).len(), 1, "{r:#}");
    assert_eq!(invoice(row(&r, ROMASHKA), "45")["outstanding"], "6000.00");
}

/// `--tolerance-overpay` writes off what a payment had left after paying debts; a small
/// transfer that paid nothing stays an advance.
#[test]
fn overpay_tolerance_only_for_the_rest_of_a_payment() {
    let f = world(
        &[("45", "01.03.2024", "10.03.2024", ROMASHKA, "10 000,00")],
        &[
            Pay::from(
                ROMASHKA,
                "17",
                "12.03.2024",
                "10000.50",
                "Оплата по счету № 45",
            ),
            Pay::from(ROMASHKA, "18", "13.03.2024", "0.50", "Тестовый платёж"),
        ],
    );
    let args = ["--tolerance-overpay", "1"];
    let m = f.match_json("2024-03-31", &args);
    let p17 = payment(&m, "17");
    assert_eq!(p17["written_off"], "0.50", "{p17:#}");
    assert_eq!(p17["advance"], "0.00");
    let p18 = payment(&m, "18");
    assert_eq!(p18["written_off"], "0.00", "{p18:#}");
    assert_eq!(p18["advance"], "0.50");
    let r = f.report_json("2024-03-31", &args);
    assert_eq!(row(&r, ROMASHKA)["advance"], "0.50");
}

/// A contract is named by the word "договор" and its forms, never "договоренность"; a
/// payment-only contract shows as the purpose writes it; the table and CSV get a contract
/// column when settling per contract.
#[test]
fn contract_words_and_the_contract_column() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100 000,00\r\n"
        ),
    );
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[
            Pay::from(
                POLUS,
                "36",
                "15.03.2024",
                "40000.00",
                "Оплата по договоренности 5 поставок",
            ),
            Pay::from(
                POLUS,
                "37",
                "16.03.2024",
                "7000.00",
                "Предоплата по договору поставки № 12/2024-СП от 01.03.2024",
            ),
        ]),
    );
    let args = ["--level", "contract"];
    let r = f.report_json("2024-03-31", &args);
    let rows = rows_of(&r, POLUS);
    assert_eq!(rows.len(), 2, "{r:#}");
    let first = rows
        .iter()
        .find(|x| x["contract"] == "Договор №1")
        .expect("№1");
    assert_eq!(
        first["outstanding"], "60000.00",
        "36 pays the only contract: {r:#}"
    );
    let other = rows
        .iter()
        .find(|x| x["contract"] == "12/2024-СП")
        .expect("12/2024-СП");
    assert_eq!(other["advance"], "7000.00");
    let csv = report_text(
        &f,
        "2024-03-31",
        &["--level", "contract", "--format", "csv"],
    );
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.contains("Договор"), "{header}");
    assert!(csv.contains("12/2024-СП"), "{csv}");
    let by_invoice = report_text(
        &f,
        "2024-03-31",
        &["--level", "contract", "--format", "csv", "--by", "invoice"],
    );
    assert!(
        by_invoice
            .lines()
            .next()
            .unwrap_or_default()
            .contains("Договор")
    );
    let plain = report_text(&f, "2024-03-31", &["--format", "csv"]);
    assert!(!plain.lines().next().unwrap_or_default().contains("Договор"));
}

/// Errors in an overrides file are listed one per line, each with its line number once.
#[test]
fn overrides_file_errors_are_listed_one_per_line() {
    let f = overrides_fixture();
    let side = Fixture::new();
    let file = side.utf8("overrides.txt", "17 12.03.2024 45\n17\n");
    let out = run(
        &f,
        "report",
        "2024-03-31",
        &["--overrides", path_arg(&file)],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("2 lines cannot be read:"), "{err}");
    assert!(
        err.contains("\n  line 1: ") && err.contains("\n  line 2: "),
        "{err}"
    );
    let one = side.utf8("one.txt", "17\n");
    let out = run(&f, "report", "2024-03-31", &["--overrides", path_arg(&one)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:1: ", one.display())), "{err}");
    assert!(!err.contains("line 1:"), "{err}");
}

/// A payment waiting for a later invoice keeps only what that invoice will take; the rest
/// is an advance as usual, so reports for two dates agree about the other invoices.
#[test]
fn waiting_override_keeps_only_what_the_invoice_will_take() {
    let f = world(
        &[
            ("45", "01.03.2024", "05.03.2024", ROMASHKA, "10 000,00"),
            ("46", "14.03.2024", "14.03.2024", ROMASHKA, "2 000,00"),
            ("48", "20.03.2024", "25.03.2024", ROMASHKA, "10 000,00"),
        ],
        &[Pay::from(
            ROMASHKA,
            "17",
            "12.03.2024",
            "12000.00",
            "Оплата за товар",
        )],
    );
    let side = Fixture::new();
    let file = side.utf8("overrides.txt", "17 12.03.2024 -> 48\n");
    let args = ["--overrides", path_arg(&file)];
    for as_of in ["2024-03-15", "2024-03-31"] {
        let r = f.report_json(as_of, &args);
        let row = row(&r, ROMASHKA);
        assert!(
            !is_open(row, "46"),
            "{as_of}: №46 paid by the rest: {row:#}"
        );
        assert_eq!(invoice(row, "45")["outstanding"], "10000.00", "{as_of}");
    }
    let m = f.match_json("2024-03-15", &args);
    assert_eq!(
        allocations(payment(&m, "17")),
        vec![alloc("46", "2000.00", "advance")]
    );
    assert_eq!(payment(&m, "17")["advance"], "10000.00");
}

/// An override to an invoice in another currency is an error whatever the report date.
#[test]
fn override_to_an_invoice_in_another_currency_fails_at_any_date() {
    let f = s50_fixture(false);
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(GRANIT, "511", "05.03.2024", "1000.00", "Оплата")]),
    );
    let side = Fixture::new();
    let file = side.utf8("overrides.txt", "511 05.03.2024 -> 50\n");
    for as_of in ["2024-03-06", "2024-03-31"] {
        let out = run(&f, "report", as_of, &["--overrides", path_arg(&file)]);
        assert_eq!(out.status.code(), Some(1), "{as_of}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("invoice 50 is in USD, the payment in RUB"),
            "{err}"
        );
    }
}

/// `--by manager` counts customers, not their rows per contract.
#[test]
fn by_manager_counts_customers_once() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма;Менеджер\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100,00;Иванов\r\n\
             2;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;200,00;Иванов\r\n"
        ),
    );
    let csv = report_text(
        &f,
        "2024-03-31",
        &["--level", "contract", "--by", "manager", "--format", "csv"],
    );
    let line = csv.lines().find(|l| l.starts_with("Иванов")).expect("row");
    assert!(line.starts_with("Иванов;RUB;1;300,00"), "{csv}");
}
