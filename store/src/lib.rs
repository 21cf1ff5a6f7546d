//! `bistand-store`: persistence of sealed, pseudonymised FIA and SUE records.
//!
//! Every record is a body (a JSON document, opaque here) plus the few fields lookup needs: the
//! client's pseudonym, the unit, the instrument and its version, timestamps and the id of the data
//! key. The body is sealed with XChaCha20-Poly1305 ([`bistand_core::seal`]) before it reaches the
//! database, bound to its record id, instrument and version, so a row whose ciphertext was altered,
//! copied from another row, or whose instrument or version column was edited fails with
//! [`ErrorKind::Integrity`] and is never returned as data. Clients are identified only by
//! pseudonyms; a personnummer is refused wherever a pseudonym is expected.
//!
//! The operations are the [`Store`] trait, so a PostgreSQL store can follow the embedded
//! [`SqliteStore`]. Keys rotate without downtime: give the store a keyring whose active key is
//! the new one ([`Store::replace_keyring`]), then call [`Store::reseal_batch`] until nothing
//! remains; the store stays readable and writable throughout.
//!
//! Who read or wrote which record is kept in an append-only audit log in the same store
//! ([`AuditLog`]), chained under an audit key kept apart from the database
//! ([`SqliteStore::with_audit_key`]); every audited write commits to the record's revision, which
//! is bound into its sealed body, so [`AuditedStore::verify_records`] finds records rolled back,
//! deleted, edited or unreadable, and [`AuditedStore::quarantine`] moves bad rows aside. [`AuditedStore::put_audited`] and [`AuditedStore::update_audited`] write
//! a record and its audit entry in one transaction. The [`documents`] module is the one code path
//! the shells share for validating, pseudonymising and storing a document, and for group reports
//! over stored records.
//!
//! The shells hold an `Arc<dyn AuditedStore>` and never name the backend past opening it. What
//! is not storage (field checks, sealing, the audit chain and its verification) is shared by every
//! backend, so a second one (PostgreSQL, say) implements [`Store`], [`AuditLog`] and
//! [`AuditedStore`] as SQL and proves itself with the same conformance suite the SQLite store
//! passes (`conformance::run_all`, behind the `conformance` feature).
//!
//! ```
//! use bistand_core::identifier::{PseudonymKey, pseudonymise_case_number};
//! use bistand_core::seal::{DataKey, Keyring};
//! use bistand_store::{NewRecord, ScanFilter, SqliteStore, Store};
//!
//! let keyring = Keyring::new(DataKey::new("k2026", &[7u8; 32])?);
//! let store = SqliteStore::open_in_memory(keyring)?;
//!
//! let pseudonym_key = PseudonymKey::new("p2026", &[9u8; 32])?;
//! let client = pseudonymise_case_number(&pseudonym_key, "EB-2026-0042");
//! let body = br#"{"instrument":"sue","version":"1","answers":{}}"#;
//! let meta = store.put(NewRecord::new(&client, "norr", "sue", "1", body.to_vec()))?;
//!
//! assert_eq!(store.get(&meta.id)?.body, body);
//! assert_eq!(store.find_by_pseudonym(client.as_str(), Some("sue"))?, [meta]);
//! assert_eq!(store.count(&ScanFilter::all().unit("norr"))?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod audit;
#[cfg(any(test, feature = "conformance"))]
pub mod conformance;
pub mod documents;
mod error;
mod idempotency;
mod import;
mod integrity;
mod record;
mod sealing;
mod sqlite;

pub use audit::{
    AUDIT_GENESIS_HASH, AuditEntry, AuditEvent, AuditHead, AuditLog, AuditProblem,
    AuditVerification, AuditedStore, check_principal,
};

pub use bistand_core::identifier::PseudonymKey;
pub use bistand_core::seal::{DataKey, Keyring};
pub use error::{Error, ErrorKind, Result};
pub use idempotency::{IDEMPOTENCY_TTL_MS, IdempotencyKey, Once};
pub use import::ImportRecord;
pub use integrity::{RecordFinding, RecordProblem, RecordVerification};
pub use record::{
    MAX_BODY_LEN, NewRecord, Record, RecordId, RecordMeta, ResealProgress, ScanFilter,
};
pub use sqlite::schema::SCHEMA_VERSION;
pub use sqlite::{BackupSummary, SqliteStore};

/// The operations of a record store. Implementations are shared between threads.
///
/// Metadata ([`RecordMeta`]) is stored in the clear and is not authenticated until the body is
/// opened: [`Store::get`] and [`Store::scan`] authenticate every record they return, while
/// [`Store::find_by_pseudonym`] and [`Store::count`] only read metadata.
pub trait Store: Send + Sync {
    /// Inserts a record, sealed with the active key, and returns its metadata once the write is
    /// durable.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if a field has the wrong shape (above all a pseudonym that is
    /// not one); [`ErrorKind::Database`] if the write fails.
    fn put(&self, record: NewRecord) -> Result<RecordMeta>;

    /// Inserts several records in one transaction: all or none are stored.
    ///
    /// # Errors
    ///
    /// As [`Store::put`], for any of the records.
    fn put_many(&self, records: Vec<NewRecord>) -> Result<Vec<RecordMeta>>;

