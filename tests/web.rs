//! The browser API (`src/wasm.rs`) as the page sees it: JS values in, JS values out.
//! Run with `scripts/test.sh`, or:
//! `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner cargo test --target wasm32-unknown-unknown --test web`
#![cfg(target_arch = "wasm32")]

use accrochage::wasm;
use serde_json::{json, Value};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::wasm_bindgen_test;

const HEADER: &str = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nomNaissance;prenom1;anneeNaissance;sexe;codeInsee";
const EXTENDED_XSD: &str = include_str!("fixtures/cdc-extended-action-nir.xsd");

fn js(v: &Value) -> JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .expect("JSON is a JS value")
}

fn rust(v: JsValue) -> Value {
    serde_wasm_bindgen::from_value(v).expect("a JSON-compatible value")
}

/// `convert`'s result as JSON, each file's `xml` (UTF-8 bytes in a `Uint8Array`, checked here)
/// turned into text.
fn converted(v: JsValue) -> Value {
    let files = js_sys::Reflect::get(&v, &"files".into()).expect("files");
    for i in 0..js_sys::Array::from(&files).length() {
        let file = js_sys::Reflect::get_u32(&files, i).expect("a file");
        let xml = js_sys::Reflect::get(&file, &"xml".into()).expect("xml");
        assert!(
            wasm_bindgen::JsCast::is_instance_of::<js_sys::Uint8Array>(&xml),
            "{xml:?}"
        );
        let text = String::from_utf8(js_sys::Uint8Array::from(xml).to_vec()).expect("UTF-8");
        js_sys::Reflect::set(&file, &"xml".into(), &text.into()).expect("set");
    }
    rust(v)
}

fn options(extra: Value) -> JsValue {
    let mut o = json!({
        "params": {
            "idClientEmetteur": "ABCD1234",
            "idClientCertificateur": "ABCD1234",
            "idContrat": "MCF-1",
            "idFlux": "flux-test-1",
            "horodatage": "2026-11-22T10:00:00+01:00"
        },
        // 2026-11-22 09:00:00 UTC, Paris in winter.
        "now": { "unixSeconds": 1_795_338_000.0, "offsetMinutes": 60 }
    });
    if let (Some(o), Some(e)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            o.insert(k.clone(), v.clone());
        }
    }
    js(&o)
}

fn error_message(e: wasm_bindgen::JsError) -> String {
    let v: JsValue = e.into();
    js_sys::Error::from(v).message().into()
}

#[wasm_bindgen_test]
fn version_is_the_crate_version() {
    assert_eq!(wasm::version(), env!("CARGO_PKG_VERSION"));
}

#[wasm_bindgen_test]
fn convert_gives_files_diagnostics_and_summary() {
    let csv = format!(
        "{HEADER}\nT-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n"
    );
    let out =
        converted(wasm::convert(csv.as_bytes(), "passages.csv", options(json!({})), None).unwrap());
    let file = &out["files"][0];
    assert_eq!(file["idFlux"], "flux-test-1");
    assert_eq!(file["passages"], 1);
    assert_eq!(file["name"], "accrochage_RNCP12345_20261122-100000.xml");
    let xml = file["xml"].as_str().unwrap();
    assert!(xml.contains("<cpf:horodatage>2026-11-22T10:00:00+01:00</cpf:horodatage>"));
    assert_eq!(out["summary"]["rowsRead"], 1);
    assert_eq!(out["summary"]["passagesWritten"], 1);
    // The XML it wrote passes its own check.
    let report = rust(wasm::validate_xml(xml.as_bytes(), None).unwrap());
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["passages"], 1);
    assert_eq!(report["schemaVersion"], "1.1.2");
}

