//! The audit log's model, for every backend: an append-only, hash-chained record of who read or
//! wrote which record and who ran which group report, kept in the store beside the records.
//!
//! An entry says who (principal and role), what (action and outcome), when (a time the caller
//! supplies), and which unit, record id and client pseudonym it concerned. It never holds content:
//! every field has a narrow shape checked on append (`event.rs`), the pseudonym must be a
//! pseudonym, and text that looks like a personnummer or a phone number is refused, so client data
//! cannot reach the log by mistake.
//!
//! This module owns the types and the two traits a backend implements: [`AuditLog`] (append,
//! page, verify) and [`AuditedStore`] (a record write and its entry in one transaction). The hash
//! chain, how an entry is linked and how a log is verified, is `chain.rs`: pure functions over
//! entries, so every backend verifies the same way. Storage is the backend's
//! ([`crate::SqliteStore`]'s is in `sqlite/audit.rs`).
//!
//! Two defences keep history from changing:
//!
//! - The backend makes the log append-only for the application (SQLite: triggers abort `UPDATE`
//!   and `DELETE`, and an insert must take exactly the next `seq`).
//! - Each entry carries a link over its own content, its `seq` and the previous entry's link
//!   ([`AuditLog::audit_verify`]): an HMAC-SHA256 under the audit key, which lives in the keys
//!   file and not in the database, so whoever gets past the first defence and edits, deletes or
//!   reorders entries cannot relink the chain. A store opened without a key links with plain
//!   SHA-256 (tests, logs from before the key; [`AuditLog::audit_rekey`] migrates those once).
//!
//! The entry of an audited write also records the state the write left (revision and
//! timestamps), so `verify_records` can find records rolled back, deleted or re-timestamped.
//!
//! A chain alone cannot show that entries were cut off its end: the shorter log is still a valid
//! chain. That is why verification reports the head (`seq` and hash) for the operator to record
//! elsewhere (a ticket, a signed mail, another system's log), and
//! [`AuditLog::audit_verify_against`] checks that a recorded head is still in the chain.
//!
//! ```
//! use bistand_core::seal::{DataKey, Keyring};
//! use bistand_store::{AuditEvent, AuditLog, AuditVerification, SqliteStore};
//!
//! let store = SqliteStore::open_in_memory(Keyring::new(DataKey::new("k1", &[7u8; 32])?))?;
//! let event = AuditEvent::new(1_767_225_600_000, "anna.svensson", "handlaggare", "report", "ok")
//!     .unit("norr");
//! let entry = store.audit_append(event)?;
//! assert_eq!(entry.seq, 1);
//!
//! let AuditVerification::Intact { entries, head } = store.audit_verify()? else {
//!     panic!("a fresh log verifies");
//! };
//! assert_eq!((entries, head.seq), (1, 1));
//! // The operator records `head` elsewhere; later:
//! assert!(store.audit_verify_against(&head)?.is_intact());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chain;
mod event;

use serde::Serialize;

pub use chain::AUDIT_GENESIS_HASH;
pub(crate) use chain::{Chain, StoredEntry, check_recorded_head, link, verify};
pub(crate) use event::parse_record_state;
pub use event::{AuditEvent, check_principal};
#[cfg(any(test, feature = "conformance"))]
pub(crate) use event::{MAX_PRINCIPAL_LEN, MAX_TERM_LEN};

#[cfg(doc)]
use crate::ErrorKind;
use crate::Store;
use crate::error::Result;
use crate::import::ImportRecord;
use crate::integrity::{RecordFinding, RecordVerification};
use crate::record::{NewRecord, RecordId, RecordMeta};

/// An appended event with its place in the chain.
///
/// Serialised flat: `{"seq", "at", "principal", ..., "prev_hash", "hash"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the log: 1, 2, 3, ... without gaps.
    pub seq: u64,
    /// The event.
    #[serde(flatten)]
    pub event: AuditEvent,
    /// The previous entry's `hash` ([`AUDIT_GENESIS_HASH`] for the first entry).
    pub prev_hash: String,
    /// HMAC-SHA256 under the audit key (SHA-256 in a store opened without one), in lowercase
    /// hex, of a length-prefixed encoding of `seq`, every field of the event and `prev_hash`.
    pub hash: String,
}

/// The last entry of a chain: what the operator records to detect later truncation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditHead {
    /// The last entry's seq (0 for an empty log).
    pub seq: u64,
    /// The last entry's hash ([`AUDIT_GENESIS_HASH`] for an empty log).
    pub hash: String,
}

