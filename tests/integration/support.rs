//! Test support: statements and invoice lists written into a temporary folder, and the
//! real `sverka` binary run on them.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Our company in every fixture.
pub const OUR_INN: &str = "7701234560";
pub const OUR_ACCOUNT: &str = "40702810400000012345";

/// Valid INNs for customers (checksums verified in `inn.rs` tests).
pub const ROMASHKA: &str = "7707083893";
pub const VEKTOR: &str = "7725418937";
pub const GRANIT: &str = "6671082450";
pub const POLUS: &str = "7703642519";

/// A bank document in a statement, incoming to our account unless `outgoing`.
#[derive(Debug, Clone)]
pub struct Pay {
    pub number: String,
    pub date: String,
    /// `ДатаПоступило` (incoming) or `ДатаСписано` (outgoing); defaults to `date`.
    pub cash_date: Option<String>,
    pub amount: String,
    pub inn: String,
    pub name: String,
    pub account: String,
    pub purpose: String,
    pub outgoing: bool,
}

impl Pay {
    /// An incoming payment from the customer with this INN.
    pub fn from(inn: &str, number: &str, date: &str, amount: &str, purpose: &str) -> Pay {
        Pay {
            number: number.into(),
            date: date.into(),
            cash_date: None,
            amount: amount.into(),
            inn: inn.into(),
            name: format!("ООО \"Клиент {inn}\""),
            account: format!("40702810{}", &format!("{inn:0>12}")[..12]),
            purpose: purpose.into(),
            outgoing: false,
        }
    }

    pub fn credited(mut self, date: &str) -> Pay {
        self.cash_date = Some(date.into());
        self
    }

    pub fn account(mut self, account: &str) -> Pay {
        self.account = account.into();
        self
    }

    pub fn name(mut self, name: &str) -> Pay {
        self.name = name.into();
        self
    }

    pub fn outgoing(mut self) -> Pay {
        self.outgoing = true;
        self
    }
}

/// A 1CClientBankExchange statement with our account and these documents.
pub fn statement(docs: &[Pay]) -> String {
    let mut s = String::from(
        "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\nОтправитель=Тест\r\n\
         ДатаНачала=01.01.2023\r\nДатаКонца=31.12.2025\r\n",
    );
    s.push_str(&format!("РасчСчет={OUR_ACCOUNT}\r\n"));
    for d in docs {
        let cash = d.cash_date.clone().unwrap_or_else(|| d.date.clone());
        let (payer_inn, payer_name, payer_acc, payee_inn, payee_name, payee_acc) = if d.outgoing {
            (
                OUR_INN.to_string(),
                "ООО \"Северный ветер\"".to_string(),
                OUR_ACCOUNT.to_string(),
                d.inn.clone(),
                d.name.clone(),
                d.account.clone(),
            )
        } else {
            (
                d.inn.clone(),
                d.name.clone(),
                d.account.clone(),
                OUR_INN.to_string(),
                "ООО \"Северный ветер\"".to_string(),
                OUR_ACCOUNT.to_string(),
            )
        };
        let (debited, credited) = if d.outgoing {
            (cash, String::new())
        } else {
            (String::new(), cash)
        };
        s.push_str(&format!(
            "СекцияДокумент=Платежное поручение\r\nНомер={}\r\nДата={}\r\nСумма={}\r\n\
             ПлательщикСчет={payer_acc}\r\nДатаСписано={debited}\r\nПлательщик=ИНН {payer_inn} {payer_name}\r\n\
             ПлательщикИНН={payer_inn}\r\nПлательщик1={payer_name}\r\nПлательщикРасчСчет={payer_acc}\r\n\
             ПолучательСчет={payee_acc}\r\nДатаПоступило={credited}\r\nПолучательИНН={payee_inn}\r\n\
             Получатель1={payee_name}\r\nПолучательРасчСчет={payee_acc}\r\nВидОплаты=01\r\n\
             НазначениеПлатежа={}\r\nКонецДокумента\r\n",
            d.number, d.date, d.amount, d.purpose
        ));
    }
    s.push_str("КонецФайла\r\n");
    s
}

/// An invoice row: number, date, due date (may be empty), INN, amount.
pub fn invoices(rows: &[(&str, &str, &str, &str, &str)]) -> String {
    let mut s = String::from("Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма\r\n");
    for (number, date, due, inn, amount) in rows {
        s.push_str(&format!(
            "{number};{date};{due};\"ООО \"\"Клиент {inn}\"\"\";{inn};{amount}\r\n"
        ));
    }
    s
}

