//! What the validator reports: one [`Diagnostic`] per problem, with a stable code, the position
//! in the file, the element path, the passage's `idTechnique` when known, and a message in French
//! (English alongside) written for the person who fills the spreadsheet, not for a programmer.

use serde::Serialize;

use super::builtin::{Builtin, LexicalError};
use super::model::{SimpleType, Violation};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// Stable identifiers of the problems the validator can find (used by the CLI's JSON output and
/// the web page; never renamed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    XmlMalformed,
    XmlEncoding,
    XmlDtd,
    XmlEntity,
    XmlComment,
    RootUnexpected,
    ElementUnexpected,
    ElementNamespace,
    ElementRepeated,
    ElementMissing,
    ElementInSimple,
    TextNotAllowed,
    AttributeUndeclared,
    AttributeMissing,
    AttributeInvalid,
    XsiTypeUnsupported,
    NilNotNillable,
    NilNotEmpty,
    NilInvalid,
    ValueType,
    ValueLength,
    ValueMinLength,
    ValueMaxLength,
    ValuePattern,
    ValueEnumeration,
    ValueMinInclusive,
    ValueMaxInclusive,
    ValueMinExclusive,
    ValueMaxExclusive,
    ValueTotalDigits,
    ValueFractionDigits,
    TooManyErrors,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::XmlMalformed => "xml-malformed",
            Code::XmlEncoding => "xml-encoding",
            Code::XmlDtd => "xml-dtd",
            Code::XmlEntity => "xml-entity",
            Code::XmlComment => "xml-comment",
            Code::RootUnexpected => "root-unexpected",
            Code::ElementUnexpected => "element-unexpected",
            Code::ElementNamespace => "element-namespace",
            Code::ElementRepeated => "element-repeated",
            Code::ElementMissing => "element-missing",
            Code::ElementInSimple => "element-in-simple",
            Code::TextNotAllowed => "text-not-allowed",
            Code::AttributeUndeclared => "attribute-undeclared",
            Code::AttributeMissing => "attribute-missing",
            Code::AttributeInvalid => "attribute-invalid",
            Code::XsiTypeUnsupported => "xsi-type-unsupported",
            Code::NilNotNillable => "nil-not-nillable",
            Code::NilNotEmpty => "nil-not-empty",
            Code::NilInvalid => "nil-invalid",
            Code::ValueType => "value-type",
            Code::ValueLength => "value-length",
            Code::ValueMinLength => "value-min-length",
            Code::ValueMaxLength => "value-max-length",
            Code::ValuePattern => "value-pattern",
            Code::ValueEnumeration => "value-enumeration",
            Code::ValueMinInclusive => "value-min-inclusive",
            Code::ValueMaxInclusive => "value-max-inclusive",
            Code::ValueMinExclusive => "value-min-exclusive",
            Code::ValueMaxExclusive => "value-max-exclusive",
            Code::ValueTotalDigits => "value-total-digits",
            Code::ValueFractionDigits => "value-fraction-digits",
            Code::TooManyErrors => "too-many-errors",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    /// 1-based line and column (in characters) of the start tag concerned.
    pub line: u32,
    pub column: u32,
    /// `/flux/emetteur/…/passageCertification[12]/titulaire/prenom1`.
    pub path: String,
    /// The enclosing passage's `idTechnique`, when the passage has one.
    #[serde(rename = "idTechnique")]
    pub id_technique: Option<String>,
    /// The schema rule that failed, as written in the XSD (`maxLength=60`), when there is one.
    pub rule: Option<String>,
    pub message: String,
    pub message_en: String,
}

/// A message in both languages.
pub(crate) struct Text {
    pub fr: String,
    pub en: String,
}

