//! The workbook reader on real files: xlsx written by rust_xlsxwriter (edited as XML where it
//! cannot write something), ODS and CSV built in memory, and one conversion from xlsx to XML.

mod support;

use accrochage::workbook::{
    clean_text, column_letters, format_number, parse_text_date, read_workbook, serial_to_date,
    BookNote, CalendarDate, Cell, CellValue, DateSystem, Format, Sheet, TextNote, Workbook,
};
use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Formula, Workbook as XWorkbook};

fn date(year: i32, month: u32, day: u32) -> CalendarDate {
    CalendarDate { year, month, day }
}

fn cell<'a>(sheet: &'a Sheet, reference: &str) -> Option<&'a Cell> {
    let split = reference.find(|c: char| c.is_ascii_digit()).unwrap();
    let (letters, digits) = reference.split_at(split);
    let row: u32 = digits.parse().unwrap();
    sheet
        .rows
        .iter()
        .find(|r| r.number == row)?
        .cells
        .iter()
        .find(|c| column_letters(c.column) == letters)
}

fn value(sheet: &Sheet, reference: &str) -> CellValue {
    cell(sheet, reference)
        .unwrap_or_else(|| panic!("pas de cellule {reference}"))
        .value
        .clone()
}

fn text(s: &str) -> CellValue {
    CellValue::Text(s.into())
}

fn xlsx(build: impl FnOnce(&mut XWorkbook)) -> Vec<u8> {
    let mut wb = XWorkbook::new();
    build(&mut wb);
    wb.save_to_buffer().unwrap()
}

fn read(bytes: &[u8], name: &str) -> Workbook {
    read_workbook(bytes, name).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn xlsx_cells_keep_their_types() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.set_name("Passages").unwrap();
        let day = XFormat::new().set_num_format("dd/mm/yyyy");
        let stamp = XFormat::new().set_num_format("dd/mm/yyyy hh:mm");
        ws.write_string(0, 0, "DUPONT").unwrap();
        ws.write_number(0, 1, 1990).unwrap();
        ws.write_number(0, 2, 12.5).unwrap();
        ws.write_boolean(0, 3, true).unwrap();
        let d = ExcelDateTime::from_ymd(2024, 4, 20).unwrap();
        ws.write_datetime_with_format(0, 4, &d, &day).unwrap();
        let dt = ExcelDateTime::parse_from_str("2024-04-20 10:30:00").unwrap();
        ws.write_datetime_with_format(0, 5, &dt, &stamp).unwrap();
        // The serial of 2024-04-20 without a date format stays a number for convert to judge.
        ws.write_number(0, 6, 45402).unwrap();
        ws.write_formula(0, 7, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
        ws.write_formula(0, 8, Formula::new("=1/0").set_result("#DIV/0!"))
            .unwrap();
        ws.write_formula(0, 9, Formula::new("=\"#VALUE!\"+1").set_result("#VALUE!"))
            .unwrap();
        ws.write_formula(0, 10, Formula::new("=B1+1").set_result("1991"))
            .unwrap();
        ws.write_formula(0, 11, Formula::new("=A1&\"X\"").set_result("DUPONTX"))
            .unwrap();
        ws.write_string(2, 0, "troisième ligne").unwrap();
    });
    let book = read(&bytes, "types.xlsx");
    assert_eq!(book.format, Format::Xlsx);
    assert_eq!(book.date_system, DateSystem::Excel1900);
    let s = book.sheet("passages").unwrap();
    assert_eq!(value(s, "A1"), text("DUPONT"));
    assert_eq!(value(s, "B1"), CellValue::Number(1990.0));
    assert_eq!(format_number(1990.0), "1990");
    assert_eq!(value(s, "C1"), CellValue::Number(12.5));
    assert_eq!(value(s, "D1"), CellValue::Bool(true));
    assert_eq!(value(s, "E1"), CellValue::Date(date(2024, 4, 20)));
    assert_eq!(
        value(s, "F1"),
        CellValue::DateTime(date(2024, 4, 20), 10 * 3600 + 30 * 60)
    );
    assert_eq!(value(s, "G1"), CellValue::Number(45402.0));
    assert_eq!(value(s, "H1"), CellValue::Error("#N/A".into()));
    assert_eq!(value(s, "I1"), CellValue::Error("#DIV/0!".into()));
    assert_eq!(value(s, "J1"), CellValue::Error("#VALEUR!".into()));
    assert_eq!(value(s, "K1"), CellValue::Number(1991.0));
    assert_eq!(value(s, "L1"), text("DUPONTX"));
    // Only non-empty rows, numbered as the spreadsheet shows them.
    let numbers: Vec<u32> = s.rows.iter().map(|r| r.number).collect();
    assert_eq!(numbers, vec![1, 3]);
    assert!(s.rows[0].cells.iter().all(|c| c.notes.is_empty()));
}

