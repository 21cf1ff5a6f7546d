//! Issue 13 against a real file: the audit chain under the audit key, rechained without it;
//! a log from before the key migrated with `audit_rekey`; records rolled back, deleted,
//! re-timestamped and corrupted with raw SQL, each found by `verify_records` by id; a corrupt row
//! left out of a report instead of failing it, and moved into the quarantine.

use std::path::Path;

use bistand_core::Engine;
use bistand_core::audit_key::AuditKey;
use bistand_core::stats::ReportOptions;
use bistand_store::documents::{self, NotCountedReason};
use bistand_store::{
    AuditEvent, AuditLog, AuditProblem, AuditVerification, AuditedStore, RecordFinding, RecordMeta,
    RecordProblem, ScanFilter, SqliteStore, Store,
};
use sha2::{Digest, Sha256};

use crate::{client, keyring, open, raw, record, temp_store_path};

fn audit_key() -> AuditKey {
    AuditKey::new("a1", &[0x42; 32]).expect("audit key")
}

fn keyed(path: &Path) -> SqliteStore {
    open(path, &["k1"]).with_audit_key(audit_key())
}

fn event(action: &str) -> AuditEvent {
    AuditEvent::new(
        1_767_225_600_000,
        "anna.svensson",
        "handlaggare",
        action,
        "ok",
    )
}

fn read_event(n: u32) -> AuditEvent {
    event("record.read")
        .unit("norr")
        .pseudonym(client(n).as_str())
}

