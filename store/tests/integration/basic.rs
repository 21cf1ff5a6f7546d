//! Round trips, updates, lookups, scans and counts on a file store.

use bistand_store::{ErrorKind, NewRecord, RecordId, ScanFilter, Store};

use crate::{body, client, open, record, seq_of, temp_store_path};

#[test]
fn round_trip() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
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

    let record = store.get(&meta.id).expect("get");
    assert_eq!(record.meta, meta);
    assert_eq!(record.body, body(7));
    assert!(!format!("{record:?}").contains("arbetsmarknadsinsats"));

    // A second store on the same file sees it, and so does the first after reopening.
    drop(store);
    let store = open(&path, &["k1"]);
    assert_eq!(store.get(&meta.id).expect("after reopen").body, body(7));

    let empty = store
        .put(NewRecord::new(&client(1), "norr", "sue", "1", Vec::new()))
        .expect("empty body");
    assert_eq!(store.get(&empty.id).expect("get").body, b"");
}

#[test]
fn update_replaces_the_body() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    let meta = store.put(record(1, "norr", "sue", "1", 1)).expect("put");
    std::thread::sleep(std::time::Duration::from_millis(3));
    let updated = store.update(&meta.id, &body(2)).expect("update");
    assert_eq!(updated.id, meta.id);
    assert_eq!(updated.created_at, meta.created_at);
    assert!(updated.updated_at > meta.updated_at);
    let record = store.get(&meta.id).expect("get");
    assert_eq!(record.body, body(2));
    assert_eq!(record.meta, updated);

    let missing = RecordId::parse(&"0".repeat(32)).expect("id");
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
}

#[test]
fn find_by_pseudonym() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
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
}

#[test]
fn a_personnummer_is_never_a_pseudonym() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
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

#[test]
fn scan_and_count_with_filters() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
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

    let bad = ScanFilter::all().instrument("no such; DROP TABLE records");
    assert_eq!(
        store.count(&bad).expect_err("malformed").kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn a_callback_can_stop_a_scan() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    store
        .put_many((0..5).map(|i| record(1, "norr", "sue", "1", i)).collect())
        .expect("put_many");
    let mut visited = 0;
    let error = store
        .scan(&ScanFilter::all(), &mut |_| {
            visited += 1;
            if visited == 2 {
                return Err(bistand_store::Error::aborted(std::fmt::Error));
            }
            Ok(())
        })
        .expect_err("stopped");
    assert_eq!(error.kind(), ErrorKind::Aborted);
    assert_eq!(visited, 2);
}

#[test]
fn threads_share_one_store() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    std::thread::scope(|scope| {
        for t in 0..4_u64 {
            let store = &store;
            scope.spawn(move || {
                for i in 0..20 {
                    let seq = t * 100 + i;
                    let meta = store.put(record(1, "norr", "sue", "1", seq)).expect("put");
                    assert_eq!(store.get(&meta.id).expect("get").body, body(seq));
                }
            });
        }
    });
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 80);
}
