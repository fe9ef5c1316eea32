//! xlsx through calamine's streaming cell reader: cells arrive one by one in file order, so a
//! sheet declaring `A1:XFD1048576` or holding one cell at XFD1048576 costs nothing, unlike a
//! dense `Range` of every position.

use std::io::{Cursor, Read};

use calamine::{
    CellErrorType, DataRef, Reader, SheetType, SheetVisible, Xlsx, XlsxError, XlsxFormulaMetadata,
};

use super::{
    column_letters, limits, parse_iso_date_time, serial_to_date, text_value, BookNote, CellValue,
    DateSystem, ErrorKind, Format, Sheet, SheetBuilder, TextNote, Workbook, WorkbookError,
};

pub fn read(bytes: &[u8], name: &str) -> Result<Workbook, WorkbookError> {
    let mut xl = Xlsx::new(Cursor::new(bytes)).map_err(|e| error(name, e))?;
    let system = if xl.has_1904_epoch() {
        DateSystem::Excel1904
    } else {
        DateSystem::Excel1900
    };
    let metas: Vec<calamine::Sheet> = xl.sheets_metadata().to_vec();
    let merges = has_merged_cells(bytes);
    let mut sheets = Vec::new();
    let mut notes = Vec::new();
    let mut total = 0;
    for meta in metas {
        // Chart and macro sheets hold no cells to convert.
        if meta.typ != SheetType::WorkSheet {
            continue;
        }
        let hidden = meta.visible != SheetVisible::Visible;
        if hidden {
            notes.push(BookNote::HiddenSheet {
                sheet: meta.name.clone(),
            });
        }
        let mut builder = SheetBuilder::new(&meta.name, name);
        {
            let mut cells = xl
                .worksheet_cells_reader(&meta.name)
                .map_err(|e| error(name, e))?;
            while let Some(cell) = cells
                .next_cell_with_formula_metadata()
                .map_err(|e| error(name, e))?
            {
                let (row, column) = cell.pos;
                let Some((value, cell_notes)) = cell_value(cell.value, cell.formula, system) else {
                    continue;
                };
                builder.push(row, column, value, cell_notes, &mut total)?;
            }
        }
        if let Some(Ok(merged)) = merges.then(|| xl.merge_cells_by_sheet_name(&meta.name)) {
            for d in merged {
                notes.push(BookNote::MergedCells {
                    sheet: meta.name.clone(),
                    range: range_text(&d),
                });
            }
        }
        let rows = builder.finish();
        sheets.push(Sheet {
            name: meta.name,
            rows,
            hidden,
        });
    }
    Ok(super::Workbook {
        date_system: system,
        sheets,
        format: Format::Xlsx,
        notes,
    })
}

/// `A1:C1` for 0-based dimensions.
pub(crate) fn range_text(d: &calamine::Dimensions) -> String {
    format!(
        "{}{}:{}{}",
        column_letters(d.start.1),
        d.start.0 + 1,
        column_letters(d.end.1),
        d.end.0 + 1
    )
}

/// Whether any worksheet part mentions `mergeCell`. calamine finds merged cells by parsing the
/// whole sheet again (2 s for 100 000 rows); searching the inflated bytes takes a tenth of that,
/// so the parse only runs for the rare workbook that has some.
fn has_merged_cells(bytes: &[u8]) -> bool {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return false;
    };
    let finder = memchr::memmem::Finder::new(b"mergeCell");
    let mut buf = vec![0u8; 1 << 16];
    for i in 0..zip.len() {
        let Ok(mut part) = zip.by_index(i) else {
            continue;
        };
        if !part.name().is_ok_and(|n| n.starts_with("xl/worksheets/")) {
            continue;
        }
        // The last bytes of each chunk are kept so a match across two chunks is found.
        let mut kept = 0;
        while let Ok(n @ 1..) = part.read(&mut buf[kept..]) {
            let end = kept + n;
            if finder.find(&buf[..end]).is_some() {
                return true;
            }
            kept = end.min(8);
            buf.copy_within(end - kept..end, 0);
        }
    }
    false
}

/// A cell's value and notes; `None` for an empty cell. A formula without a cached result is
/// not empty: the user typed something, the file just lacks its result.
fn cell_value(
    value: DataRef<'_>,
    formula: Option<XlsxFormulaMetadata>,
    system: DateSystem,
) -> Option<(CellValue, Vec<TextNote>)> {
    let plain = |v| Some((v, Vec::new()));
    match value {
        // The formula stands in for the value, so the report shows what the cell holds.
        DataRef::Empty if formula.is_some() => {
            let text = match formula {
                Some(
                    XlsxFormulaMetadata::Normal { formula }
                    | XlsxFormulaMetadata::Shared { formula, .. },
                ) => format!("={formula}"),
                // The text of a copied formula is only stored on its first cell.
                _ => "(formule recopiée)".to_owned(),
            };
            Some((CellValue::Text(text), vec![TextNote::FormulaWithoutValue]))
        }
        DataRef::Empty => None,
        DataRef::Int(i) => plain(CellValue::Number(i as f64)),
        DataRef::Float(f) => plain(CellValue::Number(f)),
        DataRef::Bool(b) => plain(CellValue::Bool(b)),
        DataRef::String(s) => text_value(&s),
        DataRef::SharedString(s) => text_value(s),
        DataRef::DateTime(d) => plain(date_value(d.as_f64(), d.is_duration(), system)),
        DataRef::DateTimeIso(s) => match parse_iso_date_time(&s) {
            Some((d, 0)) => plain(CellValue::Date(d)),
            Some((d, secs)) => plain(CellValue::DateTime(d, secs)),
            None => text_value(&s),
        },
        DataRef::DurationIso(s) => text_value(&s),
        DataRef::Error(e) => plain(CellValue::Error(error_fr(&e))),
    }
}

/// A number displayed with a date format: a calendar date when it is one (a time alone or a
/// duration stays a number).
pub(crate) fn date_value(serial: f64, duration: bool, system: DateSystem) -> CellValue {
    if duration {
        return CellValue::Number(serial);
    }
    match serial_to_date(serial, system) {
        Some((d, 0)) => CellValue::Date(d),
        Some((d, secs)) => CellValue::DateTime(d, secs),
        None => CellValue::Number(serial),
    }
}

/// Error values as French Excel displays them (files store the English codes).
pub(crate) fn error_fr(e: &CellErrorType) -> String {
    match e {
        CellErrorType::Div0 => "#DIV/0!",
        CellErrorType::NA => "#N/A",
        CellErrorType::Name => "#NOM?",
        CellErrorType::Null => "#NUL!",
        CellErrorType::Num => "#NOMBRE!",
        CellErrorType::Ref => "#REF!",
        CellErrorType::Value => "#VALEUR!",
        CellErrorType::GettingData => "#DONNEES!",
    }
    .to_owned()
}

fn error(name: &str, e: XlsxError) -> WorkbookError {
    match e {
        XlsxError::Password => limits::encrypted(name),
        XlsxError::Zip(z) => WorkbookError::new(
            ErrorKind::Damaged,
            format!(
                "Le classeur « {name} » est endommagé (archive zip illisible : {z}) : rouvrez-le dans votre tableur et enregistrez-le à nouveau au format .xlsx"
            ),
        ),
        other => WorkbookError::new(
            ErrorKind::Damaged,
            format!(
                "Le classeur « {name} » ne peut pas être lu : son contenu est endommagé ou d'une forme inattendue (détail technique : {other}). Rouvrez-le dans votre tableur et enregistrez-le à nouveau au format .xlsx"
            ),
        ),
    }
}
