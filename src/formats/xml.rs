//! XML read safely into a small tree, for the CommerceML and EnterpriseData readers.
//!
//! 1C writes XML in Windows-1251 or UTF-8; quick-xml cannot decode Windows-1251, so the
//! bytes are decoded here first (BOM, then the prolog's `encoding`, with the bytes
//! winning over a wrong declaration). The tree keeps local names only (namespaces and
//! prefixes vary between 1C versions and sites), the text of each element, its
//! attributes and the line it starts on. A reader may take chosen parts (each
//! `Документ`, say) as soon as they are read instead of keeping them in the tree
//! ([`parse_units`]), so that it holds one document at a time.
//!
//! Hostile files are refused with a clear error: entities other than XML's five
//! predefined ones and character references are never expanded (no "billion laughs",
//! no external entities), nesting deeper than [`MAX_DEPTH`] stops the parse, so do more
//! than [`MAX_ELEMENTS`] elements in all (the tree is held in memory) and more than
//! [`MAX_ATTRIBUTES`] attributes on one element, and malformed XML is reported with its
//! line and column.

use super::FileError;
use super::encoding::{BOM, TextEncoding};
use crate::model::Text;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;
use std::borrow::Cow;

/// How deep elements may nest. Real exports stay under 15.
pub const MAX_DEPTH: usize = 100;

/// How many elements a file may hold in all: a whole tree is kept in memory (some 150
/// bytes an element) unless the reader takes its documents as they come, and a year of
/// a busy site's orders stays under 5 million.
pub const MAX_ELEMENTS: usize = 10_000_000;

/// How many attributes one element may have. 1C writes a few; checking each new one
/// against the earlier ones is quadratic, so thousands would stall the parse.
pub const MAX_ATTRIBUTES: usize = 1000;

/// An element: its local name, attributes, text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name (`Документ` for `<cml:Документ>`).
    pub name: Text,
    /// Attributes by local name, unescaped.
    pub attrs: Vec<(Text, Text)>,
    /// The element's own text (character data and CDATA), unescaped, untrimmed.
    /// (Names and most texts, numbers, dates and codes, fit inline: no allocation each.)
    pub text: Text,
    pub children: Vec<Element>,
    /// The 1-based line the element starts on.
    pub line: u32,
}

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names (`["Контрагенты", "Контрагент"]`).
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |e, n| e.child(n))
    }

    /// The trimmed text of the child at this path, when it is not empty.
    pub fn text_at(&self, names: &[&str]) -> Option<&str> {
        self.path(names)
            .map(|e| e.text.trim())
            .filter(|t| !t.is_empty())
    }

    /// The trimmed text of this element, when it is not empty.
    pub fn value(&self) -> Option<&str> {
        Some(self.text.trim()).filter(|t| !t.is_empty())
    }

    /// An attribute's value by local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every element below this one (depth first), this one excluded.
    pub fn descendants(&self) -> Vec<&Element> {
        let mut out = Vec::new();
        let mut stack: Vec<&Element> = self.children.iter().rev().collect();
        while let Some(e) = stack.pop() {
            out.push(e);
            stack.extend(e.children.iter().rev());
        }
        out
    }
}

/// Decodes an XML file's bytes: a BOM means UTF-8; then the prolog's `encoding`; text
/// that is not valid in the declared encoding is read in the one that fits (1C has been
/// seen to write Windows-1251 and declare UTF-8). Returns the encoding and the text
/// without the BOM: UTF-8 as it lies in `bytes`, other encodings decoded.
pub fn decode(bytes: &[u8]) -> Result<(TextEncoding, Cow<'_, str>), FileError> {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(FileError {
            line: None,
            message: "the XML is in UTF-16: save the export in UTF-8 or Windows-1251".into(),
        });
    }
    if let Some(rest) = bytes.strip_prefix(BOM) {
        return Ok((TextEncoding::Utf8, String::from_utf8_lossy(rest)));
    }
    let declared = declared_encoding(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        // ASCII reads the same in any of the encodings: report what the file says.
        let encoding = match declared {
            Some(declared) if text.is_ascii() => declared,
            _ => TextEncoding::Utf8,
        };
        return Ok((encoding, Cow::Borrowed(text)));
    }
    let encoding = super::encoding::sniff(bytes, &[], declared).0;
    Ok((encoding, encoding.decode(bytes)))
}

/// The `encoding="…"` of the XML prolog, if any.
fn declared_encoding(bytes: &[u8]) -> Option<TextEncoding> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let decl = head.strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next()?;
    let value = rest[quote.len_utf8()..].split(quote).next()?;
    TextEncoding::from_label(value)
}

/// Byte offsets of line starts, to turn parser positions into lines and columns.
struct Lines {
    starts: Vec<usize>,
}

