//! Payment terms: when an invoice that states no due date falls due.
//!
//! Many 1C lists carry no due date at all; the term lives in the contract ("оплата в
//! течение 14 дней"). The settings file states those terms per counterparty (INN) or per
//! contract; `--default-term` covers everyone else. The source's own due date always
//! wins. Matching (which debt is due first, ГК РФ ст. 319.1) and aging use the same due
//! dates, so they come from this one place.

use crate::ledger::{Ledger, LedgerInvoice};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Where a debt's due date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DueFrom {
    /// The document states it (or its payment schedule does).
    Document,
    /// The settings' term for the contract or the counterparty.
    Terms,
    /// The default term: a guess, flagged "срок не указан".
    Default,
}

impl DueFrom {
    /// Stable machine name (JSON).
    pub fn name(self) -> &'static str {
        match self {
            DueFrom::Document => "document",
            DueFrom::Terms => "terms",
            DueFrom::Default => "default_term",
        }
    }
}

/// Payment terms in days.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Terms {
    /// For invoices no other term covers.
    pub default_days: u32,
    by_inn: BTreeMap<String, u32>,
    /// By INN and contract key ([`crate::matching::contract_key`]).
    by_contract: BTreeMap<(String, String), u32>,
}

impl Terms {
    /// Only a default term.
    pub fn new(default_days: u32) -> Terms {
        Terms {
            default_days,
            ..Terms::default()
        }
    }

    /// The term of every invoice of the counterparty with this INN.
    pub fn set_for_inn(&mut self, inn: &str, days: u32) {
        self.by_inn.insert(inn.to_string(), days);
    }

    /// The term of the invoices under a contract (as any source writes it: `Договор №1`,
    /// `№ 1 от 10.01.2024` and `1` are one contract).
    pub fn set_for_contract(&mut self, inn: &str, contract: &str, days: u32) {
        self.by_contract.insert(
            (inn.to_string(), crate::matching::contract_key(contract)),
            days,
        );
    }

    /// The agreed term for a counterparty's invoice under a contract, if the settings
    /// state one: the contract's first, then the counterparty's.
    pub fn agreed(&self, inn: Option<&str>, contract: Option<&str>) -> Option<u32> {
        let inn = inn?;
        if self.by_contract.is_empty() && self.by_inn.is_empty() {
            return None;
        }
        contract
            .filter(|_| !self.by_contract.is_empty())
            .and_then(|c| {
                self.by_contract
                    .get(&(inn.to_string(), crate::matching::contract_key(c)))
            })
            .or_else(|| self.by_inn.get(inn))
            .copied()
    }

    /// An invoice's due date (of its whole amount: stages of a payment schedule carry
    /// their own) and where it comes from.
    pub fn due(&self, ledger: &Ledger, inv: &LedgerInvoice) -> (NaiveDate, DueFrom) {
        let doc = &inv.doc;
        if let Some(due) = doc.due {
            return (due, DueFrom::Document);
        }
        let inn = ledger.party(inv.party).inn.as_deref();
        let (days, from) = match self.agreed(inn, doc.contract.as_deref()) {
            Some(days) => (days, DueFrom::Terms),
            None => (self.default_days, DueFrom::Default),
        };
        let due = doc
            .date
            .checked_add_days(chrono::Days::new(u64::from(days)))
            .unwrap_or(NaiveDate::MAX);
        (due, from)
    }

    /// True when no term beyond the default is set.
    pub fn is_default_only(&self) -> bool {
        self.by_inn.is_empty() && self.by_contract.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_terms_beat_counterparty_terms() {
        let mut t = Terms::new(5);
        t.set_for_inn("7707083893", 14);
        t.set_for_contract("7707083893", "Договор №7", 30);
        assert_eq!(t.agreed(Some("7707083893"), None), Some(14));
        assert_eq!(
            t.agreed(Some("7707083893"), Some("№ 7 от 01.02.2024")),
            Some(30)
        );
        assert_eq!(t.agreed(Some("7707083893"), Some("Договор №8")), Some(14));
        assert_eq!(t.agreed(Some("7725418937"), Some("Договор №7")), None);
        assert_eq!(t.agreed(None, Some("Договор №7")), None);
    }
}
