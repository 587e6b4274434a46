//! Aging: the debtor register as of a date, computed from the ledger and the allocations.
//!
//! Every debt's outstanding amount goes into one bucket by its age (as-of date minus due
//! date, calendar days; age ≤ 0 is "not due"); money a customer paid that no debt took
//! is their advance, never a negative bucket. Before anything is shown, the register is
//! checked: buckets add up to outstanding for every row and for the totals, nothing is
//! negative, and every rouble received is applied, held as an advance or unidentified.

use crate::ledger::{Ledger, PartyId};
use crate::matching::{Debit, Matching, Note, Source};
use crate::terms::DueFrom;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use std::collections::BTreeMap;

/// What the age counts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AgeBy {
    /// From the due date (the invoice's, else its date plus the default term).
    #[default]
    Due,
    /// From the document date.
    Date,
}

/// Aging settings.
#[derive(Debug, Clone)]
pub struct AgingConfig {
    /// Upper bounds of the overdue buckets in days, ascending (`30,60,90,120`).
    pub buckets: Vec<u32>,
    pub age_by: AgeBy,
    /// Exchange rates, to value rows in other currencies in roubles as of the report date.
    pub rates: crate::rates::Rates,
    /// The currency у.е. are pegged to.
    pub ue: Option<String>,
    /// Working days: a due date on a day off moves to the next working day (ГК РФ ст.
    /// 193). `None`: calendar days only (the default).
    pub calendar: Option<crate::calendar::Calendar>,
    /// The current manager of each customer, over the invoices' `Ответственный`.
    pub managers: crate::managers::Managers,
}

impl Default for AgingConfig {
    fn default() -> Self {
        AgingConfig {
            buckets: vec![30, 60, 90, 120],
            age_by: AgeBy::Due,
            rates: crate::rates::Rates::default(),
            ue: None,
            calendar: None,
            managers: crate::managers::Managers::default(),
        }
    }
}

impl AgingConfig {
    /// Bucket names: `not_due`, `1-30`, …, `121+`.
    pub fn bucket_names(&self) -> Vec<String> {
        let mut names = vec!["not_due".to_string()];
        let mut lower = 1;
        for &b in &self.buckets {
            names.push(format!("{lower}-{b}"));
            lower = b + 1;
        }
        names.push(format!("{lower}+"));
        names
    }

    /// The bucket index of an age.
    pub fn bucket_of(&self, age: i64) -> usize {
        if age <= 0 {
            return 0;
        }
        self.buckets
            .iter()
            .position(|&b| age <= i64::from(b))
            .map_or(self.buckets.len() + 1, |i| i + 1)
    }
}

/// The kind of an open debt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DebtKind {
    Invoice,
    /// Money we returned to the customer beyond their advance.
    Refund,
}

/// One open debt in the register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDebt {
    pub kind: DebtKind,
    /// The debt in the matching's terms.
    pub debit: Debit,
    pub number: crate::model::Text,
    /// The stage of the invoice's payment schedule (1-based), when it has one.
    pub installment: Option<u16>,
    pub date: NaiveDate,
    /// The due date the source gives (`None` when it gives none).
    pub due_date: Option<NaiveDate>,
    /// The due date used: the source's, else the date plus the agreed or default term.
    pub due: NaiveDate,
    /// Where `due` comes from.
    pub due_from: DueFrom,
    /// The date the age counts from.
    pub aged_from: NaiveDate,
    pub amount: Decimal,
    pub paid: Decimal,
    pub credited: Decimal,
    /// Underpayment written off within the tolerance.
    pub written_off: Decimal,
    pub outstanding: Decimal,
    /// Age in days; negative or zero when not due.
    pub days_overdue: i64,
    pub bucket: usize,
    pub manager: Option<crate::model::Shared>,
    pub contract: Option<crate::model::Shared>,
    /// Money applied to it after the report date (`--show-future-payments`).
    pub future: Vec<FuturePayment>,
}

/// Money applied to a debt after the report date: a payment (or credit note) the
/// register as of that date does not count yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FuturePayment {
    pub date: NaiveDate,
    /// The payment's or credit note's number.
    pub number: String,
    /// What it settles of the debt.
    pub amount: Decimal,
}