/// CRC-32 (IEEE) bit by bit, as the zip format defines it: the reference the engine's is checked
/// against.
fn crc32_bitwise(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A CSV of `n` valid rows, identified T-1 to T-n.
fn csv_of(n: usize) -> String {
    let rows: String = (1..=n)
        .map(|i| format!("T-{i};RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n"))
        .collect();
    format!("{HEADER}\n{rows}")
}

#[wasm_bindgen_test]
fn split_files_come_with_their_crc32_for_the_zip() {
    let csv = csv_of(3);
    let split = converted(
        wasm::convert(
            csv.as_bytes(),
            "p.csv",
            options(json!({ "maxPassages": 2 })),
            None,
        )
        .unwrap(),
    );
    let files = split["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    for f in files {
        let xml = f["xml"].as_str().unwrap();
        assert_eq!(f["crc32"], crc32_bitwise(xml.as_bytes()), "{}", f["name"]);
    }
    // A single file is downloaded as it is: no zip, no CRC.
    let single =
        converted(wasm::convert(csv.as_bytes(), "p.csv", options(json!({})), None).unwrap());
    assert!(single["files"][0].get("crc32").is_none());
}

/// A large output's final check shared with another worker: the documents handed over are
/// the parts the converter did not check itself, each valid; refusing them gives the same files.
#[wasm_bindgen_test]
fn a_large_output_shares_its_check_with_another_worker() {
    use wasm_bindgen::prelude::Closure;
    use wasm_bindgen::JsCast;
    let csv = csv_of(3000);
    let handed = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Vec<u8>>::new()));
    let convert_with = |take: bool| {
        let keep = handed.clone();
        let share = Closure::<dyn FnMut(js_sys::Uint8Array) -> bool>::new(
            move |doc: js_sys::Uint8Array| {
                keep.borrow_mut().push(doc.to_vec());
                take
            },
        );
        let share: &js_sys::Function = share.as_ref().unchecked_ref();
        converted(
            wasm::convert(
                csv.as_bytes(),
                "p.csv",
                options(json!({})),
                Some(share.clone()),
            )
            .unwrap(),
        )
    };
    let shared = convert_with(true);
    let xml = shared["files"][0]["xml"].as_str().unwrap().to_owned();
    assert_eq!(shared["summary"]["passagesWritten"], 3000);
    let documents = handed.borrow_mut().split_off(0);
    assert_eq!(documents.len(), 1, "one half for the other worker");
    let half = &documents[0];
    assert!(
        half.len() > xml.len() / 3 && half.len() < xml.len() * 2 / 3,
        "{} of {}",
        half.len(),
        xml.len()
    );
    assert!(wasm::xml_is_valid(half, None).unwrap());
    assert!(half.ends_with(b"</cpf:flux>\n"));
    // The half is a document of its own: broken, it is found invalid.
    let broken =
        String::from_utf8(half.clone())
            .unwrap()
            .replacen("<cpf:nomNaissance>", "<cpf:nom>", 1);
    assert!(!wasm::xml_is_valid(broken.as_bytes(), None).unwrap());
    // Refused, the document is checked here: same files.
    let alone = convert_with(false);
    assert_eq!(alone["files"][0]["xml"], shared["files"][0]["xml"]);
    // A small output is checked here whole.
    handed.borrow_mut().clear();
    let small = csv_of(1);
    let share = Closure::<dyn FnMut(js_sys::Uint8Array) -> bool>::new(|_: js_sys::Uint8Array| true);
    let out = converted(
        wasm::convert(
            small.as_bytes(),
            "p.csv",
            options(json!({})),
            Some(share.as_ref().unchecked_ref::<js_sys::Function>().clone()),
        )
        .unwrap(),
    );
    assert_eq!(out["summary"]["passagesWritten"], 1);
    assert!(handed.borrow().is_empty());
}

