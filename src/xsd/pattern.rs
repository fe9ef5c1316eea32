//! XSD 1.0 regular expressions (the `pattern` facet, XML Schema Part 2, Appendix F), translated
//! into the syntax of the `regex` crate.
//!
//! The two dialects look alike but differ in ways that silently change what a pattern accepts:
//! an XSD pattern must match the *whole* value, `^` and `$` are plain characters, `.` excludes
//! `\r` as well as `\n`, `\s` is exactly four characters, `\i`/`\c` and `\p{IsBlock}` do not exist
//! in `regex`, class subtraction is written `[a-z-[aeiou]]`, and inside `regex` classes `&&`,
//! `--` and `~~` are set operators. This module parses the XSD syntax itself (so that whatever it
//! does not know is rejected with a French message pointing at the offending character) and
//! emits an unambiguous `regex` expression.
//!
//! ```
//! use accrochage::xsd::pattern::{translate, Pattern};
//!
//! let date = Pattern::new(r"(19|20)\d{2}-(0[1-9]|1[0-2])").unwrap();
//! assert!(date.is_match("2024-06"));
//! assert!(!date.is_match("2024-06-01")); // XSD patterns are anchored on both ends
//! assert!(!date.is_match("2024-06\n")); // …including before a trailing newline
//!
//! assert_eq!(translate("a$").unwrap(), r"\A(?:a\$)\z");
//!
//! let err = Pattern::new("[a-z").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "motif XSD invalide à la position 0 : classe de caractères non fermée"
//! );
//! ```
//!
//! Unicode categories follow the tables of the `regex` crate (a recent Unicode version), not the
//! Unicode 3.1 tables the XSD 1.0 recommendation was written against; only characters assigned
//! since then can be classified differently.

use std::fmt::{self, Write as _};

use regex::{Regex, RegexBuilder};

/// Upper bound on the compiled size of one pattern, so that a user-supplied schema cannot exhaust
/// the memory of a browser tab. `regex` expands `{n,m}` into copies, and each copy of a Unicode
/// class is a sizeable UTF-8 automaton: `\w{1,255}` needs about 14 MiB and `\p{L}{1,255}` about
/// 11 MiB, so the `regex` default (10 MiB) would reject such ordinary patterns. 32 MiB admits them
/// (in about 0.1 s, release build) and gives up on `(\w{100}){100}` after about 0.4 s.
const SIZE_LIMIT: usize = 32 * 1024 * 1024;

/// Maximum nesting of groups and class subtractions. The translator is recursive, and a stack
/// overflow aborts the process (no unwinding), so hostile nesting must be refused up front.
const MAX_DEPTH: usize = 50;

/// An XSD pattern compiled for matching whole values (XSD patterns are implicitly anchored).
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    regex: Regex,
}

impl Pattern {
    /// Compiles an XSD pattern, as written in a `<xs:pattern value="…"/>` facet.
    pub fn new(xsd_pattern: &str) -> Result<Pattern, PatternError> {
        let translated = translate(xsd_pattern)?;
        let regex = RegexBuilder::new(&translated)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|err| PatternError {
                // The whole pattern is at fault, not one character of it.
                offset: 0,
                message: match err {
                    regex::Error::CompiledTooBig(limit) => format!(
                        "motif trop complexe : sa forme compilée dépasserait {} Mio \
                         (répétitions trop nombreuses ou trop imbriquées)",
                        limit / (1024 * 1024)
                    ),
                    // Only reachable through a translation bug; still no panic.
                    other => format!("motif non traduisible ({other})"),
                },
            })?;
        Ok(Pattern {
            source: xsd_pattern.to_owned(),
            regex,
        })
    }

    /// Whether the whole `value` matches the pattern.
    pub fn is_match(&self, value: &str) -> bool {
        self.regex.is_match(value)
    }

    /// The XSD pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// A pattern that is not a valid XSD 1.0 regular expression (or is too large to compile).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// Offset, in characters (not bytes) and counting from 0, of the offending character.
    pub offset: usize,
    /// What is wrong, in French.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "motif XSD invalide à la position {} : {}",
            self.offset, self.message
        )
    }
}

impl std::error::Error for PatternError {}

/// Translates an XSD regular expression into an equivalent, anchored `regex`-crate expression.
pub fn translate(xsd_pattern: &str) -> Result<String, PatternError> {
    let mut translator = Translator {
        chars: xsd_pattern.chars().collect(),
        pos: 0,
        depth: 0,
    };
    // `\A…\z` rather than `^…$`: `$` would also accept a value ending in "\n".
    let mut out = String::from(r"\A(?:");
    translator.reg_exp(&mut out)?;
    if translator.pos < translator.chars.len() {
        // `reg_exp` stops only at the end or at a `)` it cannot pair.
        return Err(translator.error_here("parenthèse fermante « ) » sans parenthèse ouvrante"));
    }
    out.push_str(r")\z");
    Ok(out)
}

/// What a backslash escape denotes: one character (usable as a range bound) or a set.
enum Escape {
    Char(char),
    Set(String),
}

struct Translator {
    chars: Vec<char>,
    /// Index into `chars`, hence a character offset for error messages.
    pos: usize,
    depth: usize,
}

