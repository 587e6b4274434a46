//! `sverka inspect`: what each file is and what was read from it: format, encoding,
//! version, our accounts, documents read and skipped, warnings with line numbers.
//! A file that cannot be read is listed with its error, and the run exits 1.

use super::{Common, Diagnostics};
use crate::error::{Error, Result};
use crate::input::{self, Loaded, Outcome};
use crate::model::Document;
use crate::output::json::opt_str;
use crate::output::sheet::{Cell, Sheet};
use crate::output::{self, Lang, OutputFormat};
use serde_json::{Value, json};

#[derive(Debug, Clone)]
pub struct InspectSettings {
    pub common: Common,
}

pub fn run(s: &InspectSettings, _diag: &mut dyn Diagnostics) -> Result<()> {
    let format = super::default_format(&s.common, OutputFormat::Json);
    super::check_binary_target(&s.common, format)?;
    let inputs = input::load(&s.common.inputs)?;
    let lang = s.common.render.lang;
    let bytes = match format {
        OutputFormat::Json => output::json::to_bytes(&to_json(&inputs.files, &inputs.sources)),
        other => output::render_sheets(
            other,
            &sheets(&inputs.files, &inputs.sources, lang),
            &s.common.render,
        )
        .map_err(Error::Render)?,
    };
    super::emit(&s.common, &bytes)?;
    if let Some(e) = inputs.first_failure() {
        return Err(e);
    }
    let warnings = inputs.warnings().len();
    if s.common.strict && warnings > 0 {
        return Err(Error::Strict(warnings));
    }
    Ok(())
}

/// Documents of each kind in a file.
fn counts(docs: &[Document]) -> (usize, usize, usize) {
    docs.iter().fold((0, 0, 0), |(i, c, p), d| match d {
        Document::Invoice(_) => (i + 1, c, p),
        Document::Credit(_) => (i, c + 1, p),
        Document::Payment(_) => (i, c, p + 1),
    })
}

fn to_json(files: &[Loaded], sources: &crate::model::Sources) -> Value {
    let list: Vec<Value> = files
        .iter()
        .map(|f| {
            let path = sources.display(f.file);
            match &f.outcome {
                Outcome::Read(r) => {
                    let (invoices, credits, payments) = counts(&r.documents);
                    json!({
                        "path": path,
                        "format": r.format.name(),
                        "encoding": r.encoding.map(|e| e.name()),
                        "version": opt_str(r.version.as_deref()),
                        "documents": r.read_count(),
                        "skipped": r.skipped,
                        "counts": {"invoices": invoices, "credits": credits, "payments": payments},
                        "accounts": r.accounts,
                        "warnings": r.warnings.iter().map(|w| json!({"line": w.line, "message": w.message})).collect::<Vec<_>>(),
                        "notes": r.notes.iter().map(|w| json!({"line": w.line, "message": w.message})).collect::<Vec<_>>(),
                    })
                }
                Outcome::Skipped(why) => json!({
                    "path": path, "format": null, "encoding": null, "version": null,
                    "documents": 0, "skipped": 0,
                    "counts": {"invoices": 0, "credits": 0, "payments": 0}, "accounts": [],
                    "warnings": [{"line": null, "message": why}], "notes": [],
                }),
                Outcome::Ignored(why) => json!({
                    "path": path, "format": null, "encoding": null, "version": null,
                    "documents": 0, "skipped": 0,
                    "counts": {"invoices": 0, "credits": 0, "payments": 0}, "accounts": [],
                    "warnings": [], "notes": [{"line": null, "message": why}],
                }),
                Outcome::Failed { line, message } => json!({
                    "path": path, "format": null, "encoding": null, "version": null,
                    "documents": 0, "skipped": 0,
                    "counts": {"invoices": 0, "credits": 0, "payments": 0}, "accounts": [],
                    "warnings": [], "notes": [],
                    "error": {"line": line, "message": message},
                }),
            }
        })
        .collect();
    json!({ "files": list })
}

