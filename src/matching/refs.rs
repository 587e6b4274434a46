//! Invoice references read out of a Russian payment purpose (НазначениеПлатежа).
//!
//! Why this module exists: a bank statement says *what* was paid only in the
//! free-text purpose field ("Оплата по сч. № 45 от 12.03.24, в т.ч. НДС 20%…").
//! To reconcile payments with invoices, sverka needs the invoice numbers (and
//! dates) written there, and nothing else: not the VAT rate, the amount, the
//! contract number, the INN or the bank account.
//!
//! How it works: the text is folded into a lowercase `Vec<char>` (ё→е, every
//! kind of space → ' ', every dash → '-', Latin look-alike letters inside a
//! Cyrillic word → Cyrillic, so "Cч" with a Latin C reads as "сч"), one char for
//! each char of the original, so that a number is always reported as written.
//! A hand-written scanner then walks the text once; no regex, no backtracking.
//!
//! The rules, in short:
//! - A number is taken only right after a document word (strength `Keyword`:
//!   сч., счет, с/ф, счет-фактура, УПД, накладная, ТОРГ-12, акт…) or after a
//!   bare number sign №/N/No/# (strength `SignOnly`). Any other number in the
//!   text (amounts, VAT rates, dates, INN, KPP, BIC, accounts) is never a ref.
//! - Between the document word and the sign up to three plain words may stand
//!   ("счет на оплату № 45", "акт выполненных работ № 45"); without a sign only
//!   "на оплату"-like fillers are allowed before the number.
//! - A bare sign is ignored when one of the three words before it (dates and
//!   "от"/"г." skipped) is a non-document word: договор, дог., контракт,
//!   соглашение, заказ, п/п, платежное поручение, ИНН, КПП, БИК, мерчант,
//!   терминал, реестр, карта, лицевой, акт сверки…
//! - "счет" right after an account word (расчетный, р/с, корр., к/с, лицевой,
//!   л/с, банковский, транзитный…) is a bank account, not an invoice.
//! - A ref may be a list: "45,46,47", "45; 46", "45 и 47", "№ 45, № 46".
//!   "45-47" is expanded to 45, 46, 47 only after a plural word (счетам,
//!   счетов, счета, №№…), both ends numeric, left < right, span ≤ 100;
//!   otherwise "19-685" is one number.
//! - "от dd.mm.yy(yy)" (also "от12.03.2024", "…г.", "от 12 марта 2024 г.")
//!   right after a number is its date; a date after a list is given to every
//!   number of the list that has no date of its own yet. A date is never a number.
//! - A list item that looks like an amount ("1 234", "3000.00", "15000-00",
//!   "45 руб", "20%") ends the list.
//! - A token of 9, 10, 12 or 20+ digits is reported with `long_number = true`.
//! - A purpose of `PURPOSE_LIMIT` chars or more may have been cut by the bank:
//!   a number (or date) that touches its very end is dropped.
//! - Output is in text order, without duplicates (same kind, number and date).
//!
//! Choices made where the rules leave room:
//! - "заказ № 7" (an order), "заявка", "спецификация", "заявление" and similar are
//!   kept out: they are not payable documents, and a false invoice match costs more
//!   than a missed one.
//! - A bare sign after any word not on the stop list is a `SignOnly` ref
//!   ("Оплата № 45"); after a stop word ("Мерчант №123456") it is nothing.
//! - One date after a list goes to every undated number of that list
//!   ("сч. 45, 46 от 12.03.2024" → both dated): 1C and bank clients print lists of
//!   invoices of one day this way, and a per-number date still wins.
//! - "по счету от 12.03.2024 № 45" (date before the number) dates the number too.
//! - "yy" years: 00-69 are 20yy, 70-99 are 19yy (as everywhere in sverka).
//! - The first number after a document word is an amount only when it plainly is
//!   one ("3000.00", "1 234", "15000-00", "45 руб"): "2024-01" stays a number. Later
//!   list items are amounts on any "1234567-89" too.
//! - Items of an expanded range are reported as plain numbers, zero-padded like the
//!   left end ("0045-0047" → "0045", "0046", "0047").
//! - The numbers of a cut purpose that touch its end are dropped, and so is a date
//!   touching the end (its number is kept, undated): "от 12.03.20" may be 2020 cut
//!   from "2020" or from "20.." of a longer year.

use crate::model::Text as Short;
use chrono::NaiveDate;
use std::collections::HashSet;

/// Purposes cut at this many characters by banks (the 210-character limit of the payment order field).
pub const PURPOSE_LIMIT: usize = 210;

/// What kind of document a reference names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// счёт на оплату: "сч.", "счет", "счёт", "счету", "счетам", "счетов", "сч", "СЧ",
    /// also a bare "№ 45" with no other document word before it (see `Strength`).
    Invoice,
    /// счёт-фактура: "счет-фактура", "счету-фактуре", "с/ф", "сч/ф", "сч.-ф.", "сф".
    TaxInvoice,
    /// УПД (универсальный передаточный документ).
    Upd,
    /// накладная / ТОРГ-12 / ТТН ("по накладной ТОРГ-12 № 45" → number 45, not 12).
    Waybill,
    /// акт ("по акту 45", "акт № 45"); "акт сверки" is not a reference.
    Act,
}

/// How sure the extractor is that the number names a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Introduced by a document word (сч., счет, с/ф, УПД, акт, накладная …).
    Keyword,
    /// Only a "№"/"N"/"No"/"#" sign with no document word before it: "Оплата № 45 от 12.03.2024".
    SignOnly,
}

/// One document reference found in a purpose text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocRef {
    /// The document the number belongs to.
    pub kind: RefKind,
    /// The number token as written, trimmed (e.g. "0045", "00БП-000045", "19-685", "45/2").
    pub number: Short,
    /// The "от dd.mm.yy(yy)" date written right after the number (or after the list it ends).
    pub date: Option<NaiveDate>,
    /// Whether a document word or only a number sign introduced the number.
    pub strength: Strength,
    /// The token is 9, 10, 12 or 20+ digits long (looks like a BIC/INN/account):
    /// the matcher accepts it only on an exact number match.
    pub long_number: bool,
}

impl DocRef {
    /// The numeric core of the number, see [`number_core`] ("0045"→"45", "00БП-000045"→"45",
    /// "19-685"→"685"): what invoices are looked up by. Worked out where it is needed
    /// rather than kept with each of a year's references (16 bytes each).
    pub fn core(&self) -> Short {
        number_core(&self.number).unwrap_or_default()
    }
}

/// The numeric core of an invoice number as 1C prints it: prefix and leading zeros dropped.
///
/// 1C numbers are a prefix plus zero-padded digits, so the core is the trailing run of
/// digits without its leading zeros: "00БП-000045" → "45", "0045" → "45",
/// "19-685" → "685", "УТ-45" → "45", "0" → "0", "АБВ" → `None`.
///
/// Choice for slashes: digit groups joined by '/' stay together, each group without
/// its leading zeros ("45/2" → "45/2", "45/02" → "45/2"). A slash suffix marks a
/// distinct document (a part or a branch of 45), so "45/2" must match neither
/// invoice 2 nor invoice 45; keeping it whole makes it match only "45/2".
pub fn number_core(number: &str) -> Option<Short> {
    // Digits and slashes are ASCII: the bytes can be read directly (no byte of a
    // multi-byte letter equals an ASCII one).
    let b = number.trim().as_bytes();
    let last = b.iter().rposition(u8::is_ascii_digit)?;
    let mut start = last;
    while start > 0 {
        let prev = b[start - 1];
        let slash_between_digits = prev == b'/' && start >= 2 && b[start - 2].is_ascii_digit();
        if prev.is_ascii_digit() || slash_between_digits {
            start -= 1;
        } else {
            break;
        }
    }
    let run = std::str::from_utf8(&b[start..=last]).ok()?;
    let mut core = Short::default();
    for (i, group) in run.split('/').enumerate() {
        if i > 0 {
            core.push('/');
        }
        core.push_str(strip_leading_zeros(group));
    }
    Some(core)
}

/// "0045" → "45", "000" → "0".
fn strip_leading_zeros(digits: &str) -> &str {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() && !digits.is_empty() {
        "0"
    } else {
        trimmed
    }
}