/// Sums shown per row and in the totals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Amounts {
    pub invoiced: Decimal,
    /// Refunds we paid to the customer (they add to what the customer owes).
    pub refunded: Decimal,
    /// Money applied to the customer's debts.
    pub paid: Decimal,
    /// Credit notes applied to the customer's debts.
    pub credited: Decimal,
    /// Underpayments written off within the tolerance.
    pub written_off: Decimal,
    pub outstanding: Decimal,
    /// Unapplied money and credit notes.
    pub advance: Decimal,
    /// The part of `advance` that is credit notes (returns, corrections) not applied yet:
    /// the customer's "нераспределённый кредит" (S32).
    pub unapplied_credit: Decimal,
    pub net: Decimal,
    pub buckets: Vec<Decimal>,
}

impl Amounts {
    fn new(n: usize) -> Self {
        Amounts {
            buckets: vec![Decimal::ZERO; n],
            ..Amounts::default()
        }
    }

    fn add(&mut self, o: &Amounts) {
        self.invoiced += o.invoiced;
        self.refunded += o.refunded;
        self.paid += o.paid;
        self.credited += o.credited;
        self.written_off += o.written_off;
        self.outstanding += o.outstanding;
        self.advance += o.advance;
        self.unapplied_credit += o.unapplied_credit;
        self.net += o.net;
        for (a, b) in self.buckets.iter_mut().zip(&o.buckets) {
            *a += *b;
        }
    }
}

/// One counterparty in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub party: PartyId,
    pub counterparty: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    pub manager: Option<String>,
    pub currency: String,
    pub amounts: Amounts,
    /// The oldest age among overdue debts (0 when nothing is overdue).
    pub max_days_overdue: i64,
    pub last_payment_date: Option<NaiveDate>,
    /// Open debts, by due date then number.
    pub debts: Vec<OpenDebt>,
    /// Debts without a due date were aged from their date plus the default term.
    pub no_due_date: bool,
    /// The contract when settling per contract: as its first invoice writes it, else the
    /// number a payment named.
    pub contract: Option<String>,
    /// A row in another currency valued in roubles at the report date's rate.
    pub valuation: Option<Valuation>,
}

impl Row {
    /// What was applied to its open debts after the report date.
    pub fn future_paid(&self) -> Decimal {
        self.debts
            .iter()
            .flat_map(|d| d.future.iter().map(|f| f.amount))
            .sum()
    }
}

/// Roubles for a row in another currency, and the rate that gave them (S51, S52).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Valuation {
    /// Roubles per unit, and the day of that rate (the latest on or before the report date).
    pub rate: Decimal,
    pub rate_date: NaiveDate,
    pub rate_of: String,
    pub outstanding: Decimal,
    pub advance: Decimal,
    pub net: Decimal,
}

/// The register's total in roubles when rows are in several currencies and every one has
/// a rate: the only honest grand total (S52).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RubTotal {
    pub outstanding: Decimal,
    pub advance: Decimal,
    pub net: Decimal,
    /// The rates used: currency, roubles per unit, the day of the rate.
    pub rates: Vec<(String, Decimal, NaiveDate)>,
}

/// A receipt nobody could be credited with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unidentified {
    pub payment: usize,
    pub number: String,
    pub date: NaiveDate,
    pub amount: Decimal,
    pub currency: String,
    pub payer: String,
    pub inn: Option<String>,
    pub purpose: String,
    pub notes: Vec<Note>,
}

/// The register.
#[derive(Debug, Clone)]
pub struct Register {
    pub as_of: NaiveDate,
    pub bucket_names: Vec<String>,
    pub rows: Vec<Row>,
    pub unidentified: Vec<Unidentified>,
    /// Payouts of acquirers, marketplaces and agents: not customers' payments, listed so
    /// that no money goes unseen.
    pub agent_receipts: Vec<Unidentified>,
    /// The total in roubles over several currencies, when rates allow.
    pub rub_total: Option<RubTotal>,
    /// Totals per currency (RUB first).
    pub totals: Vec<(String, Amounts)>,
    /// Money received in the period per currency: applied + advance + unidentified.
    pub received: Vec<(String, Decimal)>,
    /// Rows are per contract (`--level contract`).
    pub by_contract: bool,
    /// Years of due dates the calendar has no data for (weekends and the fixed holidays
    /// of ТК РФ ст. 112 only).
    pub guessed_years: Vec<i32>,
    /// Debts carry what was applied to them after the report date.
    pub show_future: bool,
}

