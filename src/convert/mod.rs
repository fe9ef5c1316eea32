//! The converter: a workbook in, CDC XML files and a report of every problem out.
//!
//! Stages, one module each: [`columns`] finds the header and maps columns to schema fields;
//! [`cells`] turns each cell into the text of its element; the rows become records, checked
//! against the schema's facets and the cross-field [`rules`]; the [`writer`] walks the schema to
//! write each passage, then the files; every file is validated again by the XSD engine before it
//! is returned.
//!
//! ```
//! use accrochage::convert::{convert, ConvertOptions};
//! use accrochage::xsd::Schema;
//! let csv = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;\
//! presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee\n\
//! T-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n";
//! let mut options = ConvertOptions::at(accrochage::convert::LocalNow::from_unix(1_790_000_000, 120));
//! options.params.insert("idClientEmetteur".into(), "ABCD1234".into());
//! options.params.insert("idClientCertificateur".into(), "ABCD1234".into());
//! options.params.insert("idContrat".into(), "MCF-1".into());
//! let result = convert(csv.as_bytes(), "passages.csv", &Schema::cdc(), &options).unwrap();
//! assert_eq!(result.summary.passages_written, 1);
//! assert!(result.files[0].xml.contains("<cpf:nomNaissance>DUPONT</cpf:nomNaissance>"));
//! ```

pub mod cells;
mod check;
pub mod columns;
pub mod ids;
mod incremental;
pub mod layout;
pub mod report;
pub mod rules;
#[cfg(not(target_arch = "wasm32"))]
mod stream;
pub mod writer;
mod xml_text;

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Serialize;

pub use ids::LocalNow;
pub use incremental::{MessageConverter, Next, RowConverter};
pub use report::{findings_to_csv, Finding, Level, Summary};
pub use xml_text::XmlText;

use crate::dictionary;
use crate::workbook::{self, cell_reference, CellValue, DateSystem, Sheet, Workbook};
use crate::xsd::model::Passed;
use crate::xsd::Schema;
use cells::{convert_cell, FieldValue};
pub use check::CheckPartner;
use check::{repeats_freely, validate_files, GroupSpan};
use writer::{Body, Filler, Missing, Node, Plan, Slots, Values};

/// The CDC's limits per file (NOTES.md §3): beyond, the output is split.
pub const MAX_PASSAGES_PER_FILE: usize = 200_000;
pub const MAX_BYTES_PER_FILE: usize = 200 * 1000 * 1000;
pub const PASSAGES_SHEET: &str = "Passages";
pub const PARAMS_SHEET: &str = "Paramètres";

/// How to convert.
#[derive(Debug, Clone)]
pub struct ConvertOptions {
    /// Parameters that override the workbook's Paramètres sheet (idClientEmetteur,
    /// idClientCertificateur, idContrat, natureDeposant, idFlux, horodatage…).
    pub params: BTreeMap<String, String>,
    /// No XML at all when any error exists.
    pub strict: bool,
    /// Passages per file before splitting (at most 200 000).
    pub max_passages: Option<usize>,
    /// Outputs of at most this many passages are laid out one element per line, larger ones
    /// written compact ([`layout::INDENTED_UP_TO`] by default).
    pub indented_up_to: usize,
    /// The moment of the conversion (horodatage, file names, the 3-month deadline).
    pub now: LocalNow,
    /// Someone to share the final check of large files with (the browser's second worker).
    pub partner: Option<CheckPartner>,
    /// Who writes each file while it is checked (see [`EarlyWriter`]).
    #[cfg(not(target_arch = "wasm32"))]
    pub early_writer: Option<EarlyWriter>,
}

/// Takes each file as soon as it is built, on a thread of its own while the final check runs:
/// the check keeps the cores busy, writing 200 Mo mostly copies memory, and the two together
/// end sooner than one after the other. The file given is **not yet checked**: one found
/// invalid is left out of [`Conversion::files`] (with its `erreur-interne` finding), and whoever
/// wrote it must discard it. Where no thread can be started, it is called before the check.
/// Native only: the page hands its files over once checked.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone)]
pub struct EarlyWriter(pub std::sync::Arc<dyn Fn(&OutputFile) + Send + Sync>);

#[cfg(not(target_arch = "wasm32"))]
impl fmt::Debug for EarlyWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EarlyWriter")
    }
}

impl ConvertOptions {
    pub fn at(now: LocalNow) -> ConvertOptions {
        ConvertOptions {
            params: BTreeMap::new(),
            strict: false,
            max_passages: None,
            indented_up_to: layout::INDENTED_UP_TO,
            now,
            partner: None,
            #[cfg(not(target_arch = "wasm32"))]
            early_writer: None,
        }
    }
}

/// One XML file produced.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputFile {
    pub name: String,
    /// The text, in the pieces it was written in ([`XmlText`]).
    pub xml: XmlText,
    pub passages: usize,
    pub id_flux: String,
}

/// The result of a conversion: files (possibly none) and the report.
#[derive(Debug, Clone, Serialize)]
pub struct Conversion {
    pub files: Vec<OutputFile>,
    #[serde(rename = "diagnostics")]
    pub findings: Vec<Finding>,
    pub summary: Summary,
}

impl Conversion {
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }
}

/// Input that cannot be converted at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConvertError {
    Workbook(String),
    NoPassagesSheet { sheets: Vec<String> },
    NoHeader { sheet: String },
}

impl fmt::Display for ConvertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConvertError::Workbook(m) => f.write_str(m),
            ConvertError::NoPassagesSheet { sheets } => write!(
                f,
                "Le classeur n'a pas de feuille « {PASSAGES_SHEET} » (feuilles trouvées : {}) : renommez la feuille des passages en « {PASSAGES_SHEET} » ou partez du modèle",
                sheets.join(", ")
            ),
            ConvertError::NoHeader { sheet } => write!(
                f,
                "Aucune ligne d'en-tête reconnue dans la feuille « {sheet} » : la première ligne doit nommer les colonnes (idTechnique, nomNaissance, prenom1…), comme dans le modèle"
            ),
        }
    }
}

impl std::error::Error for ConvertError {}

/// Converts a workbook (xlsx, xls, ods or csv bytes) into CDC XML.
pub fn convert(
    bytes: &[u8],
    file_name: &str,
    schema: &Schema,
    options: &ConvertOptions,
) -> Result<Conversion, ConvertError> {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(streamed) = convert_streamed(bytes, file_name, schema, options) {
        return streamed;
    }
    let book = workbook::read_workbook(bytes, file_name)
        .map_err(|e| ConvertError::Workbook(e.to_string()))?;
    convert_workbook(book, schema, options)
}