/// All document references in a purpose text, in text order, no duplicates (same kind+number+date).
pub fn extract(purpose: &str) -> Refs {
    let text = Text::new(purpose);
    let mut found = Vec::new();
    let mut i = 0;
    while i < text.len() {
        i = step(&text, i, &mut found).max(i + 1);
    }
    finish(&text, found)
}

/// The references of one purpose, kept with its receipt for the whole run: most
/// purposes name one document, which is kept in place (in the room of one reference,
/// where an array of one took a pointer and 64 bytes of the heap); more go to the heap.
/// Reads as a slice.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Refs {
    #[default]
    None,
    One(DocRef),
    Many(thin_vec::ThinVec<DocRef>),
}

impl std::ops::Deref for Refs {
    type Target = [DocRef];

    fn deref(&self) -> &[DocRef] {
        match self {
            Refs::None => &[],
            Refs::One(r) => std::slice::from_ref(r),
            Refs::Many(rs) => rs,
        }
    }
}

impl From<Vec<DocRef>> for Refs {
    fn from(mut refs: Vec<DocRef>) -> Refs {
        match refs.len() {
            0 => Refs::None,
            1 => refs.pop().map_or(Refs::None, Refs::One),
            _ => Refs::Many(refs.into_iter().collect()),
        }
    }
}

impl<'a> IntoIterator for &'a Refs {
    type Item = &'a DocRef;
    type IntoIter = std::slice::Iter<'a, DocRef>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

// ---------------------------------------------------------------------------
// Word lists (all lowercase, ё folded to е)
// ---------------------------------------------------------------------------

/// Forms of "счет" that name an invoice; "сч" is the abbreviation.
#[rustfmt::skip]
const INVOICE_FORMS: &[&str] = &[
    "invoice", "сч", "счет", "счета", "счету", "счетом", "счете", "счетам", "счетов", "счетами",
    "счетах", "инвойс", "инвойсу", "инвойса",
];
/// Invoice forms after which "45-47" is a range ("счета" is taken as plural too).
const INVOICE_PLURAL: &[&str] = &["счета", "счетам", "счетов", "счетами", "счетах"];
/// Second halves of "счет-фактура" that make it plural.
const TAX_PLURAL_TAILS: &[&str] = &["фактурам", "фактур", "фактурами", "фактурах"];
#[rustfmt::skip]
const ACT_FORMS: &[&str] = &[
    "акт", "акта", "акту", "актом", "акте", "акты", "актам", "актов", "актами", "актах",
];
const ACT_PLURAL: &[&str] = &["акты", "актам", "актов", "актами", "актах"];
const WAYBILL_PLURAL: &[&str] = &["накладным", "накладных", "накладные", "накладными"];
/// Words that may stand between a document word and its number without a sign.
const KNOWN_FILLERS: &[&str] = &["на", "оплату", "покупателю", "поставщика", "поставщику"];

/// Non-document words: a bare "№" after one of them is not a reference.
#[rustfmt::skip]
const STOP_EXACT: &[&str] = &[
    "дог", "пп", "п/п", "пор", "инн", "кпп", "бик", "огрн", "огрнип", "окпо", "октмо", "кбк",
    "уин", "л/с", "р/с", "к/с", "расч", "кор", "кв", "тел", "карта", "карты", "карте", "карту",
    "картой", "карт", "дело", "делу", "дела", "чек", "чека", "чеку",
];
#[rustfmt::skip]
const STOP_PREFIX: &[&str] = &[
    "договор", "д-р", "контракт", "соглашен", "допсоглаш", "заказ", "заявк", "платежн",
    "поручен", "заявлени", "мерчант", "терминал", "реестр", "карточ", "лицев", "расчетн",
    "корр", "банковск", "транзитн", "сверк", "телефон", "постановлен", "решени", "приказ",
    "претенз", "полис", "доверенн", "квитанц", "спецификац", "исполнительн", "кредит", "займ",
    "заем", "вклад", "депозит",
];

/// Words that turn a following "счет" into a bank account.
const ACCOUNT_EXACT: &[&str] = &["расч", "р/с", "к/с", "л/с", "кор"];
#[rustfmt::skip]
const ACCOUNT_PREFIX: &[&str] = &[
    "расчетн", "корр", "лицев", "банковск", "транзитн", "валютн", "текущ", "ссудн", "депозитн",
    "карточн", "специальн", "налогов", "казначейск", "бюджетн", "сберегательн",
];

fn in_list(word: &str, exact: &[&str], prefix: &[&str]) -> bool {
    exact.contains(&word) || prefix.iter().any(|p| word.starts_with(p))
}

fn is_stop_word(word: &str) -> bool {
    in_list(word, STOP_EXACT, STOP_PREFIX)
}

fn is_account_word(word: &str) -> bool {
    in_list(word, ACCOUNT_EXACT, ACCOUNT_PREFIX)
}

// ---------------------------------------------------------------------------
// Normalised text
// ---------------------------------------------------------------------------

/// The purpose as chars: `orig` as written, `c` folded for matching (same length).
struct Text {
    orig: Vec<char>,
    c: Vec<char>,
    /// The text is at least `PURPOSE_LIMIT` chars long, so its end may be cut.
    cut: bool,
}

impl Text {
    fn new(purpose: &str) -> Text {
        let orig: Vec<char> = purpose.chars().collect();
        let mut c: Vec<char> = orig.iter().map(|&ch| fold_char(ch)).collect();
        map_homoglyphs(&mut c);
        let cut = orig.len() >= PURPOSE_LIMIT;
        Text { orig, c, cut }
    }

    fn len(&self) -> usize {
        self.c.len()
    }

    /// The folded char at `i`, or '\0' past the end.
    fn at(&self, i: usize) -> char {
        self.c.get(i).copied().unwrap_or('\0')
    }

    fn letter(&self, i: usize) -> bool {
        self.c.get(i).is_some_and(|ch| crate::text::is_letter(*ch))
    }

    fn digit(&self, i: usize) -> bool {
        self.c.get(i).is_some_and(char::is_ascii_digit)
    }

    fn alnum(&self, i: usize) -> bool {
        self.letter(i) || self.digit(i)
    }

    fn word_end(&self, i: usize) -> usize {
        let mut e = i;
        while self.letter(e) {
            e += 1;
        }
        e
    }

    /// The run of letters starting at `i` and its end.
    fn word(&self, i: usize) -> (String, usize) {
        let s = i.min(self.len());
        let e = self.word_end(s);
        (self.c[s..e].iter().collect(), e)
    }

    fn word_is(&self, i: usize, w: &str) -> bool {
        self.letter(i) && self.word(i).0 == w
    }

    fn skip_spaces(&self, i: usize) -> usize {
        let mut e = i;
        while self.at(e) == ' ' {
            e += 1;
        }
        e
    }

    /// Skips spaces and the punctuation that may stand between a word and a number.
    fn skip_punct(&self, i: usize) -> usize {
        let mut e = i;
        while e < self.len() && (self.at(e) == ' ' || is_soft_punct(self.at(e))) {
            e += 1;
        }
        e
    }

    /// A letter that begins a word: not glued to a letter or digit before it, and
    /// not the second half of a one-letter compound ("р/с", "р/сч", "п/п", "д-р").
    fn is_word_start(&self, i: usize) -> bool {
        if !self.letter(i) {
            return false;
        }
        if i == 0 {
            return true;
        }
        let prev = self.c[i - 1];
        if crate::text::is_letter_or_digit(prev) {
            return false;
        }
        let one_letter_before = i >= 2 && self.letter(i - 2) && (i < 3 || !self.letter(i - 3));
        !((prev == '/' || prev == '-') && one_letter_before)
    }

    /// The original text between two char indices.
    fn original(&self, s: usize, e: usize) -> String {
        self.orig[s..e]
            .iter()
            .collect::<String>()
            .trim()
            .to_string()
    }

