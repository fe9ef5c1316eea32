//! Hostile and broken inputs: each must end quickly in a clear French error or a correct read,
//! never a panic, a hang or an allocation the size of the declared dimensions.

mod support;

use std::time::{Duration, Instant};

use accrochage::workbook::{limits, read_workbook, ErrorKind, Workbook, WorkbookError};
use rust_xlsxwriter::Workbook as XWorkbook;

/// Reads with a time bound: a hostile file may fail, but not slowly. The bound only catches a
/// hang: the slowest case takes about 12 s in a debug build, and 28 s was seen on a machine
/// busy with a second build.
fn timed(bytes: &[u8], name: &str) -> Result<Workbook, WorkbookError> {
    let start = Instant::now();
    let result = read_workbook(bytes, name);
    assert!(
        start.elapsed() < Duration::from_secs(90),
        "{name} : {:?}",
        start.elapsed()
    );
    result
}

fn refused(bytes: &[u8], name: &str, kind: ErrorKind, words: &[&str]) -> String {
    let err = match timed(bytes, name) {
        Ok(_) => panic!("{name} aurait dû être refusé"),
        Err(e) => e,
    };
    assert_eq!(err.kind, kind, "{name} : {err}");
    assert!(
        err.message.contains(name),
        "le message doit nommer le fichier : {err}"
    );
    for w in words {
        assert!(err.message.contains(w), "« {w} » manque dans : {err}");
    }
    support::catalogue::record(name, &err.message);
    err.message
}

fn small_xlsx() -> Vec<u8> {
    let mut wb = XWorkbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Passages").unwrap();
    ws.write_string(0, 0, "idTechnique").unwrap();
    ws.write_string(1, 0, "T-1").unwrap();
    wb.save_to_buffer().unwrap()
}

/// [`small_xlsx`] with its sheet's XML changed by `edit`.
fn small_xlsx_edited(edit: impl Fn(String) -> String) -> Vec<u8> {
    support::rezip(&small_xlsx(), |name, xml| {
        if name == "xl/worksheets/sheet1.xml" {
            edit(xml)
        } else {
            xml
        }
    })
}

#[test]
fn empty_files_are_refused() {
    refused(b"", "vide.xlsx", ErrorKind::Empty, &["vide", "0 octet"]);
    refused(b" \r\n\n", "blanc.csv", ErrorKind::Empty, &["vide"]);
}

#[test]
fn other_kinds_of_files_say_what_they_look_like() {
    let cases: &[(&[u8], &str)] = &[
        (b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj", "PDF"),
        (b"\x89PNG\r\n\x1A\n\0\0\0\rIHDR", "PNG"),
        (b"\xFF\xD8\xFF\xE0\0\x10JFIF", "JPEG"),
        (b"<!DOCTYPE html><html><body><table>", "HTML"),
        (
            b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">",
            "XML 2003",
        ),
        (b"\x00\x01\x02\x03binaire\x00\x00", "binaire"),
    ];
    for (bytes, word) in cases {
        refused(
            bytes,
            "passages.xlsx",
            ErrorKind::NotAWorkbook,
            &[word, "n'est pas un classeur"],
        );
    }
    let docx = support::zip_of(&[("word/document.xml", b"<w:document/>")]);
    refused(&docx, "lettre.docx", ErrorKind::NotAWorkbook, &["Word"]);
    let other = support::zip_of(&[("photos/a.txt", b"rien")]);
    refused(
        &other,
        "archive.zip",
        ErrorKind::NotAWorkbook,
        &["décompressez"],
    );
    let word97 = ole(&["WordDocument"]);
    refused(&word97, "ancien.doc", ErrorKind::NotAWorkbook, &["Word 97"]);
}

#[test]
fn a_truncated_xlsx_is_reported_as_damaged() {
    let bytes = small_xlsx();
    for cut in [bytes.len() / 2, bytes.len() - 10, 30] {
        refused(
            &bytes[..cut],
            "coupe.xlsx",
            ErrorKind::Damaged,
            &["endommagé"],
        );
    }
}

/// An OLE (compound file) header whose directory names the given streams, as UTF-16LE.
fn ole(streams: &[&str]) -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    for s in streams {
        let mut entry: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        entry.resize(128, 0);
        bytes.extend(entry);
    }
    bytes.resize(2048, 0);
    bytes
}

#[test]
fn an_encrypted_workbook_asks_for_the_password_to_be_removed() {
    let bytes = ole(&["Root Entry", "EncryptionInfo", "EncryptedPackage"]);
    refused(
        &bytes,
        "protege.xlsx",
        ErrorKind::Encrypted,
        &["mot de passe"],
    );
}

