//! `sverka tasks`: each manager's follow-up list as of a date: whom to contact, what is
//! overdue, how urgent (remind, call, escalate, legal), and by when.

use super::{Common, Diagnostics, MatchSettings};
use crate::aging::{self, AgingConfig};
use crate::error::{Error, Result};
use crate::followup::{Task, TaskConfig};
use crate::output::json::{date, money, opt_str};
use crate::output::sheet::{Cell, Sheet};
use crate::output::{self, Lang, OutputFormat};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct TasksSettings {
    pub common: Common,
    pub matching: MatchSettings,
    pub aging: AgingConfig,
    pub tasks: TaskConfig,
    /// Only this manager's tasks (`-`: customers nobody looks after).
    pub manager: Option<String>,
}

pub fn run(s: &TasksSettings, diag: &mut dyn Diagnostics) -> Result<()> {
    let format = super::register_format(&s.common)?;
    let mut ledger = super::load_ledger(&s.common, diag)?;
    let m = super::match_ledger(&ledger, &s.matching)?;
    // The register lists the purposes of receipts of nobody known only.
    ledger.forget_purposes(super::identified(&m));
    let reg = aging::register(&ledger, &m, &s.aging)?;
    // The register holds what is left to say (see `report`).
    drop(m);
    super::note_guessed_years(&reg.guessed_years, diag);
    let mut list = crate::followup::tasks(&reg, &s.tasks, s.aging.calendar.as_ref());
    if let Some(wanted) = &s.manager {
        let wanted = wanted.trim();
        list.retain(|t| match &t.manager {
            None => wanted == "-",
            Some(name) => name.to_lowercase() == wanted.to_lowercase(),
        });
    }
    let lang = s.common.render.lang;
    let render = |tasks: &[&Task], per_manager: bool| -> Result<Vec<u8>> {
        match format {
            OutputFormat::Json => Ok(output::json::to_bytes(&to_json(reg.as_of, tasks, lang))),
            other => {
                let mut sheets = vec![sheet(reg.as_of, tasks, &reg, lang, None)];
                if per_manager && other == OutputFormat::Xlsx {
                    for name in managers(tasks) {
                        let theirs: Vec<&Task> = tasks
                            .iter()
                            .copied()
                            .filter(|t| t.manager == name)
                            .collect();
                        sheets.push(sheet(reg.as_of, &theirs, &reg, lang, Some(name.as_deref())));
                    }
                }
                output::render_sheets(other, &sheets, &s.common.render).map_err(Error::Render)
            }
        }
    };
    let all: Vec<&Task> = list.iter().collect();
    if s.common.split_by_manager {
        let mut parts = Vec::new();
        for name in managers(&all) {
            let theirs: Vec<&Task> = all.iter().copied().filter(|t| t.manager == name).collect();
            parts.push((name, render(&theirs, false)?));
        }
        drop(all);
        super::leave((list, reg, ledger));
        return super::emit_split(&s.common, format, parts, diag);
    }
    let bytes = render(&all, s.common.sheet_per_manager)?;
    drop(all);
    super::leave((list, reg, ledger));
    super::emit(&s.common, &bytes)
}

/// The managers of the tasks, each once, in the tasks' order (unassigned last).
fn managers(tasks: &[&Task]) -> Vec<Option<String>> {
    let mut names: Vec<Option<String>> = Vec::new();
    for t in tasks {
        if !names.contains(&t.manager) {
            names.push(t.manager.clone());
        }
    }
    names
}

fn level_text(t: &Task, lang: Lang) -> &'static str {
    t.level.label(lang == Lang::Ru)
}