    /// Start of the compound word ("р/с", "д-р", "счет") that ends at `end`,
    /// not before `floor` (look-backs stay short on any input).
    fn compound_start(&self, end: usize, floor: usize) -> usize {
        let mut s = end;
        loop {
            while s > floor && self.letter(s - 1) {
                s -= 1;
            }
            let joined = s >= floor + 2 && matches!(self.c[s - 1], '/' | '-') && self.letter(s - 2);
            if !joined {
                return s;
            }
            s -= 1;
        }
    }
}

fn is_soft_punct(ch: char) -> bool {
    matches!(
        ch,
        '.' | ':' | '=' | '"' | '\'' | '«' | '»' | '“' | '”' | '„' | '`' | '(' | ')' | '[' | ']'
    )
}

fn is_quote(ch: char) -> bool {
    matches!(ch, '"' | '\'' | '«' | '»' | '“' | '”' | '„' | '`')
}

/// Folds one char for matching, always to exactly one char.
fn fold_char(ch: char) -> char {
    // The usual letters first, without Unicode's tables (most of a purpose is them).
    match ch {
        'a'..='z' | '0'..='9' | 'а'..='я' => return ch,
        'A'..='Z' => return ch.to_ascii_lowercase(),
        'А'..='Я' => return char::from_u32(ch as u32 + 32).unwrap_or(ch),
        _ => {}
    }
    if ch.is_whitespace()
        || matches!(
            ch,
            '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{AD}'
        )
    {
        return ' ';
    }
    match ch {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
        'ё' | 'Ё' => 'е',
        'º' => '°',
        _ => ch.to_lowercase().next().unwrap_or(ch),
    }
}

fn is_cyrillic(ch: char) -> bool {
    ('\u{0400}'..='\u{04FF}').contains(&ch)
}

/// The Cyrillic letter a lowercase Latin letter looks like (in upper or lower case).
fn cyrillic_twin(ch: char) -> Option<char> {
    let twin = match ch {
        'a' => 'а',
        'b' => 'в',
        'c' => 'с',
        'e' => 'е',
        'h' => 'н',
        'k' => 'к',
        'm' => 'м',
        'o' => 'о',
        'p' => 'р',
        't' => 'т',
        'x' => 'х',
        'y' => 'у',
        _ => return None,
    };
    Some(twin)
}

/// In every run of letters that mixes Cyrillic and Latin, Latin look-alikes become Cyrillic.
fn map_homoglyphs(c: &mut [char]) {
    let mut i = 0;
    while i < c.len() {
        if !crate::text::is_letter(c[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < c.len() && crate::text::is_letter(c[i]) {
            i += 1;
        }
        let run = &mut c[start..i];
        let has_cyr = run.iter().any(|&ch| is_cyrillic(ch));
        let has_lat = run.iter().any(char::is_ascii_alphabetic);
        if has_cyr && has_lat {
            for ch in run.iter_mut() {
                if let Some(twin) = cyrillic_twin(*ch) {
                    *ch = twin;
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Scanner
// ---------------------------------------------------------------------------

/// A ref plus the char index where its number token ends (for the cut check).
struct Found {
    r: DocRef,
    end: usize,
}

/// What the numbers of one list are.
#[derive(Clone, Copy)]
struct ListCtx {
    kind: RefKind,
    strength: Strength,
    plural: bool,
}

/// What a word at a word start turned out to be.
enum Hit {
    /// A document word; the refs follow `end`.
    Doc {
        kind: RefKind,
        plural: bool,
        end: usize,
    },
    /// "счет" of a bank account: skip it and its number.
    Account { end: usize },
    /// A document word that is not a reference ("акт сверки").
    NotRef { end: usize },
}

/// Looks at position `i` and returns where scanning goes on.
fn step(t: &Text, i: usize, found: &mut Vec<Found>) -> usize {
    let ch = t.at(i);
    let sign_candidate = ch == '№' || ch == '#' || (ch == 'n' && t.is_word_start(i));
    if sign_candidate && let Some((end, plural)) = match_sign(t, i) {
        return bare_sign(t, i, end, plural, found);
    }
    if !t.letter(i) {
        return i + 1;
    }
    if t.is_word_start(i)
        && let Some(hit) = match_keyword(t, i)
    {
        return match hit {
            Hit::Doc { kind, plural, end } => {
                let ctx = ListCtx {
                    kind,
                    strength: Strength::Keyword,
                    plural,
                };
                after_keyword(t, end, ctx, found).unwrap_or(end)
            }
            Hit::Account { end } => skip_account_number(t, end),
            Hit::NotRef { end } => end,
        };
    }
    t.word_end(i)
}

/// A "№" with no document word: a ref unless a non-document word stands before it.
fn bare_sign(t: &Text, start: usize, end: usize, plural: bool, found: &mut Vec<Found>) -> usize {
    if sign_blocked(t, start) {
        return end;
    }
    let ctx = ListCtx {
        kind: RefKind::Invoice,
        strength: Strength::SignOnly,
        plural,
    };
    parse_list(t, t.skip_punct(end), ctx, None, found).unwrap_or(end)
}

/// A number sign at `i`: "№", "№№" (plural), "#", Latin "N", "No", "Nr", "N°".
/// Returns the end of the sign and whether it was "№№".
fn match_sign(t: &Text, i: usize) -> Option<(usize, bool)> {
    let mut plural = false;
    let mut end = match t.at(i) {
        '№' => {
            let mut e = i + 1;
            let next = t.skip_spaces(e);
            if t.at(next) == '№' {
                plural = true;
                e = next + 1;
            }
            e
        }
        '#' => i + 1,
        'n' if t.is_word_start(i) => {
            let (w, e) = t.word(i);
            if !matches!(w.as_str(), "n" | "no" | "nо" | "nr") {
                return None;
            }
            e
        }
        _ => return None,
    };
    if t.at(end) == '°' {
        end += 1;
    }
    Some((end, plural))
}

/// Whether a bare sign at `i` follows a non-document word ("договор № 5", "Мерчант №1").
/// Looks back over at most three words (dates, "от" and "г." are skipped) within 80 chars,
/// stopping at a comma, a semicolon, a bracket or a number that is not a date.
fn sign_blocked(t: &Text, i: usize) -> bool {
    let limit = i.saturating_sub(80);
    let mut p = i;
    let mut words = 0;
    loop {
        while p > limit
            && (t.c[p - 1] == ' ' || matches!(t.c[p - 1], '.' | ':') || is_quote(t.c[p - 1]))
        {
            p -= 1;
        }
        if p <= limit {
            return false;
        }
        if t.letter(p - 1) {
            let s = t.compound_start(p, limit);
            let w: String = t.c[s..p].iter().collect();
            if is_stop_word(&w) {
                return true;
            }
            if !matches!(w.as_str(), "от" | "г" | "года") {
                words += 1;
                if words >= 3 {
                    return false;
                }
            }
            p = s;
        } else if t.digit(p - 1) {
            let mut s = p;
            while s > limit && (t.digit(s - 1) || t.c[s - 1] == '.') {
                s -= 1;
            }
            if parse_numeric_date(t, s).is_none_or(|(_, e)| e != p) {
                return false;
            }
            p = s;
        } else {
            return false;
        }
    }
}

/// Matches a document word (or compound) at word start `i`.
fn match_keyword(t: &Text, i: usize) -> Option<Hit> {
    let (w, we) = t.word(i);
    if let Some(hit) = match_tax_invoice(t, &w, we) {
        return Some(hit);
    }
    if INVOICE_FORMS.contains(&w.as_str()) {
        let end = hyphen_tail(t, we, &["оферт", "договор"]).unwrap_or(we);
        if account_word_before(t, i) {
            return Some(Hit::Account { end });
        }
        let plural = INVOICE_PLURAL.contains(&w.as_str());
        return Some(doc(RefKind::Invoice, plural, end));
    }
    if w == "упд" {
        return Some(doc(RefKind::Upd, false, we));
    }
    if w.starts_with("универсальн") {
        return match_upd_words(t, we);
    }
    if w.starts_with("накладн") {
        let plural = WAYBILL_PLURAL.contains(&w.as_str());
        return Some(doc(RefKind::Waybill, plural, we));
    }
    if w == "ттн" || w == "тн" {
        return Some(doc(RefKind::Waybill, false, we));
    }
    if w == "торг" {
        return match_torg12(t, i).map(|end| doc(RefKind::Waybill, false, end));
    }
    if ACT_FORMS.contains(&w.as_str()) {
        return Some(match_act(t, &w, we));
    }
    None
}

fn doc(kind: RefKind, plural: bool, end: usize) -> Hit {
    Hit::Doc { kind, plural, end }
}

/// "счет-фактура" (any case forms), "с/ф", "сч/ф", "сч.-ф.", "сч-ф", "сч.ф.", "сф", "счф".
fn match_tax_invoice(t: &Text, w: &str, we: usize) -> Option<Hit> {
    if w == "сф" || w == "счф" {
        return Some(doc(RefKind::TaxInvoice, false, we));
    }
    if INVOICE_FORMS.contains(&w) && t.at(we) == '-' && t.letter(we + 1) {
        let (tail, te) = t.word(we + 1);
        if tail.starts_with("фактур") {
            let plural = INVOICE_PLURAL.contains(&w) || TAX_PLURAL_TAILS.contains(&tail.as_str());
            return Some(doc(RefKind::TaxInvoice, plural, te));
        }
    }
    if w != "с" && w != "сч" {
        return None;
    }
    // "с/ф", "сч/ф", "с-ф", "сч-ф", "сч.-ф", "сч.ф" (a dot is allowed only after "сч").
    let mut p = we;
    if w == "сч" && t.at(p) == '.' {
        p += 1;
    }
    let sep = t.at(p);
    if matches!(sep, '/' | '-') {
        p += 1;
    } else if p == we {
        return None;
    }
    let (tail, te) = t.word(p);
    if tail == "ф" || (sep == '/' && tail.starts_with("фактур")) {
        let end = if t.at(te) == '.' { te + 1 } else { te };
        return Some(doc(RefKind::TaxInvoice, false, end));
    }
    None
}

/// "счет-оферта", "счет-договор": the end of the hyphenated tail, if any.
fn hyphen_tail(t: &Text, we: usize, tails: &[&str]) -> Option<usize> {
    if t.at(we) != '-' || !t.letter(we + 1) {
        return None;
    }
    let (tail, te) = t.word(we + 1);
    tails.iter().any(|p| tail.starts_with(p)).then_some(te)
}

/// Whether the word just before `i` makes "счет" a bank account ("расчетный счет", "р/с").
fn account_word_before(t: &Text, i: usize) -> bool {
    let mut p = i;
    while p > 0 && (t.c[p - 1] == ' ' || t.c[p - 1] == '.') {
        p -= 1;
    }
    if !t.letter(p.wrapping_sub(1)) {
        return false;
    }
    let s = t.compound_start(p, p.saturating_sub(40));
    let w: String = t.c[s..p].iter().collect();
    is_account_word(&w)
}

/// "универсальный передаточный документ" → Upd.
fn match_upd_words(t: &Text, we: usize) -> Option<Hit> {
    let p = t.skip_spaces(we);
    let (w2, e2) = t.word(p);
    if !w2.starts_with("передаточн") {
        return None;
    }
    let p3 = t.skip_spaces(e2);
    let (w3, e3) = t.word(p3);
    let end = if w3.starts_with("документ") {
        e3
    } else {
        e2
    };
    Some(doc(RefKind::Upd, false, end))
}

/// "торг-12", "торг 12", "торг12" at `i`: the end after "12".
fn match_torg12(t: &Text, i: usize) -> Option<usize> {
    if !t.word_is(i, "торг") {
        return None;
    }
    let mut p = t.word_end(i);
    if matches!(t.at(p), '-' | ' ') {
        p += 1;
    }
    let is_12 = t.at(p) == '1' && t.at(p + 1) == '2' && !t.digit(p + 2);
    is_12.then_some(p + 2)
}

/// "акт № 45" is a ref; "акт сверки" is not.
fn match_act(t: &Text, w: &str, we: usize) -> Hit {
    let p = t.skip_punct(we);
    let (next, ne) = t.word(p);
    if next.starts_with("сверк") {
        return Hit::NotRef { end: ne };
    }
    let plural = ACT_PLURAL.contains(&w);
    doc(RefKind::Act, plural, we)
}

/// Skips an account's "№ 40702…" so that neither it nor its sign is read as a ref.
fn skip_account_number(t: &Text, end: usize) -> usize {
    let mut p = t.skip_punct(end);
    if let Some((e, _)) = match_sign(t, p) {
        p = t.skip_punct(e);
    }
    read_number(t, p).map_or(end, |(_, e)| e)
}

/// After a document word: optional "ТОРГ-12", optional "от <date>", up to three
/// filler words, an optional sign, then a list of numbers. Returns where the refs end.
fn after_keyword(t: &Text, end: usize, ctx: ListCtx, found: &mut Vec<Found>) -> Option<usize> {
    let mut q = t.skip_punct(end);
    if let Some(e) = match_torg12(t, q) {
        q = t.skip_punct(e);
    }
    let mut pre_date = None;
    if let Some((d, e)) = parse_date_after(t, q) {
        pre_date = Some(d);
        q = t.skip_punct(e);
    }
    if let Some(r) = sign_then_list(t, q, ctx, pre_date, found) {
        return Some(r);
    }
    if read_item(t, q, true).is_some() {
        return parse_list(t, q, ctx, pre_date, found);
    }
    let mut all_known = true;
    for _ in 0..3 {
        if !t.letter(q) || match_keyword(t, q).is_some() {
            return None;
        }
        let (w, we) = t.word(q);
        if is_stop_word(&w) {
            return None;
        }
        all_known &= KNOWN_FILLERS.contains(&w.as_str());
        q = t.skip_punct(we);
        if let Some(r) = sign_then_list(t, q, ctx, pre_date, found) {
            return Some(r);
        }
        if all_known && read_item(t, q, true).is_some() {
            return parse_list(t, q, ctx, pre_date, found);
        }
    }
    None
}

/// A sign at `q` followed by a list.
fn sign_then_list(
    t: &Text,
    q: usize,
    ctx: ListCtx,
    pre_date: Option<NaiveDate>,
    found: &mut Vec<Found>,
) -> Option<usize> {
    let (e, plural) = match_sign(t, q)?;
    let ctx = ListCtx {
        plural: ctx.plural || plural,
        ..ctx
    };
    parse_list(t, t.skip_punct(e), ctx, pre_date, found)
}

/// A list of numbers at `p`: "45", "45, 46 и 47", "45 от d1, 46 от d2", "45-47".
/// Pushes the refs and returns where the list ends; `None` if no number is at `p`.
fn parse_list(
    t: &Text,
    p: usize,
    ctx: ListCtx,
    pre_date: Option<NaiveDate>,
    found: &mut Vec<Found>,
) -> Option<usize> {
    let (s, e) = read_item(t, p, true)?;
    let list_start = found.len();
    let mut group_start = found.len();
    push_token(t, s, e, ctx, found);
    let mut end = e;
    let mut last = (s, e);
    loop {
        if let Some((d, de)) = parse_date_after(t, end) {
            give_date(&mut found[group_start..], d);
            group_start = found.len();
            end = de;
        }
        match next_item(t, end, ctx, last, found) {
            Some(item) => {
                last = item;
                end = item.1;
            }
            None => break,
        }
    }
    if let Some(d) = pre_date {
        give_date(&mut found[list_start..], d);
    }
    Some(end)
}

/// Sets `d` on every ref that has no date yet.
fn give_date(refs: &mut [Found], d: NaiveDate) {
    for f in refs.iter_mut().filter(|f| f.r.date.is_none()) {
        f.r.date = Some(d);
    }
}

/// The next list item after `end`: ", 46", "; 46", "и 46", ", № 46", or " - 47" (a range
/// after a plural word). Pushes its refs and returns its token span.
fn next_item(
    t: &Text,
    end: usize,
    ctx: ListCtx,
    last: (usize, usize),
    found: &mut Vec<Found>,
) -> Option<(usize, usize)> {
    let mut q = t.skip_spaces(end);
    let is_range = t.at(q) == '-';
    match t.at(q) {
        ',' | ';' | '&' | '+' | '-' => q += 1,
        _ if t.word_is(q, "и") => q += 1,
        _ => return None,
    }
    q = t.skip_spaces(q);
    if t.word_is(q, "и") {
        q = t.skip_spaces(q + 1);
    }
    if let Some((e, _)) = match_sign(t, q) {
        q = t.skip_punct(e);
    }
    if starts_other_word(t, q) {
        return None;
    }
    let (s, e) = read_item(t, q, false)?;
    if is_range {
        return spaced_range(t, last, (s, e), ctx, found);
    }
    push_token(t, s, e, ctx, found);
    Some((s, e))
}

/// A list item must not be another document word or code ("ТОРГ-12", "ИНН7707083893").
fn starts_other_word(t: &Text, q: usize) -> bool {
    t.letter(q) && (is_stop_word(&t.word(q).0) || match_keyword(t, q).is_some())
}

/// "по счетам 45 - 47": the refs 46, 47 (45 was pushed already).
fn spaced_range(
    t: &Text,
    left: (usize, usize),
    right: (usize, usize),
    ctx: ListCtx,
    found: &mut Vec<Found>,
) -> Option<(usize, usize)> {
    if !ctx.plural {
        return None;
    }
    let a = digits_value(&t.c[left.0..left.1])?;
    let b = digits_value(&t.c[right.0..right.1])?;
    if !(a < b && b - a <= 100) {
        return None;
    }
    let width = left.1 - left.0;
    for v in a + 1..=b {
        push_ref(format!("{v:0width$}"), right.1, ctx, found);
    }
    Some(right)
}

/// The value of a run of ASCII digits (at most 18 of them).
fn digits_value(chars: &[char]) -> Option<u64> {
    if chars.is_empty() || chars.len() > 18 || !chars.iter().all(char::is_ascii_digit) {
        return None;
    }
    chars.iter().collect::<String>().parse().ok()
}

/// Pushes the ref(s) of one number token, expanding "45-47" after a plural word.
fn push_token(t: &Text, s: usize, e: usize, ctx: ListCtx, found: &mut Vec<Found>) {
    if ctx.plural
        && let Some((a, b, width)) = token_range(&t.c[s..e])
    {
        for v in a..=b {
            push_ref(format!("{v:0width$}"), e, ctx, found);
        }
        return;
    }
    push_ref(t.original(s, e), e, ctx, found);
}

/// "45-47" → (45, 47, 2): both ends numeric, left < right, span ≤ 100.
fn token_range(token: &[char]) -> Option<(u64, u64, usize)> {
    let dash = token.iter().position(|&ch| ch == '-')?;
    let a = digits_value(&token[..dash])?;
    let b = digits_value(&token[dash + 1..])?;
    (a < b && b - a <= 100).then_some((a, b, dash))
}

fn push_ref(number: String, end: usize, ctx: ListCtx, found: &mut Vec<Found>) {
    let long_number = is_long_number(&number);
    let r = DocRef {
        kind: ctx.kind,
        number: number.into(),
        date: None,
        strength: ctx.strength,
        long_number,
    };
    found.push(Found { r, end });
}

/// 9, 10, 12 or 20+ digits: looks like a BIC, an INN or a bank account.
fn is_long_number(number: &str) -> bool {
    let all_digits = !number.is_empty() && number.chars().all(|ch| ch.is_ascii_digit());
    let n = number.chars().count();
    all_digits && (matches!(n, 9 | 10 | 12) || n >= 20)
}

/// A number token at `p` (after optional quotes) that is neither a date nor an amount.
/// `first`: the item right after the document word or sign, where "2024-01" is a
/// number and only "15000-00" is rubles-kopecks; later list items are amounts on
/// any "1234567-89".
fn read_item(t: &Text, p: usize, first: bool) -> Option<(usize, usize)> {
    let mut q = p;
    while is_quote(t.at(q)) {
        q += 1;
    }
    if parse_numeric_date(t, q).is_some() {
        return None;
    }
    let (s, e) = read_number(t, q)?;
    if amount_token(&t.c[s..e], first) || amount_follows(t, s, e) {
        return None;
    }
    Some((s, e))
}

/// A number token at `s`: letters, digits and inner '-', '/', '_', with at least one
/// digit; trailing letters are cut off ("45г." → "45"), and so is a glued "от" + date
/// ("45от12.03.2024" → "45").
fn read_number(t: &Text, s: usize) -> Option<(usize, usize)> {
    if !t.alnum(s) {
        return None;
    }
    let mut e = s;
    let mut last_digit_end = None;
    while e < t.len() {
        if t.digit(e) {
            e += 1;
            last_digit_end = Some(e);
        } else if t.letter(e) {
            if e > s && t.digit(e - 1) && glued_date(t, e) {
                break;
            }
            e += 1;
        } else if matches!(t.at(e), '-' | '/' | '_') && t.alnum(e + 1) {
            e += 1;
        } else {
            break;
        }
    }
    last_digit_end.map(|end| (s, end))
}

/// "от12.03.2024" starting at `i` (inside a token such as "45от12.03.2024").
fn glued_date(t: &Text, i: usize) -> bool {
    let (w, we) = t.word(i);
    w == "от" && parse_numeric_date(t, t.skip_spaces(we)).is_some()
}

/// "15000-00", "1234567-89": rubles and kopecks (left part 4+ digits, no leading zero;
/// with `first`, only "-00" counts).
fn amount_token(token: &[char], first: bool) -> bool {
    let Some(dash) = token.iter().position(|&ch| ch == '-') else {
        return false;
    };
    let (left, right) = (&token[..dash], &token[dash + 1..]);
    left.len() >= 4
        && left[0] != '0'
        && left.iter().all(char::is_ascii_digit)
        && right.len() == 2
        && right.iter().all(char::is_ascii_digit)
        && (!first || right == ['0', '0'])
}

/// Whether the token at `s..e` is the start of an amount or a percentage:
/// "1 234", "3000.00", "1.234.567,89", "45,00 руб", "45 руб", "20%".
fn amount_follows(t: &Text, s: usize, e: usize) -> bool {
    let short_digits = e - s <= 3 && (s..e).all(|i| t.digit(i));
    let thousands =
        t.at(e) == ' ' && (1..=3).all(|k| t.digit(e + k)) && !t.digit(e + 4) && t.at(e + 4) != '.';
    if short_digits && thousands {
        return true;
    }
    if t.at(e) == '.' && t.digit(e + 1) {
        return true;
    }
    let mut q = e;
    if t.at(q) == ',' && t.digit(q + 1) && t.digit(q + 2) && !t.digit(q + 3) {
        q += 3;
        if currency_at(t, t.skip_spaces(q)) || t.at(q) == '=' {
            return true;
        }
    }
    let q = t.skip_spaces(e);
    t.at(q) == '%' || currency_at(t, q)
}

/// "руб", "рублей", "р.", "коп", "rub", "rur" at `q`.
fn currency_at(t: &Text, q: usize) -> bool {
    if !t.letter(q) {
        return false;
    }
    let (w, we) = t.word(q);
    w.starts_with("руб")
        || w.starts_with("коп")
        || w == "rub"
        || w == "rur"
        || (w == "р" && t.at(we) != '/')
}

// ---------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------

/// "от 12.03.2024", "от12.03.24", "от 12.03.2024 г.", "от «12» марта 2024 года" after `p`.
/// A date that touches the end of a cut text is not taken (it may be incomplete).
fn parse_date_after(t: &Text, p: usize) -> Option<(NaiveDate, usize)> {
    let q = t.skip_spaces(p);
    if !t.word_is(q, "от") {
        return None;
    }
    let mut q = t.skip_spaces(q + 2);
    while is_quote(t.at(q)) {
        q += 1;
    }
    let (date, e) = parse_numeric_date(t, q).or_else(|| parse_worded_date(t, q))?;
    if t.cut && e >= t.len() {
        return None;
    }
    Some((date, year_suffix(t, e)))
}

/// Skips " г.", "г", " года" after a date.
fn year_suffix(t: &Text, e: usize) -> usize {
    let q = t.skip_spaces(e);
    if !t.letter(q) {
        return e;
    }
    let (w, we) = t.word(q);
    if !matches!(w.as_str(), "г" | "года" | "гг") {
        return e;
    }
    if t.at(we) == '.' { we + 1 } else { we }
}

/// Up to `max` ASCII digits at `p`: (value, end).
fn read_digits(t: &Text, p: usize, max: usize) -> Option<(u32, usize)> {
    let mut e = p;
    let mut v: u32 = 0;
    while t.digit(e) && e - p < max {
        v = v * 10 + t.at(e).to_digit(10)?;
        e += 1;
    }
    (e > p).then_some((v, e))
}

/// "dd.mm.yy", "dd.mm.yyyy" (also with '/' or '-' used throughout), at `p`.
fn parse_numeric_date(t: &Text, p: usize) -> Option<(NaiveDate, usize)> {
    let (day, e1) = read_digits(t, p, 2)?;
    let sep = t.at(e1);
    if !matches!(sep, '.' | '/' | '-') {
        return None;
    }
    let (month, e2) = read_digits(t, e1 + 1, 2)?;
    if t.at(e2) != sep {
        return None;
    }
    let (year, e3) = read_digits(t, e2 + 1, 4)?;
    if t.digit(e3) {
        return None;
    }
    // Two-digit years as everywhere in sverka (`dates::parse_date`): 00-69 → 20xx.
    let year = match (e3 - (e2 + 1), year) {
        (2, y @ 0..=69) => 2000 + y,
        (2, y) => 1900 + y,
        (4, y) => y,
        _ => return None,
    };

    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some((date, e3))
}

/// "12 марта 2024", "«12» марта 2024" at `p`.
fn parse_worded_date(t: &Text, p: usize) -> Option<(NaiveDate, usize)> {
    let (day, e1) = read_digits(t, p, 2)?;
    let mut q = e1;
    while is_quote(t.at(q)) {
        q += 1;
    }
    let q = t.skip_spaces(q);
    let (w, we) = t.word(q);
    let month = month_number(&w)?;
    let ys = t.skip_spaces(we);
    let (year, ye) = read_digits(t, ys, 4)?;
    if ye - ys != 4 || t.digit(ye) {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    Some((date, ye))
}

/// A month name in any case form ("марта", "мая", "декабря") → 1..=12.
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "январ",
        "феврал",
        "март",
        "апрел",
        "ма",
        "июн",
        "июл",
        "август",
        "сентябр",
        "октябр",
        "ноябр",
        "декабр",
    ];
    if word == "ма" || word.chars().count() < 3 {
        return None;
    }
    if word == "мая" || word == "май" {
        return Some(5);
    }
    let pos = MONTHS
        .iter()
        .position(|m| m.chars().count() > 2 && word.starts_with(m))?;
    u32::try_from(pos + 1).ok()
}

// ---------------------------------------------------------------------------
// Result
// ---------------------------------------------------------------------------

/// Drops refs whose token touches the end of a cut text, then duplicates.
fn finish(t: &Text, found: Vec<Found>) -> Refs {
    // A purpose names a few documents: the earlier ones are compared one by one; a
    // long list (an export's free text can be long) is looked up in a set.
    const FEW: usize = 16;
    let mut seen: HashSet<(RefKind, String, Option<NaiveDate>)> = HashSet::new();
    let mut out: Vec<DocRef> = Vec::new();
    for f in found {
        if t.cut && f.end >= t.len() {
            continue;
        }
        let new = if out.len() < FEW {
            !out.iter()
                .any(|o| o.kind == f.r.kind && o.number == f.r.number && o.date == f.r.date)
        } else {
            if seen.is_empty() {
                seen.extend(out.iter().map(|o| (o.kind, o.number.to_string(), o.date)));
            }
            seen.insert((f.r.kind, f.r.number.to_string(), f.r.date))
        };
        if new {
            out.push(f.r);
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn numbers(text: &str) -> Vec<String> {
        extract(text)
            .into_iter()
            .map(|r| r.number.to_string())
            .collect()
    }

    #[test]
    fn one_reference_is_kept_in_place() {
        assert_eq!(std::mem::size_of::<Refs>(), std::mem::size_of::<DocRef>());
        assert!(
            matches!(extract("Оплата по сч. № 45 от 12.03.24"), Refs::One(ref r) if r.number == "45")
        );
        let two = extract("Оплата по сч. 45, 46");
        assert!(matches!(two, Refs::Many(_)));
        assert_eq!(
            two.iter().map(|r| r.number.as_str()).collect::<Vec<_>>(),
            ["45", "46"]
        );
        assert!(matches!(extract("Оплата за товар"), Refs::None));
        assert!(extract("Оплата за товар").is_empty());
    }

    fn one(text: &str) -> DocRef {
        let refs = extract(text);
        let head: String = text.chars().take(80).collect();
        assert_eq!(refs.len(), 1, "{head:?} → {refs:?}");
        refs[0].clone()
    }

    #[test]
    fn s13_invoice_with_vat_tail() {
        let r = one("Оплата по сч. № 45 от 12.03.24, в т.ч. НДС 20% - 1 666,67 руб.");
        assert_eq!(r.kind, RefKind::Invoice);
        assert_eq!(r.number, "45");
        assert_eq!(r.core(), "45");
        assert_eq!(r.date, Some(d(2024, 3, 12)));
        assert_eq!(r.strength, Strength::Keyword);
        assert!(!r.long_number);
    }

    #[test]
    fn s14_leading_zeros_kept_in_number_dropped_in_core() {
        let r = one("Оплата по счету 0045");
        assert_eq!((r.number.as_str(), r.core().as_str()), ("0045", "45"));
        assert_eq!(r.kind, RefKind::Invoice);
    }

    #[test]
    fn s08_comma_list_after_invoice_word() {
        assert_eq!(numbers("Оплата по сч.45,46,47"), ["45", "46", "47"]);
    }

    #[test]
    fn s15_ranges_and_lists() {
        assert_eq!(numbers("по счетам №№ 45-47"), ["45", "46", "47"]);
        assert_eq!(numbers("по счетам 45 - 47"), ["45", "46", "47"]);
        assert_eq!(numbers("Оплата счетов 0045-0047"), ["0045", "0046", "0047"]);
        assert_eq!(numbers("сч 45 и 47"), ["45", "47"]);
        assert!(extract("45;46").is_empty());
        assert_eq!(numbers("сч. 45;46"), ["45", "46"]);
        // Singular word, reversed or too wide range: one number.
        assert_eq!(numbers("по сч 45-47"), ["45-47"]);
        assert_eq!(numbers("по счетам 47-45"), ["47-45"]);
        assert_eq!(numbers("по счетам 1-500"), ["1-500"]);
        let r = one("по сч 19-685");
        assert_eq!(r.core(), "685");
    }

    #[test]
    fn s17_contract_numbers_are_not_refs() {
        assert!(extract("Оплата по договору № 45/2023 от 01.02.2023 за март").is_empty());
        for text in [
            "по дог. № 12",
            "по дог № 12",
            "по д-ру № 12",
            "по д-р № 12",
            "по контракту № 12",
            "по соглашению № 12",
            "по договору поставки от 01.02.2023 № 45",
            "по договору поставки товаров № 45",
        ] {
            assert!(extract(text).is_empty(), "{text}");
        }
        let text = "Предоплата по дог. ГПН-18/39000/03564/Р/64537-2018-174 от 29.12.2018 по сч 19-685 от 14.10.2019 за поставку. В т.ч.НДС(20%) 5.616.666,67=";
        let r = one(text);
        assert_eq!(r.number, "19-685");
        assert_eq!(r.date, Some(d(2019, 10, 14)));
        assert_eq!(r.kind, RefKind::Invoice);
    }

    #[test]
    fn s18_accounts_and_bank_codes() {
        for text in [
            "Оплата р/с 40702810900000000001",
            "перевод на расчетный счет 40702810900000000001",
            "перевод на расчетный счет № 40702810900000000001",
            "корр. счет 30101810145250000974",
            "к/с 30101810145250000974",
            "л/с 1234567",
            "лицевой счет № 1234",
            "банковский счет 40702810900000000001",
            "транзитный счет 40702810900000000001",
            "БИК 044525225",
            "ИНН 7707083893 КПП 770701001",
            "Оплата на р/сч 40702810900000000001",
        ] {
            assert!(extract(text).is_empty(), "{text} → {:?}", extract(text));
        }
        let r = one("Перевод. Сч. № 30101810145250000974");
        assert!(r.long_number);
        assert_eq!(r.number, "30101810145250000974");
        let r = one("Оплата по сч. 45 ИНН 7707083893 КПП 770701001 БИК 044525225");
        assert_eq!(r.number, "45");
        for (text, long) in [
            ("сч 123456789", true),
            ("сч 1234567890", true),
            ("сч 123456789012", true),
            ("сч 12345678901", false),
            ("сч 12345678", false),
        ] {
            assert_eq!(one(text).long_number, long, "{text}");
        }
    }

    #[test]
    fn s19_short_forms_and_1c_prefixes() {
        assert_eq!(one("по сч 45").core(), "45");
        let r = one("по сч. 00БП-000045");
        assert_eq!(
            (r.number.as_str(), r.core().as_str()),
            ("00БП-000045", "45")
        );
        let r = one("по сч. № УТ-45 от 01.02.2024");
        assert_eq!((r.number.as_str(), r.core().as_str()), ("УТ-45", "45"));
        assert_eq!(r.date, Some(d(2024, 2, 1)));
    }

    #[test]
    fn s21_sign_and_spelling_variants() {
        for text in [
            "сч.N45",
            "сч. No 45",
            "счет #45",
            "сч.№45",
            "СЧ № 45",
            "сч N 45",
            "Оплата по cч. 45",
            "CЧ 45",
            "Cч 45",
            "сч\u{00A0}№\u{00A0}45",
            "сч.\u{202F}№\u{202F}45",
            "Оплата\u{00A0}по\u{00A0}счету\u{00A0}45",
            "счёт № 45",
            "СЧЁТ № 45",
            "сч Nº 45",
            "сч\t№\t45",
            "счет на оплату № 45",
        ] {
            let r = one(text);
            assert_eq!(r.number, "45", "{text}");
            assert_eq!(r.kind, RefKind::Invoice, "{text}");
            assert_eq!(r.strength, Strength::Keyword, "{text}");
        }
    }

    #[test]
    fn a_long_list_names_each_invoice_once() {
        let numbers: Vec<String> = (1..=20).map(|n| n.to_string()).collect();
        let purpose = format!("Оплата по счетам №№ {}, 5, 17, 20", numbers.join(", "));
        let refs = extract(&purpose);
        let got: Vec<&str> = refs.iter().map(|r| r.number.as_str()).collect();
        assert_eq!(got, numbers.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn s22_cut_purpose_drops_last_token() {
        let tail = "оплата по сч. 41, 42, 43, 44, 4";
        let pad = PURPOSE_LIMIT - tail.chars().count();
        let text = format!("{}{tail}", "я".repeat(pad - 1) + " ");
        assert_eq!(text.chars().count(), PURPOSE_LIMIT);
        assert_eq!(numbers(&text), ["41", "42", "43", "44"]);
        // One char shorter: nothing was cut, the last token is kept.
        let short: String = text.chars().skip(1).collect();
        assert_eq!(numbers(&short), ["41", "42", "43", "44", "4"]);
        // Longer than the limit: also cut.
        let long = format!("я{text}");
        assert_eq!(numbers(&long), ["41", "42", "43", "44"]);
        // A trailing space means the last token is whole.
        let spaced = format!("{}{tail} ", "я".repeat(pad - 2) + " ");
        assert_eq!(spaced.chars().count(), PURPOSE_LIMIT);
        assert_eq!(numbers(&spaced), ["41", "42", "43", "44", "4"]);
    }

    #[test]
    fn s22_cut_date_is_dropped_but_number_kept() {
        let tail = "по сч. 45 от 12.03.20";
        let pad = PURPOSE_LIMIT - tail.chars().count();
        let text = format!("{}{tail}", "я".repeat(pad - 1) + " ");
        let r = one(&text);
        assert_eq!((r.number.as_str(), r.date), ("45", None));
    }

    #[test]
    fn dates_attach_to_numbers() {
        for text in [
            "сч 45 от 12.03.2024",
            "сч 45 от 12.03.24",
            "сч 45 от 12.03.2024г.",
            "сч 45 от 12.03.2024 г.",
            "сч 45 от12.03.2024",
            "сч 45от12.03.2024",
            "сч 45 от 12 марта 2024 г.",
            "сч 45 от «12» марта 2024 года",
            "по счету от 12.03.2024 № 45",
        ] {
            let r = one(text);
            assert_eq!(r.number, "45", "{text}");
            assert_eq!(r.date, Some(d(2024, 3, 12)), "{text}");
        }
        // A date is never a number.
        assert!(extract("Оплата № 12.03.2024").is_empty());
        assert!(extract("сч. от 12.03.2024").is_empty());
        // Invalid date: number kept, no date.
        assert_eq!(one("сч 45 от 32.13.2024").date, None);
    }

    #[test]
    fn dates_in_lists() {
        let refs = extract("сч. 45, 46 от 12.03.2024");
        assert_eq!(refs.len(), 2);
        assert!(refs.iter().all(|r| r.date == Some(d(2024, 3, 12))));
        let refs = extract("сч. 45 от 01.03.24, 46, 47 от 02.03.24");
        let dates: Vec<_> = refs.iter().map(|r| (r.number.as_str(), r.date)).collect();
        assert_eq!(
            dates,
            [
                ("45", Some(d(2024, 3, 1))),
                ("46", Some(d(2024, 3, 2))),
                ("47", Some(d(2024, 3, 2)))
            ]
        );
        let refs = extract("Оплата по счету № 45 от 12.03.2024 и № 46 от 13.03.2024");
        assert_eq!(refs.len(), 2);
        assert_eq!(refs[1].date, Some(d(2024, 3, 13)));
    }

    #[test]
    fn s47_amounts_are_never_numbers() {
        for text in [
            "Сумма 1 234 567,89",
            "1.234.567,89",
            "1234567-89",
            "12 345,00 руб",
            "НДС 20%",
            "НДС(20%)",
            "НДС 10 %",
            "без НДС",
        ] {
            assert!(extract(text).is_empty(), "{text}");
        }
        assert_eq!(numbers("по сч 45 на сумму 1 234 567,89"), ["45"]);
        assert_eq!(numbers("по сч 45, 1 234 567,89"), ["45"]);
        assert_eq!(numbers("по сч 45, 1.234.567,89"), ["45"]);
        assert_eq!(numbers("по сч 45, 12 345,00 руб"), ["45"]);
        assert_eq!(numbers("по сч 45, 1234567-89"), ["45"]);
        assert_eq!(numbers("по сч 45, 300 руб"), ["45"]);
        assert_eq!(numbers("по сч 45, 46,00 руб"), ["45"]);
        assert!(extract("Оплата по счету 3000.00 руб").is_empty());
        assert!(extract("Оплата по счету 15000-00").is_empty());
        // The first item may be a "year-number" doc number; later items may not.
        assert_eq!(numbers("Оплата по счету № 2024-01"), ["2024-01"]);
    }

    #[test]
    fn bare_sign() {
        let r = one("Оплата № 45 от 12.03.2024 за товар");
        assert_eq!((r.number.as_str(), r.strength), ("45", Strength::SignOnly));
        assert_eq!((r.kind, r.date), (RefKind::Invoice, Some(d(2024, 3, 12))));
        for text in [
            "по п/п № 123",
            "платежное поручение № 5",
            "по платежному поручению 5",
            "по договору № 12",
            "заказ № 7",
            "по заказу № 7",
            "ИНН № 7707083893",
            "КПП №770701001",
            "БИК № 044525225",
            "карта № 1234",
            "по заявке № 3",
        ] {
            assert!(extract(text).is_empty(), "{text} → {:?}", extract(text));
        }
    }

    #[test]
    fn other_kinds() {
        let r = one("счет-фактура № 45 от 12.03.2024");
        assert_eq!((r.kind, r.number.as_str()), (RefKind::TaxInvoice, "45"));
        assert_eq!(r.date, Some(d(2024, 3, 12)));
        for text in [
            "с/ф 45",
            "сч/ф 45",
            "сч.-ф. 45",
            "сч-ф 45",
            "сф 45",
            "по счету-фактуре 45",
            "СЧЕТ-ФАКТУРА №45",
            "по с/ф №45",
        ] {
            let r = one(text);
            assert_eq!(
                (r.kind, r.number.as_str()),
                (RefKind::TaxInvoice, "45"),
                "{text}"
            );
        }
        assert_eq!(
            numbers("по счетам-фактурам 45-47"),
            ["45", "46", "47"],
            "plural tax invoices"
        );
        let r = one("УПД № 45");
        assert_eq!((r.kind, r.number.as_str()), (RefKind::Upd, "45"));
        let r = one("по универсальному передаточному документу № 45");
        assert_eq!((r.kind, r.number.as_str()), (RefKind::Upd, "45"));
        for text in [
            "по накладной ТОРГ-12 № 45",
            "ТОРГ-12 № 45",
            "по ТТН 45",
            "накладная 45",
        ] {
            let r = one(text);
            assert_eq!(
                (r.kind, r.number.as_str()),
                (RefKind::Waybill, "45"),
                "{text}"
            );
        }
        for text in ["по акту 45", "акт № 45", "Акт выполненных работ № 45"]
        {
            let r = one(text);
            assert_eq!((r.kind, r.number.as_str()), (RefKind::Act, "45"), "{text}");
        }
        assert!(extract("акт сверки").is_empty());
        assert!(extract("по акту сверки № 5 от 01.01.2024").is_empty());
    }

    #[test]
    fn word_boundaries() {
        for text in [
            "расчет 45",
            "расчеты № 45 за март",
            "Расчетный 45",
            "счетчик 45",
            "показания счетчика № 45",
            "несч 45",
            "актив 45",
        ] {
            let refs = extract(text);
            assert!(
                refs.iter().all(|r| r.strength == Strength::SignOnly),
                "{text} → {refs:?}"
            );
        }
        assert!(extract("расчет 45").is_empty());
        assert!(extract("счетчик 45").is_empty());
        assert!(extract("несч 45").is_empty());
    }

    #[test]
    fn list_stops_at_other_words() {
        let refs = extract("по сч. 45, ТОРГ-12 № 46");
        let got: Vec<_> = refs.iter().map(|r| (r.kind, r.number.as_str())).collect();
        assert_eq!(got, [(RefKind::Invoice, "45"), (RefKind::Waybill, "46")]);
        assert_eq!(numbers("сч 45, ИНН7707083893"), ["45"]);
        assert_eq!(numbers("Invoice No 45"), ["45"]);
        assert_eq!(one("Invoice No 45").strength, Strength::Keyword);
    }

    #[test]
    fn punctuation_and_case() {
        assert_eq!(numbers("ОПЛАТА ПО СЧ.=45="), ["45"]);
        assert_eq!(numbers("Оплата по сч. «45» от 12.03.2024"), ["45"]);
        assert_eq!(numbers("Оплата по сч. \"45\""), ["45"]);
        assert_eq!(numbers("Оплата\tпо\tсч\t45/2"), ["45/2"]);
        assert_eq!(numbers("«Оплата по сч 45"), ["45"]);
    }

    #[test]
    fn real_bank_purposes() {
        let r = one("Оплата по сч.№209 от 11.12.2023г. за товар, в т.ч. НДС 20% 3000.00");
        assert_eq!((r.number.as_str(), r.date), ("209", Some(d(2023, 12, 11))));
        assert_eq!(
            one("Оплата по счету №125 Сумма 15000-00 Без налога (НДС)").number,
            "125"
        );
        assert_eq!(
            one("Возврат излишне перечисленных денежных средств по счету № 57. НДС не облагается")
                .number,
            "57"
        );
        assert!(extract("Перечисление собственных средств").is_empty());
        assert!(
            extract("Зачисление средств по операциям эквайринга. Мерчант №123456. Дата реестра 01.04.2024. Комиссия 1960.00")
                .is_empty()
        );
    }

    #[test]
    fn no_duplicates_and_text_order() {
        assert_eq!(numbers("сч 47, сч 45, сч 47"), ["47", "45"]);
        let refs = extract("сч 45 от 01.03.2024, с/ф 45 от 01.03.2024, сч 45 от 02.03.2024");
        assert_eq!(refs.len(), 3);
        assert_eq!(refs[1].kind, RefKind::TaxInvoice);
    }

    #[test]
    fn tax_invoice_is_not_also_an_invoice() {
        let refs = extract("Оплата по счету-фактуре № 45 от 12.03.2024");
        assert_eq!(refs.len(), 1);
        assert_eq!(refs[0].kind, RefKind::TaxInvoice);
    }

    #[test]
    fn number_core_cases() {
        assert_eq!(number_core("00БП-000045").as_deref(), Some("45"));
        assert_eq!(number_core("0045").as_deref(), Some("45"));
        assert_eq!(number_core("19-685").as_deref(), Some("685"));
        assert_eq!(number_core("УТ-45").as_deref(), Some("45"));
        assert_eq!(number_core("45/2").as_deref(), Some("45/2"));
        assert_eq!(number_core("045/02").as_deref(), Some("45/2"));
        assert_eq!(number_core("АБВ"), None);
        assert_eq!(number_core(""), None);
        assert_eq!(number_core("0").as_deref(), Some("0"));
        assert_eq!(number_core("000").as_deref(), Some("0"));
        assert_eq!(number_core(" 45 ").as_deref(), Some("45"));
        assert_eq!(number_core("45а").as_deref(), Some("45"));
    }

    #[test]
    fn odd_inputs_do_not_panic() {
        let digits = "7".repeat(10_000);
        let mut odd: Vec<String> = vec![
            String::new(),
            "№".into(),
            "№№".into(),
            "сч".into(),
            "сч.".into(),
            "сч №".into(),
            "сч-".into(),
            "с/".into(),
            "сч.-".into(),
            "от".into(),
            "торг-1".into(),
            "\"«".into(),
            "сч \"".into(),
            "n".into(),
            "#".into(),
            "по счетам 1-".into(),
            "сч 45 от".into(),
            "сч 45 от 12.".into(),
            "сч 45 от 12.03".into(),
            "сч 45,".into(),
            "сч 45 и".into(),
            "İİİ сч 45".into(),
            "сч\u{0301} 45".into(),
            "👍сч👍45👍".into(),
            "сч 99999999999999999999-99999999999999999999".into(),
            "по счетам 18446744073709551615-18446744073709551616".into(),
            format!("сч {digits}"),
            format!("по счетам {digits}-{digits}"),
            "№ ".repeat(5_000),
            "сч ".repeat(5_000),
            "я".repeat(10_000) + " №",
        ];
        odd.push(format!("сч. {}", "1, ".repeat(3_000)));
        for text in &odd {
            for r in extract(text).iter() {
                assert!(!r.number.is_empty());
                assert_eq!(Some(r.core()), number_core(&r.number));
            }
        }
        // Under the cut rule a token touching the end of a long text is dropped…
        assert!(extract(&format!("сч {digits}")).is_empty());
        // …but not when something follows it.
        let r = one(&format!("сч {digits} "));
        assert!(r.long_number);
    }

    #[test]
    fn every_prefix_of_tricky_texts_is_safe() {
        let texts = [
            "Предоплата по дог. ГПН-18/39000/03564/Р/64537-2018-174 от 29.12.2018 по сч 19-685 от 14.10.2019 за поставку. В т.ч.НДС(20%) 5.616.666,67=",
            "Оплата по счетам №№ 45-47 от 12.03.2024г., сч.-ф. 5; УПД № 6 и акт сверки № 7",
        ];
        for text in texts {
            let chars: Vec<char> = text.chars().collect();
            for n in 0..=chars.len() {
                let prefix: String = chars[..n].iter().collect();
                let _ = extract(&prefix);
            }
        }
    }

    #[test]
    fn speed_smoke() {
        let text = "Оплата по сч. № 45 от 12.03.24, 46 от 13.03.24, в т.ч. НДС 20% - 1 666,67 руб. Предоплата по дог. ГПН-18/39000 от 29.12.2018 по сч 19-685 от 14.10.2019 за поставку. ИНН 7707083893 КПП 770701001 БИК 044525225";
        let start = std::time::Instant::now();
        for _ in 0..1_000 {
            assert_eq!(extract(text).len(), 3);
        }
        assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    }

    mod prop {
        use super::super::*;
        use proptest::prelude::*;

        const POOL: &[char] = &[
            'с', 'ч', 'е', 'т', 'а', 'у', 'ф', 'о', 'д', 'г', 'р', 'п', 'к', 'и', 'С', 'Ч', 'Ё',
            'c', 'C', 'n', 'N', 'o', '№', '#', '0', '1', '2', '4', '5', '9', '.', ',', ';', '-',
            '–', '/', ' ', '\u{00A0}', '\u{202F}', '\t', '"', '«', '»', '=', '%', '(', ')', '😀',
            'İ', '\u{0301}',
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2_000))]

            #[test]
            fn extract_never_panics_on_pool_text(chars in prop::collection::vec(prop::sample::select(POOL), 0..260)) {
                let text: String = chars.into_iter().collect();
                let refs = extract(&text);
                let mut seen = std::collections::HashSet::new();
                for r in &refs {
                    prop_assert!(!r.number.is_empty());
                    prop_assert_eq!(Some(r.core()), number_core(&r.number));
                    prop_assert!(seen.insert((r.kind, r.number.clone(), r.date)));
                }
            }

            #[test]
            fn extract_never_panics_on_any_string(text in any::<String>()) {
                let _ = extract(&text);
                let _ = number_core(&text);
            }

            #[test]
            fn invoice_number_round_trips(n in 1u32..1_000_000, zeros in 0usize..4) {
                let number = format!("{}{n}", "0".repeat(zeros));
                let r = extract(&format!("Оплата по сч. № {number} от 12.03.2024"));
                prop_assert_eq!(r.len(), 1);
                prop_assert_eq!(&r[0].number, &number);
                prop_assert_eq!(r[0].core(), n.to_string());
            }
        }
    }
}