#[test]
fn a_formula_without_cached_result_is_reported_not_empty() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.set_name("Passages").unwrap();
        ws.write_number(0, 0, 2).unwrap();
        ws.write_formula(0, 1, "=A1*2").unwrap();
    });
    // Programs that do not compute formulas write `<f>` without `<v>`.
    let bytes = support::rezip(&bytes, |name, xml| {
        if name.starts_with("xl/worksheets/") {
            xml.replace("<v>0</v>", "")
        } else {
            xml
        }
    });
    let book = read(&bytes, "formules.xlsx");
    let c = cell(&book.sheets[0], "B1").expect("la cellule à formule doit être lue");
    assert_eq!(c.notes, vec![TextNote::FormulaWithoutValue]);
    assert_eq!(c.value, text("=A1*2"));
}

#[test]
fn the_1904_date_system_is_detected_and_used() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.set_name("Passages").unwrap();
        let day = XFormat::new().set_num_format("dd/mm/yyyy");
        // 43 940 days after 1904-01-01 is 2024-04-20.
        ws.write_number_with_format(0, 0, 43940, &day).unwrap();
    });
    let bytes = support::rezip(&bytes, |name, xml| {
        if name == "xl/workbook.xml" {
            xml.replacen("<workbookPr", "<workbookPr date1904=\"1\"", 1)
        } else {
            xml
        }
    });
    let book = read(&bytes, "mac.xlsx");
    assert_eq!(book.date_system, DateSystem::Excel1904);
    assert_eq!(
        value(&book.sheets[0], "A1"),
        CellValue::Date(date(2024, 4, 20))
    );
}

#[test]
fn merged_cells_and_hidden_sheets_are_read_and_noted() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.set_name("Passages").unwrap();
        ws.merge_range(0, 0, 0, 2, "Titre fusionné", &XFormat::new())
            .unwrap();
        ws.write_string(1, 0, "A2").unwrap();
        let hidden = wb.add_worksheet();
        hidden.set_name("Cachée").unwrap();
        hidden.write_string(0, 0, "secret").unwrap();
        hidden.set_hidden(true);
    });
    let book = read(&bytes, "fusion.xlsx");
    assert_eq!(value(&book.sheets[0], "A1"), text("Titre fusionné"));
    assert!(book.notes.contains(&BookNote::MergedCells {
        sheet: "Passages".into(),
        range: "A1:C1".into()
    }));
    let hidden = book.sheet("Cachée").unwrap();
    assert!(hidden.hidden);
    assert!(!book.sheets[0].hidden);
    assert_eq!(value(hidden, "A1"), text("secret"));
    assert!(book.notes.contains(&BookNote::HiddenSheet {
        sheet: "Cachée".into()
    }));
}

#[test]
fn the_last_column_and_row_of_excel_are_read_without_a_dense_grid() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "début").unwrap();
        ws.write_string(0, 16_383, "XFD1").unwrap();
        ws.write_string(1_048_575, 16_383, "fin").unwrap();
    });
    let start = std::time::Instant::now();
    let book = read(&bytes, "large.xlsx");
    assert!(start.elapsed().as_secs() < 5, "{:?}", start.elapsed());
    let s = &book.sheets[0];
    assert_eq!(value(s, "XFD1"), text("XFD1"));
    assert_eq!(value(s, "XFD1048576"), text("fin"));
    assert_eq!(s.rows.len(), 2);
    assert_eq!(s.rows[0].cells.len(), 2);
}

