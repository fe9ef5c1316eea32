//! Inputs that once crashed, hung or misbehaved, found by fuzzing (`fuzz/`) or by probing the
//! fuzz targets' edges; each is kept here, on stable, so the fix cannot regress. The bodies are
//! the fuzz targets' own (`accrochage::fuzzing`), plus the precise outcome expected.

use accrochage::xsd::{Schema, ValidationOptions};

const XS: &str = "xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"";

fn nested_xsd(levels: usize) -> String {
    format!(
        "<xs:schema {XS}>\n{}{}</xs:schema>",
        "<xs:element name=\"r\"><xs:complexType><xs:sequence>".repeat(levels),
        "</xs:sequence></xs:complexType></xs:element>".repeat(levels)
    )
}

/// Was: the compiler recursed once per XSD level and overflowed the stack (an abort that no
/// catch_unwind stops, and a dead page in the browser, where the stack is about 1 MB).
#[test]
fn a_deeply_nested_xsd_is_refused_not_a_stack_overflow() {
    let xsd = nested_xsd(3000);
    accrochage::fuzzing::xsd_compile(xsd.as_bytes());
    let e = Schema::parse(&xsd).unwrap_err();
    assert_eq!(e.line, 2);
    assert_eq!(
        e.to_string(),
        "schéma XSD, ligne 2 : le XSD imbrique plus de 128 niveaux d'éléments : ce n'est pas un schéma utilisable (celui de la CDC en compte moins de 20)"
    );
}

#[test]
fn a_reasonably_nested_xsd_still_compiles() {
    // 42 elements, each 3 XSD levels deep: 126 levels.
    let schema = Schema::parse(&nested_xsd(42)).expect("126 levels compile");
    let doc = "<r>".repeat(42) + &"</r>".repeat(42);
    let report = schema.validate_str(&doc, &ValidationOptions::default());
    assert!(report.is_valid(), "{:#?}", report.diagnostics);
}

/// Was: quick-xml's English « document nests elements deeper than the supported limit » went
/// to the user as is; the validate target now meets it with a French message.
#[test]
fn nesting_beyond_the_parser_limit_is_said_in_french() {
    let doc = "<a>".repeat(70_000);
    accrochage::fuzzing::validate(doc.as_bytes());
    let report = Schema::cdc().validate_str(&doc, &ValidationOptions::default());
    let d = report.errors().last().unwrap();
    assert_eq!(
        d.message,
        "Le fichier n'est pas un XML bien formé : les éléments sont imbriqués sur plus de 65535 niveaux : un flux de la CDC en compte moins de 10"
    );
}

/// Was: the XSD compiler passed quick-xml's English syntax errors through.
#[test]
fn a_malformed_xsd_is_said_in_french() {
    let e = Schema::parse(&format!(
        "<xs:schema {XS}>\n<xs:element name=\"a\">\n</xs:schema>"
    ))
    .unwrap_err();
    assert_eq!(
        e.message,
        "le fichier XSD n'est pas un XML bien formé : la balise fermante </xs:schema> ne correspond pas à l'élément ouvert <xs:element>"
    );
}
