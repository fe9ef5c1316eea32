//! The `accrochage convert` command: files written, report formats, exit codes.

use std::path::{Path, PathBuf};
use std::process::Command;

const HEADER: &str = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;moisNaissance;jourNaissance;sexe;codeInsee";

fn row(id: &str, sexe: &str) -> String {
    format!("{id};RNCP;RNCP34567;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;3;12;{sexe};75056")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "accrochage-cli-convert-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write_csv(dir: &Path, rows: &[String]) -> PathBuf {
    let path = dir.join("passages.csv");
    std::fs::write(&path, format!("{HEADER}\n{}\n", rows.join("\n"))).unwrap();
    path
}

fn accrochage(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accrochage"))
        .current_dir(dir)
        .args(args)
        .args([
            "--id-client-emetteur",
            "ABCD1234",
            "--id-client-certificateur",
            "ABCD1234",
            "--id-contrat",
            "MCF-1",
        ])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_clean_workbook_gives_exit_0_and_a_valid_file() {
    let dir = temp_dir("ok");
    let input = write_csv(&dir, &[row("P-1", "F"), row("P-2", "M")]);
    let (code, stderr) = accrochage(
        &dir,
        &[
            "convert",
            input.to_str().unwrap(),
            "-o",
            "flux.xml",
            "--id-flux",
            "F-1",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let xml = std::fs::read_to_string(dir.join("flux.xml")).unwrap();
    assert!(xml.contains("<cpf:idFlux>F-1</cpf:idFlux>"));
    assert!(stderr.contains("2 passage(s) écrit(s)"), "{stderr}");
    let (code, _) = validate(&dir, "flux.xml");
    assert_eq!(code, 0);
}

fn validate(dir: &Path, file: &str) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accrochage"))
        .current_dir(dir)
        .args(["validate", file])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn excluded_rows_give_exit_1_and_a_report_naming_the_cell() {
    let dir = temp_dir("excluded");
    let input = write_csv(&dir, &[row("P-1", "F"), row("P-2", "Homme?")]);
    let (code, stderr) = accrochage(
        &dir,
        &[
            "convert",
            input.to_str().unwrap(),
            "-o",
            "flux.xml",
            "--report",
            "rapport.csv",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("Passages!N3"), "{stderr}");
    let report = std::fs::read_to_string(dir.join("rapport.csv")).unwrap();
    assert!(report.starts_with("\u{feff}gravité;code;cellule"));
    assert!(
        report.contains("erreur;valeur-non-autorisee;Passages!N3;sexe;Homme?;"),
        "{report}"
    );
    let xml = std::fs::read_to_string(dir.join("flux.xml")).unwrap();
    assert!(xml.contains(">P-1<") && !xml.contains(">P-2<"));
}

#[test]
fn json_report_and_strict_mode() {
    let dir = temp_dir("strict");
    let input = write_csv(&dir, &[row("P-1", "F"), row("P-2", "X")]);
    let (code, _) = accrochage(
        &dir,
        &[
            "convert",
            input.to_str().unwrap(),
            "-o",
            "flux.xml",
            "--strict",
            "--report",
            "rapport.json",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        !dir.join("flux.xml").exists(),
        "--strict writes no XML when an error exists"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("rapport.json")).unwrap()).unwrap();
    assert_eq!(json["summary"]["rowsRead"], 2);
    assert_eq!(json["summary"]["passagesWritten"], 0);
    let first = &json["diagnostics"][0];
    for key in [
        "severity", "code", "sheet", "cell", "row", "column", "value", "message", "fix",
    ] {
        assert!(first.get(key).is_some(), "missing {key} in {first}");
    }
}

#[test]
fn split_output_is_numbered() {
    let dir = temp_dir("split");
    let rows: Vec<String> = (0..5).map(|i| row(&format!("P-{i}"), "F")).collect();
    let input = write_csv(&dir, &rows);
    let (code, stderr) = accrochage(
        &dir,
        &[
            "convert",
            input.to_str().unwrap(),
            "-o",
            "flux.xml",
            "--max-passages",
            "2",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    // Each file was written while it was checked, under a temporary name: none is left.
    assert_eq!(
        files_in(&dir),
        ["flux_1.xml", "flux_2.xml", "flux_3.xml", "passages.csv"]
    );
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn a_file_that_fails_the_final_check_is_not_left_on_disk() {
    // A schema whose idFlux has 10 characters at most: split files get the given id with a
    // suffix (-1, -2), too long, and fail the final check. They were already being written
    // while it ran: nothing of them may stay, under their name or a temporary one.
    let dir = temp_dir("withheld");
    let from = r#"<xs:element name="idFlux" type="cpf:texte1a50"/>"#;
    assert_eq!(accrochage::xsd::CDC_XSD.matches(from).count(), 1);
    let xsd = accrochage::xsd::CDC_XSD.replace(
        from,
        r#"<xs:element name="idFlux"><xs:simpleType><xs:restriction base="xs:string">
        <xs:maxLength value="10"/></xs:restriction></xs:simpleType></xs:element>"#,
    );
    std::fs::write(dir.join("court.xsd"), xsd).unwrap();
    let input = write_csv(&dir, &[row("P-1", "F"), row("P-2", "M")]);
    let (code, stderr) = accrochage(
        &dir,
        &[
            "convert",
            input.to_str().unwrap(),
            "-o",
            "flux.xml",
            "--schema",
            "court.xsd",
            "--id-flux",
            "ABCDEFGHIJ",
            "--max-passages",
            "1",
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stderr.matches("[erreur-interne]").count(), 2, "{stderr}");
    assert_eq!(files_in(&dir), ["court.xsd", "passages.csv"]);
}

#[test]
fn unusable_input_gives_exit_2() {
    let dir = temp_dir("unusable");
    let (code, stderr) = accrochage(&dir, &["convert", "absent.xlsx"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("impossible de lire absent.xlsx"),
        "{stderr}"
    );
    std::fs::write(dir.join("vide.csv"), "bonjour;au revoir\n1;2\n").unwrap();
    let (code, stderr) = accrochage(&dir, &["convert", "vide.csv"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("Aucune ligne d'en-tête reconnue"),
        "{stderr}"
    );
    let (code, _) = accrochage(&dir, &["convert", "vide.csv", "--max-passages", "beaucoup"]);
    assert_eq!(code, 2);
}
