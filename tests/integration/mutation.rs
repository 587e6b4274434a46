//! Mutation test over the real corpus (`$SVERKA_CORPUS`): every real file is damaged in
//! seeded, repeatable ways (bytes and bits flipped, cut anywhere and inside a multi-byte
//! character, lines shuffled, repeated and dropped, re-encoded between Windows-1251,
//! UTF-8 and UTF-16LE, BOM and line ends changed, a 10 MiB line, deep nesting, thousands
//! of attributes, huge numbers; workbooks are unpacked, a part damaged and packed again)
//! and read the way the program reads it. Nothing may panic or hang, and every error and
//! warning must have a message naming the file. A sample also goes through the whole
//! report in process, and a smaller one through the real binary, whose exit code must be
//! 0, 1 or 2 (never a signal or a panic's 101) with something on stderr when not 0.
//!
//! Without `SVERKA_CORPUS` the test says so and passes. A failing mutant is saved under
//! `target/mutation-failures/` to be replayed with `sverka report FILE`; with
//! `MUTATION_TRACE` set, every mutant is listed with its damage and time.

use crate::corpus::corpus;
use crate::support::sverka;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Mutants per corpus file (every file gets the same number, whatever its size);
/// `MUTATION_MUTANTS` sets another number for a longer run by hand.
const MUTANTS_PER_FILE: usize = 120;
/// Every this many mutants of a file is a big one (a 10 MiB line, deep nesting,
/// thousands of attributes or huge numbers).
const BIG_EVERY: usize = 15;
/// Every this many mutants also run the whole report in process.
const REPORT_EVERY: usize = 5;
/// How many mutants also run through the real binary.
const BINARY_RUNS: usize = 20;
/// The longest one mutant may take in a debug build before it counts as a hang.
const WATCHDOG: Duration = Duration::from_secs(10);
/// A huge line: past any reader's line limit (10 MiB).
const HUGE_LINE: usize = 10 << 20;

/// A small, fixed pseudo-random generator (xorshift64*): the same mutants on every run.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xCBF2_9CE4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01B3)
    })
}

/// The real files of the corpus: every file below it but the manifests and READMEs.
fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read the corpus")
        .map(|e| e.expect("corpus entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        if p.is_dir() {
            corpus_files(&p, out);
        } else if name != "MANIFEST.tsv" && !name.to_lowercase().starts_with("readme") {
            out.push(p);
        }
    }
}

/// The text of the bytes as UTF-8 or, failing that, Windows-1251.
fn as_text(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => encoding_rs::WINDOWS_1251.decode(bytes).0.into_owned(),
    }
}

