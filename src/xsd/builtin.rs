//! The XSD 1.0 built-in datatypes the engine supports: their whitespace rule, lexical space and
//! value space (for enumerations and ordering facets).
//!
//! ```
//! use accrochage::xsd::builtin::{Builtin, Value};
//! // int collapses whitespace, accepts a sign and leading zeros …
//! let v = Builtin::Int.parse(&Builtin::Int.whitespace().apply(" +0042 ")).unwrap();
//! assert_eq!(v, Builtin::Int.parse("42").unwrap());
//! // … and dates are checked on the calendar.
//! assert!(Builtin::Date.parse("2023-02-29").is_err());
//! assert!(Builtin::Date.parse("2024-02-29").is_ok());
//! ```

use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// A built-in datatype of XML Schema Part 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Builtin {
    String,
    NormalizedString,
    Token,
    AnyUri,
    Boolean,
    Decimal,
    Integer,
    Long,
    Int,
    Short,
    Byte,
    NonNegativeInteger,
    PositiveInteger,
    Date,
    DateTime,
    GYear,
}

/// The `whiteSpace` facet: what happens to tabs, newlines and spaces before checking a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum WhiteSpace {
    Preserve,
    Replace,
    Collapse,
}

impl WhiteSpace {
    pub fn from_keyword(s: &str) -> Option<WhiteSpace> {
        match s {
            "preserve" => Some(WhiteSpace::Preserve),
            "replace" => Some(WhiteSpace::Replace),
            "collapse" => Some(WhiteSpace::Collapse),
            _ => None,
        }
    }

    /// Normalises `raw` by this rule, borrowing when nothing changes (the common case).
    pub fn apply<'a>(self, raw: &'a str) -> Cow<'a, str> {
        let is_ws = |c: char| matches!(c, ' ' | '\t' | '\n' | '\r');
        match self {
            WhiteSpace::Preserve => Cow::Borrowed(raw),
            WhiteSpace::Replace => {
                if raw.contains(['\t', '\n', '\r']) {
                    Cow::Owned(raw.replace(['\t', '\n', '\r'], " "))
                } else {
                    Cow::Borrowed(raw)
                }
            }
            WhiteSpace::Collapse => {
                // One pass over the bytes for the common case, a value already collapsed.
                let bytes = raw.as_bytes();
                let edge = |b: Option<&u8>| b.is_some_and(|&b| is_ws(char::from(b)));
                if !edge(bytes.first()) && !edge(bytes.last()) {
                    let mut space = false;
                    let collapsed = bytes.iter().all(|&b| match b {
                        b'\t' | b'\n' | b'\r' => false,
                        b' ' => !std::mem::replace(&mut space, true),
                        _ => {
                            space = false;
                            true
                        }
                    });
                    if collapsed {
                        return Cow::Borrowed(raw);
                    }
                }
                let trimmed = raw.trim_matches(is_ws);
                let needs_inner = trimmed
                    .as_bytes()
                    .windows(2)
                    .any(|w| is_ws(w[0] as char) && is_ws(w[1] as char))
                    || trimmed.contains(['\t', '\n', '\r']);
                if !needs_inner {
                    return Cow::Borrowed(trimmed);
                }
                let mut out = String::with_capacity(trimmed.len());
                let mut in_ws = false;
                for c in trimmed.chars() {
                    if is_ws(c) {
                        in_ws = true;
                    } else {
                        if in_ws {
                            out.push(' ');
                            in_ws = false;
                        }
                        out.push(c);
                    }
                }
                Cow::Owned(out)
            }
        }
    }
}

/// A value in the value space of a built-in type, for enumeration and ordering facets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// string, normalizedString, token, anyURI: the (normalised) text itself.
    Str(String),
    Bool(bool),
    Decimal(Decimal),
    Date(DateTimeValue),
    DateTime(DateTimeValue),
    GYear(DateTimeValue),
}

