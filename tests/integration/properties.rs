//! Invariants of the library pipeline (`ledger::build` → `matching::run` →
//! `aging::register`) on random small worlds built in memory: a few customers, invoices,
//! receipts whose purposes name invoices (or nothing, or only amounts and VAT), credit
//! notes and refunds, spread over two or three fake files.

use crate::support::{OUR_ACCOUNT, OUR_INN};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;
use rust_decimal::Decimal;
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use sverka::aging::{self, AgingConfig, Register};
use sverka::ledger::{self, FileDocs, Ledger, LedgerConfig};
use sverka::matching::{self, Debit, MatchConfig, Matching, Source, Tie, Tolerance};
use sverka::model::{Credit, DocLink, Document, Invoice, Party, Payment, Provenance, Sources};

/// Customers' INNs (checksums valid).
const INNS: [&str; 8] = [
    "7707083893",
    "7725418937",
    "6671082450",
    "7703642519",
    "5032147622",
    "4401183729",
    "7814620373",
    "771605438204",
];

/// Invoice numbers: "1".."20" and "00БП-000001".."00БП-000020" (the same numeric cores).
const NUMBERS: usize = 40;

fn invoice_number(i: usize) -> String {
    let i = i % NUMBERS;
    if i < 20 {
        (i + 1).to_string()
    } else {
        format!("00БП-{:06}", i - 19)
    }
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("date") + Days::new(u64::from(d))
}

fn rub(kopecks: i64) -> Decimal {
    Decimal::new(kopecks, 2)
}

#[derive(Debug, Clone)]
struct InvoiceSpec {
    customer: usize,
    number: usize,
    day: u32,
    /// Days from the invoice date to its due date.
    due: Option<u32>,
    kopecks: i64,
    manager: Option<usize>,
}

/// A number a purpose or a credit note names.
#[derive(Debug, Clone)]
enum Ref {
    /// The number of one of the world's invoices, with its date (` от dd.mm.yyyy`) or not.
    Existing(usize, bool),
    /// Any number of the pool (an invoice that may not exist).
    Pool(usize),
}

#[derive(Debug, Clone)]
enum Payer {
    /// One of the world's customers.
    Customer(usize),
    /// A valid INN that may have no invoices.
    Stranger(usize),
    /// No INN: identified only by an invoice its purpose names.
    Unknown,
}

#[derive(Debug, Clone)]
enum Amount {
    Kopecks(i64),
    /// One of the world's invoices' amount, plus a few kopecks or roubles either way.
    OfInvoice(usize, i64),
}

#[derive(Debug, Clone)]
struct ReceiptSpec {
    payer: Payer,
    number: u32,
    day: u32,
    /// Days from the document date to the day it was credited.
    lag: u32,
    amount: Amount,
    template: usize,
    refs: Vec<Ref>,
}

#[derive(Debug, Clone)]
struct CreditSpec {
    customer: usize,
    day: u32,
    kopecks: i64,
    link: Option<Ref>,
}

#[derive(Debug, Clone)]
struct RefundSpec {
    customer: usize,
    day: u32,
    kopecks: i64,
}

#[derive(Debug, Clone)]
struct World {
    /// Indexes into `INNS`.
    customers: Vec<usize>,
    invoices: Vec<InvoiceSpec>,
    receipts: Vec<ReceiptSpec>,
    credits: Vec<CreditSpec>,
    refunds: Vec<RefundSpec>,
    as_of: u32,
    tie: Tie,
    tolerance: Tolerance,
    default_term: u32,
    /// Matching options as bits: 1 exact amount off, 2 surplus by due date, 4 credits by
    /// due date, 8 ambiguous to the oldest, 16 overpayments written off up to 1.00; aging
    /// options: 32 the Russian calendar, 64 aged from the document date.
    switches: u8,
    files: usize,
    /// The file of each document (modulo `files`), in document order.
    placement: Vec<usize>,
}

fn day_strategy() -> impl Strategy<Value = u32> {
    prop_oneof![
        0u32..366,
        select(vec![0u32, 31, 59, 60, 100, 200, 300, 365])
    ]
}

fn kopecks_strategy() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => 1i64..=10_000_000,
        1 => select(vec![1i64, 99, 100, 10_000, 166_667, 1_000_000, 10_000_000]),
    ]
}