/// The parts of a small xlsx, stored, with `part` replaced by a deflated run of `run` bytes.
fn bomb(part: &str, run: usize) -> Vec<u8> {
    let parts = support::unzip(&small_xlsx());
    let prefix = b"<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"1\"><si><t>";
    let suffix = b"</t></si></sst>";
    let data = support::deflate_run(prefix, b'A', run, suffix);
    let size = (prefix.len() + run + suffix.len()) as u32;
    let mut entries: Vec<(&str, u16, &[u8], u32)> = parts
        .iter()
        .filter(|(n, _)| n != part)
        .map(|(n, d)| (n.as_str(), 0, d.as_slice(), d.len() as u32))
        .collect();
    entries.push((part, 8, &data, size));
    support::raw_zip(&entries)
}

#[test]
fn a_zip_bomb_is_refused_before_inflating() {
    // 300 Mo of shared strings deflated to about 2 Mo.
    let shared = bomb("xl/sharedStrings.xml", 300_000_000);
    assert!(shared.len() < 3_000_000, "{}", shared.len());
    refused(
        &shared,
        "bombe.xlsx",
        ErrorKind::TooLarge,
        &["bombe zip", "xl/sharedStrings.xml", "300 Mo"],
    );
    // Worksheets stream, but not beyond the total limit.
    let sheet = bomb("xl/worksheets/sheet1.xml", 600_000_000);
    refused(
        &sheet,
        "bombe.xlsx",
        ErrorKind::TooLarge,
        &["600 Mo", "500 Mo"],
    );
}

#[test]
fn a_part_inflating_beyond_its_declared_size_is_stopped() {
    // The central directory says 1 Ko; the data would inflate to 50 Mo.
    let parts = support::unzip(&small_xlsx());
    let data = support::deflate_run(b"<sst><si><t>", b'A', 50_000_000, b"</t></si></sst>");
    let mut entries: Vec<(&str, u16, &[u8], u32)> = parts
        .iter()
        .filter(|(n, _)| n != "xl/sharedStrings.xml")
        .map(|(n, d)| (n.as_str(), 0, d.as_slice(), d.len() as u32))
        .collect();
    entries.push(("xl/sharedStrings.xml", 8, &data, 1000));
    let err = timed(&support::raw_zip(&entries), "menteur.xlsx").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Damaged, "{err}");
}

#[test]
fn a_sheet_declaring_every_cell_of_excel_is_read_as_what_it_holds() {
    let bytes = small_xlsx_edited(|xml| {
        let start = xml.find("<dimension ref=\"").unwrap();
        let end = start + xml[start..].find("/>").unwrap() + 2;
        format!(
            "{}<dimension ref=\"A1:XFD1048576\"/>{}",
            &xml[..start],
            &xml[end..]
        )
    });
    let book = timed(&bytes, "dimension.xlsx").unwrap();
    let rows = &book.sheets[0].rows;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].number, 2);
}

#[test]
fn a_cell_beyond_the_last_column_is_refused() {
    let bytes = small_xlsx_edited(|xml| xml.replace("r=\"A2\"", "r=\"XFE2\""));
    refused(
        &bytes,
        "hors-limite.xlsx",
        ErrorKind::TooLarge,
        &["16384 colonnes"],
    );
}

#[test]
fn a_row_end_inside_a_cell_is_reported_as_damaged() {
    // The sheet is read in windows that end after a </row>: one inside a cell is refused
    // wherever it falls, rather than the cell being cut in two.
    let bytes = small_xlsx_edited(|xml| xml.replacen("</v></c>", "</v></row></c>", 1));
    refused(
        &bytes,
        "ligne-dans-cellule.xlsx",
        ErrorKind::Damaged,
        &[
            "endommagé",
            "balise </row> à l'intérieur d'une cellule, en Passages!A1",
        ],
    );
}

#[test]
fn comments_among_the_rows_are_read_past() {
    let bytes =
        small_xlsx_edited(|xml| xml.replacen("</row>", "</row><!-- </row><row r=\"9\"> -->", 1));
    let book = timed(&bytes, "commentaire.xlsx").unwrap();
    let rows = &book.sheets[0].rows;
    assert_eq!(rows.iter().map(|r| r.number).collect::<Vec<_>>(), [1, 2]);
}

#[test]
fn a_workbook_without_sheets_is_refused() {
    let ods = support::ods(&[]);
    refused(&ods, "vide.ods", ErrorKind::NoSheet, &["aucune feuille"]);
}

