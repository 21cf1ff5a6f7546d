//! What reaches the disk: bodies only as ciphertext, identifiers only as pseudonyms.

use std::path::Path;

use bistand_core::identifier::{PersonalNumber, PseudonymKey, pseudonymise};
use bistand_store::{NewRecord, Store};
use jiff::civil::date;

use crate::{open, temp_store_path};

const CANARY: &str = "CANARY-5b8f0e6c-never-on-disk";
const PERSONNUMMER: &str = "19811218-9876";

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

/// The bytes of the database file and of its WAL, if there is one.
fn files(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![("db".to_owned(), std::fs::read(path).expect("read db"))];
    let wal = path.with_extension("db-wal");
    if let Ok(bytes) = std::fs::read(&wal) {
        files.push(("wal".to_owned(), bytes));
    }
    files
}

fn assert_no_plaintext(path: &Path) {
    for (name, bytes) in files(path) {
        for needle in [CANARY, PERSONNUMMER, "198112189876", "Anna Andersson"] {
            assert!(
                !contains(&bytes, needle),
                "`{needle}` found in the {name} file"
            );
        }
    }
}

#[test]
fn no_plaintext_in_the_database_files() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    let number = PersonalNumber::parse(PERSONNUMMER, date(2026, 11, 24)).expect("valid number");
    let pseudonym_key = PseudonymKey::new("p1", &[3; 32]).expect("key");
    let client = pseudonymise(&pseudonym_key, &number);

    let body = |i: usize| {
        format!(
            "{{\"answers\":{{\"fritext\":\"{CANARY} {i}: Anna Andersson, pnr {PERSONNUMMER}, \
             ({})\"}}}}",
            number.canonical()
        )
        .into_bytes()
    };
    let metas = store
        .put_many(
            (0..50)
                .map(|i| NewRecord::new(&client, "norr", "sue", "1", body(i)))
                .collect(),
        )
        .expect("put_many");
    for meta in metas.iter().take(10) {
        store.update(&meta.id, &body(1000)).expect("update");
    }
    store
        .put(NewRecord::new(&client, "norr", "fia", "1", body(2000)))
        .expect("put");

    // Before the checkpoint the new pages sit in the WAL; after it, in the main file.
    assert_no_plaintext(&path);
    store.checkpoint().expect("checkpoint");
    assert_no_plaintext(&path);

    // Sanity check that the search would find what is there: the pseudonym is stored in the clear.
    let db = std::fs::read(&path).expect("read db");
    assert!(contains(&db, client.as_str()));
    assert!(contains(&db, "norr"));

    // And the records still open.
    assert!(contains(
        &store.get(&metas[0].id).expect("get").body,
        CANARY
    ));
}
