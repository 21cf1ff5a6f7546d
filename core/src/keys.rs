//! The keys file: an organisation's pseudonym key and its data keys, as JSON.
//!
//! ```json
//! { "pseudonym_key": { "id": "p1", "secret_hex": "…64 hex digits…" },
//!   "data_keys": [ { "id": "k1", "secret_hex": "…64 hex digits…" } ],
//!   "active_data_key": "k1",
//!   "statistics_key": { "id": "s1", "secret_hex": "…64 hex digits…" },
//!   "audit_key": { "id": "a1", "secret_hex": "…64 hex digits…" } }
//! ```
//!
//! `statistics_key` (optional) is the secret record keys for perturbed reports are derived under;
//! without it, one is derived from the pseudonym key with a domain-separated HMAC.
//!
//! `audit_key` (optional) links the store's audit log; without it, one is derived from the
//! pseudonym key ([`AuditKey::derived_from`], documented there as weaker).
//!
//! One format and one parser for the C ABI's `keys_json`, the command line's `--keys` file and the
//! sidecar's `store.keys`. Messages name the entry at fault by its place (`data_keys[1]`), never
//! by a secret or a key id, and the secrets read are wiped once the keys are built.

use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

use crate::Text;
use crate::audit_key::AuditKey;
use crate::error::{Error, ErrorKind, Result};
use crate::identifier::PseudonymKey;
use crate::seal::{DataKey, Keyring};
use crate::stats::perturbation::StatisticsKey;

/// The keys of one organisation: what pseudonymises client ids and what seals stored records.
#[derive(Debug)]
pub struct Keys {
    /// The pseudonym key.
    pub pseudonym: PseudonymKey,
    /// The data keys, with the active one for new writes.
    pub keyring: Keyring,
    /// The statistics secret record keys are derived under: the file's `statistics_key`, or,
    /// when it has none, one derived from the pseudonym key under a domain tag.
    pub statistics: StatisticsKey,
    /// The key that links the audit log (derived from the pseudonym key when the file has none).
    pub audit: AuditKey,
}

/// One key of the file. The secret is wiped when the entry is dropped.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: String,
    secret_hex: String,
}

