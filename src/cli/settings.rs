//! Settings: the command line over the settings file over the defaults, checked before
//! any work starts. Every bad value is named with where it came from.

use super::args::{AgingArgs, Cli, Cmd, Global, MatchingArgs, OutputArgs, ReviewArgs, TasksArgs};
use crate::aging::{AgeBy, AgingConfig};
use crate::commands::inspect::InspectSettings;
use crate::commands::matchlog::MatchLogSettings;
use crate::commands::report::ReportSettings;
use crate::commands::{Command, Common, MatchSettings};
use crate::error::{Error, Result};
use crate::ledger::{Grouping, LedgerConfig};
use crate::matching::{Tie, Tolerance};
use crate::output::sheets::GroupBy;
use crate::output::{CsvDialect, Lang, OutputFormat, RenderOptions};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The settings file (`sverka.toml`). Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    /// Where the file was read from (for messages).
    #[serde(skip)]
    pub path: Option<PathBuf>,
    #[serde(default)]
    pub company: CompanySection,
    #[serde(default)]
    pub report: ReportSection,
    #[serde(default)]
    pub matching: MatchingSection,
    #[serde(default)]
    pub output: OutputSection,
    #[serde(default)]
    pub tasks: TasksSection,
    #[serde(default)]
    pub review: ReviewSection,
    /// Payment terms per counterparty or contract (`[[terms]]`).
    #[serde(default)]
    pub terms: Vec<TermEntry>,
    /// Managers by INN (`[managers]`), over the managers file and the invoices.
    #[serde(default)]
    pub managers: std::collections::BTreeMap<String, String>,
    /// The SVERKA_* environment variables that are set and not blank: between the
    /// command line and this file.
    #[serde(skip)]
    pub env: std::collections::BTreeMap<&'static str, String>,
}

/// The environment variables for the main options (SVERKA_CONFIG aside).
const ENV_VARS: [&str; 5] = [
    "SVERKA_LANG",
    "SVERKA_FORMAT",
    "SVERKA_CSV_DIALECT",
    "SVERKA_CSV_ENCODING",
    "SVERKA_CALENDAR",
];

