//! EnterpriseData fixtures (`tests/fixtures/enterprisedata/`, described in its README) run
//! through the real binary: what `inspect` reads from each file, the register they make
//! as of 2024-03-31, and which rule applied each receipt and the return.

use crate::support::{Fixture, find_row, invoice, is_open, row, sverka};
use serde_json::Value;
use std::path::PathBuf;

const POLUS: &str = "7703642519";
const ROMASHKA: &str = "7707083893";
const VEKTOR: &str = "7725418937";
const GRANIT: &str = "6671082450";

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/enterprisedata")
}

/// A temporary folder with the four XML files (not the README).
fn world() -> Fixture {
    let f = Fixture::new();
    for name in [
        "ed_1_8_invoices.xml",
        "ed_1_8_receipts.xml",
        "ed_1_8_return.xml",
        "ed_1_21_mixed.xml",
    ] {
        let bytes = std::fs::read(fixtures().join(name)).expect("read fixture");
        f.bytes(name, &bytes);
    }
    f
}

fn inspect(f: &Fixture) -> Value {
    let out = sverka()
        .arg("inspect")
        .arg(f.path())
        .args(["--format", "json"])
        .output()
        .expect("run sverka");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn inspect_reads_every_file_with_its_version_and_counts() {
    let v = inspect(&world());
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 4, "{v:#}");
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("{name} in {v:#}"))
    };
    // (file, version, documents read incl. other, invoices, credits, payments)
    for (name, version, documents, invoices, credits, payments) in [
        ("ed_1_8_invoices.xml", "1.8", 4, 4, 0, 0),
        ("ed_1_8_receipts.xml", "1.8", 4, 0, 0, 3),
        ("ed_1_8_return.xml", "1.8", 1, 0, 1, 0),
        ("ed_1_21_mixed.xml", "1.21", 3, 2, 0, 1),
    ] {
        let f = file(name);
        assert_eq!(f["format"], "enterprisedata", "{name}");
        assert_eq!(f["encoding"], "utf-8", "{name}");
        assert_eq!(f["version"], version, "{name}");
        assert_eq!(f["documents"], documents, "{name}");
        assert_eq!(f["skipped"], 0, "{name}");
        assert_eq!(f["counts"]["invoices"], invoices, "{name}");
        assert_eq!(f["counts"]["credits"], credits, "{name}");
        assert_eq!(f["counts"]["payments"], payments, "{name}");
        assert_eq!(f["warnings"], serde_json::json!([]), "{name}");
    }
}

