//! The browser API of the « Accusé de traitement » tab, beside [`crate::wasm`]: the page gives the
//! accusé the CDC sent back and what was deposited (the workbook, the XML, or both), and gets
//! every row's status; then, on demand, the workbook of the rows to correct.
//!
//! ```js
//! import init, { accuse_reconcile } from './pkg/accrochage.js';
//! await init();
//! const r = accuse_reconcile(accuseBytes, workbookBytes, 'passages.xlsx', undefined, undefined);
//! // r.summary.ok, r.summary.ko, r.entries[0].status === 'ko', r.entries[0].nom …
//! // The KO workbook is in the second module (it needs the Excel writer):
//! import tpl, { accuse_export_ko } from './pkg/accrochage_template.js';
//! await tpl();
//! const xlsx = accuse_export_ko(accuseBytes, workbookBytes, 'passages.xlsx', undefined, undefined);
//! ```
//!
//! Reconciling is cheap and stateless, so the export reconciles again rather than keeping the
//! first result: the worker holds no holder data between calls.

// The template module compiles the reconciliation helpers without exporting `accuse_reconcile`.
#![cfg_attr(feature = "wasm-template-module", allow(dead_code, unused_imports))]

use std::collections::HashMap;

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::accuse::{self, Reconciliation};
use crate::convert::{self, columns::cell_text};
use crate::wasm::{load_schema, to_js};
use crate::workbook::{self, Workbook};
use crate::xsd::Schema;

/// What the page is given: the reconciliation, plus the holder's name of each workbook row so
/// that the user recognises the person without opening the workbook.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsReconciliation<'a> {
    #[serde(flatten)]
    reconciliation: &'a Reconciliation,
    /// Same order as `entries`: « NOM Prénom », empty when unknown (no workbook, no name column).
    names: Vec<String>,
    status_labels: HashMap<&'static str, &'static str>,
}

fn read_accuse(bytes: &[u8]) -> Result<accuse::Accuse, JsError> {
    accuse::parse_accuse(bytes).map_err(|e| JsError::new(&format!("Accusé de traitement : {e}")))
}

fn read_book(bytes: &[u8], name: &str) -> Result<Workbook, JsError> {
    workbook::read_workbook(bytes, name).map_err(|e| {
        JsError::new(&format!(
            "Le classeur « {name} » ne peut pas être lu : {e}. Déposez le classeur qui a été converti pour ce dépôt (.xlsx, .xls, .ods ou .csv)."
        ))
    })
}

fn reconciled(
    accuse_bytes: &[u8],
    book: Option<&Workbook>,
    xml_bytes: Option<&[u8]>,
    schema: &Schema,
) -> Result<Reconciliation, JsError> {
    let parsed = read_accuse(accuse_bytes)?;
    accuse::reconcile_book(&parsed, book, xml_bytes, schema)
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Row number → « NOM Prénom » in the sheet the converter reads passages from.
fn holder_names(book: &Workbook, schema: &Schema) -> HashMap<u32, String> {
    let mut ignored = Vec::new();
    let Ok((sheet, map)) = convert::passage_columns(book, schema, &mut ignored) else {
        return HashMap::new();
    };
    let column = |key: &str| map.columns.iter().find(|c| c.key == key).map(|c| c.index);
    let wanted: Vec<u32> = ["nomNaissance", "prenom1"]
        .iter()
        .filter_map(|k| column(k))
        .collect();
    if wanted.is_empty() {
        return HashMap::new();
    }
    sheet
        .rows
        .iter()
        .filter(|r| r.number > map.header_row)
        .map(|r| {
            let parts: Vec<String> = wanted
                .iter()
                .filter_map(|&col| {
                    r.cells
                        .iter()
                        .find(|c| c.column == col)
                        .and_then(|c| cell_text(&c.value))
                })
                .collect();
            (r.number, parts.join(" "))
        })
        .collect()
}

/// Reconciles an accusé with what was sent. `workbook_bytes` and `workbook_name` (which tells
/// the format) and `xml_bytes` are each optional; `schema_xsd` is the text of another XSD, or
/// undefined for the bundled 1.1.2. Returns the library's `Reconciliation` (camelCase keys:
/// `summary`, `entries`, `unknown`, `rejection`, `notes`, `accuse`) plus `names` (one per
/// entry) and `statusLabels` (status code → French label).
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn accuse_reconcile(
    accuse_bytes: &[u8],
    workbook_bytes: Option<Vec<u8>>,
    workbook_name: Option<String>,
    xml_bytes: Option<Vec<u8>>,
    schema_xsd: Option<String>,
) -> Result<JsValue, JsError> {
    let schema = load_schema(schema_xsd)?;
    let book = match &workbook_bytes {
        Some(bytes) => Some(read_book(
            bytes,
            workbook_name.as_deref().unwrap_or("classeur.xlsx"),
        )?),
        None => None,
    };
    let result = reconciled(accuse_bytes, book.as_ref(), xml_bytes.as_deref(), &schema)?;
    let by_row = book
        .as_ref()
        .map(|b| holder_names(b, &schema))
        .unwrap_or_default();
    let names = result
        .entries
        .iter()
        .map(|e| {
            e.row
                .and_then(|r| by_row.get(&r).cloned())
                .unwrap_or_default()
        })
        .collect();
    use accuse::Status;
    // The codes are the serialized `Status` values (kebab-case).
    let status_labels = [
        ("ok", Status::Ok),
        ("ko", Status::Ko),
        ("absent", Status::Absent),
        ("non-envoye", Status::NonEnvoye),
        ("fichier-rejete", Status::FichierRejete),
    ]
    .into_iter()
    .map(|(code, s)| (code, s.label()))
    .collect();
    to_js(&JsReconciliation {
        reconciliation: &result,
        names,
        status_labels,
    })
}

/// The workbook (xlsx bytes) of the rows to correct and send again, in the template's format,
/// with the CDC's message and the explanation in two extra columns the converter skips. Same
/// arguments as `accuse_reconcile`, the workbook required. Lives in the template module, which
/// has the Excel writer.
#[cfg(feature = "xlsx-template")]
#[wasm_bindgen]
pub fn accuse_export_ko(
    accuse_bytes: &[u8],
    workbook_bytes: &[u8],
    workbook_name: &str,
    xml_bytes: Option<Vec<u8>>,
    schema_xsd: Option<String>,
) -> Result<Vec<u8>, JsError> {
    let schema = load_schema(schema_xsd)?;
    let book = read_book(workbook_bytes, workbook_name)?;
    let result = reconciled(accuse_bytes, Some(&book), xml_bytes.as_deref(), &schema)?;
    if result.summary.to_resend == 0 {
        return Err(JsError::new(
            "Aucune ligne n'est à corriger et renvoyer d'après cet accusé : il n'y a pas de classeur à télécharger.",
        ));
    }
    accuse::export_ko_book(&result, &book, &schema).map_err(|e| {
        JsError::new(&format!(
            "Le classeur des lignes à corriger n'a pas pu être créé : {e}"
        ))
    })
}
