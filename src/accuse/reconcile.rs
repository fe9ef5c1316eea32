//! Reconciliation: what the accusé says about each row or passage that was sent.
//!
//! The link is the idTechnique: each row of the workbook (located by the converter's own column
//! mapping) or each passage of the XML gets a status — accepted, refused with the CDC's message
//! explained, absent from the accusé, or (a row missing from the deposited XML) never sent — and
//! the accusé's idTechniques found nowhere in what was sent are listed. For a whole-file rejection, the CDC's line and column are mapped back to the
//! passage of the XML (and to its workbook row), and the XSD engine's own diagnosis of that spot
//! is attached.
//!
//! ```
//! use accrochage::accuse::{parse_accuse, reconcile, Sent, Status};
//! use accrochage::xsd::Schema;
//! let accuse = parse_accuse(b"<rapport><idFlux>F</idFlux><PassagesKO><passage>\
//!     <idTechnique>T-2</idTechnique><messageErreur>Plusieurs titulaires ont \xC3\xA9t\xC3\xA9 identifi\xC3\xA9s</messageErreur>\
//!     </passage></PassagesKO></rapport>").unwrap();
//! let result = reconcile(&accuse, &Sent::default(), &Schema::cdc()).unwrap();
//! assert_eq!(result.entries[0].status, Status::Ko);
//! assert_eq!(result.summary.ko, 1);
//! ```

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;

use super::explain::{explain, explain_rejection, Explanation, Reason};
use super::parse::{Accuse, ErreurFichier};
use crate::convert;
use crate::convert::columns::cell_text;
use crate::workbook::{self, cell_reference, Workbook};
use crate::xsd::{Diagnostic, Schema, ValidationOptions};

/// What was deposited, as far as the caller has it: the workbook, the XML, both or neither.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sent<'a> {
    /// The workbook's bytes and file name (the name tells the reader the format).
    pub workbook: Option<(&'a [u8], &'a str)>,
    /// The XML file that was deposited.
    pub xml: Option<&'a [u8]>,
}

/// The fate of one row or passage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Accepted: never send it again.
    Ok,
    /// Refused: see the explanation.
    Ko,
    /// Not mentioned by the accusé.
    Absent,
    /// In the workbook but not in the XML that was deposited (left out at conversion).
    NonEnvoye,
    /// The whole file was rejected: nothing was processed.
    FichierRejete,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "accepté",
            Status::Ko => "refusé",
            Status::Absent => "absent de l'accusé",
            Status::NonEnvoye => "non envoyé",
            Status::FichierRejete => "fichier rejeté",
        }
    }
}

/// One row of the workbook, or one passage of the XML (or of the accusé when nothing else was
/// given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry {
    pub id_technique: String,
    pub status: Status,
    pub sheet: Option<String>,
    /// The idTechnique cell (`Passages!A5`), or the row (`Passages!5`) when it has none.
    pub cell: Option<String>,
    pub row: Option<u32>,
    /// Line of the passage in the XML.
    pub line: Option<u32>,
    /// The CDC's message, as written in the accusé.
    pub cdc_message: Option<String>,
    pub explanation: Option<Explanation>,
    /// One French sentence: where, what, and what to do.
    pub message: String,
}

impl Entry {
    /// To be corrected and sent again in a new file.
    pub fn to_resend(&self) -> bool {
        matches!(self.status, Status::Ko | Status::FichierRejete)
            && self.explanation.as_ref().is_none_or(|e| e.resend)
    }
}

/// An idTechnique of the accusé found in neither the workbook nor the XML.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Unknown {
    pub id_technique: String,
    pub status: Status,
    pub cdc_message: Option<String>,
    pub message: String,
}

/// One error of a whole-file rejection, located in what was sent.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectionSpot {
    pub erreur: ErreurFichier,
    /// The passage holding the CDC's line, when the XML was given.
    pub id_technique: Option<String>,
    pub passage_line: Option<u32>,
    pub sheet: Option<String>,
    pub cell: Option<String>,
    pub row: Option<u32>,
    /// What accrochage's own validator says at that spot.
    pub diagnostics: Vec<Diagnostic>,
    pub explanation: Explanation,
    pub message: String,
}