impl Value {
    /// Order of two values of the same type; `None` when incomparable (different kinds, or a
    /// date with a timezone against one without, as XSD's partial order says).
    pub fn partial_cmp_value(&self, other: &Value) -> Option<Ordering> {
        match (self, other) {
            (Value::Decimal(a), Value::Decimal(b)) => Some(a.cmp(b)),
            (Value::Date(a), Value::Date(b))
            | (Value::DateTime(a), Value::DateTime(b))
            | (Value::GYear(a), Value::GYear(b)) => a.partial_cmp(b),
            (Value::Str(a), Value::Str(b)) if a == b => Some(Ordering::Equal),
            (Value::Bool(a), Value::Bool(b)) if a == b => Some(Ordering::Equal),
            _ => None,
        }
    }
}

/// Why a literal is not in the lexical space of its type. Rendered in French by the diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LexicalError {
    /// Not of the expected shape at all (e.g. `12a` for an int).
    Syntax,
    /// Well formed but out of the type's own range (e.g. 3 000 000 000 for an int).
    OutOfRange,
    /// A date that does not exist on the calendar (`2023-02-29`).
    NoSuchDay,
    /// A timezone offset beyond ±14:00.
    BadOffset,
}

impl Builtin {
    /// The built-in type named `local` in the XML Schema namespace, if the engine supports it.
    pub fn from_local_name(local: &str) -> Option<Builtin> {
        Some(match local {
            "string" => Builtin::String,
            "normalizedString" => Builtin::NormalizedString,
            "token" => Builtin::Token,
            "anyURI" => Builtin::AnyUri,
            "boolean" => Builtin::Boolean,
            "decimal" => Builtin::Decimal,
            "integer" => Builtin::Integer,
            "long" => Builtin::Long,
            "int" => Builtin::Int,
            "short" => Builtin::Short,
            "byte" => Builtin::Byte,
            "nonNegativeInteger" => Builtin::NonNegativeInteger,
            "positiveInteger" => Builtin::PositiveInteger,
            "date" => Builtin::Date,
            "dateTime" => Builtin::DateTime,
            "gYear" => Builtin::GYear,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Builtin::String => "string",
            Builtin::NormalizedString => "normalizedString",
            Builtin::Token => "token",
            Builtin::AnyUri => "anyURI",
            Builtin::Boolean => "boolean",
            Builtin::Decimal => "decimal",
            Builtin::Integer => "integer",
            Builtin::Long => "long",
            Builtin::Int => "int",
            Builtin::Short => "short",
            Builtin::Byte => "byte",
            Builtin::NonNegativeInteger => "nonNegativeInteger",
            Builtin::PositiveInteger => "positiveInteger",
            Builtin::Date => "date",
            Builtin::DateTime => "dateTime",
            Builtin::GYear => "gYear",
        }
    }

    /// The whiteSpace facet the type starts with.
    pub fn whitespace(self) -> WhiteSpace {
        match self {
            Builtin::String => WhiteSpace::Preserve,
            Builtin::NormalizedString => WhiteSpace::Replace,
            _ => WhiteSpace::Collapse,
        }
    }

    /// Types whose length facets count characters (the others have no length facets).
    pub fn is_stringlike(self) -> bool {
        matches!(
            self,
            Builtin::String | Builtin::NormalizedString | Builtin::Token | Builtin::AnyUri
        )
    }

    /// Types derived from decimal (totalDigits / fractionDigits apply).
    pub fn is_decimal(self) -> bool {
        matches!(
            self,
            Builtin::Decimal
                | Builtin::Integer
                | Builtin::Long
                | Builtin::Int
                | Builtin::Short
                | Builtin::Byte
                | Builtin::NonNegativeInteger
                | Builtin::PositiveInteger
        )
    }

    /// Types with an order (min/max facets apply).
    pub fn is_ordered(self) -> bool {
        self.is_decimal() || matches!(self, Builtin::Date | Builtin::DateTime | Builtin::GYear)
    }

    /// Parses an already whitespace-normalised literal into its value.
    pub fn parse(self, s: &str) -> Result<Value, LexicalError> {
        match self {
            Builtin::String | Builtin::AnyUri => Ok(Value::Str(s.to_owned())),
            Builtin::NormalizedString => {
                if s.contains(['\t', '\n', '\r']) {
                    Err(LexicalError::Syntax)
                } else {
                    Ok(Value::Str(s.to_owned()))
                }
            }
            Builtin::Token => {
                if s.starts_with(' ') || s.ends_with(' ') || s.contains("  ") {
                    Err(LexicalError::Syntax)
                } else {
                    Ok(Value::Str(s.to_owned()))
                }
            }
            Builtin::Boolean => match s {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => Err(LexicalError::Syntax),
            },
            Builtin::Decimal => Decimal::parse(s, true).map(Value::Decimal),
            Builtin::Integer
            | Builtin::Long
            | Builtin::Int
            | Builtin::Short
            | Builtin::Byte
            | Builtin::NonNegativeInteger
            | Builtin::PositiveInteger => {
                let d = Decimal::parse(s, false)?;
                if !self.integer_range_contains(&d) {
                    return Err(LexicalError::OutOfRange);
                }
                Ok(Value::Decimal(d))
            }
            Builtin::Date => parse_date_time(s, DateKind::Date).map(Value::Date),
            Builtin::DateTime => parse_date_time(s, DateKind::DateTime).map(Value::DateTime),
            Builtin::GYear => parse_date_time(s, DateKind::GYear).map(Value::GYear),
        }
    }

    /// The lexical check of string-like types, without building a value.
    pub fn check_lexical_str(self, s: &str) -> Result<(), LexicalError> {
        let ok = match self {
            Builtin::NormalizedString => !s.contains(['\t', '\n', '\r']),
            Builtin::Token => !(s.starts_with(' ') || s.ends_with(' ') || s.contains("  ")),
            _ => true,
        };
        if ok {
            Ok(())
        } else {
            Err(LexicalError::Syntax)
        }
    }

    fn integer_range_contains(self, d: &Decimal) -> bool {
        let bounds: Option<(i128, i128)> = match self {
            Builtin::Long => Some((i64::MIN as i128, i64::MAX as i128)),
            Builtin::Int => Some((i32::MIN as i128, i32::MAX as i128)),
            Builtin::Short => Some((i16::MIN as i128, i16::MAX as i128)),
            Builtin::Byte => Some((i8::MIN as i128, i8::MAX as i128)),
            _ => None,
        };
        match self {
            Builtin::NonNegativeInteger => !d.negative || d.is_zero(),
            Builtin::PositiveInteger => !d.negative && !d.is_zero(),
            _ => match bounds {
                None => true,
                Some((lo, hi)) => match d.to_i128() {
                    Some(v) => lo <= v && v <= hi,
                    None => false,
                },
            },
        }
    }
}

/// An arbitrary-precision decimal, normalised so that equal values compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decimal {
    negative: bool,
    /// Integer digits without leading zeros ("" for zero).
    int: String,
    /// Fraction digits without trailing zeros.
    frac: String,
}

