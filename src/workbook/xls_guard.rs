//! Checks an `.xls` file before calamine reads it. calamine's xls reader trusts the offsets,
//! lengths and counts written in the file: a damaged file can make it index out of bounds (a
//! panic, which the wasm build turns into an abort, killing the page), follow a sector chain
//! in a loop, or reserve gigabytes from a forged DIMENSIONS record (an allocation failure that
//! nothing can catch). This module walks the same structures calamine walks — the OLE container
//! (header, DIFAT, FAT, directory, mini stream), then the BIFF records of the `Workbook` stream
//! and of each sheet — and refuses, with a French message, every value calamine would trust
//! badly. A file that passes is read by calamine exactly as before.
//!
//! ```
//! use accrochage::workbook::{read_workbook, ErrorKind};
//! let mut xls = std::fs::read("tests/fixtures/workbooks/passages.xls").unwrap();
//! // A shared string now announces formatting runs that the record cuts off: calamine would
//! // read past the record and panic.
//! xls[1640] = 1;
//! let err = read_workbook(&xls, "abime.xls").unwrap_err();
//! assert_eq!(err.kind, ErrorKind::Damaged);
//! assert!(err.message.contains("« abime.xls » est endommagé (la table des textes partagés"));
//! ```

use std::borrow::Cow;

use super::limits::{self, MAX_XLS_GRID};
use super::{ErrorKind, WorkbookError};

const ENDOFCHAIN: u32 = 0xFFFF_FFFE;
const DIFSECT: u32 = 0xFFFF_FFFC;
const RESERVED_SECTORS: u32 = 0xFFFF_FFFA;

/// Refuses an xls that calamine would read out of bounds, in a loop or into a huge allocation;
/// returns the bytes to give calamine: the file, its formulas emptied when it has some.
pub fn check<'a>(bytes: &'a [u8], name: &str) -> Result<Cow<'a, [u8]>, WorkbookError> {
    let damaged = |why: String| {
        WorkbookError::new(
            ErrorKind::Damaged,
            format!(
                "Le classeur Excel 97-2003 (.xls) « {name} » est endommagé ({why}) : il n'est pas lu. Rouvrez-le dans votre tableur et enregistrez-le au format .xlsx"
            ),
        )
    };
    let (stream, locate) = workbook_stream(bytes).map_err(damaged)?;
    let mut formulas = Vec::new();
    match check_records(&stream, &mut formulas) {
        Ok(()) if formulas.is_empty() => Ok(Cow::Borrowed(bytes)),
        Ok(()) => {
            // Only the values are read, never the formulas' text; calamine's formula decoder
            // indexes the tokens without checking them (dozens of places), so each formula's
            // length is set to 0 and calamine decodes nothing. Each length is a u16 whose two
            // bytes may lie in different sectors.
            let mut patched = bytes.to_vec();
            for at in formulas {
                for b in [at, at + 1] {
                    patched[locate(b)] = 0;
                }
            }
            Ok(Cow::Owned(patched))
        }
        Err(Refusal::Damaged(why)) => Err(damaged(why)),
        Err(Refusal::TooLarge(cells)) => Err(WorkbookError::new(
            ErrorKind::TooLarge,
            format!(
                "Le classeur Excel 97-2003 (.xls) « {name} » déclare {cells} cellules (lignes × colonnes de ses feuilles), au-delà de la limite de {MAX_XLS_GRID} pour ce format : il n'est pas lu. Ouvrez-le dans votre tableur, supprimez les lignes et colonnes inutiles sous et à droite des données, et enregistrez-le au format .xlsx"
            ),
        )),
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn words(b: &[u8]) -> impl Iterator<Item = u32> + '_ {
    b.chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// The OLE container as calamine sees it: sector `id` starts at `(id + 1) × size` (the header
/// takes the first sector), and the last sector may be cut short by the end of the file.
struct Container<'a> {
    bytes: &'a [u8],
    size: usize,
    max_id: usize,
}

