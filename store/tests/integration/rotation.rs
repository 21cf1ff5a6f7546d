//! Key rotation without downtime: records written with k1, k2 made active, old records still
//! readable, and `reseal_batch` moving everything to k2 while another thread reads and writes.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use bistand_store::{ErrorKind, RecordId, ResealProgress, ScanFilter, Store};

use crate::{body, keyring, open, random_u64, record, seq_of, temp_store_path};

const OLD_RECORDS: u64 = 300;
const BATCH: usize = 25;

#[test]
fn rotation_under_concurrent_reads_and_writes() {
    let (_dir, path) = temp_store_path();
    let store = Arc::new(open(&path, &["k1"]));
    // Expected body (as its seq) of every record.
    let expected: Arc<Mutex<HashMap<RecordId, u64>>> = Arc::default();
    for chunk in 0..OLD_RECORDS / 50 {
        let seqs: Vec<u64> = (chunk * 50..(chunk + 1) * 50).collect();
        let metas = store
            .put_many(
                seqs.iter()
                    .map(|&seq| record(1, "norr", "sue", "1", seq))
                    .collect(),
            )
            .expect("put_many");
        let mut expected = expected.lock().expect("lock");
        for (meta, seq) in metas.into_iter().zip(seqs) {
            assert_eq!(meta.key_id, "k1");
            expected.insert(meta.id, seq);
        }
    }
    let old_id = expected
        .lock()
        .expect("lock")
        .keys()
        .next()
        .cloned()
        .expect("records");

    // Rotate: k2 joins and becomes active; k1 stays for reading.
    store.replace_keyring(keyring(&["k2", "k1"]));
    let fresh = store
        .put(record(2, "norr", "sue", "1", 1_000_000))
        .expect("put");
    assert_eq!(fresh.key_id, "k2", "new writes use the active key");
    expected
        .lock()
        .expect("lock")
        .insert(fresh.id.clone(), 1_000_000);
    let old = store.get(&old_id).expect("old record still readable");
    assert_eq!(old.meta.key_id, "k1");

    let done = Arc::new(AtomicBool::new(false));
    let traffic = {
        let (store, expected, done) = (store.clone(), expected.clone(), done.clone());
        std::thread::spawn(move || {
            let ids: Vec<RecordId> = expected.lock().expect("lock").keys().cloned().collect();
            let mut operations = 0_u64;
            let mut seq = 2_000_000;
            while !done.load(Ordering::Acquire) {
                seq += 1;
                let target = &ids[(random_u64() % ids.len() as u64) as usize];
                match seq % 3 {
                    0 => {
                        let meta = store.put(record(3, "syd", "fia", "1", seq)).expect("put");
                        assert_eq!(meta.key_id, "k2");
                        expected.lock().expect("lock").insert(meta.id, seq);
                    }
                    1 => {
                        // Hold the map's lock across the update so the check below never sees
                        // the map and the store disagree.
                        let mut expected = expected.lock().expect("lock");
                        let meta = store.update(target, &body(seq)).expect("update");
                        assert_eq!(meta.key_id, "k2");
                        expected.insert(target.clone(), seq);
                    }
                    _ => {
                        let expected = expected.lock().expect("lock");
                        let record = store.get(target).expect("readable during rotation");
                        assert_eq!(seq_of(&record.body), expected[target]);
                        assert_eq!(record.body, body(expected[target]));
                    }
                }
                operations += 1;
            }
            operations
        })
    };

    let mut batches = 0;
    let mut resealed = 0;
    loop {
        let progress = store.reseal_batch(BATCH).expect("reseal");
        batches += 1;
        resealed += progress.resealed;
        assert!(progress.resealed <= BATCH as u64);
        if progress.remaining == 0 {
            break;
        }
        assert!(batches < 1000, "rotation must finish");
        std::thread::yield_now();
    }
    done.store(true, Ordering::Release);
    let operations = traffic.join().expect("traffic thread");
    assert!(batches >= 2, "several short transactions, not one");
    assert!(resealed <= OLD_RECORDS);
    assert!(operations > 0, "traffic ran during the rotation");
    assert_eq!(
        store.reseal_batch(BATCH).expect("nothing left"),
        ResealProgress {
            resealed: 0,
            remaining: 0
        }
    );

    // Everything is on k2 and opens to the last body written.
    let expected = expected.lock().expect("lock").clone();
    let mut seen = 0;
    store
        .scan(&ScanFilter::all(), &mut |record| {
            assert_eq!(record.meta.key_id, "k2");
            assert_eq!(record.body, body(expected[&record.meta.id]));
            seen += 1;
            Ok(())
        })
        .expect("scan");
    assert_eq!(seen, expected.len());
    assert_eq!(
        store.count(&ScanFilter::all()).expect("count"),
        expected.len() as u64
    );
    drop(store);

    // k1 can now be retired.
    let store = open(&path, &["k2"]);
    for (id, seq) in &expected {
        assert_eq!(store.get(id).expect("readable without k1").body, body(*seq));
    }
    let store = open(&path, &["k1"]);
    assert_eq!(
        store.get(&old_id).expect_err("k2 needed").kind(),
        ErrorKind::UnknownKey
    );
}

#[test]
fn reseal_batch_refuses_zero() {
    let (_dir, path) = temp_store_path();
    let store = open(&path, &["k1"]);
    assert_eq!(
        store.reseal_batch(0).expect_err("zero").kind(),
        ErrorKind::InvalidInput
    );
}
