//! The accusé de traitement: parsing both variants and every way a file can fail to be one,
//! the explanations, the reconciliation with a generated workbook and its XML, and the re-export
//! of the refused rows, which must convert back into a valid XML of exactly those passages.

mod support;

use std::io::Cursor;
use std::path::Path;

use accrochage::accuse::{
    explain, explain_rejection, export_ko, export_ko_book, is_accuse_column, parse_accuse,
    reconcile, reconcile_book, Reason, Sent, Status, ACCUSE_COLUMNS,
};
use accrochage::convert::{self, Conversion, ConvertOptions, LocalNow};
use accrochage::workbook::{self, Cell, CellValue, Row, Sheet, Workbook};
use accrochage::xsd::{Schema, ValidationOptions};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new("tests/fixtures/accuse").join(name)).unwrap()
}

// ---------------------------------------------------------------- parsing

#[test]
fn the_cdc_example_gives_both_lists() {
    let a = parse_accuse(&fixture("exemple-cdc.xml")).unwrap();
    assert_eq!(
        a.nom_fichier.as_deref(),
        Some("pix-cpf-export-20221003-324234.xml")
    );
    assert_eq!(a.id_flux.as_deref(), Some("1234-abcd"));
    assert_eq!(a.id_traitement.as_deref(), Some("1"));
    assert_eq!(a.ok, ["891011"]);
    assert_eq!(a.ko.len(), 2);
    assert_eq!(a.ko[0].id_technique, "1234");
    assert_eq!(
        a.ko[0].message,
        "Aucun titulaire ne correspond aux critères obligatoires"
    );
    assert_eq!(a.ko[1].id_technique, "4567");
    assert!(a.ko[1]
        .message
        .contains("l'id technique partenaire 1559735 existe déjà en base"));
    assert!(!a.is_rejected());
}

#[test]
fn prefixed_single_item_lists_and_character_references() {
    let a = parse_accuse(&fixture("un-seul-de-chaque.xml")).unwrap();
    assert_eq!(a.id_flux.as_deref(), Some("flux-42"));
    assert_eq!(a.ok, ["T-1"]);
    assert_eq!(a.ko.len(), 1);
    assert_eq!(a.ko[0].id_technique, "T-2");
    assert_eq!(a.ko[0].message, "Plusieurs titulaires ont été identifiés");
}

#[test]
fn empty_and_missing_lists_give_empty_lists() {
    for name in ["listes-vides.xml", "listes-absentes.xml"] {
        let a = parse_accuse(&fixture(name)).unwrap();
        assert!(
            a.ok.is_empty() && a.ko.is_empty() && a.erreurs.is_empty(),
            "{name}"
        );
        assert!(a.id_flux.is_some(), "{name}");
    }
}

#[test]
fn unknown_elements_comments_and_a_default_namespace_are_skipped() {
    let a = parse_accuse(&fixture("elements-en-plus.xml")).unwrap();
    assert_eq!(a.ok, ["T-7", "T-8"]);
    let ko: Vec<(&str, &str)> =
        a.ko.iter()
            .map(|k| (k.id_technique.as_str(), k.message.as_str()))
            .collect();
    assert_eq!(
        ko,
        [
            ("T-9", "Le titulaire existe déjà en base"),
            (
                "T-10",
                "Aucun titulaire ne correspond aux critères obligatoires enrichis du jour et du mois de naissance"
            )
        ]
    );
}

#[test]
fn a_bom_and_crlf_are_accepted() {
    let bytes = fixture("bom.xml");
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let a = parse_accuse(&bytes).unwrap();
    assert_eq!(a.id_flux.as_deref(), Some("flux-bom"));
    assert_eq!(a.ok, ["T-1"]);
}

#[test]
fn a_whole_file_rejection_keeps_line_and_column() {
    let a = parse_accuse(&fixture("rejet-xsd.xml")).unwrap();
    assert!(a.is_rejected());
    assert_eq!(a.id_flux, None);
    assert_eq!(a.id_traitement.as_deref(), Some("8"));
    assert_eq!(a.erreurs.len(), 1);
    let e = &a.erreurs[0];
    assert_eq!(e.kind, "XSD");
    assert_eq!((e.line, e.column), (Some(23), Some(64)));
    assert!(e.message.starts_with("cvc-maxLength-valid"));
}

fn refused(bytes: &[u8]) -> (String, String) {
    let e = parse_accuse(bytes).unwrap_err();
    (e.code.to_owned(), e.message)
}

