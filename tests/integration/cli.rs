//! The command-line contract (`contract.md`): exit codes, streams, output files, the
//! settings file, `inspect`, and a closed pipe.

use crate::support::*;
use std::path::PathBuf;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// A temporary copy of the bundled samples, to add files next to them.
fn samples_copy() -> Fixture {
    let f = Fixture::new();
    for name in ["kl_to_1c.txt", "invoices.csv"] {
        let bytes = std::fs::read(samples().join(name)).expect("read sample");
        f.bytes(name, &bytes);
    }
    f
}

/// Bytes that are no text in any encoding and no known format (a fixed pseudo-random run).
fn random_bytes(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out: Vec<u8> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    out[0] = 0x9F;
    out
}

/// A statement whose every Cyrillic letter was lost to U+FFFD: recognisably a statement
/// (the first line is ASCII), but unreadable.
fn lost_cyrillic_statement() -> String {
    statement(&[Pay::from(
        ROMASHKA,
        "1",
        "05.03.2024",
        "1000.00",
        "Оплата по счету № 10",
    )])
    .chars()
    .map(|c| if c.is_ascii() { c } else { '\u{FFFD}' })
    .collect()
}

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// "`2`: wrong usage": a bad option value is refused before any work, naming the option.
#[test]
fn bad_option_values_exit_2() {
    for (option, value) in [
        ("--buckets", "60,30"),
        ("--as-of", "31.02.2024"),
        ("--format", "pdf"),
    ] {
        let mut cmd = sverka();
        cmd.arg("report").arg(samples());
        if option != "--as-of" {
            cmd.args(["--as-of", "2024-03-31"]);
        }
        let out = cmd.args([option, value]).output().expect("run sverka");
        assert_eq!(
            out.status.code(),
            Some(2),
            "{option} {value}: {}",
            stderr_of(&out)
        );
        assert!(out.stdout.is_empty(), "{option} {value}: no data on stdout");
        let err = stderr_of(&out);
        assert!(
            err.contains(option) && err.contains(value),
            "{option} {value}: {err}"
        );
    }
}

/// "`1`: input or processing error": a missing file is named.
#[test]
fn missing_file_exits_1_naming_it() {
    let f = Fixture::new();
    let missing = f.path().join("kl_to_1c_missing.txt");
    let out = report_output(&missing, "2024-03-31", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
    assert!(
        stderr_of(&out).contains("kl_to_1c_missing.txt"),
        "{}",
        stderr_of(&out)
    );
}

/// "A file named on the command line that cannot be read (no known format, bytes that are
/// no text in any supported encoding …) makes `inspect` and `report` exit 1 with a message
/// naming it."
#[test]
fn unreadable_file_named_on_the_command_line_exits_1() {
    let f = Fixture::new();
    let junk = f.bytes("junk.bin", &random_bytes(4096));
    for command in ["report", "inspect"] {
        let out = sverka()
            .arg(command)
            .arg(&junk)
            .args(if command == "report" {
                &["--as-of", "2024-03-31"][..]
            } else {
                &[][..]
            })
            .args(["--format", "json"])
            .output()
            .expect("run sverka");
        assert_eq!(out.status.code(), Some(1), "{command}: {}", stderr_of(&out));
        assert!(
            stderr_of(&out).contains("junk.bin"),
            "{command}: {}",
            stderr_of(&out)
        );
    }
}

/// "A file that is recognisably one of the formats but cannot be read still fails the run:
/// a register silently missing a statement is worse than none." In a folder and named.
#[test]
fn recognised_statement_that_cannot_be_read_fails_the_run() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &invoices(&[("10", "01.03.2024", "10.03.2024", ROMASHKA, "1 000,00")]),
    );
    let broken = f.utf8("bank/kl_to_1c.txt", &lost_cyrillic_statement());
    for input in [f.path().to_path_buf(), broken] {
        let out = report_output(&input, "2024-03-31", &[]);
        assert_eq!(out.status.code(), Some(1), "{input:?}: {}", stderr_of(&out));
        assert!(out.stdout.is_empty(), "{input:?}: no register");
        assert!(
            stderr_of(&out).contains("kl_to_1c.txt"),
            "{input:?}: {}",
            stderr_of(&out)
        );
    }
}

/// Nothing lost: a damaged export found in a folder stops the run, and the message says
/// how to go on (export again, or leave the file out).
#[test]
fn damaged_export_in_a_folder_fails_the_run_and_says_how_to_proceed() {
    let f = samples_copy();
    f.utf8(
        "orders.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.10\">\n<Документ>\n<Номер>7</Номер>\n<Сумма>100",
    );
    let out = report_output(f.path(), "2024-03-31", &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty(), "no register without the file");
    let err = stderr_of(&out);
    assert!(err.contains("orders.xml:"), "{err}");
    assert!(err.contains("cannot read this commerceml"), "{err}");
    assert!(
        err.contains("export it from 1C again, or move the file out of the inputs"),
        "{err}"
    );
}

