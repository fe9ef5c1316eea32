//! xlsx read directly from the zip with quick-xml, cell by cell in file order: a sheet declaring
//! `A1:XFD1048576` or holding one cell at XFD1048576 costs nothing, unlike a dense grid of every
//! position. Only what the conversion needs is parsed: sheet names and order, hidden sheets,
//! the 1904 date system, shared strings, which styles are dates, cells, formulas and merged
//! cells. xlsx parts are UTF-8, so no code-page tables are linked (the page's first module
//! stays small).
//!
//! For example, `<c r="B2" s="1"><v>45402</v></c>` with cell style 1 using `numFmtId="14"`
//! (a built-in date format) reads as the date 2024-04-20 in row 2, column 1.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader as XmlReader;

use super::{
    cell_reference, column_letters, limits, parse_iso_date_time, serial_to_date, text_value,
    BookNote, CellValue, DateSystem, ErrorKind, Format, Row, Sheet, SheetBuilder, Streamed,
    TextNote, Workbook, WorkbookError,
};

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Why a part could not be read; turned into the French message by [`error`].
enum Fault {
    Zip(String),
    Content(String),
}

impl From<quick_xml::Error> for Fault {
    fn from(e: quick_xml::Error) -> Fault {
        Fault::Content(e.to_string())
    }
}

fn content<T>(detail: impl Into<String>) -> Result<T, Fault> {
    Err(Fault::Content(detail.into()))
}

/// How a cell style displays numbers: dates become calendar dates, durations stay numbers.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NumFormat {
    Other,
    Date,
    Duration,
}

pub fn read(bytes: &[u8], name: &str) -> Result<Workbook, WorkbookError> {
    read_parts(bytes, name, None).map_err(|e| error(name, e))?
}

/// Rows handed over per message while streaming: few enough to start converting at once,
/// enough that the hand-over costs nothing beside the rows.
const STREAM_BATCH: usize = 256;

/// A streamed reading in progress (see [`super::read_streaming`]).
struct Stream<'s> {
    pick: &'s dyn Fn(&[&str]) -> Option<usize>,
    send: &'s mut dyn FnMut(Streamed) -> bool,
    /// The end was sent: every row went through.
    ended: bool,
}

/// Streams the rows of the worksheet `pick` chooses; `true` once its end was sent.
pub(crate) fn read_streaming(
    bytes: &[u8],
    name: &str,
    pick: &dyn Fn(&[&str]) -> Option<usize>,
    send: &mut dyn FnMut(Streamed) -> bool,
) -> bool {
    let mut stream = Stream {
        pick,
        send,
        ended: false,
    };
    // A failure says nothing here: the caller reads the file again, and reports it from there.
    let _ = read_parts(bytes, name, Some(&mut stream));
    stream.ended
}

/// The outer error is a damaged file, the inner one a limit reached while reading cells. When
/// streaming, the chosen sheet is read last, after the book without it was sent; the workbook
/// returned is then empty.
fn read_parts(
    bytes: &[u8],
    name: &str,
    mut stream: Option<&mut Stream<'_>>,
) -> Result<Result<Workbook, WorkbookError>, Fault> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| Fault::Zip(e.to_string()))?;
    // Part names are matched ignoring case and with `\` as `/`, as Excel does.
    let mut parts = HashMap::new();
    for i in 0..zip.len() {
        if let Ok(entry) = zip.by_index_raw(i) {
            if let Ok(n) = entry.name() {
                parts.insert(n.replace('\\', "/").to_ascii_lowercase(), i);
            }
        }
    }
    let (xl_path, workbook_name) = office_document(&mut zip, &parts)?;
    let strings = shared_strings(&mut zip, &parts, &format!("{xl_path}sharedStrings.xml"))?;
    let formats = styles(&mut zip, &parts, &format!("{xl_path}styles.xml"))?;
    let rels = relationships(
        &mut zip,
        &parts,
        &format!("{xl_path}_rels/{workbook_name}.rels"),
    )?;
    let (metas, system) = workbook(&mut zip, &parts, &format!("{xl_path}{workbook_name}"))?;
    // Cleaned once per shared string rather than once per cell that uses it.
    let strings: Vec<Option<(CellValue, Vec<TextNote>)>> =
        strings.into_iter().map(|s| text_value(&s)).collect();
    let book = Book {
        strings: &strings,
        formats: &formats,
        system,
    };
    let mut worksheets = Vec::new();
    for (sheet_name, rel_id, hidden) in metas {
        let Some((target, typ)) = rels.get(&rel_id) else {
            return content(format!("relation {rel_id} introuvable"));
        };
        // Chart and dialog sheets hold no cells to convert.
        if typ.rsplit('/').next() != Some("worksheet") {
            continue;
        }
        let path = match target.strip_prefix('/') {
            Some(absolute) => absolute.to_owned(),
            None => format!("{xl_path}{target}"),
        };
        worksheets.push((sheet_name, path, hidden));
    }
    let streamed = match stream.as_deref() {
        Some(s) => {
            let names: Vec<&str> = worksheets.iter().map(|(n, _, _)| n.as_str()).collect();
            match (s.pick)(&names) {
                Some(i) if i < worksheets.len() => Some(i),
                _ => return content("aucune feuille à lire en flux"),
            }
        }
        None => None,
    };
    let order: Vec<usize> = (0..worksheets.len())
        .filter(|&i| Some(i) != streamed)
        .chain(streamed)
        .collect();
    let mut sheets: Vec<Option<Sheet>> = worksheets.iter().map(|_| None).collect();
    // Notes by sheet, listed in the workbook's order whatever the reading order.
    let mut notes: Vec<Vec<BookNote>> = worksheets.iter().map(|_| Vec::new()).collect();
    let mut total = 0;
    for i in order {
        let (sheet_name, path, hidden) = &worksheets[i];
        if *hidden {
            notes[i].push(BookNote::HiddenSheet {
                sheet: sheet_name.clone(),
            });
        }
        let Some(part) = open_part(&mut zip, &parts, path, limits::MAX_UNCOMPRESSED_BYTES)? else {
            return content(format!("feuille {sheet_name} introuvable ({path})"));
        };
        if let (Some(stream), true) = (stream.as_deref_mut(), Some(i) == streamed) {
            let book_so_far = Workbook {
                date_system: system,
                sheets: sheets
                    .iter_mut()
                    .zip(&worksheets)
                    .map(|(s, (name, _, hidden))| {
                        s.take().unwrap_or_else(|| Sheet {
                            name: name.clone(),
                            rows: Vec::new(),
                            hidden: *hidden,
                        })
                    })
                    .collect(),
                format: Format::Xlsx,
                notes: notes.concat(),
            };
            if !(stream.send)(Streamed::Book {
                book: book_so_far,
                index: i,
            }) {
                return content("lecture abandonnée");
            }
            let merged = {
                let send = &mut *stream.send;
                let mut batch = Vec::with_capacity(STREAM_BATCH);
                let mut forward = |row: Row| {
                    batch.push(row);
                    batch.len() < STREAM_BATCH
                        || send(Streamed::Rows(std::mem::replace(
                            &mut batch,
                            Vec::with_capacity(STREAM_BATCH),
                        )))
                };
                let mut builder = SheetBuilder::streaming(sheet_name, name, &mut forward);
                let merged =
                    match read_sheet(part, WINDOW_BYTES, true, &book, &mut builder, &mut total)? {
                        Ok(merged) => merged,
                        Err(stop) => return Ok(Err(stop)),
                    };
                if !builder.flush() {
                    return content("lecture abandonnée");
                }
                drop(builder);
                if !batch.is_empty() && !send(Streamed::Rows(batch)) {
                    return content("lecture abandonnée");
                }
                merged
            };
            for range in merged {
                notes[i].push(BookNote::MergedCells {
                    sheet: sheet_name.clone(),
                    range,
                });
            }
            stream.ended = (stream.send)(Streamed::End(notes.concat()));
            return Ok(Ok(Workbook {
                date_system: system,
                sheets: Vec::new(),
                format: Format::Xlsx,
                notes: Vec::new(),
            }));
        }
        let mut builder = SheetBuilder::new(sheet_name, name);
        let merged = match read_sheet(part, WINDOW_BYTES, true, &book, &mut builder, &mut total)? {
            Ok(merged) => merged,
            Err(limit) => return Ok(Err(limit)),
        };
        for range in merged {
            notes[i].push(BookNote::MergedCells {
                sheet: sheet_name.clone(),
                range,
            });
        }
        let rows = builder.finish();
        sheets[i] = Some(Sheet {
            name: sheet_name.clone(),
            rows,
            hidden: *hidden,
        });
    }
    Ok(Ok(Workbook {
        date_system: system,
        sheets: sheets.into_iter().flatten().collect(),
        format: Format::Xlsx,
        notes: notes.concat(),
    }))
}

