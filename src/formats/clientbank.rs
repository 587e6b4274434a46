//! The 1CClientBankExchange bank statement (`kl_to_1c.txt`): payments in and out.
//!
//! A line-oriented `Key=Value` text with a header, balance sections
//! (`СекцияРасчСчет … КонецРасчСчет`, one per account or per day) and documents
//! (`СекцияДокумент=<вид> … КонецДокумента`), ended by `КонецФайла`. Real files break
//! every rule of the format (see `docs/formats.md`), so this reader is tolerant and
//! talkative: it keeps every complete document, drops a document torn off by the end of
//! the file, and warns with the line number about everything else. It refuses only a
//! file whose text cannot be read at all.
//!
//! A statement is streamed, never held whole; a big file is read in parts on all cores
//! ([`read_file`]), joined into exactly what one pass gives.

use super::encoding::{self, TextEncoding};
use super::{FileError, FileRead, Format};
use crate::dates::parse_date;
use crate::inn::{clean_inn, clean_kpp};
use crate::model::{Document, FileId, Party, Payment, Provenance, Warning};
use crate::money::{parse_amount, plain};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The first line of every statement.
pub const SIGNATURE: &str = "1CClientBankExchange";

/// Cyrillic words that only a correctly decoded statement contains.
const KNOWN_WORDS: &[&str] = &[
    "ВерсияФормата",
    "Кодировка",
    "СекцияДокумент",
    "КонецДокумента",
    "СекцияРасчСчет",
    "КонецРасчСчет",
    "КонецФайла",
    "РасчСчет",
    "Сумма",
    "Плательщик",
    "Получатель",
];

/// True when the bytes look like a statement: the signature, or (for a header-less
/// file) a section marker on the first line.
pub fn sniff(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(encoding::BOM).unwrap_or(head);
    let first = head
        .split(|&b| b == b'\n' || b == b'\r')
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
        .unwrap_or(b"");
    if first.eq_ignore_ascii_case(SIGNATURE.as_bytes()) {
        return true;
    }
    if first.is_ascii() {
        return false;
    }
    [
        TextEncoding::Utf8,
        TextEncoding::Windows1251,
        TextEncoding::Cp866,
    ]
    .iter()
    .any(|e| {
        let text = e.decode(first);
        let lower = text.to_lowercase();
        lower.starts_with("секциядокумент") || lower.starts_with("секциярасчсчет")
    })
}

/// Fields of a payment document that sverka uses. Other keys are tolerated and ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Number,
    Date,
    Amount,
    Debited,
    Credited,
    Payer,
    PayerInn,
    Payer1,
    PayerAccount,
    PayerSettlement,
    PayerKpp,
    PayerBic,
    Payee,
    PayeeInn,
    Payee1,
    PayeeAccount,
    PayeeSettlement,
    PayeeKpp,
    PayeeBic,
    Purpose,
    Purpose1,
    Purpose2,
    Purpose3,
    Purpose4,
    Purpose5,
    Purpose6,
}

const FIELD_COUNT: usize = Field::Purpose6 as usize + 1;

const FIELD_KEYS: &[(&str, Field)] = &[
    ("Номер", Field::Number),
    ("Дата", Field::Date),
    ("Сумма", Field::Amount),
    ("ДатаСписано", Field::Debited),
    ("ДатаПоступило", Field::Credited),
    ("Плательщик", Field::Payer),
    ("ПлательщикИНН", Field::PayerInn),
    ("Плательщик1", Field::Payer1),
    ("ПлательщикСчет", Field::PayerAccount),
    ("ПлательщикРасчСчет", Field::PayerSettlement),
    ("ПлательщикКПП", Field::PayerKpp),
    ("ПлательщикБИК", Field::PayerBic),
    ("Получатель", Field::Payee),
    ("ПолучательИНН", Field::PayeeInn),
    ("Получатель1", Field::Payee1),
    ("ПолучательСчет", Field::PayeeAccount),
    ("ПолучательРасчСчет", Field::PayeeSettlement),
    ("ПолучательКПП", Field::PayeeKpp),
    ("ПолучательБИК", Field::PayeeBic),
    ("НазначениеПлатежа", Field::Purpose),
    ("НазначениеПлатежа1", Field::Purpose1),
    ("НазначениеПлатежа2", Field::Purpose2),
    ("НазначениеПлатежа3", Field::Purpose3),
    ("НазначениеПлатежа4", Field::Purpose4),
    ("НазначениеПлатежа5", Field::Purpose5),
    ("НазначениеПлатежа6", Field::Purpose6),
];

/// What a key is: a section marker, a document field sverka uses, or anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyClass {
    Marker(MarkerKind),
    Field(Field),
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MarkerKind {
    Signature,
    AccountStart,
    AccountEnd,
    DocumentStart,
    DocumentEnd,
    FileEnd,
}

/// Classifies a key case-insensitively. Readers cache the answer per spelling, since a
/// statement uses a few dozen spellings over millions of lines.
fn classify(key: &str) -> KeyClass {
    static FIELDS: OnceLock<HashMap<String, Field>> = OnceLock::new();
    let k = key.to_lowercase();
    let marker = match k.as_str() {
        "1cclientbankexchange" => Some(MarkerKind::Signature),
        "секциярасчсчет" => Some(MarkerKind::AccountStart),
        "конецрасчсчет" => Some(MarkerKind::AccountEnd),
        "секциядокумент" => Some(MarkerKind::DocumentStart),
        "конецдокумента" => Some(MarkerKind::DocumentEnd),
        "конецфайла" => Some(MarkerKind::FileEnd),
        _ => None,
    };
    if let Some(m) = marker {
        return KeyClass::Marker(m);
    }
    let fields = FIELDS.get_or_init(|| {
        FIELD_KEYS
            .iter()
            .map(|(k, f)| (k.to_lowercase(), *f))
            .collect()
    });
    fields
        .get(&k)
        .map_or(KeyClass::Other, |f| KeyClass::Field(*f))
}

/// A section marker line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Marker {
    Signature,
    AccountStart,
    AccountEnd,
    DocumentStart,
    DocumentEnd,
    FileEnd,
}

/// A document being read: its start line and the fields seen so far (its kind, after
/// `СекцияДокумент=`, is not kept: the model has no use for it). One is reused from
/// document to document, so the values' buffers are allocated once.
struct OpenDocument {
    line: u32,
    fields: [Slot; FIELD_COUNT],
    /// A line of it could not be read (too long): the document is skipped, and why.
    damaged: Option<(u32, String)>,
}

/// One field's value as read (decoded), and its line; `set` when the document has it.
/// The purpose also keeps its Windows-1251 bytes as written (`raw`, when `raw_ok`): the
/// payment keeps those rather than the decoded text, which takes more room.
#[derive(Default)]
struct Slot {
    value: String,
    line: u32,
    set: bool,
    raw: Vec<u8>,
    raw_ok: bool,
}

impl OpenDocument {
    fn new(line: u32) -> Self {
        OpenDocument {
            line,
            fields: std::array::from_fn(|_| Slot::default()),
            damaged: None,
        }
    }
    /// Starts another document in this one's buffers.
    fn reset(&mut self, line: u32) {
        self.line = line;
        self.damaged = None;
        for f in &mut self.fields {
            f.set = false;
        }
    }
    fn get(&self, f: Field) -> Option<&str> {
        let slot = &self.fields[f as usize];
        Some(slot.value.trim()).filter(|v| slot.set && !v.is_empty())
    }
    fn line_of(&self, f: Field) -> u32 {
        let slot = &self.fields[f as usize];
        if slot.set { slot.line } else { self.line }
    }
}

/// A balance section (`СекцияРасчСчет`): the account's balances and turnovers over an interval.
#[derive(Debug, Clone, Default)]
struct Balance {
    line: u32,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    account: Option<String>,
    opening: Option<Decimal>,
    credited: Option<Decimal>,
    debited: Option<Decimal>,
    closing: Option<Decimal>,
}

enum State {
    Header,
    Account(Balance),
    Document(Box<OpenDocument>),
    Ended,
}

/// Reads a statement. Fails only when the text cannot be read at all.
pub fn read(bytes: &[u8], file: FileId) -> Result<FileRead, FileError> {
    read_sized(bytes, file, bytes.len() as u64)
}

/// How much of a statement is read to tell its encoding, and then read at a time: the
/// whole file is never in memory (a year of statements is gigabytes).
const CHUNK: usize = 1 << 20;

/// The longest line a statement may have. The longest real value, a purpose, is 210
/// characters; a longer line is damage (a file that lost its line breaks, binary data),
/// and holding it would let one line take the memory a whole statement needs.
pub const MAX_LINE: usize = 1 << 20;

