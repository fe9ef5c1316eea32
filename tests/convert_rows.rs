//! Converter behaviour on CSV input: one base row that converts cleanly, then one defect at a time,
//! each expected to produce its diagnostic code on the right cell, and the XML checked again.

use accrochage::convert::{convert, Conversion, ConvertOptions, Level, LocalNow};
use accrochage::xsd::Schema;

const HEADER: &[&str] = &[
    "idTechnique",
    "type",
    "code",
    "natureDeposant",
    "obtentionCertification",
    "donneeCertifiee",
    "dateDebutExamen",
    "dateFinExamen",
    "modalitePassageExamen",
    "dateDebutValidite",
    "dateFinValidite",
    "presenceNiveauLangueEuro",
    "niveauLangueEuropeen",
    "presenceNiveauNumeriqueEuro",
    "scoreGeneral",
    "resultats",
    "scoring",
    "mentionValidee",
    "modaliteAcces",
    "voieAccessVAE",
    "dateInscription",
    "nomNaissance",
    "nomUsage",
    "prenom1",
    "anneeNaissance",
    "moisNaissance",
    "jourNaissance",
    "sexe",
    "codeInsee",
    "codePostal",
    "codePaysNaissance",
    "idDossier",
    "nomTitulaire",
    "prenom1Titulaire",
];

fn base_row(id: &str) -> Vec<(&'static str, String)> {
    let v = [
        ("idTechnique", id),
        ("type", "RNCP"),
        ("code", "RNCP34567"),
        ("natureDeposant", "CERTIFICATEUR"),
        ("obtentionCertification", "PAR_ADMISSION"),
        ("donneeCertifiee", "Oui"),
        ("dateDebutExamen", "01/09/2026"),
        ("dateFinExamen", "02/09/2026"),
        ("modalitePassageExamen", "EN_PRESENTIEL"),
        ("dateDebutValidite", "15/09/2026"),
        ("dateFinValidite", ""),
        ("presenceNiveauLangueEuro", "Non"),
        ("niveauLangueEuropeen", ""),
        ("presenceNiveauNumeriqueEuro", "Non"),
        ("scoreGeneral", ""),
        ("resultats", ""),
        ("scoring", ""),
        ("mentionValidee", ""),
        ("modaliteAcces", "CANDIDAT_LIBRE"),
        ("voieAccessVAE", ""),
        ("dateInscription", "01/06/2026"),
        ("nomNaissance", "DUPONT"),
        ("nomUsage", ""),
        ("prenom1", "Marie"),
        ("anneeNaissance", "1990"),
        ("moisNaissance", "3"),
        ("jourNaissance", "12"),
        ("sexe", "F"),
        ("codeInsee", "75056"),
        ("codePostal", ""),
        ("codePaysNaissance", ""),
        ("idDossier", ""),
        ("nomTitulaire", ""),
        ("prenom1Titulaire", ""),
    ];
    v.iter().map(|(k, v)| (*k, v.to_string())).collect()
}

