//! A small workbook of fictitious passages, made in memory: the template's three examples
//! (the first rows a user sees in « Télécharger le modèle avec exemples ») repeated, each row
//! with an idTechnique of its own, and example parameters.
//!
//! The page converts one when it opens, before any file is dropped, and throws the result
//! away: the browser compiles the engine's busiest code to fast machine code only once that
//! code has run for a while, and otherwise does so in the middle of the user's first
//! conversion, on the same two cores (≈ 0.6 s of compiling for 100 000 rows, see the README).
//! The workbook goes through the same reading, converting and checking as a user's.
//!
//! ```
//! use accrochage::{convert, sample, xsd::Schema};
//!
//! let xlsx = sample::sample_workbook(30);
//! let options = convert::ConvertOptions::at(convert::LocalNow::from_unix(1_767_225_600, 60));
//! let result = convert::convert(&xlsx, "exemple.xlsx", &Schema::cdc(), &options).unwrap();
//! assert_eq!(result.summary.passages_written, 30);
//! ```

use std::fmt::Write;

use quick_xml::escape::partial_escape;

use crate::workbook::{column_letters, format_number};

/// A value in an example row.
#[derive(Clone, Copy)]
pub enum Example {
    Text(&'static str),
    Number(f64),
    Date(u16, u8, u8),
}

use Example::{Date, Number, Text};

/// Three fictitious passages: names, numbers and codes are invented.
pub const EXAMPLES: [&[(&str, Example)]; 3] = [
    // A holder born in France, everything known.
    &[
        ("type", Text("RNCP")),
        ("code", Text("RNCP34567")),
        ("idTechnique", Text("2024-RNCP34567-0001")),
        (
            "urlPreuve",
            Text("https://certificateur.example/verifier/0001"),
        ),
        ("obtentionCertification", Text("Par admission")),
        ("donneeCertifiee", Text("Oui")),
        ("dateDebutExamen", Date(2024, 6, 10)),
        ("dateFinExamen", Date(2024, 6, 12)),
        ("modalitePassageExamen", Text("En présentiel")),
        ("codePostalCentreExamen", Text("44000")),
        ("dateDebutValidite", Date(2024, 7, 1)),
        ("presenceNiveauLangueEuro", Text("Non")),
        ("presenceNiveauNumeriqueEuro", Text("Non")),
        ("mentionValidee", Text("Bien")),
        (
            "modaliteAcces",
            Text("Formation continue hors contrat de professionnalisation"),
        ),
        ("initiativeInscription", Text("Le candidat lui-même")),
        ("dateInscription", Date(2023, 9, 15)),
        ("nomNaissance", Text("DUPONT")),
        ("nomUsage", Text("MARTIN")),
        ("prenom1", Text("Marie")),
        ("prenom2", Text("Claire")),
        ("anneeNaissance", Number(1990.0)),
        ("moisNaissance", Number(3.0)),
        ("jourNaissance", Number(14.0)),
        ("sexe", Text("Femme (F)")),
        ("codeInsee", Text("44109")),
        ("libelleCommuneNaissance", Text("Nantes")),
    ],
    // A holder born abroad, certification by score with a language level.
    &[
        ("type", Text("RS")),
        ("code", Text("RS5678")),
        ("idTechnique", Text("2024-RS5678-0002")),
        ("obtentionCertification", Text("Par scoring")),
        ("donneeCertifiee", Text("Oui")),
        ("dateDebutExamen", Date(2024, 9, 5)),
        ("dateFinExamen", Date(2024, 9, 5)),
        ("modalitePassageExamen", Text("À distance")),
        ("dateDebutValidite", Date(2024, 9, 20)),
        ("dateFinValidite", Date(2026, 9, 20)),
        ("presenceNiveauLangueEuro", Text("Oui")),
        ("niveauLangueEuropeen", Text("B2 (avancé)")),
        ("presenceNiveauNumeriqueEuro", Text("Non")),
        ("scoring", Text("785")),
        ("modaliteAcces", Text("Candidat libre")),
        ("initiativeInscription", Text("Employeur")),
        ("nomNaissance", Text("SCHMIDT")),
        ("prenom1", Text("Lukas")),
        ("anneeNaissance", Number(1985.0)),
        ("moisNaissance", Number(11.0)),
        ("jourNaissance", Number(2.0)),
        ("sexe", Text("Homme (M)")),
        ("codeInsee", Text("99109")),
        ("libelleCommuneNaissance", Text("Berlin")),
        ("codePaysNaissance", Text("109")),
        ("libellePaysNaissance", Text("Allemagne")),
    ],
    // A holder identified by a training file; unknown values written nil; digital skills.
    &[
        ("type", Text("RS")),
        ("code", Text("RS6789")),
        ("idTechnique", Text("2024-RS6789-0003")),
        ("obtentionCertification", Text("Par scoring")),
        ("donneeCertifiee", Text("Oui")),
        ("dateDebutExamen", Date(2024, 10, 14)),
        ("modalitePassageExamen", Text("Mixte")),
        ("dateDebutValidite", Date(2024, 10, 21)),
        ("dateFinValidite", Text("nil")),
        ("presenceNiveauLangueEuro", Text("Non")),
        ("presenceNiveauNumeriqueEuro", Text("Oui")),
        ("scoring", Text("512")),
        ("mentionValidee", Text("nil")),
        ("modaliteAcces", Text("nil")),
        ("verbatim", Text("Épreuve en ligne surveillée")),
        ("idDossier", Text("20240912345")),
        ("nomTitulaire", Text("LEROY")),
        ("prenom1Titulaire", Text("Paul")),
        ("scoreGeneral", Number(512.0)),
        ("resultats", Text("3:1:1|4:2:3|2:5:1")),
    ],
];

/// Example parameters: invented identifiers of the right shape.
pub const EXAMPLE_PARAMETERS: &[(&str, &str)] = &[
    ("idClientEmetteur", "ORG12345"),
    ("idClientCertificateur", "ORG12345"),
    ("idContrat", "2560080099999Z"),
    ("natureDeposant", "Certificateur"),
];

/// An .xlsx of `rows` passages (the examples in turn), with its « Paramètres » sheet filled.
/// Stored, not compressed: it is read at once by the engine that made it, and the reading of
/// the sheets, which is what matters, is the same.
pub fn sample_workbook(rows: usize) -> Vec<u8> {
    let mut keys: Vec<&'static str> = Vec::new();
    for (key, _) in EXAMPLES.iter().flat_map(|e| e.iter()) {
        if !keys.contains(key) {
            keys.push(key);
        }
    }
    let mut strings = SharedStrings::default();
    let mut passages = Sheet::default();
    passages.row(keys.iter().map(|k| Cell::Shared(k)).collect(), &mut strings);
    for i in 0..rows {
        let example = EXAMPLES[i % EXAMPLES.len()];
        let value = |key: &str| example.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
        let cells = keys.iter().map(|&key| match value(key) {
            None => Cell::Empty,
            // Unique per row, as the CDC requires.
            Some(Example::Text(s)) if key == "idTechnique" => Cell::Inline(format!("{s}-{i}")),
            Some(Example::Text(s)) => Cell::Shared(s),
            Some(Example::Number(n)) => Cell::Number(n),
            Some(Example::Date(y, m, d)) => Cell::Inline(format!("{y:04}-{m:02}-{d:02}")),
        });
        passages.row(cells.collect(), &mut strings);
    }
    let mut parameters = Sheet::default();
    for (key, value) in [("champ", "valeur")].iter().chain(EXAMPLE_PARAMETERS) {
        parameters.row(vec![Cell::Shared(key), Cell::Shared(value)], &mut strings);
    }
    let mut zip = StoredZip::default();
    zip.file("_rels/.rels", ROOT_RELS.as_bytes());
    zip.file("xl/workbook.xml", WORKBOOK.as_bytes());
    zip.file("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes());
    zip.file("xl/sharedStrings.xml", strings.xml().as_bytes());
    zip.file("xl/worksheets/sheet1.xml", passages.xml().as_bytes());
    zip.file("xl/worksheets/sheet2.xml", parameters.xml().as_bytes());
    zip.finish()
}

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    "</Relationships>"
);
const WORKBOOK: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
    r#"<sheets><sheet name="Passages" sheetId="1" r:id="rId1"/><sheet name="Paramètres" sheetId="2" r:id="rId2"/></sheets>"#,
    "</workbook>"
);
const WORKBOOK_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#,
    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/>"#,
    "</Relationships>"
);

