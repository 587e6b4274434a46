//! The period review: receivables at the start and the end of a month, quarter or year,
//! what was invoiced and collected, what became overdue, the hard cases, per manager; DSO
//! and the overdue share. What the monthly meeting goes through.
//!
//! Everything comes from two registers (as of the day before the period and as of its
//! last day) and the matching as of the last day; nothing here matches or ages anew.

use crate::aging::{AgingConfig, Register};
use crate::ledger::{Ledger, PartyId, PaymentClass};
use crate::matching::{Debit, Matching};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// One manager's figures in one currency.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    pub customers_start: usize,
    pub customers_end: usize,
    pub outstanding_start: Decimal,
    pub overdue_start: Decimal,
    /// Invoices dated within the period.
    pub invoiced: Decimal,
    /// Customers' money credited within the period (applied or held as an advance).
    pub collected: Decimal,
    /// What fell due within the period and was not paid by its due date.
    pub became_overdue: Decimal,
    pub outstanding_end: Decimal,
    pub overdue_end: Decimal,
    pub advance_end: Decimal,
    /// Customers overdue past the hard-case threshold at the end.
    pub hard_cases: usize,
}

impl Figures {
    fn add(&mut self, o: &Figures) {
        self.customers_start += o.customers_start;
        self.customers_end += o.customers_end;
        self.outstanding_start += o.outstanding_start;
        self.overdue_start += o.overdue_start;
        self.invoiced += o.invoiced;
        self.collected += o.collected;
        self.became_overdue += o.became_overdue;
        self.outstanding_end += o.outstanding_end;
        self.overdue_end += o.overdue_end;
        self.advance_end += o.advance_end;
        self.hard_cases += o.hard_cases;
    }

    /// Overdue at the end as a percentage of what is owed at the end (`None` when nothing
    /// is owed), to one decimal.
    pub fn overdue_share(&self) -> Option<Decimal> {
        (!self.outstanding_end.is_zero())
            .then(|| (self.overdue_end * Decimal::ONE_HUNDRED / self.outstanding_end).round_dp(1))
    }

    /// Days sales outstanding: what is owed at the end over what was invoiced in the
    /// period, times its days (`None` without sales), whole days.
    pub fn dso(&self, days: i64) -> Option<i64> {
        use rust_decimal::prelude::ToPrimitive;
        (self.invoiced > Decimal::ZERO)
            .then(|| (self.outstanding_end * Decimal::from(days) / self.invoiced).round_dp(0))
            .and_then(|d| d.to_i64())
    }
}

/// A customer overdue past the threshold at the end of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardCase {
    pub manager: Option<String>,
    pub counterparty: String,
    pub inn: Option<String>,
    pub contract: Option<String>,
    pub currency: String,
    pub outstanding: Decimal,
    pub overdue: Decimal,
    pub max_days_overdue: i64,
    pub last_payment_date: Option<NaiveDate>,
    /// Overdue at the start of the period too (a case carried over).
    pub carried_over: bool,
}

/// The review of a period.
#[derive(Debug, Clone)]
pub struct Review {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hard_days: i64,
    /// Per manager (`None`: nobody) and currency, managers in name order, nobody last.
    pub managers: Vec<((Option<String>, String), Figures)>,
    /// Per currency (RUB first).
    pub totals: Vec<(String, Figures)>,
    pub hard_cases: Vec<HardCase>,
}

impl Review {
    /// The period's length in days (both ends included).
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
}

