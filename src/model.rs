//! The normalized documents every reader produces and every later layer consumes.
//!
//! Whatever the source (a bank statement, an invoice list, an XML export), a document
//! becomes one of three things: an invoice (something the customer owes), a credit (a
//! return or a credit note that reduces what they owe), or a payment (money moving
//! between two parties). Each carries its provenance, so that every warning and every
//! line of the match log can point at the file and line it came from.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashSet;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use thin_vec::ThinVec;

/// Index of a source file in [`Sources`].
pub type FileId = u32;

/// Where a document or a problem came from: the file and the 1-based line (for XML and
/// spreadsheets, the line or row where the element starts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Provenance {
    pub file: FileId,
    pub line: u32,
}

/// The files read in one run, in a stable order (sorted by path), so that the same
/// inputs named in any order give the same output.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    paths: Vec<PathBuf>,
}

impl Sources {
    pub fn new(paths: Vec<PathBuf>) -> Self {
        Sources { paths }
    }
    pub fn len(&self) -> usize {
        self.paths.len()
    }
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
    pub fn path(&self, id: FileId) -> &std::path::Path {
        &self.paths[id as usize]
    }
    pub fn display(&self, id: FileId) -> String {
        self.paths[id as usize].display().to_string()
    }
    /// `file:line` for messages.
    pub fn at(&self, p: Provenance) -> String {
        format!("{}:{}", self.display(p.file), p.line)
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &std::path::Path)> {
        self.paths
            .iter()
            .enumerate()
            .map(|(i, p)| (i as FileId, p.as_path()))
    }
}

/// One side of a document: a customer, a payer or a payee.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Party {
    pub name: String,
    /// INN as written (whitespace removed); `None` when empty or `0`.
    pub inn: Option<String>,
    pub kpp: Option<String>,
    /// The account as printed in the payment (`ПлательщикСчет`).
    pub account: Option<String>,
    /// The settlement account (`ПлательщикРасчСчет`); differs from `account` when the
    /// payment went through a correspondent or transit account.
    pub settlement_account: Option<String>,
    pub bic: Option<String>,
}

impl Party {
    /// Both accounts of this side, as far as known.
    pub fn accounts(&self) -> impl Iterator<Item = &str> {
        self.account
            .iter()
            .chain(self.settlement_account.iter())
            .map(String::as_str)
    }
}

/// Hands out one shared copy of each distinct party a reader meets: a statement names the
/// same few thousand customers in hundreds of thousands of documents, and each document
/// keeps a pointer instead of six strings of its own.
#[derive(Debug, Default)]
pub struct PartyPool {
    seen: FxHashSet<Arc<Party>>,
    /// Parties by the texts a reader built them from (see [`PartyPool::by_texts`]).
    by_text: rustc_hash::FxHashMap<Box<[u8]>, Arc<Party>>,
    /// The key being looked up.
    key: Vec<u8>,
    /// Other texts many documents repeat (see [`PartyPool::shared`]).
    texts: FxHashSet<Shared>,
}

/// At most this many parties are remembered by their texts (a file names a few
/// thousand; the bound keeps a hostile file from growing the table without end).
const MAX_TEXTS: usize = 1 << 16;

impl PartyPool {
    /// One shared copy of a text many of a file's documents repeat, such as the contract
    /// an invoice is under: a list of 100 000 invoices names a few thousand contracts.
    pub fn shared(&mut self, text: &str) -> Shared {
        if let Some(shared) = self.texts.get(text) {
            return shared.clone();
        }
        let shared: Shared = text.into();
        if self.texts.len() < MAX_TEXTS {
            self.texts.insert(shared.clone());
        }
        shared
    }

    pub fn intern(&mut self, party: Party) -> Arc<Party> {
        if let Some(shared) = self.seen.get(&party) {
            return Arc::clone(shared);
        }
        let shared = Arc::new(party);
        self.seen.insert(Arc::clone(&shared));
        shared
    }

