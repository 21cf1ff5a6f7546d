//! From a client's document to a stored record, and from stored records to a group report: the
//! one code path the C ABI and the sidecar share (STYLE.md 2), so the rules for what is stored
//! and what is counted are written once.
//!
//! Storing a document is: validate it with the engine; refuse it if it has error findings; turn
//! the client id into a pseudonym (a personnummer or samordningsnummer by its canonical form,
//! anything else as a case number); store it under the unit the document names
//! ([`UNKNOWN_UNIT`] when it names none). The client id itself is never stored.
//!
//! ```
//! use bistand_core::Engine;
//! use bistand_core::identifier::PseudonymKey;
//! use bistand_core::seal::{DataKey, Keyring};
//! use bistand_core::stats::ReportOptions;
//! use bistand_core::stats::perturbation::StatisticsKey;
//! use bistand_store::documents::{self, Prepared, Reader};
//! use bistand_store::{AuditLog, SqliteStore, Store};
//!
//! let engine = Engine::new()?;
//! let key = PseudonymKey::new("p1", &[9u8; 32])?;
//! let store = SqliteStore::open_in_memory(Keyring::new(DataKey::new("k1", &[7u8; 32])?))?;
//! let today = jiff::civil::date(2026, 1, 15);
//!
//! let document = br#"{"instrument": "sue", "version": "1", "status": "draft", "answers": {}}"#;
//! let Prepared { report, record } =
//!     documents::prepare(&engine, &key, "EB-2026-0042", document, today)?;
//! assert!(report.valid);
//! let record = record.expect("a valid document is prepared for storing");
//! assert!(record.pseudonym.starts_with("p1:"));
//! store.put(record)?;
//!
//! let options = ReportOptions::default();
//! let statistics = StatisticsKey::derive_from(&key);
//! let reader = Reader::new("analytiker@kommun.se", "analytiker")?;
//! let report = documents::report_from_store(
//!     &store, &engine, "sue", None, today, &options, &statistics, &reader,
//! )?;
//! assert_eq!(report.report.records, 1);
//! assert!(report.not_counted.is_empty());
//! // The read is audited: who, what and when, never the client.
//! let entries = store.audit_entries(0, 10)?;
//! assert_eq!(entries.last().map(|e| e.event.action.as_str()), Some("report.read"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;

use bistand_core::identifier::{
    Pseudonym, PseudonymKey, client_id_problem, pseudonymise_client_id,
};
use bistand_core::stats::link::{LinkOutcome, Linking};
use bistand_core::stats::perturbation::StatisticsKey;
use bistand_core::stats::provenance::{Input, NotCountedTally, RecordSetDigest};
use bistand_core::stats::{GroupAggregate, GroupReport, ReportOptions};
use bistand_core::unit::unit_key;
use bistand_core::{Engine, Report};
use jiff::civil::Date;

use crate::audit::{AuditEvent, AuditedStore};
use crate::error::{Error, ErrorKind, Result};
use crate::record::{NewRecord, RecordId, RecordMeta, ScanFilter};
use crate::sealing::now_ms;

/// The unit a record is stored under when its document names none: the same code the group
/// reports use for a missing value, so such records are counted under "not recorded".
pub const UNKNOWN_UNIT: &str = bistand_core::stats::dimension::UNKNOWN.code;

/// A validated document: its findings and, only when it has no error findings, the record to
/// store.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The validation report (findings never echo an answer).
    pub report: Report,
    /// The record to store: `None` when the report has error findings, so an invalid document
    /// cannot be stored by mistake.
    pub record: Option<NewRecord>,
}

/// Why [`prepare`] could not validate a document. The two cases stay apart because the shells
/// map them differently: a refused client id is the caller's identifier problem, a document that
/// is not a document keeps core's error kind (and so its C status and HTTP status).
#[derive(Debug)]
pub enum PrepareError {
    /// The client id was refused (empty or only whitespace): an [`ErrorKind::InvalidInput`]
    /// error from [`client_pseudonym`].
    ClientId(Error),
    /// The bytes could not be read as a document at all (size, UTF-8, JSON, envelope, unknown
    /// instrument or version): core's error, unchanged.
    Document(bistand_core::Error),
}

/// A group report over stored records, and the records left out of it.
#[derive(Debug)]
pub struct StoreReport {
    /// The report over the records that were counted.
    pub report: GroupReport,
    /// Records that could not be read, or not as documents of the instrument, and so were not
    /// counted; by record id and reason only, never content.
    pub not_counted: Vec<NotCounted>,
}

/// A stored record left out of a report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotCounted {
    /// The record's id (random; says nothing about the client).
    pub record_id: RecordId,
    /// Why it was left out.
    pub reason: NotCountedReason,
}

/// Why a stored record was left out of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotCountedReason {
    /// The record failed authentication (altered in the database): one bad row is left out
    /// rather than failing the report of its whole unit. `bistand store verify` finds it.
    Unreadable,
    /// Its body opened but was not a document of the instrument: core's error kind.
    NotADocument(bistand_core::ErrorKind),
}

