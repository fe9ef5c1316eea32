//! One test per converter finding code that no other suite triggers: the smallest workbook
//! (typed xlsx cells when the code depends on a cell's type, CSV otherwise) that produces it,
//! and what the user reads: level, cell, column label, value, and the French message and fix.
//!
//! Four codes cannot come from the CDC schema itself (no dateTime in a passage, no totalDigits,
//! no minLength above 1, an idFlux generated to fit): they are triggered through a copy of the
//! CDC schema with one facet changed, as a user-supplied schema (`--schema`) may have.

mod support;

use accrochage::convert::{
    convert, Conversion, ConvertError, ConvertOptions, Finding, Level, LocalNow,
};
use accrochage::xsd::{Schema, CDC_XSD};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};

use support::MINIMAL_HEADER as HEADER;
const ROW: &[&str] = &[
    "T-1",
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

/// A CSV of the base row per id, with `changes` applied to every row (an unknown column is
/// added at the end, after M).
fn csv(rows: &[&[(&str, &str)]]) -> Vec<u8> {
    let mut header: Vec<&str> = HEADER.to_vec();
    for changes in rows {
        for (k, _) in changes.iter() {
            if !header.contains(k) {
                header.push(k);
            }
        }
    }
    let mut out = header.join(";");
    out.push('\n');
    for (i, changes) in rows.iter().enumerate() {
        let id = format!("T-{}", i + 1);
        let line: Vec<String> = header
            .iter()
            .enumerate()
            .map(|(c, h)| match changes.iter().find(|(k, _)| k == h) {
                Some((_, v)) => (*v).to_owned(),
                None if c == 0 => id.clone(),
                None => ROW.get(c).copied().unwrap_or_default().to_owned(),
            })
            .collect();
        out.push_str(&line.join(";"));
        out.push('\n');
    }
    out.into_bytes()
}

/// An xlsx with the base row typed as text in « Passages »; `edit` then overwrites cells (row 1
/// is the passage) or adds sheets.
fn xlsx(edit: impl FnOnce(&mut Workbook)) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Passages").unwrap();
    for (c, (h, v)) in HEADER.iter().zip(ROW).enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
        ws.write_string(1, c as u16, *v).unwrap();
    }
    edit(&mut wb);
    wb.save_to_buffer().unwrap()
}

fn passages(wb: &mut Workbook) -> &mut Worksheet {
    wb.worksheet_from_name("Passages").unwrap()
}

fn run_with(bytes: &[u8], name: &str, schema: &Schema, options: &ConvertOptions) -> Conversion {
    convert(bytes, name, schema, options).unwrap_or_else(|e| panic!("{e}"))
}

fn run(bytes: &[u8], name: &str) -> Conversion {
    run_with(bytes, name, &Schema::cdc(), &options())
}

fn find<'a>(c: &'a Conversion, code: &str) -> &'a Finding {
    let mut it = c.findings.iter().filter(|f| f.code == code);
    let f = it
        .next()
        .unwrap_or_else(|| panic!("pas de {code} dans {:#?}", c.findings));
    assert!(it.next().is_none(), "{code} en double : {:#?}", c.findings);
    f
}

/// What the user reads, checked in one go: level, cell, column label, value, and a fragment of
/// the message and of the fix.
#[track_caller]
fn assert_finding(
    f: &Finding,
    level: Level,
    cell: &str,
    column: &str,
    value: &str,
    message: &str,
    fix: &str,
) {
    assert_eq!(
        (
            f.level,
            f.cell.as_str(),
            f.column.as_str(),
            f.value.as_str()
        ),
        (level, cell, column, value),
        "{f:#?}"
    );
    assert!(f.message.contains(message), "message : {}", f.message);
    assert!(f.fix.contains(fix), "correction : {}", f.fix);
}

/// The CDC schema with `from` (which must occur once) replaced by `to`.
fn cdc_with(from: &str, to: &str) -> Schema {
    assert_eq!(CDC_XSD.matches(from).count(), 1, "{from}");
    Schema::parse(&CDC_XSD.replace(from, to)).unwrap_or_else(|e| panic!("{e}"))
}

fn day() -> Format {
    Format::new().set_num_format("dd/mm/yyyy")
}

