//! The conversion of a sheet whose rows arrive in batches: [`RowConverter`].
//!
//! Natively the rows come from a reader on another thread, through an iterator the converter
//! pulls from. In the page the engine cannot wait for a message in the middle of a call: the
//! workbook is read by a second worker, which posts the rows in batches, and the engine pushes
//! each batch here as it arrives, between calls. Both ways, and for a workbook read whole, the
//! rows go through the same [`RowConverter::push`], so they give the same XML and report.
//!
//! Natively the reading thread may also prepare batches itself (`Setup::prepare`: cells read,
//! passage written, findings listed, nothing shared with other batches) while this one applies
//! others in order (`Converting::apply`: the rules that compare a row with the rows before it,
//! the grouping by certification, the infos listed again merged into the ones before); see
//! `stream`.
//!
//! ```
//! use accrochage::convert::{ConvertOptions, LocalNow, RowConverter};
//! use accrochage::workbook::{read_workbook, Streamed};
//! use accrochage::xsd::Schema;
//! let csv = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;\
//! presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee\n\
//! T-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n\
//! T-2;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;MARTIN;Paul;1991;M;75056\n";
//! let mut book = read_workbook(csv.as_bytes(), "passages.csv").unwrap();
//! let rows = std::mem::take(&mut book.sheets[0].rows);
//! let (schema, mut options) = (Schema::cdc(), ConvertOptions::at(LocalNow::from_unix(1_790_000_000, 120)));
//! for (key, value) in [("idClientEmetteur", "ABCD1234"), ("idClientCertificateur", "ABCD1234"), ("idContrat", "MCF-1")] {
//!     options.params.insert(key.into(), value.into());
//! }
//! let mut converter = RowConverter::new(book, 0);
//! for row in rows {
//!     converter.push(std::iter::once(row), &schema, &options).unwrap();
//! }
//! let result = converter.finish(Vec::new(), &schema, &options).unwrap();
//! assert_eq!(result.summary.passages_written, 2);
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use super::cells::FieldValue;
use super::{
    book_findings, cell_reference, columns, dictionary, merge_repeated_infos, read_params, rules,
    write_files, writer, Conversion, ConvertError, ConvertOptions, Finding, Level, Premerged,
    Record, Repeats, RowContext, RulesContext, Summary, Target, PARAMS_SHEET,
};
use crate::workbook::{self, BookNote, CellValue, DateSystem, Workbook};
use crate::xsd::model::Passed;
use crate::xsd::Schema;
use writer::{Plan, Slots};

/// A conversion fed rows in order, in as many batches as wanted, then finished with the book's
/// notes. See the module doc.
pub struct RowConverter {
    state: State,
}

enum State {
    /// The header is not found yet: the sheet's first rows gather in the book until there are
    /// enough to look for it.
    Gathering {
        book: Workbook,
        index: usize,
    },
    Converting(Box<Converting>),
    /// Left by a failure (already returned) or a finished conversion.
    Done,
}

/// Everything the rows are read against, fixed once the header is read: shared with a thread
/// that prepares batches of rows ([`Setup::prepare`]) while this one applies others.
pub(super) struct Setup {
    plan: Plan,
    slots: Slots,
    map: columns::ColumnMap,
    targets: Vec<Target>,
    /// Column index → position in the map.
    by_index: Vec<Option<usize>>,
    params: HashMap<String, String>,
    sheet_name: String,
    params_sheet: Option<String>,
    date_system: DateSystem,
    group_slots: (Option<usize>, Option<usize>),
    /// By column: the labels of its enumeration, prepared once for all rows.
    resolvers: Vec<Option<dictionary::EnumerationResolver>>,
}

/// Rows read against the [`Setup`], in order, each with its findings, and its record unless it
/// gave none; the rules (which compare a row with those before it) and the grouping are left to
/// [`RowConverter::push_prepared`]. Rows without a value (header, labels, blanks) are not in it.
#[cfg(not(target_arch = "wasm32"))]
pub(super) struct Prepared {
    rows: Vec<PreparedRow>,
    findings: Vec<Finding>,
    /// The infos listed in this batch for the first time in it, by increasing index in
    /// `findings`: the batch's other occurrences are counted in [`Repeats`], and the whole is
    /// merged into what earlier batches listed (see [`RowContext::repeated_info`]).
    listed: Vec<(usize, String, Repeats)>,
}

