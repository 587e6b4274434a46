//! Readers: bytes of one file in, normalized documents out.
//!
//! Each format has its own module; this one decides which reader a file needs from its
//! content (never from its name) and gives every reader the same result type, so the
//! ledger does not care where a document came from.

pub mod clientbank;
pub mod delimited;
pub mod encoding;
pub mod lines;

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
}

impl Format {
    /// The stable name used in `inspect` output.
    pub fn name(self) -> &'static str {
        match self {
            Format::ClientBank => "1c-client-bank",
            Format::Delimited => "delimited",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What reading one file gave.
#[derive(Debug, Clone)]
pub struct FileRead {
    pub format: Format,
    pub encoding: Option<TextEncoding>,
    /// The format version the file declares, if any.
    pub version: Option<String>,
    /// Our accounts named by the file (statements).
    pub accounts: Vec<String>,
    pub documents: Vec<Document>,
    /// Documents found but not read (each has a warning).
    pub skipped: usize,
    pub warnings: Vec<Warning>,
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
    if text_start.starts_with(b"<") {
        return Detected::Unsupported("XML (CommerceML / EnterpriseData)");
    }
    if head.starts_with(b"PK\x03\x04") {
        return Detected::Unsupported("XLSX or another zip archive");
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Detected::Unsupported("an old binary Excel (XLS) file");
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
    }
}
