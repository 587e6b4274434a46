//! CommerceML: the XML 1C and 1C-Bitrix exchange orders, invoices and payments in.
//!
//! Why a reader of its own: CommerceML is how 1C (УТ, УНФ, КА, БП) and web shops
//! exchange orders, how 1C sends an invoice (`Счет на оплату`) through EDO, and how
//! 1C 7.7 wrote its sales. It comes in three shapes, all read here by local names (no
//! namespace, `commerceml_2`, `commerceml_210` or `commerceml_3`), in Windows-1251 or
//! UTF-8 (BOM and prolog, see [`super::xml::decode`]):
//!
//! * 2.03-2.10: `<Документ>` elements directly under `<КоммерческаяИнформация>`;
//! * 3.1 (the Bitrix module 6.5+): every document of one order (the order, its payments,
//!   its shipment) inside a `<Контейнер>`;
//! * 1.x (1C 7.7 "CommerceInfo"): attributes instead of elements
//!   (`<Документ Номер Дата ХозОперация="Sale" Сумма Валюта СрокПлатежа>`), parties as
//!   `<ПредприятиеВДокументе Контрагент=GUID Роль="Saler|Buyer">` resolved through the
//!   root-level `<Контрагент Идентификатор Наименование …>`.
//!
//! Mapping rules:
//!
//! * `ХозОперация` decides the kind. `Счет на оплату`, `Заказ товара`, `Отпуск товара`
//!   (and 1.x `Sale`) are receivables ([`Invoice`]); `Возврат товара` is a [`Credit`];
//!   `Выплата безналичных денег`, `Выплата наличных денег`, `Эквайринговая операция`
//!   are incoming [`Payment`]s. Anything else (`Счет-фактура`, `Переоценка товаров`,
//!   refunds to customers, …) is counted in [`FileRead::other`] with a note.
//! * The document's `Роль` is our role: `Покупатель`/`Плательщик` makes it a purchase-side
//!   document (counted in `other`, with a note); `Продавец` or no role (Bitrix replies)
//!   means we sell. The counterparty with our role is our company (its valid INN goes to
//!   [`FileRead::company_inns`]); the customer is the one with `Роль` `Покупатель` (else
//!   `Плательщик`, else any other than us). A web customer with no name is named by its
//!   surname and name, or by the Bitrix id `user#login#name`.
//! * Number: `Номер1С` (or the requisite `Номер по 1С`), trimmed, else `Номер`; the
//!   site's `Номер` then becomes an alias, with the `Ид`. Date: `Дата1С` (or `Дата по 1С`)
//!   with the 1C number, else `Дата`. The literal `T`/`Т` and `0001-01-01` are 1C's empty
//!   date. `СрокПлатежа` is the due date, `Валюта` the currency, `Сумма` the document
//!   total. The requisites (`ЗначенияРеквизитов`) give the manager (`Ответственный`,
//!   `Менеджер`), the contract (`Договор`), and the 1C shipment an order became
//!   (`Номер/Дата отгрузки по 1С`, an alias: the same debt under the number of the sale).
//! * `Основание` (the `Ид` of another document): a shipment replaces the order it names
//!   (`replaces`); a return and a payment link to it (`links`), with the order's number
//!   and date when the order is in the file. A shipment, return or payment without a
//!   counterparty of its own takes the customer of the document it names.
//! * Payment facts stated on an order become a payment linked to it, for the order's
//!   amount unless they say one: `Оплаты/Оплата` (2.09+, with `СуммаОплаты`), else the
//!   1C reply `Номер/Дата оплаты по 1С`, else the site's `Заказ оплачен` = true with
//!   `Дата оплаты` and `Номер платежного документа`. One source per order, so the same
//!   money is never counted twice; without a payment date there is no payment, only a
//!   warning.
//! * `ПометкаУдаления` = true, `Отменен` = true and `Проведен` = false are kept in
//!   `documents` with their [`Status`] and a note: the ledger leaves them out of the
//!   register (and a newer export can delete what an older one had).
//! * An order with neither `Сумма` nor counterparties is a status reply from 1C to the
//!   site (`Номер по 1С`, `Проведен`): counted in `other` with a note.
//! * A document without a number, a date or a readable positive amount, or a receivable
//!   without a customer, is skipped with a warning naming its line and the value.

use super::xml::{self, Element};
use super::{FileError, FileRead, Format};
use crate::dates::parse_date;
use crate::inn::{clean_inn, clean_kpp, is_valid_inn};
use crate::model::{
    Credit, Direction, DocLink, Document, FileId, Invoice, Party, Payment, Provenance, Status,
    Warning, normalize_currency,
};
use crate::money::parse_amount;
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The root element of every CommerceML file.
pub const ROOT: &str = "КоммерческаяИнформация";

/// What a document is, from its `ХозОперация`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `Счет на оплату`.
    Invoice,
    /// `Заказ товара`.
    Order,
    /// `Отпуск товара`, 1.x `Sale`.
    Shipment,
    /// `Возврат товара`.
    Return,
    /// `Выплата (без)наличных денег`, `Эквайринговая операция`.
    Payment,
    /// `Возврат (без)наличных денег`: money paid back to a customer.
    Refund,
}

impl Kind {
    fn of(operation: &str) -> Option<Kind> {
        match normalize(operation).as_str() {
            "счет на оплату" => Some(Kind::Invoice),
            "заказ товара" => Some(Kind::Order),
            "отпуск товара" | "sale" => Some(Kind::Shipment),
            "возврат товара" => Some(Kind::Return),
            "выплата безналичных денег" | "выплата наличных денег" | "эквайринговая операция" => {
                Some(Kind::Payment)
            }
            "возврат безналичных денег" | "возврат наличных денег" => {
                Some(Kind::Refund)
            }
            _ => None,
        }
    }

    /// How messages name a document of this kind.
    fn what(self) -> &'static str {
        match self {
            Kind::Invoice => "invoice",
            Kind::Order => "order",
            Kind::Shipment => "shipment",
            Kind::Return => "return",
            Kind::Payment => "payment",
            Kind::Refund => "refund",
        }
    }

    /// The Russian genitive, for payments stated on a document ("оплата заказа 45").
    fn genitive(self) -> &'static str {
        match self {
            Kind::Invoice => "счета",
            Kind::Shipment => "отгрузки",
            _ => "заказа",
        }
    }

    fn is_receivable(self) -> bool {
        matches!(self, Kind::Invoice | Kind::Order | Kind::Shipment)
    }
}

/// A party's role as CommerceML writes it (`Роль`, 1.x `Saler`/`Buyer`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Seller,
    Buyer,
    Payer,
    Other,
}

impl Role {
    fn of(text: &str) -> Role {
        match normalize(text).as_str() {
            "продавец" | "saler" | "seller" => Role::Seller,
            "покупатель" | "buyer" => Role::Buyer,
            "плательщик" | "payer" => Role::Payer,
            _ => Role::Other,
        }
    }
}

/// Lower case, `ё` as `е`, single spaces: how names and values are compared.
fn normalize(text: &str) -> String {
    crate::text::fold_ru(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// 1C's empty date: nothing, the literal `T` (Latin or Cyrillic), or `0001-01-01`.
fn is_empty_date(text: &str) -> bool {
    let t = text.trim();
    t.is_empty()
        || t == "T"
        || t == "Т"
        || t.starts_with("0001-01-01")
        || t.starts_with("01.01.0001")
}

/// A date field: `Ok(None)` when empty (including 1C's empty date), `Err` when unreadable.
fn date_value(text: &str) -> Result<Option<NaiveDate>, ()> {
    if is_empty_date(text) {
        Ok(None)
    } else {
        parse_date(text).map(Some).ok_or(())
    }
}

/// `ДатаФормирования`: a date and time (`2025-06-30T10:13:28`), or a date only.
fn date_time(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        if is_empty_date(t) {
            None
        } else {
            parse_date(t).and_then(|d| d.and_hms_opt(0, 0, 0))
        }
    })
}

/// `true`/`false` as 1C and Bitrix write them.
fn boolean(text: &str) -> Option<bool> {
    match normalize(text).as_str() {
        "true" | "истина" | "да" | "1" => Some(true),
        "false" | "ложь" | "нет" | "0" => Some(false),
        _ => None,
    }
}

