//! `sverka init`: a commented settings file to start from, so nobody has to learn the
//! keys from the docs. Every key is shown with its default, commented out: the file
//! changes nothing until a line is uncommented.

use super::Diagnostics;
use crate::error::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct InitSettings {
    pub path: PathBuf,
    /// Replace an existing file.
    pub force: bool,
}

/// The file `sverka init` writes.
pub const TEMPLATE: &str = r##"# sverka.toml: settings for sverka (реестр дебиторской задолженности).
# sverka reads ./sverka.toml, or the file named by --config or SVERKA_CONFIG.
# The command line wins over this file. Every key is optional and shown with its default
# (or, where there is none, an example); remove the "# " in front of a line to use it.
# Paths are relative to this file's folder.

[company]
# Our INNs (the company and its other legal entities in one register).
# inn = ["7701234560"]
# Our bank accounts, beyond those the statements name.
# accounts = ["40702810400000012345"]

[report]
# Upper bounds of the overdue buckets, in days.
# buckets = [30, 60, 90, 120]
# Age from the due date ("due") or from the document date ("date").
# age_by = "due"
# One row per "counterparty", "invoice", "manager" or "contract".
# by = "counterparty"
# Working days: "ru" (a due date on a day off moves to the next working day, ГК РФ
# ст. 193), "off", or a file of days on top of the Russian calendar.
# calendar = "off"
# Who looks after which customer: a file of ИНН;Менеджер rows (wins over invoices).
# managers = "managers.csv"

[matching]
# Payment term in days for invoices with no due date and no term below.
# default_term = 0
# Invoices due on the same day share a payment "prorata" (ГК РФ 319.1) or "fifo".
# tie = "prorata"
# Write off an underpayment this small: an amount ("1.00") or a percentage ("0.5%").
# Default: nothing is written off; for example:
# tolerance = "1.00"
# Write off an overpayment this small instead of keeping it as an advance (default: none).
# tolerance_overpay = "1.00"
# A reference several invoices share: "review" or "oldest".
# ambiguous = "review"
# What a payment leaves after the invoices it names: "advance" or "fifo".
# apply_surplus = "advance"
# Unlinked credit notes: "later" (wait for later invoices) or "fifo".
# apply_credits = "later"
# Settle per "counterparty" or per "contract".
# level = "counterparty"
# A payment naming nothing pays the one open invoice of exactly its amount: "on"/"off".
# exact_amount = "on"
# Group debtors by "inn" (branches together) or "inn+kpp".
# group = "inn"
# INNs of acquirers, marketplaces and agents whose payouts are not customers' payments.
# agents = ["7707083893"]
# The accountant's corrections to matching (see docs/matching.md).
# overrides = "overrides.txt"
# Exchange rates (Дата;Валюта;Курс), for invoices in another currency or in у.е.
# rates = "rates.csv"
# The currency у.е. are pegged to (needs its rates).
# ue = "USD"

[tasks]
# Days overdue from which remind, call, escalate and legal start.
# levels = [1, 15, 45, 90]
# Also a heads-up for invoices falling due within this many days (0: none).
# heads_up = 0

[review]
# Days overdue at the end of the period from which a customer is a hard case.
# hard_days = 90

[output]
# Headers and notes: "ru" or "en".
# lang = "ru"
# Format: "table", "csv", "tsv", "json" or "xlsx" (default: table on a terminal, else csv).
# format = "csv"
# CSV dialect: "excel" (;, decimal comma, BOM) or "plain" (,, decimal point).
# csv_dialect = "excel"
# CSV and TSV encoding: "utf-8" or "windows-1251".
# csv_encoding = "utf-8"

# Payment terms per counterparty, or per one of its contracts (the contract's first).
# [[terms]]
# inn = "7707083893"
# days = 14
#
# [[terms]]
# inn = "7707083893"
# contract = "Договор №7"
# days = 30

# Managers by INN (win over the managers file and the invoices).
[managers]
# "7707083893" = "Иванов И.И."
"##;

pub fn run(s: &InitSettings, diag: &mut dyn Diagnostics) -> Result<()> {
    if s.path.exists() && !s.force {
        return Err(Error::Usage(format!(
            "{} already exists: give --force to replace it",
            s.path.display()
        )));
    }
    crate::output::write_atomic(&s.path, TEMPLATE.as_bytes()).map_err(|source| Error::Output {
        path: s.path.clone(),
        source,
    })?;
    diag.note(&format!(
        "wrote {}: every key is commented out; uncomment what you need",
        s.path.display()
    ));
    Ok(())
}