#[cfg(not(target_arch = "wasm32"))]
struct PreparedRow {
    record: Option<Record>,
    /// Where its findings end in [`Prepared::findings`].
    findings_end: usize,
}

/// The buffers a preparing thread keeps from batch to batch.
#[derive(Default)]
pub(super) struct PrepareBuffers {
    passage: String,
    scratch: String,
    info_key: String,
    passed: Passed,
}

/// What the rows read so far have left.
struct Converting {
    setup: Arc<Setup>,
    findings: Vec<Finding>,
    /// The infos listed so far (see [`RowContext::repeated_info`]) and their repeats.
    infos: HashMap<String, usize>,
    repeats: Vec<(usize, Repeats)>,
    buffers: PrepareBuffers,
    rules: rules::RulesState,
    kept: Kept,
    rows_read: usize,
}

/// The rows kept for the XML, and their certifications.
#[derive(Default)]
struct Kept {
    records: Vec<Record>,
    group_keys: Vec<(Option<String>, Option<String>)>,
    group_values: Vec<Vec<Option<FieldValue>>>,
}

impl Kept {
    /// Checks a row against the rules (and the rows before it); keeps it unless it has an
    /// error.
    fn keep(
        &mut self,
        mut r: Record,
        rules: &mut rules::Rules,
        findings: &mut Vec<Finding>,
        group_slots: (Option<usize>, Option<usize>),
    ) {
        let before = findings.len();
        rules.check(&mut r, findings);
        r.has_error |= findings[before..].iter().any(|f| f.level == Level::Erreur);
        if r.has_error {
            return;
        }
        // Only the first kept row of each certification is needed to write its fields: the
        // others keep just their XML, so memory stays near the size of the output.
        let key = (
            r.text_slot(group_slots.0).map(str::to_owned),
            r.text_slot(group_slots.1).map(str::to_owned),
        );
        r.group = match self.group_keys.iter().position(|k| *k == key) {
            Some(g) => g,
            None => {
                self.group_keys.push(key);
                self.group_values.push(std::mem::take(&mut r.values));
                self.group_keys.len() - 1
            }
        };
        r.values = Vec::new();
        r.columns = Vec::new();
        self.records.push(r);
    }
}

/// A conversion fed the messages of a streamed reading ([`workbook::read_streaming`]), in the
/// order they were sent: what the page's engine does with the messages its second worker posts.
#[derive(Default)]
pub struct MessageConverter {
    converter: Option<RowConverter>,
    /// The conversion's error (no header): said once the file is read to its end, since a
    /// reading error would come first.
    failed: Option<ConvertError>,
    rows: usize,
    notes: Option<Vec<BookNote>>,
    /// Said [`Next::ReadWhole`]: it stays said.
    abandoned: bool,
}

/// What [`MessageConverter::take`] expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// More messages.
    More,
    /// Nothing: call [`MessageConverter::finish`].
    Finish,
    /// The file is not read this way (see [`workbook::Streamed::Fallback`]): read it whole, as
    /// [`super::convert`] does, which says why when it cannot be read.
    ReadWhole,
}

impl MessageConverter {
    pub fn new() -> MessageConverter {
        MessageConverter::default()
    }

    /// Takes the next message; `None` stands for bytes that held none (see
    /// [`workbook::wire::decode`]), which count as a fallback.
    pub fn take(
        &mut self,
        message: Option<workbook::Streamed>,
        schema: &Schema,
        options: &ConvertOptions,
    ) -> Next {
        use workbook::Streamed;
        if self.abandoned {
            return Next::ReadWhole;
        }
        let reading = self.converter.is_some() && self.notes.is_none();
        match message {
            Some(Streamed::Book { book, index }) if self.converter.is_none() => {
                self.converter = Some(RowConverter::new(book, index));
                Next::More
            }
            Some(Streamed::Rows(rows)) if reading => {
                self.rows += rows.len();
                if let (None, Some(converter)) = (&self.failed, self.converter.as_mut()) {
                    if let Err(e) = converter.push(rows, schema, options) {
                        self.failed = Some(e);
                    }
                }
                Next::More
            }
            Some(Streamed::End(notes)) if reading => {
                self.notes = Some(notes);
                Next::Finish
            }
            // A fallback, or messages out of order (which would be a bug): read whole.
            _ => {
                self.converter = None;
                self.abandoned = true;
                Next::ReadWhole
            }
        }
    }

