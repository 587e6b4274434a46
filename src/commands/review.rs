//! `sverka review`: a month, quarter or year in review for the sales meeting: receivables
//! at the start and the end, invoiced, collected, what became overdue, DSO and the overdue
//! share per manager, and the hard cases.

use super::{Common, Diagnostics, MatchSettings};
use crate::aging::{self, AgingConfig};
use crate::error::{Error, Result};
use crate::output::json::{date, money, opt_date, opt_str};
use crate::output::sheet::{Cell, Sheet};
use crate::output::{self, Lang, OutputFormat};
use crate::review::{Figures, Review};
use chrono::NaiveDate;
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct ReviewSettings {
    pub common: Common,
    /// Matching as of the period's last day (`as_of` is that day).
    pub matching: MatchSettings,
    pub aging: AgingConfig,
    pub from: NaiveDate,
    /// Days overdue at the end from which a customer is a hard case.
    pub hard_days: u32,
}

pub fn run(s: &ReviewSettings, diag: &mut dyn Diagnostics) -> Result<()> {
    let format = super::default_format(&s.common, OutputFormat::Csv);
    super::check_binary_target(&s.common, format)?;
    let ledger = super::load_ledger(&s.common, diag)?;
    let m_end = super::match_ledger(&ledger, &s.matching)?;
    let end = aging::register(&ledger, &m_end, &s.aging)?;
    let mut before = s.matching.clone();
    before.as_of = s.from.pred_opt().unwrap_or(s.from);
    let m_start = super::match_ledger(&ledger, &before)?;
    let start = aging::register(&ledger, &m_start, &s.aging)?;
    let mut years: Vec<i32> = start.guessed_years.clone();
    years.extend(&end.guessed_years);
    years.sort_unstable();
    years.dedup();
    super::note_guessed_years(&years, diag);
    let review = crate::review::review(
        &ledger,
        &m_end,
        &start,
        &end,
        &s.aging,
        s.from,
        i64::from(s.hard_days),
    );
    let lang = s.common.render.lang;
    let bytes = match format {
        OutputFormat::Json => output::json::to_bytes(&to_json(&review)),
        other => output::render_sheets(other, &sheets(&review, lang), &s.common.render)
            .map_err(Error::Render)?,
    };
    super::leave((review, start, end, m_start, m_end, ledger));
    super::emit(&s.common, &bytes)
}

fn day(d: NaiveDate, lang: Lang) -> String {
    match lang {
        Lang::Ru => crate::dates::ru(d),
        Lang::En => crate::dates::iso(d),
    }
}

