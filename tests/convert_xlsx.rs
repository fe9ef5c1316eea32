//! The whole path from an xlsx (typed cells, as users fill the template) to checked XML, and
//! the report of each workbook note (text cleaning, formulas, merged cells, hidden sheets,
//! encoding) through the converter.

mod support;

use accrochage::convert::{convert, Conversion, ConvertOptions, Level, LocalNow};
use accrochage::xsd::Schema;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

use support::MINIMAL_HEADER as HEADER;

/// 2026-11-22 10:00 in Paris: within 3 months of 15/09/2026.
fn options() -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    for (k, v) in [
        ("idClientEmetteur", "ABCD1234"),
        ("idClientCertificateur", "EFGH5678"),
        ("idContrat", "MCF-2026-01"),
        ("idFlux", "flux-test-1"),
    ] {
        o.params.insert(k.into(), v.into());
    }
    o
}

fn run(bytes: &[u8], name: &str) -> Conversion {
    convert(bytes, name, &Schema::cdc(), &options()).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(c: &'a Conversion, code: &str) -> &'a accrochage::convert::Finding {
    c.findings
        .iter()
        .find(|f| f.code == code)
        .unwrap_or_else(|| panic!("pas de {code} dans {:#?}", c.findings))
}

/// Writes the header and one typed row per id; `edit` may change the sheet further.
fn passages_xlsx(ids: &[&str], edit: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Passages").unwrap();
    let day = Format::new().set_num_format("dd/mm/yyyy");
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (i, id) in ids.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, *id).unwrap();
        ws.write_string(r, 1, "RNCP").unwrap();
        ws.write_string(r, 2, "RNCP34567").unwrap();
        ws.write_string(r, 3, "PAR_ADMISSION").unwrap();
        ws.write_boolean(r, 4, true).unwrap();
        let d = ExcelDateTime::from_ymd(2026, 9, 15).unwrap();
        ws.write_datetime_with_format(r, 5, &d, &day).unwrap();
        ws.write_string(r, 6, "Non").unwrap();
        ws.write_string(r, 7, "Non").unwrap();
        ws.write_string(r, 8, "DUPONT").unwrap();
        ws.write_string(r, 9, "Ame\u{301}lie").unwrap();
        ws.write_number(r, 10, 1990).unwrap();
        ws.write_string(r, 11, "F").unwrap();
        ws.write_string(r, 12, "01053").unwrap();
    }
    edit(&mut wb);
    wb.save_to_buffer().unwrap()
}

#[test]
fn an_xlsx_with_typed_cells_converts_to_valid_xml() {
    let bytes = passages_xlsx(&["T-1", "T-2"], |_| {});
    let c = run(&bytes, "passages.xlsx");
    assert_eq!(c.summary.rows_read, 2);
    assert_eq!(c.summary.passages_written, 2, "{:#?}", c.findings);
    assert_eq!(c.summary.errors, 0, "{:#?}", c.findings);
    let xml = &c.files[0].xml;
    assert!(xml.contains("<cpf:dateDebutValidite>2026-09-15</cpf:dateDebutValidite>"));
    assert!(xml.contains("<cpf:anneeNaissance>1990</cpf:anneeNaissance>"));
    assert!(xml.contains("<cpf:codeInsee>01053</cpf:codeInsee>"));
    assert!(xml.contains("<cpf:prenom1>Amélie</cpf:prenom1>"));
    assert!(xml.contains("<cpf:donneeCertifiee>true</cpf:donneeCertifiee>"));
    // The decomposed accent was composed, and said so, on its cell.
    let n = find(&c, "unicode-normalise");
    assert_eq!((n.level, n.cell.as_str()), (Level::Info, "Passages!J2"));
}

