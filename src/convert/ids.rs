//! Identifiers and clock values the converter writes: idFlux (a random UUID) and horodatage
//! (local date-time with its UTC offset, as the CDC requires: `2024-06-01T10:00:00+02:00`).

use std::fmt;

/// The moment of the conversion in the user's time zone, given by the caller (the CLI reads the
/// system clock, the page asks the browser) so that the library stays deterministic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalNow {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
    /// Offset from UTC in minutes (+120 in Paris in summer).
    pub offset_minutes: i32,
}

impl LocalNow {
    /// Builds the local time from a Unix timestamp and an offset.
    pub fn from_unix(seconds: i64, offset_minutes: i32) -> LocalNow {
        let local = seconds + offset_minutes as i64 * 60;
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        LocalNow {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            offset_minutes,
        }
    }

    /// `2024-06-01T10:00:00+02:00`: the form the CDC's horodatage pattern accepts (never `Z`).
    pub fn horodatage(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            format_offset(self.offset_minutes)
        )
    }

    /// `20240601-100000`, for file names.
    pub fn compact(&self) -> String {
        format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }

    pub fn date(&self) -> (i32, u32, u32) {
        (self.year, self.month, self.day)
    }
}

pub fn format_offset(minutes: i32) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let m = minutes.unsigned_abs();
    format!("{sign}{:02}:{:02}", m / 60, m % 60)
}

/// Inverse of `days_from_civil` (H. Hinnant): days since 1970-01-01 → (year, month, day).
pub fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// A random (version 4) UUID, for idFlux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uuid([u8; 16]);

impl Uuid {
    pub fn new_v4() -> Uuid {
        let mut b = [0u8; 16];
        if getrandom::fill(&mut b).is_err() {
            // No random source (never seen in practice): a process-wide counter mixed with a stack
            // address still keeps identifiers distinct within a session. (SystemTime would panic in
            // the browser build.)
            use std::sync::atomic::{AtomicU64, Ordering};
            static COUNTER: AtomicU64 = AtomicU64::new(0x9E37_79B9_7F4A_7C15);
            let n = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
            let here = &b as *const _ as u64;
            b[..8].copy_from_slice(&n.to_le_bytes());
            b[8..].copy_from_slice(&(here ^ n.rotate_left(17)).to_le_bytes());
        }
        Uuid::from_random_bytes(b)
    }

    pub fn from_random_bytes(mut b: [u8; 16]) -> Uuid {
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        Uuid(b)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn horodatage_has_an_offset_never_z() {
        // 2024-06-01 08:00:00 UTC in Paris (summer, +02:00).
        let now = LocalNow::from_unix(1_717_228_800, 120);
        assert_eq!(now.horodatage(), "2024-06-01T10:00:00+02:00");
        assert_eq!(now.compact(), "20240601-100000");
        let winter = LocalNow::from_unix(1_704_067_200, 60);
        assert_eq!(winter.horodatage(), "2024-01-01T01:00:00+01:00");
        let utc = LocalNow::from_unix(0, 0);
        assert_eq!(utc.horodatage(), "1970-01-01T00:00:00+00:00");
        let west = LocalNow::from_unix(0, -210);
        assert_eq!(west.horodatage(), "1969-12-31T20:30:00-03:30");
    }

    #[test]
    fn civil_round_trip() {
        use crate::xsd::builtin::days_from_civil;
        for days in [-1_000_000, -1, 0, 1, 59, 60, 11_016, 19_800, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y as i64, m, d), days);
        }
    }

    #[test]
    fn uuid_v4_shape() {
        let u = Uuid::from_random_bytes([0xff; 16]).to_string();
        assert_eq!(u, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let a = Uuid::new_v4().to_string();
        let b = Uuid::new_v4().to_string();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}
