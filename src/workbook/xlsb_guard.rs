//! Checks an `.xlsb` before calamine reads it. calamine's xlsb reader trusts the records it
//! finds: a record shorter than its type requires, a shared-string index past the table, a
//! relationship id missing from `workbook.bin.rels` or a defined name's formula cut short make
//! it index out of bounds (a panic, which the wasm build turns into an abort, killing the page);
//! cells far apart make it build a dense grid of billions of cells (an allocation failure that
//! nothing can catch), as do cells repeating a long shared string, each cell getting its own
//! copy; a record announcing 256 Mo makes it reserve them before finding the part shorter; a
//! row number past Excel's last makes it stop reading the sheet without a word; thousands of
//! sheets, or many naming one big part, keep it busy for hours.
//!
//! This module walks the records exactly as calamine does — the shared strings, the styles, the
//! workbook (sheets, external sheets, defined names), then each worksheet up to the end of its
//! data — and refuses, with a French message, every value calamine would trust badly. Where
//! calamine itself returns an error, the walk stops and lets it. A file that passes is read by
//! calamine exactly as before.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use super::limits::{self, MAX_XLSB_GRID, MAX_XLSB_SHARED_TEXT, MAX_XLSB_SHEETS};
use super::{ErrorKind, WorkbookError};

/// calamine's table of built-in functions has this many entries (`utils::FTAB_LEN`).
const FTAB_LEN: usize = 485;
/// Deeper nesting of `PtgMemFunc` would make calamine's recursive formula decoder overflow the
/// stack; Excel nests functions 64 deep at most.
const MAX_FORMULA_DEPTH: u32 = 64;

enum Refusal {
    Damaged(String),
    /// Why, and what to do about it.
    TooLarge(String, &'static str),
    /// Where calamine stops with an error of its own: nothing further to check.
    CalamineFails,
}

impl From<std::io::Error> for Refusal {
    fn from(e: std::io::Error) -> Refusal {
        Refusal::Damaged(format!("une partie de l'archive est illisible : {e}"))
    }
}

const TRIM_CELLS: &str = "supprimez les lignes et colonnes inutiles sous et à droite des données";
const TRIM_SHEETS: &str = "supprimez les feuilles inutiles";

/// Refuses an xlsb that calamine would read out of bounds, into a huge allocation, or cut
/// short without saying so.
pub fn check(bytes: &[u8], name: &str) -> Result<(), WorkbookError> {
    match check_book(bytes) {
        Ok(()) | Err(Refusal::CalamineFails) => Ok(()),
        Err(Refusal::Damaged(why)) => Err(WorkbookError::new(
            ErrorKind::Damaged,
            format!(
                "Le classeur Excel binaire (.xlsb) « {name} » est endommagé ({why}) : il n'est pas lu. Rouvrez-le dans Excel et enregistrez-le au format .xlsx (Fichier › Enregistrer sous › Classeur Excel)"
            ),
        )),
        Err(Refusal::TooLarge(why, fix)) => Err(WorkbookError::new(
            ErrorKind::TooLarge,
            format!(
                "Le classeur Excel binaire (.xlsb) « {name} » est trop grand pour être lu ({why}). Ouvrez-le dans Excel, {fix}, et enregistrez-le au format .xlsx"
            ),
        )),
    }
}

/// The records of one part, read the way calamine's `RecordIter` reads them.
struct Records<R: Read> {
    r: R,
    part: String,
}

impl<R: Read> Records<R> {
    fn byte(&mut self) -> Result<Option<u8>, Refusal> {
        let mut b = [0u8];
        match self.r.read(&mut b)? {
            0 => Ok(None),
            _ => Ok(Some(b[0])),
        }
    }

