//! `sverka match`: the allocation log. Every incoming payment with where it came from,
//! the invoices it paid, by which rule, what was left as an advance, and what a person
//! should review (unidentified payers, unknown or ambiguous invoice numbers).

use super::{Common, Diagnostics, MatchSettings};
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::matching::refs::RefKind;
use crate::matching::{Allocation, Debit, Matching, Receipt, Source};
use crate::output::json::{date, money, opt_str};
use crate::output::sheet::{Cell, Sheet};
use crate::output::{self, Lang, OutputFormat};
use serde_json::{Value, json};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct MatchLogSettings {
    pub common: Common,
    pub matching: MatchSettings,
    /// Working days, for how late a payment came (ГК РФ ст. 193).
    pub calendar: Option<crate::calendar::Calendar>,
}

pub fn run(s: &MatchLogSettings, diag: &mut dyn Diagnostics) -> Result<()> {
    let format = super::default_format(&s.common, OutputFormat::Csv);
    super::check_binary_target(&s.common, format)?;
    let ledger = super::load_ledger(&s.common, diag)?;
    let m = super::match_ledger(&ledger, &s.matching)?;
    let lang = s.common.render.lang;
    // JSON, CSV and TSV go out as they are made: a year's log is too big to be made whole
    // first. The table and XLSX need every row before the first is written.
    let written = match format {
        OutputFormat::Json => super::emit_with(&s.common, |w| {
            write_json(w, &ledger, &m, s.calendar.as_ref(), lang)
        }),
        OutputFormat::Csv | OutputFormat::Tsv => {
            let sheet = log_sheet(&m, lang);
            super::emit_with(&s.common, |w| {
                output::write_delimited(w, format, &sheet, &s.common.render, |rows| {
                    log_rows(&ledger, &m, lang, |row| rows.write(&row))
                })
            })
        }
        _ => output::render_sheets(format, &sheets(&ledger, &m, lang), &s.common.render)
            .map_err(Error::Render)
            .and_then(|bytes| super::emit(&s.common, &bytes)),
    };
    super::leave((m, ledger));
    written
}

fn debit_number(ledger: &Ledger, d: Debit) -> &str {
    match d {
        Debit::Invoice(i, _) => &ledger.invoices[i].doc.number,
        Debit::Refund(i) => &ledger.payments[i].doc.number,
    }
}

fn counterparty<'a>(ledger: &'a Ledger, r: &Receipt) -> Option<&'a str> {
    r.party().map(|p| ledger.party(p).name.as_str())
}

