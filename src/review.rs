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
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::BTreeMap;

/// Halves away from zero, as money is rounded everywhere else.
const HALF_UP: rust_decimal::RoundingStrategy =
    rust_decimal::RoundingStrategy::MidpointAwayFromZero;

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
        (!self.outstanding_end.is_zero()).then(|| {
            (self.overdue_end * Decimal::ONE_HUNDRED / self.outstanding_end)
                .round_dp_with_strategy(1, HALF_UP)
        })
    }

    /// Days sales outstanding: what is owed at the end over what was invoiced in the
    /// period, times its days (`None` without sales), whole days.
    pub fn dso(&self, days: i64) -> Option<i64> {
        use rust_decimal::prelude::ToPrimitive;
        (self.invoiced > Decimal::ZERO)
            .then(|| {
                (self.outstanding_end * Decimal::from(days) / self.invoiced)
                    .round_dp_with_strategy(0, HALF_UP)
            })
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
/// as of its last day (`end`), and the matching as of the last day. Rows count under the
/// manager the register shows for them; invoices and receipts under the manager of the
/// row they belong to (the customer's, or with rows per contract, the contract's).
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
    let managers = Managers::new(ledger, m_end, cfg);
    let mut figures: Slots = BTreeMap::new();
    // The customers counted in each slot at the start and at the end.
    let mut owing: HashMap<(Option<String>, String), Owing> = HashMap::default();
    let overdue_of = |r: &crate::aging::Row| -> Decimal { r.amounts.buckets.iter().skip(1).sum() };
    let mut overdue_at_start: HashMap<(PartyId, Option<String>, String), bool> = HashMap::default();
    for r in &start.rows {
        let f = slot(&mut figures, r.manager.clone(), &r.currency);
        f.outstanding_start += r.amounts.outstanding;
        f.overdue_start += overdue_of(r);
        if r.amounts.outstanding > Decimal::ZERO {
            let e = owing
                .entry((r.manager.clone(), r.currency.clone()))
                .or_default();
            e.0.insert(r.party);
        }
        overdue_at_start.insert(
            (r.party, r.contract.clone(), r.currency.clone()),
            overdue_of(r) > Decimal::ZERO,
        );
    }
    let mut hard_cases = Vec::new();
    for r in &end.rows {
        let overdue = overdue_of(r);
        let f = slot(&mut figures, r.manager.clone(), &r.currency);
        f.outstanding_end += r.amounts.outstanding;
        f.overdue_end += overdue;
        f.advance_end += r.amounts.advance;
        if r.amounts.outstanding > Decimal::ZERO {
            let e = owing
                .entry((r.manager.clone(), r.currency.clone()))
                .or_default();
            e.1.insert(r.party);
        }
        if overdue > Decimal::ZERO && r.max_days_overdue >= hard_days {
            f.hard_cases += 1;
            hard_cases.push(HardCase {
                manager: r.manager.clone(),
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
    // A customer with rows under two managers counts once in the totals.
    let mut owing_total: HashMap<String, Owing> = HashMap::default();
    for ((manager, currency), (at_start, at_end)) in owing {
        let t = owing_total.entry(currency.clone()).or_default();
        t.0.extend(&at_start);
        t.1.extend(&at_end);
        let f = slot(&mut figures, manager, &currency);
        f.customers_start = at_start.len();
        f.customers_end = at_end.len();
    }
    // Invoiced in the period; and, for what fell due in it, what its due date left open.
    let mut settled_by: HashMap<Debit, Vec<(NaiveDate, Decimal)>> = HashMap::default();
    for a in &m_end.allocations {
        settled_by
            .entry(a.debit())
            .or_default()
            .push((a.date, a.settled()));
    }
    for &i in &m_end.invoices {
        let inv = &ledger.invoices[i];
        let doc = &inv.doc;
        let manager = managers.of(inv.party, managers.contract_of(doc.contract.as_deref()));
        if doc.date >= from {
            slot(&mut figures, manager.clone(), &doc.currency).invoiced += doc.amount;
        }
        let stages = doc.stages().map(|(own, amount)| {
            (
                own.unwrap_or_else(|| m_end.terms.due(ledger, inv).0),
                amount,
            )
        });
        for (k, (due, amount)) in stages.enumerate() {
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
                slot(&mut figures, manager.clone(), &doc.currency).became_overdue += open;
            }
        }
    }
    // Customers' money credited in the period: receipts of known customers.
    for r in &m_end.receipts {
        let p = &ledger.payments[r.payment()];
        if p.class != PaymentClass::Receipt || p.cash_date() < from {
            continue;
        }
        if let Some(party) = r.party() {
            let manager = managers.of(party, r.contract().cloned());
            slot(&mut figures, manager, &p.doc.currency).collected += p.doc.amount;
        }
    }
    let mut totals: BTreeMap<String, Figures> = BTreeMap::new();
    for ((_, _, currency), f) in &figures {
        totals.entry(currency.clone()).or_default().add(f);
    }
    let mut totals: Vec<(String, Figures)> = totals.into_iter().collect();
    totals.sort_by_key(|(c, _)| (c != crate::model::RUB, c.clone()));
    for (currency, t) in &mut totals {
        let (at_start, at_end) = owing_total.remove(currency).unwrap_or_default();
        t.customers_start = at_start.len();
        t.customers_end = at_end.len();
    }
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

/// The customers owing something at the start and at the end.
type Owing = (HashSet<PartyId>, HashSet<PartyId>);

/// The figures of a manager in a currency.
fn slot<'a>(figures: &'a mut Slots, manager: Option<String>, currency: &str) -> &'a mut Figures {
    figures
        .entry((manager.is_none(), manager, currency.to_string()))
        .or_default()
}

/// Who looks after a customer's row, as the register decides it: the settings' mapping
/// by INN, else the manager on the latest invoice of the row (the customer's, or the
/// contract's when rows are per contract).
struct Managers<'a> {
    ledger: &'a Ledger,
    cfg: &'a AgingConfig,
    by_contract: bool,
    latest: HashMap<(PartyId, Option<String>), (NaiveDate, crate::model::Provenance, String)>,
}

impl<'a> Managers<'a> {
    fn new(ledger: &'a Ledger, m: &Matching, cfg: &'a AgingConfig) -> Self {
        let mut latest: HashMap<
            (PartyId, Option<String>),
            (NaiveDate, crate::model::Provenance, String),
        > = HashMap::default();
        let by_contract = m.by_contract;
        for &i in &m.invoices {
            let inv = &ledger.invoices[i];
            let Some(name) = &inv.doc.manager else {
                continue;
            };
            let contract = if by_contract {
                inv.doc
                    .contract
                    .as_deref()
                    .map(crate::matching::contract_key)
            } else {
                None
            };
            let key = (inv.doc.date, inv.doc.prov, name.to_string());
            let e = latest
                .entry((inv.party, contract))
                .or_insert_with(|| key.clone());
            if (e.0, e.1) < (key.0, key.1) {
                *e = key;
            }
        }
        Managers {
            ledger,
            cfg,
            by_contract,
            latest,
        }
    }

    /// The row key of a document's contract.
    fn contract_of(&self, contract: Option<&str>) -> Option<String> {
        crate::matching::row_contract(self.by_contract, contract)
    }

    fn of(&self, party: PartyId, contract: Option<String>) -> Option<String> {
        let contract = if self.by_contract { contract } else { None };
        let mapped = self
            .ledger
            .party(party)
            .inn
            .as_deref()
            .and_then(|i| self.cfg.managers.get(i));
        match mapped {
            Some(name) => Some(name.to_string()),
            None => self
                .latest
                .get(&(party, contract))
                .map(|(_, _, n)| n.clone()),
        }
    }
}
