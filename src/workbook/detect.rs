//! Which format the bytes are, from their content: a zip holding `xl/workbook.xml` is xlsx, an
//! OLE container holding a `Workbook` stream is xls, text is CSV. The file name does not decide
//! (a `.xls` is often HTML or CSV in disguise); other files get a message saying what they look
//! like.
//!
//! ```
//! use accrochage::workbook::{detect::detect, ErrorKind, Format};
//! assert_eq!(detect(b"nom;prenom\n", "export.xls").unwrap(), Format::Csv);
//! let err = detect(b"%PDF-1.7\n...", "passages.xlsx").unwrap_err();
//! assert_eq!(err.kind, ErrorKind::NotAWorkbook);
//! assert!(err.message.contains("PDF"));
//! ```

use std::io::{Cursor, Read};

use super::limits::{check_zip, encrypted};
use super::{ErrorKind, Format, WorkbookError};

const OLE_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// The format of `bytes`, or why they are not a workbook.
pub fn detect(bytes: &[u8], name: &str) -> Result<Format, WorkbookError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(WorkbookError::new(
            ErrorKind::Empty,
            format!(
                "Le fichier « {name} » est vide{} : choisissez le classeur rempli (partez du modèle si besoin)",
                if bytes.is_empty() { " (0 octet)" } else { " (seulement des espaces)" }
            ),
        ));
    }
    // Local file header, empty archive, spanned archive: a text file may well start with "PK".
    if [&b"PK\x03\x04"[..], b"PK\x05\x06", b"PK\x07\x08"]
        .iter()
        .any(|m| bytes.starts_with(m))
    {
        return zip_format(bytes, name);
    }
    if bytes.starts_with(OLE_MAGIC) {
        return ole_format(bytes, name);
    }
    if let Some(what) = foreign(bytes) {
        return Err(not_a_workbook(name, what));
    }
    Ok(Format::Csv)
}

fn not_a_workbook(name: &str, what: &str) -> WorkbookError {
    WorkbookError::new(
        ErrorKind::NotAWorkbook,
        format!(
            "Le fichier « {name} » n'est pas un classeur : il ressemble à {what}. Choisissez le classeur des passages (.xlsx, .xls, .ods ou .csv), de préférence rempli à partir du modèle"
        ),
    )
}

/// What well-known non-spreadsheet files look like, by their first bytes.
fn foreign(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"%PDF", "un document PDF"),
        (b"\x89PNG", "une image PNG"),
        (b"\xFF\xD8\xFF", "une image JPEG"),
        (b"GIF8", "une image GIF"),
        (b"II*\x00", "une image TIFF"),
        (b"MM\x00*", "une image TIFF"),
        (b"Rar!", "une archive RAR"),
        (b"7z\xBC\xAF", "une archive 7-Zip"),
        (b"\x1F\x8B", "une archive gzip"),
        (b"{\\rtf", "un document RTF"),
        (b"\x7FELF", "un programme"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
        return Some(what);
    }
    let head = &bytes[..bytes.len().min(1024)];
    let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
    let start = lower.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with("<!doctype html") || start.starts_with("<html") {
        return Some("une page web (HTML), parfois nommée .xls par les logiciels qui l'exportent : ouvrez-la dans votre tableur et enregistrez-la au format .xlsx");
    }
    if start.starts_with("<?xml") {
        if lower.contains("urn:schemas-microsoft-com:office:spreadsheet") {
            return Some("un classeur « XML 2003 » d'Excel, que l'outil ne lit pas : ouvrez-le dans Excel et enregistrez-le au format .xlsx");
        }
        return Some("un fichier XML (peut-être déjà un fichier pour la Caisse des Dépôts ?)");
    }
    // Text never contains NUL bytes, except UTF-16 (which then starts with its BOM).
    let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]);
    if !utf16 && head.contains(&0) {
        return Some("un fichier binaire d'un type inconnu");
    }
    None
}

fn zip_format(bytes: &[u8], name: &str) -> Result<Format, WorkbookError> {
    check_zip(bytes, name, "classeur (archive zip)")?;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        WorkbookError::new(
            ErrorKind::Damaged,
            format!("L'archive zip du classeur « {name} » est illisible ({e}) : rouvrez-le dans votre tableur et enregistrez-le"),
        )
    })?;
    let has = |zip: &zip::ZipArchive<Cursor<&[u8]>>, n: &str| zip.index_for_name(n).is_some();
    if has(&zip, "xl/workbook.xml") {
        return Ok(Format::Xlsx);
    }
    if has(&zip, "xl/workbook.bin") {
        return Ok(Format::Xlsb);
    }
    let mut mimetype = String::new();
    if let Ok(f) = zip.by_name("mimetype") {
        // `mimetype` is a few dozen bytes; take() keeps a forged one from being big.
        let _ = f.take(200).read_to_string(&mut mimetype);
    }
    let mimetype = mimetype.trim();
    if mimetype == "application/vnd.oasis.opendocument.spreadsheet"
        || (mimetype.is_empty() && has(&zip, "content.xml"))
    {
        return Ok(Format::Ods);
    }
    let what = if has(&zip, "word/document.xml") {
        "un document Word (.docx)"
    } else if has(&zip, "ppt/presentation.xml") {
        "une présentation PowerPoint (.pptx)"
    } else if mimetype.starts_with("application/vnd.oasis.opendocument.text") {
        "un document texte OpenDocument (.odt)"
    } else if mimetype.starts_with("application/vnd.oasis.opendocument") {
        "un document OpenDocument qui n'est pas un classeur"
    } else {
        "une archive zip qui ne contient pas de classeur : si le classeur est dedans, décompressez-la d'abord"
    };
    Err(not_a_workbook(name, what))
}

/// Names in an OLE directory are UTF-16LE: looking for them in the bytes is enough to tell
/// an encrypted OOXML package or a Word document from an xls.
fn has_utf16(bytes: &[u8], name: &str) -> bool {
    let needle: Vec<u8> = name.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    memchr::memmem::find(bytes, &needle).is_some()
}

fn ole_format(bytes: &[u8], name: &str) -> Result<Format, WorkbookError> {
    if has_utf16(bytes, "EncryptionInfo") || has_utf16(bytes, "EncryptedPackage") {
        return Err(encrypted(name));
    }
    if has_utf16(bytes, "Workbook") || has_utf16(bytes, "Book") {
        return Ok(Format::Xls);
    }
    let what = if has_utf16(bytes, "WordDocument") {
        "un document Word 97-2003 (.doc)"
    } else if has_utf16(bytes, "PowerPoint Document") {
        "une présentation PowerPoint 97-2003 (.ppt)"
    } else {
        "un fichier Microsoft Office qui n'est pas un classeur"
    };
    Err(not_a_workbook(name, what))
}
