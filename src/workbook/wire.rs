//! [`Streamed`] messages as bytes, so that one worker of the page can read a workbook while
//! another converts its rows: workers share no memory, and a message of bytes is handed over
//! without a copy (a transferred `ArrayBuffer`), where a JavaScript object of 10 000 cells
//! would be built field by field on one side and walked on the other.
//!
//! ```
//! use accrochage::workbook::{wire, Cell, CellValue, Row, Streamed};
//! let rows = vec![Row { number: 2, cells: vec![Cell { column: 0, value: CellValue::Number(1.5), notes: vec![] }] }];
//! let bytes = wire::encode(&Streamed::Rows(rows));
//! let Some(Streamed::Rows(back)) = wire::decode(&bytes) else { panic!() };
//! assert_eq!(back[0].number, 2);
//! ```
//!
//! The layout is ours and private to one version of the engine: both workers run the same
//! module. Numbers are little-endian; a text is its length (`u32`) then its UTF-8 bytes.

use super::{
    BookNote, CalendarDate, Cell, CellValue, DateSystem, Format, Row, Sheet, Streamed, TextNote,
    Workbook,
};

/// The bytes of one message.
pub fn encode(message: &Streamed) -> Vec<u8> {
    let mut out = Writer(Vec::new());
    match message {
        Streamed::Book { book, index } => {
            out.u8(0);
            out.u32(*index as u32);
            out.u8(match book.date_system {
                DateSystem::Excel1900 => 0,
                DateSystem::Excel1904 => 1,
            });
            out.u8(match book.format {
                Format::Xlsx => 0,
                Format::Xlsb => 1,
                Format::Xls => 2,
                Format::Ods => 3,
                Format::Csv => 4,
            });
            out.notes(&book.notes);
            out.u32(book.sheets.len() as u32);
            for sheet in &book.sheets {
                out.text(&sheet.name);
                out.u8(u8::from(sheet.hidden));
                out.rows(&sheet.rows);
            }
        }
        Streamed::Rows(rows) => {
            out.u8(1);
            out.rows(rows);
        }
        Streamed::End(notes) => {
            out.u8(2);
            out.notes(notes);
        }
        Streamed::Fallback => out.u8(3),
    }
    out.0
}

