//! Renderers: a register, a match log or a file listing turned into bytes for a person
//! (table), a spreadsheet (CSV, TSV, XLSX) or a program (JSON), and written out
//! atomically so that a reader never sees half a file.

pub mod delimited;
pub mod json;
pub mod sheet;
pub mod sheets;
pub mod table;
pub mod xlsx;

use std::io::Write;
use std::path::Path;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Csv,
    Tsv,
    Json,
    Xlsx,
}

impl OutputFormat {
    pub fn parse(s: &str) -> Option<OutputFormat> {
        match s.to_lowercase().as_str() {
            "table" => Some(OutputFormat::Table),
            "csv" => Some(OutputFormat::Csv),
            "tsv" => Some(OutputFormat::Tsv),
            "json" => Some(OutputFormat::Json),
            "xlsx" => Some(OutputFormat::Xlsx),
            _ => None,
        }
    }
}

/// Language of headers and notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Ru,
    En,
}

impl Lang {
    /// Picks the Russian or the English text.
    pub fn t<'a>(self, ru: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Ru => ru,
            Lang::En => en,
        }
    }
}

/// CSV flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDialect {
    /// Russian Excel: `;`, decimal comma, `dd.mm.yyyy`, UTF-8 with BOM, CRLF.
    #[default]
    Excel,
    /// For programs: `,`, decimal point, ISO dates, no BOM, LF.
    Plain,
}

/// Options every renderer may need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenderOptions {
    pub lang: Lang,
    pub dialect: CsvDialect,
    /// Terminal width for the table, when writing to a terminal.
    pub width: Option<u16>,
    /// Write CSV and TSV in Windows-1251 (for old Excel and 1C loaders) instead of UTF-8.
    pub cp1251: bool,
}

/// Renders sheets in a tabular format (everything but JSON).
pub fn render_sheets(
    format: OutputFormat,
    sheets: &[sheet::Sheet],
    opts: &RenderOptions,
) -> Result<Vec<u8>, String> {
    match format {
        OutputFormat::Table => Ok(table::render(sheets, opts).into_bytes()),
        OutputFormat::Csv | OutputFormat::Tsv => {
            let mut out = Vec::new();
            // (Writing to memory fails only where allocating does.)
            let _ = write_delimited(&mut out, format, &sheets[0], opts, |_| Ok(()));
            Ok(out)
        }
        OutputFormat::Xlsx => xlsx::render(sheets, opts),
        OutputFormat::Json => Err("JSON is rendered from the data, not from sheets".into()),
    }
}

/// Writes `sheet` as CSV or TSV (`format`), then the rows `more` writes after its own,
/// as they are made: for an output too big to be made whole first.
pub fn write_delimited(
    out: &mut dyn Write,
    format: OutputFormat,
    sheet: &sheet::Sheet,
    opts: &RenderOptions,
    more: impl FnOnce(&mut delimited::Rows<'_>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let (flavor, bom) = match format {
        OutputFormat::Tsv => (delimited::Flavor::Tsv(opts.dialect), false),
        _ => (delimited::Flavor::Csv(opts.dialect), !opts.cp1251),
    };
    more(&mut delimited::write_sheet(
        out,
        sheet,
        flavor,
        bom,
        opts.cp1251,
    )?)
}

/// Writes `bytes` to `path` atomically: a temporary file in the same folder, flushed,
/// then renamed over the target. A target that is no regular file (`/dev/null`, a named
/// pipe, a terminal) is written to directly: renaming over it would replace the device
/// itself. A symbolic link is followed: the file it points to is replaced, not the link.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// Like [`write_atomic`], with what `fill` writes (through a buffer): an output too big
/// to be made whole in memory first is written as it is made.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    if let Ok(meta) = std::fs::metadata(path)
        && !meta.file_type().is_file()
        && !meta.is_dir()
    {
        let mut f = std::io::BufWriter::new(std::fs::OpenOptions::new().write(true).open(path)?);
        fill(&mut f)?;
        return f.flush();
    }
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            let target = std::fs::read_link(path)?;
            resolved = match path.parent() {
                Some(dir) if target.is_relative() => dir.join(target),
                _ => target,
            };
            resolved.as_path()
        }
        _ => path,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".sverka-").suffix(".tmp");
    // A file for the sales team must be readable by them: keep the permissions of the file
    // being replaced, or give a new one the usual 0666 less the umask (tempfile's 0600 is
    // for secrets).
    #[cfg(unix)]
    let permissions = match std::fs::metadata(path) {
        Ok(m) => m.permissions(),
        Err(_) => std::os::unix::fs::PermissionsExt::from_mode(0o666),
    };
    #[cfg(unix)]
    builder.permissions(permissions);
    let mut tmp = builder.tempfile_in(dir)?;

    {
        let mut w = std::io::BufWriter::new(&mut tmp);
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
