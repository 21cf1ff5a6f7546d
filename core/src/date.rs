//! Strict dates: the one rule for a date written in a document, an argument of the C ABI, the
//! command line or a query of the REST API. `YYYY-MM-DD` exactly, a real calendar date from year
//! 1: no other ISO 8601 spelling (`20261124`, `2026-11-24T00:00`), no other digits than ASCII.

use jiff::civil::Date;

/// Parses `YYYY-MM-DD` exactly (no other ISO 8601 spellings), as a real calendar date.
pub fn parse_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |range: std::ops::Range<usize>| -> Option<i32> {
        b[range].iter().try_fold(0i32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i32::from(d - b'0'))
        })
    };
    let year = i16::try_from(digits(0..4)?).ok()?;
    let month = i8::try_from(digits(5..7)?).ok()?;
    let day = i8::try_from(digits(8..10)?).ok()?;
    if year < 1 {
        return None;
    }
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn only_real_dates_written_yyyy_mm_dd() {
        assert_eq!(parse_date("2026-11-24"), Some(date(2026, 11, 24)));
        assert_eq!(parse_date("2024-02-29"), Some(date(2024, 2, 29)));
        for bad in [
            "",
            "2026-11-31",
            "2025-02-29",
            "2026-1-24",
            "20261124",
            "2026-11-24T00:00",
            "2026/11/24",
            "0000-01-01",
            "+2026-11-24",
            "२०२६-११-२४",
        ] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }
}