/// A broken invariant: a bug, never an input problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "internal check failed: {0}. This is a bug in sverka; please report it with the input files"
)]
pub struct InvariantError(pub String);
/// What each debt was paid by payments, by credit notes and by write-offs, summed from
/// the allocations. What payments paid for an invoice's only (or first) stage, as most
/// of what is paid is, is kept by the invoice's index; the rest (credit notes,
/// write-offs, refunds, later stages: few) by key (a map of a million debts would take
/// half as much again, and three sums an invoice three times as much).
struct Paid {
    by_payments: Vec<Decimal>,
    other: HashMap<Debit, (Decimal, Decimal, Decimal)>,
}

impl Paid {
    fn new(ledger: &Ledger, m: &Matching) -> Paid {
        let mut paid = Paid {
            by_payments: vec![Decimal::ZERO; ledger.invoices.len()],
            other: HashMap::default(),
        };
        for a in &m.allocations {
            match (a.debit(), a.source()) {
                (Debit::Invoice(i, 0), Source::Payment(_)) if i < paid.by_payments.len() => {
                    paid.by_payments[i] += a.settled();
                }
                (debit, source) => {
                    let e = paid.other.entry(debit).or_default();
                    match source {
                        Source::Payment(_) => e.0 += a.settled(),
                        Source::Credit(_) => e.1 += a.settled(),
                        Source::WriteOff(_) => e.2 += a.settled(),
                    }
                }
            }
        }
        paid
    }

    /// (by payments, by credit notes, written off).
    fn of(&self, debit: Debit) -> (Decimal, Decimal, Decimal) {
        let (p, c, w) = self.other.get(&debit).copied().unwrap_or_default();
        match debit {
            Debit::Invoice(i, 0) if i < self.by_payments.len() => (p + self.by_payments[i], c, w),
            _ => (p, c, w),
        }
    }
}

/// The contract a document's row is under (see [`crate::matching::row_contract`]).
fn contract_of(m: &Matching, contract: Option<&str>) -> Option<String> {
    crate::matching::row_contract(m.by_contract, contract)
}

/// A row of the register being summed: per party and currency, and per contract when
/// settling per contract.
type AccKey = (PartyId, Option<String>, crate::model::Text);

#[derive(Default)]
struct Acc {
    amounts: Option<Amounts>,
    debts: Vec<OpenDebt>,
    last_payment: Option<NaiveDate>,
    manager: Option<(NaiveDate, crate::model::Provenance, String)>,
    no_due: bool,
    /// The contract as its first invoice writes it (settling per contract).
    contract_text: Option<String>,
}

