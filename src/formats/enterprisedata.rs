//! EnterpriseData: the XML that 1C's "Синхронизация данных" writes between БП 3.0, УТ 11,
//! УНФ, ERP and КА (`Message` → `Header` + `Body`).
//!
//! Why it is read: when an accounting base and a trade base are synchronised, this is the
//! only file that carries invoices, sales, returns and customer receipts of both with the
//! links 1C itself keeps between them: a receipt names the sale or the order it pays
//! (`РасшифровкаПлатежа`), a sale names the invoice it was made from, a return names its
//! sale. Those are facts, not guesses, and the matcher uses them before anything else.
//!
//! The structure is fixed by the XDTO packages 1C publishes in БСП
//! (`EnterpriseData_1_x`, namespace `http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.x`).
//! Element names were checked against the 1.8 package and the 1.21 one; where they differ
//! both are read. Only local names matter (prefixes and namespaces vary), and no element
//! is required beyond what a document cannot do without.
//!
//! What is read:
//! - `Header/Format` (the namespace URI: its last part is the version, else `Body`'s
//!   `xmlns`) and `Header/CreationDate` (when the file was written).
//! - Invoices: `Документ.СчетПокупателю`, `Документ.ЗаказКлиента`,
//!   `Документ.РеализацияТоваровУслуг`. A sale's `СчетПокупателю` and `Заказ` are the
//!   documents it replaces.
//! - Credits: `Документ.ВозвратТоваровОтПокупателя` (linked to its sale by
//!   `ПогашениеЗадолженности/Строка{ДокументРасчетов, Сумма}`, else `ДокументРеализации`,
//!   else `Заказ`) and `Документ.КорректировкаДолга` when it writes off or nets a
//!   customer's debt (`ВидОперации` `СписаниеЗадолженности`/`ПроведениеВзаимозачета`,
//!   `КонтрагентДебитор`, `ДебиторскаяЗадолженность/Строка{Сумма, ДокументРасчетов}`).
//! - Payments: `Документ.ПБДСРасчетыСКонтрагентами` (bank) and
//!   `Документ.ПКОРасчетыСКонтрагентами` (cash) with `ВидРасчетов` = `СПокупателем`;
//!   `ОбщиеДанные{НомерВходящегоДокумента, ДатаВходящегоДокумента, ДатаВыписки, Сумма,
//!   Валюта, НазначениеПлатежа | Основание, ПринятоОт}` and
//!   `РасшифровкаПлатежа/Строка{Сумма, ДокументРасчетов/<…>Ссылка | Заказ/ЗаказКлиента}`.
//! - On every document: `КлючевыеСвойства{Ссылка, Дата, Номер, Организация{Наименование,
//!   ИНН, КПП}}` (the organisation is our company), `Контрагент{Наименование,
//!   НаименованиеПолное, ИНН, КПП}`, `Валюта/ДанныеКлассификатора{Код, Наименование}`,
//!   `Сумма` (else the sum of `Товары`/`Услуги` rows), `ДанныеВзаиморасчетов/Договор{Номер,
//!   Дата, Наименование}`, `ЭтапыОплаты/Строка/ДатаПлатежа` (the due date: the last
//!   stage's), `Ответственный/Наименование` (1.8) or
//!   `ОбщиеСвойстваОбъектовФормата/Ответственный/Наименование` (1.21).
//! - Status: `ПометкаУдаления` = true (deleted) and `Проведен` = false (not posted) where
//!   a configuration adds them, and 1.21's `ОбщиеСвойстваОбъектовФормата/СостояниеОбъекта`
//!   (`Черновик`: not posted, `Устаревший`: cancelled). Such documents are kept with
//!   their status and a note; the ledger leaves them out of the register.
//!
//! A receipt is known by the payer's payment order (`НомерВходящегоДокумента`,
//! `ДатаВходящегоДокумента`; else 1C's own number and date), so that the ledger can pair
//! it with the same money in a bank statement; it counts from `ДатаВыписки` (else `Дата`).
//!
//! Other `Документ.*` objects are counted as other documents (one note per type);
//! `УдалениеОбъекта` (an object deleted in the exporting base) is noted, not applied;
//! catalogs (`Справочник.*`) and anything else are ignored. A document without a number
//! or date, or with an amount that is not one, is skipped with a warning naming its line.

use super::xml::{self, Element};
use super::{FileError, FileRead, Format};
use crate::dates::{parse_date, ru};
use crate::inn::{clean_inn, clean_kpp, is_valid_inn};
use crate::model::{
    Credit, Currency, Direction, DocLink, Document, FileId, Installment, Invoice, Party, Payment,
    Provenance, Status, Warning, normalize_currency,
};
use crate::money::{parse_amount, plain};
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// What a `Body` object is, for this reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A receivable: invoice, order or sale.
    Invoice,
    Sale,
    Return,
    DebtAdjustment,
    /// A receipt (from the bank or the cash desk).
    Payment,
    /// Another document: counted, not read.
    OtherDocument,
    /// A catalog or anything else: ignored.
    Ignored,
}

fn kind(name: &str) -> Kind {
    match name {
        "Документ.СчетПокупателю" | "Документ.ЗаказКлиента" => {
            Kind::Invoice
        }
        "Документ.РеализацияТоваровУслуг" => Kind::Sale,
        "Документ.ВозвратТоваровОтПокупателя" => Kind::Return,
        "Документ.КорректировкаДолга" => Kind::DebtAdjustment,
        "Документ.ПБДСРасчетыСКонтрагентами" | "Документ.ПКОРасчетыСКонтрагентами" => {
            Kind::Payment
        }
        n if n.starts_with("Документ.") => Kind::OtherDocument,
        _ => Kind::Ignored,
    }
}

/// The document type without the `Документ.` prefix, for messages.
fn short(name: &str) -> &str {
    name.strip_prefix("Документ.").unwrap_or(name)
}

/// Reads an EnterpriseData message.
pub fn read(bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    let (encoding, text) = xml::decode(bytes)?;
    let root = xml::parse(&text)?;
    let body = root.child("Body").ok_or_else(|| FileError {
        line: Some(root.line),
        message: "Message without Body: not EnterpriseData".into(),
    })?;
    let mut r = Reader {
        file,
        out: FileRead::new(Format::EnterpriseData, Some(encoding)),
        others: BTreeMap::new(),
    };
    let header = root.child("Header");
    r.out.version = header
        .and_then(|h| h.text_at(&["Format"]))
        .and_then(version_of)
        .or_else(|| body.attr("xmlns").and_then(version_of));
    r.out.exported = header
        .and_then(|h| h.text_at(&["CreationDate"]))
        .and_then(parse_datetime);
    for obj in &body.children {
        r.object(obj);
    }
    for (name, (line, count)) in std::mem::take(&mut r.others) {
        let more = if count > 1 {
            format!(" (and {} more)", count - 1)
        } else {
            String::new()
        };
        r.note(
            line,
            format!("{name}{more}: not an invoice, return or customer payment; counted as other, not read"),
        );
    }
    Ok(r.out)
}

/// The version from a namespace URI: `…/EnterpriseData/1.21` → `1.21`.
fn version_of(uri: &str) -> Option<String> {
    let last = uri.trim().trim_end_matches('/').rsplit('/').next()?;
    let ok = last.starts_with(|c: char| c.is_ascii_digit())
        && last.chars().all(|c| c.is_ascii_digit() || c == '.');
    ok.then(|| last.to_string())
}

/// `2024-03-31T18:05:12` (optionally with fractions or a zone, which are dropped), or a date.
fn parse_datetime(text: &str) -> Option<NaiveDateTime> {
    let s = text.trim();
    let head = s.get(..19).unwrap_or(s);
    NaiveDateTime::parse_from_str(head, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(head, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)))
}

/// A boolean as 1C writes it.
fn flag(text: Option<&str>) -> Option<bool> {
    match text?.trim().to_lowercase().as_str() {
        "true" | "1" | "истина" | "да" => Some(true),
        "false" | "0" | "ложь" | "нет" => Some(false),
        _ => None,
    }
}

/// `КлючевыеСвойства` of a document.
struct Keys<'a> {
    number: String,
    date: NaiveDate,
    id: Option<String>,
    organization: Option<&'a Element>,
}

