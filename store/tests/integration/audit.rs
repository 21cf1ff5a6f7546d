//! The audit log under attack: raw SQL on the store file, first against the triggers, then, with
//! the triggers dropped as an attacker with the file would, against the hash chain. Also appends
//! from many threads on a file store, with readers verifying meanwhile.

use std::path::Path;
use std::sync::Arc;

use bistand_store::{
    AuditEvent, AuditHead, AuditLog, AuditProblem, AuditVerification, AuditedStore, SqliteStore,
    Store,
};

use crate::{client, open, raw, record, temp_store_path};

/// Entries in the logs these tests build.
const ENTRIES: u64 = 10;

fn event(n: u64, path: &str) -> AuditEvent {
    AuditEvent::new(
        1_767_225_600_000 + i64::try_from(n).expect("small"),
        format!("user{}", n % 3),
        "handlaggare",
        path,
        "ok",
    )
    .unit("norr")
    .pseudonym(client(u32::try_from(n).expect("small")).as_str())
}

/// A store whose log holds [`ENTRIES`] entries: an audited write, then reads.
fn logged_store(path: &Path) -> SqliteStore {
    let store = open(path, &["k1"]);
    let (meta, _) = store
        .put_audited(record(1, "norr", "sue", "1", 1), event(1, "record.write"))
        .expect("audited put");
    for n in 2..=ENTRIES {
        store
            .audit_append(event(n, "record.read").record_id(&meta.id))
            .expect("append");
    }
    assert!(store.audit_verify().expect("verify").is_intact());
    store
}

/// Drops the append-only triggers, as someone with write access to the file could.
fn drop_triggers(path: &Path) -> rusqlite::Connection {
    let conn = raw(path);
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; \
         DROP TRIGGER audit_append_only;",
    )
    .expect("drop triggers");
    conn
}

fn broken(seq: u64, problem: AuditProblem) -> AuditVerification {
    AuditVerification::Broken { seq, problem }
}

fn head(store: &SqliteStore) -> AuditHead {
    match store.audit_verify().expect("verify") {
        AuditVerification::Intact { head, .. } => head,
        other => panic!("not intact: {other:?}"),
    }
}

#[test]
fn triggers_refuse_update_delete_and_overwrite() {
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let conn = raw(&path);
    for sql in [
        "UPDATE audit SET outcome = 'denied' WHERE seq = 3",
        "UPDATE audit SET principal = 'someone' ",
        "DELETE FROM audit WHERE seq = 10",
        "DELETE FROM audit",
        "INSERT OR REPLACE INTO audit SELECT * FROM audit WHERE seq = 4",
        "INSERT INTO audit (seq, at, principal, role, action, outcome, prev_hash, hash) \
         VALUES (12, 0, 'x', 'x', 'x', 'x', 'x', 'x')",
    ] {
        let error = conn.execute(sql, []).expect_err(sql);
        assert!(
            error.to_string().contains("the audit log is append-only"),
            "{sql}: {error}"
        );
    }
    assert_eq!(store.audit_entries(0, 100).expect("entries").len(), 10);
    assert!(store.audit_verify().expect("verify").is_intact());
}

#[test]
fn editing_any_column_is_found_at_that_seq() {
    for (column, value) in [
        ("at", "0"),
        ("principal", "'user9'"),
        ("role", "'admin'"),
        ("action", "'record.write'"),
        ("unit", "'syd'"),
        ("unit", "NULL"),
        ("record_id", "NULL"),
        ("pseudonym", "NULL"),
        ("outcome", "'denied'"),
        ("prev_hash", "hash"),
        ("hash", "prev_hash"),
    ] {
        let (_dir, path) = temp_store_path();
        let store = logged_store(&path);
        drop_triggers(&path)
            .execute(
                &format!("UPDATE audit SET {column} = {value} WHERE seq = 6"),
                [],
            )
            .expect("edit");
        assert_eq!(
            store.audit_verify().expect("verify"),
            broken(6, AuditProblem::Edited),
            "{column}"
        );
    }
}

#[test]
fn deleting_an_entry_is_found_as_removed() {
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let conn = drop_triggers(&path);
    conn.execute("DELETE FROM audit WHERE seq = 4", [])
        .expect("delete");
    assert_eq!(
        store.audit_verify().expect("verify"),
        broken(4, AuditProblem::Removed)
    );

    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    drop_triggers(&path)
        .execute("DELETE FROM audit WHERE seq = 1", [])
        .expect("delete the first");
    assert_eq!(
        store.audit_verify().expect("verify"),
        broken(1, AuditProblem::Removed)
    );
}