fn notes_text(r: &Receipt, lang: Lang) -> String {
    r.notes
        .iter()
        .map(|n| match lang {
            Lang::Ru => n.ru(),
            Lang::En => n.en(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn rule_text(rule: crate::matching::Rule, lang: Lang) -> String {
    match lang {
        Lang::Ru => rule.ru().to_string(),
        Lang::En => rule.name().to_string(),
    }
}

/// The log as sheets: one row per allocation (a payment with none gets one row).
pub fn sheets(ledger: &Ledger, m: &Matching, lang: Lang) -> Vec<Sheet> {
    let mut s = log_sheet(m, lang);
    let mut rows = Vec::new();
    // (Collecting rows fails only where allocating does.)
    let _ = log_rows(ledger, m, lang, |row| {
        rows.push(row);
        Ok(())
    });
    s.rows = rows;
    s.hide_empty_in_table();
    vec![s]
}

/// The log's sheet: its name, title and columns (its rows come from [`log_rows`]).
fn log_sheet(m: &Matching, lang: Lang) -> Sheet {
    let mut s = Sheet::new(
        lang.t("Разнесение", "Allocations"),
        format!(
            "{} {}",
            lang.t("Разнесение поступлений на", "Allocation of receipts as of"),
            match lang {
                Lang::Ru => crate::dates::ru(m.as_of),
                Lang::En => crate::dates::iso(m.as_of),
            }
        ),
    );
    s.column(lang.t("Источник", "Source"), false)
        .column(lang.t("Дата", "Date"), true)
        .column(lang.t("Номер", "Number"), true)
        .column(lang.t("Сумма", "Amount"), true)
        .column(lang.t("Плательщик", "Payer"), true)
        .column(lang.t("ИНН", "INN"), true)
        .column(lang.t("Назначение платежа", "Purpose"), false)
        .column(lang.t("Счёт", "Invoice"), true)
        .column(lang.t("Зачтено", "Applied"), true)
        .column(lang.t("Правило", "Rule"), true)
        .column(lang.t("Аванс", "Advance"), true)
        .column(lang.t("Примечание", "Note"), true);
    s
}

/// The log's rows, one per allocation (a payment with none gets one row), handed to
/// `row` as they are made.
fn log_rows(
    ledger: &Ledger,
    m: &Matching,
    lang: Lang,
    mut emit: impl FnMut(Vec<Cell>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let by_source = by_origin(m);
    for r in &m.receipts {
        let p = &ledger.payments[r.payment()];
        let allocs = by_source
            .get(&Source::Payment(r.payment()))
            .cloned()
            .unwrap_or_default();
        let note = if r.unidentified() && r.notes.is_empty() {
            lang.t("неопознанное поступление", "unidentified")
                .to_string()
        } else {
            notes_text(r, lang)
        };
        let head = vec![
            Cell::text(ledger.sources.at(p.doc.prov)),
            Cell::Date(p.cash_date()),
            Cell::text(p.doc.number.as_str()),
            Cell::Money(p.doc.amount),
            Cell::text(counterparty(ledger, r).unwrap_or(&p.doc.payer.name)),
            Cell::opt_text(p.doc.payer.inn.as_deref()),
            Cell::text(p.doc.purpose.to_string()),
        ];
        if allocs.is_empty() {
            let mut row = head;
            row.extend([
                Cell::Empty,
                Cell::Empty,
                Cell::Empty,
                if r.unidentified() {
                    Cell::Empty
                } else {
                    Cell::Money(r.advance)
                },
                Cell::Text(note),
            ]);
            emit(row)?;
            continue;
        }
        for (k, a) in allocs.iter().enumerate() {
            let mut row = if k == 0 {
                head.clone()
            } else {
                vec![Cell::Empty; head.len()]
            };
            row.push(Cell::text(debit_number(ledger, a.debit())));
            row.push(Cell::Money(a.amount));
            row.push(Cell::Text(rule_text(a.rule, lang)));
            if k == 0 {
                row.push(Cell::Money(r.advance));
                row.push(Cell::Text(note.clone()));
            } else {
                row.extend([Cell::Empty, Cell::Empty]);
            }
            emit(row)?;
        }
    }
    // Acquirers', marketplaces' and agents' payouts: listed, applied to nothing.
    for &i in &m.agents {
        let p = &ledger.payments[i];
        emit(vec![
            Cell::text(ledger.sources.at(p.doc.prov)),
            Cell::Date(p.cash_date()),
            Cell::text(p.doc.number.as_str()),
            Cell::Money(p.doc.amount),
            Cell::text(&p.doc.payer.name),
            Cell::opt_text(p.doc.payer.inn.as_deref()),
            Cell::text(p.doc.purpose.to_string()),
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::Empty,
            Cell::text(lang.t(
                "поступление от агента (эквайринг, маркетплейс): не оплата долга",
                "a payout of an agent (acquiring, marketplace): not a payment of a debt",
            )),
        ])?;
    }
    Ok(())
}

/// Allocations grouped by the payment or credit they come from; a write-off goes with
/// the payment that left the trifle.
fn by_origin(m: &Matching) -> HashMap<Source, Vec<&Allocation>> {
    let mut out: HashMap<Source, Vec<&Allocation>> = HashMap::new();
    for a in &m.allocations {
        let origin = match a.source() {
            Source::WriteOff(p) => Source::Payment(p),
            other => other,
        };
        out.entry(origin).or_default().push(a);
    }
    out
}

fn kind_name(k: RefKind) -> &'static str {
    match k {
        RefKind::Invoice => "invoice",
        RefKind::TaxInvoice => "tax_invoice",
        RefKind::Upd => "upd",
        RefKind::Waybill => "waybill",
        RefKind::Act => "act",
    }
}

/// The due date a debt had (a stage's own, else the invoice's from its terms), and the day
/// it became late from: that date moved to a working day by the calendar; `None` for a
/// refund.
fn due_of(
    ledger: &Ledger,
    m: &Matching,
    calendar: Option<&crate::calendar::Calendar>,
    d: Debit,
) -> Option<(chrono::NaiveDate, chrono::NaiveDate)> {
    let Debit::Invoice(i, stage) = d else {
        return None;
    };
    let inv = &ledger.invoices[i];
    let due = match inv.doc.installments().get(usize::from(stage)) {
        Some(s) => s.due,
        None => m.terms.due(ledger, inv).0,
    };
    Some((due, calendar.map_or(due, |c| c.next_working(due))))
}

/// Writes the match log as JSON (see `docs/json.md`) (pretty, with a final newline) a payment at a time, as
/// it goes out: as one tree of values, a year's log took eight times the memory of the
/// rest of the run (894 MiB at 100 MiB of statement, for 92 MB of text), and as bytes
/// made whole before they were written, the size of the text again.
pub fn write_json(
    out: &mut dyn std::io::Write,
    ledger: &Ledger,
    m: &Matching,
    calendar: Option<&crate::calendar::Calendar>,
    lang: Lang,
) -> std::io::Result<()> {
    let log = Log {
        ledger,
        m,
        calendar,
        lang,
        by_source: by_origin(m),
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    out.write_all(b"\n")
}

/// What the match log's JSON is made from.
struct Log<'a> {
    ledger: &'a Ledger,
    m: &'a Matching,
    calendar: Option<&'a crate::calendar::Calendar>,
    lang: Lang,
    by_source: HashMap<Source, Vec<&'a Allocation>>,
}

/// The receipts (all of them, or those to review) as a JSON array, each made as it is
/// written.
struct Payments<'a, 'l> {
    log: &'l Log<'a>,
    review_only: bool,
}

impl serde::Serialize for Payments<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let shown = |r: &&Receipt| {
            !self.review_only || r.unidentified() || r.notes.iter().any(|n| n.needs_review())
        };
        let mut seq = serializer.serialize_seq(None)?;
        for r in self.log.m.receipts.iter().filter(shown) {
            seq.serialize_element(&self.log.payment(r))?;
        }
        seq.end()
    }
}

impl serde::Serialize for Log<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("as_of", &date(self.m.as_of))?;
        map.serialize_entry(
            "payments",
            &Payments {
                log: self,
                review_only: false,
            },
        )?;
        map.serialize_entry("credits", &self.credits())?;
        map.serialize_entry("agent_receipts", &self.agents())?;
        map.serialize_entry(
            "review",
            &Payments {
                log: self,
                review_only: true,
            },
        )?;
        map.end()
    }
}

