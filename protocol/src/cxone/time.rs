//! CXone timestamps: parsed tolerantly, re-emitted exactly as received.
//!
//! The back end and the SDKs use several ISO-8601 spellings (PROTOCOL.md §2.7): `…:35+01:00`,
//! `…:35.450+01:00`, `…:50+0000`, `…:51.462Z`, and Android's `….654z` with a lowercase `z`.
//! A [`Timestamp`] accepts all of them, keeps the original text (so a decoded frame re-encodes
//! to the same string) and exposes the instant as Unix milliseconds for ordering.

use std::cmp::Ordering;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant as written by CXone, with its original spelling preserved.
#[derive(Clone)]
pub struct Timestamp {
    raw: String,
    unix_ms: i64,
}

/// Why a timestamp could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid timestamp {text:?}: {reason} (expected ISO-8601 like 2022-08-04T19:27:35+01:00)")]
pub struct TimestampError {
    text: String,
    reason: &'static str,
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|z|±HH:MM|±HHMM)`.
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        let err = |reason| TimestampError {
            text: text.to_owned(),
            reason,
        };
        let b = text.as_bytes();
        if b.len() < 19 {
            return Err(err("too short"));
        }
        // Fields are read as bytes, never by slicing `text`: a multi-byte character where a
        // digit belongs would put a range off a char boundary, and slicing there panics.
        let num = |range: std::ops::Range<usize>| -> Result<i64, TimestampError> {
            let digits = &b[range];
            if !digits.iter().all(u8::is_ascii_digit) {
                return Err(err("expected digits"));
            }
            Ok(digits
                .iter()
                .fold(0i64, |n, d| n * 10 + i64::from(d - b'0')))
        };
        if b[4] != b'-'
            || b[7] != b'-'
            || (b[10] != b'T' && b[10] != b't')
            || b[13] != b':'
            || b[16] != b':'
        {
            return Err(err("expected YYYY-MM-DDTHH:MM:SS"));
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return Err(err("date out of range"));
        }
        // 60 is a leap second; it is folded into the next minute like most parsers do.
        if hour > 23 || minute > 59 || second > 60 {
            return Err(err("time out of range"));
        }
        let mut i = 19;
        let mut millis = 0i64;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == start {
                return Err(err("empty fraction"));
            }
            // Only milliseconds matter for ordering; finer digits are kept in `raw` only.
            let frac = &text[start..i.min(start + 3)];
            millis = frac.parse::<i64>().expect("digits") * 10i64.pow(3 - frac.len() as u32);
        }
        let offset_min = match &b[i..] {
            [b'Z'] | [b'z'] => 0,
            [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2]
            | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
                let digits = [*h1, *h2, *m1, *m2];
                if !digits.iter().all(u8::is_ascii_digit) {
                    return Err(err("bad zone offset"));
                }
                let h = i64::from(h1 - b'0') * 10 + i64::from(h2 - b'0');
                let m = i64::from(m1 - b'0') * 10 + i64::from(m2 - b'0');
                if h > 23 || m > 59 {
                    return Err(err("zone offset out of range"));
                }
                let total = h * 60 + m;
                if *sign == b'-' { -total } else { total }
            }
            [] => return Err(err("missing zone (Z or ±HH:MM)")),
            _ => return Err(err("bad zone")),
        };
        let days = days_from_civil(year, month, day);
        let secs = days * 86_400 + hour * 3600 + minute * 60 + second - offset_min * 60;
        Ok(Self {
            raw: text.to_owned(),
            unix_ms: secs * 1000 + millis,
        })
    }

    /// The instant formatted the way the back end writes `createdAt`: whole seconds, `+00:00`.
    /// (iOS rejects fractional seconds in `createdAt`.)
    pub fn from_unix_ms_seconds(unix_ms: i64) -> Self {
        let (date, time, _) = civil_parts(unix_ms);
        Self {
            raw: format!("{date}T{time}+00:00"),
            unix_ms: unix_ms.div_euclid(1000) * 1000,
        }
    }

    /// The instant formatted like `createdAtWithMilliseconds`: `…:35.450+00:00`.
    pub fn from_unix_ms_millis(unix_ms: i64) -> Self {
        let (date, time, ms) = civil_parts(unix_ms);
        Self {
            raw: format!("{date}T{time}.{ms:03}+00:00"),
            unix_ms,
        }
    }

    /// The instant formatted like the SDKs' own client timestamps: `…:35.450Z`.
    pub fn from_unix_ms_utc(unix_ms: i64) -> Self {
        let (date, time, ms) = civil_parts(unix_ms);
        Self {
            raw: format!("{date}T{time}.{ms:03}Z"),
            unix_ms,
        }
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_ms(&self) -> i64 {
        self.unix_ms
    }

    /// The text exactly as received (or as formatted).
    pub fn as_str(&self) -> &str {
        &self.raw
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `("YYYY-MM-DD", "HH:MM:SS", millis)` of a Unix instant in UTC.
fn civil_parts(unix_ms: i64) -> (String, String, i64) {
    let secs = unix_ms.div_euclid(1000);
    let ms = unix_ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", sod / 3600, sod % 3600 / 60, sod % 60),
        ms,
    )
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl Eq for Timestamp {}

impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
/// Ordered by instant; equal instants with different spellings are ordered by text so that
/// the order stays consistent with `Eq`.
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        self.unix_ms
            .cmp(&other.unix_ms)
            .then_with(|| self.raw.cmp(&other.raw))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Timestamp({})", self.raw)
    }
}
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.raw)
    }
}
impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Timestamp::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_seen_in_the_wild_parses_to_the_same_instant() {
        let a = Timestamp::parse("2022-08-04T19:27:35+01:00").unwrap();
        let b = Timestamp::parse("2022-08-04T18:27:35Z").unwrap();
        let c = Timestamp::parse("2022-08-04T18:27:35.000z").unwrap();
        let d = Timestamp::parse("2022-08-04T19:27:35+0100").unwrap();
        assert_eq!(a.unix_ms(), 1_659_637_655_000);
        assert_eq!([b.unix_ms(), c.unix_ms(), d.unix_ms()], [a.unix_ms(); 3]);
        let e = Timestamp::parse("2022-08-04T19:27:35.450123+01:00").unwrap();
        assert_eq!(e.unix_ms(), a.unix_ms() + 450);
        assert_eq!(e.as_str(), "2022-08-04T19:27:35.450123+01:00");
    }

    #[test]
    fn malformed_timestamps_are_rejected_with_the_reason() {
        for bad in [
            "String",
            "2022-08-04",
            "2022-13-01T00:00:00Z",
            "2022-02-30T00:00:00Z",
            "2022-08-04T19:27:35",
            "2022-08-04T19:27:35+1",
            "2022-08-04T19:27:35.Z",
            "2022-08-04 19:27:35Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} should be rejected");
        }
        let e = Timestamp::parse("2022-08-04T19:27:35")
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing zone"), "{e}");
    }

    #[test]
    fn formatting_round_trips_through_parsing() {
        for ms in [0, 1_659_637_655_450, 951_782_400_999, -86_400_000 + 1] {
            let t = Timestamp::from_unix_ms_millis(ms);
            assert_eq!(Timestamp::parse(t.as_str()).unwrap().unix_ms(), ms, "{t}");
            let s = Timestamp::from_unix_ms_seconds(ms);
            assert!(
                !s.as_str().contains('.'),
                "createdAt must not carry a fraction: {s}"
            );
            assert_eq!(
                Timestamp::parse(s.as_str()).unwrap().unix_ms(),
                ms.div_euclid(1000) * 1000
            );
            assert!(Timestamp::from_unix_ms_utc(ms).as_str().ends_with('Z'));
        }
        assert_eq!(
            Timestamp::from_unix_ms_millis(1_659_637_655_450).as_str(),
            "2022-08-04T18:27:35.450+00:00"
        );
        assert_eq!(
            Timestamp::from_unix_ms_seconds(951_782_400_999).as_str(),
            "2000-02-29T00:00:00+00:00"
        );
    }

    #[test]
    fn a_multi_byte_character_where_a_digit_belongs_is_an_error_not_a_panic() {
        // Found by the fuzzer: slicing the text at fixed offsets split a character.
        for text in [
            "202é-08-04T19:27:35Z",
            "2022-0é-04T19:27:35Z",
            "2022-08-04T19:2é:35Z",
            "2022-08-04T19:27:3é+01:00",
            "ééééééééééé",
            "2022-08-04T19:27:35.45é+01:00",
            "2022-08-04T19:27:35+0é:00",
        ] {
            let error = Timestamp::parse(text).expect_err(text);
            assert!(error.to_string().contains("invalid timestamp"), "{error}");
        }
    }
}
