//! Our `xsd/cdc-1.1.2.xsd` (rewritten with named types and French comments, embedded in the tool)
//! accepts and rejects exactly what the CDC's published XSD does, on the whole corpus: with our
//! engine (same verdict and same first error code) and with libxml2 (same verdict).

mod support;

use accrochage::xsd::{Schema, ValidationOptions, CDC_XSD};
use support::corpus::{self, Doc};
use support::xmllint::Xmllint;

fn reference_xsd() -> std::path::PathBuf {
    corpus::reference_dir().join("cdc-1.1.2.xsd")
}

fn reference_schema() -> Schema {
    let text = std::fs::read_to_string(reference_xsd()).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); set ACCROCHAGE_REFERENCE_DIR",
            reference_xsd().display()
        )
    });
    Schema::parse(&text).expect("the reference XSD compiles")
}

/// Verdict and the codes of all errors (not only the first): a rewrite that changed which facet
/// a value breaks would show here.
fn outcome(schema: &Schema, doc: &Doc) -> (bool, Vec<&'static str>) {
    let r = schema.validate_bytes(&doc.xml, &ValidationOptions::default());
    (r.is_valid(), r.errors().map(|d| d.code.as_str()).collect())
}

#[test]
fn both_schemas_give_identical_outcomes_with_our_engine() {
    let ours = Schema::cdc();
    let theirs = reference_schema();
    let docs = corpus::corpus();
    let mut valid = 0;
    let differ: Vec<String> = docs
        .iter()
        .filter_map(|d| {
            let (a, b) = (outcome(&ours, d), outcome(&theirs, d));
            valid += usize::from(a.0);
            (a != b).then(|| format!("{}: embedded {a:?}, reference {b:?}", d.name))
        })
        .collect();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    // And on random single changes, where a rewrite is likelier to slip.
    for (name, xml) in corpus::random_mutants(7, 600) {
        let d = Doc {
            name,
            kind: String::new(),
            xml,
            expect: corpus::Expect::Valid,
        };
        let (a, b) = (outcome(&ours, &d), outcome(&theirs, &d));
        assert_eq!(a, b, "{}", d.name);
    }
    // Both verdicts occur many times: the comparison is not between two "always valid".
    assert!(
        valid >= 60 && docs.len() - valid >= 100,
        "{valid} valid of {}",
        docs.len()
    );
}

#[test]
fn both_schemas_give_identical_verdicts_with_xmllint() {
    let lint = Xmllint::find();
    let embedded =
        std::env::temp_dir().join(format!("accrochage-embedded-{}.xsd", std::process::id()));
    std::fs::write(&embedded, CDC_XSD).expect("write the embedded schema");
    let docs: Vec<(String, Vec<u8>)> = corpus::corpus()
        .into_iter()
        .map(|d| (d.name, d.xml))
        .collect();
    let ours = lint.validate(&embedded, &docs);
    let theirs = lint.validate(&reference_xsd(), &docs);
    let _ = std::fs::remove_file(&embedded);
    let mut differ: Vec<String> = docs
        .iter()
        .filter(|(name, _)| ours[name] != theirs[name])
        .map(|(name, _)| {
            format!(
                "{name}: embedded {}, reference {}",
                ours[name], theirs[name]
            )
        })
        .collect();
    differ.sort();
    assert!(differ.is_empty(), "{}", differ.join("\n"));
    let accepted = ours.values().filter(|v| **v).count();
    assert!(accepted >= 60, "xmllint accepted only {accepted} documents");
}
