//! Turning one spreadsheet cell into the text of one XML element, according to the element's
//! simple type in the schema: dates from serials or French text, whole numbers without `.0`,
//! codes that lost their leading zeros, booleans and enumerations in French words, `nil`.
//!
//! Whatever is changed on the way is reported: the user must be able to see every correction.

use crate::dictionary;
use crate::workbook::{
    format_number, parse_text_date, serial_to_date, trimmed, CellValue, DateSystem,
};
use crate::xsd::builtin::Builtin;
use crate::xsd::SimpleType;

/// The value a cell gives a field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    Text(String),
    /// Explicitly unknown: `xsi:nil="true"` for a nillable element.
    Nil,
}

/// A correction applied to a value, reported as a warning or an info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub code: &'static str,
    pub warning: bool,
    pub message: String,
    /// What to do so that the next file needs no correction.
    pub fix: &'static str,
}

/// Why a cell cannot feed its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
    pub fix: String,
}

/// Postal codes are 5 digits in France; a number typed in Excel loses the leading zero of
/// départements 01–09 (`06000` → 6000).
const POSTAL_KEYS: &[&str] = &["codePostal", "codePostalCentreExamen"];

/// Converts a non-empty cell for the field `key` of simple type `st`. `resolver`, prepared once
/// per column, reads the labels of an enumeration (it is built for this cell when absent).
#[allow(clippy::too_many_arguments)]
pub fn convert_cell(
    key: &str,
    label: &str,
    value: &CellValue,
    st: &SimpleType,
    nillable: bool,
    system: DateSystem,
    schema: &crate::xsd::Schema,
    resolver: Option<&dictionary::EnumerationResolver>,
) -> Result<(FieldValue, Vec<Adjustment>), Refusal> {
    let mut adjustments = Vec::new();
    if let CellValue::Text(t) = value {
        if trimmed(t).eq_ignore_ascii_case("nil") {
            return if nillable {
                Ok((FieldValue::Nil, adjustments))
            } else {
                Err(Refusal {
                    code: "nil-interdit",
                    message: format!(
                        "« nil » n'est pas permis pour {label} : cette information est obligatoire"
                    ),
                    fix: format!("Indiquez la valeur de {label}"),
                })
            };
        }
    }
    if let CellValue::Error(e) = value {
        return Err(Refusal {
            code: "cellule-erreur",
            message: format!(
                "La cellule contient l'erreur Excel « {e} » au lieu d'une valeur pour {label}"
            ),
            fix: "Corrigez la formule ou remplacez-la par la valeur attendue".into(),
        });
    }
    let text = match st.builtin {
        Builtin::Date => date_text(label, value, system, &mut adjustments)?,
        Builtin::DateTime => date_time_text(label, value)?,
        Builtin::Boolean => boolean_text(label, value)?,
        b if b.is_decimal() => number_text(label, value, b)?,
        _ => {
            let raw = plain_text(value);
            if let Some(codes) = &st.enumeration {
                // The XSD code itself needs no dictionary look-up (the common case).
                let exact = codes
                    .iter()
                    .find(|(c, _)| *c == raw)
                    .map(|(c, _)| c.clone());
                let resolved = || match resolver {
                    Some(r) => r.resolve(&raw).map(str::to_owned),
                    None => dictionary::resolve_enumeration(schema, key, &raw),
                };
                match exact.or_else(resolved) {
                    Some(code) => {
                        if code != raw {
                            adjustments.push(Adjustment {
                                code: "valeur-traduite",
                                warning: false,
                                message: format!(
                                    "« {raw} » est transmis sous son code XSD « {code} »"
                                ),
                                fix: "Rien à faire : le libellé est accepté",
                            });
                        }
                        code
                    }
                    None => {
                        let labels: Vec<String> = codes
                            .iter()
                            .map(|(c, _)| c.as_str())
                            .map(|c| match dictionary::enumeration_label(key, c) {
                                Some(l) if l != c => format!("{c} ({l})"),
                                _ => c.to_owned(),
                            })
                            .collect();
                        return Err(Refusal {
                            code: "valeur-non-autorisee",
                            message: format!(
                                "La valeur « {raw} » n'est pas autorisée pour {label} : valeurs possibles {}",
                                labels.join(", ")
                            ),
                            fix: "Choisissez une valeur de la liste (le code ou son libellé)".into(),
                        });
                    }
                }
            } else {
                code_text(key, label, value, raw, st, &mut adjustments)
            }
        }
    };
    Ok((FieldValue::Text(text), adjustments))
}