#[test]
fn cellule_erreur_an_excel_error_value_excludes_the_row() {
    // rust_xlsxwriter writes a formula's cached result as text: the part is edited so that the
    // cell holds an error value, as Excel saves =1/0.
    let bytes = xlsx(|wb| {
        let f = Formula::new("=1/0").set_result("#DIV/0!");
        passages(wb).write_formula(1, 8, f).unwrap();
    });
    let bytes = support::workbooks::rezip(&bytes, |name, xml| {
        if name.contains("worksheets/sheet1") {
            xml.replace("t=\"str\"", "t=\"e\"")
        } else {
            xml
        }
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "cellule-erreur"),
        Level::Erreur,
        "Passages!I2",
        "nomNaissance",
        "#DIV/0!",
        "l'erreur Excel « #DIV/0! » au lieu d'une valeur pour nomNaissance",
        "Corrigez la formule",
    );
    assert_eq!((c.summary.rows_excluded, c.files.len()), (1, 0));
}

/// The CDC schema with an idFlux of at most 10 characters (shorter than a UUID).
fn cdc_with_short_id_flux() -> Schema {
    cdc_with(
        r#"<xs:element name="idFlux" type="cpf:texte1a50"/>"#,
        r#"<xs:element name="idFlux"><xs:simpleType><xs:restriction base="xs:string">
        <xs:maxLength value="10"/></xs:restriction></xs:simpleType></xs:element>"#,
    )
}

#[test]
fn erreur_interne_output_that_fails_the_schema_is_withheld() {
    // Split files take the given idFlux with a suffix (-1, -2): at the schema's maximum length,
    // the suffixed ids are too long and the files fail the final validation, the only guard
    // against a writer bug, which must not be bypassed.
    let schema = cdc_with_short_id_flux();
    let mut o = options();
    o.params.insert("idFlux".into(), "ABCDEFGHIJ".into());
    o.max_passages = Some(1);
    let c = run_with(&csv(&[&[], &[]]), "passages.csv", &schema, &o);
    let internal: Vec<&Finding> = c
        .findings
        .iter()
        .filter(|f| f.code == "erreur-interne")
        .collect();
    assert_eq!(internal.len(), 2, "{:#?}", c.findings);
    assert_finding(
        internal[0],
        Level::Erreur,
        "",
        "",
        "accrochage_RNCP34567_20261122-100000_1.xml",
        "Erreur interne d'accrochage : le XML produit (accrochage_RNCP34567_20261122-100000_1.xml) n'est pas valide (ligne ",
        "signaler ce problème aux développeurs",
    );
    assert!(
        internal[0].message.contains("idFlux"),
        "{}",
        internal[0].message
    );
    assert!(c.files.is_empty());
    assert_eq!(
        (c.summary.rows_excluded, c.summary.passages_written),
        (2, 0)
    );
}

#[test]
fn id_flux_genere_refuse_a_schema_that_does_not_take_a_uuid() {
    // Without an idFlux, one is generated (a UUID, 36 characters): a loaded schema that wants
    // 10 at most is told at once, on the parameter, instead of failing the finished file.
    let schema = cdc_with_short_id_flux();
    let mut o = options();
    o.params.remove("idFlux");
    let c = run_with(&csv(&[&[]]), "passages.csv", &schema, &o);
    let f = find(&c, "id-flux-genere-refuse");
    assert_eq!(
        (f.level, f.sheet.as_str(), f.column.as_str()),
        (Level::Erreur, "Paramètres", "idFlux")
    );
    assert_eq!(f.value.len(), 36, "{}", f.value);
    assert!(
        f.message.contains(
            "l'identifiant généré automatiquement (un UUID) ne convient pas au schéma chargé"
        ) && f.message.contains("10"),
        "{}",
        f.message
    );
    assert!(f.fix.contains("Renseignez vous-même idFlux"), "{}", f.fix);
    assert!(c.findings.iter().all(|f| f.code != "erreur-interne"));
    assert!(c.files.is_empty());
    assert_eq!(c.summary.rows_excluded, 1);
    // The bundled schema takes UUIDs: no such finding there.
    let c = run_with(&csv(&[&[]]), "passages.csv", &Schema::cdc(), &o);
    assert!(c.findings.iter().all(|f| f.code != "id-flux-genere-refuse"));
    assert_eq!(c.files.len(), 1);
}

#[test]
fn format_invalide_a_date_before_1900() {
    let c = run(
        &csv(&[&[("dateDebutExamen", "01/01/1850")]]),
        "passages.csv",
    );
    assert_finding(
        find(&c, "format-invalide"),
        Level::Erreur,
        "Passages!N2",
        "dateDebutExamen",
        "1850-01-01",
        "La valeur « 1850-01-01 » de dateDebutExamen n'a pas la forme exigée",
        "1900 à 2099",
    );
}