#[test]
fn files_beyond_the_size_limit_are_refused_at_once() {
    let mut big = vec![b'a'; limits::MAX_INPUT_BYTES + 1];
    big[1] = b';';
    refused(&big, "enorme.csv", ErrorKind::TooLarge, &["100 Mo"]);
}

#[test]
fn csv_beyond_excels_rows_or_columns_is_refused() {
    let mut rows = String::with_capacity(3 * (limits::MAX_ROWS as usize + 1));
    for _ in 0..=limits::MAX_ROWS {
        rows.push_str("a\n");
    }
    refused(
        rows.as_bytes(),
        "lignes.csv",
        ErrorKind::TooLarge,
        &["1048576 lignes"],
    );
    let wide = ";".repeat(limits::MAX_COLUMNS as usize) + "x\n";
    refused(
        wide.as_bytes(),
        "colonnes.csv",
        ErrorKind::TooLarge,
        &["16384 colonnes"],
    );
}

#[test]
fn unterminated_quotes_and_stray_bytes_do_not_break_the_csv_reader() {
    let book = timed(b"a;b\n\"ouvert;jamais ferme\n", "guillemet.csv").unwrap();
    assert_eq!(book.sheets[0].rows.len(), 2);
    let book = timed(b"a;b\n\xFF\xFE\xFD;x\n", "octets.csv").unwrap();
    assert_eq!(book.sheets[0].rows[1].cells.len(), 2);
}

#[test]
fn an_ods_repeating_a_value_over_millions_of_cells_is_refused() {
    let content = r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet><table:table table:name="Passages"><table:table-row table:number-rows-repeated="1048576"><table:table-cell office:value-type="string" table:number-columns-repeated="16384"><text:p>x</text:p></table:table-cell></table:table-row></table:table></office:spreadsheet></office:body></office:document-content>"#;
    let bytes = support::zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", content.as_bytes()),
    ]);
    assert!(bytes.len() < 2_000);
    let limit = limits::MAX_CELLS.to_string();
    refused(
        &bytes,
        "repete.ods",
        ErrorKind::TooLarge,
        &["répétées", &limit],
    );
    // The same file with a sane repetition is read.
    let sane = content.replace("1048576", "3").replace("16384", "2");
    let bytes = support::zip_of(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.spreadsheet",
        ),
        ("content.xml", sane.as_bytes()),
        ("META-INF/manifest.xml", support::ODS_MANIFEST.as_bytes()),
    ]);
    let book = timed(&bytes, "repete.ods").unwrap();
    let rows = &book.sheets[0].rows;
    assert_eq!((rows.len(), rows[2].cells.len()), (3, 2));
}

#[test]
fn more_filled_cells_than_the_limit_are_refused() {
    let line = "a;".repeat(limits::MAX_COLUMNS as usize - 1) + "a\n";
    let rows = limits::MAX_CELLS / limits::MAX_COLUMNS as usize + 1;
    let csv = line.repeat(rows);
    let limit = limits::MAX_CELLS.to_string();
    refused(
        csv.as_bytes(),
        "cellules.csv",
        ErrorKind::TooLarge,
        &[&limit, "cellules remplies"],
    );
}

