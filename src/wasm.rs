//! The browser API: what `www/worker.js` calls, a thin layer over the library. Values cross the
//! boundary with serde-wasm-bindgen as plain JS objects (camelCase keys); every failure comes back
//! as a JS `Error` whose message is French and says what to do.
//!
//! ```js
//! import init, { convert, validate_xml, schema_info } from './pkg/accrochage.js';
//! await init();
//! const bytes = new Uint8Array(await file.arrayBuffer());
//! const result = convert(bytes, file.name, {
//!   params: { idClientEmetteur: 'ABCD1234', idClientCertificateur: 'ABCD1234', idContrat: 'MCF-1' },
//!   strict: false,
//! });
//! // result.files[0].xml, result.diagnostics, result.summary.passagesWritten
//! const report = validate_xml(new TextEncoder().encode(result.files[0].xml), undefined);
//! // report.valid === true
//! ```
//!
//! No holder data is kept here between calls: each function receives what it needs and returns,
//! except [`StreamConversion`], which holds one conversion while its rows arrive from the
//! worker that reads the workbook ([`read_rows`]), and is freed by the page when it is done.
//!
//! Two modules are built from this file (scripts/build-wasm.sh): the page's engine, without the
//! Excel template writer nor the .xls/.xlsb/.ods readers (`--no-default-features`), and
//! `accrochage_template`, with the feature `wasm-template-module`, which exports [`template`],
//! [`convert`] (for those rarer formats), the KO re-export and [`version`], and is loaded when
//! one of them is needed. That keeps rust_xlsxwriter and calamine's legacy readers out of the
//! first load.

// The template-only module compiles the engine's helpers without exporting them.
#![cfg_attr(feature = "wasm-template-module", allow(dead_code, unused_imports))]

use std::collections::{BTreeMap, HashSet};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use crate::convert::{self, ConvertOptions, Finding, Level, LocalNow};
use crate::dictionary;
use crate::xsd::{Schema, Severity, ValidationOptions};

#[wasm_bindgen(start)]
fn start() {
    // Without the hook a panic shows as "unreachable executed" with no message.
    console_error_panic_hook::set_once();
}

/// Objects as plain JS objects (not `Map`), `None` as `null`: what the page reads directly.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&format!("erreur interne de transfert vers la page : {e}")))
}

/// The schema to use: the bundled CDC 1.1.2, or the XSD text the user loaded.
pub(crate) fn load_schema(xsd: Option<String>) -> Result<Schema, JsError> {
    match xsd {
        None => Ok(Schema::cdc()),
        Some(text) if text.trim().is_empty() => Ok(Schema::cdc()),
        Some(text) => Schema::parse(&text).map_err(|e| {
            JsError::new(&format!(
                "Ce schéma XSD ne peut pas être utilisé — {e}. Vérifiez que c'est bien le fichier .xsd publié par la Caisse des Dépôts, ou revenez au schéma intégré 1.1.2."
            ))
        }),
    }
}

/// The library's version (shown in « À propos »).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsDiagnostic<'a> {
    severity: &'static str,
    line: u32,
    column: u32,
    path: &'a str,
    id_technique: Option<&'a str>,
    code: &'static str,
    rule: Option<&'a str>,
    message: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsReport<'a> {
    valid: bool,
    error_count: usize,
    warning_count: usize,
    passages: u64,
    schema_version: Option<&'a str>,
    diagnostics: Vec<JsDiagnostic<'a>>,
}

/// Checks an XML file against the bundled CDC schema or `schema_xsd` (the text of another XSD).
/// Returns `{valid, errorCount, warningCount, passages, schemaVersion, diagnostics: [{severity,
/// line, column, path, idTechnique, code, rule, message}]}`.
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn validate_xml(bytes: &[u8], schema_xsd: Option<String>) -> Result<JsValue, JsError> {
    let schema = load_schema(schema_xsd)?;
    let report = schema.validate_bytes(bytes, &ValidationOptions::default());
    let diagnostics = report
        .diagnostics
        .iter()
        .map(|d| JsDiagnostic {
            severity: match d.severity {
                Severity::Error => "erreur",
                Severity::Warning => "avertissement",
            },
            line: d.line,
            column: d.column,
            path: &d.path,
            id_technique: d.id_technique.as_deref(),
            code: d.code.as_str(),
            rule: d.rule.as_deref(),
            message: &d.message,
        })
        .collect();
    to_js(&JsReport {
        valid: report.is_valid(),
        error_count: report.error_count,
        warning_count: report.warning_count,
        passages: report.records,
        schema_version: schema.version(),
        diagnostics,
    })
}

