//! A writer of small `.xlsb` workbooks (Excel's binary format, MS-XLSB), for the tests: no
//! library at hand writes them, and a file made here says exactly which records it holds.
//!
//! An xlsb is a zip like an xlsx, its parts being BIFF12 records instead of XML. A record is
//! its type (1 or 2 bytes, 7 bits each, the high bit saying another byte follows), its length
//! (1 to 4 bytes, same scheme), then its body. Only the records calamine's reader needs are
//! written (`calamine-0.38/src/xlsb/`):
//! - `xl/workbook.bin`: the sheets (name, visibility, relationship id), then BrtEndBook, which
//!   tells calamine the defined names are over;
//! - `xl/_rels/workbook.bin.rels`: relationship id → sheet part;
//! - `xl/sharedStrings.bin`: the shared strings;
//! - `xl/styles.bin`: the cell formats, style 1 being `dd/mm/yyyy` so a number there is a date;
//! - `xl/worksheets/sheetN.bin`: the dimensions, then the rows and their cells.

use super::workbooks::zip_of;

// Record types (MS-XLSB 2.3.2).
pub const ROW_HDR: u16 = 0x0000;
pub const CELL_RK: u16 = 0x0002;
pub const CELL_BOOL: u16 = 0x0004;
pub const CELL_REAL: u16 = 0x0005;
pub const CELL_ST: u16 = 0x0006;
pub const CELL_ISST: u16 = 0x0007;
pub const SST_ITEM: u16 = 0x0013;
pub const FMT: u16 = 0x002C;
pub const XF: u16 = 0x002F;
pub const BEGIN_SHEET: u16 = 0x0081;
pub const END_SHEET: u16 = 0x0082;
pub const BEGIN_BOOK: u16 = 0x0083;
pub const END_BOOK: u16 = 0x0084;
pub const BEGIN_BUNDLE_SHS: u16 = 0x008F;
pub const END_BUNDLE_SHS: u16 = 0x0090;
pub const BEGIN_SHEET_DATA: u16 = 0x0091;
pub const END_SHEET_DATA: u16 = 0x0092;
pub const WS_DIM: u16 = 0x0094;
pub const WB_PROP: u16 = 0x0099;
pub const BUNDLE_SH: u16 = 0x009C;
pub const NAME: u16 = 0x0027;
pub const EXTERN_SHEET: u16 = 0x016A;
pub const BEGIN_SST: u16 = 0x009F;
pub const END_SST: u16 = 0x00A0;
pub const BEGIN_FMTS: u16 = 0x0267;
pub const END_FMTS: u16 = 0x0268;
pub const BEGIN_CELL_XFS: u16 = 0x0269;
pub const END_CELL_XFS: u16 = 0x026A;

/// One cell of an xlsb sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum XCell<'a> {
    /// A shared string (BrtCellIsst), as Excel writes text.
    S(&'a str),
    /// A string stored in the cell (BrtCellSt), as formulas' results are.
    Inline(&'a str),
    /// A number (BrtCellReal).
    N(f64),
    /// A whole number in Excel's compact RK form (BrtCellRk).
    Rk(i32),
    /// A serial number formatted `dd/mm/yyyy`: a date.
    Date(f64),
    Bool(bool),
}

/// One sheet: its name, whether it is hidden, its rows from row 1 (`None` is an empty cell).
pub struct XSheet<'a> {
    pub name: &'a str,
    pub hidden: bool,
    pub rows: Vec<Vec<Option<XCell<'a>>>>,
}

impl<'a> XSheet<'a> {
    pub fn new(name: &'a str, rows: Vec<Vec<Option<XCell<'a>>>>) -> XSheet<'a> {
        XSheet {
            name,
            hidden: false,
            rows,
        }
    }

    /// Every cell a shared string, empty text an empty cell.
    pub fn text(name: &'a str, rows: &[&[&'a str]]) -> XSheet<'a> {
        let rows = rows
            .iter()
            .map(|r| {
                r.iter()
                    .map(|s| (!s.is_empty()).then_some(XCell::S(s)))
                    .collect()
            })
            .collect();
        XSheet::new(name, rows)
    }
}