#[test]
fn files_that_are_not_an_accuse_say_what_they_look_like() {
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (Vec::new(), "vide", "Le fichier est vide"),
        (b"  \n\t ".to_vec(), "vide", "Le fichier est vide"),
        (fixture("pas-xml.csv"), "pas-xml", "fichier CSV"),
        (b"Bonjour".to_vec(), "pas-xml", "commence par « Bonjour »"),
        (b"%PDF-1.7 ...".to_vec(), "pas-xml", "document PDF"),
        (
            accrochage::template::write_template(&Schema::cdc()).unwrap(),
            "pas-xml",
            "classeur Excel",
        ),
        (
            b"\xD0\xCF\x11\xE0\xA1\xB1".to_vec(),
            "pas-xml",
            "ancien classeur Excel",
        ),
        (b"\xFF\xFE<\x00r\x00".to_vec(), "pas-xml", "UTF-16"),
        (
            b"<rapport>\xE9</rapport>".to_vec(),
            "pas-xml",
            "pas un texte UTF-8",
        ),
        (
            fixture("mal-forme.xml"),
            "xml-mal-forme",
            "n'est pas un XML bien formé (ligne",
        ),
        (
            fixture("tronque.xml"),
            "xml-mal-forme",
            "l'accusé est tronqué",
        ),
        (
            b"<rapport><idFlux>&nbsp;</idFlux></rapport>".to_vec(),
            "xml-mal-forme",
            "« &nbsp; »",
        ),
        (fixture("dtd.xml"), "dtd", "DTD"),
        (fixture("flux-cdc.xml"), "flux-cdc", "flux d'accrochage"),
        (fixture("page-portail.html"), "html", "page web (HTML)"),
        (
            b"<html><body>x</body></html>".to_vec(),
            "html",
            "page web (HTML)",
        ),
        (
            b"<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><body/></html>"
                .to_vec(),
            "html",
            "page web (HTML)",
        ),
        (fixture("autre-racine.xml"), "autre-xml", "<facture>"),
        (
            fixture("rapport-inconnu.xml"),
            "autre-xml",
            "aucun des éléments",
        ),
        (b"<rapport/>".to_vec(), "autre-xml", "aucun des éléments"),
        (
            b"<?xml version=\"1.0\"?>".to_vec(),
            "vide",
            "aucun élément XML",
        ),
    ];
    for (bytes, code, words) in cases {
        let (got, message) = refused(&bytes);
        assert_eq!(got, code, "{message}");
        assert!(message.contains(words), "{code}: {message}");
        // Every refusal says how to get the right file.
        assert!(message.contains("portail"), "{message}");
    }
}

#[test]
fn the_dtd_is_refused_before_any_entity_is_read() {
    let (code, _) = refused(&fixture("dtd.xml"));
    assert_eq!(code, "dtd");
}

// ---------------------------------------------------------------- explanations

#[test]
fn each_known_message_has_its_explanation() {
    let cases = [
        ("Aucun titulaire ne correspond aux critères obligatoires", Reason::AucunTitulaire, true, "NIRisation"),
        ("Aucun titulaire ne correspond aux critères obligatoires enrichis du jour et du mois de naissance", Reason::AucunTitulaire, true, "même en tenant compte du jour et du mois"),
        ("Aucun titulaire ne correspond aux critères de réconciliation", Reason::AucunTitulaire, true, "NIRisation"),
        ("AUCUN TITULAIRE ne correspond aux criteres obligatoires", Reason::AucunTitulaire, true, "NIRisation"),
        ("Plusieurs titulaires ont été identifiés", Reason::PlusieursTitulaires, true, "Plusieurs personnes"),
        ("Le passage certification avec le bcr émetteur 03VML243 et l'id technique partenaire 1559735 existe déjà en base", Reason::PassageDejaEnBase, false, "déjà été accepté"),
        ("Le titulaire existe déjà en base", Reason::TitulaireDejaEnBase, false, "doublon"),
    ];
    for (message, reason, resend, words) in cases {
        let e = explain(message);
        assert_eq!(e.reason, reason, "{message}");
        assert_eq!(e.resend, resend, "{message}");
        assert!(
            e.explanation.contains(words),
            "{message}: {}",
            e.explanation
        );
    }
    // The état civil to check is spelled out.
    let fix = explain("Aucun titulaire ne correspond aux critères obligatoires").fix;
    for part in [
        "nom de naissance",
        "premier prénom",
        "sexe",
        "jour, mois et année",
        "commune de naissance",
        "nouveau fichier",
    ] {
        assert!(fix.contains(part), "{part}: {fix}");
    }
    assert!(explain("Le titulaire existe déjà en base")
        .fix
        .starts_with("Ne le renvoyez pas"));
    assert!(explain("Le passage certification avec le bcr émetteur X et l'id technique partenaire Y existe déjà en base").fix.contains("idTechnique jamais utilisé"));
}

#[test]
fn an_unknown_message_gets_generic_advice_quoting_it() {
    let e = explain("Erreur technique 0x42");
    assert_eq!(e.reason, Reason::Autre);
    assert!(e.resend);
    assert!(e.explanation.contains("« Erreur technique 0x42 »"));
    assert!(e.fix.contains("assistance de la Caisse des Dépôts"));
}

// ---------------------------------------------------------------- reconciliation

const HEADER: &str = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;moisNaissance;jourNaissance;sexe;codeInsee;commentaire interne";

fn row(id: &str, name: &str, sexe: &str) -> String {
    format!("{id};RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;{name};Marie;1990;3;12;{sexe};75056;note {id}")
}

/// Six passages, T-1 … T-6, on rows 2 to 7.
fn workbook_csv() -> String {
    let rows = [
        row("T-1", "DUPONT", "F"),
        row("T-2", "MARTIN", "F"),
        row("T-3", "BERNARD", "M"),
        row("T-4", "PETIT", "M"),
        row("T-5", "DURAND", "F"),
        row("T-6", "LEROY", "F"),
    ];
    format!("{HEADER}\n{}\n", rows.join("\n"))
}

/// 2026-11-22 10:00 in Paris.
fn options() -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    o.params
        .insert("idClientEmetteur".into(), "ABCD1234".into());
    o.params
        .insert("idClientCertificateur".into(), "EFGH5678".into());
    o.params.insert("idContrat".into(), "MCF-2026-01".into());
    o
}

fn sent_xml(csv: &str, id_flux: &str) -> String {
    let mut o = options();
    o.params.insert("idFlux".into(), id_flux.into());
    let c = convert::convert(csv.as_bytes(), "passages.csv", &Schema::cdc(), &o).unwrap();
    assert_eq!(c.files.len(), 1, "{:?}", c.findings);
    c.files[0].xml.to_string()
}

const KO_AUCUN: &str = "Aucun titulaire ne correspond aux critères obligatoires";
const KO_PLUSIEURS: &str = "Plusieurs titulaires ont été identifiés";
const KO_DEJA: &str = "Le passage certification avec le bcr émetteur ABCD1234 et l'id technique partenaire T-4 existe déjà en base";