    /// The shared party that `texts` (the fields a reader reads a party from, as
    /// written) describe: `build` makes it the first time those texts come, and later
    /// rows and documents that write them the same way get it without building or
    /// parsing anything.
    pub fn by_texts<'t>(
        &mut self,
        texts: impl IntoIterator<Item = &'t str>,
        build: impl FnOnce() -> Party,
    ) -> Arc<Party> {
        // Each text after its length: no two lists of texts make the same key.
        self.key.clear();
        for text in texts {
            self.key.extend_from_slice(&text.len().to_le_bytes());
            self.key.extend_from_slice(text.as_bytes());
        }
        if let Some(shared) = self.by_text.get(self.key.as_slice()) {
            return Arc::clone(shared);
        }
        let shared = self.intern(build());
        if self.by_text.len() < MAX_TEXTS {
            self.by_text
                .insert(self.key.as_slice().into(), Arc::clone(&shared));
        }
        shared
    }
}

/// A text shared by the documents that repeat it (see [`PartyPool::shared`]): one copy
/// however many use it, and where it is used one pointer of 8 bytes (an `Arc<str>` takes
/// 16 with its length; a contract and a manager on each of a year's invoices). Reads
/// as a `str`; compares, orders and hashes as one.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Shared(Arc<Box<str>>);

impl Shared {
    /// Roubles, the currency of nearly every document: one copy for the whole run.
    pub fn rub() -> Shared {
        known_currency(RUB)
    }
}

/// The empty text (one copy for the whole run).
impl Default for Shared {
    fn default() -> Shared {
        static EMPTY: std::sync::LazyLock<Shared> = std::sync::LazyLock::new(|| Shared::from(""));
        EMPTY.clone()
    }
}