fn keys(doc: &Element) -> Result<Keys<'_>, String> {
    let k = doc.child("КлючевыеСвойства").ok_or("no КлючевыеСвойства")?;
    let number = k
        .text_at(&["Номер"])
        .ok_or("no number (КлючевыеСвойства/Номер)")?;
    let date_text = k
        .text_at(&["Дата"])
        .ok_or("no date (КлючевыеСвойства/Дата)")?;
    let date = parse_date(date_text).ok_or_else(|| format!("date {date_text:?} is not a date"))?;
    Ok(Keys {
        number: number.to_string(),
        date,
        id: k.text_at(&["Ссылка"]).map(str::to_string),
        organization: k.child("Организация"),
    })
}

/// A counterparty (`КлючевыеСвойстваКонтрагент`) or our organisation.
fn party(e: &Element) -> Party {
    Party {
        name: e
            .text_at(&["Наименование"])
            .or_else(|| e.text_at(&["НаименованиеПолное"]))
            .unwrap_or("")
            .to_string(),
        inn: e.text_at(&["ИНН"]).and_then(clean_inn),
        kpp: e.text_at(&["КПП"]).and_then(clean_kpp),
        ..Party::default()
    }
}

/// `Валюта`: the classifier code (`643`) or name (`руб.`); roubles when absent.
fn currency(e: Option<&Element>) -> Currency {
    e.and_then(|v| {
        v.text_at(&["ДанныеКлассификатора", "Код"])
            .or_else(|| v.text_at(&["ДанныеКлассификатора", "Наименование"]))
            .or_else(|| v.text_at(&["Наименование"]))
            .or_else(|| v.value())
    })
    .map_or_else(crate::model::Shared::rub, normalize_currency)
}

/// `ДанныеВзаиморасчетов/Договор` as a short text: `№ 12/2024 от 15.01.2024`, else its name.
fn contract(settlement: Option<&Element>) -> Option<String> {
    let c = settlement?.child("Договор")?;
    let date = c.text_at(&["Дата"]).and_then(parse_date);
    match (c.text_at(&["Номер"]), date) {
        (Some(n), Some(d)) => Some(format!("№ {n} от {}", ru(d))),
        (Some(n), None) => Some(format!("№ {n}")),
        _ => c.text_at(&["Наименование"]).map(str::to_string),
    }
}

/// `Ответственный` (1.8) or `ОбщиеСвойстваОбъектовФормата/Ответственный` (1.21).
fn manager(doc: &Element) -> Option<String> {
    doc.text_at(&["Ответственный", "Наименование"])
        .or_else(|| {
            doc.text_at(&[
                "ОбщиеСвойстваОбъектовФормата",
                "Ответственный",
                "Наименование",
            ])
        })
        .map(str::to_string)
}

/// A reference to another document (`КлючевыеСвойства…`: `Ссылка`, `Дата`, `Номер`).
fn doc_link(e: &Element) -> Option<DocLink> {
    let number = e.text_at(&["Номер"]).map(str::to_string);
    let id = e.text_at(&["Ссылка"]).map(str::to_string);
    if number.is_none() && id.is_none() {
        return None;
    }
    Some(DocLink {
        number: number.map(Into::into),
        date: e.text_at(&["Дата"]).and_then(parse_date),
        id: id.map(Into::into),
        amount: None,
    })
}

/// Payment documents among `СоставнойДокументРасчетов`' choices: an advance offset, not a debt.
fn is_payment_type(name: &str) -> bool {
    ["ПБДС", "ПКО", "СБДС", "РКО", "ОперацияПоПлатежнойКарте"]
        .iter()
        .any(|p| name.starts_with(p))
}

/// The debt a `ДокументРасчетов` (one of `РеализацияТоваровУслугСсылка`,
/// `ЗаказКлиентаСсылка`, `ИсходныйДокумент[Ссылка]`, …) names.
fn settlement_link(e: &Element) -> Option<DocLink> {
    e.children
        .iter()
        .filter(|c| !is_payment_type(&c.name))
        .find_map(doc_link)
}

/// The order a `Заказ{ЗаказКлиента | ЗаказПоставщику}` wrapper names (customer orders only).
fn order_link(e: &Element) -> Option<DocLink> {
    e.children
        .iter()
        .filter(|c| c.name != "ЗаказПоставщику")
        .find_map(doc_link)
}

struct Reader {
    file: FileId,
    out: FileRead,
    /// Documents of types not read: first line and count, by type.
    others: BTreeMap<String, (u32, usize)>,
}

impl Reader {
    fn note(&mut self, line: u32, message: impl Into<String>) {
        self.out.notes.push(Warning::at(self.file, line, message));
    }

    fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.out
            .warnings
            .push(Warning::at(self.file, line, message));
    }

    fn skip(&mut self, obj: &Element, number: Option<&str>, why: &str) {
        self.out.skipped += 1;
        let what = match number {
            Some(n) => format!("{} {n}", short(&obj.name)),
            None => short(&obj.name).to_string(),
        };
        self.warn(obj.line, format!("{what} skipped: {why}"));
    }

    fn other(&mut self, obj: &Element, why: String) {
        self.out.other += 1;
        self.note(obj.line, why);
    }

    fn object(&mut self, obj: &Element) {
        let k = kind(&obj.name);
        match k {
            Kind::Ignored => {
                if obj.name == "УдалениеОбъекта" {
                    self.deletion(obj);
                }
            }
            Kind::OtherDocument => {
                self.out.other += 1;
                let e = self
                    .others
                    .entry(obj.name.to_string())
                    .or_insert((obj.line, 0));
                e.1 += 1;
            }
            Kind::Payment => {
                if let Some(why) = not_a_customer_payment(obj) {
                    self.other(obj, why);
                    return;
                }
                self.document(obj, |r, keys| r.payment(obj, keys));
            }
            Kind::DebtAdjustment => {
                if let Err(why) = adjustment_applies(obj) {
                    self.other(obj, why);
                    return;
                }
                self.document(obj, |r, keys| r.adjustment(obj, keys));
            }
            Kind::Invoice | Kind::Sale => {
                self.document(obj, |r, keys| r.invoice(obj, keys, k == Kind::Sale));
            }
            Kind::Return => self.document(obj, |r, keys| r.credit(obj, keys)),
        }
    }

    /// The common part: key properties, our company, status; `build` makes the document.
    fn document(
        &mut self,
        obj: &Element,
        build: impl FnOnce(&mut Reader, Keys<'_>) -> Result<Document, String>,
    ) {
        let keys = match keys(obj) {
            Ok(k) => k,
            Err(why) => {
                let number = obj.text_at(&["КлючевыеСвойства", "Номер"]);
                self.skip(obj, number, &why);
                return;
            }
        };
        if let Some(org) = keys.organization {
            self.company(org, obj.line);
        }
        let (number, date) = (keys.number.clone(), keys.date);
        let mut doc = match build(self, keys) {
            Ok(d) => d,
            Err(why) => {
                self.skip(obj, Some(&number), &why);
                return;
            }
        };
        let (status, why) = status(obj);
        if status != Status::Active {
            match &mut doc {
                Document::Invoice(d) => d.status = status,
                Document::Credit(d) => d.status = status,
                Document::Payment(d) => d.status = status,
            }
            self.note(
                obj.line,
                format!(
                    "{} {number} of {} is {} ({why}): read, left out of the register",
                    short(&obj.name),
                    ru(date),
                    status.describe()
                ),
            );
        }
        self.out.documents.push(doc);
    }

    /// Our company's INN from `Организация`.
    fn company(&mut self, org: &Element, line: u32) {
        let Some(inn) = org.text_at(&["ИНН"]).and_then(clean_inn) else {
            return;
        };
        if self.out.company_inns.contains(&inn) {
            return;
        }
        if is_valid_inn(&inn) {
            self.out.company_inns.push(inn);
        } else if !self
            .out
            .notes
            .iter()
            .any(|n| n.message.contains(&format!("INN {inn} ")))
        {
            self.note(
                line,
                format!("our company's INN {inn} (Организация/ИНН) fails the checksum: not used"),
            );
        }
    }

    /// `УдалениеОбъекта`: the exporting base deleted an object. The deletion is noted, not
    /// applied (an older file may still hold the document).
    fn deletion(&mut self, obj: &Element) {
        let id = obj
            .descendants()
            .into_iter()
            .find(|e| e.children.is_empty() && e.value().is_some())
            .map(|e| format!("{} {}", e.name, e.text.trim()));
        self.note(
            obj.line,
            format!(
                "УдалениеОбъекта {}: the exporting base deleted this object; deletions are not applied",
                id.unwrap_or_default()
            ),
        );
    }

    /// The amount at `Сумма`, else the total of the `Товары` and `Услуги` rows.
    fn amount(&mut self, obj: &Element, text: Option<&str>) -> Result<Decimal, String> {
        if let Some(t) = text {
            return positive(t);
        }
        let include_vat = flag(obj.text_at(&["СуммаВключаетНДС"])) != Some(false);
        let mut total = Decimal::ZERO;
        let mut rows = 0;
        for table in ["Товары", "Услуги"] {
            for row in obj
                .child(table)
                .into_iter()
                .flat_map(|t| t.children_named("Строка"))
            {
                let Some(t) = row.text_at(&["Сумма"]) else {
                    continue;
                };
                let sum = parse_amount(t).map_err(|e| format!("row amount {t:?}: {e}"))?;
                let vat = match row.text_at(&["СуммаНДС"]) {
                    Some(v) if !include_vat => {
                        parse_amount(v).map_err(|e| format!("row VAT {v:?}: {e}"))?
                    }
                    _ => Decimal::ZERO,
                };
                total += sum + vat;
                rows += 1;
            }
        }
        if rows == 0 {
            return Err("no amount (Сумма)".into());
        }
        if total <= Decimal::ZERO {
            return Err(format!("the rows add up to {}", plain(total)));
        }
        self.note(
            obj.line,
            format!(
                "{} has no Сумма: the amount {} is the total of its {rows} rows",
                short(&obj.name),
                plain(total)
            ),
        );
        Ok(total)
    }

    /// The payment schedule from `ЭтапыОплаты`: the due date (the last stage's
    /// `ДатаПлатежа`) and, with several stages whose amounts (`СуммаПлатежа`, else
    /// `ПроцентПлатежа` of the amount) add up to the invoice, the installments, each aged
    /// from its own date. Stages that do not add up leave one debt aged from the last
    /// date, with a note.
    fn schedule(
        &mut self,
        obj: &Element,
        number: &str,
        amount: Decimal,
    ) -> (Option<NaiveDate>, Vec<Installment>) {
        let mut stages: Vec<(NaiveDate, Option<Decimal>, Option<Decimal>)> = Vec::new();
        for row in obj
            .child("ЭтапыОплаты")
            .into_iter()
            .flat_map(|t| t.children_named("Строка"))
        {
            let Some(t) = row.text_at(&["ДатаПлатежа"]) else {
                continue;
            };
            let Some(d) = parse_date(t) else {
                self.warn(
                    row.line,
                    format!(
                        "payment stage of {number}: ДатаПлатежа {t:?} is not a date; stage ignored"
                    ),
                );
                continue;
            };
            let sum = row
                .text_at(&["СуммаПлатежа"])
                .and_then(|v| parse_amount(v).ok())
                .filter(|v| *v > Decimal::ZERO);
            let percent = row
                .text_at(&["ПроцентПлатежа"])
                .and_then(|v| parse_amount(v).ok())
                .filter(|v| *v > Decimal::ZERO);
            stages.push((d, sum, percent));
        }
        stages.sort_by_key(|s| s.0);
        let last = match stages.last() {
            Some(s) => s.0,
            None => return (None, Vec::new()),
        };
        if stages.len() == 1 {
            return (Some(last), Vec::new());
        }
        let amounts: Option<Vec<Decimal>> = if stages.iter().all(|s| s.1.is_some()) {
            Some(stages.iter().filter_map(|s| s.1).collect())
        } else if stages.iter().all(|s| s.2.is_some()) {
            // Percentages that make the whole invoice: split it by them, to the kopeck.
            let weights: Vec<Decimal> = stages.iter().filter_map(|s| s.2).collect();
            (weights.iter().sum::<Decimal>() == Decimal::ONE_HUNDRED)
                .then(|| crate::money::pro_rata(amount, &weights))
        } else {
            None
        };
        match amounts {
            Some(a) if a.iter().sum::<Decimal>() == amount => {
                let installments = stages
                    .iter()
                    .zip(a)
                    .map(|(s, amount)| Installment { due: s.0, amount })
                    .collect();
                (Some(last), installments)
            }
            _ => {
                self.note(
                    obj.line,
                    format!(
                        "invoice {number} has {} payment stages whose amounts do not add up to {}: aged from the last one ({})",
                        stages.len(),
                        plain(amount),
                        ru(last)
                    ),
                );
                (Some(last), Vec::new())
            }
        }
    }

    fn invoice(&mut self, obj: &Element, keys: Keys<'_>, sale: bool) -> Result<Document, String> {
        let customer = obj.child("Контрагент").map(party).ok_or("no Контрагент")?;
        if customer.name.is_empty() && customer.inn.is_none() {
            return Err("Контрагент has no name and no INN".into());
        }
        let amount = self.amount(obj, obj.text_at(&["Сумма"]))?;
        let (due, installments) = self.schedule(obj, &keys.number, amount);
        let replaces = if sale {
            ["СчетПокупателю", "Заказ"]
                .iter()
                .filter_map(|n| obj.child(n).and_then(doc_link))
                .collect()
        } else {
            Vec::new()
        };
        Ok(Document::Invoice(Invoice {
            number: keys.number.into(),
            date: keys.date,
            due,
            customer: customer.into(),
            contract: (contract(obj.child("ДанныеВзаиморасчетов"))).map(Into::into),
            amount,
            currency: currency(obj.child("Валюта")),
            manager: manager(obj).map(Into::into),
            more: crate::model::InvoiceMore {
                id: keys.id.map(Into::into),
                replaces: replaces.into(),
                installments: installments.into(),
                ..Default::default()
            }
            .boxed(),
            prov: Provenance {
                file: self.file,
                line: obj.line,
            },
            ..Invoice::default()
        }))
    }

    /// `Документ.ВозвратТоваровОтПокупателя`.
    fn credit(&mut self, obj: &Element, keys: Keys<'_>) -> Result<Document, String> {
        let customer = obj.child("Контрагент").map(party).ok_or("no Контрагент")?;
        if customer.name.is_empty() && customer.inn.is_none() {
            return Err("Контрагент has no name and no INN".into());
        }
        let amount = self.amount(obj, obj.text_at(&["Сумма"]))?;
        let mut links = self.rows_links(
            obj.child("ПогашениеЗадолженности"),
            "ПогашениеЗадолженности",
        );
        if links.is_empty() {
            links.extend(obj.child("ДокументРеализации").and_then(settlement_link));
        }
        if links.is_empty() {
            links.extend(obj.child("Заказ").and_then(doc_link));
        }
        Ok(Document::Credit(Credit {
            number: keys.number.into(),
            date: keys.date,
            customer: customer.into(),
            links: links.into(),
            contract: (contract(obj.child("ДанныеВзаиморасчетов"))).map(Into::into),
            amount,
            currency: currency(obj.child("Валюта")),
            id: keys.id.map(Into::into),
            prov: Provenance {
                file: self.file,
                line: obj.line,
            },
            ..Credit::default()
        }))
    }

    /// `Документ.КорректировкаДолга` that writes off or nets a customer's debt.
    fn adjustment(&mut self, obj: &Element, keys: Keys<'_>) -> Result<Document, String> {
        let customer = obj
            .child("КонтрагентДебитор")
            .map(party)
            .ok_or("no КонтрагентДебитор")?;
        if customer.name.is_empty() && customer.inn.is_none() {
            return Err("КонтрагентДебитор has no name and no INN".into());
        }
        let rows: Vec<&Element> = customer_debt_rows(obj);
        let mut amount = Decimal::ZERO;
        let mut links = Vec::new();
        for row in &rows {
            let Some(t) = row.text_at(&["Сумма"]) else {
                continue;
            };
            let a = positive(t)?;
            amount += a;
            if let Some(mut l) = row.child("ДокументРасчетов").and_then(settlement_link)
            {
                l.amount = Some(a);
                links.push(l);
            }
        }
        if amount.is_zero() {
            let t = obj
                .text_at(&["СуммаДебиторскойЗадолженности"])
                .ok_or("no amount (ДебиторскаяЗадолженность/Строка/Сумма)")?;
            amount = positive(t)?;
        }
        let settlement = rows.first().and_then(|r| r.child("ДанныеВзаиморасчетов"));
        Ok(Document::Credit(Credit {
            number: keys.number.into(),
            date: keys.date,
            customer: customer.into(),
            links: links.into(),
            contract: contract(settlement).map(Into::into),
            amount,
            currency: currency(obj.child("Валюта")),
            id: keys.id.map(Into::into),
            prov: Provenance {
                file: self.file,
                line: obj.line,
            },
            ..Credit::default()
        }))
    }

    /// Links with amounts from rows `{ДокументРасчетов | Заказ, Сумма}` (`РасшифровкаПлатежа`,
    /// `ПогашениеЗадолженности`).
    fn rows_links(&mut self, table: Option<&Element>, what: &str) -> Vec<DocLink> {
        let mut links = Vec::new();
        for row in table.into_iter().flat_map(|t| t.children_named("Строка")) {
            let amount = match row.text_at(&["Сумма"]) {
                Some(t) => match parse_amount(t) {
                    Ok(a) if a > Decimal::ZERO => Some(a),
                    Ok(_) => None,
                    Err(e) => {
                        self.warn(
                            row.line,
                            format!("{what}: row amount {t:?}: {e}; the row's link has no amount"),
                        );
                        None
                    }
                },
                None => None,
            };
            let link = row
                .child("ДокументРасчетов")
                .and_then(settlement_link)
                .or_else(|| row.child("Заказ").and_then(order_link));
            if let Some(mut l) = link {
                l.amount = amount;
                links.push(l);
            }
        }
        links
    }

    /// `Документ.ПБДСРасчетыСКонтрагентами` / `Документ.ПКОРасчетыСКонтрагентами`.
    fn payment(&mut self, obj: &Element, keys: Keys<'_>) -> Result<Document, String> {
        let common = obj.child("ОбщиеДанные").ok_or("no ОбщиеДанные")?;
        let amount_text = common
            .text_at(&["Сумма"])
            .ok_or("no amount (ОбщиеДанные/Сумма)")?;
        let amount = positive(amount_text)?;
        let number = common
            .text_at(&["НомерВходящегоДокумента"])
            .map_or_else(|| keys.number.clone(), str::to_string);
        let date = match common.text_at(&["ДатаВходящегоДокумента"]) {
            Some(t) => parse_date(t).unwrap_or_else(|| {
                self.warn(
                    obj.line,
                    format!("{} {}: ДатаВходящегоДокумента {t:?} is not a date; the document date is used", short(&obj.name), keys.number),
                );
                keys.date
            }),
            None => keys.date,
        };
        let credited = common
            .text_at(&["ДатаВыписки"])
            .and_then(parse_date)
            .unwrap_or(keys.date);
        let mut payer = obj.child("Контрагент").map(party).unwrap_or_default();
        if payer.name.is_empty() {
            payer.name = common.text_at(&["ПринятоОт"]).unwrap_or("").to_string();
        }
        let purpose = common
            .text_at(&["НазначениеПлатежа"])
            .or_else(|| common.text_at(&["Основание"]))
            .unwrap_or("")
            .to_string();
        let links = self.rows_links(obj.child("РасшифровкаПлатежа"), "РасшифровкаПлатежа");
        Ok(Document::Payment(Payment {
            number: number.into(),
            date,
            credited: Some(credited),
            debited: None,
            amount,
            currency: currency(common.child("Валюта")),
            payer: payer.into(),
            payee: (keys.organization.map(party).unwrap_or_default()).into(),
            purpose: purpose.into(),
            direction: Some(Direction::Incoming),
            more: crate::model::PaymentMore {
                links: links.into(),
                id: keys.id.map(Into::into),
            }
            .boxed(),
            status: Status::Active,
            prov: Provenance {
                file: self.file,
                line: obj.line,
            },
        }))
    }
}

