//! The operations cases of the conformance suite: a store bound to its keys, idempotent,
//! audited import, and creates under durable idempotency keys.

use bistand_core::identifier::PseudonymKey;

use super::{fresh, keyring, record_of};
use crate::{
    AuditEvent, AuditVerification, AuditedStore, DataKey, ErrorKind, IdempotencyKey, ImportRecord,
    Keyring, Once, ScanFilter,
};

fn entries(store: &dyn AuditedStore) -> u64 {
    match store.audit_verify().expect("verify") {
        AuditVerification::Intact { entries, .. } => entries,
        other => panic!("not intact: {other:?}"),
    }
}

pub(super) fn keys_are_bound_to_the_store(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let pseudonym = PseudonymKey::new("p1", &[3; 32]).expect("key");
    store
        .bind_keys(&pseudonym)
        .expect("a new store records its keys");
    store.put(record_of(1)).expect("put");
    store.bind_keys(&pseudonym).expect("the same keys again");
    let count = || store.count(&ScanFilter::all()).expect("count");

    let refused = |store: &dyn AuditedStore, pseudonym: &PseudonymKey, names: &str| {
        let error = store.bind_keys(pseudonym).expect_err(names);
        assert_eq!(error.kind(), ErrorKind::WrongKeys, "{error}");
        for text in [&error.text().en, &error.text().sv] {
            assert!(text.contains(names), "{text} should name {names}");
            assert!(!text.contains("0303"), "{text} shows no secret");
        }
    };
    // Another organisation's pseudonym key, even under the same id.
    refused(
        &*store,
        &PseudonymKey::new("p1", &[4; 32]).expect("key"),
        "`p1`",
    );
    refused(
        &*store,
        &PseudonymKey::new("p9", &[4; 32]).expect("key"),
        "`p9`",
    );
    // Another secret under a recorded data key's id.
    store.replace_keyring(Keyring::new(DataKey::new("k1", &[9; 32]).expect("key")));
    refused(&*store, &pseudonym, "`k1`");
    // A keys file without the data key the records are sealed with.
    store.replace_keyring(keyring(&["k2"]));
    refused(&*store, &pseudonym, "`k1`");
    assert_eq!(count(), 1);
    assert_eq!(entries(&*store), 0, "a refused binding writes nothing");

    // A rotation: the new key joins and is recorded from then on.
    store.replace_keyring(keyring(&["k2", "k1"]));
    store.bind_keys(&pseudonym).expect("rotated keys");
    let mut impostor = Keyring::new(DataKey::new("k2", &[8; 32]).expect("key"));
    impostor
        .add(keyring(&["k1"]).active().clone())
        .expect("add");
    store.replace_keyring(impostor);
    refused(&*store, &pseudonym, "`k2`");
}

fn identity(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

fn import_event() -> AuditEvent {
    AuditEvent::new(1_767_225_600_000, "cli:operator", "import", "import", "ok")
}

pub(super) fn imports_are_idempotent_and_audited(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let batch = |ids: &[u8]| {
        ids.iter()
            .map(|&n| ImportRecord {
                record: record_of(u64::from(n)),
                identity: identity(n),
            })
            .collect::<Vec<_>>()
    };
    let first = store
        .import_audited(batch(&[1, 2, 1]), import_event())
        .expect("import");
    assert_eq!(
        first.iter().map(Option::is_some).collect::<Vec<_>>(),
        [true, true, false],
        "a repeat within one batch is stored once"
    );
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 2);
    let log = store.audit_entries(0, 10).expect("entries");
    assert_eq!(log.len(), 2, "one audit entry per stored record");
    for (entry, meta) in log.iter().zip(first.iter().flatten()) {
        assert_eq!(entry.event.action, "import");
        assert_eq!(entry.event.principal, "cli:operator");
        assert_eq!(entry.event.record_id.as_deref(), Some(meta.id.as_str()));
    }

    let again = store
        .import_audited(batch(&[2, 1, 3]), import_event())
        .expect("import again");
    assert_eq!(
        again.iter().map(Option::is_some).collect::<Vec<_>>(),
        [false, false, true]
    );
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 3);
    assert_eq!(entries(&*store), 3);
    assert_eq!(
        store
            .imported(&[&identity(1), &identity(3), &identity(4)])
            .expect("imported"),
        [true, true, false]
    );

    let mut bad = batch(&[5]);
    bad.push(ImportRecord {
        record: record_of(6),
        identity: "EB-2026-0001".into(),
    });
    let error = store
        .import_audited(bad, import_event())
        .expect_err("malformed identity");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(!error.to_string().contains("EB-2026"), "{error}");
    assert_eq!(
        store.count(&ScanFilter::all()).expect("count"),
        3,
        "all or nothing"
    );
    assert_eq!(
        store
            .imported(&["EB-2026-0001"])
            .expect_err("malformed")
            .kind(),
        ErrorKind::InvalidInput
    );

    // A batch larger than one multi-row statement, with repeats across its statements: each
    // identity stored once, in order, one audit entry each, and the chain still intact.
    let ids: Vec<u8> = (10..160).chain([10, 100, 159, 2]).collect();
    let large = store
        .import_audited(batch(&ids), import_event())
        .expect("large import");
    assert!(large[..150].iter().all(Option::is_some));
    assert!(large[150..].iter().all(Option::is_none));
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 153);
    assert_eq!(entries(&*store), 153);
    let log = store.audit_entries(3, 1000).expect("entries");
    for (entry, meta) in log.iter().zip(large.iter().flatten()) {
        assert_eq!(entry.event.record_id.as_deref(), Some(meta.id.as_str()));
    }
    assert!(store.audit_verify().expect("verify").is_intact());
}

pub(super) fn idempotent_creates_store_once_and_refuse_another_request(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let create = || {
        AuditEvent::new(
            1_767_225_600_000,
            "handlaggare-norr",
            "handlaggare",
            "record.create",
            "ok",
        )
    };
    let key = |k: u8, r: u8| IdempotencyKey::new(identity(k), identity(r)).expect("key");
    let Once::Stored(first, entry) = store
        .put_audited_once(record_of(1), create(), &key(1, 1))
        .expect("first")
    else {
        panic!("a new key stores");
    };
    assert_eq!(entry.event.record_id.as_deref(), Some(first.id.as_str()));
    let Once::Replayed(again) = store
        .put_audited_once(record_of(1), create(), &key(1, 1))
        .expect("retry")
    else {
        panic!("the same key and request replay");
    };
    assert_eq!(again, first, "the record the key created");
    assert!(matches!(
        store
            .put_audited_once(record_of(2), create(), &key(1, 2))
            .expect("reused"),
        Once::Reused
    ));
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 1);
    assert_eq!(entries(&*store), 1, "one entry, for the one write");
    // Another key stores another record.
    assert!(matches!(
        store
            .put_audited_once(record_of(1), create(), &key(2, 1))
            .expect("another key"),
        Once::Stored(..)
    ));
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 2);
    // A refused event writes neither the record nor the key.
    let refused = AuditEvent::new(
        1_767_225_600_000,
        "19121212-1212",
        "handlaggare",
        "record.create",
        "ok",
    );
    store
        .put_audited_once(record_of(3), refused, &key(3, 3))
        .expect_err("a principal shaped like a personnummer");
    assert!(matches!(
        store
            .put_audited_once(record_of(4), create(), &key(3, 4))
            .expect("the key was not remembered"),
        Once::Stored(..)
    ));
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 3);
}
