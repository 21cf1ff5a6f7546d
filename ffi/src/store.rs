//! The embedded encrypted store behind `bistand_store_*`, in safe Rust: the store handle, the
//! keys JSON (the sidecar's keys file format), putting a validated, pseudonymised document and
//! getting it back, and the one conversion from a store error to a status ([`map_store_error`]).
//!
//! `put` is the sidecar's `import` for one document: both go through
//! [`bistand_store::documents::prepare`] (validate with the engine, refuse a document with error
//! findings, pseudonymise the client id, take the unit from the document).

use ::bistand_store::documents::{self, PrepareError};
use ::bistand_store::{
    AuditedStore, Error as StoreError, ErrorKind as StoreErrorKind, RecordId, SqliteStore, Store,
};
use bistand_core::identifier::PseudonymKey;
use bistand_core::keys::Keys;
use bistand_core::stats::GroupReport;
use bistand_core::stats::perturbation::StatisticsKey;
use bistand_core::{Engine, Report, Text};
use serde::Serialize;

use crate::handles::bistand_buf;
use crate::ops::{ReportRequest, ReportSource};
use crate::status::{Failure, bistand_status};

/// Longest keys JSON accepted, in bytes: far above any real keys file.
pub(crate) const MAX_KEYS_JSON: usize = 64 * 1024;

/// Longest client id accepted, in bytes (a personnummer or a case number).
pub(crate) const MAX_CLIENT_ID: usize = 256;

/// An open encrypted record store: an SQLite file, the data keys that seal its records and the
/// pseudonym key that turns client ids into pseudonyms.
///
/// Made by `bistand_store_open`, released by `bistand_store_free`. May be used from any number
/// of threads at the same time (writes are serialised inside).
#[allow(non_camel_case_types)]
pub struct bistand_store {
    /// Held by the trait, as the sidecar holds it: any backend with an audit log would do
    /// (reports are audited).
    store: Box<dyn AuditedStore>,
    pseudonym_key: PseudonymKey,
    /// The statistics secret reports from the store are perturbed under.
    statistics: StatisticsKey,
}

/// The keys of a keys JSON ([`bistand_core::keys`], the format of the sidecar's keys file). A
/// problem is `BISTAND_INVALID_ARGUMENT`, its message never a secret.
pub(crate) fn parse_keys(keys_json: &[u8]) -> Result<Keys, Failure> {
    bistand_core::keys::parse_keys(keys_json).map_err(|e| {
        Failure::new(
            bistand_status::BISTAND_INVALID_ARGUMENT,
            Text {
                sv: format!("keys_json: {}", e.message_sv()),
                en: format!("keys_json: {}", e.message_en()),
            },
        )
    })
}

/// Opens (creating if needed) the store in the SQLite file at `path` with the keys of
/// `keys_json`, and binds it to them as the command line and the sidecar do
/// ([`Store::bind_keys`]): keys other than those the store was written with are refused
/// (`BISTAND_WRONG_KEYS`) before anything is written.
pub(crate) fn open(path: &str, keys_json: &[u8]) -> Result<bistand_store, Failure> {
    // An empty path or ":memory:" would make SQLite a private temporary database per connection,
    // and the store reads through several connections.
    if path.is_empty() || path == ":memory:" || path.starts_with("file:") {
        return Err(Failure::new(bistand_status::BISTAND_INVALID_ARGUMENT, Text { sv: "`path` måste vara sökvägen till en databasfil (inte tom, \":memory:\" eller en \
             file:-URI)".into(), en: "`path` must be the path of a database file (not empty, \":memory:\" or a file: URI)".into() }));
    }
    let Keys {
        pseudonym,
        keyring,
        statistics,
        audit,
    } = parse_keys(keys_json)?;
    let store = SqliteStore::open(path, keyring).map_err(store_failure)?;
    store.bind_keys(&pseudonym).map_err(store_failure)?;
    // The same audit key as the sidecar's, so both link one log alike.
    Ok(bistand_store {
        store: Box::new(store.with_audit_key(audit)),
        pseudonym_key: pseudonym,
        statistics,
    })
}

/// What `bistand_store_put` returns.
#[derive(Serialize)]
struct PutResult<'a> {
    stored: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_id: Option<&'a str>,
    report: &'a Report,
}

