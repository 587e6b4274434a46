//! `sverka report`: the debtor register as of a date.

use super::{Common, Diagnostics, MatchSettings};
use crate::aging::{self, AgingConfig};
use crate::error::{Error, Result};
use crate::output::sheets::{self, GroupBy};
use crate::output::{self, OutputFormat};

#[derive(Debug, Clone)]
pub struct ReportSettings {
    pub common: Common,
    pub matching: MatchSettings,
    pub aging: AgingConfig,
    pub by: GroupBy,
    /// Show money applied to the open debts after the report date.
    pub show_future: bool,
}

pub fn run(s: &ReportSettings, diag: &mut dyn Diagnostics) -> Result<()> {
    let format = super::register_format(&s.common)?;
    let mut ledger = super::load_ledger(&s.common, diag)?;
    let m = super::match_ledger(&ledger, &s.matching)?;
    // The register lists the purposes of receipts of nobody known only. (Money applied
    // after the report date is matched again, from the purposes.)
    if !s.show_future {
        ledger.forget_purposes(super::identified(&m));
    }
    let clock = super::Stage::start();
    let mut reg = aging::register(&ledger, &m, &s.aging)?;
    clock.done("age");
    let review = m
        .receipts
        .iter()
        .filter(|r| r.party().is_some() && r.notes.iter().any(|n| n.needs_review()))
        .count();
    let unknown_links = m.credits.iter().filter(|c| c.link_note.is_some()).count();
    // The register holds what is left to say: the matching goes, rather than stay under
    // the output (or a second matching) at the peak of the run's memory. (Its records
    // hold little apart from two arrays, so freeing it costs nothing like the ledger.)
    drop(m);
    if s.show_future
        && let Some(latest) = ledger.latest_date()
        && latest > reg.as_of
    {
        // Everything the inputs hold, matched as of their last day.
        let mut all = s.matching.clone();
        all.as_of = latest;
        let later = super::match_ledger(&ledger, &all)?;
        reg.attach_future(&ledger, &later);
        drop(later);
    } else if s.show_future {
        reg.show_future = true;
    }
    // The table, JSON and XLSX list unidentified receipts; CSV and TSV hold the register only.
    if !reg.unidentified.is_empty() && matches!(format, OutputFormat::Csv | OutputFormat::Tsv) {
        let total: rust_decimal::Decimal = reg.unidentified.iter().map(|u| u.amount).sum();
        diag.note(&format!(
            "{} receipt(s) for {} could not be tied to a customer; CSV and TSV hold the register \
             only: `sverka match` (or the table, JSON or XLSX output) lists them",
            reg.unidentified.len(),
            crate::money::plain(total)
        ));
    }
    if !reg.agent_receipts.is_empty() && matches!(format, OutputFormat::Csv | OutputFormat::Tsv) {
        let total: rust_decimal::Decimal = reg.agent_receipts.iter().map(|u| u.amount).sum();
        diag.note(&format!(
            "{} payout(s) for {} from acquirers, marketplaces or agents are not customers' \
             payments and pay no debt; CSV and TSV hold the register only: `sverka match` (or \
             the table, JSON or XLSX output) lists them",
            reg.agent_receipts.len(),
            crate::money::plain(total)
        ));
    }
    super::note_guessed_years(&reg.guessed_years, diag);
    if unknown_links > 0 {
        diag.note(&format!(
            "{unknown_links} credit note(s) name an invoice that is unknown or ambiguous: they wait as the customer's credit (see `sverka match`)"
        ));
    }
    if review > 0 {
        diag.note(&format!(
            "{review} payment(s) need a look: run `sverka match` to see why"
        ));
    }
    let lang = s.common.render.lang;
    let render = |reg: &aging::Register, per_manager: bool| -> Result<Vec<u8>> {
        Ok(match format {
            OutputFormat::Json => output::json::register_bytes(reg),
            other => {
                let mut sheets = sheets::register(reg, s.by, lang);
                if per_manager && other == OutputFormat::Xlsx {
                    // After the whole register, a sheet per manager with their customers.
                    for name in reg.managers() {
                        let theirs = reg.of_manager(name.as_deref(), &s.aging);
                        let mut sheet = sheets::register(&theirs, s.by, lang).remove(0);
                        sheet.name = name
                            .clone()
                            .unwrap_or_else(|| lang.t("(не назначен)", "(unassigned)").into());
                        sheet.title = format!("{}: {}", sheet.name, sheet.title);
                        sheets.push(sheet);
                    }
                }
                output::render_sheets(other, &sheets, &s.common.render).map_err(Error::Render)?
            }
        })
    };
    if s.common.split_by_manager {
        let mut parts = Vec::new();
        for name in reg.managers() {
            let theirs = reg.of_manager(name.as_deref(), &s.aging);
            parts.push((name, render(&theirs, false)?));
        }
        super::leave((reg, ledger));
        return super::emit_split(&s.common, format, parts, diag);
    }
    let clock = super::Stage::start();
    let bytes = render(&reg, s.common.sheet_per_manager)?;
    clock.done("render");
    super::leave((reg, ledger));
    super::emit(&s.common, &bytes)
}