/// Splits into lines, each with its line end.
fn lines_of(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// One damage, named for the failure message.
fn damage(bytes: &mut Vec<u8>, rng: &mut Rng, big: bool) -> &'static str {
    let len = bytes.len();
    let op = if big {
        12 + rng.below(4)
    } else {
        rng.below(12)
    };
    match op {
        0 => {
            for _ in 0..1 + rng.below(8) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] = rng.next() as u8;
                }
            }
            "bytes flipped"
        }
        1 => {
            for _ in 0..1 + rng.below(8) {
                if !bytes.is_empty() {
                    let i = rng.below(bytes.len());
                    bytes[i] ^= 1 << rng.below(8);
                }
            }
            "bits flipped"
        }
        2 => {
            bytes.truncate(rng.below(len + 1));
            "cut"
        }
        3 => {
            // Right after the lead byte of a multi-byte UTF-8 character (or a random cut).
            let leads: Vec<usize> = (0..len).filter(|&i| bytes[i] >= 0xC0).collect();
            let at = if leads.is_empty() {
                rng.below(len + 1)
            } else {
                leads[rng.below(leads.len())] + 1
            };
            bytes.truncate(at);
            "cut inside a character"
        }
        4 => {
            let mut lines = lines_of(bytes);
            let n = lines.len();
            if n > 1 {
                let from = rng.below(n);
                let to = (from + 2 + rng.below(40)).min(n);
                for i in (from + 1..to).rev() {
                    let j = from + rng.below(i - from + 1);
                    lines.swap(i, j);
                }
            }
            *bytes = lines.concat();
            "lines shuffled"
        }
        5 => {
            let mut lines = lines_of(bytes);
            if !lines.is_empty() {
                let from = rng.below(lines.len());
                let to = (from + 1 + rng.below(30)).min(lines.len());
                let copy: Vec<Vec<u8>> = lines[from..to].to_vec();
                let at = rng.below(lines.len() + 1);
                lines.splice(at..at, copy);
            }
            *bytes = lines.concat();
            "lines repeated"
        }
        6 => {
            let mut lines = lines_of(bytes);
            for _ in 0..1 + rng.below(10) {
                if !lines.is_empty() {
                    let i = rng.below(lines.len());
                    lines.remove(i);
                }
            }
            *bytes = lines.concat();
            "lines dropped"
        }
        7 => {
            let text = as_text(bytes);
            if std::str::from_utf8(bytes).is_ok() {
                *bytes = encoding_rs::WINDOWS_1251.encode(&text).0.into_owned();
                "re-encoded UTF-8 → Windows-1251"
            } else {
                *bytes = text.into_bytes();
                "re-encoded Windows-1251 → UTF-8"
            }
        }
        8 => {
            if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                *bytes = rest.to_vec();
                "BOM removed"
            } else {
                bytes.splice(0..0, *b"\xEF\xBB\xBF");
                "BOM added"
            }
        }
        9 => {
            let text = as_text(bytes);
            let mut out = vec![0xFF, 0xFE];
            out.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
            *bytes = out;
            "re-encoded to UTF-16LE"
        }
        10 => {
            if bytes.windows(2).any(|w| w == b"\r\n") {
                let lines: Vec<Vec<u8>> = lines_of(bytes)
                    .into_iter()
                    .map(|mut l| {
                        if l.ends_with(b"\r\n") {
                            l.remove(l.len() - 2);
                        }
                        l
                    })
                    .collect();
                *bytes = lines.concat();
                "CRLF → LF"
            } else {
                let mut out = Vec::with_capacity(len + len / 20);
                for &b in bytes.iter() {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
                *bytes = out;
                "LF → CRLF"
            }
        }
        11 => {
            // A piece of the file copied elsewhere in it.
            if len > 1 {
                let from = rng.below(len);
                let to = (from + 1 + rng.below(4096)).min(len);
                let piece = bytes[from..to].to_vec();
                let at = rng.below(len + 1);
                bytes.splice(at..at, piece);
            }
            "a piece copied elsewhere"
        }
        12 => {
            let at = line_start(bytes, rng);
            let mut line = vec![b'x'; HUGE_LINE];
            if rng.chance(2) {
                // Inside a value: a key before it, as in a statement's purpose.
                line.splice(0..0, "НазначениеПлатежа=".as_bytes().iter().copied());
            }
            line.extend_from_slice(b"\r\n");
            bytes.splice(at..at, line);
            "a 10 MiB line"
        }
        13 => {
            let at = line_start(bytes, rng);
            let depth = 150 + rng.below(2000);
            let mut deep = b"<a>".repeat(depth);
            deep.extend_from_slice(&b"</a>".repeat(depth));
            deep.push(b'\n');
            bytes.splice(at..at, deep);
            "deep nesting"
        }
        14 => {
            let at = line_start(bytes, rng);
            let mut tag = b"<x".to_vec();
            for i in 0..1500 + rng.below(20_000) {
                tag.extend_from_slice(format!(" a{i}=\"{i}\"").as_bytes());
            }
            tag.extend_from_slice(b"/>\n");
            bytes.splice(at..at, tag);
            "thousands of attributes"
        }
        _ => {
            // Every digit run of a few lines made 20 to 400 digits long.
            let digits: Vec<u8> = std::iter::repeat_n(b'9', 20 + rng.below(380)).collect();
            let mut out = Vec::with_capacity(len + 4096);
            let mut grown = 0;
            let mut i = 0;
            while i < len {
                if bytes[i].is_ascii_digit() && grown < 50 && rng.chance(8) {
                    while i < len && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                    out.extend_from_slice(&digits);
                    grown += 1;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            *bytes = out;
            "huge numbers"
        }
    }
}

/// The start of a random line.
fn line_start(bytes: &[u8], rng: &mut Rng) -> usize {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            (0..bytes.len())
                .filter(|&i| bytes[i] == b'\n')
                .map(|i| i + 1),
        )
        .collect();
    starts[rng.below(starts.len())]
}

/// A workbook unpacked, one XML part damaged, packed again (stored): flipping bytes of a
/// deflated zip only ever reaches the zip's checksums.
fn damage_inside_zip(bytes: &[u8], rng: &mut Rng) -> Option<(Vec<u8>, String)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).ok()?;
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).ok()?;
        let mut data = Vec::new();
        f.read_to_end(&mut data).ok()?;
        let name = f.name().ok()?.to_string();
        parts.push((name, data));
    }
    let xml: Vec<usize> = (0..parts.len())
        .filter(|&i| parts[i].0.ends_with(".xml"))
        .collect();
    if xml.is_empty() {
        return None;
    }
    let k = xml[rng.below(xml.len())];
    let what = damage(&mut parts[k].1, rng, false);
    let what = format!("{what} in {}", parts[k].0);
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in &parts {
        out.start_file(name.as_str(), stored).ok()?;
        out.write_all(data).ok()?;
    }
    Some((out.finish().ok()?.into_inner(), what))
}

