//! The real-world corpus (`$SVERKA_CORPUS`, outside the repository): 35 bank statements
//! from public repositories, described line by line in `clientbank/MANIFEST.tsv`, and
//! CommerceML and XLSX files sverka does not read yet. Without the variable every test
//! here notes that it was skipped and passes.

use crate::support::sverka;
use rust_decimal::Decimal;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::str::FromStr;

/// The statement whose Cyrillic letters were all replaced by U+FFFD: it must be refused.
const UNREADABLE: &str = "odinpalace__statement-131911.txt";

/// How many statements the manifest lists.
const STATEMENTS: usize = 35;

/// The deliberately broken statements: file, what a warning must name, and what the line
/// it points at must contain (when the line itself is the culprit).
const BROKEN: &[(&str, &str, Option<&str>)] = &[
    ("odinpalace__no_end_of_file.txt", "КонецФайла", None),
    (
        "odinpalace__no_end_of_document.txt",
        "КонецДокумента",
        Some("СекцияДокумент"),
    ),
    (
        "odinpalace__no_end_of_account.txt",
        "КонецРасчСчет",
        Some("СекцияРасчСчет"),
    ),
    (
        "condo__1CClientBankExchange-Invalid.txt",
        "КонецФайла",
        None,
    ),
    ("clbnk__to_bank.txt", "КонецФайла", None),
    ("clbnk__to_bank.txt", "not Key=Value", Some("РљРѕРЅРµС†")),
    ("bank1C__kl_to_1c_noheader.txt", "header", None),
    (
        "oca-bsi-pr49__1cCBE_exaple.txt",
        "КонецДокумента",
        Some("КонецДокумента"),
    ),
    (
        "bank1C__kl_to_1c123.txt",
        "not Key=Value",
        Some("Левая строка"),
    ),
];

/// The corpus folder, or `None` (with a note) when `SVERKA_CORPUS` is not set. A relative
/// path is taken from the repository root, as CI gives it (`../shared/corpus`).
pub(crate) fn corpus() -> Option<PathBuf> {
    match std::env::var_os("SVERKA_CORPUS") {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            let p = if p.is_relative() {
                Path::new(env!("CARGO_MANIFEST_DIR")).join(p)
            } else {
                p
            };
            assert!(p.is_dir(), "SVERKA_CORPUS is not a folder: {}", p.display());
            Some(p)
        }
        _ => {
            eprintln!("SVERKA_CORPUS is not set: corpus test skipped");
            None
        }
    }
}

/// One line of `clientbank/MANIFEST.tsv`.
#[derive(Debug)]
struct Entry {
    file: String,
    sha256: String,
    encoding: String,
    version: String,
    documents: u64,
}

fn manifest(corpus: &Path) -> Vec<Entry> {
    let path = corpus.join("clientbank/MANIFEST.tsv");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    assert_eq!(
        header,
        [
            "local_file",
            "repo",
            "path",
            "commit",
            "sha256",
            "encoding_guess",
            "version",
            "n_documents",
            "notes"
        ],
        "manifest columns changed"
    );
    let entries: Vec<Entry> = lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 9, "manifest line has {} columns: {l}", c.len());
            Entry {
                file: c[0].to_string(),
                sha256: c[4].to_lowercase(),
                encoding: c[5].to_string(),
                version: c[6].to_string(),
                documents: c[7]
                    .parse()
                    .unwrap_or_else(|_| panic!("n_documents {:?} in {l}", c[7])),
            }
        })
        .collect();
    assert_eq!(entries.len(), STATEMENTS, "statements in the manifest");
    entries
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The encoding `inspect` must report for a manifest's `encoding_guess`.
fn expected_encoding(guess: &str) -> &'static str {
    if guess.starts_with("cp1251") {
        "windows-1251"
    } else if guess.starts_with("utf-8") {
        "utf-8"
    } else {
        panic!("unexpected encoding_guess in the manifest: {guess:?}")
    }
}

/// `sverka <args…>` run to the end.
fn run(args: &[&str], path: &Path) -> Output {
    sverka().args(args).arg(path).output().expect("run sverka")
}