/// A remark about the inputs themselves (the XML is not the one of the accusé, a row has no
/// idTechnique…).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasonCount {
    pub reason: Reason,
    pub label: &'static str,
    pub count: usize,
}

/// The counts shown first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub ok: usize,
    pub ko: usize,
    pub absent: usize,
    /// Rows of the workbook missing from the deposited XML.
    pub not_sent: usize,
    pub unknown: usize,
    pub rejected: bool,
    /// Rows or passages to correct and send again.
    pub to_resend: usize,
    pub by_reason: Vec<ReasonCount>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    pub accuse: Accuse,
    pub entries: Vec<Entry>,
    pub unknown: Vec<Unknown>,
    pub rejection: Vec<RejectionSpot>,
    pub notes: Vec<Note>,
    pub summary: Summary,
}

impl Reconciliation {
    /// Every passage accepted, none missing, nothing unexplained.
    pub fn all_ok(&self) -> bool {
        let s = &self.summary;
        !s.rejected && s.ko == 0 && s.absent == 0 && s.not_sent == 0 && s.unknown == 0
    }
}

/// What was sent cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconcileError(pub String);

impl fmt::Display for ReconcileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReconcileError {}

/// A row of the workbook with its idTechnique.
struct SentRow {
    id: String,
    sheet: String,
    cell: String,
    row: u32,
}

/// A passage of the XML: its idTechnique and where it starts and ends (line, column).
#[derive(Debug, Clone)]
pub(crate) struct SentPassage {
    pub id: String,
    pub start: (u32, u32),
    pub end: (u32, u32),
}

/// Compares the accusé with what was sent.
pub fn reconcile(
    accuse: &Accuse,
    sent: &Sent,
    schema: &Schema,
) -> Result<Reconciliation, ReconcileError> {
    let book = match sent.workbook {
        Some((bytes, name)) => Some(workbook::read_workbook(bytes, name).map_err(|e| {
            ReconcileError(format!("Le classeur « {name} » ne peut pas être lu : {e}"))
        })?),
        None => None,
    };
    reconcile_book(accuse, book.as_ref(), sent.xml, schema)
}

