//! The ledger: every document of every file together, each counted once, with parties
//! resolved and bank documents classified.
//!
//! Readers know one file each; only here is everything known at once: which accounts
//! and INNs are ours (from all statements and the settings), which documents are the
//! same document exported twice, which payments are customers paying us, our own
//! transfers, or refunds to customers. Later layers never look at files again.

use crate::inn::is_valid_inn;
use crate::model::Text;
use crate::model::{
    Credit, Direction, Document, FileId, Invoice, Party, Payment, Provenance, Sources, Warning,
};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::collections::{BTreeMap, BTreeSet};

/// Index of a party in [`Ledger::parties`].
pub type PartyId = usize;

/// A party or none in four bytes (its id plus one, 0 for none), where an
/// `Option<PartyId>` takes 16: payment records and receipts keep one each, a million of
/// each in a year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartySlot(u32);

impl PartySlot {
    pub fn new(party: Option<PartyId>) -> PartySlot {
        // A ledger holds far fewer parties than four billion (each is a document's side);
        // an id beyond that would read as no party, never as another one.
        let slot = party.and_then(|id| id.checked_add(1)?.try_into().ok());
        PartySlot(slot.unwrap_or(0))
    }

    pub fn get(self) -> Option<PartyId> {
        (self.0 as usize).checked_sub(1)
    }
}

/// How a party is identified: by INN (the normal case) or, without one, by its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PartyKey {
    Inn(String),
    /// INN and KPP, when branches are kept apart (`--group inn+kpp`).
    InnKpp(String, String),
    Name(String),
}

/// How parties are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    /// By INN: a head office and its branches (other KPPs) are one debtor (the default).
    #[default]
    Inn,
    /// By INN and KPP: each branch is a debtor of its own.
    InnKpp,
}

/// A counterparty as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartyInfo {
    pub key: PartyKey,
    pub name: String,
    pub inn: Option<String>,
    pub kpp: Option<String>,
    /// Every KPP the party's invoices and credits carry.
    pub kpps: BTreeSet<String>,
}

/// What a bank document means for receivables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PaymentClass {
    /// Money from a customer (or from an unknown payer) to us.
    Receipt,
    /// Money we sent back to a customer.
    Refund,
    /// Between our own accounts, or from our own INN.
    Internal,
    /// Money we paid to someone else: not a receivable.
    Expense,
    /// Neither side is ours and the dates do not tell.
    Unknown,
    /// Money from an acquirer, a marketplace or another agent paying out what customers
    /// paid them: not a customer's payment of a debt.
    Agent,
}

/// The bank documents the ledger counted and left out, by what they were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uncounted {
    /// Transfers between our own accounts, or from our own INN.
    pub internal: usize,
    /// Money we paid to someone else.
    pub expenses: usize,
    /// Documents whose direction neither side nor the dates tell.
    pub unknown: usize,
}

impl Uncounted {
    pub fn total(&self) -> usize {
        self.internal + self.expenses + self.unknown
    }
}

/// A payment with what the ledger worked out about it.
#[derive(Debug, Clone)]
pub struct LedgerPayment {
    pub doc: Payment,
    pub direction: Option<Direction>,
    pub class: PaymentClass,
    /// The counterparty ([`LedgerPayment::party`]). (In four bytes: with a statement's
    /// documents, this record must fit where the document lay, so that the ledger takes
    /// them over without a second array.)
    party_slot: PartySlot,
    /// The payer's INN is present but fails the checksum.
    pub invalid_inn: bool,
    /// The payer was told by an account other payments of the party came from.
    pub by_account: bool,
}

impl LedgerPayment {
    /// The day the money counts: the day it came in (a receipt) or left (a refund), as
    /// the statement says, else the document's date. (Worked out where it is read: kept,
    /// it made each of a year's payment records 8 bytes longer.)
    pub fn cash_date(&self) -> NaiveDate {
        self.doc
            .cash_date(self.direction.unwrap_or(Direction::Incoming))
    }

    /// The counterparty: the payer of a receipt (when its INN is valid), the payee of a
    /// refund.
    pub fn party(&self) -> Option<PartyId> {
        self.party_slot.get()
    }

    fn set_party(&mut self, party: Option<PartyId>) {
        self.party_slot = PartySlot::new(party);
    }
}

#[derive(Debug, Clone)]
pub struct LedgerInvoice {
    pub doc: Invoice,
    pub party: PartyId,
}

#[derive(Debug, Clone)]
pub struct LedgerCredit {
    pub doc: Credit,
    pub party: PartyId,
}

/// Settings the ledger needs: our company as the settings file names it.
#[derive(Debug, Clone, Default)]
pub struct LedgerConfig {
    pub our_inns: Vec<String>,
    pub our_accounts: Vec<String>,
    pub group: Grouping,
    /// INNs of acquirers, marketplaces and other agents whose receipts are not customers'.
    pub agent_inns: Vec<String>,
}

/// All documents, deduplicated and classified.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    pub sources: Sources,
    pub parties: Vec<PartyInfo>,
    pub invoices: Vec<LedgerInvoice>,
    pub credits: Vec<LedgerCredit>,
    pub payments: Vec<LedgerPayment>,
    pub our_accounts: BTreeSet<String>,
    pub our_inns: BTreeSet<String>,
    /// Invoices the newest export marks deleted, cancelled or unposted: out of the
    /// register, kept to explain a payment that names one.
    pub removed: Vec<LedgerInvoice>,
    /// Documents dropped because another file (or the same one) already had them.
    pub duplicates: usize,
    /// Bank documents read and then left out because no debt depends on them:
    /// `payments` does not hold them.
    pub uncounted: Uncounted,
    pub warnings: Vec<Warning>,
}

/// One file's contribution: its id, the accounts it names, its documents.
#[derive(Debug, Clone, Default)]
pub struct FileDocs {
    pub file: FileId,
    pub accounts: Vec<String>,
    /// Our INNs as the file names them.
    pub company_inns: Vec<String>,
    /// When the file was exported (for "the newer export wins").
    pub exported: Option<chrono::NaiveDateTime>,
    pub documents: Vec<Document>,
}

impl Ledger {
    /// Gives back the purposes of these payments, which read as empty from here on. A
    /// purpose is the longest text a run keeps of a payment (5 MiB of 100 MiB of
    /// statement); once matching has read them, a register shows only the purposes of
    /// money it could not tie to a customer, and aging and the output come at the peak
    /// of the run's memory.
    pub fn forget_purposes(&mut self, payments: impl IntoIterator<Item = usize>) {
        for i in payments {
            if let Some(p) = self.payments.get_mut(i) {
                p.doc.purpose = crate::model::Purpose::default();
            }
        }
    }

    /// The latest date any document carries (invoices' and credits' dates, payments'
    /// cash dates): a matching as of it sees everything.
    pub fn latest_date(&self) -> Option<chrono::NaiveDate> {
        let invoices = self.invoices.iter().map(|i| i.doc.date);
        let credits = self.credits.iter().map(|c| c.doc.date);
        let payments = self.payments.iter().map(|p| p.cash_date());
        invoices.chain(credits).chain(payments).max()
    }

    pub fn party(&self, id: PartyId) -> &PartyInfo {
        &self.parties[id]
    }
}