/// A cell as the user sees it in Excel, for messages: dates in French order, errors as shown.
pub fn shown_value(value: &CellValue) -> String {
    let day = |d: &crate::workbook::CalendarDate| format!("{:02}/{:02}/{}", d.day, d.month, d.year);
    match value {
        CellValue::Date(d) => day(d),
        CellValue::DateTime(d, s) if s % 60 == 0 => {
            format!("{} {:02}:{:02}", day(d), s / 3600, s / 60 % 60)
        }
        CellValue::DateTime(d, s) => {
            format!(
                "{} {:02}:{:02}:{:02}",
                day(d),
                s / 3600,
                s / 60 % 60,
                s % 60
            )
        }
        other => plain_text(other),
    }
}

fn plain_text(value: &CellValue) -> String {
    match value {
        CellValue::Text(s) => s.clone(),
        CellValue::Number(n) => format_number(*n),
        CellValue::Bool(b) => if *b { "VRAI" } else { "FAUX" }.to_owned(),
        CellValue::Date(d) => d.to_string(),
        CellValue::DateTime(d, s) => {
            format!("{d}T{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
        }
        CellValue::Error(e) => e.clone(),
    }
}

/// Text fields: numbers lose `.0`, and a code that Excel stored as a number gets its leading
/// zeros back when the schema (or French postal codes) says how many digits it has.
fn code_text(
    key: &str,
    label: &str,
    value: &CellValue,
    raw: String,
    st: &SimpleType,
    adjustments: &mut Vec<Adjustment>,
) -> String {
    let CellValue::Number(n) = value else {
        return raw;
    };
    if n.fract() != 0.0 || *n < 0.0 {
        return raw;
    }
    let digits = raw.len();
    let width = match st.length {
        Some(len) => Some(len),
        None if POSTAL_KEYS.contains(&key) => Some(5),
        None => None,
    };
    match width {
        Some(w) if digits < w && raw.bytes().all(|b| b.is_ascii_digit()) => {
            let padded = format!("{raw:0>w$}");
            adjustments.push(Adjustment {
                code: "zero-initial-retabli",
                warning: true,
                message: format!(
                    "{label} était saisi comme un nombre ({raw}) : le zéro initial perdu par Excel est rétabli ({padded})"
                ),
                fix: "Vérifiez la valeur transmise ; pour la garder telle quelle, mettez la colonne au format Texte avant de saisir",
            });
            padded
        }
        _ => raw,
    }
}

fn date_text(
    label: &str,
    value: &CellValue,
    system: DateSystem,
    adjustments: &mut Vec<Adjustment>,
) -> Result<String, Refusal> {
    let refuse = |shown: String| {
        // Three groups of digits that fail the calendar: say so rather than « illisible ».
        let groups: Vec<&str> = shown.trim().split(['/', '-', '.']).collect();
        let date_shaped = groups.len() == 3
            && groups
                .iter()
                .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()));
        if date_shaped {
            Refusal {
                code: "date-inexistante",
                message: format!("La date « {shown} » de {label} n'existe pas dans le calendrier"),
                fix: "Vérifiez le jour et le mois (ex. pas de 31/02, ni de 29/02 hors année bissextile)".into(),
            }
        } else {
            Refusal {
                code: "date-illisible",
                message: format!("« {shown} » n'est pas une date lisible pour {label}"),
                fix: "Saisissez la date au format JJ/MM/AAAA (ex. 20/04/2024) ou mettez la cellule au format Date".into(),
            }
        }
    };
    match value {
        CellValue::Date(d) => Ok(d.to_string()),
        CellValue::DateTime(d, secs) => {
            if *secs != 0 {
                adjustments.push(Adjustment {
                    code: "heure-ignoree",
                    warning: false,
                    message: format!(
                        "L'heure saisie dans {label} est ignorée : seule la date est transmise"
                    ),
                    fix: "Vérifiez la date transmise ; pour un fichier propre, saisissez la date seule",
                });
            }
            Ok(d.to_string())
        }
        CellValue::Text(t) => parse_text_date(trimmed(t))
            .map(|d| d.to_string())
            .ok_or_else(|| refuse(t.clone())),
        CellValue::Number(n) => match serial_to_date(*n, system) {
            Some((d, _)) if n.fract() == 0.0 && *n > 0.0 => {
                adjustments.push(Adjustment {
                    code: "nombre-converti-en-date",
                    warning: true,
                    message: format!(
                        "{label} contient le nombre {} (une date Excel sans format de date) : lu comme le {}",
                        format_number(*n),
                        shown_value(&CellValue::Date(d))
                    ),
                    fix: "Vérifiez la date transmise ; pour un fichier propre, mettez la cellule au format Date (Format de cellule › Date)",
                });
                Ok(d.to_string())
            }
            _ => Err(refuse(format_number(*n))),
        },
        other => Err(refuse(plain_text(other))),
    }
}

