//! The keys file of the command line: the organisation's pseudonym key and its data keys.
//!
//! ```json
//! { "pseudonym_key": { "id": "p1", "secret_hex": "…64 hex…" },
//!   "data_keys": [ { "id": "k1", "secret_hex": "…64 hex…" } ],
//!   "active_data_key": "k1" }
//! ```
//!
//! `bistand keys generate` writes a new one (owner-only permissions). Keep it apart from the
//! store: a store without its keys is ciphertext and pseudonyms.

use std::path::Path;

use anyhow::{Context, Result, bail};
use bistand_core::identifier::PseudonymKey;
use bistand_store::{DataKey, Keyring};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEntry {
    id: String,
    secret_hex: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeysFile {
    pseudonym_key: KeyEntry,
    data_keys: Vec<KeyEntry>,
    active_data_key: String,
}

/// The keys the store commands need.
pub struct Keys {
    /// The organisation's pseudonym key.
    pub pseudonym: PseudonymKey,
    /// The data keys, with the active one for new writes.
    pub keyring: Keyring,
}

fn secret(entry: &KeyEntry, what: &str) -> Result<Vec<u8>> {
    let hex = entry.secret_hex.as_bytes();
    if hex.len() != 64 || !hex.iter().all(u8::is_ascii_hexdigit) {
        bail!(
            "{what} `{}`: secret_hex must be 64 hexadecimal digits (32 bytes)",
            entry.id
        );
    }
    Ok(hex
        .chunks(2)
        .map(|pair| {
            u8::from_str_radix(std::str::from_utf8(pair).expect("ASCII hex"), 16)
                .expect("checked hex")
        })
        .collect())
}

/// Reads and checks a keys file. Messages name the key at fault, never a secret.
///
/// # Errors
///
/// If the file cannot be read, is not the documented JSON, or a key is malformed.
pub fn load(path: &Path) -> Result<Keys> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read keys file {}", path.display()))?;
    let file: KeysFile = serde_json::from_str(&text).map_err(|e| {
        anyhow::anyhow!(
            "keys file {} must be {{pseudonym_key: {{id, secret_hex}}, data_keys: [{{id, secret_hex}}], active_data_key}} (line {} column {})",
            path.display(),
            e.line(),
            e.column()
        )
    })?;
    let pseudonym = PseudonymKey::new(
        &file.pseudonym_key.id,
        &secret(&file.pseudonym_key, "pseudonym key")?,
    )
    .map_err(|e| anyhow::anyhow!("pseudonym key: {e}"))?;
    let mut data_keys = file.data_keys.iter();
    let Some(first) = data_keys.next() else {
        bail!("keys file has no data keys")
    };
    let mut keyring = Keyring::new(DataKey::new(&first.id, &secret(first, "data key")?)?);
    for entry in data_keys {
        keyring.add(DataKey::new(&entry.id, &secret(entry, "data key")?)?)?;
    }
    keyring.set_active(&file.active_data_key)?;
    Ok(Keys { pseudonym, keyring })
}

/// 32 bytes from the system random source, as 64 hex digits: a key secret or a token.
pub(crate) fn random_secret_hex() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
    Ok(hex::encode(bytes))
}

/// A new keys file with random keys, as JSON.
pub(crate) fn generate() -> Result<String> {
    let file = KeysFile {
        pseudonym_key: KeyEntry {
            id: "p1".into(),
            secret_hex: random_secret_hex()?,
        },
        data_keys: vec![KeyEntry {
            id: "k1".into(),
            secret_hex: random_secret_hex()?,
        }],
        active_data_key: "k1".into(),
    };
    Ok(serde_json::to_string_pretty(&file)?)
}