impl Container<'_> {
    fn sector(&self, id: u32) -> Result<&[u8], String> {
        let id = id as usize;
        let start = id
            .checked_add(1)
            .and_then(|n| n.checked_mul(self.size))
            .filter(|&s| id <= self.max_id && s < self.bytes.len())
            .ok_or_else(|| format!("le secteur {id} est hors du fichier"))?;
        Ok(&self.bytes[start..(start + self.size).min(self.bytes.len())])
    }

    /// The chain of sectors from `start`, `len` bytes at most; a chain that loops or leaves the
    /// table is refused (calamine would loop, allocating, or index out of bounds).
    fn chain(
        &self,
        start: u32,
        len: usize,
        fat: &[u32],
        mini: Option<&[u8]>,
    ) -> Result<Stream, String> {
        let mut out = Vec::new();
        let mut segments = Vec::new();
        let mut seen = vec![false; fat.len()];
        let mut id = start;
        while id != ENDOFCHAIN {
            let (sector, source) = match mini {
                None => (self.sector(id)?, (id as usize + 1) * self.size),
                Some(stream) => {
                    let at = usize::try_from(u64::from(id) * 64).unwrap_or(usize::MAX);
                    let sector = at
                        .checked_add(64)
                        .and_then(|end| stream.get(at..end))
                        .ok_or_else(|| format!("le mini-secteur {id} est hors du flux"))?;
                    (sector, at)
                }
            };
            let take = sector.len().min(len - out.len());
            segments.push((out.len(), source));
            out.extend_from_slice(&sector[..take]);
            if out.len() >= len {
                break;
            }
            let i = id as usize;
            if i >= fat.len() || seen[i] {
                return Err(format!(
                    "la chaîne de secteurs passant par {id} est rompue ou boucle"
                ));
            }
            seen[i] = true;
            id = fat[i];
        }
        Ok(Stream {
            bytes: out,
            segments,
        })
    }
}

/// A stream's bytes, and where each of its sectors came from (in the file, or in the mini
/// stream for a small stream), to patch the file in place.
struct Stream {
    bytes: Vec<u8>,
    /// (offset in the stream, offset in the source), in stream order.
    segments: Vec<(usize, usize)>,
}

/// Where byte `at` of a stream comes from; `at` lies in the stream, whose first segment starts
/// at 0.
fn source_of(segments: &[(usize, usize)], at: usize) -> usize {
    let i = segments.partition_point(|s| s.0 <= at).saturating_sub(1);
    let (start, source) = segments[i];
    source + (at - start)
}

/// The `Workbook` (or, before Excel 97, `Book`) stream, read as calamine reads it, and the
/// file offset of each of its bytes.
type Locate = Box<dyn Fn(usize) -> usize>;

