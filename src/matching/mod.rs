//! Matching: which payment paid which invoice, by which rule.
//!
//! The result is a list of allocations (payment or credit → invoice or refund, amount,
//! rule) and, for every receipt, what was left as the payer's advance or why it stays
//! unidentified. Nothing here looks at the as-of date beyond choosing which documents
//! exist yet; aging is computed later from the ledger and these allocations only.
//!
//! The rules, in order (see `docs/matching.md`):
//! 1. a receipt's party is its payer's INN (checksum-valid); a payer without one is
//!    identified only by an invoice its purpose names;
//! 2. a credit note linked to an invoice reduces that invoice;
//! 3. a receipt that names invoices (a link in the source or a reference in the purpose)
//!    pays those first, by due date; its surplus becomes the payer's advance;
//! 4. a receipt that names none pays the payer's open invoices by the earliest due date
//!    (ГК РФ ст. 319.1), equal due dates pro rata (or first by date and number);
//! 5. what is left is an advance, applied to the payer's invoices that appear later;
//!    unlinked credit notes wait for later invoices the same way; a refund to the customer
//!    uses the advance up, and what it cannot cover is a debt of its own.
//!
//! Every lookup goes through indexes by party and by number core: no step scans all
//! invoices per payment.

mod cores;
pub mod overrides;
pub mod refs;

use crate::ledger::{Ledger, PartyId, PaymentClass};
use chrono::NaiveDate;
use cores::CoreIndex;
use refs::{DocRef, RefKind, Strength};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap as HashMap;
use std::collections::{BTreeMap, VecDeque};
use thin_vec::ThinVec;

/// How to split a payment over invoices due on the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tie {
    /// In proportion to what is outstanding (ГК РФ ст. 319.1 п. 2).
    #[default]
    ProRata,
    /// The earlier invoice (by date, then number) first, as 1C does.
    Fifo,
}

/// How small an underpayment may be written off instead of staying open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tolerance {
    /// Nothing is written off.
    #[default]
    None,
    /// Up to this many roubles (or units of the invoice's currency).
    Amount(Decimal),
    /// Up to this percentage of the invoice's amount.
    Percent(Decimal),
}

impl Tolerance {
    /// True when `left` of a debt of `amount` may be written off.
    pub fn covers(self, left: Decimal, amount: Decimal) -> bool {
        left > Decimal::ZERO
            && match self {
                Tolerance::None => false,
                Tolerance::Amount(a) => left <= a,
                Tolerance::Percent(p) => left * Decimal::ONE_HUNDRED <= amount * p,
            }
    }
}

/// What matching needs to know.
#[derive(Debug, Clone)]
pub struct MatchConfig {
    pub as_of: NaiveDate,
    pub tie: Tie,
    /// Payment terms for invoices that carry no due date.
    pub terms: crate::terms::Terms,
    /// Underpayments written off when a payment leaves this little open.
    pub tolerance: Tolerance,
    /// Overpayments written off instead of kept as an advance (S54); none by default.
    pub overpay_tolerance: Tolerance,
    /// A reference several invoices share: the review list (default) or the oldest (S20).
    pub ambiguous_oldest: bool,
    /// What a payment pays beyond the invoices it names: an advance (default) or the
    /// customer's other open invoices by due date (S10).
    pub surplus_by_due_date: bool,
    /// Unlinked credit notes: wait for later invoices (default) or reduce open invoices by
    /// due date at once (S32).
    pub credits_by_due_date: bool,
    /// Settle per contract instead of per counterparty (S33).
    pub by_contract: bool,
    /// A payment that names nothing and equals what one open invoice owes pays that
    /// invoice before the due-date rule (the cascade's "exact amount"); on by default.
    pub exact_amount: bool,
    /// The accountant's corrections, applied before any rule.
    pub overrides: Vec<overrides::Override>,
    /// Where they came from, for messages.
    pub overrides_file: Option<std::path::PathBuf>,
    /// Exchange rates, for invoices in another currency than the payment.
    pub rates: crate::rates::Rates,
    /// The currency у.е. are pegged to (USD, EUR): a RUB payment pays them at its day's rate.
    pub ue: Option<String>,
}

impl MatchConfig {
    /// The defaults, as of a date.
    pub fn new(as_of: NaiveDate) -> MatchConfig {
        MatchConfig {
            as_of,
            tie: Tie::default(),
            terms: crate::terms::Terms::default(),
            tolerance: Tolerance::None,
            overpay_tolerance: Tolerance::None,
            ambiguous_oldest: false,
            surplus_by_due_date: false,
            credits_by_due_date: false,
            by_contract: false,
            exact_amount: true,
            overrides: Vec::new(),
            overrides_file: None,
            rates: crate::rates::Rates::default(),
            ue: None,
        }
    }
}

/// Something a customer owes: an invoice, or a refund we paid them beyond their advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Debit {
    /// Index into `Ledger::invoices`, and the stage of its payment schedule (0 when the
    /// invoice has a single due date).
    Invoice(usize, u16),
    /// Index into `Ledger::payments` (an outgoing refund).
    Refund(usize),
}

/// Where applied money came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Index into `Ledger::payments` (a receipt).
    Payment(usize),
    /// Index into `Ledger::credits`.
    Credit(usize),
    /// A small underpayment written off within the tolerance, after this payment (an
    /// index into `Ledger::payments`) left it; not money received.
    WriteOff(usize),
}

/// Why an allocation was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// The source document links the payment or credit to the invoice.
    Link,
    /// The payment purpose names the invoice.
    Reference,
    /// Earliest due date first (ГК РФ ст. 319.1).
    DueDate,
    /// Invoices due on the same day share the payment in proportion.
    ProRata,
    /// An earlier advance applied to an invoice or refund that appeared later.
    Advance,
    /// An unlinked credit note applied to an invoice that appeared later.
    Credit,
    /// The one open debt owing exactly the payment's amount.
    ExactAmount,
    /// The accountant's override.
    Manual,
    /// The rest of an underpaid debt, within the tolerance, written off.
    WriteOff,
}

impl Rule {
    /// Stable machine name (JSON, CSV).
    pub fn name(self) -> &'static str {
        match self {
            Rule::Link => "link",
            Rule::Reference => "reference",
            Rule::DueDate => "due-date",
            Rule::ProRata => "pro-rata",
            Rule::Advance => "advance",
            Rule::Credit => "credit",
            Rule::ExactAmount => "exact-amount",
            Rule::Manual => "manual",
            Rule::WriteOff => "write-off",
        }
    }

    /// Russian wording for people.
    pub fn ru(self) -> &'static str {
        match self {
            Rule::Link => "связь в документе",
            Rule::Reference => "счёт в назначении платежа",
            Rule::DueDate => "по сроку оплаты (ст. 319.1 ГК РФ)",
            Rule::ProRata => "пропорционально (ст. 319.1 ГК РФ)",
            Rule::Advance => "зачёт аванса",
            Rule::Credit => "зачёт кредита",
            Rule::ExactAmount => "ровно сумма открытого счёта",
            Rule::Manual => "вручную (файл исправлений)",
            Rule::WriteOff => "списание в пределах допуска",
        }
    }
}

/// The allocations of a run in the order the groups made them, kept as the blocks the
/// cores made them in (see [`run`]): joining the blocks into one array would hold two
/// copies at the peak of the run's memory.
#[derive(Debug, Clone, Default)]
pub struct Allocations {
    blocks: Vec<Vec<Allocation>>,
}

impl Allocations {
    /// Adds a block of allocations after the others. (Its room beyond them was never
    /// written, so never taken from the system.)
    fn push_block(&mut self, block: Vec<Allocation>) {
        if !block.is_empty() {
            self.blocks.push(block);
        }
    }

    pub fn iter(&self) -> std::iter::Flatten<std::slice::Iter<'_, Vec<Allocation>>> {
        self.blocks.iter().flatten()
    }
}

impl<'a> IntoIterator for &'a Allocations {
    type Item = &'a Allocation;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Allocation>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// One application of money to a debt.
///
/// Where the money came from and which debt it went to are kept as 32-bit indexes and
/// a byte of kinds ([`Allocation::source`] and [`Allocation::debit`] give them back),
/// and what it settled only when that is not the amount: a year holds a million
/// allocations, and this keeps each in 40 bytes instead of 72.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// The money applied, in the payment's (or credit's) currency.
    pub amount: Decimal,
    /// What it settled of the debt when that is not `amount` ([`Allocation::settled`]):
    /// boxed apart, as only invoices in у.е. paid in roubles have it.
    settled_apart: Option<Box<Decimal>>,
    /// When it took effect: the later of the money's date and the debt's date.
    pub date: NaiveDate,
    /// The index of the source (a payment or a credit note).
    source: u32,
    /// The index of the debt (an invoice or a refund).
    debit: u32,
    /// The stage of an invoice's payment schedule.
    stage: u16,
    /// The source's kind (bits 0-1: payment, credit, write-off) and the debt's (bit 2:
    /// a refund).
    kinds: u8,
    pub rule: Rule,
}

impl Allocation {
    pub fn new(
        source: Source,
        debit: Debit,
        amount: Decimal,
        settled: Decimal,
        date: NaiveDate,
        rule: Rule,
    ) -> Allocation {
        // (Indexes into arrays of records of over a hundred bytes each: four billion of
        // them would not fit in memory.)
        let (source_kind, source) = match source {
            Source::Payment(i) => (0, i as u32),
            Source::Credit(i) => (1, i as u32),
            Source::WriteOff(i) => (2, i as u32),
        };
        let (debit_kind, debit, stage) = match debit {
            Debit::Invoice(i, k) => (0, i as u32, k),
            Debit::Refund(i) => (4, i as u32, 0),
        };
        Allocation {
            amount,
            // (Compared as stored, scale and all: 100.00 is kept apart from 100.)
            settled_apart: (settled.serialize() != amount.serialize()).then(|| Box::new(settled)),
            date,
            source,
            debit,
            stage,
            kinds: source_kind | debit_kind,
            rule,
        }
    }

    /// What it settled of the debt, in the debt's currency: the same as `amount`, except
    /// for invoices in у.е. paid in roubles (converted at the payment day's rate).
    pub fn settled(&self) -> Decimal {
        self.settled_apart
            .as_deref()
            .copied()
            .unwrap_or(self.amount)
    }

    /// Where the money came from.
    pub fn source(&self) -> Source {
        let i = self.source as usize;
        match self.kinds & 3 {
            0 => Source::Payment(i),
            1 => Source::Credit(i),
            _ => Source::WriteOff(i),
        }
    }

    /// The debt it went to.
    pub fn debit(&self) -> Debit {
        let i = self.debit as usize;
        if self.kinds & 4 == 0 {
            Debit::Invoice(i, self.stage)
        } else {
            Debit::Refund(i)
        }
    }
}

/// Something a person should look at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Note {
    /// The purpose names an invoice the data does not have (yet).
    UnknownInvoice(String),
    /// The purpose names a number several invoices of the payer share.
    Ambiguous(String),
    /// The purpose names an invoice that was already paid: a second payment.
    AlreadyPaid(String),
    /// The payer had no usable INN; the invoice its purpose names tells who paid.
    IdentifiedByReference,
    /// The payer's INN fails the checksum.
    InvalidInn(String),
    /// A payer with no usable INN and no invoice named: nobody to credit.
    NoParty,
    /// A payer without an INN names invoices of several customers.
    AmbiguousParty,
    /// The payment left this little of the invoice open; it was written off.
    WrittenOff(String, Decimal),
    /// The payment names invoices but does not cover them: this much stays open.
    ShortOfNamed(Decimal),
    /// The invoice the payment names is deleted, cancelled or unposted in the newest export
    /// (number, what happened to it).
    RemovedInvoice(String, String),
    /// The payer's INN is missing or wrong; an account the customer pays from told who paid.
    IdentifiedByAccount,
    /// The payer is the customer's head office or another branch (this KPP).
    OtherKpp(String),
    /// Paid by someone else (this payer) for the customer whose invoice the purpose names.
    ThirdParty(String),
    /// The purpose names a document that is not an invoice (kind, number) and no invoice
    /// of the customer carries that number.
    NotAnInvoice(String, String),
    /// An ambiguous reference applied to the oldest candidate, as asked (`--ambiguous oldest`).
    TookOldest(String),
    /// An overpayment this small written off instead of kept as an advance.
    OverpaymentWrittenOff(Decimal),
    /// Matched by the overrides file (its line).
    Manual(u32),
    /// The invoice (number) is in у.е. pegged to this currency and the rates file gives no
    /// rate on or before this day: roubles cannot pay it.
    NoRate(String, String, NaiveDate),
    /// The invoice (number) the payment names is the customer's, in another currency
    /// (this one): money pays debts in its own currency only.
    OtherCurrency(String, String),
    /// The invoice (number) the payment names is the customer's, under another contract
    /// (as written; empty when the invoice names none), settling per contract.
    OtherContract(String, String),
}

