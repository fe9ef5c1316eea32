//! The bodies of the fuzz targets, shared by the `fuzz/` crate (libFuzzer, nightly) and by the
//! stable smoke test `tests/fuzz_smoke.rs`, so that CI runs exactly what the fuzzer runs.
//!
//! Each body takes arbitrary bytes and must return without panicking, hanging or allocating
//! without bound; beyond "no crash", each checks a property the library promises (an invalid
//! report names at least one error, the converter's XML is valid against the schema it was
//! written from, its counts add up).
//!
//! ```
//! accrochage::fuzzing::validate(b"<flux/>");
//! accrochage::fuzzing::xsd_compile(b"<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"/>");
//! ```

use std::sync::OnceLock;

use crate::convert::{ConvertOptions, LocalNow};
use crate::xsd::{Schema, ValidationOptions};

/// Compiled once: compiling the CDC schema per input would dominate the fuzzer's time.
fn cdc() -> &'static Schema {
    static CDC: OnceLock<Schema> = OnceLock::new();
    CDC.get_or_init(Schema::cdc)
}

/// `xsd_compile`: arbitrary text as an XSD; a schema that compiles must then validate a few
/// documents without trouble.
pub fn xsd_compile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Schema::parse(text) {
        Ok(schema) => {
            let options = ValidationOptions::default();
            for root in schema.global_elements().take(4) {
                let doc = format!("<{0}>x</{0}>", root.name);
                check_report(&schema.validate_str(&doc, &options));
            }
            check_report(&schema.validate_str("<a/>", &options));
        }
        Err(e) => assert!(
            !e.to_string().is_empty(),
            "a schema error says what is wrong"
        ),
    }
}

/// `validate`: arbitrary bytes as an instance of the CDC schema. The three ways of reading a
/// document agree: in memory, streamed through a small buffer (the CLI's way), and in memory
/// without positions (the converter's final check), which gives the same verdict and counts.
pub fn validate(data: &[u8]) {
    let options = ValidationOptions {
        max_errors: 50,
        ..ValidationOptions::default()
    };
    let report = cdc().validate_bytes(data, &options);
    check_report(&report);
    let streamed = cdc().validate(std::io::BufReader::with_capacity(7, data), &options);
    assert_eq!(format!("{report:?}"), format!("{streamed:?}"));
    let unlocated = ValidationOptions {
        locate: false,
        ..options
    };
    let verdict = cdc().validate_bytes(data, &unlocated);
    assert_eq!(
        (verdict.error_count, verdict.warning_count),
        (report.error_count, report.warning_count)
    );
}

fn check_report(report: &crate::xsd::Report) {
    if !report.is_valid() {
        assert!(
            report.errors().next().is_some(),
            "an invalid verdict lists at least one error"
        );
    }
    assert!(report.errors().count() <= report.error_count);
    for d in &report.diagnostics {
        assert!(!d.message.is_empty(), "every diagnostic has a message");
    }
}

/// The name the reader gets, in its messages (the bytes decide the format); the first byte
/// picks it.
fn file_name(data: &[u8]) -> (&'static str, &[u8]) {
    const NAMES: [&str; 5] = [
        "passages.csv",
        "passages.xlsx",
        "passages.ods",
        "passages.xls",
        "passages.xlsb",
    ];
    match data.split_first() {
        Some((&b, rest)) => (NAMES[b as usize % NAMES.len()], rest),
        None => (NAMES[0], data),
    }
}

/// `workbook_read`: arbitrary bytes as a workbook file (csv, xlsx, ods, xls or xlsb).
pub fn workbook_read(data: &[u8]) {
    let (name, bytes) = file_name(data);
    match crate::workbook::read_workbook(bytes, name) {
        Ok(book) => {
            for sheet in &book.sheets {
                for pair in sheet.rows.windows(2) {
                    assert!(pair[0].number < pair[1].number, "rows come in order, once");
                }
            }
        }
        Err(e) => assert!(
            !e.to_string().is_empty(),
            "a reading error says what is wrong"
        ),
    }
}