    /// The next record's type; `None` at the end of the part, where calamine's read fails.
    fn typ(&mut self) -> Result<Option<u16>, Refusal> {
        let Some(b) = self.byte()? else {
            return Ok(None);
        };
        if b & 0x80 == 0 {
            return Ok(Some(b as u16));
        }
        Ok(self
            .byte()?
            .map(|h| (b & 0x7F) as u16 + (((h & 0x7F) as u16) << 7)))
    }

    /// The record's length and its first `keep` bytes; the rest is read and dropped, so a
    /// record announcing more bytes than the part holds is refused here instead of calamine
    /// reserving them.
    fn body(&mut self, keep: usize) -> Result<(usize, Vec<u8>), Refusal> {
        let Some(mut b) = self.byte()? else {
            return Err(Refusal::CalamineFails);
        };
        let mut len = (b & 0x7F) as usize;
        for i in 1..4 {
            if b & 0x80 == 0 {
                break;
            }
            b = self.byte()?.ok_or(Refusal::CalamineFails)?;
            len += ((b & 0x7F) as usize) << (7 * i);
        }
        let mut head = Vec::new();
        (&mut self.r)
            .take(keep.min(len) as u64)
            .read_to_end(&mut head)?;
        let rest = std::io::copy(
            &mut (&mut self.r).take((len - head.len()) as u64),
            &mut std::io::sink(),
        )?;
        if head.len() as u64 + rest < len as u64 {
            return Err(Refusal::Damaged(format!(
                "un enregistrement de la partie {} annonce {len} octets mais la partie s'arrête avant",
                self.part
            )));
        }
        Ok((len, head))
    }

    /// calamine's `next_skip_blocks`: the next record of type `want`, skipping the others and
    /// the blocks that start with `from` and end with `to`.
    fn skip_to(
        &mut self,
        want: u16,
        blocks: &[(u16, u16)],
        keep: usize,
    ) -> Result<(usize, Vec<u8>), Refusal> {
        loop {
            let typ = self.typ()?.ok_or(Refusal::CalamineFails)?;
            let (len, head) = self.body(keep)?;
            if typ == want {
                return Ok((len, head));
            }
            if let Some(&(_, end)) = blocks.iter().find(|b| b.0 == typ) {
                while self.typ()?.ok_or(Refusal::CalamineFails)? != end {
                    self.body(0)?;
                }
                self.body(0)?;
            }
        }
    }

    /// Refuses a record shorter than what calamine reads of it.
    fn at_least(&self, what: &str, len: usize, min: u64) -> Result<(), Refusal> {
        if (len as u64) < min {
            return Err(Refusal::Damaged(format!(
                "dans la partie {}, un enregistrement {what} fait {len} octets au lieu d'au moins {min}",
                self.part
            )));
        }
        Ok(())
    }
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The zip, with calamine's table of part names: lower-case name → name as stored.
struct Archive<'b> {
    zip: zip::ZipArchive<Cursor<&'b [u8]>>,
    names: HashMap<String, String>,
}

type Part<'z, 'b> = Records<std::io::BufReader<zip::read::ZipFile<'z, Cursor<&'b [u8]>>>>;

impl<'b> Archive<'b> {
    fn new(bytes: &'b [u8]) -> Result<Archive<'b>, Refusal> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| Refusal::CalamineFails)?;
        let mut names = HashMap::new();
        for stored in zip.file_names() {
            // calamine fails on a name it cannot decode; of names differing only by case, it
            // keeps the last.
            let stored = stored.map_err(|_| Refusal::CalamineFails)?;
            names.insert(
                stored.replace('\\', "/").to_ascii_lowercase(),
                stored.into_owned(),
            );
        }
        Ok(Archive { zip, names })
    }

    fn stored<'p>(&'p self, path: &'p str) -> &'p str {
        self.names
            .get(&path.to_ascii_lowercase())
            .map_or(path, String::as_str)
    }

    /// The part's size once inflated, as the zip's directory gives it; 0 when absent.
    fn size(&mut self, path: &str) -> u64 {
        let stored = self.stored(path).to_owned();
        self.zip.by_name(&stored).map_or(0, |f| f.size())
    }