/// A positive amount, or why not.
fn positive(text: &str) -> Result<Decimal, String> {
    let a = parse_amount(text).map_err(|e| format!("amount {text:?}: {e}"))?;
    if a <= Decimal::ZERO {
        return Err(format!("amount {text:?} is not positive"));
    }
    Ok(a)
}

/// Why a receipt is not a customer's payment (`ВидРасчетов` other than `СПокупателем`).
fn not_a_customer_payment(obj: &Element) -> Option<String> {
    let kind = obj.text_at(&["ВидРасчетов"])?;
    if kind == "СПокупателем" {
        return None;
    }
    let number = obj
        .text_at(&["КлючевыеСвойства", "Номер"])
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    Some(format!(
        "{}{number}: ВидРасчетов = {kind}, not a customer's payment; counted as other",
        short(&obj.name)
    ))
}

/// Rows of `ДебиторскаяЗадолженность` that are a customer's debt (`ВидРасчетов` absent or
/// `СПокупателем`).
fn customer_debt_rows(obj: &Element) -> Vec<&Element> {
    obj.child("ДебиторскаяЗадолженность")
        .into_iter()
        .flat_map(|t| t.children_named("Строка"))
        .filter(|r| {
            r.text_at(&["ВидРасчетов"])
                .is_none_or(|v| v == "СПокупателем")
        })
        .collect()
}

/// A debt adjustment reduces a customer's debt when it writes it off or nets it against
/// what we owe them; moving a debt to another counterparty is not read.
fn adjustment_applies(obj: &Element) -> Result<(), String> {
    let number = obj
        .text_at(&["КлючевыеСвойства", "Номер"])
        .map(|n| format!(" {n}"))
        .unwrap_or_default();
    let what = format!("{}{number}", short(&obj.name));
    match obj.text_at(&["ВидОперации"]) {
        Some("СписаниеЗадолженности" | "ПроведениеВзаимозачета") =>
            {}
        Some(other) => {
            return Err(format!(
                "{what}: ВидОперации = {other} does not reduce a customer's debt; counted as other"
            ));
        }
        None => return Err(format!("{what}: no ВидОперации; counted as other")),
    }
    let has_rows = !customer_debt_rows(obj).is_empty();
    let has_total = obj
        .text_at(&["СуммаДебиторскойЗадолженности"])
        .and_then(|t| parse_amount(t).ok())
        .is_some_and(|a| a > Decimal::ZERO);
    if obj.child("КонтрагентДебитор").is_none() || !(has_rows || has_total) {
        return Err(format!(
            "{what}: no customer's debt (КонтрагентДебитор, ДебиторскаяЗадолженность) in it; counted as other"
        ));
    }
    Ok(())
}

