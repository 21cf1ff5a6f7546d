//! Idempotent, audited import on SQLite: the `imports` table (migration 4) remembers each
//! imported record's identity, and a record, its identity and its audit entry commit together.

use rusqlite::OptionalExtension;

use super::SqliteStore;
use super::audit::append;
use super::records::insert_sealed;
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::import::{ImportRecord, check_identity};
use crate::record::RecordMeta;

/// See [`AuditedStore::import_audited`](crate::AuditedStore::import_audited).
pub(super) fn import_audited(
    store: &SqliteStore,
    records: Vec<ImportRecord>,
    event: AuditEvent,
) -> Result<Vec<Option<RecordMeta>>> {
    event.check()?;
    let mut identities = Vec::with_capacity(records.len());
    let mut new = Vec::with_capacity(records.len());
    for ImportRecord { record, identity } in records {
        check_identity(&identity)?;
        identities.push(identity);
        new.push(record);
    }
    // Sealing happens outside the writer lock; a record found to be a repeat is then dropped.
    let rows = store.seal_new_records(new)?;
    let context = "could not import records";
    let db = |e| Error::database(context, e);
    store.write(context, |tx| {
        let mut out = Vec::with_capacity(rows.len());
        for (row, identity) in rows.iter().zip(&identities) {
            let inserted = tx
                .prepare_cached(
                    "INSERT INTO imports (identity, record_id) VALUES (?1, ?2) \
                     ON CONFLICT (identity) DO NOTHING",
                )
                .and_then(|mut s| s.execute([identity.as_str(), row.meta.id.as_str()]))
                .map_err(db)?;
            if inserted == 0 {
                out.push(None);
                continue;
            }
            insert_sealed(tx, row).map_err(db)?;
            append(tx, event.clone().about(&row.meta))?;
            out.push(Some(row.meta.clone()));
        }
        Ok(out)
    })
}

/// See [`AuditedStore::imported`](crate::AuditedStore::imported).
pub(super) fn imported(store: &SqliteStore, identities: &[&str]) -> Result<Vec<bool>> {
    for identity in identities {
        check_identity(identity)?;
    }
    store.read(|conn| {
        let mut select = conn
            .prepare_cached("SELECT 1 FROM imports WHERE identity = ?1")
            .map_err(|e| Error::database("could not read the imports", e))?;
        identities
            .iter()
            .map(|identity| {
                select
                    .query_row([identity], |_| Ok(()))
                    .optional()
                    .map(|found| found.is_some())
                    .map_err(|e| Error::database("could not read the imports", e))
            })
            .collect()
    })
}