impl Translator {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let found = self.peek() == Some(c);
        if found {
            self.pos += 1;
        }
        found
    }

    fn error_at(&self, offset: usize, message: impl Into<String>) -> PatternError {
        PatternError {
            offset,
            message: message.into(),
        }
    }

    fn error_here(&self, message: impl Into<String>) -> PatternError {
        self.error_at(self.pos, message)
    }

    fn enter(&mut self, offset: usize) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(
                offset,
                format!("imbrication trop profonde (plus de {MAX_DEPTH} niveaux)"),
            ));
        }
        Ok(())
    }

    /// `regExp ::= branch ( '|' branch )*`
    fn reg_exp(&mut self, out: &mut String) -> Result<(), PatternError> {
        self.branch(out)?;
        while self.eat('|') {
            out.push('|');
            self.branch(out)?;
        }
        Ok(())
    }

    /// `branch ::= piece*` and `piece ::= atom quantifier?`
    fn branch(&mut self, out: &mut String) -> Result<(), PatternError> {
        loop {
            match self.peek() {
                None | Some('|' | ')') => return Ok(()),
                Some('?') if self.pos > 0 && self.chars[self.pos - 1] == '(' => {
                    return Err(self.error_here(
                        "les groupes spéciaux « (?…) » n'existent pas dans les motifs XSD",
                    ));
                }
                Some('?' | '*' | '+' | '{') => {
                    return Err(self.error_here("quantificateur sans élément à répéter"));
                }
                Some(_) => {
                    self.atom(out)?;
                    self.quantifier(out)?;
                }
            }
        }
    }

    fn quantifier(&mut self, out: &mut String) -> Result<(), PatternError> {
        match self.peek() {
            Some(c @ ('?' | '*' | '+')) => {
                self.pos += 1;
                out.push(c);
            }
            Some('{') => self.quantity(out)?,
            _ => return Ok(()),
        }
        if self.peek() == Some('?') {
            // Without this, `a*?` would be reported as a mere dangling `?`.
            return Err(self.error_here(
                "les quantificateurs non gourmands (« *? », « +? »…) n'existent pas en XSD",
            ));
        }
        Ok(())
    }

    /// `{n}`, `{n,}` or `{n,m}`; the opening brace is the current character.
    fn quantity(&mut self, out: &mut String) -> Result<(), PatternError> {
        let open = self.pos;
        self.pos += 1;
        let malformed = "quantificateur « {…} » mal formé (attendu {n}, {n,} ou {n,m})";
        let Some(min) = self.number()? else {
            return Err(if self.peek() == Some(',') {
                self.error_at(open, "« {,m} » n'est pas permis en XSD : écrire « {0,m} »")
            } else {
                self.error_at(open, malformed)
            });
        };
        if self.eat('}') {
            let _ = write!(out, "{{{min}}}");
            return Ok(());
        }
        if !self.eat(',') {
            return Err(self.error_at(open, malformed));
        }
        if self.eat('}') {
            let _ = write!(out, "{{{min},}}");
            return Ok(());
        }
        match self.number()? {
            Some(max) if self.eat('}') => {
                if max < min {
                    return Err(self.error_at(
                        open,
                        format!("quantificateur {{{min},{max}}} : le minimum dépasse le maximum"),
                    ));
                }
                let _ = write!(out, "{{{min},{max}}}");
                Ok(())
            }
            _ => Err(self.error_at(open, malformed)),
        }
    }

    fn number(&mut self) -> Result<Option<u32>, PatternError> {
        let start = self.pos;
        let mut value: u32 = 0;
        while let Some(digit) = self.peek().and_then(|c| c.to_digit(10)) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit))
                .ok_or_else(|| self.error_at(start, "nombre trop grand dans le quantificateur"))?;
            self.pos += 1;
        }
        Ok((self.pos > start).then_some(value))
    }

    /// `atom ::= Char | charClass | '(' regExp ')'`
    fn atom(&mut self, out: &mut String) -> Result<(), PatternError> {
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(());
        };
        match c {
            '(' => {
                self.enter(start)?;
                self.pos += 1;
                // Non-capturing: nothing reads captures, and they slow matching down.
                out.push_str("(?:");
                self.reg_exp(out)?;
                if !self.eat(')') {
                    return Err(self.error_at(start, "groupe non fermé : « ) » manquante"));
                }
                out.push(')');
                self.depth -= 1;
            }
            '[' => {
                let class = self.class_expr()?;
                out.push_str(&class);
            }
            ']' => {
                return Err(self.error_here(
                    "« ] » sans « [ » correspondant (écrire « \\] » pour le caractère lui-même)",
                ));
            }
            '.' => {
                self.pos += 1;
                out.push_str(r"[^\n\r]");
            }
            '\\' => match self.escape()? {
                Escape::Char(c) => push_literal(out, c),
                Escape::Set(set) => out.push_str(&set),
            },
            // `}` is not a metacharacter in the first edition of XSD 1.0 and libxml2 accepts
            // it alone; refusing it would reject schemas that other validators load.
            _ => {
                self.pos += 1;
                push_literal(out, c);
            }
        }
        Ok(())
    }

    /// A backslash escape; the backslash is the current character.
    fn escape(&mut self) -> Result<Escape, PatternError> {
        let start = self.pos;
        self.pos += 1;
        let Some(c) = self.peek() else {
            return Err(self.error_at(start, "« \\ » en fin de motif : échappement incomplet"));
        };
        self.pos += 1;
        let set = |s: &str| Ok(Escape::Set(s.to_owned()));
        match c {
            'n' => Ok(Escape::Char('\n')),
            'r' => Ok(Escape::Char('\r')),
            't' => Ok(Escape::Char('\t')),
            '\\' | '|' | '.' | '-' | '^' | '?' | '*' | '+' | '{' | '}' | '(' | ')' | '[' | ']' => {
                Ok(Escape::Char(c))
            }
            // `regex`'s own \s, \d and \w are wider (\v, \f, Unicode spaces; `_`…).
            's' => set(r"[\t\n\r\x20]"),
            'S' => set(r"[^\t\n\r\x20]"),
            'd' => set(r"\p{gc=Nd}"),
            'D' => set(r"\P{gc=Nd}"),
            'w' => set(r"[^\p{gc=P}\p{gc=Z}\p{gc=C}]"),
            'W' => set(r"[\p{gc=P}\p{gc=Z}\p{gc=C}]"),
            'i' => set(&format!("[{NAME_START}]")),
            'I' => set(&format!("[^{NAME_START}]")),
            'c' => set(&format!("[{NAME_START}{NAME_MORE}]")),
            'C' => set(&format!("[^{NAME_START}{NAME_MORE}]")),
            'p' | 'P' => self.property(start, c == 'P'),
            '0'..='9' => Err(self.error_at(
                start,
                format!("référence arrière « \\{c} » : n'existe pas dans les motifs XSD"),
            )),
            _ => Err(self.error_at(start, format!("échappement inconnu « \\{c} »"))),
        }
    }

    /// `\p{…}` or `\P{…}`: a general category or an `Is` block; `\p` has been consumed.
    fn property(&mut self, start: usize, negated: bool) -> Result<Escape, PatternError> {
        if !self.eat('{') {
            return Err(self.error_at(start, "« \\p » et « \\P » doivent être suivis de « {…} »"));
        }
        let name_start = self.pos;
        while self.peek().is_some_and(|c| c != '}') {
            self.pos += 1;
        }
        if !self.eat('}') {
            return Err(self.error_at(start, "propriété « \\p{…} » non fermée : « } » manquante"));
        }
        let name: String = self.chars[name_start..self.pos - 1].iter().collect();
        let p = if negated { 'P' } else { 'p' };
        if let Some(block) = name.strip_prefix("Is") {
            return block_class(block, negated)
                .map(Escape::Set)
                .ok_or_else(|| self.error_at(start, format!("bloc Unicode inconnu « {name} »")));
        }
        if CATEGORIES.contains(&name.as_str()) {
            // `gc=` because a bare `\p{…}` in `regex` also looks up binary properties and
            // scripts: only the general category is meant here.
            return Ok(Escape::Set(format!(r"\{p}{{gc={name}}}")));
        }
        Err(self.error_at(start, format!("catégorie Unicode inconnue « {name} »")))
    }

    /// `charClassExpr ::= '[' charGroup ']'`, with `charGroup` being a positive group, a negated
    /// one, or either followed by a subtraction `-[…]`. The bracket is the current character.
    fn class_expr(&mut self) -> Result<String, PatternError> {
        let open = self.pos;
        self.enter(open)?;
        self.pos += 1;
        let negated = self.eat('^');
        let unclosed = "classe de caractères non fermée";
        let mut items = String::new();
        let mut count = 0;
        let mut subtracted = None;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.error_at(open, unclosed));
            };
            let next = self.peek_at(1);
            match c {
                ']' if count == 0 => return Err(self.error_here("classe de caractères vide")),
                ']' => {
                    self.pos += 1;
                    break;
                }
                '-' if next == Some('[') => {
                    if count == 0 {
                        return Err(
                            self.error_here("soustraction « -[…] » sans ensemble de départ")
                        );
                    }
                    self.pos += 1;
                    subtracted = Some(self.class_expr()?);
                    match self.peek() {
                        Some(']') => self.pos += 1,
                        None => return Err(self.error_at(open, unclosed)),
                        Some(_) => {
                            return Err(self.error_here(
                                "la soustraction « -[…] » doit terminer la classe de caractères",
                            ))
                        }
                    }
                    break;
                }
                '-' if next.is_none() => return Err(self.error_at(open, unclosed)),
                '-' if count == 0 || next == Some(']') => {
                    self.pos += 1;
                    push_literal(&mut items, '-');
                    count += 1;
                }
                '-' => {
                    return Err(self.error_here(
                        "« - » doit être échappé (« \\- ») sauf au début ou à la fin d'une classe",
                    ))
                }
                '[' => {
                    return Err(self.error_here("« [ » doit être échappé (« \\[ ») dans une classe"))
                }
                _ => {
                    self.class_item(&mut items)?;
                    count += 1;
                }
            }
        }
        self.depth -= 1;
        let base = if negated {
            format!("[^{items}]")
        } else {
            format!("[{items}]")
        };
        // Both sides bracketed: in `regex`, `[^a--b]` negates the difference, whereas XSD's
        // `[^a-[b]]` subtracts from the negated group.
        Ok(match subtracted {
            Some(sub) => format!("[{base}--{sub}]"),
            None => base,
        })
    }

    /// One character, range or escape inside a class (neither `-` nor `[` nor `]`).
    fn class_item(&mut self, items: &mut String) -> Result<(), PatternError> {
        let start = self.pos;
        let low = match self.peek() {
            Some('\\') => match self.escape()? {
                Escape::Char(c) => c,
                Escape::Set(set) => {
                    items.push_str(&set);
                    return Ok(());
                }
            },
            Some(c) => {
                self.pos += 1;
                c
            }
            None => return Ok(()),
        };
        // A `-` followed by `]` or `[` ends the class or starts a subtraction: not a range.
        let is_range =
            self.peek() == Some('-') && self.peek_at(1).is_some_and(|c| c != ']' && c != '[');
        if !is_range {
            push_literal(items, low);
            return Ok(());
        }
        self.pos += 1;
        let high_start = self.pos;
        let high = match self.peek() {
            Some('\\') => match self.escape()? {
                Escape::Char(c) => c,
                Escape::Set(_) => {
                    return Err(self.error_at(
                        high_start,
                        "une borne d'intervalle doit être un seul caractère",
                    ))
                }
            },
            Some('-') => {
                return Err(self.error_here("« - » comme borne d'intervalle doit s'écrire « \\- »"))
            }
            Some(c) => {
                self.pos += 1;
                c
            }
            None => return Ok(()),
        };
        if high < low {
            let message =
                format!("intervalle inversé « {low}-{high} » : bornes dans le mauvais ordre");
            return Err(self.error_at(start, message));
        }
        push_literal(items, low);
        items.push('-');
        push_literal(items, high);
        Ok(())
    }
}