/// Same as [`reconcile`], from a workbook already read.
pub fn reconcile_book(
    accuse: &Accuse,
    book: Option<&Workbook>,
    xml_bytes: Option<&[u8]>,
    schema: &Schema,
) -> Result<Reconciliation, ReconcileError> {
    let mut notes = Vec::new();
    let rows = match book {
        Some(book) => Some(read_rows(book, schema, &mut notes)?),
        None => None,
    };
    let xml = match xml_bytes {
        Some(bytes) => Some(read_xml(bytes)?),
        None => None,
    };
    if let (Some(x), Some(expected)) = (&xml, &accuse.id_flux) {
        if x.id_flux.as_deref().is_some_and(|id| id != expected) {
            notes.push(Note {
                code: "idflux-different",
                message: format!(
                    "Le fichier XML donné a l'idFlux « {} » alors que l'accusé porte sur l'idFlux « {expected} » : ce n'est sans doute pas le fichier envoyé ; donnez le XML qui correspond à cet accusé",
                    x.id_flux.as_deref().unwrap_or_default()
                ),
            });
        }
    }

    let ko: HashMap<&str, &str> = accuse
        .ko
        .iter()
        .map(|k| (k.id_technique.as_str(), k.message.as_str()))
        .collect();
    let ok: HashSet<&str> = accuse.ok.iter().map(String::as_str).collect();
    for id in ok.iter().filter(|id| ko.contains_key(*id)) {
        notes.push(Note {
            code: "ok-et-ko",
            message: format!("L'accusé cite l'idTechnique « {id} » à la fois parmi les passages acceptés et refusés : il est compté comme refusé ; vérifiez son état sur le portail de la CDC"),
        });
    }
    let rejected = accuse.is_rejected();
    let status_of = |id: &str| -> (Status, Option<String>, Option<Explanation>) {
        if rejected {
            let first = &accuse.erreurs[0];
            return (
                Status::FichierRejete,
                Some(first.message.clone()),
                Some(explain_rejection(&first.message, first.line, first.column)),
            );
        }
        if let Some(m) = ko.get(id) {
            return (Status::Ko, Some((*m).to_owned()), Some(explain(m)));
        }
        if ok.contains(id) {
            return (Status::Ok, None, None);
        }
        (Status::Absent, None, None)
    };

    let mut entries = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Rows are matched to passages through a map: a linear search would be quadratic on the
    // 100 000-passage files the CDC accepts.
    let line_of: HashMap<&str, u32> = xml
        .iter()
        .flat_map(|x| x.passages.iter().rev())
        .map(|p| (p.id.as_str(), p.start.0))
        .collect();
    if let Some(rows) = &rows {
        for r in rows {
            seen.insert(r.id.clone());
            let line = line_of.get(r.id.as_str()).copied();
            let (status, cdc_message, explanation) = if r.id.is_empty() {
                (Status::Absent, None, None)
            } else if xml.is_some() && line.is_none() {
                // The XML says what was deposited: a row missing from it was never sent.
                (Status::NonEnvoye, None, None)
            } else {
                status_of(&r.id)
            };
            let message = entry_message(
                &if r.id.is_empty() {
                    r.cell.clone()
                } else {
                    format!("{} (idTechnique « {} »)", r.cell, r.id)
                },
                status,
                explanation.as_ref(),
                r.id.is_empty(),
            );
            entries.push(Entry {
                id_technique: r.id.clone(),
                status,
                sheet: Some(r.sheet.clone()),
                cell: Some(r.cell.clone()),
                row: Some(r.row),
                line,
                cdc_message,
                explanation,
                message,
            });
        }
    } else if let Some(x) = &xml {
        for p in &x.passages {
            seen.insert(p.id.clone());
            let (status, cdc_message, explanation) = status_of(&p.id);
            let message = entry_message(
                &format!("Ligne {} du XML (idTechnique « {} »)", p.start.0, p.id),
                status,
                explanation.as_ref(),
                p.id.is_empty(),
            );
            entries.push(Entry {
                id_technique: p.id.clone(),
                status,
                sheet: None,
                cell: None,
                row: None,
                line: Some(p.start.0),
                cdc_message,
                explanation,
                message,
            });
        }
    } else {
        // Nothing sent was given: the accusé's own lists, explained.
        for k in &accuse.ko {
            let explanation = explain(&k.message);
            entries.push(Entry {
                id_technique: k.id_technique.clone(),
                status: Status::Ko,
                sheet: None,
                cell: None,
                row: None,
                line: None,
                cdc_message: Some(k.message.clone()),
                message: entry_message(
                    &format!("idTechnique « {} »", k.id_technique),
                    Status::Ko,
                    Some(&explanation),
                    false,
                ),
                explanation: Some(explanation),
            });
        }
        for id in accuse.ok.iter().filter(|id| !ko.contains_key(id.as_str())) {
            entries.push(Entry {
                id_technique: id.clone(),
                status: Status::Ok,
                sheet: None,
                cell: None,
                row: None,
                line: None,
                cdc_message: None,
                explanation: None,
                message: entry_message(&format!("idTechnique « {id} »"), Status::Ok, None, false),
            });
        }
        seen.extend(accuse.ok.iter().cloned());
        seen.extend(accuse.ko.iter().map(|k| k.id_technique.clone()));
    }
    if rows.is_some() {
        if let Some(x) = &xml {
            for p in x.passages.iter().filter(|p| !seen.contains(&p.id)) {
                notes.push(Note {
                    code: "passage-hors-classeur",
                    message: format!("Le passage d'idTechnique « {} » (ligne {} du XML) n'est dans aucune ligne du classeur : le classeur a-t-il été modifié depuis la conversion ?", p.id, p.start.0),
                });
            }
        }
    }

    let mut unknown = Vec::new();
    let sent_anything = rows.is_some() || xml.is_some();
    if sent_anything {
        for k in &accuse.ko {
            if !seen.contains(&k.id_technique) {
                unknown.push(Unknown {
                    id_technique: k.id_technique.clone(),
                    status: Status::Ko,
                    cdc_message: Some(k.message.clone()),
                    message: format!("L'accusé refuse l'idTechnique « {} » (« {} »), qui ne figure pas dans ce qui a été donné : vérifiez que le classeur ou le XML est bien celui de ce dépôt", k.id_technique, k.message),
                });
            }
        }
        for id in &accuse.ok {
            if !seen.contains(id) && !ko.contains_key(id.as_str()) {
                unknown.push(Unknown {
                    id_technique: id.clone(),
                    status: Status::Ok,
                    cdc_message: None,
                    message: format!("L'accusé accepte l'idTechnique « {id} », qui ne figure pas dans ce qui a été donné : vérifiez que le classeur ou le XML est bien celui de ce dépôt"),
                });
            }
        }
    }

    let rejection = if rejected {
        locate_rejection(
            accuse,
            rows.as_deref(),
            xml.as_ref(),
            xml_bytes,
            schema,
            &mut notes,
        )
    } else {
        Vec::new()
    };

    let mut summary = Summary {
        rejected,
        unknown: unknown.len(),
        ..Summary::default()
    };
    let mut by_reason: BTreeMap<Reason, usize> = BTreeMap::new();
    for e in &entries {
        match e.status {
            Status::Ok => summary.ok += 1,
            Status::Ko | Status::FichierRejete => summary.ko += 1,
            Status::Absent => summary.absent += 1,
            Status::NonEnvoye => summary.not_sent += 1,
        }
        if let Some(x) = &e.explanation {
            *by_reason.entry(x.reason).or_default() += 1;
        }
        if e.to_resend() {
            summary.to_resend += 1;
        }
    }
    summary.by_reason = by_reason
        .into_iter()
        .map(|(reason, count)| ReasonCount {
            reason,
            label: reason.label(),
            count,
        })
        .collect();
    Ok(Reconciliation {
        accuse: accuse.clone(),
        entries,
        unknown,
        rejection,
        notes,
        summary,
    })
}