impl Lines {
    fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { starts }
    }

    /// The 1-based line of a byte offset.
    fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&s| s <= offset) as u32
    }

    /// [`Lines::line`] for offsets that only grow (the parser's events, in order):
    /// `cursor` keeps the last line found, and the search walks on from it.
    fn line_after(&self, cursor: &mut usize, offset: usize) -> u32 {
        if self.starts.get(*cursor).is_none_or(|&s| s > offset) {
            return self.line(offset);
        }
        while self.starts.get(*cursor + 1).is_some_and(|&s| s <= offset) {
            *cursor += 1;
        }
        *cursor as u32 + 1
    }

    /// 1-based line and column (in characters) of a byte offset: for messages only (the
    /// column is counted from the line's start, and a file may be one long line).
    fn at(&self, text: &str, offset: usize) -> (u32, u32) {
        let offset = offset.min(text.len());
        let line = self.line(offset);
        let start = self.starts[(line as usize).saturating_sub(1)];
        let column = text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        (line, column as u32)
    }
}

fn error_at(lines: &Lines, text: &str, offset: u64, message: impl std::fmt::Display) -> FileError {
    let (line, column) = lines.at(text, offset as usize);
    FileError {
        line: Some(line),
        message: format!("malformed XML at line {line}, column {column}: {message}"),
    }
}

/// A limit reached at an offset: the line and column, and what to do.
fn limit_at(lines: &Lines, text: &str, offset: u64, message: impl std::fmt::Display) -> FileError {
    let (line, column) = lines.at(text, offset as usize);
    FileError {
        line: Some(line),
        message: format!("at line {line}, column {column}: {message}"),
    }
}

fn element(start: &BytesStart, line: u32) -> Result<Element, String> {
    let name = local(start.name().as_ref());
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let value = a
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| format!("attribute {}: {e}", local(a.key.as_ref())))?;
        attrs.push((local(a.key.as_ref()), Text::from(value)));
    }
    Ok(Element {
        name,
        attrs,
        line,
        ..Element::default()
    })
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> Text {
    Text::from(name.rsplit(':').next().unwrap_or(name))
}

/// Parses decoded XML text into its root element.
pub fn parse(text: &str) -> Result<Element, FileError> {
    parse_limited(text, MAX_ELEMENTS, &mut NoUnits)
}

/// Parts of a file handed over one at a time as they are read (each `Документ` of an
/// export, say) instead of kept in the tree: a reader that takes what it needs from
/// each and drops it holds one document's subtree at a time, not the whole file's.
pub trait Units {
    /// Whether the element just closed (`element`, with its ancestors from the root
    /// down in `ancestors`) is a unit.
    fn is_unit(&self, ancestors: &[Element], element: &Element) -> bool;
    /// Takes a unit; `root` is the root as read so far (its attributes and line are
    /// whole, its children are those read before this unit that are not units).
    fn take(&mut self, root: &Element, unit: Element);
}

/// No units: the whole tree is kept.
struct NoUnits;

impl Units for NoUnits {
    fn is_unit(&self, _: &[Element], _: &Element) -> bool {
        false
    }
    fn take(&mut self, _: &Element, _: Element) {}
}

/// [`parse`] handing each unit to `units` as soon as it is read: the tree returned
/// holds everything else. The limits and errors are those of [`parse`]; units handed
/// over before an error stay handed over.
pub fn parse_units(text: &str, units: &mut impl Units) -> Result<Element, FileError> {
    parse_limited(text, MAX_ELEMENTS, units)
}

/// A finished element goes to its parent, or to `units` when it is one, or becomes the
/// root; `Err` gives it back when it would be a second root.
fn place(
    stack: &mut [Element],
    root: &mut Option<Element>,
    done: Element,
    units: &mut impl Units,
) -> Result<(), Element> {
    if stack.is_empty() {
        if root.is_some() {
            return Err(done);
        }
        *root = Some(done);
    } else if units.is_unit(stack, &done) {
        units.take(&stack[0], done);
    } else if let Some(parent) = stack.last_mut() {
        parent.children.push(done);
    }
    Ok(())
}