/// A name as the register shows it: one line, single spaces (exports wrap long names).
fn display_name(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Normalises a company name for comparison: case, quotes, legal forms and punctuation dropped.
pub fn normalize_name(name: &str) -> String {
    const FORMS: &[&str] = &[
        "ооо", "оао", "зао", "пао", "ао", "ип", "нко", "ано", "гуп", "муп", "фгуп",
    ];
    let lower = crate::text::fold_ru(name);
    let cleaned: String = lower
        .chars()
        .map(|c| {
            if crate::text::is_letter_or_digit(c) {
                c
            } else {
                ' '
            }
        })
        .collect();
    cleaned
        .split_whitespace()
        .filter(|w| !FORMS.contains(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Builds the ledger from the files read. Files must come in [`Sources`] order.
pub fn build(sources: Sources, files: Vec<FileDocs>, config: &LedgerConfig) -> Ledger {
    let mut ledger = Ledger {
        sources,
        ..Ledger::default()
    };
    ledger
        .our_accounts
        .extend(config.our_accounts.iter().cloned());
    ledger.our_inns.extend(config.our_inns.iter().cloned());
    // Documents in a fixed order, whatever the order they were read in: older exports
    // first (so that a newer copy of a document replaces an older one), then by file path
    // and line. Files are put in that order, and the documents of each come in it.
    let mut files = files;
    files.sort_by_key(|f| (f.exported, f.file));
    let mut rank = vec![u32::MAX; ledger.sources.len()];
    for (r, f) in files.iter().enumerate() {
        if let Some(slot) = rank.get_mut(f.file as usize) {
            *slot = r as u32;
        }
    }
    // Exact capacities: the documents are the bulk of the memory.
    let (mut n_invoices, mut n_credits, mut n_payments) = (0, 0, 0);
    for d in files.iter().flat_map(|f| &f.documents) {
        match d {
            Document::Invoice(_) => n_invoices += 1,
            Document::Credit(_) => n_credits += 1,
            Document::Payment(_) => n_payments += 1,
        }
    }
    // Each document is moved once, into the ledger's own record; everything below works
    // on those records in place (a copy of a million documents costs its memory twice).
    // A statement's documents become the ledger's payments where they lie.
    let mut invoices: Vec<LedgerInvoice> = Vec::with_capacity(n_invoices);
    let mut credits: Vec<LedgerCredit> = Vec::with_capacity(n_credits);
    let unclassified = |doc: Payment| LedgerPayment {
        direction: None,
        class: PaymentClass::Unknown,
        party_slot: PartySlot::default(),
        invalid_inn: false,
        by_account: false,
        doc,
    };
    // The first file with payments, when it holds nothing else (a statement): its
    // documents become the ledger's payments where they lie, on a core of their own
    // while the other files' documents are moved.
    let is_payment = |d: &Document| matches!(d, Document::Payment(_));
    let statement = files
        .iter()
        .position(|f| f.documents.iter().any(is_payment))
        .filter(|&k| files[k].documents.iter().all(is_payment))
        .map(|k| std::mem::take(&mut files[k].documents));
    // Payments of the other files, which come after the statement's.
    let in_statement = statement.as_ref().map_or(0, Vec::len);
    let mut later: Vec<LedgerPayment> = Vec::with_capacity(n_payments - in_statement);
    let mut payments: Vec<LedgerPayment> = std::thread::scope(|scope| {
        let converting = statement.map(|docs| {
            scope.spawn(move || -> Vec<LedgerPayment> {
                // (Collected in place: a payment record is no larger than a document.)
                docs.into_iter()
                    .filter_map(|d| match d {
                        Document::Payment(doc) => Some(unclassified(doc)),
                        _ => None,
                    })
                    .collect()
            })
        });
        for f in files {
            ledger
                .our_accounts
                .extend(f.accounts.into_iter().filter(|a| !a.is_empty()));
            ledger
                .our_inns
                .extend(f.company_inns.into_iter().filter(|i| is_valid_inn(i)));
            for d in f.documents {
                match d {
                    Document::Invoice(doc) => invoices.push(LedgerInvoice {
                        doc,
                        party: UNRESOLVED,
                    }),
                    Document::Credit(doc) => credits.push(LedgerCredit {
                        doc,
                        party: UNRESOLVED,
                    }),
                    Document::Payment(doc) => later.push(unclassified(doc)),
                }
            }
        }
        // A panic on the other core is a bug; let it surface as one.
        converting.map_or_else(Vec::new, |h| {
            h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
        })
    });
    if payments.is_empty() {
        payments = later;
    } else if !later.is_empty() {
        payments.reserve_exact(later.len());
        payments.extend(later);
    }
    // Readers give a file's documents in line order; should one not, order them.
    let age = |p: Provenance| (rank.get(p.file as usize).copied().unwrap_or(u32::MAX), p);
    if !invoices.is_sorted_by_key(|i| age(i.doc.prov)) {
        invoices.sort_by_key(|i| age(i.doc.prov));
    }
    if !credits.is_sorted_by_key(|c| age(c.doc.prov)) {
        credits.sort_by_key(|c| age(c.doc.prov));
    }
    if !payments.is_sorted_by_key(|p| age(p.doc.prov)) {
        payments.sort_by_key(|p| age(p.doc.prov));
    }

    // Every step below works in place: the documents are the bulk of the memory. The
    // payments share nothing with the invoices and credits until parties are resolved:
    // the two sides drop their copies on a core each, and report in a fixed order.
    let mut removed: Vec<LedgerInvoice> = Vec::new();
    let sources = ledger.sources.clone();
    let (mut payment_copies, mut invoice_copies, mut credit_copies) = (
        Copies::new(&sources),
        Copies::new(&sources),
        Copies::new(&sources),
    );
    std::thread::scope(|scope| {
        scope.spawn(|| {
            dedup_payments(&mut payments, &mut payment_copies);
            payments.retain(|p| p.doc.status.is_active());
        });
        dedup_invoices(&mut invoices, &mut invoice_copies);
        removed = invoices
            .extract_if(.., |i| !i.doc.status.is_active())
            .collect();
        supersede(&mut invoices);
        dedup_credits(&mut credits, &mut credit_copies);
        credits.retain(|c| c.doc.status.is_active());
    });
    payment_copies.into_ledger(&mut ledger);
    learn_our_inns(&payments, &mut ledger);
    invoice_copies.into_ledger(&mut ledger);
    credit_copies.into_ledger(&mut ledger);

    // The parties are learnt on a core of their own while the payments are classified.
    let learning = || {
        let mut resolver = PartyResolver::new(config.group);
        learn_parties(&mut resolver, &invoices, &credits, &payments);
        resolver
    };
    // A payer we invoice is a customer, whatever its purpose says about marketplaces.
    let invoiced: HashSet<&str> = invoices
        .iter()
        .filter_map(|i| i.doc.customer.inn.as_deref())
        .collect();
    // Each distinct side is looked at once; then every payment is classified on its own,
    // on all cores.
    let mut facts = SideFacts::default();
    for lp in &payments {
        facts.learn(&lp.doc.payer, &ledger);
        facts.learn(&lp.doc.payee, &ledger);
    }
    let (mut resolver, classes) = std::thread::scope(|scope| {
        let resolver = scope.spawn(learning);
        let classes = crate::par::map(&payments, |lp| {
            let (direction, guessed) = direction(&lp.doc, &ledger, &facts);
            let class = classify(&lp.doc, direction, &ledger, config, &invoiced, &facts);
            (direction, guessed, class)
        });
        // A panic while learning is a bug; let it surface as one.
        let resolver = resolver
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        (resolver, classes)
    });
    let mut by_dates: BTreeMap<FileId, (u32, usize)> = BTreeMap::new();
    for (lp, (direction, guessed, class)) in payments.iter_mut().zip(classes) {
        if guessed {
            let at = lp.doc.prov;
            by_dates.entry(at.file).or_insert((at.line, 0)).1 += 1;
        }
        lp.class = class;
        lp.direction = direction;
    }
    drop(invoiced);
    let mut classified = payments;
    pair_receipts(&mut classified, &mut ledger);
    for (file, (line, n)) in by_dates {
        ledger.warnings.push(Warning::at(
            file,
            line,
            format!(
                "{n} document(s) touch none of our accounts or INNs: their direction is guessed from \
                 ДатаПоступило/ДатаСписано (name our accounts in sverka.toml [company] to be sure)"
            ),
        ));
    }

    let mut noted: HashSet<(usize, bool)> = HashSet::default();
    for p in &classified {
        if p.class == PaymentClass::Receipt
            && noted.insert((ptr(&p.doc.payer), p.doc.direction.is_some()))
        {
            resolver.note_payer(&p.doc);
        }
    }
    // Refunds go to parties we know; the set is complete only after all receipts are noted.
    let known: BTreeSet<PartyKey> = resolver.names.keys().cloned().collect();
    let mut unknown_direction: BTreeMap<FileId, (u32, usize)> = BTreeMap::new();
    let parties = resolver.parties();
    let index: HashMap<&PartyKey, PartyId> = parties
        .iter()
        .enumerate()
        .map(|(i, p)| (&p.key, i))
        .collect();
    let id = |key: Option<PartyKey>| key.and_then(|k| index.get(&k).copied());
    // Each distinct party value is resolved once.
    let mut party_of_value: HashMap<usize, Option<PartyId>> = HashMap::default();
    let mut party_of = |p: &Party| {
        *party_of_value
            .entry(ptr(p))
            .or_insert_with(|| id(resolver.key_of(p)))
    };
    let mut payer_of: HashMap<(usize, bool), (Option<PartyId>, bool)> = HashMap::default();
    // Our own transfers, expenses and documents of unknown direction are only counted
    // from here on (warned about below): nothing later reads them. The rest move to an
    // array of their own as they are resolved (filtering where they lie would keep the
    // whole array; the room for the ones left out is never written, so never taken).
    let mut payments = Vec::with_capacity(classified.len());
    for mut lp in classified {
        let p = &lp.doc;
        if lp.class == PaymentClass::Refund {
            let key = resolver.key_of(&p.payee);
            if !key.as_ref().is_some_and(|k| known.contains(k)) {
                lp.class = PaymentClass::Expense;
            }
        }
        if lp.class == PaymentClass::Unknown {
            let e = unknown_direction
                .entry(p.prov.file)
                .or_insert((p.prov.line, 0));
            e.1 += 1;
        }
        lp.invalid_inn = p.payer.inn.as_deref().is_some_and(|i| !is_valid_inn(i));
        let (party, by_account) = match lp.class {
            PaymentClass::Receipt => *payer_of
                .entry((ptr(&p.payer), p.direction.is_some()))
                .or_insert_with(|| match id(resolver.payer_key(p)) {
                    Some(party) => (Some(party), false),
                    // A payer whose INN is missing or wrong, paying from an account a
                    // known customer pays from (S24, S27).
                    None => {
                        let found = id(resolver.by_account(&p.payer));
                        (found, found.is_some())
                    }
                }),
            PaymentClass::Refund => (party_of(&p.payee), false),
            _ => (None, false),
        };
        lp.set_party(party);
        lp.by_account = by_account;
        match lp.class {
            PaymentClass::Internal => ledger.uncounted.internal += 1,
            PaymentClass::Expense => ledger.uncounted.expenses += 1,
            PaymentClass::Unknown => ledger.uncounted.unknown += 1,
            _ => payments.push(lp),
        }
    }
    for (file, (line, n)) in unknown_direction {
        ledger.warnings.push(Warning::at(
            file,
            line,
            format!("{n} document(s) touch none of our accounts and their dates do not tell the direction: left out of the register"),
        ));
    }
    // Documents whose customer cannot be told (no INN, no name) stay out.
    for i in invoices.iter_mut().chain(removed.iter_mut()) {
        i.party = party_of(&i.doc.customer).unwrap_or(UNRESOLVED);
    }
    for c in &mut credits {
        c.party = party_of(&c.doc.customer).unwrap_or(UNRESOLVED);
    }
    invoices.retain(|i| i.party != UNRESOLVED);
    removed.retain(|i| i.party != UNRESOLVED);
    credits.retain(|c| c.party != UNRESOLVED);
    ledger.invoices = invoices;
    ledger.credits = credits;
    ledger.removed = removed;
    ledger.payments = payments;
    ledger.parties = parties;
    ledger
}

/// Learns every party the documents name: the customers' names (the last one written
/// wins), their KPPs and the payers' and payees' KPPs.
fn learn_parties(
    resolver: &mut PartyResolver,
    invoices: &[LedgerInvoice],
    credits: &[LedgerCredit],
    payments: &[LedgerPayment],
) {
    // Names first, so a customer written without an INN in one list joins the same
    // customer written with one elsewhere, whatever the order of the files. Documents
    // of one file share their party values, so each is learnt once.
    let mut seen: HashSet<usize> = HashSet::default();
    for p in invoices
        .iter()
        .map(|i| &i.doc.customer)
        .chain(credits.iter().map(|c| &c.doc.customer))
    {
        if seen.insert(ptr(p)) {
            resolver.learn_name(p);
            resolver.learn_kpp(p);
        }
    }
    for p in payments {
        for side in [&p.doc.payer, &p.doc.payee] {
            if seen.insert(ptr(side)) {
                resolver.learn_kpp(side);
            }
        }
    }
    // Invoices and credits in file order, the last one's name (and KPP) winning: what a
    // customer ends up with depends only on the order of each party value's last
    // appearance, so each value is noted once, there.
    let customers = || {
        invoices
            .iter()
            .map(|i| &i.doc.customer)
            .chain(credits.iter().map(|c| &c.doc.customer))
    };
    let mut last_seen: HashMap<usize, usize> = HashMap::default();
    for (k, p) in customers().enumerate() {
        last_seen.insert(ptr(p), k);
    }
    for (k, p) in customers().enumerate() {
        if last_seen.get(&ptr(p)) == Some(&k) {
            resolver.note_customer(p);
        }
    }
}

/// The party of an invoice or credit before parties are resolved.
const UNRESOLVED: PartyId = PartyId::MAX;

/// The identity of a party value: the documents of one file share their party values.
fn ptr(p: &Party) -> usize {
    p as *const Party as usize
}

/// What the ledger asks about each side of a bank document, worked out once per
/// distinct party value (after our accounts and INNs are all known).
#[derive(Default)]
struct SideFacts {
    facts: HashMap<usize, (bool, bool)>,
}

impl SideFacts {
    /// Works out the facts of a party value, once.
    fn learn(&mut self, p: &Party, ledger: &Ledger) {
        self.facts
            .entry(ptr(p))
            .or_insert_with(|| Self::work_out(p, ledger));
    }

    /// (one of its accounts is ours, its INN is ours).
    fn of(&self, p: &Party, ledger: &Ledger) -> (bool, bool) {
        self.facts
            .get(&ptr(p))
            .copied()
            .unwrap_or_else(|| Self::work_out(p, ledger))
    }

    fn work_out(p: &Party, ledger: &Ledger) -> (bool, bool) {
        (
            p.accounts().any(|a| ledger.our_accounts.contains(a)),
            p.inn.as_ref().is_some_and(|i| ledger.our_inns.contains(i)),
        )
    }
}

/// Collects parties and the name to show for each.
#[derive(Default)]
struct PartyResolver {
    group: Grouping,
    /// Key → (name, inn, kpp) with the best source seen so far (invoices beat payments).
    names: BTreeMap<PartyKey, PartyInfo>,
    inn_by_name: HashMap<String, BTreeSet<String>>,
    /// The KPPs each INN is written with anywhere in the inputs (grouping by INN+KPP).
    kpps_by_inn: HashMap<String, BTreeSet<String>>,
    /// Accounts the party's payments or export documents came from (`None`: several
    /// parties use it).
    accounts: HashMap<String, Option<PartyKey>>,
}

impl PartyResolver {
    fn new(group: Grouping) -> Self {
        PartyResolver {
            group,
            names: BTreeMap::new(),
            inn_by_name: HashMap::default(),
            kpps_by_inn: HashMap::default(),
            accounts: HashMap::default(),
        }
    }

    /// The party key of an INN (and KPP). Grouping by INN+KPP, a document that states no
    /// KPP belongs with the INN's only KPP, when the inputs write it with exactly one (an
    /// invoice list without KPPs and a statement with them name the same debtor).
    fn inn_key(&self, inn: &str, kpp: Option<&String>) -> PartyKey {
        if self.group != Grouping::InnKpp {
            return PartyKey::Inn(inn.to_string());
        }
        let only = || {
            let kpps = self.kpps_by_inn.get(inn)?;
            (kpps.len() == 1).then(|| kpps.iter().next()).flatten()
        };
        match kpp.or_else(only) {
            Some(kpp) => PartyKey::InnKpp(inn.to_string(), kpp.clone()),
            None => PartyKey::Inn(inn.to_string()),
        }
    }

    fn learn_kpp(&mut self, p: &Party) {
        if let (Some(inn), Some(kpp)) = (&p.inn, &p.kpp) {
            self.kpps_by_inn
                .entry(inn.clone())
                .or_default()
                .insert(kpp.clone());
        }
    }

    fn key_of(&self, p: &Party) -> Option<PartyKey> {
        if let Some(inn) = &p.inn {
            return Some(self.inn_key(inn, p.kpp.as_ref()));
        }
        let name = normalize_name(&p.name);
        if name.is_empty() {
            return None;
        }
        match self.inn_by_name.get(&name) {
            Some(inns) if inns.len() == 1 => inns.iter().next().map(|i| self.inn_key(i, None)),
            _ => Some(PartyKey::Name(name)),
        }
    }

    fn learn_name(&mut self, p: &Party) {
        if let Some(inn) = &p.inn {
            let n = normalize_name(&p.name);
            if !n.is_empty() {
                self.inn_by_name.entry(n).or_default().insert(inn.clone());
            }
        }
    }

    fn note(&mut self, p: &Party, key: PartyKey, overwrite: bool) {
        let mut info = PartyInfo {
            key: key.clone(),
            name: display_name(&p.name),
            inn: p.inn.clone(),
            kpp: p.kpp.clone(),
            kpps: BTreeSet::new(),
        };
        if overwrite {
            info.kpps.extend(p.kpp.iter().cloned());
        }
        match self.names.get_mut(&key) {
            None => {
                self.names.insert(key, info);
            }
            Some(existing) => {
                existing.kpps.extend(info.kpps.iter().cloned());
                if overwrite && !info.name.is_empty() {
                    existing.name = info.name;
                }
                if existing.kpp.is_none() || (overwrite && info.kpp.is_some()) {
                    existing.kpp = info.kpp.or(existing.kpp.take());
                }
                if existing.name.is_empty() {
                    existing.name = display_name(&p.name);
                }
            }
        }
    }

    /// Invoices and credits come in file order: the last one's name wins (the newest 1C name).
    fn note_customer(&mut self, p: &Party) {
        if let Some(key) = self.key_of(p) {
            self.learn_accounts(p, &key);
            self.note(p, key, true);
        }
    }

    /// Remembers the accounts a party pays from (bank transit accounts excepted: many
    /// payers share them).
    fn learn_accounts(&mut self, p: &Party, key: &PartyKey) {
        for a in p.accounts().filter(|a| !is_transit_account(a)) {
            match self.accounts.get_mut(a) {
                None => {
                    self.accounts.insert(a.to_string(), Some(key.clone()));
                }
                Some(known) if known.as_ref() != Some(key) => *known = None,
                Some(_) => {}
            }
        }
    }

    /// The party an account belongs to, when exactly one uses it.
    fn by_account(&self, p: &Party) -> Option<PartyKey> {
        p.accounts()
            .find_map(|a| self.accounts.get(a).cloned().flatten())
    }

    /// The key a receipt's payer gets: a valid INN, or a name only for receipts from a
    /// list that has no INN at all. A bank payer without a valid INN stays unknown until
    /// a reference in its purpose names an invoice.
    fn payer_key(&self, p: &Payment) -> Option<PartyKey> {
        match p.payer.inn.as_deref() {
            Some(inn) if is_valid_inn(inn) => Some(self.inn_key(inn, p.payer.kpp.as_ref())),
            // A list row states its direction; a bank document does not, and its payer
            // is never identified by name.
            None if p.direction.is_some() => self.key_of(&p.payer),
            _ => None,
        }
    }

    fn note_payer(&mut self, p: &Payment) {
        if let Some(key) = self.payer_key(p) {
            self.learn_accounts(&p.payer, &key);
            self.note(&p.payer, key, false);
        }
    }

    /// The parties in key order (INN parties first, then parties known only by name).
    fn parties(&self) -> Vec<PartyInfo> {
        self.names.values().cloned().collect()
    }
}

/// Direction from our accounts, then our INN, then the dates; the flag is true when
/// only the dates decided (a guess worth a warning).
fn direction(p: &Payment, ledger: &Ledger, facts: &SideFacts) -> (Option<Direction>, bool) {
    if let Some(d) = p.direction {
        return (Some(d), false);
    }
    match direction_by_parties(p, ledger, facts) {
        Some(d) => (Some(d), false),
        None => match (p.credited, p.debited) {
            (Some(_), None) => (Some(Direction::Incoming), true),
            (None, Some(_)) => (Some(Direction::Outgoing), true),
            _ => (None, false),
        },
    }
}

fn direction_by_parties(p: &Payment, ledger: &Ledger, facts: &SideFacts) -> Option<Direction> {
    let (payer_account, payer_inn) = facts.of(&p.payer, ledger);
    let (payee_account, payee_inn) = facts.of(&p.payee, ledger);
    match (payer_account, payee_account) {
        (true, true) => return Some(Direction::Internal),
        (false, true) => return Some(Direction::Incoming),
        (true, false) => return Some(Direction::Outgoing),
        (false, false) => {}
    }
    match (payer_inn, payee_inn) {
        (true, true) => return Some(Direction::Internal),
        (false, true) => return Some(Direction::Incoming),
        (true, false) => return Some(Direction::Outgoing),
        (false, false) => {}
    }
    None
}

/// Words that make an outgoing payment a refund to a customer.
fn is_refund_purpose(purpose: &str) -> bool {
    let p = crate::text::fold_ru(purpose);
    p.contains("возврат") && !p.contains("возврат займа") && !p.contains("возврат кредита")
}

/// Bank transit and settlement accounts (30232, 30233, 47422, 40911…): many payers'
/// money passes through them, so they tell nothing about who paid.
fn is_transit_account(account: &str) -> bool {
    ["301", "302", "303", "474", "409", "706"]
        .iter()
        .any(|p| account.starts_with(p))
}

/// Words of an acquirer's, marketplace's or agent's payout (S28). Each starts a word; the
/// stems of common nouns take any ending (`эквайринговым`, `маркетплейсами`), the other
/// words end one or take at most two letters of a Russian ending (`озона`), so
/// "озонатор" is not Ozon. All words are found in one pass over the purpose.
fn is_agent_purpose(purpose: &str) -> bool {
    /// The words, and how many letters may follow each.
    const WORDS: &[(&str, usize)] = &[
        ("эквайринг", usize::MAX),
        ("маркетплейс", usize::MAX),
        ("по операциям с использованием", 2),
        ("по операциям с картами", 2),
        ("по операциям с платежными картами", 2),
        ("возмещение по операциям", 2),
        ("возмещение средств по операциям", 2),
        ("wildberries", 2),
        ("вайлдберриз", 2),
        ("ozon", 2),
        ("озон", 2),
        ("яндекс маркет", 2),
        ("яндекс.маркет", 2),
        ("юkassa", 2),
        ("юкасса", 2),
        ("yookassa", 2),
        ("cloudpayments", 2),
        ("робокасса", 2),
        ("robokassa", 2),
    ];
    static FINDER: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    let finder = FINDER.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(WORDS.iter().map(|(w, _)| *w))
            .expect("fixed word list")
    });
    // Cyrillic letters are matched in lower case: lower-case the purpose only when the
    // finder might need it (it holds an upper-case letter outside ASCII).
    let lower: std::borrow::Cow<'_, str> = if crate::text::needs_fold_beyond_ascii(purpose) {
        std::borrow::Cow::Owned(crate::text::fold_ru(purpose))
    } else {
        std::borrow::Cow::Borrowed(purpose)
    };
    let text = lower.as_ref();
    finder.find_overlapping_iter(text).any(|m| {
        let before = text[..m.start()].chars().next_back();
        let starts = before.is_none_or(|c| !crate::text::is_letter_or_digit(c));
        let rest = text[m.end()..]
            .chars()
            .take_while(|&c| crate::text::is_letter_or_digit(c))
            .count();
        starts && rest <= WORDS[m.pattern().as_usize()].1
    })
}

fn classify(
    p: &Payment,
    direction: Option<Direction>,
    ledger: &Ledger,
    config: &LedgerConfig,
    invoiced: &HashSet<&str>,
    facts: &SideFacts,
) -> PaymentClass {
    let our_inn = |party: &Party| facts.of(party, ledger).1;
    match direction {
        None => PaymentClass::Unknown,
        Some(Direction::Internal) => PaymentClass::Internal,
        Some(Direction::Incoming) if our_inn(&p.payer) => PaymentClass::Internal,
        Some(Direction::Incoming)
            if p.payer
                .inn
                .as_ref()
                .is_some_and(|i| config.agent_inns.contains(i))
                // (The purpose is read only for a payer we have not invoiced.)
                || (!p.payer.inn.as_deref().is_some_and(|i| invoiced.contains(i))
                    && is_agent_purpose(&p.purpose.text())) =>
        {
            PaymentClass::Agent
        }
        Some(Direction::Incoming) => PaymentClass::Receipt,
        Some(Direction::Outgoing) if our_inn(&p.payee) => PaymentClass::Internal,
        Some(Direction::Outgoing) if is_refund_purpose(&p.purpose.text()) => PaymentClass::Refund,
        Some(Direction::Outgoing) => PaymentClass::Expense,
    }
}

/// Our INNs are the ones on our side of the statements' documents.
fn learn_our_inns(payments: &[LedgerPayment], ledger: &mut Ledger) {
    let mut found = BTreeSet::new();
    let mut seen: HashSet<(usize, usize)> = HashSet::default();
    for p in payments.iter().map(|lp| &lp.doc) {
        if !seen.insert((ptr(&p.payer), ptr(&p.payee))) {
            continue;
        }
        let payer_ours = p.payer.accounts().any(|a| ledger.our_accounts.contains(a));
        let payee_ours = p.payee.accounts().any(|a| ledger.our_accounts.contains(a));
        if payee_ours {
            found.extend(p.payee.inn.iter().filter(|i| is_valid_inn(i)).cloned());
        }
        if payer_ours {
            found.extend(p.payer.inn.iter().filter(|i| is_valid_inn(i)).cloned());
        }
    }
    ledger.our_inns.extend(found);
}

/// What makes two bank documents the same document: the payer's numbering (number and
/// date), the amount, and both sides' accounts (numbers are per payer, so the payer's
/// account is part of the key). Two payments that differ in any of these are both kept.
/// (Short strings: the usual numbers, accounts and codes need no allocation.)
fn payment_key(p: &Payment) -> (Text, NaiveDate, Decimal, Text, Text, Text) {
    let side = |x: &Party| -> Text {
        match x
            .account
            .as_deref()
            .or(x.settlement_account.as_deref())
            .or(x.inn.as_deref())
        {
            Some(s) => s.into(),
            None => normalize_name(&x.name).into(),
        }
    };
    (
        p.number.trim().into(),
        p.date,
        p.amount,
        side(&p.payer),
        side(&p.payee),
        Text::from(&*p.currency),
    )
}

/// Payments exported twice count once. A newer export that marks the payment deleted or
/// cancelled wins (with a warning); a purpose retyped between two statements does not
/// matter.
fn dedup_payments(payments: &mut Vec<LedgerPayment>, copies: &mut Copies) {
    dedup_latest(
        payments,
        copies,
        "payment",
        |p| vec![payment_key(&p.doc)],
        |LedgerPayment { doc: p, .. }| {
            format!(
                "№{} of {}: {}, invoices {}",
                p.number,
                ru_date(Some(p.date)),
                p.status.describe(),
                links_text(p.links())
            )
        },
        |p| p.doc.prov,
        fx_hash,
    )
}

/// An invoice is the same invoice when the customer (INN, else name), number and date agree.
fn invoice_key(customer: &Party, number: &str, date: NaiveDate) -> (Text, Text, NaiveDate) {
    (who(customer), crate::text::canonical_number(number), date)
}

/// The customer as dedup and replacement compare them: INN, else the normalised name.
fn who(customer: &Party) -> Text {
    match &customer.inn {
        Some(inn) => inn.as_str().into(),
        None => normalize_name(&customer.name).into(),
    }
}

/// A sale (реализация, отпуск) that names the invoice or order it was made from takes its
/// place: the debt counts once, and references to the replaced document's number or id
/// name the sale. The replaced document's due date, manager and contract carry over
/// where the sale has none.
fn supersede(invoices: &mut Vec<LedgerInvoice>) {
    if invoices.iter().all(|i| i.doc.replaces().is_empty()) {
        return;
    }
    let mut gone = vec![false; invoices.len()];
    let mut by_id: HashMap<Text, usize> = HashMap::default();
    let mut by_number: HashMap<(Text, Text), Vec<usize>> = HashMap::default();
    for (k, i) in invoices.iter().map(|i| &i.doc).enumerate() {
        if let Some(id) = i.id() {
            by_id.entry(id.clone()).or_insert(k);
        }
        by_number
            .entry((who(&i.customer), crate::text::canonical_number(&i.number)))
            .or_default()
            .push(k);
    }
    for k in 0..invoices.len() {
        if invoices[k].doc.replaces().is_empty() || gone[k] {
            continue;
        }
        let customer = who(&invoices[k].doc.customer);
        // What an invoice replaces is read only here.
        let replaces = (invoices[k].doc.more.as_mut())
            .map(|m| std::mem::take(&mut m.replaces))
            .unwrap_or_default();
        for link in replaces {
            let by_link_id = link
                .id
                .as_ref()
                .and_then(|id| by_id.get(id.as_str()).copied());
            // By number and date; a date that fits no invoice (a typo) still finds the only
            // invoice of the customer with that number.
            let by_link_number = link.number.as_ref().and_then(|n| {
                let c = by_number.get(&(customer.clone(), crate::text::canonical_number(n)))?;
                let open: Vec<usize> = c.iter().copied().filter(|&t| t != k && !gone[t]).collect();
                open.iter()
                    .copied()
                    .find(|&t| link.date.is_none_or(|d| invoices[t].doc.date == d))
                    .or_else(|| match open[..] {
                        [only] if link.date.is_some() => Some(only),
                        _ => None,
                    })
            });
            let target = by_link_id
                .filter(|&t| t != k && !gone[t] && who(&invoices[t].doc.customer) == customer)
                .or(by_link_number);
            if let Some(t) = target {
                gone[t] = true;
                let old = std::mem::take(&mut invoices[t].doc);
                let new = &mut invoices[k].doc;
                new.more_mut().aliases.push(crate::model::DocLink {
                    number: Some(old.number.clone()),
                    date: Some(old.date),
                    id: old.id().cloned(),
                    amount: None,
                });
                if let Some(more) = old.more {
                    new.more_mut().aliases.extend(more.aliases);
                }
                new.due = new.due.or(old.due);
                new.manager = new.manager.take().or(old.manager);
                new.contract = new.contract.take().or(old.contract);
            }
            invoices[k].doc.more_mut().aliases.push(link);
        }
    }
    retain_by_index(invoices, |k| !gone[k]);
    for more in invoices.iter_mut().filter_map(|i| i.doc.more.as_mut()) {
        more.aliases.shrink_to_fit();
    }
}

/// `items.retain(…)` deciding by each item's index.
fn retain_by_index<T>(items: &mut Vec<T>, keep: impl Fn(usize) -> bool) {
    let mut k = 0;
    items.retain(|_| {
        k += 1;
        keep(k - 1)
    });
}

/// A receipt from a 1C list or XML export and the same money in a bank statement are one
/// payment: paired one to one by payer (INN, else name), amount and currency, and by the
/// payer's payment-order number and date when both say, else by the day the money
/// arrived. The statement's document stays (it has the accounts); it takes the links
/// the export gave. Returns the payments with the paired export receipts removed.
fn pair_receipts(items: &mut Vec<LedgerPayment>, ledger: &mut Ledger) {
    let is_bank = |p: &Payment| p.direction.is_none();
    // Most runs have no receipts from exports: nothing to pair.
    if !items
        .iter()
        .any(|lp| lp.class == PaymentClass::Receipt && !is_bank(&lp.doc))
    {
        return;
    }
    let mut bank: HashMap<(Decimal, &str, Text), Vec<usize>> = HashMap::default();
    for (k, lp) in items.iter().enumerate() {
        if lp.class == PaymentClass::Receipt && is_bank(&lp.doc) {
            bank.entry((lp.doc.amount, &*lp.doc.currency, who(&lp.doc.payer)))
                .or_default()
                .push(k);
        }
    }
    if bank.is_empty() {
        return;
    }
    let mut taken = vec![false; items.len()];
    let mut merged: Vec<(usize, usize)> = Vec::new();
    // Exact pairs (the payer's number and date) first, so that a pairing by day cannot
    // take the statement payment another export receipt names exactly.
    for exact in [true, false] {
        for (k, lp) in items.iter().enumerate() {
            let p = &lp.doc;
            if taken[k] || lp.class != PaymentClass::Receipt || is_bank(p) {
                continue;
            }
            let Some(candidates) = bank.get(&(p.amount, &*p.currency, who(&p.payer))) else {
                continue;
            };
            let arrived = p.credited.unwrap_or(p.date);
            let fits = |b: usize| {
                let q = &items[b].doc;
                if exact {
                    q.number.trim() == p.number.trim() && q.date == p.date
                } else {
                    q.cash_date(Direction::Incoming) == arrived
                }
            };
            if let Some(&b) = candidates.iter().find(|&&b| !taken[b] && fits(b)) {
                taken[b] = true;
                taken[k] = true;
                merged.push((b, k));
                ledger.duplicates += 1;
            }
        }
    }
    drop(bank);
    for (b, k) in merged {
        if items[b].doc.links().is_empty()
            && let Some(links) = (items[k].doc.more.as_mut()).map(|m| std::mem::take(&mut m.links))
        {
            items[b].doc.more.get_or_insert_with(Default::default).links = links;
        }
        taken[b] = false;
    }
    retain_by_index(items, |k| !taken[k]);
}

/// The hash duplicates are looked up by (tests give one that makes every key collide).
fn fx_hash<K: std::hash::Hash>(k: &K) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(k)
}

