//! The whole pipeline on a fuzzed statement and a fuzzed list (split at the first NUL
//! byte): readers → ledger → matching → aging (with its invariant checks) → JSON and
//! CSV rendering. Whatever the documents, the register must balance.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use sverka::aging::{self, AgingConfig};
use sverka::formats::{clientbank, delimited};
use sverka::ledger::{self, FileDocs, LedgerConfig};
use sverka::matching::{self, MatchConfig};
use sverka::model::Sources;
use sverka::output::{self, OutputFormat, RenderOptions, sheets};

fuzz_target!(|data: &[u8]| {
    let (statement, list) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let reads = [clientbank::read(statement, 0), delimited::read(list, 1)];
    let files: Vec<FileDocs> = reads
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| r.ok().map(|r| (i, r)))
        .map(|(i, r)| FileDocs {
            file: i as u32,
            accounts: r.accounts,
            company_inns: r.company_inns,
            exported: r.exported,
            documents: r.documents,
        })
        .collect();
    let sources = Sources::new(vec![
        PathBuf::from("statement.txt"),
        PathBuf::from("list.csv"),
    ]);
    let ledger = ledger::build(sources, files, &LedgerConfig::default());
    for w in &ledger.warnings {
        assert!(!w.message.trim().is_empty(), "{w:?}");
    }
    let as_of = NaiveDate::from_ymd_opt(2024, 12, 31).expect("date");
    let m = matching::run(&ledger, &MatchConfig::new(as_of)).expect("no overrides given");
    let reg = match aging::register(&ledger, &m, &AgingConfig::default()) {
        Ok(reg) => reg,
        Err(e) => panic!("the register does not balance: {e}"),
    };
    let _ = output::json::to_bytes(&output::json::register(&reg));
    let sheets = sheets::register(&reg, sheets::GroupBy::Counterparty, output::Lang::Ru);
    output::render_sheets(OutputFormat::Csv, &sheets, &RenderOptions::default())
        .expect("CSV renders");
});
