//! The conformance suite of a store backend: what every [`AuditedStore`] must do, written against
//! the traits alone, so the SQLite store and any later backend (PostgreSQL, say) are held to the
//! same contract by the same code.
//!
//! A backend's tests call [`run_all`] with a function that makes a new, empty store sealing with
//! the keyring it is given; the suite supplies the keys so it can rotate them and take them away.
//! Each case panics (as a test does) when the store breaks the contract; the case's name is
//! printed to standard error first, so a failure says which one.
//!
//! Built with this crate's own tests and, for a backend in another test binary, with the
//! `conformance` feature.
//!
//! ```ignore
//! #[test]
//! fn a_postgres_store_conforms() {
//!     bistand_store::conformance::run_all(|keyring| Box::new(PgStore::fresh(keyring)));
//! }
//! ```

use bistand_core::identifier::{Pseudonym, PseudonymKey, pseudonymise_case_number};
use bistand_core::seal::{DataKey, Keyring};

use crate::audit::{MAX_PRINCIPAL_LEN, MAX_TERM_LEN};
use crate::{
    AUDIT_GENESIS_HASH, AuditEntry, AuditEvent, AuditHead, AuditProblem, AuditVerification,
    AuditedStore, Error, ErrorKind, MAX_BODY_LEN, NewRecord, RecordId, ResealProgress, ScanFilter,
};

/// One case of the suite: its name and the function that runs it.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// What the case checks, in snake_case.
    pub name: &'static str,
    /// Runs the case against stores from its argument, which makes a new, empty store sealing
    /// with the keyring it is given; panics when the store breaks the contract.
    pub run: fn(&dyn Fn(Keyring) -> Box<dyn AuditedStore>),
}

/// Every case, for a backend that wants one test per case; [`run_all`] runs them in this order.
pub const CASES: &[Case] = &[
    Case {
        name: "records_round_trip",
        run: records_round_trip,
    },
    Case {
        name: "update_replaces_the_body",
        run: update_replaces_the_body,
    },
    Case {
        name: "unknown_ids_are_not_found",
        run: unknown_ids_are_not_found,
    },
    Case {
        name: "find_by_pseudonym_in_insertion_order",
        run: find_by_pseudonym_in_insertion_order,
    },
    Case {
        name: "a_personnummer_is_never_a_pseudonym",
        run: a_personnummer_is_never_a_pseudonym,
    },
    Case {
        name: "malformed_fields_are_refused",
        run: malformed_fields_are_refused,
    },
    Case {
        name: "scan_and_count_with_filters",
        run: scan_and_count_with_filters,
    },
    Case {
        name: "scan_visits_many_records_in_insertion_order",
        run: scan_visits_many_records_in_insertion_order,
    },
    Case {
        name: "a_callback_can_stop_a_scan",
        run: a_callback_can_stop_a_scan,
    },
    Case {
        name: "a_scan_callback_may_use_the_store",
        run: a_scan_callback_may_use_the_store,
    },
    Case {
        name: "threads_share_one_store",
        run: threads_share_one_store,
    },
    Case {
        name: "ping_answers",
        run: ping_answers,
    },
    Case {
        name: "keys_rotate_by_resealing",
        run: keys_rotate_by_resealing,
    },
    Case {
        name: "a_missing_key_is_unknown_everywhere",
        run: a_missing_key_is_unknown_everywhere,
    },
    Case {
        name: "audit_a_long_chain_verifies_and_pages",
        run: audit_a_long_chain_verifies_and_pages,
    },
    Case {
        name: "audit_an_empty_log_is_intact_at_the_genesis_head",
        run: audit_an_empty_log_is_intact_at_the_genesis_head,
    },
    Case {
        name: "audit_a_recorded_head_must_be_in_the_chain",
        run: audit_a_recorded_head_must_be_in_the_chain,
    },
    Case {
        name: "audit_no_personnummer_or_content_reaches_the_log",
        run: audit_no_personnummer_or_content_reaches_the_log,
    },
    Case {
        name: "audited_writes_name_their_record_and_commit_together",
        run: audited_writes_name_their_record_and_commit_together,
    },
    Case {
        name: "audit_concurrent_appends_keep_one_chain",
        run: audit_concurrent_appends_keep_one_chain,
    },
];

