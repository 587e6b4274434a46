//! JSON for programs. Field names are English and stable (see `docs/json.md`); money is a
//! string with exactly two decimals, dates are `YYYY-MM-DD`, missing values are `null`.

use crate::aging::{Amounts, DebtKind, Register};
use crate::dates::iso;
use crate::money::plain;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

pub fn money(d: Decimal) -> Value {
    Value::String(plain(d))
}

pub fn date(d: NaiveDate) -> Value {
    Value::String(iso(d))
}

pub fn opt_date(d: Option<NaiveDate>) -> Value {
    d.map_or(Value::Null, date)
}

pub fn opt_str(s: Option<&str>) -> Value {
    s.map_or(Value::Null, |s| Value::String(s.to_string()))
}

/// Pretty JSON with a final newline.
pub fn to_bytes(v: &Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

fn buckets(reg: &Register, values: &[Decimal]) -> Value {
    let mut m = Map::new();
    for (name, v) in reg.bucket_names.iter().zip(values) {
        m.insert(name.clone(), money(*v));
    }
    Value::Object(m)
}

fn amounts(reg: &Register, a: &Amounts, m: &mut Map<String, Value>) {
    m.insert("invoiced".into(), money(a.invoiced));
    m.insert("paid".into(), money(a.paid));
    m.insert("credited".into(), money(a.credited));
    m.insert("refunded".into(), money(a.refunded));
    m.insert("written_off".into(), money(a.written_off));
    m.insert("outstanding".into(), money(a.outstanding));
    m.insert("advance".into(), money(a.advance));
    m.insert("unapplied_credit".into(), money(a.unapplied_credit));
    m.insert("net".into(), money(a.net));
    m.insert("buckets".into(), buckets(reg, &a.buckets));
}

/// The register as the contract fixes it.
pub fn register(reg: &Register) -> Value {
    serde_json::to_value(parts(reg)).unwrap_or(Value::Null)
}

/// The register as [`register`] gives it, written as pretty JSON (with a final newline)
/// a row at a time: as one tree of values, a year's register took twice the memory of
/// the rest of the run (159 MiB at 100 MiB of statement, for 12 MB of text).
pub fn register_bytes(reg: &Register) -> Vec<u8> {
    let mut out = Vec::new();
    // (Writing to memory fails only where allocating does.)
    let _ = serde_json::to_writer_pretty(&mut out, &parts(reg));
    out.push(b'\n');
    out
}

/// The register's rows, each made as it is written.
struct Rows<'a>(&'a Register);

impl serde::Serialize for Rows<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let reg = self.0;
        let mut seq = serializer.serialize_seq(Some(reg.rows.len()))?;
        for r in &reg.rows {
            seq.serialize_element(&row(reg, r))?;
        }
        seq.end()
    }
}