/// Nothing lost: each document a statement could not read is named with its line, and
/// the file's count of them follows; `--strict` stops on them.
#[test]
fn unreadable_documents_are_named_and_counted() {
    let mut bad = Pay::from(
        ROMASHKA,
        "2",
        "05.03.2024",
        "сто рублей",
        "Оплата по счету 10",
    );
    bad.name = "ООО \"Ромашка\"".into();
    let f = world(
        &[("10", "01.03.2024", "10.03.2024", ROMASHKA, "1 000,00")],
        &[
            Pay::from(ROMASHKA, "1", "04.03.2024", "400,00", "Оплата по счету 10"),
            bad,
        ],
    );
    let out = report_output(f.path(), "2024-03-31", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(
        err.contains("document skipped: Сумма \"сто рублей\""),
        "{err}"
    );
    assert!(
        err.contains("1 of 2 document(s) could not be read and are left out of the register"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(r["totals"]["outstanding"], "600.00");

    let out = report_output(f.path(), "2024-03-31", &["--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
}

/// "Inside a folder, a file of no known format is skipped with a warning (an error with
/// `--strict`)."
#[test]
fn unknown_file_in_a_folder_is_a_warning_and_strict_makes_it_an_error() {
    let f = samples_copy();
    f.utf8("notes.md", "# Заметки\n\nВыписки за март.\n");
    let out = report_output(f.path(), "2024-03-31", &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("warning") && err.contains("notes.md"), "{err}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(r["totals"]["outstanding"], "282000.00");

    let out = report_output(f.path(), "2024-03-31", &["--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
    assert!(stderr_of(&out).contains("notes.md"), "{}", stderr_of(&out));
}

/// "Data goes to stdout, diagnostics to stderr": with a warning, stdout still parses.
#[test]
fn stdout_is_data_only() {
    let f = samples_copy();
    f.utf8("notes.md", "просто заметка\n");
    for command in ["report", "match"] {
        let out = sverka()
            .arg(command)
            .arg(f.path())
            .args(["--as-of", "2024-03-31", "--format", "json"])
            .output()
            .expect("run sverka");
        assert!(out.status.success(), "{command}: {}", stderr_of(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{command}: stdout is not pure JSON: {e}"));
        assert!(
            stderr_of(&out).contains("notes.md"),
            "{command}: {}",
            stderr_of(&out)
        );
    }
}

/// "`-o, --output FILE`: write there, atomically": the file has what stdout would have,
/// stdout is empty, and no temporary file is left next to it.
#[test]
fn output_file_is_written_and_leaves_no_temporary_files() {
    let out_dir = Fixture::new();
    let target = out_dir.path().join("debtors.csv");
    let out = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "csv", "-o"])
        .arg(&target)
        .output()
        .expect("run sverka");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty(), "nothing on stdout with -o");
    let written = std::fs::read(&target).expect("output file");
    let direct = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "csv"])
        .output()
        .expect("run sverka");
    assert_eq!(written, direct.stdout);
    let names: Vec<String> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["debtors.csv".to_string()]);

    // Writing over an existing file replaces it, again with nothing left behind.
    std::fs::write(&target, "old contents").unwrap();
    let out = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "csv", "--output"])
        .arg(&target)
        .output()
        .expect("run sverka");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(std::fs::read(&target).unwrap(), direct.stdout);
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);
}

/// `--format xlsx -o out.xlsx` writes a zip (an XLSX workbook).
#[test]
fn xlsx_is_written_to_a_file() {
    let out_dir = Fixture::new();
    let target = out_dir.path().join("out.xlsx");
    let out = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "xlsx", "-o"])
        .arg(&target)
        .output()
        .expect("run sverka");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stdout.is_empty());
    let bytes = std::fs::read(&target).expect("xlsx file");
    assert!(bytes.starts_with(b"PK\x03\x04"), "zip magic");
    assert!(bytes.len() > 1000);
    assert_eq!(std::fs::read_dir(out_dir.path()).unwrap().count(), 1);
}

/// `inspect --format json` on the samples: both files, their format, encoding and counts.
#[test]
fn inspect_lists_the_sample_files() {
    let out = sverka()
        .arg("inspect")
        .arg(samples())
        .args(["--format", "json"])
        .output()
        .expect("run sverka");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 2, "{v:#}");
    let file = |name: &str| {
        files
            .iter()
            .find(|f| f["path"].as_str().is_some_and(|p| p.ends_with(name)))
            .unwrap_or_else(|| panic!("{name} in {v:#}"))
    };
    let st = file("kl_to_1c.txt");
    assert_eq!(st["format"], "1c-client-bank");
    assert_eq!(st["encoding"], "windows-1251");
    assert_eq!(st["version"], "1.03");
    assert_eq!(st["documents"], 12);
    assert_eq!(st["skipped"], 0);
    assert_eq!(
        st["accounts"],
        serde_json::json!(["40702810400000012345", "40702810938000067890"])
    );
    assert_eq!(st["warnings"], serde_json::json!([]));
    let list = file("invoices.csv");
    assert_eq!(list["format"], "delimited");
    assert_eq!(list["encoding"], "windows-1251");
    assert_eq!(list["documents"], 16);
    assert_eq!(list["counts"]["invoices"], 15);
    assert_eq!(list["counts"]["credits"], 1);
    assert_eq!(list["warnings"], serde_json::json!([]));
}

