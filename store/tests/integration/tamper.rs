//! Rows altered behind the store's back (raw SQL on the file) and keys missing from the keyring:
//! such records fail with `Integrity` or `UnknownKey` and are never returned as data.

use std::path::Path;

use bistand_store::{ErrorKind, RecordMeta, ScanFilter, SqliteStore, Store};

use crate::{body, open, raw, record, temp_store_path};

/// A store with three records; returns their metadata.
fn three_records(path: &Path) -> (SqliteStore, Vec<RecordMeta>) {
    let store = open(path, &["k1"]);
    let metas = store
        .put_many((1..=3).map(|i| record(1, "norr", "sue", "1", i)).collect())
        .expect("put_many");
    (store, metas)
}

/// Asserts that `victim` fails with `kind` on get, update and scan, that the scan hands out no
/// record of it, and that no message contains the body.
fn assert_refused(store: &SqliteStore, victim: &RecordMeta, kind: ErrorKind) {
    let error = store.get(&victim.id).expect_err("altered record");
    assert_eq!(error.kind(), kind, "{error}");
    assert!(error.to_string().contains(victim.id.as_str()), "{error}");
    assert!(!error.to_string().contains("arbetsmarknadsinsats"));

    let mut seen = Vec::new();
    let error = store
        .scan(&ScanFilter::all(), &mut |record| {
            seen.push(record.meta.id);
            Ok(())
        })
        .expect_err("scan stops at the altered record");
    assert_eq!(error.kind(), kind);
    assert!(!seen.contains(&victim.id));

    let error = store
        .update(&victim.id, &body(99))
        .expect_err("an altered record is not overwritten");
    assert_eq!(error.kind(), kind);
}

#[test]
fn wrong_keyring_gives_unknown_key() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = three_records(&path);
    drop(store);
    let store = open(&path, &["k2"]);
    let error = store.get(&metas[0].id).expect_err("k1 is missing");
    assert_eq!(error.kind(), ErrorKind::UnknownKey);
    assert_eq!(
        error.to_string(),
        format!(
            "record `{}`: record is sealed with key `k1`, which is not in the keyring",
            metas[0].id
        )
    );
    assert_refused(&store, &metas[1], ErrorKind::UnknownKey);
    assert_eq!(
        store.reseal_batch(10).expect_err("cannot reseal").kind(),
        ErrorKind::UnknownKey
    );
    // Metadata-only operations still work.
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 3);
}

#[test]
fn same_key_id_with_another_secret_gives_integrity() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = three_records(&path);
    drop(store);
    let impostor = bistand_store::DataKey::new("k1", &[0xee; 32]).expect("key");
    let store = SqliteStore::open(&path, bistand_store::Keyring::new(impostor)).expect("opens");
    assert_refused(&store, &metas[0], ErrorKind::Integrity);
}

#[test]
fn flipped_ciphertext_byte_gives_integrity() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = three_records(&path);
    let victim = &metas[1];
    let conn = raw(&path);
    let before: Vec<u8> = conn
        .query_row(
            "SELECT ciphertext FROM records WHERE id = ?1",
            [victim.id.as_str()],
            |row| row.get(0),
        )
        .expect("read");
    conn.execute(
        "UPDATE records SET ciphertext = CAST(
             substr(ciphertext, 1, 99)
             || CASE WHEN substr(ciphertext, 100, 1) = X'00' THEN X'01' ELSE X'00' END
             || substr(ciphertext, 101) AS BLOB)
         WHERE id = ?1",
        [victim.id.as_str()],
    )
    .expect("tamper");
    let after: Vec<u8> = conn
        .query_row(
            "SELECT ciphertext FROM records WHERE id = ?1",
            [victim.id.as_str()],
            |row| row.get(0),
        )
        .expect("read");
    assert_eq!(before.len(), after.len());
    let differing = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!(differing, 1, "exactly one byte changed");

    assert_refused(&store, victim, ErrorKind::Integrity);
    // The neighbours are untouched.
    assert_eq!(store.get(&metas[0].id).expect("intact").body, body(1));
    assert_eq!(store.get(&metas[2].id).expect("intact").body, body(3));
}

#[test]
fn swapped_body_gives_integrity() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = three_records(&path);
    let (a, b) = (&metas[0], &metas[1]);
    raw(&path)
        .execute(
            "UPDATE records SET
                 nonce = (SELECT nonce FROM records WHERE id = ?1),
                 ciphertext = (SELECT ciphertext FROM records WHERE id = ?1)
             WHERE id = ?2",
            [a.id.as_str(), b.id.as_str()],
        )
        .expect("swap");
    assert_refused(&store, b, ErrorKind::Integrity);
    assert_eq!(store.get(&a.id).expect("the original").body, body(1));
}

#[test]
fn edited_plain_columns_give_integrity() {
    for (column, value) in [
        ("instrument", "fia"),
        ("version", "2"),
        ("key_id", "k2"),
        ("key_id", "not a key id"),
        // A record moved to another unit (past unit-based access control) or another client.
        ("unit", "Söder"),
        (
            "pseudonym",
            "p1:0000000000000000000000000000000000000000000000000000000000000000",
        ),
    ] {
        let (_dir, path) = temp_store_path();
        let (store, metas) = three_records(&path);
        if column == "key_id" && value == "k2" {
            // With k2 present, the edited key id is looked up and used, and authentication fails.
            store.replace_keyring(crate::keyring(&["k1", "k2"]));
        }
        let victim = &metas[2];
        raw(&path)
            .execute(
                &format!("UPDATE records SET {column} = ?2 WHERE id = ?1"),
                [victim.id.as_str(), value],
            )
            .expect("edit");
        assert_refused(&store, victim, ErrorKind::Integrity);
    }
}

#[test]
fn edited_record_id_gives_integrity() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = three_records(&path);
    let moved = "f".repeat(32);
    raw(&path)
        .execute(
            "UPDATE records SET id = ?2 WHERE id = ?1",
            [metas[0].id.as_str(), moved.as_str()],
        )
        .expect("edit id");
    let moved = bistand_store::RecordId::parse(&moved).expect("id");
    let error = store.get(&moved).expect_err("body bound to the old id");
    assert_eq!(error.kind(), ErrorKind::Integrity);
    assert_eq!(
        store.get(&metas[0].id).expect_err("gone").kind(),
        ErrorKind::NotFound
    );
}

#[test]
fn wrong_length_nonce_gives_integrity() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = three_records(&path);
    raw(&path)
        .execute(
            "UPDATE records SET nonce = substr(nonce, 1, 23) WHERE id = ?1",
            [metas[0].id.as_str()],
        )
        .expect("truncate nonce");
    assert_refused(&store, &metas[0], ErrorKind::Integrity);
}
