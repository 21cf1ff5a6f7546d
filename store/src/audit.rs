//! The audit log: an append-only, hash-chained record of who read or wrote which record and who
//! ran which group report, kept in the store beside the records.
//!
//! An entry says who (principal and role), what (action and outcome), when (a time the caller
//! supplies), and which unit, record id and client pseudonym it concerned. It never holds content:
//! every field has a narrow shape checked on append, the pseudonym must be a pseudonym, and text
//! that looks like a personnummer or a phone number is refused, so client data cannot reach the
//! log by mistake.
//!
//! Two defences keep history from changing:
//!
//! - SQLite triggers make the table append-only for the application: `UPDATE` and `DELETE` abort,
//!   and an insert must take exactly the next `seq`.
//! - Each entry carries the SHA-256 of its own content, its `seq` and the previous entry's hash
//!   ([`AuditLog::audit_verify`]), so whoever drops the triggers and edits, deletes or reorders
//!   entries leaves a chain that no longer verifies.
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

use bistand_core::identifier::{IdentifierHint, find_identifier_like};
use rusqlite::types::ValueRef;
use rusqlite::{OptionalExtension, Row, Transaction};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind, Result};
use crate::record::{self, NewRecord, RecordId, RecordMeta};
use crate::sqlite::SqliteStore;

/// The `prev_hash` of the first entry, and the head hash of an empty log: 64 zeros.
pub const AUDIT_GENESIS_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// Longest principal, in bytes: room for a user name, an e-mail address or a certificate name.
const MAX_PRINCIPAL_LEN: usize = 128;
/// Longest role, action or outcome, in bytes.
const MAX_TERM_LEN: usize = 64;
/// Entries read per query while verifying: enough to amortise the query, little memory.
const VERIFY_CHUNK: i64 = 512;
/// Prefix of every hashed entry, so an entry's hash can never be mistaken for another hash the
/// system computes (pseudonyms, seals).
const HASH_DOMAIN: &[u8] = b"bistand-audit-v1\0";

/// The columns of an entry, in the order [`raw_entry`] and [`entry_row`] read them.
const COLUMNS: &str =
    "seq, at, principal, role, action, unit, record_id, pseudonym, outcome, prev_hash, hash";

/// What happened, as the caller reports it: who did what, when, to which record, and how it went.
///
/// Every field is checked when the event is appended (see [`AuditLog::audit_append`]); the
/// checks exist so that no content and no personnummer can be written into the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// When it happened, in milliseconds since the Unix epoch. Supplied by the caller, so the
    /// entry carries the time the request was handled rather than the time it was written.
    pub at: i64,
    /// Who acted: a user name, e-mail address or certificate name; 1 to 128 printable ASCII
    /// characters.
    pub principal: String,
    /// The role the principal acted in (`"handlaggare"`, `"analytiker"`); 1 to 64 ASCII letters,
    /// digits, `_`, `-`, `.` or `:`.
    pub role: String,
    /// What was done (`"record.read"`, `"record.write"`, `"report"`); same shape as `role`.
    pub action: String,
    /// The unit the action concerned, if any; the same shape as a record's unit.
    pub unit: Option<String>,
    /// The record the action concerned, if any: a [`RecordId`] as text.
    pub record_id: Option<String>,
    /// The client pseudonym the action concerned, if any. Only a pseudonym is accepted, never a
    /// personnummer.
    pub pseudonym: Option<String>,
    /// How it went (`"ok"`, `"denied"`, `"not_found"`); same shape as `role`.
    pub outcome: String,
}

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
    /// SHA-256, in lowercase hex, of a length-prefixed encoding of `seq`, every field of the
    /// event and `prev_hash`.
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
}

impl AuditEvent {
    /// An event without unit, record or pseudonym; add those with [`AuditEvent::unit`],
    /// [`AuditEvent::record_id`] and [`AuditEvent::pseudonym`].
    pub fn new(
        at: i64,
        principal: impl Into<String>,
        role: impl Into<String>,
        action: impl Into<String>,
        outcome: impl Into<String>,
    ) -> AuditEvent {
        AuditEvent {
            at,
            principal: principal.into(),
            role: role.into(),
            action: action.into(),
            unit: None,
            record_id: None,
            pseudonym: None,
            outcome: outcome.into(),
        }
    }