/// What removing duplicates found: how many copies went, and a warning for each later
/// copy that differs from the one it replaced.
struct Copies<'a> {
    /// The files, to name where the earlier copy is.
    sources: &'a Sources,
    count: usize,
    warnings: Vec<Warning>,
}

impl<'a> Copies<'a> {
    fn new(sources: &'a Sources) -> Self {
        Copies {
            sources,
            count: 0,
            warnings: Vec::new(),
        }
    }

    fn into_ledger(self, ledger: &mut Ledger) {
        ledger.duplicates += self.count;
        ledger.warnings.extend(self.warnings);
    }
}

/// Keeps one copy of each document by `key`. A copy that differs in what `summary`
/// shows replaces the earlier one (files come in path order, so the export named last
/// wins) and a warning says so; identical copies are simply counted as duplicates.
fn dedup_latest<T: Sync, K: Eq + Clone>(
    docs: &mut Vec<T>,
    found_copies: &mut Copies,
    what: &str,
    keys: impl Fn(&T) -> Vec<K> + Sync,
    summary: impl Fn(&T) -> String,
    prov: impl Fn(&T) -> Provenance,
    hash: impl Fn(&K) -> u64 + Sync,
) {
    let n = docs.len();
    // Which copy replaces each first copy, and which documents are first copies.
    let mut winner: Vec<usize> = (0..n).collect();
    let mut first = vec![true; n];
    {
        // Keys are looked up by their hashes, worked out on all cores: an index of
        // integers instead of a copy of every key. A hash met before is checked against
        // the key of the document it came from (`owner`); two keys that share a hash
        // (as good as never) go to `overflow`, by the whole key.
        let all_hashes = crate::par::map(docs, |d| keys(d).iter().map(&hash).collect::<Vec<u64>>());
        // Hash → (the document whose key it is, the first copy that key names).
        let mut index: HashMap<u64, (usize, usize)> =
            HashMap::with_capacity_and_hasher(n, Default::default());
        // (Few keys ever get here: compared one by one.)
        let mut overflow: Vec<(K, usize)> = Vec::new();
        let has_key = |owner: usize, k: &K| keys(&docs[owner]).contains(k);
        for ((i, d), hashes) in docs.iter().enumerate().zip(all_hashes) {
            // This document's keys, worked out again only when a hash was met before.
            let mut own: Option<Vec<K>> = None;
            let mut found = None;
            for (slot, h) in hashes.iter().enumerate() {
                if let Some(&(owner, at)) = index.get(h) {
                    let k = &own.get_or_insert_with(|| keys(d))[slot];
                    if has_key(owner, k) {
                        found = Some(at);
                        break;
                    }
                }
                if !overflow.is_empty() {
                    let k = &own.get_or_insert_with(|| keys(d))[slot];
                    if let Some(&(_, at)) = overflow.iter().find(|(o, _)| o == k) {
                        found = Some(at);
                        break;
                    }
                }
            }
            let at = found.unwrap_or(i);
            for (slot, h) in hashes.iter().enumerate() {
                match index.get(h) {
                    None => {
                        index.insert(*h, (i, at));
                    }
                    Some(&(owner, _)) => {
                        let k = &own.get_or_insert_with(|| keys(d))[slot];
                        if !has_key(owner, k) && !overflow.iter().any(|(o, _)| o == k) {
                            overflow.push((k.clone(), at));
                        }
                    }
                }
            }
            if found.is_some() {
                first[i] = false;
                found_copies.count += 1;
                let current = &docs[winner[at]];
                let (old, new) = (summary(current), summary(d));
                if old != new {
                    let at_old = found_copies.sources.at(prov(current));
                    found_copies.warnings.push(Warning::at(
                        prov(d).file,
                        prov(d).line,
                        format!(
                            "{what} also at {at_old} with {old}; this later copy ({new}) is used"
                        ),
                    ));
                    winner[at] = i;
                }
            }
        }
    }
    // Each winning later copy takes its first copy's place; the other copies go.
    for at in 0..n {
        if first[at] && winner[at] != at {
            docs.swap(at, winner[at]);
        }
    }
    retain_by_index(docs, |k| first[k]);
}