impl Note {
    pub fn code(&self) -> &'static str {
        match self {
            Note::UnknownInvoice(_) => "unknown_invoice",
            Note::Ambiguous(_) => "ambiguous_reference",
            Note::AlreadyPaid(_) => "already_paid",
            Note::IdentifiedByReference => "identified_by_reference",
            Note::InvalidInn(_) => "invalid_inn",
            Note::NoParty => "no_party",
            Note::AmbiguousParty => "ambiguous_party",
            Note::WrittenOff(..) => "rounding_written_off",
            Note::ShortOfNamed(_) => "short_of_named_invoices",
            Note::RemovedInvoice(..) => "removed_invoice",
            Note::IdentifiedByAccount => "identified_by_account",
            Note::OtherKpp(_) => "other_kpp",
            Note::ThirdParty(_) => "third_party",
            Note::NotAnInvoice(..) => "not_an_invoice",
            Note::TookOldest(_) => "ambiguous_took_oldest",
            Note::OverpaymentWrittenOff(_) => "overpayment_written_off",
            Note::Manual(_) => "manual",
            Note::NoRate(..) => "no_rate",
            Note::OtherCurrency(..) => "other_currency",
            Note::OtherContract(..) => "other_contract",
        }
    }

    /// The note in Russian, as the match log shows it.
    pub fn ru(&self) -> String {
        match self {
            Note::UnknownInvoice(n) => format!("ссылка на неизвестный счёт №{n}"),
            Note::Ambiguous(n) => {
                format!("неоднозначная ссылка на счёт №{n}: нужна ручная проверка")
            }
            Note::AlreadyPaid(n) => format!("повторная оплата счёта {n}"),
            Note::IdentifiedByReference => {
                "плательщик без ИНН опознан по счёту в назначении".into()
            }
            Note::InvalidInn(i) => format!("ИНН плательщика некорректен: {i}"),
            Note::NoParty => "неопознанное поступление: нет ИНН и ссылки на счёт".into(),
            Note::AmbiguousParty => {
                "неопознанное поступление: счёт с таким номером есть у нескольких покупателей"
                    .into()
            }
            Note::WrittenOff(n, a) => {
                format!(
                    "округление: недоплата {} по счёту {n} списана",
                    crate::money::Money(*a, crate::money::MoneyStyle::Grouped)
                )
            }
            Note::RemovedInvoice(n, what) => format!(
                "счёт {n} в последней выгрузке {}: деньги остаются авансом",
                match what.as_str() {
                    "marked for deletion" => "помечен на удаление",
                    "cancelled" => "отменён",
                    _ => "не проведён",
                }
            ),
            Note::ShortOfNamed(a) => format!(
                "недоплата по перечисленным счетам: после этого платежа по ним осталось {}",
                crate::money::Money(*a, crate::money::MoneyStyle::Grouped)
            ),
            Note::IdentifiedByAccount => {
                "плательщик опознан по счёту, с которого платит покупатель".into()
            }
            Note::OtherKpp(k) => format!("платит головная организация или другой филиал (КПП {k})"),
            Note::ThirdParty(payer) => format!("оплата третьим лицом ({payer})"),
            Note::NotAnInvoice(kind, n) => format!("тип документа не счёт: {kind} {n}"),
            Note::TookOldest(n) => {
                format!("неоднозначная ссылка на счёт №{n}: отнесено на самый ранний")
            }
            Note::OverpaymentWrittenOff(a) => format!(
                "переплата {} списана в пределах допуска",
                crate::money::Money(*a, crate::money::MoneyStyle::Grouped)
            ),
            Note::Manual(line) => format!("разнесено вручную: строка {line} файла исправлений"),
            Note::NoRate(n, cur, d) => format!(
                "счёт {n} в у.е. ({cur}): нет курса на {}, оплата в рублях не зачтена",
                crate::dates::ru(*d)
            ),
            Note::OtherCurrency(n, cur) => {
                format!("счёт {n} в другой валюте ({cur}): на него не зачтено")
            }
            Note::OtherContract(n, c) if c.is_empty() => {
                format!("счёт {n} без договора, документ по другому договору: на него не зачтено")
            }
            Note::OtherContract(n, c) => {
                format!("счёт {n} по другому договору ({c}): на него не зачтено")
            }
        }
    }

    /// The note in English.
    pub fn en(&self) -> String {
        match self {
            Note::UnknownInvoice(n) => format!("names unknown invoice {n}"),
            Note::Ambiguous(n) => {
                format!("invoice {n} is ambiguous: several invoices share that number")
            }
            Note::AlreadyPaid(n) => format!("invoice {n} was already paid: a second payment"),
            Note::IdentifiedByReference => {
                "payer without INN identified by the invoice it names".into()
            }
            Note::InvalidInn(i) => format!("payer INN {i} fails the checksum"),
            Note::NoParty => "unidentified: no INN and no invoice named".into(),
            Note::AmbiguousParty => {
                "unidentified: invoices of several customers carry that number".into()
            }
            Note::WrittenOff(n, a) => format!(
                "rounding: underpayment {} of invoice {n} written off",
                crate::money::plain(*a)
            ),
            Note::RemovedInvoice(n, what) => {
                format!("invoice {n} is {what} in the newest export: the money stays an advance")
            }
            Note::ShortOfNamed(a) => format!(
                "short of the invoices it names: {} of them stayed open after this payment",
                crate::money::plain(*a)
            ),
            Note::IdentifiedByAccount => {
                "payer identified by an account the customer pays from".into()
            }
            Note::OtherKpp(k) => format!("paid by the head office or another branch (KPP {k})"),
            Note::ThirdParty(payer) => format!("paid by a third party ({payer})"),
            Note::NotAnInvoice(kind, n) => {
                let kind = match kind.as_str() {
                    "счёт-фактура" => "tax invoice (счёт-фактура)",
                    "УПД" => "universal transfer document (УПД)",
                    "накладная" => "waybill (накладная)",
                    "акт" => "certificate of work done (акт)",
                    other => other,
                };
                format!("names {kind} {n}, not an invoice")
            }
            Note::TookOldest(n) => {
                format!("invoice {n} is ambiguous: applied to the oldest, as asked")
            }
            Note::OverpaymentWrittenOff(a) => {
                format!(
                    "overpayment {} written off within the tolerance",
                    crate::money::plain(*a)
                )
            }
            Note::Manual(line) => format!("matched by hand: line {line} of the overrides file"),
            Note::NoRate(n, cur, d) => format!(
                "invoice {n} is in у.е. ({cur}) and there is no rate on {}: roubles cannot pay it",
                crate::dates::iso(*d)
            ),
            Note::OtherCurrency(n, cur) => {
                format!("invoice {n} is in another currency ({cur}): nothing applied to it")
            }
            Note::OtherContract(n, c) if c.is_empty() => {
                format!(
                    "invoice {n} names no contract, this document another: nothing applied to it"
                )
            }
            Note::OtherContract(n, c) => {
                format!("invoice {n} is under another contract ({c}): nothing applied to it")
            }
        }
    }

    /// True when a person should review the payment.
    pub fn needs_review(&self) -> bool {
        !matches!(
            self,
            Note::IdentifiedByReference
                | Note::WrittenOff(..)
                | Note::ShortOfNamed(_)
                | Note::IdentifiedByAccount
                | Note::OtherKpp(_)
                | Note::OverpaymentWrittenOff(_)
                | Note::Manual(_)
        )
    }
}

/// What happened to one receipt.
#[derive(Debug, Clone)]
pub struct Receipt {
    /// Index into `Ledger::payments` ([`Receipt::payment`]), in 32 bits: a year holds a
    /// million receipts, and there are far fewer than four billion payments.
    payment_ix: u32,
    /// The party ([`Receipt::party`]).
    party_slot: crate::ledger::PartySlot,
    pub refs: refs::Refs,
    pub applied: Decimal,
    /// Left with the party as an advance.
    pub advance: Decimal,
    pub notes: ThinVec<Note>,
    /// What only some receipts have (a contract, overrides, a write-off); `None` when it
    /// would be empty, as it is for most: a year holds a million receipts.
    pub more: Option<Box<ReceiptMore>>,
}

/// The parts of a receipt that settling per contract, overrides and tolerances give.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReceiptMore {
    /// The contract it is settled under (settling per contract only).
    pub contract: Option<String>,
    /// An overpayment within `--tolerance-overpay`, written off instead of kept.
    pub written_off: Decimal,
    /// Overrides' invoices (index into `Ledger::invoices`, amount if given, line).
    pub manual: ThinVec<(usize, Option<Decimal>, u32)>,
    /// Held as an advance by an override: no rule applies it to open debts.
    pub hold: bool,
    /// Invoices an override sends it to that are dated after the as-of date (indexes into
    /// `Ledger::invoices`, the amount given if any, and the override's line): until then
    /// what they will take waits for them, untouched.
    pub waiting: ThinVec<(usize, Option<Decimal>, u32)>,
    /// The contract as the purpose writes it (settling per contract only).
    pub contract_text: Option<crate::model::Shared>,
}

impl Receipt {
    /// A receipt of payment `payment` (an index into `Ledger::payments`), of nobody yet.
    fn new(payment: usize, refs: refs::Refs) -> Receipt {
        Receipt {
            // (An index past four billion would need a terabyte of payment records.)
            payment_ix: u32::try_from(payment).unwrap_or(u32::MAX),
            party_slot: Default::default(),
            refs,
            applied: Decimal::ZERO,
            advance: Decimal::ZERO,
            notes: ThinVec::new(),
            more: None,
        }
    }

    /// Index into `Ledger::payments`.
    pub fn payment(&self) -> usize {
        self.payment_ix as usize
    }

    /// Who paid, as matching worked it out; `None` for money of nobody known.
    pub fn party(&self) -> Option<PartyId> {
        self.party_slot.get()
    }

    pub fn set_party(&mut self, party: Option<PartyId>) {
        self.party_slot = crate::ledger::PartySlot::new(party);
    }

    pub fn unidentified(&self) -> bool {
        self.party().is_none()
    }

    /// True when an override decides where it goes.
    pub fn overridden(&self) -> bool {
        self.hold() || !self.manual().is_empty() || !self.waiting().is_empty()
    }

    /// The contract it is settled under (settling per contract only).
    pub fn contract(&self) -> Option<&String> {
        self.more.as_ref()?.contract.as_ref()
    }

    /// The contract as the purpose writes it (settling per contract only).
    pub fn contract_text(&self) -> Option<&crate::model::Shared> {
        self.more.as_ref()?.contract_text.as_ref()
    }

    /// An overpayment within `--tolerance-overpay`, written off instead of kept.
    pub fn written_off(&self) -> Decimal {
        self.more.as_ref().map_or(Decimal::ZERO, |m| m.written_off)
    }

    /// Overrides' invoices (index into `Ledger::invoices`, amount if given, line).
    pub fn manual(&self) -> &[(usize, Option<Decimal>, u32)] {
        self.more.as_deref().map_or(&[], |m| &m.manual)
    }

    /// Held as an advance by an override.
    pub fn hold(&self) -> bool {
        self.more.as_ref().is_some_and(|m| m.hold)
    }