    /// Rows received so far (for a progress bar).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The conversion, once [`Self::take`] said [`Next::Finish`].
    pub fn finish(
        self,
        schema: &Schema,
        options: &ConvertOptions,
    ) -> Result<Conversion, ConvertError> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        match (self.converter, self.notes) {
            (Some(converter), Some(notes)) => converter.finish(notes, schema, options),
            _ => Err(ConvertError::Workbook(
                "lecture du classeur interrompue".into(),
            )),
        }
    }
}

impl RowConverter {
    /// A conversion of `book`'s sheet `index`, which may already hold the first rows (the others
    /// are pushed).
    pub fn new(book: Workbook, index: usize) -> RowConverter {
        RowConverter {
            state: State::Gathering { book, index },
        }
    }

    /// Reads the next rows. An error (no header row, a schema without a root) ends the
    /// conversion: it is returned once, and the rows pushed after it are ignored.
    pub fn push(
        &mut self,
        rows: impl IntoIterator<Item = workbook::Row>,
        schema: &Schema,
        options: &ConvertOptions,
    ) -> Result<(), ConvertError> {
        self.push_from(&mut rows.into_iter(), schema, options)
    }

    /// [`Self::push`], compiled once for every kind of row source.
    fn push_from(
        &mut self,
        rows: &mut dyn Iterator<Item = workbook::Row>,
        schema: &Schema,
        options: &ConvertOptions,
    ) -> Result<(), ConvertError> {
        if let State::Gathering { book, index } = &mut self.state {
            let sheet = &mut book.sheets[*index].rows;
            while sheet.len() < columns::HEADER_ROWS {
                match rows.next() {
                    Some(row) => sheet.push(row),
                    None => return Ok(()),
                }
            }
            self.start(schema, options)?;
        }
        if let State::Converting(c) = &mut self.state {
            c.read(rows, schema, options);
        }
        Ok(())
    }

    /// What the rows are read against, once the header is found: another thread may then
    /// prepare batches ([`Setup::prepare`]) for [`Self::push_prepared`].
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn setup(&self) -> Option<Arc<Setup>> {
        match &self.state {
            State::Converting(c) => Some(Arc::clone(&c.setup)),
            _ => None,
        }
    }

    /// Takes the next rows, prepared against [`Self::setup`]. Ignored, as pushed rows are, after
    /// the conversion failed.
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn push_prepared(&mut self, batch: Prepared, options: &ConvertOptions) {
        if let State::Converting(c) = &mut self.state {
            c.apply(batch, options);
        }
    }

    /// The files and the report, once every row was pushed; `notes` are the book's (they
    /// replace those the book was created with).
    pub fn finish(
        mut self,
        notes: Vec<BookNote>,
        schema: &Schema,
        options: &ConvertOptions,
    ) -> Result<Conversion, ConvertError> {
        if matches!(self.state, State::Gathering { .. }) {
            self.start(schema, options)?;
        }
        match std::mem::replace(&mut self.state, State::Done) {
            State::Converting(c) => Ok(c.finish(notes, schema, options)),
            _ => Err(ConvertError::Workbook(
                "conversion déjà terminée ou interrompue".into(),
            )),
        }
    }

    /// Finds the header in the rows gathered and reads them.
    fn start(&mut self, schema: &Schema, options: &ConvertOptions) -> Result<(), ConvertError> {
        let State::Gathering { book, index } = std::mem::replace(&mut self.state, State::Done)
        else {
            return Ok(());
        };
        let (mut converting, head) = Converting::new(book, index, schema, options)?;
        converting.read(&mut head.into_iter(), schema, options);
        self.state = State::Converting(Box::new(converting));
        Ok(())
    }
}