/// A variable's value when set and not blank (an empty variable is as good as unset).
fn env_value(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// One `[[terms]]` entry: the term of a counterparty's invoices, or of those under one
/// of its contracts, when they state no due date.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermEntry {
    pub inn: String,
    pub contract: Option<String>,
    pub days: u32,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompanySection {
    /// Our INNs (the company and, if any, its other legal entities in one register).
    #[serde(default)]
    pub inn: Vec<String>,
    /// Our bank accounts, beyond those the statements name.
    #[serde(default)]
    pub accounts: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    pub buckets: Option<Vec<u32>>,
    pub age_by: Option<String>,
    pub by: Option<String>,
    /// `ru`, `off`, or a file of days on top of the Russian calendar.
    pub calendar: Option<String>,
    /// A file of INN;Менеджер rows.
    pub managers: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchingSection {
    pub default_term: Option<u32>,
    pub tie: Option<String>,
    pub tolerance: Option<String>,
    pub tolerance_overpay: Option<String>,
    pub ambiguous: Option<String>,
    pub apply_surplus: Option<String>,
    pub apply_credits: Option<String>,
    pub level: Option<String>,
    pub exact_amount: Option<String>,
    pub group: Option<String>,
    #[serde(default)]
    pub agents: Vec<String>,
    pub overrides: Option<PathBuf>,
    pub rates: Option<PathBuf>,
    pub ue: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TasksSection {
    /// Days overdue from which remind, call, escalate and legal start.
    pub levels: Option<Vec<u32>>,
    /// Heads-up window in days (0: none).
    pub heads_up: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewSection {
    /// Days overdue at the end from which a customer is a hard case.
    pub hard_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    pub lang: Option<String>,
    pub csv_dialect: Option<String>,
    pub csv_encoding: Option<String>,
    pub format: Option<String>,
}

/// Reads the settings file named with `--config`, or `./sverka.toml` when present.
fn load_file(explicit: Option<&Path>) -> Result<(Option<PathBuf>, File)> {
    let path = match explicit {
        Some(p) => p.to_path_buf(),
        None => {
            let default = PathBuf::from("sverka.toml");
            if !default.is_file() {
                return Ok((None, File::default()));
            }
            default
        }
    };
    let text = std::fs::read_to_string(&path).map_err(|e| Error::Config {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let file: File = toml::from_str(&text).map_err(|e| Error::Config {
        path: path.clone(),
        message: e.to_string().trim().to_string(),
    })?;
    let mut file = file;
    file.path = Some(path.clone());
    Ok((Some(path), file))
}

fn usage(what: &str, value: &str, expected: &str) -> Error {
    Error::Usage(format!("{what} {value:?}: expected {expected}"))
}

/// `YYYY-MM-DD` or `DD.MM.YYYY`.
pub fn parse_as_of(s: &str) -> Result<NaiveDate> {
    let t = s.trim();
    let b = t.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    let iso = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10);
    let ru = b.len() == 10
        && b[2] == b'.'
        && b[5] == b'.'
        && digits(0..2)
        && digits(3..5)
        && digits(6..10);
    let ok = iso || ru;
    ok.then(|| crate::dates::parse_date(t))
        .flatten()
        .ok_or_else(|| usage("--as-of", s, "a date as YYYY-MM-DD or DD.MM.YYYY"))
}

pub fn parse_buckets(s: &str) -> Result<Vec<u32>> {
    let parts: std::result::Result<Vec<u32>, _> =
        s.split(',').map(|p| p.trim().parse::<u32>()).collect();
    let parts =
        parts.map_err(|_| usage("--buckets", s, "ascending day counts such as 30,60,90,120"))?;
    check_buckets(&parts).map_err(|m| usage("--buckets", s, &m))?;
    Ok(parts)
}

fn check_buckets(b: &[u32]) -> std::result::Result<(), String> {
    if b.is_empty() || b.len() > 20 {
        return Err("between 1 and 20 bounds".into());
    }
    if b[0] == 0 || b.windows(2).any(|w| w[0] >= w[1]) {
        return Err("positive bounds in ascending order".into());
    }
    Ok(())
}

fn parse_lang(what: &str, s: &str) -> Result<Lang> {
    match s.to_lowercase().as_str() {
        "ru" => Ok(Lang::Ru),
        "en" => Ok(Lang::En),
        _ => Err(usage(what, s, "ru or en")),
    }
}

fn parse_dialect(what: &str, s: &str) -> Result<CsvDialect> {
    match s.to_lowercase().as_str() {
        "excel" | "ru" => Ok(CsvDialect::Excel),
        "plain" => Ok(CsvDialect::Plain),
        _ => Err(usage(what, s, "excel or plain")),
    }
}

fn parse_tie(what: &str, s: &str) -> Result<Tie> {
    match s.to_lowercase().replace(['-', '_'], "").as_str() {
        "prorata" => Ok(Tie::ProRata),
        "fifo" => Ok(Tie::Fifo),
        _ => Err(usage(what, s, "prorata or fifo")),
    }
}

/// `1.00`, `1,00` or `2%` (a percentage of the invoice amount).
pub fn parse_tolerance(what: &str, s: &str) -> Result<Tolerance> {
    let bad = || usage(what, s, "an amount such as 1.00 or a percentage such as 2%");
    let t = s.trim();
    if let Some(p) = t.strip_suffix('%') {
        let v = crate::money::parse_amount(p).map_err(|_| bad())?;
        if v.is_sign_negative() || v > Decimal::ONE_HUNDRED {
            return Err(bad());
        }
        return Ok(if v.is_zero() {
            Tolerance::None
        } else {
            Tolerance::Percent(v)
        });
    }
    let v = crate::money::parse_amount(t).map_err(|_| bad())?;
    if v.is_sign_negative() {
        return Err(bad());
    }
    Ok(if v.is_zero() {
        Tolerance::None
    } else {
        Tolerance::Amount(v)
    })
}

fn parse_age_by(what: &str, s: &str) -> Result<AgeBy> {
    match s.to_lowercase().as_str() {
        "due" => Ok(AgeBy::Due),
        "date" | "doc" => Ok(AgeBy::Date),
        _ => Err(usage(what, s, "due or date")),
    }
}

/// The value given on the command line, else in the environment variable `var`, else in
/// the settings file, with a label saying where it came from.
fn pick_env<'a>(
    flag: &str,
    cli: Option<&'a str>,
    file: &'a File,
    var: &str,
    key: &str,
    in_file: Option<&'a str>,
) -> Option<(&'a str, String)> {
    match (cli, file.env.get(var)) {
        (None, Some(v)) => Some((v.as_str(), var.to_string())),
        _ => pick(flag, cli, file, key, in_file),
    }
}

/// The value given on the command line, else in the settings file, with a label saying
/// where it came from, so a bad value is named where the user can fix it.
fn pick<'a>(
    flag: &str,
    cli: Option<&'a str>,
    file: &File,
    key: &str,
    in_file: Option<&'a str>,
) -> Option<(&'a str, String)> {
    match (cli, in_file, &file.path) {
        (Some(v), _, _) => Some((v, flag.to_string())),
        (None, Some(v), Some(path)) => Some((v, format!("settings {}: {key}", path.display()))),
        (None, Some(v), None) => Some((v, key.to_string())),
        (None, None, _) => None,
    }
}

fn common(
    global: &Global,
    file: &File,
    inputs: Vec<PathBuf>,
    out: &OutputArgs,
    width: Option<u16>,
) -> Result<Common> {
    let lang = match pick_env(
        "--lang",
        global.lang.as_deref(),
        file,
        "SVERKA_LANG",
        "[output] lang",
        file.output.lang.as_deref(),
    ) {
        Some((l, what)) => parse_lang(&what, l)?,
        None => Lang::Ru,
    };
    let dialect = match pick_env(
        "--csv-dialect",
        out.csv_dialect.as_deref(),
        file,
        "SVERKA_CSV_DIALECT",
        "[output] csv_dialect",
        file.output.csv_dialect.as_deref(),
    ) {
        Some((d, what)) => parse_dialect(&what, d)?,
        None => CsvDialect::Excel,
    };
    let cp1251 = match pick_env(
        "--csv-encoding",
        out.csv_encoding.as_deref(),
        file,
        "SVERKA_CSV_ENCODING",
        "[output] csv_encoding",
        file.output.csv_encoding.as_deref(),
    ) {
        Some((e, what)) => match e.to_lowercase().replace(['-', '_'], "").as_str() {
            "utf8" => false,
            "windows1251" | "cp1251" => true,
            _ => return Err(usage(&what, e, "utf-8 or windows-1251")),
        },
        None => false,
    };
    let format = match pick_env(
        "--format",
        out.format.as_deref(),
        file,
        "SVERKA_FORMAT",
        "[output] format",
        file.output.format.as_deref(),
    ) {
        Some((f, what)) => Some(
            OutputFormat::parse(f)
                .ok_or_else(|| usage(&what, f, "table, csv, tsv, json or xlsx"))?,
        ),
        None => None,
    };
    // `-o debtors.csv` on the command line says the format more plainly than a default
    // from the environment or the settings file.
    let by_extension = out
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .is_some_and(|e| {
            matches!(
                e.to_lowercase().as_str(),
                "xlsx" | "json" | "tsv" | "tab" | "csv" | "txt"
            )
        });
    let format = if out.format.is_none() && by_extension {
        None
    } else {
        format
    };
    for inn in &file.company.inn {
        if !crate::inn::is_valid_inn(inn) {
            let path = file.path.clone().unwrap_or_default();
            return Err(Error::Config {
                path,
                message: format!("[company] inn {inn:?} is not a valid INN"),
            });
        }
    }
    Ok(Common {
        inputs,
        strict: global.strict,
        company: LedgerConfig {
            our_inns: file.company.inn.clone(),
            our_accounts: file.company.accounts.clone(),
            ..LedgerConfig::default()
        },
        render: RenderOptions {
            lang,
            dialect,
            width: if out.output.is_some() { None } else { width },
            cp1251,
        },
        output: out.output.clone(),
        format,
        split_by_manager: match out.split_by.as_deref() {
            None => false,
            Some(k) if k.trim().eq_ignore_ascii_case("manager") => true,
            Some(k) => return Err(usage("--split-by", k, "manager")),
        },
        sheet_per_manager: out.sheet_per_manager,
    })
}

/// The period of a review: a month, a quarter, a year, or `--from`/`--to`; by default
/// the last full month before today.
fn period(a: &ReviewArgs) -> Result<(NaiveDate, NaiveDate)> {
    use chrono::Datelike;
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d);
    let month_span = |y: i32, m: u32| -> Option<(NaiveDate, NaiveDate)> {
        let first = ymd(y, m, 1)?;
        let next = if m == 12 {
            ymd(y + 1, 1, 1)?
        } else {
            ymd(y, m + 1, 1)?
        };
        Some((first, next.pred_opt()?))
    };
    let year_of = |t: &str| {
        t.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2199).contains(y))
    };
    if let Some(text) = &a.month {
        let t = text.trim();
        let parts: Option<(i32, u32)> = match (t.split_once('-'), t.split_once('.')) {
            (Some((y, m)), _) => year_of(y).zip(m.trim().parse().ok()),
            (None, Some((m, y))) => year_of(y).zip(m.trim().parse().ok()),
            _ => None,
        };
        return parts
            .and_then(|(y, m)| month_span(y, m))
            .ok_or_else(|| usage("--month", text, "a month such as 2024-03 or 03.2024"));
    }
    if let Some(text) = &a.quarter {
        let t = text.trim().to_uppercase().replace(['К', 'Q'], "Q");
        let (y, q) = match t.split_once('Q') {
            Some((y, q)) if !y.trim_end_matches('-').trim().is_empty() => {
                (y.trim_end_matches('-').to_string(), q.to_string())
            }
            Some((_, rest)) => match rest.split_once('-') {
                Some((q, y)) => (y.to_string(), q.to_string()),
                None => (String::new(), String::new()),
            },
            None => (String::new(), String::new()),
        };
        let span = year_of(&y).zip(q.trim().parse::<u32>().ok().filter(|q| (1..=4).contains(q)));
        return span
            .and_then(|(y, q)| Some((month_span(y, q * 3 - 2)?.0, month_span(y, q * 3)?.1)))
            .ok_or_else(|| usage("--quarter", text, "a quarter such as 2024-Q1"));
    }
    if let Some(text) = &a.year {
        return year_of(text)
            .and_then(|y| Some((ymd(y, 1, 1)?, ymd(y, 12, 31)?)))
            .ok_or_else(|| usage("--year", text, "a year such as 2024"));
    }
    if let (Some(f), Some(t)) = (&a.from, &a.to) {
        let (from, to) = (parse_as_of(f)?, parse_as_of(t)?);
        if from > to {
            return Err(Error::Usage(format!("--from {f} is after --to {t}")));
        }
        return Ok((from, to));
    }
    let today = chrono::Local::now().date_naive();
    let (y, m) = if today.month() == 1 {
        (today.year() - 1, 12)
    } else {
        (today.year(), today.month() - 1)
    };
    month_span(y, m).ok_or_else(|| Error::Usage("no period".into()))
}

