//! [`PersonalNumber`]: a personnummer or samordningsnummer parsed into its canonical 12-digit
//! form, with the century rule for 10-digit input and the Luhn check digit.

use std::fmt;

use jiff::civil::Date;

use super::problem::IdentifierProblem;
use crate::error::Result;

/// Earliest accepted birth year; the register has no numbers for earlier births.
const MIN_BIRTH_YEAR: i16 = 1800;
/// Samordningsnummer add this to the day of birth.
const SAMORDNING_DAY_OFFSET: u8 = 60;

/// A Swedish personnummer or samordningsnummer, validated and stored as `YYYYMMDDNNNC`.
///
/// Built only by [`PersonalNumber::parse`], so every value has a real birth date, a matching
/// Luhn check digit and a birth date no later than the reference date it was parsed against.
/// `Debug` prints `PersonalNumber(<redacted>)`; there is no `Display`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonalNumber {
    /// ASCII digits of the canonical form; samordningsnummer keep their day + 60.
    digits: [u8; 12],
    birth_date: Date,
}

/// Which kind of number a [`PersonalNumber`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    /// A personnummer, issued on registration in the population register.
    Personnummer,
    /// A samordningsnummer (coordination number): the day of birth plus 60.
    Samordningsnummer,
}

/// Legal sex as encoded in the number (odd 9th digit of the 10-digit form: male, even: female).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LegalSex {
    /// Odd 9th digit.
    Male,
    /// Even 9th digit.
    Female,
}

/// How the separator was written in 10-digit input.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Separator {
    /// `-` or none: the person is younger than 100 at the reference date.
    Minus,
    /// `+`: the person turns 100 in or before the reference date's year.
    Plus,
}

impl PersonalNumber {
    /// Parses a personnummer or samordningsnummer.
    ///
    /// Accepted shapes (surrounding whitespace is ignored): `YYMMDDNNNC`, `YYMMDD-NNNC`,
    /// `YYMMDD+NNNC`, `YYYYMMDDNNNC` and `YYYYMMDD-NNNC`.
    ///
    /// Ten-digit input gets its century from `reference_date` (normally today):
    ///
    /// - with `-` or no separator, the most recent year that puts the birth date on or before
    ///   the reference date, so the person is under 100 at the reference date;
    /// - with `+`, the most recent year at least 100 years before the reference date's year.
    ///   Skatteverket switches `-` to `+` from the start of the year of the 100th birthday, so a
    ///   person who turns 100 later in the reference year is already written with `+`.
    ///
    /// A day of 61 to 91 marks a samordningsnummer; its birth date is the day minus 60.
    ///
    /// # Errors
    ///
    /// An [`Error`](crate::Error) of kind [`InvalidIdentifier`](crate::ErrorKind::InvalidIdentifier),
    /// whose message says which rule was broken:
    ///
    /// - empty if the input is empty or only whitespace;
    /// - wrong format if it is not one of the shapes above;
    /// - `+` with twelve digits for `YYYYMMDD+NNNC`;
    /// - invalid date if month and day are not a real date in the derived
    ///   year (29 February only in leap years) or the year is before 1800;
    /// - check digit mismatch if the Luhn check digit is wrong;
    /// - birth number 000 if the three digits before the check digit are `000` (never issued);
    /// - future birth date if the birth date is after `reference_date`.
    pub fn parse(input: &str, reference_date: Date) -> Result<PersonalNumber> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(IdentifierProblem::Empty.into());
        }
        let (century, ten, separator) = split_shape(trimmed.as_bytes())?;

        let month = two_digits(ten[2], ten[3]);
        let written_day = two_digits(ten[4], ten[5]);
        let day = if (61..=91).contains(&written_day) {
            written_day - SAMORDNING_DAY_OFFSET
        } else {
            written_day
        };
        let year = match century {
            Some(century) => i16::from(century) * 100 + i16::from(two_digits(ten[0], ten[1])),
            None => ten_digit_year(
                two_digits(ten[0], ten[1]),
                month,
                day,
                separator,
                reference_date,
            ),
        };
        if year < MIN_BIRTH_YEAR {
            return Err(IdentifierProblem::InvalidDate.into());
        }
        let birth_date =
            Date::new(year, month as i8, day as i8).map_err(|_| IdentifierProblem::InvalidDate)?;

        let mut nine = [0u8; 9];
        nine.copy_from_slice(&ten[..9]);
        if luhn_check_digit(&nine) != ten[9] {
            return Err(IdentifierProblem::ChecksumMismatch.into());
        }
        // Skatteverket never issues birth number 000 (the public personnummer test suite lists
        // such numbers as invalid), so one is a typing error or a made-up number.
        if ten[6..9] == [0, 0, 0] {
            return Err(IdentifierProblem::BirthNumberZero.into());
        }
        if birth_date > reference_date {
            return Err(IdentifierProblem::FutureBirthDate.into());
        }

        // 1800 <= year <= reference year (at most 9999), so the century is two digits.
        let full_century = (year / 100) as u8;
        let mut digits = [0u8; 12];
        digits[0] = b'0' + full_century / 10;
        digits[1] = b'0' + full_century % 10;
        for (slot, value) in digits[2..].iter_mut().zip(ten) {
            *slot = b'0' + value;
        }
        Ok(PersonalNumber { digits, birth_date })
    }

    /// The canonical 12-digit form `YYYYMMDDNNNC`, without separator.
    ///
    /// A samordningsnummer keeps its day + 60 here.
    pub fn canonical(&self) -> &str {
        std::str::from_utf8(&self.digits).expect("canonical form holds only ASCII digits")
    }

    /// Whether this is a personnummer or a samordningsnummer.
    pub fn kind(&self) -> IdentifierKind {
        if self.digits[6] >= b'6' {
            IdentifierKind::Samordningsnummer
        } else {
            IdentifierKind::Personnummer
        }
    }

    /// The date of birth (for a samordningsnummer, the day with 60 removed).
    pub fn birth_date(&self) -> Date {
        self.birth_date
    }

    /// The legal sex encoded by the 9th digit of the 10-digit form.
    pub fn legal_sex(&self) -> LegalSex {
        if (self.digits[10] - b'0') % 2 == 1 {
            LegalSex::Male
        } else {
            LegalSex::Female
        }
    }
}