/// T-1 and T-3 accepted, T-2, T-4 and T-5 refused, T-6 not mentioned, T-99 unknown.
fn accuse_xml(id_flux: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<rapport xmlns:ns2=\"urn:cdc:cpf:pc5:rapport:schema\">\n\
         <nomFichier>flux.xml</nomFichier><idFlux>{id_flux}</idFlux><idTraitement>9</idTraitement>\n<PassagesKO>\n\
         <passage><idTechnique>T-2</idTechnique><messageErreur>{KO_AUCUN}</messageErreur></passage>\n\
         <passage><idTechnique>T-4</idTechnique><messageErreur>{}</messageErreur></passage>\n\
         <passage><idTechnique>T-5</idTechnique><messageErreur>{KO_PLUSIEURS}</messageErreur></passage>\n\
         </PassagesKO>\n<PassagesOK><idTechnique>T-1</idTechnique><idTechnique>T-3</idTechnique><idTechnique>T-99</idTechnique></PassagesOK>\n</rapport>\n",
        KO_DEJA.replace('\'', "&apos;")
    )
}

#[test]
fn reconciling_a_workbook_and_its_xml() {
    let csv = workbook_csv();
    let xml = sent_xml(&csv, "flux-1");
    let accuse = parse_accuse(accuse_xml("flux-1").as_bytes()).unwrap();
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "passages.csv")),
        xml: Some(xml.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    let statuses: Vec<(&str, Status, Option<&str>)> = r
        .entries
        .iter()
        .map(|e| (e.id_technique.as_str(), e.status, e.cell.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("T-1", Status::Ok, Some("Passages!A2")),
            ("T-2", Status::Ko, Some("Passages!A3")),
            ("T-3", Status::Ok, Some("Passages!A4")),
            ("T-4", Status::Ko, Some("Passages!A5")),
            ("T-5", Status::Ko, Some("Passages!A6")),
            ("T-6", Status::Absent, Some("Passages!A7")),
        ]
    );
    // Lines point at each passage in the XML.
    for e in &r.entries {
        let line = e.line.expect("every passage has a line") as usize;
        let text = xml.lines().nth(line - 1).unwrap();
        assert!(text.contains("passageCertification"), "{line}: {text}");
        let next: String = xml.lines().skip(line).take(3).collect();
        assert!(next.contains(&format!(">{}<", e.id_technique)), "{next}");
    }
    let t2 = &r.entries[1];
    assert_eq!(t2.row, Some(3));
    assert_eq!(t2.cdc_message.as_deref(), Some(KO_AUCUN));
    assert!(t2
        .message
        .starts_with("Passages!A3 (idTechnique « T-2 ») : refusé"));
    assert!(t2.message.contains("nom de naissance"));
    assert!(r.entries[0].message.contains("ne le renvoyez jamais"));
    assert!(r.entries[5].message.contains("absent de l'accusé"));
    assert!(t2.to_resend() && r.entries[4].to_resend());
    assert!(!r.entries[3].to_resend(), "déjà en base: never re-sent");

    assert_eq!(r.unknown.len(), 1);
    assert_eq!(r.unknown[0].id_technique, "T-99");
    assert!(r.unknown[0].message.contains("« T-99 »"));
    assert!(r.notes.is_empty(), "{:?}", r.notes);

    let s = &r.summary;
    assert_eq!(
        (s.ok, s.ko, s.absent, s.unknown, s.to_resend),
        (2, 3, 1, 1, 2)
    );
    let by: Vec<(Reason, usize)> = s.by_reason.iter().map(|c| (c.reason, c.count)).collect();
    assert_eq!(
        by,
        [
            (Reason::AucunTitulaire, 1),
            (Reason::PlusieursTitulaires, 1),
            (Reason::PassageDejaEnBase, 1)
        ]
    );
    assert!(!r.all_ok());
    // The whole result serialises for the web page.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["entries"][1]["status"], "ko");
    assert_eq!(
        json["entries"][1]["explanation"]["reason"],
        "aucun-titulaire"
    );
    assert_eq!(json["summary"]["toResend"], 2);
}

#[test]
fn all_accepted_is_all_ok() {
    let csv = format!("{HEADER}\n{}\n", row("T-1", "DUPONT", "F"));
    let accuse = parse_accuse(&fixture("bom.xml")).unwrap();
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "passages.csv")),
        xml: None,
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    assert!(r.all_ok());
    assert_eq!(r.summary.ok, 1);
}