    /// Invoices an override sends it to that are dated after the as-of date.
    pub fn waiting(&self) -> &[(usize, Option<Decimal>, u32)] {
        self.more.as_deref().map_or(&[], |m| &m.waiting)
    }

    /// Puts the notes in order, each once, in no more room than they take: a note is
    /// 56 bytes, and an array takes room for four at its first.
    fn tidy_notes(&mut self) {
        self.notes.sort();
        self.notes.dedup();
        self.notes.shrink_to_fit();
    }

    /// The parts only some receipts have, to be changed (made empty first when there
    /// were none).
    pub fn more_mut(&mut self) -> &mut ReceiptMore {
        self.more.get_or_insert_with(Default::default)
    }
}

/// What happened to one credit note.
#[derive(Debug, Clone)]
pub struct CreditUse {
    /// Index into `Ledger::credits`.
    pub credit: usize,
    pub applied: Decimal,
    pub unapplied: Decimal,
    /// The linked invoice is unknown or ambiguous.
    pub link_note: Option<Note>,
}

/// The result of matching as of a date.
#[derive(Debug, Clone)]
pub struct Matching {
    pub as_of: NaiveDate,
    /// The payment terms the due dates came from.
    pub terms: crate::terms::Terms,
    pub allocations: Allocations,
    /// Receipts credited on or before the as-of date, in date order.
    pub receipts: Vec<Receipt>,
    pub credits: Vec<CreditUse>,
    /// Invoices dated on or before the as-of date (indexes into `Ledger::invoices`).
    pub invoices: Vec<usize>,
    /// Refunds paid on or before the as-of date (indexes into `Ledger::payments`).
    pub refunds: Vec<usize>,
    /// Payouts of acquirers, marketplaces and agents credited on or before the as-of date
    /// (indexes into `Ledger::payments`): not customers' payments.
    pub agents: Vec<usize>,
    /// Settled per contract: the register has a row per contract.
    pub by_contract: bool,
}

/// A group of documents matched together: party, contract (when settling per contract),
/// currency.
type GroupKey = (PartyId, Option<String>, crate::model::Text);

/// The currency an invoice in `currency` is pegged to, when it is in у.е. and roubles
/// pay it at the day's rate (`--ue` given and rates for that currency known).
fn pegged(cfg: &MatchConfig, currency: &str) -> Option<String> {
    let peg = cfg.ue.as_ref()?;
    (currency == "у.е." && cfg.rates.currencies().any(|c| c == peg)).then(|| peg.clone())
}

/// The currency whose money pays an invoice in `currency`: roubles for pegged у.е.
fn paid_in(cfg: &MatchConfig, currency: &str) -> crate::model::Text {
    if pegged(cfg, currency).is_some() {
        crate::model::Text::inline(crate::model::RUB)
    } else {
        currency.into()
    }
}

/// The contract a purpose names (`по договору № 12/2024 от …`, `дог. 7`, `по договору
/// поставки N 5`): its comparison key and its number as written. The contract word is a
/// whole word (`договор`, `договору`, `дог.`, `контракта`; not `договоренность`); the
/// number follows a `№` among the next words, else comes right after the word; a date is
/// never a contract number.
fn contract_of_purpose(purpose: &str) -> Option<(String, String)> {
    let spaced = purpose.replace('№', " № ");
    let words: Vec<&str> = spaced
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    let lower: Vec<String> = words.iter().map(|w| crate::text::fold_ru(w)).collect();
    for (k, w) in lower.iter().enumerate() {
        let w = w.trim_start_matches(['(', '"', '«', '\'']);
        let (word, glued) = match w.split_once('.') {
            Some((head, tail)) => (head, tail),
            None => (w, ""),
        };
        if !is_contract_word(word) {
            continue;
        }
        let token = if !glued.is_empty() {
            // `дог.7`
            words[k].get(words[k].len() - glued.len()..)
        } else {
            let sign = lower[k + 1..]
                .iter()
                .take(4)
                .position(|t| matches!(t.as_str(), "№" | "n" | "#" | "no" | "no." | "nr"));
            match sign {
                Some(j) => words.get(k + 2 + j).copied(),
                None => words.get(k + 1).copied(),
            }
        };
        let Some(token) = token else { continue };
        let token = token
            .trim_start_matches('(')
            .trim_end_matches(['.', ')', ':']);
        // A sign stuck to the number: `N5`, `#5`.
        let token = match token.strip_prefix(['N', 'n', '#']) {
            Some(rest) if rest.starts_with(|c: char| c.is_ascii_digit()) => rest,
            _ => token,
        };
        if token.chars().any(|c| c.is_ascii_digit()) && crate::dates::parse_date(token).is_none() {
            return Some((
                crate::text::canonical_number(token).to_string(),
                token.to_string(),
            ));
        }
    }
    None
}

/// `договор` and its case forms, `дог`, `контракт` and its case forms.
fn is_contract_word(w: &str) -> bool {
    let ending = |stem: &str| {
        w.strip_prefix(stem)
            .is_some_and(|e| matches!(e, "" | "а" | "у" | "е" | "ом" | "ы" | "ам" | "ов"))
    };
    w == "дог" || ending("договор") || ending("контракт")
}

/// The contract a document is settled and shown under: its key when settling per
/// contract, else none (one row per customer and currency).
pub fn row_contract(by_contract: bool, contract: Option<&str>) -> Option<String> {
    if by_contract {
        contract.map(contract_key)
    } else {
        None
    }
}

/// A contract as the source writes it (`№ 12/2024 от 15.01.2024`, `Договор поставки №2`,
/// `2`) to a comparison key: the number after `№`, else the first token with a digit,
/// canonical; else the whole text, normalised.
pub fn contract_key(text: &str) -> String {
    let lower = text.to_lowercase();
    let after_sign = lower.split_once('№').map(|(_, r)| r.trim_start());
    let token = after_sign
        .and_then(|r| r.split_whitespace().next())
        .or_else(|| {
            lower
                .split_whitespace()
                .find(|t| t.chars().any(|c| c.is_ascii_digit()))
        });
    match token {
        Some(t) => crate::text::canonical_number(t.trim_end_matches(['.', ',', ')'])).to_string(),
        None => lower.split_whitespace().collect::<Vec<_>>().join(" "),
    }
}

pub use crate::text::canonical_number;

/// Does a reference name this invoice number? A bare number matches the numeric core
/// (`45` names `00БП-000045`); a number with a prefix must match it as a whole; a long
/// number (an account, an INN) only matches exactly.
fn names_number(r: &DocRef, number: &str) -> bool {
    if r.long_number {
        return canonical_number(&r.number) == canonical_number(number);
    }
    if r.number.chars().all(|c| c.is_ascii_digit()) {
        refs::number_core(number).is_some_and(|c| c == r.core())
    } else {
        canonical_number(&r.number) == canonical_number(number)
    }
}

pub use crate::money::pro_rata;

/// Every number an invoice is known by: its own and its aliases'.
fn numbers(inv: &crate::model::Invoice) -> impl Iterator<Item = &str> {
    std::iter::once(inv.number.as_str())
        .chain(inv.aliases().iter().filter_map(|a| a.number.as_deref()))
}

/// The distinct numeric cores of an invoice's numbers, for the indexes.
fn cores(inv: &crate::model::Invoice) -> Vec<crate::model::Text> {
    let mut cores: Vec<crate::model::Text> = numbers(inv).filter_map(refs::number_core).collect();
    cores.sort();
    cores.dedup();
    cores
}

/// True when one of the invoice's numbers has this numeric core (what the indexes by
/// core keep no copy of).
fn has_core(inv: &crate::model::Invoice, core: &str) -> bool {
    numbers(inv).any(|n| refs::number_core(n).is_some_and(|c| c == core))
}

/// An override that does not fit the data: its line in the overrides file and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct MatchError {
    pub line: u32,
    pub message: String,
}