/// Validates `doc` and, if it has no error findings, stores it under the pseudonym of
/// `client_id`, audited as created by `principal` (role `library`):
/// `{"stored", "record_id"?, "report"}` as JSON.
pub(crate) fn put(
    store: &bistand_store,
    engine: &Engine,
    client_id: &[u8],
    doc: &[u8],
    reference_date: &str,
    principal: &str,
) -> Result<bistand_buf, Failure> {
    // Checked first: a write the audit log would refuse is not attempted.
    let writer = crate::ops::library_principal("principal", principal)?;
    let reference_date = crate::ops::date("reference_date", reference_date)?;
    let client_id = std::str::from_utf8(client_id).map_err(|_| {
        Failure::new(
            bistand_status::BISTAND_INVALID_UTF8,
            Text {
                sv: "client_id är inte giltig UTF-8".into(),
                en: "client_id is not valid UTF-8".into(),
            },
        )
    })?;
    let prepared =
        match documents::prepare(engine, &store.pseudonym_key, client_id, doc, reference_date) {
            Ok(prepared) => prepared,
            // The only client id refused is an empty one; the C status and messages are ours.
            Err(PrepareError::ClientId(_)) => {
                return Err(Failure::new(
                    bistand_status::BISTAND_INVALID_IDENTIFIER,
                    Text {
                        sv: "client_id är tomt".into(),
                        en: "client_id is empty".into(),
                    },
                ));
            }
            Err(PrepareError::Document(error)) => return Err(error.into()),
        };
    let Some(record) = prepared.record else {
        return crate::ops::json(&PutResult {
            stored: false,
            record_id: None,
            report: &prepared.report,
        });
    };
    let meta = documents::create_audited(&*store.store, record, &writer).map_err(store_failure)?;
    crate::ops::json(&PutResult {
        stored: true,
        record_id: Some(meta.id.as_str()),
        report: &prepared.report,
    })
}

/// The stored document with id `record_id`, authenticated and decrypted.
pub(crate) fn get(store: &bistand_store, record_id: &str) -> Result<bistand_buf, Failure> {
    let id = RecordId::parse(record_id).map_err(|_| {
        Failure::new(
            bistand_status::BISTAND_INVALID_ARGUMENT,
            Text {
                sv: "`record_id` måste vara 32 hexadecimala gemener".into(),
                en: "`record_id` must be 32 lowercase hexadecimal digits".into(),
            },
        )
    })?;
    let record = store.store.get(&id).map_err(store_failure)?;
    // Stored documents are JSON, which has no raw NUL; a NUL would end the output early for a
    // C reader, so such a record is refused rather than truncated.
    if record.body.contains(&0) {
        return Err(Failure::new(
            bistand_status::BISTAND_INTERNAL_ERROR,
            Text {
                sv: "internt fel: det lagrade dokumentet innehåller en NUL-byte".into(),
                en: "internal error: the stored document contains a NUL byte".into(),
            },
        ));
    }
    Ok(bistand_buf::new(record.body))
}

/// What `bistand_store_report` returns as JSON: the sidecar's report body.
#[derive(Serialize)]
struct StoreReportBody<'a> {
    report: &'a GroupReport,
    records_not_counted: usize,
}

/// The group report of `instrument` over the records of `store`, as `options` (JSON, see
/// [`ReportRequest::parse`]) asks: always perturbed under the store's statistics key, through
/// the function the command line (`bistand report --db`) and the sidecar call, which also writes
/// its audit entries (the principal of `options`, role `library`). JSON
/// `{"report", "records_not_counted"}` (as the sidecar's `GET /v1/reports`) or the report
/// alone as CSV.
pub(crate) fn report(
    store: &bistand_store,
    engine: &Engine,
    instrument: &str,
    options: &[u8],
) -> Result<bistand_buf, Failure> {
    let request = ReportRequest::parse(options, ReportSource::Store)?;
    let reader = request
        .reader
        .as_ref()
        .expect("a store request always has a reader: parse refuses one without a principal");
    // As the sidecar: an unknown instrument is named as such, before the store is read.
    engine.definition(instrument, None)?;
    let outcome = documents::report_from_store(
        &*store.store,
        engine,
        instrument,
        request.units.as_deref(),
        request.as_of,
        &request.options,
        &store.statistics,
        reader,
    )
    .map_err(store_failure)?;
    request.render(
        &StoreReportBody {
            report: &outcome.report,
            records_not_counted: outcome.not_counted.len(),
        },
        &outcome.report,
    )
}

