//! `.xlsb` (Excel's binary workbook) read through calamine, on files written by
//! `support::xlsb`: types, hidden sheets, codes with leading zeros, and the whole conversion
//! compared with the same rows given as CSV.

mod support;

use accrochage::convert::{convert, ConvertOptions, LocalNow};
use accrochage::workbook::{detect::detect, read_workbook, CalendarDate, CellValue, Format};
use accrochage::xsd::Schema;
use support::xlsb::{xlsb, XCell, XSheet};

use support::MINIMAL_HEADER as HEADER;

/// 2026-09-15 as an Excel serial number (days since 1899-12-30).
const SEPT_15: f64 = 46280.0;

const PARAMS: &[(&str, &str)] = &[
    ("idClientEmetteur", "ABCD1234"),
    ("idClientCertificateur", "EFGH5678"),
    ("idContrat", "MCF-2026-01"),
    ("idFlux", "flux-test-1"),
];

/// One passage row, typed as Excel stores what users type: text, a date, a whole number.
fn passage(id: &'static str, nom: &'static str) -> Vec<Option<XCell<'static>>> {
    [
        XCell::S(id),
        XCell::S("RNCP"),
        XCell::S("RNCP34567"),
        XCell::S("PAR_ADMISSION"),
        XCell::S("Oui"),
        XCell::Date(SEPT_15),
        XCell::S("Non"),
        XCell::S("Non"),
        XCell::S(nom),
        XCell::Inline("Amélie"),
        XCell::Rk(1990),
        XCell::S("F"),
        XCell::S("01053"),
    ]
    .into_iter()
    .map(Some)
    .collect()
}

fn passages_sheet() -> XSheet<'static> {
    let mut rows = vec![HEADER.iter().map(|h| Some(XCell::S(h))).collect()];
    rows.push(passage("T-1", "DUPONT"));
    rows.push(passage("T-2", "MARTIN"));
    XSheet::new("Passages", rows)
}

fn params_sheet() -> XSheet<'static> {
    let rows: Vec<&[&str]> = vec![&["Paramètre", "Valeur"]];
    let mut sheet = XSheet::text("Paramètres", &rows);
    for (k, v) in PARAMS {
        sheet.rows.push(vec![Some(XCell::S(k)), Some(XCell::S(v))]);
    }
    sheet
}

/// The same rows as a CSV, as a user exporting the sheet would get them.
fn passages_csv() -> String {
    let mut out = HEADER.join(";") + "\n";
    for (id, nom) in [("T-1", "DUPONT"), ("T-2", "MARTIN")] {
        out += &format!(
            "{id};RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;{nom};Amélie;1990;F;01053\n"
        );
    }
    out
}

/// 2026-11-22 10:00 in Paris: within 3 months of 15/09/2026.
fn options(params: &[(&str, &str)]) -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    for (k, v) in params {
        o.params.insert(k.to_string(), v.to_string());
    }
    o
}

#[test]
fn an_xlsb_is_detected_from_its_bytes() {
    let bytes = xlsb(&[passages_sheet()]);
    assert_eq!(detect(&bytes, "passages.xlsx").unwrap(), Format::Xlsb);
    let book = read_workbook(&bytes, "passages.bin").unwrap();
    assert_eq!(book.format, Format::Xlsb);
}

#[test]
fn xlsb_cells_keep_their_types_and_codes_their_zeros() {
    let book = read_workbook(&xlsb(&[passages_sheet()]), "passages.xlsb").unwrap();
    let sheet = &book.sheets[0];
    assert_eq!(sheet.name, "Passages");
    assert_eq!(sheet.rows.len(), 3);
    let row = &sheet.rows[1];
    assert_eq!(row.number, 2);
    let value = |c: u32| {
        row.cells
            .iter()
            .find(|x| x.column == c)
            .unwrap()
            .value
            .clone()
    };
    assert_eq!(value(0), CellValue::Text("T-1".into()));
    assert_eq!(
        value(5),
        CellValue::Date(CalendarDate {
            year: 2026,
            month: 9,
            day: 15
        })
    );
    assert_eq!(value(9), CellValue::Text("Amélie".into()));
    assert_eq!(value(10), CellValue::Number(1990.0));
    assert_eq!(value(12), CellValue::Text("01053".into()));
}

#[test]
fn numbers_booleans_and_a_hidden_sheet_are_read() {
    let mut hidden = XSheet::new(
        "Cachée",
        vec![vec![
            Some(XCell::N(2.5)),
            None,
            Some(XCell::Bool(true)),
            Some(XCell::Rk(-7)),
        ]],
    );
    hidden.hidden = true;
    let book = read_workbook(&xlsb(&[passages_sheet(), hidden]), "passages.xlsb").unwrap();
    let sheet = book.sheet("Cachée").expect("la feuille cachée est lue");
    assert!(sheet.hidden);
    let values: Vec<(u32, CellValue)> = sheet.rows[0]
        .cells
        .iter()
        .map(|c| (c.column, c.value.clone()))
        .collect();
    assert_eq!(
        values,
        vec![
            (0, CellValue::Number(2.5)),
            (2, CellValue::Bool(true)),
            (3, CellValue::Number(-7.0)),
        ]
    );
    assert!(book.notes.iter().any(|n| matches!(
        n,
        accrochage::workbook::BookNote::HiddenSheet { sheet } if sheet == "Cachée"
    )));
}