/// A field of a document or a party: the child element's trimmed text, else the
/// attribute of that name (the 1.x form), with the line it is on.
fn field<'a>(e: &'a Element, name: &str) -> Option<(&'a str, u32)> {
    e.child(name)
        .and_then(|c| c.value().map(|v| (v, c.line)))
        .or_else(|| {
            e.attr(name)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(|v| (v, e.line))
        })
}

fn text<'a>(e: &'a Element, name: &str) -> Option<&'a str> {
    field(e, name).map(|(v, _)| v)
}

/// One `ЗначениеРеквизита` of a document.
struct Requisite {
    /// The normalised name.
    name: String,
    value: crate::model::Text,
    line: u32,
}

fn requisites(doc: &Element) -> Vec<Requisite> {
    doc.children_named("ЗначенияРеквизитов")
        .flat_map(|list| list.children_named("ЗначениеРеквизита"))
        .filter_map(|r| {
            let name = r.text_at(&["Наименование"])?;
            Some(Requisite {
                name: normalize(name),
                value: r.child("Значение").map_or("", |v| v.text.trim()).into(),
                line: r.line,
            })
        })
        .collect()
}

/// The first requisite with one of these names (given normalised).
fn requisite<'r>(reqs: &'r [Requisite], names: &[&str]) -> Option<&'r Requisite> {
    reqs.iter().find(|r| names.contains(&r.name.as_str()))
}

/// A requisite's non-empty value.
fn requisite_value<'r>(reqs: &'r [Requisite], names: &[&str]) -> Option<&'r str> {
    requisite(reqs, names)
        .map(|r| r.value.as_str())
        .filter(|v| !v.is_empty())
}

/// A party as CommerceML describes it (a `Контрагент` element, or a 1.x one by attributes).
fn party(k: &Element) -> Party {
    let person = || {
        let parts: Vec<&str> = ["Фамилия", "Имя", "Отчество"]
            .iter()
            .filter_map(|n| text(k, n))
            .collect();
        Some(parts.join(" ")).filter(|s| !s.is_empty())
    };
    let id = text(k, "Ид").or_else(|| text(k, "Идентификатор"));
    let name = [
        "ОфициальноеНаименование",
        "ПолноеНаименование",
        "Наименование",
        "ОтображаемоеНаименование",
    ]
    .iter()
    .find_map(|n| text(k, n))
    .map(str::to_string)
    .or_else(person)
    .or_else(|| id.and_then(bitrix_user_name))
    .or_else(|| id.map(str::to_string))
    .unwrap_or_default();
    let account = k
        .path(&["РасчетныеСчета", "РасчетныйСчет"])
        .or_else(|| k.child("РасчетныйСчет"));
    Party {
        name,
        inn: text(k, "ИНН").and_then(clean_inn),
        kpp: text(k, "КПП").and_then(clean_kpp),
        account: account.and_then(|a| a.text_at(&["НомерСчета"]).map(str::to_string)),
        settlement_account: None,
        bic: account.and_then(|a| a.text_at(&["Банк", "БИК"]).map(str::to_string)),
    }
}

/// The person's name in a Bitrix customer id `970#login#Еремеева Юлия`, else the login.
fn bitrix_user_name(id: &str) -> Option<String> {
    let mut parts = id.split('#');
    let user = parts.next()?.trim();
    if user.is_empty() || !user.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let login = parts.next()?.trim();
    let name = parts.next().map_or("", str::trim);
    [name, login]
        .into_iter()
        .find(|s| !s.is_empty())
        .map(str::to_string)
}

/// A counterparty of a document with its role.
struct Counterparty {
    role: Role,
    party: Party,
}

/// A document read and checked, before links between documents are resolved.
struct Doc {
    /// The line the document starts on.
    line: u32,
    /// The payments the document states (`Оплаты/Оплата`).
    payments: Vec<Element>,
    kind: Kind,
    number: String,
    date: NaiveDate,
    /// The site's number beside 1C's.
    site_number: Option<String>,
    id: Option<String>,
    amount: Decimal,
    currency: crate::model::Currency,
    due: Option<NaiveDate>,
    customer: Option<Party>,
    /// Our company, as the document names it.
    company: Option<Party>,
    /// `Основание` values with their lines.
    bases: Vec<String>,
    status: Status,
    /// Why the status is not active, for the note.
    status_reason: &'static str,
    manager: Option<String>,
    contract: Option<String>,
    comment: Option<String>,
    reqs: Vec<Requisite>,
}

impl Doc {
    fn line(&self) -> u32 {
        self.line
    }
    fn label(&self) -> String {
        format!(
            "{} {} of {}",
            self.kind.what(),
            self.number,
            self.date.format("%d.%m.%Y")
        )
    }
}

/// Reads a CommerceML file. Fails only when the XML cannot be read or is not CommerceML.
///
/// Each `Документ` is read as soon as the parser has it and then dropped: the tree of a
/// whole export is several times the file, one document's is small. A document of the
/// 1.x form that names its counterparty by id waits for the end of the file, where the
/// counterparties are described; so does every document after it (the order of the
/// documents and of the warnings is the file's either way).
pub fn read(bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    let (encoding, text) = xml::decode(bytes)?;
    let mut stream = Stream {
        r: Reader {
            file,
            out: FileRead::new(Format::CommerceMl, Some(encoding)),
            legacy_parties: HashMap::new(),
        },
        started: false,
        documents: 0,
        any_legacy: false,
        docs: Vec::new(),
        waiting: Vec::new(),
    };
    let root = xml::parse_units(&text, &mut stream)?;
    if root.name != ROOT {
        return Err(FileError {
            line: Some(root.line),
            message: format!(
                "the root element is <{}>, not <{ROOT}>: not a CommerceML file",
                root.name
            ),
        });
    }
    let Stream {
        mut r,
        started,
        documents,
        any_legacy,
        mut docs,
        waiting,
    } = stream;
    if !started {
        r.head(&root);
    }
    r.out.version = root
        .attr("ВерсияСхемы")
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .or_else(|| any_legacy.then(|| "1.x".to_string()));
    if documents == 0 {
        let what = if root.child("Каталог").is_some() || root.child("Классификатор").is_some()
        {
            "a catalog without documents"
        } else {
            "no documents"
        };
        r.note(root.line, format!("{what}: nothing to read"));
    }
    r.legacy_parties = root
        .children_named("Контрагент")
        .filter_map(|k| {
            k.attr("Идентификатор")
                .map(|id| (id.trim().to_string(), party(k)))
        })
        .collect();
    for el in &waiting {
        if let Some(d) = r.document(el) {
            docs.push(d);
        }
    }
    r.build(&docs);
    Ok(r.out)
}

/// The documents of a file as the parser hands them over (see [`read`]).
struct Stream {
    r: Reader,
    /// The root's own facts were read (at the first document).
    started: bool,
    /// Documents met.
    documents: usize,
    /// A document of the 1.x form was met.
    any_legacy: bool,
    docs: Vec<Doc>,
    /// Documents that wait for the counterparties at the end of the file, in file order.
    waiting: Vec<Element>,
}

impl xml::Units for Stream {
    /// A `Документ` of the root or of a root's `Контейнер`, in a CommerceML file.
    fn is_unit(&self, ancestors: &[Element], element: &Element) -> bool {
        element.name == "Документ"
            && ancestors.first().is_some_and(|root| root.name == ROOT)
            && match ancestors {
                [_] => true,
                [_, container] => container.name == "Контейнер",
                _ => false,
            }
    }

    fn take(&mut self, root: &Element, unit: Element) {
        if !self.started {
            self.started = true;
            self.r.head(root);
        }
        self.documents += 1;
        self.any_legacy |= is_legacy(&unit);
        let by_id = unit
            .children
            .iter()
            .any(|c| c.name == "ПредприятиеВДокументе");
        if by_id || !self.waiting.is_empty() {
            self.waiting.push(unit);
        } else if let Some(d) = self.r.document(&unit) {
            self.docs.push(d);
        }
    }
}

/// The 1.x form: the document's fields are attributes.
fn is_legacy(doc: &Element) -> bool {
    doc.attr("ХозОперация").is_some() || doc.child("ПредприятиеВДокументе").is_some()
}

struct Reader {
    file: FileId,
    out: FileRead,
    /// Root-level 1.x `Контрагент` elements by `Идентификатор`.
    legacy_parties: HashMap<String, Party>,
}