/// "`--format`: `table` on a terminal, `csv` otherwise": captured stdout gets the Excel CSV.
#[test]
fn default_format_off_a_terminal_is_csv() {
    let out = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31"])
        .output()
        .expect("run sverka");
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(out.stdout.starts_with(b"\xEF\xBB\xBF"), "BOM");
    let text = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    let header = text.split("\r\n").next().unwrap();
    assert!(header.starts_with("Контрагент;ИНН;"), "{header}");
    let explicit = sverka()
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "csv"])
        .output()
        .expect("run sverka");
    assert_eq!(out.stdout, explicit.stdout);
}

/// "`--config FILE`: settings file (TOML) … `./sverka.toml` if present": buckets from it.
#[test]
fn settings_file_in_the_current_directory_sets_the_buckets() {
    let cwd = Fixture::new();
    cwd.utf8("sverka.toml", "[report]\nbuckets = [15, 45]\n");
    let out = sverka()
        .current_dir(cwd.path())
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "json"])
        .output()
        .expect("run sverka");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        r["buckets"],
        serde_json::json!(["not_due", "1-15", "16-45", "46+"])
    );
    let t = &r["totals"]["buckets"];
    // 1-30 of the default buckets: 2, 11, 16, 21, 30 days → 1-15 or 16-45.
    assert_eq!(t["not_due"], "60000.00");
    assert_eq!(t["1-15"], "40000.00");
    assert_eq!(t["16-45"], "45000.00");
    assert_eq!(t["46+"], "137000.00");
    assert_eq!(r["totals"]["outstanding"], "282000.00");
    // The command line beats the settings file.
    let out = sverka()
        .current_dir(cwd.path())
        .arg("report")
        .arg(samples())
        .args([
            "--as-of",
            "2024-03-31",
            "--format",
            "json",
            "--buckets",
            "30,60,90,120",
        ])
        .output()
        .expect("run sverka");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(r["buckets"][1], "1-30");
}

/// A misspelt key in the settings file is an error naming the file, not silently ignored.
#[test]
fn unknown_key_in_the_settings_file_is_an_error() {
    let cwd = Fixture::new();
    cwd.utf8("sverka.toml", "[report]\nbukets = [15, 45]\n");
    let out = sverka()
        .current_dir(cwd.path())
        .arg("report")
        .arg(samples())
        .args(["--as-of", "2024-03-31", "--format", "json"])
        .output()
        .expect("run sverka");
    let code = out.status.code();
    assert!(
        code == Some(1) || code == Some(2),
        "exit {code:?}: {}",
        stderr_of(&out)
    );
    assert!(out.stdout.is_empty());
    let err = stderr_of(&out);
    assert!(
        err.contains("sverka.toml") && err.contains("bukets"),
        "{err}"
    );
}

#[test]
fn help_exits_0() {
    for args in [
        &["--help"][..],
        &["report", "--help"][..],
        &["match", "--help"][..],
        &["inspect", "--help"][..],
    ] {
        let out = sverka().args(args).output().expect("run sverka");
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("Usage"), "{args:?}: {text}");
    }
}

/// "A broken pipe (`| head`) ends quietly": exit 0 and nothing on stderr.
#[test]
fn broken_pipe_ends_quietly() {
    let f = Fixture::new();
    let list = f.cp1251("list.csv", &numbered_invoices(5000));
    let list = list.to_string_lossy();
    let args = ["report", &list, "--as-of", "2024-03-31", "--by", "invoice"];
    ends_quietly_when_the_pipe_closes(&f, &[&args[..], &["--format", "csv"]].concat());
}

/// An invoice list of Ромашка's invoices 1 to `n`, of 1 000,00 each, dated 01.02.2024
/// and due 01.03.2024: an output long enough not to fit a pipe's buffer.
fn numbered_invoices(n: usize) -> String {
    let numbers: Vec<String> = (1..=n).map(|i| i.to_string()).collect();
    let rows: Vec<(&str, &str, &str, &str, &str)> = numbers
        .iter()
        .map(|i| (i.as_str(), "01.02.2024", "01.03.2024", ROMASHKA, "1 000,00"))
        .collect();
    invoices(&rows)
}

/// Runs sverka with `args` into a pipe that `head` closes after 10 bytes, and checks that
/// it ends quietly: exit 0 and nothing on stderr.
fn ends_quietly_when_the_pipe_closes(f: &Fixture, args: &[&str]) {
    let err_file = f.path().join("stderr.txt");
    let rc_file = f.path().join("rc.txt");
    let script = r#"{ "$0" "$@" 2>"$SVERKA_TEST_ERR"; echo $? >"$SVERKA_TEST_RC"; } | head -c 10 >/dev/null"#;
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_sverka"))
        .args(args)
        .env("SVERKA_TEST_ERR", &err_file)
        .env("SVERKA_TEST_RC", &rc_file)
        .status()
        .expect("run sh");
    assert!(status.success());
    let rc = std::fs::read_to_string(&rc_file).expect("exit status");
    let err = std::fs::read_to_string(&err_file).expect("stderr");
    assert_eq!(rc.trim(), "0", "{args:?}: stderr: {err}");
    assert_eq!(err, "", "{args:?}");
}

