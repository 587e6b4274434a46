//! Aging options (issue 5): the production calendar (S35, S36, and S34, S37-S39, S57
//! with the calendar on), payment terms from the settings, managers from a mapping, rows
//! per contract.

use crate::support::*;
use serde_json::Value;

/// One unpaid invoice of 1 000.00 from `date`, due `due`.
fn one_invoice(number: &str, date: &str, due: &str) -> Fixture {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[(number, date, due, POLUS, "1 000,00")]),
    );
    f
}

/// Age and bucket of invoice `number` as of `as_of`, with `extra` options.
fn age(f: &Fixture, number: &str, as_of: &str, extra: &[&str]) -> (i64, String) {
    let r = f.report_json(as_of, extra);
    let inv = invoice(row(&r, POLUS), number);
    (
        inv["days_overdue"].as_i64().expect("days"),
        inv["bucket"].as_str().expect("bucket").to_string(),
    )
}

const CAL: &[&str] = &["--calendar", "ru"];

/// S35: "Due Saturday 10.08.2024, unpaid. With calendar: the effective due date is Monday
/// 12.08.2024. As of 12.08 → not overdue; as of 13.08 → age 1. Without calendar: as of
/// 12.08 → age 2. A payment credited on 12.08 is 'in time' with the calendar."
#[test]
fn s35_weekend_shift() {
    let f = one_invoice("35", "01.08.2024", "10.08.2024");
    assert_eq!(age(&f, "35", "2024-08-12", CAL), (0, "not_due".into()));
    assert_eq!(age(&f, "35", "2024-08-13", CAL), (1, "1-30".into()));
    assert_eq!(age(&f, "35", "2024-08-12", &[]), (2, "1-30".into()));
    let r = f.report_json("2024-08-12", CAL);
    let inv = invoice(row(&r, POLUS), "35");
    assert_eq!(inv["due_date"], "2024-08-10");
    assert_eq!(inv["aged_from"], "2024-08-12");

    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            POLUS,
            "351",
            "12.08.2024",
            "1000.00",
            "Оплата по счету № 35",
        )]),
    );
    let late = |extra: &[&str]| {
        let m = f.match_json("2024-08-31", extra);
        let p = m["payments"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["number"] == "351"))
            .cloned()
            .expect("payment 351");
        p["allocations"][0]["days_late"].clone()
    };
    assert_eq!(late(CAL), 0, "in time with the calendar");
    assert_eq!(late(&[]), 2);
}

/// S36: "Due Monday 30.12.2024 (non-working by the 2024 transfer). With the RF 2024–2025
/// calendar: effective due 09.01.2025. As of 05.01.2025 → not overdue; as of 15.01.2025 →
/// age 6. Without the calendar: age 16. Due Saturday 02.11.2024 (a working Saturday) →
/// not shifted."
#[test]
fn s36_transferred_holidays_are_data() {
    let f = one_invoice("36", "01.12.2024", "30.12.2024");
    assert_eq!(age(&f, "36", "2025-01-05", CAL), (0, "not_due".into()));
    assert_eq!(age(&f, "36", "2025-01-15", CAL), (6, "1-30".into()));
    assert_eq!(age(&f, "36", "2025-01-15", &[]), (16, "1-30".into()));
    let f = one_invoice("37", "01.10.2024", "02.11.2024");
    assert_eq!(age(&f, "37", "2024-11-05", CAL), (3, "1-30".into()));
    assert_eq!(age(&f, "37", "2024-11-05", &[]), (3, "1-30".into()));
    let r = f.report_json("2024-11-05", CAL);
    assert_eq!(invoice(row(&r, POLUS), "37")["aged_from"], "2024-11-02");
}

