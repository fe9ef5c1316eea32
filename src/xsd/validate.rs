//! Streaming validation: one pass over the document with quick-xml, memory bounded by the depth of
//! the document (a stack of open elements), not by its size.
//!
//! ```
//! use accrochage::xsd::{Schema, ValidationOptions};
//! let schema = Schema::parse(r#"
//!   <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
//!     <xs:element name="sexe"><xs:simpleType><xs:restriction base="xs:string">
//!       <xs:enumeration value="M"/><xs:enumeration value="F"/>
//!     </xs:restriction></xs:simpleType></xs:element>
//!   </xs:schema>"#).unwrap();
//! let report = schema.validate_str("<sexe>Homme</sexe>", &ValidationOptions::default());
//! assert!(!report.is_valid());
//! assert_eq!(report.errors().next().unwrap().message,
//!     "La valeur « Homme » n'est pas autorisée pour sexe : valeurs possibles M, F");
//! ```

use std::collections::HashMap;
use std::io::BufRead;

use quick_xml::events::{BytesStart, BytesText, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;
use serde::Serialize;

use super::builtin::WhiteSpace;
use super::diagnostic::{
    list_en, list_fr, shorten_text, value_message, Code, Diagnostic, Severity, Text,
};
use super::model::*;

pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

/// Knobs of a validation run.
#[derive(Debug, Clone)]
pub struct ValidationOptions {
    /// Errors kept in the report, and warnings kept apart; the counts go on past it.
    pub max_errors: usize,
    /// Local name of the element that holds one record (the CDC's `passageCertification`) and of
    /// its child that identifies it (`idTechnique`): diagnostics inside a record carry that id.
    pub record_element: Option<String>,
    pub record_key: Option<String>,
    /// Whether diagnostics carry their line and column. Counting them is a tenth of the work;
    /// a check that only needs the verdict (the converter's, of a file it wrote) turns it off
    /// and validates again with it on the rare time the verdict is « invalid ». Off, every
    /// position is line 0, column 0.
    pub locate: bool,
}

impl Default for ValidationOptions {
    fn default() -> Self {
        ValidationOptions {
            max_errors: 1000,
            record_element: Some("passageCertification".into()),
            record_key: Some("idTechnique".into()),
            locate: true,
        }
    }
}

/// The outcome of validating one document.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
    /// Errors found, including those beyond `max_errors` that were not kept.
    pub error_count: usize,
    pub warning_count: usize,
    /// Elements and records (passages) seen.
    pub elements: u64,
    pub records: u64,
}

impl Report {
    /// Valid per the XSD: no error (warnings such as XML comments do not change the verdict).
    pub fn is_valid(&self) -> bool {
        self.error_count == 0
    }

    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Warning)
    }
}

impl Schema {
    /// Validates a document read from `input` (a file, a byte slice…).
    pub fn validate<R: BufRead>(&self, mut input: R, options: &ValidationOptions) -> Report {
        let utf16 = input.fill_buf().is_ok_and(is_utf16);
        let source = Buffered {
            reader: NsReader::from_reader(Counting::new(input, options.locate)),
        };
        Validator::new(self, options).run(source, utf16)
    }

    /// Validates a document held in memory: its events are read in place rather than copied.
    pub fn validate_bytes(&self, xml: &[u8], options: &ValidationOptions) -> Report {
        self.validate_parts(&[xml], options)
    }

    /// Validates the document made of `parts` one after the other, without joining them. Each
    /// part but the last must end just after a tag's `>`, or after spaces, tabs and line feeds
    /// that follow one: the reader moves to the next part where an event ends. Another cut
    /// (inside a tag, a value, a reference) makes the document invalid, never valid by mistake.
    pub(crate) fn validate_parts(&self, parts: &[&[u8]], options: &ValidationOptions) -> Report {
        let (first, rest) = parts
            .split_first()
            .map_or((&b""[..], &[][..]), |(first, rest)| (*first, rest));
        let head = parts
            .iter()
            .find(|p| !p.is_empty())
            .copied()
            .unwrap_or_default();
        let source = Slices {
            reader: NsReader::from_reader(first),
            rest,
            at: options.locate.then(TextPosition::new),
            started: false,
        };
        Validator::new(self, options).run(source, is_utf16(head))
    }

    pub fn validate_str(&self, xml: &str, options: &ValidationOptions) -> Report {
        self.validate_bytes(xml.as_bytes(), options)
    }
}

#[derive(Clone, Copy)]
enum Kind {
    Simple(SimpleTypeId),
    Complex(ComplexTypeId),
    /// Content not validated: an element the schema does not know (already reported).
    Skip,
}

/// Progress through a content model.
#[derive(Clone, Copy)]
enum State {
    None,
    All {
        seen: u128,
    },
    /// `u32::MAX` before the first child; then the position of the last child matched.
    Auto {
        at: u32,
    },
}

const START: u32 = u32::MAX;

/// Levels kept at each end of an element path (the CDC's documents have fewer than 10).
const PATH_ENDS: usize = 16;

struct Frame<'s> {
    element: Option<ElementId>,
    /// Name as found in the document, for paths of unknown elements.
    /// The element's name: borrowed from the schema for declared elements, so that copying it
    /// for a message costs nothing on the hot path.
    raw_name: std::borrow::Cow<'s, str>,
    index: u32,
    /// Repeatable elements always carry their index, so the first passage's path says `[1]`.
    show_index: bool,
    line: u32,
    column: u32,
    kind: Kind,
    state: State,
    nilled: bool,
    text: String,
    text_reported: bool,
    child_counts: Vec<(u32, u32)>,
    unknown_counts: Vec<(String, u32)>,
}

impl<'s> Frame<'s> {
    fn empty() -> Frame<'s> {
        Frame {
            element: None,
            raw_name: std::borrow::Cow::Borrowed(""),
            index: 1,
            show_index: false,
            line: 0,
            column: 0,
            kind: Kind::Skip,
            state: State::None,
            nilled: false,
            text: String::new(),
            text_reported: false,
            child_counts: Vec::new(),
            unknown_counts: Vec::new(),
        }
    }
}

/// Wraps the input and counts the lines and columns (in characters) of the bytes the XML reader
/// consumes, so that before each event it holds the position where the event starts, whatever
/// the event holds (newlines inside tags, end tags, comments…).
struct Counting<R> {
    inner: R,
    /// `None` when positions are not wanted.
    at: Option<TextPosition>,
}

struct TextPosition {
    line: u32,
    column: u32,
    offset: u64,
}

impl<R> Counting<R> {
    fn new(inner: R, locate: bool) -> Self {
        Counting {
            inner,
            at: locate.then(TextPosition::new),
        }
    }
}

/// A document starting like UTF-16 (a byte order mark, or a zero byte beside the first `<`).
fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(&[0xFF, 0xFE])
        || head.starts_with(&[0xFE, 0xFF])
        || head.starts_with(&[0, b'<'])
        || head.starts_with(&[b'<', 0])
}

/// Where the validator's events come from: a buffered reader for streams, or the document's
/// bytes in memory, read in place. Either way, before each event, the line and column where it
/// starts.
trait Source<'i> {
    type Input;
    fn reader(&self) -> &NsReader<Self::Input>;
    fn reader_mut(&mut self) -> &mut NsReader<Self::Input>;
    fn position(&self) -> (u32, u32);
    fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> quick_xml::Result<Event<'b>>
    where
        'i: 'b;
}

struct Buffered<R> {
    reader: NsReader<Counting<R>>,
}

impl<R: BufRead> Source<'static> for Buffered<R> {
    type Input = Counting<R>;

    fn reader(&self) -> &NsReader<Counting<R>> {
        &self.reader
    }

    fn reader_mut(&mut self) -> &mut NsReader<Counting<R>> {
        &mut self.reader
    }

    fn position(&self) -> (u32, u32) {
        self.reader.get_ref().at.as_ref().map_or((0, 0), |a| a.at())
    }

    fn next<'b>(&mut self, buf: &'b mut Vec<u8>) -> quick_xml::Result<Event<'b>>
    where
        'static: 'b,
    {
        self.reader.read_event_into(buf)
    }
}

/// A document in memory, possibly in several parts (see [`Schema::validate_parts`]).
struct Slices<'i> {
    reader: NsReader<&'i [u8]>,
    rest: &'i [&'i [u8]],
    at: Option<TextPosition>,
    /// An event was read: the reader is past its start (byte order mark).
    started: bool,
}

impl<'i> Source<'i> for Slices<'i> {
    type Input = &'i [u8];

    fn reader(&self) -> &NsReader<&'i [u8]> {
        &self.reader
    }

    fn reader_mut(&mut self) -> &mut NsReader<&'i [u8]> {
        &mut self.reader
    }

    fn position(&self) -> (u32, u32) {
        self.at.as_ref().map_or((0, 0), |a| a.at())
    }

    fn next<'b>(&mut self, _: &'b mut Vec<u8>) -> quick_xml::Result<Event<'b>>
    where
        'i: 'b,
    {
        // The reader keeps its state (open elements, namespaces, offset) when its input is
        // replaced, and each part ends where an event does.
        while let Some((next, rest)) = self.rest.split_first() {
            let current = *self.reader.get_ref();
            if current.is_empty() {
                *self.reader.get_mut() = next;
                self.rest = rest;
                continue;
            }
            // quick-xml takes a text that runs to the end of its input for the end of the
            // document: a part's last blanks are read here. Left with no `<` nor `&`, the
            // reader can only be in text (in markup or in a reference it would stand on one).
            // Only blanks: a value's text cut in two would have its `]]>` or its `\r\n` checked
            // and normalised in halves.
            let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\n');
            if self.started && current.iter().all(blank) {
                // ASCII, so always UTF-8.
                if let Ok(text) = std::str::from_utf8(current) {
                    *self.reader.get_mut() = &current[current.len()..];
                    if let Some(at) = &mut self.at {
                        at.track(current);
                    }
                    return Ok(Event::Text(BytesText::from_escaped(text)));
                }
            }
            break;
        }
        self.started = true;
        let before = *self.reader.get_ref();
        let event = self.reader.read_event();
        if let Some(at) = &mut self.at {
            let read = before.len() - self.reader.get_ref().len();
            at.track(&before[..read]);
        }
        event
    }
}