/// [`parse`] with at most `max_elements` elements (a small number in tests).
fn parse_limited(
    text: &str,
    max_elements: usize,
    units: &mut impl Units,
) -> Result<Element, FileError> {
    let lines = Lines::new(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut elements = 0usize;
    let mut line_cursor = 0;
    loop {
        let before = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| error_at(&lines, text, reader.error_position(), e))?;
        let line = lines.line_after(&mut line_cursor, before as usize);
        // An element as read, or why not. Attributes are counted first without quick-xml's
        // duplicate check, which compares each with every earlier one.
        let read = |s: &BytesStart| {
            if s.attributes().with_checks(false).count() > MAX_ATTRIBUTES {
                return Err(limit_at(
                    &lines,
                    text,
                    before,
                    format!(
                        "<{}> has more than {MAX_ATTRIBUTES} attributes, which no 1C export has: check that this is the export you meant",
                        local(s.name().as_ref())
                    ),
                ));
            }
            element(s, line).map_err(|m| error_at(&lines, text, before, m))
        };
        if matches!(event, Event::Start(_) | Event::Empty(_)) {
            elements += 1;
            if elements > max_elements {
                return Err(limit_at(
                    &lines,
                    text,
                    before,
                    format!(
                        "more than {max_elements} elements, too many to read whole: export a shorter period"
                    ),
                ));
            }
        }
        match event {
            Event::Start(s) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error_at(
                        &lines,
                        text,
                        before,
                        format!("elements nest deeper than {MAX_DEPTH} levels"),
                    ));
                }
                if root.is_some() && stack.is_empty() {
                    return Err(error_at(&lines, text, before, "a second root element"));
                }
                let e = read(&s)?;
                stack.push(e);
            }
            Event::Empty(s) => {
                let e = read(&s)?;
                if place(&mut stack, &mut root, e, units).is_err() {
                    return Err(error_at(&lines, text, before, "a second root element"));
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(error_at(
                        &lines,
                        text,
                        before,
                        "a closing tag without an opening one",
                    ));
                };
                // (A second root was refused where it started.)
                let _ = place(&mut stack, &mut root, done, units);
            }
            Event::Text(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.xml10_content());
                } else if !t.xml10_content().trim().is_empty() {
                    return Err(error_at(
                        &lines,
                        text,
                        before,
                        "text outside the root element",
                    ));
                }
            }
            Event::CData(t) => {
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    resolve_predefined_entity(&r.xml10_content()).map(String::from)
                };
                let Some(resolved) = resolved else {
                    return Err(error_at(
                        &lines,
                        text,
                        before,
                        format!(
                            "the entity &{}; is not one of XML's predefined ones; sverka does not expand entities",
                            r.xml10_content()
                        ),
                    ));
                };
                if let Some(e) = stack.last_mut() {
                    e.text.push_str(&resolved);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(FileError {
            line: Some(open.line),
            message: format!(
                "malformed XML: the file ends inside <{}> opened at line {}",
                open.name, open.line
            ),
        });
    }
    root.ok_or_else(|| FileError {
        line: None,
        message: "the XML has no root element".into(),
    })
}