/// The match log's JSON is written as it is made, to a file or a pipe: the same bytes
/// either way, and a pipe closed early ends it quietly.
#[test]
fn the_match_log_json_streams_to_a_file_a_pipe_and_a_closed_pipe() {
    let pays: Vec<Pay> = (1..=3000)
        .map(|i| {
            let purpose = format!("Оплата по счету {i} от 01.02.2024");
            Pay::from(ROMASHKA, &i.to_string(), "05.02.2024", "1000.00", &purpose)
        })
        .collect();
    let f = Fixture::new();
    f.cp1251("list.csv", &numbered_invoices(3000));
    f.cp1251("kl_to_1c.txt", &statement(&pays));
    let args = ["match", "--as-of", "2024-03-31", "--format", "json"];
    let piped = sverka()
        .args(args)
        .arg(f.path())
        .output()
        .expect("run sverka");
    assert!(piped.status.success());
    let file = f.path().join("out").join("log.json");
    std::fs::create_dir(f.path().join("out")).expect("folder");
    let written = sverka()
        .args(args)
        .arg(f.path().join("list.csv"))
        .arg(f.path().join("kl_to_1c.txt"))
        .arg("-o")
        .arg(&file)
        .output()
        .expect("run sverka");
    assert!(written.status.success());
    let text = std::fs::read(&file).expect("the log");
    assert_eq!(text, piped.stdout);
    let log: serde_json::Value = serde_json::from_slice(&text).expect("JSON");
    assert_eq!(log["payments"].as_array().map(Vec::len), Some(3000));
    assert_eq!(log["review"].as_array().map(Vec::len), Some(0));
    assert!(text.ends_with(b"}\n"));
    // Closed after 10 bytes of about a megabyte.
    let statement = f.path().join("kl_to_1c.txt");
    let statement = statement.to_string_lossy();
    ends_quietly_when_the_pipe_closes(&f, &[&args[..], &[&statement]].concat());
}

/// `-o debtors.xlsx` without `--format` writes XLSX, `-o x.json` JSON: the extension is
/// what the user asked for.
#[test]
fn the_output_extension_chooses_the_format() {
    let f = Fixture::new();
    for (name, magic) in [
        ("debtors.xlsx", &b"PK\x03\x04"[..]),
        ("debtors.json", b"{"),
        ("debtors.csv", b"\xEF\xBB\xBF"),
    ] {
        let target = f.path().join(name);
        let out = sverka()
            .args(["report", "--as-of", "2024-03-31", "-o"])
            .arg(&target)
            .arg(samples())
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", stderr_of(&out));
        let bytes = std::fs::read(&target).expect("written");
        assert!(
            bytes.starts_with(magic),
            "{name}: {:?}",
            &bytes[..8.min(bytes.len())]
        );
    }
}

/// Files for the sales team are readable by others, not 0600 like a temporary file.
#[cfg(unix)]
#[test]
fn output_files_are_readable_by_others() {
    use std::os::unix::fs::PermissionsExt;
    let f = Fixture::new();
    let target = f.path().join("debtors.csv");
    let out = sverka()
        .args(["report", "--as-of", "2024-03-31", "-o"])
        .arg(&target)
        .arg(samples())
        .output()
        .expect("run");
    assert!(out.status.success());
    let mode = std::fs::metadata(&target)
        .expect("written")
        .permissions()
        .mode();
    assert_eq!(mode & 0o044, 0o044, "mode {mode:o}");
}

/// The contract's CP1251 CSV: no BOM, Cyrillic in Windows-1251.
#[test]
fn csv_in_windows_1251_on_request() {
    let out = sverka()
        .args([
            "report",
            "--as-of",
            "2024-03-31",
            "--format",
            "csv",
            "--csv-encoding",
            "windows-1251",
        ])
        .arg(samples())
        .output()
        .expect("run");
    assert!(out.status.success());
    let (text, _, bad) = encoding_rs::WINDOWS_1251.decode(&out.stdout);
    assert!(!bad);
    assert!(text.starts_with("Контрагент;ИНН;"), "{text}");
    assert!(text.contains("ООО \"\"Гранит\"\"\";6671082450;"), "{text}");
}

/// A bad value in the settings file names the file and the key, not a flag never typed.
#[test]
fn a_bad_settings_value_names_the_file_and_key() {
    let f = Fixture::new();
    f.utf8("sverka.toml", "[matching]\ntie = \"lifo\"\n");
    let out = sverka()
        .current_dir(f.path())
        .args(["report", "--as-of", "2024-03-31"])
        .arg(samples())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr_of(&out);
    assert!(
        err.contains("sverka.toml") && err.contains("[matching] tie") && err.contains("lifo"),
        "{err}"
    );
}