/// Writes `c` so that `regex` reads it as that very character, inside or outside a class.
fn push_literal(out: &mut String, c: char) {
    match c {
        // Metacharacters of `regex`, including the class set operators `&&`, `--`, `~~`
        // and the verbose-mode comment `#`; escaping them is allowed everywhere.
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$'
        | '#' | '&' | '-' | '~' => {
            out.push('\\');
            out.push(c);
        }
        // Hex form keeps whitespace significant even if verbose mode were ever switched on,
        // and keeps control characters readable in the translated expression.
        c if c.is_whitespace() || c.is_control() => {
            let _ = write!(out, r"\x{{{:X}}}", u32::from(c));
        }
        c => out.push(c),
    }
}

/// Class body for `\i`: XML 1.0 `Letter | '_' | ':'`, approximated as XML 1.0 Appendix B does,
/// by the categories Ll, Lu, Lo, Lt and Nl (Appendix B also lists a few exceptions by hand).
const NAME_START: &str = r"\p{gc=Ll}\p{gc=Lu}\p{gc=Lo}\p{gc=Lt}\p{gc=Nl}_:";
/// What `\c` (XML 1.0 `NameChar`) adds to `\i`: digits, `.`, `-`, combining marks, modifier
/// letters, and the two `Extender` characters that are not modifier letters (U+00B7, U+0387).
const NAME_MORE: &str = r"\p{gc=Nd}\.\-\p{gc=Mc}\p{gc=Me}\p{gc=Mn}\p{gc=Lm}\x{B7}\x{387}";