impl std::ops::Deref for Shared {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::borrow::Borrow<str> for Shared {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Shared {
    fn from(text: &str) -> Shared {
        Shared(Arc::new(text.into()))
    }
}

impl From<String> for Shared {
    fn from(text: String) -> Shared {
        Shared(Arc::new(text.into_boxed_str()))
    }
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq<str> for Shared {
    fn eq(&self, other: &str) -> bool {
        **self == *other
    }
}

impl PartialEq<&str> for Shared {
    fn eq(&self, other: &&str) -> bool {
        **self == **other
    }
}

impl PartialEq<Shared> for &str {
    fn eq(&self, other: &Shared) -> bool {
        **self == **other
    }
}

impl serde::Serialize for Shared {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

impl std::fmt::Display for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// Currency code as written in the source, normalised: `RUB` for roubles. Shared (8
/// bytes where a short text takes 16): a file's documents name one currency or a few.
pub type Currency = Shared;

/// A short string stored inline (up to 15 bytes: numbers, codes, INNs, a currency)
/// without a heap allocation of its own, in 16 bytes where a `String` takes 24; longer
/// ones go to the heap, shared by their copies (`ecow`).
pub type Text = ecow::EcoString;

/// The home currency: statements are in roubles.
pub const RUB: &str = "RUB";

/// Normalises a currency as 1C and people write it (`643`, `руб.`, `RUR`, empty) to a code.
pub fn normalize_currency(raw: &str) -> Currency {
    // What nearly every document says, without lower-casing it first.
    if matches!(raw, "" | "643" | "RUB" | "810") {
        return Shared::rub();
    }
    let s = raw.trim().trim_end_matches('.').to_lowercase();
    let code = match s.as_str() {
        "" | "643" | "810" | "руб" | "rub" | "rur" | "рубль" | "₽" | "р" => RUB,
        "840" | "usd" | "$" | "доллар" | "долл" => "USD",
        "978" | "eur" | "€" | "евро" => "EUR",
        "156" | "cny" | "юань" => "CNY",
        "у.е" | "уе" => "у.е.",
        _ => return other_currency(raw.trim().to_uppercase()),
    };
    known_currency(code)
}

/// The codes [`normalize_currency`] gives for the names it knows.
const KNOWN_CURRENCIES: [&str; 5] = [RUB, "USD", "EUR", "CNY", "у.е."];

/// One of [`KNOWN_CURRENCIES`], one copy of each for the whole run.
fn known_currency(code: &str) -> Currency {
    static KNOWN: std::sync::LazyLock<[Shared; 5]> =
        std::sync::LazyLock::new(|| KNOWN_CURRENCIES.map(Shared::from));
    match KNOWN.iter().find(|c| ***c == *code) {
        Some(c) => c.clone(),
        None => Shared::from(code),
    }
}

/// Another currency's code, shared by the documents of a thread that name it (up to a
/// few dozen codes; past them each gets its own copy).
fn other_currency(code: String) -> Currency {
    thread_local! {
        static SEEN: std::cell::RefCell<Vec<Shared>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(c) = seen.iter().find(|c| ***c == *code) {
            return c.clone();
        }
        let c = Shared::from(code);
        if seen.len() < 32 {
            seen.push(c.clone());
        }
        c
    })
}

/// A link from one document to another as the source states it (1C's "Основание",
/// "РасшифровкаПлатежа", CommerceML's "Основание"): an explicit fact, not a guess.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocLink {
    /// The other document's number, as written.
    pub number: Option<Text>,
    pub date: Option<NaiveDate>,
    /// The other document's id in the exporting system (a 1C GUID, a site's order id).
    pub id: Option<Text>,
    /// How much of this document goes to the other one, when the source says.
    pub amount: Option<Decimal>,
}

impl DocLink {
    /// A link by number only.
    pub fn number(number: &str) -> DocLink {
        DocLink {
            number: Some(number.trim().into()),
            ..DocLink::default()
        }
    }
    /// How the link reads in messages: the number, else the id.
    pub fn label(&self) -> String {
        (self
            .number
            .clone()
            .or_else(|| self.id.clone())
            .unwrap_or_default())
        .to_string()
    }
}

/// Whether a document counts. Exports carry documents marked for deletion, cancelled
/// or not posted; they are read (a newer export may delete what an older one had) and
/// then left out of the register.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Status {
    #[default]
    Active,
    /// Marked for deletion (ПометкаУдаления).
    Deleted,
    /// Cancelled (Отменен).
    Cancelled,
    /// Not posted (Проведен = false).
    Unposted,
}

impl Status {
    pub fn is_active(self) -> bool {
        self == Status::Active
    }
    pub fn describe(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Deleted => "marked for deletion",
            Status::Cancelled => "cancelled",
            Status::Unposted => "not posted",
        }
    }
}

/// One stage of a payment schedule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Installment {
    pub due: NaiveDate,
    pub amount: Decimal,
}

/// An invoice (счёт на оплату) or another receivable document: the customer owes `amount`.
///
/// What few invoices carry (an id, other numbers, replaced documents, a schedule) is kept
/// apart in [`InvoiceMore`], boxed only when there is any: a year holds millions of
/// documents, and their records are most of the run's memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Invoice {
    /// The number exactly as the source has it (`00БП-000045`).
    pub number: Text,
    pub date: NaiveDate,
    /// The due date, when the source gives one.
    pub due: Option<NaiveDate>,
    pub customer: Arc<Party>,
    /// The contract as written (shared by the documents that name it).
    pub contract: Option<Shared>,
    pub amount: Decimal,
    pub currency: Currency,
    /// The manager as written (shared by the documents that name them).
    pub manager: Option<Shared>,
    /// The rarely given fields; `None` when the source gives none of them.
    pub more: Option<Box<InvoiceMore>>,
    pub status: Status,
    pub prov: Provenance,
}

/// The fields of an invoice that most sources leave empty (a list of invoices gives
/// none of them).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InvoiceMore {
    /// The document's id in the exporting system (a 1C GUID, a site's order id).
    pub id: Option<Text>,
    /// Other numbers the same debt is known by (a site's order number beside 1C's
    /// number, the invoice a sale replaced): references to them name this invoice.
    pub aliases: ThinVec<DocLink>,
    /// Documents this one takes the place of: a sale (реализация) replaces the invoice
    /// or order it was made from, so the debt counts once.
    pub replaces: ThinVec<DocLink>,
    /// The payment schedule (график оплаты), when the source gives one with several
    /// stages: each stage is due on its own date. Empty: the whole amount is due on `due`.
    /// The stages' amounts add up to `amount` (readers ensure it).
    pub installments: ThinVec<Installment>,
}