/// Whether an XML document is valid against the bundled CDC schema or `schema_xsd`, without
/// locating what is wrong: the second worker's share of a conversion's final check.
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn xml_is_valid(bytes: &[u8], schema_xsd: Option<String>) -> Result<bool, JsError> {
    let options = ValidationOptions {
        max_errors: 1,
        locate: false,
        ..ValidationOptions::default()
    };
    Ok(load_schema(schema_xsd)?
        .validate_bytes(bytes, &options)
        .is_valid())
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JsNow {
    unix_seconds: f64,
    offset_minutes: i32,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct JsConvertOptions {
    params: BTreeMap<String, String>,
    strict: bool,
    max_passages: Option<usize>,
    schema_xsd: Option<String>,
    now: Option<JsNow>,
}

/// The browser's clock and time zone: horodatage needs the local offset, which only `Date` knows.
fn browser_now() -> LocalNow {
    let date = js_sys::Date::new_0();
    let seconds = (date.get_time() / 1000.0).floor() as i64;
    // getTimezoneOffset is UTC minus local (−120 in Paris in summer): the opposite sign.
    let offset = -(date.get_timezone_offset() as i32);
    LocalNow::from_unix(seconds, offset)
}

/// Converts a workbook (xlsx, xls, ods, csv bytes). `options`: `{params: {idClientEmetteur, …},
/// strict, maxPassages, schemaXsd, now: {unixSeconds, offsetMinutes}}`, all optional; `now`
/// defaults to the browser's clock. Returns `{files: [{name, xml, passages, idFlux}],
/// diagnostics, summary}`, each `xml` as UTF-8 bytes (a `Uint8Array`): a JS string would cost a
/// decoding pass over hundreds of megabytes here and an encoding pass back to bytes for the
/// download.
///
/// `share`, when given, is called with documents (`Uint8Array`s) to check in another worker
/// while this one checks the rest of a large output (see `CheckPartner`); it returns whether it
/// took each. The caller owes their verdicts: should one fail, it converts again without
/// `share`, and that conversion reports the fault.
// In both modules: the second one reads the .xls/.xlsb/.ods files the first leaves out.
#[wasm_bindgen]
pub fn convert(
    bytes: &[u8],
    file_name: &str,
    options: JsValue,
    share: Option<js_sys::Function>,
) -> Result<JsValue, JsError> {
    let (schema, opts) = convert_options(options, share)?;
    let result = convert::convert(bytes, file_name, &schema, &opts)
        .map_err(|e| JsError::new(&format!("{file_name} : {e}")))?;
    conversion_to_js(result)
}

/// The schema and options of a conversion, from the page's `options` and `share` (see
/// [`convert`]).
fn convert_options(
    options: JsValue,
    share: Option<js_sys::Function>,
) -> Result<(Schema, ConvertOptions), JsError> {
    let options: JsConvertOptions = if options.is_undefined() || options.is_null() {
        JsConvertOptions::default()
    } else {
        serde_wasm_bindgen::from_value(options)
            .map_err(|e| JsError::new(&format!("options de conversion illisibles : {e}")))?
    };
    let schema = load_schema(options.schema_xsd)?;
    let now = match options.now {
        Some(n) => LocalNow::from_unix(n.unix_seconds.floor() as i64, n.offset_minutes),
        None => browser_now(),
    };
    let mut opts = ConvertOptions::at(now);
    opts.params = options.params;
    opts.strict = options.strict;
    opts.max_passages = options.max_passages;
    opts.partner = share.map(|share| {
        let hand = move |parts: &[&[u8]]| {
            let document = js_bytes(parts.iter().copied());
            share
                .call1(&JsValue::NULL, &document)
                .is_ok_and(|taken| taken.as_bool() == Some(true))
        };
        convert::CheckPartner(std::rc::Rc::new(std::cell::RefCell::new(hand)))
    });
    Ok((schema, opts))
}

/// A conversion as the page reads it: `{files: [{name, xml, passages, idFlux, crc32?}],
/// diagnostics, summary}`.
fn conversion_to_js(mut result: convert::Conversion) -> Result<JsValue, JsError> {
    let xmls: Vec<convert::XmlText> = result
        .files
        .iter_mut()
        .map(|f| std::mem::take(&mut f.xml))
        .collect();
    let value = to_js(&result)?;
    let files = js_sys::Reflect::get(&value, &JsValue::from_str("files"))
        .map_err(|_| JsError::new("erreur interne de transfert vers la page : files"))?;
    // Several files are zipped by the page: their CRC-32 costs 0.5 s for 230 Mo in
    // JavaScript, a third of that here.
    let zipped = xmls.len() > 1;
    for (i, xml) in xmls.into_iter().enumerate() {
        let file = js_sys::Reflect::get_u32(&files, i as u32)
            .map_err(|_| JsError::new("erreur interne de transfert vers la page : file"))?;
        let bytes = js_bytes(xml.pieces().map(str::as_bytes));
        js_sys::Reflect::set(&file, &JsValue::from_str("xml"), &bytes)
            .map_err(|_| JsError::new("erreur interne de transfert vers la page : xml"))?;
        if zipped {
            let mut crc = crc32fast::Hasher::new();
            xml.pieces().for_each(|p| crc.update(p.as_bytes()));
            let crc = JsValue::from_f64(f64::from(crc.finalize()));
            js_sys::Reflect::set(&file, &JsValue::from_str("crc32"), &crc)
                .map_err(|_| JsError::new("erreur interne de transfert vers la page : crc32"))?;
        }
    }
    Ok(value)
}

/// The bytes of `parts`, one after the other, in a new `Uint8Array`. The parts of a file are
/// mostly single passages of a few Ko: they are gathered by the Mo before crossing to
/// JavaScript, each crossing costing about a microsecond.
fn js_bytes<'p>(parts: impl Iterator<Item = &'p [u8]> + Clone) -> js_sys::Uint8Array {
    const STAGE: usize = 1 << 20;
    let len: usize = parts.clone().map(<[u8]>::len).sum();
    let out = js_sys::Uint8Array::new_with_length(len as u32);
    let mut at = 0u32;
    let mut copy = |bytes: &[u8]| {
        let end = at + bytes.len() as u32;
        out.subarray(at, end).copy_from(bytes);
        at = end;
    };
    let mut staged: Vec<u8> = Vec::with_capacity(STAGE.min(len));
    for part in parts {
        if staged.len() + part.len() > STAGE && !staged.is_empty() {
            copy(&staged);
            staged.clear();
        }
        if part.len() >= STAGE {
            copy(part);
        } else {
            staged.extend_from_slice(part);
        }
    }
    if !staged.is_empty() {
        copy(&staged);
    }
    out
}

/// The reading half of a conversion shared by two workers: reads an xlsx and calls `post` with
/// each message for the converting worker ([`StreamConversion::take`]), as bytes (a fresh
/// `Uint8Array`, to transfer): the other sheets, the passages' rows in batches, the end; or a
/// fallback, after which the converting worker reads the file itself. `post` returns `false`
/// to stop the reading.
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn read_rows(bytes: &[u8], file_name: &str, post: &js_sys::Function) {
    let pick = |names: &[&str]| convert::passages_sheet_index(names);
    crate::workbook::read_streaming(bytes, file_name, &pick, &mut |message| {
        let encoded = crate::workbook::wire::encode(&message);
        post.call1(&JsValue::NULL, &js_sys::Uint8Array::from(&encoded[..]))
            .is_ok_and(|more| more.as_bool() != Some(false))
    });
}

/// The sample workbook of `rows` fictitious passages (see [`crate::sample`]): the page converts
/// one when it opens, so that the browser has compiled the engine's busiest code before the
/// user's file comes.
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn sample_workbook(rows: usize) -> Vec<u8> {
    crate::sample::sample_workbook(rows)
}

/// The converting half of a conversion shared by two workers: takes, in order, the messages
/// [`read_rows`] posted in the other worker, converting the rows as they come
/// ([`convert::MessageConverter`]).
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub struct StreamConversion {
    file_name: String,
    schema: Schema,
    options: ConvertOptions,
    converter: Option<convert::MessageConverter>,
}

#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
impl StreamConversion {
    /// `options` and `share` as for [`convert`].
    #[wasm_bindgen(constructor)]
    pub fn new(
        file_name: &str,
        options: JsValue,
        share: Option<js_sys::Function>,
    ) -> Result<StreamConversion, JsError> {
        let (schema, options) = convert_options(options, share)?;
        Ok(StreamConversion {
            file_name: file_name.to_owned(),
            schema,
            options,
            converter: Some(convert::MessageConverter::new()),
        })
    }

    /// Takes the next message: `"lignes"` (more to come), `"fin"` (call [`Self::finish`]) or
    /// `"relecture"` (convert the file with [`convert`], which says why when it cannot be
    /// read).
    pub fn take(&mut self, message: &[u8]) -> String {
        let Some(converter) = self.converter.as_mut() else {
            return "relecture".to_owned();
        };
        let message = crate::workbook::wire::decode(message);
        match converter.take(message, &self.schema, &self.options) {
            convert::Next::More => "lignes",
            convert::Next::Finish => "fin",
            convert::Next::ReadWhole => "relecture",
        }
        .to_owned()
    }

    /// Rows received so far (for the progress bar).
    pub fn rows(&self) -> usize {
        self.converter.as_ref().map_or(0, |c| c.rows())
    }

    /// The result, as [`convert`] returns it, once [`Self::take`] said `"fin"`.
    pub fn finish(&mut self) -> Result<JsValue, JsError> {
        let converter = self.converter.take().unwrap_or_default();
        let result = converter
            .finish(&self.schema, &self.options)
            .map_err(|e| JsError::new(&format!("{} : {e}", self.file_name)))?;
        conversion_to_js(result)
    }
}

/// The engine's memory in bytes: its peak so far, since WebAssembly memory never shrinks.
#[wasm_bindgen]
pub fn memory_bytes() -> f64 {
    crate::wasm_alloc::memory_bytes() as f64
}

/// Whether this module reads the format of these bytes (the first module leaves .xls, .xlsb and
/// .ods to the second, loaded on demand).
#[wasm_bindgen]
pub fn reads_format(bytes: &[u8], file_name: &str) -> bool {
    crate::workbook::reads_format(bytes, file_name)
}

/// The Excel template to fill in (xlsx bytes), for the bundled schema or `schema_xsd`.
#[cfg(feature = "xlsx-template")]
#[wasm_bindgen]
pub fn template(with_examples: bool, schema_xsd: Option<String>) -> Result<Vec<u8>, JsError> {
    let schema = load_schema(schema_xsd)?;
    let bytes = if with_examples {
        crate::template::write_template_with_examples(&schema)
    } else {
        crate::template::write_template(&schema)
    };
    bytes.map_err(|e| JsError::new(&format!("le modèle Excel n'a pas pu être créé : {e}")))
}

#[derive(Deserialize)]
#[serde(default)]
#[derive(Default)]
struct JsFinding {
    severity: String,
    code: String,
    sheet: String,
    cell: String,
    row: u32,
    column: String,
    value: String,
    message: String,
    fix: String,
}

/// `Finding::code` is `&'static str` (a fixed set of codes in the library): codes coming back
/// from the page are interned so that each distinct code is allocated once, not once per call.
fn intern(code: String) -> &'static str {
    static CODES: Mutex<Option<HashSet<&'static str>>> = Mutex::new(None);
    let Ok(mut guard) = CODES.lock() else {
        return "";
    };
    let set = guard.get_or_insert_with(HashSet::new);
    if let Some(known) = set.get(code.as_str()) {
        return known;
    }
    let leaked: &'static str = Box::leak(code.into_boxed_str());
    set.insert(leaked);
    leaked
}