#[test]
fn reconciling_the_xml_alone_and_the_accuse_alone() {
    let xml = sent_xml(&workbook_csv(), "flux-1");
    let accuse = parse_accuse(accuse_xml("flux-1").as_bytes()).unwrap();
    let sent = Sent {
        workbook: None,
        xml: Some(xml.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    assert_eq!(r.entries.len(), 6);
    assert_eq!(r.entries[1].status, Status::Ko);
    assert_eq!(r.entries[1].cell, None);
    assert!(r.entries[1].message.starts_with("Ligne "));
    assert_eq!(r.unknown.len(), 1);

    let alone = reconcile(&accuse, &Sent::default(), &Schema::cdc()).unwrap();
    let ids: Vec<(&str, Status)> = alone
        .entries
        .iter()
        .map(|e| (e.id_technique.as_str(), e.status))
        .collect();
    assert_eq!(
        ids,
        [
            ("T-2", Status::Ko),
            ("T-4", Status::Ko),
            ("T-5", Status::Ko),
            ("T-1", Status::Ok),
            ("T-3", Status::Ok),
            ("T-99", Status::Ok)
        ]
    );
    assert!(alone.unknown.is_empty());
}

#[test]
fn remarks_about_the_inputs() {
    // Another flux, a duplicated id, a row without id, a passage absent from the workbook.
    let csv = workbook_csv();
    let xml = sent_xml(&csv, "flux-autre");
    let edited = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("T-1", "DUPONT", "F"),
        row("T-1", "DUPONT", "F"),
        row("", "SANSID", "F")
    );
    let accuse = parse_accuse(
        "<rapport><idFlux>flux-1</idFlux><PassagesKO><passage><idTechnique>T-1</idTechnique><messageErreur>x</messageErreur></passage></PassagesKO><PassagesOK><idTechnique>T-1</idTechnique></PassagesOK></rapport>".as_bytes(),
    )
    .unwrap();
    let sent = Sent {
        workbook: Some((edited.as_bytes(), "passages.csv")),
        xml: Some(xml.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    let codes: Vec<&str> = r.notes.iter().map(|n| n.code).collect();
    for code in [
        "idflux-different",
        "ok-et-ko",
        "idtechnique-en-double",
        "passage-hors-classeur",
    ] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let note = |code: &str| &r.notes.iter().find(|n| n.code == code).unwrap().message;
    assert!(note("idflux-different").contains("« flux-autre »"));
    assert!(note("idflux-different").contains("« flux-1 »"));
    assert!(note("idtechnique-en-double")
        .starts_with("Passages!A3 : l'idTechnique « T-1 » est aussi celui de Passages!A2"));
    assert!(note("ok-et-ko").contains("compté comme refusé"));
    assert!(note("passage-hors-classeur").contains("« T-2 »"));
    let no_id = r
        .entries
        .iter()
        .find(|e| e.id_technique.is_empty())
        .unwrap();
    assert_eq!(no_id.status, Status::Absent);
    assert!(no_id
        .message
        .starts_with("Passages!A4 : cette ligne n'a pas d'idTechnique"));
    assert_eq!(r.entries[0].status, Status::Ko);
}

#[test]
fn unreadable_inputs_are_reported_in_french() {
    let accuse = parse_accuse(&fixture("exemple-cdc.xml")).unwrap();
    let no_id = "type;code;nomNaissance;prenom1\nRS;RS1;A;B\n";
    let e = reconcile(
        &accuse,
        &Sent {
            workbook: Some((no_id.as_bytes(), "p.csv")),
            xml: None,
        },
        &Schema::cdc(),
    )
    .unwrap_err();
    assert!(e.0.contains("n'a pas de colonne idTechnique"), "{e}");
    let e = reconcile(
        &accuse,
        &Sent {
            workbook: None,
            xml: Some(b"<flux><passageCertification></flux>"),
        },
        &Schema::cdc(),
    )
    .unwrap_err();
    assert!(
        e.0.starts_with("Le fichier XML envoyé n'est pas bien formé (ligne 1"),
        "{e}"
    );
    let e = reconcile(
        &accuse,
        &Sent {
            workbook: None,
            xml: Some(b"<flux>\xE9</flux>"),
        },
        &Schema::cdc(),
    )
    .unwrap_err();
    assert!(e.0.contains("pas en UTF-8"), "{e}");
    let e = reconcile(
        &accuse,
        &Sent {
            workbook: None,
            xml: Some(b"<!DOCTYPE flux [<!ENTITY a 'b'>]><flux/>"),
        },
        &Schema::cdc(),
    )
    .unwrap_err();
    assert!(e.0.contains("DTD"), "{e}");
    for (xml, words) in [
        (
            &b"idTechnique;nom\nT-1;A\n"[..],
            "ne contient aucun élément XML",
        ),
        (
            &fixture("exemple-cdc.xml")[..],
            "commence par <rapport> et non par <flux>",
        ),
        (&b"<flux/>"[..], ""),
    ] {
        let result = reconcile(
            &accuse,
            &Sent {
                workbook: None,
                xml: Some(xml),
            },
            &Schema::cdc(),
        );
        match result {
            Err(e) => assert!(!words.is_empty() && e.0.contains(words), "{e}"),
            // An empty flux is read (no passage); the accusé's ids are then unknown.
            Ok(r) => assert!(words.is_empty() && r.entries.is_empty() && r.unknown.len() == 3),
        }
    }
    let e = reconcile(
        &accuse,
        &Sent {
            workbook: Some((b"%PDF-1.7\n\x00\x01\x02", "p.csv")),
            xml: None,
        },
        &Schema::cdc(),
    )
    .unwrap_err();
    assert!(
        e.0.starts_with("Le classeur « p.csv » ne peut pas être lu"),
        "{e}"
    );
}

/// The sent XML with T-3's sex made invalid, and the line of the change.
fn broken_xml() -> (String, u32) {
    let xml = sent_xml(&workbook_csv(), "flux-1");
    let start = xml.find("<cpf:idTechnique>T-3<").unwrap();
    let at = start + xml[start..].find("<cpf:sexe>M</cpf:sexe>").unwrap();
    let line = xml[..at].matches('\n').count() as u32 + 1;
    let mut broken = xml.clone();
    broken.replace_range(
        at..at + "<cpf:sexe>M</cpf:sexe>".len(),
        "<cpf:sexe>X</cpf:sexe>",
    );
    (broken, line)
}

fn rejection(line: u32) -> String {
    format!("<rapport><nomFichier>flux.xml</nomFichier><idTraitement>8</idTraitement><erreurs><erreur><type>XSD</type><message>cvc-enumeration-valid: Value 'X' is not facet-valid with respect to enumeration '[M, F]'.</message><ligne>{line}</ligne><colonne>30</colonne></erreur></erreurs></rapport>")
}

#[test]
fn a_rejection_is_mapped_to_its_passage_row_and_our_diagnosis() {
    let (broken, line) = broken_xml();
    let csv = workbook_csv();
    let accuse = parse_accuse(rejection(line).as_bytes()).unwrap();
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "passages.csv")),
        xml: Some(broken.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    assert!(r.summary.rejected);
    assert!(r.entries.iter().all(|e| e.status == Status::FichierRejete));
    assert_eq!(r.summary.to_resend, 6);
    assert!(r.entries[0]
        .message
        .contains("Le fichier entier a été rejeté"));
    assert_eq!(r.rejection.len(), 1);
    let spot = &r.rejection[0];
    assert_eq!(spot.id_technique.as_deref(), Some("T-3"));
    assert_eq!(spot.cell.as_deref(), Some("Passages!A4"));
    assert_eq!(spot.row, Some(4));
    assert_eq!(spot.diagnostics.len(), 1);
    assert_eq!(spot.diagnostics[0].line, line);
    assert!(spot.diagnostics[0].path.ends_with("/sexe"));
    assert!(spot.message.contains("passage d'idTechnique « T-3 »"));
    assert!(spot.message.contains("ligne 4 du classeur (Passages!A4)"));
    assert!(spot.message.contains("diagnostic d'accrochage"));
    assert!(spot.message.contains(&format!("ligne {line}, colonne 30")));
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn a_rejection_outside_the_passages_or_without_the_xml() {
    let (broken, _) = broken_xml();
    let accuse = parse_accuse(rejection(3).as_bytes()).unwrap();
    let r = reconcile(
        &accuse,
        &Sent {
            workbook: None,
            xml: Some(broken.as_bytes()),
        },
        &Schema::cdc(),
    )
    .unwrap();
    assert_eq!(r.rejection[0].id_technique, None);
    assert!(r.rejection[0].message.contains("hors des passages"));

    let r = reconcile(&accuse, &Sent::default(), &Schema::cdc()).unwrap();
    assert_eq!(r.notes[0].code, "xml-necessaire");
    assert!(r.notes[0].message.contains("--xml"));

    // A valid XML for a rejected deposit: probably not the file that was sent.
    let valid = sent_xml(&workbook_csv(), "flux-1");
    let r = reconcile(
        &accuse,
        &Sent {
            workbook: None,
            xml: Some(valid.as_bytes()),
        },
        &Schema::cdc(),
    )
    .unwrap();
    assert_eq!(r.notes[0].code, "xml-valide-ici");
}

// ---------------------------------------------------------------- re-export

/// Reads an .xlsx with the library's own reader.
fn read_xlsx(bytes: &[u8]) -> Workbook {
    workbook::read_workbook(bytes, "ko.xlsx").unwrap()
}

/// Converts the re-exported workbook as a user would: the whole file through the converter.
fn convert_back(xlsx: &[u8], options: &ConvertOptions) -> Conversion {
    convert::convert(xlsx, "ko.xlsx", &Schema::cdc(), options).unwrap()
}

fn text_of(sheet: &Sheet, row: u32, column: u32) -> Option<String> {
    sheet
        .rows
        .iter()
        .find(|r| r.number == row)?
        .cells
        .iter()
        .find(|c| c.column == column)
        .and_then(|c| match &c.value {
            CellValue::Text(s) => Some(s.clone()),
            CellValue::Number(n) => Some(workbook::format_number(*n)),
            _ => None,
        })
}

#[test]
fn the_ko_workbook_converts_back_into_exactly_the_passages_to_resend() {
    let csv = workbook_csv();
    let xml = sent_xml(&csv, "flux-1");
    let accuse = parse_accuse(accuse_xml("flux-1").as_bytes()).unwrap();
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "passages.csv")),
        xml: Some(xml.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    let xlsx = export_ko(&r, csv.as_bytes(), "passages.csv", &Schema::cdc()).unwrap();

    // Same sheets and headers as the template, then the user's column and the accusé's two.
    let book = read_xlsx(&xlsx);
    let template = read_xlsx(&accrochage::template::write_template(&Schema::cdc()).unwrap());
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    let template_names: Vec<&str> = template.sheets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, template_names);
    let passages = book.sheet("Passages").unwrap();
    let template_passages = template.sheet("Passages").unwrap();
    let width = template_passages.rows[0].cells.len() as u32;
    for c in 0..width {
        assert_eq!(text_of(passages, 1, c), text_of(template_passages, 1, c));
    }
    let extra: Vec<Option<String>> = (width..width + 3)
        .map(|c| text_of(passages, 1, c))
        .collect();
    assert_eq!(
        extra,
        [
            Some("commentaire interne".to_owned()),
            Some(ACCUSE_COLUMNS[0].0.to_owned()),
            Some(ACCUSE_COLUMNS[1].0.to_owned())
        ]
    );
    // T-2 and T-5 only (T-4 is already accepted), with the CDC's message and ours.
    let id_col = (0..width)
        .find(|&c| text_of(passages, 1, c).as_deref() == Some("idTechnique"))
        .unwrap();
    let ids: Vec<String> = (3..=4)
        .filter_map(|r| text_of(passages, r, id_col))
        .collect();
    assert_eq!(ids, ["T-2", "T-5"]);
    assert_eq!(text_of(passages, 5, id_col), None);
    assert_eq!(text_of(passages, 3, width).as_deref(), Some("note T-2"));
    assert_eq!(text_of(passages, 3, width + 1).as_deref(), Some(KO_AUCUN));
    assert!(text_of(passages, 4, width + 2)
        .unwrap()
        .contains("jour et le mois de naissance"));

    // Converted back: exactly T-2 and T-5, valid, without a word about the accusé's columns.
    let mut o = options();
    o.params.insert("idFlux".into(), "flux-2".into());
    let c = convert_back(&xlsx, &o);
    assert_eq!(c.files.len(), 1, "{:?}", c.findings);
    let out = &c.files[0].xml;
    assert_eq!(c.files[0].passages, 2);
    assert_eq!(out.matches("<cpf:idTechnique>").count(), 2);
    assert!(out.contains("<cpf:idTechnique>T-2</cpf:idTechnique>"));
    assert!(out.contains("<cpf:idTechnique>T-5</cpf:idTechnique>"));
    assert!(out.contains("<cpf:nomNaissance>MARTIN</cpf:nomNaissance>"));
    assert!(out.contains("<cpf:nomNaissance>DURAND</cpf:nomNaissance>"));
    let unknown: Vec<&str> = c
        .findings
        .iter()
        .filter(|f| f.code == "colonne-inconnue")
        .map(|f| f.column.as_str())
        .collect();
    assert_eq!(unknown, ["commentaire interne"]);
    assert_eq!(c.summary.errors, 0, "{:?}", c.findings);
    let report = Schema::cdc().validate_str(out, &ValidationOptions::default());
    assert!(report.is_valid(), "{:?}", report.diagnostics);
    xmllint_accepts(out);
}

/// libxml2's verdict too, when xmllint is installed.
fn xmllint_accepts(xml: &str) {
    let Ok(status) = std::process::Command::new("xmllint")
        .arg("--version")
        .output()
    else {
        return;
    };
    if !status.status.success() {
        return;
    }
    let path = std::env::temp_dir().join(format!("accrochage-accuse-{}.xml", std::process::id()));
    std::fs::write(&path, xml).unwrap();
    // The CDC's published file, kept in the repository beside our encoding of it.
    let schema = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/reference/cdc-1.1.2.xsd"
    ));
    let out = std::process::Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(schema)
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_re_export_keeps_the_parameters_but_not_idflux_nor_horodatage() {
    let csv = workbook_csv();
    let mut book = workbook::read_workbook(csv.as_bytes(), "passages.csv").unwrap();
    let param = |n: u32, k: &str, v: &str| Row {
        number: n,
        cells: vec![
            Cell {
                column: 0,
                value: CellValue::Text(k.into()),
                notes: vec![],
            },
            Cell {
                column: 1,
                value: CellValue::Text(v.into()),
                notes: vec![],
            },
        ],
    };
    book.sheets.push(Sheet {
        name: "Paramètres".into(),
        hidden: false,
        rows: vec![
            param(1, "champ", "valeur"),
            param(2, "idClientEmetteur", "ABCD1234"),
            param(3, "idClientCertificateur", "EFGH5678"),
            param(4, "idContrat", "MCF-2026-01"),
            param(5, "idFlux", "flux-1"),
            param(6, "horodatage", "2026-11-22T10:00:00+01:00"),
        ],
    });
    let accuse = parse_accuse(accuse_xml("flux-1").as_bytes()).unwrap();
    let r = reconcile_book(&accuse, Some(&book), None, &Schema::cdc()).unwrap();
    let xlsx = export_ko_book(&r, &book, &Schema::cdc()).unwrap();
    let out = read_xlsx(&xlsx);
    let params = out.sheet("Paramètres").unwrap();
    let value = |key: &str| {
        let row = params
            .rows
            .iter()
            .find(|r| matches!(&r.cells[0].value, CellValue::Text(t) if t == key))
            .unwrap();
        text_of(params, row.number, 1)
    };
    assert_eq!(value("idClientEmetteur").as_deref(), Some("ABCD1234"));
    assert_eq!(value("idContrat").as_deref(), Some("MCF-2026-01"));
    assert_eq!(value("idFlux"), None);
    assert_eq!(value("horodatage"), None);
    // With its Paramètres, the re-export converts with no option at all (a new idFlux).
    let c = convert_back(
        &xlsx,
        &ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60)),
    );
    assert_eq!(c.files.len(), 1, "{:?}", c.findings);
    assert_eq!(c.files[0].passages, 2);
    assert_ne!(c.files[0].id_flux, "flux-1");
}