/// Reads a statement from a stream, a chunk at a time. Fails only when the text cannot
/// be read at all (or the stream fails).
pub fn read_from(src: impl std::io::Read, file: FileId) -> Result<FileRead, FileError> {
    read_chunked(src, file, CHUNK, CHUNK, 0)
}

/// The fewest bytes a real statement spends on a document (the shortest in the corpus
/// take about 700): a file's size over it bounds how many documents it holds.
const MIN_DOCUMENT_BYTES: u64 = 512;

/// [`read_from`] for a stream of about `size` bytes (a file's length): room for its
/// documents is made once, instead of growing (and copying them) as they come.
pub fn read_sized(src: impl std::io::Read, file: FileId, size: u64) -> Result<FileRead, FileError> {
    read_chunked(src, file, CHUNK, CHUNK, size)
}

/// [`read_from`] with the encoding told from the first `head` bytes and the rest read
/// `chunk` bytes at a time (small sizes in tests, to cut lines and CRLF pairs anywhere).
fn read_chunked(
    src: impl std::io::Read,
    file: FileId,
    head: usize,
    chunk: usize,
    size: u64,
) -> Result<FileRead, FileError> {
    read_lines(src, file, head, chunk, size, Part::Whole)?.finish()
}

fn io_error(e: std::io::Error) -> FileError {
    FileError {
        line: None,
        message: format!("cannot be read: {e}"),
    }
}

/// The encoding the file declares (`Кодировка=`), the one its bytes are in, and the
/// length of its byte-order mark, from its first bytes.
fn sniff_head(head: &[u8]) -> (Option<TextEncoding>, TextEncoding, usize) {
    let hint = declared_encoding(head);
    let (enc, bom) = encoding::sniff(head, KNOWN_WORDS, hint);
    (hint, enc, bom)
}

/// Where a stream given to [`read_lines`] is in its file.
#[derive(Clone, Copy)]
enum Part {
    /// The whole file: its encodings are told from its first bytes.
    Whole,
    /// A part of a file read in parts (see [`read_file`]), in the encodings its first
    /// bytes tell (the declared one, the one the bytes are in); the first part starts
    /// with the file's byte-order mark, if any.
    Of {
        hint: Option<TextEncoding>,
        encoding: TextEncoding,
        bom: usize,
        first: bool,
    },
}

/// Feeds the stream's lines to a reader and returns it unfinished.
fn read_lines(
    mut src: impl std::io::Read,
    file: FileId,
    head: usize,
    chunk: usize,
    size: u64,
    part: Part,
) -> Result<Reader, FileError> {
    let mut buf: Vec<u8> = Vec::with_capacity(head.max(chunk) + 4096);
    let mut eof = fill(&mut src, &mut buf, head).map_err(io_error)?;
    let (hint, encoding, bom, first) = match part {
        Part::Whole => {
            let (hint, encoding, bom) = sniff_head(&buf);
            (hint, encoding, bom, true)
        }
        Part::Of {
            hint,
            encoding,
            bom,
            first,
        } => (hint, encoding, bom, first),
    };
    buf.drain(..bom.min(buf.len()));
    let mut r = Reader::new(file, encoding);
    r.declared = hint;
    if !first {
        // The middle of a file: its content has begun, under its header.
        r.first_content_line = Some(0);
        r.signature = true;
    }
    // Room a document leaves unused is address space, not memory: pages are taken
    // only when written.
    r.payments
        .reserve(usize::try_from(size / MIN_DOCUMENT_BYTES).unwrap_or(0));
    let mut line_no: u32 = 0;
    // A line longer than MAX_LINE being skipped: its number, length so far, first bytes.
    let mut overlong: Option<(u32, usize, Vec<u8>)> = None;
    loop {
        // Whole lines of the buffer; a line (or a CR that may start a CRLF) cut by the
        // chunk's end waits for the next chunk.
        let mut start = 0;
        while start < buf.len() {
            let Some(i) = memchr::memchr2(b'\n', b'\r', &buf[start..]).map(|i| start + i) else {
                break;
            };
            if buf[i] == b'\r' && i + 1 == buf.len() && !eof {
                break;
            }
            let skip = if buf[i] == b'\r' && buf.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            end_line(&mut r, &mut line_no, &mut overlong, &buf[start..i]);
            start = i + skip;
        }
        buf.drain(..start);
        // No line end in more than MAX_LINE bytes: the line is skipped as it streams by.
        if buf.len() > MAX_LINE && !eof {
            let keep = usize::from(buf.last() == Some(&b'\r'));
            let gone = buf.len() - keep;
            match &mut overlong {
                Some((_, len, _)) => *len += gone,
                None => {
                    line_no = line_no.saturating_add(1);
                    overlong = Some((line_no, gone, buf[..200].to_vec()));
                }
            }
            buf.drain(..gone);
        }
        if eof {
            // The last line, without a line end.
            if overlong.is_some() || !buf.is_empty() {
                end_line(&mut r, &mut line_no, &mut overlong, &buf);
            }
            break;
        }
        eof = fill(&mut src, &mut buf, chunk).map_err(io_error)?;
    }
    Ok(r)
}

/// Below this many bytes a part is not worth a thread of its own.
const MIN_PART: u64 = 8 << 20;

/// How far past a planned cut a document's start is looked for.
const CUT_WINDOW: usize = 4 << 20;

/// Reads a statement file. A big one is read in parts on all cores: each part starts at
/// a `СекцияДокумент` line, and the parts are joined as if read in one pass (documents,
/// sections, warnings and line numbers the same). A file whose parts do not join
/// cleanly (a cut inside a section, a second header in the middle) is read again in one
/// pass, so the result never depends on how it was cut.
pub fn read_file(path: &std::path::Path, file: FileId) -> Result<FileRead, FileError> {
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    let parts = crate::par::threads_for_tasks(usize::try_from(size / MIN_PART).unwrap_or(1));
    read_file_in(path, file, parts)
}

/// [`read_file`] in about `parts` parts, whatever the file's size (tests cut small files).
pub fn read_file_in(
    path: &std::path::Path,
    file: FileId,
    parts: usize,
) -> Result<FileRead, FileError> {
    match read_in_parts(path, file, parts)? {
        Some(read) => Ok(read),
        None => {
            let f = std::fs::File::open(path).map_err(io_error)?;
            let size = f.metadata().map_err(io_error)?.len();
            read_sized(f, file, size)
        }
    }
}

/// The file read in parts, or `None` when it is not cut (too few parts asked, no place
/// to cut) or its parts do not join cleanly: then it is to be read in one pass.
fn read_in_parts(
    path: &std::path::Path,
    file: FileId,
    parts: usize,
) -> Result<Option<FileRead>, FileError> {
    if parts < 2 {
        return Ok(None);
    }
    let open = || std::fs::File::open(path).map_err(io_error);
    let mut f = open()?;
    let size = f.metadata().map_err(io_error)?.len();
    // Every part is read in the encoding the file's start tells.
    let mut head = Vec::with_capacity(CHUNK);
    fill(&mut f, &mut head, CHUNK).map_err(io_error)?;
    let (hint, encoding, bom) = sniff_head(&head);
    drop(head);
    let cuts = cuts(&mut f, size, parts, encoding).map_err(io_error)?;
    if cuts.len() < 3 {
        return Ok(None);
    }
    let read_part = |k: usize| -> Result<Reader, FileError> {
        use std::io::{Read, Seek, SeekFrom};
        let (from, to) = (cuts[k], cuts[k + 1]);
        let mut f = open()?;
        f.seek(SeekFrom::Start(from)).map_err(io_error)?;
        let part = Part::Of {
            hint,
            encoding,
            bom: if k == 0 { bom } else { 0 },
            first: k == 0,
        };
        read_lines(f.take(to - from), file, CHUNK, CHUNK, to - from, part)
    };
    let mut parts = crate::par::each(cuts.len() - 1, read_part).into_iter();
    let Some(first) = parts.next() else {
        return Ok(None);
    };
    let mut whole = first?;
    for part in parts {
        if !whole.join(part?) {
            return Ok(None);
        }
    }
    whole.finish().map(Some)
}

/// Where to cut a file of `size` bytes in `encoding` into about `parts` parts: 0, the
/// start of the first `СекцияДокумент` line after each even share, and `size`. Fewer
/// cuts where no such line is found.
fn cuts(
    f: &mut std::fs::File,
    size: u64,
    parts: usize,
    encoding: TextEncoding,
) -> std::io::Result<Vec<u64>> {
    use std::io::{Read, Seek, SeekFrom};
    let mut marker = b"\n".to_vec();
    marker.extend_from_slice(&encoding.encode("СекцияДокумент="));
    let mut cuts = vec![0];
    let mut window = Vec::new();
    for k in 1..parts as u64 {
        let at = size / parts as u64 * k;
        if at <= *cuts.last().unwrap_or(&0) {
            continue;
        }
        f.seek(SeekFrom::Start(at))?;
        window.clear();
        // A document starts every kilobyte or so: the window grows (up to CUT_WINDOW)
        // only while no marker is in it.
        let mut want = CUT_WINDOW.min(64 << 10);
        loop {
            let had = window.len();
            f.by_ref()
                .take((want - had) as u64)
                .read_to_end(&mut window)?;
            if let Some(i) = memchr::memmem::find(&window, &marker) {
                cuts.push(at + i as u64 + 1);
                break;
            }
            if window.len() < want || want >= CUT_WINDOW {
                break;
            }
            want = (want * 4).min(CUT_WINDOW);
        }
    }
    cuts.push(size);
    cuts.dedup();
    Ok(cuts)
}