/// Runs every case of [`CASES`] against stores from `make`, which must return a new, empty store
/// sealing with the keyring it is given each time it is called.
///
/// # Panics
///
/// When the store breaks the contract, with the failed assertion; the case's name is printed to
/// standard error before the case runs.
pub fn run_all(make: impl Fn(Keyring) -> Box<dyn AuditedStore>) {
    for case in CASES {
        eprintln!("conformance: {}", case.name);
        (case.run)(&make);
    }
}

/// A data key whose secret is derived from its id.
fn key(id: &str) -> DataKey {
    let mut secret = [0x5a_u8; 32];
    for (i, b) in id.bytes().enumerate() {
        secret[i % 32] ^= b.wrapping_mul(31).wrapping_add(i as u8);
    }
    DataKey::new(id, &secret).expect("test key")
}

/// A keyring with `ids`, the first one active.
fn keyring(ids: &[&str]) -> Keyring {
    let mut ring = Keyring::new(key(ids[0]));
    for id in &ids[1..] {
        ring.add(key(id)).expect("distinct test keys");
    }
    ring
}

/// A new store sealing with `k1`.
fn fresh(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) -> Box<dyn AuditedStore> {
    make(keyring(&["k1"]))
}

/// The pseudonym of case number `EB-<n>`.
fn client(n: u32) -> Pseudonym {
    let pseudonym_key = PseudonymKey::new("p1", &[3; 32]).expect("pseudonym key");
    pseudonymise_case_number(&pseudonym_key, &format!("EB-2026-{n:04}"))
}

/// A JSON body that starts with `{"seq":<seq>,` and carries a free-text answer.
fn body(seq: u64) -> Vec<u8> {
    format!(
        "{{\"seq\":{seq},\"answers\":{{\"fritext\":\"arbetsmarknadsinsats vecka {}\"}}}}",
        seq % 52
    )
    .into_bytes()
}

/// The `seq` a [`body`] was made from.
fn seq_of(body: &[u8]) -> u64 {
    let text = std::str::from_utf8(body).expect("utf-8 body");
    text.strip_prefix("{\"seq\":")
        .and_then(|rest| rest.split(',').next())
        .and_then(|digits| digits.parse().ok())
        .expect("body starts with its seq")
}

fn record(client_no: u32, unit: &str, instrument: &str, version: &str, seq: u64) -> NewRecord {
    NewRecord::new(&client(client_no), unit, instrument, version, body(seq))
}

fn missing_id() -> RecordId {
    RecordId::parse(&"0".repeat(32)).expect("id")
}

fn all_bodies(store: &dyn AuditedStore, filter: &ScanFilter) -> Vec<u64> {
    let mut seen = Vec::new();
    store
        .scan(filter, &mut |record| {
            seen.push(seq_of(&record.body));
            Ok(())
        })
        .expect("scan");
    seen
}

