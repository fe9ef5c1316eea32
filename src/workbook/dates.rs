//! Calendar dates from Excel serial numbers and from French or ISO text.
//!
//! Serial numbers are converted arithmetically, never through a time zone: a JavaScript `Date`
//! would shift 2024-04-20 to the 19th in Paris.
//!
//! ```
//! use accrochage::workbook::{parse_text_date, serial_to_date, CalendarDate, DateSystem};
//! let d = CalendarDate { year: 2024, month: 4, day: 20 };
//! assert_eq!(serial_to_date(45402.0, DateSystem::Excel1900), Some((d, 0)));
//! assert_eq!(serial_to_date(43940.5, DateSystem::Excel1904), Some((d, 43_200)));
//! assert_eq!(parse_text_date("20/04/2024"), Some(d));
//! assert_eq!(parse_text_date("2024-04-20"), Some(d));
//! assert_eq!(parse_text_date("31/02/2024"), None);
//! ```

use std::fmt;

/// Which day serial 0 stands for: Windows Excel counts from 1900, old Mac files from 1904.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateSystem {
    Excel1900,
    Excel1904,
}

/// A day of the proleptic Gregorian calendar, written `AAAA-MM-JJ` as XSD dates are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalendarDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl fmt::Display for CalendarDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Written for every date of every row: digits by hand, the formatting machinery
        // taking ten times as long.
        match (u16::try_from(self.year), self.month, self.day) {
            (Ok(y @ 0..=9999), m @ 0..=99, d @ 0..=99) => {
                let digit = |n: u32| b'0' + (n % 10) as u8;
                let y = u32::from(y);
                let text = [
                    digit(y / 1000),
                    digit(y / 100),
                    digit(y / 10),
                    digit(y),
                    b'-',
                    digit(m / 10),
                    digit(m),
                    b'-',
                    digit(d / 10),
                    digit(d),
                ];
                f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
            }
            _ => write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day),
        }
    }
}

/// Days from 1970-01-01 to 1899-12-30, the day before Excel's day 1 once the fictitious
/// 1900-02-29 is counted.
const EPOCH_1900: i64 = -25_569;
/// Days from 1970-01-01 to 1904-01-01 (serial 0 of the 1904 system).
const EPOCH_1904: i64 = -24_107;
/// Serial of 9999-12-31 + 1 in the 1900 system: Excel's own upper bound.
const MAX_SERIAL_1900: f64 = 2_958_466.0;

/// The date and the seconds after midnight of an Excel serial number; `None` for what is not a
/// day of the calendar: negatives, a time alone (below 1), beyond 9999-12-31, and serial 60 of
/// the 1900 system, the 1900-02-29 that Lotus 1-2-3 invented and Excel kept for compatibility.
pub fn serial_to_date(serial: f64, system: DateSystem) -> Option<(CalendarDate, u32)> {
    if !serial.is_finite() {
        return None;
    }
    let mut whole = serial.floor();
    let mut secs = ((serial - whole) * 86_400.0).round() as u32;
    if secs >= 86_400 {
        // 23:59:59.6 rounds to the next midnight.
        whole += 1.0;
        secs = 0;
    }
    let days = match system {
        DateSystem::Excel1900 => {
            if !(1.0..MAX_SERIAL_1900).contains(&whole) || whole == 60.0 {
                return None;
            }
            // Before the fictitious day, serial n is 1899-12-31 + n.
            let shift = if whole < 60.0 { 1 } else { 0 };
            EPOCH_1900 + whole as i64 + shift
        }
        DateSystem::Excel1904 => {
            if !(0.0..MAX_SERIAL_1900 - 1_462.0).contains(&whole) {
                return None;
            }
            EPOCH_1904 + whole as i64
        }
    };
    let (year, month, day) = crate::convert::ids::civil_from_days(days);
    Some((CalendarDate { year, month, day }, secs))
}

/// A date typed as text: `JJ/MM/AAAA` (also with `-` or `.`, day and month on one or two
/// digits) or `AAAA-MM-JJ`; checked on the calendar, so 31/02 or 29/02/2023 give `None`.
pub fn parse_text_date(s: &str) -> Option<CalendarDate> {
    let parts: Vec<&str> = s.split(['/', '-', '.']).collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    if !parts
        .iter()
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let (y, m, d) = match (a.len(), b.len(), c.len()) {
        (4, 1..=2, 1..=2) => (a, b, c),
        (1..=2, 1..=2, 4) => (c, b, a),
        _ => return None,
    };
    let (year, month, day): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&month)
        || day < 1
        || day > crate::xsd::builtin::days_in_month(year as i64, month)
    {
        return None;
    }
    Some(CalendarDate { year, month, day })
}

/// An ISO 8601 date or date-time as OpenDocument stores it (`2024-04-20`,
/// `2024-04-20T10:30:00`), as a date and the seconds after midnight.
pub fn parse_iso_date_time(s: &str) -> Option<(CalendarDate, u32)> {
    let (date, time) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    if date.len() != 10 || date.as_bytes()[4] != b'-' {
        return None;
    }
    let d = parse_text_date(date)?;
    let secs = match time {
        None => 0,
        Some(t) => {
            let t = t.trim_end_matches('Z');
            let mut it = t.split(':');
            let h: u32 = it.next()?.parse().ok()?;
            let m: u32 = it.next().unwrap_or("0").parse().ok()?;
            let sec: f64 = it.next().unwrap_or("0").parse().ok()?;
            if h > 23 || m > 59 || !(0.0..60.0).contains(&sec) {
                return None;
            }
            h * 3600 + m * 60 + sec as u32
        }
    };
    Some((d, secs))
}

#[cfg(test)]
mod tests {
    use super::CalendarDate;

    #[test]
    fn a_date_is_written_as_the_formatting_machinery_writes_it() {
        for year in [
            -10_000,
            -1,
            0,
            7,
            99,
            1900,
            2026,
            9999,
            10_000,
            i32::MAX,
            i32::MIN,
        ] {
            for (month, day) in [
                (0, 0),
                (1, 1),
                (2, 29),
                (9, 30),
                (12, 31),
                (99, 99),
                (100, 7),
            ] {
                let d = CalendarDate { year, month, day };
                assert_eq!(d.to_string(), format!("{year:04}-{month:02}-{day:02}"));
            }
        }
    }
}