#[test]
fn text_cells_are_cleaned_with_each_change_noted() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "Ame\u{301}lie").unwrap();
        ws.write_string(0, 1, "Jean\u{a0}Pierre").unwrap();
        ws.write_string(0, 2, "DUP\u{1}ONT").unwrap();
        ws.write_string(0, 3, "  MARTIN ").unwrap();
        ws.write_string(0, 4, "ligne 1\nligne 2").unwrap();
        ws.write_string(0, 5, "LE  GALL").unwrap();
        ws.write_string(0, 6, "ZOE\u{200b}").unwrap();
        ws.write_string(0, 7, "   ").unwrap();
    });
    let book = read(&bytes, "texte.xlsx");
    let s = &book.sheets[0];
    let check = |r: &str, want: &str, notes: Vec<TextNote>| {
        let c = cell(s, r).unwrap();
        assert_eq!(c.value, text(want), "{r}");
        assert_eq!(c.notes, notes, "{r}");
    };
    check("A1", "Amélie", vec![TextNote::Normalized]);
    check("B1", "Jean Pierre", vec![TextNote::NonBreakingSpace]);
    check("C1", "DUPONT", vec![TextNote::IllegalXmlChar('\u{1}')]);
    check("D1", "MARTIN", vec![TextNote::Trimmed]);
    check("E1", "ligne 1 ligne 2", vec![TextNote::LineBreak]);
    check("F1", "LE GALL", vec![TextNote::RepeatedSpaces]);
    check("G1", "ZOE", vec![TextNote::InvisibleChar('\u{200b}')]);
    // Spaces alone are an empty cell.
    assert!(cell(s, "H1").is_none());
}

#[test]
fn a_ten_megabyte_cell_is_cut_at_excels_limit_and_noted() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "GRAND").unwrap();
    });
    let huge = "é".repeat(5_000_000);
    let bytes = support::rezip(&bytes, |name, xml| {
        if name == "xl/sharedStrings.xml" {
            xml.replace(">GRAND<", &format!(">{huge}<"))
        } else {
            xml
        }
    });
    let book = read(&bytes, "long.xlsx");
    let c = cell(&book.sheets[0], "A1").unwrap();
    assert_eq!(c.notes, vec![TextNote::TooLong { chars: 5_000_000 }]);
    match &c.value {
        CellValue::Text(t) => assert_eq!(t.chars().count(), 32_767),
        other => panic!("{other:?}"),
    }
}

#[test]
fn clean_text_handles_each_case_alone_and_together() {
    assert_eq!(clean_text("plain"), ("plain".into(), vec![]));
    assert_eq!(
        clean_text("a\r\nb"),
        ("a b".into(), vec![TextNote::LineBreak])
    );
    assert_eq!(
        clean_text("\u{feff}x\u{ad}y"),
        (
            "xy".into(),
            vec![
                TextNote::InvisibleChar('\u{feff}'),
                TextNote::InvisibleChar('\u{ad}')
            ]
        )
    );
    assert_eq!(
        clean_text("12\u{202f}000"),
        ("12 000".into(), vec![TextNote::NonBreakingSpace])
    );
    assert_eq!(
        clean_text("\u{b}\u{fffe}ok"),
        (
            "ok".into(),
            vec![
                TextNote::IllegalXmlChar('\u{b}'),
                TextNote::IllegalXmlChar('\u{fffe}')
            ]
        )
    );
    // Tab, line feed and carriage return are legal XML: they are spaces, not errors.
    assert_eq!(
        clean_text(" a\tb "),
        ("a b".into(), vec![TextNote::Trimmed, TextNote::LineBreak])
    );
}

#[test]
fn serial_numbers_follow_excels_two_calendars() {
    let s = |n: f64| serial_to_date(n, DateSystem::Excel1900);
    assert_eq!(s(1.0), Some((date(1900, 1, 1), 0)));
    assert_eq!(s(59.0), Some((date(1900, 2, 28), 0)));
    // Serial 60 is the 1900-02-29 that never existed.
    assert_eq!(s(60.0), None);
    assert_eq!(s(61.0), Some((date(1900, 3, 1), 0)));
    assert_eq!(s(45402.0), Some((date(2024, 4, 20), 0)));
    assert_eq!(s(45402.75), Some((date(2024, 4, 20), 18 * 3600)));
    assert_eq!(s(45_402.999_999_9), Some((date(2024, 4, 21), 0)));
    assert_eq!(s(2_958_465.0), Some((date(9999, 12, 31), 0)));
    assert_eq!(s(2_958_466.0), None);
    assert_eq!(s(0.5), None);
    assert_eq!(s(-1.0), None);
    assert_eq!(s(f64::NAN), None);
    let m = |n: f64| serial_to_date(n, DateSystem::Excel1904);
    assert_eq!(m(0.0), Some((date(1904, 1, 1), 0)));
    assert_eq!(m(43940.0), Some((date(2024, 4, 20), 0)));
}

