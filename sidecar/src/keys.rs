//! The keys file of the command line: the organisation's pseudonym key and its data keys.
//!
//! ```json
//! { "pseudonym_key": { "id": "p1", "secret_hex": "…64 hex…" },
//!   "data_keys": [ { "id": "k1", "secret_hex": "…64 hex…" } ],
//!   "active_data_key": "k1",
//!   "audit_key": { "id": "a1", "secret_hex": "…64 hex…" } }
//! ```
//!
//! `bistand keys generate --out FILE` writes a new one (owner-only permissions) with random key
//! ids; `bistand keys rotate` adds a data key (see `cli_keys.rs`). Keep it apart from the
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

/// A new keys file with random secrets and random ids (`p-1a2b3c4d`, `k-5e6f7a8b`, `s-…` for the
/// statistics key, `a-…` for the audit key), as JSON:
/// keys of different organisations, or of one organisation at different times, never share an
/// id.
pub(crate) fn generate() -> Result<String> {
    let mut pseudonym = random_secret()?;
    let mut data = random_secret()?;
    let mut statistics = random_secret()?;
    let mut audit = random_secret()?;
    let json = bistand_core::keys::new_keys_json_with_ids(
        &random_id("p")?,
        &pseudonym,
        &random_id("k")?,
        &data,
        Some((&random_id("s")?, &statistics)),
        Some((&random_id("a")?, &audit)),
    );
    zeroize::Zeroize::zeroize(&mut pseudonym);
    zeroize::Zeroize::zeroize(&mut data);
    zeroize::Zeroize::zeroize(&mut statistics);
    zeroize::Zeroize::zeroize(&mut audit);
    Ok(json?)
}

/// A key id: `prefix-` and 8 random hex digits (checked against the core key-id rule).
pub(crate) fn random_id(prefix: &str) -> Result<String> {
    let mut random = [0u8; 4];
    getrandom::fill(&mut random)
        .map_err(|e| anyhow::anyhow!("the system random source failed: {e}"))?;
    Ok(bistand_core::keys::random_key_id(prefix, random)?)
}

/// 32 random bytes, for a new data key.
pub(crate) fn new_secret() -> Result<[u8; 32]> {
    random_secret()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_have_unique_ids_that_pass_the_key_id_rule() {
        let a = bistand_core::keys::parse_keys(generate().expect("keys").as_bytes()).expect("a");
        let b = bistand_core::keys::parse_keys(generate().expect("keys").as_bytes()).expect("b");
        assert!(a.pseudonym.key_id().starts_with("p-") && a.pseudonym.key_id().len() == 10);
        assert!(a.keyring.active().id().starts_with("k-"));
        assert!(a.audit.id().starts_with("a-"));
        assert_ne!(a.pseudonym.key_id(), b.pseudonym.key_id());
        assert_ne!(a.keyring.active().id(), b.keyring.active().id());
    }
}