fn workbook_stream(bytes: &[u8]) -> Result<(Vec<u8>, Locate), String> {
    let header = bytes
        .get(..512)
        .ok_or_else(|| "l'en-tête OLE est incomplet".to_string())?;
    let size = match u16_at(header, 30) {
        Some(9) => 512,
        Some(12) if bytes.len() >= 4096 => 4096,
        _ => return Err("la taille de secteur OLE est invalide".into()),
    };
    if u16_at(header, 32) != Some(6) {
        return Err("la taille de mini-secteur OLE est invalide".into());
    }
    let c = Container {
        bytes,
        size,
        max_id: bytes.len() / size,
    };
    let field = |at| u32_at(header, at).unwrap_or(0);
    let (dir_start, mini_fat_start, mini_fat_len, difat_start) =
        (field(48), field(60), field(64) as usize, field(68));

    let mut difat: Vec<u32> = words(&header[76..512]).collect();
    let mut id = difat_start;
    let mut hops = 0;
    while id < RESERVED_SECTORS {
        hops += 1;
        if hops > c.max_id + 1 {
            return Err("la table DIFAT boucle".into());
        }
        difat.extend(words(c.sector(id)?));
        id = difat.pop().unwrap_or(ENDOFCHAIN);
    }
    let fat_sectors: Vec<u32> = difat.into_iter().filter(|&id| id < DIFSECT).collect();
    // Each FAT sector is loaded in full, even when listed twice: no more than the file holds.
    if fat_sectors.len() > c.max_id + 1 {
        return Err("la table FAT déclare plus de secteurs que le fichier n'en contient".into());
    }
    let mut fat = Vec::new();
    for id in fat_sectors {
        fat.extend(words(c.sector(id)?));
    }

    let dirs = c.chain(dir_start, usize::MAX, &fat, None)?.bytes;
    let mut entries = Vec::new();
    for d in dirs.chunks_exact(128) {
        let name = String::from_utf16_lossy(
            &d[..64]
                .chunks_exact(2)
                .map(|p| u16::from_le_bytes([p[0], p[1]]))
                .take_while(|&u| u != 0)
                .collect::<Vec<_>>(),
        );
        let start = u32_at(d, 116).unwrap_or(0);
        // calamine converts the 64-bit length with `try_into().unwrap()`: a panic on wasm32.
        let len = if size == 512 {
            u64::from(u32_at(d, 120).unwrap_or(0))
        } else {
            u64_at(d, 120).unwrap_or(0)
        };
        let len = u32::try_from(len)
            .map_err(|_| format!("le flux « {name} » déclare une longueur impossible"))?;
        entries.push((name, start, len as usize));
    }
    let Some(root) = entries.first() else {
        return Err("le répertoire OLE est vide".into());
    };
    let (ministream, minifat) = if mini_fat_len > 0 {
        if mini_fat_len > c.max_id + 1 {
            return Err("la mini-table FAT est plus grande que le fichier".into());
        }
        let ministream = c.chain(root.1, root.2, &fat, None)?;
        let minifat: Vec<u32> = words(
            &c.chain(mini_fat_start, mini_fat_len * size, &fat, None)?
                .bytes,
        )
        .collect();
        (ministream, minifat)
    } else {
        (
            Stream {
                bytes: Vec::new(),
                segments: Vec::new(),
            },
            Vec::new(),
        )
    };
    let find = |n: &str| {
        entries
            .iter()
            .find(|e| e.0.as_bytes().eq_ignore_ascii_case(n.as_bytes()))
    };
    let (_, start, len) = find("Workbook")
        .or_else(|| find("Book"))
        .ok_or_else(|| "le flux « Workbook » manque".to_string())?;
    if *len < 4096 {
        let Stream { bytes, segments } =
            c.chain(*start, *len, &minifat, Some(&ministream.bytes))?;
        let outer = ministream.segments;
        Ok((
            bytes,
            Box::new(move |at| source_of(&outer, source_of(&segments, at))),
        ))
    } else {
        let Stream { bytes, segments } = c.chain(*start, *len, &fat, None)?;
        Ok((bytes, Box::new(move |at| source_of(&segments, at))))
    }
}

enum Refusal {
    Damaged(String),
    /// The grid calamine would build, in cells.
    TooLarge(u64),
}

impl From<String> for Refusal {
    fn from(why: String) -> Refusal {
        Refusal::Damaged(why)
    }
}

/// The BIFF records as calamine's `RecordIter` cuts them: each with the CONTINUE records that
/// follow it, folded in. Stops where calamine would report a truncated record.
fn records(stream: &[u8]) -> impl Iterator<Item = (usize, u16, &[u8], Vec<&[u8]>)> + '_ {
    let mut at = 0;
    std::iter::from_fn(move || {
        let typ = u16_at(stream, at)?;
        let len = u16_at(stream, at + 2)? as usize;
        let data = stream.get(at + 4..at + 4 + len)?;
        let start = at;
        at += 4 + len;
        let mut cont = Vec::new();
        while stream.len() - at > 4 && u16_at(stream, at) == Some(0x003C) {
            let l = u16_at(stream, at + 2)? as usize;
            cont.push(stream.get(at + 4..at + 4 + l)?);
            at += 4 + l;
        }
        Some((start, typ, data, cont))
    })
}