impl Setup {
    /// A context to read rows in, its findings going to `findings`, its buffers taken from
    /// `buffers` (see [`RowContext::give_back`]).
    fn row_context<'a>(
        &'a self,
        schema: &'a Schema,
        findings: &'a mut Vec<Finding>,
        buffers: &mut PrepareBuffers,
    ) -> RowContext<'a> {
        let plan = &self.plan;
        RowContext {
            targets: &self.targets,
            schema,
            record_node: plan.find(writer::RECORD_ELEMENT),
            group_node: plan.find(writer::GROUP_ELEMENT),
            by_index: &self.by_index,
            slots: &self.slots,
            map: &self.map,
            sheet_name: &self.sheet_name,
            system: self.date_system,
            findings,
            infos: HashMap::new(),
            info_key: std::mem::take(&mut buffers.info_key),
            repeats: Vec::new(),
            passage: std::mem::take(&mut buffers.passage),
            scratch: std::mem::take(&mut buffers.scratch),
            passed: std::mem::take(&mut buffers.passed),
            resolvers: &self.resolvers,
        }
    }

    fn rules<'a>(
        &'a self,
        options: &ConvertOptions,
        state: &'a mut rules::RulesState,
    ) -> rules::Rules<'a> {
        rules::Rules::new(
            RulesContext {
                sheet: &self.sheet_name,
                map: &self.map,
                fields: rules::FIELD_NAMES.map(|name| self.slots.get(name)),
                today: options.now.date(),
            },
            state,
        )
    }

    /// Whether a row is a passage's: neither the header, nor the labels under it, nor blank.
    fn has_values(&self, row: &workbook::Row) -> bool {
        let map = &self.map;
        if row.number <= map.header_row || Some(row.number) == map.label_row {
            return false;
        }
        // Cells of spaces only make no row: counted, it would be « excluded » without a
        // finding saying why, and the user could not account for every row of the report.
        let blank = |c: &workbook::Cell| {
            matches!(&c.value, CellValue::Text(t) if workbook::is_blank(t)) && c.notes.is_empty()
        };
        !row.cells.iter().all(blank)
    }

    /// Reads rows against the setup, on another thread than the conversion's: see
    /// [`Prepared`].
    #[cfg(not(target_arch = "wasm32"))]
    pub(super) fn prepare(
        &self,
        rows: Vec<workbook::Row>,
        schema: &Schema,
        buffers: &mut PrepareBuffers,
    ) -> Prepared {
        let mut findings = Vec::new();
        let mut ctx = self.row_context(schema, &mut findings, buffers);
        let mut prepared = Vec::with_capacity(rows.len());
        for row in rows {
            if !self.has_values(&row) {
                continue;
            }
            let record = ctx.read_row(&row, &self.params);
            prepared.push(PreparedRow {
                record,
                findings_end: ctx.findings.len(),
            });
        }
        let infos = std::mem::take(&mut ctx.infos);
        let repeats = std::mem::take(&mut ctx.repeats);
        ctx.give_back(buffers);
        // `repeats` is in the order listed, which is the findings' order.
        let mut keys: Vec<String> = vec![String::new(); repeats.len()];
        for (key, r) in infos {
            keys[r] = key;
        }
        let listed = repeats
            .into_iter()
            .zip(keys)
            .map(|((at, seen), key)| (at, key, seen))
            .collect();
        Prepared {
            rows: prepared,
            findings,
            listed,
        }
    }
}

impl RowContext<'_> {
    /// Hands its buffers back, for the next rows.
    fn give_back(self, buffers: &mut PrepareBuffers) {
        *buffers = PrepareBuffers {
            passage: self.passage,
            scratch: self.scratch,
            info_key: self.info_key,
            passed: self.passed,
        };
    }
}