#[test]
fn an_entry_replaced_with_a_recomputed_hash_is_found() {
    // The attacker forges entry 5 with a correct hash and a correct link to entry 4 (made here
    // by another store that replays entries 1 to 4, which hash alike since hashing is
    // deterministic, then appends another event). Entry 6 then no longer chains to entry 5.
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let (_other_dir, other_path) = temp_store_path();
    let other = open(&other_path, &["k1"]);
    for entry in store.audit_entries(0, 4).expect("entries 1 to 4") {
        other.audit_append(entry.event).expect("replay");
    }
    let forged = other
        .audit_append(AuditEvent {
            outcome: "denied".to_owned(),
            ..event(5, "record.read")
        })
        .expect("forged entry 5");
    let conn = drop_triggers(&path);
    conn.execute(
        "UPDATE audit SET outcome = ?1, record_id = NULL, prev_hash = ?2, hash = ?3 \
         WHERE seq = 5",
        rusqlite::params![forged.event.outcome, forged.prev_hash, forged.hash],
    )
    .expect("replace");
    assert_eq!(
        store.audit_verify().expect("verify"),
        broken(5, AuditProblem::Removed)
    );
}

#[test]
fn swapping_entries_is_found() {
    // Whole rows swapped (every column but seq): each is genuine, at the wrong place.
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let conn = drop_triggers(&path);
    conn.execute_batch(
        "UPDATE audit SET seq = -3 WHERE seq = 3;
         UPDATE audit SET seq = 3 WHERE seq = 7;
         UPDATE audit SET seq = 7 WHERE seq = -3;",
    )
    .expect("swap rows");
    assert_eq!(
        store.audit_verify().expect("verify"),
        broken(3, AuditProblem::Reordered)
    );

    // Only the events swapped, chain columns left in place: the content no longer matches.
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let conn = drop_triggers(&path);
    conn.execute_batch(
        "CREATE TEMP TABLE saved AS SELECT * FROM audit WHERE seq IN (3, 7);
         UPDATE audit SET (at, principal, action, record_id, pseudonym) =
             (SELECT at, principal, action, record_id, pseudonym FROM saved
              WHERE saved.seq = 10 - audit.seq)
         WHERE seq IN (3, 7);",
    )
    .expect("swap events");
    assert_eq!(
        store.audit_verify().expect("verify"),
        broken(3, AuditProblem::Edited)
    );
}

#[test]
fn truncation_is_found_only_against_a_recorded_head() {
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let recorded = head(&store);
    assert_eq!(recorded.seq, ENTRIES);
    drop_triggers(&path)
        .execute("DELETE FROM audit WHERE seq > 7", [])
        .expect("truncate");
    // The shorter log is a valid chain on its own...
    assert_eq!(head(&store).seq, 7);
    // ...but the recorded head is gone.
    assert_eq!(
        store.audit_verify_against(&recorded).expect("verify"),
        broken(8, AuditProblem::Truncated)
    );
}

#[test]
fn a_rewritten_tail_is_found_against_a_recorded_head() {
    let (_dir, path) = temp_store_path();
    let store = logged_store(&path);
    let recorded = head(&store);
    drop_triggers(&path)
        .execute("DELETE FROM audit WHERE seq > 7", [])
        .expect("truncate");
    // New entries appended through the store chain correctly onto the shortened log.
    for n in 8..=ENTRIES + 2 {
        store.audit_append(event(n + 50, "report")).expect("append");
    }
    assert!(store.audit_verify().expect("verify").is_intact());
    assert_eq!(
        store.audit_verify_against(&recorded).expect("verify"),
        broken(ENTRIES, AuditProblem::Rewritten)
    );
}

#[test]
fn concurrent_appends_on_a_file_store_keep_one_chain() {
    let (_dir, path) = temp_store_path();
    let store = Arc::new(open(&path, &["k1"]));
    let writers: Vec<_> = (0..6u64)
        .map(|t| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                for n in 0..40 {
                    store
                        .audit_append(event(t * 100 + n, "record.read"))
                        .expect("append");
                }
            })
        })
        .collect();
    let verifier = {
        let store = Arc::clone(&store);
        std::thread::spawn(move || {
            for _ in 0..20 {
                assert!(store.audit_verify().expect("verify").is_intact());
            }
        })
    };
    for handle in writers {
        handle.join().expect("writer");
    }
    verifier.join().expect("verifier");
    let recorded = head(&store);
    assert_eq!(recorded.seq, 240);
    // A second process appends to the same file, chained onto this one's head.
    let second = open(&path, &["k1"]);
    second
        .audit_append(event(999, "report"))
        .expect("append from another connection");
    assert!(
        store
            .audit_verify_against(&recorded)
            .expect("verify")
            .is_intact()
    );
    assert_eq!(
        store
            .count(&bistand_store::ScanFilter::all())
            .expect("count"),
        0
    );
}