#[test]
fn the_converter_skips_the_accuse_columns_silently() {
    for header in [
        ACCUSE_COLUMNS[0].0,
        ACCUSE_COLUMNS[1].0,
        "ACCUSE : MESSAGE DE LA CDC",
        ACCUSE_COLUMNS[1].1,
    ] {
        assert!(is_accuse_column(header), "{header}");
    }
    assert!(!is_accuse_column("Accusé"));
    assert!(!is_accuse_column(""));
    let csv = format!(
        "{HEADER};{};{};Autre\n{};msg;explication;x\n",
        ACCUSE_COLUMNS[0].0,
        ACCUSE_COLUMNS[1].0,
        row("T-1", "DUPONT", "F")
    );
    let mut o = options();
    o.params.insert("idFlux".into(), "f".into());
    let c = convert::convert(csv.as_bytes(), "p.csv", &Schema::cdc(), &o).unwrap();
    let unknown: Vec<&str> = c
        .findings
        .iter()
        .filter(|f| f.code == "colonne-inconnue")
        .map(|f| f.column.as_str())
        .collect();
    assert_eq!(unknown, ["commentaire interne", "Autre"]);
    assert_eq!(c.summary.passages_written, 1);
}

#[test]
fn a_rejection_is_explained_with_what_the_cdc_located() {
    let e = explain_rejection("cvc-type.3.1.3", Some(12), Some(40));
    assert_eq!(e.reason, Reason::FichierRejete);
    assert!(e
        .explanation
        .contains("(ligne 12, colonne 40 du fichier envoyé) : « cvc-type.3.1.3 »"));
    assert!(e
        .explanation
        .contains("aucun de ses passages n'a été traité"));
    assert!(e.fix.contains("nouvel idFlux"));
    let e = explain_rejection("x", Some(12), None);
    assert!(e.explanation.contains("(ligne 12 du fichier envoyé)"));
    let e = explain_rejection("x", None, None);
    assert!(e.explanation.contains("conforme au schéma XSD : « x »"));
}