/// The report as CSV for Excel (`;`, UTF-8 with BOM, formulas neutralised), from the
/// `diagnostics` array `convert` returned.
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn report_csv(findings: JsValue) -> Result<String, JsError> {
    let list: Vec<JsFinding> = serde_wasm_bindgen::from_value(findings)
        .map_err(|e| JsError::new(&format!("rapport illisible : {e}")))?;
    let findings: Vec<Finding> = list
        .into_iter()
        .map(|f| Finding {
            level: match f.severity.as_str() {
                "erreur" => Level::Erreur,
                "avertissement" => Level::Avertissement,
                _ => Level::Info,
            },
            code: intern(f.code),
            sheet: f.sheet,
            cell: f.cell,
            row: f.row,
            column: f.column,
            value: f.value,
            message: f.message,
            fix: f.fix,
        })
        .collect();
    Ok(convert::findings_to_csv(&findings))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsChoice {
    code: String,
    label: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsParam {
    /// The key the converter expects in `params` (`idClientEmetteur`, `action`…).
    key: String,
    /// The XSD element it fills.
    element: String,
    /// French label from the dictionary, or the element name for an element it does not know.
    label: String,
    /// Help text from the dictionary, empty when unknown.
    help: String,
    /// The schema's constraints in French (length, pattern, values).
    constraints: String,
    enumeration: Option<Vec<JsChoice>>,
    /// Whether the dictionary knows it (a newer XSD may add flux-level elements it does not).
    known: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsSchemaInfo {
    version: Option<String>,
    target_namespace: Option<String>,
    root: Option<String>,
    params: Vec<JsParam>,
    /// The values of natureDeposant (a certification-level default the form offers too).
    nature_deposant: Option<Vec<JsChoice>>,
}

/// What the page needs to know about a schema: its declared version, target namespace, root, and
/// the flux-level simple elements (the parameters), so that the Paramètres form follows the XSD.
/// `xsd_text` undefined or empty: the bundled CDC 1.1.2. A schema that does not compile gives an
/// `Error` with the line and a French explanation.
#[cfg(not(feature = "wasm-template-module"))]
#[wasm_bindgen]
pub fn schema_info(xsd_text: Option<String>) -> Result<JsValue, JsError> {
    let schema = load_schema(xsd_text)?;
    let root = schema.global_elements().next().map(|e| e.name.clone());
    let mut params = Vec::new();
    if let Some(root_id) = root.as_deref().and_then(|n| schema.global_element(n)) {
        let mut slots = convert::writer::Slots::default();
        let plan = convert::writer::Plan::new(&schema, root_id, &mut slots);
        for (key, element) in &plan.params {
            let decl = schema.element(*element);
            let entry = dictionary::lookup_parameter(key);
            params.push(JsParam {
                key: key.clone(),
                element: decl.name.clone(),
                label: entry.map_or_else(|| decl.name.clone(), |e| e.label.to_owned()),
                help: entry.map(|e| e.help.to_owned()).unwrap_or_default(),
                constraints: dictionary::element_constraints(&schema, *element),
                enumeration: schema
                    .element_simple_type(*element)
                    .and_then(|st| st.enumeration_values())
                    .map(|_| {
                        dictionary::enumeration_choices(&schema, &decl.name)
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(code, label)| JsChoice { code, label })
                            .collect()
                    }),
                known: entry.is_some(),
            });
        }
    }
    to_js(&JsSchemaInfo {
        version: schema.version().map(str::to_owned),
        target_namespace: schema.target_namespace().map(str::to_owned),
        root,
        params,
        nature_deposant: dictionary::enumeration_choices(&schema, "natureDeposant").map(|c| {
            c.into_iter()
                .map(|(code, label)| JsChoice { code, label })
                .collect()
        }),
    })
}
