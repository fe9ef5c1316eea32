//! xls, xlsb and ods through calamine's sheet ranges. These formats are rare inputs and their
//! size is bounded by the input and zip limits; xlsx, the common case, streams instead.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb};

use super::xlsx::date_value;
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
            let checked = super::xls_guard::check(bytes, name)?;
            let mut book = Xls::new(Cursor::new(&*checked))
                .map_err(|e| fail(&e, matches!(e, calamine::XlsError::Password)))?;
            let system = if book.has_1904_epoch() {
                DateSystem::Excel1904
            } else {
                DateSystem::Excel1900
            };
            let mut read = read_all(&mut book, name, format, system, |e| {
                fail(&e, matches!(e, calamine::XlsError::Password))
            })?;
            for sheet in &read.sheets {
                for d in book
                    .merge_cells_by_sheet_name(&sheet.name)
                    .unwrap_or_default()
                {
                    read.notes.push(BookNote::MergedCells {
                        sheet: sheet.name.clone(),
                        range: range_text(&d),
                    });
                }
            }
            Ok(read)
        }
        Format::Xlsb => {
            super::xlsb_guard::check(bytes, name)?;
            let mut book = Xlsb::new(cursor)
                .map_err(|e| fail(&e, matches!(e, calamine::XlsbError::Password)))?;
            // calamine tags each date with the workbook's calendar, but its serial number is
            // what is read here: the calendar must come along.
            let system = if book.has_1904_epoch() {
                DateSystem::Excel1904
            } else {
                DateSystem::Excel1900
            };
            read_all(&mut book, name, format, system, |e| {
                fail(&e, matches!(e, calamine::XlsbError::Password))
            })
        }
        _ => {
            check_ods_extent(bytes, name)?;
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

/// `A1:C1` for 0-based dimensions.
fn range_text(d: &calamine::Dimensions) -> String {
    format!(
        "{}{}:{}{}",
        super::column_letters(d.start.1),
        d.start.0 + 1,
        super::column_letters(d.end.1),
        d.end.0 + 1
    )
}

/// calamine writes the English code; the French one is what Excel shows.
fn error_fr(e: &calamine::CellErrorType) -> String {
    let code = e.to_string();
    super::xlsx::error_fr(&code).map_or(code, str::to_owned)
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

/// Refuses an ODS whose repeated rows and columns would make calamine build a grid of more
/// than [`limits::MAX_CELLS`] cells: `table:number-rows-repeated="1000000"` on a row with a
/// value costs a few bytes in the file and gigabytes in the dense range. The sheets are
/// scanned once, counting the bounding box of the cells that hold a value.
fn check_ods_extent(bytes: &[u8], name: &str) -> Result<(), WorkbookError> {
    use quick_xml::events::{BytesStart, Event};

    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut reader = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let number = |e: &BytesStart<'_>, attr: &str| -> u64 {
        e.try_get_attribute(attr)
            .ok()
            .flatten()
            .and_then(|a| a.value.parse().ok())
            .unwrap_or(1)
    };
    let (mut total, mut row, mut col, mut row_repeat) = (0u64, 0u64, 0u64, 1u64);
    // (first row, last row, first column, last column) holding a value in the current table.
    let mut extent: Option<(u64, u64, u64, u64)> = None;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let (event, empty) = match reader.read_event_into(&mut buf) {
            Ok(Event::Eof) | Err(_) => break,
            Ok(Event::Start(e)) => (e.into_owned(), false),
            Ok(Event::Empty(e)) => (e.into_owned(), true),
            Ok(Event::End(e)) => {
                match e.name().as_ref() {
                    "table:table-row" => row = row.saturating_add(row_repeat),
                    "table:table" => {
                        if let Some((r0, r1, c0, c1)) = extent.take() {
                            total = total.saturating_add((r1 - r0 + 1).saturating_mul(c1 - c0 + 1));
                        }
                        row = 0;
                    }
                    _ => {}
                }
                continue;
            }
            Ok(_) => continue,
        };
        match event.name().as_ref() {
            "table:table-row" => {
                row_repeat = number(&event, "table:number-rows-repeated");
                col = 0;
                if empty {
                    row = row.saturating_add(row_repeat);
                }
            }
            "table:table-cell" | "table:covered-table-cell" => {
                let repeat = number(&event, "table:number-columns-repeated");
                let valued = event
                    .try_get_attribute("office:value-type")
                    .ok()
                    .flatten()
                    .is_some()
                    || event
                        .try_get_attribute("table:formula")
                        .ok()
                        .flatten()
                        .is_some();
                if valued {
                    let last_col = col.saturating_add(repeat - 1);
                    let last_row = row.saturating_add(row_repeat.saturating_sub(1));
                    extent = Some(match extent {
                        None => (row, last_row, col, last_col),
                        Some((r0, r1, c0, c1)) => {
                            (r0.min(row), r1.max(last_row), c0.min(col), c1.max(last_col))
                        }
                    });
                }
                col = col.saturating_add(repeat);
            }
            _ => {}
        }
        if total > limits::MAX_CELLS as u64 {
            break;
        }
    }
    if let Some((r0, r1, c0, c1)) = extent {
        total = total.saturating_add((r1 - r0 + 1).saturating_mul(c1 - c0 + 1));
    }
    if total > limits::MAX_CELLS as u64 {
        return Err(WorkbookError::new(
            ErrorKind::TooLarge,
            format!(
                "Le classeur « {name} » déclare plus de {} cellules (lignes ou colonnes répétées des milliers de fois) : il n'est pas lu. Ouvrez-le dans votre tableur, supprimez les lignes et colonnes inutiles sous et à droite des données, et enregistrez-le (ou au format .xlsx)",
                limits::MAX_CELLS
            ),
        ));
    }
    Ok(())
}