impl fmt::Debug for PersonalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PersonalNumber(<redacted>)")
    }
}

/// Splits trimmed input into (explicit century, the ten digits `YYMMDDNNNC` as values, separator).
fn split_shape(bytes: &[u8]) -> Result<(Option<u8>, [u8; 10], Separator)> {
    let (century_digits, rest, separator_index) = match bytes.len() {
        10 => (None, bytes, None),
        11 => (None, bytes, Some(6)),
        12 => (Some(&bytes[..2]), &bytes[2..], None),
        13 => (Some(&bytes[..2]), &bytes[2..], Some(6)),
        _ => return Err(IdentifierProblem::WrongFormat.into()),
    };
    let separator = match separator_index.map(|index| rest[index]) {
        None | Some(b'-') => Separator::Minus,
        Some(b'+') => Separator::Plus,
        Some(_) => return Err(IdentifierProblem::WrongFormat.into()),
    };
    let mut ten = [0u8; 10];
    let mut filled = 0;
    for (index, &byte) in rest.iter().enumerate() {
        if Some(index) == separator_index {
            continue;
        }
        if !byte.is_ascii_digit() {
            return Err(IdentifierProblem::WrongFormat.into());
        }
        ten[filled] = byte - b'0';
        filled += 1;
    }
    let century = match century_digits {
        Some(pair) if pair.iter().all(u8::is_ascii_digit) => {
            Some(two_digits(pair[0] - b'0', pair[1] - b'0'))
        }
        Some(_) => return Err(IdentifierProblem::WrongFormat.into()),
        None => None,
    };
    if century.is_some() && separator == Separator::Plus {
        return Err(IdentifierProblem::PlusWithTwelveDigits.into());
    }
    Ok((century, ten, separator))
}

/// The full birth year for 10-digit input (see [`PersonalNumber::parse`] for the rule).
fn ten_digit_year(yy: u8, month: u8, day: u8, separator: Separator, reference: Date) -> i16 {
    let reference_year = reference.year();
    // Latest year not after the reference year that ends in `yy`.
    let latest = reference_year - (reference_year - i16::from(yy)).rem_euclid(100);
    match separator {
        Separator::Minus => {
            let birthday_later_this_year = latest == reference_year
                && (month, day) > (reference.month() as u8, reference.day() as u8);
            if birthday_later_this_year {
                latest - 100
            } else {
                latest
            }
        }
        Separator::Plus => latest - 100,
    }
}