/// S34 with the calendar on: 01.01.2024 is a holiday, so the term ends on the first
/// working day, 09.01.2024, and every age is 8 days less.
#[test]
fn s34_bucket_boundaries_with_the_calendar() {
    let f = one_invoice("34", "01.12.2023", "01.01.2024");
    for (as_of, days, bucket) in [
        ("2024-01-09", 0, "not_due"),
        ("2024-02-08", 30, "1-30"),
        ("2024-02-09", 31, "31-60"),
        ("2024-03-01", 52, "31-60"),
        ("2024-04-08", 90, "61-90"),
        ("2024-04-09", 91, "91-120"),
        ("2024-05-08", 120, "91-120"),
        ("2024-05-09", 121, "121+"),
    ] {
        assert_eq!(age(&f, "34", as_of, CAL), (days, bucket.into()), "{as_of}");
        let r = f.report_json(as_of, CAL);
        assert_only_bucket(row(&r, POLUS), bucket, "1000.00");
    }
}

/// S37 with the calendar: the default term ends on Thursday 11.04.2024, a working day,
/// so nothing moves; the total never changes with the basis or the calendar.
#[test]
fn s37_default_term_with_the_calendar() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[("37", "01.04.2024", "", ROMASHKA, "12 000,00")]),
    );
    for (extra, days) in [
        (&["--default-term", "10", "--calendar", "ru"][..], 19),
        (&["--calendar", "ru"][..], 29),
        (&["--calendar", "ru", "--age-by", "date"][..], 29),
    ] {
        let r = f.report_json("2024-04-30", extra);
        let inv = invoice(row(&r, ROMASHKA), "37");
        assert_eq!(inv["days_overdue"], days, "{extra:?}");
        assert_eq!(inv["due_from"], "default_term");
        assert_eq!(r["totals"]["outstanding"], "12000.00");
    }
    // 01.04.2024 + 5 days is Saturday 06.04: the calendar moves it to Monday 08.04.
    let r = f.report_json("2024-04-30", &["--default-term", "5", "--calendar", "ru"]);
    let inv = invoice(row(&r, ROMASHKA), "37");
    assert_eq!(inv["due"], "2024-04-06");
    assert_eq!(inv["aged_from"], "2024-04-08");
    assert_eq!(inv["days_overdue"], 22);
}

/// S38: "Invoice dated 01.02.2024 due 02.03.2024, unpaid, as of 15.03.2024. `--age-by=due`:
/// age 13 → 1–30. `--age-by=doc`: age 43 → 31–60." With the calendar, 02.03.2024 is a
/// Saturday: due Monday 04.03, age 11; the document date never moves.
#[test]
fn s38_aging_by_document_date_or_due_date() {
    let f = one_invoice("38", "01.02.2024", "02.03.2024");
    assert_eq!(age(&f, "38", "2024-03-15", &[]), (13, "1-30".into()));
    assert_eq!(
        age(&f, "38", "2024-03-15", &["--age-by", "due"]),
        (13, "1-30".into())
    );
    assert_eq!(
        age(&f, "38", "2024-03-15", &["--age-by", "doc"]),
        (43, "31-60".into())
    );
    assert_eq!(
        age(&f, "38", "2024-03-15", &["--age-by", "date"]),
        (43, "31-60".into())
    );
    assert_eq!(age(&f, "38", "2024-03-15", CAL), (11, "1-30".into()));
    let doc_cal = ["--age-by", "doc", "--calendar", "ru"];
    assert_eq!(age(&f, "38", "2024-03-15", &doc_cal), (43, "31-60".into()));
}

