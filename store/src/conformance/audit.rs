//! The audit cases of the conformance suite: appending, paging and verifying the chain, refused
//! events, audited writes and concurrent appends.

use super::{client, fresh, missing_id, record_of};
use crate::audit::{MAX_PRINCIPAL_LEN, MAX_TERM_LEN};
use crate::{
    AUDIT_GENESIS_HASH, AuditEntry, AuditEvent, AuditHead, AuditProblem, AuditVerification,
    AuditedStore, ErrorKind, Keyring, MAX_BODY_LEN, NewRecord, ScanFilter,
};

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

pub(super) fn audit_a_long_chain_verifies_and_pages(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
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

pub(super) fn audit_an_empty_log_is_intact_at_the_genesis_head(
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

pub(super) fn audit_a_recorded_head_must_be_in_the_chain(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
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

pub(super) fn audit_no_personnummer_or_content_reaches_the_log(
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

pub(super) fn audited_writes_name_their_record_and_commit_together(
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

pub(super) fn conditional_updates_write_only_the_revision_read(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
    let store = fresh(make);
    let update = || AuditEvent::new(6, "anna.svensson", "handlaggare", "record.update", "ok");
    let (meta, _) = store.put_audited(record_of(1), event(0)).expect("put");
    let read = meta.revision;
    let (first, _) = store
        .update_audited_if(&meta.id, read, "{\"v\":\"Söder\"}".as_bytes(), update())
        .expect("the revision read is current");
    assert_eq!(first.revision, read + 1);
    // A second writer that read the same revision loses, and writes nothing.
    let entries = store.audit_entries(0, 100).expect("entries").len();
    let error = store
        .update_audited_if(&meta.id, read, b"{\"v\":\"Norr\"}", update())
        .expect_err("stale");
    assert_eq!(error.kind(), ErrorKind::Stale);
    assert_eq!(
        store.get(&meta.id).expect("get").body,
        "{\"v\":\"Söder\"}".as_bytes()
    );
    assert_eq!(store.get(&meta.id).expect("get").meta.revision, read + 1);
    assert_eq!(store.audit_entries(0, 100).expect("entries").len(), entries);
    // Of threads racing from one revision, exactly one writes.
    let wins: usize = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..4)
            .map(|n| {
                let store = &store;
                let id = meta.id.clone();
                scope.spawn(move || {
                    let body = format!("{{\"v\":{n}}}");
                    usize::from(
                        store
                            .update_audited_if(&id, read + 1, body.as_bytes(), update())
                            .is_ok(),
                    )
                })
            })
            .collect();
        racers.into_iter().map(|r| r.join().expect("join")).sum()
    });
    assert_eq!(wins, 1);
    let error = store
        .update_audited_if(&missing_id(), 1, b"{}", update())
        .expect_err("no such record");
    assert_eq!(error.kind(), ErrorKind::NotFound);
    assert!(store.audit_verify().expect("verify").is_intact());
}

pub(super) fn audit_concurrent_appends_keep_one_chain(
    make: &dyn Fn(Keyring) -> Box<dyn AuditedStore>,
) {
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
