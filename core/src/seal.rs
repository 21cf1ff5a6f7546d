//! Record sealing: XChaCha20-Poly1305 under a named data key, bound to the record it belongs to.
//!
//! This module owns the data keys ([`DataKey`], [`Keyring`]), the sealed form of a record body
//! ([`Sealed`]) and the two operations [`seal`] and [`open`]. It is pure like the rest of the
//! crate: the caller supplies the nonce (24 random bytes from the operating system, in the store),
//! and nothing here reads a clock or a file.
//!
//! A body is sealed with associated data built from a [`Binding`] (record id, instrument,
//! version) and the key id, so a ciphertext copied to another record, or a record whose
//! instrument or version column was edited, fails [`open`] with
//! [`ErrorKind::IntegrityFailure`]. Keys rotate by adding a new key to the [`Keyring`], making it
//! active, and resealing old records; every sealed body names the key that sealed it.
//!
//! Errors never contain plaintext, and neither `Debug` of a key nor of a keyring shows a secret.
//!
//! # Example
//!
//! ```
//! use bistand_core::ErrorKind;
//! use bistand_core::seal::{Binding, DataKey, Keyring, open, seal};
//!
//! let key = DataKey::new("k2026", &[7u8; 32])?;
//! let binding = Binding {
//!     record_id: "0f1e2d3c",
//!     instrument: "sue",
//!     version: "1",
//!     pseudonym: "p1:ab12",
//!     unit: "Norr",
//!     revision: 1,
//! };
//! let nonce = [1u8; 24]; // in real use: 24 fresh random bytes per seal
//! let sealed = seal(&key, nonce, &binding, b"{\"answers\":{}}");
//! assert_eq!(sealed.key_id, "k2026");
//!
//! let keyring = Keyring::new(key);
//! assert_eq!(open(&keyring, &binding, &sealed)?, b"{\"answers\":{}}");
//!
//! let other = Binding { record_id: "99999999", ..binding };
//! assert_eq!(open(&keyring, &other, &sealed).unwrap_err().kind(), ErrorKind::IntegrityFailure);
//! # Ok::<(), bistand_core::Error>(())
//! ```

use std::fmt;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroize;

use crate::Text;
use crate::error::{Error, ErrorKind, Result};
use crate::identifier::is_key_id;

/// Length of a data key secret in bytes.
pub const SECRET_LEN: usize = 32;
/// Length of an XChaCha20-Poly1305 nonce in bytes.
pub const NONCE_LEN: usize = 24;
/// Length of the authentication tag appended to every ciphertext, in bytes.
pub const TAG_LEN: usize = 16;
/// Domain and format version of the associated data. Bump the version if the encoding changes;
/// the NUL ends the tag so no field can extend it.
const AAD_DOMAIN: &[u8] = b"bistand-seal-v1\0";

/// Domain tag of the associated data of a body with a revision (1 and up): v1's fields, then the
/// revision as 8 bytes big-endian. A different tag, so no revision-0 binding encodes alike.
const AAD_DOMAIN_V2: &[u8] = b"bistand-seal-v2\0";

/// A 32-byte secret for sealing record bodies, with a public id stored beside every body it seals.
///
/// `Debug` shows the id but never the secret; the secret is overwritten with zeros when the key is
/// dropped (and lives in one heap allocation, so moving the key leaves no copies behind).
pub struct DataKey {
    id: String,
    secret: Box<Key>,
}

/// Several data keys, one of them active: new seals use the active key, [`open`] uses whichever
/// key sealed the body.
#[derive(Clone)]
pub struct Keyring {
    /// Few keys (one per rotation), so a list beats a map.
    keys: Vec<DataKey>,
    active: usize,
}

/// What a sealed body is bound to: a ciphertext only opens for the same record id, instrument,
/// version, client pseudonym and unit it was sealed for. Binding the pseudonym and the unit means a
/// row moved to another client or unit by editing its plain columns fails authentication; unit-based
/// access control can rely on the unit column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding<'a> {
    /// The record's id.
    pub record_id: &'a str,
    /// The instrument the body answers (`"fia"`, `"sue"`).
    pub instrument: &'a str,
    /// The instrument version the body answers.
    pub version: &'a str,
    /// The client's pseudonym.
    pub pseudonym: &'a str,
    /// The organisational unit the record belongs to.
    pub unit: &'a str,
    /// How many times the body was written (1 for a new record, one more per update), so an
    /// older body written back over a newer one fails authentication unless its revision is
    /// written back too (which the audit log's record states then reveal). 0 is the form of
    /// bodies sealed before revisions existed: their associated data has no revision.
    pub revision: u64,
}