/// Lists: a payment row with a negative amount, or an outgoing payment order, is not a
/// customer's receipt; both are skipped with a warning naming the line.
#[test]
fn negative_and_outgoing_payment_rows_are_not_receipts() {
    let f = Fixture::new();
    f.utf8(
        "list.csv",
        &format!(
            "Вид документа;Номер;Дата;Контрагент;ИНН;Сумма\n\
             Счет на оплату;1;01.03.2024;Вектор;{VEKTOR};1000,00\n\
             Поступление;2;02.03.2024;Вектор;{VEKTOR};-500,00\n\
             Платежное поручение исходящее;3;03.03.2024;Вектор;{VEKTOR};700,00\n"
        ),
    );
    let out = sverka()
        .args(["report", "--as-of", "2024-03-31", "--format", "json"])
        .arg(f.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("list.csv:3:") && err.contains("negative payment"),
        "{err}"
    );
    assert!(
        err.contains("list.csv:4:") && err.contains("unknown document kind"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(row(&r, VEKTOR)["outstanding"], "1000.00");
}

/// A credit note exported again with a corrected amount counts once: the later copy.
#[test]
fn a_corrected_credit_note_replaces_the_earlier_copy() {
    let f = Fixture::new();
    let list = |amount: &str| {
        format!(
            "Вид документа;Номер;Дата;Контрагент;ИНН;Сумма;Основание\n\
             Счет на оплату;1;01.03.2024;Вектор;{VEKTOR};1000,00;\n\
             Возврат товаров;7;05.03.2024;Вектор;{VEKTOR};{amount};1\n"
        )
    };
    f.utf8("a_first.csv", &list("300,00"));
    f.utf8("b_second.csv", &list("200,00"));
    let out = sverka()
        .args(["report", "--as-of", "2024-03-31", "--format", "json"])
        .arg(f.path())
        .output()
        .expect("run");
    assert!(out.status.success());
    let err = stderr_of(&out);
    assert!(
        err.contains("b_second.csv:3:") && err.contains("later copy"),
        "{err}"
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(row(&r, VEKTOR)["outstanding"], "800.00");
    assert_eq!(row(&r, VEKTOR)["credited"], "200.00");
}

/// `sverka init` writes a commented settings file that the next run reads; it never
/// replaces one without `--force`, and works even where a broken sverka.toml lies.
#[test]
fn init_writes_a_commented_settings_file() {
    let dir = tempfile::tempdir().expect("dir");
    let run_in = |args: &[&str]| {
        sverka()
            .current_dir(dir.path())
            .args(args)
            .output()
            .expect("run")
    };
    let out = run_in(&["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(dir.path().join("sverka.toml")).expect("written");
    assert!(text.contains("[matching]") && text.contains("# default_term = 0"));
    let s = samples().display().to_string();
    let out = run_in(&["report", &s, "--as-of", "2024-03-31", "--format", "json"]);
    assert!(
        out.status.success(),
        "the template reads: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run_in(&["init"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    std::fs::write(dir.path().join("sverka.toml"), "[broken").expect("write");
    let out = run_in(&["init", "--force"]);
    assert!(out.status.success());
    let out = run_in(&["init", "other.toml"]);
    assert!(out.status.success());
    assert!(dir.path().join("other.toml").is_file());
}

/// Environment variables set the main options for cron jobs; the command line wins.
#[test]
fn environment_variables_for_the_main_options() {
    let s = samples().display().to_string();
    let out = sverka()
        .args(["report", &s, "--as-of", "2024-03-31"])
        .env("SVERKA_FORMAT", "json")
        .env("SVERKA_LANG", "en")
        .output()
        .expect("run");
    assert!(out.status.success());
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("json from SVERKA_FORMAT");
    assert_eq!(v["as_of"], "2024-03-31");
    let out = sverka()
        .args(["report", &s, "--as-of", "2024-03-31", "--format", "csv"])
        .env("SVERKA_FORMAT", "json")
        .env("SVERKA_LANG", "en")
        .env("SVERKA_CSV_DIALECT", "plain")
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("utf-8");
    assert!(
        csv.starts_with("Counterparty,INN,"),
        "{}",
        &csv[..60.min(csv.len())]
    );
    let out = sverka()
        .args(["report", &s])
        .env("SVERKA_CONFIG", "/nonexistent/sverka.toml")
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a settings file that is not there"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/sverka.toml"));
}

/// Shell completions and the manual page come from the same argument definitions.
#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = sverka().args(["completions", shell]).output().expect("run");
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("sverka") && text.contains("report"),
            "{shell}"
        );
    }
    let out = sverka()
        .args(["completions", "tcsh"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let out = sverka().arg("man").output().expect("run");
    assert!(out.status.success());
    let roff = String::from_utf8_lossy(&out.stdout);
    assert!(
        roff.starts_with(".ie") || roff.contains(".TH sverka"),
        "{}",
        &roff[..80.min(roff.len())]
    );
    assert!(roff.contains("tasks") && roff.contains("review"));
}

/// No colour codes, ever: on a pipe, in a file, with or without `NO_COLOR`.
#[test]
fn no_colour_codes_in_any_output() {
    let s = samples().display().to_string();
    for no_color in [false, true] {
        for fmt in ["table", "csv"] {
            let mut c = sverka();
            c.args(["report", &s, "--as-of", "2024-03-31", "--format", fmt]);
            if no_color {
                c.env("NO_COLOR", "1");
            }
            let out = c.output().expect("run");
            assert!(!out.stdout.contains(&0x1b), "{fmt} NO_COLOR={no_color}");
            assert!(!out.stderr.contains(&0x1b));
        }
    }
}

/// Every subcommand's help has examples.
#[test]
fn help_has_examples() {
    for cmd in ["report", "tasks", "review"] {
        let out = sverka().args([cmd, "--help"]).output().expect("run");
        assert!(out.status.success());
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Examples:") && help.contains(&format!("sverka {cmd} ")),
            "{cmd}: {help}"
        );
    }
}

/// `--quiet` (for cron) keeps notes off stderr but still shows warnings and errors.
#[test]
fn quiet_keeps_notes_but_not_warnings_off_stderr() {
    let f = samples_copy();
    // A torn statement: a warning; the unidentified receipt in CSV: a note.
    let torn = "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n\
                РасчСчет=40702810400000012345\r\nСекцияДокумент=Платежное поручение\r\nНомер=1\r\n";
    f.cp1251("torn.txt", torn);
    let dir = f.path().display().to_string();
    let loud = sverka()
        .args(["report", &dir, "--as-of", "2024-03-31", "--format", "csv"])
        .output()
        .expect("run");
    let quiet = sverka()
        .args([
            "report",
            &dir,
            "--as-of",
            "2024-03-31",
            "--format",
            "csv",
            "--quiet",
        ])
        .output()
        .expect("run");
    assert!(loud.status.success() && quiet.status.success());
    assert_eq!(loud.stdout, quiet.stdout);
    let loud_err = String::from_utf8_lossy(&loud.stderr);
    let quiet_err = String::from_utf8_lossy(&quiet.stderr);
    assert!(
        loud_err.contains("could not be tied to a customer"),
        "{loud_err}"
    );
    assert!(
        !quiet_err.contains("could not be tied to a customer"),
        "{quiet_err}"
    );
    assert!(quiet_err.contains("warning:"), "warnings stay: {quiet_err}");
}

/// sverka's own files in the exports folder are left out with a note, never read back
/// as inputs (a saved `--by invoice` register or match log would double every debt); one
/// named on the command line is an error.
#[test]
fn own_outputs_and_settings_files_are_never_inputs() {
    let f = samples_copy();
    let dir = f.path().display().to_string();
    let baseline = sverka()
        .args(["report", &dir, "--as-of", "2024-03-31", "--format", "json"])
        .output()
        .expect("run");
    for (name, args) in [
        (
            "by_invoice.csv",
            &["report", "--by", "invoice", "--format", "csv"][..],
        ),
        (
            "by_invoice.xlsx",
            &["report", "--by", "invoice", "--format", "xlsx"][..],
        ),
        ("log.csv", &["match", "--format", "csv"][..]),
        ("tasks.tsv", &["tasks", "--format", "tsv"][..]),
        (
            "review.csv",
            &["review", "--month", "2024-03", "--format", "csv"][..],
        ),
    ] {
        let mut cmd = sverka();
        cmd.arg(args[0]).arg(&dir).args(&args[1..]);
        if args[0] != "review" {
            cmd.args(["--as-of", "2024-03-31"]);
        }
        let out = cmd.output().expect("run");
        assert!(out.status.success(), "{name}");
        f.bytes(name, &out.stdout);
    }
    f.utf8("overrides.txt", "# fixes\n17 12.03.2024 -> аванс\n");
    f.utf8("rates.csv", "Дата;Валюта;Курс\n01.03.2024;USD;90\n");
    f.cp1251("managers.csv", "ИНН;Менеджер\r\n7707083893;Иванов\r\n");
    f.utf8("days.txt", "12.08.2024;нерабочий\n");
    let out = sverka()
        .args([
            "report",
            &dir,
            "--as-of",
            "2024-03-31",
            "--format",
            "json",
            "--strict",
        ])
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, baseline.stdout, "the register is unchanged");
    let inspect = sverka()
        .args(["inspect", &dir, "--format", "json"])
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&inspect.stdout).expect("json");
    let notes: Vec<String> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .flat_map(|f| f["notes"].as_array().cloned().unwrap_or_default())
        .map(|n| n["message"].as_str().unwrap_or_default().to_string())
        .collect();
    for what in [
        "a register or task list written by sverka",
        "a match log written by sverka",
        "a review written by sverka",
        "an overrides file",
        "an exchange rates file",
        "a managers file",
        "a calendar file",
    ] {
        assert!(
            notes.iter().any(|n| n.contains(what)),
            "{what} in {notes:?}"
        );
    }
    let named = f.path().join("by_invoice.csv").display().to_string();
    let out = sverka().args(["report", &named]).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("written by sverka, not an input"));
}