/// The conversion [`convert`] makes natively on two cores or more for an xlsx: the workbook is
/// read on another thread while its rows are converted. `None` when the file is not streamed
/// (another format, a single core, cells out of order, a file that does not read): [`convert`]
/// then reads it whole, with the same result.
#[cfg(not(target_arch = "wasm32"))]
pub fn convert_streamed(
    bytes: &[u8],
    file_name: &str,
    schema: &Schema,
    options: &ConvertOptions,
) -> Option<Result<Conversion, ConvertError>> {
    stream::convert_streaming(bytes, file_name, schema, options, stream::BEHIND)
}

/// [`convert_streamed`] with the reader preparing every batch it can (the converter only
/// applies them), for the tests: which thread prepares which rows must change nothing.
#[cfg(not(target_arch = "wasm32"))]
#[doc(hidden)]
pub fn convert_streamed_reader_preparing(
    bytes: &[u8],
    file_name: &str,
    schema: &Schema,
    options: &ConvertOptions,
) -> Option<Result<Conversion, ConvertError>> {
    stream::convert_streaming(bytes, file_name, schema, options, 0)
}

/// Converts an already-read workbook. It is taken by value so that each row's cells are freed
/// once the row is converted: the workbook's memory then makes way for the XML being written
/// instead of adding to it.
pub fn convert_workbook(
    mut book: Workbook,
    schema: &Schema,
    options: &ConvertOptions,
) -> Result<Conversion, ConvertError> {
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    let index = passages_index(&names)?;
    let head = &mut book.sheets[index].rows;
    let rest = head.split_off(head.len().min(columns::HEADER_ROWS));
    let notes = std::mem::take(&mut book.notes);
    let mut source = ReadRows {
        rows: rest.into_iter(),
        notes: Some(notes),
    };
    convert_source(book, index, &mut source, schema, options)?.ok_or_else(|| {
        // ReadRows always ends with the book's notes: unreachable.
        ConvertError::Workbook("lecture du classeur interrompue".into())
    })
}

/// Where the passages' rows come from: a workbook already read, or a reader still streaming
/// them from another thread ([`stream`]).
trait RowSource: Iterator<Item = workbook::Row> {
    /// Reads to the end: the book's notes, or `None` when the rows given were void and the
    /// file must be read again without streaming.
    fn finish(&mut self) -> Option<Vec<workbook::BookNote>>;
}

/// The rows of a workbook already read.
struct ReadRows {
    rows: std::vec::IntoIter<workbook::Row>,
    notes: Option<Vec<workbook::BookNote>>,
}

impl Iterator for ReadRows {
    type Item = workbook::Row;
    fn next(&mut self) -> Option<workbook::Row> {
        self.rows.next()
    }
}

impl RowSource for ReadRows {
    fn finish(&mut self) -> Option<Vec<workbook::BookNote>> {
        self.rows.by_ref().for_each(drop);
        Some(self.notes.take().unwrap_or_default())
    }
}

/// Converts the passages of `book`'s sheet `index`: the sheet holds the first rows (at least
/// enough to find the header), `source` the others. `None` when the source turned out void.
fn convert_source(
    book: Workbook,
    index: usize,
    source: &mut impl RowSource,
    schema: &Schema,
    options: &ConvertOptions,
) -> Result<Option<Conversion>, ConvertError> {
    let mut converter = RowConverter::new(book, index);
    converter.push(&mut *source, schema, options)?;
    let Some(notes) = source.finish() else {
        return Ok(None);
    };
    converter.finish(notes, schema, options).map(Some)
}

/// The same information on every row (a label sent as its code, spaces trimmed in a column)
/// would bury the errors under thousands of lines: one info per column and message, with the
/// number of cells and the last one. Errors and warnings stay one per cell.
/// An info the rows already folded repeats into: its index in the findings, how many repeats,
/// and the row and cell of the last one.
type Premerged = (usize, usize, u32, String);

/// `premerged` lists, by increasing index in `findings`, the repeats the rows already folded
/// into an info.
fn merge_repeated_infos(findings: Vec<Finding>, premerged: &[Premerged]) -> Vec<Finding> {
    let mut premerged = premerged.iter().peekable();
    let mut out: Vec<Finding> = Vec::with_capacity(findings.len());
    let mut seen: HashMap<(&'static str, String, String), usize> = HashMap::new();
    // (index in out, count, row and cell of the last one)
    let mut repeats: Vec<(usize, usize, u32, String)> = Vec::new();
    for (i, f) in findings.into_iter().enumerate() {
        if f.level != Level::Info || f.row == 0 {
            out.push(f);
            continue;
        }
        let (extra, last_row, last_cell) = match premerged.next_if(|p| p.0 == i) {
            Some((_, n, row, cell)) => (*n, *row, cell.clone()),
            None => (0, f.row, f.cell.clone()),
        };
        let key = (f.code, f.column.clone(), f.message.clone());
        match seen.get(&key) {
            Some(&r) => {
                let r = &mut repeats[r];
                r.1 += 1 + extra;
                if last_row >= r.2 {
                    (r.2, r.3) = (last_row, last_cell);
                }
            }
            None => {
                seen.insert(key, repeats.len());
                repeats.push((out.len(), 1 + extra, last_row, last_cell));
                out.push(f);
            }
        }
    }
    for (i, count, _, last) in repeats {
        if count > 1 {
            let others = count - 1;
            let s = if others > 1 { "s" } else { "" };
            out[i].message.push_str(&format!(
                " (de même pour {others} autre{s} cellule{s} de cette colonne, jusqu'à {last})"
            ));
        }
    }
    out
}

/// The passages sheet of a workbook and its columns, found exactly as [`convert_workbook`] finds
/// them: what another stage (the accusé's reconciliation) needs to locate a row's idTechnique.
/// Findings about the columns (unknown, duplicated) go to `findings`.
pub fn passage_columns<'a>(
    book: &'a Workbook,
    schema: &Schema,
    findings: &mut Vec<Finding>,
) -> Result<(&'a Sheet, columns::ColumnMap), ConvertError> {
    let passages = passages_sheet(book)?;
    let root = schema
        .global_elements()
        .next()
        .map(|e| e.name.clone())
        .and_then(|n| schema.global_element(&n))
        .ok_or_else(|| {
            ConvertError::Workbook("le schéma ne déclare pas d'élément racine".into())
        })?;
    let mut slots = Slots::default();
    let plan = Plan::new(schema, root, &mut slots);
    let map = columns::map_columns(passages, &plan.known_keys(), findings).ok_or_else(|| {
        ConvertError::NoHeader {
            sheet: passages.name.clone(),
        }
    })?;
    Ok((passages, map))
}

fn passages_sheet(book: &Workbook) -> Result<&Sheet, ConvertError> {
    let names: Vec<&str> = book.sheets.iter().map(|s| s.name.as_str()).collect();
    Ok(&book.sheets[passages_index(&names)?])
}