/// Runs the matching over the ledger as of `cfg.as_of`. Fails only when an override does
/// not fit the data.
pub fn run(ledger: &Ledger, cfg: &MatchConfig) -> Result<Matching, MatchError> {
    let as_of = cfg.as_of;
    let invoices: Vec<usize> = (0..ledger.invoices.len())
        .filter(|&i| ledger.invoices[i].doc.date <= as_of)
        .collect();
    let credits: Vec<usize> = (0..ledger.credits.len())
        .filter(|&i| ledger.credits[i].doc.date <= as_of)
        .collect();
    // Receipts and agents' payouts in date order (then file and line), sorted by keys
    // taken in one pass over the payments rather than looked up at each comparison.
    let mut receipt_keys: Vec<(NaiveDate, crate::model::Provenance, usize)> = Vec::new();
    let mut agent_keys: Vec<(NaiveDate, crate::model::Provenance, usize)> = Vec::new();
    let mut refunds: Vec<usize> = Vec::new();
    for (i, p) in ledger.payments.iter().enumerate() {
        if p.cash_date() > as_of {
            continue;
        }
        match p.class {
            PaymentClass::Receipt => receipt_keys.push((p.cash_date(), p.doc.prov, i)),
            PaymentClass::Refund if p.party().is_some() => refunds.push(i),
            PaymentClass::Agent => agent_keys.push((p.cash_date(), p.doc.prov, i)),
            _ => {}
        }
    }
    receipt_keys.sort_unstable();
    agent_keys.sort_unstable();
    let receipt_ids: Vec<usize> = receipt_keys.into_iter().map(|(_, _, i)| i).collect();
    let agents: Vec<usize> = agent_keys.into_iter().map(|(_, _, i)| i).collect();

    let contract_of = |c: Option<&str>| row_contract(cfg.by_contract, c);
    // The index of invoices by number core (for payers that must be identified by
    // reference) and the groups of invoices and credits need nothing from the receipts:
    // they are built on a core of their own while the receipts' purposes are read on
    // all cores.
    let (by_core, mut groups, mut receipts) = std::thread::scope(|scope| {
        let side = scope.spawn(|| {
            let by_core = CoreIndex::new(invoices.iter().flat_map(|&i| {
                cores(&ledger.invoices[i].doc)
                    .into_iter()
                    .map(move |c| (c, i))
            }));
            // Everything grouped by party (and contract, when settling per contract)
            // and currency: each group is matched on its own.
            // (A credit note in у.е. goes with the у.е. invoices it corrects, also when
            // roubles pay them (`--ue`): it settles them one to one.)
            let key = |party, contract: Option<&str>, currency: &str| {
                (party, contract_of(contract), paid_in(cfg, currency))
            };
            let mut groups: BTreeMap<GroupKey, Group> = BTreeMap::new();
            for &i in &invoices {
                let inv = &ledger.invoices[i];
                let g = key(inv.party, inv.doc.contract.as_deref(), &inv.doc.currency);
                groups.entry(g).or_default().invoices.push(i);
            }
            for &i in &credits {
                let c = &ledger.credits[i];
                let g = key(c.party, c.doc.contract.as_deref(), &c.doc.currency);
                groups.entry(g).or_default().credits.push(i);
            }
            (by_core, groups)
        });
        let receipts = crate::par::map(&receipt_ids, |&i| read_receipt(ledger, cfg, i));
        // A panic on the other core is a bug; let it surface as one.
        let (by_core, groups) = side.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (by_core, groups, receipts)
    });
    // Then who paid, on all cores: the payer, or who the references say.
    let payers = crate::par::map(&receipts, |r| payer_of(ledger, &by_core, r));
    for (r, (party, notes)) in receipts.iter_mut().zip(payers) {
        r.set_party(party);
        r.notes.extend(notes);
    }
    // (The index served the purposes only; the rest of the run needs its memory.)
    drop(by_core);
    drop(receipt_ids);
    apply_overrides(ledger, cfg, &mut receipts)?;
    if cfg.by_contract {
        for r in &mut receipts {
            contract_of_overrides(ledger, r, contract_of)?;
        }
    }
    for r in &mut receipts {
        // A payment that names no contract, from a customer with a single contract, is
        // settled under that one.
        if cfg.by_contract
            && r.contract().is_none()
            && r.manual().is_empty()
            && r.waiting().is_empty()
            && let Some(party) = r.party()
        {
            let cur = &ledger.payments[r.payment()].doc.currency;
            // (The party's groups, found by its place in the order: keys start with it.)
            let mut theirs = groups
                .range((party, None, crate::model::Text::default())..)
                .map(|(key, _)| key)
                .take_while(|(p, _, _)| *p == party)
                .filter(|(_, c, k)| k.as_str() == &**cur && c.is_some());
            if let (Some(only), None) = (theirs.next(), theirs.next()) {
                r.more_mut().contract = only.1.clone();
            }
        }
    }
    for (ri, r) in receipts.iter().enumerate() {
        if let Some(party) = r.party() {
            let cur = crate::model::Text::from(&*ledger.payments[r.payment()].doc.currency);
            groups
                .entry((party, r.contract().cloned(), cur))
                .or_default()
                .receipts
                .push(ri);
        }
    }
    for &i in &refunds {
        let p = &ledger.payments[i];
        if let Some(party) = p.party() {
            groups
                .entry((party, None, crate::model::Text::from(&*p.doc.currency)))
                .or_default()
                .refunds
                .push(i);
        }
    }

    let mut m = Matching {
        as_of,
        terms: cfg.terms.clone(),
        allocations: Allocations::default(),
        receipts: Vec::new(),
        credits: credits
            .iter()
            .map(|&c| CreditUse {
                credit: c,
                applied: Decimal::ZERO,
                unapplied: Decimal::ZERO,
                link_note: None,
            })
            .collect(),
        invoices,
        refunds,
        agents,
        by_contract: cfg.by_contract,
    };
    let credit_slot: HashMap<usize, usize> = m
        .credits
        .iter()
        .enumerate()
        .map(|(s, c)| (c.credit, s))
        .collect();
    let mut removed: HashMap<PartyId, Vec<usize>> = HashMap::default();
    for (i, x) in ledger.removed.iter().enumerate() {
        removed.entry(x.party).or_default().push(i);
    }
    let mut party_invoices: HashMap<PartyId, Vec<usize>> = HashMap::default();
    for &i in &m.invoices {
        party_invoices
            .entry(ledger.invoices[i].party)
            .or_default()
            .push(i);
    }
    // The groups share nothing, so they are matched on all cores. Each group gets its
    // receipts as references handed out by one pass over the list (each receipt to
    // one group, in date order): the receipts stay where they are, in date order.
    // Results are gathered in the groups' order, as one core would give them.
    let mut jobs: Vec<(GroupKey, Group)> = Vec::with_capacity(groups.len());
    let mut group_of: Vec<u32> = vec![u32::MAX; receipts.len()];
    for (key, group) in groups {
        for &ri in &group.receipts {
            group_of[ri] = jobs.len() as u32;
        }
        jobs.push((key, group));
    }
    let mut handed: Vec<Vec<&mut Receipt>> = jobs
        .iter()
        .map(|(_, g)| Vec::with_capacity(g.receipts.len()))
        .collect();
    for (r, &g) in receipts.iter_mut().zip(&group_of) {
        if let Some(own) = handed.get_mut(g as usize) {
            own.push(r);
        }
    }
    drop(group_of);
    let slices: Vec<(GroupKey, Group, Vec<&mut Receipt>)> = jobs
        .into_iter()
        .zip(handed)
        .map(|((key, group), own)| (key, group, own))
        .collect();
    let work = |(_, g, _): &(GroupKey, Group, Vec<&mut Receipt>)| {
        1 + g.invoices.len() + g.receipts.len() + g.credits.len() + g.refunds.len()
    };
    // Each core adds its groups' allocations to one array of its own, in the groups'
    // order: what lasts stays together, apart from what a group needs only while it is
    // matched (an array per group would keep the pages around it from being given back).
    let work_with = |(key, group, mut own): (GroupKey, Group, Vec<&mut Receipt>),
                     kept: &mut Vec<Allocation>| {
        let (party, contract, currency) = &key;
        let context = Context {
            removed: removed.get(party).map_or(&[][..], Vec::as_slice),
            party_invoices: party_invoices.get(party).map_or(&[][..], Vec::as_slice),
            contract,
            currency,
        };
        let mut sim = Simulation::new(ledger, cfg, &group, context);
        let outcome = sim.run(&mut own);
        for r in own.iter_mut() {
            r.tidy_notes();
        }
        kept.extend(sim.allocations);
        (outcome, sim.credit_results)
    };
    // (Room for about one allocation per debt or receipt at once, as a group takes; the
    // room not needed is never written, so never taken from the system.)
    let room = |run: &[(GroupKey, Group, Vec<&mut Receipt>)]| {
        Vec::with_capacity(
            run.iter()
                .map(|(_, g, _)| g.invoices.len() + g.receipts.len())
                .sum(),
        )
    };
    let (done, kept) = crate::par::map_weighted_with(slices, work, room, work_with);
    for (outcome, credit_results) in done {
        outcome?;
        for (c, applied, unapplied, unknown) in credit_results {
            let slot = &mut m.credits[credit_slot[&c]];
            slot.applied = applied;
            slot.unapplied = unapplied;
            slot.link_note = unknown;
        }
    }
    for block in kept {
        m.allocations.push_block(block);
    }
    // (A group sorted its receipts' notes; these are the receipts of no group.)
    for r in receipts.iter_mut().filter(|r| r.party().is_none()) {
        r.tidy_notes();
    }
    m.receipts = receipts;
    Ok(m)
}

/// Settling per contract, a payment an override sends to invoices is settled under their
/// contract, whatever its purpose says; invoices under two contracts are an error.
fn contract_of_overrides(
    ledger: &Ledger,
    r: &mut Receipt,
    contract_of: impl Fn(Option<&str>) -> Option<String>,
) -> Result<(), MatchError> {
    let named = r
        .manual()
        .iter()
        .map(|&(i, _, line)| (i, line))
        .chain(r.waiting().iter().map(|&(i, _, line)| (i, line)));
    let mut chosen: Option<(Option<String>, usize)> = None;
    for (inv, line) in named {
        let key = contract_of(ledger.invoices[inv].doc.contract.as_deref());
        match &chosen {
            None => chosen = Some((key, inv)),
            Some((first_key, first)) if *first_key != key => {
                let under = |i: usize| {
                    let doc = &ledger.invoices[i].doc;
                    match &doc.contract {
                        Some(c) => format!("invoice {} is under contract {c}", doc.number),
                        None => format!("invoice {} names no contract", doc.number),
                    }
                };
                return Err(MatchError {
                    line,
                    message: format!(
                        "{}, {}: settling per contract (--level contract), one payment pays \
                         the invoices of one contract",
                        under(*first),
                        under(inv)
                    ),
                });
            }
            Some(_) => {}
        }
    }
    if let Some((key, _)) = chosen {
        // (A receipt that names no contract and gets none keeps no room for one.)
        if key.is_some() || r.contract_text().is_some() {
            let more = r.more_mut();
            more.contract = key;
            more.contract_text = None;
        }
    }
    Ok(())
}

/// Ties each override to its payment (and invoice or customer) and records what it asks
/// for on the receipt. Overrides about documents after the as-of date wait for their day;
/// an override naming a document the inputs do not have is an error.
fn apply_overrides(
    ledger: &Ledger,
    cfg: &MatchConfig,
    receipts: &mut [Receipt],
) -> Result<(), MatchError> {
    use overrides::Target;
    let slot: HashMap<usize, usize> = receipts
        .iter()
        .enumerate()
        .map(|(k, r)| (r.payment(), k))
        .collect();
    for o in &cfg.overrides {
        let fail = |message: String| {
            Err(MatchError {
                line: o.line,
                message,
            })
        };
        let sel = &o.payment;
        let wanted = canonical_number(&sel.number);
        let found: Vec<usize> = (0..ledger.payments.len())
            .filter(|&i| {
                let p = &ledger.payments[i];
                p.class == PaymentClass::Receipt
                    && canonical_number(&p.doc.number) == wanted
                    && (p.doc.date == sel.date || p.cash_date() == sel.date)
                    && sel
                        .inn
                        .as_ref()
                        .is_none_or(|inn| p.doc.payer.inn.as_ref() == Some(inn))
                    && sel.amount.is_none_or(|a| p.doc.amount == a)
            })
            .collect();
        let pi = match found[..] {
            [] => {
                return fail(format!(
                    "no incoming payment №{} of {} in the inputs",
                    sel.number,
                    crate::dates::ru(sel.date)
                ));
            }
            [one] => one,
            _ => {
                return fail(format!(
                    "{} incoming payments №{} of {} fit: add the payer's ИНН or the amount (сумма)",
                    found.len(),
                    sel.number,
                    crate::dates::ru(sel.date)
                ));
            }
        };
        // A payment credited after the as-of date is not in this register yet.
        let Some(&ri) = slot.get(&pi) else { continue };
        let party_with = |inn: &str| -> Result<PartyId, MatchError> {
            (0..ledger.parties.len())
                .find(|&id| ledger.party(id).inn.as_deref() == Some(inn))
                .ok_or_else(|| MatchError {
                    line: o.line,
                    message: format!("no customer with ИНН {inn} in the inputs"),
                })
        };
        match &o.target {
            Target::Customer { inn } => {
                receipts[ri].set_party(Some(party_with(inn)?));
                receipts[ri]
                    .notes
                    .retain(|n| !matches!(n, Note::NoParty | Note::AmbiguousParty));
            }
            Target::Advance => receipts[ri].more_mut().hold = true,
            Target::Invoice { number, date, inn } => {
                let party = match inn {
                    Some(inn) => Some(party_with(inn)?),
                    None => receipts[ri].party(),
                };
                let r = link_ref(number);
                let named: Vec<usize> = (0..ledger.invoices.len())
                    .filter(|&i| {
                        let inv = &ledger.invoices[i];
                        party.is_none_or(|p| inv.party == p)
                            && date.is_none_or(|d| inv.doc.date == d)
                            && numbers(&inv.doc).any(|n| names_number(&r, n))
                    })
                    .collect();
                let inv = match named[..] {
                    [] => {
                        let of =
                            date.map_or(String::new(), |d| format!(" of {}", crate::dates::ru(d)));
                        return fail(format!(
                            "no invoice №{number}{of} of this customer in the inputs"
                        ));
                    }
                    [one] => one,
                    _ => {
                        return fail(format!(
                            "{} invoices №{number} fit: add its date (от …)",
                            named.len()
                        ));
                    }
                };
                // Money pays debts in its own currency (roubles also pay у.е. with --ue),
                // whatever the report date.
                let doc = &ledger.invoices[inv].doc;
                let paid_with = &ledger.payments[pi].doc.currency;
                if paid_in(cfg, &doc.currency).as_str() != &**paid_with {
                    return fail(format!(
                        "invoice {} is in {}, the payment in {paid_with}: money pays debts in its own currency",
                        doc.number, doc.currency
                    ));
                }
                receipts[ri].set_party(Some(ledger.invoices[inv].party));
                receipts[ri]
                    .notes
                    .retain(|n| !matches!(n, Note::NoParty | Note::AmbiguousParty));
                // An invoice issued after the report date: what it will take waits for
                // it, so that reports as of earlier dates do not spend it elsewhere.
                if doc.date > cfg.as_of {
                    receipts[ri]
                        .more_mut()
                        .waiting
                        .push((inv, o.amount, o.line));
                } else {
                    receipts[ri].more_mut().manual.push((inv, o.amount, o.line));
                }
            }
        }
        receipts[ri].notes.push(Note::Manual(o.line));
    }
    Ok(())
}

/// A document kind in words, for notes.
fn kind_word(kind: RefKind) -> &'static str {
    match kind {
        RefKind::Invoice => "счёт",
        RefKind::TaxInvoice => "счёт-фактура",
        RefKind::Upd => "УПД",
        RefKind::Waybill => "накладная",
        RefKind::Act => "акт",
    }
}

/// A reference made from an explicit link in the source (a list's "Основание" column).
fn link_ref(number: &str) -> DocRef {
    DocRef {
        kind: RefKind::Invoice,
        number: number.trim().into(),
        date: None,
        strength: Strength::Keyword,
        long_number: false,
    }
}