impl Reader {
    /// The root's own facts: when the file was exported.
    fn head(&mut self, root: &Element) {
        if let Some(when) = root.attr("ДатаФормирования") {
            self.out.exported = date_time(when);
            if self.out.exported.is_none() && !is_empty_date(when) {
                self.warn(
                    root.line,
                    format!("ДатаФормирования {when:?} is not a date: ignored"),
                );
            }
        }
    }

    fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.out
            .warnings
            .push(Warning::at(self.file, line, message));
    }

    fn note(&mut self, line: u32, message: impl Into<String>) {
        self.out.notes.push(Warning::at(self.file, line, message));
    }

    fn other(&mut self, line: u32, message: impl Into<String>) -> Option<Doc> {
        self.out.other += 1;
        self.note(line, message);
        None
    }

    fn skip(&mut self, line: u32, message: impl Into<String>) -> Option<Doc> {
        self.out.skipped += 1;
        self.warn(line, message);
        None
    }

    fn add_company_inn(&mut self, p: &Party) {
        let inn = p.inn.as_deref().filter(|i| is_valid_inn(i));
        if let Some(inn) = inn.filter(|i| !self.out.company_inns.iter().any(|x| x == i)) {
            self.out.company_inns.push(inn.to_string());
        }
    }

    /// The counterparties of a document: `Контрагенты/Контрагент`, a bare `Контрагент`,
    /// or the 1.x `ПредприятиеВДокументе` resolved by id.
    fn counterparties(&mut self, doc: &Element) -> Vec<Counterparty> {
        let mut out = Vec::new();
        for c in &doc.children {
            match c.name.as_str() {
                "Контрагенты" => {
                    out.extend(c.children_named("Контрагент").map(|k| Counterparty {
                        role: Role::of(text(k, "Роль").unwrap_or("")),
                        party: party(k),
                    }))
                }
                "Контрагент" => out.push(Counterparty {
                    role: Role::of(text(c, "Роль").unwrap_or("")),
                    party: party(c),
                }),
                "ПредприятиеВДокументе" => {
                    let role = Role::of(c.attr("Роль").unwrap_or(""));
                    let id = c.attr("Контрагент").map_or("", str::trim);
                    let party = match self.legacy_parties.get(id) {
                        Some(k) => k.clone(),
                        None => {
                            self.warn(
                                c.line,
                                format!("counterparty {id:?} is not described in the file: named by its id"),
                            );
                            Party {
                                name: id.to_string(),
                                ..Party::default()
                            }
                        }
                    };
                    out.push(Counterparty { role, party });
                }
                _ => {}
            }
        }
        out
    }

    /// Reads one `Документ`: `None` when it is counted as other or skipped (with a note
    /// or a warning).
    fn document(&mut self, el: &Element) -> Option<Doc> {
        let line = el.line;
        let Some((operation, _)) = field(el, "ХозОперация") else {
            return self.other(line, "document without ХозОперация: counted, not read");
        };
        let number_text = text(el, "Номер1С").or_else(|| text(el, "Номер"));
        let shown = number_text.unwrap_or("without a number");
        let Some(kind) = Kind::of(operation) else {
            return self.other(
                line,
                format!("document {shown} is a «{operation}», not an invoice, order, shipment, return or payment: counted, not read"),
            );
        };
        let parties = self.counterparties(el);
        let our_role = text(el, "Роль").map_or(Role::Seller, Role::of);
        let purchase = matches!(our_role, Role::Buyer | Role::Payer);
        // Our company is the counterparty with our role.
        let company = parties
            .iter()
            .find(|c| {
                if purchase {
                    c.role == our_role
                } else {
                    c.role == Role::Seller
                }
            })
            .map(|c| c.party.clone());
        if let Some(c) = &company {
            self.add_company_inn(c);
        }
        if purchase {
            let what = match kind {
                Kind::Payment => "outgoing payment".to_string(),
                k => format!("purchase {}", k.what()),
            };
            return self.other(
                line,
                format!("{what} {shown}: our role is the buyer, not a receivable"),
            );
        }
        if kind == Kind::Refund {
            return self.other(
                line,
                format!("refund {shown} («{operation}»): money paid back is read from bank statements; counted, not read"),
            );
        }
        let customer = parties
            .iter()
            .find(|c| c.role == Role::Buyer)
            .or_else(|| parties.iter().find(|c| c.role == Role::Payer))
            .or_else(|| parties.iter().find(|c| c.role != Role::Seller))
            .map(|c| c.party.clone());
        let reqs = requisites(el);
        let (status, status_reason) = status(el, &reqs);

        // Numbers: 1C's own, else the site's.
        let site = text(el, "Номер").map(str::to_string);
        let one_c = text(el, "Номер1С")
            .or_else(|| requisite_value(&reqs, &["номер по 1с"]))
            .map(str::to_string);
        if kind == Kind::Order && field(el, "Сумма").is_none() && parties.is_empty() {
            let mut message = format!(
                "order {} is a status reply without Сумма or counterparties: counted, nothing to add to the register",
                site.as_deref().unwrap_or("without a number")
            );
            if let Some(n) = one_c.as_deref().filter(|n| Some(*n) != site.as_deref()) {
                message.push_str(&format!(" (1C number {n})"));
            }
            if status != Status::Active {
                message.push_str(&format!("; it is {}", status.describe()));
            }
            return self.other(line, message);
        }
        let Some(number) = one_c.clone().or_else(|| site.clone()) else {
            return self.skip(line, format!("{} skipped: it has no Номер", kind.what()));
        };
        let what = format!("{} {number}", kind.what());
        // The date that goes with the number used.
        let date_1c = if one_c.is_some() {
            field(el, "Дата1С").or_else(|| {
                requisite(&reqs, &["дата по 1с"])
                    .filter(|r| !r.value.is_empty())
                    .map(|r| (r.value.as_str(), r.line))
            })
        } else {
            None
        };
        let date_1c = match date_1c.map(|(v, l)| (v, l, date_value(v))) {
            Some((_, _, Ok(Some(d)))) => Some(d),
            Some((v, l, Err(()))) => {
                self.warn(
                    l,
                    format!("{what}: 1C date {v:?} is not a date; Дата is used"),
                );
                None
            }
            _ => None,
        };
        let date = match date_1c {
            Some(d) => d,
            None => match field(el, "Дата") {
                None => return self.skip(line, format!("{what} skipped: it has no Дата")),
                Some((v, l)) => match date_value(v) {
                    Ok(Some(d)) => d,
                    Ok(None) => {
                        return self.skip(l, format!("{what} skipped: its Дата {v:?} is empty"));
                    }
                    Err(()) => {
                        return self.skip(l, format!("{what} skipped: Дата {v:?} is not a date"));
                    }
                },
            },
        };
        let amount = match field(el, "Сумма") {
            None => return self.skip(line, format!("{what} skipped: it has no Сумма")),
            Some((v, l)) => match parse_amount(v) {
                Err(e) => return self.skip(l, format!("{what} skipped: Сумма {v:?}: {e}")),
                Ok(a) if a.is_sign_negative() || a.is_zero() => {
                    return self.skip(
                        l,
                        format!("{what} skipped: Сумма {v:?} is not a positive amount"),
                    );
                }
                Ok(a) => a,
            },
        };
        let due = match field(el, "СрокПлатежа") {
            None => None,
            Some((v, l)) => date_value(v).unwrap_or_else(|()| {
                self.warn(
                    l,
                    format!("{what}: СрокПлатежа {v:?} is not a date; no due date"),
                );
                None
            }),
        };
        // The children's names normalised once, when a requisite does not say.
        let child_names = std::cell::OnceCell::new();
        let named = |names: &[&str]| {
            requisite_value(&reqs, names)
                .map(str::to_string)
                .or_else(|| {
                    let normalized: &Vec<String> = child_names
                        .get_or_init(|| el.children.iter().map(|c| normalize(&c.name)).collect());
                    names
                        .iter()
                        .find_map(|n| normalized.iter().position(|c| c == n))
                        .and_then(|k| el.children[k].value())
                        .map(str::to_string)
                })
        };
        let manager = named(&["ответственный", "менеджер"]);
        let contract = named(&["договор", "договор контрагента", "договорконтрагента"]);
        let site_number = site.filter(|s| *s != number);
        Some(Doc {
            line,
            payments: el
                .children_named("Оплаты")
                .flat_map(|o| o.children_named("Оплата"))
                .cloned()
                .collect(),
            kind,
            date,
            site_number,
            id: text(el, "Ид")
                .or_else(|| text(el, "Идентификатор"))
                .map(str::to_string),
            amount,
            currency: normalize_currency(text(el, "Валюта").unwrap_or("")),
            due,
            customer,
            company,
            bases: el
                .children_named("Основание")
                .filter_map(Element::value)
                .map(str::to_string)
                .chain(
                    el.attr("Основание")
                        .map(str::trim)
                        .filter(|v| !v.is_empty())
                        .map(str::to_string),
                )
                .collect(),
            status,
            status_reason,
            manager,
            contract,
            comment: text(el, "Комментарий").map(str::to_string),
            reqs,
            number,
        })
    }

    /// Turns the checked documents into normalized ones, resolving `Основание` between them.
    fn build(&mut self, docs: &[Doc]) {
        let mut by_id: HashMap<&str, usize> = HashMap::new();
        let mut by_number: HashMap<&str, usize> = HashMap::new();
        for (i, d) in docs.iter().enumerate() {
            if let Some(id) = &d.id {
                by_id.entry(id.as_str()).or_insert(i);
            }
            by_number.entry(d.number.as_str()).or_insert(i);
            if let Some(s) = &d.site_number {
                by_number.entry(s.as_str()).or_insert(i);
            }
        }
        let find = |value: &str| {
            by_id
                .get(value)
                .or_else(|| by_number.get(value))
                .map(|&i| &docs[i])
        };
        for d in docs {
            // The documents named in `Основание`, found in the file or not.
            let bases: Vec<(DocLink, Option<&Doc>)> = d
                .bases
                .iter()
                .map(|b| {
                    let found = find(b);
                    let link = match found {
                        Some(o) => DocLink {
                            number: Some(o.number.clone().into()),
                            date: Some(o.date),
                            id: (o.id.clone().or_else(|| Some(b.clone()))).map(Into::into),
                            amount: None,
                        },
                        None => DocLink {
                            id: Some(b.clone().into()),
                            ..DocLink::default()
                        },
                    };
                    (link, found)
                })
                .collect();
            let from_base = |f: for<'d> fn(&'d Doc) -> Option<&'d Party>| {
                bases
                    .iter()
                    .find_map(|(_, o)| o.and_then(|o| f(o)))
                    .cloned()
            };
            let customer = d
                .customer
                .clone()
                .or_else(|| from_base(|o| o.customer.as_ref()));
            let prov = Provenance {
                file: self.file,
                line: d.line(),
            };
            let customer_ok = customer
                .as_ref()
                .filter(|c| c.inn.is_some() || !c.name.trim().is_empty());
            if d.kind != Kind::Payment && customer_ok.is_none() {
                self.out.skipped += 1;
                self.warn(
                    d.line(),
                    format!("{} skipped: it names no customer (Контрагенты)", d.label()),
                );
                continue;
            }
            let customer = customer.unwrap_or_default();
            if d.status != Status::Active {
                self.note(
                    d.line(),
                    format!(
                        "{} is {} ({}): read, left out of the register",
                        d.label(),
                        d.status.describe(),
                        d.status_reason
                    ),
                );
            }
            // A return or a payment settles the documents it is based on, for its amount.
            let paid_bases = || -> thin_vec::ThinVec<DocLink> {
                bases
                    .iter()
                    .map(|(l, _)| DocLink {
                        amount: Some(d.amount),
                        ..l.clone()
                    })
                    .collect()
            };
            match d.kind {
                Kind::Invoice | Kind::Order | Kind::Shipment => {
                    let mut aliases = Vec::new();
                    if let Some(s) = &d.site_number {
                        aliases.push(DocLink {
                            number: Some(s.clone().into()),
                            id: d.id.clone().map(Into::into),
                            ..DocLink::default()
                        });
                    }
                    if let Some(n) = requisite_value(&d.reqs, &["номер отгрузки по 1с"])
                    {
                        let date = requisite_value(&d.reqs, &["дата отгрузки по 1с"])
                            .and_then(|v| date_value(v).ok().flatten());
                        if n != d.number {
                            aliases.push(DocLink {
                                number: Some(n.into()),
                                date,
                                ..DocLink::default()
                            });
                        }
                    }
                    let replaces = if d.kind == Kind::Shipment {
                        bases.iter().map(|(l, _)| l.clone()).collect()
                    } else {
                        Vec::new()
                    };
                    self.out.documents.push(Document::Invoice(Invoice {
                        number: d.number.clone().into(),
                        date: d.date,
                        due: d.due,
                        customer: (customer.clone()).into(),
                        contract: d.contract.clone().map(Into::into),
                        amount: d.amount,
                        currency: d.currency.clone(),
                        manager: d.manager.clone().map(Into::into),
                        more: crate::model::InvoiceMore {
                            id: d.id.clone().map(Into::into),
                            aliases: aliases.into(),
                            replaces: replaces.into(),
                            installments: thin_vec::ThinVec::new(),
                        }
                        .boxed(),
                        status: d.status,
                        prov,
                    }));
                    self.stated_payments(d, &customer);
                }
                Kind::Return => {
                    self.out.documents.push(Document::Credit(Credit {
                        number: d.number.clone().into(),
                        date: d.date,
                        customer: customer.into(),
                        links: paid_bases(),
                        contract: d.contract.clone().map(Into::into),
                        amount: d.amount,
                        currency: d.currency.clone(),
                        id: d.id.clone().map(Into::into),
                        status: d.status,
                        prov,
                    }));
                }
                Kind::Payment => {
                    let payee = d
                        .company
                        .clone()
                        .or_else(|| from_base(|o| o.company.as_ref()))
                        .unwrap_or_default();
                    self.out.documents.push(Document::Payment(Payment {
                        number: d.number.clone().into(),
                        date: d.date,
                        credited: Some(d.date),
                        debited: None,
                        amount: d.amount,
                        currency: d.currency.clone(),
                        payer: customer.into(),
                        payee: payee.into(),
                        purpose: d.comment.clone().unwrap_or_default().into(),
                        direction: Some(Direction::Incoming),
                        more: crate::model::PaymentMore {
                            links: paid_bases(),
                            id: d.id.clone().map(Into::into),
                        }
                        .boxed(),
                        status: d.status,
                        prov,
                    }));
                }
                Kind::Refund => {}
            }
        }
    }

    /// Payments a receivable states about itself: `Оплаты/Оплата`, else the 1C reply
    /// `Номер/Дата оплаты по 1С`, else the site's `Заказ оплачен` with `Дата оплаты`.
    fn stated_payments(&mut self, d: &Doc, customer: &Party) {
        debug_assert!(d.kind.is_receivable());
        let order_link = DocLink {
            number: Some(d.number.clone().into()),
            date: Some(d.date),
            id: d.id.clone().map(Into::into),
            amount: None,
        };
        // (number, date, amount, line)
        let mut found: Vec<(Option<String>, NaiveDate, Decimal, u32)> = Vec::new();
        for p in &d.payments {
            let number = text(p, "НомерДокумента")
                .or_else(|| text(p, "НомерТранзакции"))
                .map(str::to_string);
            let date_text = text(p, "ДатаОплаты").unwrap_or("");
            let date = match date_value(date_text) {
                Ok(Some(date)) => date,
                Ok(None) => {
                    self.warn(
                        p.line,
                        format!(
                            "{}: a payment (Оплата) has no ДатаОплаты: not read",
                            d.label()
                        ),
                    );
                    continue;
                }
                Err(()) => {
                    self.warn(
                        p.line,
                        format!(
                            "{}: ДатаОплаты {date_text:?} is not a date: the payment is not read",
                            d.label()
                        ),
                    );
                    continue;
                }
            };
            let amount_text = text(p, "СуммаОплаты").unwrap_or("");
            let amount = match parse_amount(amount_text) {
                Ok(a) if a > Decimal::ZERO => a,
                Ok(_) => {
                    self.warn(
                        p.line,
                        format!("{}: СуммаОплаты {amount_text:?} is not a positive amount: the payment is not read", d.label()),
                    );
                    continue;
                }
                Err(e) => {
                    self.warn(
                        p.line,
                        format!(
                            "{}: СуммаОплаты {amount_text:?}: {e}; the payment is not read",
                            d.label()
                        ),
                    );
                    continue;
                }
            };
            found.push((number, date, amount, p.line));
        }
        if found.is_empty() {
            found.extend(self.requisite_payment(
                d,
                "номер оплаты по 1с",
                "дата оплаты по 1с",
                None,
            ));
        }
        let paid = requisite(&d.reqs, &["заказ оплачен"])
            .filter(|r| boolean(&r.value) == Some(true))
            .map(|r| r.line);
        if let (true, Some(paid)) = (found.is_empty(), paid) {
            found.extend(self.requisite_payment(
                d,
                "номер платежного документа",
                "дата оплаты",
                Some(paid),
            ));
        }
        for (number, date, amount, line) in found {
            let number =
                number.unwrap_or_else(|| format!("оплата {} {}", d.kind.genitive(), d.number));
            // A fact the order states, not a document of the file: kept, not counted as read.
            self.out.derived += 1;
            self.out.documents.push(Document::Payment(Payment {
                purpose: format!(
                    "Оплата {} {} от {}",
                    d.kind.genitive(),
                    d.number,
                    d.date.format("%d.%m.%Y")
                )
                .into(),
                number: number.into(),
                date,
                credited: Some(date),
                debited: None,
                amount,
                currency: d.currency.clone(),
                payer: (customer.clone()).into(),
                payee: (d.company.clone().unwrap_or_default()).into(),
                direction: Some(Direction::Incoming),
                more: crate::model::PaymentMore {
                    links: thin_vec::thin_vec![DocLink {
                        amount: Some(amount),
                        ..order_link.clone()
                    }],
                    id: None,
                }
                .boxed(),
                status: d.status,
                prov: Provenance {
                    file: self.file,
                    line,
                },
            }));
        }
    }

    /// A payment stated by a pair of requisites (number and date) for the whole amount.
    /// `marked` is the line of `Заказ оплачен` = true, when that is what says it is paid.
    fn requisite_payment(
        &mut self,
        d: &Doc,
        number_name: &str,
        date_name: &str,
        marked: Option<u32>,
    ) -> Option<(Option<String>, NaiveDate, Decimal, u32)> {
        let number = requisite_value(&d.reqs, &[number_name]).map(str::to_string);
        let date_req = requisite(&d.reqs, &[date_name]);
        let date_text = date_req.map_or("", |r| r.value.as_str());
        let line = date_req
            .map(|r| r.line)
            .or(marked)
            .or_else(|| requisite(&d.reqs, &[number_name]).map(|r| r.line))?;
        if number.is_none() && marked.is_none() && is_empty_date(date_text) {
            // Nothing paid: 1C sends the pair empty.
            return None;
        }
        match date_value(date_text) {
            Ok(Some(date)) => Some((number, date, d.amount, line)),
            Ok(None) => {
                self.warn(
                    line,
                    format!(
                        "{} {} is marked paid but its payment date is empty: no payment is read",
                        d.kind.what(),
                        d.number
                    ),
                );
                None
            }
            Err(()) => {
                self.warn(
                    line,
                    format!(
                        "{} {}: payment date {date_text:?} is not a date: no payment is read",
                        d.kind.what(),
                        d.number
                    ),
                );
                None
            }
        }
    }
}

