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

/// `date` plus `months` months, the day kept or, where the month is shorter, its last day (31
/// January plus one month is 28 or 29 February): what jiff's `checked_add` of a span of months
/// gives, without building a span (a report does this for every closed case). `None` out of
/// jiff's range of years.
pub(crate) fn months_later(date: Date, months: i8) -> Option<Date> {
    let total = i32::from(date.year()) * 12 + i32::from(date.month()) - 1 + i32::from(months);
    let year = i16::try_from(total.div_euclid(12)).ok()?;
    let month = i8::try_from(total.rem_euclid(12) + 1).ok()?;
    let first = Date::new(year, month, 1).ok()?;
    Date::new(year, month, date.day().min(first.days_in_month())).ok()
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

    #[test]
    fn months_later_is_jiffs_addition_of_months() {
        let mut day = date(2019, 1, 1);
        while day <= date(2025, 12, 31) {
            for months in [-12i8, -1, 1, 3, 6, 11, 12, 25] {
                let expected = day.checked_add(jiff::Span::new().months(months)).ok();
                assert_eq!(
                    months_later(day, months),
                    expected,
                    "{day} + {months} months"
                );
            }
            day = day.tomorrow().expect("in range");
        }
        assert_eq!(months_later(date(2024, 1, 31), 1), Some(date(2024, 2, 29)));
        assert_eq!(months_later(date(9999, 12, 1), 1), None);
        assert_eq!(
            months_later(date(9999, 12, 1), 1),
            date(9999, 12, 1)
                .checked_add(jiff::Span::new().months(1))
                .ok()
        );
    }
}
