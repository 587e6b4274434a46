//! sverka's own files, recognised so that they are never read as inputs: a register or a
//! match log saved into the exports folder would otherwise come back as an invoice list
//! and double every debt, and the overrides, rates, managers and calendar files kept
//! beside the exports are settings, not documents.

use super::encoding;
use super::lines::{numbered, split_record};

/// What an output's header row says it is, if sverka wrote it (`names` as the row
/// has them, any case).
pub fn output_kind<S: AsRef<str>>(names: &[S]) -> Option<&'static str> {
    let names: Vec<String> = names
        .iter()
        .map(|n| n.as_ref().trim().trim_matches('\u{FEFF}').to_lowercase())
        .collect();
    let has = |wanted: &[&str]| names.iter().any(|n| wanted.contains(&n.as_str()));
    if has(&["дней просрочки", "days overdue"]) {
        Some("a register or task list written by sverka")
    } else if has(&["правило", "rule"]) && has(&["зачтено", "applied"]) {
        Some("a match log written by sverka")
    } else if has(&["доля просрочки, %", "overdue share, %"]) {
        Some("a review written by sverka")
    } else {
        None
    }
}

/// What a text file is, if it is one of sverka's own: an output (CSV, TSV), or a
/// settings file (overrides, exchange rates, managers, calendar).
pub fn text_kind(bytes: &[u8]) -> Option<&'static str> {
    let head = &bytes[..bytes.len().min(16 * 1024)];
    let (enc, bom) = encoding::sniff(
        head,
        &["Контрагент", "Менеджер", "Валюта", "Курс", "ИНН", "Дата"],
        None,
    );
    let text = enc.decode(head.get(bom..).unwrap_or_default());
    let lines: Vec<String> = numbered(text.as_bytes())
        .map(|(_, l)| String::from_utf8_lossy(l).trim().to_string())
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .take(30)
        .collect();
    let first = lines.first()?;
    // JSON and the terminal table, saved to a file.
    if first.starts_with('{')
        && ["\"as_of\"", "\"hard_cases\"", "\"files\""]
            .iter()
            .any(|k| text.contains(k))
    {
        return Some("a JSON output of sverka");
    }
    const TITLES: [&str; 8] = [
        "Реестр дебиторской задолженности на",
        "Debtor register as of",
        "Задачи по просроченной задолженности на",
        "Follow-up tasks as of",
        "Разнесение поступлений на",
        "Allocation of receipts as of",
        "Дебиторская задолженность за период",
        "Receivables review,",
    ];
    if TITLES.iter().any(|t| first.starts_with(t)) {
        return Some("a table written by sverka");
    }
    for delimiter in [';', '\t', ','] {
        let names = split_record(first, delimiter);
        if let Some(what) = output_kind(&names) {
            return Some(what);
        }
        // A header a list reader takes is an input, whatever else it has.
        if super::table::Header::new(names.iter()).is_usable() {
            continue;
        }
        let lower: Vec<String> = names.iter().map(|n| n.trim().to_lowercase()).collect();
        let has = |wanted: &[&str]| lower.iter().any(|n| wanted.contains(&n.as_str()));
        if has(&["дата", "date"]) && has(&["валюта", "currency"]) && has(&["курс", "rate"])
        {
            return Some("an exchange rates file");
        }
        if has(&["инн", "inn"]) && has(&["менеджер", "ответственный", "manager"])
        {
            return Some("a managers file");
        }
    }
    // Overrides: `payment -> target` lines.
    if lines.iter().all(|l| l.contains("->") || l.contains('→')) {
        return Some("an overrides file");
    }
    // A calendar file: it reads as one (a date and a kind of day per line).
    let body = lines.iter().filter(|l| {
        let l = l.to_lowercase();
        !l.starts_with("дата") && !l.starts_with("date")
    });
    if body.count() > 0 && crate::calendar::Calendar::russia_with(&text).is_ok() {
        return Some("a calendar file");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_and_settings_files_are_recognised() {
        let register = "\u{FEFF}Контрагент;ИНН;Менеджер;Документ;Номер;Дата;Срок оплаты;Сумма;Долг;Дней просрочки\r\n";
        assert_eq!(
            text_kind(register.as_bytes()),
            Some("a register or task list written by sverka")
        );
        let log = "Source,Date,Number,Amount,Payer,INN,Purpose,Invoice,Applied,Rule,Advance,Note\n";
        assert_eq!(
            text_kind(log.as_bytes()),
            Some("a match log written by sverka")
        );
        assert_eq!(
            text_kind("Дата;Валюта;Курс\n01.03.2024;USD;90\n".as_bytes()),
            Some("an exchange rates file")
        );
        assert_eq!(
            text_kind("Клиент;ИНН;Менеджер\nА;7707083893;Иванов\n".as_bytes()),
            Some("a managers file")
        );
        assert_eq!(
            text_kind("# fixes\n17 12.03.2024 -> 45 : 100\n18 15.03.2024 -> аванс\n".as_bytes()),
            Some("an overrides file")
        );
        assert_eq!(
            text_kind("Дата;День\n12.08.2024;нерабочий\n".as_bytes()),
            Some("a calendar file")
        );
        // Real inputs are not sverka's, whatever columns they add.
        let list = "Номер;Дата;Срок оплаты;Контрагент;ИНН;Сумма;Менеджер\n1;01.03.2024;;А;7707083893;1,00;Иванов\n";
        assert_eq!(text_kind(list.as_bytes()), None);
        let list = "№;Дата;Контрагент;ИНН;Сумма документа;Ответственный;Валюта;Курс\n";
        assert_eq!(text_kind(list.as_bytes()), None);
        let list = "Номер документа;Дата;Контрагент;ИНН;Сумма;Ответственный\n";
        assert_eq!(text_kind(list.as_bytes()), None);
        assert_eq!(
            text_kind("1CClientBankExchange\r\nВерсияФормата=1.03\r\n".as_bytes()),
            None
        );
        assert_eq!(text_kind(b""), None);
        assert_eq!(
            text_kind("{\n  \"as_of\": \"2024-03-31\",\n  \"rows\": []\n}".as_bytes()),
            Some("a JSON output of sverka")
        );
        assert_eq!(
            text_kind("Реестр дебиторской задолженности на 31.03.2024\n┌──┐\n".as_bytes()),
            Some("a table written by sverka")
        );
        assert_eq!(
            text_kind("17 12.03.2024 → 45\n".as_bytes()),
            Some("an overrides file")
        );
        assert_eq!(
            text_kind("30.08.2024;праздник  # День города\n".as_bytes()),
            Some("a calendar file")
        );
    }
}
