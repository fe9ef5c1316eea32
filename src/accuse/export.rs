//! The rows to send again, as a workbook in the template's format.
//!
//! Only the rows the CDC refused and that are to be re-sent are kept (a passage « déjà en base »
//! is left out: it was accepted before), with the original cells and the original « Paramètres »
//! values except idFlux and horodatage, which must be new for a new file. Two extra columns carry
//! the CDC's message and accrochage's explanation; the converter recognises them as « colonnes
//! de l'accusé » and skips them silently, so the corrected workbook converts as it is.
//!
//! ```
//! use accrochage::accuse::{export_ko, is_accuse_column, parse_accuse, reconcile, Sent};
//! use accrochage::xsd::Schema;
//! let accuse = parse_accuse("<rapport><idFlux>F</idFlux><PassagesKO><passage><idTechnique>T-2\
//!     </idTechnique><messageErreur>Plusieurs titulaires ont été identifiés</messageErreur>\
//!     </passage></PassagesKO></rapport>".as_bytes()).unwrap();
//! let csv = "idTechnique;type;code;nomNaissance\nT-1;RS;RS1234;DUPONT\nT-2;RS;RS1234;MARTIN\n";
//! let sent = Sent { workbook: Some((csv.as_bytes(), "passages.csv")), xml: None };
//! let result = reconcile(&accuse, &sent, &Schema::cdc()).unwrap();
//! let xlsx = export_ko(&result, csv.as_bytes(), "passages.csv", &Schema::cdc()).unwrap();
//! assert!(xlsx.starts_with(b"PK"));
//! assert!(is_accuse_column("Accusé : message de la CDC"));
//! ```

// The writer needs rust_xlsxwriter (feature `xlsx-template`); the column names do not, because
// the converter recognises them in every build, the page's first wasm module included.
#[cfg(feature = "xlsx-template")]
use std::collections::HashMap;

#[cfg(feature = "xlsx-template")]
use super::reconcile::Reconciliation;
#[cfg(feature = "xlsx-template")]
use super::ReconcileError;
#[cfg(feature = "xlsx-template")]
use crate::convert::columns::cell_text;
#[cfg(feature = "xlsx-template")]
use crate::convert::{self, PARAMS_SHEET};
#[cfg(feature = "xlsx-template")]
use crate::dictionary;
use crate::dictionary::normalize_header;
#[cfg(feature = "xlsx-template")]
use crate::template::{self, Filled};
#[cfg(feature = "xlsx-template")]
use crate::workbook::{self, CellValue};
#[cfg(feature = "xlsx-template")]
use crate::xsd::Schema;

/// Headers (first row) and labels (second row) of the two columns the re-export adds.
pub const ACCUSE_COLUMNS: [(&str, &str); 2] = [
    (
        "Accusé : message de la CDC",
        "Message de la Caisse des Dépôts dans l'accusé de traitement (colonne ignorée à la conversion)",
    ),
    (
        "Accusé : explication",
        "Ce que signifie le message et que corriger (colonne ignorée à la conversion)",
    ),
];

/// Whether a header names one of the columns the re-export adds (in any case, with or without
/// accents or spaces), which the converter skips without a warning.
pub fn is_accuse_column(header: &str) -> bool {
    let n = normalize_header(header);
    !n.is_empty()
        && ACCUSE_COLUMNS
            .iter()
            .any(|(h, l)| normalize_header(h) == n || normalize_header(l) == n)
}

/// Parameters a new file must not take from the old one.
#[cfg(feature = "xlsx-template")]
const FRESH_PARAMETERS: [&str; 2] = ["idFlux", "horodatage"];

/// The workbook of the rows to correct and send again, from the workbook that was sent.
#[cfg(feature = "xlsx-template")]
pub fn export_ko(
    reconciliation: &Reconciliation,
    workbook_bytes: &[u8],
    file_name: &str,
    schema: &Schema,
) -> Result<Vec<u8>, ReconcileError> {
    let book = workbook::read_workbook(workbook_bytes, file_name).map_err(|e| {
        ReconcileError(format!(
            "Le classeur « {file_name} » ne peut pas être lu : {e}"
        ))
    })?;
    export_ko_book(reconciliation, &book, schema)
}

