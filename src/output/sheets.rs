//! The sheets of each command: which columns a register, a match log or a file listing
//! has, in Russian or English, and which of them the terminal table shows.

use super::Lang;
use super::sheet::{Cell, Sheet};
use crate::aging::{Amounts, DebtKind, Register};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// One row per what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GroupBy {
    #[default]
    Counterparty,
    Invoice,
    Manager,
    /// Per counterparty and contract (settled per contract).
    Contract,
}

impl GroupBy {
    pub fn parse(s: &str) -> Option<GroupBy> {
        match s.to_lowercase().as_str() {
            "counterparty" | "customer" => Some(GroupBy::Counterparty),
            "invoice" => Some(GroupBy::Invoice),
            "manager" => Some(GroupBy::Manager),
            "contract" => Some(GroupBy::Contract),
            _ => None,
        }
    }
}

fn date_text(lang: Lang, d: chrono::NaiveDate) -> String {
    match lang {
        Lang::Ru => crate::dates::ru(d),
        Lang::En => crate::dates::iso(d),
    }
}

/// The bucket headers: `Не наступил` / `Not due`, then `1-30`, … as configured.
pub fn bucket_headers(reg: &Register, lang: Lang) -> Vec<String> {
    reg.bucket_names
        .iter()
        .map(|b| {
            if b == "not_due" {
                lang.t("Не наступил", "Not due").to_string()
            } else {
                b.clone()
            }
        })
        .collect()
}

/// The register's sheets: the register itself, then the unidentified receipts if any.
pub fn register(reg: &Register, by: GroupBy, lang: Lang) -> Vec<Sheet> {
    let title = format!(
        "{} {}",
        lang.t(
            "Реестр дебиторской задолженности на",
            "Debtor register as of"
        ),
        date_text(lang, reg.as_of)
    );
    let mut sheets = vec![match by {
        GroupBy::Counterparty | GroupBy::Contract => by_counterparty(reg, lang, title),
        GroupBy::Invoice => by_invoice(reg, lang, title),
        GroupBy::Manager => by_manager(reg, lang, title),
    }];
    if !reg.unidentified.is_empty() {
        sheets.push(receipts_sheet(
            &reg.unidentified,
            lang.t("Неопознанные", "Unidentified"),
            lang.t("Неопознанные поступления", "Unidentified receipts"),
            lang,
        ));
    }
    if !reg.agent_receipts.is_empty() {
        sheets.push(receipts_sheet(
            &reg.agent_receipts,
            lang.t("Агенты", "Agents"),
            lang.t(
                "Поступления от агентов (эквайринг, маркетплейсы): не оплата долгов",
                "Receipts from agents (acquiring, marketplaces): not payments of debts",
            ),
            lang,
        ));
    }
    sheets
}

fn amounts_cells(a: &Amounts) -> Vec<Cell> {
    let mut cells = vec![Cell::Money(a.outstanding)];
    cells.extend(a.buckets.iter().map(|b| Cell::Money(*b)));
    cells.push(Cell::Money(a.advance));
    cells.push(Cell::Money(a.net));
    cells
}

fn amounts_columns(s: &mut Sheet, reg: &Register, lang: Lang) {
    s.column(lang.t("Долг", "Outstanding"), true);
    for h in bucket_headers(reg, lang) {
        s.column(h, true);
    }
    s.column(lang.t("Аванс", "Advance"), true);
    s.column(lang.t("Сальдо", "Net"), true);
}

fn several_currencies(reg: &Register) -> bool {
    reg.rows.iter().any(|r| r.currency != crate::model::RUB)
}

/// Flags a person should see beside a row: debts aged from an assumed due date, refunds
/// paid beyond the customer's advance.
fn row_notes(r: &crate::aging::Row, lang: Lang) -> String {
    let mut notes = Vec::new();
    if r.no_due_date {
        notes.push(lang.t("срок не указан", "no due date"));
    }
    if r.debts.iter().any(|d| d.kind == DebtKind::Refund) {
        notes.push(lang.t("возврат без переплаты", "refund beyond the advance"));
    }
    notes.join("; ")
}

