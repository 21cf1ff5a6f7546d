//! The values that go in and out of a [`Store`](crate::Store): record ids, new records, stored
//! records and their metadata, scan filters, and the checks every stored field passes.
//!
//! Only metadata needed for lookup is stored in the clear, and each of those fields has a narrow
//! shape checked here, so a personnummer, a name or a free-text answer cannot end up in a plain
//! column by mistake. The body is opaque bytes (usually a JSON document) and is always sealed.

use std::fmt;

use bistand_core::UnitName;
use bistand_core::identifier::{Pseudonym, is_key_id};

use crate::error::{Error, ErrorKind, Result};

/// Largest accepted record body, in bytes. A FIA or SUE document is a few kilobytes.
pub const MAX_BODY_LEN: usize = 16 * 1024 * 1024;
/// Longest accepted instrument name or version, in bytes.
const MAX_NAME_LEN: usize = 64;
/// A pseudonym's HMAC-SHA256 in lowercase hex.
const PSEUDONYM_HEX_LEN: usize = 64;
/// Bytes in a record id (128 random bits).
pub(crate) const RECORD_ID_BYTES: usize = 16;

/// A record's id: 128 random bits as 32 lowercase hex digits, made by the store on insert.
///
/// It carries nothing about the client, so it may appear in logs and error messages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct RecordId(String);

/// A record to insert: the client's pseudonym, the unit that owns it, the instrument and version
/// its body answers, and the body (plaintext, sealed by the store).
///
/// `Debug` shows the body's length only.
#[derive(Clone)]
pub struct NewRecord {
    /// The client's pseudonym, `"<key_id>:<64 lowercase hex digits>"` as made by
    /// [`bistand_core::identifier::pseudonymise`]. Never a personnummer: anything else is refused.
    pub pseudonym: String,
    /// The unit (team, office) the record belongs to: a unit name ([`UnitName`]); records are
    /// found by unit after NFC and case folding, and keep this spelling.
    pub unit: String,
    /// The instrument the body answers (`"fia"`, `"sue"`): 1 to 64 ASCII letters, digits, `_`,
    /// `-` or `.`.
    pub instrument: String,
    /// The instrument version the body answers, same shape as `instrument`.
    pub version: String,
    /// The plaintext body, at most [`MAX_BODY_LEN`] bytes.
    pub body: Vec<u8>,
}

/// A record's metadata: what is stored in the clear beside the sealed body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordMeta {
    /// The record's id.
    pub id: RecordId,
    /// The client's pseudonym.
    pub pseudonym: String,
    /// The unit the record belongs to.
    pub unit: String,
    /// The instrument the body answers.
    pub instrument: String,
    /// The instrument version the body answers.
    pub version: String,
    /// When the record was inserted, in milliseconds since the Unix epoch.
    pub created_at: i64,
    /// When the body was last written, in milliseconds since the Unix epoch.
    pub updated_at: i64,
    /// Id of the data key the body is sealed with.
    pub key_id: String,
    /// How many times the body was written: 1 for a new record, one more per update (a key
    /// rotation does not count). Bound into the sealed body, so an older body written back
    /// fails to open unless its revision goes back too, which `verify_records` then finds
    /// against the audit log. 0 for records stored before revisions existed.
    pub revision: u64,
}

/// A stored record with its body opened (authenticated and decrypted).
///
/// `Debug` shows the body's length only.
#[derive(Clone, PartialEq, Eq)]
pub struct Record {
    /// The record's metadata.
    pub meta: RecordMeta,
    /// The plaintext body.
    pub body: Vec<u8>,
}

/// Which records a [`Store::scan`](crate::Store::scan) or [`Store::count`](crate::Store::count)
/// visits: every field that is set must match; the default matches every record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScanFilter {
    /// Only records of this unit.
    pub unit: Option<String>,
    /// Only records of this instrument.
    pub instrument: Option<String>,
    /// Only records of this instrument version.
    pub version: Option<String>,
}

/// How far a key rotation has come, as returned by
/// [`Store::reseal_batch`](crate::Store::reseal_batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResealProgress {
    /// Records moved to the active key by this call.
    pub resealed: u64,
    /// Records still sealed with another key after this call.
    pub remaining: u64,
}

impl RecordId {
    /// Parses a record id: exactly 32 lowercase hex digits.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for anything else (the input is not echoed).
    pub fn parse(text: &str) -> Result<RecordId> {
        if text.len() == 2 * RECORD_ID_BYTES && is_lower_hex(text) {
            Ok(RecordId(text.to_owned()))
        } else {
            Err(Error::new(
                ErrorKind::InvalidInput,
                "record id must be 32 lowercase hex digits",
            ))
        }
    }

    /// A record id from 16 random bytes.
    pub(crate) fn from_random(bytes: [u8; RECORD_ID_BYTES]) -> RecordId {
        RecordId(hex(&bytes))
    }