/// A sealed record body: the id of the key that sealed it, the nonce, and the ciphertext with its
/// 16-byte authentication tag at the end.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Id of the [`DataKey`] that sealed the body.
    pub key_id: String,
    /// The 24-byte XChaCha20 nonce, unique per seal under one key.
    pub nonce: [u8; NONCE_LEN],
    /// Ciphertext followed by the authentication tag.
    pub ciphertext: Vec<u8>,
}

impl DataKey {
    /// A data key from a public id and a secret of exactly 32 bytes.
    ///
    /// The secret is copied; wiping the caller's copy is the caller's business.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] if `id` is not 1 to 32 ASCII letters, digits, `_` or `-`,
    /// or if `secret` is not 32 bytes long.
    pub fn new(id: &str, secret: &[u8]) -> Result<DataKey> {
        if !is_key_id(id) {
            return Err(Error::new(ErrorKind::InvalidArgument, Text { sv: "nyckel-id för datanycklar måste vara 1 till 32 ASCII-bokstäver, siffror, '_' \
                 eller '-'".into(), en: "data key id must be 1 to 32 ASCII letters, digits, '_' or '-'".into() }));
        }
        if secret.len() != SECRET_LEN {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!(
                        "datanyckelns hemlighet måste vara exakt {SECRET_LEN} byte, fick {} byte",
                        secret.len()
                    ),
                    en: format!(
                        "data key secret must be exactly {SECRET_LEN} bytes, found {} bytes",
                        secret.len()
                    ),
                },
            ));
        }
        let mut key = Box::new(Key::default());
        key.copy_from_slice(secret);
        Ok(DataKey {
            id: id.to_owned(),
            secret: key,
        })
    }

    /// The key's public id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The key's fingerprint: the lowercase hex HMAC-SHA256 of a fixed label under the secret
    /// (the same rule as [`PseudonymKey::fingerprint`](crate::identifier::PseudonymKey::fingerprint)).
    /// A store records it so that a keys file with another secret under this id is refused.
    #[must_use]
    pub fn fingerprint(&self) -> String {
        crate::identifier::fingerprint_of(self.secret.as_slice())
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        // The cipher keeps its own copy of the key and wipes it on drop (`zeroize` feature).
        XChaCha20Poly1305::new(&self.secret)
    }
}

impl Clone for DataKey {
    fn clone(&self) -> DataKey {
        DataKey {
            id: self.id.clone(),
            secret: self.secret.clone(),
        }
    }
}

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.secret.as_mut_slice().zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for DataKey {}

impl Keyring {
    /// A keyring holding `active` as its only key.
    pub fn new(active: DataKey) -> Keyring {
        Keyring {
            keys: vec![active],
            active: 0,
        }
    }

    /// Adds a key (not active until [`Keyring::set_active`]). Adding a key that is already in the
    /// keyring with the same secret does nothing.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] if a key with the same id but another secret is in the
    /// keyring: two secrets under one id would make records unreadable.
    pub fn add(&mut self, key: DataKey) -> Result<()> {
        match self.get(key.id()) {
            Some(existing) if existing.secret == key.secret => Ok(()),
            Some(_) => Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!(
                        "nyckeln `{}` finns redan i nyckelringen med en annan hemlighet; ge den nya \
                     nyckeln ett nytt id",
                        key.id()
                    ),
                    en: format!(
                        "key `{}` is already in the keyring with another secret; give the new key a \
                     new id",
                        key.id()
                    ),
                },
            )),
            None => {
                self.keys.push(key);
                Ok(())
            }
        }
    }

    /// Makes the key with id `id` the one new seals use.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnknownKey`] if no key in the keyring has that id.
    pub fn set_active(&mut self, id: &str) -> Result<()> {
        match self.keys.iter().position(|k| k.id == id) {
            Some(index) => {
                self.active = index;
                Ok(())
            }
            None => Err(unknown_key(id, "key", "nyckeln")),
        }
    }

    /// The key new seals use.
    pub fn active(&self) -> &DataKey {
        &self.keys[self.active]
    }

    /// The key with id `id`, if the keyring has it.
    pub fn get(&self, id: &str) -> Option<&DataKey> {
        self.keys.iter().find(|k| k.id == id)
    }

    /// Every key, in the order they were added.
    pub fn keys(&self) -> impl Iterator<Item = &DataKey> {
        self.keys.iter()
    }

    /// The ids of all keys, in the order they were added.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("active", &self.active().id)
            .field("keys", &self.ids().collect::<Vec<_>>())
            .finish()
    }
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("nonce", &format_args!("<{} bytes>", self.nonce.len()))
            .field(
                "ciphertext",
                &format_args!("<{} bytes>", self.ciphertext.len()),
            )
            .finish()
    }
}