/// The local name of the root element, read cheaply from the start of the text (for
/// format detection): `None` when the text does not start like XML.
pub fn root_name(bytes: &[u8]) -> Option<String> {
    let head = &bytes[..bytes.len().min(4096)];
    let head = head.strip_prefix(BOM).unwrap_or(head);
    let text: String = match std::str::from_utf8(head) {
        Ok(t) => t.to_string(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&head[..e.valid_up_to()]).into_owned()
        }
        Err(_) => TextEncoding::Windows1251.decode(head).into_owned(),
    };
    let mut rest = text.trim_start();
    if !rest.starts_with('<') {
        return None;
    }
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = &r[r.find("?>")? + 2..];
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = &r[r.find("-->")? + 3..];
        } else if let Some(r) = rest.strip_prefix("<!") {
            // A DOCTYPE's internal subset holds `>` of its own: skip to `]>`.
            let bracket = r.find('[');
            let close = r.find('>')?;
            rest = match bracket {
                Some(b) if b < close => {
                    let end = r[b..].find(']')? + b;
                    &r[end + r[end..].find('>')? + 1..]
                }
                _ => &r[close + 1..],
            };
        } else if let Some(r) = rest.strip_prefix('<') {
            let end = r.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
            return Some(local(&r[..end]).into());
        } else {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Element {
        parse(text).unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn lines_found_walking_on_are_those_found_by_search() {
        let text = "a\nbb\n\nccc\n";
        let lines = Lines::new(text);
        let mut cursor = 0;
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                lines.line_after(&mut cursor, offset),
                lines.line(offset),
                "{offset}"
            );
        }
        // An offset behind the cursor is still found.
        assert_eq!(lines.line_after(&mut cursor, 0), 1);
    }

    #[test]
    fn a_file_on_one_line_reads_in_one_pass() {
        // Each element's line is found without counting characters from the line's
        // start: 40 000 elements on one 1.3 MB line took quadratic time that way.
        let mut text = String::from("<Корень>");
        for i in 0..40_000 {
            text.push_str(&format!("<Документ><Номер>{i}</Номер></Документ>"));
        }
        text.push_str("</Корень>");
        let root = parse_ok(&text);
        assert_eq!(root.children.len(), 40_000);
        assert_eq!(root.children[39_999].line, 1);
        assert_eq!(root.children[39_999].text_at(&["Номер"]), Some("39999"));
    }

    #[test]
    fn local_names_text_attributes_and_lines() {
        let root = parse_ok(
            "<?xml version=\"1.0\"?>\n<ns:Корень xmlns:ns=\"urn:x\" a=\"1 &amp; 2\">\n  <ns:Документ>\n    <Номер>  45 </Номер>\n    <Пусто/>\n  </ns:Документ>\n</ns:Корень>\n",
        );
        assert_eq!(root.name, "Корень");
        assert_eq!(root.attr("a"), Some("1 & 2"));
        let doc = root.child("Документ").expect("child");
        assert_eq!(doc.line, 3);
        assert_eq!(doc.text_at(&["Номер"]), Some("45"));
        assert_eq!(doc.text_at(&["Пусто"]), None);
        assert!(doc.child("Пусто").is_some());
        assert_eq!(root.descendants().len(), 3);
    }

    #[test]
    fn predefined_and_character_references_are_read() {
        let root = parse_ok("<a>&lt;b&gt; &#1056;&#x43e; &quot;x&quot; &apos;</a>");
        assert_eq!(root.text, "<b> Ро \"x\" '");
    }

    #[test]
    fn entities_are_never_expanded() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">\n]>\n<lolz>&lol2;</lolz>\n";
        let err = parse(laughs).unwrap_err();
        assert_eq!(err.line, Some(6));
        assert!(
            err.message.contains("&lol2;") && err.message.contains("does not expand"),
            "{}",
            err.message
        );
        let xxe = "<!DOCTYPE a [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><a>&xxe;</a>";
        assert!(parse(xxe).unwrap_err().message.contains("&xxe;"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(parse(&deep).unwrap_err().message.contains("deeper than"));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn too_many_elements_are_refused_at_the_first_one_over() {
        let text = format!("<r>\n{}\n<b/>\n</r>", "<a/>".repeat(9));
        assert!(parse_limited(&text, 11, &mut NoUnits).is_ok());
        let err = parse_limited(&text, 10, &mut NoUnits).unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(
            err.message.contains("more than 10 elements"),
            "{}",
            err.message
        );
    }

    #[test]
    fn too_many_attributes_are_refused() {
        let attrs: String = (0..=MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"1\""))
            .collect();
        let err = parse(&format!("<r>\n<Документ{attrs}/></r>")).unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.message
                .contains("<Документ> has more than 1000 attributes"),
            "{}",
            err.message
        );
        let attrs: String = (0..MAX_ATTRIBUTES)
            .map(|i| format!(" a{i}=\"1\""))
            .collect();
        assert!(parse(&format!("<r{attrs}/>")).is_ok());
    }

    #[test]
    fn malformed_xml_gives_line_and_column() {
        let err = parse("<a>\n  <b>x</c>\n</a>").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("line 2, column"), "{}", err.message);
        let err = parse("<a>\n<b>").unwrap_err();
        assert!(err.message.contains("ends inside <b>"), "{}", err.message);
        assert!(parse("").is_err());
        assert!(parse("<a/><b/>").is_err());
    }

    #[test]
    fn decodes_by_bom_prolog_and_bytes() {
        let text = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><a>Ромашка</a>";
        let cp = encoding_rs::WINDOWS_1251.encode(text).0;
        assert_eq!(
            decode(&cp).unwrap(),
            (TextEncoding::Windows1251, Cow::Owned(text.to_string()))
        );
        // UTF-8 bytes that declare windows-1251: the bytes win.
        assert_eq!(decode(text.as_bytes()).unwrap().0, TextEncoding::Utf8);
        let mut bom = BOM.to_vec();
        bom.extend_from_slice(b"<a/>");
        assert_eq!(
            decode(&bom).unwrap(),
            (TextEncoding::Utf8, Cow::Borrowed("<a/>"))
        );
        // Windows-1251 bytes that declare UTF-8.
        let liar = encoding_rs::WINDOWS_1251
            .encode("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>Ромашка</a>")
            .0;
        assert_eq!(decode(&liar).unwrap().0, TextEncoding::Windows1251);
        assert!(decode(b"\xFF\xFE<\x00").is_err());
    }

    #[test]
    fn root_names_for_detection() {
        assert_eq!(root_name("<?xml version=\"1.0\"?>\n<!-- c -->\n<КоммерческаяИнформация ВерсияСхемы=\"2.08\">".as_bytes()).as_deref(), Some("КоммерческаяИнформация"));
        assert_eq!(
            root_name(b"<msg:Message xmlns:msg=\"x\">").as_deref(),
            Some("Message")
        );
        assert_eq!(root_name(b"hello"), None);
    }
}