/// Hands one whole line to the reader: the end of a line whose start was already dropped
/// as too long, or a line longer than [`MAX_LINE`], goes to `overlong_line`; any other
/// line to `line_bytes`.
fn end_line(
    r: &mut Reader,
    line_no: &mut u32,
    overlong: &mut Option<(u32, usize, Vec<u8>)>,
    line: &[u8],
) {
    match overlong.take() {
        Some((no, len, head)) => r.overlong_line(no, len + line.len(), &head),
        None => {
            *line_no = line_no.saturating_add(1);
            if line.len() > MAX_LINE {
                r.overlong_line(*line_no, line.len(), &line[..200]);
            } else {
                r.line_bytes(*line_no, line);
            }
        }
    }
    r.last_line = *line_no;
}

/// Reads up to `want` more bytes into `buf`; true at the end of the stream.
fn fill(src: &mut impl std::io::Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    let mut chunk = [0u8; 64 * 1024];
    while buf.len() < target {
        let room = (target - buf.len()).min(chunk.len());
        let n = match src.read(&mut chunk[..room]) {
            Ok(0) => return Ok(true),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(false)
}

/// The `Кодировка=` value, read from the first lines as plain bytes.
fn declared_encoding(bytes: &[u8]) -> Option<TextEncoding> {
    // `Кодировка` in Windows-1251, CP866 and UTF-8.
    let keys: [&[u8]; 3] = [
        b"\xCA\xEE\xE4\xE8\xF0\xEE\xE2\xEA\xE0=",
        b"\x8A\xAE\xA4\xA8\xE0\xAE\xA2\xAA\xA0=",
        "Кодировка=".as_bytes(),
    ];
    let head = &bytes[..bytes.len().min(2048)];
    for line in head.split(|&b| b == b'\n' || b == b'\r') {
        for k in keys {
            if let Some(v) = line.strip_prefix(k) {
                return TextEncoding::from_label(&String::from_utf8_lossy(v));
            }
        }
    }
    None
}

struct Reader {
    file: FileId,
    encoding: TextEncoding,
    declared: Option<TextEncoding>,
    state: State,
    signature: bool,
    first_content_line: Option<u32>,
    version: Option<String>,
    header_accounts: Vec<String>,
    balances: Vec<Balance>,
    /// The payments read, as the documents the file gives (all `Document::Payment`).
    payments: Vec<Document>,
    /// Parties, shared, and found by their fields' text (see [`Reader::side`]).
    parties: crate::model::PartyPool,
    /// The last document's buffers, for the next one.
    spare: Option<Box<OpenDocument>>,
    skipped: usize,
    warnings: Vec<Warning>,
    known_keys: usize,
    file_end: bool,
    last_line: u32,
    trailing_after_end: Option<u32>,
    keys: HashMap<String, KeyClass>,
    /// Keys as the file's bytes spell them: their class and whether they are Cyrillic.
    raw_keys: rustc_hash::FxHashMap<Box<[u8]>, (KeyClass, bool)>,
    /// `ДатаСоздания` and `ВремяСоздания`: when the bank wrote the file.
    created: Option<NaiveDate>,
    created_time: Option<chrono::NaiveTime>,
    /// A warning's text names a line (damage: an unclosed section, an overlong line):
    /// a part read on its own cannot renumber it, so the file is read in one pass.
    lines_in_messages: bool,
}

impl Reader {
    fn new(file: FileId, encoding: TextEncoding) -> Self {
        Reader {
            file,
            encoding,
            declared: None,
            state: State::Header,
            signature: false,
            first_content_line: None,
            version: None,
            header_accounts: Vec::new(),
            balances: Vec::new(),
            payments: Vec::new(),
            parties: Default::default(),
            spare: None,
            skipped: 0,
            warnings: Vec::new(),
            known_keys: 0,
            file_end: false,
            last_line: 0,
            trailing_after_end: None,
            keys: HashMap::new(),
            raw_keys: rustc_hash::FxHashMap::default(),
            created: None,
            created_time: None,
            lines_in_messages: false,
        }
    }

    /// Takes in the part of the file that follows this one, read by a reader of its own
    /// (see [`read_file`]): its lines are numbered on from this part's last line. False
    /// when the two cannot be joined as one pass would have read them: this part ends
    /// inside a section or after `КонецФайла`, or the next one has header lines, or ends
    /// inside a section itself.
    fn join(&mut self, next: Reader) -> bool {
        let clean_end = matches!(self.state, State::Header) && !self.file_end;
        let no_header = next.version.is_none()
            && next.header_accounts.is_empty()
            && next.created.is_none()
            && next.created_time.is_none();
        let next_ends_clean =
            matches!(next.state, State::Header | State::Ended) && !next.lines_in_messages;
        if !(clean_end && no_header && next_ends_clean && self.first_content_line.is_some()) {
            return false;
        }
        let offset = self.last_line;
        let shift = |line: u32| line.saturating_add(offset);
        self.payments.extend(next.payments.into_iter().map(|mut d| {
            if let Document::Payment(p) = &mut d {
                p.prov.line = shift(p.prov.line);
            }
            d
        }));
        self.balances.extend(next.balances.into_iter().map(|mut b| {
            b.line = shift(b.line);
            b
        }));
        self.warnings.extend(next.warnings.into_iter().map(|mut w| {
            w.line = w.line.map(shift);
            w
        }));
        self.skipped += next.skipped;
        self.known_keys += next.known_keys;
        self.state = next.state;
        self.file_end = next.file_end;
        // (The first text after an end is the one reported, as in one pass.)
        self.trailing_after_end = self
            .trailing_after_end
            .or(next.trailing_after_end.map(shift));
        self.last_line = shift(next.last_line);
        true
    }

    /// The class of a key, cached per spelling.
    fn class_of(&mut self, key: &str) -> KeyClass {
        if let Some(c) = self.keys.get(key) {
            return *c;
        }
        let c = classify(key);
        // Garbage lines are keys too; do not let a hostile file grow the cache without end.
        if self.keys.len() < 4096 {
            self.keys.insert(key.to_string(), c);
        }
        c
    }

    /// The class of a key as the file's bytes spell it (and whether it is a Cyrillic
    /// key), cached per spelling: the bytes are decoded once per spelling, not per line.
    fn class_of_bytes(&mut self, key: &[u8]) -> (KeyClass, bool) {
        if let Some(c) = self.raw_keys.get(key) {
            return *c;
        }
        let decoded = self.encoding.decode(key);
        let key_text = decoded.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        let c = (self.class_of(key_text), is_cyrillic_key(key_text));
        if self.raw_keys.len() < 4096 {
            self.raw_keys.insert(key.into(), c);
        }
        c
    }

    /// One line as the file's bytes: the lines of a document's fields (nearly all of a
    /// statement) are read without decoding anything but the values sverka keeps; other
    /// lines are decoded and read as text.
    fn line_bytes(&mut self, no: u32, raw: &[u8]) {
        let bytes = raw.trim_ascii();
        if bytes.is_empty()
            || self.first_content_line.is_none()
            || matches!(self.state, State::Ended | State::Account(_))
        {
            let text = self.encoding.decode(raw);
            self.line(no, &text);
            return;
        }
        let eq = memchr::memchr(b'=', bytes);
        let key = eq.map_or(bytes, |i| bytes[..i].trim_ascii());
        let (class, cyrillic) = self.class_of_bytes(key);
        // Section markers (two per document) without decoding.
        if let KeyClass::Marker(kind) = class {
            let m = match (kind, eq) {
                (MarkerKind::DocumentStart, _) => Some(Marker::DocumentStart),
                (MarkerKind::AccountStart, None) => Some(Marker::AccountStart),
                (MarkerKind::AccountEnd, None) => Some(Marker::AccountEnd),
                (MarkerKind::DocumentEnd, None) => Some(Marker::DocumentEnd),
                (MarkerKind::FileEnd, None) => Some(Marker::FileEnd),
                _ => None,
            };
            match m {
                Some(m) => self.marker(no, m),
                None => {
                    let text = self.encoding.decode(raw);
                    self.line(no, &text);
                }
            }
            return;
        }
        let (Some(eq), State::Document(_)) = (eq, &self.state) else {
            let text = self.encoding.decode(raw);
            self.line(no, &text);
            return;
        };
        match class {
            KeyClass::Marker(_) => {}
            KeyClass::Other => {
                if cyrillic {
                    self.known_keys += 1;
                }
            }
            KeyClass::Field(f) => {
                self.known_keys += 1;
                let encoding = self.encoding;
                let State::Document(doc) = &mut self.state else {
                    return;
                };
                let slot = &mut doc.fields[f as usize];
                if slot.set {
                    // Rare: compare the old value with the new one.
                    let value = encoding.decode(&bytes[eq + 1..]).into_owned();
                    if slot.value.trim() != value.trim() {
                        let key = encoding.decode(bytes[..eq].trim_ascii()).into_owned();
                        let message = format!(
                            "{} repeated inside the document: the last value {} is used",
                            key.trim(),
                            crate::text::quoted(&value)
                        );
                        slot.value = value;
                        slot.line = no;
                        slot.raw_ok = false;
                        self.warn(no, message);
                        return;
                    }
                }
                encoding.decode_into(&bytes[eq + 1..], &mut slot.value);
                slot.raw_ok = f == Field::Purpose && encoding == TextEncoding::Windows1251;
                if slot.raw_ok {
                    slot.raw.clear();
                    slot.raw.extend_from_slice(&bytes[eq + 1..]);
                }
                slot.line = no;
                slot.set = true;
            }
        }
    }

    /// A line longer than [`MAX_LINE`]: skipped with a warning; the document it is in (if
    /// any) cannot be trusted and is skipped too, counted.
    fn overlong_line(&mut self, no: u32, len: usize, head: &[u8]) {
        if self.first_content_line.is_none() {
            self.first_content_line = Some(no);
        }
        let decoded = self.encoding.decode(&head[..head.len().min(120)]);
        let start: String = decoded.chars().take(40).collect();
        self.lines_in_messages = true;
        let what = format!(
            "line {no} is {len} bytes long, more than the {} MiB a statement line may have \
             (it starts {start:?}…): the file has lost its line breaks or holds something else \
             there; export the statement again",
            MAX_LINE >> 20
        );
        match &mut self.state {
            State::Document(doc) => {
                if doc.damaged.is_none() {
                    doc.damaged = Some((no, what));
                }
            }
            _ => self.warn(no, format!("{what}; the line is skipped")),
        }
    }

    fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.warnings.push(Warning::at(self.file, line, message));
    }

    fn line(&mut self, no: u32, text: &str) {
        let text = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        if text.is_empty() {
            return;
        }
        if self.first_content_line.is_none() {
            self.first_content_line = Some(no);
        }
        let (key, value) = match text.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v)),
            None => (text, None),
        };
        let class = self.class_of(key);
        if matches!(self.state, State::Ended) {
            // Two statements pasted into one file: read the second one too.
            let restarts = matches!(
                class,
                KeyClass::Marker(
                    MarkerKind::Signature | MarkerKind::DocumentStart | MarkerKind::AccountStart
                )
            );
            if !restarts {
                self.trailing_after_end.get_or_insert(no);
                return;
            }
            self.warn(
                no,
                "another statement follows КонецФайла: it is read as well",
            );
            self.state = State::Header;
            self.file_end = false;
            if class == KeyClass::Marker(MarkerKind::Signature) {
                return;
            }
        }
        if let KeyClass::Marker(kind) = class {
            let m = match (kind, value) {
                (MarkerKind::DocumentStart, _) => Some(Marker::DocumentStart),
                (_, Some(_)) => None,
                (MarkerKind::Signature, None) => Some(Marker::Signature),
                (MarkerKind::AccountStart, None) => Some(Marker::AccountStart),
                (MarkerKind::AccountEnd, None) => Some(Marker::AccountEnd),
                (MarkerKind::DocumentEnd, None) => Some(Marker::DocumentEnd),
                (MarkerKind::FileEnd, None) => Some(Marker::FileEnd),
            };
            if let Some(m) = m {
                self.marker(no, m);
                return;
            }
        }
        let Some(value) = value else {
            let shown: String = text.chars().take(60).collect();
            self.warn(
                no,
                format!("line is not Key=Value and not a section marker, skipped: {shown:?}"),
            );
            return;
        };
        match &mut self.state {
            State::Document(doc) => {
                if let KeyClass::Field(f) = class {
                    self.known_keys += 1;
                    let slot = &mut doc.fields[f as usize];
                    let repeated = slot.set && slot.value.trim() != value.trim();
                    slot.value.clear();
                    slot.value.push_str(value);
                    slot.raw_ok = false;
                    slot.line = no;
                    slot.set = true;
                    if repeated {
                        self.warn(
                            no,
                            format!(
                                "{key} repeated inside the document: the last value {} is used",
                                crate::text::quoted(value)
                            ),
                        );
                    }
                } else if is_cyrillic_key(key) {
                    self.known_keys += 1;
                }
            }
            State::Account(bal) => {
                let k = key.to_lowercase();
                let v = value.trim();
                match k.as_str() {
                    "датаначала" => bal.start = parse_date(v),
                    "датаконца" => bal.end = parse_date(v),
                    "расчсчет" => {
                        bal.account = Some(v.to_string()).filter(|s| !s.is_empty())
                    }
                    "начальныйостаток" => bal.opening = parse_amount(v).ok(),
                    "всегопоступило" => bal.credited = parse_amount(v).ok(),
                    "всегосписано" => bal.debited = parse_amount(v).ok(),
                    "конечныйостаток" => bal.closing = parse_amount(v).ok(),
                    _ => {}
                }
                let amount_key = matches!(
                    k.as_str(),
                    "начальныйостаток" | "всегопоступило" | "всегосписано" | "конечныйостаток"
                );
                if amount_key && !v.is_empty() && parse_amount(v).is_err() {
                    self.warnings.push(Warning::at(
                        self.file,
                        no,
                        format!("{key}: {} is not an amount", crate::text::quoted(v)),
                    ));
                }
                if is_cyrillic_key(key) {
                    self.known_keys += 1;
                }
            }
            State::Header => self.header_key(no, key, value.trim()),
            State::Ended => {}
        }
    }

    fn header_key(&mut self, no: u32, key: &str, value: &str) {
        let k = key.to_lowercase();
        if is_cyrillic_key(key) {
            self.known_keys += 1;
        }
        match k.as_str() {
            "версияформата" => {
                if !matches!(value, "1.01" | "1.02" | "1.03") {
                    self.warn(
                        no,
                        format!(
                            "format version {}: only 1.01-1.03 are known; reading it the same way",
                            crate::text::quoted(value)
                        ),
                    );
                }
                self.version = Some(value.to_string());
            }
            "расчсчет" if !value.is_empty() && !self.header_accounts.iter().any(|a| a == value) =>
            {
                self.header_accounts.push(value.to_string());
            }
            "датасоздания" if parse_date(value).is_some() => {
                self.created = parse_date(value)
            }
            "времясоздания" => {
                self.created_time = chrono::NaiveTime::parse_from_str(value, "%H:%M:%S").ok();
            }
            "датаначала" | "датаконца" | "датасоздания"
                if !value.is_empty() && parse_date(value).is_none() =>
            {
                self.warn(
                    no,
                    format!(
                        "{key}: {} is not a date; ignored",
                        crate::text::quoted(value)
                    ),
                );
            }
            _ => {}
        }
    }

    fn marker(&mut self, no: u32, m: Marker) {
        // A new section or the end of the file closes an open one.
        let closing_document = matches!(
            m,
            Marker::DocumentStart | Marker::AccountStart | Marker::FileEnd | Marker::Signature
        );
        if closing_document {
            match std::mem::replace(&mut self.state, State::Header) {
                State::Document(doc) => {
                    self.lines_in_messages = true;
                    self.warn(
                        doc.line,
                        format!(
                            "document has no КонецДокумента; it is closed by the next marker at line {no} and kept"
                        ),
                    );
                    self.finish_document(doc);
                }
                State::Account(bal) => {
                    self.lines_in_messages = true;
                    self.warn(
                        bal.line,
                        format!("СекцияРасчСчет has no КонецРасчСчет; it is closed by the next marker at line {no}"),
                    );
                    self.balances.push(bal);
                }
                other => self.state = other,
            }
        }
        match m {
            Marker::Signature => {
                if self.signature || self.first_content_line != Some(no) {
                    self.warn(
                        no,
                        "1CClientBankExchange in the middle of the file: ignored",
                    );
                }
                self.signature = true;
            }
            Marker::AccountStart => {
                self.known_keys += 1;
                self.state = State::Account(Balance {
                    line: no,
                    ..Balance::default()
                });
            }
            Marker::AccountEnd => match std::mem::replace(&mut self.state, State::Header) {
                State::Account(bal) => self.balances.push(bal),
                State::Document(doc) => {
                    self.warn(
                        no,
                        "КонецРасчСчет inside a document: the document is closed here and kept",
                    );
                    self.finish_document(doc);
                }
                other => {
                    self.state = other;
                    self.warn(no, "КонецРасчСчет without СекцияРасчСчет: ignored");
                }
            },
            Marker::DocumentStart => {
                self.known_keys += 1;
                let doc = match self.spare.take() {
                    Some(mut doc) => {
                        doc.reset(no);
                        doc
                    }
                    None => Box::new(OpenDocument::new(no)),
                };
                self.state = State::Document(doc);
            }
            Marker::DocumentEnd => {
                match std::mem::replace(&mut self.state, State::Header) {
                    State::Document(doc) => self.finish_document(doc),
                    State::Account(bal) => {
                        self.warn(
                            no,
                            "КонецДокумента inside СекцияРасчСчет: the section is closed here",
                        );
                        self.balances.push(bal);
                    }
                    other => {
                        self.state = other;
                        self.warn(no, "КонецДокумента without СекцияДокумент (a repeated end marker?): ignored");
                    }
                }
            }
            Marker::FileEnd => {
                self.known_keys += 1;
                self.file_end = true;
                self.state = State::Ended;
            }
        }
    }

    fn finish_document(&mut self, doc: Box<OpenDocument>) {
        if let Some((line, why)) = &doc.damaged {
            self.skipped += 1;
            self.warn(*line, format!("document skipped: {why}"));
            self.spare = Some(doc);
            return;
        }
        match self.payment(&doc) {
            Ok(p) => self.payments.push(Document::Payment(p)),
            Err((line, message)) => {
                self.skipped += 1;
                self.warn(line, format!("document skipped: {message}"));
            }
        }
        self.spare = Some(doc);
    }

    fn payment(&mut self, doc: &OpenDocument) -> Result<Payment, (u32, String)> {
        let date = match doc.get(Field::Date) {
            None => return Err((doc.line, "it has no Дата".into())),
            Some(v) => parse_date(v).ok_or((
                doc.line_of(Field::Date),
                format!("Дата {} is not a date", crate::text::quoted(v)),
            ))?,
        };
        let amount = match doc.get(Field::Amount) {
            None => return Err((doc.line, "it has no Сумма".into())),
            Some(v) => {
                let line = doc.line_of(Field::Amount);
                let a = parse_amount(v)
                    .map_err(|e| (line, format!("Сумма {}: {e}", crate::text::quoted(v))))?;
                if a.is_sign_negative() || a.is_zero() {
                    return Err((
                        line,
                        format!("Сумма {} is not a positive amount", crate::text::quoted(v)),
                    ));
                }
                a
            }
        };
        let mut date_field = |f: Field, name: &str| -> Option<NaiveDate> {
            let v = doc.get(f)?;
            let d = parse_date(v);
            if d.is_none() {
                self.warnings.push(Warning::at(
                    self.file,
                    doc.line_of(f),
                    format!("{name} {} is not a date; ignored", crate::text::quoted(v)),
                ));
            }
            d
        };
        let debited = date_field(Field::Debited, "ДатаСписано");
        let credited = date_field(Field::Credited, "ДатаПоступило");
        let purpose: crate::model::Purpose = match doc.get(Field::Purpose) {
            Some(p) => {
                let slot = &doc.fields[Field::Purpose as usize];
                if slot.raw_ok {
                    crate::model::Purpose::from_windows_1251(trim_1251(&slot.raw))
                } else {
                    p.into()
                }
            }
            None => [
                Field::Purpose1,
                Field::Purpose2,
                Field::Purpose3,
                Field::Purpose4,
                Field::Purpose5,
                Field::Purpose6,
            ]
            .iter()
            .filter_map(|f| doc.get(*f))
            .collect::<Vec<_>>()
            .join(" ")
            .into(),
        };
        Ok(Payment {
            number: doc.get(Field::Number).unwrap_or("").into(),
            date,
            credited,
            debited,
            amount,
            currency: crate::model::Shared::rub(),
            payer: self.side(
                doc,
                [
                    Field::Payer1,
                    Field::Payer,
                    Field::PayerInn,
                    Field::PayerKpp,
                    Field::PayerAccount,
                    Field::PayerSettlement,
                    Field::PayerBic,
                ],
            ),
            payee: self.side(
                doc,
                [
                    Field::Payee1,
                    Field::Payee,
                    Field::PayeeInn,
                    Field::PayeeKpp,
                    Field::PayeeAccount,
                    Field::PayeeSettlement,
                    Field::PayeeBic,
                ],
            ),
            purpose,
            direction: None,
            more: None,
            status: crate::model::Status::Active,
            prov: Provenance {
                file: self.file,
                line: doc.line,
            },
        })
    }

    /// One side of the document, shared with every other document of the file that
    /// writes it the same way (looked up by its fields' text, before any is parsed).
    fn side(&mut self, doc: &OpenDocument, f: [Field; 7]) -> std::sync::Arc<Party> {
        self.parties
            .by_texts(f.map(|field| doc.get(field).unwrap_or("")), || side(doc, f))
    }

    fn finish(mut self) -> Result<FileRead, FileError> {
        if self.first_content_line.is_none() {
            return Err(FileError {
                line: None,
                message: "the file is empty".into(),
            });
        }
        if self.known_keys == 0 {
            return Err(FileError {
                line: None,
                message: format!(
                    "the statement's keys are unreadable in {} (its Cyrillic letters are lost, \
                     for example replaced by U+FFFD by a lossy conversion): export it from the bank again",
                    self.encoding.name()
                ),
            });
        }
        match std::mem::replace(&mut self.state, State::Ended) {
            State::Document(doc) => {
                self.skipped += 1;
                self.warn(
                    doc.line,
                    "the file ends inside this document (no КонецДокумента): the document is dropped; the file may be cut off",
                );
            }
            State::Account(bal) => {
                self.warn(
                    bal.line,
                    "the file ends inside СекцияРасчСчет (no КонецРасчСчет)",
                );
                self.balances.push(bal);
            }
            _ => {}
        }
        if !self.file_end {
            let line = self.last_line.max(1);
            self.warn(
                line,
                "statement ends without КонецФайла: the file may be cut off",
            );
        }
        if let Some(line) = self.trailing_after_end {
            self.warn(line, "text after КонецФайла: ignored");
        }
        if !self.signature {
            let line = self.first_content_line.unwrap_or(1);
            self.warn(
                line,
                "no 1CClientBankExchange header: documents are read, their direction is judged by the accounts of the other statements or by their dates",
            );
        }
        if let (Some(declared), true) = (self.declared, self.encoding != TextEncoding::Utf8)
            && declared != self.encoding
        {
            self.warnings.push(Warning::file(
                self.file,
                format!(
                    "Кодировка says {} but the bytes are {}; read as {}",
                    declared.name(),
                    self.encoding.name(),
                    self.encoding.name()
                ),
            ));
        }
        self.check_balances();
        let mut accounts = self.header_accounts.clone();
        for b in &self.balances {
            if let Some(a) = &b.account
                && !accounts.contains(a)
            {
                accounts.push(a.clone());
            }
        }
        let mut out = FileRead::new(Format::ClientBank, Some(self.encoding));
        out.version = self.version;
        out.accounts = accounts;
        out.documents = self.payments;
        out.skipped = self.skipped;
        out.warnings = self.warnings;
        out.exported = self
            .created
            .map(|d| d.and_time(self.created_time.unwrap_or_default()));
        Ok(out)
    }

    /// Balance arithmetic per section, continuity between sections of one account, and
    /// turnovers against the documents. Inconsistencies are warnings, never errors.
    fn check_balances(&mut self) {
        let mut warnings = Vec::new();
        for b in &self.balances {
            if let (Some(o), Some(c), Some(d), Some(cl)) =
                (b.opening, b.credited, b.debited, b.closing)
                && o + c - d != cl
            {
                warnings.push(Warning::at(
                        self.file,
                        b.line,
                        format!(
                            "balances do not add up: НачальныйОстаток {} + ВсегоПоступило {} - ВсегоСписано {} != КонечныйОстаток {}",
                            plain(o),
                            plain(c),
                            plain(d),
                            plain(cl)
                        ),
                    ));
            }
        }
        let mut by_account: HashMap<&str, Vec<&Balance>> = HashMap::new();
        for b in &self.balances {
            if let (Some(a), Some(_)) = (&b.account, b.start) {
                by_account.entry(a.as_str()).or_default().push(b);
            }
        }
        let mut accounts: Vec<&&str> = by_account.keys().collect();
        accounts.sort();
        let payments = self.payments.iter().filter_map(|d| match d {
            Document::Payment(p) => Some(p),
            _ => None,
        });
        let flows = Flows::new(payments, &accounts);
        for account in accounts {
            let mut secs = by_account[*account].clone();
            secs.sort_by_key(|b| (b.start, b.line));
            secs.dedup_by_key(|b| (b.start, b.end, b.opening, b.closing));
            for w in secs.windows(2) {
                if let (Some(prev), Some(next)) = (w[0].closing, w[1].opening)
                    && prev != next
                {
                    warnings.push(Warning::at(
                            self.file,
                            w[1].line,
                            format!(
                                "НачальныйОстаток {} differs from the previous section's КонечныйОстаток {} (account {account})",
                                plain(next),
                                plain(prev)
                            ),
                        ));
                }
            }
            // Turnovers against the documents, summed over the account's sections: one
            // warning per account, since an excerpt of a statement fails every section.
            let (mut stated_in, mut stated_out, mut docs_in, mut docs_out) =
                (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
            let mut differing: Vec<u32> = Vec::new();
            let sections = secs.len();
            for b in secs {
                let (Some(start), Some(end)) = (b.start, b.end.or(b.start)) else {
                    continue;
                };
                let inflow = flows.sum(account, true, start, end);
                let outflow = flows.sum(account, false, start, end);
                let mut differs = false;
                if let Some(c) = b.credited {
                    stated_in += c;
                    docs_in += inflow;
                    differs |= c != inflow;
                }
                if let Some(d) = b.debited {
                    stated_out += d;
                    docs_out += outflow;
                    differs |= d != outflow;
                }
                if differs {
                    differing.push(b.line);
                }
            }
            if !differing.is_empty() && self.file_end {
                warnings.push(Warning::at(
                    self.file,
                    differing[0],
                    format!(
                        "account {account}: the balance sections state turnovers in {} / out {}, \
                         the documents sum to in {} / out {} ({} of {sections} section(s) differ): \
                         documents may be missing from the statement",
                        plain(stated_in),
                        plain(stated_out),
                        plain(docs_in),
                        plain(docs_out),
                        differing.len()
                    ),
                ));
            }
        }
        self.warnings.extend(warnings);
    }
}