fn shorten(value: &str) -> String {
    const MAX: usize = 80;
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(MAX).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// What a value of this type should look like, in French and English.
fn expected_form(b: Builtin) -> (&'static str, &'static str) {
    match b {
        Builtin::Boolean => ("true ou false (ou 1 / 0)", "true or false (or 1 / 0)"),
        Builtin::Date => (
            "une date au format AAAA-MM-JJ (ex. 2024-04-20)",
            "a date as YYYY-MM-DD (e.g. 2024-04-20)",
        ),
        Builtin::DateTime => (
            "une date et heure au format AAAA-MM-JJThh:mm:ss+hh:mm (ex. 2024-06-01T10:00:00+02:00)",
            "a date and time as YYYY-MM-DDThh:mm:ss+hh:mm (e.g. 2024-06-01T10:00:00+02:00)",
        ),
        Builtin::GYear => (
            "une année sur 4 chiffres (ex. 2024)",
            "a 4-digit year (e.g. 2024)",
        ),
        Builtin::Decimal => (
            "un nombre décimal écrit avec un point (ex. 12.5)",
            "a decimal number written with a dot (e.g. 12.5)",
        ),
        Builtin::NonNegativeInteger => (
            "un nombre entier positif ou nul",
            "a non-negative whole number",
        ),
        Builtin::PositiveInteger => (
            "un nombre entier strictement positif",
            "a positive whole number",
        ),
        Builtin::Integer | Builtin::Long | Builtin::Int | Builtin::Short | Builtin::Byte => (
            "un nombre entier, sans décimale ni espace (ex. 1979)",
            "a whole number (e.g. 1979)",
        ),
        Builtin::NormalizedString => (
            "un texte sans tabulation ni retour à la ligne",
            "text without tabs or line breaks",
        ),
        Builtin::Token => (
            "un texte sans espace en début ou fin ni espaces doublés",
            "text without leading, trailing or double spaces",
        ),
        Builtin::String | Builtin::AnyUri => ("un texte", "text"),
    }
}

/// The message for a value that breaks its simple type.
pub(crate) fn value_message(
    element: &str,
    raw: &str,
    st: &SimpleType,
    v: &Violation,
) -> (Code, Option<String>, Text) {
    let shown = shorten(raw);
    let normalized = st.whitespace.apply(raw);
    let chars = |n: usize| if n > 1 { "caractères" } else { "caractère" };
    match v {
        Violation::Lexical(kind) => {
            let (form_fr, form_en) = expected_form(st.builtin);
            let (fr, en) = match kind {
                LexicalError::NoSuchDay => (
                    format!("La date « {shown} » de {element} n'existe pas dans le calendrier : vérifiez le jour et le mois"),
                    format!("The date '{shown}' of {element} does not exist in the calendar"),
                ),
                LexicalError::BadOffset => (
                    format!("Le décalage horaire de « {shown} » ({element}) dépasse ±14:00"),
                    format!("The timezone offset of '{shown}' ({element}) exceeds ±14:00"),
                ),
                LexicalError::OutOfRange if st.builtin.is_decimal() => {
                    let (range_fr, range_en) = integer_range(st.builtin);
                    (
                        format!("La valeur « {shown} » de {element} est hors des limites permises : attendu {range_fr}"),
                        format!("The value '{shown}' of {element} is out of range: expected {range_en}"),
                    )
                }
                _ if normalized.is_empty() => (
                    format!("{element} est vide : attendu {form_fr}"),
                    format!("{element} is empty: expected {form_en}"),
                ),
                _ => (
                    format!("La valeur « {shown} » de {element} n'est pas valide : attendu {form_fr}"),
                    format!("The value '{shown}' of {element} is not valid: expected {form_en}"),
                ),
            };
            (Code::ValueType, Some(format!("type={}", st.builtin.name())), Text { fr, en })
        }
        Violation::Length { expected, actual } => (
            Code::ValueLength,
            Some(format!("length={expected}")),
            Text {
                fr: format!(
                    "{element} doit faire exactement {expected} {} : « {shown} » en fait {actual}",
                    chars(*expected)
                ),
                en: format!("{element} must be exactly {expected} characters long: '{shown}' has {actual}"),
            },
        ),
        Violation::MinLength { min, actual } => (
            Code::ValueMinLength,
            Some(format!("minLength={min}")),
            if *actual == 0 {
                Text {
                    fr: format!(
                        "{element} est vide : au moins {min} {} (une balise vide est refusée ; si l'information est facultative et inconnue, retirez l'élément)",
                        if *min > 1 { "caractères attendus" } else { "caractère attendu" }
                    ),
                    en: format!("{element} is empty: at least {min} characters expected"),
                }
            } else {
                Text {
                    fr: format!("La valeur « {shown} » de {element} est trop courte : {actual} {}, au moins {min} attendus", chars(*actual)),
                    en: format!("The value '{shown}' of {element} is too short: {actual} characters, at least {min}"),
                }
            },
        ),
        Violation::MaxLength { max, actual } => (
            Code::ValueMaxLength,
            Some(format!("maxLength={max}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} est trop longue : {actual} {} pour {max} au maximum", chars(*actual)),
                en: format!("The value '{shown}' of {element} is too long: {actual} characters, at most {max}"),
            },
        ),
        Violation::Pattern { pattern } => {
            let (form_fr, form_en) = expected_form(st.builtin);
            let (fr, en) = if matches!(st.builtin, Builtin::Date | Builtin::DateTime) {
                // The CDC's date patterns start with (19|20): say it in words.
                let years = if pattern.starts_with("(19|20)") {
                    ", année entre 1900 et 2099"
                } else {
                    ""
                };
                (
                    format!("La valeur « {shown} » de {element} n'a pas la forme exigée : attendu {form_fr}{years} (motif XSD : {pattern})"),
                    format!("The value '{shown}' of {element} does not have the required form: expected {form_en} (pattern {pattern})"),
                )
            } else {
                (
                    format!("La valeur « {shown} » de {element} n'a pas la forme attendue (motif XSD : {pattern})"),
                    format!("The value '{shown}' of {element} does not match the pattern {pattern}"),
                )
            };
            (Code::ValuePattern, Some(format!("pattern={pattern}")), Text { fr, en })
        }
        Violation::Enumeration => {
            let allowed = st.enumeration_values().unwrap_or_default().join(", ");
            let trimmed = normalized.trim();
            let hint_fr = if trimmed != normalized
                && st.enumeration_values().unwrap_or_default().contains(&trimmed)
            {
                " (retirez les espaces avant ou après la valeur)"
            } else if st
                .enumeration_values()
                .unwrap_or_default()
                .iter()
                .any(|a| a.eq_ignore_ascii_case(trimmed))
            {
                " (respectez les majuscules)"
            } else {
                ""
            };
            (
                Code::ValueEnumeration,
                Some(format!("enumeration={allowed}")),
                Text {
                    fr: format!("La valeur « {shown} » n'est pas autorisée pour {element} : valeurs possibles {allowed}{hint_fr}"),
                    en: format!("The value '{shown}' is not allowed for {element}: possible values {allowed}"),
                },
            )
        }
        Violation::MinInclusive { limit } => (
            Code::ValueMinInclusive,
            Some(format!("minInclusive={limit}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} est trop petite : minimum {limit}"),
                en: format!("The value '{shown}' of {element} is too small: minimum {limit}"),
            },
        ),
        Violation::MaxInclusive { limit } => (
            Code::ValueMaxInclusive,
            Some(format!("maxInclusive={limit}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} est trop grande : maximum {limit}"),
                en: format!("The value '{shown}' of {element} is too large: maximum {limit}"),
            },
        ),
        Violation::MinExclusive { limit } => (
            Code::ValueMinExclusive,
            Some(format!("minExclusive={limit}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} doit être strictement supérieure à {limit}"),
                en: format!("The value '{shown}' of {element} must be greater than {limit}"),
            },
        ),
        Violation::MaxExclusive { limit } => (
            Code::ValueMaxExclusive,
            Some(format!("maxExclusive={limit}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} doit être strictement inférieure à {limit}"),
                en: format!("The value '{shown}' of {element} must be less than {limit}"),
            },
        ),
        Violation::TotalDigits { max } => (
            Code::ValueTotalDigits,
            Some(format!("totalDigits={max}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} a trop de chiffres : {max} au maximum"),
                en: format!("The value '{shown}' of {element} has too many digits: at most {max}"),
            },
        ),
        Violation::FractionDigits { max } => (
            Code::ValueFractionDigits,
            Some(format!("fractionDigits={max}")),
            Text {
                fr: format!("La valeur « {shown} » de {element} a trop de décimales : {max} au maximum"),
                en: format!("The value '{shown}' of {element} has too many decimals: at most {max}"),
            },
        ),
    }
}

/// The bounds of an integer type, in words.
fn integer_range(b: Builtin) -> (String, String) {
    let between = |lo: i128, hi: i128| {
        (
            format!("un nombre entier entre {lo} et {hi}"),
            format!("a whole number between {lo} and {hi}"),
        )
    };
    match b {
        Builtin::Long => between(i64::MIN.into(), i64::MAX.into()),
        Builtin::Int => between(i32::MIN.into(), i32::MAX.into()),
        Builtin::Short => between(i16::MIN.into(), i16::MAX.into()),
        Builtin::Byte => between(i8::MIN.into(), i8::MAX.into()),
        other => {
            let (fr, en) = expected_form(other);
            (fr.to_owned(), en.to_owned())
        }
    }
}

pub(crate) fn list_fr(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} ou {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

pub(crate) fn list_en(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        1 => names[0].clone(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

pub(crate) fn shorten_text(value: &str) -> String {
    shorten(value)
}