    /// The same event, about `unit`.
    #[must_use]
    pub fn unit(mut self, unit: impl Into<String>) -> AuditEvent {
        self.unit = Some(unit.into());
        self
    }

    /// The same event, about record `id`.
    #[must_use]
    pub fn record_id(mut self, id: &RecordId) -> AuditEvent {
        self.record_id = Some(id.as_str().to_owned());
        self
    }

    /// The same event, about the client with `pseudonym`.
    #[must_use]
    pub fn pseudonym(mut self, pseudonym: impl Into<String>) -> AuditEvent {
        self.pseudonym = Some(pseudonym.into());
        self
    }

    /// The same event, about the record `meta` describes: its id, pseudonym and unit replace
    /// whatever the event said, so an audited write always names what was written.
    fn about(self, meta: &RecordMeta) -> AuditEvent {
        AuditEvent {
            unit: Some(meta.unit.clone()),
            record_id: Some(meta.id.as_str().to_owned()),
            pseudonym: Some(meta.pseudonym.clone()),
            ..self
        }
    }

    /// Checks every field's shape, so that nothing but identifiers reaches the log. Messages name
    /// the field, never its value.
    pub(crate) fn check(&self) -> Result<()> {
        if self.at < 0 {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "audit time must be milliseconds since the Unix epoch, 0 or later",
            ));
        }
        let printable = |b: u8| (b' '..=b'~').contains(&b);
        check_text("principal", &self.principal, MAX_PRINCIPAL_LEN, printable)?;
        if self.principal.trim().is_empty() {
            return Err(invalid_text("principal", MAX_PRINCIPAL_LEN));
        }
        let term = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':');
        check_text("role", &self.role, MAX_TERM_LEN, term)?;
        check_text("action", &self.action, MAX_TERM_LEN, term)?;
        check_text("outcome", &self.outcome, MAX_TERM_LEN, term)?;
        if let Some(unit) = &self.unit {
            record::check_unit(unit)?;
            check_no_client_data("unit", unit)?;
        }
        if let Some(id) = &self.record_id {
            RecordId::parse(id)?;
        }
        if let Some(pseudonym) = &self.pseudonym {
            record::check_pseudonym(pseudonym)?;
        }
        Ok(())
    }

    /// The text fields in column order, as hashed.
    fn fields(&self) -> [Option<&[u8]>; 7] {
        [
            Some(self.principal.as_bytes()),
            Some(self.role.as_bytes()),
            Some(self.action.as_bytes()),
            self.unit.as_deref().map(str::as_bytes),
            self.record_id.as_deref().map(str::as_bytes),
            self.pseudonym.as_deref().map(str::as_bytes),
            Some(self.outcome.as_bytes()),
        ]
    }
}

impl AuditVerification {
    /// Whether the log verified.
    pub fn is_intact(&self) -> bool {
        matches!(self, AuditVerification::Intact { .. })
    }
}

impl AuditLog for SqliteStore {
    fn audit_append(&self, event: AuditEvent) -> Result<AuditEntry> {
        event.check()?;
        self.write("could not append to the audit log", |tx| append(tx, event))
    }

    fn audit_entries(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        let context = "could not read the audit log";
        let after = i64::try_from(after_seq).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2"
                ))
                .map_err(|e| Error::database(context, e))?;
            let rows = statement
                .query_map([after, limit], entry_row)
                .map_err(|e| Error::database(context, e))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| Error::database(context, e))
        })
    }

    fn audit_verify(&self) -> Result<AuditVerification> {
        verify(self, None)
    }

    fn audit_verify_against(&self, recorded: &AuditHead) -> Result<AuditVerification> {
        let shaped = recorded.hash.len() == 64 && record::is_lower_hex(&recorded.hash);
        if !shaped || (recorded.seq == 0 && recorded.hash != AUDIT_GENESIS_HASH) {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "a recorded audit head must have a hash of 64 lowercase hex digits (64 zeros at \
                 seq 0), as reported by audit_verify",
            ));
        }
        verify(self, Some(recorded))
    }
}

