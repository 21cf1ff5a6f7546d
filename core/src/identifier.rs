//! Swedish personal identifiers: parsing, keyed pseudonyms and a free-text scan.
//!
//! This module owns three things:
//!
//! - [`PersonalNumber`]: a validated personnummer or samordningsnummer in the canonical
//!   12-digit form `YYYYMMDDNNNC`. Ten-digit input needs a reference date (today, passed in by
//!   the caller) to pick the century.
//! - [`pseudonymise`] and [`pseudonymise_case_number`]: stable keyed pseudonyms
//!   (HMAC-SHA256 under a [`PseudonymKey`]), so records can be linked without storing the number.
//!   Pseudonymised data are still personal data; keep the key apart from the data.
//! - [`find_identifier_like`]: a cheap scan of free text for things that look like a personal
//!   number, an e-mail address or a Swedish phone number, so they can be refused before storage.
//!
//! Nothing here echoes an identifier: errors carry no input text and `PersonalNumber`'s `Debug`
//! is redacted. There is deliberately no `Display` for `PersonalNumber`; call
//! [`PersonalNumber::canonical`] where the number really has to leave.
//!
//! # Example
//!
//! ```
//! use bistand_core::identifier::{
//!     IdentifierHint, IdentifierKind, PersonalNumber, PseudonymKey, find_identifier_like,
//!     pseudonymise,
//! };
//! use jiff::civil::date;
//!
//! let today = date(2026, 6, 1);
//! let short = PersonalNumber::parse("811218-9876", today)?;
//! let long = PersonalNumber::parse("19811218-9876", today)?;
//! assert_eq!(short, long);
//! assert_eq!(short.canonical(), "198112189876");
//! assert_eq!(short.kind(), IdentifierKind::Personnummer);
//! assert_eq!(format!("{short:?}"), "PersonalNumber(<redacted>)");
//!
//! let key = PseudonymKey::new("k2026", &[7u8; 32])?;
//! assert_eq!(pseudonymise(&key, &short), pseudonymise(&key, &long));
//! assert!(pseudonymise(&key, &short).as_str().starts_with("k2026:"));
//!
//! assert_eq!(
//!     find_identifier_like("ring mig, 070-123 45 67"),
//!     Some(IdentifierHint::PhoneNumber)
//! );
//! # Ok::<(), bistand_core::identifier::IdentifierError>(())
//! ```

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use jiff::civil::Date;
use sha2::Sha256;

/// Smallest accepted pseudonym secret, in bytes (the HMAC-SHA256 output size).
const MIN_SECRET_LEN: usize = 32;
/// Longest accepted pseudonym key id, in bytes.
const MAX_KEY_ID_LEN: usize = 32;
/// Earliest accepted birth year; the register has no numbers for earlier births.
const MIN_BIRTH_YEAR: i16 = 1800;
/// Domain separation for personal-number pseudonyms (fixed length, NUL-terminated).
const PERSONAL_NUMBER_DOMAIN: &[u8] = b"bistand-pseudonym-v1\0";
/// Domain separation for other identifiers such as case numbers.
const CASE_NUMBER_DOMAIN: &[u8] = b"bistand-case-v1\0";
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

/// Why an identifier or a pseudonym key was rejected.
///
/// Messages never contain the input, so they are safe to log and to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentifierError {
    /// The input was empty or only whitespace.
    #[error("personal number is empty")]
    Empty,
    /// The input did not have the shape of a personal number.
    #[error("expected 10 or 12 digits with an optional '-' or '+' before the last four")]
    WrongFormat,
    /// The date part is not a real calendar date (after removing 60 from a samordningsnummer day).
    #[error(
        "date part is not a valid date: expected a real month and day (day + 60 for a \
         samordningsnummer) and a birth year from 1800"
    )]
    InvalidDate,
    /// The last digit is not the Luhn check digit of the nine before it.
    #[error("check digit does not match (Luhn)")]
    ChecksumMismatch,
    /// The birth date is after the reference date.
    #[error("birth date is after the reference date")]
    FutureBirthDate,
    /// A 12-digit number used the `+` separator, which only has meaning with 10 digits.
    #[error(
        "the '+' separator is only allowed with 10 digits; use '-' or no separator with 12 digits"
    )]
    PlusWithTwelveDigits,
    /// The pseudonym secret is shorter than `min` bytes.
    #[error("pseudonym key secret is too short: expected at least {min} bytes")]
    PseudonymKeyTooShort {
        /// The minimum secret length in bytes.
        min: usize,
    },
    /// The pseudonym key id is not 1 to 32 ASCII letters, digits, `_` or `-`.
    #[error("pseudonym key id must be 1 to 32 ASCII letters, digits, '_' or '-'")]
    InvalidKeyId,
}