/// General categories allowed in `\p{…}` by XSD 1.0 (no `Cs`: XML has no surrogates).
const CATEGORIES: &[&str] = &[
    "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc",
    "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk", "So", "C",
    "Cc", "Cf", "Co", "Cn",
];

/// The block names of XSD 1.0 (Unicode 3.1 blocks, spaces removed), with their ranges.
/// `Specials` and `PrivateUse` appear more than once: their ranges are united.
#[rustfmt::skip]
const BLOCKS: &[(&str, u32, u32)] = &[
    ("BasicLatin", 0x0000, 0x007F), ("Latin-1Supplement", 0x0080, 0x00FF),
    ("LatinExtended-A", 0x0100, 0x017F), ("LatinExtended-B", 0x0180, 0x024F),
    ("IPAExtensions", 0x0250, 0x02AF), ("SpacingModifierLetters", 0x02B0, 0x02FF),
    ("CombiningDiacriticalMarks", 0x0300, 0x036F), ("Greek", 0x0370, 0x03FF),
    ("Cyrillic", 0x0400, 0x04FF), ("Armenian", 0x0530, 0x058F), ("Hebrew", 0x0590, 0x05FF),
    ("Arabic", 0x0600, 0x06FF), ("Syriac", 0x0700, 0x074F), ("Thaana", 0x0780, 0x07BF),
    ("Devanagari", 0x0900, 0x097F), ("Bengali", 0x0980, 0x09FF), ("Gurmukhi", 0x0A00, 0x0A7F),
    ("Gujarati", 0x0A80, 0x0AFF), ("Oriya", 0x0B00, 0x0B7F), ("Tamil", 0x0B80, 0x0BFF),
    ("Telugu", 0x0C00, 0x0C7F), ("Kannada", 0x0C80, 0x0CFF), ("Malayalam", 0x0D00, 0x0D7F),
    ("Sinhala", 0x0D80, 0x0DFF), ("Thai", 0x0E00, 0x0E7F), ("Lao", 0x0E80, 0x0EFF),
    ("Tibetan", 0x0F00, 0x0FFF), ("Myanmar", 0x1000, 0x109F), ("Georgian", 0x10A0, 0x10FF),
    ("HangulJamo", 0x1100, 0x11FF), ("Ethiopic", 0x1200, 0x137F), ("Cherokee", 0x13A0, 0x13FF),
    ("UnifiedCanadianAboriginalSyllabics", 0x1400, 0x167F), ("Ogham", 0x1680, 0x169F),
    ("Runic", 0x16A0, 0x16FF), ("Khmer", 0x1780, 0x17FF), ("Mongolian", 0x1800, 0x18AF),
    ("LatinExtendedAdditional", 0x1E00, 0x1EFF), ("GreekExtended", 0x1F00, 0x1FFF),
    ("GeneralPunctuation", 0x2000, 0x206F), ("SuperscriptsandSubscripts", 0x2070, 0x209F),
    ("CurrencySymbols", 0x20A0, 0x20CF), ("CombiningMarksforSymbols", 0x20D0, 0x20FF),
    ("LetterlikeSymbols", 0x2100, 0x214F), ("NumberForms", 0x2150, 0x218F),
    ("Arrows", 0x2190, 0x21FF), ("MathematicalOperators", 0x2200, 0x22FF),
    ("MiscellaneousTechnical", 0x2300, 0x23FF), ("ControlPictures", 0x2400, 0x243F),
    ("OpticalCharacterRecognition", 0x2440, 0x245F), ("EnclosedAlphanumerics", 0x2460, 0x24FF),
    ("BoxDrawing", 0x2500, 0x257F), ("BlockElements", 0x2580, 0x259F),
    ("GeometricShapes", 0x25A0, 0x25FF), ("MiscellaneousSymbols", 0x2600, 0x26FF),
    ("Dingbats", 0x2700, 0x27BF), ("BraillePatterns", 0x2800, 0x28FF),
    ("CJKRadicalsSupplement", 0x2E80, 0x2EFF), ("KangxiRadicals", 0x2F00, 0x2FDF),
    ("IdeographicDescriptionCharacters", 0x2FF0, 0x2FFF),
    ("CJKSymbolsandPunctuation", 0x3000, 0x303F), ("Hiragana", 0x3040, 0x309F),
    ("Katakana", 0x30A0, 0x30FF), ("Bopomofo", 0x3100, 0x312F),
    ("HangulCompatibilityJamo", 0x3130, 0x318F), ("Kanbun", 0x3190, 0x319F),
    ("BopomofoExtended", 0x31A0, 0x31BF), ("EnclosedCJKLettersandMonths", 0x3200, 0x32FF),
    ("CJKCompatibility", 0x3300, 0x33FF), ("CJKUnifiedIdeographsExtensionA", 0x3400, 0x4DB5),
    ("CJKUnifiedIdeographs", 0x4E00, 0x9FFF), ("YiSyllables", 0xA000, 0xA48F),
    ("YiRadicals", 0xA490, 0xA4CF), ("HangulSyllables", 0xAC00, 0xD7A3),
    ("HighSurrogates", 0xD800, 0xDB7F), ("HighPrivateUseSurrogates", 0xDB80, 0xDBFF),
    ("LowSurrogates", 0xDC00, 0xDFFF), ("PrivateUse", 0xE000, 0xF8FF),
    ("CJKCompatibilityIdeographs", 0xF900, 0xFAFF), ("AlphabeticPresentationForms", 0xFB00, 0xFB4F),
    ("ArabicPresentationForms-A", 0xFB50, 0xFDFF), ("CombiningHalfMarks", 0xFE20, 0xFE2F),
    ("CJKCompatibilityForms", 0xFE30, 0xFE4F), ("SmallFormVariants", 0xFE50, 0xFE6F),
    ("ArabicPresentationForms-B", 0xFE70, 0xFEFE), ("Specials", 0xFEFF, 0xFEFF),
    ("HalfwidthandFullwidthForms", 0xFF00, 0xFFEF), ("Specials", 0xFFF0, 0xFFFD),
    ("OldItalic", 0x10300, 0x1032F), ("Gothic", 0x10330, 0x1034F), ("Deseret", 0x10400, 0x1044F),
    ("ByzantineMusicalSymbols", 0x1D000, 0x1D0FF), ("MusicalSymbols", 0x1D100, 0x1D1FF),
    ("MathematicalAlphanumericSymbols", 0x1D400, 0x1D7FF),
    ("CJKUnifiedIdeographsExtensionB", 0x20000, 0x2A6D6),
    ("CJKCompatibilityIdeographsSupplement", 0x2F800, 0x2FA1F), ("Tags", 0xE0000, 0xE007F),
    ("PrivateUse", 0xF0000, 0xFFFFD), ("PrivateUse", 0x100000, 0x10FFFD),
];