impl Converting {
    /// The setup from the book and its first rows, which are handed back to be read.
    fn new(
        mut book: Workbook,
        index: usize,
        schema: &Schema,
        options: &ConvertOptions,
    ) -> Result<(Converting, Vec<workbook::Row>), ConvertError> {
        let passages = &book.sheets[index];
        let params_sheet = book.sheet(PARAMS_SHEET).map(|s| s.name.clone());
        let mut findings = Vec::new();
        let Some(root) = schema
            .global_elements()
            .next()
            .map(|e| e.name.clone())
            .and_then(|n| schema.global_element(&n))
        else {
            // Unreachable from any input: Schema::parse refuses a schema without a global
            // element (tests/xsd_engine.rs); an error rather than a panic keeps the invariant
            // cheap.
            return Err(ConvertError::Workbook(
                "le schéma ne déclare pas d'élément racine".into(),
            ));
        };
        let mut slots = Slots::default();
        let plan = Plan::new(schema, root, &mut slots);
        let map =
            columns::map_columns(passages, &plan.known_keys(), &mut findings).ok_or_else(|| {
                ConvertError::NoHeader {
                    sheet: passages.name.clone(),
                }
            })?;
        // Derived fields exist even without a column of their own.
        for k in ["anneeNaissance", "moisNaissance", "jourNaissance"] {
            slots.intern(k);
        }
        let params = read_params(&book, schema, &plan, options, &mut findings);
        let sheet_name = passages.name.clone();
        let date_system = book.date_system;
        let head = std::mem::take(&mut book.sheets[index].rows);
        drop(book);
        let targets: Vec<Target> = map
            .columns
            .iter()
            .map(|c| {
                if c.key == "dateNaissance" {
                    return Target::BirthDate;
                }
                if let Some(parts) = plan.list_fields.get(&c.key) {
                    return Target::List(parts.clone());
                }
                match (plan.fields.get(&c.key), slots.get(&c.key)) {
                    (Some(info), Some(slot)) => Target::Field {
                        element: info.element,
                        nillable: info.nillable,
                        slot,
                    },
                    _ => Target::Param,
                }
            })
            .collect();
        let mut by_index = vec![
            None;
            map.columns
                .iter()
                .map(|c| c.index as usize + 1)
                .max()
                .unwrap_or(0)
        ];
        for (i, c) in map.columns.iter().enumerate() {
            by_index[c.index as usize] = Some(i);
        }
        let resolvers = map
            .columns
            .iter()
            .zip(&targets)
            .map(|(c, t)| match t {
                Target::Field { .. } => dictionary::EnumerationResolver::new(schema, &c.key),
                _ => None,
            })
            .collect();
        let group_slots = (slots.get("type"), slots.get("code"));
        let setup = Setup {
            plan,
            slots,
            map,
            targets,
            by_index,
            params,
            sheet_name,
            params_sheet,
            date_system,
            group_slots,
            resolvers,
        };
        let converting = Converting {
            setup: Arc::new(setup),
            findings,
            infos: HashMap::new(),
            repeats: Vec::new(),
            buffers: PrepareBuffers::default(),
            rules: rules::RulesState::default(),
            kept: Kept::default(),
            rows_read: 0,
        };
        Ok((converting, head))
    }

    /// Reads rows into records: kept, or left out with the findings that say why.
    fn read(
        &mut self,
        rows: &mut dyn Iterator<Item = workbook::Row>,
        schema: &Schema,
        options: &ConvertOptions,
    ) {
        // Row by row into the conversion's own findings: a batch prepared apart (natively, by
        // the reading thread) keeps each row's values until it is applied, which in the page's
        // allocator would scatter the passages' text between them (the page was 15 % slower).
        let setup = &*self.setup;
        let buffers = &mut self.buffers;
        let mut ctx = setup.row_context(schema, &mut self.findings, buffers);
        ctx.infos = std::mem::take(&mut self.infos);
        ctx.repeats = std::mem::take(&mut self.repeats);
        let mut rules = setup.rules(options, &mut self.rules);
        for row in rows {
            if !setup.has_values(&row) {
                continue;
            }
            self.rows_read += 1;
            if let Some(r) = ctx.read_row(&row, &setup.params) {
                self.kept
                    .keep(r, &mut rules, ctx.findings, setup.group_slots);
            }
        }
        self.infos = std::mem::take(&mut ctx.infos);
        self.repeats = std::mem::take(&mut ctx.repeats);
        ctx.give_back(buffers);
    }