/// The summary per manager (the first sheet: CSV and TSV hold it alone) and the hard cases.
pub fn sheets(r: &Review, lang: Lang) -> Vec<Sheet> {
    let period = format!("{} – {}", day(r.from, lang), day(r.to, lang));
    let mut s = Sheet::new(
        lang.t("Итоги", "Summary"),
        format!(
            "{} {period}",
            lang.t("Дебиторская задолженность за период", "Receivables review,")
        ),
    );
    let multi = r.totals.len() > 1 || r.totals.iter().any(|(c, _)| c != crate::model::RUB);
    s.column(lang.t("Менеджер", "Manager"), true)
        .column(lang.t("Валюта", "Currency"), multi)
        .column(lang.t("Долг на начало", "Owed at start"), true)
        .column(lang.t("Просрочено на начало", "Overdue at start"), true)
        .column(lang.t("Выставлено", "Invoiced"), true)
        .column(lang.t("Поступило", "Collected"), true)
        .column(lang.t("Стало просроченным", "Became overdue"), true)
        .column(lang.t("Долг на конец", "Owed at end"), true)
        .column(lang.t("Просрочено на конец", "Overdue at end"), true)
        .column(lang.t("Доля просрочки, %", "Overdue share, %"), true)
        .column(lang.t("DSO, дней", "DSO, days"), true)
        .column(lang.t("Аванс на конец", "Advance at end"), false)
        .column(lang.t("Клиентов с долгом", "Customers owing"), false)
        .column(lang.t("Трудных случаев", "Hard cases"), true);
    let days = r.days();
    let cells = |f: &Figures| {
        vec![
            Cell::Money(f.outstanding_start),
            Cell::Money(f.overdue_start),
            Cell::Money(f.invoiced),
            Cell::Money(f.collected),
            Cell::Money(f.became_overdue),
            Cell::Money(f.outstanding_end),
            Cell::Money(f.overdue_end),
            f.overdue_share().map_or(Cell::Empty, Cell::Ratio),
            f.dso(days).map_or(Cell::Empty, Cell::Int),
            Cell::Money(f.advance_end),
            Cell::Int(f.customers_end as i64),
            Cell::Int(f.hard_cases as i64),
        ]
    };
    let nobody = lang.t("(не назначен)", "(unassigned)");
    for ((manager, currency), f) in &r.managers {
        let mut row = vec![
            Cell::text(manager.as_deref().unwrap_or(nobody)),
            Cell::text(currency),
        ];
        row.extend(cells(f));
        s.rows.push(row);
    }
    if let [(currency, f)] = &r.totals[..] {
        let mut row = vec![Cell::text(lang.t("ИТОГО", "TOTAL")), Cell::text(currency)];
        row.extend(cells(f));
        s.totals = Some(row);
    }
    s.hide_empty_in_table();

    let mut h = Sheet::new(
        lang.t("Трудные случаи", "Hard cases"),
        format!(
            "{} {} {} {}",
            lang.t("Трудные случаи: просрочка от", "Hard cases: overdue"),
            r.hard_days,
            lang.t("дней на", "days or more on"),
            day(r.to, lang)
        ),
    );
    h.column(lang.t("Менеджер", "Manager"), true)
        .column(lang.t("Контрагент", "Counterparty"), true)
        .column(lang.t("ИНН", "INN"), true)
        .column(lang.t("Договор", "Contract"), true)
        .column(lang.t("Валюта", "Currency"), multi)
        .column(lang.t("Долг", "Outstanding"), true)
        .column(lang.t("Просрочено", "Overdue"), true)
        .column(lang.t("Дней просрочки", "Days overdue"), true)
        .column(lang.t("Последняя оплата", "Last payment"), true)
        .column(lang.t("С начала периода", "Carried over"), true);
    for c in &r.hard_cases {
        h.rows.push(vec![
            Cell::text(c.manager.as_deref().unwrap_or(nobody)),
            Cell::text(&c.counterparty),
            Cell::opt_text(c.inn.as_deref()),
            Cell::opt_text(c.contract.as_deref()),
            Cell::text(&c.currency),
            Cell::Money(c.outstanding),
            Cell::Money(c.overdue),
            Cell::Int(c.max_days_overdue),
            Cell::opt_date(c.last_payment_date),
            Cell::text(if c.carried_over {
                lang.t("да", "yes")
            } else {
                lang.t("нет", "no")
            }),
        ]);
    }
    h.hide_empty_in_table();
    vec![s, h]
}

fn figures_json(f: &Figures, days: i64) -> Value {
    json!({
        "outstanding_start": money(f.outstanding_start),
        "overdue_start": money(f.overdue_start),
        "invoiced": money(f.invoiced),
        "collected": money(f.collected),
        "became_overdue": money(f.became_overdue),
        "outstanding_end": money(f.outstanding_end),
        "overdue_end": money(f.overdue_end),
        "advance_end": money(f.advance_end),
        "overdue_share": f.overdue_share().map_or(Value::Null, |p| Value::from(crate::output::sheet::ratio_text(p))),
        "dso": f.dso(days).map_or(Value::Null, Value::from),
        "customers_start": f.customers_start,
        "customers_end": f.customers_end,
        "hard_cases": f.hard_cases,
    })
}

/// The review as JSON (see `docs/json.md`).
pub fn to_json(r: &Review) -> Value {
    let days = r.days();
    json!({
        "from": date(r.from),
        "to": date(r.to),
        "days": days,
        "hard_days": r.hard_days,
        "managers": r.managers.iter().map(|((m, c), f)| {
            let mut v = figures_json(f, days);
            v["manager"] = opt_str(m.as_deref());
            v["currency"] = json!(c);
            v
        }).collect::<Vec<_>>(),
        "totals": r.totals.iter().map(|(c, f)| {
            let mut v = figures_json(f, days);
            v["currency"] = json!(c);
            v
        }).collect::<Vec<_>>(),
        "hard_cases": r.hard_cases.iter().map(|c| json!({
            "manager": opt_str(c.manager.as_deref()),
            "counterparty": c.counterparty,
            "inn": opt_str(c.inn.as_deref()),
            "contract": opt_str(c.contract.as_deref()),
            "currency": c.currency,
            "outstanding": money(c.outstanding),
            "overdue": money(c.overdue),
            "max_days_overdue": c.max_days_overdue,
            "last_payment_date": opt_date(c.last_payment_date),
            "carried_over": c.carried_over,
        })).collect::<Vec<_>>(),
    })
}
