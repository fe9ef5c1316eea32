//! The Excel template users fill in: one sheet of passages, one of parameters, one of help.
//!
//! Everything in it is derived from the compiled [`Schema`] and the [`dictionary`]: columns
//! exist only for elements the schema declares, drop-down lists hold the schema's enumeration
//! values (under their French labels), and each help text quotes the schema's own lengths and
//! ranges. Loading a newer XSD therefore yields a matching template with no code change;
//! elements the dictionary does not know yet still get a column, named after the element.
//!
//! ```
//! use accrochage::template;
//! use accrochage::xsd::Schema;
//!
//! let xlsx: Vec<u8> = template::write_template(&Schema::cdc()).unwrap();
//! assert!(xlsx.starts_with(b"PK")); // an .xlsx file is a zip archive
//! ```

use std::collections::BTreeSet;
use std::fmt;

use rust_xlsxwriter::{
    column_number_to_name, Color, DataValidation, DataValidationErrorStyle, DataValidationRule,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Note, Workbook, Worksheet,
    XlsxError,
};

use crate::dictionary::{self, Entry, Kind, Source, Status};
use crate::sample::Example::{Date, Number, Text};
use crate::sample::{EXAMPLES, EXAMPLE_PARAMETERS};
use crate::workbook::CellValue;
use crate::xsd::builtin::{Builtin, Value};
use crate::xsd::{ElementId, Schema, SimpleType};

/// Name of the sheet holding one passage per row.
pub const SHEET_PASSAGES: &str = "Passages";
/// Name of the sheet holding the file-wide parameters.
pub const SHEET_PARAMETRES: &str = "Paramètres";
/// Name of the sheet explaining how to fill the workbook.
pub const SHEET_AIDE: &str = "Aide";
/// Hidden sheet holding the drop-down lists (Excel caps inline lists at 255 characters).
pub const SHEET_LISTES: &str = "Listes";
/// Row (0-based) of the French labels under the header of the sheet « Passages »: not data.
pub const LABEL_ROW: u32 = 1;
/// First data row (0-based) of the sheet « Passages ».
pub const FIRST_DATA_ROW: u32 = 2;
/// Rows prepared with formats and drop-down lists.
const PREPARED_ROWS: u32 = 10_000;

/// The spellings the template offers for booleans; [`dictionary::parse_boolean`] reads them back.
const BOOLEAN_CHOICES: [&str; 2] = ["Oui", "Non"];
const NIL: &str = "nil";

/// Why the workbook could not be written. Only a defect or an unusable schema can cause it.
#[derive(Debug)]
pub struct TemplateError(XlsxError);

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "impossible de créer le modèle Excel : {}", self.0)
    }
}

impl std::error::Error for TemplateError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<XlsxError> for TemplateError {
    fn from(e: XlsxError) -> Self {
        TemplateError(e)
    }
}

/// The empty template for `schema`, as the bytes of an .xlsx file.
pub fn write_template(schema: &Schema) -> Result<Vec<u8>, TemplateError> {
    build(schema, false, None)
}

/// The template with three fictitious example passages and example parameters: a holder born
/// in France, one born abroad, and one identified by a training file with unknown values (nil).
pub fn write_template_with_examples(schema: &Schema) -> Result<Vec<u8>, TemplateError> {
    build(schema, true, None)
}

/// Data to put in the template: the rows to send again after an accusé de traitement, with the
/// parameters of the original workbook.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    /// Each row's values, by column: a template key (`nomNaissance`) fills that column; any other
    /// header gets a column of its own after the template's, in order of first appearance.
    pub rows: Vec<Vec<(String, CellValue)>>,
    /// Values of the « Paramètres » sheet, by key.
    pub parameters: Vec<(String, String)>,
    /// French labels (second row) of the extra columns, by header.
    pub extra_labels: Vec<(String, String)>,
}

/// The template filled with `filled`'s rows and parameters, as the bytes of an .xlsx file.
pub fn write_filled(schema: &Schema, filled: &Filled) -> Result<Vec<u8>, TemplateError> {
    build(schema, false, Some(filled))
}

/// One column of « Passages » or one row of « Paramètres », resolved against the schema.
struct Column {
    key: String,
    label: String,
    status: Status,
    kind: Kind,
    nillable: bool,
    /// The leaf's simple type, for validations; `None` for packed and unknown-type columns.
    simple_type: Option<SimpleType>,
    /// The dictionary's help (what to put), without the schema's constraints.
    help: String,
    /// The schema's constraints, in French.
    constraints: String,
    /// Drop-down values: labels of the enumeration, or yes/no, plus `nil` where allowed.
    choices: Option<Vec<String>>,
    /// The schema's enumeration codes, quoted when a typed value is not in the list.
    codes: Vec<String>,
}

impl Column {
    fn from_entry(schema: &Schema, entry: &Entry) -> Option<Column> {
        let element = entry.xsd_element(schema)?;
        let nillable = schema.element(element).nillable;
        let (choices, codes) = choices_for(schema, entry.kind, entry.element_name());
        Some(Column {
            key: entry.key.to_owned(),
            label: entry.label.to_owned(),
            status: entry.status,
            kind: entry.kind,
            nillable,
            simple_type: entry.simple_type(schema).cloned(),
            help: entry.help.to_owned(),
            constraints: dictionary::constraints(schema, entry),
            choices: with_nil(choices, nillable),
            codes,
        })
    }

    /// A column for an element the dictionary does not describe (a newer XSD): named after the
    /// element, typed and constrained by the schema alone.
    fn from_unknown(schema: &Schema, id: ElementId, required: bool) -> Column {
        let decl = schema.element(id);
        let st = schema.element_simple_type(id);
        let kind = match st {
            Some(st) if st.enumeration.is_some() => Kind::Enumeration,
            Some(st) => match st.builtin {
                Builtin::Boolean => Kind::Boolean,
                Builtin::Date => Kind::Date,
                Builtin::DateTime => Kind::DateTime,
                b if b.is_decimal() => Kind::Integer,
                _ => Kind::Text,
            },
            None => Kind::Text,
        };
        let (choices, codes) = choices_for(schema, kind, &decl.name);
        let status = if decl.nillable {
            Status::ObligatoireSaufNil
        } else if required {
            Status::Obligatoire
        } else {
            Status::Facultatif
        };
        Column {
            key: decl.name.clone(),
            label: decl.name.clone(),
            status,
            kind,
            nillable: decl.nillable,
            simple_type: st.cloned(),
            help: format!(
                "Élément « {} » du schéma, pas encore décrit par accrochage.",
                decl.name
            ),
            constraints: dictionary::element_constraints(schema, id),
            choices: with_nil(choices, decl.nillable),
            codes,
        }
    }

