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
//! Each rule has its own module: [`PersonalNumber`] in `personal_number`, pseudonyms in
//! `pseudonym`, the free-text scan in `scan`, the key-id rule shared with [`seal`](crate::seal) in
//! `key_id`, and the reasons a value is refused (each a message of the crate's one
//! [`Error`](crate::Error), kind [`InvalidIdentifier`](crate::ErrorKind::InvalidIdentifier)) in
//! `problem`.
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
//! # Ok::<(), bistand_core::Error>(())
//! ```

mod key_id;
mod personal_number;
mod problem;
mod pseudonym;
mod scan;
#[cfg(test)]
mod test_support;

pub use key_id::{MAX_KEY_ID_LEN, is_key_id};
pub use personal_number::{IdentifierKind, LegalSex, PersonalNumber};
pub use pseudonym::{
    MAX_CLIENT_ID_CHARS, Pseudonym, PseudonymKey, client_id_problem, pseudonymise,
    pseudonymise_case_number, pseudonymise_client_id,
};
pub use scan::{IdentifierHint, find_identifier_like};

pub(crate) use pseudonym::{fingerprint_of, push_lower_hex};