impl fmt::Display for NotCountedReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotCountedReason::Unreadable => f.write_str("unreadable"),
            NotCountedReason::NotADocument(kind) => kind.fmt(f),
        }
    }
}

/// The pseudonym of a client id under `key`: a personnummer or samordningsnummer (any spelling,
/// judged at `reference_date` for the `+` of the over-100s) by its canonical form, anything else
/// as a case number.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] if `client_id` is empty or only whitespace (every such id would
/// share one pseudonym and so merge unrelated clients), longer than
/// [`MAX_CLIENT_ID_CHARS`](bistand_core::identifier::MAX_CLIENT_ID_CHARS) characters, or holds a
/// control character. The message never repeats the id.
pub fn client_pseudonym(
    key: &PseudonymKey,
    client_id: &str,
    reference_date: Date,
) -> Result<Pseudonym> {
    pseudonymise_client_id(key, client_id, reference_date).ok_or_else(|| {
        let reason =
            client_id_problem(client_id).map_or_else(|| "client id refused".into(), |p| p.en);
        Error::new(ErrorKind::InvalidInput, reason)
    })
}

/// Validates `document` and, if it has no error findings, makes the record to store it as: under
/// the pseudonym of `client_id`, the document's unit ([`UNKNOWN_UNIT`] if it names none), and
/// the instrument and version it answers. The body is `document` unchanged.
///
/// # Errors
///
/// [`PrepareError::ClientId`] for an empty client id (checked first, before the document);
/// [`PrepareError::Document`] when the bytes are not a document. A document with error findings
/// is not an error: its report says why, and [`Prepared::record`] is `None`.
pub fn prepare(
    engine: &Engine,
    key: &PseudonymKey,
    client_id: &str,
    document: &[u8],
    reference_date: Date,
) -> Result<Prepared, PrepareError> {
    let pseudonym =
        client_pseudonym(key, client_id, reference_date).map_err(PrepareError::ClientId)?;
    let validated = engine
        .parse(None, document)
        .map_err(PrepareError::Document)?;
    let record = validated.report.valid.then(|| {
        NewRecord::new(
            &pseudonym,
            validated.document.unit().unwrap_or(UNKNOWN_UNIT),
            validated.definition.instrument(),
            validated.definition.version(),
            document,
        )
    });
    Ok(Prepared {
        report: validated.report,
        record,
    })
}

/// The identity of an imported record, which makes import idempotent
/// ([`AuditedStore::import_audited`]): two lines are the
/// same record when they have
///
/// - the same `source_id` (the id the source system gave the record, when the line carries
///   one), the same client and the same instrument; or, without a `source_id),
/// - the same client, the same instrument and the same document bytes in compact form
///   (whitespace outside strings removed, [`compact_json`](bistand_core::document::compact_json)),
///   so a re-export with other spacing or line breaks changes nothing. Key order counts: a
///   system that reorders keys between exports should send a `source_id`.
///
/// The identity is a keyed digest under the pseudonym key: the store never holds the source id
/// or a plain hash of the document, which could confirm a guessed document.
///
/// Computing it costs one pass over the body and one HMAC, so it does not slow an import down.
#[must_use]
pub fn import_identity(key: &PseudonymKey, record: &NewRecord, source_id: Option<&str>) -> String {
    let (pseudonym, instrument) = (record.pseudonym.as_bytes(), record.instrument.as_bytes());
    match source_id {
        Some(source_id) => key.keyed_digest(
            "import-source-id",
            &[pseudonym, instrument, source_id.as_bytes()],
        ),
        None => {
            let canonical = bistand_core::document::compact_json(&record.body);
            key.keyed_digest("import-document", &[pseudonym, instrument, &canonical])
        }
    }
}

/// The idempotency key of a create ([`AuditedStore::put_audited_once`]) as the store keeps it:
/// a keyed digest under the pseudonym key of who sent it (`principal`) and the `key` they sent,
/// so one caller's key never answers another's, and a keyed digest of the request `body` as
/// sent, to tell a retry from another request under the same key. Neither digest lets a reader
/// of the store confirm a guessed key or document.
#[must_use]
pub fn idempotency_key(
    key: &PseudonymKey,
    principal: &str,
    client_key: &[u8],
    body: &[u8],
) -> crate::IdempotencyKey {
    crate::IdempotencyKey::new(
        key.keyed_digest("idempotency-key", &[principal.as_bytes(), client_key]),
        key.keyed_digest("idempotency-request", &[body]),
    )
    .expect("keyed digests are 64 lowercase hex digits")
}

/// Who reads a report from the store, for its audit entries: a principal (1 to 128 printable
/// ASCII characters, not only spaces, nothing that looks like a personnummer or phone number) and
/// the role they act in (1 to 64 ASCII letters, digits, `_`, `-`, `.` or `:`). Each shell names its
/// own: the sidecar the authenticated caller and their role, the command line `cli:<user>` as
/// `operator`, the C ABI the principal its caller passes, as `library`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reader {
    principal: String,
    role: String,
}

