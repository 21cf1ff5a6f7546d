//! The hash chain of the audit log, for every backend: how an entry is hashed and linked to the
//! one before it ([`link`]), and how a log is checked ([`verify`]), as functions over entries that
//! a backend reads however it stores them.
//!
//! Nothing here touches storage. A backend appends by reading its head and storing what [`link`]
//! returns, in one transaction that serialises appends; it verifies by handing [`verify`] its
//! entries in seq order (as a lazy iterator, so a large log is never held in memory) and a
//! lookup of an entry's seq by its hash, which is only used once a problem is found.
//!
//! Over 700 lines as one cohesive thing: more than half is the tests, every attack on the chain
//! (with and without the audit key) checked here without any backend, which is what lets a second
//! backend trust the chain without repeating them.

use bistand_core::audit_key::AuditKey;
use sha2::{Digest, Sha256};

use super::{AuditEntry, AuditEvent, AuditHead, AuditProblem, AuditVerification};
use crate::error::{Error, ErrorKind, Result};
use crate::record;

/// The `prev_hash` of the first entry, and the head hash of an empty log: 64 zeros.
pub const AUDIT_GENESIS_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Prefix of every hashed entry, so an entry's hash can never be mistaken for another hash the
/// system computes (pseudonyms, seals).
const HASH_DOMAIN: &[u8] = b"bistand-audit-v1\0";

/// Prefix of every MACed entry: another tag than the unkeyed hash's, so the two encodings never
/// coincide even under a key equal to nothing.
const MAC_DOMAIN: &[u8] = b"bistand-audit-v2\0";

/// How entries are linked: with the audit key (every store the shells open) or, for a store
/// opened without one (tests, logs from before the key), with plain SHA-256.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Chain<'a> {
    /// SHA-256 of the documented encoding: anyone with the file can recompute it.
    Unkeyed,
    /// HMAC-SHA256 under the audit key: rewriting the chain needs the key.
    Keyed(&'a AuditKey),
    /// Either form, entry by entry: only to check a log once before relinking it under the key
    /// ([`AuditLog::audit_rekey`](crate::AuditLog::audit_rekey)).
    Migrating(&'a AuditKey),
}

/// An entry as a backend stored it, for verification: text read as bytes (a tampered row need
/// not be UTF-8) and absent values kept absent, so verification hashes exactly what is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredEntry {
    /// The stored seq; signed, since a tampered store may hold any integer.
    pub(crate) seq: i64,
    pub(crate) at: i64,
    /// principal, role, action, unit, record id, pseudonym, outcome, in that order.
    pub(crate) fields: [Option<Vec<u8>>; 7],
    pub(crate) prev_hash: Option<Vec<u8>>,
    pub(crate) hash: Option<Vec<u8>>,
    /// The record state of an audited write (absent for other entries and old logs).
    pub(crate) record_state: Option<Vec<u8>>,
}

impl StoredEntry {
    /// The hash this entry's content would have at `seq`, chained with `prev_hash`.
    fn hash_with(&self, chain: Chain<'_>, seq: i64, prev_hash: Option<&[u8]>) -> String {
        chain_hash(
            chain,
            seq,
            self.at,
            self.fields.each_ref().map(Option::as_deref),
            prev_hash,
            self.record_state.as_deref(),
        )
    }

    fn hash_matches_at(&self, chain: Chain<'_>, seq: i64) -> bool {
        let matches = |chain| {
            self.hash.as_deref()
                == Some(
                    self.hash_with(chain, seq, self.prev_hash.as_deref())
                        .as_bytes(),
                )
        };
        match chain {
            Chain::Migrating(key) => matches(Chain::Keyed(key)) || matches(Chain::Unkeyed),
            chain => matches(chain),
        }
    }