    /// Replaces a record's body, sealing it with the active key, and returns the new metadata
    /// once the write is durable. The stored record is authenticated first, so an altered record
    /// is not overwritten into a genuine-looking one.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`], [`ErrorKind::Integrity`], [`ErrorKind::UnknownKey`],
    /// [`ErrorKind::InvalidInput`] (body too large), [`ErrorKind::Database`].
    fn update(&self, id: &RecordId, body: &[u8]) -> Result<RecordMeta>;

    /// The record with id `id`, authenticated and decrypted.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`]; [`ErrorKind::Integrity`] if the record was altered;
    /// [`ErrorKind::UnknownKey`] if its key is not in the keyring; [`ErrorKind::Database`].
    fn get(&self, id: &RecordId) -> Result<Record>;

    /// The record with id `id`, authenticated and decrypted, if `may_read` allows its unit;
    /// `None` when there is no such record or `may_read` refuses its unit. One query reads
    /// metadata and sealed body together; the unit is checked before anything is opened, so a
    /// lookup of another unit's record costs what a lookup of a missing id costs (no decryption
    /// tells them apart).
    ///
    /// # Errors
    ///
    /// As [`Store::get`], except [`ErrorKind::NotFound`] (that is `None`); the errors of opening
    /// only for a record `may_read` allowed.
    fn get_in_units(
        &self,
        id: &RecordId,
        may_read: &dyn Fn(&str) -> bool,
    ) -> Result<Option<Record>>;

    /// Metadata of every record of the client with this pseudonym (optionally only of one
    /// instrument), oldest first.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if `pseudonym` is not a pseudonym or `instrument` is
    /// malformed; [`ErrorKind::Database`].
    fn find_by_pseudonym(
        &self,
        pseudonym: &str,
        instrument: Option<&str>,
    ) -> Result<Vec<RecordMeta>>;

    /// Calls `f` with every record matching `filter`, authenticated and decrypted, in insertion
    /// order. Records are read in short chunks, so the store stays usable (also from `f`) during
    /// a long scan; records inserted after the scan started are not visited, and a record
    /// updated meanwhile is visited once, in either version.
    ///
    /// # Errors
    ///
    /// The first error: [`ErrorKind::Integrity`] or [`ErrorKind::UnknownKey`] for a record that
    /// cannot be opened, [`ErrorKind::Database`], or the error `f` returned (see
    /// [`Error::aborted`]).
    fn scan(&self, filter: &ScanFilter, f: &mut dyn FnMut(Record) -> Result<()>) -> Result<()>;

    /// Like [`Store::scan`], but a record that fails authentication ([`ErrorKind::Integrity`])
    /// does not stop the scan: `unreadable` is called with its id and the error instead, in
    /// its place in the order, so one bad row cannot stop a report of its unit.
    ///
    /// # Errors
    ///
    /// As [`Store::scan`], except [`ErrorKind::Integrity`]; or the error `unreadable` returned.
    fn scan_readable(
        &self,
        filter: &ScanFilter,
        f: &mut dyn FnMut(Record) -> Result<()>,
        unreadable: &mut dyn FnMut(RecordId, Error) -> Result<()>,
    ) -> Result<()>;

    /// The number of records matching `filter`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a malformed filter; [`ErrorKind::Database`].
    fn count(&self, filter: &ScanFilter) -> Result<u64>;

    /// Whether the store answers: it can be read and holds a records table. Cheap enough for a
    /// readiness probe; reads no record.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Database`] when the database cannot be read.
    fn ping(&self) -> Result<()>;

    /// Moves up to `batch_size` records sealed with a key other than the active one to the active
    /// key, in one short transaction, and says how many remain. Call it in a loop until
    /// `remaining` is 0; reads and writes carry on in between.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if `batch_size` is 0; [`ErrorKind::UnknownKey`] if a record's
    /// key is not in the keyring (add it, or the record cannot move); [`ErrorKind::Integrity`]
    /// for an altered record; [`ErrorKind::Database`]. Nothing of a failed batch is written.
    fn reseal_batch(&self, batch_size: usize) -> Result<ResealProgress>;

    /// Replaces the keyring: new writes use its active key, reads use whichever key sealed the
    /// record. Keep old keys in the keyring until [`Store::reseal_batch`] reports none remaining.
    fn replace_keyring(&self, keyring: Keyring);

    /// Binds the store to its keys: checks `pseudonym` and the keyring against the fingerprints
    /// the store recorded ([`PseudonymKey::fingerprint`], [`DataKey::fingerprint`]), then
    /// records those of keys it has not seen (a new store records all; after a rotation, the new
    /// data key). The shells call it right after opening, before any write, so a store is never
    /// written with another organisation's keys.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::WrongKeys`], naming the key id (never a secret), when the pseudonym key's
    /// fingerprint differs from the recorded one, a data key has another fingerprint than the
    /// one recorded under its id, or records are sealed with a data key the keyring lacks;
    /// nothing is written then. [`ErrorKind::Database`].
    fn bind_keys(&self, pseudonym: &PseudonymKey) -> Result<()>;
}
