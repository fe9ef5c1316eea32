//! Cleaning the text of a cell, each alteration recorded so the report can show it.
//!
//! ```
//! use accrochage::workbook::{clean_text, TextNote};
//! let (text, notes) = clean_text("  Ame\u{301}lie\u{a0}Dupont ");
//! assert_eq!(text, "Amélie Dupont");
//! assert_eq!(notes, vec![TextNote::NonBreakingSpace, TextNote::Normalized, TextNote::Trimmed]);
//! ```

use super::limits::MAX_CELL_CHARS;

/// What cleaning changed in a cell (or, for a formula, what it could not read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextNote {
    /// Spaces (or line breaks) at the start or the end were removed.
    Trimmed,
    /// Non-breaking, narrow or typographic spaces became ordinary spaces.
    NonBreakingSpace,
    /// Decomposed accents (`e` + U+0301, as macOS copy-pastes) were composed (Unicode NFC).
    Normalized,
    /// A character that XML 1.0 forbids (control character) was removed.
    IllegalXmlChar(char),
    /// A line break or a tab inside the text became a space.
    LineBreak,
    /// Several spaces in a row became one.
    RepeatedSpaces,
    /// An invisible character (zero-width space, soft hyphen, BOM, direction mark) was removed.
    InvisibleChar(char),
    /// The cell had `chars` characters, more than [`MAX_CELL_CHARS`]: the text was cut there.
    TooLong { chars: usize },
    /// A formula whose result the file does not contain (the text is the formula).
    FormulaWithoutValue,
}

/// `text.trim()`, without decoding a character at either end when both are visible ASCII
/// bytes, as in nearly every cell: the converter trims each cell it reads, and `trim` alone
/// was 3 % of the page's conversion time.
pub fn trimmed(text: &str) -> &str {
    let bytes = text.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// Whether a text is empty or only white space, as `text.trim().is_empty()`, answered at
/// once when the first byte is a visible ASCII one.
pub fn is_blank(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b) if b.is_ascii_graphic() => false,
        _ => text.trim().is_empty(),
    }
}

/// Zero-width and formatting characters that show nothing and that nobody types on purpose.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}' | '\u{202A}'..='\u{202E}'
    )
}

/// Spaces that look like a space but are not U+0020.
fn is_special_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{202F}' | '\u{2000}'..='\u{200A}' | '\u{205F}' | '\u{3000}'
    )
}

/// Characters XML 1.0 does not allow in a document (§2.2): C0 controls other than tab, line
/// feed and carriage return, and the non-characters U+FFFE and U+FFFF.
fn is_illegal_xml(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

fn push_once(notes: &mut Vec<TextNote>, note: TextNote) {
    if !notes.contains(&note) {
        notes.push(note);
    }
}

/// Returns the cleaned text and what was changed, in the order the changes were applied.
pub fn clean_text(raw: &str) -> (String, Vec<TextNote>) {
    let mut notes = Vec::new();
    // The common case (plain ASCII, single spaces, nothing at the ends) allocates nothing more.
    // One pass over the bytes: a substring search per cell cost more than the cleaning itself.
    let bytes = raw.as_bytes();
    let simple = bytes.iter().all(|b| (0x20..0x7F).contains(b))
        && !raw.starts_with(' ')
        && !raw.ends_with(' ')
        && !bytes.windows(2).any(|w| w == b"  ")
        && raw.len() <= MAX_CELL_CHARS;
    if simple {
        return (raw.to_owned(), notes);
    }
    let mut text = String::with_capacity(raw.len());
    for c in raw.chars() {
        if is_illegal_xml(c) {
            push_once(&mut notes, TextNote::IllegalXmlChar(c));
        } else if is_invisible(c) {
            push_once(&mut notes, TextNote::InvisibleChar(c));
        } else if is_special_space(c) {
            push_once(&mut notes, TextNote::NonBreakingSpace);
            text.push(' ');
        } else if matches!(c, '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' | '\u{85}') {
            // Marked with a line feed for now: only inner ones become a reported space.
            text.push('\n');
        } else {
            text.push(c);
        }
    }
    if let Some(composed) = crate::unicode::nfc(&text) {
        notes.push(TextNote::Normalized);
        text = composed;
    }
    let trimmed = text.trim_matches([' ', '\n']);
    if trimmed.len() != text.len() {
        notes.push(TextNote::Trimmed);
        text = trimmed.to_owned();
    }
    if text.contains('\n') {
        notes.push(TextNote::LineBreak);
        // A "\r\n" pair is one break: the runs of spaces below collapse it.
        text = text.replace('\n', " ");
        if text.contains("  ") {
            text = collapse_spaces(&text);
        }
    }
    if text.contains("  ") {
        notes.push(TextNote::RepeatedSpaces);
        text = collapse_spaces(&text);
    }
    let chars = text.chars().count();
    if chars > MAX_CELL_CHARS {
        let cut = text
            .char_indices()
            .nth(MAX_CELL_CHARS)
            .map_or(text.len(), |(i, _)| i);
        text.truncate(cut);
        notes.push(TextNote::TooLong { chars });
    }
    (text, notes)
}

fn collapse_spaces(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    for c in s.chars() {
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    out
}

#[cfg(test)]
mod blank_tests {
    use super::is_blank;

    #[test]
    fn blank_is_what_trim_leaves_empty() {
        let blank = ["", " ", "\t\n\r ", "\u{a0}", "\u{3000}\u{2009}", "\u{85}"];
        let not_blank = ["a", " a", "a ", "é", "\u{a0}x", "0", "-", "\u{200B}", "~"];
        for t in blank {
            assert!(is_blank(t), "{t:?}");
        }
        for t in not_blank {
            assert!(!is_blank(t), "{t:?}");
        }
        for t in blank.iter().chain(&not_blank) {
            assert_eq!(is_blank(t), t.trim().is_empty(), "{t:?}");
        }
    }

    #[test]
    fn trimmed_is_trim() {
        for t in [
            "",
            " ",
            "a",
            "ab",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{3000}",
            "é",
            "aé",
            "éa",
            "\tx\n",
            "x y",
            "\u{85}nil\u{85}",
            "nil",
        ] {
            assert_eq!(super::trimmed(t), t.trim(), "{t:?}");
        }
    }
}
