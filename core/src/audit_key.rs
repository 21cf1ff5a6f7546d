//! The audit key: the secret that links a store's audit log, so that rewriting the chain (or the
//! record states it commits to) needs a key kept apart from the database.
//!
//! Each audit entry's link is an HMAC-SHA256 under this key (the store computes it with
//! [`AuditKey::mac`]); whoever holds only the database file can edit it but cannot make a chain
//! that verifies. The keys file carries the key as `"audit_key": {"id", "secret_hex"}`. A keys
//! file without one still works: the key is then derived from the pseudonym key
//! ([`AuditKey::derived_from`]), which keeps the secret out of the database but ties the two
//! purposes to one secret, so `bistand keys generate` writes a separate audit key.

use std::fmt;

use crate::Text;
use crate::error::{Error, ErrorKind, Result};
use crate::identifier::{PseudonymKey, is_key_id};
use crate::mac::{MAC_LEN, keyed_mac};

/// Length of an audit key's secret, in bytes.
pub const AUDIT_KEY_LEN: usize = 32;

/// Domain of the derivation from a pseudonym key: no pseudonym can equal a derived key.
const DERIVE_DOMAIN: &[u8] = b"bistand-audit-key-from-pseudonym-key-v1\0";

/// The secret that MACs audit entries, with a public id. `Debug` never shows the secret, and
/// the secret is overwritten with zeros when the key is dropped.
pub struct AuditKey {
    id: String,
    secret: Box<[u8; AUDIT_KEY_LEN]>,
}

impl AuditKey {
    /// An audit key from a public id and a secret of exactly 32 bytes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidArgument`] if `id` is not a key id or `secret` is not 32 bytes.
    pub fn new(id: &str, secret: &[u8]) -> Result<AuditKey> {
        if !is_key_id(id) {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: "nyckelns id måste vara 1 till 32 ASCII-bokstäver, siffror, _ eller -"
                        .into(),
                    en: "a key id must be 1 to 32 ASCII letters, digits, _ or -".into(),
                },
            ));
        }
        let secret: [u8; AUDIT_KEY_LEN] = secret.try_into().map_err(|_| {
            Error::new(
                ErrorKind::InvalidArgument,
                Text {
                    sv: format!("en granskningsnyckel måste vara {AUDIT_KEY_LEN} byte"),
                    en: format!("an audit key must be {AUDIT_KEY_LEN} bytes"),
                },
            )
        })?;
        Ok(AuditKey {
            id: id.to_owned(),
            secret: Box::new(secret),
        })
    }

    /// The audit key of a keys file that has none: HMAC-SHA256 of a fixed domain under the
    /// pseudonym key, with the pseudonym key's id prefixed by `from-`. Weaker than a key of its
    /// own (one secret then serves two purposes) but still kept apart from the database.
    #[must_use]
    pub fn derived_from(pseudonym: &PseudonymKey) -> AuditKey {
        let secret = pseudonym.derive_secret(DERIVE_DOMAIN);
        // `from-` plus a key id of up to 32 characters may exceed 32; the id is informational,
        // so it is cut rather than refused.
        let mut id = format!("from-{}", pseudonym.key_id());
        id.truncate(32);
        AuditKey {
            id,
            secret: Box::new(secret),
        }
    }

    /// The key's public id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The [`keyed_mac`] of `domain` and `parts` under this key: the 32-byte tag.
    #[must_use]
    pub fn mac(&self, domain: &[u8], parts: &[&[u8]]) -> [u8; MAC_LEN] {
        keyed_mac(self.secret.as_slice(), domain, parts)
    }
}

impl fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditKey")
            .field("id", &self.id)
            .field("secret", &format_args!("<redacted>"))
            .finish()
    }
}

impl Drop for AuditKey {
    fn drop(&mut self) {
        self.secret.fill(0);
        // No volatile write without `unsafe`; black_box keeps the stores from being removed.
        std::hint::black_box(&mut self.secret);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_depend_on_the_key_and_derivation_on_the_pseudonym_key() {
        let a = AuditKey::new("a1", &[1u8; 32]).expect("key");
        let b = AuditKey::new("a2", &[2u8; 32]).expect("key");
        let tag = |key: &AuditKey| key.mac(b"entry", &[]);
        assert_ne!(tag(&a), tag(&b));
        assert_eq!(tag(&a), tag(&AuditKey::new("a1", &[1u8; 32]).expect("key")));

        let p1 = PseudonymKey::new("p1", &[3u8; 32]).expect("key");
        let p2 = PseudonymKey::new("p1", &[4u8; 32]).expect("key");
        let d1 = AuditKey::derived_from(&p1);
        assert_eq!(d1.id(), "from-p1");
        assert_ne!(tag(&d1), tag(&AuditKey::derived_from(&p2)));
        assert_eq!(tag(&d1), tag(&AuditKey::derived_from(&p1)));
        assert!(!format!("{d1:?}").contains("3, 3"));

        assert!(AuditKey::new("a1", &[1u8; 31]).is_err());
        assert!(AuditKey::new("bad id", &[1u8; 32]).is_err());
    }
}