/// The outcome of verifying the audit log.
///
/// Serialised as `{"status": "intact", "entries", "head"}` or
/// `{"status": "broken", "seq", "problem"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditVerification {
    /// Every entry matches its hash and chains to the one before it.
    Intact {
        /// Number of entries verified.
        entries: u64,
        /// The last entry verified; record it elsewhere to detect truncation later.
        head: AuditHead,
    },
    /// The first problem found, in seq order. The log has been tampered with: the kind of
    /// problem is a best guess at what was done, the seq says where to start looking.
    Broken {
        /// Where the chain first fails; see [`AuditProblem`] for what it names.
        seq: u64,
        /// What was found there.
        problem: AuditProblem,
    },
}

/// What is wrong at the seq an [`AuditVerification::Broken`] names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditProblem {
    /// The entry at seq does not match its hash: a field, its seq or its hash was changed.
    Edited,
    /// The original entry at seq is gone: seq is missing (the first of a gap), or the entry there
    /// is not the one the next entry was chained to (it was replaced by another with a
    /// recomputed hash).
    Removed,
    /// The entry at seq is genuine but belongs elsewhere in the chain: entries were swapped or
    /// renumbered.
    Reordered,
    /// The log ends before a recorded head: entries were cut off its end; seq is the first
    /// missing one.
    Truncated,
    /// The entry at a recorded head's seq has another hash: the chain was recomputed from some
    /// entry at or before seq.
    Rewritten,
    /// The entry at seq is linked with the unkeyed SHA-256 encoding, not the audit key's MAC:
    /// either a log from before the audit key that [`AuditLog::audit_rekey`] has not relinked
    /// yet, or a chain recomputed from seq on by someone without the key.
    Unkeyed,
}

/// An append-only, hash-chained audit log. Implementations are shared between threads.
pub trait AuditLog: Send + Sync {
    /// Appends `event` as the next entry, chained to the current last one, and returns the entry
    /// once it is durable. Concurrent appends (from threads or processes) are serialised, so the
    /// chain stays linear.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if a field has the wrong shape (above all a pseudonym that is
    /// not one, or text that looks like a personnummer); [`ErrorKind::Database`].
    fn audit_append(&self, event: AuditEvent) -> Result<AuditEntry>;

    /// Up to `limit` entries with a seq above `after_seq`, in seq order (page with the last seq
    /// returned). Entries are returned as stored, unverified.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Database`].
    fn audit_entries(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>>;

    /// Checks every entry against its hash and the chain, in seq order, reading the log in short
    /// chunks so that a large log is never held in memory and appends carry on meanwhile. Entries
    /// appended after the check started are not checked.
    ///
    /// A log whose tail was cut off still verifies; record the head this returns and check it
    /// later with [`AuditLog::audit_verify_against`].
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Database`], also for a row whose columns no longer have their types.
    fn audit_verify(&self) -> Result<AuditVerification>;

    /// Like [`AuditLog::audit_verify`], and also checks that `recorded`, a head reported by an
    /// earlier verification, is still in the chain: the log must reach its seq
    /// ([`AuditProblem::Truncated`] otherwise) and the entry there must have its hash
    /// ([`AuditProblem::Rewritten`] otherwise).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if `recorded.hash` is not 64 lowercase hex digits, or a head
    /// of seq 0 has another hash than [`AUDIT_GENESIS_HASH`]; as [`AuditLog::audit_verify`].
    fn audit_verify_against(&self, recorded: &AuditHead) -> Result<AuditVerification>;

    /// Migrates a log to the audit key, once: checks every entry, accepting either the unkeyed
    /// SHA-256 link of a log from before the key or the key's MAC, and if the whole log verifies
    /// relinks every entry under the key, in one transaction. Returns the new head (heads
    /// recorded before no longer match: record this one), or the first problem found, in which
    /// case nothing was changed. Running it on a keyed log rewrites nothing of substance (the
    /// links come out the same).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if the store was opened without an audit key;
    /// [`ErrorKind::Database`].
    fn audit_rekey(&self) -> Result<AuditVerification>;
}

/// A [`Store`] with an [`AuditLog`] whose writes can carry their audit entry: the record and the
/// entry about it are written in one transaction, so an acknowledged write always has its entry
/// and a failed one has none. This is what the shells hold (`Arc<dyn AuditedStore>`), so any
/// backend that implements it can serve them.
pub trait AuditedStore: Store + AuditLog {
    /// Inserts `record` like [`Store::put`] and appends `event` about it in the same transaction.
    /// The event's record id, pseudonym and unit are set from the stored record.
    ///
    /// # Errors
    ///
    /// As [`Store::put`] and [`AuditLog::audit_append`]; nothing is written when either fails.
    fn put_audited(&self, record: NewRecord, event: AuditEvent)
    -> Result<(RecordMeta, AuditEntry)>;

    /// Replaces a record's body like [`Store::update`] and appends `event` about it in the same
    /// transaction. The event's record id, pseudonym and unit are set from the record.
    ///
    /// # Errors
    ///
    /// As [`Store::update`] and [`AuditLog::audit_append`]; nothing is written when either
    /// fails.
    fn update_audited(
        &self,
        id: &RecordId,
        body: &[u8],
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)>;

    /// Like [`AuditedStore::update_audited`], only if the record is still at `revision`
    /// ([`RecordMeta::revision`]): the check and the write are one transaction, so of two
    /// writers that read the same revision exactly one succeeds. What an HTTP `If-Match` needs.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Stale`](crate::ErrorKind::Stale) when the record has another revision
    /// (nothing is written); as [`AuditedStore::update_audited`].
    fn update_audited_if(
        &self,
        id: &RecordId,
        revision: u64,
        body: &[u8],
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)>;

