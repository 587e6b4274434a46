//! The commands, one file each: validated settings in, output written, diagnostics
//! reported. The CLI builds the settings; tests may call these directly.

pub mod init;
pub mod inspect;
pub mod matchlog;
pub mod report;
pub mod review;
pub mod tasks;

use crate::error::{Error, Result};
use crate::input::{self, Inputs, Outcome};
use crate::ledger::{self, FileDocs, Ledger, LedgerConfig};
use crate::matching::{self, MatchConfig, Matching};

use crate::model::Warning;
use crate::output::{OutputFormat, RenderOptions};
use std::io::Write;
use std::path::PathBuf;

/// Where diagnostics go (stderr in the CLI).
pub trait Diagnostics {
    /// A problem in the input that did not stop the run (`--strict` makes it an error).
    fn warning(&mut self, message: &str);
    /// Information for the user (what was skipped, what needs review).
    fn note(&mut self, message: &str);
}

/// Diagnostics collected in memory (for tests and library users).
#[derive(Debug, Default, Clone)]
pub struct Collected {
    pub warnings: Vec<String>,
    pub notes: Vec<String>,
}

impl Diagnostics for Collected {
    fn warning(&mut self, message: &str) {
        self.warnings.push(message.to_string());
    }
    fn note(&mut self, message: &str) {
        self.notes.push(message.to_string());
    }
}

/// Settings shared by every command.
#[derive(Debug, Clone, Default)]
pub struct Common {
    pub inputs: Vec<PathBuf>,
    pub strict: bool,
    pub company: LedgerConfig,
    pub render: RenderOptions,
    /// Where to write; `None` is stdout.
    pub output: Option<PathBuf>,
    pub format: Option<OutputFormat>,
    /// One file per manager in the folder `output`.
    pub split_by_manager: bool,
    /// XLSX: a sheet per manager after the whole list.
    pub sheet_per_manager: bool,
}

/// Matching settings shared by `report` and `match`.
pub type MatchSettings = MatchConfig;

/// A command, ready to run.
#[derive(Debug, Clone)]
pub enum Command {
    Report(report::ReportSettings),
    Match(matchlog::MatchLogSettings),
    Tasks(tasks::TasksSettings),
    Review(review::ReviewSettings),
    Init(init::InitSettings),
    Inspect(inspect::InspectSettings),
}

/// Runs a command.
pub fn run(cmd: &Command, diag: &mut dyn Diagnostics) -> Result<()> {
    match cmd {
        Command::Report(s) => report::run(s, diag),
        Command::Match(s) => matchlog::run(s, diag),
        Command::Tasks(s) => tasks::run(s, diag),
        Command::Review(s) => review::run(s, diag),
        Command::Init(s) => init::run(s, diag),
        Command::Inspect(s) => inspect::run(s, diag),
    }
}

/// Reads the inputs and builds the ledger, reporting warnings; fails on an unreadable
/// file, and on any warning under `--strict`.
pub fn load_ledger(common: &Common, diag: &mut dyn Diagnostics) -> Result<Ledger> {
    let clock = Stage::start();
    let inputs = input::load(&common.inputs)?;
    clock.done("read the inputs");
    let clock = Stage::start();
    report_warnings(&inputs, &inputs.warnings(), diag);
    if let Some(e) = inputs.first_failure() {
        return Err(e);
    }
    let mut warning_count = inputs.warnings().len();
    let notes: usize = inputs
        .files
        .iter()
        .map(|f| match &f.outcome {
            Outcome::Read(r) => r.notes.len(),
            Outcome::Ignored(_) => 1,
            _ => 0,
        })
        .sum();
    if notes > 0 {
        diag.note(&format!(
            "{notes} note(s) about the inputs (what was read from where, documents left out): `sverka inspect` lists them"
        ));
    }
    let Inputs { sources, files } = inputs;
    let docs: Vec<FileDocs> = files
        .into_iter()
        .filter_map(|f| match f.outcome {
            Outcome::Read(r) => Some(FileDocs {
                file: f.file,
                accounts: r.accounts,
                company_inns: r.company_inns,
                exported: r.exported,
                documents: r.documents,
            }),
            _ => None,
        })
        .collect();
    let ledger = ledger::build(sources, docs, &common.company);
    clock.done("build the ledger");
    for w in &ledger.warnings {
        diag.warning(&w.render(&ledger.sources));
    }
    warning_count += ledger.warnings.len();
    // An empty register from empty inputs reads as "nobody owes anything": say so (and
    // fail under --strict), since a failed export is the likely cause.
    if ledger.invoices.is_empty()
        && ledger.payments.is_empty()
        && ledger.uncounted.total() == 0
        && ledger.credits.is_empty()
    {
        diag.warning(
            "the inputs hold no invoices, payments or credit notes: the register is empty (is the export missing?)",
        );
        warning_count += 1;
    }
    if ledger.duplicates > 0 {
        diag.note(&format!(
            "{} document(s) appeared more than once and were counted once",
            ledger.duplicates
        ));
    }
    if common.strict && warning_count > 0 {
        return Err(Error::Strict(warning_count));
    }
    Ok(ledger)
}