    /// Label, status, help and constraints: the text of the header's note.
    fn full_help(&self) -> String {
        let mut text = format!("{} — {}.\n{}", self.label, self.status.label(), self.help);
        if !self.constraints.is_empty() {
            text.push('\n');
            text.push_str(&self.constraints);
        }
        text
    }

    /// The data-validation prompt, within Excel's 255 characters: the status and the rule come
    /// first because they are what a person typing needs; the help follows if there is room.
    fn input_message(&self) -> String {
        let rule = if self.choices.is_some() {
            let mut r = "Choisir dans la liste.".to_owned();
            if self.nillable {
                r.push_str(" Inconnu : nil.");
            }
            r
        } else {
            self.constraints.clone()
        };
        let head = format!("{}. {}", self.status.label(), rule);
        let full = format!("{head}\n{}", self.help);
        if utf16_len(&full) <= 255 {
            full
        } else {
            fit(&head, 255)
        }
    }

    fn is_text(&self) -> bool {
        matches!(self.kind, Kind::Text | Kind::Code)
    }

    fn width(&self) -> f64 {
        let longest_choice = self
            .choices
            .iter()
            .flatten()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0);
        let label = self.label.chars().count().min(22);
        let base = self.key.chars().count().max(longest_choice).max(label);
        let min = match self.kind {
            Kind::Date | Kind::DateTime => 12,
            _ => 10,
        };
        (base + 2).clamp(min, 45) as f64
    }
}

/// The drop-down labels of an enumeration or boolean column, and the enumeration's codes.
fn choices_for(schema: &Schema, kind: Kind, element: &str) -> (Option<Vec<String>>, Vec<String>) {
    match kind {
        Kind::Enumeration => match dictionary::enumeration_choices(schema, element) {
            Some(pairs) => {
                let (codes, labels) = pairs.into_iter().unzip();
                (Some(labels), codes)
            }
            None => (None, Vec::new()),
        },
        Kind::Boolean => (
            Some(BOOLEAN_CHOICES.iter().map(|s| s.to_string()).collect()),
            Vec::new(),
        ),
        _ => (None, Vec::new()),
    }
}

fn with_nil(choices: Option<Vec<String>>, nillable: bool) -> Option<Vec<String>> {
    choices.map(|mut c| {
        if nillable {
            c.push(NIL.to_owned());
        }
        c
    })
}

fn utf16_len(s: &str) -> usize {
    s.encode_utf16().count()
}

/// Cuts `s` to at most `max` UTF-16 units (Excel's unit), on a character boundary.
fn fit(s: &str, max: usize) -> String {
    if utf16_len(s) <= max {
        return s.to_owned();
    }
    let mut out = String::new();
    let mut used = 1; // the ellipsis
    for c in s.chars() {
        used += c.len_utf16();
        if used > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The columns of « Passages » and the rows of « Paramètres » for this schema: the dictionary's
/// entries the schema declares, then the schema's leaves the dictionary does not know.
fn columns_for(schema: &Schema) -> (Vec<Column>, Vec<Column>) {
    let mut passages: Vec<Column> = dictionary::columns()
        .iter()
        .filter_map(|e| Column::from_entry(schema, e))
        .collect();
    let mut parameters: Vec<Column> = dictionary::parameters()
        .iter()
        .filter_map(|e| Column::from_entry(schema, e))
        .collect();

    let mut covered: BTreeSet<ElementId> = BTreeSet::new();
    for e in dictionary::columns().iter().chain(dictionary::parameters()) {
        covered.extend(e.xsd_element(schema));
        if let Source::Packed { container, .. } = e.source {
            // Everything below the packed container is written from its one cell.
            let Some(root) = e.xsd_element(schema) else {
                continue;
            };
            dictionary::walk_schema(schema, &mut |path, id| {
                if path.contains(&root) || schema.element(id).name == container {
                    covered.insert(id);
                }
            });
        }
    }
    let mut seen_names: BTreeSet<String> = passages
        .iter()
        .chain(&parameters)
        .map(|c| c.key.clone())
        .collect();
    dictionary::walk_schema(schema, &mut |path, id| {
        if covered.contains(&id) || schema.element_simple_type(id).is_none() {
            return;
        }
        let name = &schema.element(id).name;
        // A name already used keeps its column: one header cannot feed two elements.
        if !seen_names.insert(name.clone()) {
            return;
        }
        let anchor = path.iter().rposition(|&p| {
            matches!(
                schema.element(p).name.as_str(),
                "passageCertification" | "certification"
            )
        });
        let required = is_required(schema, &path[anchor.unwrap_or(0)..], id);
        let column = Column::from_unknown(schema, id, required);
        if anchor.is_some() {
            passages.push(column);
        } else {
            parameters.push(column);
        }
    });
    (passages, parameters)
}

/// Whether `leaf` must appear whenever the first element of `path` does: every step down is a
/// required particle outside any choice.
fn is_required(schema: &Schema, path: &[ElementId], leaf: ElementId) -> bool {
    let steps = path.iter().copied().chain(std::iter::once(leaf));
    path.iter().zip(steps.skip(1)).all(|(&parent, child)| {
        schema
            .children(parent)
            .iter()
            .any(|s| s.element == child && s.min_occurs >= 1 && s.choice.is_none())
    })
}

/// The formats shared by the sheets.
struct Formats {
    header: [Format; 3],
    label: Format,
    text: Format,
    date: Format,
    datetime: Format,
    wrap: Format,
    title: Format,
    section: Format,
}

impl Formats {
    fn new() -> Formats {
        let header = |fill: u32, font: u32| {
            Format::new()
                .set_bold()
                .set_font_color(Color::RGB(font))
                .set_background_color(Color::RGB(fill))
                .set_border(FormatBorder::Thin)
                .set_border_color(Color::RGB(0xBFBFBF))
                .set_align(FormatAlign::VerticalCenter)
        };
        Formats {
            header: [
                header(0x1F4E79, 0xFFFFFF),
                header(0x5B9BD5, 0xFFFFFF),
                header(0xDDEBF7, 0x1F3864),
            ],
            label: Format::new()
                .set_italic()
                .set_font_color(Color::RGB(0x595959))
                .set_background_color(Color::RGB(0xF2F2F2))
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            text: Format::new().set_num_format("@"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            datetime: Format::new().set_num_format("dd/mm/yyyy hh:mm:ss"),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            title: Format::new().set_bold().set_font_size(14),
            section: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
        }
    }

    fn header(&self, status: Status) -> &Format {
        match status {
            Status::Obligatoire => &self.header[0],
            Status::ObligatoireSaufNil => &self.header[1],
            Status::Facultatif => &self.header[2],
        }
    }

    fn column(&self, kind: Kind) -> Option<&Format> {
        match kind {
            Kind::Text | Kind::Code => Some(&self.text),
            Kind::Date => Some(&self.date),
            Kind::DateTime => Some(&self.datetime),
            Kind::Integer | Kind::Boolean | Kind::Enumeration => None,
        }
    }
}

fn build(
    schema: &Schema,
    examples: bool,
    filled: Option<&Filled>,
) -> Result<Vec<u8>, TemplateError> {
    let (passages, parameters) = columns_for(schema);
    let formats = Formats::new();
    let mut workbook = Workbook::new();

    // The hidden list sheet is filled first so that validations can point at it.
    let lists = ListSheet::new(&passages, &parameters);

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_PASSAGES)?;
    write_passages(sheet, &passages, &lists, &formats)?;
    if examples {
        write_examples(sheet, &passages, &formats)?;
    }
    if let Some(filled) = filled {
        write_filled_rows(sheet, &passages, filled, &formats)?;
    }
    sheet.set_active(true);

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_PARAMETRES)?;
    write_parameters(sheet, &parameters, &lists, &formats, examples)?;
    if let Some(filled) = filled {
        for (i, p) in parameters.iter().enumerate() {
            if let Some((_, value)) = filled.parameters.iter().find(|(k, _)| *k == p.key) {
                let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
                sheet.write_string(row, 1, value)?;
            }
        }
    }

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_AIDE)?;
    write_help(sheet, schema, &passages, &parameters, &formats)?;

    let sheet = workbook.add_worksheet();
    sheet.set_name(SHEET_LISTES)?;
    lists.write(sheet)?;
    sheet.set_hidden(true);

    Ok(workbook.save_to_buffer()?)
}

