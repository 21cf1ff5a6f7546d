//! The records half of [`SqliteStore`]: the [`Store`] operations as SQL on the `records` table,
//! and the transactions an audited write shares with its audit entry.
//!
//! Sealing and opening happen outside the writer lock wherever the data allows, so the lock is
//! held only for SQL.

use std::sync::PoisonError;

use bistand_core::identifier::PseudonymKey;
use bistand_core::seal::{Keyring, NONCE_LEN, Sealed};
use bistand_core::unit::unit_key;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OptionalExtension, Row, Transaction};

use super::{SqliteStore, insert_rows};
use crate::Store;
use crate::error::{Error, ErrorKind, Result};
use crate::record::{self, NewRecord, Record, RecordId, RecordMeta, ResealProgress, ScanFilter};
use crate::sealing::{self, SealedRecord, now_ms};

/// Records fetched per query while scanning: large enough to amortise the query, small enough
/// that no lock or read transaction is held for long.
pub(super) const SCAN_CHUNK: i64 = 512;

/// Columns of a record row, in the order [`stored_row`] reads them.
pub(super) const COLUMNS: &str = "id, pseudonym, unit, instrument, version, created_at, \
                                   updated_at, key_id, revision, nonce, ciphertext";
/// Metadata columns, in the order [`meta_row`] reads them.
const META_COLUMNS: &str =
    "id, pseudonym, unit, instrument, version, created_at, updated_at, key_id, revision";