/// An EnterpriseData invoice of 90 000.00 in two stages: 45 000.00 due 01.03.2024 and
/// 45 000.00 due 31.03.2024 (a Sunday).
const S39_INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Message xmlns:msg="http://www.1c.ru/SSL/Exchange/Message">
  <msg:Header><msg:Format>http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8</msg:Format>
    <msg:CreationDate>2024-03-01T10:00:00</msg:CreationDate></msg:Header>
  <Body xmlns="http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8">
    <Документ.СчетПокупателю>
      <КлючевыеСвойства>
        <Ссылка>0b0e39a1-0000-4000-8000-000000000039</Ссылка>
        <Дата>2024-02-20T10:00:00</Дата>
        <Номер>00БП-000039</Номер>
        <Организация><Наименование>ООО "Северный ветер"</Наименование><ИНН>7701234560</ИНН></Организация>
      </КлючевыеСвойства>
      <Сумма>90000.00</Сумма>
      <Контрагент><Наименование>ООО "Гранит"</Наименование><ИНН>6671082450</ИНН></Контрагент>
      <ЭтапыОплаты>
        <Строка><ДатаПлатежа>2024-03-01</ДатаПлатежа><СуммаПлатежа>45000.00</СуммаПлатежа></Строка>
        <Строка><ДатаПлатежа>2024-03-31</ДатаПлатежа><СуммаПлатежа>45000.00</СуммаПлатежа></Строка>
      </ЭтапыОплаты>
    </Документ.СчетПокупателю>
  </Body>
</Message>
"#;

/// S39: "Invoice 90 000.00: 45 000.00 due 01.03.2024 and 45 000.00 due 31.03.2024.
/// Payment 50 000.00 on 05.03.2024 → installment 1 closed (4 days late; record
/// `days_late=4`); installment 2 has 40 000.00 remaining. As of 15.04.2024: 1–30 =
/// 40 000.00 (age 15)." With the calendar, 31.03.2024 (Sunday) moves to 01.04: age 14.
#[test]
fn s39_installments() {
    let f = Fixture::new();
    f.utf8("invoice.xml", S39_INVOICE);
    f.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            GRANIT,
            "391",
            "05.03.2024",
            "50000.00",
            "Оплата по счету 00БП-000039",
        )]),
    );
    for (extra, days) in [(&[][..], 15), (CAL, 14)] {
        let r = f.report_json("2024-04-15", extra);
        let row = row(&r, GRANIT);
        assert_eq!(row["outstanding"], "40000.00", "{extra:?}");
        assert_only_bucket(row, "1-30", "40000.00");
        let open = row["invoices"].as_array().expect("invoices");
        assert_eq!(open.len(), 1, "stage 1 closed: {row:#}");
        assert_eq!(open[0]["installment"], 2);
        assert_eq!(open[0]["days_overdue"], days, "{extra:?}");
        let m = f.match_json("2024-04-15", extra);
        let allocations = &m["payments"][0]["allocations"];
        assert_eq!(allocations[0]["installment"], 1);
        assert_eq!(allocations[0]["amount"], "45000.00");
        assert_eq!(allocations[0]["days_late"], 4, "{extra:?}");
        assert_eq!(allocations[1]["installment"], 2);
        assert_eq!(allocations[1]["amount"], "5000.00");
        assert_eq!(allocations[1]["days_late"], 0);
    }
}

/// S57 with the calendar on: the overdue invoice due Tuesday 20.02.2024 does not move;
/// the buckets still add up with the advance beside them.
#[test]
fn s57_buckets_add_up_with_the_calendar() {
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
    let r = f.report_json("2024-03-31", CAL);
    let row = row(&r, ROMASHKA);
    assert_eq!(row["outstanding"], "30000.00");
    assert_eq!(row["advance"], "5000.00");
    assert_eq!(row["buckets"]["not_due"], "10000.00");
    assert_eq!(row["buckets"]["31-60"], "20000.00");
    assert_eq!(row["max_days_overdue"], 40);
}

/// A year the calendar has no data for: weekends and the fixed holidays only, with a note.
#[test]
fn calendar_notes_years_without_data() {
    let f = one_invoice("40", "01.05.2031", "04.05.2031"); // a Sunday
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args([
            "--as-of",
            "2031-05-10",
            "--format",
            "json",
            "--calendar",
            "ru",
        ])
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no data for 2031"), "{err}");
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(invoice(row(&r, POLUS), "40")["aged_from"], "2031-05-05");
}