/// A folder with an invoice list (`list.csv`) and a statement (`kl_to_1c.txt`), both in
/// Windows-1251 as 1C and banks write them.
pub fn world(invoice_rows: &[(&str, &str, &str, &str, &str)], pays: &[Pay]) -> Fixture {
    let f = Fixture::new();
    f.cp1251("list.csv", &invoices(invoice_rows));
    f.cp1251("kl_to_1c.txt", &statement(pays));
    f
}

/// A temporary folder of input files.
pub struct Fixture {
    pub dir: TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// Writes `text` encoded as Windows-1251 (as banks and 1C do).
    pub fn cp1251(&self, name: &str, text: &str) -> PathBuf {
        let bytes = encoding_rs::WINDOWS_1251.encode(text).0;
        self.bytes(name, &bytes)
    }

    pub fn utf8(&self, name: &str, text: &str) -> PathBuf {
        self.bytes(name, text.as_bytes())
    }

    pub fn bytes(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `sverka report <dir> --as-of <date> --format json`, parsed.
    pub fn report_json(&self, as_of: &str, extra: &[&str]) -> serde_json::Value {
        let out = report_output(self.path(), as_of, extra);
        assert!(
            out.status.success(),
            "sverka failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }

    /// `sverka match <dir> --as-of <date> --format json`, parsed.
    pub fn match_json(&self, as_of: &str, extra: &[&str]) -> serde_json::Value {
        let out = sverka()
            .arg("match")
            .arg(self.path())
            .args(["--as-of", as_of, "--format", "json"])
            .args(extra)
            .output()
            .expect("run sverka");
        assert!(
            out.status.success(),
            "sverka failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON output")
    }
}

/// The real binary, with no settings file of the caller's in the way.
pub fn sverka() -> Command {
    let mut c = Command::cargo_bin("sverka").expect("binary");
    c.current_dir(std::env::temp_dir());
    c.env_remove("NO_COLOR");
    // The caller's SVERKA_* settings must not change what the tests see.
    for var in [
        "SVERKA_CONFIG",
        "SVERKA_LANG",
        "SVERKA_FORMAT",
        "SVERKA_CSV_DIALECT",
        "SVERKA_CSV_ENCODING",
        "SVERKA_CALENDAR",
    ] {
        c.env_remove(var);
    }
    c
}

/// `sverka report INPUT --as-of AS_OF --format json` and `extra`, run (whatever its exit).
pub fn report_output(input: &Path, as_of: &str, extra: &[&str]) -> std::process::Output {
    sverka()
        .arg("report")
        .arg(input)
        .args(["--as-of", as_of, "--format", "json"])
        .args(extra)
        .output()
        .expect("run sverka")
}

/// The register row of the counterparty with this INN.
pub fn row<'a>(report: &'a serde_json::Value, inn: &str) -> &'a serde_json::Value {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["inn"] == inn)
        .unwrap_or_else(|| panic!("no row for INN {inn} in {report:#}"))
}

/// The open invoice with this number in a row.
pub fn invoice<'a>(row: &'a serde_json::Value, number: &str) -> &'a serde_json::Value {
    row["invoices"]
        .as_array()
        .expect("invoices")
        .iter()
        .find(|i| i["number"] == number)
        .unwrap_or_else(|| panic!("no open invoice {number} in {row:#}"))
}

/// True when the row lists this invoice as open.
pub fn is_open(row: &serde_json::Value, number: &str) -> bool {
    row["invoices"]
        .as_array()
        .is_some_and(|v| v.iter().any(|i| i["number"] == number))
}

/// The counterparty's row, or `None` when it has nothing outstanding and no advance.
pub fn find_row<'a>(report: &'a serde_json::Value, inn: &str) -> Option<&'a serde_json::Value> {
    report["rows"]
        .as_array()
        .and_then(|rows| rows.iter().find(|r| r["inn"] == inn))
}

/// Every bucket of a row (or of the totals) is zero except `name`, which is `amount`.
pub fn assert_only_bucket(row: &serde_json::Value, name: &str, amount: &str) {
    for (k, v) in row["buckets"].as_object().expect("buckets") {
        let want = if k == name { amount } else { "0.00" };
        assert_eq!(v, want, "bucket {k} in {row:#}");
    }
}