/// Builds the review from the registers as of the day before the period (`start`) and
/// as of its last day (`end`), and the matching as of the last day.
pub fn review(
    ledger: &Ledger,
    m_end: &Matching,
    start: &Register,
    end: &Register,
    cfg: &AgingConfig,
    from: NaiveDate,
    hard_days: i64,
) -> Review {
    let to = end.as_of;
    let managers = managers_by_party(ledger, m_end, end, start, cfg);
    let manager_of = |p: PartyId| managers.get(&p).cloned();
    let mut figures: Slots = BTreeMap::new();
    let overdue_of = |r: &crate::aging::Row| -> Decimal { r.amounts.buckets.iter().skip(1).sum() };
    let mut overdue_at_start: HashMap<(PartyId, Option<String>, String), bool> = HashMap::new();
    for r in &start.rows {
        let f = slot(&mut figures, &managers, r.party, &r.currency);
        f.outstanding_start += r.amounts.outstanding;
        f.overdue_start += overdue_of(r);
        if r.amounts.outstanding > Decimal::ZERO {
            f.customers_start += 1;
        }
        overdue_at_start.insert(
            (r.party, r.contract.clone(), r.currency.clone()),
            overdue_of(r) > Decimal::ZERO,
        );
    }
    let mut hard_cases = Vec::new();
    for r in &end.rows {
        let overdue = overdue_of(r);
        let f = slot(&mut figures, &managers, r.party, &r.currency);
        f.outstanding_end += r.amounts.outstanding;
        f.overdue_end += overdue;
        f.advance_end += r.amounts.advance;
        if r.amounts.outstanding > Decimal::ZERO {
            f.customers_end += 1;
        }
        if overdue > Decimal::ZERO && r.max_days_overdue >= hard_days {
            f.hard_cases += 1;
            hard_cases.push(HardCase {
                manager: manager_of(r.party),
                counterparty: r.counterparty.clone(),
                inn: r.inn.clone(),
                contract: r.contract.clone(),
                currency: r.currency.clone(),
                outstanding: r.amounts.outstanding,
                overdue,
                max_days_overdue: r.max_days_overdue,
                last_payment_date: r.last_payment_date,
                carried_over: overdue_at_start
                    .get(&(r.party, r.contract.clone(), r.currency.clone()))
                    .copied()
                    .unwrap_or(false),
            });
        }
    }
    // Invoiced in the period; and, for what fell due in it, what its due date left open.
    let mut settled_by: HashMap<Debit, Vec<(NaiveDate, Decimal)>> = HashMap::new();
    for a in &m_end.allocations {
        settled_by
            .entry(a.debit)
            .or_default()
            .push((a.date, a.settled));
    }
    for &i in &m_end.invoices {
        let inv = &ledger.invoices[i];
        let doc = &inv.doc;
        if doc.date >= from {
            slot(&mut figures, &managers, inv.party, &doc.currency).invoiced += doc.amount;
        }
        let stages: Vec<(NaiveDate, Decimal)> = if doc.installments.is_empty() {
            vec![(m_end.terms.due(ledger, inv).0, doc.amount)]
        } else {
            doc.installments.iter().map(|s| (s.due, s.amount)).collect()
        };
        for (k, (due, amount)) in stages.into_iter().enumerate() {
            let due = cfg.calendar.as_ref().map_or(due, |c| c.next_working(due));
            // Overdue from the day after the due date: that day is in the period.
            let Some(first_overdue) = due.succ_opt() else {
                continue;
            };
            if first_overdue < from || first_overdue > to {
                continue;
            }
            let paid: Decimal = settled_by
                .get(&Debit::Invoice(i, k as u16))
                .map(|v| v.iter().filter(|(d, _)| *d <= due).map(|(_, a)| *a).sum())
                .unwrap_or_default();
            let open = amount - paid;
            if open > Decimal::ZERO {
                slot(&mut figures, &managers, inv.party, &doc.currency).became_overdue += open;
            }
        }
    }
    // Customers' money credited in the period: receipts of known customers.
    for r in &m_end.receipts {
        let p = &ledger.payments[r.payment];
        if p.class != PaymentClass::Receipt || p.cash_date < from {
            continue;
        }
        if let Some(party) = r.party {
            slot(&mut figures, &managers, party, &p.doc.currency).collected += p.doc.amount;
        }
    }
    let mut totals: BTreeMap<String, Figures> = BTreeMap::new();
    for ((_, _, currency), f) in &figures {
        totals.entry(currency.clone()).or_default().add(f);
    }
    let mut totals: Vec<(String, Figures)> = totals.into_iter().collect();
    totals.sort_by_key(|(c, _)| (c != crate::model::RUB, c.clone()));
    hard_cases.sort_by(|a, b| {
        (a.manager.is_none(), &a.manager)
            .cmp(&(b.manager.is_none(), &b.manager))
            .then(b.max_days_overdue.cmp(&a.max_days_overdue))
            .then(b.overdue.cmp(&a.overdue))
            .then(a.counterparty.cmp(&b.counterparty))
    });
    Review {
        from,
        to,
        hard_days,
        managers: figures
            .into_iter()
            .map(|((_, m, c), f)| ((m, c), f))
            .collect(),
        totals,
        hard_cases,
    }
}

type Slots = BTreeMap<(bool, Option<String>, String), Figures>;

/// The figures of a customer's manager in a currency.
fn slot<'a>(
    figures: &'a mut Slots,
    managers: &HashMap<PartyId, String>,
    party: PartyId,
    currency: &str,
) -> &'a mut Figures {
    let m = managers.get(&party).cloned();
    figures
        .entry((m.is_none(), m, currency.to_string()))
        .or_default()
}

/// Who looks after each customer: the register's row manager at the end, else at the
/// start, else the settings' mapping or the customer's latest invoice of the period.
fn managers_by_party(
    ledger: &Ledger,
    m_end: &Matching,
    end: &Register,
    start: &Register,
    cfg: &AgingConfig,
) -> HashMap<PartyId, String> {
    let mut out: HashMap<PartyId, String> = HashMap::new();
    let mut latest: HashMap<PartyId, (NaiveDate, crate::model::Provenance, String)> =
        HashMap::new();
    for &i in &m_end.invoices {
        let inv = &ledger.invoices[i];
        if let Some(name) = &inv.doc.manager {
            let key = (inv.doc.date, inv.doc.prov, name.clone());
            let e = latest.entry(inv.party).or_insert_with(|| key.clone());
            if (e.0, e.1) < (key.0, key.1) {
                *e = key;
            }
        }
    }
    for (p, (_, _, name)) in latest {
        out.insert(p, name);
    }
    for (id, party) in ledger.parties.iter().enumerate() {
        if let Some(name) = party.inn.as_deref().and_then(|i| cfg.managers.get(i)) {
            out.insert(id, name.to_string());
        }
    }
    for r in start.rows.iter().chain(&end.rows) {
        if let Some(name) = &r.manager {
            out.insert(r.party, name.clone());
        }
    }
    out
}
