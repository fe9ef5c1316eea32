//! xls, xlsb and ods through calamine's sheet ranges. These formats are rare inputs and their
//! size is bounded by the input and zip limits; xlsx, the common case, streams instead.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb};

use super::xlsx::{date_value, error_fr};
use super::{
    limits, parse_iso_date_time, text_value, BookNote, CellValue, DateSystem, ErrorKind, Format,
    Sheet, SheetBuilder, TextNote, Workbook, WorkbookError,
};

pub fn read(bytes: &[u8], name: &str, format: Format) -> Result<Workbook, WorkbookError> {
    let cursor = Cursor::new(bytes);
    let fail = |e: &dyn std::fmt::Display, password: bool| {
        if password {
            limits::encrypted(name)
        } else {
            WorkbookError::new(
                ErrorKind::Damaged,
                format!(
                    "Le {} « {name} » ne peut pas être lu : son contenu est endommagé ou d'une forme inattendue (détail technique : {e}). Rouvrez-le dans votre tableur et enregistrez-le au format .xlsx",
                    format.label()
                ),
            )
        }
    };
    match format {
        Format::Xls => {
            let mut book = Xls::new(cursor)
                .map_err(|e| fail(&e, matches!(e, calamine::XlsError::Password)))?;
            let system = if book.has_1904_epoch() {
                DateSystem::Excel1904
            } else {
                DateSystem::Excel1900
            };
            read_all(&mut book, name, format, system, |e| {
                fail(&e, matches!(e, calamine::XlsError::Password))
            })
        }
        Format::Xlsb => {
            let mut book = Xlsb::new(cursor)
                .map_err(|e| fail(&e, matches!(e, calamine::XlsbError::Password)))?;
            read_all(&mut book, name, format, DateSystem::Excel1900, |e| {
                fail(&e, matches!(e, calamine::XlsbError::Password))
            })
        }
        _ => {
            let mut book = Ods::new(cursor)
                .map_err(|e| fail(&e, matches!(e, calamine::OdsError::Password)))?;
            read_all(&mut book, name, format, DateSystem::Excel1900, |e| {
                fail(&e, matches!(e, calamine::OdsError::Password))
            })
        }
    }
}

fn read_all<RS: Read + Seek, R: Reader<RS>>(
    book: &mut R,
    name: &str,
    format: Format,
    system: DateSystem,
    fail: impl Fn(R::Error) -> WorkbookError,
) -> Result<Workbook, WorkbookError> {
    let metas: Vec<calamine::Sheet> = book.sheets_metadata().to_vec();
    let mut sheets = Vec::new();
    let mut notes = Vec::new();
    let mut total = 0;
    for meta in metas {
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let hidden = meta.visible != SheetVisible::Visible;
        if hidden {
            notes.push(BookNote::HiddenSheet {
                sheet: meta.name.clone(),
            });
        }
        let range = book.worksheet_range(&meta.name).map_err(&fail)?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut builder = SheetBuilder::new(&meta.name, name);
        for (r, c, data) in range.used_cells() {
            let Some((value, cell_notes)) = cell_value(data, system) else {
                continue;
            };
            let row = row0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
            let column = col0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
            builder.push(row, column, value, cell_notes, &mut total)?;
        }
        let rows = builder.finish();
        sheets.push(Sheet {
            name: meta.name,
            rows,
            hidden,
        });
    }
    Ok(Workbook {
        date_system: system,
        sheets,
        format,
        notes,
    })
}

fn cell_value(data: &Data, system: DateSystem) -> Option<(CellValue, Vec<TextNote>)> {
    let plain = |v| Some((v, Vec::new()));
    match data {
        Data::Empty => None,
        Data::Int(i) => plain(CellValue::Number(*i as f64)),
        Data::Float(f) => plain(CellValue::Number(*f)),
        Data::Bool(b) => plain(CellValue::Bool(*b)),
        Data::String(s) => text_value(s),
        Data::DateTime(d) => plain(date_value(d.as_f64(), d.is_duration(), system)),
        Data::DateTimeIso(s) => match parse_iso_date_time(s) {
            Some((d, 0)) => plain(CellValue::Date(d)),
            Some((d, secs)) => plain(CellValue::DateTime(d, secs)),
            None => text_value(s),
        },
        Data::DurationIso(s) => text_value(s),
        Data::Error(e) => plain(CellValue::Error(error_fr(e))),
    }
}
