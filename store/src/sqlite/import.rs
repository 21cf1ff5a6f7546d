//! Idempotent, audited import on SQLite: the `imports` table (migration 5) remembers each
//! imported record's identity, and a record, its identity and its audit entry commit together.

use rusqlite::OptionalExtension;

use super::SqliteStore;
use super::audit::{append_after, head};
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
        // The head is read once; each entry appended is the next one's head.
        let mut last = head(tx)?;
        let mut remember = tx
            .prepare_cached(
                "INSERT INTO imports (identity, record_id) VALUES (?1, ?2) \
                 ON CONFLICT (identity) DO NOTHING",
            )
            .map_err(db)?;
        for (row, identity) in rows.iter().zip(&identities) {
            let inserted = remember
                .execute(rusqlite::params![
                    identity_bytes(identity),
                    row.meta.id.as_str()
                ])
                .map_err(db)?;
            if inserted == 0 {
                out.push(None);
                continue;
            }
            insert_sealed(tx, row).map_err(db)?;
            let entry = append_after(
                tx,
                store.chain(),
                last.take(),
                event.clone().about(&row.meta),
            )?;
            let seq = i64::try_from(entry.seq).expect("an appended seq was an i64");
            last = Some((seq, entry.hash));
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
fn identity_bytes(identity: &str) -> Vec<u8> {
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