/// Which sheet holds the passages, from the sheets' names alone (see [`passages_index`]); `None`
/// when none does. What a reader streaming the rows to [`RowConverter`] is to pick.
pub fn passages_sheet_index(names: &[&str]) -> Option<usize> {
    passages_index(names).ok()
}

/// Which sheet holds the passages, from the sheets' names alone: the one named « Passages »,
/// or else the only one that is neither « Paramètres » nor « Aide ». Names only, so that a
/// streamed reading can choose the sheet before reading it.
fn passages_index(names: &[&str]) -> Result<usize, ConvertError> {
    let named = |wanted: &str| {
        let wanted = dictionary::normalize_header(wanted);
        names
            .iter()
            .position(|n| dictionary::normalize_header(n) == wanted)
    };
    if let Some(i) = named(PASSAGES_SHEET) {
        return Ok(i);
    }
    let params = named(PARAMS_SHEET);
    let help = dictionary::normalize_header("Aide");
    let data: Vec<usize> = (0..names.len())
        .filter(|&i| Some(i) != params && dictionary::normalize_header(names[i]) != help)
        .collect();
    match data.as_slice() {
        [only] => Ok(*only),
        _ => Err(ConvertError::NoPassagesSheet {
            sheets: names.iter().map(|n| (*n).to_owned()).collect(),
        }),
    }
}

/// Reads the Paramètres sheet (key | value), applies the overrides, fills defaults (idFlux,
/// horodatage) and reports missing or unknown parameters.
fn read_params(
    book: &Workbook,
    schema: &Schema,
    plan: &Plan,
    options: &ConvertOptions,
    findings: &mut Vec<Finding>,
) -> HashMap<String, String> {
    let mut params: HashMap<String, String> = HashMap::new();
    let mut origin: HashMap<String, String> = HashMap::new();
    let known: Vec<String> = plan
        .params
        .iter()
        .map(|(k, _)| k.clone())
        .chain(["natureDeposant".to_owned()])
        .collect();
    let resolve_key = |raw: &str| -> Option<String> {
        let n = dictionary::normalize_header(raw);
        if let Some(k) = known.iter().find(|k| dictionary::normalize_header(k) == n) {
            return Some(k.clone());
        }
        dictionary::lookup_header(raw)
            .map(|e| e.key.to_owned())
            .filter(|k| known.contains(k))
    };
    if let Some(sheet) = book.sheet(PARAMS_SHEET) {
        for row in &sheet.rows {
            let mut cells = row.cells.iter();
            let Some(key_cell) = cells.next() else {
                continue;
            };
            let Some(raw_key) = columns::cell_text(&key_cell.value) else {
                continue;
            };
            let value_cell = row.cells.iter().find(|c| c.column == key_cell.column + 1);
            let value = value_cell.and_then(|c| columns::cell_text(&c.value));
            match resolve_key(&raw_key) {
                Some(key) => {
                    if let Some(v) = value {
                        origin.insert(
                            key.clone(),
                            cell_reference(&sheet.name, key_cell.column + 1, row.number),
                        );
                        params.insert(key, v);
                    }
                }
                None => {
                    let n = dictionary::normalize_header(&raw_key);
                    // A header row such as « champ | valeur » is expected and not reported.
                    if !["champ", "cle", "parametre", "nom"].contains(&n.as_str()) {
                        findings.push(Finding {
                            level: Level::Avertissement,
                            code: "parametre-inconnu",
                            sheet: sheet.name.clone(),
                            cell: cell_reference(&sheet.name, key_cell.column, row.number),
                            row: row.number,
                            column: "champ".into(),
                            value: raw_key.clone(),
                            message: format!(
                                "Le paramètre « {raw_key} » n'est pas reconnu : il est ignoré"
                            ),
                            fix: format!("Paramètres attendus : {}", known.join(", ")),
                        });
                    }
                }
            }
        }
    }
    for (k, v) in &options.params {
        let key = resolve_key(k).unwrap_or_else(|| k.clone());
        if !v.trim().is_empty() {
            origin.insert(key.clone(), "option".into());
            params.insert(key, v.trim().to_owned());
        }
    }
    params
        .entry("horodatage".into())
        .or_insert_with(|| options.now.horodatage());
    // idFlux is generated per file when absent; a placeholder keeps the required check quiet.
    let _ = schema;
    // natureDeposant is a certification field that the parameters may give for every row: its
    // value is resolved and checked like the flux-level ones, but it is never required there.
    let optional = plan
        .fields
        .get("natureDeposant")
        .map(|info| ("natureDeposant".to_owned(), info.element));
    for (key, element) in plan.params.iter().chain(optional.iter()) {
        let decl = schema.element(*element);
        let st = schema.element_simple_type(*element);
        match params.get(key) {
            None if key == "idFlux" => {
                // Generated per file; all UUIDs have the same shape, so one tells whether a
                // loaded schema accepts them (the bundled one does), before any file is written.
                let sample = ids::Uuid::new_v4().to_string();
                let refused = st.and_then(|st| st.check(&sample).err().map(|v| (st, v)));
                if let Some((st, violation)) = refused {
                    let (_, _, text) =
                        crate::xsd::diagnostic::value_message(key, &sample, st, &violation);
                    findings.push(Finding {
                        level: Level::Erreur,
                        code: "id-flux-genere-refuse",
                        sheet: PARAMS_SHEET.into(),
                        cell: String::new(),
                        row: 0,
                        column: key.clone(),
                        value: sample,
                        message: format!(
                            "idFlux n'est pas renseigné et l'identifiant généré automatiquement (un UUID) ne convient pas au schéma chargé : {}",
                            text.fr
                        ),
                        fix: format!("Renseignez vous-même idFlux dans la feuille « {PARAMS_SHEET} » ou dans le formulaire Paramètres, au format que demande ce schéma"),
                    });
                }
            }
            None if key.starts_with("idFlux") || key == "natureDeposant" => {}
            None => findings.push(Finding {
                level: Level::Erreur,
                code: "parametre-manquant",
                sheet: PARAMS_SHEET.into(),
                cell: String::new(),
                row: 0,
                column: key.clone(),
                value: String::new(),
                message: format!(
                    "Le paramètre {key} ({}) est absent : aucun XML ne peut être produit sans lui",
                    dictionary::lookup_parameter(key).map(|e| e.label).unwrap_or(&decl.name)
                ),
                fix: format!("Renseignez {key} dans la feuille « {PARAMS_SHEET} » ou dans le formulaire Paramètres"),
            }),
            Some(value) => {
                let Some(st) = st else { continue };
                let mut v = value.clone();
                if let Some(code) = st.enumeration_values().and(dictionary::resolve_enumeration(schema, &decl.name, value)) {
                    v = code;
                    params.insert(key.clone(), v.clone());
                }
                if let Err(violation) = st.check(&v) {
                    let (_, _, text) = crate::xsd::diagnostic::value_message(key, &v, st, &violation);
                    findings.push(Finding {
                        level: Level::Erreur,
                        code: "parametre-invalide",
                        sheet: PARAMS_SHEET.into(),
                        cell: origin.get(key).cloned().unwrap_or_default(),
                        row: 0,
                        column: key.clone(),
                        value: v.clone(),
                        message: text.fr,
                        fix: format!("Corrigez {key} dans la feuille « {PARAMS_SHEET} » ou dans le formulaire Paramètres"),
                    });
                }
            }
        }
    }
    params
}