/// Luhn check digit of `YYMMDDNNN` (weights 2, 1, 2, …; digits of products summed).
pub(super) fn luhn_check_digit(nine: &[u8; 9]) -> u8 {
    let sum: u32 = nine
        .iter()
        .enumerate()
        .map(|(index, &digit)| {
            let product = if index % 2 == 0 { digit * 2 } else { digit };
            u32::from(product / 10 + product % 10)
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

pub(super) fn two_digits(tens: u8, ones: u8) -> u8 {
    tens * 10 + ones
}

pub(super) fn copy_digit_values(into: &mut [u8], ascii: &[u8]) {
    for (slot, byte) in into.iter_mut().zip(ascii) {
        *slot = byte - b'0';
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;
    use crate::error::Error;
    use crate::identifier::PseudonymKey;
    use crate::identifier::problem::IdentifierProblem;
    use crate::identifier::test_support::{
        TODAY, format_number, parse, parse_ok, with_check_digit,
    };

    #[test]
    fn doc_example_shapes_agree() {
        let spellings = [
            "811218-9876",
            "8112189876",
            "19811218-9876",
            "198112189876",
            "  811218-9876\n",
            "\t198112189876 ",
        ];
        for spelling in spellings {
            let number = parse_ok(spelling, TODAY);
            assert_eq!(number.canonical(), "198112189876");
            assert_eq!(number.birth_date(), date(1981, 12, 18));
            assert_eq!(number.kind(), IdentifierKind::Personnummer);
            assert_eq!(number.legal_sex(), LegalSex::Male);
            assert_eq!(number, parse_ok("811218-9876", TODAY));
        }
    }

    #[test]
    fn female_number() {
        let number = parse_ok("811218-9884", TODAY);
        assert_eq!(number.legal_sex(), LegalSex::Female);
    }

    #[test]
    fn samordningsnummer() {
        let number = parse_ok("701063-2391", TODAY);
        assert_eq!(number.kind(), IdentifierKind::Samordningsnummer);
        assert_eq!(number.canonical(), "197010632391");
        assert_eq!(number.birth_date(), date(1970, 10, 3));
        assert_eq!(number.legal_sex(), LegalSex::Male);
        assert_eq!(number, parse_ok("19701063-2391", TODAY));
        // 29 February 2004 as a samordningsnummer (day 89).
        let leap = parse_ok("040289-1238", TODAY);
        assert_eq!(leap.birth_date(), date(2004, 2, 29));
        assert_eq!(leap.kind(), IdentifierKind::Samordningsnummer);
    }

    #[test]
    fn checksum_mismatch() {
        assert_eq!(
            parse("811218-9875"),
            Err(Error::from(IdentifierProblem::ChecksumMismatch))
        );
        assert_eq!(
            parse("198112189877"),
            Err(Error::from(IdentifierProblem::ChecksumMismatch))
        );
        assert_eq!(
            parse("701063-2390"),
            Err(Error::from(IdentifierProblem::ChecksumMismatch))
        );
    }

    #[test]
    fn invalid_dates() {
        // 29 February: 2000 was a leap year, 2001 and 1900 were not.
        assert_eq!(
            parse_ok("000229-1235", TODAY).birth_date(),
            date(2000, 2, 29)
        );
        assert_eq!(
            parse("010229-1234"),
            Err(Error::from(IdentifierProblem::InvalidDate))
        );
        assert_eq!(
            parse("000229+1235"),
            Err(Error::from(IdentifierProblem::InvalidDate))
        );
        assert_eq!(
            parse("19000229-1235"),
            Err(Error::from(IdentifierProblem::InvalidDate))
        );
        assert_eq!(
            parse("20000229-1235").map(|n| n.birth_date()),
            Ok(date(2000, 2, 29))
        );
        for bad in [
            "811318-9876", // month 13
            "810018-9876", // month 0
            "811200-9876", // day 0
            "811232-9876", // day 32
            "811260-9876", // day 60
            "811292-9876", // day 92
            "810431-9876", // 31 April
            "17991218-9876",
        ] {
            assert_eq!(
                parse(bad),
                Err(Error::from(IdentifierProblem::InvalidDate)),
                "{bad}"
            );
        }
    }

    #[test]
    fn wrong_format_and_empty() {
        assert_eq!(parse(""), Err(Error::from(IdentifierProblem::Empty)));
        assert_eq!(parse(" \t\n "), Err(Error::from(IdentifierProblem::Empty)));
        for bad in [
            "abc",
            "81121-89876",
            "811218/9876",
            "811218–9876", // en dash
            "811218 9876",
            "811218-98760",
            "81121898760",
            "1981121898760",
            "1981121-89876",
            "19811218 9876",
            "8112189876 1",
            "x811218-9876",
            "811218-987a",
            "1a811218-9876",
            "٨١١٢١٨-٩٨٧٦",
        ] {
            assert_eq!(
                parse(bad),
                Err(Error::from(IdentifierProblem::WrongFormat)),
                "{bad}"
            );
        }
        assert_eq!(
            parse("19811218+9876"),
            Err(Error::from(IdentifierProblem::PlusWithTwelveDigits))
        );
    }

    #[test]
    fn future_birth_date() {
        let future = format!("20{}", with_check_digit("300101123"));
        assert_eq!(
            parse(&future),
            Err(Error::from(IdentifierProblem::FutureBirthDate))
        );
        // The day after the reference date is already in the future.
        let tomorrow = format!("20{}", with_check_digit("260602123"));
        assert_eq!(
            parse(&tomorrow),
            Err(Error::from(IdentifierProblem::FutureBirthDate))
        );
        let today = format!("20{}", with_check_digit("260601123"));
        assert_eq!(parse_ok(&today, TODAY).birth_date(), TODAY);
    }

    #[test]
    fn century_from_reference_date() {
        // Birthday already passed this year: this century.
        assert_eq!(
            parse_ok("260101-1238", TODAY).birth_date(),
            date(2026, 1, 1)
        );
        // Birthday later this year: must be a 99-year-old, not an unborn child.
        assert_eq!(
            parse_ok("261224-1238", TODAY).birth_date(),
            date(1926, 12, 24)
        );
        // Year after the reference year.
        assert_eq!(
            parse_ok("271231-1238", TODAY).birth_date(),
            date(1927, 12, 31)
        );
        assert_eq!(
            parse_ok("300101-1232", TODAY).birth_date(),
            date(1930, 1, 1)
        );
        assert_eq!(
            parse_ok("120101-1234", TODAY).birth_date(),
            date(2012, 1, 1)
        );
    }

    #[test]
    fn century_with_plus() {
        assert_eq!(
            parse_ok("811218+9876", TODAY).birth_date(),
            date(1881, 12, 18)
        );
        assert_eq!(
            parse_ok("120101+1234", TODAY).birth_date(),
            date(1912, 1, 1)
        );
        assert_eq!(
            parse_ok("271231+1238", TODAY).birth_date(),
            date(1827, 12, 31)
        );
        // The '+' applies from the start of the year of the 100th birthday (Skatteverket),
        // so someone turning 100 in December of the reference year is already '+'.
        assert_eq!(
            parse_ok("261224+1238", TODAY).birth_date(),
            date(1926, 12, 24)
        );
        assert_eq!(
            parse_ok("260101+1238", TODAY).birth_date(),
            date(1926, 1, 1)
        );
    }

    #[test]
    fn around_a_hundredth_birthday() {
        // Born 1926-06-01; the 10-digit number is 260601-1233.
        let born = date(1926, 6, 1);
        let day_before = date(2026, 5, 31);
        let birthday = date(2026, 6, 1);
        let day_after = date(2026, 6, 2);
        // With '+' it is the centenarian at, before and after the birthday.
        for reference in [day_before, birthday, day_after] {
            assert_eq!(parse_ok("260601+1233", reference).birth_date(), born);
        }
        // With '-' it is the 99-year-old the day before, a newborn from the birthday on.
        assert_eq!(parse_ok("260601-1233", day_before).birth_date(), born);
        assert_eq!(parse_ok("260601-1233", birthday).birth_date(), birthday);
        assert_eq!(parse_ok("260601-1233", day_after).birth_date(), birthday);
        // Late in the year before, '+' means the century before.
        assert_eq!(
            parse_ok("260601+1233", date(2025, 12, 31)).birth_date(),
            date(1826, 6, 1)
        );
        // Twelve digits need no reference century.
        assert_eq!(parse_ok("192606011233", day_before).birth_date(), born);
    }

    #[test]
    fn debug_is_redacted() {
        let number = parse_ok("811218-9876", TODAY);
        assert_eq!(format!("{number:?}"), "PersonalNumber(<redacted>)");
        assert_eq!(format!("{number:#?}"), "PersonalNumber(<redacted>)");
        let key = PseudonymKey::new("k1", b"SECRETSECRETSECRETSECRETSECRETSECRET")
            .expect("test key is valid");
        let shown = format!("{key:?}");
        assert!(shown.contains("k1"));
        assert!(!shown.contains("SECRET"), "{shown}");
    }

    /// Cases of the public personnummer test list (github.com/personnummer/meta, `testdata/list.json`)
    /// that this parser relies on, with the reference date 2026-06-01: valid ones in 10 and 12
    /// digits, wrong check digits, impossible dates, birth number 000, samordningsnummer (day + 60)
    /// and `+` for people over 100.
    #[test]
    fn the_public_test_list_cases() {
        let valid = [
            ("198507099805", "198507099805", IdentifierKind::Personnummer),
            ("850709-9805", "198507099805", IdentifierKind::Personnummer),
            ("198507099813", "198507099813", IdentifierKind::Personnummer),
            ("8507099813", "198507099813", IdentifierKind::Personnummer),
            (
                "198507699802",
                "198507699802",
                IdentifierKind::Samordningsnummer,
            ),
            (
                "850769-9802",
                "198507699802",
                IdentifierKind::Samordningsnummer,
            ),
            (
                "198507699810",
                "198507699810",
                IdentifierKind::Samordningsnummer,
            ),
            ("000101+1238", "190001011238", IdentifierKind::Personnummer),
            (
                "19000101-1238",
                "190001011238",
                IdentifierKind::Personnummer,
            ),
        ];
        for (input, canonical, kind) in valid {
            let number = parse_ok(input, TODAY);
            assert_eq!(number.canonical(), canonical, "{input}");
            assert_eq!(number.kind(), kind, "{input}");
        }
        let invalid = [
            ("198507099804", IdentifierProblem::ChecksumMismatch),
            ("850709-9804", IdentifierProblem::ChecksumMismatch),
            ("198507699803", IdentifierProblem::ChecksumMismatch),
            ("198513099805", IdentifierProblem::InvalidDate),
            ("198502309805", IdentifierProblem::InvalidDate),
            ("198507329805", IdentifierProblem::InvalidDate),
            ("198507929805", IdentifierProblem::InvalidDate),
            ("201509160006", IdentifierProblem::BirthNumberZero),
            ("150916-0006", IdentifierProblem::BirthNumberZero),
            ("20150976-0003", IdentifierProblem::BirthNumberZero),
            ("19000101+1238", IdentifierProblem::PlusWithTwelveDigits),
        ];
        for (input, problem) in invalid {
            assert_eq!(parse(input), Err(Error::from(problem)), "{input}");
        }
    }

    #[test]
    fn birth_number_000_is_refused() {
        // Issue 14: accepted and pseudonymised before; a valid Luhn digit does not save it.
        assert_eq!(
            parse("201509160006"),
            Err(Error::from(IdentifierProblem::BirthNumberZero))
        );
        assert_eq!(parse_ok("201509160014", TODAY).canonical(), "201509160014");
    }

    proptest! {
        #[test]
        fn ten_and_twelve_digits_agree(
            year in 1927u16..=2026,
            month in 1u8..=12,
            day in 1u8..=28,
            // Birth number 000 is never issued (see `birth_number_000_is_refused`).
            serial in 1u16..1000,
            samordning in any::<bool>(),
        ) {
            prop_assume!(date(year as i16, month as i8, day as i8) <= TODAY);
            let short = PersonalNumber::parse(
                &format_number(year, month, day, serial, samordning, 1),
                TODAY,
            );
            let long = PersonalNumber::parse(
                &format_number(year, month, day, serial, samordning, 5),
                TODAY,
            );
            let short = short.expect("generated number is valid");
            prop_assert_eq!(&Ok(short.clone()), &long);
            prop_assert_eq!(short.birth_date(), date(year as i16, month as i8, day as i8));
            prop_assert_eq!(
                short.kind() == IdentifierKind::Samordningsnummer,
                samordning
            );
        }
    }
}