/// Where a value came from, for messages: the flag, or the settings file's key.
fn origin(flag: &str, from_cli: bool, file: &File, key: &str) -> String {
    match (&file.path, from_cli) {
        (_, true) => flag.to_string(),
        (Some(p), false) => format!("settings {}: {key}", p.display()),
        (None, false) => key.to_string(),
    }
}

/// The escalation thresholds: four ascending day counts.
fn parse_levels(what: &str, list: &[u32], text: &str) -> Result<[u32; 4]> {
    match list {
        [a, b, c, d] if 0 < *a && a < b && b < c && c < d && *d <= 3660 => Ok([*a, *b, *c, *d]),
        _ => Err(usage(
            what,
            text,
            "four ascending day counts from 1 (remind, call, escalate, legal), e.g. 1,15,45,90",
        )),
    }
}

/// The follow-up settings: `--levels`, `--heads-up` over `[tasks]`.
fn tasks_config(a: &TasksArgs, file: &File) -> Result<crate::followup::TaskConfig> {
    let mut cfg = crate::followup::TaskConfig::default();
    if let Some(text) = &a.levels {
        let list: std::result::Result<Vec<u32>, _> =
            text.split(',').map(|p| p.trim().parse::<u32>()).collect();
        let list = list.map_err(|_| {
            usage(
                "--levels",
                text,
                "four ascending day counts, e.g. 1,15,45,90",
            )
        })?;
        cfg.levels = parse_levels("--levels", &list, text)?;
    } else if let Some(list) = &file.tasks.levels {
        let what = match &file.path {
            Some(p) => format!("settings {}: [tasks] levels", p.display()),
            None => "[tasks] levels".into(),
        };
        cfg.levels = parse_levels(&what, list, &format!("{list:?}"))?;
    }
    cfg.heads_up = a.heads_up.or(file.tasks.heads_up).unwrap_or(0);
    if cfg.heads_up > 366 {
        let what = origin("--heads-up", a.heads_up.is_some(), file, "[tasks] heads_up");
        return Err(usage(&what, &cfg.heads_up.to_string(), "at most 366 days"));
    }
    Ok(cfg)
}

