//! Reading an accusé de traitement: both variants of the CDC's answer, matched on local names.
//!
//! The CDC declares a `ns2` prefix it never uses and its spellings vary between deposits, so
//! elements are recognised by local name only, anywhere a list may sit; unknown elements are
//! skipped. A DTD is refused outright: nothing is ever fetched or expanded.
//!
//! ```
//! let accuse = accrochage::accuse::parse_accuse(
//!     b"<rapport><idFlux>F-1</idFlux><idTraitement>7</idTraitement>\
//!       <PassagesOK><idTechnique>T-1</idTechnique></PassagesOK></rapport>",
//! )
//! .unwrap();
//! assert_eq!(accuse.ok, ["T-1"]);
//! assert!(!accuse.is_rejected());
//! ```

use std::fmt;

use quick_xml::events::Event;
use quick_xml::Reader;
use serde::Serialize;

/// What the CDC answered about one deposited file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Accuse {
    pub nom_fichier: Option<String>,
    pub id_flux: Option<String>,
    pub id_traitement: Option<String>,
    /// idTechnique of the accepted passages, in the accusé's order.
    pub ok: Vec<String>,
    /// Refused passages with the CDC's message.
    pub ko: Vec<PassageKo>,
    /// Whole-file rejection: when not empty, no passage of the file was processed.
    pub erreurs: Vec<ErreurFichier>,
}

impl Accuse {
    /// The whole file was rejected (XSD error): none of its passages was processed.
    pub fn is_rejected(&self) -> bool {
        !self.erreurs.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PassageKo {
    pub id_technique: String,
    pub message: String,
}

/// One error of a whole-file rejection, as the CDC located it in the deposited XML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErreurFichier {
    /// `XSD` in the files seen so far.
    pub kind: String,
    pub message: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
}

/// A file that cannot be read as an accusé de traitement, with what it looks like instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccuseError {
    /// Stable identifier: `vide`, `pas-xml`, `xml-mal-forme`, `dtd`, `flux-cdc`, `html`,
    /// `autre-xml`.
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for AccuseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AccuseError {}

fn error(code: &'static str, message: String) -> AccuseError {
    AccuseError { code, message }
}

const HOW_TO_GET_IT: &str = "téléchargez l'accusé de traitement (fichier XML « Accusé de traitement_… ») depuis le portail de la Caisse des Dépôts et donnez ce fichier";

/// Reads an accusé de traitement (UTF-8, with or without a BOM).
pub fn parse_accuse(bytes: &[u8]) -> Result<Accuse, AccuseError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = sniff(bytes)?;
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut accuse = Accuse::default();
    // Local names of the open elements, root first.
    let mut stack: Vec<String> = Vec::new();
    let mut text_buf = String::new();
    let mut ko: Option<(Option<String>, Option<String>)> = None;
    let mut err: Option<ErreurFichier> = None;
    let mut known_content = false;
    loop {
        let event = reader.read_event().map_err(|e| {
            let (line, column) = line_col(text, reader.error_position() as usize);
            error(
                "xml-mal-forme",
                format!("Le fichier n'est pas un XML bien formé (ligne {line}, colonne {column} : {e}) : ce n'est pas un accusé de traitement intact ; {HOW_TO_GET_IT}"),
            )
        })?;
        match event {
            Event::DocType(_) => {
                return Err(error(
                    "dtd",
                    "Le fichier contient une DTD (<!DOCTYPE …>) : un accusé de traitement de la CDC n'en a pas, et elle est refusée par sécurité ; vérifiez que c'est bien le fichier téléchargé depuis le portail".into(),
                ))
            }
            Event::Start(e) if stack.is_empty() => {
                let name = e.local_name().as_ref().to_owned();
                check_root(&name)?;
                stack.push(name.to_ascii_lowercase());
            }
            Event::Empty(e) if stack.is_empty() => {
                // `<rapport/>` holds nothing: the check below says what is missing.
                check_root(e.local_name().as_ref())?;
                break;
            }
            Event::Start(e) => {
                // Names are compared in lower case: the CDC's spellings have varied.
                let name = e.local_name().as_ref().to_ascii_lowercase();
                match name.as_str() {
                    "passage" if parent_is(&stack, "passagesko") => ko = Some((None, None)),
                    "erreur" => err = Some(ErreurFichier::default()),
                    _ => {}
                }
                text_buf.clear();
                stack.push(name);
            }
            Event::Empty(e) => {
                // An empty list or field: nothing to record, but the element is recognised.
                let name = e.local_name().as_ref().to_ascii_lowercase();
                if matches!(name.as_str(), "passagesok" | "passagesko" | "erreurs") {
                    known_content = true;
                }
            }
            Event::Text(t) => text_buf.push_str(&t.xml10_content()),
            Event::CData(t) => text_buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten().map(String::from)
                } else {
                    quick_xml::escape::resolve_predefined_entity(&r).map(str::to_owned)
                };
                match resolved {
                    Some(s) => text_buf.push_str(&s),
                    None => {
                        let name: &str = &r;
                        return Err(error(
                            "xml-mal-forme",
                            format!("Le fichier contient la référence « &{name}; » qu'aucun accusé de la CDC n'emploie : il a sans doute été modifié ; {HOW_TO_GET_IT}"),
                        ));
                    }
                }
            }
            Event::End(_) => {
                let Some(name) = stack.pop() else { break };
                let value = text_buf.trim().to_owned();
                let parent = stack.last().map(String::as_str).unwrap_or("");
                match (name.as_str(), parent) {
                    ("nomfichier", "rapport") => accuse.nom_fichier = Some(value),
                    ("idflux", "rapport") => accuse.id_flux = Some(value),
                    ("idtraitement", "rapport") => accuse.id_traitement = Some(value),
                    ("idtechnique", "passagesok") if !value.is_empty() => accuse.ok.push(value),
                    // A list of accepted passages spelt like the refused one.
                    ("idtechnique", "passage")
                        if !value.is_empty()
                            && stack.len() >= 2
                            && stack[stack.len() - 2] == "passagesok" =>
                    {
                        accuse.ok.push(value)
                    }
                    ("idtechnique", "passage") => {
                        if let Some(k) = ko.as_mut() {
                            k.0 = Some(value)
                        }
                    }
                    ("messageerreur", "passage") => {
                        if let Some(k) = ko.as_mut() {
                            k.1 = Some(value)
                        }
                    }
                    ("passage", _) => {
                        if let Some((Some(id), message)) = ko.take() {
                            if !id.is_empty() {
                                accuse.ko.push(PassageKo {
                                    id_technique: id,
                                    message: message.unwrap_or_default(),
                                });
                            }
                        }
                    }
                    ("type", "erreur") => {
                        if let Some(e) = err.as_mut() {
                            e.kind = value
                        }
                    }
                    ("message", "erreur") => {
                        if let Some(e) = err.as_mut() {
                            e.message = value
                        }
                    }
                    ("ligne", "erreur") => {
                        if let Some(e) = err.as_mut() {
                            e.line = value.parse().ok()
                        }
                    }
                    ("colonne", "erreur") => {
                        if let Some(e) = err.as_mut() {
                            e.column = value.parse().ok()
                        }
                    }
                    ("erreur", _) => accuse.erreurs.extend(err.take()),
                    ("passagesok" | "passagesko" | "erreurs", _) => known_content = true,
                    _ => {}
                }
                text_buf.clear();
                if stack.is_empty() {
                    break;
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(error(
                        "xml-mal-forme",
                        format!("Le fichier s'arrête avant la fin de l'élément <{open}> : l'accusé est tronqué (téléchargement interrompu ?) ; {HOW_TO_GET_IT}"),
                    ));
                }
                return Err(error(
                    "vide",
                    format!("Le fichier ne contient aucun élément XML : {HOW_TO_GET_IT}"),
                ));
            }
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    let recognised = known_content
        || accuse.id_flux.is_some()
        || accuse.id_traitement.is_some()
        || !accuse.ok.is_empty()
        || !accuse.ko.is_empty()
        || !accuse.erreurs.is_empty();
    if !recognised {
        return Err(error(
            "autre-xml",
            format!("Le fichier a bien un élément <rapport> mais aucun des éléments d'un accusé de traitement (idFlux, idTraitement, PassagesOK, PassagesKO, erreurs) : {HOW_TO_GET_IT}"),
        ));
    }
    Ok(accuse)
}