#[wasm_bindgen_test]
fn convert_follows_another_schema() {
    let csv = "idTechnique;type;code;obtentionCertification;donneeCertifiee;dateDebutValidite;presenceNiveauLangueEuro;presenceNiveauNumeriqueEuro;nir;nomNaissance\n\
               N-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;1900175056123;DUPONT\n";
    let params = options(json!({
        "schemaXsd": EXTENDED_XSD,
        "params": {
            "idClientEmetteur": "ABCD1234",
            "idClientCertificateur": "ABCD1234",
            "idContrat": "MCF-1",
            "action": "CREATION"
        }
    }));
    let out = converted(wasm::convert(csv.as_bytes(), "nir.csv", params, None).unwrap());
    let xml = out["files"][0]["xml"].as_str().expect("one file");
    assert!(xml.contains("<cpf:action>CREATION</cpf:action>"));
    assert!(xml.contains("<cpf:nir>1900175056123</cpf:nir>"));
    let report = rust(wasm::validate_xml(xml.as_bytes(), Some(EXTENDED_XSD.into())).unwrap());
    assert_eq!(report["valid"], true, "{report}");
    assert_eq!(report["schemaVersion"], "1.1.5-test");
    // The same file is not valid 1.1.2.
    let strict = rust(wasm::validate_xml(xml.as_bytes(), None).unwrap());
    assert_eq!(strict["valid"], false);
}

