//! The two columns the KO re-export adds to a workbook, which the converter must recognise and
//! skip: kept apart from [`super::export`] because the converter needs them in every build,
//! including the browser's first module that has no xlsx writer.

use crate::dictionary::normalize_header;

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