fn by_counterparty(reg: &Register, lang: Lang, title: String) -> Sheet {
    let mut s = Sheet::new(lang.t("Реестр", "Register"), title);
    let multi = several_currencies(reg);
    s.column(lang.t("Контрагент", "Counterparty"), true)
        .column(lang.t("ИНН", "INN"), true)
        .column(lang.t("КПП", "KPP"), false)
        .column(lang.t("Менеджер", "Manager"), true)
        .column(lang.t("Валюта", "Currency"), multi)
        .column(lang.t("Начислено", "Invoiced"), false)
        .column(lang.t("Возвращено покупателю", "Refunded"), false)
        .column(lang.t("Оплачено", "Paid"), false)
        .column(lang.t("Зачтено", "Credited"), false)
        .column(lang.t("Списано", "Written off"), false);
    amounts_columns(&mut s, reg, lang);
    let valued = reg.rows.iter().any(|r| r.valuation.is_some());
    s.column(lang.t("Дней просрочки", "Days overdue"), true)
        .column(lang.t("Последняя оплата", "Last payment"), false);
    // Rows in other currencies valued in roubles, when rates were given.
    if valued {
        s.column(
            lang.t(
                "Сальдо в руб. по курсу на дату",
                "Net in RUB at the report date's rate",
            ),
            true,
        );
    }
    s.column(lang.t("Примечание", "Note"), true);
    let flows = |a: &Amounts| {
        vec![
            Cell::Money(a.invoiced),
            Cell::Money(a.refunded),
            Cell::Money(a.paid),
            Cell::Money(a.credited),
            Cell::Money(a.written_off),
        ]
    };
    for r in &reg.rows {
        let mut cells = vec![
            Cell::text(&r.counterparty),
            Cell::opt_text(r.inn.as_deref()),
            Cell::opt_text(r.kpp.as_deref()),
            Cell::opt_text(r.manager.as_deref()),
            Cell::text(&r.currency),
        ];
        cells.extend(flows(&r.amounts));
        cells.extend(amounts_cells(&r.amounts));
        cells.push(Cell::Int(r.max_days_overdue));
        cells.push(Cell::opt_date(r.last_payment_date));
        if valued {
            cells.push(
                r.valuation
                    .as_ref()
                    .map_or(Cell::Empty, |v| Cell::Money(v.net)),
            );
        }
        let notes = row_notes(r, lang);
        cells.push(if notes.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(notes)
        });
        s.rows.push(cells);
    }
    s.totals = totals_row(
        reg,
        lang,
        |t| {
            let mut cells = vec![Cell::Empty; 5];
            cells.extend(flows(t));
            cells.extend(amounts_cells(t));
            cells.extend([Cell::Empty, Cell::Empty, Cell::Empty]);
            if valued {
                cells.push(Cell::Empty);
            }
            cells
        },
        4,
    );
    if reg.show_future {
        // Before the note: what was paid after the date, and what that leaves.
        let at = s.columns.len() - 1;
        let paid: Vec<Cell> = reg
            .rows
            .iter()
            .map(|r| Cell::Money(r.future_paid()))
            .collect();
        let left: Vec<Cell> = reg
            .rows
            .iter()
            .map(|r| Cell::Money(r.amounts.outstanding - r.future_paid()))
            .collect();
        s.insert_column(at, FUTURE_PAID.pick(lang), true, paid);
        s.insert_column(at + 1, FUTURE_LEFT.pick(lang), true, left);
        if let (Some(t), [(_, _)]) = (&mut s.totals, &reg.totals[..]) {
            let paid: Decimal = reg.rows.iter().map(|r| r.future_paid()).sum();
            t[at] = Cell::Money(paid);
            t[at + 1] = Cell::Money(reg.totals[0].1.outstanding - paid);
        }
    }
    if reg.by_contract {
        let cells = reg.rows.iter().map(|r| contract_cell(r, lang)).collect();
        s.insert_column(4, lang.t("Договор", "Contract"), true, cells);
    }
    s.hide_empty_in_table();
    s
}

/// A header in both languages.
struct Header(&'static str, &'static str);