/// Every damaged copy of a real `.xls` (each truncation, then deterministic byte flips) must
/// end in a read or a French error: calamine's xls reader trusts the lengths and offsets it
/// finds in the file, and a panic there would kill the browser page (the wasm build aborts).
#[test]
fn damaged_xls_files_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/workbooks");
    let flips: usize = std::env::var("XLS_FLIPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4000);
    let mut failures = Vec::new();
    for file in ["passages.xls", "passages-1904.xls", "passages-formules.xls"] {
        let original = std::fs::read(dir.join(file)).unwrap();
        let mut check = |label: String, bytes: &[u8]| {
            let outcome = std::panic::catch_unwind(|| read_workbook(bytes, "abime.xls"));
            match outcome {
                Err(_) => failures.push(label),
                Ok(Err(e)) => assert!(
                    e.message.contains("abime.xls"),
                    "{label} : le message doit nommer le fichier : {e}"
                ),
                Ok(Ok(_)) => {}
            }
        };
        for len in 0..original.len() {
            check(format!("{file} coupé à {len} octets"), &original[..len]);
        }
        // xorshift64*: the same flips on every run, so a failure reproduces.
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        for i in 0..flips {
            let mut bytes = original.clone();
            let mut changed = Vec::new();
            for _ in 0..1 + next() % 3 {
                let at = (next() % bytes.len() as u64) as usize;
                let value = next() as u8;
                bytes[at] = value;
                changed.push((at, value));
            }
            check(format!("{file} modification {i} {changed:?}"), &bytes);
        }
    }
    assert!(
        failures.is_empty(),
        "{} lectures ont paniqué, dont : {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

// ---- .xlsb: calamine's reader trusts the records; `xlsb_guard` checks them first. ----

use support::xlsb::{self as xb, XCell, XSheet};

fn xlsb_sheets() -> Vec<XSheet<'static>> {
    vec![XSheet::text(
        "Passages",
        &[&["idTechnique", "nomNaissance"], &["T-1", "DUPONT"]],
    )]
}

/// The small xlsb with its first sheet's data records replaced by `data`.
fn xlsb_with_data(dims: Vec<u8>, data: &[u8]) -> Vec<u8> {
    xb::xlsb_with(&xlsb_sheets(), "xl/worksheets/sheet1.bin", |_| {
        xb::sheet_part(dims, data)
    })
}

fn cell_real(column: u32, value: f64) -> Vec<u8> {
    xb::record(
        xb::CELL_REAL,
        &[xb::cell_head(column, 0), value.to_le_bytes().to_vec()].concat(),
    )
}

/// What calamine alone does with the bytes: "panique", "erreur" or "lu".
fn calamine_alone(bytes: &[u8]) -> &'static str {
    use calamine::{Reader, Xlsb};
    let outcome = std::panic::catch_unwind(|| {
        let mut book = Xlsb::new(std::io::Cursor::new(bytes)).ok()?;
        let names: Vec<String> = book.sheet_names();
        names
            .iter()
            .map(|n| book.worksheet_range(n).ok())
            .collect::<Option<Vec<_>>>()
    });
    match outcome {
        Err(_) => "panique",
        Ok(None) => "erreur",
        Ok(Some(_)) => "lu",
    }
}

#[test]
fn a_truncated_xlsb_record_is_refused() {
    let mut data = xb::row_header(1);
    data.extend(cell_real(0, 1.0));
    let mut part = xb::sheet_part(xb::dimensions((0, 1), (0, 1)), &data);
    // Without the two closing records (3 bytes each) and the number's last 5 bytes.
    part.truncate(part.len() - 6 - 5);
    let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/worksheets/sheet1.bin", |_| part);
    refused(
        &bytes,
        "coupe.xlsb",
        ErrorKind::Damaged,
        &[
            "xl/worksheets/sheet1.bin",
            "s'arrête avant",
            "enregistrez-le au format .xlsx",
        ],
    );
}

/// calamine would reserve the 256 Mo the record announces before finding the part shorter.
#[test]
fn an_xlsb_record_longer_than_its_part_is_refused_before_any_allocation() {
    let mut data = xb::row_header(0);
    data.extend([xb::CELL_REAL as u8, 0xFF, 0xFF, 0xFF, 0x7F]);
    data.extend(xb::cell_head(0, 0));
    let bytes = xlsb_with_data(xb::dimensions((0, 0), (0, 0)), &data);
    refused(
        &bytes,
        "long.xlsb",
        ErrorKind::Damaged,
        &["annonce 268435455 octets"],
    );
}

#[test]
fn an_xlsb_declaring_every_cell_of_excel_is_read_as_what_it_holds() {
    let mut data = xb::row_header(0);
    data.extend(cell_real(0, 1.0));
    data.extend(cell_real(1, 2.0));
    let bytes = xlsb_with_data(xb::dimensions((0, 1_048_575), (0, 16_383)), &data);
    let book = timed(&bytes, "grand.xlsb").unwrap();
    assert_eq!(book.sheets[0].rows.len(), 1);
    assert_eq!(book.sheets[0].rows[0].cells.len(), 2);
}

/// calamine stops reading a sheet, without a word, at a row past Excel's last.
#[test]
fn an_xlsb_row_beyond_excels_last_is_refused_not_dropped() {
    let mut data = xb::row_header(0);
    data.extend(cell_real(0, 1.0));
    data.extend(xb::row_header(0x0020_0000));
    data.extend(cell_real(0, 2.0));
    let bytes = xlsb_with_data(xb::dimensions((0, 0), (0, 0)), &data);
    assert_eq!(calamine_alone(&bytes), "lu");
    refused(
        &bytes,
        "lignes.xlsb",
        ErrorKind::TooLarge,
        &["« Passages »", "ligne n° 2097153", "1048576 lignes"],
    );
}

#[test]
fn an_xlsb_cell_beyond_the_last_column_is_refused() {
    let mut data = xb::row_header(0);
    data.extend(cell_real(16_384, 1.0));
    let bytes = xlsb_with_data(xb::dimensions((0, 0), (0, 0)), &data);
    refused(
        &bytes,
        "colonnes.xlsb",
        ErrorKind::TooLarge,
        &["colonne 16385", "16384 colonnes"],
    );
}