/// Lists as 1C journals write them: a «Вид операции» column, a tax invoice that is no
/// debt, a sale whose «Основание» is the invoice it was made from (one debt, not two).
#[test]
fn lists_as_1c_journals_write_them() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Вид операции;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Основание\r\n\
             Счет на оплату;45;01.03.2024;10.03.2024;Ромашка;{ROMASHKA};10 000,00;\r\n\
             Реализация товаров и услуг;101;05.03.2024;15.03.2024;Ромашка;{ROMASHKA};10 000,00;Счет на оплату 45 от 01.03.2024 12:00:00\r\n\
             Счет-фактура выданный;101;05.03.2024;;Ромашка;{ROMASHKA};10 000,00;Реализация товаров и услуг 101 от 05.03.2024\r\n\
             Оплата от покупателя;П-1;20.03.2024;;Ромашка;{ROMASHKA};4 000,00;Счет на оплату 45 от 01.03.2024\r\n\
             Возврат от поставщика;П-2;21.03.2024;;Ромашка;{ROMASHKA};999,00;\r\n"
        ),
    );
    let r = f.report_json("2024-03-31", &[]);
    let row = row(&r, ROMASHKA);
    assert_eq!(row["invoiced"], "10000.00", "one debt: {row:#}");
    assert_eq!(row["paid"], "4000.00");
    assert_eq!(row["outstanding"], "6000.00");
    assert_eq!(row["advance"], "0.00");
    let inv = invoice(row, "101");
    assert_eq!(inv["due"], "2024-03-15");
}