/// The rows' sums, open debts, managers and contracts from the invoices, refunds and
/// receipts of the parties `mine` picks (the register's parts are worked out on all
/// cores), the years the calendar had to guess, and the money those receipts brought in
/// each currency.
fn accumulate(
    ledger: &Ledger,
    m: &Matching,
    cfg: &AgingConfig,
    paid: &Paid,
    mine: impl Fn(PartyId) -> bool,
) -> (
    BTreeMap<AccKey, Acc>,
    std::collections::BTreeSet<i32>,
    BTreeMap<String, Decimal>,
) {
    let as_of = m.as_of;
    let nb = cfg.buckets.len() + 2;
    // Rows per party and currency, and per contract when settling per contract.
    let mut acc: BTreeMap<AccKey, Acc> = BTreeMap::new();
    // Each party's open debts are counted first, so that a row's list is made once at its
    // size: grown by doubling, the lists and the smaller ones they left behind took
    // twice their room, at the peak of the run's memory. (A party with several rows,
    // per contract or currency, gives its first row room for all of them.)
    let mut open_left: Vec<u32> = vec![0; ledger.parties.len()];
    for &i in &m.invoices {
        let inv = &ledger.invoices[i];
        if let Some(left) = open_left.get_mut(inv.party).filter(|_| mine(inv.party)) {
            let open = inv
                .doc
                .stages()
                .enumerate()
                .filter(|&(k, (_, amount))| {
                    let (p, c, w) = paid.of(Debit::Invoice(i, k as u16));
                    !(amount - p - c - w).is_zero()
                })
                .count();
            *left += open as u32;
        }
    }
    for &i in &m.refunds {
        let pay = &ledger.payments[i];
        if let Some(left) = pay
            .party()
            .filter(|&p| mine(p))
            .and_then(|p| open_left.get_mut(p))
        {
            let (p, c, w) = paid.of(Debit::Refund(i));
            *left += u32::from(!(pay.doc.amount - p - c - w).is_zero());
        }
    }
    let mut debt =
        |party: PartyId, contract: Option<String>, currency: &str, d: OpenDebt, invoiced: bool| {
            let e = acc.entry((party, contract, currency.into())).or_default();
            let a = e.amounts.get_or_insert_with(|| Amounts::new(nb));
            if invoiced {
                a.invoiced += d.amount;
            } else {
                a.refunded += d.amount;
            }
            a.paid += d.paid;
            a.credited += d.credited;
            a.written_off += d.written_off;
            if d.outstanding != Decimal::ZERO {
                a.outstanding += d.outstanding;
                a.buckets[d.bucket] += d.outstanding;
                if d.due_from == DueFrom::Default {
                    e.no_due = true;
                }
                if e.debts.capacity() == 0
                    && let Some(&left) = open_left.get(party)
                {
                    e.debts.reserve_exact(left as usize);
                }
                if let Some(left) = open_left.get_mut(party) {
                    *left = left.saturating_sub(1);
                }
                e.debts.push(d);
            }
        };
    // With a calendar, a term ending on a day off ends on the next working day; years the
    // calendar has no data for are noted.
    let mut guessed_years: std::collections::BTreeSet<i32> = std::collections::BTreeSet::new();
    let mut working_due = |due: NaiveDate| match &cfg.calendar {
        Some(c) => {
            use chrono::Datelike;
            if !c.knows_year(due.year()) {
                guessed_years.insert(due.year());
            }
            c.next_working(due)
        }
        None => due,
    };
    for &i in &m.invoices {
        let inv = &ledger.invoices[i];
        if !mine(inv.party) {
            continue;
        }
        let doc = &inv.doc;
        let (whole_due, whole_from) = m.terms.due(ledger, inv);
        // Each stage of a payment schedule ages from its own due date (S39).
        let stages = doc
            .stages()
            .enumerate()
            .map(|(k, (due, amount))| match due {
                None => (None, whole_due, whole_from, amount),
                Some(due) => (Some(k as u16 + 1), due, DueFrom::Document, amount),
            });
        for (k, (stage, due, due_from, amount)) in stages.enumerate() {
            let (p, c, w) = paid.of(Debit::Invoice(i, k as u16));
            let due_date = (due_from == DueFrom::Document).then_some(due);
            let aged_from = match cfg.age_by {
                AgeBy::Due => working_due(due),
                AgeBy::Date => doc.date,
            };
            let age = (as_of - aged_from).num_days();
            let outstanding = amount - p - c - w;
            // Only an open debt is kept: a paid one gives its sums, not its texts.
            let open = !outstanding.is_zero();
            debt(
                inv.party,
                contract_of(m, doc.contract.as_deref()),
                &doc.currency,
                OpenDebt {
                    kind: DebtKind::Invoice,
                    debit: Debit::Invoice(i, k as u16),
                    number: if open {
                        doc.number.clone()
                    } else {
                        crate::model::Text::default()
                    },
                    installment: stage,
                    date: doc.date,
                    due_date,
                    due,
                    due_from,
                    aged_from,
                    amount,
                    paid: p,
                    credited: c,
                    written_off: w,
                    outstanding,
                    days_overdue: age,
                    bucket: cfg.bucket_of(age),
                    manager: open.then(|| doc.manager.clone()).flatten(),
                    contract: open.then(|| doc.contract.clone()).flatten(),
                    future: Vec::new(),
                },
                true,
            );
        }
    }
    for &i in &m.refunds {
        let pay = &ledger.payments[i];
        let Some(party) = pay.party().filter(|&p| mine(p)) else {
            continue;
        };
        let (p, c, w) = paid.of(Debit::Refund(i));
        let age = (as_of - pay.cash_date()).num_days();
        debt(
            party,
            None,
            &pay.doc.currency,
            OpenDebt {
                kind: DebtKind::Refund,
                debit: Debit::Refund(i),
                number: pay.doc.number.clone(),
                installment: None,
                date: pay.cash_date(),
                due_date: Some(pay.cash_date()),
                due: pay.cash_date(),
                due_from: DueFrom::Document,
                aged_from: pay.cash_date(),
                amount: pay.doc.amount,
                paid: p,
                credited: c,
                written_off: w,
                outstanding: pay.doc.amount - p - c - w,
                days_overdue: age,
                bucket: cfg.bucket_of(age),
                manager: None,
                contract: None,
                future: Vec::new(),
            },
            false,
        );
    }
    // Managers: the one named on the customer's latest invoice; the contract's wording.
    for &i in &m.invoices {
        let inv = &ledger.invoices[i];
        if !mine(inv.party) {
            continue;
        }
        if m.by_contract
            && let Some(text) = &inv.doc.contract
        {
            let e = acc
                .entry((
                    inv.party,
                    contract_of(m, inv.doc.contract.as_deref()),
                    crate::model::Text::from(&*inv.doc.currency),
                ))
                .or_default();
            e.contract_text.get_or_insert_with(|| text.to_string());
        }
        if let Some(man) = &inv.doc.manager {
            let e = acc
                .entry((
                    inv.party,
                    contract_of(m, inv.doc.contract.as_deref()),
                    crate::model::Text::from(&*inv.doc.currency),
                ))
                .or_default();
            let key = (inv.doc.date, inv.doc.prov);
            if e.manager.as_ref().is_none_or(|m| (m.0, m.1) < key) {
                e.manager = Some((key.0, key.1, man.to_string()));
            }
        }
    }
    // The party's receipts: what is left with it as an advance, its last payment, and
    // the money received (in each currency).
    let mut received: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in &m.receipts {
        let Some(party) = r.party().filter(|&p| mine(p)) else {
            continue;
        };
        let pay = &ledger.payments[r.payment()];
        add_received(&mut received, &pay.doc.currency, pay.doc.amount);
        let e = acc
            .entry((
                party,
                r.contract().cloned(),
                crate::model::Text::from(&*pay.doc.currency),
            ))
            .or_default();
        // A contract only payments name is shown as the first one writes it.
        if let Some(text) = r.contract_text() {
            e.contract_text.get_or_insert_with(|| text.to_string());
        }
        let a = e.amounts.get_or_insert_with(|| Amounts::new(nb));
        a.advance += r.advance;
        if e.last_payment.is_none_or(|d| d < pay.cash_date()) {
            e.last_payment = Some(pay.cash_date());
        }
    }
    (acc, guessed_years, received)
}