/// One mutant: the bytes and what was done to them.
struct Mutant {
    name: String,
    bytes: Vec<u8>,
    what: String,
}

fn mutants_per_file() -> usize {
    std::env::var("MUTATION_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(MUTANTS_PER_FILE)
}

fn mutants_of(path: &Path, bytes: &[u8]) -> Vec<Mutant> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut rng = Rng::new(seed_of(&name));
    let zipped = bytes.starts_with(b"PK\x03\x04");
    (0..mutants_per_file())
        .map(|k| {
            // Every BIG_EVERY-th mutant is a big one (huge line, deep nesting, many
            // attributes or huge numbers); the rest take one to three small damages.
            let (mutated, what) = if zipped && k % 2 == 1 {
                damage_inside_zip(bytes, &mut rng)
                    .unwrap_or_else(|| (bytes.to_vec(), "zip unchanged".into()))
            } else {
                let mut m = bytes.to_vec();
                let mut done = Vec::new();
                if k % BIG_EVERY == 0 {
                    done.push(damage(&mut m, &mut rng, true));
                } else {
                    for _ in 0..1 + rng.below(3) {
                        done.push(damage(&mut m, &mut rng, false));
                    }
                }
                (m, done.join(", "))
            };
            Mutant {
                name: format!("{k:03}_{name}"),
                bytes: mutated,
                what,
            }
        })
        .collect()
}

/// What running one mutant in process gave.
#[derive(Default)]
struct Tally {
    errors: usize,
    warnings: usize,
    reports: usize,
}

/// Reads the file the way the program does, and for some runs the whole report; checks
/// every message. `Err` says what is wrong.
fn run_in_process(path: &Path, whole_report: bool) -> Result<Tally, String> {
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let mut tally = Tally::default();
    let inputs = sverka::input::load(&[path.to_path_buf()]).map_err(|e| e.to_string())?;
    if let Some(e) = inputs.first_failure() {
        tally.errors += 1;
        let shown = e.to_string();
        if !shown.contains(&name) || shown.trim_end().ends_with(':') {
            return Err(format!("an error without the file or a message: {shown:?}"));
        }
    }
    for w in inputs.warnings() {
        tally.warnings += 1;
        let shown = w.render(&inputs.sources);
        if w.message.trim().is_empty() || !shown.contains(&name) {
            return Err(format!(
                "a warning without a message or the file: {shown:?}"
            ));
        }
    }
    if whole_report {
        tally.reports += 1;
        let dir = path.parent().unwrap();
        let settings = sverka::commands::report::ReportSettings {
            common: sverka::commands::Common {
                inputs: vec![path.to_path_buf()],
                output: Some(dir.join(format!("{name}.register.csv"))),
                format: Some(sverka::output::OutputFormat::Csv),
                ..Default::default()
            },
            matching: sverka::matching::MatchConfig::new(
                chrono::NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            ),
            aging: sverka::aging::AgingConfig::default(),
            by: Default::default(),
            show_future: false,
        };
        let mut diag = sverka::commands::Collected::default();
        let result = sverka::commands::report::run(&settings, &mut diag);
        if let Some(w) = diag
            .warnings
            .iter()
            .chain(&diag.notes)
            .find(|w| w.trim().is_empty())
        {
            return Err(format!("an empty diagnostic: {w:?}"));
        }
        if let Err(e) = result {
            let shown = e.to_string();
            if shown.trim().is_empty() {
                return Err("the report failed without a message".into());
            }
            if matches!(e, sverka::Error::Input { .. }) && !shown.contains(&name) {
                return Err(format!("an input error without the file: {shown:?}"));
            }
        }
    }
    Ok(tally)
}

type Job = (PathBuf, bool);
type Answer = std::thread::Result<Result<Tally, String>>;

/// Runs the jobs on a worker thread, each under the watchdog, catching panics.
struct Worker {
    jobs: mpsc::Sender<Job>,
    answers: mpsc::Receiver<Answer>,
}

