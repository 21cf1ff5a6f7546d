//! [`find_identifier_like`]: one cheap pass over free text for things that look like a personal
//! number, an e-mail address or a Swedish phone number, so they can be refused before storage.

use super::personal_number::{copy_digit_values, luhn_check_digit, two_digits};

/// What kind of identifying token [`find_identifier_like`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierHint {
    /// Something shaped like a personnummer or samordningsnummer with a valid check digit.
    PersonalNumber,
    /// Something shaped like an e-mail address.
    Email,
    /// Something shaped like a Swedish mobile number (`07…` or `+46…`).
    PhoneNumber,
}

/// Looks for something identifying in free text and says what it found first.
///
/// One left-to-right pass over the bytes, without allocation. It reports:
///
/// - [`IdentifierHint::PersonalNumber`]: 10 or 12 digits, optionally with `-`, `+` or one space
///   before the last four, not part of a longer run of digits, with a plausible month (1-12)
///   and day (1-31, or 61-91 for a samordningsnummer) and a valid Luhn check digit;
/// - [`IdentifierHint::Email`]: `local@domain.tld` with a local part of letters, digits and
///   `._%+-`, a domain of at least two labels and a top-level label of two or more letters;
/// - [`IdentifierHint::PhoneNumber`]: `07` and eight more digits, or `+46` and nine digits
///   (an extra trunk `0` after `+46` is tolerated), with spaces or `-` between digit groups.
///
/// Personal numbers and phone numbers are reported at their first digit, e-mail addresses at
/// the `@`. This is a heuristic to catch mistakes, not a guarantee: it errs towards flagging.
#[must_use]
pub fn find_identifier_like(text: &str) -> Option<IdentifierHint> {
    let bytes = text.as_bytes();
    // Every pattern needs a digit or an `@`; most free text has neither, and this check is a
    // simple loop the compiler vectorises.
    if !bytes.iter().any(|&b| b.is_ascii_digit() | (b == b'@')) {
        return None;
    }
    // Whether the run of e-mail local-part characters ending just before `i` has a letter or
    // digit; tracked as we go so that `@` never needs a backwards scan.
    let mut local_has_alnum = false;
    for (i, &byte) in bytes.iter().enumerate() {
        let after_digit = i > 0 && bytes[i - 1].is_ascii_digit();
        if byte.is_ascii_digit() && !after_digit {
            if personal_number_at(bytes, i) {
                return Some(IdentifierHint::PersonalNumber);
            }
            if mobile_number_at(bytes, i) {
                return Some(IdentifierHint::PhoneNumber);
            }
        } else if byte == b'+' && !after_digit && international_number_at(bytes, i) {
            return Some(IdentifierHint::PhoneNumber);
        } else if byte == b'@' && local_has_alnum && email_domain_at(bytes, i + 1) {
            return Some(IdentifierHint::Email);
        }
        if is_email_local_byte(byte) {
            local_has_alnum |= byte.is_ascii_alphanumeric();
        } else {
            local_has_alnum = false;
        }
    }
    None
}

/// Number of ASCII digits starting at `start`, counting at most `limit`.
fn digit_run(bytes: &[u8], start: usize, limit: usize) -> usize {
    bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take(limit)
        .take_while(|byte| byte.is_ascii_digit())
        .count()
}

/// Whether a personal-number-like token starts at `start` (which is not preceded by a digit).
fn personal_number_at(bytes: &[u8], start: usize) -> bool {
    let lead = digit_run(bytes, start, 13);
    let mut digits = [0u8; 12];
    let len = match lead {
        10 | 12 => {
            copy_digit_values(&mut digits, &bytes[start..start + lead]);
            lead
        }
        6 | 8 => {
            let separator = start + lead;
            if !matches!(bytes.get(separator), Some(b'-' | b'+' | b' ')) {
                return false;
            }
            if digit_run(bytes, separator + 1, 5) != 4 {
                return false;
            }
            copy_digit_values(&mut digits, &bytes[start..separator]);
            copy_digit_values(&mut digits[lead..], &bytes[separator + 1..separator + 5]);
            lead + 4
        }
        _ => return false,
    };
    let ten = &digits[len - 10..len];
    let month = two_digits(ten[2], ten[3]);
    let day = two_digits(ten[4], ten[5]);
    let plausible_date =
        (1..=12).contains(&month) && ((1..=31).contains(&day) || (61..=91).contains(&day));
    let mut nine = [0u8; 9];
    nine.copy_from_slice(&ten[..9]);
    plausible_date && luhn_check_digit(&nine) == ten[9]
}

/// Index just past `count` digits starting at `start`, allowing up to three spaces or `-`
/// before each digit after the first; `None` if the digits run out first.
fn grouped_digits_end(bytes: &[u8], start: usize, count: usize) -> Option<usize> {
    let mut index = start;
    for taken in 0..count {
        if taken > 0 {
            let mut separators = 0;
            while separators < 3 && matches!(bytes.get(index), Some(b' ' | b'-')) {
                index += 1;
                separators += 1;
            }
        }
        if !bytes.get(index)?.is_ascii_digit() {
            return None;
        }
        index += 1;
    }
    Some(index)
}

fn next_is_digit(bytes: &[u8], index: usize) -> bool {
    bytes.get(index).is_some_and(u8::is_ascii_digit)
}

/// `07` and eight more digits, in groups, not followed by a further digit.
fn mobile_number_at(bytes: &[u8], start: usize) -> bool {
    if bytes.get(start..start + 2) != Some(b"07".as_slice()) {
        return false;
    }
    grouped_digits_end(bytes, start, 10).is_some_and(|end| !next_is_digit(bytes, end))
}