impl Header {
    fn pick(&self, lang: Lang) -> &'static str {
        lang.t(self.0, self.1)
    }
}

const FUTURE_PAID: Header = Header("Оплачено после даты", "Paid after the date");
const FUTURE_LEFT: Header = Header("Остаток после оплат", "Left after them");
const FUTURE_LIST: Header = Header("Оплаты после даты", "Payments after the date");

/// The contract of a row settled per contract, as the documents write it.
fn contract_cell(r: &crate::aging::Row, lang: Lang) -> Cell {
    match &r.contract {
        Some(c) => Cell::text(c),
        None => Cell::text(lang.t("(без договора)", "(no contract)")),
    }
}

/// The totals row: for a single currency its sums, labelled in the first column; with
/// several currencies no grand total is possible without a rate, so none is shown.
fn totals_row(
    reg: &Register,
    lang: Lang,
    cells: impl Fn(&Amounts) -> Vec<Cell>,
    currency_col: usize,
) -> Option<Vec<Cell>> {
    if reg.rows.is_empty() || reg.totals.len() != 1 {
        return None;
    }
    let (currency, t) = &reg.totals[0];
    let mut row = cells(t);
    row[0] = Cell::text(lang.t("ИТОГО", "TOTAL"));
    if several_currencies(reg) {
        row[currency_col] = Cell::text(currency);
    }
    Some(row)
}