impl TextPosition {
    fn new() -> TextPosition {
        TextPosition {
            line: 1,
            column: 1,
            offset: 0,
        }
    }

    fn at(&self) -> (u32, u32) {
        (self.line, self.column)
    }

    fn track(&mut self, mut bytes: &[u8]) {
        if self.offset == 0 {
            // A UTF-8 byte order mark takes no column.
            if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
                self.offset = 3;
                bytes = rest;
            }
        }
        self.offset += bytes.len() as u64;
        // Most chunks are a tag, a value or the indentation between tags, too short for the
        // vector searches below to pay their set-up: they are read eight bytes at a time.
        if bytes.len() <= 32 {
            const HIGH: u64 = 0x8080_8080_8080_8080;
            let (mut lines, mut line_start, mut high) = (0, None, 0);
            let mut words = bytes.chunks_exact(8);
            // Words hold their bytes little-endian: the highest newline mark is the last one.
            let mut read = |word: u64, at: usize| {
                high |= word & HIGH;
                let newlines = bytes_equal(word, b'\n');
                if newlines != 0 {
                    lines += newlines.count_ones();
                    line_start = Some(at + (63 - newlines.leading_zeros() as usize) / 8 + 1);
                }
            };
            for (i, word) in words.by_ref().enumerate() {
                read(
                    u64::from_le_bytes(word.try_into().unwrap_or_default()),
                    i * 8,
                );
            }
            let rest = words.remainder();
            if !rest.is_empty() {
                let word = rest.iter().rev().fold(0, |w, &b| w << 8 | u64::from(b));
                read(word, bytes.len() - rest.len());
            }
            self.line += lines;
            let tail = match line_start {
                Some(s) => {
                    self.column = 1;
                    &bytes[s..]
                }
                None => bytes,
            };
            self.column += if high == 0 {
                tail.len() as u32
            } else {
                tail.iter().filter(|&&c| c & 0xC0 != 0x80).count() as u32
            };
            return;
        }
        // Characters are counted by their first byte (continuation bytes are 10xxxxxx); ASCII,
        // the common case, is checked fast and counted by length.
        let chars = |b: &[u8]| {
            if b.is_ascii() {
                b.len() as u32
            } else {
                b.iter().filter(|&&c| c & 0xC0 != 0x80).count() as u32
            }
        };
        match memchr::memrchr(b'\n', bytes) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', bytes).count() as u32;
                self.column = 1 + chars(&bytes[last + 1..]);
            }
            None => self.column += chars(bytes),
        }
    }
}

/// The bytes of `word` equal to `b`, each marked by its high bit (exactly: no carry crosses
/// bytes, as the low seven bits are added apart).
fn bytes_equal(word: u64, b: u8) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let x = word ^ (u64::from(b) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x) & !LOW7
}

impl<R: BufRead> std::io::Read for Counting<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let available = self.fill_buf()?;
            let n = available.len().min(out.len());
            out[..n].copy_from_slice(&available[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Counting<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        if amt > 0 {
            // The consumed bytes are buffered already: this does no I/O.
            if let Some(at) = &mut self.at {
                if let Ok(available) = self.inner.fill_buf() {
                    let n = amt.min(available.len());
                    at.track(&available[..n]);
                }
            }
        }
        self.inner.consume(amt);
    }
}

/// A namespace as the name table knows it: one of the schema's, by its index in
/// `Validator::namespaces`, so that a name's look-up compares numbers rather than URIs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ns {
    Absent,
    Schema(u32),
    /// Bound to a namespace that no declaration of the schema uses.
    Other,
}

/// The namespace the last element resolved to: nearly every element of a document is in the same
/// one, so its normalization and look-up are done once rather than per element.
struct NsMemo {
    /// As written in the xmlns declaration.
    raw: String,
    /// `raw` needs no normalization (no reference nor tab or newline in it).
    plain: bool,
    ns: Ns,
}

/// Hashes a name by its length and its first and last eight bytes, with two multiplications:
/// every element's local name is looked up, and FNV's multiplication per byte showed in profiles.
/// Names that share both ends merely share a bucket.
#[derive(Default)]
struct NameHash(u64);

impl NameHash {
    fn fold(a: u64, b: u64) -> u64 {
        let m = (a as u128).wrapping_mul(b as u128);
        (m as u64) ^ ((m >> 64) as u64)
    }
}

impl std::hash::Hasher for NameHash {
    fn finish(&self) -> u64 {
        NameHash::fold(self.0, 0x9E37_79B9_7F4A_7C15)
    }

    fn write(&mut self, bytes: &[u8]) {
        let word = |b: &[u8]| {
            let mut w = [0u8; 8];
            w[..b.len()].copy_from_slice(b);
            u64::from_le_bytes(w)
        };
        let n = bytes.len();
        let (head, tail) = if n >= 8 {
            (word(&bytes[..8]), word(&bytes[n - 8..]))
        } else {
            (word(bytes), 0)
        };
        self.0 = NameHash::fold(
            self.0 ^ head ^ 0x243F_6A88_85A3_08D3,
            tail ^ n as u64 ^ 0x1319_8A2E_0370_7344,
        );
    }

    fn write_u8(&mut self, i: u8) {
        self.0 ^= i as u64;
    }
}

/// The schema's element names by local name: whether it is an NCName, and its ids by namespace.
type NameTable<'s> =
    HashMap<&'s str, (bool, Vec<(Ns, u32)>), std::hash::BuildHasherDefault<NameHash>>;

struct Validator<'s> {
    schema: &'s Schema,
    options: &'s ValidationOptions,
    names: NameTable<'s>,
    /// The distinct namespaces of the schema's element declarations.
    namespaces: Vec<&'s str>,
    ns_memo: NsMemo,
    /// The last element prefix found to be an NCName.
    valid_prefix: Option<String>,
    frames: Vec<Frame<'s>>,
    depth: usize,
    report: Report,
    root_seen: bool,
    record_depth: Option<usize>,
    record_id: Option<String>,
    pending: Vec<Diagnostic>,
    pos: (u32, u32),
    fatal: bool,
    /// Diagnostics listed in the report (the counts in it include those not listed).
    stored_errors: usize,
    stored_warnings: usize,
    /// The values that passed their type's check last (see [`Passed`]).
    passed: Passed,
}

impl<'s> Validator<'s> {
    fn new(schema: &'s Schema, options: &'s ValidationOptions) -> Self {
        let mut namespaces: Vec<&str> = Vec::new();
        let mut names = NameTable::default();
        for (id, (ns, local)) in schema.names.iter().enumerate() {
            let ns = match ns.as_deref() {
                None => Ns::Absent,
                Some(n) => Ns::Schema(match namespaces.iter().position(|&k| k == n) {
                    Some(i) => i as u32,
                    None => {
                        namespaces.push(n);
                        namespaces.len() as u32 - 1
                    }
                }),
            };
            names
                .entry(local.as_str())
                .or_insert_with(|| (!local.contains(':') && is_qname(local), Vec::new()))
                .1
                .push((ns, id as u32));
        }
        let ns_memo = NsMemo::new("", &namespaces);
        Validator {
            schema,
            options,
            names,
            namespaces,
            ns_memo,
            valid_prefix: None,
            frames: Vec::new(),
            depth: 0,
            report: Report::default(),
            root_seen: false,
            record_depth: None,
            record_id: None,
            pending: Vec::new(),
            pos: (1, 1),
            fatal: false,
            stored_errors: 0,
            stored_warnings: 0,
            passed: Passed::default(),
        }
    }

