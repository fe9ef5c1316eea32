//! Reading the input file: xlsx, xls, ods or CSV bytes into sheets of typed, cleaned cells.
//!
//! The format comes from the bytes ([`detect`]), the file name is only used in messages. Each
//! reader produces the same [`Workbook`]: only non-empty rows and cells, dates already turned
//! into calendar dates, text cleaned with every change recorded as a [`TextNote`], and
//! workbook-level facts (hidden sheets, merged cells, encoding) as [`BookNote`]s. The
//! [`limits`] refuse hostile files with a French message instead of exhausting memory.
//!
//! ```
//! use accrochage::workbook::{read_workbook, CellValue, Format, TextNote};
//! let book = read_workbook("nom;code\nDUPONT ;01053\n".as_bytes(), "passages.csv").unwrap();
//! assert_eq!(book.format, Format::Csv);
//! let row = &book.sheets[0].rows[1];
//! assert_eq!(row.number, 2);
//! assert_eq!(row.cells[0].value, CellValue::Text("DUPONT".into()));
//! assert_eq!(row.cells[0].notes, vec![TextNote::Trimmed]);
//! assert_eq!(row.cells[1].value, CellValue::Text("01053".into())); // codes keep their zeros
//! ```

mod csv;
mod dates;
pub mod detect;
pub mod limits;
#[cfg(feature = "xls-ods")]
mod ods_xls;
mod text;
pub mod wire;
#[cfg(feature = "xls-ods")]
mod xls_guard;
#[cfg(feature = "xls-ods")]
mod xlsb_guard;
mod xlsx;

#[doc(hidden)]
pub use xlsx::sheet_readings;

use std::fmt;

pub use dates::{parse_iso_date_time, parse_text_date, serial_to_date, CalendarDate, DateSystem};
pub use text::{clean_text, is_blank, trimmed, TextNote};

/// The value of a non-empty cell.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Text(String),
    Number(f64),
    Bool(bool),
    /// A number shown with a date format (or an ODS date).
    Date(CalendarDate),
    /// A date with a time of day, in seconds after midnight.
    DateTime(CalendarDate, u32),
    /// An error value, in French as Excel shows it (`#N/A`, `#VALEUR!`, `#DIV/0!`…).
    Error(String),
}

/// One non-empty cell.
#[derive(Debug, Clone)]
pub struct Cell {
    /// 0-based (A = 0).
    pub column: u32,
    pub value: CellValue,
    /// What cleaning changed in the text.
    pub notes: Vec<TextNote>,
}

/// One row with at least one non-empty cell, cells in column order.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based, as the spreadsheet shows it.
    pub number: u32,
    pub cells: Vec<Cell>,
}

/// One worksheet, rows in order.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Row>,
    /// Hidden (or "very hidden") in the spreadsheet application: read anyway.
    pub hidden: bool,
}

/// The kind of file the bytes turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Xlsb,
    Xls,
    Ods,
    Csv,
}

impl Format {
    /// How the French messages name the format.
    pub fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "classeur Excel (.xlsx)",
            Format::Xlsb => "classeur Excel binaire (.xlsb)",
            Format::Xls => "classeur Excel 97-2003 (.xls)",
            Format::Ods => "classeur OpenDocument (.ods)",
            Format::Csv => "fichier texte CSV",
        }
    }
}

/// Facts about the workbook as a whole that the report may want to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookNote {
    /// The sheet is hidden in the spreadsheet application; its rows were read.
    HiddenSheet { sheet: String },
    /// Cells merged over `range` (e.g. `A1:C1`): only the first cell holds the value.
    MergedCells { sheet: String, range: String },
    /// The CSV file was not UTF-8 and was read as Windows-1252 (Excel's « CSV (séparateur :
    /// point-virgule) » on a French Windows).
    Windows1252,
}

/// A read workbook.
#[derive(Debug, Clone)]
pub struct Workbook {
    pub date_system: DateSystem,
    pub sheets: Vec<Sheet>,
    pub format: Format,
    pub notes: Vec<BookNote>,
}

impl Workbook {
    /// The sheet with this name, ignoring case, accents and spaces.
    pub fn sheet(&self, name: &str) -> Option<&Sheet> {
        let n = crate::dictionary::normalize_header(name);
        self.sheets
            .iter()
            .find(|s| crate::dictionary::normalize_header(&s.name) == n)
    }
}

/// Why a file cannot be read at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    Empty,
    /// Another kind of file (PDF, image, Word document…).
    NotAWorkbook,
    /// Truncated or corrupted.
    Damaged,
    Encrypted,
    /// Beyond one of the [`limits`].
    TooLarge,
    NoSheet,
    /// A format this build does not read (the page's first module: .xls, .xlsb, .ods).
    FormatUnavailable,
}

/// A French message saying what is wrong with the file and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkbookError {
    pub kind: ErrorKind,
    pub message: String,
}