/// The documents a payment or credit links to, for messages (`-` for none).
fn links_text(links: &[crate::model::DocLink]) -> String {
    if links.is_empty() {
        return "-".to_string();
    }
    let parts: Vec<String> = links
        .iter()
        .map(|l| match l.amount {
            Some(a) => format!("{} ({})", l.label(), crate::money::plain(a)),
            None => l.label(),
        })
        .collect();
    parts.join(", ")
}

fn ru_date(d: Option<NaiveDate>) -> String {
    d.map_or("-".into(), |d| d.format("%d.%m.%Y").to_string())
}

fn dedup_invoices(invoices: &mut Vec<LedgerInvoice>, copies: &mut Copies) {
    dedup_latest(
        invoices,
        copies,
        "invoice",
        // Any number the invoice is known by identifies it: 1C's number in a list is the
        // same invoice as the order with that `Номер1С` in CommerceML.
        |LedgerInvoice { doc: i, .. }| {
            let mut keys = vec![invoice_key(&i.customer, &i.number, i.date)];
            keys.extend(i.aliases().iter().filter_map(|a| {
                a.number
                    .as_deref()
                    .map(|n| invoice_key(&i.customer, n, a.date.unwrap_or(i.date)))
            }));
            keys
        },
        |LedgerInvoice { doc: i, .. }| {
            format!(
                "№{} of {}: amount {} {}, due date {}{}",
                i.number,
                ru_date(Some(i.date)),
                i.amount,
                i.currency,
                ru_date(i.due),
                if i.status.is_active() {
                    String::new()
                } else {
                    format!(", {}", i.status.describe())
                }
            )
        },
        |i| i.doc.prov,
        fx_hash,
    )
}

