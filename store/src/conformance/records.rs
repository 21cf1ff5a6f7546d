//! The record cases of the conformance suite: round trips, updates, lookups, scans and counts,
//! refused fields, key rotation and missing keys.

use super::{all_bodies, body, client, fresh, keyring, missing_id, record, record_of, seq_of};
use crate::{
    AuditEvent, AuditedStore, Error, ErrorKind, Keyring, MAX_BODY_LEN, NewRecord, RecordId,
    ResealProgress, ScanFilter,
};

pub(super) fn records_round_trip(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let meta = store.put(record(1, "norr", "sue", "1", 7)).expect("put");
    assert_eq!(meta.pseudonym, client(1).as_str());
    assert_eq!(
        (
            meta.unit.as_str(),
            meta.instrument.as_str(),
            meta.version.as_str()
        ),
        ("norr", "sue", "1")
    );
    assert_eq!(meta.key_id, "k1");
    assert_eq!(meta.created_at, meta.updated_at);
    assert!(meta.created_at > 1_700_000_000_000, "unix milliseconds");
    RecordId::parse(meta.id.as_str()).expect("well-formed id");

    let stored = store.get(&meta.id).expect("get");
    assert_eq!(stored.meta, meta);
    assert_eq!(stored.body, body(7));
    assert!(!format!("{stored:?}").contains("arbetsmarknadsinsats"));

    let empty = store
        .put(NewRecord::new(&client(1), "norr", "sue", "1", Vec::new()))
        .expect("empty body");
    assert_eq!(store.get(&empty.id).expect("get").body, b"");
    let unicode = store
        .put(record(1, "Försörjningsstöd Östermalm", "fia", "1", 8))
        .expect("a unit is not only ASCII");
    assert_eq!(
        store.get(&unicode.id).expect("get").meta.unit,
        "Försörjningsstöd Östermalm"
    );

    let metas = store
        .put_many(
            (10..13)
                .map(|seq| record(2, "syd", "sue", "1", seq))
                .collect(),
        )
        .expect("put_many");
    assert_eq!(metas.len(), 3);
    assert_eq!(
        metas
            .iter()
            .map(|m| &m.id)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        3,
        "fresh ids"
    );
    for (meta, seq) in metas.iter().zip(10..) {
        assert_eq!(store.get(&meta.id).expect("get").body, body(seq));
    }
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 6);
}

pub(super) fn update_replaces_the_body(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let meta = store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    std::thread::sleep(std::time::Duration::from_millis(3));
    let updated = store.update(&meta.id, &body(2)).expect("update");
    assert_eq!(updated.id, meta.id);
    assert_eq!(updated.created_at, meta.created_at);
    assert!(updated.updated_at > meta.updated_at);
    let record = store.get(&meta.id).expect("get");
    assert_eq!(record.body, body(2));
    assert_eq!(record.meta, updated);
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 1);

    let error = store
        .update(&meta.id, &vec![b' '; MAX_BODY_LEN + 1])
        .expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(store.get(&meta.id).expect("get").body, body(2));
}

pub(super) fn unknown_ids_are_not_found(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    let missing = missing_id();
    let error = store.update(&missing, b"{}").expect_err("no such record");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(
        error.to_string(),
        "no record with id `00000000000000000000000000000000`"
    );
    assert_eq!(
        store.get(&missing).expect_err("no such record").kind(),
        ErrorKind::NotFound
    );
    let event = AuditEvent::new(7, "anna", "handlaggare", "record.write", "ok");
    assert_eq!(
        store
            .update_audited(&missing, b"{}", event)
            .expect_err("no such record")
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(store.audit_entries(0, 10).expect("entries"), []);
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 1);
}