/// Two cells at opposite corners of Excel's grid: calamine would build a dense grid of 17
/// billion cells (not run here without the guard: the allocation aborts the process).
#[test]
fn xlsb_cells_at_opposite_corners_are_refused_before_calamine_builds_the_grid() {
    let mut data = xb::row_header(0);
    data.extend(cell_real(0, 1.0));
    data.extend(xb::row_header(1_048_575));
    data.extend(cell_real(16_383, 2.0));
    let bytes = xlsb_with_data(xb::dimensions((0, 0), (0, 0)), &data);
    let grid = (1_048_576u64 * 16_384).to_string();
    refused(
        &bytes,
        "coins.xlsb",
        ErrorKind::TooLarge,
        &[
            &grid,
            &limits::MAX_XLSB_GRID.to_string(),
            "supprimez les lignes et colonnes",
        ],
    );
}

/// A sheet bomb: a million rows, each with one cell in one of ten columns, in a 33 Mo part
/// (stored, not deflated: deflating it in a debug build would take most of a minute).
#[test]
fn an_xlsb_sheet_of_a_million_rows_is_refused() {
    let mut data = Vec::with_capacity(35_000_000);
    for r in 0..1_000_000 {
        data.extend(xb::row_header(r));
        data.extend(xb::record(
            xb::CELL_RK,
            &[xb::cell_head(r % 10, 0), 6u32.to_le_bytes().to_vec()].concat(),
        ));
    }
    let mut parts = xb::xlsb_parts(&xlsb_sheets());
    parts[4].1 = xb::sheet_part(xb::dimensions((0, 0), (0, 0)), &data);
    drop(data);
    let bytes = xb::xlsb_zip_stored(&parts);
    refused(
        &bytes,
        "bombe.xlsb",
        ErrorKind::TooLarge,
        &["10000000 cases"],
    );
}

/// calamine copies a shared string into each cell showing it: 300 cells showing a
/// million-character string would cost 600 Mo.
#[test]
fn an_xlsb_repeating_a_long_shared_string_is_refused() {
    let long = "x".repeat(1_000_000);
    let mut sheet = XSheet::new("Passages", vec![]);
    for _ in 0..300 {
        sheet.rows.push(vec![Some(XCell::S(&long))]);
    }
    let bytes = xb::xlsb(&[sheet]);
    refused(
        &bytes,
        "textes.xlsb",
        ErrorKind::TooLarge,
        &[&limits::MAX_XLSB_SHARED_TEXT.to_string(), "textes partagés"],
    );
}

#[test]
fn an_xlsb_shared_string_index_out_of_range_is_refused() {
    let mut data = xb::row_header(1);
    data.extend(xb::record(
        xb::CELL_ISST,
        &[xb::cell_head(2, 0), 999u32.to_le_bytes().to_vec()].concat(),
    ));
    let bytes = xlsb_with_data(xb::dimensions((0, 1), (0, 2)), &data);
    assert_eq!(calamine_alone(&bytes), "panique");
    refused(
        &bytes,
        "index.xlsb",
        ErrorKind::Damaged,
        &["Passages!C2", "texte partagé n° 999", "n'en contient que 4"],
    );
}

#[test]
fn xlsb_records_shorter_than_their_type_are_refused() {
    // The dimensions in 4 bytes instead of 16, the first record long enough to read.
    let short_dims = xb::record(xb::WS_DIM, &[0; 4]);
    let bytes = xlsb_with_data(short_dims, &[]);
    assert_eq!(calamine_alone(&bytes), "panique");
    refused(
        &bytes,
        "dims.xlsb",
        ErrorKind::Damaged,
        &["BrtWsDim fait 4 octets"],
    );
    // A number cell cut after its column.
    let mut data = xb::row_header(0);
    data.extend(xb::record(xb::CELL_REAL, &[0; 4]));
    let bytes = xlsb_with_data(xb::dimensions((0, 0), (0, 0)), &data);
    refused(
        &bytes,
        "cellule.xlsb",
        ErrorKind::Damaged,
        &["cellule fait 4 octets"],
    );
}

#[test]
fn an_xlsb_sheet_without_its_relationship_is_refused() {
    let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/workbook.bin", |_| {
        xb::workbook_part(&xb::bundle_sheet(0, 1, "rId9", "Passages"))
    });
    assert_eq!(calamine_alone(&bytes), "panique");
    refused(&bytes, "relation.xlsb", ErrorKind::Damaged, &["« rId9 »"]);
}

