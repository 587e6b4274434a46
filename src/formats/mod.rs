//! Readers: bytes of one file in, normalized documents out.
//!
//! Each format has its own module; this one decides which reader a file needs from its
//! content (never from its name) and gives every reader the same result type, so the
//! ledger does not care where a document came from.

pub mod clientbank;
pub mod commerceml;
pub mod delimited;
pub mod encoding;
pub mod enterprisedata;
pub mod lines;
pub mod own;
pub mod table;
pub mod xlsx;
pub mod xml;

use crate::model::{Document, FileId, Warning};
use encoding::TextEncoding;
use std::fmt;

/// The formats sverka recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// 1CClientBankExchange bank statement.
    ClientBank,
    /// A delimited text list of invoices, returns and payments (CSV/TXT).
    Delimited,
    /// CommerceML 2.x/3.1 (and the 1.x attribute form): 1C and 1C-Bitrix exchange XML.
    CommerceMl,
    /// EnterpriseData: 1C's data-synchronisation XML.
    EnterpriseData,
    /// An XLSX workbook holding a list.
    Xlsx,
}

impl Format {
    /// The stable name used in `inspect` output.
    pub fn name(self) -> &'static str {
        match self {
            Format::ClientBank => "1c-client-bank",
            Format::Delimited => "delimited",
            Format::CommerceMl => "commerceml",
            Format::EnterpriseData => "enterprisedata",
            Format::Xlsx => "xlsx",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What reading one file gave.
#[derive(Debug, Clone, PartialEq)]
pub struct FileRead {
    pub format: Format,
    pub encoding: Option<TextEncoding>,
    /// The format version the file declares, if any.
    pub version: Option<String>,
    /// Our accounts named by the file (statements).
    pub accounts: Vec<String>,
    pub documents: Vec<Document>,
    /// Documents read that are no receivable of ours (a purchase order, a document of
    /// another kind): counted, not kept.
    pub other: usize,
    /// Kept documents that are not documents of the file but facts another one states
    /// (a payment an order says it received): kept, not counted as read.
    pub derived: usize,
    /// Documents found but not read (each has a warning).
    pub skipped: usize,
    pub warnings: Vec<Warning>,
    /// Things worth knowing that are not problems (a document marked for deletion left out).
    pub notes: Vec<Warning>,
    /// When the exporting program wrote the file, as the file says (for "the newer export
    /// wins"); the loader falls back to the file's modification time.
    pub exported: Option<chrono::NaiveDateTime>,
    /// Our company's INNs as the file names them (the seller of an XML invoice).
    pub company_inns: Vec<String>,
}

impl FileRead {
    /// An empty result for a file of this format.
    pub fn new(format: Format, encoding: Option<TextEncoding>) -> FileRead {
        FileRead {
            format,
            encoding,
            version: None,
            accounts: Vec::new(),
            documents: Vec::new(),
            other: 0,
            derived: 0,
            skipped: 0,
            warnings: Vec::new(),
            notes: Vec::new(),
            exported: None,
            company_inns: Vec::new(),
        }
    }

    /// Documents read: kept ones and the others, not counting derived ones.
    pub fn read_count(&self) -> usize {
        (self.documents.len() + self.other).saturating_sub(self.derived)
    }
}

/// Why a file could not be read at all. The caller adds the path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub line: Option<u32>,
    pub message: String,
}

/// What a file's content looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    Known(Format),
    /// A format sverka does not read yet but recognises, with its name.
    Unsupported(&'static str),
    /// One of sverka's own files (an output, a settings file): never an input.
    Own(&'static str),
    Unknown,
}

/// Detects the format from the content.
pub fn detect(bytes: &[u8]) -> Detected {
    let head = &bytes[..bytes.len().min(8192)];
    let text_start = head
        .strip_prefix(encoding::BOM)
        .unwrap_or(head)
        .trim_ascii_start();
    if clientbank::sniff(bytes) {
        return Detected::Known(Format::ClientBank);
    }
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Detected::Unsupported("a UTF-16 text (save the export as UTF-8 or Windows-1251)");
    }
    if text_start.starts_with(b"<") {
        return match xml::root_name(bytes).as_deref() {
            Some("КоммерческаяИнформация") => {
                Detected::Known(Format::CommerceMl)
            }
            // 1C's data-synchronisation envelope; other `Message` roots are someone else's.
            Some("Message") if String::from_utf8_lossy(head).contains("EnterpriseData") => {
                Detected::Known(Format::EnterpriseData)
            }
            _ => Detected::Unsupported("XML that is neither CommerceML nor EnterpriseData"),
        };
    }
    if head.starts_with(b"PK\x03\x04") {
        return if xlsx::sniff(bytes) {
            Detected::Known(Format::Xlsx)
        } else {
            Detected::Unsupported("a zip archive that is not an XLSX workbook")
        };
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Detected::Unsupported(
            "an old binary Excel (XLS) file or a password-protected workbook (save it as XLSX without a password)",
        );
    }
    if let Some(what) = own::text_kind(bytes) {
        return Detected::Own(what);
    }
    if delimited::sniff(bytes) {
        return Detected::Known(Format::Delimited);
    }
    Detected::Unknown
}

/// Reads a file of a known format.
pub fn read(format: Format, bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    match format {
        Format::ClientBank => clientbank::read(bytes, file),
        Format::Delimited => delimited::read(bytes, file),
        Format::CommerceMl => commerceml::read(bytes, file),
        Format::EnterpriseData => enterprisedata::read(bytes, file),
        Format::Xlsx => xlsx::read(bytes, file),
    }
}