impl InvoiceMore {
    /// Boxed for an invoice, or `None` when it holds nothing.
    pub fn boxed(self) -> Option<Box<InvoiceMore>> {
        let empty = self.id.is_none()
            && self.aliases.is_empty()
            && self.replaces.is_empty()
            && self.installments.is_empty();
        (!empty).then(|| Box::new(self))
    }
}

impl Invoice {
    /// The document's id in the exporting system, when the source gives one.
    pub fn id(&self) -> Option<&Text> {
        self.more.as_ref()?.id.as_ref()
    }

    /// Other numbers the same debt is known by.
    pub fn aliases(&self) -> &[DocLink] {
        self.more.as_deref().map_or(&[], |m| &m.aliases)
    }

    /// Documents this one takes the place of.
    pub fn replaces(&self) -> &[DocLink] {
        self.more.as_deref().map_or(&[], |m| &m.replaces)
    }

    /// The stages of the payment schedule; empty when the whole amount is due on `due`.
    pub fn installments(&self) -> &[Installment] {
        self.more.as_deref().map_or(&[], |m| &m.installments)
    }

    /// The debts the invoice makes, in the order of their stage numbers
    /// (`Debit::Invoice`): its whole amount, with no due date of its own (`None`: the
    /// invoice's terms say), or each stage of its payment schedule with its due date.
    pub fn stages(&self) -> impl Iterator<Item = (Option<NaiveDate>, Decimal)> + '_ {
        let whole = self
            .installments()
            .is_empty()
            .then_some((None, self.amount));
        whole
            .into_iter()
            .chain(self.installments().iter().map(|s| (Some(s.due), s.amount)))
    }

    /// The rarely given fields, to be changed (made empty first when there were none).
    pub fn more_mut(&mut self) -> &mut InvoiceMore {
        self.more.get_or_insert_with(Default::default)
    }
}

/// A return or a credit note: reduces what the customer owes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credit {
    pub number: Text,
    pub date: NaiveDate,
    pub customer: Arc<Party>,
    /// The invoices it belongs to, when the source says so.
    pub links: ThinVec<DocLink>,
    pub contract: Option<Shared>,
    pub amount: Decimal,
    pub currency: Currency,
    pub id: Option<Text>,
    pub status: Status,
    pub prov: Provenance,
}

/// Which way money moved, seen from our company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// To one of our accounts from someone else.
    Incoming,
    /// From one of our accounts to someone else.
    Outgoing,
    /// Between two of our own accounts.
    Internal,
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Direction::Incoming => "incoming",
            Direction::Outgoing => "outgoing",
            Direction::Internal => "internal",
        })
    }
}

/// A payment: a bank document from a statement, or a receipt from a list.
///
/// What few payments carry (an id, explicit links to invoices) is kept apart in
/// [`PaymentMore`], boxed only when there is any: a bank statement gives neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payment {
    pub number: Text,
    /// The document date (`Дата`).
    pub date: NaiveDate,
    /// When the money reached the payee (`ДатаПоступило`).
    pub credited: Option<NaiveDate>,
    /// When the money left the payer (`ДатаСписано`).
    pub debited: Option<NaiveDate>,
    pub amount: Decimal,
    pub currency: Currency,
    pub payer: Arc<Party>,
    pub payee: Arc<Party>,
    pub purpose: Purpose,
    /// The direction when the source states it (a receipt in a list is incoming); bank
    /// statements leave it to the ledger, which knows all our accounts.
    pub direction: Option<Direction>,
    /// The rarely given fields; `None` when the source gives none of them.
    pub more: Option<Box<PaymentMore>>,
    pub status: Status,
    pub prov: Provenance,
}

