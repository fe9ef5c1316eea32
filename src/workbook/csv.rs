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
fn decode(bytes: &[u8]) -> (Cow<'_, str>, bool) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text, false);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => (Cow::Borrowed(s), false),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, true)
        }
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