fn records_round_trip(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn update_replaces_the_body(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn unknown_ids_are_not_found(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn find_by_pseudonym_in_insertion_order(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn a_personnummer_is_never_a_pseudonym(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn malformed_fields_are_refused(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn scan_and_count_with_filters(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn scan_visits_many_records_in_insertion_order(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn a_callback_can_stop_a_scan(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn a_scan_callback_may_use_the_store(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn record_of(seq: u64) -> NewRecord {
    record(1, "norr", "sue", "1", seq)
}

fn threads_share_one_store(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn ping_answers(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    store.ping().expect("an empty store answers");
    store.put(record_of(1)).expect("put");
    store.ping().expect("a store with records answers");
}

fn keys_rotate_by_resealing(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn a_missing_key_is_unknown_everywhere(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
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

fn event(n: i64) -> AuditEvent {
    AuditEvent::new(
        1_767_225_600_000 + n,
        "anna.svensson",
        "handlaggare",
        "record.read",
        "ok",
    )
    .unit("Norr")
    .pseudonym(client(1).as_str())
}

fn intact_head(store: &dyn AuditedStore) -> AuditHead {
    match store.audit_verify().expect("verify") {
        AuditVerification::Intact { head, .. } => head,
        other => panic!("not intact: {other:?}"),
    }
}

fn audit_a_long_chain_verifies_and_pages(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    // More than a backend would verify in one chunk, so chunk boundaries are crossed.
    let count = 1_031_u64;
    let store = fresh(make);
    let mut last = None;
    for n in 0..count {
        let entry = store.audit_append(event(n as i64)).expect("append");
        assert_eq!(entry.seq, n + 1);
        let expected_prev = last.map_or(AUDIT_GENESIS_HASH.to_owned(), |e: AuditEntry| e.hash);
        assert_eq!(entry.prev_hash, expected_prev);
        last = Some(entry);
    }
    let last = last.expect("entries");
    assert_eq!(
        store.audit_verify().expect("verify"),
        AuditVerification::Intact {
            entries: count,
            head: AuditHead {
                seq: count,
                hash: last.hash.clone(),
            },
        }
    );
    let page = store.audit_entries(10, 5).expect("page");
    assert_eq!(
        page.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [11, 12, 13, 14, 15]
    );
    assert_eq!(page[0].event, event(10));
    assert_eq!(store.audit_entries(count, 5).expect("end"), []);
    assert_eq!(store.audit_entries(count - 1, 5).expect("last"), [last]);
    assert_eq!(
        store.audit_entries(0, 2_000).expect("all").len() as u64,
        count
    );
    // The log and the records are apart.
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 0);
}

fn audit_an_empty_log_is_intact_at_the_genesis_head(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let genesis = AuditHead {
        seq: 0,
        hash: AUDIT_GENESIS_HASH.to_owned(),
    };
    assert_eq!(
        store.audit_verify().expect("verify"),
        AuditVerification::Intact {
            entries: 0,
            head: genesis.clone(),
        }
    );
    assert!(
        store
            .audit_verify_against(&genesis)
            .expect("verify")
            .is_intact()
    );
    let ahead = AuditHead {
        seq: 3,
        hash: "ab".repeat(32),
    };
    assert_eq!(
        store.audit_verify_against(&ahead).expect("verify"),
        AuditVerification::Broken {
            seq: 1,
            problem: AuditProblem::Truncated,
        }
    );
    // Records are not audit entries.
    store.put(record_of(1)).expect("put");
    assert_eq!(store.audit_entries(0, 10).expect("entries"), []);
}

fn audit_a_recorded_head_must_be_in_the_chain(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    for n in 0..5 {
        store.audit_append(event(n)).expect("append");
    }
    let head = intact_head(&*store);
    store
        .audit_append(event(5))
        .expect("append after recording");
    assert!(
        store
            .audit_verify_against(&head)
            .expect("verify")
            .is_intact()
    );
    let other = AuditHead {
        seq: head.seq,
        hash: "ab".repeat(32),
    };
    assert_eq!(
        store.audit_verify_against(&other).expect("verify"),
        AuditVerification::Broken {
            seq: 5,
            problem: AuditProblem::Rewritten,
        }
    );
    for bad in [
        AuditHead {
            seq: 2,
            hash: "AB".repeat(32),
        },
        AuditHead {
            seq: 0,
            hash: "ab".repeat(32),
        },
    ] {
        let error = store.audit_verify_against(&bad).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
    }
}

fn audit_no_personnummer_or_content_reaches_the_log(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let personnummer = "19811218-9876";
    let cases = [
        AuditEvent {
            principal: personnummer.to_owned(),
            ..event(0)
        },
        AuditEvent {
            principal: format!("user {personnummer}"),
            ..event(0)
        },
        AuditEvent {
            role: personnummer.to_owned(),
            ..event(0)
        },
        AuditEvent {
            action: "8112189876".to_owned(),
            ..event(0)
        },
        AuditEvent {
            outcome: "070-1234567".to_owned(),
            ..event(0)
        },
        AuditEvent {
            unit: Some(format!("Norr {personnummer}")),
            ..event(0)
        },
        AuditEvent {
            pseudonym: Some(personnummer.to_owned()),
            ..event(0)
        },
        AuditEvent {
            pseudonym: Some("198112189876".to_owned()),
            ..event(0)
        },
        AuditEvent {
            record_id: Some(personnummer.to_owned()),
            ..event(0)
        },
        // Shapes: control characters, spaces in terms, empty or overlong fields, negative time.
        AuditEvent {
            principal: "anna\nsvensson".to_owned(),
            ..event(0)
        },
        AuditEvent {
            principal: "   ".to_owned(),
            ..event(0)
        },
        AuditEvent {
            principal: "x".repeat(MAX_PRINCIPAL_LEN + 1),
            ..event(0)
        },
        AuditEvent {
            action: "record read".to_owned(),
            ..event(0)
        },
        AuditEvent {
            role: String::new(),
            ..event(0)
        },
        AuditEvent {
            outcome: "x".repeat(MAX_TERM_LEN + 1),
            ..event(0)
        },
        AuditEvent {
            unit: Some("Norr\u{7}".to_owned()),
            ..event(0)
        },
        AuditEvent { at: -1, ..event(0) },
    ];
    for case in cases {
        let error = store.audit_append(case.clone()).expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{case:?}");
        assert!(!error.to_string().contains("9876"), "{error}");
        // An audited write with such an event writes nothing either.
        let error = store
            .put_audited(record_of(1), case.clone())
            .expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput, "{case:?}");
    }
    assert_eq!(store.audit_entries(0, 100).expect("entries"), []);
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 0);

    // A staff e-mail address is a normal principal.
    let staff = AuditEvent {
        principal: "anna.svensson@kommun.example".to_owned(),
        ..event(0)
    };
    store.audit_append(staff).expect("e-mail principal");
}

fn audited_writes_name_their_record_and_commit_together(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let new_record = || NewRecord {
        unit: "Norr".to_owned(),
        body: b"{}".to_vec(),
        ..record_of(1)
    };
    let (meta, entry) = store
        .put_audited(
            new_record(),
            AuditEvent::new(5, "anna.svensson", "handlaggare", "record.write", "ok"),
        )
        .expect("put");
    assert_eq!(entry.seq, 1);
    assert_eq!(entry.event.record_id.as_deref(), Some(meta.id.as_str()));
    assert_eq!(entry.event.pseudonym.as_deref(), Some(client(1).as_str()));
    assert_eq!(entry.event.unit.as_deref(), Some("Norr"));
    assert_eq!(store.get(&meta.id).expect("get").meta, meta);

    let (updated, entry) = store
        .update_audited(
            &meta.id,
            b"{\"v\":2}",
            AuditEvent::new(6, "anna.svensson", "handlaggare", "record.update", "ok"),
        )
        .expect("update");
    assert_eq!(updated.id, meta.id);
    assert_eq!(entry.seq, 2);
    assert_eq!(entry.event.record_id.as_deref(), Some(meta.id.as_str()));
    assert_eq!(store.get(&meta.id).expect("get").body, b"{\"v\":2}");
    assert_eq!(
        store.audit_entries(0, 10).expect("entries")[1],
        entry,
        "the entry returned is the entry stored"
    );

    // A refused event stores no record; a refused record appends no entry.
    let bad_event = AuditEvent::new(7, "anna", "handlaggare", "record write", "ok");
    assert!(store.put_audited(new_record(), bad_event.clone()).is_err());
    assert!(
        store
            .update_audited(&meta.id, b"{\"v\":3}", bad_event)
            .is_err()
    );
    let bad_record = NewRecord {
        pseudonym: "19811218-9876".to_owned(),
        ..new_record()
    };
    let good_event = AuditEvent::new(7, "anna", "handlaggare", "record.write", "ok");
    assert!(store.put_audited(bad_record, good_event.clone()).is_err());
    let too_large = vec![b' '; MAX_BODY_LEN + 1];
    assert!(
        store
            .update_audited(&meta.id, &too_large, good_event.clone())
            .is_err()
    );
    let error = store
        .update_audited(&missing_id(), b"{}", good_event)
        .expect_err("no such record");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert_eq!(store.count(&ScanFilter::all()).expect("count"), 1);
    assert_eq!(store.get(&meta.id).expect("get").body, b"{\"v\":2}");
    assert_eq!(store.audit_entries(0, 10).expect("entries").len(), 2);
    assert!(store.audit_verify().expect("verify").is_intact());
}

fn audit_concurrent_appends_keep_one_chain(make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>) {
    let store = fresh(make);
    let threads = 6;
    let per_thread = 40;
    std::thread::scope(|scope| {
        for t in 0..threads {
            let store = &*store;
            scope.spawn(move || {
                for n in 0..per_thread {
                    store.audit_append(event(t * 1000 + n)).expect("append");
                }
            });
        }
        let store = &*store;
        scope.spawn(move || {
            for _ in 0..10 {
                assert!(store.audit_verify().expect("verify").is_intact());
            }
        });
    });
    let AuditVerification::Intact { entries, head } = store.audit_verify().expect("verify") else {
        panic!("concurrent appends broke the chain");
    };
    assert_eq!(entries, (threads * per_thread) as u64);
    assert_eq!(head.seq, entries);
}