fn ref_strategy() -> impl Strategy<Value = Ref> {
    prop_oneof![
        3 => (0usize..12, any::<bool>()).prop_map(|(i, d)| Ref::Existing(i, d)),
        1 => (0..NUMBERS).prop_map(Ref::Pool),
    ]
}

fn invoice_strategy() -> impl Strategy<Value = InvoiceSpec> {
    (
        0usize..5,
        0..NUMBERS,
        day_strategy(),
        proptest::option::of(0u32..60),
        kopecks_strategy(),
        proptest::option::weighted(0.3, 0usize..2),
    )
        .prop_map(
            |(customer, number, day, due, kopecks, manager)| InvoiceSpec {
                customer,
                number,
                day,
                due,
                kopecks,
                manager,
            },
        )
}

fn receipt_strategy() -> impl Strategy<Value = ReceiptSpec> {
    let payer = prop_oneof![
        6 => (0usize..5).prop_map(Payer::Customer),
        1 => (0..INNS.len()).prop_map(Payer::Stranger),
        2 => Just(Payer::Unknown),
    ];
    let amount = prop_oneof![
        1 => kopecks_strategy().prop_map(Amount::Kopecks),
        1 => (0usize..12, prop_oneof![Just(0i64), -150i64..=150, -100_000i64..=100_000])
            .prop_map(|(i, d)| Amount::OfInvoice(i, d)),
    ];
    (
        payer,
        1u32..300,
        day_strategy(),
        0u32..4,
        amount,
        0usize..4,
        prop_oneof![
            2 => Just(Vec::new()),
            3 => proptest::collection::vec(ref_strategy(), 1..=3),
        ],
    )
        .prop_map(
            |(payer, number, day, lag, amount, template, refs)| ReceiptSpec {
                payer,
                number,
                day,
                lag,
                amount,
                template,
                refs,
            },
        )
}

fn credit_strategy() -> impl Strategy<Value = CreditSpec> {
    (
        0usize..5,
        day_strategy(),
        kopecks_strategy(),
        proptest::option::of(ref_strategy()),
    )
        .prop_map(|(customer, day, kopecks, link)| CreditSpec {
            customer,
            day,
            kopecks,
            link,
        })
}

fn refund_strategy() -> impl Strategy<Value = RefundSpec> {
    (0usize..5, day_strategy(), kopecks_strategy()).prop_map(|(customer, day, kopecks)| {
        RefundSpec {
            customer,
            day,
            kopecks,
        }
    })
}

fn world_strategy() -> impl Strategy<Value = World> {
    (
        proptest::sample::subsequence((0..INNS.len()).collect::<Vec<_>>(), 1..=5).prop_shuffle(),
        proptest::collection::vec(invoice_strategy(), 0..=12),
        proptest::collection::vec(receipt_strategy(), 0..=12),
        proptest::collection::vec(credit_strategy(), 0..=3),
        proptest::collection::vec(refund_strategy(), 0..=2),
        0u32..548,
        prop_oneof![Just(Tie::ProRata), Just(Tie::Fifo)],
        prop_oneof![Just(Tolerance::None), Just(Tolerance::Amount(rub(100)))],
        (select(vec![0u32, 5, 10, 30]), 0u8..128),
        2usize..=3,
        proptest::collection::vec(0usize..3, 29),
    )
        .prop_map(
            |(
                customers,
                invoices,
                receipts,
                credits,
                refunds,
                as_of,
                tie,
                tolerance,
                (default_term, switches),
                files,
                placement,
            )| World {
                customers,
                invoices,
                receipts,
                credits,
                refunds,
                as_of,
                tie,
                tolerance,
                default_term,
                switches,
                files,
                placement,
            },
        )
}

fn customer_party(inn: &str) -> Party {
    Party {
        name: format!("ООО \"Клиент {inn}\""),
        inn: Some(inn.to_string()),
        ..Party::default()
    }
}

fn account_of(inn: &str) -> String {
    format!("40702810{:0>12}", inn)[..20].to_string()
}

fn bank_party(inn: &str) -> Party {
    Party {
        account: Some(account_of(inn)),
        ..customer_party(inn)
    }
}

