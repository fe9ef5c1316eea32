//! Inputs that once crashed, hung or misbehaved, found by fuzzing (`fuzz/`) or by probing the
//! fuzz targets' edges; each is kept here, on stable, so the fix cannot regress. The bodies are
//! the fuzz targets' own (`accrochage::fuzzing`), plus the precise outcome expected.

mod support;

use accrochage::workbook::{read_workbook, ErrorKind};
use accrochage::xsd::{Schema, ValidationOptions};

const XS: &str = "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"";

fn nested_xsd(levels: usize) -> String {
    format!(
        "<xs:schema {XS}>\n{}{}</xs:schema>",
        "<xs:element name=\"r\"><xs:complexType><xs:sequence>".repeat(levels),
        "</xs:sequence></xs:complexType></xs:element>".repeat(levels)
    )
}

/// Was: the compiler recursed once per XSD level and overflowed the stack (an abort that no
/// catch_unwind stops, and a dead page in the browser, where the stack is about 1 MB).
#[test]
fn a_deeply_nested_xsd_is_refused_not_a_stack_overflow() {
    let xsd = nested_xsd(3000);
    accrochage::fuzzing::xsd_compile(xsd.as_bytes());
    let e = Schema::parse(&xsd).unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(
        e.to_string(),
        "schéma XSD, ligne 2 : le XSD imbrique plus de 128 niveaux d'éléments : ce n'est pas un schéma utilisable (celui de la CDC en compte moins de 20)"
    );
}

#[test]
fn a_reasonably_nested_xsd_still_compiles() {
    // 42 elements, each 3 XSD levels deep: 126 levels.
    let schema = Schema::parse(&nested_xsd(42)).expect("126 levels compile");
    let doc = "<r>".repeat(42) + &"</r>".repeat(42);
    let report = schema.validate_str(&doc, &ValidationOptions::default());
    assert!(report.is_valid(), "{:#?}", report.diagnostics);
}

/// Was: quick-xml's English « document nests elements deeper than the supported limit » went
/// to the user as is; the validate target now meets it with a French message.
#[test]
fn nesting_beyond_the_parser_limit_is_said_in_french() {
    let doc = "<a>".repeat(70_000);
    accrochage::fuzzing::validate(doc.as_bytes());
    let report = Schema::cdc().validate_str(&doc, &ValidationOptions::default());
    let d = report.errors().last().unwrap();
    assert_eq!(
        d.message,
        "Le fichier n'est pas un XML bien formé : les éléments sont imbriqués sur plus de 65535 niveaux : un flux de la CDC en compte moins de 10"
    );
}

/// Was: the XSD compiler passed quick-xml's English syntax errors through.
#[test]
fn a_malformed_xsd_is_said_in_french() {
    let e = Schema::parse(&format!(
        "<xs:schema {XS}>\n<xs:element name=\"a\">\n</xs:schema>"
    ))
    .unwrap_err();
    assert_eq!(
        e.message,
        "le fichier XSD n'est pas un XML bien formé : la balise fermante </xs:schema> ne correspond pas à l'élément ouvert <xs:element>"
    );
}

fn passages_xls() -> Vec<u8> {
    std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/workbooks/passages.xls"
    ))
    .unwrap()
}

/// The fuzz targets pick the file name from the first byte: 3 is `.xls`.
fn as_fuzz_input(bytes: &[u8]) -> Vec<u8> {
    let mut input = vec![3];
    input.extend_from_slice(bytes);
    input
}

/// Offset of the sheet's DIMENSIONS record (type 0x0200, 14 bytes) in the fixture: the
/// Workbook stream lies in the mini stream, contiguous in the file.
fn dimensions_at(xls: &[u8]) -> usize {
    memchr_find(xls, &[0x00, 0x02, 0x0E, 0x00]) + 4
}

fn memchr_find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len())
        .position(|w| w == needle)
        .expect("record present")
}