fn entry_message(
    place: &str,
    status: Status,
    explanation: Option<&Explanation>,
    no_id: bool,
) -> String {
    if no_id {
        return format!("{place} : cette ligne n'a pas d'idTechnique, l'accusé ne peut donc pas en parler ; renseignez un idTechnique unique et jamais utilisé avant de l'envoyer");
    }
    match (status, explanation) {
        (Status::Ok, _) => format!("{place} : accepté par la Caisse des Dépôts ; ne le renvoyez jamais"),
        (Status::NonEnvoye, _) => format!("{place} : absent du fichier XML envoyé, cette ligne n'a pas été déposée (sans doute écartée à la conversion pour une erreur : voir le rapport de conversion) ; corrigez-la et envoyez-la dans un nouveau fichier"),
        (Status::Absent, _) => format!("{place} : absent de l'accusé, la Caisse des Dépôts ne l'a pas traité (ligne écartée à la conversion, ou envoyée dans un autre fichier ?) ; vérifiez avant de l'envoyer, avec un idTechnique jamais accepté"),
        (_, Some(x)) => format!("{place} : {} — {} → {}", status.label(), x.explanation, x.fix),
        (_, None) => format!("{place} : {}", status.label()),
    }
}

fn read_rows(
    book: &Workbook,
    schema: &Schema,
    notes: &mut Vec<Note>,
) -> Result<Vec<SentRow>, ReconcileError> {
    let mut ignored = Vec::new();
    let (sheet, map) = convert::passage_columns(book, schema, &mut ignored)
        .map_err(|e| ReconcileError(format!("Classeur : {e}")))?;
    let Some(id_column) = map.find("idTechnique") else {
        return Err(ReconcileError(format!(
            "La feuille « {} » du classeur n'a pas de colonne idTechnique : sans elle, les lignes ne peuvent pas être rapprochées de l'accusé ; donnez le classeur qui a servi à produire le fichier envoyé",
            sheet.name
        )));
    };
    let mut rows = Vec::new();
    let mut first_row: HashMap<String, String> = HashMap::new();
    for row in &sheet.rows {
        if row.number <= map.header_row || Some(row.number) == map.label_row {
            continue;
        }
        if !row.cells.iter().any(|c| cell_text(&c.value).is_some()) {
            continue;
        }
        let id = row
            .cells
            .iter()
            .find(|c| c.column == id_column.index)
            .and_then(|c| cell_text(&c.value))
            .unwrap_or_default();
        let cell = cell_reference(&sheet.name, id_column.index, row.number);
        if !id.is_empty() {
            if let Some(first) = first_row.get(&id) {
                notes.push(Note {
                    code: "idtechnique-en-double",
                    message: format!("{cell} : l'idTechnique « {id} » est aussi celui de {first} ; l'accusé ne peut pas distinguer ces lignes : chaque passage doit avoir son propre idTechnique"),
                });
            } else {
                first_row.insert(id.clone(), cell.clone());
            }
        }
        rows.push(SentRow {
            id,
            sheet: sheet.name.clone(),
            cell,
            row: row.number,
        });
    }
    Ok(rows)
}