/// The documented unkeyed encoding of an entry (DESIGN.md, `audit/chain.rs`): what an attacker
/// with the file recomputes.
fn unkeyed_hash(conn: &rusqlite::Connection, seq: i64, prev_hash: &str) -> String {
    let (at, fields): (i64, Vec<Option<String>>) = conn
        .query_row(
            "SELECT at, principal, role, action, unit, record_id, pseudonym, outcome, record_state \
             FROM audit WHERE seq = ?1",
            [seq],
            |r| {
                Ok((
                    r.get(0)?,
                    (1..=8).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?,
                ))
            },
        )
        .expect("entry");
    let mut hasher = Sha256::new();
    hasher.update(b"bistand-audit-v1\0");
    hasher.update(seq.to_be_bytes());
    hasher.update(at.to_be_bytes());
    let put = |hasher: &mut Sha256, field: Option<&str>| match field {
        None => hasher.update([0u8]),
        Some(text) => {
            hasher.update([1u8]);
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
    };
    for field in &fields[..7] {
        put(&mut hasher, field.as_deref());
    }
    put(&mut hasher, Some(prev_hash));
    if let Some(state) = &fields[7] {
        put(&mut hasher, Some(state));
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn drop_triggers(path: &Path) -> rusqlite::Connection {
    let conn = raw(path);
    conn.execute_batch(
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; \
         DROP TRIGGER audit_append_only;",
    )
    .expect("drop triggers");
    conn
}

/// Edits entry 5 and relinks it and every later entry with the unkeyed encoding.
fn rechain_from_5(path: &Path) {
    let conn = drop_triggers(path);
    conn.execute("UPDATE audit SET outcome = 'denied' WHERE seq = 5", [])
        .expect("edit");
    let last: i64 = conn
        .query_row("SELECT max(seq) FROM audit", [], |r| r.get(0))
        .expect("max");
    let mut prev: String = conn
        .query_row("SELECT hash FROM audit WHERE seq = 4", [], |r| r.get(0))
        .expect("hash 4");
    for seq in 5..=last {
        let hash = unkeyed_hash(&conn, seq, &prev);
        conn.execute(
            "UPDATE audit SET prev_hash = ?2, hash = ?3 WHERE seq = ?1",
            rusqlite::params![seq, prev, hash],
        )
        .expect("relink");
        prev = hash;
    }
}

/// Issue 13: with write access to the file, drop the triggers, edit entry 5, recompute the later
/// hashes with the documented encoding: `verify` said "intact". Under the audit key it does not.
#[test]
fn a_chain_recomputed_without_the_audit_key_is_broken() {
    for with_key in [false, true] {
        let (_dir, path) = temp_store_path();
        let store = if with_key {
            keyed(&path)
        } else {
            open(&path, &["k1"])
        };
        for n in 1..=10 {
            store.audit_append(read_event(n)).expect("append");
        }
        assert!(store.audit_verify().expect("verify").is_intact());
        drop(store);
        rechain_from_5(&path);
        let verification = if with_key {
            keyed(&path)
        } else {
            open(&path, &["k1"])
        }
        .audit_verify()
        .expect("verify");
        if with_key {
            assert_eq!(
                verification,
                AuditVerification::Broken {
                    seq: 5,
                    problem: AuditProblem::Unkeyed,
                }
            );
        } else {
            // What the attack relied on: without the key the recomputed chain is intact.
            assert!(verification.is_intact(), "{verification:?}");
        }
    }
}

#[test]
fn a_log_from_before_the_key_is_relinked_once_by_rekey() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    for n in 1..=600 {
        store.audit_append(read_event(n % 7)).expect("append");
    }
    assert_eq!(
        store.audit_rekey().expect_err("no key").kind(),
        bistand_store::ErrorKind::InvalidInput
    );
    drop(store);

    let store = keyed(&path);
    // Appends under the key continue the old log until it is relinked.
    store.audit_append(read_event(1)).expect("append");
    assert_eq!(
        store.audit_verify().expect("verify"),
        AuditVerification::Broken {
            seq: 1,
            problem: AuditProblem::Unkeyed,
        }
    );
    let AuditVerification::Intact { entries, head } = store.audit_rekey().expect("rekey") else {
        panic!("the old log verifies");
    };
    assert_eq!((entries, head.seq), (601, 601));
    assert_eq!(
        store.audit_verify().expect("verify"),
        AuditVerification::Intact {
            entries: 601,
            head: head.clone(),
        }
    );
    assert!(
        store
            .audit_verify_against(&head)
            .expect("verify")
            .is_intact()
    );
    // The append-only trigger is back.
    let error = raw(&path)
        .execute("UPDATE audit SET outcome = 'denied' WHERE seq = 2", [])
        .expect_err("append-only");
    assert!(error.to_string().contains("append-only"), "{error}");
    // A second rekey changes nothing.
    assert!(store.audit_rekey().expect("rekey").is_intact());
    assert_eq!(intact_head(&store), head);

    // A broken old log is not relinked.
    drop(store);
    let conn = drop_triggers(&path);
    conn.execute("UPDATE audit SET outcome = 'denied' WHERE seq = 7", [])
        .expect("edit");
    let store = keyed(&path);
    let broken = store.audit_rekey().expect("rekey");
    assert_eq!(
        broken,
        AuditVerification::Broken {
            seq: 7,
            problem: AuditProblem::Edited,
        }
    );
}

fn intact_head(store: &SqliteStore) -> bistand_store::AuditHead {
    match store.audit_verify().expect("verify") {
        AuditVerification::Intact { head, .. } => head,
        other => panic!("not intact: {other:?}"),
    }
}

/// Four audited records, the first updated once.
fn audited_records(path: &Path) -> (SqliteStore, Vec<RecordMeta>) {
    let store = keyed(path);
    let mut metas = Vec::new();
    for n in 1..=4 {
        let (meta, _) = store
            .put_audited(
                record(n, "norr", "sue", "1", u64::from(n)),
                event("record.write"),
            )
            .expect("put");
        metas.push(meta);
    }
    (store, metas)
}

fn problems(store: &SqliteStore) -> Vec<(String, RecordProblem)> {
    let verification = store.verify_records().expect("verify records");
    verification
        .problems
        .into_iter()
        .map(|f| (f.record_id.as_str().to_owned(), f.problem))
        .collect()
}

#[test]
fn rolled_back_deleted_edited_and_unreadable_records_are_found_by_id() {
    let (_dir, path) = temp_store_path();
    let (store, metas) = audited_records(&path);
    let old: (Vec<u8>, Vec<u8>) = raw(&path)
        .query_row(
            "SELECT nonce, ciphertext FROM records WHERE id = ?1",
            [metas[0].id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    store
        .update_audited(&metas[0].id, b"{\"v\":2}", event("record.update"))
        .expect("update");
    store
        .update_audited(&metas[1].id, b"{\"v\":2}", event("record.update"))
        .expect("update");
    let old_revision_row: (Vec<u8>, Vec<u8>) = raw(&path)
        .query_row(
            "SELECT nonce, ciphertext FROM records WHERE id = ?1",
            [metas[1].id.as_str()],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("row");
    store
        .update_audited(&metas[1].id, b"{\"v\":3}", event("record.update"))
        .expect("update");
    assert!(store.verify_records().expect("verify").is_clean());

    let conn = raw(&path);
    let id = |i: usize| metas[i].id.as_str().to_owned();
    // 0: the older nonce and ciphertext written back (revision column left at 2).
    conn.execute(
        "UPDATE records SET nonce = ?2, ciphertext = ?3 WHERE id = ?1",
        rusqlite::params![id(0), old.0, old.1],
    )
    .expect("roll back");
    // 1: revision 2's body written back with its revision.
    conn.execute(
        "UPDATE records SET nonce = ?2, ciphertext = ?3, revision = 2 WHERE id = ?1",
        rusqlite::params![id(1), old_revision_row.0, old_revision_row.1],
    )
    .expect("roll back with revision");
    // 2: deleted.
    conn.execute("DELETE FROM records WHERE id = ?1", [id(2)])
        .expect("delete");
    // 3: re-timestamped.
    conn.execute(
        "UPDATE records SET created_at = created_at - 86400000, updated_at = updated_at - 86400000 \
         WHERE id = ?1",
        [id(3)],
    )
    .expect("edit timestamps");
    // 4: a corrupt body.
    let (corrupt, _) = store
        .put_audited(record(9, "norr", "sue", "1", 9), event("record.write"))
        .expect("put");
    conn.execute(
        "UPDATE records SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?1",
        [corrupt.id.as_str()],
    )
    .expect("corrupt");

    let found = problems(&store);
    assert!(
        found.contains(&(id(0), RecordProblem::RolledBack)),
        "{found:?}"
    );
    assert!(
        found.contains(&(id(1), RecordProblem::RolledBack)),
        "{found:?}"
    );
    assert!(
        found.contains(&(id(2), RecordProblem::Deleted)),
        "{found:?}"
    );
    assert!(found.contains(&(id(3), RecordProblem::Edited)), "{found:?}");
    assert!(
        found.contains(&(corrupt.id.as_str().to_owned(), RecordProblem::Unreadable)),
        "{found:?}"
    );
    assert_eq!(found.len(), 5, "{found:?}");
    // By id, never by content.
    let json = serde_json::to_string(&store.verify_records().expect("verify")).expect("json");
    assert!(
        !json.contains("arbetsmarknadsinsats") && !json.contains("p1:"),
        "{json}"
    );
}

/// Issue 13: one corrupt row made the report of its unit fail (500 in the sidecar); now it is
/// left out and listed as not counted, unreadable; the quarantine then moves it aside.
#[test]
fn a_corrupt_row_is_not_counted_and_can_be_quarantined() {
    let (_dir, path) = temp_store_path();
    let store = keyed(&path);
    let engine = Engine::new().expect("engine");
    let today = jiff::civil::date(2026, 1, 15);
    let key = bistand_core::identifier::PseudonymKey::new("p1", &[3; 32]).expect("key");
    let statistics = bistand_core::stats::perturbation::StatisticsKey::derive_from(&key);
    let mut ids = Vec::new();
    for n in 0..3 {
        let document = br#"{"instrument": "sue", "version": "1", "status": "draft", "unit": "norr", "answers": {}}"#;
        let prepared = documents::prepare(&engine, &key, &format!("EB-{n}"), document, today)
            .expect("prepare");
        let record = prepared.record.expect("valid");
        let (meta, _) = store
            .put_audited(record, event("record.write"))
            .expect("put");
        ids.push(meta.id);
    }
    raw(&path)
        .execute(
            "UPDATE records SET ciphertext = zeroblob(length(ciphertext)) WHERE id = ?1",
            [ids[1].as_str()],
        )
        .expect("corrupt");
    let options = ReportOptions::default();
    let reader = documents::Reader::new("analytiker@kommun.se", "analytiker").expect("reader");
    let report = documents::report_from_store(
        &store,
        &engine,
        "sue",
        None,
        today,
        &options,
        &statistics,
        &reader,
    )
    .expect("the report does not fail");
    assert_eq!(report.report.records, 2);
    assert_eq!(report.not_counted.len(), 1);
    assert_eq!(report.not_counted[0].record_id, ids[1]);
    assert_eq!(report.not_counted[0].reason, NotCountedReason::Unreadable);
    assert_eq!(report.not_counted[0].reason.to_string(), "unreadable");
    // The failed read of the bad row is audited by record id, and the report itself once.
    let entries = store.audit_entries(0, 100).expect("entries");
    let last = &entries[entries.len() - 2..];
    assert_eq!(
        (
            last[0].event.action.as_str(),
            last[0].event.outcome.as_str()
        ),
        ("report.read", "ok")
    );
    assert_eq!(
        (
            last[1].event.action.as_str(),
            last[1].event.outcome.as_str()
        ),
        ("record.read", "failed")
    );
    assert_eq!(last[1].event.record_id.as_deref(), Some(ids[1].as_str()));
    assert_eq!(last[1].event.pseudonym, None);

    let verification = store.verify_records().expect("verify");
    assert_eq!(
        verification.problems,
        [RecordFinding {
            record_id: ids[1].clone(),
            problem: RecordProblem::Unreadable,
        }]
    );
    let moved = store
        .quarantine(&verification.problems, event("record.quarantine"))
        .expect("quarantine");
    assert_eq!(moved, 1);
    let kept: i64 = raw(&path)
        .query_row(
            "SELECT count(*) FROM quarantine WHERE id = ?1 AND reason = 'unreadable'",
            [ids[1].as_str()],
            |r| r.get(0),
        )
        .expect("quarantine row");
    assert_eq!(kept, 1);
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 2);
    let report = documents::report_from_store(
        &store,
        &engine,
        "sue",
        None,
        today,
        &options,
        &statistics,
        &reader,
    )
    .expect("report");
    assert!(report.not_counted.is_empty());
    let verification = store.verify_records().expect("verify");
    assert!(verification.is_clean(), "{verification:?}");
    assert_eq!(verification.quarantined, 1);
    assert!(store.audit_verify().expect("verify").is_intact());
}

/// Records stored before revisions (revision 0, the v1 associated data) still open, and an
/// update moves them to revision 1.
#[test]
fn records_from_before_revisions_open_and_update() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    let meta = store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    drop(store);
    // Reseal the row as an old build did (revision 0, v1 associated data).
    let sealed = bistand_core::seal::seal(
        keyring(&["k1"]).active(),
        [9; 24],
        &bistand_core::seal::Binding {
            record_id: meta.id.as_str(),
            instrument: "sue",
            version: "1",
            pseudonym: client(1).as_str(),
            unit: "norr",
            revision: 0,
        },
        b"{\"old\":true}",
    );
    raw(&path)
        .execute(
            "UPDATE records SET revision = 0, nonce = ?2, ciphertext = ?3 WHERE id = ?1",
            rusqlite::params![meta.id.as_str(), &sealed.nonce[..], sealed.ciphertext],
        )
        .expect("old row");
    let store = keyed(&path);
    let record = store.get(&meta.id).expect("opens");
    assert_eq!(
        (record.meta.revision, record.body.as_slice()),
        (0, &b"{\"old\":true}"[..])
    );
    let (updated, _) = store
        .update_audited(&meta.id, b"{\"new\":1}", event("record.update"))
        .expect("update");
    assert_eq!(updated.revision, 1);
    assert!(store.verify_records().expect("verify").is_clean());
}

/// The stored unit key is derived, not sealed: a row whose key was edited to another unit's is
/// not counted there (its authenticated unit disagrees) and `verify_records` reports it edited.
#[test]
fn an_edited_unit_key_is_found_and_counts_nowhere_else() {
    let (_dir, path) = temp_store_path();
    let store = keyed(&path);
    let soder = store
        .put_audited(record(1, "Söder", "sue", "1", 1), event("record.create"))
        .expect("put")
        .0;
    store
        .put_audited(record(2, "Norr", "sue", "1", 2), event("record.create"))
        .expect("put");
    assert!(store.verify_records().expect("verify").is_clean());
    raw(&path)
        .execute(
            "UPDATE records SET unit_key = 'norr' WHERE id = ?1",
            [soder.id.as_str()],
        )
        .expect("edit the key");

    let (mut counted, mut unreadable) = (Vec::new(), Vec::new());
    store
        .scan_readable(
            &ScanFilter::all().unit("NORR"),
            &mut |record| {
                counted.push(record.meta.unit);
                Ok(())
            },
            &mut |id, _| {
                unreadable.push(id);
                Ok(())
            },
        )
        .expect("scan");
    assert_eq!(counted, ["Norr"]);
    assert_eq!(unreadable, std::slice::from_ref(&soder.id));
    let verification = store.verify_records().expect("verify");
    assert_eq!(
        verification.problems,
        [RecordFinding {
            record_id: soder.id,
            problem: RecordProblem::Edited,
        }]
    );
}
