//! Schema migrations: a store made at schema version 1 (by hand, exactly as version 1 of the
//! schema was) opens, migrates and keeps its records; newer and foreign files are refused.

use bistand_core::seal::{Binding, seal};
use bistand_store::{ErrorKind, RecordId, SCHEMA_VERSION, ScanFilter, SqliteStore, Store};

use crate::{body, client, key, keyring, open, raw, record, temp_store_path};

/// Schema version 1 as it shipped. Do not update this to the current schema: it is history.
const SCHEMA_V1: &str = "
    CREATE TABLE records (
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
    CREATE INDEX records_by_pseudonym ON records (pseudonym, instrument);
    PRAGMA application_id = 1651078004;
    PRAGMA user_version = 1;
";

fn user_version(conn: &rusqlite::Connection) -> i64 {
    conn.query_row("PRAGMA user_version", [], |row| row.get(0))
        .expect("user_version")
}

#[test]
fn a_version_1_store_is_migrated() {
    let (_dir, path) = temp_store_path();
    let id = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
    {
        let conn = raw(&path);
        conn.execute_batch(SCHEMA_V1).expect("version 1 schema");
        let pseudonym = client(1);
        let sealed = seal(
            &key("k1"),
            [7; 24],
            &Binding {
                record_id: id,
                instrument: "sue",
                version: "1",
                pseudonym: pseudonym.as_str(),
                unit: "Söder",
                revision: 0,
            },
            &body(42),
        );
        conn.execute(
            "INSERT INTO records VALUES (?1, ?2, 'Söder', 'sue', '1', 1700000000000, \
             1700000000000, ?3, ?4, ?5)",
            rusqlite::params![
                id,
                client(1).as_str(),
                sealed.key_id,
                &sealed.nonce[..],
                sealed.ciphertext
            ],
        )
        .expect("version 1 row");
        assert_eq!(user_version(&conn), 1);
    }

    let store = open(&path, &["k1"]);
    let id = RecordId::parse(id).expect("id");
    let old = store.get(&id).expect("old record readable after migration");
    assert_eq!(old.body, body(42));
    assert_eq!(old.meta.created_at, 1_700_000_000_000);
    store.put(record(2, "söder", "sue", "1", 43)).expect("put");
    // The old row got its unit key in the migration: both spellings find both records.
    for unit in ["Söder", "SÖDER"] {
        assert_eq!(
            store
                .count(&ScanFilter::all().unit(unit).instrument("sue"))
                .expect("count"),
            2,
            "{unit}"
        );
        let mut found = Vec::new();
        store
            .scan(&ScanFilter::all().unit(unit), &mut |r| {
                found.push(r.body);
                Ok(())
            })
            .expect("scan");
        assert_eq!(found, [body(42), body(43)], "{unit}");
    }

    let conn = raw(&path);
    assert_eq!(user_version(&conn), i64::from(SCHEMA_VERSION));
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'records_by_%' ORDER BY name")
        .and_then(|mut s| s.query_map([], |row| row.get(0))?.collect())
        .expect("indexes");
    assert_eq!(
        indexes,
        [
            "records_by_key",
            "records_by_pseudonym",
            "records_by_unit_key"
        ]
    );
    drop(store);
    // Opening again changes nothing.
    let store = open(&path, &["k1"]);
    assert_eq!(store.get(&id).expect("again").body, body(42));
    assert_eq!(user_version(&conn), i64::from(SCHEMA_VERSION));
}

#[test]
fn a_newer_store_is_refused() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    let meta = store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    drop(store);
    let newer = i64::from(SCHEMA_VERSION) + 1;
    raw(&path)
        .pragma_update(None, "user_version", newer)
        .expect("bump");

    let error = SqliteStore::open(&path, keyring(&["k1"])).expect_err("newer");
    assert_eq!(error.kind(), ErrorKind::Migration);
    assert_eq!(
        error.to_string(),
        format!(
            "the store has schema version {newer}, newer than the newest this build knows \
             ({SCHEMA_VERSION}); open it with a newer bistand"
        )
    );
    // Refusing did not change the file.
    let conn = raw(&path);
    assert_eq!(user_version(&conn), newer);
    conn.pragma_update(None, "user_version", i64::from(SCHEMA_VERSION))
        .expect("restore");
    let store = open(&path, &["k1"]);
    assert_eq!(store.get(&meta.id).expect("intact").body, body(1));
}

#[test]
fn another_database_is_refused() {
    let (_dir, path) = temp_store_path();
    raw(&path)
        .execute_batch("CREATE TABLE journal (entry TEXT)")
        .expect("foreign database");
    let error = SqliteStore::open(&path, keyring(&["k1"])).expect_err("foreign");
    assert_eq!(error.kind(), ErrorKind::Migration);

    let (_dir, path) = temp_store_path();
    std::fs::write(
        &path,
        b"not a database at all, just some text padded out to a page...",
    )
    .expect("write");
    let error = SqliteStore::open(&path, keyring(&["k1"])).expect_err("not sqlite");
    assert_eq!(error.kind(), ErrorKind::Database);
}
