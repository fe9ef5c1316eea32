//! CSV as Excel and LibreOffice write it: `;` (French Excel), `,` or tab separators, chosen on
//! the header line; fields quoted with `"` may hold separators, `""` and line breaks; UTF-8 with or
//! without BOM, UTF-16 with BOM, and Windows-1252 when the bytes are not UTF-8. Every value is
//! text, exactly as typed (`01053` keeps its zero).
//!
//! A hand-written parser of a few dozen lines rather than the `csv` crate: it also has to pick
//! the separator, and the browser bundle stays smaller.

use std::borrow::Cow;

use super::{
    text_value, BookNote, CellValue, DateSystem, ErrorKind, Format, Sheet, SheetBuilder, Workbook,
    WorkbookError,
};

/// The sheet name given to a CSV file's only sheet: the converter looks for « Passages ».
pub const CSV_SHEET: &str = "Passages";

/// Decodes the bytes to text; `true` when Windows-1252 was assumed.
///
/// By hand rather than with encoding_rs: its decoder dispatch links every code page's tables
/// (≈ 100 Ko gzip in the page) for the three encodings a CSV from Excel can have.
fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return (String::from_utf8_lossy(rest), false);
    }
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| -> Cow<'_, str> {
        let units = rest.chunks_exact(2).map(|p| unit([p[0], p[1]]));
        let mut text: String = char::decode_utf16(units)
            .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
            .collect();
        if rest.len() % 2 == 1 {
            text.push(char::REPLACEMENT_CHARACTER);
        }
        Cow::Owned(text)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return (utf16(rest, u16::from_le_bytes), false);
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return (utf16(rest, u16::from_be_bytes), false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => (
            Cow::Owned(bytes.iter().map(|&b| windows_1252(b)).collect()),
            true,
        ),
    }
}

/// Windows-1252: Latin-1 but for 0x80–0x9F, where it puts €, œ, curly quotes, dashes…; its five
/// unassigned bytes map to the C1 controls of the same value, as the WHATWG decoder does.
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9F => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

/// The separator the header line uses most outside quotes: `;` (French Excel), `,`, or a tab
/// (Excel's « Texte Unicode » export); `;` when there is none or a tie.
fn separator(text: &str) -> char {
    let (mut semi, mut comma, mut tab, mut quoted) = (0, 0, 0, false);
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semi += 1,
            ',' if !quoted => comma += 1,
            '\t' if !quoted => tab += 1,
            '\n' | '\r' if !quoted => break,
            _ => {}
        }
    }
    if comma > semi && comma >= tab {
        ','
    } else if tab > semi && tab > comma {
        '\t'
    } else {
        ';'
    }
}

/// Splits the text into records of fields.
struct Records<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    sep: char,
}

impl Iterator for Records<'_> {
    type Item = Vec<String>;

    fn next(&mut self) -> Option<Vec<String>> {
        self.chars.peek()?;
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        while let Some(c) = self.chars.next() {
            if quoted {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        self.chars.next();
                        field.push('"');
                    } else {
                        quoted = false;
                    }
                } else {
                    field.push(c);
                }
            } else if c == '"' {
                // A quote opens a quoted part anywhere, as Excel reads `a"b;c"` leniently.
                quoted = true;
            } else if c == self.sep {
                fields.push(std::mem::take(&mut field));
            } else if c == '\n' || c == '\r' {
                if c == '\r' && self.chars.peek() == Some(&'\n') {
                    self.chars.next();
                }
                fields.push(field);
                return Some(fields);
            } else {
                field.push(c);
            }
        }
        // End of file, possibly inside an unclosed quote: keep what was read.
        fields.push(field);
        Some(fields)
    }
}

pub fn read(bytes: &[u8], name: &str) -> Result<Workbook, WorkbookError> {
    let (text, windows_1252) = decode(bytes);
    let sep = separator(&text);
    let records = Records {
        chars: text.chars().peekable(),
        sep,
    };
    let mut builder = SheetBuilder::new(CSV_SHEET, name);
    let mut total = 0;
    for (i, record) in records.enumerate() {
        let row = u32::try_from(i).unwrap_or(u32::MAX);
        if row >= super::limits::MAX_ROWS {
            return Err(WorkbookError::new(
                ErrorKind::TooLarge,
                format!(
                    "Le fichier « {name} » a plus de {} lignes, la limite d'un tableur : découpez-le en plusieurs fichiers",
                    super::limits::MAX_ROWS
                ),
            ));
        }
        for (column, field) in record.iter().enumerate() {
            let Some((value, notes)) = text_value(field) else {
                continue;
            };
            let column = u32::try_from(column).unwrap_or(u32::MAX);
            if column >= super::limits::MAX_COLUMNS {
                return Err(WorkbookError::new(
                    ErrorKind::TooLarge,
                    format!(
                        "La ligne {} du fichier « {name} » a plus de {} colonnes, la limite d'un tableur : vérifiez le séparateur (« ; » ou « , ») et les guillemets",
                        row + 1,
                        super::limits::MAX_COLUMNS
                    ),
                ));
            }
            debug_assert!(matches!(value, CellValue::Text(_)));
            builder.push(row, column, value, notes, &mut total)?;
        }
    }
    Ok(Workbook {
        date_system: DateSystem::Excel1900,
        sheets: vec![Sheet {
            name: CSV_SHEET.into(),
            rows: builder.finish(),
            hidden: false,
        }],
        format: Format::Csv,
        notes: if windows_1252 {
            vec![BookNote::Windows1252]
        } else {
            Vec::new()
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_1252_agrees_with_encoding_rs_on_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let (theirs, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&all);
        let ours: String = all.iter().map(|&b| windows_1252(b)).collect();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn utf16_with_a_bom_either_way_and_an_odd_byte() {
        let le: Vec<u8> = [0xFF, 0xFE, b'a', 0, 0xE9, 0].to_vec();
        assert_eq!(decode(&le).0, "aé");
        let be: Vec<u8> = [0xFE, 0xFF, 0, b'a', 0, 0xE9, 0x41].to_vec();
        assert_eq!(decode(&be).0, "aé\u{FFFD}");
        assert_eq!(decode(b"\xEF\xBB\xBFna\xC3\xAFf").0, "naïf");
        assert_eq!(decode(b"caf\xE9 \x80").0, "café €");
    }
}
