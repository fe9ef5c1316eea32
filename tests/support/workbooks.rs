//! Builders of workbook fixtures in memory (zips, ODS, deflate bombs), for the workbook tests.

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

/// The manifest calamine requires in an ODS.
pub const ODS_MANIFEST: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;

/// One ODS row: each cell as its attributes and text, `None` when empty.
pub type OdsRow<'a> = Vec<Option<(&'a str, &'a str)>>;

/// A minimal ODS: one table per `(name, rows)`, each cell given as its `<table:table-cell>`
/// attributes and text (`None` for an empty cell).
pub fn ods(tables: &[(&str, Vec<OdsRow>)]) -> Vec<u8> {
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
    let manifest = ODS_MANIFEST;
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    // The OpenDocument rule: `mimetype` first and stored.
    w.start_file(
        "mimetype",
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored),
    )
    .unwrap();
    w.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("content.xml", deflated).unwrap();
    w.write_all(content.as_bytes()).unwrap();
    w.start_file("META-INF/manifest.xml", deflated).unwrap();
    w.write_all(manifest.as_bytes()).unwrap();
    w.finish().unwrap().into_inner()
}

/// Deflate bits, packed from the least significant bit of each byte (RFC 1951 §3.1.1).
struct Bits {
    out: Vec<u8>,
    acc: u64,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, len: u32) {
        self.acc |= u64::from(value) << self.n;
        self.n += len;
        while self.n >= 8 {
            self.out.push(self.acc as u8);
            self.acc >>= 8;
            self.n -= 8;
        }
    }

    /// Huffman codes go most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        let reversed = code.reverse_bits() >> (32 - len);
        self.put(reversed, len);
    }

    fn literal(&mut self, b: u8) {
        assert!(b < 144, "ASCII only");
        self.code(0x30 + u32::from(b), 8);
    }
}

/// A raw deflate stream (one block, fixed Huffman codes) of `prefix`, `run` times the byte
/// `fill`, then `suffix`, written directly: compressing hundreds of megabytes through a real
/// compressor would take a minute in a debug build, this takes milliseconds. Each 258-byte
/// repetition costs 13 bits (a ratio of about 160).
pub fn deflate_run(prefix: &[u8], fill: u8, run: usize, suffix: &[u8]) -> Vec<u8> {
    let mut b = Bits {
        out: Vec::with_capacity(run / 150),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // last block
    b.put(1, 2); // fixed Huffman codes
    for &c in prefix {
        b.literal(c);
    }
    b.literal(fill);
    let mut left = run - 1;
    while left >= 258 {
        b.code(0xC5, 8); // length code 285 = 258 bytes
        b.code(0, 5); // distance code 0 = 1 byte back
        left -= 258;
    }
    for _ in 0..left {
        b.literal(fill);
    }
    for &c in suffix {
        b.literal(c);
    }
    b.code(0, 7); // end of block
    b.put(0, 7); // pad to a byte
    b.out
}

/// A raw deflate stream (one block, fixed Huffman codes) of `prefix`, `times` copies of
/// `pattern`, then `suffix`: like [`deflate_run`], for a repeated record rather than a byte.
/// Each 258-byte repetition costs 15 bits for a pattern of 13 to 16 bytes (a ratio of about 140).
pub fn deflate_repeat(prefix: &[u8], pattern: &[u8], times: usize, suffix: &[u8]) -> Vec<u8> {
    // RFC 1951 §3.2.5: distance codes, their first distance and their extra bits.
    const BASE: [u32; 30] = [
        1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
        2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
    ];
    let literal = |b: &mut Bits, c: u8| {
        if c < 144 {
            b.code(0x30 + u32::from(c), 8);
        } else {
            b.code(0x190 + u32::from(c) - 144, 9);
        }
    };
    let len = pattern.len();
    assert!((1..=32768).contains(&len) && times >= 1);
    let code = BASE.iter().rposition(|&d| d <= len as u32).unwrap();
    let extra = (code.max(2) as u32 - 2) / 2;
    let mut b = Bits {
        out: Vec::with_capacity(times * len / 130),
        acc: 0,
        n: 0,
    };
    b.put(1, 1); // last block
    b.put(1, 2); // fixed Huffman codes
    for &c in prefix.iter().chain(pattern) {
        literal(&mut b, c);
    }
    let mut done = len;
    let total = times * len;
    while total - done >= 258 {
        b.code(0xC5, 8); // length code 285 = 258 bytes
        b.code(code as u32, 5);
        b.put(len as u32 - BASE[code], extra);
        done += 258;
    }
    while done < total {
        literal(&mut b, pattern[done % len]);
        done += 1;
    }
    for &c in suffix {
        literal(&mut b, c);
    }
    b.code(0, 7); // end of block
    b.put(0, 7); // pad to a byte
    b.out
}

/// A zip written by hand from already-compressed entries `(name, method, data, inflated size)`
/// (method 0 stored, 8 deflated). CRCs are left at 0: the readers under test must refuse these
/// archives from their central directory, before any CRC is checked.
pub fn raw_zip(entries: &[(&str, u16, &[u8], u32)]) -> Vec<u8> {
    let with_crc: Vec<(&str, u16, &[u8], u32, u32)> = entries
        .iter()
        .map(|&(name, method, data, size)| (name, method, data, size, 0))
        .collect();
    raw_zip_crc(&with_crc)
}

/// CRC-32 (ISO-HDLC, as zip uses it), bit by bit: for the few small parts a test stores.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// [`raw_zip`] with each entry's CRC given `(name, method, data, inflated size, crc)`: the
/// readers check it when they read an entry to its end.
pub fn raw_zip_crc(entries: &[(&str, u16, &[u8], u32, u32)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, method, data, size, crc) in entries {
        let offset = out.len() as u32;
        let header = |sig: u32, central_entry: bool| {
            let mut h = Vec::new();
            h.extend(sig.to_le_bytes());
            if central_entry {
                h.extend(20u16.to_le_bytes()); // made by
            }
            h.extend(20u16.to_le_bytes()); // version needed
            h.extend(0u16.to_le_bytes()); // flags
            h.extend(method.to_le_bytes());
            h.extend(0u32.to_le_bytes()); // time, date
            h.extend(crc.to_le_bytes());
            h.extend((data.len() as u32).to_le_bytes());
            h.extend(size.to_le_bytes());
            h.extend((name.len() as u16).to_le_bytes());
            h.extend(0u16.to_le_bytes()); // extra
            if central_entry {
                h.extend(0u16.to_le_bytes()); // comment
                h.extend(0u16.to_le_bytes()); // disk
                h.extend(0u16.to_le_bytes()); // internal attributes
                h.extend(0u32.to_le_bytes()); // external attributes
                h.extend(offset.to_le_bytes());
            }
            h.extend(name.as_bytes());
            h
        };
        out.extend(header(0x0403_4b50, false));
        out.extend_from_slice(data);
        central.extend(header(0x0201_4b50, true));
    }
    let start = out.len() as u32;
    out.extend(&central);
    out.extend(0x0605_4b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(start.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}
