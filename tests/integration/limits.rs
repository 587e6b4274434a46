//! The limits on hostile input (docs/formats.md, "Limits"): each refusal or skip names the
//! file, the line and the offending value (cut), says what to do, and exits as the
//! contract says; nothing panics.

use crate::support::*;

fn stderr_of(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `report` fails with exit 1, nothing on stdout, and every one of `says` on stderr.
fn fails_saying(path: &std::path::Path, says: &[&str]) {
    let out = report(path, &[]);
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(out.stdout.is_empty());
    for s in says {
        assert!(err.contains(s), "{s:?} not in {err}");
    }
    assert!(err.len() < 1000, "{err}");
}

fn report(path: &std::path::Path, extra: &[&str]) -> std::process::Output {
    sverka()
        .arg("report")
        .arg(path)
        .args(["--as-of", "2024-12-31", "--format", "csv"])
        .args(extra)
        .output()
        .expect("run sverka")
}

/// A list row longer than 1 MiB (an unclosed quote swallowing the rest) fails the file:
/// exit 1, the file and line named, the first cell quoted, no register written.
#[test]
fn a_list_row_over_one_mib_fails_naming_the_line() {
    let f = Fixture::new();
    let mut text = invoices(&[("1", "01.03.2024", "", ROMASHKA, "100,00")]);
    text.push_str("2;\"02.03.2024;;x;7707083893;5,00\r\n");
    for i in 0..60_000 {
        text.push_str(&format!("{i};01.03.2024;;ООО Ромашка;{ROMASHKA};10,00\r\n"));
    }
    let list = f.cp1251("list.csv", &text);
    fails_saying(
        &list,
        &[
            "list.csv:3: ",
            "more than the 1 MiB",
            "its first cell is \"2\"",
        ],
    );
}

/// An amount of more than 15 integer digits skips its row with a warning quoting it;
/// `--strict` makes that an error.
#[test]
fn an_amount_too_large_is_a_warning_and_strict_makes_it_an_error() {
    let f = world(
        &[
            ("1", "01.03.2024", "", ROMASHKA, "100,00"),
            ("2", "02.03.2024", "", ROMASHKA, "99999999999999999999,00"),
        ],
        &[],
    );
    let out = report(f.path(), &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    assert!(err.contains("list.csv:3: "), "{err}");
    assert!(
        err.contains("\"99999999999999999999,00\": amount too large"),
        "{err}"
    );
    let out = report(f.path(), &["--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr_of(&out));
}

/// A file over 4 GiB that is no statement is refused unread (a sparse file: nothing is
/// written to disk).
#[test]
fn a_file_over_four_gib_is_refused_with_its_size() {
    let f = Fixture::new();
    let path = f.utf8(
        "huge.csv",
        "Номер;Дата;Контрагент;Сумма\n1;01.03.2024;A;10\n",
    );
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    file.set_len(sverka::input::MAX_WHOLE_FILE + 1)
        .expect("sparse file");
    drop(file);
    fails_saying(&path, &["huge.csv: ", "more than the 4 GiB"]);
}

/// XML nested too deep or with thousands of attributes on one element: exit 1 with the
/// file, the line and what is wrong.
#[test]
fn xml_too_deep_or_with_too_many_attributes_fails_naming_the_line() {
    let f = Fixture::new();
    let head = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<КоммерческаяИнформация ВерсияСхемы=\"2.08\">\n";
    let deep = format!(
        "{head}{}{}</КоммерческаяИнформация>\n",
        "<Документ>".repeat(150),
        "</Документ>".repeat(150)
    );
    let path = f.utf8("deep.xml", &deep);
    fails_saying(&path, &["deep.xml:3: ", "deeper than 100 levels"]);

    let attrs: String = (0..1500).map(|i| format!(" a{i}=\"{i}\"")).collect();
    let wide = format!("{head}<Документ{attrs}/>\n</КоммерческаяИнформация>\n");
    let path = f.utf8("wide.xml", &wide);
    fails_saying(&path, &["wide.xml:3: ", "more than 1000 attributes"]);
}

/// A statement with a 10 MiB line (in a document and between documents): the line is
/// skipped as it streams by, the document holding it is skipped and counted, the other
/// document is read, and the messages quote the line cut.
#[test]
fn a_statement_with_a_ten_mib_line_never_crashes() {
    let f = Fixture::new();
    let text = statement(&[
        Pay::from(ROMASHKA, "1", "05.03.2024", "1000.00", "Оплата по сч. 1"),
        Pay::from(ROMASHKA, "2", "06.03.2024", "2000.00", "Оплата по сч. 2"),
    ]);
    let huge = "Ж".repeat(10 << 20);
    let text = text.replacen(
        "НазначениеПлатежа=Оплата по сч. 1",
        &format!("НазначениеПлатежа=Оплата по сч. 1 {huge}"),
        1,
    );
    let text = text.replacen(
        "КонецДокумента\r\n",
        &format!("КонецДокумента\r\n{huge}\r\n"),
        1,
    );
    let path = f.cp1251("kl_to_1c.txt", &text);
    let out = sverka()
        .arg("report")
        .arg(&path)
        .args(["--as-of", "2024-12-31", "--format", "csv"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .expect("run sverka");
    assert_eq!(out.status.code(), Some(0), "{}", stderr_of(&out));
    let err = stderr_of(&out);
    // The document holding the line is skipped and counted; the line between documents
    // is skipped; the other document is read.
    assert!(
        err.contains("document skipped: line ")
            && err.contains("more than the 1 MiB a statement line may have"),
        "{err}"
    );
    assert!(err.contains("the line is skipped"), "{err}");
    assert!(
        err.contains("kl_to_1c.txt: 1 of 2 document(s) could not be read"),
        "{err}"
    );
    let csv = String::from_utf8_lossy(&out.stdout);
    assert!(csv.contains("2000,00"), "{csv}");
    // Whatever is said quotes the line cut, not 10 MiB of it.
    assert!(err.len() < 100_000, "{} bytes on stderr", err.len());
}