/// A payment's purpose (назначение платежа), the longest text a run keeps of each
/// payment. It stays in Windows-1251 when the statement is written in it (a Cyrillic
/// letter takes one byte there and two in UTF-8), else it is kept in UTF-8;
/// [`Purpose::text`] gives it as text.
#[derive(Clone, Default)]
pub struct Purpose(Box<[u8]>);

/// The first byte of a kept purpose: how the rest is encoded.
const PURPOSE_UTF8: u8 = 0;
const PURPOSE_WINDOWS_1251: u8 = 1;

impl Purpose {
    /// A purpose as the statement's Windows-1251 bytes give it.
    pub fn from_windows_1251(bytes: &[u8]) -> Purpose {
        // (ASCII reads the same either way; as UTF-8 it is read without decoding.)
        let tag = if bytes.is_ascii() {
            PURPOSE_UTF8
        } else {
            PURPOSE_WINDOWS_1251
        };
        Purpose::tagged(tag, bytes)
    }

    /// `bytes` after the byte that tells their encoding (nothing for an empty text).
    fn tagged(tag: u8, bytes: &[u8]) -> Purpose {
        if bytes.is_empty() {
            return Purpose::default();
        }
        let mut kept = Vec::with_capacity(bytes.len() + 1);
        kept.push(tag);
        kept.extend_from_slice(bytes);
        Purpose(kept.into_boxed_slice())
    }

    /// The purpose as text.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        match self.0.split_first() {
            None => std::borrow::Cow::Borrowed(""),
            Some((&PURPOSE_WINDOWS_1251, bytes)) => {
                encoding_rs::WINDOWS_1251
                    .decode_without_bom_handling(bytes)
                    .0
            }
            Some((_, bytes)) => String::from_utf8_lossy(bytes),
        }
    }
}

impl From<&str> for Purpose {
    fn from(text: &str) -> Purpose {
        Purpose::tagged(PURPOSE_UTF8, text.as_bytes())
    }
}

impl From<String> for Purpose {
    fn from(text: String) -> Purpose {
        Purpose::from(text.as_str())
    }
}

impl PartialEq for Purpose {
    fn eq(&self, other: &Purpose) -> bool {
        match (self.0.first(), other.0.first()) {
            (a, b) if a == b => self.0 == other.0,
            _ => self.text() == other.text(),
        }
    }
}

impl Eq for Purpose {}

impl std::fmt::Debug for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&*self.text(), f)
    }
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text())
    }
}

/// The fields of a payment that most sources leave empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentMore {
    /// Invoices the source explicitly links this payment to (with the amount for each,
    /// when it says).
    pub links: ThinVec<DocLink>,
    /// The document's id in the exporting system.
    pub id: Option<Text>,
}

impl PaymentMore {
    /// Boxed for a payment, or `None` when it holds nothing.
    pub fn boxed(self) -> Option<Box<PaymentMore>> {
        (self.id.is_some() || !self.links.is_empty()).then(|| Box::new(self))
    }
}

impl Payment {
    /// Invoices the source explicitly links this payment to.
    pub fn links(&self) -> &[DocLink] {
        self.more.as_deref().map_or(&[], |m| &m.links)
    }

    /// The document's id in the exporting system, when the source gives one.
    pub fn id(&self) -> Option<&Text> {
        self.more.as_ref()?.id.as_ref()
    }

    /// The day the money counts: credited for incoming, debited for outgoing, else the
    /// document date (the ledger passes the direction once it knows it).
    pub fn cash_date(&self, direction: Direction) -> NaiveDate {
        let preferred = match direction {
            Direction::Incoming => self.credited.or(self.debited),
            Direction::Outgoing | Direction::Internal => self.debited.or(self.credited),
        };
        preferred.unwrap_or(self.date)
    }
}

/// Any normalized document.
///
/// Its kind is a byte of its own before the record (`repr(u8)`), so that a document
/// takes the room of its largest record and a tag, whatever the records' layouts: the
/// ledger turns a file's documents into its records where they lie, and a ledger record
/// (a document and a few fields) must fit there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[repr(u8)]
pub enum Document {
    Invoice(Invoice),
    Credit(Credit),
    Payment(Payment),
}