fn matching(m: &MatchingArgs, file: &File) -> Result<MatchSettings> {
    let as_of = match &m.as_of {
        Some(s) => parse_as_of(s)?,
        None => chrono::Local::now().date_naive(),
    };
    let tie = match pick(
        "--tie",
        m.tie.as_deref(),
        file,
        "[matching] tie",
        file.matching.tie.as_deref(),
    ) {
        Some((t, what)) => parse_tie(&what, t)?,
        None => Tie::default(),
    };
    let default_term = m.default_term.or(file.matching.default_term).unwrap_or(0);
    if default_term > 3660 {
        let value = default_term.to_string();
        let (cli, in_file) = match m.default_term {
            Some(_) => (Some(value.as_str()), None),
            None => (None, Some(value.as_str())),
        };
        let what = pick(
            "--default-term",
            cli,
            file,
            "[matching] default_term",
            in_file,
        )
        .map_or_else(|| "--default-term".to_string(), |(_, w)| w);
        return Err(usage(&what, &value, "at most 3660 days"));
    }
    let tolerance = match pick(
        "--tolerance",
        m.tolerance.as_deref(),
        file,
        "[matching] tolerance",
        file.matching.tolerance.as_deref(),
    ) {
        Some((t, what)) => parse_tolerance(&what, t)?,
        None => Tolerance::None,
    };
    let overpay_tolerance = match pick(
        "--tolerance-overpay",
        m.tolerance_overpay.as_deref(),
        file,
        "[matching] tolerance_overpay",
        file.matching.tolerance_overpay.as_deref(),
    ) {
        Some((t, what)) => parse_tolerance(&what, t)?,
        None => Tolerance::None,
    };
    let mut cfg = MatchSettings::new(as_of);
    cfg.tie = tie;
    cfg.terms = terms(file, default_term)?;
    cfg.tolerance = tolerance;
    cfg.overpay_tolerance = overpay_tolerance;
    let m_ = &file.matching;
    cfg.ambiguous_oldest = choice(
        pick(
            "--ambiguous",
            m.ambiguous.as_deref(),
            file,
            "[matching] ambiguous",
            m_.ambiguous.as_deref(),
        ),
        &[("review", false), ("oldest", true)],
        false,
    )?;
    cfg.surplus_by_due_date = choice(
        pick(
            "--apply-surplus",
            m.apply_surplus.as_deref(),
            file,
            "[matching] apply_surplus",
            m_.apply_surplus.as_deref(),
        ),
        &[("advance", false), ("fifo", true), ("due-date", true)],
        false,
    )?;
    cfg.credits_by_due_date = choice(
        pick(
            "--apply-credits",
            m.apply_credits.as_deref(),
            file,
            "[matching] apply_credits",
            m_.apply_credits.as_deref(),
        ),
        &[("later", false), ("fifo", true), ("due-date", true)],
        false,
    )?;
    cfg.by_contract = choice(
        pick(
            "--level",
            m.level.as_deref(),
            file,
            "[matching] level",
            m_.level.as_deref(),
        ),
        &[("counterparty", false), ("contract", true)],
        false,
    )?;
    cfg.exact_amount = choice(
        pick(
            "--exact-amount",
            m.exact_amount.as_deref(),
            file,
            "[matching] exact_amount",
            m_.exact_amount.as_deref(),
        ),
        &[("on", true), ("off", false)],
        true,
    )?;
    if let Some(path) = m.overrides.clone().or_else(|| {
        file.matching
            .overrides
            .as_ref()
            .map(|p| relative_to(file, p))
    }) {
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        cfg.overrides = crate::matching::overrides::parse_bytes(&bytes).map_err(|errors| {
            line_errors(&path, errors.iter().map(|e| (e.line, e.message.as_str())))
        })?;
        cfg.overrides_file = Some(path);
    }
    if let Some(path) = m
        .rates
        .clone()
        .or_else(|| file.matching.rates.as_ref().map(|p| relative_to(file, p)))
    {
        let bytes = std::fs::read(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        cfg.rates = crate::rates::Rates::parse_bytes(&bytes).map_err(|errors| {
            line_errors(&path, errors.iter().map(|e| (e.line, e.message.as_str())))
        })?;
    }
    if let Some((ue, what)) = pick(
        "--ue",
        m.ue.as_deref(),
        file,
        "[matching] ue",
        file.matching.ue.as_deref(),
    ) {
        let code = crate::model::normalize_currency(ue);
        // у.е. are paid at the day's rate of the currency they are pegged to: without
        // those rates the option would silently do nothing.
        if !cfg.rates.currencies().any(|c| c == code) {
            let rates = if cfg.rates.is_empty() {
                "no rates file is given (--rates)".to_string()
            } else {
                format!(
                    "the rates file has rates of {} only",
                    cfg.rates.currencies().collect::<Vec<_>>().join(", ")
                )
            };
            return Err(Error::Usage(format!(
                "{what} {ue:?}: у.е. are paid at the day's {code} rate, but {rates}"
            )));
        }
        cfg.ue = Some(code.to_string());
    }
    Ok(cfg)
}

/// The errors of a file read line by line (overrides, rates): one names its line; several
/// are listed one per line.
fn line_errors<'a>(path: &Path, errors: impl Iterator<Item = (u32, &'a str)>) -> Error {
    let errors: Vec<(u32, &str)> = errors.collect();
    match errors[..] {
        [(line, message)] => Error::Input {
            path: path.to_path_buf(),
            line: Some(line),
            message: message.to_string(),
        },
        _ => {
            let mut lines: Vec<u32> = errors.iter().map(|(line, _)| *line).collect();
            lines.dedup();
            let count = match lines.len() {
                1 => "1 line".to_string(),
                n => format!("{n} lines"),
            };
            Error::Input {
                path: path.to_path_buf(),
                line: None,
                message: format!(
                    "{count} cannot be read:{}",
                    errors
                        .iter()
                        .map(|(line, message)| format!("\n  line {line}: {message}"))
                        .collect::<String>()
                ),
            }
        }
    }
}