/// Seals `plaintext` under `key` with `nonce`, bound to `binding`.
///
/// The nonce must never repeat under the same key: pass 24 fresh random bytes each time (random
/// 192-bit nonces make a repeat negligible, which is why the extended-nonce variant is used).
///
/// # Panics
///
/// If `plaintext` is longer than the cipher's limit of 256 GiB, which no record comes near.
#[must_use]
pub fn seal(
    key: &DataKey,
    nonce: [u8; NONCE_LEN],
    binding: &Binding<'_>,
    plaintext: &[u8],
) -> Sealed {
    let aad = associated_data(&key.id, binding);
    let ciphertext = key
        .cipher()
        .encrypt(
            &XNonce::from(nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .expect("XChaCha20-Poly1305 only refuses plaintexts over 256 GiB");
    Sealed {
        key_id: key.id.clone(),
        nonce,
        ciphertext,
    }
}

/// Opens a sealed body with the key from `keyring` that sealed it, checking it belongs to
/// `binding`.
///
/// # Errors
///
/// - [`ErrorKind::UnknownKey`] if the keyring has no key with the body's key id;
/// - [`ErrorKind::IntegrityFailure`] if authentication fails: the ciphertext, nonce or key id
///   was altered, or the body was sealed for another record id, instrument or version.
pub fn open(keyring: &Keyring, binding: &Binding<'_>, sealed: &Sealed) -> Result<Vec<u8>> {
    if !is_key_id(&sealed.key_id) {
        // Not something a key was ever created with: the stored key id was altered. It is not
        // echoed, since it is no longer known to be a key id.
        return Err(integrity_failure());
    }
    let key = keyring.get(&sealed.key_id).ok_or_else(|| {
        unknown_key(
            &sealed.key_id,
            "record is sealed with key",
            "posten är förseglad med nyckeln",
        )
    })?;
    let aad = associated_data(&key.id, binding);
    key.cipher()
        .decrypt(
            &XNonce::from(sealed.nonce),
            Payload {
                msg: &sealed.ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| integrity_failure())
}

/// The associated data: the domain tag, then key id, record id, instrument, version, pseudonym and
/// unit, each preceded by its length as 8 bytes big-endian, so no two different bindings encode
/// alike; for a revision of 1 or more the v2 tag and the revision (8 bytes big-endian) at the end.
fn associated_data(key_id: &str, binding: &Binding<'_>) -> Vec<u8> {
    let fields = [
        key_id,
        binding.record_id,
        binding.instrument,
        binding.version,
        binding.pseudonym,
        binding.unit,
    ];
    let domain = if binding.revision == 0 {
        AAD_DOMAIN
    } else {
        AAD_DOMAIN_V2
    };
    let len = domain.len() + fields.iter().map(|f| 8 + f.len()).sum::<usize>() + 8;
    let mut aad = Vec::with_capacity(len);
    aad.extend_from_slice(domain);
    for field in fields {
        aad.extend_from_slice(&(field.len() as u64).to_be_bytes());
        aad.extend_from_slice(field.as_bytes());
    }
    if binding.revision != 0 {
        aad.extend_from_slice(&binding.revision.to_be_bytes());
    }
    aad
}

fn unknown_key(id: &str, en_prefix: &str, sv_prefix: &str) -> Error {
    // Key ids are public (they prefix every pseudonym and sit beside every body); the id is only
    // echoed when it has a key id's shape.
    let id = if is_key_id(id) { id } else { "?" };
    Error::new(
        ErrorKind::UnknownKey,
        Text {
            sv: format!("{sv_prefix} `{id}`, som inte finns i nyckelringen"),
            en: format!("{en_prefix} `{id}`, which is not in the keyring"),
        },
    )
}

fn integrity_failure() -> Error {
    Error::new(ErrorKind::IntegrityFailure, Text { sv: "posten klarade inte autentiseringen: den har ändrats, eller dess innehåll hör till en \
         annan post".into(), en: "record failed authentication: it was altered, or its body belongs to another record".into() })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &[u8] = br#"{"answers":{"fritext":"SECRET-CANARY 19811218-9876"}}"#;

    fn key(id: &str, byte: u8) -> DataKey {
        DataKey::new(id, &[byte; SECRET_LEN]).expect("valid test key")
    }

    fn binding() -> Binding<'static> {
        Binding {
            record_id: "6f1c0a9e2b7d4c3a8e5f1a2b3c4d5e6f",
            instrument: "sue",
            version: "1",
            pseudonym: "p1:00",
            unit: "Norr",
            revision: 1,
        }
    }

    fn sealed() -> Sealed {
        seal(&key("k1", 1), [9; NONCE_LEN], &binding(), BODY)
    }

    fn assert_kind(result: Result<Vec<u8>>, kind: ErrorKind) {
        let err = result.expect_err("opening must fail");
        assert_eq!(err.kind(), kind);
        let text = format!("{err} {} {err:?}", err.message_sv());
        assert!(
            !text.contains("SECRET-CANARY"),
            "plaintext leaked into {text}"
        );
    }

    #[test]
    fn round_trip() {
        let keyring = Keyring::new(key("k1", 1));
        let sealed = sealed();
        assert_eq!(sealed.key_id, "k1");
        assert_eq!(sealed.ciphertext.len(), BODY.len() + TAG_LEN);
        assert!(!sealed.ciphertext.windows(13).any(|w| w == b"SECRET-CANARY"));
        assert_eq!(open(&keyring, &binding(), &sealed).expect("opens"), BODY);
    }

    #[test]
    fn empty_body_round_trips() {
        let keyring = Keyring::new(key("k1", 1));
        let sealed = seal(keyring.active(), [0; NONCE_LEN], &binding(), b"");
        assert_eq!(open(&keyring, &binding(), &sealed).expect("opens"), b"");
    }

    #[test]
    fn unknown_key_is_named() {
        let keyring = Keyring::new(key("k2", 2));
        let err = open(&keyring, &binding(), &sealed()).expect_err("k1 is missing");
        assert_eq!(err.kind(), ErrorKind::UnknownKey);
        assert_eq!(err.kind().as_str(), "unknown_key");
        assert_eq!(
            err.to_string(),
            "record is sealed with key `k1`, which is not in the keyring"
        );
    }

    #[test]
    fn wrong_secret_under_the_same_id_fails_integrity() {
        let keyring = Keyring::new(key("k1", 2));
        assert_kind(
            open(&keyring, &binding(), &sealed()),
            ErrorKind::IntegrityFailure,
        );
    }

    #[test]
    fn flipped_bits_fail_integrity() {
        let keyring = Keyring::new(key("k1", 1));
        let original = sealed();
        for i in [
            0,
            original.ciphertext.len() / 2,
            original.ciphertext.len() - 1,
        ] {
            let mut tampered = original.clone();
            tampered.ciphertext[i] ^= 0x01;
            assert_kind(
                open(&keyring, &binding(), &tampered),
                ErrorKind::IntegrityFailure,
            );
        }
        let mut tampered = original.clone();
        tampered.nonce[3] ^= 0x80;
        assert_kind(
            open(&keyring, &binding(), &tampered),
            ErrorKind::IntegrityFailure,
        );
        let mut truncated = original;
        truncated.ciphertext.truncate(TAG_LEN - 1);
        assert_kind(
            open(&keyring, &binding(), &truncated),
            ErrorKind::IntegrityFailure,
        );
    }

    #[test]
    fn body_moved_to_another_record_fails_integrity() {
        let keyring = Keyring::new(key("k1", 1));
        let sealed = sealed();
        let b = binding();
        let others = [
            Binding {
                record_id: "00000000000000000000000000000000",
                ..b
            },
            Binding {
                instrument: "fia",
                ..b
            },
            Binding { version: "2", ..b },
            Binding {
                pseudonym: "p1:ff",
                ..b
            },
            Binding {
                unit: "Söder", ..b
            },
            Binding { revision: 2, ..b },
            Binding { revision: 0, ..b },
        ];
        for other in others {
            assert_kind(open(&keyring, &other, &sealed), ErrorKind::IntegrityFailure);
        }
    }

    #[test]
    fn fields_cannot_be_shifted_between_each_other() {
        // Without length prefixes these two would give the same associated data.
        let a = Binding {
            record_id: "ab",
            instrument: "c",
            version: "1",
            pseudonym: "p1:00",
            unit: "Norr",
            revision: 1,
        };
        let b = Binding {
            record_id: "a",
            instrument: "bc",
            version: "1",
            pseudonym: "p1:00",
            unit: "Norr",
            revision: 1,
        };
        assert_ne!(associated_data("k1", &a), associated_data("k1", &b));
        let keyring = Keyring::new(key("k1", 1));
        let sealed = seal(keyring.active(), [5; NONCE_LEN], &a, BODY);
        assert_kind(open(&keyring, &b, &sealed), ErrorKind::IntegrityFailure);
    }

    #[test]
    fn edited_key_id_fails() {
        let mut keyring = Keyring::new(key("k1", 1));
        keyring.add(key("k2", 2)).expect("new id");
        let mut sealed = sealed();
        sealed.key_id = "k2".to_owned();
        assert_kind(
            open(&keyring, &binding(), &sealed),
            ErrorKind::IntegrityFailure,
        );
        sealed.key_id = "not a key id; 19811218-9876".to_owned();
        let err = open(&keyring, &binding(), &sealed).expect_err("garbage key id");
        assert_eq!(err.kind(), ErrorKind::IntegrityFailure);
        assert!(!err.to_string().contains("19811218"));
    }

    #[test]
    fn keyring_rotation() {
        let mut keyring = Keyring::new(key("k1", 1));
        let old = seal(keyring.active(), [1; NONCE_LEN], &binding(), BODY);
        keyring.add(key("k2", 2)).expect("new id");
        assert_eq!(keyring.active().id(), "k1");
        keyring.set_active("k2").expect("k2 was added");
        let new = seal(keyring.active(), [2; NONCE_LEN], &binding(), BODY);
        assert_eq!(new.key_id, "k2");
        assert_eq!(
            open(&keyring, &binding(), &old).expect("k1 still there"),
            BODY
        );
        assert_eq!(open(&keyring, &binding(), &new).expect("k2"), BODY);
        assert_eq!(keyring.ids().collect::<Vec<_>>(), ["k1", "k2"]);

        assert_eq!(
            keyring.set_active("k3").expect_err("absent").kind(),
            ErrorKind::UnknownKey
        );
        keyring
            .add(key("k2", 2))
            .expect("same key again is a no-op");
        assert_eq!(
            keyring.add(key("k2", 3)).expect_err("other secret").kind(),
            ErrorKind::InvalidArgument
        );
    }

    #[test]
    fn key_validation_and_redaction() {
        assert!(DataKey::new("", &[0; 32]).is_err());
        assert!(DataKey::new("has space", &[0; 32]).is_err());
        assert!(DataKey::new(&"k".repeat(33), &[0; 32]).is_err());
        let short = DataKey::new("k1", &[0; 31]).expect_err("short");
        assert_eq!(short.kind(), ErrorKind::InvalidArgument);
        assert_eq!(
            short.to_string(),
            "data key secret must be exactly 32 bytes, found 31 bytes"
        );
        assert!(DataKey::new("k1", &[0; 33]).is_err());

        let key = DataKey::new("k-2026_a", &[0xAB; 32]).expect("valid");
        let shown = format!("{key:?} {:?}", Keyring::new(key.clone()));
        assert_eq!(
            shown,
            "DataKey { id: \"k-2026_a\", secret: <redacted> } \
             Keyring { active: \"k-2026_a\", keys: [\"k-2026_a\"] }"
        );
        assert!(!format!("{:?}", sealed()).contains("SECRET"));
    }
}