impl Drop for KeyEntry {
    fn drop(&mut self) {
        self.secret_hex.zeroize();
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    pseudonym_key: KeyEntry,
    data_keys: Vec<KeyEntry>,
    active_data_key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    statistics_key: Option<KeyEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    audit_key: Option<KeyEntry>,
}

fn invalid(text: Text) -> Error {
    Error::new(ErrorKind::InvalidArgument, text)
}

/// Reads a keys file's JSON.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] when the JSON is not the documented shape (with its line and
/// column only: the text could quote a secret), a secret is not 64 hexadecimal digits, a key id
/// is malformed or repeated, there is no data key, or `active_data_key` names none of them.
pub fn parse_keys(json: &[u8]) -> Result<Keys> {
    let file: KeysFile = serde_json::from_slice(json).map_err(|e| {
        invalid(Text {
            sv: format!(
                "måste vara {{\"pseudonym_key\": {{\"id\", \"secret_hex\"}}, \"data_keys\": \
                 [{{\"id\", \"secret_hex\"}}], \"active_data_key\"}} (rad {} kolumn {})",
                e.line(),
                e.column()
            ),
            en: format!(
                "must be {{\"pseudonym_key\": {{\"id\", \"secret_hex\"}}, \"data_keys\": \
                 [{{\"id\", \"secret_hex\"}}], \"active_data_key\"}} (line {} column {})",
                e.line(),
                e.column()
            ),
        })
    })?;
    let mut secret = decode_secret(&file.pseudonym_key, "pseudonym_key")?;
    let pseudonym = PseudonymKey::new(&file.pseudonym_key.id, &secret);
    secret.zeroize();
    let pseudonym = pseudonym.map_err(|e| {
        invalid(Text {
            sv: format!("pseudonym_key: {}", e.message_sv()),
            en: format!("pseudonym_key: {e}"),
        })
    })?;
    let mut keyring: Option<Keyring> = None;
    for (index, entry) in file.data_keys.iter().enumerate() {
        let what = format!("data_keys[{index}]");
        let mut secret = decode_secret(entry, &what)?;
        let key = DataKey::new(&entry.id, &secret);
        secret.zeroize();
        let in_place = |e: Error| {
            invalid(Text {
                sv: format!("{what}: {}", e.message_sv()),
                en: format!("{what}: {}", e.message_en()),
            })
        };
        let key = key.map_err(in_place)?;
        match keyring.as_mut() {
            None => keyring = Some(Keyring::new(key)),
            Some(keyring) => keyring.add(key).map_err(in_place)?,
        }
    }
    let mut keyring = keyring.ok_or_else(|| {
        invalid(Text {
            sv: "det finns inga datanycklar".into(),
            en: "there are no data keys".into(),
        })
    })?;
    keyring.set_active(&file.active_data_key).map_err(|_| {
        invalid(Text {
            sv: "active_data_key anger ingen nyckel i data_keys".into(),
            en: "active_data_key names no key in data_keys".into(),
        })
    })?;
    let statistics = match &file.statistics_key {
        None => StatisticsKey::derive_from(&pseudonym),
        Some(entry) => {
            let mut secret = decode_secret(entry, "statistics_key")?;
            let key = StatisticsKey::new(&secret);
            secret.zeroize();
            key.map_err(|e| {
                invalid(Text {
                    sv: format!("statistics_key: {}", e.message_sv()),
                    en: format!("statistics_key: {}", e.message_en()),
                })
            })?
        }
    };
    let audit = audit_key(file.audit_key.as_ref(), &pseudonym)?;
    Ok(Keys {
        pseudonym,
        keyring,
        statistics,
        audit,
    })
}

/// The audit key of the file's `audit_key` entry, or derived from the pseudonym key without one.
fn audit_key(entry: Option<&KeyEntry>, pseudonym: &PseudonymKey) -> Result<AuditKey> {
    let Some(entry) = entry else {
        return Ok(AuditKey::derived_from(pseudonym));
    };
    let mut secret = decode_secret(entry, "audit_key")?;
    let key = AuditKey::new(&entry.id, &secret);
    secret.zeroize();
    key.map_err(|e| {
        invalid(Text {
            sv: format!("audit_key: {}", e.message_sv()),
            en: format!("audit_key: {}", e.message_en()),
        })
    })
}

/// [`new_keys_json_with_statistics`] with an audit key of id `a1` as well, as `bistand keys
/// generate` writes.
pub fn new_keys_json_with_audit(
    pseudonym_secret: &[u8; 32],
    data_secret: &[u8; 32],
    statistics_secret: Option<&[u8; 32]>,
    audit_secret: &[u8; 32],
) -> String {
    let mut file: KeysFile = serde_json::from_str(&new_keys_json_with_statistics(
        pseudonym_secret,
        data_secret,
        statistics_secret,
    ))
    .expect("new_keys_json writes a keys file");
    file.audit_key = Some(KeyEntry {
        id: "a1".into(),
        secret_hex: secret_hex(audit_secret),
    });
    serde_json::to_string_pretty(&file).expect("a keys file serialises")
}

/// A new keys file's JSON with ids `p1` and `k1` and the given secrets (the caller draws them:
/// the core has no random source).
pub fn new_keys_json(pseudonym_secret: &[u8; 32], data_secret: &[u8; 32]) -> String {
    new_keys_json_with_statistics(pseudonym_secret, data_secret, None)
}

/// As [`new_keys_json`], with a separate `statistics_key` when given (what `bistand keys
/// generate` writes, so the statistics secret can be rotated or withheld on its own).
pub fn new_keys_json_with_statistics(
    pseudonym_secret: &[u8; 32],
    data_secret: &[u8; 32],
    statistics_secret: Option<&[u8; 32]>,
) -> String {
    let file = KeysFile {
        pseudonym_key: KeyEntry {
            id: "p1".into(),
            secret_hex: secret_hex(pseudonym_secret),
        },
        data_keys: vec![KeyEntry {
            id: "k1".into(),
            secret_hex: secret_hex(data_secret),
        }],
        active_data_key: "k1".into(),
        statistics_key: statistics_secret.map(|secret| KeyEntry {
            id: "s1".into(),
            secret_hex: secret_hex(secret),
        }),
        audit_key: None,
    };
    serde_json::to_string_pretty(&file).expect("a keys file serialises")
}

/// A key id made from random bytes the caller drew: `prefix`, `-` and 8 hex digits (`p-1a2b3c4d`),
/// so keys generated by different organisations or at different times do not share ids.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] if the result is not a key id
/// ([`is_key_id`](crate::identifier::is_key_id)), which only a malformed `prefix` causes.
pub fn random_key_id(prefix: &str, random: [u8; 4]) -> Result<String> {
    let mut id = format!("{prefix}-");
    crate::identifier::push_lower_hex(&mut id, &random);
    if !crate::identifier::is_key_id(&id) {
        return Err(invalid(Text {
            sv: "nyckel-id måste vara 1 till 32 ASCII-bokstäver, siffror, '_' eller '-'".into(),
            en: "a key id must be 1 to 32 ASCII letters, digits, '_' or '-'".into(),
        }));
    }
    Ok(id)
}

/// A new keys file's JSON with the given ids and secrets (see [`random_key_id`]), and a separate
/// `statistics_key` and `audit_key` when given.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] if an id is not a key id.
pub fn new_keys_json_with_ids(
    pseudonym_id: &str,
    pseudonym_secret: &[u8; 32],
    data_id: &str,
    data_secret: &[u8; 32],
    statistics: Option<(&str, &[u8; 32])>,
    audit: Option<(&str, &[u8; 32])>,
) -> Result<String> {
    let file = KeysFile {
        pseudonym_key: KeyEntry {
            id: pseudonym_id.into(),
            secret_hex: secret_hex(pseudonym_secret),
        },
        data_keys: vec![KeyEntry {
            id: data_id.into(),
            secret_hex: secret_hex(data_secret),
        }],
        active_data_key: data_id.into(),
        statistics_key: statistics.map(|(id, secret)| KeyEntry {
            id: id.into(),
            secret_hex: secret_hex(secret),
        }),
        audit_key: audit.map(|(id, secret)| KeyEntry {
            id: id.into(),
            secret_hex: secret_hex(secret),
        }),
    };
    let json = serde_json::to_string_pretty(&file).expect("a keys file serialises");
    // One parser decides what a keys file is: what is written here must read back.
    parse_keys(json.as_bytes())?;
    Ok(json)
}

/// A keys file's JSON with one more data key, `new_id`, made the active one; the pseudonym key
/// and every older data key are kept, so records sealed with them stay readable until resealed.
///
/// # Errors
///
/// [`ErrorKind::InvalidArgument`] if `json` is not a valid keys file ([`parse_keys`]), or
/// `new_id` is not a key id or is already used in the file.
pub fn rotate_keys_json(json: &[u8], new_id: &str, new_secret: &[u8; 32]) -> Result<String> {
    parse_keys(json)?;
    let mut file: KeysFile = serde_json::from_slice(json).expect("parse_keys read this shape");
    let taken = file.pseudonym_key.id == new_id
        || file.data_keys.iter().any(|k| k.id == new_id)
        || file.statistics_key.as_ref().is_some_and(|k| k.id == new_id)
        || file.audit_key.as_ref().is_some_and(|k| k.id == new_id);
    if taken {
        return Err(invalid(Text {
            sv: "den nya datanyckelns id används redan i nyckelfilen".into(),
            en: "the new data key's id is already used in the keys file".into(),
        }));
    }
    file.data_keys.push(KeyEntry {
        id: new_id.into(),
        secret_hex: secret_hex(new_secret),
    });
    file.active_data_key = new_id.into();
    let rotated = serde_json::to_string_pretty(&file).expect("a keys file serialises");
    parse_keys(rotated.as_bytes())?;
    Ok(rotated)
}

fn secret_hex(bytes: &[u8; 32]) -> String {
    let mut text = String::with_capacity(64);
    crate::identifier::push_lower_hex(&mut text, bytes);
    text
}

/// The 32-byte secret of an entry; `what` names the entry by its place.
fn decode_secret(entry: &KeyEntry, what: &str) -> Result<Vec<u8>> {
    let hex = entry.secret_hex.as_bytes();
    if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err(invalid(Text {
            sv: format!("{what}: secret_hex måste vara 64 hexadecimala siffror (32 byte)"),
            en: format!("{what}: secret_hex must be 64 hexadecimal digits (32 bytes)"),
        }));
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'a'..=b'f' => b - b'a' + 10,
        _ => b - b'A' + 10,
    };
    Ok(hex
        .chunks_exact(2)
        .map(|pair| (digit(pair[0]) << 4) | digit(pair[1]))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = r#"{
        "pseudonym_key": {"id": "p1", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101"},
        "data_keys": [
            {"id": "k1", "secret_hex": "0202020202020202020202020202020202020202020202020202020202020202"},
            {"id": "k2", "secret_hex": "a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2a2A2"}
        ],
        "active_data_key": "k2"
    }"#;

    #[test]
    fn a_keys_file_gives_the_pseudonym_key_and_the_keyring() {
        let keys = parse_keys(KEYS.as_bytes()).expect("valid keys");
        assert_eq!(keys.pseudonym.key_id(), "p1");
        assert_eq!(keys.keyring.active().id(), "k2");
    }

    #[test]
    fn a_new_keys_file_reads_back() {
        let json = new_keys_json(&[7; 32], &[9; 32]);
        let keys = parse_keys(json.as_bytes()).expect("valid keys");
        assert_eq!(keys.pseudonym.key_id(), "p1");
        assert_eq!(keys.keyring.active().id(), "k1");
        assert!(json.contains(&"09".repeat(32)));
    }

    #[test]
    fn random_ids_pass_the_key_id_rule_and_rotation_keeps_the_old_keys() {
        let pseudonym_id = random_key_id("p", [0xde, 0xad, 0xbe, 0xef]).expect("id");
        assert_eq!(pseudonym_id, "p-deadbeef");
        assert!(random_key_id("p:", [0; 4]).is_err());
        let json = new_keys_json_with_ids(
            &pseudonym_id,
            &[7; 32],
            "k-00000001",
            &[9; 32],
            Some(("s-00000001", &[5; 32])),
            Some(("a-00000001", &[6; 32])),
        )
        .expect("new keys");
        let keys = parse_keys(json.as_bytes()).expect("reads back");
        assert_eq!(keys.pseudonym.key_id(), "p-deadbeef");
        assert_eq!(keys.keyring.active().id(), "k-00000001");

        let rotated = rotate_keys_json(json.as_bytes(), "k-00000002", &[3; 32]).expect("rotated");
        let after = parse_keys(rotated.as_bytes()).expect("reads back");
        assert_eq!(after.keyring.active().id(), "k-00000002");
        assert_eq!(
            after.keyring.ids().collect::<Vec<_>>(),
            ["k-00000001", "k-00000002"]
        );
        assert_eq!(after.pseudonym.fingerprint(), keys.pseudonym.fingerprint());
        assert_eq!(
            after.keyring.get("k-00000001").expect("kept").fingerprint(),
            keys.keyring.active().fingerprint()
        );
        assert!(rotated.contains("s-00000001"), "the statistics key is kept");
        assert!(rotated.contains("a-00000001"), "the audit key is kept");
        assert_eq!(after.audit.id(), "a-00000001");
        for taken in ["k-00000001", "p-deadbeef", "s-00000001", "a-00000001"] {
            let error = rotate_keys_json(json.as_bytes(), taken, &[3; 32]).expect_err(taken);
            assert!(error.message_en().contains("already used"), "{error}");
        }
        assert!(rotate_keys_json(b"{}", "k2", &[3; 32]).is_err());
    }

    #[test]
    fn the_audit_key_is_read_or_derived_from_the_pseudonym_key() {
        let without = parse_keys(KEYS.as_bytes()).expect("valid keys");
        assert_eq!(without.audit.id(), "from-p1");
        let json = new_keys_json_with_audit(&[7; 32], &[9; 32], None, &[5; 32]);
        let with = parse_keys(json.as_bytes()).expect("valid keys");
        assert_eq!(with.audit.id(), "a1");
        assert!(json.contains(&"05".repeat(32)));
        let tag = |key: &AuditKey| key.mac(b"x", &[]);
        let derived = parse_keys(new_keys_json(&[7; 32], &[9; 32]).as_bytes()).expect("keys");
        assert_ne!(tag(&with.audit), tag(&derived.audit));
        let bad = json.replace(&"05".repeat(32), "05");
        let error = parse_keys(bad.as_bytes()).expect_err("short audit secret");
        assert!(
            error
                .to_string()
                .contains("audit_key: secret_hex must be 64"),
            "{error}"
        );
    }

    #[test]
    fn every_fault_is_named_by_place_in_both_languages_without_a_secret_or_id() {
        let secret_hex = "0101010101010101010101010101010101010101010101010101010101010101";
        let cases = [
            ("", "line 1 column 0"),
            ("[]", "must be"),
            (
                r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101"}, "data_keys": [], "active_data_key": "k1"}"#,
                "pseudonym_key: secret_hex must be 64",
            ),
            (
                &KEYS.replace("\"k2\"\n", "\"k9\"\n"),
                "active_data_key names no key",
            ),
            (
                &KEYS.replace("a2A2", "zz"),
                "data_keys[1]: secret_hex must be 64",
            ),
            (
                &format!(
                    r#"{{"pseudonym_key": {{"id": "p1", "secret_hex": "{secret_hex}"}}, "data_keys": [], "active_data_key": "k1"}}"#
                ),
                "no data keys",
            ),
            (
                &format!(
                    r#"{{"pseudonym_key": {{"id": "p1", "secret_hex": "{secret_hex}", "x": 1}}, "data_keys": [], "active_data_key": "k1"}}"#
                ),
                "must be",
            ),
            (&KEYS.replace("\"k1\"", "\"k2\""), "data_keys[1]:"),
            (&KEYS.replace("\"p1\"", "\"\""), "pseudonym_key:"),
        ];
        for (keys, expected) in cases {
            let error = parse_keys(keys.as_bytes()).expect_err(keys);
            assert_eq!(error.kind(), ErrorKind::InvalidArgument);
            assert!(error.message_en().contains(expected), "{error} for {keys}");
            for message in [error.message_en(), error.message_sv()] {
                assert!(!message.is_empty());
                assert!(!message.contains("0101010101"), "{message}");
                assert!(!message.contains("a2A2"), "{message}");
                assert!(!message.contains("\"k2\""), "{message}");
            }
        }
    }
}