/// One data row, as fields by slot.
#[derive(Debug, Clone)]
pub struct Record {
    pub row: u32,
    pub values: Vec<Option<FieldValue>>,
    /// Column index of each slot's source cell, for locating findings.
    pub columns: Vec<Option<u32>>,
    pub has_error: bool,
    /// The passage as XML, once checked.
    pub xml: String,
    /// Index of the record's certification (type, code) among the kept rows.
    pub group: usize,
}

/// What a column feeds, resolved once for all rows.
enum Target {
    Field {
        element: crate::xsd::ElementId,
        nillable: bool,
        slot: usize,
    },
    List(Vec<(String, crate::xsd::ElementId)>),
    BirthDate,
    Param,
}

struct RowContext<'a> {
    targets: &'a [Target],
    schema: &'a Schema,
    record_node: Option<&'a Node>,
    group_node: Option<&'a Node>,
    /// Column index → position in the map.
    by_index: &'a [Option<usize>],
    slots: &'a Slots,
    map: &'a columns::ColumnMap,
    sheet_name: &'a str,
    system: DateSystem,
    findings: &'a mut Vec<Finding>,
    /// Infos already listed in this batch of rows, by code, column and message (one string,
    /// see `repeated_info`), to their place in `repeats`: a label translated on every row would
    /// otherwise build a hundred thousand findings only for the report to merge them. Each
    /// batch is then merged into the ones before it (`incremental::Prepared`).
    infos: HashMap<String, usize>,
    /// The key of `infos` being looked up, built in place (see `repeated_info`).
    info_key: String,
    /// Per listed info, in the order listed: its index in `findings`, the repeats merged into
    /// it and the last cell.
    repeats: Vec<(usize, Repeats)>,
    /// The passage being written, its capacity kept from row to row.
    passage: String,
    /// The certification's fields of a row, rendered only to find what is missing.
    scratch: String,
    /// The values that passed their type's check last, kept from row to row (see [`Passed`]).
    passed: Passed,
    /// By column: the labels of its enumeration, prepared once for all rows.
    resolvers: &'a [Option<dictionary::EnumerationResolver>],
}

/// Cells that repeat a listed info: how many, and the last one (row, column); the listed cell
/// itself while there is none.
#[derive(Debug, Clone, Copy, Default)]
struct Repeats {
    count: usize,
    last: (u32, u32),
}

/// What the rules need to locate their findings.
pub struct RulesContext<'a> {
    pub sheet: &'a str,
    pub map: &'a columns::ColumnMap,
    /// The slot of each field the rules read ([`rules::F`]).
    pub fields: [Option<usize>; rules::FIELD_NAMES.len()],
    pub today: (i32, u32, u32),
}