impl Reader {
    /// A reader, checked as the audit log checks every entry, so that a report is never read
    /// and then refused its audit entry.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] if the principal or the role has the wrong shape; the message
    /// names the field, never its value.
    pub fn new(principal: impl Into<String>, role: impl Into<String>) -> Result<Reader> {
        let reader = Reader {
            principal: principal.into(),
            role: role.into(),
        };
        reader.event(0, REPORT_READ, OUTCOME_OK).check()?;
        Ok(reader)
    }

    /// The principal, as the audit log records it.
    #[must_use]
    pub fn principal(&self) -> &str {
        &self.principal
    }

    /// An audit event of this reader.
    fn event(&self, at: i64, action: &str, outcome: &str) -> AuditEvent {
        AuditEvent::new(at, &self.principal, &self.role, action, outcome)
    }
}

/// Stores `record` (prepared by [`prepare`]) as created by `writer`: through
/// [`AuditedStore::put_audited`], so the record and its [`RECORD_CREATE`] entry (outcome `ok`, the
/// writer, the unit, and the record's id and pseudonym, never a client id or content) commit
/// together. The C ABI's `bistand_store_put` writes this way, as the sidecar's `POST /v1/records`
/// and `bistand import` write through the same store call.
///
/// # Errors
///
/// As [`AuditedStore::put_audited`]; nothing is written when it fails.
pub fn create_audited(
    store: &dyn AuditedStore,
    record: NewRecord,
    writer: &Reader,
) -> Result<RecordMeta> {
    let event = writer.event(now_ms(), RECORD_CREATE, OUTCOME_OK);
    Ok(store.put_audited(record, event)?.0)
}

/// The audit action of a record created.
pub const RECORD_CREATE: &str = "record.create";

/// The audit action of a report read from the store: one entry per unit counted (one without a
/// unit when every unit is), outcome `ok` or `failed`.
pub const REPORT_READ: &str = "report.read";

/// The audit action of a record read, here one that failed authentication during a report
/// (outcome `failed`, the record id only), as a failed record lookup is audited.
pub const RECORD_READ: &str = "record.read";

const OUTCOME_OK: &str = "ok";
const OUTCOME_FAILED: &str = "failed";

/// A group report of `instrument` (its newest definition) over the records in `store`, as of
/// `as_of`, read by `reader` and audited: the one path of every interface (the sidecar's
/// `GET /v1/reports`, `bistand report --db`, the C ABI's `bistand_store_report`), so a report is
/// audited alike whichever interface asks.
///
/// With `units`, only records of those units are counted (each unit once, however often it is
/// listed; an empty list counts nothing); without, every record of the instrument.
///
/// **Audit.** Once the report has been read, whether it succeeded or failed, the log gains one
/// [`REPORT_READ`] entry per distinct unit asked for (by the spelling first listed), or one
/// without a unit when every unit was counted, with outcome `ok` or `failed`; and one
/// [`RECORD_READ`] entry with outcome `failed` and the record id for each record that failed
/// authentication and was left out. Entries hold the reader, the time, the unit and record ids,
/// never a pseudonym or anything from a document. A request refused before the store is read
/// (exact counts, an unknown instrument, a unit or reader the log would refuse) reads nothing
/// and is not audited. The report is returned only once its entries are written.
///
/// Records that fail authentication, and records whose body cannot be read as a document of the
/// instrument, are left out and listed in [`StoreReport::not_counted`] with the reason (one
/// altered row no longer fails the report of its whole unit), unless no record at all opens:
/// that is a wrong keyring, and the report fails with [`ErrorKind::Integrity`] as before.
/// Documents with error findings are left out and tallied in the report, as everywhere else.
///
/// Every record is counted as its client's (its pseudonym's record key under `statistics`), so a
/// client with several records counts once, and counts are always perturbed.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] for an unknown instrument, one without group reports, a
/// malformed unit, or options asking for exact counts; [`ErrorKind::Integrity`] when no record
/// opens (wrong keys); [`ErrorKind::UnknownKey`] for a record whose key is not in the keyring (a
/// configuration fault, not an altered row); [`ErrorKind::Database`], also when an audit entry
/// cannot be written (then no report is returned).
#[allow(clippy::too_many_arguments)] // The request's parts, each of its own type.
pub fn report_from_store(
    store: &dyn AuditedStore,
    engine: &Engine,
    instrument: &str,
    units: Option<&[String]>,
    as_of: Date,
    options: &ReportOptions,
    statistics: &StatisticsKey,
    reader: &Reader,
) -> Result<StoreReport> {
    report_from_store_counting(
        store,
        engine,
        instrument,
        units,
        as_of,
        options,
        statistics,
        reader,
        &mut |_| {},
    )
}

