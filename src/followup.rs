//! Follow-up tasks: whom each manager should contact, about what, and by when.
//!
//! Debt is normal; overdue debt is the problem. From the register as of a date, every
//! customer row with something overdue becomes one task whose level grows with the oldest
//! overdue age: a reminder, a call, an escalation to the head of sales, then legal
//! collection or a restructuring review. Optionally, customers with invoices falling due
//! within a few days get a heads-up. Each task has a contact-by date in working days, so
//! a manager's list can go straight into a CRM (Bitrix24 imports CSV).

use crate::aging::{DebtKind, Register};
use crate::calendar::Calendar;
use chrono::{Datelike, NaiveDate, Weekday};
use rust_decimal::Decimal;

/// How urgent a task is, from the oldest overdue age.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Nothing overdue yet: invoices fall due within the heads-up window.
    HeadsUp,
    Remind,
    Call,
    /// The head of sales joins.
    Escalate,
    /// Legal collection or a restructuring review.
    Legal,
}

impl Level {
    /// Stable machine name (JSON, CSV for a CRM).
    pub fn name(self) -> &'static str {
        match self {
            Level::HeadsUp => "heads_up",
            Level::Remind => "remind",
            Level::Call => "call",
            Level::Escalate => "escalate",
            Level::Legal => "legal",
        }
    }

    /// The level in words.
    pub fn label(self, ru: bool) -> &'static str {
        match (self, ru) {
            (Level::HeadsUp, true) => "предупредить",
            (Level::Remind, true) => "напомнить",
            (Level::Call, true) => "позвонить",
            (Level::Escalate, true) => "эскалация",
            (Level::Legal, true) => "юристы",
            (Level::HeadsUp, false) => "heads-up",
            (Level::Remind, false) => "remind",
            (Level::Call, false) => "call",
            (Level::Escalate, false) => "escalate",
            (Level::Legal, false) => "legal",
        }
    }

    /// What to do.
    pub fn action(self, ru: bool) -> &'static str {
        match (self, ru) {
            (Level::HeadsUp, true) => {
                "Предупредить о приближающемся сроке оплаты, выслать счета повторно"
            }
            (Level::Remind, true) => "Напомнить об оплате: письмо со списком просроченных счетов",
            (Level::Call, true) => "Позвонить, согласовать дату оплаты и записать обещание",
            (Level::Escalate, true) => {
                "Подключить руководителя отдела продаж, приостановить отгрузки до оплаты"
            }
            (Level::Legal, true) => {
                "Направить претензию, передать юристам или рассмотреть реструктуризацию долга"
            }
            (Level::HeadsUp, false) => "Remind that payment falls due soon; resend the invoices",
            (Level::Remind, false) => "Send a payment reminder listing the overdue invoices",
            (Level::Call, false) => "Call, agree a payment date and record the promise",
            (Level::Escalate, false) => "Involve the head of sales; hold shipments until payment",
            (Level::Legal, false) => {
                "Send a formal claim; hand over to legal or review a restructuring"
            }
        }
    }

    /// Working days from the report date to the contact-by date.
    fn within(self) -> u32 {
        match self {
            Level::HeadsUp | Level::Remind => 5,
            Level::Call => 2,
            Level::Escalate | Level::Legal => 1,
        }
    }
}

/// When each level starts, in days overdue, and the heads-up window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskConfig {
    /// Days overdue from which `remind`, `call`, `escalate`, `legal` start (ascending).
    pub levels: [u32; 4],
    /// List customers with invoices falling due within this many days (0: none).
    pub heads_up: u32,
}

impl Default for TaskConfig {
    fn default() -> Self {
        TaskConfig {
            levels: [1, 15, 45, 90],
            heads_up: 0,
        }
    }
}

impl TaskConfig {
    /// The level of a debt `days` overdue (`None` below the first threshold).
    pub fn level_of(&self, days: i64) -> Option<Level> {
        let [remind, call, escalate, legal] = self.levels.map(i64::from);
        match days {
            d if d >= legal => Some(Level::Legal),
            d if d >= escalate => Some(Level::Escalate),
            d if d >= call => Some(Level::Call),
            d if d >= remind && d > 0 => Some(Level::Remind),
            _ => None,
        }
    }
}

/// One customer to contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub manager: Option<String>,
    pub counterparty: String,
    pub inn: Option<String>,
    pub contract: Option<String>,
    pub currency: String,
    /// What is overdue.
    pub overdue: Decimal,
    pub max_days_overdue: i64,
    /// What falls due within the heads-up window.
    pub due_soon: Decimal,
    /// The customer's unapplied money (an advance to offset, or to ask about).
    pub advance: Decimal,
    pub level: Level,
    pub contact_by: NaiveDate,
    /// The overdue (or soon due) invoices, oldest first.
    pub invoices: Vec<String>,
}