impl WorkbookError {
    pub fn new(kind: ErrorKind, message: String) -> WorkbookError {
        WorkbookError { kind, message }
    }
}

impl fmt::Display for WorkbookError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WorkbookError {}

/// Whether this build reads the format of these bytes itself (always, unless built without the
/// `xls-ods` feature, as the page's first module is): the page then hands the file to its second
/// module.
pub fn reads_format(bytes: &[u8], name: &str) -> bool {
    cfg!(feature = "xls-ods")
        || !matches!(
            detect::detect(bytes, name),
            Ok(Format::Xls | Format::Xlsb | Format::Ods)
        )
}

/// Reads xlsx, xlsb, xls, ods or CSV bytes; `name` (the file name) only appears in messages.
pub fn read_workbook(bytes: &[u8], name: &str) -> Result<Workbook, WorkbookError> {
    limits::check_input_size(bytes, name)?;
    let book = match detect::detect(bytes, name)? {
        Format::Xlsx => xlsx::read(bytes, name)?,
        Format::Csv => csv::read(bytes, name)?,
        #[cfg(feature = "xls-ods")]
        format => ods_xls::read(bytes, name, format)?,
        #[cfg(not(feature = "xls-ods"))]
        format => {
            return Err(WorkbookError::new(
                ErrorKind::FormatUnavailable,
                format!(
                    "Le {} « {name} » se lit avec le module complémentaire, qui n'est pas chargé : réessayez une fois connecté à Internet, ou enregistrez le classeur au format .xlsx",
                    format.label()
                ),
            ))
        }
    };
    if book.sheets.is_empty() {
        return Err(WorkbookError::new(
            ErrorKind::NoSheet,
            format!(
                "Le {} « {name} » ne contient aucune feuille de calcul : partez du modèle et copiez-y vos passages dans la feuille « Passages »",
                book.format.label()
            ),
        ));
    }
    Ok(book)
}

/// What a streamed reading ([`read_streaming`]) hands over, in this order: the book, the rows
/// of the chosen sheet in batches, then the end; or, at any point, [`Streamed::Fallback`].
#[derive(Debug)]
pub enum Streamed {
    /// Every sheet, read, except the streamed one (at `index`), which has no rows yet.
    Book { book: Workbook, index: usize },
    /// The next rows of the streamed sheet, in order.
    Rows(Vec<Row>),
    /// Every row was sent: the book's notes, all of them (they replace those of the book).
    End(Vec<BookNote>),
    /// This file is not streamed (not an xlsx, no sheet chosen, cells out of order, damaged or
    /// beyond a limit): whatever was sent is void; [`read_workbook`] reads it and says why.
    Fallback,
}

/// Reads an xlsx file while streaming the rows of one worksheet, so that a caller on another
/// thread converts them as they come. `pick` chooses that sheet among the worksheets' names; it
/// is read last, the others first and whole. `send` returns `false` when nobody listens any
/// more, which stops the reading. Everything else goes through [`Streamed::Fallback`]: the
/// caller then reads the file with [`read_workbook`], which gives the same rows and errors.
pub fn read_streaming(
    bytes: &[u8],
    name: &str,
    pick: &dyn Fn(&[&str]) -> Option<usize>,
    send: &mut dyn FnMut(Streamed) -> bool,
) {
    let streamed = limits::check_input_size(bytes, name).is_ok()
        && matches!(detect::detect(bytes, name), Ok(Format::Xlsx))
        && xlsx::read_streaming(bytes, name, pick, send);
    if !streamed {
        send(Streamed::Fallback);
    }
}

/// Accumulates the cells of one sheet in reading order into [`Row`]s, checking the limits.
pub(crate) struct SheetBuilder<'a> {
    sheet: &'a str,
    file: &'a str,
    rows: Vec<Row>,
    sorted: bool,
    /// Cells in the last row: the next one is given room for as many.
    last_width: usize,
    /// Streaming: each row is handed over once the next one starts. `false` from the sink stops
    /// the reading (nobody listens any more).
    sink: Option<&'a mut dyn FnMut(Row) -> bool>,
}

