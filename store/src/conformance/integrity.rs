//! The integrity cases of the conformance suite (issue 13): record revisions and the record
//! state an audited write commits to, `verify_records` on an untouched store, the quarantine,
//! and `scan_readable` agreeing with `scan`. Tampering needs the backend's own storage, so the
//! attacks themselves are each backend's tests (SQLite: `tests/integration/tamper.rs`).

use super::{all_bodies, fresh, key, keyring, missing_id, record_of, seq_of};
use crate::{
    AuditEvent, AuditedStore, ErrorKind, Keyring, RecordFinding, RecordProblem, RecordVerification,
    ScanFilter,
};

fn event(action: &str) -> AuditEvent {
    AuditEvent::new(
        1_767_225_600_000,
        "anna.svensson",
        "handlaggare",
        action,
        "ok",
    )
}

pub(super) fn revisions_count_writes_and_audited_writes_commit_to_them(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = make(keyring(&["k1"]));
    let (meta, entry) = store
        .put_audited(record_of(1), event("record.write"))
        .expect("put");
    assert_eq!(meta.revision, 1);
    assert_eq!(
        entry.event.record_state.as_deref(),
        Some(format!("1:{}:{}", meta.created_at, meta.updated_at).as_str())
    );
    let (meta, entry) = store
        .update_audited(
            &meta.id,
            b"{\"seq\":2,\"answers\":{}}",
            event("record.update"),
        )
        .expect("update");
    assert_eq!(meta.revision, 2);
    assert_eq!(
        entry.event.record_state.as_deref(),
        Some(format!("2:{}:{}", meta.created_at, meta.updated_at).as_str())
    );
    assert_eq!(store.get(&meta.id).expect("get").meta.revision, 2);
    // Other events carry no state.
    let read = store.audit_append(event("record.read")).expect("append");
    assert_eq!(read.event.record_state, None);
    assert!(store.audit_verify().expect("verify").is_intact());

    // A key rotation is not a write: the revision stays and the records still verify.
    let mut ring = keyring(&["k1"]);
    ring.add(key("k2")).expect("k2");
    ring.set_active("k2").expect("active");
    store.replace_keyring(ring);
    assert_eq!(store.reseal_batch(10).expect("reseal").remaining, 0);
    let record = store.get(&meta.id).expect("get");
    assert_eq!(
        (record.meta.revision, record.meta.key_id.as_str()),
        (2, "k2")
    );
    assert!(store.verify_records().expect("verify").is_clean());
}

pub(super) fn verify_records_finds_nothing_in_an_untouched_store(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    assert_eq!(
        store.verify_records().expect("verify"),
        RecordVerification::default()
    );
    let mut ids = Vec::new();
    for n in 0..5 {
        let (meta, _) = store
            .put_audited(record_of(n), event("record.write"))
            .expect("put");
        ids.push(meta.id);
    }
    store
        .update_audited(
            &ids[2],
            b"{\"seq\":9,\"answers\":{}}",
            event("record.update"),
        )
        .expect("update");
    // An unaudited write is not judged against the log (it has the data key).
    store.put(record_of(7)).expect("put");
    store
        .update(&ids[3], b"{\"seq\":8,\"answers\":{}}")
        .expect("update");
    let verification = store.verify_records().expect("verify");
    assert_eq!(verification.records, 6);
    assert!(verification.is_clean(), "{verification:?}");
}

pub(super) fn quarantined_records_leave_every_scan_and_are_not_deleted(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let mut ids = Vec::new();
    for n in 0..3 {
        let (meta, _) = store
            .put_audited(record_of(n), event("record.write"))
            .expect("put");
        ids.push(meta.id);
    }
    let findings = [
        RecordFinding {
            record_id: ids[1].clone(),
            problem: RecordProblem::Unreadable,
        },
        // No row: skipped.
        RecordFinding {
            record_id: missing_id(),
            problem: RecordProblem::Deleted,
        },
    ];
    let before = store.audit_entries(0, 100).expect("entries").len();
    let moved = store
        .quarantine(&findings, event("record.quarantine"))
        .expect("quarantine");
    assert_eq!(moved, 1);
    assert_eq!(
        store.get(&ids[1]).expect_err("moved").kind(),
        ErrorKind::NotFound
    );
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 2);
    assert_eq!(all_bodies(&*store, &ScanFilter::all()), [0, 2]);
    let entries = store.audit_entries(0, 100).expect("entries");
    assert_eq!(entries.len(), before + 1);
    let last = entries.last().expect("entry");
    assert_eq!(last.event.action, "record.quarantine");
    assert_eq!(last.event.record_id.as_deref(), Some(ids[1].as_str()));
    assert!(store.audit_verify().expect("verify").is_intact());

    let verification = store.verify_records().expect("verify");
    assert_eq!((verification.records, verification.quarantined), (2, 1));
    assert!(verification.is_clean(), "{verification:?}");
    // Moving it again moves nothing.
    assert_eq!(
        store
            .quarantine(&findings, event("record.quarantine"))
            .expect("quarantine"),
        0
    );
}

pub(super) fn scan_readable_visits_what_scan_visits(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    for n in 0..600 {
        store.put(record_of(n)).expect("put");
    }
    let mut seen = Vec::new();
    store
        .scan_readable(
            &ScanFilter::all(),
            &mut |record| {
                seen.push(seq_of(&record.body));
                Ok(())
            },
            &mut |id, error| panic!("{id:?} is readable: {error}"),
        )
        .expect("scan");
    assert_eq!(seen, all_bodies(&*store, &ScanFilter::all()));
    assert_eq!(seen.len(), 600);
}
