//! The keys file of the command line: the organisation's pseudonym key and its data keys.
//!
//! ```json
//! { "pseudonym_key": { "id": "p1", "secret_hex": "…64 hex…" },
//!   "data_keys": [ { "id": "k1", "secret_hex": "…64 hex…" } ],
//!   "active_data_key": "k1",
//!   "audit_key": { "id": "a1", "secret_hex": "…64 hex…" } }
//! ```
//!
//! `bistand keys generate` writes a new one (owner-only permissions). Keep it apart from the
//! store: a store without its keys is ciphertext and pseudonyms.

use std::path::Path;

use anyhow::{Context, Result};
pub use bistand_core::keys::Keys;

/// Reads and checks a keys file ([`bistand_core::keys`]). Messages name the key at fault by its
/// place, never a secret.
///
/// # Errors
///
/// If the file cannot be read, is not the documented JSON, or a key is malformed.
pub fn load(path: &Path) -> Result<Keys> {
    let mut json =
        std::fs::read(path).with_context(|| format!("cannot read keys file {}", path.display()))?;
    let keys = bistand_core::keys::parse_keys(&json);
    zeroize::Zeroize::zeroize(&mut json);
    keys.map_err(|e| anyhow::anyhow!("keys file {}: {e}", path.display()))
}

/// 32 bytes from the system random source, as 64 hex digits: a token.
pub(crate) fn random_secret_hex() -> Result<String> {
    Ok(hex::encode(random_secret()?))
}

fn random_secret() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
    Ok(bytes)
}

/// A new keys file with random keys, as JSON.
pub(crate) fn generate() -> Result<String> {
    let mut pseudonym = random_secret()?;
    let mut data = random_secret()?;
    let mut statistics = random_secret()?;
    let mut audit = random_secret()?;
    let json =
        bistand_core::keys::new_keys_json_with_audit(&pseudonym, &data, Some(&statistics), &audit);
    zeroize::Zeroize::zeroize(&mut pseudonym);
    zeroize::Zeroize::zeroize(&mut data);
    zeroize::Zeroize::zeroize(&mut statistics);
    zeroize::Zeroize::zeroize(&mut audit);
    Ok(json)
}