impl Decimal {
    /// Parses `[+-]?digits(.digits)?`; `allow_fraction` is false for integer types.
    pub fn parse(s: &str, allow_fraction: bool) -> Result<Decimal, LexicalError> {
        let (negative, body) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) if allow_fraction => (i, f),
            Some(_) => return Err(LexicalError::Syntax),
            None => (body, ""),
        };
        let all_digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !all_digits(int) || !all_digits(frac) {
            return Err(LexicalError::Syntax);
        }
        if body.ends_with('.') && int.is_empty() {
            return Err(LexicalError::Syntax);
        }
        let int = int.trim_start_matches('0').to_owned();
        let frac = frac.trim_end_matches('0').to_owned();
        let zero = int.is_empty() && frac.is_empty();
        Ok(Decimal {
            negative: negative && !zero,
            int,
            frac,
        })
    }

    pub fn is_zero(&self) -> bool {
        self.int.is_empty() && self.frac.is_empty()
    }

    /// Significant digits, as the totalDigits facet counts them.
    pub fn total_digits(&self) -> usize {
        let digits = self.int.len() + self.frac.len();
        digits.max(1)
    }

    pub fn fraction_digits(&self) -> usize {
        self.frac.len()
    }

    fn to_i128(&self) -> Option<i128> {
        if !self.frac.is_empty() || self.int.len() > 38 {
            return None;
        }
        let magnitude: i128 = if self.int.is_empty() {
            0
        } else {
            self.int.parse().ok()?
        };
        Some(if self.negative { -magnitude } else { magnitude })
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.int
            .len()
            .cmp(&other.int.len())
            .then_with(|| self.int.cmp(&other.int))
            .then_with(|| self.frac.cmp(&other.frac))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.int.is_empty() { "0" } else { &self.int })?;
        if !self.frac.is_empty() {
            write!(f, ".{}", self.frac)?;
        }
        Ok(())
    }
}