/// [`report_from_store`], audited alike, calling `visited` with the number of records visited
/// so far (counted or not) after each one: a long report's progress.
///
/// # Errors
///
/// As [`report_from_store`].
#[allow(clippy::too_many_arguments)] // The request's parts, each of its own type.
pub fn report_from_store_counting(
    store: &dyn AuditedStore,
    engine: &Engine,
    instrument: &str,
    units: Option<&[String]>,
    as_of: Date,
    options: &ReportOptions,
    statistics: &StatisticsKey,
    reader: &Reader,
    visited: &mut dyn FnMut(u64),
) -> Result<StoreReport> {
    // Refusals that read nothing come first and are not audited.
    refuse_exact(options)?;
    engine.definition(instrument, None)?;
    let at = now_ms();
    let mut entries = match units {
        None => vec![reader.event(at, REPORT_READ, OUTCOME_OK)],
        Some(units) => {
            let mut seen = std::collections::HashSet::new();
            units
                .iter()
                .filter(|unit| seen.insert(unit_key(unit)))
                .map(|unit| {
                    reader
                        .event(at, REPORT_READ, OUTCOME_OK)
                        .unit(unit.as_str())
                })
                .collect()
        }
    };
    for entry in &entries {
        entry.check()?;
    }
    let outcome = read_report(
        store, engine, instrument, units, as_of, options, statistics, visited,
    );
    if outcome.is_err() {
        for entry in &mut entries {
            OUTCOME_FAILED.clone_into(&mut entry.outcome);
        }
    }
    let unreadable = outcome.iter().flat_map(|report| {
        report
            .not_counted
            .iter()
            .filter(|skipped| skipped.reason == NotCountedReason::Unreadable)
            .map(|skipped| {
                reader
                    .event(at, RECORD_READ, OUTCOME_FAILED)
                    .record_id(&skipped.record_id)
            })
    });
    let entries: Vec<AuditEvent> = entries.into_iter().chain(unreadable).collect();
    for entry in entries {
        // A failed report keeps its own error; the audit's is returned only for a report that
        // would otherwise be served unaudited.
        if let Err(error) = store.audit_append(entry)
            && outcome.is_ok()
        {
            return Err(error);
        }
    }
    outcome
}

/// Reports from the store are always perturbed.
fn refuse_exact(options: &ReportOptions) -> Result<()> {
    if options.exact {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "reports from the store are always perturbed; exact counts are only for NDJSON the caller holds",
        ));
    }
    Ok(())
}

