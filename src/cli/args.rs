//! The arguments as clap sees them: strings and flags, not yet checked against each
//! other or the settings file.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  sverka report exports/                        the register as of today, as a table
  sverka report exports/ --as-of 2024-03-31     as of a past date
  sverka report exports/ --format csv -o debtors.csv
  sverka match exports/                         which payment paid which invoice, and why
  sverka tasks exports/                         each manager's follow-up list
  sverka review exports/ --month 2024-03        the month in review, with the hard cases
  sverka inspect kl_to_1c.txt --format json     what sverka reads in a file
  sverka init                                   write a commented sverka.toml

Settings come from the command line, then SVERKA_* environment variables (SVERKA_CONFIG,
SVERKA_LANG, SVERKA_FORMAT, SVERKA_CSV_DIALECT, SVERKA_CSV_ENCODING, SVERKA_CALENDAR),
then ./sverka.toml (or --config FILE).

Exit codes: 0 done (debts are not an error), 1 input or processing error, 2 wrong usage.";

const REPORT_EXAMPLES: &str = "\
Examples:
  sverka report exports/ --as-of 31.03.2024
  sverka report exports/ --by invoice --calendar ru
  sverka report exports/ -o debtors.xlsx --sheet-per-manager
  sverka report exports/ --split-by manager -o по_менеджерам/
  sverka report exports/ --as-of 2024-06-30 --show-future-payments";

const TASKS_EXAMPLES: &str = "\
Examples:
  sverka tasks exports/                           today's list, by manager
  sverka tasks exports/ --heads-up 7              also invoices falling due within a week
  sverka tasks exports/ --manager \"Иванов И.И.\" --format csv -o ivanov.csv
  sverka tasks exports/ --split-by manager -o tasks/";

const REVIEW_EXAMPLES: &str = "\
Examples:
  sverka review exports/                          the last full month
  sverka review exports/ --quarter 2024-Q1 -o q1.xlsx
  sverka review exports/ --from 01.01.2024 --to 30.06.2024 --hard-days 60";

#[derive(Debug, Parser)]
#[command(
    name = "sverka",
    version,
    about = "Debtor register from 1C and bank exports: reads statements and invoice lists, \
             matches payments to invoices, ages what is still owed.",
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Cmd,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Treat warnings about the input as errors (exit 1).
    #[arg(long, global = true)]
    pub strict: bool,
    /// Print only warnings and errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Language of headers and notes: ru or en.
    #[arg(long, global = true, value_name = "LANG")]
    pub lang: Option<String>,
    /// Settings file (TOML). Default: ./sverka.toml if it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// The debtor register as of a date, with aging buckets.
    Report(ReportArgs),
    /// Every incoming payment, the invoices it paid, by which rule, and what is unidentified.
    Match(MatchArgs),
    /// Each manager's follow-up list: whom to contact about what is overdue, and by when.
    Tasks(TasksArgs),
    /// A month, quarter or year in review: owed at start and end, invoiced, collected,
    /// became overdue, DSO and the overdue share per manager, and the hard cases.
    Review(ReviewArgs),
    /// What each file is and what sverka reads from it.
    Inspect(InspectArgs),
    /// Write a commented settings file (sverka.toml) to start from.
    Init(InitArgs),
    /// Print a shell completion script: bash, zsh, fish, powershell or elvish.
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `sverka man > sverka.1`; of a command with its
    /// name, e.g. `sverka man report > sverka-report.1`.
    Man {
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format: table, csv, tsv, json or xlsx. Default: from the -o file's extension,
    /// else table on a terminal and csv (json for inspect) otherwise.
    #[arg(long, value_name = "FMT")]
    pub format: Option<String>,
    /// Write to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// CSV dialect: excel (Russian Excel: `;`, decimal comma, BOM, CRLF) or plain (`,`, point).
    #[arg(long, value_name = "DIALECT")]
    pub csv_dialect: Option<String>,
    /// Encoding of CSV and TSV: utf-8 (default) or windows-1251.
    #[arg(long, value_name = "ENCODING")]
    pub csv_encoding: Option<String>,
    /// One file per manager in the folder -o DIR (created if missing): manager.
    #[arg(long, value_name = "KEY", requires = "output")]
    pub split_by: Option<String>,
    /// XLSX: a sheet per manager after the whole list.
    #[arg(long)]
    pub sheet_per_manager: bool,
}

