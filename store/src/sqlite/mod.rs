//! [`SqliteStore`]: the embedded [`Store`](crate::Store) on one SQLite file, and its connections.
//!
//! Connections: one writer behind a mutex (SQLite allows one writer at a time anyway, and
//! `BEGIN IMMEDIATE` makes that explicit), plus a few pooled read-only connections that run
//! beside it thanks to WAL mode. An in-memory store has a single connection for both.
//!
//! The operations are in `records.rs` ([`Store`](crate::Store)) and `audit.rs`
//! ([`AuditLog`](crate::AuditLog), [`AuditedStore`](crate::AuditedStore)); the schema and its
//! migrations in `schema.rs`. What is not SQL (sealing, the audit chain, field checks) is shared
//! with every backend and lives outside this folder.

mod audit;
mod backup;
mod idempotency;
mod import;
mod integrity;
mod keys;
mod records;
pub(crate) mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError, RwLock};
use std::time::Duration;

pub use backup::BackupSummary;
use bistand_core::audit_key::AuditKey;
use bistand_core::seal::Keyring;
use bistand_core::unit::unit_key;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{Error, ErrorKind, Result};

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Idle read connections kept for reuse; more may be open while busy.
const MAX_IDLE_READERS: usize = 4;

/// A [`Store`](crate::Store) on an SQLite file (or in memory), with WAL journaling and `synchronous=FULL`, so a
/// write that has returned survives a crash of the process or the machine.
///
/// `SqliteStore` is `Send + Sync`: share it between threads with an `Arc`.
pub struct SqliteStore {
    writer: Mutex<Connection>,
    /// `None` for an in-memory store, whose only connection is the writer.
    readers: Option<ReaderPool>,
    keyring: RwLock<Keyring>,
    /// Links the audit log; `None` links it with plain SHA-256 (see [`SqliteStore::with_audit_key`]).
    audit_key: Option<AuditKey>,
}

struct ReaderPool {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
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
        owner_only(&path)?;
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
            audit_key: None,
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
            audit_key: None,
        })
    }

    /// The same store with its audit log linked under `key`: every entry appended is MACed with
    /// it, and verification accepts only MACed entries (an entry linked without the key is
    /// [`AuditProblem::Unkeyed`](crate::AuditProblem::Unkeyed); a log from before the key is
    /// migrated once with [`AuditLog::audit_rekey`](crate::AuditLog::audit_rekey)). Without a
    /// key the log is linked with plain SHA-256, which anyone with the file can recompute: the
    /// shells always give one.
    #[must_use]
    pub fn with_audit_key(mut self, key: AuditKey) -> SqliteStore {
        self.audit_key = Some(key);
        self
    }

    /// How this store links its audit log.
    fn chain(&self) -> crate::audit::Chain<'_> {
        match &self.audit_key {
            Some(key) => crate::audit::Chain::Keyed(key),
            None => crate::audit::Chain::Unkeyed,
        }
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
    fn write<T>(&self, context: &str, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut writer = self.lock_writer();
        let tx = writer
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| Error::database(context, e))?;
        let value = f(&tx)?;
        tx.commit().map_err(|e| Error::database(context, e))?;
        Ok(value)
    }

    /// Runs `f` on a read connection: a pooled one for a file store, the writer in memory.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
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

/// Rows per multi-row `INSERT` of a batch (see [`insert_rows`]).
const ROWS_PER_INSERT: usize = 64;

/// Inserts `rows` with as few statements as it takes: `head` (`INSERT INTO t (a, b)`) followed
/// by up to [`ROWS_PER_INSERT`] `(?, ?)` groups of `width` parameters each, and `tail` (an
/// `ON CONFLICT` or `RETURNING` clause, or nothing). `bind` gives a row's parameters in column
/// order; `returned` is called with each row `RETURNING` yields. An import of 1,000 records made
/// 3,000 single-row statements; the per-statement work (binding, stepping, resetting a VDBE)
/// was a visible share of its cost against plain rusqlite.
pub(super) fn insert_rows<R>(
    tx: &rusqlite::Transaction<'_>,
    head: &str,
    width: usize,
    tail: &str,
    rows: &[R],
    bind: impl Fn(&R) -> Vec<&dyn rusqlite::ToSql>,
    mut returned: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<()>,
) -> rusqlite::Result<()> {
    let group = format!("({})", vec!["?"; width].join(", "));
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "{head} VALUES {} {tail}",
            vec![group.as_str(); chunk.len()].join(", ")
        );
        let mut statement = tx.prepare_cached(&sql)?;
        let params: Vec<&dyn rusqlite::ToSql> = chunk.iter().flat_map(&bind).collect();
        let mut results = statement.query(params.as_slice())?;
        while let Some(row) = results.next()? {
            returned(row)?;
        }
    }
    Ok(())
}

/// The SQL function that gives a unit's comparison form.
pub(crate) const UNIT_KEY_FUNCTION: &str = "bistand_unit_key";

/// Creates the store file readable and writable by its owner only, whatever the umask, and
/// narrows an existing one and its `-wal` and `-shm` files the same way: they hold ciphertext,
/// pseudonyms and the audit log. SQLite gives the journal files it creates the database file's
/// permissions, so a new store's `-wal` and `-shm` come out 0600 too.
fn owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let failed = |e: std::io::Error| {
            Error::new(
                ErrorKind::Database,
                format!("could not create the store file with owner-only permissions: {e}"),
            )
        };
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(path)
        {
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(failed(e)),
        }
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = Path::new(&name);
            if let Ok(metadata) = std::fs::metadata(file)
                && metadata.permissions().mode() & 0o077 != 0
            {
                std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
                    .map_err(failed)?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bistand_core::seal::DataKey;

    use super::records::SCAN_CHUNK;
    use super::*;
    use crate::record::{NewRecord, ScanFilter};
    use crate::{Store, conformance};

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

    #[test]
    fn an_in_memory_store_conforms() {
        conformance::run_all(|keyring| {
            Box::new(SqliteStore::open_in_memory(keyring).expect("memory store"))
        });
    }

    #[test]
    fn a_file_store_conforms() {
        let dir = tempfile::tempdir().expect("temp dir");
        let made = AtomicUsize::new(0);
        conformance::run_all(|keyring| {
            let n = made.fetch_add(1, Ordering::Relaxed);
            let path = dir.path().join(format!("conformance-{n}.db"));
            Box::new(SqliteStore::open(path, keyring).expect("file store"))
        });
    }
}