/// Inputs with no documents at all are a warning (an error with `--strict`): an empty
/// register must not pass for "nobody owes anything".
#[test]
fn empty_inputs_are_a_warning() {
    let dir = tempfile::tempdir().expect("dir");
    let d = dir.path().display().to_string();
    let out = sverka()
        .args(["report", &d, "--format", "csv"])
        .output()
        .expect("run");
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("hold no invoices, payments"));
    let out = sverka()
        .args(["report", &d, "--format", "csv", "--strict"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
}

/// Environment variables: a blank one is as good as unset, a bad one is named in the
/// message, and `-o FILE.csv` says the format more plainly than SVERKA_FORMAT.
#[test]
fn environment_variables_edge_cases() {
    let s = samples().display().to_string();
    let out = sverka()
        .args(["report", &s, "--as-of", "2024-03-31", "--format", "csv"])
        .env("SVERKA_LANG", "")
        .env("SVERKA_CONFIG", " ")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sverka()
        .args(["completions", "bash"])
        .env("SVERKA_CONFIG", "")
        .output()
        .expect("run");
    assert!(out.status.success());
    let out = sverka()
        .args(["report", &s])
        .env("SVERKA_CALENDAR", "moon")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SVERKA_CALENDAR \"moon\""));
    let dir = tempfile::tempdir().expect("dir");
    let target = dir.path().join("debtors.csv");
    let out = sverka()
        .args(["report", &s, "--as-of", "2024-03-31", "-o"])
        .arg(&target)
        .env("SVERKA_FORMAT", "json")
        .output()
        .expect("run");
    assert!(out.status.success());
    let text = std::fs::read_to_string(&target).expect("written");
    assert!(text.starts_with('\u{feff}'), "CSV, as the extension says");
}

/// The same inputs give a byte-identical XLSX (no creation time from the clock), and
/// `sverka man report` prints the command's own page.
#[test]
fn xlsx_is_reproducible_and_commands_have_man_pages() {
    let s = samples().display().to_string();
    let dir = tempfile::tempdir().expect("dir");
    let mut files = Vec::new();
    for name in ["a.xlsx", "b.xlsx"] {
        let p = dir.path().join(name);
        let out = sverka()
            .args(["report", &s, "--as-of", "2024-03-31", "-o"])
            .arg(&p)
            .output()
            .expect("run");
        assert!(out.status.success());
        files.push(std::fs::read(&p).expect("xlsx"));
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    assert!(files[0] == files[1], "byte-identical workbooks");
    let out = sverka().args(["man", "report"]).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains(".TH sverka-report"));
    let out = sverka().args(["man", "nope"]).output().expect("run");
    assert_eq!(out.status.code(), Some(2));
}

/// `--by contract` and `level`: the command line wins over the settings file either way;
/// both in the settings file is an error naming it.
#[test]
fn by_contract_and_level_precedence() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Номер;Дата;Срок оплаты;Контрагент;ИНН;Договор;Сумма\r\n\
             1;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №1;100,00\r\n\
             2;01.03.2024;10.03.2024;Полюс;{POLUS};Договор №2;200,00\r\n"
        ),
    );
    let side = Fixture::new();
    let by = side.utf8("by.toml", "[report]\nby = \"contract\"\n");
    let both = side.utf8(
        "both.toml",
        "[report]\nby = \"contract\"\n\n[matching]\nlevel = \"counterparty\"\n",
    );
    let rows = |extra: &[&str]| {
        f.report_json("2024-03-31", extra)["rows"]
            .as_array()
            .map(Vec::len)
    };
    let by_path = by.to_str().expect("path");
    assert_eq!(rows(&["--config", by_path]), Some(2));
    assert_eq!(
        rows(&["--config", by_path, "--level", "counterparty"]),
        Some(1)
    );
    let out = sverka()
        .arg("report")
        .arg(f.path())
        .args(["--config", both.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("both.toml"));
    let both_path = both.to_str().expect("path");
    assert_eq!(rows(&["--config", both_path, "--by", "contract"]), Some(2));
}