/// How debts are aged: buckets, basis, calendar, managers.
fn aging(
    a: &AgingArgs,
    m: &MatchingArgs,
    file: &File,
    matching: &MatchSettings,
) -> Result<AgingConfig> {
    let calendar = calendar(m, file)?;
    let buckets = match &a.buckets {
        Some(b) => parse_buckets(b)?,
        None => file
            .report
            .buckets
            .clone()
            .unwrap_or_else(|| vec![30, 60, 90, 120]),
    };
    let age_by = match pick(
        "--age-by",
        a.age_by.as_deref(),
        file,
        "[report] age_by",
        file.report.age_by.as_deref(),
    ) {
        Some((s, what)) => parse_age_by(&what, s)?,
        None => AgeBy::Due,
    };
    // The settings' file, then the settings' table over it, then a file named on the
    // command line over both.
    let read = |path: &Path| -> Result<crate::managers::Managers> {
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        crate::managers::Managers::parse_bytes(&bytes).map_err(|errors| {
            line_errors(path, errors.iter().map(|e| (e.line, e.message.as_str())))
        })
    };
    let mut managers = crate::managers::Managers::default();
    if let Some(p) = &file.report.managers
        && a.managers.is_none()
    {
        managers = read(&relative_to(file, p))?;
    }
    for (inn, name) in &file.managers {
        let what = match &file.path {
            Some(p) => format!("settings {}: [managers]", p.display()),
            None => "[managers]".to_string(),
        };
        if !crate::inn::is_valid_inn(inn.trim()) {
            return Err(usage(&format!("{what}: INN"), inn, "a valid INN"));
        }
        if name.trim().is_empty() {
            return Err(usage(&format!("{what}: {inn}"), name, "a manager's name"));
        }
        managers.insert(inn, name);
    }
    if let Some(path) = &a.managers {
        managers.extend(read(path)?);
    }
    Ok(AgingConfig {
        buckets,
        age_by,
        rates: matching.rates.clone(),
        ue: matching.ue.clone(),
        calendar,
        managers,
    })
}