impl RowContext<'_> {
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &mut self,
        level: Level,
        code: &'static str,
        row: u32,
        column: Option<&columns::Column>,
        value: &str,
        message: String,
        fix: String,
    ) {
        if level == Level::Info {
            if let Some(c) = column {
                if self.repeated_info(code, c.index, row, &message) {
                    return;
                }
            }
        }
        self.push_finding(level, code, row, column, value, message, fix);
    }

    /// [`Self::finding`] once an info is known not to repeat one already listed.
    #[allow(clippy::too_many_arguments)]
    fn push_finding(
        &mut self,
        level: Level,
        code: &'static str,
        row: u32,
        column: Option<&columns::Column>,
        value: &str,
        message: String,
        fix: String,
    ) {
        self.findings.push(Finding {
            level,
            code,
            sheet: self.sheet_name.to_owned(),
            cell: match column {
                Some(c) => cell_reference(self.sheet_name, c.index, row),
                None => format!("{}!{row}", self.sheet_name),
            },
            row,
            column: column.map(|c| c.header.clone()).unwrap_or_default(),
            value: value.to_owned(),
            message,
            fix,
        });
    }

    /// Counts an info already listed for this column and message; `false` (and remembered)
    /// the first time.
    fn repeated_info(&mut self, code: &'static str, column: u32, row: u32, message: &str) -> bool {
        // The key is built by hand: through format!, it took a tenth of the converter's time.
        // A separator no code holds, then the column's four bytes as four characters: the
        // message is what follows.
        let key = &mut self.info_key;
        key.clear();
        key.push_str(code);
        key.push('\u{1f}');
        key.extend(column.to_le_bytes().map(char::from));
        key.push_str(message);
        match self.infos.get(key.as_str()) {
            Some(&r) => {
                let r = &mut self.repeats[r].1;
                r.count += 1;
                r.last = (row, column);
                true
            }
            None => {
                self.infos.insert(key.clone(), self.repeats.len());
                self.repeats.push((
                    self.findings.len(),
                    Repeats {
                        count: 0,
                        last: (row, column),
                    },
                ));
                false
            }
        }
    }

    fn read_row(
        &mut self,
        row: &workbook::Row,
        params: &HashMap<String, String>,
    ) -> Option<Record> {
        let n = self.slots.names.len();
        let mut rec = Record {
            row: row.number,
            values: vec![None; n],
            columns: vec![None; n],
            has_error: false,
            xml: String::new(),
            group: 0,
        };
        let before = self.findings.len();
        let mut any_value = false;
        let mut unmapped = false;
        for cell in &row.cells {
            let Some(ci) = self.by_index.get(cell.column as usize).copied().flatten() else {
                if columns::cell_text(&cell.value).is_some() {
                    unmapped = true;
                }
                continue;
            };
            let map = self.map;
            let column = &map.columns[ci];
            if matches!(&cell.value, CellValue::Text(t) if workbook::is_blank(t)) {
                // Nothing left after cleaning; a cell that held only control characters still
                // says what was removed, or the value would vanish without a word.
                self.cell_notes(row.number, column, cell);
                continue;
            }
            any_value = true;
            self.cell_notes(row.number, column, cell);
            if cell
                .notes
                .contains(&workbook::TextNote::FormulaWithoutValue)
            {
                // Already an error: its placeholder text must not be checked as a value.
                continue;
            }
            self.read_cell(&mut rec, ci, &cell.value);
        }
        if !any_value {
            if unmapped {
                self.finding(
                    Level::Avertissement,
                    "ligne-sans-colonne-reconnue",
                    row.number,
                    None,
                    "",
                    format!("La ligne {} n'a de valeurs que dans des colonnes non reconnues : elle n'est pas transmise", row.number),
                    "Placez les données sous les colonnes attendues, ou supprimez la ligne".into(),
                );
                return None;
            }
            return None;
        }
        // Render the passage and the certification's own fields to find what is missing.
        let values = Values {
            record: Some(&rec.values),
            params,
        };
        let mut missing = Vec::new();
        let mut xml = std::mem::take(&mut self.passage);
        xml.clear();
        let mut nothing = NoFill;
        if let Some(node) = self.record_node {
            if let Body::Records(children) = &node.body {
                writer::open(&mut xml, &node.tag);
                writer::render_children(
                    children,
                    &values,
                    &mut nothing,
                    &mut xml,
                    &mut missing,
                    writer::Level::Record,
                );
                writer::close(&mut xml, &node.tag);
            }
        }
        if let Some(node) = self.group_node {
            if let Body::Groups(children) = &node.body {
                self.scratch.clear();
                writer::render_children(
                    children,
                    &values,
                    &mut nothing,
                    &mut self.scratch,
                    &mut missing,
                    writer::Level::Group,
                );
            }
        }
        let refused: Vec<String> = self.findings[before..]
            .iter()
            .filter(|f| f.level == Level::Erreur)
            .map(|f| f.column.clone())
            .collect();
        for m in missing {
            if self
                .map
                .find(&m.name)
                .is_some_and(|c| refused.contains(&c.header))
            {
                continue;
            }
            self.report_missing(&rec, &m);
        }
        // Kept at its length: sized for the longest row and shrunk (in place, the allocator
        // keeping the block), the passages took 31 Mo more at 100 000 rows.
        rec.xml = xml.as_str().to_owned();
        self.passage = xml;
        rec.has_error = self.findings[before..]
            .iter()
            .any(|f| f.level == Level::Erreur);
        Some(rec)
    }

    fn cell_notes(&mut self, row: u32, column: &columns::Column, cell: &workbook::Cell) {
        for note in &cell.notes {
            let (level, code, message, fix) = note_finding(note, &column.header);
            let value = match &cell.value {
                CellValue::Text(t) => t.clone(),
                _ => String::new(),
            };
            self.finding(level, code, row, Some(column), &value, message, fix);
        }
    }

    fn label(&self, key: &str) -> String {
        match self.map.find(key) {
            Some(c) => c.header.clone(),
            None => key.to_owned(),
        }
    }

    fn read_cell(&mut self, rec: &mut Record, ci: usize, value: &CellValue) {
        let map = self.map;
        let column = &map.columns[ci];
        let key = column.key.as_str();
        let label = column.header.as_str();
        let shown = || cells::shown_value(value).trim().to_owned();
        let targets = self.targets;
        let target = &targets[ci];
        let (element, nillable, slot) = match target {
            Target::BirthDate => return self.read_birth_date(rec, column, value),
            Target::List(parts) => return self.read_list(rec, column, value, parts),
            Target::Param => {
                let fix = format!(
                    "Indiquez {key} dans la feuille « {PARAMS_SHEET} » plutôt que dans une colonne"
                );
                self.finding(Level::Avertissement, "colonne-de-parametre", rec.row, Some(column), &shown(), format!("{label} est un paramètre du fichier, pas une donnée de passage : la colonne est ignorée"), fix);
                return;
            }
            Target::Field {
                element,
                nillable,
                slot,
            } => (*element, *nillable, *slot),
        };
        let Some(st_id) = self.schema.element_simple_type_id(element) else {
            return;
        };
        let st = self.schema.simple_type(st_id);
        let resolver = self.resolvers.get(ci).and_then(Option::as_ref);
        match convert_cell(
            key,
            label,
            value,
            st,
            nillable,
            self.system,
            self.schema,
            resolver,
        ) {
            Ok((field, adjustments)) => {
                for a in adjustments {
                    let level = if a.warning {
                        Level::Avertissement
                    } else {
                        Level::Info
                    };
                    // Most rows repeat an info already listed (« Homme » → M): counted before
                    // the cell's value is copied for a finding that will not be kept.
                    if level == Level::Info
                        && self.repeated_info(a.code, column.index, rec.row, &a.message)
                    {
                        continue;
                    }
                    self.push_finding(
                        level,
                        a.code,
                        rec.row,
                        Some(column),
                        &shown(),
                        a.message,
                        a.fix.into(),
                    );
                }
                if let FieldValue::Text(t) = &field {
                    if let Err(v) = self.passed.check(self.schema, st_id, t) {
                        let (code, _, text) =
                            crate::xsd::diagnostic::value_message(label, t, st, &v);
                        let fix = fix_for(code, st);
                        self.finding(
                            Level::Erreur,
                            facet_code(code),
                            rec.row,
                            Some(column),
                            t,
                            text.fr,
                            fix,
                        );
                        return;
                    }
                }
                rec.values[slot] = Some(field);
                rec.columns[slot] = Some(column.index);
            }
            Err(r) => self.finding(
                Level::Erreur,
                r.code,
                rec.row,
                Some(column),
                &shown(),
                r.message,
                r.fix,
            ),
        }
    }

    fn read_birth_date(&mut self, rec: &mut Record, column: &columns::Column, value: &CellValue) {
        let shown = columns::cell_text(value).unwrap_or_default();
        let date = match value {
            CellValue::Date(d) | CellValue::DateTime(d, _) => Some(*d),
            CellValue::Text(t) => workbook::parse_text_date(workbook::trimmed(t)),
            CellValue::Number(n) => workbook::serial_to_date(*n, self.system).map(|(d, _)| d),
            _ => None,
        };
        let Some(d) = date else {
            self.finding(
                Level::Erreur,
                "date-illisible",
                rec.row,
                Some(column),
                &shown,
                format!("« {shown} » n'est pas une date de naissance lisible"),
                "Saisissez la date au format JJ/MM/AAAA (ex. 03/11/1990), ou utilisez les colonnes anneeNaissance, moisNaissance, jourNaissance".into(),
            );
            return;
        };
        for (key, v) in [
            ("anneeNaissance", d.year.to_string()),
            ("moisNaissance", d.month.to_string()),
            ("jourNaissance", d.day.to_string()),
        ] {
            let Some(slot) = self.slots.get(key) else {
                continue;
            };
            if rec.values[slot].is_none() {
                rec.values[slot] = Some(FieldValue::Text(v));
                rec.columns[slot] = Some(column.index);
            }
        }
    }

    fn read_list(
        &mut self,
        rec: &mut Record,
        column: &columns::Column,
        value: &CellValue,
        parts: &[(String, crate::xsd::ElementId)],
    ) {
        let text = columns::cell_text(value).unwrap_or_default();
        let expected: Vec<&str> = parts
            .iter()
            .map(|(_, e)| self.schema.element(*e).name.as_str())
            .collect();
        for item in writer::split_list(&text) {
            if item.len() > parts.len() {
                self.finding(
                    Level::Erreur,
                    "liste-mal-formee",
                    rec.row,
                    Some(column),
                    &text,
                    format!("« {} » a {} parties séparées par « : » alors que {} sont attendues ({})", item.join(":"), item.len(), parts.len(), expected.join(":")),
                    format!("Écrivez chaque résultat sous la forme {} et séparez les résultats par « | » (ex. 3:1:2|4:2:1)", expected.join(":")),
                );
                return;
            }
            for (part, (_, e)) in item.iter().zip(parts) {
                if part.is_empty() {
                    continue;
                }
                let Some(st) = self.schema.element_simple_type(*e) else {
                    continue;
                };
                if let Err(v) = st.check(part) {
                    let name = &self.schema.element(*e).name;
                    let (code, _, t) = crate::xsd::diagnostic::value_message(
                        &format!("{name} (dans {})", column.header),
                        part,
                        st,
                        &v,
                    );
                    let fix = fix_for(code, st);
                    self.finding(
                        Level::Erreur,
                        facet_code(code),
                        rec.row,
                        Some(column),
                        &text,
                        t.fr,
                        fix,
                    );
                    return;
                }
            }
        }
        if let Some(slot) = self.slots.get(&column.key) {
            rec.values[slot] = Some(FieldValue::Text(text));
            rec.columns[slot] = Some(column.index);
        }
    }

    fn report_missing(&mut self, rec: &Record, m: &Missing) {
        if !m.alternatives.is_empty() {
            let labels: Vec<String> = m.alternatives.iter().map(|a| self.label(a)).collect();
            let list = crate::xsd::diagnostic::list_fr(&labels);
            self.finding(
                Level::Erreur,
                "choix-vide",
                rec.row,
                None,
                "",
                format!("Ligne {} : il faut renseigner {list}", rec.row),
                format!("Renseignez {list}"),
            );
            return;
        }
        let column = self.map.find(&m.name).cloned();
        let label = self.label(&m.name);
        let entry = dictionary::lookup_header(&m.name);
        let (message, fix) = match &column {
            Some(_) => (
                format!("{label} est obligatoire et la cellule est vide"),
                match entry {
                    Some(e) => format!("Renseignez {label} : {}", e.help),
                    None => format!("Renseignez {label}"),
                },
            ),
            None => (
                format!("La colonne obligatoire {} est absente du classeur", m.name),
                format!("Ajoutez une colonne « {} » (voir le modèle)", m.name),
            ),
        };
        self.finding(
            Level::Erreur,
            "obligatoire-manquant",
            rec.row,
            column.as_ref(),
            "",
            message,
            fix,
        );
    }
}