/// Same as [`export_ko`], from a workbook already read.
#[cfg(feature = "xlsx-template")]
pub fn export_ko_book(
    reconciliation: &Reconciliation,
    book: &workbook::Workbook,
    schema: &Schema,
) -> Result<Vec<u8>, ReconcileError> {
    let mut ignored = Vec::new();
    let (sheet, map) = convert::passage_columns(book, schema, &mut ignored)
        .map_err(|e| ReconcileError(format!("Classeur : {e}")))?;
    let mut wanted: HashMap<u32, (String, String)> = reconciliation
        .entries
        .iter()
        .filter(|e| e.to_resend() && e.sheet.as_deref() == Some(sheet.name.as_str()))
        .filter_map(|e| {
            let x = e.explanation.as_ref()?;
            let cdc = e.cdc_message.clone().unwrap_or_default();
            Some((e.row?, (cdc, format!("{} → {}", x.explanation, x.fix))))
        })
        .collect();
    // In a rejected file, the row holding the error gets its own diagnosis rather than the
    // file-wide explanation every row shares.
    for spot in &reconciliation.rejection {
        if let Some(slot) = spot.row.and_then(|r| wanted.get_mut(&r)) {
            *slot = (spot.erreur.message.clone(), spot.message.clone());
        }
    }
    let header_cells: HashMap<u32, String> = sheet
        .rows
        .iter()
        .find(|r| r.number == map.header_row)
        .map(|r| {
            r.cells
                .iter()
                .filter_map(|c| Some((c.column, cell_text(&c.value)?)))
                .collect()
        })
        .unwrap_or_default();
    let by_index = map.by_index();
    let mut filled = Filled {
        extra_labels: ACCUSE_COLUMNS
            .iter()
            .map(|(h, l)| ((*h).to_owned(), (*l).to_owned()))
            .collect(),
        ..Filled::default()
    };
    for row in &sheet.rows {
        let Some((cdc, ours)) = wanted.get(&row.number) else {
            continue;
        };
        let mut values: Vec<(String, CellValue)> = Vec::new();
        for cell in &row.cells {
            if let Some(&i) = by_index.get(&cell.column) {
                values.push((map.columns[i].key.clone(), cell.value.clone()));
            } else if let Some(header) = header_cells.get(&cell.column) {
                // The user's own columns travel with the row; an older accusé's are replaced.
                if !is_accuse_column(header) {
                    values.push((header.clone(), cell.value.clone()));
                }
            }
        }
        values.push((ACCUSE_COLUMNS[0].0.to_owned(), CellValue::Text(cdc.clone())));
        values.push((
            ACCUSE_COLUMNS[1].0.to_owned(),
            CellValue::Text(ours.clone()),
        ));
        filled.rows.push(values);
    }
    filled.parameters = parameters(book);
    template::write_filled(schema, &filled).map_err(|e| ReconcileError(e.to_string()))
}

/// The « Paramètres » sheet as (key, value), keys resolved as the converter resolves them.
#[cfg(feature = "xlsx-template")]
fn parameters(book: &workbook::Workbook) -> Vec<(String, String)> {
    let Some(sheet) = book.sheet(PARAMS_SHEET) else {
        return Vec::new();
    };
    let known: Vec<&str> = dictionary::parameters().iter().map(|e| e.key).collect();
    let mut out = Vec::new();
    for row in &sheet.rows {
        let Some(key_cell) = row.cells.first() else {
            continue;
        };
        let Some(raw) = cell_text(&key_cell.value) else {
            continue;
        };
        let n = normalize_header(&raw);
        let key = known
            .iter()
            .find(|k| normalize_header(k) == n)
            .map(|k| (*k).to_owned())
            .or_else(|| dictionary::lookup_parameter(&raw).map(|e| e.key.to_owned()));
        let Some(key) = key else { continue };
        if FRESH_PARAMETERS.contains(&key.as_str()) {
            continue;
        }
        let value = row
            .cells
            .iter()
            .find(|c| c.column == key_cell.column + 1)
            .and_then(|c| cell_text(&c.value));
        if let Some(v) = value {
            out.push((key, v));
        }
    }
    out
}