/// The passages of a deposited XML file.
pub(crate) struct SentXml {
    pub id_flux: Option<String>,
    pub passages: Vec<SentPassage>,
}

/// Scans the XML for its idFlux and each passage's idTechnique and extent (no validation: the
/// XSD engine does that separately).
pub(crate) fn read_xml(bytes: &[u8]) -> Result<SentXml, ReconcileError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|_| {
        ReconcileError("Le fichier XML envoyé n'est pas en UTF-8 : ce ne peut pas être un fichier accepté par la CDC ; donnez le fichier tel qu'il a été déposé".into())
    })?;
    let mut reader = Reader::from_str(text);
    let mut pos = Position::default();
    let mut depth_names: Vec<String> = Vec::new();
    let mut out = SentXml {
        id_flux: None,
        passages: Vec::new(),
    };
    let mut current: Option<SentPassage> = None;
    let mut text_buf = String::new();
    let mut seen_root = false;
    loop {
        let start = pos.advance(text, reader.buffer_position() as usize);
        let event = reader.read_event().map_err(|e| {
            ReconcileError(format!("Le fichier XML envoyé n'est pas bien formé (ligne {}, colonne {} : {e}) : donnez le fichier tel qu'il a été déposé", start.0, start.1))
        })?;
        match event {
            Event::Start(e) if !seen_root => {
                let name = e.local_name().as_ref().to_owned();
                check_flux_root(&name)?;
                seen_root = true;
                depth_names.push(name);
            }
            Event::Empty(e) if !seen_root => {
                check_flux_root(e.local_name().as_ref())?;
                seen_root = true;
                break;
            }
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                if name == "passageCertification" {
                    current = Some(SentPassage {
                        id: String::new(),
                        start,
                        end: start,
                    });
                }
                text_buf.clear();
                depth_names.push(name);
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    text_buf.push_str(s);
                }
            }
            Event::End(_) => {
                let name = depth_names.pop().unwrap_or_default();
                let parent = depth_names.last().map(String::as_str);
                match (name.as_str(), parent) {
                    ("idFlux", Some(_)) if depth_names.len() == 1 => {
                        out.id_flux = Some(text_buf.trim().to_owned())
                    }
                    ("idTechnique", Some("passageCertification")) => {
                        if let Some(p) = current.as_mut() {
                            p.id = text_buf.trim().to_owned();
                        }
                    }
                    ("passageCertification", _) => {
                        if let Some(mut p) = current.take() {
                            p.end = pos.advance(text, reader.buffer_position() as usize);
                            out.passages.push(p);
                        }
                    }
                    _ => {}
                }
                text_buf.clear();
            }
            Event::DocType(_) => {
                return Err(ReconcileError(
                    "Le fichier XML envoyé contient une DTD (<!DOCTYPE …>) : elle est refusée par sécurité, et la CDC ne l'accepte pas".into(),
                ))
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(ReconcileError("Le fichier donné comme fichier XML envoyé ne contient aucun élément XML : donnez le fichier XML déposé sur le portail".into()));
    }
    Ok(out)
}

fn check_flux_root(name: &str) -> Result<(), ReconcileError> {
    if name == "flux" {
        return Ok(());
    }
    Err(ReconcileError(format!("Le fichier XML donné comme fichier envoyé commence par <{name}> et non par <flux> : ce n'est pas un flux d'accrochage ; donnez le fichier XML déposé sur le portail")))
}

/// Line and column (in characters) kept up to date as the reader moves forward, so that a file
/// on one line of 100 MB costs one pass, not one pass per passage.
#[derive(Default)]
struct Position {
    offset: usize,
    line: u32,
    column: u32,
}