#[test]
fn a_refused_id_unknown_in_the_workbook_is_listed() {
    let csv = format!("{HEADER}\n{}\n", row("T-1", "DUPONT", "F"));
    let accuse = parse_accuse(&fixture("exemple-cdc.xml")).unwrap();
    let r = reconcile(
        &accuse,
        &Sent {
            workbook: Some((csv.as_bytes(), "passages.csv")),
            xml: None,
        },
        &Schema::cdc(),
    )
    .unwrap();
    assert_eq!(r.entries[0].status, Status::Absent);
    let ids: Vec<(&str, Status)> = r
        .unknown
        .iter()
        .map(|u| (u.id_technique.as_str(), u.status))
        .collect();
    assert_eq!(
        ids,
        [
            ("1234", Status::Ko),
            ("4567", Status::Ko),
            ("891011", Status::Ok)
        ]
    );
    assert!(r.unknown[0]
        .message
        .starts_with("L'accusé refuse l'idTechnique « 1234 » (« Aucun titulaire"));
    assert!(r.unknown[2]
        .message
        .starts_with("L'accusé accepte l'idTechnique « 891011 »"));
}

#[test]
fn a_workbook_without_a_header_cannot_be_reconciled_nor_re_exported() {
    let accuse = parse_accuse(&fixture("exemple-cdc.xml")).unwrap();
    let csv = "a;b\n1;2\n";
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "p.csv")),
        xml: None,
    };
    let e = reconcile(&accuse, &sent, &Schema::cdc()).unwrap_err();
    assert!(
        e.0.starts_with("Classeur : Aucune ligne d'en-tête reconnue"),
        "{e}"
    );
    let r = reconcile(&accuse, &Sent::default(), &Schema::cdc()).unwrap();
    let e = export_ko(&r, csv.as_bytes(), "p.csv", &Schema::cdc()).unwrap_err();
    assert!(
        e.0.starts_with("Classeur : Aucune ligne d'en-tête reconnue"),
        "{e}"
    );
    let e = export_ko(&r, b"%PDF-1.7\n\x00\x01\x02", "p.csv", &Schema::cdc()).unwrap_err();
    assert!(
        e.0.starts_with("Le classeur « p.csv » ne peut pas être lu"),
        "{e}"
    );
}