    fn run<'i, S: Source<'i>>(mut self, mut source: S, utf16: bool) -> Report {
        {
            if utf16 {
                self.fatal(
                    Code::XmlEncoding,
                    1,
                    1,
                    Text {
                        fr: "Le fichier est encodé en UTF-16 : la CDC attend de l'UTF-8. Enregistrez-le en « UTF-8 » (dans le Bloc-notes : Enregistrer sous → Encodage UTF-8)".into(),
                        en: "The file is encoded in UTF-16: UTF-8 is required".into(),
                    },
                );
                return self.finish();
            }
        }
        {
            let config = source.reader_mut().config_mut();
            config.check_end_names = true;
            config.check_comments = true;
            config.expand_empty_elements = false;
            config.trim_text(false);
        }
        let mut buf = Vec::with_capacity(4096);
        let mut first_event = true;
        loop {
            // The counter has seen exactly the bytes of the previous events: it is where this
            // one starts.
            let at = source.position();
            self.pos = at;
            let event = match source.next(&mut buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let not_utf8 = match &e {
                        quick_xml::Error::Encoding(_) => true,
                        quick_xml::Error::Io(io) => io.kind() == std::io::ErrorKind::InvalidData,
                        _ => false,
                    };
                    if not_utf8 {
                        // Same family as UTF-16 or a declared Latin-1: the file must be re-saved.
                        self.fatal(
                            Code::XmlEncoding,
                            at.0,
                            at.1,
                            Text {
                                fr: "Le fichier n'est pas en UTF-8 valide : il a sans doute été enregistré en « ANSI » (Windows-1252 ou ISO-8859-1), ce qui abîme les accents ; réenregistrez-le en UTF-8".into(),
                                en: format!("The file is not valid UTF-8 ({e})"),
                            },
                        );
                    } else {
                        let (fr, en) = malformed_message(&e);
                        self.fatal(Code::XmlMalformed, at.0, at.1, Text { fr, en });
                    }
                    break;
                }
            };
            let is_eof = matches!(event, Event::Eof);
            let first = std::mem::replace(&mut first_event, false);
            match event {
                Event::Start(e) => self.start(source.reader(), &e, false),
                Event::Empty(e) => self.start(source.reader(), &e, true),
                Event::End(_) => self.end(),
                // The indentation between tags: most text events of a written file, and nothing
                // in them to check.
                Event::Text(t) if self.blank_between_elements(t.as_bytes()) => {}
                Event::Text(t) => {
                    let text = t.xml10_content();
                    self.check_chars(&text, None);
                    // `>` is rare in values: look for it before setting up a substring search.
                    if memchr::memchr(b'>', text.as_bytes()).is_some() && text.contains("]]>") {
                        self.cdata_end_in_text(&text);
                    }
                    self.text(&text, false);
                }
                Event::CData(t) => {
                    let text = t.xml10_content();
                    self.check_chars(&text, None);
                    self.text(&text, true);
                }
                Event::GeneralRef(r) => self.general_ref(&r),
                Event::Comment(_) => self.comment(),
                Event::Decl(d) => self.decl(&d, first),
                Event::DocType(_) => {
                    let (line, column) = self.pos;
                    self.fatal(
                        Code::XmlDtd,
                        line,
                        column,
                        Text {
                            fr: "Le fichier contient une DTD (<!DOCTYPE …>) : elle est refusée par sécurité (aucune entité n'est développée ni aucun fichier externe lu) et le portail de la CDC ne l'attend pas ; supprimez-la".into(),
                            en: "The file contains a DTD (<!DOCTYPE …>): it is refused for security reasons".into(),
                        },
                    );
                }
                Event::PI(p) => self.pi(&p),
                Event::Eof => {}
            }
            buf.clear();
            if is_eof || self.fatal {
                break;
            }
        }
        if !self.fatal {
            let (line, column) = source.position();
            if self.depth > 0 {
                let f = &self.frames[self.depth - 1];
                let name = f.raw_name.clone();
                self.fatal(
                    Code::XmlMalformed,
                    line,
                    column,
                    Text {
                        fr: format!("Le fichier se termine alors que l'élément « {name} » n'est pas fermé (fichier tronqué ?)"),
                        en: format!("The file ends while element '{name}' is still open (truncated file?)"),
                    },
                );
            } else if !self.root_seen {
                self.fatal(
                    Code::XmlMalformed,
                    line,
                    column,
                    Text {
                        fr: "Le fichier ne contient aucun élément XML".into(),
                        en: "The file contains no XML element".into(),
                    },
                );
            }
        }
        self.finish()
    }

    fn finish(mut self) -> Report {
        let pending = std::mem::take(&mut self.pending);
        for d in pending {
            self.keep(d);
        }
        let max = self.options.max_errors;
        let hidden_errors = self.report.error_count - self.stored_errors;
        if hidden_errors > 0 {
            self.too_many(
                if hidden_errors == 1 {
                    format!("1 autre erreur n'est pas listée : seules les {max} premières le sont")
                } else {
                    format!("{hidden_errors} autres erreurs ne sont pas listées : seules les {max} premières le sont")
                },
                format!("{hidden_errors} more error(s) not listed (limit of {max} reached)"),
            );
        }
        // Counted before the notice above, which is a warning itself.
        let hidden_warnings =
            self.report.warning_count - self.stored_warnings - usize::from(hidden_errors > 0);
        if hidden_warnings > 0 {
            self.too_many(
                if hidden_warnings == 1 {
                    format!("1 autre avertissement n'est pas listé : seuls les {max} premiers le sont")
                } else {
                    format!("{hidden_warnings} autres avertissements ne sont pas listés : seuls les {max} premiers le sont")
                },
                format!("{hidden_warnings} more warning(s) not listed (limit of {max} reached)"),
            );
        }
        self.report
    }

    fn too_many(&mut self, fr: String, en: String) {
        self.report.warning_count += 1;
        self.report.diagnostics.push(Diagnostic {
            severity: Severity::Warning,
            code: Code::TooManyErrors,
            line: 0,
            column: 0,
            path: String::new(),
            id_technique: None,
            rule: None,
            message: fr,
            message_en: en,
        });
    }

    // ---- reporting -------------------------------------------------------------------------

    fn path(&self, extra: Option<(&str, u32)>) -> String {
        let mut p = String::new();
        let frames = &self.frames[..self.depth];
        // A hostile document nests thousands of levels: a path per error would then cost
        // memory in the square of the depth. The middle of a very deep path is elided.
        let elided = frames.len().saturating_sub(PATH_ENDS * 2);
        for (i, f) in frames.iter().enumerate() {
            if elided > 0 && (PATH_ENDS..frames.len() - PATH_ENDS).contains(&i) {
                if i == PATH_ENDS {
                    p.push_str(&format!("/…({elided} niveaux)…"));
                }
                continue;
            }
            p.push('/');
            p.push_str(&f.raw_name);
            if f.index > 1 || f.show_index {
                p.push_str(&format!("[{}]", f.index));
            }
        }
        if let Some((name, index)) = extra {
            p.push('/');
            p.push_str(name);
            if index > 1 {
                p.push_str(&format!("[{index}]"));
            }
        }
        p
    }

    fn emit(
        &mut self,
        severity: Severity,
        code: Code,
        rule: Option<String>,
        text: Text,
        at: (u32, u32),
        path: String,
    ) {
        let d = Diagnostic {
            severity,
            code,
            line: at.0,
            column: at.1,
            path,
            id_technique: None,
            rule,
            message: text.fr,
            message_en: text.en,
        };
        if self.record_depth.is_some() {
            // A record's diagnostics wait for its idTechnique. Past the limit they could not be
            // listed anyway: they are only counted, so a record full of errors stays small.
            if self.pending.len() >= self.options.max_errors {
                match severity {
                    Severity::Error => self.report.error_count += 1,
                    Severity::Warning => self.report.warning_count += 1,
                }
                return;
            }
            self.pending.push(d);
        } else {
            self.keep(d);
        }
    }

    /// Counts a diagnostic, and lists it while under the limit (errors and warnings apart: a
    /// million comments must not cost a million messages).
    fn keep(&mut self, d: Diagnostic) {
        let stored = match d.severity {
            Severity::Error => {
                self.report.error_count += 1;
                &mut self.stored_errors
            }
            Severity::Warning => {
                self.report.warning_count += 1;
                &mut self.stored_warnings
            }
        };
        if *stored < self.options.max_errors {
            *stored += 1;
            self.report.diagnostics.push(d);
        }
    }

    fn error_here(&mut self, code: Code, rule: Option<String>, text: Text) {
        let path = self.path(None);
        let at = self.pos;
        self.emit(Severity::Error, code, rule, text, at, path);
    }

    fn fatal(&mut self, code: Code, line: u32, column: u32, text: Text) {
        let path = self.path(None);
        self.record_depth = None;
        // The record will not be closed: its errors carry its id if it was read already.
        let id = self.record_id.take();
        let pending = std::mem::take(&mut self.pending);
        for mut d in pending {
            d.id_technique = id.clone();
            self.keep(d);
        }
        self.keep(Diagnostic {
            severity: Severity::Error,
            code,
            line,
            column,
            path,
            id_technique: id,
            rule: None,
            message: text.fr,
            message_en: text.en,
        });
        self.fatal = true;
    }

    // ---- events ----------------------------------------------------------------------------

    /// The id of a name, and whether its local part is known to be an NCName.
    fn name_id(&self, ns: Ns, local: &str) -> (Option<u32>, bool) {
        match self.names.get(local) {
            Some((ncname, ids)) => (
                ids.iter().find(|(n, _)| *n == ns).map(|&(_, id)| id),
                *ncname,
            ),
            None => (None, false),
        }
    }

    /// Whether a tag name is a QName (Namespaces in XML 1.0 §4), `local` being the part after its
    /// first colon. Most names are declared in the schema, their prefix the same as the last
    /// element's: only the others are checked character by character.
    fn is_qname_tag(&mut self, qname: &str, local: &str, local_ncname: bool) -> bool {
        if !local_ncname {
            return is_qname(qname);
        }
        let Some(prefix) = qname
            .len()
            .checked_sub(local.len() + 1)
            .map(|n| &qname[..n])
        else {
            return true;
        };
        if self.valid_prefix.as_deref() == Some(prefix) {
            return true;
        }
        // Without a colon, a QName is an NCName.
        let valid = is_qname(prefix);
        if valid {
            self.valid_prefix = Some(prefix.to_owned());
        }
        valid
    }

    /// The namespace an element is bound to, `raw` as written in its xmlns: the namespace the
    /// table knows it as, and whether `raw` is its value as is.
    fn resolve_ns(&mut self, raw: &str) -> (Ns, bool) {
        if self.ns_memo.raw != raw {
            self.ns_memo.set(raw, &self.namespaces);
        }
        (self.ns_memo.ns, self.ns_memo.plain)
    }

    fn element_name(&self, e: ElementId) -> &'s str {
        &self.schema.elements[e].name
    }

    fn start<R>(&mut self, reader: &NsReader<R>, e: &BytesStart, empty: bool) {
        self.report.elements += 1;
        let qname: &str = e.name().0;
        let (resolved, local) = reader.resolver().resolve_element(e.name());
        let local: &str = local.into_inner();
        let (ns_key, bound) = match &resolved {
            ResolveResult::Bound(n) => match self.resolve_ns(n.0) {
                (key, true) => (key, Some(std::borrow::Cow::Borrowed(n.0))),
                (key, false) => (key, Some(namespace_value(n.0))),
            },
            _ => (Ns::Absent, None),
        };
        let ns: Result<Option<&str>, String> = match resolved {
            ResolveResult::Bound(_) => Ok(bound.as_deref()),
            ResolveResult::Unbound => Ok(None),
            ResolveResult::Unknown(p) => Err(p),
        };
        let (name_id, local_ncname) = self.name_id(ns_key, local);
        let at = self.pos;
        if !self.is_qname_tag(qname, local, local_ncname)
            || !attributes_separated(e.attributes_raw())
        {
            let (line, column) = at;
            let fr = if is_qname(qname) {
                format!("Les attributs de « {qname} » doivent être séparés par une espace (par ex. a=\"1\" b=\"2\")")
            } else {
                format!("Balise mal formée : « {} » n'est pas un nom d'élément XML (lettres, chiffres, -, _, ., un préfixe suivi de « : »)", shorten_text(qname))
            };
            self.fatal(
                Code::XmlMalformed,
                line,
                column,
                Text {
                    fr,
                    en: format!("Malformed start tag '{qname}'"),
                },
            );
            return;
        }
        // Before resolving the name: a second root's prefix is often out of scope (declared on
        // the first root), and that would hide the real defect.
        if self.depth == 0 && self.root_seen {
            let (line, column) = at;
            self.fatal(
                Code::XmlMalformed,
                line,
                column,
                Text {
                    fr: format!("Un second élément racine « {qname} » suit la fin du document : un fichier XML n'a qu'une racine"),
                    en: format!("A second root element '{qname}' follows the end of the document"),
                },
            );
            return;
        }
        let ns = match ns {
            Ok(ns) => ns,
            Err(prefix) => {
                self.error_here(
                    Code::XmlMalformed,
                    None,
                    Text {
                        fr: format!("Le préfixe « {prefix} » de l'élément « {qname} » n'est déclaré par aucun xmlns"),
                        en: format!("The prefix '{prefix}' of element '{qname}' is not declared"),
                    },
                );
                None
            }
        };
        let (element, index, show_index) = if self.depth == 0 {
            self.root_seen = true;
            let root = name_id.and_then(|id| {
                self.schema
                    .globals
                    .iter()
                    .copied()
                    .find(|&g| self.schema.elements[g].name_id == id)
            });
            if root.is_none() {
                let expected: Vec<String> = self
                    .schema
                    .global_elements()
                    .map(|g| g.name.clone())
                    .collect();
                let ns_fr = self
                    .schema
                    .target_namespace()
                    .map(|n| format!(" dans l'espace de noms {n}"))
                    .unwrap_or_default();
                self.emit(
                    Severity::Error,
                    Code::RootUnexpected,
                    None,
                    Text {
                        fr: if expected.iter().any(|n| n == local) {
                            // The right name in the wrong namespace: say which, and what to fix.
                            let got = match ns {
                                None => "n'a pas d'espace de noms".to_owned(),
                                Some(n) => format!("est dans l'espace de noms {n}"),
                            };
                            let want = match self.schema.target_namespace() {
                                Some(w) => format!("l'espace de noms {w} est attendu"),
                                None => "aucun n'est attendu".to_owned(),
                            };
                            format!("L'élément racine « {qname} » {got} alors que {want} (vérifiez le préfixe et la déclaration xmlns ; le contenu du fichier n'est pas vérifié tant que la racine n'est pas reconnue)")
                        } else {
                            format!(
                                "L'élément racine est « {qname} »{} : attendu {}{ns_fr}",
                                ns.map(|n| format!(" (espace de noms {n})"))
                                    .unwrap_or_default(),
                                list_fr(&expected)
                            )
                        },
                        en: format!(
                            "The root element is '{qname}': expected {}",
                            list_en(&expected)
                        ),
                    },
                    at,
                    format!("/{local}"),
                );
            }
            (root, 1, false)
        } else {
            let (element, index) = self.match_child(name_id, ns, local);
            let show = match self.frames[self.depth - 1].kind {
                Kind::Complex(ct) => match &self.schema.complex_types[ct].content {
                    ContentModel::Automaton(a) => a.can_repeat(name_id),
                    _ => false,
                },
                _ => false,
            };
            (element, index, show)
        };
        let kind = match element {
            Some(el) => match self.schema.elements[el].type_ref {
                TypeRef::Simple(st) => Kind::Simple(st),
                TypeRef::Complex(ct) => Kind::Complex(ct),
            },
            None => Kind::Skip,
        };
        let state = match kind {
            Kind::Complex(ct) => match &self.schema.complex_types[ct].content {
                ContentModel::All { .. } => State::All { seen: 0 },
                ContentModel::Automaton(_) => State::Auto { at: START },
                ContentModel::Empty => State::None,
            },
            _ => State::None,
        };
        if self.depth == self.frames.len() {
            self.frames.push(Frame::empty());
        }
        {
            let schema_names: &'s [ElementDecl] = &self.schema.elements;
            let f = &mut self.frames[self.depth];
            f.element = element;
            f.raw_name = match element {
                // Same name id, same name: no need to compare the text.
                Some(el) if Some(schema_names[el].name_id) == name_id => {
                    std::borrow::Cow::Borrowed(schema_names[el].name.as_str())
                }
                _ => std::borrow::Cow::Owned(local.to_owned()),
            };
            f.index = index;
            f.show_index = show_index;
            f.line = at.0;
            f.column = at.1;
            f.kind = kind;
            f.state = state;
            f.nilled = false;
            f.text.clear();
            f.text_reported = false;
            f.child_counts.clear();
            f.unknown_counts.clear();
        }
        self.depth += 1;
        if let (Some(el), Some(rec)) = (element, self.options.record_element.as_deref()) {
            if self.schema.elements[el].name == rec && self.record_depth.is_none() {
                self.record_depth = Some(self.depth);
                self.record_id = None;
                self.report.records += 1;
            }
        }
        if !matches!(kind, Kind::Skip) {
            self.attributes(reader, e, element);
        }
        if empty {
            self.end();
        }
    }

    /// Finds which declaration a child element matches in its parent's content model, advancing
    /// the parent's state; reports the problem when it matches none.
    fn match_child(
        &mut self,
        name_id: Option<u32>,
        ns: Option<&str>,
        local: &str,
    ) -> (Option<ElementId>, u32) {
        let schema = self.schema;
        let parent = &mut self.frames[self.depth - 1];
        let index = match name_id {
            Some(id) => match parent.child_counts.iter_mut().find(|(n, _)| *n == id) {
                Some((_, c)) => {
                    *c += 1;
                    *c
                }
                None => {
                    parent.child_counts.push((id, 1));
                    1
                }
            },
            None => match parent.unknown_counts.iter_mut().find(|(n, _)| n == local) {
                Some((_, c)) => {
                    *c += 1;
                    *c
                }
                None => {
                    parent.unknown_counts.push((local.to_owned(), 1));
                    1
                }
            },
        };
        let parent_name = parent.raw_name.clone();
        let (kind, state, nilled) = (parent.kind, parent.state, parent.nilled);
        if nilled {
            self.error_here_child(
                local,
                index,
                Code::NilNotEmpty,
                Text {
                    fr: format!("« {parent_name} » est marqué xsi:nil=\"true\" mais contient l'élément « {local} » : un élément nil doit rester vide"),
                    en: format!("'{parent_name}' is nil but contains element '{local}'"),
                },
            );
            return (None, index);
        }
        let ct = match kind {
            Kind::Skip => return (None, index),
            Kind::Simple(_) => {
                self.error_here_child(
                    local,
                    index,
                    Code::ElementInSimple,
                    Text {
                        fr: format!("« {parent_name} » doit contenir une simple valeur, pas d'élément : retirez « {local} »"),
                        en: format!("'{parent_name}' holds a simple value, not element '{local}'"),
                    },
                );
                return (None, index);
            }
            Kind::Complex(ct) => ct,
        };
        let content = &schema.complex_types[ct].content;
        let matches = |e: ElementId| Some(schema.elements[e].name_id) == name_id;
        match (content, state) {
            (ContentModel::All { members, .. }, State::All { seen }) => {
                if let Some(i) = members.iter().position(|&m| matches(m)) {
                    if seen & (1u128 << i) != 0 {
                        self.error_here_child(
                            local,
                            index,
                            Code::ElementRepeated,
                            Text {
                                fr: format!("L'élément « {local} » apparaît plusieurs fois dans « {parent_name} » : il n'est permis qu'une fois"),
                                en: format!("Element '{local}' appears more than once in '{parent_name}'"),
                            },
                        );
                    } else {
                        self.frames[self.depth - 1].state = State::All {
                            seen: seen | (1u128 << i),
                        };
                    }
                    return (Some(members[i]), index);
                }
                let same_local = members.iter().enumerate().position(|(i, &m)| {
                    seen & (1u128 << i) == 0 && schema.elements[m].name == local
                });
                if let Some(i) = same_local {
                    self.wrong_namespace(local, ns, index, members[i]);
                    self.frames[self.depth - 1].state = State::All {
                        seen: seen | (1u128 << i),
                    };
                    return (Some(members[i]), index);
                }
                let expected: Vec<ElementId> = members
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| seen & (1u128 << i) == 0)
                    .map(|(_, &m)| m)
                    .collect();
                self.unexpected(local, ns, index, &parent_name, &expected);
                (None, index)
            }
            (ContentModel::Automaton(a), State::Auto { at }) => {
                let candidates: &[u32] = if at == START {
                    &a.first
                } else {
                    &a.follow[at as usize]
                };
                if let Some(&next) = candidates
                    .iter()
                    .find(|&&c| matches(a.positions[c as usize]))
                {
                    self.frames[self.depth - 1].state = State::Auto { at: next };
                    return (Some(a.positions[next as usize]), index);
                }
                if let Some(&next) = candidates
                    .iter()
                    .find(|&&c| schema.elements[a.positions[c as usize]].name == local)
                {
                    let e = a.positions[next as usize];
                    self.wrong_namespace(local, ns, index, e);
                    self.frames[self.depth - 1].state = State::Auto { at: next };
                    return (Some(e), index);
                }
                let expected: Vec<ElementId> = candidates
                    .iter()
                    .map(|&c| a.positions[c as usize])
                    .collect();
                // Still validate the content of a known element found out of place.
                let known = a.positions.iter().copied().find(|&e| matches(e));
                if known.is_none() {
                    self.unexpected(local, ns, index, &parent_name, &expected);
                    return (None, index);
                }
                // Found further on in the model: what lies between is missing. Reporting that and
                // resuming from the element found avoids a cascade of errors for one omission.
                if let Some(next) = reachable_later(a, candidates, &matches) {
                    let names = self.distinct_names(&expected);
                    let (fr, en) = if names.len() == 1 {
                        (
                            format!("L'élément obligatoire « {} » manque dans « {parent_name} » : il doit venir avant « {local} »", names[0]),
                            format!("Required element '{}' is missing in '{parent_name}' before '{local}'", names[0]),
                        )
                    } else {
                        (
                            format!("Il manque un élément avant « {local} » dans « {parent_name} » : attendu {}", list_fr(&names)),
                            format!("An element is missing before '{local}' in '{parent_name}': expected {}", list_en(&names)),
                        )
                    };
                    let path = self.path(None);
                    let at = self.pos;
                    self.emit(
                        Severity::Error,
                        Code::ElementMissing,
                        None,
                        Text { fr, en },
                        at,
                        path,
                    );
                    self.frames[self.depth - 1].state = State::Auto { at: next };
                    return (Some(a.positions[next as usize]), index);
                }
                let after_itself = at != START && matches(a.positions[at as usize]);
                if index > 1 && (after_itself || !a.can_repeat(name_id)) {
                    let max = if a.can_repeat(name_id) {
                        schema.complex_types[ct]
                            .particle
                            .as_ref()
                            .and_then(|p| max_occurs_of(schema, p, name_id))
                    } else {
                        Some(1)
                    };
                    let text = match max {
                        Some(1) => Text {
                            fr: format!("L'élément « {local} » apparaît plusieurs fois dans « {parent_name} » : il n'est permis qu'une fois"),
                            en: format!("Element '{local}' appears more than once in '{parent_name}'"),
                        },
                        Some(n) => Text {
                            fr: format!("L'élément « {local} » apparaît trop de fois dans « {parent_name} » : {n} au maximum"),
                            en: format!("Element '{local}' appears too many times in '{parent_name}': at most {n}"),
                        },
                        None => Text {
                            fr: format!("L'élément « {local} » apparaît trop de fois à cet endroit dans « {parent_name} »"),
                            en: format!("Element '{local}' appears too many times here in '{parent_name}'"),
                        },
                    };
                    self.error_here_child(local, index, Code::ElementRepeated, text);
                } else {
                    self.unexpected(local, ns, index, &parent_name, &expected);
                }
                (known, index)
            }
            _ => {
                self.unexpected(local, ns, index, &parent_name, &[]);
                (None, index)
            }
        }
    }

    /// The names of these declarations, each once, in order.
    fn distinct_names(&self, elements: &[ElementId]) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for &e in elements {
            let n = self.element_name(e).to_owned();
            if !names.contains(&n) {
                names.push(n);
            }
        }
        names
    }

    fn error_here_child(&mut self, local: &str, index: u32, code: Code, text: Text) {
        let path = self.path(Some((local, index)));
        let at = self.pos;
        self.emit(Severity::Error, code, None, text, at, path);
    }

    /// An element whose local name is expected here but whose namespace is not: the usual mistake
    /// of a missing or wrong prefix. Reported once; the element then counts as the expected one.
    fn wrong_namespace(&mut self, local: &str, ns: Option<&str>, index: u32, expected: ElementId) {
        let want = self.schema.elements[expected].namespace.clone();
        let fr = match (ns, want.as_deref()) {
            (None, Some(w)) => format!("L'élément « {local} » n'a pas d'espace de noms alors que l'espace de noms {w} est attendu (vérifiez le préfixe, par ex. cpf:, et la déclaration xmlns)"),
            (Some(n), None) => format!("L'élément « {local} » est dans l'espace de noms {n} alors qu'il ne doit être dans aucun (retirez son préfixe, ou la déclaration xmlns=\"…\" qui s'applique à lui)"),
            (got, w) => format!("L'élément « {local} » est dans l'espace de noms {} alors que l'espace de noms {} est attendu (vérifiez le préfixe, par ex. cpf:, et la déclaration xmlns)", got.unwrap_or(""), w.unwrap_or("")),
        };
        self.error_here_child(
            local,
            index,
            Code::ElementNamespace,
            Text {
                fr,
                en: format!(
                    "Element '{local}' is in the wrong namespace ({}), expected {}",
                    ns.unwrap_or("none"),
                    want.as_deref().unwrap_or("none")
                ),
            },
        );
    }

    fn unexpected(
        &mut self,
        local: &str,
        ns: Option<&str>,
        index: u32,
        parent: &str,
        expected: &[ElementId],
    ) {
        let names = self.distinct_names(expected);
        let mut text = if names.is_empty() {
            Text {
                fr: format!("L'élément « {local} » n'est pas permis à cet endroit dans « {parent} » : aucun autre élément n'y est attendu"),
                en: format!("Element '{local}' is not allowed here in '{parent}': no further element is expected"),
            }
        } else {
            Text {
                fr: format!("L'élément « {local} » n'est pas permis à cet endroit dans « {parent} » : attendu {}", list_fr(&names)),
                en: format!("Element '{local}' is not allowed here in '{parent}': expected {}", list_en(&names)),
            }
        };
        // The schema knows this local name only in other namespaces: the prefix is the likelier
        // mistake, and without the namespace the message reads like a false duplicate.
        let elements = &self.schema.elements;
        if elements.iter().any(|e| e.name == local)
            && !elements
                .iter()
                .any(|e| e.name == local && e.namespace.as_deref() == ns)
        {
            let shown = ns.unwrap_or("(aucun)");
            text.fr.push_str(&format!(" ; il est dans l'espace de noms {shown}, que le schéma ne prévoit pas pour « {local} » (vérifiez le préfixe et la déclaration xmlns)"));
            text.en.push_str(&format!(
                "; it is in namespace {shown}, unknown for '{local}'"
            ));
        }
        self.error_here_child(local, index, Code::ElementUnexpected, text);
    }

    fn attributes<R>(&mut self, reader: &NsReader<R>, e: &BytesStart, element: Option<ElementId>) {
        let Some(el) = element else { return };
        let decls: &'s [AttributeDecl] = match self.schema.elements[el].type_ref {
            TypeRef::Complex(ct) => &self.schema.complex_types[ct].attributes,
            TypeRef::Simple(_) => &[],
        };
        let elem_name = self.element_name(el);
        let mut present = 0u64;
        // Most tags have no attribute: skip setting up the iterator (a tenth of the tags' cost).
        let none = e
            .attributes_raw()
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        let mut attributes = e.attributes();
        attributes.with_checks(true);
        for attr in (!none).then_some(attributes).into_iter().flatten() {
            let attr = match attr {
                Ok(a) => a,
                Err(err) => {
                    use quick_xml::events::attributes::AttrError;
                    let detail = match err {
                        AttrError::Duplicated(..) => "un attribut y est écrit deux fois",
                        AttrError::ExpectedEq(_) | AttrError::ExpectedValue(_) => {
                            "un attribut n'a pas de valeur (nom=\"valeur\" attendu)"
                        }
                        AttrError::UnquotedValue(_) | AttrError::ExpectedQuote(..) => {
                            "la valeur d'un attribut n'est pas entre guillemets"
                        }
                    };
                    self.error_here(
                        Code::XmlMalformed,
                        None,
                        Text {
                            fr: format!("Attribut mal formé sur « {elem_name} » : {detail}"),
                            en: format!("Malformed attribute on '{elem_name}' ({err})"),
                        },
                    );
                    continue;
                }
            };
            let key = attr.key.0;
            // quick-xml takes any run of characters up to `=` as the name.
            if !is_qname(key) {
                self.error_here(
                    Code::XmlMalformed,
                    None,
                    Text {
                        fr: format!("Attribut mal formé sur « {elem_name} » : « {} » n'est pas un nom d'attribut XML (lettres, chiffres, -, _, ., :) ; corrigez-le ou retirez l'attribut", shorten_text(key)),
                        en: format!("Malformed attribute on '{elem_name}': '{key}' is not an XML name"),
                    },
                );
                continue;
            }
            if key == "xmlns" || key.starts_with("xmlns:") {
                // Not validated, but still XML: the same well-formedness rules apply.
                self.attribute_value(&attr, key, elem_name);
                continue;
            }
            let (ns, local) = reader.resolver().resolve_attribute(attr.key);
            let local = local.into_inner();
            let bound = match &ns {
                ResolveResult::Bound(n) => Some(namespace_value(n.0)),
                _ => None,
            };
            let ns: Option<&str> = match ns {
                ResolveResult::Bound(_) => bound.as_deref(),
                ResolveResult::Unbound => None,
                ResolveResult::Unknown(prefix) => {
                    // Usually xsi:nil written without declaring xmlns:xsi: say what to add, and
                    // read the attribute as the xsi one it obviously is rather than cascading.
                    let hint = if prefix == "xsi" {
                        format!(" : ajoutez xmlns:xsi=\"{XSI_NS}\" sur l'élément racine")
                    } else {
                        String::new()
                    };
                    self.error_here(
                        Code::XmlMalformed,
                        None,
                        Text {
                            fr: format!("Le préfixe « {prefix} » de l'attribut « {key} » de « {elem_name} » n'est déclaré par aucun xmlns{hint}"),
                            en: format!("The prefix '{prefix}' of attribute '{key}' on '{elem_name}' is not declared"),
                        },
                    );
                    if prefix == "xsi" {
                        Some(XSI_NS)
                    } else {
                        continue;
                    }
                }
            };
            let Some(value) = self.attribute_value(&attr, key, elem_name) else {
                continue;
            };
            if ns == Some(XSI_NS) {
                match local {
                    "nil" => match WhiteSpace::Collapse.apply(&value).as_ref() {
                        "true" | "1" => {
                            if self.schema.elements[el].nillable {
                                self.frames[self.depth - 1].nilled = true;
                            } else {
                                self.error_here(
                                    Code::NilNotNillable,
                                    Some("nillable=false".into()),
                                    Text {
                                        fr: format!("« {elem_name} » ne peut pas être déclaré sans valeur (xsi:nil) : une valeur est obligatoire ; retirez l'attribut xsi:nil et indiquez la valeur"),
                                        en: format!("'{elem_name}' is not nillable: a value is required"),
                                    },
                                );
                            }
                        }
                        "false" | "0" => {}
                        other => self.error_here(
                            Code::NilInvalid,
                            None,
                            Text {
                                fr: format!("xsi:nil=\"{}\" sur « {elem_name} » : la valeur doit être true ou false", shorten_text(other)),
                                en: format!("xsi:nil=\"{other}\" on '{elem_name}': must be true or false"),
                            },
                        ),
                    },
                    // Hints for locating a schema: never followed, nothing is fetched.
                    "schemaLocation" | "noNamespaceSchemaLocation" => {}
                    "type" => self.error_here(
                        Code::XsiTypeUnsupported,
                        None,
                        Text {
                            fr: format!("xsi:type sur « {elem_name} » n'est pas pris en charge : retirez cet attribut"),
                            en: format!("xsi:type on '{elem_name}' is not supported"),
                        },
                    ),
                    other => self.error_here(
                        Code::AttributeUndeclared,
                        None,
                        Text {
                            fr: format!("L'attribut « xsi:{other} » n'est pas permis sur « {elem_name} » : XML Schema ne définit que xsi:nil, xsi:type, xsi:schemaLocation et xsi:noNamespaceSchemaLocation ; retirez-le"),
                            en: format!("Attribute xsi:{other} is not allowed on '{elem_name}'"),
                        },
                    ),
                }
                continue;
            }
            match decls.iter().position(|d| d.name == local && d.namespace.as_deref() == ns) {
                Some(i) => {
                    present |= 1 << i.min(63);
                    let st = &self.schema.simple_types[decls[i].simple_type];
                    if let Err(v) = st.check(&value) {
                        let (_, rule, text) = value_message(&format!("l'attribut {} de {elem_name}", decls[i].name), &value, st, &v);
                        self.error_here(Code::AttributeInvalid, rule, text);
                    }
                }
                None => self.error_here(
                    Code::AttributeUndeclared,
                    None,
                    Text {
                        fr: format!("L'attribut « {key} » n'est pas permis sur « {elem_name} » : le schéma ne le déclare pas, retirez-le"),
                        en: format!("Attribute '{key}' is not allowed on '{elem_name}'"),
                    },
                ),
            }
        }
        for (i, d) in decls.iter().enumerate() {
            if d.required && present & (1 << i.min(63)) == 0 {
                self.error_here(
                    Code::AttributeMissing,
                    Some("use=required".into()),
                    Text {
                        fr: format!(
                            "L'attribut obligatoire « {} » manque sur « {elem_name} »",
                            d.name
                        ),
                        en: format!(
                            "Required attribute '{}' is missing on '{elem_name}'",
                            d.name
                        ),
                    },
                );
            }
        }
    }

    fn text(&mut self, text: &str, cdata: bool) {
        if self.depth == 0 {
            if !text.trim_matches([' ', '\t', '\r', '\n']).is_empty() || cdata {
                let (line, column) = past_blanks(self.pos, text);
                self.fatal(
                    Code::XmlMalformed,
                    line,
                    column,
                    Text {
                        fr: format!("{} se trouve hors de l'élément racine", describe_text(text)),
                        en: "Text found outside the root element".into(),
                    },
                );
            }
            return;
        }
        let schema = self.schema;
        let f = &mut self.frames[self.depth - 1];
        match f.kind {
            Kind::Simple(_) => f.text.push_str(text),
            Kind::Skip => {}
            Kind::Complex(ct) => {
                if f.nilled {
                    f.text.push_str(text);
                    return;
                }
                let is_blank = text
                    .bytes()
                    .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
                if !is_blank && !schema.complex_types[ct].mixed && !f.text_reported {
                    f.text_reported = true;
                    let name = f.raw_name.clone();
                    self.pos = past_blanks(self.pos, text);
                    self.error_here(
                        Code::TextNotAllowed,
                        None,
                        Text {
                            fr: format!("{} se trouve directement dans « {name} », qui ne doit contenir que des éléments", describe_text(text)),
                            en: format!("Text found directly inside '{name}', which may only contain elements"),
                        },
                    );
                }
            }
        }
    }

    /// Whether `raw` is only blanks where blanks mean nothing: around the root, or between the
    /// children of an element that is neither simple (its value) nor nil (which must be empty).
    fn blank_between_elements(&self, raw: &[u8]) -> bool {
        let ignored = match self.depth {
            0 => true,
            d => {
                let f = &self.frames[d - 1];
                !matches!(f.kind, Kind::Simple(_)) && !f.nilled
            }
        };
        ignored
            && raw
                .iter()
                .all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
    }

    /// Reports the first character XML 1.0 forbids (control characters, U+FFFE, U+FFFF) in a
    /// text, or in the value of `attribute` of the current element. quick-xml does not check them
    /// and every XML parser, the CDC portal's included, rejects the file.
    fn check_chars(&mut self, text: &str, attribute: Option<&str>) {
        let plain = |b: &u8| *b >= 0x20 && *b != 0xEF || matches!(b, b'\t' | b'\n' | b'\r');
        if text.as_bytes().iter().all(plain) {
            return;
        }
        let Some((i, c)) = text.char_indices().find(|&(_, c)| !is_xml_char(c)) else {
            return;
        };
        let owner = match self.depth {
            0 => "le document".to_owned(),
            d => format!("« {} »", self.frames[d - 1].raw_name),
        };
        let (at, fr, en) = match attribute {
            Some(a) => (
                self.pos,
                format!("Caractère interdit en XML (U+{:04X}, invisible) dans l'attribut « {a} » de {owner} : supprimez-le", c as u32),
                format!("Character U+{:04X} is not allowed in XML (attribute '{a}')", c as u32),
            ),
            None => (
                position_in(self.pos, &text[..i]),
                format!("Caractère interdit en XML (U+{:04X}, invisible) dans le texte de {owner} : supprimez-le (il vient souvent d'un copier-coller ou d'une cellule Excel)", c as u32),
                format!("Character U+{:04X} is not allowed in XML", c as u32),
            ),
        };
        let path = self.path(None);
        self.emit(
            Severity::Error,
            Code::XmlMalformed,
            None,
            Text { fr, en },
            at,
            path,
        );
    }

    /// « ]]> » may only end a CDATA section (XML 1.0 §2.4).
    fn cdata_end_in_text(&mut self, text: &str) {
        let i = text.find("]]>").unwrap_or(0);
        let at = position_in(self.pos, &text[..i]);
        let path = self.path(None);
        self.emit(
            Severity::Error,
            Code::XmlMalformed,
            None,
            Text {
                fr: "Le texte contient la suite « ]]> », interdite en XML hors d'une section CDATA : écrivez ]]&gt;".into(),
                en: "The sequence ']]>' is not allowed in text".into(),
            },
            at,
            path,
        );
    }

    fn general_ref(&mut self, r: &quick_xml::events::BytesRef) {
        let resolved: Option<String> = if r.is_char_ref() {
            match r.resolve_char_ref() {
                Ok(Some(c)) if is_xml_char(c) => Some(c.to_string()),
                _ => None,
            }
        } else {
            quick_xml::escape::resolve_predefined_entity(r).map(str::to_owned)
        };
        match resolved {
            Some(s) => self.text(&s, true),
            None => {
                let (line, column) = self.pos;
                let name: &str = r;
                self.fatal(
                    Code::XmlEntity,
                    line,
                    column,
                    Text {
                        fr: format!("Référence « &{name}; » inconnue ou interdite : seules &lt; &gt; &amp; &apos; &quot; et les références numériques de caractères XML (&#233;) sont permises"),
                        en: format!("Unknown or forbidden reference '&{name};'"),
                    },
                );
            }
        }
    }

    /// An attribute's value with references resolved, after the checks XML makes on it (no `<`,
    /// known references, allowed characters); `None` when it cannot be read.
    fn attribute_value(
        &mut self,
        attr: &quick_xml::events::attributes::Attribute,
        key: &str,
        elem_name: &str,
    ) -> Option<String> {
        let value = match attr.normalized_value(quick_xml::XmlVersion::Implicit1_0) {
            Ok(v) => v.into_owned(),
            Err(err) => {
                self.error_here(
                    Code::XmlEntity,
                    None,
                    Text {
                        fr: format!("La valeur de l'attribut « {key} » de « {elem_name} » contient une référence inconnue ou invalide : seules &lt; &gt; &amp; &apos; &quot; et les références numériques de caractères (&#233;) sont permises"),
                        en: format!("Unreadable value for attribute '{key}' of '{elem_name}' ({err})"),
                    },
                );
                return None;
            }
        };
        if attr.value.contains('<') {
            self.error_here(
                Code::XmlMalformed,
                None,
                Text {
                    fr: format!("La valeur de l'attribut « {key} » de « {elem_name} » contient « < », interdit en XML dans un attribut : écrivez &lt;"),
                    en: format!("'<' is not allowed in the value of attribute '{key}' of '{elem_name}'"),
                },
            );
        }
        self.check_chars(&value, Some(key));
        Some(value)
    }

    /// quick-xml does not check a processing instruction's target (XML 1.0 §2.6).
    fn pi(&mut self, p: &quick_xml::events::BytesPI) {
        let target = p.target();
        if is_xml_name(target) && !target.eq_ignore_ascii_case("xml") {
            return;
        }
        let (line, column) = self.pos;
        let shown = shorten_text(target);
        self.fatal(
            Code::XmlMalformed,
            line,
            column,
            Text {
                fr: format!("L'instruction de traitement <?{shown} …?> est mal écrite : son nom doit être un nom XML (lettres, chiffres, -, _, .) autre que « xml » ; supprimez-la"),
                en: format!("The processing instruction <?{shown} …?> has an invalid target"),
            },
        );
    }

    fn comment(&mut self) {
        let path = self.path(None);
        let at = self.pos;
        self.emit(
            Severity::Warning,
            Code::XmlComment,
            None,
            Text {
                fr: "Commentaire XML (<!-- … -->) : permis par le XSD mais refusé par le portail de la CDC (« Commentaire interdit ») ; supprimez-le avant le dépôt".into(),
                en: "XML comment: valid per the XSD but refused by the CDC portal; remove it".into(),
            },
            at,
            path,
        );
    }

    fn decl(&mut self, d: &quick_xml::events::BytesDecl, first: bool) {
        if !first {
            // XML 1.0 §2.8: the declaration, if any, opens the file; Java parsers (the CDC's
            // portal) and libxml2 reject a file with a blank line or anything before it.
            let (line, column) = self.pos;
            self.fatal(
                Code::XmlMalformed,
                line,
                column,
                Text {
                    fr: "La déclaration <?xml … ?> doit être tout au début du fichier, une seule fois : retirez ce qui la précède (ligne vide, espaces, autre déclaration)".into(),
                    en: "The XML declaration must come first in the file, once".into(),
                },
            );
            return;
        }
        if !xml_decl_is_well_formed(d) {
            let (line, column) = self.pos;
            self.fatal(
                Code::XmlMalformed,
                line,
                column,
                Text {
                    fr: "La déclaration XML du début du fichier est mal écrite : remplacez-la par <?xml version=\"1.0\" encoding=\"UTF-8\"?>".into(),
                    en: "The XML declaration is malformed: use <?xml version=\"1.0\" encoding=\"UTF-8\"?>".into(),
                },
            );
            return;
        }
        if let Some(Ok(enc)) = d.encoding() {
            let e = enc.to_ascii_lowercase();
            if e != "utf-8" && e != "utf8" {
                let (line, column) = self.pos;
                self.fatal(
                    Code::XmlEncoding,
                    line,
                    column,
                    Text {
                        fr: format!("Le fichier déclare l'encodage « {enc} » : la CDC attend de l'UTF-8 ; réenregistrez-le en UTF-8 et corrigez la déclaration (<?xml version=\"1.0\" encoding=\"UTF-8\"?>)"),
                        en: format!("The file declares encoding '{enc}': UTF-8 is required"),
                    },
                );
            }
        }
    }

    fn end(&mut self) {
        if self.depth == 0 {
            return;
        }
        let schema = self.schema;
        let idx = self.depth - 1;
        let (element, kind, state, nilled) = {
            let f = &self.frames[idx];
            (f.element, f.kind, f.state, f.nilled)
        };
        self.pos = (self.frames[idx].line, self.frames[idx].column);
        if nilled {
            if !self.frames[idx].text.is_empty() {
                let name = self.frames[idx].raw_name.clone();
                let value = shorten_text(&self.frames[idx].text);
                self.error_here(
                    Code::NilNotEmpty,
                    Some("nillable".into()),
                    Text {
                        fr: format!("« {name} » est marqué xsi:nil=\"true\" mais contient « {value} » : retirez la valeur ou l'attribut xsi:nil"),
                        en: format!("'{name}' is nil but has content '{value}'"),
                    },
                );
            }
        } else {
            match kind {
                Kind::Simple(st) => {
                    let simple = &schema.simple_types[st];
                    if let Err(v) = self.passed.check(schema, st, &self.frames[idx].text) {
                        let name = self.frames[idx].raw_name.clone();
                        let (code, rule, text) =
                            value_message(&name, &self.frames[idx].text, simple, &v);
                        self.error_here(code, rule, text);
                    }
                }
                Kind::Complex(ct) => self.check_complete(ct, state),
                Kind::Skip => {}
            }
        }
        // The record's key is read from its direct child once that child is complete.
        if let (Some(rd), Some(key)) = (self.record_depth, self.options.record_key.as_deref()) {
            if self.depth == rd + 1 && element.is_some_and(|e| schema.elements[e].name == key) {
                let id = self.frames[idx].text.trim();
                // An empty id identifies nothing (and is itself reported as too short).
                self.record_id = (!id.is_empty()).then(|| id.to_owned());
            }
            if self.depth == rd {
                self.record_depth = None;
                let id = self.record_id.take();
                let pending = std::mem::take(&mut self.pending);
                for mut d in pending {
                    d.id_technique = id.clone();
                    self.keep(d);
                }
            }
        }
        self.depth -= 1;
    }

    fn check_complete(&mut self, ct: ComplexTypeId, state: State) {
        let schema = self.schema;
        let name = self.frames[self.depth - 1].raw_name.clone();
        match (&schema.complex_types[ct].content, state) {
            (
                ContentModel::All {
                    members,
                    required,
                    optional,
                },
                State::All { seen },
            ) => {
                if seen == 0 && *optional {
                    return;
                }
                for (i, &m) in members.iter().enumerate() {
                    if required[i] && seen & (1u128 << i) == 0 {
                        let child = self.element_name(m);
                        self.error_here(
                            Code::ElementMissing,
                            Some(format!("{child} minOccurs=1")),
                            Text {
                                fr: format!(
                                    "L'élément obligatoire « {child} » manque dans « {name} »"
                                ),
                                en: format!("Required element '{child}' is missing in '{name}'"),
                            },
                        );
                    }
                }
            }
            (ContentModel::Automaton(a), State::Auto { at }) => {
                let done = if at == START {
                    a.nullable
                } else {
                    a.last[at as usize]
                };
                if !done {
                    let candidates: &[u32] = if at == START {
                        &a.first
                    } else {
                        &a.follow[at as usize]
                    };
                    let mut names: Vec<String> = Vec::new();
                    for &c in candidates {
                        let n = self.element_name(a.positions[c as usize]).to_owned();
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                    let (fr, en) = if at == START && names.len() > 1 {
                        (
                            format!(
                                "« {name} » doit contenir {} : aucun n'est présent",
                                list_fr(&names)
                            ),
                            format!("'{name}' must contain {}: none is present", list_en(&names)),
                        )
                    } else if names.len() == 1 {
                        (
                            format!(
                                "L'élément obligatoire « {} » manque dans « {name} »",
                                names[0]
                            ),
                            format!("Required element '{}' is missing in '{name}'", names[0]),
                        )
                    } else {
                        (
                            format!(
                                "Il manque un élément à la fin de « {name} » : attendu {}",
                                list_fr(&names)
                            ),
                            format!(
                                "An element is missing at the end of '{name}': expected {}",
                                list_en(&names)
                            ),
                        )
                    };
                    self.error_here(Code::ElementMissing, None, Text { fr, en });
                }
            }
            _ => {}
        }
    }
}