fn by_invoice(reg: &Register, lang: Lang, title: String) -> Sheet {
    let mut s = Sheet::new(lang.t("Реестр", "Register"), title);
    let multi = several_currencies(reg);
    s.column(lang.t("Контрагент", "Counterparty"), true)
        .column(lang.t("ИНН", "INN"), true)
        .column(lang.t("Менеджер", "Manager"), true)
        .column(lang.t("Документ", "Document"), true)
        .column(lang.t("Номер", "Number"), true)
        .column(lang.t("Дата", "Date"), true)
        .column(lang.t("Срок оплаты", "Due date"), true)
        .column(lang.t("Валюта", "Currency"), multi)
        .column(lang.t("Сумма", "Amount"), true)
        .column(lang.t("Оплачено", "Paid"), true)
        .column(lang.t("Зачтено", "Credited"), true)
        .column(lang.t("Списано", "Written off"), true)
        .column(lang.t("Долг", "Outstanding"), true)
        .column(lang.t("Аванс", "Advance"), true)
        .column(lang.t("Дней просрочки", "Days overdue"), true)
        .column(lang.t("Интервал", "Bucket"), true)
        .column(lang.t("Примечание", "Note"), true);
    const OUTSTANDING: usize = 12;
    const ADVANCE: usize = 13;
    let headers = bucket_headers(reg, lang);
    let mut contracts = Vec::new();
    let mut future: Vec<[Cell; 3]> = Vec::new();
    for r in &reg.rows {
        for d in &r.debts {
            contracts.push(contract_cell(r, lang));
            let paid: Decimal = d.future.iter().map(|f| f.amount).sum();
            let list: Vec<String> = d
                .future
                .iter()
                .map(|f| {
                    format!(
                        "{} №{} {}",
                        date_text(lang, f.date),
                        f.number,
                        match lang {
                            Lang::Ru =>
                                crate::money::Money(f.amount, crate::money::MoneyStyle::Grouped)
                                    .to_string(),
                            Lang::En =>
                                crate::money::Money(f.amount, crate::money::MoneyStyle::GroupedEn)
                                    .to_string(),
                        }
                    )
                })
                .collect();
            future.push([
                Cell::Money(paid),
                Cell::Money(d.outstanding - paid),
                if list.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(list.join("; "))
                },
            ]);
            let (kind, note) = match d.kind {
                DebtKind::Invoice => (lang.t("Счёт", "Invoice"), ""),
                DebtKind::Refund => (
                    lang.t("Возврат денег", "Refund"),
                    lang.t("возврат без переплаты", "refund beyond the advance"),
                ),
            };
            // The due date shown is the one used; the note says when no document gave it.
            let note = match d.due_from {
                crate::terms::DueFrom::Default => lang.t("срок не указан", "no due date"),
                crate::terms::DueFrom::Terms => {
                    lang.t("срок по условиям договора", "due by the agreed term")
                }
                crate::terms::DueFrom::Document => note,
            };
            s.rows.push(vec![
                Cell::text(&r.counterparty),
                Cell::opt_text(r.inn.as_deref()),
                Cell::opt_text(d.manager.as_deref().or(r.manager.as_deref())),
                Cell::text(kind),
                Cell::Text(match d.installment {
                    Some(k) => format!("{} ({} {k})", d.number, lang.t("этап", "stage")),
                    None => d.number.to_string(),
                }),
                Cell::Date(d.date),
                Cell::Date(d.due),
                Cell::text(&r.currency),
                Cell::Money(d.amount),
                Cell::Money(d.paid),
                Cell::Money(d.credited),
                Cell::Money(d.written_off),
                Cell::Money(d.outstanding),
                Cell::Empty,
                Cell::Int(d.days_overdue.max(0)),
                Cell::text(&headers[d.bucket]),
                if note.is_empty() {
                    Cell::Empty
                } else {
                    Cell::text(note)
                },
            ]);
        }
        // The customer's unapplied money, so the sheet adds up to the register's net.
        if !r.amounts.advance.is_zero() {
            contracts.push(contract_cell(r, lang));
            future.push([Cell::Empty, Cell::Empty, Cell::Empty]);
            let mut row = vec![Cell::Empty; s.columns.len()];
            row[0] = Cell::text(&r.counterparty);
            row[1] = Cell::opt_text(r.inn.as_deref());
            row[2] = Cell::opt_text(r.manager.as_deref());
            row[3] = Cell::text(lang.t("Аванс", "Advance"));
            row[7] = Cell::text(&r.currency);
            row[ADVANCE] = Cell::Money(r.amounts.advance);
            s.rows.push(row);
        }
    }
    if !s.rows.is_empty() && reg.totals.len() == 1 {
        let t = &reg.totals[0].1;
        let mut row = vec![Cell::Empty; s.columns.len()];
        row[0] = Cell::text(lang.t("ИТОГО", "TOTAL"));
        row[OUTSTANDING] = Cell::Money(t.outstanding);
        row[ADVANCE] = Cell::Money(t.advance);
        s.totals = Some(row);
    }
    // Credited and written off only when some debt has them.
    for (col, any) in [
        (
            10,
            reg.rows
                .iter()
                .flat_map(|r| &r.debts)
                .any(|d| !d.credited.is_zero()),
        ),
        (
            11,
            reg.rows
                .iter()
                .flat_map(|r| &r.debts)
                .any(|d| !d.written_off.is_zero()),
        ),
    ] {
        s.columns[col].in_table = any;
    }
    if reg.show_future {
        let at = s.columns.len() - 1;
        let [mut paid, mut left, mut list] = [Vec::new(), Vec::new(), Vec::new()];
        for [p, l, t] in future {
            paid.push(p);
            left.push(l);
            list.push(t);
        }
        s.insert_column(at, FUTURE_PAID.pick(lang), true, paid);
        s.insert_column(at + 1, FUTURE_LEFT.pick(lang), true, left);
        s.insert_column(at + 2, FUTURE_LIST.pick(lang), true, list);
        if let (Some(t), [(_, totals)]) = (&mut s.totals, &reg.totals[..]) {
            let paid: Decimal = reg.rows.iter().map(|r| r.future_paid()).sum();
            t[at] = Cell::Money(paid);
            t[at + 1] = Cell::Money(totals.outstanding - paid);
        }
    }
    if reg.by_contract {
        s.insert_column(3, lang.t("Договор", "Contract"), true, contracts);
    }
    s.hide_empty_in_table();
    s
}