pub(super) fn find_by_pseudonym_in_insertion_order(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let first = store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    let fia = store.put(record(1, "norr", "fia", "1", 2)).expect("put");
    let other = store.put(record(2, "norr", "sue", "1", 3)).expect("put");
    let later = store.put(record(1, "syd", "sue", "1", 4)).expect("put");

    let all = store
        .find_by_pseudonym(client(1).as_str(), None)
        .expect("find");
    assert_eq!(all, [first.clone(), fia.clone(), later.clone()]);
    let sue = store
        .find_by_pseudonym(client(1).as_str(), Some("sue"))
        .expect("find");
    assert_eq!(sue, [first, later]);
    assert_eq!(
        store
            .find_by_pseudonym(client(2).as_str(), None)
            .expect("find"),
        [other]
    );
    assert!(
        store
            .find_by_pseudonym(client(3).as_str(), None)
            .expect("find")
            .is_empty()
    );
    assert_eq!(
        store
            .find_by_pseudonym(client(1).as_str(), Some("fia"))
            .expect("find"),
        [fia]
    );
    let error = store
        .find_by_pseudonym(client(1).as_str(), Some("s u e"))
        .expect_err("malformed instrument");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
}

pub(super) fn a_personnummer_is_never_a_pseudonym(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    for number in ["19811218-9876", "198112189876", "811218-9876"] {
        let error = store
            .find_by_pseudonym(number, None)
            .expect_err("refused lookup");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(!error.to_string().contains("9876"));

        let mut record = record(1, "norr", "sue", "1", 1);
        record.pseudonym = number.to_owned();
        let error = store.put(record).expect_err("refused insert");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(!error.to_string().contains("9876"));
    }
    // One bad record refuses the whole batch.
    let mut bad = record(1, "norr", "sue", "1", 1);
    bad.unit = String::new();
    let error = store
        .put_many(vec![record(1, "norr", "sue", "1", 2), bad])
        .expect_err("refused batch");
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 0);
}

pub(super) fn malformed_fields_are_refused(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let good = record(1, "norr", "sue", "1", 1);
    let cases = [
        NewRecord {
            unit: "a\nb".to_owned(),
            ..good.clone()
        },
        NewRecord {
            instrument: "s u e".to_owned(),
            ..good.clone()
        },
        NewRecord {
            version: String::new(),
            ..good.clone()
        },
        NewRecord {
            body: vec![b' '; MAX_BODY_LEN + 1],
            ..good.clone()
        },
    ];
    for case in cases {
        let error = store.put(case.clone()).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{case:?}");
    }
    for filter in [
        ScanFilter::all().instrument("no such; DROP TABLE records"),
        ScanFilter::all().unit(""),
        ScanFilter::all().version("1 OR 1=1"),
    ] {
        assert_eq!(
            store.count(&filter).expect_err("malformed").kind(),
            ErrorKind::InvalidInput
        );
        let error = store.scan(&filter, &mut |_| Ok(())).expect_err("malformed");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
    }
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 0);
}

pub(super) fn scan_and_count_with_filters(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let mut batch = Vec::new();
    let mut seq = 0;
    for unit in ["norr", "syd"] {
        for (instrument, version) in [("sue", "1"), ("sue", "2"), ("fia", "1")] {
            for _ in 0..3 {
                seq += 1;
                batch.push(record(1, unit, instrument, version, seq));
            }
        }
    }
    let metas = store.put_many(batch).expect("put_many");
    assert_eq!(metas.len(), 18);

    let cases = [
        (ScanFilter::all(), 18),
        (ScanFilter::all().unit("norr"), 9),
        (ScanFilter::all().instrument("sue"), 12),
        (ScanFilter::all().instrument("sue").version("2"), 6),
        (
            ScanFilter::all().unit("syd").instrument("fia").version("1"),
            3,
        ),
        (ScanFilter::all().version("1"), 12),
        (ScanFilter::all().unit("öst"), 0),
    ];
    for (filter, expected) in cases {
        let mut seen = Vec::new();
        store
            .scan(&filter, &mut |record| {
                assert_eq!(body(seq_of(&record.body)), record.body);
                for (wanted, actual) in [
                    (&filter.unit, &record.meta.unit),
                    (&filter.instrument, &record.meta.instrument),
                    (&filter.version, &record.meta.version),
                ] {
                    if let Some(wanted) = wanted {
                        assert_eq!(wanted, actual);
                    }
                }
                seen.push(seq_of(&record.body));
                Ok(())
            })
            .expect("scan");
        assert_eq!(seen.len(), expected, "{filter:?}");
        assert!(seen.windows(2).all(|w| w[0] < w[1]), "insertion order");
        assert_eq!(store.count(&filter).expect("count"), expected as u64);
    }
}