#[test]
fn heure_ignoree_a_date_with_a_time_keeps_the_date() {
    let bytes = xlsx(|wb| {
        let d = ExcelDateTime::from_ymd(2026, 9, 15)
            .unwrap()
            .and_hms(14, 30, 0)
            .unwrap();
        let f = Format::new().set_num_format("dd/mm/yyyy hh:mm");
        passages(wb)
            .write_datetime_with_format(1, 5, &d, &f)
            .unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "heure-ignoree"),
        Level::Info,
        "Passages!F2",
        "dateDebutValidite",
        "15/09/2026 14:30",
        "L'heure saisie dans dateDebutValidite est ignorée",
        "saisissez la date seule",
    );
    assert_eq!(c.summary.errors, 0, "{:#?}", c.findings);
    assert!(c.files[0]
        .xml
        .contains("<cpf:dateDebutValidite>2026-09-15</cpf:dateDebutValidite>"));
}

#[test]
fn horodatage_texte_a_date_cell_for_a_date_time_field() {
    // The CDC has no dateTime inside a passage: a schema where dateInscription is one.
    let schema = cdc_with(
        r#"<xs:element name="dateInscription" type="cpf:dateCDC" minOccurs="0"/>"#,
        r#"<xs:element name="dateInscription" type="xs:dateTime" minOccurs="0"/>"#,
    );
    let bytes = xlsx(|wb| {
        let ws = passages(wb);
        ws.write_string(0, 13, "dateInscription").unwrap();
        let d = ExcelDateTime::from_ymd(2026, 6, 1).unwrap();
        ws.write_datetime_with_format(1, 13, &d, &day()).unwrap();
    });
    let c = run_with(&bytes, "passages.xlsx", &schema, &options());
    assert_finding(
        find(&c, "horodatage-texte"),
        Level::Erreur,
        "Passages!N2",
        "dateInscription",
        "01/06/2026",
        "dateInscription doit être saisi comme un texte avec son décalage horaire (« 01/06/2026 » trouvé)",
        "2026-06-01T10:00:00+02:00",
    );
}

#[test]
fn nature_deposant_variable_two_natures_for_one_certification() {
    let c = run(
        &csv(&[
            &[("natureDeposant", "CERTIFICATEUR")],
            &[("natureDeposant", "TIERS_CONFIANCE")],
        ]),
        "passages.csv",
    );
    assert_finding(
        find(&c, "nature-deposant-variable"),
        Level::Avertissement,
        "Passages!N3",
        "natureDeposant",
        "TIERS_CONFIANCE",
        "diffère de celle de la ligne 2 pour la même certification",
        "la même nature du déposant pour toutes les lignes",
    );
    // A warning: both passages are sent, under the first row's nature.
    assert_eq!(c.summary.passages_written, 2, "{:#?}", c.findings);
    let xml = &c.files[0].xml;
    assert!(xml.contains("<cpf:natureDeposant>CERTIFICATEUR</cpf:natureDeposant>"));
    assert!(!xml.contains("TIERS_CONFIANCE"));
}

#[test]
fn nombre_converti_en_date_a_serial_without_date_format() {
    let bytes = xlsx(|wb| {
        passages(wb).write_number(1, 5, 46280).unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "nombre-converti-en-date"),
        Level::Avertissement,
        "Passages!F2",
        "dateDebutValidite",
        "46280",
        "dateDebutValidite contient le nombre 46280 (une date Excel sans format de date) : lu comme le 15/09/2026",
        "mettez la cellule au format Date",
    );
    assert!(c.files[0]
        .xml
        .contains("<cpf:dateDebutValidite>2026-09-15</cpf:dateDebutValidite>"));
}

#[test]
fn nombre_illisible_a_date_cell_for_a_number_field() {
    let bytes = xlsx(|wb| {
        let d = ExcelDateTime::from_ymd(1990, 1, 1).unwrap();
        passages(wb)
            .write_datetime_with_format(1, 10, &d, &day())
            .unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "nombre-illisible"),
        Level::Erreur,
        "Passages!K2",
        "anneeNaissance",
        "01/01/1990",
        "« 01/01/1990 » n'est pas un nombre pour anneeNaissance",
        "format Nombre",
    );
    assert_eq!(c.summary.rows_excluded, 1);
}

#[test]
fn nombre_illisible_a_boolean_cell_for_a_number_field() {
    let bytes = xlsx(|wb| {
        passages(wb).write_boolean(1, 10, true).unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "nombre-illisible"),
        Level::Erreur,
        "Passages!K2",
        "anneeNaissance",
        "VRAI",
        "« VRAI » n'est pas un nombre pour anneeNaissance",
        "Saisissez un nombre",
    );
}