#[test]
fn xlsb_defined_names_are_read_when_sound_and_refused_when_cut() {
    // `_xlnm._FilterDatabase` = Passages!$A$1:$B$2, as Excel writes for a filter.
    let mut area = vec![0x3B];
    area.extend(0u16.to_le_bytes());
    for v in [0u32, 1] {
        area.extend(v.to_le_bytes());
    }
    area.extend([0, 0, 1, 0]);
    let sound = [
        xb::extern_sheet(1),
        xb::defined_name("_xlnm._FilterDatabase", &area),
    ]
    .concat();
    let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/workbook.bin", |p| {
        xb::after_sheets(p, &sound)
    });
    assert_eq!(timed(&bytes, "nom.xlsb").unwrap().sheets[0].rows.len(), 2);
    // The same reference to a sheet the workbook does not list, then a reference cut short.
    for (label, records) in [
        ("feuille", xb::defined_name("x", &area)),
        (
            "coupé",
            [xb::extern_sheet(1), xb::defined_name("x", &[0x24, 1])].concat(),
        ),
    ] {
        let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/workbook.bin", |p| {
            xb::after_sheets(p, &records)
        });
        assert_eq!(calamine_alone(&bytes), "panique", "{label}");
        refused(
            &bytes,
            "nom.xlsb",
            ErrorKind::Damaged,
            &["formule d'un nom défini"],
        );
    }
}

/// Every damaged copy of a small xlsb — each part cut at each length, then deterministic byte
/// changes in the parts, zipped again with right checksums so that calamine sees the damaged
/// records — must end in a read or a French error naming the file.
#[test]
fn damaged_xlsb_files_never_panic() {
    let flips: usize = std::env::var("XLSB_FLIPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let mut sheet = XSheet::text(
        "Passages",
        &[
            &["idTechnique", "nomNaissance", "code"],
            &["T-1", "DUPONT", "01053"],
        ],
    );
    sheet.rows.push(vec![
        Some(XCell::Inline("T-2")),
        Some(XCell::Date(46280.0)),
        Some(XCell::N(2.5)),
        Some(XCell::Rk(1990)),
        Some(XCell::Bool(true)),
    ]);
    let mut area = vec![0x3B];
    area.extend([0u8; 14]);
    let names = [
        xb::extern_sheet(1),
        xb::defined_name("_xlnm._FilterDatabase", &area),
    ]
    .concat();
    let mut original = xb::xlsb_parts(&[sheet, XSheet::text("Paramètres", &[&["idFlux", "f-1"]])]);
    original[2].1 = xb::after_sheets(std::mem::take(&mut original[2].1), &names);
    let binary: Vec<usize> = (0..original.len())
        .filter(|&i| original[i].0.ends_with(".bin"))
        .collect();
    let mut failures = Vec::new();
    let mut check = |label: String, parts: &[(String, Vec<u8>)]| {
        let bytes = xb::xlsb_zip_stored(parts);
        match std::panic::catch_unwind(|| read_workbook(&bytes, "abime.xlsb")) {
            Err(_) => failures.push(label),
            Ok(Err(e)) => assert!(
                e.message.contains("abime.xlsb"),
                "{label} : le message doit nommer le fichier : {e}"
            ),
            Ok(Ok(_)) => {}
        }
    };
    for &p in &binary {
        for len in 0..original[p].1.len() {
            let mut parts = original.clone();
            parts[p].1.truncate(len);
            check(format!("{} coupé à {len} octets", parts[p].0), &parts);
        }
    }
    // xorshift64*: the same changes on every run, so a failure reproduces.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    for i in 0..flips {
        let mut parts = original.clone();
        let p = binary[(next() % binary.len() as u64) as usize];
        let mut changed = Vec::new();
        for _ in 0..1 + next() % 3 {
            let data = &mut parts[p].1;
            let at = (next() % data.len() as u64) as usize;
            let value = next() as u8;
            data[at] = value;
            changed.push((at, value));
        }
        check(
            format!("{} modification {i} {changed:?}", parts[p].0),
            &parts,
        );
    }
    // Changes to whole records: a byte change seldom makes a record of another type, or a
    // count, an index or a length at its extreme.
    const TYPES: &[u16] = &[
        0x00, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x13, 0x23, 0x25, 0x27, 0x2C,
        0x2F, 0x85, 0x90, 0x91, 0x92, 0x94, 0x99, 0x9C, 0x9F, 0x16A, 0x186, 0x267, 0x269,
    ];
    const WORDS: &[u32] = &[
        0,
        1,
        2,
        0xFF,
        0x3FFF,
        0x4000,
        0xF_FFFF,
        0x10_0000,
        0x7FFF_FFFF,
        u32::MAX,
    ];
    for i in 0..flips {
        let p = binary[(next() % binary.len() as u64) as usize];
        let mut records = split_records(&original[p].1);
        let mut changes = Vec::new();
        for _ in 0..1 + next() % 3 {
            let r = (next() % records.len() as u64) as usize;
            let change = next() % 6;
            let (typ, body) = &mut records[r];
            match change {
                0 => *typ = TYPES[(next() % TYPES.len() as u64) as usize],
                1 => body.truncate((next() % (body.len() as u64 + 1)) as usize),
                2 => body.extend((0..next() % 40).map(|_| next() as u8)),
                3 if body.len() >= 4 => {
                    let at = (next() % (body.len() as u64 - 3)) as usize;
                    let w = WORDS[(next() % WORDS.len() as u64) as usize];
                    body[at..at + 4].copy_from_slice(&w.to_le_bytes());
                }
                4 => {
                    let copy = records[r].clone();
                    records.insert(r, copy);
                }
                _ => {
                    records.remove(r);
                    if records.is_empty() {
                        break;
                    }
                }
            }
            changes.push((r, change));
        }
        let mut parts = original.clone();
        parts[p].1 = records
            .iter()
            .flat_map(|(t, b)| xb::record(*t, b))
            .collect();
        check(
            format!("{} enregistrements {i} {changes:?}", parts[p].0),
            &parts,
        );
    }
    assert!(
        failures.is_empty(),
        "{} lectures ont paniqué, dont : {:#?}",
        failures.len(),
        &failures[..failures.len().min(20)]
    );
}