pub(super) fn scan_visits_many_records_in_insertion_order(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    // More than a backend would read in one chunk, so chunk boundaries are crossed.
    let count = 2_100_u64;
    let store = fresh(make);
    store
        .scan(&ScanFilter::all(), &mut |_| {
            panic!("an empty store has no records")
        })
        .expect("scan of an empty store");
    for chunk in (0..count).collect::<Vec<_>>().chunks(700) {
        store
            .put_many(
                chunk
                    .iter()
                    .map(|&seq| record(1, "norr", "sue", "1", seq))
                    .collect(),
            )
            .expect("put_many");
    }
    let seen = all_bodies(&*store, &ScanFilter::all());
    assert_eq!(seen, (0..count).collect::<Vec<_>>());
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), count);
}

pub(super) fn a_callback_can_stop_a_scan(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    store
        .put_many((0..5).map(|i| record(1, "norr", "sue", "1", i)).collect())
        .expect("put_many");
    let mut visited = 0;
    let error = store
        .scan(&ScanFilter::all(), &mut |_| {
            visited += 1;
            if visited == 2 {
                return Err(Error::aborted(std::fmt::Error));
            }
            Ok(())
        })
        .expect_err("stopped");
    assert_eq!(error.kind(), ErrorKind::Aborted);
    assert_eq!(visited, 2);
}

pub(super) fn a_scan_callback_may_use_the_store(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let first = store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    let mut visited = 0;
    store
        .scan(&ScanFilter::all(), &mut |record| {
            visited += 1;
            assert_eq!(store.get(&record.meta.id).expect("get").body, record.body);
            store.update(&first.id, &body(3)).expect("update");
            store.put(record_of(2)).map(|_| ())
        })
        .expect("no deadlock");
    assert_eq!(
        visited, 1,
        "records inserted during the scan are not visited"
    );
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 2);
    assert_eq!(store.get(&first.id).expect("get").body, body(3));
}

pub(super) fn threads_share_one_store(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    std::thread::scope(|scope| {
        for t in 0..4_u64 {
            let store = &*store;
            scope.spawn(move || {
                for i in 0..20 {
                    let seq = t * 100 + i;
                    let meta = store.put(record_of(seq)).expect("put");
                    assert_eq!(store.get(&meta.id).expect("get").body, body(seq));
                }
            });
        }
    });
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 80);
}

pub(super) fn ping_answers(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    store.ping().expect("an empty store answers");
    store.put(record_of(1)).expect("put");
    store.ping().expect("a store with records answers");
}