/// Walks the shared strings as calamine's `parse_sst` does and refuses what would make it
/// index out of bounds: a string's flags announcing counts cut off by the end of a record, a
/// string continued into an empty CONTINUE record.
fn check_sst(data: &[u8], cont: &[&[u8]]) -> Result<(), String> {
    let broken =
        || "la table des textes partagés (SST) est coupée au milieu d'un texte".to_string();
    let Some(mut data) = data.get(8..) else {
        return Ok(()); // calamine refuses it itself
    };
    let mut cont = cont.iter();
    loop {
        if data.is_empty() {
            match cont.next() {
                Some(next) => data = next,
                None => return Ok(()),
            }
            continue;
        }
        if data.len() < 3 {
            return Ok(()); // calamine refuses it itself
        }
        let (mut chars, flags) = (u16_at(data, 0).unwrap_or(0) as usize, data[2]);
        data = &data[3..];
        // The formatting runs (4 bytes each) and the phonetic block, skipped after the text.
        let mut skip: usize = 0;
        if flags & 0x8 != 0 {
            skip = 4 * u16_at(data, 0).ok_or_else(broken)? as usize;
            data = &data[2..];
        }
        if flags & 0x4 != 0 {
            // calamine reads it as an i32 cast to usize: a negative count is huge.
            let ext = u32_at(data, 0).ok_or_else(broken)? as i32 as usize;
            skip = skip.saturating_add(ext);
            data = &data[4..];
        }
        let mut wide = flags & 0x1 != 0;
        while chars > 0 {
            let width = if wide { 2 } else { 1 };
            let n = chars.min(data.len() / width);
            data = &data[n * width..];
            chars -= n;
            if chars > 0 {
                let Some(next) = cont.next() else {
                    return Ok(()); // calamine reports the end of the stream
                };
                let (&first, rest) = next.split_first().ok_or_else(broken)?;
                wide = first & 0x1 != 0;
                data = rest;
            }
        }
        while skip > 0 {
            if data.is_empty() {
                match cont.next() {
                    Some(next) => data = next,
                    None => return Ok(()), // calamine reports a CONTINUE record too short
                }
            }
            let n = skip.min(data.len());
            data = &data[n..];
            skip -= n;
        }
    }
}
fn short(what: &str, data: &[u8], min: usize) -> Result<(), String> {
    if data.len() < min {
        return Err(format!(
            "un enregistrement {what} fait {} octets au lieu d'au moins {min}",
            data.len()
        ));
    }
    Ok(())
}

/// The records calamine indexes without checking their length, the sheet offsets, and the
/// size of the grids it will build; collects the offset of each formula's length (defined
/// names and cells) in `formulas`.
fn check_records(stream: &[u8], formulas: &mut Vec<usize>) -> Result<(), Refusal> {
    let mut sheets = Vec::new();
    for (start, typ, data, cont) in records(stream) {
        match typ {
            0x00FC => check_sst(data, &cont)?,
            0x002F => short("FilePass", data, 2)?,
            0x0042 => short("CodePage", data, 2)?,
            0x0022 => short("DateMode", data, 2)?,
            0x0809 => short("BOF", data, 2)?,
            0x0017 => short("ExternSheet", data, 2)?,
            0x0018 => {
                short("Lbl", data, 14)?;
                formulas.push(start + 4 + 4);
            }
            0x0085 => {
                short("BoundSheet", data, 6)?;
                sheets.push(u32_at(data, 0).unwrap_or(0) as usize);
            }
            0x000A => break,
            _ => {}
        }
    }
    // Sheets follow each other in the stream; overlapping ones would make calamine read the
    // same records again and again.
    sheets.sort_unstable();
    let mut end_of_previous = 0;
    let mut total: u64 = 0;
    for pos in sheets {
        if pos > stream.len() {
            return Err(Refusal::Damaged(format!(
                "une feuille commence à l'octet {pos}, au-delà de la fin du flux ({} octets)",
                stream.len()
            )));
        }
        if pos < end_of_previous {
            return Err(Refusal::Damaged(format!(
                "deux feuilles se chevauchent à l'octet {pos}"
            )));
        }
        let (end, cells) = check_sheet(&stream[pos..], pos, formulas)?;
        end_of_previous = pos + end;
        total = total.saturating_add(cells);
        if total > MAX_XLS_GRID {
            return Err(Refusal::TooLarge(total));
        }
    }
    Ok(())
}