fn sheets(files: &[Loaded], sources: &crate::model::Sources, lang: Lang) -> Vec<Sheet> {
    let mut s = Sheet::new(
        lang.t("Файлы", "Files"),
        lang.t("Прочитанные файлы", "Files read"),
    );
    s.column(lang.t("Файл", "File"), true)
        .column(lang.t("Формат", "Format"), true)
        .column(lang.t("Кодировка", "Encoding"), true)
        .column(lang.t("Версия", "Version"), true)
        .column(lang.t("Документов", "Documents"), true)
        .column(lang.t("Счетов", "Invoices"), true)
        .column(lang.t("Возвратов", "Credits"), true)
        .column(lang.t("Платежей", "Payments"), true)
        .column(lang.t("Пропущено", "Skipped"), true)
        .column(lang.t("Наши счета", "Our accounts"), true)
        .column(lang.t("Предупреждений", "Warnings"), true);
    let mut w = Sheet::new(
        lang.t("Предупреждения", "Warnings"),
        lang.t("Предупреждения и ошибки", "Warnings and errors"),
    );
    w.column(lang.t("Файл", "File"), true)
        .column(lang.t("Строка", "Line"), true)
        .column(lang.t("Сообщение", "Message"), true);
    for f in files {
        let path = sources.display(f.file);
        match &f.outcome {
            Outcome::Read(r) => {
                let (i, c, p) = counts(&r.documents);
                s.rows.push(vec![
                    Cell::text(&path),
                    Cell::text(r.format.name()),
                    Cell::opt_text(r.encoding.map(|e| e.name())),
                    Cell::opt_text(r.version.as_deref()),
                    Cell::Int(r.read_count() as i64),
                    Cell::Int(i as i64),
                    Cell::Int(c as i64),
                    Cell::Int(p as i64),
                    Cell::Int(r.skipped as i64),
                    Cell::text(r.accounts.join(", ")),
                    Cell::Int(r.warnings.len() as i64),
                ]);
                for x in &r.warnings {
                    w.rows.push(vec![
                        Cell::text(&path),
                        x.line.map_or(Cell::Empty, |l| Cell::Int(l.into())),
                        Cell::text(&x.message),
                    ]);
                }
                for x in &r.notes {
                    let message = format!("{}: {}", lang.t("примечание", "note"), x.message);
                    w.rows.push(vec![
                        Cell::text(&path),
                        x.line.map_or(Cell::Empty, |l| Cell::Int(l.into())),
                        Cell::Text(message),
                    ]);
                }
            }
            Outcome::Ignored(why) => {
                let mut row = vec![
                    Cell::text(&path),
                    Cell::text(lang.t("не вход", "not an input")),
                ];
                row.extend(std::iter::repeat_n(Cell::Empty, 9));
                s.rows.push(row);
                let message = format!("{}: {why}", lang.t("примечание", "note"));
                w.rows
                    .push(vec![Cell::text(&path), Cell::Empty, Cell::Text(message)]);
            }
            Outcome::Skipped(why) => {
                let mut row = vec![Cell::text(&path), Cell::text(lang.t("пропущен", "skipped"))];
                row.extend(std::iter::repeat_n(Cell::Empty, 8));
                row.push(Cell::Int(1));
                s.rows.push(row);
                w.rows
                    .push(vec![Cell::text(&path), Cell::Empty, Cell::text(why)]);
            }
            Outcome::Failed { line, message } => {
                let mut row = vec![Cell::text(&path), Cell::text(lang.t("ошибка", "error"))];
                row.extend(std::iter::repeat_n(Cell::Empty, 9));
                s.rows.push(row);
                w.rows.push(vec![
                    Cell::text(&path),
                    line.map_or(Cell::Empty, |l| Cell::Int(l.into())),
                    Cell::text(message),
                ]);
            }
        }
    }
    if w.rows.is_empty() {
        vec![s]
    } else {
        vec![s, w]
    }
}