/// Documents' money per account and direction, sorted by cash date with running sums,
/// so each balance section's turnover is two binary searches.
struct Flows {
    /// (account, incoming) → (dates, running sums).
    by_account: HashMap<(String, bool), (Vec<NaiveDate>, Vec<Decimal>)>,
}

impl Flows {
    fn new<'a>(payments: impl Iterator<Item = &'a Payment>, accounts: &[&&str]) -> Self {
        let mut lists: HashMap<(String, bool), Vec<(NaiveDate, Decimal)>> = HashMap::new();
        for account in accounts {
            for incoming in [true, false] {
                lists.insert((account.to_string(), incoming), Vec::new());
            }
        }
        for p in payments {
            for (side, incoming) in [(&p.payee, true), (&p.payer, false)] {
                let mut seen: Option<&str> = None;
                for a in side.accounts() {
                    if seen == Some(a) {
                        continue;
                    }
                    seen = Some(a);
                    if let Some(list) = lists.get_mut(&(a.to_string(), incoming)) {
                        let date = if incoming {
                            p.credited.or(p.debited)
                        } else {
                            p.debited.or(p.credited)
                        };
                        list.push((date.unwrap_or(p.date), p.amount));
                    }
                }
            }
        }
        let by_account = lists
            .into_iter()
            .map(|(k, mut v)| {
                v.sort();
                let mut sums = Vec::with_capacity(v.len() + 1);
                sums.push(Decimal::ZERO);
                let mut running = Decimal::ZERO;
                for (_, amount) in &v {
                    running += *amount;
                    sums.push(running);
                }
                (k, (v.into_iter().map(|(d, _)| d).collect(), sums))
            })
            .collect();
        Flows { by_account }
    }

    /// The money that reached (`incoming`) or left the account with cash dates in `start..=end`.
    fn sum(&self, account: &str, incoming: bool, start: NaiveDate, end: NaiveDate) -> Decimal {
        let Some((dates, sums)) = self.by_account.get(&(account.to_string(), incoming)) else {
            return Decimal::ZERO;
        };
        let lo = dates.partition_point(|d| *d < start);
        let hi = dates.partition_point(|d| *d <= end);
        if hi <= lo {
            Decimal::ZERO
        } else {
            sums[hi] - sums[lo]
        }
    }
}