type Part<'z, 'b> = std::io::Take<zip::read::ZipFile<'z, Cursor<&'b [u8]>>>;

/// One part, inflating at most `limit` bytes (the zip guard checked the declared sizes; this
/// holds even if a size lies); `None` when the part is absent.
fn open_part<'z, 'b>(
    zip: &'z mut Zip<'b>,
    parts: &HashMap<String, usize>,
    path: &str,
    limit: u64,
) -> Result<Option<Part<'z, 'b>>, Fault> {
    let Some(&index) = parts.get(&path.to_ascii_lowercase()) else {
        return Ok(None);
    };
    let file = zip.by_index(index).map_err(|e| Fault::Zip(e.to_string()))?;
    Ok(Some(file.take(limit)))
}

/// One part inflated whole (see [`open_part`]), for [`part_reader`].
fn read_part(
    zip: &mut Zip<'_>,
    parts: &HashMap<String, usize>,
    path: &str,
    limit: u64,
) -> Result<Option<Vec<u8>>, Fault> {
    let Some(mut part) = open_part(zip, parts, path, limit)? else {
        return Ok(None);
    };
    let mut bytes = Vec::new();
    part.read_to_end(&mut bytes)
        .map_err(|e| Fault::Content(e.to_string()))?;
    Ok(Some(bytes))
}

/// A quick-xml reader over a part's bytes: events borrow from them.
fn part_reader(bytes: &[u8]) -> XmlReader<&[u8]> {
    let mut xml = XmlReader::from_reader(bytes);
    configure(&mut xml);
    xml
}

/// The same reading of every part: names as written, text untrimmed, `<a/>` as `<a></a>`.
fn configure<R>(xml: &mut XmlReader<R>) {
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
}

/// The value of attribute `key`, entities not expanded (ids, numbers, references).
fn attr<'a>(e: &'a BytesStart<'_>, key: &str) -> Option<std::borrow::Cow<'a, str>> {
    e.attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .map(|a| a.value)
}

/// The value of attribute `key` with its entities expanded (names, targets, format codes).
fn text_attr(e: &BytesStart<'_>, key: &str) -> Result<Option<String>, Fault> {
    let Some(a) = e
        .attributes()
        .with_checks(false)
        .flatten()
        .find(|a| a.key.as_ref() == key)
    else {
        return Ok(None);
    };
    Ok(Some(unescape_attr(&a.value)?))
}

fn unescape_attr(v: &str) -> Result<String, Fault> {
    quick_xml::escape::unescape(v)
        .map(|v| v.into_owned())
        .map_err(|e| Fault::Content(e.to_string()))
}