/// The status from `ПометкаУдаления` (element or requisite), `Отменен` and `Проведен`.
fn status(doc: &Element, reqs: &[Requisite]) -> (Status, &'static str) {
    let flag = |name: &str, req: &str| {
        text(doc, name)
            .and_then(boolean)
            .or_else(|| requisite(reqs, &[req]).and_then(|r| boolean(&r.value)))
    };
    if flag("ПометкаУдаления", "пометкаудаления") == Some(true) {
        (Status::Deleted, "ПометкаУдаления = true")
    } else if flag("Отменен", "отменен") == Some(true) {
        (Status::Cancelled, "Отменен = true")
    } else if flag("Проведен", "проведен") == Some(false) {
        (Status::Unposted, "Проведен = false")
    } else {
        (Status::Active, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::encoding::{BOM, TextEncoding};
    use rust_decimal_macros::dec;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn read_str(text: &str) -> FileRead {
        read(text.as_bytes(), 3).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn invoices(r: &FileRead) -> Vec<&Invoice> {
        r.documents
            .iter()
            .filter_map(|d| match d {
                Document::Invoice(i) => Some(i),
                _ => None,
            })
            .collect()
    }

    fn payments(r: &FileRead) -> Vec<&Payment> {
        r.documents
            .iter()
            .filter_map(|d| match d {
                Document::Payment(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    fn credits(r: &FileRead) -> Vec<&Credit> {
        r.documents
            .iter()
            .filter_map(|d| match d {
                Document::Credit(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    /// Wraps documents in a 2.x root without a namespace.
    fn cml(body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.05\" ДатаФормирования=\"2021-02-12\">\n{body}</КоммерческаяИнформация>\n"
        )
    }

    const BUYER: &str = "<Контрагенты><Контрагент><Наименование>ООО Ромашка</Наименование><ИНН>7707083893</ИНН><Роль>Покупатель</Роль></Контрагент></Контрагенты>";

    #[test]
    fn edo_invoice_2_08_in_windows_1251_with_a_namespace() {
        let text = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>
<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_2\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" ВерсияСхемы=\"2.08\" ДатаФормирования=\"2025-06-30T10:13:28\">
\t<Документ>
\t\t<Ид>ce943e88-531b-11f0-912d-3c58c2c0cbf9</Ид>
\t\t<Номер>239</Номер>
\t\t<Дата>2025-06-27</Дата>
\t\t<ХозОперация>Счет на оплату</ХозОперация>
\t\t<Роль>Продавец</Роль>
\t\t<Валюта>643</Валюта>
\t\t<Сумма>29535</Сумма>
\t\t<Контрагенты>
\t\t\t<Контрагент>
\t\t\t\t<ОфициальноеНаименование>ООО \"Профили\"</ОфициальноеНаименование>
\t\t\t\t<ИНН>7707083893</ИНН>
\t\t\t\t<КПП>773601001</КПП>
\t\t\t\t<Роль>Продавец</Роль>
\t\t\t</Контрагент>
\t\t\t<Контрагент>
\t\t\t\t<ОфициальноеНаименование>ООО \"Артэ\"</ОфициальноеНаименование>
\t\t\t\t<ИНН>7736207543</ИНН>
\t\t\t\t<КПП>781401001</КПП>
\t\t\t\t<РасчетныеСчета><РасчетныйСчет><НомерСчета>40702810902500109346</НомерСчета><Банк><БИК>044525999</БИК></Банк></РасчетныйСчет></РасчетныеСчета>
\t\t\t\t<Роль>Покупатель</Роль>
\t\t\t</Контрагент>
\t\t</Контрагенты>
\t\t<СрокПлатежа>2025-07-11</СрокПлатежа>
\t\t<ЗначенияРеквизитов>
\t\t\t<ЗначениеРеквизита><Наименование>Договор</Наименование><Значение>Д-17</Значение></ЗначениеРеквизита>
\t\t\t<ЗначениеРеквизита><Наименование>Ответственный</Наименование><Значение>Иванова А.</Значение></ЗначениеРеквизита>
\t\t</ЗначенияРеквизитов>
\t</Документ>
</КоммерческаяИнформация>
";
        let bytes = encoding_rs::WINDOWS_1251.encode(text).0;
        let r = read(&bytes, 7).unwrap();
        assert_eq!(r.format, Format::CommerceMl);
        assert_eq!(r.encoding, Some(TextEncoding::Windows1251));
        assert_eq!(r.version.as_deref(), Some("2.08"));
        assert_eq!(
            r.exported,
            day(2025, 6, 30).and_hms_opt(10, 13, 28),
            "ДатаФормирования"
        );
        assert_eq!(r.company_inns, vec!["7707083893".to_string()]);
        assert_eq!((r.read_count(), r.other, r.skipped), (1, 0, 0));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let i = invoices(&r)[0];
        assert_eq!(i.number, "239");
        assert_eq!(i.date, day(2025, 6, 27));
        assert_eq!(i.due, Some(day(2025, 7, 11)));
        assert_eq!(i.amount, dec!(29535));
        assert_eq!(i.currency, "RUB");
        assert_eq!(
            i.id().map(|s| s.as_str()),
            Some("ce943e88-531b-11f0-912d-3c58c2c0cbf9")
        );
        assert_eq!(i.customer.name, "ООО \"Артэ\"");
        assert_eq!(i.customer.inn.as_deref(), Some("7736207543"));
        assert_eq!(i.customer.kpp.as_deref(), Some("781401001"));
        assert_eq!(i.customer.account.as_deref(), Some("40702810902500109346"));
        assert_eq!(i.customer.bic.as_deref(), Some("044525999"));
        assert_eq!(i.contract.as_deref(), Some("Д-17"));
        assert_eq!(i.manager.as_deref(), Some("Иванова А."));
        assert_eq!(i.status, Status::Active);
        assert_eq!(i.prov, Provenance { file: 7, line: 3 });
        assert!(i.aliases().is_empty() && i.replaces().is_empty());
    }

    #[test]
    fn order_2_x_in_utf8_with_a_bom_and_a_padded_1c_number() {
        let body = "<Документ>
<Ид>142</Ид>
<Номер>142</Номер>
<Номер1С>ТДЦУ-000001   </Номер1С>
<Дата>2015-06-28</Дата>
<Дата1С>2015-06-29</Дата1С>
<ХозОперация>Заказ товара</ХозОперация>
<Контрагенты><Контрагент><Наименование>Kikinda</Наименование><ИНН/><КПП/><Роль>Покупатель</Роль></Контрагент></Контрагенты>
<Валюта>руб.</Валюта>
<Сумма>8186.84</Сумма>
<Роль>Продавец</Роль>
</Документ>
";
        let mut bytes = BOM.to_vec();
        bytes.extend_from_slice(cml(body).as_bytes());
        let r = read(&bytes, 0).unwrap();
        assert_eq!(r.encoding, Some(TextEncoding::Utf8));
        assert_eq!(r.version.as_deref(), Some("2.05"));
        assert_eq!(r.exported, day(2021, 2, 12).and_hms_opt(0, 0, 0));
        let i = invoices(&r)[0];
        assert_eq!(i.number, "ТДЦУ-000001");
        assert_eq!(i.date, day(2015, 6, 29), "Дата1С goes with Номер1С");
        assert_eq!(
            i.aliases(),
            vec![DocLink {
                number: Some("142".into()),
                id: Some("142".into()),
                ..DocLink::default()
            }]
        );
        assert_eq!(i.amount, dec!(8186.84));
        assert_eq!(i.currency, "RUB");
        assert_eq!(i.customer.name, "Kikinda");
        assert_eq!(i.customer.inn, None);
        assert_eq!(i.customer.kpp, None);
        assert_eq!(i.prov.line, 3);
        assert!(r.company_inns.is_empty());
    }

    #[test]
    fn container_3_1_with_an_order_a_payment_and_a_shipment() {
        let text = "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<КоммерческаяИнформация xmlns=\"urn:1C.ru:commerceml_3\" ВерсияСхемы=\"3.1\" ДатаФормирования=\"2017-08-24T13:51:02\">
<Контейнер>
<Документ>
<Ид>320</Ид>
<ПометкаУдаления>false</ПометкаУдаления>
<Номер>320</Номер>
<Номер1С>L320       </Номер1С>
<Дата>2017-08-03</Дата>
<Дата1С>2017-08-03</Дата1С>
<ХозОперация>Заказ товара</ХозОперация>
<Контрагенты><Контрагент><Наименование>Фотоника</Наименование><ИНН>7736523556</ИНН><Роль>Покупатель</Роль></Контрагент></Контрагенты>
<Валюта>руб</Валюта>
<Сумма>1320</Сумма>
<Роль>Продавец</Роль>
<ЗначенияРеквизитов>
<ЗначениеРеквизита><Наименование>Проведен</Наименование><Значение>true</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Номер отгрузки по 1С</Наименование><Значение>О0000000976</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Дата отгрузки по 1С</Наименование><Значение>2017-08-04T12:22:01</Значение></ЗначениеРеквизита>
</ЗначенияРеквизитов>
</Документ>
<Документ>
<Ид>pay-77</Ид>
<Номер>77</Номер>
<Дата>2017-08-05</Дата>
<ХозОперация>Выплата безналичных денег</ХозОперация>
<Роль>Продавец</Роль>
<Валюта>руб</Валюта>
<Сумма>1000</Сумма>
<Основание>320</Основание>
</Документ>
<Документ>
<Ид>ship-5</Ид>
<Номер>О0000000976</Номер>
<Дата>2017-08-04</Дата>
<ХозОперация>Отпуск товара</ХозОперация>
<Роль>Продавец</Роль>
<Валюта>руб</Валюта>
<Сумма>1320</Сумма>
<Основание>320</Основание>
</Документ>
</Контейнер>
</КоммерческаяИнформация>
";
        let r = read_str(text);
        assert_eq!(r.version.as_deref(), Some("3.1"));
        assert_eq!((r.read_count(), r.other, r.skipped), (3, 0, 0));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let inv = invoices(&r);
        let order = inv[0];
        assert_eq!(order.number, "L320");
        assert_eq!(
            order.aliases(),
            vec![
                DocLink {
                    number: Some("320".into()),
                    id: Some("320".into()),
                    ..DocLink::default()
                },
                DocLink {
                    number: Some("О0000000976".into()),
                    date: Some(day(2017, 8, 4)),
                    ..DocLink::default()
                },
            ]
        );
        let order_link = DocLink {
            number: Some("L320".into()),
            date: Some(day(2017, 8, 3)),
            id: Some("320".into()),
            amount: None,
        };
        let p = payments(&r)[0];
        assert_eq!(p.number, "77");
        assert_eq!(p.amount, dec!(1000));
        assert_eq!(p.credited, Some(day(2017, 8, 5)));
        assert_eq!(p.direction, Some(Direction::Incoming));
        assert_eq!(p.payer.name, "Фотоника", "the order's customer");
        assert_eq!(p.payer.inn.as_deref(), Some("7736523556"));
        assert_eq!(
            p.links(),
            vec![DocLink {
                amount: Some(dec!(1000)),
                ..order_link.clone()
            }]
        );
        assert_eq!(p.id().map(|s| s.as_str()), Some("pay-77"));
        let ship = inv[1];
        assert_eq!(ship.number, "О0000000976");
        assert_eq!(ship.replaces(), vec![order_link]);
        assert_eq!(ship.customer.name, "Фотоника");
        assert_eq!(ship.prov.line, 32);
    }

    #[test]
    fn a_purchase_order_is_other_with_a_note() {
        let r = read_str(&cml(
            "<Документ>
<Ид>3aeb</Ид>
<Номер>ПРМ001</Номер>
<Дата>2012-12-05</Дата>
<ХозОперация>Заказ товара</ХозОперация>
<Роль>Покупатель</Роль>
<Сумма>27505.35</Сумма>
<Контрагенты>
<Контрагент><Наименование>ООО Мы</Наименование><ИНН>7707083893</ИНН><Роль>Покупатель</Роль></Контрагент>
<Контрагент><Наименование>ООО Поставщик</Наименование><ИНН>7736207543</ИНН><Роль>Продавец</Роль></Контрагент>
</Контрагенты>
</Документ>
",
        ));
        assert!(r.documents.is_empty());
        assert_eq!((r.read_count(), r.other, r.skipped), (1, 1, 0));
        assert_eq!(
            r.notes,
            vec![Warning::at(
                3,
                3,
                "purchase order ПРМ001: our role is the buyer, not a receivable"
            )]
        );
        assert_eq!(
            r.company_inns,
            vec!["7707083893".to_string()],
            "we are the buyer"
        );
    }

    #[test]
    fn a_bare_counterparty_and_no_role_means_we_sell() {
        let r = read_str(&cml("<Документ>
<Номер>55</Номер>
<Дата>2024-03-01</Дата>
<ХозОперация>Заказ товара</ХозОперация>
<Сумма>100</Сумма>
<Контрагент><Ид>970#Eremeeva#Еремеева Юлия </Ид><Наименование/><Роль>Покупатель</Роль></Контрагент>
</Документ>
<Документ>
<Номер>56</Номер>
<Дата>2024-03-02</Дата>
<ХозОперация>Заказ товара</ХозОперация>
<Сумма>200</Сумма>
<Контрагент><Фамилия>Петров</Фамилия><Имя>Петр</Имя></Контрагент>
</Документ>
"));
        let inv = invoices(&r);
        assert_eq!(inv.len(), 2);
        assert_eq!(inv[0].customer.name, "Еремеева Юлия");
        assert_eq!(inv[0].id(), None);
        assert_eq!(inv[1].customer.name, "Петров Петр");
        assert_eq!(inv[1].amount, dec!(200));
    }

    #[test]
    fn payment_requisites_on_an_order_and_the_empty_date() {
        let order = |id: u32, date: &str| {
            format!(
                "<Документ>
<Ид>{id}</Ид>
<Номер>{id}</Номер>
<Дата>2017-08-14</Дата>
<ХозОперация>Заказ товара</ХозОперация>
<Роль>Продавец</Роль>
{BUYER}
<Валюта>руб</Валюта>
<Сумма>2340</Сумма>
<ЗначенияРеквизитов>
<ЗначениеРеквизита><Наименование>Номер оплаты по 1С</Наименование><Значение>О0000001008</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Дата оплаты по 1С</Наименование><Значение>{date}</Значение></ЗначениеРеквизита>
</ЗначенияРеквизитов>
</Документ>
"
            )
        };
        let r = read_str(&cml(&format!(
            "{}{}",
            order(490, "2017-08-16T21:30:00"),
            order(491, "T")
        )));
        assert_eq!(invoices(&r).len(), 2);
        let pays = payments(&r);
        assert_eq!(pays.len(), 1);
        let p = pays[0];
        assert_eq!(p.number, "О0000001008");
        assert_eq!(p.date, day(2017, 8, 16));
        assert_eq!(p.credited, Some(day(2017, 8, 16)));
        assert_eq!(p.amount, dec!(2340));
        assert_eq!(p.direction, Some(Direction::Incoming));
        assert_eq!(p.payer.name, "ООО Ромашка");
        assert_eq!(p.payer.inn.as_deref(), Some("7707083893"));
        assert_eq!(
            p.links(),
            vec![DocLink {
                number: Some("490".into()),
                date: Some(day(2017, 8, 14)),
                id: Some("490".into()),
                amount: Some(dec!(2340)),
            }]
        );
        assert_eq!(p.prov.line, 14, "the line of the payment date");
        assert_eq!(
            r.warnings,
            vec![Warning::at(
                3,
                28,
                "order 491 is marked paid but its payment date is empty: no payment is read"
            )]
        );
    }

    #[test]
    fn site_payment_flags_and_cml_2_09_payments() {
        let r = read_str(&cml(&format!(
            "<Документ>
<Ид>20</Ид><Номер>20</Номер><Дата>2007-10-16</Дата>
<ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>
{BUYER}
<Сумма>9683.42</Сумма>
<ЗначенияРеквизитов>
<ЗначениеРеквизита><Наименование>Дата оплаты</Наименование><Значение>2007-10-16 15:44:47</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Номер платежного документа</Наименование><Значение>ТК000000026</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Заказ оплачен</Наименование><Значение>true</Значение></ЗначениеРеквизита>
</ЗначенияРеквизитов>
</Документ>
<Документ>
<Ид>21</Ид><Номер>21</Номер><Дата>2007-10-17</Дата>
<ХозОперация>Заказ товара</ХозОперация>
{BUYER}
<Сумма>500</Сумма>
<Оплаты>
<Оплата><НомерТранзакции>tx-1</НомерТранзакции><ДатаОплаты>2007-10-18</ДатаОплаты><СуммаОплаты>200.00</СуммаОплаты></Оплата>
<Оплата><ДатаОплаты>2007-10-19T10:00:00</ДатаОплаты><СуммаОплаты>300</СуммаОплаты></Оплата>
</Оплаты>
<ЗначенияРеквизитов>
<ЗначениеРеквизита><Наименование>Заказ оплачен</Наименование><Значение>true</Значение></ЗначениеРеквизита>
<ЗначениеРеквизита><Наименование>Дата оплаты</Наименование><Значение>Т</Значение></ЗначениеРеквизита>
</ЗначенияРеквизитов>
</Документ>
"
        )));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let pays = payments(&r);
        let seen: Vec<(&str, NaiveDate, Decimal)> = pays
            .iter()
            .map(|p| (p.number.as_str(), p.date, p.amount))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("ТК000000026", day(2007, 10, 16), dec!(9683.42)),
                ("tx-1", day(2007, 10, 18), dec!(200)),
                ("оплата заказа 21", day(2007, 10, 19), dec!(300)),
            ]
        );
        assert_eq!(pays[2].links()[0].amount, Some(dec!(300)));
        assert_eq!(pays[2].links()[0].number.as_deref(), Some("21"));
    }

    #[test]
    fn deleted_cancelled_and_unposted_are_kept_with_their_status_and_a_note() {
        let doc = |n: u32, extra: &str| {
            format!(
                "<Документ>
<Ид>{n}</Ид><Номер>{n}</Номер><Дата>2024-01-0{n}</Дата>
<ХозОперация>Заказ товара</ХозОперация>
{BUYER}
<Сумма>10</Сумма>
{extra}
</Документ>
"
            )
        };
        let req = |name: &str, value: &str| {
            format!(
                "<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>{name}</Наименование><Значение>{value}</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>"
            )
        };
        let r = read_str(&cml(&format!(
            "{}{}{}{}",
            doc(1, "<ПометкаУдаления>true</ПометкаУдаления>"),
            doc(2, &req("Отменен", "true")),
            doc(3, &req("Проведен", "false")),
            doc(4, &req("Проведен", "true")),
        )));
        let statuses: Vec<Status> = invoices(&r).iter().map(|i| i.status).collect();
        assert_eq!(
            statuses,
            vec![
                Status::Deleted,
                Status::Cancelled,
                Status::Unposted,
                Status::Active
            ]
        );
        assert_eq!(r.read_count(), 4);
        assert_eq!(r.notes.len(), 3);
        assert_eq!(r.notes[0].line, Some(3));
        assert_eq!(
            r.notes[0].message,
            "order 1 of 01.01.2024 is marked for deletion (ПометкаУдаления = true): read, left out of the register"
        );
        assert!(
            r.notes[1]
                .message
                .contains("order 2 of 02.01.2024 is cancelled")
        );
        assert_eq!(r.notes[1].line, Some(10));
        assert!(r.notes[2].message.contains("not posted (Проведен = false)"));
    }

    #[test]
    fn the_1_x_attribute_form() {
        let text = "<?xml version=\"1.0\" encoding=\"windows-1251\"?>
<КоммерческаяИнформация>
  <Каталог Идентификатор=\"K1\" Наименование=\"Каталог товаров\"/>
  <Документ Дата=\"2012-12-06\" Номер=\"0000014247\" ХозОперация=\"Sale\" Сумма=\"22487.27\" Валюта=\"руб.\" Курс=\"1\" СрокПлатежа=\"2012-12-13\">
    <ПредприятиеВДокументе Контрагент=\"S-1\" Роль=\"Saler\"/>
    <ПредприятиеВДокументе Контрагент=\"B-2\" Роль=\"Buyer\"/>
  </Документ>
  <Контрагент Идентификатор=\"S-1\" Наименование=\"ООО Мы\" ИНН=\"7707083893\"/>
  <Контрагент Идентификатор=\"B-2\" Наименование=\"ООО Покупатель\" ОтображаемоеНаименование=\"Покупатель\"/>
</КоммерческаяИнформация>
";
        let r = read(&encoding_rs::WINDOWS_1251.encode(text).0, 1).unwrap();
        assert_eq!(r.version.as_deref(), Some("1.x"));
        assert_eq!(r.exported, None);
        assert_eq!(r.company_inns, vec!["7707083893".to_string()]);
        let i = invoices(&r)[0];
        assert_eq!(i.number, "0000014247");
        assert_eq!(i.date, day(2012, 12, 6));
        assert_eq!(i.due, Some(day(2012, 12, 13)));
        assert_eq!(i.amount, dec!(22487.27));
        assert_eq!(i.currency, "RUB");
        assert_eq!(i.customer.name, "ООО Покупатель");
        assert_eq!(i.prov.line, 4);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn documents_read_as_they_come_keep_the_files_order() {
        // Each document is read as the parser hands it over; a 1.x one naming its
        // counterparty by id waits for the end of the file, and so does every document
        // after it: documents and warnings still come in the file's order.
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<КоммерческаяИнформация ДатаФормирования=\"вчера\">
<Документ><Номер>1</Номер><Дата>2024-01-01</Дата><ХозОперация>Счет на оплату</ХозОперация>{BUYER}<Сумма>10</Сумма></Документ>
<Документ><Номер>2</Номер><Дата>2024-01-01</Дата><ХозОперация>Счет на оплату</ХозОперация>{BUYER}</Документ>
<Документ Дата=\"2024-01-02\" Номер=\"3\" ХозОперация=\"Sale\" Сумма=\"30\">
  <ПредприятиеВДокументе Контрагент=\"B-2\" Роль=\"Buyer\"/>
</Документ>
<Контейнер>
<Документ><Номер>4</Номер><Дата>2024-01-03</Дата><ХозОперация>Счет на оплату</ХозОперация>{BUYER}</Документ>
<Документ><Номер>5</Номер><Дата>2024-01-04</Дата><ХозОперация>Счет на оплату</ХозОперация>{BUYER}<Сумма>50</Сумма></Документ>
</Контейнер>
<Контрагент Идентификатор=\"B-2\" Наименование=\"ООО Покупатель\"/>
</КоммерческаяИнформация>
"
        );
        let r = read_str(&text);
        let numbers: Vec<&str> = invoices(&r).iter().map(|i| i.number.as_str()).collect();
        assert_eq!(numbers, vec!["1", "3", "5"]);
        assert_eq!(invoices(&r)[1].customer.name, "ООО Покупатель");
        assert_eq!(r.version.as_deref(), Some("1.x"));
        // The root's warning first, then the documents' in their order.
        let lines: Vec<Option<u32>> = r.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![Some(2), Some(4), Some(9)], "{:?}", r.warnings);
        assert!(r.warnings[0].message.contains("ДатаФормирования"));
    }

    #[test]
    fn unreadable_values_skip_the_document_naming_the_line() {
        let r = read_str(&cml(&format!(
            "<Документ>
<Номер>1</Номер><Дата>2024-01-01</Дата><ХозОперация>Счет на оплату</ХозОперация>
{BUYER}
<Сумма>12,5.0</Сумма>
</Документ>
<Документ>
<Номер>2</Номер><Дата>32.01.2024</Дата><ХозОперация>Счет на оплату</ХозОперация>
{BUYER}
<Сумма>10</Сумма>
</Документ>
<Документ>
<Дата>2024-01-01</Дата><ХозОперация>Счет на оплату</ХозОперация>
{BUYER}
<Сумма>10</Сумма>
</Документ>
<Документ>
<Номер>4</Номер><Дата>2024-01-01</Дата><ХозОперация>Счет на оплату</ХозОперация>
<Сумма>10</Сумма>
</Документ>
"
        )));
        assert!(r.documents.is_empty());
        assert_eq!((r.read_count(), r.skipped), (0, 4));
        let lines: Vec<Option<u32>> = r.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![Some(6), Some(9), Some(13), Some(18)]);
        assert!(
            r.warnings[0]
                .message
                .starts_with("invoice 1 skipped: Сумма \"12,5.0\""),
            "{}",
            r.warnings[0].message
        );
        assert_eq!(
            r.warnings[1].message,
            "invoice 2 skipped: Дата \"32.01.2024\" is not a date"
        );
        assert_eq!(r.warnings[2].message, "invoice skipped: it has no Номер");
        assert!(r.warnings[3].message.contains("names no customer"));
    }

    #[test]
    fn other_kinds_status_replies_returns_and_empty_files() {
        let r = read_str(&cml(&format!(
            "<Документ><Номер>7</Номер><Дата>2024-01-01</Дата><ХозОперация>Переоценка товаров</ХозОперация><Сумма>1</Сумма></Документ>
<Документ>
<Ид>92</Ид><Номер>92</Номер><Дата>2015-08-12</Дата><ХозОперация>Заказ товара</ХозОперация><Роль>Продавец</Роль>
<ЗначенияРеквизитов><ЗначениеРеквизита><Наименование>Номер по 1С</Наименование><Значение>MM92</Значение></ЗначениеРеквизита></ЗначенияРеквизитов>
</Документ>
<Документ>
<Ид>10</Ид><Номер>10</Номер><Дата>2024-02-01</Дата><ХозОперация>Заказ товара</ХозОперация>{BUYER}<Сумма>1000</Сумма>
</Документ>
<Документ>
<Номер>В-1</Номер><Дата>2024-02-05</Дата><ХозОперация>Возврат товара</ХозОперация><Сумма>150</Сумма><Основание>10</Основание>
</Документ>
"
        )));
        assert_eq!((r.read_count(), r.other, r.skipped), (4, 2, 0));
        assert!(r.notes[0].message.contains("«Переоценка товаров»"));
        assert_eq!(r.notes[0].line, Some(3));
        assert!(
            r.notes[1].message.contains("order 92 is a status reply")
                && r.notes[1].message.contains("MM92"),
            "{}",
            r.notes[1].message
        );
        let c = credits(&r)[0];
        assert_eq!(c.number, "В-1");
        assert_eq!(c.amount, dec!(150));
        assert_eq!(c.customer.name, "ООО Ромашка", "the order's customer");
        assert_eq!(
            c.links,
            vec![DocLink {
                number: Some("10".into()),
                date: Some(day(2024, 2, 1)),
                id: Some("10".into()),
                amount: Some(dec!(150)),
            }]
        );

        let empty = read_str(
            "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.05\" ДатаФормирования=\"2021-02-12T17:04:36\">\n</КоммерческаяИнформация>",
        );
        assert_eq!((empty.read_count(), empty.skipped), (0, 0));
        assert!(empty.warnings.is_empty());
        assert_eq!(empty.exported, day(2021, 2, 12).and_hms_opt(17, 4, 36));
        let catalog = read_str(
            "<КоммерческаяИнформация ВерсияСхемы=\"2.10\"><Классификатор><Ид>1</Ид></Классификатор><Каталог/></КоммерческаяИнформация>",
        );
        assert_eq!(catalog.read_count(), 0);
        assert!(catalog.notes[0].message.contains("catalog"));
    }

    #[test]
    fn not_commerceml_and_broken_xml_are_errors() {
        let e = read(b"<Message><Body/></Message>", 0).unwrap_err();
        assert!(e.message.contains("not a CommerceML file"), "{}", e.message);
        let e = read("<КоммерческаяИнформация><Документ>".as_bytes(), 0).unwrap_err();
        assert!(e.message.contains("malformed XML"), "{}", e.message);
    }

    #[test]
    fn helpers_read_1c_values() {
        assert!(is_empty_date("T") && is_empty_date(" Т ") && is_empty_date("0001-01-01T00:00:00"));
        assert_eq!(
            date_value("2007-10-16 15:44:47"),
            Ok(Some(day(2007, 10, 16)))
        );
        assert_eq!(
            date_value("11.02.2021 18:45:21"),
            Ok(Some(day(2021, 2, 11)))
        );
        assert_eq!(date_value("soon"), Err(()));
        assert_eq!(
            bitrix_user_name("38#catalog_exchange#").as_deref(),
            Some("catalog_exchange")
        );
        assert_eq!(bitrix_user_name("f1eeedab-5cfb"), None);
        assert_eq!(bitrix_user_name("#x#y"), None);
        assert_eq!(boolean(" True "), Some(true));
        assert_eq!(Kind::of("Счёт на  оплату"), Some(Kind::Invoice));
        assert_eq!(Kind::of("Счет-фактура"), None);
    }

    #[test]
    fn hostile_bytes_never_panic() {
        let samples: [&[u8]; 6] = [
            b"",
            b"\xFF\xFE<\x00",
            "<КоммерческаяИнформация><Документ Номер=\"\u{0}\"/></КоммерческаяИнформация>".as_bytes(),
            "<КоммерческаяИнформация><Документ><ХозОперация>Заказ товара</ХозОперация><Номер>#</Номер><Дата>T</Дата></Документ></КоммерческаяИнформация>".as_bytes(),
            "<КоммерческаяИнформация><Контейнер><Документ ХозОперация=\"Sale\" Номер=\"1\" Дата=\"2020-01-01\" Сумма=\"1\"><ПредприятиеВДокументе Роль=\"Buyer\"/></Документ></Контейнер></КоммерческаяИнформация>".as_bytes(),
            b"<\xCA\xEE\xEC\xEC\xE5\xF0\xF7\xE5\xF1\xEA\xE0\xFF>",
        ];
        for s in samples {
            let _ = read(s, 0);
        }
    }
}
