//! The `template` subcommand, run as users run it.

use std::process::Command;

use calamine::{Data, Reader, Xlsx};

fn accrochage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_accrochage"))
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("accrochage-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn template_writes_a_workbook_with_examples() {
    let path = scratch("modele.xlsx");
    let out = accrochage()
        .args(["template", "-o"])
        .arg(&path)
        .arg("--exemples")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    let passages = wb.worksheet_range("Passages").unwrap();
    assert_eq!(
        passages.get_value((0, 0)),
        Some(&Data::String("type".into()))
    );
    assert_eq!(passages.height(), 5);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn template_without_examples_has_no_data_rows() {
    let path = scratch("vide.xlsx");
    let status = accrochage()
        .args(["template", "--output"])
        .arg(&path)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let mut wb: Xlsx<_> = calamine::open_workbook(&path).unwrap();
    assert_eq!(wb.worksheet_range("Passages").unwrap().height(), 2);
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn template_reports_write_errors_with_exit_code_2() {
    let path = scratch("absent").join("sous-dossier").join("modele.xlsx");
    let out = accrochage()
        .args(["template", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("impossible d'écrire"), "{stderr}");
}

#[test]
fn template_reports_a_bad_schema_with_exit_code_2() {
    let xsd = scratch("casse.xsd");
    std::fs::write(&xsd, "<pas-un-schema/>").unwrap();
    let out = accrochage()
        .args(["template", "-o"])
        .arg(scratch("jamais.xlsx"))
        .arg("--schema")
        .arg(&xsd)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!scratch("jamais.xlsx").exists());
}

#[test]
fn template_requires_an_output() {
    let out = accrochage().arg("template").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}