/// `xlsx_sheet`: arbitrary bytes as a worksheet's XML; the first byte picks the size of the
/// windows it is read in. Read by quick-xml alone and with the shortcut for cells of the
/// common shape, the rows (or the error) are the same.
pub fn xlsx_sheet(data: &[u8]) {
    let (window, xml) = match data.split_first() {
        Some((&b, rest)) => (16 + usize::from(b) * 4, rest),
        None => (16, data),
    };
    let [slow, fast] = crate::workbook::sheet_readings(xml, window);
    assert_eq!(fast, slow, "the shortcut reads as quick-xml does");
}

/// The fixed options of the `convert` target: a fixed clock and the three required parameters.
pub fn convert_options() -> ConvertOptions {
    let mut o = ConvertOptions::at(LocalNow::from_unix(1_795_338_000, 60));
    for (k, v) in [
        ("idClientEmetteur", "ABCD1234"),
        ("idClientCertificateur", "EFGH5678"),
        ("idContrat", "MCF-2026-01"),
        ("idFlux", "flux-fuzz-1"),
    ] {
        o.params.insert(k.into(), v.into());
    }
    o
}

/// `convert`: arbitrary bytes through the whole conversion; what comes out must be valid XML
/// per the CDC schema and every row read must be either written or excluded.
pub fn convert(data: &[u8]) {
    let (name, bytes) = file_name(data);
    let schema = cdc();
    let Ok(c) = crate::convert::convert(bytes, name, schema, &convert_options()) else {
        return;
    };
    check_conversion(schema, &c);
}

/// The messages of [`wire_messages`] as one input: each one's length (`u16`, little-endian),
/// then its bytes. Builds the seeds from a real reading.
pub fn wire_frames(messages: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for m in messages {
        let len = m.len().min(usize::from(u16::MAX));
        out.extend_from_slice(&(len as u16).to_le_bytes());
        out.extend_from_slice(&m[..len]);
    }
    out
}

/// `wire_messages`: arbitrary bytes as the messages one worker of the page posts to the other
/// ([`wire_frames`]), taken as the page's engine takes them ([`MessageConverter`]). Nothing
/// panics; a message that decodes decodes the same once encoded again; a conversion that
/// finishes wrote valid files and lost no row.
///
/// [`MessageConverter`]: crate::convert::MessageConverter
pub fn wire_messages(data: &[u8]) {
    use crate::convert::{MessageConverter, Next};
    use crate::workbook::wire;
    let schema = cdc();
    let options = convert_options();
    let mut converter = MessageConverter::new();
    let mut rest = data;
    let mut next = Next::More;
    while next == Next::More && rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let (message, after) = rest[2..].split_at(len);
        rest = after;
        let decoded = wire::decode(message);
        if let Some(m) = &decoded {
            let again = wire::decode(&wire::encode(m));
            assert_eq!(
                format!("{again:?}"),
                format!("{decoded:?}"),
                "encode ∘ decode"
            );
        }
        next = converter.take(decoded, schema, &options);
    }
    if next == Next::Finish {
        if let Ok(c) = converter.finish(schema, &options) {
            check_conversion(schema, &c);
        }
    }
}

/// What every conversion promises: its counts add up, its files are valid, its findings say
/// something.
fn check_conversion(schema: &Schema, c: &crate::convert::Conversion) {
    let s = &c.summary;
    assert_eq!(s.rows_read, s.passages_written + s.rows_excluded, "{s:?}");
    assert_eq!(s.files, c.files.len());
    let options = ValidationOptions::default();
    for f in &c.files {
        let report = schema.validate_str(&f.xml, &options);
        assert!(
            report.is_valid(),
            "the converter wrote an invalid file: {:?}\n{}",
            report.diagnostics,
            f.xml
        );
    }
    for f in &c.findings {
        assert!(!f.message.is_empty(), "every finding has a message: {f:?}");
    }
}