fn is_cyrillic_key(key: &str) -> bool {
    key.chars()
        .next()
        .is_some_and(|c| matches!(c, 'А'..='я' | 'Ё' | 'ё'))
}

/// Windows-1251 bytes without the white space `str::trim` would take off the decoded text
/// (ASCII white space, and the no-break space 0xA0, the only other byte that decodes to
/// white space).
fn trim_1251(bytes: &[u8]) -> &[u8] {
    let space = |b: &u8| matches!(b, b'\t'..=b'\r' | b' ' | 0xA0);
    let start = bytes.iter().position(|b| !space(b)).unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !space(b))
        .map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// One side of the document from its fields: name, composite name, INN, KPP, accounts, BIC.
fn side(doc: &OpenDocument, f: [Field; 7]) -> Party {
    let [name1, composite, inn, kpp, account, settlement, bic] = f;
    let composite = doc.get(composite).map(split_composite);
    let name = doc
        .get(name1)
        .map(str::to_string)
        .or_else(|| composite.as_ref().map(|(_, n)| n.to_string()))
        .unwrap_or_default();
    let inn = doc.get(inn).and_then(clean_inn).or_else(|| {
        composite
            .as_ref()
            .and_then(|(i, _)| i.as_deref().and_then(clean_inn))
    });
    let text = |f: Field| doc.get(f).map(str::to_string);
    Party {
        name,
        inn,
        kpp: doc.get(kpp).and_then(clean_kpp),
        account: text(account),
        settlement_account: text(settlement),
        bic: text(bic),
    }
}

