//! [`SqliteStore`]: the embedded [`Store`] on one SQLite file.
//!
//! Connections: one writer behind a mutex (SQLite allows one writer at a time anyway, and
//! `BEGIN IMMEDIATE` makes that explicit), plus a few pooled read-only connections that run
//! beside it thanks to WAL mode. An in-memory store has a single connection for both.
//!
//! Sealing and opening happen outside the writer lock wherever the data allows, so the lock is
//! held only for SQL.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bistand_core::seal::{self, Binding, Keyring, NONCE_LEN, Sealed};
use bistand_core::unit::unit_key;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::ToSql;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::error::{Error, ErrorKind, Result};
use crate::record::{
    self, NewRecord, RECORD_ID_BYTES, Record, RecordId, RecordMeta, ResealProgress, ScanFilter,
};
use crate::{Store, schema};

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle read connections kept for reuse; more may be open while busy.
const MAX_IDLE_READERS: usize = 4;
/// Records fetched per query while scanning: large enough to amortise the query, small enough
/// that no lock or read transaction is held for long.
const SCAN_CHUNK: i64 = 512;

/// Columns of a record row, in the order [`stored_row`] reads them.
const COLUMNS: &str =
    "id, pseudonym, unit, instrument, version, created_at, updated_at, key_id, nonce, ciphertext";
/// Metadata columns, in the order [`meta_row`] reads them.
const META_COLUMNS: &str =
    "id, pseudonym, unit, instrument, version, created_at, updated_at, key_id";

/// A [`Store`] on an SQLite file (or in memory), with WAL journaling and `synchronous=FULL`, so a
/// write that has returned survives a crash of the process or the machine.
///
/// `SqliteStore` is `Send + Sync`: share it between threads with an `Arc`.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// `None` for an in-memory store, whose only connection is the writer.
    readers: Option<ReaderPool>,
    keyring: RwLock<Keyring>,
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

/// A row as stored: metadata and the sealed body, not yet opened.
struct StoredRow {
    meta: RecordMeta,
    sealed: Sealed,
}