impl SqliteStore {
    /// Inserts `record` like [`Store::put`](crate::Store::put) and appends `event` about it in
    /// the same transaction, so an acknowledged write always has its audit entry and a failed
    /// one has none. The event's record id, pseudonym and unit are set from the stored record.
    ///
    /// # Errors
    ///
    /// As [`Store::put`](crate::Store::put) and [`AuditLog::audit_append`]; nothing is written
    /// when either fails.
    pub fn put_audited(
        &self,
        record: NewRecord,
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)> {
        event.check()?;
        let (mut metas, entry) = self.put_many_with(vec![record], |tx, metas| {
            let meta = metas.first().expect("one record was inserted");
            append(tx, event.about(meta))
        })?;
        Ok((metas.remove(0), entry))
    }

    /// Replaces a record's body like [`Store::update`](crate::Store::update) and appends `event`
    /// about it in the same transaction. The event's record id, pseudonym and unit are set from
    /// the record.
    ///
    /// # Errors
    ///
    /// As [`Store::update`](crate::Store::update) and [`AuditLog::audit_append`]; nothing is
    /// written when either fails.
    pub fn update_audited(
        &self,
        id: &RecordId,
        body: &[u8],
        event: AuditEvent,
    ) -> Result<(RecordMeta, AuditEntry)> {
        event.check()?;
        self.update_with(id, body, |tx, meta| append(tx, event.about(meta)))
    }
}