/// A secret for [`pseudonymise`], with a public id that prefixes every pseudonym it makes.
///
/// The id lets pseudonyms made under different keys (for example after a key rotation) be told
/// apart. `Debug` shows the id but never the secret, and the secret is overwritten with zeros
/// when the key is dropped.
pub struct PseudonymKey {
    key_id: String,
    /// Boxed slice: exact allocation, never reallocated, so no stale copies are left behind.
    secret: Box<[u8]>,
}

/// A keyed pseudonym: `"<key_id>:<64 lowercase hex digits>"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pseudonym(String);

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
    /// - [`IdentifierError::Empty`] if the input is empty or only whitespace;
    /// - [`IdentifierError::WrongFormat`] if it is not one of the shapes above;
    /// - [`IdentifierError::PlusWithTwelveDigits`] for `YYYYMMDD+NNNC`;
    /// - [`IdentifierError::InvalidDate`] if month and day are not a real date in the derived
    ///   year (29 February only in leap years) or the year is before 1800;
    /// - [`IdentifierError::ChecksumMismatch`] if the Luhn check digit is wrong;
    /// - [`IdentifierError::FutureBirthDate`] if the birth date is after `reference_date`.
    pub fn parse(input: &str, reference_date: Date) -> Result<PersonalNumber, IdentifierError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(IdentifierError::Empty);
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
            return Err(IdentifierError::InvalidDate);
        }
        let birth_date =
            Date::new(year, month as i8, day as i8).map_err(|_| IdentifierError::InvalidDate)?;

        let mut nine = [0u8; 9];
        nine.copy_from_slice(&ten[..9]);
        if luhn_check_digit(&nine) != ten[9] {
            return Err(IdentifierError::ChecksumMismatch);
        }
        if birth_date > reference_date {
            return Err(IdentifierError::FutureBirthDate);
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

impl IdentifierError {
    /// The message in Swedish, for end users. Like the English one it never contains input.
    pub fn message_sv(&self) -> String {
        match self {
            IdentifierError::Empty => "personnummer saknas".to_owned(),
            IdentifierError::WrongFormat => {
                "förväntade 10 eller 12 siffror med ett valfritt '-' eller '+' före de fyra sista"
                    .to_owned()
            }
            IdentifierError::InvalidDate => "datumdelen är inte ett giltigt datum: förväntade \
                 en verklig månad och dag (dag + 60 för samordningsnummer) och ett födelseår från \
                 1800"
                .to_owned(),
            IdentifierError::ChecksumMismatch => "kontrollsiffran stämmer inte (Luhn)".to_owned(),
            IdentifierError::FutureBirthDate => {
                "födelsedatumet ligger efter referensdatumet".to_owned()
            }
            IdentifierError::PlusWithTwelveDigits => "skiljetecknet '+' är bara tillåtet med 10 \
                 siffror; använd '-' eller inget skiljetecken med 12 siffror"
                .to_owned(),
            IdentifierError::PseudonymKeyTooShort { min } => {
                format!("pseudonymnyckelns hemlighet är för kort: minst {min} byte krävs")
            }
            IdentifierError::InvalidKeyId => "nyckel-id för pseudonymer måste vara 1 till 32 \
                 ASCII-bokstäver, siffror, '_' eller '-'"
                .to_owned(),
        }
    }
}

impl PseudonymKey {
    /// Creates a key from a public id and a secret of at least 32 bytes.
    ///
    /// The secret is copied; wiping the caller's copy is the caller's business.
    ///
    /// # Errors
    ///
    /// - [`IdentifierError::InvalidKeyId`] if `key_id` is not 1 to 32 ASCII letters, digits,
    ///   `_` or `-`;
    /// - [`IdentifierError::PseudonymKeyTooShort`] if `secret` is shorter than 32 bytes.
    pub fn new(key_id: &str, secret: &[u8]) -> Result<PseudonymKey, IdentifierError> {
        let id_ok = !key_id.is_empty()
            && key_id.len() <= MAX_KEY_ID_LEN
            && key_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !id_ok {
            return Err(IdentifierError::InvalidKeyId);
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(IdentifierError::PseudonymKeyTooShort {
                min: MIN_SECRET_LEN,
            });
        }
        Ok(PseudonymKey {
            key_id: key_id.to_owned(),
            secret: secret.into(),
        })
    }

    /// The public key id that prefixes pseudonyms made with this key.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Overwrites the secret with zeros.
    fn wipe(&mut self) {
        self.secret.fill(0);
        // Without `unsafe` there is no volatile write; black_box keeps the stores from being
        // removed as dead before the deallocation.
        std::hint::black_box(&mut self.secret);
    }
}

impl fmt::Debug for PseudonymKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PseudonymKey")
            .field("key_id", &self.key_id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

impl Drop for PseudonymKey {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl Pseudonym {
    /// The pseudonym as text, `"<key_id>:<hex>"`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The pseudonym of a personal number under `key`.
///
/// `"<key_id>:"` followed by the lowercase hex HMAC-SHA256 of `b"bistand-pseudonym-v1\0"` and
/// the canonical 12-digit form, so every spelling of the same number gives the same pseudonym,
/// and different keys give unrelated ones.
#[must_use]
pub fn pseudonymise(key: &PseudonymKey, number: &PersonalNumber) -> Pseudonym {
    keyed_pseudonym(key, PERSONAL_NUMBER_DOMAIN, &number.digits)
}

/// The pseudonym of another identifier, such as a case number, under `key`.
///
/// The identifier is normalised by trimming surrounding whitespace and uppercasing ASCII
/// letters, then hashed like [`pseudonymise`] but under the domain `b"bistand-case-v1\0"`, so
/// a case number never collides with a personal number's pseudonym. The value is not
/// validated: an empty case number still gets a pseudonym.
#[must_use]
pub fn pseudonymise_case_number(key: &PseudonymKey, case_number: &str) -> Pseudonym {
    let normalised = case_number.trim().to_ascii_uppercase();
    keyed_pseudonym(key, CASE_NUMBER_DOMAIN, normalised.as_bytes())
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

/// Splits trimmed input into (explicit century, the ten digits `YYMMDDNNNC` as values, separator).
fn split_shape(bytes: &[u8]) -> Result<(Option<u8>, [u8; 10], Separator), IdentifierError> {
    let (century_digits, rest, separator_index) = match bytes.len() {
        10 => (None, bytes, None),
        11 => (None, bytes, Some(6)),
        12 => (Some(&bytes[..2]), &bytes[2..], None),
        13 => (Some(&bytes[..2]), &bytes[2..], Some(6)),
        _ => return Err(IdentifierError::WrongFormat),
    };
    let separator = match separator_index.map(|index| rest[index]) {
        None | Some(b'-') => Separator::Minus,
        Some(b'+') => Separator::Plus,
        Some(_) => return Err(IdentifierError::WrongFormat),
    };
    let mut ten = [0u8; 10];
    let mut filled = 0;
    for (index, &byte) in rest.iter().enumerate() {
        if Some(index) == separator_index {
            continue;
        }
        if !byte.is_ascii_digit() {
            return Err(IdentifierError::WrongFormat);
        }
        ten[filled] = byte - b'0';
        filled += 1;
    }
    let century = match century_digits {
        Some(pair) if pair.iter().all(u8::is_ascii_digit) => {
            Some(two_digits(pair[0] - b'0', pair[1] - b'0'))
        }
        Some(_) => return Err(IdentifierError::WrongFormat),
        None => None,
    };
    if century.is_some() && separator == Separator::Plus {
        return Err(IdentifierError::PlusWithTwelveDigits);
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
fn luhn_check_digit(nine: &[u8; 9]) -> u8 {
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

fn two_digits(tens: u8, ones: u8) -> u8 {
    tens * 10 + ones
}

/// Appends `bytes` to `text` as lowercase hex digits.
pub(crate) fn push_lower_hex(text: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    for byte in bytes {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
}

fn keyed_pseudonym(key: &PseudonymKey, domain: &[u8], value: &[u8]) -> Pseudonym {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key.secret)
        .expect("HMAC accepts keys of any length");
    mac.update(domain);
    mac.update(value);
    let tag = mac.finalize().into_bytes();
    let mut text = String::with_capacity(key.key_id.len() + 1 + 2 * tag.len());
    text.push_str(&key.key_id);
    text.push(':');
    push_lower_hex(&mut text, &tag);
    Pseudonym(text)
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

fn copy_digit_values(into: &mut [u8], ascii: &[u8]) {
    for (slot, byte) in into.iter_mut().zip(ascii) {
        *slot = byte - b'0';
    }
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
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    const TODAY: Date = date(2026, 6, 1);

    fn parse(input: &str) -> Result<PersonalNumber, IdentifierError> {
        PersonalNumber::parse(input, TODAY)
    }

    fn parse_ok(input: &str, reference: Date) -> PersonalNumber {
        PersonalNumber::parse(input, reference).expect("test input is a valid number")
    }

    fn key(id: &str, fill: u8) -> PseudonymKey {
        PseudonymKey::new(id, &[fill; 32]).expect("test key is valid")
    }

    /// Appends the Luhn check digit to nine ASCII digits.
    fn with_check_digit(nine: &str) -> String {
        let mut values = [0u8; 9];
        copy_digit_values(&mut values, nine.as_bytes());
        format!("{nine}{}", luhn_check_digit(&values))
    }

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
        assert_eq!(parse("811218-9875"), Err(IdentifierError::ChecksumMismatch));
        assert_eq!(
            parse("198112189877"),
            Err(IdentifierError::ChecksumMismatch)
        );
        assert_eq!(parse("701063-2390"), Err(IdentifierError::ChecksumMismatch));
    }

    #[test]
    fn invalid_dates() {
        // 29 February: 2000 was a leap year, 2001 and 1900 were not.
        assert_eq!(
            parse_ok("000229-1235", TODAY).birth_date(),
            date(2000, 2, 29)
        );
        assert_eq!(parse("010229-1234"), Err(IdentifierError::InvalidDate));
        assert_eq!(parse("000229+1235"), Err(IdentifierError::InvalidDate));
        assert_eq!(parse("19000229-1235"), Err(IdentifierError::InvalidDate));
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
            assert_eq!(parse(bad), Err(IdentifierError::InvalidDate), "{bad}");
        }
    }

    #[test]
    fn wrong_format_and_empty() {
        assert_eq!(parse(""), Err(IdentifierError::Empty));
        assert_eq!(parse(" \t\n "), Err(IdentifierError::Empty));
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
            assert_eq!(parse(bad), Err(IdentifierError::WrongFormat), "{bad}");
        }
        assert_eq!(
            parse("19811218+9876"),
            Err(IdentifierError::PlusWithTwelveDigits)
        );
    }

    #[test]
    fn future_birth_date() {
        let future = format!("20{}", with_check_digit("300101123"));
        assert_eq!(parse(&future), Err(IdentifierError::FutureBirthDate));
        // The day after the reference date is already in the future.
        let tomorrow = format!("20{}", with_check_digit("260602123"));
        assert_eq!(parse(&tomorrow), Err(IdentifierError::FutureBirthDate));
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

    /// Every error variant, in the order of declaration.
    const ALL_ERRORS: [IdentifierError; 8] = [
        IdentifierError::Empty,
        IdentifierError::WrongFormat,
        IdentifierError::InvalidDate,
        IdentifierError::ChecksumMismatch,
        IdentifierError::FutureBirthDate,
        IdentifierError::PlusWithTwelveDigits,
        IdentifierError::PseudonymKeyTooShort { min: 32 },
        IdentifierError::InvalidKeyId,
    ];

    /// Whether `message` is one of the fixed texts of some variant (English, Swedish, Debug).
    fn is_fixed_message(message: &str) -> bool {
        ALL_ERRORS.iter().any(|known| {
            known.to_string() == message
                || known.message_sv() == message
                || format!("{known:?}") == message
        })
    }

    /// Whether `text` contains any four consecutive digits of `input` (ignoring separators).
    fn shares_digit_window(text: &str, input: &str) -> bool {
        let digits: Vec<u8> = input.bytes().filter(u8::is_ascii_digit).collect();
        digits
            .windows(4)
            .any(|window| text.as_bytes().windows(4).any(|seen| seen == window))
    }

    /// Every error message, in both languages and in `Debug`, is free of the input.
    #[test]
    fn errors_never_echo_input() {
        let cases = [
            ("", IdentifierError::Empty),
            ("   ", IdentifierError::Empty),
            ("811218/9876", IdentifierError::WrongFormat),
            ("811218-98765", IdentifierError::WrongFormat),
            ("010229-1234", IdentifierError::InvalidDate),
            ("17991218-9876", IdentifierError::InvalidDate),
            ("701092-2391", IdentifierError::InvalidDate),
            ("811218-9875", IdentifierError::ChecksumMismatch),
            ("203001011232", IdentifierError::FutureBirthDate),
            ("19811218+9876", IdentifierError::PlusWithTwelveDigits),
        ];
        for (input, expected) in cases {
            let error = parse(input).expect_err("test input is invalid");
            assert_eq!(error, expected, "{input}");
            for text in [error.to_string(), error.message_sv(), format!("{error:?}")] {
                assert!(!shares_digit_window(&text, input), "{text}");
                assert!(
                    input.trim().is_empty() || !text.contains(input.trim()),
                    "{text}"
                );
            }
        }
        let secret = *b"9876543210987654321098765432109";
        let short = PseudonymKey::new("k4711", &secret).expect_err("secret is short");
        assert_eq!(short, IdentifierError::PseudonymKeyTooShort { min: 32 });
        let bad_id = PseudonymKey::new("k4711:", &[1; 32]).expect_err("id is invalid");
        assert_eq!(bad_id, IdentifierError::InvalidKeyId);
        for error in [short, bad_id] {
            for text in [error.to_string(), error.message_sv(), format!("{error:?}")] {
                assert!(!text.contains("k4711"), "{text}");
                assert!(!shares_digit_window(&text, "98765432109"), "{text}");
            }
        }
    }

    #[test]
    fn messages_follow_house_style() {
        for error in ALL_ERRORS {
            for text in [error.to_string(), error.message_sv()] {
                let first = text.chars().next().expect("message is not empty");
                assert!(!first.is_uppercase(), "{text}");
                assert!(!text.ends_with('.'), "{text}");
            }
            assert_ne!(error.to_string(), error.message_sv());
        }
        assert_eq!(
            IdentifierError::WrongFormat.to_string(),
            "expected 10 or 12 digits with an optional '-' or '+' before the last four"
        );
        assert_eq!(
            IdentifierError::ChecksumMismatch.to_string(),
            "check digit does not match (Luhn)"
        );
    }

    #[test]
    fn key_validation() {
        assert!(PseudonymKey::new("a", &[0; 32]).is_ok());
        assert!(PseudonymKey::new("Key_2026-01", &[0; 64]).is_ok());
        assert!(PseudonymKey::new(&"k".repeat(32), &[0; 32]).is_ok());
        for bad in ["", "a b", "a:b", "nyckel-å", "a.b", &"k".repeat(33)] {
            assert_eq!(
                PseudonymKey::new(bad, &[0; 32]).map(|_| ()),
                Err(IdentifierError::InvalidKeyId),
                "{bad}"
            );
        }
        assert_eq!(
            PseudonymKey::new("k1", &[0; 31]).map(|_| ()),
            Err(IdentifierError::PseudonymKeyTooShort { min: 32 })
        );
        assert_eq!(key("k1", 0).key_id(), "k1");
    }

    #[test]
    fn wipe_zeroes_the_secret() {
        let mut key = key("k1", 0xa5);
        key.wipe();
        assert!(key.secret.iter().all(|&b| b == 0));
        assert_eq!(key.secret.len(), 32);
    }

    #[test]
    fn pseudonym_known_answer() {
        // Computed independently with Python's hmac module.
        let key = PseudonymKey::new("k1", b"0123456789abcdef0123456789abcdef")
            .expect("test key is valid");
        let number = parse_ok("811218-9876", TODAY);
        assert_eq!(
            pseudonymise(&key, &number).as_str(),
            "k1:7b151779b30429167db692046a24c936f5493691efc77967075bf1d1741c026d"
        );
        assert_eq!(
            pseudonymise_case_number(&key, " ab-123 ").to_string(),
            "k1:1145a3d92a38082508171de9064d3d8671bdf410fb947ff852870b1b19840a13"
        );
    }

    #[test]
    fn pseudonym_is_stable_across_spellings() {
        let key = key("k1", 7);
        let expected = pseudonymise(&key, &parse_ok("811218-9876", TODAY));
        for spelling in [
            "8112189876",
            "19811218-9876",
            "198112189876",
            " 811218-9876 ",
        ] {
            assert_eq!(pseudonymise(&key, &parse_ok(spelling, TODAY)), expected);
        }
        let text = expected.as_str();
        let (id, hex) = text.split_once(':').expect("pseudonym has a key id");
        assert_eq!(id, "k1");
        assert_eq!(hex.len(), 64);
        assert!(hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')));
        assert!(!text.contains("9876"));
    }

    #[test]
    fn pseudonym_separates_keys_and_domains() {
        let number = parse_ok("811218-9876", TODAY);
        let a = pseudonymise(&key("k1", 1), &number);
        let b = pseudonymise(&key("k1", 2), &number);
        let c = pseudonymise(&key("k2", 1), &number);
        assert_ne!(a, b);
        assert_ne!(&a.as_str()[3..], &b.as_str()[3..]);
        assert_ne!(a, c);
        assert_eq!(&a.as_str()[3..], &c.as_str()[3..]);
        assert!(c.as_str().starts_with("k2:"));
        // The same digits as a case number land in another domain.
        let as_case = pseudonymise_case_number(&key("k1", 1), number.canonical());
        assert_ne!(a, as_case);
        // A different number gets a different pseudonym.
        let other = pseudonymise(&key("k1", 1), &parse_ok("701063-2391", TODAY));
        assert_ne!(a, other);
    }

    #[test]
    fn case_number_normalisation() {
        let key = key("k1", 3);
        let expected = pseudonymise_case_number(&key, "AB-123");
        for spelling in ["ab-123", " Ab-123\t", "aB-123\n"] {
            assert_eq!(pseudonymise_case_number(&key, spelling), expected);
        }
        assert_ne!(pseudonymise_case_number(&key, "AB-124"), expected);
        assert_ne!(pseudonymise_case_number(&key, "AB 123"), expected);
    }

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

    /// Formats a valid number from parts in one of the six shapes the scan accepts.
    fn format_number(
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

        #[test]
        fn parse_never_panics_or_echoes(text in any::<String>()) {
            // Error text is one of a fixed set of messages, whatever the input.
            if let Err(error) = PersonalNumber::parse(&text, TODAY) {
                let message = error.to_string();
                prop_assert!(ALL_ERRORS.iter().any(|known| known.to_string() == message));
            }
        }

        #[test]
        fn parse_never_echoes_digit_input(text in "[0-9]{6,8}[-+]?[0-9]{4}") {
            if let Err(error) = PersonalNumber::parse(&text, TODAY) {
                for message in [error.to_string(), error.message_sv(), format!("{error:?}")] {
                    prop_assert!(is_fixed_message(&message));
                }
            }
        }

        #[test]
        fn ten_and_twelve_digits_agree(
            year in 1927u16..=2026,
            month in 1u8..=12,
            day in 1u8..=28,
            serial in 0u16..1000,
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