/// Splits a composite `Плательщик` value: `ИНН 7700000001 ООО Ромашка`,
/// `7700000001, ООО Ромашка`, `ИНН 7700000001\770001001 ООО Ромашка` or just a name.
fn split_composite(value: &str) -> (Option<String>, Cow<'_, str>) {
    let s = value.trim();
    let rest = s
        .strip_prefix("ИНН")
        .or_else(|| s.strip_prefix("инн"))
        .map(str::trim_start)
        .unwrap_or(s);
    let digits_end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    if digits_end == 10 || digits_end == 12 {
        let inn = rest[..digits_end].to_string();
        let mut tail = &rest[digits_end..];
        if let Some(t) = tail.strip_prefix('\\').or_else(|| tail.strip_prefix('/')) {
            let kpp_end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
            tail = &t[kpp_end..];
        }
        let name = tail.trim_start_matches([',', ';', ' ']).trim();
        return (Some(inn), Cow::Borrowed(name));
    }
    (None, Cow::Borrowed(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_1251_takes_off_what_trim_takes_off_the_decoded_text() {
        for b in 0..=255u8 {
            let byte = [b];
            let text = encoding_rs::WINDOWS_1251
                .decode_without_bom_handling(&byte)
                .0;
            assert_eq!(
                trim_1251(&byte).is_empty(),
                text.trim().is_empty(),
                "byte {b:#x}"
            );
        }
        let bytes = b"\xa0 \xce\xef\xeb\xe0\xf2\xe0\xa0\xef\xee \xf1\xf7. 45\t\r\xa0";
        let decoded = encoding_rs::WINDOWS_1251
            .decode_without_bom_handling(bytes)
            .0;
        let kept = crate::model::Purpose::from_windows_1251(trim_1251(bytes));
        assert_eq!(kept.text(), decoded.trim());
        assert_eq!(kept.text(), "Оплата\u{a0}по сч. 45");
    }

    /// Reading in chunks of any size (cutting lines and CRLF pairs anywhere) gives what
    /// reading the whole file gives.
    #[test]
    fn chunks_of_any_size_read_the_same() {
        let text = "1CClientBankExchange\r\nВерсияФормата=1.03\r\nКодировка=Windows\r\n\
                    РасчСчет=40702810400000012345\r\nСекцияДокумент=Платежное поручение\r\n\
                    Номер=1\r\nДата=01.03.2024\r\nСумма=100.00\r\nПлательщикИНН=7707083893\r\n\
                    ПолучательСчет=40702810400000012345\r\nНазначениеПлатежа=Оплата по сч. 45\r\n\
                    КонецДокумента\rСекцияДокумент=Платежное поручение\nНомер=2\nДата=02.03.2024\n\
                    Сумма=200.00\nКонецДокумента\r\nКонецФайла";
        let bytes = encoding_rs::WINDOWS_1251.encode(text).0.into_owned();
        let whole = read(&bytes, 0).unwrap();
        assert_eq!(whole.documents.len(), 2);
        for chunk in 1..40 {
            let parts = read_chunked(&bytes[..], 0, 60, chunk, 0).unwrap();
            assert_eq!(parts.documents, whole.documents, "chunk {chunk}");
            assert_eq!(parts.warnings, whole.warnings, "chunk {chunk}");
        }
    }
    use rust_decimal_macros::dec;

    fn read_str(text: &str) -> FileRead {
        read(text.as_bytes(), 0).expect("readable")
    }

    fn payments(r: &FileRead) -> Vec<&Payment> {
        r.documents
            .iter()
            .filter_map(|d| match d {
                Document::Payment(p) => Some(p),
                _ => None,
            })
            .collect()
    }

    /// Reading a file in parts (cut at `СекцияДокумент` lines, on several threads) gives
    /// exactly what one pass gives: documents, warnings and their lines, counts.
    fn same_in_parts(bytes: &[u8], what: &str, must_cut: bool) {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("kl_to_1c.txt");
        std::fs::write(&path, bytes).expect("written");
        let whole = read(bytes, 3);
        for parts in 2..=5 {
            // A clean file is read in parts; a damaged one may be read again in one pass.
            let joined = read_in_parts(&path, 3, parts).is_ok_and(|r| r.is_some());
            assert!(
                joined || !must_cut,
                "{what}, {parts} parts: not read in parts"
            );
            let cut = read_file_in(&path, 3, parts);
            match (&whole, &cut) {
                (Ok(w), Ok(c)) => assert!(c == w, "{what}, {parts} parts: {c:?} vs {w:?}"),
                (Err(w), Err(c)) => assert_eq!(c.message, w.message, "{what}, {parts} parts"),
                _ => panic!(
                    "{what}, {parts} parts: {:?} vs {:?}",
                    whole.is_ok(),
                    cut.is_ok()
                ),
            }
        }
    }

    /// A statement of `n` documents, some with a bad date (a warning with its line), an
    /// account section in the middle, and `tail` at the end.
    fn long_statement(n: usize, newline: &str, middle: &str, tail: &str) -> String {
        let mut text = String::from(HEAD);
        for i in 0..n {
            if i == n / 2 {
                text.push_str(middle);
            }
            let date = if i % 37 == 5 {
                "31.02.2024"
            } else {
                "29.03.2024"
            };
            text.push_str(&format!(
                "СекцияДокумент=Платежное поручение\nНомер={i}\nДата={date}\nСумма={}.50\n\
                 ПлательщикСчет=40702810900000000002\nПлательщикИНН=7707083893\n\
                 ПолучательСчет=40702810000000000001\nДатаПоступило=01.04.2024\n\
                 НазначениеПлатежа=Оплата по сч. № {i} от 12.03.24\nКонецДокумента\n",
                100 + i
            ));
        }
        text.push_str(tail);
        text.replace('\n', newline)
    }

    #[test]
    fn a_cut_is_found_past_a_long_stretch_without_documents() {
        use std::io::Write;
        let marker = "\nСекцияДокумент=";
        let enc = |t: &str| TextEncoding::Windows1251.encode(t).to_vec();
        // 1 MiB of filler, the planned cut in its middle, the next document 512 KiB on.
        let mut bytes = vec![b'x'; 1 << 20];
        bytes.extend(enc(marker));
        bytes.extend(vec![b'y'; 100]);
        let size = bytes.len() as u64;
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&bytes).unwrap();
        let found = cuts(&mut f, size, 2, TextEncoding::Windows1251).unwrap();
        assert_eq!(found, vec![0, (1 << 20) + 1, size]);
        // No document within the window past a planned cut: no cut there.
        let mut far = vec![b'x'; (CUT_WINDOW * 2) + 10];
        far.extend(enc(marker));
        let size = far.len() as u64;
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(&far).unwrap();
        // (Planned cuts at a quarter, a half and three quarters: only the last one has
        // the document within CUT_WINDOW after it.)
        let document = (CUT_WINDOW as u64 * 2) + 10 + 1;
        assert_eq!(
            cuts(&mut f, size, 4, TextEncoding::Windows1251).unwrap(),
            vec![0, document, size]
        );
    }

    #[test]
    fn parts_read_the_same_as_one_pass() {
        let section = "СекцияРасчСчет\nДатаНачала=01.03.2024\nРасчСчет=40702810000000000001\n\
                       НачальныйОстаток=0\nВсегоПоступило=1\nВсегоСписано=0\nКонечныйОстаток=1\n\
                       КонецРасчСчет\n";
        let cp1251 = |t: &str| encoding_rs::WINDOWS_1251.encode(t).0.into_owned();
        let normal = long_statement(400, "\n", section, "КонецФайла\n");
        same_in_parts(&cp1251(&normal), "LF", true);
        same_in_parts(
            &cp1251(&long_statement(400, "\r\n", section, "КонецФайла\r\n")),
            "CRLF",
            true,
        );
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend_from_slice(
            normal
                .replace("Кодировка=Windows", "Кодировка=UTF-8")
                .as_bytes(),
        );
        same_in_parts(&utf8, "UTF-8 with a BOM", true);
        // Damage at any place a cut may fall: a document left open, a second statement
        // pasted after the end, a file cut off inside a document, a header line in the
        // middle.
        let open_doc = "СекцияДокумент=Платежное поручение\nНомер=999\nДата=29.03.2024\nСумма=5\n";
        same_in_parts(
            &cp1251(&long_statement(400, "\n", open_doc, "КонецФайла\n")),
            "open document",
            false,
        );
        let pasted = format!(
            "КонецФайла\nтекст после конца\n{}",
            long_statement(200, "\n", "", "КонецФайла\n")
        );
        same_in_parts(
            &cp1251(&long_statement(200, "\n", "", &pasted)),
            "two statements",
            false,
        );
        same_in_parts(
            &cp1251(&long_statement(400, "\n", "", open_doc)),
            "cut off",
            false,
        );
        let header = "ВерсияФормата=1.02\nРасчСчет=40702810000000000009\nДатаСоздания=01.04.2024\n";
        same_in_parts(
            &cp1251(&long_statement(400, "\n", header, "КонецФайла\n")),
            "header inside",
            false,
        );
        same_in_parts(&cp1251("1CClientBankExchange\n"), "no documents", false);
        // UTF-8 in the first half, Windows-1251 in the second: every part is read in the
        // encoding the start of the whole file tells, not the one its own bytes tell.
        let mut mixed = long_statement(100, "\n", "", "").into_bytes();
        let first_half = mixed.len();
        mixed.extend(cp1251(
            &long_statement(100, "\n", "", "КонецФайла\n")[HEAD.len()..],
        ));
        let (_, alone, _) = sniff_head(&mixed[..first_half]);
        let (_, whole, _) = sniff_head(&mixed);
        assert_ne!(alone, whole, "the halves tell different encodings");
        same_in_parts(&mixed, "two encodings", false);
    }

    const HEAD: &str = "1CClientBankExchange\nВерсияФормата=1.03\nКодировка=Windows\nРасчСчет=40702810000000000001\n";
    const DOC: &str = "СекцияДокумент=Платежное поручение\nНомер=17\nДата=29.03.2024\nСумма=20000\n\
ПлательщикСчет=40702810900000000002\nПлательщикИНН=7707083893\nПлательщик1=ООО \"Ромашка\"\n\
ПолучательСчет=40702810000000000001\nДатаПоступило=01.04.2024\nНазначениеПлатежа=Оплата по сч. № 45 от 12.03.24\n";

    /// A line longer than MAX_LINE is skipped as it streams by (never held whole): the
    /// document it is in is skipped and counted, a line between documents only warned
    /// about; whatever the chunk size, with or without a line end after it.
    #[test]
    fn overlong_lines_are_skipped_with_the_document_they_are_in() {
        let long = "Ж".repeat(MAX_LINE / 2 + 10); // more than MAX_LINE bytes in UTF-8
        let doc2 = DOC.replace("Номер=17", "Номер=18");
        let text = format!(
            "{HEAD}{}Назначение={long}\nКонецДокумента\n{long}\n{doc2}КонецДокумента\nКонецФайла\n",
            DOC.replace("НазначениеПлатежа=Оплата по сч. № 45 от 12.03.24\n", "")
        );
        for chunk in [CHUNK, 4096, 333] {
            let r = read_chunked(text.as_bytes(), 0, 4096, chunk, 0).expect("readable");
            let p = payments(&r);
            assert_eq!(p.len(), 1, "chunk {chunk}");
            assert_eq!(p[0].number, "18");
            assert_eq!(r.skipped, 1);
            assert_eq!(r.warnings.len(), 2, "{:?}", r.warnings);
            let first = &r.warnings[0];
            assert_eq!(first.line, Some(14));
            assert!(
                first.message.starts_with(
                    "document skipped: line 14 is 1048617 bytes long, more than the 1 MiB"
                ),
                "{}",
                first.message
            );
            assert!(first.message.len() < 400, "{}", first.message);
            assert_eq!(r.warnings[1].line, Some(16));
            assert!(r.warnings[1].message.ends_with("the line is skipped"));
        }
        // At the very end of the file, without a line end.
        let text = format!("{HEAD}{DOC}КонецДокумента\n{long}");
        let r = read_chunked(text.as_bytes(), 0, 4096, 4096, 0).expect("readable");
        assert_eq!(payments(&r).len(), 1);
        assert!(
            r.warnings
                .iter()
                .any(|w| w.line == Some(16) && w.message.contains("bytes long"))
        );
    }

    #[test]
    fn reads_a_document_with_its_sides_dates_and_purpose() {
        let r = read_str(&format!("{HEAD}{DOC}КонецДокумента\nКонецФайла\n"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let p = payments(&r)[0];
        assert_eq!(p.number, "17");
        assert_eq!(p.amount, dec!(20000.00));
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2024, 3, 29).unwrap());
        assert_eq!(p.credited, NaiveDate::from_ymd_opt(2024, 4, 1));
        assert_eq!(p.payer.inn.as_deref(), Some("7707083893"));
        assert_eq!(p.payer.name, "ООО \"Ромашка\"");
        assert_eq!(&*p.purpose.text(), "Оплата по сч. № 45 от 12.03.24");
        assert_eq!(p.prov.line, 5);
        assert_eq!(r.accounts, vec!["40702810000000000001"]);
        assert_eq!(r.version.as_deref(), Some("1.03"));
    }

    #[test]
    fn keys_are_case_insensitive_and_split_on_the_first_equals() {
        let doc = "СекцияДокумент=Платежное поручение\nномер=1\nдата=01.04.2024\nсУММА=5.5\n\
НазначениеПлатежа=НДС-465000= {53=33798.03}\nКонецДокумента\n";
        let r = read_str(&format!("{HEAD}{doc}КонецФайла"));
        let p = payments(&r)[0];
        assert_eq!(p.amount, dec!(5.50));
        assert_eq!(&*p.purpose.text(), "НДС-465000= {53=33798.03}");
    }

    #[test]
    fn purpose_from_numbered_lines_when_the_full_one_is_missing() {
        let doc = "СекцияДокумент=Платежное требование\nНомер=1\nДата=01.04.2024\nСумма=10\n\
НазначениеПлатежа1=Комиссия за ведение счета\nНазначениеПлатежа2= НДС не облагается\nКонецДокумента\n";
        let r = read_str(&format!("{HEAD}{doc}КонецФайла\n"));
        assert_eq!(
            &*payments(&r)[0].purpose.text(),
            "Комиссия за ведение счета НДС не облагается"
        );
    }

    #[test]
    fn a_document_torn_off_by_the_end_of_file_is_dropped_with_a_warning() {
        let r = read_str(&format!("{HEAD}{DOC}КонецДокумента\n{DOC}"));
        assert_eq!(payments(&r).len(), 1);
        assert_eq!(r.skipped, 1);
        let msgs: Vec<String> = r
            .warnings
            .iter()
            .map(|w| format!("{:?}:{}", w.line, w.message))
            .collect();
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("Some(16):the file ends inside this document")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("without КонецФайла")),
            "{msgs:?}"
        );
    }

    #[test]
    fn a_document_closed_by_the_next_marker_is_kept_with_a_warning() {
        let r = read_str(&format!("{HEAD}{DOC}{DOC}КонецДокумента\nКонецФайла\n"));
        assert_eq!(payments(&r).len(), 2);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert_eq!(r.warnings[0].line, Some(5));
    }

    #[test]
    fn garbage_lines_and_repeated_end_markers_are_skipped_with_warnings() {
        let r = read_str(&format!(
            "{HEAD}{DOC}КонецДокумента\n\"Левая строка\"\nКонецДокумента\nКонецФайла\n"
        ));
        assert_eq!(payments(&r).len(), 1);
        let lines: Vec<Option<u32>> = r.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, vec![Some(16), Some(17)]);
    }

    #[test]
    fn a_bad_amount_skips_the_document_and_names_the_value() {
        let doc = DOC.replace("Сумма=20000", "Сумма=20 000 руб");
        let r = read_str(&format!("{HEAD}{doc}КонецДокумента\nКонецФайла\n"));
        assert_eq!(payments(&r).len(), 0);
        assert_eq!(r.skipped, 1);
        assert!(
            r.warnings[0].message.contains("\"20 000 руб\""),
            "{:?}",
            r.warnings
        );
        assert_eq!(r.warnings[0].line, Some(8));
    }

    #[test]
    fn windows_1251_and_cp866_files_decode_whatever_they_declare() {
        let text =
            format!("{HEAD}{DOC}КонецДокумента\nКонецФайла\n").replace("Ромашка", "Ромашка №1");
        for enc in [encoding_rs::WINDOWS_1251, encoding_rs::IBM866] {
            let declared = if enc == encoding_rs::IBM866 {
                "Windows"
            } else {
                "DOS"
            };
            let t = text.replace("Кодировка=Windows", &format!("Кодировка={declared}"));
            let bytes = enc.encode(&t).0;
            let r = read(&bytes, 0).unwrap();
            assert_eq!(payments(&r)[0].payer.name, "ООО \"Ромашка №1\"");
        }
        let mut bom = encoding::BOM.to_vec();
        bom.extend_from_slice(text.replace("Windows", "DOS").as_bytes());
        let r = read(&bom, 0).unwrap();
        assert_eq!(r.encoding, Some(TextEncoding::Utf8));
        assert_eq!(payments(&r).len(), 1);
    }

    #[test]
    fn a_file_whose_keys_are_unreadable_is_refused() {
        let text = format!("{HEAD}{DOC}КонецДокумента\nКонецФайла\n");
        let broken: String = text
            .chars()
            .map(|c| if c.is_ascii() { c } else { '\u{FFFD}' })
            .collect();
        let err = read(broken.as_bytes(), 0).unwrap_err();
        assert!(err.message.contains("unreadable"), "{}", err.message);
    }

    #[test]
    fn a_second_statement_after_the_end_is_read_too() {
        let one = format!("{HEAD}{DOC}КонецДокумента\nКонецФайла\n");
        let two = one.replace("Номер=17", "Номер=18");
        let r = read_str(&format!("{one}{two}"));
        assert_eq!(payments(&r).len(), 2);
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].message.contains("another statement"));
        let r = read_str(&format!("{one}просто текст\n"));
        assert_eq!(r.warnings[0].message, "text after КонецФайла: ignored");
    }

    #[test]
    fn composite_names_carry_the_inn() {
        assert_eq!(
            split_composite("ИНН 7707083893 ООО Ромашка"),
            (Some("7707083893".into()), "ООО Ромашка".into())
        );
        assert_eq!(
            split_composite("7707083893, ООО Ромашка"),
            (Some("7707083893".into()), "ООО Ромашка".into())
        );
        assert_eq!(
            split_composite("ИНН 7707083893\\770701001 ООО Ромашка"),
            (Some("7707083893".into()), "ООО Ромашка".into())
        );
        assert_eq!(split_composite("Петров Петр"), (None, "Петров Петр".into()));
    }

    #[test]
    fn balances_that_do_not_add_up_are_reported() {
        let sec = "СекцияРасчСчет\nДатаНачала=01.04.2024\nДатаКонца=30.04.2024\nРасчСчет=40702810000000000001\n\
НачальныйОстаток=100\nВсегоПоступило=20000\nВсегоСписано=0\nКонечныйОстаток=20000\nКонецРасчСчет\n";
        let r = read_str(&format!("{HEAD}{sec}{DOC}КонецДокумента\nКонецФайла\n"));
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(r.warnings[0].message.starts_with("balances do not add up"));
        let sec_ok = sec.replace("НачальныйОстаток=100", "НачальныйОстаток=0");
        let r = read_str(&format!("{HEAD}{sec_ok}{DOC}КонецДокумента\nКонецФайла\n"));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let sec_bad_turnover = sec_ok
            .replace("ВсегоПоступило=20000", "ВсегоПоступило=30000")
            .replace("КонечныйОстаток=20000", "КонечныйОстаток=30000");
        let r = read_str(&format!(
            "{HEAD}{sec_bad_turnover}{DOC}КонецДокумента\nКонецФайла\n"
        ));
        assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
        assert!(
            r.warnings[0]
                .message
                .contains("sum to in 20000.00 / out 0.00"),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn sniffs_statements_with_and_without_header() {
        assert!(sniff(HEAD.as_bytes()));
        assert!(sniff(encoding_rs::WINDOWS_1251.encode(DOC).0.as_ref()));
        assert!(!sniff("Номер;Дата;Сумма\n".as_bytes()));
    }
}