fn stdout_json(out: &Output, what: &str) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: stdout is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `inspect --format json` of one file: the exit code and the file's entry.
fn inspect_one(path: &Path) -> (Option<i32>, Value, String) {
    let out = run(&["inspect", "--format", "json"], path);
    let json = stdout_json(&out, &path.display().to_string());
    let files = json["files"].as_array().expect("files");
    assert_eq!(files.len(), 1, "{}: {json:#}", path.display());
    (
        out.status.code(),
        files[0].clone(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The file's lines as sverka numbers them (`\r\n`, `\n` or a lone `\r` end a line),
/// decoded in the encoding `inspect` reported.
fn numbered_lines(bytes: &[u8], encoding: &str) -> Vec<String> {
    let text = match encoding {
        "windows-1251" => encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    };
    let mut lines = Vec::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        match rest.find(['\r', '\n']) {
            Some(i) => {
                lines.push(rest[..i].to_string());
                let skip = if rest[i..].starts_with("\r\n") { 2 } else { 1 };
                rest = &rest[i + skip..];
            }
            None => {
                lines.push(rest.to_string());
                rest = "";
            }
        }
    }
    lines
}

fn fail_if_any(problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn corpus_files_match_the_manifest_checksums() {
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    for e in manifest(&corpus) {
        let path = corpus.join("clientbank").join(&e.file);
        match std::fs::read(&path) {
            Ok(bytes) => {
                let got = sha256_hex(&bytes);
                if got != e.sha256 {
                    problems.push(format!(
                        "{}: sha256 {got}, manifest says {}",
                        e.file, e.sha256
                    ));
                }
            }
            Err(err) => problems.push(format!("{}: cannot read: {err}", e.file)),
        }
    }
    fail_if_any(&problems);
}

/// A big statement is read in parts on several cores; every real statement, cut into
/// two to five parts, reads exactly as in one pass (or is read in one pass when its
/// parts do not join).
#[test]
fn every_statement_reads_the_same_in_parts() {
    use sverka::formats::clientbank;
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    let mut compared = 0;
    for e in manifest(&corpus) {
        let path = corpus.join("clientbank").join(&e.file);
        let Ok(bytes) = std::fs::read(&path) else {
            problems.push(format!("{}: cannot read", e.file));
            continue;
        };
        let whole = clientbank::read(&bytes, 0);
        for parts in 2..=5 {
            let cut = clientbank::read_file_in(&path, 0, parts);
            let same = match (&whole, &cut) {
                (Ok(w), Ok(c)) => c == w,
                (Err(w), Err(c)) => w.message == c.message && w.line == c.line,
                _ => false,
            };
            compared += 1;
            if !same {
                problems.push(format!("{}: differs when read in {parts} parts", e.file));
            }
        }
    }
    assert_eq!(compared, STATEMENTS * 4);
    fail_if_any(&problems);
}

#[test]
fn inspect_reads_every_statement_as_the_manifest_describes_it() {
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    for e in manifest(&corpus) {
        let path = corpus.join("clientbank").join(&e.file);
        let (code, file, stderr) = inspect_one(&path);
        let at = &e.file;
        if e.file == UNREADABLE {
            if code != Some(1) {
                problems.push(format!("{at}: exit {code:?}, expected 1"));
            }
            let message = file["error"]["message"].as_str().unwrap_or("");
            if !message.contains("unreadable") {
                problems.push(format!(
                    "{at}: JSON error {:?} does not say unreadable",
                    file["error"]
                ));
            }
            if !(stderr.contains(&e.file) && stderr.contains("unreadable")) {
                problems.push(format!(
                    "{at}: stderr does not name the file and say unreadable: {stderr}"
                ));
            }
            continue;
        }
        if code != Some(0) {
            problems.push(format!("{at}: exit {code:?}, expected 0; stderr: {stderr}"));
        }
        if file.get("error").is_some() {
            problems.push(format!("{at}: unexpected error {}", file["error"]));
        }
        if file["format"] != "1c-client-bank" {
            problems.push(format!("{at}: format {}", file["format"]));
        }
        if file["documents"] != e.documents {
            problems.push(format!(
                "{at}: documents {}, manifest says {}",
                file["documents"], e.documents
            ));
        }
        let version = if e.version.is_empty() {
            Value::Null
        } else {
            Value::String(e.version.clone())
        };
        if file["version"] != version {
            problems.push(format!(
                "{at}: version {}, manifest says {version}",
                file["version"]
            ));
        }
        let encoding = expected_encoding(&e.encoding);
        if file["encoding"] != encoding {
            problems.push(format!(
                "{at}: encoding {}, manifest says {:?} (expected {encoding})",
                file["encoding"], e.encoding
            ));
        }
    }
    fail_if_any(&problems);
}

#[test]
fn broken_statements_warn_with_the_line_and_the_problem() {
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    for &(name, needle, line_has) in BROKEN {
        let path = corpus.join("clientbank").join(name);
        let (code, file, stderr) = inspect_one(&path);
        if code != Some(0) {
            problems.push(format!("{name}: exit {code:?}; stderr: {stderr}"));
            continue;
        }
        let encoding = file["encoding"].as_str().unwrap_or("").to_string();
        let lines = numbered_lines(&std::fs::read(&path).expect("read"), &encoding);
        let warnings = file["warnings"].as_array().cloned().unwrap_or_default();
        let hit = warnings.iter().find(|w| {
            let Some(line) = w["line"].as_u64() else {
                return false;
            };
            let message = w["message"].as_str().unwrap_or("");
            let text = usize::try_from(line)
                .ok()
                .and_then(|l| l.checked_sub(1))
                .and_then(|l| lines.get(l));
            message.contains(needle)
                && text.is_some()
                && line_has.is_none_or(|s| text.is_some_and(|t| t.contains(s)))
        });
        if hit.is_none() {
            problems.push(format!(
                "{name}: no warning with a line number (of {} lines){} naming {needle:?}; warnings: {warnings:?}",
                lines.len(),
                line_has.map_or(String::new(), |s| format!(" pointing at a line with {s:?}")),
            ));
        }
    }
    fail_if_any(&problems);
}

#[test]
fn inspect_of_the_statement_folder_lists_everything_and_fails_on_the_unreadable_file() {
    let Some(corpus) = corpus() else { return };
    let folder = corpus.join("clientbank");
    let out = run(&["inspect", "--format", "json"], &folder);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(UNREADABLE) && stderr.contains("unreadable"),
        "{stderr}"
    );
    let json = stdout_json(&out, "inspect of the folder");
    let files = json["files"].as_array().expect("files");
    let name = |f: &Value| {
        Path::new(f["path"].as_str().expect("path"))
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let mut problems = Vec::new();
    for e in manifest(&corpus) {
        match files.iter().find(|f| name(f) == e.file) {
            None => problems.push(format!("{} not listed", e.file)),
            Some(f) if e.file == UNREADABLE => {
                if !f["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("unreadable"))
                {
                    problems.push(format!("{}: error {}", e.file, f["error"]));
                }
            }
            Some(f) => {
                if f.get("error").is_some() || f["documents"] != e.documents {
                    problems.push(format!(
                        "{}: error {:?}, documents {} (manifest {})",
                        e.file,
                        f.get("error"),
                        f["documents"],
                        e.documents
                    ));
                }
            }
        }
    }
    // Anything else in the folder (the manifest itself) is listed as skipped, not failed.
    for f in files {
        let n = name(f);
        if !n.ends_with(".txt") && (f.get("error").is_some() || f["format"] != Value::Null) {
            problems.push(format!("{n}: expected a skipped entry, got {f}"));
        }
    }
    let statements = files.iter().filter(|f| name(f).ends_with(".txt")).count();
    if statements != STATEMENTS {
        problems.push(format!(
            "{statements} statements listed, expected {STATEMENTS}"
        ));
    }
    fail_if_any(&problems);
}

/// Sums money strings as the JSON writes them.
fn money(v: &Value, what: &str) -> Decimal {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("{what}: not a money string: {v}"));
    Decimal::from_str(s).unwrap_or_else(|e| panic!("{what}: {s:?}: {e}"))
}

/// Buckets add up to outstanding in one amounts block (a row or a total).
fn buckets_add_up(a: &Value, what: &str) -> Result<(), String> {
    let buckets = a["buckets"]
        .as_object()
        .ok_or_else(|| format!("{what}: no buckets in {a}"))?;
    let sum: Decimal = buckets.values().map(|v| money(v, what)).sum();
    let outstanding = money(&a["outstanding"], what);
    if sum == outstanding {
        Ok(())
    } else {
        Err(format!(
            "{what}: buckets sum to {sum}, outstanding is {outstanding}"
        ))
    }
}

#[test]
fn report_on_each_readable_statement_balances() {
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    for e in manifest(&corpus) {
        if e.file == UNREADABLE {
            continue;
        }
        let path = corpus.join("clientbank").join(&e.file);
        let out = run(
            &["report", "--format", "json", "--as-of", "2030-01-01"],
            &path,
        );
        let at = &e.file;
        if out.status.code() != Some(0) {
            problems.push(format!(
                "{at}: exit {:?}; stderr: {}",
                out.status.code(),
                String::from_utf8_lossy(&out.stderr)
            ));
            continue;
        }
        let json: Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(err) => {
                problems.push(format!("{at}: stdout is not JSON: {err}"));
                continue;
            }
        };
        let mut checks = vec![buckets_add_up(&json["totals"], &format!("{at} totals"))];
        for (k, t) in json["totals_by_currency"]
            .as_array()
            .into_iter()
            .flatten()
            .enumerate()
        {
            checks.push(buckets_add_up(t, &format!("{at} totals_by_currency[{k}]")));
        }
        for (k, r) in json["rows"].as_array().into_iter().flatten().enumerate() {
            checks.push(buckets_add_up(r, &format!("{at} row {k} ({})", r["inn"])));
        }
        problems.extend(checks.into_iter().filter_map(Result::err));
    }
    fail_if_any(&problems);
}

#[test]
fn commerceml_and_xlsx_files_never_panic() {
    let Some(corpus) = corpus() else { return };
    let mut problems = Vec::new();
    let mut seen = 0;
    for folder in ["commerceml", "xlsx"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus.join(folder))
            .unwrap_or_else(|e| panic!("{folder}: {e}"))
            .map(|d| d.expect("dir entry").path())
            .filter(|p| p.is_file())
            .collect();
        paths.sort();
        for path in paths {
            seen += 1;
            let out = run(&["inspect", "--format", "json"], &path);
            let stderr = String::from_utf8_lossy(&out.stderr);
            let at = path.display();
            match out.status.code() {
                Some(0) => {}
                Some(1) if !stderr.trim().is_empty() && !stderr.contains("panicked") => {}
                Some(1) => problems.push(format!("{at}: exit 1 with stderr {stderr:?}")),
                other => problems.push(format!("{at}: exit {other:?}; stderr: {stderr}")),
            }
        }
    }
    assert!(seen > 0, "no files in commerceml/ and xlsx/");
    fail_if_any(&problems);
}

/// Issue 3: every CommerceML file of the corpus reads with the number of documents its
/// MANIFEST gives (the `what_it_contains` column starts with it: "2 Документ: …"), the
/// purchase order and the empty reply included, and without an error.
#[test]
fn inspect_reads_every_commerceml_file_as_the_manifest_describes_it() {
    let Some(corpus) = corpus() else { return };
    let path = corpus.join("commerceml/MANIFEST.tsv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let file_col = header
        .iter()
        .position(|h| *h == "local_file")
        .expect("local_file column");
    let what_col = header
        .iter()
        .position(|h| *h == "what_it_contains")
        .expect("what_it_contains column");
    let mut problems = Vec::new();
    let mut seen = 0;
    for line in lines.filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let file = cols[file_col];
        let expected: usize = cols[what_col]
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{file}: no count in {:?}", cols[what_col]));
        seen += 1;
        let (code, json, stderr) = inspect_one(&corpus.join("commerceml").join(file));
        if code != Some(0) {
            problems.push(format!("{file}: exit {code:?}: {stderr}"));
            continue;
        }
        if json["format"] != "commerceml" || json["documents"] != expected {
            problems.push(format!(
                "{file}: format {} documents {} (MANIFEST: {expected})",
                json["format"], json["documents"]
            ));
        }
    }
    assert_eq!(seen, 12, "the MANIFEST lists 12 CommerceML files");
    fail_if_any(&problems);
}