/// `+46` and nine digits, in groups, not followed by a further digit.
fn international_number_at(bytes: &[u8], start: usize) -> bool {
    if bytes.get(start..start + 3) != Some(b"+46".as_slice()) {
        return false;
    }
    let mut index = start + 3;
    let mut separators = 0;
    while separators < 3 && matches!(bytes.get(index), Some(b' ' | b'-')) {
        index += 1;
        separators += 1;
    }
    // People often keep the trunk zero: "+46 (0)70 …" or "+46 070 …".
    if bytes.get(index..index + 3) == Some(b"(0)".as_slice()) {
        index += 3;
    } else if bytes.get(index) == Some(&b'0') {
        index += 1;
    }
    grouped_digits_end(bytes, index, 9).is_some_and(|end| !next_is_digit(bytes, end))
}

fn is_email_local_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'%' | b'+' | b'-')
}

/// Whether `domain.tld` starts at `start`: labels of letters, digits and `-` joined by dots,
/// at least two labels, the last one two or more letters. A trailing dot (end of sentence) is
/// not part of the domain.
fn email_domain_at(bytes: &[u8], start: usize) -> bool {
    let mut index = start;
    let mut labels = 0;
    loop {
        let label_start = index;
        let mut all_letters = true;
        while let Some(&byte) = bytes.get(index) {
            if byte.is_ascii_alphanumeric() || byte == b'-' {
                all_letters &= byte.is_ascii_alphabetic();
                index += 1;
            } else {
                break;
            }
        }
        let label_len = index - label_start;
        if label_len == 0 {
            return false;
        }
        labels += 1;
        let another_label = bytes.get(index) == Some(&b'.')
            && bytes.get(index + 1).is_some_and(u8::is_ascii_alphanumeric);
        if !another_label {
            return labels >= 2 && all_letters && label_len >= 2;
        }
        index += 1;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::identifier::test_support::format_number;

    #[test]
    fn scan_finds_personal_numbers() {
        for text in [
            "811218-9876",
            "Mitt personnummer är 811218-9876.",
            "pnr:8112189876",
            "född 19811218-9876 i Lund",
            "(198112189876)",
            "811218+9876",
            "811218 9876",
            "samordningsnummer 701063-2391",
            "åäö 😀 811218-9876 😀",
            "x811218-9876y",
        ] {
            assert_eq!(
                find_identifier_like(text),
                Some(IdentifierHint::PersonalNumber),
                "{text}"
            );
        }
    }

    #[test]
    fn scan_finds_emails() {
        for text in [
            "skriv till anna.svensson@example.se idag",
            "a@b.co",
            "mejl: x_y%z+tag@mail.kommun.se.",
            "Kalle-1@sub-domain.example.org",
        ] {
            assert_eq!(
                find_identifier_like(text),
                Some(IdentifierHint::Email),
                "{text}"
            );
        }
    }

    #[test]
    fn scan_finds_phone_numbers() {
        for text in [
            "070-123 45 67",
            "ring 0701234567 efter lunch",
            "tel 073 - 123 45 67",
            "+46 70 123 45 67",
            "+46701234567",
            "+46-70-123 45 67",
            "+46 (0)70 123 45 67",
            "+46 070-123 45 67",
        ] {
            assert_eq!(
                find_identifier_like(text),
                Some(IdentifierHint::PhoneNumber),
                "{text}"
            );
        }
    }

    #[test]
    fn scan_ignores_lookalikes() {
        for text in [
            "",
            "inga siffror här",
            "ordernummer 8112189875",
            "2026-11-24",
            "mötet 2026-11-24 kl 13.00",
            "20261124",
            "81121898760",
            "1811218-9876",
            "811218-98765",
            "19811218-98765",
            "811318-9876",
            "anna@localhost",
            "anna@example.c",
            "anna@example.s3",
            "@example.se",
            "...@example.se",
            "anna@.se",
            "070-123 45 6",
            "07012345678",
            "+4670123456",
            "+467012345678",
            "123 456 789",
            "belopp 1 234 567 kr",
            "åäö 😀 @ + - 0",
        ] {
            assert_eq!(find_identifier_like(text), None, "{text}");
        }
    }

    #[test]
    fn scan_reports_the_first_hit() {
        assert_eq!(
            find_identifier_like("ring 070-123 45 67 eller a@b.se"),
            Some(IdentifierHint::PhoneNumber)
        );
        assert_eq!(
            find_identifier_like("a@b.se eller 811218-9876"),
            Some(IdentifierHint::Email)
        );
        assert_eq!(
            find_identifier_like("811218-9876 och 070-123 45 67"),
            Some(IdentifierHint::PersonalNumber)
        );
    }

    const FILLER: &str = "[a-zA-ZåäöÅÄÖ .,:;!?()\n\t😀é]{0,40}";
    proptest! {
        #[test]
        fn scan_never_panics(text in any::<String>()) {
            let _ = find_identifier_like(&text);
        }

        #[test]
        fn scan_never_panics_on_dense_input(text in "[0-9 +\\-@.a-z()]{0,80}") {
            let _ = find_identifier_like(&text);
        }

        #[test]
        fn scan_finds_embedded_numbers(
            prefix in FILLER,
            suffix in FILLER,
            year in 1900u16..2026,
            month in 1u8..=12,
            day in 1u8..=28,
            serial in 0u16..1000,
            samordning in any::<bool>(),
            shape in 0u8..6,
        ) {
            let number = format_number(year, month, day, serial, samordning, shape);
            let text = format!("{prefix}{number}{suffix}");
            prop_assert_eq!(find_identifier_like(&text), Some(IdentifierHint::PersonalNumber));
        }
    }
}
