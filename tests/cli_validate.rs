//! The `accrochage validate` command line, run as a user would: exit codes, text and JSON
//! reports, another schema, English messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("accrochage-cli-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn accrochage(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_accrochage"))
        .args(args.iter().map(|a| a.as_ref()))
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

fn example() -> String {
    let dir = std::env::var("ACCROCHAGE_REFERENCE_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference").to_owned());
    std::fs::read_to_string(Path::new(&dir).join("cdc-1.1.2-example.xml")).unwrap()
}

/// The CDC example with an invalid sex in the first passage.
fn invalid_example() -> String {
    example().replacen("<cpf:sexe>M</cpf:sexe>", "<cpf:sexe>Homme</cpf:sexe>", 1)
}

#[test]
fn valid_file_exits_0() {
    let t = TempDir::new("valid");
    let f = t.file("ok.xml", &example());
    let o = accrochage(&[&"validate", &f]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert_eq!(out, format!("{} : valide (3 passage(s))\n", f.display()));
}

#[test]
fn invalid_file_exits_1() {
    let t = TempDir::new("invalid");
    let f = t.file("ko.xml", &invalid_example());
    let o = accrochage(&[&"validate", &f]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        lines[0],
        format!(
            "{}:65:31: erreur [value-enumeration] [idTechnique db855769-bcd6-4253-93cf-e666db666c0a] /flux/emetteur/certificateurs/certificateur/certifications/certification[1]/passageCertifications/passageCertification[1]/identificationTitulaire/titulaire/sexe — La valeur « Homme » n'est pas autorisée pour sexe : valeurs possibles M, F",
            f.display()
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "{} : INVALIDE, 1 erreur(s), 0 avertissement(s)",
            f.display()
        )
    );
}

#[test]
fn one_invalid_file_among_several_exits_1() {
    let t = TempDir::new("several");
    let ok = t.file("ok.xml", &example());
    let ko = t.file("ko.xml", &invalid_example());
    let o = accrochage(&[&"validate", &ok, &ko, &ok]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).matches(": valide").count(), 2);
}

#[test]
fn comments_are_warnings_and_keep_exit_0() {
    let t = TempDir::new("comment");
    let xml = example().replacen("<cpf:emetteur>", "<!-- note --><cpf:emetteur>", 1);
    let f = t.file("c.xml", &xml);
    let o = accrochage(&[&"validate", &f]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("avertissement [xml-comment]"), "{out}");
    assert!(
        out.ends_with(": valide (3 passage(s), 1 avertissement(s))\n"),
        "{out}"
    );
}