pub(super) fn keys_rotate_by_resealing(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let old = store
        .put_many((0..7).map(record_of).collect())
        .expect("put_many");
    assert_eq!(
        store.reseal_batch(0).expect_err("zero").kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        store.reseal_batch(5).expect("nothing to move"),
        ResealProgress {
            resealed: 0,
            remaining: 0
        }
    );

    // Rotate: k2 joins and becomes active; k1 stays for reading.
    store.replace_keyring(keyring(&["k2", "k1"]));
    let fresh_meta = store.put(record_of(100)).expect("put");
    assert_eq!(fresh_meta.key_id, "k2", "new writes use the active key");
    let before = store.get(&old[0].id).expect("old record still readable");
    assert_eq!(before.meta.key_id, "k1");
    let updated = store.update(&old[1].id, &body(101)).expect("update");
    assert_eq!(updated.key_id, "k2", "an update seals with the active key");

    let mut progress = Vec::new();
    loop {
        let step = store.reseal_batch(2).expect("reseal");
        assert!(step.resealed <= 2);
        progress.push(step);
        if step.remaining == 0 {
            break;
        }
        assert!(progress.len() < 100, "rotation must finish");
    }
    assert_eq!(progress.iter().map(|p| p.resealed).sum::<u64>(), 6);
    assert_eq!(progress[0].remaining, 4, "six old records, two moved");
    let after = store.get(&old[0].id).expect("resealed");
    assert_eq!(after.meta.key_id, "k2");
    assert_eq!(after.body, before.body);
    assert_eq!(
        after.meta.updated_at, before.meta.updated_at,
        "moving to a new key does not change the content"
    );

    // k1 can now be retired.
    store.replace_keyring(keyring(&["k2"]));
    let mut expected: Vec<u64> = (0..7).collect();
    expected[1] = 101;
    expected.push(100);
    assert_eq!(all_bodies(&*store, &ScanFilter::all()), expected);
}

pub(super) fn a_missing_key_is_unknown_everywhere(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let metas = store
        .put_many((1..=3).map(record_of).collect())
        .expect("put_many");
    store.replace_keyring(keyring(&["k2"]));
    let error = store.get(&metas[0].id).expect_err("k1 is missing");
    assert_eq!(error.kind(), ErrorKind::UnknownKey);
    assert_eq!(
        error.to_string(),
        format!(
            "record `{}`: record is sealed with key `k1`, which is not in the keyring",
            metas[0].id
        )
    );
    assert!(!error.to_string().contains("arbetsmarknadsinsats"));
    let error = store
        .update(&metas[1].id, &body(9))
        .expect_err("an unreadable record is not overwritten");
    assert_eq!(error.kind(), ErrorKind::UnknownKey);
    let mut seen = 0;
    let error = store
        .scan(&ScanFilter::all(), &mut |_| {
            seen += 1;
            Ok(())
        })
        .expect_err("scan stops");
    assert_eq!((error.kind(), seen), (ErrorKind::UnknownKey, 0));
    assert_eq!(
        store.reseal_batch(10).expect_err("cannot reseal").kind(),
        ErrorKind::UnknownKey
    );
    // Metadata needs no key.
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 3);
    assert_eq!(
        store
            .find_by_pseudonym(client(1).as_str(), None)
            .expect("find"),
        metas
    );
    // Nothing of the failed operations was written: with k1 back, all is as it was.
    store.replace_keyring(keyring(&["k1"]));
    for (meta, seq) in metas.iter().zip(1..) {
        let record = store.get(&meta.id).expect("get");
        assert_eq!((record.body, &record.meta), (body(seq), meta));
    }
}

pub(super) fn the_unit_is_read_without_opening_the_body(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let meta = store.put(record(1, "Söder", "sue", "1", 1)).expect("put");
    let soder = |unit: &str| unit == "Söder";
    let norr = |unit: &str| unit == "Norr";
    let found = store.get_in_units(&meta.id, &soder).expect("read");
    assert_eq!(
        found.map(|r| (r.body, r.meta)),
        Some((body(1), meta.clone()))
    );
    assert!(
        store
            .get_in_units(&missing_id(), &soder)
            .expect("read")
            .is_none()
    );
    assert!(store.get_in_units(&meta.id, &norr).expect("read").is_none());
    // Without the key the body cannot be opened; another unit's lookup still answers `None`
    // (nothing was opened), while the record's own unit meets the error of opening it.
    store.replace_keyring(keyring(&["k2"]));
    assert!(
        store
            .get_in_units(&meta.id, &norr)
            .expect("not opened")
            .is_none()
    );
    assert!(store.get_in_units(&meta.id, &soder).is_err());
}
