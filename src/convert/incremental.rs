//! The conversion of a sheet whose rows arrive in batches: [`RowConverter`].
//!
//! Natively the rows come from a reader on another thread, through an iterator the converter
//! pulls from. In the page the engine cannot wait for a message in the middle of a call: the
//! workbook is read by a second worker, which posts the rows in batches, and the engine pushes
//! each batch here as it arrives, between calls. Both ways, and for a workbook read whole, the
//! rows go through the same [`RowConverter::push`], so they give the same XML and report.
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

use super::cells::FieldValue;
use super::{
    book_findings, cell_reference, columns, dictionary, merge_repeated_infos, read_params, rules,
    write_files, writer, Conversion, ConvertError, ConvertOptions, Finding, Level, Premerged,
    Record, Repeats, RowContext, RulesContext, Summary, Target, PARAMS_SHEET,
};
use crate::workbook::{self, BookNote, CellValue, DateSystem, Workbook};
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

/// Everything the rows are read against, fixed once the header is read.
struct Setup {
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
}

/// What the rows read so far have left.
struct Converting {
    setup: Setup,
    findings: Vec<Finding>,
    /// [`RowContext`]'s own fields, kept between batches.
    infos: HashMap<String, usize>,
    repeats: Vec<(usize, Repeats)>,
    passage: String,
    resolvers: Vec<Option<dictionary::EnumerationResolver>>,
    rules: rules::RulesState,
    records: Vec<Record>,
    rows_read: usize,
    group_keys: Vec<(Option<String>, Option<String>)>,
    group_values: Vec<Vec<Option<FieldValue>>>,
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
        let mut rows = rows.into_iter();
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
        converting.read(head.into_iter(), schema, options);
        self.state = State::Converting(Box::new(converting));
        Ok(())
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
        };
        let converting = Converting {
            setup,
            findings,
            infos: HashMap::new(),
            repeats: Vec::new(),
            passage: String::new(),
            resolvers,
            rules: rules::RulesState::default(),
            records: Vec::new(),
            rows_read: 0,
            group_keys: Vec::new(),
            group_values: Vec::new(),
        };
        Ok((converting, head))
    }

    /// Reads rows into records: kept, or left out with the findings that say why.
    fn read(
        &mut self,
        rows: impl Iterator<Item = workbook::Row>,
        schema: &Schema,
        options: &ConvertOptions,
    ) {
        let setup = &self.setup;
        let plan = &setup.plan;
        let mut ctx = RowContext {
            targets: &setup.targets,
            schema,
            plan,
            record_node: plan.find(writer::RECORD_ELEMENT),
            group_node: plan.find(writer::GROUP_ELEMENT),
            by_index: &setup.by_index,
            slots: &setup.slots,
            map: &setup.map,
            sheet_name: &setup.sheet_name,
            system: setup.date_system,
            findings: &mut self.findings,
            infos: std::mem::take(&mut self.infos),
            info_key: String::new(),
            repeats: std::mem::take(&mut self.repeats),
            passage: std::mem::take(&mut self.passage),
            scratch: String::new(),
            resolvers: std::mem::take(&mut self.resolvers),
        };
        let mut rules = rules::Rules::new(
            RulesContext {
                sheet: &setup.sheet_name,
                map: &setup.map,
                slots: &setup.slots,
                today: options.now.date(),
            },
            &mut self.rules,
        );
        let map = &setup.map;
        for row in rows {
            if row.number <= map.header_row || Some(row.number) == map.label_row {
                continue;
            }
            // Cells of spaces only make no row: counted, it would be « excluded » without a
            // finding saying why, and the user could not account for every row of the report.
            let blank = |c: &workbook::Cell| {
                matches!(&c.value, CellValue::Text(t) if workbook::is_blank(t))
                    && c.notes.is_empty()
            };
            if row.cells.iter().all(blank) {
                continue;
            }
            self.rows_read += 1;
            let Some(mut r) = ctx.read_row(&row, &setup.params) else {
                continue;
            };
            let before = ctx.findings.len();
            rules.check(&mut r, ctx.findings);
            r.has_error |= ctx.findings[before..]
                .iter()
                .any(|f| f.level == Level::Erreur);
            if !r.has_error {
                // Only the first kept row of each certification is needed to write its fields:
                // the others keep just their XML, so memory stays near the size of the output.
                let key = (
                    r.text_slot(setup.group_slots.0).map(str::to_owned),
                    r.text_slot(setup.group_slots.1).map(str::to_owned),
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
        self.infos = ctx.infos;
        self.repeats = ctx.repeats;
        self.passage = ctx.passage;
        self.resolvers = ctx.resolvers;
    }

    /// The files and the report.
    fn finish(self, notes: Vec<BookNote>, schema: &Schema, options: &ConvertOptions) -> Conversion {
        let Converting {
            setup,
            findings,
            repeats,
            records,
            rows_read,
            group_values,
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