/// One row of the register with its open debts.
fn row(reg: &Register, r: &crate::aging::Row) -> Value {
    let mut m = Map::new();
    m.insert("counterparty".into(), json!(r.counterparty));
    m.insert("inn".into(), opt_str(r.inn.as_deref()));
    m.insert("kpp".into(), opt_str(r.kpp.as_deref()));
    m.insert("manager".into(), opt_str(r.manager.as_deref()));
    m.insert("currency".into(), json!(r.currency));
    m.insert("contract".into(), opt_str(r.contract.as_deref()));
    amounts(reg, &r.amounts, &mut m);
    m.insert(
        "valuation".into(),
        r.valuation.as_ref().map_or(Value::Null, |v| {
            json!({
                "currency": crate::model::RUB,
                "rate": v.rate.normalize().to_string(),
                "rate_of": v.rate_of,
                "rate_date": date(v.rate_date),
                "outstanding": money(v.outstanding),
                "advance": money(v.advance),
                "net": money(v.net),
            })
        }),
    );
    m.insert("max_days_overdue".into(), json!(r.max_days_overdue));
    m.insert("last_payment_date".into(), opt_date(r.last_payment_date));
    // Some debt is aged from the default term: its source states no due date.
    m.insert("no_due_date".into(), json!(r.no_due_date));
    let invoices: Vec<Value> = r
                .debts
                .iter()
                .map(|d| {
                    let mut v = json!({
                        "kind": match d.kind { DebtKind::Invoice => "invoice", DebtKind::Refund => "refund" },
                        "number": d.number,
                        "installment": d.installment,
                        "date": date(d.date),
                        "due_date": opt_date(d.due_date),
                        "due": date(d.due),
                        "due_from": d.due_from.name(),
                        "aged_from": date(d.aged_from),
                        "amount": money(d.amount),
                        "paid": money(d.paid),
                        "credited": money(d.credited),
                        "written_off": money(d.written_off),
                        "outstanding": money(d.outstanding),
                        "days_overdue": d.days_overdue.max(0),
                        "bucket": reg.bucket_names[d.bucket],
                        "manager": opt_str(d.manager.as_deref()),
                        "contract": opt_str(d.contract.as_deref()),
                    });
                    if reg.show_future {
                        let paid: Decimal = d.future.iter().map(|f| f.amount).sum();
                        v["future_payments"] = d
                            .future
                            .iter()
                            .map(|f| json!({"date": date(f.date), "number": f.number, "amount": money(f.amount)}))
                            .collect();
                        v["remaining_after"] = money(d.outstanding - paid);
                    }
                    v
                })
                .collect();
    m.insert("invoices".into(), Value::Array(invoices));
    if reg.show_future {
        let paid = r.future_paid();
        m.insert("future_paid".into(), money(paid));
        m.insert(
            "remaining_after".into(),
            money(r.amounts.outstanding - paid),
        );
    }
    Value::Object(m)
}

/// The register's fields in their order, the rows among them unmade.
fn parts(reg: &Register) -> Parts<'_> {
    let listed = |list: &[crate::aging::Unidentified]| -> Vec<Value> {
        list.iter()
            .map(|u| {
                json!({
                    "number": u.number,
                    "date": date(u.date),
                    "amount": money(u.amount),
                    "currency": u.currency,
                    "payer": u.payer,
                    "inn": opt_str(u.inn.as_deref()),
                    "purpose": u.purpose,
                })
            })
            .collect()
    };
    let unidentified = listed(&reg.unidentified);
    let totals_for = |a: &Amounts| {
        let mut m = Map::new();
        amounts(reg, a, &mut m);
        m
    };
    let (first_currency, first) = &reg.totals[0];
    let mut totals = totals_for(first);
    totals.insert("currency".into(), json!(first_currency));
    let by_currency: Vec<Value> = reg
        .totals
        .iter()
        .map(|(c, a)| {
            let mut m = Map::new();
            m.insert("currency".into(), json!(c));
            m.extend(totals_for(a));
            Value::Object(m)
        })
        .collect();
    Parts {
        as_of: date(reg.as_of),
        buckets: &reg.bucket_names,
        rows: Rows(reg),
        unidentified_payments: unidentified,
        agent_receipts: listed(&reg.agent_receipts),
        totals,
        totals_by_currency: by_currency,
        total_in_rub: reg.rub_total.as_ref().map_or(Value::Null, |t| json!({
            "outstanding": money(t.outstanding),
            "advance": money(t.advance),
            "net": money(t.net),
            "rates": t.rates.iter().map(|(c, r, day)| json!({"currency": c, "rate": r.normalize().to_string(), "date": date(*day)})).collect::<Vec<_>>(),
        })),
    }
}

/// The register's JSON object: its fields, in this order.
#[derive(serde::Serialize)]
struct Parts<'a> {
    as_of: Value,
    buckets: &'a [String],
    rows: Rows<'a>,
    unidentified_payments: Vec<Value>,
    agent_receipts: Vec<Value>,
    totals: Map<String, Value>,
    totals_by_currency: Vec<Value>,
    total_in_rub: Value,
}