fn us() -> Party {
    Party {
        name: "ООО \"Северный ветер\"".into(),
        inn: Some(OUR_INN.into()),
        account: Some(OUR_ACCOUNT.into()),
        ..Party::default()
    }
}

impl World {
    fn customer(&self, i: usize) -> &'static str {
        INNS[self.customers[i % self.customers.len()]]
    }

    /// The number (and the ` от …` date) a reference writes.
    fn render_ref(&self, r: &Ref) -> String {
        match r {
            Ref::Existing(i, dated) if !self.invoices.is_empty() => {
                let inv = &self.invoices[i % self.invoices.len()];
                let n = invoice_number(inv.number);
                if *dated {
                    format!("{n} от {}", day(inv.day).format("%d.%m.%Y"))
                } else {
                    n
                }
            }
            Ref::Existing(i, _) | Ref::Pool(i) => invoice_number(*i),
        }
    }

    fn link(&self, r: &Ref) -> String {
        match r {
            Ref::Existing(i, _) if !self.invoices.is_empty() => {
                invoice_number(self.invoices[i % self.invoices.len()].number)
            }
            Ref::Existing(i, _) | Ref::Pool(i) => invoice_number(*i),
        }
    }

    fn purpose(&self, r: &ReceiptSpec) -> String {
        let refs: Vec<String> = r.refs.iter().map(|x| self.render_ref(x)).collect();
        let vat = "в т.ч. НДС 20% 1 666,67";
        match (refs.len(), r.template) {
            (0, 0) => "Оплата за товар".into(),
            (0, 1) => format!("Предоплата по договору № 15 от 01.02.2024, {vat}"),
            (0, 2) => format!("Оплата, сумма 10 000,00, {vat}"),
            (0, _) => "Аванс за услуги. Без НДС".into(),
            (1, 0) => format!("Оплата по счету №{}", refs[0]),
            (1, 1) => format!("Оплата по сч. {}, {vat}", refs[0]),
            (1, 2) => format!("Оплата № {} за товар", refs[0]),
            (1, _) => format!("Оплата по счету на оплату № {} Без НДС", refs[0]),
            (_, 0) => format!("Оплата по счетам № {}", refs.join(", ")),
            (_, 1) => format!("Оплата по сч. {}, {vat}", refs.join(", ")),
            (_, 2) => format!("Оплата по счетам №№ {}", refs.join("; ")),
            (_, _) => format!(
                "Оплата {}",
                refs.iter()
                    .map(|r| format!("сч. {r}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    fn amount(&self, a: &Amount) -> Decimal {
        match a {
            Amount::OfInvoice(i, delta) if !self.invoices.is_empty() => {
                let k = self.invoices[i % self.invoices.len()].kopecks + delta;
                rub(k.max(1))
            }
            Amount::OfInvoice(_, delta) => rub(delta.abs().max(1)),
            Amount::Kopecks(k) => rub(*k),
        }
    }

    /// Every document, in world order, with a placeholder provenance.
    fn documents(&self) -> Vec<Document> {
        let prov = Provenance { file: 0, line: 0 };
        let mut docs = Vec::new();
        for inv in &self.invoices {
            let date = day(inv.day);
            docs.push(Document::Invoice(Invoice {
                number: invoice_number(inv.number).into(),
                date,
                due: inv.due.map(|d| date + Days::new(u64::from(d))),
                customer: customer_party(self.customer(inv.customer)).into(),
                contract: None,
                amount: rub(inv.kopecks),
                currency: "RUB".into(),
                manager: (inv.manager.map(|m| ["Иванова", "Петров"][m].to_string()))
                    .map(Into::into),
                prov,
                ..Invoice::default()
            }));
        }
        for (k, c) in self.credits.iter().enumerate() {
            docs.push(Document::Credit(Credit {
                number: format!("В-{}", k + 1).into(),
                date: day(c.day),
                customer: customer_party(self.customer(c.customer)).into(),
                links: c
                    .link
                    .as_ref()
                    .map(|r| vec![DocLink::number(&self.link(r))])
                    .unwrap_or_default()
                    .into(),
                contract: None,
                amount: rub(c.kopecks),
                currency: "RUB".into(),
                prov,
                ..Credit::default()
            }));
        }
        for r in &self.receipts {
            let date = day(r.day);
            let payer = match r.payer {
                Payer::Customer(i) => bank_party(self.customer(i)),
                Payer::Stranger(i) => bank_party(INNS[i]),
                Payer::Unknown => Party {
                    name: "Иванов Иван Иванович".into(),
                    inn: None,
                    account: Some("40817810000000000077".into()),
                    ..Party::default()
                },
            };
            docs.push(Document::Payment(Payment {
                number: r.number.to_string().into(),
                date,
                credited: Some(date + Days::new(u64::from(r.lag))),
                debited: None,
                amount: self.amount(&r.amount),
                currency: "RUB".into(),
                payer: payer.into(),
                payee: us().into(),
                purpose: self.purpose(r).into(),
                direction: None,
                prov,
                ..Payment::default()
            }));
        }
        for (k, r) in self.refunds.iter().enumerate() {
            let date = day(r.day);
            docs.push(Document::Payment(Payment {
                number: format!("{}", 900 + k).into(),
                date,
                credited: None,
                debited: Some(date),
                amount: rub(r.kopecks),
                currency: "RUB".into(),
                payer: us().into(),
                payee: bank_party(self.customer(r.customer)).into(),
                purpose: "Возврат излишне перечисленных средств. Без НДС".into(),
                direction: None,
                prov,
                ..Payment::default()
            }));
        }
        docs
    }

    /// The documents' indexes per file, in line order: the baseline layout.
    fn layout(&self, n: usize) -> Vec<Vec<usize>> {
        let mut files = vec![Vec::new(); self.files];
        for i in 0..n {
            files[self.placement[i % self.placement.len()] % self.files].push(i);
        }
        files
    }

    /// This world without the ties the file order legitimately breaks: no managers (the
    /// latest invoice's wins), no two copies of one invoice (the later copy wins), and
    /// every receipt, credit note and refund on a day of its own (money that arrives the
    /// same day is taken in file order). Invoices keep their dates, so several may still
    /// appear on one day.
    fn with_only_invoice_ties(&self) -> World {
        let mut w = self.clone();
        let mut seen = std::collections::HashSet::new();
        w.invoices.retain(|i| {
            seen.insert((w.customers[i.customer % w.customers.len()], i.number, i.day))
        });
        for i in &mut w.invoices {
            i.manager = None;
        }
        let mut used: std::collections::HashSet<u32> = w.invoices.iter().map(|i| i.day).collect();
        let mut own_day = |d: u32| {
            let mut d = d;
            while !used.insert(d) {
                d += 1;
            }
            d
        };
        for r in &mut w.receipts {
            r.lag = 0;
            r.day = own_day(r.day);
        }
        for c in &mut w.credits {
            c.day = own_day(c.day);
        }
        for r in &mut w.refunds {
            r.day = own_day(r.day);
        }
        w
    }

    fn match_config(&self) -> MatchConfig {
        let on = |bit: u8| self.switches & bit != 0;
        MatchConfig {
            tie: self.tie,
            terms: sverka::terms::Terms::new(self.default_term),
            tolerance: self.tolerance,
            exact_amount: !on(1),
            surplus_by_due_date: on(2),
            credits_by_due_date: on(4),
            ambiguous_oldest: on(8),
            overpay_tolerance: if on(16) {
                Tolerance::Amount(rub(100))
            } else {
                Tolerance::None
            },
            ..MatchConfig::new(day(self.as_of))
        }
    }

    fn aging_config(&self) -> AgingConfig {
        let on = |bit: u8| self.switches & bit != 0;
        AgingConfig {
            calendar: on(32).then(sverka::calendar::Calendar::russia),
            age_by: if on(64) {
                sverka::aging::AgeBy::Date
            } else {
                sverka::aging::AgeBy::Due
            },
            ..AgingConfig::default()
        }
    }
}

/// How the files reach `ledger::build`.
struct Run<'a> {
    /// Document indexes per file; file `k` gets the `k`-th path in sort order.
    files: &'a [Vec<usize>],
    /// The order the files are handed over in (a permutation of file indexes).
    given: Vec<usize>,
    /// Shuffle the documents inside each file with this seed (their lines stay as laid out).
    shuffle_documents: Option<u64>,
}

impl<'a> Run<'a> {
    fn plain(files: &'a [Vec<usize>]) -> Self {
        Run {
            files,
            given: (0..files.len()).collect(),
            shuffle_documents: None,
        }
    }
}

struct Outcome {
    ledger: Ledger,
    matching: Matching,
    register: Result<Register, aging::InvariantError>,
}

impl Outcome {
    fn json(&self) -> Value {
        match &self.register {
            Ok(reg) => {
                // The JSON written a row at a time is the tree's, byte for byte.
                let tree = sverka::output::json::register(reg);
                assert_eq!(
                    sverka::output::json::register_bytes(reg),
                    sverka::output::json::to_bytes(&tree)
                );
                tree
            }
            Err(e) => panic!("aging::register failed: {e}"),
        }
    }
}

fn pipeline(world: &World, docs: &[Document], run: &Run) -> Outcome {
    let paths: Vec<PathBuf> = (0..run.files.len())
        .map(|k| PathBuf::from(format!("/nonexistent/sverka-proptest/{k:02}.txt")))
        .collect();
    let sources = Sources::new(paths);
    let mut files: Vec<FileDocs> = Vec::new();
    for &k in &run.given {
        let mut documents: Vec<Document> = run.files[k]
            .iter()
            .enumerate()
            .map(|(pos, &i)| {
                let mut d = docs[i].clone();
                let prov = Provenance {
                    file: k as u32,
                    line: 1 + 20 * pos as u32,
                };
                match &mut d {
                    Document::Invoice(x) => x.prov = prov,
                    Document::Credit(x) => x.prov = prov,
                    Document::Payment(x) => x.prov = prov,
                }
                d
            })
            .collect();
        if let Some(seed) = run.shuffle_documents {
            let order = permutation(documents.len(), seed ^ k as u64);
            let mut slots: Vec<Option<Document>> = documents.into_iter().map(Some).collect();
            documents = order.iter().filter_map(|&i| slots[i].take()).collect();
        }
        let has_payments = documents.iter().any(|d| matches!(d, Document::Payment(_)));
        files.push(FileDocs {
            file: k as u32,
            accounts: if has_payments {
                vec![OUR_ACCOUNT.to_string()]
            } else {
                Vec::new()
            },
            documents,
            ..FileDocs::default()
        });
    }
    let ledger = ledger::build(sources, files, &LedgerConfig::default());
    let matching = matching::run(&ledger, &world.match_config()).expect("no overrides");
    let register = aging::register(&ledger, &matching, &world.aging_config());
    Outcome {
        ledger,
        matching,
        register,
    }
}

/// A permutation of `0..n` from a seed (Fisher–Yates with a xorshift generator).
fn permutation(n: usize, seed: u64) -> Vec<usize> {
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut p: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        p.swap(i, j);
    }
    p
}

/// The invariants of one run; `Err` names the first one broken.
fn check_invariants(o: &Outcome) -> Result<(), TestCaseError> {
    let reg = match &o.register {
        Ok(reg) => reg,
        Err(e) => return Err(TestCaseError::fail(format!("register: {e}"))),
    };
    let (ledger, m) = (&o.ledger, &o.matching);
    for r in &reg.rows {
        let a = &r.amounts;
        prop_assert!(
            a.outstanding >= Decimal::ZERO && a.advance >= Decimal::ZERO,
            "row {:?}: outstanding {} advance {}",
            r.inn,
            a.outstanding,
            a.advance
        );
        prop_assert!(a.buckets.iter().all(|b| *b >= Decimal::ZERO));
        prop_assert!(r.debts.iter().all(|d| d.outstanding > Decimal::ZERO));
    }
    for a in &m.allocations {
        prop_assert!(a.amount > Decimal::ZERO, "allocation {a:?}");
    }
    let mut from: HashMap<Source, Decimal> = HashMap::new();
    let mut to: HashMap<Debit, Decimal> = HashMap::new();
    for a in &m.allocations {
        *from.entry(a.source()).or_default() += a.amount;
        *to.entry(a.debit()).or_default() += a.amount;
    }
    for r in &m.receipts {
        let amount = ledger.payments[r.payment()].doc.amount;
        let allocated = from
            .get(&Source::Payment(r.payment()))
            .copied()
            .unwrap_or_default();
        prop_assert_eq!(allocated, r.applied, "receipt {:?}", r);
        if r.party().is_some() {
            // Money conserved: applied, held as an advance, or (an overpayment within the
            // tolerance) written off.
            prop_assert_eq!(
                r.applied + r.advance + r.written_off(),
                amount,
                "receipt {:?}",
                r
            );
            prop_assert!(r.advance >= Decimal::ZERO, "receipt {:?}", r);
        } else {
            prop_assert!(
                r.applied.is_zero() && r.advance.is_zero(),
                "unidentified receipt applied: {:?}",
                r
            );
        }
    }
    for c in &m.credits {
        let amount = ledger.credits[c.credit].doc.amount;
        let allocated = from
            .get(&Source::Credit(c.credit))
            .copied()
            .unwrap_or_default();
        prop_assert_eq!(allocated, c.applied, "credit {:?}", c);
        prop_assert_eq!(c.applied + c.unapplied, amount, "credit {:?}", c);
        prop_assert!(c.unapplied >= Decimal::ZERO, "credit {:?}", c);
    }
    for (debit, sum) in &to {
        let amount = match *debit {
            Debit::Invoice(i, _) => ledger.invoices[i].doc.amount,
            Debit::Refund(i) => ledger.payments[i].doc.amount,
        };
        prop_assert!(
            *sum <= amount,
            "{debit:?}: allocated {sum} of {amount}: {:?}",
            m.allocations
                .iter()
                .filter(|a| a.debit() == *debit)
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// The register checks itself, nothing is negative, every receipt is accounted for,
    /// no debt takes more than its amount, and the same input gives the same output.
    #[test]
    fn the_register_holds_its_invariants(world in world_strategy()) {
        let docs = world.documents();
        let files = world.layout(docs.len());
        let first = pipeline(&world, &docs, &Run::plain(&files));
        check_invariants(&first)?;
        let second = pipeline(&world, &docs, &Run::plain(&files));
        prop_assert_eq!(first.json(), second.json());
    }

    /// The files handed over in any order, their documents in any order: the same register
    /// (the inputs are put in path order, then line order, whatever order they come in).
    #[test]
    fn the_order_files_are_given_in_does_not_matter(
        world in world_strategy(),
        seed in any::<u64>(),
        doc_seed in any::<u64>(),
    ) {
        let docs = world.documents();
        let files = world.layout(docs.len());
        let base = pipeline(&world, &docs, &Run::plain(&files)).json();
        let shuffled = pipeline(
            &world,
            &docs,
            &Run {
                files: &files,
                given: permutation(files.len(), seed),
                shuffle_documents: Some(doc_seed),
            },
        );
        check_invariants(&shuffled)?;
        prop_assert_eq!(base, shuffled.json());
    }

    /// The same documents in the same order, cut into one, two or three files in other
    /// places: the same register.
    #[test]
    fn how_documents_are_split_into_files_does_not_matter(
        world in world_strategy(),
        cuts in proptest::collection::vec(any::<proptest::sample::Index>(), 0..=2),
    ) {
        let docs = world.documents();
        let files = world.layout(docs.len());
        let base = pipeline(&world, &docs, &Run::plain(&files)).json();
        let order: Vec<usize> = files.concat();
        let mut at: Vec<usize> = cuts.iter().map(|c| c.index(order.len() + 1)).collect();
        at.sort_unstable();
        let mut split = Vec::new();
        let mut start = 0;
        for c in at.into_iter().chain([order.len()]) {
            split.push(order[start..c].to_vec());
            start = c;
        }
        let resplit = pipeline(&world, &docs, &Run::plain(&split));
        check_invariants(&resplit)?;
        prop_assert_eq!(base, resplit.json());
    }

    /// The files renamed so that they sort in another order (each document keeps its file
    /// and line): the same register. Only ties the file order legitimately breaks are
    /// taken out of the world (see `with_only_invoice_ties`).
    #[test]
    fn the_sort_order_of_file_names_does_not_matter(
        world in world_strategy(),
        seed in any::<u64>(),
    ) {
        let world = world.with_only_invoice_ties();
        let docs = world.documents();
        let files = world.layout(docs.len());
        let base = pipeline(&world, &docs, &Run::plain(&files)).json();
        let perm = permutation(files.len(), seed);
        let mut renamed = vec![Vec::new(); files.len()];
        for (k, f) in files.iter().enumerate() {
            renamed[perm[k]] = f.clone();
        }
        let other = pipeline(&world, &docs, &Run::plain(&renamed));
        check_invariants(&other)?;
        prop_assert_eq!(base, other.json());
    }
}

/// The failure the sort-order property finds, as one example: an advance waits for
/// invoices; two invoices appear on the same day, №1 due in 30 days and №2 due in 5.
/// By ст. 319.1 (earliest due date first) the advance pays №2 whatever file or line each
/// invoice is on.
#[test]
fn an_advance_pays_the_earliest_due_of_invoices_issued_the_same_day() {
    let world = World {
        customers: vec![0],
        invoices: vec![
            InvoiceSpec {
                customer: 0,
                number: 0,
                day: 40,
                due: Some(30),
                kopecks: 1_000_000,
                manager: None,
            },
            InvoiceSpec {
                customer: 0,
                number: 1,
                day: 40,
                due: Some(5),
                kopecks: 1_000_000,
                manager: None,
            },
        ],
        receipts: vec![ReceiptSpec {
            payer: Payer::Customer(0),
            number: 7,
            day: 10,
            lag: 0,
            amount: Amount::Kopecks(1_000_000),
            template: 0,
            refs: Vec::new(),
        }],
        credits: Vec::new(),
        refunds: Vec::new(),
        as_of: 100,
        tie: Tie::ProRata,
        tolerance: Tolerance::None,
        default_term: 10,
        switches: 0,
        files: 1,
        placement: vec![0; 29],
    };
    let docs = world.documents();
    // Documents 0 and 1 are the invoices, 2 the receipt: every layout of them.
    let layouts: [Vec<Vec<usize>>; 4] = [
        vec![vec![0, 1, 2]],
        vec![vec![1, 0, 2]],
        vec![vec![0, 2], vec![1]],
        vec![vec![1, 2], vec![0]],
    ];
    for files in &layouts {
        let json = pipeline(&world, &docs, &Run::plain(files)).json();
        let open: Vec<&Value> = json["rows"][0]["invoices"]
            .as_array()
            .map(|v| v.iter().map(|i| &i["number"]).collect())
            .unwrap_or_default();
        assert_eq!(
            open,
            [&Value::from("1")],
            "files {files:?}: the advance must pay №2 (due first); open: {:#}",
            json["rows"]
        );
    }
}

/// The other failure the sort-order property finds, as one example: two credit notes
/// linked to the same invoice №1, of 10.01 and of 19.02; invoice №2 of 31.01 appears
/// between them. In date order the January credit closes №1 and the February one waits
/// for later invoices (none come): №2 stays open and the February credit is unapplied.
/// Whichever file or line each credit note is on, the result must be that one.
#[test]
fn linked_credit_notes_apply_in_date_order_whatever_their_files() {
    let invoice = |number: usize, day: u32| InvoiceSpec {
        customer: 0,
        number,
        day,
        due: Some(10),
        kopecks: 10_000,
        manager: None,
    };
    let credit = |day: u32| CreditSpec {
        customer: 0,
        day,
        kopecks: 10_000,
        link: Some(Ref::Existing(0, false)),
    };
    let world = World {
        customers: vec![0],
        invoices: vec![invoice(0, 0), invoice(1, 30)],
        receipts: Vec::new(),
        credits: vec![credit(9), credit(49)],
        refunds: Vec::new(),
        as_of: 100,
        tie: Tie::ProRata,
        tolerance: Tolerance::None,
        default_term: 10,
        switches: 0,
        files: 1,
        placement: vec![0; 29],
    };
    let docs = world.documents();
    // Documents 0 and 1 are the invoices, 2 the January credit, 3 the February one.
    let layouts: [Vec<Vec<usize>>; 4] = [
        vec![vec![0, 1, 2, 3]],
        vec![vec![0, 1, 3, 2]],
        vec![vec![0, 1, 2], vec![3]],
        vec![vec![0, 1, 3], vec![2]],
    ];
    for files in &layouts {
        let json = pipeline(&world, &docs, &Run::plain(files)).json();
        let row = &json["rows"][0];
        assert_eq!(
            (&row["outstanding"], &row["advance"]),
            (&Value::from("100.00"), &Value::from("100.00")),
            "files {files:?}: №2 must stay open and the February credit unapplied: {row:#}"
        );
    }
}
