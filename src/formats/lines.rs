//! Splitting text into numbered lines the way real exports end them: `\r\n`, `\n`, or
//! a lone `\r` (both kinds can be mixed in one file), with or without a final newline.

/// Iterates over `(line number, line)` with the line ending removed. Line numbers are
/// 1-based, as editors and error messages show them.
pub fn numbered(bytes: &[u8]) -> Lines<'_> {
    Lines {
        rest: bytes,
        line: 0,
    }
}

pub struct Lines<'a> {
    rest: &'a [u8],
    line: u32,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (u32, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        self.line = self.line.saturating_add(1);
        let end = self.rest.iter().position(|&b| b == b'\n' || b == b'\r');
        let (line, rest) = match end {
            Some(i) => {
                let skip = if self.rest[i] == b'\r' && self.rest.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                (&self.rest[..i], &self.rest[i + skip..])
            }
            None => (self.rest, &self.rest[self.rest.len()..]),
        };
        self.rest = rest;
        Some((self.line, line))
    }
}

/// Splits one line into fields at `delimiter`; a field may be quoted with `"` (a `""`
/// inside is one quote), so `"91,6879"` is one field in a comma-delimited file.
pub fn split_record(line: &str, delimiter: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
        } else if c == '"' && field.trim().is_empty() {
            field.clear();
            quoted = true;
        } else if c == delimiter {
            fields.push(std::mem::take(&mut field));
        } else {
            field.push(c);
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_ending_and_no_final_newline() {
        let text = b"a\r\nb\nc\rd\r\n\r\ne";
        let lines: Vec<(u32, &[u8])> = numbered(text).collect();
        assert_eq!(
            lines,
            vec![
                (1, &b"a"[..]),
                (2, b"b"),
                (3, b"c"),
                (4, b"d"),
                (5, b""),
                (6, b"e")
            ]
        );
        assert_eq!(numbered(b"").count(), 0);
        assert_eq!(numbered(b"x\n").count(), 1);
    }
}