/// One record: type, length, body.
pub fn record(typ: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 6);
    if typ < 0x80 {
        out.push(typ as u8);
    } else {
        out.push((typ & 0x7F) as u8 | 0x80);
        out.push((typ >> 7) as u8);
    }
    let mut len = body.len();
    loop {
        let b = (len & 0x7F) as u8;
        len >>= 7;
        if len == 0 {
            out.push(b);
            break;
        }
        out.push(b | 0x80);
    }
    out.extend_from_slice(body);
    out
}

/// An XLWideString: its length in UTF-16 units, then the units.
pub fn wide(s: &str) -> Vec<u8> {
    let units: Vec<u16> = s.encode_utf16().collect();
    let mut out = (units.len() as u32).to_le_bytes().to_vec();
    out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    out
}

/// The 8 bytes every cell record starts with: column, then the style index (24 bits) and flags.
pub fn cell_head(column: u32, style: u32) -> Vec<u8> {
    let mut out = column.to_le_bytes().to_vec();
    out.extend(style.to_le_bytes());
    out
}

/// A row header for 0-based `row`, with no column span.
pub fn row_header(row: u32) -> Vec<u8> {
    let mut body = row.to_le_bytes().to_vec();
    body.extend(0u32.to_le_bytes()); // style
    body.extend(300u16.to_le_bytes()); // height, in twentieths of a point
    body.extend([0u8; 3]); // flags
    body.extend(0u32.to_le_bytes()); // no column span
    record(ROW_HDR, &body)
}

/// The BrtWsDim record: first and last row, first and last column (0-based).
pub fn dimensions(rows: (u32, u32), cols: (u32, u32)) -> Vec<u8> {
    let mut body = Vec::new();
    for v in [rows.0, rows.1, cols.0, cols.1] {
        body.extend(v.to_le_bytes());
    }
    record(WS_DIM, &body)
}

/// A sheet part around the given sheet-data records (rows and cells).
pub fn sheet_part(dims: Vec<u8>, data: &[u8]) -> Vec<u8> {
    let mut out = record(BEGIN_SHEET, &[]);
    out.extend(dims);
    out.extend(record(BEGIN_SHEET_DATA, &[]));
    out.extend_from_slice(data);
    out.extend(record(END_SHEET_DATA, &[]));
    out.extend(record(END_SHEET, &[]));
    out
}

/// The sheet-data records of `rows`, shared strings added to `strings`.
fn sheet_data(rows: &[Vec<Option<XCell>>], strings: &mut Vec<String>) -> Vec<u8> {
    let mut out = Vec::new();
    for (r, row) in rows.iter().enumerate() {
        if row.iter().all(Option::is_none) {
            continue;
        }
        out.extend(row_header(r as u32));
        for (c, cell) in row.iter().enumerate() {
            let Some(cell) = cell else { continue };
            let c = c as u32;
            out.extend(match cell {
                XCell::S(s) => {
                    let i = match strings.iter().position(|x| x == s) {
                        Some(i) => i,
                        None => {
                            strings.push(s.to_string());
                            strings.len() - 1
                        }
                    };
                    record(
                        CELL_ISST,
                        &[cell_head(c, 0), (i as u32).to_le_bytes().to_vec()].concat(),
                    )
                }
                XCell::Inline(s) => record(CELL_ST, &[cell_head(c, 0), wide(s)].concat()),
                XCell::N(n) => record(
                    CELL_REAL,
                    &[cell_head(c, 0), n.to_le_bytes().to_vec()].concat(),
                ),
                XCell::Date(n) => record(
                    CELL_REAL,
                    &[cell_head(c, 1), n.to_le_bytes().to_vec()].concat(),
                ),
                // RK: the integer shifted left 2, bit 1 set for « integer », bit 0 clear (× 1).
                XCell::Rk(i) => record(
                    CELL_RK,
                    &[cell_head(c, 0), ((i << 2) | 2).to_le_bytes().to_vec()].concat(),
                ),
                XCell::Bool(b) => record(CELL_BOOL, &[cell_head(c, 0), vec![*b as u8]].concat()),
            });
        }
    }
    out
}