impl Worker {
    fn start() -> Worker {
        let (jobs, job_rx) = mpsc::channel::<Job>();
        let (answer_tx, answers) = mpsc::channel::<Answer>();
        std::thread::Builder::new()
            .name("mutants".into())
            .stack_size(64 << 20)
            .spawn(move || {
                for (path, whole) in job_rx {
                    let answer = std::panic::catch_unwind(|| run_in_process(&path, whole));
                    if answer_tx.send(answer).is_err() {
                        break;
                    }
                }
            })
            .expect("worker thread");
        Worker { jobs, answers }
    }

    fn run(&self, path: &Path, whole: bool) -> Result<Tally, String> {
        self.jobs
            .send((path.to_path_buf(), whole))
            .expect("worker alive");
        match self.answers.recv_timeout(WATCHDOG) {
            Ok(Ok(result)) => result,
            Ok(Err(panic)) => {
                let why = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                Err(format!("panicked: {why}"))
            }
            Err(_) => Err(format!("no answer within {WATCHDOG:?}: a hang")),
        }
    }
}

/// Keeps a failing mutant where it survives the test's temporary folder.
fn keep(m: &Mutant) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/mutation-failures");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let p = dir.join(&m.name);
    std::fs::write(&p, &m.bytes).expect("save the mutant");
    p
}

#[test]
fn corpus_mutations_never_panic_hang_or_fail_silently() {
    let Some(root) = corpus() else { return };
    let started = Instant::now();
    let mut files = Vec::new();
    corpus_files(&root, &mut files);
    assert!(!files.is_empty(), "no files under {}", root.display());
    let tmp = tempfile::tempdir().expect("temp dir");
    let worker = Worker::start();
    let mut total = Tally::default();
    let mut mutants = 0;
    let mut for_binary: Vec<(PathBuf, String)> = Vec::new();
    let mut failures = Vec::new();
    for file in &files {
        let bytes = std::fs::read(file).expect("read a corpus file");
        for m in mutants_of(file, &bytes) {
            let path = tmp.path().join(&m.name);
            std::fs::write(&path, &m.bytes).expect("write the mutant");
            let whole = mutants % REPORT_EVERY == 0;
            let t0 = Instant::now();
            let r = worker.run(&path, whole);
            if std::env::var_os("MUTATION_TRACE").is_some() {
                // One line a mutant: name, seconds, size, damage, (errors, warnings).
                eprintln!(
                    "mutant {} {:.3} s {} bytes [{}] {:?}",
                    m.name,
                    t0.elapsed().as_secs_f64(),
                    m.bytes.len(),
                    m.what,
                    r.as_ref().map(|t| (t.errors, t.warnings))
                );
            }
            match r {
                Ok(t) => {
                    total.errors += t.errors;
                    total.warnings += t.warnings;
                    total.reports += t.reports;
                }
                Err(why) => {
                    let kept = keep(&m);
                    failures.push(format!("{} ({}): {why}", kept.display(), m.what));
                    if why.contains("a hang") {
                        // The worker is stuck: nothing more can run in process.
                        panic!("{}", failures.join("\n"));
                    }
                }
            }
            mutants += 1;
            // Spread the binary runs over files and kinds of damage; the 10 MiB ones
            // are too slow to start a process for each.
            if mutants % (files.len() * mutants_per_file() / BINARY_RUNS).max(1) == 3
                && m.bytes.len() < (1 << 20)
            {
                for_binary.push((path, m.what.clone()));
            } else {
                // Gone at once: thousands of mutants, some of 10 MiB, add up.
                std::fs::remove_file(&path).ok();
            }
            std::fs::remove_file(tmp.path().join(format!("{}.register.csv", m.name))).ok();
        }
    }
    let binary_runs = for_binary.len();
    for (path, what) in &for_binary {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let out = sverka()
            .current_dir(tmp.path())
            .arg("report")
            .arg(path)
            .args(["--as-of", "2024-12-31", "--format", "csv"])
            .timeout(Duration::from_secs(30))
            .output()
            .expect("run sverka");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let fine = match out.status.code() {
            Some(0) => true,
            Some(1) => stderr.contains(&name),
            Some(2) => !stderr.trim().is_empty(),
            _ => false,
        };
        if !fine {
            let m = Mutant {
                name: name.clone(),
                bytes: std::fs::read(path).unwrap_or_default(),
                what: what.clone(),
            };
            failures.push(format!(
                "{} ({what}): the binary exited {:?} with {stderr:?}",
                keep(&m).display(),
                out.status
            ));
        }
    }
    eprintln!(
        "corpus mutations: {} files, {mutants} mutants ({} through the whole report, {binary_runs} through the binary), {} errors, {} warnings, {:.1} s",
        files.len(),
        total.reports,
        total.errors,
        total.warnings,
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
