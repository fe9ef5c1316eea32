//! Times the XSD engine on a document in memory, as the converter's final check reads it
//! (no line numbers): `cargo run --release --example check_xml -- FILE.xml [SCHEMA.xsd]`.
//! Under valgrind, its instruction count says whether a change to the engine made it do less.

use accrochage::xsd::{Schema, ValidationOptions};
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage : check_xml FICHIER.xml [SCHEMA.xsd]");
        std::process::exit(2);
    };
    let schema = match args.next() {
        Some(xsd) => match std::fs::read_to_string(&xsd)
            .map_err(|e| e.to_string())
            .and_then(|text| Schema::parse(&text).map_err(|e| e.to_string()))
        {
            Ok(schema) => schema,
            Err(e) => {
                eprintln!("{xsd} : {e}");
                std::process::exit(1);
            }
        },
        None => Schema::cdc(),
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path} : {e}");
            std::process::exit(1);
        }
    };
    let options = ValidationOptions {
        locate: false,
        ..ValidationOptions::default()
    };
    let start = Instant::now();
    let report = schema.validate_bytes(&bytes, &options);
    println!(
        "{} octets, {} : {:.2} s",
        bytes.len(),
        if report.is_valid() {
            "valide"
        } else {
            "invalide"
        },
        start.elapsed().as_secs_f64()
    );
    if !report.is_valid() {
        std::process::exit(1);
    }
}