#[test]
fn a_rejected_file_is_re_exported_whole_with_the_spot_on_its_row() {
    let (broken, line) = broken_xml();
    let csv = workbook_csv();
    let accuse = parse_accuse(rejection(line).as_bytes()).unwrap();
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "passages.csv")),
        xml: Some(broken.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    let xlsx = export_ko(&r, csv.as_bytes(), "passages.csv", &Schema::cdc()).unwrap();
    let book = read_xlsx(&xlsx);
    let passages = book.sheet("Passages").unwrap();
    let header = &passages.rows[0];
    let column = |name: &str| {
        header
            .cells
            .iter()
            .find(|c| matches!(&c.value, CellValue::Text(t) if t == name))
            .unwrap()
            .column
    };
    let (id, ours) = (column("idTechnique"), column(ACCUSE_COLUMNS[1].0));
    let ids: Vec<String> = (3..=8).filter_map(|r| text_of(passages, r, id)).collect();
    assert_eq!(ids, ["T-1", "T-2", "T-3", "T-4", "T-5", "T-6"]);
    assert!(text_of(passages, 5, ours)
        .unwrap()
        .contains("passage d'idTechnique « T-3 »"));
    assert!(!text_of(passages, 4, ours)
        .unwrap()
        .contains("passage d'idTechnique"));
    assert!(text_of(passages, 4, ours)
        .unwrap()
        .contains("Le fichier entier a été rejeté"));
    let mut o = options();
    o.params.insert("idFlux".into(), "flux-3".into());
    let c = convert_back(&xlsx, &o);
    assert_eq!(c.summary.passages_written, 6, "{:?}", c.findings);
}