#[test]
fn a_code_typed_as_a_number_gets_its_zero_back() {
    let bytes = passages_xlsx(&["T-1"], |wb| {
        let ws = wb.worksheet_from_index(0).unwrap();
        ws.write_number(1, 12, 1053).unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_eq!(c.summary.passages_written, 1, "{:#?}", c.findings);
    assert!(c.files[0]
        .xml
        .contains("<cpf:codeInsee>01053</cpf:codeInsee>"));
}

#[test]
fn a_formula_without_result_excludes_its_row_with_one_error() {
    let bytes = passages_xlsx(&["T-1", "T-2"], |wb| {
        let ws = wb.worksheet_from_index(0).unwrap();
        ws.set_formula_result_default("");
        ws.write_formula(2, 8, "=UPPER(\"dupont\")").unwrap();
    });
    // Without `<v>`, as programs that do not calculate write it.
    let bytes = support::rezip(&bytes, |name, xml| {
        if name.starts_with("xl/worksheets/") {
            xml.replace("<v></v>", "").replace(" t=\"str\"", "")
        } else {
            xml
        }
    });
    let c = run(&bytes, "passages.xlsx");
    let f = find(&c, "formule-sans-resultat");
    assert_eq!((f.level, f.cell.as_str()), (Level::Erreur, "Passages!I3"));
    assert!(f.message.contains("nomNaissance"), "{}", f.message);
    assert!(f.fix.contains("Collage spécial"), "{}", f.fix);
    assert_eq!(f.value, "=UPPER(\"dupont\")");
    let errors = c
        .findings
        .iter()
        .filter(|f| f.row == 3 && f.level == Level::Erreur);
    assert_eq!(errors.count(), 1, "{:#?}", c.findings);
    assert_eq!(c.summary.passages_written, 1);
}

#[test]
fn merged_cells_and_a_hidden_passages_sheet_are_warned_about() {
    let bytes = passages_xlsx(&["T-1"], |wb| {
        let ws = wb.worksheet_from_index(0).unwrap();
        ws.merge_range(3, 0, 3, 2, "", &Format::new()).unwrap();
        ws.set_hidden(true);
        // A workbook keeps one visible, active sheet.
        let aide = wb.add_worksheet();
        aide.set_name("Aide").unwrap();
        aide.merge_range(0, 0, 0, 3, "Aide", &Format::new())
            .unwrap();
        aide.set_active(true);
    });
    let c = run(&bytes, "passages.xlsx");
    let m = find(&c, "cellules-fusionnees");
    assert_eq!(
        (m.level, m.cell.as_str()),
        (Level::Avertissement, "Passages!A4:C4")
    );
    assert!(m.message.contains("A4:C4") && m.fix.contains("fusion"));
    let h = find(&c, "feuille-masquee");
    assert_eq!(h.level, Level::Avertissement);
    assert!(h.message.contains("« Passages »"), "{}", h.message);
    // Only the sheets the conversion reads are reported: the extra « Aide » has no notes.
    assert!(c.findings.iter().all(|f| f.sheet != "Aide"));
}

fn csv_with(name_cell: &str) -> Vec<u8> {
    format!(
        "{}\nT-1;RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;{name_cell};Marie;1990;F;75056\n",
        HEADER.join(";")
    )
    .into_bytes()
}

#[test]
fn each_text_note_is_reported_on_its_cell_with_its_level() {
    let cases: &[(&str, &str, Level)] = &[
        ("\"DU\nPONT\"", "retour-a-la-ligne", Level::Avertissement),
        ("LE  GALL", "espaces-multiples", Level::Avertissement),
        (
            "DUPONT\u{200b}",
            "caractere-invisible",
            Level::Avertissement,
        ),
        ("DUP\u{1}ONT", "caractere-interdit", Level::Erreur),
        ("DUPONT\u{a0}", "espace-insecable", Level::Info),
        (" DUPONT", "espaces-retires", Level::Info),
    ];
    for (value, code, level) in cases {
        let c = run(&csv_with(value), "passages.csv");
        let f = find(&c, code);
        assert_eq!(
            (f.level, f.cell.as_str()),
            (*level, "Passages!I2"),
            "{code}"
        );
        assert!(f.message.contains("nomNaissance"), "{}", f.message);
        assert!(!f.fix.is_empty());
        let written = if *level == Level::Erreur { 0 } else { 1 };
        assert_eq!(
            c.summary.passages_written, written,
            "{code} : {:#?}",
            c.findings
        );
    }
}

#[test]
fn a_cell_of_control_characters_only_is_reported_not_dropped() {
    // Cleaned, the cell is empty: its row must still be refused and say why, in an optional
    // column (prenom2) as in a required one, and when it is the row's only cell.
    let bytes = format!(
        "{};prenom2\nT-1;RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056;\u{1}\u{2}\n;;;;;;;;\u{1};;;;;\n",
        HEADER.join(";")
    );
    let c = run(bytes.as_bytes(), "passages.csv");
    let cells: Vec<&str> = c
        .findings
        .iter()
        .filter(|f| f.code == "caractere-interdit")
        .map(|f| f.cell.as_str())
        .collect();
    // One finding per character removed (U+0001 and U+0002 in N2).
    assert_eq!(
        cells,
        ["Passages!N2", "Passages!N2", "Passages!I3"],
        "{:#?}",
        c.findings
    );
    assert!(c
        .findings
        .iter()
        .all(|f| f.code != "caractere-interdit" || f.level == Level::Erreur));
    assert_eq!(
        (
            c.summary.rows_read,
            c.summary.passages_written,
            c.summary.rows_excluded
        ),
        (2, 0, 2),
        "{:#?}",
        c.findings
    );
}

#[test]
fn a_cell_beyond_excels_length_is_an_error() {
    let long = "A".repeat(40_000);
    let c = run(&csv_with(&long), "passages.csv");
    let f = find(&c, "cellule-trop-longue");
    assert_eq!((f.level, f.cell.as_str()), (Level::Erreur, "Passages!I2"));
    assert!(f.message.contains("40000 caractères"), "{}", f.message);
    assert_eq!(c.summary.passages_written, 0);
}

#[test]
fn a_windows_1252_csv_is_read_and_said_so() {
    let bytes: Vec<u8> = String::from_utf8(csv_with("HÉLÈNE"))
        .unwrap()
        .chars()
        .map(|ch| match ch {
            'É' => 0xC9,
            'È' => 0xC8,
            c => c as u8,
        })
        .collect();
    let c = run(&bytes, "passages.csv");
    let f = find(&c, "encodage-windows-1252");
    assert_eq!(f.level, Level::Info);
    assert!(f.fix.contains("UTF-8"));
    assert!(c.files[0]
        .xml
        .contains("<cpf:nomNaissance>HÉLÈNE</cpf:nomNaissance>"));
}

#[test]
fn an_unreadable_file_stops_the_conversion_with_the_readers_message() {
    let err = convert(b"%PDF-1.4", "passages.xlsx", &Schema::cdc(), &options()).unwrap_err();
    assert!(err.to_string().contains("PDF"), "{err}");
}

/// The template with its examples, as a user downloads it, converts as it is: its Paramètres
/// sheet gives natureDeposant by its French label.
#[test]
fn the_template_with_examples_converts_without_error() {
    let schema = Schema::cdc();
    let xlsx = accrochage::template::write_template_with_examples(&schema).unwrap();
    let c = convert(
        &xlsx,
        "modele.xlsx",
        &schema,
        &ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60)),
    )
    .unwrap();
    assert_eq!(c.summary.errors, 0, "{:#?}", c.findings);
    assert_eq!(c.summary.passages_written, 3);
    assert!(c.files[0]
        .xml
        .contains("<cpf:natureDeposant>CERTIFICATEUR</cpf:natureDeposant>"));
}

#[test]
fn a_nature_deposant_parameter_outside_the_list_is_an_error_on_the_parameter() {
    let mut o = options();
    o.params.insert("natureDeposant".into(), "Organisme".into());
    let bytes = {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("Passages").unwrap();
        for (c, h) in HEADER.iter().enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        let row = [
            "P-1",
            "RNCP",
            "RNCP34567",
            "PAR_ADMISSION",
            "Oui",
            "15/09/2026",
            "Non",
            "Non",
            "DUPONT",
            "Marie",
            "1990",
            "F",
            "75056",
        ];
        for (c, v) in row.iter().enumerate() {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        wb.save_to_buffer().unwrap()
    };
    let c = convert(&bytes, "p.xlsx", &Schema::cdc(), &o).unwrap();
    let f = c
        .findings
        .iter()
        .find(|f| f.code == "parametre-invalide")
        .expect("the parameter is checked against the schema");
    assert_eq!(
        (f.level, f.column.as_str()),
        (Level::Erreur, "natureDeposant")
    );
    assert!(f.message.contains("CERTIFICATEUR"), "{}", f.message);
    assert!(c.files.is_empty());
}