/// One invoice shipped as two sales: a payment naming the invoice pays both; journals of
/// payments to suppliers and loans give no customer documents.
#[test]
fn one_invoice_shipped_in_two_sales() {
    let f = Fixture::new();
    f.cp1251(
        "list.csv",
        &format!(
            "Вид операции;Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Основание\r\n\
             Счет на оплату;45;01.03.2024;10.03.2024;Ромашка;{ROMASHKA};10 000,00;\r\n\
             Реализация;101;05.03.2024;15.03.2024;Ромашка;{ROMASHKA};6 000,00;Счет на оплату 45 от 01.03.2024 12:00:00\r\n\
             Реализация;102;06.03.2024;16.03.2024;Ромашка;{ROMASHKA};4 000,00;Счет на оплату 45 от 01.03.2024 12:00:00\r\n\
             Оплата от покупателя;П1;20.03.2024;;Ромашка;{ROMASHKA};10 000,00;Счет на оплату 45 от 01.03.2024\r\n\
             Оплата поставщику;П2;21.03.2024;;Гранит;{GRANIT};5 000,00;\r\n\
             Возврат займа контрагентом;П3;22.03.2024;;Вектор;{VEKTOR};7 000,00;\r\n"
        ),
    );
    let r = f.report_json("2024-03-31", &["--strict"]);
    assert!(find_row(&r, ROMASHKA).is_none(), "both sales paid: {r:#}");
    assert!(find_row(&r, GRANIT).is_none() && find_row(&r, VEKTOR).is_none());
    assert_eq!(r["totals"]["invoiced"], "0.00");
}

/// A statement that comes through a named pipe (as `<(…)` in a shell gives it) is read
/// as the stream it is: the register is the one the file itself gives. (A regular file
/// is read again from its start, in parts; a pipe cannot be.)
#[test]
fn a_statement_through_a_pipe_reads_as_the_file() {
    let dir = tempfile::tempdir().expect("dir");
    let statement = samples().join("kl_to_1c.txt");
    let invoices = samples().join("invoices.csv");
    let fifo = dir.path().join("kl_to_1c.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if !made {
        eprintln!("mkfifo is not available: test skipped");
        return;
    }
    // (A reader that opened the pipe twice would wait for a second writer for ever.)
    let report = |path: &std::path::Path| {
        sverka()
            .arg("report")
            .arg(path)
            .arg(&invoices)
            .args(["--as-of", "2024-03-31", "--format", "csv", "--quiet"])
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .expect("run")
    };
    let writer = {
        let (fifo, bytes) = (fifo.clone(), std::fs::read(&statement).expect("sample"));
        std::thread::spawn(move || std::fs::write(&fifo, bytes).is_ok())
    };
    let piped = report(&fifo);
    if !writer.is_finished() {
        // The pipe was never read: let the writer go.
        let _ = std::fs::File::open(&fifo);
    }
    assert!(
        writer.join().expect("writer"),
        "the statement went through the pipe"
    );
    let direct = report(&statement);
    assert!(
        piped.status.success(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
    assert!(direct.status.success());
    assert!(direct.stdout.len() > 100, "a register");
    assert_eq!(
        String::from_utf8_lossy(&piped.stdout),
        String::from_utf8_lossy(&direct.stdout)
    );
}

/// `-o` to something that is no regular file (a named pipe, `/dev/null`) writes to it
/// instead of renaming a temporary file over it; a symbolic link is followed, not
/// replaced.
#[test]
fn output_to_pipes_and_links() {
    let dir = tempfile::tempdir().expect("dir");
    let s = samples().display().to_string();
    let fifo = dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|st| st.success());
    if made {
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).expect("read the pipe"))
        };
        let out = sverka()
            .args(["report", &s, "--as-of", "2024-03-31", "--quiet", "-o"])
            .arg(&fifo)
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bytes = reader.join().expect("reader");
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "the CSV came through the pipe"
        );
        let still = std::fs::symlink_metadata(&fifo).expect("still there");
        assert!(!still.file_type().is_file(), "the pipe is still a pipe");
    }
    #[cfg(unix)]
    {
        let target = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).expect("symlink");
        let out = sverka()
            .args(["report", &s, "--as-of", "2024-03-31", "--quiet", "-o"])
            .arg(&link)
            .output()
            .expect("run");
        assert!(out.status.success());
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        assert!(
            std::fs::read(&target)
                .expect("written through the link")
                .len()
                > 100
        );
    }
}
