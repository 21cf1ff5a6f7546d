//! The one keyed MAC: HMAC-SHA256 of a domain tag followed by parts, under a secret.
//!
//! Every keyed value bistand makes goes through [`keyed_mac`]: pseudonyms, key fingerprints,
//! keyed digests (import identities), secrets derived from the pseudonym key (statistics and
//! audit keys), record and document keys of the statistics, and the audit chain's links. The
//! domain tag separates the purposes, so no value made for one can stand in for another. Parts
//! are concatenated as they are: a caller whose parts vary in length encodes them unambiguously
//! itself (length prefixes), as [`PseudonymKey::keyed_digest`](crate::identifier::PseudonymKey::keyed_digest)
//! and the audit chain do.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Length of a [`keyed_mac`] tag in bytes.
pub const MAC_LEN: usize = 32;

/// HMAC-SHA256 under `secret` of `domain` followed by each of `parts`.
#[must_use]
pub fn keyed_mac(secret: &[u8], domain: &[u8], parts: &[&[u8]]) -> [u8; MAC_LEN] {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(domain);
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// The first 8 bytes of a [`keyed_mac`] as a big-endian integer (the statistics' record and
/// document keys).
#[must_use]
pub fn keyed_u64(secret: &[u8], domain: &[u8], parts: &[&[u8]]) -> u64 {
    let tag = keyed_mac(secret, domain, parts);
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag[..8]);
    u64::from_be_bytes(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit_key::AuditKey;
    use crate::identifier::{PseudonymKey, pseudonymise_case_number};
    use crate::seal::DataKey;
    use crate::stats::perturbation::{RecordKey, StatisticsKey};

    /// Outputs of every keyed construction, computed independently (Python's `hmac` module) from
    /// the encodings documented at each: stored pseudonyms, fingerprints, import identities and
    /// audit links depend on them staying byte for byte what they are.
    #[test]
    fn every_keyed_value_keeps_its_bytes() {
        let pseudonym_key = PseudonymKey::new("p1", &[9; 32]).expect("key");
        assert_eq!(
            pseudonymise_case_number(&pseudonym_key, " eb-2026-0042 ").as_str(),
            "p1:de84a6f15cb6642a46ff1fe5fc060d7e78eea63a88ec5b94eb6a2d60f1bdf81e"
        );
        assert_eq!(
            pseudonym_key.fingerprint(),
            "878c3860caacb64d8f5f1804e0a4d62af70ba307bfc95aa5978719f3121287b8"
        );
        assert_eq!(
            DataKey::new("k1", &[7; 32]).expect("key").fingerprint(),
            "c3bbd2d43985078fcf927c06afecc5e9602460f6477f7777332c1b33964e57a9"
        );
        assert_eq!(
            pseudonym_key.keyed_digest("import", &[b"ab", b"c"]),
            "58c4626e668c1318903c1503dbb1a83681642fa6e943fae711d9bc5d74072c58"
        );
        assert_eq!(
            RecordKey::derive(&[5; 32], "p1:abc").bits(),
            0x2cb7_8ee6_e2c9_34f9
        );
        let statistics = StatisticsKey::derive_from(&pseudonym_key);
        assert_eq!(
            statistics.person(Some("p1:abc"), b"{}").key().bits(),
            0x46c3_8cdd_ec43_9e5c
        );
        assert_eq!(
            statistics.person(None, b"{}").key().bits(),
            0xc5b3_ef26_a1dc_6efd,
            "a person without a pseudonym is keyed by the document"
        );
        let audit = AuditKey::derived_from(&pseudonym_key);
        assert_eq!(
            hex(&audit.mac(b"entry", &[])),
            "3482588a16938080ee7ec8b622738c8d091b2b9fc78e8025ccce7f1d48855ee9"
        );
    }

    #[test]
    fn parts_are_concatenated_after_the_domain() {
        let secret = [3u8; 32];
        assert_eq!(
            keyed_mac(&secret, b"d\0", &[b"ab", b"c"]),
            keyed_mac(&secret, b"d\0abc", &[])
        );
        assert_ne!(
            keyed_mac(&secret, b"d\0", &[b"abc"]),
            keyed_mac(&[4u8; 32], b"d\0", &[b"abc"])
        );
    }

    fn hex(bytes: &[u8]) -> String {
        let mut text = String::new();
        crate::identifier::push_lower_hex(&mut text, bytes);
        text
    }
}