/// date, dateTime and gYear values, kept as written plus an optional offset in minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimeValue {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    /// Seconds since midnight, with fractional digits kept as text for exact comparison.
    pub seconds: u32,
    pub fraction: String,
    pub offset_minutes: Option<i32>,
}

impl DateTimeValue {
    /// Minutes since an arbitrary epoch, with the offset removed (timeline position).
    fn timeline_seconds(&self) -> i128 {
        let days = days_from_civil(self.year, self.month, self.day) as i128;
        let offset = self.offset_minutes.unwrap_or(0) as i128 * 60;
        days * 86_400 + self.seconds as i128 - offset
    }
}

impl PartialOrd for DateTimeValue {
    fn partial_cmp(&self, other: &DateTimeValue) -> Option<Ordering> {
        // XSD's order: comparable when both or neither carry a timezone. (The spec's ±14h rule for
        // mixed cases is rarely decisive in facets; treating them as incomparable is the safe side.)
        if self.offset_minutes.is_some() != other.offset_minutes.is_some() {
            return None;
        }
        Some(
            self.timeline_seconds()
                .cmp(&other.timeline_seconds())
                .then_with(|| self.fraction.cmp(&other.fraction)),
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DateKind {
    Date,
    DateTime,
    GYear,
}

pub fn is_leap_year(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn take_digits(s: &str, exactly: usize) -> Option<(u32, &str)> {
    let head = s.get(..exactly)?;
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((head.parse().ok()?, &s[exactly..]))
}

fn parse_date_time(s: &str, kind: DateKind) -> Result<DateTimeValue, LexicalError> {
    use LexicalError::*;
    let (negative, rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    // Year: at least four digits, no leading zero beyond four, never 0000 (XSD 1.0).
    let year_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
    if year_len < 4 || (year_len > 4 && rest.starts_with('0')) {
        return Err(Syntax);
    }
    let year: i64 = rest[..year_len].parse().map_err(|_| OutOfRange)?;
    if year == 0 {
        return Err(Syntax);
    }
    let year = if negative { -year } else { year };
    let mut rest = &rest[year_len..];
    let (mut month, mut day, mut seconds, mut fraction) = (1, 1, 0, String::new());
    if kind != DateKind::GYear {
        rest = rest.strip_prefix('-').ok_or(Syntax)?;
        let (m, r) = take_digits(rest, 2).ok_or(Syntax)?;
        let r = r.strip_prefix('-').ok_or(Syntax)?;
        let (d, r) = take_digits(r, 2).ok_or(Syntax)?;
        rest = r;
        if !(1..=12).contains(&m) {
            return Err(OutOfRange);
        }
        if d < 1 || d > days_in_month(year, m) {
            return Err(if d <= 31 { NoSuchDay } else { OutOfRange });
        }
        month = m;
        day = d;
    }
    if kind == DateKind::DateTime {
        rest = rest.strip_prefix('T').ok_or(Syntax)?;
        let (h, r) = take_digits(rest, 2).ok_or(Syntax)?;
        let r = r.strip_prefix(':').ok_or(Syntax)?;
        let (mi, r) = take_digits(r, 2).ok_or(Syntax)?;
        let r = r.strip_prefix(':').ok_or(Syntax)?;
        let (sec, mut r) = take_digits(r, 2).ok_or(Syntax)?;
        if let Some(f) = r.strip_prefix('.') {
            let n = f.bytes().take_while(|b| b.is_ascii_digit()).count();
            if n == 0 {
                return Err(Syntax);
            }
            fraction = f[..n].trim_end_matches('0').to_owned();
            r = &f[n..];
        }
        rest = r;
        let midnight_24 = h == 24 && mi == 0 && sec == 0 && fraction.is_empty();
        if (h > 23 && !midnight_24) || mi > 59 || sec > 59 {
            return Err(OutOfRange);
        }
        seconds = h * 3600 + mi * 60 + sec;
    }
    let offset_minutes = match rest {
        "" => None,
        "Z" => Some(0),
        _ => {
            let sign = match rest.as_bytes()[0] {
                b'+' => 1,
                b'-' => -1,
                _ => return Err(Syntax),
            };
            let (h, r) = take_digits(&rest[1..], 2).ok_or(Syntax)?;
            let r = r.strip_prefix(':').ok_or(Syntax)?;
            let (m, r) = take_digits(r, 2).ok_or(Syntax)?;
            if !r.is_empty() {
                return Err(Syntax);
            }
            if m > 59 || h > 14 || (h == 14 && m > 0) {
                return Err(BadOffset);
            }
            Some(sign * (h as i32 * 60 + m as i32))
        }
    };
    Ok(DateTimeValue {
        year,
        month,
        day,
        seconds,
        fraction,
        offset_minutes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(t: Builtin, s: &str) -> bool {
        t.parse(&t.whitespace().apply(s)).is_ok()
    }

    #[test]
    fn whitespace_rules() {
        assert_eq!(WhiteSpace::Preserve.apply(" a \n b "), " a \n b ");
        assert_eq!(WhiteSpace::Replace.apply(" a\tb\n"), " a b ");
        assert_eq!(WhiteSpace::Collapse.apply("  a \t\n b  "), "a b");
        assert!(matches!(
            WhiteSpace::Collapse.apply("a b"),
            Cow::Borrowed(_)
        ));
        for (raw, collapsed) in [
            ("a  b", "a b"),
            ("a\tb", "a b"),
            ("a \rb", "a b"),
            ("a\n\n b c", "a b c"),
            (" é  ü ", "é ü"),
            ("", ""),
            ("ab", "ab"),
            ("a b  c", "a b c"),
            ("a ", "a"),
            ("\ta", "a"),
            ("é\u{a0} b", "é\u{a0} b"),
        ] {
            assert_eq!(WhiteSpace::Collapse.apply(raw), collapsed, "{raw:?}");
        }
        assert!(matches!(
            WhiteSpace::Collapse.apply(" a b c "),
            Cow::Borrowed("a b c")
        ));
    }

    #[test]
    fn booleans_are_lowercase_or_digits() {
        for s in ["true", "false", "1", "0", " true "] {
            assert!(ok(Builtin::Boolean, s), "{s}");
        }
        for s in ["True", "yes", "VRAI", ""] {
            assert!(!ok(Builtin::Boolean, s), "{s}");
        }
    }

    #[test]
    fn integers_and_their_ranges() {
        assert!(ok(Builtin::Int, "+1979"));
        assert!(ok(Builtin::Int, "07"));
        assert!(ok(Builtin::Int, " 1975 "));
        assert!(ok(Builtin::Int, "-2147483648"));
        assert_eq!(
            Builtin::Int.parse("2147483648"),
            Err(LexicalError::OutOfRange)
        );
        assert_eq!(Builtin::Int.parse("1979.0"), Err(LexicalError::Syntax));
        assert_eq!(Builtin::Int.parse("12a"), Err(LexicalError::Syntax));
        assert_eq!(Builtin::Int.parse(""), Err(LexicalError::Syntax));
        assert!(ok(Builtin::Short, "32767") && !ok(Builtin::Short, "32768"));
        assert!(ok(Builtin::Byte, "-128") && !ok(Builtin::Byte, "128"));
        assert!(ok(Builtin::Long, "9223372036854775807"));
        assert!(!ok(Builtin::Long, "9223372036854775808"));
        assert!(ok(
            Builtin::Integer,
            "123456789012345678901234567890123456789012"
        ));
        assert!(ok(Builtin::NonNegativeInteger, "0") && ok(Builtin::NonNegativeInteger, "-0"));
        assert!(!ok(Builtin::NonNegativeInteger, "-1"));
        assert!(!ok(Builtin::PositiveInteger, "0") && ok(Builtin::PositiveInteger, "1"));
    }

    #[test]
    fn decimals_compare_by_value() {
        let d = |s: &str| Decimal::parse(s, true).unwrap();
        assert_eq!(d("1.50"), d("01.5"));
        assert!(d("-2") < d("-1.5"));
        assert!(d("10") > d("9.99"));
        assert_eq!(d("-0.0"), d("0"));
        assert_eq!(d("123.450").total_digits(), 5);
        assert_eq!(d("0.05").fraction_digits(), 2);
        assert!(Decimal::parse(".5", true).is_ok());
        assert!(Decimal::parse("5.", true).is_ok());
        assert!(Decimal::parse(".", true).is_err());
        assert!(Decimal::parse("1e3", true).is_err());
        assert_eq!(d("-1.25").to_string(), "-1.25");
    }

    #[test]
    fn dates_are_calendar_checked() {
        assert!(ok(Builtin::Date, "2024-02-29"));
        assert_eq!(
            Builtin::Date.parse("2023-02-29"),
            Err(LexicalError::NoSuchDay)
        );
        assert_eq!(
            Builtin::Date.parse("2024-04-31"),
            Err(LexicalError::NoSuchDay)
        );
        assert_eq!(
            Builtin::Date.parse("2024-13-01"),
            Err(LexicalError::OutOfRange)
        );
        assert_eq!(Builtin::Date.parse("20/04/2024"), Err(LexicalError::Syntax));
        assert_eq!(Builtin::Date.parse("0000-01-01"), Err(LexicalError::Syntax));
        assert!(ok(Builtin::Date, "1900-02-28") && !ok(Builtin::Date, "1900-02-29"));
        assert!(ok(Builtin::Date, "2000-02-29"));
        assert!(ok(Builtin::Date, "2024-04-20Z") && ok(Builtin::Date, "2024-04-20+02:00"));
        assert!(ok(Builtin::Date, "-0044-03-15") && ok(Builtin::Date, "12024-01-01"));
        assert!(!ok(Builtin::Date, "02024-01-01"));
        assert!(ok(Builtin::Date, " 2024-04-20\n"));
    }

    #[test]
    fn date_times_and_offsets() {
        assert!(ok(Builtin::DateTime, "2024-06-01T10:00:00+02:00"));
        assert!(ok(Builtin::DateTime, "2024-06-01T10:00:00.125Z"));
        assert!(ok(Builtin::DateTime, "2024-06-01T24:00:00"));
        assert!(!ok(Builtin::DateTime, "2024-06-01T24:00:01"));
        assert!(!ok(Builtin::DateTime, "2024-06-01T10:00"));
        assert!(!ok(Builtin::DateTime, "2024-06-01 10:00:00"));
        assert_eq!(
            Builtin::DateTime.parse("2024-06-01T10:00:00+15:00"),
            Err(LexicalError::BadOffset)
        );
        assert!(ok(Builtin::DateTime, "2024-06-01T10:00:00-14:00"));
        assert!(!ok(Builtin::DateTime, "2024-06-01T10:00:00+14:01"));
        let a = Builtin::DateTime
            .parse("2024-06-01T10:00:00+02:00")
            .unwrap();
        let b = Builtin::DateTime.parse("2024-06-01T08:00:00Z").unwrap();
        assert_eq!(a.partial_cmp_value(&b), Some(Ordering::Equal));
        let c = Builtin::DateTime.parse("2024-06-01T08:00:00").unwrap();
        assert_eq!(a.partial_cmp_value(&c), None);
    }

    #[test]
    fn gyear() {
        assert!(ok(Builtin::GYear, "1999") && ok(Builtin::GYear, "1999Z"));
        assert!(!ok(Builtin::GYear, "99") && !ok(Builtin::GYear, "1999-01"));
    }

    #[test]
    fn string_family() {
        assert!(ok(Builtin::String, " a "));
        assert!(Builtin::NormalizedString.parse("a\tb").is_err());
        assert!(Builtin::Token.parse(" a").is_err());
        assert!(ok(Builtin::Token, "  a   b "));
        assert!(ok(Builtin::AnyUri, "https://exemple.fr/preuve?id=1"));
    }

    #[test]
    fn days_from_civil_matches_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
    }
}