/// A payment listed on its own (nobody known paid it, or an agent did), with its notes.
fn listed(ledger: &Ledger, payment: usize, notes: Vec<Note>) -> Unidentified {
    let pay = &ledger.payments[payment];
    Unidentified {
        payment,
        number: pay.doc.number.to_string(),
        date: pay.cash_date(),
        amount: pay.doc.amount,
        currency: pay.doc.currency.to_string(),
        payer: pay.doc.payer.name.clone(),
        inn: pay.doc.payer.inn.clone(),
        purpose: pay.doc.purpose.to_string(),
        notes,
    }
}

/// Adds money received in `currency` to the sums by currency.
fn add_received(received: &mut BTreeMap<String, Decimal>, currency: &str, amount: Decimal) {
    match received.get_mut(currency) {
        Some(sum) => *sum += amount,
        None => {
            received.insert(currency.to_string(), amount);
        }
    }
}

/// Builds the register as of the matching's date and checks it.
pub fn register(
    ledger: &Ledger,
    m: &Matching,
    cfg: &AgingConfig,
) -> Result<Register, InvariantError> {
    let as_of = m.as_of;
    let nb = cfg.buckets.len() + 2;
    let paid = Paid::new(ledger, m);

    // Each party's rows are summed on one thread, the parties shared out among all cores.
    let threads = crate::par::threads_for(m.invoices.len());
    let parts = crate::par::each(threads, |k| {
        accumulate(ledger, m, cfg, &paid, |p| p % threads == k)
    });
    drop(paid);
    let mut acc: BTreeMap<AccKey, Acc> = BTreeMap::new();
    let mut guessed_years = std::collections::BTreeSet::new();
    let mut received: BTreeMap<String, Decimal> = BTreeMap::new();
    for (mut part, years, sums) in parts {
        acc.append(&mut part);
        guessed_years.extend(years);
        for (currency, amount) in sums {
            add_received(&mut received, &currency, amount);
        }
    }
    // (The parties' receipts were summed with their rows; these are the receipts of
    // nobody known.)
    let mut unidentified = Vec::new();
    for r in m.receipts.iter().filter(|r| r.party().is_none()) {
        let pay = &ledger.payments[r.payment()];
        add_received(&mut received, &pay.doc.currency, pay.doc.amount);
        unidentified.push(listed(ledger, r.payment(), r.notes.to_vec()));
    }
    for c in &m.credits {
        let credit = &ledger.credits[c.credit];
        let e = acc
            .entry((
                credit.party,
                contract_of(m, credit.doc.contract.as_deref()),
                crate::model::Text::from(&*credit.doc.currency),
            ))
            .or_default();
        let a = e.amounts.get_or_insert_with(|| Amounts::new(nb));
        a.advance += c.unapplied;
        a.unapplied_credit += c.unapplied;
    }

    let mut rows = Vec::new();
    for ((party, contract, currency), e) in acc {
        let Some(mut amounts) = e.amounts else {
            continue;
        };
        amounts.net = amounts.outstanding - amounts.advance;
        if amounts.outstanding.is_zero() && amounts.advance.is_zero() {
            continue;
        }
        let info = ledger.party(party);
        let mut debts = e.debts;
        debts.sort_by(|a, b| {
            (a.aged_from, a.date, &a.number).cmp(&(b.aged_from, b.date, &b.number))
        });
        let max_days_overdue = debts
            .iter()
            .map(|d| d.days_overdue)
            .max()
            .unwrap_or(0)
            .max(0);
        // The settings' mapping is the current assignment: it wins over the invoices.
        let assigned = info.inn.as_deref().and_then(|i| cfg.managers.get(i));
        if let Some(name) = assigned {
            let name = crate::model::Shared::from(name);
            for d in &mut debts {
                d.manager = Some(name.clone());
            }
        }
        rows.push(Row {
            party,
            counterparty: info.name.clone(),
            inn: info.inn.clone(),
            kpp: info.kpp.clone(),
            manager: assigned.map(str::to_string).or(e.manager.map(|m| m.2)),
            currency: currency.to_string(),
            amounts,
            max_days_overdue,
            last_payment_date: e.last_payment,
            debts,
            no_due_date: e.no_due,
            contract: e.contract_text.or(contract),
            valuation: None,
        });
    }
    // Stable order: INN, then name (parties without INN last), then currency.
    rows.sort_by(|a, b| {
        (
            a.inn.is_none(),
            &a.inn,
            &a.counterparty,
            &a.contract,
            &a.currency,
        )
            .cmp(&(
                b.inn.is_none(),
                &b.inn,
                &b.counterparty,
                &b.contract,
                &b.currency,
            ))
    });
    unidentified.sort_by(|a, b| (a.date, &a.number, a.amount).cmp(&(b.date, &b.number, b.amount)));
    let agent_receipts: Vec<Unidentified> = m
        .agents
        .iter()
        .map(|&i| listed(ledger, i, Vec::new()))
        .collect();
    let totals = totals_of(&rows, nb);
    let reg = Register {
        as_of,
        bucket_names: cfg.bucket_names(),
        rows,
        unidentified,
        agent_receipts,
        rub_total: None,
        totals,
        received: received.into_iter().collect(),
        by_contract: m.by_contract,
        guessed_years: guessed_years.into_iter().collect(),
        show_future: false,
    };
    let mut reg = reg;
    value_in_roubles(&mut reg, cfg);
    check(&reg, ledger, m)?;
    Ok(reg)
}