enum Cell {
    Empty,
    /// A shared string.
    Shared(&'static str),
    /// A string of its own (`inlineStr`): the idTechnique, one per row.
    Inline(String),
    Number(f64),
}

/// The workbook's strings, each once, as Excel writes them: the examples' few dozen.
#[derive(Default)]
struct SharedStrings(Vec<&'static str>);

impl SharedStrings {
    fn index(&mut self, s: &'static str) -> usize {
        self.0.iter().position(|t| *t == s).unwrap_or_else(|| {
            self.0.push(s);
            self.0.len() - 1
        })
    }

    fn xml(&self) -> String {
        let mut xml = format!(r#"{XML_DECLARATION}<sst xmlns="{MAIN_NS}">"#);
        for s in &self.0 {
            let _ = write!(xml, "<si><t>{}</t></si>", partial_escape(*s));
        }
        xml.push_str("</sst>");
        xml
    }
}

/// One sheet's `sheetData`, row after row.
#[derive(Default)]
struct Sheet {
    rows: String,
    count: u32,
}

impl Sheet {
    fn row(&mut self, cells: Vec<Cell>, strings: &mut SharedStrings) {
        self.count += 1;
        let r = self.count;
        let _ = write!(self.rows, r#"<row r="{r}">"#);
        for (col, cell) in cells.into_iter().enumerate() {
            let at = format!("{}{r}", column_letters(col as u32));
            match cell {
                Cell::Empty => {}
                Cell::Shared(s) => {
                    let _ = write!(
                        self.rows,
                        r#"<c r="{at}" t="s"><v>{}</v></c>"#,
                        strings.index(s)
                    );
                }
                Cell::Inline(s) => {
                    let _ = write!(
                        self.rows,
                        r#"<c r="{at}" t="inlineStr"><is><t>{}</t></is></c>"#,
                        partial_escape(s.as_str())
                    );
                }
                Cell::Number(n) => {
                    let _ = write!(self.rows, r#"<c r="{at}"><v>{}</v></c>"#, format_number(n));
                }
            }
        }
        self.rows.push_str("</row>");
    }

    fn xml(&self) -> String {
        format!(
            r#"{XML_DECLARATION}<worksheet xmlns="{MAIN_NS}"><sheetData>{}</sheetData></worksheet>"#,
            self.rows
        )
    }
}

/// A zip archive of stored (uncompressed) files.
#[derive(Default)]
struct StoredZip {
    bytes: Vec<u8>,
    central: Vec<u8>,
    files: u32,
}

/// Little-endian fields, each a value and its width in bytes.
// Not inlined: the page's engine is a few hundred bytes smaller.
#[inline(never)]
fn fields(out: &mut Vec<u8>, fields: &[(u32, usize)]) {
    for &(value, width) in fields {
        out.extend_from_slice(&value.to_le_bytes()[..width]);
    }
}

impl StoredZip {
    fn file(&mut self, name: &str, data: &[u8]) {
        let (size, offset) = (data.len() as u32, self.bytes.len() as u32);
        // Version 2.0, names in UTF-8 (bit 11), stored, 1980-01-01 00:00, CRC, sizes, name.
        let common = [
            (20, 2),
            (0x0800, 2),
            (0, 2),
            (0, 2),
            (0x21, 2),
            (crc32fast::hash(data), 4),
            (size, 4),
            (size, 4),
            (name.len() as u32, 2),
        ];
        fields(&mut self.bytes, &[(0x0403_4b50, 4)]);
        fields(&mut self.bytes, &common);
        fields(&mut self.bytes, &[(0, 2)]);
        self.bytes.extend_from_slice(name.as_bytes());
        self.bytes.extend_from_slice(data);
        fields(&mut self.central, &[(0x0201_4b50, 4), (20, 2)]);
        fields(&mut self.central, &common);
        // No extra field nor comment, disk 0, no attributes, then where the file starts.
        fields(&mut self.central, &[(0, 4), (0, 4), (0, 4), (offset, 4)]);
        self.central.extend_from_slice(name.as_bytes());
        self.files += 1;
    }

    fn finish(mut self) -> Vec<u8> {
        let (at, size) = (self.bytes.len() as u32, self.central.len() as u32);
        self.bytes.append(&mut self.central);
        let n = self.files;
        let end = [
            (0x0605_4b50, 4),
            (0, 4),
            (n, 2),
            (n, 2),
            (size, 4),
            (at, 4),
            (0, 2),
        ];
        fields(&mut self.bytes, &end);
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::{self, ConvertOptions, LocalNow};
    use crate::xsd::Schema;
    use calamine::{Data, Reader, Xlsx};

    fn convert_sample(rows: usize) -> convert::Conversion {
        let xlsx = sample_workbook(rows);
        let options = ConvertOptions::at(LocalNow::from_unix(1_767_225_600, 60));
        convert::convert(&xlsx, "exemple.xlsx", &Schema::cdc(), &options).unwrap()
    }

    #[test]
    fn every_sample_row_becomes_a_passage() {
        for rows in [1, 3, 250] {
            let result = convert_sample(rows);
            let s = &result.summary;
            assert_eq!((s.rows_read, s.passages_written), (rows, rows));
            assert_eq!((s.rows_excluded, s.errors), (0, 0));
            assert_eq!(result.files.len(), 1);
        }
    }

    #[test]
    fn the_sample_uses_every_example_and_unique_ids() {
        let result = convert_sample(6);
        let xml: String = result.files[0].xml.pieces().collect();
        for (e, example) in EXAMPLES.iter().enumerate() {
            let Some((_, Example::Text(id))) = example.iter().find(|(k, _)| *k == "idTechnique")
            else {
                panic!("un exemple sans idTechnique");
            };
            for i in (0..6).filter(|i| i % EXAMPLES.len() == e) {
                assert!(
                    xml.contains(&format!("<cpf:idTechnique>{id}-{i}<")),
                    "{id}-{i}"
                );
            }
        }
        assert!(xml.contains("<cpf:idClient>ORG12345</cpf:idClient>"));
    }

    /// Read back by another xlsx reader: the archive and its parts are what Excel expects.
    #[test]
    fn another_reader_reads_the_sample() {
        let mut book = Xlsx::new(std::io::Cursor::new(sample_workbook(4))).unwrap();
        assert_eq!(book.sheet_names(), ["Passages", "Paramètres"]);
        let passages = book.worksheet_range("Passages").unwrap();
        assert_eq!(passages.height(), 5);
        assert_eq!(passages.get((0, 0)), Some(&Data::String("type".into())));
        let id = passages
            .rows()
            .next()
            .unwrap()
            .iter()
            .position(|c| c == &Data::String("idTechnique".into()))
            .unwrap();
        assert_eq!(
            passages.get((4, id)),
            Some(&Data::String("2024-RNCP34567-0001-3".into()))
        );
        let year = passages
            .rows()
            .next()
            .unwrap()
            .iter()
            .position(|c| c == &Data::String("anneeNaissance".into()))
            .unwrap();
        assert_eq!(passages.get((1, year)), Some(&Data::Float(1990.0)));
        let params = book.worksheet_range("Paramètres").unwrap();
        assert_eq!(
            params.get((1, 0)),
            Some(&Data::String("idClientEmetteur".into()))
        );
        assert_eq!(params.get((1, 1)), Some(&Data::String("ORG12345".into())));
    }
}