impl SqliteStore {
    /// Opens the store in the SQLite file at `path`, creating it if needed and migrating an older
    /// schema to [`SCHEMA_VERSION`](crate::SCHEMA_VERSION).
    ///
    /// Records are sealed with the keyring's active key and opened with whichever key sealed them;
    /// a keyring may lack keys that some records use (those records then fail with
    /// [`ErrorKind::UnknownKey`]).
    ///
    /// # Errors
    ///
    /// - [`ErrorKind::Migration`] if the file's schema is newer than this build, or the file is
    ///   another kind of database;
    /// - [`ErrorKind::Database`] if the file cannot be opened or switched to WAL mode.
    pub fn open(path: impl AsRef<Path>, keyring: Keyring) -> Result<SqliteStore> {
        let path = path.as_ref().to_path_buf();
        let mut writer = Connection::open(&path)
            .map_err(|e| Error::database("could not open the store file", e))?;
        configure(&writer, true)?;
        schema::migrate(&mut writer)?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers: Some(ReaderPool {
                path,
                idle: Mutex::new(Vec::new()),
            }),
            keyring: RwLock::new(keyring),
        })
    }

    /// Opens a new, empty store that lives in memory and disappears when dropped (for tests and
    /// short-lived tools).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Database`] if SQLite cannot allocate the database.
    pub fn open_in_memory(keyring: Keyring) -> Result<SqliteStore> {
        let mut conn = Connection::open_in_memory()
            .map_err(|e| Error::database("could not open an in-memory store", e))?;
        configure(&conn, false)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            writer: Mutex::new(conn),
            readers: None,
            keyring: RwLock::new(keyring),
        })
    }

    /// Copies the write-ahead log into the database file and truncates the log (a backup taken
    /// of the `.db` file alone is then complete).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Database`] if the checkpoint fails or cannot finish because readers are
    /// still in the old part of the log.
    pub fn checkpoint(&self) -> Result<()> {
        let writer = self.lock_writer();
        let busy: i64 = writer
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| row.get(0))
            .map_err(|e| Error::database("could not checkpoint the write-ahead log", e))?;
        if busy != 0 {
            return Err(Error::new(
                ErrorKind::Database,
                "could not finish the checkpoint: readers were still active; try again",
            ));
        }
        Ok(())
    }

    fn lock_writer(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave a half-done write behind: an open
        // transaction rolls back when dropped during unwinding. So the connection is still fine.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn keyring(&self) -> std::sync::RwLockReadGuard<'_, Keyring> {
        self.keyring.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` in one `IMMEDIATE` transaction on the writer and commits it.
    pub(crate) fn write<T>(
        &self,
        context: &str,
        f: impl FnOnce(&Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut writer = self.lock_writer();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::database(context, e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| Error::database(context, e))?;
        Ok(value)
    }

    /// Runs `f` on a read connection: a pooled one for a file store, the writer in memory.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let Some(pool) = &self.readers else {
            return f(&self.lock_writer());
        };
        let idle = pool
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop();
        let conn = match idle {
            Some(conn) => conn,
            None => {
                let conn = Connection::open_with_flags(
                    &pool.path,
                    OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )
                .map_err(|e| Error::database("could not open a read connection", e))?;
                configure(&conn, false)?;
                conn.pragma_update(None, "query_only", true)
                    .map_err(|e| Error::database("could not configure a read connection", e))?;
                conn
            }
        };
        let result = f(&conn);
        let healthy = !matches!(&result, Err(e) if e.kind() == ErrorKind::Database);
        let mut idle = pool.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if healthy && idle.len() < MAX_IDLE_READERS {
            idle.push(conn);
        }
        result
    }
}

impl SqliteStore {
    /// Inserts `records` like [`Store::put_many`] and, in the same transaction, runs `also` with
    /// their metadata: what `also` writes is committed with the records or not at all (the
    /// audit entry of an audited write, say).
    pub(crate) fn put_many_with<T>(
        &self,
        records: Vec<NewRecord>,
        also: impl FnOnce(&Transaction<'_>, &[RecordMeta]) -> Result<T>,
    ) -> Result<(Vec<RecordMeta>, T)> {
        for record in &records {
            record.check()?;
        }
        let now = now_ms();
        let rows = {
            let keyring = self.keyring();
            let key = keyring.active();
            records
                .into_iter()
                .map(|record| {
                    let (id, nonce) = fresh_id_and_nonce()?;
                    let meta = RecordMeta {
                        id,
                        pseudonym: record.pseudonym,
                        unit: record.unit,
                        instrument: record.instrument,
                        version: record.version,
                        created_at: now,
                        updated_at: now,
                        key_id: key.id().to_owned(),
                    };
                    let sealed = seal::seal(key, nonce, &binding(&meta), &record.body);
                    Ok(StoredRow { meta, sealed })
                })
                .collect::<Result<Vec<_>>>()?
        };
        let metas: Vec<RecordMeta> = rows.iter().map(|row| row.meta.clone()).collect();
        let context = "could not insert records";
        let also = self.write(context, |tx| {
            let mut insert = tx
                .prepare_cached(&format!(
                    "INSERT INTO records ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                ))
                .map_err(|e| Error::database(context, e))?;
            for StoredRow { meta, sealed } in &rows {
                insert
                    .execute(rusqlite::params![
                        meta.id.as_str(),
                        meta.pseudonym,
                        meta.unit,
                        meta.instrument,
                        meta.version,
                        meta.created_at,
                        meta.updated_at,
                        meta.key_id,
                        &sealed.nonce[..],
                        sealed.ciphertext,
                    ])
                    .map_err(|e| Error::database(context, e))?;
            }
            also(tx, &metas)
        })?;
        Ok((metas, also))
    }

    /// Replaces a record's body like [`Store::update`] and, in the same transaction, runs `also`
    /// with the new metadata.
    pub(crate) fn update_with<T>(
        &self,
        id: &RecordId,
        body: &[u8],
        also: impl FnOnce(&Transaction<'_>, &RecordMeta) -> Result<T>,
    ) -> Result<(RecordMeta, T)> {
        record::check_body(body)?;
        let context = "could not update the record";
        let keyring = self.keyring();
        self.write(context, |tx| {
            let row = select_one(tx, id)?.ok_or_else(|| Error::not_found(id.as_str()))?;
            // Authenticate the stored record before replacing its body: resealing an altered row
            // (say, an edited instrument column) would make the alteration look genuine.
            let old = open_row(&keyring, row)?;
            let key = keyring.active();
            let (_, nonce) = fresh_id_and_nonce()?;
            let meta = RecordMeta {
                updated_at: now_ms().max(old.meta.updated_at),
                key_id: key.id().to_owned(),
                ..old.meta
            };
            let sealed = seal::seal(key, nonce, &binding(&meta), body);
            write_body(tx, &meta, &sealed).map_err(|e| Error::database(context, e))?;
            let also = also(tx, &meta)?;
            Ok((meta, also))
        })
    }
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
        let (meta, ()) = self.update_with(id, body, |_, _| Ok(()))?;
        Ok(meta)
    }

    fn get(&self, id: &RecordId) -> Result<Record> {
        let row = self
            .read(|conn| select_one(conn, id))?
            .ok_or_else(|| Error::not_found(id.as_str()))?;
        open_row(&self.keyring(), row)
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
        filter.check()?;
        let context = "could not scan records";
        let (condition, mut params) = filter_sql(filter);
        let sql = format!(
            "SELECT rowid, {COLUMNS} FROM records WHERE rowid > ? AND rowid <= ? {condition} \
             ORDER BY rowid LIMIT {SCAN_CHUNK}"
        );
        // Keyset pagination by rowid: each chunk is its own short read, so a long report neither
        // holds the in-memory store's only connection nor pins the WAL. Rows never change rowid
        // (no operation deletes or re-inserts), so each record present when the scan starts is
        // visited exactly once, and records inserted during the scan (by `f`, say) are not.
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
                chunk
                    .into_iter()
                    .map(|(_, row)| open_row(&keyring, row))
                    .collect::<Result<Vec<_>>>()?
            };
            for record in records {
                f(record)?;
            }
            if !full {
                return Ok(());
            }
        }
    }

    fn count(&self, filter: &ScanFilter) -> Result<u64> {
        filter.check()?;
        let (condition, params) = filter_sql(filter);
        let sql = format!("SELECT count(*) FROM records WHERE 1 {condition}");
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
                let old = open_row(&keyring, row)?;
                let (_, nonce) = fresh_id_and_nonce()?;
                let meta = RecordMeta {
                    key_id: key.id().to_owned(),
                    ..old.meta
                };
                let sealed = seal::seal(key, nonce, &binding(&meta), &old.body);
                // Moving to a new key does not change the content, so `updated_at` stays.
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
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.readers.as_ref().map(|p| &p.path))
            .field("keyring", &*self.keyring())
            .finish_non_exhaustive()
    }
}

/// Sets the pragmas every connection needs. `journal_mode` is checked on the writer of a file
/// store: without WAL, readers would block the writer.
fn configure(conn: &Connection, require_wal: bool) -> Result<()> {
    let context = "could not configure the store's connection";
    let db = |e| Error::database(context, e);
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(db)?;
    if require_wal && !mode.eq_ignore_ascii_case("wal") {
        return Err(Error::new(
            ErrorKind::Database,
            format!("could not switch the store to WAL journaling (it stays in `{mode}` mode)"),
        ));
    }
    // FULL: in WAL mode every commit syncs the log, so a returned write survives power loss.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(db)?;
    conn.pragma_update(None, "foreign_keys", true).map_err(db)?;
    // Units are looked up by their comparison form (NFC, lowercase: the one rule in
    // `bistand_core::unit`), so `Söder`, `söder` and a decomposed `Söder` are one unit while each
    // record keeps the spelling it was stored with.
    conn.create_scalar_function(
        UNIT_KEY_FUNCTION,
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| Ok(unit_key(&ctx.get::<String>(0)?)),
    )
    .map_err(db)?;
    Ok(())
}

/// The SQL function that gives a unit's comparison form.
const UNIT_KEY_FUNCTION: &str = "bistand_unit_key";

/// Opens (authenticates and decrypts) a stored row.
fn open_row(keyring: &Keyring, row: StoredRow) -> Result<Record> {
    let body = seal::open(keyring, &binding(&row.meta), &row.sealed)
        .map_err(|e| Error::record(row.meta.id.as_str(), e))?;
    Ok(Record {
        meta: row.meta,
        body,
    })
}

fn binding(meta: &RecordMeta) -> Binding<'_> {
    Binding {
        record_id: meta.id.as_str(),
        instrument: &meta.instrument,
        version: &meta.version,
        pseudonym: &meta.pseudonym,
        unit: &meta.unit,
    }
}

fn select_one(conn: &Connection, id: &RecordId) -> Result<Option<StoredRow>> {
    let context = "could not read the record";
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM records WHERE id = ?1"))
        .and_then(|mut s| {
            s.query_row([id.as_str()], |row| stored_row(row, 0))
                .optional()
        })
        .map_err(|e| Error::database(context, e))
}

fn write_body(tx: &Transaction<'_>, meta: &RecordMeta, sealed: &Sealed) -> rusqlite::Result<()> {
    tx.prepare_cached(
        "UPDATE records SET key_id = ?2, nonce = ?3, ciphertext = ?4, updated_at = ?5 WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        meta.id.as_str(),
        meta.key_id,
        &sealed.nonce[..],
        sealed.ciphertext,
        meta.updated_at,
    ])?;
    Ok(())
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
    })
}

/// Reads the [`COLUMNS`] starting at column `first`.
fn stored_row(row: &Row<'_>, first: usize) -> rusqlite::Result<StoredRow> {
    let meta = meta_at(row, first)?;
    let stored_nonce: Vec<u8> = row.get(first + 8)?;
    // A nonce of the wrong length cannot be the one the body was sealed with; an all-zero
    // nonce in its place makes opening fail authentication, as any other alteration does.
    let nonce = <[u8; NONCE_LEN]>::try_from(stored_nonce.as_slice()).unwrap_or([0; NONCE_LEN]);
    let ciphertext: Vec<u8> = row.get(first + 9)?;
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
    Ok(StoredRow { meta, sealed })
}

/// The `AND ...` conditions of a filter and their parameters, in order.
fn filter_sql(filter: &ScanFilter) -> (String, Vec<Box<dyn ToSql>>) {
    let mut condition = String::new();
    let mut params: Vec<Box<dyn ToSql>> = Vec::new();
    if let Some(unit) = &filter.unit {
        condition.push_str(&format!(" AND {UNIT_KEY_FUNCTION}(unit) = ?"));
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

/// A new record id and a new nonce, from one call to the operating system's random source.
fn fresh_id_and_nonce() -> Result<(RecordId, [u8; NONCE_LEN])> {
    let mut bytes = [0u8; RECORD_ID_BYTES + NONCE_LEN];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(
            ErrorKind::Io,
            format!("the operating system's random number source failed: {e}"),
        )
    })?;
    let (id, nonce) = bytes.split_at(RECORD_ID_BYTES);
    Ok((
        RecordId::from_random(id.try_into().expect("split at RECORD_ID_BYTES")),
        nonce.try_into().expect("the rest is NONCE_LEN bytes"),
    ))
}

fn now_ms() -> i64 {
    // A clock before 1970 is a misconfigured machine; 0 keeps the store working.
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

#[cfg(test)]
pub(crate) mod tests {
    use bistand_core::seal::DataKey;

    use super::*;

    /// A well-formed pseudonym, for the tests of this crate.
    pub(crate) const PSEUDONYM: &str =
        "p1:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// An in-memory store with one data key, for the tests of this crate.
    pub(crate) fn store() -> SqliteStore {
        let key = DataKey::new("k1", &[1; 32]).expect("key");
        SqliteStore::open_in_memory(Keyring::new(key)).expect("memory store")
    }

    fn new_record(body: &[u8]) -> NewRecord {
        NewRecord {
            pseudonym: PSEUDONYM.to_owned(),
            unit: "norr".to_owned(),
            instrument: "sue".to_owned(),
            version: "1".to_owned(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn in_memory_round_trip_and_scan_across_chunks() {
        let store = store();
        let count = usize::try_from(SCAN_CHUNK).expect("small") * 2 + 3;
        let records = (0..count)
            .map(|i| new_record(format!("{{\"i\":{i}}}").as_bytes()))
            .collect();
        let metas = store.put_many(records).expect("put");
        assert_eq!(metas.len(), count);
        let first = store.get(&metas[0].id).expect("get");
        assert_eq!(first.body, b"{\"i\":0}");

        let mut seen = Vec::new();
        store
            .scan(&ScanFilter::all(), &mut |record| {
                seen.push(record.body);
                Ok(())
            })
            .expect("scan");
        assert_eq!(seen.len(), count);
        assert_eq!(
            seen[count - 1],
            format!("{{\"i\":{}}}", count - 1).as_bytes()
        );
        assert_eq!(
            store.count(&ScanFilter::all()).expect("count"),
            count as u64
        );
    }

    #[test]
    fn ping_answers_while_the_records_table_is_readable() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("store.db");
        let key = DataKey::new("k1", &[1; 32]).expect("key");
        let store = SqliteStore::open(&path, Keyring::new(key)).expect("file store");
        store.ping().expect("an empty store answers");
        store.put(new_record(b"a")).expect("put");
        store.ping().expect("a store with records answers");

        // Another process breaks the file under the running store.
        let other = rusqlite::Connection::open(&path).expect("open");
        other
            .execute_batch("DROP TABLE records")
            .expect("drop the table");
        let error = store.ping().expect_err("no records table");
        assert_eq!(error.kind(), ErrorKind::Database);
    }

    #[test]
    fn scan_callback_may_write_to_an_in_memory_store() {
        let store = store();
        store.put(new_record(b"a")).expect("put");
        let mut visited = 0;
        store
            .scan(&ScanFilter::all(), &mut |_| {
                visited += 1;
                store.put(new_record(b"b")).map(|_| ())
            })
            .expect("no deadlock");
        assert_eq!(
            visited, 1,
            "records inserted during the scan are not visited"
        );
        assert_eq!(store.count(&ScanFilter::all()).expect("count"), 2);
    }

    #[test]
    fn fresh_ids_and_nonces_differ() {
        let (a, na) = fresh_id_and_nonce().expect("random");
        let (b, nb) = fresh_id_and_nonce().expect("random");
        assert_ne!(a, b);
        assert_ne!(na, nb);
        RecordId::parse(a.as_str()).expect("well formed");
    }

    #[test]
    fn file_store_connections_are_durable_and_in_wal_mode() {
        let dir = tempfile::tempdir().expect("temp dir");
        let key = DataKey::new("k1", &[1; 32]).expect("key");
        let store = SqliteStore::open(dir.path().join("s.db"), Keyring::new(key)).expect("open");
        let pragma = |conn: &Connection, name: &str| -> String {
            conn.query_row(&format!("PRAGMA {name}"), [], |row| {
                row.get::<_, rusqlite::types::Value>(0)
            })
            .map(|v| format!("{v:?}"))
            .expect("pragma")
        };
        let writer = store.lock_writer();
        assert_eq!(pragma(&writer, "journal_mode"), "Text(\"wal\")");
        assert_eq!(pragma(&writer, "synchronous"), "Integer(2)", "FULL");
        assert_eq!(pragma(&writer, "foreign_keys"), "Integer(1)");
        assert_eq!(pragma(&writer, "busy_timeout"), "Integer(5000)");
        drop(writer);
        store
            .read(|reader| {
                assert_eq!(pragma(reader, "query_only"), "Integer(1)");
                assert_eq!(pragma(reader, "journal_mode"), "Text(\"wal\")");
                Ok(())
            })
            .expect("reader");
    }

    #[test]
    fn store_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<SqliteStore>();
    }
}