#[test]
fn the_register_as_of_the_end_of_march() {
    let r = world().report_json("2024-03-31", &[]);
    assert_eq!(r["rows"].as_array().map(Vec::len), Some(3), "{r:#}");

    // Ромашка: the sale replaced invoice 101; paid 70 000 by link, returned 24 000.
    let rom = row(&r, ROMASHKA);
    assert_eq!(rom["counterparty"], "ООО \"Ромашка\"");
    assert_eq!(rom["kpp"], "770701001");
    assert_eq!(rom["manager"], "Иванова Мария");
    assert_eq!(rom["invoiced"], "120000.00");
    assert_eq!(rom["paid"], "70000.00");
    assert_eq!(rom["credited"], "24000.00");
    assert_eq!(rom["outstanding"], "26000.00");
    assert_eq!(rom["last_payment_date"], "2024-03-18");
    assert!(!is_open(rom, "00УТ-000101"), "{rom:#}");
    let sale = invoice(rom, "00УТ-000057");
    assert_eq!(sale["date"], "2024-03-10");
    assert_eq!(sale["due_date"], Value::Null);
    assert_eq!(sale["days_overdue"], 21);
    assert_eq!(sale["bucket"], "1-30");
    assert_eq!(sale["contract"], "№ 12/2024 от 15.01.2024");

    // Вектор: invoice 102 unpaid (the receipt for it is marked for deletion); order 15
    // half paid, aged from its last payment stage.
    let vek = row(&r, VEKTOR);
    assert_eq!(vek["manager"], "Петров Сергей");
    assert_eq!(vek["invoiced"], "125000.00");
    assert_eq!(vek["paid"], "22500.00");
    assert_eq!(vek["outstanding"], "102500.00");
    assert_eq!(vek["max_days_overdue"], 66);
    assert_eq!(vek["last_payment_date"], "2024-03-20");
    let inv = invoice(vek, "00УТ-000102");
    assert_eq!(inv["outstanding"], "80000.00");
    assert_eq!(inv["bucket"], "61-90");
    assert_eq!(inv["contract"], "Основной договор");
    let order = invoice(vek, "00УТ-000015");
    assert_eq!(order["due_date"], "2024-03-25");
    assert_eq!(order["outstanding"], "22500.00");
    assert_eq!(order["days_overdue"], 6);

    // Полюс (1.21): manager from ОбщиеСвойстваОбъектовФормата, due from ЭтапыОплаты; the
    // draft invoice 46 is left out.
    let pol = row(&r, POLUS);
    assert_eq!(pol["manager"], "Сидоров Павел");
    assert_eq!(pol["invoiced"], "60000.00");
    assert_eq!(pol["outstanding"], "35000.00");
    assert!(!is_open(pol, "00БП-000046"), "{pol:#}");
    let i45 = invoice(pol, "00БП-000045");
    assert_eq!(i45["due_date"], "2024-03-22");
    assert_eq!(i45["days_overdue"], 9);
    assert_eq!(i45["contract"], "№ 3-ПН от 01.03.2024");

    // The supplier's refund is no customer's money.
    assert!(find_row(&r, GRANIT).is_none(), "{r:#}");
    assert_eq!(r["unidentified_payments"], serde_json::json!([]));

    let t = &r["totals"];
    assert_eq!(t["invoiced"], "305000.00");
    assert_eq!(t["paid"], "117500.00");
    assert_eq!(t["credited"], "24000.00");
    assert_eq!(t["outstanding"], "163500.00");
    assert_eq!(t["advance"], "0.00");
    assert_eq!(
        t["buckets"],
        serde_json::json!({
            "not_due": "0.00", "1-30": "83500.00", "31-60": "0.00",
            "61-90": "80000.00", "91-120": "0.00", "121+": "0.00",
        })
    );
}

/// `(number, amount, rule)` of each allocation.
fn allocations(v: &Value) -> Vec<(String, String, String)> {
    v["allocations"]
        .as_array()
        .expect("allocations")
        .iter()
        .map(|a| {
            (
                a["invoice"].as_str().unwrap_or_default().to_string(),
                a["amount"].as_str().unwrap_or_default().to_string(),
                a["rule"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn alloc(number: &str, amount: &str, rule: &str) -> (String, String, String) {
    (number.into(), amount.into(), rule.into())
}

#[test]
fn receipts_and_the_return_are_applied_by_their_links() {
    let m = world().match_json("2024-03-31", &[]);
    let payments = m["payments"].as_array().expect("payments");
    let payment = |number: &str| {
        payments
            .iter()
            .find(|p| p["number"] == number)
            .unwrap_or_else(|| panic!("payment {number} in {m:#}"))
    };
    // Only the three customers' receipts: not the supplier's, not the deleted one.
    assert_eq!(payments.len(), 3, "{m:#}");
    assert!(payments.iter().all(|p| p["number"] != "233"));

    // The bank receipt keeps the payer's order number and date; it counts from the statement.
    let bank = payment("512");
    assert_eq!(bank["date"], "2024-03-18");
    assert_eq!(bank["document_date"], "2024-03-15");
    assert_eq!(bank["amount"], "70000.00");
    assert_eq!(bank["inn"], ROMASHKA);
    assert_eq!(
        allocations(bank),
        vec![alloc("00УТ-000057", "70000.00", "link")]
    );
    // The cash receipt names the order.
    let cash = payment("00УТ-000009");
    assert_eq!(cash["amount"], "22500.00");
    assert_eq!(
        allocations(cash),
        vec![alloc("00УТ-000015", "22500.00", "link")]
    );
    // 1.21: no settlement document in the row, so the purpose's reference decides.
    let polus = payment("204");
    assert_eq!(
        allocations(polus),
        vec![alloc("00БП-000045", "25000.00", "reference")]
    );

    let credits = m["credits"].as_array().expect("credits");
    assert_eq!(credits.len(), 1, "{m:#}");
    assert_eq!(credits[0]["number"], "00УТ-000004");
    assert_eq!(credits[0]["invoice"], "00УТ-000057");
    assert_eq!(
        allocations(&credits[0]),
        vec![alloc("00УТ-000057", "24000.00", "link")]
    );
    assert_eq!(m["review"], serde_json::json!([]));
}