/// Totals per currency (RUB first; an empty register has a zero RUB total).
fn totals_of(rows: &[Row], nb: usize) -> Vec<(String, Amounts)> {
    let mut totals: BTreeMap<String, Amounts> = BTreeMap::new();
    for r in rows {
        totals
            .entry(r.currency.clone())
            .or_insert_with(|| Amounts::new(nb))
            .add(&r.amounts);
    }
    let mut totals: Vec<(String, Amounts)> = totals.into_iter().collect();
    totals.sort_by_key(|(c, _)| (c != crate::model::RUB, c.clone()));
    if totals.is_empty() {
        totals.push((crate::model::RUB.to_string(), Amounts::new(nb)));
    }
    totals
}

impl Register {
    /// Attaches to every open debt what was applied to it after the report date, from a
    /// matching over all the documents (`later`): the "future payments" view (S03, S41).
    pub fn attach_future(&mut self, ledger: &Ledger, later: &Matching) {
        let mut by_debit: HashMap<Debit, Vec<FuturePayment>> = HashMap::default();
        for a in &later.allocations {
            if a.date <= self.as_of {
                continue;
            }
            let number = match a.source() {
                Source::Payment(p) | Source::WriteOff(p) => ledger.payments[p].doc.number.clone(),
                Source::Credit(c) => ledger.credits[c].doc.number.clone(),
            };
            by_debit.entry(a.debit()).or_default().push(FuturePayment {
                date: a.date,
                number: number.to_string(),
                amount: a.settled(),
            });
        }
        self.show_future = true;
        for r in &mut self.rows {
            for d in &mut r.debts {
                if let Some(list) = by_debit.get(&d.debit) {
                    let mut list = list.clone();
                    list.sort_by(|a, b| (a.date, &a.number).cmp(&(b.date, &b.number)));
                    // Never more than is open as of the report date.
                    let mut left = d.outstanding;
                    for f in &mut list {
                        f.amount = f.amount.min(left);
                        left -= f.amount;
                    }
                    list.retain(|f| f.amount > Decimal::ZERO);
                    d.future = list;
                }
            }
        }
    }