/// Renders nothing for groups and records (used when checking one passage on its own).
struct NoFill;

impl Filler for NoFill {
    fn groups(&mut self, _: &Node, _: &mut String) {}
    fn records(&mut self, _: &Node, _: &mut String) {}
}

/// Stable converter codes for facet failures.
fn facet_code(code: crate::xsd::Code) -> &'static str {
    use crate::xsd::Code::*;
    match code {
        ValueLength => "longueur-exacte",
        ValueMinLength => "valeur-vide",
        ValueMaxLength => "valeur-trop-longue",
        ValuePattern => "format-invalide",
        ValueEnumeration => "valeur-non-autorisee",
        ValueMinInclusive | ValueMinExclusive => "valeur-trop-petite",
        ValueMaxInclusive | ValueMaxExclusive => "valeur-trop-grande",
        ValueTotalDigits | ValueFractionDigits => "trop-de-chiffres",
        _ => "valeur-invalide",
    }
}

fn fix_for(code: crate::xsd::Code, st: &crate::xsd::SimpleType) -> String {
    use crate::xsd::builtin::Builtin;
    use crate::xsd::Code::*;
    match code {
        ValueMaxLength => format!("Raccourcissez la valeur à {} caractères au plus (sans la tronquer au hasard : c'est une donnée d'état civil ou d'identification)", st.max_length.unwrap_or(0)),
        ValueLength => format!("Saisissez exactement {} caractères", st.length.unwrap_or(0)),
        ValueMinLength => match st.min_length {
            Some(min) if min > 1 => format!("Saisissez au moins {min} caractères"),
            _ => "Renseignez une valeur ou laissez la cellule vide si l'information est facultative".into(),
        },
        ValueEnumeration => "Choisissez une valeur de la liste".into(),
        ValueMinInclusive | ValueMaxInclusive | ValueMinExclusive | ValueMaxExclusive => "Vérifiez la valeur : elle sort des limites permises".into(),
        // The CDC's date patterns only restrict the century: a date that parsed fails on it.
        ValuePattern
            if matches!(st.builtin, Builtin::Date | Builtin::DateTime)
                && st.patterns.iter().flatten().all(|p| p.source().starts_with("(19|20)")) =>
        {
            "Vérifiez l'année : la CDC n'accepte que les dates de 1900 à 2099 (format JJ/MM/AAAA)".into()
        }
        ValuePattern => "Corrigez la valeur pour qu'elle ait la forme indiquée par le motif".into(),
        ValueTotalDigits => format!("Saisissez {} chiffres au plus", st.total_digits.unwrap_or(0)),
        ValueFractionDigits => format!("Arrondissez à {} décimale(s) au plus", st.fraction_digits.unwrap_or(0)),
        _ => "Corrigez la valeur".into(),
    }
}