/// A receipt as its own document tells it: the references in its purpose, what its
/// payer's INN and account say, the contract it names. Who paid comes next
/// ([`payer_of`]), once the invoices are indexed.
fn read_receipt(ledger: &Ledger, cfg: &MatchConfig, i: usize) -> Receipt {
    let p = &ledger.payments[i];
    let purpose = p.doc.purpose.text();
    let refs = refs::extract(&purpose);
    let mut notes = ThinVec::new();
    if p.invalid_inn {
        notes.push(Note::InvalidInn(
            p.doc.payer.inn.clone().unwrap_or_default(),
        ));
    }
    if p.by_account {
        notes.push(Note::IdentifiedByAccount);
    }
    let named_contract = if cfg.by_contract {
        contract_of_purpose(&purpose)
    } else {
        None
    };
    let (contract, contract_text) = match named_contract {
        Some((key, text)) => (Some(key), Some(text.into())),
        None => (None, None),
    };
    Receipt {
        notes,
        more: contract.map(|contract| {
            Box::new(ReceiptMore {
                contract: Some(contract),
                contract_text,
                ..ReceiptMore::default()
            })
        }),
        ..Receipt::new(i, refs)
    }
}

/// Who paid a receipt, with the notes that says how it was told: the payer; a customer
/// the payer paid for (S26); for a payer without a usable INN, the customer whose
/// invoices the references (and the export's links) name.
fn payer_of(ledger: &Ledger, by_core: &CoreIndex, r: &Receipt) -> (Option<PartyId>, ThinVec<Note>) {
    let p = &ledger.payments[r.payment()];
    let mut notes = ThinVec::new();
    let party = match p.party() {
        Some(id) => Some(third_party(ledger, by_core, id, p, &r.refs, &mut notes).unwrap_or(id)),
        None => {
            // A payer without an INN may also be told by the invoices the export links it to.
            let named: Vec<DocRef> = p
                .doc
                .links()
                .iter()
                .filter_map(|l| l.number.as_deref())
                .map(link_ref)
                .chain(r.refs.iter().cloned())
                .collect();
            identify(ledger, by_core, &named, p.doc.amount, &mut notes)
        }
    };
    // A head office paying for its branch (another KPP): the same debtor (S25).
    if let (Some(id), Some(kpp)) = (party, &p.doc.payer.kpp) {
        let kpps = &ledger.party(id).kpps;
        if !kpps.is_empty() && !kpps.contains(kpp) && ledger.party(id).inn == p.doc.payer.inn {
            notes.push(Note::OtherKpp(kpp.clone()));
        }
    }
    (party, notes)
}

/// A payer paying for another customer (S26): its purpose names an invoice none of the
/// payer's own invoices carries, exactly one other customer has it, and the purpose names
/// that customer (by INN or by name). Returns that customer, with a note.
fn third_party(
    ledger: &Ledger,
    by_core: &CoreIndex,
    payer: PartyId,
    p: &crate::ledger::LedgerPayment,
    refs: &[DocRef],
    notes: &mut ThinVec<Note>,
) -> Option<PartyId> {
    let named: Vec<&DocRef> = refs
        .iter()
        .filter(|r| r.strength == Strength::Keyword && r.kind == RefKind::Invoice && !r.long_number)
        .collect();
    if named.is_empty() {
        return None;
    }
    let candidates = |r: &DocRef| -> Vec<usize> {
        let core = r.core();
        by_core
            .get(&core, |i| has_core(&ledger.invoices[i].doc, &core))
            .filter(|&i| numbers(&ledger.invoices[i].doc).any(|n| names_number(r, n)))
            .collect()
    };
    // The payer's own invoices come first: a reference it can pay itself is its own.
    if named.iter().any(|r| {
        candidates(r)
            .iter()
            .any(|&i| ledger.invoices[i].party == payer)
    }) {
        return None;
    }
    let mut others: Vec<PartyId> = named
        .iter()
        .flat_map(|r| candidates(r))
        .map(|i| ledger.invoices[i].party)
        .collect();
    others.sort_unstable();
    others.dedup();
    let [other] = others[..] else { return None };
    let info = ledger.party(other);
    let text = p.doc.purpose.text();
    let purpose = crate::ledger::normalize_name(&text);
    let name = crate::ledger::normalize_name(&info.name);
    let mentioned = info
        .inn
        .as_ref()
        .is_some_and(|inn| text.contains(inn.as_str()))
        || (!name.is_empty() && format!(" {purpose} ").contains(&format!(" {name} ")));
    if !mentioned {
        return None;
    }
    notes.push(Note::ThirdParty(ledger.party(payer).name.clone()));
    Some(other)
}

/// Finds the party of a payer without a usable INN from the invoices its purpose names.
fn identify(
    ledger: &Ledger,
    by_core: &CoreIndex,
    refs: &[DocRef],
    amount: Decimal,
    notes: &mut ThinVec<Note>,
) -> Option<PartyId> {
    let mut candidates: Vec<usize> = Vec::new();
    for r in refs.iter().filter(|r| r.strength == Strength::Keyword) {
        let core = r.core();
        let named: Vec<usize> = by_core
            .get(&core, |i| has_core(&ledger.invoices[i].doc, &core))
            .filter(|&i| numbers(&ledger.invoices[i].doc).any(|n| names_number(r, n)))
            .collect();
        candidates.extend(filter_by_date(ledger, named, r.date));
    }
    let mut parties: Vec<PartyId> = candidates
        .iter()
        .map(|&i| ledger.invoices[i].party)
        .collect();
    parties.sort_unstable();
    parties.dedup();
    match parties.len() {
        0 => {
            notes.push(Note::NoParty);
            None
        }
        1 => {
            notes.push(Note::IdentifiedByReference);
            Some(parties[0])
        }
        _ => {
            let mut by_amount: Vec<PartyId> = candidates
                .iter()
                .filter(|&&i| ledger.invoices[i].doc.amount == amount)
                .map(|&i| ledger.invoices[i].party)
                .collect();
            by_amount.sort_unstable();
            by_amount.dedup();
            if by_amount.len() == 1 {
                notes.push(Note::IdentifiedByReference);
                Some(by_amount[0])
            } else {
                notes.push(Note::AmbiguousParty);
                None
            }
        }
    }
}

/// Keeps the invoices dated as the reference says, unless none is (a typo in the date
/// must not hide the only invoice with that number).
fn filter_by_date(ledger: &Ledger, candidates: Vec<usize>, date: Option<NaiveDate>) -> Vec<usize> {
    let Some(date) = date else { return candidates };
    let dated: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|&i| ledger.invoices[i].doc.date == date)
        .collect();
    if dated.is_empty() { candidates } else { dated }
}

/// One party's documents in one currency.
#[derive(Debug, Default)]
struct Group {
    invoices: Vec<usize>,
    credits: Vec<usize>,
    /// Indexes into the receipts list (not the ledger).
    receipts: Vec<usize>,
    refunds: Vec<usize>,
}

/// A debt being paid off.
struct Open {
    debit: Debit,
    date: NaiveDate,
    due: NaiveDate,
    number: crate::model::Text,
    /// Other numbers (with their dates) and ids this debt is known by.
    aliases: Vec<crate::model::DocLink>,
    /// For an invoice in у.е. matched against roubles: the currency it is pegged to.
    peg: Option<String>,
    ids: Vec<crate::model::Text>,
    order: (
        NaiveDate,
        NaiveDate,
        u64,
        crate::model::Text,
        crate::model::Provenance,
    ),
    outstanding: Decimal,
    /// Seen by the chronological pass (its date has come).
    open: bool,
}

/// Money waiting for a later debt.
struct Pooled {
    source: Source,
    remaining: Decimal,
}

/// What a group's simulation knows beyond its documents.
struct Context<'a> {
    /// The party's removed invoices (indexes into `Ledger::removed`).
    removed: &'a [usize],
    /// All the party's invoices of the run, in every group (indexes into
    /// `Ledger::invoices`): to tell "in another currency or contract" from "unknown".
    party_invoices: &'a [usize],
    /// The group's contract key and currency.
    contract: &'a Option<String>,
    currency: &'a str,
}

/// How money settles a debt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Conv {
    /// One to one: the same currency.
    Same,
    /// Roubles paying a debt in у.е.: roubles per unit on the day.
    Rate(Decimal),
    /// Roubles paying a debt in у.е. on a day before any rate of its currency.
    NoRate,
    /// у.е. cannot pay a debt in roubles.
    Never,
}

/// What becomes of what a receipt has left after links, references and overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rest {
    /// It named nothing: the one debt of its amount, else by due date, else an advance.
    Unnamed,
    /// It named invoices (or an override sent it to some): an advance, or by due date
    /// with `--apply-surplus fifo`.
    Named,
    /// Held by an override: an advance for debts that appear later, never for open ones.
    Held,
    /// Waiting for an invoice an override names, issued after the report date: untouched.
    Reserved,
}

struct Simulation<'a> {
    ledger: &'a Ledger,
    cfg: &'a MatchConfig,
    group: &'a Group,
    context: Context<'a>,
    debts: Vec<Open>,
    allocations: Vec<Allocation>,
    credit_results: Vec<(usize, Decimal, Decimal, Option<Note>)>,
    /// Notes for receipts (by ledger payment index) made while applying money.
    payment_notes: Vec<(usize, Note)>,
    /// Invoices of the group by the numeric core of their numbers (aliases included).
    by_core: CoreIndex,
    /// Invoices of the group by their ids in the exporting system.
    by_id: HashMap<String, usize>,
    /// Each invoice's stages (debt indexes, in payment order).
    parts: HashMap<usize, Vec<usize>>,
    /// Debts that have appeared and still owe something, in payment order (`debts` is
    /// sorted so): the due-date rule takes from the front, never scanning the rest.
    unpaid: std::collections::BTreeSet<usize>,
    /// The same debts in roubles (not pegged) by what they owe, for the exact-amount rule.
    by_amount: HashMap<Decimal, std::collections::BTreeSet<usize>>,
    /// Some debt is in у.е. paid in roubles.
    any_pegged: bool,
}

impl<'a> Simulation<'a> {
    fn new(
        ledger: &'a Ledger,
        cfg: &'a MatchConfig,
        group: &'a Group,
        context: Context<'a>,
    ) -> Self {
        let mut debts: Vec<Open> = Vec::with_capacity(group.invoices.len() + group.refunds.len());
        for (k, &i) in group.invoices.iter().enumerate() {
            if let Some(&next) = group.invoices.get(k + crate::prefetch::AHEAD) {
                crate::prefetch::record(&ledger.invoices[next]);
            }
            let (due, _) = cfg.terms.due(ledger, &ledger.invoices[i]);
            let inv = &ledger.invoices[i].doc;
            // Each stage of a payment schedule is a debt of its own, due on its own date.
            let stages = inv
                .stages()
                .map(|(own, amount)| (own.unwrap_or(due), amount));
            for (part, (due, amount)) in stages.enumerate() {
                let head = part == 0;
                debts.push(Open {
                    peg: pegged(cfg, &inv.currency),
                    debit: Debit::Invoice(i, part as u16),
                    date: inv.date,
                    due,
                    number: inv.number.clone(),
                    aliases: if head {
                        inv.aliases().to_vec()
                    } else {
                        Vec::new()
                    },
                    ids: if head {
                        inv.id()
                            .into_iter()
                            .chain(inv.aliases().iter().filter_map(|a| a.id.as_ref()))
                            .cloned()
                            .collect()
                    } else {
                        Vec::new()
                    },
                    order: order_key(due, inv.date, &inv.number, inv.prov),
                    outstanding: amount,
                    open: false,
                });
            }
        }
        for &i in &group.refunds {
            let p = &ledger.payments[i];
            debts.push(Open {
                peg: None,
                debit: Debit::Refund(i),
                date: p.cash_date(),
                due: p.cash_date(),
                number: p.doc.number.clone(),
                aliases: Vec::new(),
                ids: Vec::new(),
                order: order_key(p.cash_date(), p.cash_date(), &p.doc.number, p.doc.prov),
                outstanding: p.doc.amount,
                open: false,
            });
        }
        // (Ties keep the order the debts were listed in, which is their debits' order:
        // sorted without a stable sort's scratch buffer.)
        debts.sort_unstable_by(|a, b| a.order.cmp(&b.order).then(a.debit.cmp(&b.debit)));
        let mut core_pairs: Vec<(crate::model::Text, usize)> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::default();
        let mut parts: HashMap<usize, Vec<usize>> = HashMap::default();
        for (k, d) in debts.iter().enumerate() {
            if let Debit::Invoice(i, _) = d.debit {
                parts.entry(i).or_default().push(k);
            }
        }
        for (i, d) in debts.iter().enumerate() {
            // Only an invoice's first stage is found by number or id; `parts` gives the rest.
            if !matches!(d.debit, Debit::Invoice(_, 0)) {
                continue;
            }
            let Debit::Invoice(inv, _) = d.debit else {
                continue;
            };
            core_pairs.extend(cores(&ledger.invoices[inv].doc).into_iter().map(|c| (c, i)));
            for id in &d.ids {
                by_id.entry(id.to_string()).or_insert(i);
            }
        }
        let any_pegged = debts.iter().any(|d| d.peg.is_some());
        let by_core = CoreIndex::new(core_pairs);
        Simulation {
            ledger,
            cfg,
            group,
            context,
            debts,
            // About one application per debt or receipt: room at once, not by doubling.
            allocations: Vec::with_capacity(group.invoices.len() + group.receipts.len()),
            credit_results: Vec::new(),
            payment_notes: Vec::new(),
            by_core,
            by_id,
            parts,
            unpaid: std::collections::BTreeSet::new(),
            by_amount: HashMap::default(),
            any_pegged,
        }
    }