/// A calendar file adds days on top of the Russian calendar; a bad line names its line.
#[test]
fn calendar_file_on_top_of_the_russian_one() {
    let f = one_invoice("41", "01.08.2024", "12.08.2024");
    let side = Fixture::new();
    let file = side.utf8(
        "days.txt",
        "# региональный праздник\n12.08.2024;нерабочий\n",
    );
    let arg = file.to_str().expect("path");
    assert_eq!(
        age(&f, "41", "2024-08-14", &["--calendar", arg]),
        (1, "1-30".into())
    );
    assert_eq!(age(&f, "41", "2024-08-14", CAL), (2, "1-30".into()));
    let bad = side.utf8("bad.txt", "12.08.2024;может быть\n");
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args([
            "--as-of",
            "2024-08-14",
            "--calendar",
            bad.to_str().expect("path"),
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.txt:1:"), "{err}");
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args(["--as-of", "2024-08-14", "--calendar", "moon"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// Payment terms per counterparty and per contract from the settings file: the contract's
/// first, the counterparty's next, `--default-term` for the rest; a term from the
/// settings is not flagged "срок не указан".
#[test]
fn payment_terms_from_the_settings() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма\r\n\
             1;01.03.2024;;Ромашка;{ROMASHKA};Договор №7;1 000,00\r\n\
             2;01.03.2024;;Ромашка;{ROMASHKA};Договор №8;1 000,00\r\n\
             3;01.03.2024;;Вектор;{VEKTOR};;1 000,00\r\n\
             4;01.03.2024;05.03.2024;Ромашка;{ROMASHKA};Договор №7;1 000,00\r\n"
        ),
    );
    let side = Fixture::new();
    let cfg = side.utf8(
        "sverka.toml",
        &format!(
            "[matching]\ndefault_term = 5\n\n\
             [[terms]]\ninn = \"{ROMASHKA}\"\ndays = 14\n\n\
             [[terms]]\ninn = \"{ROMASHKA}\"\ncontract = \"№ 7 от 10.01.2024\"\ndays = 30\n"
        ),
    );
    let r = f.report_json("2024-03-31", &["--config", cfg.to_str().expect("path")]);
    let rom = row(&r, ROMASHKA);
    let due = |row: &Value, n: &str| {
        let i = invoice(row, n);
        (i["due"].clone(), i["due_from"].clone())
    };
    assert_eq!(due(rom, "1"), ("2024-03-31".into(), "terms".into()));
    assert_eq!(due(rom, "2"), ("2024-03-15".into(), "terms".into()));
    assert_eq!(due(rom, "4"), ("2024-03-05".into(), "document".into()));
    let vek = row(&r, VEKTOR);
    assert_eq!(due(vek, "3"), ("2024-03-06".into(), "default_term".into()));
    assert_eq!(rom["no_due_date"], false, "{rom:#}");
    assert_eq!(vek["no_due_date"], true);

    let bad = side.utf8("bad.toml", "[[terms]]\ninn = \"7707083894\"\ndays = 10\n");
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args(["--config", bad.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[[terms]] entry 1: inn"), "{err}");
}

/// Managers from the settings: a file of INN;Менеджер and a `[managers]` table win over
/// the invoices' managers; customers the mapping does not name keep theirs.
#[test]
fn managers_from_a_mapping() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер\r\n\
             1;01.03.2024;10.03.2024;Ромашка;{ROMASHKA};1 000,00;Иванов И.И.\r\n\
             2;01.03.2024;10.03.2024;Вектор;{VEKTOR};1 000,00;Иванов И.И.\r\n\
             3;01.03.2024;10.03.2024;Гранит;{GRANIT};1 000,00;\r\n"
        ),
    );
    let side = Fixture::new();
    let map = side.cp1251(
        "managers.csv",
        &format!("Клиент;ИНН;Менеджер\r\nРомашка;{ROMASHKA};Петрова А.С.\r\n"),
    );
    let r = f.report_json("2024-03-31", &["--managers", map.to_str().expect("path")]);
    assert_eq!(row(&r, ROMASHKA)["manager"], "Петрова А.С.");
    assert_eq!(invoice(row(&r, ROMASHKA), "1")["manager"], "Петрова А.С.");
    assert_eq!(row(&r, VEKTOR)["manager"], "Иванов И.И.");
    assert_eq!(row(&r, GRANIT)["manager"], Value::Null);

    let cfg = side.utf8(
        "sverka.toml",
        &format!(
            "[report]\nmanagers = \"managers.csv\"\n\n[managers]\n\"{GRANIT}\" = \"Сидоров К.П.\"\n"
        ),
    );
    let r = f.report_json("2024-03-31", &["--config", cfg.to_str().expect("path")]);
    assert_eq!(row(&r, ROMASHKA)["manager"], "Петрова А.С.");
    assert_eq!(row(&r, GRANIT)["manager"], "Сидоров К.П.");
}

/// `--by contract`: rows per counterparty and contract, settled per contract, with the
/// contract column; it cannot go with `--level counterparty`.
#[test]
fn rows_per_contract() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100,00\r\n\
             2;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;200,00\r\n"
        ),
    );
    let r = f.report_json("2024-03-31", &["--by", "contract"]);
    let rows: Vec<&Value> = r["rows"].as_array().expect("rows").iter().collect();
    assert_eq!(rows.len(), 2, "{r:#}");
    assert_eq!(rows[0]["contract"], "Договор №1");
    let csv = String::from_utf8(
        sverka()
            .arg("report")
            .arg(f.path())
            .args([
                "--as-of",
                "2024-03-31",
                "--by",
                "contract",
                "--format",
                "csv",
            ])
            .output()
            .expect("run")
            .stdout,
    )
    .expect("utf-8");
    assert!(
        csv.lines().next().unwrap_or_default().contains("Договор"),
        "{csv}"
    );
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args(["--by", "contract", "--level", "counterparty"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// S03: "Invoice 80 000.00 due 31.05.2024, paid in full 15.07.2024. Run with as-of
/// 30.06.2024: 1–30 (age 30) = 80 000.00. With `--show-future-payments`: future payment
/// 80 000.00 (15.07.2024), remaining 0.00." S41: an invoice dated after the report date is
/// left out; a payment after it shows only among the future payments.
#[test]
fn s03_s41_future_payments() {
    let f = world(
        &[
            ("3", "01.05.2024", "31.05.2024", POLUS, "80 000,00"),
            ("41", "05.07.2024", "15.07.2024", POLUS, "1 000,00"),
        ],
        &[Pay::from(
            POLUS,
            "303",
            "15.07.2024",
            "80000.00",
            "Оплата по счету № 3",
        )],
    );
    let r = f.report_json("2024-06-30", &[]);
    let row = row(&r, POLUS);
    assert_eq!(row["outstanding"], "80000.00");
    assert_only_bucket(row, "1-30", "80000.00");
    assert_eq!(invoice(row, "3")["days_overdue"], 30);
    assert!(row.get("future_paid").is_none(), "only when asked");
    assert_eq!(
        row["invoices"].as_array().map(Vec::len),
        Some(1),
        "№41 is later"
    );

    let r = f.report_json("2024-06-30", &["--show-future-payments"]);
    let row = crate::support::row(&r, POLUS);
    assert_eq!(
        row["outstanding"], "80000.00",
        "the register itself does not change"
    );
    assert_eq!(row["future_paid"], "80000.00");
    assert_eq!(row["remaining_after"], "0.00");
    let inv = invoice(row, "3");
    assert_eq!(
        inv["future_payments"],
        serde_json::json!([{"date": "2024-07-15", "number": "303", "amount": "80000.00"}])
    );
    assert_eq!(inv["remaining_after"], "0.00");

    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args([
            "--as-of",
            "2024-06-30",
            "--format",
            "csv",
            "--show-future-payments",
            "--by",
            "invoice",
        ])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    let header = csv.lines().next().unwrap_or_default();
    assert!(
        header.contains("Оплачено после даты;Остаток после оплат;Оплаты после даты"),
        "{header}"
    );
    assert!(csv.contains("15.07.2024 №303 80 000,00"), "{csv}");
}

/// Fixes found reviewing the options: the command line wins over the settings file
/// (`--by contract` over `level = "counterparty"`, `--managers FILE` over `[managers]`); a
/// calendar file in Windows-1251; the "no data" note from `tasks` too; the match log's
/// `due` is the document's, `days_late` counts from the working day.
#[test]
fn options_review_fixes() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма;Менеджер\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100,00;Иванов\r\n\
             2;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;200,00;Петрова\r\n"
        ),
    );
    let side = Fixture::new();
    let cfg = side.utf8(
        "sverka.toml",
        &format!("[matching]\nlevel = \"counterparty\"\n\n[managers]\n\"{POLUS}\" = \"Сидоров\"\n"),
    );
    let c = cfg.to_str().expect("path");
    let r = f.report_json("2024-03-31", &["--by", "contract", "--config", c]);
    assert_eq!(r["rows"].as_array().map(Vec::len), Some(2), "{r:#}");
    assert_eq!(r["rows"][0]["manager"], "Сидоров");
    let map = side.cp1251("m.csv", &format!("ИНН;Менеджер\r\n{POLUS};Петрова\r\n"));
    let r = f.report_json(
        "2024-03-31",
        &["--config", c, "--managers", map.to_str().expect("path")],
    );
    assert_eq!(r["rows"][0]["manager"], "Петрова", "the command line wins");

    let days = side.cp1251("days.txt", "Дата;День\r\n12.08.2024;нерабочий\r\n");
    let g = one_invoice("41", "01.08.2024", "12.08.2024");
    assert_eq!(
        age(
            &g,
            "41",
            "2024-08-14",
            &["--calendar", days.to_str().expect("path")]
        ),
        (1, "1-30".into())
    );

    let h = one_invoice("40", "01.05.2031", "04.05.2031");
    let out = sverka()
        .arg("tasks")
        .arg(h.path())
        .args(["--as-of", "2031-05-10", "--calendar", "ru"])
        .output()
        .expect("run");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data for 2031"));

    let k = one_invoice("35", "01.08.2024", "10.08.2024");
    k.cp1251(
        "kl_to_1c.txt",
        &statement(&[Pay::from(
            POLUS,
            "351",
            "13.08.2024",
            "1000.00",
            "Оплата по счету № 35",
        )]),
    );
    let m = k.match_json("2024-08-31", CAL);
    let a = &m["payments"][0]["allocations"][0];
    assert_eq!(a["due"], "2024-08-10");
    assert_eq!(a["days_late"], 1);
}

