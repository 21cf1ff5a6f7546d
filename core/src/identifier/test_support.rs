//! Helpers shared by the identifier modules' tests: a fixed reference date, parsing shortcuts
//! and a generator of valid numbers in every accepted shape.

use jiff::civil::Date;
use jiff::civil::date;

use super::personal_number::{copy_digit_values, luhn_check_digit};
use super::{PersonalNumber, PseudonymKey};
use crate::error::Result;

pub(super) const TODAY: Date = date(2026, 6, 1);

pub(super) fn parse(input: &str) -> Result<PersonalNumber> {
    PersonalNumber::parse(input, TODAY)
}

pub(super) fn parse_ok(input: &str, reference: Date) -> PersonalNumber {
    PersonalNumber::parse(input, reference).expect("test input is a valid number")
}

pub(super) fn key(id: &str, fill: u8) -> PseudonymKey {
    PseudonymKey::new(id, &[fill; 32]).expect("test key is valid")
}

/// Appends the Luhn check digit to nine ASCII digits.
pub(super) fn with_check_digit(nine: &str) -> String {
    let mut values = [0u8; 9];
    copy_digit_values(&mut values, nine.as_bytes());
    format!("{nine}{}", luhn_check_digit(&values))
}

/// Formats a valid number from parts in one of the six shapes the scan accepts.
pub(super) fn format_number(
    year: u16,
    month: u8,
    day: u8,
    serial: u16,
    samordning: bool,
    shape: u8,
) -> String {
    let day = if samordning { day + 60 } else { day };
    let nine = format!("{:02}{month:02}{day:02}{serial:03}", year % 100);
    let ten = with_check_digit(&nine);
    let (date_part, last_four) = ten.split_at(6);
    let century = year / 100;
    match shape {
        0 => ten,
        1 => format!("{date_part}-{last_four}"),
        2 => format!("{date_part}+{last_four}"),
        3 => format!("{date_part} {last_four}"),
        4 => format!("{century}{ten}"),
        _ => format!("{century}{date_part}-{last_four}"),
    }
}
