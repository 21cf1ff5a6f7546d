//! The SQLite schema and its migrations.
//!
//! The schema version lives in `PRAGMA user_version` and the file is marked as a bistand store
//! with `PRAGMA application_id`. Migrations are an ordered list: migration `n` (1-based) takes a
//! store from version `n - 1` to `n`, and all pending ones run in one transaction, so a crash
//! mid-migration leaves the old version intact. A store newer than this build is refused rather
//! than guessed at.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, ErrorKind, Result};

/// The schema version this build writes; opening an older store migrates it to this version.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// `PRAGMA application_id` of a bistand store: `"bist"` in ASCII.
pub(crate) const APPLICATION_ID: i32 = 0x6269_7374;

/// Migration `i` (0-based) takes the schema from version `i` to `i + 1`. Never edit one that has
/// shipped: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: the records table. STRICT so a column cannot hold another type than declared (a nonce
    // is always a blob), and the pseudonym index for lookup.
    "CREATE TABLE records (
         id         TEXT    NOT NULL PRIMARY KEY,
         pseudonym  TEXT    NOT NULL,
         unit       TEXT    NOT NULL,
         instrument TEXT    NOT NULL,
         version    TEXT    NOT NULL,
         created_at INTEGER NOT NULL,
         updated_at INTEGER NOT NULL,
         key_id     TEXT    NOT NULL,
         nonce      BLOB    NOT NULL,
         ciphertext BLOB    NOT NULL
     ) STRICT;
     CREATE INDEX records_by_pseudonym ON records (pseudonym, instrument);",
    // 2: indexes for report scans by unit/instrument/version and for finding records still
    // sealed with an old key during rotation.
    "CREATE INDEX records_by_scope ON records (unit, instrument, version);
     CREATE INDEX records_by_key ON records (key_id);",
    // 3: the append-only, hash-chained audit log (see audit.rs). The triggers make the
    // application's own connection unable to change history: UPDATE and DELETE abort, and an
    // INSERT must take exactly the next seq (so INSERT OR REPLACE cannot overwrite an entry, which
    // would bypass the DELETE trigger). Someone with the file can drop the triggers; the hash chain
    // is what catches them.
    "CREATE TABLE audit (
         seq       INTEGER PRIMARY KEY,
         at        INTEGER NOT NULL,
         principal TEXT    NOT NULL,
         role      TEXT    NOT NULL,
         action    TEXT    NOT NULL,
         unit      TEXT,
         record_id TEXT,
         pseudonym TEXT,
         outcome   TEXT    NOT NULL,
         prev_hash TEXT    NOT NULL,
         hash      TEXT    NOT NULL
     ) STRICT;
     CREATE TRIGGER audit_append_only BEFORE INSERT ON audit
     WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM audit), 0) + 1
     BEGIN
         SELECT RAISE(ABORT, 'the audit log is append-only: a new entry must take the next seq');
     END;
     CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
     BEGIN
         SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed');
     END;
     CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
     BEGIN
         SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be deleted');
     END;",
    // 4 (issue 13): record revisions (0 for bodies sealed before, whose associated data has no
    // revision), the record state an audited write commits to in the audit chain, and the
    // quarantine that `store verify --quarantine` moves unreadable rows into, kept for forensics
    // and out of every scan.
    "ALTER TABLE records ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
     ALTER TABLE audit ADD COLUMN record_state TEXT;
     CREATE TABLE quarantine (
         id             TEXT    NOT NULL PRIMARY KEY,
         pseudonym      TEXT    NOT NULL,
         unit           TEXT    NOT NULL,
         instrument     TEXT    NOT NULL,
         version        TEXT    NOT NULL,
         created_at     INTEGER NOT NULL,
         updated_at     INTEGER NOT NULL,
         key_id         TEXT    NOT NULL,
         revision       INTEGER NOT NULL,
         nonce          BLOB    NOT NULL,
         ciphertext     BLOB    NOT NULL,
         reason         TEXT    NOT NULL,
         quarantined_at INTEGER NOT NULL
     ) STRICT;",
    // 5: what a store knows of its keys and of its imports. `key_fingerprints` holds the
    // fingerprint (HMAC of a fixed label, never the secret) of the pseudonym key and of every
    // data key the store was opened with, so another organisation's keys file is refused before
    // anything is written (see keys.rs). `imports` holds the keyed identity of every imported
    // record, so importing the same line twice stores it once (see import.rs).
    "CREATE TABLE key_fingerprints (
         role        TEXT    NOT NULL CHECK (role IN ('pseudonym', 'data')),
         key_id      TEXT    NOT NULL,
         fingerprint TEXT    NOT NULL,
         recorded_at INTEGER NOT NULL,
         PRIMARY KEY (role, key_id)
     ) STRICT;
     CREATE TABLE imports (
         identity  BLOB NOT NULL PRIMARY KEY,
         record_id TEXT NOT NULL
     ) STRICT, WITHOUT ROWID;",
    // 6: each record's unit key (the one rule of `bistand_core::unit::unit_key`) stored beside
    // its unit and indexed, so a report's unit filter is an index search instead of calling the
    // key function on every row. Existing rows get theirs here (the function is registered on
    // every connection before migrating); new rows are written with it. The unit index gives
    // way to the key index: no query filters on the unit's spelling.
    "ALTER TABLE records ADD COLUMN unit_key TEXT NOT NULL DEFAULT '';
     UPDATE records SET unit_key = bistand_unit_key(unit);
     DROP INDEX records_by_scope;
     CREATE INDEX records_by_unit_key ON records (unit_key, instrument, version);",
    // 7 (issue 18): durable idempotency keys of creates (see idempotency.rs). A key and its
    // request are keyed digests (never the key or the body as sent), beside the record the
    // first request created; `created_at` is what the 24-hour purge searches.
    "CREATE TABLE idempotency_keys (
         key        BLOB    NOT NULL PRIMARY KEY,
         request    BLOB    NOT NULL,
         record_id  TEXT    NOT NULL,
         created_at INTEGER NOT NULL
     ) STRICT, WITHOUT ROWID;
     CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);",
];