#[derive(Debug, Args)]
pub struct MatchingArgs {
    /// Report date: YYYY-MM-DD or DD.MM.YYYY. Later documents and later money are left out. Default: today.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Payment term in days for an invoice without a due date.
    #[arg(long, value_name = "DAYS")]
    pub default_term: Option<u32>,
    /// Invoices due on the same day share an unreferenced payment: prorata (ГК РФ 319.1) or fifo.
    #[arg(long, value_name = "RULE")]
    pub tie: Option<String>,
    /// Write off an underpayment this small: an amount (1.00) or a percentage of the invoice (2%).
    #[arg(long, value_name = "AMOUNT")]
    pub tolerance: Option<String>,
    /// Write off an overpayment this small instead of keeping it as an advance.
    #[arg(long, value_name = "AMOUNT")]
    pub tolerance_overpay: Option<String>,
    /// A reference several invoices share and the amount does not settle: review (default) or oldest.
    #[arg(long, value_name = "RULE")]
    pub ambiguous: Option<String>,
    /// What a payment pays beyond the invoices it names: advance (default) or fifo (other invoices by due date).
    #[arg(long, value_name = "RULE")]
    pub apply_surplus: Option<String>,
    /// Unlinked credit notes: later (wait for later invoices, default) or fifo (open invoices by due date).
    #[arg(long, value_name = "RULE")]
    pub apply_credits: Option<String>,
    /// Settle per counterparty (default) or per contract.
    #[arg(long, value_name = "LEVEL")]
    pub level: Option<String>,
    /// A payment naming nothing pays the one open invoice of exactly its amount first: on (default) or off.
    #[arg(long, value_name = "ON|OFF")]
    pub exact_amount: Option<String>,
    /// Group debtors by inn (default: branches with other KPPs together) or inn+kpp.
    #[arg(long, value_name = "KEY")]
    pub group: Option<String>,
    /// INNs of acquirers, marketplaces or agents whose receipts are not customers' payments (comma-separated).
    #[arg(long, value_name = "INN,...")]
    pub agents: Option<String>,
    /// The accountant's corrections to matching (see docs/matching.md), applied before any rule.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
    /// Exchange rates (date;currency;rate), for invoices in foreign currency or у.е.
    #[arg(long, value_name = "FILE")]
    pub rates: Option<PathBuf>,
    /// The currency у.е. (conventional units) are pegged to, e.g. USD.
    #[arg(long, value_name = "CODE")]
    pub ue: Option<String>,
    /// Working days: ru (the Russian production calendar: a due date on a day off moves to
    /// the next working day, ГК РФ ст. 193), off (calendar days, default), or a file of
    /// days on top of the Russian calendar.
    #[arg(long, value_name = "ru|off|FILE")]
    pub calendar: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = REPORT_EXAMPLES)]
pub struct ReportArgs {
    /// Statements, invoice lists, or folders of them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub matching: MatchingArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// One row per counterparty, invoice, manager or contract.
    #[arg(long, value_name = "KEY")]
    pub by: Option<String>,
    /// Also show what was paid on the open debts after the report date, and what is left.
    #[arg(long)]
    pub show_future_payments: bool,
    #[command(flatten)]
    pub aging: AgingArgs,
}

/// How debts are aged and who looks after them: shared by the commands that age.
#[derive(Debug, Args)]
pub struct AgingArgs {
    /// Upper bounds of the overdue buckets in days, e.g. 30,60,90,120.
    #[arg(long, value_name = "LIST")]
    pub buckets: Option<String>,
    /// Age from the due date (due) or from the document date (date).
    #[arg(long, value_name = "BASIS")]
    pub age_by: Option<String>,
    /// Who looks after which customer: a file of INN;Менеджер rows (wins over invoices).
    #[arg(long, value_name = "FILE")]
    pub managers: Option<PathBuf>,
}

#[derive(Debug, Args)]
#[command(after_help = TASKS_EXAMPLES)]
pub struct TasksArgs {
    /// Statements, invoice lists, or folders of them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub matching: MatchingArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub aging: AgingArgs,
    /// Days overdue from which remind, call, escalate and legal start (default 1,15,45,90).
    #[arg(long, value_name = "LIST")]
    pub levels: Option<String>,
    /// Also a heads-up for customers with invoices falling due within DAYS.
    #[arg(long, value_name = "DAYS")]
    pub heads_up: Option<u32>,
    /// Only the tasks of this manager ("-" for customers nobody looks after).
    #[arg(long, value_name = "NAME")]
    pub manager: Option<String>,
}

#[derive(Debug, Args)]
#[command(after_help = REVIEW_EXAMPLES)]
pub struct ReviewArgs {
    /// Statements, invoice lists, or folders of them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// A month: 2024-03 or 03.2024.
    #[arg(long, value_name = "MONTH", conflicts_with_all = ["quarter", "year", "from", "to"])]
    pub month: Option<String>,
    /// A quarter: 2024-Q1 (or 2024Q1, Q1-2024).
    #[arg(long, value_name = "QUARTER", conflicts_with_all = ["year", "from", "to"])]
    pub quarter: Option<String>,
    /// A year: 2024.
    #[arg(long, value_name = "YEAR", conflicts_with_all = ["from", "to"])]
    pub year: Option<String>,
    /// The first day of the period (with --to).
    #[arg(long, value_name = "DATE", requires = "to")]
    pub from: Option<String>,
    /// The last day of the period (with --from).
    #[arg(long, value_name = "DATE", requires = "from")]
    pub to: Option<String>,
    /// Days overdue at the end from which a customer is a hard case (default 90).
    #[arg(long, value_name = "DAYS")]
    pub hard_days: Option<u32>,
    #[command(flatten)]
    pub matching: MatchingArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub aging: AgingArgs,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(value_name = "FILE", default_value = "sverka.toml")]
    pub path: PathBuf,
    /// Replace a file that is already there.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Statements, invoice lists, or folders of them.
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub matching: MatchingArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Files or folders to look at.
    #[arg(required = true, value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
}