/// The class for `\p{Is<block>}` (or `\P{…}`), `None` if XSD 1.0 names no such block.
fn block_class(block: &str, negated: bool) -> Option<String> {
    let mut items = String::new();
    let mut known = false;
    for &(_, low, high) in BLOCKS.iter().filter(|(name, _, _)| *name == block) {
        known = true;
        // A Rust string never holds a surrogate, and `regex` rejects `\x{D800}`.
        if (0xD800..=0xDFFF).contains(&low) {
            continue;
        }
        let _ = write!(items, r"\x{{{low:X}}}-\x{{{high:X}}}");
    }
    if !known {
        return None;
    }
    if items.is_empty() {
        // The surrogate blocks: nothing can match, so their complement is everything.
        items.push_str(r"\x{0}-\x{10FFFF}");
        return Some(if negated {
            format!("[{items}]")
        } else {
            format!("[^{items}]")
        });
    }
    Some(if negated {
        format!("[^{items}]")
    } else {
        format!("[{items}]")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(xsd: &str) -> Pattern {
        Pattern::new(xsd).unwrap_or_else(|e| panic!("{xsd:?} : {e}"))
    }

    /// Asserts which values a pattern accepts and which it rejects.
    fn check(xsd: &str, accepted: &[&str], rejected: &[&str]) {
        let p = pattern(xsd);
        for v in accepted {
            assert!(p.is_match(v), "{xsd:?} devrait accepter {v:?}");
        }
        for v in rejected {
            assert!(!p.is_match(v), "{xsd:?} devrait refuser {v:?}");
        }
    }

    fn error(xsd: &str) -> PatternError {
        match Pattern::new(xsd) {
            Ok(_) => panic!("{xsd:?} devrait être refusé"),
            Err(e) => e,
        }
    }

    /// Asserts the error offset and a fragment of its French message.
    fn check_error(xsd: &str, offset: usize, fragment: &str) {
        let e = error(xsd);
        assert_eq!(e.offset, offset, "{xsd:?} : {e}");
        assert!(e.message.contains(fragment), "{xsd:?} : {e}");
    }

    #[test]
    fn cdc_date_pattern() {
        let date = "(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])";
        check(
            date,
            &["2024-02-29", "1900-01-01", "2099-12-31"],
            &[
                "2024-2-29",
                "1899-01-01",
                "2024-02-29Z",
                "2024-02-29\n",
                "2024-13-01",
                "2024-02-32",
            ],
        );
    }

    #[test]
    fn cdc_datetime_pattern() {
        let date_time = r"(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T(2[0-3]|[01][0-9]):[0-5][0-9]:[0-5][0-9](\+|-)(:2[0-3]|[01][0-9]):[0-5][0-9]";
        check(
            date_time,
            &["2024-06-01T10:00:00+02:00", "2024-06-01T23:59:59-11:30"],
            &[
                "2024-06-01T10:00:00Z",
                "2024-06-01T10:00:00+0200",
                "2024-06-01T24:00:00+02:00",
            ],
        );
    }

    #[test]
    fn whole_value_is_anchored() {
        check("abc", &["abc"], &["", "xabc", "abcx", "abc\n", "\nabc"]);
        // The alternation must stay inside the anchors.
        check("a|b", &["a", "b"], &["ab", "xa", "bx"]);
        assert_eq!(translate("a|b").unwrap(), r"\A(?:a|b)\z");
        check("", &[""], &["a"]);
    }

    #[test]
    fn caret_and_dollar_are_ordinary_characters() {
        check("^a$", &["^a$"], &["a"]);
        assert_eq!(translate("^a$").unwrap(), r"\A(?:\^a\$)\z");
    }

    #[test]
    fn characters_special_only_to_regex_are_literal() {
        check("a#b c&d~e}", &["a#b c&d~e}"], &["a#bc&d~e}", "ab"]);
        assert_eq!(translate("# &").unwrap(), r"\A(?:\#\x{20}\&)\z");
        // `&&`, `~~` and `--` are set operators in `regex` classes, plain characters in XSD.
        check("[a&&b]", &["a", "&", "b"], &["c", "ab"]);
        check("[a~~b]", &["a", "~", "b"], &["c"]);
        check(r"[a\-z]", &["a", "-", "z"], &["b"]);
        check("[$^.|]", &["$", "^", ".", "|"], &["a"]);
    }

    #[test]
    fn dot_excludes_only_line_feed_and_carriage_return() {
        check(".", &["a", "é", " ", "\t", "😀"], &["\n", "\r", "", "ab"]);
        check("a.c", &["abc", "a.c"], &["a\nc", "a\rc"]);
    }

    #[test]
    fn s_is_exactly_four_characters() {
        check(
            r"\s",
            &[" ", "\t", "\n", "\r"],
            &["\u{A0}", "\u{B}", "\u{C}", "\u{2003}", "a"],
        );
        check(
            r"\S",
            &["a", "\u{A0}", "\u{2003}"],
            &[" ", "\t", "\n", "\r"],
        );
    }

    #[test]
    fn d_is_any_unicode_decimal_digit() {
        check(
            r"\d+",
            &["0123456789", "\u{663}", "\u{FF15}"],
            &["a", "½", "Ⅻ"],
        );
        check(r"\D", &["a", "½"], &["5", "\u{663}"]);
    }

    #[test]
    fn w_excludes_punctuation_separators_and_others() {
        check(
            r"\w",
            &["a", "É", "5", "€", "+", "ß"],
            &["_", "-", ".", " ", "\u{A0}", "\u{200B}", "\n"],
        );
        check(r"\W", &["_", "-", " ", "\u{200B}"], &["a", "€"]);
    }

    #[test]
    fn i_and_c_are_xml_name_characters() {
        check(
            r"\i",
            &["a", "É", "_", ":", "中"],
            &["1", "-", ".", "\u{B7}", " "],
        );
        check(r"\I", &["1", "-", " "], &["a", "_"]);
        check(
            r"\c",
            &["a", "_", ":", "1", "-", ".", "\u{B7}", "\u{301}", "\u{2B0}"],
            &[" ", "/", "€"],
        );
        check(r"\C", &[" ", "/"], &["a", "1", "-"]);
        check(r"\i\c*", &["xs:element", "_a-1.b"], &["1a", "-a", "a b"]);
    }

    #[test]
    fn single_character_escapes() {
        let mut escapes = vec![(r"\n", '\n'), (r"\r", '\r'), (r"\t", '\t')];
        let punctuation: Vec<(String, char)> = r"\|.-^?*+{}()[]"
            .chars()
            .map(|c| (format!("\\{c}"), c))
            .collect();
        escapes.extend(punctuation.iter().map(|(xsd, c)| (xsd.as_str(), *c)));
        for (xsd, c) in escapes {
            let value = c.to_string();
            check(xsd, &[&value], &["a", ""]);
            // The same escape must work inside a class.
            check(&format!("[{xsd}]"), &[&value], &["a"]);
        }
    }

    #[test]
    fn unknown_escapes_are_errors() {
        check_error(r"a\a", 1, "échappement inconnu « \\a »");
        check_error(r"\b", 0, "échappement inconnu");
        check_error(r"\x41", 0, "échappement inconnu");
        check_error(r"\u0041", 0, "échappement inconnu");
        check_error(r"(a)\1", 3, "référence arrière");
        check_error(r"[\a]", 1, "échappement inconnu");
        check_error("ab\\", 2, "échappement incomplet");
    }

    #[test]
    fn category_escapes() {
        check(r"\p{Lu}", &["A", "É"], &["a", "1"]);
        check(r"\P{Lu}", &["a", "1"], &["A"]);
        check(r"\p{L}+", &["abcÉß中"], &["a1"]);
        // `Sc` must mean the currency symbols, not the `Script` property.
        check(r"\p{Sc}", &["€", "$"], &["a"]);
        check(r"\p{Cf}", &["\u{200B}"], &["a"]);
        check(r"[\p{N}\p{P}]", &["½", "5", "!"], &["a"]);
        assert_eq!(translate(r"\p{Lu}").unwrap(), r"\A(?:\p{gc=Lu})\z");
        for category in CATEGORIES {
            pattern(&format!(r"\p{{{category}}}\P{{{category}}}"));
        }
        check_error(r"\p{Greek}", 0, "catégorie Unicode inconnue « Greek »");
        check_error(r"a\p{Cs}", 1, "catégorie Unicode inconnue");
        check_error(r"\pL", 0, "{…}");
        check_error(r"\p{Lu", 0, "non fermée");
    }

    #[test]
    fn block_escapes() {
        check(r"\p{IsBasicLatin}+", &["az~\u{0}"], &["é"]);
        check(r"\p{IsLatin-1Supplement}", &["é", "\u{A0}"], &["e", "ā"]);
        check(r"\P{IsGreek}", &["a"], &["α"]);
        check(r"\p{IsSpecials}", &["\u{FEFF}", "\u{FFFD}"], &["\u{FFFE}"]);
        let private = ["\u{E000}", "\u{F0000}", "\u{10FFFD}"];
        check(r"\p{IsPrivateUse}", &private, &["\u{F900}"]);
        check(r"[\p{IsGreek}\p{IsCyrillic}]", &["α", "ж"], &["a"]);
        // No Rust string holds a surrogate: nothing is in these blocks.
        check(r"\p{IsHighSurrogates}", &[], &["a", "\u{10000}"]);
        check(r"\P{IsLowSurrogates}", &["a", "\u{10000}"], &[]);
        let basic_latin = r"\A(?:[\x{0}-\x{7F}])\z";
        assert_eq!(translate(r"\p{IsBasicLatin}").unwrap(), basic_latin);
        for (name, _, _) in BLOCKS {
            pattern(&format!(r"\p{{Is{name}}}\P{{Is{name}}}"));
        }
        check_error(r"ab\p{IsKlingon}", 2, "bloc Unicode inconnu « IsKlingon »");
    }

    #[test]
    fn character_classes() {
        check("[a-cx]", &["a", "b", "c", "x"], &["d", "A"]);
        check("[^a-c]", &["d", "\n", "é"], &["a", "b"]);
        check(r"[\d\s]+", &["1 2\t3"], &["1a"]);
        check(r"[^\d]", &["a"], &["1"]);
        check(r"[\n-\r]", &["\n", "\u{B}", "\r"], &["\t"]);
        check("[é-ë]", &["é", "ê", "ë"], &["e"]);
        check("[-a]", &["-", "a"], &["b"]);
        check("[a-]", &["-", "a"], &["b"]);
        check("[+-]", &["+", "-"], &[","]);
        check("[^-]", &["a"], &["-"]);
        check(".[.]", &["a."], &["ab"]);
        assert_eq!(translate("[^a-c]").unwrap(), r"\A(?:[^a-c])\z");
    }

    #[test]
    fn class_subtraction() {
        check("[a-z-[aeiou]]+", &["bcd", "xyz"], &["e", "bad"]);
        check("[a-z-[aeiou-[u]]]", &["b", "u"], &["a", "e"]);
        // The negation applies to the group before the subtraction, not to the difference.
        check("[^a-[b]]", &["c", "é"], &["a", "b"]);
        check(r"[\p{L}-[\p{Lu}]]", &["a", "é"], &["A", "1"]);
        check(r"[\i-[:]]", &["a"], &[":"]);
        check("[--[-]]", &[], &["-", "a"]);
        let vowels = r"\A(?:[[a-z]--[aeiou]])\z";
        assert_eq!(translate("[a-z-[aeiou]]").unwrap(), vowels);
        check_error("[a-z-[aeiou]x]", 12, "doit terminer");
    }

    #[test]
    fn quantifiers() {
        check("ab?", &["a", "ab"], &["abb"]);
        check("ab*", &["a", "abbb"], &["b"]);
        check("ab+", &["ab", "abbb"], &["a"]);
        check("a{3}", &["aaa"], &["aa", "aaaa"]);
        check("a{2,}", &["aa", "aaaaa"], &["a"]);
        check("a{2,3}", &["aa", "aaa"], &["a", "aaaa"]);
        check("a{0,0}b", &["b"], &["ab"]);
        check("(ab){2}", &["abab"], &["ab"]);
        check_error("a{,3}", 1, "{0,m}");
        check_error("a{3,2}", 1, "le minimum dépasse le maximum");
        check_error("a{x}", 1, "mal formé");
        check_error("a{2", 1, "mal formé");
        check_error("a{2,3", 1, "mal formé");
        check_error("a{99999999999}", 2, "trop grand");
    }

    #[test]
    fn non_xsd_quantifiers_and_groups_are_errors() {
        check_error("*a", 0, "quantificateur sans élément");
        check_error("a**", 2, "quantificateur sans élément");
        check_error("a|+", 2, "quantificateur sans élément");
        check_error("a{2}{3}", 4, "quantificateur sans élément");
        check_error("a*?", 2, "non gourmands");
        check_error("a{2}?", 4, "non gourmands");
        check_error("(?:a)", 1, "(?…)");
        check_error("(?i)a", 1, "(?…)");
    }

    #[test]
    fn groups_are_non_capturing() {
        assert_eq!(translate("(a|b)c").unwrap(), r"\A(?:(?:a|b)c)\z");
        check("(a|b)c", &["ac", "bc"], &["abc", "c"]);
        check("()", &[""], &["a"]);
        check("(a|)", &["", "a"], &["b"]);
    }

    #[test]
    fn structural_errors_carry_a_character_offset() {
        check_error("ab[cd", 2, "classe de caractères non fermée");
        check_error("[a-", 0, "classe de caractères non fermée");
        check_error("[^", 0, "classe de caractères non fermée");
        check_error("[]", 1, "classe de caractères vide");
        check_error("[^]", 2, "classe de caractères vide");
        check_error("a(b(c)", 1, "groupe non fermé");
        check_error("ab)c", 2, "sans parenthèse ouvrante");
        check_error("a]", 1, "« ] »");
        check_error("[z-a]", 1, "intervalle inversé « z-a »");
        check_error(r"[a-\d]", 3, "un seul caractère");
        check_error("[a-c-e]", 4, "« - » doit être échappé");
        check_error("[a[b]]", 2, "« [ » doit être échappé");
        check_error("[+--]", 3, "\\-");
        // Offsets count characters, not UTF-8 bytes.
        check_error("éè[", 2, "non fermée");
    }

    #[test]
    fn error_display_is_french() {
        let e = error("abcd[x");
        assert_eq!(
            e.to_string(),
            "motif XSD invalide à la position 4 : classe de caractères non fermée"
        );
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed.to_string().starts_with("motif XSD invalide"));
    }

    #[test]
    fn size_limit_stops_hostile_patterns() {
        let e = error(r"(\w{100}){100}");
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("trop complexe"), "{e}");
        // An ordinary "up to 255 word characters" pattern must still compile.
        check(r"\w{1,255}", &["abc"], &["", "a b"]);
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}a{}", "(".repeat(n), ")*".repeat(n));
        // Within the limit, the pattern compiles or is refused cleanly by `regex`.
        let _ = Pattern::new(&deep(MAX_DEPTH));
        check_error(&deep(MAX_DEPTH + 1), MAX_DEPTH, "imbrication trop profonde");
        let classes = "[a-".repeat(10_000);
        check_error(&classes, MAX_DEPTH * 3, "imbrication trop profonde");
        check_error(&"(".repeat(100_000), MAX_DEPTH, "imbrication trop profonde");
    }

    #[test]
    fn pattern_keeps_its_source() {
        let p = pattern("[A-Z]{2}");
        assert_eq!(p.source(), "[A-Z]{2}");
        assert!(p.clone().is_match("FR"));
    }

    /// Every short pattern over the metacharacters: never a panic, and every pattern the
    /// translator accepts compiles (a refusal by `regex` would reveal a translation bug).
    #[test]
    fn short_patterns_never_panic_and_always_compile() {
        let alphabet = [
            'a', '-', '[', ']', '^', '\\', '(', ')', '|', '*', '{', '}', '1', ',', 'd', 'p', '.',
        ];
        let mut patterns = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> = patterns
                .iter()
                .flat_map(|p| alphabet.iter().map(move |c| format!("{p}{c}")))
                .collect();
            patterns.extend(longer);
        }
        patterns.sort();
        patterns.dedup();
        for xsd in &patterns {
            if translate(xsd).is_ok() {
                pattern(xsd);
            }
        }
    }
}