/// The report of [`report_from_store_counting`], before its audit.
#[allow(clippy::too_many_arguments)] // As the public function's, less the reader.
fn read_report(
    store: &dyn AuditedStore,
    engine: &Engine,
    instrument: &str,
    units: Option<&[String]>,
    as_of: Date,
    options: &ReportOptions,
    statistics: &StatisticsKey,
    visited: &mut dyn FnMut(u64),
) -> Result<StoreReport> {
    refuse_exact(options)?;
    let definition = engine.definition(instrument, None)?;
    let mut aggregate = GroupAggregate::new(engine, definition, as_of)?;
    aggregate.select(options)?;
    // The records of the other instruments in the same units, read for their persons (issue 15
    // point 5, `bistand_core::stats::link`): never beyond the units the reader asked for.
    let mut linking = Linking::new(engine, definition.instrument());
    let mut not_counted = Vec::new();
    let instruments: Vec<(&str, bool)> = std::iter::once((definition.instrument(), false))
        .chain(linking.instruments().into_iter().map(|name| (name, true)))
        .collect();
    // Sorted and deduplicated by comparison form: a unit listed twice, or once as `Söder` and
    // once as `söder`, must not be counted twice. The aggregate does not depend on the order
    // records are added in. The provenance names the units in this form.
    let unit_keys: Option<Vec<String>> = units.map(|units| {
        let mut keys: Vec<String> = units.iter().map(|u| unit_key(u)).collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    });
    let filters: Vec<(ScanFilter, bool)> = instruments
        .iter()
        .flat_map(|&(instrument, linked)| {
            let base = ScanFilter::all().instrument(instrument);
            match &unit_keys {
                None => vec![(base, linked)],
                Some(keys) => keys
                    .iter()
                    .map(|key| (base.clone().unit(key.clone()), linked))
                    .collect(),
            }
        })
        .collect();
    // Whether any record opened, and the first failure: when none opens, the keys are wrong (a
    // data key of the right id and another secret fails every record alike), not one row
    // altered, and the report fails as it always did rather than counting nothing.
    let mut opened = false;
    let mut first_failure = None;
    // The digest of the records read, fed by both callbacks of the scan.
    let digest = std::cell::RefCell::new(RecordSetDigest::new());
    let mut with_errors = 0u64;
    // Both callbacks count a visit: shared, so neither holds it mutably.
    let seen = std::cell::Cell::new(0u64);
    let visited = std::cell::RefCell::new(visited);
    let visit = || {
        seen.set(seen.get() + 1);
        (visited.borrow_mut())(seen.get());
    };
    for (filter, linked) in &filters {
        let mut unreadable = Vec::new();
        store.scan_readable(
            filter,
            &mut |record| {
                opened = true;
                visit();
                digest.borrow_mut().add(&[
                    record.meta.id.as_str().as_bytes(),
                    record.meta.pseudonym.as_bytes(),
                    &record.body,
                ]);
                let person = statistics.person(Some(&record.meta.pseudonym), &record.body);
                let outcome = if *linked {
                    linking
                        .add(&record.body, person)
                        .map(|outcome| match outcome {
                            LinkOutcome::Linked => true,
                            LinkOutcome::WithErrors | LinkOutcome::NotLinked => false,
                        })
                } else {
                    engine
                        .parse_as(definition, &record.body)
                        .map(|validated| aggregate.add(&validated, person))
                };
                match outcome {
                    Ok(true) => {}
                    Ok(false) => with_errors += 1,
                    Err(error) => not_counted.push(NotCounted {
                        record_id: record.meta.id,
                        reason: NotCountedReason::NotADocument(error.kind()),
                    }),
                }
                Ok(())
            },
            &mut |record_id, error| {
                visit();
                // An unreadable record is part of the input by its id alone.
                digest
                    .borrow_mut()
                    .add(&[record_id.as_str().as_bytes(), b"unreadable"]);
                unreadable.push(record_id);
                first_failure.get_or_insert(error);
                Ok(())
            },
        )?;
        not_counted.extend(unreadable.into_iter().map(|record_id| NotCounted {
            record_id,
            reason: NotCountedReason::Unreadable,
        }));
    }
    if let (false, Some(error)) = (opened, first_failure) {
        return Err(error);
    }
    let mut tallies: Vec<NotCountedTally> = Vec::new();
    let reasons = not_counted
        .iter()
        .map(|n| n.reason.to_string())
        .chain((0..with_errors).map(|_| "invalid_document".to_owned()))
        .chain((0..linking.linked()).map(|_| "linked".to_owned()));
    for reason in reasons {
        match tallies.iter_mut().find(|t| t.reason == reason) {
            Some(tally) => tally.count += 1,
            None => tallies.push(NotCountedTally { reason, count: 1 }),
        }
    }
    tallies.sort_by(|a, b| a.reason.cmp(&b.reason));
    let input = Input {
        source: "store".to_owned(),
        units: unit_keys.unwrap_or_default(),
        digest: digest.into_inner().finish(),
        read: seen.get(),
        counted: seen.get() - tallies.iter().map(|t| t.count).sum::<u64>(),
        not_counted: tallies,
    };
    Ok(StoreReport {
        report: aggregate.report(options, input, linking.links())?,
        not_counted,
    })
}

impl fmt::Display for PrepareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrepareError::ClientId(error) => error.fmt(f),
            PrepareError::Document(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for PrepareError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PrepareError::ClientId(error) => Some(error),
            PrepareError::Document(error) => Some(error),
        }
    }
}