/// The drop-down lists, one column each, on the hidden sheet.
struct ListSheet {
    lists: Vec<(String, Vec<String>)>,
}

impl ListSheet {
    fn new(passages: &[Column], parameters: &[Column]) -> ListSheet {
        let mut lists: Vec<(String, Vec<String>)> = Vec::new();
        for c in passages.iter().chain(parameters) {
            if let Some(choices) = &c.choices {
                if !lists.iter().any(|(_, l)| l == choices) {
                    lists.push((c.key.clone(), choices.clone()));
                }
            }
        }
        ListSheet { lists }
    }

    /// The range holding these choices, as a list-validation source.
    fn formula(&self, choices: &[String]) -> Option<Formula> {
        let col = self.lists.iter().position(|(_, l)| l == choices)?;
        let name = column_number_to_name(u16::try_from(col).ok()?);
        Some(Formula::new(format!(
            "={SHEET_LISTES}!${name}$2:${name}${}",
            choices.len() + 1
        )))
    }

    fn write(&self, sheet: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, (key, choices)) in self.lists.iter().enumerate() {
            let col = u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)?;
            sheet.write_string(0, col, key)?;
            for (row, choice) in choices.iter().enumerate() {
                let row = u32::try_from(row + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
                sheet.write_string(row, col, choice)?;
            }
        }
        Ok(())
    }
}

/// The validation of a column's data cells: a list, a length or a range when the schema gives
/// one, else none; always with the input prompt. Warnings rather than refusals: a code typed
/// instead of a label, or a value pasted from elsewhere, must stay possible.
fn validation_for(column: &Column, lists: &ListSheet) -> Result<DataValidation, XlsxError> {
    let mut error = None;
    let mut v = DataValidation::new();
    let st = column.simple_type.as_ref();
    if let Some(formula) = column.choices.as_ref().and_then(|c| lists.formula(c)) {
        v = v.allow_list_formula(formula);
        error = Some(if column.codes.is_empty() {
            "Répondre Oui ou Non (VRAI/FAUX, O/N, 1/0 et X sont aussi acceptés).".to_owned()
        } else {
            format!(
                "Valeur absente de la liste. Les codes de la Caisse des Dépôts sont aussi \
                 acceptés : {}.",
                column.codes.join(", ")
            )
        });
    } else if let (true, Some(st)) = (column.is_text(), st) {
        let min = st.length.or(st.min_length).unwrap_or(0);
        let max = st.max_chars();
        // nil must stay typeable in nillable columns.
        let nil_fits = !column.nillable || (min..=max.unwrap_or(usize::MAX)).contains(&NIL.len());
        let rule = match (st.length, max) {
            (Some(n), _) => u32::try_from(n).ok().map(DataValidationRule::EqualTo),
            (None, Some(m)) => u32::try_from(m)
                .ok()
                .map(DataValidationRule::LessThanOrEqualTo),
            (None, None) => None,
        };
        if let (true, Some(rule)) = (nil_fits, rule) {
            v = v.allow_text_length(rule);
            error = Some(column.constraints.clone());
        }
    } else if let (Kind::Integer, false, Some(st)) = (column.kind, column.nillable, st) {
        let bound = |b: &Option<(String, Value)>| {
            b.as_ref()
                .and_then(|(lit, _)| lit.trim().parse::<i32>().ok())
        };
        if let (Some(lo), Some(hi)) = (bound(&st.min_inclusive), bound(&st.max_inclusive)) {
            v = v.allow_whole_number(DataValidationRule::Between(lo, hi));
            error = Some(column.constraints.clone());
        }
    }
    if error.is_none() {
        v = v.allow_any_value();
    }
    v = v
        .set_input_title(fit(&column.label, 32))?
        .set_input_message(column.input_message())?;
    if let Some(message) = error {
        v = v
            .set_error_style(DataValidationErrorStyle::Warning)
            .set_error_title("Valeur inattendue")?
            .set_error_message(fit(&message, 255))?;
    }
    Ok(v)
}

