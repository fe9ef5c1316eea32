//! Finding the header row of the Passages sheet and mapping its columns to schema fields.
//!
//! A header is recognised by its keys (the XSD element names, in any case, with or without accents,
//! spaces or a `cpf:` prefix) or by the French labels of the dictionary. Rows above it (titles,
//! instructions) are skipped, and so is one row of French labels right under it.

use std::collections::HashMap;

use crate::dictionary;
use crate::workbook::{cell_reference, CellValue, Row, Sheet};

use super::report::{Finding, Level};

/// Rows searched for the header before giving up: titles and instructions rarely take more.
const HEADER_SEARCH_ROWS: usize = 30;
/// The rows [`map_columns`] looks at: the header is among the first ones, its labels under it.
pub(crate) const HEADER_ROWS: usize = HEADER_SEARCH_ROWS + 1;
/// Fewer recognised columns than this and a row is not taken for the header.
const MIN_HEADER_COLUMNS: usize = 3;

/// The recognised columns of a sheet.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    pub header_row: u32,
    pub label_row: Option<u32>,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone)]
pub struct Column {
    /// 0-based column index in the sheet.
    pub index: u32,
    /// The field the column feeds: an XSD element name or a pseudo-column (dateNaissance,
    /// resultats).
    pub key: String,
    /// The header as the user wrote it.
    pub header: String,
}

impl ColumnMap {
    pub fn by_index(&self) -> HashMap<u32, usize> {
        self.columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.index, i))
            .collect()
    }

    pub fn find(&self, key: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.key == key)
    }
}

/// The text of a cell as a header or a key would read.
pub fn cell_text(v: &CellValue) -> Option<String> {
    match v {
        CellValue::Text(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_owned())
        }
        CellValue::Number(n) => Some(crate::workbook::format_number(*n)),
        CellValue::Bool(b) => Some(if *b { "VRAI" } else { "FAUX" }.to_owned()),
        _ => None,
    }
}

/// Which field a header names, if any: the dictionary first, then any field of the schema (so a
/// newer XSD's `nir` or `action` is recognised without a dictionary entry).
pub fn match_key(header: &str, known: &[String]) -> Option<String> {
    if let Some(entry) = dictionary::lookup_header(header) {
        if known.iter().any(|k| k == entry.key) {
            return Some(entry.key.to_owned());
        }
    }
    let wanted = dictionary::normalize_header(header);
    known
        .iter()
        .find(|k| dictionary::normalize_header(k) == wanted)
        .cloned()
}

fn recognised(row: &Row, known: &[String]) -> Vec<Column> {
    row.cells
        .iter()
        .filter_map(|c| {
            let text = cell_text(&c.value)?;
            let key = match_key(&text, known)?;
            Some(Column {
                index: c.column,
                key,
                header: text,
            })
        })
        .collect()
}

/// Locates the header row and maps its columns. Unknown or duplicated columns are reported.
pub fn map_columns(
    sheet: &Sheet,
    known: &[String],
    findings: &mut Vec<Finding>,
) -> Option<ColumnMap> {
    let (pos, header) = sheet
        .rows
        .iter()
        .take(HEADER_SEARCH_ROWS)
        .enumerate()
        .find(|(_, r)| recognised(r, known).len() >= MIN_HEADER_COLUMNS)?;
    let mut columns: Vec<Column> = Vec::new();
    for cell in &header.cells {
        let Some(text) = cell_text(&cell.value) else {
            continue;
        };
        let at = cell_reference(&sheet.name, cell.column, header.number);
        match match_key(&text, known) {
            Some(key) => {
                if let Some(first) = columns.iter().find(|c| c.key == key) {
                    findings.push(Finding {
                        level: Level::Avertissement,
                        code: "colonne-en-double",
                        sheet: sheet.name.clone(),
                        cell: at,
                        row: header.number,
                        column: text.clone(),
                        value: text.clone(),
                        message: format!(
                            "La colonne « {text} » désigne le même champ ({key}) que la colonne « {} » ({}) : seule la première est utilisée",
                            first.header,
                            cell_reference(&sheet.name, first.index, header.number)
                        ),
                        fix: "Supprimez ou renommez l'une des deux colonnes".into(),
                    });
                } else {
                    columns.push(Column {
                        index: cell.column,
                        key,
                        header: text,
                    });
                }
            }
            // The columns a re-export after an accusé de traitement adds are expected here.
            None if crate::accuse::is_accuse_column(&text) => {}
            None => findings.push(Finding {
                level: Level::Avertissement,
                code: "colonne-inconnue",
                sheet: sheet.name.clone(),
                cell: at,
                row: header.number,
                column: text.clone(),
                value: text.clone(),
                message: format!("La colonne « {text} » n'est pas reconnue : son contenu n'est pas repris dans le XML"),
                fix: "Si elle doit être transmise, renommez-la avec le nom attendu (voir la feuille Aide du modèle) ; sinon, ignorez cet avertissement".into(),
            }),
        }
    }
    let label_row = sheet.rows.get(pos + 1).and_then(|next| {
        let by_col: HashMap<u32, &str> =
            columns.iter().map(|c| (c.index, c.key.as_str())).collect();
        let mut filled = 0;
        let mut labels = 0;
        for cell in &next.cells {
            let Some(text) = cell_text(&cell.value) else {
                continue;
            };
            filled += 1;
            let Some(key) = by_col.get(&cell.column) else {
                continue;
            };
            if dictionary::lookup_header(&text).is_some_and(|e| e.key == *key) {
                labels += 1;
            }
        }
        (filled > 0 && labels * 2 >= filled).then_some(next.number)
    });
    Some(ColumnMap {
        header_row: header.number,
        label_row,
        columns,
    })
}