/// The xlsb gives its parameters in its Paramètres sheet, the CSV through the options: the
/// files written must be the same, byte for byte.
#[test]
fn an_xlsb_converts_to_the_same_xml_as_the_same_rows_in_csv() {
    let schema = Schema::cdc();
    let from_csv = convert(
        passages_csv().as_bytes(),
        "passages.csv",
        &schema,
        &options(PARAMS),
    )
    .unwrap();
    let bytes = xlsb(&[passages_sheet(), params_sheet()]);
    let from_xlsb = convert(&bytes, "passages.xlsb", &schema, &options(&[])).unwrap();
    assert!(!from_csv.has_errors(), "{:#?}", from_csv.findings);
    assert!(!from_xlsb.has_errors(), "{:#?}", from_xlsb.findings);
    assert_eq!(from_xlsb.summary.passages_written, 2);
    assert_eq!(from_xlsb.files.len(), from_csv.files.len());
    for (x, c) in from_xlsb.files.iter().zip(&from_csv.files) {
        assert_eq!(x.xml, c.xml);
    }
    assert!(
        from_xlsb.files[0].xml.contains(">01053<"),
        "{}",
        from_xlsb.files[0].xml
    );
}

/// Was: xlsb dates were always read in the 1900 calendar, four years and a day early for a
/// workbook counting from 1904 (old Mac Excel).
#[test]
fn an_xlsb_counting_from_1904_gives_its_dates_in_that_calendar() {
    let sheet = XSheet::new("Passages", vec![vec![Some(XCell::Date(SEPT_15 - 1462.0))]]);
    let bytes = support::xlsb::xlsb_with(&[sheet], "xl/workbook.bin", |p| {
        support::xlsb::after_begin_book(p, &support::xlsb::wb_prop_1904())
    });
    let book = read_workbook(&bytes, "mac.xlsb").unwrap();
    assert_eq!(
        book.date_system,
        accrochage::workbook::DateSystem::Excel1904
    );
    assert_eq!(
        book.sheets[0].rows[0].cells[0].value,
        CellValue::Date(CalendarDate {
            year: 2026,
            month: 9,
            day: 15
        })
    );
}

/// The fuzz seeds' xlsb (`fuzz/seeds/{workbook_read,convert}/*-xlsb.bin`: the format byte 4,
/// then an uncompressed zip, so that mutations fall on the records): the passages with their
/// parameters, and a workbook with every cell type, a hidden sheet, a defined name and the
/// 1904 calendar. `WRITE_FUZZ_SEEDS=1` writes them again after a change of the writer.
fn fuzz_seeds() -> Vec<(&'static str, Vec<u8>)> {
    use support::xlsb::*;
    let plain = xlsb_zip_stored(&xlsb_parts(&[passages_sheet(), params_sheet()]));
    let mut hidden = XSheet::new(
        "Cachée",
        vec![vec![
            Some(XCell::N(2.5)),
            Some(XCell::Bool(false)),
            Some(XCell::Rk(-7)),
            Some(XCell::Inline("x")),
        ]],
    );
    hidden.hidden = true;
    let mut parts = xlsb_parts(&[passages_sheet(), hidden]);
    let mut area = vec![0x3B];
    area.extend([0u8; 14]);
    let names = [
        extern_sheet(1),
        defined_name("_xlnm._FilterDatabase", &area),
    ]
    .concat();
    let book = std::mem::take(&mut parts[2].1);
    parts[2].1 = after_sheets(after_begin_book(book, &wb_prop_1904()), &names);
    let varied = xlsb_zip_stored(&parts);
    vec![
        ("passages-xlsb.bin", [&[4u8][..], &plain].concat()),
        ("types-noms-1904-xlsb.bin", [&[4u8][..], &varied].concat()),
    ]
}

#[test]
fn the_fuzz_seeds_are_the_writers_xlsb_and_read() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds");
    for (file, bytes) in fuzz_seeds() {
        let book = read_workbook(&bytes[1..], file).unwrap_or_else(|e| panic!("{file} : {e}"));
        assert_eq!(book.format, Format::Xlsb);
        for target in ["workbook_read", "convert"] {
            let path = root.join(target).join(file);
            if std::env::var_os("WRITE_FUZZ_SEEDS").is_some() {
                std::fs::write(&path, &bytes).unwrap();
            }
            let stored = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert!(stored == bytes, "{} diffère du générateur", path.display());
        }
    }
}