    /// Debt `i` appears (its date has come): it joins the indexes if it still owes.
    fn open_debt(&mut self, i: usize) {
        self.debts[i].open = true;
        if self.debts[i].outstanding > Decimal::ZERO {
            self.unpaid.insert(i);
            if self.debts[i].peg.is_none() {
                self.by_amount
                    .entry(self.debts[i].outstanding)
                    .or_default()
                    .insert(i);
            }
        }
    }

    /// Sets what debt `i` still owes, keeping the indexes of open debts right.
    fn set_outstanding(&mut self, i: usize, value: Decimal) {
        let old = self.debts[i].outstanding;
        self.debts[i].outstanding = value;
        if !self.debts[i].open || old == value {
            return;
        }
        if self.debts[i].peg.is_none()
            && let Some(set) = self.by_amount.get_mut(&old)
        {
            set.remove(&i);
            if set.is_empty() {
                self.by_amount.remove(&old);
            }
        }
        if value > Decimal::ZERO {
            self.unpaid.insert(i);
            if self.debts[i].peg.is_none() {
                self.by_amount.entry(value).or_default().insert(i);
            }
        } else {
            self.unpaid.remove(&i);
        }
    }

    /// The open debts a payment of `amount` reaches by the earliest due date: from the
    /// front of the unpaid ones, until they owe `amount`, and the rest of the last due
    /// date (which may share it pro rata).
    fn front(&self, source: Source, date: NaiveDate, amount: Decimal) -> Vec<usize> {
        let mut out = Vec::new();
        let mut total = Decimal::ZERO;
        let mut last_due = None;
        for &i in &self.unpaid {
            let due = self.debts[i].due;
            if total >= amount && last_due != Some(due) {
                break;
            }
            total += self.owed(i, source, date);
            last_due = Some(due);
            out.push(i);
        }
        out
    }

    fn apply(
        &mut self,
        debt: usize,
        source: Source,
        source_date: NaiveDate,
        amount: Decimal,
        rule: Rule,
    ) {
        if amount <= Decimal::ZERO {
            return;
        }
        let date = source_date.max(self.debts[debt].date);
        // Roubles paid on an invoice in у.е. settle it at that day's rate (S51).
        let settled = match self.conv(debt, source, source_date) {
            Conv::Same => amount,
            Conv::Rate(rate) => {
                crate::money::round2(amount / rate).min(self.debts[debt].outstanding)
            }
            // Callers apply only what `owed` allows, which is nothing here.
            Conv::NoRate | Conv::Never => return,
        };
        let left = self.debts[debt].outstanding - settled;
        self.set_outstanding(debt, left);
        self.allocations.push(Allocation::new(
            source,
            self.debts[debt].debit,
            amount,
            settled,
            date,
            rule,
        ));
        // A payment that leaves only a trifle open closes the debt (S53); never for
        // credit notes, and never the other way round (an overpayment stays an advance).
        if let Source::Payment(p) = source {
            let full = self.debit_amount(self.debts[debt].debit);
            let left = self.debts[debt].outstanding;
            if self.cfg.tolerance.covers(left, full) {
                self.set_outstanding(debt, Decimal::ZERO);
                let debit = self.debts[debt].debit;
                self.allocations.push(Allocation::new(
                    Source::WriteOff(p),
                    debit,
                    left,
                    left,
                    date,
                    Rule::WriteOff,
                ));
                let number = self.debts[debt].number.clone();
                self.payment_notes
                    .push((p, Note::WrittenOff(number.to_string(), left)));
            }
        }
    }

    /// True when `source` is money in у.е. (a credit note in у.е. when у.е. invoices are
    /// matched against roubles): it settles у.е. invoices one to one, and nothing else.
    fn source_in_ue(&self, source: Source) -> bool {
        match source {
            Source::Credit(c) => pegged(self.cfg, &self.ledger.credits[c].doc.currency).is_some(),
            Source::Payment(_) | Source::WriteOff(_) => false,
        }
    }

    /// How money from `source` on `date` settles debt `i`.
    fn conv(&self, i: usize, source: Source, date: NaiveDate) -> Conv {
        match (&self.debts[i].peg, self.source_in_ue(source)) {
            (None, false) | (Some(_), true) => Conv::Same,
            (None, true) => Conv::Never,
            (Some(peg), false) => match self.cfg.rates.on(peg, date) {
                Some(rate) => Conv::Rate(rate),
                None => Conv::NoRate,
            },
        }
    }

    /// What debt `i` still owes, in the money of `source`, on `date`: nothing when that
    /// money cannot pay it (no rate that day, or у.е. for a debt in roubles).
    fn owed(&self, i: usize, source: Source, date: NaiveDate) -> Decimal {
        let left = self.debts[i].outstanding;
        match self.conv(i, source, date) {
            Conv::Same => left,
            Conv::Rate(rate) => crate::money::round2(left * rate),
            Conv::NoRate | Conv::Never => Decimal::ZERO,
        }
    }

    /// Notes a payment that names, or would pay by due date, an invoice in у.е. on a day
    /// the rates file gives no rate for.
    fn note_missing_rate(&mut self, i: usize, source: Source, date: NaiveDate) {
        if let (Source::Payment(p), Conv::NoRate) = (source, self.conv(i, source, date))
            && let Some(peg) = self.debts[i].peg.clone()
        {
            let number = self.debts[i].number.clone();
            self.payment_notes
                .push((p, Note::NoRate(number.to_string(), peg, date)));
        }
    }