fn dedup_credits(credits: &mut Vec<LedgerCredit>, copies: &mut Copies) {
    dedup_latest(
        credits,
        copies,
        "credit note",
        |c| vec![invoice_key(&c.doc.customer, &c.doc.number, c.doc.date)],
        |LedgerCredit { doc: c, .. }| {
            format!(
                "№{} of {}: amount {} {}, invoice {}, {}",
                c.number,
                ru_date(Some(c.date)),
                c.amount,
                c.currency,
                links_text(&c.links),
                c.status.describe()
            )
        },
        |c| c.doc.prov,
        fx_hash,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn a_ledger_record_fits_where_its_document_lay() {
        // The ledger turns a statement's documents into its payment records in place;
        // a bigger record would need a second array as big as the statement's. An
        // invoice record fits too, for a list's invoices to be turned in place alike.
        use std::mem::{align_of, size_of};
        assert!(size_of::<LedgerPayment>() <= size_of::<Document>());
        assert_eq!(align_of::<LedgerPayment>(), align_of::<Document>());
        assert!(size_of::<LedgerInvoice>() <= size_of::<Document>());
        assert_eq!(align_of::<LedgerInvoice>(), align_of::<Document>());
        // (The size the layout gives today: a change is seen and weighed.)
        assert_eq!(size_of::<Document>(), 112);
        assert_eq!(size_of::<LedgerPayment>(), 112);
        assert_eq!(size_of::<LedgerInvoice>(), 104);
    }

    #[test]
    fn agent_words_are_whole_words() {
        assert!(is_agent_purpose("Выплата OZON по договору"));
        assert!(is_agent_purpose("Перечисление от Озона за период"));
        assert!(is_agent_purpose("Возмещение по операциям эквайринга"));
        assert!(!is_agent_purpose("Оплата по сч. 12 за озонатор"));
        assert!(!is_agent_purpose("Оплата за бронзовые изделия"));
        assert!(is_agent_purpose(
            "Зачисление средств по эквайринговым операциям"
        ));
        assert!(is_agent_purpose("Выплата по договору с маркетплейсами"));
    }

    fn party(name: &str, inn: Option<&str>, account: Option<&str>) -> Party {
        Party {
            name: name.into(),
            inn: inn.map(Into::into),
            account: account.map(Into::into),
            ..Party::default()
        }
    }

    fn pay(number: &str, file: FileId, line: u32, payer: Party, payee: Party) -> Payment {
        let d = NaiveDate::from_ymd_opt(2024, 3, 12).unwrap();
        Payment {
            number: number.into(),
            date: d,
            credited: Some(d),
            debited: None,
            amount: dec!(5000),
            currency: "RUB".into(),
            payer: payer.into(),
            payee: payee.into(),
            purpose: "оплата".into(),
            direction: None,
            prov: Provenance { file, line },
            ..Payment::default()
        }
    }

    const US: &str = "40702810000000000001";

    fn build_payments(ps: Vec<Payment>) -> Ledger {
        let sources = Sources::new(vec!["a".into(), "b".into()]);
        let files = vec![FileDocs {
            file: 0,
            accounts: vec![US.into()],
            documents: ps.into_iter().map(Document::Payment).collect(),
            ..FileDocs::default()
        }];
        build(sources, files, &LedgerConfig::default())
    }

    #[test]
    fn the_same_payment_in_two_files_counts_once_but_twins_both_count() {
        let x = || party("X", Some("7707083893"), Some("40702810900000000002"));
        let y = || party("Y", Some("7736207543"), Some("40702810900000000003"));
        let us = || party("Мы", None, Some(US));
        let l = build_payments(vec![
            pay("17", 0, 1, x(), us()),
            pay("17", 1, 1, x(), us()), // S42/S43: the same document again
            pay("18", 0, 40, x(), us()), // S44: another number
            pay("17", 0, 80, y(), us()), // S45: same number, another payer
        ]);
        assert_eq!(l.payments.len(), 3);
        assert_eq!(l.duplicates, 1);
        assert!(l.payments.iter().all(|p| p.class == PaymentClass::Receipt));
    }

    #[test]
    fn a_party_slot_gives_back_its_party_or_none() {
        for party in [None, Some(0), Some(7), Some(u32::MAX as usize - 1)] {
            assert_eq!(PartySlot::new(party).get(), party);
        }
        // Past what four bytes hold: no party, never another one.
        assert_eq!(PartySlot::new(Some(u32::MAX as usize)).get(), None);
        assert_eq!(PartySlot::new(Some(usize::MAX)).get(), None);
    }

    #[test]
    fn forgotten_purposes_read_as_empty_and_the_rest_stay() {
        let x = || party("X", Some("7707083893"), Some("40702810900000000002"));
        let us = || party("Мы", None, Some(US));
        let mut l = build_payments(vec![pay("17", 0, 1, x(), us()), pay("18", 0, 2, x(), us())]);
        l.forget_purposes([1, 99]);
        let purposes: Vec<String> = l
            .payments
            .iter()
            .map(|p| p.doc.purpose.to_string())
            .collect();
        assert_eq!(purposes, ["оплата", ""]);
    }

    #[test]
    fn direction_by_our_accounts_and_internal_transfers() {
        let us = || party("Мы", Some("7701234560"), Some(US));
        let us2 = || party("Мы", Some("7701234560"), Some("40702810000000000009"));
        let other = || party("X", Some("7707083893"), Some("40702810900000000002"));
        let mut ps = vec![pay("1", 0, 1, us(), other()), pay("2", 0, 2, other(), us())];
        ps[0].purpose = "Возврат излишне перечисленных средств по п/п 123".into();
        ps.push(pay("3", 0, 3, us(), us2()));
        ps.push(pay("4", 0, 4, us(), other())); // an expense: paid out, no refund named
        let l = build_payments(ps);
        let classes: Vec<PaymentClass> = l.payments.iter().map(|p| p.class).collect();
        // The refund goes to a payer we know (it paid us in document 2); the transfer
        // between our own accounts and the expense are counted and left out.
        assert_eq!(classes, vec![PaymentClass::Refund, PaymentClass::Receipt]);
        let left_out = Uncounted {
            internal: 1,
            expenses: 1,
            unknown: 0,
        };
        assert_eq!(l.uncounted, left_out);
        assert!(l.our_inns.contains("7701234560"));
    }

    #[test]
    fn dedup_is_the_same_when_every_hash_collides() {
        // (key, another key, summary) per document, in file order.
        let docs: Vec<(u32, u32, &str, u32)> = vec![
            (1, 100, "a", 1),
            (2, 200, "b", 2),
            (1, 101, "a", 3), // a copy of line 1
            (3, 102, "c", 4),
            (4, 200, "b2", 5), // a copy of line 2 by its second key, changed
            (5, 500, "e", 6),
            (3, 999, "c", 7), // a copy of line 4
            (6, 101, "f", 8), // a copy of line 1 through the key line 3 brought
        ];
        let run = |hash: &(dyn Fn(&u32) -> u64 + Sync)| {
            let sources = Sources::new(vec!["list.csv".into()]);
            let mut copies = Copies::new(&sources);
            let mut d = docs.clone();
            dedup_latest(
                &mut d,
                &mut copies,
                "doc",
                |x| vec![x.0, x.1],
                |x| x.2.to_string(),
                |x| Provenance { file: 0, line: x.3 },
                |k| hash(k),
            );
            (d, copies.count, copies.warnings)
        };
        // What a plain map from whole keys gives (the lookup before hashes): the first
        // copies kept, each replaced by its last differing copy.
        let reference = {
            let mut index: HashMap<u32, usize> = HashMap::default();
            let mut winner: Vec<usize> = (0..docs.len()).collect();
            let mut first = vec![true; docs.len()];
            let mut warnings = 0;
            for (i, d) in docs.iter().enumerate() {
                let ks = [d.0, d.1];
                match ks.iter().find_map(|k| index.get(k).copied()) {
                    None => ks.iter().for_each(|k| {
                        index.insert(*k, i);
                    }),
                    Some(at) => {
                        ks.iter().for_each(|k| {
                            index.entry(*k).or_insert(at);
                        });
                        first[i] = false;
                        if docs[winner[at]].2 != d.2 {
                            warnings += 1;
                            winner[at] = i;
                        }
                    }
                }
            }
            let kept: Vec<u32> = (0..docs.len())
                .filter(|&i| first[i])
                .map(|i| docs[winner[i]].3)
                .collect();
            (kept, first.iter().filter(|f| !**f).count(), warnings)
        };
        for hash in [
            &(|k: &u32| u64::from(*k)) as &(dyn Fn(&u32) -> u64 + Sync),
            &|_| 7,
            &|k| u64::from(*k % 3),
        ] {
            let (kept, duplicates, warnings) = run(hash);
            let lines: Vec<u32> = kept.iter().map(|x| x.3).collect();
            assert_eq!((lines, duplicates, warnings.len()), reference);
        }
        assert_eq!(reference, (vec![8, 5, 4, 6], 4, 2));
    }

    #[test]
    fn names_are_normalised_for_comparison() {
        assert_eq!(normalize_name("ООО «Ромашка»"), "ромашка");
        assert_eq!(normalize_name("Ромашка, ООО"), "ромашка");
        assert_eq!(normalize_name("ПАО \"Полюс\""), "полюс");
    }
}