fn note_for(text: &str) -> Note {
    // Excel does not size notes to their text: estimate lines at ~50 characters.
    let lines: usize = text
        .lines()
        .map(|l| l.chars().count().div_ceil(50).max(1))
        .sum();
    let height = (lines * 16 + 16).clamp(60, 420);
    Note::new(text)
        .set_author("accrochage")
        .add_author_prefix(false)
        .set_width(380)
        .set_height(u32::try_from(height).unwrap_or(420))
}

fn col_num(i: usize) -> Result<u16, XlsxError> {
    u16::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)
}

fn write_passages(
    sheet: &mut Worksheet,
    columns: &[Column],
    lists: &ListSheet,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let last_row = FIRST_DATA_ROW + PREPARED_ROWS - 1;
    for (i, column) in columns.iter().enumerate() {
        let col = col_num(i)?;
        if let Some(format) = formats.column(column.kind) {
            sheet.set_column_format(col, format)?;
        }
        sheet.set_column_width(col, column.width())?;
        sheet.write_string_with_format(0, col, &column.key, formats.header(column.status))?;
        sheet.write_string_with_format(LABEL_ROW, col, &column.label, &formats.label)?;
        sheet.insert_note(0, col, &note_for(&column.full_help()))?;
        let validation = validation_for(column, lists)?;
        sheet.add_data_validation(FIRST_DATA_ROW, col, last_row, col, &validation)?;
    }
    sheet.set_row_height(0, 20)?;
    sheet.set_row_height(LABEL_ROW, 30)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

fn write_parameters(
    sheet: &mut Worksheet,
    parameters: &[Column],
    lists: &ListSheet,
    formats: &Formats,
    examples: bool,
) -> Result<(), XlsxError> {
    let head = &formats.header[0];
    for (col, title) in ["champ", "valeur", "aide"].iter().enumerate() {
        sheet.write_string_with_format(0, col_num(col)?, *title, head)?;
    }
    sheet.set_column_width(0, 26)?;
    sheet.set_column_width(1, 30)?;
    sheet.set_column_width(2, 100)?;
    sheet.set_column_format(1, &formats.text)?;
    for (i, p) in parameters.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(row, 0, &p.key, formats.header(p.status))?;
        let help = p.full_help();
        sheet.write_string_with_format(row, 2, &help, &formats.wrap)?;
        sheet.set_row_height(row, 15 * estimated_lines(&help, 95))?;
        sheet.add_data_validation(row, 1, row, 1, &validation_for(p, lists)?)?;
        if examples {
            if let Some(value) = EXAMPLE_PARAMETERS
                .iter()
                .find(|(k, _)| *k == p.key)
                .map(|(_, v)| *v)
            {
                sheet.write_string(row, 1, value)?;
            }
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Lines a wrapped text takes in a column about `per_line` characters wide: Excel does not
/// size rows to wrapped text it did not lay out itself.
fn estimated_lines(text: &str, per_line: usize) -> u16 {
    let lines: usize = text
        .lines()
        .map(|l| l.chars().count().div_ceil(per_line).max(1))
        .sum();
    // Excel's tallest row is 409 points.
    u16::try_from(lines.clamp(1, 27)).unwrap_or(27)
}

/// The help sheet's instructions: (title, text).
const INSTRUCTIONS: &[(&str, &str)] = &[
    (
        "Une ligne par passage",
        "Feuille Passages : une ligne par passage de certification (un candidat, une \
         certification), à partir de la ligne 3. La ligne 1 porte les noms attendus par la Caisse \
         des Dépôts : ne pas les modifier. La ligne 2 donne leur libellé en français ; elle est \
         ignorée à la conversion. Répétez type et code sur chaque ligne : les passages sont \
         regroupés par certification automatiquement. Survolez un en-tête pour lire son aide.",
    ),
    (
        "Paramètres",
        "Feuille Paramètres : ce qui vaut pour tout le fichier (identifiants client de \
         l'émetteur et du certificateur, numéro de contrat, nature du déposant). Laissez idFlux \
         et horodatage vides : ils sont remplis à la conversion.",
    ),
    (
        "Le mot nil",
        "nil signifie « valeur inconnue ». Il n'a de sens que dans les colonnes « Obligatoire \
         sauf nil » : une cellule vide y vaut nil. Ailleurs, laissez simplement la cellule vide.",
    ),
    (
        "Dates",
        "Saisissez les dates au format jj/mm/aaaa (ex. 14/03/1990). Les dates au format \
         aaaa-mm-jj sont aussi acceptées. Pas d'heure.",
    ),
    (
        "Codes et zéros initiaux",
        "Les colonnes de codes et de textes (code INSEE, codes postaux, code pays, \
         identifiants…) sont au format Texte pour que les zéros initiaux restent (01053, 06000). \
         Si vous collez des données venues d'ailleurs, utilisez Collage spécial > Valeurs, puis \
         vérifiez que les zéros sont toujours là.",
    ),
    (
        "Listes déroulantes",
        "Les colonnes à valeurs imposées proposent une liste. Les codes de la Caisse des Dépôts \
         (ex. EN_PRESENTIEL) sont aussi acceptés. Pour Oui / Non : VRAI/FAUX, O/N, 1/0 et X \
         conviennent aussi.",
    ),
    (
        "Identifier le titulaire",
        "Deux façons, une seule par ligne : soit l'état civil (nomNaissance, prenom1, \
         anneeNaissance et sexe obligatoires, puis nomUsage, jour et mois de naissance, code \
         INSEE ou code postal de la commune de naissance…), soit le dossier de formation CPF \
         (idDossier, nomTitulaire, prenom1Titulaire). La Caisse des Dépôts retrouve le titulaire \
         d'après son nom, son prénom, son sexe et son année de naissance, puis son jour et son \
         mois, puis son lieu de naissance : envoyez-les chaque fois que vous les connaissez.",
    ),
    (
        "Né(e) à l'étranger",
        "codeInsee = 99 suivi du code pays INSEE (ex. 99109 pour l'Allemagne) ; \
         codePaysNaissance = ce code pays (109) ; libellePaysNaissance = le nom du pays ; \
         libelleCommuneNaissance = la ville de naissance.",
    ),
    (
        "Identifiant du passage",
        "idTechnique identifie un passage pour toujours : unique dans le fichier et jamais \
         réutilisé d'un envoi à l'autre, car la Caisse des Dépôts refuse un identifiant déjà \
         reçu. Après un accusé de traitement, ne renvoyez que les passages refusés, corrigés.",
    ),
    (
        "Délai",
        "Déposez le fichier dans les 3 mois qui suivent la date de délivrance de la \
         certification (dateDebutValidite).",
    ),
    (
        "Confidentialité",
        "La conversion se fait entièrement sur votre ordinateur (dans le navigateur ou en ligne \
         de commande) : aucune donnée ne le quitte. Vous déposez vous-même le fichier XML obtenu \
         auprès de la Caisse des Dépôts.",
    ),
];

fn write_help(
    sheet: &mut Worksheet,
    schema: &Schema,
    passages: &[Column],
    parameters: &[Column],
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.set_column_width(0, 30)?;
    sheet.set_column_width(1, 110)?;
    sheet.write_string_with_format(
        0,
        0,
        "Modèle « accrochage certificateur » : mode d'emploi",
        &formats.title,
    )?;
    let version = schema.version().unwrap_or("inconnue");
    sheet.write_string(
        1,
        0,
        format!("Schéma XSD de la Caisse des Dépôts, version {version}"),
    )?;

    let mut row = 3u32;
    help_line(
        sheet,
        &mut row,
        "Statuts",
        &formats.title,
        "Couleur des en-têtes",
        formats,
    )?;
    for (status, text) in [
        (
            Status::Obligatoire,
            "À remplir sur chaque ligne : sans cette valeur, le passage est refusé. L'état civil \
             n'est pas demandé quand le titulaire est identifié par son dossier de formation.",
        ),
        (
            Status::ObligatoireSaufNil,
            "À remplir quand l'information est connue ; sinon laisser vide ou écrire nil, et le \
             fichier indiquera que la valeur est inconnue.",
        ),
        (
            Status::Facultatif,
            "À remplir si l'information existe ; une cellule vide n'est pas transmise.",
        ),
    ] {
        let format = formats.header(status);
        help_line(sheet, &mut row, status.label(), format, text, formats)?;
    }
    row += 1;
    for (title, text) in INSTRUCTIONS {
        help_line(sheet, &mut row, title, &formats.section, text, formats)?;
    }
    row += 1;
    help_line(
        sheet,
        &mut row,
        "Colonnes",
        &formats.title,
        "Feuille Passages, dans l'ordre, puis feuille Paramètres",
        formats,
    )?;
    for column in passages.iter().chain(parameters) {
        let format = formats.header(column.status);
        help_line(
            sheet,
            &mut row,
            &column.key,
            format,
            &column.full_help(),
            formats,
        )?;
    }
    Ok(())
}

/// Writes one title / text row of the help sheet and moves to the next row.
fn help_line(
    sheet: &mut Worksheet,
    row: &mut u32,
    title: &str,
    title_format: &Format,
    text: &str,
    formats: &Formats,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(*row, 0, title, title_format)?;
    sheet.write_string_with_format(*row, 1, text, &formats.wrap)?;
    sheet.set_row_height(*row, 15 * estimated_lines(text, 105))?;
    *row += 1;
    Ok(())
}

fn write_examples(
    sheet: &mut Worksheet,
    columns: &[Column],
    formats: &Formats,
) -> Result<(), XlsxError> {
    for (i, example) in EXAMPLES.iter().enumerate() {
        let row = FIRST_DATA_ROW + u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (key, value) in example.iter() {
            // A schema without this column simply loses the value.
            let Some(col) = columns.iter().position(|c| c.key == *key) else {
                continue;
            };
            let col = col_num(col)?;
            match *value {
                Text(s) if columns[usize::from(col)].is_text() => {
                    sheet.write_string_with_format(row, col, s, &formats.text)?
                }
                Text(s) => sheet.write_string(row, col, s)?,
                Number(n) => sheet.write_number(row, col, n)?,
                Date(y, m, d) => sheet.write_datetime_with_format(
                    row,
                    col,
                    ExcelDateTime::from_ymd(y, m, d)?,
                    &formats.date,
                )?,
            };
        }
    }
    Ok(())
}

fn write_filled_rows(
    sheet: &mut Worksheet,
    columns: &[Column],
    filled: &Filled,
    formats: &Formats,
) -> Result<(), XlsxError> {
    let mut extra: Vec<String> = Vec::new();
    for (i, values) in filled.rows.iter().enumerate() {
        let row = FIRST_DATA_ROW + u32::try_from(i).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (key, value) in values {
            let (col, text_column) = match columns.iter().position(|c| c.key == *key) {
                Some(c) => (c, columns[c].is_text()),
                None => {
                    let at = match extra.iter().position(|h| h == key) {
                        Some(at) => at,
                        None => {
                            extra.push(key.clone());
                            extra.len() - 1
                        }
                    };
                    (columns.len() + at, false)
                }
            };
            let col = col_num(col)?;
            match value {
                // Codes stay text: a postal code typed as a number would lose its leading zero.
                CellValue::Text(s) if text_column => {
                    sheet.write_string_with_format(row, col, s, &formats.text)?
                }
                CellValue::Text(s) | CellValue::Error(s) => sheet.write_string(row, col, s)?,
                CellValue::Number(n) => sheet.write_number(row, col, *n)?,
                CellValue::Bool(b) => {
                    sheet.write_string(row, col, BOOLEAN_CHOICES[usize::from(!*b)])?
                }
                CellValue::Date(d) => sheet.write_datetime_with_format(
                    row,
                    col,
                    ExcelDateTime::from_ymd(
                        u16::try_from(d.year).map_err(|_| XlsxError::RowColumnLimitError)?,
                        u8::try_from(d.month).map_err(|_| XlsxError::RowColumnLimitError)?,
                        u8::try_from(d.day).map_err(|_| XlsxError::RowColumnLimitError)?,
                    )?,
                    &formats.date,
                )?,
                CellValue::DateTime(d, seconds) => sheet.write_datetime_with_format(
                    row,
                    col,
                    ExcelDateTime::from_ymd(
                        u16::try_from(d.year).map_err(|_| XlsxError::RowColumnLimitError)?,
                        u8::try_from(d.month).map_err(|_| XlsxError::RowColumnLimitError)?,
                        u8::try_from(d.day).map_err(|_| XlsxError::RowColumnLimitError)?,
                    )?
                    .and_hms(
                        u16::try_from(seconds / 3600).unwrap_or(0),
                        u8::try_from(seconds / 60 % 60).unwrap_or(0),
                        f64::from(seconds % 60),
                    )?,
                    &formats.datetime,
                )?,
            };
        }
    }
    for (at, header) in extra.iter().enumerate() {
        let col = col_num(columns.len() + at)?;
        sheet.write_string_with_format(0, col, header, &formats.header[2])?;
        let label = filled
            .extra_labels
            .iter()
            .find(|(h, _)| h == header)
            .map(|(_, l)| l.as_str())
            .unwrap_or("");
        sheet.write_string_with_format(LABEL_ROW, col, label, &formats.label)?;
        sheet.set_column_width(col, 45)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xsd::ValidationOptions;
    use calamine::{Data, Reader, Xlsx};
    use std::collections::HashMap;
    use std::io::Cursor;

    fn open(bytes: Vec<u8>) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes)).expect("the template opens")
    }

    fn cell(range: &calamine::Range<Data>, row: u32, col: u32) -> Data {
        range.get_value((row, col)).cloned().unwrap_or(Data::Empty)
    }

    fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
        match cell(range, row, col) {
            Data::String(s) => s,
            Data::Empty => String::new(),
            other => other.to_string(),
        }
    }

    fn header_position(range: &calamine::Range<Data>, key: &str) -> u32 {
        (0..range.width() as u32)
            .find(|&c| text(range, 0, c) == key)
            .unwrap_or_else(|| panic!("no column {key}"))
    }

    #[test]
    fn the_template_has_its_sheets_headers_and_labels() {
        let mut wb = open(write_template(&Schema::cdc()).unwrap());
        assert_eq!(
            wb.sheet_names(),
            [SHEET_PASSAGES, SHEET_PARAMETRES, SHEET_AIDE, SHEET_LISTES]
        );
        let passages = wb.worksheet_range(SHEET_PASSAGES).unwrap();
        let expected: Vec<&Entry> = dictionary::columns()
            .iter()
            .filter(|e| e.in_template(&Schema::cdc()))
            .collect();
        assert_eq!(passages.width(), expected.len());
        for (i, e) in expected.iter().enumerate() {
            assert_eq!(text(&passages, 0, i as u32), e.key);
            assert_eq!(text(&passages, 1, i as u32), e.label);
        }
        // The column order follows the groups.
        let groups: Vec<_> = expected.iter().map(|e| e.group).collect();
        assert!(groups.windows(2).all(|w| w[0] <= w[1]));
        assert!(!expected.iter().any(|e| e.key == "dateNaissance"));
        // Nothing below the labels in the empty template.
        assert_eq!(passages.height(), 2);

        let params = wb.worksheet_range(SHEET_PARAMETRES).unwrap();
        assert_eq!(text(&params, 0, 0), "champ");
        assert_eq!(text(&params, 0, 1), "valeur");
        assert_eq!(text(&params, 0, 2), "aide");
        let keys: Vec<String> = (1..params.height() as u32)
            .map(|r| text(&params, r, 0))
            .collect();
        assert_eq!(
            keys,
            [
                "idClientEmetteur",
                "idClientCertificateur",
                "idContrat",
                "natureDeposant",
                "idFlux",
                "horodatage"
            ]
        );
        assert!(text(&params, 5, 2).contains("généré automatiquement"));
        assert!(text(&params, 6, 2).contains("date et heure de la conversion"));
        assert!(text(&params, 1, 2).contains("Exactement 8 caractères"));

        let aide = wb.worksheet_range(SHEET_AIDE).unwrap();
        let all: String = aide
            .rows()
            .flat_map(|r| r.iter().map(|c| c.to_string()))
            .collect::<Vec<_>>()
            .join("\n");
        for needle in [
            "une ligne par passage",
            "Obligatoire sauf nil",
            "nil signifie",
            "jj/mm/aaaa",
            "zéros initiaux",
            "99109",
            "dossier de formation",
            "3 mois",
            "aucune donnée ne le quitte",
            "version 1.1.2",
            "60 caractères au plus",
        ] {
            assert!(all.contains(needle), "Aide lacks « {needle} »");
        }

        let lists = wb.worksheet_range(SHEET_LISTES).unwrap();
        let list_of = |key: &str| -> Vec<String> {
            let c = header_position(&lists, key);
            (1..lists.height() as u32)
                .map(|r| text(&lists, r, c))
                .take_while(|s| !s.is_empty())
                .collect()
        };
        assert_eq!(
            list_of("modalitePassageExamen"),
            ["À distance", "En présentiel", "Mixte"]
        );
        assert_eq!(list_of("donneeCertifiee"), ["Oui", "Non"]);
        assert_eq!(list_of("mentionValidee").last().unwrap(), "nil");
        assert_eq!(list_of("modaliteAcces").len(), 8);
    }

    #[test]
    fn every_drop_down_value_is_read_back_by_the_dictionary() {
        let schema = Schema::cdc();
        let (passages, parameters) = columns_for(&schema);
        for c in passages.iter().chain(&parameters) {
            for choice in c.choices.iter().flatten() {
                let ok = match c.kind {
                    Kind::Boolean => dictionary::parse_boolean(choice).is_some(),
                    _ => {
                        (c.nillable && choice == NIL)
                            || dictionary::resolve_enumeration(&schema, &c.key, choice).is_some()
                    }
                };
                assert!(ok, "{}: « {choice} »", c.key);
            }
        }
    }

    #[test]
    fn prompts_fit_excel_limits() {
        let schema = Schema::cdc();
        let (passages, parameters) = columns_for(&schema);
        let lists = ListSheet::new(&passages, &parameters);
        for c in passages.iter().chain(&parameters) {
            assert!(utf16_len(&c.input_message()) <= 255, "{}", c.key);
            validation_for(c, &lists).unwrap();
        }
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("éèà", 3), "éèà");
        assert_eq!(fit("😀😀", 3), "😀…");
    }

    #[test]
    fn the_examples_are_in_the_workbook_with_codes_as_text() {
        let mut wb = open(write_template_with_examples(&Schema::cdc()).unwrap());
        let passages = wb.worksheet_range(SHEET_PASSAGES).unwrap();
        assert_eq!(passages.height(), 2 + EXAMPLES.len());
        let at = |row: u32, key: &str| cell(&passages, row, header_position(&passages, key));
        assert_eq!(at(2, "nomNaissance"), Data::String("DUPONT".into()));
        assert_eq!(at(2, "prenom1"), Data::String("Marie".into()));
        assert_eq!(at(3, "codeInsee"), Data::String("99109".into()));
        assert_eq!(at(4, "idDossier"), Data::String("20240912345".into()));
        assert_eq!(at(4, "mentionValidee"), Data::String("nil".into()));
        assert!(matches!(at(2, "dateDebutValidite"), Data::DateTime(_)));
        assert_eq!(at(2, "anneeNaissance"), Data::Float(1990.0));
        for key in [
            "codeInsee",
            "codePostalCentreExamen",
            "codePaysNaissance",
            "idTechnique",
            "idDossier",
            "code",
        ] {
            for row in 2..2 + EXAMPLES.len() as u32 {
                let v = at(row, key);
                assert!(
                    matches!(v, Data::String(_) | Data::Empty),
                    "{key} row {row}: {v:?}"
                );
            }
        }
        let params = wb.worksheet_range(SHEET_PARAMETRES).unwrap();
        assert_eq!(text(&params, 1, 1), "ORG12345");
        assert_eq!(text(&params, 4, 1), "Certificateur");
        assert_eq!(text(&params, 5, 1), "");
    }

    #[test]
    fn example_keys_exist_and_values_resolve() {
        let schema = Schema::cdc();
        for example in EXAMPLES {
            for (key, value) in example.iter() {
                let entry = dictionary::column(key).unwrap_or_else(|| panic!("{key}"));
                if let Text(s) = value {
                    match entry.kind {
                        Kind::Enumeration if *s != NIL => assert!(
                            dictionary::resolve_enumeration(&schema, key, s).is_some(),
                            "{key}: {s}"
                        ),
                        Kind::Boolean => assert!(dictionary::parse_boolean(s).is_some()),
                        _ => {}
                    }
                }
            }
        }
    }

    /// A deliberately naive conversion of the example rows, walking the schema, to check that
    /// they make a valid file (the real converter lives elsewhere and does much more).
    mod mini_converter {
        use super::*;
        use crate::sample::Example;

        pub(super) type Row = HashMap<&'static str, String>;

        pub(super) fn row_of(example: &[(&'static str, Example)]) -> Row {
            example
                .iter()
                .map(|(k, v)| {
                    let s = match *v {
                        Text(s) => s.to_owned(),
                        Number(n) => format!("{n}"),
                        Date(y, m, d) => format!("{y:04}-{m:02}-{d:02}"),
                    };
                    (*k, s)
                })
                .collect()
        }

        fn escape(s: &str) -> String {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        }

        /// The element's XML, and whether it carries a real value (not only nils); `None` when
        /// it cannot be written (a required part is missing).
        pub(super) fn emit(schema: &Schema, id: ElementId, row: &Row) -> Option<(String, bool)> {
            let name = &schema.element(id).name;
            let entry = dictionary::columns()
                .iter()
                .find(|e| e.xsd_element(schema) == Some(id));
            if let Some(Entry {
                source: Source::Packed { item, leaves, .. },
                key,
                ..
            }) = entry
            {
                let cell = row.get(key)?;
                let mut xml = String::new();
                for fields in dictionary::split_packed(cell) {
                    xml.push_str(&format!("<cpf:{item}>"));
                    for (leaf, v) in leaves.iter().zip(fields) {
                        xml.push_str(&format!("<cpf:{leaf}>{v}</cpf:{leaf}>"));
                    }
                    xml.push_str(&format!("</cpf:{item}>"));
                }
                return Some((format!("<cpf:{name}>{xml}</cpf:{name}>"), true));
            }
            if schema.element_simple_type(id).is_some() {
                let entry = entry?;
                let raw = row
                    .get(entry.key)
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty());
                let nillable = schema.element(id).nillable;
                return match raw {
                    None | Some(NIL) if nillable => {
                        Some((format!("<cpf:{name} xsi:nil=\"true\"/>"), false))
                    }
                    None => None,
                    Some(v) => {
                        let v = match entry.kind {
                            Kind::Enumeration => dictionary::resolve_enumeration(schema, name, v)?,
                            Kind::Boolean => dictionary::parse_boolean(v)?.to_string(),
                            _ => v.to_owned(),
                        };
                        Some((format!("<cpf:{name}>{}</cpf:{name}>", escape(&v)), true))
                    }
                };
            }
            let slots = schema.children(id);
            let mut xml = String::new();
            let mut real = false;
            let mut done_choices = BTreeSet::new();
            for slot in &slots {
                let produced = match slot.choice {
                    None => match emit(schema, slot.element, row) {
                        Some((x, r)) if r || slot.min_occurs > 0 => Some((x, r)),
                        None if slot.min_occurs > 0 => return None,
                        _ => None,
                    },
                    Some(n) => {
                        if !done_choices.insert(n) {
                            continue;
                        }
                        let options: Vec<(String, bool)> = slots
                            .iter()
                            .filter(|s| s.choice == Some(n))
                            .filter_map(|s| emit(schema, s.element, row))
                            .collect();
                        let pick = options
                            .iter()
                            .position(|(_, r)| *r)
                            .or(if options.is_empty() { None } else { Some(0) });
                        match pick {
                            Some(i) => Some(options[i].clone()),
                            None if slot.min_occurs > 0 => return None,
                            None => None,
                        }
                    }
                };
                if let Some((x, r)) = produced {
                    xml.push_str(&x);
                    real |= r;
                }
            }
            Some((format!("<cpf:{name}>{xml}</cpf:{name}>"), real))
        }
    }

    #[test]
    fn the_examples_make_a_valid_file() {
        use mini_converter::{emit, row_of};
        let schema = Schema::cdc();
        let passage = schema
            .elements_named("passageCertification")
            .next()
            .unwrap();
        let param = |k: &str| {
            EXAMPLE_PARAMETERS
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| *v)
                .unwrap()
        };
        let nature =
            dictionary::resolve_enumeration(&schema, "natureDeposant", param("natureDeposant"))
                .unwrap();
        // Group by certification, in row order, as the converter will.
        let mut certifications: Vec<((String, String), Vec<String>)> = Vec::new();
        for example in EXAMPLES {
            let row = row_of(example);
            let (xml, _) = emit(&schema, passage, &row).expect("the example converts");
            let key = (row["type"].clone(), row["code"].clone());
            match certifications.iter_mut().find(|(k, _)| *k == key) {
                Some((_, passages)) => passages.push(xml),
                None => certifications.push((key, vec![xml])),
            }
        }
        let certifications: String = certifications
            .into_iter()
            .map(|((t, c), passages)| {
                format!(
                    "<cpf:certification><cpf:type>{t}</cpf:type><cpf:code>{c}</cpf:code>\
                     <cpf:natureDeposant>{nature}</cpf:natureDeposant>\
                     <cpf:passageCertifications>{}</cpf:passageCertifications>\
                     </cpf:certification>",
                    passages.concat()
                )
            })
            .collect();
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
             <cpf:flux xmlns:cpf=\"{ns}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\
             <cpf:idFlux>exemple-1</cpf:idFlux>\
             <cpf:horodatage>2024-11-04T10:00:00+01:00</cpf:horodatage>\
             <cpf:emetteur><cpf:idClient>{em}</cpf:idClient><cpf:certificateurs>\
             <cpf:certificateur><cpf:idClient>{ce}</cpf:idClient>\
             <cpf:idContrat>{co}</cpf:idContrat>\
             <cpf:certifications>{certifications}</cpf:certifications>\
             </cpf:certificateur></cpf:certificateurs></cpf:emetteur></cpf:flux>",
            ns = schema.target_namespace().unwrap(),
            em = param("idClientEmetteur"),
            ce = param("idClientCertificateur"),
            co = param("idContrat"),
        );
        let report = schema.validate_str(&xml, &ValidationOptions::default());
        let errors: Vec<String> = report
            .errors()
            .map(|d| format!("{} {}", d.path, d.message))
            .collect();
        assert!(report.is_valid(), "{errors:#?}\n{xml}");
        assert_eq!(report.records, 3);
        // The three identification branches the examples are meant to show.
        assert!(xml.contains("<cpf:codeInsee>99109</cpf:codeInsee>"));
        assert!(xml.contains("<cpf:dossierFormation>"));
        assert!(xml.contains("<cpf:mentionValidee xsi:nil=\"true\"/>"));
    }

    #[test]
    fn a_newer_schema_changes_the_template() {
        // An element the dictionary does not know, and a value it has no label for.
        let xsd = crate::xsd::CDC_XSD
            .replacen(
                r#"<xs:element name="commentairesMEN" minOccurs="0">"#,
                r#"<xs:element name="nir" minOccurs="0" type="xs:string"/>
                   <xs:element name="commentairesMEN" minOccurs="0">"#,
                1,
            )
            .replacen(
                r#"<xs:enumeration value="MIXTE"/>"#,
                r#"<xs:enumeration value="MIXTE"/><xs:enumeration value="HYBRIDE_NOUVEAU"/>"#,
                1,
            );
        assert_ne!(xsd, crate::xsd::CDC_XSD);
        let schema = Schema::parse(&xsd).unwrap();
        let (passages, _) = columns_for(&schema);
        let nir = passages
            .iter()
            .find(|c| c.key == "nir")
            .expect("nir column");
        assert_eq!(nir.status, Status::Facultatif);
        let modalite = passages
            .iter()
            .find(|c| c.key == "modalitePassageExamen")
            .unwrap();
        assert_eq!(
            modalite.choices.as_ref().unwrap().last().unwrap(),
            "HYBRIDE_NOUVEAU"
        );
        write_template(&schema).unwrap();
    }

    #[test]
    fn a_schema_without_the_cdc_elements_still_gives_a_workbook() {
        let schema = Schema::parse(
            r#"<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
                 <xs:element name="racine"><xs:complexType><xs:sequence>
                   <xs:element name="valeur" type="xs:int"/>
                 </xs:sequence></xs:complexType></xs:element>
               </xs:schema>"#,
        )
        .unwrap();
        let mut wb = open(write_template(&schema).unwrap());
        let params = wb.worksheet_range(SHEET_PARAMETRES).unwrap();
        assert_eq!(text(&params, 1, 0), "valeur");
        let passages = wb.worksheet_range(SHEET_PASSAGES).unwrap();
        assert!(passages.is_empty());
    }

    #[test]
    fn status_of_unknown_elements_follows_the_content_model() {
        let schema = Schema::cdc();
        let passage = schema
            .elements_named("passageCertification")
            .next()
            .unwrap();
        let find = |name: &str| schema.elements_named(name).next().unwrap();
        let mut chain = vec![passage];
        dictionary::walk_schema(&schema, &mut |path, id| {
            if schema.element(id).name == "nomNaissance" {
                chain = path[path.iter().position(|&p| p == passage).unwrap()..].to_vec();
            }
        });
        // nomNaissance sits in the titulaire branch of a choice: not required for a passage.
        assert!(!is_required(&schema, &chain, find("nomNaissance")));
        assert!(is_required(&schema, &[passage], find("idTechnique")));
        assert!(!is_required(&schema, &[passage], find("urlPreuve")));
    }
}

/// The template is also written inside the browser: rust_xlsxwriter must not reach for the
/// system clock or the file system there. Run with `cargo test --target wasm32-unknown-unknown
/// --lib template::wasm` (runner: wasm-bindgen-test-runner).
#[cfg(all(test, target_arch = "wasm32"))]
mod wasm {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_template_is_written_in_webassembly() {
        let schema = Schema::cdc();
        let bytes = write_template_with_examples(&schema).unwrap();
        assert!(bytes.starts_with(b"PK"));
        assert!(write_template(&schema).unwrap().len() > 10_000);
    }
}