/// Walks one sheet's records up to its EOF; returns where it ends and the cells of the larger
/// of the grids calamine builds for it (the one reserved from DIMENSIONS, the one spanning the
/// cells).
fn check_sheet(
    sheet: &[u8],
    offset: usize,
    formulas: &mut Vec<usize>,
) -> Result<(usize, u64), Refusal> {
    let mut reserved: u64 = 0;
    // (first row, last row, first column, last column)
    let mut span: Option<(u32, u32, u32, u32)> = None;
    let mut cell = |row: u16, col: u32| {
        let r = u32::from(row);
        span = Some(match span {
            None => (r, r, col, col),
            Some((r0, r1, c0, c1)) => (r0.min(r), r1.max(r), c0.min(col), c1.max(col)),
        });
    };
    let (mut depth, mut seen_bof, mut end) = (0usize, false, sheet.len());
    // A String record holds the value of the formula before it, at that formula's cell.
    let mut formula_at = (0u16, 0u32);
    let pos = |d: &[u8]| {
        (
            u16_at(d, 0).unwrap_or(0),
            u32::from(u16_at(d, 2).unwrap_or(0)),
        )
    };
    for (at, typ, data, _) in records(sheet) {
        if depth > 0 {
            match typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x000A => {
                end = at + 4 + data.len();
                break;
            }
            0x0200 => reserved = reserved.saturating_add(dimensions(data)?),
            0x0203 if data.len() >= 14 => {
                let (r, c) = pos(data);
                cell(r, c)
            }
            0x0006 if data.len() >= 6 => {
                // calamine refuses a shorter record, and reads the formula's length at 20.
                if data.len() >= 20 {
                    short("Formula", data, 22)?;
                    formulas.push(offset + at + 4 + 20);
                }
                formula_at = pos(data);
                cell(formula_at.0, formula_at.1)
            }
            0x0207 => cell(formula_at.0, formula_at.1),
            0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD if data.len() >= 6 => {
                let (r, c) = pos(data);
                cell(r, c)
            }
            0x00BD if data.len() >= 6 => {
                let (r, first) = pos(data);
                let last = u32::from(u16_at(data, data.len() - 2).unwrap_or(0));
                if last < first || data.len() as u64 != 6 + 6 * u64::from(last - first + 1) {
                    return Err(Refusal::Damaged(
                        "un enregistrement MulRk annonce des colonnes qu'il ne contient pas".into(),
                    ));
                }
                cell(r, first);
                cell(r, last);
            }
            0x00E5 => {
                let count = usize::from(u16_at(data, 0).unwrap_or(0));
                short("MergeCells", data, 2 + 8 * count)?;
            }
            _ => {}
        }
    }
    let spanned = span.map_or(0, |(r0, r1, c0, c1)| {
        u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1)
    });
    Ok((end, reserved.max(spanned)))
}

/// The cells calamine reserves for a DIMENSIONS record (its own reading of the record).
fn dimensions(d: &[u8]) -> Result<u64, Refusal> {
    let (rf, rl, cf, cl) = match d.len() {
        10 => (
            u32::from(u16_at(d, 0).unwrap_or(0)),
            u32::from(u16_at(d, 2).unwrap_or(0)),
            u32::from(u16_at(d, 4).unwrap_or(0)),
            u32::from(u16_at(d, 6).unwrap_or(0)),
        ),
        14 | 16 => (
            u32_at(d, 0).unwrap_or(0),
            u32_at(d, 4).unwrap_or(0),
            u32::from(u16_at(d, 8).unwrap_or(0)),
            u32::from(u16_at(d, 10).unwrap_or(0)),
        ),
        // calamine refuses other lengths itself.
        _ => return Ok(0),
    };
    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
    let (start, end) = if rl >= 1 && cl >= 1 {
        ((rf, cf), (rl - 1, cl - 1))
    } else {
        ((rf, cf), (rf, cf))
    };
    if end.0 < start.0 || end.1 < start.1 {
        return Err(Refusal::Damaged(
            "les dimensions d'une feuille se terminent avant de commencer".into(),
        ));
    }
    let cells = u64::from(end.0 - start.0 + 1) * u64::from(end.1 - start.1 + 1);
    if cells > limits::MAX_CELLS as u64 {
        return Err(Refusal::TooLarge(cells));
    }
    Ok(cells)
}