    /// Takes a batch prepared by another thread: its findings merged into those of the rows
    /// before, then its records checked by the rules and kept or left out.
    #[cfg(not(target_arch = "wasm32"))]
    fn apply(&mut self, batch: Prepared, options: &ConvertOptions) {
        let Prepared {
            rows,
            findings,
            listed,
        } = batch;
        let setup = &*self.setup;
        let mut rules = setup.rules(options, &mut self.rules);
        let mut findings = findings.into_iter().enumerate();
        let mut listed = listed.into_iter().peekable();
        let mut taken = 0;
        for row in rows {
            self.rows_read += 1;
            for (i, finding) in findings.by_ref().take(row.findings_end - taken) {
                match listed.next_if(|(at, _, _)| *at == i) {
                    Some((_, key, seen)) => match self.infos.get(&key) {
                        Some(&r) => {
                            let r = &mut self.repeats[r].1;
                            r.count += 1 + seen.count;
                            r.last = seen.last;
                        }
                        None => {
                            self.infos.insert(key, self.repeats.len());
                            self.repeats.push((self.findings.len(), seen));
                            self.findings.push(finding);
                        }
                    },
                    None => self.findings.push(finding),
                }
            }
            taken = row.findings_end;
            if let Some(r) = row.record {
                self.kept
                    .keep(r, &mut rules, &mut self.findings, setup.group_slots);
            }
        }
    }

    /// The files and the report.
    fn finish(self, notes: Vec<BookNote>, schema: &Schema, options: &ConvertOptions) -> Conversion {
        let Converting {
            setup,
            findings,
            repeats,
            kept:
                Kept {
                    records,
                    group_values,
                    ..
                },
            rows_read,
            ..
        } = self;
        // The book's findings come first, as in the workbook; a streamed sheet's merged cells
        // are only known once it is read.
        let mut book_found = Vec::new();
        book_findings(
            &notes,
            &setup.sheet_name,
            setup.params_sheet.as_deref(),
            &mut book_found,
        );
        let shift = book_found.len();
        let premerged: Vec<Premerged> = repeats
            .iter()
            .filter(|(_, r)| r.count > 0)
            .map(|&(i, r)| {
                let cell = cell_reference(&setup.sheet_name, r.last.1, r.last.0);
                (i + shift, r.count, r.last.0, cell)
            })
            .collect();
        book_found.extend(findings);
        let mut findings = book_found;
        let mut summary = Summary {
            rows_read,
            ..Summary::default()
        };
        let kept = records;
        summary.rows_excluded = rows_read - kept.len();
        let params_ok = !findings
            .iter()
            .any(|f| f.level == Level::Erreur && f.row == 0);
        let mut files = Vec::new();
        let refuse_all = options.strict && findings.iter().any(|f| f.level == Level::Erreur);
        if refuse_all {
            findings.push(Finding {
                level: Level::Info,
                code: "mode-strict",
                sheet: String::new(),
                cell: String::new(),
                row: 0,
                column: String::new(),
                value: String::new(),
                message: "Mode strict : aucun XML n'est produit tant qu'il reste une erreur".into(),
                fix: "Corrigez les erreurs listées puis relancez la conversion".into(),
            });
        } else if params_ok && !kept.is_empty() {
            files = write_files(
                schema,
                &setup.plan,
                &setup.params,
                kept,
                &group_values,
                options,
                &mut findings,
            );
        }
        summary.passages_written = files.iter().map(|f| f.passages).sum();
        summary.files = files.len();
        if !refuse_all && params_ok {
            // Rows kept but not written can only come from an internal failure, reported there.
            summary.rows_excluded = rows_read - summary.passages_written;
        } else {
            summary.rows_excluded = rows_read;
        }
        let findings = merge_repeated_infos(findings, &premerged);
        summary.count(&findings);
        Conversion {
            files,
            findings,
            summary,
        }
    }
}