fn parent_is(stack: &[String], name: &str) -> bool {
    stack.last().is_some_and(|p| p == name)
}

/// Tells what the bytes are when they are not XML text at all.
fn sniff(bytes: &[u8]) -> Result<&str, AccuseError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let head = &bytes[start..];
    if head.is_empty() {
        return Err(error(
            "vide",
            format!("Le fichier est vide : {HOW_TO_GET_IT}"),
        ));
    }
    let looks_like = if head.starts_with(b"PK\x03\x04") {
        Some("une archive zip ou un classeur Excel (.xlsx, .ods)")
    } else if head.starts_with(b"%PDF") {
        Some("un document PDF")
    } else if head.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Some("un ancien classeur Excel (.xls) ou document Word (.doc)")
    } else if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        Some("un texte en UTF-16 (l'accusé de la CDC est en UTF-8 : il a été réenregistré)")
    } else {
        None
    };
    if let Some(what) = looks_like {
        return Err(error(
            "pas-xml",
            format!("Ce fichier n'est pas un accusé de traitement : il ressemble à {what} ; {HOW_TO_GET_IT}"),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|_| {
        error(
            "pas-xml",
            format!("Ce fichier n'est pas un texte UTF-8, donc pas un accusé de traitement de la CDC (réenregistré dans un autre encodage ?) ; {HOW_TO_GET_IT}"),
        )
    })?;
    let trimmed = text.trim_start();
    if !trimmed.starts_with('<') {
        let first: String = trimmed
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(40)
            .collect();
        let what = if first.contains(';') || first.contains(',') {
            "un fichier CSV ou un texte tabulé"
        } else {
            "un texte"
        };
        return Err(error(
            "pas-xml",
            format!("Ce fichier n'est pas du XML (il commence par « {first} ») : il ressemble à {what}, pas à un accusé de traitement ; {HOW_TO_GET_IT}"),
        ));
    }
    let lower: String = trimmed.chars().take(200).collect::<String>().to_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Err(html_error());
    }
    Ok(text)
}

fn html_error() -> AccuseError {
    error(
        "html",
        format!("Ce fichier est une page web (HTML), pas un accusé de traitement : la page du portail a sans doute été enregistrée au lieu du fichier ; {HOW_TO_GET_IT}"),
    )
}

fn check_root(name: &str) -> Result<(), AccuseError> {
    match name.to_ascii_lowercase().as_str() {
        "rapport" => Ok(()),
        "flux" => Err(error(
            "flux-cdc",
            format!("Ce fichier est un flux d'accrochage (élément racine <flux>) : c'est le fichier envoyé à la Caisse des Dépôts, pas l'accusé de traitement qu'elle renvoie ; {HOW_TO_GET_IT}"),
        )),
        "html" => Err(html_error()),
        _ => Err(error(
            "autre-xml",
            format!("Ce fichier XML commence par l'élément <{name}> alors qu'un accusé de traitement commence par <rapport> : ce n'est pas un accusé ; {HOW_TO_GET_IT}"),
        )),
    }
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}