/// The folder of the main part and its file name, from `_rels/.rels` (`xl/`, `workbook.xml`
/// when it says nothing).
fn office_document(
    zip: &mut Zip<'_>,
    parts: &HashMap<String, usize>,
) -> Result<(String, String), Fault> {
    let mut target = None;
    if let Some(bytes) = read_part(zip, parts, "_rels/.rels", limits::MAX_PART_BYTES)? {
        let mut xml = part_reader(&bytes);
        loop {
            match xml.read_event()? {
                Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                    let office = attr(&e, "Type")
                        .is_some_and(|t| t.ends_with("/relationships/officeDocument"));
                    if office {
                        target = text_attr(&e, "Target")?;
                    }
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    let Some(target) = target else {
        return Ok(("xl/".to_owned(), "workbook.xml".to_owned()));
    };
    let (dir, file) = match target.rfind('/') {
        Some(i) => target.split_at(i + 1),
        None => ("", target.as_str()),
    };
    let file = if file.is_empty() {
        "workbook.xml"
    } else {
        file
    };
    Ok((
        dir.strip_prefix('/').unwrap_or(dir).to_owned(),
        file.to_owned(),
    ))
}

/// Relationship id → (target, type) of the workbook part.
fn relationships(
    zip: &mut Zip<'_>,
    parts: &HashMap<String, usize>,
    path: &str,
) -> Result<HashMap<String, (String, String)>, Fault> {
    let Some(bytes) = read_part(zip, parts, path, limits::MAX_PART_BYTES)? else {
        return content(format!("partie {path} absente"));
    };
    let mut rels = HashMap::new();
    let mut xml = part_reader(&bytes);
    loop {
        match xml.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "Relationship" => {
                if let Some(id) = attr(&e, "Id") {
                    let target = text_attr(&e, "Target")?.unwrap_or_default();
                    let typ = attr(&e, "Type").unwrap_or_default().into_owned();
                    rels.insert(id.into_owned(), (target, typ));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(rels)
}

/// The sheets in workbook order as (name, relationship id, hidden), and the date system.
#[allow(clippy::type_complexity)]
fn workbook(
    zip: &mut Zip<'_>,
    parts: &HashMap<String, usize>,
    path: &str,
) -> Result<(Vec<(String, String, bool)>, DateSystem), Fault> {
    let Some(bytes) = read_part(zip, parts, path, limits::MAX_PART_BYTES)? else {
        return content(format!("partie {path} absente"));
    };
    let mut sheets = Vec::new();
    let mut system = DateSystem::Excel1900;
    let mut xml = part_reader(&bytes);
    loop {
        match xml.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "sheet" => {
                let mut name = String::new();
                let mut rel_id = String::new();
                let mut hidden = false;
                for a in e.attributes().with_checks(false).flatten() {
                    match a.key.as_ref() {
                        "name" => name = unescape_attr(&a.value)?,
                        "state" => hidden = matches!(&*a.value, "hidden" | "veryHidden"),
                        // `r:id`, whatever the namespace prefix.
                        k if k == "id" || k.ends_with(":id") => rel_id = a.value.into_owned(),
                        _ => {}
                    }
                }
                sheets.push((name, rel_id, hidden));
            }
            // `<x15:workbookPr>` inside `<extLst>` shares the local name without `date1904`.
            Event::Start(e) if e.local_name().as_ref() == "workbookPr" => {
                if let Some(v) = attr(&e, "date1904") {
                    system = if v == "1" || v == "true" {
                        DateSystem::Excel1904
                    } else {
                        DateSystem::Excel1900
                    };
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((sheets, system))
}

fn shared_strings(
    zip: &mut Zip<'_>,
    parts: &HashMap<String, usize>,
    path: &str,
) -> Result<Vec<String>, Fault> {
    let Some(bytes) = read_part(zip, parts, path, limits::MAX_PART_BYTES)? else {
        return Ok(Vec::new());
    };
    let mut strings = Vec::new();
    let mut xml = part_reader(&bytes);
    loop {
        match xml.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "sst" => {
                if let Some(n) = attr(&e, "uniqueCount").and_then(|n| n.parse::<usize>().ok()) {
                    // A forged count must not reserve gigabytes.
                    strings.reserve(n.min(1 << 20));
                }
            }
            Event::Start(e) if e.local_name().as_ref() == "si" => {
                strings.push(read_string(&mut xml, e.name().as_ref())?);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(strings)
}

/// The text of an `<si>` or `<is>` element up to `</closing>`: plain `<t>` or the runs of
/// rich text (`<r><t>`), without the phonetic guides (`<rPh>`). Without
/// `xml:space="preserve"`, spaces at the ends of each `<t>` are not part of the text.
fn read_string(xml: &mut XmlReader<&[u8]>, closing: &str) -> Result<String, Fault> {
    let mut out = String::new();
    let mut phonetic = false;
    loop {
        match xml.read_event()? {
            Event::End(e) if e.name().as_ref() == closing => return Ok(out),
            Event::Start(e) if e.local_name().as_ref() == "rPh" => phonetic = true,
            Event::End(e) if e.local_name().as_ref() == "rPh" => phonetic = false,
            Event::End(e) if e.local_name().as_ref() == "row" => return row_in_cell(),
            Event::Start(e) if e.local_name().as_ref() == "t" && !phonetic => {
                let preserve = attr(&e, "xml:space").is_some_and(|v| v == "preserve");
                let value = read_text(xml, e.name().as_ref())?;
                let value = if preserve {
                    &value[..]
                } else {
                    value.trim_matches([' ', '\t', '\r', '\n'])
                };
                out.push_str(&unescape_excel(value));
            }
            Event::Eof => return content(format!("fin inattendue dans <{closing}>")),
            _ => {}
        }
    }
}

/// The text content up to `</closing>`, entities and character references expanded.
fn read_text(xml: &mut XmlReader<&[u8]>, closing: &str) -> Result<String, Fault> {
    let mut value = String::new();
    read_text_into(xml, closing, &mut value)?;
    Ok(value)
}

/// [`read_text`] appending to `value`, so the common `<v>` reuses one string.
fn read_text_into(
    xml: &mut XmlReader<&[u8]>,
    closing: &str,
    value: &mut String,
) -> Result<(), Fault> {
    loop {
        match xml.read_event()? {
            Event::Text(t) => value.push_str(&t.xml10_content()),
            Event::CData(t) => value.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(c) = r.resolve_char_ref()? {
                    value.push(c);
                } else {
                    match quick_xml::escape::resolve_xml_entity(r.as_ref()) {
                        Some(s) => value.push_str(s),
                        None => return content(format!("entité inconnue &{};", r.as_ref())),
                    }
                }
            }
            Event::End(e) if e.name().as_ref() == closing => return Ok(()),
            Event::End(e) if e.local_name().as_ref() == "row" => return row_in_cell(),
            Event::Eof => return content(format!("fin inattendue dans <{closing}>")),
            _ => {}
        }
    }
}

/// A worksheet is read in windows that end after a `</row>` (see [`Windows`]): one inside a
/// cell or a string is refused wherever it falls, rather than the cell being cut in two.
fn row_in_cell<T>() -> Result<T, Fault> {
    content("balise </row> à l'intérieur d'une cellule")
}

/// Excel writes characters XML cannot hold as `_xHHHH_` (a UTF-16 unit: `_x000D_` is a
/// carriage return, `_xD83D__xDE00_` an emoji), and a literal `_x000D_` as `_x005F_x000D_`.
fn unescape_excel(s: &str) -> std::borrow::Cow<'_, str> {
    fn unit(s: &[u8], i: usize) -> Option<u16> {
        let b = s.get(i..i + 7)?;
        if b[0] != b'_'
            || b[1] != b'x'
            || b[6] != b'_'
            || !b[2..6].iter().all(u8::is_ascii_hexdigit)
        {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&b[2..6]).ok()?, 16).ok()
    }
    let bytes = s.as_bytes();
    if !memchr::memmem::find(bytes, b"_x")
        .is_some_and(|_| memchr::memchr_iter(b'_', bytes).any(|i| unit(bytes, i).is_some()))
    {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let (mut i, mut copied) = (0, 0);
    while let Some(off) = memchr::memchr(b'_', &bytes[i..]) {
        let at = i + off;
        let Some(u) = unit(bytes, at) else {
            i = at + 1;
            continue;
        };
        out.push_str(&s[copied..at]);
        i = at + 7;
        match u {
            0xD800..=0xDBFF => match unit(bytes, i) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let c = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 7;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            _ => out.push(char::from_u32(u32::from(u)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = i;
    }
    out.push_str(&s[copied..]);
    std::borrow::Cow::Owned(out)
}

/// How each cell style (`<cellXfs>`, indexed by the `s` of a cell) displays numbers.
fn styles(
    zip: &mut Zip<'_>,
    parts: &HashMap<String, usize>,
    path: &str,
) -> Result<Vec<NumFormat>, Fault> {
    let Some(bytes) = read_part(zip, parts, path, limits::MAX_PART_BYTES)? else {
        return Ok(Vec::new());
    };
    let mut custom: HashMap<String, NumFormat> = HashMap::new();
    let mut formats = Vec::new();
    let (mut in_xfs, mut in_fmts) = (false, false);
    let mut xml = part_reader(&bytes);
    loop {
        match xml.read_event()? {
            Event::Start(e) => match e.local_name().as_ref() {
                "numFmts" => in_fmts = true,
                "cellXfs" => in_xfs = true,
                "numFmt" if in_fmts => {
                    if let (Some(id), Some(code)) =
                        (attr(&e, "numFmtId"), text_attr(&e, "formatCode")?)
                    {
                        custom.insert(id.into_owned(), custom_format(&code));
                    }
                }
                "xf" if in_xfs => formats.push(match attr(&e, "numFmtId") {
                    None => NumFormat::Other,
                    Some(id) => custom
                        .get(&*id)
                        .copied()
                        .unwrap_or_else(|| builtin_format(&id)),
                }),
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                "numFmts" => in_fmts = false,
                "cellXfs" => in_xfs = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(formats)
}

/// The built-in formats (ECMA-376 §18.8.30) that show a date or a time; 46 is `[h]:mm:ss`.
fn builtin_format(id: &str) -> NumFormat {
    match id {
        "14" | "15" | "16" | "17" | "18" | "19" | "20" | "21" | "22" | "45" | "47" => {
            NumFormat::Date
        }
        // East Asian built-in formats, dates and clock times depending on the locale.
        "27" | "28" | "29" | "30" | "31" | "32" | "33" | "34" | "35" | "36" | "50" | "51"
        | "52" | "53" | "54" | "55" | "56" | "57" | "58" => NumFormat::Date,
        "46" => NumFormat::Duration,
        _ => NumFormat::Other,
    }
}

/// Whether a custom format code shows a date: a d, m, y, h or s outside quotes, brackets and
/// escapes in its first section (`JJ/MM/AAAA` is stored as `dd/mm/yyyy`); `[h]:mm` is a
/// duration. The same rule as calamine, so files read the same as before.
fn custom_format(code: &str) -> NumFormat {
    let (mut escaped, mut quoted, mut ap, mut hms) = (false, false, false, false);
    let mut brackets = 0u8;
    let mut prev = ' ';
    for c in code.chars() {
        match (c, escaped, quoted, ap, brackets) {
            (_, true, ..) => escaped = false,
            // `\` escapes, `_` skips a width, `*` fills: the next character is a literal.
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => {}
            ('"', ..) => quoted = true,
            (';', ..) => return NumFormat::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return NumFormat::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return NumFormat::Date,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return NumFormat::Date
            }
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&prev)) {
                    hms = prev == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = c;
    }
    NumFormat::Other
}

struct Book<'a> {
    /// The shared strings, cleaned: `None` for one left empty.
    strings: &'a [Option<(CellValue, Vec<TextNote>)>],
    formats: &'a [NumFormat],
    system: DateSystem,
}

/// `A1` → (0, 0); `None` without a row or a column, or with anything else in it.
fn cell_position(r: &str) -> Option<(u32, Option<u32>)> {
    // One pass: every cell of a sheet goes through here.
    let b = r.as_bytes();
    let (mut letters, mut col) = (0, 0u64);
    while let Some(c) = b.get(letters).filter(|c| c.is_ascii_alphabetic()) {
        if letters < 8 {
            col = col * 26 + u64::from(c.to_ascii_uppercase() - b'A') + 1;
        }
        letters += 1;
    }
    if letters > 8 {
        col = u64::MAX;
    }
    let digits = &b[letters..];
    if digits.is_empty() || digits.len() > 10 {
        return None;
    }
    // At most 10 digits: no overflow in a u64.
    let mut row = 0u64;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u64::from(d - b'0');
    }
    let row = u32::try_from(row.checked_sub(1)?).unwrap_or(u32::MAX);
    let col = col
        .checked_sub(1)
        .map(|c| u32::try_from(c).unwrap_or(u32::MAX));
    Some((row, col))
}

/// The formula of a cell: its text, or `None` for a cell of a shared formula other than the
/// first (the text is only stored there).
enum Formula {
    Text(String),
    Copied,
}

/// Where the reading of a worksheet is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    BeforeCells,
    Cells,
    AfterCells,
}

/// Streams the cells of a worksheet into `builder`, then returns its merged ranges. The outer
/// error is a damaged part, the inner one a limit of the builder. `shortcut` reads the cells of
/// the common shape from the bytes ([`Cells::plain_cells`]); off, everything is read by
/// quick-xml, as the tests compare.
fn read_sheet<R: Read>(
    part: R,
    window: usize,
    shortcut: bool,
    book: &Book<'_>,
    builder: &mut SheetBuilder<'_>,
    total: &mut usize,
) -> Result<Result<Vec<String>, WorkbookError>, Fault> {
    let mut windows = Windows::new(part, window);
    let mut place = Place::BeforeCells;
    let mut first: Option<String> = None;
    let (mut row_index, mut col_index) = (0u32, 0u32);
    let mut merged = Vec::new();
    loop {
        let cut = match windows.next() {
            Ok(Some(cut)) => cut,
            Ok(None) => break,
            // Nothing after the cells matters enough to refuse the file for.
            Err(_) if place == Place::AfterCells => break,
            Err(e) => return Err(e),
        };
        let mut xml = sheet_reader(&windows.buf[..cut]);
        let done = match place {
            Place::BeforeCells => before_cells(&mut xml, &mut first)?,
            Place::Cells => false,
            Place::AfterCells => {
                merged_cells(&mut xml, &mut merged);
                false
            }
        };
        if done {
            place = Place::Cells;
        }
        if place == Place::Cells {
            let cells = Cells {
                book,
                row_index: &mut row_index,
                col_index: &mut col_index,
                shortcut,
            };
            match cells.read(&windows.buf[..cut], &mut xml, builder, total)? {
                Ok(true) => {
                    place = Place::AfterCells;
                    merged_cells(&mut xml, &mut merged);
                }
                Ok(false) => {}
                Err(limit) => return Ok(Err(limit)),
            }
        }
        windows.consume(cut);
    }
    match place {
        Place::BeforeCells => content(match first {
            Some(t) => format!("la partie n'est pas une feuille de calcul ({t})"),
            None => "feuille vide".to_owned(),
        }),
        Place::Cells => content("fin inattendue dans <sheetData>"),
        Place::AfterCells => Ok(Ok(merged)),
    }
}

/// A quick-xml reader over one window of a worksheet. A window starts inside elements opened
/// in an earlier one (`<worksheet>`, `<sheetData>`): their ends are not errors.
fn sheet_reader(window: &[u8]) -> XmlReader<&[u8]> {
    let mut xml = XmlReader::from_reader(window);
    configure(&mut xml);
    xml.config_mut().allow_unmatched_ends = true;
    xml
}

/// Up to `<sheetData>`: `true` once it started (the reader is then just inside it). The name
/// of the first element is kept for the message of a part that is no worksheet.
fn before_cells(xml: &mut XmlReader<&[u8]>, first: &mut Option<String>) -> Result<bool, Fault> {
    loop {
        match xml.read_event()? {
            Event::Start(e) if e.local_name().as_ref() == "sheetData" => return Ok(true),
            Event::Start(e) => {
                first.get_or_insert_with(|| e.local_name().as_ref().to_owned());
            }
            Event::Eof => return Ok(false),
            _ => {}
        }
    }
}

/// The merged ranges that follow the cells.
fn merged_cells(xml: &mut XmlReader<&[u8]>, merged: &mut Vec<String>) {
    loop {
        match xml.read_event() {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "mergeCell" => {
                if let Some(range) = attr(&e, "ref").and_then(|r| range_text(&r)) {
                    merged.push(range);
                }
            }
            // An error here ends this window only: the next one starts at a clean boundary.
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
}

/// The cells' reading, carried from one window to the next: where the next row and cell are
/// when the file does not say.
struct Cells<'c, 'b> {
    book: &'c Book<'b>,
    row_index: &'c mut u32,
    col_index: &'c mut u32,
    /// Cells of the common shape read straight from the bytes ([`Cells::plain_cells`]).
    shortcut: bool,
}

/// What quick-xml's reading of the cells stopped at the end of.
enum Stop {
    Row,
    Cells,
    Window,
}

impl Cells<'_, '_> {
    /// The cells of one window, from where `xml` is: `true` once `</sheetData>` was read,
    /// `xml` then being just after it.
    fn read<'w>(
        mut self,
        window: &'w [u8],
        xml: &mut XmlReader<&'w [u8]>,
        builder: &mut SheetBuilder<'_>,
        total: &mut usize,
    ) -> Result<Result<bool, WorkbookError>, Fault> {
        let mut v_text = String::new();
        // quick-xml decides on a byte order mark when it reads its first event, and
        // `<sheetData/>` leaves its end in the reader: in both cases it reads a row first.
        let read = window.len() - xml.get_ref().len();
        let mut shortcut = self.shortcut && read > 0 && !window[..read].ends_with(b"/>");
        loop {
            if shortcut {
                let mut at = window.len() - xml.get_ref().len();
                if let Err(limit) =
                    self.plain_cells(window, &mut at, &mut v_text, builder, total)?
                {
                    return Ok(Err(limit));
                }
                // The reader goes on from there: a slice reader is the slice left to read.
                *xml.get_mut() = &window[at..];
                if at == window.len() {
                    return Ok(Ok(false));
                }
            }
            shortcut = self.shortcut;
            match self.events(xml, &mut v_text, builder, total)? {
                Ok(Stop::Row) => {}
                Ok(Stop::Cells) => return Ok(Ok(true)),
                Ok(Stop::Window) => return Ok(Ok(false)),
                Err(limit) => return Ok(Err(limit)),
            }
        }
    }

    /// Reads events with quick-xml up to the end of a row, of the cells or of the window.
    /// With the shortcut on, this reads what [`Cells::plain_cells`] left: the rest of a row
    /// where it met anything else than the common shape.
    fn events(
        &mut self,
        xml: &mut XmlReader<&[u8]>,
        v_text: &mut String,
        builder: &mut SheetBuilder<'_>,
        total: &mut usize,
    ) -> Result<Result<Stop, WorkbookError>, Fault> {
        loop {
            let event = xml.read_event()?;
            let local = local_name(&event);
            match &event {
                Event::Start(e) if local == "row" => {
                    let r = match plain_attributes(e.attributes_raw()) {
                        Some(mut pairs) => pairs.find(|(k, _)| *k == "r").map(|(_, v)| v.into()),
                        None => attr(e, "r"),
                    };
                    self.start_row(r.as_deref())?;
                }
                Event::End(_) if local == "row" => {
                    self.end_row();
                    return Ok(Ok(Stop::Row));
                }
                Event::Start(e) if local == "c" => {
                    let [r, s, t] = cell_attributes(e);
                    let pos = self.place(r.as_deref())?;
                    let (s, t) = (s.as_deref(), t.as_deref());
                    // What is wrong inside a cell says which one, for the user to look at it.
                    let (value, formula) = match cell_content(xml, t, v_text) {
                        Ok(content) => content,
                        Err(Fault::Content(m)) => {
                            let cell =
                                cell_reference(builder.sheet, pos.1, pos.0.saturating_add(1));
                            return content(format!("{m}, en {cell}"));
                        }
                        Err(zip) => return Err(zip),
                    };
                    if let Err(limit) =
                        self.push(pos, value, v_text, s, t, formula, builder, total)?
                    {
                        return Ok(Err(limit));
                    }
                }
                Event::End(_) if local == "sheetData" => return Ok(Ok(Stop::Cells)),
                Event::Eof => return Ok(Ok(Stop::Window)),
                _ => {}
            }
        }
    }

    /// Reads from `window[*at..]` the rows and cells of the common shape — `<row …>`, `</row>`,
    /// `<c …/>`, `<c …></c>` and `<c …><v>…</v></c>` of a number, shared string, boolean or
    /// error code, unprefixed, attributes plainly written, no entity — and stops at the
    /// first thing of any other shape, leaving it to quick-xml ([`Cells::events`]). Such cells
    /// are nearly all a workbook holds: read by quick-xml, each costs five events whose names
    /// and text are checked as UTF-8 one by one, about half of the reading.
    fn plain_cells(
        &mut self,
        window: &[u8],
        at: &mut usize,
        v_text: &mut String,
        builder: &mut SheetBuilder<'_>,
        total: &mut usize,
    ) -> Result<Result<(), WorkbookError>, Fault> {
        loop {
            let from = *at
                + window[*at..]
                    .iter()
                    .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                    .count();
            let rest = &window[from..];
            if rest.starts_with(b"</row>") {
                self.end_row();
                *at = from + 6;
            } else if let Some((attributes, empty, len)) = plain_tag(rest, b"row") {
                let Some(mut pairs) = plain_attributes(attributes) else {
                    return Ok(Ok(()));
                };
                // As `attr`, the first `r`.
                self.start_row(pairs.find(|(k, _)| *k == "r").map(|(_, v)| v))?;
                if empty {
                    self.end_row();
                }
                *at = from + len;
            } else if let Some(([r, s, t], empty, len)) = plain_cell_tag(rest) {
                let Some((value, len)) = plain_value(&rest[len..], empty, t, v_text)
                    .map(|(value, end)| (value, len + end))
                else {
                    return Ok(Ok(()));
                };
                let pos = self.place(r)?;
                if let Err(limit) = self.push(pos, value, v_text, s, t, None, builder, total)? {
                    return Ok(Err(limit));
                }
                *at = from + len;
            } else {
                return Ok(Ok(()));
            }
        }
    }

    fn start_row(&mut self, r: Option<&str>) -> Result<(), Fault> {
        if let Some(r) = r {
            match cell_position(r) {
                Some((row, _)) => *self.row_index = row,
                None => return bad_ref(r),
            }
        }
        Ok(())
    }

    fn end_row(&mut self) {
        *self.row_index = self.row_index.saturating_add(1);
        *self.col_index = 0;
    }

    /// A cell's row and column: its `r`, or the place after the previous cell.
    fn place(&mut self, r: Option<&str>) -> Result<(u32, u32), Fault> {
        match r {
            Some(r) => match cell_position(r) {
                Some((row, Some(col))) => {
                    *self.col_index = col;
                    Ok((row, col))
                }
                _ => bad_ref(r),
            },
            None => Ok((*self.row_index, *self.col_index)),
        }
    }

    /// Adds a cell read to the sheet (an empty one only moves the column on).
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        pos: (u32, u32),
        value: Raw,
        v_text: &str,
        s: Option<&str>,
        t: Option<&str>,
        formula: Option<Formula>,
        builder: &mut SheetBuilder<'_>,
        total: &mut usize,
    ) -> Result<Result<(), WorkbookError>, Fault> {
        *self.col_index = self.col_index.saturating_add(1);
        let Some((value, notes)) = cell_value(value, v_text, s, t, formula, self.book)? else {
            return Ok(Ok(()));
        };
        Ok(builder.push(pos.0, pos.1, value, notes, total))
    }
}

fn bad_ref<T>(r: &str) -> Result<T, Fault> {
    content(format!("référence de cellule invalide « {r} »"))
}

/// A start tag `<name …>` or `<name …/>` at the start of `rest`: its attributes, whether it is
/// empty, and its length. `None` for another name, or a tag whose attributes are not UTF-8 or
/// hold a `<` (left to quick-xml). The attributes are only sure to be the tag's when they read
/// as [`plain_attributes`].
fn plain_tag<'w>(rest: &'w [u8], name: &[u8]) -> Option<(&'w str, bool, usize)> {
    let after = rest.strip_prefix(b"<")?.strip_prefix(name)?;
    // The name ends at a space, `>` or `/>`: in `<c/r="A1">`, quick-xml reads the name `c/r="A1"`.
    match after {
        [b' ' | b'\t' | b'\r' | b'\n' | b'>', ..] | [b'/', b'>', ..] => {}
        _ => return None,
    }
    // quick-xml ends a tag at the first `>` outside quotes. The callers only go on when the
    // attributes up to the first `>` are pairs whose values are quoted ([`plain_attributes`],
    // no quote in a name): every quote before it is then closed, and both ends are the same.
    let gt = memchr::memchr(b'>', after)?;
    let (attributes, empty) = match after[..gt].strip_suffix(b"/") {
        Some(a) => (a, true),
        None => (&after[..gt], false),
    };
    if attributes.contains(&b'<') {
        return None;
    }
    let attributes = std::str::from_utf8(attributes).ok()?;
    Some((attributes, empty, 1 + name.len() + gt + 1))
}

/// A `<c …>` or `<c …/>` tag at the start of `rest` whose attributes are all written
/// `name="value"`, one space or more before each, names of letters, digits, `:`, `_`, `.`
/// and `-`, values without `<`, `>`, `&` or any byte beyond ASCII: its `r`, `s` and `t` (the
/// last of each, as [`cell_attributes`]), whether it is empty, and its length. `None` for
/// anything else, left to quick-xml. Excel's cells are all of this shape: one pass over their
/// bytes, where a general tag and attribute reader took about a sixth of the reading.
fn plain_cell_tag(rest: &[u8]) -> Option<([Option<&str>; 3], bool, usize)> {
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let name_byte = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b':' | b'_' | b'.' | b'-');
    let tag = rest.strip_prefix(b"<c")?;
    let mut found = [None; 3];
    let mut at = 0;
    loop {
        let before = at;
        while tag.get(at).is_some_and(|&b| space(b)) {
            at += 1;
        }
        match *tag.get(at)? {
            b'>' => return Some((found, false, 2 + at + 1)),
            b'/' if tag.get(at + 1) == Some(&b'>') => return Some((found, true, 2 + at + 2)),
            // `<col…`, `<c/r…`, or two pairs not separated by a space.
            _ if at == before => return None,
            _ => {}
        }
        let key = at;
        while tag.get(at).is_some_and(|&b| name_byte(b)) {
            at += 1;
        }
        let key = &tag[key..at];
        if key.is_empty() || tag.get(at) != Some(&b'=') {
            return None;
        }
        let quote = *tag.get(at + 1).filter(|&&q| q == b'"' || q == b'\'')?;
        let value = at + 2;
        let len = tag.get(value..)?.iter().position(|&b| b == quote)?;
        let raw = &tag[value..value + len];
        if raw
            .iter()
            .any(|&b| matches!(b, b'<' | b'>' | b'&') || !b.is_ascii())
        {
            return None;
        }
        let slot = match key {
            b"r" => Some(0),
            b"s" => Some(1),
            b"t" => Some(2),
            _ => None,
        };
        if let Some(i) = slot {
            found[i] = Some(std::str::from_utf8(raw).ok()?);
        }
        at = value + len + 1;
    }
}

/// The content of a cell of the common shape after its start tag (see [`Cells::plain_cells`]),
/// up to its `</c>`: its value (a `<v>`'s text left in `v_text`) and the length read. `None`
/// for any other shape.
fn plain_value(
    rest: &[u8],
    empty: bool,
    t: Option<&str>,
    v_text: &mut String,
) -> Option<(Raw, usize)> {
    if empty {
        return Some((Raw::Empty, 0));
    }
    if rest.starts_with(b"</c>") {
        return Some((Raw::Empty, 4));
    }
    if !matches!(t, None | Some("n" | "s" | "b" | "e")) {
        return None;
    }
    let text = rest.strip_prefix(b"<v>")?;
    let lt = memchr::memchr(b'<', text)?;
    let (value, tail) = text.split_at(lt);
    if !tail.starts_with(b"</v></c>") || value.contains(&b'&') {
        return None;
    }
    v_text.clear();
    v_text.push_str(std::str::from_utf8(value).ok()?);
    let raw = if value.is_empty() {
        Raw::Empty
    } else {
        Raw::Scratch
    };
    Some((raw, 3 + lt + 8))
}

/// The raw `r`, `s` and `t` attributes of a `<c>` tag (the last of each, if repeated).
fn cell_attributes<'e>(e: &'e BytesStart<'_>) -> [Option<std::borrow::Cow<'e, str>>; 3] {
    match plain_attributes(e.attributes_raw()) {
        Some(pairs) => cell_keys(pairs).map(|v| v.map(std::borrow::Cow::Borrowed)),
        None => {
            let mut found = [None, None, None];
            for a in e.attributes().with_checks(false).flatten() {
                if let Some(i) = ["r", "s", "t"].iter().position(|k| *k == a.key.as_ref()) {
                    found[i] = Some(a.value);
                }
            }
            found
        }
    }
}

/// The `r`, `s` and `t` of a cell's attribute pairs (the last of each, if repeated).
fn cell_keys<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> [Option<&'a str>; 3] {
    let mut found = [None, None, None];
    for (key, value) in pairs {
        match key {
            "r" => found[0] = Some(value),
            "s" => found[1] = Some(value),
            "t" => found[2] = Some(value),
            _ => {}
        }
    }
    found
}

/// The `name="value"` pairs of a tag's attributes, raw, when they are all well formed; `None`
/// sends the caller to quick-xml's iterator, whose general state machine took a tenth of the
/// reader's time on cells, whose attributes are two or three short pairs.
fn plain_attributes(raw: &str) -> Option<impl Iterator<Item = (&str, &str)>> {
    let bytes = raw.as_bytes();
    let space = |at: usize| matches!(bytes.get(at), Some(b' ' | b'\t' | b'\r' | b'\n'));
    let mut pairs = [("", ""); 4];
    let (mut count, mut at) = (0, 0);
    loop {
        while space(at) {
            at += 1;
        }
        if at == bytes.len() {
            return Some(pairs.into_iter().take(count));
        }
        // Pairs are separated by white space.
        if count == pairs.len() || (count > 0 && !space(at - 1)) {
            return None;
        }
        let key = at;
        while at < bytes.len() && !space(at) && bytes[at] != b'=' {
            at += 1;
        }
        // A quote in a name: quick-xml's iterator reads it otherwise.
        let key = raw
            .get(key..at)
            .filter(|k| !k.is_empty() && !k.bytes().any(|b| b == b'"' || b == b'\''))?;
        while space(at) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            return None;
        }
        at += 1;
        while space(at) {
            at += 1;
        }
        let quote = *bytes.get(at).filter(|&&q| q == b'"' || q == b'\'')?;
        let value = at + 1;
        at = value + memchr::memchr(quote, bytes.get(value..)?)?;
        pairs[count] = (key, raw.get(value..at)?);
        count += 1;
        at += 1;
    }
}

/// The name of a start or end tag without its prefix (`x:c` → `c`), looked at once per event;
/// empty for other events. Names in cells are a letter or two: a byte loop beats quick-xml's
/// `local_name`, a general substring search.
fn local_name<'e>(event: &'e Event<'_>) -> &'e str {
    let name = match event {
        Event::Start(e) => e.name().into_inner(),
        Event::End(e) => e.name().into_inner(),
        _ => return "",
    };
    match name.bytes().rposition(|b| b == b':') {
        Some(colon) => &name[colon + 1..],
        None => name,
    }
}

/// What a `<c>` holds, up to its `</c>`: its value and formula.
fn cell_content(
    xml: &mut XmlReader<&[u8]>,
    t: Option<&str>,
    v_text: &mut String,
) -> Result<(Raw, Option<Formula>), Fault> {
    let mut value = Raw::Empty;
    let mut formula = None;
    loop {
        let event = xml.read_event()?;
        let local = local_name(&event);
        match &event {
            Event::Start(e) if local == "f" => {
                let shared = attr(e, "t").is_some_and(|t| t == "shared");
                let anchor = attr(e, "ref").is_some();
                if shared
                    && attr(e, "si")
                        .and_then(|s| s.parse::<usize>().ok())
                        .is_none()
                {
                    return content("formule partagée sans numéro (si)");
                }
                let text = read_text(xml, e.name().as_ref())?;
                formula = Some(if shared && !anchor {
                    Formula::Copied
                } else {
                    Formula::Text(text)
                });
            }
            Event::Start(e) => {
                value = match local {
                    "is" => Raw::Text(read_string(xml, e.name().as_ref())?),
                    "v" => read_v(xml, e.name().as_ref(), t, v_text)?,
                    // Anything else (extensions) holds no value.
                    _ => {
                        skip(xml, e.name().as_ref())?;
                        value
                    }
                };
            }
            Event::End(_) if local == "c" => return Ok((value, formula)),
            Event::End(_) if local == "row" => return row_in_cell(),
            Event::Eof => return content("fin inattendue dans une cellule"),
            _ => {}
        }
    }
}

/// Reads up to the `</closing>` of an element just started (nested ones of the same name
/// included).
fn skip(xml: &mut XmlReader<&[u8]>, closing: &str) -> Result<(), Fault> {
    let mut depth = 0usize;
    loop {
        match xml.read_event()? {
            Event::Start(e) if e.name().as_ref() == closing => depth += 1,
            Event::End(e) if e.name().as_ref() == closing => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return Ok(()),
            },
            Event::End(e) if e.local_name().as_ref() == "row" => return row_in_cell(),
            Event::Eof => return content(format!("fin inattendue dans <{closing}>")),
            _ => {}
        }
    }
}

/// The worksheet's XML as quick-xml reads it fastest: from a slice, events borrowing from it.
/// The part is inflated a window at a time, each ending just after a `</row>`, so memory stays
/// small whatever the sheet's size. A window is only cut there when nothing before could hide
/// a `</row>` that is no tag (a comment, CDATA, a processing instruction): otherwise it runs to
/// the end of the part. The readers refuse a `</row>` inside a cell, so a row is never cut.
struct Windows<R> {
    part: R,
    buf: Vec<u8>,
    /// Bytes read ahead of the cut before another cut is looked for.
    size: usize,
    /// Where the last search for a cut stopped: the bytes before hold none.
    searched: usize,
    /// A comment, CDATA or instruction was seen: no more cuts.
    whole: bool,
    /// The XML declaration (the one `<?` a cut may follow) is behind.
    declared: bool,
    ended: bool,
}

/// The inflated bytes read ahead of each window's cut.
const WINDOW_BYTES: usize = 1 << 18;

impl<R: Read> Windows<R> {
    fn new(part: R, size: usize) -> Windows<R> {
        Windows {
            part,
            buf: Vec::new(),
            size: size.max(16),
            searched: 0,
            whole: false,
            declared: false,
            ended: false,
        }
    }

    /// The length of the next window at the start of `buf`; `None` at the end of the part.
    fn next(&mut self) -> Result<Option<usize>, Fault> {
        loop {
            if self.ended {
                return Ok((!self.buf.is_empty()).then_some(self.buf.len()));
            }
            let want = self.size as u64;
            let read = (&mut self.part)
                .take(want)
                .read_to_end(&mut self.buf)
                .map_err(|e| Fault::Content(e.to_string()))?;
            if (read as u64) < want {
                self.ended = true;
                continue;
            }
            if let Some(cut) = self.cut() {
                return Ok(Some(cut));
            }
        }
    }

    /// The end of the last `</row>` read, when a window may end there.
    fn cut(&mut self) -> Option<usize> {
        let from = self.searched.saturating_sub(8);
        self.searched = self.buf.len();
        if !self.declared {
            let start = usize::from(self.buf.starts_with("\u{feff}".as_bytes())) * 3;
            match self.buf[start..].starts_with(b"<?") {
                true => match memchr::memmem::find(&self.buf, b"?>") {
                    Some(end) => {
                        self.declared = true;
                        return self.cut_after(end + 2);
                    }
                    // A declaration longer than a window: no cut until the end.
                    None => self.whole = true,
                },
                false => self.declared = true,
            }
        }
        self.cut_after(from)
    }

    /// A cut after the last `</row>` of `buf[from..]`, unless a `<!` or `<?` comes first.
    fn cut_after(&mut self, from: usize) -> Option<usize> {
        let searched = &self.buf[from.min(self.buf.len())..];
        if memchr::memmem::find(searched, b"<!").is_some()
            || memchr::memmem::find(searched, b"<?").is_some()
        {
            self.whole = true;
        }
        if self.whole {
            return None;
        }
        let mut end = searched.len();
        // A few tries: a cut missed here only makes this window longer.
        for _ in 0..64 {
            let at = memchr::memmem::rfind(&searched[..end], b"row>")?;
            let name = searched[..at]
                .iter()
                .rposition(|b| matches!(b, b'<' | b'/' | b'>' | b' ' | b'\t' | b'\r' | b'\n'))
                .map_or(0, |p| p + 1);
            let prefixed = name < at && searched[at - 1] == b':';
            if (name == at || prefixed) && name >= 2 && &searched[name - 2..name] == b"</" {
                return Some(from + at + 4);
            }
            end = at;
        }
        None
    }

    /// Drops the window just read.
    fn consume(&mut self, cut: usize) {
        self.buf.drain(..cut);
        self.searched = self.searched.saturating_sub(cut);
    }
}

/// `a1:c1` → `A1:C1`, `B2` → `B2:B2`: the range as the report shows it.
fn range_text(r: &str) -> Option<String> {
    let mut ends = r.split(':').map(|p| match cell_position(p) {
        Some((row, Some(col))) => Some(format!("{}{}", column_letters(col), row as u64 + 1)),
        _ => None,
    });
    let start = ends.next()??;
    let end = match ends.next() {
        Some(end) => end?,
        None => start.clone(),
    };
    ends.next().is_none().then(|| format!("{start}:{end}"))
}

/// A cell's value before its style and type are applied.
enum Raw {
    Empty,
    /// The text of `<v>` (type decides what it means).
    V(String),
    /// The same, left in the caller's scratch string: numbers and shared-string indexes, most
    /// cells, are read without an allocation each.
    Scratch,
    /// The text of an inline string.
    Text(String),
}

/// The content of a `<v>`, entities and character references expanded whatever the type: a
/// number or a shared-string index written `1&#48;` is 10, not the text before the reference.
fn read_v(
    xml: &mut XmlReader<&[u8]>,
    closing: &str,
    t: Option<&str>,
    scratch: &mut String,
) -> Result<Raw, Fault> {
    match t {
        // An inline string's value is in `<is>`; a `<v>` beside it is redundant.
        Some("inlineStr" | "is") => {
            skip(xml, closing)?;
            Ok(Raw::Empty)
        }
        Some("n" | "s" | "b" | "e") | None => {
            scratch.clear();
            read_text_into(xml, closing, scratch)?;
            Ok(if scratch.is_empty() {
                Raw::Empty
            } else {
                Raw::Scratch
            })
        }
        _ => {
            let mut value = String::new();
            read_text_into(xml, closing, &mut value)?;
            Ok(Raw::V(value))
        }
    }
}

/// A cell's value and notes; `None` for an empty cell. A formula without a cached result is
/// not empty: the user typed something, the file just lacks its result.
fn cell_value(
    raw: Raw,
    scratch: &str,
    s: Option<&str>,
    t: Option<&str>,
    formula: Option<Formula>,
    book: &Book<'_>,
) -> Result<Option<(CellValue, Vec<TextNote>)>, Fault> {
    let plain = |v| Ok(Some((v, Vec::new())));
    let v = match raw {
        Raw::Text(s) => return Ok(text_value(&s)),
        Raw::V(ref v) => v.as_str(),
        Raw::Scratch => scratch,
        Raw::Empty => return Ok(formula_note(formula)),
    };
    let blank = match t {
        Some("s" | "n") | None => v.is_empty(),
        Some("b") => v.trim().is_empty(),
        _ => false,
    };
    if blank {
        return Ok(formula_note(formula));
    }
    match t {
        Some("s") => {
            let index = v.parse::<usize>().unwrap_or(0);
            match book.strings.get(index) {
                Some(s) => Ok(s.clone()),
                None => content(format!("texte partagé n° {index} introuvable")),
            }
        }
        Some("b") => match v.trim() {
            "0" => plain(CellValue::Bool(false)),
            "1" => plain(CellValue::Bool(true)),
            b if b.eq_ignore_ascii_case("false") => plain(CellValue::Bool(false)),
            b if b.eq_ignore_ascii_case("true") => plain(CellValue::Bool(true)),
            _ => content(format!("valeur booléenne invalide « {v} »")),
        },
        Some("d") => match parse_iso_date_time(v) {
            Some((d, 0)) => plain(CellValue::Date(d)),
            Some((d, secs)) => plain(CellValue::DateTime(d, secs)),
            None => Ok(text_value(v)),
        },
        Some("e") => match error_fr(v) {
            Some(e) => plain(CellValue::Error(e.to_owned())),
            None => content(format!("code d'erreur inconnu « {v} »")),
        },
        Some("str") => Ok(text_value(&unescape_excel(v))),
        Some("n") | None => match v.parse::<f64>() {
            Ok(n) => {
                let format = match s {
                    Some(s) => book
                        .formats
                        .get(s.parse::<usize>().unwrap_or(0))
                        .copied()
                        .unwrap_or(NumFormat::Other),
                    None => NumFormat::Other,
                };
                plain(match format {
                    NumFormat::Date => date_value(n, false, book.system),
                    NumFormat::Duration => date_value(n, true, book.system),
                    NumFormat::Other => CellValue::Number(n),
                })
            }
            // Without a type, what is not a number is text.
            Err(_) if t.is_none() => Ok(text_value(v)),
            Err(_) => content(format!("nombre invalide « {v} »")),
        },
        Some(other) => content(format!("type de cellule inconnu « {other} »")),
    }
}

/// An empty cell with a formula holds the formula, so the report shows what the cell holds.
fn formula_note(formula: Option<Formula>) -> Option<(CellValue, Vec<TextNote>)> {
    let text = match formula? {
        Formula::Text(f) => format!("={f}"),
        Formula::Copied => "(formule recopiée)".to_owned(),
    };
    Some((CellValue::Text(text), vec![TextNote::FormulaWithoutValue]))
}

/// A number displayed with a date format: a calendar date when it is one (a time alone or a
/// duration stays a number).
pub(crate) fn date_value(serial: f64, duration: bool, system: DateSystem) -> CellValue {
    if duration {
        return CellValue::Number(serial);
    }
    match serial_to_date(serial, system) {
        Some((d, 0)) => CellValue::Date(d),
        Some((d, secs)) => CellValue::DateTime(d, secs),
        None => CellValue::Number(serial),
    }
}

/// Error values as French Excel displays them (files store the English codes).
pub(crate) fn error_fr(code: &str) -> Option<&'static str> {
    Some(match code {
        "#DIV/0!" => "#DIV/0!",
        "#N/A" => "#N/A",
        "#NAME?" => "#NOM?",
        "#NULL!" => "#NUL!",
        "#NUM!" => "#NOMBRE!",
        "#REF!" => "#REF!",
        "#VALUE!" => "#VALEUR!",
        "#DATA!" | "#GETTING_DATA" => "#DONNEES!",
        _ => return None,
    })
}

fn error(name: &str, e: Fault) -> WorkbookError {
    match e {
        Fault::Zip(z) => WorkbookError::new(
            ErrorKind::Damaged,
            format!(
                "Le classeur « {name} » est endommagé (archive zip illisible : {z}) : rouvrez-le dans votre tableur et enregistrez-le à nouveau au format .xlsx"
            ),
        ),
        Fault::Content(other) => WorkbookError::new(
            ErrorKind::Damaged,
            format!(
                "Le classeur « {name} » ne peut pas être lu : son contenu est endommagé ou d'une forme inattendue (détail technique : {other}). Rouvrez-le dans votre tableur et enregistrez-le à nouveau au format .xlsx"
            ),
        ),
    }
}

/// A worksheet's XML (`xml`) read in windows of `window` bytes by quick-xml alone, then with
/// the shortcut of [`Cells::plain_cells`]: each reading's rows and merged ranges, or its error,
/// as text. The unit tests and the fuzz target `xlsx_sheet` require both to be the same.
pub fn sheet_readings(xml: &[u8], window: usize) -> [String; 2] {
    let strings = [
        Some((CellValue::Text("partagé".into()), Vec::new())),
        None,
        text_value(" deux\u{1}"),
    ];
    let book = Book {
        strings: &strings,
        formats: &[NumFormat::Other, NumFormat::Date, NumFormat::Duration],
        system: DateSystem::Excel1900,
    };
    [false, true].map(|shortcut| {
        let mut builder = SheetBuilder::new("Passages", "test.xlsx");
        let mut total = 0;
        match read_sheet(xml, window, shortcut, &book, &mut builder, &mut total) {
            Ok(Ok(merged)) => format!("{:?} {merged:?}", builder.finish()),
            Ok(Err(e)) => format!("limite : {e}"),
            Err(Fault::Content(e) | Fault::Zip(e)) => format!("erreur : {e}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Cell tags of every shape met or imagined: Excel's, spaced, repeated keys, prefixed keys,
    /// entities, non-ASCII, and malformed ones (which quick-xml's iterator reads by skipping
    /// what it cannot read, or refuses).
    const CELL_TAGS: [&str; 21] = [
        r#"<c r="B12" s="3" t="s">"#,
        r#"<c r="B12">"#,
        r#"<c r="B12"/>"#,
        "<c>",
        "<c/>",
        "<c\tt = 'inlineStr'\r\n r='A1' >",
        "<c\tt='inlineStr'\r\n r='A1' >",
        r#"<c s="1" s="2" r="C3">"#,
        r#"<c r="A1" x:foo="b>c" t="n">"#,
        r#"<c r="A1" x:foo="b&amp;c" t="n">"#,
        r#"<c r="A1" t="s" cm="1" vm="1" ph="1">"#,
        r#"<c r="A1" t="s" cm="1" vm="1" ph="1" xml:space="preserve">"#,
        r#"<c r="A1" t="é">"#,
        r#"<c foo r="A1">"#,
        r#"<c r="A1"t="s">"#,
        r#"<c r=A1 t="s">"#,
        r#"<c ="A1">"#,
        r#"<c r="A1" / >"#,
        r#"<col r="A1">"#,
        r#"<c/r="A1">"#,
        r#"<c r="A1"#,
    ];

    /// The tag as quick-xml reads it: its `r`, `s` and `t` by quick-xml's own attribute
    /// iterator (the last of each), and whether it is empty; `None` if it is not a tag to it.
    fn quick_xml_reading(tag: &str) -> Option<(BytesStart<'_>, [Option<String>; 3], bool)> {
        let mut xml = XmlReader::from_str(tag);
        let (e, empty) = match xml.read_event() {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            _ => return None,
        };
        let mut keys = [None, None, None];
        for a in e.attributes().with_checks(false).flatten() {
            if let Some(i) = ["r", "s", "t"].iter().position(|k| *k == a.key.as_ref()) {
                keys[i] = Some(a.value.into_owned());
            }
        }
        Some((e, keys, empty))
    }

    #[test]
    fn cell_attributes_read_as_quick_xml_reads_them() {
        for tag in CELL_TAGS {
            let Some((e, expected, _)) = quick_xml_reading(tag) else {
                continue;
            };
            let found = cell_attributes(&e).map(|v| v.map(|v| v.into_owned()));
            assert_eq!(found, expected, "{tag}");
        }
        assert!(plain_attributes(r#" r="B12" s="3" t="s""#).is_some());
        for malformed in [r#"foo r="A1""#, r#"r="A1"t="s""#, "r=A1", r#"r="A1"#] {
            assert!(plain_attributes(malformed).is_none(), "{malformed}");
        }
    }

    #[test]
    fn a_plain_cell_tag_reads_as_quick_xml_reads_it() {
        let mut plain = 0;
        for tag in CELL_TAGS {
            let Some((found, empty, len)) = plain_cell_tag(tag.as_bytes()) else {
                continue;
            };
            plain += 1;
            let (e, expected, quick_empty) =
                quick_xml_reading(tag).unwrap_or_else(|| panic!("{tag}"));
            assert_eq!(e.name().as_ref(), "c", "{tag}");
            assert_eq!(found.map(|v| v.map(str::to_owned)), expected, "{tag}");
            assert_eq!(empty, quick_empty, "{tag}");
            assert_eq!(len, tag.len(), "{tag}");
        }
        assert_eq!(plain, 9, "formes reconnues");
    }

    #[test]
    fn cell_references_give_their_row_and_column() {
        let cases = [
            ("A1", Some((0, Some(0)))),
            ("a1", Some((0, Some(0)))),
            ("Z9", Some((8, Some(25)))),
            ("AA10", Some((9, Some(26)))),
            ("XFD1048576", Some((1_048_575, Some(16_383)))),
            ("ABCDEFGHI1", Some((0, Some(u32::MAX)))),
            ("A4294967297", Some((u32::MAX, Some(0)))),
            ("12", Some((11, None))),
            ("A", None),
            ("A0", None),
            ("A1B", None),
            ("A12345678901", None),
            ("", None),
            ("É1", None),
        ];
        for (r, expected) in cases {
            assert_eq!(cell_position(r), expected, "{r}");
        }
    }

    /// The rows and merged ranges of a worksheet's XML read in windows of `window` bytes, or
    /// the error, as text; read by quick-xml alone, then with the shortcut, which must give
    /// the same.
    fn read(xml: &str, window: usize) -> String {
        let [slow, fast] = sheet_readings(xml.as_bytes(), window);
        assert_eq!(fast, slow, "{xml} en fenêtres de {window} octets");
        fast
    }

    const SHEET: &str = concat!(
        "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
        "<x:dimension ref=\"A1:C4\"/><x:sheetData>",
        "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c t=\"inlineStr\"><x:is><x:t>arrow&gt;</x:t></x:is></x:c></x:row>",
        "<row><c><v>12</v></c><c r=\"C2\"><f>A1*2</f><v>24</v></c></row >",
        "<row r=\"4\"><c r=\"A4\" t=\"str\"><v>a:row&gt;b</v></c><c r=\"B4\"/></row>",
        "</x:sheetData><x:mergeCells><x:mergeCell ref=\"a1:b1\"/></x:mergeCells></x:worksheet>",
    );

    #[test]
    fn rows_read_in_windows_of_any_size_are_the_rows_read_at_once() {
        let whole = read(SHEET, 1 << 20);
        assert!(
            whole.contains("partagé") && whole.contains("arrow>"),
            "{whole}"
        );
        assert!(
            whole.contains("a:row>b") && whole.contains("A1:B1"),
            "{whole}"
        );
        assert!(whole.contains("number: 4"), "{whole}");
        for window in 16..SHEET.len() + 8 {
            assert_eq!(read(SHEET, window), whole, "fenêtres de {window} octets");
        }
    }

    #[test]
    fn the_shortcut_reads_every_seed_as_quick_xml_does_in_windows_of_any_size() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seeds/xlsx_sheet");
        let mut seeds = 0;
        for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{dir} : {e}")) {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            let xml = &data[1..];
            for window in (16..xml.len() + 8).step_by(1 + xml.len() / 400) {
                let [slow, fast] = sheet_readings(xml, window);
                assert_eq!(
                    fast,
                    slow,
                    "{} en fenêtres de {window} octets",
                    String::from_utf8_lossy(xml)
                );
            }
            seeds += 1;
        }
        assert!(seeds >= 5);
        // The seed of odd shapes is read to its end, its cells as quick-xml reads them.
        let odd = std::fs::read(format!("{dir}/formes-diverses.bin")).unwrap();
        let [_, fast] = sheet_readings(&odd[1..], 1 << 20);
        for expected in [
            "1 2",
            "5]]>6",
            "Date(",
            "partagé",
            "#DIV/0!",
            "IllegalXmlChar",
            "number: 9",
        ] {
            assert!(fast.contains(expected), "{expected} : {fast}");
        }
    }

    #[test]
    fn a_value_written_with_references_is_read_whole() {
        // Excel never writes these, other producers may: the value is the text with its
        // references expanded, never the piece before the first one.
        let xml = concat!(
            "<worksheet><sheetData><row r=\"1\">",
            "<c r=\"A1\"><v>1&#48;</v></c>",
            "<c r=\"B1\" t=\"s\"><v>&#50;</v></c>",
            "<c r=\"C1\"><v><![CDATA[7]]>5</v></c>",
            "<c r=\"D1\"><v>1&amp;2</v></c>",
            "</row></sheetData></worksheet>",
        );
        let whole = read(xml, 1 << 20);
        assert!(whole.contains("Number(10.0)"), "{whole}");
        assert!(whole.contains("deux"), "{whole}");
        assert!(whole.contains("Number(75.0)"), "{whole}");
        assert!(whole.contains("Text(\"1&2\")"), "{whole}");
        for window in 16..xml.len() + 8 {
            assert_eq!(read(xml, window), whole, "fenêtres de {window} octets");
        }
    }

    #[test]
    fn a_window_ends_only_after_a_row_end_tag() {
        for window in 16..SHEET.len() + 8 {
            let mut windows = Windows::new(SHEET.as_bytes(), window);
            let mut rebuilt = Vec::new();
            while let Some(cut) = windows.next().unwrap_or_else(|_| unreachable!()) {
                let piece = &windows.buf[..cut];
                if cut < windows.buf.len() || !windows.ended {
                    let text = std::str::from_utf8(piece).unwrap_or_default();
                    assert!(
                        text.ends_with("</x:row>") || text.ends_with("</row>"),
                        "fenêtre de {window} octets coupée après {text:?}"
                    );
                }
                rebuilt.extend_from_slice(piece);
                windows.consume(cut);
            }
            assert_eq!(rebuilt, SHEET.as_bytes(), "fenêtres de {window} octets");
        }
    }

    #[test]
    fn no_window_ends_after_a_comment_cdata_or_instruction() {
        for hidden in ["<!-- </row> -->", "<![CDATA[</row>]]>", "<?pi </row>?>"] {
            let xml = format!(
                "<worksheet><sheetData><row><c><v>1</v></c></row>{hidden}<row><c><v>2</v></c></row><row><c><v>3</v></c></row></sheetData></worksheet>"
            );
            for window in 16..xml.len() + 8 {
                let mut windows = Windows::new(xml.as_bytes(), window);
                let hidden_at = xml.find(hidden).unwrap_or_default();
                let mut end = 0;
                while let Some(cut) = windows.next().unwrap_or_else(|_| unreachable!()) {
                    end += cut;
                    assert!(
                        end <= hidden_at || end == xml.len(),
                        "{hidden} : fenêtre de {window} octets coupée à {end}"
                    );
                    windows.consume(cut);
                }
            }
        }
    }

    #[test]
    fn a_row_end_inside_a_cell_is_refused_wherever_the_window_ends() {
        for cell in [
            "<c><v>1</v></row></c>",
            "<c t=\"inlineStr\"><is><t>a</t></row></is></c>",
            "<c t=\"str\"><v>a</row></v></c>",
            "<c><f>A1</row></f><v>1</v></c>",
            "<c><extLst></row></extLst><v>1</v></c>",
        ] {
            let xml = format!(
                "<worksheet><sheetData><row><c><v>0</v></c></row><row>{cell}</row><row><c><v>2</v></c></row></sheetData></worksheet>"
            );
            for window in 16..xml.len() + 8 {
                assert_eq!(
                    read(&xml, window),
                    "erreur : balise </row> à l'intérieur d'une cellule, en Passages!A2",
                    "{cell} en fenêtres de {window} octets"
                );
            }
        }
    }
}
