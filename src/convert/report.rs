//! The conversion report: every problem found in the workbook, located to the cell, with what to
//! do about it; and the counts a user checks first.

use serde::Serialize;

/// How serious a finding is. Rows with an `Erreur` are left out of the XML.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Erreur,
    Avertissement,
    Info,
}

impl Level {
    pub fn label(self) -> &'static str {
        match self {
            Level::Erreur => "erreur",
            Level::Avertissement => "avertissement",
            Level::Info => "info",
        }
    }
}

/// One finding, tied to a sheet, a row and (when it concerns one value) a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    #[serde(rename = "severity")]
    pub level: Level,
    /// Stable identifier (`valeur-trop-longue`, `idtechnique-doublon`…).
    pub code: &'static str,
    pub sheet: String,
    /// `Passages!H12`, or `Passages!12` for a whole row, or empty for the file.
    pub cell: String,
    /// 1-based spreadsheet row (0 when the finding concerns the whole file).
    pub row: u32,
    /// Column label as the user wrote it in the header row.
    pub column: String,
    pub value: String,
    pub message: String,
    pub fix: String,
}

/// The counts shown at the top of the report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Non-empty data rows found in the Passages sheet.
    pub rows_read: usize,
    pub passages_written: usize,
    pub rows_excluded: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub files: usize,
}

impl Summary {
    pub fn count(&mut self, findings: &[Finding]) {
        self.errors = findings.iter().filter(|f| f.level == Level::Erreur).count();
        self.warnings = findings
            .iter()
            .filter(|f| f.level == Level::Avertissement)
            .count();
        self.infos = findings.iter().filter(|f| f.level == Level::Info).count();
    }
}

/// Renders the findings as CSV for Excel (`;`, UTF-8 with BOM). Cells that a spreadsheet would
/// take for a formula are neutralised with a leading apostrophe.
pub fn findings_to_csv(findings: &[Finding]) -> String {
    let mut out =
        String::from("\u{feff}gravité;code;cellule;colonne;valeur;message;correction\r\n");
    for f in findings {
        let fields = [
            f.level.label(),
            f.code,
            &f.cell,
            &f.column,
            &f.value,
            &f.message,
            &f.fix,
        ];
        let line: Vec<String> = fields.iter().map(|v| csv_field(v)).collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    out
}

fn csv_field(v: &str) -> String {
    let neutral = if v.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{v}")
    } else {
        v.to_owned()
    };
    if neutral.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(value: &str) -> Finding {
        Finding {
            level: Level::Erreur,
            code: "test",
            sheet: "Passages".into(),
            cell: "Passages!B3".into(),
            row: 3,
            column: "nom".into(),
            value: value.into(),
            message: "msg; avec \"guillemets\"".into(),
            fix: "corriger".into(),
        }
    }

    #[test]
    fn csv_neutralises_formulas_and_quotes() {
        let csv = findings_to_csv(&[finding("=HYPERLINK(\"x\")"), finding("-2")]);
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\")\""));
        assert!(csv.contains(";'-2;"));
        assert!(csv.contains("\"msg; avec \"\"guillemets\"\"\""));
    }

    /// Splits the CSV the way a spreadsheet does (quoted fields may hold `;`, `"` and newlines).
    fn parse_csv(csv: &str) -> Vec<Vec<String>> {
        let mut rows = vec![vec![String::new()]];
        let mut quoted = false;
        let mut chars = csv.trim_start_matches('\u{feff}').chars().peekable();
        while let Some(c) = chars.next() {
            let row = rows.last_mut().unwrap();
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    row.last_mut().unwrap().push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => row.last_mut().unwrap().push(c),
                (false, '"') => quoted = true,
                (false, ';') => row.push(String::new()),
                (false, '\r') if chars.peek() == Some(&'\n') => {}
                (false, '\n') => rows.push(vec![String::new()]),
                (false, c) => row.last_mut().unwrap().push(c),
            }
        }
        if rows.last().is_some_and(|r| r.len() == 1 && r[0].is_empty()) {
            rows.pop();
        }
        rows
    }

    #[test]
    fn every_formula_trigger_is_neutralised_in_every_column() {
        for lead in ["=", "+", "-", "@", "\t", "\r"] {
            let hostile = format!("{lead}cmd|' /C calc'!A0");
            let mut f = finding(&hostile);
            f.cell = hostile.clone();
            f.column = hostile.clone();
            f.message = hostile.clone();
            f.fix = hostile.clone();
            let rows = parse_csv(&findings_to_csv(&[f]));
            assert_eq!(rows.len(), 2, "{lead:?}: {rows:?}");
            let expected = format!("'{hostile}");
            assert_eq!(rows[1][2..], [expected.as_str(); 5], "{lead:?}");
        }
    }

    #[test]
    fn harmless_values_are_left_alone() {
        for value in [
            "DUPONT",
            "1990",
            "",
            " =espace devant",
            "a=b",
            "é-accent",
            "'déjà",
        ] {
            let rows = parse_csv(&findings_to_csv(&[finding(value)]));
            assert_eq!(rows[1][4], value);
        }
    }

    #[test]
    fn separators_quotes_and_newlines_survive_a_round_trip() {
        let values = [
            "a;b",
            "dit \"bonjour\"",
            "ligne 1\nligne 2",
            "ligne 1\r\nligne 2",
            "\";\n\"",
            "=1;2\n\"3\"",
        ];
        let findings: Vec<Finding> = values.iter().map(|v| finding(v)).collect();
        let csv = findings_to_csv(&findings);
        assert!(csv.contains("\"a;b\""));
        assert!(csv.contains("\"dit \"\"bonjour\"\"\""));
        let rows = parse_csv(&csv);
        assert_eq!(rows.len(), values.len() + 1, "{rows:#?}");
        assert_eq!(rows[0].len(), 7);
        for (row, v) in rows[1..].iter().zip(values) {
            assert_eq!(row.len(), 7, "{row:?}");
            let expected = if v.starts_with('=') {
                format!("'{v}")
            } else {
                v.to_string()
            };
            assert_eq!(row[4], expected);
            assert_eq!(row[5], "msg; avec \"guillemets\"");
        }
    }
}