    /// The part's records, found as calamine finds it (case-insensitive).
    fn records(&mut self, path: &str) -> Result<Option<Part<'_, 'b>>, Refusal> {
        let stored = self.stored(path).to_owned();
        match self.zip.by_name(&stored) {
            Ok(f) => Ok(Some(Records {
                r: std::io::BufReader::new(f),
                part: path.to_owned(),
            })),
            // calamine skips the shared strings and the styles when it cannot open them,
            // whatever the reason, and reads on: they count as absent. Without the workbook or
            // a sheet, it fails, and the callers say so.
            Err(_) => Ok(None),
        }
    }
}

/// What a worksheet's records need to know about the workbook.
struct Book {
    /// Each shared string's length in UTF-16 units.
    strings: Vec<u32>,
    /// (sheet name, part) of each sheet, in the workbook's order.
    sheets: Vec<(String, String)>,
}

fn check_book(bytes: &[u8]) -> Result<(), Refusal> {
    let mut zip = Archive::new(bytes)?;
    let strings = shared_strings(&mut zip)?;
    styles(&mut zip)?;
    let rels = relationships(&mut zip)?;
    let sheets = workbook(&mut zip, &rels)?;
    let book = Book { strings, sheets };
    // calamine reads a part once per worksheet naming it: many sheets naming one big part
    // would take hours.
    let mut walked = 0u64;
    for (_, path) in &book.sheets {
        if path.split('/').nth(1) == Some("worksheets") {
            walked = walked.saturating_add(zip.size(path));
        }
    }
    if walked > limits::MAX_UNCOMPRESSED_BYTES {
        return Err(Refusal::TooLarge(format!(
            "ses feuilles, dont certaines renvoient aux mêmes données, font {} Mo à lire, au-delà de la limite de {} Mo",
            walked / 1_000_000,
            limits::MAX_UNCOMPRESSED_BYTES / 1_000_000
        ), TRIM_SHEETS));
    }
    let (mut grid, mut cells, mut text) = (0u64, 0u64, 0u64);
    // Every sheet's part once, whatever its type: calamine reads a sheet by its name, and the
    // first sheet of that name (a chart sheet, or a name that it decodes differently) may be
    // the one it reads. A part where calamine fails only ends that part's walk: the sheets
    // before it were read, so those after it are checked too rather than guessed about.
    let mut seen = HashSet::new();
    for (sheet, path) in &book.sheets {
        if !seen.insert(path.clone()) {
            continue;
        }
        let Some(mut part) = zip.records(path)? else {
            continue;
        };
        match worksheet(&mut part, sheet, &book, &mut grid, &mut cells, &mut text) {
            Ok(()) | Err(Refusal::CalamineFails) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// The length in UTF-16 units of each shared string (calamine's `read_shared_strings`).
fn shared_strings(zip: &mut Archive) -> Result<Vec<u32>, Refusal> {
    let Some(mut part) = zip.records("xl/sharedStrings.bin")? else {
        return Ok(Vec::new());
    };
    let (len, head) = part.skip_to(0x009F, &[], 8)?; // BrtBeginSst
    part.at_least("BrtBeginSst", len, 8)?;
    let count = u32_at(&head, 4);
    let mut strings = Vec::new();
    for i in 0..count {
        let (len, head) = match part.skip_to(0x0013, &[(0x0023, 0x0024)], 5) {
            Ok(item) => item,
            Err(Refusal::CalamineFails) => {
                return Err(Refusal::Damaged(format!(
                    "la table des textes partagés annonce {count} textes mais n'en contient que {i}"
                )))
            }
            Err(e) => return Err(e),
        };
        let cch = u32_at(&head, 1);
        part.at_least("de texte partagé", len, 5 + 2 * cch as u64)?;
        strings.push(cch);
    }
    Ok(strings)
}

/// calamine's `read_styles`, which reads record types byte after byte until the number formats
/// or the cell formats, and does not skip the bodies of the records it passes over.
fn styles(zip: &mut Archive) -> Result<(), Refusal> {
    let Some(mut part) = zip.records("xl/styles.bin")? else {
        return Ok(());
    };
    loop {
        match part.typ()?.ok_or(Refusal::CalamineFails)? {
            0x0267 => {
                // BrtBeginFmts, then that many BrtFmt
                let (len, head) = part.body(4)?;
                part.at_least("BrtBeginFmts", len, 4)?;
                for _ in 0..u32_at(&head, 0) {
                    let (len, head) = part.skip_to(0x002C, &[], 6)?;
                    part.at_least("BrtFmt", len, 6 + 2 * u32_at(&head, 2) as u64)?;
                }
            }
            0x0269 => {
                // BrtBeginCellXFs, then that many BrtXF
                let (len, head) = part.body(4)?;
                part.at_least("BrtBeginCellXFs", len, 4)?;
                for _ in 0..u32_at(&head, 0) {
                    let (len, _) = part.skip_to(0x002F, &[], 0)?;
                    part.at_least("BrtXF", len, 4)?;
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

/// The map calamine builds from `xl/_rels/workbook.bin.rels`: relationship id, raw as it keeps
/// it, → target.
fn relationships(zip: &mut Archive) -> Result<HashMap<String, String>, Refusal> {
    use quick_xml::events::Event;

    let mut ids = HashMap::new();
    // calamine asks for this exact name, not case-insensitively.
    let Ok(f) = zip.zip.by_name("xl/_rels/workbook.bin.rels") else {
        return Ok(ids);
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(f));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    let mut buf = Vec::new();
    loop {
        match xml.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.name().as_ref() == "Relationship" => {
                let (mut id, mut target, mut found) = (None, None, 0);
                for item in raw_attributes(e.attributes_raw()) {
                    let (k, v) = item.ok_or(Refusal::CalamineFails)?;
                    match k {
                        "Id" => id = Some(v),
                        "Target" => target = Some(v),
                        _ => continue,
                    }
                    found += 1;
                    if found == 2 {
                        break;
                    }
                }
                if let (Some(id), Some(target)) = (id, target) {
                    let target =
                        quick_xml::escape::unescape(target).map_err(|_| Refusal::CalamineFails)?;
                    ids.insert(id.to_owned(), target.into_owned());
                }
            }
            Ok(Event::Eof) => return Ok(ids),
            Err(_) => return Err(Refusal::CalamineFails),
            _ => {}
        }
        buf.clear();
    }
}

/// The attributes as calamine's `RawAttrIter` splits them (key, raw value), `None` for a
/// malformed one. Anything else here than calamine's exact reading could let an id through
/// that calamine does not know, and calamine indexes its map with it.
fn raw_attributes(raw: &str) -> impl Iterator<Item = Option<(&str, &str)>> {
    let bytes = raw.as_bytes();
    let mut pos = 0;
    std::iter::from_fn(move || {
        let len = bytes.len();
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= len {
            return None;
        }
        let key_start = pos;
        while pos < len && bytes[pos] != b'=' {
            pos += 1;
        }
        if pos >= len {
            pos = len;
            return Some(None);
        }
        let key = raw[key_start..pos].trim_ascii_end();
        pos += 1;
        while pos < len && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let quote = match bytes.get(pos) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                pos = len;
                return Some(None);
            }
        };
        pos += 1;
        let start = pos;
        while pos < len && bytes[pos] != quote {
            pos += 1;
        }
        let value = &raw[start..pos];
        if pos < len {
            pos += 1;
        }
        Some(Some((key, value)))
    })
}

/// A wide string's text, for messages.
fn utf16(b: &[u8]) -> String {
    let units = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or('\u{FFFD}'))
        .collect()
}

/// calamine's `read_workbook`: the sheets, then the external sheets and defined names.
fn workbook(
    zip: &mut Archive,
    rels: &HashMap<String, String>,
) -> Result<Vec<(String, String)>, Refusal> {
    let mut part = zip
        .records("xl/workbook.bin")?
        .ok_or(Refusal::CalamineFails)?;
    let mut sheets = Vec::new();
    loop {
        match part.typ()?.ok_or(Refusal::CalamineFails)? {
            0x0099 => {
                // BrtWbProp
                let (len, _) = part.body(0)?;
                part.at_least("BrtWbProp", len, 1)?;
            }
            0x009C => {
                // BrtBundleSh: state, tab id, relationship id, name
                let (len, head) = part.body(usize::MAX)?;
                part.at_least("BrtBundleSh", len, 12)?;
                let rel_len = u32_at(&head, 8);
                if rel_len == u32::MAX {
                    continue;
                }
                let end = 12 + 2 * rel_len as u64;
                part.at_least("BrtBundleSh", len, end)?;
                let raw = &head[12..end as usize];
                // ASCII only: calamine decodes the id with byte-order-mark sniffing, which only
                // plain ASCII ids are sure to escape.
                let ascii = raw.chunks_exact(2).all(|c| c[1] == 0 && c[0] < 0x80);
                let id = utf16(raw);
                let Some(target) = rels.get(&id).filter(|_| ascii) else {
                    return Err(Refusal::Damaged(format!(
                        "une feuille renvoie à la relation « {id} », absente de xl/_rels/workbook.bin.rels"
                    )));
                };
                let name_len = u32_at(&head, end as usize) as u64;
                let name = head
                    .get(end as usize + 4..)
                    .and_then(|b| b.get(..(2 * name_len) as usize))
                    .map(utf16)
                    .unwrap_or_default();
                sheets.push((name, format!("xl/{target}")));
                // calamine finds a sheet by comparing its name with every sheet's: thousands
                // of sheets cost billions of comparisons (and here, memory).
                if sheets.len() > MAX_XLSB_SHEETS {
                    return Err(Refusal::TooLarge(
                        format!("il compte plus de {MAX_XLSB_SHEETS} feuilles"),
                        TRIM_SHEETS,
                    ));
                }
            }
            0x0090 => {
                part.body(0)?;
                break;
            }
            _ => {
                part.body(0)?;
            }
        }
    }
    let mut extern_sheets = 0u64;
    loop {
        match part.typ()?.ok_or(Refusal::CalamineFails)? {
            0x016A => {
                // BrtExternSheet: a count, then 12 bytes each
                let (len, head) = part.body(4)?;
                part.at_least("BrtExternSheet", len, 4)?;
                extern_sheets = u32_at(&head, 0) as u64;
                part.at_least("BrtExternSheet", len, 4 + 12 * extern_sheets)?;
            }
            0x0027 => {
                // BrtName: flags, a byte, the name, then the formula
                let (_, record) = part.body(usize::MAX)?;
                // calamine's own checks of these lengths wrap around on 32-bit targets (wasm):
                // a name that does not fit is refused here rather than left to them.
                let rgce = u32_at(&record, 9)
                    .checked_mul(2)
                    .and_then(|n| n.checked_add(17))
                    .and_then(|start| {
                        let start = start as usize;
                        let cce = u32_at(record.get(start - 4..start)?, 0) as usize;
                        record.get(start..start.checked_add(cce)?)
                    })
                    .filter(|_| record.len() >= 13);
                let Some(rgce) = rgce else {
                    return Err(Refusal::Damaged(
                        "un nom défini est plus long que son enregistrement".into(),
                    ));
                };
                if !formula_fits(rgce, extern_sheets, 0) {
                    return Err(Refusal::Damaged(
                        "la formule d'un nom défini est tronquée ou renvoie à une feuille qui n'existe pas".into(),
                    ));
                }
            }
            0x009D | 0x0225 | 0x018D | 0x0180 | 0x009A | 0x0252 | 0x0229 | 0x009B | 0x0084 => {
                return Ok(sheets)
            }
            _ => {
                part.body(0)?;
            }
        }
    }
}

/// Whether calamine's `parse_formula` reads `rgce` within bounds: each token's operand bytes
/// must be there, sheet and function indexes within their tables. Tokens calamine refuses with
/// an error end the check (it stops there too).
fn formula_fits(mut rgce: &[u8], sheets: u64, depth: u32) -> bool {
    if depth > MAX_FORMULA_DEPTH {
        return false;
    }
    while let Some((&ptg, rest)) = rgce.split_first() {
        rgce = rest;
        let sheet_ok = |r: &[u8]| r.len() >= 2 && (u16_at(r, 0) as u64) < sheets;
        let operands: usize = match ptg {
            0x3A | 0x5A | 0x7A | 0x3C | 0x5C | 0x7C => {
                if !sheet_ok(rgce) {
                    return false;
                }
                8
            }
            0x3B | 0x5B | 0x7B | 0x3D | 0x5D | 0x7D => {
                if !sheet_ok(rgce) {
                    return false;
                }
                14
            }
            0x01 => 4,
            0x03..=0x16 => 0,
            0x17 => {
                if rgce.len() < 2 {
                    return false;
                }
                2 + 2 * u16_at(rgce, 0) as usize
            }
            0x18 => match rgce.first() {
                None => return false,
                Some(0x19) => 13,
                Some(0x1D) => 5,
                Some(_) => return true,
            },
            0x19 => match rgce.first() {
                None => return false,
                Some(0x01 | 0x02 | 0x08 | 0x20 | 0x21 | 0x40 | 0x41 | 0x80 | 0x10) => 3,
                Some(0x04) => 11,
                Some(_) => return true,
            },
            0x1C => match rgce.first() {
                None => return false,
                Some(0x00 | 0x07 | 0x0F | 0x17 | 0x1D | 0x24 | 0x2A | 0x2B) => 1,
                Some(_) => return true,
            },
            0x1D => 1,
            0x1E => 2,
            0x1F => 8,
            0x20 | 0x40 | 0x60 => 14,
            0x21 | 0x41 | 0x61 => {
                if rgce.len() < 2 {
                    return false;
                }
                match u16_at(rgce, 0) as usize {
                    // calamine checks `> FTAB_LEN`, then indexes: FTAB_LEN itself is past the end.
                    FTAB_LEN => return false,
                    i if i > FTAB_LEN => return true,
                    _ => 2,
                }
            }
            0x22 | 0x42 | 0x62 => {
                if rgce.len() < 3 || u16_at(rgce, 1) as usize >= FTAB_LEN {
                    return false;
                }
                3
            }
            0x23 | 0x43 | 0x63 => 4,
            0x24 | 0x44 | 0x64 | 0x2A | 0x4A | 0x6A | 0x39 | 0x59 | 0x79 => 6,
            0x25 | 0x45 | 0x65 | 0x2B | 0x4B | 0x6B => 12,
            0x29 | 0x49 | 0x69 => {
                if rgce.len() < 2 {
                    return false;
                }
                let cce = u16_at(rgce, 0) as usize;
                match rgce.get(2..2 + cce) {
                    Some(inner) if formula_fits(inner, sheets, depth + 1) => 2 + cce,
                    _ => return false,
                }
            }
            _ => return true,
        };
        match rgce.get(operands..) {
            Some(rest) => rgce = rest,
            None => return false,
        }
    }
    true
}

/// One worksheet, as calamine's `XlsbCellsReader` walks it up to the end of the sheet data;
/// adds its grid (rows × columns between its first and last cells), its cells and the shared
/// text its cells repeat to the workbook's totals.
fn worksheet<R: Read>(
    part: &mut Records<R>,
    sheet: &str,
    book: &Book,
    grid: &mut u64,
    cells: &mut u64,
    text: &mut u64,
) -> Result<(), Refusal> {
    let (len, _) = part.skip_to(0x0094, &[], 0)?; // BrtWsDim
    part.at_least("BrtWsDim", len, 16)?;
    part.skip_to(
        0x0091, // BrtBeginSheetData
        &[(0x0085, 0x0086), (0x0025, 0x0026), (0x0186, 0x0187)],
        0,
    )?;
    let mut row = 0u32;
    // (first row, last row, first column, last column) of the cells.
    let mut extent: Option<(u32, u32, u32, u32)> = None;
    loop {
        let typ = part.typ()?.ok_or(Refusal::CalamineFails)?;
        let (len, head) = part.body(16)?;
        let min = match typ {
            0x0000 => {
                // BrtRowHdr
                part.at_least("de ligne", len, 4)?;
                row = u32_at(&head, 0);
                if row >= limits::MAX_ROWS {
                    return Err(Refusal::TooLarge(
                        format!(
                        "la feuille « {sheet} » a une ligne n° {}, au-delà des {} lignes d'Excel",
                        row as u64 + 1,
                        limits::MAX_ROWS
                    ),
                        TRIM_CELLS,
                    ));
                }
                continue;
            }
            0x0092 => break, // BrtEndSheetData
            0x0003 | 0x0004 | 0x000A => 9,
            0x0002 | 0x0007 => 12,
            0x0005 | 0x0009 => 16,
            0x0006 | 0x0008 => 12 + 2 * u32_at(&head, 8) as u64,
            _ => continue,
        };
        part.at_least("de cellule", len, min)?;
        let column = u32_at(&head, 0);
        if column >= limits::MAX_COLUMNS {
            return Err(Refusal::TooLarge(format!(
                "la feuille « {sheet} » a une cellule en colonne {}, au-delà des {} colonnes d'Excel",
                column as u64 + 1,
                limits::MAX_COLUMNS
            ), TRIM_CELLS));
        }
        if typ == 0x0007 {
            let i = u32_at(&head, 8);
            let Some(&chars) = book.strings.get(i as usize) else {
                return Err(Refusal::Damaged(format!(
                    "la cellule {} renvoie au texte partagé n° {i}, alors que la table n'en contient que {}",
                    super::cell_reference(sheet, column, row + 1),
                    book.strings.len()
                )));
            };
            // calamine gives each cell its own copy of the shared text.
            *text += chars as u64;
            if *text > MAX_XLSB_SHARED_TEXT {
                return Err(Refusal::TooLarge(format!(
                    "ses cellules reprennent plus de {MAX_XLSB_SHARED_TEXT} caractères de textes partagés"
                ), TRIM_CELLS));
            }
        }
        *cells += 1;
        if *cells > limits::MAX_CELLS as u64 {
            return Err(Refusal::TooLarge(
                format!("plus de {} cellules remplies", limits::MAX_CELLS),
                TRIM_CELLS,
            ));
        }
        extent = Some(match extent {
            None => (row, row, column, column),
            Some((r0, r1, c0, c1)) => (r0.min(row), r1.max(row), c0.min(column), c1.max(column)),
        });
    }
    if let Some((r0, r1, c0, c1)) = extent {
        *grid += (r1 - r0 + 1) as u64 * (c1 - c0 + 1) as u64;
        if *grid > MAX_XLSB_GRID {
            return Err(Refusal::TooLarge(format!(
                "ses feuilles s'étendent sur {grid} cases (lignes × colonnes entre la première et la dernière cellule remplie), au-delà de la limite de {MAX_XLSB_GRID} pour ce format"
            ), TRIM_CELLS));
        }
    }
    Ok(())
}