fn note_finding(note: &workbook::TextNote, header: &str) -> (Level, &'static str, String, String) {
    use workbook::TextNote;
    let retype = "Retapez la valeur dans la cellule (ce caractère vient souvent d'un copier-coller depuis un PDF, un site web ou un traitement de texte)";
    match note {
        TextNote::Trimmed => (
            Level::Info,
            "espaces-retires",
            format!("Les espaces en début ou fin de {header} ont été retirés"),
            "Rien à faire ; pour un fichier propre, retirez-les dans le classeur".into(),
        ),
        TextNote::NonBreakingSpace => (
            Level::Info,
            "espace-insecable",
            format!(
                "Des espaces insécables dans {header} ont été remplacés par des espaces ordinaires"
            ),
            "Rien à faire".into(),
        ),
        TextNote::Normalized => (
            Level::Info,
            "unicode-normalise",
            format!("Les caractères accentués de {header} ont été normalisés (forme NFC)"),
            "Rien à faire".into(),
        ),
        TextNote::IllegalXmlChar(c) => (
            Level::Erreur,
            "caractere-interdit",
            format!(
                "{header} contient un caractère de contrôle interdit en XML (U+{:04X}) : il a été retiré et la ligne n'est pas transmise, car la valeur lue n'est peut-être pas celle voulue",
                *c as u32
            ),
            retype.into(),
        ),
        TextNote::LineBreak => (
            Level::Avertissement,
            "retour-a-la-ligne",
            format!("{header} contient un retour à la ligne ou une tabulation, remplacé par une espace"),
            "Vérifiez la valeur transmise ; pour un fichier propre, écrivez-la sur une seule ligne (Alt+Entrée insère un retour à la ligne dans Excel)".into(),
        ),
        TextNote::RepeatedSpaces => (
            Level::Avertissement,
            "espaces-multiples",
            format!("{header} contient plusieurs espaces de suite, réduites à une seule"),
            "Vérifiez la valeur transmise ; pour un fichier propre, retirez les espaces en trop".into(),
        ),
        TextNote::InvisibleChar(c) => (
            Level::Avertissement,
            "caractere-invisible",
            format!(
                "{header} contenait un caractère invisible (U+{:04X}), qui a été retiré",
                *c as u32
            ),
            retype.into(),
        ),
        TextNote::TooLong { chars } => (
            Level::Erreur,
            "cellule-trop-longue",
            format!(
                "{header} contient {chars} caractères, au-delà des {} qu'une cellule peut contenir : la valeur a été coupée et la ligne n'est pas transmise",
                workbook::limits::MAX_CELL_CHARS
            ),
            "Vérifiez le contenu de la cellule (un collage accidentel ?) et saisissez seulement la valeur attendue".into(),
        ),
        TextNote::FormulaWithoutValue => (
            Level::Erreur,
            "formule-sans-resultat",
            format!("{header} contient une formule dont le résultat n'est pas enregistré dans le fichier (il a été produit par un programme qui ne calcule pas les formules)"),
            "Ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le (les formules seront calculées), ou remplacez la formule par sa valeur (Copier, puis Collage spécial › Valeurs)".into(),
        ),
    }
}

/// Workbook-level notes about the sheets the conversion reads (the template's own hidden
/// « Listes » sheet or a merged title in « Aide » say nothing about the data).
fn book_findings(
    notes: &[workbook::BookNote],
    passages: &str,
    params: Option<&str>,
    findings: &mut Vec<Finding>,
) {
    let read = |name: &str| name == passages || params == Some(name);
    for note in notes {
        let (level, code, sheet, cell, message, fix) = match note {
            workbook::BookNote::HiddenSheet { sheet } if read(sheet) => (
                Level::Avertissement,
                "feuille-masquee",
                sheet.clone(),
                String::new(),
                format!("La feuille « {sheet} » est masquée dans le classeur : elle a été lue normalement"),
                "Vérifiez que c'est bien la feuille à transmettre ; affichez-la (clic droit sur un onglet › Afficher) pour la contrôler".to_owned(),
            ),
            workbook::BookNote::MergedCells { sheet, range } if read(sheet) => (
                Level::Avertissement,
                "cellules-fusionnees",
                sheet.clone(),
                format!("{sheet}!{range}"),
                format!("Les cellules {range} de la feuille « {sheet} » sont fusionnées : seule la première garde la valeur, les autres sont lues vides"),
                "Annulez la fusion (Accueil › Fusionner et centrer) et recopiez la valeur dans chaque cellule qui en a besoin".to_owned(),
            ),
            workbook::BookNote::Windows1252 => (
                Level::Info,
                "encodage-windows-1252",
                passages.to_owned(),
                String::new(),
                "Le fichier CSV n'est pas en UTF-8 : il a été lu en Windows-1252 (l'encodage d'Excel sous Windows)".to_owned(),
                "Vérifiez les accents dans le rapport ; pour être sûr, enregistrez le fichier en « CSV UTF-8 » ou au format .xlsx".to_owned(),
            ),
            _ => continue,
        };
        findings.push(Finding {
            level,
            code,
            sheet,
            cell,
            row: 0,
            column: String::new(),
            value: String::new(),
            message,
            fix,
        });
    }
}