/// The document's status and what says so.
fn status(obj: &Element) -> (Status, String) {
    let common = obj.child("ОбщиеСвойстваОбъектовФормата");
    let text = |name: &str| {
        obj.text_at(&[name])
            .or_else(|| common.and_then(|c| c.text_at(&[name])))
    };
    let state = text("СостояниеОбъекта");
    if flag(text("ПометкаУдаления")) == Some(true) {
        return (Status::Deleted, "ПометкаУдаления".into());
    }
    if state == Some("Устаревший") {
        return (Status::Cancelled, "СостояниеОбъекта = Устаревший".into());
    }
    if flag(text("Проведен")) == Some(false) {
        return (Status::Unposted, "Проведен = false".into());
    }
    if state == Some("Черновик") {
        return (Status::Unposted, "СостояниеОбъекта = Черновик".into());
    }
    (Status::Active, String::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    const NS_18: &str = "http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.8";
    const NS_121: &str = "http://v8.1c.ru/edi/edi_stnd/EnterpriseData/1.21";

    /// A message of this version around `body`, as БСП writes it.
    fn msg(ns: &str, body: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
<Message xmlns:msg=\"http://www.1c.ru/SSL/Exchange/Message\" xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
<msg:Header>\n<msg:Format>{ns}</msg:Format>\n<msg:CreationDate>2024-03-31T18:05:12</msg:CreationDate>\n</msg:Header>\n\
<Body xmlns=\"{ns}\">\n{body}</Body>\n</Message>\n"
        )
    }

    fn read_ok(text: &str) -> FileRead {
        read(text.as_bytes(), 0).unwrap_or_else(|e| panic!("{e:?}"))
    }

    const ORG: &str = "<Организация><Наименование>Северный ветер</Наименование><ИНН>7701234560</ИНН><КПП>770101001</КПП><ЮридическоеФизическоеЛицо>ЮридическоеЛицо</ЮридическоеФизическоеЛицо></Организация>";
    const ROMASHKA: &str = "<Контрагент><Наименование>Ромашка ООО</Наименование><НаименованиеПолное>Общество с ограниченной ответственностью \"Ромашка\"</НаименованиеПолное><ИНН>7707083893</ИНН><КПП>770701001</КПП><ЮридическоеФизическоеЛицо>ЮридическоеЛицо</ЮридическоеФизическоеЛицо></Контрагент>";
    const RUB_643: &str = "<Валюта><ДанныеКлассификатора><Код>643</Код><Наименование>руб.</Наименование></ДанныеКлассификатора></Валюта>";

    fn key(id: &str, date: &str, number: &str) -> String {
        format!(
            "<КлючевыеСвойства><Ссылка>{id}</Ссылка><Дата>{date}</Дата><Номер>{number}</Номер>{ORG}</КлючевыеСвойства>"
        )
    }

    fn invoice(d: &Document) -> &Invoice {
        match d {
            Document::Invoice(i) => i,
            other => panic!("not an invoice: {other:?}"),
        }
    }

    fn credit(d: &Document) -> &Credit {
        match d {
            Document::Credit(c) => c,
            other => panic!("not a credit: {other:?}"),
        }
    }

    fn payment(d: &Document) -> &Payment {
        match d {
            Document::Payment(p) => p,
            other => panic!("not a payment: {other:?}"),
        }
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn an_invoice_in_1_8_with_everything_the_register_needs() {
        let body = format!(
            "<Документ.СчетПокупателю>\n{}<Ответственный><Наименование>Иванова Мария</Наименование></Ответственный>{RUB_643}<Сумма>120000.00</Сумма>{ROMASHKA}<ДанныеВзаиморасчетов><Договор><ВидДоговора>СПокупателем</ВидДоговора><Наименование>Договор поставки</Наименование><Дата>2024-01-15</Дата><Номер>12/2024</Номер></Договор></ДанныеВзаиморасчетов></Документ.СчетПокупателю>\n",
            key("a1", "2024-03-01T10:15:00", "  00УТ-000101 ")
        );
        let r = read_ok(&msg(NS_18, &body));
        assert_eq!(r.format, Format::EnterpriseData);
        assert_eq!(r.version.as_deref(), Some("1.8"));
        assert_eq!(
            r.exported,
            Some(date(2024, 3, 31).and_hms_opt(18, 5, 12).unwrap())
        );
        assert_eq!(r.company_inns, vec!["7701234560".to_string()]);
        assert_eq!(r.documents.len(), 1, "{:?}", r.warnings);
        let i = invoice(&r.documents[0]);
        assert_eq!(i.number, "00УТ-000101");
        assert_eq!(i.date, date(2024, 3, 1));
        assert_eq!(i.id().map(|s| s.as_str()), Some("a1"));
        assert_eq!(i.amount, dec!(120000));
        assert_eq!(i.currency, "RUB");
        assert_eq!(i.customer.name, "Ромашка ООО");
        assert_eq!(i.customer.inn.as_deref(), Some("7707083893"));
        assert_eq!(i.customer.kpp.as_deref(), Some("770701001"));
        assert_eq!(i.contract.as_deref(), Some("№ 12/2024 от 15.01.2024"));
        assert_eq!(i.manager.as_deref(), Some("Иванова Мария"));
        assert_eq!(i.due, None);
        assert_eq!(i.status, Status::Active);
        assert_eq!(i.prov.line, 8);
        assert!(r.warnings.is_empty() && r.notes.is_empty());
    }

    #[test]
    fn an_invoice_in_1_21_has_its_manager_state_and_stage_under_the_common_properties() {
        let body = format!(
            "<Документ.СчетПокупателю>{}<Валюта><ДанныеКлассификатора><Наименование>руб.</Наименование></ДанныеКлассификатора></Валюта><Сумма>60000</Сумма>{ROMASHKA}<ДанныеВзаиморасчетов><Договор><Наименование>Основной договор</Наименование></Договор></ДанныеВзаиморасчетов><ОбщиеСвойстваОбъектовФормата><Ответственный><Наименование>Сидоров Павел</Наименование></Ответственный><СостояниеОбъекта>Актуальный</СостояниеОбъекта></ОбщиеСвойстваОбъектовФормата><ЭтапыОплаты><Строка><ВариантОплаты>Кредит</ВариантОплаты><ФормаОплаты>Безналичная</ФормаОплаты><ДатаПлатежа>2024-03-22</ДатаПлатежа><ПроцентПлатежа>100</ПроцентПлатежа><СуммаПлатежа>60000</СуммаПлатежа></Строка></ЭтапыОплаты></Документ.СчетПокупателю>",
            key("b1", "2024-03-12T09:00:00", "00БП-000045")
        );
        let r = read_ok(&msg(NS_121, &body));
        assert_eq!(r.version.as_deref(), Some("1.21"));
        let i = invoice(&r.documents[0]);
        assert_eq!(i.manager.as_deref(), Some("Сидоров Павел"));
        assert_eq!(i.due, Some(date(2024, 3, 22)));
        assert_eq!(i.contract.as_deref(), Some("Основной договор"));
        assert_eq!(i.currency, "RUB");
        assert_eq!(i.status, Status::Active);
        assert!(r.notes.is_empty(), "{:?}", r.notes);
    }

    #[test]
    fn several_payment_stages_age_from_the_last_one_with_a_note() {
        let body = format!(
            "<Документ.ЗаказКлиента>{}{RUB_643}<Сумма>45000</Сумма>{ROMASHKA}<ЭтапыОплаты><Строка><ДатаПлатежа>2024-03-25</ДатаПлатежа></Строка><Строка><ДатаПлатежа>2024-02-25</ДатаПлатежа></Строка><Строка><ДатаПлатежа>не дата</ДатаПлатежа></Строка></ЭтапыОплаты></Документ.ЗаказКлиента>",
            key("o1", "2024-02-20T00:00:00", "00УТ-000015")
        );
        let r = read_ok(&msg(NS_18, &body));
        let i = invoice(&r.documents[0]);
        assert_eq!(i.due, Some(date(2024, 3, 25)));
        assert_eq!(r.notes.len(), 1);
        assert!(
            r.notes[0]
                .message
                .contains("invoice 00УТ-000015 has 2 payment stages whose amounts do not add up to 45000.00: aged from the last one"),
            "{:?}",
            r.notes
        );
        assert_eq!(r.warnings.len(), 1);
        assert!(r.warnings[0].message.contains("\"не дата\""));
    }

    #[test]
    fn a_sale_replaces_the_invoice_and_the_order_it_names() {
        let body = format!(
            "<Документ.РеализацияТоваровУслуг>{}<ВидОперации>РеализацияКлиенту</ВидОперации>{RUB_643}<Сумма>120000</Сумма>{ROMASHKA}<ДанныеВзаиморасчетов/><Заказ><Ссылка>o1</Ссылка><Дата>2024-02-20T00:00:00</Дата><Номер>00УТ-000015</Номер></Заказ><СчетПокупателю><Ссылка>a1</Ссылка><Дата>2024-03-01T10:15:00</Дата><Номер>00УТ-000101</Номер>{ORG}</СчетПокупателю></Документ.РеализацияТоваровУслуг>",
            key("s1", "2024-03-10T12:00:00", "00УТ-000057")
        );
        let r = read_ok(&msg(NS_18, &body));
        let i = invoice(&r.documents[0]);
        assert_eq!(
            i.replaces(),
            vec![
                DocLink {
                    number: Some("00УТ-000101".into()),
                    date: Some(date(2024, 3, 1)),
                    id: Some("a1".into()),
                    amount: None
                },
                DocLink {
                    number: Some("00УТ-000015".into()),
                    date: Some(date(2024, 2, 20)),
                    id: Some("o1".into()),
                    amount: None
                },
            ]
        );
    }

    #[test]
    fn a_return_names_its_sale() {
        let body = format!(
            "<Документ.ВозвратТоваровОтПокупателя>{}<ВидОперации>ВозвратОтКлиента</ВидОперации>{RUB_643}<Сумма>20000</Сумма>{ROMASHKA}<ДанныеВзаиморасчетов/><ДокументРеализации><РеализацияТоваровУслугСсылка><Ссылка>s1</Ссылка><Дата>2024-03-10T12:00:00</Дата><Номер>00УТ-000057</Номер></РеализацияТоваровУслугСсылка></ДокументРеализации></Документ.ВозвратТоваровОтПокупателя>",
            key("r1", "2024-03-20T00:00:00", "00УТ-000004")
        );
        let r = read_ok(&msg(NS_18, &body));
        let c = credit(&r.documents[0]);
        assert_eq!(c.number, "00УТ-000004");
        assert_eq!(c.amount, dec!(20000));
        assert_eq!(c.links.len(), 1);
        assert_eq!(c.links[0].id.as_deref(), Some("s1"));
        assert_eq!(c.links[0].number.as_deref(), Some("00УТ-000057"));
        assert_eq!(c.links[0].amount, None);
    }

    #[test]
    fn a_return_that_settles_debts_by_document_links_them_with_amounts() {
        let body = format!(
            "<Документ.ВозвратТоваровОтПокупателя>{}{RUB_643}{ROMASHKA}<ДокументРеализации><РеализацияТоваровУслугСсылка><Номер>00УТ-000057</Номер></РеализацияТоваровУслугСсылка></ДокументРеализации><Товары><Строка><Количество>2</Количество><Сумма>1000</Сумма><СуммаНДС>200</СуммаНДС></Строка></Товары><ПогашениеЗадолженности><Строка><ДокументРасчетов><РеализацияТоваровУслугСсылка><Ссылка>s1</Ссылка><Номер>00УТ-000057</Номер></РеализацияТоваровУслугСсылка></ДокументРасчетов><Сумма>700</Сумма></Строка><Строка><ДокументРасчетов><РеализацияТоваровУслугСсылка><Ссылка>s2</Ссылка><Номер>00УТ-000058</Номер></РеализацияТоваровУслугСсылка></ДокументРасчетов><Сумма>300</Сумма></Строка></ПогашениеЗадолженности></Документ.ВозвратТоваровОтПокупателя>",
            key("r2", "2024-03-21", "00УТ-000005")
        );
        let r = read_ok(&msg(NS_18, &body));
        let c = credit(&r.documents[0]);
        // No Сумма: the rows' total (VAT included by default).
        assert_eq!(c.amount, dec!(1000));
        assert_eq!(
            c.links
                .iter()
                .map(|l| (l.id.as_deref(), l.amount))
                .collect::<Vec<_>>(),
            vec![(Some("s1"), Some(dec!(700))), (Some("s2"), Some(dec!(300)))]
        );
        assert!(r.notes[0].message.contains("no Сумма"), "{:?}", r.notes);
    }

    #[test]
    fn rows_without_vat_in_the_price_add_their_vat() {
        let body = format!(
            "<Документ.СчетПокупателю>{}{ROMASHKA}<СуммаВключаетНДС>false</СуммаВключаетНДС><Услуги><Строка><Сумма>1000</Сумма><СуммаНДС>200</СуммаНДС></Строка><Строка><Сумма>500.50</Сумма><СуммаНДС>100.10</СуммаНДС></Строка></Услуги></Документ.СчетПокупателю>",
            key("x", "2024-03-01", "7")
        );
        let r = read_ok(&msg(NS_18, &body));
        assert_eq!(invoice(&r.documents[0]).amount, dec!(1800.60));
    }

    #[test]
    fn a_debt_write_off_is_a_credit_and_a_debt_transfer_is_other() {
        let write_off = format!(
            "<Документ.КорректировкаДолга>{}{RUB_643}<ВидОперации>СписаниеЗадолженности</ВидОперации><СуммаДебиторскойЗадолженности>1500</СуммаДебиторскойЗадолженности><КонтрагентДебитор><Наименование>Ромашка ООО</Наименование><ИНН>7707083893</ИНН></КонтрагентДебитор><ДебиторскаяЗадолженность><Строка><Сумма>1000</Сумма><ДанныеВзаиморасчетов><Договор><Номер>12/2024</Номер></Договор></ДанныеВзаиморасчетов><ВидРасчетов>СПокупателем</ВидРасчетов><ДокументРасчетов><РеализацияТоваровУслугСсылка><Ссылка>s1</Ссылка><Номер>00УТ-000057</Номер></РеализацияТоваровУслугСсылка></ДокументРасчетов></Строка><Строка><Сумма>500</Сумма><ВидРасчетов>СПоставщиком</ВидРасчетов></Строка></ДебиторскаяЗадолженность></Документ.КорректировкаДолга>\n",
            key("k1", "2024-03-29", "00УТ-000002")
        );
        let transfer = format!(
            "<Документ.КорректировкаДолга>{}<ВидОперации>ПереносЗадолженности</ВидОперации></Документ.КорректировкаДолга>\n",
            key("k2", "2024-03-29", "00УТ-000003")
        );
        let r = read_ok(&msg(NS_18, &format!("{write_off}{transfer}")));
        assert_eq!(r.documents.len(), 1);
        let c = credit(&r.documents[0]);
        assert_eq!(c.amount, dec!(1000));
        assert_eq!(c.customer.inn.as_deref(), Some("7707083893"));
        assert_eq!(c.links.len(), 1);
        assert_eq!(c.links[0].amount, Some(dec!(1000)));
        assert_eq!(c.contract.as_deref(), Some("№ 12/2024"));
        assert_eq!(r.other, 1);
        assert!(
            r.notes
                .iter()
                .any(|n| n.message.contains("ПереносЗадолженности")),
            "{:?}",
            r.notes
        );
    }

    fn pbds(number: &str, kind: &str, extra: &str) -> String {
        format!(
            "<Документ.ПБДСРасчетыСКонтрагентами>{}<ОбщиеДанные><ДатаВыписки>2024-03-18</ДатаВыписки><ДатаВходящегоДокумента>2024-03-15</ДатаВходящегоДокумента><НомерВходящегоДокумента>512</НомерВходящегоДокумента><ТипПлатежногоДокумента>ПлатежноеПоручение</ТипПлатежногоДокумента>{RUB_643}<Сумма>70000.00</Сумма><НазначениеПлатежа>Оплата по счету № 101 от 01.03.2024</НазначениеПлатежа></ОбщиеДанные><ВидРасчетов>{kind}</ВидРасчетов>{ROMASHKA}<РасшифровкаПлатежа><Строка><Сумма>50000</Сумма><ДанныеВзаиморасчетов/><ДокументРасчетов><РеализацияТоваровУслугСсылка><Ссылка>s1</Ссылка><Дата>2024-03-10T12:00:00</Дата><Номер>00УТ-000057</Номер></РеализацияТоваровУслугСсылка></ДокументРасчетов></Строка><Строка><Заказ><ЗаказКлиента><Ссылка>o1</Ссылка><Дата>2024-02-20</Дата><Номер>00УТ-000015</Номер></ЗаказКлиента></Заказ><Сумма>20000</Сумма><ДанныеВзаиморасчетов/></Строка><Строка><Сумма>0.00</Сумма><ДанныеВзаиморасчетов/><ДокументРасчетов><ПБДСРасчетыСКонтрагентамиСсылка><Номер>1</Номер></ПБДСРасчетыСКонтрагентамиСсылка></ДокументРасчетов></Строка></РасшифровкаПлатежа>{extra}</Документ.ПБДСРасчетыСКонтрагентами>\n",
            key("p1", "2024-03-18T00:00:00", number)
        )
    }

    #[test]
    fn a_bank_receipt_keeps_the_payers_order_number_and_the_links_with_amounts() {
        let r = read_ok(&msg(NS_18, &pbds("00УТ-000031", "СПокупателем", "")));
        let p = payment(&r.documents[0]);
        assert_eq!(p.number, "512");
        assert_eq!(p.date, date(2024, 3, 15));
        assert_eq!(p.credited, Some(date(2024, 3, 18)));
        assert_eq!(p.amount, dec!(70000));
        assert_eq!(p.direction, Some(Direction::Incoming));
        assert_eq!(&*p.purpose.text(), "Оплата по счету № 101 от 01.03.2024");
        assert_eq!(p.payer.inn.as_deref(), Some("7707083893"));
        assert_eq!(p.payee.inn.as_deref(), Some("7701234560"));
        assert_eq!(p.id().map(|s| s.as_str()), Some("p1"));
        assert_eq!(
            p.links(),
            vec![
                DocLink {
                    number: Some("00УТ-000057".into()),
                    date: Some(date(2024, 3, 10)),
                    id: Some("s1".into()),
                    amount: Some(dec!(50000))
                },
                DocLink {
                    number: Some("00УТ-000015".into()),
                    date: Some(date(2024, 2, 20)),
                    id: Some("o1".into()),
                    amount: Some(dec!(20000))
                },
            ]
        );
    }

    #[test]
    fn without_an_incoming_number_the_document_number_and_date_are_used() {
        let body = format!(
            "<Документ.ПКОРасчетыСКонтрагентами>{}<ОбщиеДанные>{RUB_643}<Сумма>22500</Сумма><Основание>Оплата по заказу № 15</Основание><ПринятоОт>Смирнов А.В.</ПринятоОт></ОбщиеДанные><Контрагент><Наименование></Наименование><ИНН>7725418937</ИНН></Контрагент><ВидРасчетов>СПокупателем</ВидРасчетов><РасшифровкаПлатежа><Строка><Сумма>22500</Сумма><ДанныеВзаиморасчетов/></Строка></РасшифровкаПлатежа></Документ.ПКОРасчетыСКонтрагентами>",
            key("c1", "2024-03-20T11:00:00", "00УТ-000009")
        );
        let r = read_ok(&msg(NS_18, &body));
        let p = payment(&r.documents[0]);
        assert_eq!(p.number, "00УТ-000009");
        assert_eq!(p.date, date(2024, 3, 20));
        assert_eq!(p.credited, Some(date(2024, 3, 20)));
        assert_eq!(&*p.purpose.text(), "Оплата по заказу № 15");
        assert_eq!(p.payer.name, "Смирнов А.В.");
        assert!(p.links().is_empty());
    }

    #[test]
    fn supplier_receipts_other_documents_and_catalogs() {
        let body = format!(
            "<Справочник.Контрагенты><КлючевыеСвойства><Наименование>Ромашка</Наименование></КлючевыеСвойства></Справочник.Контрагенты>\n{}<Документ.ПоступлениеТоваровУслуг>{}</Документ.ПоступлениеТоваровУслуг>\n<Документ.ПоступлениеТоваровУслуг>{}</Документ.ПоступлениеТоваровУслуг>\n",
            pbds("00УТ-000032", "СПоставщиком", ""),
            key("g1", "2024-03-01", "1"),
            key("g2", "2024-03-02", "2")
        );
        let r = read_ok(&msg(NS_18, &body));
        assert!(r.documents.is_empty());
        assert_eq!(r.other, 3);
        assert_eq!(r.read_count(), 3);
        assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
        assert!(r.notes[0].message.contains("ВидРасчетов = СПоставщиком"));
        assert_eq!(r.notes[0].line, Some(9));
        assert!(
            r.notes[1]
                .message
                .starts_with("Документ.ПоступлениеТоваровУслуг (and 1 more): not an invoice")
        );
        assert_eq!(r.notes[1].line, Some(10));
    }

    #[test]
    fn deleted_unposted_draft_and_obsolete_documents_are_kept_with_their_status() {
        let deleted = pbds(
            "00УТ-000033",
            "СПокупателем",
            "<ПометкаУдаления>true</ПометкаУдаления>",
        );
        let unposted = pbds("00УТ-000034", "СПокупателем", "<Проведен>false</Проведен>");
        let draft = format!(
            "<Документ.СчетПокупателю>{}<Сумма>10000</Сумма>{ROMASHKA}<ОбщиеСвойстваОбъектовФормата><СостояниеОбъекта>Черновик</СостояниеОбъекта></ОбщиеСвойстваОбъектовФормата></Документ.СчетПокупателю>\n",
            key("d1", "2024-03-28", "00БП-000046")
        );
        let obsolete = format!(
            "<Документ.СчетПокупателю>{}<Сумма>10000</Сумма>{ROMASHKA}<ОбщиеСвойстваОбъектовФормата><СостояниеОбъекта>Устаревший</СостояниеОбъекта></ОбщиеСвойстваОбъектовФормата></Документ.СчетПокупателю>\n",
            key("d2", "2024-03-28", "00БП-000047")
        );
        let r = read_ok(&msg(
            NS_121,
            &format!("{deleted}{unposted}{draft}{obsolete}"),
        ));
        let statuses: Vec<Status> = r
            .documents
            .iter()
            .map(|d| match d {
                Document::Invoice(i) => i.status,
                Document::Payment(p) => p.status,
                Document::Credit(c) => c.status,
            })
            .collect();
        assert_eq!(
            statuses,
            vec![
                Status::Deleted,
                Status::Unposted,
                Status::Unposted,
                Status::Cancelled
            ]
        );
        assert_eq!(r.notes.len(), 4);
        assert!(
            r.notes[0].message.starts_with(
                "ПБДСРасчетыСКонтрагентами 00УТ-000033 of 18.03.2024 is marked for deletion (ПометкаУдаления)"
            ),
            "{:?}",
            r.notes[0]
        );
        assert!(r.notes[2].message.contains("СостояниеОбъекта = Черновик"));
        assert_eq!(r.notes[2].line, Some(10));
    }

    #[test]
    fn broken_documents_are_skipped_with_their_line() {
        let body = format!(
            "<Документ.СчетПокупателю><КлючевыеСвойства><Дата>2024-03-01</Дата></КлючевыеСвойства></Документ.СчетПокупателю>\n\
<Документ.СчетПокупателю><КлючевыеСвойства><Номер>5</Номер><Дата>0001-01-01T00:00:00</Дата></КлючевыеСвойства></Документ.СчетПокупателю>\n\
<Документ.СчетПокупателю>{}<Сумма>сто рублей</Сумма>{ROMASHKA}</Документ.СчетПокупателю>\n\
<Документ.СчетПокупателю>{}<Сумма>-5</Сумма>{ROMASHKA}</Документ.СчетПокупателю>\n\
<Документ.СчетПокупателю>{}<Сумма>5</Сумма></Документ.СчетПокупателю>\n\
<Документ.ПБДСРасчетыСКонтрагентами>{}<ВидРасчетов>СПокупателем</ВидРасчетов></Документ.ПБДСРасчетыСКонтрагентами>\n",
            key("1", "2024-03-01", "6"),
            key("2", "2024-03-01", "7"),
            key("3", "2024-03-01", "8"),
            key("4", "2024-03-01", "9"),
        );
        let r = read_ok(&msg(NS_18, &body));
        assert!(r.documents.is_empty());
        assert_eq!(r.skipped, 6);
        let lines: Vec<Option<u32>> = r.warnings.iter().map(|w| w.line).collect();
        assert_eq!(
            lines,
            vec![Some(8), Some(9), Some(10), Some(11), Some(12), Some(13)]
        );
        let m: Vec<&str> = r.warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(m[0].contains("no number"), "{m:?}");
        assert!(
            m[1].contains("\"0001-01-01T00:00:00\" is not a date"),
            "{m:?}"
        );
        assert!(
            m[2].starts_with("СчетПокупателю 6 skipped: amount \"сто рублей\""),
            "{m:?}"
        );
        assert!(m[3].contains("not positive"), "{m:?}");
        assert!(m[4].contains("no Контрагент"), "{m:?}");
        assert!(m[5].contains("no ОбщиеДанные"), "{m:?}");
    }

    #[test]
    fn a_message_without_a_body_is_not_enterprisedata() {
        let err = read(
            b"<Message xmlns:msg=\"http://www.1c.ru/SSL/Exchange/Message\"><msg:Header/></Message>",
            0,
        )
        .unwrap_err();
        assert_eq!(err.message, "Message without Body: not EnterpriseData");
        assert_eq!(err.line, Some(1));
        assert!(read(b"<Message><Body>", 0).is_err());
        assert!(read(b"", 0).is_err());
    }

    #[test]
    fn the_version_falls_back_to_the_body_namespace() {
        let text = format!("<Message><Body xmlns=\"{NS_121}\"></Body></Message>");
        let r = read_ok(&text);
        assert_eq!(r.version.as_deref(), Some("1.21"));
        assert_eq!(r.exported, None);
        assert_eq!(version_of("urn:nothing"), None);
        assert_eq!(version_of(&format!("{NS_18}/")).as_deref(), Some("1.8"));
    }

    #[test]
    fn currencies_and_datetimes() {
        let usd = Element {
            name: "Валюта".into(),
            children: vec![Element {
                name: "ДанныеКлассификатора".into(),
                children: vec![Element {
                    name: "Код".into(),
                    text: "840".into(),
                    ..Element::default()
                }],
                ..Element::default()
            }],
            ..Element::default()
        };
        assert_eq!(currency(Some(&usd)), "USD");
        assert_eq!(currency(None), "RUB");
        assert_eq!(
            parse_datetime("2024-03-31T18:05:12.123+03:00"),
            date(2024, 3, 31).and_hms_opt(18, 5, 12)
        );
        assert_eq!(
            parse_datetime("2024-03-31"),
            date(2024, 3, 31).and_hms_opt(0, 0, 0)
        );
        assert_eq!(parse_datetime("вчера"), None);
        assert_eq!(parse_datetime("31.02.2024 10:00:00"), None);
    }

    #[test]
    fn an_invalid_company_inn_is_noted_once_and_not_used() {
        let org = "<Организация><Наименование>Х</Наименование><ИНН>7701234561</ИНН></Организация>";
        let one = format!(
            "<Документ.СчетПокупателю><КлючевыеСвойства><Дата>2024-03-01</Дата><Номер>1</Номер>{org}</КлючевыеСвойства><Сумма>5</Сумма>{ROMASHKA}</Документ.СчетПокупателю>\n"
        );
        let r = read_ok(&msg(NS_18, &one.repeat(2)));
        assert!(r.company_inns.is_empty());
        assert_eq!(r.notes.len(), 1, "{:?}", r.notes);
        assert!(r.notes[0].message.contains("7701234561"));
    }

    #[test]
    fn object_deletions_are_noted() {
        let body = "<УдалениеОбъекта><СсылкаНаОбъект><СсылкаНаОбъект><СчетПокупателюСсылка>a1</СчетПокупателюСсылка></СсылкаНаОбъект></СсылкаНаОбъект></УдалениеОбъекта>\n";
        let r = read_ok(&msg(NS_18, body));
        assert_eq!(r.other, 0);
        assert!(r.notes[0].message.contains("СчетПокупателюСсылка a1"));
    }

    #[test]
    fn windows_1251_is_read_too() {
        let body = format!(
            "<Документ.СчетПокупателю>{}<Сумма>5</Сумма>{ROMASHKA}</Документ.СчетПокупателю>\n",
            key("a", "2024-03-01", "1")
        );
        let text = msg(NS_18, &body).replace("UTF-8", "windows-1251");
        let bytes = encoding_rs::WINDOWS_1251.encode(&text).0;
        let r = read(&bytes, 0).unwrap();
        assert_eq!(
            r.encoding,
            Some(crate::formats::encoding::TextEncoding::Windows1251)
        );
        assert_eq!(invoice(&r.documents[0]).customer.name, "Ромашка ООО");
    }

    /// The fixtures under `tests/fixtures/enterprisedata/` read as their README says.
    #[test]
    fn the_fixtures_read_as_their_readme_says() {
        let notes = |r: &FileRead| -> Vec<(Option<u32>, String)> {
            r.notes
                .iter()
                .map(|n| (n.line, n.message.clone()))
                .collect()
        };
        let inv = read_ok(include_str!(
            "../../tests/fixtures/enterprisedata/ed_1_8_invoices.xml"
        ));
        assert_eq!((inv.documents.len(), inv.other, inv.skipped), (4, 0, 0));
        assert_eq!(inv.company_inns, vec!["7701234560".to_string()]);
        assert_eq!(inv.exported, date(2024, 3, 31).and_hms_opt(18, 0, 0));
        let sale = invoice(&inv.documents[2]);
        assert_eq!(sale.number, "00УТ-000057");
        assert_eq!(
            sale.replaces()[0].id.as_deref(),
            Some("0d5c2a84-d7a4-11ee-9f1b-00155d0a1f01")
        );
        let order = invoice(&inv.documents[3]);
        assert_eq!(order.due, Some(date(2024, 3, 25)));
        // Two stages of 22 500.00 that add up to the order: each is a debt of its own.
        assert_eq!(
            order.installments(),
            vec![
                Installment {
                    due: date(2024, 2, 25),
                    amount: rust_decimal_macros::dec!(22500.00)
                },
                Installment {
                    due: date(2024, 3, 25),
                    amount: rust_decimal_macros::dec!(22500.00)
                },
            ]
        );
        assert!(notes(&inv).is_empty(), "{:?}", notes(&inv));

        let rec = read_ok(include_str!(
            "../../tests/fixtures/enterprisedata/ed_1_8_receipts.xml"
        ));
        assert_eq!((rec.documents.len(), rec.other, rec.skipped), (3, 1, 0));
        assert_eq!(payment(&rec.documents[2]).status, Status::Deleted);
        assert_eq!(
            notes(&rec),
            vec![
                (
                    Some(198),
                    "ПБДСРасчетыСКонтрагентами 00УТ-000032: ВидРасчетов = СПоставщиком, not a customer's payment; counted as other".to_string()
                ),
                (
                    Some(285),
                    "ПБДСРасчетыСКонтрагентами 00УТ-000033 of 21.03.2024 is marked for deletion (ПометкаУдаления): read, left out of the register".to_string()
                ),
            ]
        );

        let ret = read_ok(include_str!(
            "../../tests/fixtures/enterprisedata/ed_1_8_return.xml"
        ));
        assert_eq!(
            credit(&ret.documents[0]).links[0].number.as_deref(),
            Some("00УТ-000057")
        );

        let mixed = read_ok(include_str!(
            "../../tests/fixtures/enterprisedata/ed_1_21_mixed.xml"
        ));
        assert_eq!(mixed.version.as_deref(), Some("1.21"));
        assert_eq!(
            notes(&mixed),
            vec![(
                Some(99),
                "СчетПокупателю 00БП-000046 of 28.03.2024 is not posted (СостояниеОбъекта = Черновик): read, left out of the register".to_string()
            )]
        );
        for r in [&inv, &rec, &ret, &mixed] {
            assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        }
    }

    /// Every prefix of a full message, and a few mangled ones, reads or fails cleanly.
    #[test]
    fn no_input_panics() {
        let body = format!(
            "{}{}",
            pbds("1", "СПокупателем", "<ПометкаУдаления>да</ПометкаУдаления>"),
            "<Документ.КорректировкаДолга><КлючевыеСвойства><Номер>1</Номер><Дата>2024-01-01</Дата></КлючевыеСвойства><ВидОперации>СписаниеЗадолженности</ВидОперации><КонтрагентДебитор/><СуммаДебиторскойЗадолженности>1</СуммаДебиторскойЗадолженности></Документ.КорректировкаДолга>"
        );
        let text = msg(NS_18, &body);
        let chars: Vec<(usize, char)> = text.char_indices().collect();
        for (i, _) in chars.iter().step_by(7) {
            let _ = read(&text.as_bytes()[..*i], 0);
        }
        for cut in [3usize, 100, 1000] {
            let mut bytes = text.as_bytes().to_vec();
            bytes.truncate(cut.min(bytes.len()));
            bytes.extend_from_slice(&[0xFF, 0xD0]);
            let _ = read(&bytes, 0);
        }
        let weird = text
            .replace("<Сумма>", "<Сумма>9999999999999999999999")
            .replace("2024", "99999");
        let _ = read(weird.as_bytes(), 0);
    }
}