/// The list as a sheet; `only` names the manager of a per-manager sheet.
fn sheet(
    as_of: chrono::NaiveDate,
    tasks: &[&Task],
    reg: &crate::aging::Register,
    lang: Lang,
    only: Option<Option<&str>>,
) -> Sheet {
    let when = match lang {
        Lang::Ru => crate::dates::ru(as_of),
        Lang::En => crate::dates::iso(as_of),
    };
    let nobody = lang.t("(не назначен)", "(unassigned)");
    let (name, title) = match only {
        None => (
            lang.t("Задачи", "Tasks").to_string(),
            format!(
                "{} {when}",
                lang.t(
                    "Задачи по просроченной задолженности на",
                    "Follow-up tasks as of"
                )
            ),
        ),
        Some(m) => (
            m.unwrap_or(nobody).to_string(),
            format!(
                "{}: {} {when}",
                m.unwrap_or(nobody),
                lang.t("задачи на", "tasks as of")
            ),
        ),
    };
    let mut s = Sheet::new(name, title);
    let multi = tasks.iter().any(|t| t.currency != crate::model::RUB);
    s.column(lang.t("Менеджер", "Manager"), true)
        .column(lang.t("Контрагент", "Counterparty"), true)
        .column(lang.t("ИНН", "INN"), true)
        .column(lang.t("Договор", "Contract"), reg.by_contract)
        .column(lang.t("Валюта", "Currency"), multi)
        .column(lang.t("Просрочено", "Overdue"), true)
        .column(lang.t("Дней просрочки", "Days overdue"), true)
        .column(lang.t("Уровень", "Level"), true)
        .column(lang.t("Действие", "Action"), true)
        .column(lang.t("Связаться до", "Contact by"), true)
        .column(lang.t("Счета", "Invoices"), true)
        .column(lang.t("Скоро к оплате", "Due soon"), true)
        .column(lang.t("Аванс", "Advance"), false);
    for t in tasks {
        s.rows.push(vec![
            Cell::text(t.manager.as_deref().unwrap_or(nobody)),
            Cell::text(&t.counterparty),
            Cell::opt_text(t.inn.as_deref()),
            Cell::opt_text(t.contract.as_deref()),
            Cell::text(&t.currency),
            Cell::Money(t.overdue),
            Cell::Int(t.max_days_overdue),
            Cell::text(level_text(t, lang)),
            Cell::text(t.level.action(lang == Lang::Ru)),
            Cell::Date(t.contact_by),
            Cell::Text(t.invoices.join(", ")),
            Cell::Money(t.due_soon),
            Cell::Money(t.advance),
        ]);
    }
    // One currency: a total of what is overdue and due soon.
    let currencies: std::collections::BTreeSet<&str> =
        tasks.iter().map(|t| t.currency.as_str()).collect();
    if !tasks.is_empty() && currencies.len() == 1 {
        let mut t = vec![Cell::Empty; s.columns.len()];
        t[0] = Cell::text(lang.t("ИТОГО", "TOTAL"));
        t[5] = Cell::Money(tasks.iter().map(|x| x.overdue).sum());
        t[11] = Cell::Money(tasks.iter().map(|x| x.due_soon).sum());
        t[12] = Cell::Money(tasks.iter().map(|x| x.advance).sum());
        s.totals = Some(t);
    }
    // Contract and currency only when they tell rows apart.
    if !reg.by_contract {
        drop_column(&mut s, 3);
    }
    s.hide_empty_in_table();
    s
}

/// Removes a column (header, cells, total) from a sheet.
fn drop_column(s: &mut Sheet, at: usize) {
    s.columns.remove(at);
    for row in &mut s.rows {
        row.remove(at);
    }
    if let Some(t) = &mut s.totals {
        t.remove(at);
    }
}

/// The list as JSON: `{"as_of", "tasks": [...]}` (see `docs/json.md`).
pub fn to_json(as_of: chrono::NaiveDate, tasks: &[&Task], lang: Lang) -> Value {
    let ru = lang == Lang::Ru;
    json!({
        "as_of": date(as_of),
        "tasks": tasks.iter().map(|t| json!({
            "manager": opt_str(t.manager.as_deref()),
            "counterparty": t.counterparty,
            "inn": opt_str(t.inn.as_deref()),
            "contract": opt_str(t.contract.as_deref()),
            "currency": t.currency,
            "overdue": money(t.overdue),
            "max_days_overdue": t.max_days_overdue,
            "level": t.level.name(),
            "action": t.level.action(ru),
            "contact_by": date(t.contact_by),
            "invoices": t.invoices,
            "due_soon": money(t.due_soon),
            "advance": money(t.advance),
        })).collect::<Vec<_>>(),
    })
}