/// The trigger of migration 3 that makes audit entries unchangeable, for `audit_rekey`, which
/// drops it for its one transaction of relinking and creates it again before committing.
pub(crate) const AUDIT_NO_UPDATE_TRIGGER: &str =
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
     BEGIN
         SELECT RAISE(ABORT, 'the audit log is append-only: entries cannot be changed');
     END;";

/// Brings the schema of `conn`'s database to [`SCHEMA_VERSION`].
///
/// Runs in one `IMMEDIATE` transaction and reads the version inside it, so two processes opening
/// the same new file do not both migrate it.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let context = "could not migrate the store's schema";
    let db = |e| Error::database(context, e);
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(db)?;
    let version: i64 = tx
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(db)?;
    let application_id: i32 = tx
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(db)?;
    let tables: i64 = tx
        .query_row("SELECT count(*) FROM sqlite_schema", [], |row| row.get(0))
        .map_err(db)?;

    let ours = application_id == APPLICATION_ID;
    let empty = version == 0 && application_id == 0 && tables == 0;
    if !ours && !empty {
        return Err(Error::new(
            ErrorKind::Migration,
            "the file is not a bistand store (it is a database with other contents); give the \
             store its own file",
        ));
    }
    let from = usize::try_from(version).unwrap_or(usize::MAX);
    if from > MIGRATIONS.len() {
        return Err(Error::new(
            ErrorKind::Migration,
            format!(
                "the store has schema version {version}, newer than the newest this build knows \
                 ({SCHEMA_VERSION}); open it with a newer bistand"
            ),
        ));
    }
    for sql in &MIGRATIONS[from..] {
        tx.execute_batch(sql).map_err(db)?;
    }
    if from < MIGRATIONS.len() {
        tx.pragma_update(None, "user_version", i64::from(SCHEMA_VERSION))
            .map_err(db)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)
            .map_err(db)?;
    }
    tx.commit().map_err(db)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An in-memory database configured as the store configures its connections (the unit key
    /// function that migration 6 calls).
    fn memory() -> Connection {
        let conn = Connection::open_in_memory().expect("memory");
        super::super::configure(&conn, false).expect("configure");
        conn
    }

    fn version(conn: &Connection) -> i64 {
        conn.query_row("PRAGMA user_version", [], |row| row.get(0))
            .expect("user_version")
    }

    #[test]
    fn migrates_an_empty_database_and_is_idempotent() {
        let mut conn = memory();
        migrate(&mut conn).expect("fresh");
        assert_eq!(version(&conn), i64::from(SCHEMA_VERSION));
        migrate(&mut conn).expect("again");
        assert_eq!(version(&conn), i64::from(SCHEMA_VERSION));
    }

    #[test]
    fn each_step_applies_on_top_of_the_previous() {
        for start in 0..MIGRATIONS.len() {
            let mut conn = memory();
            for sql in &MIGRATIONS[..start] {
                conn.execute_batch(sql).expect("old migration");
            }
            if start > 0 {
                conn.pragma_update(None, "user_version", start as i64)
                    .expect("version");
                conn.pragma_update(None, "application_id", APPLICATION_ID)
                    .expect("id");
            }
            migrate(&mut conn).expect("migrates");
            assert_eq!(version(&conn), i64::from(SCHEMA_VERSION));
        }
    }

    #[test]
    fn migration_6_calls_the_registered_unit_key_function() {
        let call = format!("{}(unit)", super::super::UNIT_KEY_FUNCTION);
        assert!(MIGRATIONS[5].contains(&call), "{}", MIGRATIONS[5]);
    }

    #[test]
    fn refuses_newer_and_foreign_databases() {
        let mut conn = memory();
        migrate(&mut conn).expect("fresh");
        conn.pragma_update(None, "user_version", 99).expect("bump");
        let error = migrate(&mut conn).expect_err("newer");
        assert_eq!(error.kind(), ErrorKind::Migration);
        assert_eq!(
            error.to_string(),
            format!(
                "the store has schema version 99, newer than the newest this build knows \
                 ({SCHEMA_VERSION}); open it with a newer bistand"
            )
        );

        let mut other = memory();
        other
            .execute_batch("CREATE TABLE notes (text TEXT)")
            .expect("foreign table");
        assert_eq!(
            migrate(&mut other).expect_err("foreign").kind(),
            ErrorKind::Migration
        );
    }
}