impl SqliteStore {
    /// Inserts `records` like [`Store::put_many`] and, in the same transaction, runs `also` with
    /// their metadata: what `also` writes is committed with the records or not at all (the
    /// audit entry of an audited write, say).
    pub(crate) fn put_many_with<T>(
        &self,
        records: Vec<NewRecord>,
        also: impl FnOnce(&Transaction<'_>, &[RecordMeta]) -> Result<T>,
    ) -> Result<(Vec<RecordMeta>, T)> {
        let rows = self.seal_new_records(records)?;
        let metas: Vec<RecordMeta> = rows.iter().map(|row| row.meta.clone()).collect();
        let context = "could not insert records";
        let also = self.write(context, |tx| {
            let all: Vec<&SealedRecord> = rows.iter().collect();
            insert_sealed(tx, &all).map_err(|e| Error::database(context, e))?;
            also(tx, &metas)
        })?;
        Ok((metas, also))
    }

    /// Seals `records` with the active key, outside the writer lock.
    pub(super) fn seal_new_records(&self, records: Vec<NewRecord>) -> Result<Vec<SealedRecord>> {
        for record in &records {
            record.check()?;
        }
        let now = now_ms();
        let keyring = self.keyring();
        let key = keyring.active();
        records
            .into_iter()
            .map(|record| sealing::seal_new(key, record, now))
            .collect()
    }

    /// Replaces a record's body like [`Store::update`] and, in the same transaction, runs `also`
    /// with the new metadata.
    pub(crate) fn update_with<T>(
        &self,
        id: &RecordId,
        body: &[u8],
        expected_revision: Option<u64>,
        also: impl FnOnce(&Transaction<'_>, &RecordMeta) -> Result<T>,
    ) -> Result<(RecordMeta, T)> {
        record::check_body(body)?;
        let context = "could not update the record";
        let keyring = self.keyring();
        self.write(context, |tx| {
            let row = select_one(tx, id)?.ok_or_else(|| Error::not_found(id.as_str()))?;
            // Authenticate the stored record before replacing its body: resealing an altered row
            // (say, an edited instrument column) would make the alteration look genuine.
            let old = sealing::open(&keyring, row)?;
            if expected_revision.is_some_and(|revision| revision != old.meta.revision) {
                return Err(Error::stale(id.as_str()));
            }
            let meta = RecordMeta {
                updated_at: now_ms().max(old.meta.updated_at),
                revision: old.meta.revision.saturating_add(1),
                ..old.meta
            };
            let SealedRecord { meta, sealed } = sealing::seal_body(keyring.active(), meta, body)?;
            write_body(tx, &meta, &sealed).map_err(|e| Error::database(context, e))?;
            let also = also(tx, &meta)?;
            Ok((meta, also))
        })
    }

    /// [`Store::scan`], and with `unreadable` [`Store::scan_readable`].
    fn scan_with(
        &self,
        filter: &ScanFilter,
        f: &mut dyn FnMut(Record) -> Result<()>,
        mut unreadable: Option<&mut dyn FnMut(RecordId, Error) -> Result<()>>,
    ) -> Result<()> {
        filter.check()?;
        let context = "could not scan records";
        let (condition, mut params) = filter_sql(filter);
        let wanted_key = filter.unit.as_deref().map(unit_key);
        let sql = scan_sql(&condition);
        // Keyset pagination by rowid: each chunk is its own short read, so a long report neither
        // holds the in-memory store's only connection nor pins the WAL. Rows never change rowid
        // (nothing re-inserts; a quarantined row is only removed), so each record present when
        // the scan starts is visited at most once, and records inserted during the scan (by
        // `f`, say) are not.
        let last: Option<i64> = self.read(|conn| {
            conn.query_row("SELECT max(rowid) FROM records", [], |row| row.get(0))
                .map_err(|e| Error::database(context, e))
        })?;
        let Some(last) = last else {
            return Ok(());
        };
        let mut after: i64 = 0;
        loop {
            params.insert(0, Box::new(last));
            params.insert(0, Box::new(after));
            let chunk = self.read(|conn| {
                let mut statement = conn
                    .prepare_cached(&sql)
                    .map_err(|e| Error::database(context, e))?;
                let rows = statement
                    .query_map(rusqlite::params_from_iter(params.iter()), |row| {
                        Ok((row.get::<_, i64>(0)?, stored_row(row, 1)?))
                    })
                    .map_err(|e| Error::database(context, e))?;
                rows.collect::<rusqlite::Result<Vec<_>>>()
                    .map_err(|e| Error::database(context, e))
            })?;
            params.drain(..2);
            let Some(&(chunk_last, _)) = chunk.last() else {
                return Ok(());
            };
            after = chunk_last;
            let full = chunk.len() as i64 == SCAN_CHUNK;
            // Open the whole chunk, then let go of the keyring before calling back: the callback
            // may use the store, and a nested read lock could deadlock behind a waiting writer.
            let records = {
                let keyring = self.keyring();
                let mut records = Vec::with_capacity(chunk.len());
                for (_, row) in chunk {
                    // The id is kept only when a failure is to be reported rather than returned.
                    let id = unreadable.is_some().then(|| row.meta.id.clone());
                    // The stored unit key chose the row; the authenticated unit must agree,
                    // or an edited key could slip a record into another unit's report.
                    let opened =
                        sealing::open(&keyring, row).and_then(|record| match &wanted_key {
                            Some(key) if unit_key(&record.meta.unit) != *key => {
                                Err(Error::new(ErrorKind::Integrity, UNIT_KEY_EDITED))
                            }
                            _ => Ok(record),
                        });
                    match (opened, id) {
                        (Ok(record), _) => records.push(Ok(record)),
                        (Err(error), Some(id)) if error.kind() == ErrorKind::Integrity => {
                            records.push(Err((id, error)));
                        }
                        (Err(error), _) => return Err(error),
                    }
                }
                records
            };
            for record in records {
                match (record, unreadable.as_mut()) {
                    (Ok(record), _) => f(record)?,
                    (Err((id, error)), Some(unreadable)) => unreadable(id, error)?,
                    (Err((_, error)), None) => return Err(error),
                }
            }
            if !full {
                return Ok(());
            }
        }
    }
}

/// The error of a row whose stored unit key is not its unit's.
const UNIT_KEY_EDITED: &str = "record's unit key does not match its unit: the row was edited";

/// Inserts sealed record rows, many per statement (see [`insert_rows`]).
pub(super) fn insert_sealed(tx: &Transaction<'_>, rows: &[&SealedRecord]) -> rusqlite::Result<()> {
    // The derived columns, made before binding so the parameters can borrow them.
    let derived: Vec<(&str, i64, String)> = rows
        .iter()
        .map(|row| {
            (
                row.meta.id.as_str(),
                revision_column(row.meta.revision),
                unit_key(&row.meta.unit),
            )
        })
        .collect();
    let rows: Vec<(&SealedRecord, &(&str, i64, String))> =
        rows.iter().copied().zip(&derived).collect();
    insert_rows(
        tx,
        &format!("INSERT INTO records ({COLUMNS}, unit_key)"),
        12,
        "",
        &rows,
        |(SealedRecord { meta, sealed }, (id, revision, key))| {
            vec![
                id as &dyn ToSql,
                &meta.pseudonym,
                &meta.unit,
                &meta.instrument,
                &meta.version,
                &meta.created_at,
                &meta.updated_at,
                &meta.key_id,
                revision,
                &sealed.nonce,
                &sealed.ciphertext,
                key,
            ]
        },
        |_| Ok(()),
    )
}

impl Store for SqliteStore {
    fn put(&self, record: NewRecord) -> Result<RecordMeta> {
        let mut metas = self.put_many(vec![record])?;
        Ok(metas.remove(0))
    }

    fn put_many(&self, records: Vec<NewRecord>) -> Result<Vec<RecordMeta>> {
        let (metas, ()) = self.put_many_with(records, |_, _| Ok(()))?;
        Ok(metas)
    }

    fn update(&self, id: &RecordId, body: &[u8]) -> Result<RecordMeta> {
        let (meta, ()) = self.update_with(id, body, None, |_, _| Ok(()))?;
        Ok(meta)
    }

    fn get(&self, id: &RecordId) -> Result<Record> {
        let row = self
            .read(|conn| select_one(conn, id))?
            .ok_or_else(|| Error::not_found(id.as_str()))?;
        sealing::open(&self.keyring(), row)
    }

    fn get_in_units(
        &self,
        id: &RecordId,
        may_read: &dyn Fn(&str) -> bool,
    ) -> Result<Option<Record>> {
        let Some(row) = self.read(|conn| select_one(conn, id))? else {
            return Ok(None);
        };
        if !may_read(&row.meta.unit) {
            return Ok(None);
        }
        sealing::open(&self.keyring(), row).map(Some)
    }

    fn find_by_pseudonym(
        &self,
        pseudonym: &str,
        instrument: Option<&str>,
    ) -> Result<Vec<RecordMeta>> {
        record::check_pseudonym(pseudonym)?;
        if let Some(instrument) = instrument {
            record::check_name("instrument", instrument)?;
        }
        let context = "could not look up records by pseudonym";
        self.read(|conn| {
            let mut statement = conn
                .prepare_cached(&format!(
                    "SELECT {META_COLUMNS} FROM records
                     WHERE pseudonym = ?1 AND (?2 IS NULL OR instrument = ?2)
                     ORDER BY created_at, rowid"
                ))
                .map_err(|e| Error::database(context, e))?;
            let rows = statement
                .query_map(rusqlite::params![pseudonym, instrument], meta_row)
                .map_err(|e| Error::database(context, e))?;
            rows.collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| Error::database(context, e))
        })
    }

    fn scan(&self, filter: &ScanFilter, f: &mut dyn FnMut(Record) -> Result<()>) -> Result<()> {
        self.scan_with(filter, f, None)
    }

    fn scan_readable(
        &self,
        filter: &ScanFilter,
        f: &mut dyn FnMut(Record) -> Result<()>,
        unreadable: &mut dyn FnMut(RecordId, Error) -> Result<()>,
    ) -> Result<()> {
        self.scan_with(filter, f, Some(unreadable))
    }

    fn count(&self, filter: &ScanFilter) -> Result<u64> {
        filter.check()?;
        let (condition, params) = filter_sql(filter);
        let sql = count_sql(&condition);
        let count: i64 = self.read(|conn| {
            conn.prepare_cached(&sql)
                .and_then(|mut s| {
                    s.query_row(rusqlite::params_from_iter(params.iter()), |r| r.get(0))
                })
                .map_err(|e| Error::database("could not count records", e))
        })?;
        Ok(count.unsigned_abs())
    }

    fn ping(&self) -> Result<()> {
        self.read(|conn| {
            conn.prepare_cached("SELECT 1 FROM records LIMIT 1")
                .and_then(|mut s| s.exists([]))
                .map(|_| ())
                .map_err(|e| Error::database("the store does not answer", e))
        })
    }

    fn reseal_batch(&self, batch_size: usize) -> Result<ResealProgress> {
        if batch_size == 0 {
            return Err(Error::new(
                ErrorKind::InvalidInput,
                "reseal batch size must be at least 1",
            ));
        }
        let limit = i64::try_from(batch_size).unwrap_or(i64::MAX);
        let context = "could not reseal records";
        let keyring = self.keyring();
        let key = keyring.active();
        self.write(context, |tx| {
            let db = |e| Error::database(context, e);
            let rows = {
                let mut statement = tx
                    .prepare_cached(&format!(
                        "SELECT {COLUMNS} FROM records WHERE key_id <> ?1 LIMIT ?2"
                    ))
                    .map_err(db)?;
                let rows = statement
                    .query_map(rusqlite::params![key.id(), limit], |row| stored_row(row, 0))
                    .map_err(db)?;
                rows.collect::<rusqlite::Result<Vec<_>>>().map_err(db)?
            };
            let resealed = rows.len() as u64;
            for row in rows {
                let old = sealing::open(&keyring, row)?;
                // Moving to a new key does not change the content, so `updated_at` stays.
                let SealedRecord { meta, sealed } = sealing::seal_body(key, old.meta, &old.body)?;
                write_body(tx, &meta, &sealed).map_err(db)?;
            }
            let remaining: i64 = tx
                .prepare_cached("SELECT count(*) FROM records WHERE key_id <> ?1")
                .and_then(|mut s| s.query_row([key.id()], |r| r.get(0)))
                .map_err(db)?;
            Ok(ResealProgress {
                resealed,
                remaining: remaining.unsigned_abs(),
            })
        })
    }

    fn replace_keyring(&self, keyring: Keyring) {
        *self.keyring.write().unwrap_or_else(PoisonError::into_inner) = keyring;
    }

    fn bind_keys(&self, pseudonym: &PseudonymKey) -> Result<()> {
        super::keys::bind_keys(self, pseudonym)
    }
}

pub(super) fn select_one(conn: &Connection, id: &RecordId) -> Result<Option<SealedRecord>> {
    let context = "could not read the record";
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM records WHERE id = ?1"))
        .and_then(|mut s| {
            s.query_row([id.as_str()], |row| stored_row(row, 0))
                .optional()
        })
        .map_err(|e| Error::database(context, e))
}

/// The metadata of the record with id `id`, if there is one (nothing is opened).
pub(super) fn select_meta(conn: &Connection, id: &RecordId) -> Result<Option<RecordMeta>> {
    conn.prepare_cached(&format!("SELECT {META_COLUMNS} FROM records WHERE id = ?1"))
        .and_then(|mut s| s.query_row([id.as_str()], meta_row).optional())
        .map_err(|e| Error::database("could not read the record", e))
}

fn write_body(tx: &Transaction<'_>, meta: &RecordMeta, sealed: &Sealed) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE records SET key_id = ?2, nonce = ?3, ciphertext = ?4, updated_at = ?5, \
         revision = ?6 WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        meta.id.as_str(),
        meta.key_id,
        &sealed.nonce[..],
        sealed.ciphertext,
        meta.updated_at,
        revision_column(meta.revision),
    ])?;
    Ok(())
}