/// `--show-future-payments` in every view: the per-invoice totals and the manager view
/// carry the future columns too.
#[test]
fn future_payments_in_every_view() {
    let f = world(
        &[
            ("3", "01.05.2024", "31.05.2024", POLUS, "80 000,00"),
            ("4", "01.05.2024", "31.05.2024", ROMASHKA, "20 000,00"),
        ],
        &[Pay::from(
            POLUS,
            "303",
            "15.07.2024",
            "30000.00",
            "Оплата по счету № 3",
        )],
    );
    let csv = |by: &str| {
        let out = sverka()
            .arg("report")
            .arg(f.path())
            .args([
                "--as-of",
                "2024-06-30",
                "--format",
                "table",
                "--show-future-payments",
                "--by",
                by,
            ])
            .output()
            .expect("run");
        String::from_utf8(out.stdout).expect("utf-8")
    };
    let invoice_view = csv("invoice");
    let total = invoice_view
        .lines()
        .find(|l| l.contains("ИТОГО"))
        .expect("total");
    assert!(
        total.contains("30 000,00") && total.contains("70 000,00"),
        "{total}"
    );
    let manager_view = csv("manager");
    assert!(
        manager_view.contains("Оплачено после даты"),
        "{manager_view}"
    );
    let total = manager_view
        .lines()
        .find(|l| l.contains("ИТОГО"))
        .expect("total");
    assert!(
        total.contains("30 000,00") && total.contains("70 000,00"),
        "{total}"
    );
}