/// calamine reads on without the shared strings when it cannot open their part (here, its
/// local header is damaged), and then a cell showing text indexes an empty table. The zip
/// check refuses the archive first (and the guard would count no shared string).
#[test]
fn an_xlsb_whose_shared_strings_cannot_be_opened_is_refused() {
    let mut bytes = xb::xlsb_zip_stored(&xb::xlsb_parts(&xlsb_sheets()));
    let name = b"xl/sharedStrings.bin";
    let at: Vec<usize> = (0..bytes.len() - name.len())
        .filter(|&i| &bytes[i..i + name.len()] == name)
        .collect();
    // [Content_Types].xml names the part too; then come the local header and the central one.
    let [.., local, _central] = at[..] else {
        panic!("{at:?}")
    };
    bytes[local - 30] = b'X'; // the local header's signature
    assert_eq!(calamine_alone(&bytes), "panique");
    refused(
        &bytes,
        "textes.xlsb",
        ErrorKind::Damaged,
        &["archive zip illisible"],
    );
}

/// calamine keeps every cell record of a sheet before building its grid, the same cell
/// written again and again included: 11 million records of one cell would cost it 440 Mo.
/// The xlsb `parts` with its first sheet replaced by `head`, `record` repeated `times` times and
/// `tail`, deflated. The other parts are stored with their CRC; the sheet's is never checked:
/// the guard stops long before the end of the part.
fn with_repeated_sheet(
    parts: &[(String, Vec<u8>)],
    head: &[u8],
    record: &[u8],
    times: usize,
    tail: &[u8],
) -> Vec<u8> {
    let sheet = support::deflate_repeat(head, record, times, tail);
    let size = (head.len() + record.len() * times + tail.len()) as u32;
    let mut entries: Vec<(&str, u16, &[u8], u32, u32)> = parts
        .iter()
        .filter(|(n, _)| n != "xl/worksheets/sheet1.bin")
        .map(|(n, d)| {
            (
                n.as_str(),
                0,
                d.as_slice(),
                d.len() as u32,
                support::crc32(d),
            )
        })
        .collect();
    entries.push(("xl/worksheets/sheet1.bin", 8, &sheet, size, 0));
    support::raw_zip_crc(&entries)
}

#[test]
fn an_xlsb_writing_one_cell_millions_of_times_is_refused() {
    let parts = xb::xlsb_parts(&xlsb_sheets());
    let cell = xb::record(
        xb::CELL_RK,
        &[xb::cell_head(0, 0), 6u32.to_le_bytes().to_vec()].concat(),
    );
    let times = limits::MAX_CELLS + 1_000_000;
    let mut head = xb::record(xb::BEGIN_SHEET, &[]);
    head.extend(xb::dimensions((0, 0), (0, 0)));
    head.extend(xb::record(xb::BEGIN_SHEET_DATA, &[]));
    head.extend(xb::row_header(0));
    let tail = [
        xb::record(xb::END_SHEET_DATA, &[]),
        xb::record(xb::END_SHEET, &[]),
    ]
    .concat();
    let bytes = with_repeated_sheet(&parts, &head, &cell, times, &tail);
    refused(
        &bytes,
        "repetee.xlsb",
        ErrorKind::TooLarge,
        &[&format!("plus de {} cellules remplies", limits::MAX_CELLS)],
    );
}