#[test]
fn typed_cells_keep_their_type_in_the_re_export() {
    // As the xlsx reader gives them: a real date, numbers, a boolean, a code with a leading zero.
    let text = |c: u32, s: &str| Cell {
        column: c,
        value: CellValue::Text(s.into()),
        notes: vec![],
    };
    let headers = support::MINIMAL_HEADER;
    let header = Row {
        number: 1,
        cells: headers
            .iter()
            .enumerate()
            .map(|(i, h)| text(i as u32, h))
            .collect(),
    };
    let data = Row {
        number: 2,
        cells: vec![
            text(0, "T-1"),
            text(1, "RNCP"),
            text(2, "RNCP34567"),
            text(3, "PAR_ADMISSION"),
            Cell {
                column: 4,
                value: CellValue::Bool(true),
                notes: vec![],
            },
            Cell {
                column: 5,
                value: CellValue::Date(workbook::CalendarDate {
                    year: 2026,
                    month: 9,
                    day: 15,
                }),
                notes: vec![],
            },
            Cell {
                column: 6,
                value: CellValue::Bool(false),
                notes: vec![],
            },
            Cell {
                column: 7,
                value: CellValue::Bool(false),
                notes: vec![],
            },
            text(8, "DUPONT"),
            text(9, "Marie"),
            Cell {
                column: 10,
                value: CellValue::Number(1990.0),
                notes: vec![],
            },
            text(11, "F"),
            text(12, "01053"),
        ],
    };
    let book = Workbook {
        date_system: workbook::DateSystem::Excel1900,
        format: workbook::Format::Xlsx,
        notes: Vec::new(),
        sheets: vec![Sheet {
            name: "Passages".into(),
            hidden: false,
            rows: vec![header, data],
        }],
    };
    let accuse = parse_accuse(
        "<rapport><idFlux>F</idFlux><PassagesKO><passage><idTechnique>T-1</idTechnique><messageErreur>Aucun titulaire ne correspond aux critères obligatoires</messageErreur></passage></PassagesKO></rapport>".as_bytes(),
    )
    .unwrap();
    let r = reconcile_book(&accuse, Some(&book), None, &Schema::cdc()).unwrap();
    let xlsx = export_ko_book(&r, &book, &Schema::cdc()).unwrap();

    use calamine::{Data, Reader, Xlsx};
    let mut x = Xlsx::new(Cursor::new(xlsx.clone())).unwrap();
    let range = x.worksheet_range("Passages").unwrap();
    let col = |name: &str| {
        (0..range.width() as u32)
            .find(|&c| matches!(range.get_value((0, c)), Some(Data::String(s)) if s == name))
            .unwrap()
    };
    let at = |name: &str| range.get_value((2, col(name))).cloned().unwrap();
    match at("dateDebutValidite") {
        Data::DateTime(d) => assert_eq!(d.as_f64(), 46280.0), // 2026-09-15
        other => panic!("{other:?}"),
    }
    assert_eq!(at("anneeNaissance"), Data::Float(1990.0));
    assert_eq!(at("codeInsee"), Data::String("01053".into()));
    assert_eq!(at("donneeCertifiee"), Data::String("Oui".into()));
    assert_eq!(at("presenceNiveauLangueEuro"), Data::String("Non".into()));

    let c = convert_back(&xlsx, &options());
    assert_eq!(c.files.len(), 1, "{:?}", c.findings);
    let out = &c.files[0].xml;
    assert!(
        out.contains("<cpf:dateDebutValidite>2026-09-15</cpf:dateDebutValidite>"),
        "{out}"
    );
    assert!(out.contains("<cpf:codeInsee>01053</cpf:codeInsee>"));
    assert!(out.contains("<cpf:anneeNaissance>1990</cpf:anneeNaissance>"));
}

#[test]
fn no_prefix_of_an_input_makes_the_parsers_panic() {
    let mut inputs = vec![
        fixture("exemple-cdc.xml"),
        fixture("elements-en-plus.xml"),
        fixture("rejet-xsd.xml"),
        fixture("bom.xml"),
    ];
    inputs.push(sent_xml(&workbook_csv(), "flux-1").into_bytes());
    let accuse = parse_accuse(&fixture("rejet-xsd.xml")).unwrap();
    let schema = Schema::cdc();
    for bytes in &inputs {
        for end in 0..=bytes.len() {
            let cut = &bytes[..end];
            let _ = parse_accuse(cut);
            let sent = Sent {
                workbook: None,
                xml: Some(cut),
            };
            // Cuts of the flux inside a multi-byte character or a tag are errors, never panics.
            if end % 7 == 0 || end == bytes.len() {
                let _ = reconcile(&accuse, &sent, &schema);
            }
        }
    }
}

#[test]
fn spellings_vary_in_case_and_accepted_passages_may_be_wrapped() {
    let a = parse_accuse(&fixture("variantes-orthographe.xml")).unwrap();
    assert_eq!(a.id_flux.as_deref(), Some("flux-var"));
    assert_eq!(a.id_traitement.as_deref(), Some("11"));
    assert_eq!(a.ok, ["T-1", "T-3"]);
    assert_eq!(a.ko.len(), 1);
    assert_eq!(a.ko[0].id_technique, "T-2");
    assert_eq!(a.ko[0].message, "Plusieurs titulaires ont été identifiés");
    let (code, message) = refused(b"<FLUX/>");
    assert_eq!(code, "flux-cdc", "{message}");
}

#[test]
fn a_row_left_out_at_conversion_is_not_sent_rather_than_absent() {
    // T-7's sex is invalid: the converter leaves the row out of the XML.
    let csv = format!("{}{}\n", workbook_csv(), row("T-7", "ROUX", "X"));
    let xml = sent_xml(&csv, "flux-1");
    assert!(!xml.contains(">T-7<"));
    let accuse = parse_accuse(accuse_xml("flux-1").as_bytes()).unwrap();
    let sent = Sent {
        workbook: Some((csv.as_bytes(), "passages.csv")),
        xml: Some(xml.as_bytes()),
    };
    let r = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
    let t7 = r.entries.last().unwrap();
    assert_eq!(t7.status, Status::NonEnvoye);
    assert_eq!(t7.cell.as_deref(), Some("Passages!A8"));
    assert!(
        t7.message.contains("absent du fichier XML envoyé"),
        "{}",
        t7.message
    );
    assert!(!t7.to_resend());
    assert_eq!((r.summary.absent, r.summary.not_sent), (1, 1));
    // Without the XML, the same row can only be said absent from the accusé.
    let r = reconcile(
        &accuse,
        &Sent {
            workbook: Some((csv.as_bytes(), "passages.csv")),
            xml: None,
        },
        &Schema::cdc(),
    )
    .unwrap();
    assert_eq!(r.entries.last().unwrap().status, Status::Absent);
    assert_eq!(
        serde_json::to_value(Status::NonEnvoye).unwrap(),
        "non-envoye"
    );
}