/// Was: calamine reserved rows × columns cells from the DIMENSIONS record as written: a
/// byte flip asked for 56 Go, an allocation failure that aborts the process (no panic to
/// catch) and kills the page in the browser. Found by `workbook_hostile::damaged_xls_files_never_panic`.
#[test]
fn a_forged_xls_dimensions_record_is_refused_not_an_allocation_abort() {
    let mut xls = passages_xls();
    let at = dimensions_at(&xls);
    xls[at + 4..at + 8].copy_from_slice(&0xFFFF_FFF0u32.to_le_bytes()); // last row + 1
    accrochage::fuzzing::workbook_read(&as_fuzz_input(&xls));
    accrochage::fuzzing::convert(&as_fuzz_input(&xls));
    let err = read_workbook(&xls, "geant.xls").unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge);
    assert!(
        err.message.starts_with(
            "Le classeur Excel 97-2003 (.xls) « geant.xls » déclare 21474836400 cellules (lignes × colonnes de ses feuilles)"
        ),
        "{err}"
    );
    assert!(
        err.message.contains("enregistrez-le au format .xlsx"),
        "{err}"
    );
}

/// Was: dimensions ending before they start made calamine subtract with overflow (a panic in
/// a debug build, a wrapped, huge reservation in release).
#[test]
fn xls_dimensions_ending_before_they_start_are_refused() {
    let mut xls = passages_xls();
    let at = dimensions_at(&xls);
    xls[at..at + 4].copy_from_slice(&10u32.to_le_bytes()); // first row 10, last row 4
    accrochage::fuzzing::workbook_read(&as_fuzz_input(&xls));
    let err = read_workbook(&xls, "abime.xls").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Damaged);
    assert_eq!(
        err.message,
        "Le classeur Excel 97-2003 (.xls) « abime.xls » est endommagé (les dimensions d'une feuille se terminent avant de commencer) : il n'est pas lu. Rouvrez-le dans votre tableur et enregistrez-le au format .xlsx"
    );
}

/// Was: one flipped byte in the shared strings gave a string the « formatting runs » flag at
/// the very end of the record; calamine read the run count past it and panicked (index out of
/// bounds in `read_rich_extended_string`). Found by the same loop, 31 093rd flip.
#[test]
fn an_xls_string_table_cut_inside_a_string_is_refused_not_a_panic() {
    let mut xls = passages_xls();
    xls[1640] = 1;
    accrochage::fuzzing::workbook_read(&as_fuzz_input(&xls));
    accrochage::fuzzing::convert(&as_fuzz_input(&xls));
    let err = read_workbook(&xls, "abime.xls").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Damaged);
    assert_eq!(
        err.message,
        "Le classeur Excel 97-2003 (.xls) « abime.xls » est endommagé (la table des textes partagés (SST) est coupée au milieu d'un texte) : il n'est pas lu. Rouvrez-le dans votre tableur et enregistrez-le au format .xlsx"
    );
}

#[test]
fn the_intact_xls_fixture_still_reads() {
    let book = read_workbook(&passages_xls(), "passages.xls").unwrap();
    assert!(book.sheets[0].rows.len() >= 2);
}