impl Log<'_> {
    fn allocations(&self, src: Source) -> Vec<Value> {
        let (ledger, m) = (self.ledger, self.m);
        self.by_source
            .get(&src)
            .map(|v| {
                v.iter()
                    .map(|a| {
                        let due = due_of(ledger, m, self.calendar, a.debit());
                        json!({
                            "invoice": debit_number(ledger, a.debit()),
                            "kind": match a.debit() { Debit::Invoice(..) => "invoice", Debit::Refund(_) => "refund" },
                            "installment": match a.debit() { Debit::Invoice(_, k) if k > 0 => Value::from(k + 1), Debit::Invoice(i, _) if !ledger.invoices[i].doc.installments().is_empty() => Value::from(1), _ => Value::Null },
                            "amount": money(a.amount),
                            "settled": money(a.settled()),
                            "date": date(a.date),
                            "rule": a.rule.name(),
                            "due": due.map_or(Value::Null, |(d, _)| date(d)),
                            "days_late": due.map_or(Value::Null, |(_, d)| Value::from((a.date - d).num_days().max(0))),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn payment(&self, r: &Receipt) -> Value {
        let (ledger, lang) = (self.ledger, self.lang);
        let p = &ledger.payments[r.payment()];
        let party = r.party().map(|id| ledger.party(id));
        json!({
            "file": ledger.sources.display(p.doc.prov.file),
            "line": p.doc.prov.line,
            "number": p.doc.number,
            "date": date(p.cash_date()),
            "document_date": date(p.doc.date),
            "amount": money(p.doc.amount),
            "currency": p.doc.currency,
            "payer": p.doc.payer.name,
            "inn": opt_str(p.doc.payer.inn.as_deref()),
            "counterparty": opt_str(party.map(|x| x.name.as_str())),
            "counterparty_inn": opt_str(party.and_then(|x| x.inn.as_deref())),
            "purpose": p.doc.purpose.text(),
            "references": r.refs.iter().map(|x| json!({
                "kind": kind_name(x.kind),
                "number": x.number,
                "date": x.date.map_or(Value::Null, date),
            })).collect::<Vec<_>>(),
            "allocations": self.allocations(Source::Payment(r.payment())),
            "applied": money(r.applied),
            "advance": money(r.advance),
            "written_off": money(r.written_off()),
            "unidentified": r.unidentified(),
            "notes": r.notes.iter().map(|n| json!({
                "code": n.code(),
                "message": match lang { Lang::Ru => n.ru(), Lang::En => n.en() },
            })).collect::<Vec<_>>(),
        })
    }

    fn credits(&self) -> Vec<Value> {
        let (ledger, lang) = (self.ledger, self.lang);
        self.m
            .credits
            .iter()
            .map(|c| {
                let doc = &ledger.credits[c.credit].doc;
                json!({
                    "file": ledger.sources.display(doc.prov.file),
                    "line": doc.prov.line,
                    "number": doc.number,
                    "date": date(doc.date),
                    "amount": money(doc.amount),
                    "counterparty": ledger.party(ledger.credits[c.credit].party).name,
                    "invoice": opt_str(doc.links.first().map(|l| l.label()).as_deref()),
                    "allocations": self.allocations(Source::Credit(c.credit)),
                    "unapplied": money(c.unapplied),
                    "notes": c.link_note.iter().map(|n| json!({
                        "code": n.code(),
                        "message": match lang { Lang::Ru => n.ru(), Lang::En => n.en() },
                    })).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    fn agents(&self) -> Vec<Value> {
        let ledger = self.ledger;
        self.m
            .agents
            .iter()
            .map(|&i| {
                let p = &ledger.payments[i];
                json!({
                    "file": ledger.sources.display(p.doc.prov.file),
                    "line": p.doc.prov.line,
                    "number": p.doc.number,
                    "date": date(p.cash_date()),
                    "amount": money(p.doc.amount),
                    "currency": p.doc.currency,
                    "payer": p.doc.payer.name,
                    "inn": opt_str(p.doc.payer.inn.as_deref()),
                    "purpose": p.doc.purpose.text(),
                })
            })
            .collect()
    }
}