fn report_warnings(inputs: &Inputs, warnings: &[Warning], diag: &mut dyn Diagnostics) {
    for w in warnings {
        diag.warning(&w.render(&inputs.sources));
    }
}

/// How long each stage of a run takes, on stderr when `SVERKA_TIMINGS` is set (for the
/// benchmark kit; nothing is measured otherwise): wall time, the processor time all
/// threads used in it (where the system tells; twice the wall time means two busy
/// cores), and memory.
pub struct Stage(Option<(std::time::Instant, Option<f64>)>);

impl Stage {
    pub fn start() -> Stage {
        Stage(
            std::env::var_os("SVERKA_TIMINGS")
                .map(|_| (std::time::Instant::now(), processor_seconds())),
        )
    }

    pub fn done(self, what: &str) {
        if let Some((t, cpu)) = self.0 {
            let used = match (cpu, processor_seconds()) {
                (Some(before), Some(now)) => format!(", {:.3} s of processor time", now - before),
                _ => String::new(),
            };
            eprintln!(
                "sverka: timing: {what}: {:.3} s{used}{}",
                t.elapsed().as_secs_f64(),
                memory_note()
            );
        }
    }
}

/// The processor time (user and system) all threads of the process have used so far.
#[cfg(target_os = "linux")]
fn processor_seconds() -> Option<f64> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole rusage into the pointer it is given, which points
    // at one; it reads nothing else.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
    // SAFETY: zeroed is a valid rusage (plain integers), and getrusage filled it on success.
    let usage = unsafe { usage.assume_init() };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    ok.then(|| seconds(usage.ru_utime) + seconds(usage.ru_stime))
}

#[cfg(not(target_os = "linux"))]
fn processor_seconds() -> Option<f64> {
    None
}

/// The process's resident and peak memory, where the system tells (Linux).
fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse::<u64>().ok())
            .map(|kb| kb / 1024)
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => format!(" (resident {now} MiB, peak {peak} MiB)"),
        _ => String::new(),
    }
}

/// Hands memory that threads left free back to the system. mimalloc keeps the pages of
/// a thread that has ended until some thread collects them: matching's threads leave
/// 4 MiB of them at 100 MiB of statement, which aging, at the peak of the run's memory,
/// would build beside instead of in (docs/performance.md). A millisecond.
fn give_back_memory() {
    // SAFETY: mi_collect takes a flag and may be called from any thread at any time
    // (with another allocator installed, it only collects mimalloc's own empty heap).
    unsafe { libmimalloc_sys::mi_collect(true) };
}

/// Leaves what a command built to the end of the process instead of freeing it piece
/// by piece: a command is the last thing a sverka process does, and the system takes
/// the memory back at once when it exits, where dropping a year's documents, matches
/// and register one by one took 23 ms of a 0.6 s run at 100 MiB and 0.2 s at 1 GiB
/// (docs/performance.md). Only for what a command keeps until its output is written.
fn leave<T>(built: T) {
    std::mem::forget(built);
}

/// Runs the matching.
pub fn match_ledger(ledger: &Ledger, s: &MatchSettings) -> Result<Matching> {
    let clock = Stage::start();
    let m = matching::run(ledger, s);
    give_back_memory();
    clock.done("match");
    m.map_err(|e| Error::Input {
        path: s
            .overrides_file
            .clone()
            .unwrap_or_else(|| PathBuf::from("overrides")),
        line: Some(e.line),
        message: format!("the override does not fit the data: {}", e.message),
    })
}

/// The payments (indexes into `Ledger::payments`) of the receipts matching tied to a
/// customer.
fn identified(m: &Matching) -> impl Iterator<Item = usize> + '_ {
    m.receipts
        .iter()
        .filter(|r| r.party().is_some())
        .map(|r| r.payment())
}

/// The format: as asked; else as the output file's extension says (`-o debtors.xlsx`);
/// else a table for a person at a terminal and `otherwise` (CSV for data, JSON for
/// `inspect`) for a program.
pub fn default_format(common: &Common, otherwise: OutputFormat) -> OutputFormat {
    if let Some(f) = common.format {
        return f;
    }
    let by_extension = common
        .output
        .as_ref()
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .and_then(|e| match e.to_lowercase().as_str() {
            "xlsx" => Some(OutputFormat::Xlsx),
            "json" => Some(OutputFormat::Json),
            "tsv" | "tab" => Some(OutputFormat::Tsv),
            "csv" => Some(OutputFormat::Csv),
            "txt" => Some(OutputFormat::Table),
            _ => None,
        });
    by_extension.unwrap_or(
        if common.output.is_none() && common.render.width.is_some() {
            OutputFormat::Table
        } else {
            otherwise
        },
    )
}