    /// The managers of the rows, each once (`None` for rows nobody looks after), in order.
    /// Nobody's part exists also when only receipts tied to no customer fall in it.
    pub fn managers(&self) -> Vec<Option<String>> {
        let mut names: Vec<Option<String>> = self.rows.iter().map(|r| r.manager.clone()).collect();
        if !self.unidentified.is_empty() || !self.agent_receipts.is_empty() {
            names.push(None);
        }
        names.sort_by(|a, b| (a.is_none(), a).cmp(&(b.is_none(), b)));
        names.dedup();
        names
    }

    /// The register of one manager's customers (`None`: the customers nobody looks
    /// after), with its own totals. Receipts tied to no customer (unidentified ones,
    /// agents' payouts) go with the customers nobody looks after.
    pub fn of_manager(&self, manager: Option<&str>, cfg: &AgingConfig) -> Register {
        let rows: Vec<Row> = self
            .rows
            .iter()
            .filter(|r| r.manager.as_deref() == manager)
            .cloned()
            .collect();
        let totals = totals_of(&rows, self.bucket_names.len());
        let mut reg = Register {
            as_of: self.as_of,
            bucket_names: self.bucket_names.clone(),
            rows,
            unidentified: if manager.is_none() {
                self.unidentified.clone()
            } else {
                Vec::new()
            },
            agent_receipts: if manager.is_none() {
                self.agent_receipts.clone()
            } else {
                Vec::new()
            },
            rub_total: None,
            totals,
            received: Vec::new(),
            by_contract: self.by_contract,
            guessed_years: self.guessed_years.clone(),
            show_future: self.show_future,
        };
        value_in_roubles(&mut reg, cfg);
        reg
    }
}

/// Values rows in other currencies in roubles at the report date's rate, and totals the
/// register in roubles when every currency has a rate.
fn value_in_roubles(reg: &mut Register, cfg: &AgingConfig) {
    let rate_of = |currency: &str| -> Option<(Decimal, NaiveDate, String)> {
        let code = match (currency, &cfg.ue) {
            ("у.е.", Some(peg)) => peg.as_str(),
            _ => currency,
        };
        cfg.rates
            .dated(code, reg.as_of)
            .map(|(day, r)| (r, day, code.to_string()))
    };
    let mut rates: Vec<(String, Decimal, NaiveDate)> = Vec::new();
    let mut all = true;
    let (mut outstanding, mut advance) = (Decimal::ZERO, Decimal::ZERO);
    for r in &mut reg.rows {
        if r.currency == crate::model::RUB {
            outstanding += r.amounts.outstanding;
            advance += r.amounts.advance;
            continue;
        }
        match rate_of(&r.currency) {
            Some((rate, day, code)) => {
                let v = |x: Decimal| crate::money::round2(x * rate);
                let value = Valuation {
                    rate,
                    rate_date: day,
                    rate_of: code,
                    outstanding: v(r.amounts.outstanding),
                    advance: v(r.amounts.advance),
                    net: v(r.amounts.outstanding) - v(r.amounts.advance),
                };
                outstanding += value.outstanding;
                advance += value.advance;
                if !rates.iter().any(|(c, ..)| *c == r.currency) {
                    rates.push((r.currency.clone(), rate, day));
                }
                r.valuation = Some(value);
            }
            None => all = false,
        }
    }
    if all && !rates.is_empty() {
        reg.rub_total = Some(RubTotal {
            outstanding,
            advance,
            net: outstanding - advance,
            rates,
        });
    }
}