/// The nearest position matching an element that the automaton can reach from `candidates` by
/// going through at least one other (required) position: the element came too early.
fn reachable_later(
    a: &Automaton,
    candidates: &[u32],
    matches: &dyn Fn(ElementId) -> bool,
) -> Option<u32> {
    let mut seen = vec![false; a.positions.len()];
    let mut queue: std::collections::VecDeque<u32> = candidates.iter().copied().collect();
    for &c in candidates {
        seen[c as usize] = true;
    }
    while let Some(p) = queue.pop_front() {
        for &n in &a.follow[p as usize] {
            if seen[n as usize] {
                continue;
            }
            if matches(a.positions[n as usize]) {
                return Some(n);
            }
            seen[n as usize] = true;
            queue.push_back(n);
        }
    }
    None
}

/// How many times an element may occur, when its name appears in one place of the model and
/// every enclosing particle is bounded.
fn max_occurs_of(schema: &Schema, p: &Particle, name_id: Option<u32>) -> Option<u32> {
    fn walk(
        schema: &Schema,
        p: &Particle,
        name_id: Option<u32>,
        outer: Option<u32>,
        found: &mut Vec<Option<u32>>,
    ) {
        let here = match (outer, p.max) {
            (Some(o), Some(m)) => o.checked_mul(m),
            _ => None,
        };
        match &p.term {
            Term::Element(e) => {
                if Some(schema.elements[*e].name_id) == name_id {
                    found.push(here);
                }
            }
            Term::Sequence(items) | Term::Choice(items) | Term::All(items) => {
                for i in items {
                    walk(schema, i, name_id, here, found);
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(schema, p, name_id, Some(1), &mut found);
    match found.as_slice() {
        [one] => *one,
        _ => None,
    }
}

/// « Du texte (« … ») », or what it is when nothing of it would show (non-breaking spaces…).
fn describe_text(text: &str) -> String {
    let shown = text.trim_matches([' ', '\t', '\r', '\n']);
    if shown.trim().is_empty() {
        let codes: Vec<String> = shown
            .chars()
            .take(3)
            .map(|c| format!("U+{:04X}", c as u32))
            .collect();
        format!(
            "Un caractère invisible ({}, par ex. une espace insécable)",
            codes.join(" ")
        )
    } else {
        format!("Du texte (« {} »)", shorten_text(shown))
    }
}

/// The position reached after `text`, which starts at `at`.
fn position_in(at: (u32, u32), text: &str) -> (u32, u32) {
    match text.rfind('\n') {
        Some(i) => (
            at.0 + text.matches('\n').count() as u32,
            1 + text[i + 1..].chars().count() as u32,
        ),
        None => (at.0, at.1 + text.chars().count() as u32),
    }
}

/// The position of the first non-blank character of a text that starts at `at`.
fn past_blanks(at: (u32, u32), text: &str) -> (u32, u32) {
    let (mut line, mut column) = at;
    for c in text.chars() {
        match c {
            '\n' => {
                line += 1;
                column = 1;
            }
            ' ' | '\t' | '\r' => column += 1,
            _ => break,
        }
    }
    (line, column)
}

/// The namespace a declaration binds: quick-xml keeps the attribute's raw text, but the name is
/// its normalized value (XML 1.0 §3.3.3: white space to spaces, then references resolved), so
/// `xmlns:cpf="urn&#58;cdc…"` is the CDC namespace, as libxml2 reads it.
fn namespace_value(raw: &str) -> std::borrow::Cow<'_, str> {
    if !raw
        .bytes()
        .any(|b| matches!(b, b'&' | b'\t' | b'\n' | b'\r'))
    {
        return std::borrow::Cow::Borrowed(raw);
    }
    let spaced = raw.replace(['\t', '\n', '\r'], " ");
    match quick_xml::escape::unescape(&spaced) {
        Ok(v) => std::borrow::Cow::Owned(v.into_owned()),
        // An unreadable reference is reported on the declaration itself.
        Err(_) => std::borrow::Cow::Owned(spaced),
    }
}

impl NsMemo {
    fn new(raw: &str, namespaces: &[&str]) -> NsMemo {
        let mut memo = NsMemo {
            raw: String::new(),
            plain: true,
            ns: Ns::Other,
        };
        memo.set(raw, namespaces);
        memo
    }

    fn set(&mut self, raw: &str, namespaces: &[&str]) {
        let value = namespace_value(raw);
        self.plain = matches!(value, std::borrow::Cow::Borrowed(_));
        self.ns = match namespaces.iter().position(|&n| n == value) {
            Some(i) => Ns::Schema(i as u32),
            None => Ns::Other,
        };
        raw.clone_into(&mut self.raw);
    }
}

/// Namespaces in XML 1.0 §4 `QName`: one optional prefix, both parts names without colon.
fn is_qname(s: &str) -> bool {
    // Every start tag comes here: ASCII names are checked in one pass. An ASCII character is
    // valid at the same places in both paths, so an invalid one decides without the rest.
    let mut at_start = true;
    let mut colon = false;
    for &b in s.as_bytes() {
        if !b.is_ascii() {
            return is_qname_unicode(s);
        }
        if at_start {
            if !(b.is_ascii_alphabetic() || b == b'_') {
                return false;
            }
            at_start = false;
        } else if b == b':' {
            if colon {
                return false;
            }
            (colon, at_start) = (true, true);
        } else if !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
            return false;
        }
    }
    !at_start
}

fn is_qname_unicode(s: &str) -> bool {
    let ncname = |p: &str| !p.contains(':') && is_xml_name(p);
    match s.split_once(':') {
        Some((prefix, local)) => ncname(prefix) && ncname(local),
        None => ncname(s),
    }
}

/// Attributes must be separated by white space (XML 1.0 §3.1: `(S Attribute)*`); quick-xml
/// reads `a="1"b="2"`. `raw` is the text after the element name.
fn attributes_separated(raw: &str) -> bool {
    let mut quote = None;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                if chars.peek().is_some_and(|&n| !is_xml_space(n) && n != '/') {
                    return false;
                }
            }
            Some(_) => {}
            None if c == '"' || c == '\'' => quote = Some(c),
            None => {}
        }
    }
    true
}

