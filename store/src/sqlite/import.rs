//! Idempotent, audited import on SQLite: the `imports` table (migration 5) remembers each
//! imported record's identity, and a record, its identity and its audit entry commit together.

use std::collections::HashSet;

use rusqlite::OptionalExtension;

use super::audit::{append_all_after, head};
use super::records::insert_sealed;
use super::{SqliteStore, insert_rows};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::import::{ImportRecord, check_identity};
use crate::record::RecordMeta;
use crate::sealing::SealedRecord;

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
        // The identities new to the store, many per statement: `RETURNING` yields only the rows
        // inserted, so a repeat (of an earlier import, or within this batch) is not among them.
        let mut fresh = HashSet::with_capacity(rows.len());
        let remembered: Vec<(Vec<u8>, &str)> = rows
            .iter()
            .zip(&identities)
            .map(|(row, identity)| (identity_bytes(identity), row.meta.id.as_str()))
            .collect();
        insert_rows(
            tx,
            "INSERT INTO imports (identity, record_id)",
            2,
            "ON CONFLICT (identity) DO NOTHING RETURNING record_id",
            &remembered,
            |(identity, id)| vec![identity as &dyn rusqlite::ToSql, id],
            |row| {
                fresh.insert(row.get::<_, String>(0)?);
                Ok(())
            },
        )
        .map_err(db)?;
        let new: Vec<&SealedRecord> = rows
            .iter()
            .filter(|row| fresh.contains(row.meta.id.as_str()))
            .collect();
        insert_sealed(tx, &new).map_err(db)?;
        append_all_after(
            tx,
            store.chain(),
            head(tx)?,
            new.iter().map(|row| event.clone().about(&row.meta)),
        )?;
        Ok(rows
            .iter()
            .map(|row| {
                fresh
                    .contains(row.meta.id.as_str())
                    .then(|| row.meta.clone())
            })
            .collect())
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
                    .query_row([identity_bytes(identity)], |_| Ok(()))
                    .optional()
                    .map(|found| found.is_some())
                    .map_err(|e| Error::database("could not read the imports", e))
            })
            .collect()
    })
}

/// An identity (64 checked hex digits) as its 32 bytes: half the size of the text in the
/// `imports` table and its index.
pub(super) fn identity_bytes(identity: &str) -> Vec<u8> {
    let digit = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        _ => b - b'a' + 10,
    };
    identity
        .as_bytes()
        .chunks_exact(2)
        .map(|pair| (digit(pair[0]) << 4) | digit(pair[1]))
        .collect()
}