/// The invariants every register must satisfy.
pub fn check(reg: &Register, ledger: &Ledger, m: &Matching) -> Result<(), InvariantError> {
    let fail = |s: String| Err(InvariantError(s));
    for r in &reg.rows {
        let a = &r.amounts;
        let sum: Decimal = a.buckets.iter().sum();
        if sum != a.outstanding {
            return fail(format!(
                "{}: buckets sum to {sum} but outstanding is {}",
                r.counterparty, a.outstanding
            ));
        }
        if a.outstanding < Decimal::ZERO
            || a.advance < Decimal::ZERO
            || a.buckets.iter().any(|b| *b < Decimal::ZERO)
        {
            return fail(format!(
                "{}: a negative outstanding, bucket or advance",
                r.counterparty
            ));
        }
        if a.invoiced + a.refunded - a.paid - a.credited - a.written_off != a.outstanding {
            return fail(format!(
                "{}: invoiced {} + refunded {} - paid {} - credited {} - written off {} != outstanding {}",
                r.counterparty,
                a.invoiced,
                a.refunded,
                a.paid,
                a.credited,
                a.written_off,
                a.outstanding
            ));
        }

        if a.net != a.outstanding - a.advance {
            return fail(format!(
                "{}: net is not outstanding minus advance",
                r.counterparty
            ));
        }
        for d in &r.debts {
            if d.outstanding <= Decimal::ZERO || d.outstanding > d.amount {
                return fail(format!(
                    "{}: debt {} has outstanding {}",
                    r.counterparty, d.number, d.outstanding
                ));
            }
        }
    }
    for (cur, t) in &reg.totals {
        let sum: Decimal = t.buckets.iter().sum();
        if sum != t.outstanding {
            return fail(format!(
                "totals {cur}: buckets sum to {sum} but outstanding is {}",
                t.outstanding
            ));
        }
    }
    // Conservation: every receipt is applied, held as an advance or unidentified.
    // (By payment index: a slot each, no hashing; a payment no allocation names has 0.)
    let mut applied_by_payment: Vec<Decimal> = vec![Decimal::ZERO; ledger.payments.len()];
    for a in &m.allocations {
        if let Source::Payment(p) = a.source()
            && let Some(sum) = applied_by_payment.get_mut(p)
        {
            *sum += a.amount;
        }
    }
    let mut applied = Decimal::ZERO;
    let mut advance = Decimal::ZERO;
    let mut unidentified = Decimal::ZERO;
    let mut written_off = Decimal::ZERO;
    for r in &m.receipts {
        let amount = ledger.payments[r.payment()].doc.amount;
        let a = applied_by_payment
            .get(r.payment())
            .copied()
            .unwrap_or_default();
        if a != r.applied || r.advance < Decimal::ZERO {
            return fail(format!(
                "receipt {}: allocations {a} but applied {}",
                r.payment(),
                r.applied
            ));
        }
        if r.party().is_none() {
            if !a.is_zero() || !r.advance.is_zero() {
                return fail(format!("receipt {}: unidentified but applied", r.payment()));
            }
            unidentified += amount;
        } else {
            if a + r.advance + r.written_off() != amount {
                return fail(format!(
                    "receipt {}: applied {a} + advance {} + written off {} != amount {amount}",
                    r.payment(),
                    r.advance,
                    r.written_off()
                ));
            }
            applied += a;
            advance += r.advance;
            written_off += r.written_off();
        }
    }
    let received: Decimal = reg.received.iter().map(|(_, v)| *v).sum();
    let listed: Decimal = reg.unidentified.iter().map(|u| u.amount).sum();
    if applied + advance + unidentified + written_off != received || listed != unidentified {
        return fail(format!(
            "money not conserved: applied {applied} + advance {advance} + unidentified {unidentified} \
             + overpayments written off {written_off} != received {received}"
        ));
    }
    let credit_advance: Decimal = m.credits.iter().map(|c| c.unapplied).sum();
    let row_advance: Decimal = reg.rows.iter().map(|r| r.amounts.advance).sum();
    if row_advance != advance + credit_advance {
        return fail(format!(
            "advances in rows {row_advance} != receipts' {advance} + credits' {credit_advance}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_buckets_and_their_boundaries() {
        let cfg = AgingConfig::default();
        assert_eq!(
            cfg.bucket_names(),
            vec!["not_due", "1-30", "31-60", "61-90", "91-120", "121+"]
        );
        // S34: age 0 is not due; 30 is 1-30; 31 is 31-60; 120 is 91-120; 121 is 121+.
        let cases = [
            (-5, 0),
            (0, 0),
            (1, 1),
            (30, 1),
            (31, 2),
            (60, 2),
            (90, 3),
            (91, 4),
            (120, 4),
            (121, 5),
            (5000, 5),
        ];
        for (age, bucket) in cases {
            assert_eq!(cfg.bucket_of(age), bucket, "age {age}");
        }
    }

    #[test]
    fn custom_buckets() {
        let cfg = AgingConfig {
            buckets: vec![15, 45],
            ..AgingConfig::default()
        };
        assert_eq!(cfg.bucket_names(), vec!["not_due", "1-15", "16-45", "46+"]);
        assert_eq!(cfg.bucket_of(46), 3);
    }
}