    /// Invoices of this group a reference names, resolved to one or flagged.
    fn resolve(
        &self,
        r: &DocRef,
        amount: Decimal,
        source: Source,
        date: NaiveDate,
    ) -> Result<Vec<usize>, Note> {
        // Every number a reference can name shares its numeric core (`0045`, `БП-45` and
        // `00БП-000045` all have core 45), so only those invoices are looked at.
        let core = r.core();
        let named: Vec<usize> = self
            .by_core
            .get(&core, |i| self.has_core(i, &core))
            .filter(|&i| self.names(r, i).is_some())
            .collect();

        let named: Vec<usize> = if let Some(date) = r.date {
            let dated: Vec<usize> = named
                .iter()
                .copied()
                .filter(|&i| self.names(r, i) == Some(Some(date)))
                .collect();
            if dated.is_empty() { named } else { dated }
        } else {
            named
        };
        match named.len() {
            0 | 1 => Ok(named),
            _ if self.parts_of_one(r, &named) => Ok(named),
            _ => {
                let fits: Vec<usize> = named
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let full = self.debit_amount(self.debts[i].debit);
                        let full = match self.conv(i, source, date) {
                            Conv::Rate(rate) => Some(crate::money::round2(full * rate)),
                            Conv::Same => Some(full),
                            Conv::NoRate | Conv::Never => None,
                        };
                        self.owed_of(i, source, date) == amount || full == Some(amount)
                    })
                    .collect();
                if fits.len() == 1 {
                    Ok(fits)
                } else {
                    Err(Note::Ambiguous(r.number.to_string()))
                }
            }
        }
    }

    /// The oldest invoice (by date, then payment order) a reference names that still owes
    /// something; the oldest of all when every one is paid.
    fn oldest_named(&self, r: &DocRef) -> Option<usize> {
        let core = r.core();
        self.by_core
            .get(&core, |i| self.has_core(i, &core))
            .filter(|&i| self.names(r, i).is_some())
            .min_by_key(|&i| {
                (
                    self.outstanding_of(i) <= Decimal::ZERO,
                    self.debts[i].date,
                    &self.debts[i].order,
                )
            })
    }

    /// The only open debt whose outstanding equals `amount`, if exactly one does.
    fn exact_amount(&self, amount: Decimal, source: Source, date: NaiveDate) -> Option<usize> {
        // Debts in roubles by what they owe; debts in у.е. (few) by their owed on the day.
        let plain = self.by_amount.get(&amount).into_iter().flatten().copied();
        let any_pegged = self.any_pegged;
        let pegged = self
            .unpaid
            .iter()
            .copied()
            .filter(move |_| any_pegged)
            .filter(|&i| self.debts[i].peg.is_some() && self.owed(i, source, date) == amount);
        let mut found = plain.chain(pegged);
        match (found.next(), found.next()) {
            (Some(d), None) => Some(d),
            _ => None,
        }
    }

    /// Whether a reference names debt `i` by its number or an alias: `Some(date)` of the
    /// number it names (`Some(None)` for an alias without a date), `None` when not named.
    /// True when debt `i` is an invoice one of whose numbers has this core.
    fn has_core(&self, i: usize, core: &str) -> bool {
        match self.debts[i].debit {
            Debit::Invoice(inv, _) => has_core(&self.ledger.invoices[inv].doc, core),
            Debit::Refund(_) => false,
        }
    }

    fn names(&self, r: &DocRef, i: usize) -> Option<Option<NaiveDate>> {
        let d = &self.debts[i];
        if names_number(r, &d.number) {
            return Some(Some(d.date));
        }
        d.aliases
            .iter()
            .find(|a| a.number.as_deref().is_some_and(|n| names_number(r, n)))
            .map(|a| a.date)
    }

    /// True when every debt of `named` carries what `r` names only as the same alias (one
    /// number and date): the sales one invoice was shipped in, which the reference names
    /// together.
    fn parts_of_one(&self, r: &DocRef, named: &[usize]) -> bool {
        let alias_of = |i: usize| {
            let d = &self.debts[i];
            if names_number(r, &d.number) {
                return None;
            }
            d.aliases
                .iter()
                .find(|a| a.number.as_deref().is_some_and(|n| names_number(r, n)))
                .map(|a| (a.number.as_deref().map(canonical_number), a.date))
        };
        let first = alias_of(named[0]);
        first.is_some() && named.iter().all(|&i| alias_of(i) == first)
    }

    /// The debts an explicit link names (usually one): by id, else by number (and date).
    fn resolve_link(
        &self,
        link: &crate::model::DocLink,
        amount: Decimal,
        source: Source,
        date: NaiveDate,
    ) -> Result<Vec<usize>, Note> {
        if let Some(&d) = link.id.as_ref().and_then(|id| self.by_id.get(id.as_str())) {
            return Ok(vec![d]);
        }
        match &link.number {
            Some(n) => {
                let mut r = link_ref(n);
                r.date = link.date;
                self.resolve(&r, link.amount.unwrap_or(amount), source, date)
            }
            None => Ok(Vec::new()),
        }
    }

    /// The note for a link or reference that names nothing open: the invoice was removed
    /// from the newest export (S48), or it is unknown (S12).
    fn missing(&self, link: &crate::model::DocLink) -> Note {
        let r = link.number.as_deref().map(link_ref);
        let removed = self
            .context
            .removed
            .iter()
            .map(|&i| &self.ledger.removed[i])
            .find(|x| {
                let by_id = link.id.is_some()
                    && (x.doc.id() == link.id.as_ref()
                        || x.doc
                            .aliases()
                            .iter()
                            .any(|a| a.id.is_some() && a.id == link.id));
                let by_number = r
                    .as_ref()
                    .is_some_and(|r| numbers(&x.doc).any(|n| names_number(r, n)));
                by_id || by_number
            });
        if let Some(x) = removed {
            return Note::RemovedInvoice(
                x.doc.number.to_string(),
                x.doc.status.describe().to_string(),
            );
        }
        // The customer's invoice in another currency or under another contract.
        let elsewhere = self
            .context
            .party_invoices
            .iter()
            .map(|&i| &self.ledger.invoices[i].doc)
            .find(|inv| {
                let by_id = link.id.is_some() && inv.id() == link.id.as_ref();
                let by_number = r
                    .as_ref()
                    .is_some_and(|r| numbers(inv).any(|n| names_number(r, n)));
                by_id || by_number
            });
        match elsewhere {
            Some(inv) if paid_in(self.cfg, &inv.currency) != self.context.currency => {
                Note::OtherCurrency(inv.number.to_string(), inv.currency.to_string())
            }
            Some(inv)
                if self.cfg.by_contract
                    && inv.contract.as_deref().map(contract_key) != *self.context.contract =>
            {
                Note::OtherContract(
                    inv.number.to_string(),
                    inv.contract.as_deref().unwrap_or_default().to_string(),
                )
            }
            _ => Note::UnknownInvoice(link.label()),
        }
    }

    /// The stages of the invoice whose first stage is `head` (just `head` for a refund or
    /// an invoice without a schedule), in payment order.
    fn stages(&self, head: usize) -> Vec<usize> {
        match self.debts[head].debit {
            Debit::Invoice(i, _) => self.parts.get(&i).cloned().unwrap_or_else(|| vec![head]),
            Debit::Refund(_) => vec![head],
        }
    }

    /// What the whole invoice of `head` still owes, in the money of `source`, on `date`.
    fn owed_of(&self, head: usize, source: Source, date: NaiveDate) -> Decimal {
        self.stages(head)
            .iter()
            .map(|&k| self.owed(k, source, date))
            .sum()
    }

    fn outstanding_of(&self, head: usize) -> Decimal {
        self.stages(head)
            .iter()
            .map(|&k| self.debts[k].outstanding)
            .sum()
    }

    /// Applies up to `amount` to the stages of `head` in payment order; returns what was applied.
    fn apply_to_stages(
        &mut self,
        head: usize,
        source: Source,
        date: NaiveDate,
        amount: Decimal,
        rule: Rule,
    ) -> Decimal {
        let mut left = amount;
        for k in self.stages(head) {
            if left <= Decimal::ZERO {
                break;
            }
            let a = left.min(self.owed(k, source, date));
            self.apply(k, source, date, a, rule);
            left -= a;
        }
        amount - left
    }

    fn debit_amount(&self, d: Debit) -> Decimal {
        match d {
            Debit::Invoice(i, _) => self.ledger.invoices[i].doc.amount,
            Debit::Refund(i) => self.ledger.payments[i].doc.amount,
        }
    }

    /// Matches the group; `receipts` are its receipts, in date order (the ones
    /// `Group::receipts` lists).
    fn run(&mut self, receipts: &mut [&mut Receipt]) -> Result<(), MatchError> {
        // Phase 1: explicit links and references, whatever the order of dates (a payment
        // may name an invoice exported after it was paid).
        let mut credit_left: Vec<(usize, Decimal, NaiveDate, Option<Note>)> = Vec::new();
        let mut credits = self.group.credits.clone();
        credits.sort_by_key(|&c| {
            (
                self.ledger.credits[c].doc.date,
                self.ledger.credits[c].doc.prov,
            )
        });
        for c in credits {
            let doc = &self.ledger.credits[c].doc;
            let mut left = doc.amount;
            let mut unknown = None;
            for link in &doc.links {
                match self.resolve_link(link, doc.amount, Source::Credit(c), doc.date) {
                    Ok(debts) if !debts.is_empty() => {
                        let mut cap = link.amount.unwrap_or(left).min(left);
                        for debt in debts {
                            let applied = self.apply_to_stages(
                                debt,
                                Source::Credit(c),
                                doc.date,
                                cap,
                                Rule::Link,
                            );
                            cap -= applied;
                            left -= applied;
                        }
                    }
                    Ok(_) => unknown = Some(self.missing(link)),
                    Err(note) => unknown = Some(note),
                }
            }
            credit_left.push((c, left, doc.date, unknown));
        }
        let mut receipt_left: Vec<(usize, Decimal, Rest)> = Vec::new();
        // The accountant's overrides come before every rule.
        for (ri, r) in receipts.iter().enumerate() {
            if !r.overridden() {
                continue;
            }
            let payment = r.payment();
            let p = &self.ledger.payments[payment];
            let mut left = p.doc.amount;
            for &(inv, amount, line) in r.manual() {
                let head = self.parts.get(&inv).and_then(|v| v.first().copied());
                let Some(head) = head else {
                    let number = &self.ledger.invoices[inv].doc.number;
                    return Err(MatchError {
                        line,
                        message: format!(
                            "invoice {number} is in another currency than the payment"
                        ),
                    });
                };
                if let (Conv::NoRate, Some(peg)) = (
                    self.conv(head, Source::Payment(payment), p.cash_date()),
                    &self.debts[head].peg,
                ) {
                    let message = format!(
                        "invoice {} is in у.е. and the rates file has no {peg} rate on {}",
                        self.debts[head].number,
                        crate::dates::ru(p.cash_date())
                    );
                    return Err(MatchError { line, message });
                }
                let owed = self.owed_of(head, Source::Payment(payment), p.cash_date());
                let a = amount.unwrap_or(left.min(owed));
                if a > left {
                    let message = format!(
                        "{} is more than what is left of the payment ({})",
                        crate::money::plain(a),
                        crate::money::plain(left)
                    );
                    return Err(MatchError { line, message });
                }
                if a > owed {
                    let message = format!(
                        "invoice {} has only {} left to pay",
                        self.debts[head].number,
                        crate::money::plain(owed)
                    );
                    return Err(MatchError { line, message });
                }
                left -= self.apply_to_stages(
                    head,
                    Source::Payment(payment),
                    p.cash_date(),
                    a,
                    Rule::Manual,
                );
            }
            // Invoices issued after the report date keep what they will take (all of it
            // when roubles wait for an invoice in у.е.: its price in roubles is not known
            // yet); the rest is held or an advance as usual.
            let mut reserve = Decimal::ZERO;
            for &(inv, amount, _) in r.waiting() {
                let doc = &self.ledger.invoices[inv].doc;
                reserve += match amount {
                    Some(a) => a,
                    None if doc.currency == p.doc.currency => doc.amount,
                    None => left,
                };
            }
            let reserve = reserve.min(left);
            if reserve > Decimal::ZERO {
                receipt_left.push((ri, reserve, Rest::Reserved));
            }
            let rest = if r.hold() { Rest::Held } else { Rest::Named };
            if left > reserve || reserve.is_zero() {
                receipt_left.push((ri, left - reserve, rest));
            }
        }
        // (The receipts lie in the order of dates, their payments all over the statement.)
        for ri in 0..receipts.len() {
            if let Some(next) = receipts.get(ri + crate::prefetch::AHEAD) {
                crate::prefetch::record(&self.ledger.payments[next.payment()]);
            }
            let r = &mut receipts[ri];
            if r.overridden() {
                continue;
            }
            let p = &self.ledger.payments[r.payment()];
            let amount = p.doc.amount;
            let mut targets: Vec<(usize, Rule, Option<Decimal>)> = Vec::new();
            let mut named = false;
            let mut notes = Vec::new();
            // Links the export states come first, with their amounts; then what the
            // purpose names.
            for link in p.doc.links() {
                named = true;
                match self.resolve_link(link, amount, Source::Payment(r.payment()), p.cash_date()) {
                    Ok(debts) if !debts.is_empty() => {
                        // A link's amount caps the one debt it names; the parts of one
                        // shipped invoice take what the payment has, by due date.
                        let cap = if debts.len() == 1 { link.amount } else { None };
                        for debt in debts {
                            if !targets.iter().any(|(t, ..)| *t == debt) {
                                targets.push((debt, Rule::Link, cap));
                            }
                        }
                    }
                    Ok(_) => notes.push(self.missing(link)),
                    Err(note) => notes.push(note),
                }
            }
            for reference in &r.refs {
                match self.resolve(
                    reference,
                    amount,
                    Source::Payment(r.payment()),
                    p.cash_date(),
                ) {
                    Ok(debts) if !debts.is_empty() => {
                        named = true;
                        for debt in debts {
                            if !targets.iter().any(|(t, ..)| *t == debt) {
                                targets.push((debt, Rule::Reference, None));
                            }
                        }
                    }
                    Ok(_) => {
                        // An invoice word with a number we do not know still names an
                        // invoice (it may come in a later export: S12); a long number that
                        // matches nothing is an account or an INN, not an invoice (S18).
                        if reference.strength == Strength::Keyword
                            && reference.kind == RefKind::Invoice
                            && !reference.long_number
                        {
                            named = true;
                            notes.push(
                                self.missing(&crate::model::DocLink::number(&reference.number)),
                            );
                        } else if reference.kind != RefKind::Invoice && !reference.long_number {
                            // A tax invoice, УПД, waybill or act the export does not tie
                            // to an invoice: flagged, and the payment goes by due date (S16).
                            notes.push(Note::NotAnInvoice(
                                kind_word(reference.kind).into(),
                                reference.number.to_string(),
                            ));
                        }
                    }
                    Err(note) if self.cfg.ambiguous_oldest => {
                        // As asked: the oldest of the invoices that share the number (S20).
                        named = true;
                        match self.oldest_named(reference) {
                            Some(debt) => {
                                notes.push(Note::TookOldest(reference.number.to_string()));
                                if !targets.iter().any(|(t, ..)| *t == debt) {
                                    targets.push((debt, Rule::Reference, None));
                                }
                            }
                            None => notes.push(note),
                        }
                    }
                    Err(note) => {
                        named = true;
                        notes.push(note);
                    }
                }
            }
            // Links with amounts keep the export's split; the rest go by due date.
            targets.sort_by(|a, b| {
                (a.2.is_none(), &self.debts[a.0].order)
                    .cmp(&(b.2.is_none(), &self.debts[b.0].order))
            });
            let mut left = amount;
            let mut paid_here: Vec<usize> = Vec::new();
            for (debt, rule, cap) in targets {
                self.note_missing_rate(debt, Source::Payment(r.payment()), p.cash_date());
                if self.outstanding_of(debt) <= Decimal::ZERO {
                    notes.push(Note::AlreadyPaid(self.debts[debt].number.to_string()));
                    continue;
                }
                let a = left.min(cap.unwrap_or(left));
                left -= self.apply_to_stages(
                    debt,
                    Source::Payment(r.payment()),
                    p.cash_date(),
                    a,
                    rule,
                );
                paid_here.push(debt);
            }
            // Less than the named invoices need: say so (S09); the unnamed ones stay untouched.
            let short: Decimal = paid_here.iter().map(|&d| self.outstanding_of(d)).sum();
            if short > Decimal::ZERO {
                notes.push(Note::ShortOfNamed(short));
            }
            r.notes.extend(notes);
            r.applied = amount - left;
            let rest = if named { Rest::Named } else { Rest::Unnamed };
            receipt_left.push((ri, left, rest));
        }

        // Phase 2: in date order, debts appear and take earlier advances; receipts that
        // named nothing pay open debts by due date; the rest waits as an advance.
        #[derive(PartialEq, Eq, PartialOrd, Ord)]
        enum Event {
            Debts(NaiveDate),
            Receipt(usize),
            Credit(usize),
        }
        // Debts dated the same day appear together, so an advance pays them by due date
        // (ст. 319.1) whatever the order of the lines or files they came from.
        let mut by_day: BTreeMap<NaiveDate, Vec<usize>> = BTreeMap::new();
        for (i, d) in self.debts.iter().enumerate() {
            by_day.entry(d.date).or_default().push(i);
        }
        let zero = crate::model::Provenance { file: 0, line: 0 };
        let mut events: Vec<(NaiveDate, u8, crate::model::Provenance, Event)> = Vec::new();
        for date in by_day.keys() {
            events.push((*date, 0, zero, Event::Debts(*date)));
        }
        for (k, (ri, _, _)) in receipt_left.iter().enumerate() {
            let p = &self.ledger.payments[receipts[*ri].payment()];
            events.push((p.cash_date(), 1, p.doc.prov, Event::Receipt(k)));
        }
        for (k, (c, _, date, _)) in credit_left.iter().enumerate() {
            events.push((*date, 1, self.ledger.credits[*c].doc.prov, Event::Credit(k)));
        }
        events.sort();
        let mut pool: VecDeque<Pooled> = VecDeque::new();
        for (date, _, _, event) in events {
            match event {
                Event::Debts(day) => {
                    // `self.debts` is in payment order, so each day's list is too.
                    let new = by_day.remove(&day).unwrap_or_default();
                    for &i in &new {
                        self.open_debt(i);
                    }
                    // Oldest money first; money that cannot pay these debts (у.е. for
                    // roubles, roubles on a day without a rate) lets the next one try.
                    for waiting in pool.iter_mut() {
                        if new
                            .iter()
                            .all(|&i| self.debts[i].outstanding <= Decimal::ZERO)
                        {
                            break;
                        }
                        let rule = match waiting.source {
                            Source::Payment(_) | Source::WriteOff(_) => Rule::Advance,
                            Source::Credit(_) => Rule::Credit,
                        };
                        waiting.remaining -=
                            self.distribute(waiting.source, date, waiting.remaining, &new, rule);
                    }
                    pool.retain(|waiting| waiting.remaining > Decimal::ZERO);
                }
                Event::Receipt(k) => {
                    let (ri, mut left, rest) = receipt_left[k];
                    let payment = receipts[ri].payment();
                    if rest == Rest::Unnamed && left > Decimal::ZERO && self.cfg.exact_amount {
                        // The one open debt owing exactly this amount (cascade step 4).
                        if let Some(debt) = self.exact_amount(left, Source::Payment(payment), date)
                        {
                            self.apply(
                                debt,
                                Source::Payment(payment),
                                date,
                                left,
                                Rule::ExactAmount,
                            );
                            receipts[ri].applied += left;
                            left = Decimal::ZERO;
                        }
                    }
                    let spread = rest == Rest::Unnamed
                        || (rest == Rest::Named && self.cfg.surplus_by_due_date);
                    if spread && left > Decimal::ZERO {
                        let paid = self.by_due_date(Source::Payment(payment), date, left);
                        left -= paid;
                        receipts[ri].applied += paid;
                    }
                    if left > Decimal::ZERO && rest != Rest::Reserved {
                        pool.push_back(Pooled {
                            source: Source::Payment(payment),
                            remaining: left,
                        });
                    }
                }
                Event::Credit(k) => {
                    let (c, mut left, _, _) = credit_left[k];
                    if self.cfg.credits_by_due_date && left > Decimal::ZERO {
                        let open = self.front(Source::Credit(c), date, left);
                        left -= self.distribute(Source::Credit(c), date, left, &open, Rule::Credit);
                    }
                    if left > Decimal::ZERO {
                        pool.push_back(Pooled {
                            source: Source::Credit(c),
                            remaining: left,
                        });
                    }
                }
            }
        }
        // What is left in the pool is the party's advance and unapplied credit.
        let mut applied_from: HashMap<Source, Decimal> =
            HashMap::with_capacity_and_hasher(self.group.receipts.len(), Default::default());
        for a in &self.allocations {
            *applied_from.entry(a.source()).or_default() += a.amount;
        }
        // Each payment's notes found by its number, not by a look through all of them for
        // each receipt (a big customer's year has thousands of both). (In the order they
        // were made for each payment: the receipt's notes are put in order later.)
        self.payment_notes.sort_by_key(|&(p, _)| p);
        for r in receipts.iter_mut() {
            let p = r.payment();
            let applied = applied_from
                .get(&Source::Payment(p))
                .copied()
                .unwrap_or_default();
            r.applied = applied;
            let amount = self.ledger.payments[p].doc.amount;
            r.advance = amount - applied;
            // A trifle paid too much, written off when asked (S54); never by default.
            // Only the rest of money that paid something: not a stand-alone transfer,
            // not money held or waiting by an override.
            if r.applied > Decimal::ZERO
                && !r.hold()
                && r.waiting().is_empty()
                && self.cfg.overpay_tolerance.covers(r.advance, amount)
            {
                r.more_mut().written_off = r.advance;
                r.notes.push(Note::OverpaymentWrittenOff(r.advance));
                r.advance = Decimal::ZERO;
            }
            let from = self.payment_notes.partition_point(|&(x, _)| x < p);
            let to = from + self.payment_notes[from..].partition_point(|&(x, _)| x == p);
            r.notes
                .extend(self.payment_notes[from..to].iter().map(|(_, n)| n.clone()));
        }

        for (c, _, _, unknown) in credit_left {
            let applied = applied_from
                .get(&Source::Credit(c))
                .copied()
                .unwrap_or_default();
            let total = self.ledger.credits[c].doc.amount;
            self.credit_results
                .push((c, applied, total - applied, unknown));
        }
        Ok(())
    }

    /// Pays open debts by the earliest due date; equal due dates pro rata or in order.
    /// Returns the amount applied.
    fn by_due_date(&mut self, source: Source, date: NaiveDate, amount: Decimal) -> Decimal {
        let open = self.front(source, date, amount);
        for &i in &open {
            self.note_missing_rate(i, source, date);
        }
        self.distribute(source, date, amount, &open, Rule::DueDate)
    }

    /// Pays `candidates` (in payment order) by the earliest due date; debts due on the
    /// same day share pro rata (or go in order with `--tie fifo`). Returns what was applied.
    fn distribute(
        &mut self,
        source: Source,
        date: NaiveDate,
        amount: Decimal,
        candidates: &[usize],
        rule: Rule,
    ) -> Decimal {
        let open: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| self.debts[i].outstanding > Decimal::ZERO)
            .collect();
        let mut left = amount;
        let mut k = 0;
        while k < open.len() && left > Decimal::ZERO {
            let due = self.debts[open[k]].due;
            let mut end = k;
            while end < open.len() && self.debts[open[end]].due == due {
                end += 1;
            }
            let same: Vec<usize> = open[k..end].to_vec();
            let total: Decimal = same.iter().map(|&i| self.owed(i, source, date)).sum();
            if left >= total || same.len() == 1 || self.cfg.tie == Tie::Fifo {
                for i in same {
                    if left <= Decimal::ZERO {
                        break;
                    }
                    let a = left.min(self.owed(i, source, date));
                    self.apply(i, source, date, a, rule);
                    left -= a;
                }
            } else {
                let weights: Vec<Decimal> =
                    same.iter().map(|&i| self.owed(i, source, date)).collect();
                let parts = pro_rata(left, &weights);
                let split_rule = if rule == Rule::DueDate {
                    Rule::ProRata
                } else {
                    rule
                };
                for (i, part) in same.into_iter().zip(parts) {
                    self.apply(i, source, date, part, split_rule);
                }
                left = Decimal::ZERO;
            }
            k = end;
        }
        amount - left
    }
}