/// The working-days calendar: `--calendar` or `[report] calendar`.
fn calendar(m: &MatchingArgs, file: &File) -> Result<Option<crate::calendar::Calendar>> {
    Ok(
        match pick_env(
            "--calendar",
            m.calendar.as_deref(),
            file,
            "SVERKA_CALENDAR",
            "[report] calendar",
            file.report.calendar.as_deref(),
        ) {
            None => None,
            Some((v, what)) => match v.trim().to_lowercase().as_str() {
                "off" | "no" | "none" => None,
                "ru" | "russia" | "rf" => Some(crate::calendar::Calendar::russia()),
                _ => {
                    // A file of days: on the command line as given, in the settings file
                    // relative to it.
                    let path = if what.starts_with("settings ") {
                        relative_to(file, Path::new(v))
                    } else {
                        PathBuf::from(v)
                    };
                    if !path.is_file() {
                        return Err(usage(&what, v, "ru, off or a calendar file"));
                    }
                    let bytes = std::fs::read(&path).map_err(|source| Error::Io {
                        path: path.clone(),
                        source,
                    })?;
                    let (enc, bom) = crate::formats::encoding::sniff(
                        &bytes,
                        &["нерабочий", "рабочий", "выходной", "праздник", "Дата"],
                        None,
                    );
                    let text = enc.decode(bytes.get(bom..).unwrap_or_default());
                    Some(
                        crate::calendar::Calendar::russia_with(&text).map_err(|errors| {
                            line_errors(&path, errors.iter().map(|e| (e.line, e.message.as_str())))
                        })?,
                    )
                }
            },
        },
    )
}

/// The payment terms: `--default-term` and the settings file's `[[terms]]`.
fn terms(file: &File, default_term: u32) -> Result<crate::terms::Terms> {
    let mut terms = crate::terms::Terms::new(default_term);
    let at = |k: usize| match &file.path {
        Some(p) => format!("settings {}: [[terms]] entry {}", p.display(), k + 1),
        None => format!("[[terms]] entry {}", k + 1),
    };
    for (k, t) in file.terms.iter().enumerate() {
        let inn = t.inn.trim();
        if !crate::inn::is_valid_inn(inn) {
            return Err(usage(&format!("{}: inn", at(k)), &t.inn, "a valid INN"));
        }
        if t.days > 3660 {
            return Err(usage(
                &format!("{}: days", at(k)),
                &t.days.to_string(),
                "at most 3660 days",
            ));
        }
        match t.contract.as_deref().map(str::trim) {
            Some("") => {
                return Err(usage(
                    &format!("{}: contract", at(k)),
                    "",
                    "a contract as the documents write it, e.g. \"Договор №1\"",
                ));
            }
            Some(c) => terms.set_for_contract(inn, c, t.days),
            None => terms.set_for_inn(inn, t.days),
        }
    }
    Ok(terms)
}

/// A path named in the settings file is relative to that file's folder.
fn relative_to(file: &File, path: &Path) -> PathBuf {
    match file.path.as_ref().and_then(|f| f.parent()) {
        Some(dir) if path.is_relative() => dir.join(path),
        _ => path.to_path_buf(),
    }
}

/// One of a few named values (`value` as picked, with where it came from).
fn choice<T: Copy>(value: Option<(&str, String)>, options: &[(&str, T)], default: T) -> Result<T> {
    let Some((v, what)) = value else {
        return Ok(default);
    };
    let wanted = v.trim().to_lowercase().replace('_', "-");
    options
        .iter()
        .find(|(name, _)| *name == wanted)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            usage(&what, v, &names.join(" or "))
        })
}