impl<'a> SheetBuilder<'a> {
    pub(crate) fn new(sheet: &'a str, file: &'a str) -> SheetBuilder<'a> {
        SheetBuilder {
            sheet,
            file,
            rows: Vec::new(),
            sorted: true,
            last_width: 0,
            sink: None,
        }
    }

    /// A builder that hands each completed row to `sink` instead of keeping it. A sheet whose
    /// cells are not in order cannot be streamed: the reading then stops with an error, and the
    /// caller reads the file again without a sink.
    pub(crate) fn streaming(
        sheet: &'a str,
        file: &'a str,
        sink: &'a mut dyn FnMut(Row) -> bool,
    ) -> SheetBuilder<'a> {
        SheetBuilder {
            sink: Some(sink),
            ..SheetBuilder::new(sheet, file)
        }
    }

    /// Why a streamed reading stops early (cells out of order, or nobody listens any more); the
    /// message is never shown: the file is then read again without streaming.
    fn stop_streaming(&self) -> WorkbookError {
        WorkbookError::new(
            ErrorKind::Damaged,
            format!("lecture de la feuille « {} » interrompue", self.sheet),
        )
    }

    /// Adds a cell at 0-based `(row, column)`.
    pub(crate) fn push(
        &mut self,
        row: u32,
        column: u32,
        value: CellValue,
        notes: Vec<TextNote>,
        total_cells: &mut usize,
    ) -> Result<(), WorkbookError> {
        let (sheet, file) = (self.sheet, self.file);
        if row >= limits::MAX_ROWS || column >= limits::MAX_COLUMNS {
            return Err(WorkbookError::new(
                ErrorKind::TooLarge,
                format!(
                    "La feuille « {sheet} » du fichier « {file} » a une cellule en ligne {}, colonne {} : au-delà des limites d'un tableur ({} lignes, {} colonnes). Le fichier est sans doute endommagé : rouvrez-le dans votre tableur et enregistrez-le",
                    row as u64 + 1,
                    column as u64 + 1,
                    limits::MAX_ROWS,
                    limits::MAX_COLUMNS
                ),
            ));
        }
        *total_cells += 1;
        if *total_cells > limits::MAX_CELLS {
            return Err(WorkbookError::new(
                ErrorKind::TooLarge,
                format!(
                    "Le fichier « {file} » contient plus de {} cellules remplies : découpez-le en plusieurs classeurs (100 000 passages en font environ 4,5 millions)",
                    limits::MAX_CELLS
                ),
            ));
        }
        let number = row + 1;
        let cell = Cell {
            column,
            value,
            notes,
        };
        match self.rows.last_mut() {
            Some(last) if last.number == number => {
                if last.cells.last().is_some_and(|c| c.column >= column) {
                    self.sorted = false;
                }
                last.cells.push(cell);
            }
            last => {
                if let Some(l) = last {
                    if l.number > number {
                        self.sorted = false;
                    }
                    self.last_width = l.cells.len();
                }
                if let (Some(sink), true) = (self.sink.as_mut(), self.sorted) {
                    if let Some(done) = self.rows.pop() {
                        if !sink(done) {
                            return Err(self.stop_streaming());
                        }
                    }
                }
                let mut cells = Vec::with_capacity(self.last_width.max(1));
                cells.push(cell);
                self.rows.push(Row { number, cells });
            }
        }
        if self.sink.is_some() && !self.sorted {
            return Err(self.stop_streaming());
        }
        Ok(())
    }

    /// Streaming: hands over the last row. `false` when nobody listens any more.
    pub(crate) fn flush(&mut self) -> bool {
        match (self.sink.as_mut(), self.rows.pop()) {
            (Some(sink), Some(last)) => sink(last),
            (_, last) => {
                self.rows.extend(last);
                true
            }
        }
    }

    /// The rows in order; a file written out of order is put back in order, the last value of a
    /// cell written twice winning.
    pub(crate) fn finish(mut self) -> Vec<Row> {
        if self.sorted {
            return self.rows;
        }
        self.rows.sort_by_key(|r| r.number);
        let mut merged: Vec<Row> = Vec::with_capacity(self.rows.len());
        for row in self.rows {
            match merged.last_mut() {
                Some(last) if last.number == row.number => last.cells.extend(row.cells),
                _ => merged.push(row),
            }
        }
        for row in &mut merged {
            row.cells.sort_by_key(|c| c.column);
            let mut cells: Vec<Cell> = Vec::with_capacity(row.cells.len());
            for c in row.cells.drain(..) {
                match cells.last_mut() {
                    Some(last) if last.column == c.column => *last = c,
                    _ => cells.push(c),
                }
            }
            row.cells = cells;
        }
        merged
    }
}

/// A text cell's value and notes; `None` when nothing is left after cleaning.
pub(crate) fn text_value(raw: &str) -> Option<(CellValue, Vec<TextNote>)> {
    let (text, notes) = clean_text(raw);
    // Spaces alone are an empty cell, but removed control characters must still be reported.
    if text.is_empty()
        && !notes
            .iter()
            .any(|n| matches!(n, TextNote::IllegalXmlChar(_)))
    {
        return None;
    }
    Some((CellValue::Text(text), notes))
}

/// Excel's column letters: 0 → `A`, 25 → `Z`, 26 → `AA`, 16 383 → `XFD`.
pub fn column_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push((b'A' + (c % 26) as u8) as char);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.iter().rev().collect()
}

/// `Passages!B12` for 0-based column 1 and 1-based row 12.
pub fn cell_reference(sheet: &str, column: u32, row: u32) -> String {
    format!("{sheet}!{}{row}", column_letters(column))
}

/// A number as the XML wants it: whole numbers without `.0` (`1990`, not `1990.0`).
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