/// Splits the kept records into files and writes them, each validated again by the engine.
fn write_files(
    schema: &Schema,
    plan: &Plan,
    params: &HashMap<String, String>,
    kept: Vec<Record>,
    group_values: &[Vec<Option<FieldValue>>],
    options: &ConvertOptions,
    findings: &mut Vec<Finding>,
) -> Vec<OutputFile> {
    let indent = kept.len() <= options.indented_up_to;
    let per_file = options
        .max_passages
        .unwrap_or(MAX_PASSAGES_PER_FILE)
        .clamp(1, MAX_PASSAGES_PER_FILE);
    let code_slot = plan.find("code").and_then(|n| match n.body {
        Body::Leaf { slot, .. } => slot,
        _ => None,
    });
    let code_for_name = if group_values.len() == 1 {
        match code_slot
            .and_then(|s| group_values[0].get(s))
            .and_then(|v| v.as_ref())
        {
            Some(FieldValue::Text(t)) => t.clone(),
            _ => "flux".to_owned(),
        }
    } else {
        "multi".to_owned()
    };
    // Groups by (type, code) in order of first appearance, then chunks of at most per_file
    // passages and MAX_BYTES_PER_FILE bytes; a certification may continue in the next file.
    let mut groups: Vec<Vec<Record>> = (0..group_values.len()).map(|_| Vec::new()).collect();
    for r in kept {
        let g = r.group;
        groups[g].push(r);
    }
    type Chunk = Vec<(usize, Vec<Record>)>;
    let mut chunks: Vec<Chunk> = vec![Vec::new()];
    let (mut count, mut bytes) = (0usize, 0usize);
    for (g, records) in groups.into_iter().enumerate() {
        let mut current: Vec<Record> = Vec::new();
        for r in records {
            if count == per_file || bytes + r.xml.len() > MAX_BYTES_PER_FILE - 10_000 {
                if !current.is_empty() {
                    if let Some(last) = chunks.last_mut() {
                        last.push((g, std::mem::take(&mut current)));
                    }
                }
                chunks.push(Vec::new());
                count = 0;
                bytes = 0;
            }
            count += 1;
            bytes += r.xml.len();
            current.push(r);
        }
        if !current.is_empty() {
            if let Some(last) = chunks.last_mut() {
                last.push((g, current));
            }
        }
    }
    chunks.retain(|c| !c.is_empty());
    let split = chunks.len() > 1;
    let given_id = params.get("idFlux").cloned();
    let mut built = Vec::new();
    for (i, chunk) in chunks.into_iter().enumerate() {
        let id_flux = match (&given_id, split) {
            (Some(id), false) => id.clone(),
            (Some(id), true) => format!("{id}-{}", i + 1),
            (None, _) => ids::Uuid::new_v4().to_string(),
        };
        let mut file_params = params.clone();
        file_params.insert("idFlux".into(), id_flux.clone());
        let passages: usize = chunk.iter().map(|(_, g)| g.len()).sum();
        let mut out = String::with_capacity(4096);
        out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let mut filler = FileFiller {
            chunk,
            group_values,
            params: &file_params,
            current: None,
            spans: Vec::new(),
            passages: Default::default(),
            done: Vec::new(),
            done_len: 0,
        };
        let values = Values {
            record: None,
            params: &file_params,
        };
        let root = &plan.root;
        out.push('<');
        out.push_str(&root.tag);
        if let (Some(p), Some(ns)) = (&plan.prefix, &plan.namespace) {
            out.push_str(&format!(" xmlns:{p}=\"{ns}\""));
        }
        out.push_str(&format!(" xmlns:xsi=\"{}\">", writer::XSI_NS));
        let mut missing = Vec::new();
        if let Body::Complex(children) = &root.body {
            writer::render_children(
                children,
                &values,
                &mut filler,
                &mut out,
                &mut missing,
                writer::Level::Flux,
            );
        }
        writer::close(&mut out, &root.tag);
        out.push('\n');
        let name = if split {
            format!(
                "accrochage_{}_{}_{}.xml",
                safe_name(&code_for_name),
                options.now.compact(),
                i + 1
            )
        } else {
            format!(
                "accrochage_{}_{}.xml",
                safe_name(&code_for_name),
                options.now.compact()
            )
        };
        let mut spans = std::mem::take(&mut filler.spans);
        let mut pieces = std::mem::take(&mut filler.done);
        pieces.push(out);
        // Laid out, a file grows by about a quarter: never beyond the size limit.
        let compact_len: usize = pieces.iter().map(String::len).sum();
        if indent && compact_len <= MAX_BYTES_PER_FILE / 2 {
            let mut marks = Vec::new();
            for s in &spans {
                marks.push(s.start);
                marks.extend_from_slice(&s.passages);
                marks.push(s.passages_end);
                marks.push(s.end);
            }
            let mut compact = String::with_capacity(compact_len);
            for piece in &pieces {
                compact.push_str(piece);
            }
            let (laid_out, moved) = layout::indented(&compact, &marks);
            let mut moved = moved.iter();
            let mut next = || moved.next().copied().unwrap_or_default();
            for s in &mut spans {
                s.start = next();
                for p in &mut s.passages {
                    *p = next();
                }
                s.passages_end = next();
                s.end = next();
            }
            pieces = vec![laid_out];
        }
        built.push((
            OutputFile {
                name,
                xml: XmlText::from_pieces(pieces),
                passages,
                id_flux,
            },
            missing.first().map(|m| m.name.clone()),
            spans,
        ));
    }
    let splittable = repeats_freely(schema, plan, writer::GROUP_ELEMENT)
        && repeats_freely(schema, plan, writer::RECORD_ELEMENT);
    let check = || {
        validate_files(
            schema,
            built
                .iter()
                .map(|(f, _, spans)| (&f.xml, if splittable { &spans[..] } else { &[] })),
            options.partner.as_ref(),
        )
    };
    #[cfg(target_arch = "wasm32")]
    let reports = check();
    #[cfg(not(target_arch = "wasm32"))]
    let reports = match &options.early_writer {
        Some(EarlyWriter(write)) => std::thread::scope(|scope| {
            let write_all = || built.iter().for_each(|(f, _, _)| write(f));
            if std::thread::Builder::new()
                .spawn_scoped(scope, write_all)
                .is_err()
            {
                write_all();
            }
            check()
        }),
        None => check(),
    };
    let mut files = Vec::new();
    for ((file, missing, _), report) in built.into_iter().zip(reports) {
        let name = &file.name;
        if missing.is_some() || !report.is_valid() {
            let detail = report
                .errors()
                .next()
                .map(|d| format!("ligne {} : {}", d.line, d.message))
                .or_else(|| missing.map(|m| format!("{m} manquant")))
                .unwrap_or_default();
            findings.push(Finding {
                level: Level::Erreur,
                code: "erreur-interne",
                sheet: String::new(),
                cell: String::new(),
                row: 0,
                column: String::new(),
                value: name.clone(),
                message: format!("Erreur interne d'accrochage : le XML produit ({name}) n'est pas valide ({detail}) ; il n'est pas fourni"),
                fix: "Merci de signaler ce problème aux développeurs d'accrochage avec le rapport (sans les données personnelles)".into(),
            });
            continue;
        }
        files.push(file);
    }
    files
}

fn safe_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

impl Record {
    fn text_slot(&self, slot: Option<usize>) -> Option<&str> {
        match slot
            .and_then(|s| self.values.get(s))
            .and_then(|v| v.as_ref())
        {
            Some(FieldValue::Text(t)) => Some(t),
            _ => None,
        }
    }
}

/// Fills a file: one `certification` per group, each with its passages' pre-rendered XML (moved
/// out of the records as they are written).
struct FileFiller<'a> {
    chunk: Vec<(usize, Vec<Record>)>,
    group_values: &'a [Vec<Option<FieldValue>>],
    params: &'a HashMap<String, String>,
    current: Option<usize>,
    /// Where each group, and each of its passages, lies in the file.
    spans: Vec<GroupSpan>,
    /// The passages of the group being written: where each starts, where the last ends.
    passages: (Vec<usize>, usize),
    /// The file's pieces before the text being written, and their length in bytes.
    done: Vec<String>,
    done_len: usize,
}

impl Filler for FileFiller<'_> {
    fn groups(&mut self, node: &Node, out: &mut String) {
        let Body::Groups(children) = &node.body else {
            return;
        };
        let (group_values, params) = (self.group_values, self.params);
        for i in 0..self.chunk.len() {
            let g = self.chunk[i].0;
            self.current = Some(i);
            let values = Values {
                record: Some(&group_values[g]),
                params,
            };
            let start = self.done_len + out.len();
            writer::open(out, &node.tag);
            let mut missing = Vec::new();
            writer::render_children(
                children,
                &values,
                self,
                out,
                &mut missing,
                writer::Level::Group,
            );
            writer::close(out, &node.tag);
            let (passages, passages_end) = std::mem::take(&mut self.passages);
            self.spans.push(GroupSpan {
                start,
                end: self.done_len + out.len(),
                passages,
                passages_end,
            });
        }
        self.current = None;
    }

    fn records(&mut self, _: &Node, out: &mut String) {
        if let Some((_, records)) = self.current.and_then(|i| self.chunk.get_mut(i)) {
            // The text so far ends a piece; each passage's XML is moved in as a piece of its
            // own, without copying it (see `XmlText`).
            let written = std::mem::take(out);
            self.done_len += written.len();
            self.done.push(written);
            let mut starts = Vec::with_capacity(records.len());
            for r in records.iter_mut() {
                starts.push(self.done_len);
                self.done_len += r.xml.len();
                self.done.push(std::mem::take(&mut r.xml));
            }
            self.passages = (starts, self.done_len);
        }
    }
}