#[test]
fn text_dates_are_french_or_iso_and_checked_on_the_calendar() {
    assert_eq!(parse_text_date("20/04/2024"), Some(date(2024, 4, 20)));
    assert_eq!(parse_text_date("3/1/1990"), Some(date(1990, 1, 3)));
    assert_eq!(parse_text_date("2024-04-20"), Some(date(2024, 4, 20)));
    assert_eq!(parse_text_date("29/02/2024"), Some(date(2024, 2, 29)));
    assert_eq!(parse_text_date("29/02/2023"), None);
    assert_eq!(parse_text_date("31/04/2024"), None);
    assert_eq!(parse_text_date("20/04/24"), None);
    assert_eq!(parse_text_date("2024/13/01"), None);
    assert_eq!(parse_text_date("le 20/04/2024"), None);
    assert_eq!(column_letters(0), "A");
    assert_eq!(column_letters(26), "AA");
    assert_eq!(column_letters(16_383), "XFD");
}

#[test]
fn ods_cells_are_read_with_their_types() {
    let bytes = support::ods(&[(
        "Passages",
        vec![
            vec![
                Some(("office:value-type=\"string\"", "idTechnique")),
                None,
                Some(("office:value-type=\"string\"", "code")),
            ],
            vec![
                Some(("office:value-type=\"string\"", "T-1")),
                Some(("office:value-type=\"float\" office:value=\"1990\"", "1990")),
                Some(("office:value-type=\"string\"", "01053")),
                Some((
                    "office:value-type=\"date\" office:date-value=\"2024-04-20\"",
                    "20/04/2024",
                )),
                Some((
                    "office:value-type=\"boolean\" office:boolean-value=\"true\"",
                    "VRAI",
                )),
                Some(("office:value-type=\"string\"", "Ame\u{301}lie")),
            ],
        ],
    )]);
    let book = read(&bytes, "passages.ods");
    assert_eq!(book.format, Format::Ods);
    let s = book.sheet("Passages").unwrap();
    assert_eq!(value(s, "A1"), text("idTechnique"));
    assert!(cell(s, "B1").is_none());
    assert_eq!(value(s, "C1"), text("code"));
    assert_eq!(value(s, "B2"), CellValue::Number(1990.0));
    assert_eq!(value(s, "C2"), text("01053"));
    assert_eq!(value(s, "D2"), CellValue::Date(date(2024, 4, 20)));
    assert_eq!(value(s, "E2"), CellValue::Bool(true));
    assert_eq!(cell(s, "F2").unwrap().notes, vec![TextNote::Normalized]);
}

fn csv_cells(book: &Workbook) -> Vec<(u32, u32, String)> {
    book.sheets[0]
        .rows
        .iter()
        .flat_map(|r| {
            r.cells.iter().map(move |c| match &c.value {
                CellValue::Text(t) => (r.number, c.column, t.clone()),
                other => panic!("CSV non textuel : {other:?}"),
            })
        })
        .collect()
}

fn cells(list: &[(u32, u32, &str)]) -> Vec<(u32, u32, String)> {
    list.iter()
        .map(|(r, c, t)| (*r, *c, t.to_string()))
        .collect()
}

#[test]
fn csv_separator_is_taken_from_the_header_line() {
    let semi = read("a;b,c\n1;2,5\n".as_bytes(), "x.csv");
    assert_eq!(
        csv_cells(&semi),
        cells(&[(1, 0, "a"), (1, 1, "b,c"), (2, 0, "1"), (2, 1, "2,5")])
    );
    let comma = read("a,b\n\"1;2\",01053\n".as_bytes(), "x.csv");
    assert_eq!(
        csv_cells(&comma),
        cells(&[(1, 0, "a"), (1, 1, "b"), (2, 0, "1;2"), (2, 1, "01053")])
    );
    // Excel's « Texte Unicode » export: UTF-16 with tabs.
    let mut tabs = vec![0xFF, 0xFE];
    tabs.extend(
        "a\tb;c\td\n1\t2\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    assert_eq!(
        csv_cells(&read(&tabs, "x.txt")),
        cells(&[
            (1, 0, "a"),
            (1, 1, "b;c"),
            (1, 2, "d"),
            (2, 0, "1"),
            (2, 1, "2")
        ])
    );
    assert_eq!(semi.sheets[0].name, "Passages");
    assert_eq!(semi.format, Format::Csv);
}