/// XML 1.0 (fifth edition) §2.3 `Name`.
fn is_xml_name(s: &str) -> bool {
    // Every start tag comes here: the ASCII names of real documents skip the char ranges.
    if let Some((&first, rest)) = s.as_bytes().split_first().filter(|_| s.is_ascii()) {
        return (first.is_ascii_alphabetic() || matches!(first, b'_' | b':'))
            && rest
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-' | b'.'));
    }
    let start = |c: char| {
        matches!(c, ':' | 'A'..='Z' | '_' | 'a'..='z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}'
            | '\u{F8}'..='\u{2FF}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
            | '\u{200C}'..='\u{200D}' | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}'
            | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}'
            | '\u{10000}'..='\u{EFFFF}')
    };
    let mut chars = s.chars();
    chars.next().is_some_and(start)
        && chars.all(|c| {
            start(c)
                || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
        })
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// French (and English) words for what quick-xml found wrong in the syntax.
fn malformed_message(e: &quick_xml::Error) -> (String, String) {
    (
        format!(
            "Le fichier n'est pas un XML bien formé : {}",
            malformed_detail(e)
        ),
        format!("The file is not well-formed XML: {e}"),
    )
}

/// What quick-xml found wrong, in French words (the end of a sentence).
pub(crate) fn malformed_detail(e: &quick_xml::Error) -> String {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    use quick_xml::name::NamespaceError;
    use quick_xml::Error;
    match e {
        Error::Syntax(s) => match s {
            SyntaxError::UnclosedTag => "une balise n'est pas fermée par « > »".to_owned(),
            SyntaxError::UnclosedComment => "un commentaire n'est pas fermé par « --> »".to_owned(),
            SyntaxError::UnclosedCData => {
                "une section CDATA n'est pas fermée par « ]]> »".to_owned()
            }
            SyntaxError::UnclosedPI | SyntaxError::UnclosedXmlDecl => {
                "une instruction <? … ?> n'est pas fermée".to_owned()
            }
            SyntaxError::UnclosedDoctype => "une déclaration <!DOCTYPE n'est pas fermée".to_owned(),
            SyntaxError::InvalidBangMarkup => {
                "une balise commençant par « <! » est invalide".to_owned()
            }
            _ => "une valeur d'attribut n'est pas fermée par son guillemet".to_owned(),
        },
        Error::IllFormed(i) => match i {
            IllFormedError::MismatchedEndTag { expected, found } => {
                format!("la balise fermante </{found}> ne correspond pas à l'élément ouvert <{expected}>")
            }
            IllFormedError::UnmatchedEndTag(n) => {
                format!("la balise fermante </{n}> n'a pas de balise ouvrante")
            }
            IllFormedError::MissingEndTag(n) => format!("l'élément <{n}> n'est pas fermé"),
            IllFormedError::DoubleHyphenInComment => "un commentaire contient « -- »".to_owned(),
            IllFormedError::UnclosedReference => {
                "un « & » n'est pas suivi d'un nom terminé par « ; » (pour écrire le caractère &, mettez &amp;)".to_owned()
            }
            IllFormedError::MissingDeclVersion(_) | IllFormedError::UnknownVersion => {
                "la déclaration doit commencer par <?xml version=\"1.0\"".to_owned()
            }
            IllFormedError::MissingDoctypeName => {
                "une déclaration <!DOCTYPE n'a pas de nom".to_owned()
            }
        },
        Error::InvalidAttr(_) => "un attribut est mal formé (nom=\"valeur\" attendu)".to_owned(),
        Error::Escape(_) => {
            "une référence « &…; » est invalide (pour écrire le caractère &, mettez &amp;)".to_owned()
        }
        // Deep nesting and namespace floods are refused by quick-xml before they cost memory.
        Error::Namespace(n) => match n {
            NamespaceError::TooDeeplyNested(limit) => format!(
                "les éléments sont imbriqués sur plus de {limit} niveaux : un flux de la CDC en compte moins de 10"
            ),
            NamespaceError::TooManyBindings(limit) => format!(
                "plus de {limit} déclarations d'espace de noms (xmlns) sont actives en même temps"
            ),
            NamespaceError::UnknownPrefix(p) => {
                format!("le préfixe « {p} » n'est déclaré par aucun xmlns")
            }
            NamespaceError::InvalidXmlPrefixBind(_) | NamespaceError::InvalidPrefixForXml(_) => {
                "le préfixe xml ne peut être lié qu'à http://www.w3.org/XML/1998/namespace, et cet espace de noms à aucun autre préfixe (Namespaces in XML 1.0 §3) ; retirez cette déclaration xmlns".to_owned()
            }
            NamespaceError::InvalidXmlnsPrefixBind(_) | NamespaceError::InvalidPrefixForXmlns(_) => {
                "le préfixe xmlns et l'espace de noms http://www.w3.org/2000/xmlns/ ne peuvent pas être déclarés (Namespaces in XML 1.0 §3) ; retirez cette déclaration xmlns".to_owned()
            }
        },
        Error::Io(_) | Error::Encoding(_) => "le fichier n'a pas pu être lu jusqu'au bout".to_owned(),
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Reads ` name = 'value'` (leading white space required) at the start of `s`: the value and
/// what follows.
fn decl_attribute<'a>(s: &'a str, name: &str) -> Option<(&'a str, &'a str)> {
    let after_space = s.trim_start_matches(is_xml_space);
    if after_space.len() == s.len() {
        return None;
    }
    let after_eq = after_space
        .strip_prefix(name)?
        .trim_start_matches(is_xml_space)
        .strip_prefix('=')?
        .trim_start_matches(is_xml_space);
    let quote = after_eq.chars().next().filter(|&q| q == '"' || q == '\'')?;
    let body = &after_eq[1..];
    let end = body.find(quote)?;
    Some((&body[..end], &body[end + 1..]))
}

/// XML 1.0 §2.8 `XMLDecl`, which quick-xml reads leniently: `<?xml` version, then optional
/// encoding and standalone, in that order, separated by white space, quoted either way.
/// `d` holds what lies between `<?` and `?>`.
fn xml_decl_is_well_formed(d: &str) -> bool {
    let Some(rest) = d.strip_prefix("xml") else {
        return false;
    };
    let Some((version, mut rest)) = decl_attribute(rest, "version") else {
        return false;
    };
    let version_ok = version
        .strip_prefix("1.")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !version_ok {
        return false;
    }
    if let Some((enc, after)) = decl_attribute(rest, "encoding") {
        let mut chars = enc.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
        if !(first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))) {
            return false;
        }
        rest = after;
    }
    if let Some((sd, after)) = decl_attribute(rest, "standalone") {
        if sd != "yes" && sd != "no" {
            return false;
        }
        rest = after;
    }
    rest.chars().all(is_xml_space)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A document in parts gets the verdict of the whole document wherever it is cut: cuts after
    /// a tag (and its blanks) read on, any other cut makes it invalid, never valid by mistake.
    #[test]
    fn a_document_in_parts_is_never_found_valid_by_mistake() {
        let schema = Schema::parse(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
                 <xs:element name="r"><xs:complexType><xs:sequence>
                   <xs:element name="a" maxOccurs="unbounded"><xs:simpleType>
                     <xs:restriction base="xs:string"><xs:minLength value="5"/></xs:restriction>
                   </xs:simpleType></xs:element>
                 </xs:sequence></xs:complexType></xs:element>
               </xs:schema>"#,
        )
        .unwrap();
        let options = ValidationOptions::default();
        let documents = [
            "<r>\n  <a>abcde</a>\n  <a>fghij</a>\n</r>\n",
            // Invalid whole: `]]>` in text, a value of 4 characters once `\r\n` is one `\n`.
            "<r>\n  <a>xx]]>yy</a>\n</r>\n",
            "<r>\n  <a>abc\r\n</a>\n</r>\n",
            "<r>\n  <a>a&amp;b&#x63;de</a>\n</r>\n",
        ];
        for doc in documents {
            let whole = schema.validate_str(doc, &options).is_valid();
            for cut in 1..doc.len() {
                let (a, b) = doc.as_bytes().split_at(cut);
                let parts = schema.validate_parts(&[a, b], &options).is_valid();
                let after_tag = doc[..cut].trim_end_matches([' ', '\n']).ends_with('>');
                if after_tag {
                    assert_eq!(parts, whole, "{doc:?} coupé en {cut}");
                } else {
                    assert!(
                        !parts || whole,
                        "{doc:?} coupé en {cut} : valide par erreur"
                    );
                }
            }
        }
    }

    #[test]
    fn positions_count_lines_and_characters() {
        let reference = |text: &[u8]| {
            let (mut line, mut column) = (1u32, 1u32);
            for &b in text {
                if b == b'\n' {
                    (line, column) = (line + 1, 1);
                } else if b & 0xC0 != 0x80 {
                    column += 1;
                }
            }
            (line, column)
        };
        let pieces: [&[u8]; 6] = [b"\n", b"\t", b"<cpf:a>", "é".as_bytes(), b"\r\n", b"x"];
        let mut seed = 7u32;
        for _ in 0..2000 {
            let mut text = Vec::new();
            let mut at = TextPosition {
                line: 1,
                column: 1,
                offset: 1,
            };
            let mut start = 0;
            for _ in 0..40 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
                text.extend_from_slice(pieces[(seed >> 16) as usize % pieces.len()]);
                if seed.is_multiple_of(3) {
                    at.track(&text[start..]);
                    start = text.len();
                    assert_eq!((at.line, at.column), reference(&text));
                }
            }
        }
    }

    #[test]
    fn qname_fast_path_agrees_with_the_full_rules() {
        let alphabet = [
            'a', 'Z', '_', ':', '-', '.', '1', ' ', '<', 'é', '\u{B7}', '\u{300}',
        ];
        let mut words = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = words
                .iter()
                .flat_map(|w| alphabet.iter().map(move |&c| format!("{w}{c}")))
                .collect();
            words.extend(longer);
            words.dedup();
        }
        for w in &words {
            assert_eq!(is_qname(w), is_qname_unicode(w), "{w:?}");
        }
    }
}