    /// Inserts `record` like [`AuditedStore::put_audited`] unless `key` was seen: the purge of
    /// keys older than [`IDEMPOTENCY_TTL_MS`](crate::IDEMPOTENCY_TTL_MS), the lookup, the record,
    /// the key (with the record's id) and the entry are one transaction, so a record is never
    /// stored without its key nor a key without its record, and of two requests with one key
    /// exactly one writes. A key seen with the same request answers the record it created
    /// ([`Once::Replayed`](crate::Once::Replayed); a fresh create if that record is gone); with
    /// another request, [`Once::Reused`](crate::Once::Reused). Neither writes anything.
    ///
    /// # Errors
    ///
    /// As [`AuditedStore::put_audited`]; nothing is written when it fails.
    fn put_audited_once(
        &self,
        record: NewRecord,
        event: AuditEvent,
        key: &crate::IdempotencyKey,
    ) -> Result<crate::Once<AuditEntry>>;

    /// Imports records idempotently, in one transaction: a record whose identity
    /// ([`ImportRecord::identity`]) the store has seen before is skipped (`None`), every other
    /// one is inserted like [`AuditedStore::put_audited`] with `event` about it, and its
    /// identity remembered (`Some`). Identities repeated within `records` store the first only.
    ///
    /// # Errors
    ///
    /// As [`AuditedStore::put_audited`], and [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// for an identity that is not 64 lowercase hex digits; nothing is written when any fails.
    fn import_audited(
        &self,
        records: Vec<ImportRecord>,
        event: AuditEvent,
    ) -> Result<Vec<Option<RecordMeta>>>;

    /// For each identity, whether a record with it was imported (what a dry run reports as
    /// skipped). Reads only.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a malformed identity;
    /// [`ErrorKind::Database`](crate::ErrorKind::Database).
    fn imported(&self, identities: &[&str]) -> Result<Vec<bool>>;
    /// Walks every stored record against the audit log and reports, by id only, every record
    /// rolled back, deleted, edited or unreadable (see [`RecordProblem`](crate::RecordProblem)).
    /// Judges against the record states the chain commits to: check the chain itself with
    /// [`AuditLog::audit_verify`] too (a broken chain makes these states untrustworthy).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Database`].
    fn verify_records(&self) -> Result<RecordVerification>;

    /// Moves the rows of `findings` out of the records into the quarantine, where they are kept
    /// for forensics and no scan, count or lookup sees them, and appends `event` about each
    /// (with its record id) in the same transaction. Findings without a row (deleted records)
    /// are skipped. Returns the number of rows moved.
    ///
    /// # Errors
    ///
    /// As [`AuditLog::audit_append`] for `event`; [`ErrorKind::Database`]. Nothing is moved
    /// when it fails.
    fn quarantine(&self, findings: &[RecordFinding], event: AuditEvent) -> Result<u64>;
}

impl AuditVerification {
    /// Whether the log verified.
    pub fn is_intact(&self) -> bool {
        matches!(self, AuditVerification::Intact { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_serialise_flat_and_verification_is_tagged() {
        let event = AuditEvent::new(
            1_767_225_600_000,
            "anna.svensson",
            "handlaggare",
            "report",
            "ok",
        );
        let entry = link(Chain::Unkeyed, None, event).expect("link");
        let json = serde_json::to_value(&entry).expect("json");
        assert_eq!(json["seq"], 1);
        assert_eq!(json["principal"], "anna.svensson");
        assert_eq!(json["prev_hash"], AUDIT_GENESIS_HASH);
        let broken = AuditVerification::Broken {
            seq: 3,
            problem: AuditProblem::Removed,
        };
        assert_eq!(
            serde_json::to_value(&broken).expect("json"),
            serde_json::json!({"status": "broken", "seq": 3, "problem": "removed"})
        );
    }
}
