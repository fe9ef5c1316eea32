//! The `accrochage accuse` command: report, re-export, exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;moisNaissance;jourNaissance;sexe;codeInsee";

fn row(id: &str, name: &str) -> String {
    format!(
        "{id};RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;{name};Marie;1990;3;12;F;75056"
    )
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accrochage-cli-accuse-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes the workbook (rows T-1, T-2, T-3), converts it into flux.xml, and writes the accusé.
fn deposit(dir: &Path, accuse: &str) {
    let csv = format!(
        "{HEADER}\n{}\n{}\n{}\n",
        row("T-1", "DUPONT"),
        row("T-2", "MARTIN"),
        row("T-3", "PETIT")
    );
    std::fs::write(dir.join("passages.csv"), csv).unwrap();
    let (code, _, stderr) = run(
        dir,
        &[
            "convert",
            "passages.csv",
            "-o",
            "flux.xml",
            "--id-flux",
            "F-1",
            "--id-client-emetteur",
            "ABCD1234",
            "--id-client-certificateur",
            "ABCD1234",
            "--id-contrat",
            "MCF-1",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    std::fs::write(dir.join("accuse.xml"), accuse).unwrap();
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accrochage"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const SOME_KO: &str = "<rapport><idFlux>F-1</idFlux><idTraitement>2</idTraitement><PassagesKO><passage><idTechnique>T-2</idTechnique><messageErreur>Aucun titulaire ne correspond aux critères obligatoires</messageErreur></passage></PassagesKO><PassagesOK><idTechnique>T-1</idTechnique></PassagesOK></rapport>";
const ALL_OK: &str = "<rapport><idFlux>F-1</idFlux><idTraitement>2</idTraitement><PassagesOK><idTechnique>T-1</idTechnique><idTechnique>T-2</idTechnique><idTechnique>T-3</idTechnique></PassagesOK></rapport>";

#[test]
fn all_accepted_gives_exit_0() {
    let dir = temp_dir("ok");
    deposit(&dir, ALL_OK);
    let (code, stdout, stderr) = run(
        &dir,
        &[
            "accuse",
            "accuse.xml",
            "--workbook",
            "passages.csv",
            "-o",
            "ko.xlsx",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("Résumé : 3 accepté(s), 0 refusé(s)"),
        "{stdout}"
    );
    assert!(stdout.contains("Aucune ligne à corriger et renvoyer : ko.xlsx n'est pas écrit"));
    assert!(!dir.join("ko.xlsx").exists());
}

#[test]
fn refused_and_absent_passages_give_exit_1_and_the_ko_workbook() {
    let dir = temp_dir("ko");
    deposit(&dir, SOME_KO);
    let (code, stdout, stderr) = run(
        &dir,
        &[
            "accuse",
            "accuse.xml",
            "--workbook",
            "passages.csv",
            "--xml",
            "flux.xml",
            "-o",
            "ko.xlsx",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(stdout.starts_with("Accusé de traitement accuse.xml : idFlux F-1, traitement 2"));
    assert!(stdout.contains("Passages!A3 (idTechnique « T-2 ») : refusé — La Caisse des Dépôts n'a retrouvé aucune personne"), "{stdout}");
    assert!(
        stdout.contains("Passages!A4 (idTechnique « T-3 ») : absent de l'accusé"),
        "{stdout}"
    );
    assert!(stdout.contains("Résumé : 1 accepté(s), 1 refusé(s), 1 absent(s) de l'accusé, 0 non envoyé(s), 0 idTechnique inconnu(s) ; à corriger et renvoyer : 1"), "{stdout}");
    assert!(stdout.contains("Refus par motif : aucun titulaire trouvé (état civil) : 1"));
    assert!(stdout.contains("écrit : ko.xlsx (1 ligne(s))"), "{stdout}");
    let xlsx = std::fs::read(dir.join("ko.xlsx")).unwrap();
    assert!(xlsx.starts_with(b"PK"));
    // Accepted passages are never listed one by one.
    assert!(!stdout.contains("« T-1 »"), "{stdout}");
}

#[test]
fn json_report() {
    let dir = temp_dir("json");
    deposit(&dir, SOME_KO);
    let (code, stdout, _) = run(
        &dir,
        &[
            "accuse",
            "accuse.xml",
            "--xml",
            "flux.xml",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let r = &v["reconciliation"];
    assert_eq!(r["summary"]["ko"], 1);
    assert_eq!(r["summary"]["absent"], 1);
    assert_eq!(r["entries"][1]["idTechnique"], "T-2");
    assert_eq!(r["entries"][1]["status"], "ko");
    assert!(r["entries"][1]["line"].as_u64().unwrap() > 1);
    assert_eq!(v["output"], serde_json::Value::Null);
}

#[test]
fn a_rejected_file_gives_exit_1_with_the_spot() {
    let dir = temp_dir("rejet");
    deposit(&dir, ALL_OK);
    let xml = std::fs::read_to_string(dir.join("flux.xml")).unwrap();
    let at = xml.find("<cpf:nomNaissance>MARTIN<").unwrap();
    let line = xml[..at].matches('\n').count() + 1;
    std::fs::write(
        dir.join("flux.xml"),
        xml.replace("<cpf:nomNaissance>MARTIN<", "<cpf:nomNaissance><"),
    )
    .unwrap();
    std::fs::write(
        dir.join("rejet.xml"),
        format!("<rapport><idTraitement>3</idTraitement><erreurs><erreur><type>XSD</type><message>cvc-minLength-valid</message><ligne>{line}</ligne><colonne>40</colonne></erreur></erreurs></rapport>"),
    )
    .unwrap();
    let (code, stdout, stderr) = run(
        &dir,
        &[
            "accuse",
            "rejet.xml",
            "--workbook",
            "passages.csv",
            "--xml",
            "flux.xml",
        ],
    );
    assert_eq!(code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("rejet — Le fichier entier a été rejeté"),
        "{stdout}"
    );
    assert!(stdout.contains("passage d'idTechnique « T-2 »"), "{stdout}");
    assert!(
        stdout.contains("ligne 3 du classeur (Passages!A3)"),
        "{stdout}"
    );
    assert!(stdout.contains("(fichier entier rejeté)"), "{stdout}");
    assert!(
        stdout.contains("Résumé : 0 accepté(s), 3 refusé(s)"),
        "{stdout}"
    );
    // One line per spot, not one per row.
    assert_eq!(
        stdout.matches("Le fichier entier a été rejeté").count(),
        1,
        "{stdout}"
    );
}

#[test]
fn usage_io_and_parse_errors_give_exit_2() {
    let dir = temp_dir("erreurs");
    deposit(&dir, SOME_KO);
    let (code, _, stderr) = run(&dir, &["accuse", "accuse.xml", "-o", "ko.xlsx"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("exige --workbook"), "{stderr}");
    let (code, _, stderr) = run(&dir, &["accuse", "absent.xml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("impossible de lire absent.xml"), "{stderr}");
    let (code, _, stderr) = run(&dir, &["accuse", "flux.xml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("flux d'accrochage"), "{stderr}");
    let (code, _, stderr) = run(&dir, &["accuse", "accuse.xml", "--xml", "passages.csv"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("aucun élément XML"), "{stderr}");
    std::fs::create_dir_all(dir.join("dossier.xlsx")).unwrap();
    let (code, _, stderr) = run(
        &dir,
        &[
            "accuse",
            "accuse.xml",
            "--workbook",
            "passages.csv",
            "-o",
            "dossier.xlsx",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("impossible d'écrire dossier.xlsx"),
        "{stderr}"
    );
    let (code, _, _) = run(&dir, &["accuse"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = run(&dir, &["accuse", "."]);
    assert_eq!(code, 2);
    assert!(stderr.contains("dossier"), "{stderr}");
}