#[test]
fn missing_file_exits_2() {
    let t = TempDir::new("missing");
    let absent = t.0.join("absent.xml");
    let o = accrochage(&[&"validate", &absent]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "accrochage : impossible de lire {}",
            absent.display()
        )),
        "{err}"
    );
    // Even when another file is invalid.
    let ko = t.file("ko.xml", &invalid_example());
    let o = accrochage(&[&"validate", &ko, &absent]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_directory_is_not_a_file() {
    let t = TempDir::new("directory");
    let o = accrochage(&[&"validate", &t.0]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.starts_with(&format!(
            "accrochage : impossible de lire {}",
            t.0.display()
        )),
        "{err}"
    );
}

#[test]
fn bad_schema_exits_2() {
    let t = TempDir::new("badschema");
    let f = t.file("ok.xml", &example());
    let xsd = t.file(
        "bad.xsd",
        "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\">\n<xs:element name=\"v\" type=\"xs:duration\"/>\n</xs:schema>",
    );
    let o = accrochage(&[&"validate", &"--schema", &xsd, &f]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        stderr(&o),
        format!(
            "accrochage : {} : schéma XSD, ligne 2 : le type prédéfini xs:duration n'est pas pris en charge par accrochage\n",
            xsd.display()
        )
    );
    assert_eq!(stdout(&o), "");
    let absent = t.0.join("absent.xsd");
    let o = accrochage(&[&"validate", &"--schema", &absent, &f]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(&format!(
            "accrochage : impossible de lire le schéma {}",
            absent.display()
        )),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec![],
        vec!["validate"],
        vec!["validate", "--format", "yaml", "x.xml"],
        vec!["validate", "--max-errors", "beaucoup", "x.xml"],
        vec!["verifier", "x.xml"],
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_accrochage"))
            .args(&args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(!o.stderr.is_empty(), "{args:?}");
    }
    let o = accrochage(&[&"--help"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("validate"));
}

#[test]
fn json_report() {
    let t = TempDir::new("json");
    let ok = t.file("ok.xml", &example());
    let ko = t.file("ko.xml", &invalid_example());
    let o = accrochage(&[&"validate", &"--format", &"json", &ok, &ko]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON output");
    let files = v.as_array().expect("an array, one object per file");
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], ok.display().to_string());
    assert_eq!(files[0]["valid"], true);
    assert_eq!(files[0]["diagnostics"], serde_json::json!([]));
    assert_eq!(files[0]["passages"], 3);
    assert_eq!(files[1]["file"], ko.display().to_string());
    assert_eq!(files[1]["valid"], false);
    assert_eq!(files[1]["errorCount"], 1);
    let diags = files[1]["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 1);
    let d = &diags[0];
    assert_eq!(d["code"], "value-enumeration");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["line"], 65);
    assert_eq!(d["column"], 31);
    assert_eq!(
        d["path"],
        "/flux/emetteur/certificateurs/certificateur/certifications/certification[1]/passageCertifications/passageCertification[1]/identificationTitulaire/titulaire/sexe"
    );
    assert_eq!(d["idTechnique"], "db855769-bcd6-4253-93cf-e666db666c0a");
    assert_eq!(
        d["message"],
        "La valeur « Homme » n'est pas autorisée pour sexe : valeurs possibles M, F"
    );
    // Outside a passage, idTechnique is null.
    let xml = example().replacen(
        "<cpf:idClient>AB123CDE</cpf:idClient>",
        "<cpf:idClient>AB</cpf:idClient>",
        1,
    );
    let f = t.file("emetteur.xml", &xml);
    let o = accrochage(&[&"validate", &"--format", &"json", &f]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let d = &v[0]["diagnostics"][0];
    assert_eq!(d["code"], "value-length");
    assert_eq!(d["idTechnique"], serde_json::Value::Null);
    assert_eq!(d["path"], "/flux/emetteur/idClient");
}

#[test]
fn other_schema_is_used() {
    let t = TempDir::new("schema");
    let xsd = t.file(
        "s.xsd",
        r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"><xs:element name="v" type="xs:int"/></xs:schema>"#,
    );
    let ok = t.file("ok.xml", "<v>12</v>");
    let ko = t.file("ko.xml", "<v>douze</v>");
    let o = accrochage(&[&"validate", &"--schema", &xsd, &ok]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = accrochage(&[&"validate", &"--schema", &xsd, &ko]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("[value-type]"), "{}", stdout(&o));
    // The CDC example is not valid against it: the default schema was really replaced.
    let cdc = t.file("cdc.xml", &example());
    let o = accrochage(&[&"validate", &"--schema", &xsd, &cdc]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("[root-unexpected]"));
    // And <v> is not valid against the default CDC schema.
    let o = accrochage(&[&"validate", &ok]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn english_messages() {
    let t = TempDir::new("english");
    let f = t.file("ko.xml", &invalid_example());
    let o = accrochage(&[&"validate", &"--english", &f]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let first = out.lines().next().unwrap();
    assert!(
        first.ends_with("— The value 'Homme' is not allowed for sexe: possible values M, F"),
        "{first}"
    );
    assert!(first.contains(": error [value-enumeration]"), "{first}");
    assert!(!out.contains("n'est pas autorisée"), "{out}");
}

#[test]
fn max_errors_option() {
    let t = TempDir::new("maxerrors");
    let xml = example().replace("<cpf:sexe>M</cpf:sexe>", "<cpf:sexe>X</cpf:sexe>");
    let xml = xml.replace("<cpf:verbatim>TOSA</cpf:verbatim>", "<cpf:verbatim/>");
    let f = t.file("ko.xml", &xml);
    let o = accrochage(&[&"validate", &"--max-errors", &"2", &"--format", &"json", &f]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let diags = v[0]["diagnostics"].as_array().unwrap();
    let errors = diags.iter().filter(|d| d["severity"] == "error").count();
    assert_eq!(errors, 2);
    assert!(v[0]["errorCount"].as_u64().unwrap() > 2);
    assert_eq!(diags.last().unwrap()["code"], "too-many-errors");
    assert_eq!(v[0]["warningCount"], 1);
}