fn by_manager(reg: &Register, lang: Lang, title: String) -> Sheet {
    let mut s = Sheet::new(lang.t("Реестр", "Register"), title);
    let multi = several_currencies(reg);
    s.column(lang.t("Менеджер", "Manager"), true)
        .column(lang.t("Валюта", "Currency"), multi)
        .column(lang.t("Контрагентов", "Counterparties"), true);
    amounts_columns(&mut s, reg, lang);
    s.column(lang.t("Дней просрочки", "Days overdue"), true);
    let nobody = lang.t("(не назначен)", "(unassigned)").to_string();
    // Per manager and currency: the customers (a customer with rows per contract counts
    // once), the sums, the oldest overdue age.
    type Sums = (std::collections::BTreeSet<usize>, Amounts, i64, Decimal);
    let mut groups: BTreeMap<(bool, String, String), Sums> = BTreeMap::new();
    for r in &reg.rows {
        let name = r.manager.clone().unwrap_or_else(|| nobody.clone());
        let e = groups
            .entry((r.manager.is_none(), name, r.currency.clone()))
            .or_insert_with(|| {
                (
                    std::collections::BTreeSet::new(),
                    Amounts {
                        buckets: vec![Decimal::ZERO; r.amounts.buckets.len()],
                        ..Amounts::default()
                    },
                    0,
                    Decimal::ZERO,
                )
            });
        e.0.insert(r.party);
        e.3 += r.future_paid();
        let a = &mut e.1;
        a.outstanding += r.amounts.outstanding;
        a.advance += r.amounts.advance;
        a.net += r.amounts.net;
        for (x, y) in a.buckets.iter_mut().zip(&r.amounts.buckets) {
            *x += *y;
        }
        e.2 = e.2.max(r.max_days_overdue);
    }
    if reg.show_future {
        s.column(FUTURE_PAID.pick(lang), true)
            .column(FUTURE_LEFT.pick(lang), true);
    }
    for ((_, name, currency), (parties, a, days, future)) in groups {
        let n = parties.len();
        let mut cells = vec![Cell::Text(name), Cell::Text(currency), Cell::Int(n as i64)];
        cells.extend(amounts_cells(&a));
        cells.push(Cell::Int(days));
        if reg.show_future {
            cells.push(Cell::Money(future));
            cells.push(Cell::Money(a.outstanding - future));
        }
        s.rows.push(cells);
    }
    let future: Decimal = reg.rows.iter().map(|r| r.future_paid()).sum();
    let count = reg
        .rows
        .iter()
        .map(|r| r.party)
        .collect::<std::collections::BTreeSet<_>>()
        .len() as i64;
    s.totals = totals_row(
        reg,
        lang,
        |t| {
            let mut cells = vec![Cell::Empty, Cell::Empty, Cell::Int(count)];
            cells.extend(amounts_cells(t));
            cells.push(Cell::Empty);
            if reg.show_future {
                cells.push(Cell::Money(future));
                cells.push(Cell::Money(t.outstanding - future));
            }
            cells
        },
        1,
    );
    s.hide_empty_in_table();
    s
}

/// Receipts listed beside the register (unidentified ones, agents' payouts), with a
/// total when they are all in one currency.
fn receipts_sheet(
    list: &[crate::aging::Unidentified],
    name: &str,
    title: &str,
    lang: Lang,
) -> Sheet {
    let one_currency = list.iter().all(|u| u.currency == list[0].currency);
    let mut s = Sheet::new(name, title);
    s.column(lang.t("Дата", "Date"), true)
        .column(lang.t("Номер", "Number"), true)
        .column(lang.t("Плательщик", "Payer"), true)
        .column(lang.t("ИНН", "INN"), true)
        .column(lang.t("Сумма", "Amount"), true)
        .column(lang.t("Назначение платежа", "Purpose"), true);
    for u in list {
        s.rows.push(vec![
            Cell::Date(u.date),
            Cell::text(&u.number),
            Cell::text(&u.payer),
            Cell::opt_text(u.inn.as_deref()),
            Cell::Money(u.amount),
            Cell::text(&u.purpose),
        ]);
    }
    if one_currency {
        let mut t = vec![Cell::Empty; 6];
        t[0] = Cell::text(lang.t("ИТОГО", "TOTAL"));
        t[4] = Cell::Money(list.iter().map(|u| u.amount).sum());
        s.totals = Some(t);
    }
    s.hide_empty_in_table();
    s
}