/// The order debts are paid in: due date, date, number (numerically where it is a
/// number), then where it came from.
fn order_key(
    due: NaiveDate,
    date: NaiveDate,
    number: &str,
    prov: crate::model::Provenance,
) -> (
    NaiveDate,
    NaiveDate,
    u64,
    crate::model::Text,
    crate::model::Provenance,
) {
    let numeric = refs::number_core(number)
        .and_then(|c| c.parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    (due, date, numeric, number.into(), prov)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn an_allocation_gives_back_its_source_and_debit() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap();
        let big = u32::MAX as usize;
        for source in [Source::Payment(0), Source::Credit(7), Source::WriteOff(big)] {
            for debit in [
                Debit::Invoice(5, 0),
                Debit::Invoice(big, 3),
                Debit::Refund(9),
            ] {
                let a = Allocation::new(source, debit, dec!(1.5), dec!(1.5), day, Rule::Manual);
                assert_eq!((a.source(), a.debit()), (source, debit));
            }
        }
        assert_eq!(std::mem::size_of::<Allocation>(), 40);
    }

    #[test]
    fn an_allocation_keeps_what_it_settled_as_given() {
        let day = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap();
        let new = |amount, settled| {
            Allocation::new(
                Source::Payment(0),
                Debit::Invoice(0, 0),
                amount,
                settled,
                day,
                Rule::Manual,
            )
        };
        // The same as the amount: nothing apart.
        let same = new(dec!(100.00), dec!(100.00));
        assert_eq!((same.settled(), same.settled_apart), (dec!(100.00), None));
        // A conversion, and the same value written to another scale, are kept as given.
        assert_eq!(new(dec!(9000.00), dec!(100.00)).settled(), dec!(100.00));
        assert_eq!(new(dec!(100.00), dec!(100)).settled().to_string(), "100");
    }

    #[test]
    fn pro_rata_by_largest_remainder_adds_up() {
        // S56
        let parts = pro_rata(
            dec!(100.00),
            &[dec!(33333.33), dec!(33333.33), dec!(33333.34)],
        );
        assert_eq!(parts, vec![dec!(33.33), dec!(33.33), dec!(33.34)]);
        // S06
        assert_eq!(
            pro_rata(dec!(50000), &[dec!(60000), dec!(40000)]),
            vec![dec!(30000), dec!(20000)]
        );
        let parts = pro_rata(dec!(0.01), &[dec!(1), dec!(1), dec!(1)]);
        assert_eq!(parts.iter().sum::<Decimal>(), dec!(0.01));
        assert_eq!(parts, vec![dec!(0.01), dec!(0), dec!(0)]);
    }

    #[test]
    fn contracts_named_in_purposes() {
        let c = |s: &str| contract_of_purpose(s).map(|(_, text)| text);
        assert_eq!(c("оплата по договору №2").as_deref(), Some("2"));
        assert_eq!(
            c("по договору поставки N 5 от 01.02.2024").as_deref(),
            Some("5")
        );
        assert_eq!(c("Оплата по дог.7, счет 45").as_deref(), Some("7"));
        assert_eq!(c("по дог. № 12/2024-СП").as_deref(), Some("12/2024-СП"));
        assert_eq!(
            c("Контракт 0173100004524000012").as_deref(),
            Some("0173100004524000012")
        );
        assert_eq!(c("Оплата по договоренности 5 поставок"), None);
        assert_eq!(c("по договору N5").as_deref(), Some("5"));
        assert_eq!(c("Оплата по счету 45 (договор 5)").as_deref(), Some("5"));
        assert_eq!(c("по договору от 01.03.2024"), None);
        assert_eq!(c("Оплата по счету 45"), None);
        assert_eq!(
            contract_of_purpose("по договору № 00012")
                .map(|(key, _)| key)
                .as_deref(),
            Some("12")
        );
    }

    #[test]
    fn canonical_numbers_drop_prefix_zeros_and_read_lookalikes() {
        assert_eq!(canonical_number("00БП-000045"), "БП-45");
        assert_eq!(canonical_number("БП-45"), "БП-45");
        assert_eq!(canonical_number("0045"), "45");
        assert_eq!(canonical_number("19-685"), "19-685");
        assert_eq!(canonical_number("TД-7"), "ТД-7"); // Latin T
    }
}