/// Writes the output: atomically to the file, or to stdout (a closed pipe ends quietly).
pub fn emit(common: &Common, bytes: &[u8]) -> Result<()> {
    emit_with(common, |w| w.write_all(bytes))
}

/// Like [`emit`], with what `fill` writes: for an output written as it is made.
pub fn emit_with(
    common: &Common,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    match &common.output {
        Some(path) => {
            crate::output::write_atomic_with(path, fill).map_err(|source| Error::Output {
                path: path.clone(),
                source,
            })
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            match fill(&mut out).and_then(|_| out.flush()) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(source) => Err(Error::Output {
                    path: PathBuf::from("<stdout>"),
                    source,
                }),
            }
        }
    }
}

/// A file name for a manager's part of a split output: the name with the characters file
/// systems refuse (and leading dots) replaced; customers nobody looks after get a name of
/// their own.
pub fn manager_file_stem(manager: Option<&str>, lang: crate::output::Lang) -> String {
    let name = manager.unwrap_or(lang.t("без менеджера", "unassigned"));
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_control() || "<>:\"/\\|?*".contains(c) {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned
        .trim()
        .trim_start_matches('.')
        .trim_end_matches(['.', ' ']);
    let short: String = cleaned.chars().take(100).collect();
    if short.is_empty() { "_".into() } else { short }
}

/// Writes one file per manager into the folder `common.output` (created if missing),
/// each atomically, and says what was written.
pub fn emit_split(
    common: &Common,
    format: OutputFormat,
    parts: Vec<(Option<String>, Vec<u8>)>,
    diag: &mut dyn Diagnostics,
) -> Result<()> {
    let Some(dir) = &common.output else {
        return Err(Error::Usage("--split-by needs -o DIR".into()));
    };
    if dir.exists() && !dir.is_dir() {
        return Err(Error::Usage(format!(
            "--split-by writes a file per manager into a folder: {} is a file",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|source| Error::Output {
        path: dir.clone(),
        source,
    })?;
    let ext = match format {
        OutputFormat::Table => "txt",
        OutputFormat::Csv => "csv",
        OutputFormat::Tsv => "tsv",
        OutputFormat::Json => "json",
        OutputFormat::Xlsx => "xlsx",
    };
    let mut used: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (manager, bytes) in &parts {
        let stem = manager_file_stem(manager.as_deref(), common.render.lang);
        // Two names that clean up alike get numbered apart.
        let mut name = format!("{stem}.{ext}");
        let mut k = 2;
        while !used.insert(name.to_lowercase()) {
            name = format!("{stem} ({k}).{ext}");
            k += 1;
        }
        let path = dir.join(&name);
        crate::output::write_atomic(&path, bytes).map_err(|source| Error::Output {
            path: path.clone(),
            source,
        })?;
    }
    diag.note(&format!(
        "wrote {} file(s), one per manager, to {}",
        parts.len(),
        dir.display()
    ));
    Ok(())
}

/// Says which years the calendar had to guess (no decree data): weekends and the fixed
/// holidays only.
pub fn note_guessed_years(years: &[i32], diag: &mut dyn Diagnostics) {
    if years.is_empty() {
        return;
    }
    let years: Vec<String> = years.iter().map(i32::to_string).collect();
    diag.note(&format!(
        "the calendar has no data for {}: due dates there move past weekends and the \
         holidays of ТК РФ ст. 112 only (give a calendar file with --calendar for the \
         decree's transfers)",
        years.join(", ")
    ));
}

/// The output format of a command that writes the register or its worklists (CSV unless
/// told otherwise), checked: XLSX not to a terminal (unless split into files per
/// manager), a sheet per manager only in a workbook.
pub fn register_format(common: &Common) -> Result<OutputFormat> {
    let format = default_format(common, OutputFormat::Csv);
    if !common.split_by_manager {
        check_binary_target(common, format)?;
    }
    check_sheet_per_manager(common, format)?;
    Ok(format)
}

/// A sheet per manager exists only in a workbook.
pub fn check_sheet_per_manager(common: &Common, format: OutputFormat) -> Result<()> {
    if common.sheet_per_manager && format != OutputFormat::Xlsx {
        return Err(Error::Usage(
            "--sheet-per-manager makes sheets of an XLSX workbook: give --format xlsx or -o FILE.xlsx (for one file per manager, --split-by manager -o DIR)".into(),
        ));
    }
    Ok(())
}

/// XLSX is binary: it goes to a file or a pipe, never to a terminal.
pub fn check_binary_target(common: &Common, format: OutputFormat) -> Result<()> {
    if format == OutputFormat::Xlsx && common.output.is_none() && common.render.width.is_some() {
        return Err(Error::Usage(
            "XLSX is a binary file: give -o FILE.xlsx or redirect the output".into(),
        ));
    }
    Ok(())
}