    /// The hash of this entry relinked under `key` after `prev_hash`, for
    /// [`AuditLog::audit_rekey`](crate::AuditLog::audit_rekey); the entry must have verified.
    pub(crate) fn relinked(&self, key: &AuditKey, prev_hash: &str) -> String {
        self.hash_with(Chain::Keyed(key), self.seq, Some(prev_hash.as_bytes()))
    }
}

impl From<&AuditEntry> for StoredEntry {
    fn from(entry: &AuditEntry) -> StoredEntry {
        StoredEntry {
            seq: i64::try_from(entry.seq).unwrap_or(i64::MAX),
            at: entry.event.at,
            fields: entry.event.fields().map(|field| field.map(<[u8]>::to_vec)),
            prev_hash: Some(entry.prev_hash.as_bytes().to_vec()),
            hash: Some(entry.hash.as_bytes().to_vec()),
            record_state: entry
                .event
                .record_state
                .as_ref()
                .map(|s| s.as_bytes().to_vec()),
        }
    }
}

/// The entry that appends `event` to a log whose last entry has `head` (`None` for an empty log):
/// the next seq, chained to that entry's hash. The backend stores it as returned, in the same
/// transaction that read `head`, so two appends never chain to the same head.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] if a field of `event` has the wrong shape;
/// [`ErrorKind::Database`] if the log has no seq left.
pub(crate) fn link(
    chain: Chain<'_>,
    head: Option<(i64, String)>,
    event: AuditEvent,
) -> Result<AuditEntry> {
    event.check()?;
    let (last, prev_hash) = head.unwrap_or_else(|| (0, AUDIT_GENESIS_HASH.to_owned()));
    let seq = last
        .checked_add(1)
        .and_then(|seq| u64::try_from(seq).ok())
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Database,
                "the audit log has no seq left to append",
            )
        })?;
    let hash = chain_hash(
        chain,
        i64::try_from(seq).expect("seq is an i64 plus 1 that did not overflow"),
        event.at,
        event.fields(),
        Some(prev_hash.as_bytes()),
        event.record_state.as_deref().map(str::as_bytes),
    );
    Ok(AuditEntry {
        seq,
        event,
        prev_hash,
        hash,
    })
}

/// Checks the shape of a head recorded by an earlier verification, before a backend reads its
/// log for [`AuditLog::audit_verify_against`](crate::AuditLog::audit_verify_against).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] if `recorded.hash` is not 64 lowercase hex digits, or a head of
/// seq 0 has another hash than [`AUDIT_GENESIS_HASH`].
pub(crate) fn check_recorded_head(recorded: &AuditHead) -> Result<()> {
    let shaped = recorded.hash.len() == 64 && record::is_lower_hex(&recorded.hash);
    if !shaped || (recorded.seq == 0 && recorded.hash != AUDIT_GENESIS_HASH) {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "a recorded audit head must have a hash of 64 lowercase hex digits (64 zeros at \
             seq 0), as reported by audit_verify",
        ));
    }
    Ok(())
}