#[test]
fn nombre_non_entier_a_decimal_for_an_int_field() {
    let bytes = xlsx(|wb| {
        passages(wb).write_number(1, 10, 1990.5).unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "nombre-non-entier"),
        Level::Erreur,
        "Passages!K2",
        "anneeNaissance",
        "1990.5",
        "anneeNaissance doit être un nombre entier (« 1990.5 » trouvé)",
        "sans décimale",
    );
    assert_eq!(c.summary.rows_excluded, 1);
}

#[test]
fn parametre_inconnu_a_key_the_schema_does_not_have() {
    let bytes = xlsx(|wb| {
        let ws = wb.add_worksheet();
        ws.set_name("Paramètres").unwrap();
        ws.write_string(0, 0, "champ").unwrap();
        ws.write_string(0, 1, "valeur").unwrap();
        ws.write_string(1, 0, "couleur").unwrap();
        ws.write_string(1, 1, "bleu").unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    let f = find(&c, "parametre-inconnu");
    assert_finding(
        f,
        Level::Avertissement,
        "Paramètres!A2",
        "champ",
        "couleur",
        "Le paramètre « couleur » n'est pas reconnu : il est ignoré",
        "Paramètres attendus : ",
    );
    assert!(f.fix.contains("idClientEmetteur"), "{}", f.fix);
    // The header row « champ | valeur » is not reported, and the passage is still sent.
    assert_eq!(c.summary.passages_written, 1, "{:#?}", c.findings);
}

#[test]
fn trop_de_chiffres_a_total_digits_facet() {
    let schema = cdc_with(
        r#"<xs:maxInclusive value="1000"/>"#,
        r#"<xs:totalDigits value="3"/>"#,
    );
    let bytes = csv(&[&[
        ("presenceNiveauNumeriqueEuro", "Oui"),
        ("scoreGeneral", "1000"),
    ]]);
    let c = run_with(&bytes, "passages.csv", &schema, &options());
    assert_finding(
        find(&c, "trop-de-chiffres"),
        Level::Erreur,
        "Passages!N2",
        "scoreGeneral",
        "1000",
        "La valeur « 1000 » de scoreGeneral a trop de chiffres : 3 au maximum",
        "3 chiffres au plus",
    );
}

#[test]
fn valeur_vide_a_value_under_min_length() {
    // The CDC's strings all have minLength 1 and blank cells are skipped before: only a longer
    // minimum can be missed.
    let schema = cdc_with(
        r#"<xs:element name="nomNaissance" type="cpf:texte1a60"/>"#,
        r#"<xs:element name="nomNaissance"><xs:simpleType><xs:restriction base="xs:string">
        <xs:minLength value="3"/></xs:restriction></xs:simpleType></xs:element>"#,
    );
    let c = run_with(
        &csv(&[&[("nomNaissance", "LI")]]),
        "passages.csv",
        &schema,
        &options(),
    );
    assert_finding(
        find(&c, "valeur-vide"),
        Level::Erreur,
        "Passages!I2",
        "nomNaissance",
        "LI",
        "La valeur « LI » de nomNaissance est trop courte : 2 caractères, au moins 3 attendus",
        "au moins 3 caractères",
    );
}

#[test]
fn zero_initial_retabli_a_code_typed_as_a_number() {
    let bytes = xlsx(|wb| {
        passages(wb).write_number(1, 12, 1053).unwrap();
    });
    let c = run(&bytes, "passages.xlsx");
    assert_finding(
        find(&c, "zero-initial-retabli"),
        Level::Avertissement,
        "Passages!M2",
        "codeInsee",
        "1053",
        "codeInsee était saisi comme un nombre (1053) : le zéro initial perdu par Excel est rétabli (01053)",
        "mettez la colonne au format Texte",
    );
    assert!(c.files[0]
        .xml
        .contains("<cpf:codeInsee>01053</cpf:codeInsee>"));
}

#[test]
fn no_passages_sheet_names_the_sheets_found() {
    // One data sheet is taken whatever its name: two leave no way to choose.
    let mut wb = Workbook::new();
    for name in ["Feuil1", "Feuil2"] {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        ws.write_string(0, 0, "idTechnique").unwrap();
    }
    let bytes = wb.save_to_buffer().unwrap();
    let e = convert(&bytes, "passages.xlsx", &Schema::cdc(), &options()).unwrap_err();
    assert_eq!(
        e,
        ConvertError::NoPassagesSheet {
            sheets: vec!["Feuil1".into(), "Feuil2".into()]
        }
    );
    let text = e.to_string();
    assert!(
        text.contains("n'a pas de feuille « Passages » (feuilles trouvées : Feuil1, Feuil2)"),
        "{text}"
    );
    assert!(text.contains("renommez la feuille des passages"), "{text}");
}