/// The shared strings part.
pub fn shared_strings(strings: &[String]) -> Vec<u8> {
    let n = (strings.len() as u32).to_le_bytes();
    let mut out = record(BEGIN_SST, &[n, n].concat());
    for s in strings {
        out.extend(record(SST_ITEM, &[vec![0u8], wide(s)].concat()));
    }
    out.extend(record(END_SST, &[]));
    out
}

/// The styles part: style 0 general, style 1 the custom format 164 `dd/mm/yyyy`.
pub fn styles() -> Vec<u8> {
    let mut out = record(BEGIN_FMTS, &1u32.to_le_bytes());
    out.extend(record(
        FMT,
        &[164u16.to_le_bytes().to_vec(), wide("dd/mm/yyyy")].concat(),
    ));
    out.extend(record(END_FMTS, &[]));
    out.extend(record(BEGIN_CELL_XFS, &2u32.to_le_bytes()));
    for fmt in [0u16, 164] {
        // Parent style, number format, then font, fill, border, alignment… left at 0.
        let mut xf = 0xFFFFu16.to_le_bytes().to_vec();
        xf.extend(fmt.to_le_bytes());
        xf.extend([0u8; 12]);
        out.extend(record(XF, &xf));
    }
    out.extend(record(END_CELL_XFS, &[]));
    out
}

/// A BrtBundleSh: visibility (0 visible, 1 hidden), tab id, relationship id, name.
pub fn bundle_sheet(state: u32, tab: u32, rel: &str, name: &str) -> Vec<u8> {
    let body = [
        state.to_le_bytes().to_vec(),
        tab.to_le_bytes().to_vec(),
        wide(rel),
        wide(name),
    ]
    .concat();
    record(BUNDLE_SH, &body)
}

/// The workbook part around the given BrtBundleSh records.
pub fn workbook_part(bundles: &[u8]) -> Vec<u8> {
    let mut out = record(BEGIN_BOOK, &[]);
    out.extend(record(BEGIN_BUNDLE_SHS, &[]));
    out.extend_from_slice(bundles);
    out.extend(record(END_BUNDLE_SHS, &[]));
    out.extend(record(END_BOOK, &[]));
    out
}

/// The parts of an xlsb holding `sheets`, in zip order; tests edit them before [`xlsb_zip`].
pub fn xlsb_parts(sheets: &[XSheet]) -> Vec<(String, Vec<u8>)> {
    let mut strings = Vec::new();
    let mut bundles = Vec::new();
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    let mut overrides = String::new();
    let mut parts = Vec::new();
    for (i, sheet) in sheets.iter().enumerate() {
        let n = i + 1;
        bundles.extend(bundle_sheet(
            sheet.hidden as u32,
            n as u32,
            &format!("rId{n}"),
            sheet.name,
        ));
        rels.push_str(&format!(
            r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{n}.bin"/>"#
        ));
        overrides.push_str(&format!(
            r#"<Override PartName="/xl/worksheets/sheet{n}.bin" ContentType="application/vnd.ms-excel.worksheet"/>"#
        ));
        let data = sheet_data(&sheet.rows, &mut strings);
        let last_row = sheet.rows.len().max(1) as u32 - 1;
        let last_col = sheet.rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32 - 1;
        parts.push((
            format!("xl/worksheets/sheet{n}.bin"),
            sheet_part(dimensions((0, last_row), (0, last_col)), &data),
        ));
    }
    let n = sheets.len() + 1;
    rels.push_str(&format!(
        r#"<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.bin"/><Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.bin"/></Relationships>"#,
        n + 1
    ));
    let content_types = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>{overrides}<Override PartName="/xl/sharedStrings.bin" ContentType="application/vnd.ms-excel.sharedStrings"/><Override PartName="/xl/styles.bin" ContentType="application/vnd.ms-excel.styles"/></Types>"#
    );
    let root_rels = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.bin"/></Relationships>"#;
    let mut out = vec![
        (
            "[Content_Types].xml".to_string(),
            content_types.into_bytes(),
        ),
        ("_rels/.rels".to_string(), root_rels.as_bytes().to_vec()),
        ("xl/workbook.bin".to_string(), workbook_part(&bundles)),
        ("xl/_rels/workbook.bin.rels".to_string(), rels.into_bytes()),
    ];
    out.extend(parts);
    out.push(("xl/sharedStrings.bin".to_string(), shared_strings(&strings)));
    out.push(("xl/styles.bin".to_string(), styles()));
    out
}