    /// A record id read from the database. Not checked: an altered id fails authentication when
    /// the body is opened, since the id is bound to the body.
    pub(crate) fn from_stored(text: String) -> RecordId {
        RecordId(text)
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl NewRecord {
    /// A new record for the client behind `pseudonym`.
    pub fn new(
        pseudonym: &Pseudonym,
        unit: impl Into<String>,
        instrument: impl Into<String>,
        version: impl Into<String>,
        body: impl Into<Vec<u8>>,
    ) -> NewRecord {
        NewRecord {
            pseudonym: pseudonym.as_str().to_owned(),
            unit: unit.into(),
            instrument: instrument.into(),
            version: version.into(),
            body: body.into(),
        }
    }

    /// Checks every field's shape before anything is sealed or stored.
    pub(crate) fn check(&self) -> Result<()> {
        check_pseudonym(&self.pseudonym)?;
        check_unit(&self.unit)?;
        check_name("instrument", &self.instrument)?;
        check_name("version", &self.version)?;
        check_body(&self.body)
    }
}

impl fmt::Debug for NewRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewRecord")
            .field("pseudonym", &self.pseudonym)
            .field("unit", &self.unit)
            .field("instrument", &self.instrument)
            .field("version", &self.version)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl fmt::Debug for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Record")
            .field("meta", &self.meta)
            .field("body", &format_args!("<{} bytes>", self.body.len()))
            .finish()
    }
}

impl ScanFilter {
    /// A filter that matches every record.
    pub fn all() -> ScanFilter {
        ScanFilter::default()
    }

    /// The same filter, restricted to `unit`.
    #[must_use]
    pub fn unit(mut self, unit: impl Into<String>) -> ScanFilter {
        self.unit = Some(unit.into());
        self
    }

    /// The same filter, restricted to `instrument`.
    #[must_use]
    pub fn instrument(mut self, instrument: impl Into<String>) -> ScanFilter {
        self.instrument = Some(instrument.into());
        self
    }

    /// The same filter, restricted to `version`.
    #[must_use]
    pub fn version(mut self, version: impl Into<String>) -> ScanFilter {
        self.version = Some(version.into());
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        if let Some(unit) = &self.unit {
            check_unit(unit)?;
        }
        if let Some(instrument) = &self.instrument {
            check_name("instrument", instrument)?;
        }
        if let Some(version) = &self.version {
            check_name("version", version)?;
        }
        Ok(())
    }
}

/// Checks that `text` is a pseudonym, `"<key_id>:<64 lowercase hex digits>"`, so nothing else
/// (above all a personnummer) is ever stored or looked up as one.
pub(crate) fn check_pseudonym(text: &str) -> Result<()> {
    let shaped = text.split_once(':').is_some_and(|(key_id, digest)| {
        is_key_id(key_id) && digest.len() == PSEUDONYM_HEX_LEN && is_lower_hex(digest)
    });
    if shaped {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidInput,
            "pseudonym must be `<key id>:<64 lowercase hex digits>` as made by \
             bistand_core::identifier::pseudonymise; a personnummer is never stored",
        ))
    }
}

pub(crate) fn check_name(what: &str, text: &str) -> Result<()> {
    let ok = !text.is_empty()
        && text.len() <= MAX_NAME_LEN
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.');
    if ok {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!("{what} must be 1 to {MAX_NAME_LEN} ASCII letters, digits, '_', '-' or '.'"),
        ))
    }
}

/// Checks `text` against the one unit-name rule ([`UnitName`]).
pub(crate) fn check_unit(text: &str) -> Result<()> {
    UnitName::parse(text).map(|_| ()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidInput,
            format!("unit: {}", bistand_core::unit::rule_text().en),
        )
    })
}

pub(crate) fn check_body(body: &[u8]) -> Result<()> {
    if body.len() <= MAX_BODY_LEN {
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "record body is too large: expected at most {MAX_BODY_LEN} bytes, found {}",
                body.len()
            ),
        ))
    }
}

pub(crate) fn is_lower_hex(text: &str) -> bool {
    text.bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(2 * bytes.len());
    for &b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PSEUDONYM: &str = "k1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn record_ids() {
        let id = RecordId::from_random([0xab; RECORD_ID_BYTES]);
        assert_eq!(id.as_str(), "ab".repeat(16));
        assert_eq!(RecordId::parse(id.as_str()).expect("round trip"), id);
        for bad in [
            "",
            "AB".repeat(16).as_str(),
            &"a".repeat(31),
            &"g".repeat(32),
        ] {
            let error = RecordId::parse(bad).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn only_pseudonyms_pass_as_pseudonyms() {
        check_pseudonym(PSEUDONYM).expect("pseudonym");
        for bad in [
            "19811218-9876",
            "198112189876",
            ":0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "k1:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
            "k1:0123",
            "k 1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            let error = check_pseudonym(bad).expect_err(bad);
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(!error.to_string().contains("9876"));
        }
    }

    #[test]
    fn new_record_checks_every_field_and_hides_the_body() {
        let good = NewRecord {
            pseudonym: PSEUDONYM.to_owned(),
            unit: "Försörjningsstöd Norr".to_owned(),
            instrument: "sue".to_owned(),
            version: "1".to_owned(),
            body: b"{\"secret\":1}".to_vec(),
        };
        good.check().expect("valid");
        assert!(!format!("{good:?}").contains("secret"));
        let cases = [
            NewRecord {
                unit: String::new(),
                ..good.clone()
            },
            NewRecord {
                unit: "a\nb".to_owned(),
                ..good.clone()
            },
            NewRecord {
                instrument: "s u e".to_owned(),
                ..good.clone()
            },
            NewRecord {
                version: String::new(),
                ..good.clone()
            },
            NewRecord {
                body: vec![0; MAX_BODY_LEN + 1],
                ..good.clone()
            },
        ];
        for case in cases {
            assert_eq!(
                case.check().expect_err("refused").kind(),
                ErrorKind::InvalidInput
            );
        }
    }
}