/// The one conversion from a store error kind to a status code. A kind added to the store later
/// maps to `BISTAND_STORE_ERROR` until it is given a number of its own here.
pub fn map_store_error(kind: StoreErrorKind) -> bistand_status {
    use bistand_status::*;
    match kind {
        StoreErrorKind::NotFound => BISTAND_NOT_FOUND,
        StoreErrorKind::Integrity => BISTAND_INTEGRITY_FAILURE,
        StoreErrorKind::UnknownKey => BISTAND_UNKNOWN_KEY,
        StoreErrorKind::InvalidInput => BISTAND_INVALID_ARGUMENT,
        StoreErrorKind::Aborted => BISTAND_INTERNAL_ERROR,
        StoreErrorKind::WrongKeys => BISTAND_WRONG_KEYS,
        _ => BISTAND_STORE_ERROR,
    }
}

/// A store error as a failure, with the store's own message in both languages (the English names
/// the record id at most, never a body or pseudonym).
fn store_failure(error: StoreError) -> Failure {
    Failure::new(map_store_error(error.kind()), error.text().clone())
}

#[cfg(test)]
mod tests {
    use bistand_core::Language;

    use super::*;

    const KEYS: &str = r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101010101010101010101010101010101010101010101010101010101010101"},
        "data_keys": [{"id": "k1", "secret_hex": "a2A2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2"},
                      {"id": "k2", "secret_hex": "0303030303030303030303030303030303030303030303030303030303030303"}],
        "active_data_key": "k2"}"#;

    #[test]
    fn each_store_kind_has_its_status() {
        use bistand_status::*;
        assert_eq!(map_store_error(StoreErrorKind::NotFound), BISTAND_NOT_FOUND);
        assert_eq!(
            map_store_error(StoreErrorKind::Integrity),
            BISTAND_INTEGRITY_FAILURE
        );
        assert_eq!(
            map_store_error(StoreErrorKind::UnknownKey),
            BISTAND_UNKNOWN_KEY
        );
        assert_eq!(
            map_store_error(StoreErrorKind::InvalidInput),
            BISTAND_INVALID_ARGUMENT
        );
        for kind in [
            StoreErrorKind::Database,
            StoreErrorKind::Migration,
            StoreErrorKind::Io,
        ] {
            assert_eq!(map_store_error(kind), BISTAND_STORE_ERROR);
        }
        assert_eq!(
            map_store_error(StoreErrorKind::Aborted),
            BISTAND_INTERNAL_ERROR
        );
        assert_eq!(
            map_store_error(StoreErrorKind::WrongKeys),
            BISTAND_WRONG_KEYS
        );
    }

    #[test]
    fn keys_parse_and_messages_hold_no_secret() {
        let keys = parse_keys(KEYS.as_bytes()).expect("valid keys");
        assert_eq!(keys.pseudonym.key_id(), "p1");
        assert_eq!(keys.keyring.active().id(), "k2");

        let secret_hex = "0101010101010101010101010101010101010101010101010101010101010101";
        let bad = [
            "",
            "{",
            "[]",
            r#"{"pseudonym_key": {"id": "p1", "secret_hex": "0101"}, "data_keys": [], "active_data_key": "k1"}"#,
            &KEYS.replace("\"k2\"}", "\"k9\"}"),
            &KEYS.replace("a2A2", "zz"),
            &format!(
                r#"{{"pseudonym_key": {{"id": "p1", "secret_hex": "{secret_hex}"}}, "data_keys": [], "active_data_key": "k1"}}"#
            ),
            &format!(
                r#"{{"pseudonym_key": {{"id": "p1", "secret_hex": "{secret_hex}", "x": 1}}, "data_keys": [], "active_data_key": "k1"}}"#
            ),
            &KEYS.replace("\"k1\"", "\"k2\""),
            &KEYS.replace("\"p1\"", "\"\""),
        ];
        for keys in bad {
            let Err(failure) = parse_keys(keys.as_bytes()) else {
                panic!("accepted: {keys}")
            };
            assert_eq!(failure.status(), bistand_status::BISTAND_INVALID_ARGUMENT);
            for language in [Language::English, Language::Swedish] {
                let message = failure.message(language);
                assert!(!message.is_empty());
                assert!(!message.contains("0101010101"), "{message}");
                assert!(!message.contains("a2A2"), "{message}");
            }
        }
    }

    #[test]
    fn paths_that_are_not_files_are_refused() {
        for path in ["", ":memory:", "file:x.db?mode=memory"] {
            let Err(failure) = open(path, KEYS.as_bytes()) else {
                panic!("accepted: {path}")
            };
            assert_eq!(failure.status(), bistand_status::BISTAND_INVALID_ARGUMENT);
        }
    }

    #[test]
    fn store_may_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<bistand_store>();
    }
}