/// The tasks as of the register's date, by manager (unassigned last), then the most
/// urgent first, then the largest amount.
pub fn tasks(reg: &Register, cfg: &TaskConfig, calendar: Option<&Calendar>) -> Vec<Task> {
    let as_of = reg.as_of;
    let horizon = as_of
        .checked_add_days(chrono::Days::new(u64::from(cfg.heads_up)))
        .unwrap_or(NaiveDate::MAX);
    // When a debt falls due: its due date, moved to a working day by the calendar.
    let falls_due = |d: &crate::aging::OpenDebt| calendar.map_or(d.due, |c| c.next_working(d.due));
    let mut out = Vec::new();
    for r in &reg.rows {
        let overdue: Decimal = r.amounts.buckets.iter().skip(1).sum();
        let level = if overdue > Decimal::ZERO {
            cfg.level_of(r.max_days_overdue)
        } else {
            None
        };
        let soon: Vec<&crate::aging::OpenDebt> = r
            .debts
            .iter()
            .filter(|d| cfg.heads_up > 0 && falls_due(d) >= as_of && falls_due(d) <= horizon)
            .collect();
        let due_soon: Decimal = soon.iter().map(|d| d.outstanding).sum();
        let (level, contact_by) = match level {
            Some(level) => (level, working_days_after(as_of, level.within(), calendar)),
            None if due_soon > Decimal::ZERO => {
                // Before the first of them falls due, but not before today.
                let first = soon.iter().map(|d| falls_due(d)).min().unwrap_or(as_of);
                let before = previous_working_day(first, calendar).max(as_of);
                (Level::HeadsUp, before)
            }
            None => continue,
        };
        let invoices: Vec<String> = r
            .debts
            .iter()
            .filter(|d| {
                let listed = match level {
                    Level::HeadsUp => {
                        d.days_overdue > 0 || (falls_due(d) >= as_of && falls_due(d) <= horizon)
                    }
                    _ => d.days_overdue > 0,
                };
                listed && d.kind == DebtKind::Invoice
            })
            .map(|d| match d.installment {
                Some(k) => format!("{} ({k})", d.number),
                None => d.number.to_string(),
            })
            .collect();
        out.push(Task {
            manager: r.manager.clone(),
            counterparty: r.counterparty.clone(),
            inn: r.inn.clone(),
            contract: r.contract.clone(),
            currency: r.currency.clone(),
            overdue,
            max_days_overdue: r.max_days_overdue,
            due_soon,
            advance: r.amounts.advance,
            level,
            contact_by,
            invoices,
        });
    }
    out.sort_by(|a, b| {
        (a.manager.is_none(), &a.manager, std::cmp::Reverse(a.level))
            .cmp(&(b.manager.is_none(), &b.manager, std::cmp::Reverse(b.level)))
            .then(b.overdue.cmp(&a.overdue))
            .then(b.due_soon.cmp(&a.due_soon))
            .then(a.counterparty.cmp(&b.counterparty))
            .then(a.inn.cmp(&b.inn))
            .then(a.contract.cmp(&b.contract))
            .then(a.currency.cmp(&b.currency))
    });
    out
}

fn is_working(d: NaiveDate, calendar: Option<&Calendar>) -> bool {
    match calendar {
        Some(c) => c.is_working(d),
        None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
    }
}

/// `n` working days after `d` (the calendar's, else Monday to Friday).
pub fn working_days_after(d: NaiveDate, n: u32, calendar: Option<&Calendar>) -> NaiveDate {
    if let Some(c) = calendar {
        return c.add_working_days(d, n);
    }
    let mut day = d;
    let mut left = n;
    while left > 0 {
        let Some(next) = day.succ_opt() else {
            return day;
        };
        day = next;
        if is_working(day, None) {
            left -= 1;
        }
    }
    day
}

/// The last working day before `d` (or `d`'s own day when nothing earlier is working
/// within a month).
fn previous_working_day(d: NaiveDate, calendar: Option<&Calendar>) -> NaiveDate {
    let mut day = d;
    for _ in 0..31 {
        let Some(prev) = day.pred_opt() else {
            return day;
        };
        day = prev;
        if is_working(day, calendar) {
            return day;
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn levels_by_days_overdue() {
        let c = TaskConfig::default();
        assert_eq!(c.level_of(0), None);
        assert_eq!(c.level_of(1), Some(Level::Remind));
        assert_eq!(c.level_of(14), Some(Level::Remind));
        assert_eq!(c.level_of(15), Some(Level::Call));
        assert_eq!(c.level_of(44), Some(Level::Call));
        assert_eq!(c.level_of(45), Some(Level::Escalate));
        assert_eq!(c.level_of(89), Some(Level::Escalate));
        assert_eq!(c.level_of(90), Some(Level::Legal));
        let c = TaskConfig {
            levels: [7, 30, 60, 120],
            heads_up: 0,
        };
        assert_eq!(c.level_of(6), None);
        assert_eq!(c.level_of(7), Some(Level::Remind));
    }

    #[test]
    fn contact_dates_skip_days_off() {
        // Friday + 1 working day is Monday; + 5 is the next Friday.
        assert_eq!(working_days_after(d(2024, 3, 29), 1, None), d(2024, 4, 1));
        assert_eq!(working_days_after(d(2024, 3, 29), 5, None), d(2024, 4, 5));
        // With the calendar, 08.03.2024 (Friday) is a holiday.
        let ru = Calendar::russia();
        assert_eq!(
            working_days_after(d(2024, 3, 7), 1, Some(&ru)),
            d(2024, 3, 11)
        );
        assert_eq!(working_days_after(d(2024, 3, 7), 1, None), d(2024, 3, 8));
        assert_eq!(previous_working_day(d(2024, 3, 11), None), d(2024, 3, 8));
        assert_eq!(
            previous_working_day(d(2024, 3, 11), Some(&ru)),
            d(2024, 3, 7)
        );
    }
}