/// The message these bytes hold; `None` when they are not one [`encode`] wrote.
pub fn decode(bytes: &[u8]) -> Option<Streamed> {
    let mut r = Reader(bytes);
    let message = match r.u8()? {
        0 => {
            let index = r.u32()? as usize;
            let date_system = match r.u8()? {
                0 => DateSystem::Excel1900,
                1 => DateSystem::Excel1904,
                _ => return None,
            };
            let format = match r.u8()? {
                0 => Format::Xlsx,
                1 => Format::Xlsb,
                2 => Format::Xls,
                3 => Format::Ods,
                4 => Format::Csv,
                _ => return None,
            };
            let notes = r.notes()?;
            let count = r.count(6)?;
            let mut sheets = Vec::with_capacity(count);
            for _ in 0..count {
                let name = r.text()?;
                let hidden = r.flag()?;
                let rows = r.rows()?;
                sheets.push(Sheet { name, rows, hidden });
            }
            if index >= sheets.len() {
                return None;
            }
            let book = Workbook {
                date_system,
                sheets,
                format,
                notes,
            };
            Streamed::Book { book, index }
        }
        1 => Streamed::Rows(r.rows()?),
        2 => Streamed::End(r.notes()?),
        3 => Streamed::Fallback,
        _ => return None,
    };
    r.0.is_empty().then_some(message)
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    fn text(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }

    fn rows(&mut self, rows: &[Row]) {
        self.u32(rows.len() as u32);
        for row in rows {
            self.u32(row.number);
            self.u32(row.cells.len() as u32);
            for cell in &row.cells {
                self.cell(cell);
            }
        }
    }

    fn cell(&mut self, cell: &Cell) {
        self.u32(cell.column);
        match &cell.value {
            CellValue::Text(t) => {
                self.u8(0);
                self.text(t);
            }
            CellValue::Number(n) => {
                self.u8(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
            CellValue::Bool(b) => {
                self.u8(2);
                self.u8(u8::from(*b));
            }
            CellValue::Date(d) => {
                self.u8(3);
                self.date(d);
            }
            CellValue::DateTime(d, seconds) => {
                self.u8(4);
                self.date(d);
                self.u32(*seconds);
            }
            CellValue::Error(e) => {
                self.u8(5);
                self.text(e);
            }
        }
        self.u32(cell.notes.len() as u32);
        for note in &cell.notes {
            match note {
                TextNote::Trimmed => self.u8(0),
                TextNote::NonBreakingSpace => self.u8(1),
                TextNote::Normalized => self.u8(2),
                TextNote::IllegalXmlChar(c) => {
                    self.u8(3);
                    self.u32(u32::from(*c));
                }
                TextNote::LineBreak => self.u8(4),
                TextNote::RepeatedSpaces => self.u8(5),
                TextNote::InvisibleChar(c) => {
                    self.u8(6);
                    self.u32(u32::from(*c));
                }
                TextNote::TooLong { chars } => {
                    self.u8(7);
                    self.0.extend_from_slice(&(*chars as u64).to_le_bytes());
                }
                TextNote::FormulaWithoutValue => self.u8(8),
            }
        }
    }

    fn date(&mut self, d: &CalendarDate) {
        self.0.extend_from_slice(&d.year.to_le_bytes());
        self.u32(d.month);
        self.u32(d.day);
    }

    fn notes(&mut self, notes: &[BookNote]) {
        self.u32(notes.len() as u32);
        for note in notes {
            match note {
                BookNote::HiddenSheet { sheet } => {
                    self.u8(0);
                    self.text(sheet);
                }
                BookNote::MergedCells { sheet, range } => {
                    self.u8(1);
                    self.text(sheet);
                    self.text(range);
                }
                BookNote::Windows1252 => self.u8(2),
            }
        }
    }
}

/// The bytes left to read. Every read checks what is left: damaged bytes give `None`, never
/// a panic nor a huge allocation.
struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        let (head, rest) = self.0.split_first_chunk::<N>()?;
        self.0 = rest;
        Some(*head)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take::<1>().map(|b| b[0])
    }

    fn flag(&mut self) -> Option<bool> {
        match self.u8()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn u32(&mut self) -> Option<u32> {
        self.take().map(u32::from_le_bytes)
    }

    /// A count of items of at least `item_bytes` each: never more than the bytes left can hold,
    /// so that a damaged count cannot reserve gigabytes.
    fn count(&mut self, item_bytes: usize) -> Option<usize> {
        let n = self.u32()? as usize;
        (n.checked_mul(item_bytes)? <= self.0.len()).then_some(n)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.u32()? as usize;
        if len > self.0.len() {
            return None;
        }
        let (text, rest) = self.0.split_at(len);
        self.0 = rest;
        String::from_utf8(text.to_vec()).ok()
    }

    fn character(&mut self) -> Option<char> {
        char::from_u32(self.u32()?)
    }

    fn date(&mut self) -> Option<CalendarDate> {
        let year = i32::from_le_bytes(self.take()?);
        let (month, day) = (self.u32()?, self.u32()?);
        Some(CalendarDate { year, month, day })
    }

    fn rows(&mut self) -> Option<Vec<Row>> {
        let count = self.count(8)?;
        let mut rows = Vec::with_capacity(count);
        for _ in 0..count {
            let number = self.u32()?;
            let cells = self.count(9)?;
            let mut row = Row {
                number,
                cells: Vec::with_capacity(cells),
            };
            for _ in 0..cells {
                row.cells.push(self.cell()?);
            }
            rows.push(row);
        }
        Some(rows)
    }

    fn cell(&mut self) -> Option<Cell> {
        let column = self.u32()?;
        let value = match self.u8()? {
            0 => CellValue::Text(self.text()?),
            1 => CellValue::Number(f64::from_le_bytes(self.take()?)),
            2 => CellValue::Bool(self.flag()?),
            3 => CellValue::Date(self.date()?),
            4 => CellValue::DateTime(self.date()?, self.u32()?),
            5 => CellValue::Error(self.text()?),
            _ => return None,
        };
        let count = self.count(1)?;
        let mut notes = Vec::with_capacity(count);
        for _ in 0..count {
            notes.push(match self.u8()? {
                0 => TextNote::Trimmed,
                1 => TextNote::NonBreakingSpace,
                2 => TextNote::Normalized,
                3 => TextNote::IllegalXmlChar(self.character()?),
                4 => TextNote::LineBreak,
                5 => TextNote::RepeatedSpaces,
                6 => TextNote::InvisibleChar(self.character()?),
                7 => TextNote::TooLong {
                    chars: usize::try_from(u64::from_le_bytes(self.take()?)).ok()?,
                },
                8 => TextNote::FormulaWithoutValue,
                _ => return None,
            });
        }
        Some(Cell {
            column,
            value,
            notes,
        })
    }

    fn notes(&mut self) -> Option<Vec<BookNote>> {
        let count = self.count(1)?;
        let mut notes = Vec::with_capacity(count);
        for _ in 0..count {
            notes.push(match self.u8()? {
                0 => BookNote::HiddenSheet {
                    sheet: self.text()?,
                },
                1 => BookNote::MergedCells {
                    sheet: self.text()?,
                    range: self.text()?,
                },
                2 => BookNote::Windows1252,
                _ => return None,
            });
        }
        Some(notes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(column: u32, value: CellValue, notes: Vec<TextNote>) -> Cell {
        Cell {
            column,
            value,
            notes,
        }
    }

    fn every_kind() -> Vec<Streamed> {
        let date = CalendarDate {
            year: -44,
            month: 3,
            day: 15,
        };
        let rows = vec![
            Row {
                number: 1,
                cells: vec![
                    cell(0, CellValue::Text("Élodie « Zoé »".into()), vec![]),
                    cell(
                        3,
                        CellValue::Text(String::new()),
                        vec![
                            TextNote::Trimmed,
                            TextNote::NonBreakingSpace,
                            TextNote::Normalized,
                            TextNote::IllegalXmlChar('\u{1}'),
                            TextNote::LineBreak,
                            TextNote::RepeatedSpaces,
                            TextNote::InvisibleChar('\u{200b}'),
                            TextNote::TooLong { chars: 40_000 },
                            TextNote::FormulaWithoutValue,
                        ],
                    ),
                ],
            },
            Row {
                number: 1_048_576,
                cells: vec![
                    cell(1, CellValue::Number(-0.5), vec![]),
                    cell(2, CellValue::Number(f64::MAX), vec![]),
                    cell(4, CellValue::Bool(true), vec![]),
                    cell(5, CellValue::Date(date), vec![]),
                    cell(6, CellValue::DateTime(date, 86_399), vec![]),
                    cell(16_383, CellValue::Error("#N/A".into()), vec![]),
                ],
            },
        ];
        let notes = vec![
            BookNote::HiddenSheet {
                sheet: "Aide".into(),
            },
            BookNote::MergedCells {
                sheet: "Passages".into(),
                range: "A1:C1".into(),
            },
            BookNote::Windows1252,
        ];
        let book = Workbook {
            date_system: DateSystem::Excel1904,
            sheets: vec![
                Sheet {
                    name: "Paramètres".into(),
                    rows: rows.clone(),
                    hidden: true,
                },
                Sheet {
                    name: "Passages".into(),
                    rows: Vec::new(),
                    hidden: false,
                },
            ],
            format: Format::Xlsx,
            notes: notes.clone(),
        };
        vec![
            Streamed::Book { book, index: 1 },
            Streamed::Rows(rows),
            Streamed::Rows(Vec::new()),
            Streamed::End(notes),
            Streamed::Fallback,
        ]
    }

    #[test]
    fn every_message_reads_back_as_it_was_written() {
        for message in every_kind() {
            let bytes = encode(&message);
            let back = decode(&bytes).expect("decoded");
            // Debug shows every field of every type here (none has a hand-written Debug).
            assert_eq!(format!("{back:?}"), format!("{message:?}"));
        }
    }

    #[test]
    fn damaged_bytes_give_none_and_never_panic() {
        for message in every_kind() {
            let bytes = encode(&message);
            // Every truncation, and every byte changed to each of a few values.
            for len in 0..bytes.len() {
                assert!(decode(&bytes[..len]).is_none(), "{message:?} cut at {len}");
            }
            let mut longer = bytes.clone();
            longer.push(0);
            assert!(decode(&longer).is_none());
            for i in 0..bytes.len() {
                for v in [0, 1, 0x7f, 0x80, 0xff] {
                    let mut damaged = bytes.clone();
                    damaged[i] = v;
                    let _ = decode(&damaged);
                }
            }
        }
        // A count of four thousand million rows in a message of five bytes.
        assert!(decode(&[1, 0xff, 0xff, 0xff, 0xff]).is_none());
    }
}