/// Checks `entries`, which must come in ascending seq order, against their hashes and the chain,
/// and (with `recorded`) that a head recorded earlier is still in it. Stops reading at the first
/// problem.
///
/// `seq_of_hash` finds the seq of the stored entry whose hash is the given bytes, anywhere in the
/// log; it is only called for an entry that does not match its hash, to tell a reordered entry
/// from an edited one.
///
/// Under [`Chain::Keyed`], an entry that matches its unkeyed hash but not its MAC is
/// [`AuditProblem::Unkeyed`]: linked without the key, either a log from before the key that
/// [`AuditLog::audit_rekey`](crate::AuditLog::audit_rekey) has not relinked yet, or a chain
/// recomputed by someone without the key.
///
/// # Errors
///
/// The first error of `entries` or `seq_of_hash`, unchanged.
pub(crate) fn verify(
    chain: Chain<'_>,
    entries: impl IntoIterator<Item = Result<StoredEntry>>,
    recorded: Option<&AuditHead>,
    mut seq_of_hash: impl FnMut(&[u8]) -> Result<Option<i64>>,
) -> Result<AuditVerification> {
    let mut previous_seq: i64 = 0;
    let mut previous_hash: Vec<u8> = AUDIT_GENESIS_HASH.as_bytes().to_vec();
    let mut count: u64 = 0;
    let broken = |seq: i64, problem| AuditVerification::Broken {
        seq: u64::try_from(seq).unwrap_or(0),
        problem,
    };
    for entry in entries {
        let entry = entry?;
        let expected = previous_seq + 1;
        let links = entry.prev_hash.as_deref() == Some(previous_hash.as_slice());
        if entry.seq < expected {
            // Only an entry stored at seq 0 or below can come before the first entry.
            return Ok(broken(entry.seq, AuditProblem::Edited));
        }
        if !entry.hash_matches_at(chain, entry.seq) {
            let problem = if matches!(chain, Chain::Keyed(_))
                && entry.hash_matches_at(Chain::Unkeyed, entry.seq)
            {
                AuditProblem::Unkeyed
            } else if !links && belongs_elsewhere(chain, &entry, &mut seq_of_hash)? {
                AuditProblem::Reordered
            } else {
                AuditProblem::Edited
            };
            return Ok(broken(entry.seq, problem));
        }
        if entry.seq != expected {
            return Ok(broken(expected, AuditProblem::Removed));
        }
        if !links {
            // Genuine in itself, but chained to another predecessor than the one stored before
            // it: that predecessor is a replacement (the first entry has none, so there its own
            // link was edited and the hash recomputed).
            return Ok(match entry.seq {
                1 => broken(1, AuditProblem::Edited),
                seq => broken(seq - 1, AuditProblem::Removed),
            });
        }
        if let Some(recorded) = recorded {
            let at_recorded = u64::try_from(entry.seq).is_ok_and(|s| s == recorded.seq);
            if at_recorded && entry.hash.as_deref() != Some(recorded.hash.as_bytes()) {
                return Ok(broken(entry.seq, AuditProblem::Rewritten));
            }
        }
        previous_seq = entry.seq;
        previous_hash = entry.hash.unwrap_or_default();
        count += 1;
    }
    let head = AuditHead {
        seq: u64::try_from(previous_seq).expect("seqs verified so far start at 1"),
        hash: String::from_utf8(previous_hash).expect("verified hashes are our lowercase hex"),
    };
    if let Some(recorded) = recorded
        && recorded.seq > head.seq
    {
        return Ok(broken(previous_seq + 1, AuditProblem::Truncated));
    }
    Ok(AuditVerification::Intact {
        entries: count,
        head,
    })
}

/// [`verify`] over entries held in memory, in ascending seq order.
#[cfg(test)]
pub(crate) fn verify_slice(
    entries: &[StoredEntry],
    recorded: Option<&AuditHead>,
) -> AuditVerification {
    let seq_of_hash = |hash: &[u8]| {
        Ok(entries
            .iter()
            .find(|entry| entry.hash.as_deref() == Some(hash))
            .map(|entry| entry.seq))
    };
    verify(
        Chain::Unkeyed,
        entries.iter().cloned().map(Ok),
        recorded,
        seq_of_hash,
    )
    .expect("entries in memory and their lookup cannot fail")
}

/// Whether `entry`, which does not match its hash where it is, is a genuine entry of another
/// position: the entry its `prev_hash` names is at some seq `m - 1` and its content hashes
/// correctly at `m`.
fn belongs_elsewhere(
    chain: Chain<'_>,
    entry: &StoredEntry,
    seq_of_hash: &mut impl FnMut(&[u8]) -> Result<Option<i64>>,
) -> Result<bool> {
    let Some(prev_hash) = &entry.prev_hash else {
        return Ok(false);
    };
    let predecessor = if prev_hash.as_slice() == AUDIT_GENESIS_HASH.as_bytes() {
        Some(0)
    } else {
        seq_of_hash(prev_hash)?
    };
    Ok(predecessor
        .and_then(|seq| seq.checked_add(1))
        .is_some_and(|seq| seq != entry.seq && entry.hash_matches_at(chain, seq)))
}