/// The parts zipped, deflated.
pub fn xlsb_zip(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    let refs: Vec<(&str, &[u8])> = parts
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

/// The parts zipped without compression: the fuzz seeds, whose mutations then fall on the
/// records themselves, and the big hostile files, quicker to write.
pub fn xlsb_zip_stored(parts: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        // A fixed date: the seeds written from this must not change from one run to the next.
        .last_modified_time(zip::DateTime::default());
    for (name, data) in parts {
        w.start_file(name.as_str(), options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// Inserts `records` into the workbook part right after BrtBeginBook (its first 3 bytes).
pub fn after_begin_book(part: Vec<u8>, records: &[u8]) -> Vec<u8> {
    [&part[..3], records, &part[3..]].concat()
}

/// Inserts `records` into the workbook part right after BrtEndBundleShs, where the external
/// sheets and defined names go.
pub fn after_sheets(part: Vec<u8>, records: &[u8]) -> Vec<u8> {
    let end = record(END_BUNDLE_SHS, &[]);
    let at = part.windows(end.len()).position(|w| w == end).unwrap() + end.len();
    [&part[..at], records, &part[at..]].concat()
}

/// A BrtWbProp saying the workbook counts dates from 1904.
pub fn wb_prop_1904() -> Vec<u8> {
    record(
        WB_PROP,
        &[[1u8, 0, 0, 0, 0, 0, 0, 0].to_vec(), wide("")].concat(),
    )
}

/// A BrtExternSheet listing `sheets` sheets of this workbook (sheet i for entry i).
pub fn extern_sheet(sheets: u32) -> Vec<u8> {
    let mut body = sheets.to_le_bytes().to_vec();
    for i in 0..sheets {
        body.extend(0u32.to_le_bytes()); // this workbook's link
        body.extend(i.to_le_bytes());
        body.extend(i.to_le_bytes());
    }
    record(EXTERN_SHEET, &body)
}

/// A BrtName `name` whose formula is `rgce` (the parsed tokens).
pub fn defined_name(name: &str, rgce: &[u8]) -> Vec<u8> {
    let mut body = vec![0u8; 4]; // flags
    body.push(0); // shortcut key
    body.extend(u32::MAX.to_le_bytes()); // workbook scope
    body.extend(wide(name));
    body.extend((rgce.len() as u32).to_le_bytes());
    body.extend_from_slice(rgce);
    body.extend(0u32.to_le_bytes()); // no extra formula data
    record(NAME, &body)
}

/// An xlsb holding `sheets`.
pub fn xlsb(sheets: &[XSheet]) -> Vec<u8> {
    xlsb_zip(&xlsb_parts(sheets))
}

/// The same parts with one replaced (`part`'s bytes given by `edit`), zipped again.
pub fn xlsb_with(sheets: &[XSheet], part: &str, edit: impl FnOnce(Vec<u8>) -> Vec<u8>) -> Vec<u8> {
    let mut parts = xlsb_parts(sheets);
    let p = parts
        .iter_mut()
        .find(|(n, _)| n == part)
        .unwrap_or_else(|| panic!("pas de partie {part}"));
    p.1 = edit(std::mem::take(&mut p.1));
    xlsb_zip(&parts)
}
