//! Who looks after which customer: a mapping INN → manager from the settings.
//!
//! 1C invoices name their `Ответственный`, but lists often do not, and the head of sales
//! reassigns customers without reissuing invoices. The mapping (a `[managers]` table in
//! `sverka.toml`, or a file exported from a CRM: `ИНН;Менеджер`) is the current
//! assignment: where it names a customer it wins over the invoices; elsewhere the
//! manager on the customer's latest invoice stays.
//!
//! The file is delimited text (`;`, tab or `,`; fields may be quoted), UTF-8 or
//! Windows-1251, `#` comments and blank lines skipped. Its header names the INN column
//! (`ИНН`, `INN`) and the manager column (`Менеджер`, `Ответственный`, `Manager`), in any
//! order; other columns are ignored. Every bad row is an error naming its line.

use crate::formats::lines::{numbered, split_record};
use crate::inn::is_valid_inn;
use std::collections::BTreeMap;

/// INN → manager.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Managers {
    by_inn: BTreeMap<String, String>,
}

/// A line of a managers file that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ManagerError {
    pub line: u32,
    pub message: String,
}

impl Managers {
    /// The manager of the customer with this INN, if the mapping names one.
    pub fn get(&self, inn: &str) -> Option<&str> {
        self.by_inn.get(inn).map(String::as_str)
    }

    pub fn is_empty(&self) -> bool {
        self.by_inn.is_empty()
    }

    /// Takes every customer of `other`, over this mapping's.
    pub fn extend(&mut self, other: Managers) {
        self.by_inn.extend(other.by_inn);
    }

    /// Adds (or replaces) one customer's manager. The caller checks the INN.
    pub fn insert(&mut self, inn: &str, manager: &str) {
        self.by_inn
            .insert(inn.trim().to_string(), manager.trim().to_string());
    }

    /// Reads a managers file; every bad line is reported.
    pub fn parse_bytes(bytes: &[u8]) -> Result<Managers, Vec<ManagerError>> {
        let (enc, bom) =
            crate::formats::encoding::sniff(bytes, &["ИНН", "Менеджер", "Ответственный"], None);
        let text = enc.decode(bytes.get(bom..).unwrap_or_default());
        Managers::parse(&text)
    }

    /// Reads a managers file from text.
    pub fn parse(text: &str) -> Result<Managers, Vec<ManagerError>> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let mut rows = numbered(text.as_bytes())
            .map(|(n, l)| (n, String::from_utf8_lossy(l).into_owned()))
            .filter(|(_, l)| {
                let t = l.trim();
                !t.is_empty() && !t.starts_with('#')
            });
        let err = |line: u32, message: String| vec![ManagerError { line, message }];
        let Some((header_line, header)) = rows.next() else {
            return Err(err(
                1,
                format!("no header row: expected the columns {EXPECTED}"),
            ));
        };
        let (delimiter, inn_col, manager_col) =
            header_columns(&header).map_err(|m| err(header_line, m))?;
        let mut managers = Managers::default();
        let mut first: BTreeMap<String, (u32, String)> = BTreeMap::new();
        let mut errors = Vec::new();
        for (line, text) in rows {
            let cells = split_record(&text, delimiter);
            let cell = |i: usize| cells.get(i).map_or("", |c| c.trim());
            let (inn, manager) = (cell(inn_col), cell(manager_col));
            if inn.is_empty() && manager.is_empty() {
                continue;
            }
            if !is_valid_inn(inn) {
                errors.push(ManagerError {
                    line,
                    message: format!("not a valid INN: {inn:?}"),
                });
                continue;
            }
            if manager.is_empty() {
                errors.push(ManagerError {
                    line,
                    message: format!("no manager for INN {inn}"),
                });
                continue;
            }
            match first.get(inn) {
                Some((l, m)) if m != manager => errors.push(ManagerError {
                    line,
                    message: format!(
                        "INN {inn} is given to {manager:?} here and to {m:?} on line {l}"
                    ),
                }),
                Some(_) => {}
                None => {
                    first.insert(inn.to_string(), (line, manager.to_string()));
                    managers.insert(inn, manager);
                }
            }
        }
        if errors.is_empty() {
            Ok(managers)
        } else {
            Err(errors)
        }
    }
}

/// What the header must name, for messages.
const EXPECTED: &str = "ИНН/INN and Менеджер/Ответственный/Manager";

/// The delimiter and the INN and manager columns of a header.
fn header_columns(header: &str) -> Result<(char, usize, usize), String> {
    for delimiter in [';', '\t', ','] {
        let names: Vec<String> = split_record(header, delimiter)
            .iter()
            .map(|c| c.trim().to_lowercase())
            .collect();
        let inn = names.iter().position(|n| n == "инн" || n == "inn");
        let manager = names
            .iter()
            .position(|n| matches!(n.as_str(), "менеджер" | "ответственный" | "manager"));
        if let (Some(i), Some(m)) = (inn, manager) {
            return Ok((delimiter, i, m));
        }
    }
    Err(format!(
        "the first line is not a header: expected the columns {EXPECTED}, found {:?}",
        header.trim()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_crm_export() {
        let m = Managers::parse(
            "\u{FEFF}# из CRM\nКлиент;ИНН;Ответственный\n\"ООО \"\"Ромашка\"\"\";7707083893;Иванов И.И.\n\nВектор;7725418937; Петрова А.С. \n",
        )
        .unwrap();
        assert_eq!(m.get("7707083893"), Some("Иванов И.И."));
        assert_eq!(m.get("7725418937"), Some("Петрова А.С."));
        assert_eq!(m.get("6671082450"), None);
        let m = Managers::parse("Manager,INN\nIvanov,7707083893\n").unwrap();
        assert_eq!(m.get("7707083893"), Some("Ivanov"));
    }

    #[test]
    fn bad_rows_are_all_reported() {
        let errors = Managers::parse(
            "ИНН;Менеджер\n7707083894;Иванов\n7725418937;\n7707083893;Иванов\n7707083893;Петров\n",
        )
        .unwrap_err();
        let lines: Vec<u32> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, vec![2, 3, 5]);
        assert!(errors[2].message.contains("line 4"), "{errors:?}");
        assert!(Managers::parse("Клиент;Сумма\n").is_err());
        assert!(Managers::parse("").is_err());
    }
}
