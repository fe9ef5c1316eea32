//! Golden converter tests: each `tests/golden/NAME.csv` is converted with a fixed clock, idFlux
//! and parameters; the XML must equal `tests/golden/NAME.xml` byte for byte and the report (level,
//! code, cell, column, value of each finding) `tests/golden/NAME.rapport.txt`. Each golden XML is
//! also validated by xmllint against the CDC's reference XSD.
//!
//! After an intended change: `UPDATE_GOLDEN=1 cargo test --test golden`, then read the diff of
//! every regenerated file against NOTES.md and the CDC's example before committing it.

mod support;

use std::path::{Path, PathBuf};

use accrochage::convert::{convert, Conversion, ConvertOptions, Level, LocalNow};
use accrochage::xsd::Schema;
use support::corpus;
use support::xmllint::Xmllint;

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn inputs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(golden_dir())
        .expect("tests/golden exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv") && !is_report(p))
        .collect();
    v.sort();
    v
}

fn is_report(p: &Path) -> bool {
    p.to_string_lossy().ends_with(".rapport.txt")
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// 2026-11-22 10:00 in Paris (+01:00), fixed parameters, an idFlux per input.
fn options(name: &str) -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    for (k, v) in [
        ("idClientEmetteur", "ABCD1234"),
        ("idClientCertificateur", "EFGH5678"),
        ("idContrat", "MCF-2026-01"),
        ("idFlux", &format!("golden-{name}")),
    ] {
        o.params.insert(k.into(), v.into());
    }
    o
}

fn run(input: &Path) -> Conversion {
    let bytes = std::fs::read(input).unwrap();
    let name = input.file_name().unwrap().to_string_lossy();
    convert(&bytes, &name, &Schema::cdc(), &options(&stem(input)))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The stable part of the report: messages are pinned by the unit tests, not here.
fn report(c: &Conversion) -> String {
    let mut out = String::from("gravité;code;cellule;colonne;valeur\n");
    for f in &c.findings {
        out.push_str(&format!(
            "{};{};{};{};{}\n",
            f.level.label(),
            f.code,
            f.cell,
            f.column,
            f.value
        ));
    }
    out
}

/// Compares with the golden file, or rewrites it under UPDATE_GOLDEN=1. Returns the mismatch.
fn compare(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(path, actual).unwrap();
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return None;
    }
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or(expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{} differs from line {} (UPDATE_GOLDEN=1 cargo test --test golden regenerates it; review the diff):\n  expected: {:?}\n  actual:   {:?}",
        path.display(),
        line + 1,
        expected.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>")
    ))
}

#[test]
fn every_input_converts_to_its_golden_xml_and_report() {
    let inputs = inputs();
    assert!(inputs.len() >= 5, "{inputs:?}");
    let mut problems = Vec::new();
    for input in &inputs {
        let c = run(input);
        let name = stem(input);
        assert_eq!(c.files.len(), 1, "{name}: one file expected");
        let dir = golden_dir();
        problems.extend(compare(&dir.join(format!("{name}.xml")), &c.files[0].xml));
        problems.extend(compare(
            &dir.join(format!("{name}.rapport.txt")),
            &report(&c),
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_golden_xml_is_valid_for_xmllint_and_the_reference_xsd() {
    let lint = Xmllint::find();
    let docs: Vec<(String, Vec<u8>)> = inputs()
        .iter()
        .map(|p| {
            let xml = golden_dir().join(format!("{}.xml", stem(p)));
            (
                stem(p),
                std::fs::read(&xml).unwrap_or_else(|e| panic!("{}: {e}", xml.display())),
            )
        })
        .collect();
    let verdicts = lint.validate(&corpus::reference_dir().join("cdc-1.1.2.xsd"), &docs);
    let rejected: Vec<&String> = docs
        .iter()
        .map(|(n, _)| n)
        .filter(|n| !verdicts[*n])
        .collect();
    assert!(rejected.is_empty(), "xmllint rejects {rejected:?}");
}

fn golden_xml(name: &str) -> String {
    std::fs::read_to_string(golden_dir().join(format!("{name}.xml"))).unwrap()
}

#[test]
fn several_certifications_are_grouped_in_order_of_first_appearance() {
    let xml = golden_xml("plusieurs-certifications");
    let codes: Vec<&str> = xml
        .match_indices("<cpf:code>")
        .map(|(i, _)| {
            let rest = &xml[i + "<cpf:code>".len()..];
            &rest[..rest.find('<').unwrap()]
        })
        .collect();
    assert_eq!(codes, ["RS5678", "RNCP34567", "RNCP12345"]);
    // Rows keep their order inside each group.
    let ids: Vec<usize> = ["RS-B-1", "RS-B-2", "RNCP-A-1", "RNCP-A-2", "RNCP-C-1"]
        .iter()
        .map(|id| xml.find(&format!(">{id}<")).unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
}

#[test]
fn empty_cells_are_nil_when_nillable_and_omitted_otherwise() {
    let xml = golden_xml("facultatifs-nil-et-omis");
    let first = &xml[xml.find(">N-1<").unwrap()..xml.find(">N-2<").unwrap()];
    for nilled in [
        "dateFinValidite",
        "scoring",
        "mentionValidee",
        "modaliteAcces",
        "nomUsage",
        "moisNaissance",
        "jourNaissance",
    ] {
        assert!(
            first.contains(&format!("<cpf:{nilled} xsi:nil=\"true\"/>")),
            "{nilled} nil"
        );
    }
    for omitted in [
        "dateDebutExamen",
        "voieAccessVAE",
        "prenom2",
        "verbatim",
        "niveauLangueEuropeen",
    ] {
        assert!(
            !first.contains(&format!("<cpf:{omitted}")),
            "{omitted} omitted"
        );
    }
    assert!(first.contains("<cpf:codePostal>13001</cpf:codePostal>"));
    let second = &xml[xml.find(">N-2<").unwrap()..xml.find(">N-3<").unwrap()];
    assert!(second.contains("<cpf:codePostal xsi:nil=\"true\"/>"));
}

#[test]
fn a_row_with_errors_is_left_out_and_listed_in_the_report() {
    let input = golden_dir().join("ligne-en-erreur-ecartee.csv");
    let c = run(&input);
    assert_eq!(c.summary.rows_read, 3);
    assert_eq!(c.summary.passages_written, 2);
    assert_eq!(c.summary.rows_excluded, 1);
    let xml = &c.files[0].xml;
    assert!(xml.contains(">E-1<") && xml.contains(">E-3<"));
    assert!(!xml.contains(">E-2<"), "the row in error is not in the XML");
    let errors: Vec<_> = c
        .findings
        .iter()
        .filter(|f| f.level == Level::Erreur)
        .collect();
    assert!(errors.len() >= 3, "{errors:#?}");
    assert!(errors.iter().all(|f| f.row == 3), "{errors:#?}");
    for column in ["dateDebutValidite", "moisNaissance", "sexe"] {
        assert!(
            errors
                .iter()
                .any(|f| f.column == column && f.cell.starts_with("Passages!")),
            "{column}: {errors:#?}"
        );
    }
}
