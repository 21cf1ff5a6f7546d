//! Durable idempotency keys on SQLite: the `idempotency_keys` table (migration 7) holds each
//! key's digest, its request's digest, the record it created and when; the purge, the lookup,
//! the record, the key and the audit entry share one `IMMEDIATE` transaction.

use rusqlite::{OptionalExtension, Transaction};

use super::SqliteStore;
use super::audit::append;
use super::import::identity_bytes;
use super::records::{insert_sealed, select_meta};
use crate::audit::{AuditEntry, AuditEvent};
use crate::error::{Error, Result};
use crate::idempotency::{IDEMPOTENCY_TTL_MS, IdempotencyKey, Once};
use crate::record::{NewRecord, RecordId};
use crate::sealing::now_ms;

/// See [`AuditedStore::put_audited_once`](crate::AuditedStore::put_audited_once).
pub(super) fn put_audited_once(
    store: &SqliteStore,
    record: NewRecord,
    event: AuditEvent,
    key: &IdempotencyKey,
) -> Result<Once<AuditEntry>> {
    event.check()?;
    // Sealed outside the writer lock; dropped unused when the key was seen.
    let mut rows = store.seal_new_records(vec![record])?;
    let row = rows.pop().expect("one record was sealed");
    let context = "could not store the record under its idempotency key";
    let db = |e| Error::database(context, e);
    let (key_bytes, request_bytes) = (identity_bytes(key.key()), identity_bytes(key.request()));
    store.write(context, |tx| {
        let now = now_ms();
        purge(tx, now).map_err(db)?;
        let seen: Option<(Vec<u8>, String)> = tx
            .prepare_cached("SELECT request, record_id FROM idempotency_keys WHERE key = ?1")
            .and_then(|mut s| {
                s.query_row([&key_bytes], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
            })
            .map_err(db)?;
        if let Some((request, record_id)) = seen {
            if request != request_bytes {
                return Ok(Once::Reused);
            }
            if let Some(meta) = select_meta(tx, &RecordId::from_stored(record_id))? {
                return Ok(Once::Replayed(meta));
            }
            // The record it created is gone (quarantined): the key answers a new one.
            tx.execute("DELETE FROM idempotency_keys WHERE key = ?1", [&key_bytes])
                .map_err(db)?;
        }
        insert_sealed(tx, &[&row]).map_err(db)?;
        tx.prepare_cached(
            "INSERT INTO idempotency_keys (key, request, record_id, created_at) \
             VALUES (?1, ?2, ?3, ?4)",
        )
        .and_then(|mut s| {
            s.execute(rusqlite::params![
                key_bytes,
                request_bytes,
                row.meta.id.as_str(),
                now
            ])
        })
        .map_err(db)?;
        let entry = append(tx, store.chain(), event.about(&row.meta))?;
        Ok(Once::Stored(row.meta.clone(), entry))
    })
}

/// Forgets keys older than [`IDEMPOTENCY_TTL_MS`] (an index search on `created_at`).
fn purge(tx: &Transaction<'_>, now: i64) -> rusqlite::Result<usize> {
    tx.prepare_cached("DELETE FROM idempotency_keys WHERE created_at < ?1")?
        .execute([now.saturating_sub(IDEMPOTENCY_TTL_MS)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AuditedStore;
    use crate::sqlite::tests::store;

    #[test]
    fn expired_keys_are_purged_by_the_next_keyed_write() {
        let store = store();
        let old = now_ms() - IDEMPOTENCY_TTL_MS - 1;
        store
            .write("test", |tx| {
                tx.execute(
                    "INSERT INTO idempotency_keys (key, request, record_id, created_at) \
                     VALUES (x'01', x'02', 'gone', ?1)",
                    [old],
                )
                .map_err(|e| Error::database("test", e))
            })
            .expect("insert an old key");
        let key = IdempotencyKey::new("ab".repeat(32), "cd".repeat(32)).expect("key");
        let record = NewRecord {
            pseudonym: crate::sqlite::tests::PSEUDONYM.to_owned(),
            unit: "Söder".to_owned(),
            instrument: "fia".to_owned(),
            version: "1".to_owned(),
            body: b"{}".to_vec(),
        };
        let event = AuditEvent::new(
            old,
            "handlaggare-soder",
            "handlaggare",
            "record.create",
            "ok",
        );
        assert!(matches!(
            store.put_audited_once(record, event, &key).expect("put"),
            Once::Stored(..)
        ));
        let keys: i64 = store
            .read(|conn| {
                conn.query_row("SELECT count(*) FROM idempotency_keys", [], |r| r.get(0))
                    .map_err(|e| Error::database("test", e))
            })
            .expect("count");
        assert_eq!(keys, 1, "the expired key is gone, the new one stays");
    }
}