/// A revision as SQLite's signed integer; no store reaches 2^63 writes of one record.
fn revision_column(revision: u64) -> i64 {
    i64::try_from(revision).unwrap_or(i64::MAX)
}

fn meta_row(row: &Row<'_>) -> rusqlite::Result<RecordMeta> {
    meta_at(row, 0)
}

fn meta_at(row: &Row<'_>, first: usize) -> rusqlite::Result<RecordMeta> {
    Ok(RecordMeta {
        id: RecordId::from_stored(row.get(first)?),
        pseudonym: row.get(first + 1)?,
        unit: row.get(first + 2)?,
        instrument: row.get(first + 3)?,
        version: row.get(first + 4)?,
        created_at: row.get(first + 5)?,
        updated_at: row.get(first + 6)?,
        key_id: row.get(first + 7)?,
        // A negative revision can only be an edit; u64::MAX makes the body fail to open.
        revision: u64::try_from(row.get::<_, i64>(first + 8)?).unwrap_or(u64::MAX),
    })
}

/// Reads the [`COLUMNS`] starting at column `first`.
pub(super) fn stored_row(row: &Row<'_>, first: usize) -> rusqlite::Result<SealedRecord> {
    let meta = meta_at(row, first)?;
    let stored_nonce: Vec<u8> = row.get(first + 9)?;
    // A nonce of the wrong length cannot be the one the body was sealed with; an all-zero
    // nonce in its place makes opening fail authentication, as any other alteration does.
    let nonce = <[u8; NONCE_LEN]>::try_from(stored_nonce.as_slice()).unwrap_or([0; NONCE_LEN]);
    let ciphertext: Vec<u8> = row.get(first + 10)?;
    let mut sealed = Sealed {
        key_id: meta.key_id.clone(),
        nonce,
        ciphertext,
    };
    if stored_nonce.len() != NONCE_LEN {
        // Also spoil the tag, so a wrong-length nonce fails even in the (impossible in practice)
        // case that the body was sealed with the all-zero nonce.
        sealed.ciphertext.clear();
    }
    Ok(SealedRecord { meta, sealed })
}