/// Appends `event` inside `tx`, which must be an `IMMEDIATE` transaction: reading the head and
/// inserting the next entry then happen under the write lock, so two appends never chain to the
/// same head.
fn append(tx: &Transaction<'_>, event: AuditEvent) -> Result<AuditEntry> {
    event.check()?;
    let context = "could not append to the audit log";
    let db = |e| Error::database(context, e);
    let head: Option<(i64, String)> = tx
        .prepare_cached("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
        .map_err(db)?;
    let (last, prev_hash) = head.unwrap_or_else(|| (0, AUDIT_GENESIS_HASH.to_owned()));
    let seq = last.checked_add(1).ok_or_else(|| {
        Error::new(
            ErrorKind::Database,
            "the audit log has no seq left to append",
        )
    })?;
    let hash = chain_hash(seq, event.at, event.fields(), Some(prev_hash.as_bytes()));
    tx.prepare_cached(&format!(
        "INSERT INTO audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
    ))
    .and_then(|mut s| {
        s.execute(rusqlite::params![
            seq,
            event.at,
            event.principal,
            event.role,
            event.action,
            event.unit,
            event.record_id,
            event.pseudonym,
            event.outcome,
            prev_hash,
            hash,
        ])
    })
    .map_err(db)?;
    Ok(AuditEntry {
        seq: u64::try_from(seq).expect("seq is the previous one plus 1, at least 1"),
        event,
        prev_hash,
        hash,
    })
}

/// The hash of an entry: SHA-256 over the domain tag, `seq` and `at` as 8-byte big-endian
/// integers, then each text field and `prev_hash` as a presence byte (0 absent, 1 present) and,
/// when present, an 8-byte big-endian length and the bytes. Lengths make the encoding
/// unambiguous: no two different entries hash the same input.
fn chain_hash(seq: i64, at: i64, fields: [Option<&[u8]>; 7], prev_hash: Option<&[u8]>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(HASH_DOMAIN);
    hasher.update(seq.to_be_bytes());
    hasher.update(at.to_be_bytes());
    for field in fields.into_iter().chain([prev_hash]) {
        match field {
            None => hasher.update([0u8]),
            Some(bytes) => {
                hasher.update([1u8]);
                hasher.update((bytes.len() as u64).to_be_bytes());
                hasher.update(bytes);
            }
        }
    }
    record::hex(hasher.finalize().as_slice())
}

/// An entry as stored, with text read as bytes (a tampered row need not be UTF-8) and absent
/// values kept absent, so verification hashes exactly what is in the file.
struct RawEntry {
    seq: i64,
    at: i64,
    fields: [Option<Vec<u8>>; 7],
    prev_hash: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
}

impl RawEntry {
    /// The hash this entry's content would have at `seq`.
    fn hash_at(&self, seq: i64) -> String {
        chain_hash(
            seq,
            self.at,
            self.fields.each_ref().map(Option::as_deref),
            self.prev_hash.as_deref(),
        )
    }

    fn hash_matches_at(&self, seq: i64) -> bool {
        self.hash.as_deref() == Some(self.hash_at(seq).as_bytes())
    }
}

/// The verification behind [`AuditLog::audit_verify`] and [`AuditLog::audit_verify_against`].
fn verify(store: &SqliteStore, recorded: Option<&AuditHead>) -> Result<AuditVerification> {
    let context = "could not verify the audit log";
    // Only entries present now are checked: appends during a long verification are not chased.
    let last: Option<i64> = store.read(|conn| {
        conn.query_row("SELECT max(seq) FROM audit", [], |row| row.get(0))
            .map_err(|e| Error::database(context, e))
    })?;
    let mut previous_seq: i64 = 0;
    let mut previous_hash: Vec<u8> = AUDIT_GENESIS_HASH.as_bytes().to_vec();
    let mut entries: u64 = 0;
    let broken = |seq: i64, problem| AuditVerification::Broken {
        seq: u64::try_from(seq).unwrap_or(0),
        problem,
    };
    // Keyset pagination by seq, as Store::scan does by rowid: each chunk is a short read. The
    // first chunk starts below 0 so that rows an attacker inserted at seq 0 or below are seen.
    let mut after = i64::MIN;
    while let Some(last) = last {
        let chunk = store.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM audit WHERE seq > ?1 AND seq <= ?2 ORDER BY seq \
                     LIMIT {VERIFY_CHUNK}"
                ))
                .map_err(|e| Error::database(context, e))?;
            let rows = statement
                .query_map([after, last], raw_entry)
                .map_err(|e| Error::database(context, e))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| Error::database(context, e))
        })?;
        let full = chunk.len() as i64 == VERIFY_CHUNK;
        for entry in &chunk {
            let expected = previous_seq + 1;
            let links = entry.prev_hash.as_deref() == Some(previous_hash.as_slice());
            if entry.seq < expected {
                // Only a row inserted at seq 0 or below can come before the first entry.
                return Ok(broken(entry.seq, AuditProblem::Edited));
            }
            if !entry.hash_matches_at(entry.seq) {
                let problem = if !links && belongs_elsewhere(store, entry)? {
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
                // Genuine in itself, but chained to another predecessor than the one stored
                // before it: that predecessor is a replacement (the first entry has none, so
                // there its own link was edited and the hash recomputed).
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
            previous_hash = entry.hash.clone().unwrap_or_default();
            entries += 1;
        }
        match chunk.last() {
            Some(entry) if full => after = entry.seq,
            _ => break,
        }
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
    Ok(AuditVerification::Intact { entries, head })
}

/// Whether `entry`, which does not match its hash where it is, is a genuine entry of another
/// position: the entry its `prev_hash` names is at some seq `m - 1` and its content hashes
/// correctly at `m`. Only called once a problem is found, so the unindexed lookup is fine.
fn belongs_elsewhere(store: &SqliteStore, entry: &RawEntry) -> Result<bool> {
    let Some(prev_hash) = &entry.prev_hash else {
        return Ok(false);
    };
    let predecessor: Option<i64> = if prev_hash.as_slice() == AUDIT_GENESIS_HASH.as_bytes() {
        Some(0)
    } else {
        store.read(|conn| {
            conn.query_row(
                "SELECT seq FROM audit WHERE hash = CAST(?1 AS TEXT) LIMIT 1",
                [prev_hash],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| Error::database("could not verify the audit log", e))
        })?
    };
    Ok(predecessor
        .and_then(|seq| seq.checked_add(1))
        .is_some_and(|seq| seq != entry.seq && entry.hash_matches_at(seq)))
}

/// Reads the [`COLUMNS`] as stored, for verification.
fn raw_entry(row: &Row<'_>) -> rusqlite::Result<RawEntry> {
    let text = |i: usize| -> rusqlite::Result<Option<Vec<u8>>> {
        match row.get_ref(i)? {
            ValueRef::Null => Ok(None),
            ValueRef::Text(bytes) | ValueRef::Blob(bytes) => Ok(Some(bytes.to_vec())),
            other => Err(rusqlite::Error::InvalidColumnType(
                i,
                "audit text column".to_owned(),
                other.data_type(),
            )),
        }
    };
    Ok(RawEntry {
        seq: row.get(0)?,
        at: row.get(1)?,
        fields: [
            text(2)?,
            text(3)?,
            text(4)?,
            text(5)?,
            text(6)?,
            text(7)?,
            text(8)?,
        ],
        prev_hash: text(9)?,
        hash: text(10)?,
    })
}

/// Reads the [`COLUMNS`] as an [`AuditEntry`].
fn entry_row(row: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let seq: i64 = row.get(0)?;
    Ok(AuditEntry {
        // The query asks for seqs above a u64, so none is negative.
        seq: seq.unsigned_abs(),
        event: AuditEvent {
            at: row.get(1)?,
            principal: row.get(2)?,
            role: row.get(3)?,
            action: row.get(4)?,
            unit: row.get(5)?,
            record_id: row.get(6)?,
            pseudonym: row.get(7)?,
            outcome: row.get(8)?,
        },
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}

/// Checks a free-text field: 1 to `max` bytes, each allowed by `allowed`, and nothing that looks
/// like client data.
fn check_text(what: &str, text: &str, max: usize, allowed: impl Fn(u8) -> bool) -> Result<()> {
    if text.is_empty() || text.len() > max || !text.bytes().all(allowed) {
        return Err(invalid_text(what, max));
    }
    check_no_client_data(what, text)
}

fn invalid_text(what: &str, max: usize) -> Error {
    let shape = if what == "principal" {
        "printable ASCII characters, not only spaces"
    } else {
        "ASCII letters, digits, '_', '-', '.' or ':'"
    };
    Error::new(
        ErrorKind::InvalidInput,
        format!("audit {what} must be 1 to {max} {shape}"),
    )
}

/// Refuses text that looks like a personnummer or a phone number: the audit log names staff and
/// records, never clients. (An e-mail address is a normal principal, so it passes.)
fn check_no_client_data(what: &str, text: &str) -> Result<()> {
    match find_identifier_like(text) {
        Some(IdentifierHint::PersonalNumber | IdentifierHint::PhoneNumber) => Err(Error::new(
            ErrorKind::InvalidInput,
            format!(
                "audit {what} looks like a personnummer or phone number; the audit log holds no \
                 client data (use the pseudonym field)"
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::Store;
    use crate::sqlite::tests::{PSEUDONYM, store};

    fn event(n: i64) -> AuditEvent {
        AuditEvent::new(
            1_767_225_600_000 + n,
            "anna.svensson",
            "handlaggare",
            "record.read",
            "ok",
        )
        .unit("Norr")
        .pseudonym(PSEUDONYM)
    }

    fn new_record() -> NewRecord {
        NewRecord {
            pseudonym: PSEUDONYM.to_owned(),
            unit: "Norr".to_owned(),
            instrument: "sue".to_owned(),
            version: "1".to_owned(),
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn a_long_chain_verifies_and_pages() {
        let store = store();
        let count = VERIFY_CHUNK as u64 * 2 + 7;
        let mut last = None;
        for n in 0..count {
            let entry = store.audit_append(event(n as i64)).expect("append");
            assert_eq!(entry.seq, n + 1);
            let expected_prev = last.map_or(AUDIT_GENESIS_HASH.to_owned(), |e: AuditEntry| e.hash);
            assert_eq!(entry.prev_hash, expected_prev);
            last = Some(entry);
        }
        let last = last.expect("entries");
        assert_eq!(
            store.audit_verify().expect("verify"),
            AuditVerification::Intact {
                entries: count,
                head: AuditHead {
                    seq: count,
                    hash: last.hash.clone(),
                },
            }
        );
        let page = store.audit_entries(10, 5).expect("page");
        assert_eq!(
            page.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [11, 12, 13, 14, 15]
        );
        assert_eq!(page[0].event, event(10));
        assert_eq!(store.audit_entries(count, 5).expect("end"), []);
        assert_eq!(store.audit_entries(count - 1, 5).expect("last"), [last]);
    }

    #[test]
    fn an_empty_log_is_intact_at_the_genesis_head() {
        let store = store();
        let genesis = AuditHead {
            seq: 0,
            hash: AUDIT_GENESIS_HASH.to_owned(),
        };
        assert_eq!(
            store.audit_verify().expect("verify"),
            AuditVerification::Intact {
                entries: 0,
                head: genesis.clone(),
            }
        );
        assert!(
            store
                .audit_verify_against(&genesis)
                .expect("verify")
                .is_intact()
        );
        let ahead = AuditHead {
            seq: 3,
            hash: "ab".repeat(32),
        };
        assert_eq!(
            store.audit_verify_against(&ahead).expect("verify"),
            AuditVerification::Broken {
                seq: 1,
                problem: AuditProblem::Truncated,
            }
        );
    }

    #[test]
    fn a_recorded_head_must_be_in_the_chain() {
        let store = store();
        for n in 0..5 {
            store.audit_append(event(n)).expect("append");
        }
        let AuditVerification::Intact { head, .. } = store.audit_verify().expect("verify") else {
            panic!("intact");
        };
        store
            .audit_append(event(5))
            .expect("append after recording");
        assert!(
            store
                .audit_verify_against(&head)
                .expect("verify")
                .is_intact()
        );
        let other = AuditHead {
            seq: head.seq,
            hash: "ab".repeat(32),
        };
        assert_eq!(
            store.audit_verify_against(&other).expect("verify"),
            AuditVerification::Broken {
                seq: 5,
                problem: AuditProblem::Rewritten,
            }
        );
        for bad in [
            AuditHead {
                seq: 2,
                hash: "AB".repeat(32),
            },
            AuditHead {
                seq: 0,
                hash: "ab".repeat(32),
            },
        ] {
            let error = store.audit_verify_against(&bad).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
        }
    }

    #[test]
    fn no_personnummer_or_content_reaches_the_log() {
        let store = store();
        let personnummer = "19811218-9876";
        let cases = [
            AuditEvent {
                principal: personnummer.to_owned(),
                ..event(0)
            },
            AuditEvent {
                principal: format!("user {personnummer}"),
                ..event(0)
            },
            AuditEvent {
                role: personnummer.to_owned(),
                ..event(0)
            },
            AuditEvent {
                action: "8112189876".to_owned(),
                ..event(0)
            },
            AuditEvent {
                outcome: "070-1234567".to_owned(),
                ..event(0)
            },
            AuditEvent {
                unit: Some(format!("Norr {personnummer}")),
                ..event(0)
            },
            AuditEvent {
                pseudonym: Some(personnummer.to_owned()),
                ..event(0)
            },
            AuditEvent {
                pseudonym: Some("198112189876".to_owned()),
                ..event(0)
            },
            AuditEvent {
                record_id: Some(personnummer.to_owned()),
                ..event(0)
            },
            // Shapes: control characters, spaces in terms, empty or overlong fields, negative time.
            AuditEvent {
                principal: "anna\nsvensson".to_owned(),
                ..event(0)
            },
            AuditEvent {
                principal: "   ".to_owned(),
                ..event(0)
            },
            AuditEvent {
                principal: "x".repeat(MAX_PRINCIPAL_LEN + 1),
                ..event(0)
            },
            AuditEvent {
                action: "record read".to_owned(),
                ..event(0)
            },
            AuditEvent {
                role: String::new(),
                ..event(0)
            },
            AuditEvent {
                outcome: "x".repeat(MAX_TERM_LEN + 1),
                ..event(0)
            },
            AuditEvent {
                unit: Some("Norr\u{7}".to_owned()),
                ..event(0)
            },
            AuditEvent { at: -1, ..event(0) },
        ];
        for case in cases {
            let error = store.audit_append(case.clone()).expect_err("refused");
            assert_eq!(error.kind(), ErrorKind::InvalidInput, "{case:?}");
            assert!(!error.to_string().contains("9876"), "{error}");
        }
        assert_eq!(store.audit_entries(0, 100).expect("entries"), []);

        // A staff e-mail address is a normal principal.
        let staff = AuditEvent {
            principal: "anna.svensson@kommun.example".to_owned(),
            ..event(0)
        };
        store.audit_append(staff).expect("e-mail principal");
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
        let base = chain_hash(1, 0, fields("ab", "c"), genesis);
        assert_eq!(base.len(), 64);
        assert!(record::is_lower_hex(&base));
        assert_ne!(base, chain_hash(1, 0, fields("a", "bc"), genesis));
        assert_ne!(base, chain_hash(2, 0, fields("ab", "c"), genesis));
        assert_ne!(base, chain_hash(1, 1, fields("ab", "c"), genesis));
        let mut empty_unit = fields("ab", "c");
        empty_unit[3] = Some(b"");
        assert_ne!(base, chain_hash(1, 0, empty_unit, genesis));
        assert_ne!(base, chain_hash(1, 0, fields("ab", "c"), None));
    }

    #[test]
    fn audited_writes_name_their_record_and_commit_together() {
        let store = store();
        let (meta, entry) = store
            .put_audited(
                new_record(),
                AuditEvent::new(5, "anna.svensson", "handlaggare", "record.write", "ok"),
            )
            .expect("put");
        assert_eq!(entry.seq, 1);
        assert_eq!(entry.event.record_id.as_deref(), Some(meta.id.as_str()));
        assert_eq!(entry.event.pseudonym.as_deref(), Some(PSEUDONYM));
        assert_eq!(entry.event.unit.as_deref(), Some("Norr"));

        let (updated, entry) = store
            .update_audited(
                &meta.id,
                b"{\"v\":2}",
                AuditEvent::new(6, "anna.svensson", "handlaggare", "record.update", "ok"),
            )
            .expect("update");
        assert_eq!(updated.id, meta.id);
        assert_eq!(entry.seq, 2);
        assert_eq!(entry.event.record_id.as_deref(), Some(meta.id.as_str()));
        assert_eq!(store.get(&meta.id).expect("get").body, b"{\"v\":2}");

        // A refused event stores no record; a refused record appends no entry.
        let bad_event = AuditEvent::new(7, "anna", "handlaggare", "record write", "ok");
        assert!(store.put_audited(new_record(), bad_event).is_err());
        let bad_record = NewRecord {
            pseudonym: "19811218-9876".to_owned(),
            ..new_record()
        };
        let good_event = AuditEvent::new(7, "anna", "handlaggare", "record.write", "ok");
        assert!(store.put_audited(bad_record, good_event.clone()).is_err());
        let missing = RecordId::parse(&"0".repeat(32)).expect("id");
        let error = store
            .update_audited(&missing, b"{}", good_event)
            .expect_err("no such record");
        assert_eq!(error.kind(), ErrorKind::NotFound);
        assert_eq!(store.count(&crate::ScanFilter::all()).expect("count"), 1);
        assert_eq!(store.audit_entries(0, 10).expect("entries").len(), 2);
        assert!(store.audit_verify().expect("verify").is_intact());
    }

    #[test]
    fn concurrent_appends_keep_one_chain() {
        let store = Arc::new(store());
        let threads = 8;
        let per_thread = 50;
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let store = Arc::clone(&store);
                std::thread::spawn(move || {
                    for n in 0..per_thread {
                        store.audit_append(event(t * 1000 + n)).expect("append");
                    }
                })
            })
            .collect();
        for handle in handles {
            handle.join().expect("thread");
        }
        let AuditVerification::Intact { entries, head } = store.audit_verify().expect("verify")
        else {
            panic!("concurrent appends broke the chain");
        };
        assert_eq!(entries, (threads * per_thread) as u64);
        assert_eq!(head.seq, entries);
    }

    #[test]
    fn entries_serialise_flat_and_verification_is_tagged() {
        let store = store();
        let entry = store.audit_append(event(0)).expect("append");
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