impl From<PrepareError> for Error {
    /// For callers that need one error type: a document error becomes
    /// [`ErrorKind::InvalidInput`] with core's message.
    fn from(error: PrepareError) -> Error {
        match error {
            PrepareError::ClientId(error) => error,
            PrepareError::Document(error) => Error::from(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use bistand_core::seal::{DataKey, Keyring};
    use bistand_core::sue::SueGenerator;

    use super::*;
    use crate::{SqliteStore, Store};

    fn today() -> Date {
        jiff::civil::date(2026, 1, 15)
    }

    fn key() -> PseudonymKey {
        PseudonymKey::new("p1", &[9; 32]).expect("pseudonym key")
    }

    fn store() -> SqliteStore {
        let key = DataKey::new("k1", &[1; 32]).expect("key");
        SqliteStore::open_in_memory(Keyring::new(key)).expect("memory store")
    }

    /// Synthetic SUE documents that validate without error findings.
    fn valid_documents(engine: &Engine, count: usize) -> Vec<Vec<u8>> {
        let definition = engine.definition("sue", None).expect("sue");
        SueGenerator::new(definition, 7)
            .expect("generator")
            .map(|document| serde_json::to_vec(&document).expect("json"))
            .filter(|bytes| engine.validate(None, bytes).expect("document").valid)
            .take(count)
            .collect()
    }

    /// A store holding `count` synthetic documents, the `n`th for the client `client(n)`; the
    /// documents too.
    fn stored_documents(
        engine: &Engine,
        count: usize,
        client: impl Fn(usize) -> String,
    ) -> (SqliteStore, Vec<Vec<u8>>) {
        let store = store();
        let documents = valid_documents(engine, count);
        for (n, document) in documents.iter().enumerate() {
            let record = prepare(engine, &key(), &client(n), document, today())
                .expect("prepared")
                .record
                .expect("valid");
            store.put(record).expect("stored");
        }
        (store, documents)
    }

    fn unit_of(document: &[u8]) -> String {
        let value: serde_json::Value = serde_json::from_slice(document).expect("json");
        value["unit"].as_str().unwrap_or(UNKNOWN_UNIT).to_owned()
    }

    #[test]
    fn import_identity_follows_the_documented_rule() {
        let key = key();
        let record = |pseudonym: &str, body: &str| {
            NewRecord::new(
                &bistand_core::identifier::pseudonymise_case_number(&key, pseudonym),
                "norr",
                "sue",
                "1",
                body.as_bytes().to_vec(),
            )
        };
        let a = record("EB-1", "{\n  \"a\": \"å b\",\n  \"b\": [1, {\"x\": 1}]\n}");
        let same = record("EB-1", r#"{"a":"å b","b":[1,{"x":1}]}"#);
        let identity = import_identity(&key, &a, None);
        assert_eq!(identity.len(), 64);
        assert_eq!(identity, import_identity(&key, &same, None));
        let other_client = record("EB-2", r#"{"a":"å b","b":[1,{"x":1}]}"#);
        let other_body = record("EB-1", r#"{"a":"åb","b":[1,{"x":1}]}"#);
        for other in [&other_client, &other_body] {
            assert_ne!(identity, import_identity(&key, other, None));
        }
        let by_source = import_identity(&key, &a, Some("row-7"));
        assert_eq!(by_source, import_identity(&key, &other_body, Some("row-7")));
        assert_ne!(
            by_source,
            import_identity(&key, &other_client, Some("row-7"))
        );
        assert_ne!(by_source, identity);
    }

    #[test]
    fn a_valid_document_is_stored_under_a_pseudonym_not_the_id() {
        let engine = Engine::new().expect("engine");
        let store = store();
        let document = &valid_documents(&engine, 1)[0];
        let client_id = "19811218-9876";
        let prepared = prepare(&engine, &key(), client_id, document, today()).expect("prepared");
        assert!(prepared.report.valid);
        let record = prepared.record.expect("valid, so a record");
        assert!(record.pseudonym.starts_with("p1:"));
        assert!(!record.pseudonym.contains("9876"));
        assert_eq!(record.unit, unit_of(document));
        // The generator writes the default version, 2; the record keeps the version it names.
        assert_eq!(
            (record.instrument.as_str(), record.version.as_str()),
            ("sue", "2")
        );
        let meta = store.put(record).expect("stored");
        assert_eq!(store.get(&meta.id).expect("get").body, *document);
        assert!(!format!("{meta:?}").contains("19811218"));
    }

    #[test]
    fn a_document_without_a_unit_is_stored_under_the_unknown_unit() {
        let engine = Engine::new().expect("engine");
        let document =
            br#"{"instrument": "sue", "version": "1", "status": "draft", "answers": {}}"#;
        let prepared = prepare(&engine, &key(), "EB-1", document, today()).expect("prepared");
        assert_eq!(prepared.record.expect("valid").unit, "okand");
    }

    #[test]
    fn an_invalid_document_is_refused_and_a_malformed_one_keeps_cores_error() {
        let engine = Engine::new().expect("engine");
        let invalid = br#"{"instrument": "sue", "version": "1", "status": "complete", "answers": {"bakgrund.kon": "nej"}}"#;
        let prepared = prepare(&engine, &key(), "EB-1", invalid, today()).expect("a document");
        assert!(!prepared.report.valid);
        assert!(prepared.report.errors > 0);
        assert!(prepared.record.is_none());

        let Err(PrepareError::Document(error)) =
            prepare(&engine, &key(), "EB-1", b"{not json", today())
        else {
            panic!("malformed JSON is a document error");
        };
        assert_eq!(error.kind(), bistand_core::ErrorKind::MalformedJson);
    }

    #[test]
    fn an_empty_client_id_is_refused_without_echo() {
        let engine = Engine::new().expect("engine");
        for id in ["", "   ", "\t\n"] {
            let Err(PrepareError::ClientId(error)) = prepare(&engine, &key(), id, b"{}", today())
            else {
                panic!("empty id {id:?} accepted");
            };
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert_eq!(
                error.to_string(),
                "client id is empty; expected a personnummer, samordningsnummer or case number"
            );
        }
    }

    #[test]
    fn spellings_of_one_client_give_one_pseudonym() {
        let key = key();
        let pseudonym = |id: &str| {
            client_pseudonym(&key, id, today())
                .expect("pseudonym")
                .as_str()
                .to_owned()
        };
        let person = pseudonym("19811218-9876");
        for spelling in [
            "198112189876",
            "811218-9876",
            "8112189876",
            " 19811218-9876 ",
        ] {
            assert_eq!(pseudonym(spelling), person, "{spelling}");
        }
        let case = pseudonym("EB-2026-0042");
        assert_eq!(pseudonym(" eb-2026-0042 "), case);
        assert_ne!(case, person);
        // A number that fails the Luhn check is a case number, not the person.
        assert_ne!(pseudonym("19811218-9875"), person);
    }

    #[test]
    fn units_restrict_the_report_and_listing_twice_counts_once() {
        let engine = Engine::new().expect("engine");
        let (store, documents) = stored_documents(&engine, 60, |n| format!("EB-{n}"));
        let options = ReportOptions::default();
        let report = |units: Option<&[String]>| {
            sue_report(&store, &engine, units, &options).expect("report")
        };
        let all = report(None);
        assert_eq!(all.report.records, documents.len() as u64);
        assert!(all.not_counted.is_empty());

        let norr = documents.iter().filter(|d| unit_of(d) == "Norr").count() as u64;
        let soder = documents.iter().filter(|d| unit_of(d) == "Söder").count() as u64;
        assert!(norr > 0 && soder > 0, "the synthetic units are spread");
        let one = report(Some(&["Norr".to_owned()]));
        assert_eq!(one.report.records, norr);
        let two = report(Some(&[
            "Söder".to_owned(),
            "Norr".to_owned(),
            "Norr".to_owned(),
        ]));
        assert_eq!(two.report.records, norr + soder);
        assert_eq!(report(Some(&[])).report.records, 0);

        // A long report's progress: every record visited is counted, in order.
        let mut visits = Vec::new();
        let counted = report_from_store_counting(
            &store,
            &engine,
            "sue",
            Some(&["Norr".to_owned(), "Söder".to_owned()]),
            today(),
            &options,
            &statistics(),
            &reader(),
            &mut |visited| visits.push(visited),
        )
        .expect("report");
        assert_eq!(counted.report.records, norr + soder);
        assert_eq!(visits, (1..=norr + soder).collect::<Vec<u64>>());
    }

    #[test]
    fn units_are_one_unit_after_nfc_and_case_folding() {
        let engine = Engine::new().expect("engine");
        let (store, documents) = stored_documents(&engine, 60, |n| format!("EB-{n}"));
        let soder = documents.iter().filter(|d| unit_of(d) == "Söder").count() as u64;
        assert!(soder > 0, "the synthetic units are spread");
        let options = ReportOptions::default();
        let report = |units: &[&str]| {
            let units: Vec<String> = units.iter().map(|u| (*u).to_owned()).collect();
            sue_report(&store, &engine, Some(&units), &options)
                .expect("report")
                .report
                .records
        };
        for spelling in ["Söder", "söder", "SÖDER", "So\u{308}der", "so\u{308}der"] {
            assert_eq!(report(&[spelling]), soder, "{spelling}");
            let filter = ScanFilter::all().unit(spelling);
            assert_eq!(store.count(&filter).expect("count"), soder, "{spelling}");
        }
        // One unit listed in two spellings is counted once.
        assert_eq!(report(&["Söder", "so\u{308}der"]), soder);
        assert_eq!(report(&["Soder"]), 0);
        // Records keep the spelling they were stored with.
        let mut spellings = Vec::new();
        store
            .scan(&ScanFilter::all().unit("söder"), &mut |record| {
                spellings.push(record.meta.unit);
                Ok(())
            })
            .expect("scan");
        assert!(spellings.iter().all(|u| u == "Söder"), "{spellings:?}");
    }

    /// Every report from the store is audited through this one function: one entry per distinct
    /// unit (two spellings of Söder are one), one without a unit for all units, a failed report
    /// as failed; never a pseudonym, a client id or anything from a document.
    #[test]
    fn every_report_is_audited_and_holds_no_client_data() {
        use crate::AuditLog;

        let engine = Engine::new().expect("engine");
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lager.db");
        let keyring = || Keyring::new(DataKey::new("k1", &[1; 32]).expect("key"));
        let store = SqliteStore::open(&path, keyring()).expect("store");
        for (n, document) in valid_documents(&engine, 12).iter().enumerate() {
            let client = format!("19811218-98{n:02}");
            let record = prepare(&engine, &key(), &client, document, today())
                .expect("prepared")
                .record
                .expect("valid");
            store.put(record).expect("stored");
        }
        let options = ReportOptions::default();
        let report = |store: &SqliteStore, units: Option<&[String]>| {
            sue_report(store, &engine, units, &options)
        };
        let units = [
            "Söder".to_owned(),
            "so\u{308}der".to_owned(),
            "Norr".to_owned(),
        ];
        report(&store, Some(&units)).expect("report");
        report(&store, None).expect("report");
        // A report that is refused before the store is read reads nothing and is not audited.
        let exact = ReportOptions {
            exact: true,
            ..ReportOptions::default()
        };
        sue_report(&store, &engine, None, &exact).expect_err("exact is refused");
        drop(store);

        // Other secret, same key id: no record opens, the report fails, and is audited so.
        let wrong = SqliteStore::open(
            &path,
            Keyring::new(DataKey::new("k1", &[2; 32]).expect("key")),
        )
        .expect("store");
        let error = report(&wrong, None).expect_err("wrong keys");
        assert_eq!(error.kind(), ErrorKind::Integrity);

        let entries = wrong.audit_entries(0, 100).expect("entries");
        let seen: Vec<(&str, Option<&str>, &str)> = entries
            .iter()
            .map(|e| {
                (
                    e.event.action.as_str(),
                    e.event.unit.as_deref(),
                    e.event.outcome.as_str(),
                )
            })
            .collect();
        assert_eq!(
            seen,
            [
                ("report.read", Some("Söder"), "ok"),
                ("report.read", Some("Norr"), "ok"),
                ("report.read", None, "ok"),
                ("report.read", None, "failed"),
            ]
        );
        for entry in &entries {
            assert_eq!(entry.event.principal, "analytiker@kommun.se");
            assert_eq!(entry.event.role, "analytiker");
            assert!(entry.event.at > 0);
            assert_eq!(entry.event.pseudonym, None);
            assert_eq!(entry.event.record_id, None);
            let text = serde_json::to_string(entry).expect("json");
            assert!(
                !text.contains("19811218") && !text.contains("p1:"),
                "{text}"
            );
        }
    }

    #[test]
    fn a_reader_the_audit_log_would_refuse_is_refused_up_front() {
        for (principal, role) in [
            ("", "library"),
            ("   ", "library"),
            ("19811218-9876", "library"),
            ("x".repeat(129).as_str(), "library"),
            ("sjuksköterska", "library"),
            ("analytiker@kommun.se", ""),
            ("analytiker@kommun.se", "två ord"),
        ] {
            let error = Reader::new(principal, role).expect_err(principal);
            assert_eq!(error.kind(), ErrorKind::InvalidInput);
            assert!(!error.to_string().contains("9876"), "{error}");
        }
        assert_eq!(
            Reader::new("cli:anna", "operator")
                .expect("valid")
                .principal(),
            "cli:anna"
        );
    }

    fn reader() -> Reader {
        Reader::new("analytiker@kommun.se", "analytiker").expect("a valid reader")
    }

    fn statistics() -> StatisticsKey {
        StatisticsKey::derive_from(&key())
    }

    /// The SUE report of `units` from `store` as of `today()`, under the tests' statistics key,
    /// read by `reader()`.
    fn sue_report(
        store: &dyn AuditedStore,
        engine: &Engine,
        units: Option<&[String]>,
        options: &ReportOptions,
    ) -> Result<StoreReport> {
        report_from_store(
            store,
            engine,
            "sue",
            units,
            today(),
            options,
            &statistics(),
            &reader(),
        )
    }

    /// Persons, not records: a client with three records counts once in the composition table,
    /// through one record; records stay counted as records. Ten clients with three records each:
    /// the published count is within D = 2 of 10 persons, so never near the 30 records it would
    /// show if records were counted.
    #[test]
    fn a_person_with_three_records_counts_once() {
        let engine = Engine::new().expect("engine");
        // Records 3k, 3k + 1 and 3k + 2 are one client's.
        let (store, _) = stored_documents(&engine, 30, |n| format!("EB-Ö-{}", n / 3));
        let report = sue_report(&store, &engine, None, &ReportOptions::default()).expect("report");
        assert_eq!(report.report.records, 30);
        assert_eq!(report.report.persons, 10);
        let clients = &report.report.tables[0];
        assert_eq!(
            (clients.id.as_str(), clients.unit.as_str()),
            ("clients", "persons")
        );
        let published = clients.rows[0].cells[0]
            .count
            .expect("10 persons are shown");
        assert!(
            published.abs_diff(10) <= 2,
            "{published} published for 10 persons"
        );
        // Every table counts persons, and says so.
        assert!(report.report.tables.iter().all(|t| t.unit == "persons"));
        // Exact reports are not served from the store.
        let exact = ReportOptions {
            exact: true,
            ..ReportOptions::default()
        };
        let error = sue_report(&store, &engine, None, &exact).expect_err("always perturbed");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
    }

    #[test]
    fn records_that_are_not_documents_are_listed_not_counted() {
        let engine = Engine::new().expect("engine");
        let store = store();
        let pseudonym = client_pseudonym(&key(), "EB-1", today()).expect("pseudonym");
        let meta = store
            .put(NewRecord::new(
                &pseudonym,
                "Norr",
                "sue",
                "1",
                b"not json".to_vec(),
            ))
            .expect("stored");
        let report = sue_report(&store, &engine, None, &ReportOptions::default()).expect("report");
        assert_eq!(report.report.records, 0);
        assert_eq!(
            report.not_counted,
            [NotCounted {
                record_id: meta.id,
                reason: NotCountedReason::NotADocument(bistand_core::ErrorKind::MalformedJson),
            }]
        );
    }
}
