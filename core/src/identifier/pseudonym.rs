//! Keyed pseudonyms: [`PseudonymKey`], [`Pseudonym`], [`pseudonymise`] and
//! [`pseudonymise_case_number`] (HMAC-SHA256 under separate domains).

use std::fmt;

use super::key_id::is_key_id;
use super::personal_number::PersonalNumber;
use super::problem::IdentifierProblem;
use crate::error::Result;
use crate::mac::keyed_mac;
use crate::text::Text;

/// Smallest accepted pseudonym secret, in bytes (the HMAC-SHA256 output size).
const MIN_SECRET_LEN: usize = 32;
/// Domain separation for personal-number pseudonyms (fixed length, NUL-terminated).
const PERSONAL_NUMBER_DOMAIN: &[u8] = b"bistand-pseudonym-v1\0";
/// Domain separation for other identifiers such as case numbers.
const CASE_NUMBER_DOMAIN: &[u8] = b"bistand-case-v1\0";

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

impl PseudonymKey {
    /// Creates a key from a public id and a secret of at least 32 bytes.
    ///
    /// The secret is copied; wiping the caller's copy is the caller's business.
    ///
    /// # Errors
    ///
    /// An [`Error`](crate::Error) of kind [`InvalidIdentifier`](crate::ErrorKind::InvalidIdentifier)
    /// if `key_id` is not a key id (see [`is_key_id`]) or if `secret` is shorter than 32 bytes.
    pub fn new(key_id: &str, secret: &[u8]) -> Result<PseudonymKey> {
        if !is_key_id(key_id) {
            return Err(IdentifierProblem::InvalidKeyId.into());
        }
        if secret.len() < MIN_SECRET_LEN {
            return Err(IdentifierProblem::PseudonymKeyTooShort {
                min: MIN_SECRET_LEN,
            }
            .into());
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

    /// A 32-byte secret derived from this key for another purpose, separated by `domain`
    /// (HMAC-SHA256 of the domain under the key): knowing it says nothing about the key.
    pub(crate) fn derive_secret(&self, domain: &[u8]) -> [u8; 32] {
        keyed_mac(&self.secret, domain, &[])
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
    keyed_pseudonym(key, PERSONAL_NUMBER_DOMAIN, number.canonical().as_bytes())
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

/// The longest client id accepted, in characters: personnummer and samordningsnummer take 13 at
/// most; case numbers of the case-management systems are far shorter than this.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

/// The pseudonym of a client id: a personnummer or samordningsnummer (any spelling, judged at
/// `reference_date` for the `+` of the over-100s) by its canonical form, anything else as a case
/// number; `None` for an id that cannot be one: empty or blank (every such id would merge
/// unrelated clients into one pseudonym), longer than [`MAX_CLIENT_ID_CHARS`] characters, or
/// holding a control character (NUL, a line break: no case system writes those). The one rule the
/// store's import, the REST API and the reports over NDJSON with client ids share.
pub fn pseudonymise_client_id(
    key: &PseudonymKey,
    client_id: &str,
    reference_date: jiff::civil::Date,
) -> Option<Pseudonym> {
    if client_id_problem(client_id).is_some() {
        return None;
    }
    Some(match PersonalNumber::parse(client_id, reference_date) {
        Ok(number) => pseudonymise(key, &number),
        Err(_) => pseudonymise_case_number(key, client_id),
    })
}

/// Label of key fingerprints: what a store records of a key, so it can refuse another key under
/// the same id without ever holding the secret.
pub(crate) const FINGERPRINT_LABEL: &[u8] = b"bistand-key-fingerprint-v1\0";

impl PseudonymKey {
    /// The key's fingerprint: the lowercase hex HMAC-SHA256 of a fixed label under the secret.
    /// Public (it reveals nothing of the secret) and equal for equal secrets, so a store can
    /// record it and refuse to be opened with another key.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        fingerprint_of(&self.secret)
    }

    /// A keyed digest of `parts` under `domain` (lowercase hex HMAC-SHA256, each part
    /// length-prefixed so parts cannot run into each other): an identity that only the key's
    /// holder can compute, for facts such as "this document was already imported" that must not
    /// let a reader of the store confirm guessed content.
    #[must_use]
    pub fn keyed_digest(&self, domain: &str, parts: &[&[u8]]) -> String {
        let lengths: Vec<[u8; 8]> = parts
            .iter()
            .map(|part| (part.len() as u64).to_be_bytes())
            .collect();
        let mut encoded: Vec<&[u8]> = Vec::with_capacity(2 + 2 * parts.len());
        encoded.extend([domain.as_bytes(), b"\0"]);
        for (length, part) in lengths.iter().zip(parts) {
            encoded.extend([&length[..], part]);
        }
        let mut text = String::with_capacity(64);
        push_lower_hex(
            &mut text,
            &keyed_mac(&self.secret, b"bistand-digest-v1\0", &encoded),
        );
        text
    }
}

/// The fingerprint of a key's `secret` (pseudonym and data keys alike): the lowercase hex
/// [`keyed_mac`] of [`FINGERPRINT_LABEL`] under it.
pub(crate) fn fingerprint_of(secret: &[u8]) -> String {
    let mut text = String::with_capacity(64);
    push_lower_hex(&mut text, &keyed_mac(secret, FINGERPRINT_LABEL, &[]));
    text
}

/// Why `client_id` cannot be a client id (see [`pseudonymise_client_id`]), in both languages and
/// without repeating it; `None` when it can.
pub fn client_id_problem(client_id: &str) -> Option<Text> {
    let expected = (
        "förväntade personnummer, samordningsnummer eller ärendenummer",
        "expected a personnummer, samordningsnummer or case number",
    );
    let (sv, en) = if client_id.trim().is_empty() {
        ("klient-id är tomt", "client id is empty")
    } else if client_id.chars().count() > MAX_CLIENT_ID_CHARS {
        (
            "klient-id är längre än 64 tecken",
            "client id is longer than 64 characters",
        )
    } else if client_id.chars().any(char::is_control) {
        (
            "klient-id innehåller ett styrtecken",
            "client id holds a control character",
        )
    } else {
        return None;
    };
    Some(Text {
        sv: format!("{sv}; {}", expected.0),
        en: format!("{en}; {}", expected.1),
    })
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
    let tag = keyed_mac(&key.secret, domain, &[value]);
    let mut text = String::with_capacity(key.key_id.len() + 1 + 2 * tag.len());
    text.push_str(&key.key_id);
    text.push(':');
    push_lower_hex(&mut text, &tag);
    Pseudonym(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::identifier::test_support::{TODAY, key, parse_ok};

    #[test]
    fn fingerprints_and_digests_depend_on_the_secret_only_where_they_should() {
        let a = key("p1", 1);
        assert_eq!(
            a.fingerprint(),
            key("other", 1).fingerprint(),
            "the id is not part of it"
        );
        assert_ne!(a.fingerprint(), key("p1", 2).fingerprint());
        assert_eq!(a.fingerprint().len(), 64);
        assert!(!a.fingerprint().contains(&"01".repeat(8)));
        let digest = a.keyed_digest("import", &[b"ab", b"c"]);
        assert_eq!(digest, a.keyed_digest("import", &[b"ab", b"c"]));
        assert_ne!(digest, a.keyed_digest("import", &[b"a", b"bc"]));
        assert_ne!(digest, a.keyed_digest("other", &[b"ab", b"c"]));
        assert_ne!(digest, key("p1", 2).keyed_digest("import", &[b"ab", b"c"]));
    }

    #[test]
    fn client_ids_are_bounded_in_length_and_characters() {
        let huge = "1".repeat(1_900_000);
        for (id, why) in [
            ("", "empty"),
            ("  ", "empty"),
            ("ÄR-2026\u{0}1", "control"),
            ("ÄR-2026\n1", "control"),
            (huge.as_str(), "longer"),
            (&"x".repeat(MAX_CLIENT_ID_CHARS + 1), "longer"),
        ] {
            assert!(pseudonymise_client_id(&key("p1", 7), id, TODAY).is_none());
            let problem = client_id_problem(id).expect("refused");
            assert!(problem.en.contains(why), "{}", problem.en);
            assert!(!problem.en.contains(id) || id.trim().is_empty());
        }
        for id in [
            "19121212-1212",
            "ÄR-2026-00042",
            &"ö".repeat(MAX_CLIENT_ID_CHARS),
        ] {
            assert!(client_id_problem(id).is_none(), "{id}");
            assert!(pseudonymise_client_id(&key("p1", 7), id, TODAY).is_some());
        }
    }

    #[test]
    fn key_validation() {
        assert!(PseudonymKey::new("a", &[0; 32]).is_ok());
        assert!(PseudonymKey::new("Key_2026-01", &[0; 64]).is_ok());
        assert!(PseudonymKey::new(&"k".repeat(32), &[0; 32]).is_ok());
        for bad in ["", "a b", "a:b", "nyckel-å", "a.b", &"k".repeat(33)] {
            assert_eq!(
                PseudonymKey::new(bad, &[0; 32]).map(|_| ()),
                Err(Error::from(IdentifierProblem::InvalidKeyId)),
                "{bad}"
            );
        }
        assert_eq!(
            PseudonymKey::new("k1", &[0; 31]).map(|_| ()),
            Err(Error::from(IdentifierProblem::PseudonymKeyTooShort {
                min: 32
            }))
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
}