#[wasm_bindgen_test]
fn convert_locates_a_bad_cell() {
    let csv = format!(
        "{HEADER}\nT-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n\
         T-2;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;MARTIN;Paul;1990;Z;75056\n"
    );
    let out =
        converted(wasm::convert(csv.as_bytes(), "passages.csv", options(json!({})), None).unwrap());
    let bad: Vec<&Value> = out["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "erreur")
        .collect();
    assert!(!bad.is_empty(), "{out}");
    assert_eq!(bad[0]["cell"], "Passages!L3");
    assert_eq!(bad[0]["value"], "Z");
    assert_eq!(out["summary"]["rowsExcluded"], 1);
    assert_eq!(out["summary"]["passagesWritten"], 1);
}

#[wasm_bindgen_test]
fn unicode_forms_asked_of_the_javascript_engine_match_the_native_ones() {
    use accrochage::unicode::{nfc, nfkd_without_marks};
    assert_eq!(nfc("Ame\u{301}lie").as_deref(), Some("Amélie"));
    assert_eq!(nfc("Amélie"), None);
    assert_eq!(nfkd_without_marks("Présentiel ﬁ"), "Presentiel fi");
    assert_eq!(
        nfkd_without_marks("À DISTANCE\u{a0}n\u{ba}"),
        "A DISTANCE no"
    );
}

#[wasm_bindgen_test]
fn convert_composes_accents_and_folds_accented_labels_in_the_browser() {
    // « Prénom » as a header and « Féminin » as a value are matched without their accents; a
    // decomposed « e + U+0301 » is composed and reported.
    let header = HEADER.replace(";prenom1;", ";Prénom;");
    let csv = format!(
        "{header}\nT-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Ame\u{301}lie;1990;Féminin;75056\n"
    );
    let out =
        converted(wasm::convert(csv.as_bytes(), "passages.csv", options(json!({})), None).unwrap());
    assert_eq!(out["summary"]["passagesWritten"], 1, "{out}");
    let xml = out["files"][0]["xml"].as_str().unwrap();
    assert!(xml.contains(">Amélie<"), "{xml}");
    assert!(xml.contains(">F<"), "{xml}");
    let normalized = out["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["cell"] == "Passages!J2" && d["message"].as_str().unwrap().contains("NFC"));
    assert!(normalized, "{out}");
}

#[wasm_bindgen_test]
fn strict_mode_writes_no_file_when_a_row_is_wrong() {
    let csv = format!(
        "{HEADER}\nT-2;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;MARTIN;Paul;1990;Z;75056\n"
    );
    let out = converted(
        wasm::convert(
            csv.as_bytes(),
            "passages.csv",
            options(json!({"strict": true})),
            None,
        )
        .unwrap(),
    );
    assert_eq!(out["files"].as_array().unwrap().len(), 0);
}

#[wasm_bindgen_test]
fn convert_without_options_uses_the_browser_clock() {
    let csv = format!(
        "{HEADER}\nT-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n"
    );
    let out = converted(wasm::convert(csv.as_bytes(), "p.csv", JsValue::UNDEFINED, None).unwrap());
    // No parameters: no XML, and the report says which parameter is missing.
    assert_eq!(out["files"].as_array().unwrap().len(), 0);
    let missing = out["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "parametre-manquant")
        .expect("a missing-parameter finding");
    assert!(missing["message"].as_str().unwrap().contains("absent"));
}

#[wasm_bindgen_test]
fn unusable_input_is_a_french_error() {
    let e = wasm::convert(&[0xff, 0xfe, 0x00], "vide.csv", options(json!({})), None).unwrap_err();
    assert!(error_message(e).starts_with("vide.csv : "));
    let e = wasm::convert(b"x", "p.csv", js(&json!({"strict": "oui"})), None).unwrap_err();
    assert!(error_message(e).contains("options de conversion illisibles"));
}

#[wasm_bindgen_test]
fn validate_reports_line_path_and_french_message() {
    let report = rust(wasm::validate_xml(b"<flux/>", None).unwrap());
    assert_eq!(report["valid"], false);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "root-unexpected");
    assert_eq!(d["line"], 1);
    assert_eq!(d["severity"], "erreur");
    assert!(!d["message"].as_str().unwrap().is_empty());
}

#[wasm_bindgen_test]
fn a_broken_schema_is_a_french_error() {
    let e = wasm::validate_xml(b"<flux/>", Some("<pas-un-schema".into())).unwrap_err();
    let m = error_message(e);
    assert!(m.contains("Ce schéma XSD ne peut pas être utilisé"), "{m}");
    assert!(wasm::schema_info(Some("<xs:schema".into())).is_err());
}

#[wasm_bindgen_test]
fn schema_info_lists_the_flux_parameters() {
    let info = rust(wasm::schema_info(None).unwrap());
    assert_eq!(info["version"], "1.1.2");
    assert_eq!(info["targetNamespace"], "urn:cdc:cpf:pc5:schema:1.0.0");
    assert_eq!(info["root"], "flux");
    let keys: Vec<&str> = info["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    for k in [
        "idFlux",
        "horodatage",
        "idClientEmetteur",
        "idClientCertificateur",
        "idContrat",
    ] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    assert!(!keys.contains(&"action"));
}

#[wasm_bindgen_test]
fn schema_info_of_a_newer_xsd_shows_action_with_its_values() {
    let info = rust(wasm::schema_info(Some(EXTENDED_XSD.into())).unwrap());
    assert_eq!(info["version"], "1.1.5-test");
    let action = info["params"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "action")
        .expect("action is a flux parameter of the extended schema");
    assert_eq!(action["known"], false);
    let codes: Vec<&str> = action["enumeration"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["CREATION", "SUPPRESSION"]);
}

#[wasm_bindgen_test]
fn report_csv_neutralises_formulas() {
    let findings = js(&json!([{
        "severity": "erreur", "code": "valeur-invalide", "sheet": "Passages",
        "cell": "Passages!B3", "row": 3, "column": "nom", "value": "=HYPERLINK(\"x\")",
        "message": "m", "fix": "f"
    }]));
    let csv = wasm::report_csv(findings).unwrap();
    assert!(csv.starts_with("\u{feff}gravité;code;cellule"));
    assert!(csv.contains("erreur;valeur-invalide;Passages!B3;nom;\"'=HYPERLINK(\"\"x\"\")\";m;f"));
    assert!(wasm::report_csv(js(&json!("pas une liste"))).is_err());
}

#[wasm_bindgen_test]
fn template_is_an_xlsx() {
    let bytes = wasm::template(true, None).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let plain = wasm::template(false, Some(EXTENDED_XSD.into())).unwrap();
    assert_eq!(&plain[..2], b"PK");
}

// ─── The « Accusé de traitement » tab (src/wasm_accuse.rs) ───

const ACCUSE: &str = "<rapport><idFlux>F-1</idFlux><PassagesKO><passage><idTechnique>T-2</idTechnique>\
    <messageErreur>Aucun titulaire ne correspond aux critères obligatoires</messageErreur></passage>\
    </PassagesKO><PassagesOK><idTechnique>T-1</idTechnique></PassagesOK></rapport>";

fn accuse_csv() -> String {
    format!(
        "{HEADER}\nT-1;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;DUPONT;Marie;1990;F;75056\n\
         T-2;RNCP;RNCP12345;PAR_ADMISSION;Oui;15/09/2026;Non;Non;MARTIN;Paul;1991;M;75056\n"
    )
}

#[wasm_bindgen_test]
fn accuse_reconcile_gives_statuses_names_and_labels() {
    use accrochage::wasm_accuse;
    let csv = accuse_csv();
    let out = rust(
        wasm_accuse::accuse_reconcile(
            ACCUSE.as_bytes(),
            Some(csv.into_bytes()),
            Some("passages.csv".into()),
            None,
            None,
        )
        .unwrap(),
    );
    assert_eq!(out["summary"]["ok"], 1);
    assert_eq!(out["summary"]["ko"], 1);
    assert_eq!(out["summary"]["toResend"], 1);
    assert_eq!(out["entries"][1]["status"], "ko");
    assert_eq!(out["entries"][1]["cell"], "Passages!A3");
    assert_eq!(out["names"], json!(["DUPONT Marie", "MARTIN Paul"]));
    assert_eq!(out["statusLabels"]["ko"], "refusé");
    assert_eq!(out["statusLabels"]["non-envoye"], "non envoyé");
}

#[wasm_bindgen_test]
fn accuse_reconcile_errors_are_french_and_name_the_file() {
    use accrochage::wasm_accuse;
    let e =
        wasm_accuse::accuse_reconcile(b"idTechnique;nom\n", None, None, None, None).unwrap_err();
    assert!(error_message(e).starts_with("Accusé de traitement : "));
    let e = wasm_accuse::accuse_reconcile(
        ACCUSE.as_bytes(),
        Some(b"PK\x03\x04pas un classeur".to_vec()),
        Some("passages.xlsx".into()),
        None,
        None,
    )
    .unwrap_err();
    let m = error_message(e);
    assert!(
        m.contains("Le classeur « passages.xlsx » ne peut pas être lu"),
        "{m}"
    );
    assert!(m.contains("Déposez le classeur qui a été converti"), "{m}");
}

#[wasm_bindgen_test]
fn accuse_export_ko_writes_the_refused_rows_or_says_there_are_none() {
    use accrochage::wasm_accuse;
    let csv = accuse_csv();
    let xlsx = wasm_accuse::accuse_export_ko(
        ACCUSE.as_bytes(),
        csv.as_bytes(),
        "passages.csv",
        None,
        None,
    )
    .unwrap();
    assert!(xlsx.starts_with(b"PK"));
    let all_ok = "<rapport><idFlux>F-1</idFlux><PassagesOK><idTechnique>T-1</idTechnique>\
        <idTechnique>T-2</idTechnique></PassagesOK></rapport>";
    let e = wasm_accuse::accuse_export_ko(
        all_ok.as_bytes(),
        csv.as_bytes(),
        "passages.csv",
        None,
        None,
    )
    .unwrap_err();
    assert!(error_message(e).starts_with("Aucune ligne n'est à corriger"));
}

#[wasm_bindgen_test]
fn the_memory_grows_in_large_steps() {
    // 40 000 small blocks kept alive (40 Mo): grown 64 KiB at a time, as the standard allocator
    // does alone, the memory would change size some 600 times, each time with a garbage
    // collection in the browser.
    let mut sizes = vec![wasm::memory_bytes()];
    let mut kept = Vec::with_capacity(40_000);
    for i in 0..40_000u32 {
        kept.push(vec![i as u8; 1000]);
        let now = wasm::memory_bytes();
        if sizes.last() != Some(&now) {
            sizes.push(now);
        }
    }
    assert!(
        sizes.len() >= 2,
        "40 Mo must have grown the memory: {sizes:?}"
    );
    assert!(sizes.len() <= 6, "{} sizes: {sizes:?}", sizes.len());
    for step in sizes.windows(2) {
        assert!(step[1] - step[0] >= 16.0 * 1024.0 * 1024.0, "{sizes:?}");
    }
    assert_eq!(
        kept.iter().map(|b| b[999] as u64).sum::<u64>(),
        (0..40_000u64).map(|i| i % 256).sum::<u64>()
    );
}

/// What one worker posts (read_rows), to be taken by the other (StreamConversion).
fn posted(bytes: &[u8], name: &str) -> Vec<Vec<u8>> {
    use wasm_bindgen::prelude::Closure;
    use wasm_bindgen::JsCast;
    let messages = std::rc::Rc::new(std::cell::RefCell::new(Vec::<Vec<u8>>::new()));
    let keep = messages.clone();
    let post =
        Closure::<dyn FnMut(js_sys::Uint8Array) -> bool>::new(move |m: js_sys::Uint8Array| {
            keep.borrow_mut().push(m.to_vec());
            true
        });
    wasm::read_rows(bytes, name, post.as_ref().unchecked_ref());
    messages.take()
}

#[wasm_bindgen_test]
fn a_workbook_read_in_another_worker_converts_as_when_read_whole() {
    let xlsx = wasm::template(true, None).unwrap();
    let messages = posted(&xlsx, "modele.xlsx");
    assert!(messages.len() >= 3, "the book, rows, the end");
    let mut conversion =
        wasm::StreamConversion::new("modele.xlsx", options(json!({})), None).unwrap();
    let said: Vec<String> = messages.iter().map(|m| conversion.take(m)).collect();
    assert_eq!(said.last().map(String::as_str), Some("fin"));
    assert!(said[..said.len() - 1].iter().all(|s| s == "lignes"));
    assert!(conversion.rows() > 0);
    let streamed = converted(conversion.finish().unwrap());
    let whole = converted(wasm::convert(&xlsx, "modele.xlsx", options(json!({})), None).unwrap());
    assert_eq!(streamed, whole);
    assert!(streamed["summary"]["passagesWritten"].as_u64().unwrap() > 0);
    // A CSV is left to the engine, and so is a damaged message.
    let csv = csv_of(2);
    let messages = posted(csv.as_bytes(), "p.csv");
    let mut conversion = wasm::StreamConversion::new("p.csv", options(json!({})), None).unwrap();
    assert_eq!(
        messages
            .iter()
            .map(|m| conversion.take(m))
            .collect::<Vec<_>>(),
        ["relecture"]
    );
    let mut conversion =
        wasm::StreamConversion::new("modele.xlsx", options(json!({})), None).unwrap();
    assert_eq!(conversion.take(&[9, 9, 9]), "relecture");
    assert_eq!(
        conversion.take(&posted(&xlsx, "modele.xlsx")[0]),
        "relecture",
        "once left, left"
    );
}

/// The page's warm-up (www/worker.js, warmUp): the sample workbook goes the way of a large
/// xlsx, read in one worker and converted in another, and every passage is written.
#[wasm_bindgen_test]
fn the_sample_workbook_streams_and_converts_whole() {
    let xlsx = wasm::sample_workbook(40);
    let mut conversion =
        wasm::StreamConversion::new("exemple.xlsx", JsValue::UNDEFINED, None).unwrap();
    let said: Vec<String> = posted(&xlsx, "exemple.xlsx")
        .iter()
        .map(|m| conversion.take(m))
        .collect();
    assert_eq!(said.last().map(String::as_str), Some("fin"), "{said:?}");
    let out = converted(conversion.finish().unwrap());
    assert_eq!(out["summary"]["passagesWritten"], 40);
    assert_eq!(out["summary"]["errors"], 0);
    let xml = out["files"][0]["xml"].as_str().unwrap();
    assert!(xml.contains("<cpf:idTechnique>2024-RS6789-0003-38</cpf:idTechnique>"));
    let report = rust(wasm::validate_xml(xml.as_bytes(), None).unwrap());
    assert_eq!(report["valid"], true, "{report}");
}