fn date_time_text(label: &str, value: &CellValue) -> Result<String, Refusal> {
    match value {
        CellValue::Text(t) => Ok(trimmed(t).to_owned()),
        other => Err(Refusal {
            code: "horodatage-texte",
            message: format!("{label} doit être saisi comme un texte avec son décalage horaire (« {} » trouvé)", shown_value(other)),
            // A date cell has no offset: guessing one could shift the moment by hours.
            fix: "Mettez la cellule au format Texte et écrivez la date, l'heure et le décalage, par ex. 2026-06-01T10:00:00+02:00".into(),
        }),
    }
}

fn boolean_text(label: &str, value: &CellValue) -> Result<String, Refusal> {
    let b = match value {
        CellValue::Bool(b) => Some(*b),
        CellValue::Number(n) if *n == 1.0 => Some(true),
        CellValue::Number(n) if *n == 0.0 => Some(false),
        CellValue::Text(t) => dictionary::parse_boolean(t),
        _ => None,
    };
    match b {
        Some(b) => Ok(if b { "true" } else { "false" }.to_owned()),
        None => Err(Refusal {
            code: "booleen-illisible",
            message: format!(
                "« {} » n'est pas une réponse oui/non pour {label}",
                plain_text(value)
            ),
            fix: "Indiquez Oui ou Non (ou VRAI / FAUX)".into(),
        }),
    }
}

fn number_text(label: &str, value: &CellValue, b: Builtin) -> Result<String, Refusal> {
    match value {
        CellValue::Number(n) => {
            if n.fract() != 0.0 && b != Builtin::Decimal {
                return Err(Refusal {
                    code: "nombre-non-entier",
                    message: format!(
                        "{label} doit être un nombre entier (« {} » trouvé)",
                        format_number(*n)
                    ),
                    fix: "Saisissez un nombre sans décimale".into(),
                });
            }
            Ok(format_number(*n))
        }
        CellValue::Text(t) => Ok(trimmed(t).to_owned()),
        other => Err(Refusal {
            code: "nombre-illisible",
            message: format!("« {} » n'est pas un nombre pour {label}", shown_value(other)),
            fix: "Saisissez un nombre et mettez la cellule au format Nombre ou Standard (elle contient une date ou une valeur VRAI/FAUX)".into(),
        }),
    }
}