#[test]
fn csv_quotes_hold_separators_quotes_and_line_breaks() {
    let book = read(
        "nom;commentaire;x\r\n\"DUPONT; fils\";\"il a dit \"\"oui\"\"\npuis non\";1\r\n;;\r\nfin\r\n".as_bytes(),
        "q.csv",
    );
    let got = csv_cells(&book);
    assert_eq!(
        got,
        cells(&[
            (1, 0, "nom"),
            (1, 1, "commentaire"),
            (1, 2, "x"),
            (2, 0, "DUPONT; fils"),
            (2, 1, "il a dit \"oui\" puis non"),
            (2, 2, "1"),
            (4, 0, "fin"),
        ])
    );
    // The line break inside quotes is a line break of the value, reported as such.
    let c = &book.sheets[0].rows[1].cells[1];
    assert_eq!(c.notes, vec![TextNote::LineBreak]);
}

#[test]
fn csv_encodings_utf8_bom_utf16_and_windows_1252() {
    let want = cells(&[
        (1, 0, "prénom"),
        (1, 1, "nom"),
        (2, 0, "Zoé"),
        (2, 1, "01053"),
    ]);
    let text = "prénom;nom\nZoé;01053\n";
    let plain = read(text.as_bytes(), "u.csv");
    assert_eq!(csv_cells(&plain), want);
    assert!(plain.notes.is_empty());
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    assert_eq!(csv_cells(&read(&bom, "bom.csv")), want);
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(|u| u.to_le_bytes()));
    assert_eq!(csv_cells(&read(&le, "le.csv")), want);
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    assert_eq!(csv_cells(&read(&be, "be.csv")), want);
    let latin: Vec<u8> = text
        .chars()
        .map(|c| if c == 'é' { 0xE9 } else { c as u8 })
        .collect();
    let book = read(&latin, "win.csv");
    assert_eq!(csv_cells(&book), want);
    assert_eq!(book.notes, vec![BookNote::Windows1252]);
}

#[test]
fn the_file_name_is_only_a_hint() {
    // A CSV saved with an .xlsx name is still read, as a CSV.
    let book = read("a;b\n1;2\n".as_bytes(), "mal-nomme.xlsx");
    assert_eq!(book.format, Format::Csv);
    // A header that starts like a zip signature is still text.
    assert_eq!(read(b"PK;nom\n1;A\n", "cles.csv").format, Format::Csv);
    // And an xlsx named .csv as an xlsx.
    let bytes = xlsx(|wb| {
        wb.add_worksheet().write_string(0, 0, "x").unwrap();
    });
    assert_eq!(read(&bytes, "classeur.csv").format, Format::Xlsx);
}

#[test]
fn xls_files_are_read_with_their_date_system() {
    for (file, system) in [
        ("passages.xls", DateSystem::Excel1900),
        ("passages-1904.xls", DateSystem::Excel1904),
    ] {
        let path = format!(
            "{}/tests/fixtures/workbooks/{file}",
            env!("CARGO_MANIFEST_DIR")
        );
        let book = read(&std::fs::read(path).unwrap(), file);
        assert_eq!(book.format, Format::Xls, "{file}");
        assert_eq!(book.date_system, system, "{file}");
        let s = book.sheet("Passages").unwrap();
        let zoe = cell(s, "A2").unwrap();
        assert_eq!(zoe.value, text("Zoé"));
        assert_eq!(zoe.notes, vec![TextNote::Trimmed]);
        assert_eq!(value(s, "B2"), CellValue::Number(1990.0));
        assert_eq!(value(s, "C2"), CellValue::Date(date(2024, 4, 20)), "{file}");
        assert_eq!(value(s, "D2"), CellValue::Bool(true));
        assert_eq!(value(s, "E2"), text("01053"));
        assert_eq!(value(s, "A4"), text("fusion"));
        assert!(book.notes.contains(&BookNote::MergedCells {
            sheet: "Passages".into(),
            range: "A4:C4".into()
        }));
        assert!(book.sheet("Cachée").unwrap().hidden, "{file}");
        assert!(book.notes.contains(&BookNote::HiddenSheet {
            sheet: "Cachée".into()
        }));
    }
}