#[test]
fn damaged_xlsb_tables_and_parts_are_refused_with_what_is_wrong() {
    // A table of shared strings announcing more than it holds.
    let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/sharedStrings.bin", |mut p| {
        // BrtBeginSst: its type (2 bytes), its length, then the two counts.
        p[3..7].copy_from_slice(&9u32.to_le_bytes());
        p[7..11].copy_from_slice(&9u32.to_le_bytes());
        p
    });
    refused(
        &bytes,
        "table.xlsb",
        ErrorKind::Damaged,
        &["annonce 9 textes mais n'en contient que 4"],
    );
    // A defined name longer than its record.
    let mut name = xb::defined_name("x", &[]);
    name[2 + 9..2 + 13].copy_from_slice(&1000u32.to_le_bytes());
    let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/workbook.bin", |p| {
        xb::after_sheets(p, &name)
    });
    refused(
        &bytes,
        "nom.xlsb",
        ErrorKind::Damaged,
        &["un nom défini est plus long"],
    );
    // A sheet whose deflated data is not deflate: it cannot be inflated.
    let mut bytes = xb::xlsb(&xlsb_sheets());
    let part = b"xl/worksheets/sheet1.bin";
    let local = (0..bytes.len())
        .find(|&i| bytes[i..].starts_with(part))
        .unwrap();
    bytes[local + part.len()] = 0xFF; // reserved block type
    refused(
        &bytes,
        "inflate.xlsb",
        ErrorKind::Damaged,
        &["une partie de l'archive est illisible"],
    );
}

/// A well-formed part's records, as (type, body).
fn split_records(mut part: &[u8]) -> Vec<(u16, Vec<u8>)> {
    let mut out = Vec::new();
    while !part.is_empty() {
        let (typ, n) = if part[0] & 0x80 != 0 {
            ((part[0] & 0x7F) as u16 | ((part[1] & 0x7F) as u16) << 7, 2)
        } else {
            (part[0] as u16, 1)
        };
        part = &part[n..];
        let (mut len, mut n) = (0usize, 0);
        loop {
            len |= ((part[n] & 0x7F) as usize) << (7 * n);
            n += 1;
            if part[n - 1] & 0x80 == 0 {
                break;
            }
        }
        out.push((typ, part[n..n + len].to_vec()));
        part = &part[n + len..];
    }
    out
}

/// calamine reads a sheet's part once per sheet naming it, each found by comparing names with
/// all the others: many sheets naming the same data would keep it busy for hours.
#[test]
fn xlsb_sheets_naming_the_same_data_again_and_again_are_refused() {
    let bundles = |n: u32| -> Vec<u8> {
        (0..n)
            .flat_map(|i| xb::bundle_sheet(0, i + 1, "rId1", &format!("F{i}")))
            .collect()
    };
    let bytes = xb::xlsb_with(&xlsb_sheets(), "xl/workbook.bin", |_| {
        xb::workbook_part(&bundles(limits::MAX_XLSB_SHEETS as u32 + 1))
    });
    refused(
        &bytes,
        "feuilles.xlsb",
        ErrorKind::TooLarge,
        &["plus de 1000 feuilles", "supprimez les feuilles inutiles"],
    );
    // 20 sheets reading one 30 Mo part of blank cells (which calamine walks but keeps nothing
    // of): 600 Mo to read.
    let mut parts = xb::xlsb_parts(&xlsb_sheets());
    parts[2].1 = xb::workbook_part(&bundles(20));
    let blank = xb::record(0x0001, &xb::cell_head(0, 0));
    let times = 3_000_000;
    let head = [
        xb::record(xb::BEGIN_SHEET, &[]),
        xb::dimensions((0, 0), (0, 0)),
        xb::record(xb::BEGIN_SHEET_DATA, &[]),
    ]
    .concat();
    let tail = [
        xb::record(xb::END_SHEET_DATA, &[]),
        xb::record(xb::END_SHEET, &[]),
    ]
    .concat();
    refused(
        &with_repeated_sheet(&parts, &head, &blank, times, &tail),
        "memes.xlsb",
        ErrorKind::TooLarge,
        &[
            "600 Mo à lire",
            "limite de 500 Mo",
            "supprimez les feuilles inutiles",
        ],
    );
}