fn csv(rows: &[Vec<(&'static str, String)>]) -> String {
    let mut out = HEADER.join(";");
    out.push('\n');
    for r in rows {
        let line: Vec<String> = HEADER
            .iter()
            .map(|h| {
                r.iter()
                    .find(|(k, _)| k == h)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        out.push_str(&line.join(";"));
        out.push('\n');
    }
    out
}

/// 2026-11-22 10:00 in Paris: within 3 months of the base row's 15/09/2026.
fn options() -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    o.params
        .insert("idClientEmetteur".into(), "ABCD1234".into());
    o.params
        .insert("idClientCertificateur".into(), "EFGH5678".into());
    o.params.insert("idContrat".into(), "MCF-2026-01".into());
    o.params.insert("idFlux".into(), "flux-test-1".into());
    o
}

fn run(rows: &[Vec<(&'static str, String)>]) -> Conversion {
    convert(
        csv(rows).as_bytes(),
        "passages.csv",
        &Schema::cdc(),
        &options(),
    )
    .expect("convertible")
}

fn with(id: &str, changes: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut r = base_row(id);
    for (k, v) in changes {
        match r.iter_mut().find(|(key, _)| key == k) {
            Some(slot) => slot.1 = v.to_string(),
            None => r.push((k, v.to_string())),
        }
    }
    r
}

fn codes(c: &Conversion) -> Vec<(&'static str, Level, String)> {
    c.findings
        .iter()
        .map(|f| (f.code, f.level, f.cell.clone()))
        .collect()
}

#[test]
fn a_clean_row_converts_to_valid_xml() {
    let c = run(&[base_row("P-1")]);
    let problems: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.level != Level::Info)
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(c.files.len(), 1);
    assert_eq!(c.summary.rows_read, 1);
    assert_eq!(c.summary.passages_written, 1);
    assert_eq!(c.summary.rows_excluded, 0);
    let f = &c.files[0];
    assert_eq!(f.id_flux, "flux-test-1");
    assert_eq!(f.name, "accrochage_RNCP34567_20261122-100000.xml");
    let xml = &f.xml;
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    assert!(xml.contains("<cpf:horodatage>2026-11-22T10:00:00+01:00</cpf:horodatage>"));
    assert!(xml.contains("<cpf:dateDebutValidite>2026-09-15</cpf:dateDebutValidite>"));
    assert!(xml.contains("<cpf:donneeCertifiee>true</cpf:donneeCertifiee>"));
    assert!(xml.contains("<cpf:dateFinValidite xsi:nil=\"true\"/>"));
    assert!(xml.contains("<cpf:nomUsage xsi:nil=\"true\"/>"));
    assert!(
        !xml.contains("<!--"),
        "no comments: the portal refuses them"
    );
    assert!(
        !xml.contains("voieAccessVAE"),
        "empty optional elements are omitted"
    );
    // Element order comes from the schema, not from the columns.
    let order = [
        "idTechnique",
        "obtentionCertification",
        "donneeCertifiee",
        "dateDebutExamen",
        "dateFinExamen",
        "modalitePassageExamen",
        "dateDebutValidite",
        "dateFinValidite",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|t| xml.find(&format!("<cpf:{t}")).unwrap())
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

#[test]
#[allow(clippy::type_complexity)] // a table of cases reads best inline
fn each_defect_gives_its_code_on_its_cell() {
    // (changes, expected code, level, expected cell or "" for the row)
    let cases: &[(&[(&str, &str)], &str, Level, &str)] = &[
        (
            &[("sexe", "Homme?")],
            "valeur-non-autorisee",
            Level::Erreur,
            "Passages!AB2",
        ),
        (
            &[("dateDebutValidite", "31/02/2026")],
            "date-inexistante",
            Level::Erreur,
            "Passages!J2",
        ),
        (
            &[("dateDebutValidite", "le 15 septembre")],
            "date-illisible",
            Level::Erreur,
            "Passages!J2",
        ),
        (
            &[("anneeNaissance", "1899")],
            "valeur-trop-petite",
            Level::Erreur,
            "Passages!Y2",
        ),
        (
            &[("moisNaissance", "13")],
            "valeur-trop-grande",
            Level::Erreur,
            "Passages!Z2",
        ),
        (
            &[("nomNaissance", &"É".repeat(61))],
            "valeur-trop-longue",
            Level::Erreur,
            "Passages!V2",
        ),
        (
            &[("codeInsee", "7505")],
            "longueur-exacte",
            Level::Erreur,
            "Passages!AC2",
        ),
        (
            &[("sexe", "")],
            "obligatoire-manquant",
            Level::Erreur,
            "Passages!AB2",
        ),
        (
            &[("sexe", "nil")],
            "nil-interdit",
            Level::Erreur,
            "Passages!AB2",
        ),
        (
            &[("donneeCertifiee", "peut-être")],
            "booleen-illisible",
            Level::Erreur,
            "Passages!F2",
        ),
        (
            &[("anneeNaissance", "1979.5")],
            "valeur-invalide",
            Level::Erreur,
            "Passages!Y2",
        ),
        (
            &[
                ("nomNaissance", ""),
                ("prenom1", ""),
                ("anneeNaissance", ""),
                ("moisNaissance", ""),
                ("jourNaissance", ""),
                ("sexe", ""),
                ("codeInsee", ""),
            ],
            "choix-vide",
            Level::Erreur,
            "Passages!2",
        ),
        (
            &[("resultats", "3:1:2:9")],
            "liste-mal-formee",
            Level::Erreur,
            "Passages!P2",
        ),
        (
            &[("resultats", "9:1:2")],
            "valeur-trop-grande",
            Level::Erreur,
            "Passages!P2",
        ),
        (
            &[("obtentionCertification", "PAR_SCORING")],
            "scoring-manquant",
            Level::Avertissement,
            "Passages!Q2",
        ),
        (
            &[("presenceNiveauLangueEuro", "Oui")],
            "niveau-europeen-absent",
            Level::Avertissement,
            "Passages!L2",
        ),
        (
            &[("niveauLangueEuropeen", "B2")],
            "niveau-europeen-inattendu",
            Level::Avertissement,
            "Passages!L2",
        ),
        (
            &[("voieAccessVAE", "CONGES_VAE")],
            "vae-incoherente",
            Level::Avertissement,
            "Passages!T2",
        ),
        (
            &[("codeInsee", "99109"), ("codePaysNaissance", "134")],
            "pays-incoherent",
            Level::Avertissement,
            "Passages!AE2",
        ),
        (
            &[("codeInsee", "99109")],
            "pays-suggere",
            Level::Info,
            "Passages!AE2",
        ),
        (
            &[("dateFinExamen", "01/08/2026")],
            "dates-incoherentes",
            Level::Avertissement,
            "Passages!H2",
        ),
        (
            &[("type", "CQP")],
            "type-certification",
            Level::Avertissement,
            "Passages!B2",
        ),
        (
            &[("code", "34567")],
            "code-certification",
            Level::Avertissement,
            "Passages!C2",
        ),
        (
            &[
                ("dateDebutValidite", "01/01/2026"),
                ("dateDebutExamen", ""),
                ("dateFinExamen", ""),
                ("dateInscription", ""),
            ],
            "delai-depasse",
            Level::Avertissement,
            "Passages!J2",
        ),
        (
            &[("dateDebutValidite", "01/01/2027")],
            "date-future",
            Level::Avertissement,
            "Passages!J2",
        ),
        (
            &[("jourNaissance", "31"), ("moisNaissance", "2")],
            "date-naissance-inexistante",
            Level::Avertissement,
            "Passages!AA2",
        ),
        (
            &[("jourNaissance", "")],
            "naissance-incomplete",
            Level::Info,
            "Passages!AA2",
        ),
        (
            &[("modalitePassageExamen", "en_presentiel")],
            "valeur-traduite",
            Level::Info,
            "Passages!I2",
        ),
    ];
    let schema_check = |c: &Conversion| {
        for f in &c.files {
            let report = Schema::cdc().validate_str(&f.xml, &Default::default());
            assert!(report.is_valid(), "{:?}", report.diagnostics);
        }
    };
    for (changes, code, level, cell) in cases {
        let c = run(&[with("P-1", changes)]);
        let found = codes(&c);
        assert!(
            found
                .iter()
                .any(|(c, l, at)| c == code && l == level && at == cell),
            "{changes:?}: expected {code} ({level:?}) at {cell}, got {found:#?}"
        );
        let excluded = *level == Level::Erreur;
        assert_eq!(
            c.summary.rows_excluded,
            usize::from(excluded),
            "{changes:?}"
        );
        assert_eq!(
            c.summary.passages_written,
            usize::from(!excluded),
            "{changes:?}"
        );
        // Every finding is in French and says what to do.
        for f in &c.findings {
            assert!(!f.message.is_empty() && !f.fix.is_empty(), "{f:?}");
        }
        schema_check(&c);
    }
}

#[test]
fn duplicate_id_is_an_error_on_the_second_row_only() {
    let c = run(&[base_row("P-1"), base_row("P-1"), base_row("P-2")]);
    let dup: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.code == "idtechnique-doublon")
        .collect();
    assert_eq!(dup.len(), 1);
    assert_eq!(dup[0].cell, "Passages!A3");
    assert!(dup[0].message.contains("ligne 2"), "{}", dup[0].message);
    assert_eq!(c.summary.passages_written, 2);
    assert_eq!(c.summary.rows_excluded, 1);
}

#[test]
fn passages_are_grouped_by_certification_in_order_of_first_appearance() {
    let rows = vec![
        with("A", &[("type", "RS"), ("code", "RS5678")]),
        base_row("B"),
        with("C", &[("type", "RS"), ("code", "RS5678")]),
    ];
    let c = run(&rows);
    let xml = &c.files[0].xml;
    assert_eq!(xml.matches("<cpf:certification>").count(), 2);
    let (a, b, cc) = (
        xml.find(">A<").unwrap(),
        xml.find(">B<").unwrap(),
        xml.find(">C<").unwrap(),
    );
    assert!(a < cc && cc < b, "RS group (A, C) first, then RNCP (B)");
    assert_eq!(c.files[0].name, "accrochage_multi_20261122-100000.xml");
}

#[test]
fn strict_mode_writes_nothing_when_an_error_exists() {
    let mut o = options();
    o.strict = true;
    let rows = [base_row("P-1"), with("P-2", &[("sexe", "X")])];
    let c = convert(csv(&rows).as_bytes(), "p.csv", &Schema::cdc(), &o).unwrap();
    assert!(c.files.is_empty());
    assert!(c.findings.iter().any(|f| f.code == "mode-strict"));
    assert_eq!(c.summary.rows_excluded, 2);
}

#[test]
fn output_is_split_beyond_max_passages_each_file_with_its_own_id() {
    let mut o = options();
    o.max_passages = Some(2);
    let rows: Vec<_> = (0..5).map(|i| base_row(&format!("P-{i}"))).collect();
    let c = convert(csv(&rows).as_bytes(), "p.csv", &Schema::cdc(), &o).unwrap();
    assert_eq!(c.files.len(), 3);
    let counts: Vec<usize> = c.files.iter().map(|f| f.passages).collect();
    assert_eq!(counts, vec![2, 2, 1]);
    let ids: Vec<&str> = c.files.iter().map(|f| f.id_flux.as_str()).collect();
    assert_eq!(ids, vec!["flux-test-1-1", "flux-test-1-2", "flux-test-1-3"]);
    assert!(c.files[2].name.ends_with("_3.xml"));
    for f in &c.files {
        assert!(Schema::cdc()
            .validate_str(&f.xml, &Default::default())
            .is_valid());
    }
}

#[test]
fn a_generated_id_flux_is_a_fresh_uuid_per_file() {
    let mut o = options();
    o.params.remove("idFlux");
    o.max_passages = Some(1);
    let rows = [base_row("P-1"), base_row("P-2")];
    let c = convert(csv(&rows).as_bytes(), "p.csv", &Schema::cdc(), &o).unwrap();
    assert_eq!(c.files.len(), 2);
    assert_ne!(c.files[0].id_flux, c.files[1].id_flux);
    assert_eq!(c.files[0].id_flux.len(), 36);
}

#[test]
fn missing_parameters_block_the_file_with_a_clear_message() {
    let mut o = options();
    o.params.remove("idContrat");
    o.params
        .insert("idClientEmetteur".into(), "TROP-LONG-ID".into());
    let c = convert(
        csv(&[base_row("P-1")]).as_bytes(),
        "p.csv",
        &Schema::cdc(),
        &o,
    )
    .unwrap();
    assert!(c.files.is_empty());
    let missing = c
        .findings
        .iter()
        .find(|f| f.code == "parametre-manquant")
        .expect("idContrat missing");
    assert!(missing.message.contains("idContrat"), "{}", missing.message);
    let invalid = c
        .findings
        .iter()
        .find(|f| f.code == "parametre-invalide")
        .expect("idClient too long");
    assert!(
        invalid.message.contains("8 caractères"),
        "{}",
        invalid.message
    );
}

#[test]
fn dossier_formation_branch_when_only_its_fields_are_given() {
    let row = with(
        "P-1",
        &[
            ("nomNaissance", ""),
            ("prenom1", ""),
            ("anneeNaissance", ""),
            ("moisNaissance", ""),
            ("jourNaissance", ""),
            ("sexe", ""),
            ("codeInsee", ""),
            ("idDossier", "D-123"),
            ("nomTitulaire", "DUPONT"),
            ("prenom1Titulaire", "Marie"),
        ],
    );
    let c = run(&[row]);
    assert_eq!(c.summary.passages_written, 1, "{:#?}", c.findings);
    let xml = &c.files[0].xml;
    assert!(xml.contains("<cpf:dossierFormation>") && !xml.contains("<cpf:titulaire>"));
}

#[test]
fn birthplace_unknown_becomes_a_nil_postal_code() {
    let c = run(&[with("P-1", &[("codeInsee", "")])]);
    assert_eq!(c.summary.passages_written, 1, "{:#?}", c.findings);
    assert!(c.files[0].xml.contains("<cpf:codePostalNaissance>\n"));
    assert!(c.files[0]
        .xml
        .contains("<cpf:codePostal xsi:nil=\"true\"/>"));
    let note = c
        .findings
        .iter()
        .find(|f| f.code == "lieu-naissance-absent")
        .expect("the missing birthplace is pointed out");
    assert_eq!(
        (note.level, note.cell.as_str()),
        (Level::Info, "Passages!AC2")
    );
    assert!(note.message.contains("lieu de naissance"));
}

#[test]
fn unknown_and_duplicate_columns_are_reported_not_used() {
    let text = "idTechnique;Remarques internes;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee;SEXE\n\
        P-1;à rappeler;RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056;M\n";
    let c = convert(text.as_bytes(), "p.csv", &Schema::cdc(), &options()).unwrap();
    let unknown = c
        .findings
        .iter()
        .find(|f| f.code == "colonne-inconnue")
        .unwrap();
    assert_eq!(unknown.cell, "Passages!B1");
    let dup = c
        .findings
        .iter()
        .find(|f| f.code == "colonne-en-double")
        .unwrap();
    assert_eq!(dup.cell, "Passages!O1");
    assert!(c.files[0].xml.contains("<cpf:sexe>F</cpf:sexe>"));
    assert!(!c.files[0].xml.contains("rappeler"));
}

#[test]
fn a_row_with_values_only_in_unknown_columns_is_reported() {
    let text = "idTechnique;Remarques;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee\n\
        P-1;;RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n\
        ;note seule\n";
    let c = convert(text.as_bytes(), "p.csv", &Schema::cdc(), &options()).unwrap();
    let f = c
        .findings
        .iter()
        .find(|f| f.code == "ligne-sans-colonne-reconnue")
        .expect("reported");
    assert_eq!(f.row, 3);
    assert_eq!(c.summary.rows_read, 2);
    assert_eq!(c.summary.rows_excluded, 1);
}

#[test]
fn a_flux_parameter_as_a_column_is_reported() {
    let base = csv(&[base_row("P-1")]);
    let mut lines: Vec<String> = base.lines().map(str::to_owned).collect();
    lines[0].push_str(";idContrat");
    lines[1].push_str(";MCF-X");
    let text = lines.join("\n");
    let c = convert(text.as_bytes(), "p.csv", &Schema::cdc(), &options()).unwrap();
    let f = c
        .findings
        .iter()
        .find(|f| f.code == "colonne-de-parametre")
        .expect("reported");
    assert_eq!(f.cell, "Passages!AI2");
    assert_eq!(c.summary.passages_written, 1);
}

#[test]
fn date_of_birth_in_one_column_fills_year_month_day() {
    let text = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;dateNaissance;sexe;codeInsee\n\
        P-1;RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;03/11/1990;F;75056\n";
    let c = convert(text.as_bytes(), "p.csv", &Schema::cdc(), &options()).unwrap();
    let xml = &c.files[0].xml;
    assert!(xml.contains("<cpf:anneeNaissance>1990</cpf:anneeNaissance>"));
    assert!(xml.contains("<cpf:moisNaissance>11</cpf:moisNaissance>"));
    assert!(xml.contains("<cpf:jourNaissance>3</cpf:jourNaissance>"));
}

#[test]
fn a_newer_schema_of_the_family_works_without_code_changes() {
    let xsd = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cdc-extended-action-nir.xsd"
    ))
    .unwrap();
    let schema = Schema::parse(&xsd).unwrap();
    let text = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;NIR\n\
        N-1;RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;2900375056123\n";
    let mut o = options();
    let c = convert(text.as_bytes(), "p.csv", &schema, &o).unwrap();
    assert!(c.files.is_empty());
    let missing = c
        .findings
        .iter()
        .find(|f| f.code == "parametre-manquant")
        .unwrap();
    assert!(missing.message.contains("action"), "{}", missing.message);
    o.params.insert("action".into(), "CREATION".into());
    let c = convert(text.as_bytes(), "p.csv", &schema, &o).unwrap();
    assert_eq!(c.summary.passages_written, 1, "{:#?}", c.findings);
    let xml = &c.files[0].xml;
    assert!(xml.contains("<cpf:action>CREATION</cpf:action>"));
    assert!(xml.contains("<cpf:identifiantNational>\n"));
    assert!(xml.contains("<cpf:nir>2900375056123</cpf:nir>"));
}

#[test]
fn the_same_information_on_every_row_is_reported_once_per_column() {
    let rows: Vec<_> = (1..=3)
        .map(|i| {
            with(
                &format!("ID-{i}"),
                &[("modalitePassageExamen", "Présentiel")],
            )
        })
        .collect();
    let c = run(&rows);
    let infos: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.code == "valeur-traduite")
        .collect();
    assert_eq!(infos.len(), 1, "{infos:#?}");
    assert_eq!(infos[0].cell, "Passages!I2");
    assert!(
        infos[0]
            .message
            .contains("de même pour 2 autres cellules de cette colonne, jusqu'à Passages!I4"),
        "{}",
        infos[0].message
    );
    assert_eq!(infos[0].fix, "Rien à faire : le libellé est accepté");
    assert_eq!(c.summary.passages_written, 3);
}

#[test]
fn interleaved_informations_keep_their_own_counts_and_last_cells() {
    let values = [
        "Présentiel",
        "À distance",
        "Présentiel",
        "Présentiel",
        "À distance",
    ];
    let rows: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| with(&format!("ID-{i}"), &[("modalitePassageExamen", *v)]))
        .collect();
    let c = run(&rows);
    let infos: Vec<(&str, &str)> = c
        .findings
        .iter()
        .filter(|f| f.code == "valeur-traduite")
        .map(|f| (f.cell.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(infos.len(), 2, "{infos:#?}");
    assert_eq!(infos[0].0, "Passages!I2");
    assert!(infos[0].1.contains("« EN_PRESENTIEL »"), "{}", infos[0].1);
    assert!(
        infos[0]
            .1
            .contains("de même pour 2 autres cellules de cette colonne, jusqu'à Passages!I5"),
        "{}",
        infos[0].1
    );
    assert_eq!(infos[1].0, "Passages!I3");
    assert!(
        infos[1]
            .1
            .contains("de même pour 1 autre cellule de cette colonne, jusqu'à Passages!I6"),
        "{}",
        infos[1].1
    );
}