/// The hash of an entry: SHA-256 ([`Chain::Unkeyed`]) or HMAC-SHA256 under the audit key
/// ([`Chain::Keyed`], with another domain tag) over the domain tag, `seq` and `at` as 8-byte
/// big-endian integers, then each text field and `prev_hash` as a presence byte (0 absent, 1
/// present) and, when present, an 8-byte big-endian length and the bytes; then, only for an
/// entry with a record state, the state the same way (so entries without one hash as they did
/// before states existed). Lengths make the encoding unambiguous: no two different entries hash
/// the same input.
fn chain_hash(
    chain: Chain<'_>,
    seq: i64,
    at: i64,
    fields: [Option<&[u8]>; 7],
    prev_hash: Option<&[u8]>,
    record_state: Option<&[u8]>,
) -> String {
    let mut encoded = Vec::with_capacity(256);
    encoded.extend_from_slice(&seq.to_be_bytes());
    encoded.extend_from_slice(&at.to_be_bytes());
    let state = record_state.map(Some);
    for field in fields.into_iter().chain([prev_hash]).chain(state) {
        match field {
            None => encoded.push(0),
            Some(bytes) => {
                encoded.push(1);
                encoded.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
                encoded.extend_from_slice(bytes);
            }
        }
    }
    match chain {
        Chain::Unkeyed => {
            let mut hasher = Sha256::new();
            hasher.update(HASH_DOMAIN);
            hasher.update(&encoded);
            record::hex(hasher.finalize().as_slice())
        }
        Chain::Keyed(key) | Chain::Migrating(key) => record::hex(&key.mac(MAC_DOMAIN, &[&encoded])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PSEUDONYM: &str = "p1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn event(n: i64) -> AuditEvent {
        AuditEvent::new(
            1_767_225_600_000 + n,
            format!("user{}", n % 3),
            "handlaggare",
            "record.read",
            "ok",
        )
        .unit("norr")
        .pseudonym(PSEUDONYM)
    }

    /// A log of `n` entries, linked in memory as a backend would store them.
    fn chain(n: i64) -> Vec<StoredEntry> {
        let mut head = None;
        let mut entries = Vec::new();
        for i in 1..=n {
            let entry = link(Chain::Unkeyed, head.take(), event(i)).expect("link");
            head = Some((i, entry.hash.clone()));
            entries.push(StoredEntry::from(&entry));
        }
        entries
    }

    fn broken(seq: u64, problem: AuditProblem) -> AuditVerification {
        AuditVerification::Broken { seq, problem }
    }

    #[test]
    fn the_encoding_is_unambiguous() {
        let fields = |a: &'static str, b: &'static str| {
            [
                Some(a.as_bytes()),
                Some(b.as_bytes()),
                None,
                None,
                None,
                None,
                Some(&b"ok"[..]),
            ]
        };
        let genesis = Some(AUDIT_GENESIS_HASH.as_bytes());
        let base = chain_hash(Chain::Unkeyed, 1, 0, fields("ab", "c"), genesis, None);
        assert_eq!(base.len(), 64);
        assert!(record::is_lower_hex(&base));
        assert_ne!(
            base,
            chain_hash(Chain::Unkeyed, 1, 0, fields("a", "bc"), genesis, None)
        );
        assert_ne!(
            base,
            chain_hash(Chain::Unkeyed, 2, 0, fields("ab", "c"), genesis, None)
        );
        assert_ne!(
            base,
            chain_hash(Chain::Unkeyed, 1, 1, fields("ab", "c"), genesis, None)
        );
        let mut empty_unit = fields("ab", "c");
        empty_unit[3] = Some(b"");
        assert_ne!(
            base,
            chain_hash(Chain::Unkeyed, 1, 0, empty_unit, genesis, None)
        );
        assert_ne!(
            base,
            chain_hash(Chain::Unkeyed, 1, 0, fields("ab", "c"), None, None)
        );
    }

    #[test]
    fn a_record_state_is_hashed_and_entries_without_one_hash_as_before() {
        let fields = [
            Some(&b"a"[..]),
            Some(b"r"),
            Some(b"x"),
            None,
            None,
            None,
            Some(b"ok"),
        ];
        let genesis = Some(AUDIT_GENESIS_HASH.as_bytes());
        let plain = chain_hash(Chain::Unkeyed, 1, 0, fields, genesis, None);
        // The unkeyed encoding of an entry without a state, computed as before states existed.
        let mut hasher = Sha256::new();
        hasher.update(HASH_DOMAIN);
        hasher.update(1i64.to_be_bytes());
        hasher.update(0i64.to_be_bytes());
        for field in fields.into_iter().chain([genesis]) {
            match field {
                None => hasher.update([0u8]),
                Some(bytes) => {
                    hasher.update([1u8]);
                    hasher.update((bytes.len() as u64).to_be_bytes());
                    hasher.update(bytes);
                }
            }
        }
        assert_eq!(plain, record::hex(hasher.finalize().as_slice()));
        let with_state = chain_hash(Chain::Unkeyed, 1, 0, fields, genesis, Some(b"1:5:5"));
        assert_ne!(plain, with_state);
        assert_ne!(
            with_state,
            chain_hash(Chain::Unkeyed, 1, 0, fields, genesis, Some(b"2:5:5"))
        );
    }

    #[test]
    fn a_keyed_link_keeps_its_bytes() {
        let key = AuditKey::new("a1", &[1; 32]).expect("key");
        let fields = [
            Some(&b"a"[..]),
            Some(b"r"),
            Some(b"x"),
            None,
            None,
            None,
            Some(b"ok"),
        ];
        let genesis = Some(AUDIT_GENESIS_HASH.as_bytes());
        // Computed independently (Python's hmac) from the encoding documented at `chain_hash`:
        // stored keyed logs verify only while this stays the same.
        assert_eq!(
            chain_hash(Chain::Keyed(&key), 1, 0, fields, genesis, Some(b"1:5:5")),
            "2caf9af9a36c4d01f551c6c8bfbd232b77552fc89b7c99524c3fbaf05cd01912"
        );
    }

    /// A keyed log of `n` entries.
    fn keyed_chain(key: &AuditKey, n: i64) -> Vec<StoredEntry> {
        let mut head = None;
        let mut entries = Vec::new();
        for i in 1..=n {
            let entry = link(Chain::Keyed(key), head.take(), event(i)).expect("link");
            head = Some((i, entry.hash.clone()));
            entries.push(StoredEntry::from(&entry));
        }
        entries
    }

    fn verify_keyed(chain: Chain<'_>, entries: &[StoredEntry]) -> AuditVerification {
        let seq_of_hash = |hash: &[u8]| {
            Ok(entries
                .iter()
                .find(|entry| entry.hash.as_deref() == Some(hash))
                .map(|entry| entry.seq))
        };
        verify(chain, entries.iter().cloned().map(Ok), None, seq_of_hash).expect("in memory")
    }

    /// Issue 13: with the file alone, an entry edited and the chain after it recomputed with the
    /// documented encoding verified as intact. Under the key it no longer does.
    #[test]
    fn a_keyed_chain_cannot_be_recomputed_without_the_key() {
        let key = AuditKey::new("a1", &[4u8; 32]).expect("key");
        let entries = keyed_chain(&key, 10);
        assert!(verify_keyed(Chain::Keyed(&key), &entries).is_intact());
        // The unkeyed check does not accept MACs: the two encodings differ.
        assert_eq!(
            verify_keyed(Chain::Unkeyed, &entries),
            broken(1, AuditProblem::Edited)
        );

        // Edit entry 5 and relink it and every later entry with the unkeyed encoding (from entry
        // 5 on, or the whole log, which then verifies without the key).
        for (start, found_at) in [(4, 5), (0, 1)] {
            let mut forged = entries.clone();
            forged[4].fields[6] = Some(b"denied".to_vec());
            for i in start..forged.len() {
                let prev = match i {
                    0 => AUDIT_GENESIS_HASH.as_bytes().to_vec(),
                    i => forged[i - 1].hash.clone().expect("hash"),
                };
                forged[i].prev_hash = Some(prev.clone());
                let hash = forged[i].hash_with(Chain::Unkeyed, forged[i].seq, Some(&prev));
                forged[i].hash = Some(hash.into_bytes());
            }
            if start == 0 {
                assert!(
                    verify_slice(&forged, None).is_intact(),
                    "what the attack relied on"
                );
            }
            assert_eq!(
                verify_keyed(Chain::Keyed(&key), &forged),
                broken(found_at, AuditProblem::Unkeyed)
            );
        }

        // Relinked under another key: edited.
        let other = AuditKey::new("a1", &[5u8; 32]).expect("key");
        let mut forged = entries.clone();
        for i in 4..forged.len() {
            let prev = String::from_utf8(forged[i - 1].hash.clone().expect("hash")).expect("hex");
            forged[i].prev_hash = Some(prev.clone().into_bytes());
            forged[i].hash = Some(forged[i].relinked(&other, &prev).into_bytes());
        }
        assert_eq!(
            verify_keyed(Chain::Keyed(&key), &forged),
            broken(5, AuditProblem::Edited)
        );
    }

    #[test]
    fn an_unkeyed_log_is_accepted_only_while_migrating_and_relinks_under_the_key() {
        let key = AuditKey::new("a1", &[4u8; 32]).expect("key");
        let mut entries = chain(6);
        // Appends under the key after an upgrade continue the unkeyed log.
        let last = String::from_utf8(entries[5].hash.clone().expect("hash")).expect("hex");
        let entry = link(Chain::Keyed(&key), Some((6, last)), event(7)).expect("link");
        entries.push(StoredEntry::from(&entry));
        assert_eq!(
            verify_keyed(Chain::Keyed(&key), &entries),
            broken(1, AuditProblem::Unkeyed)
        );
        assert!(verify_keyed(Chain::Migrating(&key), &entries).is_intact());

        let mut prev = AUDIT_GENESIS_HASH.to_owned();
        for entry in &mut entries {
            let hash = entry.relinked(&key, &prev);
            entry.prev_hash = Some(prev.into_bytes());
            entry.hash = Some(hash.clone().into_bytes());
            prev = hash;
        }
        assert!(verify_keyed(Chain::Keyed(&key), &entries).is_intact());
    }

    #[test]
    fn a_linked_chain_verifies_and_reports_its_head() {
        let entries = chain(10);
        assert_eq!(
            entries[0].prev_hash.as_deref(),
            Some(AUDIT_GENESIS_HASH.as_bytes())
        );
        assert_eq!(entries[4].prev_hash, entries[3].hash);
        let head = AuditHead {
            seq: 10,
            hash: String::from_utf8(entries[9].hash.clone().expect("hash")).expect("hex"),
        };
        assert_eq!(
            verify_slice(&entries, None),
            AuditVerification::Intact {
                entries: 10,
                head: head.clone(),
            }
        );
        assert!(verify_slice(&entries, Some(&head)).is_intact());
        assert_eq!(
            verify_slice(&[], None),
            AuditVerification::Intact {
                entries: 0,
                head: AuditHead {
                    seq: 0,
                    hash: AUDIT_GENESIS_HASH.to_owned(),
                },
            }
        );
    }

    #[test]
    fn tampering_is_named_without_any_backend() {
        // Edited: any field, or the time.
        let mut entries = chain(10);
        entries[5].fields[6] = Some(b"denied".to_vec());
        assert_eq!(
            verify_slice(&entries, None),
            broken(6, AuditProblem::Edited)
        );
        let mut entries = chain(10);
        entries[5].at = 0;
        assert_eq!(
            verify_slice(&entries, None),
            broken(6, AuditProblem::Edited)
        );
        let mut entries = chain(10);
        entries[5].fields[3] = None;
        assert_eq!(
            verify_slice(&entries, None),
            broken(6, AuditProblem::Edited)
        );

        // Removed: a gap, or the first entry gone.
        let mut entries = chain(10);
        entries.remove(3);
        assert_eq!(
            verify_slice(&entries, None),
            broken(4, AuditProblem::Removed)
        );
        let mut entries = chain(10);
        entries.remove(0);
        assert_eq!(
            verify_slice(&entries, None),
            broken(1, AuditProblem::Removed)
        );

        // Reordered: whole entries swapped, each keeping its stored seq column.
        let mut entries = chain(10);
        let (third, seventh) = (entries[2].clone(), entries[6].clone());
        entries[2] = StoredEntry { seq: 3, ..seventh };
        entries[6] = StoredEntry { seq: 7, ..third };
        assert_eq!(
            verify_slice(&entries, None),
            broken(3, AuditProblem::Reordered)
        );

        // An entry stored below seq 1.
        let mut entries = chain(3);
        entries.insert(
            0,
            StoredEntry {
                seq: 0,
                ..entries[0].clone()
            },
        );
        assert_eq!(
            verify_slice(&entries, None),
            broken(0, AuditProblem::Edited)
        );
    }

    #[test]
    fn a_replaced_entry_and_a_cut_or_rewritten_tail_are_found() {
        // Entry 5 replaced by a genuine-looking one chained to entry 4: entry 6 no longer links.
        let mut entries = chain(10);
        let head4 = Some((
            4,
            String::from_utf8(entries[3].hash.clone().expect("hash")).expect("hex"),
        ));
        let forged = link(
            Chain::Unkeyed,
            head4,
            AuditEvent {
                outcome: "denied".to_owned(),
                ..event(5)
            },
        )
        .expect("forged");
        entries[4] = StoredEntry::from(&forged);
        assert_eq!(
            verify_slice(&entries, None),
            broken(5, AuditProblem::Removed)
        );

        // Truncated: the shorter log verifies alone, not against the head recorded before.
        let entries = chain(10);
        let AuditVerification::Intact { head: recorded, .. } = verify_slice(&entries, None) else {
            panic!("intact");
        };
        assert!(verify_slice(&entries[..7], None).is_intact());
        assert_eq!(
            verify_slice(&entries[..7], Some(&recorded)),
            broken(8, AuditProblem::Truncated)
        );

        // Rewritten: the tail cut and appended to again.
        let mut rewritten = entries[..7].to_vec();
        let mut head = Some((
            7,
            String::from_utf8(entries[6].hash.clone().expect("hash")).expect("hex"),
        ));
        for n in 8..=12 {
            let entry = link(Chain::Unkeyed, head.take(), event(n + 50)).expect("link");
            head = Some((n, entry.hash.clone()));
            rewritten.push(StoredEntry::from(&entry));
        }
        assert!(verify_slice(&rewritten, None).is_intact());
        assert_eq!(
            verify_slice(&rewritten, Some(&recorded)),
            broken(10, AuditProblem::Rewritten)
        );
    }

    #[test]
    fn a_recorded_head_is_checked_for_shape() {
        for bad in [
            AuditHead {
                seq: 2,
                hash: "AB".repeat(32),
            },
            AuditHead {
                seq: 0,
                hash: "ab".repeat(32),
            },
            AuditHead {
                seq: 2,
                hash: "ab".repeat(31),
            },
        ] {
            let error = check_recorded_head(&bad).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
        }
        check_recorded_head(&AuditHead {
            seq: 0,
            hash: AUDIT_GENESIS_HASH.to_owned(),
        })
        .expect("the genesis head");
    }
}