/// Was: calamine decodes each formula's tokens (for its formula text, which is never used
/// here) trusting the length written before them: a formula claiming 65 535 bytes of tokens
/// made it slice past its record and panic. The guard now empties every formula before
/// calamine sees the file; the values computed by the spreadsheet are still read.
#[test]
fn an_xls_formula_longer_than_its_record_is_not_decoded() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/workbooks/passages-formules.xls"
    );
    let mut xls = std::fs::read(path).unwrap();
    let before = read_workbook(&xls, "formules.xls").unwrap();
    // The first FORMULA record (type 6, 31 bytes): its token length is at byte 20 of its data.
    let at = memchr_find(&xls, &[0x06, 0x00, 0x1F, 0x00]) + 4 + 20;
    assert_eq!(&xls[at..at + 2], &[9, 0], "A2+1 takes 9 bytes of tokens");
    xls[at..at + 2].copy_from_slice(&[0xFF, 0xFF]);
    accrochage::fuzzing::workbook_read(&as_fuzz_input(&xls));
    accrochage::fuzzing::convert(&as_fuzz_input(&xls));
    let after = read_workbook(&xls, "formules.xls").unwrap();
    let cells = |b: &accrochage::workbook::Workbook| {
        b.sheets[0]
            .rows
            .iter()
            .map(|r| (r.number, r.cells.iter().map(|c| c.value.clone()).collect()))
            .collect::<Vec<(u32, Vec<_>)>>()
    };
    assert_eq!(cells(&after), cells(&before));
    assert_eq!(
        cells(&before)[1],
        (2, vec![accrochage::workbook::CellValue::Number(1990.0)])
    );
}

/// Was: calamine parses a cell reference such as `A99999999999` with unchecked arithmetic; a
/// debug build panicked (« attempt to multiply with overflow »), the shipped build wraps.
/// Since then the xlsx reader parses references itself and refuses such a file as damaged. Found by
/// `fuzz_smoke` with FUZZ_SMOKE_ITERATIONS=60000.
#[test]
fn an_xlsx_cell_reference_overflowing_u32_is_refused_not_a_panic() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Passages").unwrap();
    ws.write_string(0, 0, "idTechnique").unwrap();
    ws.write_string(1, 0, "T-1").unwrap();
    let xlsx = support::rezip(&wb.save_to_buffer().unwrap(), |name, xml| {
        if name.starts_with("xl/worksheets/") {
            xml.replace("r=\"A2\"", "r=\"A99999999999\"")
        } else {
            xml
        }
    });
    let mut input = vec![1]; // `.xlsx` for the fuzz targets
    input.extend_from_slice(&xlsx);
    accrochage::fuzzing::workbook_read(&input);
    accrochage::fuzzing::convert(&input);
    // The reader parses cell references itself (no calamine on the xlsx path any more): a row
    // number beyond u32 is a damaged file, said in French with the reference.
    let err = read_workbook(&xlsx, "debord.xlsx").unwrap_err();
    assert_eq!(err.kind, ErrorKind::Damaged, "{err}");
    assert!(
        err.message.starts_with(
            "Le classeur « debord.xlsx » ne peut pas être lu : son contenu est endommagé"
        ),
        "{err}"
    );
    assert!(err.message.contains("« A99999999999 »"), "{err}");
}

/// Was (the xlsb byte-change loop of `tests/workbook_hostile.rs`, before `xlsb_guard`): the
/// last byte of a cell's column changed to 0x9F put the cell in column 2 667 577 347; calamine
/// built the dense grid of 3 rows × 2,7 billion columns, asked for 256 Go and aborted the
/// process (no catch_unwind stops that, and the page dies in the browser).
#[test]
fn an_xlsb_cell_in_a_forged_column_is_refused_not_an_abort() {
    use support::xlsb::{xlsb_parts, xlsb_zip_stored, XSheet};
    let mut parts = xlsb_parts(&[XSheet::text(
        "Passages",
        &[
            &["idTechnique", "nomNaissance", "code"],
            &["T-1", "DUPONT", "01053"],
        ],
    )]);
    assert_eq!(parts[4].0, "xl/worksheets/sheet1.bin");
    // The first row's third cell: its column is bytes 74 to 77 of the part.
    assert_eq!(parts[4].1[74..78], [2, 0, 0, 0]);
    parts[4].1[77] = 0x9F;
    let bytes = xlsb_zip_stored(&parts);
    accrochage::fuzzing::workbook_read(&[&[4u8][..], &bytes].concat());
    let e = read_workbook(&bytes, "abime.xlsb").unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooLarge);
    assert!(e.message.contains("colonne 2667577347"), "{e}");
}