/// One chunk of a scan: the rows after rowid `?1` up to `?2` that meet `condition`.
fn scan_sql(condition: &str) -> String {
    format!(
        "SELECT rowid, {COLUMNS} FROM records WHERE rowid > ? AND rowid <= ? {condition} \
         ORDER BY rowid LIMIT {SCAN_CHUNK}"
    )
}

/// The number of rows that meet `condition`.
fn count_sql(condition: &str) -> String {
    format!("SELECT count(*) FROM records WHERE 1 {condition}")
}

/// The `AND ...` conditions of a filter and their parameters, in order.
fn filter_sql(filter: &ScanFilter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut condition = String::new();
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(unit) = &filter.unit {
        condition.push_str(" AND unit_key = ?");
        params.push(Box::new(unit_key(unit)));
    }
    for (column, value) in [
        ("instrument", &filter.instrument),
        ("version", &filter.version),
    ] {
        if let Some(value) = value {
            condition.push_str(&format!(" AND {column} = ?"));
            params.push(Box::new(value.clone()));
        }
    }
    (condition, params)
}

#[cfg(test)]
mod tests {
    use bistand_core::seal::DataKey;

    use super::*;

    /// The query plan of `sql` with `params` (after `leading` ones), one line per step.
    fn plan(store: &SqliteStore, sql: &str, leading: &[i64], filter: &ScanFilter) -> String {
        let (_, params) = filter_sql(filter);
        let mut all: Vec<&dyn ToSql> = leading.iter().map(|p| p as &dyn ToSql).collect();
        all.extend(params.iter().map(|p| p.as_ref()));
        store
            .read(|conn| {
                let mut statement = conn
                    .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                    .expect("prepare");
                let rows = statement
                    .query_map(all.as_slice(), |row| row.get::<_, String>(3))
                    .expect("plan");
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>().expect("rows"))
            })
            .expect("read")
            .join("\n")
    }

    #[test]
    fn unit_filters_search_the_unit_key_index() {
        let keyring = Keyring::new(DataKey::new("k1", &[1; 32]).expect("key"));
        let store = SqliteStore::open_in_memory(keyring).expect("store");
        for filter in [
            ScanFilter::all().unit("Söder"),
            ScanFilter::all().unit("SÖDER").instrument("fia"),
            ScanFilter::all()
                .unit("söder")
                .instrument("fia")
                .version("1"),
        ] {
            let (condition, _) = filter_sql(&filter);
            for (sql, leading) in [
                (scan_sql(&condition), &[0, 10][..]),
                (count_sql(&condition), &[][..]),
            ] {
                let plan = plan(&store, &sql, leading, &filter);
                assert!(
                    plan.contains("USING INDEX records_by_unit_key")
                        || plan.contains("USING COVERING INDEX records_by_unit_key"),
                    "{sql}: {plan}"
                );
            }
        }
    }
}