/// Our company, grouping and agents: what the ledger needs.
fn ledger_config(m: &MatchingArgs, file: &File, company: &mut LedgerConfig) -> Result<()> {
    let m_ = &file.matching;
    company.group = choice(
        pick(
            "--group",
            m.group.as_deref(),
            file,
            "[matching] group",
            m_.group.as_deref(),
        ),
        &[("inn", Grouping::Inn), ("inn+kpp", Grouping::InnKpp)],
        Grouping::Inn,
    )?;
    let mut agents: Vec<String> = m_.agents.clone();
    let mut what = match &file.path {
        Some(path) => format!("settings {}: [matching] agents", path.display()),
        None => "[matching] agents".to_string(),
    };
    if let Some(list) = &m.agents {
        what = "--agents".to_string();
        agents = list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    for inn in &agents {
        if !crate::inn::is_valid_inn(inn) {
            return Err(usage(&format!("{what}: INN"), inn, "a valid INN"));
        }
    }

    company.agent_inns = agents;
    Ok(())
}

/// Turns the parsed arguments into a command with validated settings.
pub fn command(cli: Cli, width: Option<u16>) -> Result<Command> {
    // `init` needs no settings (and must work where a broken sverka.toml lies).
    if let Cmd::Init(a) = &cli.command {
        return Ok(Command::Init(crate::commands::init::InitSettings {
            path: a.path.clone(),
            force: a.force,
        }));
    }
    let config = cli
        .global
        .config
        .clone()
        .or_else(|| env_value("SVERKA_CONFIG").map(PathBuf::from));
    let (path, mut file) = load_file(config.as_deref())?;
    for var in ENV_VARS {
        if let Some(v) = env_value(var) {
            file.env.insert(var, v);
        }
    }
    if let (Some(p), Some(b)) = (&path, &file.report.buckets) {
        check_buckets(b).map_err(|m| Error::Config {
            path: p.clone(),
            message: format!("[report] buckets: expected {m}"),
        })?;
    }
    // Per-manager outputs exist for the register and the tasks only.
    let per_manager = match &cli.command {
        Cmd::Match(a) => Some(("match", &a.output)),
        Cmd::Review(a) => Some(("review", &a.output)),
        Cmd::Inspect(a) => Some(("inspect", &a.output)),
        _ => None,
    };
    if let Some((name, out)) = per_manager
        && (out.split_by.is_some() || out.sheet_per_manager)
    {
        return Err(Error::Usage(format!(
            "--split-by and --sheet-per-manager are for report and tasks, not {name}"
        )));
    }
    Ok(match cli.command {
        Cmd::Report(a) => {
            let mut by = match pick(
                "--by",
                a.by.as_deref(),
                &file,
                "[report] by",
                file.report.by.as_deref(),
            ) {
                Some((s, what)) => GroupBy::parse(s)
                    .ok_or_else(|| usage(&what, s, "counterparty, invoice, manager or contract"))?,
                None => GroupBy::Counterparty,
            };
            let mut matching = matching(&a.matching, &file)?;
            // Rows per contract are settled per contract.
            // Rows per contract are settled per contract; against a level per
            // counterparty, the command line wins over the settings file.
            let per_counterparty =
                |l: Option<&str>| l.is_some_and(|l| l.trim().eq_ignore_ascii_case("counterparty"));
            let level_cli = per_counterparty(a.matching.level.as_deref());
            let level_file =
                a.matching.level.is_none() && per_counterparty(file.matching.level.as_deref());
            if by == GroupBy::Contract {
                match (a.by.is_some(), level_cli, level_file) {
                    (true, true, _) => {
                        return Err(Error::Usage(
                            "--by contract settles per contract: it cannot go with --level counterparty"
                                .into(),
                        ));
                    }
                    (false, false, true) => {
                        return Err(Error::Config {
                            path: path.clone().unwrap_or_default(),
                            message: "[report] by = \"contract\" settles per contract: it cannot go with [matching] level = \"counterparty\"".into(),
                        });
                    }
                    // `--level counterparty` on the command line over `by = "contract"`.
                    (false, true, _) => by = GroupBy::Counterparty,
                    _ => matching.by_contract = true,
                }
            }
            let aging = aging(&a.aging, &a.matching, &file, &matching)?;
            Command::Report(ReportSettings {
                common: {
                    let mut c = common(&cli.global, &file, a.inputs, &a.output, width)?;
                    ledger_config(&a.matching, &file, &mut c.company)?;
                    c
                },
                matching,
                aging,
                by,
                show_future: a.show_future_payments,
            })
        }
        Cmd::Match(a) => Command::Match(MatchLogSettings {
            common: {
                let mut c = common(&cli.global, &file, a.inputs, &a.output, width)?;
                ledger_config(&a.matching, &file, &mut c.company)?;
                c
            },
            matching: matching(&a.matching, &file)?,
            calendar: calendar(&a.matching, &file)?,
        }),
        Cmd::Tasks(a) => {
            let matching = matching(&a.matching, &file)?;
            let aging = aging(&a.aging, &a.matching, &file, &matching)?;
            Command::Tasks(crate::commands::tasks::TasksSettings {
                common: {
                    let mut c = common(&cli.global, &file, a.inputs.clone(), &a.output, width)?;
                    ledger_config(&a.matching, &file, &mut c.company)?;
                    c
                },
                tasks: tasks_config(&a, &file)?,
                manager: a.manager.clone(),
                matching,
                aging,
            })
        }
        Cmd::Review(a) => {
            if a.matching.as_of.is_some() {
                return Err(Error::Usage(
                    "review covers a period: give --month, --quarter, --year or --from/--to, not --as-of"
                        .into(),
                ));
            }
            let (from, to) = period(&a)?;
            let mut matching = matching(&a.matching, &file)?;
            matching.as_of = to;
            let aging = aging(&a.aging, &a.matching, &file, &matching)?;
            let hard_days = a.hard_days.or(file.review.hard_days).unwrap_or(90);
            if hard_days == 0 || hard_days > 3660 {
                let what = origin(
                    "--hard-days",
                    a.hard_days.is_some(),
                    &file,
                    "[review] hard_days",
                );
                return Err(usage(&what, &hard_days.to_string(), "from 1 to 3660 days"));
            }
            Command::Review(crate::commands::review::ReviewSettings {
                common: {
                    let mut c = common(&cli.global, &file, a.inputs.clone(), &a.output, width)?;
                    ledger_config(&a.matching, &file, &mut c.company)?;
                    c
                },
                matching,
                aging,
                from,
                hard_days,
            })
        }
        Cmd::Init(_) | Cmd::Completions { .. } | Cmd::Man { .. } => {
            return Err(Error::Usage("this command takes no settings".into()));
        }
        Cmd::Inspect(a) => Command::Inspect(InspectSettings {
            common: common(&cli.global, &file, a.inputs, &a.output, width)?,
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `sverka init`'s file reads as it is, and with every example line uncommented.
    #[test]
    fn the_init_template_reads() {
        let t = crate::commands::init::TEMPLATE;
        let file: File = toml::from_str(t).expect("template as written");
        assert!(file.company.inn.is_empty());
        let uncommented: String = t
            .lines()
            .map(|l| {
                let rest = l.strip_prefix("# ").unwrap_or(l);
                let is_setting = rest.starts_with('[')
                    || rest.starts_with('"')
                    || rest.split_once(" = ").is_some_and(|(k, _)| {
                        k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                    });
                if is_setting { rest } else { l }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let file: File = toml::from_str(&uncommented).expect("template uncommented");
        assert_eq!(file.company.inn, vec!["7701234560"]);
        assert_eq!(file.terms.len(), 2);
        assert_eq!(file.tasks.levels, Some(vec![1, 15, 45, 90]));
        assert_eq!(file.review.hard_days, Some(90));
        assert_eq!(file.managers.len(), 1);
        assert_eq!(file.report.calendar.as_deref(), Some("off"));
    }

    #[test]
    fn as_of_in_both_forms() {
        assert_eq!(
            parse_as_of("2024-03-31").unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        assert_eq!(
            parse_as_of("31.03.2024").unwrap(),
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        assert!(parse_as_of("31.03.24").is_err());
        assert!(parse_as_of("31.03/2024").is_err());
        assert!(parse_as_of("2024/03/31").is_err());
        assert!(parse_as_of("2024-02-30").is_err());
        assert!(parse_as_of("yesterday").is_err());
    }

    #[test]
    fn tolerance_as_amount_or_percent() {
        use rust_decimal_macros::dec;
        assert_eq!(
            parse_tolerance("--tolerance", "1.00").unwrap(),
            Tolerance::Amount(dec!(1.00))
        );
        assert_eq!(
            parse_tolerance("--tolerance", "1,5").unwrap(),
            Tolerance::Amount(dec!(1.50))
        );
        assert_eq!(
            parse_tolerance("--tolerance", "2%").unwrap(),
            Tolerance::Percent(dec!(2))
        );
        assert_eq!(
            parse_tolerance("--tolerance", "0").unwrap(),
            Tolerance::None
        );
        assert!(parse_tolerance("--tolerance", "-1").is_err());
        assert!(parse_tolerance("--tolerance", "150%").is_err());
        assert!(parse_tolerance("--tolerance", "abc").is_err());
        // S55: 24.20 of 1 210.00 is exactly 2 %.
        assert!(Tolerance::Percent(dec!(2)).covers(dec!(24.20), dec!(1210.00)));
        assert!(!Tolerance::Percent(dec!(2)).covers(dec!(24.21), dec!(1210.00)));
    }

    #[test]
    fn buckets_must_ascend() {
        assert_eq!(
            parse_buckets("30,60,90,120").unwrap(),
            vec![30, 60, 90, 120]
        );
        assert_eq!(parse_buckets(" 15, 45 ").unwrap(), vec![15, 45]);
        assert!(parse_buckets("60,30").is_err());
        assert!(parse_buckets("0,30").is_err());
        assert!(parse_buckets("30,x").is_err());
        assert!(parse_buckets("").is_err());
    }

    #[test]
    fn the_settings_file_rejects_unknown_keys() {
        let f: std::result::Result<File, _> = toml::from_str("[report]\nbukets = [30]\n");
        assert!(f.is_err());
        let f: File =
            toml::from_str("[company]\ninn = [\"7707083893\"]\n[matching]\ntie = \"fifo\"\n")
                .unwrap();
        assert_eq!(f.company.inn, vec!["7707083893"]);
    }
}