impl Position {
    fn advance(&mut self, text: &str, to: usize) -> (u32, u32) {
        if self.line == 0 {
            self.line = 1;
            self.column = 1;
        }
        let to = to.min(text.len());
        if to > self.offset {
            let segment = text.get(self.offset..to).unwrap_or("");
            let newlines = memchr::memchr_iter(b'\n', segment.as_bytes()).count();
            if newlines > 0 {
                self.line += newlines as u32;
                let tail = segment.rsplit('\n').next().unwrap_or("");
                self.column = tail.chars().count() as u32 + 1;
            } else {
                self.column += segment.chars().count() as u32;
            }
            self.offset = to;
        }
        (self.line, self.column)
    }
}

fn locate_rejection(
    accuse: &Accuse,
    rows: Option<&[SentRow]>,
    xml: Option<&SentXml>,
    xml_bytes: Option<&[u8]>,
    schema: &Schema,
    notes: &mut Vec<Note>,
) -> Vec<RejectionSpot> {
    let report = xml_bytes.map(|b| schema.validate_bytes(b, &ValidationOptions::default()));
    if xml.is_none() {
        notes.push(Note {
            code: "xml-necessaire",
            message: "Le fichier entier a été rejeté : donnez aussi le fichier XML envoyé (option --xml) pour situer chaque erreur dans un passage et la comparer au diagnostic d'accrochage".into(),
        });
    }
    if let Some(r) = &report {
        if r.is_valid() {
            notes.push(Note {
                code: "xml-valide-ici",
                message: "Le validateur d'accrochage ne trouve aucune erreur dans le fichier XML donné, alors que la CDC l'a rejeté : vérifiez que c'est bien le fichier déposé (même idFlux), ou que la CDC n'utilise pas une autre version du XSD".into(),
            });
        }
    }
    accuse
        .erreurs
        .iter()
        .map(|err| {
            let passage = match (xml, err.line) {
                (Some(x), Some(line)) => {
                    let at = (line, err.column.unwrap_or(1));
                    x.passages
                        .iter()
                        .find(|p| p.start <= at && at <= p.end)
                        .or_else(|| x.passages.iter().find(|p| p.start.0 <= line && line <= p.end.0))
                }
                _ => None,
            };
            let row = passage.and_then(|p| rows?.iter().find(|r| !p.id.is_empty() && r.id == p.id));
            let diagnostics: Vec<Diagnostic> = match (&report, err.line) {
                (Some(r), Some(line)) => {
                    let same_line: Vec<Diagnostic> =
                        r.errors().filter(|d| d.line == line).cloned().collect();
                    if !same_line.is_empty() {
                        same_line
                    } else if let Some(p) = passage {
                        r.errors()
                            .filter(|d| p.start.0 <= d.line && d.line <= p.end.0)
                            .cloned()
                            .collect()
                    } else {
                        Vec::new()
                    }
                }
                _ => Vec::new(),
            };
            let explanation = explain_rejection(&err.message, err.line, err.column);
            let mut message = explanation.explanation.clone();
            if let Some(p) = passage {
                message.push_str(&format!(
                    " ; l'erreur est dans le passage d'idTechnique « {} » (lignes {} à {} du XML)",
                    p.id, p.start.0, p.end.0
                ));
            } else if xml.is_some() && err.line.is_some() {
                message.push_str(" ; l'erreur est hors des passages (en-tête du flux : émetteur, certificateur ou certification, donc la feuille Paramètres ou les colonnes type et code)");
            }
            if let Some(r) = row {
                message.push_str(&format!(", qui vient de la ligne {} du classeur ({})", r.row, r.cell));
            }
            if let Some(d) = diagnostics.first() {
                message.push_str(&format!(" ; diagnostic d'accrochage : {}", d.message));
            }
            message.push_str(&format!(" → {}", explanation.fix));
            RejectionSpot {
                erreur: err.clone(),
                id_technique: passage.map(|p| p.id.clone()),
                passage_line: passage.map(|p| p.start.0),
                sheet: row.map(|r| r.sheet.clone()),
                cell: row.map(|r| r.cell.clone()),
                row: row.map(|r| r.row),
                diagnostics,
                explanation,
                message,
            }
        })
        .collect()
}