impl Document {
    pub fn prov(&self) -> Provenance {
        match self {
            Document::Invoice(d) => d.prov,
            Document::Credit(d) => d.prov,
            Document::Payment(d) => d.prov,
        }
    }
}

/// A problem in the input that did not stop reading: it names the file and the line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    pub file: FileId,
    /// 1-based line, when the problem has one.
    pub line: Option<u32>,
    pub message: String,
}

impl Warning {
    pub fn at(file: FileId, line: u32, message: impl Into<String>) -> Self {
        Warning {
            file,
            line: Some(line),
            message: message.into(),
        }
    }
    pub fn file(file: FileId, message: impl Into<String>) -> Self {
        Warning {
            file,
            line: None,
            message: message.into(),
        }
    }
    /// `path:line: message` for stderr.
    pub fn render(&self, sources: &Sources) -> String {
        match self.line {
            Some(line) => format!("{}:{}: {}", sources.display(self.file), line, self.message),
            None => format!("{}: {}", sources.display(self.file), self.message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purpose_reads_back_as_written_in_either_encoding() {
        let text = "Оплата по счёту № 45 от 12.03.2024, в т.ч. НДС 20% — 1 234,56";
        let (bytes, _, unmapped) = encoding_rs::WINDOWS_1251.encode(text);
        assert!(!unmapped);
        let kept = Purpose::from_windows_1251(&bytes);
        assert_eq!(kept.text(), text);
        assert_eq!(kept, Purpose::from(text));
        assert_eq!(
            Purpose::from_windows_1251(b"Payment 45").text(),
            "Payment 45"
        );
        assert_eq!(Purpose::from("").text(), "");
        assert!(Purpose::from_windows_1251(b"").text().is_empty());
        assert_ne!(kept, Purpose::from("Оплата"));
        assert_eq!(format!("{kept:?}"), format!("{text:?}"));
    }

    #[test]
    fn parties_found_by_their_texts() {
        let mut pool = PartyPool::default();
        let built = |name: &str| Party {
            name: name.into(),
            ..Party::default()
        };
        let a = pool.by_texts(["ООО Ромашка", "7707083893"], || {
            built("ООО Ромашка")
        });
        let again = pool.by_texts(["ООО Ромашка", "7707083893"], || unreachable!());
        assert!(Arc::ptr_eq(&a, &again));
        // Texts that would read the same run together are different keys.
        let b = pool.by_texts(["ab", "c"], || built("ab|c"));
        let c = pool.by_texts(["a", "bc"], || built("a|bc"));
        assert_eq!((b.name.as_str(), c.name.as_str()), ("ab|c", "a|bc"));
        // The same party built from other texts is still one shared copy.
        let d = pool.by_texts(["ООО  Ромашка"], || built("ООО Ромашка"));
        assert!(Arc::ptr_eq(&a, &d));
    }

    #[test]
    fn currencies_as_1c_writes_them() {
        for raw in ["", "643", "руб", "руб.", "RUB", "RUR", "Руб."] {
            assert_eq!(normalize_currency(raw), "RUB", "{raw:?}");
        }
        assert_eq!(normalize_currency("usd"), "USD");
        assert_eq!(normalize_currency("978"), "EUR");
        assert_eq!(normalize_currency("KZT"), "KZT");
    }

    #[test]
    fn documents_share_one_copy_of_a_currency() {
        let same = |a: &Shared, b: &Shared| Arc::ptr_eq(&a.0, &b.0);
        assert!(same(
            &normalize_currency("руб."),
            &normalize_currency("643")
        ));
        assert!(same(&normalize_currency("usd"), &normalize_currency("840")));
        assert!(same(
            &normalize_currency(" kzt"),
            &normalize_currency("KZT")
        ));
        assert!(same(&Shared::default(), &Shared::default()));
        assert_eq!(std::mem::size_of::<Currency>(), 8);
    }
}
