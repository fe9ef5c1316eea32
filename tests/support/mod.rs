//! Builders of workbook fixtures in memory, shared by the workbook tests.
#![allow(dead_code)]

use std::io::{Cursor, Read, Write};

use zip::write::SimpleFileOptions;

/// A zip of the given entries, deflated.
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, options).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// The entries of a zip, in order.
pub fn unzip(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

/// The same zip with its XML parts edited as text (`edit(part name, xml)`), to write what
/// rust_xlsxwriter cannot: the 1904 flag, formulas without results, odd dimensions.
pub fn rezip(bytes: &[u8], edit: impl Fn(&str, String) -> String) -> Vec<u8> {
    let entries: Vec<(String, Vec<u8>)> = unzip(bytes)
        .into_iter()
        .map(|(name, data)| {
            if name.ends_with(".xml") || name.ends_with(".rels") {
                let text = String::from_utf8(data).unwrap();
                let edited = edit(&name, text).into_bytes();
                (name, edited)
            } else {
                (name, data)
            }
        })
        .collect();
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    zip_of(&refs)
}

/// A minimal ODS: one table per `(name, rows)`, each cell given as its `<table:table-cell>`
/// attributes and text (`None` for an empty cell).
pub fn ods(tables: &[(&str, Vec<Vec<Option<(&str, &str)>>>)]) -> Vec<u8> {
    let mut body = String::new();
    for (name, rows) in tables {
        body.push_str(&format!("<table:table table:name=\"{name}\">"));
        for row in rows {
            body.push_str("<table:table-row>");
            for cell in row {
                match cell {
                    None => body.push_str("<table:table-cell/>"),
                    Some((attrs, text)) => body.push_str(&format!(
                        "<table:table-cell {attrs}><text:p>{text}</text:p></table:table-cell>"
                    )),
                }
            }
            body.push_str("</table:table-row>");
        }
        body.push_str("</table:table>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // The OpenDocument rule: `mimetype` first and stored.
    w.start_file(
        "mimetype",
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let deflated = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("content.xml", deflated).unwrap();
    w.write_all(content.as_bytes()).unwrap();
    w.start_file("META-INF/manifest.xml", deflated).unwrap();
    w.write_all(manifest.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}
