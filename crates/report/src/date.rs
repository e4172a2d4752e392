//! Calendar dates as day numbers, and the legal publication deadlines.
//!
//! Only proleptic Gregorian dates and day arithmetic are needed (days late, half-month bins),
//! so this is Howard Hinnant's civil-date algorithm rather than a date-time dependency.

/// A calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    /// Year.
    pub y: i32,
    /// Month 1-12.
    pub m: u32,
    /// Day 1-31.
    pub d: u32,
}

impl Date {
    /// Parse `YYYY-MM-DD`, also as the start of an RFC 3339 timestamp. `None` for anything
    /// else or for an impossible date.
    pub fn parse(s: &str) -> Option<Date> {
        let s = s.trim();
        let b = s.as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if b.len() > 10 && !matches!(b[10], b'T' | b't' | b' ') {
            return None;
        }
        let y: i32 = s.get(0..4)?.parse().ok()?;
        let m: u32 = s.get(5..7)?.parse().ok()?;
        let d: u32 = s.get(8..10)?.parse().ok()?;
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        Some(Date { y, m, d })
    }

    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
        Date { y, m, d }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The legal deadline for the report on `year` by an agency of `kind` (`government` or
/// `department`): under the regulation of 2019 (政府信息公开条例 art. 49) departments publish
/// by 31 January and governments by 31 March of the next year; under the 2008 regulation
/// (art. 31, reports on 2018 and before) every agency had until 31 March. `None` for another
/// or unknown kind.
pub fn deadline(year: i32, kind: &str) -> Option<Date> {
    let next = year.checked_add(1)?;
    match kind {
        "department" if year >= 2019 => Some(Date {
            y: next,
            m: 1,
            d: 31,
        }),
        "department" | "government" => Some(Date {
            y: next,
            m: 3,
            d: 31,
        }),
        _ => None,
    }
}

/// Now, as an RFC 3339 UTC timestamp to the second.
pub fn now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        Date::from_days(days),
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_known_values() {
        assert_eq!(Date::parse("1970-01-01").map(Date::days), Some(0));
        assert_eq!(Date::parse("2000-03-01").map(Date::days), Some(11_017));
        assert_eq!(Date::parse("2024-02-29").map(Date::days), Some(19_782));
        for n in [-800_000, -1, 0, 59, 60, 11_016, 19_782, 2_932_896] {
            assert_eq!(Date::from_days(n).days(), n);
        }
        let a = Date::parse("2024-01-31").expect("date");
        let b = Date::parse("2024-03-31").expect("date");
        assert_eq!(b.days() - a.days(), 60, "2024 is a leap year");
    }

    #[test]
    fn parse_accepts_dates_and_timestamps_only() {
        assert_eq!(
            Date::parse("2024-03-08T10:00:00Z"),
            Some(Date {
                y: 2024,
                m: 3,
                d: 8
            })
        );
        for bad in [
            "",
            "2024-3-8",
            "2023-02-29",
            "2024-13-01",
            "20240308",
            "2024-03-08x",
            "日期",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn deadlines_follow_the_regulations() {
        assert_eq!(
            deadline(2023, "department").map(|d| d.to_string()),
            Some("2024-01-31".into())
        );
        assert_eq!(
            deadline(2023, "government").map(|d| d.to_string()),
            Some("2024-03-31".into())
        );
        assert_eq!(
            deadline(2018, "department").map(|d| d.to_string()),
            Some("2019-03-31".into())
        );
        assert_eq!(deadline(2023, "other"), None);
        assert_eq!(deadline(2023, ""), None);
    }
}
